/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration options of "fs add" and "fs set": their table, their
 * value syntax and ranges, and their help text.
 */
#ifndef EFSCTL_FS_OPTS_H
#define EFSCTL_FS_OPTS_H

#include "fsinfo.h"
#include "opts.h"

enum {
	FS_OPT_VERBOSE = 1,
	FS_OPT_JSON,
	FS_OPT_WATCH,
	FS_OPT_CONFIG,		/* ids from here on are configuration options */
};

/* --perf... through --cluster-heads, plus -v/--verbose. */
extern const struct opt_def efs_fs_config_opts[];

/*
 * Check the value of every configuration option in o and record it in cfg.
 * Prints "efsctl: <words>: --opt: invalid value 'x' (expected ...)" and
 * returns -1 on the first bad one.
 */
int efs_fs_config_parse(const struct opts *o, struct efs_fs_config *cfg);

/*
 * One configuration option by name (without "--"), as efs.conf has them:
 * sets *attr and *v and returns 0; -ENOENT for an unknown name, -EINVAL
 * for a bad value, with the problem in why ("invalid value 'x' (expected
 * ...)", the words "fs add" prints after "--opt: ").
 */
int efs_fs_opt_parse(const char *name, const char *value, int *attr,
		     uint64_t *v, char *why, size_t len);
/* The option name of a configuration attribute, or NULL. */
const char *efs_fs_opt_name(int attr);
/* The attribute of the i-th option in table order, or -1 past the end. */
int efs_fs_opt_attr(unsigned int i);
/* v as the option's value syntax ("maxIO", "2.5", "auto", "100"). */
char *efs_fs_opt_format(int attr, uint64_t v, char *buf, size_t len);

/*
 * The kernel's defaults of every configuration attribute but the credit
 * balance (uapi/linux/efs.h): what a filesystem has when efs.conf does not
 * say otherwise.
 */
void efs_fs_config_defaults(struct efs_fs_config *cfg);
/*
 * "required" or "optional": enum efs_at_rest_policy and enum
 * efs_transit_policy, which have the same values.
 */
const char *efs_policy_str(uint64_t v);
/* enum efs_scope: "local" or "cluster" */
const char *efs_scope_str(uint64_t v);
int efs_scope_parse(const char *s, uint64_t *v);

#define EFS_FS_OPTS_HELP \
"  --performance-mode generalPurpose|maxIO\n" \
"        (default generalPurpose: EFS's read and write IOPS limits by\n" \
"        throughput mode; maxIO: a combined budget of 500000 units/s)\n" \
"  --read-iops-limit N\n" \
"        data and metadata reads a second, 0..2500000 (default 0: the\n" \
"        throughput mode's, as EFS: bursting 35000, provisioned 55000,\n" \
"        elastic 250000; maxIO none)\n" \
"  --write-iops-limit N\n" \
"        data writes and metadata updates a second, 0..500000 (default 0:\n" \
"        bursting 7000, provisioned 25000, elastic 50000; maxIO none)\n" \
"  --iops-limit N\n" \
"        the older model: one combined budget in units/s, a read costing\n" \
"        1 unit and a write --write-op-weight, 0..100000000 (default 0:\n" \
"        none for generalPurpose, 35000 units/s for a cluster one;\n" \
"        500000 units/s for maxIO); applies on top of the read and\n" \
"        write limits\n" \
"  --write-op-weight N\n" \
"        units of the combined budget a data write or metadata update\n" \
"        costs (a read costs 1), 1..1000 (default 5)\n" \
"  --max-wait-ms N\n" \
"        longest a throttled request waits before the client is told to\n" \
"        retry (NFS4ERR_DELAY), 0..60000 ms (default 1000)\n" \
"  --max-waiters N\n" \
"        nfsd threads that may wait for this filesystem at once, 0..4096\n" \
"        (default 0: no limit of its own; the server-wide budget,\n" \
"        'efsctl server set --max-waiting-threads', and its fair share\n" \
"        of it apply to every filesystem)\n" \
"  --throughput-mode bursting|provisioned|elastic\n" \
"        (default bursting)\n" \
"  --provisioned-throughput-in-mibps N\n" \
"        MiB/s for provisioned mode, may be fractional (2.5),\n" \
"        at least 1, at most 1048576\n" \
"  --metered-size BYTES|auto\n" \
"        size S the bursting budget derives from\n" \
"        (default auto: sampled from the filesystem)\n" \
"  --burst-credit-balance BYTES\n" \
"        set the credit balance (a new filesystem starts with 2.1 TiB)\n" \
"  --read-metering-ratio N\n" \
"        reads are metered at 1/N of their bytes, 1..1000 (default 3)\n" \
"  --size-sample-interval-ms N\n" \
"        how often S is sampled, 100..3600000 ms (default 30000)\n" \
"  --credit-low-percent N\n" \
"        credits-low event below N % of the largest balance,\n" \
"        0..100 (default 10)\n" \
"  --per-client-throughput-in-mibps N\n" \
"        metered MiB/s one client may use on this filesystem, may be\n" \
"        fractional; 0 = none; 'default' (the default) = 500 in bursting\n" \
"        and provisioned mode, 1500 in elastic, as EFS\n" \
"  --per-client-iops-limit N\n" \
"        units/s one client may use, 0..100000000 (default 0: none)\n" \
"  --client-idle-seconds N\n" \
"        a client not seen for N s is forgotten (and no longer counts\n" \
"        in ClientConnections), 1..86400 (default 60)\n" \
"  --encryption-at-rest optional|required\n" \
"        required: refuse the filesystem (add, set, apply) unless its\n" \
"        data is encrypted at rest with AES-256 (dm-crypt/LUKS under it,\n" \
"        or an fscrypt policy on PATH); checked by efsctl, kept by the\n" \
"        kernel (default optional)\n" \
"  --transit-encryption optional|required\n" \
"        required: the kernel refuses every request to this filesystem\n" \
"        that did not come over RPC-with-TLS (NFS4ERR_WRONGSEC,\n" \
"        NFS3ERR_ACCES; lockd is exempt); a kernel without server-side\n" \
"        TLS (before Linux 6.4) refuses required (default optional)\n" \
"  --scope local|cluster\n" \
"        cluster: the budget is shared with other NFS heads serving the\n" \
"        same filesystem (efs-clusterd grants this head its share as a\n" \
"        lease; see 'efsctl fs grant'); until the first grant and when a\n" \
"        lease runs out, the head runs at the safe share, the budget\n" \
"        divided by the heads (default local: the budget is this head's)\n" \
"  --cluster-heads N\n" \
"        heads assumed to share a cluster filesystem until a grant tells\n" \
"        the membership, 1..1024 (default 2)\n" \
"  -v, --verbose\n" \
"        print a confirmation line\n" \
"  -h, --help\n" \
"\n" \
"BYTES: a number of bytes, or a number (may be fractional) with a binary\n" \
"suffix K/KiB, M/MiB, G/GiB, T/TiB, P/PiB, e.g. 100GiB, 2.1TiB;\n" \
"at most 1 EiB. Options may be written --opt VALUE or --opt=VALUE.\n"

#endif
