// SPDX-License-Identifier: GPL-2.0
/*
 * CloudWatch-style counters per filesystem. The hot path only adds to this
 * CPU's copy (this_cpu_add: no lock, no shared cache line); readers sum.
 */
#include <linux/jiffies.h>
#include <linux/log2.h>
#include "efs.h"
#include "stats.h"

#define efs_ctr_add(fs, field, v) this_cpu_add((fs)->ctr->field, (v))

void efs_stats_add_op(struct efs_fs *fs, enum efs_op_kind kind, u64 bytes,
		      u64 metered)
{
	switch (kind) {
	case EFS_OP_DATA_READ:
		efs_ctr_add(fs, data_read_bytes, bytes);
		efs_ctr_add(fs, data_read_ops, 1);
		break;
	case EFS_OP_DATA_WRITE:
		efs_ctr_add(fs, data_write_bytes, bytes);
		efs_ctr_add(fs, data_write_ops, 1);
		break;
	default:
		/* EFS counts every metadata operation as 4 KiB. */
		efs_ctr_add(fs, metadata_bytes, EFS_METER_MIN_BYTES);
		efs_ctr_add(fs, metadata_ops, 1);
		break;
	}
	efs_ctr_add(fs, metered_bytes, metered);
}

/*
 * One request's counters, in one call from its RPC's end: its op, its
 * units and read or write op (PercentIOLimit's), and whether it came
 * over TLS.
 */
void efs_stats_add_request(struct efs_fs *fs, enum efs_op_kind kind,
			   u64 bytes, u64 metered, u32 units, bool write,
			   bool tls)
{
	efs_stats_add_op(fs, kind, bytes, metered);
	efs_ctr_add(fs, io_units, units);
	if (write)
		efs_ctr_add(fs, write_class_ops, 1);
	else
		efs_ctr_add(fs, read_class_ops, 1);
	if (tls)
		efs_ctr_add(fs, tls_ops, 1);
}

/* Bucket i counts waits shorter than 2^i ms; the last takes the rest. */
static unsigned int efs_wait_bucket(u64 waited_ns)
{
	u64 ms = div_u64(waited_ns, NSEC_PER_MSEC);
	unsigned int i = ms ? ilog2(ms) + 1 : 0;

	return min_t(unsigned int, i, EFS_WAIT_HIST_BUCKETS - 1);
}

void efs_stats_add_wait(struct efs_fs *fs, u64 waited_ns)
{
	efs_ctr_add(fs, throttled_ops, 1);
	efs_ctr_add(fs, throttle_delay_ns, waited_ns);
	efs_ctr_add(fs, wait_hist[efs_wait_bucket(waited_ns)], 1);
}

void efs_stats_add_delay_reply(struct efs_fs *fs)
{
	efs_ctr_add(fs, delay_replies, 1);
}

void efs_stats_add_displaced(struct efs_fs *fs)
{
	efs_ctr_add(fs, displaced, 1);
}

void efs_stats_add_plaintext_refused(struct efs_fs *fs)
{
	efs_ctr_add(fs, plaintext_refused, 1);
}

void efs_stats_sum(struct efs_fs *fs, struct efs_totals *t)
{
	int cpu, i;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		struct efs_counters *c = per_cpu_ptr(fs->ctr, cpu);

		t->c.data_read_bytes += READ_ONCE(c->data_read_bytes);
		t->c.data_read_ops += READ_ONCE(c->data_read_ops);
		t->c.data_write_bytes += READ_ONCE(c->data_write_bytes);
		t->c.data_write_ops += READ_ONCE(c->data_write_ops);
		t->c.metadata_bytes += READ_ONCE(c->metadata_bytes);
		t->c.metadata_ops += READ_ONCE(c->metadata_ops);
		t->c.metered_bytes += READ_ONCE(c->metered_bytes);
		t->c.io_units += READ_ONCE(c->io_units);
		t->c.read_class_ops += READ_ONCE(c->read_class_ops);
		t->c.write_class_ops += READ_ONCE(c->write_class_ops);
		t->c.throttled_ops += READ_ONCE(c->throttled_ops);
		t->c.throttle_delay_ns += READ_ONCE(c->throttle_delay_ns);
		t->c.delay_replies += READ_ONCE(c->delay_replies);
		t->c.displaced += READ_ONCE(c->displaced);
		t->c.tls_ops += READ_ONCE(c->tls_ops);
		t->c.plaintext_refused += READ_ONCE(c->plaintext_refused);
		for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
			t->c.wait_hist[i] += READ_ONCE(c->wait_hist[i]);
	}
	t->total_bytes = t->c.data_read_bytes + t->c.data_write_bytes +
			 t->c.metadata_bytes;
}

/*
 * Continue counters saved before a module reload (EFS_A_FS_COUNTER_BASE):
 * the saved values are added to this CPU's copy, the way the hot path adds,
 * so no other CPU's copy is written and every sum includes them.
 */
void efs_stats_add_base(struct efs_fs *fs, const struct efs_counters *base)
{
	int i;

	efs_ctr_add(fs, data_read_bytes, base->data_read_bytes);
	efs_ctr_add(fs, data_read_ops, base->data_read_ops);
	efs_ctr_add(fs, data_write_bytes, base->data_write_bytes);
	efs_ctr_add(fs, data_write_ops, base->data_write_ops);
	efs_ctr_add(fs, metadata_bytes, base->metadata_bytes);
	efs_ctr_add(fs, metadata_ops, base->metadata_ops);
	efs_ctr_add(fs, metered_bytes, base->metered_bytes);
	efs_ctr_add(fs, io_units, base->io_units);
	efs_ctr_add(fs, throttled_ops, base->throttled_ops);
	efs_ctr_add(fs, throttle_delay_ns, base->throttle_delay_ns);
	efs_ctr_add(fs, delay_replies, base->delay_replies);
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
		efs_ctr_add(fs, wait_hist[i], base->wait_hist[i]);
}

/* ClientConnections: clients seen within the client idle time. */
u32 efs_fs_client_count(struct efs_fs *fs, bool *lower_bound)
{
	return efs_clients_count(&fs->clients, jiffies,
				 (unsigned long)READ_ONCE(fs->cfg.client_idle_s) * HZ,
				 lower_bound);
}

struct efs_tls_count {
	unsigned long now, idle;
	u32 n;
};

static int efs_count_tls_client(struct efs_client *c, void *arg)
{
	struct efs_tls_count *tc = arg;

	if (READ_ONCE(c->tls) &&
	    !time_after(tc->now, READ_ONCE(c->last_seen) + tc->idle))
		tc->n++;
	return 0;
}

/* TlsClientConnections: active clients whose last request was over TLS. */
u32 efs_fs_tls_client_count(struct efs_fs *fs)
{
	struct efs_tls_count tc = {
		.now = jiffies,
		.idle = (unsigned long)READ_ONCE(fs->cfg.client_idle_s) * HZ,
	};

	efs_clients_walk(&fs->clients, efs_count_tls_client, &tc);
	return tc.n;
}
