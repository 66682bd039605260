#!/bin/sh
# bench/install-deps.sh: what make bench needs beyond the build: gnuplot
# (Debian's gnuplot-nox) for the PNG.  Installs it with apt-get if missing.
set -e
command -v gnuplot >/dev/null 2>&1 && exit 0
echo "bench: gnuplot is missing; installing Debian's gnuplot-nox (apt-get)"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get install -y --no-install-recommends gnuplot-nox >/dev/null ||
    { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends gnuplot-nox >/dev/null; } ||
    { echo "bench: could not install gnuplot-nox; install it and run make bench again" >&2; exit 1; }
