#!/usr/bin/env bash
# bench/io.sh: device I/O of the same unikernels run by wisp (isolated mode)
# and as Linux processes (wisp-cc --target=process, the baseline), in one
# run, interleaved, medians.  A program, not a test: it prints the series
# and the ratios and never passes or fails on a time.
#   block  bench/guests/blkbench: 4 KiB and 64 KiB requests, read and write,
#          sequential over a 64 MiB image in build/ (page cache warm), and
#          4 KiB requests at random blocks
#   net    tests/guests/net_ping in a private namespace, `ping -f -c N -s 1000`
#          (1000-byte payloads), round trips per second from ping's summary;
#          for wisp also pinned (-2cpu rows): the vCPU thread on CPU 1, the
#          I/O thread and ping on CPU 0, the placement a host with a free CPU
#          gives (an unpinned run on a busy host often shares one CPU)
# Kinds: process (the baseline); wisp (shared rings, the default); wisp-hc
# (wisp --no-rings: one hypercall per request, as before the rings);
# wisp-iofd (rings, net kicks through KVM_IOEVENTFD instead of an exit in
# which wisp sends the frames itself: ping only).
# wisp runs with --stats: VM exits per round trip (exits-per-ping) and per
# block request come from its JSON.  Then, once: the CPU time (utime +
# stime from /proc/PID/stat) of an idle net_ping with a NIC over IDLE_S s.
#   httpd  examples/httpd (when present) serving a 1 KiB page from a ustar
#          image, wrk -t2 -c16 for HTTPD_S seconds from the namespace,
#          keep-alive and a new connection per request (Connection: close);
#          requests/s.  Its process build is made here with wisp-cc.
#          For wisp also pinned (blk-*-2cpu rows): the vCPU thread on
#          CPU 1, the I/O thread on CPU 0 (blkbench waits 200 ms in
#          solo5_yield first, so the threads are placed before it times).
#   handoff  bench/handoff, once: a request/answer hand-off between two
#          threads (spinning on two CPUs, yielding on one, through an
#          eventfd) and the host I/O call per 4 KiB request (pread,
#          pwrite, io_uring, a copy from a mapping of the image as the
#          ring's reads do), in ns: what bounds the block ring's rate.
# Environment: PARTS (default "block net httpd idle"; PARTS=block: the
# block rows and the hand-off figures only), ROUNDS (default 5), PINGS
# (default 5000), BLK_N (default 20000), IDLE_S (default 10), HTTPD_S
# (default 5; 0: no httpd), NICE (default 0: every measured program, the
# load generators included, runs under `nice -n NICE`; -20 keeps other
# tenants of a shared host from taking the CPUs for whole time slices in
# the middle of a run), CHRT (unset; P: the block part under SCHED_FIFO
# priority P, see NB below).
# Output: stdout, and build/bench/results/io.txt (bench/results/io.txt with
# RECORD=1).  Needs root (namespaces, taps) and /dev/kvm.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
ROUNDS=${ROUNDS:-5}
PINGS=${PINGS:-5000}
BLK_N=${BLK_N:-20000}
IDLE_S=${IDLE_S:-10}
HTTPD_S=${HTTPD_S:-5}
NICE=${NICE:-0}
PARTS=${PARTS:-block net httpd idle}
part() { [[ " $PARTS " == *" $1 "* ]]; }
part httpd || HTTPD_S=0
N=(nice -n "$NICE")
# CHRT=P: the block part's programs (blkbench, handoff) under SCHED_FIFO
# priority P (chrt -f): the other tenants of a shared host can then take no
# CPU from them while they run (the kernel's RT throttling still leaves
# others 5%); what the block ring does when the vCPU and the I/O thread
# each have a CPU.
NB=("${N[@]}")
[ -n "${CHRT:-}" ] && NB+=(chrt -f "$CHRT")
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
[ -f examples/httpd/httpd.c ] && command -v wrk >/dev/null || HTTPD_S=0
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

STATS=$WORK/stats.json

# json_total FILE: the total VM exits in a --stats file.
json_total() { grep -o '"total": [0-9]*' "$1" | head -1 | sed 's/.*: //'; }
# json_dev FILE FIELD: a device counter in a --stats file (first device).
json_dev() { grep -o "\"$2\": [0-9]*" "$1" | head -1 | sed 's/.*: //'; }

# wisp_opts KIND: the wisp options of a kind.
wisp_opts() {
    case $1 in
    wisp) echo "--stats=$STATS" ;;
    wisp-hc) echo "--no-rings --stats=$STATS" ;;
    wisp-iofd) echo "--ioeventfd --stats=$STATS" ;;
    esac
}

# blk KIND [2cpu]: one blkbench run; prints "phase ops_per_s" lines, and
# for wisp "exits-per-100-blkreq X" (VM exits per 100 block requests).
# With 2cpu (wisp kinds): the vCPU thread on CPU 1, the I/O thread on CPU
# 0; the keys get a -2cpu suffix.
blk() {
    local args=(--mem=64 --block:storage="$IMG" --block-sector-size:storage=4096)
    local sfx="" pid i t out=$WORK/blk.out
    if [ "$1" = process ]; then
        "${NB[@]}" "$BLK_PROC" "${args[@]}" -- "$BLK_N" >"$out"
    elif [ "${2:-}" = 2cpu ]; then
        sfx=-2cpu
        # shellcheck disable=SC2046
        "${NB[@]}" taskset -c 1 $B/bin/wisp $(wisp_opts "$1") "${args[@]}" -- "$BLK_WISP" \
            "$BLK_N" wait=200 >"$out" &
        pid=$! # nice and taskset exec: $pid is wisp
        for i in $(seq 100); do
            [ "$(ls /proc/"$pid"/task 2>/dev/null | wc -l)" -ge 2 ] && break
            sleep 0.01
        done
        for t in /proc/"$pid"/task/*; do
            [ "${t##*/}" = "$pid" ] || taskset -p -c 0 "${t##*/}" >/dev/null 2>&1 || true
        done
        wait "$pid" || true
    else
        # shellcheck disable=SC2046
        "${NB[@]}" $B/bin/wisp $(wisp_opts "$1") "${args[@]}" -- "$BLK_WISP" "$BLK_N" >"$out"
    fi
    sed -n "s/^\([a-z0-9_-]*\) ops=.* ops_per_s=\([0-9]*\)$/\1$sfx \2/p" "$out"
    if [ "$1" != process ] && [ -s "$STATS" ]; then
        local rd wr reqs
        rd=$(json_dev "$STATS" reads)
        wr=$(json_dev "$STATS" writes)
        reqs=$(( ${rd:-0} + ${wr:-0} ))
        if [ "$reqs" -gt 0 ]; then
            echo "exits-per-100-blkreq$sfx $(( $(json_total "$STATS") * 100 / reqs ))"
        fi
    fi
    rm -f "$STATS"
}

if part net || part httpd || part idle; then
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" addr add 10.0.0.1/24 dev tap0
ip -n "$NS" link set tap0 up
fi

# ping_rate KIND [2cpu]: boot net_ping, flood it, print round trips per
# second.  With 2cpu (wisp kinds): the vCPU thread on CPU 1, the I/O thread
# and ping on CPU 0 (taskset), the placement a host with a free CPU gives;
# the keys get a -2cpu suffix.
ping_rate() {
    local log=$WORK/guest.log pid i rtt_ms pin=() pinping=() sfx="" t
    if [ "${2:-}" = 2cpu ]; then
        pin=(taskset -c 1) pinping=(taskset -c 0) sfx=-2cpu
    fi
    if [ "$1" != process ]; then
        # shellcheck disable=SC2046
        ip netns exec "$NS" "${N[@]}" "${pin[@]}" $B/bin/wisp $(wisp_opts "$1") --net:service0=tap0 -- "$PING_WISP" 10.0.0.2 count=$PINGS >"$log" 2>&1 &
    else
        ip netns exec "$NS" "${N[@]}" "$PING_PROC" --net:service0=tap0 -- 10.0.0.2 count=$PINGS >"$log" 2>&1 &
    fi
    pid=$!
    for i in $(seq 500); do grep -q READY "$log" && break; sleep 0.02; done
    if [ -n "$sfx" ]; then # ip netns exec, nice and taskset exec: $pid is wisp
        for t in /proc/"$pid"/task/*; do
            [ "${t##*/}" = "$pid" ] || taskset -p -c 0 "${t##*/}" >/dev/null
        done
    fi
    ip -n "$NS" neigh flush dev tap0 # each boot has a new MAC
    rtt_ms=$(ip netns exec "$NS" "${N[@]}" "${pinping[@]}" ping -f -q -c "$PINGS" -s 1000 -w 120 10.0.0.2 |
        sed -n 's/.* received, .* time \([0-9]*\)ms$/\1/p')
    wait "$pid" || true
    [ -n "$rtt_ms" ] && [ "$rtt_ms" -gt 0 ] && echo "ping$sfx $((PINGS * 1000 / rtt_ms))" || echo "ping$sfx 0"
    if [ "$1" != process ] && [ -s "$STATS" ]; then
        echo "exits-per-100-pings$sfx $(( $(json_total "$STATS") * 100 / PINGS ))"
    fi
    rm -f "$STATS"
}

# httpd_rates KIND: boot examples/httpd, print "httpd-keepalive R" and
# "httpd-close R" (requests/s from wrk).
HTTPD_WISP=$B/examples/httpd.wisp
HTTPD_PROC=$WORK/httpd.process
httpd_rates() {
    local log=$WORK/httpd.log pid i mode hdr out
    local args=(--mem=128 --net:service0=tap0 --block-ro:www="$WORK/site.tar")
    if [ "$1" = process ]; then
        ip netns exec "$NS" "${N[@]}" "$HTTPD_PROC" "${args[@]}" -- --ipv4=10.0.0.2/24 --timeout=60 >"$log" 2>&1 &
    else
        # shellcheck disable=SC2046
        ip netns exec "$NS" "${N[@]}" $B/bin/wisp $(wisp_opts "$1") "${args[@]}" -- "$HTTPD_WISP" \
            --ipv4=10.0.0.2/24 --timeout=60 >"$log" 2>&1 &
    fi
    pid=$!
    for i in $(seq 600); do grep -q ': serving' "$log" && break; sleep 0.05; done
    ip -n "$NS" neigh flush dev tap0
    ip netns exec "$NS" curl -s -o /dev/null -m 30 http://10.0.0.2/ || true
    for mode in keepalive close; do
        hdr=()
        [ "$mode" = close ] && hdr=(-H "Connection: close")
        out=$(ip netns exec "$NS" "${N[@]}" wrk -t2 -c16 -d"${HTTPD_S}s" "${hdr[@]}" http://10.0.0.2/ 2>&1 || true)
        echo "httpd-$mode $(awk '/^Requests\/sec:/ {printf "%d", $2}' <<<"$out")"
    done
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    rm -f "$STATS"
}

if [ "$HTTPD_S" != 0 ]; then
    make --no-print-directory -j2 "$HTTPD_WISP" >/dev/null
    $B/bin/wisp-cc --target=process -o "$HTTPD_PROC" --manifest=examples/httpd/manifest.json \
        --lwip -Iexamples/common examples/common/*.c examples/httpd/httpd.c
    mkdir -p "$WORK/site"
    head -c 1024 /dev/zero | tr '\0' x >"$WORK/site/index.html"
    tar --format=ustar -C "$WORK/site" -cf "$WORK/site.tar" .
fi

# idle_cpu: CPU time (ms) an idle wisp guest with a NIC and its ring takes
# over IDLE_S seconds (utime + stime of the whole process, all threads).
idle_cpu() {
    local log=$WORK/idle.log pid i t0 t1 hz
    hz=$(getconf CLK_TCK)
    ip netns exec "$NS" $B/bin/wisp --net:service0=tap0 -- "$PING_WISP" 10.0.0.2 count=1 idle=$((IDLE_S + 20)) >"$log" 2>&1 &
    pid=$!
    for i in $(seq 500); do grep -q READY "$log" && break; sleep 0.02; done
    sleep 1
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep "$IDLE_S"
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
    echo $(( (t1 - t0) * 1000 / hz ))
}

declare -A series
KINDS="process wisp wisp-hc wisp-iofd"
for r in $(seq "$ROUNDS"); do
    for kind in $KINDS; do
        if part block && [ "$kind" != wisp-iofd ]; then
            while read -r phase rate; do
                series["blk-$phase-$kind"]+="$rate "
            done < <(blk $kind)
            if [ "$kind" = wisp ] && [ "$(nproc)" -ge 2 ]; then
                while read -r phase rate; do
                    series["blk-$phase-$kind"]+="$rate "
                done < <(blk $kind 2cpu)
            fi
        fi
        part net && while read -r what rate; do
            series["$what-$kind"]+="$rate "
        done < <(ping_rate $kind)
        if part net && [ "$kind" = wisp ] && [ "$(nproc)" -ge 2 ]; then
            while read -r what rate; do
                series["$what-$kind"]+="$rate "
            done < <(ping_rate $kind 2cpu)
        fi
        if [ "$HTTPD_S" != 0 ] && [ "$kind" != wisp-iofd ]; then
            while read -r what rate; do
                series["$what-$kind"]+="${rate:-0} "
            done < <(httpd_rates $kind)
        fi
    done
    echo "round $r/$ROUNDS done" >&2
done
IDLE_MS=-
part idle && IDLE_MS=$(idle_cpu)
HANDOFF=""
if part block; then
    HANDOFF_BIN=$B/bench/handoff
    [ "$HANDOFF_BIN" -nt bench/handoff/handoff.c ] ||
        cc -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o "$HANDOFF_BIN" bench/handoff/handoff.c -luring
    HANDOFF=$("${NB[@]}" timeout 120 "$HANDOFF_BIN" "$IMG" 200000 1 0 | tr '\n' ' ') || true
fi

{
    echo "# bench/io.sh $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(kvm_kind), wisp $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "# $ROUNDS interleaved rounds; medians; per-round series in brackets; nice $NICE${CHRT:+, block part SCHED_FIFO $CHRT}; load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "# wisp: shared rings; wisp-hc: --no-rings (a hypercall per request, the path before"
    echo "# the rings); wisp-iofd: rings, net kicks through KVM_IOEVENTFD (--ioeventfd)"
    printf '%-26s %10s %10s %10s %10s %8s %8s\n' "what" "process" "wisp" "wisp-hc" "iofd" \
        "wisp/proc" "wisp/hc"
    for key in $(printf '%s\n' "${!series[@]}" | sed 's/-\(wisp\|wisp-hc\|wisp-iofd\|process\)$//' | sort -u); do
        p=$(echo ${series[$key-process]:-} | tr ' ' '\n' | median)
        w=$(echo ${series[$key-wisp]:-} | tr ' ' '\n' | median)
        h=$(echo ${series[$key-wisp-hc]:-} | tr ' ' '\n' | median)
        n=$(echo ${series[$key-wisp-iofd]:-} | tr ' ' '\n' | median)
        rp=$(awk -v w="$w" -v p="$p" 'BEGIN { if (p > 0) printf "%.2f", w / p; else print "-" }')
        rh=$(awk -v w="$w" -v p="$h" 'BEGIN { if (p > 0) printf "%.2f", w / p; else print "-" }')
        printf '%-26s %10s %10s %10s %10s %8s %8s\n' "$key" "$p" "$w" "$h" "$n" "$rp" "$rh"
    done
    echo "# units: blk-* ops/s (64k phases: 4 KiB blocks/s); ping-* round trips/s; httpd-* requests/s;"
    echo "# exits-per-100-*: VM exits to wisp per 100 round trips / block requests (--stats)"
    echo "# *-2cpu: wisp's vCPU thread on CPU 1, its I/O thread (and ping) on CPU 0 (taskset)"
    echo "# idle: CPU time of an idle wisp guest with a NIC (ring set up) over ${IDLE_S} s: ${IDLE_MS} ms"
    [ -z "$HANDOFF" ] ||
        echo "# handoff (bench/handoff, ns per round trip / per 4 KiB request): $HANDOFF"
    echo "# per-round series:"
    for key in $(printf '%s\n' "${!series[@]}" | sort); do
        echo "#   $key [$(echo ${series[$key]})]"
    done
} | tee "$OUT"
