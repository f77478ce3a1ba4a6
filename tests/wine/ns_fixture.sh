# Sourced by the Wine end-to-end tests (check_over_winhttp.sh, agent_com.sh): a Package Server
# tree of two packages, both Ready here, and the native NS emulator over real TLS showing one of
# them Invalid. Needs $work and $emulator; sets delivery, status, stale, healthy, report_guid,
# port and emulator_pid, and a trap that stops the emulator and removes $work on exit.

emulator_pid=""
cleanup() {
    [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

winpath() { printf 'Z:%s' "${1//\//\\}"; }
json_path() { winpath "$1" | sed 's/\\/\\\\/g'; }

delivery="$work/Package Delivery"
status="$work/PackageStatus"
stale="{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}"
healthy="{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}"
for guid in "$stale" "$healthy"; do
    mkdir -p "$delivery/$guid/cache" "$status/$guid"
    head -c 100 /dev/zero >"$delivery/$guid/cache/setup.exe"
    printf '<snapshot version="7"><file name="setup.exe" size="100"/></snapshot>' >"$delivery/$guid/snapshot.xml"
    printf '<PackageStatus status="Ready" version="7"/>' >"$status/$guid/PackageStatus.xml"
done
report_guid="{a1b2c3d4-0000-4000-8000-000000000001}"
cat >"$work/scenario.json" <<JSON
{"server": "PS01", "report_guid": "$report_guid", "auth": {"type": "none"}, "fault": "none",
 "packages": [
  {"guid": "$stale", "name": "Stale", "status": "Invalid", "ns_version": "7", "reported_version": "7"},
  {"guid": "$healthy", "name": "Healthy", "status": "Ready", "ns_version": "7", "reported_version": "7"}]}
JSON
"$emulator" make-certs --dir "$work/certs" --host localhost --ip 127.0.0.1 >/dev/null
"$emulator" serve --cert-dir "$work/certs" --scenario "$work/scenario.json" --port 0 \
    --port-file "$work/port" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
port="$(cat "$work/port")"
