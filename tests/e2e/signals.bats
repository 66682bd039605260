#!/usr/bin/env bats
# SIGINT, SIGTERM and SIGHUP end a running guest cleanly (core/signals.h):
# the tender says "Exiting on signal N", tears down and exits 1 in
# compatibility mode (solo5-hvt's status) and 128 + N in isolated mode;
# what the guest wrote before the signal is on stdout.  The idle guest
# prints READY and then sleeps in solo5_yield, so the signal finds the
# tender waiting in ppoll or in KVM_RUN.

load helpers

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

# signal_run SIG KERNEL: start KERNEL (idle for 30 s), wait for READY,
# send SIG, wait; sets $status and $output (stdout then stderr).
signal_run() {
    local sig=$1 kernel=$2 pid i
    local o="$BATS_TEST_TMPDIR/out" e="$BATS_TEST_TMPDIR/err"

    "$WISP" "$kernel" 30000 >"$o" 2>"$e" </dev/null &
    pid=$!
    for i in $(seq 300); do
        grep -q READY "$o" && break
        sleep 0.1
    done
    grep -q READY "$o" || { kill -KILL "$pid"; echo "guest never said READY" >&2; return 1; }
    kill "-$sig" "$pid"
    status=0
    wait "$pid" || status=$?
    output="$(cat "$o" "$e")"
}

@test "signals: isolated mode ends on SIGINT, SIGTERM, SIGHUP with 128+N" {
    require_kvm
    for pair in INT:2 TERM:15 HUP:1; do
        signal_run "${pair%%:*}" "$(guest idle)"
        assert_status $((128 + ${pair##*:}))
        assert_output_has "READY"
        assert_output_has "wisp: Exiting on signal ${pair##*:}"
    done
}

@test "signals: compatibility mode ends on SIGINT, SIGTERM, SIGHUP with status 1 (solo5-hvt)" {
    require_kvm
    for pair in INT:2 TERM:15 HUP:1; do
        signal_run "${pair%%:*}" "$HVT_GUESTS/idle.hvt"
        assert_status 1
        assert_output_has "READY"
        assert_output_has "wisp: Exiting on signal ${pair##*:}"
    done
}

