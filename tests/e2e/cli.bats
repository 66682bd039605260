#!/usr/bin/env bats
# End-to-end tests of the tender's command line through the real binary:
# --help, --version, every refusal with its exact message and status 253,
# and kernel files that cannot be used.  The tender fails before it opens
# /dev/kvm in all of these, so they run everywhere; only the last few, which
# boot the hello guest to show what reaches it, need KVM.  Build first:
# make all.

load helpers

# expect_stderr TEXT: stderr is exactly TEXT (plus its final newline).
expect_stderr() {
    if [ "$(cat "$err")" != "$1" ]; then
        echo "expected stderr:" >&2
        printf '%s\n' "$1" >&2
        echo "got:" >&2
        cat "$err" >&2
        return 1
    fi
}

# expect_no_stdout: nothing was written to stdout.
expect_no_stdout() {
    if [ -s "$out" ]; then
        echo "expected no stdout, got:" >&2
        cat "$out" >&2
        return 1
    fi
}

# expect_cli_error MSG: status 253, stdout empty, stderr the message and the
# pointer to --help.
expect_cli_error() {
    assert_status "$WISP_EXIT_TENDER_ERROR"
    expect_no_stdout
    expect_stderr "wisp: $1
Try 'wisp --help' for more information."
}

# expect_tender_error MSG: status 253, stdout empty, stderr the one message.
expect_tender_error() {
    assert_status "$WISP_EXIT_TENDER_ERROR"
    expect_no_stdout
    expect_stderr "wisp: $1"
}

# stdout_has TEXT: fixed-string match in stdout.
stdout_has() {
    grep -qF -- "$1" "$out" || {
        echo "expected stdout to contain: $1" >&2
        echo "stdout was:" >&2
        cat "$out" >&2
        return 1
    }
}

# repeat N CHAR: N copies of CHAR.
repeat() {
    local s
    printf -v s '%*s' "$1" ''
    printf '%s' "${s// /$2}"
}

setup() {
    [ -x "$WISP" ] || {
        echo "$WISP is not built: run make all" >&2
        return 1
    }
    NOFILE="$BATS_TEST_TMPDIR/no-such-kernel.wisp"
}

# ---- --help, --version -------------------------------------------------------

@test "--help: status 0, usage on stdout, nothing on stderr" {
    run_split --help
    assert_status 0
    expect_stderr ""
    [ "$(head -n 1 "$out")" = "usage: wisp [OPTIONS] [--] KERNEL [ARGS...]" ]
}

@test "--help: mentions every option" {
    run_split --help
    assert_status 0
    stdout_has "--mem=MIB"
    stdout_has "2 to 3072 (default 32)"
    stdout_has "--help, -h"
    stdout_has "--version"
    stdout_has "--] KERNEL [ARGS...]"
    stdout_has "(at most 8191 characters)"
}

@test "--help: documents the exit statuses 253 and 255" {
    run_split --help
    assert_status 0
    stdout_has "Exit status:"
    grep -qE '^  N +the guest exited with status N' "$out"
    grep -qE "^  $WISP_EXIT_TENDER_ERROR +wisp could not run the guest" "$out"
    grep -qE "^  $WISP_EXIT_GUEST_FAULT +the guest crashed" "$out"
}

@test "-h: the same text as --help" {
    run_split --help
    cp "$out" "$BATS_TEST_TMPDIR/help"
    run_split -h
    assert_status 0
    cmp "$out" "$BATS_TEST_TMPDIR/help"
}

@test "--help wins over a KERNEL and arguments after it" {
    run_split --help "$NOFILE" a b
    assert_status 0
    expect_stderr ""
    stdout_has "usage: wisp"
}

@test "--version: one line with the version and the ABI version, status 0" {
    local ver abi
    ver=$(sed -n 's/^#define WISP_VERSION "\(.*\)"$/\1/p' "$TOP/tender/core/cli.h")
    abi=$(sed -n 's/^#define WISP_ABI_VERSION \([0-9]*\).*/\1/p' "$TOP/include/wisp/abi.h")
    [ -n "$ver" ]
    [ -n "$abi" ]
    run_split --version
    assert_status 0
    expect_stderr ""
    [ "$(cat "$out")" = "wisp $ver (isolated-mode ABI version $abi)" ]
}

# ---- refused command lines -------------------------------------------------------

@test "no arguments: missing KERNEL operand" {
    run_split
    expect_cli_error "missing KERNEL operand"
}

@test "options only: missing KERNEL operand" {
    run_split --mem=64
    expect_cli_error "missing KERNEL operand"
}

@test "-- and nothing after it: missing KERNEL operand" {
    run_split --mem=64 --
    expect_cli_error "missing KERNEL operand"
}

@test "unknown long option is named" {
    run_split --bogus "$NOFILE"
    expect_cli_error "unknown option: --bogus"
}

@test "unknown short option is named" {
    run_split -x "$NOFILE"
    expect_cli_error "unknown option: -x"
}

@test "an option shaped like a device option but claimed by no module is named" {
    run_split --frob:dev0=x "$NOFILE"
    expect_cli_error "unknown option: --frob:dev0=x"
}

# --timeout=SECONDS (issue 9, item 3; the run itself: hostile_host.bats)
@test "--timeout: every value that is not a positive number of seconds is refused" {
    local v msg
    for v in abc -1 1.2345 1. .5 1e3 0x10 " 5"; do
        run_split "--timeout=$v" "$NOFILE"
        expect_cli_error "--timeout=$v: expected a number of seconds (such as 30 or 2.5, at most 3 decimals)"
    done
    for v in 0 0.000 2000000 99999999999999999999999; do
        run_split "--timeout=$v" "$NOFILE"
        expect_cli_error "--timeout=$v: out of range (0.001 to 1000000 seconds)"
    done
    run_split --timeout= "$NOFILE"
    expect_cli_error "--timeout=: expected a number of seconds after '='"
    run_split --timeout "$NOFILE"
    expect_cli_error "--timeout: expected --timeout=SECONDS"
    run_split --timeout=1 --timeout=2 "$NOFILE"
    expect_cli_error "--timeout: given more than once"
}

@test "--timeout: accepted values pass the command line (then the missing kernel)" {
    local v
    for v in 1 0.001 2.5 1000000 30.25; do
        run_split "--timeout=$v" "$NOFILE"
        expect_tender_error "$NOFILE: cannot open: No such file or directory"
    done
}

@test "--timeout: wisp serve keeps its own option (whole seconds), never the tender's" {
    run_split serve --timeout=2.5 --listen=127.0.0.1:0 "$NOFILE"
    assert_status "$WISP_EXIT_TENDER_ERROR"
    grep -qxF "wisp serve: --timeout=2.5: expected a whole number from 1 to 86400" "$err" || {
        cat "$err" >&2; return 1
    }
    run "$WISP" --help
    assert_output_has "--timeout=SECONDS"
    run "$WISP" serve --help
    assert_output_has "--timeout=SECONDS  end a connection's VM after SECONDS"
}

@test "--mem=abc: not a number" {
    run_split --mem=abc "$NOFILE"
    expect_cli_error "--mem: 'abc' is not a number of MiB"
}

@test "--mem=12x: trailing garbage" {
    run_split --mem=12x "$NOFILE"
    expect_cli_error "--mem: '12x' is not a number of MiB"
}

@test "--mem= (empty): not a number" {
    run_split --mem= "$NOFILE"
    expect_cli_error "--mem: '' is not a number of MiB"
}

@test "--mem=-1: negative is not a number of MiB" {
    run_split --mem=-1 "$NOFILE"
    expect_cli_error "--mem: '-1' is not a number of MiB"
}

@test "--mem=0x40: hexadecimal is refused" {
    run_split --mem=0x40 "$NOFILE"
    expect_cli_error "--mem: '0x40' is not a number of MiB"
}

@test "--mem=0: out of range" {
    run_split --mem=0 "$NOFILE"
    expect_cli_error "--mem: 0 MiB is out of range (2 to 3072; 2 to 4096 for Solo5 hvt unikernels)"
}

@test "--mem=1: below the minimum of isolated mode (checked once the mode is known)" {
    run_split --mem=1 "$(guest hello)"
    expect_tender_error "--mem: 1 MiB is out of range (2 to 3072)"
}

@test "--mem=3073: above the maximum of isolated mode (checked once the mode is known)" {
    run_split --mem=3073 "$(guest hello)"
    expect_tender_error "--mem: 3073 MiB is out of range (2 to 3072)"
}

@test "--mem=4097: above the maximum of every mode" {
    run_split --mem=4097 "$NOFILE"
    expect_cli_error "--mem: 4097 MiB is out of range (2 to 3072; 2 to 4096 for Solo5 hvt unikernels)"
}

@test "--mem=99999999999999999999: overflow is out of range, not wrapped" {
    run_split --mem=99999999999999999999 "$NOFILE"
    expect_cli_error "--mem: 99999999999999999999 MiB is out of range (2 to 3072; 2 to 4096 for Solo5 hvt unikernels)"
}

@test "--mem given twice" {
    run_split --mem=64 --mem=64 "$NOFILE"
    expect_cli_error "--mem: given more than once"
}

@test "bare --mem (value as the next argument) is refused" {
    run_split --mem 64 "$NOFILE"
    expect_cli_error "--mem: expected --mem=MIB"
}

@test "the first bad option is reported, even before --help" {
    run_split --mem=x --help
    expect_cli_error "--mem: 'x' is not a number of MiB"
}

@test "guest command line of 8192 characters is refused" {
    run_split "$NOFILE" "$(repeat 8192 a)"
    expect_cli_error "guest command line too long (more than 8191 characters)"
}

@test "guest command line of 8192 characters with the joining spaces is refused" {
    run_split "$NOFILE" "$(repeat 4095 a)" "$(repeat 4096 b)"
    expect_cli_error "guest command line too long (more than 8191 characters)"
}

@test "guest command line of 8191 characters is accepted (the kernel is looked at next)" {
    run_split "$NOFILE" "$(repeat 4095 a)" "$(repeat 4095 b)"
    expect_tender_error "$NOFILE: cannot open: No such file or directory"
}

# ---- what is accepted: the kernel file is looked at next --------------------

@test "--mem=2 and --mem=3072 are accepted" {
    run_split --mem=2 "$NOFILE"
    expect_tender_error "$NOFILE: cannot open: No such file or directory"
    run_split --mem=3072 "$NOFILE"
    expect_tender_error "$NOFILE: cannot open: No such file or directory"
}

@test "options after KERNEL are not parsed" {
    run_split "$NOFILE" --mem=abc --bogus --help --version --mem
    expect_tender_error "$NOFILE: cannot open: No such file or directory"
}

@test "-- then a KERNEL that starts with '-'" {
    cd "$BATS_TEST_TMPDIR"
    run_split -- -k
    expect_tender_error "-k: cannot open: No such file or directory"
    : >./-empty
    run_split --mem=64 -- -empty --help
    expect_tender_error "-empty: not an ELF file"
}

@test "a lone '-' is a KERNEL operand, not an option" {
    cd "$BATS_TEST_TMPDIR"
    run_split -
    expect_tender_error "-: cannot open: No such file or directory"
}

# ---- unusable kernel files ---------------------------------------------------------

@test "missing kernel file" {
    run_split "$NOFILE"
    expect_tender_error "$NOFILE: cannot open: No such file or directory"
}

@test "a directory as kernel" {
    mkdir "$BATS_TEST_TMPDIR/dir.wisp"
    run_split "$BATS_TEST_TMPDIR/dir.wisp"
    expect_tender_error "$BATS_TEST_TMPDIR/dir.wisp: not a regular file"
}

@test "an empty file as kernel" {
    : >"$BATS_TEST_TMPDIR/empty.wisp"
    run_split "$BATS_TEST_TMPDIR/empty.wisp"
    expect_tender_error "$BATS_TEST_TMPDIR/empty.wisp: not an ELF file"
}

@test "a text file as kernel" {
    echo "#!/bin/sh" >"$BATS_TEST_TMPDIR/script.wisp"
    run_split "$BATS_TEST_TMPDIR/script.wisp"
    expect_tender_error "$BATS_TEST_TMPDIR/script.wisp: not an ELF file"
}

@test "a character device as kernel" {
    run_split /dev/null
    expect_tender_error "/dev/null: not a regular file"
}

# ---- what reaches the guest (these boot hello: KVM needed) --------------------

@test "guest arguments reach the guest joined by single spaces" {
    require_kvm
    run_split "$(guest hello)" Hello_wisp
    assert_status 0
    stdout_has "Command line is: 'Hello_wisp'"
    run_split "$(guest hello)" a "b c" --mem=abc --help
    assert_status 1
    stdout_has "Command line is: 'a b c --mem=abc --help'"
}

@test "a guest command line of 8191 characters reaches the guest whole" {
    require_kvm
    local a b
    a=$(repeat 4095 a)
    b=$(repeat 4095 b)
    run_split "$(guest hello)" "$a" "$b"
    assert_status 1
    stdout_has "Command line is: '$a $b'"
}

@test "-- then a KERNEL named '-hello.wisp' boots it" {
    require_kvm
    cp "$(guest hello)" "$BATS_TEST_TMPDIR/-hello.wisp"
    cd "$BATS_TEST_TMPDIR"
    run_split --mem=2 -- -hello.wisp Hello_wisp
    assert_status 0
    stdout_has "SUCCESS"
}
