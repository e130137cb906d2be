// SPDX-License-Identifier: GPL-2.0
/*
 * Client and server records: decoding, ordering, printing (clientinfo.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/efs.h>
#include <linux/genetlink.h>

#include "clientinfo.h"
#include "fsinfo.h"
#include "units.h"

static uint32_t clamp32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int efs_client_decode(const struct nlmsghdr *nlh, struct efs_client_info *c)
{
	const struct nlattr *a;
	uint64_t v;
	int err;

	memset(c, 0, sizeof(*c));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int type = mnl_attr_get_type(a);

		if (type == EFS_A_CLIENT_ADDR) {
			size_t len = strnlen(mnl_attr_get_payload(a),
					     mnl_attr_get_payload_len(a));

			if (len >= sizeof(c->addr))
				return -EINVAL;
			memcpy(c->addr, mnl_attr_get_payload(a), len);
			c->addr[len] = '\0';
			continue;
		}
		err = efs_attr_get_uint(a, &v);
		if (err == -ENOENT)
			continue;	/* the fs name, or a newer module's */
		if (err)
			return err;
		switch (type) {
		case EFS_A_CLIENT_OPS: c->ops = v; break;
		case EFS_A_CLIENT_METERED_BYTES: c->metered_bytes = v; break;
		case EFS_A_CLIENT_OPS_PER_SECOND: c->ops_per_second = clamp32(v); break;
		case EFS_A_CLIENT_METERED_BPS: c->metered_bps = v; break;
		case EFS_A_CLIENT_THROTTLED_OPS: c->throttled_ops = v; break;
		case EFS_A_CLIENT_DELAY_REPLIES: c->delay_replies = v; break;
		case EFS_A_CLIENT_IDLE_MS: c->idle_ms = v; break;
		case EFS_A_CLIENT_OVERFLOW: c->overflow = v != 0; break;
		case EFS_A_CLIENT_TLS: c->tls = v != 0; break;
		case EFS_A_CLIENT_TLS_OPS: c->tls_ops = v; break;
		case EFS_A_CLIENT_PLAINTEXT_REFUSED: c->plaintext_refused = v; break;
		case EFS_A_CLIENT_BACKPRESSURE_SLOTS: c->backpressure_slots = clamp32(v); break;
		}
	}
	return c->addr[0] ? 0 : -EINVAL;
}

int efs_client_collect(const struct nlmsghdr *nlh, void *list)
{
	struct efs_client_list *l = list;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct efs_client_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (efs_client_decode(nlh, &l->v[l->n]))
		return -EBADMSG;
	l->n++;
	return 0;
}

void efs_client_list_free(struct efs_client_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int cmp_use(const void *pa, const void *pb)
{
	const struct efs_client_info *a = pa, *b = pb;
	int c;

	c = cmp_u64_desc(a->metered_bps, b->metered_bps);
	if (!c)
		c = cmp_u64_desc(a->ops_per_second, b->ops_per_second);
	if (!c)
		c = cmp_u64_desc(a->ops, b->ops);
	return c ? c : strcmp(a->addr, b->addr);
}

void efs_client_sort(struct efs_client_info *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_use);
}

void efs_print_clients(struct out *o, const char *fs,
		       const struct efs_client_info *v, size_t n, size_t top)
{
	char rate[32], idle[32], held[16];
	size_t i, shown = top && top < n ? top : n;

	out_obj_open(o, NULL);
	out_str(o, "FileSystem", NULL, fs);
	out_u64(o, "ClientCount", NULL, n);
	out_text(o, "%-40s %9s %12s %12s %10s %5s %3s %8s %10s\n", "CLIENT",
		 "OPS/S", "METERED/S", "THROTTLED", "DELAYS", "HELD", "TLS",
		 "REFUSED", "LAST SEEN");
	out_arr_open(o, "Clients");
	for (i = 0; i < shown; i++) {
		const struct efs_client_info *c = &v[i];

		out_obj_open(o, NULL);
		out_str(o, "Address", "%-40s", c->addr);
		out_u64(o, "OpsPerSecond", " %9s", c->ops_per_second);
		efs_fmt_rate(rate, sizeof(rate), c->metered_bps);
		out_u64(o, "MeteredBytesPerSecond", NULL, c->metered_bps);
		out_text(o, " %12s", rate);
		out_u64(o, "ThrottledOperations", " %12s", c->throttled_ops);
		out_u64(o, "DelayReplies", " %10s", c->delay_replies);
		/* HELD: the session slots it is asked to use, "-": not held. */
		out_u64(o, "BackpressureSlots", NULL, c->backpressure_slots);
		if (c->backpressure_slots)
			snprintf(held, sizeof(held), "%u", c->backpressure_slots);
		else
			snprintf(held, sizeof(held), "-");
		out_text(o, " %5s", held);
		out_bool(o, "Tls", " %3s", c->tls);
		out_u64(o, "PlaintextRequestsRefused", " %8s",
			c->plaintext_refused);
		out_u64(o, "TlsRequests", NULL, c->tls_ops);
		efs_fmt_ratio(idle, sizeof(idle), c->idle_ms, 1000, 1, false);
		out_u64(o, "LastSeenMsAgo", NULL, c->idle_ms);
		out_text(o, " %9ss\n", idle);
		out_u64(o, "Operations", NULL, c->ops);
		out_u64(o, "MeteredIOBytes", NULL, c->metered_bytes);
		out_bool(o, "Overflow", NULL, c->overflow);
		out_obj_close(o);
	}
	out_arr_close(o);
	if (shown < n)
		out_text(o, "(%zu more; --top 0 shows all)\n", n - shown);
	if (!n)
		out_text(o, "no clients\n");
	out_obj_close(o);
	out_doc_end(o);
}

int efs_server_decode(const struct nlmsghdr *nlh, struct efs_server_info *s)
{
	const struct nlattr *a;
	uint64_t v;
	int err;

	memset(s, 0, sizeof(*s));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int type = mnl_attr_get_type(a);

		err = efs_attr_get_uint(a, &v);
		if (err == -ENOENT)
			continue;	/* a newer module's */
		if (err)
			return err;
		switch (type) {
		case EFS_A_SERVER_MAX_WAITING_THREADS: s->max_waiting_cfg = clamp32(v); break;
		case EFS_A_SERVER_MAX_WAITING_EFFECTIVE: s->max_waiting = clamp32(v); break;
		case EFS_A_SERVER_NFSD_THREADS: s->nfsd_threads = clamp32(v); break;
		case EFS_A_SERVER_WAITING_THREADS: s->waiting = clamp32(v); break;
		case EFS_A_SERVER_WAITING_PEAK: s->waiting_peak = clamp32(v); break;
		case EFS_A_SERVER_DISPLACED: s->displaced = v; break;
		case EFS_A_SERVER_CLIENTS: s->clients = clamp32(v); break;
		case EFS_A_SERVER_CLIENTS_MAX: s->clients_max = clamp32(v); break;
		case EFS_A_SERVER_CLIENT_BYTES: s->client_bytes = clamp32(v); break;
		case EFS_A_SERVER_PRESSURE_REPLIES: s->pressure_replies = v; break;
		case EFS_A_SERVER_PRESSURE_SLOTS: s->pressure_slots = clamp32(v); break;
		case EFS_A_SERVER_PRESSURE_WITHHELD: s->pressure_withheld = v; break;
		case EFS_A_SERVER_TLS_SUPPORTED: s->tls_supported = v != 0; break;
		}
	}
	return 0;
}

void efs_print_server(struct out *o, const struct efs_server_info *s)
{
	out_obj_open(o, NULL);
	out_u64(o, "MaxWaitingThreads", "max waiting threads     %s",
		s->max_waiting);
	out_u64(o, "MaxWaitingThreadsConfigured", NULL, s->max_waiting_cfg);
	if (s->max_waiting_cfg)
		out_text(o, " (configured)\n");
	else
		out_text(o, " (default: half of nfsd's threads)\n");
	out_u64(o, "NfsdThreads", "nfsd threads            %s", s->nfsd_threads);
	out_text(o, "%s\n", s->nfsd_threads ? "" :
		 " (not seen yet: no request has waited)");
	out_u64(o, "WaitingThreads", "waiting threads now     %s\n", s->waiting);
	out_u64(o, "WaitingThreadsPeak",
		"waiting threads peak    %s (most at once since that bound)\n",
		s->waiting_peak);
	out_u64(o, "DisplacedRequests", "displaced requests      %s\n",
		s->displaced);
	out_u64(o, "ClientEntries", "client entries          %s",
		s->clients);
	out_u64(o, "ClientEntriesMax", " of at most %s", s->clients_max);
	out_u64(o, "ClientEntryBytes", " (%s bytes each)\n", s->client_bytes);
	out_u64(o, "BackpressureReplies", "back-pressure replies   %s",
		s->pressure_replies);
	out_u64(o, "BackpressureSlots",
		" (NFSv4.1 clients refused DELAY asked first to use %s slots)\n",
		s->pressure_slots);
	out_u64(o, "BackpressureWithheld", "back-pressure withheld  %s",
		s->pressure_withheld);
	out_text(o, " (their session also carries unheld traffic)\n");
	out_bool(o, "TlsSupported", "server-side TLS         %s", s->tls_supported);
	out_text(o, "%s\n", s->tls_supported ? "" :
		 " (transit-encryption = required is refused)");
	out_obj_close(o);
	out_doc_end(o);
}
