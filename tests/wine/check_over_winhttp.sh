#!/usr/bin/env bash
# The Windows psguard.exe, under Wine, against the (native) NS emulator over real TLS: WinHTTP,
# the ns.ca_file chain check, the DataSet parser and the verdicts, end to end. Run by ctest in
# the cross build: check_over_winhttp.sh <psguard.exe> <native psguard-ns-emulator> <wine-run.sh>
set -euo pipefail

exe="$1"
emulator="$2"
wine_run="$3"
work="$(mktemp -d -t psguard-wine-XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../shell/ns_sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/ns_sandbox.sh"

winpath() { printf 'Z:%s' "${1//\//\\}"; }

delivery="$work/Package Delivery"
status="$work/PackageStatus"
stale="{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}"
healthy="{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}"
for guid in "$stale" "$healthy"; do add_package "$delivery" "$status" "$guid"; done
guid="{a1b2c3d4-0000-4000-8000-000000000001}"
cat >"$work/scenario.json" <<JSON
{"server": "PS01", "report_guid": "$guid", "auth": {"type": "none"}, "fault": "none",
 "packages": [
  {"guid": "$stale", "name": "Stale", "status": "Invalid", "ns_version": "7", "reported_version": "7"},
  {"guid": "$healthy", "name": "Healthy", "status": "Ready", "ns_version": "7", "reported_version": "7"}]}
JSON
start_ns_emulator "$emulator" "$work" "$work/scenario.json"
port="$ns_port"

write_config() {  # $1 file, $2 extra ns JSON members
    cat >"$1" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$(winpath "$delivery" | sed 's/\\/\\\\/g')",
           "package_status": "$(winpath "$status" | sed 's/\\/\\\\/g')",
           "state_dir": "$(winpath "$work/state" | sed 's/\\/\\\\/g')"},
 "ns": {"url": "https://localhost:$port", "report_guid": "$guid", "timeout_seconds": 10,
        "max_retries": 0 $2}}
JSON
}
ca="$(winpath "$work/certs/ca.pem" | sed 's/\\/\\\\/g')"
write_config "$work/trusted.json" ", \"ca_file\": \"$ca\""
write_config "$work/untrusted.json" ""

fault() { curl -sk -X POST "https://localhost:$port/_emulator/scenario" -d "{\"fault\": \"$1\"}" >/dev/null; }

# check <config> <expected exit> <python assertion on the JSON document d>
failures=0
check() {
    local name="$1" config="$2" expected="$3" assertion="$4"
    set +e
    "$wine_run" "$exe" check --json --config "$(winpath "$work/$config")" >"$work/out.json" 2>"$work/err.txt"
    local code=$?
    set -e
    if [[ $code -ne $expected ]]; then
        echo "FAIL $name: exit $code, expected $expected"; cat "$work/err.txt"; head -c 2000 "$work/out.json"
        failures=$((failures + 1)); return
    fi
    if ! python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert $assertion, d['ns']" "$work/out.json"; then
        echo "FAIL $name: $assertion"; failures=$((failures + 1)); return
    fi
    echo "ok   $name"
}

check "verdicts over WinHTTP with ns.ca_file" trusted.json 1 \
    "{p['name']: p['verdict'] for p in d['packages']} == {'Stale': 'stale_on_ns', 'Healthy': 'healthy'}"
check "untrusted CA is refused" untrusted.json 3 "d['ns']['failure'] == 'unreachable' and not d['ns']['reachable']"
fault http_401
check "401 is a credential problem" trusted.json 3 "d['ns']['failure'] == 'credential'"
fault truncated
check "truncated body is unusable" trusted.json 3 "d['ns']['failure'] in ('unusable', 'unreachable') and all(p['verdict'] is None for p in d['packages'])"
fault malformed_xml
check "malformed XML is unusable" trusted.json 3 "d['ns']['failure'] == 'unusable'"
fault wrong_host_cert
check "certificate for another host is refused" trusted.json 3 "d['ns']['failure'] == 'unreachable'"

echo "$((6 - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
