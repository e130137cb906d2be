# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Heads on the host, shared by tests/cluster/host.sh (the test) and
# tests/bench/cluster_host.sh (the benchmark): N heads, each a
# `corosync -f` in its own network namespace (a private mount namespace for
# its /run and /etc/corosync) plus an efs-clusterd with the script backend
# (an in-process stand-in for efs.ko that replays a demand and records the
# grants it gets). The namespaces hang off a bridge in a namespace of its
# own: nothing changes in the host's network. Everything lives under a temp
# directory and is torn down on exit.
#
# The caller sets N (heads), LABEL (names the run in messages), keep (1:
# keep the temp directory), TICK_MS, LEASE_MS, FORGET_MS, and defines
# fail_early MESSAGE (prints its verdict and exits non-zero); it sets
# failed=0 once the run got through (until then its directory is kept).
# Order of use:
#   cluster_prereqs; cluster_init PREFIX; cluster_network; cluster_corosync_conf
#   start_corosync I ...; cluster_wait_quorate
#   E=<time 0 of the timeline, ms>; T/n<I>/script; write_cluster_conf I; start_daemon I
#   at MS; head_in_group I; status I FIELD; members I; log_action WHAT...

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
daemon=$repo/tools/efs-clusterd/efs-clusterd
declare -A coro_pid daemon_pid

cluster_prereqs() {
	local c
	[ "$(id -u)" = 0 ] || fail_early "needs root: network namespaces"
	for c in corosync corosync-quorumtool ip unshare python3; do
		command -v "$c" >/dev/null || fail_early "$c not installed: make deps"
	done
	if [ ! -x "$daemon" ]; then
		make -s -C "$repo/tools/efs-clusterd" efs-clusterd >/dev/null ||
			fail_early "cannot build efs-clusterd"
	fi
}

cluster_init() { # PREFIX: the temp directory's name
	T=$(mktemp -d "/tmp/$1.XXXXXX")
	TAG=efsc$$
	BR=$TAG-br
	trap cluster_cleanup EXIT
	trap 'exit 130' INT TERM
}

# shellcheck disable=SC2317  # called by the EXIT trap
cluster_cleanup() {
	local p i
	for p in "${coro_pid[@]}" "${daemon_pid[@]}"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for i in $(seq 1 "$N"); do ip netns del "$TAG-n$i" 2>/dev/null; done
	ip netns del "$BR" 2>/dev/null
	if [ "${keep:-0}" = 1 ] || [ "${failed:-1}" != 0 ]; then
		echo "$LABEL: logs and records in $T"
	else
		rm -rf "$T"
	fi
}

now_us() { date +%s%6N; }
log_action() { echo "$(now_us) $*" >>"$T/actions.log"; }

# a bridge in its own namespace, one veth per head: 10.250.0.I
cluster_network() {
	local i ns
	ip netns add "$BR" || fail_early "ip netns add"
	ip -n "$BR" link add br0 type bridge
	ip -n "$BR" link set br0 up
	for i in $(seq 1 "$N"); do
		ns=$TAG-n$i
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		ip -n "$ns" link add eth0 type veth peer name "p$i" netns "$BR"
		ip -n "$BR" link set "p$i" master br0 up
		ip -n "$ns" addr add "10.250.0.$i/24" dev eth0
		ip -n "$ns" link set eth0 up
	done
}

# token 1000 ms (+ consensus 1200 ms): a node or link failure is seen 2.2 s on
cluster_corosync_conf() {
	local i j
	for i in $(seq 1 "$N"); do
		mkdir -p "$T/n$i/etc" "$T/n$i/state"
		{
			printf 'totem {\n\tversion: 2\n\tcluster_name: efstest\n\ttransport: knet\n'
			printf '\ttoken: 1000\n\ttoken_coefficient: 0\n'
			printf '\tcrypto_cipher: none\n\tcrypto_hash: none\n}\n'
			printf 'nodelist {\n'
			for j in $(seq 1 "$N"); do
				printf '\tnode {\n\t\tring0_addr: 10.250.0.%d\n\t\tnodeid: %d\n\t\tname: n%d\n\t}\n' "$j" "$j" "$j"
			done
			printf '}\nquorum {\n\tprovider: corosync_votequorum\n}\n'
			printf 'logging {\n\tto_stderr: yes\n\tto_syslog: no\n\tto_logfile: no\n\ttimestamp: on\n}\n'
			printf 'system {\n\tstate_dir: %s\n}\n' "$T/n$i/state"
		} >"$T/n$i/etc/corosync.conf"
	done
}

start_corosync() { # I
	local i=$1
	ip netns exec "$TAG-n$i" unshare -m sh -c \
		"mount -t tmpfs t /run && mkdir -p /run/corosync && mount --bind $T/n$i/etc /etc/corosync && exec corosync -f" \
		>>"$T/n$i/corosync.log" 2>&1 &
	coro_pid[$i]=$!
}

quorate() { # is head 1's corosync quorate?
	ip netns exec "$TAG-n1" corosync-quorumtool -s 2>/dev/null | grep -q 'Quorate: *Yes'
}
cluster_wait_quorate() {
	local _
	for _ in $(seq 1 40); do
		quorate && return
		sleep 0.5
	done
	quorate || fail_early "corosync did not become quorate"
}

# cluster_up PREFIX: the temp directory, the network, corosync.conf, and
# every head's corosync (N), quorate.
cluster_up() {
	local i
	cluster_init "$1"
	cluster_network
	cluster_corosync_conf
	for i in $(seq 1 "$N"); do start_corosync "$i"; done
	cluster_wait_quorate
}

write_cluster_conf() { # I
	printf '[cluster]\nname = hosttest\ntick = %dms\nlease = %dms\nforget = %dms\non-partition = strict\n' \
		"$TICK_MS" "$LEASE_MS" "$FORGET_MS" >"$T/n$1/cluster.conf"
}

start_daemon() { # I
	local i=$1
	ip netns exec "$TAG-n$i" "$daemon" -c "$T/n$i/cluster.conf" -n "n$i" \
		-b "script:$T/n$i/script" -r "$T/n$i/record" \
		-s "$T/n$i/status.json" >>"$T/n$i/daemon.log" 2>&1 &
	daemon_pid[$i]=$!
}

# the status file is one line of JSON; grep is enough (and fast: python's
# start-up costs seconds on a machine busy with VM tests)
status() { # I FIELD: a top-level scalar of head I's status file
	grep -o "\"$2\":[a-z0-9]*" "$T/n$1/status.json" 2>/dev/null | head -1 | cut -d: -f2
}
members() { # I: how many members head I sees
	sed -n 's/.*"Members":\[\([^]]*\)\].*/\1/p' "$T/n$1/status.json" 2>/dev/null |
		grep -o '"NodeId"' | wc -l
}
head_in_group() { # I: head I synced, in a group of all N heads
	[ "$(status "$1" Synced)" = true ] && [ "$(members "$1")" = "$N" ]
}

at() { # MS: sleep until time MS of the timeline (E, in ms)
	local now d
	now=$(date +%s%3N)
	d=$(( E + $1 - now ))
	[ "$d" -gt 0 ] && sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
}
