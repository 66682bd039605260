#!/usr/bin/env bats
# The suites themselves: no check that cannot fail.  In bash a command that
# fails before the last && of a list (or a `! cmd` that is not a test's
# last line) does not end a bats test, so such a check is silently skipped
# when it fails (three were found that way: see git log of this file).

load helpers

# hidden_checks FILE...: "FILE:LINE: TEXT" of each test line on which a
# check ([ ], [[ ]], grep, wait_pid, assert_*) is followed by && and another
# check, with no || that would make the list fail.  (`[ cond ] && action`
# is a conditional, not a check, and passes.)
hidden_checks() {
    local check='(\[\[? |grep |wait_pid |assert_)'
    grep -nHE "^[[:space:]]+${check}[^#]*&&[[:space:]]*${check}" "$@" |
        grep -vE '\|\||(^|[[:space:]])(if|while|until) ' || true
}

@test "suites: no check hides before the last && of a list" {
    run hidden_checks "$TOP"/tests/e2e/*.bats
    echo "$output"
    [ -z "$output" ]
}

@test "suites: the check finds such a line" {
    local f="$BATS_TEST_TMPDIR/t.bats"
    printf '@test "x" {\n    [ 1 = 2 ] && [ 1 = 1 ]\n    wait_pid "$a" 9 && [ "$s" = 0 ]\n    [ -n "$x" ] || { echo no; return 1; }\n}\n' >"$f"
    run hidden_checks "$f"
    echo "$output"
    [ "$(wc -l <<<"$output")" -eq 2 ]
    grep -q ':2:' <<<"$output"
    grep -q ':3:' <<<"$output"
}
