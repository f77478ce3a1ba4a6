#!/usr/bin/env bash
# The README's first command: installs what is missing, builds psguard with the NS emulator and
# the Package Server simulator, then runs `psguard demo`: the KB failure on a throw-away sandbox
# Package Server (a few dozen packages, the NS emulator over real TLS, the simulated agent
# writing as the credential account, the real agent loop), narrated from diagnosis to verified
# heal. Exits 0 when the server ends healthy; nothing outside the sandbox is touched and the
# sandbox is removed (pass --keep, or set PSGUARD_DEMO_KEEP=1, to keep it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${PSGUARD_JOBS:-$(nproc)}"

PSGUARD_SKIP_CROSS=1 bash scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --parallel "$jobs" \
    --target psguard psguard-ns-emulator psguard-ps-simulator

args=("$@")
[[ "${PSGUARD_DEMO_KEEP:-0}" == "1" ]] && args+=(--keep)
exec "$root/build/dev/service/psguard" demo "${args[@]}"
