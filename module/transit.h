/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encryption in transit (transit.c): which requests came over an
 * RPC-with-TLS session, and the per-filesystem policy
 * "transit-encryption required" that refuses the others.
 */
#ifndef EFS_TRANSIT_H
#define EFS_TRANSIT_H

#include <linux/types.h>

struct svc_rqst;
struct efs_client;
struct efs_fs;

/* Has this kernel server-side RPC-with-TLS (Linux 6.4+)? */
bool efs_transit_supported(void);
/* Did rqstp come over a TLS session? */
bool efs_transit_tls(struct svc_rqst *rqstp);
/* May a request (tls: efs_transit_tls(), fh_verify()'s access) reach fs? */
bool efs_transit_allowed(struct efs_fs *fs, bool tls, int access);
/* Count a refusal for fs and its client c (may be NULL), logged once. */
void efs_transit_refused(struct efs_fs *fs, struct efs_client *c);
/* What a refused request is answered: knfsd's own for xprtsec=. */
__be32 efs_transit_refusal_status(struct svc_rqst *rqstp);

#endif /* EFS_TRANSIT_H */
