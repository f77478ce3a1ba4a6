#!/usr/bin/env bash
# psguard.exe as a native Windows Event Log source, under Wine:
# 1. `psguard service install` registers the source, and the registered EventMessageFile resolves
#    every event ID's message through FormatMessage from psguard.exe's message table, and carries
#    the version resource (event_source_check.exe; see tests/wine/event_source_check.cpp).
# 2. `psguard run` logs under those IDs: Wine's ReportEventW is a stub that only traces its
#    arguments (the "advapi" fixme channel shows the event type and ID, the "eventlog" channel the
#    text), so the test reads the IDs there: 1000 at start, 2001 for an NS that cannot be reached,
#    1001 at a clean stop.
# Run by ctest in the cross build:
#   event_log.sh <psguard.exe> <event_source_check.exe> <VERSION> <wine-run.sh> <wine prefix>
# The prefix is the service tests' (RESOURCE_LOCK wine_scm): installing a service must not touch
# the unit tests' prefix. Its wineserver is ended on exit.
set -euo pipefail

exe="$1"
checker="$2"
version="$3"
wine_run="$4"
prefix="$5"
wineserver="${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}"
work="$(mktemp -d -t psguard-eventlog-XXXXXX)"
installed=0

winpath() { printf 'Z:%s' "${1//\//\\}"; }
json_path() { winpath "$1" | sed 's/\\/\\\\/g'; }
wine() { "$wine_run" --prefix="$prefix" "$@"; }

cleanup() {
    if ((installed)); then
        wine "$exe" service uninstall >/dev/null 2>&1 || true
    fi
    WINEPREFIX="$prefix" "$wineserver" -k >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../shell/tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/tally.sh"
# shellcheck source=../shell/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/free_port.sh"
# shellcheck source=service_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/service_lib.sh"
prepare_scm_prefix "$wine_run" "$prefix"
wine "$exe" service uninstall >/dev/null 2>&1 || true  # a leftover of an interrupted run

port="$(free_port)"
mkdir -p "$work/Package Delivery" "$work/PackageStatus"
cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$(json_path "$work/Package Delivery")",
           "package_status": "$(json_path "$work/PackageStatus")",
           "state_dir": "$(json_path "$work/state")"},
 "ns": {"url": "https://127.0.0.1:1", "report_guid": "{a1b2c3d4-0000-4000-8000-000000000001}",
        "timeout_seconds": 2, "max_retries": 0},
 "endpoint": {"port": $port}}
JSON

# 1. The registered source resolves the messages.
if wine "$exe" service install --config "$(winpath "$work/psguard.json")" >"$work/out" 2>&1; then
    installed=1
    ok "psguard service install"
else
    bad "psguard service install: $(tr -d '\r' <"$work/out")"
fi
if wine "$checker" "$version" >"$work/check" 2>&1; then
    ok "the registered source resolves every event ID and the version resource"
else
    bad "event source check"
fi
sed 's/^/    /' "$work/check"
if wine "$exe" service uninstall >"$work/out" 2>&1; then
    installed=0
fi

# 2. The Event Log sink logs under the IDs (ReportEventW's trace: type, category, event ID).
# `psguard run` in the console until its first cycle has failed on the NS, then SIGINT to that
# process alone (Wine turns it into CTRL_C_EVENT, the CRT into SIGINT) for a clean stop.
WINEDEBUG="-all,fixme+advapi,trace+eventlog,warn+eventlog,err+eventlog" \
    wine "$exe" run --config "$(winpath "$work/psguard.json")" >"$work/run.out" 2>&1 &
runner=$!
descendants() {  # descendants <pid>: its children, theirs, ...
    local child
    for child in $(pgrep -P "$1"); do
        echo "$child"
        descendants "$child"
    done
}
for _ in $(seq 300); do
    grep -q 'ReportEventW.*0x000007d1' "$work/run.out" 2>/dev/null && break
    sleep 0.2
done
for pid in $(descendants "$runner"); do
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'psguard.exe'; then
        kill -INT "$pid" 2>/dev/null || true
    fi
done
for _ in $(seq 100); do
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.2
done
if kill -0 "$runner" 2>/dev/null; then
    echo "    psguard run did not stop on SIGINT within 20 s"
    kill $(descendants "$runner") "$runner" 2>/dev/null || true
fi
wait "$runner" 2>/dev/null || true

event() {  # event <description> <type> <ID in hex, 8 digits>
    if grep -q "ReportEventW ([0-9A-Fa-f]*,$2,0x0000,$3," "$work/run.out"; then
        ok "$1"
    else
        bad "$1: no ReportEventW with type $2 and ID $3"
    fi
}
event "service start logged as event 1000 (information)" 0x0004 0x000003e8
event "an unreachable NS logged as event 2001 (error)" 0x0001 0x000007d1
event "the clean stop logged as event 1001 (information)" 0x0004 0x000003e9
if grep -q 'eventlog:ReportEventW L"cycle (start)' "$work/run.out"; then
    ok "the event's text is the logged line"
else
    bad "the logged line is not the event's text"
fi
if ((failures)); then
    echo "--- psguard run (Wine trace)"
    grep -E 'ReportEventW|eventlog' "$work/run.out" | head -n 20 || true
    tail -n 20 "$work/run.out"
fi

finish
