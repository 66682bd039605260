#!/bin/sh
# tools/bootstrap.sh [run|test|deps]: the first command on a fresh Debian 12,
# needing only a POSIX shell and apt: installs the Debian packages that are
# missing (make, gcc, the libraries, bats, iproute2, ...: tools/deps.txt,
# through tools/install-deps.sh, which names them), then runs `make run`
# (the default) or `make test`.  Needs root, or sudo.
set -eu
cd "$(dirname "$0")/.."
goal=${1:-run}
case "$goal" in
    run|test|deps) ;;
    *) echo "usage: tools/bootstrap.sh [run|test|deps]" >&2; exit 2 ;;
esac
command -v apt-get >/dev/null 2>&1 || {
    echo "bootstrap: no apt-get: not a Debian system: the packages of tools/deps.txt must be installed by hand" >&2
    exit 1
}
tools/install-deps.sh
[ "$goal" = deps ] && exit 0
echo "==> bootstrap: make $goal"
exec make "$goal"
