#!/usr/bin/env bats
# The httpd example end to end (examples/httpd, README "Example services"):
# the unikernel serves a site from a ustar archive made here with tar, in
# this test's own network namespace, to Debian's curl and to raw clients.
# Every bad input is followed by a good request that must still be
# answered, and the guest must still be running.  Timeouts are set short
# (--timeout=2) so slow and idle clients are dropped within the test.

load helpers
load netns
load web

setup() {
    require_netns
    require_web_tools
    [ -f "$EXAMPLES/httpd.wisp" ] || skip "build/examples/httpd.wisp not built"
    netns_create
    make_site
}

teardown() {
    netns_destroy
}

url() {
    echo "http://$WEB_IP$1"
}

# good_request: GET / is answered with index.html and the guest lives on.
good_request() {
    local body
    body=$(nsx curl -sS -m 10 --fail "$(url /)") || {
        echo "the good request failed" >&2
        return 1
    }
    [ "$body" = "$(cat "$SITE/index.html")" ] || {
        echo "wrong body for /: $body" >&2
        return 1
    }
    web_alive
}

# expect_raw STATUS: stdin is a raw request; the response's status line
# must be "HTTP/1.1 STATUS ...", then a good request must work.
expect_raw() {
    local got
    got=$(raw_http 80 | status_line)
    [[ "$got" == "HTTP/1.1 $1 "* ]] || {
        echo "expected status $1, got '$got'" >&2
        return 1
    }
    good_request
}

@test "httpd: GET / serves index.html with Content-Type and Content-Length" {
    start_web httpd.wisp -- --timeout=2
    run nsx curl -sS -m 10 -D "$BATS_TEST_TMPDIR/h" -o "$BATS_TEST_TMPDIR/b" -w '%{http_code}' "$(url /)"
    assert_status 0
    [ "$output" = 200 ]
    cmp "$BATS_TEST_TMPDIR/b" "$SITE/index.html"
    grep -qx $'Content-Type: text/html; charset=utf-8\r' "$BATS_TEST_TMPDIR/h"
    grep -qx "Content-Length: $(wc -c <"$SITE/index.html")"$'\r' "$BATS_TEST_TMPDIR/h"
    grep -qx $'Connection: keep-alive\r' "$BATS_TEST_TMPDIR/h"
}

@test "httpd: HEAD gives GET's headers and no body" {
    start_web httpd.wisp -- --timeout=2
    resp=$(printf 'HEAD /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' | raw_http 80)
    [ "$(status_line <<<"$resp")" = "HTTP/1.1 200 OK" ]
    grep -qx $'Content-Length: 1048576\r' <<<"$resp"
    grep -qx $'Content-Type: application/octet-stream\r' <<<"$resp"
    # Nothing after the blank line that ends the head.
    [ "$(printf '%s' "$resp" | wc -c)" -lt 300 ]
    [ "$(tail -n 1 <<<"$resp")" = $'\r' ]
    good_request
}

@test "httpd: paths: directory index, content types, ustar prefix names, 404" {
    start_web httpd.wisp -- --timeout=2
    [ "$(nsx curl -sS -m 10 "$(url /sub/)")" = "<h1>sub</h1>" ]
    run nsx curl -sS -m 10 -o /dev/null -w '%{http_code} %{content_type}' "$(url /sub/style.css)"
    [ "$output" = "200 text/css; charset=utf-8" ]
    [ "$(nsx curl -sS -m 10 "$(url "/$LONG_DIR/the-file-name.txt")")" = deep ]
    run nsx curl -sS -m 10 -o "$BATS_TEST_TMPDIR/b" -w '%{http_code}' "$(url /missing.html)"
    [ "$output" = 404 ]
    [ "$(cat "$BATS_TEST_TMPDIR/b")" = "404 Not Found" ]
    # A directory is not a file; "." and ".." segments are refused.
    run nsx curl -sS -m 10 -o /dev/null -w '%{http_code}' "$(url /sub)"
    [ "$output" = 404 ]
    run nsx curl -sS -m 10 --path-as-is -o /dev/null -w '%{http_code}' "$(url /sub/../index.html)"
    [ "$output" = 400 ]
    good_request
}

@test "httpd: other methods get 405 with Allow, then a good request is answered" {
    start_web httpd.wisp -- --timeout=2
    run nsx curl -sS -m 10 -X POST -d x -D "$BATS_TEST_TMPDIR/h" -o /dev/null -w '%{http_code}' "$(url /)"
    [ "$output" = 405 ]
    grep -qx $'Allow: GET, HEAD\r' "$BATS_TEST_TMPDIR/h"
    run nsx curl -sS -m 10 -X DELETE -o /dev/null -w '%{http_code}' "$(url /index.html)"
    [ "$output" = 405 ]
    printf 'BREW / HTTP/1.1\r\nHost: t\r\n\r\n' | expect_raw 405
    printf 'get / HTTP/1.1\r\nHost: t\r\n\r\n' | expect_raw 405
}

@test "httpd: keep-alive: curl reuses one connection for three requests" {
    start_web httpd.wisp -- --timeout=2
    run nsx curl -sS -m 10 -v -o /dev/null -o /dev/null -o /dev/null \
        "$(url /)" "$(url /sub/style.css)" "$(url /big.bin)"
    assert_status 0
    [ "$(grep -c 'Re-using existing connection' <<<"$output")" -eq 2 ]
    [ "$(grep -c '^< HTTP/1.1 200 OK' <<<"$output")" -eq 3 ]
    [ "$(grep -c 'Connected to' <<<"$output")" -eq 1 ]
}

@test "httpd: pipelining: requests sent in one write are answered in order" {
    start_web httpd.wisp -- --timeout=2
    resp=$(printf '%s' "GET / HTTP/1.1"$'\r\n'"Host: t"$'\r\n\r\n' \
        "HEAD /sub/style.css HTTP/1.1"$'\r\n'"Host: t"$'\r\n\r\n' \
        "GET /sub/ HTTP/1.0"$'\r\n'"Connection: keep-alive"$'\r\n\r\n' \
        "GET /missing HTTP/1.1"$'\r\n'"Host: t"$'\r\n'"Connection: close"$'\r\n\r\n' | raw_http 80)
    run grep -E '^HTTP/1\.[01] ' <<<"$resp"
    [ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
    [ "${lines[1]}" = $'HTTP/1.1 200 OK\r' ]
    [ "${lines[2]}" = $'HTTP/1.0 200 OK\r' ]
    [ "${lines[3]}" = $'HTTP/1.1 404 Not Found\r' ]
    [ "${#lines[@]}" -eq 4 ]
    grep -qF '<h1>Hello from a wisp unikernel</h1>' <<<"$resp"
    grep -qF '<h1>sub</h1>' <<<"$resp"
    # HEAD sent no body: the stylesheet's text is not in the stream.
    ! grep -qF 'body { color' <<<"$resp"
}

@test "httpd: a request body is skipped and the next request answered on the same connection" {
    start_web httpd.wisp -- --timeout=2
    resp=$(printf 'GET /sub/ HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nGET /nope\r\nGET /sub/style.css HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n' |
        raw_http 80)
    run grep -E '^HTTP/1\.1 ' <<<"$resp"
    [ "${lines[0]}" = $'HTTP/1.1 200 OK\r' ]
    [ "${lines[1]}" = $'HTTP/1.1 200 OK\r' ]
    [ "${#lines[@]}" -eq 2 ]
    grep -qF 'body { color: #333 }' <<<"$resp"
}

@test "httpd: a 1 MiB file arrives intact (sha256), alone and 8 at once" {
    start_web httpd.wisp -- --timeout=5
    want=$(sha256sum <"$SITE/big.bin" | cut -d' ' -f1)
    got=$(nsx curl -sS -m 60 "$(url /big.bin)" | sha256sum | cut -d' ' -f1)
    [ "$got" = "$want" ]
    args=()
    for i in $(seq 8); do
        args+=(-o "$BATS_TEST_TMPDIR/big.$i" "$(url /big.bin)")
    done
    run nsx curl -sS -m 120 --parallel --parallel-immediate --parallel-max 8 "${args[@]}"
    assert_status 0
    for i in $(seq 8); do
        [ "$(sha256sum <"$BATS_TEST_TMPDIR/big.$i" | cut -d' ' -f1)" = "$want" ]
    done
}

@test "httpd: 100 concurrent clients, each on its own connection, all answered" {
    start_web httpd.wisp -- --timeout=10
    args=()
    for i in $(seq 100); do
        args+=(-o /dev/null "$(url "/?client=$i")")
    done
    run nsx curl -sS -m 120 --parallel --parallel-immediate --parallel-max 100 \
        -w '%{http_code} %{num_connects}\n' "${args[@]}"
    assert_status 0
    [ "$(grep -c '^200 ' <<<"$output")" -eq 100 ]
    # Every transfer made its own connection: 100 connections in all.
    [ "$(awk '{n += $2} END {print n}' <<<"$output")" -eq 100 ]
    good_request
}

@test "httpd: over-long request line (414), path (414) and header section (431)" {
    start_web httpd.wisp -- --timeout=2
    { printf 'GET /'; head -c 3000 /dev/zero | tr '\0' a; } | expect_raw 414
    run nsx curl -sS -m 10 -o /dev/null -w '%{http_code}' "$(url "/$(head -c 300 /dev/zero | tr '\0' p)")"
    [ "$output" = 414 ]
    run nsx curl -sS -m 10 -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 9000 /dev/zero | tr '\0' v)" "$(url /)"
    [ "$output" = 431 ]
    hdrs=()
    for i in $(seq 70); do
        hdrs+=(-H "X-H$i: v")
    done
    run nsx curl -sS -m 10 -o /dev/null -w '%{http_code}' "${hdrs[@]}" "$(url /)"
    [ "$output" = 431 ]
    good_request
}

@test "httpd: binary junk, bare LF, a bad method token and a bad version are refused" {
    start_web httpd.wisp -- --timeout=2
    { printf '\x00\x01\xfe\xff'; head -c 2000 /dev/urandom; } | expect_raw 400
    printf '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' | expect_raw 400
    printf 'GET / HTTP/1.1\nHost: t\n\n' | expect_raw 400
    printf 'GET / HTTP/1.1\r\nHost: t\n\r\n' | expect_raw 400
    printf 'G@T / HTTP/1.1\r\nHost: t\r\n\r\n' | expect_raw 400
    printf 'GET / HTTP/1.1\r\n\r\n' | expect_raw 400
    printf 'GET / HTTP/3.0\r\nHost: t\r\n\r\n' | expect_raw 505
    printf 'GET /a%%00b HTTP/1.1\r\nHost: t\r\n\r\n' | expect_raw 400
}

@test "httpd: huge Content-Length (413) and Transfer-Encoding (501) are refused" {
    start_web httpd.wisp -- --timeout=2
    printf 'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n' | expect_raw 413
    printf 'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n' | expect_raw 413
    printf 'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 12x\r\n\r\n' | expect_raw 400
    printf 'GET / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' | expect_raw 501
}

@test "httpd: slowloris: a head trickling in gets 408 after the timeout while others are served" {
    start_web httpd.wisp -- --timeout=2
    # One header byte every 0.3 s, for up to 9 s: the head never completes.
    nsx bash -c 'trap "" PIPE; exec 3<>/dev/tcp/'$WEB_IP'/80; s=$(date +%s%N)
        printf "GET / HTTP/1.1\r\nHost: t\r\n" >&3
        (for i in $(seq 30); do printf X >&3 || break; sleep 0.3; done) 2>/dev/null &
        first=$(timeout 12 head -n 1 <&3 | tr -d "\r"); timeout 12 cat <&3 >/dev/null
        echo "$first $(( ($(date +%s%N) - s) / 1000000 ))"; kill $! 2>/dev/null' >"$BATS_TEST_TMPDIR/slow" &
    slow=$!
    sleep 1
    good_request
    wait "$slow"
    local line proto code ms
    read -r line <"$BATS_TEST_TMPDIR/slow" || true
    cat "$BATS_TEST_TMPDIR/slow"
    read -r proto code _ <<<"$line"
    ms=${line##* } # the reason phrase has words of its own
    [ "$proto $code" = "HTTP/1.1 408" ]
    # Closed after the 2 s timeout (polled every 0.5 s), well before 9 s.
    [ "$ms" -ge 1900 ]
    [ "$ms" -lt 5000 ]
    good_request
}

@test "httpd: an idle connection is closed after the timeout" {
    start_web httpd.wisp -- --timeout=2
    run nsx bash -c 'exec 3<>/dev/tcp/'$WEB_IP'/80; s=$(date +%s%N); timeout 10 cat <&3 >/dev/null
        echo $(( ($(date +%s%N) - s) / 1000000 ))'
    assert_status 0
    [ "$output" -ge 1900 ]
    [ "$output" -lt 4500 ]
    good_request
}

@test "httpd: a client that never reads a 1 MiB response is dropped; others are served meanwhile" {
    start_web httpd.wisp -- --timeout=2
    nsx bash -c 'exec 3<>/dev/tcp/'$WEB_IP'/80
        printf "GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n" >&3; sleep 6' &
    stalled=$!
    sleep 1
    good_request
    wait "$stalled"
    good_request
}

@test "httpd: more concurrent connections than the limit: the extra ones are refused, the rest served" {
    if [ "${WISP_HWVIRT:-0}" = 1 ]; then
        skip "make test-hwvirt runs the guest under QEMU's TCG: after 150 held connections the guest frees their slots too slowly for the good request that follows (failed 1 of 3 runs); the other httpd tests run there"
    fi
    start_web httpd.wisp -- --timeout=30
    # 150 connections opened and held at once (the limit is 112), then a
    # request on each: 112 are answered, 38 were reset at once (some while
    # connecting).
    run nsx bash -c 'trap "" PIPE; fds=(); refused=0
        for i in $(seq 150); do
            if exec {fd}<>/dev/tcp/'$WEB_IP'/80; then fds+=($fd); else refused=$((refused + 1)); fi
        done 2>/dev/null
        sleep 0.5; ok=0
        for fd in "${fds[@]}"; do printf "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" >&$fd; done 2>/dev/null
        for fd in "${fds[@]}"; do
            l=$(timeout 5 head -n 1 <&$fd 2>/dev/null | tr -d "\r")
            if [ "$l" = "HTTP/1.1 200 OK" ]; then ok=$((ok + 1)); else refused=$((refused + 1)); fi
        done
        echo "$ok $refused"'
    assert_status 0
    [ "$output" = "112 38" ]
    # The 112 closed connections free their slots as the guest gets to
    # them: a connect at once may still be refused (seen under QEMU's TCG
    # in make test-hwvirt), one within 10 s may not.
    for i in $(seq 20); do
        nsx curl -sS -m 2 --fail -o /dev/null "$(url /)" 2>/dev/null && break
        sleep 0.5
    done
    good_request
}

@test "httpd: answers over IPv6 at its link-local address (the listener takes both families)" {
    start_web httpd.wisp -- --timeout=2
    nsx sysctl -qw net.ipv6.conf.tap0.accept_dad=0 net.ipv6.conf.tap0.disable_ipv6=0
    addr=$(sed -n 's/^wisp_lwip: service0: IPv6 //p' "$OUT" | tr 'A-F' 'a-f')
    [[ "$addr" == fe80:* ]]
    run nsx curl -sS -m 10 --retry 3 --retry-all-errors -g "http://[$addr%tap0]/"
    assert_status 0
    [ "$output" = "$(cat "$SITE/index.html")" ]
}

@test "httpd (compatibility mode): the hvt build serves GET / and a 404" {
    [ -f "$EXAMPLES/httpd.hvt" ] || skip "build/examples/httpd.hvt not built"
    WEB_BOOT_SECONDS=300 start_web httpd.hvt -- --timeout=60 || { cat "$OUT"; return 1; }
    run nsx curl -sS -m 120 "$(url /)"
    assert_status 0
    [ "$output" = "$(cat "$SITE/index.html")" ]
    run nsx curl -sS -m 120 -o /dev/null -w '%{http_code}' "$(url /missing)"
    [ "$output" = 404 ]
    web_alive
}
