#!/bin/bash
# efs-vm: timeout=1500
# efs-vm: needs-module
#
# The noisy-neighbour half of `make bench` (tests/bench/run.sh boots it
# with tests/vm/run.sh): clients in their own network namespaces, NFSv4.2,
# 8 nfsd threads, ratios taken side by side in this one VM run.
#
#  isolation  an unclaimed export read by 2 jobs, alone and next to two
#             filesystems capped at 100 units/s hammered by 16 jobs each,
#             and next to the same clients paced by fio to the cap with
#             efs not throttling them (the reference), in alternating
#             rounds: ratios of the median IOPS and p99 completion
#             latency, and the medians of each round's own ratios
#  fairness   one filesystem at 200 units/s: four clients with 1, 2, 8
#             and 16 jobs (Jain's index of their IOPS); a modest client (1
#             job) next to a greedy one (16): its IOPS / min(alone, cap/2)
#  ceiling    a client with 8 jobs under --per-client-iops-limit 50 and
#             one under --per-client-throughput-in-mibps 1: measured/ceiling
#
# Results: "name value" lines in $EFS_OUT/results.txt. Arguments: "quick"
# for shorter runs, "isolation" for the isolation part only. Under
# tests/vm/pair.sh the isolation part's three clients run on the peer
# guest, so the server's vCPU does server work only:
#   tests/vm/pair.sh -k 6.1 tests/bench/neighbours.sh isolation
# and with EFS_NB_QUIET_HERE=1 the unclaimed export's client stays on the
# server guest (it then shares no CPU with the noisy clients).
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

T=20 ROUNDS=4
NOISY_CAP=100	# units/s of each noisy filesystem, hammered by 16 jobs
only_isolation=0
for arg in "$@"; do
	case $arg in
	quick) T=8 ROUNDS=1 ;;
	isolation) only_isolation=1 ;;
	*) fail "neighbours.sh: unknown argument '$arg' (quick, isolation)" ;;
	esac
done
RES=$EFS_OUT/results.txt
: >"$RES"
rc=0
res() { echo "$1 $2" >>"$RES"; log "result: $1 $2"; }
median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
p99_us() { # NAME: read p99 completion latency in us
	jq -r '.jobs[0].read.clat_ns.percentile["99.000000"] / 1000 | round' "$(_efs_fio_json "$1")"
}

nfsd_start 8 || fail "nfsd_start"
for d in quiet noisy1 noisy2 shared tenant; do
	export_tmpfs "$d" 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
$EFS_CTL fs add noisy1 /srv/noisy1 --iops-limit $NOISY_CAP || fail "fs add"
$EFS_CTL fs add noisy2 /srv/noisy2 --iops-limit $NOISY_CAP || fail "fs add"
$EFS_CTL fs add shared /srv/shared --iops-limit 200 || fail "fs add"
$EFS_CTL fs add tenant /srv/tenant --per-client-iops-limit 50 || fail "fs add"
# iso, quiet: how the noisy clients and the unclaimed export's client run
# (on the peer under pair.sh).
iso=() quiet=()
if peer_present; then
	peer_attach "$EFS_SERVER_IP" || fail "peer_attach"
	iso=(peer_run)
	where="the unclaimed export's on the server guest"
	if [ "${EFS_NB_QUIET_HERE:-0}" != 1 ]; then
		quiet=(peer_run)
		where="the unclaimed export's too"
	fi
	log "noisy clients on the peer guest, $where"
fi
i=40
for c in cq c1 c2 f1 f2 f3 f4; do
	case $c in
	cq) "${quiet[@]}" netns_client "$c" "10.99.0.$i" || fail "client $c" ;;
	c*) "${iso[@]}" netns_client "$c" "10.99.0.$i" || fail "client $c" ;;
	*) netns_client "$c" "10.99.0.$i" || fail "client $c" ;;
	esac
	i=$((i + 1))
done
"${quiet[@]}" in_client cq nfs_mount quiet /mnt/quiet 4.2 || fail "mount"
"${iso[@]}" in_client c1 nfs_mount noisy1 /mnt/noisy1 4.2 || fail "mount"
"${iso[@]}" in_client c2 nfs_mount noisy2 /mnt/noisy2 4.2 || fail "mount"
for k in 1 2 3 4; do
	in_client "f$k" nfs_mount shared "/mnt/f$k" 4.2 || fail "mount"
done
in_client f1 nfs_mount tenant /mnt/t1 4.2 || fail "mount"

# --- isolation ---------------------------------------------------------------
# Each round also runs the reference: the same two noisy clients with 16
# jobs each, their filesystems not throttled by efs (limit far above) and
# every job paced by fio itself at 6 IOPS (96 a filesystem, the cap's
# admitted rate). That is the ideal pacer, with no request waiting
# anywhere: what is left of the unclaimed export beside it is what the
# neighbours' admitted work costs this guest (its CPU, shared by server
# and clients), which no server-side QoS can give back. iso_vs_ref says
# how close efs comes to it.
iso_storms() { # ROUND_NAME [FIO OPTIONS...]
	local n=$1
	shift
	"${iso[@]}" storm_start c1 "${n}1" /mnt/noisy1 16 "$@" || return 1
	"${iso[@]}" storm_start c2 "${n}2" /mnt/noisy2 16 "$@" || return 1
	sleep 2
}
alone=() beside=() ref=() p_alone=() p_beside=() p_ref=()
# iso_quiet KIND NAME: the unclaimed export's 2 jobs for T seconds, and how
# busy the server guest (and the peer) was meanwhile, into busy_server[KIND]
# (busy_peer[KIND]): where the neighbours' cost lands.
declare -A busy_server=() busy_peer=()
iso_quiet() {
	local ok=0
	busy_during "${quiet[@]}" client_load cq "$2" /mnt/quiet 2 "$T" || ok=1
	busy_server[$1]+=" $BUSY_SERVER"
	[ -n "$BUSY_PEER" ] && busy_peer[$1]+=" $BUSY_PEER"
	return $ok
}
iso_alone() { # ROUND
	local ok=0
	iso_quiet alone "alone-$1" || ok=1
	alone+=("$(fio_iops "alone-$1" read)")
	p_alone+=("$(p99_us "alone-$1")")
	return $ok
}
# iso_beside_run KIND ROUND [FIO OPTIONS...]: the unclaimed export beside
# two storms, into the arrays KIND and p_KIND: "beside" (storms throttled
# by efs) or "ref" (storms paced by fio with the given options).
iso_beside_run() {
	local kind=$1 r=$2 ok=0 storm=storm
	shift 2
	local -n iops=$kind p99=p_$kind
	[ "$kind" = ref ] && storm=paced
	iso_storms "$storm-$r-" "$@" || ok=1
	iso_quiet "$kind" "$kind-$r" || ok=1
	"${iso[@]}" storm_stop "$storm-$r-1" "$storm-$r-2" || ok=1
	iops+=("$(fio_iops "$kind-$r" read)")
	p99+=("$(p99_us "$kind-$r")")
	return $ok
}
iso_beside() { iso_beside_run beside "$1"; }
iso_ref() { # ROUND: the noisy filesystems' limit far above while fio paces
	local ok=0 fs
	for fs in noisy1 noisy2; do $EFS_CTL fs set $fs --iops-limit 1000000 || ok=1; done
	iso_beside_run ref "$1" --rate_iops=$((NOISY_CAP / 16)) || ok=1
	for fs in noisy1 noisy2; do $EFS_CTL fs set $fs --iops-limit $NOISY_CAP || ok=1; done
	return $ok
}
# The host's load moves a TCG guest's speed by tens of percent within a
# minute: the three runs of a round are adjacent and their order flips
# every round (alone, beside, ref; ref, beside, alone; ...), and besides
# the ratio of the medians each ratio is also taken within every round
# (the "paired" medians), which the drift between rounds does not reach.
pair_beside=() pair_ref=() pair_vs_ref=() pair_p99=()
for r in $(seq 1 $ROUNDS); do
	if [ $((r % 2)) = 1 ]; then
		iso_alone "$r" || rc=1
		iso_beside "$r" || rc=1
		iso_ref "$r" || rc=1
	else
		iso_ref "$r" || rc=1
		iso_beside "$r" || rc=1
		iso_alone "$r" || rc=1
	fi
	pair_beside+=("$(ratio "${beside[-1]}" "${alone[-1]}")")
	pair_ref+=("$(ratio "${ref[-1]}" "${alone[-1]}")")
	pair_vs_ref+=("$(ratio "${beside[-1]}" "${ref[-1]}")")
	pair_p99+=("$(ratio "${p_beside[-1]}" "${p_alone[-1]}")")
done
ma=$(median "${alone[@]}") mb=$(median "${beside[@]}") mr=$(median "${ref[@]}")
pa=$(median "${p_alone[@]}") pb=$(median "${p_beside[@]}") pr=$(median "${p_ref[@]}")
res iso_alone_iops "$ma"
res iso_beside_iops "$mb"
res iso_iops_ratio "$(ratio "$mb" "$ma")"
res iso_iops_ratio_paired "$(median "${pair_beside[@]}")"
res iso_iops_ratio_rounds "$(IFS=/; echo "${pair_beside[*]}")"
res iso_p99_alone_us "$pa"
res iso_p99_beside_us "$pb"
res iso_p99_ratio "$(ratio "$pb" "$pa")"
res iso_p99_ratio_paired "$(median "${pair_p99[@]}")"
res iso_ref_iops "$mr"
res iso_ref_paced_iops "$(fio_iops "paced-$ROUNDS-1" read)"
res iso_ref_ratio "$(ratio "$mr" "$ma")"
res iso_ref_p99_us "$pr"
res iso_ref_p99_ratio "$(ratio "$pr" "$pa")"
res iso_ref_ratio_paired "$(median "${pair_ref[@]}")"
res iso_vs_ref "$(ratio "$mb" "$mr")"
res iso_vs_ref_paired "$(median "${pair_vs_ref[@]}")"
res iso_p99_vs_ref "$(ratio "$pb" "$pr")"
res iso_rounds "$ROUNDS"
res iso_noisy_iops "$(fio_iops "storm-$ROUNDS-1" read)"
res iso_noisy_delay_replies "$($EFS_CTL fs stats noisy1 --json | jq -r .DelayReplies)"
res iso_backpressure_replies "$($EFS_CTL server show --json | jq -r .BackpressureReplies)"
for kind in alone beside ref; do
	# shellcheck disable=SC2086 # one figure a word
	res "iso_busy_server_$kind" "$(median ${busy_server[$kind]})"
	# shellcheck disable=SC2086
	[ -n "${busy_peer[$kind]:-}" ] && res "iso_busy_peer_$kind" "$(median ${busy_peer[$kind]})"
done
peer_present && peer_run peer_quit
[ $only_isolation = 1 ] && exit $rc

# --- fairness ----------------------------------------------------------------
jobs_of=(0 1 2 8 16)
pids=()
for k in 1 2 3 4; do
	client_load "f$k" "four-$k" "/mnt/f$k" "${jobs_of[$k]}" "$T" &
	pids+=($!)
done
wait "${pids[@]}" || rc=1
vals=()
for k in 1 2 3 4; do vals+=("$(fio_iops "four-$k" read)"); done
res fair_iops_1_2_8_16 "$(IFS=/; echo "${vals[*]}")"
res fair_jain "$(jain_index "${vals[@]}")"
res fair_total_ratio "$(ratio $(( vals[0] + vals[1] + vals[2] + vals[3] )) 200)"

client_load f2 modest-alone /mnt/f2 1 "$T" || rc=1
ma=$(fio_iops modest-alone read)
storm_start f1 greedy /mnt/f1 16 || rc=1
sleep 1
client_load f2 modest /mnt/f2 1 "$T" || rc=1
storm_stop greedy || rc=1
m=$(fio_iops modest read)
want=$(awk -v a="$ma" 'BEGIN { print (a < 100 ? a : 100) }')
res fair_modest_alone_iops "$ma"
res fair_modest_iops "$m"
res fair_greedy_iops "$(fio_iops greedy read)"
res fair_modest_share "$(ratio "$m" "$want")"

# --- per-client ceilings ------------------------------------------------------
client_load f1 ceil-iops /mnt/t1 8 $((T + 10)) || rc=1
res ceil_iops_ratio "$(ratio "$(fio_iops ceil-iops read)" 50 4)"
$EFS_CTL fs set tenant --per-client-iops-limit 0 --per-client-throughput-in-mibps 1 || rc=1
client_load f1 ceil-bytes /mnt/t1 4 $((T + 10)) --rw=randwrite --bs=64k || rc=1
res ceil_bytes_ratio "$(ratio "$(fio_bw_bytes ceil-bytes write)" 1048576 4)"
exit $rc
