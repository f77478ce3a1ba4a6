#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what is missing, builds and runs
# every native test (unit, integration against the NS emulator over TLS, the NS fault matrix,
# SIGKILL during heal, the soak of `psguard run`, `psguard demo`), runs the libFuzzer targets for
# PSGUARD_FUZZ_SECONDS each (default 30; scripts/fuzz.sh), then cross-builds for Windows with
# mingw-w64 and runs the unit tests, the service, the MSI and the WinHTTP end-to-end tests under
# Wine, and last builds what ships (the release and mingw-release presets), runs each binary's
# --version and checks the .deb made from the release build (as root: installs and purges it).
# Each stage prints its duration. Every build but dev is a unity build (CMakeLists.txt).
#
# The native suite runs once, built with ASan+UBSan (preset asan, scripts/sanitize.sh asan): on
# CI's 2 cores a second, plain build of the whole project does not fit the time budget, and the
# sanitized run tests everything the plain one would. PSGUARD_NATIVE_PRESET=dev runs it plain
# instead. The ThreadSanitizer stage (agent loop and endpoint, a build of its own) runs too;
# PSGUARD_CI_TSAN=0 skips it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"
export PSGUARD_JOBS="$jobs"
native="${PSGUARD_NATIVE_PRESET:-asan}"

bash scripts/install-deps.sh

durations=()
begin() {
    printf '\n== %s\n' "$1"
    stage_name="$1"
    stage_start=$SECONDS
}
end() {
    durations+=("$(printf '%5d s  %s' $((SECONDS - stage_start)) "$stage_name")")
}

begin "native build and every test (preset $native)"
if [[ "$native" == "asan" ]]; then
    bash scripts/sanitize.sh asan
else
    cmake --preset "$native"
    cmake --build --preset "$native" --parallel "$jobs"
    ctest --preset "$native" --parallel "$jobs"
fi
end
# The Windows stage's end-to-end test uses this build's NS emulator.
export PSGUARD_NATIVE_BUILD_DIR="$root/build/$native"

if [[ "${PSGUARD_CI_TSAN:-1}" == "1" ]]; then
    begin "agent loop and endpoint under TSan (build/tsan)"
    bash scripts/sanitize.sh tsan
    end
fi

begin "fuzzing: ${PSGUARD_FUZZ_SECONDS:-30} s per target (build/fuzz)"
bash scripts/fuzz.sh "${PSGUARD_FUZZ_SECONDS:-30}"
end

begin "Windows cross build and tests under Wine (preset mingw)"
bash scripts/test-windows.sh
end

# What ships, built as a user builds it: the Release presets with their default options
# (warnings are not errors there), configured as README says to ship (no tests, no fault
# points), the psguard target only (and the MSI made from it); each binary then tells its
# version, the Windows one under Wine (in the prefix test-windows.sh made).
begin "shipping builds (presets release, mingw-release): psguard --version, the .deb, the MSI"
cmake --preset release -DPSGUARD_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release --parallel "$jobs" --target psguard
build/release/service/psguard --version | grep -F "psguard "
# The package made from that build: contents, install, remove, purge.
bash tests/deb/check_deb.sh build/release
cmake --preset mingw-release >/dev/null
cmake --build --preset mingw-release --parallel "$jobs" --target msi
scripts/wine-run.sh --prefix="$root/build/cross/wine" build/cross-release/service/psguard.exe \
    --version | grep -F "psguard "
end

printf '\n== stage durations\n'
printf '%s\n' "${durations[@]}"
