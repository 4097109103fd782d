# Bars: 1 queue, 2 senders, 64 KiB, "instant" device model.
W = 1100; H = 520
load 'common.gp'
set title "1 TX queue, 2 senders, 64 KiB messages: classic bounce, zero-copy TX, MSG\\_ZEROCOPY\n{/*0.8 ".subtitle."}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#555555'
set boxwidth 0.8
set ylabel 'payload throughput (Gbit/s)'
set yrange [0:*]
set xtics noenhanced font ',10'
set bmargin 5
set key off
f = dir.'/bars.dat'
plot f u 2:xtic(1) lc rgb off2, \
     f u 0:2:(sprintf('%.2f', $2)) w labels offset 0,0.8 font ',10'
