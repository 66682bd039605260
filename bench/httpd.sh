#!/bin/bash
# bench/httpd.sh: requests/s and p50/p99 latency of the httpd and https
# examples, measured with wrk (Debian) from the host side of a private
# network namespace, in two modes: keep-alive (wrk's default) and a new
# connection per request ("Connection: close": for https that is a full
# TLS handshake each time).  Each figure is given for the isolated build
# (NAME.wisp) beside the Solo5 hvt build (NAME.hvt) under wisp's
# compatibility mode.  A program, not a test: nothing passes or fails on
# a time.  Needs root and /dev/kvm.
#
#   bench/httpd.sh [SECONDS]     (default 10 s per run; 2 wrk threads, 16 connections)
#
# Prints a table and writes it, with the machine, kernel and KVM kind, to
# bench/results/httpd.txt.  WRK_CONNS and WRK_THREADS override the load.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
secs=${1:-10}
conns=${WRK_CONNS:-16}
threads=${WRK_THREADS:-2}
ip=10.0.0.2
result=bench/results/httpd.txt

[ "$(id -u)" = 0 ] || { echo "bench/httpd.sh: needs root (network namespace, tap)" >&2; exit 1; }
[ -w /dev/kvm ] || { echo "bench/httpd.sh: needs /dev/kvm" >&2; exit 1; }
tools/install-deps.sh "httpd bench deps" wrk curl openssl tar
make --no-print-directory -j2 build/bin/wisp build/examples/httpd.wisp build/examples/https.wisp \
    build/examples/httpd.hvt build/examples/https.hvt

tmp=$(mktemp -d)
ns="wisp-bench-httpd-$$"
pid=""
stop_guest() {
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    pid=""
}
cleanup() {
    stop_guest
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The site: a 1 KiB page (the request rate) and the certificates.
mkdir "$tmp/site"
head -c 1024 /dev/zero | tr '\0' x >"$tmp/site/index.html"
tar --format=ustar -C "$tmp/site" -cf "$tmp/site.tar" .
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=$ip" -addext "subjectAltName=IP:$ip" -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
tar --format=ustar -C "$tmp" -cf "$tmp/tls.tar" cert.pem key.pem

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add tap0 mode tap
ip -n "$ns" addr add 10.0.0.1/24 dev tap0
ip -n "$ns" link set tap0 up

# boot BINARY: start an example; 0 when it serves, 1 (with the reason in
# $why) when it cannot start on this machine.
boot() {
    local bin=$1 i tls=()
    [[ $bin == https.* ]] && tls=(--block-ro:tls="$tmp/tls.tar")
    guest_out="$tmp/$bin.out"
    ip netns exec "$ns" "$top/build/bin/wisp" --mem=128 --net:service0=tap0 \
        --block-ro:www="$tmp/site.tar" "${tls[@]}" -- \
        "$top/build/examples/$bin" --ipv4="$ip/24" --timeout=60 >"$guest_out" 2>&1 &
    pid=$!
    for ((i = 0; i < 3000; i++)); do
        grep -q ': serving' "$guest_out" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    why=$(grep -m1 -E 'wisp:|error' "$guest_out" || echo "did not start in 300 s")
    stop_guest
    return 1
}

# ms VALUE: wrk's latency (e.g. 1.23ms, 850.00us, 1.02s) in milliseconds.
ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

# run URL MODE: one wrk run; prints "req/s p50 p99 errors".
run() {
    local url=$1 mode=$2 out hdr=()
    [ "$mode" = close ] && hdr=(-H "Connection: close")
    out=$(ip netns exec "$ns" wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "${hdr[@]}" "$url" 2>&1)
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errs=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr -s ' ' | paste -sd';' - || true)
    printf '%10.0f %9s %9s  %s\n' "${rps:-0}" "$(ms "${p50:-0}")" "$(ms "${p99:-0}")" "${errs:-}"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
for svc in httpd https; do
    case $svc in
    httpd) url="http://$ip/" ;;
    https) url="https://$ip/" ;;
    esac
    for flavour in wisp hvt; do
        echo "==> $svc.$flavour" >&2
        if ! boot "$svc.$flavour"; then
            for mode in keep-alive close; do
                rows+=("$(printf '%-6s %-5s %-10s %s' "$svc" "$flavour" "$mode" "       n/a: $why")")
            done
            continue
        fi
        # Warm up (ARP, TLS session state), then measure.
        ip netns exec "$ns" curl -sk -o /dev/null -m 60 "$url" || true
        for mode in keep-alive close; do
            rows+=("$(printf '%-6s %-5s %-10s %s' "$svc" "$flavour" "$mode" "$(run "$url" "$mode")")")
        done
        if grep -q 'wisp: guest' "$guest_out"; then
            rows+=("  (the guest crashed: $(grep -m1 'wisp: guest' "$guest_out"))")
        fi
        stop_guest
    done
done

kvm=$(for m in kvm_pvm kvm_intel kvm_amd; do [ ! -d /sys/module/$m ] || echo $m; done | paste -sd, -)
{
    echo "# bench/httpd.sh: wrk -t$threads -c$conns -d${secs}s --latency, GET / (1 KiB) from the host side of a tap"
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'),"
    echo "# $(nproc) CPUs; Linux $(uname -r); KVM: ${kvm:-unknown}; $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "# load average (1, 5, 15 min) before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
    echo "# close = a new connection per request (Connection: close); https is TLS 1.2 ECDHE-ECDSA P-256"
    echo "# latency in ms; hvt = the Solo5 hvt build under wisp's compatibility mode"
    printf '%-6s %-5s %-10s %10s %9s %9s  %s\n' service build mode 'req/s' p50 p99 errors
    printf '%s\n' "${rows[@]}"
} | tee "$result"
echo "==> written to $result" >&2
