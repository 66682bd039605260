#!/usr/bin/env bash
# bench/compat_hwvirt.sh: the cost of one Solo5 hypercall on hardware KVM
# (kvm-amd on QEMU TCG's emulated SVM, the make test-hwvirt VM), the
# hcall series of bench/compat.sh: isolated doorbell store, compatibility
# mode at CPL3 with the direct port-I/O exit (TSS I/O bitmap), at CPL3
# trapped (--solo5:trap-io: #GP, stub, exit, emulation), at CPL0 (native
# port-I/O exit).  Under TCG wall time says little about hardware, so it
# counts exits: every VM exit with its reason (the kvm:kvm_exit tracepoint,
# those KVM handles in the kernel too) and those that reach wisp (--stats),
# per hypercall, beside the guest-timed ns (TCG time, for what it is worth).
#   On the host:  bench/compat_hwvirt.sh   boots the make test-hwvirt VM
#                 with this script instead of the suites (HWVIRT_DEBUG_SCRIPT),
#                 prints its table; RECORD=1 appends it to
#                 bench/results/compat.txt.  Needs what make test-hwvirt needs.
#   In the VM:    runs the series (WISP_HWVIRT=1, set by the VM's init).
# Environment: HC_N (2000 hypercalls per run), ROUNDS (3).
set -euo pipefail
HC_N=${HC_N:-2000}
ROUNDS=${ROUNDS:-3}

if [ "${WISP_HWVIRT:-0}" != 1 ]; then
    cd "$(dirname "$0")/.."
    script=$(mktemp)
    trap 'rm -f "$script"' EXIT
    # The VM runs its debugging script with busybox sh: it hands over to bash.
    { echo "export HC_N=$HC_N ROUNDS=$ROUNDS"; echo "cat >/tmp/compat_hwvirt.sh <<'WISP_EOF'"
      cat bench/compat_hwvirt.sh; echo "WISP_EOF"; echo "exec bash /tmp/compat_hwvirt.sh"; } >"$script"
    HWVIRT_DEBUG_SCRIPT=$script make --no-print-directory test-hwvirt >build/hwvirt/bench.log 2>&1 || true
    out=$(tr -d '\r' <build/hwvirt/console.log | sed -n '/^# bench\/compat_hwvirt.sh/,/^# end$/p')
    [ -n "$out" ] || { echo "bench/compat_hwvirt: no result in build/hwvirt/console.log" >&2; exit 1; }
    echo "$out"
    [ "${RECORD:-0}" = 1 ] && echo "$out" >>bench/results/compat.txt
    exit 0
fi

# ---- in the VM -------------------------------------------------------------------
W=/wisp/build/bin/wisp
G=/wisp/build/tests
T=/sys/kernel/tracing
mountpoint -q $T 2>/dev/null || mount -t tracefs tracefs $T
[ -d $T/events/kvm/kvm_exit ] || { echo "no kvm_exit tracepoint in $T"; exit 1; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

args() { # KIND: wisp's options and guest
    case $1 in
        isolated) echo "$G/guests/hvt_hcloop.wisp" ;;
        cpl3) echo "$G/guests-hvt/hvt_hcloop.hvt" ;;
        cpl3trap) echo "--solo5:trap-io $G/guests-hvt/hvt_hcloop.hvt" ;;
        cpl0) echo "--solo5:cpl0 $G/guests-hvt/hvt_hcloop.hvt" ;;
    esac
}

run() { # KIND: "NS WISP_EXITS_x100 HANDLER_NS" per hypercall
    local ns st
    ns=$($W --stats=/tmp/st.json $(args $1) "$HC_N" | sed -n 's/^yield0 n=[0-9]* ns_per_op=\([0-9]*\)$/\1/p') || true
    st=$(grep '"exits"' /tmp/st.json | sed -n 's/.*"total": \([0-9]*\), "hypercall": {"count": [0-9]*, "ns": \([0-9]*\)}.*"io": {"count": [0-9]*, "ns": \([0-9]*\)}.*/\1 \2 \3/p') || true
    set -- ${st:-0 0 0}
    echo "${ns:-0} $(( $1 * 100 / HC_N )) $(( ($2 + $3) / HC_N ))"
}

# exits KIND: VM exits (the kvm_exit tracepoint: every exit, those KVM
# handles itself too) of one run, per 100 hypercalls, by reason.
exits() {
    echo 0 >$T/tracing_on
    echo 65536 >$T/buffer_size_kb
    echo >$T/trace
    echo 1 >$T/events/kvm/kvm_exit/enable
    echo 1 >$T/tracing_on
    $W $(args $1) "$HC_N" >/dev/null 2>&1 || true
    echo 0 >$T/tracing_on
    echo 0 >$T/events/kvm/kvm_exit/enable
    grep kvm_exit $T/trace | awk -v n="$HC_N" '
        { for (i = 1; i < NF; i++) if ($i == "reason") r[$(i + 1)]++; t++ }
        END { printf "%d (", t * 100 / n; s = ""
              for (k in r) if (r[k] * 100 / n >= 1) { printf "%s%s %d", s, k, r[k] * 100 / n; s = ", " }
              printf ")" }'
}

declare -A s
for r in $(seq "$ROUNDS"); do
    for k in isolated cpl3 cpl3trap cpl0; do
        read -r ns wx hn < <(run $k)
        s[ns-$k]+="$ns " s[wx-$k]+="$wx " s[hn-$k]+="$hn "
    done
done
echo "# bench/compat_hwvirt.sh $(date -u '+%Y-%m-%d %H:%M UTC'), make test-hwvirt VM (QEMU TCG, -cpu max,"
echo "# kvm-amd nested), kernel $(uname -r), $HC_N POLL hypercalls per run, $ROUNDS rounds, medians"
echo "# hcall-ns: guest-timed ns per hypercall (TCG time, for what it is worth); wisp-exits: exits"
echo "# reaching wisp per 100 hypercalls (--stats total, boot included); handler-ns: wisp's time in"
echo "# its exit handler per hypercall (--stats: emulation, registers, the POLL itself; TCG time)"
printf '%-12s %10s %10s %10s %10s\n' what isolated cpl3 cpl3trap cpl0
for key in ns wx hn; do
    case $key in ns) name=hcall-ns ;; wx) name=wisp-exits ;; hn) name=handler-ns ;; esac
    printf '%-12s' "$name"
    for k in isolated cpl3 cpl3trap cpl0; do
        printf ' %10s' "$(echo ${s[$key-$k]} | tr ' ' '\n' | median)"
    done
    printf '   (%s)\n' "$(for k in isolated cpl3 cpl3trap cpl0; do printf '%s [%s] ' $k "$(echo ${s[$key-$k]})"; done)"
done
echo "# VM exits per 100 hypercalls (kvm:kvm_exit tracepoint, one run each, boot included), by reason"
for k in isolated cpl3 cpl3trap cpl0; do
    printf '%-12s %s\n' "$k" "$(exits $k)"
done
echo "# end"
