#!/bin/sh
# Install Debian packages that are missing, and only those; says what it
# does; needs root (or sudo) to install.
#   tools/install-deps.sh                  what the build and tests need
#   tools/install-deps.sh LABEL PKG...     these packages (make test-hwvirt
#                                          and make bench use this form)
set -eu

if [ $# -gt 0 ]; then
    label=$1
    shift
    PKGS="$*"
else
    label=deps
    PKGS="gcc make binutils libc6-dev libseccomp-dev libcmocka-dev libjansson-dev liburing-dev \
bats coreutils iproute2 iputils-ping socat time strace"
fi

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done

if [ -z "$missing" ]; then
    echo "==> $label: all required Debian packages are installed"
    exit 0
fi

echo "==> $label: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "$label: not root and no sudo: install these packages first:$missing" >&2
        exit 1
    }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "==> $label: done"
