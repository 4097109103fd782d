#!/usr/bin/env bash
# make check step "scan": what reaches the swiotlb pool, seen from the host
# (issue 12). Boots the KUnit kernel (.kunitconfig builds zctx_bench as a
# module, virtio-net and iptables' nat table) under QEMU TCG with
# swiotlb=force, -m 5G (x86 then logs the pool's physical range), lending
# on, a virtio-net NIC on QEMU user networking with iommu_platform=on and a
# QMP socket. The NIC is virtio-net-pci on the pc machine if the kernel has
# CONFIG_VIRTIO_PCI, otherwise virtio-mmio on the microvm machine (what
# .kunitconfig builds: CONFIG_PCI would rebuild most of the kernel). The guest (tools/zctx/guest/scan-init) sends 2 MiB of a
# distinct 16-byte marker over each path:
#   ETH  zctx0, zctx_bench's bouncing device: must be lent and its marker
#        found in the pool (the positive control)
#   RDR  to 192.0.2.2 through zctx0's route, redirected to a local
#        listener by iptables -t nat -A OUTPUT ... -j REDIRECT: must not be
#        lent nor found
#   LOC  127.0.0.1: must not be lent nor found
# then the host saves the pool (QMP pmemsave) and searches the dump
# (tools/zctx/pool_scan.py). Also checked: every stream arrived intact, the
# guest's io_tlb_zc_allocs grew for ETH only, and /proc/net/netstat
# TxLendLocalDelivery is still 0. A second dump after bringing up the virtio-net
# NIC (its receive buffers must take bounce slots) must not hold loopback
# payload sent before and while the NIC came up (LRX) nor of the first
# phase (LOC): stale receive-buffer contents copied into RX bounce slots
# (issue 12 item 6; virtio-net maps them with DMA_ATTR_NO_PRESERVE).
# Last line: "scan: N passed, N failed".
#   ZCTX_SCAN_KOUT  kernel build dir (default $ZCTX_BUILD/kunit; must hold
#                   arch/x86/boot/bzImage and lib/zctx_bench.ko; if it does
#                   not, the kunit step is run first to build it)
. "$(dirname "$0")/lib.sh"

T_ALL=$(now)
export ZCTX_BENCH_KOUT=${ZCTX_SCAN_KOUT:-$ZCTX_BUILD/kunit}
if [ ! -f "$ZCTX_BENCH_KOUT/arch/x86/boot/bzImage" ] ||
   [ ! -f "$ZCTX_BENCH_KOUT/lib/zctx_bench.ko" ]; then
	log "scan: no KUnit kernel in $ZCTX_BENCH_KOUT: running the kunit step to build it"
	"$REPO/tools/zctx/kunit.sh" "$REPO/.kunitconfig" > "$ZCTX_BUILD/scan-kunit.log" 2>&1 ||
		warn "kunit step failed (building the kernel for scan): $ZCTX_BUILD/scan-kunit.log"
else
	"$REPO/tools/zctx/deps.sh"
	"$REPO/tools/zctx/tree.sh"
fi
. "$REPO/tools/zctx/bench-lib.sh"
OUT=$KOUT/scan
SINITRD=$OUT/initramfs.cpio.gz
mkdir -p "$OUT"

for c in CONFIG_VIRTIO_NET=y CONFIG_IP_NF_NAT=y \
	 CONFIG_NETFILTER_XT_TARGET_REDIRECT=y CONFIG_ZCTX_BENCH=m; do
	grep -qx "$c" "$KOUT/.config" || die "scan: $KOUT/.config lacks $c (see .kunitconfig)"
done
if grep -qx CONFIG_VIRTIO_PCI=y "$KOUT/.config"; then
	machine=(-M pc)
	nic=virtio-net-pci,netdev=n0,iommu_platform=on,disable-legacy=on
	kacpi=
elif grep -qx CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y "$KOUT/.config"; then
	# QEMU adds the device to the kernel command line (acpi=off). A legacy
	# (version 1) virtio-mmio device has 32 feature bits: no
	# VIRTIO_F_ACCESS_PLATFORM (bit 33), so no DMA API and no bouncing.
	machine=(-M "microvm,acpi=off" -global virtio-mmio.force-legacy=false)
	nic=virtio-net-device,netdev=n0,iommu_platform=on
	kacpi=acpi=off
else
	die "scan: $KOUT/.config has neither CONFIG_VIRTIO_PCI nor CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES"
fi

# scan_copy_elf FILE ROOT: FILE and the shared libraries it needs, at the
# same paths under ROOT.
scan_copy_elf() {
	local f=$1 root=$2 l
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
	for l in $(ldd "$f" | grep -oE '/[^ ]+' || true); do
		[ -e "$root$l" ] && continue
		mkdir -p "$root$(dirname "$l")"
		cp -L "$l" "$root$l"
	done
}

scan_build_initramfs() {
	local st=$OUT/initramfs x
	local xt=/usr/lib/x86_64-linux-gnu/xtables
	rm -rf "$st"
	mkdir -p "$st"/{bin,sbin,proc,sys,dev,tmp,run,lib/modules}
	cp /bin/busybox "$st/bin/busybox"
	install -m 0755 "$GUEST/scan-init" "$st/init"
	gcc -static -O2 -Wall -o "$st/bin/zctx_mark" "$GUEST/zctx_mark.c" ||
		die "cannot build tools/zctx/guest/zctx_mark.c (gcc -static)"
	# iptables-legacy from the host's Debian package (tools/zctx/deps.sh)
	[ -x /usr/sbin/xtables-legacy-multi ] ||
		die "/usr/sbin/xtables-legacy-multi missing: apt-get install iptables"
	scan_copy_elf /usr/sbin/xtables-legacy-multi "$st"
	ln -s xtables-legacy-multi "$st/usr/sbin/iptables-legacy"
	for x in libxt_standard libxt_tcp libxt_REDIRECT; do
		scan_copy_elf "$xt/$x.so" "$st"
	done
	kmake -s modules_install INSTALL_MOD_PATH="$st" INSTALL_MOD_STRIP=1 >/dev/null
	(cd "$st" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 > "$SINITRD"
	log "scan: initramfs $SINITRD ($(du -h "$SINITRD" | cut -f1))"
}

scan_build_initramfs
nonce=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
qmp=$OUT/qmp.sock
rm -f "$OUT"/pool-*.bin
log "scan: boot (${machine[*]}, swiotlb=force, -m 5G, $nic, accel=$ACCEL, nonce $nonce)"
rc=0
python3 "$REPO/tools/zctx/pool_scan.py" --qmp "$qmp" --log "$OUT/serial.log" \
	--dump-dir "$OUT" --nonce "$nonce" --timeout 900 \
	--lent ETH --not-lent RDR --not-lent LOC --zero-counter TxLendLocalDelivery \
	--expect "tx:ETH:found:ETH over zctx0, lent (positive control)" \
	--expect "tx:RDR:absent:REDIRECTED to a local listener by iptables nat OUTPUT" \
	--expect "tx:LOC:absent:LO over 127.0.0.1" \
	--nic-bounces \
	--expect "rx:LRX:absent:LO payload in RX bounce slots after the virtio-net NIC came up (issue 12 item 6)" \
	--expect "rx:LOC:absent:LO payload of the first phase in RX bounce slots" \
	--report "rx:ETH:ETH marker still in the second dump" \
	-- qemu-system-x86_64 "${machine[@]}" -accel "$ACCEL" -cpu "$QEMU_CPU" \
	-smp "$VCPUS" -m 5G \
	-display none -no-reboot -serial stdio -monitor none \
	-qmp "unix:$qmp,server=on,wait=off" \
	-netdev user,id=n0 \
	-device "$nic" \
	-kernel "$KOUT/arch/x86/boot/bzImage" -initrd "$SINITRD" \
	-append "console=ttyS0 $kacpi swiotlb=force quiet panic=-1 no_timer_check kunit.enable=0 zctx.percent=${ZCTX_SCAN_PERCENT:-50} zctx.nonce=$nonce" ||
	rc=$?
rm -f "$qmp"
log "scan: total $(elapsed "$T_ALL"); log $OUT/serial.log"
exit $rc
