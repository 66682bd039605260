#!/usr/bin/env bats
# wisp serve (tender/serve/): a fresh VM per connection, the pool, the
# bounds, the bad clients and guests of issue 13.  Every client is local:
# curl, socat and tests/tools/serveload on 127.0.0.1 or a Unix socket.

load helpers

SERVER_PID=""
SERVER_LOG=""
SOCK=""
PORT=""
LOAD="$TOOLS/serveload"
HTTP='GET /hello HTTP/1.0\r\n\r\n'

setup() {
    require_kvm
    for cmd in curl socat; do
        command -v "$cmd" >/dev/null || skip "$cmd is not installed"
    done
    SERVER_LOG="$BATS_TEST_TMPDIR/serve.log"
    SOCK="$BATS_TEST_TMPDIR/s.sock"
}

teardown() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}

# serve ARGS...: start `wisp serve ARGS...` in the background, stderr in
# $SERVER_LOG; wait until it listens; $PORT is its TCP port if it has one.
serve() {
    "$WISP" serve "$@" 2>"$SERVER_LOG" &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        if grep -q "max .* VMs, pool" "$SERVER_LOG" 2>/dev/null; then
            PORT=$(sed -n 's/^wisp serve: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$SERVER_LOG" | head -1)
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "server did not start:" >&2
    cat "$SERVER_LOG" >&2
    return 1
}

# stop: SIGTERM, wait; $stop_status is the server's exit status.
stop() {
    kill -TERM "$SERVER_PID"
    stop_status=0
    wait "$SERVER_PID" || stop_status=$?
    SERVER_PID=""
}

# log_has TEXT: a fixed-string match in the server's log.
log_has() {
    grep -qF -- "$1" "$SERVER_LOG" || { echo "log lacks: $1" >&2; cat "$SERVER_LOG" >&2; return 1; }
}

# wait_log TEXT: until the server's log has TEXT (5 s at most).
wait_log() {
    for _ in $(seq 1 100); do
        grep -qF -- "$1" "$SERVER_LOG" && return 0
        sleep 0.05
    done
    log_has "$1"
}

@test "serve: curl gets fn-http's answer; one log line per connection" {
    serve --listen=127.0.0.1:0 "$TOP/build/examples/fn-http.wisp"
    run curl -sS --max-time 10 "http://127.0.0.1:$PORT/hello?x=1"
    assert_status 0
    assert_output_matches '^\{"vm":"[0-9a-f]{16}","request":"GET /hello\?x=1 HTTP/1\.1","status":"200 OK"\}$'
    wait_log " vm 1 "
    grep -Eq "^wisp serve: 127\.0\.0\.1:[0-9]+ vm 1 [0-9.]+ ms exit 0$" "$SERVER_LOG"
    stop
    [ "$stop_status" -eq 0 ]
}

@test "serve: every connection gets a fresh VM, never reused" {
    serve --listen=127.0.0.1:0 --pool=2 --stats "$TOP/build/examples/fn-http.wisp"
    for i in 1 2 3 4 5; do
        curl -sS --max-time 10 "http://127.0.0.1:$PORT/$i" >>"$BATS_TEST_TMPDIR/answers"
    done
    # Five answers, five different random VM ids.
    [ "$(grep -c '"status":"200 OK"' "$BATS_TEST_TMPDIR/answers")" -eq 5 ]
    [ "$(grep -o '"vm":"[0-9a-f]*"' "$BATS_TEST_TMPDIR/answers" | sort -u | wc -l)" -eq 5 ]
    stop
    # Five log lines with five different VM ids; pool VMs were used.
    [ "$(grep -Ec ' vm [0-9]+ (\(pool\) )?[0-9.]+ ms exit 0$' "$SERVER_LOG")" -eq 5 ]
    [ "$(grep -Eo ' vm [0-9]+ ' "$SERVER_LOG" | sort -u | wc -l)" -eq 5 ]
    log_has "(pool)"
    grep -Eq "stats: connections 5, .*pool hits [1-5]," "$SERVER_LOG"
}

@test "serve: fn-wc counts the words of a curl --data-binary body" {
    serve --listen=127.0.0.1:0 "$TOP/build/examples/fn-wc.wisp"
    seq 1 20000 >"$BATS_TEST_TMPDIR/body.txt"
    run curl -sS --max-time 10 --data-binary @"$BATS_TEST_TMPDIR/body.txt" "http://127.0.0.1:$PORT/"
    assert_status 0
    [ "$output" = '{"words":20000,"lines":20000,"bytes":108894}' ]
    [ "$(wc -c <"$BATS_TEST_TMPDIR/body.txt")" -eq 108894 ]
    stop
}

@test "serve: a Unix socket; the client's half-close is the guest's end of input" {
    serve --listen=unix:"$SOCK" --pool=1 "$(guest input_echo)" echo
    run bash -c "printf 'one\ntwo\n' | socat -t 10 - UNIX-CONNECT:'$SOCK'"
    assert_status 0
    [ "$(head -2 <<<"$output")" = "$(printf 'one\ntwo')" ]
    assert_output_has "[end after 8 bytes,"
    assert_output_has "SUCCESS"
    wait_log "unix vm 1"
    stop
    [ "$stop_status" -eq 0 ]
    # The socket is removed at exit.
    [ ! -e "$SOCK" ]
}

@test "serve: --listen repeats: TCP and Unix at once" {
    serve --listen=127.0.0.1:0 --listen=unix:"$SOCK" "$TOP/build/examples/fn-http.wisp"
    run curl -sS --max-time 10 "http://127.0.0.1:$PORT/tcp"
    assert_output_has '"request":"GET /tcp HTTP/1.1"'
    run curl -sS --max-time 10 --unix-socket "$SOCK" "http://localhost/unix"
    assert_output_has '"request":"GET /unix HTTP/1.1"'
    stop
}

@test "serve: --timeout ends the VM of a client that sends nothing" {
    serve --listen=unix:"$SOCK" --timeout=1 --stats "$(guest input_echo)" echo
    start=$SECONDS
    run bash -c "socat -t 0.5 - UNIX-CONNECT:'$SOCK' < <(sleep 5 2>/dev/null)"
    # Closed by the server after 1 s, long before the client's 5 s.
    [ $((SECONDS - start)) -lt 4 ]
    wait_log "timeout after 1 s"
    grep -Eq "^wisp serve: unix vm 1 [0-9.]+ ms timeout after 1 s$" "$SERVER_LOG"
    stop
    log_has "timeouts 1,"
}

@test "serve: a client gone mid-response: the flooding VM is stopped, the server serves on" {
    serve --listen=unix:"$SOCK" --timeout=20 "$(guest input_echo)" flood
    # Read 64 KiB of the flood, then close.
    printf 'go\n' | socat -t 5 - UNIX-CONNECT:"$SOCK" 2>/dev/null | head -c 65536 >/dev/null || true
    wait_log "unix vm 1 "
    log_has "exit 253: console: write failed"
    kill -0 "$SERVER_PID"
    printf 'go\n' | socat -t 5 - UNIX-CONNECT:"$SOCK" 2>/dev/null | head -c 1000 >/dev/null || true
    wait_log "unix vm 2 "
    stop
    [ "$stop_status" -eq 0 ]
}

@test "serve: a flooding guest and a client that does not read: bounded, ended by --timeout" {
    serve --listen=unix:"$SOCK" --timeout=2 "$(guest input_echo)" flood
    # The client sends a line and then reads nothing for 4 s.
    (printf 'go\n'; sleep 4) | socat -u - UNIX-CONNECT:"$SOCK" &
    client=$!
    sleep 1
    # Backpressure: the VM is asleep in its write to the full socket, not
    # running; the server's memory stays small (it never holds guest output).
    vm=$(pgrep -P "$SERVER_PID" | while read -r p; do
        ls -l /proc/"$p"/fd 2>/dev/null | grep -q kvm && echo "$p"; done)
    [ -n "$vm" ]
    [ "$(awk '{print $3}' /proc/"$vm"/stat)" = S ]
    rss_kib=$(awk '/^VmRSS/ {print $2}' /proc/"$SERVER_PID"/status)
    [ "$rss_kib" -lt 20000 ]
    wait_log "timeout after 2 s"
    wait "$client" || true
    stop
}

@test "serve: a crashing guest: connection closed, logged, the next one served" {
    serve --listen=unix:"$SOCK" --stats "$(guest input_echo)" crash
    run bash -c "printf 'before the crash\n' | socat -t 10 - UNIX-CONNECT:'$SOCK'"
    assert_status 0
    [ "$output" = "before the crash" ]
    wait_log "unix vm 1 "
    grep -Eq "^wisp serve: unix vm 1 [0-9.]+ ms exit 255: guest crashed: page fault: write to read-only memory" "$SERVER_LOG"
    log_has "wisp serve: vm 1:   instruction at"
    run bash -c "printf 'again\n' | socat -t 10 - UNIX-CONNECT:'$SOCK'"
    [ "$output" = "again" ]
    wait_log "unix vm 2 "
    stop
    log_has "crashes 2"
}

@test "serve: a runaway guest is ended by --timeout, the server serves on" {
    serve --listen=unix:"$SOCK" --timeout=1 "$(guest input_echo)" linespin
    run bash -c "socat -t 0.5 - UNIX-CONNECT:'$SOCK' < <(printf 'spin\n'; sleep 5 2>/dev/null)"
    [ "$output" = "spin" ]
    wait_log "unix vm 1 "
    log_has "timeout after 1 s"
    run bash -c "socat -t 0.5 - UNIX-CONNECT:'$SOCK' < <(printf 'again\n'; sleep 5 2>/dev/null)"
    [ "$output" = "again" ]
    wait_log "unix vm 2 "
    stop
}

@test "serve: a guest that spins before its first wait is refused at start" {
    run timeout 60 "$WISP" serve --listen=unix:"$SOCK" "$(guest input_echo)" spin
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "refused: its guest did not reach its first wait for input within 10 s"
    [ ! -e "$SOCK" ]
}

@test "serve: 1,000 concurrent connections against --max-vms=50: all served" {
    [ -x "$LOAD" ] || skip "serveload not built"
    serve --listen=127.0.0.1:0 --max-vms=50 --stats "$TOP/build/examples/fn-http.wisp"
    run "$LOAD" --conns=1000 --concurrency=1000 --timeout=120 --request="$HTTP" \
        --expect='"status":"200 OK"' "127.0.0.1:$PORT"
    echo "$output"
    assert_status 0
    assert_output_has "conns=1000 ok=1000 failed=0"
    stop
    log_has "stats: connections 1000,"
    peak=$(sed -n 's/.*peak serving \([0-9]*\),.*/\1/p' "$SERVER_LOG")
    [ "$peak" -le 50 ]
    [ "$(grep -Ec ' ms exit 0$' "$SERVER_LOG")" -eq 1000 ]
}

@test "serve: a pool under back-to-back load stays on and logs every connection, also one its VM ended before the server heard of it" {
    [ -x "$LOAD" ] || skip "serveload not built"
    serve --listen=127.0.0.1:0 --max-vms=16 --pool=8 --stats "$TOP/build/examples/fn-http.wisp"
    for i in 1 2 3; do
        run "$LOAD" --conns=300 --concurrency=8 --timeout=120 --request="$HTTP" \
            --expect='"status":"200 OK"' "127.0.0.1:$PORT"
        assert_status 0
        assert_output_has "conns=300 ok=300 failed=0"
    done
    stop
    log_has "stats: connections 900,"
    ! grep -q "pool turned off" "$SERVER_LOG" || false
    # One line per connection: served and logged at its end, or (a pool VM
    # that ended first) logged when the acceptor's word arrived.
    [ "$(grep -Ec ' ms exit 0$| \(pool\) exit 0 \(it ended before its connection was known here\)$' "$SERVER_LOG")" -eq 900 ]
    hits=$(sed -n 's/.*pool hits \([0-9]*\),.*/\1/p' "$SERVER_LOG")
    [ "$hits" -ge 100 ]
}

@test "serve: SIGTERM drains: a running VM finishes, then the server exits 0" {
    serve --listen=unix:"$SOCK" --stats "$(guest input_echo)" echo
    (printf 'slow\n'; sleep 1; printf 'end\n') | socat -t 10 - UNIX-CONNECT:"$SOCK" >"$BATS_TEST_TMPDIR/out" &
    client=$!
    sleep 0.4
    kill -TERM "$SERVER_PID"
    wait_log "SIGTERM: not accepting; 1 VM still serving"
    # No new connection is accepted while draining.
    ! printf 'x\n' | socat -t 2 - UNIX-CONNECT:"$SOCK" 2>/dev/null || false
    wait "$client"
    grep -qx "end" "$BATS_TEST_TMPDIR/out"
    grep -q "end after 9 bytes" "$BATS_TEST_TMPDIR/out"
    status=0
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    [ "$status" -eq 0 ]
    log_has "stats: connections 1,"
}

@test "serve: the acceptor is seccomp-confined; neither it nor the server holds a VM" {
    serve --listen=unix:"$SOCK" --pool=2 "$(guest input_echo)" echo
    children=$(pgrep -P "$SERVER_PID")
    confined=0
    for pid in $children; do
        # The acceptor: the child without /dev/kvm open.
        if ! ls -l /proc/"$pid"/fd 2>/dev/null | grep -q kvm; then
            grep -q "^Seccomp:[[:space:]]*2" /proc/"$pid"/status
            grep -q "^NoNewPrivs:[[:space:]]*1" /proc/"$pid"/status
            confined=$((confined + 1))
        fi
    done
    [ "$confined" -eq 1 ]
    # The supervisor: no KVM file, no guest memory.
    ! ls -l /proc/"$SERVER_PID"/fd | grep -q kvm || false
    rss_kib=$(awk '/^VmRSS/ {print $2}' /proc/"$SERVER_PID"/status)
    [ "$rss_kib" -lt 20000 ]
    # The two pool VMs are up before any connection (booted one per CPU at
    # a time: give the second its turn).
    for _ in $(seq 1 50); do
        [ "$(pgrep -P "$SERVER_PID" | wc -w)" -ge 3 ] && break
        sleep 0.1
    done
    [ "$(pgrep -P "$SERVER_PID" | wc -w)" -eq 3 ]
    stop
}

@test "serve: a file that is not a unikernel is refused at start, before listening" {
    run "$WISP" serve --listen=unix:"$SOCK" /bin/true
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "wisp serve: /bin/true:"
    assert_output_lacks "listening on"
    [ ! -e "$SOCK" ]
}

@test "serve: a Solo5 hvt unikernel is refused at start" {
    hvt="$TOP/build/tests/guests-hvt/hello.hvt"
    [ -f "$hvt" ] || skip "no hvt test unikernel built"
    run "$WISP" serve --listen=unix:"$SOCK" "$hvt"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "the input stream is offered to isolated-mode unikernels only"
}

@test "serve: a read-write block device is refused with more than one VM" {
    truncate -s 1M "$BATS_TEST_TMPDIR/disk.img"
    run "$WISP" serve --listen=unix:"$SOCK" --block:storage="$BATS_TEST_TMPDIR/disk.img" "$(guest blkrw)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--block:storage=$BATS_TEST_TMPDIR/disk.img: a read-write block device can be given to one VM only"
    run "$WISP" serve --listen=unix:"$SOCK" --max-vms=1 --pool=1 --block:storage="$BATS_TEST_TMPDIR/disk.img" "$(guest blkrw)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "a read-write block device can be given to one VM only"
}

@test "serve: tender options reach every VM; a missing device is refused at start" {
    run "$WISP" serve --listen=unix:"$SOCK" "$(guest blkrw)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "declares 1 device that is not attached"
    run "$WISP" serve --listen=unix:"$SOCK" --mem=1 "$(guest input_echo)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--mem: 1 MiB is out of range"
}

@test "serve: option errors name the option" {
    g=$(guest input_echo)
    run "$WISP" serve "$g"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "wisp serve: missing --listen=ADDR"
    run "$WISP" serve --listen=unix:"$SOCK" --pool=x "$g"
    assert_output_has "wisp serve: --pool=x: expected a whole number from 0 to 1024"
    run "$WISP" serve --listen=unix:"$SOCK" --max-vms=0 "$g"
    assert_output_has "wisp serve: --max-vms=0: expected a whole number from 1 to 4096"
    run "$WISP" serve --listen=unix:"$SOCK" --timeout=0 "$g"
    assert_output_has "wisp serve: --timeout=0: expected a whole number from 1 to 86400"
    run "$WISP" serve --listen=unix:"$SOCK" --input "$g"
    assert_output_has "wisp serve: --input: wisp serve gives every VM its connection as input"
    run "$WISP" serve --listen=nohost "$g"
    assert_output_has "wisp serve: --listen=nohost: expected HOST:PORT, [IPV6]:PORT or unix:PATH"
    run "$WISP" serve --listen=example.com:80 "$g"
    assert_output_has "HOST must be a numeric IPv4 address, localhost, * or [IPV6]"
    run "$WISP" serve --listen=unix:"$SOCK" --frobnicate "$g"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "wisp serve: unknown option: --frobnicate"
    run "$WISP" serve --help
    assert_status 0
    assert_output_has "usage: wisp serve [SERVE OPTIONS] --listen=ADDR"
}

# pool_vms: the number of the server's VM processes whose guest has not
# ended (the supervisor's children but the acceptor: the oldest child).
pool_vms() {
    local kids
    kids=$(pgrep -P "$SERVER_PID" | sort -n)
    echo "$kids" | sed 1d | grep -c . || true
}

@test "serve: the pool fills to --pool although only one VM per CPU boots at a time" {
    # Pool boots are paced by each VM's ready byte (devices/input.c,
    # serve/server.c): with more pool VMs than CPUs, the pool only fills if
    # every ready byte is written and read.  A VM that never said it was
    # ready would hold the pool at the number of CPUs.
    local want=$(( $(nproc) + 3 )) n=0
    serve --listen=127.0.0.1:0 --pool="$want" --max-vms=2 "$TOP/build/examples/fn-http.wisp"
    for _ in $(seq 1 100); do
        n=$(pool_vms)
        [ "$n" -ge "$want" ] && break
        sleep 0.1
    done
    [ "$n" -eq "$want" ] || { echo "pool VMs: $n, expected $want" >&2; cat "$SERVER_LOG" >&2; false; }
    # Each still serves one connection (the ready byte did not disturb the
    # hand-off), and the pool refills.
    for i in 1 2 3; do
        run curl -sS --max-time 10 "http://127.0.0.1:$PORT/p$i"
        assert_status 0
        assert_output_has '"status":"200 OK"'
    done
    wait_log "(pool)"
    stop
    [ "$stop_status" -eq 0 ]
}
