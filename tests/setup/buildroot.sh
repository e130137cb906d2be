#!/bin/bash
# A build root for kernels that Debian 12's gcc cannot build for: an
# mmdebstrap root of SUITE (its gcc, make, libc6-dev, libelf-dev, bc, kmod,
# perl for W=1's kernel-doc, dwarves for BTF) under build/roots/SUITE/,
# made once and kept. It installs nothing on the host.
#
#   tests/setup/buildroot.sh SUITE                make it if missing
#   tests/setup/buildroot.sh --run SUITE CMD...   run CMD in it (the repo bound at
#                                           its own path, /proc mounted)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
ROOTS=$REPO/build/roots

if [ "${1:-}" = --run ]; then
	suite=$2
	shift 2
	root=$ROOTS/$suite
	[ -f "$root/.done" ] || { echo "buildroot: no build root for $suite (make deps)" >&2; exit 1; }
	# A private mount namespace: the binds vanish with the command.
	# shellcheck disable=SC2016 # expanded by the inner shell
	exec unshare --mount --propagation private /bin/sh -eu -c '
		root=$1 repo=$2
		shift 2
		# /tmp first: a checkout under /tmp is bound over it, not hidden.
		mount -t tmpfs tmpfs "$root/tmp"
		mount -t proc proc "$root/proc"
		mkdir -p "$root$repo"
		mount --bind "$repo" "$root$repo"
		cd "$root$repo"
		exec chroot "$root" /bin/sh -c "cd \"\$0\" && exec \"\$@\"" "$repo" "$@"
	' sh "$root" "$REPO" "$@"
fi

suite=${1:?usage: buildroot.sh SUITE}
root=$ROOTS/$suite
[ -f "$root/.done" ] && exit 0
# Two kernels of one suite (trixie's 6.12 and 7.3) may ask at once
# (kernels.sh fetches in parallel): one makes the root, the other waits.
mkdir -p "$ROOTS"
exec 9>"$ROOTS/.lock-$suite"
flock 9
[ -f "$root/.done" ] && exit 0
command -v mmdebstrap >/dev/null || { echo "buildroot: mmdebstrap missing (make deps)" >&2; exit 1; }
# The host's Debian mirror, as tests/setup/kernels.sh found it.
uri=$(sed -n 's/^deb \[[^]]*\] \([^ ]*\) bookworm main$/\1/p' "$REPO/build/apt/sources.list" | head -1)
uri=${uri:-http://deb.debian.org/debian}
rm -rf "$root"
mkdir -p "$ROOTS"
echo "buildroot: making $root (mmdebstrap $suite)"
# The kernel's own compiler (gcc-14 for trixie, newer in sid) comes with
# the suite's gcc; the packages' debs are cached in build/roots/.cache.
mkdir -p "$ROOTS/.cache/$suite"
mmdebstrap --variant=apt --mode=root -q \
	--aptopt="Acquire::Check-Valid-Until \"false\"" \
	--include=gcc,make,libc6-dev,libelf-dev,bc,kmod,perl,dwarves,xz-utils,zstd \
	--skip=cleanup/apt/cache \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && cp -a $ROOTS/.cache/$suite/. \"\$1/var/cache/apt/archives/\" 2>/dev/null || true" \
	--customize-hook="cp -a \"\$1/var/cache/apt/archives/.\" $ROOTS/.cache/$suite/ && rm -f \"\$1\"/var/cache/apt/archives/*.deb" \
	"$suite" "$root" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main"
touch "$root/.done"
