#!/usr/bin/env bash
# bench/run.sh: one full benchmark run (make bench calls it after building).
# Writes bench/results/bench.json and bench/results/bench.png, prints the
# tables on stdout and keeps a copy of them in bench/results/bench.txt.
# Environment: ROUNDS (boot rounds, default 300), HC_RUNS (default 11),
# HC_N (calls per hypercall kind, default 1000), MEM_K ("100 1000"),
# MEM_ROUNDS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
R=bench/results
WB=$B/bench/wisp-bench
W=$B/bin/wisp
ROUNDS=${ROUNDS:-300}
HC_RUNS=${HC_RUNS:-11}
HC_N=${HC_N:-1000}
MEM_K=${MEM_K:-"100 1000"}
MEM_ROUNDS=${MEM_ROUNDS:-3}

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench: /dev/kvm is not usable: nothing to measure" >&2; exit 1; }
mkdir -p "$R" "$B/bench/plot"

# The same test program in both modes (tests/guests/hello), plus the floor.
hello=$B/tests/guests/hello.wisp
boot=(boot -n "$ROUNDS"
      "floor=$B/bench/floor"
      "floor-static=$B/bench/floor-static"
      "wisp-version=$W --version"
      "hello=$W $hello Hello_wisp"
      "hello-timings=$W --timings $hello Hello_wisp")
rss=(rss -r 21 "$B/bench/rssprobe"
     "floor-static=$B/bench/floor-static"
     "hello=$W $hello Hello_wisp")
hvt=$B/tests/guests-hvt/hello.hvt
if [ -f "$hvt" ]; then
    boot+=("hello-hvt=$W $hvt Hello_wisp" "hello-hvt-timings=$W --timings $hvt Hello_wisp")
    rss+=("hello-hvt=$W $hvt Hello_wisp")
else
    echo "bench: $hvt does not exist: compatibility mode not measured (not yet available)"
fi
mem=(mem -r "$MEM_ROUNDS" -m 16)
for k in $MEM_K; do mem+=(-k "$k"); done
mem+=("$W" "$B/bench/guests/idle.wisp")

"$WB" -o "$R/bench.json" -d "$B/bench/plot" "${boot[@]}" :: "${rss[@]}" \
    :: hcall -r "$HC_RUNS" -n "$HC_N" "$W" "$B/bench/guests/hcbench.wisp" \
    :: "${mem[@]}" | tee "$R/bench.txt"

stamp=$(head -1 "$R/bench.txt" | sed 's/^# //')
gnuplot -e "dir='$B/bench/plot'; out='$R/bench.png'; stamp='$stamp'" bench/plot.gp
echo "bench: wrote $R/bench.json, $R/bench.png, $R/bench.txt"
