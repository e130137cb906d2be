/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clients of a filesystem (EFS_CMD_CLIENT_GET) and the server-wide
 * state (EFS_CMD_SERVER_GET), decoded from netlink, sorted and printed.
 */
#ifndef EFSCTL_CLIENTINFO_H
#define EFSCTL_CLIENTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"

struct nlmsghdr;

/*
 * CLIENT_GET names clients by address, so the module lets only
 * CAP_NET_ADMIN list them (as knfsd's root-only /proc/fs/nfsd/clients/);
 * others get EPERM. What efsctl says then.
 */
#define EFS_CLIENTS_NEED_ADMIN \
	"listing clients needs CAP_NET_ADMIN (run as root)"

struct efs_client_info {
	char addr[64];
	uint64_t ops, metered_bytes;
	uint32_t ops_per_second;
	uint64_t metered_bps;
	uint64_t throttled_ops, delay_replies;
	uint64_t idle_ms;
	bool overflow;
	bool tls;			/* its last request came over TLS */
	uint64_t tls_ops, plaintext_refused;
	uint32_t backpressure_slots;	/* session slots asked, 0 = not held */
};

struct efs_client_list {
	struct efs_client_info *v;
	size_t n, cap;
};

struct efs_server_info {
	uint32_t max_waiting_cfg;	/* 0 = half of nfsd's threads */
	uint32_t max_waiting;		/* in force */
	uint32_t nfsd_threads;		/* as last seen, 0 = not yet */
	uint32_t waiting;
	uint32_t waiting_peak;		/* most at once, since the bound changed */
	uint64_t displaced;
	uint32_t clients, clients_max, client_bytes;
	uint64_t pressure_replies;
	uint32_t pressure_slots;
	uint64_t pressure_withheld;
	bool tls_supported;		/* server-side RPC-with-TLS (6.4+) */
};

/* Decode one reply; -EINVAL if malformed or without an address. */
int efs_client_decode(const struct nlmsghdr *nlh, struct efs_client_info *c);
/* A libmnl-style callback appending to a struct efs_client_list. */
int efs_client_collect(const struct nlmsghdr *nlh, void *list);
void efs_client_list_free(struct efs_client_list *l);
/* By use: metered bytes/s, then ops/s, then total ops; address last. */
void efs_client_sort(struct efs_client_info *v, size_t n);
/* {"FileSystem":NAME,"Clients":[...]} or a table; top 0 = all. */
void efs_print_clients(struct out *o, const char *fs,
		       const struct efs_client_info *v, size_t n, size_t top);

int efs_server_decode(const struct nlmsghdr *nlh, struct efs_server_info *s);
void efs_print_server(struct out *o, const struct efs_server_info *s);

#endif
