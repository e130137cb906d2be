#!/bin/bash
# Run a VM scenario with a peer: a second qemu guest whose client
# namespaces share no vCPU with the server, as clients on other machines
# would. The scenario decides which clients go there (peer_present,
# peer_run in tests/vm/peer.lib.sh).
#
#   tests/vm/pair.sh [-k KREL|6.1|6.12] [-o OUTDIR] SCENARIO [ARGS...]
#
# Both guests boot the same kernel. Each guest gets its own host cores, as
# two machines would have their own CPUs: the server the first half of
# the host's (EFS_PAIR_SERVER_CORES, a taskset list; on this 2-core host
# core 0), the peer the rest (EFS_PAIR_PEER_CORES), and as many vCPUs as
# it has cores unless EFS_VM_CPUS / EFS_PEER_CPUS say otherwise.
#
# The link is qemu's UDP socket netdev: frames cross the host's loopback
# at once, a round trip well under a millisecond on an idle host, as a
# LAN. A scenario that wants a client far away says "# efs-pair:
# link=tcp" in its header: qemu's TCP socket netdev, whose frames wait
# for Nagle's algorithm and the host's delayed ACKs, a round trip of tens
# of ms while the link is quiet. EFS_PAIR_LINK=udp|tcp overrides.
#
# The peer guest runs tests/vm/peer/serve.sh (client namespaces at the
# server's command), or the peer script the scenario names with "#
# efs-pair: peer=NAME" (tests/vm/peer/NAME.sh: cluster_head, a second NFS
# head). Output: OUTDIR/server and OUTDIR/peer (run.sh output directories)
# and OUTDIR/share (the control share). Exit status and last line: the
# server's run.sh's; the status is 1 as well if the peer's run.sh failed
# (a kernel warning in the peer guest, say).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

kernel=6.1 outdir=''
while getopts k:o: opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) sed -n '2,29p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,29p' "$0" >&2; exit 2; }
name=$(basename "$1" .sh)
script=$1
[ -f "$script" ] || script=$HERE/scenarios/$name.sh
link_kind=${EFS_PAIR_LINK:-$(sed -n 's/^# efs-pair: link=\([a-z]*\).*/\1/p' "$script" 2>/dev/null | head -n 1)}
link_kind=${link_kind:-udp}
case $link_kind in
udp | tcp) ;;
*) echo "pair.sh: link must be udp or tcp, not '$link_kind'" >&2; exit 2 ;;
esac
peer_script=$(sed -n 's/^# efs-pair: peer=\([a-z_]*\).*/\1/p' "$script" 2>/dev/null | head -n 1)
peer_script=$HERE/peer/${peer_script:-serve}.sh
[ -f "$peer_script" ] || { echo "pair.sh: no peer script $peer_script" >&2; exit 2; }
outdir=${outdir:-$REPO/build/vm-pair/$name}
rm -rf "$outdir/share" "$outdir/server" "$outdir/peer"
mkdir -p "$outdir/share" || exit 2

# Free ports on the loopback for the guests' Ethernet link (UDP: one each).
free_port() { # udp|tcp
	python3 -c 'import socket, sys
s = socket.socket(type=socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' "$1"
}
port=$(free_port "$link_kind")
port2=$(free_port "$link_kind")
ncores=$(nproc)
half=$(((ncores + 1) / 2))
server_cores=${EFS_PAIR_SERVER_CORES:-0-$((half - 1))}
peer_cores=${EFS_PAIR_PEER_CORES:-$((ncores > 1 ? half : 0))-$((ncores - 1))}
count_cores() { # taskset list -> number of cores
	taskset -c "$1" nproc
}
echo "pair.sh: server on host cores $server_cores, peer on $peer_cores, $link_kind link" >&2
share=(-virtfs "local,path=$outdir/share,mount_tag=share,security_model=none")
nic="-device virtio-net-pci,netdev=peer,mac=52:54:00:ef:00"
if [ "$link_kind" = udp ]; then
	server_link="-netdev socket,id=peer,udp=127.0.0.1:$port2,localaddr=127.0.0.1:$port $nic:01"
	peer_link="-netdev socket,id=peer,udp=127.0.0.1:$port,localaddr=127.0.0.1:$port2 $nic:02"
else
	server_link="-netdev socket,id=peer,listen=127.0.0.1:$port $nic:01"
	peer_link="-netdev socket,id=peer,connect=127.0.0.1:$port $nic:02"
fi

EFS_PEER=1 EFS_VM_CPUS=${EFS_VM_CPUS:-$(count_cores "$server_cores")} \
	EFS_VM_QEMU_ARGS="$server_link ${share[*]}" \
	taskset -c "$server_cores" "$HERE/run.sh" -k "$kernel" -o "$outdir/server" "$@" &
server=$!
for _ in $(seq 50); do
	[ "$link_kind" = udp ] && break	# nothing to connect to
	ss -ltn "sport = :$port" | grep -q LISTEN && break
	sleep 0.2
done
EFS_VM_CPUS=${EFS_PEER_CPUS:-$(count_cores "$peer_cores")} \
	EFS_VM_QEMU_ARGS="$peer_link ${share[*]}" \
	taskset -c "$peer_cores" "$HERE/run.sh" -k "$kernel" -o "$outdir/peer" \
	"$peer_script" >"$outdir/peer.log" 2>&1 &
peer=$!
wait "$server"
rc=$?
# The scenario normally ends the peer; if it did not (it failed early),
# ask once more, then stop it.
n=$(find "$outdir/share" -maxdepth 1 -name 'cmd.*' ! -name '*.tmp' | wc -l)
printf 'peer_quit ' >"$outdir/share/cmd.$((n + 1))"
for _ in $(seq 300); do
	kill -0 "$peer" 2>/dev/null || break
	sleep 0.2
done
kill -0 "$peer" 2>/dev/null && pkill -P "$peer" 2>/dev/null
wait "$peer"
prc=$?
echo "pair.sh: peer guest: $(tail -n 1 "$outdir/peer.log")"
if [ "$prc" -ne 0 ] && [ "$rc" -eq 0 ]; then
	grep '^run.sh: ' "$outdir/peer.log" | tail -n 5 | sed 's/^/pair.sh: peer: /' >&2
	rc=1
fi
exit $rc
