#!/usr/bin/env bash
# Stages the third-party code the mingw-w64 cross build needs, from Debian packages, into one
# folder (default build/cross-deps) that cmake/CrossDeps.cmake reads:
#   include/<package>/<dir>  symlinks to the header folders of boost, nlohmann_json, cli11,
#                            spdlog and fmt (never /usr/include itself: its glibc headers would
#                            shadow mingw's)
#   googletest               symlink to /usr/src/googletest (built by CMake)
#   pugixml                  source of Debian's pugixml, via `apt-get source`
#   zlib                     source of Debian's zlib, with contrib/minizip (zip for collect)
# Idempotent; a second run only re-checks the links and the sources' stamps.
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

# Sources of libraries the -dev packages ship for Linux only (headers and a shared library):
# Debian's source, from Debian's archive, pinned to the installed -dev package's version so that
# both builds use the same code. pugixml; zlib with its contrib/minizip (the zip writer of
# `psguard collect` on Windows). apt works on a private deb-src list and private state; the
# machine's apt setup is untouched.
apt_dir="$dest/apt"
apt_opts=()
prepare_apt() {  # once, on the first source that needs fetching
    ((${#apt_opts[@]} == 0)) || return 0
    command -v dpkg-source >/dev/null || die "dpkg-source is missing (package dpkg-dev)"
    local codename mirror
    # shellcheck source=/dev/null
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    [[ -n "$codename" ]] || die "cannot tell the Debian release from /etc/os-release"
    # The Debian archive this machine already installs from (its apt configuration), so that no
    # address is hard-coded here; PSGUARD_DEBIAN_MIRROR overrides.
    mirror="${PSGUARD_DEBIAN_MIRROR:-$(apt-cache policy 2>/dev/null |
        awk -v suite="$codename/main" '$3 == suite { print $2; exit }')}"
    [[ -n "$mirror" ]] || die "no Debian archive for $codename in this machine's apt sources; set PSGUARD_DEBIAN_MIRROR"
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
    echo "stage-cross-deps: reading the source index of $mirror ($codename)"
    apt-get "${apt_opts[@]}" -qq update
}

# stage SOURCE DEV_PACKAGE CHECK: Debian's source package SOURCE at DEV_PACKAGE's installed
# version into $dest/SOURCE; CHECK (a file inside it) proves the layout.
stage() {
    local source="$1" dev="$2" check="$3" version stamp work src
    version="$(dpkg-query -W -f='${Version}' "$dev" 2>/dev/null || true)"
    [[ -n "$version" ]] || die "$dev is not installed; run scripts/install-deps.sh"
    stamp="$dest/$source/.psguard-staged"
    if [[ -f "$dest/$source/$check" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then
        echo "stage-cross-deps: $source $version up to date in $dest"
        return 0
    fi
    prepare_apt
    echo "stage-cross-deps: fetching $source $version source"
    work="$(mktemp -d "$dest/.$source.XXXXXX")"
    (cd "$work" && apt-get "${apt_opts[@]}" -qq source "$source=$version" >/dev/null) ||
        { rm -rf "$work"; die "apt-get source $source=$version failed"; }
    src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$source-*" | head -n1)"
    [[ -n "$src" && -f "$src/$check" ]] ||
        { rm -rf "$work"; die "unexpected $source source layout in $work"; }
    echo "$version" >"$src/.psguard-staged"
    rm -rf "${dest:?}/$source"
    mv "$src" "$dest/$source"
    rm -rf "$work"
    echo "stage-cross-deps: staged $source $version in $dest"
}

stage pugixml libpugixml-dev src/pugixml.cpp
stage zlib zlib1g-dev contrib/minizip/zip.c
rm -rf "$apt_dir"  # only needed for a fetch (the index is ~20 MB)
