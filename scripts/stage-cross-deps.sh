#!/usr/bin/env bash
# Stages the third-party code the mingw-w64 cross build needs, from Debian packages, into one
# folder (default build/cross-deps) that cmake/CrossDeps.cmake reads:
#   include/<package>/<dir>  symlinks to the header folders of boost, nlohmann_json, cli11,
#                            spdlog and fmt (never /usr/include itself: its glibc headers would
#                            shadow mingw's)
#   googletest               symlink to /usr/src/googletest (built by CMake)
#   pugixml                  source of Debian's pugixml, via `apt-get source`
# Idempotent; a second run only re-checks the links and the pugixml stamp.
# Usage: scripts/stage-cross-deps.sh [DEST]   (or PSGUARD_CROSS_DEPS_DIR=...)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="${1:-${PSGUARD_CROSS_DEPS_DIR:-$root/build/cross-deps}}"
mkdir -p "$dest/include"
dest="$(cd "$dest" && pwd)"

die() {
    echo "stage-cross-deps: $*" >&2
    exit 1
}

link() {  # link TARGET NAME: (re)point NAME at TARGET
    [[ -e "$1" ]] || die "$1 is missing; run scripts/install-deps.sh"
    if [[ "$(readlink "$2" 2>/dev/null)" != "$1" ]]; then
        ln -sfn "$1" "$2"
    fi
}

# One include root per package, so each CMake target exposes only its own headers.
for pair in boost:boost nlohmann_json:nlohmann cli11:CLI spdlog:spdlog fmt:fmt; do
    mkdir -p "$dest/include/${pair%%:*}"
    link "/usr/include/${pair#*:}" "$dest/include/${pair%%:*}/${pair#*:}"
done
link /usr/src/googletest "$dest/googletest"

# pugixml: the -dev package has headers and a shared library for Linux only, so the source comes
# from Debian's archive, pinned to the installed version so both builds use the same pugixml.
# apt works on a private deb-src list and private state; the machine's apt setup is untouched.
version="$(dpkg-query -W -f='${Version}' libpugixml-dev 2>/dev/null || true)"
[[ -n "$version" ]] || die "libpugixml-dev is not installed; run scripts/install-deps.sh"
stamp="$dest/pugixml/.psguard-staged"
if [[ -f "$dest/pugixml/src/pugixml.cpp" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then
    echo "stage-cross-deps: up to date in $dest (pugixml $version)"
    exit 0
fi

command -v dpkg-source >/dev/null || die "dpkg-source is missing (package dpkg-dev)"
# shellcheck source=/dev/null
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
[[ -n "$codename" ]] || die "cannot tell the Debian release from /etc/os-release"
# The Debian archive this machine already installs from (its apt configuration), so that no
# address is hard-coded here; PSGUARD_DEBIAN_MIRROR overrides.
mirror="${PSGUARD_DEBIAN_MIRROR:-$(apt-cache policy 2>/dev/null |
    awk -v suite="$codename/main" '$3 == suite { print $2; exit }')}"
[[ -n "$mirror" ]] || die "no Debian archive for $codename in this machine's apt sources; set PSGUARD_DEBIAN_MIRROR"
apt_dir="$dest/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $codename main" \
    >"$apt_dir/sources.list"
apt_opts=(
    -o "Dir::Etc::SourceList=$apt_dir/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$apt_dir/lists"
    -o "Dir::Cache=$apt_dir/cache"
    -o "Acquire::Languages=none"
    -o "APT::Sandbox::User=root"  # the private folders belong to the caller, not to _apt
)

echo "stage-cross-deps: fetching pugixml $version source from $mirror ($codename)"
apt-get "${apt_opts[@]}" -qq update
work="$(mktemp -d "$dest/.pugixml.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "${apt_opts[@]}" -qq source "pugixml=$version" >/dev/null) ||
    die "apt-get source pugixml=$version failed"
src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'pugixml-*' | head -n1)"
[[ -n "$src" && -f "$src/src/pugixml.cpp" ]] || die "unexpected pugixml source layout in $work"
echo "$version" >"$src/.psguard-staged"
rm -rf "$dest/pugixml"
mv "$src" "$dest/pugixml"
rm -rf "$apt_dir"  # only needed for this fetch (the index is ~20 MB)
echo "stage-cross-deps: staged in $dest (pugixml $version)"
