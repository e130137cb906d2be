#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
# Diagnosis only (not in make check): where the guest's CPU goes while the
# hostile_client flood (nconnect=16, 16 libaio jobs x iodepth 64) runs
# against a filesystem capped at CAP units/s (default 50), with no
# neighbour: CPU busy%, the flood's IOPS, DELAY and back-pressure counts,
# and a perf profile by command and by symbol.
#   tests/vm/run.sh -k 6.12 tests/vm/diag/hostile_profile.sh [CAP [PERF]]
# PERF 0 leaves perf out (its own cost shows in the busy%).
. "$EFS_REPO/tests/vm/lib.sh"
CAP=${1:-50}
PERF=${2:-1}
nfsd_start 8 || fail nfsd
export_tmpfs target 128M || fail "export target"
dd if=/dev/urandom of=/srv/target/data bs=1M count=16 status=none
efs_load || fail efs_load
$EFS_CTL fs add target /srv/target --iops-limit "$CAP" || fail add
netns_client evil 10.99.0.66 || fail "client evil"
in_client evil nfs_mount target /mnt/target 4.2 nconnect=16 || fail mount
rpcs() { awk '/^rpc /{print $2}' /proc/net/rpc/nfsd; }
ops4() { awk '/^proc4ops /{ for (i = 3; i <= NF; i++) print i - 3, $i }' /proc/net/rpc/nfsd; }
storm_start evil flood /mnt/target 16 --ioengine=libaio --iodepth=64 || fail flood
sleep 2
d0=$($EFS_CTL fs stats target --json | jq -r .DelayReplies)
r0=$(rpcs)
ops4 >"$EFS_OUT/ops4.before"
mark=$(cpu_mark)
if [ "$PERF" = 1 ]; then
	perf record -a -g -o "$EFS_OUT/perf.data" -- sleep 8 >/dev/null 2>&1
else
	sleep 8
fi
busy=$(cpu_busy "$mark")
r1=$(rpcs)
ops4 >"$EFS_OUT/ops4.after"
d1=$($EFS_CTL fs stats target --json | jq -r .DelayReplies)
top -b -n1 | head -25
storm_stop flood
log "flood only: $busy% busy; $(fio_iops flood read) IOPS; nfsd RPCs $(( (r1 - r0) / 8 ))/s; DELAY $(( (d1 - d0) / 8 ))/s"
$EFS_CTL server show
log "NFSv4 operations a second (number: rate):"
join "$EFS_OUT/ops4.before" "$EFS_OUT/ops4.after" 2>/dev/null |
	awk '$3 > $2 { printf "  op %d: %d/s\n", $1, ($3 - $2) / 8 }'
grep -E '^(proc4|rpc|th) ' /proc/net/rpc/nfsd
if [ "$PERF" = 1 ]; then
	perf report -i "$EFS_OUT/perf.data" --no-children --sort comm -g none --stdio 2>/dev/null | grep '%' | head -20
	perf report -i "$EFS_OUT/perf.data" --no-children --sort comm,sym -g none --stdio 2>/dev/null | grep '%' | head -50
fi
exit 0
