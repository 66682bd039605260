#!/usr/bin/env bats
# The process target (wisp-cc --target=process): the test unikernels built
# as static Linux executables (build/tests/guests-process/NAME.process, the
# list in mk/process.mk) behave as under wisp: same console output, exit
# statuses, options and messages, devices, and a seccomp allow-list in
# force while the unikernel runs.  No /dev/kvm needed; the network test
# needs root and its own namespace.

load helpers
load netns

PGUESTS="$TOP/build/tests/guests-process"

# pguest NAME: path of a test unikernel built for the process target.
pguest() {
    echo "$PGUESTS/$1.process"
}

# prun NAME ARGS...: run it under a time limit (sets $status, $output).
prun() {
    local g
    g=$(pguest "$1")
    shift
    run timeout --foreground 60 "$g" "$@"
}

teardown() {
    netns_destroy
}

@test "process: hello prints its command line and exits 0" {
    prun hello Hello_wisp
    assert_status 0
    assert_output_has "Command line is: 'Hello_wisp'"
    assert_output_has "SUCCESS"
}

@test "process: the console output is byte for byte what wisp prints" {
    require_kvm
    run timeout 60 "$WISP" "$(guest output)"
    assert_status 0
    local vm=$output
    prun output
    assert_status 0
    [ "$output" = "$vm" ]
}

@test "process: the exit status is the unikernel's own" {
    prun exitcode
    assert_status 42
    assert_output_has "exiting with status 42"
}

@test "process: solo5_abort and a smashed stack end with status 255 and wisp's message" {
    prun abort
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest aborted"
    prun ssp
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest aborted: stack smashing detected"
}

@test "process: a bad memory access is a crash report and status 255, not a signal" {
    prun notls
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest crashed: SIGSEGV (invalid memory access) at 0x"
    assert_output_has "wisp:   instruction at 0x"
}

@test "process: clocks, yield, TLS, data/bss and SSE/AVX work" {
    for g in time tls globals fpu quiet; do
        prun "$g"
        echo "$g: $output"
        assert_status 0
        assert_output_has "SUCCESS"
    done
}

@test "process: options are refused by name with wisp's status 253" {
    prun hello --bogus
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "wisp: unknown option: --bogus"
    prun hello --mem=1
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "wisp: --mem: 1 MiB is out of range"
    prun hello --mem=lots
    assert_output_has "wisp: --mem: 'lots' is not a number of MiB"
    prun hello --block:storage=/dev/null
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "device 'storage' is not declared in the manifest of"
    prun blkrw write 1
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "declares 1 device that is not attached: 'storage' (BLOCK_BASIC)"
    prun blktype --net:storage=tap0 --block:service=x
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "device 'storage' is declared as BLOCK_BASIC"
}

@test "process: --help and --version tell the truth and exit 0" {
    prun hello --help
    assert_status 0
    assert_output_has "--target=process"
    assert_output_has "--block:NAME=PATH"
    prun hello --version
    assert_status 0
    assert_output_has "wisp process target"
    # After --, options are the unikernel's arguments.
    prun hello -- --help
    assert_status 1
    assert_output_has "Command line is: '--help'"
}

@test "process: block devices: write, flush, read back, read-only attachment" {
    local img="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 1M "$img"
    prun blkrw --block:storage="$img" write 7
    assert_status 0
    prun blkrw --block:storage="$img" --block-sector-size:storage=4096 check 7
    assert_status 0
    assert_output_has "block_size 4096"
    # (blkrw's own "ro" mode also makes raw hypercalls, which only a VM has.)
    prun blkrw --block-ro:storage="$img" check 7
    assert_status 0
    prun blkrw --block:storage="$img" check 8
    assert_status 1
}

@test "process: a read-write image is locked against a second user" {
    local img="$BATS_TEST_TMPDIR/disk.img" out="$BATS_TEST_TMPDIR/hold.out"
    truncate -s 64K "$img"
    timeout 60 "$(pguest blkrw)" --block:storage="$img" hold 3000 >"$out" 2>&1 &
    local pid=$!
    wait_for_line "$out" READY 20 "$pid"
    prun blkrw --block:storage="$img" write 1
    kill "$pid"; wait "$pid" || true
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "is in use by another process"
}

@test "process: the seccomp filter is in force while the unikernel runs" {
    local img="$BATS_TEST_TMPDIR/disk.img" out="$BATS_TEST_TMPDIR/hold.out"
    truncate -s 64K "$img"
    # Started directly (not under timeout) so that $! is the unikernel.
    "$(pguest blkrw)" --block:storage="$img" hold 3000 >"$out" 2>&1 &
    local pid=$!
    wait_for_line "$out" READY 20 "$pid"
    run grep -E '^(Seccomp|NoNewPrivs):' "/proc/$pid/status"
    kill "$pid"; wait "$pid" || true
    assert_output_has "Seccomp:	2"
    assert_output_has "NoNewPrivs:	1"
}

@test "process: a network device on a tap answers ping" {
    require_root
    [ -c /dev/net/tun ] || skip "no /dev/net/tun"
    command -v ip >/dev/null || skip "no ip (iproute2)"
    netns_create
    netns_tap tap0 10.0.0.1/24
    local out="$BATS_TEST_TMPDIR/guest.out"
    netns_bg "$out" timeout 120 "$(pguest net_ping)" --net:service0=tap0 -- 10.0.0.2 count=20
    local pid=$BG_PID
    wait_for_line "$out" READY 30 "$pid"
    run nsx ping -c 20 -i 0.01 -w 20 10.0.0.2
    echo "$output"
    assert_output_has "20 packets transmitted, 20 received, 0% packet loss"
    wait_pid "$pid" 30
    [ "$bg_status" -eq 0 ]
    grep -qxF SUCCESS "$out"
}

@test "process: a system call outside the allow-list kills the unikernel" {
    cat >"$BATS_TEST_TMPDIR/sys.c" <<'C'
#include "solo5.h"
int solo5_app_main(const struct solo5_start_info *si)
{
    long ret;
    (void)si;
    solo5_console_write("calling getpid\n", 15);
    __asm__ __volatile__("syscall" : "=a"(ret) : "a"(39L) : "rcx", "r11", "memory");
    solo5_console_write("survived\n", 9);
    return 0;
}
C
    run "$WISP_CC" --target=process -o "$BATS_TEST_TMPDIR/sys.process" "$BATS_TEST_TMPDIR/sys.c"
    assert_status 0
    run timeout 60 "$BATS_TEST_TMPDIR/sys.process"
    assert_output_has "calling getpid"
    assert_output_lacks "survived"
    # SIGSYS: killed by the filter (128 + 31).
    assert_status 159
}
