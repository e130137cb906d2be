#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# efs-clusterd's command line: version, --check, exit codes, the netlink
# backend's start-up errors (with efsctl's fake module, if given), script
# errors, and a clean stop on SIGTERM without corosync. Prints PASS/FAIL
# lines; exits 1 on any FAIL.
#   tests/cli.sh ./efs-clusterd [tools/efsctl/tests/fakenl.so]
set -u
bin=$1
fake=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

check() { # NAME WANT_RC PATTERN CMD...
	name=$1 want=$2 pat=$3
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -q -- "$pat"; then
		echo "PASS clusterd_cli_$name"
	else
		echo "FAIL clusterd_cli_$name: rc $rc (want $want), output:"
		printf '%s\n' "$out" | head -5
		failed=1
	fi
}

printf '[cluster]\nname = t\nlease = 3s\nforget = 6s\n' >"$tmp/ok.conf"
printf '[cluster]\nleese = 3s\n' >"$tmp/bad.conf"
printf 'fs shared iops=300\nat 0 shared ops=100\n' >"$tmp/script"
printf 'fs shared iops=300\nat 0 other ops=100\n' >"$tmp/badscript"

check version 0 "efs-clusterd .* (protocol 1)" "$bin" --version
check help 0 "usage: efs-clusterd" "$bin" --help
check unknown_option 1 "usage" "$bin" --frobnicate
check extra_argument 1 "unexpected argument" "$bin" foo
check check_ok 0 "ok: cluster t, tick 200ms, lease 3000ms" "$bin" -c "$tmp/ok.conf" --check
check check_bad 1 "bad.conf:2: unknown key 'leese'" "$bin" -c "$tmp/bad.conf" --check
check missing_config 1 "No such file" "$bin" -c "$tmp/none.conf" --check
check bad_backend 1 "netlink or script:FILE" "$bin" -c "$tmp/ok.conf" -b dbus
if [ -n "$fake" ]; then
	check netlink_not_loaded 2 "efs.ko is not loaded" \
		env LD_PRELOAD="$fake" EFS_FAKE_STATE="$tmp/fake" \
		EFS_FAKE_NOFAMILY=1 "$bin" -c "$tmp/ok.conf" -b netlink
	check netlink_no_permission 2 "needs CAP_NET_ADMIN" \
		env LD_PRELOAD="$fake" EFS_FAKE_STATE="$tmp/fake" \
		EFS_FAKE_EPERM=1 "$bin" -c "$tmp/ok.conf" -b netlink
else
	echo "SKIP clusterd_cli_netlink: no fakenl.so given"
fi
check script_error 2 "badscript:2: at: filesystem other not declared" \
	"$bin" -c "$tmp/ok.conf" -b "script:$tmp/badscript"

# no corosync reachable (or one that is not ours): it keeps retrying, and
# stops cleanly on SIGTERM
# (under umask 077: the status file is readable by all all the same)
(umask 077; exec "$bin" -c "$tmp/ok.conf" -b "script:$tmp/script" \
	-r "$tmp/record" -s "$tmp/status.json") >"$tmp/log" 2>&1 &
pid=$!
sleep 1.5
kill -TERM "$pid"
wait "$pid"
rc=$?
if [ "$rc" = 0 ] && grep -q "stopping (signal 15)" "$tmp/log" &&
   grep -q '^start ' "$tmp/record" && grep -q '"Cluster":"t"' "$tmp/status.json"; then
	echo "PASS clusterd_cli_sigterm"
else
	echo "FAIL clusterd_cli_sigterm: rc $rc"
	head -5 "$tmp/log"
	failed=1
fi
mode=$(stat -c %a "$tmp/status.json" 2>/dev/null)
if [ "$mode" = 644 ]; then
	echo "PASS clusterd_cli_status_mode: the status file is mode 0644"
else
	echo "FAIL clusterd_cli_status_mode: mode '$mode', want 644"
	failed=1
fi
check check_status_default 0 "status file /run/efs/cluster.json" \
	"$bin" -c "$tmp/ok.conf" --check
check check_status_none 0 "status file none$" \
	"$bin" -c "$tmp/ok.conf" -s none --check
# a missing directory is made (efs-clusterd started without systemd)
"$bin" -c "$tmp/ok.conf" -b "script:$tmp/script" -s "$tmp/run/efs.json" \
	>"$tmp/log2" 2>&1 &
pid=$!
sleep 1.2
kill -TERM "$pid"
wait "$pid"
if [ -s "$tmp/run/efs.json" ]; then
	echo "PASS clusterd_cli_status_dir: the status file's directory is made"
else
	echo "FAIL clusterd_cli_status_dir: no $tmp/run/efs.json"
	head -5 "$tmp/log2"
	failed=1
fi
exit $failed
