#!/bin/sh
# Install the Debian packages that make test-hwvirt needs on top of the
# normal build and test dependencies, and only those that are missing:
#   qemu-system-x86  boots the test VM (TCG: emulated AMD SVM, no host KVM)
#   busybox-static   the VM's userland (init, sh, coreutils, insmod)
#   bash-static      bash for bats inside the VM
#   cpio             packs the initramfs
# The Linux kernel and its KVM modules are not installed: run.sh fetches the
# kernel package with apt-get download into build/hwvirt/ and unpacks it there.
set -eu
exec "$(dirname "$0")/../../tools/install-deps.sh" "hwvirt deps" \
    qemu-system-x86 busybox-static bash-static cpio
