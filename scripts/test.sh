#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what is missing, builds and runs
# every native test (unit + integration against the NS emulator over TLS, the fault matrix and the
# soak of `psguard run`), the suite again under ASan+UBSan and the threaded parts under TSan
# (scripts/sanitize.sh), the libFuzzer targets for PSGUARD_FUZZ_SECONDS each (default 60;
# scripts/fuzz.sh), then cross-builds for Windows with mingw-w64 and runs the unit tests under
# Wine. Each stage prints its duration.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"
export PSGUARD_JOBS="$jobs"

bash scripts/install-deps.sh

durations=()
stage_start=0
begin() {
    printf '\n== %s\n' "$1"
    stage_name="$1"
    stage_start=$SECONDS
}
end() {
    durations+=("$(printf '%5d s  %s' $((SECONDS - stage_start)) "$stage_name")")
}

begin "native build and tests (preset dev)"
cmake --preset dev
cmake --build --preset dev --parallel "$jobs"
ctest --preset dev --parallel "$jobs"
end

begin "every test under ASan+UBSan (preset asan)"
bash scripts/sanitize.sh asan
end

begin "agent loop and endpoint under TSan (build/tsan)"
bash scripts/sanitize.sh tsan
end

begin "fuzzing: ${PSGUARD_FUZZ_SECONDS:-60} s per target (build/fuzz)"
bash scripts/fuzz.sh "${PSGUARD_FUZZ_SECONDS:-60}"
end

begin "Windows cross build and tests under Wine (preset mingw)"
bash scripts/test-windows.sh
end

printf '\n== stage durations\n'
printf '%s\n' "${durations[@]}"
