#!/usr/bin/env bash
# In-guest smoke test of zctx_bench: boot the benchmark kernel once and run
# the module briefly with zero-copy off and on (greedy senders and kernel
# TCP), then assert the accounting, not the speed: copies per byte > 1.9
# off and < 1.1 on, no checksum errors, the pool balanced after each run.
# Loading with bad parameters must fail with one message naming the
# parameter; unloading in the middle of a run must stop it cleanly. A
# second boot with a tiny pool (swiotlb=1024,force, 2 MiB) and more data
# in flight than it holds must fall back, make progress and stay balanced.
# A third boot turns lending on only from the kernel command line
# (swiotlb.zerocopy_tx_percent=, sysctl.net.core.swiotlb_tx_lend=1) and
# must lend. Last line: "N passed, N failed". Same environment as bench.sh
# (ZCTX_TREE, ZCTX_BENCH_KOUT, ZCTX_VCPUS, ZCTX_ACCEL); ZCTX_BENCH_SECONDS
# defaults to 1 here.
. "$(dirname "$0")/lib.sh"

export ZCTX_BENCH_SECONDS=${ZCTX_BENCH_SECONDS:-1}
T_ALL=$(now)
if [ -n "${ZCTX_TREE:-}" ]; then
	TREE=$(realpath "$ZCTX_TREE")
else
	"$REPO/tools/zctx/deps.sh"
	"$REPO/tools/zctx/tree.sh"
fi
. "$REPO/tools/zctx/bench-lib.sh"
T0=$(now)
bench_build_kernel
bench_build_initramfs "$ZCTX_BENCH_SECONDS" "${ZCTX_BENCH_PERCENT:-50}"
t_build=$(elapsed "$T0")
OUT=$KOUT/smoke
mkdir -p "$OUT"
T0=$(now)
rc=0
bench_boot smoke "swiotlb=force" "$OUT/serial.log" || rc=$?
bench_boot smoke-tiny "swiotlb=1024,force swiotlb.zerocopy_tx_percent=abc" \
	"$OUT/serial-tiny.log" || rc=$?
# Lending on from the command line only: the module parameter and the
# init_net sysctl (do_sysctl_args() writes /proc/sys as pid 1, in init_net).
bench_boot smoke-cmdline "swiotlb=force swiotlb.zerocopy_tx_percent=${ZCTX_BENCH_PERCENT:-50} sysctl.net.core.swiotlb_tx_lend=1" \
	"$OUT/serial-cmdline.log" || rc=$?
t_run=$(elapsed "$T0")
logs=("$OUT/serial.log" "$OUT/serial-tiny.log" "$OUT/serial-cmdline.log")
bench_results_csv "$OUT/results.csv" "${logs[@]}"
log "smoke: build $t_build, boots+runs $t_run, total $(elapsed "$T_ALL"); logs $OUT/serial*.log"
pat='^ZCTX_(ERROR|KMSG)|Kernel panic'
gerr=$(cat "${logs[@]}" | grep -cE "$pat" || true)
cat "${logs[@]}" | grep -E "$pat" >&2 || true
python3 "$REPO/tools/zctx/bench_summary.py" --smoke --guest-errors "$gerr" \
	--log "$OUT/serial.log" --log "$OUT/serial-tiny.log" \
	--log "$OUT/serial-cmdline.log" "$OUT/results.csv" || rc=1
exit $rc
