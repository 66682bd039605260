#!/usr/bin/env bats
# The dnsd example service end to end: build/examples/dnsd.wisp (and the
# --target=hvt build under compatibility mode) booted on a tap in the test's
# own network namespace, the zone in a ustar archive made here with tar,
# asked with dig (dnsutils) and with raw datagrams through bash's
# /dev/udp and socat.  The guest prints "dnsd: serving on UDP port 53"
# once it answers; tests wait for that line, never for a fixed time.

load helpers
load netns

DNSD="${WISP_EXAMPLES:-$TOP/build/examples}/dnsd"
READY="dnsd: serving on UDP port 53"

setup() {
    require_netns
    command -v dig >/dev/null || skip "no dig (dnsutils)"
    command -v tar >/dev/null || skip "no tar"
    [ -f "$DNSD.wisp" ] || skip "$DNSD.wisp not built (make)"
    netns_create
    OUT="$BATS_TEST_TMPDIR/guest.out"
    ZDIR="$BATS_TEST_TMPDIR/zone.d"
    mkdir -p "$ZDIR"
}

teardown() {
    netns_destroy
}

# The zone every answering test serves: every record type, CNAME chains
# (one leaving the zone, one to nothing, one loop), an empty non-terminal,
# an RRset of 40 addresses (670 octets in a response: over 512).
write_zone() {
    cat >"$ZDIR/zone" <<'EOF'
; dnsd e2e zone
$ORIGIN example.test.
$TTL 3600
@       IN SOA ns1 hostmaster ( 2024010101 ; serial
                3600 900 604800 300 )
        IN NS  ns1
ns1     IN A   10.0.0.2
www     IN A   192.0.2.10
www  60 IN AAAA 2001:db8::10
alias      CNAME www
c1         CNAME c2
c2         CNAME alias
loop1      CNAME loop2
loop2      CNAME loop1
dead       CNAME nowhere
out        CNAME www.example.org.
txt        TXT "hello world" "v=spf1 -all"
deep.ent   A   192.0.2.99
EOF
    local i
    for i in $(seq 1 40); do
        echo "big A 198.51.100.$i" >>"$ZDIR/zone"
    done
}

# make_archive: $ZDIR/zone -> $ARCHIVE (tar --format=ustar, member "zone").
make_archive() {
    ARCHIVE="$BATS_TEST_TMPDIR/zone.tar"
    tar --format=ustar -C "$ZDIR" -cf "$ARCHIVE" zone
}

# start_dnsd [wisp|hvt] [SECONDS] [WISP-OPTION...]: boot the service on
# tap0 (10.0.0.1 on the host side, 10.0.0.2 the guest) and wait for it to
# serve.
start_dnsd() {
    local kind=${1:-wisp} secs=${2:-30}
    shift $(($# < 2 ? $# : 2))
    make_archive
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 600 "$WISP" "$@" --net:service0=tap0 --block:zone="$ARCHIVE" -- \
        "$DNSD.$kind" --ipv4=10.0.0.2/24
    GUEST_PID=$BG_PID
    wait_for_line "$OUT" "$READY" "$secs" "$GUEST_PID"
}

# q ARGS...: dig at the guest, no recursion asked, bounded.
q() {
    nsx dig @10.0.0.2 +norec +time=3 +tries=2 "$@"
}

# status_of DIG-OUTPUT: the status word of the header line.
status_of() {
    sed -n 's/.*opcode: [A-Z]*, status: \([A-Z]*\),.*/\1/p' <<<"$1"
}

# flags_of DIG-OUTPUT: the flags, e.g. "qr aa".
flags_of() {
    sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' <<<"$1"
}

# expect_eq WHAT GOT WANT
expect_eq() {
    if [ "$2" != "$3" ]; then
        echo "$1: got '$2', want '$3'" >&2
        return 1
    fi
}

# raw_query HEX: send the datagram given in hex, print the reply in hex
# ("" if none within 2 s).
raw_query() {
    local bytes
    bytes=$(sed 's/\(..\)/\\x\1/g' <<<"$1")
    printf "$bytes" | nsx timeout 5 socat -t 2 - UDP:10.0.0.2:53 | od -An -v -tx1 | tr -d ' \n'
}

# guest_alive: the unikernel is still running.
guest_alive() {
    if ! kill -0 "$GUEST_PID" 2>/dev/null; then
        echo "dnsd is no longer running; its output:" >&2
        cat "$OUT" >&2
        return 1
    fi
}

@test "dnsd: A, AAAA, TXT, NS, SOA answered authoritatively" {
    write_zone
    start_dnsd
    grep -qxF "dnsd: zone example.test.: 54 records, 14 names" "$OUT"

    run q www.example.test A
    expect_eq status "$(status_of "$output")" NOERROR
    expect_eq flags "$(flags_of "$output")" "qr aa"
    grep -qE '^www\.example\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.10$' <<<"$output"

    expect_eq AAAA "$(q +short www.example.test AAAA)" "2001:db8::10"
    run q +noall +answer www.example.test AAAA
    grep -qE '^www\.example\.test\.[[:space:]]+60[[:space:]]+IN[[:space:]]+AAAA' <<<"$output"
    expect_eq TXT "$(q +short txt.example.test TXT)" '"hello world" "v=spf1 -all"'
    expect_eq NS "$(q +short example.test NS)" "ns1.example.test."
    run q example.test NS
    grep -qE '^ns1\.example\.test\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+10\.0\.0\.2$' <<<"$output"   # glue
    expect_eq SOA "$(q +short example.test SOA)" \
        "ns1.example.test. hostmaster.example.test. 2024010101 3600 900 604800 300"
    # Names are case-insensitive; the question comes back as asked.
    run q WwW.ExAmPlE.TeSt A
    expect_eq status "$(status_of "$output")" NOERROR
    grep -qE '^;WwW\.ExAmPlE\.TeSt\.[[:space:]]+IN[[:space:]]+A$' <<<"$output"
    grep -qE '192\.0\.2\.10$' <<<"$output"
    guest_alive
}

@test "dnsd: NXDOMAIN and NODATA carry the SOA; an empty non-terminal is NODATA; outside the zone is REFUSED" {
    write_zone
    start_dnsd
    run q nope.example.test A
    expect_eq status "$(status_of "$output")" NXDOMAIN
    expect_eq flags "$(flags_of "$output")" "qr aa"
    # Negative TTL: min(SOA TTL 3600, MINIMUM 300) (RFC 2308).
    grep -qE '^example\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+SOA' <<<"$output"
    grep -qF 'ANSWER: 0, AUTHORITY: 1' <<<"$output"

    run q www.example.test TXT
    expect_eq status "$(status_of "$output")" NOERROR
    grep -qF 'ANSWER: 0, AUTHORITY: 1' <<<"$output"
    grep -qE '^example\.test\..*SOA' <<<"$output"

    run q ent.example.test A
    expect_eq status "$(status_of "$output")" NOERROR
    grep -qF 'ANSWER: 0, AUTHORITY: 1' <<<"$output"

    run q www.example.org A
    expect_eq status "$(status_of "$output")" REFUSED
    expect_eq flags "$(flags_of "$output")" "qr"
    run q version.bind TXT CH
    expect_eq status "$(status_of "$output")" REFUSED
}

@test "dnsd: CNAME chains are followed within the zone, loops and exits end them" {
    write_zone
    start_dnsd
    run q +noall +answer c1.example.test A
    expect_eq chain "$(awk '{print $1, $4, $5}' <<<"$output")" \
"c1.example.test. CNAME c2.example.test.
c2.example.test. CNAME alias.example.test.
alias.example.test. CNAME www.example.test.
www.example.test. A 192.0.2.10"
    # Asked for the CNAME itself: not followed.
    expect_eq cname "$(q +short c1.example.test CNAME)" "c2.example.test."
    # A loop: each CNAME once.
    run q +noall +answer loop1.example.test A
    expect_eq loop "$(awk '{print $1, $5}' <<<"$output")" \
"loop1.example.test. loop2.example.test.
loop2.example.test. loop1.example.test."
    # To a name outside the zone: the CNAME alone, the resolver goes on.
    run q out.example.test A
    expect_eq status "$(status_of "$output")" NOERROR
    grep -qF 'ANSWER: 1, AUTHORITY: 0' <<<"$output"
    # To a missing name: NXDOMAIN (RFC 6604) with the CNAME.
    run q dead.example.test A
    expect_eq status "$(status_of "$output")" NXDOMAIN
    grep -qF 'ANSWER: 1, AUTHORITY: 1' <<<"$output"
}

@test "dnsd: over 512 octets without EDNS sets TC; EDNS 1232 carries all 40 records" {
    write_zone
    start_dnsd
    run q +noedns +ignore big.example.test A
    expect_eq status "$(status_of "$output")" NOERROR
    expect_eq flags "$(flags_of "$output")" "qr aa tc"
    grep -qF 'ANSWER: 0,' <<<"$output"
    run q +bufsize=1232 +ignore big.example.test A
    expect_eq flags "$(flags_of "$output")" "qr aa"
    grep -qF 'ANSWER: 40,' <<<"$output"
    grep -qF 'udp: 1232' <<<"$output"
    expect_eq count "$(q +short +bufsize=1232 big.example.test A | sort -t. -k4 -n | tr '\n' ' ')" \
        "$(for i in $(seq 1 40); do printf '198.51.100.%s ' "$i"; done)"
    # A small answer needs no EDNS.
    run q +noedns www.example.test A
    expect_eq flags "$(flags_of "$output")" "qr aa"
}

@test "dnsd: malformed queries get FORMERR, other opcodes NOTIMP, responses and runts nothing" {
    command -v socat >/dev/null || skip "no socat"
    write_zone
    start_dnsd
    # ID 1234, RD, QDCOUNT 2 but one question: FORMERR, header only.
    expect_eq qdcount2 "$(raw_query 12340100000200000000000003777777076578616d706c6504746573740000010001)" \
        "123481010000000000000000"
    # The question cut short.
    expect_eq short "$(raw_query 1234010000010000000000000377777707657861)" \
        "123481010000000000000000"
    # Compression pointer in the question.
    expect_eq pointer "$(raw_query 123401000001000000000000c00c00010001)" \
        "123481010000000000000000"
    # A 64-octet label.
    expect_eq label64 "$(raw_query "12340100000100000000000040$(printf 'aa%.0s' $(seq 64))0000010001")" \
        "123481010000000000000000"
    # A byte after the question.
    expect_eq trailing "$(raw_query 12340100000100000000000003777777076578616d706c650474657374000001000100)" \
        "123481010000000000000000"
    # Opcode 5 (UPDATE): NOTIMP, opcode kept.
    expect_eq update "$(raw_query 12342800000100000000000003777777076578616d706c6504746573740000010001)" \
        "1234a8040000000000000000"
    # A response (QR set) and a runt: no answer at all.
    expect_eq qr "$(raw_query 12348100000100000000000003777777076578616d706c6504746573740000010001)" ""
    expect_eq runt "$(raw_query 12340100000100)" ""
    # A well-formed raw query is answered (the same bytes, fixed).
    run raw_query 12340100000100000000000003777777076578616d706c6504746573740000010001
    [[ "$output" == 12348500000100010000000003777777076578616d706c6504746573740000010001c00c00010001* ]]
    guest_alive
}

@test "dnsd: a storm of 3000 malformed datagrams, then good queries are still answered" {
    write_zone
    start_dnsd
    # Inside the namespace: random junk of 0..600 octets, runts, forged
    # responses, label and pointer abuse, each one datagram on /dev/udp.
    nsx timeout 120 bash -c 'set -e
        exec 3>/dev/udp/10.0.0.2/53
        for i in $(seq 1 600); do
            head -c $((RANDOM % 600)) /dev/urandom >&3
            printf "\x12\x34\x01" >&3
            printf "\x12\x34\x81\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x00\x00\x01\x00\x01" >&3
            printf "\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x01\x01a\x00\x00\x01\x00\x01\xc0\x1d\x00\x29\x10\x00\x00\x00\x00\x00\xff\xff" >&3
            printf "\x12\x34\x01\x00\xff\xff\xff\xff\xff\xff\xff\xff\x3f\x3f\x3f" >&3
        done'
    run q www.example.test A
    expect_eq status "$(status_of "$output")" NOERROR
    grep -qE '192\.0\.2\.10$' <<<"$output"
    run q nope.example.test A
    expect_eq status "$(status_of "$output")" NXDOMAIN
    guest_alive
}

@test "dnsd: answers over IPv6 too (the guest's link-local address)" {
    write_zone
    start_dnsd
    # The namespace has IPv6 off (netns.bash); on for tap0 alone, no DAD wait.
    nsx sysctl -qw net.ipv6.conf.tap0.accept_dad=0 net.ipv6.conf.tap0.disable_ipv6=0
    addr=$(sed -n 's/^wisp_lwip: service0: IPv6 \(fe80:[0-9a-f:]*\)$/\1/ip' "$OUT" | tr A-F a-f)
    [[ "$addr" == fe80:* ]]
    run nsx dig @"$addr%tap0" +norec +time=3 +tries=2 www.example.test AAAA
    expect_eq status "$(status_of "$output")" NOERROR
    expect_eq flags "$(flags_of "$output")" "qr aa"
    grep -qE 'AAAA[[:space:]]+2001:db8::10$' <<<"$output"
    grep -qF "SERVER: $addr%" <<<"$output"
}

@test "dnsd: a zone of 100,000 records (2.5 MB) loads with --mem=64 and is answered" {
    awk 'BEGIN { print "$ORIGIN big.test."; print "$TTL 60"; print "@ SOA ns h 1 2 3 4 5";
                 for (i = 1; i <= 50000; i++) {
                     printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536), int(i / 256) % 256, i % 256;
                     printf "h%d TXT \"host number %d\"\n", i, i } }' >"$ZDIR/zone"
    # lwIP's static pools take about 23 MiB (guest-lwip/include/lwipopts.h):
    # the default 32 MiB leaves too little heap for this zone.
    start_dnsd wisp 30 --mem=64
    grep -qxF "dnsd: zone big.test.: 100001 records, 50001 names" "$OUT"
    expect_eq txt "$(q +short h49999.big.test TXT)" '"host number 49999"'
    expect_eq a "$(q +short H12345.BIG.TEST A)" 10.0.48.57
    run q h50001.big.test A
    expect_eq status "$(status_of "$output")" NXDOMAIN
}

@test "dnsd: a bad zone file is refused at start with its line number, status 1" {
    cat >"$ZDIR/zone" <<'EOF'
$ORIGIN example.test.
$TTL 3600
www A 192.0.2.1
bad A 192.0.2.300
EOF
    make_archive
    netns_tap tap0 10.0.0.1/24
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:zone="$ARCHIVE" -- "$DNSD.wisp" \
        --ipv4=10.0.0.2/24
    assert_status 1
    assert_output_has "dnsd: zone: line 4: '192.0.2.300' is not an IPv4 address"
    assert_output_lacks "$READY"
}

@test "dnsd: an archive without member 'zone', and a zone with a CNAME beside data, are refused" {
    echo "not a zone" >"$ZDIR/other"
    ARCHIVE="$BATS_TEST_TMPDIR/other.tar"
    tar --format=ustar -C "$ZDIR" -cf "$ARCHIVE" other
    netns_tap tap0 10.0.0.1/24
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:zone="$ARCHIVE" -- "$DNSD.wisp"
    assert_status 1
    assert_output_has "dnsd: block device 'zone': the archive has no member 'zone'"

    printf '$ORIGIN t.\n$TTL 1\n\nw CNAME x\nw A 192.0.2.1\n' >"$ZDIR/zone"
    make_archive
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:zone="$ARCHIVE" -- "$DNSD.wisp"
    assert_status 1
    assert_output_has "dnsd: zone: line 4: a CNAME owner can have no other record"
}

@test "dnsd (hvt build, compatibility mode): A, NXDOMAIN, CNAME chain and TC" {
    [ -f "$DNSD.hvt" ] || skip "$DNSD.hvt not built (make)"
    write_zone
    # At CPL3 (the default) newlib's and lwIP's SSE code runs natively.
    start_dnsd hvt 300 || { cat "$OUT"; false; }
    run nsx dig @10.0.0.2 +norec +time=20 +tries=1 www.example.test A
    expect_eq status "$(status_of "$output")" NOERROR
    grep -qE '192\.0\.2\.10$' <<<"$output"
    run nsx dig @10.0.0.2 +norec +time=20 +tries=1 nope.example.test A
    expect_eq status "$(status_of "$output")" NXDOMAIN
    run nsx dig @10.0.0.2 +norec +time=20 +tries=1 +short c1.example.test A
    expect_eq chain "$(tail -1 <<<"$output")" 192.0.2.10
    run nsx dig @10.0.0.2 +norec +time=20 +tries=1 +noedns +ignore big.example.test A
    expect_eq flags "$(flags_of "$output")" "qr aa tc"
    guest_alive
}
