#!/usr/bin/env bash
# make bench: build a small bootable kernel with zctx_bench as a module,
# an initramfs (busybox-static + the user-space sender), boot it under QEMU
# and run the benchmark sweep, then write results/<UTC time>/ with
# results.csv, the serial logs and the plots.
#
# Environment:
#   ZCTX_BENCH_SECONDS  seconds per point (default 2)
#   ZCTX_BENCH_PERCENT  zerocopy_tx_percent for "on" (default 50)
#   ZCTX_BENCH_REPEAT   runs per sweep point (default 1); plots use medians
#   ZCTX_BENCH_QUICK    1: the headline points only (1-2 queues, 2 senders,
#                       64 KiB, both device models; no percent sweep)
#   ZCTX_BENCH_QUEUES, ZCTX_BENCH_SENDERS, ZCTX_BENCH_MSGS, ZCTX_BENCH_MODELS
#                       sweep axes (default "1 2 4", "1 2 4 8", "1448 65536",
#                       "instant ring")
#   ZCTX_BENCH_COMPLETE_US, ZCTX_BENCH_LINE_MBIT  ring model: completion
#                       latency (default 50 us) and line rate (default 0:
#                       none) of the TX queues
#   ZCTX_BENCH_GREEDY_ARGS  extra zctx_bench parameters of the greedy runs
#                       (e.g. inflight_kb=4096)
#   ZCTX_BENCH_RING_GREEDY_ARGS  parameters of the greedy runs in the ring
#                       model (default "ring=8 inflight_kb=1024", see bench-lib.sh)
#   ZCTX_BENCH_POOL_ALLOC  page_pool source runs (label=pool) at each greedy
#                       point, one per variant (default "percpu lock"; ""
#                       for none); ZCTX_BENCH_POOL_SENDERS: at these sender
#                       counts only (default 2)
#   ZCTX_BENCH_SOCKETS  0: the main boot runs greedy senders only (no
#                       kernel TCP, user send() or MSG_ZEROCOPY rows)
#   ZCTX_BENCH_PLANS    boots to run: "main small nic map" (default; quick:
#                       "main nic map"); nic: the real-NIC mode (virtio-net behind
#                       a tap in a network namespace made for the run; root);
#                       map: dma_map_benchmark next to lending and on a kernel
#                       without the feature (bench-map.sh, its ZCTX_BENCH_MAP_*)
#   ZCTX_VCPUS          guest vCPUs (default 2)
#   ZCTX_ACCEL          tcg (default) or kvm
#   ZCTX_QEMU_CPU       QEMU -cpu model (default max,-erms for tcg: see
#                       bench-lib.sh; host for kvm)
#   ZCTX_TREE           use this kernel tree as is (skip deps and `make tree`)
#   ZCTX_BENCH_REBUILD  0: reuse the kernel and module already built in KOUT
#   ZCTX_BENCH_KOUT     kernel build dir (default $ZCTX_BUILD/bench-kernel)
#   ZCTX_RESULTS        results dir (default results/<UTC time>)
. "$(dirname "$0")/lib.sh"

SECS=${ZCTX_BENCH_SECONDS:-2}
PCT=${ZCTX_BENCH_PERCENT:-50}
if [ "${ZCTX_BENCH_QUICK:-0}" = 1 ]; then
	PLANS=${ZCTX_BENCH_PLANS:-main nic map}
else
	PLANS=${ZCTX_BENCH_PLANS:-main small nic map}
fi
STAMP_UTC=$(date -u +%Y%m%dT%H%M%SZ)
OUTDIR=${ZCTX_RESULTS:-$REPO/results/$STAMP_UTC}
T_ALL=$(now)

# 1. Dependencies and the tree.
if [ -n "${ZCTX_TREE:-}" ]; then
	TREE=$(realpath "$ZCTX_TREE")
	log "bench: using the tree $TREE as is (ZCTX_TREE)"
else
	"$REPO/tools/zctx/deps.sh"
	"$REPO/tools/zctx/tree.sh"
fi
[ -f "$TREE/lib/zctx_bench/main.c" ] || die "$TREE/lib/zctx_bench/main.c missing: is the tree assembled?"

# 2. Kernel + module + initramfs (shared with bench-smoke.sh).
. "$REPO/tools/zctx/bench-lib.sh"
T0=$(now)
bench_build_kernel
bench_build_initramfs "$SECS" "$PCT"
case " $PLANS " in *" map "*) map_build_off_kernel "$SECS" "$PCT" ;; esac
T_BUILD=$(elapsed "$T0")

# 3. Boot once per plan.
mkdir -p "$OUTDIR"
T0=$(now)
for plan in $PLANS; do
	case $plan in
	small) pool="swiotlb=8192,force" ;;
	*) pool="swiotlb=force" ;;
	esac
	if [ "$plan" = map ]; then
		map_boots "$OUTDIR" || warn "the map boots did not finish cleanly; see $OUTDIR/serial-map*.log"
		continue
	fi
	if [ "$plan" = nic ]; then
		bench_nic_boot "$OUTDIR/serial-nic.log" ||
			warn "boot 'nic' did not finish cleanly; see $OUTDIR/serial-nic.log"
		continue
	fi
	bench_boot "$plan" "$pool" "$OUTDIR/serial-$plan.log" ||
		warn "boot '$plan' did not finish cleanly; see $OUTDIR/serial-$plan.log"
done
T_RUN=$(elapsed "$T0")

# 4. results.csv, plots, summary.
bench_results_csv "$OUTDIR/results.csv" "$OUTDIR"/serial-*.log
log "results: $OUTDIR/results.csv ($(grep -vc '^#' "$OUTDIR/results.csv") lines incl. header)"
if command -v gnuplot >/dev/null; then
	"$REPO/tools/plot/plot.sh" "$OUTDIR/results.csv" "$OUTDIR" ||
		warn "plotting failed"
else
	warn "gnuplot not installed: no plots (make deps installs gnuplot-nox)"
fi
python3 "$REPO/tools/zctx/bench_summary.py" "$OUTDIR/results.csv" |
	tee "$OUTDIR/summary.txt"
# table.txt: the summary with how it was made, for the cover letter
# (make series takes the latest; patches/bench-table.txt is a copy).
{
	echo "Command: make bench (ZCTX_BENCH_SECONDS=$SECS ZCTX_BENCH_PERCENT=$PCT" \
		"ZCTX_BENCH_REPEAT=${ZCTX_BENCH_REPEAT:-1} ZCTX_BENCH_QUICK=${ZCTX_BENCH_QUICK:-0}" \
		"ZCTX_BENCH_COMPLETE_US=${ZCTX_BENCH_COMPLETE_US:-50} ZCTX_BENCH_LINE_MBIT=${ZCTX_BENCH_LINE_MBIT:-0}), $(date -u +%Y-%m-%d)"
	echo "Guest: $(sed -n "s/^kernel_version=//p" "$ZCTX_BUILD/base-info.txt" 2>/dev/null |
		head -n 1 | sed 's/^/Linux /')${TREE:+ + this series}, QEMU $ACCEL (-cpu $QEMU_CPU)," \
		"$VCPUS vCPUs, 2 GiB, swiotlb=force (64 MiB pool; the percent sweep:"
	echo "swiotlb=8192,force, 16 MiB). Host: $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)."
	echo "Greedy rows: zctx_bench mode=greedy dev_model=m queues=q senders=s" \
		"msg_size=msg seconds=$SECS; tcp rows:"
	echo "kernel TCP sockets (mode=tcp); user rows: send() / MSG_ZEROCOPY from" \
		"a user-space sender. Medians of the repeats."
	echo "Device models: instant (every packet accepted and completed at once)," \
		"ring (TX ring of 64"
	echo "descriptors per queue, BQL, completions ${ZCTX_BENCH_COMPLETE_US:-50} us" \
		"after the packet left, paced by an hrtimer and a NAPI poll)."
	echo "Pool rows: greedy senders with source=pool (page_pools of the device," \
		"read in place, no PP_FLAG_DMA_MAP;"
	echo "decryption is a no-op outside a CoCo guest), pool_alloc=${ZCTX_BENCH_POOL_ALLOC-percpu lock}," \
		"lending off, at ${ZCTX_BENCH_POOL_SENDERS:-2} senders."
	echo
	cat "$OUTDIR/summary.txt"
} > "$OUTDIR/table.txt"
log "timings: build $T_BUILD, guest runs $T_RUN, total $(elapsed "$T_ALL")"
log "output: $OUTDIR"
