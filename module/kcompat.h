/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel APIs efs uses that older kernels lack (WireGuard style: included
 * into every file by Kbuild, empty on kernels that have them). knfsd's own
 * changes are in nfsd_compat.h.
 */
#ifndef EFS_KCOMPAT_H
#define EFS_KCOMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#include <linux/ctype.h>
#include <net/genetlink.h>

/* 6.1 (5.10 lacks it): true, with an extack message, if ATTR is missing. */
#ifndef GENL_REQ_ATTR_CHECK
#define GENL_REQ_ATTR_CHECK(info, attr) ({				\
	struct genl_info *__info = (info);				\
	bool __missing = !__info->attrs[(attr)];			\
									\
	if (__missing)							\
		NL_SET_ERR_MSG(__info->extack, "missing required attribute"); \
	__missing;							\
})
#endif
#endif

#endif /* EFS_KCOMPAT_H */
