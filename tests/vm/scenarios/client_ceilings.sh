#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Per-client ceilings and the server-wide settings (NFSv4.2, clients in
# their own network namespaces):
#  - --per-client-iops-limit 50: a client with 8 jobs runs at 50 IOPS
#    (+-5%) while a second client of the same filesystem, paced at 20
#    IOPS, gets its 20 and no DELAY; fs set changes the ceiling live (to
#    80);
#  - the heavy client's requests sleeping on its ceiling would hold every
#    waiting slot; a second filesystem capped at 100 still gets its cap
#    (+-5%; they give their slots up, DisplacedRequests, or back-pressure
#    keeps them on the client's side, BackpressureReplies);
#  - --per-client-throughput-in-mibps 1: a writer runs at 1 MiB/s (+-5%);
#  - the EFS defaults shown by fs show (500 MiB/s per client, 1500 when
#    elastic, 0 = none), and bad values refused;
#  - server set --max-waiting-threads, live, shown by server show; bad
#    values and unprivileged callers refused, changing nothing.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

SECS=${EFS_NN_SECS:-12}
rc=0
nfsd_start 8 || fail "nfsd_start"
for d in tenant capped; do
	export_tmpfs $d 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
$EFS_CTL fs add tenant /srv/tenant --per-client-iops-limit 50 || fail "fs add"
$EFS_CTL fs add capped /srv/capped --iops-limit 100 || fail "fs add capped"
netns_client c1 10.99.0.31 || fail "client c1"
netns_client c2 10.99.0.32 || fail "client c2"
in_client c1 nfs_mount tenant /mnt/c1 4.2 || fail "mount c1"
in_client c2 nfs_mount tenant /mnt/c2 4.2 || fail "mount c2"
in_client c2 nfs_mount capped /mnt/c2capped 4.2 || fail "mount c2 capped"
show() { $EFS_CTL fs show tenant --json | jq -r ".FileSystems[0].$1"; }
srv() { $EFS_CTL server show --json | jq -r ".$1"; }

# 1. An IOPS ceiling per client; the other client is not held back. The
# paced client starts once all of the heavy one's jobs read: starting 8
# jobs takes a loaded TCG guest seconds of CPU, which cost the paced one
# 3 of its 20 IOPS in a CI run (2026-12-02).
storm_start c1 heavy /mnt/c1 8 || rc=1
client_load c2 paced /mnt/c2 1 "$SECS" --rate_iops=20 || rc=1
# Another filesystem whose requests must wait: the heavy client's ceiling
# sleepers would hold the 4 waiting slots. Either they give them up
# (before 2026-12-02 they could not be displaced, and its requests were
# answered DELAY), or back-pressure holds the heavy client to fewer
# session slots, so it never takes them all (since 2026-12-04 it stays
# held while its requests wait: then nothing needs displacing).
d0=$($EFS_CTL fs stats tenant --json | jq -r .DisplacedRequests)
b0=$(srv BackpressureReplies)
client_load c2 queued /mnt/c2capped 4 "$SECS" || rc=1
d1=$($EFS_CTL fs stats tenant --json | jq -r .DisplacedRequests)
b1=$(srv BackpressureReplies)
storm_stop heavy || rc=1
assert_within "$(fio_iops heavy read)" 50 5 "client at its 50 IOPS ceiling" || rc=1
assert_within "$(fio_iops paced read)" 20 10 "second client gets its 20 IOPS" || rc=1
# (The old code's 93 of 100 in a run: held back, not starved.)
assert_within "$(fio_iops queued read)" 100 5 "a filesystem beside the ceiling sleepers gets its cap" || rc=1
check "the ceiling sleepers gave slots up or were held back (DisplacedRequests +$((d1 - d0)), BackpressureReplies +$((b1 - b0)))" \
	test $((d1 - d0)) -gt 0 -o $((b1 - b0)) -gt 0
$EFS_CTL fs clients tenant
# Within its ceiling, it passes the heavy client's requests that sleep on
# theirs: it never waits for a slot behind them nor is answered DELAY
# (before 2026-12-02 it was, 48 times in 12 s, and read 12 of its 20).
paced_delays=$($EFS_CTL fs clients tenant --json |
	jq -r '.Clients[] | select(.Address == "10.99.0.32") | .DelayReplies')
check "the second client got no DELAY (got ${paced_delays:-none})" test "${paced_delays:-1}" -eq 0

$EFS_CTL fs set tenant --per-client-iops-limit 80 || rc=1
check "fs show has the new per-client limit" test "$(show PerClientIopsLimit)" -eq 80
client_load c1 heavy80 /mnt/c1 8 "$SECS" || rc=1
assert_within "$(fio_iops heavy80 read)" 80 5 "client at its new 80 IOPS ceiling" || rc=1

# 2. A throughput ceiling per client (metered bytes: writes count whole).
check "default per-client throughput is EFS's 500 MiB/s" test "$(show PerClientThroughputInMibps)" = 500
$EFS_CTL fs set tenant --per-client-iops-limit 0 --per-client-throughput-in-mibps 1 || rc=1
client_load c1 writer /mnt/c1 4 "$SECS" --rw=randwrite --bs=64k || rc=1
bw=$(fio_bw_bytes writer write)
assert_within "$bw" $((1 << 20)) 5 "writer at its 1 MiB/s per-client ceiling" || rc=1

$EFS_CTL fs set tenant --throughput-mode elastic --per-client-throughput-in-mibps 0 || rc=1
check "per-client throughput 0 = none" test "$(show PerClientThroughputInMibps)" = 0
mkdir -p /srv/el
$EFS_CTL fs add el /srv/el --throughput-mode elastic || rc=1
check "elastic default per client is 1500 MiB/s" \
	test "$($EFS_CTL fs show el --json | jq -r '.FileSystems[0].PerClientThroughputInMibps')" = 1500
before=$($EFS_CTL fs show tenant --json)
check "a bad per-client value is refused" \
	bash -c "! $EFS_CTL fs set tenant --per-client-throughput-in-mibps lots 2>/dev/null"
check "a too large per-client value is refused" \
	bash -c "! $EFS_CTL fs set tenant --per-client-iops-limit 100000001 2>/dev/null"
check "client idle time 0 is refused" \
	bash -c "! $EFS_CTL fs set tenant --client-idle-seconds 0 2>/dev/null"
check "refused changes change nothing" \
	test "$(jq -c '.FileSystems[0] | del(.BurstCreditBalance, .WaitingThreads, .ClientConnections, .ClientConnectionsLowerBound)' <<<"$before")" = \
	     "$($EFS_CTL fs show tenant --json | jq -c '.FileSystems[0] | del(.BurstCreditBalance, .WaitingThreads, .ClientConnections, .ClientConnectionsLowerBound)')"

# 3. The server-wide budget.
check "default budget: half of nfsd's 8 threads" test "$(srv MaxWaitingThreads)" -eq 4
$EFS_CTL server set --max-waiting-threads 2 || rc=1
check "server set takes effect" test "$(srv MaxWaitingThreads)" -eq 2
check "the setting is shown" test "$(srv MaxWaitingThreadsConfigured)" -eq 2
check "server set without a value fails" bash -c "! $EFS_CTL server set 2>/dev/null"
check "server set with a bad value fails" \
	bash -c "! $EFS_CTL server set --max-waiting-threads -1 2>/dev/null"
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
check "unprivileged server set is refused" \
	bash -c "$(declare -f nobody); ! nobody $EFS_CTL server set --max-waiting-threads 9 2>$EFS_OUT/eperm.err"
grep -qi 'permission\|CAP_NET_ADMIN' "$EFS_OUT/eperm.err" || { log "FAIL: $(cat "$EFS_OUT/eperm.err")" >&2; rc=1; }
check "unprivileged server show works" nobody "$EFS_CTL" server show
check "refusals changed nothing" test "$(srv MaxWaitingThreads)" -eq 2
# Followed live: rpc.nfsd 16 doubles the default budget.
$EFS_CTL server set --max-waiting-threads 0 || rc=1
rpc.nfsd 16
client_load c1 wake /mnt/c1 2 2 >/dev/null 2>&1
check "the default follows rpc.nfsd 16 (budget $(srv MaxWaitingThreads))" test "$(srv MaxWaitingThreads)" -eq 8
rpc.nfsd 8
$EFS_CTL server show
exit $rc
