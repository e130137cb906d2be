// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for a filesystem's configuration (config.c): its defaults
 * and the rules across its fields, with a reason for each refusal.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "config.h"

static void cfg_make(struct efs_config *cfg, u32 tp_mode, u64 prov_bps,
		     u64 metered_size)
{
	efs_config_defaults(cfg);
	cfg->tp_mode = tp_mode;
	cfg->provisioned_bps = prov_bps;
	cfg->metered_size = metered_size;
}

struct validate_case {
	const char *name;
	u32 tp_mode;
	u64 provisioned_bps;
	u64 metered_size;
	int err;
	const char *why;
};

static const struct validate_case validate_cases[] = {
	{ "bursting", EFS_TP_BURSTING, 0, EFS_METERED_SIZE_AUTO, 0, NULL },
	{ "elastic", EFS_TP_ELASTIC, 0, EFS_METERED_SIZE_AUTO, 0, NULL },
	{ "provisioned_no_rate", EFS_TP_PROVISIONED, 0,
	  EFS_METERED_SIZE_AUTO, -EINVAL, "needs" },
	{ "provisioned_1MiB", EFS_TP_PROVISIONED, EFS_PROVISIONED_BPS_MIN,
	  EFS_METERED_SIZE_AUTO, 0, NULL },
	{ "provisioned_1B", EFS_TP_PROVISIONED, 1, EFS_METERED_SIZE_AUTO,
	  -ERANGE, "between 1 MiB/s and 1 TiB/s" },
	{ "provisioned_below_1MiB", EFS_TP_PROVISIONED,
	  EFS_PROVISIONED_BPS_MIN - 1, EFS_METERED_SIZE_AUTO, -ERANGE,
	  "between 1 MiB/s and 1 TiB/s" },
	{ "provisioned_1TiB", EFS_TP_PROVISIONED, EFS_PROVISIONED_BPS_MAX,
	  EFS_METERED_SIZE_AUTO, 0, NULL },
	{ "provisioned_above_1TiB", EFS_TP_PROVISIONED,
	  EFS_PROVISIONED_BPS_MAX + 1, EFS_METERED_SIZE_AUTO, -ERANGE,
	  "between 1 MiB/s and 1 TiB/s" },
	/* A rate given for later is checked in any mode. */
	{ "bursting_rate_below_1MiB", EFS_TP_BURSTING,
	  EFS_PROVISIONED_BPS_MIN - 1, EFS_METERED_SIZE_AUTO, -ERANGE,
	  "between 1 MiB/s and 1 TiB/s" },
	{ "size_zero", EFS_TP_BURSTING, 0, 0, 0, NULL },
	{ "size_max", EFS_TP_BURSTING, 0, EFS_SIZE_MAX, 0, NULL },
	{ "size_above_max", EFS_TP_BURSTING, 0, EFS_SIZE_MAX + 1, -ERANGE,
	  "larger than 1 EiB" },
	{ "size_auto_minus_1", EFS_TP_BURSTING, 0, EFS_METERED_SIZE_AUTO - 1,
	  -ERANGE, "larger than 1 EiB" },
};

static void validate_case_desc(const struct validate_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(validate, validate_cases, validate_case_desc);

static void validate_test(struct kunit *test)
{
	const struct validate_case *t = test->param_value;
	struct efs_config cfg;
	const char *why = NULL;

	cfg_make(&cfg, t->tp_mode, t->provisioned_bps, t->metered_size);
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), t->err);
	if (!t->why) {
		KUNIT_EXPECT_NULL(test, why);
		return;
	}
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_TRUE_MSG(test, strstr(why, t->why) != NULL,
			      "why \"%s\" does not say \"%s\"", why, t->why);
}

static void defaults_test(struct kunit *test)
{
	struct efs_config cfg;
	const char *why = NULL;

	memset(&cfg, 0xa5, sizeof(cfg));
	efs_config_defaults(&cfg);
	KUNIT_EXPECT_EQ(test, cfg.perf_mode, (u32)EFS_PERF_GENERAL_PURPOSE);
	KUNIT_EXPECT_EQ(test, cfg.iops_limit, 0U);
	KUNIT_EXPECT_EQ(test, cfg.write_weight, EFS_WRITE_WEIGHT_DEFAULT);
	KUNIT_EXPECT_EQ(test, cfg.max_wait_ms, EFS_MAX_WAIT_MS_DEFAULT);
	KUNIT_EXPECT_EQ(test, cfg.max_waiters, 0U);
	KUNIT_EXPECT_EQ(test, cfg.tp_mode, (u32)EFS_TP_BURSTING);
	KUNIT_EXPECT_EQ(test, cfg.provisioned_bps, 0ULL);
	KUNIT_EXPECT_EQ(test, cfg.metered_size, EFS_METERED_SIZE_AUTO);
	KUNIT_EXPECT_EQ(test, cfg.read_ratio, EFS_READ_RATIO_DEFAULT);
	KUNIT_EXPECT_EQ(test, cfg.sample_ms, EFS_SAMPLE_MS_DEFAULT);
	KUNIT_EXPECT_EQ(test, cfg.credit_low_pct, EFS_CREDIT_LOW_PCT_DEFAULT);
	KUNIT_EXPECT_EQ(test, cfg.per_client_bps, EFS_PER_CLIENT_BPS_DEFAULT);
	KUNIT_EXPECT_EQ(test, cfg.per_client_iops, 0U);
	KUNIT_EXPECT_EQ(test, cfg.client_idle_s, EFS_CLIENT_IDLE_S_DEFAULT);
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), 0);
	/* EFS's per-client limits: 500 MiB/s, 1500 MiB/s when elastic. */
	KUNIT_EXPECT_EQ(test, efs_config_client_bps(&cfg), 500ULL << 20);
	cfg.tp_mode = EFS_TP_ELASTIC;
	KUNIT_EXPECT_EQ(test, efs_config_client_bps(&cfg), 1500ULL << 20);
	cfg.per_client_bps = 0;
	KUNIT_EXPECT_EQ(test, efs_config_client_bps(&cfg), 0ULL);
	cfg.per_client_bps = EFS_PROVISIONED_BPS_MAX + 1;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), -ERANGE);
}

/* transit-encryption required only where the kernel has server TLS */
static void transit_policy_test(struct kunit *test)
{
	struct efs_config cfg;
	const char *why = NULL;

	efs_config_defaults(&cfg);
	KUNIT_EXPECT_EQ(test, cfg.transit_policy, (u8)EFS_TRANSIT_OPTIONAL);
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), 0);
	cfg.transit_policy = EFS_TRANSIT_REQUIRED;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why),
			-EOPNOTSUPP);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_TRUE(test, strstr(why, "RPC-with-TLS") != NULL);
	why = NULL;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, true, &why), 0);
	KUNIT_EXPECT_NULL(test, why);
}

static void rw_validate_test(struct kunit *test)
{
	struct efs_config cfg;
	const char *why = NULL;

	efs_config_defaults(&cfg);
	KUNIT_EXPECT_EQ(test, cfg.read_iops_limit, 0U);
	KUNIT_EXPECT_EQ(test, cfg.write_iops_limit, 0U);
	cfg.read_iops_limit = EFS_READ_IOPS_LIMIT_MAX;
	cfg.write_iops_limit = EFS_WRITE_IOPS_LIMIT_MAX;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), 0);
	cfg.read_iops_limit = EFS_READ_IOPS_LIMIT_MAX + 1;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), -ERANGE);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_TRUE(test, strstr(why, "read IOPS limit") != NULL);
	KUNIT_EXPECT_TRUE(test, strstr(why, "2500000") != NULL);
	why = NULL;
	cfg.read_iops_limit = 0;
	cfg.write_iops_limit = EFS_WRITE_IOPS_LIMIT_MAX + 1;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), -ERANGE);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_TRUE(test, strstr(why, "write IOPS limit") != NULL);
	KUNIT_EXPECT_TRUE(test, strstr(why, "500000") != NULL);
}

static struct kunit_case config_cases[] = {
	KUNIT_CASE_PARAM(validate_test, validate_gen_params),
	KUNIT_CASE(defaults_test),
	KUNIT_CASE(transit_policy_test),
	KUNIT_CASE(rw_validate_test),
	{}
};

static struct kunit_suite config_suite = {
	.name = "efs_config",
	.test_cases = config_cases,
};

kunit_test_suite(config_suite);
