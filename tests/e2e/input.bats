#!/usr/bin/env bats
# The input stream (wisp_input_read, WISP_INPUT_HANDLE; devices/input.c):
# `wisp --input` attaches wisp's stdin, so a unikernel is a filter in a
# pipeline.  The test unikernel input_echo (tests/guests/input_echo) copies
# its input to its console and reports the end; the examples fn-http and
# fn-wc answer what they read.

load helpers

ECHO_GUEST=""

setup() {
    require_kvm
    ECHO_GUEST=$(guest input_echo)
}

# filter TEXT ARGS...: printf TEXT into `wisp --input ARGS...`; $status,
# stdout in $out, stderr in $err.
filter() {
    local text=$1
    shift
    out="$BATS_TEST_TMPDIR/stdout"
    err="$BATS_TEST_TMPDIR/stderr"
    status=0
    printf "$text" | timeout --foreground 60 "$WISP" --input "$@" >"$out" 2>"$err" || status=$?
}

@test "input: --input copies stdin to the guest, which sees its end" {
    filter 'hello\nworld\n' "$ECHO_GUEST"
    [ "$status" -eq 0 ]
    [ "$(cat "$out")" = "$(printf 'hello\nworld\n[end after 12 bytes, 0 waits]\nSUCCESS')" ]
    [ ! -s "$err" ]
}

@test "input: input that arrives later wakes the guest through solo5_yield" {
    out="$BATS_TEST_TMPDIR/stdout"
    fifo="$BATS_TEST_TMPDIR/in"
    mkfifo "$fifo"
    "$WISP" --input "$ECHO_GUEST" <"$fifo" >"$out" &
    wisp_pid=$!
    exec 7>"$fifo"
    printf 'a' >&7
    # 'a' reaches stdout when the guest flushes its console before it
    # yields: from then on it waits for more input.
    for _ in $(seq 1 200); do grep -q a "$out" && break; sleep 0.05; done
    printf 'b\n' >&7
    exec 7>&-
    wait "$wisp_pid"
    grep -qx 'ab' "$out"
    grep -Eq '^\[end after 3 bytes, [1-9][0-9]* waits\]$' "$out"
}

@test "input: the end of a pipe whose writer is gone is reported at once (POLLHUP)" {
    out="$BATS_TEST_TMPDIR/stdout"
    start=$SECONDS
    (printf 'x'; sleep 0.2) | "$WISP" --input "$ECHO_GUEST" >"$out"
    grep -q 'end after 1 bytes' "$out"
    # The guest's own wait is 10 s: the end must not wait for it.
    [ $((SECONDS - start)) -lt 5 ]
}

@test "input: 3 MB of binary input passes byte for byte" {
    head -c 3000000 /dev/urandom >"$BATS_TEST_TMPDIR/in.bin"
    "$WISP" --input "$ECHO_GUEST" <"$BATS_TEST_TMPDIR/in.bin" >"$BATS_TEST_TMPDIR/out.bin"
    head -c 3000000 "$BATS_TEST_TMPDIR/out.bin" | cmp - "$BATS_TEST_TMPDIR/in.bin"
    tail -c +3000001 "$BATS_TEST_TMPDIR/out.bin" | grep -q 'end after 3000000 bytes'
}

@test "input: stdin from /dev/null and from a regular file" {
    run "$WISP" --input "$ECHO_GUEST" </dev/null
    assert_status 0
    assert_output_has "[end after 0 bytes, 0 waits]"
    printf 'from a file' >"$BATS_TEST_TMPDIR/in.txt"
    run "$WISP" --input "$ECHO_GUEST" <"$BATS_TEST_TMPDIR/in.txt"
    assert_status 0
    assert_output_has "from a file[end after 11 bytes, 0 waits]"
}

@test "input: without --input the guest gets EUNSPEC (no stream)" {
    run "$WISP" "$ECHO_GUEST" none </dev/null
    assert_status 0
    assert_output_has "no input stream"
}

@test "input: an INPUT_READ buffer the guest may not write ends it (ABI violation)" {
    filter 'abc' "$ECHO_GUEST" badbuf
    [ "$status" -eq "$WISP_EXIT_GUEST_FAULT" ]
    grep -qF "wisp: guest violated the hypercall ABI: INPUT_READ buffer: guest address 0x100000, size 16 is not memory the guest may write" "$err"
}

@test "input: a guest that crashes after reading: its output, then the crash report" {
    filter 'first line\nsecond\n' "$ECHO_GUEST" crash
    [ "$status" -eq "$WISP_EXIT_GUEST_FAULT" ]
    [ "$(cat "$out")" = "first line" ]
    grep -q "wisp: guest crashed: page fault: write to read-only memory" "$err"
}

@test "input: --input is refused for a Solo5 hvt unikernel" {
    hvt="$TOP/build/tests/guests-hvt/hello.hvt"
    [ -f "$hvt" ] || skip "no hvt test unikernel built"
    filter 'x' "$hvt"
    [ "$status" -eq 1 ]
    grep -qF "wisp: --input: $hvt is a Solo5 hvt unikernel; the input stream is offered to isolated-mode unikernels only" "$err"
}

@test "input: --help documents --input" {
    run "$WISP" --help
    assert_status 0
    assert_output_has "--input        the guest's input stream is wisp's stdin"
}

@test "input: fn-http answers a request read from stdin" {
    filter 'GET /x?q="1" HTTP/1.0\r\nHost: h\r\n\r\n' "$TOP/build/examples/fn-http.wisp"
    [ "$status" -eq 0 ]
    head -1 "$out" | grep -qx $'HTTP/1.0 200 OK\r'
    grep -qF '"request":"GET /x?q=\"1\" HTTP/1.0","status":"200 OK"}' "$out"
    grep -Eq '"vm":"[0-9a-f]{16}"' "$out"
    # Content-Length is the body's length.
    len=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$out")
    [ "$len" -eq "$(tail -1 "$out" | wc -c)" ]
}

@test "input: fn-http answers 400 to an empty request" {
    run "$WISP" --input "$TOP/build/examples/fn-http.wisp" </dev/null
    assert_status 0
    assert_output_has "HTTP/1.0 400 Bad Request"
}

@test "input: fn-wc counts words of plain input and of an HTTP body" {
    seq 1 5000 | tr '\n' ' ' >"$BATS_TEST_TMPDIR/words.txt"
    run "$WISP" --input "$TOP/build/examples/fn-wc.wisp" <"$BATS_TEST_TMPDIR/words.txt"
    assert_status 0
    [ "$output" = "5000" ]
    filter 'POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\none two thrNOT COUNTED' \
        "$TOP/build/examples/fn-wc.wisp"
    [ "$status" -eq 0 ]
    grep -qF '{"words":3,"lines":0,"bytes":11}' "$out"
}

@test "input: the process target reads the same input with --input" {
    command -v cc >/dev/null || skip "wisp-cc needs cc and binutils (not in the hwvirt VM)"
    proc="$BATS_TEST_TMPDIR/fn-wc.process"
    "$WISP_CC" --target=process -o "$proc" "$TOP/examples/fn-wc/fn-wc.c"
    run bash -c "printf 'one two  three\nfour\n' | '$proc' --input"
    assert_status 0
    [ "$output" = "4" ]
    run bash -c "'$proc' </dev/null"
    assert_status 0
    [ "$output" = "0" ]
}

@test "input: with --libc, stdin is the input stream (fgets waits for lines)" {
    libc_guest=$(guest input_libc)
    [ -f "$libc_guest" ] || skip "input_libc not built (guest libraries missing)"
    out="$BATS_TEST_TMPDIR/stdout"
    (printf 'one\ntw'; sleep 0.3; printf 'o\nthree\n') | "$WISP" --input "$libc_guest" >"$out"
    [ "$(cat "$out")" = "$(printf 'ONE\nTWO\nTHREE\n3 lines, 14 bytes')" ]
    run "$WISP" "$libc_guest" </dev/null
    assert_status 0
    [ "$output" = "0 lines, 0 bytes" ]
}
