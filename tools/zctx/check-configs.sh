#!/usr/bin/env bash
# make check-configs: the feature must build (and not change anything)
# wherever it is configured off or cannot exist, and must build and pass
# its suites on arm64, where CCA and pKVM guests bounce through swiotlb.
#
#   off     x86_64, CONFIG_SWIOTLB_ZEROCOPY_TX=n          build
#   nonet   x86_64, feature and its swiotlb suite, NET=n   build + run
#   noswiotlb  UML (no SWIOTLB at all), NET + INET         build
#   arm64   cross build of the feature, both suites, run on qemu-system-aarch64
#
#   ZCTX_CONFIGS="off nonet"  run a subset
. "$(dirname "$0")/lib.sh"

CONF=$REPO/tools/zctx/configs
"$REPO/tools/zctx/deps.sh"
if ! command -v aarch64-linux-gnu-gcc >/dev/null ||
   ! command -v qemu-system-aarch64 >/dev/null; then
	need_root_or_print apt-get install -y -q gcc-aarch64-linux-gnu qemu-system-arm
fi
"$REPO/tools/zctx/tree.sh"
export CCACHE_BASEDIR=$ZCTX_BUILD CCACHE_NOHASHDIR=true PYTHONDONTWRITEBYTECODE=1

summary=()
fail=0
kunit() {	# name action arch kunitconfig [extra kunit.py args...]
	local name=$1 action=$2 arch=$3 kconf=$4; shift 4
	local t0 rc=0 out=$ZCTX_BUILD/configs-$name
	t0=$(now)
	log "config $name: kunit.py $action --arch=$arch ($kconf)"
	(cd "$TREE" && ./tools/testing/kunit/kunit.py "$action" --arch="$arch" \
		--kunitconfig="$CONF/$kconf" --build_dir="$out" --jobs="$(nproc)" \
		"$@") >"$out.log" 2>&1 || rc=$?
	if [ "$rc" = 0 ] && [ "$action" = run ]; then
		python3 "$REPO/tools/zctx/kunit_check.py" --log "$out/test.log" \
			--json "$out.json" --kunitconfig "$CONF/$kconf" --kunit-rc 0 --tree "$TREE" \
			>>"$out.log" 2>&1 || rc=$?
	fi
	if [ "$rc" = 0 ]; then
		summary+=("$name: $action OK ($(elapsed "$t0"))")
	else
		tail -30 "$out.log" >&2
		summary+=("$name: $action FAILED ($(elapsed "$t0")), log $out.log")
		fail=1
	fi
}

for c in ${ZCTX_CONFIGS:-off nonet noswiotlb arm64}; do
	case $c in
	off)	kunit off build x86_64 off.kunitconfig --make_options "CC=ccache gcc" ;;
	nonet)	kunit nonet run x86_64 nonet.kunitconfig --make_options "CC=ccache gcc" \
			--kernel_args swiotlb=force --qemu_args "-accel tcg -smp 2" \
			--json="$ZCTX_BUILD/configs-nonet.json" ;;
	noswiotlb) kunit noswiotlb build um noswiotlb.kunitconfig ;;
	arm64)	kunit arm64 run arm64 arm64.kunitconfig \
			--cross_compile=aarch64-linux-gnu- \
			--make_options "CC=ccache aarch64-linux-gnu-gcc" \
			--kernel_args swiotlb=force --qemu_args "-smp 2" \
			--json="$ZCTX_BUILD/configs-arm64.json" ;;
	*)	die "unknown config $c" ;;
	esac
done

# A build with the feature off must not contain any of it.
if [ -f "$ZCTX_BUILD/configs-off/vmlinux" ] &&
   nm "$ZCTX_BUILD/configs-off/vmlinux" | grep -q 'swiotlb_zc_'; then
	summary+=("off: swiotlb_zc_* symbols present with the feature off")
	fail=1
fi

printf '%s\n' "${summary[@]}"
[ "$fail" = 0 ] || die "check-configs failed"
log "check-configs: all configurations OK"
