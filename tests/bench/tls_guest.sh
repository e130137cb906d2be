#!/bin/bash
# efs-vm: timeout=1200
#
# The cost of NFS over TLS (RPC-with-TLS, kernel TLS after tlshd's
# handshake) against plain NFS, side by side in one guest (6.12: tests/
# bench/tls.sh runs it). Two client network namespaces mount the same
# tmpfs export with mount -t efs: c1 with -o tls, c2 without. Each round
# runs every workload on both, in alternating order (TLS first in odd
# rounds); efs is not loaded, so only TLS differs.
#
# Workloads (fio, NFSv4.1, EFS's mount options): 4 KiB random reads, 4 jobs
# (IOPS); 1 MiB sequential reads and writes, 1 job (MiB/s). Results in
# $EFS_OUT/results.txt: "tls_<workload>_<mode> <median>" and the ratio
# "tls_<workload>_ratio <TLS/plain of the medians>".
#
#   tls_guest.sh [ROUNDS] [SECONDS]      (default 3 rounds of 8 s)
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$EFS_REPO/tests/vm/lib.sh"
# shellcheck source=../vm/tls.lib.sh
. "$EFS_REPO/tests/vm/tls.lib.sh"

ROUNDS=${1:-3}
SECS=${2:-8}
T=$EFS_TLS
RES=$EFS_OUT/results.txt
: >"$RES"

nfsd_start 8 || fail "nfsd_start"
export_tmpfs bench 512M || fail "export_tmpfs"
dd if=/dev/urandom of=/srv/bench/rand bs=1M count=128 status=none || fail "dd"
install_mount_efs || fail "mount.efs"
tls_prepare || fail "tls_prepare"
$EFS_CTL tls setup --dir $T --config $T/server.conf --name "$EFS_SERVER_IP" >/dev/null ||
	fail "tls setup"
printf '[authenticate.client]\nx509.truststore=%s/ca.pem\n' $T >$T/client.conf
tlshd_start server $T/server.conf || fail "tlshd server"
netns_client c1 10.99.0.2 || fail "c1"
netns_client c2 10.99.0.3 || fail "c2"
tlshd_start c1 $T/client.conf c1 || fail "tlshd c1"
mkdir -p /mnt/tls /mnt/plain
in_client c1 mount -t efs -o tls "$EFS_SERVER_IP:/bench" /mnt/tls || fail "TLS mount"
in_client c2 mount -t efs "$EFS_SERVER_IP:/bench" /mnt/plain || fail "plain mount"
grep -E ' /mnt/(tls|plain) ' /proc/mounts
log "guest: $(nproc) vCPUs, $(uname -r)"

# one WORKLOAD MODE ROUND: fio on MODE's mount; prints the figure
one() {
	local w=$1 m=$2 r=$3 c=c1 name=$1-$2-$3
	[ "$m" = plain ] && c=c2
	case $w in
	randread) in_client $c run_fio "$name" --filename="/mnt/$m/rand" --rw=randread \
		--bs=4k --direct=1 --ioengine=psync --numjobs=4 --group_reporting \
		--time_based --runtime="$SECS" >/dev/null && fio_iops "$name" read ;;
	seqread) in_client $c run_fio "$name" --filename="/mnt/$m/rand" --rw=read \
		--bs=1M --direct=1 --ioengine=psync --time_based --runtime="$SECS" \
		>/dev/null && fio_bw_bytes "$name" read ;;
	seqwrite) in_client $c run_fio "$name" --filename="/mnt/$m/w-$m" --rw=write \
		--size=96M --bs=1M --direct=1 --ioengine=psync --time_based \
		--runtime="$SECS" >/dev/null && fio_bw_bytes "$name" write ;;
	esac
}

declare -A got
for ((r = 1; r <= ROUNDS; r++)); do
	for w in randread seqread seqwrite; do
		if ((r % 2)); then order="tls plain"; else order="plain tls"; fi
		for m in $order; do
			v=$(one "$w" "$m" "$r") || fail "fio $w $m"
			got[$w-$m]="${got[$w-$m]:-} $v"
			log "round $r $w $m: $v"
		done
	done
done

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
	if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for w in randread seqread seqwrite; do
	# shellcheck disable=SC2086 # one figure a word
	t=$(median ${got[$w-tls]}) p=$(median ${got[$w-plain]})
	echo "tls_${w}_tls $t" >>"$RES"
	echo "tls_${w}_plain $p" >>"$RES"
	echo "tls_${w}_ratio $(ratio "$t" "$p")" >>"$RES"
	log "$w: TLS ${got[$w-tls]} / plain ${got[$w-plain]}: medians $t / $p = $(ratio "$t" "$p")"
done
echo "tls_tls_stat $(tr -s ' \t\n' ' ' </proc/net/tls_stat)" >>"$RES"
cat "$RES"
nfs_umount /mnt/tls
nfs_umount /mnt/plain
nfsd_stop
exit 0
