#!/bin/bash
# efs-vm: timeout=900
#
# A check of the harness, not of efs (which it never loads): does this
# kernel's own live text patching survive in this qemu guest? The function
# tracer is switched on and off on nfsd_dispatch CYCLES times (default 60)
# while fio reads and writes over NFSv3 and NFSv4.2; each switch rewrites
# nfsd_dispatch's ftrace call site and the static keys the tracer flips,
# with the int3 protocol efs's own hooking and unhooking go through.
# tests/setup/kernels.lib.sh's vm_tcg runs the kernels that fail this under
# qemu's multi-threaded TCG single-threaded; to see the failure, run it
# multi-threaded:
#   EFS_VM_TCG= tests/vm/run.sh -k 7.3 text_poke
# check.sh leaves it out of the suite (it tests the kernel and qemu).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CYCLES=${1:-60}
T=/sys/kernel/tracing
nfsd_start 8 || fail "nfsd_start"
export_tmpfs s 256M || fail "export"
dd if=/dev/urandom of=/srv/s/data bs=1M count=32 status=none || fail "dd"
for ver in 3 4.2; do
	nfs_mount s /mnt/v$ver "$ver" || fail "mount v$ver"
done
[ -e $T/current_tracer ] || mount -t tracefs none $T || fail "mount tracefs"
grep -qx nfsd_dispatch $T/available_filter_functions ||
	grep -q '^nfsd_dispatch ' $T/available_filter_functions || fail "nfsd_dispatch is not traceable"
for ver in 3 4.2; do
	run_fio "load-v$ver" --filename=/mnt/v$ver/data --rw=randrw --bs=4k --direct=1 \
		--ioengine=psync --numjobs=4 --group_reporting --time_based --runtime=3600 &
done
for ver in 3 4.2; do
	fio_wait_running "load-v$ver" 4 || fail "fio load-v$ver did not start"
done
for i in $(seq 1 "$CYCLES"); do
	echo nfsd_dispatch >$T/set_ftrace_filter
	echo function >$T/current_tracer
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	[ $((i % 25)) = 0 ] && log "cycle $i"
done
check "$CYCLES on/off cycles of the function tracer under NFS load" true
for ver in 3 4.2; do
	fio_stop "load-v$ver"
done
wait
exit 0
