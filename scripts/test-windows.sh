#!/usr/bin/env bash
# Windows check on a Linux host: stages the cross dependencies, cross-builds every target with
# mingw-w64 (preset "mingw", build/cross) and runs the unit tests under Wine in a private prefix
# (build/cross/wine). Exits non-zero on any failure. PSGUARD_JOBS overrides the parallelism.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build="$root/build/cross"  # binaryDir of the mingw preset
jobs="${PSGUARD_JOBS:-$(nproc)}"
wineserver="${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}"

for tool in x86_64-w64-mingw32-g++-posix /usr/lib/wine/wine64 "$wineserver" cmake ninja; do
    command -v "$tool" >/dev/null || {
        echo "test-windows: $tool not found; run scripts/install-deps.sh" >&2
        exit 1
    }
done

step() { printf '\n== %s\n' "$*"; }

step "stage dependencies"
scripts/stage-cross-deps.sh "$root/build/cross-deps"

step "configure (preset mingw)"
# The WinHTTP end-to-end test needs the native NS emulator (scripts/test.sh builds it first).
# PSGUARD_NATIVE_BUILD_DIR: the native build to take it from (scripts/test.sh sets it).
native_dir="${PSGUARD_NATIVE_BUILD_DIR:-$root/build/dev}"
native_emulator="$native_dir/tests/ns_emulator/psguard-ns-emulator"
if [[ -x "$native_emulator" ]]; then
    cmake --preset mingw -DPSGUARD_NATIVE_BUILD_DIR="$native_dir"
else
    echo "test-windows: no native emulator in $native_dir: the WinHTTP end-to-end test is not run"
    cmake --preset mingw -DPSGUARD_NATIVE_BUILD_DIR=
fi

step "build"
cmake --build --preset mingw --parallel "$jobs"

# Same environment as scripts/wine-run.sh, which ctest calls for every test.
export WINEPREFIX="$build/wine"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
unset DISPLAY WAYLAND_DISPLAY

step "start wineserver ($WINEPREFIX)"
stop_wine() { "$wineserver" -k >/dev/null 2>&1 || true; }
trap stop_wine EXIT
mkdir -p "$WINEPREFIX"
# Detached stdio: a wineserver holding ctest's pipes makes ctest wait for it forever.
"$wineserver" -p </dev/null >/dev/null 2>&1
scripts/wine-run.sh --prefix="$WINEPREFIX" --init

step "unit tests under Wine"
ctest --preset mingw --parallel "$jobs"
