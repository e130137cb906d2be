// SPDX-License-Identifier: GPL-2.0
/*
 * Once a second, for every filesystem: sample its stored bytes S when due
 * (bursting budgets follow S), derive PercentIOLimit (the use of the ops
 * budget that binds) and ClientConnections,
 * and raise events: credits low / exhausted, throttling started / stopped.
 * Working at this cadence rate-limits the events by construction; "stopped"
 * needs EFS_THROTTLE_QUIET quiet seconds in a row (hysteresis).
 */
#include <linux/workqueue.h>
#include "efs.h"
#include "clock.h"
#include "credit.h"
#include "family.h"
#include "rates.h"
#include "registry.h"
#include "sampler.h"
#include "stats.h"

#define EFS_SAMPLE_PERIOD	HZ
#define EFS_THROTTLE_QUIET	3

static struct delayed_work efs_sampler_work;

static void efs_sample_credits(struct efs_fs *fs, u64 now)
{
	struct efs_sample *s = &fs->sample;
	u64 balance, max, low;
	bool exhausted, is_low;

	if (fs->cfg.tp_mode != EFS_TP_BURSTING) {
		s->credits_low = false;
		s->credits_exhausted = false;
		return;
	}
	balance = efs_fs_credit_balance(fs, now);
	max = efs_credit_max(fs->size_bytes);
	low = div_u64(max, 100) * fs->cfg.credit_low_pct;
	/* Less than a second of baseline left counts as exhausted. */
	exhausted = balance < efs_baseline_bps(fs->size_bytes);
	is_low = balance < low;

	if (exhausted && !s->credits_exhausted)
		efs_family_event(fs->name, EFS_EVENT_CREDITS_EXHAUSTED, balance);
	else if (is_low && !s->credits_low && !exhausted)
		efs_family_event(fs->name, EFS_EVENT_CREDITS_LOW, balance);
	s->credits_exhausted = exhausted;
	/* Leave "low" only after climbing back above it. */
	s->credits_low = is_low || exhausted;
}

/* Use of a budget of rate per second over elapsed ns, in 1/100 %. */
static u64 efs_percent_of(u64 used, u64 rate, u64 elapsed)
{
	u64 budget = mul_u64_u64_div_u64(rate, elapsed, NSEC_PER_SEC);

	return budget ? min_t(u64, div64_u64(used * 10000, budget), 10000U) : 0;
}

/*
 * PercentIOLimit: the highest use among the ops budgets in force (read,
 * write, combined), so it reaches 100 % when any of them binds.
 */
static u32 efs_percent_io_limit(struct efs_fs *fs, const struct efs_totals *t,
				u64 elapsed)
{
	const struct efs_sample *s = &fs->sample;
	u64 pct;

	pct = efs_percent_of(t->c.io_units - s->io_units,
			     READ_ONCE(fs->ops_rate), elapsed);
	pct = max(pct, efs_percent_of(t->c.read_class_ops - s->read_ops,
				      READ_ONCE(fs->read_rate), elapsed));
	pct = max(pct, efs_percent_of(t->c.write_class_ops - s->write_ops,
				      READ_ONCE(fs->write_rate), elapsed));
	return (u32)pct;
}

static void efs_sample_fs(struct efs_fs *fs, u64 now)
{
	struct efs_sample *s = &fs->sample;
	struct efs_totals t;
	u64 size;

	if (fs->cfg.metered_size == EFS_METERED_SIZE_AUTO &&
	    now >= s->next_size_ns) {
		size = efs_fs_sample_size(fs);
		efs_fs_set_size_locked(fs, size, efs_now_ns());
		s->next_size_ns = now + (u64)fs->cfg.sample_ms * NSEC_PER_MSEC;
	}

	efs_stats_sum(fs, &t);
	if (s->time_ns) {
		s->percent_io_limit = efs_percent_io_limit(fs, &t,
							   now - s->time_ns);

		if (t.c.throttled_ops + t.c.delay_replies > s->throttled_ops) {
			s->quiet_intervals = 0;
			if (!s->throttling) {
				s->throttling = true;
				efs_family_event(fs->name,
						  EFS_EVENT_THROTTLE_START,
						  t.c.throttled_ops +
						  t.c.delay_replies -
						  s->throttled_ops);
			}
		} else if (s->throttling &&
			   ++s->quiet_intervals >= EFS_THROTTLE_QUIET) {
			s->throttling = false;
			efs_family_event(fs->name, EFS_EVENT_THROTTLE_STOP,
					  t.c.throttled_ops);
		}
	}
	s->time_ns = now;
	s->io_units = t.c.io_units;
	s->read_ops = t.c.read_class_ops;
	s->write_ops = t.c.write_class_ops;
	s->throttled_ops = t.c.throttled_ops + t.c.delay_replies;
	efs_clients_tick(&fs->clients, jiffies,
			 (unsigned long)fs->cfg.client_idle_s * HZ,
			 s->client_time_ns ? now - s->client_time_ns : 0);
	s->client_time_ns = now;
	efs_sample_credits(fs, now);
}

static void efs_sampler_fn(struct work_struct *work)
{
	struct efs_fs *fs;
	u64 now = efs_now_ns();

	mutex_lock(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node)
		efs_sample_fs(fs, now);
	mutex_unlock(&efs_registry_lock);
	schedule_delayed_work(&efs_sampler_work, EFS_SAMPLE_PERIOD);
}

int efs_sampler_init(void)
{
	INIT_DELAYED_WORK(&efs_sampler_work, efs_sampler_fn);
	schedule_delayed_work(&efs_sampler_work, EFS_SAMPLE_PERIOD);
	return 0;
}

void efs_sampler_exit(void)
{
	cancel_delayed_work_sync(&efs_sampler_work);
}
