#!/usr/bin/env bash
# Installs every Debian package psguard needs to build, test and cross-compile.
# Idempotent: packages already present are skipped; apt-get update runs only when needed.
set -euo pipefail

native_packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-system-dev libssl-dev openssl
  libpugixml-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libacl1-dev acl
  libminizip-dev zlib1g-dev
  clang libclang-rt-14-dev
  python3 curl
  prometheus iproute2
  dpkg-dev file
  chromium fonts-dejavu-core
)
cross_packages=(
  g++-mingw-w64-x86-64-posix gcc-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64
  mingw-w64-x86-64-dev wine wine64 lld
  wixl msitools
)

want=("${native_packages[@]}")
if [[ "${PSGUARD_SKIP_CROSS:-0}" != "1" ]]; then
  want+=("${cross_packages[@]}")
fi

missing=()
for pkg in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
