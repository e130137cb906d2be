// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the state file parser of "efsctl state restore" with the input as
 * the file. A file that parses is written again as "state save" would;
 * that must parse, and writing it once more must give the same text.
 */
#include "fuzz.h"
#include "state.h"

static char *write_state(const struct efs_state *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	FUZZ_CHECK(f);
	efs_state_write(f, s->saved_ns, s->v, s->n);
	fclose(f);
	return text;
}

static int parse_text(const char *text, struct efs_state *s, char *err,
		      size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	FUZZ_CHECK(f);
	ret = efs_state_parse(f, "written", s, err, len);
	fclose(f);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efs_state s, t;
	char err[1024], *once, *twice;
	size_t i;
	FILE *f;

	f = fuzz_file(data, size);
	if (!f)
		return 0;
	if (efs_state_parse(f, "fuzz.state", &s, err, sizeof(err))) {
		fclose(f);
		return 0;
	}
	fclose(f);
	for (i = 0; i < s.n; i++) {
		uint64_t b = efs_state_balance(&s.v[i], s.saved_ns);

		FUZZ_CHECK(b >= s.v[i].burst_credit_balance &&
			   b <= s.v[i].burst_credit_max);
	}
	once = write_state(&s);
	if (parse_text(once, &t, err, sizeof(err))) {
		fprintf(stderr, "%s\n--- written:\n%s", err, once);
		FUZZ_CHECK(!"written state parses");
	}
	FUZZ_CHECK(t.n == s.n && t.saved_ns == s.saved_ns);
	twice = write_state(&t);
	FUZZ_CHECK(!strcmp(once, twice));
	free(once);
	free(twice);
	efs_state_free(&t);
	efs_state_free(&s);
	return 0;
}
