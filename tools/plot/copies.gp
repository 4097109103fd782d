# Copies per payload byte, stacked by who copies.
W = 1300; H = 560
load 'common.gp'
set title "Copies per payload byte, by who copies (1 queue, 2 senders where measured)\n{/*0.8 ".subtitle."}"
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb '#555555'
set boxwidth 0.7
set ylabel 'bytes copied per payload byte'
set yrange [0:2.4]
set ytics 0.25
set xtics noenhanced font ',10'
set bmargin 5
set key inside top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 3 lc rgb '#888888'
set arrow from graph 0, first 2 to graph 1, first 2 nohead dt 3 lc rgb '#888888'
f = dir.'/copies.dat'
plot f u 2:xtic(1) lc rgb '#74c476' t 'sender copy (sendmsg / skb build)', \
     f u 3 lc rgb '#6baed6' t 'bounce copy in process context', \
     f u 4 lc rgb '#de2d26' t 'bounce copy in softirq', \
     f u 0:($5 + 0.05):(sprintf('%.3f', $5)) w labels notitle font ',10'
