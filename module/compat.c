// SPDX-License-Identifier: GPL-2.0
/*
 * Is the running knfsd the one efs was built for?
 *
 * nfsd_compat.h picks knfsd's prototypes and mirrors the leading fields of
 * two private structs by version range. A version number does not prove a
 * prototype (distributions backport nfsd changes inside a stable series),
 * so where the kernel has module BTF, efs-btf-check (run by modprobe, see
 * tools/efs-btf-check/) reads /sys/kernel/btf/nfsd and passes what it found
 * as the parameters btf_layout and btf_protos. Before anything is hooked,
 * every offset and prototype efs was built for must be there, equal;
 * otherwise efs refuses to load and names each difference. Without those
 * parameters (plain insmod; 5.10 has no module BTF) the version ranges
 * decide, and only inside the ranges that were verified.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <net/netlink.h>
#include "../uapi/linux/efs.h"
#include "compat.h"
#include "nfsd_compat.h"

static char *btf_layout;
module_param(btf_layout, charp, 0444);
MODULE_PARM_DESC(btf_layout,
		 "nfsd struct offsets in the running kernel's BTF, \"struct.field=offset,...\" (efs-btf-check)");

static char *btf_protos;
module_param(btf_protos, charp, 0444);
MODULE_PARM_DESC(btf_protos,
		 "prototypes of knfsd's functions in the running kernel's BTF, \"name=ret(args);...\" (efs-btf-check)");

/* What efs expects, readable with modinfo (efs-btf-check --expect). */
MODULE_INFO(efs_compat, EFS_COMPAT_NAME);
MODULE_INFO(efs_protos, EFS_PROTOS);

static const char *efs_checked = "compiled-in";

const char *efs_compat_checked(void)
{
	return efs_checked;
}

int efs_compat_layout(char *buf, size_t len)
{
	return scnprintf(buf, len,
			 "svc_fh.fh_handle=%zu,svc_fh.fh_maxsize=%zu,svc_fh.fh_dentry=%zu,svc_fh.fh_export=%zu,svc_export.h=%zu,svc_export.ex_client=%zu,svc_export.ex_flags=%zu,svc_export.ex_fsid=%zu,svc_export.ex_path=%zu,nfsd_file.nf_file=%zu",
			 offsetof(struct efs_svc_fh, fh_handle),
			 offsetof(struct efs_svc_fh, fh_maxsize),
			 offsetof(struct efs_svc_fh, fh_dentry),
			 offsetof(struct efs_svc_fh, fh_export),
			 offsetof(struct efs_svc_export, h),
			 offsetof(struct efs_svc_export, ex_client),
			 offsetof(struct efs_svc_export, ex_flags),
			 offsetof(struct efs_svc_export, ex_fsid),
			 offsetof(struct efs_svc_export, ex_path),
			 offsetof(struct efs_nfsd_file, nf_file));
}

/* EFS_CMD_VERSION_GET: which compat, and how it was checked. */
int efs_compat_put(struct sk_buff *skb)
{
	if (nla_put_string(skb, EFS_A_COMPAT_NAME, EFS_COMPAT_NAME) ||
	    nla_put_string(skb, EFS_A_COMPAT_CHECKED, efs_checked) ||
	    nla_put_string(skb, EFS_A_COMPAT_PROTOS, EFS_PROTOS) ||
	    nla_put_u8(skb, EFS_A_COMPAT_VERIFIED, EFS_NFSD_VERIFIED))
		return -EMSGSIZE;
	return 0;
}

/* The value of KEY in LIST ("k=v" items split by SEP), or NULL. */
static const char *efs_find(const char *list, char sep, const char *key,
			    size_t klen, size_t *vlen)
{
	const char *p = list, *end;

	while (*p) {
		end = strchrnul(p, sep);
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == '=') {
			*vlen = end - p - klen - 1;
			return p + klen + 1;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/*
 * Every "k=v" item of WANT must be in GOT with the same value. Prints each
 * difference; returns how many there were and counts the items in *n.
 */
static int efs_compare(const char *what, const char *want, const char *got,
		       char sep, int *n)
{
	const char *p = want, *end, *eq, *v;
	size_t klen, vlen, wlen;
	int bad = 0;

	while (*p) {
		end = strchrnul(p, sep);
		eq = memchr(p, '=', end - p);
		if (eq) {
			klen = eq - p;
			wlen = end - eq - 1;
			v = efs_find(got, sep, p, klen, &vlen);
			(*n)++;
			if (!v) {
				pr_err("efs: BTF check: %s %.*s is not in the running kernel's nfsd BTF (efs was built for %.*s)\n",
				       what, (int)klen, p, (int)wlen, eq + 1);
				bad++;
			} else if (vlen != wlen || strncmp(v, eq + 1, wlen)) {
				pr_err("efs: BTF check: %s %.*s is %.*s in the running kernel's nfsd, efs was built for %.*s\n",
				       what, (int)klen, p, (int)vlen, v,
				       (int)wlen, eq + 1);
				bad++;
			}
		}
		p = *end ? end + 1 : end;
	}
	return bad;
}

int efs_compat_check(void)
{
	int bad, nfields = 0, nfuncs = 0;
	char layout[256];

	if (!btf_layout && !btf_protos) {
		if (!EFS_NFSD_VERIFIED) {
			pr_err("efs: knfsd of kernel %s is outside the kernels efs's compat was verified on (%s); load efs with modprobe, whose efs-btf-check compares it with the running kernel's BTF; refusing to hook knfsd\n",
			       utsname()->release, EFS_NFSD_VERIFIED_LIST);
			return -EOPNOTSUPP;
		}
		return 0;
	}
	if (!btf_layout || !btf_protos) {
		pr_err("efs: BTF check: btf_layout and btf_protos come together (efs-btf-check sets both); refusing to hook knfsd\n");
		return -EINVAL;
	}
	efs_compat_layout(layout, sizeof(layout));
	bad = efs_compare("field", layout, btf_layout, ',', &nfields);
	bad += efs_compare("function", EFS_PROTOS, btf_protos, ';', &nfuncs);
	if (bad) {
		pr_err("efs: knfsd of kernel %s differs from what efs was built for (compat %s) in %d place(s); refusing to hook knfsd\n",
		       utsname()->release, EFS_COMPAT_NAME, bad);
		return -EINVAL;
	}
	efs_checked = "btf";
	pr_info("efs: BTF check: %d nfsd fields and %d knfsd prototypes as efs was built for (compat %s)\n",
		nfields, nfuncs, EFS_COMPAT_NAME);
	return 0;
}
