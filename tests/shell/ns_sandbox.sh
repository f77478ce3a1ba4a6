# Sourced by the shell tests that run psguard against the NS emulator (tests/wine,
# tests/monitoring): a Package Server's folders, and the emulator serving a scenario over TLS.
#   add_package <delivery> <status> <guid>   a package the server holds Ready, version 7, with
#                                            one 100-byte file
#   start_ns_emulator <emulator> <work> <scenario.json>
#       test certificates in <work>/certs (the emulator's make-certs: ca, server for localhost
#       and 127.0.0.1, wrong-host, client), then the emulator on a free port, logging to
#       <work>/emulator.log; sets ns_port and appends the emulator's pid to the array `pids`.
add_package() {
    mkdir -p "$1/$3/cache" "$2/$3"
    head -c 100 /dev/zero >"$1/$3/cache/setup.exe"
    printf '<snapshot version="7"><file name="setup.exe" size="100"/></snapshot>' >"$1/$3/snapshot.xml"
    printf '<PackageStatus status="Ready" version="7"/>' >"$2/$3/PackageStatus.xml"
}

start_ns_emulator() {
    local emulator="$1" work="$2" scenario="$3"
    "$emulator" make-certs --dir "$work/certs" --host localhost --ip 127.0.0.1 >/dev/null
    "$emulator" serve --cert-dir "$work/certs" --scenario "$scenario" --port 0 \
        --port-file "$work/ns.port" >"$work/emulator.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do
        [[ -s "$work/ns.port" ]] && break
        sleep 0.1
    done
    ns_port="$(cat "$work/ns.port")"
}
