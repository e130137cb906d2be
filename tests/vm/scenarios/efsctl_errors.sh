#!/bin/bash
# efs-vm: timeout=300
# efs-vm: needs-module
#
# Bad input gets a clear error, a non-zero exit and changes nothing; an
# unprivileged caller cannot change state but can read it.
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
