#!/usr/bin/env bash
# The Windows psguard.exe, under Wine, against the (native) NS emulator over real TLS: WinHTTP,
# the ns.ca_file chain check, the DataSet parser and the verdicts, end to end. Run by ctest in
# the cross build: check_over_winhttp.sh <psguard.exe> <native psguard-ns-emulator> <wine-run.sh>
set -euo pipefail

exe="$1"
emulator="$2"
wine_run="$3"
work="$(mktemp -d -t psguard-wine-XXXXXX)"
# shellcheck source=ns_fixture.sh
source "$(dirname "${BASH_SOURCE[0]}")/ns_fixture.sh"

write_config() {  # $1 file, $2 extra ns JSON members
    cat >"$1" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$(winpath "$delivery" | sed 's/\\/\\\\/g')",
           "package_status": "$(winpath "$status" | sed 's/\\/\\\\/g')",
           "state_dir": "$(winpath "$work/state" | sed 's/\\/\\\\/g')"},
 "ns": {"url": "https://localhost:$port", "report_guid": "$report_guid", "timeout_seconds": 10,
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
