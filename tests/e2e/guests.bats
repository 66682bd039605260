#!/usr/bin/env bats
# End-to-end tests: boot every test unikernel of tests/guests/ under the
# tender and check its exit status and output (mirrors Solo5's tests.bats,
# see design/SOLO5_HVT_ABI.md section 7).  Build first: make all.

load helpers

# expect_crash KIND [REGION]: the guest ended in a page fault of KIND (and, if
# given, in REGION), with the report on stderr and status 255, and did not
# run on past the bad access.
expect_crash() {
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest crashed: page fault: $1 at 0x"
    if [ -n "${2:-}" ]; then
        assert_output_matches "wisp: guest crashed: page fault: $1 at 0x[0-9a-f]+ in $2( |\$)"
    fi
    assert_output_has "wisp:   instruction at 0x"
    assert_output_lacks "FAILURE"
    assert_output_lacks "SUCCESS"
}

@test "hello: boots, checks its command line, exits 0" {
    require_kvm
    wisp_run "$(guest hello)" Hello_wisp
    expect_success
    assert_output_has "Hello, World"
    assert_output_has "Command line is: 'Hello_wisp'"
}

@test "hello: a wrong command line makes it fail with status 1" {
    require_kvm
    wisp_run "$(guest hello)" Goodbye_wisp
    assert_status 1
    assert_output_has "FAILURE"
    assert_output_lacks "SUCCESS"
}

@test "quiet: stdout is exactly SUCCESS, the tender prints nothing, exits 0" {
    require_kvm
    run_split "$(guest quiet)"
    [ "$status" -eq 0 ] || { echo "status $status"; cat "$out" "$err"; return 1; }
    printf 'SUCCESS\n' | cmp - "$out" || { echo "stdout:"; od -c "$out" | head; return 1; }
    [ ! -s "$err" ] || { echo "stderr not empty:"; cat "$err"; return 1; }
}

@test "output: a 5000-byte console write arrives intact on stdout, exits 0" {
    require_kvm
    run_split "$(guest output)"
    [ "$status" -eq 0 ] || { echo "status $status"; cat "$err"; return 1; }
    # Line k (0..99): 49 chars alphabet[(k + j) % 62], then '\n'; then SUCCESS.
    awk 'BEGIN {
        a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        for (k = 0; k < 100; k++) {
            s = ""
            for (j = 0; j < 49; j++) s = s substr(a, (k + j) % 62 + 1, 1)
            print s
        }
        print "SUCCESS"
    }' >"$BATS_TEST_TMPDIR/expected"
    [ "$(stat -c %s "$BATS_TEST_TMPDIR/expected")" -eq 5008 ]
    cmp "$BATS_TEST_TMPDIR/expected" "$out" || {
        echo "stdout differs from the expected 5008 bytes ($(stat -c %s "$out") received)"
        return 1
    }
}

@test "globals: .data is initialised and writable, .bss is zero, exits 0" {
    require_kvm
    wisp_run "$(guest globals)"
    expect_success
}

@test "fpu: SSE and AVX arithmetic works at CPL3, exits 0" {
    require_kvm
    wisp_run "$(guest fpu)"
    expect_success
    assert_output_has "SSE ok"
}

@test "tls: two TLS blocks keep .tdata/.tbss values apart, exits 0" {
    require_kvm
    wisp_run "$(guest tls)"
    expect_success
}

@test "time: clocks advance, yield honours its deadline, exits 0" {
    require_kvm
    wisp_run "$(guest time)"
    expect_success
}

@test "exitcode: the guest's status 42 passes through" {
    require_kvm
    wisp_run "$(guest exitcode)"
    assert_status 42
    assert_output_has "exiting with status 42"
}

@test "abort: solo5_abort ends the guest with status 255" {
    require_kvm
    wisp_run "$(guest abort)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest aborted"
    assert_output_lacks "FAILURE"
}

@test "ssp: a smashed stack canary aborts with status 255" {
    require_kvm
    wisp_run "$(guest ssp)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest aborted: stack smashing detected"
    assert_output_lacks "FAILURE"
}

@test "exception: a write outside guest memory crashes with status 255" {
    require_kvm
    wisp_run "$(guest exception)"
    expect_crash "access outside guest memory"
    assert_output_matches "access outside guest memory at 0x0*400000000( |\$)"
}

@test "zeropage: a write to page 0 is a NULL pointer access, status 255" {
    require_kvm
    wisp_run "$(guest zeropage)"
    expect_crash "NULL pointer access"
    assert_output_matches "NULL pointer access at 0x0*8( |\$)"
}

@test "notls: a TLS access without a TLS base crashes, status 255" {
    require_kvm
    wisp_run "$(guest notls)"
    # The variable sits just below the thread pointer (x86_64 TLS variant II),
    # so with FS base 0 the load wraps to 0xfffffffffffffffc: a NULL base
    # with a negative offset, which the tender reports as a NULL access.
    expect_crash "NULL pointer access"
    assert_output_matches "NULL pointer access at 0xfffffffffffffffc( |\$)"
    assert_output_matches "wisp:   instruction at 0x[0-9a-f]+ in text segment"
}

@test "xnow: a write to .text faults as read-only, status 255" {
    require_kvm
    wisp_run "$(guest xnow)"
    expect_crash "write to read-only memory" "text segment"
}

@test "rnow: a write to .rodata faults as read-only, status 255" {
    require_kvm
    wisp_run "$(guest rnow)"
    expect_crash "write to read-only memory" "rodata segment"
}

@test "wnox: executing .data faults as non-executable, status 255" {
    require_kvm
    wisp_run "$(guest wnox)"
    expect_crash "execute from non-executable memory" "data segment"
}

@test "rnox: executing .rodata faults as non-executable, status 255" {
    require_kvm
    wisp_run "$(guest rnox)"
    expect_crash "execute from non-executable memory" "rodata segment"
}

@test "hnox: executing the heap faults as non-executable, status 255" {
    require_kvm
    wisp_run "$(guest hnox)"
    expect_crash "execute from non-executable memory" "heap"
}

@test "snox: executing the stack faults as non-executable, status 255" {
    require_kvm
    wisp_run "$(guest snox)"
    expect_crash "execute from non-executable memory" "stack"
}

@test "stackov: unbounded recursion hits the stack guard page, status 255" {
    require_kvm
    wisp_run "$(guest stackov)"
    expect_crash "stack overflow into the guard page"
    assert_output_matches "wisp:   instruction at 0x[0-9a-f]+ in text segment"
}

@test "noexec: a unikernel executed directly on the host does not run" {
    # No KVM needed: this is about the host kernel refusing (or crashing) the
    # file, never running the guest's code to completion.
    [ -f "$(guest hello)" ] || skip "$(guest hello) is not built"
    cp "$(guest hello)" "$BATS_TEST_TMPDIR/hello.wisp"
    chmod +x "$BATS_TEST_TMPDIR/hello.wisp"
    run timeout 10 "$BATS_TEST_TMPDIR/hello.wisp" Hello_wisp
    echo "status $status, output: $output"
    # Either exec fails (126/127, e.g. Solo5's PT_INTERP trick) or the process
    # dies of a signal (128 + N) before it can do anything.
    [ "$status" -eq 126 ] || [ "$status" -eq 127 ] || [ "$status" -gt 128 ]
    assert_output_lacks "Hello, World"
    assert_output_lacks "SUCCESS"
}

@test "stackclash: a 64 KiB frame with the stack nearly used up faults in the guard page (wisp-cc probes), status 255" {
    require_kvm
    wisp_run "$(guest stackclash)"
    # descend() stops 1.5 KiB above the guard: only the big frame's page
    # probes reach it
    expect_crash "stack overflow into the guard page" "guard page"
    assert_output_has "a 64 KiB frame with 1536 bytes of stack left"
    assert_output_lacks "STACK CLASH"
}

@test "stackclash: the same frame built with -fno-stack-clash-protection jumps the guard page into the heap" {
    # The hazard -fstack-clash-protection removes: deterministic, so that
    # the test above is known to test something.
    require_kvm
    wisp_run "$(guest stackclash_noprobe)"
    assert_status 3
    assert_output_has "STACK CLASH: the frame jumped the guard page and wrote the heap at 0x"
    assert_output_lacks "wisp: guest crashed"
}
