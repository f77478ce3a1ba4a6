#!/usr/bin/env bash
# A real Prometheus (Debian's package) scrapes a real `psguard run` the way a monitoring server
# on another host would: over mutual TLS, with the bearer token, the endpoint bound beyond
# loopback. Then, through Prometheus' HTTP API: psguard_packages{verdict="stale_on_ns"} is what
# the sandbox implies, the dashboard's queries run, and the shipped alerting rules (a copy with
# every `for:` at 0s) fire for each planted failure and for nothing else.
#
# Where it may (root, CAP_SYS_ADMIN), everything runs in a private network namespace that holds
# only a loopback interface (the endpoint binds 0.0.0.0, as on a Package Server, and nothing can
# leave the machine); elsewhere (PSGUARD_NO_NETNS=1 forces it) on free ports of this host, where
# the 0.0.0.0 bind lets no one in without this run's client certificate and token.
# Bounded: each wait has a deadline; the whole test takes well under a minute.
# Usage (ctest Monitoring.PrometheusScrape): prometheus_scrape.sh <psguard> <psguard-ns-emulator>
#        <source dir>. Exit 77 (skipped) without prometheus, promtool, curl or python3.
set -euo pipefail

psguard="$1"
emulator="$2"
src="$3"

# shellcheck source=../shell/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/free_port.sh"
if [[ "${PSGUARD_IN_NETNS:-0}" != 1 ]]; then
    for tool in prometheus promtool curl python3; do
        command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (scripts/install-deps.sh)"; exit 77; }
    done
    if [[ "${PSGUARD_NO_NETNS:-0}" != 1 ]] && unshare -n true 2>/dev/null; then
        exec unshare -n env PSGUARD_IN_NETNS=1 bash "$0" "$@"
    fi
    # No private namespace (a container without CAP_SYS_ADMIN): the client certificate's CA is
    # this run's own (deleted with it), so the 0.0.0.0 bind admits no one else.
    echo "note: no private network namespace (unshare -n); free ports on this host instead"
    endpoint_port="$(free_port)"
    prometheus_port="$(free_port)"
else
    ip link set lo up
    endpoint_port=9631
    prometheus_port=9090
fi

work="$(mktemp -d -t psguard-prometheus-XXXXXX)"
pids=()
cleanup() {
    local status=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if ((status != 0)); then
        for log in psguard.log prometheus.log emulator.log; do
            [[ -f "$work/$log" ]] && { echo "--- $log"; tail -n 30 "$work/$log"; }
        done
    fi
    rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../shell/ns_sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/ns_sandbox.sh"

fail() {
    echo "FAIL: $*"
    exit 1
}
# wait_until <seconds> <what> <command...>: polls every 0.5 s.
wait_until() {
    local deadline=$((SECONDS + $1)) what="$2"
    shift 2
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || fail "no $what within the deadline"
        sleep 0.5
    done
}

# The sandbox: 3 packages Ready here and Invalid on the NS (stale_on_ns), 5 healthy (few enough
# stale ones for the mass-event breaker to stay closed).
delivery="$work/Package Delivery"
status_dir="$work/PackageStatus"
stale=("{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}" "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E02}"
    "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E03}")
healthy=("{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E04}" "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E05}"
    "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E06}" "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E07}"
    "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E08}")
rows=""
for guid in "${stale[@]}" "${healthy[@]}"; do
    add_package "$delivery" "$status_dir" "$guid"
    ns_status=Ready
    [[ " ${stale[*]} " == *" $guid "* ]] && ns_status=Invalid
    rows+="${rows:+,}{\"guid\": \"$guid\", \"name\": \"P$guid\", \"status\": \"$ns_status\", \"ns_version\": \"7\", \"reported_version\": \"7\"}"
done
# The agent's log and event queue, so that the evidence and queue metrics exist: one event
# blocked (not registered with the NS), one sent.
mkdir -p "$work/Logs" "$work/Queue/NS01"
touch "$work/Queue/NS01/NSE-FFF-0000006A-0000004F.blocked" "$work/Queue/NS01/NSE-FFF-0000006A-00000050.ok"
report="{a1b2c3d4-0000-4000-8000-000000000001}"
cat >"$work/scenario.json" <<JSON
{"server": "PS01", "report_guid": "$report", "auth": {"type": "none"}, "fault": "none", "packages": [$rows]}
JSON

# One test PKI for all: the emulator's and psguard's server certificate (localhost, 127.0.0.1),
# and Prometheus' client certificate, all from one CA.
start_ns_emulator "$emulator" "$work" "$work/scenario.json"
certs="$work/certs"

cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$delivery", "package_status": "$status_dir", "state_dir": "$work/state"},
 "ns": {"url": "https://localhost:$ns_port", "report_guid": "$report", "ca_file": "$certs/ca.pem",
        "timeout_seconds": 5, "max_retries": 0},
 "credential_account": "$(id -un)",
 "evidence": {"log_dir": "$work/Logs", "queue_dir": "$work/Queue"},
 "agent": {"interval_minutes": 1},
 "endpoint": {"bind": "0.0.0.0", "port": $endpoint_port,
              "tls": {"cert_file": "$certs/server.pem", "key_file": "$certs/server.key",
                      "client_ca_file": "$certs/ca.pem"}}}
JSON
mkdir -p "$work/state"
"$psguard" validate-config --config "$work/psguard.json" >/dev/null
"$psguard" run --config "$work/psguard.json" 2>"$work/psguard.log" &
psguard_pid=$!
pids+=("$psguard_pid")
token_file="$work/state/endpoint.token"
endpoint="https://127.0.0.1:$endpoint_port"
tls_client=(--cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key")
wait_until 30 "first cycle" grep -q "cycle (start)" "$work/psguard.log"

# The endpoint: /healthz open, everything else only with the token, only with a client
# certificate; its metrics pass Prometheus' lint.
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true; }
[[ "$(code "${tls_client[@]}" "$endpoint/healthz")" == 200 ]] || fail "/healthz over TLS"
[[ "$(code "${tls_client[@]}" "$endpoint/metrics")" == 401 ]] || fail "/metrics without the token"
[[ "$(code --cacert "$certs/ca.pem" -H "Authorization: Bearer $(cat "$token_file")" "$endpoint/metrics")" == 000 ]] ||
    fail "/metrics without a client certificate was answered"
curl -sf "${tls_client[@]}" -H "Authorization: Bearer $(cat "$token_file")" "$endpoint/metrics" >"$work/metrics.txt" ||
    fail "/metrics with the token and a client certificate"
lint="$(promtool check metrics <"$work/metrics.txt" 2>&1)" || fail "promtool check metrics: $lint"
[[ -z "$lint" ]] || fail "promtool check metrics: $lint"
echo "ok   endpoint: TLS, client certificate, token; /metrics passes promtool check metrics"

# psguard status: the same endpoint over TLS (its own certificate as the client's), with the token.
set +e
"$psguard" status --config "$work/psguard.json" >"$work/status.txt" 2>&1
status_code=$?
set -e
[[ $status_code -eq 1 ]] || { cat "$work/status.txt"; fail "psguard status exited $status_code, expected 1 (findings)"; }
grep -q "Endpoint:   $endpoint (healthy)" "$work/status.txt" || { cat "$work/status.txt"; fail "psguard status"; }
echo "ok   psguard status over TLS with the token"

# Prometheus with the shipped scrape configuration (paths and target replaced, 1 s intervals)
# and the shipped rules (every `for:` at 0s).
sed -e 's/^\( *for:\).*/\1 0s/' "$src/installer/monitoring/psguard.rules.yml" >"$work/psguard.rules.yml"
sed -e "s|/etc/prometheus/psguard.rules.yml|$work/psguard.rules.yml|" \
    -e "s|/etc/prometheus/psguard.token|$token_file|" \
    -e "s|/etc/prometheus/psguard-ca.pem|$certs/ca.pem|" \
    -e "s|/etc/prometheus/prometheus-client.pem|$certs/client.pem|" \
    -e "s|/etc/prometheus/prometheus-client.key|$certs/client.key|" \
    -e 's|\(interval:\) 60s|\1 1s|' -e 's|\(scrape_timeout:\) 10s|\1 1s|' \
    -e "s|- ps01.example.com:9631|- 127.0.0.1:$endpoint_port|" -e '/- ps02.example.com:9631/d' \
    "$src/installer/monitoring/prometheus-scrape.yml" >"$work/prometheus.yml"
promtool check config "$work/prometheus.yml" >/dev/null || fail "promtool check config"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
    --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$work/prometheus.log" 2>&1 &
pids+=($!)

api=http://127.0.0.1:$prometheus_port/api/v1
# query <PromQL>: the result vector as JSON.
query() { curl -sf --max-time 5 "$api/query" --data-urlencode "query=$1"; }
# value_is <PromQL> <value>: exactly one sample, with that value.
value_is() {
    query "$1" | python3 -c "
import json, sys
d = json.load(sys.stdin)['data']['result']
sys.exit(0 if len(d) == 1 and float(d[0]['value'][1]) == float(sys.argv[1]) else 1)" "$2"
}
# firing_is <names...>: the firing alerts are exactly these (comma-separated, sorted).
firing_is() {
    curl -sf --max-time 5 "$api/alerts" | python3 -c "
import json, sys
alerts = json.load(sys.stdin)['data']['alerts']
firing = sorted({a['labels']['alertname'] for a in alerts if a['state'] == 'firing'})
sys.exit(0 if ','.join(firing) == sys.argv[1] else 1)" "$1"
}
# wait_firing <name>: until exactly that alert fires; else says which do.
wait_firing() {
    local deadline=$((SECONDS + 20))
    until firing_is "$1"; do
        if ((SECONDS >= deadline)); then
            fail "expected exactly $1 to fire; firing: $(curl -sf "$api/alerts")"
        fi
        sleep 0.5
    done
    echo "ok   alert: $1"
}

wait_until 30 "successful scrape" value_is 'up{job="psguard"}' 1
wait_until 15 "stale package count" value_is 'psguard_packages{job="psguard", verdict="stale_on_ns"}' 3
value_is 'psguard_packages{job="psguard", verdict="healthy"}' 5 || fail "healthy count"
echo "ok   Prometheus scraped psguard over TLS: 3 stale_on_ns, 5 healthy"

# The dashboard: its structure, its metric names against the real scrape, its queries
# answered by the real Prometheus.
instance=127.0.0.1:$endpoint_port
python3 "$src/tests/monitoring/check_dashboard.py" "$src/installer/monitoring/grafana-dashboard.json" \
    "$work/metrics.txt" --instance "$instance" --queries "$work/queries.txt" || fail "dashboard check"
empty=0
while IFS= read -r expr; do
    answer="$(query "$expr")" || fail "Prometheus refused a dashboard query: $expr"
    if [[ "$answer" == *'"result":[]'* ]]; then
        echo "     (no data yet: $expr)"
        empty=$((empty + 1))
    fi
done <"$work/queries.txt"
[[ "$(query 'sum by (instance, verdict) (psguard_packages{job="psguard"})')" != *'"result":[]'* ]] ||
    fail "the fleet's verdict table is empty"
echo "ok   dashboard: every query runs on Prometheus ($empty without data in this sandbox)"

# Planted failures, one at a time; the rules fire for each and for nothing else.
wait_firing PsguardStalePackagesNotHealed

curl -sk --max-time 5 -X POST "https://localhost:$ns_port/_emulator/scenario" -d '{"fault": "malformed_xml"}' >/dev/null
[[ "$(code "${tls_client[@]}" -X POST -H "Authorization: Bearer $(cat "$token_file")" "$endpoint/v1/check")" == 202 ]] ||
    fail "POST /v1/check"
wait_firing PsguardNotificationServerUnusable  # and the stale one resolved: no NS, no verdict

kill "$psguard_pid"
wait "$psguard_pid" 2>/dev/null || true
wait_firing PsguardAgentDown
echo "5 passed, 0 failed"
