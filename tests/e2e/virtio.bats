#!/usr/bin/env bats
# The virtio target end to end: test unikernels built with
# wisp-cc --target=virtio (build/tests/guests-virtio/NAME.virtio, mk/virtio.mk)
# booted by build/bin/wisp-run-virtio under QEMU (TCG on machines without
# hardware virtualization), with the same expected output and exit status as
# under wisp (tests/e2e/guests.bats, block.bats, net.bats), through both
# entries (multiboot, PVH) and every virtio transport (PCI transitional,
# modern-only, legacy-only; MMIO legacy and version 2 on QEMU's microvm).
# Network tests run in their own namespace (netns.bash) on taps made there.

load helpers
load netns

RUN_VIRTIO="${WISP_RUN_VIRTIO:-$TOP/build/bin/wisp-run-virtio}"
VGUESTS="${WISP_VIRTIO_GUESTS:-$TOP/build/tests/guests-virtio}"

setup() {
    command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (make deps)"
    [ -x "$RUN_VIRTIO" ] || skip "$RUN_VIRTIO is not built (make)"
}

teardown() {
    netns_destroy || true
}

vguest() {
    echo "$VGUESTS/$1.virtio"
}

# run_virtio ARGS...: the script under a time limit; $status, $output.
run_virtio() {
    run timeout --foreground 120 "$RUN_VIRTIO" "$@"
}

# expect_crash KIND [REGION]: as in guests.bats, the report on the console.
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

# ---- boot paths ----------------------------------------------------------------

@test "virtio hello: multiboot on the PC machine, checks its command line, exits 0" {
    run_virtio "$(vguest hello)" Hello_wisp
    expect_success
    assert_output_lacks "wisp: virtio:"  # no report unless asked
    assert_output_has "Hello, World"
    assert_output_has "Command line is: 'Hello_wisp'"
}

@test "virtio hello: PVH entry on the PC machine, exits 0" {
    run_virtio --boot=pvh --verbose "$(vguest hello)" Hello_wisp
    expect_success
    assert_output_has "Command line is: 'Hello_wisp'"
    assert_output_matches "^wisp-run-virtio: qemu-system-x86_64 -M pc .*-kernel "
    # The library saw the PVH entry (the copy has no multiboot header left).
    assert_output_matches "^wisp: virtio: boot: PVH entry, RAM to 0x"
    assert_output_has "wisp: virtio: clock: TSC "
}

@test "virtio hello: PVH entry on microvm (no PCI, no firmware), exits 0" {
    run_virtio --machine=microvm "$(vguest hello)" Hello_wisp
    expect_success
    assert_output_has "Command line is: 'Hello_wisp'"
}

@test "virtio hello: multiboot on microvm, exits 0" {
    run_virtio --verbose --machine=microvm --boot=multiboot "$(vguest hello)" Hello_wisp
    expect_success
    assert_output_matches "^wisp: virtio: boot: multiboot entry, RAM to 0x"
}

@test "virtio hello and blk: GRUB's multiboot loader boots the image (grub-mkrescue ISO)" {
    command -v grub-mkrescue >/dev/null && [ -d /usr/lib/grub/i386-pc ] ||
        skip "no grub-mkrescue or no GRUB BIOS modules (Debian packages grub-common, grub-pc-bin, xorriso)"
    run_virtio --boot=grub --verbose "$(vguest hello)" Hello_wisp
    expect_success
    # GRUB puts no file name before the arguments (QEMU's loader does).
    assert_output_has "Command line is: 'Hello_wisp'"
    assert_output_matches "^wisp: virtio: boot: multiboot entry, RAM to 0x"
    assert_output_matches "^wisp-run-virtio: .* -cdrom .*/grub.iso "
    IMG="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 1M "$IMG"
    run_virtio --boot=grub --block:storage="$IMG" "$(vguest blkrw)" write 61
    expect_success
    run_virtio --block:storage="$IMG" "$(vguest blkrw)" check 61
    expect_success
}

@test "virtio hello: a wrong command line makes it fail with status 1" {
    run_virtio "$(vguest hello)" Goodbye_wisp
    assert_status 1
    assert_output_has "FAILURE"
    assert_output_lacks "SUCCESS"
}

@test "virtio hello: several words of command line arrive joined by spaces" {
    run_virtio --boot=pvh "$(vguest hello)" Hello_wisp two  words
    assert_status 1
    assert_output_has "Command line is: 'Hello_wisp two words'"
}

# ---- the test unikernels -------------------------------------------------------

@test "virtio globals: .data is initialised and writable, .bss is zero, exits 0" {
    run_virtio "$(vguest globals)"
    expect_success
}

@test "virtio tls: two TLS blocks keep .tdata/.tbss values apart, exits 0" {
    run_virtio "$(vguest tls)"
    expect_success
}

@test "virtio time: clocks advance, yield honours its deadline, wall clock is now, exits 0" {
    run_virtio "$(vguest time)"
    expect_success
    # The CMOS clock gave whole seconds of today: within a minute of the host's.
    wall=$(sed -n 's/^wall clock: \([0-9]*\) s since the epoch$/\1/p' <<<"$output")
    now=$(date +%s)
    [ "$wall" -ge $((now - 60)) ]
    [ "$wall" -le $((now + 60)) ]
}

@test "virtio time on microvm: the same, exits 0" {
    run_virtio --machine=microvm "$(vguest time)"
    expect_success
}

@test "virtio fpu: SSE and AVX arithmetic works, exits 0" {
    run_virtio "$(vguest fpu)"
    expect_success
    assert_output_has "SSE ok"
}

@test "virtio exitcode: the guest's status 42 passes through" {
    run_virtio "$(vguest exitcode)"
    assert_status 42
    assert_output_has "exiting with status 42"
}

@test "virtio quiet: stdout is exactly SUCCESS, stderr empty, exits 0" {
    out="$BATS_TEST_TMPDIR/stdout" err="$BATS_TEST_TMPDIR/stderr"
    status=0
    timeout 60 "$RUN_VIRTIO" "$(vguest quiet)" >"$out" 2>"$err" </dev/null || status=$?
    [ "$status" -eq 0 ] || { echo "status $status"; cat "$out" "$err"; return 1; }
    printf 'SUCCESS\n' | cmp - "$out" || { od -c "$out" | head; return 1; }
    [ ! -s "$err" ] || { echo "stderr not empty:"; cat "$err"; return 1; }
}

@test "virtio output: a 5000-byte console write arrives intact on stdout, exits 0" {
    out="$BATS_TEST_TMPDIR/stdout"
    status=0
    timeout 60 "$RUN_VIRTIO" "$(vguest output)" >"$out" </dev/null || status=$?
    [ "$status" -eq 0 ]
    awk 'BEGIN {
        a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        for (k = 0; k < 100; k++) {
            s = ""
            for (j = 0; j < 49; j++) s = s substr(a, (k + j) % 62 + 1, 1)
            print s
        }
        print "SUCCESS"
    }' | cmp - "$out"
}

@test "virtio abort: solo5_abort ends the guest with status 255" {
    run_virtio "$(vguest abort)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest aborted"
    assert_output_lacks "FAILURE"
}

@test "virtio ssp: a smashed stack canary aborts with status 255" {
    run_virtio "$(vguest ssp)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest aborted: stack smashing detected"
    assert_output_lacks "FAILURE"
}

@test "virtio exception: a write outside guest memory crashes with status 255" {
    run_virtio "$(vguest exception)"
    expect_crash "access outside guest memory"
    assert_output_matches "access outside guest memory at 0x0*400000000( |\$)"
}

@test "virtio idle: 3 s in solo5_yield cost the host under 1 s of CPU (the guest halts)" {
    [ -x /usr/bin/time ] || skip "no /usr/bin/time (Debian package time)"
    for m in pc microvm; do
        run /usr/bin/time -f "cpu %U %S" -o "$BATS_TEST_TMPDIR/time" \
            timeout 60 "$RUN_VIRTIO" --machine=$m "$(vguest idle)" 3000
        expect_success
        read -r _ user sys <"$BATS_TEST_TMPDIR/time"
        echo "# $m: user $user s, sys $sys s" >&3
        awk -v u="$user" -v s="$sys" 'BEGIN { exit !(u + s < 1.0) }'
    done
}

# as_virtio SUITE FILTER MIN: run tests/e2e/SUITE.bats, unchanged, on the
# virtio images (test guests and examples, under the names it boots) with
# wisp-run-virtio in place of wisp: its tests whose names match FILTER all
# pass, none skipped, at least MIN of them.  The suites skip without
# /dev/kvm (which QEMU TCG does not need), so this needs it too.
as_virtio() {
    local suite=$1 filter=$2 min=$3 f
    require_kvm
    mkdir -p "$BATS_TEST_TMPDIR/guests" "$BATS_TEST_TMPDIR/examples"
    for f in "$VGUESTS"/*.virtio; do
        cp "$f" "$BATS_TEST_TMPDIR/guests/$(basename "$f" .virtio).wisp"
    done
    for f in "$TOP"/build/examples/*.virtio; do
        [ -f "$f" ] && cp "$f" "$BATS_TEST_TMPDIR/examples/$(basename "$f" .virtio).wisp"
    done
    run env WISP="$RUN_VIRTIO" WISP_GUESTS="$BATS_TEST_TMPDIR/guests" \
        WISP_EXAMPLES="$BATS_TEST_TMPDIR/examples" \
        timeout 900 bats --tap -f "$filter" "$TOP/tests/e2e/$suite.bats"
    grep -E '^(not )?ok' <<<"$output" | sed "s/^/# $suite.bats: /" >&3
    assert_status 0
    assert_output_lacks "not ok"
    assert_output_lacks "# skip"
    [ "$(grep -c '^ok ' <<<"$output")" -ge "$min" ]
}

@test "virtio: guests.bats itself passes with wisp-run-virtio in place of wisp" {
    as_virtio guests . 20
}

@test "virtio: libc.bats (newlib, wisp-cc --libc) passes on the virtio target" {
    require_root
    as_virtio libc '^libc: ' 8
}

@test "virtio: lwip.bats (lwIP and mbedTLS: TCP echo, IPv6, DHCP, TLS) passes on the virtio target" {
    require_root
    as_virtio lwip '^lwip(:| tls:)' 7
}

@test "virtio: httpd.bats (the httpd example, curl) passes on the virtio target" {
    require_root
    as_virtio httpd '^httpd: ' 17
}

# Not "100 concurrent TLS clients": their handshakes, emulated by TCG, take
# longer than the service's timeout here.
@test "virtio: https.bats (the https example, TLS 1.2) passes on the virtio target" {
    require_root
    as_virtio https '^https: (ECDSA|RSA|verification|GET|a 1 MiB|TLS garbage|only TLS|bad HTTP|a missing)' 9
}

# ---- W^X from the library's own page tables -------------------------------------

@test "virtio zeropage: a write to page 0 is a NULL pointer access, status 255" {
    run_virtio "$(vguest zeropage)"
    expect_crash "NULL pointer access"
    assert_output_matches "NULL pointer access at 0x0*8( |\$)"
}

@test "virtio notls: a TLS access without a TLS base crashes, status 255" {
    run_virtio "$(vguest notls)"
    expect_crash "NULL pointer access"
    assert_output_matches "NULL pointer access at 0xfffffffffffffffc( |\$)"
}

@test "virtio xnow, rnow: writes to .text and .rodata fault as read-only, status 255" {
    run_virtio "$(vguest xnow)"
    expect_crash "write to read-only memory" "text segment"
    run_virtio "$(vguest rnow)"
    expect_crash "write to read-only memory" "rodata segment"
}

@test "virtio wnox, rnox, hnox, snox: data, rodata, heap, stack are not executable, status 255" {
    run_virtio "$(vguest wnox)"
    expect_crash "execute from non-executable memory" "data segment"
    run_virtio "$(vguest rnox)"
    expect_crash "execute from non-executable memory" "rodata segment"
    run_virtio "$(vguest hnox)"
    expect_crash "execute from non-executable memory" "heap"
    run_virtio "$(vguest snox)"
    expect_crash "execute from non-executable memory" "stack"
}

@test "virtio stackov: unbounded recursion hits the stack guard page, status 255" {
    run_virtio "$(vguest stackov)"
    expect_crash "stack overflow into the guard page"
    assert_output_matches "wisp:   instruction at 0x[0-9a-f]+ in text segment"
}

# ---- block devices ---------------------------------------------------------------

# blk_boot INTERFACE ARGS... -- MODE SEED: blkrw on $IMG; expect success,
# with the device driven through INTERFACE (the library's --verbose report).
blk_boot() {
    local iface=$1 opts=()
    shift
    while [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    run_virtio --verbose "${opts[@]}" --block:storage="$IMG" "$(vguest blkrw)" "$@"
    expect_success
    assert_output_has "capacity $(stat -c %s "$IMG") block_size 512"
    assert_output_matches "^wisp: virtio: device 'storage': virtio-blk at .*, $(sed 's/[()]/\\&/g' <<<"$iface")\$"
}

@test "virtio blk: written and flushed on one boot, read back on the next (PCI transitional)" {
    IMG="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 2M "$IMG"
    blk_boot "modern interface" -- write 11
    # The pattern is on the host file, not only in a cache of the guest.
    [ "$(od -An -tx1 -N8 "$IMG" | tr -d ' ')" != 0000000000000000 ]
    blk_boot "modern interface" -- check 11
    # The check is real: another seed's pattern is not there.
    run_virtio --block:storage="$IMG" "$(vguest blkrw)" check 12
    assert_status 1
    assert_output_has "FAILURE: data read back differs from data written"
}

@test "virtio blk: persistence across PCI modern-only, legacy-only and MMIO legacy/v2 devices" {
    IMG="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 1M "$IMG"
    blk_boot "modern interface" --virtio=modern -- write 21
    blk_boot "legacy interface" --virtio=legacy -- check 21
    blk_boot "legacy interface" --virtio=legacy -- write 22
    blk_boot "legacy (version 1)" --machine=microvm --virtio=legacy -- check 22
    blk_boot "legacy (version 1)" --machine=microvm --virtio=legacy -- write 23
    blk_boot "version 2" --machine=microvm --virtio=modern -- check 23
    blk_boot "version 2" --machine=microvm --virtio=modern -- write 24
    blk_boot "modern interface" --virtio=modern -- check 24
}

@test "virtio blk: a 4096-byte block size from the device, multi-block requests across boots" {
    IMG="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 2M "$IMG"
    seed=50
    for m in pc microvm; do
        seed=$((seed + 1))
        run_virtio --machine=$m --block-sector-size:storage=4096 --block:storage="$IMG" "$(vguest blkrw)" write $seed
        expect_success
        assert_output_has "capacity 2097152 block_size 4096"
        run_virtio --machine=$m --block-sector-size:storage=4096 --block:storage="$IMG" "$(vguest blkrw)" check $seed
        expect_success
    done
}

@test "virtio blk: a read-only attachment reads, and refuses writes" {
    IMG="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 1M "$IMG"
    blk_boot "modern interface" -- write 31
    run_virtio --block-ro:storage="$IMG" "$(vguest blkrw)" check 31
    expect_success
    # A write is refused (VIRTIO_BLK_F_RO: EINVAL), the image keeps its data.
    run_virtio --block-ro:storage="$IMG" "$(vguest blkrw)" write 32
    assert_status 1
    assert_output_has "FAILURE: write failed"
    run_virtio --block:storage="$IMG" "$(vguest blkrw)" check 31
    expect_success
}

# ---- the script's own checks ------------------------------------------------------

@test "wisp-run-virtio: a manifest device without its option is refused before QEMU starts" {
    run_virtio "$(vguest blkrw)" check 1
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "block device 'storage' needs --block:storage=PATH"
    run_virtio --net:nosuch=tap9 "$(vguest hello)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "declares no network device 'nosuch'"
}

@test "wisp-run-virtio: bad options and files are refused with status 253" {
    run_virtio --mem=1 "$(vguest hello)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--mem: 1 MiB is out of range"
    run_virtio --frobnicate "$(vguest hello)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    run_virtio "$BATS_TEST_TMPDIR/missing.virtio"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    run_virtio /etc/passwd
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "not a unikernel"
}

@test "wisp-run-virtio: a TERM ends QEMU too and removes the temporary files" {
    out="$BATS_TEST_TMPDIR/idle.out"
    TMPDIR="$BATS_TEST_TMPDIR" "$RUN_VIRTIO" "$(vguest idle)" 60000 >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 300); do grep -qx READY "$out" && break; sleep 0.1; done
    grep -qx READY "$out"
    qemu=$(pgrep -P "$pid" qemu-system)
    [ -n "$qemu" ]
    kill -TERM "$pid"
    status=0
    wait "$pid" || status=$?
    [ "$status" -eq 143 ]
    for _ in $(seq 50); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.1; done
    ! kill -0 "$qemu" 2>/dev/null || false
    [ -z "$(ls -d "$BATS_TEST_TMPDIR"/wisp-run-virtio.* 2>/dev/null)" ]
}

@test "virtio blk: a VM without the manifest's device ends the boot with a message, status 255" {
    # QEMU directly (the script refuses this before starting QEMU).
    st="$BATS_TEST_TMPDIR/status"
    run timeout 60 qemu-system-x86_64 -M pc -accel tcg -cpu max -m 32 -nodefaults \
        -display none -no-reboot -kernel "$(vguest blkrw)" -append "check 1" \
        -chardev stdio,id=con -serial chardev:con -chardev "file,id=st,path=$st" \
        -device isa-debugcon,iobase=0xe9,chardev=st -device isa-debug-exit,iobase=0x501,iosize=2
    assert_status 1   # isa-debug-exit: the status byte is in the file
    [ "$(od -An -tu1 "$st" | tr -d ' ')" = 255 ]
    assert_output_has "wisp: guest aborted: manifest device 'storage': no virtio-blk device left to bind it to (the VM has 0)"
    assert_output_lacks "capacity"
}

@test "wisp-run-virtio --help: says how exit statuses map" {
    run "$RUN_VIRTIO" --help
    assert_status 0
    assert_output_has "usage: wisp-run-virtio"
    assert_output_has "--net:NAME=TAP"
}

# ---- network devices, in a namespace of their own ---------------------------------

require_virtio_netns() {
    require_root
    [ -c /dev/net/tun ] || skip "no /dev/net/tun"
    command -v ip >/dev/null || skip "no ip (iproute2)"
    command -v ping >/dev/null || skip "no ping"
}

# start_vguest OUT GUEST SCRIPT-ARGS... -- GUEST-ARGS...: boot in the namespace.
start_vguest() {
    local out=$1 g=$2
    shift 2
    local opts=()
    while [ "$1" != -- ]; do
        opts+=("$1")
        shift
    done
    shift
    netns_bg "$out" timeout 120 "$RUN_VIRTIO" "${opts[@]}" "$(vguest "$g")" "$@"
    GUEST_PID=$BG_PID
    wait_for_line "$out" READY 60 "$GUEST_PID"
}

# ping_ok OUTPUT N: N replies received, nothing corrupted or duplicated,
# at most 2 requests unanswered (PING_SENT: how many ping sent).  The pings
# run with a deadline (-w): without one, ping waits only two round trips
# for the last reply, which a loaded host can exceed; with one, ping sends
# more than N while a reply is late (-A and -f keep at most 2 in flight).
# The guests run until idle, so they answer those too, and their count of
# answers, against what ping sent, shows that no request was lost.
ping_ok() {
    local sent
    sent=$(sed -n "s/^\([0-9]*\) packets transmitted, $2 received,.*/\1/p" <<<"$1")
    PING_SENT=${sent:-0}
    if [ -z "$sent" ] || [ "$sent" -gt $(($2 + 2)) ] ||
        grep -qE 'corrupted|errors|wrong data byte|DUP!' <<<"$1"; then
        echo "ping did not get $2 clean replies:" >&2
        echo "$1" >&2
        return 1
    fi
}

# vguest_done OUT: the guest ended with status 0 and SUCCESS.
vguest_done() {
    wait_pid "$GUEST_PID" 60 || return 1
    [ "$bg_status" -eq 0 ] && grep -qxF SUCCESS "$1" || {
        echo "guest status $bg_status:" >&2
        cat "$1" >&2
        return 1
    }
}

# ping_guest INTERFACE TRANSPORT-ARGS...: 50 payload-checked pings answered
# by a NIC driven through INTERFACE (the library's --verbose report), then
# 2000 flood pings; the guest answered every request ping sent.
ping_guest() {
    local out="$BATS_TEST_TMPDIR/guest.out" iface=$1
    shift
    require_virtio_netns
    netns_create
    netns_tap tap0 10.0.0.1/24
    start_vguest "$out" net_ping --verbose "$@" --net:service0=tap0 --net-mac:service0=02:00:5e:00:00:07 -- 10.0.0.2 idle=3
    # ... and its receive interrupt routed, to end the guest's halts.
    grep -q "^wisp: virtio: device 'service0': virtio-net at .*, $iface, wakes on IRQ [0-9]*\$" "$out" || {
        echo "no boot report line for $iface; the guest printed:" >&2
        cat "$out" >&2
        return 1
    }
    grep -qxF "service0: MAC is 02:00:5e:00:00:07" "$out"
    grep -qxF "service0: MTU is 1500" "$out"
    run nsx timeout 60 ping -A -c 50 -w 50 -p 0123456789abcdef -s 1000 10.0.0.2
    ping_ok "$output" 50
    local sent=$PING_SENT
    run nsx timeout 60 ping -f -q -c 2000 -w 50 10.0.0.2
    ping_ok "$output" 2000
    sent=$((sent + PING_SENT))
    vguest_done "$out"  # 3 s without a frame
    grep -qF "icmp $sent, udp 0" "$out" || { cat "$out"; echo "ping sent $sent"; return 1; }
}

@test "virtio net: 50 payload-checked pings and 2000 flood pings on PCI transitional virtio-net" {
    ping_guest "modern interface"
}

@test "virtio net: 50 pings on PCI modern-only virtio-net (PVH entry)" {
    ping_guest "modern interface" --virtio=modern --boot=pvh
}

@test "virtio net: 50 pings on PCI legacy-only virtio-net" {
    ping_guest "legacy interface" --virtio=legacy
}

@test "virtio net: 50 pings on microvm virtio-mmio, legacy and version 2" {
    ping_guest "legacy .version 1." --machine=microvm --virtio=legacy
    netns_destroy || true
    ping_guest "version 2" --machine=microvm --virtio=modern
}

@test "virtio net: full-size frames (1472-byte payload) both ways" {
    local out="$BATS_TEST_TMPDIR/guest.out"
    require_virtio_netns
    netns_create
    netns_tap tap0 10.0.0.1/24 1500
    start_vguest "$out" net_ping --net:service0=tap0 -- 10.0.0.2 idle=2
    run nsx timeout 60 ping -A -M do -c 100 -w 50 -p 5a -s 1472 10.0.0.2
    ping_ok "$output" 100
    vguest_done "$out"
    grep -qF "icmp $PING_SENT, udp 0" "$out"
}

# Two NICs: the manifest's service0/service1 are bound in order, whatever
# the transport, and each answers on its own tap.
two_nics() {
    local out="$BATS_TEST_TMPDIR/guest.out"
    require_virtio_netns
    netns_create
    netns_tap tap0 10.0.0.1/24
    netns_tap tap1 10.1.0.1/24
    start_vguest "$out" net_2if "$@" --net:service1=tap1 --net:service0=tap0 \
        --net-mac:service0=02:00:00:00:00:a0 --net-mac:service1=02:00:00:00:00:a1 \
        -- 10.0.0.2 10.1.0.2 idle=5
    grep -qxF "service0: MAC is 02:00:00:00:00:a0" "$out"
    grep -qxF "service1: MAC is 02:00:00:00:00:a1" "$out"
    run nsx timeout 60 ping -A -c 10 -w 30 10.0.0.2
    ping_ok "$output" 10
    run nsx ip neigh show 10.0.0.2 dev tap0
    [[ "$output" == *"lladdr 02:00:00:00:00:a0 "* ]]
    run nsx timeout 60 ping -A -c 10 -w 30 10.1.0.2
    ping_ok "$output" 10
    run nsx ip neigh show 10.1.0.2 dev tap1
    [[ "$output" == *"lladdr 02:00:00:00:00:a1 "* ]]
    # (Asked while the guest runs: its tap's end flushes them.)
    vguest_done "$out"
}

@test "virtio net: two NICs on PCI bound in manifest order, each on its own subnet" {
    two_nics
}

@test "virtio net: two NICs on virtio-mmio bound in manifest order" {
    two_nics --machine=microvm
}

@test "virtio image: the wisp tender refuses it, naming the target" {
    [ -x "$WISP" ] || skip "$WISP is not built"
    run timeout 30 "$WISP" "$(vguest hello)" Hello_wisp
    [ "$status" -ne 0 ]
    assert_output_has "target virtio"
    assert_output_lacks "Hello, World"
}

@test "virtio image: its notes say what it is (query-abi, query-manifest)" {
    run "$WISP_ELFTOOL" query-abi "$(vguest hello)"
    assert_status 0
    assert_output_has '"target": "virtio"'
    run "$WISP_ELFTOOL" query-manifest "$(vguest net_2if)"
    assert_status 0
    assert_output_has '{ "name": "service1", "type": "NET_BASIC" }'
}

@test "virtio image: the file is linear over its loaded segments (the multiboot a.out kludge)" {
    command -v readelf >/dev/null || skip "no readelf"
    for g in hello net_2if blkrw tls; do
        run readelf -lW "$(vguest "$g")"
        assert_status 0
        # Every PT_LOAD: file offset - address is the same.
        deltas=$(while read -r type off addr _; do
            [ "$type" = LOAD ] && echo $((off - addr))
        done <<<"$output" | sort -u)
        [ "$(wc -l <<<"$deltas")" -eq 1 ] || { echo "$g: $output"; return 1; }
        [ "$(grep -c ' LOAD ' <<<"$output")" -ge 3 ]
    done
}

# ---- QEMU's KVM -------------------------------------------------------------------
# wisp-run-virtio picks TCG on KVM without hardware virtualization (PVM), where
# CPL0 code goes through PVM's instruction emulator (slow; some SSE fails);
# --accel=kvm forces KVM, and these tests check the kvmclock path with it.

@test "virtio under QEMU's KVM: kvmclock gives the TSC rate and the wall clock" {
    require_kvm
    run_virtio --accel=kvm --verbose --machine=microvm "$(vguest time)"
    expect_success
    assert_output_has "wisp: virtio: clock: TSC "
    assert_output_has " kHz from kvmclock, wall clock from kvmclock"
    assert_output_matches "^wisp-run-virtio: .* -accel kvm -cpu host "
    wall=$(sed -n 's/^wall clock: \([0-9]*\) s since the epoch$/\1/p' <<<"$output")
    now=$(date +%s)
    [ "$wall" -ge $((now - 60)) ]
    [ "$wall" -le $((now + 60)) ]
}

@test "virtio under QEMU's KVM: block data across a KVM and a TCG boot, a crash report" {
    require_kvm
    IMG="$BATS_TEST_TMPDIR/disk.img"
    truncate -s 1M "$IMG"
    blk_boot "version 2" --accel=kvm --machine=microvm --virtio=modern -- write 41
    blk_boot "legacy (version 1)" --accel=tcg --machine=microvm -- check 41
    run_virtio --accel=kvm --machine=microvm "$(vguest exception)"
    expect_crash "access outside guest memory"
}
