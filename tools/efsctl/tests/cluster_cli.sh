#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command-line tests of "efsctl cluster status" and of the cluster's gauges
# in "efsctl metrics": a status file as efs-clusterd writes it (text and
# --json, the key names exactly), where the file is found (--status-file,
# cluster.conf's status-file, the default), a missing, stale and malformed
# file. metrics runs against the fake efs family (tests/fakenl.so).
#
# usage: cluster_cli.sh EFSCTL [FAKENL_SO]
# Prints PASS/FAIL/SKIP <name> per case (appended to $EFS_RESULTS if set).

EFSCTL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FAKE=${2:+$(cd "$(dirname "$2")" && pwd)/$(basename "$2")}
T=$(mktemp -d /tmp/efsctl-cluster.XXXXXX)
trap 'rm -rf "$T"' EXIT

# shellcheck source=tests/result.sh
. "$(dirname "$0")/result.sh"

# run ARGS...: efsctl's output in $T/out, $T/err, status in $rc
run() {
	"$EFSCTL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# t_rc NAME RC STDERR ARGS...: exit RC, stderr exactly STDERR, no stdout
t_rc() {
	name=$1 want_rc=$2 want=$3
	shift 3
	run "$@"
	got=$(cat "$T/err")
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$name" "efsctl $*: exit $rc, want $want_rc (stderr: $got)"
	elif [ "$got" != "$want" ]; then
		fail "$name" "efsctl $*: stderr '$got', want '$want'"
	elif [ -s "$T/out" ]; then
		fail "$name" "efsctl $*: unexpected stdout: $(cat "$T/out")"
	else
		pass "$name"
	fi
}
# t_rc_has NAME RC SUBSTRING ARGS...: exit RC, one line on stderr with SUBSTRING
t_rc_has() {
	name=$1 want_rc=$2 want=$3
	shift 3
	run "$@"
	if [ "$rc" -ne "$want_rc" ]; then
		fail "$name" "efsctl $*: exit $rc, want $want_rc (stderr: $(cat "$T/err"))"
	elif ! grep -qF -- "$want" "$T/err" || [ "$(wc -l <"$T/err")" != 1 ]; then
		fail "$name" "efsctl $*: stderr '$(cat "$T/err")' is not one line with '$want'"
	elif [ -s "$T/out" ]; then
		fail "$name" "efsctl $*: unexpected stdout: $(cat "$T/out")"
	else
		pass "$name"
	fi
}
# out_has NAME PATTERN...: $T/out has a line matching each grep PATTERN
out_has() {
	name=$1
	shift
	for pat in "$@"; do
		if ! grep -q -- "$pat" "$T/out"; then
			fail "$name" "no line /$pat/ in: $(cat "$T/out")"
			return 1
		fi
	done
	pass "$name"
}
# jq_ok NAME FILTER FILE: jq -e FILTER holds on FILE
jq_ok() {
	if jq -e "$2" "$3" >/dev/null 2>&1; then
		pass "$1"
	else
		fail "$1" "jq -e '$2' failed on: $(cat "$3")"
	fi
}

# What efs-clusterd writes (tools/efs-clusterd/status.c): three heads, a
# bursting filesystem whose head 3 has other settings, and an elastic one
# (no byte budget: null).
S=$T/cluster.json
cat >"$S" <<'EOF'
{"Cluster":"nfs-a","Quorate":true,"Synced":true,"LocalNodeId":1,"Round":812,"Epoch":3,"TickMs":200,"LeaseMs":4000,"ForgetMs":12000,"DetectionMs":2200,"OnPartition":"strict","Members":[{"NodeId":1,"Name":"head-a","Pid":1201,"Participant":true},{"NodeId":2,"Name":"head-b","Pid":998,"Participant":true},{"NodeId":3,"Name":"head-c","Pid":1043,"Participant":true}],"Reservations":[],"FileSystems":[{"Name":"shared","IopsLimit":300,"PermittedThroughput":104857600,"BurstCreditBalance":2199023255552,"ReservedIops":0,"ReservedThroughput":0,"SafeIops":100,"Heads":[{"NodeId":1,"SettingsAgree":true,"UsedIops":250,"DemandIops":312,"GrantedIops":270,"UsedThroughput":1048576,"DemandThroughput":1310720,"GrantedThroughput":94371840},{"NodeId":2,"SettingsAgree":true,"UsedIops":10,"DemandIops":12,"GrantedIops":30,"UsedThroughput":4096,"DemandThroughput":5120,"GrantedThroughput":10485760},{"NodeId":3,"SettingsAgree":false,"UsedIops":0,"DemandIops":0,"GrantedIops":0,"UsedThroughput":0,"DemandThroughput":0,"GrantedThroughput":0}],"Local":{"GrantedIops":270,"GrantedThroughput":94371840,"GrantExpiresInMs":3800,"SafeIops":100}},{"Name":"scratch","IopsLimit":35000,"PermittedThroughput":null,"BurstCreditBalance":null,"ReservedIops":0,"ReservedThroughput":0,"SafeIops":11666,"Heads":[{"NodeId":1,"SettingsAgree":true,"UsedIops":5,"DemandIops":7,"GrantedIops":17500,"UsedThroughput":2048,"DemandThroughput":2560,"GrantedThroughput":null}]}]}
EOF

### cluster status: text ####################################################

run cluster status --status-file "$S"
if [ "$rc" -ne 0 ] || [ -s "$T/err" ]; then
	fail cluster_status_text "exit $rc: $(cat "$T/err")"
else
	out_has cluster_status_text '^Cluster nfs-a$' '^  quorate  *yes$' \
		'^  local node  *1 (head-a)$' '^  members  *3$' \
		'^    2  *head-b$' '^Filesystem shared$' \
		'^  iops limit  *300 units/s$' \
		'^  permitted throughput  *100\.0 MiB/s$' \
		'^  burst credit balance  *2\.0 TiB$' \
		'^    1\*  *250  *312  *270  *1\.0 MiB/s  *1\.3 MiB/s  *90\.0 MiB/s$' \
		'^    3!  *0  *0  *0  *0 B/s  *0 B/s  *0 B/s$' \
		'^Filesystem scratch$' '^  permitted throughput  *unlimited$' \
		'^    1\*  *5  *7  *17500  .* unlimited$' \
		'settings differ'
fi

### cluster status --json: the daemon's document, key names exactly #########

run cluster status --json --status-file "$S"
if [ "$rc" -ne 0 ] || [ -s "$T/err" ]; then
	fail cluster_status_json "exit $rc: $(cat "$T/err")"
else
	cp "$T/out" "$T/json"
	jq_ok cluster_status_json_keys '
		.Cluster == "nfs-a" and .Quorate == true and .LocalNodeId == 1 and
		(.Members | length) == 3 and
		.Members[1] == {"NodeId": 2, "Name": "head-b", "Pid": 998, "Participant": true} and
		(.FileSystems | length) == 2 and
		.FileSystems[0].Name == "shared" and
		.FileSystems[0].IopsLimit == 300 and
		.FileSystems[0].PermittedThroughput == 104857600 and
		.FileSystems[0].BurstCreditBalance == 2199023255552 and
		(.FileSystems[0].Heads | length) == 3 and
		(.FileSystems[0].Heads[0] | has("NodeId") and has("UsedIops") and
			has("DemandIops") and has("GrantedIops") and
			has("UsedThroughput") and has("DemandThroughput") and
			has("GrantedThroughput")) and
		.FileSystems[0].Heads[0].GrantedIops == 270 and
		.FileSystems[0].Heads[2].SettingsAgree == false and
		.FileSystems[1].PermittedThroughput == null and
		.FileSystems[1].Heads[0].GrantedThroughput == null' "$T/json"
	# every key and value of the daemon's file kept (Synced, Round, Local...)
	if [ "$(jq -S . "$T/json")" = "$(jq -S . "$S")" ]; then
		pass cluster_status_json_same
	else
		fail cluster_status_json_same "differs from the file: $(cat "$T/json")"
	fi
fi

### where the file is found ##################################################

cp "$S" "$T/other.json"
printf '[cluster]\nname = nfs-a\n[daemon]\n# a comment\nstatus-file = %s\n' \
	"$T/other.json" >"$T/cluster.conf"
run cluster status --json -c "$T/cluster.conf"
[ "$rc" = 0 ] && jq -e '.Cluster == "nfs-a"' "$T/out" >/dev/null &&
	pass cluster_status_conf || fail cluster_status_conf "exit $rc: $(cat "$T/err")"
run cluster status --json --config "$T/cluster.conf" --status-file "$S"
[ "$rc" = 0 ] && pass cluster_status_file_over_conf ||
	fail cluster_status_file_over_conf "exit $rc: $(cat "$T/err")"
printf '[daemon]\nstatus-file = none\n' >"$T/off.conf"
t_rc cluster_status_conf_off 2 \
	"efsctl: cluster status: efs-clusterd writes no status file (status-file is off in $T/off.conf; give --status-file FILE)" \
	cluster status -c "$T/off.conf"
printf '[daemon]\nstatus-file =\n' >"$T/empty.conf"
t_rc_has cluster_status_conf_empty 2 "status-file is off" \
	cluster status -c "$T/empty.conf"
printf '[daemon]\nthis is not ini\n' >"$T/bad.conf"
t_rc_has cluster_status_conf_bad 1 "$T/bad.conf:2: syntax error" \
	cluster status -c "$T/bad.conf"
# no cluster.conf: the default path
if [ -e /run/efs/cluster.json ]; then
	skip cluster_status_default "/run/efs/cluster.json exists on this host"
else
	t_rc cluster_status_default 2 \
		"efsctl: cluster status: efs-clusterd is not running or writes no status file (/run/efs/cluster.json)" \
		cluster status -c "$T/none.conf"
fi

### errors ##################################################################

t_rc cluster_status_missing 2 \
	"efsctl: cluster status: efs-clusterd is not running or writes no status file ($T/gone.json)" \
	cluster status --status-file "$T/gone.json"
cp "$S" "$T/stale.json"
touch -d '-90 seconds' "$T/stale.json"
t_rc_has cluster_status_stale 3 \
	"$T/stale.json is 9" cluster status --status-file "$T/stale.json"
grep -q "s old: efs-clusterd has stopped writing it" "$T/err" &&
	pass cluster_status_stale_says || fail cluster_status_stale_says "$(cat "$T/err")"
touch -d '-3 hours' "$T/stale.json"
t_rc_has cluster_status_stale_min 3 "is 180 min old" \
	cluster status --json --status-file "$T/stale.json"
head -c 300 "$S" >"$T/cut.json"
t_rc_has cluster_status_truncated 1 \
	"$T/cut.json: malformed status: not JSON: line 1, column 301: " \
	cluster status --status-file "$T/cut.json"
sed 's/"Quorate":true/"Quorate":"yes"/' "$S" >"$T/type.json"
t_rc cluster_status_wrong_type 1 \
	"efsctl: cluster status: $T/type.json: malformed status: \"Quorate\" is a string, not a boolean" \
	cluster status --json --status-file "$T/type.json"
sed 's/"GrantedIops":30,//' "$S" >"$T/nokey.json"
t_rc cluster_status_no_key 1 \
	"efsctl: cluster status: $T/nokey.json: malformed status: FileSystems[0].Heads[1]: no \"GrantedIops\"" \
	cluster status --status-file "$T/nokey.json"
sed 's/"UsedIops":10,/"UsedIops":-10,/' "$S" >"$T/neg.json"
t_rc_has cluster_status_negative 1 '"UsedIops": -10 is not a count' \
	cluster status --status-file "$T/neg.json"
printf '[1,2]' >"$T/array.json"
t_rc_has cluster_status_not_object 1 "the document is an array" \
	cluster status --status-file "$T/array.json"
: >"$T/empty.json"
t_rc_has cluster_status_empty_file 1 "not JSON: line 1, column 1: expected a value" \
	cluster status --status-file "$T/empty.json"
t_rc_has cluster_status_dir 1 "not a regular file" \
	cluster status --status-file "$T"
t_rc cluster_status_extra_arg 1 "efsctl: cluster status: unexpected argument 'x'" \
	cluster status x
t_rc cluster_status_bad_option 1 "efsctl: cluster status: unknown option '--yaml'" \
	cluster status --yaml
t_rc cluster_status_c_no_value 1 "efsctl: cluster status: option '-c' needs a value" \
	cluster status -c
t_rc cluster_unknown 1 "efsctl: cluster: unknown command 'stats' (see efsctl cluster --help)" \
	cluster stats
run cluster status --help
[ "$rc" = 0 ] && grep -q '^Usage: efsctl cluster status \[--json\] \[--status-file FILE\] \[-c CONF\]$' "$T/out" &&
	pass cluster_status_help || fail cluster_status_help "exit $rc: $(cat "$T/out")"
run --help
grep -q '^  cluster status ' "$T/out" && pass cluster_global_help ||
	fail cluster_global_help "$(cat "$T/out")"

# an unprivileged user reads it (no netlink, no capability)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$T"
	chmod 644 "$S"
	if setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$EFSCTL" cluster status --json --status-file "$S" >"$T/out" 2>"$T/err"; then
		pass cluster_status_unprivileged
	else
		fail cluster_status_unprivileged "$(cat "$T/err")"
	fi
	chmod 700 "$T"
else
	skip cluster_status_unprivileged "not root (or no setpriv)"
fi

### metrics: the cluster's gauges ###########################################

if [ -z "$FAKE" ] || [ ! -f "$FAKE" ]; then
	skip cluster_metrics "no fake netlink library"
	exit $((failures > 0))
fi
fake() {
	env LD_PRELOAD="$FAKE" EFS_FAKE_STATE="$T/state" EFS_FAKE_LOG="$T/log" \
		"$EFSCTL" "$@"
}
mkdir -p "$T/srv"
fake fs add home "$T/srv" >/dev/null 2>&1
touch "$S"
fake metrics --cluster-status "$S" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -ne 0 ] || [ -s "$T/err" ]; then
	fail cluster_metrics "exit $rc: $(cat "$T/err")"
else
	out_has cluster_metrics \
		'^efs_iops_limit{fs="home",' \
		'^# TYPE efs_cluster_quorate gauge$' \
		'^efs_cluster_quorate{cluster="nfs-a"} 1$' \
		'^efs_cluster_members{cluster="nfs-a"} 3$' \
		'^efs_cluster_iops_limit{cluster="nfs-a",fs="shared"} 300$' \
		'^efs_cluster_granted_iops{cluster="nfs-a",fs="shared",node="1",node_name="head-a"} 270$' \
		'^efs_cluster_used_iops{cluster="nfs-a",fs="shared",node="2",node_name="head-b"} 10$' \
		'^efs_cluster_demand_iops{cluster="nfs-a",fs="shared",node="1",node_name="head-a"} 312$' \
		'^efs_cluster_granted_throughput_bytes_per_second{cluster="nfs-a",fs="shared",node="2",node_name="head-b"} 10485760$' \
		'^efs_cluster_used_throughput_bytes_per_second{cluster="nfs-a",fs="scratch",node="1",node_name="head-a"} 2048$' \
		'^efs_cluster_demand_throughput_bytes_per_second{cluster="nfs-a",fs="shared",node="1",node_name="head-a"} 1310720$' \
		'^efs_cluster_settings_agree{cluster="nfs-a",fs="shared",node="3",node_name="head-c"} 0$'
	# null (unlimited): no sample
	if grep -q 'permitted_throughput_bytes_per_second{cluster="nfs-a",fs="scratch"}' "$T/out" ||
	   grep -q 'granted_throughput_bytes_per_second{cluster="nfs-a",fs="scratch"' "$T/out"; then
		fail cluster_metrics_null "a sample for an unlimited value"
	else
		pass cluster_metrics_null
	fi
	dup=$(grep '^# TYPE efs_cluster_' "$T/out" | sort | uniq -d)
	[ -z "$dup" ] && pass cluster_metrics_types_once ||
		fail cluster_metrics_types_once "$dup"
	if command -v promtool >/dev/null; then
		promtool check metrics <"$T/out" >"$T/promtool" 2>&1 &&
			pass cluster_metrics_promtool ||
			fail cluster_metrics_promtool "$(cat "$T/promtool")"
	else
		skip cluster_metrics_promtool "promtool not installed"
	fi
fi
# no file: nothing more, no error
fake metrics --cluster-status "$T/gone.json" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$T/err" ] && ! grep -q efs_cluster_ "$T/out" &&
   grep -q '^efs_iops_limit{fs="home",' "$T/out"; then
	pass cluster_metrics_absent
else
	fail cluster_metrics_absent "exit $rc: $(cat "$T/err")"
fi
fake metrics --cluster-status none >"$T/out" 2>"$T/err"
[ "$?" = 0 ] && [ ! -s "$T/err" ] && ! grep -q efs_cluster_ "$T/out" &&
	pass cluster_metrics_none || fail cluster_metrics_none "$(cat "$T/err")"
# stale: left out, said once, exit 0
fake metrics --cluster-status "$T/stale.json" >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" = 0 ] && ! grep -q efs_cluster_ "$T/out" &&
   [ "$(wc -l <"$T/err")" = 1 ] &&
   grep -q "^efsctl: metrics: cluster series left out: $T/stale.json is 180 min old" "$T/err"; then
	pass cluster_metrics_stale
else
	fail cluster_metrics_stale "exit $rc: $(cat "$T/err")"
fi
fake metrics --cluster-status "$T/cut.json" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && grep -q "cluster series left out: .*malformed status" "$T/err" &&
	! grep -q efs_cluster_ "$T/out" &&
	pass cluster_metrics_malformed || fail cluster_metrics_malformed "exit $rc: $(cat "$T/err")"

exit $((failures > 0))
