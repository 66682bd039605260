#!/usr/bin/env bats
# A hostile guest's CPU (issue 9, items 1, 2, 9, 10): doorbell stores KVM
# cannot emulate or splits, syscall and sysenter, accesses outside guest
# memory.  Each ends the guest as the guest's fault (status 255) with a
# report naming the instruction or the address, the console buffer drained
# first, on every KVM kind (make test-hwvirt runs this suite under
# hardware virtualization).  Guests: tests/guests/doorbell_store,
# cpu_escape (the kind on the command line).

load helpers

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

# escape_addr: the address cpu_escape printed ("cpu_escape: KIND at 0x...")
# as the tender prints addresses (no leading zeros).
escape_addr() {
    local hex
    hex=$(sed -n 's/^cpu_escape: [a-z]* at \(0x[0-9a-f]*\)$/\1/p' <<<"$output")
    [ -n "$hex" ] || { echo "cpu_escape printed no address; output was: $output" >&2; return 1; }
    printf '0x%x' "$hex"
}

# skip_if_cpu_lacks: the guest found the instruction missing from its CPUID.
skip_if_cpu_lacks() {
    if grep -q '^skipped: ' <<<"$output" && [ "$status" -eq 0 ]; then
        skip "$(sed -n 's/^skipped: //p' <<<"$output") (the guest's CPUID)"
    fi
}

# expect_drained: the line left in the console buffer came out, before the
# report (bats merges stdout and stderr in order here: one process).
expect_drained() {
    assert_output_has "pending: no newline"
}

# doorbell KIND NAME: a store by instruction NAME that KVM cannot emulate
# (or, on a KVM that can, splits into 8-byte pieces) ends the guest.
doorbell() {
    require_kvm
    wisp_run "$(guest doorbell_store)" "$1"
    skip_if_cpu_lacks
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_matches "wisp: guest (crashed: the doorbell store could not be emulated: $2 at 0x[0-9a-f]+ |violated the hypercall ABI: a store to doorbell offset 0x[0-9a-f]+ by an instruction that is not an 8-byte mov \\(it ends at 0x)"
    assert_output_lacks "KVM: internal error"
    assert_output_lacks "doorbell hypercall ran"
    assert_output_lacks "FAILURE"
    expect_drained
}

@test "doorbell sse16: a 16-byte movups over two doorbell slots ends the guest before either hypercall, 255" {
    require_kvm
    wisp_run "$(guest doorbell_store)" sse16
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest violated the hypercall ABI: a store to doorbell offset 0x8 by an instruction that is not an 8-byte mov (it ends at 0x"
    assert_output_lacks "doorbell hypercall ran"
    assert_output_lacks "FAILURE"
    expect_drained
}

@test "doorbell avx: vmovdqu ymm to the doorbell is the guest's fault, not KVM's, 255" {
    doorbell avx vmovdqu
}

@test "doorbell avx512: vmovdqu64 zmm to the doorbell is the guest's fault, 255" {
    doorbell avx512 vmovdqu64
}

@test "doorbell fxsave: fxsave64 to the doorbell is the guest's fault, 255" {
    doorbell fxsave fxsave64
}

@test "doorbell xsave: xsave64 to the doorbell is the guest's fault, 255" {
    doorbell xsave xsave64
}

@test "doorbell movdir64b: movdir64b to the doorbell is the guest's fault, 255" {
    doorbell movdir64b movdir64b
}

# escape KIND: run cpu_escape KIND in isolated mode.
escape() {
    require_kvm
    wisp_run "$(guest cpu_escape)" "$1"
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_lacks "FAILURE"
    expect_drained
}

@test "syscall: named at its address, never a jump to RIP 0, 255" {
    escape syscall
    assert_output_has "wisp: guest crashed: the guest executed syscall at $(escape_addr): system calls are not available"
    assert_output_lacks "NULL pointer"
}

@test "sysenter: named at its address, 255" {
    escape sysenter
    assert_output_has "wisp: guest crashed: the guest executed sysenter at $(escape_addr): system calls are not available"
    assert_output_lacks "NULL pointer"
}

@test "noncanonical: a #GP on a load from 0x8000000000000000 names the address as outside guest memory, 255" {
    escape noncanonical
    assert_output_has "wisp: guest crashed: general protection fault (#GP), error code 0x0: access to non-canonical address 0x8000000000000000, outside guest memory"
    assert_output_has "wisp:   instruction at $(escape_addr) in text segment"
}

@test "kernelhalf: a store to 0xffff800000001000 is an access outside guest memory, whatever the error code, 255" {
    escape kernelhalf
    assert_output_has "wisp: guest crashed: page fault: access outside guest memory at 0xffff800000001000 (error code 0x"
    assert_output_lacks "reserved bit"
    assert_output_has "wisp:   instruction at $(escape_addr) in text segment"
}

@test "beyondram: a store to 0x7ff0000000 is an access outside guest memory, 255" {
    escape beyondram
    assert_output_has "wisp: guest crashed: page fault: access outside guest memory at 0x7ff0000000 (error code 0x"
    assert_output_lacks "reserved bit"
    assert_output_has "wisp:   instruction at $(escape_addr) in text segment"
}

# compat_escape KIND: cpu_escape KIND in compatibility mode at CPL3.
compat_escape() {
    if solo5_cpl0; then
        skip "tests wisp's CPL3 setup; with --solo5:cpl0 the guest owns its MSRs"
    fi
    require_kvm
    wisp_run "$HVT_GUESTS/cpu_escape.hvt" "$1"
}

@test "compat syscall: named at its address, the guest gets #UD there as under solo5-hvt, never RIP 0, 255" {
    compat_escape syscall
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest executed syscall at rip $(escape_addr): system calls are not available"
    assert_output_has "Solo5: trap: type=#UD ec=0x0 rip=$(escape_addr) "
    assert_output_lacks "rip=0x0 "
}

@test "compat sysenter: named at its address, the guest gets the CPU's exception there, 255" {
    compat_escape sysenter
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has "wisp: guest executed sysenter at rip $(escape_addr): system calls are not available"
    assert_output_matches "^Solo5: trap: type=#(UD|GP) ec=0x0 rip=$(escape_addr) "
}
