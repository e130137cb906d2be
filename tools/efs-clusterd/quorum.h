/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether this side is quorate (libquorum, with the ring it applies to),
 * and what corosync's configuration says: its failure detection time
 * (totem token + consensus) and the configured node ids (libcmap).
 */
#ifndef ECL_QUORUM_H
#define ECL_QUORUM_H

#include <corosync/quorum.h>

#include "node.h"

struct ecl_quorum {
	quorum_handle_t h;
	bool open;
	bool provider;		/* a quorum provider is configured */
	int fd;
	struct ecl_node *node;
};

int ecl_quorum_open(struct ecl_quorum *q, struct ecl_node *node, char *err,
		    size_t errlen);
int ecl_quorum_dispatch(struct ecl_quorum *q);
void ecl_quorum_close(struct ecl_quorum *q);

/*
 * From cmap: token + consensus in ms (0 if unknown), and the node ids of
 * the nodelist (returns how many, up to max).
 */
uint32_t ecl_cmap_detect_ms(void);
uint32_t ecl_cmap_nodes(uint32_t *ids, uint32_t max);

#endif /* ECL_QUORUM_H */
