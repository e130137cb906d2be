#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Performance-mode budgets, enforced in knfsd, over NFSv3 and NFSv4.2:
#  - 4 KiB random reads (4 jobs) against a filesystem capped at 100
#    units/s run at 100 IOPS +-10%, while an unclaimed export on the same
#    server runs at full speed at the same time;
#  - 4 KiB random writes run at cap/5 (write weight 5) +-10%;
#  - efsctl fs set changes the cap under load and fio follows within 1 s;
#  - EFS's read and write IOPS limits without --iops-limit (issue 27):
#    --read-iops-limit 100 --write-iops-limit 40 hold 4 KiB random reads
#    at 100 IOPS and random writes at 40 +-10%, over NFSv3 and NFSv4.2
#    (where a WRITE's compound is first seen as a read: PUTFH), and
#    PercentIOLimit reads the read budget's use while reads bind it.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=100
RUNTIME=8
rc=0
nfsd_start 8 || fail "nfsd_start"
export_tmpfs capped 256M || fail "export capped"
export_tmpfs free 256M || fail "export free"
for d in capped free; do
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=32 status=none || fail "dd"
done
efs_load || fail "efs_load"
$EFS_CTL fs add capped /srv/capped --iops-limit $CAP || fail "fs add"

fio_job() { # NAME FILE RW [extra]
	local name=$1 file=$2 rw=$3
	shift 3
	run_fio "$name" --filename="$file" --rw="$rw" --bs=4k --direct=1 \
		--ioengine=psync --numjobs=4 --group_reporting \
		--time_based --runtime=$RUNTIME "$@"
}

ops_now() { # "DataReadOps Timestamp(ns)" of filesystem capped
	$EFS_CTL fs stats capped --json | jq -r '"\(.DataReadOps) \(.Timestamp)"'
}

for v in 3 4.2; do
	nfs_mount capped /mnt/c$v "$v" || fail "mount capped v$v"
	nfs_mount free /mnt/f$v "$v" || fail "mount free v$v"

	# Reads: capped and unclaimed side by side.
	fio_job "read-capped-v$v" /mnt/c$v/data randread &
	fio_job "read-free-v$v" /mnt/f$v/data randread
	wait || rc=1
	capped=$(fio_iops "read-capped-v$v" read)
	free=$(fio_iops "read-free-v$v" read)
	log "v$v randread: capped $capped IOPS (cap $CAP), unclaimed $free IOPS"
	rate_within "$capped" $CAP 10 "v$v capped randread IOPS" || rc=1
	rate_above "$free" $((CAP * 2)) "v$v unclaimed export's IOPS beside the capped one" || rc=1

	# Writes cost 5 units each.
	fio_job "write-capped-v$v" /mnt/c$v/data randwrite || rc=1
	w=$(fio_iops "write-capped-v$v" write)
	rate_within "$w" $((CAP / 5)) 10 "v$v capped randwrite IOPS" || rc=1

	# Live change under load: the cap halves 4 s into a 10 s run.
	fio_job "live-v$v" /mnt/c$v/data randread --runtime=10 &
	sleep 4
	$EFS_CTL fs set capped --iops-limit $((CAP / 2)) || rc=1
	sleep 1
	read -r a ta <<<"$(ops_now)"
	sleep 3
	read -r b tb <<<"$(ops_now)"
	wait || rc=1
	rate=$(( (b - a) * 1000000000 / (tb - ta) ))
	rate_within "$rate" $((CAP / 2)) 10 "v$v IOPS 1-4 s after fs set" || rc=1
	$EFS_CTL fs set capped --iops-limit $CAP || rc=1

	nfs_umount /mnt/c$v
	nfs_umount /mnt/f$v
done

# Past the bounds (1 waiter, 50 ms): NFS4ERR_DELAY / NFS3ERR_JUKEBOX, which
# the client retries; nothing is dropped and fio sees no error.
$EFS_CTL fs set capped --iops-limit 20 --max-waiters 1 --max-wait-ms 50 || rc=1
for v in 4.2 3; do
	nfs_mount capped /mnt/c$v "$v" || fail "mount capped v$v"
	d0=$($EFS_CTL fs stats capped --json | jq -r .DelayReplies)
	fio_job "delay-v$v" /mnt/c$v/data randread --runtime=4 || rc=1
	d1=$($EFS_CTL fs stats capped --json | jq -r .DelayReplies)
	[ "$(fio_errors "delay-v$v")" = 0 ] ||
		{ log "FAIL: v$v fio saw errors with DELAY replies" >&2; rc=1; }
	if [ "$d1" -gt "$d0" ]; then
		log "ok: v$v: $((d1 - d0)) DELAY/JUKEBOX replies, fio unharmed"
	else
		log "FAIL: v$v: no DELAY replies past max-waiters" >&2; rc=1
	fi
	nfs_umount /mnt/c$v
done
$EFS_CTL fs set capped --iops-limit $CAP --max-waiters 0 --max-wait-ms 1000 || rc=1

$EFS_CTL fs show capped --json | jq -e '.FileSystems[0].IopsLimit == '$CAP >/dev/null ||
	{ log "FAIL: fs show does not report the cap" >&2; rc=1; }

# EFS's read and write limits (issue 27), no --iops-limit: no combined
# budget, reads and writes each held by their own.
RD=100 WR=40
$EFS_CTL fs add rw /srv/free --read-iops-limit $RD --write-iops-limit $WR || fail "fs add rw"
check "rw: the read and write limits, no combined budget" bash -c \
	"$EFS_CTL fs show rw --json | jq -e '.FileSystems[0] | .ReadIopsLimit == $RD and
	 .WriteIopsLimit == $WR and .CombinedIopsLimit == 0 and .IopsLimit == $RD' >/dev/null"
for v in 3 4.2; do
	nfs_mount free /mnt/rw$v "$v" || fail "mount rw v$v"
	fio_job "rw-read-v$v" /mnt/rw$v/data randread &
	sleep 5
	pct=$($EFS_CTL fs stats rw --json | jq -r .PercentIOLimit)
	wait || rc=1
	r=$(fio_iops "rw-read-v$v" read)
	log "v$v randread under --read-iops-limit $RD: $r IOPS, PercentIOLimit $pct"
	rate_within "$r" $RD 10 "v$v randread IOPS at the read limit" || rc=1
	check "v$v PercentIOLimit reads the read budget's use ($pct %)" \
		awk -v p="$pct" 'BEGIN { exit !(p >= 85) }'
	fio_job "rw-write-v$v" /mnt/rw$v/data randwrite || rc=1
	w=$(fio_iops "rw-write-v$v" write)
	log "v$v randwrite under --write-iops-limit $WR: $w IOPS"
	rate_within "$w" $WR 10 "v$v randwrite IOPS at the write limit" || rc=1
	nfs_umount /mnt/rw$v
done
$EFS_CTL fs del rw || rc=1
$EFS_CTL fs stats capped
efs_unload || rc=1
nfsd_stop
exit $rc
