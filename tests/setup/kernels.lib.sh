# shellcheck shell=bash
# Where the test kernels live and how to name one. Sourced by the test,
# demo and bench scripts. The kernels are unpacked by tests/setup/kernels.sh
# (make deps) under $KROOT, a sysroot that is never the host's own.
KROOT=${EFS_KROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/kernels}

# kernels_list: every unpacked release, oldest first. The debug kernel
# (tests/setup/debug-kernel.sh, release *-efsdebug) is opt-in (make check-debug):
# CI does not build it, so make check and make modules-all leave it out.
kernels_list() {
	find "$KROOT/boot" -maxdepth 1 -name 'vmlinuz-*' ! -name '*-efsdebug' -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | sort -V
}

# resolve_krel [WANT]: empty = newest 6.1; a series ("6.1", "6.12") = its
# newest release; "efsdebug" = the newest debug kernel; otherwise an exact
# release. Prints nothing if none.
resolve_krel() {
	local want=${1:-6.1}
	if [ -e "$KROOT/boot/vmlinuz-$want" ]; then
		echo "$want"
		return
	fi
	if [ "$want" = efsdebug ]; then
		find "$KROOT/boot" -maxdepth 1 -name 'vmlinuz-*-efsdebug' -printf '%f\n' 2>/dev/null |
			sed 's/^vmlinuz-//' | sort -V | tail -n 1
		return
	fi
	# "6.1" must not match 6.12: the series is followed by . - or +.
	kernels_list | grep -E "^${want//./\\.}[.+-]" | tail -n 1
}

# vm_tcg KREL: qemu's TCG options for a guest of KREL. "thread=single"
# (both vCPUs emulated in one host thread, taking turns) for the kernels
# whose live text patching (ftrace, static keys) oopses with "Oops: int3"
# under multi-threaded TCG, efs loaded or not: switching the function
# tracer on and off on nfsd_dispatch under NFS load (the text_poke
# scenario) died within 75 cycles on 7.3.4, 6.12.95 and 6.12.117 with two
# vCPUs in their own host threads (2026-12-03 and -05), and efs's rmmod
# under load hit the same oops in CI (7.3.4 kernel_smoke 2 of 4 runs,
# 6.12.95 once). With thread=single, 6.12.117 passed 100 cycles: the
# fault is qemu 7.2's multi-threaded TCG with cross-modifying code, not the
# kernels'. The smoke kernels get it (their guest runs at one host core's
# speed, still with two vCPUs, so efs's cross-CPU paths are exercised);
# the full-suite kernels keep multi-threaded TCG for speed (their timing
# scenarios are tuned to it) and with it a small risk of that oops in a
# scenario that hooks or unhooks knfsd under load (lifecycle and
# lifecycle_storm ask for thread=single themselves). 5.10 and 6.1 show it
# as soft lockups at the rewritten site instead: 5.10's kernel_smoke at
# nfsd_vfs_write+0x0 after rmmod efs under load, 6.1's text_poke (no efs)
# at nfsd_dispatch+0x0 in cycle 25, 6.1's lifecycle in CI (2026-12-07/08).
# EFS_VM_TCG overrides.
vm_tcg() {
	case $1 in
	5.10.* | 6.12.95+deb12-amd64 | 7.3.*) echo thread=single ;;
	*) echo "" ;;
	esac
}
