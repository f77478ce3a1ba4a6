#!/usr/bin/env bash
# The Symantec agent's automation objects, end to end under Wine: psguard.exe against the native
# NS emulator over TLS, with the agent's COM classes served by a STAND-IN (tests/wine/
# agent_standin: no real agent can run here) that records every call and argument. Run by ctest
# in the cross build, one case per test:
#   agent_com.sh <case> <psguard.exe> <psguard-agent-standin.dll> <native emulator> <wine-run.sh>
# cases: heal_reports, agent_view, policy_refresh, fleet_nse, unregistered
set -euo pipefail

case_name="$1"
exe="$2"
standin="$3"
emulator="$4"
wine_run="$5"
work="$(mktemp -d -t psguard-agentcom-XXXXXX)"
fail() { echo "FAIL $case_name: $*"; exit 1; }

# shellcheck source=ns_fixture.sh
source "$(dirname "${BASH_SOURCE[0]}")/ns_fixture.sh"

# What the agent says about its packages (Id, Name, Status, PackageVersion, IsCustomLocation).
printf '%s\tStale\tReady\t7\t0\n%s\tHealthy\tReady\t7\t1\n' "$stale" "$healthy" >"$work/packages.tsv"

# write_config <heal JSON members> [other top-level members]: Wine's current user holds full
# rights on folders it created, so it passes the ACL check as the credential account.
account="$(id -un)"
write_config() {
    cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$(json_path "$delivery")", "package_status": "$(json_path "$status")",
           "state_dir": "$(json_path "$work/state")"},
 "ns": {"url": "https://localhost:$port", "report_guid": "$report_guid", "timeout_seconds": 10,
        "max_retries": 0, "ca_file": "$(json_path "$work/certs/ca.pem")"},
 "credential_account": "${ACCOUNT:-$account}",
 "heal": {$1} ${2:-}}
JSON
}

export PSGUARD_STANDIN_LOG PSGUARD_STANDIN_PACKAGES PSGUARD_STANDIN_WATCH
PSGUARD_STANDIN_LOG="$(winpath "$work/calls.tsv")"
PSGUARD_STANDIN_PACKAGES="$(winpath "$work/packages.tsv")"
PSGUARD_STANDIN_WATCH="$(winpath "$status/$stale/PackageStatus.xml")"
touch "$work/calls.tsv"

register() { "$wine_run" regsvr32 /s "$(winpath "$standin")" || fail "regsvr32 failed"; }
unregister() { "$wine_run" regsvr32 /s /u "$(winpath "$standin")" || fail "regsvr32 /u failed"; }

# psguard <expected exit> <args...>: runs psguard.exe, keeps its JSON in $work/out.json
psguard() {
    local expected="$1"
    shift
    set +e
    "$wine_run" "$exe" "$@" --config "$(winpath "$work/psguard.json")" >"$work/out.json" 2>"$work/err.txt"
    local code=$?
    set -e
    [[ $code -eq $expected ]] || { cat "$work/err.txt"; head -c 3000 "$work/out.json"; fail "exit $code, expected $expected"; }
}

# check_py <python over d (the JSON), calls (lines of the stand-in's log, as lists), journal>
check_py() {
    python3 - "$work/out.json" "$work/calls.tsv" "$work/state/journal.jsonl" "$1" <<'PY' || fail "$1"
import json, os, sys
d = json.load(open(sys.argv[1]))
calls = [line.rstrip("\n").split("\t") for line in open(sys.argv[2], encoding="utf-8")]
journal = [json.loads(l) for l in open(sys.argv[3])] if os.path.exists(sys.argv[3]) else []
names = [c[0] for c in calls]
ok = eval(sys.argv[4])
if not ok:
    print(json.dumps({"heal": d.get("heal"), "findings": d.get("findings"),
                      "agent_view": d.get("agent_view"), "smp_report": d.get("smp_report")}, indent=1)[:4000])
    print("calls:", calls)
    sys.exit(1)
PY
}

case "$case_name" in
heal_reports)
    # The default Windows trigger: after the heal moved the files, the agent is asked once to
    # refresh and re-report.
    register
    write_config '"enabled": true, "confirm_cycles": 1'
    psguard 1 check --heal --json
    check_py "[a['result'] for a in d['heal'] and d['actions']] == ['done']"
    check_py "[(s['trigger'], s['ok'], s['hresult']) for s in d['heal']['refresh_steps']] == [('agent', True, '0x00000000')]"
    check_py "names.count('RefreshPackages') == 1 and names.count('ResendPackagesStatus') == 1"
    check_py "names.index('RefreshPackages') < names.index('ResendPackagesStatus')"
    check_py "calls[names.index('ResendPackagesStatus')][1:] == ['watched file absent']"
    check_py "['ClientPolicyMgr.ClientAgent', 'Altiris.AeXNSCPkgSvr'] in calls"
    check_py "[(r['trigger'], r['ok'], r['hresult']) for r in journal if r['event'] == 'refresh'] == [('agent', True, '0x00000000')]"
    [[ ! -e "$status/$stale/PackageStatus.xml" ]] || fail "the stale package's PackageStatus.xml is still there"
    ;;
agent_view)
    # The agent calls the healthy package "Downloading" while its PackageStatus.xml says Ready.
    register
    printf '%s\tStale\tReady\t7\t0\n%s\tHealthy (agent)\tDownloading\t7\t1\n' "$stale" "$healthy" >"$work/packages.tsv"
    write_config '"enabled": false'
    psguard 1 check --json
    check_py "d['agent_view']['read'] and d['agent_view']['packages'] == 2 and d['agent_view']['custom_location'] == 1"
    check_py "d['agent_view']['disagreements'] == 1"
    check_py "[f for f in d['findings'] if f['kind'] == 'agent_view_disagrees' and '$healthy'.lower() in f['detail'].lower() and '\"Downloading\"' in f['detail'] and '\"Ready\"' in f['detail'] and f['problem']]"
    check_py "not [f for f in d['findings'] if f['kind'] == 'agent_view_disagrees' and '$stale'.lower() in f['detail'].lower()]"
    check_py "names.count('Packages') == 1"
    # Files that cannot be read: the verdict rests on the agent's view.
    printf '<PackageStatus status=' >"$status/$stale/PackageStatus.xml"
    printf '%s\tStale\tReady\t7\t0\n%s\tHealthy\tReady\t7\t0\n' "$stale" "$healthy" >"$work/packages.tsv"
    psguard 1 check --json
    check_py "{p['name']: p['verdict'] for p in d['packages']} == {'Stale': 'stale_on_ns', 'Healthy': 'healthy'}"
    check_py "'agent' in [p for p in d['packages'] if p['name'] == 'Stale'][0]['reason'] and d['agent_view']['used_for_unreadable'] == 1"
    ;;
policy_refresh)
    # A credential account that does not resolve: the diagnosis is credential_not_applied.
    register
    ACCOUNT='PSGUARDTEST\\no-such-account' write_config '"enabled": true, "confirm_cycles": 1, "policy_refresh_hours": 4'
    psguard 1 check --heal --json
    check_py "d['diagnosis']['cause'] == 'credential_not_applied'"
    check_py "d['heal']['policy_refresh']['result'] == 'requested' and d['heal']['policy_refresh']['hresult'] == '0x00000000'"
    check_py "calls.count(['UpdatePolicies', '1']) == 1 and names.count('ClientPolicyMgr.Refresh') == 1"
    check_py "names.index('UpdatePolicies') < names.index('ClientPolicyMgr.Refresh')"
    check_py "[r['event'] for r in journal if r['action'] == d['heal']['policy_refresh']['action']] == ['intent', 'agent_requested']"
    # Again within policy_refresh_hours: not asked again.
    psguard 1 check --heal --json
    check_py "d['heal']['policy_refresh']['result'] == 'waiting'"
    check_py "names.count('UpdatePolicies') == 1 and names.count('ClientPolicyMgr.Refresh') == 1"
    ;;
fleet_nse)
    register
    class_guid="{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}"
    write_config '"enabled": false, "confirm_cycles": 5' ", \"smp_report\": {\"enabled\": true, \"data_class\": \"$class_guid\"}"
    psguard 1 check --heal --json
    check_py "d['smp_report']['result'] == 'sent' and d['smp_report']['hresult'] == '0x00000000'"
    check_py "calls[names.index('put To'):][:5] == [['put To', '{1592B913-72F3-4C36-91D2-D4EDA21D2F96}'], ['put Priority', '1'], ['AddDataClass', '$class_guid'], ['AddDataBlock', '$class_guid'], ['AddRow']]"
    check_py "[c[1] for c in calls if c[0] == 'SetField'] == [str(i) for i in range(20)]"
    check_py "names[-1] == 'SendQueued'"
    check_py "(lambda f: f[0] == '0.1.0' and f[2] == 'findings' and f[3:13] == ['1', '1', '0', '0', '0', '0', '0', '0', '0', '0'] and f[13] == 'unknown' and f[15] == '1' and f[16] == '0' and f[17:19] == ['0', '0'] and f[19] == '')([c[2] if len(c) > 2 else '' for c in calls if c[0] == 'SetField'])"
    # Nothing changed: not sent again before the interval.
    psguard 1 check --heal --json
    check_py "d['smp_report']['result'] == 'not_due' and names.count('SendQueued') == 1"
    ;;
unregistered)
    # No agent class: a clear error, and the next configured trigger runs instead.
    unregister
    write_config '"enabled": true, "confirm_cycles": 1, "refresh": ["agent", "command"], "refresh_command": ["C:\\\\windows\\\\system32\\\\cmd.exe", "/c", "exit 0"]'
    psguard 1 check --heal --json
    check_py "[a['result'] for a in d['actions']] == ['done']"
    check_py "[(s['trigger'], s['ok']) for s in d['heal']['refresh_steps']] == [('agent', False), ('command', True)]"
    check_py "'Altiris.AeXNSClient is not registered' in d['heal']['refresh_steps'][0]['detail'] and d['heal']['refresh_steps'][0]['hresult'] != '0x00000000'"
    check_py "'fell back to command' in d['heal']['refresh']"
    check_py "[(r['trigger'], r['ok']) for r in journal if r['event'] == 'refresh'] == [('agent', False), ('command', True)]"
    check_py "calls == []"
    # local.agent_view is automatic: an unregistered class is a note, not a finding.
    check_py "d['agent_view']['read'] is False and not [f for f in d['findings'] if f['kind'] == 'agent_view_unavailable']"
    ;;
*)
    fail "unknown case"
    ;;
esac
echo "ok   $case_name"
