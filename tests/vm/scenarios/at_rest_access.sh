#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
#
# Encryption at rest and who may reach port 2049 (issue 10, items 4 and 5).
#
# At rest: a LUKS2 loop device with cryptsetup's defaults (aes-xts-plain64,
# 512-bit key = AES-256), one with --key-size 256 (AES-128-XTS), a plain
# ext4 loop device, a tmpfs, a dm linear mapping over LUKS (the LVM-over-LUKS
# stack) and, if the kernel can, an fscrypt directory (AES-256-XTS/CTS, set
# with the raw ioctls from python3: Debian 12 has no fscryptctl). Each is
# exported and added: fs show --json reports each correctly;
# --encryption-at-rest required is accepted only on the AES-256 ones, and
# refused on the others by fs add, fs set (nothing changed) and apply (the
# whole file refused, nothing changed); the policy survives a state save and
# restore.
#
# Access: the README's nftables recipe on the server, allowing TCP 2049
# from 10.99.0.0/28 only. A client namespace inside it (10.99.0.2) connects
# and mounts and reads; one outside (10.99.0.200) can neither connect nor
# mount (both seen from the client side, with short timeouts). fs show
# prints the export's client list and xprtsec.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0
for t in cryptsetup nft jq; do
	command -v "$t" >/dev/null || fail "$t not installed (make deps)"
done
nfsd_start 8 || fail "nfsd_start"
efs_load || fail "efs_load"
modprobe loop
modprobe dm_crypt || fail "no dm_crypt module"
KEY=/tmp/efs-key
head -c 64 /dev/urandom >"$KEY"

# luks NAME [CRYPTSETUP OPTIONS...]: a 64 MiB LUKS2 image opened as
# /dev/mapper/NAME (pbkdf2 with few iterations: argon2's default memory and
# time are slow under TCG and have nothing to do with the data cipher).
luks() {
	local name=$1 img=/tmp/efs-$1.img
	shift
	truncate -s 64M "$img" || return 1
	cryptsetup luksFormat --batch-mode --type luks2 --pbkdf pbkdf2 \
		--pbkdf-force-iterations 1000 --key-file "$KEY" "$@" "$img" ||
		return 1
	cryptsetup open --key-file "$KEY" "$img" "$name" || return 1
	log "$name: $(cryptsetup status "$name" | grep -E 'cipher|keysize' | tr -s ' ' | tr '\n' ';')"
}

# on_dev NAME DEV: ext4 on DEV, mounted at /srv/NAME and exported.
on_dev() {
	mkfs.ext4 -q -F "$2" || return 1
	mkdir -p "/srv/$1"
	mount "$2" "/srv/$1" || return 1
	_efs_export "/srv/$1"
}

fails() { ! "$@"; }
jqt() { jq -e "$1" >/dev/null; }	# jqt FILTER <<<JSON
show() { $EFS_CTL fs show "$1" --json | jq -c ".FileSystems[0].$2"; }
refused() {	# refused MSG_PART CMD...: exit 1 with MSG_PART on stderr
	local part=$1 err
	shift
	if err=$("$@" 2>&1 >/dev/null); then
		log "FAIL: '$*' succeeded" >&2
		return 1
	fi
	log "refused: $err"
	grep -qF -- "$part" <<<"$err"
}

luks luks256 || fail "LUKS2 default"
on_dev luks256 /dev/mapper/luks256 || fail "luks256 fs"
luks luks128 --key-size 256 || fail "LUKS2 AES-128"
on_dev luks128 /dev/mapper/luks128 || fail "luks128 fs"
export_block plain ext4 64M || fail "plain fs"
export_tmpfs mem 16M || fail "tmpfs"

# 1. LUKS2 defaults: AES-256, accepted with required
check "fs add required on LUKS2 defaults" \
	$EFS_CTL fs add a256 /srv/luks256 --encryption-at-rest required
out=$(show a256 EncryptionAtRest)
log "a256: $out"
check "a256: dm-crypt aes-xts-plain64, 512-bit key, AES-256" jqt \
	'.Encrypted and .Method == "dm-crypt" and .Cipher == "aes-xts-plain64" and .KeyBits == 512 and .Aes256 and .Device == "luks256"' <<<"$out"
check "a256: policy required" test "$(show a256 EncryptionAtRestPolicy)" = '"required"'
$EFS_CTL fs show a256 | grep -E 'encrypt' | sed 's/^/    /'

# 2. AES-128-XTS: encrypted, not AES-256
check "fs add required on AES-128 refused" refused \
	"a128: /srv/luks128 is not encrypted at rest with AES-256 (found: dm-crypt aes-xts-plain64, 256-bit key (not AES-256) on luks128)" \
	$EFS_CTL fs add a128 /srv/luks128 --encryption-at-rest required
check "a128 was not added" bash -c "! $EFS_CTL fs show a128 >/dev/null 2>&1"
check "fs add a128 (optional)" $EFS_CTL fs add a128 /srv/luks128
out=$(show a128 EncryptionAtRest)
log "a128: $out"
check "a128: dm-crypt, 256-bit key, not AES-256" jqt \
	'.Encrypted and .Method == "dm-crypt" and .Cipher == "aes-xts-plain64" and .KeyBits == 256 and (.Aes256 | not)' <<<"$out"
check "a128: policy optional" test "$(show a128 EncryptionAtRestPolicy)" = '"optional"'

# 3. plain ext4 and tmpfs: not encrypted
check "fs add required on plain refused" refused \
	"plain: /srv/plain is not encrypted at rest with AES-256 (found: not encrypted)" \
	$EFS_CTL fs add plain /srv/plain --encryption-at-rest required
check "fs add plain (optional)" $EFS_CTL fs add plain /srv/plain --iops-limit 777
check "plain: not encrypted" test "$(show plain EncryptionAtRest)" = '{"Encrypted":false,"Aes256":false}'
check "fs set required on plain refused" refused "plain: /srv/plain is not encrypted" \
	$EFS_CTL fs set plain --encryption-at-rest required --iops-limit 999
check "plain unchanged by the refused set" test "$(show plain EncryptionAtRestPolicy)/$(show plain IopsLimitConfigured)" = '"optional"/777'
check "fs add mem (tmpfs)" $EFS_CTL fs add mem /srv/mem
check "tmpfs: not encrypted" test "$(show mem EncryptionAtRest.Encrypted)" = false
check "fs set required on AES-128 refused" refused "a128: /srv/luks128 is not encrypted" \
	$EFS_CTL fs set a128 --encryption-at-rest required

# 4. dm linear over LUKS (what LVM on LUKS looks like): found beneath
if command -v dmsetup >/dev/null; then
	luks luksvg || fail "LUKS2 under linear"
	sectors=$(blockdev --getsz /dev/mapper/luksvg)
	dmsetup create efslv --table "0 $sectors linear /dev/mapper/luksvg 0" ||
		fail "dmsetup create"
	dmsetup mknodes efslv	# no udev in the guest to make the node
	on_dev lv /dev/mapper/efslv || fail "lv fs"
	check "fs add required on linear over LUKS" \
		$EFS_CTL fs add lv /srv/lv --encryption-at-rest required
	out=$(show lv EncryptionAtRest)
	log "lv: $out"
	check "lv: the LUKS device beneath is found" jqt \
		'.Encrypted and .Aes256 and .Device == "luksvg" and .KeyBits == 512' <<<"$out"
else
	log "dmsetup not installed: linear-over-LUKS case skipped"
fi

# 5. apply: required on the plain one refuses the whole file
before=$($EFS_CTL fs show --format conf)
cat >/tmp/efs-bad.conf <<EOF
[a256]
path = /srv/luks256
encryption-at-rest = required

[a128]
path = /srv/luks128
iops-limit = 5000

[plain]
path = /srv/plain
encryption-at-rest = required
EOF
check "apply with required on a plain fs refused" refused \
	"/tmp/efs-bad.conf:11: plain: /srv/plain is not encrypted at rest with AES-256" \
	$EFS_CTL apply /tmp/efs-bad.conf
check "the refused apply changed nothing" test "$($EFS_CTL fs show --format conf)" = "$before"
sed '$s/required/optional/' /tmp/efs-bad.conf >/tmp/efs-good.conf
$EFS_CTL apply /tmp/efs-good.conf || { log "FAIL: apply of the good file" >&2; rc=1; }
check "apply kept a256 required" test "$(show a256 EncryptionAtRestPolicy)" = '"required"'
check "apply removed the others" test "$($EFS_CTL fs show --format names | tr '\n' ' ')" = "a128 a256 plain "

# 6. the policy is in the state file and restored with the filesystem
$EFS_CTL state save "$EFS_STATE/state" || rc=1
grep -c 'encryption-at-rest=required' "$EFS_STATE/state" >/dev/null ||
	{ log "FAIL: no encryption-at-rest=required in the state file" >&2; rc=1; }
$EFS_CTL fs del a256 || rc=1
$EFS_CTL state restore "$EFS_STATE/state" || rc=1
check "restored a256 with policy required" test "$(show a256 EncryptionAtRestPolicy)" = '"required"'

# 7. fscrypt, if this kernel and ext4 allow it
fscrypt_setup() {	# fscrypt_setup MOUNT DIR: a v2 AES-256-XTS/CTS policy on DIR
	python3 - "$1" "$2" <<'EOF'
import fcntl, os, struct, sys
FS_IOC_ADD_ENCRYPTION_KEY = 0xC0506617     # _IOWR('f', 23, 80 bytes)
FS_IOC_SET_ENCRYPTION_POLICY = 0x800C6613  # _IOR('f', 19, 12 bytes)
mnt, d = sys.argv[1], sys.argv[2]
arg = bytearray(80 + 64)
struct.pack_into("<II", arg, 0, 2, 0)      # FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER
struct.pack_into("<II", arg, 40, 64, 0)    # raw_size, key_id
arg[80:] = os.urandom(64)
fd = os.open(mnt, os.O_RDONLY)
fcntl.ioctl(fd, FS_IOC_ADD_ENCRYPTION_KEY, arg, True)
os.close(fd)
ident = bytes(arg[8:24])
policy = bytes([2, 1, 4, 0]) + bytes(4) + ident  # v2, AES-256-XTS, AES-256-CTS
fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
fcntl.ioctl(fd, FS_IOC_SET_ENCRYPTION_POLICY, policy)
os.close(fd)
EOF
}
truncate -s 64M /tmp/efs-fsc.img
mkdir -p /srv/fsc
if mkfs.ext4 -q -F -O encrypt /tmp/efs-fsc.img && mount -o loop /tmp/efs-fsc.img /srv/fsc &&
	mkdir /srv/fsc/enc && fscrypt_setup /srv/fsc /srv/fsc/enc; then
	echo secret >/srv/fsc/enc/f
	check "fs add required on fscrypt AES-256" \
		$EFS_CTL fs add fsc /srv/fsc/enc --encryption-at-rest required
	out=$(show fsc EncryptionAtRest)
	log "fsc: $out"
	check "fsc: fscrypt AES-256-XTS/AES-256-CTS" jqt \
		'.Encrypted and .Method == "fscrypt" and .Cipher == "AES-256-XTS/AES-256-CTS" and .Aes256' <<<"$out"
	check "the fscrypt fs root itself is not encrypted" refused "/srv/fsc is not encrypted" \
		$EFS_CTL fs add fscroot /srv/fsc --encryption-at-rest required
else
	log "fscrypt not available on $EFS_KREL (ext4 -O encrypt or the ioctls): skipped"
fi

# 8. who may reach port 2049: the README's recipe, allowing 10.99.0.0/28
export_tmpfs acc 16M || fail "export acc"
echo "hello from acc" >/srv/acc/hello
read -r fsid <"$EFS_STATE/fsid"	# the one export_tmpfs gave /srv/acc
exportfs -o "rw,no_root_squash,no_subtree_check,insecure,sync,fsid=$fsid" 10.99.0.0/28:/srv/acc ||
	fail "exportfs to the allowed network"
$EFS_CTL fs add acc /srv/acc || fail "fs add acc"
out=$(show acc Exports)
log "acc exports: $out"
check "fs show lists the export's clients" jqt \
	'(map(.Client) | index("10.99.0.0/28") != null) and (map(.Client) | index("*") != null)' <<<"$out"
check "fs show has the options" jqt 'all(.[]; .Options | test("no_subtree_check"))' <<<"$out"
check "fs show has xprtsec for each" jqt 'all(.[]; .Xprtsec | type == "string" and length > 0)' <<<"$out"
$EFS_CTL fs show acc | grep -A3 'exported to' | sed 's/^/    /'

netns_client inside 10.99.0.2 || fail "client inside"
netns_client outside 10.99.0.200 || fail "client outside"
nft -f - <<'EOF' || fail "nft"
table inet efs_nfs {
	set nfs_clients {
		type ipv4_addr
		flags interval
		elements = { 10.99.0.0/28 }
	}
	chain input {
		type filter hook input priority filter; policy accept;
		iif "lo" accept
		tcp dport 2049 ip saddr @nfs_clients accept
		tcp dport 2049 counter drop
	}
}
EOF
nft list table inet efs_nfs | sed 's/^/    /'

connect() { timeout 5 bash -c "exec 3<>/dev/tcp/$EFS_SERVER_IP/2049"; }
check "inside: TCP 2049 connects" in_client inside connect
check "inside: mounts" in_client inside nfs_mount acc /mnt/inside 4.2
check "inside: reads" grep -q "hello from acc" /mnt/inside/hello
nfs_umount /mnt/inside
check "outside: TCP 2049 does not connect" fails in_client outside connect
mkdir -p /mnt/outside
t0=$(date +%s)
check "outside: mount fails" fails in_client outside timeout -s KILL 45 \
	mount -t nfs -o vers=4.2,proto=tcp,soft,timeo=50,retrans=1,retry=0 \
	"$EFS_SERVER_IP:/acc" /mnt/outside
log "outside: mount gave up after $(($(date +%s) - t0)) s"
check "outside: nothing mounted" bash -c "! grep -q ' /mnt/outside ' /proc/mounts"
drops=$(nft list table inet efs_nfs | sed -n 's/.*counter packets \([0-9]*\).*drop.*/\1/p')
log "server dropped $drops packets to 2049"
check "the server's drop rule saw the outside client" test "${drops:-0}" -gt 0
nft delete table inet efs_nfs

exit $rc
