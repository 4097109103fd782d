# Softirq share of the bounce copy per message size, and CPU time in softirq.
W = 1700; H = 520
load 'common.gp'
set multiplot layout 1, words(msgs) + 1 title "Greedy senders: where the bounce copy runs\n{/*0.8 ".subtitle."}"
set xlabel 'sender threads'
set xtics (1, 2, 4)
set logscale x 2
set xrange [0.8:5]
set yrange [0:*]
set key inside top left
do for [m in msgs] {
    f = dir.'/softirq_'.m.'.dat'
    set title sprintf('%s-byte messages: bytes copied in softirq', m)
    set ylabel 'softirq bounce bytes per payload byte'
    set yrange [0:1]
    plot f u 1:2 w lp dt 2 lw 2 pt 6 lc rgb off1 t 'off, 1 queue', \
         f u 1:3 w lp dt 2 lw 2 pt 6 lc rgb off2 t 'off, 2 queues', \
         f u 1:4 w lp dt 2 lw 2 pt 6 lc rgb off4 t 'off, 4 queues', \
         f u 1:5 w lp lw 2 pt 7 lc rgb on1 t 'on, 1 queue', \
         f u 1:6 w lp lw 2 pt 7 lc rgb on2 t 'on, 2 queues', \
         f u 1:7 w lp lw 2 pt 7 lc rgb on4 t 'on, 4 queues'
}
m = word(msgs, words(msgs))
f = dir.'/softirq_'.m.'.dat'
set title sprintf('%s-byte messages: CPU time in softirq', m)
set ylabel 'softirq time (% of all vCPU time)'
set yrange [0:*]
plot f u 1:8 w lp dt 2 lw 2 pt 6 lc rgb off1 t 'off, 1 queue', \
     f u 1:9 w lp dt 2 lw 2 pt 6 lc rgb off2 t 'off, 2 queues', \
     f u 1:10 w lp dt 2 lw 2 pt 6 lc rgb off4 t 'off, 4 queues', \
     f u 1:11 w lp lw 2 pt 7 lc rgb on1 t 'on, 1 queue', \
     f u 1:12 w lp lw 2 pt 7 lc rgb on2 t 'on, 2 queues', \
     f u 1:13 w lp lw 2 pt 7 lc rgb on4 t 'on, 4 queues'
unset multiplot
