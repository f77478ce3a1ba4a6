#!/usr/bin/env bash
# Runs a Windows program under Wine; the cross build's CMAKE_CROSSCOMPILING_EMULATOR, so ctest and
# gtest_discover_tests go through it. Usable by hand too:
#   scripts/wine-run.sh [--prefix=DIR] program.exe [args...]
#   scripts/wine-run.sh [--prefix=DIR] --init    (only create the prefix and boot the session)
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

# Wine's first process in a session also starts its system processes (services, winedevice),
# which inherit that process's stdout/stderr, as does a wineserver that wine starts implicitly:
# both would keep ctest waiting on its pipes long after the test ended. So start the server here,
# detached (it exits at once with status 2 if one already serves this prefix, else it lingers 30 s
# after its last client), and boot the session with detached stdio before the real program runs.
boot=0
if "$wineserver" -p30 </dev/null >/dev/null 2>&1; then
    boot=1  # a new server: nothing in this session is running yet
fi
if [[ "$1" == --init || ! -f "$WINEPREFIX/.psguard-ready" ]]; then
    boot=1  # --init: the caller started the server itself; or the prefix is new
fi
if ((boot)); then
    (
        flock 9  # parallel tests may arrive here together; Wine gets no copy of the lock fd
        if [[ ! -f "$WINEPREFIX/.psguard-ready" ]]; then
            "$wine" wineboot --init </dev/null >/dev/null 2>&1 9>&-
            touch "$WINEPREFIX/.psguard-ready"
        else
            "$wine" wineboot </dev/null >/dev/null 2>&1 9>&-
        fi
    ) 9>"$WINEPREFIX/.psguard-init.lock"
fi

if [[ "$1" == --init ]]; then
    exit 0
fi

# Text-mode stdout ends lines with CRLF; gtest_discover_tests parses --gtest_list_tests line by
# line and would keep the CR in every test name, so drop CRs at line ends.
set +e
output="$(mktemp)"
"$wine" "$@" | sed -u 's/\r$//' | tee "$output"
status=${PIPESTATUS[0]}
if ((status != 0)) && [[ ! -s "$output" ]]; then
    # Wine itself failed before the program wrote a byte (seen once in CI: a unit test "failed"
    # in 0.1 s with no output at all, between two tests that passed): once more. A program that
    # fails by itself fails again, with its output.
    echo "wine-run: $1 exited $status without output; running it once more" >&2
    "$wine" "$@" | sed -u 's/\r$//'
    status=${PIPESTATUS[0]}
fi
rm -f "$output"
exit "$status"
