#!/usr/bin/env bash
# bench/run.sh: one full benchmark run (make bench calls it after building).
# Writes build/bench/results/bench.json and bench.png, prints the tables on
# stdout and keeps a copy of them in bench.txt there; with RECORD=1 (make
# bench RECORD=1) the results go to bench/results/ instead, the recorded
# run that bench/README.md describes.
# Environment: RECORD, ROUNDS (boot rounds, default 300), HC_RUNS (default 11),
# HC_N (calls per hypercall kind, default 1000), MEM_K ("100 1000"),
# MEM_ROUNDS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
if [ "${RECORD:-0}" = 1 ]; then R=bench/results; else R=$B/bench/results; fi
WB=$B/bench/wisp-bench
ROUNDS=${ROUNDS:-300}
HC_RUNS=${HC_RUNS:-11}
HC_N=${HC_N:-1000}
MEM_K=${MEM_K:-"100 1000"}
MEM_ROUNDS=${MEM_ROUNDS:-3}

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench: /dev/kvm is not usable: nothing to measure" >&2; exit 1; }
mkdir -p "$R" "$B/bench/plot"

# Measure a snapshot: a rebuild of build/ during the run (a shared tree)
# must not swap binaries under the benchmark.
S=$B/bench/snap
rm -rf "$S" && mkdir -p "$S"
cp $B/bin/wisp $B/bench/floor $B/bench/floor-static $B/bench/rssprobe \
   $B/bench/guests/hcbench.wisp $B/bench/guests/idle.wisp $B/tests/guests/hello.wisp "$S"/
[ -f $B/tests/guests-hvt/hello.hvt ] && cp $B/tests/guests-hvt/hello.hvt "$S"/
W=$S/wisp

# The same test program in both modes (tests/guests/hello), plus the floor.
hello=$S/hello.wisp
boot=(boot -n "$ROUNDS"
      "floor=$S/floor"
      "floor-static=$S/floor-static"
      "wisp-version=$W --version"
      "hello=$W $hello Hello_wisp"
      "hello-timings=$W --timings $hello Hello_wisp")
rss=(rss -r 21 "$S/rssprobe"
     "floor-static=$S/floor-static"
     "hello=$W $hello Hello_wisp")
hvt=$S/hello.hvt
if [ -f "$hvt" ]; then
    boot+=("hello-hvt=$W $hvt Hello_wisp" "hello-hvt-timings=$W --timings $hvt Hello_wisp"
           "hello-hvt-cpl0=$W --solo5:cpl0 $hvt Hello_wisp")
    rss+=("hello-hvt=$W $hvt Hello_wisp")
else
    echo "bench: build/tests/guests-hvt/hello.hvt does not exist: compatibility mode not measured (not yet available)"
fi
# Idle guests against two idle floors, the references: a bare VM (one
# page, a vCPU that ran to one exit in real mode, then sleeps), and the
# same in 64-bit mode with paging on (four pages), as every x86_64 guest.
mem=(mem -r "$MEM_ROUNDS" -b 2)
for k in $MEM_K; do mem+=(-k "$k"); done
mem+=("floor=$S/floor-static --idle" "floor-long=$S/floor-static --long --idle"
      "wisp=$W --mem=16 $S/idle.wisp")

"$WB" -o "$R/bench.json" -d "build/bench/plot" "${boot[@]}" :: "${rss[@]}" \
    :: hcall -r "$HC_RUNS" -n "$HC_N" "$W" "$S/hcbench.wisp" \
    :: "${mem[@]}" | tee "$R/bench.txt"

stamp=$(head -1 "$R/bench.txt" | sed 's/^# //')
gnuplot -e "dir='build/bench/plot'; out='$R/bench.png'; stamp='$stamp'" bench/plot.gp
echo "bench: wrote $R/bench.json, $R/bench.png, $R/bench.txt"
