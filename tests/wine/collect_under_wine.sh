#!/usr/bin/env bash
# Windows discovery and `psguard collect` under Wine: the agent's registry values written into
# the prefix (InstallDir in the 32-bit view only, as a 32-bit agent leaves it; the log folder in
# Event Logging\LogFile\FilePath), a configuration that names no agent folder, then psguard.exe
# validate-config (the folders are detected) and collect (a zip, listed, anonymised).
# Run by ctest in the cross build: collect_under_wine.sh <psguard.exe> <wine-run.sh> <prefix>
set -euo pipefail

exe="$1"
wine_run="$2"
prefix="$3"
work="$(mktemp -d -t psguard-wine-collect-XXXXXX)"
key='HKLM\SOFTWARE\Altiris\Altiris Agent'
reg() { "$wine_run" --prefix="$prefix" reg "$@" >/dev/null 2>&1; }
cleanup() {
    reg delete "$key" /f /reg:32 || true
    reg delete "$key" /f /reg:64 || true
    rm -rf "$work"
}
trap cleanup EXIT
# Both views start empty whatever an earlier test in this prefix left (the MSI test plants the
# agent's key in the 64-bit view, which discovery reads first).
reg delete "$key" /f /reg:32 || true
reg delete "$key" /f /reg:64 || true

winpath() { printf 'Z:%s' "${1//\//\\}"; }
json_path() { winpath "$1" | sed 's/\\/\\\\/g'; }

agent="$work/AcmeAgent"
logs="$work/AcmeLogs"
guid="{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}"
mkdir -p "$agent/Package Delivery/$guid/cache" "$agent/Package Server Agent/PackageStatus/$guid" "$logs"
head -c 100 /dev/zero >"$agent/Package Delivery/$guid/cache/acme-setup.exe"
printf '<snapshot version="7"><file name="acme-setup.exe" size="100"/></snapshot>' \
    >"$agent/Package Delivery/$guid/snapshot.xml"
printf '<PackageStatus status="Ready" version="7"/>' \
    >"$agent/Package Server Agent/PackageStatus/$guid/PackageStatus.xml"
printf "<event date='%s' severity='2' hostName='ACMEHOST42' source='EventTransport' module='AeXNSAgent.exe' process='AeXNSAgent.exe' pid='1' thread='2' tickCount='3' >\n<![CDATA[Error while copying event to capture directory: Access is denied (-2147024891)]]>\n</event>\n" \
    "$(date -u '+%b %d %H:%M:%S')" >"$logs/agent.log"

failures=0
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failures=$((failures + 1)); }

reg add "$key" /v InstallDir /t REG_SZ /d "$(winpath "$agent")" /f /reg:32 || bad "reg add InstallDir"
reg add "$key\\Event Logging\\LogFile" /v FilePath /t REG_SZ /d "$(winpath "$logs")\\" /f /reg:64 ||
    bad "reg add FilePath"

cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PSACME"}, "credential_account": "ACMECORP\\\\svc-acme",
 "paths": {"state_dir": "$(json_path "$work/state")"},
 "ns": {"url": "https://127.0.0.1:9", "report_guid": "{a1b2c3d4-0000-4000-8000-000000000001}",
        "timeout_seconds": 2, "max_retries": 0}}
JSON
config="$(winpath "$work/psguard.json")"

if out="$("$wine_run" --prefix="$prefix" "$exe" validate-config --config "$config" 2>&1)" &&
    grep -q 'AcmeAgent\\Package Delivery' <<<"$out"; then
    ok "Package Delivery detected from InstallDir in the 32-bit view"
else
    bad "validate-config: $out"
fi

bundle="$work/bundle.zip"
if out="$("$wine_run" --prefix="$prefix" "$exe" collect --config "$config" --out "$(winpath "$bundle")" 2>&1)" &&
    grep -q "^wrote .*bundle.zip (" <<<"$out"; then
    ok "collect wrote a zip and listed it"
else
    bad "collect: $out"
fi
echo "$out" | sed 's/^/     /'

if python3 - "$bundle" <<'PY'; then ok "the zip opens; discovery recorded; no site name survives"; else bad "zip contents"; fi
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    names = z.namelist()
    print("     entries:", ", ".join(names))
    for need in ("README.txt", "detected.json", "report.json", "evidence.txt",
                 "samples/{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}/snapshot.xml"):
        assert need in names, need
    detected = json.loads(z.read("detected.json"))
    key = "HKLM\\SOFTWARE\\Altiris\\Altiris Agent\\"
    assert detected[key + "InstallDir (32-bit view)"] != "(absent)", detected
    assert detected[key + "InstallDir (64-bit view)"] == "(absent)", detected
    assert detected[key + "Event Logging\\LogFile\\FilePath (64-bit view)"] != "(absent)", detected
    assert detected["paths.package_delivery"].endswith("\\Package Delivery"), detected
    assert "access_denied" in z.read("evidence.txt").decode(), z.read("evidence.txt")
    for name in names:
        data = (name + "\n").encode() + z.read(name)
        for original in (b"acmeagent", b"acmelogs", b"acme-setup", b"acmecorp", b"svc-acme",
                         b"psacme", b"psguard-wine-collect"):
            assert original not in data.lower(), (original, name)
PY
echo "$((3 - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
