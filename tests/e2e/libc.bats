#!/usr/bin/env bats
# The C library of `wisp-cc --libc` (newlib on guest-libc/), through the
# test guest tests/guests/libc (its header lists the modes): the self-checks
# (formatted output with floats, strtod, qsort, malloc stress, clocks,
# nanosleep, setjmp/longjmp, ENOSYS, getenv, getentropy), argv from the
# command line, main's status, stdio flushed at exit and at abort.  The hvt
# build runs the same checks under compatibility mode, at CPL3 (the
# default), where its SSE code runs natively on every KVM.

load helpers

HVT_GUESTS="${WISP_HVT_GUESTS:-$TOP/build/tests/guests-hvt}"

setup() {
    require_kvm
    G="$(guest libc)"
    [ -f "$G" ] || skip "$G is not built"
}

@test "libc: every self-check passes (printf floats, strtod, qsort, malloc stress, clocks, sleep, setjmp, ENOSYS, entropy)" {
    wisp_run "$G"
    expect_success
    for c in snprintf snprintf-truncation strtod strtol qsort malloc-stress calloc malloc-too-big \
        clock-monotonic clock-realtime gettimeofday time clock-bad-id gmtime nanosleep nanosleep-einval \
        setjmp-longjmp fork-enosys open-enosys fopen-enosys unlink-enosys getenv-empty getentropy \
        getentropy-too-long arc4random; do
        assert_output_has "PASS $c"
    done
    assert_output_has "printf float: 0.667 6.0e+23 1.41421"
}

@test "libc: argv is the command line split at spaces, argv[0] the fixed name, argv[argc] NULL" {
    wisp_run "$G" args one "two three" four
    assert_status 0
    assert_output_has "argc=6"
    assert_output_has "argv[0]=<unikernel>"
    assert_output_has "argv[1]=<args>"
    assert_output_has "argv[2]=<one>"
    assert_output_has "argv[3]=<two>"
    assert_output_has "argv[4]=<three>"
    assert_output_has "argv[5]=<four>"
}

@test "libc: the status main returns is the unikernel's exit status" {
    wisp_run "$G" exit 42
    assert_status 42
    wisp_run "$G" exit 0
    assert_status 0
}

@test "libc: a line still buffered when main returns is printed" {
    run_split "$G" buffered-exit
    [ "$status" -eq 3 ]
    grep -qF "text without a newline before exit" "$out"
}

@test "libc: a line still buffered at abort() is printed, and the guest aborts" {
    run_split "$G" buffered-abort
    [ "$status" -eq "$WISP_EXIT_GUEST_FAULT" ] || { cat "$out" "$err"; return 1; }
    grep -qF "text without a newline before abort" "$out"
}

@test "libc: a failed assert() names the expression and aborts, buffered output kept" {
    wisp_run "$G" assert
    assert_status "$WISP_EXIT_GUEST_FAULT"
    assert_output_has 'assertion "argc == 0" failed: file "tests/guests/libc/libc.c"'
    assert_output_has "before the assertion"
}

@test "libc: getentropy and the rand() seed differ from boot to boot" {
    wisp_run "$G" entropy
    assert_status 0
    first=$(grep '^entropy ' <<<"$output")
    wisp_run "$G" entropy
    assert_status 0
    second=$(grep '^entropy ' <<<"$output")
    [ -n "$first" ]
    [ -n "$second" ]
    [ "${first#entropy }" != "${second#entropy }" ] || { echo "same bytes twice: $first"; return 1; }
    [ "${first##* rand }" != "${second##* rand }" ] || { echo "same first rand() twice: $first"; return 1; }
}

@test "libc: nanosleep waits in solo5_yield for at least the time asked" {
    start=$(date +%s%N)
    wisp_run "$G" sleep 300
    end=$(date +%s%N)
    assert_status 0
    ms=$(sed -n 's/^slept \([0-9]*\) ms$/\1/p' <<<"$output")
    [ -n "$ms" ] && [ "$ms" -ge 300 ] && [ "$ms" -lt 2000 ] || { echo "$output"; return 1; }
    [ $(((end - start) / 1000000)) -ge 300 ]
}

@test "libc hvt: the self-checks pass in the hvt build under compatibility mode" {
    H="$HVT_GUESTS/libc.hvt"
    [ -f "$H" ] || skip "$H is not built"
    wisp_run "$H"
    expect_success
    assert_output_has "printf float: 0.667 6.0e+23 1.41421"
}

@test "libc hvt: argv and the exit status of main in the hvt build" {
    H="$HVT_GUESTS/libc.hvt"
    [ -f "$H" ] || skip "$H is not built"
    wisp_run "$H" args x y
    assert_status 0
    assert_output_has "argv[3]=<y>"
    wisp_run "$H" exit 9
    assert_status 9
}
