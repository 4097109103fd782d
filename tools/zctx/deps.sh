#!/usr/bin/env bash
# Ensure the Debian packages needed to build and test zctx are installed,
# including the pinned kernel source package (tools/zctx/base.env).
# Fast no-op (no apt-get update) when everything is already present.
. "$(dirname "$0")/lib.sh"

PKGS=(qemu-system-x86 flex bison bc libelf-dev libssl-dev cpio busybox-static
      gnuplot-nox ccache python3 dwarves
      iptables)  # iptables-legacy for the scan step's guest

installed_version() {  # prints the installed version of $1, or nothing
	{ dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null || true; } |
		awk '$1 == "ii" { print $2 }'
}

loud() {  # multi-line warning that is hard to miss
	{
		echo '[zctx] ################################################################'
		for l in "$@"; do echo "[zctx] ## WARNING: $l"; done
		echo '[zctx] ################################################################'
	} >&2
}

missing=()
for p in "${PKGS[@]}"; do
	[ -n "$(installed_version "$p")" ] || missing+=("$p")
done
have=$(installed_version "$LINUX_PKG")

if [ ${#missing[@]} -eq 0 ] && [ "$have" = "$LINUX_PKG_VERSION" ]; then
	log "deps: all packages present ($LINUX_PKG $have)"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	[ -n "$have" ] && [ "$have" != "$LINUX_PKG_VERSION" ] &&
		loud "$LINUX_PKG $have is installed, but the pinned version is $LINUX_PKG_VERSION."
	[ -n "$have" ] || missing+=("$LINUX_PKG=$LINUX_PKG_VERSION")
	[ ${#missing[@]} -eq 0 ] && exit 0   # only a version mismatch: warned
	log "missing packages: ${missing[*]}"
	need_root_or_print apt-get install -y "${missing[@]}"
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -ne 0 ] || [ -z "$have" ]; then
	log "apt-get update (something is missing)"
	apt-get update -q
fi

# Is the pinned kernel source version in the archive?
if apt-cache madison "$LINUX_PKG" | awk -F'|' '{gsub(/ /,"",$2); print $2}' |
	grep -qxF -- "$LINUX_PKG_VERSION"; then
	want="$LINUX_PKG=$LINUX_PKG_VERSION"
elif [ -n "$have" ]; then
	want=""   # keep what is installed; warned below
else
	want="$LINUX_PKG"
	newest=$(apt-cache policy "$LINUX_PKG" | awk '/Candidate:/ { print $2 }')
	loud "pinned $LINUX_PKG=$LINUX_PKG_VERSION is not in the apt archive." \
	     "Installing the newest available instead: $LINUX_PKG=${newest:-none}." \
	     "Test results are NOT comparable with the pinned base;" \
	     "update LINUX_PKG_VERSION in tools/zctx/base.env if this is intended."
fi

[ -n "$want" ] && [ "$have" != "$LINUX_PKG_VERSION" ] && missing+=("$want")
if [ ${#missing[@]} -ne 0 ]; then
	log "apt-get install ${missing[*]}"
	apt-get install -y -q --allow-downgrades "${missing[@]}"
fi

have=$(installed_version "$LINUX_PKG")
[ -n "$have" ] || die "$LINUX_PKG is still not installed"
if [ "$have" != "$LINUX_PKG_VERSION" ]; then
	loud "$LINUX_PKG $have is installed, but the pinned version is $LINUX_PKG_VERSION." \
	     "The tree will be built from $have."
fi
log "deps: ok ($LINUX_PKG $have)"
