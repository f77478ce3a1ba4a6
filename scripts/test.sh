#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what is missing, builds and runs
# every native test (unit + integration against the NS emulator over TLS), checks the .deb
# (and, as root, installs and purges it), then cross-builds for Windows with mingw-w64 and runs
# the unit tests, the service, the MSI and the WinHTTP end-to-end tests under Wine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"

bash scripts/install-deps.sh

printf '\n== native build and tests (preset dev)\n'
cmake --preset dev
cmake --build --preset dev --parallel "$jobs"
ctest --preset dev --parallel "$jobs"

printf '\n== Linux package (.deb): contents, install, remove, purge\n'
bash tests/deb/check_deb.sh build/dev

printf '\n== Windows cross build and tests under Wine (preset mingw)\n'
bash scripts/test-windows.sh
