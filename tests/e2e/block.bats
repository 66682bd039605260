#!/usr/bin/env bats
# End-to-end tests of block devices: --block, --block-ro,
# --block-sector-size, the BLOCK_READ/WRITE/FLUSH hypercalls, image locking,
# and the option and manifest errors (exact messages).  Guests:
# tests/guests/blkrw (modes on its command line), blk63, blktype.
# Images live in $BATS_TEST_TMPDIR.  Build first: make all.

load helpers

setup() {
    IMG="$BATS_TEST_TMPDIR/disk.img"
    BLKRW="$(guest blkrw)"
}

# image PATH SIZE: a zero-filled image of SIZE bytes (truncate syntax).
image() {
    rm -f "$1"
    truncate -s "$2" "$1"
}

# expect_error MESSAGE: the tender refused to run (status 253) and said
# exactly "wisp: MESSAGE" on a line of its own.
expect_error() {
    assert_status "$WISP_EXIT_TENDER_ERROR"
    if ! grep -qxF -- "wisp: $1" <<<"$output"; then
        echo "expected the line: wisp: $1" >&2
        echo "output was:" >&2
        echo "$output" >&2
        return 1
    fi
    assert_output_lacks "SUCCESS"
}

# start_bg OUT ARGS...: run the tender in the background, stdout and stderr
# to OUT; its pid in $bg_pid.
start_bg() {
    local out=$1
    shift
    timeout 60 "$WISP" "$@" >"$out" 2>&1 &
    bg_pid=$!
}

# wait_for_line FILE LINE: wait (at most 30 s) until FILE has the line LINE.
wait_for_line() {
    local i
    for ((i = 0; i < 3000; i++)); do
        grep -qxF -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$bg_pid" 2>/dev/null || break
        sleep 0.01
    done
    grep -qxF -- "$2" "$1" && return 0
    echo "no line '$2' in $1; it holds:" >&2
    cat "$1" >&2
    return 1
}

# stop_bg: end the background tender and reap it.
stop_bg() {
    kill "$bg_pid" 2>/dev/null || true
    wait "$bg_pid" 2>/dev/null || true
}

# ---- data --------------------------------------------------------------

@test "block: 512-byte blocks: pattern over a whole 4 MiB image, 1..16-block requests, EINVAL cases, flush" {
    require_kvm
    image "$IMG" 4M
    wisp_run --block:storage="$IMG" "$BLKRW" verify 1
    expect_success
    assert_output_has "capacity 4194304 block_size 512"
    assert_output_has "verified"
}

@test "block: 4096-byte blocks (size option first): whole-image pattern and EINVAL cases" {
    require_kvm
    image "$IMG" 4M
    wisp_run --block-sector-size:storage=4096 --block:storage="$IMG" "$BLKRW" verify 2
    expect_success
    assert_output_has "capacity 4194304 block_size 4096"
    assert_output_has "verified"
}

@test "block: 32768-byte blocks (size option after --block)" {
    require_kvm
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" --block-sector-size:storage=32768 "$BLKRW" verify 3
    expect_success
    assert_output_has "capacity 1048576 block_size 32768"
}

@test "block: a one-block image works" {
    require_kvm
    image "$IMG" 4096
    wisp_run --block:storage="$IMG" --block-sector-size:storage=4096 "$BLKRW" verify 4
    expect_success
    assert_output_has "capacity 4096 block_size 4096"
}

@test "block: data written in one boot is read back in the next, and is in the file" {
    require_kvm
    image "$IMG" 4M
    wisp_run --block:storage="$IMG" "$BLKRW" write 11
    expect_success
    # The host file is no longer all zeros.
    run cmp -s "$IMG" <(head -c 4194304 /dev/zero)
    [ "$status" -eq 1 ]
    wisp_run --block:storage="$IMG" "$BLKRW" check 11
    expect_success
    # The check is not vacuous: another seed's pattern does not match.
    wisp_run --block:storage="$IMG" "$BLKRW" check 12
    assert_status 1
    assert_output_has "FAILURE: data read back differs from data written"
}

@test "block: --block-ro: reads work, writes and flush return EINVAL, the image is unchanged" {
    require_kvm
    image "$IMG" 4M
    wisp_run --block:storage="$IMG" "$BLKRW" write 21
    expect_success
    before=$(sha256sum <"$IMG")
    wisp_run --block-ro:storage="$IMG" "$BLKRW" ro 21
    expect_success
    assert_output_has "read-only ok"
    [ "$(sha256sum <"$IMG")" = "$before" ]
}

@test "block: --block-ro works on a file without write permission" {
    require_kvm
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" "$BLKRW" write 41
    expect_success
    chmod 0444 "$IMG"
    wisp_run --block-ro:storage="$IMG" "$BLKRW" ro 41
    expect_success
    if [ "$(id -u)" != 0 ]; then
        wisp_run --block:storage="$IMG" "$BLKRW" check 0
        expect_error "--block:storage=$IMG: cannot open $IMG: Permission denied"
    fi
}

# shrunk_read [--no-rings] BLKRW_ARGS...: boot blkrw on a 1 MiB image,
# shrink the image to 512 KiB once it is READY; the guest's read past the
# new end gets EUNSPEC and it ends with SUCCESS (the tender survives).
shrunk_read() {
    local opts=()
    if [ "$1" = --no-rings ]; then
        opts=(--no-rings)
        shift
    fi
    image "$IMG" 1M
    out="$BATS_TEST_TMPDIR/shrink.out"
    start_bg "$out" "${opts[@]}" --block:storage="$IMG" "$BLKRW" "$@"
    wait_for_line "$out" READY
    truncate -s 512K "$IMG"
    wait "$bg_pid" && status=0 || status=$?
    output=$(cat "$out")
    expect_success
    assert_output_has "read past the end of the shrunk image: EUNSPEC"
}

@test "block: a short read (image shrunk under the guest) is EUNSPEC and the guest goes on" {
    require_kvm
    shrunk_read shrink
}

@test "block: the same through the BLOCK_READ hypercall (--no-rings): the vCPU thread's copy fails, not the tender" {
    require_kvm
    shrunk_read --no-rings shrink busy
}

@test "block: a read into the guest's own text ends the guest (ABI violation)" {
    require_kvm
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" "$BLKRW" badbuf
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest violated the hypercall ABI: BLOCK_READ buffer: guest address 0x"
    assert_output_has "is not memory the guest may write"
    assert_output_lacks "FAILURE"
}

@test "block: a read to an address outside guest RAM ends the guest (ABI violation)" {
    require_kvm
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" "$BLKRW" farbuf
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest violated the hypercall ABI: BLOCK_READ buffer: guest address 0xf0000000, size 512 is outside guest memory"
    assert_output_lacks "FAILURE"
}

@test "block: 63 block devices at once; storage0 and storage62 work" {
    require_kvm
    args=()
    for i in $(seq 0 62); do
        truncate -s 8192 "$BATS_TEST_TMPDIR/d$i.img"
        args+=("--block:storage$i=$BATS_TEST_TMPDIR/d$i.img")
    done
    wisp_run "${args[@]}" "$(guest blk63)"
    expect_success
    assert_output_has "storage0: handle 1, capacity 8192"
    assert_output_has "storage62: handle 63, capacity 8192"
    # Written at the last block of each image, nowhere else.
    [ "$(tail -c 512 "$BATS_TEST_TMPDIR/d0.img" | tr -d '\021' | wc -c)" = 0 ]
    [ "$(tail -c 512 "$BATS_TEST_TMPDIR/d62.img" | tr -d '\042' | wc -c)" = 0 ]
    cmp -s "$BATS_TEST_TMPDIR/d1.img" <(head -c 8192 /dev/zero)
}

# ---- locking -----------------------------------------------------------

@test "block: a second tender on a read-write image is refused with a clear message" {
    require_kvm
    image "$IMG" 1M
    out="$BATS_TEST_TMPDIR/first.out"
    start_bg "$out" --block:storage="$IMG" "$BLKRW" hold 20000
    wait_for_line "$out" READY
    wisp_run --block:storage="$IMG" "$BLKRW" check 0
    local second_status=$status second_output=$output
    wisp_run --block-ro:storage="$IMG" "$BLKRW" check 0
    local ro_status=$status ro_output=$output
    stop_bg
    status=$second_status output=$second_output
    expect_error "--block:storage=$IMG: $IMG is locked by another process (another wisp using this image?)"
    status=$ro_status output=$ro_output
    expect_error "--block-ro:storage=$IMG: $IMG is locked by another process (another wisp using this image?)"
}

@test "block: two read-only tenders share an image; a read-write one is refused" {
    require_kvm
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" "$BLKRW" write 31
    expect_success
    out="$BATS_TEST_TMPDIR/first.out"
    start_bg "$out" --block-ro:storage="$IMG" "$BLKRW" hold 20000
    wait_for_line "$out" READY
    wisp_run --block-ro:storage="$IMG" "$BLKRW" ro 31
    local ro_status=$status ro_output=$output
    wisp_run --block:storage="$IMG" "$BLKRW" check 31
    local rw_status=$status rw_output=$output
    stop_bg
    status=$ro_status output=$ro_output
    expect_success
    status=$rw_status output=$rw_output
    expect_error "--block:storage=$IMG: $IMG is locked by another process (another wisp using this image?)"
}

@test "block: the lock goes with the tender: the image is usable once the first has exited" {
    require_kvm
    image "$IMG" 1M
    out="$BATS_TEST_TMPDIR/first.out"
    start_bg "$out" --block:storage="$IMG" "$BLKRW" hold 200
    wait_for_line "$out" READY
    wait "$bg_pid"
    wisp_run --block:storage="$IMG" "$BLKRW" verify 5
    expect_success
}

# ---- option and manifest errors ----------------------------------------

@test "block: --help lists the block options" {
    run "$WISP" --help
    assert_output_has "--block:NAME=PATH"
    assert_output_has "--block-ro:NAME=PATH"
    assert_output_has "--block-sector-size:NAME=N"
}

@test "block: a device the manifest does not declare is refused" {
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" "$(guest hello)"
    expect_error "--block:storage=$IMG: device 'storage' is not declared in the manifest of $(guest hello)"
    wisp_run --block:disk="$IMG" "$BLKRW" check 0
    expect_error "--block:disk=$IMG: device 'disk' is not declared in the manifest of $BLKRW"
}

@test "block: a NET_BASIC device named in --block is refused" {
    image "$IMG" 1M
    wisp_run --block:service="$IMG" "$(guest blktype)"
    expect_error "--block:service=$IMG: device 'service' is declared as NET_BASIC in $(guest blktype), not BLOCK_BASIC"
}

@test "block: a declared device that is not attached is refused (core message)" {
    wisp_run "$BLKRW" check 0
    expect_error "$BLKRW declares 1 device that is not attached: 'storage' (BLOCK_BASIC) (attach with --net:NAME=IFACE or --block:NAME=PATH; see --help)"
    # A block size alone does not attach the device.
    wisp_run --block-sector-size:storage=4096 "$BLKRW" check 0
    expect_error "$BLKRW declares 1 device that is not attached: 'storage' (BLOCK_BASIC) (attach with --net:NAME=IFACE or --block:NAME=PATH; see --help)"
}

@test "block: a missing image, a directory and a character device are refused" {
    wisp_run --block:storage="$BATS_TEST_TMPDIR/nope.img" "$BLKRW" check 0
    expect_error "--block:storage=$BATS_TEST_TMPDIR/nope.img: cannot open $BATS_TEST_TMPDIR/nope.img: No such file or directory"
    wisp_run --block-ro:storage="$BATS_TEST_TMPDIR" "$BLKRW" check 0
    expect_error "--block-ro:storage=$BATS_TEST_TMPDIR: $BATS_TEST_TMPDIR is not a regular file or a block device"
    wisp_run --block-ro:storage=/dev/null "$BLKRW" check 0
    expect_error "--block-ro:storage=/dev/null: /dev/null is not a regular file or a block device"
}

@test "block: an image that is not a whole number of blocks is refused" {
    image "$IMG" 6144
    wisp_run --block:storage="$IMG" --block-sector-size:storage=4096 "$BLKRW" check 0
    expect_error "--block:storage=$IMG: Backing storage size must be block aligned: image size 6144 is not a multiple of the 4096-byte block size"
    wisp_run --block-sector-size:storage=4096 --block:storage="$IMG" "$BLKRW" check 0
    expect_error "--block:storage=$IMG: Backing storage size must be block aligned: image size 6144 is not a multiple of the 4096-byte block size"
    image "$IMG" 1000
    wisp_run --block:storage="$IMG" "$BLKRW" check 0
    expect_error "--block:storage=$IMG: Backing storage size must be block aligned: image size 1000 is not a multiple of the 512-byte block size"
    image "$IMG" 0
    wisp_run --block:storage="$IMG" "$BLKRW" check 0
    expect_error "--block:storage=$IMG: Backing storage size must be at least 1 block: image size 0 is smaller than one 512-byte block"
}

@test "block: bad sector sizes are refused: odd, 256, 0, not a number, signs, too big" {
    image "$IMG" 1M
    for n in 513 1000 256 0 abc 4k -512 +512 " 512" 65536 32769 99999999999999999999999; do
        wisp_run --block:storage="$IMG" "--block-sector-size:storage=$n" "$BLKRW" check 0
        expect_error "--block-sector-size:storage=$n: Block size must be a multiple of 2 greater than or equal 512 (a power of two from 512 to 32768)"
    done
}

@test "block: each option once per device name" {
    image "$IMG" 1M
    wisp_run --block:storage="$IMG" --block:storage="$IMG" "$BLKRW" check 0
    expect_error "--block:storage=$IMG: device 'storage' is already attached by --block:storage=$IMG"
    wisp_run --block:storage="$IMG" --block-ro:storage="$IMG" "$BLKRW" check 0
    expect_error "--block-ro:storage=$IMG: device 'storage' is already attached by --block:storage=$IMG"
    wisp_run --block-sector-size:storage=4096 --block:storage="$IMG" --block-sector-size:storage=512 "$BLKRW" check 0
    expect_error "--block-sector-size:storage=512: the block size of 'storage' is already set by --block-sector-size:storage=4096"
}

@test "block: malformed options are refused by name" {
    wisp_run --block:storage= "$BLKRW" check 0
    expect_error "--block:storage=: expected --block:NAME=VALUE"
    wisp_run --block:=x "$BLKRW" check 0
    expect_error "--block:=x: expected --block:NAME=VALUE"
    wisp_run --block-ro:sto_rage=x "$BLKRW" check 0
    expect_error "--block-ro:sto_rage=x: device names are made of letters and digits only"
}
