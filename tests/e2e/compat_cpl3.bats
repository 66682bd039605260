#!/usr/bin/env bats
# Compatibility mode at CPL3 (the default; tender/modes/hvt/emulate.h): the
# privileged instructions of Solo5's bindings emulated by wisp, exceptions
# delivered into the guest's own IDT, and what a hostile or unusual guest
# gets: a forged GDT/IDT/IST, far return or iretq frame, a privileged
# instruction wisp does not emulate.  Guests: tests/guests/hvt_emulate,
# hvt_trap (SCENARIO on the command line).  With WISP_SOLO5_CPL0=1 (the
# second pass of tests/run-all.sh) the CPL3-only tests skip.

load helpers

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

hvt() {
    echo "$HVT_GUESTS/$1.hvt"
}

# cpl3_only: skip in the --solo5:cpl0 pass.
cpl3_only() {
    if solo5_cpl0; then
        skip "tests wisp's CPL3 emulation; with --solo5:cpl0 the CPU runs these instructions itself"
    fi
    require_kvm
}

# trap_scenario NAME: run hvt_trap NAME.
trap_scenario() {
    wisp_run "$(hvt hvt_trap)" "$1"
    assert_output_has "scenario: $1"
    assert_output_lacks "FAILURE"
}

# skip_cpl0_emulator WHAT: in the --solo5:cpl0 pass, skip when this KVM's
# instruction emulator gave up on WHAT (PVM: CPL0 code is emulated).
skip_cpl0_emulator() {
    if solo5_cpl0 && [ "$status" -eq 1 ] && grep -qF "KVM: internal error exit" <<<"$output"; then
        skip "this KVM emulates CPL0 guest code and cannot emulate $1 (KVM: internal error exit); see PLATFORM.md"
    fi
}

# expect_crash WHY: wisp's crash report for a fault the guest's IDT cannot take.
expect_crash() {
    assert_status 255
    assert_output_has "wisp: guest crashed: $1"
    assert_output_lacks "Solo5: trap:"
}

# expect_not_emulated INSN: status 1 and the report naming the instruction.
expect_not_emulated() {
    assert_status 1
    assert_output_has "wisp: guest executed $1 at rip 0x"
    assert_output_has "a privileged instruction wisp does not emulate at CPL3"
}

@test "compat cpl3: lgdt+lretq, mov Sreg, ltr, cli/sti, wrmsr FS_BASE, #DE/#BP/#PF into the guest's IDT, iretq, mov %cr2" {
    require_kvm
    wisp_run "$(hvt hvt_emulate)"
    skip_cpl0_emulator "iretq or int3"
    assert_status 0
    for line in "lgdt, lretq, mov to %ds/%es/%ss: ok" "ltr: ok" "cli, sti: ok" "wrmsr FS_BASE: ok" \
        "#DE delivered to the guest's IDT, iretq: ok" "int3 delivered: ok" \
        "#PF delivered, mov %cr2: ok" SUCCESS; do
        assert_output_has "$line"
    done
}

@test "compat cpl3: sgdt, sidt, str, sldt, smsw show the guest's own tables and solo5-hvt's CR0 (CR4.UMIP)" {
    require_kvm
    wisp_run "$(hvt hvt_sdt)"
    if grep -qF "umip: not offered by this KVM" <<<"$output"; then
        skip "this KVM offers no UMIP (CPUID.7.0:ECX bit 2): at CPL3 these stores show the tender's tables"
    fi
    assert_status 0
    assert_output_has "sgdt, sidt, str, sldt, smsw: the guest's own values: ok"
    assert_output_lacks "FAILURE"
}

@test "compat cpl3: a divide error reaches Solo5's trap handler (#DE), ABORT, 255" {
    require_kvm
    trap_scenario de
    assert_status 255
    assert_output_has "Solo5: trap: type=#DE ec=0x0 rip=0x"
    assert_output_has "Solo5: ABORT: "
}

@test "compat cpl3: int3 reaches Solo5's trap handler (#BP), ABORT, 255" {
    require_kvm
    trap_scenario bp
    skip_cpl0_emulator int3
    assert_status 255
    assert_output_has "Solo5: trap: type=#BP ec=0x0 rip=0x"
}

@test "compat cpl3: a handler that faults again and again ends with wisp's crash report" {
    cpl3_only
    trap_scenario handler_fault
    expect_crash "page fault (#PF), error code 0x2, nested exception number 9 inside the guest's own exception handler"
}

@test "compat cpl3: an IDT over the tender's IDT page is not read: crash report" {
    cpl3_only
    trap_scenario forged_idt
    expect_crash "divide error (#DE), and the guest's IDT (0x2000, limit 0xfff) has no readable gate"
}

@test "compat cpl3: a gate to the tender's ring-0 stub is refused: crash report" {
    cpl3_only
    trap_scenario stub_gate
    expect_crash "divide error (#DE), and the guest's IDT gate 0 is not a present interrupt or trap gate to its text (handler 0x3000)"
}

@test "compat cpl3: an IST pointing at the tender's stub stack is not written: crash report" {
    cpl3_only
    trap_scenario tender_ist
    expect_crash "divide error (#DE), and the guest's exception stack at 0x4fd8 is not writable guest memory"
}

@test "compat cpl3: lgdt of the tender's GDT page, then ltr: refused, status 1" {
    cpl3_only
    trap_scenario forged_gdt
    expect_not_emulated ltr
    assert_output_has "the selector names no 64-bit TSS in the guest's GDT"
}

@test "compat cpl3: an iretq frame into the tender's stub page stays at CPL3 and faults (#PF), 255" {
    cpl3_only
    trap_scenario iretq_stub
    assert_status 255
    assert_output_has "Solo5: trap: type=#PF ec=0x11 rip=0x3000"
    assert_output_has "Solo5: trap: cr2=0x3000"
}

@test "compat cpl3: lretq to a non-canonical address: status 1" {
    cpl3_only
    trap_scenario lretq_noncanon
    assert_status 1
    assert_output_has "to the non-canonical address 0x8000000000000000"
}

@test "compat cpl3: wrmsr of a non-canonical FS_BASE is refused, status 1" {
    cpl3_only
    trap_scenario wrmsr_noncanon
    assert_status 1
    assert_output_has "FS_BASE 0x8000000000000000 is not a canonical address"
}

@test "compat cpl3: privileged instructions wisp does not emulate are named: rdmsr, wrmsr GS_BASE, mov %cr3, wbinvd, invlpg, lmsw" {
    cpl3_only
    trap_scenario rdmsr
    expect_not_emulated rdmsr
    trap_scenario wrmsr_gs
    expect_not_emulated wrmsr
    assert_output_has "MSR 0xc0000101 (only FS_BASE, 0xc0000100, is)"
    trap_scenario cr3
    expect_not_emulated "mov from a control register"
    trap_scenario wbinvd
    expect_not_emulated wbinvd
    trap_scenario invlpg
    expect_not_emulated invlpg
    trap_scenario lmsw
    expect_not_emulated lmsw
}

# rep outsl to an open hypercall port: PVM exits once per element, each
# meeting Solo5's checks as at CPL0 (port 0x500 names no hypercall: status
# 1); hardware KVM's instruction emulator, which serves string port I/O,
# raises #GP instead, into the guest's handler (255).  Either way nothing
# is served.
@test "compat cpl3: rep outsl to hypercall port 0x500 is refused (Solo5's checks, or #GP on hardware KVM)" {
    require_kvm
    trap_scenario outsl
    if [ "$status" -eq 255 ]; then
        assert_output_has "Solo5: trap: type=#GP ec=0x0 rip=0x"
    else
        assert_status 1
        assert_output_has "Invalid guest hypercall: num=0"
    fi
}

@test "compat cpl3: a 1-byte OUT is solo5-hvt's invalid port access, status 1" {
    require_kvm
    trap_scenario outb
    assert_status 1
    assert_output_has "Invalid guest port access: port=0x500"
}

# exit_counts FILE: "HYPERCALL IO" exit counts from a --stats JSON file.
exit_counts() {
    grep '"exits"' "$1" |
        sed -n 's/.*"hypercall": {"count": \([0-9]*\).*"io": {"count": \([0-9]*\).*/\1 \2/p'
}

@test "compat cpl3: hypercalls exit directly through the tender's TSS I/O bitmap; --solo5:trap-io traps each" {
    cpl3_only
    local f="$BATS_TEST_TMPDIR/stats.json" hc io
    wisp_run --stats="$f" "$(hvt hvt_hcloop)" 1000
    assert_status 0
    assert_output_has "yield0 n=1000 ns_per_op="
    read -r hc io < <(exit_counts "$f")
    echo "direct: hypercall exits $hc, stub exits $io" >&2
    if tcg_io_bitmap; then
        [ "$hc" -eq 0 ] # QEMU's TCG: every outl traps (helpers.bash)
        [ "$io" -ge 1000 ]
    else
        [ "$hc" -ge 1000 ]
        [ "$io" -lt 20 ] # only cpu_init's privileged instructions trap
    fi
    wisp_run --solo5:trap-io --stats="$f" "$(hvt hvt_hcloop)" 1000
    assert_status 0
    read -r hc io < <(exit_counts "$f")
    echo "trapped: hypercall exits $hc, stub exits $io" >&2
    [ "$hc" -eq 0 ]
    [ "$io" -ge 1000 ]
}

@test "compat cpl3: the I/O bitmap opens the hypercall ports only: OUT to the stub's port 0x8d, outl to 0x509 are refused" {
    require_kvm
    trap_scenario out_stub
    assert_status 1
    assert_output_has "Invalid guest port access: port=0x8d"
    trap_scenario outl_past
    assert_status 1
    assert_output_has "Invalid guest port access: port=0x509"
}

@test "compat cpl3: the I/O bitmap also opens the ring kick's outl (0x600-0x603), nothing around it" {
    require_kvm
    # No NIC, so no ioeventfd: whether it trapped (bitmap closed) or exited
    # directly (open), each ends as solo5-hvt's refusal of the port.
    for s in outl_gap:0x5fd outl_kick_past:0x601 outb_kick:0x600; do
        trap_scenario "${s%%:*}"
        assert_status 1
        assert_output_has "Invalid guest port access: port=${s#*:}"
    done
}

@test "compat cpl3: the tender's TSS and I/O bitmap cannot be written from CPL3 (#PF, 255)" {
    cpl3_only
    trap_scenario bitmap_write
    assert_status 255
    assert_output_has "Solo5: trap: type=#PF ec=0x3 rip=0x"
    assert_output_has "Solo5: trap: cr2=0x1908"
}

@test "compat cpl3: an iretq frame with IOPL 3 does not raise the guest's IOPL: OUT to 0x8d still refused" {
    cpl3_only
    trap_scenario iretq_iopl
    assert_output_has "iopl after iretq: 0"
    assert_status 1
    assert_output_has "Invalid guest port access: port=0x8d"
}

@test "compat cpl3: a forged GDT whose TSS is the tender's (0x1800): its IST is not read, crash report" {
    cpl3_only
    trap_scenario tss_tender
    expect_crash "divide error (#DE), and the guest's TSS has no readable IST1 stack"
}

@test "compat cpl3: a far return into the tender's stub page with CS 0x08 stays at CPL3 and faults (#PF), 255" {
    cpl3_only
    trap_scenario lretq_stub
    assert_status 255
    assert_output_has "Solo5: trap: type=#PF ec=0x11 rip=0x3000"
    assert_output_has "Solo5: trap: cr2=0x3000"
}

@test "compat cpl3: cli; hlt ends the run as solo5-hvt's unhandled KVM_EXIT_HLT, status 1" {
    require_kvm
    trap_scenario hlt
    assert_status 1
    assert_output_has "KVM: unhandled exit: exit_reason=0x5"
}

# Deferred guest memory (emulate.h): at CPL3 the middle of a large guest
# memory is registered with KVM at the guest's first touch of it.
@test "compat: heap words at the start, middle and end of 512 MiB and of 3 GiB read zero and keep what is written; the heap ends at the memory size" {
    require_kvm
    wisp_run "$(hvt memtouch)"
    skip_cpl0_emulator "the memtouch guest"
    assert_status 0
    assert_output_has "heap end 0x0000000020000000"
    assert_output_has "SUCCESS"
    wisp_run --mem=3072 "$(hvt memtouch)"
    assert_status 0
    assert_output_has "heap end 0x00000000c0000000"
    assert_output_has "SUCCESS"
}

@test "compat cpl3: a first touch of the middle of guest memory that is an instruction fetch is a W^X violation, status 1" {
    cpl3_only
    wisp_run "$(hvt memtouch)" exec
    assert_status 1
    assert_output_has "calling into the middle of the heap"
    assert_output_has "W^X violation: execute from non-executable"
}
