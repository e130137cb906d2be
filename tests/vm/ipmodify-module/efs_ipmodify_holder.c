// SPDX-License-Identifier: GPL-2.0
/*
 * Test module: holds an IPMODIFY ftrace_ops on knfsd's fh_verify, as a
 * livepatch of nfsd would, so that the ipmodify_conflict scenario can check
 * that efs refuses to load with a message naming the conflict.
 */
#include <linux/ftrace.h>
#include <linux/module.h>

static void notrace holder_thunk(unsigned long ip, unsigned long parent_ip,
				 struct ftrace_ops *ops,
				 struct ftrace_regs *fregs)
{
}

static struct ftrace_ops holder_ops = {
	.func = holder_thunk,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY |
		 FTRACE_OPS_FL_RECURSION,
};

static char func[] = "fh_verify";

static int __init holder_init(void)
{
	int err = ftrace_set_filter(&holder_ops, func, strlen(func), 0);

	if (!err)
		err = register_ftrace_function(&holder_ops);
	if (err)
		ftrace_free_filter(&holder_ops);
	return err;
}

static void __exit holder_exit(void)
{
	unregister_ftrace_function(&holder_ops);
	ftrace_free_filter(&holder_ops);
}

module_init(holder_init);
module_exit(holder_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("efs test: an IPMODIFY ftrace user on fh_verify");
