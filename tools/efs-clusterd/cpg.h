/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPG group of the cluster's heads: join, multicast in agreed order
 * (queued while corosync applies flow control, so the order of our own
 * messages never changes), and hand deliveries and membership changes to
 * the engine.
 */
#ifndef ECL_CPG_H
#define ECL_CPG_H

#include <corosync/cpg.h>

#include "node.h"

struct ecl_out {
	struct ecl_out *next;
	size_t len;
	unsigned char buf[];
};

struct ecl_cpg {
	cpg_handle_t h;
	bool open;
	int fd;
	uint32_t nodeid;
	struct cpg_name group;
	struct ecl_node *node;
	struct ecl_out *q, **qtail;
	size_t qlen;
	uint64_t sent, try_again;
	bool assume_quorate;	/* no quorum provider: every ring is quorate */
};

/* connects and joins group "efs:<name>"; 0 or -errno with err set */
int ecl_cpg_open(struct ecl_cpg *c, const char *name, struct ecl_node *node,
		 char *err, size_t errlen);
/* < 0 when corosync went away */
int ecl_cpg_dispatch(struct ecl_cpg *c);
int ecl_cpg_send(struct ecl_cpg *c, const void *buf, size_t len);
/* sends what is queued; < 0 if the connection is gone */
int ecl_cpg_flush(struct ecl_cpg *c);
void ecl_cpg_close(struct ecl_cpg *c, bool leave);

#endif /* ECL_CPG_H */
