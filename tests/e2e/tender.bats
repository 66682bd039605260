#!/usr/bin/env bats
# The tender's own guarantees, seen from outside: hypercall-ABI violations
# end the guest, the seccomp filter is on while the guest runs, guest
# memory is only touched where needed, boot milestones are reported.

load helpers

# abi_violation MODE EXPECTED: run badcall in MODE, expect status 255 and
# the violation message.
abi_violation() {
    require_kvm
    wisp_run "$(guest badcall)" "$1"
    assert_status 255
    assert_output_has "wisp: guest violated the hypercall ABI: $2"
    assert_output_lacks "FAILURE"
}

@test "ABI: an argument struct outside guest memory ends the guest" {
    abi_violation ptr "PUTS: guest address 0x7ff000000, size 16 is outside guest memory"
}

@test "ABI: a buffer outside guest memory ends the guest" {
    abi_violation buf "PUTS buffer: guest address 0x7ff000000, size 16 is outside guest memory"
}

@test "ABI: a length that wraps the address space ends the guest" {
    abi_violation wrap "PUTS: length 18446744073709551607 exceeds 1048576"
}

@test "ABI: an OUT struct in the guest's read-only text ends the guest, text untouched" {
    abi_violation text "WALLTIME: guest address"
    assert_output_has "is not memory the guest may write"
}

@test "ABI: an OUT struct in tender-private memory (the IDT) ends the guest" {
    abi_violation idt "POLL: guest address 0x2000, size 24 is not memory the guest may write"
}

@test "ABI: an IN buffer in tender-private memory (the GDT) is not read" {
    abi_violation secret "PUTS buffer: guest address 0x1000, size 64 is not memory the guest may read"
}

@test "ABI: a misaligned argument struct ends the guest" {
    abi_violation misaligned "hypercall 5: argument struct at 0x"
    assert_output_has "is not 8-byte aligned"
}

@test "ABI: an unknown hypercall number ends the guest" {
    abi_violation nr "unknown hypercall 63"
}

@test "ABI: a read from the doorbell ends the guest" {
    abi_violation read "read from the hypercall doorbell at 0xfffff000"
}

@test "ABI: a 4-byte doorbell store ends the guest" {
    abi_violation narrow "4-byte store to doorbell offset 0x8 (expected an aligned 8-byte store)"
}

@test "seccomp: the filter is on and no_new_privs set while the guest runs" {
    require_kvm
    out="$BATS_TEST_TMPDIR/idle.out"
    "$WISP" "$(guest idle)" 5000 >"$out" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        grep -q READY "$out" && break
        sleep 0.05
    done
    grep -q READY "$out"
    status_file=$(cat "/proc/$pid/status")
    kill "$pid"; wait "$pid" || true
    grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$status_file"
    grep -Eq '^NoNewPrivs:[[:space:]]+1$' <<<"$status_file"
}

@test "memory: 3 GiB of guest memory costs the host only what the guest touches" {
    require_kvm
    command -v /usr/bin/time >/dev/null || skip "/usr/bin/time (Debian package time) missing"
    run /usr/bin/time -f 'maxrss_kb=%M' timeout 60 "$WISP" --mem=3072 "$(guest hello)" Hello_wisp
    assert_status 0
    assert_output_has SUCCESS
    rss=$(grep -o 'maxrss_kb=[0-9]*' <<<"$output" | cut -d= -f2)
    echo "peak RSS ${rss} KiB" >&3
    [ "$rss" -lt 65536 ]
}

@test "memory: the smallest --mem (2 MiB) boots hello" {
    require_kvm
    wisp_run --mem=2 "$(guest hello)" Hello_wisp
    assert_status 0
    assert_output_has SUCCESS
}

@test "--timings: every boot milestone is reported, in order" {
    require_kvm
    wisp_run --timings "$(guest hello)" Hello_wisp
    assert_status 0
    names=$(grep -o '^wisp: event [a-z_]*' <<<"$output" | cut -d' ' -f3 | tr '\n' ' ')
    [ "$names" = "main elf_read validated kvm memory layout modules cpu confined guest_start guest_main guest_end teardown " ]
    # timestamps never go backwards
    grep '^wisp: event ' <<<"$output" | awk '{ if ($4 < last) exit 1; last = $4 }'
}

# partial_run MODE: run the partial guest, stdout and stderr merged in order.
partial_run() {
    require_kvm
    run bash -c "timeout 60 '$WISP' '$(guest partial)' $1 2>&1"
}

@test "console: buffered output without a newline is written when the guest exits" {
    partial_run exit
    assert_status 3
    [ "$output" = "unterminated output" ]
}

@test "console: buffered output comes out before the abort message" {
    partial_run abort
    assert_status 255
    [[ "$output" == "unterminated outputwisp: guest aborted"* ]]
}

@test "console: buffered output comes out before the crash report" {
    partial_run crash
    assert_status 255
    [[ "$output" == "unterminated outputwisp: guest crashed: page fault: NULL pointer access"* ]]
}
