#!/usr/bin/env bash
# psguard.exe under Wine serving its status endpoint over TLS (OpenSSL through Asio, linked
# statically, the same code as on Linux), scraped by native clients the way a monitoring server
# would: curl over mutual TLS (a client certificate from endpoint.tls.client_ca_file), `promtool
# check metrics` on its /metrics, and psguard.exe's own `psguard status` speaking TLS to it
# (presenting the endpoint's own certificate). Plain HTTP and clients without a certificate get
# nothing. The NS is the native emulator (one stale, one healthy package).
# Run by ctest in the cross build: endpoint_tls.sh <psguard.exe> <native psguard-ns-emulator>
#   <wine-run.sh>
set -euo pipefail

exe="$1"
emulator="$2"
wine_run="$3"
work="$(mktemp -d -t psguard-wine-tls-XXXXXX)"
# shellcheck source=../shell/tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/tally.sh"
# shellcheck source=../shell/free_port.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/free_port.sh"
# shellcheck source=ns_fixture.sh
source "$(dirname "${BASH_SOURCE[0]}")/ns_fixture.sh"
certs="$work/certs"

endpoint_port="$(free_port)"
cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$(json_path "$delivery")", "package_status": "$(json_path "$status")",
           "state_dir": "$(json_path "$work/state")"},
 "ns": {"url": "https://localhost:$ns_port", "report_guid": "$report_guid", "ca_file": "$(json_path "$certs/ca.pem")",
        "timeout_seconds": 10, "max_retries": 0},
 "endpoint": {"port": $endpoint_port,
              "tls": {"cert_file": "$(json_path "$certs/server.pem")", "key_file": "$(json_path "$certs/server.key")",
                      "client_ca_file": "$(json_path "$certs/ca.pem")"}}}
JSON
config="$(winpath "$work/psguard.json")"

if "$wine_run" "$exe" validate-config --config "$config" >"$work/validate.txt" 2>&1 &&
    grep -q "over TLS (O = psguard test, CN = localhost" "$work/validate.txt"; then
    ok "validate-config loads the certificate and key"
else
    bad "validate-config: $(tr -d '\r' <"$work/validate.txt")"
fi

setsid "$wine_run" "$exe" run --config "$config" >"$work/run.log" 2>&1 &
pids+=($!)
endpoint="https://127.0.0.1:$endpoint_port"
client=(--cacert "$certs/ca.pem" --cert "$certs/client.pem" --key "$certs/client.key" --max-time 5)
code() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }
answered=""
for _ in $(seq 300); do  # a cold Wine start of the Debug build can take a while
    answered="$(code "${client[@]}" "$endpoint/healthz")"
    [[ "$answered" == 200 ]] && break
    sleep 0.2
done
if [[ "$answered" == 200 ]]; then
    ok "GET /healthz over mutual TLS: 200"
else
    bad "GET /healthz over TLS answered ${answered:-nothing}"
    tr -d '\r' <"$work/run.log" | tail -n 30
fi

# /healthz answers before the first cycle ends: wait for the cycle's verdicts (Wine is slow).
for _ in $(seq 1 120); do
    curl -sf "${client[@]}" "$endpoint/metrics" >"$work/metrics.txt" &&
        grep -q '^psguard_packages{verdict="stale_on_ns"} 1$' "$work/metrics.txt" && break
    sleep 0.5
done
if curl -sf "${client[@]}" "$endpoint/metrics" >"$work/metrics.txt" &&
    grep -q '^psguard_packages{verdict="stale_on_ns"} 1$' "$work/metrics.txt" &&
    grep -q '^psguard_endpoint_certificate_expiry_timestamp_seconds ' "$work/metrics.txt"; then
    ok "GET /metrics over TLS: 1 stale_on_ns, the certificate's expiry"
else
    bad "GET /metrics: $(head -c 600 "$work/metrics.txt" 2>/dev/null)"
fi
if command -v promtool >/dev/null; then
    if lint="$(promtool check metrics <"$work/metrics.txt" 2>&1)" && [[ -z "$lint" ]]; then
        ok "promtool check metrics: no remark"
    else
        bad "promtool check metrics: $lint"
    fi
fi

[[ "$(code --cacert "$certs/ca.pem" --max-time 5 "$endpoint/healthz")" == 000 ]] &&
    ok "no answer without a client certificate" || bad "answered a client without a certificate"
[[ "$(code --max-time 5 "http://127.0.0.1:$endpoint_port/healthz")" == 000 ]] &&
    ok "no answer to plain HTTP" || bad "answered plain HTTP"

set +e
"$wine_run" "$exe" status --config "$config" >"$work/status.txt" 2>&1
status_code=$?
set -e
if [[ $status_code -eq 1 ]] && tr -d '\r' <"$work/status.txt" | grep -q "Endpoint:   $endpoint (healthy)"; then
    ok "psguard status speaks TLS to the endpoint (exit 1: findings)"
else
    bad "psguard status: exit $status_code: $(tr -d '\r' <"$work/status.txt")"
fi

finish
