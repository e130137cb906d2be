// SPDX-License-Identifier: GPL-2.0
/*
 * efs: Amazon EFS style quality of service for the in-kernel NFS server.
 *
 * Init brings the parts up in dependency order and unwinds on failure;
 * exit releases every throttled request first, then waits until no nfsd
 * thread is inside efs before freeing anything.
 */
#include <linux/module.h>
#include <linux/ktime.h>
#include "efs.h"

bool efs_releasing;
DECLARE_WAIT_QUEUE_HEAD(efs_wait_wq);

/* One clock for every bucket: monotonic, ns. */
u64 efs_now_ns(void)
{
	return ktime_get_ns();
}

static int __init efs_init(void)
{
	int err;

	efs_request_init();
	err = efs_clients_init();
	if (err)
		return err;
	err = efs_registry_init();
	if (err)
		goto clients;
	err = efs_netlink_init();
	if (err)
		goto registry;
	err = efs_sampler_init();
	if (err)
		goto netlink;
	err = efs_hooks_init();
	if (err)
		goto sampler;
	pr_info("efs: version %s loaded\n", EFS_VERSION);
	return 0;

sampler:
	efs_sampler_exit();
netlink:
	efs_netlink_exit();
registry:
	efs_registry_exit();
clients:
	efs_clients_exit();
	return err;
}

static void __exit efs_exit(void)
{
	efs_sampler_exit();
	efs_registry_lease_stop();
	efs_netlink_exit();
	WRITE_ONCE(efs_releasing, true);
	efs_registry_release_waiters();
	efs_hooks_exit();
	efs_registry_exit();
	efs_clients_exit();
	pr_info("efs: unloaded\n");
}

module_init(efs_init);
module_exit(efs_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("efs developers");
MODULE_DESCRIPTION("Amazon EFS style quality of service for knfsd exports");
MODULE_VERSION(EFS_VERSION);
