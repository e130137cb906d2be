#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bash completion of efsctl (completion/efsctl): subcommands, options,
# mode names, and filesystem names from "efsctl fs show --format names"
# (through the fake family).
#
# usage: completion.sh EFSCTL FAKENL_SO
# Prints PASS/FAIL/SKIP <name> per case (appended to $EFS_RESULTS if set).

EFSCTL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FAKE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
DIR=$(cd "$(dirname "$0")/.." && pwd)
failures=0
result() {
	echo "$1 $2"
	if [ -n "$EFS_RESULTS" ]; then echo "$1 $2" >>"$EFS_RESULTS"; fi
}
if [ ! -f /usr/share/bash-completion/bash_completion ]; then
	result SKIP completion "bash-completion is not installed"
	exit 0
fi
# shellcheck source=/dev/null
. /usr/share/bash-completion/bash_completion
# shellcheck source=../completion/efsctl
. "$DIR/completion/efsctl"

T=$(mktemp -d /tmp/efsctl-compl.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/d"
efsctl() { env LD_PRELOAD="$FAKE" EFS_FAKE_STATE="$T/state" "$EFSCTL" "$@"; }
efsctl fs add alpha "$T/d" && efsctl fs add beta /tmp

# complete LINE: the words bash would offer for the last word of LINE
complete_line() {
	COMP_LINE=$1
	read -r -a COMP_WORDS <<<"$1"
	[[ $1 == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_efsctl efsctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
t() {
	local got
	got=$(complete_line "$2")
	if [ "$got" = "$3" ]; then
		result PASS "$1"
	else
		result FAIL "$1"
		echo "  '$2': got '$got', want '$3'" >&2
		failures=$((failures + 1))
	fi
}
t completion_commands "efsctl " "--help --version apply cluster fs help metrics monitor server state tls version"
t completion_fs "efsctl fs " "add clients del grant set show stats"
t completion_scope "efsctl fs set alpha --scope " "cluster local"
t completion_grant "efsctl fs grant alpha --l" "--lease-ms"
t completion_server "efsctl server " "set show"
t completion_clients_names "efsctl fs clients " "alpha beta"
t completion_per_client "efsctl fs set alpha --per-client-t" "--per-client-throughput-in-mibps"
t completion_state "efsctl state " "restore save"
t completion_tls "efsctl tls " "setup status"
t completion_tls_status "efsctl tls status --" "--help --json"
t completion_cluster "efsctl cluster " "status"
t completion_cluster_status "efsctl cluster status --" "--config --help --json --status-file"
t completion_cluster_status_file "efsctl cluster status --status-file $T/d" "$T/d"
t completion_metrics "efsctl metrics --c" "--cluster-status"
t completion_set_names "efsctl fs set " "alpha beta"
t completion_del_prefix "efsctl fs del a" "alpha"
t completion_perf_modes "efsctl fs add x /srv --performance-mode " "generalPurpose maxIO"
t completion_tp_modes "efsctl fs set alpha --throughput-mode " "bursting elastic provisioned"
t completion_options "efsctl fs set alpha --iops" "--iops-limit"
t completion_rw_options "efsctl fs add x /srv --read-iops" "--read-iops-limit"
t completion_rw_options_write "efsctl fs set alpha --write-i" "--write-iops-limit"
t completion_rw_positional "efsctl fs set --read-iops-limit 100 " "alpha beta"
t completion_at_rest "efsctl fs add alpha /srv --encryption-at-rest r" "required"
t completion_transit "efsctl fs set alpha --transit-encryption " "optional required"
t completion_transit_option "efsctl fs add alpha /srv --trans" "--transit-encryption"
t completion_transit_positional "efsctl fs set --transit-encryption required " "alpha beta"
t completion_options_prov "efsctl fs add x /srv --prov" "--provisioned-throughput-in-mibps"
t completion_show_format "efsctl fs show --format " "conf json names text"
t completion_apply "efsctl apply --d" "--dry-run"
t completion_no_name_after_one "efsctl fs set alpha " ""
exit $((failures > 0))
