#!/bin/bash
# Build the debug test kernel (KASAN, lockdep, kmemleak, debug objects,
# fault injection, panicking lockup detectors) from Debian's linux-source-6.12
# (build/src/, unpacked by tests/setup/kernels.sh) and install it where run.sh finds
# kernels, as release <version>-efsdebug:
#   build/kernels/boot/{vmlinuz,config,System.map}-<release>
#   build/kernels/lib/modules/<release>/
#   build/kernels/usr/src/linux-headers-<release> -> the build tree (efs.ko)
# The config is x86_64_defconfig plus tests/setup/debug-kernel.config, checked
# option by option after olddefconfig. Out of tree in build/debug-kernel/;
# nothing is rebuilt when the source and the config did not change.
#
#   tests/setup/debug-kernel.sh            build (or reuse), print the release
#   tests/setup/debug-kernel.sh --release  print the release it would build
#
# The kernel's release ends in -efsdebug, which keeps it out of
# tests/setup/kernels.lib.sh's kernels_list (make check, make modules-all).
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
SRC=$REPO/build/src/linux-source-6.12
OBJ=$REPO/build/debug-kernel/obj
FRAG=$REPO/tests/setup/debug-kernel.config
LOCALVERSION=-efsdebug
[ -f "$SRC/Makefile" ] || { echo "debug-kernel: no $SRC (make deps)" >&2; exit 1; }

kv=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$SRC/Makefile" | paste -sd.)
release=$kv$LOCALVERSION
if [ "${1:-}" = --release ]; then
	echo "$release"
	exit 0
fi

# The cache key: the source's version and tarball date, the fragment, this
# script and the compiler.
stamp=$(
	echo "$release"
	stat -c '%Y' "$SRC/Makefile"
	cat "$FRAG" "$0"
	gcc --version | head -n 1
)
stamp=$(sha256sum <<<"$stamp" | cut -d' ' -f1)
boot=$KROOT/boot
if [ -f "$boot/vmlinuz-$release" ] && [ "$(cat "$OBJ/.efs-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "debug-kernel: $release is up to date"
	echo "$release"
	exit 0
fi

mkdir -p "$OBJ"
# The kernel's own make, at the lowest priority: the machine runs timing
# sensitive VM tests next to it.
kmake() {
	nice -n 19 ionice -c3 make -C "$SRC" O="$OBJ" LOCALVERSION="$LOCALVERSION" \
		-j"${EFS_JOBS:-2}" "$@"
}

# --- config ---------------------------------------------------------------
kmake -s x86_64_defconfig
args=()
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	opt=${opt#CONFIG_}
	case $val in
	y) args+=(--enable "$opt") ;;
	m) args+=(--module "$opt") ;;
	n) args+=(--disable "$opt") ;;
	*) args+=(--set-val "$opt" "$val") ;;
	esac
done <"$FRAG"
"$SRC/scripts/config" --file "$OBJ/.config" "${args[@]}"
# -efsdebug comes from LOCALVERSION alone (no "+" for an unclean tree).
"$SRC/scripts/config" --file "$OBJ/.config" --set-str LOCALVERSION "" --disable LOCALVERSION_AUTO
kmake -s olddefconfig
bad=0
while IFS= read -r line; do
	case $line in '' | '#'*) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		if grep -qE "^$opt=" "$OBJ/.config"; then
			echo "debug-kernel: $opt should be off, is $(grep -E "^$opt=" "$OBJ/.config")" >&2
			bad=1
		fi
	elif ! grep -qxF "$opt=$val" "$OBJ/.config"; then
		echo "debug-kernel: wanted $opt=$val, got: $(grep -E "^(# )?${opt}[= ]" "$OBJ/.config" || echo 'not in .config')" >&2
		bad=1
	fi
done <"$FRAG"
[ "$bad" -eq 0 ] || { echo "debug-kernel: the config lacks wanted options (see above)" >&2; exit 1; }
got=$(kmake -s kernelrelease)
[ "$got" = "$release" ] || { echo "debug-kernel: release is $got, expected $release" >&2; exit 1; }

# --- build and install ----------------------------------------------------
t0=$SECONDS
echo "debug-kernel: building $release in $OBJ" >&2
kmake bzImage modules
rm -rf "$KROOT/lib/modules/$release"
# Stripped modules: the guest reads them over 9p.
kmake -s INSTALL_MOD_PATH="$KROOT" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod modules_install
# modules_install links build/ and source/ to this tree: efs.ko's build
# goes through linux-headers-<release> (the Makefile's kdir_of) instead.
rm -f "$KROOT/lib/modules/$release/build" "$KROOT/lib/modules/$release/source"
mkdir -p "$boot" "$KROOT/usr/src"
cp "$OBJ/.config" "$boot/config-$release"
cp "$OBJ/System.map" "$boot/System.map-$release"
cp "$OBJ/arch/x86/boot/bzImage" "$boot/vmlinuz-$release.tmp"
mv -f "$boot/vmlinuz-$release.tmp" "$boot/vmlinuz-$release"
ln -sfn "$OBJ" "$KROOT/usr/src/linux-headers-$release"
echo "$stamp" >"$OBJ/.efs-stamp"
echo "debug-kernel: $release built and installed in $((SECONDS - t0))s" >&2
echo "$release"
