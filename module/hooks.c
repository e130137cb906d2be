// SPDX-License-Identifier: GPL-2.0
/*
 * Hooking knfsd with sleepable ftrace wrappers.
 *
 * For each target an IPMODIFY ftrace_ops sends nfsd's call to our wrapper
 * (unless the call comes from the wrapper itself), and the wrapper calls
 * the original past its ftrace site (efs_entry()) through a static call:
 * a direct jump, so it also works on kernels with IBT, where nfsd's
 * functions may have lost their ENDBR and an indirect call would fault.
 * nfsd may come and go while efs is loaded: a module notifier hooks it
 * when it goes live and unhooks it as it goes.
 *
 * Every wrapper runs inside an SRCU read section; unload waits for them
 * (efs_hooks_exit()).
 *
 * What each costs a request that is not throttled, beside the ftrace
 * trampoline and the SRCU section:
 *   nfsd_dispatch	with no filesystem registered, one list check;
 *			else the RPC's entry in a bucket (its owner slot:
 *			a cmpxchg to take, a store to free; if another RPC
 *			has it, one uncontended lock each) and, at the end,
 *			its counters: this CPU's copy, its client's atomics.
 *   fh_verify		an unclaimed export: one RCU hash walk. A claimed
 *			one, the first time: that walk, the RPC's lookup,
 *			its client's lookup (RCU) and one charge: a cmpxchg
 *			a bucket (ops, read or write, bytes). After that,
 *			on the same export: one compare in the owner slot.
 *   read, write	that compare, and a charge of the bytes past the
 *			first 4 KiB (a cmpxchg).
 *   copy, clone	as a write of what they move (copy.c).
 */
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/static_call.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include "backpressure.h"
#include "compat.h"
#include "copy.h"
#include "hooks.h"
#include "nfsd_compat.h"
#include "request.h"
#include "transit.h"

/*
 * Of each entry of nfsd_compat.h's table (EFS_HOOK_*): the static call
 * of knfsd's function, and its setter.
 */
#define EFS_HOOK_CALL(id, sym, ret_t, params, args, btf)		\
	DEFINE_STATIC_CALL_NULL(efs_orig_##id, ret_t params);		\
	static void efs_set_##id(unsigned long func)			\
	{								\
		ret_t (*orig)params = (void *)func;			\
									\
		static_call_update(efs_orig_##id, orig);		\
	}
EFS_HOOK_DISPATCH(EFS_HOOK_CALL)
EFS_HOOK_FH_VERIFY(EFS_HOOK_CALL)
EFS_HOOK_VFS_WRITE(EFS_HOOK_CALL)
EFS_HOOK_SPLICE_READ(EFS_HOOK_CALL)
EFS_HOOK_READ(EFS_HOOK_CALL)
EFS_HOOK_COPY(EFS_HOOK_CALL)
EFS_HOOK_COPY_RANGE(EFS_HOOK_CALL)
EFS_HOOK_CLONE_RANGE(EFS_HOOK_CALL)

/* A wrapper's signature, and its call of knfsd's function. */
#define EFS_WRAPPER(id, sym, ret_t, params, args, btf)			\
	static ret_t efs_wrap_##id params
#define EFS_ORIG(id, sym, ret_t, params, args, btf)			\
	(static_call(efs_orig_##id) args)

static struct srcu_struct efs_hook_srcu;

/* --- the wrappers ------------------------------------------------------ */

EFS_HOOK_DISPATCH(EFS_WRAPPER)
{
	struct efs_rpc rpc;
	bool tracked;
	int idx, ret;

	idx = srcu_read_lock(&efs_hook_srcu);
	tracked = efs_rpc_begin(&rpc, rqstp);
	ret = EFS_HOOK_DISPATCH(EFS_ORIG);
	if (tracked) {
		efs_pressure_reply(rqstp, rpc.fs, rpc.client);
		efs_rpc_end(&rpc);
	}
	srcu_read_unlock(&efs_hook_srcu, idx);
	return ret;
}

/* include/linux/lockd/nlm.h */
#define EFS_NLM_PROGRAM	100021

/*
 * lockd's opens (NLM, NFSv3's locks) are not charged: lockd serves every
 * client of the server from one thread, so a wait there stalls all their
 * locks on every filesystem, and JUKEBOX becomes a dropped reply
 * (nlm_fopen()) that the client resends only after its RPC timeout, 10 s
 * and more. A lock request is one metadata unit; NFSv4's LOCK is charged.
 */
static bool efs_charged_rqst(struct svc_rqst *rqstp)
{
	return rqstp && rqstp->rq_prog != EFS_NLM_PROGRAM;
}

EFS_HOOK_FH_VERIFY(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	__be32 err;
	int refused;

	err = EFS_HOOK_FH_VERIFY(EFS_ORIG);
	if (!err && efs_charged_rqst(rqstp)) {
		refused = efs_rpc_fh_verified(rqstp, fhp, access);
		if (refused == -EACCES)
			err = efs_transit_refusal_status(rqstp);
		else if (refused)
			err = EFS_NFSERR_JUKEBOX;
	}
	srcu_read_unlock(&efs_hook_srcu, idx);
	return err;
}

/* Direct-I/O writes (6.19+) are inside nfsd_vfs_write(): charged here. */
EFS_HOOK_VFS_WRITE(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	__be32 err = EFS_NFSERR_JUKEBOX;
	struct efs_data_op op;

	if (!efs_data_begin(&op, rqstp, fhp, true, *cnt)) {
		err = EFS_HOOK_VFS_WRITE(EFS_ORIG);
		efs_data_end(&op, rqstp, !err, *cnt);
	}
	srcu_read_unlock(&efs_hook_srcu, idx);
	return err;
}

EFS_HOOK_SPLICE_READ(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	__be32 err = EFS_NFSERR_JUKEBOX;
	struct efs_data_op op;

	if (!efs_data_begin(&op, rqstp, fhp, false, *count)) {
		err = EFS_HOOK_SPLICE_READ(EFS_ORIG);
		efs_data_end(&op, rqstp, !err, *count);
	}
	srcu_read_unlock(&efs_hook_srcu, idx);
	return err;
}

/*
 * nfsd_readv() (to 6.4) or nfsd_iter_read() (6.5+); direct-I/O reads
 * (6.19+) are inside nfsd_iter_read(): charged here.
 */
EFS_HOOK_READ(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	__be32 err = EFS_NFSERR_JUKEBOX;
	struct efs_data_op op;

	if (!efs_data_begin(&op, rqstp, fhp, false, *count)) {
		err = EFS_HOOK_READ(EFS_ORIG);
		efs_data_end(&op, rqstp, !err, *count);
	}
	srcu_read_unlock(&efs_hook_srcu, idx);
	return err;
}

/*
 * NFSv4.2 COPY and CLONE move data inside the server (copy.c). Other
 * requests never reach these wrappers; with no filesystem registered a
 * COPY or CLONE pays one list check in each.
 *
 * COPY: marks its nfsd thread so that the chunks it copies synchronously
 * are charged as its RPC's (an asynchronous COPY's run in a copy thread).
 */
EFS_HOOK_COPY(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	struct efs_copy_rpc cr;
	__be32 err;

	efs_copy_rpc_begin(&cr, rqstp);
	err = EFS_HOOK_COPY(EFS_ORIG);
	efs_copy_rpc_end(&cr);
	srcu_read_unlock(&efs_hook_srcu, idx);
	return err;
}

/* One chunk of a COPY, synchronous or in a copy thread: charged, paced. */
EFS_HOOK_COPY_RANGE(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	struct efs_copy_op op;
	ssize_t ret;

	ret = efs_copy_begin(&op, src, dst, &count);
	if (!ret) {
		ret = EFS_HOOK_COPY_RANGE(EFS_ORIG);
		efs_copy_end(&op, ret);
	}
	srcu_read_unlock(&efs_hook_srcu, idx);
	return ret;
}

/* CLONE: charged once it succeeded (copy.c). */
EFS_HOOK_CLONE_RANGE(EFS_WRAPPER)
{
	int idx = srcu_read_lock(&efs_hook_srcu);
	struct efs_copy_op op;
	__be32 err;

	efs_clone_begin(&op, rqstp, nf_src->nf_file, src_pos, nf_dst->nf_file,
			count);
	err = EFS_HOOK_CLONE_RANGE(EFS_ORIG);
	efs_clone_end(&op, !err);
	srcu_read_unlock(&efs_hook_srcu, idx);
	return err;
}

/* --- the table --------------------------------------------------------- */

struct efs_hook {
	const char *name;
	void *wrapper;
	void (*set_orig)(unsigned long func);
	struct ftrace_ops ops;
	unsigned long func;		/* nfsd's function, 0 = not hooked */
};

#define EFS_HOOK_ENTRY(id, sym, ret_t, params, args, btf)		\
	{ .name = sym, .wrapper = efs_wrap_##id, .set_orig = efs_set_##id }

/*
 * nfsd_dispatch comes first: a request is then either wholly inside an
 * efs_rpc or wholly outside (hooks register in this order and leave in the
 * reverse one).
 */
static struct efs_hook efs_hooks[] = {
	EFS_HOOK_DISPATCH(EFS_HOOK_ENTRY),
	EFS_HOOK_FH_VERIFY(EFS_HOOK_ENTRY),
	EFS_HOOK_VFS_WRITE(EFS_HOOK_ENTRY),
	EFS_HOOK_SPLICE_READ(EFS_HOOK_ENTRY),
	EFS_HOOK_READ(EFS_HOOK_ENTRY),
	EFS_HOOK_COPY(EFS_HOOK_ENTRY),
	EFS_HOOK_COPY_RANGE(EFS_HOOK_ENTRY),
	EFS_HOOK_CLONE_RANGE(EFS_HOOK_ENTRY),
};

static DEFINE_MUTEX(efs_hooks_lock);
static bool efs_hooked;

/* Calls nothing, so ftrace runs it without a recursion guard. */
static void notrace efs_ftrace_thunk(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops,
				     EFS_FTRACE_REGS *fregs)
{
	struct efs_hook *h = container_of(ops, struct efs_hook, ops);

	if (!within_module(parent_ip, THIS_MODULE))
		efs_ftrace_set_ip(fregs, (unsigned long)h->wrapper);
}

#define EFS_ENDBR64	0xfa1e0ff3U	/* f3 0f 1e fa */

/* Does an ENDBR sit at addr (then the function's ftrace site follows)? */
static bool efs_endbr_at(unsigned long addr)
{
	u32 insn = 0;

	return !copy_from_kernel_nofault(&insn, (void *)addr, 4) &&
	       insn == EFS_ENDBR64;
}

/*
 * Where the wrappers enter knfsd's function func: past its ftrace site,
 * the 5-byte call that ftrace patches in (a NOP until then). Entered at
 * the top, every hooked call would cross ftrace's trampoline a second
 * time only for the thunk to let it by (some 60 instructions a call,
 * three calls an RPC). The site's call changes no register and no stack
 * slot the body reads, so the body runs as if it had returned. Tracers of
 * the function (another ftrace_ops, a kprobe at the site) see each call
 * once, when nfsd makes it. Anything else at the site (another NOP, a
 * text poke under way) keeps the top, where the thunk lets the wrapper's
 * call by.
 */
static unsigned long efs_entry(unsigned long func)
{
#ifdef CONFIG_X86_64
	static const u8 nop5[MCOUNT_INSN_SIZE] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	unsigned long site = func + (efs_endbr_at(func) ? 4 : 0);
	u8 insn[MCOUNT_INSN_SIZE];

	if (copy_from_kernel_nofault(insn, (void *)site, sizeof(insn)))
		return func;
	if (!memcmp(insn, nop5, sizeof(insn)) || insn[0] == 0xe8)
		return site + MCOUNT_INSN_SIZE;
#endif
	return func;
}

/*
 * nfsd's symbols are not exported: a kprobe resolves the address. On IBT
 * kernels the kprobe sits after the ENDBR; the function starts before it.
 * The kprobe is registered disabled, so it is never armed: unregistering
 * an armed ftrace kprobe can fail to disarm (-ENOMEM), which leaves it in
 * kprobes' table pointing at this stack frame (seen under failslab).
 */
static int efs_resolve(const char *name, unsigned long *func)
{
	struct kprobe kp = {
		.symbol_name = name,
		.flags = KPROBE_FLAG_DISABLED,
	};
	unsigned long addr;
	int err;

	err = register_kprobe(&kp);
	if (err)
		return err;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	if (efs_endbr_at(addr - 4))
		addr -= 4;
	*func = addr;
	return 0;
}

/*
 * ftrace_free_filter() is not exported before 6.1 (5.10 lacks it): there,
 * remove the one address the filter holds, which puts the ops back on
 * ftrace's static empty hash, so nothing is left allocated.
 */
static void efs_free_filter(struct ftrace_ops *ops, unsigned long func)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
	ftrace_set_filter_ip(ops, func, 1, 0);
#else
	ftrace_free_filter(ops);
#endif
}

static void efs_unhook_one(struct efs_hook *h)
{
	if (!h->func)
		return;
	unregister_ftrace_function(&h->ops);
	efs_free_filter(&h->ops, h->func);
	memset(&h->ops, 0, sizeof(h->ops));
	h->func = 0;
}

static int efs_hook_one(struct efs_hook *h)
{
	unsigned long func;
	int err;

	err = efs_resolve(h->name, &func);
	if (err) {
		pr_err("efs: cannot find knfsd's %s (%d)\n", h->name, err);
		return err;
	}
	h->set_orig(efs_entry(func));
	memset(&h->ops, 0, sizeof(h->ops));
	h->ops.func = efs_ftrace_thunk;
	h->ops.flags = EFS_FTRACE_OPS_FLAGS;
	err = ftrace_set_filter_ip(&h->ops, func, 0, 0);
	if (err) {
		pr_err("efs: cannot trace knfsd's %s (%d)\n", h->name, err);
		memset(&h->ops, 0, sizeof(h->ops));
		return err;
	}
	err = register_ftrace_function(&h->ops);
	if (err == -EBUSY)
		pr_err("efs: knfsd's %s is already modified by another ftrace IPMODIFY user (a livepatch?); refusing to hook knfsd\n",
		       h->name);
	else if (err)
		pr_err("efs: cannot hook knfsd's %s (%d)\n", h->name, err);
	if (err)
		goto free;
	h->func = func;
	return 0;
free:
	efs_free_filter(&h->ops, func);
	memset(&h->ops, 0, sizeof(h->ops));
	return err;
}

static void efs_unhook_all_locked(void)
{
	int i;

	for (i = ARRAY_SIZE(efs_hooks) - 1; i >= 0; i--)
		efs_unhook_one(&efs_hooks[i]);
	if (efs_hooked)
		pr_info("efs: unhooked knfsd\n");
	efs_hooked = false;
}

static int efs_hook_all_locked(void)
{
	int i, err;

	if (efs_hooked)
		return 0;
	for (i = 0; i < ARRAY_SIZE(efs_hooks); i++) {
		err = efs_hook_one(&efs_hooks[i]);
		if (err) {
			efs_unhook_all_locked();
			return err;
		}
	}
	efs_hooked = true;
	pr_info("efs: hooked knfsd (%s, compat %s, checked: %s)\n",
		utsname()->release, EFS_COMPAT_NAME, efs_compat_checked());
	return 0;
}

bool efs_hooks_active(void)
{
	return READ_ONCE(efs_hooked);
}

static int efs_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;

	if (strcmp(mod->name, "nfsd"))
		return NOTIFY_DONE;
	mutex_lock(&efs_hooks_lock);
	if (action == MODULE_STATE_LIVE)
		efs_hook_all_locked();
	else if (action == MODULE_STATE_GOING)
		efs_unhook_all_locked();
	mutex_unlock(&efs_hooks_lock);
	return NOTIFY_OK;
}

static struct notifier_block efs_module_nb = {
	.notifier_call = efs_module_notify,
};

int efs_hooks_init(void)
{
	unsigned long func;
	int err;

	/* Before anything is hooked: is knfsd what efs was built for? */
	err = efs_compat_check();
	if (err)
		return err;
	err = init_srcu_struct(&efs_hook_srcu);
	if (err)
		return err;
	err = register_module_notifier(&efs_module_nb);
	if (err)
		goto srcu;

	mutex_lock(&efs_hooks_lock);
	if (efs_resolve("nfsd_dispatch", &func) == 0)
		err = efs_hook_all_locked();
	else
		pr_info("efs: nfsd is not loaded; efs will hook it when it loads\n");
	mutex_unlock(&efs_hooks_lock);
	if (err)
		goto notifier;
	return 0;

notifier:
	unregister_module_notifier(&efs_module_nb);
srcu:
	cleanup_srcu_struct(&efs_hook_srcu);
	return err;
}

/*
 * After this returns no nfsd thread is in, or can enter, efs code: the
 * hooks are gone, tasks RCU covers a thread between the ftrace thunk and
 * its wrapper's first instruction (and after its last), and SRCU covers
 * the wrappers themselves, which may sleep.
 */
void efs_hooks_exit(void)
{
	unregister_module_notifier(&efs_module_nb);
	mutex_lock(&efs_hooks_lock);
	efs_unhook_all_locked();
	mutex_unlock(&efs_hooks_lock);
	synchronize_rcu_tasks();
	synchronize_srcu(&efs_hook_srcu);
	synchronize_rcu_tasks();
	cleanup_srcu_struct(&efs_hook_srcu);
}
