#!/usr/bin/env bash
# Run every test of the project and print one closing line, the last line
# of the output:
#   N passed, N failed[, N skipped]
# Unit tests (cmocka, TAP output) and end-to-end suites (bats, TAP) are
# counted together.  Each suite gets a header; its results are printed as
# they come (one TAP line per test), and a line with its own counts and
# time.  Skips are listed with their reasons, failures by name, before the
# closing line.  Exit status 0 if nothing failed (and something ran).
#   tests/run-all.sh [SUITE.bats...]   only these end-to-end suites, no unit tests
#   tests/run-all.sh --from-make ...     run by make test (see end_make below)
set -u
from_make=0
if [ "${1:-}" = --from-make ]; then
    from_make=1
    shift
fi
cd "$(dirname "$0")/.."
TOP=$(pwd)
export WISP_TOP="$TOP"

pass=0 fail=0 skip=0
skips=()
failures=()

# count_tap SUITE: read TAP on stdin (ending with a line "__rc=N", the
# producer's exit status), echo it indented, tally, and print the suite's
# own counts.  A non-zero status without any failed test is a failure.
count_tap() {
    local suite=$1 line rc=0 sp=$pass sf=$fail ss=$skip t0=$SECONDS
    while IFS= read -r line; do
        case "$line" in
            __rc=*) rc=${line#__rc=}; continue ;;
        esac
        printf '  %s\n' "$line"
        case "$line" in
            "ok "*"# skip"*|"ok "*"# SKIP"*|"not ok "*"# SKIP"*|"not ok "*"# skip"*)
                # (cmocka reports a skipped test as "not ok N # SKIP")
                skip=$((skip + 1)); skips+=("$suite: ${line#ok }") ;;
            "ok "*)
                pass=$((pass + 1)) ;;
            "not ok "*)
                fail=$((fail + 1)); failures+=("$suite: ${line#not ok }") ;;
        esac
    done
    if [ "$rc" -ne 0 ] && [ "$fail" -eq "$sf" ]; then
        fail=$((fail + 1)); failures+=("$suite: exited with status $rc and no failed test")
    fi
    printf '  -- %s: %d passed, %d failed, %d skipped (%d s)\n' "$suite" \
        $((pass - sp)) $((fail - sf)) $((skip - ss)) $((SECONDS - t0))
}

# run_tap SUITE COMMAND...: run COMMAND, its output streamed through count_tap.
run_tap() {
    local suite=$1
    shift
    count_tap "$suite" < <("$@" 2>&1; echo "__rc=$?")
}

suites=("$@")
if [ ${#suites[@]} -eq 0 ]; then
    units=()
    for t in build/tests/unit/test_*; do
        [ -x "$t" ] && [ -f "$t" ] && units+=("$t")
    done
    echo "==> unit tests (cmocka): ${#units[@]} programs"
    for t in "${units[@]}"; do
        echo "==> unit: $(basename "$t")"
        CMOCKA_MESSAGE_OUTPUT=TAP run_tap "$(basename "$t")" "$t"
    done
    suites=(tests/e2e/*.bats)
fi

echo "==> end-to-end tests (bats): ${#suites[@]} suites"
for suite in "${suites[@]}"; do
    [ -f "$suite" ] || { echo "run-all: no such suite: $suite" >&2; exit 2; }
    name=$(basename "$suite" .bats)
    echo "==> e2e: $name ($(bats --count "$suite" 2>/dev/null || echo '?') tests)"
    run_tap "$name" bats --tap "$suite"
done
# The compatibility suites again with Solo5 guests at CPL0 (--solo5:cpl0,
# as solo5-hvt runs them; tests/e2e/helpers.bash).
for suite in "${suites[@]}"; do
    case "$(basename "$suite")" in
        compat*.bats|solo5_abi.bats) ;;
        *) continue ;;
    esac
    name="$(basename "$suite" .bats) --solo5:cpl0"
    echo "==> e2e: $name ($(bats --count "$suite" 2>/dev/null || echo '?') tests)"
    run_tap "$name" env WISP_SOLO5_CPL0=1 bats --tap "$suite"
done

echo
if [ ${#skips[@]} -gt 0 ]; then
    echo "skipped:"
    printf '  %s\n' "${skips[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
    echo "failed:"
    printf '  %s\n' "${failures[@]}"
fi
if [ "$skip" -gt 0 ]; then
    echo "$pass passed, $fail failed, $skip skipped"
else
    echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ] && [ $((pass + skip)) -gt 0 ] && exit 0

# end_make: make test runs this script directly (so the parent is make).
# To keep the closing line the last line of the output, instead of failing
# (make would print "*** [test] Error 1" after it) end that make with
# SIGQUIT, on which GNU make exits non-zero (1; 2 in a parent make) without
# a message, and exit 0.  Where make ignores SIGQUIT (inherited from a
# shell that started it in the background), fail as usual.
end_make() {
    local ign
    [ "$from_make" = 1 ] && [ "$(cat /proc/$PPID/comm 2>/dev/null)" = make ] || return 1
    ign=$(awk '/^SigIgn:/ { print $2 }' /proc/$PPID/status 2>/dev/null) || return 1
    [ -n "$ign" ] && [ $((0x$ign & 4)) -eq 0 ] || return 1   # bit 2: SIGQUIT (3)
    kill -QUIT "$PPID"
}
end_make && exit 0
exit 1
