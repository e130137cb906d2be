/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFS_CMD_EVENT notifications: decoding and one-line printing.
 */
#ifndef EFSCTL_EVENT_H
#define EFSCTL_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/efs.h>

#include "output.h"

struct nlmsghdr;

struct efs_event {
	uint32_t type;			/* enum efs_event_type */
	char fs[EFS_FS_NAME_MAX + 1];
	bool has_value;
	uint64_t value;
	uint64_t time_ns;		/* real time; 0 if not sent */
};

/* Returns 0, or -EINVAL if the message is not an event. */
int efs_event_decode(const struct nlmsghdr *nlh, struct efs_event *ev);
/* "throttle-start" / "ThrottleStart"; unknown types get a made-up name. */
const char *efs_event_name(uint32_t type, bool json, char *buf, size_t len);
/* One line: "<time> <fs> <event> [value=N]" or a compact JSON object. */
void efs_event_print(struct out *o, const struct efs_event *ev);

#endif
