# shellcheck shell=bash
# Shared by bench.sh and bench-smoke.sh (source after lib.sh; $TREE set):
# build the benchmark kernel and initramfs, boot QEMU, collect results.

KOUT=${ZCTX_BENCH_KOUT:-$ZCTX_BUILD/bench-kernel}
FRAG=$REPO/tools/zctx/bench-kernel.config
GUEST=$REPO/tools/zctx/guest
INITRD=$KOUT/initramfs.cpio.gz
VCPUS=${ZCTX_VCPUS:-2}
ACCEL=${ZCTX_ACCEL:-tcg}
# TCG runs "rep movsb" one byte per iteration. With ERMS a guest kernel
# copies user data with it (copy_user_generic), but kernel-to-kernel
# memcpy() and the swiotlb bounce use 8-byte moves, so under TCG every
# user copy costs several times a bounce copy, which no real CPU does and
# which skews the very comparison the benchmark makes (user send() vs
# MSG_ZEROCOPY: 1.73 vs 2.31 Gbit/s with ERMS, 3.70 vs 2.07 without).
# Hide ERMS so that both copies take the same kind of loop.
if [ "$ACCEL" = kvm ]; then
	QEMU_CPU=${ZCTX_QEMU_CPU:-host}
else
	QEMU_CPU=${ZCTX_QEMU_CPU:-max,-erms}
fi

kmake() {
	make -C "$TREE" O="$KOUT" ARCH=x86_64 CC="ccache gcc" "$@"
}

# allnoconfig + tools/zctx/bench-kernel.config (+ BENCH_FRAG_EXTRA, a
# fragment merged after it: bench-map.sh builds the feature compiled out
# with it), rebuilt when the fragments change; then bzImage and modules.
# BENCH_NO_ZCTX=1: a kernel without the feature and zctx_bench.
bench_build_kernel() {
	local frags=("$FRAG" ${BENCH_FRAG_EXTRA:+"$BENCH_FRAG_EXTRA"})
	local ko=lib/zctx_bench.ko need="CONFIG_SWIOTLB_ZEROCOPY_TX=y CONFIG_ZCTX_BENCH=m"
	[ "${BENCH_NO_ZCTX:-0}" = 1 ] && ko=vmlinux need=
	if [ "${ZCTX_BENCH_REBUILD:-1}" = 0 ]; then
		if [ ! -f "$KOUT/arch/x86/boot/bzImage" ] || [ ! -f "$KOUT/$ko" ]; then
			die "ZCTX_BENCH_REBUILD=0 but $KOUT has no bzImage or $ko"
		fi
		log "bench: ZCTX_BENCH_REBUILD=0: using the kernel and module already in $KOUT"
		return 0
	fi
	mkdir -p "$KOUT" "$CCACHE_DIR"
	export CCACHE_BASEDIR=$ZCTX_BUILD CCACHE_NOHASHDIR=true
	local want have
	want=$(cat "${frags[@]}" | sha256sum | cut -c1-64)
	have=$(cat "$KOUT/.zctx-fragment" 2>/dev/null || true)
	if [ ! -f "$KOUT/.config" ] || [ "$want" != "$have" ]; then
		log "bench: configuring $KOUT (allnoconfig + ${frags[*]##*/})"
		kmake -s allnoconfig >/dev/null
		(cd "$TREE" && ./scripts/kconfig/merge_config.sh -m -O "$KOUT" \
			"$KOUT/.config" "${frags[@]}" >/dev/null)
		kmake -s olddefconfig
		echo "$want" > "$KOUT/.zctx-fragment"
	else
		kmake -s olddefconfig
	fi
	local c
	for c in $need CONFIG_DEBUG_FS=y; do
		grep -qx "$c" "$KOUT/.config" ||
			warn "$c is not in $KOUT/.config (the tree may lack the feature)"
	done
	[ -z "$need" ] || grep -qx CONFIG_ZCTX_BENCH=m "$KOUT/.config" ||
		die "CONFIG_ZCTX_BENCH=m is not possible in $TREE"
	log "bench: building bzImage + modules in $KOUT (ccache; first build takes 5-10 min)"
	kmake -j"$(nproc)" bzImage modules > "$KOUT/build.log" 2>&1 ||
		{ tail -n 40 "$KOUT/build.log" >&2; die "kernel build failed: $KOUT/build.log"; }
	grep -E 'warning:|error:' "$KOUT/build.log" | grep zctx_bench >&2 || true
}

# Plans for the guest's init (tools/zctx/guest/init). The main sweep:
# ZCTX_BENCH_MODELS (instant ring) x ZCTX_BENCH_MSGS (1448 65536) x
# ZCTX_BENCH_QUEUES (1 2 4) x ZCTX_BENCH_SENDERS (1 2 4 8), each point
# ZCTX_BENCH_REPEAT times with zero-copy off and on alternating; greedy
# senders first (one module load per run), then kernel TCP, user send()
# and user MSG_ZEROCOPY (off only) in one boot. ZCTX_BENCH_QUICK=1: only
# 1 and 2 queues, 2 senders, 64 KiB (the headline point), both models.
bench_sweep_axes() {
	if [ "${ZCTX_BENCH_QUICK:-0}" = 1 ]; then
		B_QUEUES=${ZCTX_BENCH_QUEUES:-1 2}
		B_SENDERS=${ZCTX_BENCH_SENDERS:-2}
		B_MSGS=${ZCTX_BENCH_MSGS:-65536}
	else
		B_QUEUES=${ZCTX_BENCH_QUEUES:-1 2 4}
		B_SENDERS=${ZCTX_BENCH_SENDERS:-1 2 4 8}
		B_MSGS=${ZCTX_BENCH_MSGS:-1448 65536}
	fi
	B_MODELS=${ZCTX_BENCH_MODELS:-instant ring}
	# Ring model: completion latency and line rate (0: none) per queue.
	B_RING="complete_us=${ZCTX_BENCH_COMPLETE_US:-50} line_mbit=${ZCTX_BENCH_LINE_MBIT:-0}"
	# Extra zctx_bench parameters of the greedy runs (e.g. inflight_kb=).
	B_GREEDY=${ZCTX_BENCH_GREEDY_ARGS:-}
	# Greedy senders in the ring model: a ring of 8 messages (64 KiB: the
	# 128-256 descriptors of a NIC ring) and 1 MiB in flight per sender
	# (TCP small queues allow ~1 ms of data), so that the ring fills and
	# the qdisc holds packets. With 64 descriptors and 256 KiB the ring
	# never fills and the senders win the qdisc after every wake (softirq
	# share 0.07 on the KUnit kernel, 0.62 with these).
	B_RING_GREEDY=${ZCTX_BENCH_RING_GREEDY_ARGS-ring=8 inflight_kb=1024}
	# The page_pool source (source=pool, issue 16) at the points with
	# these sender counts, once per allocation variant, next to the
	# bounce and lend runs of the same point (lending off: the pool is
	# the only page source). ZCTX_BENCH_POOL_ALLOC="" leaves it out.
	B_POOL_SENDERS=${ZCTX_BENCH_POOL_SENDERS:-2}
	B_POOL_ALLOC=${ZCTX_BENCH_POOL_ALLOC-percpu lock}
}

# pool_points SENDERS ARGS...: the page_pool runs of one sweep point.
pool_points() {
	local s=$1 a
	shift
	case " $B_POOL_SENDERS " in *" $s "*) ;; *) return 0 ;; esac
	for a in $B_POOL_ALLOC; do
		echo "percent 0"
		echo "greedy label=pool $* source=pool pool_alloc=$a"
	done
}

write_main_plan() {
	local secs=$1 pct=$2 msg q s p r m ga rep=${ZCTX_BENCH_REPEAT:-1}
	bench_sweep_axes
	echo "# greedy sweep: device model x msg size x queues x senders, zerocopy"
	echo "# off and on alternating point by point, so that a drift of the"
	echo "# host (TCG throughput moves by 2-3x over minutes) hits both"
	for m in $B_MODELS; do
		ga=$B_GREEDY
		[ "$m" = ring ] && ga="$B_RING_GREEDY $B_GREEDY"
		for msg in $B_MSGS; do for q in $B_QUEUES; do for s in $B_SENDERS; do
			for r in $(seq "$rep"); do
				for p in 0 "$pct"; do
					echo "percent $p"
					echo "greedy label=sweep dev_model=$m $B_RING $ga queues=$q senders=$s msg_size=$msg seconds=$secs"
				done
				pool_points "$s" "dev_model=$m $B_RING $ga queues=$q senders=$s msg_size=$msg seconds=$secs"
			done
		done; done; done
	done
	# ZCTX_BENCH_SOCKETS=0: greedy senders only (e.g. for the page_pool rows).
	[ "${ZCTX_BENCH_SOCKETS:-1}" = 0 ] && return 0
	echo "# real sockets, same boot: kernel TCP, user send(), MSG_ZEROCOPY"
	echo "tcp-setup"
	for m in $B_MODELS; do
		echo "params dev_model=$m $B_RING"
		for msg in $B_MSGS; do for q in $B_QUEUES; do for s in $B_SENDERS; do
			for r in $(seq "$rep"); do
				for p in 0 "$pct"; do
					echo "percent $p"
					echo "tcp label=tcp dev_model=$m queues=$q senders=$s msg_size=$msg seconds=$secs"
					echo "user $q -l user -n $s -s $msg -t $secs"
				done
				echo "percent 0"
				echo "user $q -l user -z -n $s -s $msg -t $secs"
			done
		done; done; done
	done
	echo "unload"
}

write_plans() {
	local dir=$1 secs=$2 pct=$3 p v s r
	mkdir -p "$dir"
	write_main_plan "$secs" "$pct" > "$dir/main"
	map_write_plans "$dir" "$secs" "$pct"
	{
		echo "# zerocopy_tx_percent sweep on a small pool (swiotlb=8192,force:"
		echo "# 16 MiB); 4 senders with up to 4 MiB in flight each, like 4 TCP flows"
		for p in 0 1 2 5 10 25 50 75 90; do
			echo "percent $p"
			echo "greedy label=pct queues=1 senders=4 msg_size=65536 inflight_kb=4096 seconds=$secs"
		done
	} > "$dir/small"
	{
		echo "# real NIC: virtio-net (iommu_platform=on) behind a tap, to the"
		echo "# host's sink; user send() off/on and MSG_ZEROCOPY"
		echo "nic-setup $NIC_GUEST/24"
		for s in 1 2; do
			for r in $(seq "${ZCTX_BENCH_REPEAT:-1}"); do
				for p in 0 "$pct"; do
					echo "percent $p"
					echo "nic -l nic -d $NIC_HOST -n $s -s 65536 -t $secs"
				done
				echo "percent 0"
				echo "nic -l nic -d $NIC_HOST -z -n $s -s 65536 -t $secs"
			done
		done
	} > "$dir/nic"
	{
		echo "# bench-smoke: accounting with zerocopy off and on, both"
		echo "# device models. Ring: 8 descriptors and more in flight than"
		echo "# they hold, so the queue stops, packets wait in the qdisc and"
		echo "# net_tx_action() bounces some of them (zero-copy off) even on a"
		echo "# kernel without high-resolution timers. verify_stride=1: the"
		echo "# device model checks every payload byte through its DMA address"
		for m in "dev_model=instant" "dev_model=ring ring=8 inflight_kb=1024"; do
			for p in 0 "$pct"; do
				echo "percent $p"
				echo "greedy label=smoke $m queues=1 senders=2 msg_size=65536 verify_stride=1 seconds=$secs"
			done
		done
		echo "# page_pool source: both allocation variants, both device"
		echo "# models; pages back in their pool, nothing released"
		echo "percent 0"
		for m in "dev_model=instant" "dev_model=ring ring=8 inflight_kb=1024"; do
			for a in percpu lock; do
				echo "greedy label=smokepool $m source=pool pool_alloc=$a queues=1 senders=2 msg_size=65536 seconds=$secs"
			done
		done
		echo "tcp-setup"
		for m in instant ring; do
			for p in 0 "$pct"; do
				echo "percent $p"
				echo "tcp label=smoke dev_model=$m queues=1 senders=1 msg_size=65536 verify_stride=1 seconds=$secs"
			done
		done
		echo "# user-space send(): copies per byte from the kernel's counters"
		echo "params dev_model=instant"
		for p in 0 "$pct"; do
			echo "percent $p"
			echo "user 1 -l smoke -n 1 -s 65536 -t $secs"
		done
		echo "# bad writes: -EINVAL, one message, the old value kept"
		for v in -1 91 abc "" 99999999999999999999 0x; do
			echo "bad-write /sys/module/swiotlb/parameters/zerocopy_tx_percent $v"
		done
		for v in 5 abc ""; do
			echo "bad-write /sys/kernel/debug/swiotlb/io_tlb_zc_used_hiwater $v"
		done
		echo "good-write /sys/kernel/debug/swiotlb/io_tlb_zc_used_hiwater 0 0"
		for v in 2 -1 abc 99999999999999999999; do
			echo "bad-write /proc/sys/net/core/swiotlb_tx_lend $v"
		done
		echo "good-write /proc/sys/net/core/swiotlb_tx_lend 1 1"
		for v in senders=-1 queues=99999999999999999999 msg_size=abc \
			 senders= nosuchkey=1 mode=bogus ring=3 dev_model=bogus; do
			echo "bad-write /sys/kernel/debug/zctx_bench/params $v"
		done
		echo "bad-write /sys/kernel/debug/zctx_bench/run senders=0"
		echo "bad-write /sys/kernel/debug/zctx_bench/params source=bogus"
		echo "bad-write /sys/kernel/debug/zctx_bench/params pool_alloc=bogus"
		echo "bad-write /sys/kernel/debug/zctx_bench/params elig_checks=1000001"
		# (one word: the module's mode is tcp after the runs above)
		echo "bad-write /sys/kernel/debug/zctx_bench/run source=pool"
		echo "unload"
		echo "expect-einval senders senders=0"
		echo "expect-einval queues queues=17"
		echo "expect-einval msg_size msg_size=100000"
		echo "expect-einval mode mode=tcp"
		echo "expect-einval dev_model dev_model=nic"
		echo "expect-einval source source=bogus"
		echo "expect-einval pool_alloc pool_alloc=bogus"
		echo "expect-einval elig_checks elig_checks=2000000"
		echo "expect-einval source source=pool senders=64 inflight_kb=65536"
		echo "# unloading in the middle of a run"
		echo "percent $pct"
		echo "interrupt greedy 2 label=intr queues=1 senders=2 msg_size=65536 seconds=120"
		echo "interrupt tcp 2 label=intr queues=1 senders=2 msg_size=65536 seconds=120"
	} > "$dir/smoke"
	{
		echo "# bench-smoke on a tiny pool (swiotlb=1024,force: 2 MiB) with"
		echo "# more in flight than it holds: fallback pages, no stall"
		echo "bad-cmdline /sys/module/swiotlb/parameters/zerocopy_tx_percent 0 zerocopy_tx_percent: 'abc' is not a number"
		for p in 90 2 0; do
			echo "percent $p"
			echo "hiwater-reset"
			echo "greedy label=tiny queues=2 senders=2 msg_size=65536 inflight_kb=4096 seconds=$secs"
		done
		echo "tcp-setup"
		echo "percent 90"
		echo "hiwater-reset"
		echo "tcp label=tiny queues=1 senders=2 msg_size=65536 seconds=$secs"
		echo "unload"
	} > "$dir/smoke-tiny"
	{
		echo "# bench-smoke, third boot: lending turned on only by the kernel"
		echo "# command line (swiotlb.zerocopy_tx_percent=$pct"
		echo "# sysctl.net.core.swiotlb_tx_lend=1); no runtime write of either"
		echo "expect-value /sys/module/swiotlb/parameters/zerocopy_tx_percent $pct"
		echo "expect-value /proc/sys/net/core/swiotlb_tx_lend 1"
		echo "tcp-setup"
		echo "tcp label=cmdline dev_model=instant queues=1 senders=1 msg_size=65536 seconds=$secs"
		echo "params dev_model=instant"
		echo "user 1 -l cmdline -n 1 -s 65536 -t $secs"
		echo "unload"
	} > "$dir/smoke-cmdline"
}

bench_build_initramfs() {
	local secs=$1 pct=$2 st=$KOUT/initramfs
	rm -rf "$st"
	mkdir -p "$st"/{bin,sbin,proc,sys,dev,tmp,plans,lib/modules}
	cp /bin/busybox "$st/bin/busybox"
	file -L "$st/bin/busybox" 2>/dev/null | grep -q 'statically linked' ||
		ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' ||
		warn "/bin/busybox may not be static (install busybox-static)"
	install -m 0755 "$GUEST/init" "$st/init"
	gcc -static -O2 -Wall -o "$st/bin/zctx_send" "$GUEST/zctx_send.c" ||
		die "cannot build the user-space sender (gcc -static)"
	install -m 0644 "$GUEST/map.sh" "$st/lib/zctx-map.sh"
	map_build_tool "$st/bin/dma_map_benchmark"
	kmake -s modules_install INSTALL_MOD_PATH="$st" INSTALL_MOD_STRIP=1 >/dev/null
	write_plans "$st/plans" "$secs" "$pct"
	(cd "$st" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$INITRD"
	log "bench: initramfs $INITRD ($(du -h "$INITRD" | cut -f1))"
}

# bench_boot PLAN POOLARG LOG: boot, show progress, keep the serial log.
bench_boot() {
	local plan=$1 pool=$2 logf=$3 npts tmo rc=0
	npts=$(grep -cEv '^[[:space:]]*(#|$)' "$KOUT/initramfs/plans/$plan")
	tmo=$(( npts * (${ZCTX_BENCH_SECONDS:-2} + 20) + 180 + ${BENCH_BOOT_EXTRA_S:-0} ))
	log "bench: boot '$plan' ($npts steps, $pool, accel=$ACCEL, -cpu $QEMU_CPU, -smp $VCPUS, timeout ${tmo}s)"
	# shellcheck disable=SC2086 # BENCH_QEMU_NET, BENCH_QEMU_DEV: several words
	${BENCH_NETNS:+ip netns exec "$BENCH_NETNS"} \
	timeout -k 10 "$tmo" qemu-system-x86_64 -accel "$ACCEL" -cpu "$QEMU_CPU" \
		-smp "$VCPUS" -m 2048 -nographic -no-reboot ${BENCH_QEMU_NET:--nic none} \
		${BENCH_QEMU_DEV:-} \
		-kernel "$KOUT/arch/x86/boot/bzImage" -initrd "$INITRD" \
		-append "console=ttyS0 $pool quiet panic=-1 no_timer_check zctx.plan=$plan ${ZCTX_BENCH_KARGS:-}" \
		< /dev/null 2>&1 | sed -u 's/\r$//' | tee "$logf" |
		grep --line-buffered -E '^ZCTX_(PROGRESS|ERROR|KMSG|DONE)|Kernel panic|BUG:' |
		sed -u 's/^ZCTX_/[zctx]   /' >&2 || rc=$?
	grep -q '^ZCTX_DONE' "$logf" || { warn "boot '$plan': no ZCTX_DONE (timeout or crash)"; return 1; }
	return $rc
}

# Real-NIC mode (issue 15): the user-space sender through a virtio-net NIC
# with iommu_platform=on (so its DMA bounces through swiotlb=force) behind
# a tap device, to bench_sink.py on the host side. The tap, its address
# and the sink live in a network namespace made for the boot and removed
# after it; nothing is added to the machine's own namespace. QEMU's tap
# backend (vhost=off) gives the NIC checksum, SG and TSO offloads; each
# row says which it had (nic_offloads). Needs root (CAP_NET_ADMIN);
# otherwise, or if the namespace cannot be made, one row says "skipped"
# and why.
NIC_HOST=10.99.0.1
NIC_GUEST=10.99.0.2

bench_nic_skip() {
	warn "bench: real-NIC rows skipped: $2"
	echo "ZCTX_RESULT zctx_bench: label=nic mode=user_send dev_model=virtio skipped=$(echo "$2" | tr ' ' '_')" > "$1"
}

bench_nic_boot() {
	local logf=$1 ns=zctxbench$$ tap=zctxtap0 rc=0 sink
	[ "$(id -u)" = 0 ] || { bench_nic_skip "$logf" "not root: a tap device in a network namespace needs CAP_NET_ADMIN"; return 0; }
	command -v ip >/dev/null || { bench_nic_skip "$logf" "no ip command (iproute2)"; return 0; }
	ip netns add "$ns" 2>/dev/null || { bench_nic_skip "$logf" "ip netns add failed"; return 0; }
	if ! { ip -n "$ns" link set lo up &&
	       ip -n "$ns" tuntap add dev "$tap" mode tap &&
	       ip -n "$ns" addr add "$NIC_HOST/24" dev "$tap" &&
	       ip -n "$ns" link set "$tap" up; }; then
		ip netns del "$ns"
		bench_nic_skip "$logf" "cannot make a tap device in a network namespace"
		return 0
	fi
	ip netns exec "$ns" python3 "$REPO/tools/zctx/bench_sink.py" "$NIC_HOST" 5001 \
		> "${logf%.log}-sink.log" 2>&1 &
	sink=$!
	BENCH_NETNS=$ns BENCH_QEMU_NET="-netdev tap,id=n0,ifname=$tap,script=no,downscript=no,vhost=off -device virtio-net-pci,netdev=n0,iommu_platform=on,disable-legacy=on" \
		bench_boot nic "swiotlb=force" "$logf" || rc=$?
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null
	ip netns del "$ns"
	log "bench: real-NIC sink: $(awk -F'[= ]' '/^sink:/ {n++; b += $3; e += $5}
		END {printf "%d streams, %d bytes, %d checksum errors", n, b, e}' "${logf%.log}-sink.log")"
	return $rc
}

# bench_results_csv OUT LOG...: ZCTX_RESULT lines -> CSV with a header
# describing the machine.
bench_results_csv() {
	local out=$1; shift
	local qver model base kver
	qver=$(qemu-system-x86_64 --version | head -n 1)
	model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
	base=$(cat "$ZCTX_BUILD/base-info.txt" "$(dirname "$TREE")/base-info.txt" 2>/dev/null |
		sed -n 's/^package_version=//p' | head -n 1)
	kver=$(sed -n 's/.*ZCTX_INFO kernel=\([^ ]*\).*/\1/p' "$@" | head -n 1)
	{
		echo "# zctx benchmark results (tools/zctx/bench.sh), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "# base: $LINUX_PKG ${base:-unknown} (pinned $LINUX_PKG_VERSION); guest kernel: ${kver:-unknown}"
		echo "# tree: $(git -C "$TREE" describe --always --dirty 2>/dev/null || echo '?'); repo: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?')"
		echo "# qemu: $qver; accel: $ACCEL; cpu: $QEMU_CPU; vcpus: $VCPUS; memory: 2048 MiB"
		echo "# host: $model; $(nproc) cores; $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
		echo "# seconds per point: ${ZCTX_BENCH_SECONDS:-2}; zerocopy on = percent ${ZCTX_BENCH_PERCENT:-50}"
		sed -n 's/^ZCTX_RESULT \(zctx_bench: \)\{0,1\}//p' "$@" | python3 -c '
import sys
rows = [dict(kv.split("=", 1) for kv in l.split() if "=" in kv) for l in sys.stdin]
keys = []
for r in rows:
    keys += [k for k in r if k not in keys]
print(",".join(keys))
for r in rows:
    print(",".join(r.get(k, "") for k in keys))
'
	} > "$out"
}

# The "map" plan: dma_map_benchmark next to lending (issue 13).
# shellcheck source=bench-map.sh
. "$REPO/tools/zctx/bench-map.sh"
