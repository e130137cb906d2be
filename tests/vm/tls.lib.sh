# shellcheck shell=bash
# NFS over TLS in the guest, for tests/vm/scenarios/tls_transit.sh and
# tests/bench/tls_guest.sh (source after lib.sh):
#
#   install_mount_efs   tools/mount.efs/mount.efs as /sbin/mount.efs
#   tls_prepare         tlshd's root ready (build/roots/trixie-tls, made by
#                       make deps: tests/setup/tlsroot.sh), tls.ko loaded;
#                       certificates go in $EFS_TLS
#   tlshd_start NAME CONF [NETNS]
#                       tlshd chrooted in that root with CONF, in the init
#                       network namespace or NETNS; log in $EFS_OUT
#
# tlshd serves the network namespace it runs in, so each client namespace
# that mounts with TLS needs its own.

export EFS_TLS_ROOT=$EFS_REPO/build/roots/trixie-tls
export EFS_TLS=/run/efs-tls

# mount -t efs finds its helper in /sbin (= /usr/sbin): a writable copy of
# /usr/sbin with mount.efs in it, bound over the read-only 9p one.
install_mount_efs() {
	mkdir -p /run/efs-sbin
	cp -a /usr/sbin/. /run/efs-sbin/ || return 1
	cp "$EFS_REPO/tools/mount.efs/mount.efs" /run/efs-sbin/mount.efs || return 1
	chmod 755 /run/efs-sbin/mount.efs
	mount --bind /run/efs-sbin /usr/sbin
}

tls_prepare() {
	local r=$EFS_TLS_ROOT
	[ -x "$r/usr/sbin/tlshd" ] || { log "no tlshd in $r (make deps: tests/setup/tlsroot.sh)" >&2; return 1; }
	log "tlshd: $(cat "$r/.version" 2>/dev/null)"
	modprobe tls || return 1
	mkdir -p "$EFS_TLS"
	# /run (the certificates) and /dev at the same paths inside the root
	mount -t proc proc "$r/proc" || return 1
	mount --bind /run "$r/run" || return 1
	mount --bind /dev "$r/dev"
}

tlshd_start() {
	local name=$1 conf=$2 ns=${3:-} pid
	if [ -n "$ns" ]; then
		nsenter --net="/run/netns/$ns" -- chroot "$EFS_TLS_ROOT" \
			/usr/sbin/tlshd -s -c "$conf" >"$EFS_OUT/tlshd-$name.log" 2>&1 &
	else
		chroot "$EFS_TLS_ROOT" /usr/sbin/tlshd -s -c "$conf" \
			>"$EFS_OUT/tlshd-$name.log" 2>&1 &
	fi
	pid=$!
	echo $pid >"$EFS_TLS/tlshd-$name.pid"
	# up once it has said which build it is (its first line), or gone
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		grep -q 'Built from' "$EFS_OUT/tlshd-$name.log" 2>/dev/null && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.3
	done
	sleep 0.5	# then it joins the handshake family's multicast group
	kill -0 $pid 2>/dev/null || { cat "$EFS_OUT/tlshd-$name.log"; return 1; }
	log "tlshd $name: pid $pid (${ns:-init} netns, $conf)"
}
