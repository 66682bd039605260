#!/usr/bin/env bash
# bench/mem-hwvirt.sh: the idle-guest memory benchmark (wisp-bench mem, as
# bench/run.sh runs it) under hardware virtualization: inside the QEMU TCG
# VM of make test-hwvirt, whose /dev/kvm is Debian's kvm-amd (nested SVM,
# NPT).  Memory, unlike time, means the same under TCG as on hardware.
# Compares wisp (--mem=16 and --mem=4) with the bare-VM floors (real mode,
# and 64-bit with paging).  Output: stdout and build/bench/results/
# mem-hwvirt.txt (bench/results/ with RECORD=1).  Needs root and the
# test-hwvirt dependencies (make hwvirt-deps).
# Environment: MEM_K ("20 50"), MEM_ROUNDS (3); WISP_OLD=PATH: a static
# wisp binary (another build's build/bin/wisp) measured too, as "wisp-old",
# for an A/B of a change in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
MEM_K=${MEM_K:-"20 50"}
MEM_ROUNDS=${MEM_ROUNDS:-3}
OUTDIR=$B/bench/results
[ "${RECORD:-0}" = 1 ] && OUTDIR=bench/results
mkdir -p "$OUTDIR"
X=$B/bench/hwvirt-extra
rm -rf "$X" && mkdir -p "$X"
make -s all bench-build $B/bin/wisp-static
# The VM has no shared libraries: a static wisp-bench.
${CC:-cc} -std=gnu11 -O2 -static -o "$X/wisp-bench" $(ls bench/*.c | grep -v -e /floor.c -e /rssprobe.c)
cp $B/bench/floor-static $B/bench/guests/idle.wisp "$X/"
old_row=
if [ -n "${WISP_OLD:-}" ]; then
    cp "$WISP_OLD" "$X/wisp-old"
    old_row=' "wisp-old=$Z/wisp-old --mem=16 $Z/idle.wisp"'
fi
script=$B/bench/mem-hwvirt-run.sh
cat >"$script" <<SCRIPT
Z=/wisp/extra
for k in $MEM_K; do
    \$Z/wisp-bench -o /tmp/m.json mem -r $MEM_ROUNDS -b 2 -k \$k "floor=\$Z/floor-static --idle" \\
        "floor-long=\$Z/floor-static --long --idle" "wisp=/wisp/build/bin/wisp --mem=16 \$Z/idle.wisp" \\
        "wisp-mem4=/wisp/build/bin/wisp --mem=4 \$Z/idle.wisp"$old_row
done
SCRIPT
log=$B/bench/mem-hwvirt.log
HWVIRT_DEBUG_SCRIPT=$script HWVIRT_EXTRA_DIR=$X tests/hwvirt/run.sh >"$log" 2>&1 || true
# The VM's run ends as a "debugging run" (not a test run): keep its tables.
sed -n '/^# [0-9-]*T/,/^WISP-HWVIRT-BEGIN/p' "$log" | grep -v -e '^wisp-bench mem:' -e '^WISP-HWVIRT' \
    | sed "s/wisp=unknown/wisp=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)/" >"$OUTDIR/mem-hwvirt.txt"
[ -s "$OUTDIR/mem-hwvirt.txt" ] || { echo "bench/mem-hwvirt: no results; see $log" >&2; exit 1; }
cat "$OUTDIR/mem-hwvirt.txt"
