# Sourced by the Wine end-to-end tests (check_over_winhttp.sh, agent_com.sh, endpoint_tls.sh): a
# Package Server tree of two packages, both Ready here, and the native NS emulator over real TLS
# showing one of them Invalid. Needs $work and $emulator; sets delivery, status, stale, healthy,
# report_guid, port (the emulator's; also ns_port), the test PKI in $work/certs, and `pids` (the
# processes to stop; a test appends its own, each stopped with its process group if it leads
# one), with a trap that stops them and removes $work on exit.

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=../shell/ns_sandbox.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/ns_sandbox.sh"

winpath() { printf 'Z:%s' "${1//\//\\}"; }
json_path() { winpath "$1" | sed 's/\\/\\\\/g'; }

delivery="$work/Package Delivery"
status="$work/PackageStatus"
stale="{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}"
healthy="{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}"
for guid in "$stale" "$healthy"; do add_package "$delivery" "$status" "$guid"; done
report_guid="{a1b2c3d4-0000-4000-8000-000000000001}"
cat >"$work/scenario.json" <<JSON
{"server": "PS01", "report_guid": "$report_guid", "auth": {"type": "none"}, "fault": "none",
 "packages": [
  {"guid": "$stale", "name": "Stale", "status": "Invalid", "ns_version": "7", "reported_version": "7"},
  {"guid": "$healthy", "name": "Healthy", "status": "Ready", "ns_version": "7", "reported_version": "7"}]}
JSON
start_ns_emulator "$emulator" "$work" "$work/scenario.json"
port="$ns_port"
