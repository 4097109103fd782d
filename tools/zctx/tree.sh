#!/usr/bin/env bash
# make tree: assemble $TREE = pinned Debian kernel source (commit tagged
# zctx-base) + patches/series applied with `git am` (one commit each) +
# overlay files from this repo copied on top, left untracked.
. "$(dirname "$0")/lib.sh"

BASE_DATE="2000-01-01T00:00:00+0000"   # fixed: reproducible base commit id
GIT_BASE=(env GIT_AUTHOR_NAME=zctx GIT_AUTHOR_EMAIL=zctx@localhost
	  GIT_COMMITTER_NAME=zctx GIT_COMMITTER_EMAIL=zctx@localhost
	  GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE")

# 1. Base: extract the tarball once per tarball content.
tar_sha=$(sha256sum "$TARBALL" 2>/dev/null | cut -d' ' -f1) ||
	die "$TARBALL not found; run 'make deps'"
if ! grep -qsx "tarball_sha256=$tar_sha" "$BASE_INFO" || [ ! -d "$TREE/.git" ]; then
	check_tree_unchanged
	log "extracting $TARBALL"
	# Built aside and moved into place at the end: an interrupted run leaves
	# no half-made tree behind.
	rm -rf "$TREE" "$BASE_INFO" "$ZCTX_BUILD/extract"
	mkdir -p "$ZCTX_BUILD/extract"
	tar -xJf "$TARBALL" -C "$ZCTX_BUILD/extract"
	top=$(ls "$ZCTX_BUILD/extract")
	[ "$(echo "$top" | wc -l)" = 1 ] || die "unexpected tarball layout: $top"
	final=$TREE TREE=$ZCTX_BUILD/extract/$top

	kver=$(awk -F' *= *' '$1 ~ /^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)$/ {v[$1]=$2}
		END {print v["VERSION"] "." v["PATCHLEVEL"] "." v["SUBLEVEL"] v["EXTRAVERSION"]}' \
		"$TREE/Makefile")
	pkgver=$(dpkg-query -W -f='${Version}' "$LINUX_PKG" 2>/dev/null || echo unknown)
	log "committing base Linux $kver (this takes a minute)"
	git -C "$TREE" init -q -b zctx
	git -C "$TREE" config gc.auto 0
	git -C "$TREE" config user.name "$(git -C "$REPO" config user.name || echo 'zctx dev')"
	git -C "$TREE" config user.email "$(git -C "$REPO" config user.email || echo dev@zctx.invalid)"
	git -C "$TREE" add -f .
	"${GIT_BASE[@]}" git -C "$TREE" commit -q --no-verify \
		-m "Linux $kver (Debian $LINUX_PKG $pkgver)"
	# Debian's .gitignore ends with '/*' (ignore everything), which would hide
	# new files from `git status`. Drop it in a separate commit, inside the base.
	sed -i -e '/^# Debian packaging: ignore everything/,$d' "$TREE/.gitignore"
	sed -i -e '${/^#$/d}' "$TREE/.gitignore"
	if ! git -C "$TREE" diff --quiet; then
		git -C "$TREE" add .gitignore
		"${GIT_BASE[@]}" git -C "$TREE" commit -q --no-verify \
			-m "zctx: do not ignore new files (drop Debian's top-level '/*' rule)"
	fi
	git -C "$TREE" tag -f zctx-base >/dev/null
	cat > "$BASE_INFO" <<-INFO
	package=$LINUX_PKG
	package_version=$pkgver
	pinned_version=$LINUX_PKG_VERSION
	kernel_version=$kver
	tarball=$TARBALL
	tarball_sha256=$tar_sha
	base_commit=$(git -C "$TREE" rev-parse zctx-base)
	INFO
	tree_manifest > "$TREE/.git/zctx-manifest"
	mv "$TREE" "$final" && rmdir "$ZCTX_BUILD/extract"
	TREE=$final
fi
sed 's/^/[zctx] base: /' "$BASE_INFO" >&2

# 2. Nothing to do if the inputs did not change since the last assembly.
stamp=$(compute_stamp)
if [ "$(cat "$STAMP" 2>/dev/null)" = "$stamp" ]; then
	log "tree up to date: $TREE"
	exit 0
fi
check_tree_unchanged

# Remember mtime + content of every file the old assembly put on top of the
# base, so that files which come out identical keep their old mtime and
# kbuild does not recompile everything that includes them.
saved=$(mktemp)
trap 'rm -f "$saved"' EXIT
{ git -C "$TREE" diff --name-only zctx-base HEAD; tree_untracked; } | sort -u |
while IFS= read -r f; do
	[ -f "$TREE/$f" ] || continue
	printf '%s %s %s\n' "$(stat -c %Y "$TREE/$f")" \
		"$(sha256sum < "$TREE/$f" | cut -c1-64)" "$f"
done > "$saved"

# 3. Reset to the base and apply the series. git am never fuzzes.
rm -f "$STAMP"
touch "$ASSEMBLING"   # an interrupted assembly may be discarded by the next one
[ ! -d "$TREE/.git/rebase-apply" ] || git -C "$TREE" am --abort || true
git -C "$TREE" checkout -f -q zctx
git -C "$TREE" reset -q --hard zctx-base
git -C "$TREE" clean -fdxq
n=0
while IFS= read -r p; do
	log "applying $p"
	if ! git -C "$TREE" am -q --keep-cr --no-3way --committer-date-is-author-date \
		"$REPO/patches/$p"; then
		git -C "$TREE" am --abort || true
		die "patch $p does not apply to $(git -C "$TREE" describe --tags --always HEAD)" \
		    "(patches are applied strictly, without fuzz; refresh it)"
	fi
	n=$((n + 1))
done < <(series_patches)

# 4. Overlay: copy our own files over the tree, left untracked.
mapfile -t files < <(overlay_files)
if [ ${#files[@]} -gt 0 ]; then
	(cd "$REPO" && cp --parents -t "$TREE" -- "${files[@]}")
	shadow=$(git -C "$TREE" ls-files -- "${files[@]}")
	[ -z "$shadow" ] || warn "overlay files replace upstream/patched files" \
		"(prefer a patch): $(echo "$shadow" | tr '\n' ' ')"
fi

# 5. Restore the old mtime of files whose content did not change.
while read -r mt sum f; do
	if [ -f "$TREE/$f" ] && [ "$(sha256sum < "$TREE/$f" | cut -c1-64)" = "$sum" ]; then
		touch -m -d "@$mt" "$TREE/$f"
	fi
done < "$saved"

tree_manifest > "$MANIFEST"
echo "$stamp" > "$STAMP"
rm -f "$ASSEMBLING"
log "tree assembled: $TREE"
log "  base:    $(sed -n 's/^kernel_version=//p' "$BASE_INFO") from $LINUX_PKG $(sed -n 's/^package_version=//p' "$BASE_INFO") (zctx-base = $(git -C "$TREE" rev-parse --short zctx-base))"
log "  patches: $n applied (patches/series)"
log "  overlay: ${#files[@]} files copied (untracked in the tree)"
