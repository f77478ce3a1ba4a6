#!/usr/bin/env bash
# The MSI under Wine's msiexec, the way SMP software delivery runs it: a silent install with
# properties, the service running and answering on loopback with those properties in effect, an
# administrator's edit of the configuration file, an upgrade to a newer version that keeps it, a
# refused downgrade, an uninstall that removes the service and the binaries but keeps the state
# folder, and REMOVE_STATE=1 that removes it too.
# Run by ctest in the cross build:
#   msi_install.sh <psguard-VERSION-x64.msi> <build-msi.sh> <psguard.wxs> <psguard.exe>
#                  <msi psguard.json> <VERSION> <wine-run.sh> <wine prefix> [native ns emulator]
#
# The prefix is this test's own (shared only with the service test, never at the same time):
# it installs a service, writes HKLM and fakes a Symantec agent, none of which may leak into
# the unit tests' prefix. Its wineserver is ended on exit, which also ends a service left
# running by a failed run.
#
# Wine 8 (msi.dll, services.exe) facts this test meets:
# - msiexec's exit code is the installer's (0, 1603 for a fatal error such as the refused
#   downgrade, ...), but a Linux exit status keeps only its low 8 bits: 1603 arrives as 67.
#   The verbose log (/l*v) has the actions and their return values, not the error texts.
# - A service that cannot start (no NS_URL on a first install) fails StartServices and rolls the
#   install back, as on Windows, but msiexec ends with 1627 (ERROR_FUNCTION_FAILED) where
#   Windows ends with 1603; not asserted here.
# - Wine's sc has no qc: the service's configuration is read from its registry entry. Wine's
#   InstallServices writes the ImagePath without quotes around the program's path (Windows
#   Installer quotes it), so both forms are accepted.
# - StopServices does not wait for the service to stop (see steps 2 and 4); services.exe waits 10 s
#   (not 30) for a starting service (see service_lib.sh).
# - Files keep no DACL, so the endpoint token file the service created at its first start reads
#   back as readable by everyone at the next start, and psguard refuses to serve with it (see
#   service_under_scm.sh): the test deletes it before every restart (upgrade, reinstall).
# - ServiceInstall/ServiceControl (InstallServices, StartServices with Wait, StopServices,
#   DeleteServices) work against Wine's services.exe; the MsiServiceConfigFailureActions table is
#   neither written by wixl nor read by Wine, so recovery actions are psguard's own business at
#   service start (docs/deploy-smp.md) and not asserted here.
set -euo pipefail

msi="$1"
build_msi="$2"
wxs="$3"
exe="$4"
msi_config="$5"
version="$6"
wine_run="$7"
prefix="$8"
emulator="${9:-}"
wineserver="${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}"

work="$(mktemp -d -t psguard-msi-test-XXXXXX)"
emulator_pid=""
drive_c="$prefix/drive_c"
program_files="$drive_c/Program Files/psguard"
state="$drive_c/ProgramData/psguard"

winpath() { printf 'Z:%s' "${1//\//\\}"; }
wine() { "$wine_run" --prefix="$prefix" "$@"; }
msiexec() {
    local log="$1"
    shift
    set +e
    wine msiexec "$@" /qn /l*v "$(winpath "$work/$log")" >/dev/null 2>&1
    local code=$?
    set -e
    echo "$code"
}

cleanup() {
    # Whatever a failed run left installed goes, so the next run starts clean.
    wine msiexec /x "$(winpath "$work/newer.msi")" /qn >/dev/null 2>&1 || true
    wine msiexec /x "$(winpath "$msi")" /qn >/dev/null 2>&1 || true
    wine sc delete psguard >/dev/null 2>&1 || true
    # The agent key planted below: the collect test shares this prefix and reads that key.
    wine reg delete 'HKLM\SOFTWARE\Altiris\Altiris Agent' /f /reg:64 >/dev/null 2>&1 || true
    WINEPREFIX="$prefix" "$wineserver" -k >/dev/null 2>&1 || true
    [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    rm -rf "$work" "$state" "$program_files"
}
trap cleanup EXIT

# shellcheck source=../shell/tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/tally.sh"
# shellcheck source=../shell/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/free_port.sh"
show_log() {
    echo "--- $1 (errors and the last lines)"
    iconv -f UTF-16LE -t UTF-8 "$work/$1" 2>/dev/null | tr -d '\r' |
        grep -E 'Return value 3|rror|failed' | head -n 20 || true
    echo "--- service log"
    tail -n 20 "$state/logs/psguard.log" 2>/dev/null || true
}
# MSI logs are UTF-16LE on Windows; Wine writes them in the ANSI code page. Read either.
log_text() {
    if head -c 2 "$work/$1" | od -An -tx1 | grep 'ff fe' >/dev/null; then
        iconv -f UTF-16LE -t UTF-8 "$work/$1" | tr -d '\r'
    else
        tr -d '\r' <"$work/$1"
    fi
}

port="$(free_port)"
service_state() { wine sc query psguard 2>/dev/null | tr -d '\r' | grep -o -m 1 'RUNNING\|STOPPED\|PENDING'; }
# Sends the stop and waits up to 30 s for STOPPED: Wine's StopServices does not wait (step 4).
stop_and_wait() {
    wine sc stop psguard >/dev/null 2>&1 || true
    for _ in $(seq 150); do
        [[ "$(service_state)" == STOPPED ]] && return 0
        sleep 0.2
    done
    return 1
}
status_check() {  # status_check <python assertion on d = /v1/status>
    curl -s --max-time 5 "http://127.0.0.1:$port/v1/status" >"$work/status.json" &&
        python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['settings']; assert $1, d" \
            "$work/status.json" 2>"$work/status.err" || {
        head -c 800 "$work/status.json"
        echo
        tail -n 1 "$work/status.err"
        return 1
    }
}
registry() { wine reg query 'HKLM\SOFTWARE\psguard' /reg:64 2>/dev/null | tr -d '\r'; }

# The upgrade: the same wxs at the next patch version.
IFS=. read -r major minor patch <<<"$version"
newer="$major.$minor.$((patch + 1))"
bash "$build_msi" "$wxs" "$exe" "$msi_config" "$newer" "$work/newer.msi" >/dev/null

# A Symantec agent as psguard detects it (HKLM\SOFTWARE\Altiris\Altiris Agent\InstallDir), with
# one package, and the NS emulator (plain HTTP) reporting it Ready.
agent="$work/agent"
package="{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}"
mkdir -p "$agent/Package Delivery/$package/cache" "$agent/Package Server Agent/PackageStatus/$package"
printf '<snapshot version="7"/>' >"$agent/Package Delivery/$package/snapshot.xml"
printf '<PackageStatus status="Ready" version="7"/>' \
    >"$agent/Package Server Agent/PackageStatus/$package/PackageStatus.xml"
report="{a1b2c3d4-0000-4000-8000-000000000001}"
ns_url="http://127.0.0.1:1"  # unreachable without the emulator: the service still runs
if [[ -n "$emulator" && -x "$emulator" ]]; then
    cat >"$work/scenario.json" <<JSON
{"server": "PS01", "report_guid": "$report", "auth": {"type": "none"}, "fault": "none",
 "packages": [{"guid": "$package", "name": "Pkg", "status": "Ready", "ns_version": "7", "reported_version": "7"}]}
JSON
    "$emulator" serve --plain-http --scenario "$work/scenario.json" --port 0 \
        --port-file "$work/ns-port" >"$work/emulator.log" 2>&1 &
    emulator_pid=$!
    for _ in $(seq 100); do [[ -s "$work/ns-port" ]] && break; sleep 0.1; done
    ns_url="http://127.0.0.1:$(cat "$work/ns-port")"
fi

# shellcheck source=service_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/service_lib.sh"
prepare_scm_prefix "$wine_run" "$prefix"
# A clean prefix: nothing from an earlier, interrupted run.
wine sc delete psguard >/dev/null 2>&1 || true
wine reg delete 'HKLM\SOFTWARE\psguard' /f /reg:64 >/dev/null 2>&1 || true
rm -rf "$state" "$program_files"
wine reg add 'HKLM\SOFTWARE\Altiris\Altiris Agent' /v InstallDir /t REG_SZ \
    /d "$(winpath "$agent")" /f /reg:64 >/dev/null

# 1. Silent install with every property.
code="$(msiexec install.log /i "$(winpath "$msi")" NS_URL="$ns_url" REPORT_GUID="$report" \
    CREDENTIAL_ACCOUNT='PS01\svc-pkg' LISTEN_PORT="$port" HEAL=off)"
if [[ "$code" == 0 ]]; then ok "msiexec /i $(basename "$msi") /qn with properties: 0"; else
    bad "msiexec /i: exit $code"
    show_log install.log
    exit 1
fi
expect "psguard.exe under Program Files\\psguard" test -f "$program_files/psguard.exe"
expect "psguard.json under ProgramData\\psguard" test -f "$state/psguard.json"
# Wine's sc has no qc: the SCM's registry entry shows the configuration.
wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\psguard' 2>&1 | tr -d '\r' >"$work/qc" || true
if grep -q 'Start *REG_DWORD *0x2' "$work/qc" && grep -qi 'ObjectName *REG_SZ *LocalSystem' "$work/qc" &&
    grep -qiE 'ImagePath +REG_SZ +"?C:\\Program Files\\psguard\\psguard.exe"? run --config "C:\\ProgramData\\psguard\\psguard.json"$' "$work/qc" &&
    grep -q 'Description.*ITMS Package Server' "$work/qc"; then
    ok "service: automatic, LocalSystem, description, run --config C:\ProgramData\psguard\psguard.json"
else
    bad "service entry: $(cat "$work/qc")"
fi
expect "service RUNNING after install" test "$(service_state)" = RUNNING
if wait_http "$port" /healthz 200 60; then ok "GET /healthz 200 on the LISTEN_PORT"; else
    bad "GET /healthz"
    show_log install.log
fi
expect "/v1/status shows the properties" status_check \
    "s['ns_url'] == '$ns_url' and s['report_guid'] == '$report' and \
     s['credential_account'] == 'PS01\\\\svc-pkg' and s['listen'] == '127.0.0.1:$port' and \
     d['heal_enabled'] is False"
if [[ -n "$emulator_pid" ]]; then
    # The first cycle runs at start; give it a moment to publish.
    for _ in $(seq 50); do status_check "d['ns'] is not None" >/dev/null 2>&1 && break; sleep 0.2; done
    expect "the service reaches the NS (emulator) over WinHTTP" status_check "d['ns']['usable'] is True"
fi
registry >"$work/reg"
if grep -q "ns.url.*$ns_url" "$work/reg" && grep -q "heal.enabled.*off" "$work/reg" &&
    grep -q "endpoint.port.*$port" "$work/reg"; then
    ok "properties kept as values under HKLM\\SOFTWARE\\psguard"
else
    bad "HKLM\\SOFTWARE\\psguard: $(cat "$work/reg")"
fi
expect "Event Log source registered" \
    wine reg query 'HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\psguard' /v EventMessageFile

# 2. The administrator edits the file; the upgrade keeps the edit and the properties.
python3 - "$state/psguard.json" <<'PY'
import sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
# Keep the comments: insert a key right after the first '{' of the JSON body.
head, brace, tail = text.rpartition("\n{")
open(path, "w", encoding="utf-8").write(
    head + brace + '\n  "agent": {"interval_minutes": 7},\n  "package_server": {"name": "PS01"},' + tail)
PY
cp "$state/psguard.json" "$work/edited.json"
rm -f "$state/endpoint.token"  # Wine keeps no DACL: see the header
# The upgrade's RemoveExistingProducts uninstalls the older product, whose StopServices does not
# wait under Wine (see step 4): the service is stopped, and awaited, first. A stop that meets a
# cycle in flight takes up to the 4-s grace; CI once saw the upgrade fail (1627) right after one.
expect "service stopped before the upgrade" stop_and_wait
code="$(msiexec upgrade.log /i "$(winpath "$work/newer.msi")")"
if [[ "$code" == 0 ]]; then ok "msiexec /i newer ($newer) over $version: 0"; else
    bad "upgrade: exit $code"
    show_log upgrade.log
fi
expect "the edited configuration survives the upgrade" cmp -s "$work/edited.json" "$state/psguard.json"
installed_versions() {  # DisplayVersion of every product named psguard in Add/Remove Programs
    wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s /reg:64 2>/dev/null |
        tr -d '\r' | awk '/^HKEY/ { name = ""; version = "" }
            $1 == "DisplayName" { name = $0 } $1 == "DisplayVersion" { version = $3 }
            name ~ /psguard/ && version != "" { print version; name = "" }' | sort -u | tr '\n' ' '
}
versions="$(installed_versions)"
if [[ "$versions" == "$newer " ]]; then
    ok "Add/Remove Programs lists psguard $newer only (the older product was removed)"
else
    bad "installed psguard versions: '$versions'"
fi
expect "service RUNNING after the upgrade" test "$(service_state)" = RUNNING
if wait_http "$port" /healthz 200 60 && status_check \
    "d['interval_minutes'] == 7 and s['server'] == 'PS01' and s['ns_url'] == '$ns_url' and s['listen'] == '127.0.0.1:$port' and d['heal_enabled'] is False"; then
    ok "after the upgrade: the edit and the remembered properties are in effect"
else
    bad "status after the upgrade"
    show_log upgrade.log
fi
if [[ -n "$emulator_pid" ]]; then
    # With the server name of the edit, the NS knows the package: one healthy verdict.
    for _ in $(seq 50); do status_check "d['last_cycle'] is not None" >/dev/null 2>&1 && break; sleep 0.2; done
    expect "the upgraded service checks the package against the NS: healthy" status_check \
        "d['ns']['usable'] is True and d['summary'] == {'healthy': 1}"
fi

# 3. The older version refuses to install over the newer one.
code="$(msiexec downgrade.log /i "$(winpath "$msi")")"
# Wine logs the failed launch condition ("LaunchConditions. Return value 0") without its text;
# the text is the LaunchCondition row of the package. Refused means: a failure exit, the launch
# condition failed, and the newer version is still the only one installed. The exit is 1603;
# with other tests running beside it, Wine's msiexec was once seen to exit 1 after the same
# refusal (the same log, nothing installed), so any failure exit is taken and named.
if [[ "$code" != 0 ]] && log_text downgrade.log | grep 'LaunchConditions. Return value [03]' >/dev/null &&
    msiinfo export "$msi" LaunchCondition | grep 'NOT WIX_DOWNGRADE_DETECTED.A newer version of psguard is already installed' >/dev/null &&
    [[ "$(installed_versions)" == "$newer " ]]; then
    ok "downgrade refused at LaunchConditions (\"A newer version of psguard is already installed\"), exit $code$([[ "$code" == $((1603 % 256)) ]] && echo ' (1603)')"
else
    bad "downgrade: exit $code"
    log_text downgrade.log | grep -i 'LaunchConditions' | head -n 5
fi
expect "service still RUNNING after the refused downgrade" test "$(service_state)" = RUNNING

# 4. Uninstall: service and binaries gone, state folder (configuration, logs) kept.
# Wine's StopServices sends the stop control and goes on without waiting for STOPPED (Windows
# Installer waits); on a loaded machine RemoveFiles then meets psguard.exe still running and
# leaves it in place. So the service is stopped, and awaited, before the uninstall.
expect "service stopped before the uninstall" stop_and_wait
code="$(msiexec uninstall.log /x "$(winpath "$work/newer.msi")")"
if [[ "$code" == 0 ]]; then ok "msiexec /x: 0"; else
    bad "msiexec /x: exit $code"
    show_log uninstall.log
fi
set +e
wine sc query psguard >"$work/out" 2>&1
query=$?
set -e
if [[ $query -ne 0 ]] && ! grep -q SERVICE_NAME "$work/out"; then ok "service gone (sc query fails)"; else
    bad "service after uninstall: $(tr -d '\r' <"$work/out")"
fi
expect "psguard.exe removed" test ! -e "$program_files/psguard.exe"
expect "state folder kept: configuration" cmp -s "$work/edited.json" "$state/psguard.json"
expect "state folder kept: the service's log" test -s "$state/logs/psguard.log"
expect "installer values removed from HKLM\\SOFTWARE\\psguard" test -z "$(registry | grep -E 'ns\.|endpoint|heal|credential')"
expect "endpoint closed" bash -c "! curl -s -o /dev/null --max-time 2 http://127.0.0.1:$port/healthz"

# 5. REMOVE_STATE=1 removes the state folder as well.
rm -f "$state/endpoint.token"  # Wine keeps no DACL: see the header
code="$(msiexec reinstall.log /i "$(winpath "$msi")" NS_URL="$ns_url" REPORT_GUID="$report" LISTEN_PORT="$port")"
stop_and_wait || true  # StopServices does not wait (step 4)
code2="$(msiexec purge.log /x "$(winpath "$msi")" REMOVE_STATE=1)"
if [[ "$code" == 0 && "$code2" == 0 && ! -e "$state" ]]; then
    ok "msiexec /x REMOVE_STATE=1 removes ProgramData\\psguard"
else
    bad "REMOVE_STATE=1: install $code, uninstall $code2, state folder $(ls "$state" 2>&1 | tr '\n' ' ')"
    show_log purge.log
fi

finish
