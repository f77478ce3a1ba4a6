#!/usr/bin/env bash
# The README's first command: installs what is missing, builds psguard, then runs its main job,
# `psguard check`, in a throw-away sandbox: a Package Server tree with a dozen packages in
# every state psguard tells apart, and the NS emulator answering over real TLS with a CA made
# for the run. Nothing outside the sandbox is touched; the sandbox is removed at the end
# (set PSGUARD_DEMO_KEEP=1 to keep it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"

PSGUARD_SKIP_CROSS=1 bash scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --parallel "$jobs" --target psguard psguard-ns-emulator
psguard="$root/build/dev/service/psguard"
emulator="$root/build/dev/tests/ns_emulator/psguard-ns-emulator"

sandbox="$(mktemp -d -t psguard-demo-XXXXXX)"
emulator_pid=""
cleanup() {
    [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    if [[ "${PSGUARD_DEMO_KEEP:-0}" == "1" ]]; then
        echo "sandbox kept: $sandbox"
    else
        rm -rf "$sandbox"
    fi
}
trap cleanup EXIT

delivery="$sandbox/Symantec Agent/Package Delivery"
status="$sandbox/Symantec Agent/Package Server Agent/PackageStatus"
mkdir -p "$delivery" "$status"

# package GUID  local-status  local-version  ns-status  ns-version  name
packages=(
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01} Ready 1601867730 Invalid 1601867730 Adobe_Reader_DC"
  "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02} Ready 1601867731 Invalid 1601867731 7-Zip_22.01"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E03} Ready 1601867732 Ready 1601867732 Notepad++_8.5"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E04} Ready 1601867733 Ready 1601867733 Google_Chrome"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E05} Ready 1601867734 Ready 1601867734 Firefox_ESR"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E06} Ready 1601867735 Pending 1601867735 Office_LTSC_2021"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E07} Ready 1601860000 Invalid 1601867736 VLC_3.0"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E08} Downloading 1601867737 Invalid 1601867737 Putty_0.78"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E09} - - Ready 1601867738 WinSCP_6.1"
  "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E0A} Ready 1601867739 - - Old_Test_Package"
)
scenario_rows=""
for line in "${packages[@]}"; do
    read -r guid local_status local_version ns_status ns_version name <<<"$line"
    if [[ "$local_status" != "-" ]]; then
        mkdir -p "$delivery/$guid/cache" "$status/$guid"
        head -c 2048 /dev/zero >"$delivery/$guid/cache/setup.exe"
        printf '<?xml version="1.0" encoding="utf-8"?>\n<snapshot version="%s">\n  <file name="setup.exe" size="2048"/>\n</snapshot>\n' \
            "$local_version" >"$delivery/$guid/snapshot.xml"
        printf '<PackageStatus id="%s" status="%s" version="%s"/>\n' \
            "$guid" "$local_status" "$local_version" >"$status/$guid/PackageStatus.xml"
    fi
    if [[ "$ns_status" != "-" ]]; then
        scenario_rows+="${scenario_rows:+,}{\"guid\":\"$guid\",\"name\":\"${name//_/ }\",\"status\":\"$ns_status\",\"ns_version\":\"$ns_version\",\"reported_version\":\"$ns_version\"}"
    fi
done
# One package whose snapshot.xml was cut short, and a stray folder psguard must leave alone.
bad="{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E0B}"
mkdir -p "$delivery/$bad" "$status/$bad" "$delivery/Temp"
printf '<snapshot version="1601867740"><file name="setup.exe" si' >"$delivery/$bad/snapshot.xml"
printf '<PackageStatus status="Ready" version="1601867740"/>\n' >"$status/$bad/PackageStatus.xml"
scenario_rows+=",{\"guid\":\"$bad\",\"name\":\"Java Runtime\",\"status\":\"Invalid\",\"ns_version\":\"1601867740\",\"reported_version\":\"1601867740\"}"

report_guid="{a1b2c3d4-0000-4000-8000-000000000001}"
cat >"$sandbox/scenario.json" <<JSON
{"server": "PS01", "report_guid": "$report_guid", "auth": {"type": "none"},
 "packages": [$scenario_rows], "fault": "none"}
JSON

"$emulator" make-certs --dir "$sandbox/certs" --host localhost --ip 127.0.0.1 >/dev/null
"$emulator" serve --cert-dir "$sandbox/certs" --scenario "$sandbox/scenario.json" --port 0 \
    --port-file "$sandbox/port" >"$sandbox/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do [[ -s "$sandbox/port" ]] && break; sleep 0.1; done
port="$(cat "$sandbox/port")"

cat >"$sandbox/psguard.json" <<JSON
{
  "package_server": {"name": "PS01"},
  "paths": {"package_delivery": "$delivery", "package_status": "$status",
            "state_dir": "$sandbox/state"},
  "ns": {"url": "https://localhost:$port", "report_guid": "$report_guid",
         "ca_file": "$sandbox/certs/ca.pem", "timeout_seconds": 10}
}
JSON

echo
echo "== psguard demo: Package Server PS01 (sandbox $sandbox), NS emulator on https://localhost:$port"
echo "== \$ psguard check --config psguard.json"
set +e
"$psguard" check --config "$sandbox/psguard.json"
code=$?
set -e
echo
echo "psguard check exited $code (0 all healthy, 1 findings, 2 configuration, 3 NS unusable)."
echo "Read-only: nothing in the sandbox was changed. JSON: psguard check --json; see docs/check.md."
# Findings are the point of the demo: exit 1 is the expected outcome here.
[[ $code -eq 1 ]]
