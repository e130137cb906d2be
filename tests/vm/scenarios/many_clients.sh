#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
# efs-vm: append=slab_nomerge
#
# Many clients: 200 client network namespaces mount one filesystem
# (NFSv4.2) and read from it.
#  - no errors; ClientConnections is 200 and fs clients lists 200;
#  - efs's client entries (the efs_client slab, unmerged with
#    slab_nomerge) grow by no more than the per-client size efs states
#    (server show ClientEntryBytes) for each client;
#  - after the idle time (fs set --client-idle-seconds 5, live) every
#    client is aged out: ClientConnections 0, the entries freed.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

N=${EFS_MANY_CLIENTS:-200}
IDLE=5
rc=0
nfsd_start 8 || fail "nfsd_start"
export_tmpfs many 64M || fail "export"
dd if=/dev/urandom of=/srv/many/data bs=1M count=1 status=none || fail "dd"
efs_load || fail "efs_load"
# Long enough to mount them all (minutes under TCG); shortened for aging.
$EFS_CTL fs add many /srv/many --client-idle-seconds 1800 || fail "fs add"
# Objects in use in the efs_client slab (unmerged: slab_nomerge), after a
# shrink so that no CPU's partial slab hides freed ones.
slab_objs() {
	echo 1 >/sys/kernel/slab/efs_client/shrink 2>/dev/null
	awk '$1 == "efs_client" { print $2 }' /proc/slabinfo
}
objs0=$(slab_objs)
objs0=${objs0:-0}

# Namespaces in one ip -batch (cheaper under TCG than one ip per step).
modprobe nfs
ip link add "$EFS_BRIDGE" type bridge
ip addr add "$EFS_SERVER_IP/24" dev "$EFS_BRIDGE"
ip link set "$EFS_BRIDGE" up
batch=$EFS_OUT/netns.batch
: >"$batch"
for i in $(seq 1 "$N"); do
	echo "netns add m$i" >>"$batch"
	echo "link add vm$i type veth peer name eth0 netns m$i" >>"$batch"
	echo "link set vm$i master $EFS_BRIDGE up" >>"$batch"
done
ip -batch "$batch" || fail "ip -batch (namespaces)"
for i in $(seq 1 "$N"); do
	printf '%s\n' "addr add 10.99.0.$((i + 20))/24 dev eth0" \
		"link set eth0 up" "link set lo up" | ip -n "m$i" -batch - ||
		fail "addresses of m$i"
done
log "$N client namespaces"

# Mount and read, 10 at a time. Each namespace gets its own NFS identity.
one_client() { # I
	local i=$1 m=/mnt/m$1
	# ip netns exec mounts the namespace's own /sys (nsenter would write
	# the initial namespace's identifier, shared by all: "clientid in use").
	ip netns exec "m$i" sh -c \
		"echo efs-many-$i >/sys/fs/nfs/net/nfs_client/identifier" ||
		return 1
	mkdir -p "$m"
	nsenter --net="/run/netns/m$i" -- mount -t nfs \
		-o vers=4.2,proto=tcp,hard,actimeo=1 "$EFS_SERVER_IP:/many" "$m" || return 1
	dd if="$m/data" of=/dev/null bs=4k count=16 iflag=direct status=none
}
failed=0
for start in $(seq 1 10 "$N"); do
	pids=()
	for i in $(seq "$start" $((start + 9))); do
		[ "$i" -le "$N" ] || break
		one_client "$i" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
done
log "$N clients mounted and read ($failed failed)"
check "every client mounted and read without error" test "$failed" -eq 0
# Every client reads once more, so that all are recent when counted.
for start in $(seq 1 20 "$N"); do
	for i in $(seq "$start" $((start + 19))); do
		[ "$i" -le "$N" ] || break
		dd if="/mnt/m$i/data" of=/dev/null bs=4k count=1 iflag=direct status=none &
	done
	wait
done

conns=$($EFS_CTL fs stats many --json | jq -r .ClientConnections)
listed=$($EFS_CTL fs clients many --json | jq '.Clients | length')
lb=$($EFS_CTL fs stats many --json | jq -r .ClientConnectionsLowerBound)
log "ClientConnections $conns, fs clients lists $listed, lower bound $lb"
check "ClientConnections is $N (got $conns)" test "$conns" -eq "$N"
check "fs clients lists $N (got $listed)" test "$listed" -eq "$N"
check "the count is exact (not a lower bound)" test "$lb" = false
check "the server counts $N entries" test "$($EFS_CTL server show --json | jq -r .ClientEntries)" -eq "$N"

per=$($EFS_CTL server show --json | jq -r .ClientEntryBytes)
objs=$(slab_objs)
objsize=$(awk '$1 == "efs_client" { print $4 }' /proc/slabinfo)
grow=$(( (objs - objs0) * objsize ))
log "efs_client slab: $objs0 -> $objs objects of $objsize bytes; stated $per bytes per client"
check "the stated per-client size is the slab object size" test "$per" -eq "$objsize"
# SLUB counts the objects of each CPU's current slab as in use: allow
# that many more (objects per slab x CPUs) either way.
slack=$(( $(awk '$1 == "efs_client" { print $5 }' /proc/slabinfo) * $(nproc) ))
check "client memory grew by <= $N x $per bytes (grew $grow, slack $slack objects)" \
	test "$grow" -le $(((N + slack) * per))
check "client memory grew by about that (grew $grow)" test "$grow" -ge $(((N - slack) * per))

# Aging: no I/O for longer than the (shortened) idle time.
$EFS_CTL fs set many --client-idle-seconds $IDLE || rc=1
sleep $((IDLE + 3))
conns=$($EFS_CTL fs stats many --json | jq -r .ClientConnections)
check "every client aged out after ${IDLE}s idle (ClientConnections $conns)" test "$conns" -eq 0
check "server entries back to 0" test "$($EFS_CTL server show --json | jq -r .ClientEntries)" -eq 0
sleep 2
objs=$(slab_objs)
log "efs_client slab after aging: $objs objects"
check "the entries were freed (objects $objs)" test "$objs" -le $((objs0 + slack))

# A client that comes back is counted again.
dd if=/mnt/m1/data of=/dev/null bs=4k count=1 iflag=direct status=none
check "a returning client counts again" \
	test "$($EFS_CTL fs stats many --json | jq -r .ClientConnections)" -eq 1
for i in $(seq 1 "$N"); do umount -l "/mnt/m$i" 2>/dev/null; done
exit $rc
