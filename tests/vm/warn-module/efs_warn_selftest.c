// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a module whose init logs a kernel warning and
 * succeeds. tests/vm/selftest.sh loads it in a VM and expects run.sh to
 * fail the run and name the WARNING line.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init efs_warn_selftest_init(void)
{
	WARN(1, "efs harness self-test");
	return 0;
}

static void __exit efs_warn_selftest_exit(void)
{
}

module_init(efs_warn_selftest_init);
module_exit(efs_warn_selftest_exit);
MODULE_DESCRIPTION("efs VM harness self-test: WARN on load");
MODULE_LICENSE("GPL");
