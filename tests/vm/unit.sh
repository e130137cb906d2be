# shellcheck shell=bash
# Run a systemd unit's Exec lines the way systemd would, in a guest whose
# PID 1 is not systemd: unit_action UNIT start|reload|stop runs every
# ExecStart= (ExecReload=, ExecStop=) line in order, stops at the first
# failing one unless it is prefixed "-" (systemd ignores those failures),
# and returns 1 if a line without "-" failed.
#
# UNIT_MAP (optional): "FROM=TO" words applied to each command line first,
# for the programs a guest runs from the build tree instead of their
# installed places (e.g. "/usr/sbin/efsctl=$EFS_CTL").

unit_lines() { # UNIT KEY: the values of KEY= lines, in order
	sed -n "s/^$2=//p" "$1"
}

unit_action() { # UNIT start|reload|stop
	local unit=$1 key line cmd m lines
	case $2 in
	start) key=ExecStart ;;
	reload) key=ExecReload ;;
	stop) key=ExecStop ;;
	*) echo "unit_action: $2?" >&2; return 2 ;;
	esac
	# (no process substitution: the guest has no /dev/fd)
	lines=$(unit_lines "$unit" "$key")
	[ -n "$lines" ] || { log "unit $2: no $key= in $unit"; return 1; }
	while IFS= read -r line; do
		local ignore=0
		if [ "${line#-}" != "$line" ]; then
			ignore=1
			line=${line#-}
		fi
		cmd=$line
		for m in $UNIT_MAP; do
			cmd=${cmd//"${m%%=*}"/"${m#*=}"}
		done
		log "unit $2: $line"
		# shellcheck disable=SC2086 # systemd splits the line into words
		if ! $cmd; then
			if [ $ignore = 1 ]; then
				log "unit $2: '$line' failed (ignored: '-' prefix)"
			else
				log "unit $2: '$line' failed"
				return 1
			fi
		fi
	done <<<"$lines"
	return 0
}
