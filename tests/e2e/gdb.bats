#!/usr/bin/env bats
# --gdb (tender/debug/gdb*.c): Debian's gdb in batch mode against wisp's GDB
# server, on a Unix socket (--gdb=unix:PATH) or 127.0.0.1 (--gdb-port):
# breakpoints, continue, bt, print, step, finish, a watchpoint that fires,
# Ctrl-C, a crash that stops in the debugger at the faulting instruction,
# kill and detach; isolated mode and compatibility mode (Solo5 hvt at
# CPL3).  The guest is tests/guests/gdb/gdb.c.
#
# The watchpoint tests use gdb's software watchpoints (gdb single-steps and
# compares): on kvm_pvm the debug registers never reach the running guest
# (the server refuses Z1-Z4 there), and under make test-hwvirt's QEMU TCG a
# hardware watchpoint (KVM_GUESTDBG_USE_HW_BP) was accepted but never fired.

load helpers

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

require_gdb() {
    command -v gdb >/dev/null || skip "gdb is not installed (apt-get install gdb)"
}

on_pvm() {
    [ -d /sys/module/kvm_pvm ]
}

@test "gdb: on kvm_pvm hardware watchpoints are refused, so gdb says so instead of missing the write" {
    require_kvm
    require_gdb
    on_pvm || skip "this KVM is not kvm_pvm"
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    gdb_batch "$(guest gdb)" "break add_one" continue "watch watched" continue kill
    expect_wisp "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "Could not insert hardware watchpoint"
}

# watch_setup: the gdb command for software watchpoints (see above).
watch_setup() {
    echo "set can-use-hw-watchpoints 0"
}

setup() {
    sock="$BATS_TEST_TMPDIR/gdb.sock"
    wisp_out="$BATS_TEST_TMPDIR/wisp.out"
}

# start_wisp OPTION KERNEL [ARGS...]: wisp with the gdb OPTION in the
# background; returns once it waits for the debugger.
start_wisp() {
    timeout 60 "$WISP" "$@" >"$wisp_out" 2>&1 &
    wisp_pid=$!
    for _ in $(seq 200); do
        grep -q "gdb: waiting for a debugger" "$wisp_out" 2>/dev/null && return 0
        kill -0 "$wisp_pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "wisp did not wait for a debugger; it printed:" >&2
    cat "$wisp_out" >&2
    return 1
}

# finish_wisp: wait for wisp to end: wisp_status, wisp_output.
finish_wisp() {
    wisp_status=0
    wait "$wisp_pid" || wisp_status=$?
    wisp_output=$(cat "$wisp_out")
}

# gdb_batch KERNEL CMD...: gdb -batch connected to $sock, then each CMD.
gdb_batch() {
    local kernel=$1 args=()
    shift
    for c in "$@"; do args+=(-ex "$c"); done
    run timeout 60 gdb -nx -batch -ex "target remote $sock" "${args[@]}" "$kernel"
}

expect_wisp() { # STATUS: wisp's exit status, its output shown on a mismatch
    finish_wisp
    if [ "$wisp_status" -ne "$1" ]; then
        echo "wisp exited $wisp_status, expected $1; it printed:" >&2
        echo "$wisp_output" >&2
        return 1
    fi
}

@test "gdb: isolated: break at solo5_app_main, continue, bt, print a global, step, finish" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    gdb_batch "$(guest gdb)" "break solo5_app_main" continue bt "print counter" step bt \
        finish continue
    expect_wisp 0
    assert_output_matches "^Breakpoint 1, solo5_app_main \(si=.*\) at .*gdb\.c:[0-9]+"
    assert_output_matches "^#1 +0x[0-9a-f]+ in wg_start "
    assert_output_has '$1 = 41'
    assert_output_matches "^add_one \(x=41\) at .*gdb\.c:[0-9]+"
    assert_output_matches "^#1 +0x[0-9a-f]+ in solo5_app_main "
    # wisp-cc's CFI (.debug_frame): the frame above is wg_start, no guess
    assert_output_matches "^#2 +0x[0-9a-f]+ in wg_start "
    assert_output_has "Value returned is \$2 = 42"
    assert_output_has "[Inferior 1 (Remote target) exited normally]"
    [[ "$wisp_output" == *"gdb guest: 84"* ]]
}

@test "gdb: isolated: a watchpoint on a global fires with the old and new value" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    gdb_batch "$(guest gdb)" "$(watch_setup)" "break add_one" continue "watch watched" continue \
        "print watched" "delete" continue
    expect_wisp 0
    assert_output_matches "^Watchpoint 2: watched"
    assert_output_has "Old value = 0"
    assert_output_has "New value = 84"
    assert_output_has '$1 = 84'
    assert_output_has "exited normally"
}

@test "gdb: isolated: a crash stops in the debugger at the faulting instruction, then the run ends with 255" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)" crash
    gdb_batch "$(guest gdb)" continue 'x/i $pc' bt continue
    expect_wisp "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "Program received signal SIGSEGV, Segmentation fault."
    assert_output_matches '^=> 0x[0-9a-f]+ <crash_here\+[0-9]+>:[[:space:]]+movl +\$0x1,\(%rax\)'
    assert_output_matches "^#1 +0x[0-9a-f]+ in solo5_app_main "
    assert_output_has "Program terminated with signal SIGSEGV, Segmentation fault."
    [[ "$wisp_output" == *"guest crashed: page fault: NULL pointer access at 0x8"* ]]
}

@test "gdb: Ctrl-C stops a spinning guest; the debugger releases it through memory" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)" spin
    gdb -nx -batch -ex "target remote $sock" -ex continue -ex "print released" \
        -ex "set var released = 1" -ex continue "$(guest gdb)" >"$BATS_TEST_TMPDIR/gdb.out" 2>&1 &
    gdb_pid=$!
    for _ in $(seq 100); do
        grep -q "debugger connected" "$wisp_out" && break
        sleep 0.05
    done
    sleep 1 # the guest spins
    kill -INT "$gdb_pid"
    wait "$gdb_pid" || true
    output=$(cat "$BATS_TEST_TMPDIR/gdb.out")
    expect_wisp 0
    assert_output_has "Program received signal SIGINT, Interrupt."
    assert_output_has '$1 = 0'
    assert_output_has "exited normally"
}

@test "gdb: kill ends the run: 'killed by the debugger', status 253" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    gdb_batch "$(guest gdb)" "break add_one" continue kill
    expect_wisp "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "[Inferior 1 (Remote target) killed]"
    [[ "$wisp_output" == *"wisp: killed by the debugger"* ]]
    [[ "$wisp_output" != *"gdb guest"* ]]
}

@test "gdb: detach: breakpoints out, the guest runs on to its end" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    gdb_batch "$(guest gdb)" "break add_one" "break t_puts" continue detach
    expect_wisp 0
    assert_output_has "[Inferior 1 (Remote target) detached]"
    [[ "$wisp_output" == *"gdb: the debugger detached; the guest runs on"* ]]
    [[ "$wisp_output" == *"gdb guest: 84"* ]]
}

@test "gdb: registers: rip, eflags, segments, fs_base, x87 and SSE are there; a written one sticks" {
    require_kvm
    require_gdb
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    gdb_batch "$(guest gdb)" "break add_one" continue "info registers rip eflags cs ss fs_base" \
        'p/x $fctrl' 'set var $xmm0.v2_int64[0] = 77' 'p $xmm0.v2_int64' 'p $st0' kill
    expect_wisp "$WISP_EXIT_TENDER_ERROR"
    assert_output_matches "^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <add_one"
    assert_output_matches "^cs +0x23 "
    assert_output_matches "^ss +0x1b "
    assert_output_matches "^fs_base +0x"
    assert_output_has '$1 = 0x37f'
    assert_output_has '$2 = {77, 0}'
}

@test "gdb: compatibility mode (Solo5 hvt at CPL3): break, bt, print, step, finish, watch, crash" {
    require_kvm
    require_gdb
    solo5_cpl0 && skip "--solo5:cpl0: #BP and #DB go to the guest's own handlers on kvm_pvm"
    start_wisp --gdb=unix:"$sock" "$HVT_GUESTS/gdb.hvt"
    gdb_batch "$HVT_GUESTS/gdb.hvt" "$(watch_setup)" "break solo5_app_main" continue bt \
        "print counter" step finish "watch watched" continue delete continue
    expect_wisp 0
    assert_output_matches "^Breakpoint 1, solo5_app_main "
    assert_output_matches "^#1 +0x[0-9a-f]+ in _start "
    assert_output_has '$1 = 41'
    assert_output_matches "^add_one \(x=41\)"
    assert_output_has "Value returned is \$2 = 42"
    assert_output_has "New value = 84"
    assert_output_has "exited normally"
    [[ "$wisp_output" == *"Solo5: solo5_exit(0) called"* ]]

    start_wisp --gdb=unix:"$sock" "$HVT_GUESTS/gdb.hvt" crash
    gdb_batch "$HVT_GUESTS/gdb.hvt" continue 'x/i $pc' bt continue
    expect_wisp 255
    assert_output_has "Program received signal SIGSEGV, Segmentation fault."
    assert_output_matches '^=> 0x[0-9a-f]+ <crash_here\+[0-9]+>:'
    # the registers of the fault, not of the guest's HALT: a clean backtrace
    assert_output_matches "^#1 +0x[0-9a-f]+ in solo5_app_main "
    assert_output_matches "^#2 +0x[0-9a-f]+ in _start "
    [[ "$wisp_output" == *"Solo5: trap: type=#PF"* ]]
}

@test "gdb: --gdb-port=PORT listens on 127.0.0.1 only" {
    require_kvm
    require_gdb
    # IFF_UP in lo's flags (the make test-hwvirt VM leaves lo down)
    [ $(( $(cat /sys/class/net/lo/flags 2>/dev/null || echo 0) & 1 )) = 1 ] ||
        skip "the loopback interface is down"
    port=$((20000 + RANDOM % 20000))
    start_wisp --gdb-port=$port "$(guest gdb)"
    [[ "$(cat "$wisp_out")" == *"waiting for a debugger on 127.0.0.1:$port "* ]]
    if command -v ss >/dev/null; then
        run ss -Hltn "sport = :$port"
        assert_output_matches "127\.0\.0\.1:$port"
        [[ "$output" != *"0.0.0.0:$port"* && "$output" != *"*:$port"* ]]
    fi
    sock="127.0.0.1:$port"
    gdb_batch "$(guest gdb)" "break add_one" continue "print counter" continue
    expect_wisp 0
    assert_output_has '$1 = 41'
}

@test "gdb: wisp waits confined (seccomp) and a signal ends the wait: Exiting on signal 15" {
    require_kvm
    start_wisp --gdb=unix:"$sock" "$(guest gdb)"
    pid=$(pgrep -P "$wisp_pid" -x wisp || echo "$wisp_pid")
    grep -q "^Seccomp:[[:space:]]*2" "/proc/$pid/status"
    [ -S "$sock" ]
    kill -TERM "$pid"
    expect_wisp 143
    [[ "$wisp_output" == *"Exiting on signal 15"* ]]
}

@test "gdb: bad options name the option and what was expected" {
    run "$WISP" --gdb-port=0 "$(guest gdb)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--gdb-port=0: expected a TCP port number, 1 to 65535"
    run "$WISP" --gdb=tcp:1 "$(guest gdb)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--gdb=tcp:1: expected --gdb=unix:PATH"
    run "$WISP" --gdbx "$(guest gdb)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--gdbx: expected --gdb, --gdb=unix:PATH or --gdb-port=PORT"
    run "$WISP" serve --listen=127.0.0.1:0 --gdb "$(guest gdb)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--gdb: not an option of wisp serve"
}

@test "gdb: wisp-cc -g keeps the DWARF gdb reads source lines from" {
    command -v gcc >/dev/null || skip "gcc is not installed (wisp-cc needs it)"
    command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
    "$WISP_CC" -g -Itests/guests/common -o "$BATS_TEST_TMPDIR/g.wisp" \
        "$TOP/tests/guests/gdb/gdb.c" "$TOP/tests/guests/common/t.c" -I"$TOP/tests/guests/common"
    run readelf -S "$BATS_TEST_TMPDIR/g.wisp"
    assert_output_has ".debug_info"
    assert_output_has ".debug_line"
}
