// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "efs" (uapi/linux/efs.h, uapi/efs.yaml): its
 * registration, with the commands and attribute policy netlink.c gives
 * it, and its "events" multicast group. The events carry no client
 * address.
 *
 * Apart from the commands so that what a command calls into (a grant
 * arms its lease's expiry, whose event cluster.c raises) can raise an
 * event without calling back up into netlink.c.
 */
#include <linux/ktime.h>
#include <linux/version.h>
#include <net/genetlink.h>
#include "family.h"

static const struct genl_multicast_group efs_mcgrps[] = {
	{ .name = EFS_MCGRP_EVENTS },
};

/* ops, n_ops and policy: efs_family_register(). */
struct genl_family efs_family __ro_after_init = {
	.name = EFS_GENL_NAME,
	.version = EFS_GENL_VERSION,
	.maxattr = EFS_A_MAX,
	.module = THIS_MODULE,
	.mcgrps = efs_mcgrps,
	.n_mcgrps = ARRAY_SIZE(efs_mcgrps),
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0)	/* 5.10: always strict */
	.resv_start_op = 0,
#endif
};

/* At module init (the family is read-only after it). */
int efs_family_register(const struct genl_ops *ops, unsigned int n_ops,
			const struct nla_policy *policy)
{
	efs_family.ops = ops;
	efs_family.n_ops = n_ops;
	efs_family.policy = policy;
	return genl_register_family(&efs_family);
}

void efs_family_unregister(void)
{
	genl_unregister_family(&efs_family);
}

void efs_family_event(const char *fs_name, u32 type, u64 value)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&efs_family, &init_net, 0))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &efs_family, 0, EFS_CMD_EVENT);
	if (!hdr || nla_put_u32(msg, EFS_A_EVENT_TYPE, type) ||
	    nla_put_string(msg, EFS_A_FS_NAME, fs_name) ||
	    nla_put_u64_64bit(msg, EFS_A_EVENT_VALUE, value, EFS_A_PAD) ||
	    nla_put_u64_64bit(msg, EFS_A_EVENT_TIME_NS, ktime_get_real_ns(),
			      EFS_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&efs_family, msg, 0, 0, GFP_KERNEL);
}
