#!/usr/bin/env bash
# make export: write edits made inside $TREE back to this repo.
#  - new files in the tree (untracked) are copied to the repo, same path;
#  - changes to tracked files are folded into the last patch that touched
#    each file (or into a new "UNSORTED" patch if none did);
#  - commits made in the tree become new patches;
#  - patches/*.patch and patches/series are regenerated from the tree.
# Refuses if the repo's inputs changed since the tree was assembled, since
# that would overwrite them (ZCTX_FORCE=1: the tree wins for patches).
. "$(dirname "$0")/lib.sh"

g() { git -C "$TREE" "$@"; }
g rev-parse -q --verify zctx-base >/dev/null || die "no zctx tree at $TREE; run 'make tree'"
[ ! -e "$ASSEMBLING" ] || die "assembling $TREE was interrupted; run 'make tree'"
if [ ! -f "$MANIFEST" ]; then   # e.g. a tree made by hand on top of a zctx-base tag
	[ "${ZCTX_FORCE:-0}" = 1 ] || die "$TREE was not assembled by 'make tree'" \
		"(ZCTX_FORCE=1 exports it anyway: all its new files and commits)"
	warn "adopting $TREE"; echo "HEAD none" > "$MANIFEST"
fi
[ -e "$TREE/.git/rebase-merge" ] || [ -e "$TREE/.git/rebase-apply" ] &&
	die "a rebase/am is in progress in $TREE; finish or abort it first"
[ "$(g symbolic-ref -q --short HEAD)" = zctx ] || die "$TREE: check out branch zctx first"

old_stamp=$(cat "$STAMP" 2>/dev/null || true)
repo_stamp=$(compute_stamp)
if [ "$old_stamp" != "$repo_stamp" ]; then
	[ "${ZCTX_FORCE:-0}" = 1 ] || die "patches/ or overlay files in the repo changed" \
		"since $TREE was assembled; exporting would overwrite them." \
		"Commit/stash the repo changes and retry, or ZCTX_FORCE=1 make export" \
		"(tree wins for patches/) and reconcile with git diff."
	warn "ZCTX_FORCE=1: repo changed since the tree was assembled; the tree wins"
fi

# 1. Overlay files: copy new/changed ones, delete the ones deleted in the tree.
overlay_re="^($(IFS='|'; echo "${OVERLAY_DIRS[*]}"))/"
declare -A assembled=()   # path -> sha256 at assembly time
while read -r sum f; do assembled[$f]=$sum; done < <(grep -v '^HEAD ' "$MANIFEST")
mapfile -t new < <(tree_untracked)
[ ${#new[@]} -le 500 ] || die "${#new[@]} untracked files in $TREE: build output" \
	"inside the tree? (build with O=..., or 'make mrproper' there)"
copied=0
for f in "${new[@]}"; do
	if [[ ! $f =~ $overlay_re ]] || [[ $f =~ $OVERLAY_EXCLUDE_RE ]]; then
		warn "not exported (outside the overlay dirs): $f"; continue
	fi
	sum=$(sha256sum < "$TREE/$f" | cut -c1-64)
	[ "$sum" = "${assembled[$f]:-}" ] && continue   # unchanged in the tree
	cmp -s "$TREE/$f" "$REPO/$f" && continue
	mkdir -p "$(dirname "$REPO/$f")" && cp -- "$TREE/$f" "$REPO/$f"
	log "exported $f"; copied=$((copied + 1))
done
deleted=0
for f in "${!assembled[@]}"; do
	[ -e "$TREE/$f" ] && continue
	if [ -f "$REPO/$f" ] && [ "$(sha256sum < "$REPO/$f" | cut -c1-64)" = "${assembled[$f]}" ]; then
		rm -f -- "$REPO/$f"; log "deleted $f (deleted in the tree)"; deleted=$((deleted + 1))
	else
		warn "$f was deleted in the tree but changed in the repo; left alone"
	fi
done

# 2. Changes to tracked files: fixup of the last patch touching each file.
g reset -q
mapfile -t mod < <(g diff --name-only HEAD)
fixups=0 unsorted=()
for f in "${mod[@]}"; do
	sha=$(g log -1 --format=%H zctx-base..HEAD -- "$f")
	if [ -n "$sha" ]; then
		g add -A -- "$f"
		g commit -q --no-verify --fixup="$sha"
		log "folded $f into: $(g log -1 --format=%s "$sha")"
		fixups=$((fixups + 1))
	else
		unsorted+=("$f")
	fi
done
if [ ${#unsorted[@]} -gt 0 ]; then
	g add -A -- "${unsorted[@]}"
	g commit -q --no-verify -s -m "zctx: UNSORTED changes to upstream files (edit this message)"
	warn "changes to files no patch touches went into a new patch" \
		"'zctx: UNSORTED changes ...': ${unsorted[*]}; split it and write its message"
fi
if [ "$fixups" -gt 0 ]; then
	# The rebase checks out zctx-base and replays every patch, rewriting
	# each file the patches touch, although the tree it ends with is the
	# one it started from. Give those files their modification times
	# back, or the next kernel build recompiles everything that includes
	# them (sock.h, skbuff.h, mm.h, ...).
	pre_tree=$(g rev-parse 'HEAD^{tree}')
	mtimes=$(mktemp)
	g diff -z --name-only zctx-base HEAD |
		(cd "$TREE" && xargs -0 -r stat -c '%.9Y %n' 2>/dev/null) > "$mtimes" || true
	if ! GIT_SEQUENCE_EDITOR=: g rebase -q -i --autosquash --committer-date-is-author-date zctx-base; then
		g rebase --abort || true
		rm -f "$mtimes"
		die "folding the changes into the patches failed; the fixup commits are on top of $TREE"
	fi
	if [ "$(g rev-parse 'HEAD^{tree}')" = "$pre_tree" ]; then
		while read -r t f; do
			touch -m -d "@$t" -- "$TREE/$f"
		done < "$mtimes"
	else
		warn "the tree changed while folding; file times not restored"
	fi
	rm -f "$mtimes"
fi
for c in $(g rev-list --reverse zctx-base..HEAD); do
	g log -1 --format=%B "$c" | grep -q '^Signed-off-by: ' ||
		warn "no Signed-off-by: $(g log -1 --format='%h %s' "$c")"
done

# 3. Regenerate patches/ from the tree's commits. A fixed --abbrev keeps the
# "index" lines stable (git's default depends on the object count).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
g format-patch -q --abbrev=9 --no-signature --zero-commit -o "$tmp" zctx-base..HEAD
# Blank context lines become empty lines instead of a lone space: git am
# and patch(1) take both, and checkpatch run on a patch file that git
# tracks (it then checks it as a plain file) sees no trailing whitespace.
for p in "$tmp"/*.patch; do [ -e "$p" ] && sed -i 's/^ $//' "$p"; done
mkdir -p "$REPO/patches"
rm -f "$REPO"/patches/*.patch
(cd "$tmp" && find . -name '*.patch' -printf '%f\n' | sort) > "$REPO/patches/series"
if [ -s "$REPO/patches/series" ]; then cp "$tmp"/*.patch "$REPO/patches/"; fi

# 4. The tree now matches the repo: record it so `make tree` is a no-op.
tree_manifest > "$MANIFEST"
if [ "$old_stamp" = "$repo_stamp" ]; then compute_stamp > "$STAMP"; else rm -f "$STAMP"; fi
log "export: $copied files copied, $deleted deleted, $fixups changes folded," \
	"${#unsorted[@]} unsorted, $(wc -l < "$REPO/patches/series") patches in patches/series"
git -C "$REPO" status --short -- patches "${OVERLAY_DIRS[@]}" >&2
