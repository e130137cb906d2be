#!/bin/bash
# The demo, inside the VM: one NFS server, two tenants.
#   home:  generalPurpose, provisioned 4 MiB/s, IOPS capped at 400 units/s
#   media: elastic (metering only)
# fio hammers both at once; then a table of configured vs measured and the
# events efs raised. The report goes to $EFS_OUT/demo.txt.
#
# Then isolation: a quiet tenant (2 fio jobs, 4 KiB random reads, its own
# client) alone, beside a neighbour hammering another export (16 jobs from
# another client) without efs, and beside it with efs capping the
# neighbour at EFS_DEMO_CAP units/s (default 20: well below what the
# guest serves, so the quiet tenant gets the rest); EFS_DEMO_SECS (default
# 8) a phase. fio logs each job's IOPS every second (Unix-time stamps, so
# the two clients' logs line up): $EFS_OUT/isolation.dat (second, quiet,
# neighbour), isolation.txt (the table; also in demo.txt). demo.sh plots.
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

MiB=1048576
REPORT=$EFS_OUT/demo.txt
say() { echo "$*" | tee -a "$REPORT"; }
human() { awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB PiB", u); i = 1
	while (b >= 1024 && i < 6) { b /= 1024; i++ }; printf "%.1f %s", b, u[i] }'; }
: >"$REPORT"

log "demo: starting"
nfsd_start 8 >/dev/null || fail "nfsd_start"
export_tmpfs home 256M >/dev/null || fail "export home"
export_tmpfs media 256M >/dev/null || fail "export media"
efs_load >/dev/null || fail "insmod efs.ko"
log "demo: nfsd and efs up"
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
log "demo: mounted"
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
log "demo: fio done"
# throttling "stops" after 3 quiet seconds: the monitor runs 4 s more,
# while the table is made
sleep 4 &
quiet=$!
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
wait $quiet
kill -INT $mon 2>/dev/null
wait $mon 2>/dev/null
say ""
say "Events (efsctl monitor):"
tee -a "$REPORT" <"$EFS_OUT/events.txt"
nfs_umount /mnt/home
nfs_umount /mnt/media
efs_unload >/dev/null

# --- isolation ----------------------------------------------------------
log "isolation: setting up"
SECS=${EFS_DEMO_SECS:-8}
CAP=${EFS_DEMO_CAP:-20}
for fs in quiet noisy; do
	export_tmpfs "$fs" 64M >/dev/null || fail "export $fs"
	dd if=/dev/urandom of=/srv/$fs/data bs=1M count=16 status=none || fail "dd $fs"
done
netns_client cq 10.99.0.10 >/dev/null || fail "client cq"
in_client cq nfs_mount quiet /mnt/quiet 4.2 >/dev/null || fail "mount quiet"
# the neighbour's client is the server's own namespace (127.0.0.1): a
# second NFS client as distinct as another namespace, set up in less time
nfs_mount noisy /mnt/noisy 4.2 >/dev/null || fail "mount noisy"
# per-second IOPS of every job, stamped with Unix time in ms
iopslog() { echo --write_iops_log="$EFS_OUT/$1" --log_avg_msec=1000 --log_unix_epoch=1; }

# phase NAME [neighbour]: the quiet tenant's 2 jobs for SECS seconds; with
# "neighbour", the neighbour's 16 (threads) start with them, LEAD seconds
# ahead, so they are in full swing all along, and are stopped when the
# quiet tenant is done (not polled until running: exec is slow in a TCG
# guest, and a poll forks an awk per thread).
LEAD=3
phase() {
	local name=$1 storm=${2:-} pid=
	log "phase $name${storm:+ (neighbour)}"
	if [ -n "$storm" ]; then
		# shellcheck disable=SC2046 # the options, one a word
		run_fio "n-$name" --filename=/mnt/noisy/data --rw=randread --bs=4k \
			--direct=1 --ioengine=psync --numjobs=16 --thread --group_reporting \
			--time_based --runtime=$((SECS + 60)) $(iopslog "n-$name") &
		pid=$!
	fi
	# shellcheck disable=SC2046
	client_load cq "q-$name" /mnt/quiet 2 "$SECS" ${storm:+--startdelay=$LEAD} \
		$(iopslog "q-$name") || fail "quiet $name"
	if [ -n "$pid" ]; then
		log "phase $name: stopping the neighbour"
		# run_fio takes fio's status 128 for a stop with this mark
		touch "$EFS_STATE/n-$name.stopped"
		pkill -INT -P "$pid" -x fio
		wait "$pid" || fail "neighbour $name"
	fi
	log "phase $name done"
}
say ""
say "Isolation: a quiet tenant (2 jobs of 4 KiB random reads over NFSv4.2, its own"
say "client) alone, then beside a neighbour on another export (16 jobs, another"
say "client), without efs and with efs capping the neighbour at $CAP IOPS (the quiet"
say "tenant's export has no cap); ${SECS} s each..."
phase alone
phase without storm
efs_load >/dev/null || fail "insmod efs.ko"
$EFS_CTL fs add noisy /srv/noisy --iops-limit "$CAP" >/dev/null || fail "fs add noisy"
noisy_stats() { $EFS_CTL fs stats noisy --json | jq -r '"\(.IoUnits) \(.Timestamp) \(.DelayReplies) \(.ThrottledOperations)"'; }
before=$(noisy_stats)
phase with storm
after=$(noisy_stats)

# series PHASE OFFSET: "second quiet neighbour" rows for one phase, its
# seconds numbered from OFFSET + 1. A job's log line is its rate over the
# second up to its stamp. The quiet tenant's first job sets the seconds
# (fio logs whole seconds only: SECS - 1 or SECS lines); each job adds
# the rate of its line nearest in time to each of them (none further
# than a second away).
series() {
	local ph=$1 off=$2 f logs=()
	# the quiet tenant's 2 logs, the neighbour's 16 (none when alone)
	for f in "$EFS_OUT/q-$ph"_iops.*.log "$EFS_OUT/n-$ph"_iops.*.log; do
		[ -e "$f" ] && logs+=("$f")
	done
	awk -F', *' -v off="$off" '
	FNR == 1 { j++; quiet[j] = FILENAME ~ /\/q-[^\/]*$/; if (quiet[j] && !ref) ref = j }
	{ n[j]++; ts[j, n[j]] = $1; v[j, n[j]] = $2 }
	END {
		for (k = 1; k <= n[ref]; k++) {
			q = nb = 0
			for (i = 1; i <= j; i++) {
				best = -1
				for (m = 1; m <= n[i]; m++) {
					d = ts[i, m] - ts[ref, k]; if (d < 0) d = -d
					if (d <= 1000 && (best < 0 || d < bd)) { best = m; bd = d }
				}
				if (best < 0) continue
				if (quiet[i]) q += v[i, best]; else nb += v[i, best]
			}
			printf "%d %d %d\n", off + k, q, nb
		}
	}' "${logs[@]}"
}
{
	echo "# secs $SECS"
	series alone 0
	echo
	series without "$SECS"
	echo
	series with $((SECS * 2))
} >"$EFS_OUT/isolation.dat"
alone=$(fio_iops q-alone read)
{
	printf '%-34s %10s %9s %15s\n' "QUIET TENANT" IOPS "OF ALONE" "NEIGHBOUR IOPS"
	printf '%-34s %10s %9s %15s\n' alone "$alone" 1.00 -
	i=1
	for ph in without with; do
		case $ph in
		without) label="beside the neighbour, without efs" ;;
		with) label="beside it, efs caps it at $CAP" ;;
		esac
		q=$(fio_iops "q-$ph" read)
		# the neighbour over the quiet tenant's seconds, as plotted
		nb=$(awk -v lo=$((i * SECS)) -v hi=$(((i + 1) * SECS)) \
			'NF == 3 && $1 > lo && $1 <= hi { s += $3; n++ } END { printf "%d", n ? s / n : 0 }' \
			"$EFS_OUT/isolation.dat")
		printf '%-34s %10s %9s %15s\n' "$label" "$q" \
			"$(awk -v a="$q" -v b="$alone" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" "$nb"
		i=$((i + 1))
	done
} >"$EFS_OUT/isolation.txt"
tee -a "$REPORT" <"$EFS_OUT/isolation.txt"
# What efs did to the neighbour: its rate as efs admitted it, and how
# often it asked the neighbour's client to come back later (NFS4ERR_DELAY:
# a request that would wait too long gives its nfsd thread back; the
# client backs off, so 16 jobs stay below their cap).
awk -v a="$before" -v b="$after" -v cap="$CAP" 'BEGIN { split(a, x, " "); split(b, y, " ")
	dt = (y[2] - x[2]) / 1e9
	r = dt > 0 ? (y[1] - x[1]) / dt : 0
	printf "efs admitted the neighbour %.1f IOPS (cap %d), made %d of its requests wait and sent %d DELAY replies\n", r, cap, y[4] - x[4], y[3] - x[3] }' | tee -a "$REPORT"
in_client cq nfs_umount /mnt/quiet
nfs_umount /mnt/noisy
efs_unload >/dev/null
nfsd_stop >/dev/null
exit 0
