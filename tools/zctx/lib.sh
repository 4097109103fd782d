# shellcheck shell=bash
# Shared helpers for the zctx build scripts. Source it, do not run it.
set -euo pipefail
shopt -s inherit_errexit

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=base.env
. "$REPO/tools/zctx/base.env"

ZCTX_BUILD=${ZCTX_BUILD:-$REPO/build}
mkdir -p "$ZCTX_BUILD"
ZCTX_BUILD=$(cd "$ZCTX_BUILD" && pwd)
TREE=$ZCTX_BUILD/linux
TARBALL=${ZCTX_TARBALL:-/usr/src/$LINUX_PKG.tar.xz}
BASE_INFO=$ZCTX_BUILD/base-info.txt
STAMP=$TREE/.git/zctx-stamp          # inputs the tree was assembled from
MANIFEST=$TREE/.git/zctx-manifest    # HEAD + overlay files as assembled
ASSEMBLING=$TREE/.git/zctx-assembling  # present while tree.sh assembles
CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zctx/ccache}
export REPO ZCTX_BUILD TREE CCACHE_DIR

# Top-level kernel dirs whose files in this repo are copied over the tree.
OVERLAY_DIRS=(arch block crypto Documentation drivers fs include init kernel
	      lib mm net samples scripts security sound tools virt)
# ...except our own infrastructure.
OVERLAY_EXCLUDE_RE='^tools/(zctx|plot)/'
# Junk that never belongs to the overlay (editor/patch leftovers, bytecode).
JUNK_RE='(\.orig|\.rej|~|\.pyc)$|(^|/)__pycache__/|^\.git/'

# grep -v that is happy to output nothing (exit 1 means "no lines").
grep_v() { grep -Ev "$@" || [ $? -eq 1 ]; }

log()  { printf '[zctx] %s\n' "$*" >&2; }
warn() { printf '[zctx] WARNING: %s\n' "$*" >&2; }
die()  { printf '[zctx] ERROR: %s\n' "$*" >&2; exit 1; }

# /dev/null must be the character device. If it was replaced by a regular
# file (some tool renamed or unlinked it; ld then keeps re-creating it as a
# file), Kconfig's compiler probes (`$(CC) ... -x c /dev/null`) compile
# whatever was last written to it and fail at random: CONFIG_CC_HAS_* flip
# between two runs of olddefconfig and an "incremental" build recompiles
# most of the kernel with other flags. Seen on 2026-12-02.
check_dev_null() {
	[ -c /dev/null ] && return 0
	die "/dev/null is not a character device ($(stat -c %F /dev/null 2>&1))," \
	    "so kernel config probes fail at random. Repair it (as root):" \
	    "mknod -m 666 /dev/null.new c 1 3 && mv -f /dev/null.new /dev/null"
}

# Run "$@" as root, or print the exact command to run and exit 1.
need_root_or_print() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	else
		log "not root; please run:"
		printf '  sudo %s\n' "$*" >&2
		exit 1
	fi
}

# Seconds since the epoch, for phase timings.
now() { date +%s; }
elapsed() { echo "$(( $(now) - $1 ))s"; }

# Patch files listed in patches/series, in order (blank lines and # skipped).
series_patches() {
	[ -f "$REPO/patches/series" ] || return 0
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e 's/^[[:space:]]*//' \
		"$REPO/patches/series" | grep_v '^$'
}

# Overlay files (repo-relative): tracked plus untracked-not-ignored, so
# uncommitted work is used. Files deleted in the worktree are skipped.
overlay_files() {
	git -C "$REPO" ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}" |
		grep_v "$OVERLAY_EXCLUDE_RE" | grep_v "$JUNK_RE" | sort -u |
		while IFS= read -r f; do
			if [ -f "$REPO/$f" ]; then printf '%s\n' "$f"; fi
		done
}

# Hash of every input of the tree: base, series, patches, overlay + paths.
compute_stamp() {
	{
		cat "$BASE_INFO"
		echo "== series"
		[ -f "$REPO/patches/series" ] && cat "$REPO/patches/series"
		echo "== patches"
		series_patches | while IFS= read -r p; do
			[ -f "$REPO/patches/$p" ] || die "patches/series lists missing patch: $p"
			(cd "$REPO/patches" && sha256sum -- "$p")
		done
		echo "== overlay"
		overlay_files | (cd "$REPO" && xargs -r -d '\n' sha256sum --)
	} | sha256sum | cut -d' ' -f1
}

# Untracked files in the tree (no --exclude-standard: Debian's .gitignore
# ignores everything), junk filtered out.
tree_untracked() {
	git -C "$TREE" ls-files --others | grep_v "$JUNK_RE" | sort
}

# State of the tree as assembled: HEAD line plus "sha256  path" of untracked.
tree_manifest() {
	echo "HEAD $(git -C "$TREE" rev-parse HEAD)"
	tree_untracked | (cd "$TREE" && xargs -r -d '\n' sha256sum --)
}

# Refuse to throw away work: unexported edits, or a tree we did not create.
check_tree_unchanged() {
	[ -e "$TREE" ] || return 0
	if [ "${ZCTX_FORCE:-0}" = 1 ]; then
		warn "ZCTX_FORCE=1: discarding any changes in $TREE"; return 0
	fi
	[ ! -e "$ASSEMBLING" ] || return 0   # our own interrupted assembly
	[ -f "$MANIFEST" ] || die "$TREE was not assembled by 'make tree'." \
		"Move it away, or run with ZCTX_FORCE=1 to discard it."
	if ! git -C "$TREE" diff --quiet HEAD ||
	   ! diff -u "$MANIFEST" <(tree_manifest) >&2; then
		git -C "$TREE" diff --stat HEAD >&2
		die "$TREE has changes that are not exported to the repo." \
		    "Run 'make export' first (or ZCTX_FORCE=1 make tree to discard them)."
	fi
}
