// SPDX-License-Identifier: GPL-2.0
/* The heads' CPG group (see cpg.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "cpg.h"

#define QUEUE_MAX	(64U << 20)	/* bytes waiting for flow control */

static struct ecl_cpg *ctx_of(cpg_handle_t h)
{
	void *ctx = NULL;

	cpg_context_get(h, &ctx);
	return ctx;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group,
		       uint32_t nodeid, uint32_t pid, void *msg, size_t len)
{
	struct ecl_cpg *c = ctx_of(h);

	(void)group;
	ecl_node_deliver(c->node, nodeid, pid, msg, len, ecl_now_us());
}

static uint32_t reason_of(uint32_t r)
{
	switch (r) {
	case CPG_REASON_LEAVE:
	case CPG_REASON_PROCDOWN:
		return ECL_LEFT_PROC;
	default:	/* NODEDOWN, or anything we do not know: assume cut off */
		return ECL_LEFT_NODE;
	}
}

static size_t addrs(const struct cpg_address *in, size_t n,
		    struct ecl_addr *out)
{
	if (n > ECL_MAX_MEMBERS)
		n = ECL_MAX_MEMBERS;
	for (size_t i = 0; i < n; i++)
		out[i] = (struct ecl_addr){ in[i].nodeid, in[i].pid,
					    reason_of(in[i].reason) };
	return n;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
		       const struct cpg_address *members, size_t nm,
		       const struct cpg_address *left, size_t nl,
		       const struct cpg_address *joined, size_t nj)
{
	struct ecl_cpg *c = ctx_of(h);
	struct ecl_addr m[ECL_MAX_MEMBERS], l[ECL_MAX_MEMBERS],
			j[ECL_MAX_MEMBERS];

	(void)group;
	nm = addrs(members, nm, m);
	nl = addrs(left, nl, l);
	nj = addrs(joined, nj, j);
	ecl_node_confchg(c->node, m, nm, l, nl, j, nj, ecl_now_us());
}

static void on_totem(cpg_handle_t h, struct cpg_ring_id ring,
		     uint32_t nm, const uint32_t *members)
{
	struct ecl_cpg *c = ctx_of(h);
	struct ecl_ring r = { ring.nodeid, ring.seq };

	(void)nm;
	(void)members;
	ecl_node_ring(c->node, &r, ecl_now_us());
	if (c->assume_quorate)
		ecl_node_quorum(c->node, true, &r, ecl_now_us());
}

int ecl_cpg_open(struct ecl_cpg *c, const char *name, struct ecl_node *node,
		 char *err, size_t errlen)
{
	cpg_model_v1_data_t model = {
		.model = CPG_MODEL_V1,
		.cpg_deliver_fn = on_deliver,
		.cpg_confchg_fn = on_confchg,
		.cpg_totem_confchg_fn = on_totem,
		.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF,
	};
	unsigned int nodeid;
	cs_error_t rc;

	memset(c, 0, sizeof(*c));
	c->node = node;
	c->qtail = &c->q;
	snprintf(c->group.value, sizeof(c->group.value), "efs:%s", name);
	c->group.length = (uint32_t)strlen(c->group.value);
	rc = cpg_model_initialize(&c->h, CPG_MODEL_V1,
				  (cpg_model_data_t *)&model, c);
	if (rc != CS_OK) {
		snprintf(err, errlen, "cpg_model_initialize: error %d (is corosync running?)", rc);
		return -ENOTCONN;
	}
	c->open = true;
	rc = cpg_local_get(c->h, &nodeid);
	if (rc != CS_OK) {
		snprintf(err, errlen, "cpg_local_get: error %d", rc);
		ecl_cpg_close(c, false);
		return -EIO;
	}
	c->nodeid = nodeid;
	ecl_node_set_self(node, nodeid, (uint32_t)getpid());
	rc = cpg_fd_get(c->h, &c->fd);
	if (rc == CS_OK)
		rc = cpg_join(c->h, &c->group);
	if (rc != CS_OK) {
		snprintf(err, errlen, "cpg_join %s: error %d", c->group.value,
			 rc);
		ecl_cpg_close(c, false);
		return -EIO;
	}
	return 0;
}

int ecl_cpg_dispatch(struct ecl_cpg *c)
{
	cs_error_t rc;

	if (!c->open)
		return -ENOTCONN;
	rc = cpg_dispatch(c->h, CS_DISPATCH_ALL);
	if (rc != CS_OK && rc != CS_ERR_TRY_AGAIN)
		return -ENOTCONN;
	return 0;
}

int ecl_cpg_flush(struct ecl_cpg *c)
{
	while (c->q) {
		struct ecl_out *o = c->q;
		struct iovec iov = { o->buf, o->len };
		cs_error_t rc = cpg_mcast_joined(c->h, CPG_TYPE_AGREED, &iov, 1);

		if (rc == CS_ERR_TRY_AGAIN) {
			c->try_again++;
			return 0;
		}
		if (rc != CS_OK)
			return -ENOTCONN;
		c->q = o->next;
		if (!c->q)
			c->qtail = &c->q;
		c->qlen -= o->len;
		c->sent++;
		free(o);
	}
	return 0;
}

int ecl_cpg_send(struct ecl_cpg *c, const void *buf, size_t len)
{
	struct ecl_out *o;

	if (!c->open)
		return -ENOTCONN;
	if (c->qlen + len > QUEUE_MAX)
		return -ENOBUFS;
	o = malloc(sizeof(*o) + len);
	if (!o)
		return -ENOMEM;
	o->next = NULL;
	o->len = len;
	memcpy(o->buf, buf, len);
	*c->qtail = o;
	c->qtail = &o->next;
	c->qlen += len;
	return ecl_cpg_flush(c);
}

void ecl_cpg_close(struct ecl_cpg *c, bool leave)
{
	while (c->q) {
		struct ecl_out *o = c->q;

		c->q = o->next;
		free(o);
	}
	c->qtail = &c->q;
	c->qlen = 0;
	if (!c->open)
		return;
	if (leave)
		cpg_leave(c->h, &c->group);
	cpg_finalize(c->h);
	c->open = false;
	c->fd = -1;
}
