#!/usr/bin/env bash
# Stages the third-party code the mingw-w64 cross build needs, from Debian packages, into one
# folder (default build/cross-deps) that cmake/CrossDeps.cmake reads:
#   include/<package>/<dir>  symlinks to the header folders of boost, nlohmann_json, cli11,
#                            spdlog and fmt (never /usr/include itself: its glibc headers would
#                            shadow mingw's)
#   googletest               symlink to /usr/src/googletest (built by CMake)
#   pugixml                  source of Debian's pugixml, via `apt-get source`
#   zlib                     source of Debian's zlib, with contrib/minizip (zip for collect)
#   openssl                  OpenSSL's static libraries and headers for mingw-w64, built from
#                            Debian's source (Debian ships no mingw-w64 OpenSSL): the status
#                            endpoint's TLS is OpenSSL through Asio on Windows too
# Idempotent: each source package is fetched (and OpenSSL built) again only when its stamp no
# longer matches; a second run only re-checks the links and the stamps. The OpenSSL build (a few
# minutes on 2 cores) is also kept in a cache outside the tree, keyed the same way, so that a
# fresh clone on the same machine (CI) copies it instead of building it again:
# PSGUARD_CROSS_CACHE (default ~/.cache/psguard; empty: no cache).
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
# Debian's source, from the Debian archives this machine already installs from (its apt
# configuration, so that no address is hard-coded here; PSGUARD_DEBIAN_MIRROR overrides the
# release's). pugixml and zlib with its contrib/minizip (the zip writer of `psguard collect` on
# Windows) are pinned to the installed -dev package's version so that both builds use the same
# code; OpenSSL below. apt works on a private deb-src list and private state: the machine's apt
# setup is untouched, and the private index is deleted after use (~20 MB).
apt_dir="$dest/apt"
apt_opts=()
trap 'rm -rf "$apt_dir" "$dest"/.fetch.*' EXIT
prepare_apt() {  # once, before the first source that needs fetching
    ((${#apt_opts[@]} == 0)) || return 0
    command -v dpkg-source >/dev/null || die "dpkg-source is missing (package dpkg-dev)"
    local codename archives
    # shellcheck source=/dev/null
    codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
    [[ -n "$codename" ]] || die "cannot tell the Debian release from /etc/os-release"
    # The release, its updates and its security suite, as "<uri> <suite>".
    archives="$(apt-cache policy 2>/dev/null | awk -v r="$codename" '
        $3 == r "/main" || $3 == r "-updates/main" || $3 == r "-security/main" {
            split($3, suite, "/"); print $2, suite[1] }' | sort -u)"
    if [[ -n "${PSGUARD_DEBIAN_MIRROR:-}" ]]; then
        archives="$(printf '%s %s\n%s' "$PSGUARD_DEBIAN_MIRROR" "$codename" "$archives")"
    fi
    grep -q " $codename\$" <<<"$archives" ||
        die "no Debian archive for $codename in this machine's apt sources; set PSGUARD_DEBIAN_MIRROR"
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
    while read -r uri suite; do
        echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
    done <<<"$archives" >"$apt_dir/sources.list"
    apt_opts=(
        -o "Dir::Etc::SourceList=$apt_dir/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt_dir/lists"
        -o "Dir::Cache=$apt_dir/cache"
        -o "Acquire::Languages=none"
        -o "APT::Sandbox::User=root"  # the private folders belong to the caller, not to _apt
    )
    echo "stage-cross-deps: reading the source indexes ($codename)"
    apt-get "${apt_opts[@]}" -qq update >&2
}

# fetch_source SOURCE VERSION...: unpacks the first of these versions of Debian's source package
# SOURCE that an archive delivers (an index may list a version it does not serve) into a new
# folder under $dest and prints the folder. prepare_apt first.
fetch_source() {
    local source="$1" work version src
    shift
    work="$(mktemp -d "$dest/.fetch.XXXXXX")"
    for version in "$@"; do
        if (cd "$work" && apt-get "${apt_opts[@]}" -qq source "$source=$version" >/dev/null 2>&1); then
            src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$source-*" | head -n1)"
            [[ -n "$src" ]] && echo "$src" && return 0
        fi
    done
    die "apt-get source $source failed for every version offered ($*)"
}

# stage SOURCE DEV_PACKAGE CHECK: Debian's source package SOURCE at DEV_PACKAGE's installed
# version into $dest/SOURCE; CHECK (a file inside it) proves the layout.
stage() {
    local source="$1" dev="$2" check="$3" version stamp src
    version="$(dpkg-query -W -f='${Version}' "$dev" 2>/dev/null || true)"
    [[ -n "$version" ]] || die "$dev is not installed; run scripts/install-deps.sh"
    stamp="$dest/$source/.psguard-staged"
    if [[ -f "$dest/$source/$check" && "$(cat "$stamp" 2>/dev/null)" == "$version" ]]; then
        echo "stage-cross-deps: $source $version up to date in $dest"
        return 0
    fi
    prepare_apt
    echo "stage-cross-deps: fetching $source $version source"
    src="$(fetch_source "$source" "$version")"
    [[ -f "$src/$check" ]] || die "unexpected $source source layout in $src"
    echo "$version" >"$src/.psguard-staged"
    rm -rf "${dest:?}/$source"
    mv "$src" "$dest/$source"
    echo "stage-cross-deps: staged $source $version in $dest"
}

stage pugixml libpugixml-dev src/pugixml.cpp
stage zlib zlib1g-dev contrib/minizip/zip.c

# OpenSSL: static libssl/libcrypto for mingw-w64, from Debian's newest source of the release
# (security fixes included). Only what a TLS 1.2/1.3 server with X.509 certificates needs: no
# shared libraries, programs, tests, engines, modules or legacy algorithms; no configuration
# file is ever read (no-autoload-config), and the compiled-in folder is one only
# administrators can write. Restaged when the installed libssl-dev (that is, Debian's
# OpenSSL) or these options change.
openssl_options=(
    no-shared no-module no-tests no-legacy no-engine no-dso no-comp no-srp no-ssl3 no-dtls
    no-sctp no-srtp no-ct no-ocsp no-cms no-ts no-cmp no-rfc3779 no-idea no-mdc2 no-md4 no-rc2
    no-rc4 no-rc5 no-whirlpool no-seed no-camellia no-aria no-sm2 no-sm3 no-sm4 no-bf no-cast
    no-siphash no-gost no-ui-console no-autoload-config no-nextprotoneg no-weak-ssl-ciphers
    no-ssl-trace no-ec2m no-psk no-async
)
native_openssl="$(dpkg-query -W -f='${Version}' libssl-dev 2>/dev/null || true)"
[[ -n "$native_openssl" ]] || die "libssl-dev is not installed; run scripts/install-deps.sh"
openssl_key="$native_openssl $(printf '%s ' "${openssl_options[@]}" | sha256sum | cut -c1-16)"
stamp="$dest/openssl/.psguard-staged"
cache="${PSGUARD_CROSS_CACHE-${XDG_CACHE_HOME:-$HOME/.cache}/psguard}"
cached="${cache:+$cache/openssl-mingw64-$(printf '%s' "$openssl_key" | sha256sum | cut -c1-16)}"
if [[ -f "$dest/openssl/lib/libssl.a" && "$(cat "$stamp" 2>/dev/null)" == "$openssl_key" ]]; then
    echo "stage-cross-deps: OpenSSL up to date ($(cat "$dest/openssl/.psguard-version"))"
elif [[ -n "$cached" && -f "$cached/lib/libssl.a" && "$(cat "$cached/.psguard-staged" 2>/dev/null)" == "$openssl_key" ]]; then
    rm -rf "$dest/openssl"
    cp -a "$cached" "$dest/openssl"
    echo "stage-cross-deps: OpenSSL $(cat "$dest/openssl/.psguard-version") copied from $cached"
else
    command -v x86_64-w64-mingw32-gcc >/dev/null || die "x86_64-w64-mingw32-gcc is missing; run scripts/install-deps.sh"
    echo "stage-cross-deps: fetching OpenSSL's source"
    prepare_apt
    # The newest the archives deliver (security fixes included), the installed one's if none.
    # shellcheck disable=SC2046 # one argument per version
    src="$(fetch_source openssl $(apt-cache "${apt_opts[@]}" showsrc openssl 2>/dev/null |
        awk '/^Version:/ { print $2 }' | sort -u -r -V) "$native_openssl")"
    [[ -n "$src" && -x "$src/Configure" ]] || die "unexpected OpenSSL source layout in $src"
    build_start=$SECONDS
    echo "stage-cross-deps: building $(basename "$src") for mingw-w64 (log: $dest/openssl-build.log)"
    rm -rf "$dest/openssl"
    # Only the two libraries (install_dev would build the command-line tool's library too),
    # then their headers, generated ones included.
    if ! (cd "$src" &&
        ./Configure mingw64 --cross-compile-prefix=x86_64-w64-mingw32- \
            "--prefix=C:/Program Files/psguard/openssl" \
            "--openssldir=C:/Program Files/psguard/openssl" "${openssl_options[@]}" &&
        make build_generated && make -j"${PSGUARD_JOBS:-$(nproc)}" libcrypto.a libssl.a &&
        mkdir -p "$dest/openssl/include/openssl" "$dest/openssl/lib" &&
        cp include/openssl/*.h "$dest/openssl/include/openssl/" &&
        cp libcrypto.a libssl.a "$dest/openssl/lib/") >"$dest/openssl-build.log" 2>&1; then
        tail -n 20 "$dest/openssl-build.log" >&2
        die "the OpenSSL build failed; see $dest/openssl-build.log"
    fi
    basename "$src" >"$dest/openssl/.psguard-version"
    echo "$openssl_key" >"$stamp"
    rm -rf "$src"
    echo "stage-cross-deps: OpenSSL built in $((SECONDS - build_start)) s"
    if [[ -n "$cached" ]] && mkdir -p "$cache" 2>/dev/null; then
        rm -rf "$cached.new" && cp -a "$dest/openssl" "$cached.new" && rm -rf "$cached" &&
            mv "$cached.new" "$cached" || echo "stage-cross-deps: could not cache OpenSSL in $cache"
    fi
fi
echo "stage-cross-deps: staged in $dest"
