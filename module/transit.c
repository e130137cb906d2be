// SPDX-License-Identifier: GPL-2.0
/*
 * Encryption in transit: which requests came over an RPC-with-TLS session
 * (RFC 9289; knfsd's server side is Linux 6.4+), and the per-filesystem
 * policy "transit-encryption required" that refuses the others.
 *
 * The TLS state is the transport's XPT_TLS_SESSION bit, whose number is
 * an enum in linux/sunrpc/svc_xprt.h: efs is built against the running
 * kernel's own headers, so it tests that kernel's bit (it moved in 6.6).
 * Kernels before 6.4 have no such bit: there "required" is refused when
 * set (config.c) and every request counts as plaintext.
 *
 * A refusal is what knfsd answers for an export's xprtsec= mismatch
 * (check_xprtsec_policy() in fh_verify()): NFS4ERR_WRONGSEC to NFSv4,
 * NFS3ERR_ACCES to NFSv3 and v2; lockd's requests are exempt, as there.
 *
 * Cost to an unthrottled request: one test_bit on its transport when its
 * RPC first touches a claimed filesystem; with "required", nothing more
 * unless it is refused.
 */
#include <linux/sunrpc/svc.h>
#include <linux/sunrpc/svc_xprt.h>
#include "efs.h"
#include "nfsd_compat.h"
#include "stats.h"
#include "transit.h"

bool efs_transit_supported(void)
{
	return EFS_XPT_TLS;
}

bool efs_transit_tls(struct svc_rqst *rqstp)
{
#if EFS_XPT_TLS
	struct svc_xprt *xprt = rqstp ? rqstp->rq_xprt : NULL;

	return xprt && test_bit(XPT_TLS_SESSION, &xprt->xpt_flags);
#else
	return false;
#endif
}

/*
 * May this request (fh_verify()'s access bits; tls: efs_transit_tls() of
 * it, which the caller keeps for its accounting) reach fs?
 */
bool efs_transit_allowed(struct efs_fs *fs, bool tls, int access)
{
	if (likely(READ_ONCE(fs->cfg.transit_policy) != EFS_TRANSIT_REQUIRED))
		return true;
	return (access & EFS_NFSD_MAY_NLM) || tls;
}

/* Count a refusal; log it once per client (again after it aged out). */
void efs_transit_refused(struct efs_fs *fs, struct efs_client *c)
{
	char addr[48];	/* an IPv6 address in text */

	efs_stats_add_plaintext_refused(fs);
	if (!c) {
		pr_notice_ratelimited("efs: %s: refused a request that did not come over TLS (transit-encryption required)\n",
				      fs->name);
		return;
	}
	atomic64_inc(&c->plaintext_refused);
	if (test_and_set_bit(EFS_CLIENT_PLAINTEXT_LOGGED, &c->flags))
		return;
	efs_client_addr_str(&c->key, addr, sizeof(addr));
	pr_notice("efs: %s: refused requests of client %s that did not come over TLS (transit-encryption required); counted, logged once per client\n",
		  fs->name, addr);
}

__be32 efs_transit_refusal_status(struct svc_rqst *rqstp)
{
	return rqstp->rq_vers >= 4 ? EFS_NFSERR_WRONGSEC : EFS_NFSERR_ACCES;
}
