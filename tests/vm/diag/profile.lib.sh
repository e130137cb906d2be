# shellcheck shell=bash
# Shared by the diag scripts: the guest's CPU from /proc/stat.
# cpu: "BUSY IDLE" jiffies so far; busy B0 I0 B1 I1: busy% between two.
cpu() { awk '/^cpu /{print $2+$3+$4+$6+$7+$8, $5}' /proc/stat; }
busy() {
	awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" \
		'BEGIN{printf "%.1f%% busy\n", 100*(c-a)/((c-a)+(d-b))}'
}
