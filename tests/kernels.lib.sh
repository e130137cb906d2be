# shellcheck shell=bash
# Where the test kernels live and how to name one. Sourced by the test,
# demo and bench scripts. The kernels are unpacked by tests/kernels.sh
# (make deps) under $KROOT, a sysroot that is never the host's own.
KROOT=${EFS_KROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/kernels}

# kernels_list: every unpacked release, oldest first. The debug kernel
# (tests/debug-kernel.sh, release *-efsdebug) is opt-in (make check-debug):
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

# vm_cpus KREL: how many vCPUs run.sh gives a guest of KREL. One for the
# kernels whose own live text patching (ftrace, static keys) oopses with
# "int3" in a 2-vCPU TCG guest, efs loaded or not: 7.3.4, 2 runs of 2 within
# ten on/off cycles of the function tracer under NFS load, while 6.12.117
# and 7.2.13 pass 150 and 7.3.4 with one vCPU passes 150
# (EFS_VM_CPUS=2 tests/vm/run.sh -k 7.3 text_poke). Whether the fault is
# the kernel's or qemu 7.2's TCG is not known; with one vCPU efs's hooking
# and rmmod under load are still tested, the cross-CPU patching race is not.
vm_cpus() {
	case $1 in
	7.3.*) echo 1 ;;
	*) echo 2 ;;
	esac
}
