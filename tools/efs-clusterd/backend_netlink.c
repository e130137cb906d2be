// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink backend: efs.ko over the "efs" generic netlink family, with
 * efsctl's libmnl I/O (tools/efsctl/nl.c). PROTOCOL.md section 7.
 *
 *  list   EFS_CMD_FS_GET dump; the filesystems with EFS_A_FS_SCOPE cluster,
 *         with their settings, size and credit balance.
 *  usage  deltas of EFS_A_FS_IO_UNITS and EFS_A_FS_METERED_BYTES between
 *         two dumps (one dump serves every filesystem of a tick), held
 *         back when EFS_A_FS_THROTTLED_OPS or EFS_A_FS_DELAY_REPLIES grew,
 *         EFS_A_FS_CLIENT_CONNECTIONS (nlfs.c).
 *  grant  one EFS_CMD_FS_GRANT per filesystem and push.
 *  holds  what the module admits now, from EFS_A_GRANT_STATE and the
 *         grant it reports (nlfs.c).
 *
 * It refuses to start when the family is not registered (efs.ko not
 * loaded), when the module has no cluster scope, or when this process may
 * not send grants (CAP_NET_ADMIN): a daemon that cannot enforce grants
 * would leave this head at its pre-grant safe share while the others count
 * on it, which is worse than an error at start-up.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <linux/efs.h>

#include "../efsctl/nl.h"
#include "backend.h"
#include "nlfs.h"

struct ent {
	struct ecl_nl_fs cur, prev;
	uint64_t prev_us;		/* when prev was taken; 0: none yet */
	uint64_t in_ops, in_bytes;	/* admitted since prev */
	int last_err;			/* of the last grant, to log changes */
	bool seen;
};

struct nlb {
	struct efs_nl nl;
	struct ent *e;
	size_t n, cap;
	uint64_t dump_us;		/* when the last dump was taken */
	uint64_t fresh_us;		/* a dump younger than this is reused */
	bool dumped;
};

static struct ent *find(struct nlb *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (!strcmp(b->e[i].cur.name, name))
			return &b->e[i];
	return NULL;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlb *b = data;
	struct ecl_nl_fs fs;
	struct ent *e;

	if (ecl_nl_parse_fs(nlh, &fs) || !fs.cluster)
		return 0;
	e = find(b, fs.name);
	if (!e) {
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 16;
			struct ent *ne = realloc(b->e, cap * sizeof(*ne));

			if (!ne)
				return -ENOMEM;
			b->e = ne;
			b->cap = cap;
		}
		e = &b->e[b->n++];
		memset(e, 0, sizeof(*e));
	}
	e->cur = fs;
	e->seen = true;
	return 0;
}

static int dump(struct nlb *b, uint64_t now)
{
	struct nlmsghdr *req;
	size_t i, k;
	int err;

	for (i = 0; i < b->n; i++)
		b->e[i].seen = false;
	req = efs_nl_request(&b->nl, EFS_CMD_FS_GET, true);
	err = efs_nl_talk(&b->nl, req, dump_cb, b);
	if (err)
		return err;
	/* forget the filesystems gone (or no longer cluster scope) */
	for (i = k = 0; i < b->n; i++)
		if (b->e[i].seen)
			b->e[k++] = b->e[i];
	b->n = k;
	b->dump_us = now;
	b->dumped = true;
	return 0;
}

static int fresh(struct nlb *b, uint64_t now)
{
	if (b->dumped && now >= b->dump_us && now - b->dump_us < b->fresh_us)
		return 0;
	return dump(b, now);
}

static int nl_open(void **priv, const char *arg, const struct ecl_conf *conf,
		   uint32_t nodeid, char *err, size_t errlen)
{
	struct nlb *b = calloc(1, sizeof(*b));
	struct nlmsghdr *req;
	int e;

	(void)arg;
	(void)nodeid;
	if (!b) {
		snprintf(err, errlen, "netlink backend: out of memory");
		return -ENOMEM;
	}
	/* usage() of every filesystem in one tick shares one dump */
	b->fresh_us = (uint64_t)(conf && conf->tick_ms ? conf->tick_ms : 200) * 500;
	e = efs_nl_open(&b->nl);
	if (e == -ENOENT) {
		snprintf(err, errlen,
			 "netlink backend: no generic netlink family \"%s\": efs.ko is not loaded (modprobe efs, or start efs.service first)",
			 EFS_GENL_NAME);
		goto fail;
	}
	if (e) {
		snprintf(err, errlen, "netlink backend: cannot open a generic netlink socket: %s",
			 strerror(-e));
		goto fail;
	}
	/*
	 * May we send grants? genetlink checks CAP_NET_ADMIN before anything
	 * else, so a grant without a name is refused with EPERM without it
	 * and with EINVAL (missing name) with it; it changes nothing. A
	 * module from before issue 26 has no such command (EOPNOTSUPP).
	 */
	req = efs_nl_request(&b->nl, EFS_CMD_FS_GRANT, false);
	e = efs_nl_talk(&b->nl, req, NULL, NULL);
	if (e == -EOPNOTSUPP) {
		snprintf(err, errlen,
			 "netlink backend: this efs.ko has no cluster scope (no EFS_CMD_FS_GRANT): load a module with issue 26's leases");
		goto fail;
	}
	if (e == -EPERM) {
		snprintf(err, errlen,
			 "netlink backend: no permission to send grants (EFS_CMD_FS_GRANT needs CAP_NET_ADMIN): run efs-clusterd as root");
		goto fail;
	}
	e = dump(b, ecl_now_us());
	if (e) {
		snprintf(err, errlen, "netlink backend: listing filesystems: %s%s%s",
			 strerror(-e), b->nl.extack[0] ? ": " : "", b->nl.extack);
		goto fail;
	}
	*priv = b;
	return 0;
fail:
	if (b->nl.sock)
		efs_nl_close(&b->nl);
	free(b->e);
	free(b);
	return e ? e : -EIO;
}

static int nl_list(void *priv, uint64_t now, struct ecl_local_fs **out)
{
	struct nlb *b = priv;
	struct ecl_local_fs *l;
	int err = dump(b, now);

	if (err)
		return err;
	l = calloc(b->n ? b->n : 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		snprintf(l[i].name, sizeof(l[i].name), "%s", b->e[i].cur.name);
		l[i].set = b->e[i].cur.set;
		l[i].size = b->e[i].cur.size;
		l[i].balance = b->e[i].cur.balance;
	}
	*out = l;
	return (int)b->n;
}

static void nl_usage(void *priv, const char *fs, uint64_t now,
		     struct ecl_usage *u)
{
	struct nlb *b = priv;
	struct ent *e;
	uint64_t dt;

	memset(u, 0, sizeof(*u));
	if (fresh(b, now) || !(e = find(b, fs)))
		return;
	if (e->prev_us) {
		if (e->prev.time_ns && e->cur.time_ns > e->prev.time_ns)
			dt = (e->cur.time_ns - e->prev.time_ns) / 1000;
		else
			dt = now - e->prev_us;
		ecl_nl_usage(&e->prev, &e->cur, dt, e->in_ops, e->in_bytes, u);
	} else {
		u->clients = e->cur.clients > UINT16_MAX ? UINT16_MAX :
			     (uint16_t)e->cur.clients;
		u->size = e->cur.size;
	}
	e->prev = e->cur;
	e->prev_us = now ? now : 1;
	ecl_nl_holds(&e->cur, &e->in_ops, &e->in_bytes);
}

static void nl_grant(void *priv, const char *fs, const struct ecl_grant *g,
		     uint64_t now)
{
	struct nlb *b = priv;
	struct ecl_nl_grant m;
	struct nlmsghdr *req;
	struct ent *e = find(b, fs);
	int err;

	ecl_nl_grant_map(g, now, &m);
	req = efs_nl_request(&b->nl, EFS_CMD_FS_GRANT, false);
	ecl_nl_put_grant(req, fs, &m);
	err = efs_nl_talk(&b->nl, req, NULL, NULL);
	if (e && err != e->last_err) {
		if (err)
			fprintf(stderr, "efs-clusterd: grant for %s refused: %s%s%s\n",
				fs, strerror(-err), b->nl.extack[0] ? ": " : "",
				b->nl.extack);
		else if (e->last_err)
			fprintf(stderr, "efs-clusterd: grant for %s accepted again\n", fs);
		e->last_err = err;
	} else if (!e && err) {
		fprintf(stderr, "efs-clusterd: grant for %s refused: %s%s%s\n",
			fs, strerror(-err), b->nl.extack[0] ? ": " : "",
			b->nl.extack);
	}
}

static void nl_holds(void *priv, const char *fs, uint64_t now,
		     uint64_t *ops, uint64_t *bytes)
{
	struct nlb *b = priv;
	struct ent *e;

	*ops = *bytes = 0;
	if (fresh(b, now) || !(e = find(b, fs)))
		return;
	ecl_nl_holds(&e->cur, ops, bytes);
}

static void nl_close(void *priv)
{
	struct nlb *b = priv;

	if (!b)
		return;
	efs_nl_close(&b->nl);
	free(b->e);
	free(b);
}

const struct ecl_backend_ops ecl_backend_netlink = {
	.name = "netlink",
	.open = nl_open,
	.list = nl_list,
	.usage = nl_usage,
	.grant = nl_grant,
	.holds = nl_holds,
	.close = nl_close,
};
