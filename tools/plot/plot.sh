#!/usr/bin/env bash
# Render the zctx benchmark plots (PNG + SVG) from any results CSV, e.g.
# one written by `make bench` or by loading zctx_bench on a real guest and
# saving /sys/kernel/debug/zctx_bench/results.
#   usage: tools/plot/plot.sh results.csv [outdir]   (outdir: next to the CSV)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
csv=$(realpath "${1:?usage: plot.sh results.csv [outdir]}")
out=$(realpath -m "${2:-$(dirname "$csv")}")
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
mkdir -p "$out"
dat=$(mktemp -d)
trap 'rm -rf "$dat"' EXIT
python3 "$here/prep.py" "$csv" "$dat"
n=0
for gp in headline throughput_queues throughput_senders copies softirq percent bars; do
	case $gp in
	throughput_*|softirq) [ -n "$(ls "$dat"/tput_q_*.dat 2>/dev/null)" ] || continue ;;
	copies) [ -s "$dat/copies.dat" ] && [ "$(wc -l < "$dat/copies.dat")" -gt 1 ] || continue ;;
	percent) [ "$(wc -l < "$dat/percent.dat")" -gt 1 ] || continue ;;
	headline) [ "$(wc -l < "$dat/headline.dat")" -gt 1 ] || continue ;;
	bars) [ "$(wc -l < "$dat/bars.dat")" -gt 1 ] || continue ;;
	esac
	for term in png svg; do
		(cd "$here" && gnuplot -e "term='$term'; out='$out/$gp.$term'; dir='$dat'" "$gp.gp") ||
			{ echo "plot.sh: $gp.$term failed" >&2; exit 1; }
	done
	n=$((n + 1))
done
# Transmit page sources (issue 16): one plot per message size with
# page_pool rows; both device models in it.
for msg in $(ls "$dat" | sed -n 's/^sources_\([0-9]*\)_.*\.dat$/\1/p' | sort -un); do
	for term in png svg; do
		(cd "$here" && gnuplot -e "term='$term'; out='$out/sources_$msg.$term'; dir='$dat'; msg='$msg'" sources.gp) ||
			{ echo "plot.sh: sources_$msg.$term failed" >&2; exit 1; }
	done
	n=$((n + 1))
done
echo "plot.sh: $n plots (PNG + SVG) in $out" >&2
