#!/usr/bin/env bats
# Shared I/O rings of isolated mode (include/wisp/abi.h, "Shared I/O
# rings"): the library uses them (--stats shows it), an old-style guest that
# never names a ring keeps the hypercalls, hostile rings (ring_evil) get
# their bad descriptors refused and counted or the guest ended with a
# message, never a tender crash, and nothing a flush acknowledged is lost
# when the tender is SIGKILLed (ring_flush).  Network tests run in their
# own namespace (netns.bash).

load helpers
load netns

setup() {
    require_kvm
    OUT="$BATS_TEST_TMPDIR/guest.out"
    STATS="$BATS_TEST_TMPDIR/stats.json"
    IMG="$BATS_TEST_TMPDIR/disk.img"
    rm -f "$IMG"
    truncate -s 1M "$IMG"
}

teardown() {
    netns_destroy
    [ -z "${HOGS:-}" ] || kill $HOGS 2>/dev/null || true
}

# dev_stat NAME FIELD: the counter FIELD of device NAME in $STATS.
dev_stat() {
    grep -F "\"name\": \"$1\"" "$STATS" | grep -o "\"$2\": [0-9a-z]*" | sed 's/.*: //'
}

# hc_count NAME: how many hypercalls NAME (e.g. block_read) $STATS counts.
hc_count() {
    local n
    n=$(grep -o "\"name\": \"$1\", \"count\": [0-9]*" "$STATS" | sed 's/.*: //')
    echo "${n:-0}"
}

# wisp_pid_under PID: the wisp process started by `netns_bg ... timeout ...`:
# PID itself (BusyBox's timeout execs the program in the parent and watches
# from a child) or a descendant (GNU timeout's child; one level further
# where ip netns exec forks).  Prints nothing if there is none.
wisp_pid_under() {
    local frontier=" $1 " next p depth pid=""
    case "$(readlink "/proc/$1/exe" 2>/dev/null)" in */wisp|*/wisp-static) pid=$1 ;; esac
    for depth in 1 2 3 4 5 6; do
        [ -n "$pid" ] && break
        next=$(for st in /proc/[0-9]*/stat; do cat "$st" 2>/dev/null; done |
            awk -v pp="$frontier" 'index(pp, " " $4 " ") { print $1 }')
        for p in $next; do
            case "$(readlink "/proc/$p/exe" 2>/dev/null)" in */wisp|*/wisp-static) pid=$p ;; esac
        done
        [ -n "$pid" ] && break
        frontier=" $(echo $next) "
    done
    echo "$pid"
}

# cpu_ticks PID: utime + stime of every thread of PID, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# idle_cpu_ms PID: the ms of CPU process PID uses over 3 s, after 1 s to
# settle (one spinning thread would take ~3000 ms).
idle_cpu_ms() {
    local t0 t1 hz
    sleep 1
    t0=$(cpu_ticks "$1")
    sleep 3
    t1=$(cpu_ticks "$1")
    hz=$(getconf CLK_TCK 2>/dev/null || echo 100) # USER_HZ; BusyBox (hwvirt VM) has no getconf
    echo $(( (t1 - t0) * 1000 / hz ))
}

evil_net() {
    require_netns
    netns_create
    netns_tap tap0 10.0.0.1/24
    # a neighbour entry: frames go out without ARP
    nsx ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev tap0
}

@test "ring: blkrw runs over the block ring: --stats shows the ring, no BLOCK_* hypercall" {
    wisp_run --stats="$STATS" --block:storage="$IMG" "$(guest blkrw)" write 5
    expect_success
    [ "$(dev_stat storage ring)" = true ]
    [ "$(dev_stat storage writes)" -gt 0 ]
    [ "$(dev_stat storage flushes)" = 1 ]
    [ "$(hc_count block_write)" = 0 ]
    [ "$(hc_count block_flush)" = 0 ]
    [ "$(hc_count block_ring)" = 1 ]
    grep -q '"boot_ns": {"main": 0, "elf_read": ' "$STATS"
    wisp_run --stats="$STATS" --block:storage="$IMG" "$(guest blkrw)" check 5
    expect_success
    [ "$(dev_stat storage reads)" -gt 0 ]
    [ "$(hc_count block_read)" = 0 ]
}

@test "ring: --no-rings keeps every request a hypercall, with the same result" {
    wisp_run --no-rings --stats="$STATS" --block:storage="$IMG" "$(guest blkrw)" write 6
    expect_success
    [ "$(dev_stat storage ring)" = false ]
    [ "$(hc_count block_write)" -gt 0 ]
    [ "$(hc_count block_ring)" = 0 ]
    wisp_run --block:storage="$IMG" "$(guest blkrw)" check 6
    expect_success
}

@test "ring: kicks are exits served by wisp; with --ioeventfd they reach the I/O thread without one" {
    evil_net
    run nsx timeout 60 "$WISP" --stats="$STATS" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" race
    expect_success
    grep -qE '"kick": \{"count": [1-9]' "$STATS"
    run nsx timeout 60 "$WISP" --ioeventfd --stats="$STATS" --net:service0=tap0 \
        --block:storage="$IMG" -- "$(guest ring_evil)" race
    expect_success
    grep -qE '"kick": \{"count": 0,' "$STATS"
    [ "$(dev_stat service0 ring_kicks)" -gt 0 ]
    sent=$(dev_stat service0 tx_packets)
    refused=$(dev_stat service0 ring_refused)
    errors=$(dev_stat service0 tx_errors)
    [ $((sent + refused + errors)) -eq 20000 ]
}

@test "ring: flood ping over the net ring: every frame counted, exits far fewer than frames" {
    require_netns
    netns_create
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 120 "$WISP" --stats="$STATS" --net:service0=tap0 -- \
        "$(guest net_ping)" 10.0.0.2 count=2000
    wait_for_line "$OUT" READY 30 "$BG_PID"
    run nsx timeout 60 ping -f -q -c 2000 -w 50 -s 1000 10.0.0.2
    grep -qE '^2000 packets transmitted, 2000 received, 0% packet loss' <<<"$output"
    wait_pid "$BG_PID" 60
    [ "$bg_status" -eq 0 ]
    [ "$(dev_stat service0 ring)" = true ]
    [ "$(dev_stat service0 rx_packets)" -ge 2000 ]
    [ "$(dev_stat service0 tx_packets)" -ge 2000 ]
    [ "$(hc_count net_read)" = 0 ]
    [ "$(hc_count net_write)" = 0 ]
    exits=$(grep -o '"total": [0-9]*' "$STATS" | sed 's/.*: //')
    echo "# $exits exits for 2000 round trips" >&3
    # the hypercall path takes at least 3 per round trip (POLL, read, write)
    [ "$exits" -lt 4000 ]
}

@test "ring: an old-style guest that names no ring keeps the hypercalls (block and net)" {
    evil_net
    run nsx "$WISP" --stats="$STATS" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" oldguest
    expect_success
    assert_output_has "oldguest: block and net hypercalls work"
    [ "$(dev_stat storage ring)" = false ]
    [ "$(dev_stat service0 ring)" = false ]
}

@test "ring: hostile TX and RX descriptors are refused and counted; the guest goes on" {
    evil_net
    netns_bg "$OUT" timeout 60 "$WISP" --stats="$STATS" --net:service0=tap0 \
        --block:storage="$IMG" -- "$(guest ring_evil)" txbad
    wait_for_line "$OUT" READY 30 "$BG_PID"
    nsx ping -c 5 -i 0.2 -W 1 10.0.0.2 >/dev/null 2>&1 || true
    wait_pid "$BG_PID" 60
    cat "$OUT"
    [ "$bg_status" -eq 0 ]
    grep -qxF "RX refused" "$OUT"
    [ "$(dev_stat service0 tx_packets)" = 1 ]
    # 5 TX descriptors, and at least the 3 RX frames awaited
    [ "$(dev_stat service0 ring_refused)" -ge 8 ]
}

@test "ring: descriptors rewritten while the tender copies them: each counted once, no crash" {
    evil_net
    run nsx timeout 60 "$WISP" --stats="$STATS" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" race
    expect_success
    sent=$(dev_stat service0 tx_packets)
    refused=$(dev_stat service0 ring_refused)
    errors=$(dev_stat service0 tx_errors)
    echo "# sent $sent, refused $refused, tap errors $errors" >&3
    [ $((sent + refused + errors)) -eq 20000 ]
}

@test "ring: a TX producer index beyond the ring ends the guest with a message" {
    evil_net
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" txindex
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest violated the hypercall ABI: TX producer index 1000 is more than 256 entries ahead of the consumer index 0 (shared net ring of device 'service0')"
    assert_output_lacks "FAILURE"
}

@test "ring: an RX consumer index ahead of the producer ends the guest with a message" {
    evil_net
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" rxindex
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "RX consumer index 5 is ahead of the producer index 0 (shared net ring of device 'service0')"
}

@test "ring: bad block requests are EINVAL; a read into tender memory ends the guest" {
    evil_net
    run nsx timeout 60 "$WISP" --stats="$STATS" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" blkbad
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "block: refused 3, read 1"
    assert_output_has "wisp: guest violated the hypercall ABI: BLOCK_READ buffer: guest address 0x20000, size 512 is not memory the guest may write (shared block ring of device 'storage')"
    assert_output_lacks "FAILURE"
    [ "$(dev_stat storage reads)" = 1 ]
}

@test "ring: an image truncated under a guest reading through the ring: EUNSPEC, one warning, no crash" {
    # Reads come from a mapping of the image (block_backend.c): a read past
    # the new end raises SIGBUS in the thread that copies, which must fail
    # that request only.  "shrink busy": a read always in flight, so the
    # ring's I/O thread serves them (not the vCPU in an exit).
    timeout 60 "$WISP" --stats="$STATS" --block:storage="$IMG" -- "$(guest blkrw)" shrink busy \
        >"$OUT" 2>&1 &
    pid=$!
    wait_for_line "$OUT" READY 30 "$pid"
    sleep 0.3
    truncate -s 512K "$IMG"
    wait "$pid" && status=0 || status=$?
    output=$(cat "$OUT")
    expect_success
    assert_output_has "read past the end of the shrunk image: EUNSPEC"
    assert_output_has "wisp: block device 'storage': a read of 512 bytes at offset 1048064 failed (a host I/O error, or the image shrank under the device); the guest gets EUNSPEC"
    [ "$(grep -c "wisp: block device 'storage'" "$OUT")" = 1 ]
    [ "$(dev_stat storage ring)" = true ]
    [ "$(dev_stat storage io_errors)" -ge 1 ]
    [ "$(dev_stat storage reads)" -gt 1000 ]
    [ "$(hc_count block_read)" = 0 ]
}

@test "ring: a block request index beyond the ring ends the guest with a message" {
    evil_net
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" blkindex
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "request producer index 100 is more than 16 entries ahead of the consumer index 0 (shared block ring of device 'storage')"
}

@test "ring: ring setup refuses misaligned, repeated and wrong-type rings; one outside RAM ends the guest" {
    evil_net
    run nsx timeout 60 "$WISP" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" setup
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "setup: refused 3"
    assert_output_has "BLOCK_RING ring: guest address 0x80000000, size 4096 is outside guest memory"
}

@test "ring: writes acknowledged by a flush survive a SIGKILL of the tender" {
    "$WISP" --block:storage="$IMG" -- "$(guest ring_flush)" 512 >"$OUT" 2>&1 &
    pid=$!
    for i in $(seq 1500); do grep -q '^FLUSHED' "$OUT" && break; sleep 0.02; done
    grep -qxF "FLUSHED 512" "$OUT"
    kill -9 "$pid"
    wait "$pid" || true
    # block i holds the byte (i * 7 + 1) & 0xff, all 512 of them
    for i in 0 1 2 100 255 256 511; do
        want=$(printf '%02x' $(( (i * 7 + 1) & 255 )))
        got=$(od -An -tx1 -v -j $((i * 512)) -N 512 "$IMG" | tr -s ' \n' '\n' | sort -u | grep -v '^$')
        [ "$got" = "$want" ] || { echo "block $i: got '$got', want $want"; return 1; }
    done
}

@test "ring: every thread of a wisp serving rings (vCPU and I/O threads) runs under the seccomp filter" {
    require_netns
    netns_create
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 60 "$WISP" --net:service0=tap0 --block:storage="$IMG" -- \
        "$(guest ring_evil)" txbad
    wait_for_line "$OUT" READY 30 "$BG_PID"
    pid=$(wisp_pid_under "$BG_PID")
    [ -n "$pid" ] || { echo "no wisp process under $BG_PID"; return 1; }
    threads=0 names=
    for t in /proc/"$pid"/task/*; do
        grep -qE '^Seccomp:[[:space:]]+2$' "$t/status" || { echo "thread $t is not confined"; return 1; }
        threads=$((threads + 1))
        names+="$(cat "$t/comm") "
    done
    echo "# $threads threads, all confined: $names" >&3
    # the vCPU, the NIC's and the block device's I/O threads (and any
    # io_uring worker the kernel started for the block device)
    [ "$threads" -ge 3 ]
}

@test "ring: an idle guest whose NIC ring has just served a flood costs no CPU (no busy polling)" {
    require_netns
    netns_create
    netns_tap tap0 10.0.0.1/24
    netns_bg "$OUT" timeout 60 "$WISP" --net:service0=tap0 -- "$(guest net_ping)" 10.0.0.2 idle=40
    wait_for_line "$OUT" READY 30 "$BG_PID"
    pid=$(wisp_pid_under "$BG_PID")
    [ -n "$pid" ] || { echo "no wisp process under $BG_PID"; return 1; }
    # traffic first: the guest's spin budget and the I/O thread are warm
    run nsx timeout 60 ping -f -q -c 500 -w 30 -s 1000 10.0.0.2
    grep -qE '^500 packets transmitted, 500 received' <<<"$output"
    ms=$(idle_cpu_ms "$pid")
    echo "# idle for 3 s: $ms ms of CPU" >&3
    # a tick or two is accounting noise
    [ "$ms" -le 100 ]
}

@test "ring: an idle guest whose block ring has just served a burst costs no CPU (no busy polling)" {
    # 1 MiB of 512-byte blocks read 20 times: 40960 requests through the ring
    "$WISP" --block:storage="$IMG" -- "$(guest blkrw)" warmhold 30000 >"$OUT" 2>&1 &
    pid=$!
    wait_for_line "$OUT" READY 30 "$pid"
    ms=$(idle_cpu_ms "$pid")
    kill "$pid"
    wait "$pid" || true
    echo "# idle for 3 s: $ms ms of CPU" >&3
    # a tick or two is accounting noise
    [ "$ms" -le 100 ]
}

# switches PID: the context switches of PID's own threads (named wisp;
# not the kernel's KVM workers), summed.
switches() {
    local t n=0
    for t in /proc/"$1"/task/*; do
        [ "$(cat "$t/comm")" = wisp ] || continue
        n=$((n + $(awk '/ctxt_switches/ { s += $2 } END { print s }' "$t/status")))
    done
    echo "$n"
}

@test "ring: on a busy host the idle block ring's I/O thread still goes to sleep" {
    [ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs"
    command -v taskset >/dev/null || skip "needs taskset"
    # one busy loop per CPU, from before the guest's burst: a spinning I/O
    # thread that yields loses its CPU for whole time slices, which must
    # not restart its spin budget (teardown ends them)
    HOGS=""
    for c in 0 1; do
        taskset -c "$c" sh -c 'while :; do :; done' &
        HOGS+="$! "
    done
    "$WISP" --block:storage="$IMG" -- "$(guest blkrw)" warmhold 30000 >"$OUT" 2>&1 &
    pid=$!
    wait_for_line "$OUT" READY 60 "$pid"
    sleep 1
    s0=$(switches "$pid")
    sleep 2
    s1=$(switches "$pid")
    kill $HOGS "$pid"
    HOGS=""
    wait "$pid" || true
    echo "# context switches of wisp's threads over 2 idle s under load: $((s1 - s0))" >&3
    # an I/O thread that never sleeps yields to the busy loops hundreds of
    # times (576 measured on kvm_pvm); sleeping, wisp's threads switch 0
    # times on kvm_pvm, 4 to 40 on kvm_amd in the hwvirt VM (not explained
    # yet: KVM waking a thread now and then)
    [ $((s1 - s0)) -le 100 ]
}

@test "ring: --stats=FILE refuses an unwritable file before the guest starts" {
    run "$WISP" --stats=/nonexistent/dir/stats.json "$(guest hello)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "wisp: --stats=/nonexistent/dir/stats.json: cannot open: No such file or directory"
}
