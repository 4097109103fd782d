# Transmit page sources (issue 16), greedy senders, 2 senders, one message
# size (msg): bounce (page_frag, lending off), lend (page_frag lent by
# swiotlb), and the page_pool source with one pool per CPU or one pool
# under a lock, per TX queue count, for each device model with rows:
# payload Gbit/s, guest busy ns per payload byte, ns in the page source
# per KiB copied. sources_<msg>_<model>.dat columns: queues, then per source
# gbit_s busy_ns_per_byte alloc_ns_per_kib.
W = 1500; H = 900
load 'common.gp'
set multiplot layout 2, 3 title "Transmit page sources: page\\_frag bounced, lent by swiotlb, or from a page\\_pool (2 senders, ".msg." B)\n{/*0.8 ".subtitle."}"
set xlabel 'TX queues'
set xtics (1, 2, 4)
set logscale x 2
set xrange [0.8:5]
set yrange [0:*]
set key inside top left font ',9'
c1 = '#4292c6'; c2 = '#f16913'; c3 = '#31a354'; c4 = '#756bb1'
do for [dm in "instant ring"] {
    f = dir.'/sources_'.msg.'_'.dm.'.dat'
    if (system('test -s '.f.' && echo 1 || echo 0') eq '1') {
        set title dm.' model: payload throughput'
        set ylabel 'Gbit/s'
        plot f u 1:2 w lp lw 2 pt 6 lc rgb c1 t 'bounce', \
             f u 1:5 w lp lw 2 pt 7 lc rgb c2 t 'lend', \
             f u 1:8 w lp lw 2 pt 5 lc rgb c3 t 'pool, per CPU', \
             f u 1:11 w lp lw 2 pt 9 lc rgb c4 t 'pool, locked'
        set title dm.' model: guest CPU per payload byte'
        set ylabel 'busy ns per byte'
        plot f u 1:3 w lp lw 2 pt 6 lc rgb c1 t 'bounce', \
             f u 1:6 w lp lw 2 pt 7 lc rgb c2 t 'lend', \
             f u 1:9 w lp lw 2 pt 5 lc rgb c3 t 'pool, per CPU', \
             f u 1:12 w lp lw 2 pt 9 lc rgb c4 t 'pool, locked'
        set title dm.' model: page source cost'
        set ylabel 'ns in the page source per KiB copied'
        plot f u 1:4 w lp lw 2 pt 6 lc rgb c1 t 'bounce', \
             f u 1:7 w lp lw 2 pt 7 lc rgb c2 t 'lend', \
             f u 1:10 w lp lw 2 pt 5 lc rgb c3 t 'pool, per CPU', \
             f u 1:13 w lp lw 2 pt 9 lc rgb c4 t 'pool, locked'
    } else {
        set multiplot next
        set multiplot next
        set multiplot next
    }
}
unset multiplot
