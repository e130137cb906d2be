#!/bin/bash
# efs-vm: timeout=420
#
# Exercises the lib.sh helpers other scenarios rely on, without efs.ko:
# every NFS version, tmpfs/ext4/xfs exports, two client namespaces that the
# server sees as two NFSv4 clients with their own addresses, run_fio and
# the fio_* extractors, assert_within.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0

nfsd_start 4 || fail "nfsd_start"
export_tmpfs t 64M || fail "export_tmpfs"
export_block e ext4 || fail "export_block ext4"
export_block x xfs || fail "export_block xfs"

# Every version against the tmpfs export, v3 and v4.2 against the block
# ones: write on the client, read on the server.
for exp in t e x; do
	vers="3 4.2"
	[ "$exp" = t ] && vers="3 4.0 4.1 4.2"
	for v in $vers; do
		m=/mnt/$exp-$v
		if nfs_mount "$exp" "$m" "$v"; then
			echo "$exp $v" >"$m/hello-$v" && sync
			check "v$v write to /srv/$exp visible on the server" \
				grep -qx "$exp $v" "/srv/$exp/hello-$v"
			nfs_umount "$m"
		else
			rc=1
		fi
	done
done

# fio + extractors: a short sequential write then read on v4.2.
nfs_mount t /mnt/fio 4.2 || fail "mount for fio"
run_fio seqwrite --filename=/mnt/fio/f --size=8M --rw=write --bs=64k \
	--ioengine=psync --end_fsync=1 || rc=1
run_fio seqread --filename=/mnt/fio/f --size=8M --rw=read --bs=64k \
	--ioengine=psync --direct=1 || rc=1
w=$(fio_bw_bytes seqwrite write) r=$(fio_bw_bytes "$EFS_OUT/seqread.json" read)
log "seqwrite $w B/s ($(fio_iops seqwrite write) IOPS), seqread $r B/s ($(fio_iops seqread read) IOPS)"
check "fio wrote" test "${w:-0}" -gt 0
check "fio read" test "${r:-0}" -gt 0
nfs_umount /mnt/fio

check "assert_within accepts 105 ~ 100 +-10%" assert_within 105 100 10 "self-test"
check "assert_within rejects 89 ~ 100 +-10%" eval '! assert_within 89 100 10 "self-test (expected to fail)" 2>/dev/null'

# Two clients in their own network namespaces, v3 and v4.2 each.
netns_client c1 10.99.0.2 || fail "netns_client c1"
netns_client c2 10.99.0.3 || fail "netns_client c2"
check "c1 reaches the server" in_client c1 busybox ping -c 1 -W 5 "$EFS_SERVER_IP"
for c in c1 c2; do
	check "$c mounts v4.2" in_client "$c" nfs_mount t "/mnt/$c" 4.2
	check "$c mounts v3" in_client "$c" nfs_mount t "/mnt/$c-v3" 3
	check "$c writes" dd if=/dev/zero of="/mnt/$c/from-$c" bs=64k count=16 conv=fsync status=none
done
grep -E ' /mnt/c[12]' /proc/mounts
# The server's view (NFSv4.1+ clients are listed in /proc/fs/nfsd/clients).
cat /proc/fs/nfsd/clients/*/info 2>/dev/null
for ip in 10.99.0.2 10.99.0.3; do
	check "server sees a v4 client at $ip" \
		grep -q "address: \"$ip:" /proc/fs/nfsd/clients/*/info
done
n=$(grep -l 'minor version: 2' /proc/fs/nfsd/clients/*/info | wc -l)
check "server sees 2 distinct v4.2 clients ($n)" test "$n" -ge 2
for c in c1 c2; do nfs_umount "/mnt/$c"; nfs_umount "/mnt/$c-v3"; done

for exp in t e x; do unexport "$exp" || rc=1; done
nfsd_stop
exit $rc
