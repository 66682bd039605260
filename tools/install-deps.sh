#!/bin/sh
# Install the Debian packages that are missing, and only those; says what
# it does in one line per package set (apt-get's and dpkg's own output go
# to build/deps-LABEL.log, shown only if the installation fails); needs
# root (or sudo) to install.
#   tools/install-deps.sh                  what the build, make run and
#                                          make test need: BUILD and the
#                                          "test" set of tools/deps.txt
#   tools/install-deps.sh --set SET        the packages of SET in tools/deps.txt
#   tools/install-deps.sh --list [SET]     print the packages, install nothing
#   tools/install-deps.sh LABEL PKG...     these packages (make test-hwvirt
#                                          uses this form)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
table=$top/tools/deps.txt

# packages_of SET: BUILD's packages (for "test") and SET's, once each.
packages_of() {
    awk -v set="$1" '
        /^#/ || NF == 0 { next }
        $1 == "BUILD" { if (set == "test") for (i = 2; i <= NF; i++) p[$i] = 1; next }
        $3 == set && $2 != "-" { p[$2] = 1 }
        END { for (k in p) print k }' "$table" | sort | tr '\n' ' '
}

case "${1:-}" in
    --list) packages_of "${2:-test}"; echo; exit 0 ;;
    --set) label="$2 deps"; PKGS=$(packages_of "$2") ;;
    "") label=deps; PKGS=$(packages_of test) ;;
    *) label=$1; shift; PKGS="$*" ;;
esac

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $p"
done

if [ -z "$missing" ]; then
    echo "==> $label: all $(echo $PKGS | wc -w) required Debian packages are installed"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "$label: not root and no sudo: install these packages first:$missing" >&2
        exit 1
    }
    SUDO=sudo
fi
mkdir -p "$top/build"
log=$top/build/deps-$(echo "$label" | tr -c 'a-zA-Z0-9\n' -).log
printf '==> %s: installing missing Debian packages:%s (apt-get; log: %s) ... ' \
    "$label" "$missing" "${log#"$top"/}"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if { $SUDO apt-get update -qq && \
     $SUDO apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
    echo done
else
    echo FAILED
    tail -n 20 "$log" >&2
    echo "$label: apt-get failed; full log: $log" >&2
    exit 1
fi
