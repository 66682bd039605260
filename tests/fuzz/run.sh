#!/bin/sh
# run.sh BINDIR CORPUSDIR LIMIT TARGET...: run each libFuzzer target
# BINDIR/fuzz_TARGET on CORPUSDIR/TARGET for LIMIT (-max_total_time=S or
# -runs=N), one after the other, each in one process; its log goes to
# BINDIR/log/TARGET.log, a reproducer of any finding to BINDIR/crashes/.
# Then print one row per target from the logs (--report prints only that):
# executions, seconds, coverage (cov and ft, libFuzzer's final counters), crashes
# (sanitizer reports, failed checks, deadly signals, timeouts, out of
# memory) and leaks (LeakSanitizer).  A target stops at its first finding,
# so crashes and leaks are 0 or 1.  Every target runs even after a
# finding; the status is 1 if any target found something or did not finish.
#   run.sh --report BINDIR TARGET...
set -u
report=0
if [ "${1:-}" = --report ]; then
    report=1
    shift
    bin=$1
    shift
else
    bin=$1 corpus=$2 limit=$3
    shift 3
fi
mkdir -p "$bin/log" "$bin/crashes"
if [ "$report" = 0 ]; then
    for t in "$@"; do
        echo "  FUZZ    $t ($limit)"
        "$bin/fuzz_$t" "$limit" -max_len=65536 -print_final_stats=1 -detect_leaks=1 \
            -artifact_prefix="$bin/crashes/$t-" "$corpus/$t" >"$bin/log/$t.log" 2>&1
        echo $? >"$bin/log/$t.status"
    done
fi
fail=0
printf '%-16s %12s %7s %6s %6s %7s %5s\n' target executions seconds cov ft crashes leaks
for t in "$@"; do
    log=$bin/log/$t.log
    rc=$(cat "$bin/log/$t.status" 2>/dev/null || echo '?')
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -n 1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" 2>/dev/null | tail -n 1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" 2>/dev/null | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    leaks=0
    crashes=0
    if grep -q 'ERROR: LeakSanitizer' "$log" 2>/dev/null; then
        leaks=1
    elif [ "$rc" != 0 ] || grep -qE '^==[0-9]+==.*ERROR|^SUMMARY: |Test unit written' "$log" 2>/dev/null; then
        crashes=1
    fi
    if [ "$rc" != 0 ] || [ "$crashes$leaks" != 00 ]; then
        fail=1
        echo "fuzz_$t: status $rc, see $log" >&2
        grep -E '^==[0-9]+==.*ERROR|^SUMMARY|Test unit written' "$log" >&2
    fi
    printf '%-16s %12s %7s %6s %6s %7s %5s\n' "$t" "${execs:-?}" "${secs:--}" "${cov:-?}" "${ft:-?}" \
        "$crashes" "$leaks"
done
exit $fail
