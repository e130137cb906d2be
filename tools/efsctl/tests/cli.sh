#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command-line tests of efsctl: argv errors (which must fail before any
# netlink I/O), help, the "module not loaded" path, and -- through the
# LD_PRELOAD fake family in tests/fakenl.so -- the requests efsctl sends and
# how it prints replies, errors and events. No kernel module needed.
#
# usage: cli.sh EFSCTL [FAKENL_SO]
# Prints PASS/FAIL <name> per case (appended to $EFS_RESULTS if set).

EFSCTL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FAKE=${2:+$(cd "$(dirname "$2")" && pwd)/$(basename "$2")}
T=$(mktemp -d /tmp/efsctl-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
V=${EFSCTL_VERSION:-0.1.0}

# shellcheck source=tests/result.sh
. "$(dirname "$0")/result.sh"

# efsctl with the fake family; state and request log live in $T
fake() {
	env LD_PRELOAD="$FAKE" EFS_FAKE_STATE="$T/state" EFS_FAKE_LOG="$T/log" \
		"$EFSCTL" "$@"
}

# run_fake ARGS...: output in $T/out, $T/err, status in $rc
run_fake() {
	fake "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# t_err NAME STDERR ARGS...: must exit 1, print STDERR exactly, no stdout
t_err() {
	name=$1 want=$2
	shift 2
	run_fake "$@"
	got=$(cat "$T/err")
	if [ "$rc" -ne 1 ]; then
		fail "$name" "efsctl $*: exit $rc, want 1 (stderr: $got)"
	elif [ "$got" != "$want" ]; then
		fail "$name" "efsctl $*: stderr '$got', want '$want'"
	elif [ -s "$T/out" ]; then
		fail "$name" "efsctl $*: unexpected stdout: $(cat "$T/out")"
	else
		pass "$name"
	fi
}

# t_err_has NAME SUBSTRING ARGS...: exit 1, stderr contains SUBSTRING
t_err_has() {
	name=$1 want=$2
	shift 2
	run_fake "$@"
	if [ "$rc" -ne 1 ]; then
		fail "$name" "efsctl $*: exit $rc, want 1"
	elif ! grep -qF -- "$want" "$T/err"; then
		fail "$name" "efsctl $*: stderr '$(cat "$T/err")' lacks '$want'"
	else
		pass "$name"
	fi
}

# t_ok NAME ARGS...: exit 0, nothing on stderr
t_ok() {
	name=$1
	shift
	run_fake "$@"
	if [ "$rc" -ne 0 ] || [ -s "$T/err" ]; then
		fail "$name" "efsctl $*: exit $rc, stderr: $(cat "$T/err")"
		return 1
	fi
	pass "$name"
}

# log_has NAME PATTERN: the last request logged by the fake has PATTERN
log_has() {
	if tail -n 1 "$T/log" 2>/dev/null | grep -qE -- "$2"; then
		pass "$1"
	else
		fail "$1" "last request '$(tail -n 1 "$T/log" 2>/dev/null)' lacks /$2/"
	fi
}

# jq_ok NAME FILTER FILE: jq -e FILTER holds on FILE
jq_ok() {
	if jq -e "$2" "$3" >/dev/null 2>&1; then
		pass "$1"
	else
		fail "$1" "jq -e '$2' failed on: $(cat "$3")"
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

mkdir -p "$T/srv/home" "$T/srv/data"
: >"$T/file"

if [ -z "$FAKE" ] || [ ! -f "$FAKE" ]; then
	echo "cli.sh: no fake netlink library; argv tests run without it" >&2
	fake() { "$EFSCTL" "$@"; }
fi

### argv errors: rejected before any netlink I/O ###########################

t_err cli_unknown_option "efsctl: fs add: unknown option '--bogus'" \
	fs add home "$T/srv/home" --bogus
t_err cli_unknown_option_eq "efsctl: fs set: unknown option '--iops'" \
	fs set home --iops=5
t_err cli_unknown_short "efsctl: fs show: unknown option '-x'" fs show -x
t_err cli_missing_name "efsctl: fs add: missing NAME" fs add
t_err cli_missing_path "efsctl: fs add: missing PATH" fs add home
t_err cli_extra_arg "efsctl: fs add: unexpected argument 'extra'" \
	fs add home "$T/srv/home" extra
t_err cli_del_extra "efsctl: fs del: unexpected argument 'b'" fs del a b
t_err cli_del_missing "efsctl: fs del: missing NAME" fs del
t_err cli_set_missing "efsctl: fs set: missing NAME" fs set --iops-limit 5
t_err cli_stats_missing "efsctl: fs stats: missing NAME" fs stats
t_err cli_clients_missing "efsctl: fs clients: missing NAME" fs clients
t_err cli_clients_extra "efsctl: fs clients: unexpected argument 'b'" fs clients a b
t_err cli_clients_top "efsctl: fs clients: --top: invalid value 'x' (expected a count, 0 = all)" \
	fs clients a --top x
t_err cli_server_set_nothing "efsctl: server set: nothing to change (see efsctl server set --help)" \
	server set
t_err cli_server_set_bad "efsctl: server set: --max-waiting-threads: invalid value '65537' (expected 0..65536)" \
	server set --max-waiting-threads 65537
t_err cli_server_show_extra "efsctl: server show: unexpected argument 'x'" server show x
t_err cli_per_client_bad "efsctl: fs set: --per-client-throughput-in-mibps: invalid value 'x' (expected MiB/s, 0 = no ceiling, at most 1048576, or default)" \
	fs set a --per-client-throughput-in-mibps x
t_err cli_metrics_top "efsctl: metrics: --per-client-top: invalid value '0' (expected 1..1000)" \
	metrics --per-client-top 0
t_err cli_idle_zero "efsctl: fs set: --client-idle-seconds: invalid value '0' (expected 1..86400)" \
	fs set a --client-idle-seconds 0
t_err cli_show_extra "efsctl: fs show: unexpected argument 'b'" fs show a b
t_err cli_at_rest_bad "efsctl: fs add: --encryption-at-rest: invalid value 'yes' (expected optional or required)" \
	fs add a "$T/srv/home" --encryption-at-rest yes
# /proc is on no block device and has no fscrypt: never encrypted
t_err cli_at_rest_refused "efsctl: fs add: p: /proc is not encrypted at rest with AES-256 (found: not encrypted), which encryption-at-rest=required needs" \
	fs add p /proc --encryption-at-rest required
t_err cli_transit_bad "efsctl: fs add: --transit-encryption: invalid value 'yes' (expected optional or required)" \
	fs add a "$T/srv/home" --transit-encryption yes
t_err cli_transit_bad_set "efsctl: fs set: --transit-encryption: invalid value 'Required' (expected optional or required)" \
	fs set a --transit-encryption=Required
t_err cli_monitor_extra "efsctl: monitor: unexpected argument 'x'" monitor x
t_err cli_metrics_option "efsctl: metrics: unknown option '--json'" \
	metrics --json
t_err cli_version_extra "efsctl: version: unexpected argument 'x'" version x
t_err cli_missing_value "efsctl: fs set: option '--iops-limit' needs a value" \
	fs set home --iops-limit
t_err cli_flag_value "efsctl: fs show: option '--json' takes no value" \
	fs show --json=yes
t_err cli_duplicate "efsctl: fs set: option '--iops-limit' given more than once" \
	fs set home --iops-limit 1 --iops-limit=2
t_err cli_invalid_name \
	"efsctl: fs add: invalid name 'x/y': use 1-64 characters of A-Z a-z 0-9 . _ -" \
	fs add x/y "$T/srv/home"
long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
t_err cli_name_too_long \
	"efsctl: fs del: invalid name '$long': use 1-64 characters of A-Z a-z 0-9 . _ -" \
	fs del "$long"
t_err cli_name_empty \
	"efsctl: fs show: invalid name '': use 1-64 characters of A-Z a-z 0-9 . _ -" \
	fs show ""
t_err cli_path_missing "efsctl: fs add: $T/nope/x: No such file or directory" \
	fs add home "$T/nope/x"
t_err cli_path_not_dir "efsctl: fs add: $T/file: Not a directory" \
	fs add home "$T/file"
t_err cli_negative "efsctl: fs set: --iops-limit: invalid value '-5' (expected 0..100000000)" \
	fs set home --iops-limit -5
t_err cli_negative_eq "efsctl: fs set: --iops-limit: invalid value '-5' (expected 0..100000000)" \
	fs set home --iops-limit=-5
t_err cli_overflow "efsctl: fs set: --iops-limit: invalid value '18446744073709551616' (expected 0..100000000)" \
	fs set home --iops-limit 18446744073709551616
t_err cli_above_max "efsctl: fs set: --iops-limit: invalid value '100000001' (expected 0..100000000)" \
	fs set home --iops-limit 100000001
t_err cli_garbage "efsctl: fs add: --max-wait-ms: invalid value '10ms' (expected 0..60000)" \
	fs add home "$T/srv/home" --max-wait-ms 10ms
t_err cli_hex "efsctl: fs set: --max-waiters: invalid value '0x10' (expected 0..4096)" \
	fs set home --max-waiters 0x10
t_err cli_fraction "efsctl: fs set: --write-op-weight: invalid value '1.5' (expected 1..1000)" \
	fs set home --write-op-weight 1.5
t_err cli_weight_zero "efsctl: fs set: --write-op-weight: invalid value '0' (expected 1..1000)" \
	fs set home --write-op-weight 0
t_err cli_wait_max "efsctl: fs set: --max-wait-ms: invalid value '60001' (expected 0..60000)" \
	fs set home --max-wait-ms 60001
t_err cli_waiters_max "efsctl: fs set: --max-waiters: invalid value '4097' (expected 0..4096)" \
	fs set home --max-waiters 4097
t_err cli_ratio_zero "efsctl: fs set: --read-metering-ratio: invalid value '0' (expected 1..1000)" \
	fs set home --read-metering-ratio 0
t_err cli_sample_min "efsctl: fs set: --size-sample-interval-ms: invalid value '99' (expected 100..3600000)" \
	fs set home --size-sample-interval-ms 99
t_err cli_low_pct "efsctl: fs set: --credit-low-percent: invalid value '101' (expected 0..100)" \
	fs set home --credit-low-percent 101
t_err cli_mibps_low "efsctl: fs set: --provisioned-throughput-in-mibps: invalid value '0.5' (expected at least 1 MiB/s and at most 1048576 MiB/s)" \
	fs set home --provisioned-throughput-in-mibps 0.5
t_err_has cli_mibps_high "at least 1 MiB/s" \
	fs set home --provisioned-throughput-in-mibps 1048577
t_err_has cli_mibps_garbage "invalid value '2.5MiB'" \
	fs set home --provisioned-throughput-in-mibps 2.5MiB
t_err_has cli_mibps_negative "invalid value '-1'" \
	fs set home --provisioned-throughput-in-mibps -1
t_err cli_size_negative "efsctl: fs set: --metered-size: invalid value '-1' (expected auto or a size of at most 1 EiB, e.g. 100GiB)" \
	fs set home --metered-size -1
t_err cli_size_huge "efsctl: fs set: --burst-credit-balance: invalid value '2EiB' (expected a size of at most 1 EiB, e.g. 2.1TiB)" \
	fs set home --burst-credit-balance 2EiB
t_err_has cli_size_overflow "invalid value '99999999999999999999K'" \
	fs set home --burst-credit-balance 99999999999999999999K
t_err_has cli_size_suffix "invalid value '10KB'" \
	fs set home --metered-size 10KB
t_err cli_perf_mode "efsctl: fs add: --performance-mode: invalid value 'fast' (expected generalPurpose or maxIO)" \
	fs add home "$T/srv/home" --performance-mode fast
t_err cli_tp_mode "efsctl: fs set: --throughput-mode: invalid value 'turbo' (expected bursting, provisioned or elastic)" \
	fs set home --throughput-mode turbo
t_err cli_provisioned_needs_rate \
	"efsctl: fs add: provisioned throughput mode needs --provisioned-throughput-in-mibps" \
	fs add home "$T/srv/home" --throughput-mode provisioned
t_err_has cli_set_nothing "efsctl: fs set: nothing to change" fs set home
t_err_has cli_watch_zero "efsctl: fs stats: --watch: invalid value '0'" \
	fs stats home --watch 0
t_err_has cli_watch_garbage "efsctl: fs stats: --watch: invalid value 'x'" \
	fs stats home --watch x
t_err "cli_unknown_command" "efsctl: unknown command 'frob' (see efsctl --help)" frob
t_err "cli_unknown_fs_command" "efsctl: fs: unknown command 'frob' (see efsctl fs --help)" \
	fs frob
run_fake fs
if [ "$rc" -eq 1 ] && grep -q "efsctl: fs: missing command" "$T/err" &&
   grep -q "Usage: efsctl fs COMMAND" "$T/err"; then
	pass cli_fs_missing_command
else
	fail cli_fs_missing_command "exit $rc: $(cat "$T/err")"
fi
run_fake
if [ "$rc" -eq 1 ] && grep -q "^Usage: efsctl" "$T/err" && [ ! -s "$T/out" ]; then
	pass cli_no_arguments
else
	fail cli_no_arguments "exit $rc"
fi
# none of the above may have reached the kernel
if [ -e "$T/log" ]; then
	fail cli_nothing_sent "requests were sent: $(cat "$T/log")"
else
	pass cli_nothing_sent
fi

### help ##################################################################

for h in --help -h help; do
	run_fake $h
	if [ "$rc" -eq 0 ] && [ ! -s "$T/err" ] &&
	   grep -q "^Usage: efsctl COMMAND" "$T/out" &&
	   grep -q "^  fs " "$T/out" && grep -q "^  monitor " "$T/out" &&
	   grep -q "^  metrics " "$T/out" && grep -q "^  version " "$T/out" &&
	   grep -q "^  fs add " "$T/out" && grep -q "^  fs stats " "$T/out" &&
	   grep -q "Exit status" "$T/out"; then
		pass "cli_help_$h"
	else
		fail "cli_help_$h" "exit $rc: $(cat "$T/out" "$T/err")"
	fi
done
for cmd in "fs add" "fs set" "fs del" "fs show" "fs stats" monitor metrics \
	   version; do
	n=$(echo "$cmd" | tr ' ' _)
	# shellcheck disable=SC2086
	run_fake $cmd --help
	if [ "$rc" -eq 0 ] && [ ! -s "$T/err" ] &&
	   grep -q "^Usage: efsctl $cmd" "$T/out"; then
		pass "cli_help_$n"
	else
		fail "cli_help_$n" "exit $rc: $(cat "$T/out" "$T/err")"
	fi
done
run_fake fs add --help
ok=1
for s in "35000 units/s" "500000 units/s" "default 5" "(default 1000)" \
	 "the server-wide budget" "'default' (the default) = 500" "(default 60)" "(default bursting)" "(default 3)" \
	 "(default 30000)" "(default 10)" "KiB" "MiB/s" "--metered-size BYTES|auto" \
	 "--provisioned-throughput-in-mibps N" "--size-sample-interval-ms N" \
	 "--credit-low-percent N" "--read-metering-ratio N" \
	 "--burst-credit-balance BYTES" "--max-waiters N" "--max-wait-ms N" \
	 "--write-op-weight N" "--iops-limit N" "--read-iops-limit N" \
	 "--write-iops-limit N" "provisioned 55000" "elastic 250000" \
	 "bursting 7000" "elastic 50000"; do
	grep -qF -- "$s" "$T/out" || { ok=0; echo "  fs add --help lacks '$s'" >&2; }
done
[ $ok = 1 ] && pass cli_help_defaults || fail cli_help_defaults "see above"
run_fake fs --help
[ "$rc" -eq 0 ] && grep -q "^Usage: efsctl fs COMMAND" "$T/out" &&
	pass cli_help_fs || fail cli_help_fs "exit $rc"
run_fake help fs add
[ "$rc" -eq 0 ] && grep -q "^Usage: efsctl fs add NAME PATH" "$T/out" &&
	pass cli_help_help_fs_add || fail cli_help_help_fs_add "exit $rc"
run_fake fs add home --bogus --help
[ "$rc" -eq 0 ] && grep -q "^Usage: efsctl fs add" "$T/out" &&
	pass cli_help_wins || fail cli_help_wins "exit $rc"

### module not loaded ######################################################

if [ -d /sys/module/efs ]; then
	skip cli_version_not_loaded "the efs module is loaded here"
else
	"$EFSCTL" version >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 1 ] &&
	   [ "$(cat "$T/out")" = "efsctl $V" ] &&
	   [ "$(cat "$T/err")" = "efsctl: the efs module is not loaded (modprobe efs)" ]; then
		pass cli_version_not_loaded
	else
		fail cli_version_not_loaded "exit $rc, out '$(cat "$T/out")', err '$(cat "$T/err")'"
	fi
	"$EFSCTL" fs show >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 1 ] && [ ! -s "$T/out" ] &&
	   [ "$(cat "$T/err")" = "efsctl: the efs module is not loaded (modprobe efs)" ]; then
		pass cli_show_not_loaded
	else
		fail cli_show_not_loaded "exit $rc, err '$(cat "$T/err")'"
	fi
fi

if [ -z "$FAKE" ] || [ ! -f "$FAKE" ]; then
	echo "cli.sh: skipping tests with the fake family" >&2
	[ $failures -eq 0 ]
	exit
fi

### against the fake family ################################################

EFS_FAKE_NOFAMILY=1 run_fake version
[ "$rc" -eq 1 ] && [ "$(cat "$T/out")" = "efsctl $V" ] &&
	[ "$(cat "$T/err")" = "efsctl: the efs module is not loaded (modprobe efs)" ] &&
	pass fake_not_loaded || fail fake_not_loaded "exit $rc: $(cat "$T/err")"
export EFS_FAKE_NOFAMILY=0

if t_ok fake_version version; then
	want="efsctl $V
efs module 0.1.0-fake (features: perf-modes,throughput-modes,metrics,events,client-ceilings,client-stats,fair-queueing,thread-budget,back-pressure,at-rest-policy,state-restore,throttled-nice,bit20)"
	[ "$(cat "$T/out")" = "$want" ] && pass fake_version_text ||
		fail fake_version_text "got: $(cat "$T/out")"
fi
t_ok fake_version_json version --json &&
	jq_ok fake_version_json_doc '.Tool == "'"$V"'" and .Module == "0.1.0-fake" and
		.Features == ["perf-modes","throughput-modes","metrics","events",
			"client-ceilings","client-stats","fair-queueing","thread-budget",
			"back-pressure","at-rest-policy","state-restore","throttled-nice",
			"bit20"] and
		.NfsdHooked == true' "$T/out"

t_ok fake_show_empty fs show &&
	{ [ "$(cat "$T/out")" = "no filesystems" ] && pass fake_show_empty_text ||
		fail fake_show_empty_text "got: $(cat "$T/out")"; }
t_ok fake_show_empty_json fs show --json &&
	{ [ "$(jq -c . "$T/out")" = '{"FileSystems":[]}' ] && pass fake_show_empty_doc ||
		fail fake_show_empty_doc "got: $(cat "$T/out")"; }
t_ok fake_metrics_empty metrics &&
	{ grep -v '^#' "$T/out" | grep -q . && fail fake_metrics_empty_lines "samples without filesystems" ||
		pass fake_metrics_empty_lines; }

# add: quiet, path resolved, attributes with the protocol's widths
t_ok fake_add fs add home "$T/srv/data/../home/." \
	--throughput-mode=provisioned --provisioned-throughput-in-mibps 2.5 &&
	{ [ -s "$T/out" ] && fail fake_add_quiet "printed: $(cat "$T/out")" || pass fake_add_quiet; }
log_has fake_add_path "^cmd=2 6:str=home 7:str=$T/srv/home "
log_has fake_add_mibps " 14:u64=2621440( |$)"
log_has fake_add_tp_mode " 13:u32=1( |$)"
t_ok fake_add_options fs add --metered-size auto data "$T/srv/data" \
	--burst-credit-balance 2.1TiB --performance-mode maxIO --iops-limit=7000 \
	--write-op-weight 3 --max-wait-ms 0 --max-waiters 16 \
	--read-metering-ratio 1 --size-sample-interval-ms 100 \
	--credit-low-percent 0 --throughput-mode elastic
log_has fake_add_metered_auto " 15:u64=18446744073709551615( |$)"
log_has fake_add_balance " 16:u64=2308974418330( |$)"
log_has fake_add_u32s " 8:u32=1 9:u32=7000 10:u32=3 11:u32=0 12:u32=16 13:u32=2 "
log_has fake_add_u32s_more " 17:u32=1 18:u32=100 19:u32=0( |$)"
run_fake fs add x "$T/srv/home" -v
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "added filesystem x at $T/srv/home" ] &&
	pass fake_add_verbose || fail fake_add_verbose "exit $rc: $(cat "$T/out" "$T/err")"
t_err fake_add_exists "efsctl: fs add: home: a filesystem with this name exists" \
	fs add home "$T/srv/home"
EFS_FAKE_EPERM=1 t_err fake_eperm \
	"efsctl: fs add: Operation not permitted (need CAP_NET_ADMIN)" \
	fs add y "$T/srv/home"

# show
t_ok fake_show_json fs show --json &&
	jq_ok fake_show_json_doc '.FileSystems | length == 3 and
		(map(.Name) == ["data","home","x"])' "$T/out" &&
	jq_ok fake_show_json_home '.FileSystems[1] | .Path == "'"$T"'/srv/home" and
		.ThroughputMode == "provisioned" and
		.ProvisionedThroughputInMibps == 2.5 and
		.PerformanceMode == "generalPurpose" and .IopsLimit == 55000 and
		.ReadIopsLimit == 55000 and .WriteIopsLimit == 25000 and
		.ReadIopsLimitConfigured == 0 and .CombinedIopsLimit == 0 and
		.IopsLimitConfigured == 0 and .MeteredSize == "auto" and
		.SizeInBytes.Value == 123 and .WriteOpWeight == 5' "$T/out" &&
	jq_ok fake_show_json_data '.FileSystems[0] | .PerformanceMode == "maxIO" and
		.IopsLimit == 7000 and .IopsLimitConfigured == 7000 and
		.CombinedIopsLimit == 7000 and .ReadIopsLimit == 0 and
		.WriteIopsLimit == 0 and
		.ThroughputMode == "elastic" and .PermittedThroughput == 0 and
		.BurstCreditBalance == 2308974418330' "$T/out"
t_ok fake_show_one fs show home --json &&
	jq_ok fake_show_one_doc '.FileSystems | length == 1 and .[0].Name == "home"' "$T/out"
t_ok fake_show_text fs show home &&
	{ grep -q "^home$" "$T/out" && grep -q "2.1 TiB" "$T/out" &&
	  grep -q "provisioned throughput  2.5 MiB/s" "$T/out" &&
	  pass fake_show_text_content || fail fake_show_text_content "$(cat "$T/out")"; }
t_err fake_show_unknown "efsctl: fs show: nope: no filesystem with this name" fs show nope

# set: only what was given is sent; the kernel checks provisioned mode
t_ok fake_set fs set home --iops-limit=7000
log_has fake_set_sent "^cmd=3 6:str=home 9:u32=7000$"
run_fake fs show home --json
jq_ok fake_set_kept '.FileSystems[0] | .IopsLimitConfigured == 7000 and
	.ProvisionedThroughputInMibps == 2.5' "$T/out"
t_err fake_set_kernel_check "efsctl: fs set: x: provisioned throughput mode needs --provisioned-throughput-in-mibps (at least 1)" \
	fs set x --throughput-mode provisioned
log_has fake_set_kernel_check_sent "^cmd=3 6:str=x 13:u32=1$"
run_fake fs set x --provisioned-throughput-in-mibps 3
EFS_FAKE_WARN=1 run_fake fs set x --provisioned-throughput-in-mibps 3
[ "$rc" -eq 0 ] && [ "$(cat "$T/err")" = "efsctl: fs set: warning: rate kept for a later switch to provisioned mode" ] &&
	pass fake_set_warning || fail fake_set_warning "exit $rc: $(cat "$T/err")"
t_err fake_set_unknown "efsctl: fs set: nope: no filesystem with this name" \
	fs set nope --iops-limit 1

# stats
t_ok fake_stats fs stats home &&
	{ grep -q "^DataReadIOBytes  *[0-9.]* [KMGT]\{0,1\}i\{0,1\}B$" "$T/out" &&
	  grep -q "^PercentIOLimit  *12.34%$" "$T/out" &&
	  grep -q "^WaitHistogram  *<1ms:1 <2ms:2 <4ms:3 >=16384ms:4$" "$T/out" &&
	  pass fake_stats_text || fail fake_stats_text "$(cat "$T/out")"; }
t_ok fake_stats_json fs stats home --json &&
	jq_ok fake_stats_json_doc '.Name == "home" and .PercentIOLimit == 12.34 and
		.Throttling == true and (.WaitHistogram | length) == 16 and
		.WaitHistogram[15].LeMs == null and .ThrottledOperations == 10 and
		(.Timestamp | type) == "number" and (.DataReadIOBytes | type) == "number"' "$T/out"
t_err fake_stats_unknown "efsctl: fs stats: nope: no filesystem with this name" fs stats nope
timeout -s INT --preserve-status 2.6 env LD_PRELOAD="$FAKE" \
	EFS_FAKE_STATE="$T/state" "$EFSCTL" fs stats home --json --watch 1 \
	>"$T/out" 2>"$T/err"
rc=$?
lines=$(wc -l <"$T/out")
if [ "$rc" -eq 0 ] && [ "$lines" -ge 1 ] &&
   jq -se 'all(.[]; .Rates.DataReadOps > 900 and .Rates.DataReadOps < 1100 and
		.Rates.DataWriteOps == 0 and .ElapsedSeconds > 0.9)' "$T/out" >/dev/null; then
	pass fake_stats_watch_json
else
	fail fake_stats_watch_json "exit $rc, $lines lines: $(cat "$T/out" "$T/err")"
fi
timeout -s INT --preserve-status 1.6 env LD_PRELOAD="$FAKE" \
	EFS_FAKE_STATE="$T/state" "$EFSCTL" fs stats home --watch 1 \
	>"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "RATE" "$T/out" &&
   grep -q "^DataReadOps .*/s$" "$T/out"; then
	pass fake_stats_watch_text
else
	fail fake_stats_watch_text "exit $rc: $(cat "$T/out" "$T/err")"
fi

# metrics
t_ok fake_metrics metrics
ok=1
for m in efs_data_read_bytes_total efs_data_read_ops_total \
	 efs_data_write_bytes_total efs_data_write_ops_total \
	 efs_metadata_bytes_total efs_metadata_ops_total \
	 efs_total_io_bytes_total efs_metered_io_bytes_total \
	 efs_io_units_total efs_throttled_operations_total \
	 efs_throttle_delay_seconds_total efs_delay_replies_total \
	 efs_burst_credit_balance_bytes \
	 efs_permitted_throughput_bytes_per_second efs_percent_io_limit \
	 efs_client_connections efs_storage_bytes efs_iops_limit \
	 efs_tls_requests_total efs_plaintext_requests_refused_total \
	 efs_tls_client_connections \
	 efs_throttling efs_throttle_wait_seconds; do
	[ "$(grep -c "^# TYPE $m " "$T/out")" = 1 ] &&
	[ "$(grep -c "^# HELP $m " "$T/out")" = 1 ] ||
		{ ok=0; echo "  $m: HELP/TYPE not exactly once" >&2; }
done
grep -q '^efs_throttle_wait_seconds_bucket{fs="home",mode="generalPurpose",throughput_mode="provisioned",le="+Inf"} 10$' "$T/out" || ok=0
grep -q '^efs_throttle_delay_seconds_total{fs="home",mode="generalPurpose",throughput_mode="provisioned"} 1.5$' "$T/out" || ok=0
grep -q '^efs_iops_limit{fs="data",mode="maxIO",throughput_mode="elastic"} 7000$' "$T/out" || ok=0
grep -q '^efs_tls_requests_total{fs="home",mode="generalPurpose",throughput_mode="provisioned"} 40$' "$T/out" || ok=0
grep -q '^# TYPE efs_tls_client_connections gauge$' "$T/out" || ok=0
grep -q '^# TYPE efs_plaintext_requests_refused_total counter$' "$T/out" || ok=0
[ $ok = 1 ] && pass fake_metrics_content || fail fake_metrics_content "$(cat "$T/out")"
t_ok fake_metrics_clients metrics --per-client-top 1 &&
	out_has fake_metrics_clients_series \
		'^efs_client_ops_per_second{fs="home",client="10\.0\.0\.1"} 10$' \
		'^# TYPE efs_client_delay_replies_total counter$' &&
	{ grep -q 'client="10\.0\.0\.2"' "$T/out" &&
		fail fake_metrics_clients_top "more than the busiest client" ||
		pass fake_metrics_clients_top; }
# Without CAP_NET_ADMIN (the fake's EPERM, as the module's GENL_ADMIN_PERM
# on CLIENT_GET) the filesystem series stay, the client ones are left out,
# said once on stderr, exit 0: an unprivileged exporter keeps working.
EFS_FAKE_EPERM=1 run_fake metrics --per-client-top 1
if [ "$rc" -ne 0 ]; then
	fail fake_metrics_eperm "exit $rc, want 0: $(cat "$T/err")"
elif [ "$(cat "$T/err")" != "efsctl: metrics: per-client series left out: listing clients needs CAP_NET_ADMIN (run as root)" ]; then
	fail fake_metrics_eperm "stderr '$(cat "$T/err")'"
elif grep -q '^efs_client_\(ops\|metered\|throttled_operations\|delay\)' "$T/out" ||
     grep -q 'client="' "$T/out"; then
	fail fake_metrics_eperm "per-client series printed: $(grep 'client' "$T/out")"
elif ! grep -q '^efs_iops_limit{fs="data",mode="maxIO",throughput_mode="elastic"} 7000$' "$T/out"; then
	fail fake_metrics_eperm "filesystem series missing: $(cat "$T/out")"
else
	pass fake_metrics_eperm
fi
log_has fake_metrics_eperm_asked_once "^cmd=9 6:str=data$"

# encryption in transit: efsctl sends the policy (u8 attribute 79), the
# kernel decides; its refusal (no server-side TLS) reaches the user
t_ok fake_transit_add fs add secure "$T/srv/data" --transit-encryption required
log_has fake_transit_add_sent "^cmd=2 6:str=secure 7:str=$T/srv/data 79:u8=1$"
t_ok fake_transit_show fs show secure --json &&
	jq_ok fake_transit_show_doc '.FileSystems[0] |
		.TransitEncryptionPolicy == "required" and
		.EncryptionAtRestPolicy == "optional" and
		.TlsClientConnections == 1' "$T/out"
t_ok fake_transit_show_text fs show secure &&
	out_has fake_transit_show_text_content \
		"^  encryption in transit   required$" \
		"^  of them over TLS        1$"
t_ok fake_transit_conf fs show secure --format conf &&
	out_has fake_transit_conf_line "^transit-encryption = required$"
t_ok fake_transit_stats fs stats secure --json &&
	jq_ok fake_transit_stats_doc '.TlsRequests == 40 and
		.PlaintextRequestsRefused == 3 and .TlsClientConnections == 1' "$T/out"
t_ok fake_transit_stats_text fs stats secure &&
	out_has fake_transit_stats_text_content "^TlsRequests  *40$" \
		"^PlaintextRequestsRefused  *3$" "^TlsClientConnections  *1$"
t_ok fake_clients fs clients secure --json &&
	jq_ok fake_clients_tls '.FileSystem == "secure" and .ClientCount == 2 and
		(.Clients | map(.Address)) == ["10.0.0.1","10.0.0.2"] and
		.Clients[0].Tls == true and .Clients[0].TlsRequests == 100 and
		.Clients[0].PlaintextRequestsRefused == 0 and
		.Clients[1].Tls == false and .Clients[1].TlsRequests == 0 and
		.Clients[1].PlaintextRequestsRefused == 3 and
		.Clients[0].BackpressureSlots == 5 and
		.Clients[1].BackpressureSlots == 0' "$T/out"
t_ok fake_clients_text fs clients secure &&
	out_has fake_clients_text_columns "^CLIENT .*  HELD TLS  REFUSED  LAST SEEN$" \
		"^10\.0\.0\.1 .*     5 yes        0 " "^10\.0\.0\.2 .*     -  no        3 "
t_err fake_clients_unknown "efsctl: fs clients: nope: no filesystem with this name" \
	fs clients nope
# Listing clients needs CAP_NET_ADMIN (the module's GENL_ADMIN_PERM; the
# kernel answers EPERM before it looks the name up); the totals do not.
EFS_FAKE_EPERM=1 t_err fake_clients_eperm \
	"efsctl: fs clients: listing clients needs CAP_NET_ADMIN (run as root)" \
	fs clients secure --json
EFS_FAKE_EPERM=1 t_err fake_clients_eperm_unknown \
	"efsctl: fs clients: listing clients needs CAP_NET_ADMIN (run as root)" \
	fs clients nope
EFS_FAKE_EPERM=1 t_ok fake_clients_eperm_show fs show secure --json &&
	jq_ok fake_clients_eperm_count '.FileSystems[0].ClientConnections >= 0' "$T/out"
EFS_FAKE_EPERM=1 t_ok fake_clients_eperm_server server show --json &&
	jq_ok fake_clients_eperm_server_doc '.ClientEntries >= 0' "$T/out"
t_ok fake_server_tls server show --json &&
	jq_ok fake_server_tls_doc '.TlsSupported == true and
		.DisplacedRequests == 2 and .WaitingThreadsPeak == 3' "$T/out"
t_ok fake_server_peak_text server show &&
	out_has fake_server_peak_line \
		"^waiting threads peak  *3 (most at once since that bound)$"
EFS_FAKE_NOTLS=1 t_ok fake_server_notls server show --json &&
	jq_ok fake_server_notls_doc '.TlsSupported == false' "$T/out"
EFS_FAKE_NOTLS=1 t_ok fake_server_notls_text server show &&
	out_has fake_server_notls_text_line \
		"^server-side TLS  *no (transit-encryption = required is refused)$"
t_ok fake_transit_set fs set secure --transit-encryption optional
log_has fake_transit_set_sent "^cmd=3 6:str=secure 79:u8=0$"
run_fake fs show secure --json
jq_ok fake_transit_set_kept '.FileSystems[0].TransitEncryptionPolicy == "optional"' "$T/out"
EFS_FAKE_NOTLS=1 t_err fake_transit_refused \
	"efsctl: fs set: secure: transit-encryption required: this kernel has no server-side RPC-with-TLS (Linux 6.4 or later)" \
	fs set secure --transit-encryption required
EFS_FAKE_NOTLS=1 t_err fake_transit_add_refused \
	"efsctl: fs add: secure2: transit-encryption required: this kernel has no server-side RPC-with-TLS (Linux 6.4 or later)" \
	fs add secure2 "$T/srv/data" --transit-encryption=required
run_fake fs show --json
jq_ok fake_transit_refused_kept '(.FileSystems | map(.Name)) == ["data","home","secure","x"] and
	.FileSystems[2].TransitEncryptionPolicy == "optional"' "$T/out"
t_ok fake_transit_del fs del secure

# cluster scope and grants (issue 26)
t_ok fake_scope_add fs add shared "$T/srv/data" --scope cluster --cluster-heads 3 --iops-limit 300
run_fake fs show shared --json
jq_ok fake_scope_show '.FileSystems[0].Scope == "cluster" and
	.FileSystems[0].ClusterHeads == 3 and .FileSystems[0].GrantExpiresInMs == 0 and
	.FileSystems[0].GrantState == "pre-grant" and
	.FileSystems[0].GrantedIops == 0' "$T/out"
run_fake fs show home --json
jq_ok fake_scope_local '.FileSystems[0].Scope == "local" and
	(.FileSystems[0] | has("GrantedIops") | not)' "$T/out"
t_ok fake_grant fs grant shared --iops 240 --throughput-bytes 64MiB --lease-ms 60000 --heads 2
log_has fake_grant_sent "^cmd=10 6:str=shared 91:u64=240 92:u64=67108864 93:u32=60000 94:u32=2$"
run_fake fs show shared --json
jq_ok fake_grant_show '.FileSystems[0].GrantedIops == 240 and
	.FileSystems[0].GrantedThroughput == 67108864 and .FileSystems[0].ClusterHeads == 2 and
	.FileSystems[0].GrantExpiresInMs > 50000 and .FileSystems[0].GrantState == "granted"' "$T/out"
run_fake fs show shared
out_has fake_grant_text "^  granted iops            240 units/s$"
out_has fake_scope_text "^  scope                   cluster$"
t_err fake_grant_local \
	"efsctl: fs grant: home: not a cluster filesystem: grants are for scope cluster (fs set --scope cluster)" \
	fs grant home --iops 1 --throughput-bytes 1 --lease-ms 1000 --heads 2
t_err fake_grant_missing "efsctl: fs grant: a grant needs --iops, --throughput-bytes, --lease-ms and --heads" \
	fs grant shared --iops 1
t_err fake_grant_bad_lease "efsctl: fs grant: --lease-ms: invalid value '0' (expected 1..600000)" \
	fs grant shared --iops 1 --throughput-bytes 1 --lease-ms 0 --heads 2
t_ok fake_grant_forget fs grant shared --iops 240 --throughput-bytes 1 --lease-ms 60000 --heads 2 --forget-ms 120000
log_has fake_grant_forget_sent " 94:u32=2 96:u32=120000$"
t_err fake_grant_bad_forget "efsctl: fs grant: --forget-ms: invalid value '10' (expected 0 or --lease-ms..3600000)" \
	fs grant shared --iops 1 --throughput-bytes 1 --lease-ms 1000 --heads 2 --forget-ms 10
t_err fake_grant_bad_heads "efsctl: fs grant: --heads: invalid value '2000' (expected 1..1024)" \
	fs grant shared --iops 1 --throughput-bytes 1 --lease-ms 10 --heads 2000
EFS_FAKE_EPERM=1 t_err fake_grant_eperm "efsctl: fs grant: Operation not permitted (need CAP_NET_ADMIN)" \
	fs grant shared --iops 1 --throughput-bytes 1 --lease-ms 10 --heads 2
t_err fake_scope_bad "efsctl: fs set: --scope: invalid value 'global' (expected local or cluster)" \
	fs set shared --scope global
t_ok fake_scope_del fs del shared

# EFS's read and write IOPS limits (issue 27): options, defaults by mode
t_ok fake_rw_add fs add rw "$T/srv/data" --read-iops-limit 100 --write-iops-limit 40
log_has fake_rw_add_sent " 98:u32=100 99:u32=40$"
run_fake fs show rw --json
jq_ok fake_rw_show '.FileSystems[0] | .ReadIopsLimit == 100 and
	.WriteIopsLimit == 40 and .ReadIopsLimitConfigured == 100 and
	.WriteIopsLimitConfigured == 40 and .CombinedIopsLimit == 0 and
	.IopsLimit == 100 and .IopsLimitConfigured == 0' "$T/out"
run_fake fs show rw
out_has fake_rw_text "^  read iops limit         100 ops/s$" \
	"^  write iops limit        40 ops/s$" \
	"^  combined iops limit     none (--iops-limit not set)$"
# back to the mode's defaults; they follow the throughput mode
t_ok fake_rw_default fs set rw --read-iops-limit 0 --write-iops-limit=0 --throughput-mode elastic
log_has fake_rw_default_sent "^cmd=3 6:str=rw 13:u32=2 98:u32=0 99:u32=0$"
run_fake fs show rw --json
jq_ok fake_rw_elastic '.FileSystems[0] | .ReadIopsLimit == 250000 and
	.WriteIopsLimit == 50000 and .ReadIopsLimitConfigured == 0 and
	.IopsLimit == 250000' "$T/out"
run_fake fs show rw
out_has fake_rw_elastic_text "^  read iops limit         250000 ops/s (elastic default)$" \
	"^  write iops limit        50000 ops/s (elastic default)$"
# the older model on top: IopsLimit is the lower of the two
t_ok fake_rw_combined fs set rw --iops-limit 300
run_fake fs show rw --json
jq_ok fake_rw_combined_show '.FileSystems[0] | .CombinedIopsLimit == 300 and
	.IopsLimitConfigured == 300 and .IopsLimit == 300 and
	.ReadIopsLimit == 250000' "$T/out"
t_ok fake_rw_maxio fs set rw --performance-mode maxIO --iops-limit 0
run_fake fs show rw --json
jq_ok fake_rw_maxio_show '.FileSystems[0] | .ReadIopsLimit == 0 and
	.WriteIopsLimit == 0 and .CombinedIopsLimit == 500000 and
	.IopsLimit == 500000' "$T/out"
run_fake fs show rw
out_has fake_rw_maxio_text "^  read iops limit         none (maxIO: its combined budget applies)$"
# above EFS's highest: refused by efsctl, nothing sent, nothing changed
t_err fake_rw_read_max "efsctl: fs set: --read-iops-limit: invalid value '2500001' (expected 0..2500000 read ops/s, EFS's highest; 0 = the throughput mode's default)" \
	fs set rw --read-iops-limit 2500001
t_err fake_rw_write_max "efsctl: fs add: --write-iops-limit: invalid value '500001' (expected 0..500000 write ops/s, EFS's highest; 0 = the throughput mode's default)" \
	fs add rw2 "$T/srv/home" --write-iops-limit 500001
t_err fake_rw_write_neg "efsctl: fs set: --write-iops-limit: invalid value '-1' (expected 0..500000 write ops/s, EFS's highest; 0 = the throughput mode's default)" \
	fs set rw --write-iops-limit -1
run_fake fs show --json
jq_ok fake_rw_refused_kept '(.FileSystems | map(.Name) | index("rw2") | not) and
	(.FileSystems[] | select(.Name == "rw") | .ReadIopsLimitConfigured == 0 and
	 .WriteIopsLimitConfigured == 0)' "$T/out"
t_ok fake_rw_highest fs set rw --read-iops-limit 2500000 --write-iops-limit 500000
run_fake fs show rw --json
jq_ok fake_rw_highest_show '.FileSystems[0] | .ReadIopsLimit == 2500000 and
	.WriteIopsLimit == 500000' "$T/out"
# a module before them: no read/write lines, IopsLimit the combined one
EFS_FAKE_NO_RW_IOPS=1 run_fake fs show rw --json
jq_ok fake_rw_old_module '.FileSystems[0] | .IopsLimit == 500000 and
	(has("ReadIopsLimit") | not)' "$T/out"
# a fresh filesystem per throughput mode shows that mode's defaults
for m in bursting:35000:7000 provisioned:55000:25000 elastic:250000:50000; do
	IFS=: read -r mode r w <<EOF2
$m
EOF2
	extra=
	[ "$mode" = provisioned ] && extra="--provisioned-throughput-in-mibps 1"
	# shellcheck disable=SC2086
	t_ok "fake_rw_mode_$mode" fs add "rw-$mode" "$T/srv/home" --throughput-mode "$mode" $extra
	run_fake fs show "rw-$mode" --json
	jq_ok "fake_rw_mode_${mode}_show" ".FileSystems[0] | .ReadIopsLimit == $r and
		.WriteIopsLimit == $w and .ReadIopsLimitConfigured == 0 and
		.WriteIopsLimitConfigured == 0 and .IopsLimit == $r and
		.CombinedIopsLimit == 0" "$T/out"
	t_ok "fake_rw_mode_${mode}_del" fs del "rw-$mode"
done
# efs.conf and the state file carry them
run_fake fs show rw --format conf
out_has fake_rw_conf "^read-iops-limit = 2500000$" "^write-iops-limit = 500000$"
t_ok fake_rw_del fs del rw

# monitor
for sig in INT TERM; do
	EFS_FAKE_EVENTS=1 timeout -s $sig --preserve-status 1 env \
		LD_PRELOAD="$FAKE" EFS_FAKE_STATE="$T/state" "$EFSCTL" monitor \
		>"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 11 ] &&
	   grep -qx "2026-11-23T12:00:06.123Z home throttle-start value=46" "$T/out" &&
	   grep -qx "2026-11-23T12:00:08.123Z home lease-expired value=48" "$T/out" &&
	   grep -qx "2026-11-23T12:00:10.123Z home cluster-heads value=50" "$T/out" &&
	   grep -qx "2026-11-23T12:00:11.123Z home grant-changed value=51" "$T/out" &&
	   grep -qx "2026-11-23T12:00:01.123Z home fs-added" "$T/out"; then
		pass "fake_monitor_sig$sig"
	else
		fail "fake_monitor_sig$sig" "exit $rc: $(cat "$T/out" "$T/err")"
	fi
done
EFS_FAKE_EVENTS=1 timeout -s INT --preserve-status 1 env LD_PRELOAD="$FAKE" \
	EFS_FAKE_STATE="$T/state" "$EFSCTL" monitor --json >"$T/out" 2>"$T/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 11 ] &&
   jq -se 'map(.Event) == ["FileSystemAdded","FileSystemChanged",
	"FileSystemRemoved","CreditsLow","CreditsExhausted","ThrottleStart",
	"ThrottleStop","LeaseExpired","LeaseForgotten","ClusterHeads",
	"GrantChanged"] and .[5].Value == 46 and .[5].FileSystem == "home" and
	.[5].Time == "2026-11-23T12:00:06.123Z"' "$T/out" >/dev/null; then
	pass fake_monitor_json
else
	fail fake_monitor_json "exit $rc: $(cat "$T/out" "$T/err")"
fi

# del
t_err fake_del_unknown "efsctl: fs del: nope: no filesystem with this name" fs del nope
EFS_FAKE_NOEXTACK=1 t_err fake_del_unknown_errno \
	"efsctl: fs del: nope: No such file or directory" fs del nope
t_ok fake_del fs del home && { [ -s "$T/out" ] && fail fake_del_quiet "printed" || pass fake_del_quiet; }
log_has fake_del_sent "^cmd=4 6:str=home$"
run_fake fs del data -v
[ "$rc" -eq 0 ] && [ "$(cat "$T/out")" = "removed filesystem data" ] &&
	pass fake_del_verbose || fail fake_del_verbose "exit $rc: $(cat "$T/out")"
run_fake fs show --json
jq_ok fake_del_gone '.FileSystems | map(.Name) == ["x"]' "$T/out"

# tls setup: the certificates (openssl) and tlshd's configuration; argv
# errors first (nothing written)
t_err cli_tls_bad_name "efsctl: tls setup: --name: 'a b' is neither a DNS name nor an IP address" \
	tls setup --dir "$T/tls" --config "$T/tlshd.conf" --name 'a b'
t_err cli_tls_bad_days "efsctl: tls setup: --days: invalid value '0' (expected 1..36500)" \
	tls setup --days 0
t_err cli_tls_cert_alone "efsctl: tls setup: --cert and --key go together" \
	tls setup --cert /etc/hostname
t_err cli_tls_ca_alone "efsctl: tls setup: --ca goes with --cert (without them setup makes its own CA)" \
	tls setup --ca /etc/hostname
t_err cli_tls_unknown "efsctl: tls setup: unknown option '--bogus'" tls setup --bogus
t_err cli_tls_status_extra "efsctl: tls status: unexpected argument 'x'" tls status x
t_err cli_tls_unknown_cmd "efsctl: tls: unknown command 'start' (see efsctl tls --help)" tls start
[ -e "$T/tls" ] || [ -e "$T/tlshd.conf" ] && fail cli_tls_nothing_written "files written" ||
	pass cli_tls_nothing_written
if command -v openssl >/dev/null; then
	"$EFSCTL" tls setup --dir "$T/tls" --config "$T/tlshd.conf" \
		--name nfs.example,10.99.0.1 --days 30 >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 0 ] && openssl verify -CAfile "$T/tls/ca.pem" "$T/tls/server.pem" >/dev/null &&
	   openssl x509 -in "$T/tls/server.pem" -noout -ext subjectAltName |
		grep -q 'DNS:nfs.example, IP Address:10.99.0.1' &&
	   [ "$(stat -c %a "$T/tls/server.key")" = 600 ] &&
	   [ "$(stat -c %a "$T/tls/ca.key")" = 600 ] &&
	   grep -qx "x509.certificate=$T/tls/server.pem" "$T/tlshd.conf" &&
	   grep -qx "x509.private_key=$T/tls/server.key" "$T/tlshd.conf" &&
	   [ "$(grep -c "^x509.truststore=$T/tls/ca.pem$" "$T/tlshd.conf")" = 2 ] &&
	   grep -q 'mount -t efs -o tls nfs.example:/PATH /mnt' "$T/out"; then
		pass cli_tls_setup
	else
		fail cli_tls_setup "exit $rc: $(cat "$T/out" "$T/err" "$T/tlshd.conf")"
	fi
	t_err cli_tls_setup_exists "efsctl: tls setup: $T/tlshd.conf exists (--force replaces it)" \
		tls setup --dir "$T/tls" --config "$T/tlshd.conf"
	t_err cli_tls_setup_certs_exist "efsctl: tls setup: $T/tls/ca.pem exists (--force replaces it)" \
		tls setup --dir "$T/tls" --config "$T/other.conf"
	"$EFSCTL" tls setup --cert "$T/tls/server.pem" --key "$T/tls/server.key" \
		--ca "$T/tls/ca.pem" --config "$T/tlshd.conf" --force >"$T/out" 2>"$T/err" &&
		grep -qx "x509.certificate=$T/tls/server.pem" "$T/tlshd.conf" &&
		pass cli_tls_setup_given || fail cli_tls_setup_given "$(cat "$T/out" "$T/err")"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/other.key" -out "$T/other.pem" -subj /CN=other -days 1 2>/dev/null
	t_err_has cli_tls_setup_unverified "--cert does not verify against --ca" \
		tls setup --cert "$T/tls/server.pem" --key "$T/tls/server.key" \
		--ca "$T/other.pem" --config "$T/x.conf"
else
	skip cli_tls_setup "openssl not installed"
fi
# tls status on this host (no fake: it asks the kernel's genl controller):
# 0, 2 or 3, and valid JSON either way
"$EFSCTL" tls status --json >"$T/out" 2>"$T/err"
rc=$?
case $rc in
0 | 2 | 3) jq_ok cli_tls_status_json '(.ServerTls | type) == "boolean" and (.Exports | type) == "array" and ((.ServerTls | not) == ('"$rc"' == 2))' "$T/out" ;;
*) fail cli_tls_status_json "exit $rc: $(cat "$T/err")" ;;
esac

[ $failures -eq 0 ]
