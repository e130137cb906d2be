#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
#
# A hostile client: ~1,000 requests outstanding (nconnect=16, libaio with
# 16 jobs x iodepth 64, NFSv4.2) against a filesystem capped at 50
# units/s, far below its demand.
#  - the neighbouring (unclaimed) export keeps >= MIN_RATIO of its IOPS:
#    the issue's goal is 0.90 (make check-neighbours: "hostile_client
#    0.90"); without an argument it asserts a regression floor of 0.40.
#    It runs only in make check-neighbours (CI's time). The neighbour is
#    measured once every job of the flood reads, against the mean of a
#    run before and one after it;
#  - no hung task (the harness fails on one), threads waiting in efs stay
#    within the server budget;
#  - DELAY replies stay bounded: at most 4x the cap per second (the
#    NFSv4.1 back-pressure keeps the excess on the client), reported;
#  - the client sees no I/O error and recovers: alone again, it reads at
#    its cap.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=50
SECS=${EFS_NN_SECS:-20}
MIN_RATIO=${1:-0.40}	# the issue's goal: 0.90 (see the header)
DELAY_PER_CAP=4
rc=0
nfsd_start 8 || fail "nfsd_start"
export_tmpfs target 128M || fail "export target"
export_tmpfs neighbour 128M || fail "export neighbour"
for d in target neighbour; do
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
$EFS_CTL fs add target /srv/target --iops-limit $CAP || fail "fs add"
netns_client evil 10.99.0.66 || fail "client evil"
netns_client good 10.99.0.77 || fail "client good"
in_client evil nfs_mount target /mnt/target 4.2 nconnect=16 || fail "mount target"
in_client good nfs_mount neighbour /mnt/neighbour 4.2 || fail "mount neighbour"

client_load good alone /mnt/neighbour 2 "$SECS" || rc=1
alone=$(fio_iops alone read)

waiting_peak_restart || rc=1
mark=$(delay_mark target)
storm_start evil flood /mnt/target 16 --ioengine=libaio --iodepth=64 || rc=1
sleep 2
client_load good beside /mnt/neighbour 2 "$SECS" || rc=1
check "the flood saw no I/O error" storm_stop flood
dps=$(delay_rate target "$mark")
check_waiting_budget

beside=$(fio_iops beside read)
# Alone again, after the flood: the mean of the two is the reference (one
# TCG run varies by +-15%).
client_load good alone2 /mnt/neighbour 2 "$SECS" || rc=1
alone=$(awk -v a="$alone" -v b="$(fio_iops alone2 read)" 'BEGIN { printf "%.0f", (a + b) / 2 }')
r=$(ratio "$beside" "$alone")
flood_iops=$(fio_iops flood read)
log "neighbour alone $alone IOPS, beside the flood $beside ($r); flood $flood_iops IOPS at cap $CAP"
log "DELAY replies: $dps/s ($(ratio "$dps" $CAP) x the cap); most threads waiting $WAITING_PEAK of $WAITING_BOUND"
$EFS_CTL server show
check "neighbour keeps >= $MIN_RATIO of its IOPS (got $r)" at_least "$r" "$MIN_RATIO"
check "DELAY replies <= ${DELAY_PER_CAP}x the cap per second (got $dps/s)" \
	awk -v d="$dps" -v m=$((DELAY_PER_CAP * CAP)) 'BEGIN { exit !(d <= m) }'
assert_within "$flood_iops" $CAP 10 "the flood is held at its cap" || rc=1

# Recovery: the same client, alone and well-behaved, reads at the cap.
sleep 6
client_load evil after /mnt/target 4 10 || rc=1
assert_within "$(fio_iops after read)" $CAP 10 "the client reads at its cap afterwards" || rc=1
exit $rc
