#!/bin/sh
# Install the Debian packages wisp's build and tests need, and only those
# that are missing.  Says what it does; needs root (or sudo) to install.
set -eu

PKGS="gcc make binutils libc6-dev libseccomp-dev libcmocka-dev libjansson-dev \
bats coreutils iproute2 iputils-ping socat time strace"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done

if [ -z "$missing" ]; then
    echo "==> deps: all required Debian packages are installed"
    exit 0
fi

echo "==> deps: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "deps: not root and no sudo: install these packages first:$missing" >&2
        exit 1
    }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
echo "==> deps: done"
