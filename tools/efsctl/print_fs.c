// SPDX-License-Identifier: GPL-2.0
/*
 * fs show: configuration and live state of filesystems, text or JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "atrest.h"
#include "fs_opts.h"
#include "print.h"
#include "units.h"

static int cmp_name(const void *a, const void *b)
{
	const struct efs_fs_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

void efs_fs_sort(struct efs_fs_info *fs, size_t n)
{
	if (n > 1)
		qsort(fs, n, sizeof(*fs), cmp_name);
}

/* Encryption at rest and the export table, as efsctl read them from the host. */
static void print_local(struct out *o, const struct efs_fs_local *l)
{
	const struct efs_at_rest *r = &l->at_rest;
	const struct efs_exports *e = &l->exports;
	char text[512];
	size_t i;

	efs_at_rest_format(r, text, sizeof(text));
	out_text(o, "  encrypted at rest       %s\n",
		 r->encrypted ? text : "no");
	if (!r->encrypted && r->error[0])
		out_text(o, "                          (%s)\n", r->error);
	out_obj_open(o, "EncryptionAtRest");
	out_bool(o, "Encrypted", NULL, r->encrypted);
	if (r->encrypted) {
		out_str(o, "Method", NULL, r->method);
		if (r->cipher[0])
			out_str(o, "Cipher", NULL, r->cipher);
		else
			out_null(o, "Cipher");
		out_u64(o, "KeyBits", NULL, r->key_bits);
		if (r->device[0])
			out_str(o, "Device", NULL, r->device);
	}
	out_bool(o, "Aes256", NULL, r->aes256);
	if (r->error[0])
		out_str(o, "Error", NULL, r->error);
	out_obj_close(o);

	if (!e->n)
		out_text(o, "  exported to             (not in the export table)\n");
	out_arr_open(o, "Exports");
	for (i = 0; i < e->n; i++) {
		const struct efs_export *x = &e->v[i];
		const char *xs = x->xprtsec[0] ? x->xprtsec :
				 e->xprtsec_supported ? "not set" :
				 "not supported";

		out_obj_open(o, NULL);
		out_str(o, "Client", i ? "                          %s" :
			"  exported to             %s", x->client);
		out_str(o, "Options", " (%s)", x->options);
		out_str(o, "Xprtsec", ", xprtsec %s\n", xs);
		out_obj_close(o);
	}
	out_arr_close(o);
	if (e->source)
		out_str(o, "ExportsSource", NULL, e->source);
	else
		out_null(o, "ExportsSource");
}

static const char *efs_grant_state_str(uint32_t v)
{
	static const char *const names[__EFS_GRANT_STATE_MAX] = {
		[EFS_GRANT_STATE_PRE] = "pre-grant",
		[EFS_GRANT_STATE_GRANTED] = "granted",
		[EFS_GRANT_STATE_SAFE] = "safe",
		[EFS_GRANT_STATE_ZERO] = "zero",
	};

	return v < __EFS_GRANT_STATE_MAX ? names[v] : "unknown";
}

/* Scope, and a cluster filesystem's lease (issue 26). */
static void print_scope(struct out *o, const struct efs_fs_info *fs)
{
	bool cluster = fs->scope == EFS_SCOPE_CLUSTER;

	/* a module before cluster scope: every filesystem is local */
	out_str(o, "Scope", "  scope                   %s\n",
		efs_scope_str(fs->scope));
	if (!cluster || !fs->present[EFS_A_GRANT_EXPIRES_MS])
		return;
	out_u64(o, "ClusterHeads", "  heads                   %s",
		fs->grant_heads);
	out_text(o, " (safe share: the budget / %u)\n", fs->grant_heads);
	out_u64(o, "ClusterHeadsConfigured", NULL, fs->cluster_heads);
	if (fs->present[EFS_A_GRANT_STATE])
		out_str(o, "GrantState", "  grant state             %s\n",
			efs_grant_state_str(fs->grant_state));
	if (!fs->grant_expires_ms) {
		out_text(o, "  grant                   none in force (the lapsed grant or the safe share)\n");
		out_u64(o, "GrantedIops", NULL, fs->grant_iops);
		out_u64(o, "GrantedThroughput", NULL, fs->grant_bps);
	} else {
		out_u64(o, "GrantedIops", "  granted iops            %s units/s\n",
			fs->grant_iops);
		out_rate(o, "GrantedThroughput",
			 "  granted throughput      %s\n", fs->grant_bps);
	}
	out_u64(o, "GrantExpiresInMs", NULL, fs->grant_expires_ms);
	if (fs->grant_expires_ms)
		out_text(o, "  grant expires in        %u ms\n",
			 fs->grant_expires_ms);
}

/* One of EFS's read and write IOPS limits: in force, and configured. */
static void print_rw_limit(struct out *o, const struct efs_fs_info *fs,
			   const char *key, const char *label,
			   uint32_t in_force, uint32_t configured)
{
	char conf_key[48];

	snprintf(conf_key, sizeof(conf_key), "%sConfigured", key);
	out_text(o, "  %-24s", label);
	out_u64(o, key, in_force ? "%s ops/s" : "none", in_force);
	out_u64(o, conf_key, NULL, configured);
	if (configured)
		out_text(o, "\n");
	else if (in_force)
		out_text(o, " (%s default)\n",
			 efs_tp_mode_str(fs->throughput_mode));
	else
		out_text(o, " (maxIO: its combined budget applies)\n");
}

/*
 * The ops budgets: EFS's read and write IOPS limits, and the combined
 * budget of the older model (--iops-limit, a write costing the weight).
 * IopsLimit, kept for its users: the reads a second the filesystem
 * admits, the lower of the combined budget and the read limit.
 */
static void print_iops(struct out *o, const struct efs_fs_info *fs)
{
	bool rw = fs->present[EFS_A_FS_READ_IOPS_EFFECTIVE];

	out_u64(o, "IopsLimit", NULL, efs_fs_iops_limit(fs));
	if (rw) {
		print_rw_limit(o, fs, "ReadIopsLimit", "read iops limit",
			       fs->read_iops_effective, fs->read_iops_limit);
		print_rw_limit(o, fs, "WriteIopsLimit", "write iops limit",
			       fs->write_iops_effective, fs->write_iops_limit);
	}
	out_u64(o, "CombinedIopsLimit", fs->iops_effective ?
		"  combined iops limit     %s units/s" : NULL,
		fs->iops_effective);
	out_u64(o, "IopsLimitConfigured", NULL, fs->iops_limit);
	if (!fs->iops_effective)
		out_text(o, "  combined iops limit     none (--iops-limit not set)\n");
	else if (fs->iops_limit)
		out_text(o, " (configured)\n");
	else
		out_text(o, " (mode default)\n");

	out_u64(o, "WriteOpWeight", "  write op weight         %s units",
		fs->write_op_weight);
	out_text(o, "%s\n", fs->iops_effective ? "" :
		 " (of the combined budget, when set)");
}

void efs_print_fs(struct out *o, const struct efs_fs_info *fs)
{
	char num[48];

	out_obj_open(o, NULL);
	out_str(o, "Name", "%s\n", fs->name);
	out_str(o, "Path", "  path                    %s\n", fs->path);
	out_str(o, "PerformanceMode", "  performance mode        %s\n",
		efs_perf_mode_str(fs->performance_mode));

	print_iops(o, fs);
	out_u64(o, "MaxWaitMs", "  max wait                %s ms\n",
		fs->max_wait_ms);
	out_u64(o, "MaxWaiters", "  max waiters             %s",
		fs->max_waiters);
	out_text(o, "%s\n", fs->max_waiters ? "" :
		 " (none of its own: the server's budget and a fair share)");
	out_u64(o, "WaitingThreads", "  waiting threads now     %s\n",
		fs->waiting_threads);

	out_str(o, "ThroughputMode", "  throughput mode         %s\n",
		efs_tp_mode_str(fs->throughput_mode));
	efs_fmt_ratio(num, sizeof(num), fs->provisioned_bps, MIB, 6, true);
	out_num(o, "ProvisionedThroughputInMibps", NULL, num);
	if (fs->throughput_mode == EFS_TP_PROVISIONED || fs->provisioned_bps)
		out_text(o, "  provisioned throughput  %s MiB/s\n", num);

	out_obj_open(o, "SizeInBytes");
	out_bytes(o, "Value", "  size                    %s", fs->size_bytes);
	out_obj_close(o);
	if (fs->metered_size == EFS_METERED_SIZE_AUTO) {
		out_str(o, "MeteredSize", NULL, "auto");
		out_text(o, " (sampled every %u ms)\n", fs->size_sample_ms);
	} else {
		out_u64(o, "MeteredSize", NULL, fs->metered_size);
		out_text(o, " (set with --metered-size)\n");
	}

	out_bytes(o, "BurstCreditBalance", "  burst credit balance    %s",
		  fs->burst_credit_balance);
	out_bytes(o, "BurstCreditMax", " of %s\n", fs->burst_credit_max);
	if (fs->permitted_bps)
		out_rate(o, "PermittedThroughput",
			 "  permitted throughput    %s\n", fs->permitted_bps);
	else
		out_u64(o, "PermittedThroughput",
			"  permitted throughput    unlimited\n", 0);
	out_rate(o, "BaselineThroughput", "  baseline throughput     %s\n",
		 fs->baseline_bps);
	out_rate(o, "BurstThroughput", "  burst throughput        %s\n",
		 fs->burst_bps);
	out_u64(o, "ReadMeteringRatio", "  read metering ratio     1/%s\n",
		fs->read_metering_ratio);
	out_u64(o, "SizeSampleIntervalMs", "  size sample interval    %s ms\n",
		fs->size_sample_ms);
	out_u64(o, "CreditLowPercent", "  credit low threshold    %s%%\n",
		fs->credit_low_pct);

	/* Per-client ceilings (EFS: 500 / 1500 MiB/s per client). */
	efs_fmt_ratio(num, sizeof(num), fs->per_client_bps_effective, MIB, 6,
		      true);
	out_num(o, "PerClientThroughputInMibps",
		"  per-client throughput   %s", num);
	if (!fs->per_client_bps_effective)
		out_text(o, " (none)\n");
	else if (fs->per_client_bps == EFS_PER_CLIENT_BPS_DEFAULT)
		out_text(o, " MiB/s (mode default)\n");
	else
		out_text(o, " MiB/s\n");
	out_bool(o, "PerClientThroughputDefault", NULL,
		 fs->per_client_bps == EFS_PER_CLIENT_BPS_DEFAULT);
	out_u64(o, "PerClientIopsLimit", "  per-client iops limit   %s",
		fs->per_client_iops);
	out_text(o, "%s\n", fs->per_client_iops ? " units/s" : " (none)");
	out_u64(o, "ClientIdleSeconds", "  client idle time        %s s\n",
		fs->client_idle_s);
	out_u64(o, "ClientConnections", "  client connections      %s",
		fs->client_connections);
	out_bool(o, "ClientConnectionsLowerBound", NULL,
		 fs->client_connections_lower_bound);
	out_text(o, "%s\n", fs->client_connections_lower_bound ?
		 " or more (client table full)" : "");
	if (fs->present[EFS_A_FS_TLS_CLIENTS])
		out_u64(o, "TlsClientConnections",
			"  of them over TLS        %s\n", fs->tls_clients);
	if (fs->present[EFS_A_FS_AT_REST_POLICY])
		out_str(o, "EncryptionAtRestPolicy",
			"  encryption at rest      %s\n",
			efs_policy_str(fs->at_rest_policy));
	if (fs->present[EFS_A_FS_TRANSIT_POLICY])
		out_str(o, "TransitEncryptionPolicy",
			"  encryption in transit   %s\n",
			efs_policy_str(fs->transit_policy));
	print_scope(o, fs);
	if (fs->local)
		print_local(o, fs->local);
	out_obj_close(o);
}

void efs_print_fs_list(struct out *o, const struct efs_fs_info *fs, size_t n)
{
	size_t i;

	out_obj_open(o, NULL);
	out_arr_open(o, "FileSystems");
	for (i = 0; i < n; i++) {
		if (i)
			out_text(o, "\n");
		efs_print_fs(o, &fs[i]);
	}
	if (!n)
		out_text(o, "no filesystems\n");
	out_arr_close(o);
	out_obj_close(o);
	out_doc_end(o);
}
