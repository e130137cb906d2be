#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Back-pressure and a shared NFSv4.1 session. A client has one session
# per server, whatever it mounts: holding it to a few slots because one
# of its filesystems is over budget would also hold its mount of an
# unclaimed export (a reverted change did that: 133 IOPS against 2,169).
#  - control: a client whose only traffic is throttled draws DELAYs and
#    gets back-pressure replies (BackpressureReplies grows);
#  - one client floods a filesystem capped at CAP (16 jobs x iodepth 16,
#    far over the waiting budget, so it draws DELAYs) while it reads an
#    unclaimed export with 2 jobs: the unclaimed mount keeps >= MIN_RATIO
#    of its IOPS alone (the mean of a run before the flood and one after;
#    the flood's own DELAYs cost the guest CPU, so this is a floor, not
#    the isolation goal), and the withheld replies are counted
#    (BackpressureWithheld grows, BackpressureReplies barely moves);
#  - the flood is held at its cap and sees no I/O error.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=50
SECS=15
# 0.397-0.822 measured on earlier hosts, 0.127-0.233 on one whose guests
# read the unclaimed export alone at ~1,000 IOPS (not ~2,000): the flood's
# ~2,300 DELAYs/s take a larger part of a slower guest's CPU, with the old
# and the new throttle code alike. The held session gave 0.026.
MIN_RATIO=${1:-0.08}
rc=0
server_counter() { $EFS_CTL server show --json | jq -r ".$1"; }

nfsd_start 8 || fail "nfsd_start"
for d in target other solo; do
	export_tmpfs $d 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
$EFS_CTL fs add target /srv/target --iops-limit $CAP || fail "fs add target"
$EFS_CTL fs add solo /srv/solo --iops-limit $CAP || fail "fs add solo"
netns_client mix 10.99.0.31 || fail "client mix"
netns_client pure 10.99.0.32 || fail "client pure"
in_client mix nfs_mount target /mnt/target 4.2 || fail "mount target"
in_client mix nfs_mount other /mnt/other 4.2 || fail "mount other"
in_client pure nfs_mount solo /mnt/solo 4.2 || fail "mount solo"
flood_opts=(--ioengine=libaio --iodepth=16)

# The control: throttled traffic only, so its session is held.
p0=$(server_counter BackpressureReplies)
storm_start pure control /mnt/solo 16 "${flood_opts[@]}" || rc=1
sleep 5
storm_stop control
check "the control flood saw no I/O error" test $? -eq 0
p1=$(server_counter BackpressureReplies)
log "control: $((p1 - p0)) back-pressure replies in ~5 s"
check "a client with only throttled traffic is asked for fewer slots ($((p1 - p0)) replies)" \
	test "$p1" -gt "$p0"
sleep 6	# its pressure (5 s after the last DELAY) ends

client_load mix alone /mnt/other 2 $SECS || rc=1
storm_start mix flood /mnt/target 16 "${flood_opts[@]}" || rc=1
sleep 2
p2=$(server_counter BackpressureReplies)
w2=$(server_counter BackpressureWithheld)
d2=$($EFS_CTL fs stats target --json | jq -r .DelayReplies)
client_load mix beside /mnt/other 2 $SECS || rc=1
p3=$(server_counter BackpressureReplies)
w3=$(server_counter BackpressureWithheld)
d3=$($EFS_CTL fs stats target --json | jq -r .DelayReplies)
storm_stop flood
check "the flood saw no I/O error" test $? -eq 0
client_load mix alone2 /mnt/other 2 $SECS || rc=1

alone=$(awk -v a="$(fio_iops alone read)" -v b="$(fio_iops alone2 read)" \
	'BEGIN { printf "%.0f", (a + b) / 2 }')
beside=$(fio_iops beside read)
r=$(ratio "$beside" "$alone")
log "unclaimed mount alone $alone IOPS, beside its own flood $beside ($r)"
log "while it read: DELAY replies $((d3 - d2)), back-pressure replies $((p3 - p2)), withheld $((w3 - w2))"
$EFS_CTL server show
check "the unclaimed mount keeps >= $MIN_RATIO of its IOPS beside its own flood (got $r)" \
	at_least "$r" "$MIN_RATIO"
check "replies to the shared session are withheld ($((w3 - w2)))" test "$w3" -gt "$w2"
check "back-pressure replies to the shared session under a tenth of those withheld ($((p3 - p2)))" \
	test $((p3 - p2)) -le $(((w3 - w2) / 10))
assert_within "$(fio_iops flood read)" $CAP 10 "the flood is held at its cap" || rc=1
exit $rc
