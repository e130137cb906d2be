// SPDX-License-Identifier: GPL-2.0
/*
 * metrics: Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector. Every family gets its HELP and TYPE
 * lines once, then one sample per filesystem.
 */
#include "clientinfo.h"
#include "print.h"
#include "units.h"

enum prom_value {
	PV_INT,		/* the field as an integer */
	PV_NS_SECONDS,	/* nanoseconds printed as seconds */
	PV_HUNDREDTHS,	/* hundredths printed as a decimal */
	PV_IOPS_LIMIT,	/* efs_fs_iops_limit(), not a field */
};

static const struct prom_metric {
	const char *name;
	const char *type;
	const char *help;
	size_t off, size;
	enum prom_value pv;
} prom_metrics[] = {
	{ "efs_data_read_bytes_total", "counter",
	  "Bytes read by data operations (DataReadIOBytes).",
	  EFS_FS_FIELD(data_read_bytes), PV_INT },
	{ "efs_data_read_ops_total", "counter",
	  "Data read operations (DataReadOps).",
	  EFS_FS_FIELD(data_read_ops), PV_INT },
	{ "efs_data_write_bytes_total", "counter",
	  "Bytes written by data operations (DataWriteIOBytes).",
	  EFS_FS_FIELD(data_write_bytes), PV_INT },
	{ "efs_data_write_ops_total", "counter",
	  "Data write operations (DataWriteOps).",
	  EFS_FS_FIELD(data_write_ops), PV_INT },
	{ "efs_metadata_bytes_total", "counter",
	  "Bytes of metadata operations (MetadataIOBytes).",
	  EFS_FS_FIELD(metadata_bytes), PV_INT },
	{ "efs_metadata_ops_total", "counter",
	  "Metadata operations (MetadataOps).",
	  EFS_FS_FIELD(metadata_ops), PV_INT },
	{ "efs_total_io_bytes_total", "counter",
	  "Bytes of all operations (TotalIOBytes).",
	  EFS_FS_FIELD(total_bytes), PV_INT },
	{ "efs_metered_io_bytes_total", "counter",
	  "Metered bytes checked against the permitted throughput (MeteredIOBytes).",
	  EFS_FS_FIELD(metered_bytes), PV_INT },
	{ "efs_io_units_total", "counter",
	  "Units charged to the IOPS budget.",
	  EFS_FS_FIELD(io_units), PV_INT },
	{ "efs_throttled_operations_total", "counter",
	  "Requests that waited for budget.",
	  EFS_FS_FIELD(throttled_ops), PV_INT },
	{ "efs_throttle_delay_seconds_total", "counter",
	  "Total time requests waited for budget.",
	  EFS_FS_FIELD(throttle_delay_ns), PV_NS_SECONDS },
	{ "efs_delay_replies_total", "counter",
	  "Requests answered with NFS4ERR_DELAY or NFS3ERR_JUKEBOX.",
	  EFS_FS_FIELD(delay_replies), PV_INT },
	{ "efs_displaced_requests_total", "counter",
	  "Waiting requests answered DELAY to make room for a lighter client.",
	  EFS_FS_FIELD(displaced), PV_INT },
	{ "efs_tls_requests_total", "counter",
	  "Requests that came over RPC-with-TLS (TlsRequests).",
	  EFS_FS_FIELD(tls_ops), PV_INT },
	{ "efs_plaintext_requests_refused_total", "counter",
	  "Requests refused because transit encryption is required and they did not come over TLS (PlaintextRequestsRefused).",
	  EFS_FS_FIELD(plaintext_refused), PV_INT },
	{ "efs_waiting_threads", "gauge",
	  "nfsd threads waiting for this filesystem's budget now.",
	  EFS_FS_FIELD(waiting_threads), PV_INT },
	{ "efs_burst_credit_balance_bytes", "gauge",
	  "Burst credit balance (BurstCreditBalance).",
	  EFS_FS_FIELD(burst_credit_balance), PV_INT },
	{ "efs_burst_credit_max_bytes", "gauge",
	  "Largest burst credit balance the filesystem can hold.",
	  EFS_FS_FIELD(burst_credit_max), PV_INT },
	{ "efs_permitted_throughput_bytes_per_second", "gauge",
	  "Metered throughput permitted now, 0 when unlimited (PermittedThroughput).",
	  EFS_FS_FIELD(permitted_bps), PV_INT },
	{ "efs_baseline_throughput_bytes_per_second", "gauge",
	  "Bursting baseline throughput for the metered size.",
	  EFS_FS_FIELD(baseline_bps), PV_INT },
	{ "efs_burst_throughput_bytes_per_second", "gauge",
	  "Bursting peak throughput for the metered size.",
	  EFS_FS_FIELD(burst_bps), PV_INT },
	{ "efs_provisioned_throughput_bytes_per_second", "gauge",
	  "Provisioned throughput, 0 when not set.",
	  EFS_FS_FIELD(provisioned_bps), PV_INT },
	{ "efs_percent_io_limit", "gauge",
	  "Use of the IOPS budget that binds in percent: the highest of the read, write and combined budgets' (PercentIOLimit).",
	  EFS_FS_FIELD(percent_io_limit), PV_HUNDREDTHS },
	{ "efs_client_connections", "gauge",
	  "NFS clients connected (ClientConnections).",
	  EFS_FS_FIELD(client_connections), PV_INT },
	{ "efs_tls_client_connections", "gauge",
	  "NFS clients whose last request came over TLS (TlsClientConnections).",
	  EFS_FS_FIELD(tls_clients), PV_INT },
	{ "efs_storage_bytes", "gauge",
	  "Size the throughput budget derives from (SizeInBytes).",
	  EFS_FS_FIELD(size_bytes), PV_INT },
	{ "efs_iops_limit", "gauge",
	  "Reads per second admitted: the lower of the read IOPS limit and the combined budget in force (IopsLimit), 0 when unlimited.",
	  0, 0, PV_IOPS_LIMIT },
	{ "efs_read_iops_limit", "gauge",
	  "Read IOPS limit in force, operations per second, 0 when none (ReadIopsLimit).",
	  EFS_FS_FIELD(read_iops_effective), PV_INT },
	{ "efs_write_iops_limit", "gauge",
	  "Write IOPS limit in force, operations per second, 0 when none (WriteIopsLimit).",
	  EFS_FS_FIELD(write_iops_effective), PV_INT },
	{ "efs_combined_iops_limit", "gauge",
	  "Combined IOPS budget in force (the older model: a write costs the write op weight), units per second, 0 when none (CombinedIopsLimit).",
	  EFS_FS_FIELD(iops_effective), PV_INT },
	{ "efs_throttling", "gauge",
	  "1 while requests are being throttled.",
	  EFS_FS_FIELD(throttling), PV_INT },
};

#define N_PROM (sizeof(prom_metrics) / sizeof(prom_metrics[0]))

#define HIST_NAME "efs_throttle_wait_seconds"

void efs_prom_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void labels(FILE *f, const struct efs_fs_info *fs, const char *le)
{
	fputs("{fs=\"", f);
	efs_prom_escape(f, fs->name);
	fputs("\",mode=\"", f);
	efs_prom_escape(f, efs_perf_mode_str(fs->performance_mode));
	fputs("\",throughput_mode=\"", f);
	efs_prom_escape(f, efs_tp_mode_str(fs->throughput_mode));
	fputc('"', f);
	if (le)
		fprintf(f, ",le=\"%s\"", le);
	fputc('}', f);
}

static void header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	/* HELP text escapes backslash and newline; ours has neither */
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, const char *suffix,
		   const struct efs_fs_info *fs, const char *le,
		   const char *value)
{
	fprintf(f, "%s%s", name, suffix);
	labels(f, fs, le);
	fprintf(f, " %s\n", value);
}

static void histogram(FILE *f, const struct efs_fs_info *fs)
{
	uint64_t cum = 0, total = 0, count;
	char le[32], num[48];
	int i;

	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
		total += fs->wait_hist[i];
	/*
	 * _count is the number of throttled requests; the +Inf bucket must
	 * equal it, so should the kernel's counters ever disagree the larger
	 * one is used for both.
	 */
	count = fs->throttled_ops > total ? fs->throttled_ops : total;

	/* bucket i holds waits < 2^i ms; the last one holds the rest */
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS - 1; i++) {
		cum += fs->wait_hist[i];
		efs_fmt_ratio(le, sizeof(le), 1ULL << i, 1000, 3, true);
		snprintf(num, sizeof(num), "%llu", (unsigned long long)cum);
		sample(f, HIST_NAME, "_bucket", fs, le, num);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)count);
	sample(f, HIST_NAME, "_bucket", fs, "+Inf", num);
	efs_fmt_ratio(le, sizeof(le), fs->throttle_delay_ns, 1000000000, 9,
		      true);
	sample(f, HIST_NAME, "_sum", fs, NULL, le);
	sample(f, HIST_NAME, "_count", fs, NULL, num);
}

void efs_prom_print(FILE *f, const struct efs_fs_info *fs, size_t n)
{
	char num[48];
	size_t i, k;

	for (k = 0; k < N_PROM; k++) {
		const struct prom_metric *m = &prom_metrics[k];

		header(f, m->name, m->type, m->help);
		for (i = 0; i < n; i++) {
			uint64_t v = m->pv == PV_IOPS_LIMIT ?
				     efs_fs_iops_limit(&fs[i]) :
				     efs_fs_field(&fs[i], m->off, m->size);

			if (m->pv == PV_NS_SECONDS)
				efs_fmt_ratio(num, sizeof(num), v, 1000000000,
					      9, true);
			else if (m->pv == PV_HUNDREDTHS)
				efs_fmt_ratio(num, sizeof(num), v, 100, 2,
					      true);
			else
				snprintf(num, sizeof(num), "%llu",
					 (unsigned long long)v);
			sample(f, m->name, "", &fs[i], NULL, num);
		}
	}
	header(f, HIST_NAME, "histogram",
	       "Time throttled requests waited for budget.");
	for (i = 0; i < n; i++)
		histogram(f, &fs[i]);
}

/* Per-client series (metrics --per-client-top N): fs and client labels. */
static const struct {
	const char *name, *type, *help;
	int field;
} client_metrics[] = {
	{ "efs_client_ops_per_second", "gauge",
	  "Requests of one client over the last second.", 0 },
	{ "efs_client_metered_bytes_per_second", "gauge",
	  "Metered bytes of one client over the last second.", 1 },
	{ "efs_client_throttled_operations_total", "counter",
	  "Requests of one client that waited for budget.", 2 },
	{ "efs_client_delay_replies_total", "counter",
	  "Requests of one client answered with NFS4ERR_DELAY or NFS3ERR_JUKEBOX.", 3 },
};

static uint64_t client_value(const struct efs_client_info *c, int field)
{
	switch (field) {
	case 0: return c->ops_per_second;
	case 1: return c->metered_bps;
	case 2: return c->throttled_ops;
	default: return c->delay_replies;
	}
}

void efs_prom_print_clients(FILE *f, const struct efs_prom_clients *pc,
			    size_t nfs)
{
	size_t k, i, j;

	for (k = 0; k < sizeof(client_metrics) / sizeof(client_metrics[0]); k++) {
		header(f, client_metrics[k].name, client_metrics[k].type,
		       client_metrics[k].help);
		for (i = 0; i < nfs; i++) {
			for (j = 0; j < pc[i].n; j++) {
				fprintf(f, "%s{fs=\"", client_metrics[k].name);
				efs_prom_escape(f, pc[i].fs);
				fputs("\",client=\"", f);
				efs_prom_escape(f, pc[i].v[j].addr);
				fprintf(f, "\"} %llu\n", (unsigned long long)
					client_value(&pc[i].v[j], client_metrics[k].field));
			}
		}
	}
}
