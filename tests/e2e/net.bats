#!/usr/bin/env bats
# Network devices end to end: real unikernels on real taps, each test in its
# own network namespace (tests/e2e/netns.bash) with its own taps, removed in
# teardown.  Guests print READY once their NICs are acquired; tests wait for
# that line, never for a fixed time.  Every wait and loop is bounded.
#
# ping -f and ping -q do not compare reply payloads in iputils (only the
# ICMP checksum); the payload-verified runs use ping -A (adaptive, one probe
# in flight, as fast as replies come back as root), which checks every data
# byte against the -p pattern and prints "wrong data byte" on a mismatch.

load helpers
load netns

setup() {
    require_netns
    netns_create
    OUT="$BATS_TEST_TMPDIR/guest.out"
}

teardown() {
    netns_destroy
}

# start_guest GUEST WISP-ARGS... -- GUEST-ARGS...: boot in the background.
start_guest() {
    local g=$1
    shift
    local opts=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    netns_bg "$OUT" timeout 300 "$WISP" "${opts[@]}" -- "$(guest "$g")" "$@"
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" READY 30 "$GUEST_PID"
}

# guest_done: the guest ended with status 0 and SUCCESS (bounded wait).
guest_done() {
    wait_pid "$GUEST_PID" "${1:-60}" || return 1
    if [ "$bg_status" -ne 0 ] || ! grep -qxF SUCCESS "$OUT"; then
        echo "guest status $bg_status; output:" >&2
        cat "$OUT" >&2
        return 1
    fi
}

# ping_ok OUTPUT N: N sent, N received, 0% loss, nothing corrupted.
ping_ok() {
    local out=$1 n=$2
    if ! grep -qE "^$n packets transmitted, $n received, 0% packet loss" <<<"$out" ||
        grep -qE 'corrupted|errors|wrong data byte|DUP!' <<<"$out"; then
        echo "ping did not get $n clean replies:" >&2
        echo "$out" >&2
        return 1
    fi
}

@test "net: 10,000 flood pings with a pattern, none lost or corrupted" {
    netns_tap tap0 10.0.0.1/24
    start_guest net_ping --net:service0=tap0 -- 10.0.0.2 count=10000
    # A random MAC: unicast, locally administered (first octet 0bxxxxxx10).
    mac=$(sed -n 's/^service0: MAC is //p' "$OUT")
    [[ "$mac" =~ ^[0-9a-f][26ae](:[0-9a-f]{2}){5}$ ]]
    grep -qxF "service0: MTU is 1500" "$OUT"
    run nsx timeout 120 ping -f -q -c 10000 -w 100 -p deadbeef -s 56 10.0.0.2
    ping_ok "$output" 10000
    t=$(sed -n 's/.* received, 0% packet loss, time \([0-9]*\)ms$/\1/p' <<<"$output")
    echo "# 10,000 flood pings in ${t} ms: $((10000 * 1000 / (t > 0 ? t : 1))) round trips/s" >&3
    guest_done
    grep -qF "icmp 10000, udp 0" "$OUT"
}

@test "net: 10,000 pings with every payload byte verified (ping -A -p), 1000-byte payload" {
    netns_tap tap0 10.0.0.1/24
    start_guest net_ping --net:service0=tap0 -- 10.0.0.2 count=10000
    run nsx timeout 120 ping -A -c 10000 -w 100 -p 0123456789abcdeffedcba9876543210 -s 1000 10.0.0.2
    ping_ok "$output" 10000
    [ "$(grep -c '^1008 bytes from 10.0.0.2: icmp_seq=' <<<"$output")" -eq 10000 ]
    guest_done
}

@test "net: two NICs at once, each answering on its own subnet" {
    netns_tap tap0 10.0.0.1/24
    netns_tap tap1 10.1.0.1/24
    start_guest net_2if --net:service0=tap0 --net:service1=tap1 -- 10.0.0.2 10.1.0.2 count=4002
    grep -qxF "service1: MTU is 1500" "$OUT"
    p0="$BATS_TEST_TMPDIR/p0" p1="$BATS_TEST_TMPDIR/p1"
    netns_bg "$p0" timeout 120 ping -f -q -c 2000 -w 100 -p aa55 10.0.0.2
    a=$BG_PID
    netns_bg "$p1" timeout 120 ping -f -q -c 2000 -w 100 -p 55aa 10.1.0.2
    b=$BG_PID
    wait_pid "$a" 120
    [ "$bg_status" -eq 0 ]
    wait_pid "$b" 120
    [ "$bg_status" -eq 0 ]
    ping_ok "$(cat "$p0")" 2000
    ping_ok "$(cat "$p1")" 2000
    # Each subnet's replies came from its own NIC (asked while the guest
    # runs: when its tap closes, the kernel flushes the neighbour entries).
    run nsx ip neigh show 10.0.0.2 dev tap0
    m0=$(sed -n 's/^service0: MAC is //p' "$OUT")
    m1=$(sed -n 's/^service1: MAC is //p' "$OUT")
    [[ "$output" == *"lladdr $m0 "* ]]
    run nsx ip neigh show 10.1.0.2 dev tap1
    [[ "$output" == *"lladdr $m1 "* ]]
    [ "$m0" != "$m1" ]
    run nsx timeout 30 ping -c 1 -w 20 10.0.0.2
    ping_ok "$output" 1
    run nsx timeout 30 ping -c 1 -w 20 10.1.0.2
    ping_ok "$output" 1
    guest_done
}

@test "net: a 9000-byte MTU tap is reported to the guest and carries 9000-byte packets" {
    netns_tap tap0 10.0.0.1/24 9000
    start_guest net_ping --net:service0=tap0 -- 10.0.0.2 count=200
    grep -qxF "service0: MTU is 9000" "$OUT"
    run nsx timeout 60 ping -A -M do -c 200 -w 50 -p c0ffee -s 8972 10.0.0.2
    ping_ok "$output" 200
    [ "$(grep -c '^8980 bytes from' <<<"$output")" -eq 200 ]
    guest_done
}

@test "net: a 1500-byte MTU tap is reported as 1500 and carries full-size packets" {
    netns_tap tap0 10.0.0.1/24 1500
    start_guest net_ping --net:service0=tap0 -- 10.0.0.2 count=200
    grep -qxF "service0: MTU is 1500" "$OUT"
    run nsx timeout 60 ping -A -M do -c 200 -w 50 -p 5a -s 1472 10.0.0.2
    ping_ok "$output" 200
    guest_done
}

@test "net: UDP both ways through socat, every byte checked (100,000 bytes in 1472-byte datagrams)" {
    command -v socat >/dev/null || skip "no socat"
    netns_tap tap0 10.0.0.1/24
    start_guest net_ping --net:service0=tap0 -- 10.0.0.2 count=69
    in="$BATS_TEST_TMPDIR/in.bin" back="$BATS_TEST_TMPDIR/back.bin"
    head -c 100000 /dev/urandom >"$in"
    # Resolve the guest's MAC first: datagrams sent while ARP is pending
    # wait in a small kernel queue that may drop some.
    run nsx timeout 30 ping -c 1 -w 20 10.0.0.2
    ping_ok "$output" 1
    nsx timeout 60 socat -b 1472 -t 5 -T 10 - UDP:10.0.0.2:7,bind=10.0.0.1:40000 <"$in" >"$back"
    cmp "$in" "$back"
    guest_done
    grep -qF "icmp 1, udp 68" "$OUT"
}

@test "net: --net-mac is honoured (guest's view and the ARP reply's source)" {
    netns_tap tap0 10.0.0.1/24
    start_guest net_ping --net-mac:service0=02:00:5E:AA:bb:0c --net:service0=tap0 -- 10.0.0.2 count=4
    grep -qxF "service0: MAC is 02:00:5e:aa:bb:0c" "$OUT"
    run nsx timeout 30 ping -c 3 -i 0.01 -w 20 10.0.0.2
    ping_ok "$output" 3
    run nsx ip neigh show 10.0.0.2 dev tap0
    [[ "$output" == *"lladdr 02:00:5e:aa:bb:0c "* ]]
    run nsx timeout 30 ping -c 1 -w 20 10.0.0.2
    ping_ok "$output" 1
    guest_done
}

@test "net: --net:NAME=@FD uses an already-open tap fd (MTU read through it)" {
    netns_tap tap0 10.0.0.1/24 4000
    netns_bg "$OUT" timeout 120 "$TOOLS/tapfd" tap0 5 -- "$WISP" --net:service0=@5 -- \
        "$(guest net_ping)" 10.0.0.2 count=20
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" READY 30 "$GUEST_PID"
    grep -qxF "service0: MTU is 4000" "$OUT"
    run nsx timeout 30 ping -A -c 20 -w 20 -s 3972 -M do -p 77 10.0.0.2
    ping_ok "$output" 20
    guest_done
}

@test "net: per-request errors from the guest, a 64-frame batch in one call, oversized frame dropped" {
    netns_tap tap0 10.0.0.1/24
    rx0=$(nsx cat /sys/class/net/tap0/statistics/rx_bytes)
    netns_bg "$OUT" timeout 120 "$WISP" --net:service0=tap0 -- "$(guest net_abi)"
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" "WAITING for a frame of more than 20 bytes" 30 "$GUEST_PID"
    rx1=$(nsx cat /sys/class/net/tap0/statistics/rx_bytes)
    # Every frame the guest sent, by length: 1514 and 14 bytes alone, 60
    # from the batch that stopped, 60..123 in the batch of 64 (the tap's
    # packet counter skips the 14-byte one, its byte counter does not).
    [ $((rx1 - rx0)) -eq $((1514 + 14 + 60 + 64 * 60 + 63 * 64 / 2)) ]
    mac=$(nsx cat /sys/class/net/tap0/address)
    run nsx ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev tap0
    run nsx ping -c 1 -W 1 -s 500 10.0.0.2
    guest_done 30
    grep -qxF "oversized frame: EINVAL, dropped" "$OUT"
}

# wisp_ns ARGS...: run the tender in the namespace, bounded; sets $status/$output.
wisp_ns() {
    run nsx timeout 60 "$WISP" "$@"
}

@test "net: a NET_READ buffer array the guest may not write (page-table pool) ends the guest" {
    netns_tap tap0 10.0.0.1/24
    # --no-rings: this is the NET_READ hypercall's check (the ring's: ring.bats)
    wisp_ns --no-rings --net:service0=tap0 -- "$(guest net_abi)" badptr
    assert_status $WISP_EXIT_GUEST_FAULT
    assert_output_has "NET_READ buffer array: guest address 0x20000, size 16 is not memory the guest may write"
}

@test "net: a NET_WRITE frame outside guest memory ends the guest" {
    netns_tap tap0 10.0.0.1/24
    wisp_ns --no-rings --net:service0=tap0 -- "$(guest net_abi)" badframe
    assert_status $WISP_EXIT_GUEST_FAULT
    assert_output_has "NET_WRITE frame: guest address 0x80000000, size 60 is outside guest memory"
}

# ---- command-line errors: exact messages, status 253, guest never starts ----

# refused ARGS... -- MESSAGE: the tender refuses with exactly "wisp: MESSAGE".
refused() {
    local args=()
    while [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    wisp_ns "${args[@]}"
    assert_status $WISP_EXIT_TENDER_ERROR
    [ "$output" = "wisp: $2" ] || {
        echo "expected: wisp: $2" >&2
        echo "got:      $output" >&2
        return 1
    }
}

@test "net error: a missing tap" {
    refused --net:service0=tap9 "$(guest net_ping)" 10.0.0.2 -- \
        "--net:service0=tap9: no such interface tap9"
}

@test "net error: a tap that is down" {
    netns_tap tap0 - - down
    refused --net:service0=tap0 "$(guest net_ping)" 10.0.0.2 -- \
        "--net:service0=tap0: interface tap0 is down (bring it up: ip link set tap0 up)"
}

@test "net error: an interface that is not a tap (lo), and a tun" {
    refused --net:service0=lo "$(guest net_ping)" 10.0.0.2 -- \
        "--net:service0=lo: lo is not a tap interface"
    ip -n "$NETNS" tuntap add tun0 mode tun
    NETNS_TAPS+=(tun0)
    ip -n "$NETNS" link set tun0 up
    refused --net:service0=tun0 "$(guest net_ping)" 10.0.0.2 -- \
        "--net:service0=tun0: tun0 is not a tap interface"
}

@test "net error: an interface name of 16 characters" {
    refused --net:service0=abcdefghijklmnop "$(guest net_ping)" 10.0.0.2 -- \
        "--net:service0=abcdefghijklmnop: interface name 'abcdefghijklmnop' is too long (at most 15 characters)"
}

@test "net error: a tap already attached to another process" {
    netns_tap tap0 10.0.0.1/24
    run nsx timeout 60 "$TOOLS/tapfd" tap0 5 -- "$WISP" --net:service0=tap0 -- "$(guest net_ping)" 10.0.0.2
    assert_status $WISP_EXIT_TENDER_ERROR
    [ "$output" = "wisp: --net:service0=tap0: tap0 is already attached to another process" ]
}

@test "net error: bad MACs (syntax, multicast, broadcast, zero)" {
    netns_tap tap0 10.0.0.1/24
    local g
    g=$(guest net_ping)
    refused --net:service0=tap0 --net-mac:service0=02:00:00:aa:bb "$g" -- \
        "--net-mac:service0=02:00:00:aa:bb: '02:00:00:aa:bb' is not a MAC address (expected xx:xx:xx:xx:xx:xx, hex)"
    refused --net-mac:service0=02-00-00-aa-bb-cc --net:service0=tap0 "$g" -- \
        "--net-mac:service0=02-00-00-aa-bb-cc: '02-00-00-aa-bb-cc' is not a MAC address (expected xx:xx:xx:xx:xx:xx, hex)"
    refused --net-mac:service0=02:00:00:aa:bb:cg "$g" -- \
        "--net-mac:service0=02:00:00:aa:bb:cg: '02:00:00:aa:bb:cg' is not a MAC address (expected xx:xx:xx:xx:xx:xx, hex)"
    refused --net-mac:service0=01:00:5e:00:00:01 "$g" -- \
        "--net-mac:service0=01:00:5e:00:00:01: '01:00:5e:00:00:01' is a multicast address; a NIC needs a unicast MAC (first octet even)"
    refused --net-mac:service0=ff:ff:ff:ff:ff:ff "$g" -- \
        "--net-mac:service0=ff:ff:ff:ff:ff:ff: 'ff:ff:ff:ff:ff:ff' is a multicast address; a NIC needs a unicast MAC (first octet even)"
    refused --net-mac:service0=00:00:00:00:00:00 "$g" -- \
        "--net-mac:service0=00:00:00:00:00:00: '00:00:00:00:00:00' is not a usable address"
}

@test "net error: an option given twice for one device" {
    netns_tap tap0 10.0.0.1/24
    netns_tap tap1 10.1.0.1/24
    refused --net:service0=tap0 --net:service0=tap1 "$(guest net_ping)" -- \
        "--net:service0=tap1: device 'service0' is already attached (one --net:service0= per device)"
    refused --net-mac:service0=02:00:00:00:00:01 --net:service0=tap0 --net-mac:service0=02:00:00:00:00:02 "$(guest net_ping)" -- \
        "--net-mac:service0=02:00:00:00:00:02: the MAC of 'service0' is already set (one --net-mac:service0= per device)"
}

@test "net error: an undeclared device, and a device declared with another type" {
    netns_tap tap0 10.0.0.1/24
    refused --net:nope=tap0 "$(guest net_ping)" -- \
        "--net:nope=tap0: device 'nope' is not declared in the manifest of $(guest net_ping)"
    refused --net-mac:nope=02:00:00:00:00:01 "$(guest net_ping)" -- \
        "--net-mac:nope=02:00:00:00:00:01: device 'nope' is not declared in the manifest of $(guest net_ping)"
    refused --net:storage=tap0 "$(guest blkrw)" -- \
        "--net:storage=tap0: device 'storage' is declared as BLOCK_BASIC in $(guest blkrw), not NET_BASIC"
}

@test "net error: declared but not attached (the core lists the device)" {
    refused "$(guest net_2if)" -- \
        "$(guest net_2if) declares 2 devices that are not attached: 'service0' (NET_BASIC), 'service1' (NET_BASIC) (attach with --net:NAME=IFACE or --block:NAME=PATH; see --help)"
    netns_tap tap0 10.0.0.1/24
    refused --net:service0=tap0 "$(guest net_2if)" -- \
        "$(guest net_2if) declares 1 device that is not attached: 'service1' (NET_BASIC) (attach with --net:NAME=IFACE or --block:NAME=PATH; see --help)"
}

@test "net error: @FD forms: not a tap, not open, not a number, a standard stream" {
    netns_tap tap0 10.0.0.1/24
    local g
    g=$(guest net_ping)
    run nsx timeout 60 "$WISP" --net:service0=@7 -- "$g" 10.0.0.2 7</dev/null
    assert_status $WISP_EXIT_TENDER_ERROR
    [ "$output" = "wisp: --net:service0=@7: fd 7 is not a tap (TUNGETIFF: Inappropriate ioctl for device)" ]
    refused --net:service0=@77 "$g" -- "--net:service0=@77: fd 77 is not open"
    refused --net:service0=@x3 "$g" -- \
        "--net:service0=@x3: '@x3' is not a file descriptor number (expected @N)"
    refused --net:service0=@1 "$g" -- "--net:service0=@1: fd 1 is a standard stream, not a tap"
    # (A tap opened without IFF_NO_PI is refused too, but this machine's
    # kernel reports IFF_NO_PI on every tap, so it cannot be tested here.)
}

@test "net: --help lists the network options" {
    run "$WISP" --help
    assert_status 0
    assert_output_has "--net:NAME=IFACE"
    assert_output_has "--net:NAME=@FD"
    assert_output_has "--net-mac:NAME=xx:xx:xx:xx:xx:xx"
}
