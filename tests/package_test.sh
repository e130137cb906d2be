#!/bin/bash
# The Debian packages end to end, on this machine (as root):
#   make deb; install efs-dkms, efsctl and efs-clusterd; man pages,
#   efs.service and efs-clusterd.service in place (systemd-analyze
#   verify; efs-clusterd's not enabled); DKMS builds efs for every test kernel
#   (headers unpacked under build/kernels, not installed: dkms -k KREL
#   --kernelsourcedir DIR); a VM per kernel loads the DKMS-built module
#   with plain "modprobe efs" and throttles (tests/vm/scenarios/
#   package_dkms.sh); then the packages are purged and the machine is as
#   it was (checked).
#
# usage: tests/package_test.sh [KREL...]   (default: every test kernel)
# EFS_PACKAGE_VM_KERNELS: the kernels among them that get the VM (default:
# all; make check boots the first only, DKMS still builds for every one).
# Prints PASS/FAIL lines (appended to $EFS_RESULTS if set); exit status 1
# if any failed. Refuses to run if efs-dkms, efsctl or efs-clusterd is
# installed already.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 2
KERNELS=${*:-$(tests/setup/kernels.sh --list)}
VM_KERNELS=${EFS_PACKAGE_VM_KERNELS-$KERNELS}
VERSION=$(sed -n 's/^#define EFS_VERSION "\(.*\)"/\1/p' module/efs.h)
failed=0

result() {
	echo "$1 $2"
	if [ -n "${EFS_RESULTS:-}" ]; then echo "$1 $2" >>"$EFS_RESULTS"; fi
	[ "$1" = PASS ] || failed=1
}
check() { # NAME CMD...
	local name=$1
	shift
	if "$@"; then result PASS "$name"; else result FAIL "$name"; fi
}
installed() { dpkg-query -W -f '${Status}\n' "$1" 2>/dev/null | grep -q 'install ok installed'; }

[ "$(id -u)" = 0 ] || { echo "package_test: must run as root" >&2; exit 2; }
for p in efs-dkms efsctl efs-clusterd; do
	if installed $p; then
		echo "package_test: $p is installed on this machine; not touching it" >&2
		exit 2
	fi
done
# what the packages own must not be there before (so that after the purge
# "as it was" means "not there")
leftovers() {
	local p
	for p in /usr/src/efs-$VERSION /var/lib/dkms/efs /usr/sbin/efsctl \
		/etc/efs /var/lib/efs /lib/systemd/system/efs.service \
		/usr/share/man/man8/efsctl.8.gz /usr/share/man/man5/efs.conf.5.gz \
		/usr/share/bash-completion/completions/efsctl /usr/sbin/mount.efs \
		/usr/share/man/man8/mount.efs.8.gz /usr/sbin/efs-clusterd \
		/lib/systemd/system/efs-clusterd.service \
		/usr/share/man/man8/efs-clusterd.8.gz; do
		[ -e "$p" ] && echo "$p"
	done
}
# DKMS makes a signing key (MOK) on its first build; keep one that was
# there, remove one this test made
mok_before=$(ls /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)
before=$(leftovers)
[ -z "$before" ] || { echo "package_test: already present: $before" >&2; exit 2; }

# shellcheck disable=SC2317 # the EXIT trap
purge() {
	dpkg --purge efs-clusterd efsctl efs-dkms >/dev/null 2>&1
}
trap purge EXIT

check package_build make --no-print-directory deb
debs=(build/deb/efs-dkms_"$VERSION"_all.deb build/deb/efsctl_"$VERSION"_amd64.deb
	build/deb/efs-clusterd_"$VERSION"_amd64.deb)
check package_install dpkg -i "${debs[@]}"
check package_man_pages bash -c 'man -w efsctl && man -w 8 efsctl && man -w 5 efs.conf'
check package_unit_verify systemd-analyze verify /lib/systemd/system/efs.service
check package_completion test -f /usr/share/bash-completion/completions/efsctl
check package_mount_efs bash -c 'test -x /sbin/mount.efs && man -w 8 mount.efs'
check package_conffile dpkg-query --control-show efsctl conffiles
check package_clusterd bash -c 'man -w efs-clusterd && man -w 5 cluster.conf &&
	systemd-analyze verify /lib/systemd/system/efs-clusterd.service &&
	dpkg-query --control-show efs-clusterd conffiles | grep -qx /etc/efs/cluster.conf &&
	! systemctl is-enabled efs-clusterd >/dev/null 2>&1 &&
	/usr/sbin/efs-clusterd --check -c /etc/efs/cluster.conf'

for k in $KERNELS; do
	hdr=$REPO/build/kernels/usr/src/linux-headers-$k
	check "package_dkms_build [$k]" \
		dkms build -m efs -v "$VERSION" -k "$k" --kernelsourcedir "$hdr"
	ko=$(find "/var/lib/dkms/efs/$VERSION/$k" -name 'efs.ko*' 2>/dev/null | head -1)
	if [ -z "$ko" ]; then
		result FAIL "package_vm [$k]"
		continue
	fi
	case " $VM_KERNELS " in *" $k "*) ;; *) continue ;; esac
	# What "dkms install" does to an installed kernel, done to the
	# unpacked one in a tree of its own (the guest mounts it on
	# /lib/modules/$k): the kernel's modules (a symlink: depmod follows
	# it), efs.ko in updates/dkms, and depmod -- here on the host, which
	# is fast, not over 9p in the guest.
	mroot=$REPO/build/dkms-root
	mdir=$mroot/lib/modules/$k
	kmods=$REPO/build/kernels/lib/modules/$k
	rm -rf "$mroot" && mkdir -p "$mdir/updates/dkms"
	ln -s "$kmods/kernel" "$mdir/kernel"
	cp "$kmods"/modules.order "$kmods"/modules.builtin* "$mdir/"
	cp "$ko" "$mdir/updates/dkms/"
	if depmod -b "$mroot" "$k"; then
		check "package_vm [$k]" tests/vm/run.sh -k "$k" package_dkms \
			"$mdir/updates/dkms/$(basename "$ko")"
	else
		result FAIL "package_vm [$k]"
	fi
	rm -rf "$mroot"
done

check package_purge dpkg --purge efs-clusterd efsctl efs-dkms
[ -n "$mok_before" ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
after=$(leftovers)
check package_machine_as_before test -z "$after"
[ -z "$after" ] || echo "  left behind: $after"
check package_not_installed bash -c '! dpkg-query -W efsctl efs-dkms efs-clusterd 2>/dev/null | grep -q .'
exit $failed
