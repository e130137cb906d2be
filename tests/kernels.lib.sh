# shellcheck shell=bash
# Where the test kernels live and how to name one. Sourced by the test,
# demo and bench scripts. The kernels are unpacked by tests/kernels.sh
# (make deps) under $KROOT, a sysroot that is never the host's own.
KROOT=${EFS_KROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/kernels}

# kernels_list: every unpacked release, oldest first.
kernels_list() {
	find "$KROOT/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' 2>/dev/null |
		sed 's/^vmlinuz-//' | sort -V
}

# resolve_krel [WANT]: empty = newest 6.1; a series ("6.1", "6.12") = its
# newest release; otherwise an exact release. Prints nothing if none.
resolve_krel() {
	local want=${1:-6.1}
	if [ -e "$KROOT/boot/vmlinuz-$want" ]; then
		echo "$want"
		return
	fi
	# "6.1" must not match 6.12: the series is followed by . - or +.
	kernels_list | grep -E "^${want//./\\.}[.+-]" | tail -n 1
}
