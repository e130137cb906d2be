#!/bin/sh
# Install everything efs needs to build, test and demo, from Debian's
# archive only. Idempotent: a second run installs nothing new.
#
#   kernels: 6.1 (bookworm) and 6.12 (bookworm-backports), image + headers
#   VM:      qemu-system-x86 (TCG), busybox-static for the initramfs
#   guest:   nfs-kernel-server, nfs-common, fio, xfsprogs, iproute2
#   tools:   libmnl-dev, pkg-config, dwarves (pahole), bpftool, jq
#   KUnit:   linux-source-6.1 (UML build), flex, bison, bc
#   YNL:     linux-source-6.12 (tools/net/ynl), python3-yaml, python3-jsonschema
#   bench:   gnuplot-nox
#   metrics: prometheus (for promtool check metrics)
set -eu

[ "$(id -u)" = 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

src=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	# Reuse the URI of the machine's own bookworm entry (it may be a mirror).
	uri=$(grep -rhs '^URIs:' /etc/apt/sources.list.d/*.sources | head -1 | awk '{print $2}')
	[ -n "$uri" ] || uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
	[ -n "$uri" ] || uri=http://deb.debian.org/debian
	cat > "$src" <<EOT
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	apt-get update -q
fi

pkgs="build-essential make gcc bc flex bison kmod cpio xz-utils
	linux-image-amd64 linux-headers-amd64 linux-source-6.1 linux-source-6.12
	qemu-system-x86 busybox-static
	nfs-kernel-server nfs-common rpcbind fio xfsprogs e2fsprogs iproute2
	libmnl-dev pkg-config dwarves bpftool jq python3 python3-yaml python3-jsonschema
	gnuplot-nox prometheus"

missing=
for p in $pkgs; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	apt-get update -q || true
	apt-get install -y -q --no-install-recommends $missing
fi

# The 6.12 kernel from bookworm-backports, by its versioned package name so
# the 6.1 meta-packages above stay as they are.
bp=$(apt-cache madison linux-image-amd64 | awk -F'|' '/bookworm-backports/ {gsub(/ /,"",$2); print $2; exit}')
if [ -z "$bp" ]; then
	echo "deps: no linux-image-amd64 in bookworm-backports (apt-get update?)" >&2
	exit 1
fi
img=$(apt-cache show "linux-image-amd64=$bp" | sed -n 's/^Depends: //p' | tr ',' '\n' |
	grep -o 'linux-image-[0-9][^ ]*' | head -1)
hdr=linux-headers-${img#linux-image-}
for p in $img $hdr; do
	if ! dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		apt-get install -y -q --no-install-recommends -t bookworm-backports "$img" "$hdr"
		break
	fi
done

# KUnit and YNL work from the unpacked kernel sources.
for v in 6.1 6.12; do
	d=/usr/src/linux-source-$v
	if [ ! -d "$d" ]; then
		tar -C /usr/src -xf /usr/src/linux-source-$v.tar.xz
	fi
done
echo "deps: ok ($(ls /lib/modules | tr '\n' ' '))"
