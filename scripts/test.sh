#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what is missing, builds and runs
# every native test (unit + integration against the NS emulator over TLS), then cross-builds
# for Windows with mingw-w64 and runs the unit tests under Wine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"

bash scripts/install-deps.sh

printf '\n== native build and tests (preset dev)\n'
cmake --preset dev
cmake --build --preset dev --parallel "$jobs"
ctest --preset dev --parallel "$jobs"

printf '\n== Windows cross build and tests under Wine (preset mingw)\n'
bash scripts/test-windows.sh
