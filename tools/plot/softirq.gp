# Softirq share of the bounce copy, and CPU time in softirq.
W = 1300; H = 520
load 'common.gp'
m = word(msgs, words(msgs))
f = dir.'/softirq_'.m.'.dat'
set multiplot layout 1, 2 title sprintf("Greedy senders, %s-byte messages: where the bounce copy runs\n{/*0.8 %s}", m, subtitle)
set xlabel 'sender threads'
set xtics (1, 2, 4)
set logscale x 2
set xrange [0.8:5]
set title 'bytes copied in softirq per payload byte'
set ylabel 'softirq bounce bytes / payload byte'
set yrange [0:*]
plot f u 1:2 w lp dt 2 lw 2 pt 6 lc rgb off1 t 'off, 1 queue', \
     f u 1:3 w lp dt 2 lw 2 pt 6 lc rgb off2 t 'off, 2 queues', \
     f u 1:4 w lp dt 2 lw 2 pt 6 lc rgb off4 t 'off, 4 queues', \
     f u 1:5 w lp lw 2 pt 7 lc rgb on1 t 'on, 1 queue', \
     f u 1:6 w lp lw 2 pt 7 lc rgb on2 t 'on, 2 queues', \
     f u 1:7 w lp lw 2 pt 7 lc rgb on4 t 'on, 4 queues'
set title 'CPU time in softirq (all vCPUs)'
set ylabel 'softirq time (% of vCPU time)'
plot f u 1:8 w lp dt 2 lw 2 pt 6 lc rgb off1 t 'off, 1 queue', \
     f u 1:9 w lp dt 2 lw 2 pt 6 lc rgb off2 t 'off, 2 queues', \
     f u 1:10 w lp dt 2 lw 2 pt 6 lc rgb off4 t 'off, 4 queues', \
     f u 1:11 w lp lw 2 pt 7 lc rgb on1 t 'on, 1 queue', \
     f u 1:12 w lp lw 2 pt 7 lc rgb on2 t 'on, 2 queues', \
     f u 1:13 w lp lw 2 pt 7 lc rgb on4 t 'on, 4 queues'
unset multiplot
