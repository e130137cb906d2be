// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding and printing of multicast events (see event.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "event.h"
#include "units.h"

static const struct {
	const char *text, *json;
} event_names[__EFS_EVENT_MAX] = {
	[EFS_EVENT_FS_ADDED] = { "fs-added", "FileSystemAdded" },
	[EFS_EVENT_FS_CHANGED] = { "fs-changed", "FileSystemChanged" },
	[EFS_EVENT_FS_REMOVED] = { "fs-removed", "FileSystemRemoved" },
	[EFS_EVENT_CREDITS_LOW] = { "credits-low", "CreditsLow" },
	[EFS_EVENT_CREDITS_EXHAUSTED] = { "credits-exhausted",
					  "CreditsExhausted" },
	[EFS_EVENT_THROTTLE_START] = { "throttle-start", "ThrottleStart" },
	[EFS_EVENT_THROTTLE_STOP] = { "throttle-stop", "ThrottleStop" },
	[EFS_EVENT_LEASE_EXPIRED] = { "lease-expired", "LeaseExpired" },
	[EFS_EVENT_LEASE_FORGOTTEN] = { "lease-forgotten", "LeaseForgotten" },
	[EFS_EVENT_CLUSTER_HEADS] = { "cluster-heads", "ClusterHeads" },
	[EFS_EVENT_GRANT_CHANGED] = { "grant-changed", "GrantChanged" },
};

const char *efs_event_name(uint32_t type, bool json, char *buf, size_t len)
{
	if (type < __EFS_EVENT_MAX && event_names[type].text)
		return json ? event_names[type].json : event_names[type].text;
	snprintf(buf, len, json ? "Unknown%u" : "unknown-%u", type);
	return buf;
}

static int get_u64(const struct nlattr *a, uint64_t *v)
{
	if (mnl_attr_get_payload_len(a) == sizeof(uint64_t))
		*v = mnl_attr_get_u64(a);
	else if (mnl_attr_get_payload_len(a) == sizeof(uint32_t))
		*v = mnl_attr_get_u32(a);
	else
		return -EINVAL;
	return 0;
}

int efs_event_decode(const struct nlmsghdr *nlh, struct efs_event *ev)
{
	const struct genlmsghdr *genl;
	const struct nlattr *a;
	bool has_type = false;
	uint64_t v;

	memset(ev, 0, sizeof(*ev));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return -EINVAL;
	genl = mnl_nlmsg_get_payload(nlh);
	if (genl->cmd != EFS_CMD_EVENT)
		return -EINVAL;

	mnl_attr_for_each(a, nlh, sizeof(*genl)) {
		switch (mnl_attr_get_type(a)) {
		case EFS_A_EVENT_TYPE:
			if (get_u64(a, &v))
				return -EINVAL;
			ev->type = (uint32_t)v;
			has_type = true;
			break;
		case EFS_A_FS_NAME: {
			const char *s = mnl_attr_get_payload(a);
			size_t n = strnlen(s, mnl_attr_get_payload_len(a));

			if (n >= sizeof(ev->fs))
				return -EINVAL;
			memcpy(ev->fs, s, n);
			ev->fs[n] = '\0';
			break;
		}
		case EFS_A_EVENT_VALUE:
			if (get_u64(a, &ev->value))
				return -EINVAL;
			ev->has_value = true;
			break;
		case EFS_A_EVENT_TIME_NS:
			if (get_u64(a, &ev->time_ns))
				return -EINVAL;
			break;
		}
	}
	return has_type ? 0 : -EINVAL;
}

void efs_event_print(struct out *o, const struct efs_event *ev)
{
	uint64_t t = ev->time_ns;
	char tbuf[48], nbuf[32];
	struct timespec now;

	if (!t) {
		clock_gettime(CLOCK_REALTIME, &now);
		t = (uint64_t)now.tv_sec * 1000000000ULL +
		    (uint64_t)now.tv_nsec;
	}
	efs_fmt_time(tbuf, sizeof(tbuf), t);

	out_obj_open(o, NULL);
	out_str(o, "Time", "%s", tbuf);
	out_str(o, "Event", NULL, efs_event_name(ev->type, true, nbuf,
						 sizeof(nbuf)));
	if (ev->fs[0]) {
		out_str(o, "FileSystem", " %s", ev->fs);
	} else {
		out_null(o, "FileSystem");
		out_text(o, " -");
	}
	out_text(o, " %s", efs_event_name(ev->type, false, nbuf,
					  sizeof(nbuf)));
	if (ev->has_value)
		out_u64(o, "Value", " value=%s", ev->value);
	out_obj_close(o);
	out_text(o, "\n");
	out_doc_end(o);
	fflush(o->f);
}
