# Throughput vs TX queues, zero-copy off (blue, dashed) vs on (orange).
W = 1300; H = 520
load 'common.gp'
set multiplot layout 1, words(msgs) title "Greedy in-kernel senders: throughput vs TX queues\n{/*0.8 ".subtitle."}"
do for [m in msgs] {
    f = dir.'/tput_q_'.m.'.dat'
    set title sprintf('%s-byte messages', m)
    set xlabel 'TX queues'
    set ylabel 'payload throughput (Gbit/s)'
    set xtics (1, 2, 4)
    set logscale x 2
    set xrange [0.8:5]
    set yrange [0:*]
    plot f u 1:2 w lp dt 2 lw 2 pt 6 lc rgb off1 t 'off, 1 sender', \
         f u 1:3 w lp dt 2 lw 2 pt 6 lc rgb off2 t 'off, 2 senders', \
         f u 1:4 w lp dt 2 lw 2 pt 6 lc rgb off4 t 'off, 4 senders', \
         f u 1:5 w lp lw 2 pt 7 lc rgb on1 t 'on, 1 sender', \
         f u 1:6 w lp lw 2 pt 7 lc rgb on2 t 'on, 2 senders', \
         f u 1:7 w lp lw 2 pt 7 lc rgb on4 t 'on, 4 senders'
}
unset multiplot
