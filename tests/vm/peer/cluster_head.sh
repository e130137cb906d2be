#!/bin/bash
# efs-vm: timeout=1200
#
# One NFS head of a two-head efs cluster in a VM guest (issue 26, end to
# end): knfsd exporting a tmpfs as filesystem "shared" with --scope
# cluster, efs.ko, corosync and efs-clusterd with the netlink backend.
#
# Run as a script, it is the peer guest's side of tests/vm/pair.sh for a
# scenario whose header says "# efs-pair: peer=cluster_head"
# (tests/vm/scenarios/cluster_pair.sh): like peer/serve.sh it attaches to
# the server's segment and runs the server's commands until peer_quit;
# the head_* functions below are then defined in that shell, so the server
# sets head 2 up with "peer_run head_up 2 ...". Sourced, it only defines
# the functions (the server guest is head 1).
#
# The heads' corosync: a two-node nodelist over the guests' link (head N
# at 10.99.0.N, the address of its client bridge, which holds the virtio
# NIC), knet, token 2000 ms (consensus 2400 ms: failure detection 4.4 s;
# with the host test's 1000 ms a TCG guest on a busy host lost the token
# every 20-60 s, its corosync "not scheduled" for 0.8-1.6 s), and votequorum with two_node: 1, which is what
# corosync documents for two nodes: each side stays quorate when the
# other goes, and two_node implies wait_for_all, so neither is quorate
# until both have been seen once (no head grants alone at start-up). A
# plain two-vote votequorum would make the survivor inquorate when the
# other node dies, and with it every renewal stop. (What a quorate
# survivor of a *partition* may do is votequorum's two_node matter: the
# lower node id wins a tie only with auto_tie_breaker; this test kills a
# daemon, not a corosync or a link.) corosync runs in the foreground in
# the background of this shell, its /etc/corosync a tmpfs copy bound over
# the read-only 9p root's, its state under /run/efs/corosync.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

HEAD_DIR=/run/efs/head
HEAD_CLUSTERD=$EFS_REPO/tools/efs-clusterd/efs-clusterd

# head_up N BUDGET [HEADS [SCOPE]]: knfsd with export /srv/shared (32 MiB
# of data), efs.ko, filesystem "shared" of SCOPE (default cluster) with an
# IOPS budget of BUDGET ops units/s, elastic (no byte budget), HEADS
# (default 2) heads assumed before the first grant; efsctl monitor --json
# to $EFS_OUT/events-hN.jsonl. SCOPE local: the naive design, every head
# enforcing the whole budget (cluster_naive).
head_up() {
	local n=$1 budget=$2 heads=${3:-2} scope=${4:-cluster}
	mkdir -p "$HEAD_DIR"
	echo "$n" >"$HEAD_DIR/id"
	nfsd_start 16 || return 1
	export_tmpfs shared 96M || return 1
	dd if=/dev/urandom of=/srv/shared/data bs=1M count=32 status=none || return 1
	efs_load || return 1
	$EFS_CTL monitor --json >"$EFS_OUT/events-h$n.jsonl" 2>"$EFS_OUT/monitor-h$n.err" &
	echo $! >"$HEAD_DIR/monitor.pid"
	local opts=(--scope "$scope")
	[ "$scope" = cluster ] && opts+=(--cluster-heads "$heads")
	$EFS_CTL fs add shared /srv/shared "${opts[@]}" \
		--iops-limit "$budget" --throughput-mode elastic || return 1
	log "head $n: shared at /srv/shared, budget $budget, $scope scope"
}

# head_corosync N PEERS: write corosync.conf (nodes 1..PEERS at
# 10.99.0.1..PEERS) and start corosync -f in the background; its log is
# $EFS_OUT/corosync-hN.log.
head_corosync() {
	local n=$1 peers=$2 j dir=$HEAD_DIR/corosync
	mkdir -p "$dir/etc" "$dir/state" /run/corosync
	{
		printf 'totem {\n\tversion: 2\n\tcluster_name: efspair\n\ttransport: knet\n'
		printf '\ttoken: 2000\n\ttoken_coefficient: 0\n'
		printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n}\n'
		printf 'nodelist {\n'
		for j in $(seq 1 "$peers"); do
			printf '\tnode {\n\t\tring0_addr: 10.99.0.%d\n\t\tnodeid: %d\n\t\tname: head%d\n\t}\n' "$j" "$j" "$j"
		done
		printf '}\nquorum {\n\tprovider: corosync_votequorum\n'
		[ "$peers" = 2 ] && printf '\ttwo_node: 1\n'
		printf '}\n'
		printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n\tto_logfile: no\n\ttimestamp: on\n}\n'
		printf 'system {\n\tstate_dir: %s\n}\n' "$dir/state"
	} >"$dir/etc/corosync.conf"
	# the 9p root is read-only: a writable /etc/corosync of our own
	_efs_mounted /etc/corosync || mount --bind "$dir/etc" /etc/corosync || return 1
	corosync -f >"$EFS_OUT/corosync-h$n.log" 2>&1 &
	echo $! >"$HEAD_DIR/corosync.pid"
	log "head $n: corosync started (pid $!)"
}

# head_quorate [SECONDS]: wait (default 90 s) until corosync says quorate.
head_quorate() {
	local end=$((SECONDS + ${1:-90}))
	while [ $SECONDS -lt $end ]; do
		corosync-quorumtool -s 2>/dev/null | grep -q 'Quorate: *Yes' && {
			log "corosync quorate: $(corosync-quorumtool -s 2>/dev/null | grep -E 'Nodes:|Flags:' | tr -s ' ' | paste -sd' ')"
			return 0
		}
		sleep 0.5
	done
	log "head_quorate: not quorate after ${1:-90}s" >&2
	corosync-quorumtool -s >&2
	return 1
}

# head_daemon N TICK LEASE FORGET: efs-clusterd with the netlink backend,
# cluster.conf with these timings (ms), status file /run/efs/cluster.json
# (efsctl cluster status reads it there), log $EFS_OUT/clusterd-hN.log.
head_daemon() {
	local n=$1 conf=$HEAD_DIR/cluster.conf
	printf '[cluster]\nname = efspair\ntick = %sms\nlease = %sms\nforget = %sms\non-partition = strict\n' \
		"$2" "$3" "$4" >"$conf"
	"$HEAD_CLUSTERD" -c "$conf" -n "head$n" -b netlink -s /run/efs/cluster.json \
		>>"$EFS_OUT/clusterd-h$n.log" 2>&1 &
	echo $! >"$HEAD_DIR/clusterd.pid"
	log "head $n: efs-clusterd started (pid $!)"
}

# head_synced HEADS [SECONDS]: wait (default 90 s) until this head's daemon
# is synced in a quorate group of HEADS members and its kernel holds a
# live grant of "shared".
head_synced() {
	local heads=$1 end=$((SECONDS + ${2:-90})) st=/run/efs/cluster.json
	while [ $SECONDS -lt $end ]; do
		if [ -s "$st" ] && jq -e --argjson h "$heads" \
			'.Synced and .Quorate and (.Members | length) == $h' "$st" >/dev/null 2>&1 &&
			[ "$(head_show GrantState)" = granted ]; then
			log "head synced: $(jq -c '{Round, Members: [.Members[].Name]}' "$st"), grant $(head_show GrantedIops)"
			return 0
		fi
		sleep 0.5
	done
	log "head_synced: not synced with $heads members and a grant after ${2:-90}s" >&2
	cat "$st" >&2
	$EFS_CTL fs show shared --json >&2
	return 1
}

# head_show FIELD: a field of efsctl fs show shared --json.
head_show() {
	$EFS_CTL fs show shared --json | jq -r ".FileSystems[0].$1"
}

# head_ms: this guest's clock, epoch ms (a builtin: no exec).
head_ms() {
	local t=${EPOCHREALTIME/./}
	echo "${t:0:-3}"
}

# head_grant_line: "T0 IopsLimit GrantedIops GrantState GrantExpiresInMs
# T1": the module's state, read between T0 and T1 (epoch ms). One exec
# (efsctl): a loaded TCG guest takes up to seconds for each.
head_grant_line() {
	local t0 j f out=''
	t0=$(head_ms)
	j=$($EFS_CTL fs show shared --json) || return 1
	for f in IopsLimit GrantedIops GrantState GrantExpiresInMs; do
		if [[ $j =~ \"$f\":\ *\"?([A-Za-z0-9-]+) ]]; then
			out+=" ${BASH_REMATCH[1]}"
		else
			out+=" ?"
		fi
	done
	echo "$t0$out $(head_ms)"
}

# head_clock: "OFFSET_MS ERROR_MS": this guest's clock minus the host's,
# from a file created on the 9p share (the host stamps its mtime); the
# best of 5 tries.
head_clock() {
	local f=$EFS_SHARE/clock.$$ t0 t1 m i best='' err
	for i in 1 2 3 4 5; do
		rm -f "$f"
		t0=$(head_ms)
		: >"$f"
		t1=$(head_ms)
		m=$(stat -c %.3Y "$f")
		err=$(((t1 - t0 + 1) / 2))
		if [ -z "$best" ] || [ "$err" -lt "${best#* }" ]; then
			best="$(((t0 + t1) / 2 - ${m/./})) $err"
		fi
	done
	rm -f "$f"
	echo "$best"
}

# head_nap SECONDS: sleep without an exec (read -t on a FIFO of our own,
# which nobody writes).
head_nap() {
	if [ -z "${HEAD_NAP_FD:-}" ]; then
		mkdir -p "$HEAD_DIR"
		[ -p "$HEAD_DIR/nap" ] || mkfifo "$HEAD_DIR/nap"
		exec {HEAD_NAP_FD}<>"$HEAD_DIR/nap"
	fi
	read -rt "$1" -u "$HEAD_NAP_FD"
	return 0
}

# head_at CMD [ARGS...]: print this guest's epoch ms, then run CMD.
head_at() {
	head_ms
	"$@"
}

# head_units: "IoUnits Timestamp(ns) EPOCH_MS" of shared (efs's ops units,
# the module's time of the counters, this guest's clock).
head_units() {
	local j t
	j=$($EFS_CTL fs stats shared --json) || return 1
	t=$(head_ms)
	echo "$(jq -r '"\(.IoUnits) \(.Timestamp)"' <<<"$j") $t"
}

# head_watch FILE MS: head_grant_line to FILE every 0.2 s or so for MS ms.
head_watch() {
	local end
	end=$(($(head_ms) + $2))
	while [ "$(head_ms)" -lt $end ]; do
		head_grant_line
		head_nap 0.2
	done >"$1" 2>&1
}

# head_kill_daemon WATCH_MS [FIO STOP_MS]: kill -9 efs-clusterd and print
# the epoch ms of the kill, also to $EFS_SHARE/killed.hN (the other head
# waits for that file). head_watch $EFS_OUT/grants-hN.txt runs in the
# background for WATCH_MS from just before it, and, if given, run_fio
# FIO is stopped STOP_MS after the kill (before the forget time sets the
# module at zero and its jobs wait on refused requests). The server does
# not have to reach this guest in time for any of it.
head_kill_daemon() {
	local pid n t
	read -r pid <"$HEAD_DIR/clusterd.pid"
	read -r n <"$HEAD_DIR/id"
	head_watch "$EFS_OUT/grants-h$n.txt" "$1" &
	sleep 0.5
	t=$(head_ms)
	kill -9 "$pid"
	echo "$t" >"$EFS_SHARE/killed.h$n"
	wait "$pid" 2>/dev/null
	echo "$t"
	if [ -n "${2:-}" ]; then
		(
			sleep "$(awk -v m="$3" 'BEGIN { print m / 1000 }')"
			fio_stop "$2"
		) >/dev/null 2>&1 &
	fi
	return 0
}

# head_down: stop efs-clusterd (if alive), corosync, the monitor; unload
# efs; stop knfsd. Returns 1 if efs would not unload.
head_down() {
	local f pid rc=0
	for f in clusterd corosync monitor; do
		[ -f "$HEAD_DIR/$f.pid" ] || continue
		read -r pid <"$HEAD_DIR/$f.pid"
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	efs_unload || rc=1
	nfsd_stop
	return $rc
}

# --- measuring: fio logs of one line per I/O, "EPOCH_MS, 1, ..." ---------
# (the scenarios' side: cluster_pair, cluster_naive)
# shellcheck disable=SC2034 # the scenarios that source this use it
LOGOPTS=(--log_unix_epoch=1)
figure() { # NAME VALUE: a line of $EFS_OUT/figures (tests/bench reads it)
	echo "$1 $2" >>"$EFS_OUT/figures"
}
fio_log() { # NAME: the I/O times of run_fio NAME's logs, sorted
	cat "$EFS_OUT/$1"_iops.*.log "$EFS_SHARE/$1"_iops.*.log 2>/dev/null |
		awk -F, '{ for (i = 0; i < $2; i++) print $1 }' | sort -n
}
# per_second T0 T1 [SHIFT]: I/Os in each whole second [T0 + k s, T0 + k+1 s)
# before T1 (stdin: times; SHIFT ms added to each first)
per_second() {
	awk -v a="$1" -v b="$2" -v s="${3:-0}" '{ t = $1 + s; if (t >= a && t < b) n[int((t - a) / 1000)]++ }
		END { for (k = 0; k < int((b - a) / 1000); k++) print n[k] + 0 }'
}
# first_reach T0 COUNT: the first I/O time >= T0 whose 1-s window (t - 1 s,
# t] holds >= COUNT I/Os (stdin: sorted times); empty if none
first_reach() {
	awk -v t0="$1" -v x="$2" 'BEGIN { n = 0; lo = 0 } { t[n++] = $1; while (t[lo] <= $1 - 1000) lo++
		if ($1 >= t0 && n - lo >= x) { print $1; exit } }'
}
stat_line() { # stdin: numbers -> "min max mean"
	awk 'NR == 1 { mn = mx = $1 } { s += $1; if ($1 < mn) mn = $1; if ($1 > mx) mx = $1 }
		END { printf "%d %d %.1f\n", mn, mx, NR ? s / NR : 0 }'
}
sleep_until() { # EPOCH_MS (this guest's clock)
	local d=$(($1 - $(head_ms)))
	[ $d -gt 0 ] && sleep "$(awk -v d=$d 'BEGIN { print d / 1000 }')"
	return 0
}

# both_busy JOBS: JOBS-job storms from head 1's client c1 (h1a, on
# /mnt/s1) and head 2's c2 (h2a, on /mnt/s2), then each head's admitted
# units/s (efs's counters) over 8 s from 4 s in. Sets BUSY_R1, BUSY_R2,
# BUSY_SUM and each head's window on its own clock, BUSY_W1 and BUSY_W2
# ("from to", epoch ms). Not in $( ): the storms' fio keep stdout open.
# shellcheck disable=SC2034 # BUSY_*: the scenarios' results
both_busy() {
	local u1a t1a w1a u2a t2a w2a u1b t1b w1b u2b t2b w2b
	storm_start c1 h1a /mnt/s1 "$1" --write_iops_log="$EFS_OUT/h1a" "${LOGOPTS[@]}" ||
		fail "fio on head 1"
	peer_run storm_start c2 h2a /mnt/s2 "$1" --write_iops_log="$EFS_SHARE/h2a" "${LOGOPTS[@]}" ||
		fail "fio on head 2"
	sleep 4
	read -r u1a t1a w1a <<<"$(head_units)"
	read -r u2a t2a w2a <<<"$(peer_run head_units)"
	sleep 8
	read -r u1b t1b w1b <<<"$(head_units)"
	read -r u2b t2b w2b <<<"$(peer_run head_units)"
	BUSY_R1=$(awk -v u=$((u1b - u1a)) -v t=$((t1b - t1a)) 'BEGIN { printf "%.1f", u * 1e9 / t }')
	BUSY_R2=$(awk -v u=$((u2b - u2a)) -v t=$((t2b - t2a)) 'BEGIN { printf "%.1f", u * 1e9 / t }')
	BUSY_SUM=$(awk -v a="$BUSY_R1" -v b="$BUSY_R2" 'BEGIN { printf "%.1f", a + b }')
	BUSY_W1="$w1a $w1b"
	BUSY_W2="$w2a $w2b"
}

# both_seconds OFFSET: "min max mean" of both heads' fio I/Os a second
# over head 1's busy window (BUSY_W1), head 2's times moved onto head 1's
# clock by OFFSET ms; writes $EFS_OUT/h1a.times and h2a.times.
both_seconds() {
	fio_log h1a >"$EFS_OUT/h1a.times"
	fio_log h2a >"$EFS_OUT/h2a.times"
	# shellcheck disable=SC2086 # the window: two words
	{ cat "$EFS_OUT/h1a.times"
	  awk -v o="$1" '{ printf "%.0f\n", $1 - o }' "$EFS_OUT/h2a.times"; } |
		per_second $BUSY_W1 | stat_line
}

# Sourced: the functions only. Run: the peer guest's command loop.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0
peer_attach "$EFS_PEER_BRIDGE_IP" || fail "peer_attach"
modprobe nfs
echo efs-head2 >/proc/sys/kernel/hostname
export EFS_OUT=$EFS_SHARE
# The clients of this head mount this head's knfsd.
export EFS_NFS_SERVER=$EFS_PEER_BRIDGE_IP
: >"$EFS_SHARE/peer.ready"
peer_serve
