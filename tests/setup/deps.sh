#!/bin/sh
# Install what efs needs to build, test and demo, from Debian's archive
# only (make deps). With --demo, only what make demo needs: the module's
# and efsctl's build, the VM and its guest's NFS server and fio, gnuplot
# for the picture (make deps-demo). Idempotent: a second run installs
# nothing new. Safe on a real NFS
# server: it installs only packages that are missing (never upgrades one
# that is there), starts no daemon it installs (policy-rc.d; corosync and
# prometheus are not enabled either: the tests run their own), adds no apt
# sources, and installs no kernel; the test
# kernels are unpacked under build/kernels/ by tests/setup/kernels.sh instead, so
# the machine boots what it booted before.
#
#   VM:      qemu-system-x86 (TCG), busybox-static for the initramfs
#   guest:   nfs-kernel-server, nfs-common, fio, xfsprogs, iproute2
#   tools:   libmnl-dev, pkg-config, dwarves (pahole), bpftool, jq,
#            libbpf-dev (efs-btf-check)
#   kernels: mmdebstrap (build roots for kernels Debian 12's gcc cannot
#            build for: tests/setup/buildroot.sh, under build/roots/)
#   KUnit:   linux-source-6.1 (UML build), flex, bison, bc
#   debug kernel: libelf-dev (objtool), libssl-dev (certs), with the above
#            (make check-debug: tests/setup/debug-kernel.sh)
#   YNL:     python3-yaml, python3-jsonschema (cli.py: tests/setup/kernels.sh)
#   bench:   gnuplot-nox
#   metrics: prometheus (for promtool check metrics)
#   config:  libinih-dev (efs.conf parser), bash-completion (its test)
#   package: debhelper, dh-dkms, dkms, lintian, fakeroot (make deb; the
#            package test); man-db (man -w efsctl)
#   fuzzing: clang, libclang-rt-14-dev (libFuzzer, ASan and UBSan runtimes:
#            make -C tools/efsctl fuzz test-sanitize)
#   security: cryptsetup-bin, dmsetup (LUKS and dm stacks), nftables (the
#            port 2049 recipe): tests/vm/scenarios/at_rest_access.sh;
#            openssl (efsctl tls setup). tlshd (ktls-utils) is not in
#            Debian 12: make deps runs tests/setup/tlsroot.sh after this script,
#            which installs trixie's ktls-utils in an mmdebstrap root
#            under build/roots/trixie-tls (nothing on the host)
#   faults:  strace (efsctl_errors fails efsctl's Nth netlink request to
#            check that apply undoes what it changed)
set -eu

[ "$(id -u)" = 0 ] || { echo "deps: must run as root (apt-get)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
demo=0
case ${1:-} in
--demo) demo=1 ;;
"") ;;
*) echo "usage: deps.sh [--demo]" >&2; exit 2 ;;
esac

# make demo: tests/demo.sh (efs.ko for 6.1, efsctl) and tests/demo/guest.sh
# (knfsd, fio, netns clients, jq), tests/vm/run.sh (qemu, the busybox
# initramfs, the xz vmlinux), the plot.
demo_pkgs="gcc make libc6-dev kmod cpio xz-utils
	qemu-system-x86 busybox-static
	nfs-kernel-server nfs-common rpcbind fio iproute2
	libmnl-dev libinih-dev pkg-config jq
	gnuplot-nox"

pkgs="build-essential make gcc bc flex bison kmod cpio xz-utils zstd libelf-dev libssl-dev
	linux-source-6.1
	qemu-system-x86 busybox-static
	nfs-kernel-server nfs-common rpcbind fio xfsprogs e2fsprogs iproute2
	libmnl-dev pkg-config dwarves bpftool jq python3 python3-yaml python3-jsonschema
	libbpf-dev mmdebstrap
	gnuplot-nox prometheus
	libinih-dev bash-completion debhelper dh-dkms dkms lintian fakeroot man-db
	clang libclang-rt-14-dev
	cryptsetup-bin dmsetup nftables openssl
	strace corosync libcpg-dev libquorum-dev libcmap-dev"

[ "$demo" = 1 ] && pkgs=$demo_pkgs
missing=
for p in $pkgs; do
	dpkg-query -W -f '${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
# Daemons the tests only run themselves (corosync in namespaces, promtool
# from prometheus): installed here, they are neither started nor enabled,
# so that make deps on a real server leaves what runs there as it was.
quiet_daemons="corosync prometheus"
if [ -n "$missing" ]; then
	apt-get update -q || true
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=1
	fi
	# shellcheck disable=SC2086 # a list of package names
	apt-get install -y -q --no-install-recommends --no-upgrade $missing
	rc=$?
	[ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
	for d in $quiet_daemons; do
		case " $missing " in
		*" $d "*) systemctl disable "$d.service" >/dev/null 2>&1 || true ;;
		esac
	done
	[ "$rc" = 0 ] || exit "$rc"
fi

# KUnit and checkpatch work from the unpacked 6.1 kernel source.
d=/usr/src/linux-source-6.1
[ "$demo" = 1 ] || [ -d "$d" ] || tar -C /usr/src -xf "$d.tar.xz"
echo "deps: ok${missing:+ (installed$missing)}"
