# Sourced by the shell tests (tests/deb, tests/wine): one line per check and the closing
# "N passed, N failed" line that CI reads.
failures=0
passed=0
ok() {
    echo "ok   $1"
    passed=$((passed + 1))
}
bad() {
    echo "FAIL $1"
    failures=$((failures + 1))
}
expect() {  # expect <description> <command...>: ok when the command succeeds (output dropped)
    local what="$1"
    shift
    if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
finish() {  # the closing line; the exit status of the test
    echo "$passed passed, $failures failed"
    [[ $failures -eq 0 ]]
}
