#!/usr/bin/env bats
# Isolated-mode crash reports name the function and offset of the faulting
# instruction and of each return address on the frame-pointer chain
# (tender/debug/symbols.c; wisp-cc builds with frame pointers), checked
# against the ELF's own symbol table (nm); a stripped image still gets the
# plain report.

load helpers

require_binutils() {
    command -v nm >/dev/null && command -v strip >/dev/null ||
        skip "nm and strip (binutils) are not installed"
}

# func_of ADDR KERNEL: the function nm says holds ADDR (hex, no 0x).
func_of() {
    local want=$((16#$1)) addr type name f=
    while read -r addr type name; do
        [[ "$type" == [tT] ]] || continue
        [ $((16#$addr)) -le "$want" ] || break
        f=$name
    done < <(nm -n "$2")
    echo "$f"
}

@test "crash symbols: the faulting function and its caller are named" {
    require_kvm
    wisp_run "$(guest exception)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_matches "^wisp:   in solo5_app_main\+0x[0-9a-f]+$"
    assert_output_matches "^wisp:   called from wg_start\+0x[0-9a-f]+ \(0x[0-9a-f]+\)$"
}

@test "crash symbols: the named offsets are the addresses the symbol table gives" {
    require_kvm
    require_binutils
    wisp_run "$(guest exception)"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    rip=$(sed -n 's/^wisp:   instruction at 0x\([0-9a-f]*\) .*/\1/p' <<<"$output")
    off=$(sed -n 's/^wisp:   in solo5_app_main+0x\([0-9a-f]*\)$/\1/p' <<<"$output")
    start=$(nm "$(guest exception)" | awk '$3 == "solo5_app_main" { print $1 }')
    [ $((16#$rip)) -eq $((16#$start + 16#$off)) ]
    ret=$(sed -n 's/^wisp:   called from .* (0x\([0-9a-f]*\))$/\1/p' <<<"$output")
    [ "$(func_of "$ret" "$(guest exception)")" = wg_start ]
}

@test "crash symbols: a stripped image gets the plain report" {
    require_kvm
    require_binutils
    cp "$(guest exception)" "$BATS_TEST_TMPDIR/stripped.wisp"
    strip "$BATS_TEST_TMPDIR/stripped.wisp"
    wisp_run "$BATS_TEST_TMPDIR/stripped.wisp"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp:   instruction at 0x"
    assert_output_lacks "wisp:   in "
    assert_output_lacks "called from"
}
