#!/bin/bash
# efs-vm: timeout=360
# efs-vm: needs-module
#
# Bad input gets a clear error, a non-zero exit and changes nothing; an
# unprivileged caller cannot change state but can read it, except the
# client listings (addresses and their traffic: CAP_NET_ADMIN, as knfsd's
# own client list is root's), whose totals stay open to all.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0
nfsd_start 4 || fail "nfsd_start"
export_tmpfs a 64M || fail "export a"
mkdir -p /srv/a/sub
touch /srv/a/file
efs_load || fail "efs_load"
$EFS_CTL fs add a /srv/a --iops-limit 500 || fail "fs add"

snapshot() { $EFS_CTL fs show --json | jq -S '[.FileSystems[] | del(.BurstCreditBalance, .PermittedThroughput)]'; }
before=$(snapshot)

# refused CMD... EXPECTED: must fail, print EXPECTED on stderr, change nothing
refused() {
	local want=${*: -1} err
	err=$("${@:1:$#-1}" 2>&1 >/dev/null)
	local status=$?
	if [ $status -eq 0 ]; then
		log "FAIL: accepted: ${*:1:$#-1}" >&2; rc=1; return
	fi
	if ! grep -qF -- "$want" <<<"$err"; then
		log "FAIL: ${*:1:$#-1}: said '$err', expected '$want'" >&2; rc=1; return
	fi
	if [ "$(snapshot)" != "$before" ]; then
		log "FAIL: state changed after: ${*:1:$#-1}" >&2; rc=1
		before=$(snapshot)
		return
	fi
	log "ok: refused ($err)"
}

C=$EFS_CTL
refused $C fs add b /srv/nonexistent "efsctl: fs add: /srv/nonexistent: No such file or directory"
refused $C fs add b /srv/a/file "Not a directory"
refused $C fs add 'b/c' /srv/a/sub "invalid name"
refused $C fs add "$(printf 'x%.0s' {1..65})" /srv/a/sub "invalid name"
refused $C fs add a /srv/a/sub "exists"
refused $C fs add b /srv/a "already"
refused $C fs add b /srv/a/sub --iops-limit -5 "--iops-limit"
refused $C fs add b /srv/a/sub --iops-limit 100000001 "--iops-limit"
refused $C fs add b /srv/a/sub --iops-limit abc "--iops-limit"
refused $C fs add b /srv/a/sub --write-op-weight 0 "--write-op-weight"
refused $C fs add b /srv/a/sub --max-wait-ms 600001 "--max-wait-ms"
refused $C fs add b /srv/a/sub --performance-mode fast "--performance-mode"
refused $C fs add b /srv/a/sub --bogus 1 "--bogus"
refused $C fs add b "missing"
refused $C fs add b /srv/a/sub --throughput-mode provisioned "provisioned-throughput-in-mibps"
refused $C fs add b /srv/a/sub --throughput-mode provisioned --provisioned-throughput-in-mibps 0.5 "1"
refused $C fs add b /srv/a/sub --metered-size -1 "--metered-size"
refused $C fs add b /srv/a/sub --metered-size 2EiB "--metered-size"
refused $C fs add b /srv/a/sub --burst-credit-balance -3GiB "--burst-credit-balance"
refused $C fs set nosuch --iops-limit 5 "nosuch"
refused $C fs set a --iops-limit 100000001 "--iops-limit"
refused $C fs set a --throughput-mode provisioned "provisioned"
refused $C fs del nosuch "nosuch"
refused $C fs show nosuch "nosuch"
refused $C fs frobnicate "frobnicate"

# Unprivileged: changes refused with EPERM, reading allowed.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
refused nobody $C fs add b /srv/a/sub "Operation not permitted"
refused nobody $C fs set a --iops-limit 1 "Operation not permitted"
refused nobody $C fs del a "Operation not permitted"
if nobody $C fs show a --json | jq -e '.FileSystems[0].Name == "a"' >/dev/null; then
	log "ok: unprivileged fs show works"
else
	log "FAIL: unprivileged fs show" >&2; rc=1
fi
nobody $C fs stats a >/dev/null || { log "FAIL: unprivileged fs stats" >&2; rc=1; }

# apply refused part way: strace fails efsctl's Nth request (its Nth
# sendto: 1 resolves the family, 2 dumps the filesystems, 3.. are the
# changes), as a kernel that refuses it would. Every attempt must exit 1
# and leave the configuration as before (what it changed undone, the
# deleted filesystem back); then the apply runs through.
mkdir -p /srv/a/c /srv/a/d
$C fs add d /srv/a/d --max-wait-ms 400 || rc=1
printf '[a]\npath = /srv/a\niops-limit = 300\n[c]\npath = /srv/a/c\n' >/tmp/undo.conf
conf_before=$($C fs show --format conf)
steps=$($C apply -n /tmp/undo.conf | grep -c '^\(add\|set\|del\) ')
[ "$steps" = 3 ] || { log "FAIL: apply -n: $steps changes planned, want 3 (del d, set a, add c)" >&2; rc=1; }
for n in $(seq 1 $((steps + 2))); do
	err=$(strace -qq -o /dev/null -e trace=sendto -e inject=sendto:error=ENOMEM:when="$n" \
		$C apply /tmp/undo.conf 2>&1 >/tmp/undo.out)
	status=$?
	if [ $status -ne 1 ]; then
		log "FAIL: apply with request $n failing: exit $status ($err)" >&2; rc=1
	elif [ "$($C fs show --format conf)" != "$conf_before" ]; then
		log "FAIL: apply with request $n failing changed the configuration: $err" >&2; rc=1
		$C fs show --format conf >&2
	else
		log "ok: apply with request $n failing: exit 1, configuration as before ($(grep -c '^undo ' /tmp/undo.out) undone; ${err//$'\n'/ / })"
	fi
done
if $C apply /tmp/undo.conf >/dev/null &&
   [ "$($C fs show a --json | jq .FileSystems[0].IopsLimit)" = 300 ] &&
   [ "$($C fs show --format names | tr '\n' ' ')" = "a c " ]; then
	log "ok: apply without a failure made the changes"
else
	log "FAIL: apply without a failure: $($C fs show --format names | tr '\n' ' ')" >&2; rc=1
fi
$C fs del c || rc=1
$C fs set a --iops-limit 500 || rc=1

# Who may read client addresses: listing a filesystem's clients needs
# CAP_NET_ADMIN (CLIENT_GET has GENL_ADMIN_PERM). An unprivileged fs
# clients fails with the message, exit 1 as any refused request, and
# changes nothing, whether the name exists or not (no probing); fs show,
# fs stats, server show and metrics still work, with the totals and without
# any address; root still lists the client.
# (the client must not age out mid-section on a slow guest: it would change
# ClientConnections in the snapshot)
$C fs set a --client-idle-seconds 3600 || rc=1
nfs_mount a /mnt/a 4.2 || fail "mount a"
cat /mnt/a/file >/dev/null && ls /mnt/a/sub >/dev/null || rc=1
before=$(snapshot)
need_admin="efsctl: fs clients: listing clients needs CAP_NET_ADMIN (run as root)"
refused nobody $C fs clients a "$need_admin"
refused nobody $C fs clients a --json "$need_admin"
refused nobody $C fs clients nosuch "$need_admin"
nobody $C fs clients a >/dev/null 2>&1
status=$?
check "unprivileged fs clients exits 1, as a refused change (exit $status)" test $status -eq 1
root_clients=$($C fs clients a --json) || rc=1
log "root fs clients: $root_clients"
listed=$(jq '.ClientCount >= 1 and any(.Clients[]; .Address == "127.0.0.1")' <<<"$root_clients")
check "root lists the client by address" test "$listed" = true
check "unprivileged fs show has ClientConnections, no address" bash -c \
	"$(declare -f nobody); nobody $C fs show a --json | jq -e '.FileSystems[0].ClientConnections >= 1' >/dev/null &&
	 ! nobody $C fs show a --json | grep -q 127.0.0.1"
check "unprivileged fs stats has ClientConnections" bash -c \
	"$(declare -f nobody); nobody $C fs stats a --json | jq -e '.ClientConnections >= 1' >/dev/null"
check "unprivileged server show has ClientEntries" bash -c \
	"$(declare -f nobody); nobody $C server show --json | jq -e '.ClientEntries >= 1' >/dev/null"
nobody $C metrics --per-client-top 5 >"$EFS_OUT/metrics-nobody.prom" 2>"$EFS_OUT/metrics-nobody.err"
status=$?
log "unprivileged metrics --per-client-top 5: exit $status, stderr: $(cat "$EFS_OUT/metrics-nobody.err")"
check "unprivileged metrics --per-client-top exits 0" test $status -eq 0
check "unprivileged metrics says once that client series are left out" test \
	"$(cat "$EFS_OUT/metrics-nobody.err")" = "efsctl: metrics: per-client series left out: listing clients needs CAP_NET_ADMIN (run as root)"
check "unprivileged metrics has the filesystem series" \
	grep -q '^efs_client_connections{fs="a",' "$EFS_OUT/metrics-nobody.prom"
check "unprivileged metrics has no per-client series" bash -c \
	"! grep -q -e 'client=\"' -e '127\.0\.0\.1' '$EFS_OUT/metrics-nobody.prom'"
check "unprivileged metrics (no --per-client-top) is quiet and exits 0" bash -c \
	"$(declare -f nobody); nobody $C metrics 2>&1 >/dev/null | grep -q . && exit 1; nobody $C metrics >/dev/null"
$C metrics --per-client-top 5 >"$EFS_OUT/metrics-root.prom" || rc=1
check "root metrics has the client series" \
	grep -q '^efs_client_ops_per_second{fs="a",client="127\.0\.0\.1"}' "$EFS_OUT/metrics-root.prom"
check "nothing changed" test "$(snapshot)" = "$before"
nfs_umount /mnt/a
$C fs set a --client-idle-seconds 60 || rc=1

# The good path still works after all that.
$C fs add b /srv/a/sub --performance-mode maxIO --write-op-weight 3 || rc=1
$C fs show b --json | jq -e '.FileSystems[0] | .PerformanceMode == "maxIO" and .IopsLimit == 500000 and .WriteOpWeight == 3' >/dev/null ||
	{ log "FAIL: fs show b" >&2; rc=1; }
$C fs del b || rc=1
$C fs del a || rc=1
[ "$($C fs show --json | jq '.FileSystems | length')" = 0 ] || { log "FAIL: not empty after del" >&2; rc=1; }
efs_unload || rc=1
nfsd_stop
exit $rc
