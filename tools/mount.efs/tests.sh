#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command-line tests of mount.efs: the options it builds (-f prints the
# mount.nfs command), its usage errors, and the TLS checks that need no
# mount (no tlshd here). No NFS server needed.
#
# usage: tests.sh MOUNT_EFS
# Prints PASS/FAIL <name> per case (appended to $EFS_RESULTS if set).
ME=$1
failures=0
result() {
	echo "$1 $2"
	if [ -n "${EFS_RESULTS:-}" ]; then echo "$1 $2" >>"$EFS_RESULTS"; fi
}
# t NAME WANT_STATUS WANT_OUTPUT(substring of stdout+stderr) ARGS...
t() {
	name=$1 want=$2 text=$3
	shift 3
	got=$(sh "$ME" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		result FAIL "$name"
		echo "  mount.efs $*: exit $rc, want $want: $got" >&2
		failures=$((failures + 1))
	elif [ -n "$text" ] && ! printf '%s' "$got" | grep -qF -- "$text"; then
		result FAIL "$name"
		echo "  mount.efs $*: output '$got' lacks '$text'" >&2
		failures=$((failures + 1))
	else
		result PASS "$name"
	fi
}
D="vers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport"
t mount_efs_defaults 0 "mount.nfs srv:/home /mnt -o $D" -f srv:/home /mnt
t mount_efs_tls 0 "-o $D,xprtsec=tls" -f srv:/home /mnt -o tls
t mount_efs_mtls 0 ",xprtsec=mtls" -f srv:/home /mnt -o mtls
t mount_efs_notls 0 "-o $D" -f srv:/home /mnt -o tls,notls
t mount_efs_override 0 "-o vers=4.2,soft,ro,rsize=1048576,wsize=1048576,timeo=600,retrans=2,noresvport" \
	-f srv:/home /mnt -o vers=4.2,soft,ro
t mount_efs_o_joined 0 "-o resvport,vers=4.1" -f srv:/a /mnt -oresvport
t mount_efs_minorversion 0 "minorversion=2,vers=4," -f srv:/a /mnt -o minorversion=2
t mount_efs_v6 0 "mount.nfs [fd00::1]:/a /mnt" -f '[fd00::1]:/a' /mnt
t mount_efs_help 0 "mount -t efs [-o OPTIONS] SERVER:/PATH DIR" --help
t mount_efs_unknown 1 "mount.efs: unknown option 'bogus'" -f srv:/a /mnt -o rw,bogus
t mount_efs_unknown_arg 1 "mount.efs: unknown argument '-q'" -q srv:/a /mnt
t mount_efs_xprtsec 1 "use -o tls or -o mtls, not xprtsec=" -f srv:/a /mnt -o xprtsec=tls
t mount_efs_tls_value 1 "option 'tls=1' takes no value" -f srv:/a /mnt -o tls=1
t mount_efs_both 1 "tls and mtls exclude each other" -f srv:/a /mnt -o tls,mtls
t mount_efs_v3 1 "vers=3: efs mounts NFSv4.1 or later" -f srv:/a /mnt -o vers=3
t mount_efs_v40 1 "vers=4.0: efs mounts NFSv4.1 or later" -f srv:/a /mnt -o nfsvers=4.0
t mount_efs_udp 1 "proto=udp: efs mounts over TCP" -f srv:/a /mnt -o proto=udp
t mount_efs_iam 1 "option 'iam' of Amazon's EFS helper is not supported" -f srv:/a /mnt -o tls,iam
t mount_efs_spec 1 "'srv' is not SERVER:/PATH" srv /mnt
t mount_efs_missing 1 "usage: mount.efs SERVER:/PATH DIR" srv:/a
t mount_efs_extra 1 "unexpected argument 'x'" srv:/a /mnt x
# a TLS mount with no tlshd (none runs in this test's network namespace,
# or the kernel has no RPC-with-TLS client): refused before mount.nfs runs
if ! pgrep -x tlshd >/dev/null 2>&1; then
	MOUNT_EFS_MOUNT_NFS=false t mount_efs_no_tlshd 32 "mount.efs: " srv:/a /mnt -o tls
fi
[ $failures -eq 0 ]
