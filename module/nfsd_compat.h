/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What efs knows about knfsd's private side, by version range.
 *
 * Each EFS_NFSD_* choice below is a change in knfsd (or ftrace) that
 * matters to efs, with the range it holds for. A range is "verified" where
 * it was read in that kernel's own source (Debian's linux-source-X: 5.10.262,
 * 6.1.192, 6.12.117, 7.2.13, 7.3.4) or in the BTF of Debian's binary nfsd.ko
 * (6.12.43 to 6.12.117, 6.16.12); elsewhere the boundary is upstream's and efs hooks only
 * when the running kernel's BTF confirms it (compat.c, efs-btf-check).
 *
 * nfsd's structs are not in linux-headers. efs mirrors only the leading
 * fields it reads (of svc_fh, svc_export and nfsd_file); they are the
 * same from 5.10 through 7.3. Before hooking anything, compat.c compares
 * every offset and every prototype below with what efs-btf-check found in
 * /sys/kernel/btf/nfsd (module parameters btf_layout and btf_protos) and
 * refuses on any difference.
 */
#ifndef EFS_NFSD_COMPAT_H
#define EFS_NFSD_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>
#include <linux/path.h>
#include <linux/ptrace.h>
#include <linux/rhashtable-types.h>
#include <linux/sunrpc/cache.h>
#include <linux/sunrpc/svc.h>
#include <linux/nfs4.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 10, 0)
#error "efs needs Linux 5.10 or newer (static calls)"
#endif

#define EFS_KV(a, b, c)	KERNEL_VERSION(a, b, c)
#define EFS_KV_IN(lo, hi) \
	(LINUX_VERSION_CODE >= (lo) && LINUX_VERSION_CODE < (hi))

/*
 * nfsd_dispatch(rqstp, statp) until 6.3, nfsd_dispatch(rqstp) from 6.3
 * ("SUNRPC: Remove the statp parameter of pc_dispatch"; 5.10 and 6.1 have
 * statp, 6.12, 7.2 and 7.3 do not).
 */
#define EFS_NFSD_DISPATCH_STATP	(LINUX_VERSION_CODE < EFS_KV(6, 3, 0))

/*
 * The vectored read: nfsd_readv(rqstp, fhp, file, offset, vec, vlen,
 * count, eof) until 6.5 (5.10, 6.1), then nfsd_iter_read(rqstp, fhp, X,
 * offset, count, base, eof) (6.12, 7.2, 7.3). X was a struct file * and
 * became a struct nfsd_file * upstream in 6.19 ("NFSD: pass nfsd_file to
 * nfsd_iter_read()") and in stable backports: in 6.12.y from 6.12.101
 * (the BTF of Debian's nfsd.ko: 6.12.43, 6.12.95 and 6.12.100 have struct
 * file *; 6.12.101, 6.12.107, 6.12.111, 6.12.113 and 6.12.117 struct
 * nfsd_file *). 6.6.y and 6.18.y got it at releases Debian does not ship:
 * there upstream's 6.19 boundary is used and the BTF check decides.
 */
#define EFS_NFSD_READV		(LINUX_VERSION_CODE < EFS_KV(6, 5, 0))
#define EFS_NFSD_ITER_READ_NF	(LINUX_VERSION_CODE >= EFS_KV(6, 19, 0) || \
				 EFS_KV_IN(EFS_KV(6, 12, 101), EFS_KV(6, 13, 0)))

/*
 * nfsd_vfs_write(rqstp, fhp, nf, offset, vec, vlen, cnt, stable, verf)
 * until 6.16, then (rqstp, fhp, nf, offset, const struct xdr_buf *payload,
 * cnt, stable, verf) (6.12: kvec; 6.16.12 BTF, 7.2, 7.3: payload).
 */
#define EFS_NFSD_WRITE_PAYLOAD	(LINUX_VERSION_CODE >= EFS_KV(6, 16, 0))

/*
 * 6.19+ (7.2, 7.3) read and write with direct I/O when nfsd's io_cache
 * knobs ask for it: nfsd_direct_read() is called from inside
 * nfsd_iter_read() and nfsd_direct_write() from inside nfsd_vfs_write(),
 * so the wrappers below already see (and charge) those requests once;
 * nothing else to hook. fh_verify(), nfsd_splice_read() keep their
 * prototypes from 5.10 through 7.3.
 */
#define EFS_NFSD_DIRECT_IO	(LINUX_VERSION_CODE >= EFS_KV(6, 19, 0))

/*
 * RPC-with-TLS transport bits (server side from 6.4): XPT_TLS_SESSION and
 * XPT_PEER_AUTH in rqstp->rq_xprt->xpt_flags. Their numbers changed in 6.6,
 * but they are an enum in linux/sunrpc/svc_xprt.h, which is in each
 * kernel's headers: built against them, efs gets that kernel's numbers.
 * 5.10 and 6.1 have neither; 6.12 and 7.3 have both.
 */
#define EFS_XPT_TLS		(LINUX_VERSION_CODE >= EFS_KV(6, 4, 0))

/*
 * Where the ranges above were read in a kernel's source or BTF: these
 * series (and, for 6.12, every Debian release checked). Outside them efs
 * hooks only with a BTF check that passed.
 */
#define EFS_NFSD_VERIFIED					\
	(EFS_KV_IN(EFS_KV(5, 10, 0), EFS_KV(5, 11, 0)) ||	\
	 EFS_KV_IN(EFS_KV(6, 1, 0), EFS_KV(6, 2, 0)) ||		\
	 EFS_KV_IN(EFS_KV(6, 12, 43), EFS_KV(6, 13, 0)) ||	\
	 EFS_KV_IN(EFS_KV(6, 16, 0), EFS_KV(6, 17, 0)) ||	\
	 EFS_KV_IN(EFS_KV(7, 2, 0), EFS_KV(7, 4, 0)))
#define EFS_NFSD_VERIFIED_LIST	"5.10, 6.1, 6.12.43+, 6.16, 7.2, 7.3"

/* The compat in use, by the range it starts at (efsctl version: Compat). */
#if LINUX_VERSION_CODE < EFS_KV(5, 11, 0)
#define EFS_COMPAT_NAME	"knfsd-5.10"
#elif EFS_NFSD_DISPATCH_STATP
#define EFS_COMPAT_NAME	"knfsd-5.11"
#elif EFS_NFSD_READV
#define EFS_COMPAT_NAME	"knfsd-6.3"
#elif !EFS_NFSD_WRITE_PAYLOAD && !EFS_NFSD_ITER_READ_NF
#define EFS_COMPAT_NAME	"knfsd-6.5"
#elif !EFS_NFSD_WRITE_PAYLOAD
#define EFS_COMPAT_NAME	"knfsd-6.12.101"
#elif !EFS_NFSD_ITER_READ_NF
#define EFS_COMPAT_NAME	"knfsd-6.16"
#else
#define EFS_COMPAT_NAME	"knfsd-6.19"
#endif

/*
 * The functions efs wraps, one entry each: X(id, symbol, return type,
 * (parameters), (arguments), BTF). id is efs's name for the hook: of
 * each entry hooks.c makes the static call efs_orig_<id> that calls
 * knfsd's function, the signature of its wrapper efs_wrap_<id> and its
 * line in the table of hooks. The parameters are knfsd's, with nfsd's private structs
 * by efs's mirrors below; the arguments are their names, passed on as
 * they came. BTF is the same prototype as efs-btf-check renders BTF: a
 * struct/union/enum by its tag, a typedef by its name, an int by its
 * name with '_' for ' ', '*' per pointer, "const_" for const; compat.c
 * compares EFS_PROTOS, made of these, with the running kernel's.
 */
struct file;
struct kvec;
struct xdr_buf;
struct nfsd_file;
struct nfsd4_compound_state;
union nfsd4_op_u;
struct efs_svc_fh;
struct efs_nfsd_file;

#if EFS_NFSD_DISPATCH_STATP
#define EFS_HOOK_DISPATCH(X)						\
	X(dispatch, "nfsd_dispatch", int,				\
	  (struct svc_rqst *rqstp, __be32 *statp), (rqstp, statp),	\
	  "int(svc_rqst*,__be32*)")
#else
#define EFS_HOOK_DISPATCH(X)						\
	X(dispatch, "nfsd_dispatch", int,				\
	  (struct svc_rqst *rqstp), (rqstp),				\
	  "int(svc_rqst*)")
#endif

#define EFS_HOOK_FH_VERIFY(X)						\
	X(fh_verify, "fh_verify", __be32,				\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp, umode_t type,	\
	   int access),							\
	  (rqstp, fhp, type, access),					\
	  "__be32(svc_rqst*,svc_fh*,umode_t,int)")

#if EFS_NFSD_WRITE_PAYLOAD
#define EFS_HOOK_VFS_WRITE(X)						\
	X(vfs_write, "nfsd_vfs_write", __be32,				\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp,		\
	   struct nfsd_file *nf, loff_t offset,				\
	   const struct xdr_buf *payload, unsigned long *cnt, int stable, \
	   __be32 *verf),						\
	  (rqstp, fhp, nf, offset, payload, cnt, stable, verf),		\
	  "__be32(svc_rqst*,svc_fh*,nfsd_file*,loff_t,const_xdr_buf*,long_unsigned_int*,int,__be32*)")
#else
#define EFS_HOOK_VFS_WRITE(X)						\
	X(vfs_write, "nfsd_vfs_write", __be32,				\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp,		\
	   struct nfsd_file *nf, loff_t offset, struct kvec *vec,	\
	   int vlen, unsigned long *cnt, int stable, __be32 *verf),	\
	  (rqstp, fhp, nf, offset, vec, vlen, cnt, stable, verf),	\
	  "__be32(svc_rqst*,svc_fh*,nfsd_file*,loff_t,kvec*,int,long_unsigned_int*,int,__be32*)")
#endif

#define EFS_HOOK_SPLICE_READ(X)						\
	X(splice_read, "nfsd_splice_read", __be32,			\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp,		\
	   struct file *file, loff_t offset, unsigned long *count,	\
	   u32 *eof),							\
	  (rqstp, fhp, file, offset, count, eof),			\
	  "__be32(svc_rqst*,svc_fh*,file*,loff_t,long_unsigned_int*,u32*)")

#if EFS_NFSD_READV
#define EFS_HOOK_READ(X)						\
	X(read, "nfsd_readv", __be32,					\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp,		\
	   struct file *file, loff_t offset, struct kvec *vec, int vlen, \
	   unsigned long *count, u32 *eof),				\
	  (rqstp, fhp, file, offset, vec, vlen, count, eof),		\
	  "__be32(svc_rqst*,svc_fh*,file*,loff_t,kvec*,int,long_unsigned_int*,u32*)")
#elif EFS_NFSD_ITER_READ_NF
#define EFS_HOOK_READ(X)						\
	X(read, "nfsd_iter_read", __be32,				\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp,		\
	   struct nfsd_file *nf, loff_t offset, unsigned long *count,	\
	   unsigned int base, u32 *eof),				\
	  (rqstp, fhp, nf, offset, count, base, eof),			\
	  "__be32(svc_rqst*,svc_fh*,nfsd_file*,loff_t,long_unsigned_int*,unsigned_int,u32*)")
#else
#define EFS_HOOK_READ(X)						\
	X(read, "nfsd_iter_read", __be32,				\
	  (struct svc_rqst *rqstp, struct efs_svc_fh *fhp,		\
	   struct file *file, loff_t offset, unsigned long *count,	\
	   unsigned int base, u32 *eof),				\
	  (rqstp, fhp, file, offset, count, base, eof),			\
	  "__be32(svc_rqst*,svc_fh*,file*,loff_t,long_unsigned_int*,unsigned_int,u32*)")
#endif

/*
 * NFSv4.2 COPY and CLONE (copy.c), the same from 5.10 through 7.3:
 * nfsd4_copy() is the COPY operation (a synchronous copy runs in it, an
 * asynchronous one in the "copy thread" kthread it starts; Debian's
 * 6.12.117 and 6.12.118 make every COPY synchronous, 5.10, 6.1 and 7.x
 * do what the client asks); nfsd_copy_file_range() copies one chunk of
 * at most 4 MiB for both; nfsd4_clone_file_range() is CLONE's.
 * nfsd4_copy() is static, but its address is in nfsd's operation table,
 * so it is never inlined, and it is in BTF (6.1, 6.12, 7.3).
 */
#define EFS_HOOK_COPY(X)						\
	X(copy, "nfsd4_copy", __be32,					\
	  (struct svc_rqst *rqstp, struct nfsd4_compound_state *cstate,	\
	   union nfsd4_op_u *u),					\
	  (rqstp, cstate, u),						\
	  "__be32(svc_rqst*,nfsd4_compound_state*,nfsd4_op_u*)")

#define EFS_HOOK_COPY_RANGE(X)						\
	X(copy_range, "nfsd_copy_file_range", ssize_t,			\
	  (struct file *src, u64 src_pos, struct file *dst, u64 dst_pos,	\
	   u64 count),							\
	  (src, src_pos, dst, dst_pos, count),				\
	  "ssize_t(file*,u64,file*,u64,u64)")

#define EFS_HOOK_CLONE_RANGE(X)						\
	X(clone_range, "nfsd4_clone_file_range", __be32,		\
	  (struct svc_rqst *rqstp, struct efs_nfsd_file *nf_src,	\
	   u64 src_pos, struct efs_nfsd_file *nf_dst, u64 dst_pos,	\
	   u64 count, bool sync),					\
	  (rqstp, nf_src, src_pos, nf_dst, dst_pos, count, sync),	\
	  "__be32(svc_rqst*,nfsd_file*,u64,nfsd_file*,u64,u64,bool)")

/* "symbol=BTF;..." for every entry (modinfo efs_protos, compat.c). */
#define EFS_HOOK_PROTO(id, sym, ret_t, params, args, btf)	sym "=" btf
#define EFS_PROTOS							\
	EFS_HOOK_DISPATCH(EFS_HOOK_PROTO) ";"				\
	EFS_HOOK_FH_VERIFY(EFS_HOOK_PROTO) ";"				\
	EFS_HOOK_VFS_WRITE(EFS_HOOK_PROTO) ";"				\
	EFS_HOOK_SPLICE_READ(EFS_HOOK_PROTO) ";"			\
	EFS_HOOK_READ(EFS_HOOK_PROTO) ";"				\
	EFS_HOOK_COPY(EFS_HOOK_PROTO) ";"				\
	EFS_HOOK_COPY_RANGE(EFS_HOOK_PROTO) ";"				\
	EFS_HOOK_CLONE_RANGE(EFS_HOOK_PROTO)

/* fs/nfsd/nfsfh.h: struct knfsd_fh, then the start of struct svc_fh. */
struct efs_knfsd_fh {
	unsigned int	fh_size;
	char		fh_raw[NFS4_FHSIZE];
};

struct efs_svc_export;

struct efs_svc_fh {
	struct efs_knfsd_fh	fh_handle;
	int			fh_maxsize;
	struct dentry		*fh_dentry;
	struct efs_svc_export	*fh_export;
	/* ... more fields efs never touches ... */
};

/* fs/nfsd/export.h: the start of struct svc_export. */
struct efs_svc_export {
	struct cache_head	h;
	struct auth_domain	*ex_client;
	int			ex_flags;
	int			ex_fsid;
	struct path		ex_path;
	/* ... */
};

/* fs/nfsd/filecache.h: the start of struct nfsd_file (5.10 to 7.3). */
struct efs_nfsd_file {
	struct rhlist_head	nf_rlist;
	void			*nf_inode;
	struct file		*nf_file;
	/* ... */
};

/* fs/nfsd/vfs.h: access bits passed to fh_verify(); same 5.10 to 7.3. */
#define EFS_NFSD_MAY_EXEC	0x001
#define EFS_NFSD_MAY_WRITE	0x002
#define EFS_NFSD_MAY_READ	0x004
#define EFS_NFSD_MAY_SATTR	0x008
#define EFS_NFSD_MAY_TRUNC	0x010
/* lockd's fh_verify() (NFSD_MAY_LOCK in 6.1, NFSD_MAY_NLM from 6.6). */
#define EFS_NFSD_MAY_NLM	0x020
/* fh_verify() access bits that make a request a metadata *update*. */
#define EFS_NFSD_MAY_UPDATE	(EFS_NFSD_MAY_WRITE | EFS_NFSD_MAY_SATTR | \
				 EFS_NFSD_MAY_TRUNC)

/* include/linux/nfs.h: NFSERR_JUKEBOX == NFS4ERR_DELAY == 10008. */
#define EFS_NFSERR_JUKEBOX	cpu_to_be32(10008)
/* What knfsd answers for an xprtsec= mismatch: nfserr_wrongsec (v4),
 * which NFSv3 replies carry as nfserr_acces (nfsd3_map_status(), 6.12).
 */
#define EFS_NFSERR_WRONGSEC	cpu_to_be32(10016)
#define EFS_NFSERR_ACCES	cpu_to_be32(13)

/*
 * ftrace callbacks: struct pt_regs * until 5.11, struct ftrace_regs * from
 * 5.11. The instruction pointer setter is ftrace_instruction_pointer_set()
 * (6.1) or, after its rename, ftrace_regs_set_instruction_pointer() (6.12,
 * 7.x); both are macros.
 *
 * The callback (hooks.c's thunk) calls nothing and so cannot recurse: it
 * tells ftrace so (FTRACE_OPS_FL_RECURSION_SAFE until 5.11; from 5.11 by
 * leaving out FTRACE_OPS_FL_RECURSION), which spares every hooked call
 * ftrace's recursion-guard wrapper around the callback.
 */
#if LINUX_VERSION_CODE < EFS_KV(5, 11, 0)
#define EFS_FTRACE_PT_REGS	1
#define EFS_FTRACE_REGS		struct pt_regs
#define efs_ftrace_set_ip(regs, ip) instruction_pointer_set(regs, ip)
#define EFS_FTRACE_OPS_FLAGS	(FTRACE_OPS_FL_SAVE_REGS | \
				 FTRACE_OPS_FL_RECURSION_SAFE | \
				 FTRACE_OPS_FL_IPMODIFY)
#else
#define EFS_FTRACE_PT_REGS	0
#define EFS_FTRACE_REGS		struct ftrace_regs
#if defined(ftrace_regs_set_instruction_pointer)
#define efs_ftrace_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#else
#define efs_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#endif
/*
 * Where ftrace passes arguments (x86_64 from 5.11) its lighter trampoline
 * also honours a changed instruction pointer, so IPMODIFY needs no full
 * pt_regs: livepatch asks for SAVE_REGS only without ARGS, and so do we.
 * The full save costs every hooked call some 25 instructions more.
 */
#ifdef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#define EFS_FTRACE_SAVE_REGS	0
#else
#define EFS_FTRACE_SAVE_REGS	FTRACE_OPS_FL_SAVE_REGS
#endif
#define EFS_FTRACE_OPS_FLAGS	(EFS_FTRACE_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY)
#endif

#endif /* EFS_NFSD_COMPAT_H */
