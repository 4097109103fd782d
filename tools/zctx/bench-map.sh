# shellcheck shell=bash
# The "map" plan of make bench (issue 13): what lending costs other I/O
# and users who never turn it on, measured with the in-tree
# dma_map_benchmark (kernel/dma/map_benchmark.c, CONFIG_DMA_MAP_BENCHMARK)
# bound to a QEMU PCI device through driver_override, and its user tool
# (tools/testing/selftests/dma/dma_map_benchmark.c, built static). Sourced
# by bench-lib.sh. Two boots, swiotlb=force (the PCI device bounces):
#
#   map      the bench kernel. 1. A second device under a held cap: 8
#            greedy zctx_bench flows (ring device model, 100 ms
#            completions) keep 9/8 of the lending cap in flight while
#            dma_map_benchmark maps 256 KiB (64 pages, swiotlb's largest
#            mapping) continuously, rounds of one second; the same with
#            lending off (percent 0: the flows hold bounce slots instead).
#            2. Map/unmap latency, 1 and 64 pages, DMA_TO_DEVICE, with
#            zerocopy_tx_percent=0 and with lending on but idle.
#   map-off  a second kernel with CONFIG_SWIOTLB_ZEROCOPY_TX=n (no
#            zctx_bench): the same latency points.
#
# Environment (bad values: one message, exit 1):
#   ZCTX_BENCH_MAP_DEVICE   QEMU PCI device lent to dma_map_benchmark:
#                           edu (default) or pci-testdev
#   ZCTX_BENCH_MAP_ROUNDS   one-second map rounds under the held cap (5)
#   ZCTX_BENCH_MAP_THREADS  dma_map_benchmark threads (2)
#   ZCTX_BENCH_MAP_SECONDS  seconds per latency point (2)
#   ZCTX_BENCH_MAP_REPEAT   repeats of every point (3; quick: 2)
#   ZCTX_BENCH_MAP_KOUT     the kernel with the feature compiled out
#                           (default $ZCTX_BUILD/bench-kernel-off)

MAP_KOUT=${ZCTX_BENCH_MAP_KOUT:-$ZCTX_BUILD/bench-kernel-off}

# map_num NAME VALUE MIN MAX: VALUE, or exit with one message.
map_num() {
	if ! [[ $2 =~ ^[0-9]{1,9}$ ]] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		die "invalid $1='$2': must be a number from $3 to $4"
	fi
	echo "$2"
}

# The knobs, checked; sets MAP_QDEV (QEMU -device) and MAP_IDS (guest ids).
map_settings() {
	case ${ZCTX_BENCH_MAP_DEVICE:-edu} in
	edu) MAP_QDEV=edu MAP_IDS=0x1234:0x11e8 ;;
	pci-testdev) MAP_QDEV=pci-testdev MAP_IDS=0x1b36:0x0005 ;;
	*) die "invalid ZCTX_BENCH_MAP_DEVICE='$ZCTX_BENCH_MAP_DEVICE': edu or pci-testdev" ;;
	esac
	local rep=3
	[ "${ZCTX_BENCH_QUICK:-0}" = 1 ] && rep=2
	MAP_ROUNDS=$(map_num ZCTX_BENCH_MAP_ROUNDS "${ZCTX_BENCH_MAP_ROUNDS:-5}" 1 100)
	MAP_THREADS=$(map_num ZCTX_BENCH_MAP_THREADS "${ZCTX_BENCH_MAP_THREADS:-2}" 1 64)
	MAP_SECS=$(map_num ZCTX_BENCH_MAP_SECONDS "${ZCTX_BENCH_MAP_SECONDS:-2}" 1 300)
	MAP_REPEAT=$(map_num ZCTX_BENCH_MAP_REPEAT "${ZCTX_BENCH_MAP_REPEAT:-$rep}" 1 20)
}

# map_build_tool OUT: the selftest's user tool, static. Its header is not
# UAPI: give it include/linux/map_benchmark.h alone.
map_build_tool() {
	local inc
	inc=$(mktemp -d)
	mkdir -p "$inc/linux"
	cp "$TREE/include/linux/map_benchmark.h" "$inc/linux/"
	gcc -static -O2 -Wall -I"$inc" -o "$1" \
		"$TREE/tools/testing/selftests/dma/dma_map_benchmark.c" ||
		{ rm -rf "$inc"; die "cannot build dma_map_benchmark (gcc -static)"; }
	rm -rf "$inc"
}

# map_lat_points PERCENT...: the latency points, each percent in turn
# (none: the kernel without the feature).
map_lat_points() {
	local g p
	for _ in $(seq "$MAP_REPEAT"); do for g in 1 64; do for p in "$@"; do
		[ "$p" = none ] || echo "percent $p"
		echo "map-lat lat threads=$MAP_THREADS granule=$g dir=1 seconds=$MAP_SECS"
	done; done; done
}

# map_write_plans DIR SECS PCT: plans "map" and "map-off".
map_write_plans() {
	local dir=$1 pct=$3 p
	map_settings
	{
		echo "# a second device maps 256 KiB continuously while 8 flows hold"
		echo "# the lending cap (lent pages, or bounce slots with percent 0)"
		echo "map-bind $MAP_IDS"
		for _ in $(seq "$MAP_REPEAT"); do for p in 0 "$pct"; do
			echo "percent $p"
			echo "map-hold hold rounds=$MAP_ROUNDS flows=8 cap_pct=$pct" \
				"threads=$MAP_THREADS granule=64 dir=1 seconds=1 --" \
				"dev_model=ring ring=1024 complete_us=100000 queues=2 memcpy_ms=0"
		done; done
		echo "# map/unmap latency: compiled in, percent 0 and lending on but idle"
		map_lat_points 0 "$pct"
		echo "percent 0"
	} > "$dir/map"
	{
		echo "# map/unmap latency on the kernel without the feature"
		echo "map-bind $MAP_IDS"
		map_lat_points none
	} > "$dir/map-off"
}

# The second benchmark kernel and its initramfs: bench-kernel.config with
# CONFIG_SWIOTLB_ZEROCOPY_TX=n (and no zctx_bench), in its own dir.
map_build_off_kernel() {
	# shellcheck disable=SC2034 # KOUT, INITRD: read by the bench_* functions
	local KOUT=$MAP_KOUT INITRD=$MAP_KOUT/initramfs.cpio.gz
	BENCH_FRAG_EXTRA=$REPO/tools/zctx/bench-kernel-off.config BENCH_NO_ZCTX=1 \
		bench_build_kernel
	! grep -q '^CONFIG_SWIOTLB_ZEROCOPY_TX=y' "$KOUT/.config" ||
		die "$KOUT/.config still has CONFIG_SWIOTLB_ZEROCOPY_TX=y"
	grep -qx CONFIG_DMA_MAP_BENCHMARK=y "$KOUT/.config" ||
		die "CONFIG_DMA_MAP_BENCHMARK=y is not possible in $TREE"
	bench_build_initramfs "$1" "$2"
}

# map_boots OUTDIR: both boots, with the PCI device for the benchmark.
map_boots() {
	local rc=0 extra
	map_settings
	# A hold step: up to 10 s to fill, the rounds, the flows' remaining time.
	extra=$(( MAP_REPEAT * 2 * (MAP_ROUNDS * 8 + 60) ))
	BENCH_QEMU_DEV="-device $MAP_QDEV" BENCH_BOOT_EXTRA_S=$extra \
		bench_boot map "swiotlb=force" "$1/serial-map.log" || rc=1
	# shellcheck disable=SC2034 # KOUT, INITRD: read by bench_boot
	local KOUT=$MAP_KOUT INITRD=$MAP_KOUT/initramfs.cpio.gz
	BENCH_QEMU_DEV="-device $MAP_QDEV" \
		bench_boot map-off "swiotlb=force" "$1/serial-map-off.log" || rc=1
	return $rc
}
