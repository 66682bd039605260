#!/usr/bin/env bash
# bench/io.sh: device I/O of the same unikernels run by wisp (isolated mode)
# and as Linux processes (wisp-cc --target=process, the baseline), in one
# run, interleaved, medians.  A program, not a test: it prints the series
# and the ratios and never passes or fails on a time.
#   block  bench/guests/blkbench: 4 KiB and 64 KiB requests, read and write,
#          sequential over a 64 MiB image in build/ (page cache warm)
#   net    tests/guests/net_ping in a private namespace, `ping -f -c N -s 1000`
#          (1000-byte payloads), round trips per second from ping's summary
# Environment: ROUNDS (default 5), PINGS (default 5000), BLK_N (default 20000).
# Output: stdout, and build/bench/results/io.txt (bench/results/io.txt with
# RECORD=1).  Needs root (namespaces, taps) and /dev/kvm.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
ROUNDS=${ROUNDS:-5}
PINGS=${PINGS:-5000}
BLK_N=${BLK_N:-20000}
OUTDIR=$B/bench/results
[ "${RECORD:-0}" = 1 ] && OUTDIR=bench/results
mkdir -p "$OUTDIR"
OUT=$OUTDIR/io.txt

[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench/io: /dev/kvm is not usable" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/io: needs root (network namespaces)" >&2; exit 1; }

kvm_kind() {
    if [ -d /sys/module/kvm_pvm ]; then echo kvm_pvm
    elif [ -d /sys/module/kvm_amd ]; then echo kvm_amd
    elif [ -d /sys/module/kvm_intel ]; then echo kvm_intel
    else echo unknown; fi
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

WORK=$(mktemp -d "$B/bench/io.XXXXXX")
NS=wispio-$$
cleanup() {
    ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

IMG=$WORK/disk.img
truncate -s 64M "$IMG"
BLK_WISP=$B/bench/guests/blkbench.wisp
BLK_PROC=$B/bench/guests-process/blkbench.process
PING_WISP=$B/tests/guests/net_ping.wisp
PING_PROC=$B/tests/guests-process/net_ping.process

# blk KIND: one blkbench run; prints "phase ops_per_s" lines.
blk() {
    local args=(--mem=64 --block:storage="$IMG" --block-sector-size:storage=4096)
    if [ "$1" = wisp ]; then
        $B/bin/wisp "${args[@]}" -- "$BLK_WISP" "$BLK_N"
    else
        "$BLK_PROC" "${args[@]}" -- "$BLK_N"
    fi | sed -n 's/^\([a-z0-9_-]*\) ops=.* ops_per_s=\([0-9]*\)$/\1 \2/p'
}

ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" addr add 10.0.0.1/24 dev tap0
ip -n "$NS" link set tap0 up

# ping_rate KIND: boot net_ping, flood it, print round trips per second.
ping_rate() {
    local log=$WORK/guest.log pid i rtt_ms
    if [ "$1" = wisp ]; then
        ip netns exec "$NS" $B/bin/wisp --net:service0=tap0 -- "$PING_WISP" 10.0.0.2 count=$PINGS >"$log" 2>&1 &
    else
        ip netns exec "$NS" "$PING_PROC" --net:service0=tap0 -- 10.0.0.2 count=$PINGS >"$log" 2>&1 &
    fi
    pid=$!
    for i in $(seq 500); do grep -q READY "$log" && break; sleep 0.02; done
    rtt_ms=$(ip netns exec "$NS" ping -f -q -c "$PINGS" -s 1000 -w 120 10.0.0.2 |
        sed -n 's/.* received, .* time \([0-9]*\)ms$/\1/p')
    wait "$pid" || true
    [ -n "$rtt_ms" ] && [ "$rtt_ms" -gt 0 ] && echo $((PINGS * 1000 / rtt_ms)) || echo 0
}

declare -A series
for r in $(seq "$ROUNDS"); do
    for kind in process wisp; do
        while read -r phase rate; do
            series["blk-$phase-$kind"]+="$rate "
        done < <(blk $kind)
        series["ping-$kind"]+="$(ping_rate $kind) "
    done
    echo "round $r/$ROUNDS done" >&2
done

{
    echo "# bench/io.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(kvm_kind), wisp $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "# $ROUNDS interleaved rounds; medians; per-round series in brackets"
    printf '%-22s %12s %12s %8s\n' "what" "process" "wisp" "wisp/process"
    for key in $(printf '%s\n' "${!series[@]}" | sed 's/-\(wisp\|process\)$//' | sort -u); do
        p=$(echo ${series[$key-process]} | tr ' ' '\n' | median)
        w=$(echo ${series[$key-wisp]} | tr ' ' '\n' | median)
        ratio=$(awk -v w="$w" -v p="$p" 'BEGIN { if (p > 0) printf "%.2f", w / p; else print "-" }')
        unit=ops/s; [ "${key#ping}" != "$key" ] && unit="round trips/s"
        printf '%-22s %12s %12s %8s   (%s; process [%s] wisp [%s])\n' "$key" "$p" "$w" "$ratio" "$unit" \
            "$(echo ${series[$key-process]})" "$(echo ${series[$key-wisp]})"
    done
} | tee "$OUT"
