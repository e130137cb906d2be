# shellcheck shell=bash
# A peer guest: client namespaces on another qemu, for measurements where
# the clients must not share the server's vCPUs (tests/vm/pair.sh starts
# both guests). Sourced by lib.sh.
#
# The two guests are one Ethernet segment: each has a virtio NIC joined by
# qemu's socket netdev, enslaved to its $EFS_BRIDGE, so a netns_client on
# the peer (bridge address 10.99.0.2) reaches the server at $EFS_SERVER_IP
# exactly as one on the server does. Client addresses must differ across
# the two guests. Control goes through a 9p share both guests mount at
# $EFS_SHARE: the server writes numbered commands, the peer runs them in
# one long-lived shell (so storm_start's background fio stays its child)
# and writes back the status; fio results land in the share.

export EFS_SHARE=/run/efs/share
export EFS_PEER_BRIDGE_IP=10.99.0.2

# peer_present: 0 in a guest started by pair.sh (it sets EFS_PEER).
peer_present() {
	[ -n "${EFS_PEER:-}" ]
}

# peer_attach BRIDGE_IP: the virtio NIC into the client bridge (made with
# address BRIDGE_IP if it is not there yet), the share mounted.
peer_attach() {
	local ip=$1 nic='' d
	modprobe virtio_net && modprobe bridge && modprobe veth || return 1
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink "$d/device/driver" 2>/dev/null)")" = virtio_net ] && nic=${d##*/}
	done
	[ -n "$nic" ] || { log "peer_attach: no virtio NIC" >&2; return 1; }
	if ! ip link show "$EFS_BRIDGE" >/dev/null 2>&1; then
		ip link add "$EFS_BRIDGE" type bridge || return 1
		ip addr add "$ip/24" dev "$EFS_BRIDGE"
		ip link set "$EFS_BRIDGE" up
	fi
	ip link set "$nic" master "$EFS_BRIDGE" up || return 1
	mkdir -p "$EFS_SHARE"
	mountpoint -q "$EFS_SHARE" ||
		mount -t 9p -o trans=virtio,version=9p2000.L,cache=none share "$EFS_SHARE" || return 1
	log "peer link: $nic on $EFS_BRIDGE ($ip), share at $EFS_SHARE"
}

# peer_run CMD [ARGS...]: run CMD (a lib.sh or scenario function already
# defined on the peer, or a command) in the peer's shell; its output comes
# back on stdout, its status is returned. The peer must answer within
# EFS_PEER_WAIT seconds (default 300), plus 360 while it has not finished
# booting (run.sh boots a hung guest once more after 150 s).
_efs_peer_seq=0
peer_run() {
	local n i wait=${EFS_PEER_WAIT:-300} rc
	[ -e "$EFS_SHARE/peer.ready" ] || wait=$((wait + 360))
	# The next free number: a call in $(...) does not advance the
	# caller's counter, so the share is the record.
	n=$((_efs_peer_seq + 1))
	while [ -e "$EFS_SHARE/cmd.$n" ]; do n=$((n + 1)); done
	_efs_peer_seq=$n
	printf '%q ' "$@" >"$EFS_SHARE/cmd.$n.tmp" && mv "$EFS_SHARE/cmd.$n.tmp" "$EFS_SHARE/cmd.$n"
	for ((i = 0; i < wait * 5; i++)); do
		[ -s "$EFS_SHARE/done.$n" ] && break
		sleep 0.2
	done
	if [ ! -s "$EFS_SHARE/done.$n" ]; then
		log "peer_run: no answer to '$*' within ${wait}s" >&2
		return 1
	fi
	cat "$EFS_SHARE/out.$n" 2>/dev/null
	read -r rc <"$EFS_SHARE/done.$n"
	return "$rc"
}

# peer_or_here CMD [ARGS...]: CMD on the peer when there is one, else here.
peer_or_here() {
	if peer_present; then peer_run "$@"; else "$@"; fi
}

# peer_define FUNCTION...: send the scenario's own functions to the peer.
peer_define() {
	local f
	for f in "$@"; do peer_run eval "$(declare -f "$f")" || return 1; done
}

# peer_serve: the peer's side, until a "peer_quit" command: run each
# command file in turn, output to out.N, status to done.N.
peer_serve() {
	local n=1 rc
	while :; do
		while [ ! -e "$EFS_SHARE/cmd.$n" ]; do sleep 0.1; done
		if [ "$(cat "$EFS_SHARE/cmd.$n")" = "peer_quit " ]; then
			echo 0 >"$EFS_SHARE/done.$n"
			return 0
		fi
		log "peer: $(cat "$EFS_SHARE/cmd.$n" | cut -c1-200)"
		eval "$(cat "$EFS_SHARE/cmd.$n")" >"$EFS_SHARE/out.$n" 2>&1
		rc=$?
		echo "$rc" >"$EFS_SHARE/done.$n.tmp" && mv "$EFS_SHARE/done.$n.tmp" "$EFS_SHARE/done.$n"
		n=$((n + 1))
	done
}
