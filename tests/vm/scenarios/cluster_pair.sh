#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
# efs-pair: peer=cluster_head
#
# Two NFS heads share one filesystem budget (issue 26, end to end in VMs):
# run with tests/vm/pair.sh -k 6.1 cluster_pair. This guest is head 1, the
# peer guest head 2 (tests/vm/peer/cluster_head.sh); each runs knfsd, its
# own tmpfs export of filesystem "shared" (efsctl fs add --scope cluster
# --iops-limit R, the same settings on both: a shared backend is not
# needed to test the budget), efs.ko, corosync (two nodes over the guests'
# link, two_node quorum: see cluster_head.sh) and efs-clusterd with the
# netlink backend; fio clients (8 jobs of 4 KiB random reads, a network
# namespace per head) mount their own head.
#
# The issue's figures are 300 ops/s, +-5% and 270 within 3 s. A TCG guest
# on a loaded 2-core host reads about 100-175 IOPS (a head alone with a
# grant of 76 of 80 read 70 a second), so the budget here is R = 60
# units/s (first argument), with the issue's +-5%:
#  (a) both heads' clients ask for more: the sum of both heads' admitted
#      rates (efs's IoUnits over 8 s on each head) within 5% of R, each
#      head's at most R; each head's fio at most R + JOBS in any second
#      (completions bunch after a guest stall: a second may hold those of
#      the requests in flight at its start); the per-second sum of both
#      heads' fio logs on one clock (the guests' clocks against the host's
#      through the 9p share) reported. Measured 59.7 (2026-12-07, 6.1);
#      62.1-64.7 before efs_bucket_set_rate() stopped forgiving up to a
#      unit of debt at every grant (module/limiter.c, 691cdef);
#  (b) head 2's clients stop (their last I/O, on head 1's clock): head 1
#      reaches >= 0.9 R (a 1-s window of its fio log holding >= 0.9 R
#      I/Os) within 3 s + 1 s: the window itself is 1 s long, so it ends
#      at least 1 s after the rate rose; the demand moves in 2-3 ticks
#      (head 2 falls, then head 1 rises into what it freed), inside the
#      3 s; the clocks' offset is known to some 30 ms;
#  (c) all load on head 2 (its grant above R/2; head 1's fio paused with
#      SIGSTOP), then kill -9 of head 2's efs-clusterd, and head 1's fio
#      continued at once (a waiter sees the kill on the share). Both heads
#      sample their module's state (efsctl fs show, every 0.2 s to 4 s on
#      a loaded guest) on their own. Head 1's limit stays within R - head
#      2's grant until head 2's lease can have run out and within R/2
#      until its forget time (the sum within the budget), and is the
#      whole R at forget + tick + 0.1 s (PROTOCOL.md section 4: a daemon's
#      death is seen at once, no corosync detection time) + 2.5 s; head
#      1's fio reaches >= 0.9 R within forget + 1.3 s + 1 s (the window).
#      Head 2's module, on its own: a LeaseExpired event (Value R/2)
#      lease +- 1 s after the kill, LeaseForgotten forget +- 1 s after it,
#      every sample between the two at the safe share R/2 (GrantState
#      safe, GrantExpiresInMs 0; at least one), every one after at zero
#      (on-partition = strict);
#  (d) efsctl cluster status --json on head 1 (when efsctl has it): quorate,
#      both heads, grants within R; the daemons' status files likewise.
# Daemon timings: tick 200 ms, lease 5 s, forget 10 s. The lease must
# exceed corosync's failure detection by two ticks (efs-clusterd refuses
# less), and the guests' corosync needs a token of 2000 ms (see
# cluster_head.sh): detection 4.4 s. The forget time leaves head 2's
# safe-share phase 5 s long, so that a loaded guest samples it.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"
# shellcheck source=../peer/cluster_head.sh
. "$EFS_REPO/tests/vm/peer/cluster_head.sh"

R=${1:-60}
SAFE=$((R / 2))
TICK=200
LEASE=5000
FORGET=10000
JOBS=8
rc=0
peer_present || fail "cluster_pair needs a peer guest: tests/vm/pair.sh cluster_pair"
: >"$EFS_OUT/figures"

# --- the two heads -----------------------------------------------------
peer_attach "$EFS_SERVER_IP" || fail "peer_attach"
head_up 1 "$R" || fail "head 1"
peer_run head_up 2 "$R" || fail "head 2"
head_corosync 1 2 || fail "corosync on head 1"
peer_run head_corosync 2 2 || fail "corosync on head 2"
head_quorate 90 || fail "corosync quorum on head 1"
peer_run head_quorate || fail "corosync quorum on head 2"
head_daemon 1 $TICK $LEASE $FORGET
peer_run head_daemon 2 $TICK $LEASE $FORGET
netns_client c1 10.99.0.20 || fail "client c1"
peer_run netns_client c2 10.99.0.21 || fail "client c2"
in_client c1 nfs_mount shared /mnt/s1 4.2 || fail "mount on head 1"
peer_run in_client c2 nfs_mount shared /mnt/s2 4.2 || fail "mount on head 2"
head_synced 2 || fail "head 1 not in the cluster"
peer_run head_synced 2 || fail "head 2 not in the cluster"

# The peer's clock against ours, both against the host's.
read -r o1 e1 <<<"$(head_clock)"
read -r o2 e2 <<<"$(peer_run head_clock)"
OFFSET=$((o2 - o1))
log "clocks: head 1 $o1 ms (+-$e1) from the host's, head 2 $o2 ms (+-$e2): peer offset $OFFSET ms"

# --- (a) both heads' clients ask for more ------------------------------
both_busy $JOBS
r1=$BUSY_R1 r2=$BUSY_R2 sum=$BUSY_SUM
log "(a) both heads busy: head 1 $r1, head 2 $r2 units/s, sum $sum of $R"
figure both_sum "$sum"
rate_within "$sum" "$R" 5 "(a) the two heads' admitted sum" || rc=1
check "(a) no head admits more than $R ($r1, $r2)" awk -v a="$r1" -v b="$r2" -v r="$R" 'BEGIN { exit !(a <= r && b <= r) }'
$EFS_CTL fs show shared --json >"$EFS_OUT/show-a-h1.json"
cp /run/efs/cluster.json "$EFS_OUT/cluster-a-h1.json"
peer_run cat /run/efs/cluster.json >"$EFS_OUT/cluster-a-h2.json"
# shellcheck disable=SC2016 # jq's $r
for h in 1 2; do
	check "(d) head $h's daemon: quorate, 2 members, grants within $R" jq -e --argjson r "$R" \
		'.Quorate and (.Members | length) == 2 and
		(.FileSystems[] | select(.Name == "shared") | ([.Heads[].GrantedIops] | add) <= $r and
		(.Heads | length) == 2)' "$EFS_OUT/cluster-a-h$h.json"
done
jq -c '.FileSystems[] | {Name, IopsLimit, Reservations: .ReservedIops, Heads: [.Heads[] | {NodeId, UsedIops, DemandIops, GrantedIops}]}' \
	"$EFS_OUT/cluster-a-h1.json"
if $EFS_CTL help 2>&1 | grep -q '^ *cluster '; then
	$EFS_CTL cluster status --json >"$EFS_OUT/cluster-status.json" 2>"$EFS_OUT/cluster-status.err"
	# shellcheck disable=SC2016 # jq's $r
	check "(d) efsctl cluster status --json: quorate, both heads, grants within $R" jq -e --argjson r "$R" \
		'.Quorate and (.Members | length) == 2 and (.LocalNodeId == 1) and
		(.FileSystems[] | select(.Name == "shared") | .IopsLimit == $r and
		([.Heads[].GrantedIops] | add) <= $r and (.Heads | length) == 2)' "$EFS_OUT/cluster-status.json"
	$EFS_CTL cluster status || rc=1
else
	log "(d) efsctl has no 'cluster status' yet: not checked"
fi

# --- (b) all load moved to head 1 --------------------------------------
tb0=$(head_ms)
out=$(peer_run head_at storm_stop h2a) || { log "FAIL: fio on head 2 (h2a)" >&2; rc=1; }
tb1=$(head_ms)
# the stop on head 2's clock, on ours
tbs=$(($(head -n 1 <<<"$out") - OFFSET))
log "(b) head 2's clients stopped at $((tbs - tb0)) ms of a command that took $((tb1 - tb0)) ms"
sleep 6
g1b=$(head_show GrantedIops)
log "(b) head 1's grant 6 s after the move: $g1b"

# --- (c) all load on head 2, then its daemon killed -----------------------
# Head 1's fio is stopped (SIGSTOP), not ended: starting 8 jobs takes a
# loaded guest seconds, and head 1 must ask for more at once when head 2's
# daemon dies, not a moment before (head 2's grant would fall to R/2
# first). A waiter continues it (SIGCONT) when head 2's kill is written
# to the share.
peer_run storm_start c2 h2c /mnt/s2 $JOBS --write_iops_log="$EFS_SHARE/h2c" "${LOGOPTS[@]}" ||
	fail "fio on head 2 (h2c)"
h1pid=$(_efs_fio_pids h1a parent)
kill -STOP "$h1pid" || fail "SIGSTOP fio h1a"
sleep 4
read -r _ _ g2 st2 _ _ <<<"$(peer_run head_grant_line)"
read -r _ _ g1 _ _ _ <<<"$(head_grant_line)"
log "(c) all load on head 2: its grant $g2 ($st2), head 1's $g1"
check "(c) head 2 holds more than the safe share before the kill ($g2 > $SAFE)" test "${g2:-0}" -gt $SAFE
rm -f "$EFS_SHARE/killed.h2"
(
	for ((i = 0; i < 1200; i++)); do
		[ -e "$EFS_SHARE/killed.h2" ] && break
		head_nap 0.05
	done
	kill -CONT "$h1pid"
	head_ms >"$EFS_OUT/cont.h1"
) &
waiter=$!
head_watch "$EFS_OUT/grants-h1.txt" $((FORGET + 12000)) &
watcher=$!
tk0=$(head_ms)
# head 2 watches itself and stops its own clients 2 s after its lease
pk=$(peer_run head_kill_daemon $((FORGET + 5000)) h2c $((LEASE + 2000)))
tk1=$(head_ms)
tk=$((pk - OFFSET))
wait $waiter
log "(c) head 2's efs-clusterd killed at our $tk (the command took $tk0..$tk1), head 1's fio continued $(($(cat "$EFS_OUT/cont.h1") - tk)) ms after it"
sleep_until $((tk + FORGET + TICK + 100 + 2500))
read -r _ lim1 g1 st1 _ _ <<<"$(head_grant_line)"
log "(c) head 1, forget + 2.8 s after the kill: IopsLimit $lim1, grant $g1 ($st1)"
check "(c) head 1 has the whole budget back ($g1 = $R)" test "$g1" = "$R" -a "$lim1" = "$R"
sleep_until $((tk + FORGET + 3500))
storm_stop h1a || { log "FAIL: fio on head 1 (h1a)" >&2; rc=1; }
peer_run storm_stop h2c || { log "FAIL: fio on head 2 (h2c)" >&2; rc=1; }
wait $watcher
sleep_until $((tk + FORGET + 5500))

# --- the per-second logs ----------------------------------------------------
read -r mns mxs means <<<"$(both_seconds "$OFFSET")"
# (a): each head's seconds over the window of the counters, each on its clock
# shellcheck disable=SC2086 # the windows: two words each
read -r mn1 mx1 mean1 <<<"$(per_second $BUSY_W1 <"$EFS_OUT/h1a.times" | stat_line)"
# shellcheck disable=SC2086
read -r mn2 mx2 mean2 <<<"$(per_second $BUSY_W2 <"$EFS_OUT/h2a.times" | stat_line)"
log "(a) fio per second: head 1 $mn1..$mx1 (mean $mean1), head 2 $mn2..$mx2 (mean $mean2)"
check "(a) no head above $R + $JOBS in any second (head 1 max $mx1, head 2 max $mx2)" \
	test "$mx1" -le $((R + JOBS)) -a "$mx2" -le $((R + JOBS))
log "(a) both heads' fio, per second on one clock: $mns..$mxs (mean $means) of $R"
figure both_sum_fio_mean "$means"
figure both_worst_second "$mxs"
# (b): head 1 from the move: the last I/O of head 2's clients (on our
# clock), when their demand was gone (the stop command itself takes a
# loaded guest seconds between its start and fio's SIGINT)
tmove=$(($(tail -n 1 "$EFS_OUT/h2a.times") - OFFSET))
log "(b) head 2's clients' last I/O $((tmove - tbs)) ms after their stop command started"
t=$(first_reach "$tmove" $((R * 9 / 10)) <"$EFS_OUT/h1a.times")
if [ -n "$t" ]; then
	log "(b) head 1 reached 0.9 R $((t - tmove)) ms after head 2's clients stopped"
	figure move_ms $((t - tmove))
	check "(b) head 1 at >= 0.9 R within 4 s of the move ($((t - tmove)) ms)" test $((t - tmove)) -le 4000
else
	log "FAIL: (b) head 1 never reached 0.9 R ($((R * 9 / 10)) I/Os in a second) after the move" >&2
	rc=1
fi
read -r mnb mxb meanb <<<"$(per_second $((tmove + 2000)) $((tmove + 6000)) <"$EFS_OUT/h1a.times" | stat_line)"
log "(b) head 1 alone, 2-6 s after the move: $mnb..$mxb per second (mean $meanb), grant $g1b"
check "(b) head 1 alone at most $R + $JOBS in any second ($mxb)" test "$mxb" -le $((R + JOBS))
# (c): the heads' samples around the kill (T0 IopsLimit GrantedIops
# GrantState GrantExpiresInMs T1: read between T0 and T1; a bound that
# grows with time is checked at T1, a state that must have come by a
# time at T0)
show_samples() { # FILE KILL_MS
	log "$(basename "$1" .txt), ms after the kill (T0: IopsLimit GrantedIops GrantState GrantExpiresInMs):"
	awk -v k="$2" '{ printf "  %+6d  %s %s %s %s\n", $1 - k, $2, $3, $4, $5 }' "$1" |
		awk '$2 " " $3 " " $4 != p { print; p = $2 " " $3 " " $4 }'
}
show_samples "$EFS_OUT/grants-h1.txt" "$tk"
bad=$(awk -v k="$tk" -v l=$LEASE -v f=$FORGET -v r="$R" -v g2="$g2" -v s=$SAFE '
	$6 - k < l && $2 > r - g2 { print "at " $6 - k " ms: " $2 " > " r - g2 }
	$6 - k < f && $2 > r - s { print "at " $6 - k " ms: " $2 " > " r - s }' "$EFS_OUT/grants-h1.txt")
check "(c) head 1 within R - head 2's grant until its lease, R/2 until its forget time${bad:+: $bad}" test -z "$bad"
whole=$(awk -v k="$tk" -v r="$R" '$1 >= k && $2 == r && $3 == r { print $6 - k; exit }' "$EFS_OUT/grants-h1.txt")
log "(c) head 1 sampled with the whole budget ${whole:-never} ms after the kill"
figure reclaim_ms "${whole:-}"
t=$(first_reach "$tk" $((R * 9 / 10)) <"$EFS_OUT/h1a.times")
if [ -n "$t" ]; then
	log "(c) head 1's fio reached 0.9 R $((t - tk)) ms after the kill"
	figure reclaim_fio_ms $((t - tk))
	check "(c) head 1's fio at 0.9 R within forget + 1.3 s + 1 s ($((t - tk)) ms)" \
		test $((t - tk)) -le $((FORGET + TICK + 100 + 2000))
else
	log "FAIL: (c) head 1's fio never reached 0.9 R after the kill" >&2
	rc=1
fi
h2s=$EFS_SHARE/grants-h2.txt
show_samples "$h2s" "$pk"

# --- down; the events and the daemons' logs --------------------------------
in_client c1 nfs_umount /mnt/s1
peer_run in_client c2 nfs_umount /mnt/s2
peer_run head_down || { log "FAIL: head 2 down" >&2; rc=1; }
head_down || rc=1
# head 2's module on its own: the LeaseExpired event (its Value the
# safe share) within lease + 1 s of the kill, LeaseForgotten after the
# forget time, and its samples between them at the safe share, after the
# second at zero.
ev_ms() { # EVENT: epoch ms of head 2's last EVENT of shared, empty if none
	local t
	t=$(jq -r --arg e "$1" 'select(.Event == $e and .FileSystem == "shared") | .Time' \
		"$EFS_SHARE/events-h2.jsonl" | tail -n 1)
	[ -n "$t" ] && echo $(($(date -d "$t" +%s%N) / 1000000))
}
ex=$(ev_ms LeaseExpired)
fg=$(ev_ms LeaseForgotten)
jq -c 'select(.Event | startswith("Lease"))' "$EFS_SHARE/events-h2.jsonl"
if [ -z "$ex" ] || [ -z "$fg" ]; then
	log "FAIL: (c) head 2 lacks a LeaseExpired (${ex:-none}) or LeaseForgotten (${fg:-none}) event" >&2
	rc=1
else
	v=$(jq -r 'select(.Event == "LeaseExpired" and .FileSystem == "shared") | .Value' \
		"$EFS_SHARE/events-h2.jsonl" | tail -n 1)
	log "(c) head 2: lease expired $((ex - pk)) ms, forgotten $((fg - pk)) ms after the kill"
	figure fall_ms $((ex - pk))
	check "(c) head 2's LeaseExpired carries the safe share ($v = $SAFE)" test "$v" = $SAFE
	check "(c) head 2's lease ended by itself, lease +- 1 s after the kill ($((ex - pk)) ms)" \
		test $((ex - pk)) -ge $((LEASE - 1000)) -a $((ex - pk)) -le $((LEASE + 1000))
	check "(c) head 2's LeaseForgotten forget +- 1 s after the kill ($((fg - pk)) ms)" \
		test $((fg - pk)) -ge $((FORGET - 1000)) -a $((fg - pk)) -le $((FORGET + 1000))
	n_safe=$(awk -v a="$ex" -v b="$fg" '$1 >= a && $6 <= b' "$h2s" | wc -l)
	bad=$(awk -v a="$ex" -v b="$fg" -v s=$SAFE '$1 >= a && $6 <= b && !($2 == s && $4 == "safe" && $5 == 0) {
		print $1 - a " ms after it: " $2 " " $4 " " $5; exit }' "$h2s")
	check "(c) head 2's module at the safe share $SAFE, GrantState safe, GrantExpiresInMs 0 between the two ($n_safe samples)${bad:+; $bad}" \
		test "$n_safe" -gt 0 -a -z "$bad"
	n_zero=$(awk -v a="$fg" '$1 >= a' "$h2s" | wc -l)
	bad=$(awk -v a="$fg" '$1 >= a && $4 != "zero" { print $1 - a " ms after it: " $4; exit }' "$h2s")
	check "(c) head 2 at zero after LeaseForgotten ($n_zero samples)${bad:+; $bad}" \
		test "$n_zero" -gt 0 -a -z "$bad"
fi
for h in 1 2; do
	f=$EFS_OUT/clusterd-h$h.log
	[ $h = 2 ] && f=$EFS_SHARE/clusterd-h2.log
	log "head $h's efs-clusterd events:"
	grep 'event:' "$f" | tail -n 12 | sed 's/^/  /'
	check "head $h: no head evicted as silent, no message refused" \
		bash -c "! grep -E 'evicted as silent|ignored from' '$f'"
done
peer_run peer_quit
exit $rc
