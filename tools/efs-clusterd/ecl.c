// SPDX-License-Identifier: GPL-2.0
/* Filesystem settings shared by the heads (see ecl.h). */
#include "ecl.h"

/* FNV-1a over a fixed little-endian encoding: the same on every head. */
static uint32_t fnv(uint32_t h, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		h ^= (uint8_t)(v >> (8 * i));
		h *= 16777619U;
	}
	return h;
}

uint32_t ecl_settings_hash(const struct ecl_settings *s)
{
	uint32_t h = 2166136261U;

	h = fnv(h, s->perf_mode, 1);
	h = fnv(h, s->tput_mode, 1);
	h = fnv(h, s->write_weight, 2);
	h = fnv(h, s->iops_limit, 4);
	h = fnv(h, s->read_ratio, 4);
	h = fnv(h, s->prov_bps, 8);
	h = fnv(h, s->metered_size, 8);
	return h;
}

bool ecl_settings_valid(const struct ecl_settings *s)
{
	return s->perf_mode <= ECL_PERF_MAXIO &&
	       s->tput_mode <= ECL_TPUT_ELASTIC &&
	       s->write_weight >= 1 && s->write_weight <= ECL_WEIGHT_MAX &&
	       s->iops_limit <= ECL_IOPS_LIMIT_MAX &&
	       s->read_ratio >= 1 && s->read_ratio <= ECL_WEIGHT_MAX &&
	       s->prov_bps <= ECL_PROV_BPS_MAX &&
	       (s->metered_size == ECL_METERED_SIZE_AUTO ||
		s->metered_size <= ECL_SIZE_MAX);
}

uint64_t ecl_iops_budget(const struct ecl_settings *s)
{
	if (s->iops_limit)
		return s->iops_limit;
	return s->perf_mode == ECL_PERF_MAXIO ? ECL_MAXIO_IOPS : ECL_GP_IOPS;
}

bool ecl_fs_name_valid(const char *name, size_t len)
{
	if (len < 1 || len > ECL_FS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}
