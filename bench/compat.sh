#!/usr/bin/env bash
# bench/compat.sh: compatibility mode at CPL3 (the default) against
# --solo5:cpl0 (the guest at CPL0, as solo5-hvt runs it) and against
# isolated mode, the same test programs built in both flavours, one run,
# interleaved rounds, medians.  A program, not a test: it prints the
# series and the ratios and never passes or fails on a time.
#   boot   wisp-bench boot: hello (tests/guests/hello) isolated, hvt at
#          CPL3 (default memory and --mem=16), hvt at CPL0, the floor
#          (bench/floor.c) and the floor plus 1, HC and HC + TRAPS CPL3
#          exits (floor --cpl3-exits; HC, TRAPS: hello.hvt's hypercalls and
#          trapped-instruction exits, from --stats); x floor; then the lower
#          bound floor + HC x (one CPL3 exit) against the 1.3x goal
#   hcall  tests/guests/hvt_hcloop: ns per POLL hypercall (solo5_yield(0)),
#          guest-timed, and the tender process's CPU time (user + sys, which
#          on PVM includes the guest's) per hypercall, less sensitive to the
#          load of other processes: isolated doorbell store, CPL3 direct outl
#          (the TSS I/O bitmap: one port-I/O exit), CPL3 trapped outl
#          (--solo5:trap-io: #GP, stub, one exit, emulation), CPL0 outl
#          (native port-I/O exit; emulated CPL0 code on PVM).  Exits per
#          hypercall from --stats (hypercall + stub exits that reach wisp).
#          On hardware KVM under TCG: bench/compat_hwvirt.sh.
#   ping   tests/guests/net_ping in a private namespace, `ping -f -c N
#          -s 1000`, round trips per second: isolated, hvt CPL3, hvt CPL0
#          (CPL0 with PINGS_CPL0 pings: it is emulated on PVM); cpl3 uses
#          the ring as Solo5's own bindings do (the guest library's
#          default: what an unmodified Solo5 unikernel does); the cpl3trap
#          column is the CPL3 guest with --solo5:ringext (wisp's POLL
#          reads, include/wisp/hvt_ring_ext.h).  pexit: VM exits per 100 round
#          trips, from --stats: those reaching wisp plus the ring kicks KVM
#          handles itself (ring_kicks; isolated mode: exits reaching wisp);
#          pcpu: the tender's CPU µs (user + sys, the guest's included on
#          PVM) per round trip
# Environment: ROUNDS (5), BOOT_ROUNDS (200), HC_N (5000), PINGS (5000),
# PINGS_CPL0 (200); BOOT_ONLY=1: the boot rows and the bound only (no
# root needed).  Output: stdout and build/bench/results/compat.txt
# (bench/results/compat.txt with RECORD=1).  Needs root and /dev/kvm.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
ROUNDS=${ROUNDS:-5}
BOOT_ROUNDS=${BOOT_ROUNDS:-200}
HC_N=${HC_N:-5000}
PINGS=${PINGS:-5000}
PINGS_CPL0=${PINGS_CPL0:-200}
OUTDIR=$B/bench/results
[ "${RECORD:-0}" = 1 ] && OUTDIR=bench/results
mkdir -p "$OUTDIR"
OUT=$OUTDIR/compat.txt

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench/compat: /dev/kvm is not usable" >&2; exit 1; }
[ "${BOOT_ONLY:-0}" = 1 ] || [ "$(id -u)" = 0 ] || { echo "bench/compat: needs root (network namespaces)" >&2; exit 1; }

kvm_kind() {
    if [ -d /sys/module/kvm_pvm ]; then echo kvm_pvm
    elif [ -d /sys/module/kvm_amd ]; then echo kvm_amd
    elif [ -d /sys/module/kvm_intel ]; then echo kvm_intel
    else echo unknown; fi
}
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

# A snapshot of the binaries: a rebuild during the run changes nothing.
S=$(mktemp -d "$B/bench/compat.XXXXXX")
NS=wispcompat-$$
cleanup() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$S"
}
trap cleanup EXIT
cp $B/bin/wisp $B/bench/floor $B/bench/wisp-bench $B/tests/guests/hello.wisp \
   $B/tests/guests-hvt/hello.hvt $B/tests/guests/hvt_hcloop.wisp $B/tests/guests-hvt/hvt_hcloop.hvt \
   $B/tests/guests/net_ping.wisp $B/tests/guests-hvt/net_ping.hvt "$S"/
W=$S/wisp

stamp="bench/compat.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(kvm_kind), load $(cut -d' ' -f1 /proc/loadavg), wisp $(git rev-parse --short HEAD 2>/dev/null || echo '?')"

# ---- boot ------------------------------------------------------------------
# The lower bound: hello.hvt's own hypercalls (HC, each one exit: the ABI's
# outl) and the exits of its trapped privileged instructions (TRAPS, the
# cost of running it at CPL3), counted by --stats; bench/floor
# --cpl3-exits=N is the floor plus N CPL3 port-I/O exits.
"$W" --stats="$S/hs.json" "$S/hello.hvt" Hello_wisp >/dev/null
HC=$(sed -n 's/.*"hypercall": {"count": \([0-9]*\).*/\1/p' "$S/hs.json")
TRAPS=$(sed -n 's/.*"io": {"count": \([0-9]*\).*/\1/p' "$S/hs.json")
boot_txt=$("$S/wisp-bench" -o "$S/boot.json" boot -n "$BOOT_ROUNDS" "floor=$S/floor" \
    "floor-cpl3-x1=$S/floor --cpl3-exits=1" \
    "floor-cpl3-x$HC=$S/floor --cpl3-exits=$HC" \
    "floor-cpl3-x$((HC + TRAPS))=$S/floor --cpl3-exits=$((HC + TRAPS))" \
    "hello=$W $S/hello.wisp Hello_wisp" \
    "hello-hvt=$W $S/hello.hvt Hello_wisp" \
    "hello-hvt-mem16=$W --mem=16 $S/hello.hvt Hello_wisp" \
    "hello-hvt-cpl0=$W --solo5:cpl0 $S/hello.hvt Hello_wisp")
# bound: floor + HC x (one CPL3 exit), the exit's cost from the two
# floor-cpl3 rows that differ only in their number of exits.
bound_txt=$(echo "$boot_txt" | awk -v hc="$HC" -v tr="$TRAPS" '
    { med[$1] = $3 }
    END {
        f = med["floor"]; x1 = med["floor-cpl3-x1"]; xa = med["floor-cpl3-x" (hc + tr)]
        if (f <= 0 || hc + tr <= 1) { print "bound: not computed"; exit }
        e = (xa - x1) / (hc + tr - 1)
        printf "one CPL3 exit: %.0f µs (floor-cpl3-x%d - floor-cpl3-x1) / %d\n", e, hc + tr, hc + tr - 1
        printf "hello.hvt: %d hypercalls (its own, one exit each) + %d trapped-instruction exits\n", hc, tr
        printf "bound = floor + %d x exit = %.0f µs = %.2fx floor; with the %d trap exits %.0f µs = %.2fx\n", \
            hc, f + hc * e, (f + hc * e) / f, tr, f + (hc + tr) * e, (f + (hc + tr) * e) / f
        printf "hello-hvt %.2fx floor, goal 1.30x; %s\n", med["hello-hvt"] / f, \
            (((f + hc * e) / f > 1.30) ? "1.3x is below the bound: not reachable on this host" : "1.3x is above the bound")
    }')

if [ "${BOOT_ONLY:-0}" = 1 ]; then
    { echo "# $stamp"; echo "$boot_txt" | grep -v '^#'; echo "$bound_txt"; } | tee "$OUT"
    exit 0
fi

# ---- hcall and ping, interleaved ---------------------------------------------
hcall() { # KIND: "NS CPU_NS EXITS_x100" per POLL hypercall
    local n=$HC_N opt=() g=$S/hvt_hcloop.hvt ns cpu st
    case $1 in
        isolated) g=$S/hvt_hcloop.wisp ;;
        cpl3trap) opt=(--solo5:trap-io) ;;
        cpl0) opt=(--solo5:cpl0) ;;
    esac
    # bash's `time` gives the child's user and sys CPU seconds.
    cpu=$( { TIMEFORMAT='%U %S'; time $W "${opt[@]}" --stats="$S/st.json" "$g" "$n" >"$S/hc.out" 2>/dev/null; } 2>&1 )
    ns=$(sed -n 's/^yield0 n=[0-9]* ns_per_op=\([0-9]*\)$/\1/p' "$S/hc.out")
    st=$(grep '"exits"' "$S/st.json" | sed -n 's/.*"hypercall": {"count": \([0-9]*\).*"io": {"count": \([0-9]*\).*/\1 \2/p')
    echo "${ns:-0} $(awk -v c="$cpu" -v n="$n" 'BEGIN { split(c, a, " "); printf "%d", (a[1] + a[2]) * 1e9 / n }') $(awk -v s="$st" -v n="$n" 'BEGIN { split(s, a, " "); printf "%d", (a[1] + a[2]) * 100 / n }')"
}

ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" addr add 10.0.0.1/24 dev tap0
ip -n "$NS" link set tap0 up

ping_rate() { # KIND: "RATE EXITS_x100 CPU_US" of a flood ping
    local log=$S/guest.log pid i ms n=$PINGS opt=() gopt=() g=$S/net_ping.hvt st=$S/pst.json cpu
    case $1 in
        isolated) g=$S/net_ping.wisp ;;
        cpl3trap) gopt=(--solo5:ringext) ;;
        cpl0) opt=(--solo5:cpl0); n=$PINGS_CPL0 ;;
    esac
    rm -f "$st" "$S/pcpu"
    ( TIMEFORMAT='%U %S'
      { time ip netns exec "$NS" "$W" "${opt[@]}" --stats="$st" --net:service0=tap0 -- "$g" \
            "${gopt[@]}" 10.0.0.2 count=$n >"$log" 2>&1; } 2>"$S/pcpu" ) &
    pid=$!
    for i in $(seq 1500); do grep -q READY "$log" && break; sleep 0.02; done
    ms=$(ip netns exec "$NS" ping -f -q -c "$n" -s 1000 -w 300 10.0.0.2 |
        sed -n 's/.* received, .* time \([0-9]*\)ms$/\1/p')
    wait "$pid" || true
    local tot kicks
    tot=$(grep '"exits"' "$st" 2>/dev/null | sed -n 's/.*"total": \([0-9]*\).*/\1/p')
    kicks=$(grep '"service0"' "$st" 2>/dev/null | sed -n 's/.*"ring_kicks": \([0-9]*\).*/\1/p')
    [ "$1" = isolated ] && kicks=0 # isolated kicks are exits to wisp, counted in total
    cpu=$(cat "$S/pcpu" 2>/dev/null)
    echo "$( [ -n "$ms" ] && [ "$ms" -gt 0 ] && echo $((n * 1000 / ms)) || echo 0) $(( (${tot:-0} + ${kicks:-0}) * 100 / n )) $(awk -v c="$cpu" -v n="$n" 'BEGIN { split(c, a, " "); printf "%d", (a[1] + a[2]) * 1e6 / n }')"
}

declare -A series
for r in $(seq "$ROUNDS"); do
    for kind in isolated cpl3 cpl3trap cpl0; do
        read -r ns cpu ex < <(hcall $kind)
        series["hcall-$kind"]+="$ns "
        series["hcpu-$kind"]+="$cpu "
        series["hexit-$kind"]+="$ex "
        read -r rate pex pcpu < <(ping_rate $kind)
        series["ping-$kind"]+="$rate "
        series["pexit-$kind"]+="$pex "
        series["pcpu-$kind"]+="$pcpu "
    done
    echo "round $r/$ROUNDS done" >&2
done

{
    echo "# $stamp"
    echo "# boot: wisp-bench boot, $BOOT_ROUNDS interleaved rounds (µs; x floor = median / floor's median)"
    echo "$boot_txt" | grep -v '^#'
    echo "# lower bound of hello-hvt: the floor plus its own hypercalls' exits (floor --cpl3-exits)"
    echo "$bound_txt"
    echo "# hcall: ns per POLL hypercall (guest-timed, $HC_N calls); hcpu: the tender's"
    echo "# CPU ns (user + sys) per hypercall; hexit: exits reaching wisp per 100 hypercalls (--stats);"
    echo "# cpl3 = direct port-I/O exit (TSS I/O bitmap), cpl3trap = --solo5:trap-io; ping: round trips/s"
    echo "# (ping -f -s 1000; CPL0 $PINGS_CPL0 pings, else $PINGS), pexit: exits per 100 round trips (with the"
    echo "# ring kicks KVM serves itself), pcpu: tender CPU µs per round trip; in the ping rows cpl3trap is the"
    echo "# CPL3 guest with --solo5:ringext (wisp's POLL reads; cpl3: Solo5's ring protocol, the default); $ROUNDS interleaved rounds, medians, series in brackets"
    printf '%-8s %10s %10s %10s %10s %9s %9s %9s\n' what isolated cpl3 cpl3trap cpl0 cpl3/iso trap/iso cpl0/iso
    for key in hcall hcpu hexit ping pexit pcpu; do
        i=$(echo ${series[$key-isolated]} | tr ' ' '\n' | median)
        c3=$(echo ${series[$key-cpl3]} | tr ' ' '\n' | median)
        ct=$(echo ${series[$key-cpl3trap]:-} | tr ' ' '\n' | median)
        c0=$(echo ${series[$key-cpl0]} | tr ' ' '\n' | median)
        [ -n "${series[$key-cpl3trap]:-}" ] || ct=-
        printf '%-8s %10s %10s %10s %10s %9s %9s %9s   (isolated [%s] cpl3 [%s] cpl3trap [%s] cpl0 [%s])\n' \
            "$key" "$i" "$c3" "$ct" "$c0" \
            "$(awk -v a="$c3" -v b="$i" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
            "$(awk -v a="$ct" -v b="$i" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else print "-" }')" \
            "$(awk -v a="$c0" -v b="$i" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
            "$(echo ${series[$key-isolated]})" "$(echo ${series[$key-cpl3]})" \
            "$(echo ${series[$key-cpl3trap]:-})" "$(echo ${series[$key-cpl0]})"
    done
} | tee "$OUT"
