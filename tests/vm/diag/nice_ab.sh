#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
#
# A/B of module parameter throttled_nice: the unclaimed export's IOPS
# (2 jobs) beside two filesystems capped at CAP and hammered by 16 jobs
# each, with throttled requests finishing at nice 0 (off) and at nice 19,
# in alternating order, ROUNDS rounds. Prints per-round ratios to alone.
# Usage: tests/vm/run.sh -k 6.12 tests/vm/diag/nice_ab.sh [CAP [ROUNDS]]
# The gain is a few percent, below this host's noise in wall-clock time:
# read it in counted time, where two rounds repeat within about 1%:
#   EFS_VM_QEMU_ARGS="-smp 1 -icount shift=2,sleep=off" \
#     tests/vm/run.sh -k 6.1 tests/vm/diag/nice_ab.sh 100 2
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=${1:-100}
ROUNDS=${2:-4}
SECS=10
param=/sys/module/efs/parameters/throttled_nice
nfsd_start 8 || fail "nfsd_start"
for d in quiet noisy1 noisy2; do
	export_tmpfs "$d" 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
for c in cq:10 c1:11 c2:12; do
	netns_client "${c%%:*}" "10.99.0.${c##*:}" || fail "client $c"
done
in_client cq nfs_mount quiet /mnt/quiet 4.2 || fail "mount quiet"
in_client c1 nfs_mount noisy1 /mnt/noisy1 4.2 || fail "mount noisy1"
in_client c2 nfs_mount noisy2 /mnt/noisy2 4.2 || fail "mount noisy2"
for d in noisy1 noisy2; do
	$EFS_CTL fs add "$d" /srv/$d --iops-limit "$CAP" || fail "fs add $d"
done

# run NAME NICE: the unclaimed export's IOPS beside both storms.
run() {
	echo "$2" >"$param" || fail "set throttled_nice"
	storm_start c1 "s1$1" /mnt/noisy1 16 && storm_start c2 "s2$1" /mnt/noisy2 16
	sleep 2
	client_load cq "$1" /mnt/quiet 2 "$SECS"
	storm_stop "s1$1" "s2$1"
	log "$1 (nice $2): $(fio_iops "$1" read) IOPS; noisy $(fio_iops "s1$1" read) $(fio_iops "s2$1" read)"
}
for ((r = 0; r < ROUNDS; r++)); do
	client_load cq "alone$r" /mnt/quiet 2 "$SECS"
	a=$(fio_iops "alone$r" read)
	if ((r % 2)); then run "n19_$r" 19; run "n0_$r" 0; else run "n0_$r" 0; run "n19_$r" 19; fi
	log "round $r: alone $a, nice 0 $(ratio "$(fio_iops "n0_$r" read)" "$a"), nice 19 $(ratio "$(fio_iops "n19_$r" read)" "$a")"
done
exit 0
