#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
#
# Encryption in transit (issue 10, items 1-3): RPC-with-TLS between knfsd
# and client namespaces, set up with efsctl tls setup, mounted with
# mount -t efs -o tls (tools/mount.efs). tlshd is trixie's ktls-utils from
# build/roots/trixie-tls (tests/setup/tlsroot.sh, make deps), run chrooted, one
# per network namespace (the handshake upcall is per namespace).
#
# On a kernel with server-side RPC-with-TLS (6.12): efsctl tls status (no
# tlshd: exit 3; with it: 0, the export's TLS allowed); mount.efs refuses
# without a tlshd on the client, and with an unknown option; a client with
# the server's CA mounts with -o tls (xprtsec=tls in /proc/mounts), fio
# reads and writes, kernel TLS records counted on both ends
# (/proc/net/tls_stat) and efs charges the requests; a plain mount of the
# same (transit-encryption optional) filesystem works beside it; a client
# whose tlshd trusts another CA cannot mount (the handshake fails, the
# mount fails with mount.efs's message) and one whose CA file is missing is
# refused before mounting.
# Transit policy (--transit-encryption): with both mounts up, fs stats
# counts the TLS mount's requests (TlsRequests, TlsClientConnections 1)
# and fs clients marks c1 Tls, c2 not; set to required, a new plain NFSv4.1
# mount is refused, an NFSv3 mount made before gets NFS3ERR_ACCES (EACCES),
# each refusal is counted (PlaintextRequestsRefused, per client) and
# logged once per client, the TLS mount keeps working, and a client with
# a certificate from the server's CA mounts with -o mtls (one without a
# certificate in its tlshd.conf is refused by mount.efs); back to
# optional, the plain client is served again.
# On a kernel without it (6.1): efsctl tls status says so and exits 2,
# mount.efs -o tls refuses (no RPC-with-TLS client), a plain mount -t efs
# works, and --transit-encryption required is refused (add and set) with
# nothing changed.
#
#   tls_transit.sh [FIO_SECONDS]      (default 5)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"
# shellcheck source=../tls.lib.sh
. "$EFS_REPO/tests/vm/tls.lib.sh"

rc=0
SECS=${1:-5}
T=$EFS_TLS

# refused WANT_STATUS MSG_PART CMD...: CMD exits WANT_STATUS with MSG_PART
# in its output
refused() {
	local want=$1 part=$2 out st
	shift 2
	out=$("$@" 2>&1)
	st=$?
	log "$* -> $st: $out"
	[ "$st" = "$want" ] && grep -qF -- "$part" <<<"$out"
}

# tls_stat NAME: a counter of /proc/net/tls_stat (this network namespace)
tls_stat() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat 2>/dev/null
}

nfsd_start 8 || fail "nfsd_start"
export_tmpfs enc 128M || fail "export_tmpfs"
dd if=/dev/urandom of=/srv/enc/data bs=1M count=16 status=none || fail "dd"
efs_load || fail "efs_load"
$EFS_CTL fs add enc /srv/enc || fail "fs add"
install_mount_efs || fail "mount.efs into /sbin"
netns_client c1 10.99.0.2 || fail "netns c1"
mkdir -p /mnt/tls /mnt/plain /mnt/bad

$EFS_CTL tls status
st=$?
if [ $st -eq 2 ]; then
	# --- no server-side RPC-with-TLS (6.1) --------------------------------
	check "tls status: not supported, exit 2" \
		refused 2 "no server-side RPC-with-TLS" $EFS_CTL tls status
	check "tls status --json: ServerTls false" \
		bash -c "$EFS_CTL tls status --json | jq -e '.ServerTls == false and .Probes.HandshakeFamily == false' >/dev/null"
	check "mount.efs -o tls refused: no RPC-with-TLS client" \
		refused 32 "has no RPC-with-TLS client" in_client c1 mount -t efs -o tls "$EFS_SERVER_IP:/enc" /mnt/tls
	check "mount -t efs (plain, NFSv4.1)" in_client c1 mount -t efs "$EFS_SERVER_IP:/enc" /mnt/plain
	grep ' /mnt/plain ' /proc/mounts
	check "plain mount: vers=4.1, EFS options" \
		grep -qE ' /mnt/plain nfs4 .*vers=4.1,.*hard,noresvport,.*timeo=600,retrans=2' /proc/mounts
	check "plain mount reads" cmp -s /srv/enc/data /mnt/plain/data
	nfs_umount /mnt/plain
	check "server show: TlsSupported false" \
		bash -c "$EFS_CTL server show --json | jq -e '.TlsSupported == false' >/dev/null"
	mkdir -p /srv/req
	check "fs add --transit-encryption required refused: no server TLS" \
		refused 1 "no server-side RPC-with-TLS" $EFS_CTL fs add req /srv/req --transit-encryption required
	check "the refused add added nothing" bash -c "! $EFS_CTL fs show req >/dev/null 2>&1"
	check "fs set --transit-encryption required refused" \
		refused 1 "no server-side RPC-with-TLS" $EFS_CTL fs set enc --transit-encryption required --iops-limit 777
	check "the refused set changed nothing" bash -c "$EFS_CTL fs show enc --json |
		jq -e '.FileSystems[0] | .TransitEncryptionPolicy == \"optional\" and .IopsLimitConfigured != 777' >/dev/null"
	$EFS_CTL fs del enc
	nfsd_stop
	exit $rc
fi
[ $st -eq 3 ] || fail "tls status before tlshd: exit $st, want 3"
log "ok: tls status without tlshd: exit 3"

# --- tlshd on the server and on client c1 -------------------------------------
tls_prepare || fail "tls_prepare"

check "efsctl tls setup" $EFS_CTL tls setup --dir $T --config $T/server.conf \
	--name "$EFS_SERVER_IP,nfs.efs.test"
cat $T/server.conf
check "tls setup refuses to overwrite" \
	refused 1 "exists (--force replaces it)" $EFS_CTL tls setup --dir $T --config $T/server.conf
printf '[authenticate.client]\nx509.truststore=%s/ca.pem\n' $T >$T/client.conf
# another CA: a client trusting only it cannot verify the server
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout $T/other-ca.key -out $T/other-ca.pem -subj /CN=other -days 1 2>/dev/null ||
	fail "other CA"
printf '[authenticate.client]\nx509.truststore=%s/other-ca.pem\n' $T >$T/other.conf
printf '[authenticate.client]\nx509.truststore=%s/gone.pem\n' $T >$T/gone.conf

tlshd_start server $T/server.conf || fail "tlshd on the server"

$EFS_CTL tls status
check "tls status: exit 0 with tlshd" $EFS_CTL tls status --json
$EFS_CTL tls status --json >$EFS_OUT/tls-status.json
check "tls status --json: supported, tlshd, its certificate, export allows TLS" \
	jq -e --arg c "$T/server.pem" '.ServerTls and .TlshdRunning and
		.Probes.HandshakeFamily and .Probes.SvcTcpHandshake and
		(.Tlshd[0].ServerCertificate == $c) and .Tlshd[0].ServerCertificateReadable and
		([.Exports[] | select(.Path == "/srv/enc") | .Tls] == ["allowed"])' $EFS_OUT/tls-status.json

# --- mount.efs error cases --------------------------------------------------
check "mount.efs: no tlshd on the client" \
	refused 32 "no tlshd runs on this client" in_client c1 mount -t efs -o tls "$EFS_SERVER_IP:/enc" /mnt/tls
check "mount.efs: unknown option" \
	refused 1 "unknown option 'bogus'" in_client c1 mount -t efs -o tls,bogus "$EFS_SERVER_IP:/enc" /mnt/tls
check "mount.efs: xprtsec= refused" \
	refused 1 "use -o tls or -o mtls" in_client c1 mount -t efs -o xprtsec=tls "$EFS_SERVER_IP:/enc" /mnt/tls

# --- the TLS mount ------------------------------------------------------------
tlshd_start c1 $T/client.conf c1 || fail "tlshd in c1"
tx0=$(tls_stat TlsTxSw) rx0=$(tls_stat TlsRxSw)
check "mount -t efs -o tls" in_client c1 mount -t efs -o tls "$EFS_SERVER_IP:/enc" /mnt/tls
grep ' /mnt/tls ' /proc/mounts
check "TLS mount: xprtsec=tls, vers=4.1" grep -qE ' /mnt/tls nfs4 .*vers=4.1.*xprtsec=tls' /proc/mounts
check "TLS mount reads" cmp -s /srv/enc/data /mnt/tls/data
in_client c1 run_fio tls --filename=/mnt/tls/fio --size=16M --rw=randrw --bs=4k \
	--direct=1 --ioengine=psync --time_based --runtime="$SECS" || rc=1
r=$(fio_iops tls read) w=$(fio_iops tls write)
log "fio over TLS: $r read IOPS, $w write IOPS"
check "fio reads and writes over TLS" test "${r:-0}" -gt 0 -a "${w:-0}" -gt 0
tx1=$(tls_stat TlsTxSw) rx1=$(tls_stat TlsRxSw)
log "server kTLS sessions: TlsTxSw $tx0 -> $tx1, TlsRxSw $rx0 -> $rx1; $(tr -s ' \n' ' ' </proc/net/tls_stat)"
check "server: a kTLS session (tls_stat)" test "${tx1:-0}" -gt "${tx0:-0}" -a "${rx1:-0}" -gt "${rx0:-0}"
check "client: a kTLS session (tls_stat in c1)" \
	test "$(in_client c1 awk '$1 == "TlsCurrTxSw" { print $2 }' /proc/net/tls_stat)" -gt 0
ops=$($EFS_CTL fs stats enc --json | jq '.DataReadOps + .DataWriteOps')
ios=$(jq '[.jobs[] | .read.total_ios, .write.total_ios] | add' "$EFS_OUT/tls.json")
log "efs charged $ops data operations to enc; fio did $ios"
# Every one of fio's (cmp's reads come on top): "more than none" passed
# a TLS path that charged one request in a hundred.
check "efs charges the TLS mount's requests: all $ios of fio's" test "${ops:-0}" -ge "${ios:-1}"
$EFS_CTL fs clients enc

# --- plain NFS on the same (optional) filesystem, beside it -----------------
netns_client c2 10.99.0.3 || fail "netns c2"
check "plain mount -t efs of the same filesystem" in_client c2 mount -t efs "$EFS_SERVER_IP:/enc" /mnt/plain
check "plain mount: no xprtsec" bash -c "grep ' /mnt/plain ' /proc/mounts | grep -vq xprtsec=tls"
check "plain mount reads" cmp -s /srv/enc/data /mnt/plain/data
check "both mounts see each other's writes" bash -c 'echo tls >/mnt/tls/w && cmp /mnt/tls/w /mnt/plain/w'

# --- transit policy: what came over TLS, then TLS required -------------------
check "server show: TlsSupported" \
	bash -c "$EFS_CTL server show --json | jq -e '.TlsSupported == true' >/dev/null"
$EFS_CTL fs stats enc --json >$EFS_OUT/stats-optional.json
check "fs stats: TLS requests counted, one TLS client, nothing refused" \
	jq -e '.TlsRequests > 0 and .TlsClientConnections == 1 and .PlaintextRequestsRefused == 0' \
	$EFS_OUT/stats-optional.json
$EFS_CTL fs clients enc --json >$EFS_OUT/clients-optional.json
check "fs clients: c1 over TLS, c2 not" jq -e '
	([.Clients[] | select(.Address == "10.99.0.2") | .Tls and .TlsRequests > 0] == [true]) and
	([.Clients[] | select(.Address == "10.99.0.3") | .Tls or .TlsRequests > 0] == [false])' \
	$EFS_OUT/clients-optional.json
mkdir -p /mnt/v3
check "NFSv3 mount from c2 (transit optional)" in_client c2 nfs_mount enc /mnt/v3 3
check "NFSv3 reads (transit optional)" cmp -s /srv/enc/data /mnt/v3/data
nfs_umount /mnt/plain
check "fs set --transit-encryption required" $EFS_CTL fs set enc --transit-encryption required
check "fs show: TransitEncryptionPolicy required" bash -c "$EFS_CTL fs show enc --json |
	jq -e '.FileSystems[0].TransitEncryptionPolicy == \"required\"' >/dev/null"
$EFS_CTL tls status
check "tls status: the filesystem requires TLS" bash -c "$EFS_CTL tls status --json |
	jq -e '[.FileSystems[] | select(.Name == \"enc\") | .TransitEncryptionPolicy] == [\"required\"]' >/dev/null"
out=$(in_client c2 timeout 120 mount -t efs -o retry=0 "$EFS_SERVER_IP:/enc" /mnt/plain 2>&1)
st=$?
log "plain mount of a required filesystem -> $st: $out"
check "plain NFSv4.1 mount refused: Operation not permitted" \
	bash -c '[ "$1" -ne 0 ] && grep -q "Operation not permitted" <<<"$2"' _ "$st" "$out"
grep -q ' /mnt/plain ' /proc/mounts && { log "FAIL: /mnt/plain mounted" >&2; rc=1; nfs_umount /mnt/plain; }
out=$(in_client c2 cat /mnt/v3/data 2>&1 >/dev/null)
log "NFSv3 read of a required filesystem: $out"
check "NFSv3 read refused: NFS3ERR_ACCES (Permission denied)" grep -q "Permission denied" <<<"$out"
check "TLS mount still reads and writes" bash -c 'echo again >/mnt/tls/w2 && cmp -s /srv/enc/data /mnt/tls/data'
$EFS_CTL fs stats enc --json >$EFS_OUT/stats-required.json
check "fs stats: plaintext requests refused and counted" \
	jq -e '.PlaintextRequestsRefused > 0' $EFS_OUT/stats-required.json
$EFS_CTL fs clients enc
$EFS_CTL fs clients enc --json >$EFS_OUT/clients-required.json
check "fs clients: c2's refusals counted, none for c1" jq -e '
	([.Clients[] | select(.Address == "10.99.0.3") | .PlaintextRequestsRefused > 0] == [true]) and
	([.Clients[] | select(.Address == "10.99.0.2") | .PlaintextRequestsRefused] == [0])' \
	$EFS_OUT/clients-required.json
n=$(dmesg | grep -c 'efs: enc: refused requests of client 10.99.0.3 ')
check "refusal logged once for the client (got $n)" test "$n" -eq 1

# --- mutual TLS: a client certificate signed by the server's CA -----------------
check "mount.efs -o mtls: no client certificate in tlshd.conf" \
	refused 32 "tlshd has no client certificate to present" \
	in_client c1 mount -t efs -o mtls "$EFS_SERVER_IP:/enc" /mnt/plain
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $T/c4.key \
	-out $T/c4.csr -subj /CN=c4.efs.test 2>/dev/null || fail "client key"
printf 'extendedKeyUsage=clientAuth\nsubjectAltName=IP:10.99.0.5\n' >$T/c4.ext
openssl x509 -req -in $T/c4.csr -CA $T/ca.pem -CAkey $T/ca.key -CAcreateserial \
	-out $T/c4.pem -days 1 -extfile $T/c4.ext 2>/dev/null || fail "client certificate"
printf '[authenticate.client]\nx509.truststore=%s/ca.pem\nx509.certificate=%s/c4.pem\nx509.private_key=%s/c4.key\n' \
	$T $T $T >$T/c4.conf
netns_client c4 10.99.0.5 || fail "netns c4"
tlshd_start c4 $T/c4.conf c4 || fail "tlshd in c4"
mkdir -p /mnt/mtls
check "mount -t efs -o mtls (transit required)" in_client c4 mount -t efs -o mtls "$EFS_SERVER_IP:/enc" /mnt/mtls
grep ' /mnt/mtls ' /proc/mounts
check "mTLS mount: xprtsec=mtls" grep -qE ' /mnt/mtls nfs4 .*xprtsec=mtls' /proc/mounts
check "mTLS mount reads" cmp -s /srv/enc/data /mnt/mtls/data
check "fs clients: c4 over TLS, nothing refused" bash -c "$EFS_CTL fs clients enc --json | jq -e '
	[.Clients[] | select(.Address == \"10.99.0.5\") | .Tls and .TlsRequests > 0 and .PlaintextRequestsRefused == 0] == [true]' >/dev/null"
nfs_umount /mnt/mtls
check "fs set --transit-encryption optional" $EFS_CTL fs set enc --transit-encryption optional
check "NFSv3 reads again (transit optional)" in_client c2 cmp -s /srv/enc/data /mnt/v3/data
nfs_umount /mnt/v3

# --- a client that cannot verify the server ----------------------------------
netns_client c3 10.99.0.4 || fail "netns c3"
tlshd_start c3 $T/gone.conf c3 || fail "tlshd in c3"
check "mount.efs: the client's CA file is missing" \
	refused 32 "is missing or unreadable" in_client c3 mount -t efs -o tls "$EFS_SERVER_IP:/enc" /mnt/bad
kill "$(cat $T/tlshd-c3.pid)"
tlshd_start c3b $T/other.conf c3 || fail "tlshd (other CA) in c3"
t0=$SECONDS
check "mount.efs: the server's certificate does not verify" \
	refused 32 "as it does when the TLS handshake fails" \
	in_client c3 timeout 300 mount -t efs -o tls,retry=0 "$EFS_SERVER_IP:/enc" /mnt/bad
log "the failed TLS mount took $((SECONDS - t0)) s"
grep -q ' /mnt/bad ' /proc/mounts && { log "FAIL: /mnt/bad mounted" >&2; rc=1; nfs_umount /mnt/bad; }
log "tlshd c3 (other CA): $(tail -5 "$EFS_OUT/tlshd-c3b.log" | tr '\n' ' ')"

nfs_umount /mnt/tls
$EFS_CTL fs del enc
nfsd_stop
exit $rc
