# zerocopy_tx_percent sweep on a small pool: throughput and fallbacks.
W = 1100; H = 800
load 'common.gp'
f = dir.'/percent.dat'
set multiplot layout 2, 1 title "zerocopy\\_tx\\_percent sweep, small swiotlb pool (4 senders, 4 MiB in flight each)\n{/*0.8 ".subtitle."}"
set xlabel 'swiotlb.zerocopy\_tx\_percent (%)'
set xrange [-2:92]
set xtics 10
set title 'throughput and copies per byte'
set ylabel 'payload throughput (Gbit/s)'
set y2label 'copies per payload byte'
set yrange [0:*]
set y2range [0:2.2]
set y2tics 0.5
plot f u 1:2 w lp lw 2 pt 7 lc rgb on2 t 'throughput', \
     f u 1:3 axes x1y2 w lp dt 2 lw 2 pt 6 lc rgb off2 t 'copies per byte (right axis)'
unset y2label; unset y2tics
set title 'zero-copy allocations that fell back to ordinary pages, and pool use'
set ylabel 'fallbacks per run'
set y2label 'slots (2 KiB each)'
set y2tics autofreq
set y2range [0:*]
set yrange [0:*]
plot f u 1:5 w lp lw 2 pt 7 lc rgb '#de2d26' t 'fallback: over the percent cap', \
     f u 1:6 w lp lw 2 pt 5 lc rgb '#756bb1' t 'fallback: pool exhausted/fragmented', \
     f u 1:7 axes x1y2 w lp dt 2 lw 2 pt 6 lc rgb on1 t 'lent slots, peak (right)', \
     f u 1:8 axes x1y2 w lp dt 3 lw 2 pt 4 lc rgb off2 t 'pool slots in use, peak (right)', \
     f u 1:9 axes x1y2 w l dt 4 lw 1 lc rgb '#444444' t 'pool size (right)'
unset multiplot
