#!/usr/bin/env bats
# The toolchain: wisp-cc builds a bootable unikernel from a Solo5-style
# program in one command, the guest library exports only the public API,
# and the images it makes have the layout the tender requires.

load helpers

GUEST_OBJ="$TOP/build/lib/wisp/wisp-guest.o"

@test "wisp-cc: a program written for Solo5 builds in one command and boots" {
    require_kvm
    cat >"$BATS_TEST_TMPDIR/app.c" <<'C'
#include "solo5.h"
int solo5_app_main(const struct solo5_start_info *si)
{
    (void)si;
    solo5_console_write("solo5 app ran\n", 14);
    return 7;
}
C
    run "$WISP_CC" -o "$BATS_TEST_TMPDIR/app.wisp" "$BATS_TEST_TMPDIR/app.c"
    assert_status 0
    wisp_run "$BATS_TEST_TMPDIR/app.wisp"
    assert_status 7
    assert_output_has "solo5 app ran"
}

@test "wisp-cc: --help describes the command and exits 0" {
    run "$WISP_CC" --help
    assert_status 0
    assert_output_has "-o OUTPUT"
    assert_output_has "--manifest=FILE.json"
}

@test "wisp-cc: a missing source file is refused by name" {
    run "$WISP_CC" -o "$BATS_TEST_TMPDIR/x.wisp" "$BATS_TEST_TMPDIR/nonexistent.c"
    [ "$status" -ne 0 ]
    assert_output_has "nonexistent.c"
    [ ! -e "$BATS_TEST_TMPDIR/x.wisp" ]
}

@test "guest library: the only global symbols it defines are the public API" {
    run bash -c "nm -g --defined-only '$GUEST_OBJ' | awk '{print \$3}'"
    assert_status 0
    [ -n "$output" ]
    bad=$(grep -Ev '^(solo5_[a-z_0-9]+|wisp_[a-z_0-9]+|_start|__stack_chk_guard|__stack_chk_fail)$' <<<"$output" || true)
    if [ -n "$bad" ]; then
        echo "unexpected global symbols: $bad" >&2
        return 1
    fi
}

@test "images: separate page-aligned segments, no W+X, no interpreter, wisp and manifest notes" {
    img="$(guest hello)"
    [ -f "$img" ] || skip "hello test guest not built"
    run readelf -lW "$img"
    assert_status 0
    assert_output_lacks "INTERP"
    assert_output_lacks "DYNAMIC"
    # no LOAD segment with both W and E flags
    ! grep -E '^ +LOAD ' <<<"$output" | grep -Eq ' RWE | R?WE ' || false
    # every LOAD starts on a page boundary
    while read -r _ _ vaddr _; do
        [ $((vaddr % 4096)) -eq 0 ]
    done < <(grep -E '^ +LOAD ' <<<"$output")
    run readelf -nW "$img"
    assert_output_has "wisp"
    run "$WISP_ELFTOOL" query-abi "$img"
    assert_status 0
    assert_output_has '"type": "wisp.abi"'
}
