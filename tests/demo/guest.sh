#!/bin/bash
# The demo, inside the VM: one NFS server, two tenants.
#   home:  generalPurpose, provisioned 4 MiB/s, IOPS capped at 400 units/s
#   media: elastic (metering only)
# fio hammers both at once; then a table of configured vs measured and the
# events efs raised. The report goes to $EFS_OUT/demo.txt.
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

MiB=1048576
REPORT=$EFS_OUT/demo.txt
say() { echo "$*" | tee -a "$REPORT"; }
human() { awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB PiB", u); i = 1
	while (b >= 1024 && i < 6) { b /= 1024; i++ }; printf "%.1f %s", b, u[i] }'; }
: >"$REPORT"

nfsd_start 8 >/dev/null || fail "nfsd_start"
export_tmpfs home 256M >/dev/null || fail "export home"
export_tmpfs media 256M >/dev/null || fail "export media"
efs_load >/dev/null || fail "insmod efs.ko"
$EFS_CTL monitor >"$EFS_OUT/events.txt" &
mon=$!
sleep 1
say "\$ efsctl version"
$EFS_CTL version | tee -a "$REPORT"
say "\$ efsctl fs add home /srv/home --throughput-mode provisioned --provisioned-throughput-in-mibps 4 --iops-limit 400"
$EFS_CTL fs add home /srv/home --throughput-mode provisioned \
	--provisioned-throughput-in-mibps 4 --iops-limit 400 || fail "fs add home"
say "\$ efsctl fs add media /srv/media --throughput-mode elastic"
$EFS_CTL fs add media /srv/media --throughput-mode elastic || fail "fs add media"

nfs_mount home /mnt/home 4.2 >/dev/null || fail "mount home"
nfs_mount media /mnt/media 4.2 >/dev/null || fail "mount media"
say ""
say "Running fio for 10 s on both exports at once (sequential 128 KiB writes, 2 jobs each)..."
pids=
for fs in home media; do
	run_fio "$fs" --directory="/mnt/$fs" --size=24M --rw=write --bs=128k \
		--direct=1 --ioengine=psync --numjobs=2 --group_reporting \
		--time_based --runtime=10 &
	pids="$pids $!"
done
# shellcheck disable=SC2086 # a list of pids
wait $pids
sleep 4		# let throttling "stop" after 3 quiet seconds
say ""
printf '%-6s %-15s %-12s %-15s %12s %10s %10s %12s\n' FS PERFORMANCE THROUGHPUT CONFIGURED \
	"MEASURED" IOPS THROTTLED CREDITS | tee -a "$REPORT"
for fs in home media; do
	s=$($EFS_CTL fs show "$fs" --json | jq '.FileSystems[0]')
	st=$($EFS_CTL fs stats "$fs" --json)
	mode=$(jq -r .ThroughputMode <<<"$s")
	case $mode in
	provisioned) conf="$(jq -r .ProvisionedThroughputInMibps <<<"$s") MiB/s" ;;
	elastic) conf="unlimited" ;;
	*) conf="$(( $(jq -r .PermittedThroughput <<<"$s") / MiB )) MiB/s" ;;
	esac
	bw=$(fio_bw_bytes "$fs" write)
	printf '%-6s %-15s %-12s %-15s %7s MiB/s %10s %10s %12s\n' "$fs" \
		"$(jq -r .PerformanceMode <<<"$s")" "$mode" "$conf" \
		"$(awk -v b="$bw" 'BEGIN { printf "%.2f", b / 1048576 }')" \
		"$(fio_iops "$fs" write)" "$(jq -r .ThrottledOperations <<<"$st")" \
		"$(human "$(jq -r .BurstCreditBalance <<<"$st")")" | tee -a "$REPORT"
done
say ""
say "\$ efsctl fs stats home"
$EFS_CTL fs stats home | tee -a "$REPORT"
kill -INT $mon 2>/dev/null
wait $mon 2>/dev/null
say ""
say "Events (efsctl monitor):"
tee -a "$REPORT" <"$EFS_OUT/events.txt"
nfs_umount /mnt/home
nfs_umount /mnt/media
efs_unload >/dev/null
nfsd_stop >/dev/null
exit 0
