#!/usr/bin/env bash
# The Linux package: builds the .deb with CPack from a configured native build, checks its
# control data and contents (dpkg-deb -I/-c), and — as root, on a machine where psguard is not
# installed — installs it, checks what the maintainer scripts did, removes and purges it, and
# compares the psguard files on the system before and after: nothing stray may remain.
# Works without a running systemd (CI containers): the maintainer scripts then only enable.
#   check_deb.sh <native build folder>      (scripts/test.sh runs it on build/release)
# PSGUARD_DEB_INSTALL=0 skips the install part.
set -euo pipefail

build="$(realpath "$1")"
work="$(mktemp -d -t psguard-deb-XXXXXX)"
installed=0
cleanup() {
    if ((installed)); then
        dpkg --purge psguard >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=../shell/tally.sh
source "$(dirname "${BASH_SOURCE[0]}")/../shell/tally.sh"

cmake --build "$build" --target package >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log"
    echo "FAIL cpack"
    exit 1
}
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
deb="$build/psguard_${version}_amd64.deb"
expect "cpack built $(basename "$deb")" test -s "$deb"

dpkg-deb -I "$deb" >"$work/info"
dpkg-deb -f "$deb" Package Version Depends >"$work/fields"
grep -q "^Package: psguard$" "$work/fields" && grep -q "^Version: $version$" "$work/fields" &&
    ok "control: psguard $version" || bad "control fields: $(cat "$work/fields")"
grep -q '^Depends:.*libc6' "$work/fields" && ok "Depends from shlibdeps (libc6, ...)" ||
    bad "Depends: $(grep Depends "$work/fields")"
dpkg-deb --ctrl-tarfile "$deb" | tar -t >"$work/control-files"
for file in postinst prerm postrm conffiles; do
    expect "maintainer file $file" grep -qx "./$file" "$work/control-files"
done
mkdir "$work/control"
dpkg-deb -e "$deb" "$work/control"
expect "conffiles: /etc/psguard/psguard.json" grep -qx /etc/psguard/psguard.json "$work/control/conffiles"

dpkg-deb -c "$deb" | awk '{ print $1, $NF }' >"$work/contents"
for entry in "-rwxr-xr-x ./usr/bin/psguard" "-rw-r--r-- ./usr/lib/systemd/system/psguard.service" \
    "-rw-r----- ./etc/psguard/psguard.json" "-rw-r--r-- ./usr/share/doc/psguard/deploy-smp.md" \
    "-rw-r--r-- ./usr/share/doc/psguard/ns-report.sql" \
    "-rw-r--r-- ./usr/share/doc/psguard/monitoring/psguard.rules.yml" \
    "-rw-r--r-- ./usr/share/doc/psguard/monitoring/grafana-dashboard.json" \
    "-rw-r--r-- ./usr/share/doc/psguard/monitoring/prometheus-scrape.yml"; do
    expect "contents: $entry" grep -qxF -- "$entry" "$work/contents"
done
# Nothing outside the expected roots.
if awk '{ print $2 }' "$work/contents" | grep -v -e '/$' |
    grep -v -E '^\./(usr/bin/psguard|usr/lib/systemd/system/psguard\.service|etc/psguard/psguard\.json|usr/share/doc/psguard/(monitoring/)?[^/]+)$' \
        >"$work/unexpected"; then
    bad "unexpected files in the package: $(tr '\n' ' ' <"$work/unexpected")"
else
    ok "no file outside /usr/bin, the unit, /etc/psguard and the docs"
fi
mkdir "$work/root"
dpkg-deb -x "$deb" "$work/root"
grep -q '^ExecStart=/usr/bin/psguard run --config /etc/psguard/psguard.json$' \
    "$work/root/usr/lib/systemd/system/psguard.service" && ok "the unit starts the packaged binary" ||
    bad "ExecStart of the unit does not match the packaged paths"
# The shipped configuration is valid JSON but deliberately not configured.
set +e
"$work/root/usr/bin/psguard" validate-config --config "$work/root/etc/psguard/psguard.json" \
    >"$work/validate" 2>&1
code=$?
set -e
if [[ $code -eq 2 ]] && grep -q 'ns.url' "$work/validate" && ! grep -q 'not valid JSON' "$work/validate"; then
    ok "the shipped /etc/psguard/psguard.json parses and asks for ns.url"
else
    bad "validate-config on the shipped file: exit $code: $(cat "$work/validate")"
fi

install_test() {
    # psguard's files on the system, wherever dpkg, the maintainer scripts or systemd helpers
    # may put them.
    snapshot() {
        find /usr/bin /usr/sbin /usr/lib/systemd /usr/share/doc /etc /var/lib \
            -path /var/lib/dpkg -prune -o -path /var/lib/apt -prune -o \
            -path '*psguard*' -print 2>/dev/null | sort
    }
    snapshot >"$work/before"
    if [[ -s "$work/before" ]]; then
        echo "skip install test: psguard files already on this machine: $(head -n 3 "$work/before" | tr '\n' ' ')"
        return
    fi
    installed=1
    if dpkg -i "$deb" >"$work/dpkg-i.log" 2>&1; then ok "dpkg -i"; else
        bad "dpkg -i: $(cat "$work/dpkg-i.log")"
        return
    fi
    expect "/usr/bin/psguard --version" /usr/bin/psguard --version
    grep -q 'enabled, not started' "$work/dpkg-i.log" && ok "postinst: enabled, not started (not configured)" ||
        bad "postinst said: $(cat "$work/dpkg-i.log")"
    [[ "$(stat -c '%a %U' /var/lib/psguard 2>/dev/null)" == "700 root" ]] && ok "state folder /var/lib/psguard 0700 root" ||
        bad "state folder: $(stat -c '%a %U' /var/lib/psguard 2>&1)"
    if command -v deb-systemd-helper >/dev/null; then
        expect "service enabled (multi-user.target.wants)" \
            test -L /etc/systemd/system/multi-user.target.wants/psguard.service
    fi
    expect "conffile registered with dpkg" \
        bash -c "dpkg-query -W -f='\${Conffiles}' psguard | grep -q /etc/psguard/psguard.json"
    # An administrator's edit, and a state the service would have written.
    printf '\n' >>/etc/psguard/psguard.json
    mkdir -p /var/lib/psguard/logs && echo log >/var/lib/psguard/logs/psguard.log

    if dpkg -r psguard >"$work/dpkg-r.log" 2>&1; then ok "dpkg -r"; else bad "dpkg -r: $(cat "$work/dpkg-r.log")"; fi
    snapshot >"$work/after-remove"
    printf '%s\n' /etc/psguard /etc/psguard/psguard.json /var/lib/psguard /var/lib/psguard/logs \
        /var/lib/psguard/logs/psguard.log | sort >"$work/expected-after-remove"
    if diff "$work/expected-after-remove" "$work/after-remove" >"$work/diff"; then
        ok "after dpkg -r: only the configuration and the state folder remain"
    else
        bad "after dpkg -r: $(tr '\n' ' ' <"$work/diff")"
    fi
    if dpkg --purge psguard >"$work/dpkg-p.log" 2>&1; then ok "dpkg --purge"; else bad "dpkg --purge: $(cat "$work/dpkg-p.log")"; fi
    installed=0
    snapshot >"$work/after-purge"
    if diff "$work/before" "$work/after-purge" >"$work/diff"; then
        ok "after dpkg --purge: no psguard file left"
    else
        bad "after dpkg --purge: $(tr '\n' ' ' <"$work/diff")"
    fi
}

if [[ "${PSGUARD_DEB_INSTALL:-1}" == 0 ]]; then
    echo "skip install test: PSGUARD_DEB_INSTALL=0"
elif [[ $(id -u) -ne 0 ]]; then
    echo "skip install test: needs root"
elif dpkg-query -W -f='${Status}' psguard 2>/dev/null | grep -q installed; then
    echo "skip install test: psguard is installed on this machine"
else
    # One package database per machine: parallel runs of this test take turns.
    exec 9>/tmp/psguard-deb-test.lock
    flock -w 600 9
    install_test
    flock -u 9
fi

finish
