#!/usr/bin/env bash
# bench/virtio.sh: what the virtio target costs beside wisp: boot time and
# image size of the same test program (tests/guests/hello) built for wisp's
# isolated mode (booted by wisp) and for --target=virtio (booted by
# wisp-run-virtio under QEMU), and QEMU's own start-up, measured apart:
#   qemu-version        exec of qemu-system-x86_64 --version (process start)
#   qemu-floor-pc       QEMU booting a 40-byte multiboot kernel that stops at
#                       its first instruction (triple fault; -no-reboot):
#                       machine set-up, SeaBIOS, the loader, teardown
#   qemu-floor-microvm  the same on microvm (qboot firmware, no PCI)
#   qemu-hello-pc       QEMU booting hello.virtio directly, without the
#                       script, the serial port or the exit devices (the
#                       guest then ends by a reset, which -no-reboot ends)
#   virtio-hello-*      wisp-run-virtio hello.virtio: the script (bash,
#                       wisp-elftool query-manifest), QEMU, the guest's boot
#                       (TSC measured against the PIT for 10 ms, the LAPIC
#                       timer for 2 ms, PCI scan) and its run
#   wisp-hello          wisp hello.wisp (this machine's KVM)
# (wisp-bench takes at most 15 words a command.)
# Wall time from posix_spawn to wait4, interleaved rounds (build/bench/
# wisp-bench boot, bench/README.md); the accelerator is what
# wisp-run-virtio chooses (TCG where KVM lacks hardware virtualization).
# Prints the tables and writes them to bench/results/virtio.txt.
# As root, also flood-ping round trips per second through virtio-net under
# QEMU and through wisp's own network device (net_ping in a namespace).
# Environment: ROUNDS (default 30), PINGS (default 2000).  A program, not a
# test.
set -euo pipefail
cd "$(dirname "$0")/.."
B=build
R=bench/results
ROUNDS=${ROUNDS:-30}
QEMU=$(command -v qemu-system-x86_64 || echo qemu-system-x86_64)

command -v "$QEMU" >/dev/null || { echo "bench/virtio.sh: $QEMU is not installed (make deps)" >&2; exit 1; }
make --no-print-directory -s all "$B/bench/wisp-bench" "$B/bench/floor"
mkdir -p "$R" "$B/bench/virtio"
S=$B/bench/virtio

# The QEMU floor: a multiboot header (a.out kludge) and one instruction
# stream: load an empty IDT, trap: a triple fault, which -no-reboot ends.
cat >"$S/floor.S" <<'EOF'
    .code32
    .globl _start
_start:
    .long 0x1badb002, 0x00010000, -(0x1badb002 + 0x00010000)
    .long 0x100000, 0x100000, 0, 0, 0x100000 + entry - _start
entry:
    lidt idt
    int3
idt: .word 0
    .long 0
EOF
as --32 -o "$S/floor.o" "$S/floor.S"
ld -m elf_i386 -Ttext=0x100000 --oformat=binary -o "$S/floor.bin" "$S/floor.o"

# Snapshots, so a rebuild during the run changes nothing measured.
cp $B/bin/wisp $B/bin/wisp-run-virtio $B/bin/wisp-elftool $B/bench/floor \
   $B/tests/guests/hello.wisp $B/tests/guests-virtio/hello.virtio "$S"/
[ -f $B/tests/guests-hvt/hello.hvt ] && cp $B/tests/guests-hvt/hello.hvt "$S"/

accel=$( ("$S/wisp-run-virtio" --verbose --qemu=true "$S/hello.virtio" 2>&1 || true) | sed -n 's/.* -accel \([a-z]*\) .*/\1/p')
kvm=none
[ -c /dev/kvm ] && kvm=kvm
[ -d /sys/module/kvm_pvm ] && kvm=kvm_pvm
[ -d /sys/module/kvm_intel ] && kvm=kvm_intel
[ -d /sys/module/kvm_amd ] && kvm=kvm_amd
common="-nodefaults -display none -no-reboot -m 32 -cpu max"

out=$S/boot.txt
cmds=(floor="$S/floor"
      qemu-version="$QEMU --version"
      qemu-floor-pc="$QEMU -M pc,accel=$accel $common -kernel $S/floor.bin"
      qemu-floor-microvm="$QEMU -M microvm,acpi=off,accel=$accel $common -kernel $S/floor.bin"
      qemu-hello-pc="$QEMU -M pc,accel=$accel $common -kernel $S/hello.virtio -append Hello_wisp"
      virtio-hello-pc="$S/wisp-run-virtio $S/hello.virtio Hello_wisp"
      virtio-hello-microvm="$S/wisp-run-virtio --machine=microvm $S/hello.virtio Hello_wisp")
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    cmds+=(wisp-hello="$S/wisp $S/hello.wisp Hello_wisp")
fi
# wisp-bench boot takes 8 commands at most: the entries apart.
entries=(floor="$S/floor"
         virtio-hello-pc="$S/wisp-run-virtio $S/hello.virtio Hello_wisp"
         virtio-hello-pc-pvh="$S/wisp-run-virtio --boot=pvh $S/hello.virtio Hello_wisp"
         virtio-hello-mvm-mb="$S/wisp-run-virtio --machine=microvm --boot=multiboot $S/hello.virtio Hello_wisp")
"$B/bench/wisp-bench" -o "$S/boot.json" boot -n "$ROUNDS" "${cmds[@]}" :: \
    boot -n "$ROUNDS" "${entries[@]}" | tee "$out"

# ---- network: flood-ping round trips per second (root only) ----------------
# net_ping answering PINGS ICMP echo requests of 56 bytes from ping -f in a
# namespace of its own, over a tap: virtio-net under QEMU (the accelerator
# above) against wisp's isolated mode on this machine's KVM.
PINGS=${PINGS:-2000}
: >"$S/ping.txt"
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] && command -v ping >/dev/null; then
    cp $B/tests/guests/net_ping.wisp $B/tests/guests-virtio/net_ping.virtio "$S"/
    ns=wisp-bench-virtio-$$
    trap 'ip netns del "$ns" 2>/dev/null || true' EXIT
    flood() { # flood NAME CMD...: boot CMD in the namespace, flood it, print a line
        local name=$1 pid t
        shift
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip -n "$ns" tuntap add tap0 mode tap
        ip -n "$ns" addr add 10.0.0.1/24 dev tap0
        ip -n "$ns" link set tap0 up
        ip netns exec "$ns" "$@" >"$S/guest.out" 2>&1 &
        pid=$!
        for _ in $(seq 300); do grep -qx READY "$S/guest.out" && break; sleep 0.1; done
        t=$(ip netns exec "$ns" ping -f -q -c "$PINGS" -w 120 10.0.0.2 |
            sed -n 's/.* received, \(.*\)% packet loss, time \([0-9]*\)ms$/\1 \2/p')
        wait "$pid" || true
        ip netns del "$ns"
        set -- $t
        printf '%-26s %8s %12s %14s\n' "$name" "${1:-?}%" "${2:-?}" \
            "$([ -n "${2:-}" ] && [ "$2" -gt 0 ] && echo $((PINGS * 1000 / $2)) || echo ?)"
    }
    {
        echo "Flood ping: $PINGS ICMP echo round trips (ping -f, 56 bytes) in a namespace"
        printf '%-26s %8s %12s %14s\n' guest loss time_ms round_trips/s
        flood "virtio net_ping ($accel)" "$S/wisp-run-virtio" --net:service0=tap0 "$S/net_ping.virtio" 10.0.0.2 "count=$PINGS"
        if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
            flood "wisp net_ping ($kvm)" "$S/wisp" --net:service0=tap0 "$S/net_ping.wisp" 10.0.0.2 "count=$PINGS"
        fi
    } | tee "$S/ping.txt"
fi

{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ)  $(nproc) cores  cpu=\"$(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -n1)\"  kernel=$(uname -r)  kvm=$kvm  qemu=\"$("$QEMU" --version | head -n1)\"  accel=$accel  wisp=$(git rev-parse --short HEAD)"
    echo
    cat "$out"
    echo
    echo "Image size of tests/guests/hello (bytes): file, and loaded (text + data + bss)"
    printf '%-14s %10s %10s %10s %10s\n' image file text data bss
    for f in "$S/hello.wisp" "$S/hello.hvt" "$S/hello.virtio"; do
        [ -f "$f" ] || continue
        read -r t d b _ < <(size "$f" | tail -n1)
        printf '%-14s %10s %10s %10s %10s\n' "$(basename "$f")" "$(stat -c %s "$f")" "$t" "$d" "$b"
    done
    echo "  (hello.virtio also holds its boot page tables and 16 KiB boot stack in"
    echo "   .bss; QEMU's -kernel needs nothing else: no disk image, no bootloader)"
    [ ! -s "$S/ping.txt" ] || { echo; cat "$S/ping.txt"; }
} >"$R/virtio.txt.new"
mv "$R/virtio.txt.new" "$R/virtio.txt"
echo
sed -n '/^Image size/,$p' "$R/virtio.txt"
echo "==> bench/results/virtio.txt"
