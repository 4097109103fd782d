# Shared settings. Callers pass: term ('png' or 'svg'), out, dir.
if (term eq 'svg') {
    set terminal svg size W, H dynamic enhanced font 'Sans,12' background rgb 'white'
} else {
    set terminal pngcairo size W, H enhanced font 'Sans,11' background rgb 'white'
}
set output out
load dir.'/meta.gp'
load dir.'/msgs.gp'
set datafile missing '?'
set grid ytics lc rgb '#dddddd'
set key outside right top vertical Left reverse noautotitle box lc rgb '#bbbbbb'
set border 3
set tics nomirror
off1 = '#9ecae1'; off2 = '#4292c6'; off4 = '#08519c'
on1 = '#fdae6b'; on2 = '#f16913'; on4 = '#a63603'
