#!/bin/bash
# efs-vm: timeout=1500
#
# tests/bench/hotpath_profile.sh's guest: 4 KiB random reads (4 jobs,
# NFSv4.2) through efs built with tests/bench/hotpath-profile.patch
# ($EFS_PROFILE_KO), loaded with the export unclaimed, then claimed far
# under its budgets; each unload prints the parts' clock sums.
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

export EFS_KO=${EFS_PROFILE_KO:?set by tests/bench/hotpath_profile.sh}
randread() { # NAME SECONDS
	run_fio "$1" --filename=/mnt/b/data --rw=randread --bs=4k --direct=1 \
		--ioengine=psync --numjobs=4 --group_reporting \
		--time_based --runtime="$2"
}
nfsd_start 8 || fail "nfsd_start"
export_tmpfs b 512M || fail "export"
dd if=/dev/urandom of=/srv/b/data bs=1M count=32 status=none || fail "dd data"
nfs_mount b /mnt/b 4.2 || fail "mount"
randread warmup 3 || fail "fio warm-up"
for state in hooked with; do
	efs_load || fail "efs_load"
	if [ $state = with ]; then
		$EFS_CTL fs add b /srv/b --iops-limit 100000000 || fail "fs add"
	fi
	randread "profile-$state" 5 || fail "fio"
	log "$state: $(fio_iops "profile-$state" read) IOPS"
	[ $state = hooked ] || $EFS_CTL fs del b || fail "fs del"
	dmesg -C
	echo "state $state" >/dev/kmsg
	efs_unload || fail "efs_unload"
done
exit 0
