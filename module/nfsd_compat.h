/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What efs knows about knfsd's private side, per kernel.
 *
 * nfsd's structs are not in linux-headers. efs mirrors only the leading
 * fields it reads; they are identical in 6.1 and 6.12, and the VM test
 * "nfsd_layout" checks every offset below against the running kernel's BTF
 * (/sys/kernel/btf/nfsd) through EFS_A_COMPAT_LAYOUT. On a kernel whose nfsd
 * this file does not describe, efs refuses to load instead of guessing.
 */
#ifndef EFS_NFSD_COMPAT_H
#define EFS_NFSD_COMPAT_H

#include <linux/version.h>
#include <linux/ftrace.h>
#include <linux/path.h>
#include <linux/sunrpc/cache.h>
#include <linux/sunrpc/svc.h>
#include <linux/nfs4.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define EFS_NFSD_KNOWN		1
#define EFS_NFSD_DISPATCH_STATP	1	/* nfsd_dispatch(rqstp, statp) */
#define EFS_NFSD_READ_FN	"nfsd_readv"
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define EFS_NFSD_KNOWN		1
#define EFS_NFSD_DISPATCH_STATP	0	/* nfsd_dispatch(rqstp) */
#define EFS_NFSD_READ_FN	"nfsd_iter_read"
#else
#define EFS_NFSD_KNOWN		0
#define EFS_NFSD_DISPATCH_STATP	0
#define EFS_NFSD_READ_FN	"nfsd_iter_read"
#endif

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

/* fs/nfsd/vfs.h: access bits passed to fh_verify(); same in 6.1 and 6.12. */
#define EFS_NFSD_MAY_EXEC	0x001
#define EFS_NFSD_MAY_WRITE	0x002
#define EFS_NFSD_MAY_READ	0x004
#define EFS_NFSD_MAY_SATTR	0x008
#define EFS_NFSD_MAY_TRUNC	0x010
/* fh_verify() access bits that make a request a metadata *update*. */
#define EFS_NFSD_MAY_UPDATE	(EFS_NFSD_MAY_WRITE | EFS_NFSD_MAY_SATTR | \
				 EFS_NFSD_MAY_TRUNC)

/* include/linux/nfs.h: NFSERR_JUKEBOX == NFS4ERR_DELAY == 10008. */
#define EFS_NFSERR_JUKEBOX	cpu_to_be32(10008)

/* The ftrace setter for the instruction pointer was renamed in 6.12. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define efs_ftrace_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#else
#define efs_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#endif

#endif /* EFS_NFSD_COMPAT_H */
