#!/usr/bin/env bash
# bench/serve.sh (make bench-serve): `wisp serve`, a fresh VM for every
# connection, against a process per connection, in one run, interleaved,
# medians.  A program, not a test: it prints figures and never passes or
# fails on a time.
#   process   bench/serve/inetd forks and execs fn-http built with
#             `wisp-cc --target=process` for each connection (as inetd)
#   wisp      wisp serve examples/fn-http: each connection boots its VM
#   wisp-pool the same with --pool=$POOL: VMs booted ahead, their guests
#             waiting at their first input read
#   vm-floor  bench/serve/inetd forks and execs `bench/floor --http` for each
#             connection: a bare KVM VM (created, one guest instruction,
#             destroyed) and a fixed answer.  Not a server anyone would run:
#             the least CPU any server that gives each connection a fresh VM
#             pays on this host, so its rate bounds every VM-per-connection
#             rate here (with or without a pool: a pool moves the boot off
#             the latency path, not off the CPU)
# Per round and server, with tests/tools/serveload on 127.0.0.1:
#   latency   $LAT_N connections one at a time, one started every
#             $INTERVAL_MS ms (open loop, no queueing): connect() to the
#             first response byte (fb) and to the end of the response (end),
#             p50 and p99
#   rate      $RATE_N connections back to back, 1 and $CONC in flight:
#             connections per second
# Environment: KEEP_LOGS=DIR keeps the servers' logs there; ROUNDS (5), LAT_N (100), RATE_N (300), CONC (8), POOL (8),
# INTERVAL_MS (20: every connection costs a VM boot, ~3 ms of CPU on PVM, and the
# pool must keep up for its latency to show), BASE_PORT (18080).  Output: stdout, and
# build/bench/results/serve.txt (bench/results/serve.txt with RECORD=1).
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
ROUNDS=${ROUNDS:-5}
LAT_N=${LAT_N:-100}
RATE_N=${RATE_N:-300}
CONC=${CONC:-8}
POOL=${POOL:-8}
INTERVAL_MS=${INTERVAL_MS:-20}
BASE_PORT=${BASE_PORT:-18080}
OUTDIR=$B/bench/results
[ "${RECORD:-0}" = 1 ] && OUTDIR=bench/results
mkdir -p "$OUTDIR"
OUT=$OUTDIR/serve.txt
LOAD=$B/tests/tools/serveload
REQ='GET /bench HTTP/1.0\r\n\r\n'

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench/serve: /dev/kvm is not usable" >&2; exit 1; }
for f in "$LOAD" $B/bin/wisp $B/examples/fn-http.wisp $B/bench/serve/inetd $B/bench/serve/fn-http.process $B/bench/floor; do
    [ -x "$f" ] || [ -f "$f" ] || { echo "bench/serve: $f is missing (make bench-serve builds it)" >&2; exit 1; }
done

kvm_kind() {
    if [ -d /sys/module/kvm_pvm ]; then echo kvm_pvm
    elif [ -d /sys/module/kvm_amd ]; then echo kvm_amd
    elif [ -d /sys/module/kvm_intel ]; then echo kvm_intel
    else echo unknown; fi
}

# median: of the numbers on stdin (floats).
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

WORK=$(mktemp -d "$B/bench/serve.XXXXXX")
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ -z "${KEEP_LOGS:-}" ] || { mkdir -p "$KEEP_LOGS" && cp "$WORK"/*.log "$KEEP_LOGS"/; }
    rm -rf "$WORK"
}
trap cleanup EXIT

CONFIGS=(process wisp wisp-pool vm-floor)
declare -A PORT=([process]=$BASE_PORT [wisp]=$((BASE_PORT + 1)) [wisp-pool]=$((BASE_PORT + 2)) [vm-floor]=$((BASE_PORT + 3)))
$B/bench/serve/inetd 127.0.0.1:${PORT[process]} $B/bench/serve/fn-http.process --input 2>"$WORK/process.log" &
PIDS+=($!)
$B/bench/serve/inetd 127.0.0.1:${PORT[vm-floor]} $B/bench/floor --http 2>"$WORK/vm-floor.log" &
PIDS+=($!)
$B/bin/wisp serve --listen=127.0.0.1:${PORT[wisp]} --max-vms=$((2 * CONC)) --stats \
    $B/examples/fn-http.wisp 2>"$WORK/wisp.log" &
PIDS+=($!)
$B/bin/wisp serve --listen=127.0.0.1:${PORT[wisp-pool]} --max-vms=$((2 * CONC)) --pool="$POOL" --stats \
    $B/examples/fn-http.wisp 2>"$WORK/wisp-pool.log" &
PIDS+=($!)
sleep 1

# field NAME LINE: the value of NAME=VALUE in a serveload line.
field() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" <<<"$2"; }

for round in $(seq 1 "$ROUNDS"); do
    for c in "${CONFIGS[@]}"; do
        addr=127.0.0.1:${PORT[$c]}
        line=$("$LOAD" --conns="$LAT_N" --concurrency=1 --interval="$INTERVAL_MS" \
                 --request="$REQ" --expect='"status":"200 OK"' "$addr")
        for k in fb_p50_ms fb_p99_ms end_p50_ms end_p99_ms; do
            field "$k" "$line" >>"$WORK/$c.$k"
        done
        line=$("$LOAD" --conns="$RATE_N" --concurrency=1 --request="$REQ" --expect='"status":"200 OK"' "$addr")
        field rate_per_s "$line" >>"$WORK/$c.rate1"
        line=$("$LOAD" --conns="$RATE_N" --concurrency="$CONC" --request="$REQ" --expect='"status":"200 OK"' "$addr")
        field rate_per_s "$line" >>"$WORK/$c.rateC"
    done
    echo "bench/serve: round $round of $ROUNDS done" >&2
done
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
PIDS=()

m() { median <"$WORK/$1.$2"; }
{
    echo "wisp serve: fn-http (one HTTP request per connection), $ROUNDS interleaved rounds, medians"
    echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, Linux $(uname -r), KVM: $(kvm_kind), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "latency: $LAT_N connections per round, one every $INTERVAL_MS ms; rate: $RATE_N connections back to back"
    printf '%-12s %10s %10s %10s %10s %12s %12s\n' server fb_p50_ms fb_p99_ms end_p50_ms end_p99_ms "conn/s c=1" "conn/s c=$CONC"
    for c in "${CONFIGS[@]}"; do
        printf '%-12s %10s %10s %10s %10s %12s %12s\n' "$c" "$(m "$c" fb_p50_ms)" "$(m "$c" fb_p99_ms)" \
            "$(m "$c" end_p50_ms)" "$(m "$c" end_p99_ms)" "$(m "$c" rate1)" "$(m "$c" rateC)"
    done
    awk -v pp="$(m wisp-pool fb_p50_ms)" -v pr="$(m process fb_p50_ms)" \
        -v rp="$(m wisp-pool rateC)" -v rr="$(m process rateC)" \
        -v rp1="$(m wisp-pool rate1)" -v rr1="$(m process rate1)" \
        -v rf="$(m vm-floor rateC)" -v rf1="$(m vm-floor rate1)" 'BEGIN {
        printf "goal 1: wisp-pool fb p50 / process fb p50 = %.2f (goal: at most 1)\n", pp / pr
        printf "goal 2: wisp-pool conn/s / process conn/s = %.2f at c=1, %.2f at c='"$CONC"' (goal: at least 0.5)\n", rp1 / rr1, rp / rr
        printf "ceiling of goal 2 on this host: vm-floor conn/s / process conn/s = %.2f at c=1, %.2f at c='"$CONC"' (a bare VM per connection)\n", rf1 / rr1, rf / rr }'
    echo "servers' own figures (--stats, accept to VM end):"
    grep -h "stats:" "$WORK/wisp.log" "$WORK/wisp-pool.log" | sed 's/^/  /'
} | tee "$OUT"
echo "bench/serve: written to $OUT" >&2
