# plot.gp: the PNG of one wisp-bench run.  Called by bench/run.sh as
#   gnuplot -e "dir='DATADIR'; out='FILE.png'; stamp='...'" bench/plot.gp
# with the .dat files wisp-bench -d DATADIR wrote.
set terminal pngcairo size 1400,1000 noenhanced font ",10"
set output out
set multiplot layout 2,2 title "wisp benchmarks -- ".stamp
set key bottom right

set title "Boot latency: CDF of wall time, spawn to exit"
set xlabel "ms"
set ylabel "fraction of runs"
set logscale x
set grid
names = system("cat ".dir."/boot_names.dat")
plot for [i=1:words(names)] dir."/boot_cdf.dat" index (i-1) using 1:2 with lines lw 2 title word(names, i)
unset logscale x

set title "Boot split (median ms); the line is the floor's median wall time"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.6
set key top left
set ylabel "ms"
set xlabel ""
set xtics rotate by -20
plot dir."/split.dat" using 2:xtic(1) title "exec->main", \
     "" using 3 title "main->first insn", \
     "" using 4 title "first insn->app_main", \
     "" using 5 title "app_main->guest end", \
     "" using 6 title "guest end->exit", \
     "" using 0:7 with linespoints lw 2 pt 7 title "floor (median wall)"
set xtics norotate

set title "Hypercall round trip / page first touch (guest-timed, median us per op)"
set style data histograms
set style histogram clustered
set key off
set ylabel "us"
set logscale y
set yrange [0.001:*]
set xtics rotate by -20
plot dir."/hcall.dat" using 2:xtic(1) title ""
unset logscale y
set yrange [*:*]
set xtics norotate

set title "Idle guests (wisp --mem=16) and idle floors: host memory per guest (MiB), time until all ready (s)"
set style data linespoints
set key top left
set xlabel "K guests"
set ylabel "MiB per guest"
set y2label "s until all READY"
set y2tics
set logscale x
# mem.dat: K, then per command (floor, floor-long, wisp) MiB/guest and ms
plot dir."/mem.dat" using 1:6 lw 2 pt 7 title "wisp: host MiB/guest", \
     "" using 1:2 lw 2 pt 5 title "floor: host MiB/guest", \
     "" using 1:4 lw 2 pt 4 title "floor, 64-bit paged: host MiB/guest", \
     "" using 1:($7/1000) axes x1y2 lw 2 pt 9 title "wisp: s until all READY"
unset multiplot
