/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CPU priority of the work a throttled request was admitted to do
 * (priority.c): lowered once it waited, restored when its RPC ends.
 */
#ifndef EFS_PRIORITY_H
#define EFS_PRIORITY_H

#include <linux/types.h>

/* One RPC's thread: whether its nice was lowered, and from what. */
struct efs_priority {
	bool lowered;
	int nice_before;
};

/* The RPC's request waited for its budget: lower its thread's priority. */
void efs_priority_lower(struct efs_priority *p);
/* At the end of the RPC's dispatch: the thread's own priority back. */
void efs_priority_restore(struct efs_priority *p);

#endif /* EFS_PRIORITY_H */
