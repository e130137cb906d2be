// SPDX-License-Identifier: GPL-2.0
/* Quorum and corosync's configuration (see quorum.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corosync/cmap.h>

#include "backend.h"
#include "quorum.h"

static void on_quorum(quorum_handle_t h, uint32_t quorate,
		      struct quorum_ring_id ring, uint32_t n,
		      const uint32_t *members)
{
	const void *ctx = NULL;
	struct ecl_quorum *q;
	struct ecl_ring r = { ring.nodeid, ring.seq };

	(void)n;
	(void)members;
	quorum_context_get(h, &ctx);
	q = (struct ecl_quorum *)ctx;
	ecl_node_quorum(q->node, quorate, &r, ecl_now_us());
}

static void on_nodelist(quorum_handle_t h, struct quorum_ring_id ring,
			uint32_t nm, const uint32_t *m, uint32_t nj,
			const uint32_t *j, uint32_t nl, const uint32_t *l)
{
	(void)h; (void)ring; (void)nm; (void)m; (void)nj; (void)j; (void)nl;
	(void)l;
}

int ecl_quorum_open(struct ecl_quorum *q, struct ecl_node *node, char *err,
		    size_t errlen)
{
	quorum_model_v1_data_t model = {
		.model = QUORUM_MODEL_V1,
		.quorum_notify_fn = on_quorum,
		.nodelist_notify_fn = on_nodelist,
	};
	uint32_t type = 0;
	cs_error_t rc;

	memset(q, 0, sizeof(*q));
	q->node = node;
	q->fd = -1;
	rc = quorum_model_initialize(&q->h, QUORUM_MODEL_V1,
				     (quorum_model_data_t *)&model, &type, q);
	if (rc != CS_OK) {
		snprintf(err, errlen, "quorum_model_initialize: error %d", rc);
		return -ENOTCONN;
	}
	q->open = true;
	q->provider = type == QUORUM_SET;
	if (!q->provider) {
		/* nothing to track: the engine is told quorate per ring */
		quorum_finalize(q->h);
		q->open = false;
		return 0;
	}
	rc = quorum_fd_get(q->h, &q->fd);
	if (rc == CS_OK)
		rc = quorum_trackstart(q->h, CS_TRACK_CURRENT | CS_TRACK_CHANGES);
	if (rc != CS_OK) {
		snprintf(err, errlen, "quorum_trackstart: error %d", rc);
		ecl_quorum_close(q);
		return -EIO;
	}
	return 0;
}

int ecl_quorum_dispatch(struct ecl_quorum *q)
{
	cs_error_t rc;

	if (!q->open)
		return 0;
	rc = quorum_dispatch(q->h, CS_DISPATCH_ALL);
	return rc == CS_OK || rc == CS_ERR_TRY_AGAIN ? 0 : -ENOTCONN;
}

void ecl_quorum_close(struct ecl_quorum *q)
{
	if (q->open)
		quorum_finalize(q->h);
	q->open = false;
	q->fd = -1;
}

uint32_t ecl_cmap_detect_ms(void)
{
	cmap_handle_t h;
	uint32_t token = 0, consensus = 0;

	if (cmap_initialize(&h) != CS_OK)
		return 0;
	if (cmap_get_uint32(h, "runtime.config.totem.token", &token) != CS_OK)
		token = 0;
	if (cmap_get_uint32(h, "runtime.config.totem.consensus",
			    &consensus) != CS_OK)
		consensus = token + token / 5;	/* corosync's default */
	cmap_finalize(h);
	return token ? token + consensus : 0;
}

uint32_t ecl_cmap_nodes(uint32_t *ids, uint32_t max)
{
	char key[CMAP_KEYNAME_MAXLEN + 1];
	cmap_iter_handle_t it;
	cmap_handle_t h;
	uint32_t n = 0;

	if (cmap_initialize(&h) != CS_OK)
		return 0;
	if (cmap_iter_init(h, "nodelist.node.", &it) == CS_OK) {
		size_t len;
		cmap_value_types_t type;

		while (n < max &&
		       cmap_iter_next(h, it, key, &len, &type) == CS_OK) {
			size_t kl = strlen(key);
			uint32_t id;

			if (kl < 7 || strcmp(key + kl - 7, ".nodeid"))
				continue;
			if (cmap_get_uint32(h, key, &id) == CS_OK)
				ids[n++] = id;
		}
		cmap_iter_finalize(h, it);
	}
	cmap_finalize(h);
	return n;
}
