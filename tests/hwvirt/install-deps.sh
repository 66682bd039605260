#!/bin/sh
# Install the Debian packages that make test-hwvirt needs on top of the
# normal build and test dependencies (tools/install-deps.sh), and only those
# that are missing:
#   qemu-system-x86  boots the test VM (TCG: emulated AMD SVM, no host KVM)
#   busybox-static   the VM's userland (init, sh, coreutils, insmod)
#   bash-static      bash for bats inside the VM
#   cpio             packs the initramfs
# The Linux kernel and its KVM modules are not installed: run.sh fetches the
# kernel package with apt-get download into build/hwvirt/ and unpacks it there.
set -eu

PKGS="qemu-system-x86 busybox-static bash-static cpio"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done

if [ -z "$missing" ]; then
    echo "==> hwvirt deps: all required Debian packages are installed"
    exit 0
fi

echo "==> hwvirt deps: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "hwvirt deps: not root and no sudo: install these packages first:$missing" >&2
        exit 1
    }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "==> hwvirt deps: done"
