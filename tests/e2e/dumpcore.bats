#!/usr/bin/env bats
# --dumpcore[=DIR] (tender/debug/dumpcore.c): a crashing guest leaves an ELF
# core file that readelf and gdb read: gdb's backtrace shows the faulting
# function and its caller (isolated mode), the faulting function
# (compatibility mode, from Solo5's trap frame); the file is created
# exclusively, mode 0600, never through a symlink; no file without a crash.

load helpers

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

require_gdb() {
    command -v gdb >/dev/null || skip "gdb is not installed (apt-get install gdb)"
}

# the_core: the one core file in $dir (fails if none or several).
the_core() {
    local n
    n=$(find "$dir" -maxdepth 1 -name 'core.*' | wc -l)
    [ "$n" = 1 ] || { echo "expected one core file in $dir, found $n" >&2; ls -la "$dir" >&2; return 1; }
    find "$dir" -maxdepth 1 -name 'core.*'
}

setup() {
    dir="$BATS_TEST_TMPDIR/cores"
    mkdir -p "$dir"
}

@test "dumpcore: isolated crash: core.wisp.PID, 0600, readelf sees PRSTATUS, the WISP fault note and PT_LOADs" {
    require_kvm
    command -v readelf >/dev/null || skip "readelf (binutils) is not installed"
    wisp_run --dumpcore="$dir" "$(guest exception)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_matches "^wisp: dumpcore: dumping guest core to: $dir/core\.wisp\.[0-9]+$"
    core=$(the_core)
    [ "$(stat -c %a "$core")" = 600 ]
    readelf -h "$core" | grep -q "CORE (Core file)"
    readelf -n "$core" | grep -q "NT_PRSTATUS"
    readelf -n "$core" | grep -q "WISP"
    [ "$(readelf -lW "$core" | grep -c LOAD)" -ge 3 ]
    # sparse: far fewer blocks allocated than the apparent size
    [ $(( $(stat -c %b "$core") * 512 )) -lt $(stat -c %s "$core") ]
}

@test "dumpcore: gdb -batch -ex bt KERNEL CORE shows the faulting function and its caller" {
    require_kvm
    require_gdb
    wisp_run --dumpcore="$dir" "$(guest exception)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    run gdb -nx -batch -ex bt "$(guest exception)" "$(the_core)"
    assert_output_matches "^#0 +solo5_app_main .*exception\.c:10"
    assert_output_matches "^#1 +0x[0-9a-f]+ in wg_start "
}

@test "dumpcore: compatibility mode: core.solo5-hvt.PID at the end of solo5-hvt's line, status 255" {
    require_kvm
    require_gdb
    wisp_run --dumpcore="$dir" "$HVT_GUESTS/exception.hvt"
    assert_status 255
    assert_output_has "dumpcore: dumped "
    line=$(grep -E "core\.solo5-hvt\.[0-9]+$" <<<"$output")
    [ -f "$dir/${line##*/}" ]
    run gdb -nx -batch -ex bt "$HVT_GUESTS/exception.hvt" "$dir/${line##*/}"
    assert_output_matches "^#0 +solo5_app_main .*exception\.c:10"
    # at CPL3 the core holds the registers of the fault (the tender delivered
    # it), and wisp-cc's .debug_frame lets gdb unwind: the caller too
    solo5_cpl0 || assert_output_matches "^#1 +0x[0-9a-f]+ in _start "
}

@test "dumpcore: no core when the guest exits normally" {
    require_kvm
    wisp_run --dumpcore="$dir" "$(guest hello)" Hello_wisp
    assert_status 0
    assert_output_lacks "dumpcore"
    [ -z "$(ls -A "$dir")" ]
}

@test "dumpcore: an existing file or a symlink at the name is never written through" {
    require_kvm
    # the core's name holds the tender's PID: a shell plants the link at
    # its own PID's name, then becomes the tender (exec keeps the PID)
    target="$BATS_TEST_TMPDIR/victim"
    echo precious >"$target"
    run bash -c 'ln -s "$1" "$2/core.wisp.$$" && exec "$3" --dumpcore="$2" "$4"' _ \
        "$target" "$dir" "$WISP" "$(guest exception)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "dumpcore: cannot create"
    [ "$(cat "$target")" = precious ]
}

@test "dumpcore: a directory that does not exist is refused before the guest runs" {
    wisp_run --dumpcore="$dir/nope" "$(guest hello)"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    assert_output_has "--dumpcore=$dir/nope: cannot open directory"
    assert_output_lacks "SUCCESS"
}
