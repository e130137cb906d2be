/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Back-pressure for NFSv4.1+ clients that efs keeps refusing
 * (backpressure.c): for a few seconds after a DELAY, the client's
 * SEQUENCE replies ask it to use fewer session slots.
 */
#ifndef EFS_BACKPRESSURE_H
#define EFS_BACKPRESSURE_H

#include <linux/types.h>

struct svc_rqst;
struct efs_fs;
struct efs_client;

/*
 * NFSv4.1 session slots a client under back-pressure is asked to use,
 * pure: from slots now, the floor (the first ask, efs_pressure_slots())
 * and whether it was refused: a DELAY halves the excess over the floor;
 * a second in which the budget let most of its requests through at once
 * (it uses less than it may) adds a quarter (at least one), up to
 * EFS_PRESSURE_SLOTS_MAX, so a client far away (slots / round trip below
 * its budget) is not held below its budget. Returns the floor for a
 * client never held (slots 0).
 */
#define EFS_PRESSURE_SLOTS_MAX	64	/* the Linux client's default table */
u32 efs_pressure_slots_next(u32 slots, u32 floor, bool refused);

/* c was answered DELAY: hold it (throttle.c). */
void efs_pressure_note(struct efs_client *c);
/* c's request waited for budget: a held client stays held. */
void efs_pressure_renew(struct efs_client *c);
/* c's request went through at once: a held client may get more slots. */
void efs_pressure_underused(struct efs_client *c);
/*
 * After knfsd encoded the reply to rqstp, whose RPC charged client c of
 * fs (both NULL: none): patch its SEQUENCE reply if c is held.
 */
void efs_pressure_reply(struct svc_rqst *rqstp, struct efs_fs *fs,
			struct efs_client *c);

/* Session slots a client under pressure is asked to use first. */
u32 efs_pressure_slots(void);
/* The slots c's replies ask for now; 0 when it is not held. */
u32 efs_pressure_client_slots(struct efs_client *c);
/* Replies patched, and replies left alone for a shared session. */
u64 efs_pressure_reply_count(void);
u64 efs_pressure_withheld_count(void);

#endif /* EFS_BACKPRESSURE_H */
