#!/usr/bin/env bash
# The Windows service under Wine's service control manager (services.exe): installed with
# psguard's own `psguard service install`, started with `sc start`, /healthz answers 200 on
# loopback (Wine shares the host's network stack, so curl from Linux reaches it), stopped with
# `sc stop`, started and stopped again with `psguard service start|stop`, uninstalled with
# `psguard service uninstall`, and then gone (`sc query` fails with 1060). In between, a stop
# while a cycle waits on an NS that never answers ends as a stop (SERVICE_STOPPED), not a crash.
# Run by ctest in the cross build: service_under_scm.sh <psguard.exe> <wine-run.sh> <wine prefix>
# The prefix is the service tests' own (shared with the MSI test, never at the same time): an
# installed service must not start in the unit tests' prefix. Its wineserver is ended on exit,
# which also ends a service that a failed run left running.
#
# The NS in the configuration is unreachable on purpose: the loop must still run its cycles
# (NS failures back off, never stop it) and serve /healthz.
#
# Wine 8 behaviour this test relies on or works around:
# - services.exe starts a service's ImagePath as given; `psguard service install --config F`
#   stores `"<exe>" run --config "F"` there, so the service finds its configuration by argument
#   (the default %ProgramData%\psguard\psguard.json would be C:\ProgramData in the prefix).
# - An AUTO_START service is started again by services.exe at every boot of the prefix (each new
#   wineserver), so a failed run must not leave the service registered: the EXIT trap
#   uninstalls it, and the test starts by removing any leftover from an earlier run.
# - services.exe waits 10 s (not 30) for a starting service: see service_lib.sh.
# - ChangeServiceConfig2W(SERVICE_CONFIG_FAILURE_ACTIONS) succeeds but stores nothing (a FIXME in
#   services.exe), and the DELAYED_AUTO_START/FAILURE_ACTIONS_FLAG levels fail with
#   ERROR_INVALID_LEVEL; psguard treats both as best effort, so recovery is not asserted here.
# - Files keep no DACL (SetNamedSecurityInfoW and the security attributes of CreateFileW are
#   dropped): the endpoint's token file that the first start creates with a SYSTEM+Administrators
#   DACL reads back on the next start as readable by the Wine user, and psguard (rightly) refuses
#   to serve with a token others may read: the endpoint does not start, the loop still runs and
#   logs "status endpoint not started: ... may read the token". So the test deletes the token
#   before each restart; on Windows the DACL holds and a restart reuses the token.
# - Wine's sc knows create, description, failure, delete, start, stop and query (no qc, no
#   control): the service's configuration is read from its registry entry instead. `sc query`
#   prints "STATE : 4  RUNNING" and exits non-zero for a service that does not exist.
set -euo pipefail

exe="$1"
wine_run="$2"
prefix="$3"
wineserver="${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}"
work="$(mktemp -d -t psguard-service-XXXXXX)"
installed=0
silent_pid=""

winpath() { printf 'Z:%s' "${1//\//\\}"; }
json_path() { winpath "$1" | sed 's/\\/\\\\/g'; }
wine() { "$wine_run" --prefix="$prefix" "$@"; }
psguard() { wine "$exe" "$@"; }
sc() { wine sc "$@"; }

cleanup() {
    if ((installed)); then
        psguard service uninstall >/dev/null 2>&1 || true
    fi
    WINEPREFIX="$prefix" "$wineserver" -k >/dev/null 2>&1 || true
    if [[ -n "$silent_pid" ]]; then kill "$silent_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../shell/tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/tally.sh"
# shellcheck source=../shell/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/free_port.sh"
show_log() {
    echo "--- service log"
    cat "$work/state/logs/psguard.log" 2>/dev/null | tail -n 40 || true
}

# A free loopback port for the endpoint (tests/shell/free_port.sh).
port="$(free_port)"
mkdir -p "$work/Package Delivery/{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}/cache" \
    "$work/PackageStatus/{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}"
printf '<snapshot version="7"/>' >"$work/Package Delivery/{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}/snapshot.xml"
printf '<PackageStatus status="Ready" version="7"/>' \
    >"$work/PackageStatus/{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}/PackageStatus.xml"
cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$(json_path "$work/Package Delivery")",
           "package_status": "$(json_path "$work/PackageStatus")",
           "state_dir": "$(json_path "$work/state")"},
 "ns": {"url": "https://127.0.0.1:1", "report_guid": "{a1b2c3d4-0000-4000-8000-000000000001}",
        "timeout_seconds": 2, "max_retries": 0},
 "endpoint": {"port": $port}}
JSON

# wait_state <STATE> <seconds>: polls `sc query psguard` until it shows that state.
wait_state() {
    for _ in $(seq $((${2} * 5))); do
        sc query psguard 2>/dev/null | grep "$1" >/dev/null && return 0
        sleep 0.2
    done
    return 1
}
# process_ended <seconds>: polls until the service's process, as Linux sees it, is gone ("[p]"
# keeps pgrep from matching a shell that runs this line).
process_ended() {
    for _ in $(seq $((${1} * 5))); do
        pgrep -f "[p]sguard.exe.* run --config .*$(basename "$work")" >/dev/null || return 0
        sleep 0.2
    done
    return 1
}
port_closed() {
    ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/healthz"
}

# shellcheck source=service_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/service_lib.sh"
prepare_scm_prefix "$wine_run" "$prefix"
# A service left by an earlier, interrupted run would hold the name.
psguard service uninstall >/dev/null 2>&1 || true
# The installer's registry values would override this test's file (docs/configuration.md).
wine reg delete 'HKLM\SOFTWARE\psguard' /f >/dev/null 2>&1 || true

if psguard service install --config "$(winpath "$work/psguard.json")" >"$work/out" 2>&1; then
    installed=1
    ok "psguard service install"
else
    bad "psguard service install: $(cat "$work/out")"
    exit 1
fi
if wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\psguard' \
    /v EventMessageFile >"$work/out" 2>&1 && grep -qi 'psguard.exe' "$work/out"; then
    ok "Event Log source registered"
else
    bad "Event Log source: $(tr -d '\r' <"$work/out")"
fi
# Wine's sc has no qc: the SCM's own registry entry shows the configuration.
if wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\psguard' >"$work/qc" 2>&1 &&
    grep -q 'Start *REG_DWORD *0x2' "$work/qc" && grep -qi 'ObjectName *REG_SZ *LocalSystem' "$work/qc" &&
    grep -qiF "psguard.exe\" run --config \"$(winpath "$work/psguard.json")\"" "$work/qc"; then
    ok "registered: automatic start, LocalSystem, \"<exe>\" run --config \"<file>\""
else
    bad "service entry: $(tr -d '\r' <"$work/qc")"
fi

if sc start psguard >"$work/out" 2>&1 && wait_state RUNNING 30; then
    ok "sc start psguard: RUNNING"
else
    bad "sc start psguard: $(tr -d '\r' <"$work/out")"
    show_log
fi
if wait_http "$port" /healthz 200 60; then
    ok "GET /healthz 200 from the service"
else
    bad "GET /healthz did not answer 200"
    show_log
fi
if curl -s --max-time 5 "http://127.0.0.1:$port/v1/status" >"$work/status.json" &&
    python3 - "$work/status.json" "$port" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["settings"]
assert s["server"] == "PS01", s
assert s["listen"] == "127.0.0.1:" + sys.argv[2], s
assert s["ns_url"] == "https://127.0.0.1:1", s
assert d["heal_enabled"] is False, d
PY
then
    ok "GET /v1/status shows the service's configuration"
else
    bad "GET /v1/status: $(head -c 600 "$work/status.json")"
fi

if sc stop psguard >"$work/out" 2>&1 && wait_state STOPPED 30 && port_closed; then
    ok "sc stop psguard: STOPPED, endpoint closed"
else
    bad "sc stop psguard: $(tr -d '\r' <"$work/out")"
    show_log
fi
grep -q 'psguard stopped' "$work/state/logs/psguard.log" && ok "clean stop logged" ||
    bad "no clean stop in the service log"

rm -f "$work/state/endpoint.token"  # Wine keeps no DACL: see the header
if psguard service start >"$work/out" 2>&1 && wait_http "$port" /healthz 200 60; then
    ok "psguard service start: /healthz 200"
else
    bad "psguard service start: $(tr -d '\r' <"$work/out")"
    show_log
fi
if psguard service stop >"$work/out" 2>&1 && wait_state STOPPED 30 && port_closed; then
    ok "psguard service stop: STOPPED"
else
    bad "psguard service stop: $(tr -d '\r' <"$work/out")"
fi

# A stop while a cycle waits on an NS that accepted the connection and never answers (a real
# socket, silent): the loop cannot end within the stop's grace (4 s), so psguard ends the process
# itself, and must first report SERVICE_STOPPED. A process that just ends is a crash to the SCM:
# Windows logs event 7034 and its recovery actions start psguard again a minute later; Wine's
# services.exe keeps the service STOP_PENDING (seen: over 20 s), which made an MSI upgrade that
# followed fail (msiexec 1627) in CI.
silent_port="$(free_port)"
python3 - "$silent_port" <<'PY' &
import socket, sys
listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
held = []
while True:
    held.append(listener.accept()[0])  # accepted, never read, never answered
PY
silent_pid=$!
python3 - "$work/psguard.json" "$silent_port" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["ns"].update(url=f"http://127.0.0.1:{sys.argv[2]}", timeout_seconds=60)
json.dump(config, open(sys.argv[1], "w"))
PY
rm -f "$work/state/endpoint.token"  # Wine keeps no DACL: see the header
if sc start psguard >"$work/out" 2>&1 && wait_state RUNNING 30 && wait_http "$port" /healthz 200 60; then
    sleep 1  # the first cycle is waiting on the silent NS by now
    started=$SECONDS
    sc stop psguard >/dev/null 2>&1 || true
    if wait_state STOPPED 15; then
        ok "stopped while a cycle waits on a silent NS: STOPPED after $((SECONDS - started)) s"
    else
        bad "stop with a cycle waiting on a silent NS: $(sc query psguard 2>&1 | tr -d '\r' | grep STATE)"
        show_log
    fi
    sc query psguard 2>&1 | tr -d '\r' >"$work/out" || true
    if grep -E 'WIN32_EXIT_CODE +: 0 ' "$work/out" >/dev/null; then
        ok "reported as a stop, not a crash (WIN32_EXIT_CODE 0)"
    else
        bad "the forced stop's exit code: $(grep EXIT_CODE "$work/out")"
    fi
    grep -q 'still running after 4 s; exiting anyway' "$work/state/logs/psguard.log" &&
        ok "the forced stop logged" || bad "no forced stop in the service log"
    expect "its process has ended" process_ended 5
else
    bad "sc start psguard with a silent NS: $(tr -d '\r' <"$work/out")"
    show_log
fi
kill "$silent_pid" 2>/dev/null || true
silent_pid=""

if psguard service uninstall >"$work/out" 2>&1; then
    installed=0
    ok "psguard service uninstall"
else
    bad "psguard service uninstall: $(tr -d '\r' <"$work/out")"
fi
set +e
sc query psguard >"$work/out" 2>&1
code=$?
set -e
if [[ $code -ne 0 ]] && ! grep -q SERVICE_NAME "$work/out"; then
    ok "sc query psguard fails after uninstall"
else
    bad "sc query psguard after uninstall: exit $code: $(tr -d '\r' <"$work/out")"
fi
if ! wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\psguard' \
    >/dev/null 2>&1; then
    ok "Event Log source removed"
else
    bad "the Event Log source is still registered"
fi

finish
