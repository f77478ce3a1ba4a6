# Sourced by the shell tests that start a listener on a port of their choosing.
#
# free_port prints a loopback port that is free now and lies below the kernel's ephemeral range.
# A port from bind(port 0) is an ephemeral one: until the listener binds it, the kernel may give
# it to any outgoing connection on the machine (curl, WinHTTP, the tests running beside), and the
# listener then fails with "address in use". A random port below that range collides only with
# another listener that picked the same one.
free_port() {
    python3 - <<'PY'
import random
import socket

low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
first = 10000 if low > 11000 else 1024
for _ in range(500):
    port = random.randrange(first, low)
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
    print(port)
    break
else:
    raise SystemExit(f"free_port: no free loopback port in {first}-{low - 1}")
PY
}
