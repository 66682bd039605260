#!/bin/sh
# bench/install-deps.sh: what make bench needs beyond the build: the "bench"
# set of tools/deps.txt (gnuplot-nox, for the PNG), installed if missing.
set -eu
exec "$(dirname "$0")/../tools/install-deps.sh" --set bench
