#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
# Diagnosis only (not in make check): where the guest's CPU goes while an
# unclaimed export runs alone, while two filesystems are hammered, and both.
# Prints CPU busy% per phase, top, and a perf profile by command and symbol.
#   tests/vm/run.sh -k 6.1 tests/vm/diag/isolation_profile.sh [MODE [PERF [CAP [JOBS]]]]
# MODE: efs (caps of CAP units/s, default 100, on 16-job storms), none (no
# module, unthrottled storms), ref (no module; the storms pace themselves
# with fio --rate_iops, 4 jobs x CAP/4: the cost of the neighbours' work alone).
# PERF: 0 none, 1 perf during the beside phase, 2 during the storms alone.
# JOBS: fio jobs of each efs/none storm (default 16).
# Storms are measured once steady (storm_start).
. "$EFS_REPO/tests/vm/lib.sh"
MODE=${1:-efs}
PERF=${2:-1}
SECS=15
nfsd_start 8 || fail nfsd
for d in quiet noisy1 noisy2; do
	export_tmpfs "$d" 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none
done
if [ "$MODE" = efs ]; then
	efs_load || fail efs_load
	for d in noisy1 noisy2; do
		$EFS_CTL fs add "$d" /srv/$d --iops-limit "${3:-100}" || fail add
	done
fi
netns_client cq 10.99.0.10; netns_client c1 10.99.0.11; netns_client c2 10.99.0.12
in_client cq nfs_mount quiet /mnt/quiet 4.2
in_client c1 nfs_mount noisy1 /mnt/noisy1 4.2
in_client c2 nfs_mount noisy2 /mnt/noisy2 4.2

mark=$(cpu_mark)
client_load cq alone /mnt/quiet 2 $SECS
log "alone: $(fio_iops alone read) IOPS, $(cpu_busy "$mark")% busy"
for i in 1 2; do
	if [ "$MODE" = ref ]; then
		storm_start c$i storm-$i /mnt/noisy$i 4 --rate_iops=$(( ${3:-100} / 4 ))
	else
		storm_start c$i storm-$i /mnt/noisy$i "${4:-16}"
	fi
done
mark=$(cpu_mark)
[ "$PERF" = 2 ] && perf record -a -g -o $EFS_OUT/perf.data -- sleep 6 >/dev/null 2>&1 || sleep 6
log "noisy only: $(cpu_busy "$mark")% busy"
mark=$(cpu_mark)
[ "$PERF" = 1 ] && ( sleep 3; perf record -a -g -o $EFS_OUT/perf.data -- sleep 6 >/dev/null 2>&1; top -b -n1 | head -30 > $EFS_OUT/top.txt ) &
profiler=$!
client_load cq beside /mnt/quiet 2 $SECS
wait "$profiler"
storm_stop storm-1 storm-2
log "beside: $(fio_iops beside read) IOPS, $(cpu_busy "$mark")% busy; noisy $(fio_iops storm-1 read) $(fio_iops storm-2 read)"
cat $EFS_OUT/top.txt
for c in nfsd fio; do echo "== $c children"; perf report -i $EFS_OUT/perf.data --comm $c --children --sort sym -g none --stdio 2>/dev/null | grep '%' | head -70; done
perf report -i $EFS_OUT/perf.data --no-children --sort comm,sym --stdio 2>/dev/null | grep -v '^$' | grep '%' | head -60
perf report -i $EFS_OUT/perf.data --no-children --sort comm -g none --stdio 2>/dev/null | grep '%' | head -20
[ -e /sys/module/efs ] && $EFS_CTL server show && for d in noisy1 noisy2; do $EFS_CTL fs stats $d --json | jq -c '{DelayReplies,ThrottledOperations}'; done
grep -E 'nfs|rpc' /proc/net/rpc/nfsd | head -3
exit 0
