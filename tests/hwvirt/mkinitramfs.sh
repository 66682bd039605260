#!/bin/sh
# mkinitramfs.sh KERNEL_TREE OUT: pack the make test-hwvirt VM's initramfs.
#
#   /init                       tests/hwvirt/init
#   /bin/busybox, /bin/bash     busybox-static, bash-static (host packages)
#   /usr/bin/bats, /usr/lib/bats-core, /usr/libexec/bats-core   the bats package
#   /lib/modules/hwvirt/        kvm-amd and its dependencies (from the .ko
#                               files' modinfo), in load order, plus tun
#   /wisp/                      a mirror of the tree the suites need:
#     tests/                    the suites and their data
#     build/bin/wisp            build/bin/wisp-static
#     build/bin/wisp-elftool    build/hwvirt/bin/wisp-elftool (static)
#     build/tests/tools/        build/hwvirt/tools/* (static)
#     build/tests/guests/, build/examples/, and any other build/tests/*/
#                               directory except unit/ (host-only)
#     hwvirt/                   suites.conf, kvm-facts (static)
# Run from the top of the tree.  Needs cpio, gzip, objcopy.
set -eu

tree=${1:?usage: mkinitramfs.sh KERNEL_TREE OUT}
out=${2:?usage: mkinitramfs.sh KERNEL_TREE OUT}
B=build
HW=tests/hwvirt
MODULES=${HWVIRT_MODULES:-kvm-amd tun}

die() { echo "mkinitramfs: $*" >&2; exit 1; }

for f in /bin/busybox /bin/bash-static /usr/bin/bats; do
    [ -x "$f" ] || die "$f is missing (make hwvirt-deps installs it)"
done
for f in $B/bin/wisp-static $B/hwvirt/bin/wisp-elftool; do
    [ -x "$f" ] || die "$f is missing (make test-hwvirt builds it)"
done
command -v cpio >/dev/null || die "cpio is missing (make hwvirt-deps installs it)"

kver=$(ls "$tree/lib/modules" | head -n 1)
[ -n "$kver" ] || die "no lib/modules/* in $tree"
mdir="$tree/lib/modules/$kver"

stage=$(mktemp -d "${TMPDIR:-/tmp}/wisp-hwvirt-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM

mkdir -p "$stage/bin" "$stage/usr/bin" "$stage/usr/lib" "$stage/usr/libexec" \
    "$stage/lib/modules/hwvirt" "$stage/wisp/build/bin" "$stage/wisp/build/tests/tools" \
    "$stage/wisp/hwvirt" "$stage/etc" "$stage/root"

# ---- userland ----------------------------------------------------------------
cp "$HW/init" "$stage/init"
chmod 755 "$stage/init"
cp /bin/busybox "$stage/bin/busybox"
cp /bin/bash-static "$stage/bin/bash"
ln -s bash "$stage/bin/sh.bash"
cp /usr/bin/bats "$stage/usr/bin/bats"
cp -a /usr/lib/bats-core "$stage/usr/lib/"
cp -a /usr/libexec/bats-core "$stage/usr/libexec/"
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"

# Host tools the suites need in versions busybox lacks (ip netns, iputils
# ping -A/-p, socat, procps sysctl -q, binutils readelf, GNU date +%N, strace
# (hostile_host.bats holds a syscall with it), curl and procps pgrep (serve.bats,
# httpd.bats), dig, openssl, dnsmasq (dnsd.bats, https.bats, lwip.bats), strip
# (crash_symbols.bats), ss (gdb.bats), GNU tar (web.bash, dnsd.bats: ustar), and a
# dynamic PIE /bin/true as elf_reject.bats expects): the host's own binaries from
# the Debian packages tools/install-deps.sh installs, with their shared
# libraries (ldd), in /usr/local/bin ahead of busybox.  Missing ones are
# left out (the suites then skip or fail, as they would on such a host).
find_exe() {  # a PATH lookup that ignores shell builtins (true, echo)
    for d in $(echo "$PATH:/usr/sbin:/sbin" | tr ':' ' '); do
        [ -f "$d/$1" ] && [ -x "$d/$1" ] && { echo "$d/$1"; return 0; }
    done
    return 1
}
mkdir -p "$stage/usr/local/bin" "$stage/var" "$stage/etc/netns"
ln -s /run "$stage/var/run"
add_exe() {  # PATH NAME: the executable as /usr/local/bin/NAME, with its libraries
    cp "$1" "$stage/usr/local/bin/$2"
    ldd "$1" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
        while read -r lib; do
            [ -e "$stage$lib" ] && continue
            mkdir -p "$stage$(dirname "$lib")"
            cp -L "$lib" "$stage$lib"
        done
}
for t in ${HWVIRT_HOST_TOOLS:-ip ping socat sysctl readelf date true strace curl pgrep dig openssl dnsmasq strip ss tar}; do
    p=$(find_exe "$t") || { echo "mkinitramfs: $t not on this host; not in the VM" >&2; continue; }
    add_exe "$p" "$t"
done
# openssl reads its configuration from /usr/lib/ssl/openssl.cnf (Debian: a
# link to /etc/ssl/openssl.cnf); without it `openssl req` fails (web.bash).
if [ -x "$stage/usr/local/bin/openssl" ] && [ -f /etc/ssl/openssl.cnf ]; then
    mkdir -p "$stage/etc/ssl" "$stage/usr/lib/ssl"
    cp /etc/ssl/openssl.cnf "$stage/etc/ssl/"
    ln -sf /etc/ssl/openssl.cnf "$stage/usr/lib/ssl/openssl.cnf"
fi
# gdb for gdb.bats: Debian's gdb-minimal (the debugger without Python, whose
# standard library the VM lacks), fetched once with apt-get download and
# unpacked under build/hwvirt/gdb-minimal; its libraries are the host's
# (tools/install-deps.sh installs gdb).  Without it gdb.bats skips there.
gdbm=$B/hwvirt/gdb-minimal
if [ ! -x "$gdbm/usr/bin/gdb" ]; then
    mkdir -p "$gdbm.deb"
    if (cd "$gdbm.deb" && apt-get download gdb-minimal >/dev/null 2>&1); then
        dpkg-deb -x "$(ls "$gdbm.deb"/gdb-minimal_*.deb | head -n 1)" "$gdbm"
    else
        echo "mkinitramfs: cannot download gdb-minimal; gdb.bats skips in the VM" >&2
    fi
fi
[ -x "$gdbm/usr/bin/gdb" ] && add_exe "$gdbm/usr/bin/gdb" gdb
[ -f "$stage/usr/local/bin/true" ] && cp "$stage/usr/local/bin/true" "$stage/bin/true"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$stage/etc/hosts"

# ---- kernel modules, dependencies first ---------------------------------------
# The package ships no modules.dep (depmod runs at installation); read each
# module's "depends=" from its .modinfo section instead.
find "$mdir/kernel" -name '*.ko' >"$stage/ko.list"
ko_path() {  # module name (- and _ are the same) -> path of its .ko
    n=$(echo "$1" | tr _ -)
    grep -E "/($n|$(echo "$1" | tr - _))\.ko\$" "$stage/ko.list" | head -n 1
}
ko_deps() {
    objcopy -O binary --only-section=.modinfo "$1" /dev/stdout 2>/dev/null |
        tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' '
}
: >"$stage/lib/modules/hwvirt/order"
add_module() {
    p=$(ko_path "$1")
    [ -n "$p" ] || die "module $1 not found in $mdir"
    b=$(basename "$p")
    grep -qx "$b" "$stage/lib/modules/hwvirt/order" && return 0
    for d in $(ko_deps "$p"); do
        add_module "$d"
    done
    p=$(ko_path "$1")   # sh has no local variables: the recursion reset it
    b=$(basename "$p")
    cp "$p" "$stage/lib/modules/hwvirt/$b"
    echo "$b" >>"$stage/lib/modules/hwvirt/order"
}
for m in $MODULES; do
    add_module "$m"
done
rm -f "$stage/ko.list"

# ---- wisp ----------------------------------------------------------------------
cp -a tests "$stage/wisp/"
# Some suites read constants from the sources (tender/cli.h, tender/wisp.h).
cp -a tender include "$stage/wisp/"
find "$stage/wisp/tender" -name '*.c' -delete
cp $B/bin/wisp-static "$stage/wisp/build/bin/wisp"
cp $B/hwvirt/bin/wisp-elftool "$stage/wisp/build/bin/wisp-elftool"
for d in $B/tests/*/; do
    d=${d%/}
    case "$(basename "$d")" in unit|tools) continue ;; esac
    mkdir -p "$stage/wisp/$d"
    cp -a "$d/." "$stage/wisp/$d/"
done
[ -d $B/examples ] && mkdir -p "$stage/wisp/$B/examples" &&
    find $B/examples -maxdepth 1 -name '*.wisp' -exec cp {} "$stage/wisp/$B/examples/" \;
for c in tests/tools/*.c; do
    [ -f "$c" ] || continue
    t=$B/hwvirt/tools/$(basename "$c" .c)
    [ -x "$t" ] || die "$t is missing (make test-hwvirt builds the test tools statically)"
    cp "$t" "$stage/wisp/build/tests/tools/"
done
cp "$HW/suites.conf" "$stage/wisp/hwvirt/"
if [ -n "${HWVIRT_DEBUG_SCRIPT:-}" ]; then
    cp "$HWVIRT_DEBUG_SCRIPT" "$stage/wisp/hwvirt/debug.sh"
fi
# Files a debugging script needs (static binaries: the VM has no libc).
if [ -n "${HWVIRT_EXTRA_DIR:-}" ]; then
    mkdir -p "$stage/wisp/extra"
    cp -a "$HWVIRT_EXTRA_DIR/." "$stage/wisp/extra/"
fi
[ -x $B/hwvirt/bin/kvm-facts ] && cp $B/hwvirt/bin/kvm-facts "$stage/wisp/hwvirt/"
# Object files and dependency files are of no use in the VM.
find "$stage/wisp/build" \( -name '*.o' -o -name '*.d' \) -delete

# ---- pack ------------------------------------------------------------------------
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "==> hwvirt: initramfs $out ($(du -k "$out" | cut -f1) KiB, modules: $(tr '\n' ' ' <"$stage/lib/modules/hwvirt/order"))"
