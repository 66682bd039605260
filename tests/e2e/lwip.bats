#!/usr/bin/env bats
# lwIP through <wisp/lwip.h> (wisp-cc --lwip): the test guest lwip_echo (a
# TCP echo service on port 7 over altcp) on a tap in the test's own network
# namespace: ping and ping6 (link-local), data echoed intact, 100
# concurrent clients, IPv4 from --ipv4/--ipv4-gateway (taken out of argv)
# or from DHCP (dnsmasq in the namespace), bad options refused.

load helpers
load netns

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

setup() {
    require_netns
    command -v socat >/dev/null || skip "no socat"
    G="$(guest lwip_echo)"
    [ -f "$G" ] || skip "$G is not built"
    netns_create
    OUT="$BATS_TEST_TMPDIR/guest.out"
}

teardown() {
    netns_destroy
}

# start_echo IMAGE GUEST-ARGS...: boot on tap0 (10.0.0.1/24), wait for READY.
start_echo() {
    local img=$1
    shift
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 120 "$WISP" --mem=64 --net:service0=tap0 -- "$img" "$@"
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" READY 30 "$GUEST_PID"
}

# echo_check ADDR BYTES: send BYTES random bytes to the echo port, compare.
echo_check() {
    local addr=$1 n=$2 f="$BATS_TEST_TMPDIR/data.$RANDOM"
    head -c "$n" /dev/urandom >"$f"
    got=$(nsx timeout 30 socat -t 3 - "TCP:$addr:7" <"$f" | sha256sum)
    want=$(sha256sum <"$f")
    [ "$got" = "$want" ] || { echo "echo of $n bytes via $addr differs"; return 1; }
}

# quit_guest: ask the service to stop; it prints SUCCESS and exits 0.
quit_guest() {
    echo QUIT | nsx timeout 10 socat -t 2 - TCP:10.0.0.2:7 >/dev/null
    wait_pid "$GUEST_PID" 20
    [ "$bg_status" -eq 0 ] && grep -qxF SUCCESS "$OUT" || { cat "$OUT"; return 1; }
}

@test "lwip: static IPv4 from --ipv4/--ipv4-gateway, which main() never sees; ping and 1 MiB echoed intact" {
    start_echo "$G" --ipv4=10.0.0.2/24 first --ipv4-gateway=10.0.0.1 second
    grep -qxF "wisp_lwip: service0: IPv4 10.0.0.2/24 gateway 10.0.0.1" "$OUT"
    grep -qxF "argv[1]=<first>" "$OUT"
    grep -qxF "argv[2]=<second>" "$OUT"
    ! grep -qF -- "--ipv4" <(grep '^argv' "$OUT") || false
    run nsx ping -c 3 -i 0.2 -W 2 10.0.0.2
    assert_status 0
    assert_output_has "3 packets transmitted, 3 received, 0% packet loss"
    echo_check 10.0.0.2 1048576
    quit_guest
}

@test "lwip: 100 concurrent clients each get their 64 KiB back intact" {
    start_echo "$G" --ipv4=10.0.0.2/24
    head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/d"
    want=$(sha256sum <"$BATS_TEST_TMPDIR/d")
    pids=()
    for i in $(seq 100); do
        nsx timeout 60 socat -t 5 - TCP:10.0.0.2:7 <"$BATS_TEST_TMPDIR/d" | sha256sum >"$BATS_TEST_TMPDIR/r.$i" &
        pids+=($!)
    done
    wait "${pids[@]}" # (not a bare wait: the guest runs in the background too)
    bad=0
    for i in $(seq 100); do
        [ "$(cat "$BATS_TEST_TMPDIR/r.$i")" = "$want" ] || bad=$((bad + 1))
    done
    [ "$bad" -eq 0 ] || { echo "$bad of 100 clients got wrong data"; return 1; }
    quit_guest
}

@test "lwip: IPv6 link-local address from the MAC answers ping6 and TCP" {
    start_echo "$G" --ipv4=10.0.0.2/24
    nsx sysctl -qw net.ipv6.conf.tap0.disable_ipv6=0
    ll=$(sed -n 's/^wisp_lwip: service0: IPv6 //p' "$OUT" | tr 'A-F' 'a-f')
    [[ "$ll" == fe80::* ]] || { cat "$OUT"; return 1; }
    # wait (bounded) for the host's own link-local address (DAD)
    for _ in $(seq 100); do
        nsx ip -6 addr show dev tap0 scope link | grep -q "inet6 fe80" &&
            ! nsx ip -6 addr show dev tap0 | grep -q tentative && break
        sleep 0.05
    done
    run nsx ping -6 -c 3 -i 0.2 -W 2 "$ll%tap0"
    assert_status 0
    assert_output_has "3 packets transmitted, 3 received, 0% packet loss"
    echo_check "[$ll%tap0]" 65536
    quit_guest
}

@test "lwip: without --ipv4 the address comes from DHCP (dnsmasq in the namespace)" {
    command -v dnsmasq >/dev/null || skip "no dnsmasq (Debian package dnsmasq-base)"
    netns_tap tap0 10.0.0.1/24
    netns_bg "$BATS_TEST_TMPDIR/dnsmasq.out" dnsmasq --no-daemon --conf-file=/dev/null --port=0 \
        --interface=tap0 --bind-interfaces --dhcp-range=10.0.0.50,10.0.0.59,255.255.255.0,1h \
        --dhcp-option=option:router,10.0.0.1 --dhcp-leasefile="$BATS_TEST_TMPDIR/leases" \
        --pid-file="$BATS_TEST_TMPDIR/dnsmasq.pid" --user=root
    netns_bg "$OUT" timeout 120 "$WISP" --mem=64 --net:service0=tap0 -- "$G"
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" READY 30 "$GUEST_PID"
    addr=$(sed -n 's|^wisp_lwip: service0: IPv4 \(10\.0\.0\.5[0-9]\)/24 gateway 10\.0\.0\.1 (DHCP)$|\1|p' "$OUT")
    [ -n "$addr" ] || { cat "$OUT" "$BATS_TEST_TMPDIR/dnsmasq.out"; return 1; }
    run nsx ping -c 2 -i 0.2 -W 2 "$addr"
    assert_status 0
    assert_output_has "2 packets transmitted, 2 received, 0% packet loss"
    echo_check "$addr" 65536
}

@test "lwip: a malformed --ipv4 or --ipv4-gateway is refused with a message, status 1" {
    netns_tap tap0 10.0.0.1/24
    run nsx timeout 30 "$WISP" --net:service0=tap0 -- "$G" --ipv4=10.0.0.300/24
    assert_status 1
    assert_output_has "wisp_lwip_init: service0: --ipv4: expected ADDR/PREFIX"
    run nsx timeout 30 "$WISP" --net:service0=tap0 -- "$G" --ipv4=10.0.0.2/33
    assert_status 1
    assert_output_has "--ipv4: expected ADDR/PREFIX"
    run nsx timeout 30 "$WISP" --net:service0=tap0 -- "$G" --ipv4=10.0.0.2/24 --ipv4-gateway=gw
    assert_status 1
    assert_output_has "--ipv4-gateway: expected an IPv4 address"
}

@test "lwip hvt: the hvt build answers ping and echoes under compatibility mode" {
    H="$HVT_GUESTS/lwip_echo.hvt"
    [ -f "$H" ] || skip "$H is not built"
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 120 "$WISP" --net:service0=tap0 -- "$H" --ipv4=10.0.0.2/24
    GUEST_PID=$BG_PID
    for _ in $(seq 1500); do
        grep -qxF READY "$OUT" && break
        kill -0 "$GUEST_PID" 2>/dev/null || break
        sleep 0.02
    done
    grep -qxF READY "$OUT" || { cat "$OUT"; return 1; }
    run nsx ping -c 2 -i 0.5 -W 5 10.0.0.2
    assert_status 0
    echo_check 10.0.0.2 65536
    quit_guest
}

# make_tls_image KIND: a CA and a server certificate for IP 10.0.0.2 (KIND
# ec: P-256 key, rsa: RSA 2048 key) signed by it, in $T; the block image
# $T/tls.img holds the server certificate then its key.
make_tls_image() {
    T="$BATS_TEST_TMPDIR"
    command -v openssl >/dev/null || skip "no openssl"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=wisp-test-ca -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
    if [ "$1" = rsa ]; then
        openssl genrsa -out "$T/key.pem" 2048 2>/dev/null
    else
        openssl ecparam -name prime256v1 -genkey -noout -out "$T/key.pem"
    fi
    openssl req -new -key "$T/key.pem" -subj /CN=10.0.0.2 -out "$T/srv.csr"
    printf 'subjectAltName=IP:10.0.0.2\n' >"$T/ext"
    openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial \
        -days 2 -extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null
    cat "$T/srv.pem" "$T/key.pem" >"$T/tls.img"
    truncate -s 8192 "$T/tls.img"
}

# tls_echo_check CAFILE: s_client verifies the chain against CAFILE, sends a
# line and gets it back; sets $output.
tls_echo_check() {
    run bash -c "(echo hello-over-tls; sleep 1) | ip netns exec '$NETNS' timeout 20 openssl s_client \
        -connect 10.0.0.2:443 -CAfile '$1' -verify_return_error -verify_ip 10.0.0.2 -tls1_2 2>&1"
}

start_tls_guest() {
    G="$(guest lwip_tls)"
    [ -f "$G" ] || skip "$G is not built"
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 120 "$WISP" --mem=64 --net:service0=tap0 --block:tls="$T/tls.img" -- \
        "$G" --ipv4=10.0.0.2/24
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" READY 30 "$GUEST_PID"
}

@test "lwip tls: TLS 1.2 echo with an ECDSA certificate, chain verified by openssl s_client, session resumed" {
    if [ "${WISP_HWVIRT:-0}" = 1 ]; then
        skip "make test-hwvirt runs the guest under QEMU's TCG: the ECDSA handshake and resumption outlast s_client's wait there; the RSA test below runs"
    fi
    make_tls_image ec
    start_tls_guest
    tls_echo_check "$T/ca.pem"
    assert_status 0
    assert_output_has "Verify return code: 0 (ok)"
    assert_output_matches "Cipher is ECDHE-ECDSA-"
    assert_output_has "hello-over-tls"
    # a second connection resumes the first one's session (cache or ticket)
    run bash -c "(echo again; sleep 1) | ip netns exec '$NETNS' timeout 20 openssl s_client \
        -connect 10.0.0.2:443 -CAfile '$T/ca.pem' -tls1_2 -sess_out '$T/sess' 2>&1"
    assert_status 0
    run bash -c "(echo again; sleep 1) | ip netns exec '$NETNS' timeout 20 openssl s_client \
        -connect 10.0.0.2:443 -CAfile '$T/ca.pem' -tls1_2 -sess_in '$T/sess' 2>&1"
    assert_status 0
    assert_output_has "Reused, TLSv1.2"
    # the same client with another CA refuses the chain
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=other -keyout "$T/o.key" -out "$T/other.pem" 2>/dev/null
    tls_echo_check "$T/other.pem"
    [ "$status" -ne 0 ]
    assert_output_lacks "hello-over-tls"
    quit_guest_tls
}

@test "lwip tls: TLS 1.2 echo with an RSA certificate (ECDHE-RSA), chain verified" {
    make_tls_image rsa
    start_tls_guest
    tls_echo_check "$T/ca.pem"
    assert_status 0
    assert_output_has "Verify return code: 0 (ok)"
    assert_output_matches "Cipher is ECDHE-RSA-"
    assert_output_has "hello-over-tls"
    quit_guest_tls
}

quit_guest_tls() {
    (echo QUIT; sleep 1) | nsx timeout 20 openssl s_client -connect 10.0.0.2:443 -CAfile "$T/ca.pem" \
        -quiet >/dev/null 2>&1 || true
    wait_pid "$GUEST_PID" 20
    [ "$bg_status" -eq 0 ] && grep -qxF SUCCESS "$OUT" || { cat "$OUT"; return 1; }
}
