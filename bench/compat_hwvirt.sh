#!/usr/bin/env bash
# bench/compat_hwvirt.sh: the cost of one Solo5 hypercall on hardware KVM
# (kvm-amd on QEMU TCG's emulated SVM, the make test-hwvirt VM), the
# hcall series of bench/compat.sh: isolated doorbell store, compatibility
# mode at CPL3 with the direct port-I/O exit (TSS I/O bitmap), at CPL3
# trapped (--solo5:trap-io: #GP, stub, exit, emulation), at CPL0 (native
# port-I/O exit).  Under TCG wall time says little about hardware, so it
# counts exits: the KVM module's own (debugfs kvm/exits: every VM exit,
# those handled in the kernel too) and those that reach wisp (--stats),
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
mountpoint -q /sys/kernel/debug 2>/dev/null || mount -t debugfs debugfs /sys/kernel/debug
K=/sys/kernel/debug/kvm
[ -r $K/exits ] || { echo "no $K/exits"; exit 1; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print 0; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

run() { # KIND: "NS KVM_EXITS_x100 WISP_EXITS_x100" per hypercall
    local opt="" g=$G/guests-hvt/hvt_hcloop.hvt e0 e1 ns st
    case $1 in
        isolated) g=$G/guests/hvt_hcloop.wisp ;;
        cpl3trap) opt=--solo5:trap-io ;;
        cpl0) opt=--solo5:cpl0 ;;
    esac
    e0=$(cat $K/exits)
    ns=$($W $opt --stats=/tmp/st.json "$g" "$HC_N" | sed -n 's/^yield0 n=[0-9]* ns_per_op=\([0-9]*\)$/\1/p') || true
    e1=$(cat $K/exits)
    st=$(grep '"exits"' /tmp/st.json | sed -n 's/.*"total": \([0-9]*\).*/\1/p') || true
    echo "${ns:-0} $(( (e1 - e0) * 100 / HC_N )) $(( ${st:-0} * 100 / HC_N ))"
}

declare -A s
for r in $(seq "$ROUNDS"); do
    for k in isolated cpl3 cpl3trap cpl0; do
        read -r ns kx wx < <(run $k)
        s[ns-$k]+="$ns " s[kx-$k]+="$kx " s[wx-$k]+="$wx "
    done
done
echo "# bench/compat_hwvirt.sh $(date -u '+%Y-%m-%d %H:%M UTC'), make test-hwvirt VM (QEMU TCG, -cpu max,"
echo "# kvm-amd nested), kernel $(uname -r), $HC_N POLL hypercalls per run, $ROUNDS rounds, medians"
echo "# ns: guest-timed ns per hypercall (TCG time); kvm-exits: VM exits per 100 hypercalls (debugfs"
echo "# kvm/exits, whole run incl. boot); wisp-exits: exits reaching wisp per 100 (--stats total)"
printf '%-12s %10s %10s %10s %10s\n' what isolated cpl3 cpl3trap cpl0
for key in ns kx wx; do
    case $key in ns) name=hcall-ns ;; kx) name=kvm-exits ;; wx) name=wisp-exits ;; esac
    printf '%-12s' "$name"
    for k in isolated cpl3 cpl3trap cpl0; do
        printf ' %10s' "$(echo ${s[$key-$k]} | tr ' ' '\n' | median)"
    done
    printf '   (%s)\n' "$(for k in isolated cpl3 cpl3trap cpl0; do printf '%s [%s] ' $k "$(echo ${s[$key-$k]})"; done)"
done
echo "# end"
