#!/usr/bin/env bash
# The test suite under sanitizers (CI runs both stages from scripts/test.sh):
#   asan  every test (unit, integration against the NS emulator over TLS, the real psguard
#         binary) built with gcc's AddressSanitizer + UndefinedBehaviorSanitizer (preset asan,
#         build/asan); a report fails the test that triggered it (halt_on_error, abort_on_error).
#   tsan  the threaded parts under ThreadSanitizer (build/tsan, only the targets they need): the
#         agent loop end to end (AgentRun.*: the real `psguard run`, built with TSan), the status
#         server through real sockets (StatusServer.*) and the endpoint unit tests.
# Usage: scripts/sanitize.sh [asan|tsan|all]   (default all). PSGUARD_JOBS sets the parallelism.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"
what="${1:-all}"

stage() {
    printf '\n== %s\n' "$*"
}
timed() {
    local start=$SECONDS
    "$@"
    printf 'sanitize: %s took %d s\n' "$1" $((SECONDS - start))
}

run_asan() {
    stage "ASan+UBSan: build every target (preset asan)"
    cmake --preset asan >/dev/null
    cmake --build --preset asan --parallel "$jobs"
    stage "ASan+UBSan: every test"
    # Each test is its own process (gtest discovery); a sanitizer report aborts it.
    ctest --preset asan --parallel "$jobs"
}

run_tsan() {
    stage "TSan: build the agent, the endpoint and their tests (build/tsan)"
    cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPSGUARD_TSAN=ON -DPSGUARD_WERROR=ON \
        >/dev/null
    cmake --build build/tsan --parallel "$jobs" --target psguard psguard_integration_tests \
        psguard_endpoint_tests psguard_endpoint_unit_tests
    stage "TSan: agent loop, status server, endpoint unit tests"
    # The test binaries directly (one process each): a race report fails the run (exitcode 66).
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66"
    build/tsan/tests/integration/psguard_integration_tests --gtest_filter='AgentRun.*'
    build/tsan/tests/endpoint/psguard_endpoint_tests
    build/tsan/tests/psguard_endpoint_unit_tests
}

case "$what" in
asan) timed run_asan ;;
tsan) timed run_tsan ;;
all)
    timed run_asan
    timed run_tsan
    ;;
*)
    echo "usage: scripts/sanitize.sh [asan|tsan|all]" >&2
    exit 2
    ;;
esac
