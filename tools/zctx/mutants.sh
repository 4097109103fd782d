#!/usr/bin/env bash
# make check-mutants: mutation test of the feature code. For each mutant of
# tools/zctx/mutants.list: apply it to the assembled tree, rebuild the KUnit
# kernel of .kunitconfig incrementally (in $ZCTX_BUILD/kunit-mutant), run the
# suites, restore the file. A mutant is killed when a case fails, crashes or
# does not run; it survived when every check of kunit_check.py passes. Fails
# if any mutant survives or cannot be built. Not part of make check: each
# mutant costs a kernel link and a QEMU run (see the table's times).
#   usage: mutants.sh [--check] [id...]
#     --check    only check that every search string occurs exactly once
#     id...      only these mutants (default: all; also ZCTX_MUTANTS="id ...")
#   ZCTX_MUTANTS_LIST=<file>      another list (default tools/zctx/mutants.list)
#   ZCTX_MUTANTS_BASELINE=0       skip the run of the unmutated tree first
#   ZCTX_MUTANTS_TIMEOUT=<s>      kunit.py timeout per run (default 600)
# Results: $ZCTX_BUILD/mutants/ (one log per mutant, results.txt).
#
# Incremental builds: a mutant must cost one object and a link, not a
# kernel. So kunit-mutant starts as an mtime-preserving copy (cp -a) of
# $ZCTX_BUILD/kunit (make check's build of the same .kunitconfig, same make
# options) whenever that one is newer; the kernel release is pinned
# (KERNELRELEASE=, without LOCALVERSION_AUTO's "-dirty" that a mutated
# tracked file would add, which rebuilds what includes utsrelease.h); and a
# change of kunit-mutant/.config between two mutants (kunit.py runs
# olddefconfig, which re-runs the compiler probes) is reported, since it
# means a near-full rebuild. The "objects" column counts the .o files a
# mutant's build wrote: about 12 for one mutated .c file (its object, the
# link's kallsyms objects, version-timestamp.o, the boot wrapper's).
. "$(dirname "$0")/lib.sh"
export PYTHONDONTWRITEBYTECODE=1

LIST=${ZCTX_MUTANTS_LIST:-$REPO/tools/zctx/mutants.list}
KCONF=$REPO/.kunitconfig
OUTDIR=$ZCTX_BUILD/mutants
MOUT=$ZCTX_BUILD/kunit-mutant
check_only=0
want=()
for a in "$@"; do
	case $a in
	--check) check_only=1 ;;
	-*)	die "usage: mutants.sh [--check] [id...]" ;;
	*)	want+=("$a") ;;
	esac
done
if [ ${#want[@]} = 0 ] && [ -n "${ZCTX_MUTANTS:-}" ]; then
	read -r -a want <<< "$ZCTX_MUTANTS"
fi

# --- the list: parallel arrays, one entry per mutant --------------------
ids=() files=() descs=() searches=() replaces=()
declare -A cur=()
flush() {	# end of a block: check it, append it
	[ ${#cur[@]} = 0 ] && return 0
	local k
	for k in id file desc search replace; do
		[ -n "${cur[$k]+x}" ] || die "$LIST:$blockline: mutant block without '$k:'"
	done
	[[ ${cur[id]} =~ ^[a-z0-9-]+$ ]] || die "$LIST:$blockline: bad id '${cur[id]}'"
	[ -n "${cur[search]}" ] || die "$LIST:$blockline: ${cur[id]}: empty search"
	ids+=("${cur[id]}") files+=("${cur[file]}") descs+=("${cur[desc]}")
	searches+=("$(printf '%bx' "${cur[search]}")") replaces+=("$(printf '%bx' "${cur[replace]}")")
	# (the x keeps trailing newlines through $(); dropped below)
	searches[-1]=${searches[-1]%x} replaces[-1]=${replaces[-1]%x}
	cur=()
}
[ -f "$LIST" ] || die "mutant list not found: $LIST"
n=0 blockline=1
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	case $line in
	'#'*) continue ;;
	*[![:space:]]*) ;;
	*)	flush; blockline=$((n + 1)); continue ;;
	esac
	[[ $line =~ ^(id|file|desc|search|replace):[[:space:]]*(.*)$ ]] ||
		die "$LIST:$n: expected 'key: value', got: $line"
	k=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
	v=${v%"${v##*[![:space:]]}"}
	[ -z "${cur[$k]+x}" ] || die "$LIST:$n: '$k:' twice in one block"
	cur[$k]=$v
done < "$LIST"
flush
[ ${#ids[@]} -gt 0 ] || die "$LIST: no mutants"
[ "$(printf '%s\n' "${ids[@]}" | sort | uniq -d)" = "" ] ||
	die "$LIST: duplicate ids: $(printf '%s\n' "${ids[@]}" | sort | uniq -d | xargs)"

sel=()
if [ ${#want[@]} = 0 ]; then
	sel=("${!ids[@]}")
else
	for w in "${want[@]}"; do
		found=
		for i in "${!ids[@]}"; do
			[ "${ids[$i]}" = "$w" ] && sel+=("$i") && found=1
		done
		[ -n "$found" ] || die "no mutant '$w' in $LIST"
	done
fi

# count FILE SEARCH: how often SEARCH occurs in FILE (exact text)
count() {
	python3 -c 'import sys; print(open(sys.argv[1], errors="surrogateescape").read().count(sys.argv[2]))' "$1" "$2"
}
# mutate FILE SEARCH REPLACE: replace the one occurrence, or fail
mutate() {
	python3 - "$@" <<-'PY'
	import sys
	path, search, replace = sys.argv[1:]
	with open(path, errors="surrogateescape") as f:
	    text = f.read()
	if text.count(search) != 1:
	    sys.exit(f"{path}: search string found {text.count(search)} times, not once")
	with open(path, "w", errors="surrogateescape") as f:
	    f.write(text.replace(search, replace))
	PY
}

# --- assemble the tree and check the list against it --------------------
mkdir -p "$OUTDIR"
# One mutants.sh per build dir, --check included: its recovery below
# would otherwise put back the file a running mutant is being tested on.
exec 9> "$OUTDIR/lock"
flock -n 9 || die "another mutants.sh is running on $ZCTX_BUILD (lock $OUTDIR/lock)"
BACKUP=$OUTDIR/backup MUTATED=$OUTDIR/mutated
mutated=""	# tree-relative path of the file currently mutated
restore() {
	[ -n "$mutated" ] || return 0
	# A fresh mtime (plain cp): kbuild in kunit-mutant must rebuild the
	# file, since its object there was built from the mutant.
	cp -- "$BACKUP" "$TREE/$mutated"
	rm -f "$MUTATED"
	log "restored $mutated"
	mutated=""
}
# A run killed too hard for its trap (SIGKILL, power) leaves a mutant in
# the tree: put the file back first. Only into the assembly it was taken
# from (the marker's second line is the tree stamp then): after a new
# `make tree` the backup is an old version of the file, and the tree was
# re-assembled over the mutant anyway.
if [ -f "$MUTATED" ] && [ -f "$BACKUP" ]; then
	mutated=$(sed -n 1p "$MUTATED")
	if [ "$(sed -n 2p "$MUTATED")" = "$(cat "$STAMP" 2>/dev/null)" ]; then
		warn "a mutant of $mutated was left in the tree by an interrupted run"
		restore
	else
		warn "dropping the backup of $mutated of an interrupted run:" \
		     "the tree was assembled again since"
		rm -f "$MUTATED" "$BACKUP"
		mutated=""
	fi
fi

if [ "$check_only" = 0 ]; then
	check_dev_null
	"$REPO/tools/zctx/deps.sh"
fi
"$REPO/tools/zctx/tree.sh"
check_tree_unchanged
bad=0
for i in "${sel[@]}"; do
	f=$TREE/${files[$i]}
	if [ ! -f "$f" ]; then
		printf '[zctx] ERROR: mutant %s: no file %s\n' "${ids[$i]}" "${files[$i]}" >&2
		bad=1; continue
	fi
	c=$(count "$f" "${searches[$i]}")
	if [ "$c" != 1 ]; then
		printf '[zctx] ERROR: mutant %s: search string found %s times in %s, not once:\n' \
			"${ids[$i]}" "$c" "${files[$i]}" >&2
		printf '%s\n' "${searches[$i]}" | sed 's/^/    | /' >&2
		bad=1
	elif [ "${searches[$i]}" = "${replaces[$i]}" ]; then
		printf '[zctx] ERROR: mutant %s: replace equals search\n' "${ids[$i]}" >&2
		bad=1
	fi
done
[ "$bad" = 0 ] || die "$LIST is out of step with the code in $TREE: fix the search strings"
log "mutants: ${#sel[@]} of ${#ids[@]} in $LIST match the tree exactly once"
if [ "$check_only" = 1 ]; then
	echo "${#sel[@]} passed, 0 failed"
	exit 0
fi

# --- the build dir ------------------------------------------------------
# Seed kunit-mutant from make check's kunit build when that is newer: cp -a
# keeps every mtime, so kbuild sees the copy as up to date (a plain cp
# makes objects, generated headers and include/config/* stamps newer than
# each other in copy order and rebuilds much of the kernel).
if [ -f "$ZCTX_BUILD/kunit/vmlinux" ] &&
   [ "$ZCTX_BUILD/kunit/vmlinux" -nt "$MOUT/vmlinux" ]; then
	log "kunit-mutant: copying $ZCTX_BUILD/kunit (cp -a, mtimes kept)"
	rm -rf -- "$MOUT.tmp"
	cp -a -- "$ZCTX_BUILD/kunit" "$MOUT.tmp"
	rm -rf -- "$MOUT"
	mv -- "$MOUT.tmp" "$MOUT"
fi
# Pinned kernel release: the one kunit-mutant was built with, minus "-dirty".
release=$(sed 's/-dirty$//' "$MOUT/include/config/kernel.release" 2>/dev/null || true)
export ZCTX_KUNIT_MAKE_OPTS="${release:+KERNELRELEASE=$release}"
[ -z "$release" ] || log "kunit-mutant: kernel release pinned to $release"
CONFIG_REF=$OUTDIR/config.ref
if [ -f "$MOUT/.config" ]; then cp -- "$MOUT/.config" "$CONFIG_REF"; else rm -f "$CONFIG_REF"; fi

# --- run ----------------------------------------------------------------
trap restore EXIT
trap 'restore; exit 130' INT
trap 'restore; exit 143' TERM

# run_suites NAME: build + run in kunit-mutant; sets r_status r_by
run_suites() {
	local log=$OUTDIR/$1.log failed=$OUTDIR/$1.failed rc=0
	local try
	touch "$OUTDIR/run.stamp"
	for try in 1 2; do
		rm -f "$failed"
		rc=0
		ZCTX_KUNIT_OUT=$ZCTX_BUILD/kunit-mutant ZCTX_KUNIT_NOTREE=1 \
		ZCTX_KUNIT_TIMEOUT=${ZCTX_MUTANTS_TIMEOUT:-600} ZCTX_KUNIT_FAILED=$failed \
			nice -n 10 "$REPO/tools/zctx/kunit.sh" "$KCONF" >"$log" 2>&1 9>&- || rc=$?
		# No test output at all: a boot crash or hang. Once more (the
		# kernel is built) to tell a mutant's crash from a host hiccup.
		grep -q 'Could not find any KTAP output' "$log" || break
		[ "$try" = 2 ] || warn "$1: no KTAP output, running it once more"
	done
	r_by=""
	# Objects this build compiled (the link's own .o files included).
	r_cc=$(find "$MOUT" -name '*.o' -newer "$OUTDIR/run.stamp" 2>/dev/null | wc -l)
	# The configuration must not move between runs (see the top).
	if [ -f "$CONFIG_REF" ] && ! cmp -s "$CONFIG_REF" "$MOUT/.config"; then
		warn "$1: kunit-mutant/.config changed during this run (near-full rebuild):"
		diff "$CONFIG_REF" "$MOUT/.config" | grep '^[<>]' | head -n 20 >&2 || true
		printf 'config changed: %s\n' "$(diff "$CONFIG_REF" "$MOUT/.config" |
			grep '^[<>]' | head -n 5 | paste -sd ' ')" >> "$log"
	fi
	[ ! -f "$MOUT/.config" ] || cp -- "$MOUT/.config" "$CONFIG_REF"
	if [ ! -s "$ZCTX_BUILD/kunit-mutant-results.json" ]; then
		r_status=error r_by="no results (build failed?), see $log"
	elif [ "$rc" = 0 ]; then
		r_status=survived
	else
		r_status=killed
		r_by=$(head -n 3 "$failed" 2>/dev/null | paste -sd '|' | sed 's/|/, /g' || true)
		[ "$(wc -l < "$failed" 2>/dev/null || echo 0)" -le 3 ] || r_by="$r_by ..."
		[ -n "$r_by" ] || r_by=$(grep '^FAILED: ' "$log" | head -n 1 | cut -c9-)
	fi
}

# results [partial]: the table so far, in $OUTDIR/results.txt (written
# after every mutant, so an interrupted run leaves the rows it finished).
results() {
	{
	printf 'mutation test%s, %s, tree %s (HEAD %s), %s\n' "${1:+ ($1)}" \
		"$(date -u +%Y-%m-%dT%H:%MZ)" \
		"$TREE" "$(git -C "$TREE" rev-parse --short HEAD)" "$(elapsed "$t_all")"
	printf '%-30s %-8s %6s %8s  %s\n' id result time objects "description / killed by"
	for r in "${rows[@]}"; do
		IFS=$'\t' read -r id st t cc d by <<< "$r"
		printf '%-30s %-8s %6s %8s  %s\n' "$id" "$st" "$t" "$cc" "$d"
		printf '%-30s %-8s %6s %8s    %s\n' "" "" "" "" \
			"$([ "$st" = killed ] && echo "by: $by" || echo "$by")"
	done
	echo "mutants: $killed killed, $survived survived, $errors not built/run"
	} > "$OUTDIR/results.txt"
}

t_all=$(now)
if [ "${ZCTX_MUTANTS_BASELINE:-1}" = 1 ]; then
	t0=$(now)
	log "baseline: the unmutated tree must pass (build dir $ZCTX_BUILD/kunit-mutant)"
	run_suites baseline
	[ "$r_status" = survived ] ||
		die "baseline run failed ($r_status${r_by:+: $r_by}): see $OUTDIR/baseline.log"
	log "baseline passed ($(elapsed "$t0"), $r_cc objects built)"
fi

rows=() killed=0 survived=0 errors=0
for i in "${sel[@]}"; do
	id=${ids[$i]} file=${files[$i]}
	t0=$(now)
	cp -- "$TREE/$file" "$BACKUP"
	mutated=$file
	printf '%s\n%s\n' "$file" "$(cat "$STAMP")" > "$MUTATED"
	mutate "$TREE/$file" "${searches[$i]}" "${replaces[$i]}"
	log "mutant $id: ${descs[$i]} ($file)"
	run_suites "$id"
	restore
	cmp -s "$BACKUP" "$TREE/$file" || die "$file: restore failed"
	case $r_status in
	killed)   killed=$((killed + 1)) ;;
	survived) survived=$((survived + 1)) ;;
	*)	  errors=$((errors + 1)) ;;
	esac
	rows+=("$(printf '%s\t%s\t%s\t%s\t%s\t%s' "$id" "$r_status" "$(elapsed "$t0")" \
		"$r_cc" "${descs[$i]}" "${r_by:--}")")
	log "mutant $id: $r_status${r_by:+ by $r_by} ($(elapsed "$t0"), $r_cc objects built)"
	results "${#rows[@]} of ${#sel[@]} done"
done
trap - EXIT INT TERM

# The tree must be exactly as assembled: make export would see no change.
check_tree_unchanged

results
cat "$OUTDIR/results.txt"
echo "$killed passed, $((survived + errors)) failed"
[ $((survived + errors)) = 0 ]
