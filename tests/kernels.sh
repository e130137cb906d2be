#!/bin/bash
# Fetch the kernels efs is built and tested for, from Debian's archive, and
# unpack them under build/kernels/ (a sysroot: boot/, lib/modules/, usr/src/,
# usr/lib/linux-kbuild-*) instead of installing them. Installing a
# linux-image package would make it the machine's default boot entry; the
# test kernels are only for the VM, so nothing here touches the host's
# kernels, apt sources or boot loader.
#
#   tests/kernels.sh            fetch what is missing (idempotent)
#   tests/kernels.sh --list     print the releases that are unpacked
#
# Kernels: the newest 6.1 of Debian 12 (bookworm, bookworm-security) and the
# newest 6.12 of bookworm-backports. Also linux-source-6.12 (for YNL's
# cli.py), unpacked under build/src/. Downloads use a private apt
# configuration in build/apt/ (its own sources list and package lists,
# with the host's own Debian mirror), so the host's apt state stays as is.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/kernels.lib.sh
. "$REPO/tests/kernels.lib.sh"

if [ "${1:-}" = --list ]; then
	kernels_list
	exit 0
fi

APT=$REPO/build/apt
DEBS=$APT/debs
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$DEBS" "$KROOT" "$REPO/build/src"

# The host's Debian mirror (it may be a local one): the first deb822 or
# one-line entry that serves a bookworm suite.
uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && /bookworm/ && u !~ /security/ {print u; exit}' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '$1=="deb" && $3 ~ /^bookworm/ && $2 !~ /security/ {print $2; exit}' \
	/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true)
[ -n "$uri" ] || uri=http://deb.debian.org/debian
sec=$(awk '/^URIs:/ {u=$2} /^Suites:/ && /bookworm-security/ {print u; exit}' \
	/etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$sec" ] || sec=http://deb.debian.org/debian-security
cat >"$APT/sources.list" <<EOT
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-updates main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $sec bookworm-security main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri bookworm-backports main
EOT
aptopts=(
	-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
	-o "Dir::State::status=/dev/null" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
)
# Refresh the private lists at most once a day.
if [ -z "$(find "$APT/lists" -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	echo "kernels: updating the package lists in $APT"
	apt-get "${aptopts[@]}" update -q >"$APT/update.log" 2>&1 ||
		{ tail "$APT/update.log" >&2; exit 1; }
fi

# newest_image SUITE_REGEX SERIES: the linux-image-X-amd64 package that the
# newest linux-image-amd64 of those suites depends on.
newest_image() {
	local ver
	ver=$(apt-cache "${aptopts[@]}" madison linux-image-amd64 |
		awk -F'|' -v s="$1" '$3 ~ s {gsub(/ /, "", $2); print $2}' | sort -V | tail -1)
	[ -n "$ver" ] || return 1
	apt-cache "${aptopts[@]}" show "linux-image-amd64=$ver" | sed -n 's/^Depends: //p' |
		tr ',' '\n' | grep -o 'linux-image-[0-9][^ ]*-amd64' | head -1
}

# fetch DEST PACKAGE...: download (cached) and unpack into DEST.
fetch() {
	local dest=$1 p f
	shift
	for p in "$@"; do
		f=$(find "$DEBS" -maxdepth 1 -name "${p}_*.deb" | head -1)
		if [ -z "$f" ]; then
			(cd "$DEBS" && apt-get "${aptopts[@]}" download -q "$p" >/dev/null) ||
				{ echo "kernels: cannot download $p" >&2; return 1; }
			f=$(find "$DEBS" -maxdepth 1 -name "${p}_*.deb" | head -1)
		fi
		dpkg-deb -x "$f" "$dest"
	done
}

for spec in ' bookworm(-security|-updates)?/:6.1' 'bookworm-backports/:6.12'; do
	suites=${spec%:*}
	img=$(newest_image "$suites") || { echo "kernels: no ${spec#*:} kernel in $suites" >&2; exit 1; }
	krel=${img#linux-image-}
	if [ -f "$KROOT/.done-$krel" ]; then
		echo "kernels: $krel ready"
		continue
	fi
	echo "kernels: fetching $krel"
	# The headers' own dependencies: the -common tree and linux-kbuild.
	hdr=linux-headers-$krel
	deps=$(apt-cache "${aptopts[@]}" show "$hdr" | sed -n 's/^Depends: //p' | head -1 |
		tr ',' '\n' | grep -oE 'linux-(headers-[^ ]*-common|kbuild-[^ ]*)' | sort -u)
	fetch "$KROOT" "$img" "$hdr" $deps
	# The headers include their -common tree by absolute path: point it
	# into this sysroot.
	sed -i "s|/usr/src/linux-headers-|$KROOT/usr/src/linux-headers-|g" \
		"$KROOT/usr/src/$hdr/Makefile"
	depmod -b "$KROOT" "$krel"
	touch "$KROOT/.done-$krel"
done

# linux-source-6.12 for tools/net/ynl (YNL's cli.py and its specs).
if [ ! -d "$REPO/build/src/linux-source-6.12" ]; then
	echo "kernels: fetching linux-source-6.12"
	tmp=$(mktemp -d "$REPO/build/src/.XXXXXX")
	fetch "$tmp" linux-source-6.12
	tar -C "$REPO/build/src" -xf "$tmp"/usr/src/linux-source-6.12.tar.xz
	rm -rf "$tmp"
fi
echo "kernels: ok ($(kernels_list | tr '\n' ' '))"
