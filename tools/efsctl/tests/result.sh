# shellcheck shell=sh
# The command-line tests' verdicts (sourced by tests/cli.sh and
# tests/cluster_cli.sh): one "PASS|FAIL|SKIP name" line each, also appended
# to $EFS_RESULTS if set; fail counts in $failures.
failures=0

result() {
	echo "$1 $2"
	if [ -n "$EFS_RESULTS" ]; then echo "$1 $2" >>"$EFS_RESULTS"; fi
}
pass() { result PASS "$1"; }
fail() {
	result FAIL "$1"
	shift
	echo "  $*" >&2
	failures=$((failures + 1))
}
skip() { result SKIP "$1"; echo "  $2" >&2; }
