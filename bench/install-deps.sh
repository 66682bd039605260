#!/bin/sh
# bench/install-deps.sh: what make bench needs beyond the build: gnuplot
# (Debian's gnuplot-nox) for the PNG.  Installs it with apt-get if missing.
set -eu
exec "$(dirname "$0")/../tools/install-deps.sh" "bench deps" gnuplot-nox
