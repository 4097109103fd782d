#!/usr/bin/env bash
# make check: the tests, in order, each run to the end even if an
# earlier one failed:
#   checker  self-tests of kunit_check.py on synthetic kunit.py results
#          (tools/zctx/test_kunit_check.py; python3 only, a second)
#   kunit  KUnit, .kunitconfig: the feature's suites + upstream regression
#          suites
#   smoke  the benchmark module's in-guest smoke test (accounting, not
#          speed, bad parameters, unload mid-run, a tiny pool). After the
#          kunit step it boots the KUnit kernel just built (.kunitconfig
#          builds zctx_bench as a module; kunit.enable=0 skips the
#          suites); run alone, it builds the small benchmark kernel.
#   scan   the swiotlb pool as the host sees it (tools/zctx/scan.sh): the
#          KUnit kernel with markers sent over zctx0, a NAT-redirected
#          socket and lo; the pool saved with QEMU's pmemsave and searched
#   debug  KUnit, tools/zctx/kunitconfig.debug: the feature's suites under
#          KASAN, lockdep, DEBUG_VM, DEBUG_PAGEALLOC, page poisoning and
#          KFENCE, any report in the kernel log counted as a failure
#          (alone: `make check-debug`).
# A cold run (fresh clone, empty ccache) takes about 30 minutes on two
# cores: two kernel builds of about 14 minutes each.
# The last line sums them: "N passed, N failed". Exits non-zero on any
# failure, crash, missing suite or missing result line.
#   ZCTX_CHECK="checker kunit smoke scan debug"  choose the steps
. "$(dirname "$0")/lib.sh"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the repo or the tree

Z=$REPO/tools/zctx
pass=0 failed=0 rc=0 summary=()
run() {	# name command...
	local name=$1 t0 out line p f r=0
	shift
	t0=$(now)
	out=$ZCTX_BUILD/check-$name.out
	log "== $name: $*"
	"$@" 2>&1 | tee "$out" || r=$?
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1 || true)
	if [ -z "$line" ]; then
		summary+=("$name: no result line, exit $r ($(elapsed "$t0"))")
		failed=$((failed + 1)); rc=1; return
	fi
	p=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')
	f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
	pass=$((pass + p)); failed=$((failed + f))
	if [ "$r" != 0 ] && [ "$f" = 0 ]; then failed=$((failed + 1)); fi
	[ "$r" = 0 ] || rc=1
	summary+=("$name: $line, exit $r ($(elapsed "$t0"))")
}

for c in ${ZCTX_CHECK:-checker kunit smoke scan debug}; do
	case $c in
	checker) run checker python3 "$Z/test_kunit_check.py" ;;
	kunit)	run kunit "$Z/kunit.sh" "$REPO/.kunitconfig"; kunit_ran=1 ;;
	debug)	run debug "$Z/kunit.sh" "$Z/kunitconfig.debug" ;;
	kcsan)	run kcsan "$Z/kunit.sh" "$Z/kunitconfig.kcsan" ;;
	smoke)	k=$ZCTX_BUILD/kunit
		if [ -n "${kunit_ran:-}" ] && [ -f "$k/lib/zctx_bench.ko" ] &&
		   [ -f "$k/arch/x86/boot/bzImage" ]; then
			run smoke env ZCTX_BENCH_KOUT="$k" ZCTX_BENCH_REBUILD=0 \
				ZCTX_BENCH_KARGS=kunit.enable=0 "$Z/bench-smoke.sh"
		else
			run smoke "$Z/bench-smoke.sh"
		fi ;;
	scan)	run scan "$Z/scan.sh" ;;
	*)	die "unknown check $c" ;;
	esac
done
printf '[zctx] %s\n' "${summary[@]}"
echo "$pass passed, $failed failed"
exit $rc
