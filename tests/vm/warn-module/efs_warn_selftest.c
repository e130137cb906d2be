// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a module whose init does something the kernel
 * reports, and succeeds. tests/vm/selftest.sh loads it in a VM and expects
 * run.sh to fail the run and name the report's line.
 *
 *   mode=warn	 a WARN (any kernel)
 *   mode=kfence a read after kfree() of an object KFENCE guards (kernels
 *		 with CONFIG_KFENCE booted with kfence.sample_interval, as
 *		 run.sh does): proves run.sh catches a use-after-free
 */
#include <linux/module.h>
#include <linux/bug.h>
#include <linux/delay.h>
#include <linux/kfence.h>
#include <linux/slab.h>

static char *mode = "warn";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "warn or kfence");

#ifdef CONFIG_KFENCE
/* KFENCE guards one allocation per sample interval: wait for one. */
static int efs_selftest_kfence(void)
{
	int i;

	for (i = 0; i < 5000; i++) {
		char *p = kmalloc(32, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		if (is_kfence_address(p)) {
			kfree(p);
			OPTIMIZER_HIDE_VAR(p);
			pr_info("efs selftest: read after free: %d\n",
				READ_ONCE(*p));
			return 0;
		}
		kfree(p);
		usleep_range(1000, 2000);
	}
	pr_err("efs selftest: KFENCE guarded no allocation in 5000 tries\n");
	return -ETIMEDOUT;
}
#else
static int efs_selftest_kfence(void)
{
	pr_err("efs selftest: this kernel has no KFENCE\n");
	return -EOPNOTSUPP;
}
#endif

static int __init efs_warn_selftest_init(void)
{
	if (!strcmp(mode, "kfence"))
		return efs_selftest_kfence();
	WARN(1, "efs harness self-test");
	return 0;
}

static void __exit efs_warn_selftest_exit(void)
{
}

module_init(efs_warn_selftest_init);
module_exit(efs_warn_selftest_exit);
MODULE_DESCRIPTION("efs VM harness self-test: WARN or use-after-free on load");
MODULE_LICENSE("GPL");
