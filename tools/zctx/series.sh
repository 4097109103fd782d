#!/usr/bin/env bash
# make series: write the upstream patch series (git format-patch, with a
# cover letter) into out/series/, then prove it: apply it with `git am` to a
# clean base, build after every patch, run checkpatch --strict and
# kernel-doc on every patch.
#
# patches/series holds the changes to upstream files; new files live at
# their kernel paths in this repo and patches/newfiles says which patch of
# the upstream series adds them ("<patch name without NNNN-> <path>...").
#
#   ZCTX_SERIES_BUILD=0   skip the per-patch builds (checks only)
#   ZCTX_SERIES_DOCS=0    skip the Sphinx build of the documentation
#   ZCTX_SERIES_CONFIG=f  kunitconfig used for the builds (.kunitconfig)
. "$(dirname "$0")/lib.sh"

OUT=${ZCTX_SERIES_OUT:-$REPO/out/series}
KCONF=$(realpath "${ZCTX_SERIES_CONFIG:-$REPO/.kunitconfig}")
WT=$ZCTX_BUILD/series-wt
BO=$ZCTX_BUILD/series-build

"$REPO/tools/zctx/deps.sh"
# checkpatch's SPDX check (scripts/spdxcheck.py, "#!/usr/bin/env python3")
# needs ply and GitPython, from Debian's python3 even where another python3
# (pyenv, a venv) comes first in PATH; the documentation build needs Sphinx.
export PATH=/usr/bin:$PATH
if ! python3 -c 'import ply, git' 2>/dev/null ||
   { [ "${ZCTX_SERIES_DOCS:-1}" = 1 ] && ! command -v sphinx-build >/dev/null; }; then
	need_root_or_print apt-get install -y -q python3-ply python3-git \
		python3-sphinx python3-sphinx-rtd-theme
fi
"$REPO/tools/zctx/tree.sh"

# 1. One commit per patch, with the new files that belong to it.
newfiles_for() {
	local key=${1#[0-9][0-9][0-9][0-9]-}
	[ -f "$REPO/patches/newfiles" ] || return 0
	sed -e 's/#.*//' "$REPO/patches/newfiles" |
		awk -v k="$key" '{n = $1; sub(/^[0-9][0-9][0-9][0-9]-/, "", n)}
				  n == k {for (i = 2; i <= NF; i++) print $i}'
}

git -C "$TREE" worktree remove -f "$WT" 2>/dev/null || rm -rf "$WT"
git -C "$TREE" worktree prune
git -C "$TREE" worktree add -q --detach "$WT" zctx-base
declare -A placed=()
while IFS= read -r p; do
	git -C "$WT" am -q --keep-cr --no-3way "$REPO/patches/$p" ||
		die "patch $p does not apply"
	mapfile -t nf < <(newfiles_for "$p")
	if [ ${#nf[@]} -gt 0 ]; then
		(cd "$REPO" && cp --parents -t "$WT" -- "${nf[@]}")
		git -C "$WT" add -f -- "${nf[@]}"
		git -C "$WT" commit -q --amend --no-edit
		for f in "${nf[@]}"; do placed[$f]=1; done
	fi
done < <(series_patches)
while IFS= read -r f; do
	[ -n "${placed[$f]:-}" ] || warn "new file $f is in no patch (patches/newfiles)"
done < <(overlay_files)

# 2. format-patch with a cover letter filled from patches/cover-letter.txt.
rm -rf "$OUT"
mkdir -p "$OUT"
git -C "$WT" format-patch -q --cover-letter --no-signature --thread \
	--subject-prefix="PATCH v3" \
	-o "$OUT" zctx-base..HEAD
cover=$(ls "$OUT"/0000-cover-letter.patch)
cc=$(cd "$WT" && ./scripts/get_maintainer.pl --no-git --no-git-fallback \
	--no-rolestats --no-roles --separator=', ' "$OUT"/0*.patch 2>/dev/null |
	grep -v '^$' || true)
python3 - "$cover" "$REPO/patches/cover-letter.txt" "$cc" "$REPO" <<'PY'
import glob, os, sys
cover, text, cc, repo = sys.argv[1:5]
lines = open(text).read().split('\n')
subject, body = lines[0], '\n'.join(lines[1:]).strip('\n')
# The latest local run if there is one, else the table committed with it.
tables = sorted(glob.glob(os.path.join(repo, 'results', '*', 'table.txt')))
tables = tables[-1:] + [os.path.join(repo, 'patches', 'bench-table.txt')]
table = next((open(t).read().rstrip() for t in tables if os.path.exists(t)),
             '(no benchmark run yet: make bench)')
body = body.replace('@BENCH_TABLE@', table)
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', subject)
s = s.replace('*** BLURB HERE ***', body)
# get_maintainer.pl prints one address a line: fold them into one header.
addrs = [a.strip() for a in cc.split('\n') if a.strip()]
if addrs:
    s = s.replace('\nSubject:', '\nCc: %s\nSubject:' % ',\n    '.join(addrs), 1)
open(cover, 'w').write(s)
PY
log "series written to $OUT ($(ls "$OUT" | wc -l) files)"

# 3. Prove it: git am onto a clean base, build and check every step.
git -C "$WT" checkout -q --detach zctx-base
# The kunitconfig of each step: options that step's Kconfig does not have
# yet (the suites and the benchmark arrive late in the series) are left out.
step_kunitconfig() {
	local line sym
	while IFS= read -r line; do
		sym=$(echo "$line" | sed -n 's/^CONFIG_\([A-Za-z0-9_]*\)=.*/\1/p')
		if [ -n "$sym" ] && ! grep -rqE "^[[:space:]]*(menu)?config[[:space:]]+$sym\b" \
			--include='Kconfig*' "$WT"; then
			continue
		fi
		echo "$line"
	done < "$KCONF" > "$ZCTX_BUILD/series.kunitconfig"
}
# kernel-doc warnings a patch adds: those of the file after the patch that
# the file did not have before it (upstream files carry a few of their own).
kdoc() {	# file-in-worktree label
	(cd "$WT" && ./scripts/kernel-doc -none "$1" 2>&1) |
		sed -E -e "s|^[^:]*:[0-9]+:|$2:|" -e '/^$/d' | sort -u
}
kdoc_new() {
	local f tmp=$ZCTX_BUILD/series-kdoc
	for f in $1; do
		if git -C "$WT" cat-file -e "HEAD~1:$f" 2>/dev/null; then
			mkdir -p "$WT/.kdoc"
			git -C "$WT" show "HEAD~1:$f" > "$WT/.kdoc/$(basename "$f")"
			kdoc ".kdoc/$(basename "$f")" "$f" > "$tmp.old"
			rm -rf "$WT/.kdoc"
		else
			: > "$tmp.old"
		fi
		kdoc "$f" "$f" | comm -13 "$tmp.old" -
	done
}
fail=0 i=0
for p in "$OUT"/0*.patch; do
	[ "$p" = "$cover" ] && continue
	i=$((i + 1))
	name=$(basename "$p")
	git -C "$WT" am -q --keep-cr --no-3way "$p" || { fail=1; warn "$name: git am failed"; break; }
	cp_out=$(cd "$WT" && ./scripts/checkpatch.pl --strict --terse "$p" |
		grep -E '(ERROR|WARNING|CHECK):' || true)
	files=$(git -C "$WT" diff --name-only --diff-filter=AM HEAD~1 -- '*.c' '*.h')
	kd_out=$(kdoc_new "$files")
	build=skipped
	if [ "${ZCTX_SERIES_BUILD:-1}" = 1 ]; then
		step_kunitconfig
		if (cd "$WT" && ./tools/testing/kunit/kunit.py build --arch=x86_64 \
			--kunitconfig="$ZCTX_BUILD/series.kunitconfig" --build_dir="$BO" \
			--jobs="$(nproc)" --make_options "CC=ccache gcc" >"$BO.log" 2>&1); then
			build=ok
			objs=$(echo "$files" | grep '\.c$' | sed 's/\.c$/.o/' || true)
			if [ -n "$objs" ]; then
				w1=$(cd "$WT" && make -s O="$BO" W=1 CC="ccache gcc" \
					$objs 2>&1 | grep -E 'warning:|error:' || true)
				[ -z "$w1" ] || { build="W=1 warnings"; echo "$w1" >&2; }
			fi
		else
			build=FAILED; tail -20 "$BO.log" >&2
		fi
	fi
	status="$name: build $build"
	[ -z "$cp_out" ] && status="$status, checkpatch clean" ||
		{ status="$status, checkpatch:"; echo "$cp_out" >&2; fail=1; }
	[ -z "$kd_out" ] && status="$status, kernel-doc clean" ||
		{ status="$status, kernel-doc:"; echo "$kd_out" >&2; fail=1; }
	case $build in ok|skipped) ;; *) fail=1 ;; esac
	log "$status"
done
# 4. The documentation the series adds, built with Sphinx as
# `make htmldocs` does: no warning may name a page the series touches.
docs=skipped
if [ "${ZCTX_SERIES_DOCS:-1}" = 1 ] && [ "$fail" = 0 ]; then
	rst=$(git -C "$WT" diff --name-only zctx-base HEAD -- 'Documentation/*.rst')
	dirs=$(echo "$rst" | cut -d/ -f2 | sort -u | xargs)
	t0=$(now)
	log "docs: make htmldocs SPHINXDIRS=\"$dirs\" (a few minutes)"
	(cd "$WT" && make O="$ZCTX_BUILD/series-docs" SPHINXDIRS="$dirs" \
		htmldocs) >"$ZCTX_BUILD/series-docs.log" 2>&1 || docs=FAILED
	pat=$(echo "$rst" | sed 's/[.]/[.]/g' | paste -sd'|')
	# A SPHINXDIRS build cannot resolve toctree entries in other
	# directories (core-api/index.rst lists ../RCU/index): not ours.
	dw=$(grep -E "($pat).*(WARNING|ERROR)" "$ZCTX_BUILD/series-docs.log" |
		grep -v 'toctree contains reference to nonexisting document' || true)
	if [ "$docs" = FAILED ]; then
		tail -20 "$ZCTX_BUILD/series-docs.log" >&2; fail=1
	elif [ -n "$dw" ]; then
		echo "$dw" >&2; docs="warnings"; fail=1
	else
		docs="Sphinx clean on $(echo "$rst" | wc -l) pages ($(elapsed "$t0"))"
	fi
	log "docs: $docs"
fi
git -C "$TREE" worktree remove -f "$WT" || true
[ "$fail" = 0 ] || die "series check failed (see above)"
if [ "${ZCTX_SERIES_BUILD:-1}" = 1 ]; then built="each builds (W=1 clean on its files),"; else built="builds SKIPPED,"; fi
log "series OK: $i patches apply to a clean base, $built checkpatch --strict and kernel-doc clean; docs: $docs"
log "send with: git send-email $OUT/*.patch"
