// SPDX-License-Identifier: GPL-2.0
/*
 * fs stats: counters and gauges of one filesystem (CloudWatch metric names),
 * totals and optionally per-second rates, as an aligned text table or JSON.
 */
#include "print.h"
#include "units.h"

enum metric_kind {
	MK_BYTES,	/* counter of bytes */
	MK_OPS,		/* counter of operations or units */
	MK_NS,		/* counter of nanoseconds */
	MK_GBYTES,	/* gauge: bytes */
	MK_GRATE,	/* gauge: bytes/s, 0 = unlimited */
	MK_GPCT,	/* gauge: hundredths of a percent */
	MK_GCOUNT,	/* gauge: a count */
	MK_GBOOL,	/* gauge: yes/no */
};

static const struct metric {
	const char *key;
	size_t off, size;
	enum metric_kind kind;
} metrics[] = {
	{ "DataReadIOBytes", EFS_FS_FIELD(data_read_bytes), MK_BYTES },
	{ "DataReadOps", EFS_FS_FIELD(data_read_ops), MK_OPS },
	{ "DataWriteIOBytes", EFS_FS_FIELD(data_write_bytes), MK_BYTES },
	{ "DataWriteOps", EFS_FS_FIELD(data_write_ops), MK_OPS },
	{ "MetadataIOBytes", EFS_FS_FIELD(metadata_bytes), MK_BYTES },
	{ "MetadataOps", EFS_FS_FIELD(metadata_ops), MK_OPS },
	{ "TotalIOBytes", EFS_FS_FIELD(total_bytes), MK_BYTES },
	{ "MeteredIOBytes", EFS_FS_FIELD(metered_bytes), MK_BYTES },
	{ "IoUnits", EFS_FS_FIELD(io_units), MK_OPS },
	{ "BurstCreditBalance", EFS_FS_FIELD(burst_credit_balance), MK_GBYTES },
	{ "PermittedThroughput", EFS_FS_FIELD(permitted_bps), MK_GRATE },
	{ "PercentIOLimit", EFS_FS_FIELD(percent_io_limit), MK_GPCT },
	{ "ClientConnections", EFS_FS_FIELD(client_connections), MK_GCOUNT },
	{ "ClientConnectionsLowerBound",
	  EFS_FS_FIELD(client_connections_lower_bound), MK_GBOOL },
	{ "WaitingThreads", EFS_FS_FIELD(waiting_threads), MK_GCOUNT },
	{ "ThrottledOperations", EFS_FS_FIELD(throttled_ops), MK_OPS },
	{ "ThrottleDelayNanoseconds", EFS_FS_FIELD(throttle_delay_ns), MK_NS },
	{ "DelayReplies", EFS_FS_FIELD(delay_replies), MK_OPS },
	{ "DisplacedRequests", EFS_FS_FIELD(displaced), MK_OPS },
	{ "TlsRequests", EFS_FS_FIELD(tls_ops), MK_OPS },
	{ "PlaintextRequestsRefused", EFS_FS_FIELD(plaintext_refused), MK_OPS },
	{ "TlsClientConnections", EFS_FS_FIELD(tls_clients), MK_GCOUNT },
	{ "Throttling", EFS_FS_FIELD(throttling), MK_GBOOL },
};

#define N_METRICS (sizeof(metrics) / sizeof(metrics[0]))

static bool is_counter(const struct metric *m)
{
	return m->kind == MK_BYTES || m->kind == MK_OPS || m->kind == MK_NS;
}

static uint64_t value(const struct efs_fs_info *fs, const struct metric *m)
{
	return efs_fs_field(fs, m->off, m->size);
}

/* Per-second rate of a counter; a counter that went backwards restarted. */
static double rate(const struct efs_fs_info *cur, const struct efs_fs_info *prev,
		   const struct metric *m, uint64_t elapsed_ns)
{
	uint64_t a = value(cur, m), b = value(prev, m);
	uint64_t delta = a >= b ? a - b : a;

	return (double)delta * 1e9 / (double)elapsed_ns;
}

/* The total: JSON value under the key, text right-aligned in a column. */
static void print_total(struct out *o, const struct efs_fs_info *fs,
			const struct metric *m)
{
	uint64_t v = value(fs, m);
	char buf[48];

	switch (m->kind) {
	case MK_BYTES:
	case MK_GBYTES:
		out_bytes(o, m->key, " %16s", v);
		break;
	case MK_NS:
		out_u64(o, m->key, NULL, v);
		efs_fmt_ratio(buf, sizeof(buf), v, 1000000000, 3, false);
		out_text(o, " %14s s", buf);
		break;
	case MK_GRATE:
		if (v) {
			out_rate(o, m->key, " %16s", v);
		} else {
			out_u64(o, m->key, NULL, 0);
			out_text(o, " %16s", "unlimited");
		}
		break;
	case MK_GPCT:
		efs_fmt_ratio(buf, sizeof(buf), v, 100, 2, false);
		out_num(o, m->key, NULL, buf);
		out_text(o, " %15s%%", buf);
		break;
	case MK_GBOOL:
		out_bool(o, m->key, " %16s", v);
		break;
	case MK_OPS:
	case MK_GCOUNT:
		out_u64(o, m->key, " %16s", v);
		break;
	}
}

static void print_rate_text(struct out *o, const struct metric *m, double r)
{
	char buf[48], num[48];

	switch (m->kind) {
	case MK_BYTES:
		/* A counter that jumps by near 2^64 in a short interval
		 * gives a rate no uint64_t holds: converting it is undefined. */
		efs_fmt_rate(buf, sizeof(buf), r < 0x1p64 - 1024 ?
			     (uint64_t)(r + 0.5) : UINT64_MAX);
		break;
	case MK_NS:
		snprintf(buf, sizeof(buf), "%s s/s",
			 efs_fmt_double(num, sizeof(num), r / 1e9, 3));
		break;
	default:
		snprintf(buf, sizeof(buf), "%.1f/s", r);
		break;
	}
	out_text(o, " %16s", buf);
}

static void print_histogram(struct out *o, const struct efs_fs_info *fs)
{
	bool any = false;
	int i;

	out_text(o, "%-26s", "WaitHistogram");
	out_arr_open(o, "WaitHistogram");
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++) {
		bool last = i == EFS_WAIT_HIST_BUCKETS - 1;
		uint64_t le = 1ULL << i;

		out_obj_open(o, NULL);
		if (last)
			out_null(o, "LeMs");
		else
			out_u64(o, "LeMs", NULL, le);
		out_u64(o, "Count", NULL, fs->wait_hist[i]);
		out_obj_close(o);
		if (!fs->wait_hist[i])
			continue;
		if (last)
			out_text(o, " >=%llums:%llu",
				 (unsigned long long)(le >> 1),
				 (unsigned long long)fs->wait_hist[i]);
		else
			out_text(o, " <%llums:%llu", (unsigned long long)le,
				 (unsigned long long)fs->wait_hist[i]);
		any = true;
	}
	out_arr_close(o);
	out_text(o, "%s\n", any ? "" : " -");
}

void efs_print_stats(struct out *o, const struct efs_fs_info *cur,
		     const struct efs_fs_info *prev, uint64_t elapsed_ns,
		     uint64_t wall_ns)
{
	bool rates = prev && elapsed_ns;
	char buf[48];
	size_t i;

	out_obj_open(o, NULL);
	out_str(o, "Name", "%s", cur->name);
	out_u64(o, "Timestamp", NULL, cur->time_ns);
	if (wall_ns)
		out_text(o, "  %s", efs_fmt_time(buf, sizeof(buf), wall_ns));
	if (rates) {
		efs_fmt_double(buf, sizeof(buf), (double)elapsed_ns / 1e9, 3);
		out_num(o, "ElapsedSeconds", "  (rates over %s s)", buf);
	}
	out_text(o, "\n%-26s %16s%s\n", "METRIC", "TOTAL",
		 rates ? "             RATE" : "");

	for (i = 0; i < N_METRICS; i++) {
		const struct metric *m = &metrics[i];

		out_text(o, "%-26s", m->key);
		print_total(o, cur, m);
		if (rates && is_counter(m))
			print_rate_text(o, m, rate(cur, prev, m, elapsed_ns));
		out_text(o, "\n");
	}
	print_histogram(o, cur);

	if (rates && o->json) {
		out_obj_open(o, "Rates");
		for (i = 0; i < N_METRICS; i++) {
			const struct metric *m = &metrics[i];

			if (!is_counter(m))
				continue;
			efs_fmt_double(buf, sizeof(buf),
				       rate(cur, prev, m, elapsed_ns), 3);
			out_num(o, m->key, NULL, buf);
		}
		out_obj_close(o);
	}
	out_obj_close(o);
	out_doc_end(o);
}
