#!/bin/sh
# run.sh BINDIR CORPUSDIR LIMIT TARGET...: run each libFuzzer target
# BINDIR/fuzz_TARGET on CORPUSDIR/TARGET for LIMIT (-max_total_time=S or
# -runs=N), its log in BINDIR/log/TARGET.log, crash reproducers in
# BINDIR/crashes/; then print one row per target: executions, coverage
# (cov, ft: libFuzzer's final counters), crashes (sanitizer reports,
# failed checks, timeouts, out-of-memory) and leaks (LeakSanitizer).  Every
# target runs even after a failure; the status is 1 if any failed.
# FUZZ_JOBS is not used: one target at a time, each in one process.
set -u
bin=$1 corpus=$2 limit=$3
shift 3
mkdir -p "$bin/log" "$bin/crashes"
rows=
fail=0
for t in "$@"; do
    log=$bin/log/$t.log
    echo "  FUZZ    $t ($limit)"
    # A target stops at its first finding: crashes and leaks are 0 or 1.
    "$bin/fuzz_$t" "$limit" -max_len=65536 -print_final_stats=1 -detect_leaks=1 \
        -artifact_prefix="$bin/crashes/$t-" "$corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    leaks=0
    crashes=0
    grep -q 'ERROR: LeakSanitizer' "$log" && leaks=1
    if [ "$rc" != 0 ] && [ "$leaks" = 0 ]; then crashes=1; fi
    if [ "$rc" != 0 ]; then
        fail=1
        echo "fuzz_$t FAILED (status $rc): see $log" >&2
        grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "$log" >&2
    fi
    rows="$rows$(printf '%-16s %12s %6s %6s %7s %5s' "$t" "${execs:-?}" "${cov:-?}" \
        "${ft:-?}" "$crashes" "$leaks")
"
done
printf '%-16s %12s %6s %6s %7s %5s\n' target executions cov ft crashes leaks
printf '%s' "$rows"
exit $fail
