#!/bin/bash
# efs-vm: timeout=300
#
# Smoke test of the harness itself: knfsd serves a tmpfs over NFSv3 and
# NFSv4.2 on 127.0.0.1 and fio reads from both. Needs no efs.ko; if one is
# built for this kernel it is loaded and unloaded around the I/O too.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0
nfsd_start 8 || fail "nfsd_start"
export_tmpfs smoke 256M || fail "export_tmpfs"
# One file with real data, written on the server side.
dd if=/dev/urandom of=/srv/smoke/data bs=1M count=32 status=none || fail "dd"

loaded=
if [ -f "$EFS_KO" ]; then
	efs_load || fail "efs_load"
	loaded=1
else
	log "no $EFS_KO: running without the module"
fi

for v in 3 4.2; do
	mnt=/mnt/v$v
	nfs_mount smoke "$mnt" "$v" || fail "nfs_mount v$v"
	grep " $mnt " /proc/mounts
	run_fio "randread-v$v" --filename="$mnt/data" --rw=randread --bs=4k \
		--direct=1 --ioengine=psync --iodepth=1 --numjobs=1 \
		--time_based --runtime=5 || rc=1
	iops=$(fio_iops "randread-v$v" read)
	log "v$v 4k randread: $iops IOPS"
	[ "${iops:-0}" -gt 0 ] || { log "FAIL: no reads over v$v" >&2; rc=1; }
	nfs_umount "$mnt" || rc=1
done

[ -z "$loaded" ] || efs_unload || rc=1
nfsd_stop
exit $rc
