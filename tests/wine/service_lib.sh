# Sourced by the Wine service and MSI tests: their prefix's service timeout, and polling the
# service's endpoint.
#
# Wine's services.exe gives a starting service process 10 s to connect and report
# START_PENDING (Windows: 30 s) and reads a longer limit only from
# HKLM\System\CurrentControlSet\Control\ServicesPipeTimeout as REG_SZ (Windows reads a REG_DWORD)
# when it starts. On a loaded CI machine the first start of the Debug psguard.exe in a fresh
# prefix can take longer than 10 s ("sc start" then fails with ERROR_SERVICE_REQUEST_TIMEOUT
# and the service never runs), so the prefix gets 120 s, and services.exe is restarted (by
# ending the prefix's wineserver) the first time so that it reads the value.
#   prepare_scm_prefix <wine-run.sh> <prefix>
prepare_scm_prefix() {
    local wine_run="$1" prefix="$2"
    local key='HKLM\System\CurrentControlSet\Control'
    if "$wine_run" --prefix="$prefix" reg query "$key" /v ServicesPipeTimeout 2>/dev/null |
        tr -d '\r' | grep 'REG_SZ *120000$' >/dev/null; then
        return 0
    fi
    "$wine_run" --prefix="$prefix" reg add "$key" /v ServicesPipeTimeout /t REG_SZ /d 120000 /f \
        >/dev/null
    WINEPREFIX="$prefix" "${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}" -k >/dev/null 2>&1 || true
    WINEPREFIX="$prefix" "${PSGUARD_WINESERVER:-/usr/lib/wine/wineserver}" -w >/dev/null 2>&1 || true
}

# wait_http <port> <path> <expected HTTP code> <seconds>: polls the loopback endpoint until it
# answers that code (Wine shares the host's network stack: curl from Linux reaches the service).
wait_http() {
    local code=""
    for _ in $(seq $(($4 * 5))); do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1$2" || true)"
        [[ "$code" == "$3" ]] && return 0
        sleep 0.2
    done
    echo "    $2 answered ${code:-nothing}"
    return 1
}
