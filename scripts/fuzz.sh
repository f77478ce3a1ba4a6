#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with Debian's clang, instrumented with
# -fsanitize=fuzzer,address,undefined, and runs each for N seconds (default 60; CI uses 30), two
# at a time, starting from the seed corpus in tests/fuzz/corpus/<target>. The seeds are never
# modified: each run works on a copy in build/fuzz/work/<target>. A crash, leak, timeout or
# sanitizer report fails the script and leaves the input in build/fuzz/artifacts/<target>/;
# turn it into a regression test (tests/unit) with the fix.
# Usage: scripts/fuzz.sh [seconds] [target...]     PSGUARD_JOBS: parallel builds.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
jobs="${PSGUARD_JOBS:-$(nproc)}"
build="$root/build/fuzz"
all_targets=(status_xml dataset config endpoint_request)
targets=("$@")
if ((${#targets[@]} == 0)); then targets=("${all_targets[@]}"); fi

# clang and its sanitizer/libFuzzer runtime, from Debian.
need=()
for pkg in clang libclang-rt-14-dev; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
    echo "fuzz: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

start=$SECONDS
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= \
    -DPSGUARD_BUILD_TESTS=OFF -DPSGUARD_FAULT_POINTS=OFF -DPSGUARD_BUILD_FUZZ=ON -DPSGUARD_WERROR=ON \
    >/dev/null
cmake --build "$build" --parallel "$jobs" --target psguard_fuzzers
echo "fuzz: build took $((SECONDS - start)) s"

max_len() {
    case "$1" in
    dataset) echo 32768 ;;
    status_xml) echo 16384 ;;
    *) echo 4096 ;;
    esac
}

run_one() {
    local target="$1" work="$build/work/$1" artifacts="$build/artifacts/$1/"
    rm -rf "$work" && mkdir -p "$work" "$artifacts"
    cp tests/fuzz/corpus/"$target"/* "$work"/
    # -timeout: one input may take at most 10 s; -rss_limit_mb: memory per run.
    "$build/tests/fuzz/fuzz_$target" "$work" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -max_len="$(max_len "$target")" -artifact_prefix="$artifacts" \
        -print_final_stats=1 >"$build/fuzz_$target.log" 2>&1
}

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
passed=0
failed=0
report() {
    local target="$1" code="$2" log="$build/fuzz_$1.log"
    local runs
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    if ((code == 0)); then
        passed=$((passed + 1))
        echo "fuzz: $target: ${seconds} s, $runs inputs, $(grep -o 'cov: [0-9]*' "$log" | tail -1), no finding"
    else
        failed=$((failed + 1))
        echo "fuzz: $target FAILED (exit $code); its log:" >&2
        tail -n 60 "$log" >&2
        ls -l "$build/artifacts/$target/" >&2 || true
    fi
}

run_start=$SECONDS
# Two at a time: the machine has two cores.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    pids=()
    batch=("${targets[@]:i:2}")
    for target in "${batch[@]}"; do
        run_one "$target" &
        pids+=($!)
    done
    for j in "${!batch[@]}"; do
        code=0
        wait "${pids[$j]}" || code=$?
        report "${batch[$j]}" "$code"
    done
done
echo "fuzz: runs took $((SECONDS - run_start)) s"
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
