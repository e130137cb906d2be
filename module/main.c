// SPDX-License-Identifier: GPL-2.0
/*
 * efs: Amazon EFS style quality of service for the in-kernel NFS server.
 *
 * Init brings the units up in dependency order and unwinds on failure.
 * Exit stops what raises events (the sampler, lease expiries) and the
 * commands, releases every throttled request, then waits until no nfsd
 * thread is inside efs before freeing anything.
 */
#include <linux/module.h>
#include "efs.h"
#include "clients.h"
#include "cluster.h"
#include "hooks.h"
#include "netlink.h"
#include "registry.h"
#include "request.h"
#include "sampler.h"
#include "throttle.h"

static int __init efs_init(void)
{
	int err;

	efs_request_init();
	err = efs_clients_init();
	if (err)
		return err;
	err = efs_cluster_init();
	if (err)
		goto clients;
	err = efs_netlink_init();
	if (err)
		goto cluster;
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
cluster:
	efs_cluster_exit();
	efs_registry_exit();	/* filesystems added meanwhile */
clients:
	efs_clients_exit();
	return err;
}

static void __exit efs_exit(void)
{
	efs_sampler_exit();
	efs_cluster_exit();
	efs_netlink_exit();
	efs_throttle_exit();
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
