#!/bin/sh
# fetch-kernel.sh DIR: make sure a Debian x86_64 kernel with its modules is
# unpacked under DIR, and print the unpacked tree's path on stdout.
#
# The package is the one Debian's linux-image-amd64 metapackage currently
# depends on (bookworm: linux-image-6.1.0-N-amd64), or $HWVIRT_KERNEL_PKG if
# set.  It is fetched with `apt-get download` (no installation, nothing
# outside DIR changes) and unpacked with `dpkg-deb -x`; a tree unpacked by an
# earlier run is reused.  Messages go to stderr.
set -eu

dir=${1:?usage: fetch-kernel.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

say() { echo "==> hwvirt: $*" >&2; }

pick_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1
}

pkg=${HWVIRT_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
    pkg=$(pick_pkg)
    if [ -z "$pkg" ]; then
        say "apt's package lists do not know linux-image-amd64: running apt-get update"
        if [ "$(id -u)" = 0 ]; then apt-get update -qq >&2; else sudo apt-get update -qq >&2; fi
        pkg=$(pick_pkg)
    fi
    [ -n "$pkg" ] || { echo "fetch-kernel: cannot find Debian's kernel package (linux-image-amd64)" >&2; exit 1; }
fi

tree="$dir/$pkg"
if [ -f "$tree/.unpacked" ]; then
    say "reusing the kernel $pkg unpacked in $tree"
    echo "$tree"
    exit 0
fi

say "downloading the Debian kernel package $pkg (apt-get download, about 70 MB) into $dir"
rm -f "$dir/$pkg"_*.deb
# As root, apt would try to drop privileges to _apt, which may not be able to
# write here; download as the invoking user instead.
sandbox=""
[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
(cd "$dir" && apt-get download -q $sandbox "$pkg" >&2)
deb=$(ls "$dir/$pkg"_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { echo "fetch-kernel: apt-get download $pkg produced no .deb" >&2; exit 1; }

say "unpacking $(basename "$deb") (dpkg-deb -x) into $tree"
rm -rf "$tree"
dpkg-deb -x "$deb" "$tree"
ls "$tree"/boot/vmlinuz-* >/dev/null 2>&1 || { echo "fetch-kernel: no boot/vmlinuz-* in $deb" >&2; exit 1; }
rm -f "$deb"
touch "$tree/.unpacked"
echo "$tree"
