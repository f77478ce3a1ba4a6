#!/usr/bin/env bash
# Runs a Windows program under Wine; the cross build's CMAKE_CROSSCOMPILING_EMULATOR, so ctest and
# gtest_discover_tests go through it. Usable by hand too:
#   scripts/wine-run.sh [--prefix=DIR] program.exe [args...]
#   scripts/wine-run.sh [--prefix=DIR] --init    (only create the prefix and start a wineserver)
# The prefix is private (--prefix, else WINEPREFIX, else build/cross/wine) and created on first use.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="${WINEPREFIX:-$root/build/cross/wine}"
if [[ "${1:-}" == --prefix=* ]]; then
    prefix="${1#--prefix=}"
    shift
fi
if (($# == 0)); then
    echo "usage: $0 [--prefix=DIR] {--init | program.exe [args...]}" >&2
    exit 2
fi

export WINEPREFIX="$prefix"
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono/Gecko download prompts, no desktop menu entries.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=;winemenubuilder.exe=d}"
unset DISPLAY WAYLAND_DISPLAY  # headless: console programs only, no window driver
wine="${PSGUARD_WINE:-/usr/lib/wine/wine64}"
wineserver="${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}"
mkdir -p "$WINEPREFIX"

# A wineserver started implicitly by wine inherits our stdout/stderr and keeps ctest waiting on the
# pipes, so start one detached. If one already serves this prefix (test-windows.sh starts a
# persistent one) this exits at once; otherwise it lingers 30 s after its last client.
"$wineserver" -p30 </dev/null >/dev/null 2>&1 || true

# Create the prefix once, serialised: parallel tests may arrive here together.
if [[ ! -f "$WINEPREFIX/.psguard-ready" ]]; then
    (
        flock 9
        if [[ ! -f "$WINEPREFIX/.psguard-ready" ]]; then
            "$wine" wineboot --init </dev/null >/dev/null 2>&1
            touch "$WINEPREFIX/.psguard-ready"
        fi
    ) 9>"$WINEPREFIX/.psguard-init.lock"
fi

if [[ "$1" == --init ]]; then
    exit 0
fi

# Text-mode stdout ends lines with CRLF; gtest_discover_tests parses --gtest_list_tests line by
# line and would keep the CR in every test name, so drop CRs at line ends.
set +e
"$wine" "$@" | sed -u 's/\r$//'
status=${PIPESTATUS[0]}
exit "$status"
