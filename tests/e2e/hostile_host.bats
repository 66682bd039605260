#!/usr/bin/env bats
# A careless or hostile launcher (issue 9): closed standard fds, a
# non-blocking console read slowly, FIFOs where files are expected, a guest
# that runs too long (--timeout), a tap that disappears.  Each test would
# have caught the weakness it names.  Build first: make all.

load helpers
load netns

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

teardown() {
    netns_destroy
}

# bg_start OUT ERR ARGS...: start wisp in the background (stdin empty);
# its pid in $BG_PID.
bg_start() {
    local o=$1 e=$2
    shift 2
    "$WISP" "$@" >"$o" 2>"$e" </dev/null &
    BG_PID=$!
}

# wait_text FILE TEXT SECONDS: poll until FILE holds TEXT.
wait_text() {
    local i
    for ((i = 0; i < $3 * 50; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.02
    done
    echo "no '$2' in $1 after $3 s; it holds:" >&2
    cat "$1" >&2
    return 1
}

# ---- --timeout=SECONDS (item 3) ----------------------------------------------

@test "timeout: a guest spinning in KVM_RUN is stopped (isolated: 124, console drained)" {
    require_kvm
    local t0=$SECONDS
    run_split --timeout=0.5 "$(guest spin)"
    assert_status 124
    [ "$(cat "$err")" = "wisp: guest still running after --timeout=0.5 seconds: stopped" ] || {
        echo "stderr:" >&2; cat "$err" >&2; return 1
    }
    # PENDING had no newline: only the drain at the end writes it
    [ "$(cat "$out")" = "$(printf 'READY\nPENDING')" ] || { cat "$out" >&2; return 1; }
    [ $((SECONDS - t0)) -lt 10 ]
}

@test "timeout: a guest waiting in solo5_yield is stopped (isolated: 124)" {
    require_kvm
    run_split --timeout=0.3 "$(guest idle)" 30000
    assert_status 124
    grep -qx "READY" "$out"
    grep -qx "wisp: guest still running after --timeout=0.3 seconds: stopped" "$err"
}

@test "timeout: compatibility mode stops a spinning or waiting guest with status 1 (solo5-hvt's)" {
    require_kvm
    local g
    for g in spin idle; do
        run_split --timeout=0.5 "$HVT_GUESTS/$g.hvt" 30000
        assert_status 1
        grep -qx "READY" "$out"
        grep -qx "wisp: guest still running after --timeout=0.5 seconds: stopped" "$err" || {
            echo "$g: stderr:" >&2; cat "$err" >&2; return 1
        }
    done
}

@test "timeout: a guest that ends in time is not touched (status and output its own)" {
    require_kvm
    run_split --timeout=30 "$(guest exitcode)"
    local want=$status
    run_split "$(guest exitcode)"
    assert_status "$want"
    run_split --timeout=20 "$(guest hello)" Hello_wisp
    assert_status 0
    grep -qx SUCCESS "$out"
    [ ! -s "$err" ]
}

@test "signals: SIGTERM drains the console buffer in isolated mode (spinning guest)" {
    require_kvm
    local o="$BATS_TEST_TMPDIR/o" e="$BATS_TEST_TMPDIR/e"
    bg_start "$o" "$e" "$(guest spin)"
    wait_text "$o" READY 30
    kill -TERM "$BG_PID"
    status=0
    wait "$BG_PID" || status=$?
    assert_status $((128 + 15))
    [ "$(cat "$o")" = "$(printf 'READY\nPENDING')" ] || { cat "$o" >&2; return 1; }
    grep -qx "wisp: Exiting on signal 15" "$e"
}

# ---- closed standard fds (item 4) ----------------------------------------------

# blk_image: $img, a 64 KiB image of a known pattern, and its copy $img0.
blk_image() {
    img="$BATS_TEST_TMPDIR/img"
    img0="$BATS_TEST_TMPDIR/img0"
    head -c 65536 /dev/urandom >"$img0"
    cp "$img0" "$img"
}

@test "closed stdout: the console goes to /dev/null, never into the block image" {
    require_kvm
    blk_image
    status=0
    "$WISP" --block-ro:storage="$img" "$(guest blkrw)" hold 10 </dev/null 1>&- \
        2>"$BATS_TEST_TMPDIR/err" || status=$?
    assert_status 0
    cmp "$img0" "$img" || { echo "the image changed (console written into it)" >&2; return 1; }
    # read-write too: the guest's hold mode writes nothing
    "$WISP" --block:storage="$img" "$(guest blkrw)" hold 10 </dev/null 1>&- \
        2>"$BATS_TEST_TMPDIR/err" || status=$?
    assert_status 0
    cmp "$img0" "$img"
}

@test "closed stderr: wisp's messages go to /dev/null, never into the block image" {
    require_kvm
    blk_image
    local k
    # the crash report is written while the device is open
    for k in "$(guest blkcrash)" "$HVT_GUESTS/blkcrash.hvt"; do
        status=0
        "$WISP" --block:storage="$img" "$k" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&- || status=$?
        [ "$status" -eq 255 ] || [ "$status" -eq 1 ] || { echo "$k: status $status" >&2; return 1; }
        cmp "$img0" "$img" || { echo "$k: the image changed (stderr written into it)" >&2; return 1; }
        grep -qx READY "$BATS_TEST_TMPDIR/out"
    done
}

@test "closed fds 0, 1, 2: all three are /dev/null while the guest runs" {
    require_kvm
    blk_image
    local pid i fd
    "$WISP" --block:storage="$img" "$(guest blkrw)" hold 20000 0<&- 1>&- 2>&- &
    pid=$!
    for ((i = 0; i < 500; i++)); do
        ls -l "/proc/$pid/fd" 2>/dev/null | grep -qF -- "$img" && break
        sleep 0.02
    done
    for fd in 0 1 2; do
        [ "$(readlink "/proc/$pid/fd/$fd")" = /dev/null ] || {
            echo "fd $fd is $(readlink "/proc/$pid/fd/$fd")" >&2
            kill -KILL "$pid"
            return 1
        }
    done
    kill -TERM "$pid"
    wait "$pid" || true
    cmp "$img0" "$img"
}

# ---- a non-blocking console read slowly (item 5) ---------------------------

# slow_console KERNEL: 200000 lines (1.6 MB) through a non-blocking pipe
# read 16 KiB every 5 ms; the lines must all arrive, in order.
slow_console() {
    local o="$BATS_TEST_TMPDIR/o"
    status=0
    timeout --foreground 120 "$TOOLS/slowpipe" 16384 5 "$WISP" "$1" 200000 >"$o" \
        2>"$BATS_TEST_TMPDIR/err" </dev/null || status=$?
    assert_status 0
    grep -v '^Solo5: ' "$o" >"$o.lines" # compatibility mode's banner
    [ "$(wc -c <"$o.lines")" -eq 1600000 ] || {
        echo "got $(wc -c <"$o.lines") bytes, expected 1600000; stderr:" >&2
        cat "$BATS_TEST_TMPDIR/err" >&2
        return 1
    }
    awk 'BEGIN { for (i = 0; i < 200000; i++) printf "%07d\n", i }' | cmp - "$o.lines"
}

@test "non-blocking console: 1.6 MB through a slowly read pipe, nothing lost (isolated)" {
    require_kvm
    slow_console "$(guest bigout)"
}

@test "non-blocking console: 1.6 MB through a slowly read pipe, nothing lost (compatibility)" {
    require_kvm
    slow_console "$HVT_GUESTS/bigout.hvt"
}

# ---- FIFOs and devices where files are expected (item 6) -------------------

@test "a FIFO as the unikernel is refused at once" {
    mkfifo "$BATS_TEST_TMPDIR/fifo"
    status=0
    timeout -s KILL 10 "$WISP" "$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" \
        2>"$BATS_TEST_TMPDIR/err" </dev/null || status=$?
    assert_status "$WISP_EXIT_TENDER_ERROR"
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = "wisp: $BATS_TEST_TMPDIR/fifo: not a regular file" ]
}

@test "a FIFO or character device as a block image is refused at once" {
    mkfifo "$BATS_TEST_TMPDIR/fifo"
    local opt dev
    for opt in --block-ro --block; do
        for dev in "$BATS_TEST_TMPDIR/fifo" /dev/zero; do
            status=0
            timeout -s KILL 10 "$WISP" "$opt:storage=$dev" "$(guest blkrw)" hold 10 \
                >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" </dev/null || status=$?
            assert_status "$WISP_EXIT_TENDER_ERROR"
            [ "$(cat "$BATS_TEST_TMPDIR/err")" = "wisp: $opt:storage=$dev: $dev is not a regular file or a block device" ] || {
                echo "stderr:" >&2; cat "$BATS_TEST_TMPDIR/err" >&2; return 1
            }
        done
    done
}

@test "a FIFO given to wisp-elftool is refused at once" {
    mkfifo "$BATS_TEST_TMPDIR/fifo"
    local cmd
    for cmd in query-abi query-manifest; do
        status=0
        timeout -s KILL 10 "$WISP_ELFTOOL" "$cmd" "$BATS_TEST_TMPDIR/fifo" >/dev/null \
            2>"$BATS_TEST_TMPDIR/err" </dev/null || status=$?
        assert_status 1
        [ "$(cat "$BATS_TEST_TMPDIR/err")" = "wisp-elftool: $BATS_TEST_TMPDIR/fifo: not a regular file" ]
    done
    status=0
    timeout -s KILL 10 "$WISP_ELFTOOL" gen-manifest "$BATS_TEST_TMPDIR/fifo" - >/dev/null \
        2>"$BATS_TEST_TMPDIR/err" </dev/null || status=$?
    assert_status 1
    grep -qF "$BATS_TEST_TMPDIR/fifo: not a regular file" "$BATS_TEST_TMPDIR/err"
}

# ---- a tap whose interface disappears (bug: 100% CPU) ----------------------

# find_wisp PID: the wisp process that is PID or its descendant (ip netns
# exec execs it with iproute2, forks with BusyBox); sets $wpid.
find_wisp() {
    local frontier=" $1 " next p depth
    wpid=""
    case "$(readlink "/proc/$1/exe" 2>/dev/null)" in */wisp | */wisp-static) wpid=$1 ;; esac
    for depth in 1 2 3 4; do
        [ -n "$wpid" ] && return 0
        next=$(for st in /proc/[0-9]*/stat; do cat "$st" 2>/dev/null; done |
            awk -v pp="$frontier" 'index(pp, " " $4 " ") { print $1 }')
        for p in $next; do
            case "$(readlink "/proc/$p/exe" 2>/dev/null)" in */wisp | */wisp-static) wpid=$p ;; esac
        done
        frontier=" $(echo $next) "
    done
    [ -n "$wpid" ] || { echo "no wisp process under $1" >&2; return 1; }
}

# wait_end PID SECONDS: wait (bounded) for PID to end; its status in $status.
wait_end() {
    local i
    for ((i = 0; i < $2 * 50; i++)); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.02
    done
    kill -0 "$1" 2>/dev/null && { echo "process $1 still running after $2 s" >&2; return 1; }
    status=0
    wait "$1" || status=$?
}

# cpu_ticks PID: user + system time of PID so far, in clock ticks.
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}

# tap_vanishes ARGS...: boot net_ping (ARGS: options and kernel) on tap0,
# delete tap0 once it is READY; one message names the failed device, and
# for 2 s the process uses (nearly) no CPU, or it has already ended with
# the guest's own FAILURE (its read got the error).  Sets $out.
tap_vanishes() {
    local t0 t1 hz
    out="$BATS_TEST_TMPDIR/out"
    netns_create
    netns_tap tap0 10.0.0.1/24
    netns_bg "$out" "$WISP" "$@" 10.0.0.2 idle=30
    wait_for_line "$out" READY 30 "$BG_PID"
    find_wisp "$BG_PID"
    ip -n "$NETNS" link del tap0
    wait_text "$out" "failed" 10
    sleep 0.3
    if t0=$(cpu_ticks "$wpid") && [ -n "$t0" ]; then
        sleep 2
        t1=$(cpu_ticks "$wpid")
        hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
        if [ -n "$t1" ] && [ $((t1 - t0)) -gt $((hz * 2 / 5)) ]; then
            echo "wisp used $((t1 - t0)) ticks of CPU in 2 s (CLK_TCK $hz) after its tap vanished" >&2
            cat "$out" >&2
            return 1
        fi
    fi
    [ "$(grep -c "^wisp: device 'service0' failed: " "$out")" -eq 1 ] || {
        echo "expected one message naming the failed device:" >&2; cat "$out" >&2; return 1
    }
}

@test "tap deleted under a waiting guest: reported once, no busy loop (isolated, rings)" {
    require_netns
    tap_vanishes --net:service0=tap0 "$(guest net_ping)"
    grep -q "^wisp: device 'service0' failed: reading its tap: " "$out"
}

@test "tap deleted under a waiting guest: the guest's read fails, no busy loop (isolated, --no-rings)" {
    require_netns
    tap_vanishes --no-rings --net:service0=tap0 "$(guest net_ping)"
    wait_end "$BG_PID" 10
    assert_status 1
    grep -qx "FAILURE: wisp_net_read_batch failed" "$out"
    grep -q "^wisp: device 'service0' failed: its host fd reports POLLERR" "$out"
}

@test "tap deleted under a waiting guest: the guest's read fails, no busy loop (compatibility)" {
    require_netns
    tap_vanishes --net:service0=tap0 "$HVT_GUESTS/net_ping.hvt"
    wait_end "$BG_PID" 10
    assert_status 1
    grep -qx "FAILURE: solo5_net_read failed" "$out"
}

# ---- a tap that vanishes between its check and TUNSETIFF (bug) -------------

# strace holds TUNSETIFF (the first ioctl on /dev/net/tun) for 2 s; the
# test deletes the tap meanwhile, so TUNSETIFF creates a new tap of that
# name, connected to nothing.  The tender must see that the fd is not on
# the interface it checked and refuse.
@test "tap deleted between its check and TUNSETIFF: refused, never a new unconnected tap" {
    require_netns
    command -v strace >/dev/null || skip "strace is not installed"
    local i p
    out="$BATS_TEST_TMPDIR/out"
    netns_create
    netns_tap tap0 10.0.0.1/24
    netns_bg "$out" strace -f -qq -o /dev/null -P /dev/net/tun -e trace=ioctl \
        -e inject=ioctl:delay_enter=2000000:when=1 \
        "$WISP" --net:service0=tap0 "$(guest net_ping)" 10.0.0.2 idle=2
    # wait until a process of the namespace holds /dev/net/tun open
    for ((i = 0; i < 500; i++)); do
        for p in $(ip netns pids "$NETNS"); do
            ls -l "/proc/$p/fd" 2>/dev/null | grep -q /dev/net/tun && break 2
        done
        sleep 0.01
    done
    [ "$i" -lt 500 ] || { echo "wisp never opened /dev/net/tun:" >&2; cat "$out" >&2; return 1; }
    ip -n "$NETNS" link del tap0
    wait_end "$BG_PID" 20
    assert_status "$WISP_EXIT_TENDER_ERROR"
    grep -qxF "wisp: --net:service0=tap0: interface tap0 disappeared while being attached (a new tap of that name would be connected to nothing): not attached" "$out" || {
        cat "$out" >&2; return 1
    }
    # and the tap TUNSETIFF made went with the fd
    ! ip -n "$NETNS" link show tap0 2>/dev/null || { echo "a tap0 is left" >&2; return 1; }
}
