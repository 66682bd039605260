#!/usr/bin/env bash
# Run every test of the project and print one closing line:
#   N passed, N failed, N skipped
# Unit tests (cmocka, TAP output) and end-to-end suites (bats, TAP) are
# counted together.  Skips are listed with their reasons.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
export WISP_TOP="$TOP"

pass=0 fail=0 skip=0
skips=()
failures=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# count_tap SUITE: read TAP on stdin, echo it, and tally.
count_tap() {
    local suite=$1 line
    while IFS= read -r line; do
        printf '%s\n' "$line"
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
}

echo "==> unit tests"
for t in build/tests/unit/test_*; do
    [ -x "$t" ] || continue
    case "$t" in *.d) continue ;; esac
    name=$(basename "$t")
    CMOCKA_MESSAGE_OUTPUT=TAP "$t" > "$log" 2>&1
    rc=$?
    count_tap "$name" < "$log"
    # A crash or an exit without any TAP result is a failure too.
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
        fail=$((fail + 1)); failures+=("$name: exited with status $rc")
    fi
done

echo "==> end-to-end tests"
for suite in tests/e2e/*.bats; do
    [ -f "$suite" ] || continue
    name=$(basename "$suite" .bats)
    bats --tap "$suite" > "$log" 2>&1
    rc=$?
    count_tap "$name" < "$log"
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$log"; then
        fail=$((fail + 1)); failures+=("$name: bats exited with status $rc")
    fi
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
[ "$fail" -eq 0 ] && [ $((pass + skip)) -gt 0 ]
