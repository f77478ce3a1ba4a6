#!/usr/bin/env bash
# psguard's performance figures, each measured side by side with its reference in one run
# (docs/PERFORMANCE.md explains them):
#   scan_vs_floor    full scan + reconcile of a 10k-package tree (Google Benchmark, tests/bench)
#                    over the raw read floor of the same tree: `find` stat of every file plus
#                    `cat` of every XML file, warm cache (best of several runs each)
#   incremental_ms   re-check of one changed package in that tree, as a file-change cycle does it
#                    (ScanCache::refresh + reconcile keeping the last cycle's verdicts)
#   idle_rss_mb      VmRSS of `psguard run` on that tree after two cycles (the first, full one and
#                    a file-change one), with the NS emulator answering 10k rows over TLS
#                    (also split: idle_anon_mb its own memory, idle_file_mb the code pages;
#                    floor_rss_mb the same agent on a one-package tree; libs_floor_rss_mb a
#                    program that only loads psguard's shared libraries and makes a TLS context)
#   peak_vs_idle     its peak RSS (/usr/bin/time -v, the load test and one GET /v1/packages
#                    included) over idle_rss_mb
#   endpoint_vs_nginx  wrk requests/s against /v1/status of the running agent over nginx serving
#                    the same JSON as a static file on loopback, same connections and duration
#   p99_ms           wrk's 99th percentile latency against psguard
#   endpoint_vs_nginx_busy  the same ratio while a CPU-bound process keeps one core busy
#   scan_100k_vs_10k full run only: full scan + reconcile of a 100k tree over the 10k one (CPU)
#   wake-ups         context switches of all of psguard's threads over an idle period
# Installs what it needs from Debian, builds the Release preset `bench` (build/bench).
# Usage: scripts/bench.sh [--quick] [--no-build]   (--quick: shorter runs, no 100k tree; under 3 minutes
# once built). The last line is one line of key=value pairs.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0
build_it=1
for arg in "$@"; do
    case "$arg" in
    --quick) quick=1 ;;
    --no-build) build_it=0 ;; # measure the binaries already in build/bench
    *)
        echo "usage: scripts/bench.sh [--quick] [--no-build]" >&2
        exit 2
        ;;
    esac
done
jobs="${PSGUARD_JOBS:-$(nproc)}"
build="$root/build/bench"
work="$(mktemp -d /tmp/psguard-bench.XXXXXX)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

say() { printf 'bench: %s\n' "$*" >&2; }

# --- dependencies (Debian): the build's, then the measuring tools
PSGUARD_SKIP_CROSS=1 bash scripts/install-deps.sh >&2
need=()
for pkg in wrk nginx-light time procps python3 libbenchmark-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

# --- build (Release)
if ((build_it)); then
    cmake --preset bench >/dev/null
    cmake --build --preset bench --parallel "$jobs" \
        --target psguard psguard-ns-emulator psguard_bench psguard-bench-tree >&2
fi
psguard="$build/service/psguard"
emulator="$build/tests/ns_emulator/psguard-ns-emulator"

if ((quick)); then
    packages=10000 repeats=5 min_time=0.5 wrk_seconds=5 idle_seconds=10
else
    packages=10000 repeats=10 min_time=2 wrk_seconds=15 idle_seconds=30
fi
report_guid="{a1b2c3d4-0000-4000-8000-000000000001}"

# --- the tree
tree="$work/tree"
say "$("$build/tests/bench/psguard-bench-tree" "$tree" "$packages" "$report_guid")"

# Best (lowest) wall and CPU (user+sys of every process) time in ms of `repeats` runs of a shell
# command, after one warm-up run: "wall cpu".
best_ms() {
    local best_wall="" best_cpu="" wall cpu
    bash -c "$1" >/dev/null 2>&1
    for ((r = 0; r < repeats; r++)); do
        read -r wall cpu < <(/usr/bin/time -f '%e %U %S' bash -c "$1" 2>&1 >/dev/null |
            awk 'END {printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}')
        if [[ -z "$best_wall" || $wall -lt $best_wall ]]; then best_wall=$wall; fi
        if [[ -z "$best_cpu" || $cpu -lt $best_cpu ]]; then best_cpu=$cpu; fi
    done
    echo "$best_wall $best_cpu"
}

# --- 1. full scan + reconcile vs the floor
floor_cmd="find '$tree/Package Delivery' '$tree/Package Server Agent' -printf '%s\n' >/dev/null \
 && find '$tree/Package Delivery' '$tree/Package Server Agent' -name '*.xml' -print0 | xargs -0 cat >/dev/null"
read -r floor_ms floor_cpu_ms < <(best_ms "$floor_cmd")
say "floor (find stat of every file + cat of every XML, warm): $floor_ms ms wall, $floor_cpu_ms ms CPU"

bench_json="$work/bench.json"
PSGUARD_BENCH_TREE="$tree" "$build/tests/bench/psguard_bench" \
    --benchmark_min_time="$min_time" --benchmark_out="$bench_json" --benchmark_out_format=json \
    --benchmark_repetitions=1 >&2
# Google Benchmark's real_time (wall) and cpu_time (the process's user+sys), in ms.
read -r scan_ms scan_cpu_ms scan_only_ms reconcile_ms incremental_ms incremental_cpu_ms refresh_ms \
    parse_status_us parse_snapshot_us < <(
    python3 - "$bench_json" <<'PY'
import json, sys
runs = {b["name"].split("/")[0]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
def ms(name, key="real_time"):
    b = runs[name]
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
    return b[key] * scale
print(f'{ms("BM_FullScanAndReconcile"):.1f} {ms("BM_FullScanAndReconcile", "cpu_time"):.1f} '
      f'{ms("BM_FullScanOnly"):.1f} {ms("BM_ReconcileOnly"):.2f} '
      f'{ms("BM_IncrementalRecheck"):.2f} {ms("BM_IncrementalRecheck", "cpu_time"):.2f} '
      f'{ms("BM_IncrementalRefreshOnly"):.2f} '
      f'{ms("BM_ParseStatusDocument")*1000:.1f} {ms("BM_ParseSnapshotDocument")*1000:.1f}')
PY
)
# The ratio on CPU time: wall time on a shared 2-core machine measures the neighbours' load too.
scan_vs_floor="$(python3 -c "print(f'{$scan_cpu_ms/$floor_cpu_ms:.2f}')")"
say "psguard full scan + reconcile: $scan_ms ms wall, $scan_cpu_ms ms CPU (scan $scan_only_ms," \
    "reconcile $reconcile_ms); parse: PackageStatus.xml $parse_status_us us, snapshot.xml" \
    "$parse_snapshot_us us; incremental: $incremental_ms ms wall, $incremental_cpu_ms ms CPU" \
    "(refresh alone $refresh_ms ms)"

if ((!quick)); then
    # Both sizes measured alike for the ratio: the best of 3 repetitions of at least 1 s each
    # (at 100k one repetition is one scan; the 10k figure above averages many warm ones).
    best_scan() { # tree, output file: "wall cpu" of the repetition with the least CPU
        PSGUARD_BENCH_TREE="$1" "$build/tests/bench/psguard_bench" \
            --benchmark_filter='BM_FullScanAndReconcile' --benchmark_min_time=1 \
            --benchmark_repetitions=3 --benchmark_report_aggregates_only=false \
            --benchmark_out="$2" --benchmark_out_format=json >&2
        python3 -c "
import json
runs = [b for b in json.load(open('$2'))['benchmarks'] if b.get('run_type') == 'iteration']
b = min(runs, key=lambda b: b['cpu_time'])
print(f\"{b['real_time']:.0f} {b['cpu_time']:.0f}\")"
    }
    read -r small_ms small_cpu_ms < <(best_scan "$tree" "$work/bench10k.json")
    big="$work/tree100k"
    say "$("$build/tests/bench/psguard-bench-tree" "$big" 100000 "$report_guid")"
    big_floor_cmd="${floor_cmd//$tree/$big}"
    read -r big_floor_ms big_floor_cpu_ms < <(repeats=3 best_ms "$big_floor_cmd")
    read -r big_ms big_cpu_ms < <(best_scan "$big" "$work/bench100k.json")
    say "100k packages: psguard $big_ms ms wall / $big_cpu_ms ms CPU, floor $big_floor_ms ms wall /" \
        "$big_floor_cpu_ms ms CPU, ratio (CPU) $(python3 -c "print(f'{$big_cpu_ms/$big_floor_cpu_ms:.2f}')")"
    scan_100k_vs_10k="$(python3 -c "print(f'{$big_cpu_ms/$small_cpu_ms:.1f}')")"
    say "100k against 10k (CPU, best of 3 each): $big_cpu_ms ms / $small_cpu_ms ms = ${scan_100k_vs_10k}x"
    rm -rf "$big"
fi

# --- 2. psguard run on the tree: RSS, wake-ups, the endpoint
"$emulator" make-certs --dir "$work/certs" >/dev/null
"$emulator" serve --cert-dir "$work/certs" --scenario "$tree/scenario.json" --port 0 \
    --port-file "$work/ns.port" >"$work/emulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s "$work/ns.port" ]] && break; sleep 0.1; done
ns_port="$(cat "$work/ns.port")"
api_port=19631
nginx_port=19632
cat >"$work/psguard.json" <<JSON
{"package_server": {"name": "PS01"},
 "paths": {"package_delivery": "$tree/Package Delivery",
           "package_status": "$tree/Package Server Agent/PackageStatus",
           "state_dir": "$work/state"},
 "ns": {"url": "https://localhost:$ns_port", "report_guid": "$report_guid",
        "ca_file": "$work/certs/ca.pem", "timeout_seconds": 30, "max_retries": 0},
 "agent": {"interval_minutes": 60, "debounce_ms": 200},
 "logging": {"level": "warn"},
 "endpoint": {"port": $api_port}}
JSON
/usr/bin/time -v -o "$work/time.txt" "$psguard" run --config "$work/psguard.json" \
    >"$work/psguard.out" 2>"$work/psguard.log" &
time_pid=$!
pids+=($time_pid)
agent_pid=""
for _ in $(seq 100); do
    agent_pid="$(pgrep -P "$time_pid" -x psguard || true)"
    [[ -n "$agent_pid" ]] && break
    sleep 0.1
done
status_json() { curl -sf "http://127.0.0.1:$api_port/v1/status"; }
cycles() { status_json | python3 -c "import json,sys;d=json.load(sys.stdin);print(d.get('cycles_total', 0) if 'cycles_total' in d else (1 if d.get('last_cycle') else 0))" 2>/dev/null || echo 0; }
for _ in $(seq 600); do
    [[ "$(cycles)" -ge 1 ]] && break
    sleep 0.1
done
first_cycle="$(status_json | python3 -c "import json,sys;c=json.load(sys.stdin)['last_cycle'];print(c['duration_seconds'], c['result'], c['scan'])")"
say "first cycle (full scan, NS fetch of $packages rows over TLS, report): $first_cycle"
sleep 2 # let the first cycle's buffers settle
kb() { awk -v key="$1:" '$1 == key {print $2}' "/proc/$agent_pid/status"; }
idle_rss_kb="$(kb VmRSS)"
hwm_kb="$(kb VmHWM)"
threads="$(kb Threads)"
idle_rss_mb="$(python3 -c "print(f'{$idle_rss_kb/1024:.1f}')")"
say "psguard run: idle VmRSS $idle_rss_mb MB, VmHWM $((hwm_kb / 1024)) MB, $threads threads"

# How much of the idle RSS is live data and how much is freed heap that glibc keeps: the RSS
# after asking the allocator to give back what it can (gdb calls malloc_trim(0) in the agent).
trimmed_mb="n/a"
if command -v gdb >/dev/null; then
    gdb -p "$agent_pid" -batch -ex 'call (int) malloc_trim(0)' >/dev/null 2>&1 || true
    trimmed_mb="$(python3 -c "print(f'{$(kb VmRSS)/1024:.1f}')")"
    say "idle VmRSS after malloc_trim(0) (live data and code): $trimmed_mb MB"
fi

# Wake-ups while idle: every context switch of every thread, over idle_seconds.
switches() {
    local total=0 v n
    for task in /proc/"$agent_pid"/task/*; do
        v="$(awk '$1 == "voluntary_ctxt_switches:" {print $2}' "$task/status")"
        n="$(awk '$1 == "nonvoluntary_ctxt_switches:" {print $2}' "$task/status")"
        total=$((total + v + n))
    done
    echo "$total"
}
before="$(switches)"
sleep "$idle_seconds"
after="$(switches)"
wakeups=$((after - before))
say "idle wake-ups: $wakeups context switches in $idle_seconds s over $threads threads"

# Incremental cycle end to end in the agent: one package's PackageStatus.xml changes.
changed="$(ls "$tree/Package Server Agent/PackageStatus" | sed -n 5p)"
printf '<PackageStatus status="Downloading" version="1601867730"/>\n' \
    >"$tree/Package Server Agent/PackageStatus/$changed/PackageStatus.xml"
for _ in $(seq 200); do
    status_json | grep -q '"file_change"' && break
    sleep 0.1
done
incremental_cycle="$(status_json | python3 -c "import json,sys;c=json.load(sys.stdin)['last_cycle'];print(c['duration_seconds'], c['trigger'], c['scan'])")"
say "file-change cycle in the agent (incremental scan + NS fetch + report): $incremental_cycle"
# The idle figure: after two cycles (the full one at start and the file-change one).
sleep 2
idle_rss_kb="$(kb VmRSS)"
idle_rss_mb="$(python3 -c "print(f'{$idle_rss_kb/1024:.1f}')")"
# VmRSS = RssAnon (the process's own: heap, stacks) + RssFile (pages of the binary and of the
# shared libraries it has touched, shared with other processes and reclaimable) + RssShmem.
idle_anon_mb="$(python3 -c "print(f'{$(kb RssAnon)/1024:.1f}')")"
idle_file_mb="$(python3 -c "print(f'{$(kb RssFile)/1024:.1f}')")"
say "psguard run: idle VmRSS after two cycles $idle_rss_mb MB: RssAnon $idle_anon_mb MB," \
    "RssFile $idle_file_mb MB"

# The endpoint against nginx serving the same document.
mkdir -p "$work/www/v1" "$work/nginx"
status_json >"$work/www/v1/status"
cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $work/nginx;
    proxy_temp_path $work/nginx;
    fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx;
    scgi_temp_path $work/nginx;
    server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
NGINX
"$nginx_bin" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
pids+=($!)
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$nginx_port/v1/status" >/dev/null && break; sleep 0.1; done
bytes="$(wc -c <"$work/www/v1/status")"
wrk_run() { wrk -t2 -c32 -d"${wrk_seconds}s" --latency "$1"; }
wrk_run "http://127.0.0.1:$api_port/v1/status" >"$work/wrk_psguard.txt"
wrk_run "http://127.0.0.1:$nginx_port/v1/status" >"$work/wrk_nginx.txt"
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() {
    awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' "$1"
}
psguard_rps="$(rps "$work/wrk_psguard.txt")"
nginx_rps="$(rps "$work/wrk_nginx.txt")"
p99_ms="$(p99 "$work/wrk_psguard.txt")"
endpoint_vs_nginx="$(python3 -c "print(f'{$psguard_rps/$nginx_rps:.2f}')")"
say "endpoint /v1/status ($bytes bytes): psguard $psguard_rps req/s p99 $p99_ms ms;" \
    "nginx $nginx_rps req/s p99 $(p99 "$work/wrk_nginx.txt") ms (wrk -t2 -c32 -d${wrk_seconds}s)"
grep -q "Non-2xx" "$work/wrk_psguard.txt" && say "WARNING: psguard answered non-2xx: $(grep Non-2xx "$work/wrk_psguard.txt")"

# The same while a CPU-bound process keeps one of the cores busy (a Package Server also runs IIS
# and the Symantec agent): both servers share what is left with wrk.
busy_seconds=$((2 * wrk_seconds + 5))
timeout "$busy_seconds" sh -c 'while :; do :; done' &
busy_pid=$!
pids+=($busy_pid)
wrk_run "http://127.0.0.1:$api_port/v1/status" >"$work/wrk_psguard_busy.txt"
wrk_run "http://127.0.0.1:$nginx_port/v1/status" >"$work/wrk_nginx_busy.txt"
kill "$busy_pid" 2>/dev/null || true
wait "$busy_pid" 2>/dev/null || true
psguard_busy_rps="$(rps "$work/wrk_psguard_busy.txt")"
nginx_busy_rps="$(rps "$work/wrk_nginx_busy.txt")"
endpoint_vs_nginx_busy="$(python3 -c "print(f'{$psguard_busy_rps/$nginx_busy_rps:.2f}')")"
say "endpoint with one core busy: psguard $psguard_busy_rps req/s p99 $(p99 "$work/wrk_psguard_busy.txt") ms;" \
    "nginx $nginx_busy_rps req/s p99 $(p99 "$work/wrk_nginx_busy.txt") ms"
after_rss_kb="$(kb VmRSS)"
say "psguard VmRSS after the load: $((after_rss_kb / 1024)) MB"
# An ops tool reading every package: /v1/packages is rendered once (then kept with the snapshot)
# and what the render freed is handed back; the peak below includes it.
packages_bytes="$(curl -sf "http://127.0.0.1:$api_port/v1/packages" | wc -c)"
sleep 1
packages_anon_mb="$(python3 -c "print(f'{$(kb RssAnon)/1024:.1f}')")"
say "psguard RssAnon after GET /v1/packages ($packages_bytes bytes, kept rendered): $packages_anon_mb MB"

kill -TERM "$agent_pid"
wait "$time_pid" || true
peak_mb="$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time.txt")"
say "psguard run peak RSS (/usr/bin/time -v): $peak_mb MB"

printf 'floor_cpu_ms=%s scan_cpu_ms=%s floor_wall_ms=%s scan_wall_ms=%s incremental_cpu_ms=%s peak_rss_mb=%s trimmed_rss_mb=%s wakeups_idle=%s/%ss psguard_rps=%s nginx_rps=%s packages_anon_mb=%s\n' \
    "$floor_cpu_ms" "$scan_cpu_ms" "$floor_ms" "$scan_ms" "$incremental_cpu_ms" "$peak_mb" "$trimmed_mb" \
    "$wakeups" "$idle_seconds" "$psguard_rps" "$nginx_rps" "$packages_anon_mb"
# The floor: the same agent on a one-package tree (its own emulator), after its first cycle;
# what psguard costs before any package does.
tree1="$work/tree1"
"$build/tests/bench/psguard-bench-tree" "$tree1" 1 "$report_guid" >/dev/null
"$emulator" serve --cert-dir "$work/certs" --scenario "$tree1/scenario.json" --port 0 \
    --port-file "$work/ns1.port" >"$work/emulator1.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -s "$work/ns1.port" ]] && break; sleep 0.1; done
sed -e "s#$tree/#$tree1/#g" -e "s#$work/state#$work/state1#" -e "s#localhost:$ns_port#localhost:$(cat "$work/ns1.port")#" \
    -e "s#\"port\": $api_port#\"port\": $((api_port + 10))#" "$work/psguard.json" >"$work/psguard1.json"
"$psguard" run --config "$work/psguard1.json" >"$work/psguard1.out" 2>"$work/psguard1.log" &
floor_pid=$!
pids+=($floor_pid)
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$((api_port + 10))/v1/status" | grep -q '"cycles_total":1' && break
    sleep 0.1
done
sleep 2
agent_pid=$floor_pid
floor_rss_mb="$(python3 -c "print(f'{$(kb VmRSS)/1024:.1f}')")"
floor_anon_mb="$(python3 -c "print(f'{$(kb RssAnon)/1024:.1f}')")"
floor_file_mb="$(python3 -c "print(f'{$(kb RssFile)/1024:.1f}')")"
kill -TERM "$floor_pid"
wait "$floor_pid" || true
say "psguard run on a one-package tree: VmRSS $floor_rss_mb MB: RssAnon $floor_anon_mb MB," \
    "RssFile $floor_file_mb MB"

# Below that floor: a program that does nothing but load the shared libraries psguard links
# (readelf NEEDED, all of them loaded) and make the TLS client context it makes, then waits.
# No agent with these libraries can be smaller.
printf '%s\n' '#include <openssl/ssl.h>' '#include <cstdio>' '#include <unistd.h>' \
    'int main(int, char** argv) {' \
    '    SSL_CTX* context = SSL_CTX_new(TLS_client_method());' \
    '    if (context == nullptr || SSL_CTX_load_verify_locations(context, argv[1], nullptr) != 1) return 1;' \
    '    std::puts("ready"); std::fflush(stdout); pause(); }' >"$work/libs_only.cpp"
needed=($(readelf -d "$psguard" | sed -n 's/.*Shared library: \[\(.*\)\]/-l:\1/p'))
c++ -O2 -o "$work/libs_only" "$work/libs_only.cpp" -Wl,--no-as-needed "${needed[@]}"
"$work/libs_only" "$work/certs/ca.pem" >"$work/libs_only.out" &
libs_only_pid=$!
pids+=($libs_only_pid)
for _ in $(seq 100); do grep -q ready "$work/libs_only.out" && break; sleep 0.1; done
agent_pid=$libs_only_pid
libs_floor_rss_mb="$(python3 -c "print(f'{$(kb VmRSS)/1024:.1f}')")"
libs_floor_file_mb="$(python3 -c "print(f'{$(kb RssFile)/1024:.1f}')")"
kill "$libs_only_pid"
wait "$libs_only_pid" 2>/dev/null || true
say "a program that only loads psguard's ${#needed[@]} shared libraries and makes a TLS client" \
    "context: VmRSS $libs_floor_rss_mb MB (RssFile $libs_floor_file_mb MB)"

printf 'idle_anon_mb=%s idle_file_mb=%s floor_rss_mb=%s floor_anon_mb=%s floor_file_mb=%s libs_floor_rss_mb=%s\n' \
    "$idle_anon_mb" "$idle_file_mb" "$floor_rss_mb" "$floor_anon_mb" "$floor_file_mb" "$libs_floor_rss_mb"
peak_vs_idle="$(python3 -c "print(f'{$peak_mb/$idle_rss_mb:.1f}')")"
printf 'scan_vs_floor=%s incremental_ms=%s idle_rss_mb=%s peak_vs_idle=%s endpoint_vs_nginx=%s p99_ms=%s endpoint_vs_nginx_busy=%s%s\n' \
    "$scan_vs_floor" "$incremental_ms" "$idle_rss_mb" "$peak_vs_idle" "$endpoint_vs_nginx" "$p99_ms" \
    "$endpoint_vs_nginx_busy" "${scan_100k_vs_10k:+ scan_100k_vs_10k=$scan_100k_vs_10k}"
