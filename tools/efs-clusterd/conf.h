/* SPDX-License-Identifier: GPL-2.0 */
/*
 * /etc/efs/cluster.conf (cluster.conf(5)), read with libinih. Every key is
 * checked: an unknown section or key, or a value out of range, is an error
 * naming the file, the line and what is allowed.
 */
#ifndef ECL_CONF_H
#define ECL_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef ECL_SYSCONFDIR
#define ECL_SYSCONFDIR "/etc"
#endif
#define ECL_CONF_DEFAULT	ECL_SYSCONFDIR "/efs/cluster.conf"
#ifndef ECL_RUNDIR
#define ECL_RUNDIR "/run"
#endif
/* what `efsctl cluster status` reads; systemd's RuntimeDirectory=efs */
#define ECL_STATUS_DEFAULT	ECL_RUNDIR "/efs/cluster.json"

struct ecl_conf {
	char name[64];		/* [cluster] name: the CPG group is efs:<name> */
	uint32_t tick_ms;	/* [cluster] tick */
	uint32_t lease_ms;	/* [cluster] lease */
	uint32_t forget_ms;	/* [cluster] forget */
	int64_t detect_ms;	/* [cluster] detection, -1 = auto (cmap) */
	bool strict;		/* [cluster] on-partition */
	uint32_t min_share_pct;	/* [cluster] min-share */
	uint32_t headroom_pct;	/* [cluster] headroom */
	char node_name[64];	/* [daemon] node-name, "" = host name */
	char backend[PATH_MAX];	/* [daemon] backend: netlink | script:FILE */
	char record[PATH_MAX];	/* [daemon] record (script backend) */
	char status[PATH_MAX];	/* [daemon] status-file, "" = off */
};

void ecl_conf_defaults(struct ecl_conf *c);
/*
 * Reads path over c (defaults first). Returns 0, or -1 with a message
 * "path:line: ..." in err. A missing file is an error unless
 * missing_ok (then the defaults stand).
 */
int ecl_conf_load(const char *path, struct ecl_conf *c, bool missing_ok,
		  char *err, size_t errlen);
/* status-file's value: "" and "none" turn the status file off */
void ecl_conf_set_status(struct ecl_conf *c, const char *v);
/* "200ms", "2s", "1.5s", "2m", or a bare number of milliseconds */
int ecl_parse_duration_ms(const char *s, uint64_t *ms);

#endif /* ECL_CONF_H */
