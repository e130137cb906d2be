#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
# Diagnosis only (not in make check): what the hostile_client flood costs
# its neighbour, against what a flood that paces itself costs. One guest:
# the unclaimed export "neighbour" read by 2 jobs, alone and beside
#  - efs: the flood of hostile_client (nconnect=16, 16 libaio jobs x
#    iodepth 64) on "target" capped at CAP units/s (default 50);
#  - paced: the same mount and jobs, no cap: fio paces the 16 jobs to
#    CAP/16 IOPS each (the cost of the flood's admitted work alone).
# ROUNDS rounds (default 2), order alternating. Read it in counted time:
#   tests/vm/run.sh -c -k 6.1 -t 3000 tests/vm/diag/hostile_ab.sh 50 2
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=${1:-50}
ROUNDS=${2:-2}
SECS=10
nfsd_start 8 || fail "nfsd_start"
for d in target neighbour; do
	export_tmpfs "$d" 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
netns_client evil 10.99.0.66 || fail "client evil"
netns_client good 10.99.0.77 || fail "client good"
in_client evil nfs_mount target /mnt/target 4.2 nconnect=16 || fail "mount target"
in_client good nfs_mount neighbour /mnt/neighbour 4.2 || fail "mount neighbour"

beside() { # MODE ROUND
	if [ "$1" = efs ]; then
		$EFS_CTL fs add target /srv/target --iops-limit "$CAP" || fail "fs add"
		storm_start evil "flood-$1-$2" /mnt/target 16 --ioengine=libaio --iodepth=64
	else
		storm_start evil "flood-$1-$2" /mnt/target 16 --ioengine=libaio --iodepth=64 \
			--rate_iops=$((CAP / 16))
	fi
	sleep 2
	client_load good "beside-$1-$2" /mnt/neighbour 2 $SECS
	storm_stop "flood-$1-$2"
	[ "$1" = efs ] && $EFS_CTL fs del target
	sleep 2
}
for ((r = 0; r < ROUNDS; r++)); do
	if ((r % 2)); then order="paced efs"; else order="efs paced"; fi
	client_load good "alone-$r" /mnt/neighbour 2 $SECS
	a=$(fio_iops "alone-$r" read)
	for m in $order; do
		beside "$m" "$r"
		b=$(fio_iops "beside-$m-$r" read)
		log "round $r $m: neighbour $b IOPS of $a alone ($(ratio "$b" "$a")); flood $(fio_iops "flood-$m-$r" read) IOPS"
	done
done
