# Network namespaces for the network tests.  Load after helpers:
#   load helpers
#   load netns
# Every test makes its own namespace (wisp-<pid>-<test>-<random>) with its
# own taps; every command that touches the network runs inside it (nsx), so
# no traffic and no address ever reaches the host's own namespace.  Call
# netns_destroy from teardown(): it kills what the test started, deletes the
# taps and the namespace, and is safe to call twice or with nothing made.

NETNS=""
NETNS_TAPS=()
NETNS_PIDS=()

# require_netns: skip unless this machine can run the network tests.
require_netns() {
    require_root
    require_kvm
    [ -c /dev/net/tun ] || skip "no /dev/net/tun"
    command -v ip >/dev/null || skip "no ip (iproute2)"
}

# netns_create: a fresh namespace with lo up and IPv6 off (so the kernel
# sends no router solicitations or MLD reports to the guests).
netns_create() {
    NETNS="wisp-$$-${BATS_TEST_NUMBER:-0}-$RANDOM"
    ip netns add "$NETNS"
    ip -n "$NETNS" link set lo up
    nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# nsx CMD...: run CMD inside the test's namespace.
nsx() {
    ip netns exec "$NETNS" "$@"
}

# netns_tap NAME [ADDR/PREFIX|-] [MTU|-] [up|down]: a tap in the namespace.
netns_tap() {
    local name=$1 addr=${2:--} mtu=${3:--} state=${4:-up}
    ip -n "$NETNS" tuntap add "$name" mode tap
    NETNS_TAPS+=("$name")
    [ "$mtu" = - ] || ip -n "$NETNS" link set "$name" mtu "$mtu"
    [ "$addr" = - ] || ip -n "$NETNS" addr add "$addr" dev "$name"
    [ "$state" = down ] || ip -n "$NETNS" link set "$name" up
}

# netns_bg OUTFILE CMD...: start CMD in the namespace in the background,
# stdout and stderr to OUTFILE; its pid goes to $BG_PID and is killed by
# netns_destroy if still running.
netns_bg() {
    local out=$1
    shift
    # Emptied here, not only by the background redirect: a caller that
    # reuses OUT and then waits for a line in it must not find the last
    # run's line before the new process has truncated the file.
    : >"$out"
    ip netns exec "$NETNS" "$@" >"$out" 2>&1 &
    BG_PID=$!
    NETNS_PIDS+=("$BG_PID")
}

# wait_for_line FILE TEXT SECONDS [PID]: poll FILE (every 20 ms) until it
# holds the line TEXT; fail after SECONDS or as soon as PID has exited.
wait_for_line() {
    local file=$1 text=$2 secs=$3 pid=${4:-} i
    for ((i = 0; i < secs * 50; i++)); do
        grep -qxF -- "$text" "$file" 2>/dev/null && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            grep -qxF -- "$text" "$file" 2>/dev/null && return 0
            echo "process $pid ended before printing '$text'; its output:" >&2
            cat "$file" >&2
            return 1
        fi
        sleep 0.02
    done
    echo "no line '$text' in $file after $secs s; it holds:" >&2
    cat "$file" >&2
    return 1
}

# wait_pid PID SECONDS: wait (bounded) for PID to end; sets $bg_status.
wait_pid() {
    local pid=$1 secs=$2 i
    for ((i = 0; i < secs * 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "process $pid still running after $secs s" >&2
        return 1
    fi
    wait "$pid"
    bg_status=$?
}

# netns_destroy: undo everything netns_* made.
netns_destroy() {
    local p
    for p in "${NETNS_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${NETNS_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    NETNS_PIDS=()
    [ -n "$NETNS" ] || return 0
    # Anything still running in the namespace was started by this test.
    for p in $(ip netns pids "$NETNS" 2>/dev/null); do
        kill -9 "$p" 2>/dev/null
    done
    for p in "${NETNS_TAPS[@]}"; do
        ip -n "$NETNS" link del "$p" 2>/dev/null
    done
    NETNS_TAPS=()
    ip netns del "$NETNS" 2>/dev/null
    NETNS=""
}
