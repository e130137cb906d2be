#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# A cluster-scope filesystem's lease, enforced by the module itself
# (issue 26, the kernel half; efs-clusterd is not involved: efsctl fs
# grant sends what the daemon sends):
#  - before any grant, 4 KiB random reads (4 jobs) run at the safe share,
#    budget / heads = 60 / 2 = 30 IOPS +-10%;
#  - renewed grants of 45 units/s: reads run at 45 +-10%;
#  - no renewal: when the last 3 s lease runs out the module falls to 30
#    by itself (reads within 10% of 30 from 1 s after the expiry), and
#    a lease-expired event comes within 1 s of the expiry;
#  - fs grant is refused for a local filesystem, for bad values (the
#    module's own checks, through ynl when it is there) and for a caller
#    without CAP_NET_ADMIN.
# The filesystem is elastic (no byte budget), so only the ops budget
# limits 4 KiB reads. The rates are low (issue 26 has 300 / 150 / 240) so
# that a guest sharing two host cores with other guests still reaches
# them (such a guest read 50-116 IOPS unthrottled), and the renewals
# hold for 10 s: an efsctl call took up to 3.7 s there. The last grant,
# whose end is measured, holds for 3 s.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

BUDGET=60
HEADS=2
SAFE=$((BUDGET / HEADS))
GRANT=45
LEASE_MS=3000
RENEW_MS=10000
rc=0
nfsd_start 8 || fail "nfsd_start"
export_tmpfs shared 256M || fail "export shared"
export_tmpfs solo 64M || fail "export solo"
dd if=/dev/urandom of=/srv/shared/data bs=1M count=32 status=none || fail "dd"
efs_load || fail "efs_load"
$EFS_CTL monitor --json >"$EFS_OUT/events.jsonl" 2>"$EFS_OUT/monitor.err" &
monitor=$!
$EFS_CTL fs add shared /srv/shared --scope cluster --cluster-heads $HEADS \
	--iops-limit $BUDGET --throughput-mode elastic || fail "fs add shared"
$EFS_CTL fs add solo /srv/solo || fail "fs add solo"

show() { $EFS_CTL fs show "$1" --json | jq -r ".FileSystems[0].$2"; }
check "a new cluster filesystem runs at the safe share" \
	test "$(show shared IopsLimit)" = $SAFE
check "fs show: Scope cluster, no grant yet" bash -c \
	"$EFS_CTL fs show shared --json | jq -e '.FileSystems[0] | .Scope == \"cluster\" and
	.GrantExpiresInMs == 0 and .ClusterHeads == $HEADS' >/dev/null"
check "fs show: a local filesystem says so" test "$(show solo Scope)" = local

ops_now() { # "DataReadOps Timestamp(ns)" of filesystem shared
	$EFS_CTL fs stats shared --json | jq -r '"\(.DataReadOps) \(.Timestamp)"'
}
# rate_over SECONDS: reads a second over the next SECONDS
rate_over() {
	local a ta b tb
	read -r a ta <<<"$(ops_now)"
	sleep "$1"
	read -r b tb <<<"$(ops_now)"
	echo $(((b - a) * 1000000000 / (tb - ta)))
}
grant() { # [LEASE_MS]
	$EFS_CTL fs grant shared --iops $GRANT --throughput-bytes 64MiB \
		--lease-ms "${1:-$RENEW_MS}" --heads $HEADS
}

nfs_mount shared /mnt/s 4.2 || fail "mount shared"
run_fio cluster-read --filename=/mnt/s/data --rw=randread --bs=4k \
	--direct=1 --ioengine=psync --numjobs=4 --group_reporting \
	--time_based --runtime=600 &
fio=$!
fio_wait_running cluster-read 4 || rc=1
sleep 1

r=$(rate_over 3)
rate_within "$r" $SAFE 10 "IOPS before any grant (safe share $BUDGET/$HEADS)" || rc=1

# The daemon renews every tick; here every 2 s or so (efsctl competes
# with fio for a loaded guest's CPU) until the checks are done.
grant || { log "FAIL: fs grant" >&2; rc=1; }
mkdir -p "$EFS_STATE"
touch "$EFS_STATE/renew"
(
	while [ -e "$EFS_STATE/renew" ]; do
		grant || log "FAIL: a renewal" >&2
		sleep 2
	done
) &
renewer=$!
sleep 2
r=$(rate_over 4)
rate_within "$r" $GRANT 10 "IOPS while renewed grants of $GRANT hold" || rc=1
$EFS_CTL fs show shared --json >"$EFS_OUT/granted.json"
check "fs show: the grant and its lease" jq -e '.FileSystems[0] |
	.GrantedIops == '$GRANT' and .GrantedThroughput == 67108864 and
	.GrantState == "granted" and .GrantExpiresInMs > 0 and
	.GrantExpiresInMs <= '$RENEW_MS' and .IopsLimit == '$GRANT "$EFS_OUT/granted.json"
jq -c '.FileSystems[0] | {Scope, IopsLimit, GrantState, GrantedIops,
	GrantedThroughput, GrantExpiresInMs, ClusterHeads}' "$EFS_OUT/granted.json"
rm -f "$EFS_STATE/renew"
wait $renewer
# the last grant: 3 s, not renewed
g0=$(date +%s%N)
grant $LEASE_MS || { log "FAIL: the last grant" >&2; rc=1; }
g1=$(date +%s%N)
expiry_lo=$((g0 + LEASE_MS * 1000000))
expiry_hi=$((g1 + LEASE_MS * 1000000))
log "last grant: it runs out $LEASE_MS ms after it was sent (sending took $(( (g1 - g0) / 1000000 )) ms)"
# until 1 s past the latest the lease can end
now=$(date +%s%N)
wait_ms=$(( (expiry_hi - now) / 1000000 + 1000 ))
[ $wait_ms -gt 0 ] && sleep "$(awk -v m=$wait_ms 'BEGIN { print m / 1000 }')"
check "the module fell to the safe share by itself" \
	test "$(show shared IopsLimit)" = $SAFE
check "fs show: lease expired" test "$(show shared GrantExpiresInMs)" = 0
check "fs show: GrantState safe" test "$(show shared GrantState)" = safe
r=$(rate_over 3)
rate_within "$r" $SAFE 10 "IOPS 1-4 s after the lease ran out" || rc=1
fio_stop cluster-read
wait $fio
[ "$(fio_errors cluster-read)" = 0 ] ||
	{ log "FAIL: fio saw errors" >&2; rc=1; }
nfs_umount /mnt/s

# The fallback event, within 1 s of the expiry.
sleep 0.5
kill $monitor 2>/dev/null
wait $monitor 2>/dev/null
ev=$(jq -c 'select(.Event == "LeaseExpired" and .FileSystem == "shared")' \
	"$EFS_OUT/events.jsonl" | tail -n 1)
if [ -z "$ev" ]; then
	log "FAIL: no LeaseExpired event for shared" >&2
	rc=1
else
	log "event: $ev"
	check "the event carries the safe share" test "$(jq -r .Value <<<"$ev")" = $SAFE
	t=$(jq -r .Time <<<"$ev")
	ev_ns=$(date -d "$t" +%s%N)
	log "event $(( (ev_ns - expiry_lo) / 1000000 )) ms after the earliest the lease could end, $(( (ev_ns - expiry_hi) / 1000000 )) ms after the latest"
	check "the event not before the lease ended" test "$ev_ns" -ge "$expiry_lo"
	check "the event within 1 s of the expiry" \
		test "$ev_ns" -le $((expiry_hi + 1000000000))
fi

# Refusals: a local filesystem, bad values, an unprivileged caller.
out=$($EFS_CTL fs grant solo --iops 1 --throughput-bytes 1 --lease-ms 1000 \
	--heads 2 2>&1)
check "a local filesystem refuses fs grant" test $? -ne 0
check "with the module's message" grep -q "not a cluster filesystem" <<<"$out"
check "efsctl refuses --lease-ms 0" bash -c "! $EFS_CTL fs grant shared \
	--iops 1 --throughput-bytes 1 --lease-ms 0 --heads 2 2>/dev/null"
YNL=${EFS_YNL:-$EFS_REPO/build/src/linux-source-6.12/tools/net/ynl/cli.py}
if [ -f "$YNL" ]; then
	SCHEMA=${YNL%/tools/net/ynl/cli.py}/Documentation/netlink/genetlink.yaml
	ynl() { python3 "$YNL" --spec "$EFS_REPO/uapi/efs.yaml" --schema "$SCHEMA" "$@"; }
	out=$(ynl --do fs-grant --json '{"fs-name": "shared", "grant-iops": 1,
		"grant-bps": 1, "grant-lease-ms": 0, "grant-heads": 2}' 2>&1)
	check "the module refuses a lease of 0 ms" grep -q "lease must be" <<<"$out"
	out=$(ynl --do fs-grant --json '{"fs-name": "shared", "grant-iops": 1}' 2>&1)
	check "the module refuses a grant without lease and heads" \
		grep -q "a grant needs" <<<"$out"
else
	log "no $YNL: the module's own checks of bad values not exercised here (KUnit efs_lease.check_test)"
fi
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
check "an unprivileged grant is refused" bash -c "$(declare -f nobody); ! nobody \
	$EFS_CTL fs grant shared --iops 300 --throughput-bytes 1 --lease-ms 1000 \
	--heads 1 2>$EFS_OUT/eperm.err"
check "as not permitted" grep -q "not permitted" "$EFS_OUT/eperm.err"
check "and changed nothing" test "$(show shared IopsLimit)" = $SAFE

# Back to local: the whole budget; then unload with nothing pending.
$EFS_CTL fs set shared --scope local || rc=1
check "scope local: the whole budget again" test "$(show shared IopsLimit)" = $BUDGET
$EFS_CTL fs set shared --scope cluster || rc=1
grant || rc=1
efs_unload || rc=1
nfsd_stop
exit $rc
