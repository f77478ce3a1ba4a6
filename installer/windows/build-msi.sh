#!/usr/bin/env bash
# Builds the psguard MSI with wixl (Debian's msitools) from psguard.wxs, then applies what wixl
# 0.101 parses but does not write (the WiX toolset on Windows writes all of it from the .wxs
# alone), with msibuild SQL on the finished database:
#   - Component/@NeverOverwrite and @Permanent of the configuration file (Attributes 0x80|0x10)
#   - Component/Condition of the per-property registry components (NS_URL, ...)
#   - the REMOVE_STATE custom action (type 34: wixl has no CustomAction/@Directory)
# Each fix is read back and checked, so a wixl that changes its output fails the build here.
#
#   build-msi.sh <psguard.wxs> <psguard.exe> <psguard.json> <version> <output.msi>
set -euo pipefail

wxs="$(realpath "$1")"
exe="$(realpath "$2")"
config="$(realpath "$3")"
version="$4"
out="$(realpath -m "$5")"

for tool in wixl msibuild msiinfo; do
    command -v "$tool" >/dev/null || {
        echo "build-msi: $tool not found (Debian packages wixl, msitools; scripts/install-deps.sh)" >&2
        exit 1
    }
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
    echo "build-msi: version must be MAJOR.MINOR.PATCH, got \"$version\"" >&2
    exit 1
}

# wixl resolves File/@Source relative to the working folder and refuses absolute paths: stage.
stage="$(mktemp -d -t psguard-msi-XXXXXX)"
trap 'rm -rf "$stage"' EXIT
cp "$exe" "$stage/psguard.exe"
cp "$config" "$stage/psguard.json"
# wixl prints a GLib warning for each WiX attribute it does not know (Secure, Platform, ...):
# those are for the WiX toolset and are expected; anything else is shown.
(cd "$stage" && wixl -a x64 -D Wixl=1 -D "Version=$version" -D ExePath=psguard.exe \
    -D ConfigPath=psguard.json -o "$stage/out.msi" "$wxs" 2>&1) |
    grep -v -e '^$' -e "has no property named '\(Secure\|Platform\|Directory\|NeverOverwrite\|Permanent\)'" >&2 || true
[[ -s "$stage/out.msi" ]] || {
    echo "build-msi: wixl failed" >&2
    exit 1
}

sql() { msibuild "$stage/out.msi" -q "$1"; }
# 0x100 64-bit | 0x80 NeverOverwrite | 0x10 Permanent
sql "UPDATE Component SET Attributes = 400 WHERE Component = 'Config'"
for pair in NsUrl:NS_URL ReportGuid:REPORT_GUID CredentialAccount:CREDENTIAL_ACCOUNT \
    ListenPort:LISTEN_PORT Heal:HEAL; do
    sql "UPDATE Component SET Condition = '${pair#*:}' WHERE Component = '${pair%%:*}'"
done
# 34 (exe in a directory) | 0x40 ignore the exit code | 0x400 deferred | 0x800 no impersonation
stop_services="$(msiinfo export "$stage/out.msi" InstallExecuteSequence | tr -d "\r" | awk -F"\t" "\$1 == \"StopServices\" { print \$3 }")"
[[ -n "$stop_services" ]] || {
    echo "build-msi: no StopServices in the InstallExecuteSequence" >&2
    exit 1
}
sql "INSERT INTO CustomAction (Action, Type, Source, Target) VALUES ('RemoveState', 3170, 'TARGETDIR', '\"[System64Folder]cmd.exe\" /c rmdir /s /q \"[CommonAppDataFolder]psguard\"')"
sql "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('RemoveState', 'REMOVE~=\"ALL\" AND REMOVE_STATE=\"1\" AND NOT UPGRADINGPRODUCTCODE', $((stop_services + 1)))"

# Read back.
components="$(msiinfo export "$stage/out.msi" Component)"
check() {
    grep -qP "$1" <<<"$2" || {
        echo "build-msi: the MSI lacks $3" >&2
        exit 1
    }
}
check '^Config\t[^\t]+\tSTATEDIR\t400\t' "$components" "NeverOverwrite|Permanent on Config"
for pair in NsUrl:NS_URL ReportGuid:REPORT_GUID CredentialAccount:CREDENTIAL_ACCOUNT \
    ListenPort:LISTEN_PORT Heal:HEAL; do
    check "^${pair%%:*}\t[^\t]+\tSTATEDIR\t\d+\t${pair#*:}\t" "$components" "the condition of ${pair%%:*}"
done
check '^RemoveState\t3170\tTARGETDIR\t' "$(msiinfo export "$stage/out.msi" CustomAction)" "RemoveState"
mv "$stage/out.msi" "$out"
echo "build-msi: $out"
