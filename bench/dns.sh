#!/usr/bin/env bash
# bench/dns.sh: DNS queries per second of the dnsd example (examples/dnsd/)
# measured with dnsperf (Debian's), for
#   wisp      build/examples/dnsd.wisp on a tap (isolated mode)
#   hvt       build/examples/dnsd.hvt under wisp's compatibility mode
#   linux     the same zone parser and answerer as a Linux process
#             (build/examples/dnsd-host) behind a veth pair: the baseline
# each in private network namespaces made here and removed at the end.
# Prints a table and writes it, with the machine and the KVM kind, to
# bench/results/dns.txt.  A program, not a test: nothing passes or fails.
# Needs root and /dev/kvm.  Environment: ROUNDS (dnsperf runs per build,
# default 5; the median, least and most are shown), SECONDS_PER_RUN (default 10),
# CLIENTS (dnsperf -c, default 4), OUTSTANDING (dnsperf -q, default 64),
# RESULTS (default bench/results/dns.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
T=${SECONDS_PER_RUN:-10}
ROUNDS=${ROUNDS:-5}
CLIENTS=${CLIENTS:-4}
OUTSTANDING=${OUTSTANDING:-64}
RESULTS=${RESULTS:-bench/results/dns.txt}

[ "$(id -u)" = 0 ] || { echo "bench/dns.sh: needs root (network namespaces, taps)" >&2; exit 1; }
[ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "bench/dns.sh: /dev/kvm is not usable" >&2; exit 1; }
tools/install-deps.sh "bench dns" dnsperf tar iproute2
make --no-print-directory -j2 build/bin/wisp build/examples/dnsd.wisp build/examples/dnsd.hvt \
    build/examples/dnsd-host

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
W=$(mktemp -d /tmp/wisp-dns-bench.XXXXXX)
NS=wisp-dnsb-$$            # dnsperf and the unikernel's tap
NS_LINUX=wisp-dnsb-$$-l    # the Linux baseline, behind a veth
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    ip netns del "$NS" 2>/dev/null || true
    ip netns del "$NS_LINUX" 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT

# The zone: a few names of each kind; the query mix hits A, AAAA, TXT, a
# CNAME chased to an A, NXDOMAIN and NODATA.
cat >"$W/zone" <<'EOF'
$ORIGIN bench.test.
$TTL 3600
@      SOA ns hostmaster 1 3600 900 604800 300
@      NS  ns
ns     A   10.0.0.2
www    A   192.0.2.10
www    AAAA 2001:db8::10
alias  CNAME www
txt    TXT "v=spf1 -all"
EOF
tar --format=ustar -C "$W" -cf "$W/zone.tar" zone
printf '%s\n' "www.bench.test A" "www.bench.test AAAA" "txt.bench.test TXT" \
    "alias.bench.test A" "nope.bench.test A" "www.bench.test MX" >"$W/queries"

ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" tuntap add tap0 mode tap
ip -n "$NS" addr add 10.0.0.1/24 dev tap0
ip -n "$NS" link set tap0 up
ip netns add "$NS_LINUX"
ip -n "$NS_LINUX" link set lo up
ip -n "$NS" link add veth0 type veth peer name veth1 netns "$NS_LINUX"
ip -n "$NS" addr add 10.0.1.1/24 dev veth0
ip -n "$NS" link set veth0 up
ip -n "$NS_LINUX" addr add 10.0.1.2/24 dev veth1
ip -n "$NS_LINUX" link set veth1 up

# wait_line FILE TEXT PID: until FILE holds TEXT (60 s) or PID ends.
wait_line() {
    local i
    for ((i = 0; i < 3000; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.02
    done
    return 1
}

# measure NAME SERVER: ROUNDS dnsperf runs of T seconds each; sets ROW to
# "NAME median-qps min-qps max-qps median-latency lost-in-all".
measure() {
    local r out qps=() lat=() lost=0 q l n
    for ((r = 1; r <= ROUNDS; r++)); do
        out=$W/$1.$r.dnsperf
        ip netns exec "$NS" dnsperf -s "$2" -d "$W/queries" -l "$T" -c "$CLIENTS" \
            -q "$OUTSTANDING" -t 2 >"$out" 2>&1 || true
        q=$(sed -n 's/^ *Queries per second: *\([0-9]*\).*/\1/p' "$out")
        l=$(sed -n 's/^ *Average Latency (s): *\([0-9.]*\).*/\1/p' "$out")
        n=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$out")
        if [ -z "$q" ]; then
            echo "bench/dns.sh: dnsperf against $1 printed no figures:" >&2
            cat "$out" >&2
            ROW=$(printf '%-7s %10s %10s %10s %12s  %s' "$1" - - - - "dnsperf failed")
            return
        fi
        qps+=("$q") lat+=("$l") lost=$((lost + n))
    done
    mapfile -t qps < <(printf '%s\n' "${qps[@]}" | sort -n)
    mapfile -t lat < <(printf '%s\n' "${lat[@]}" | sort -g)
    ROW=$(printf '%-7s %10s %10s %10s %12s  %s' "$1" "${qps[ROUNDS / 2]}" "${qps[0]}" \
        "${qps[ROUNDS - 1]}" "${lat[ROUNDS / 2]}" "$lost")
}

# run_guest KIND: boot dnsd.KIND on tap0 and measure it.
ROWS=()
run_guest() {
    local kind=$1 log=$W/$1.out pid
    ip netns exec "$NS" timeout $((T + 300)) build/bin/wisp --net:service0=tap0 \
        --block:zone="$W/zone.tar" -- "build/examples/dnsd.$kind" --ipv4=10.0.0.2/24 >"$log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if ! wait_line "$log" "dnsd: serving on UDP port 53" "$pid"; then
        local why
        why=$(grep -m1 -E 'KVM: internal error|error|refused' "$log" || tail -1 "$log")
        ROWS+=("$(printf '%-7s %10s %10s %10s %12s  %s' "$kind" - - - - "not measured: did not start ($why)")")
        kill "$pid" 2>/dev/null || true
        return
    fi
    measure "$kind" 10.0.0.2
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    ROWS+=("$ROW")
}

run_guest wisp
run_guest hvt
ip netns exec "$NS_LINUX" build/examples/dnsd-host "$W/zone" 10.0.1.2 53 >"$W/linux.out" 2>&1 &
PIDS+=("$!")
wait_line "$W/linux.out" "dnsd-host: serving" "$!"
measure linux 10.0.1.2
ROWS+=("$ROW")

kvm=unknown
for m in kvm_pvm kvm_amd kvm_intel; do
    [ -d /sys/module/$m ] && { kvm=$m; break; }
done
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mkdir -p "$(dirname "$RESULTS")"
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  nproc=$(nproc)  cpu=\"$cpu\"  kernel=$(uname -r)  kvm=$kvm  wisp=$(git rev-parse --short HEAD 2>/dev/null || echo -)"
    echo "# load average (1, 5, 15 min) before: $load_before  after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "DNS queries/s of examples/dnsd: $ROUNDS runs of dnsperf -l $T -c $CLIENTS -q $OUTSTANDING, 6-query mix"
    echo "(A, AAAA, TXT, CNAME->A, NXDOMAIN, NODATA); wisp and hvt through a tap, linux"
    echo "(the same answerer as a process, build/examples/dnsd-host) through a veth pair."
    echo
    printf '%-7s %10s %10s %10s %12s  %s\n' build "median q/s" "min q/s" "max q/s" "avg lat (s)" "lost"
    printf '%s\n' "${ROWS[@]}"
} | tee "$RESULTS"
