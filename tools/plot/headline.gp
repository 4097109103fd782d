# Headline: the mechanism, in the NIC-like "ring" device model (TX ring,
# BQL, paced completions): bytes bounced in the TX softirq per payload
# byte (zero-copy off: every payload byte is bounced once, so this is the
# share of the bounce copy done in softirq; on: what is left of it), and
# throughput, with zero-copy TX off and on, per TX queue count; 2 senders,
# 64 KiB messages, medians of the repeats.
# headline.dat columns: queues, then per workload (greedy, kernel TCP,
# user send()): softirq bounce per byte off, on, Gbit/s off, on.
W = 1500; H = 560
load 'common.gp'
set multiplot layout 1, 2 title "Ring device model, 2 senders, 64 KiB: where the bounce copy runs, and what it costs\n{/*0.8 ".subtitle."}"
set xlabel 'TX queues'
set xtics (1, 2, 4)
set logscale x 2
set xrange [0.8:5]
set key inside top right
f = dir.'/headline.dat'
g1 = '#4292c6'; g2 = '#31a354'; g3 = '#756bb1'
set title 'payload bytes bounced in softirq (off: share of the bounce copy)'
set ylabel 'bytes bounced in softirq per payload byte'
set yrange [0:1.05]
plot f u 1:2 w lp dt 2 lw 2 pt 6 lc rgb g1 t 'greedy, off', \
     f u 1:3 w lp lw 2 pt 7 lc rgb g1 t 'greedy, on', \
     f u 1:6 w lp dt 2 lw 2 pt 6 lc rgb g2 t 'kernel TCP, off', \
     f u 1:7 w lp lw 2 pt 7 lc rgb g2 t 'kernel TCP, on', \
     f u 1:10 w lp dt 2 lw 2 pt 6 lc rgb g3 t 'user send(), off', \
     f u 1:11 w lp lw 2 pt 7 lc rgb g3 t 'user send(), on'
set title 'payload throughput'
set ylabel 'Gbit/s'
set yrange [0:*]
set key inside top left
plot f u 1:4 w lp dt 2 lw 2 pt 6 lc rgb g1 t 'greedy, off', \
     f u 1:5 w lp lw 2 pt 7 lc rgb g1 t 'greedy, on', \
     f u 1:8 w lp dt 2 lw 2 pt 6 lc rgb g2 t 'kernel TCP, off', \
     f u 1:9 w lp lw 2 pt 7 lc rgb g2 t 'kernel TCP, on', \
     f u 1:12 w lp dt 2 lw 2 pt 6 lc rgb g3 t 'user send(), off', \
     f u 1:13 w lp lw 2 pt 7 lc rgb g3 t 'user send(), on'
unset multiplot
