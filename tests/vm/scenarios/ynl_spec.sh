#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# uapi/efs.yaml describes the family well enough for the kernel's own ynl
# client (tools/net/ynl/cli.py from Debian's linux-source-6.12) to talk to
# the module: version, add, get, dump, set, del; the kernel's policy
# refuses out-of-range values and unprivileged changes.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

YNL=${EFS_YNL:-$EFS_REPO/build/src/linux-source-6.12/tools/net/ynl/cli.py}
[ -f "$YNL" ] || fail "no $YNL (make deps unpacks linux-source-6.12)"
SCHEMA=${YNL%/tools/net/ynl/cli.py}/Documentation/netlink/genetlink.yaml
ynl() { python3 "$YNL" --spec "$EFS_REPO/uapi/efs.yaml" --schema "$SCHEMA" "$@"; }

rc=0
mkdir -p /srv/y
efs_load || fail "efs_load"

out=$(ynl --do version-get) || fail "ynl version-get"
log "version-get: $out"
check "version-get names the version" grep -q "'version': '" <<<"$out"

check "fs-add via ynl" ynl --do fs-add --json '{"fs-name": "y", "fs-path": "/srv/y", "fs-iops-limit": 123, "fs-performance-mode": 1}'
out=$(ynl --do fs-get --json '{"fs-name": "y"}')
check "fs-get shows the limit" grep -q "'fs-iops-limit': 123" <<<"$out"
check "fs-get decodes the enum" grep -q "'fs-performance-mode': 'max-io'" <<<"$out"
check "efsctl sees what ynl made" bash -c "$EFS_CTL fs show y --json | jq -e '.FileSystems[0].IopsLimit == 123' >/dev/null"
out=$(ynl --dump fs-get)
check "fs-get dump lists it" grep -q "'fs-name': 'y'" <<<"$out"
check "fs-set via ynl" ynl --do fs-set --json '{"fs-name": "y", "fs-write-op-weight": 7}'
check "efsctl sees the set" bash -c "$EFS_CTL fs show y --json | jq -e '.FileSystems[0].WriteOpWeight == 7' >/dev/null"
# the kernel keeps the at-rest policy (efsctl, not the kernel, checks the disk)
check "fs-set at-rest policy via ynl" ynl --do fs-set --json '{"fs-name": "y", "fs-at-rest-policy": 1}'
out=$(ynl --do fs-get --json '{"fs-name": "y"}')
check "fs-get decodes the at-rest policy" grep -q "'fs-at-rest-policy': 'required'" <<<"$out"
check "efsctl shows the policy" bash -c "$EFS_CTL fs show y --json | jq -e '.FileSystems[0].EncryptionAtRestPolicy == \"required\"' >/dev/null"

out=$(ynl --do server-get) || rc=1
check "server-get via ynl has the waiting budget" grep -q "'server-max-waiting-effective': " <<<"$out"
check "client-get dump via ynl (no clients yet)" ynl --dump client-get --json '{"fs-name": "y"}'

# The kernel's own checks, without efsctl's in front.
check "policy refuses at-rest policy 2" bash -c "! ynl --do fs-set --json '{\"fs-name\": \"y\", \"fs-at-rest-policy\": 2}' 2>/dev/null"
check "policy refuses weight 0" bash -c "! ynl --do fs-set --json '{\"fs-name\": \"y\", \"fs-write-op-weight\": 0}' 2>/dev/null"
check "policy refuses iops 10^9" bash -c "! ynl --do fs-set --json '{\"fs-name\": \"y\", \"fs-iops-limit\": 1000000000}' 2>/dev/null"
check "provisioned needs a rate" bash -c "! ynl --do fs-set --json '{\"fs-name\": \"y\", \"fs-throughput-mode\": 1}' 2>/dev/null"
check "bad name refused" bash -c "! ynl --do fs-add --json '{\"fs-name\": \"a b\", \"fs-path\": \"/srv\"}' 2>/dev/null"
check "missing path refused" bash -c "! ynl --do fs-add --json '{\"fs-name\": \"z\"}' 2>/dev/null"
# EFS's read and write limits (issue 27): the kernel's own range check
check "fs-set read/write limits via ynl" ynl --do fs-set --json '{"fs-name": "y", "fs-read-iops-limit": 100, "fs-write-iops-limit": 40}'
out=$(ynl --do fs-get --json '{"fs-name": "y"}')
check "fs-get shows them in force" grep -q "'fs-read-iops-effective': 100" <<<"$out"
out=$(ynl --do fs-set --json '{"fs-name": "y", "fs-read-iops-limit": 2500001}' 2>&1)
check "a read limit above 2500000 refused with the kernel's reason" grep -q "read IOPS limit must be at most 2500000" <<<"$out"
out=$(ynl --do fs-set --json '{"fs-name": "y", "fs-write-iops-limit": 500001, "fs-write-op-weight": 9}' 2>&1)
check "a write limit above 500000 refused with the kernel's reason" grep -q "write IOPS limit must be at most 500000" <<<"$out"
check "nothing changed" bash -c "$EFS_CTL fs show y --json | jq -e '.FileSystems[0] | .WriteOpWeight == 7 and .IopsLimit == 100 and .ReadIopsLimitConfigured == 100 and .WriteIopsLimitConfigured == 40 and .CombinedIopsLimit == 123 and .ThroughputMode == \"bursting\"' >/dev/null"
export -f ynl
export YNL SCHEMA EFS_REPO
check "unprivileged fs-del refused" bash -c "! setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all bash -c 'ynl --do fs-del --json \"{\\\"fs-name\\\": \\\"y\\\"}\"' 2>/dev/null"
check "unprivileged fs-get allowed" bash -c "setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all bash -c 'ynl --dump fs-get' | grep -q \"'fs-name': 'y'\""
check "fs-del via ynl" ynl --do fs-del --json '{"fs-name": "y"}'
check "gone" bash -c "[ \"\$($EFS_CTL fs show --json | jq '.FileSystems | length')\" = 0 ]"
efs_unload || rc=1
exit $rc
