#!/bin/bash
# tlshd (ktls-utils) for the TLS tests: ktls-utils is not in Debian 12, so
# trixie's binary package is installed in an mmdebstrap root of trixie under
# build/roots/trixie-tls/, made once and kept (about a minute; the debs are
# cached in build/roots/.cache/trixie-tls). Nothing is installed on the host
# and its apt sources are not touched. tlshd talks to the kernel only over
# netlink (the handshake family) and keyrings, so it runs chrooted there:
# the VM scenario tls_transit.sh mounts /proc in the root, binds the
# guest's /dev and /run (where efsctl tls setup put the certificates and
# tlshd.conf, so the paths are the same inside and out) and runs
# `chroot ROOT /usr/sbin/tlshd -c /run/efs-tls/server.conf`.
#
#   tests/setup/tlsroot.sh            make it if missing
#   tests/setup/tlsroot.sh --path     print the root's path
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
ROOTS=$REPO/build/roots
root=$ROOTS/trixie-tls

if [ "${1:-}" = --path ]; then
	echo "$root"
	exit 0
fi
[ -f "$root/.done" ] && exit 0
command -v mmdebstrap >/dev/null || { echo "tlsroot: mmdebstrap missing (make deps)" >&2; exit 1; }
# The host's Debian mirror, as tests/setup/kernels.sh found it.
uri=$(sed -n 's/^deb \[[^]]*\] \([^ ]*\) bookworm main$/\1/p' "$REPO/build/apt/sources.list" 2>/dev/null | head -1)
uri=${uri:-http://deb.debian.org/debian}
rm -rf "$root"
mkdir -p "$ROOTS/.cache/trixie-tls"
echo "tlsroot: making $root (mmdebstrap trixie, ktls-utils)"
mmdebstrap --variant=apt --mode=root -q \
	--aptopt="Acquire::Check-Valid-Until \"false\"" \
	--include=ktls-utils,gnutls-bin \
	--skip=cleanup/apt/cache \
	--setup-hook="mkdir -p \"\$1/var/cache/apt/archives\" && cp -a $ROOTS/.cache/trixie-tls/. \"\$1/var/cache/apt/archives/\" 2>/dev/null || true" \
	--customize-hook="cp -a \"\$1/var/cache/apt/archives/.\" $ROOTS/.cache/trixie-tls/ && rm -f \"\$1\"/var/cache/apt/archives/*.deb" \
	trixie "$root" "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main"
# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' ktls-utils >"$root/.version"
touch "$root/.done"
