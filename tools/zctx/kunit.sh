#!/usr/bin/env bash
# make check: deps + tree, then build and run the KUnit suites of a
# kunitconfig (default: .kunitconfig at the repo root) under QEMU, and
# check the results with kunit_check.py.
#   usage: kunit.sh [kunitconfig]
# Directives in the kunitconfig (comments for kunit.py):
#   # kernel-args: <args>     appended to the guest kernel command line
#   # expect-suite: <suite> [<source.c>]   every KUNIT_CASE of it must run
#   # allow-skip: <suite>.<case>[.<param>]: <reason>   a SKIP that is no failure
#   # strict-log   # allow-log: <regex>    (see kunit_check.py)
# For tools/zctx/mutants.sh (not for everyday use):
#   ZCTX_KUNIT_OUT=<dir>       build dir instead of $ZCTX_BUILD/kunit[-name]
#   ZCTX_KUNIT_NOTREE=1        skip deps.sh and tree.sh: run the tree as it is
#   ZCTX_KUNIT_TIMEOUT=<s>     kunit.py --timeout (default 900)
#   ZCTX_KUNIT_FAILED=<file>   write the failed suite.case[.param] names there
#   ZCTX_KUNIT_MAKE_OPTS=<opts>   more make options, e.g. KERNELRELEASE=<fixed>
. "$(dirname "$0")/lib.sh"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the repo or the tree
check_dev_null

KCONF=$(realpath "${1:-$REPO/.kunitconfig}")
[ -f "$KCONF" ] || die "kunitconfig not found: $KCONF"
# One build dir per kunitconfig: .kunitconfig -> kunit, kunitconfig.debug -> kunit-debug
name=$(basename "$KCONF" | sed -e 's/^\.\{0,1\}kunitconfig\.\{0,1\}//' -e 's/\.kunitconfig$//')
OUT=${ZCTX_KUNIT_OUT:-$ZCTX_BUILD/kunit${name:+-$name}}
JSON=$OUT-results.json
[ "$OUT" = "$ZCTX_BUILD/kunit" ] && JSON=$ZCTX_BUILD/kunit-results.json

# Snapshot: edits to the kunitconfig during the (long) run must not make the
# build and the check disagree.
cp "$KCONF" "$OUT.kunitconfig"
src=$KCONF KCONF=$OUT.kunitconfig

t0=$(now)
if [ "${ZCTX_KUNIT_NOTREE:-0}" = 1 ]; then
	[ -d "$TREE" ] || die "ZCTX_KUNIT_NOTREE=1 but no tree at $TREE"
	t_deps=skipped t_tree=skipped
else
	"$REPO/tools/zctx/deps.sh"
	t_deps=$(elapsed "$t0"); t0=$(now)
	"$REPO/tools/zctx/tree.sh"
	t_tree=$(elapsed "$t0"); t0=$(now)
fi

kargs=$(sed -n 's/^[[:space:]]*#[[:space:]]*kernel-args:[[:space:]]*//p' "$KCONF" | xargs)
# /dev/kvm exists on our build machines but KVM hangs/aborts there, so QEMU
# uses TCG (software emulation) unless ZCTX_ACCEL=kvm is set explicitly.
# kunit.py already passes "-m 1024"; the later "-m" wins.
qargs="-smp 2 -m 2048 -accel ${ZCTX_ACCEL:-tcg}"
[ "${ZCTX_ACCEL:-tcg}" = kvm ] && qargs="$qargs -cpu host"
# On a busy host a TCG guest can miss the IO-APIC timer check at boot and
# panic ("IO-APIC + timer doesn't work!") before any test runs: skip it.
[ "${ZCTX_ACCEL:-tcg}" = tcg ] && kargs="${kargs:+$kargs }no_timer_check"

# ccache: CCACHE_BASEDIR makes paths under $ZCTX_BUILD relative, so that
# build roots share hits. The kernel then sees ../linux/mm/foo.c instead of
# an absolute path its -fmacro-prefix-map strips: strip that one too, so
# WARN()/BUG() reports name "mm/foo.c" with or without ccache.
mkdir -p "$CCACHE_DIR"
export CCACHE_BASEDIR=$ZCTX_BUILD CCACHE_NOHASHDIR=true
mkdir -p "$OUT"
prefix_map="-fmacro-prefix-map=$(realpath --relative-to="$OUT" "$TREE")/="
ccache_stats() { ccache --print-stats | awk -F'\t' '
	/^(direct|preprocessed)_cache_hit\t/ {h += $2} /^cache_miss\t/ {m = $2}
	END {print h + 0, m + 0}'; }
read -r hits0 miss0 < <(ccache_stats)

xmake=()
for o in ${ZCTX_KUNIT_MAKE_OPTS:-}; do xmake+=(--make_options "$o"); done
log "kunit: $src -> $OUT (kernel args: ${kargs:-none}; qemu: $qargs)"
rm -f "$JSON" "$OUT/test.log"
rc=0
(cd "$TREE" && ./tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig="$KCONF" --build_dir="$OUT" --jobs="$(nproc)" \
	--make_options "CC=ccache gcc" --make_options "KCFLAGS=$prefix_map" "${xmake[@]}" \
	${kargs:+--kernel_args "$kargs"} \
	--qemu_args "$qargs" --json="$JSON" --timeout "${ZCTX_KUNIT_TIMEOUT:-900}") || rc=$?
t_run=$(elapsed "$t0")

read -r hits1 miss1 < <(ccache_stats)
log "ccache: $((hits1 - hits0)) hits, $((miss1 - miss0)) misses ($CCACHE_DIR)"
log "timings: deps $t_deps, tree $t_tree, build+run $t_run"
log "results: $JSON, log: $OUT/test.log"
python3 "$REPO/tools/zctx/kunit_check.py" --json "$JSON" --log "$OUT/test.log" \
	--kunitconfig "$KCONF" --kunit-rc "$rc" --tree "$TREE" \
	${ZCTX_KUNIT_FAILED:+--failed-list "$ZCTX_KUNIT_FAILED"}
