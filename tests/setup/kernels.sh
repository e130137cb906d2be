#!/bin/bash
# Fetch the kernels efs is built and tested for, from Debian's archive, and
# unpack them under build/kernels/ (a sysroot: boot/, lib/modules/, usr/src/,
# usr/lib/linux-kbuild-*) instead of installing them. Installing a
# linux-image package would make it the machine's default boot entry; the
# test kernels are only for the VM, so nothing here touches the host's
# kernels, apt sources or boot loader.
#
#   tests/setup/kernels.sh            fetch what is missing (idempotent)
#   tests/setup/kernels.sh --demo     only what make demo boots: Debian 12's
#                                     6.1, from bookworm's lists alone
#   tests/setup/kernels.sh --list     print the releases that are unpacked
#
# Kernels (KERNEL_SPECS below): every Debian kernel series, from its suite:
# 5.10 (bullseye), 6.1 (bookworm), 6.12.95 (bookworm-backports), 6.12.117
# (trixie, Debian 13's own), 7.3 (trixie-backports), 7.2 (sid). Also
# linux-source-6.12 (for YNL's cli.py), unpacked under build/src/, and the
# TLS tests' root (tests/setup/tlsroot.sh). Three jobs at a time
# (EFS_DEPS_JOBS).
# Downloads use a private apt configuration in build/apt/ (its own sources
# list and package lists, with the host's own Debian mirror), so the host's
# apt state stays as is.
#
# Kernels built by another compiler than the host's gcc get a build root:
# tests/setup/buildroot.sh makes an mmdebstrap root of the kernel's suite under
# build/roots/<suite>/ (cached), and build/kernels/.root-<krel> names it;
# the Makefile builds efs.ko for that kernel inside it.
#
#   EFS_KERNELS="6.1 7.3"       fetch only these series (default: all)
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"

demo=0
case ${1:-} in
--list)
	kernels_list
	exit 0
	;;
--demo)
	demo=1
	EFS_KERNELS=${EFS_KERNELS:-6.1}
	;;
"") ;;
*) echo "usage: kernels.sh [--demo|--list]" >&2; exit 2 ;;
esac

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
key=/usr/share/keyrings/debian-archive-keyring.gpg
{
	# The demo's 6.1 needs bookworm's lists only (a tenth of the full
	# set's download and parsing).
	if [ "$demo" = 1 ]; then
		suites=bookworm
	else
		suites="bookworm bullseye trixie"
	fi
	for s in $suites; do
		echo "deb [signed-by=$key] $uri $s main"
		echo "deb [signed-by=$key] $uri $s-updates main"
		echo "deb [signed-by=$key] $sec $s-security main"
	done
	if [ "$demo" = 0 ]; then
		echo "deb [signed-by=$key] $uri bookworm-backports main"
		echo "deb [signed-by=$key] $uri trixie-backports main"
		echo "deb [signed-by=$key] $uri sid main"
	fi
} >"$APT/sources.list.new"
# A sources list with new entries (new suites, another mirror) refreshes
# the lists now; one that has every entry wanted (the full list, asked
# for the demo's part of it) stays.
if [ ! -f "$APT/sources.list" ] || grep -qvxFf "$APT/sources.list" "$APT/sources.list.new"; then
	mv "$APT/sources.list.new" "$APT/sources.list"
	rm -f "$APT/lists/"*_Packages*
else
	rm -f "$APT/sources.list.new"
fi
aptopts=(
	-o "Dir::Etc::SourceList=$APT/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$APT/lists" -o "Dir::Cache=$APT/cache"
	-o "Dir::State::status=/dev/null" -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root
	-o Acquire::Check-Valid-Until=false
)
# Refresh the private lists at most once a day.
if [ -z "$(find "$APT/lists" -name '*_Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	echo "kernels: updating the package lists in $APT"
	apt-get "${aptopts[@]}" update -q >"$APT/update.log" 2>&1 ||
		{ tail "$APT/update.log" >&2; exit 1; }
fi

# newest_image SUITE_REGEX: the linux-image-X-amd64 package that the
# newest linux-image-amd64 of those suites depends on. (Every apt-cache
# call parses every suite's list: madison's answer is asked once.)
madison=
newest_image() {
	local ver
	[ -n "$madison" ] || madison=$(apt-cache "${aptopts[@]}" madison linux-image-amd64)
	ver=$(awk -F'|' -v s="$1" '$3 ~ s {gsub(/ /, "", $2); print $2}' <<<"$madison" | sort -V | tail -1)
	[ -n "$ver" ] || return 1
	apt-cache "${aptopts[@]}" show "linux-image-amd64=$ver" | sed -n 's/^Depends: //p' |
		tr ',' '\n' | grep -o 'linux-image-[0-9][^ ]*-amd64' | head -1
}

# deps_of PACKAGE REGEX: the package's Depends that match REGEX.
deps_of() {
	apt-cache "${aptopts[@]}" show "$1" | sed -n 's/^Depends: //p' | head -1 |
		tr ',' '\n' | grep -oE "$2" | sort -u
}

# KERNEL_SPECS: series;suites (a regex on apt-cache madison's suite
# column);the suite whose compiler built it (its build root).
KERNEL_SPECS=(
	'5.10; bullseye(-security|-updates)?/;bullseye'
	'6.1; bookworm(-security|-updates)?/;bookworm'
	'6.12; bookworm-backports/;bookworm'
	'6.12; trixie/;trixie'
	'7.3; trixie-backports/;trixie'
	'7.2; sid/;sid'
)
want_series() { # SERIES: in $EFS_KERNELS (default: every series)
	[ -z "${EFS_KERNELS:-}" ] && return 0
	case " $EFS_KERNELS " in *" $1 "*) return 0 ;; esac
	return 1
}

# fetch DEST PACKAGE...: download (cached) and unpack into DEST. The
# missing ones in one apt-get call: each call parses every suite's list,
# seconds of CPU.
fetch() {
	local dest=$1 p f missing=()
	shift
	for p in "$@"; do
		[ -n "$(find "$DEBS" -maxdepth 1 -name "${p}_*.deb" | head -1)" ] || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		(cd "$DEBS" && apt-get "${aptopts[@]}" download -q "${missing[@]}" >/dev/null) ||
			{ echo "kernels: cannot download ${missing[*]}" >&2; return 1; }
	fi
	for p in "$@"; do
		f=$(find "$DEBS" -maxdepth 1 -name "${p}_*.deb" | head -1)
		[ -n "$f" ] || { echo "kernels: no $p after the download" >&2; return 1; }
		dpkg-deb -x "$f" "$dest"
	done
}

# Compilers compare by "(Debian VERSION) VERSION", without the driver's name.
hostcc=$(gcc --version 2>/dev/null | head -1 | sed 's/^[^ ]* //')

# prepare_kernel IMAGE ROOTSUITE: unpack the kernel of linux-image package
# IMAGE into the sysroot and, if the host's gcc did not build it, make its
# suite's build root.
prepare_kernel() {
	local img=$1 rootsuite=$2 krel split hdr f d kcc
	krel=${img#linux-image-}
	if [ ! -f "$KROOT/.done-$krel" ]; then
		echo "kernels: fetching $krel ($rootsuite)"
		# From 7.x the image package is split: the vmlinuz is in
		# linux-binary-KV (/usr/lib/modules/KV/vmlinuz), the modules in
		# linux-modules-KV.
		split=$(deps_of "$img" "linux-(binary|modules|base)-${krel//+/\\+}")
		# The headers' own dependencies: the -common tree and linux-kbuild.
		hdr=linux-headers-$krel
		# shellcheck disable=SC2046,SC2086 # lists of package names
		fetch "$KROOT" "$img" $split "$hdr" $(deps_of "$hdr" 'linux-(headers-[^ ]*-common|kbuild-[^ ]*)')
		if [ ! -e "$KROOT/boot/vmlinuz-$krel" ]; then
			mkdir -p "$KROOT/boot"
			for f in vmlinuz config System.map; do
				for d in "$KROOT/usr/lib/modules/$krel" "$KROOT/lib/modules/$krel"; do
					[ -e "$d/$f" ] && cp -p "$d/$f" "$KROOT/boot/$f-$krel" && break
				done
			done
		fi
		# Split packages put the modules under /usr/lib/modules: the
		# sysroot keeps one tree, lib/modules/KV.
		if [ -d "$KROOT/usr/lib/modules/$krel" ]; then
			mkdir -p "$KROOT/lib/modules/$krel"
			cp -a "$KROOT/usr/lib/modules/$krel/." "$KROOT/lib/modules/$krel/"
			rm -rf "$KROOT/usr/lib/modules/$krel"
		fi
		[ -e "$KROOT/boot/vmlinuz-$krel" ] || { echo "kernels: no vmlinuz in the $krel packages" >&2; return 1; }
		# The headers include their -common tree by absolute path: point it
		# into this sysroot.
		sed -i "s|/usr/src/linux-headers-|$KROOT/usr/src/linux-headers-|g" \
			"$KROOT/usr/src/$hdr/Makefile"
		depmod -b "$KROOT" "$krel"
		touch "$KROOT/.done-$krel"
	fi
	# Which compiler: the host's gcc if it built this kernel, else the
	# kernel suite's own, in a build root.
	kcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"/\1/p' "$KROOT/boot/config-$krel" | sed 's/^[^ ]* //')
	if [ -z "$hostcc" ]; then
		# make deps-demo fetches while deps.sh installs gcc, then
		# runs this again to decide
		echo "kernels: $krel fetched; no gcc yet to compare with $kcc"
	elif [ "$kcc" = "$hostcc" ]; then
		rm -f "$KROOT/.root-$krel"
		echo "kernels: $krel ready (host gcc)"
	else
		"$REPO/tests/setup/buildroot.sh" "$rootsuite"
		echo "$rootsuite" >"$KROOT/.root-$krel"
		echo "kernels: $krel ready (build root $rootsuite: $kcc)"
	fi
}

# Which release each suite has now: asked once per refresh of the lists
# (each apt-cache call parses every suite's list, seconds of CPU), and
# before the jobs below start, so that they only read apt's caches.
images=()
for spec in "${KERNEL_SPECS[@]}"; do
	IFS=';' read -r series suites rootsuite <<<"$spec"
	want_series "$series" || continue
	memo=$APT/newest-$series-$rootsuite
	if [ -s "$memo" ] && [ -z "$(find "$APT/lists" -name '*_Packages*' -newer "$memo" | head -1)" ]; then
		img=$(cat "$memo")
	else
		img=$(newest_image "$suites") || { echo "kernels: no $series kernel in$suites" >&2; exit 1; }
		echo "$img" >"$memo"
	fi
	images+=("$img;$rootsuite")
done

# The kernels, the build roots, the TLS root and linux-source-6.12 are
# independent: JOBS (3) at a time. Unpacking (xz) and depmod keep a core
# busy while another download waits on the mirror; a fresh make deps took
# 10 min one after the other.
JOBS=${EFS_DEPS_JOBS:-3}
STATUS=$(mktemp -d)
trap 'rm -rf "$STATUS"' EXIT
njobs=0
job() { # CMD...: run in the background (errexit on), at most JOBS at once;
	# its exit status goes to $STATUS/N
	while [ "$(jobs -pr | wc -l)" -ge "$JOBS" ]; do
		wait -n || true
	done
	njobs=$((njobs + 1))
	( set +e; ( set -e; "$@" ); echo $? >"$STATUS/$njobs" ) &
}
for spec in "${images[@]}"; do
	IFS=';' read -r img rootsuite <<<"$spec"
	job prepare_kernel "$img" "$rootsuite"
done
# linux-source-6.12 for tools/net/ynl (YNL's cli.py and its specs); the
# demo has no use for it.
fetch_ynl_source() {
	local tmp
	echo "kernels: fetching linux-source-6.12"
	tmp=$(mktemp -d "$REPO/build/src/.XXXXXX")
	fetch "$tmp" linux-source-6.12
	tar -C "$REPO/build/src" -xf "$tmp"/usr/src/linux-source-6.12.tar.xz
	rm -rf "$tmp"
}
if [ "$demo" = 0 ]; then
	[ -d "$REPO/build/src/linux-source-6.12" ] || job fetch_ynl_source
	# tlshd's root for the TLS tests (tests/setup/tlsroot.sh): it reads
	# the mirror from the sources list written above.
	job "$REPO/tests/setup/tlsroot.sh"
fi
wait
for ((i = 1; i <= njobs; i++)); do
	[ "$(cat "$STATUS/$i" 2>/dev/null)" = 0 ] || { echo "kernels: failed (see above)" >&2; exit 1; }
done
echo "kernels: ok ($(kernels_list | tr '\n' ' '))"
