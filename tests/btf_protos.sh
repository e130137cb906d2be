#!/bin/bash
# For each test kernel with module BTF: do the prototypes efs.ko was built
# for (modinfo efs_protos) match that kernel's own nfsd.ko BTF? No VM
# needed: the vmlinux (base BTF) comes out of the unpacked vmlinuz, nfsd.ko
# from the unpacked modules. The offsets are checked in the VM
# (nfsd_layout), where efs reports what it was compiled with.
#
#   tests/btf_protos.sh [KREL...]     default: every unpacked kernel
# Prints "PASS|FAIL|SKIP btf_protos [krel]" per kernel; exit 1 on a FAIL.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
CHECK=$REPO/tools/efs-btf-check/efs-btf-check
make -s -C "$REPO/tools/efs-btf-check" >/dev/null || exit 2

# vmlinux_of VMLINUZ OUT: the ELF inside a bzImage (as tests/vm/run.sh).
vmlinux_of() {
	local off dec
	for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00|\x28\xb5\x2f\xfd|\x1f\x8b\x08' "$1" | cut -d: -f1 | head -n 8); do
		for dec in "xz -dcq --single-stream" "zstd -dcq" "gzip -dcq"; do
			tail -c +$((off + 1)) "$1" | $dec >"$2" 2>/dev/null
			[ "$(head -c 4 "$2" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] && return 0
		done
	done
	return 1
}

# shellcheck disable=SC2046 # one release a word
[ $# -gt 0 ] || set -- $(kernels_list)
rc=0
for k in "$@"; do
	out=$REPO/build/btf/$k
	mkdir -p "$out"
	ko=$REPO/build/$k/efs.ko
	nfsd=$(find "$KROOT/lib/modules/$k" -name 'nfsd.ko*' | head -1)
	if ! grep -q '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$KROOT/boot/config-$k" 2>/dev/null; then
		echo "SKIP btf_protos [$k] (no module BTF: the version ranges decide)"
		continue
	fi
	if [ ! -f "$ko" ] || [ -z "$nfsd" ]; then
		if [ -z "$nfsd" ]; then m=nfsd.ko; else m=$ko; fi
		echo "FAIL btf_protos [$k] (missing $m)"
		rc=1
		continue
	fi
	if [ ! -s "$out/vmlinux" ] || [ "$out/vmlinux" -ot "$KROOT/boot/vmlinuz-$k" ]; then
		vmlinux_of "$KROOT/boot/vmlinuz-$k" "$out/vmlinux" || { echo "FAIL btf_protos [$k] (no vmlinux)"; rc=1; continue; }
	fi
	if "$CHECK" --vmlinux "$out/vmlinux" --nfsd "$nfsd" --expect "$ko" >"$out/protos.txt" 2>&1; then
		echo "PASS btf_protos [$k]"
	else
		sed 's/^/  /' "$out/protos.txt"
		echo "FAIL btf_protos [$k]"
		rc=1
	fi
done
exit $rc
