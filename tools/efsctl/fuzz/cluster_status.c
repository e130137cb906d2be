// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the JSON reader (jsonparse.c) and the status file's checks
 * (cluster_status.c) with the input as efs-clusterd's status file. What
 * parses is written back (compact and indented, as `cluster status --json`
 * does), must parse again and be written the same; a status that passes
 * the checks is printed as text and as Prometheus gauges.
 */
#include "cluster_status.h"
#include "fuzz.h"
#include "jsonparse.h"

static char *write_doc(const struct jv *v, bool pretty)
{
	char *text = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = open_memstream(&text, &len);

	FUZZ_CHECK(f);
	json_init(&j, f, pretty);
	jv_write(&j, v);
	json_end(&j);
	FUZZ_CHECK(!fclose(f));
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], *once, *pretty, *twice;
	struct efs_cl_status st;
	struct jv *v, *w;

	v = jv_parse((const char *)data, size, err, sizeof(err));
	if (!v) {
		FUZZ_CHECK(!strncmp(err, "line ", 5) ||
			   !strcmp(err, "out of memory"));
		return 0;
	}
	once = write_doc(v, false);
	pretty = write_doc(v, true);
	w = jv_parse(pretty, strlen(pretty), err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n--- written:\n%s", err, pretty);
		FUZZ_CHECK(!"written JSON parses");
	}
	twice = write_doc(w, false);
	FUZZ_CHECK(!strcmp(once, twice));
	free(once);
	free(pretty);
	free(twice);
	jv_free(w);
	jv_free(v);

	if (!efs_cl_status_parse((const char *)data, size, &st, err,
				 sizeof(err))) {
		efs_cl_status_print_text(fuzz_sink(), &st);
		efs_cl_status_print_json(fuzz_sink(), &st);
		efs_cl_status_print_prom(fuzz_sink(), &st);
		efs_cl_status_free(&st);
	}
	return 0;
}
