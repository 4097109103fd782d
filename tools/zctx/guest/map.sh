# zctx benchmark guest: the "map" plan (tools/zctx/bench-map.sh), sourced
# by init (busybox sh; uses its say, load, $D, $S, $P, $KO). The in-tree
# dma_map_benchmark driver is bound to a QEMU PCI device, its user tool
# (/bin/dma_map_benchmark) maps and unmaps through that device.
#
# Plan lines:
#   map-bind VENDOR:DEVICE   bind the first PCI device with these ids
#                            (e.g. 0x1234:0x11e8, QEMU's edu) to the
#                            dma_map_benchmark driver (driver_override)
#   map-lat LABEL KEY=V...   one dma_map_benchmark run: map/unmap latency;
#                            keys threads granule (pages) dir (0 bidir,
#                            1 to device, 2 from device) seconds
#   map-hold LABEL KEY=V... -- ZCTX_BENCH_ARGS...
#                            greedy zctx_bench flows hold the lending cap
#                            while dma_map_benchmark maps continuously:
#                            rounds (of the map-lat keys' seconds each),
#                            flows (senders), cap_pct (the cap the flows
#                            are sized for: 9/8 of it in flight, whatever
#                            the current percent), plus the map-lat keys
# Each map-lat/map-hold prints one "ZCTX_RESULT mode=dma_map ..." line.

MB=/sys/kernel/debug/dma_map_benchmark
MAP_DEV=

map_bind() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = "$1" ] || continue
		echo dma_map_benchmark > "$d/driver_override"
		echo "${d##*/}" > /sys/bus/pci/drivers_probe
		if [ -e $MB ]; then
			MAP_DEV=${d##*/}
			say "INFO dma_map_benchmark bound to $MAP_DEV ($1)"
			return 0
		fi
	done
	say "ERROR no PCI device $1 could be bound to dma_map_benchmark"
	return 1
}

# map_keys KEY=V...: the tool's options; unknown keys or values that are
# not numbers: one ERROR line, return 1.
map_keys() {
	m_threads=1 m_granule=1 m_dir=1 m_seconds=1 m_rounds=1 m_flows=8 m_cap_pct=50
	for kv in "$@"; do
		v=${kv#*=}
		case $v in ''|*[!0-9]*)
			say "ERROR map: '$kv' is not KEY=NUMBER"
			return 1 ;;
		esac
		case $kv in
		threads=*) m_threads=$v ;;
		granule=*) m_granule=$v ;;
		dir=*) m_dir=$v ;;
		seconds=*) m_seconds=$v ;;
		rounds=*) m_rounds=$v ;;
		flows=*) m_flows=$v ;;
		cap_pct=*) m_cap_pct=$v ;;
		*) say "ERROR map: unknown key in '$kv'"; return 1 ;;
		esac
	done
}

# map_run: one run of the tool with the m_* options. Sets m_ok (1: the
# ioctl succeeded: no map failed), m_map, m_unmap (average us), m_map_sd,
# m_unmap_sd, and m_full (kernel "swiotlb buffer is full" lines), m_fail
# (dma_map_benchmark's "dma_map_single failed" lines), m_full_dev (the
# full lines of the benchmark's own device).
map_run() {
	dmesg -c > /dev/null
	m_ok=1
	out=$(/bin/dma_map_benchmark -t "$m_threads" -g "$m_granule" \
		-d "$m_dir" -s "$m_seconds" 2>&1) || m_ok=0
	msgs=$(dmesg -c)
	m_full=$(echo "$msgs" | grep -c 'swiotlb buffer is full')
	m_full_dev=$(echo "$msgs" | grep 'swiotlb buffer is full' | grep -c "$MAP_DEV")
	m_fail=$(echo "$msgs" | grep -c 'dma_map_single failed')
	echo "$msgs" | grep -E 'WARNING|BUG|Oops|zctx_bench: (invalid|cannot|run .*not balanced|sender)' |
		sed 's/^/ZCTX_KMSG /'
	m_map=$(echo "$out" | sed -n 's/^average map latency(us):\([0-9.]*\) standard deviation:\([0-9.]*\)$/\1 \2/p')
	m_unmap=$(echo "$out" | sed -n 's/^average unmap latency(us):\([0-9.]*\) standard deviation:\([0-9.]*\)$/\1 \2/p')
	m_map_sd=${m_map#* } m_map=${m_map% *}
	m_unmap_sd=${m_unmap#* } m_unmap=${m_unmap% *}
	[ $m_ok = 1 ] || echo "$out" | sed 's/^/ZCTX_INFO dma_map_benchmark: /'
}

# Whether and how the feature is built and set: build=in|out, percent.
map_state() {
	if [ -e "$P" ]; then
		echo "build=in percent=$(cat "$P")"
	else
		echo "build=out percent=-"
	fi
}

map_lat() {
	label=$1
	shift
	[ -e $MB ] || { say "ERROR map-lat: no $MB (map-bind first)"; return 1; }
	map_keys "$@" || return 1
	map_run
	say "RESULT mode=dma_map label=$label $(map_state) threads=$m_threads" \
		"granule=$m_granule dir=$m_dir seconds=$m_seconds ok=$m_ok" \
		"map_us=$m_map map_sd_us=$m_map_sd unmap_us=$m_unmap" \
		"unmap_sd_us=$m_unmap_sd swiotlb_full=$m_full map_failed=$m_fail"
}

# Slots the flows hold: lent (percent > 0) or bounce slots (percent 0).
map_held() {
	if [ "$(cat "$P")" = 0 ]; then cat "$S"/io_tlb_used; else cat "$S"/io_tlb_zc_used; fi
}

# map_wait_hold CAP PID: up to 10 s for the flows to hold 95% of CAP.
map_wait_hold() {
	i=0
	while [ "$(map_held)" -lt $(($1 * 95 / 100)) ] && [ $i -lt 100 ]; do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	m_wait_ds=$i
}

# The greedy run's own result, a few keys renamed flows_*.
map_flows_keys() {
	for k in gbit_s zc_hiwater_slots pool_peak_slots map_errors csum_errors \
		 pool_balanced zc_fallbacks; do
		printf ' flows_%s=%s' $k "$(tr ' ' '\n' < "$D"/last | sed -n "s/^$k=//p")"
	done
}

# map_rounds: m_rounds runs of the tool; held slots sampled around each.
map_rounds() {
	r=0 m_failed=0 m_fulls=0 m_fulls_dev=0 m_fails=0 m_held_min='' m_used_max=0 m_lat=''
	while [ $r -lt "$m_rounds" ]; do
		h=$(map_held)
		[ -z "$m_held_min" ] || [ "$h" -lt "$m_held_min" ] && m_held_min=$h
		map_run
		h=$(map_held)
		[ "$h" -lt "$m_held_min" ] && m_held_min=$h
		u=$(cat "$S"/io_tlb_used)
		[ "$u" -gt "$m_used_max" ] && m_used_max=$u
		[ $m_ok = 1 ] && m_lat="$m_lat $m_map/$m_unmap"
		m_failed=$((m_failed + 1 - m_ok))
		m_fulls=$((m_fulls + m_full)) m_fulls_dev=$((m_fulls_dev + m_full_dev))
		m_fails=$((m_fails + m_fail))
		r=$((r + 1))
	done
	m_avg=$(echo "$m_lat" | tr ' /' '\n ' | awk 'NF == 2 {a += $1; b += $2; n++}
		END {if (n) printf "map_us=%.1f unmap_us=%.1f", a / n, b / n; else print "map_us= unmap_us="}')
}

map_hold() {
	label=$1
	shift
	kv=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do kv="$kv $1"; shift; done
	[ "${1:-}" = -- ] && shift
	# shellcheck disable=SC2086
	map_keys $kv || return 1
	[ -e $MB ] || { say "ERROR map-hold: no $MB (map-bind first)"; return 1; }
	cap=$(($(cat "$S"/io_tlb_nslabs) * m_cap_pct / 100))
	# 9/8 of the cap in flight (KiB; 2 KiB slots), spread over the flows
	infl=$((cap * 2 * 9 / 8 / m_flows))
	# the flows run until the last round is over: 10 s to fill, and the
	# rounds with their thread start and stop
	secs=$((12 + m_rounds * (m_seconds + 3)))
	echo 0 > "$S"/io_tlb_zc_used_hiwater
	load label="$label" senders="$m_flows" msg_size=65536 inflight_kb=$infl \
		seconds=$secs "$@" &
	pid=$!
	map_wait_hold $cap $pid
	map_rounds
	wait $pid || say "ERROR map-hold: zctx_bench $* failed"
	flows=$(map_flows_keys)
	rmmod zctx_bench
	say "RESULT mode=dma_map label=$label $(map_state) threads=$m_threads" \
		"granule=$m_granule dir=$m_dir seconds=$m_seconds flows=$m_flows" \
		"inflight_kb=$infl cap_slots=$cap held_min_slots=$m_held_min" \
		"used_max_slots=$m_used_max zc_hiwater=$(cat "$S"/io_tlb_zc_used_hiwater)" \
		"wait_s=$((m_wait_ds / 10)) rounds=$m_rounds failed_rounds=$m_failed" \
		"swiotlb_full=$m_fulls swiotlb_full_dev=$m_fulls_dev map_failed=$m_fails" \
		"$m_avg$flows"
}

map_cmd() {
	c=$1
	shift
	case $c in
	map-bind) map_bind "$@" ;;
	map-lat) map_lat "$@" ;;
	map-hold) map_hold "$@" ;;
	*) say "ERROR unknown plan line: $c $*" ;;
	esac
}
