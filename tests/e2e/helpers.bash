# Shared helpers for the end-to-end bats suites.  Load with:
#   load helpers
# Paths come from the environment set by tests/run-all.sh, with defaults that
# work from the top of the tree.

TOP="${WISP_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}"
WISP="${WISP:-$TOP/build/bin/wisp}"
# WISP_SOLO5_CPL0=1 (tests/run-all.sh sets it for a second pass of the
# compatibility suites): every run of wisp gets --solo5:cpl0, so Solo5
# guests run at CPL0 as solo5-hvt runs them instead of the default CPL3.
if [ "${WISP_SOLO5_CPL0:-0}" = 1 ] && [ "${WISP##*/}" != wisp-cpl0 ]; then
    _wisp_real=$WISP
    WISP="${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/wisp-cpl0"
    if [ ! -x "$WISP" ]; then
        printf '#!/bin/sh\nexec "%s" --solo5:cpl0 "$@"\n' "$_wisp_real" >"$WISP.$$"
        chmod +x "$WISP.$$" && mv "$WISP.$$" "$WISP"
    fi
fi
# solo5_cpl0: whether this pass runs Solo5 guests at CPL0.
solo5_cpl0() {
    [ "${WISP_SOLO5_CPL0:-0}" = 1 ]
}

# tcg_io_bitmap: true under make test-hwvirt, whose KVM runs on QEMU's TCG,
# for Solo5 guests at CPL3 (at CPL0 no I/O bitmap is consulted).
# TCG's I/O permission check (target/i386 check_io) requires TR to hold an
# available TSS (type 9); a loaded TR is busy (type 11), which real CPUs
# accept and KVM on Intel requires, so there every port access from CPL3
# raises #GP: compatibility mode's hypercalls and ring kicks then take the
# --solo5:trap-io path (stub, emulation).  Checked: with TR type 9 the same
# guests made direct port-I/O exits there.
tcg_io_bitmap() {
    [ "${WISP_HWVIRT:-0}" = 1 ] && ! solo5_cpl0
}
WISP_CC="${WISP_CC:-$TOP/build/bin/wisp-cc}"
WISP_ELFTOOL="${WISP_ELFTOOL:-$TOP/build/bin/wisp-elftool}"
GUESTS="${WISP_GUESTS:-$TOP/build/tests/guests}"
TOOLS="${WISP_TEST_TOOLS:-$TOP/build/tests/tools}"

# Exit statuses (see README "Exit status").
WISP_EXIT_TENDER_ERROR=253
WISP_EXIT_GUEST_FAULT=255

# require_kvm: skip the test unless /dev/kvm can be opened read-write.
require_kvm() {
    if [ ! -c /dev/kvm ]; then
        skip "no /dev/kvm on this machine"
    fi
    if ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
        skip "/dev/kvm is not readable and writable by $(id -un)"
    fi
}

# require_root: skip unless running as root.
require_root() {
    [ "$(id -u)" = 0 ] || skip "needs root"
}

# wisp_run ARGS...: run the tender under a time limit; sets $status, $output
# (stdout+stderr, as bats does) and keeps stderr separately in $stderr_file.
wisp_run() {
    run timeout --foreground 60 "$WISP" "$@"
}

# guest NAME: path of a built test unikernel.
guest() {
    echo "$GUESTS/$1.wisp"
}

# assert_status N
assert_status() {
    if [ "$status" -ne "$1" ]; then
        echo "expected exit status $1, got $status; output was:" >&2
        echo "$output" >&2
        return 1
    fi
}

# assert_output_has TEXT: fixed-string match anywhere in $output.
assert_output_has() {
    if ! grep -qF -- "$1" <<<"$output"; then
        echo "expected output to contain: $1" >&2
        echo "output was:" >&2
        echo "$output" >&2
        return 1
    fi
}

# assert_output_lacks TEXT
assert_output_lacks() {
    if grep -qF -- "$1" <<<"$output"; then
        echo "expected output NOT to contain: $1" >&2
        echo "output was:" >&2
        echo "$output" >&2
        return 1
    fi
}

# run_split ARGS...: run the tender with stdout and stderr kept apart (bats
# `run` merges them), stdin empty.  Sets $status; stdout in file $out,
# stderr in file $err.
run_split() {
    out="$BATS_TEST_TMPDIR/stdout"
    err="$BATS_TEST_TMPDIR/stderr"
    status=0
    timeout --foreground 60 "$WISP" "$@" >"$out" 2>"$err" </dev/null || status=$?
}

# assert_output_matches ERE: some line of $output matches the extended regex.
assert_output_matches() {
    grep -qE -- "$1" <<<"$output" || {
        echo "expected a line of output to match: $1" >&2
        echo "output was:" >&2
        echo "$output" >&2
        return 1
    }
}

# expect_success: status 0 and the SUCCESS sentinel, no FAILURE.
expect_success() {
    assert_status 0
    assert_output_has "SUCCESS"
    assert_output_lacks "FAILURE"
}
