// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what "efsctl cluster status" stands on: the JSON reader
 * (jsonparse.c: grammar, strings, limits, writing back), the status file's
 * checks and printers (cluster_status.c), finding the file through
 * cluster.conf, and short options with a value (opts.c). No kernel, no
 * efs-clusterd.
 *
 * Prints "PASS <name>" / "FAIL <name>" per case (also appended to the file
 * named by $EFS_RESULTS) and exits non-zero if any case failed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster_status.h"
#include "jsonparse.h"
#include "opts.h"

#include "expect.h"

/* ---- the JSON reader ---- */

static struct jv *parse(const char *s, char *err, size_t len)
{
	return jv_parse(s, strlen(s), err, len);
}

/* text parses, and written back compactly it reads as want */
static void round_trip(const char *text, const char *want)
{
	char err[200], *buf = NULL;
	size_t len = 0;
	struct jv *v = parse(text, err, sizeof(err));
	struct json j;
	FILE *f;

	if (!v) {
		fprintf(stderr, "  '%s': %s\n", text, err);
		case_ok = false;
		return;
	}
	f = open_memstream(&buf, &len);
	json_init(&j, f, false);
	jv_write(&j, v);
	fclose(f);
	EXPECT_STR(buf, want);
	free(buf);
	jv_free(v);
}

static void refused(const char *text, const char *want)
{
	char err[200] = "";
	struct jv *v = parse(text, err, sizeof(err));

	if (v) {
		fprintf(stderr, "  '%s' parsed\n", text);
		case_ok = false;
		jv_free(v);
		return;
	}
	EXPECT_IN(err, want);
}

static void test_json_values(void)
{
	round_trip("null", "null");
	round_trip(" true ", "true");
	round_trip("false", "false");
	round_trip("0", "0");
	round_trip("-12.5e+3", "-12.5e+3");
	round_trip("18446744073709551615", "18446744073709551615");
	round_trip("\"\"", "\"\"");
	round_trip("[]", "[]");
	round_trip("{}", "{}");
	round_trip("[1, [2, {}], {\"a\": [ ]}]", "[1,[2,{}],{\"a\":[]}]");
	round_trip("{\"b\":1,\"a\":2,\"b\":3}", "{\"b\":1,\"a\":2,\"b\":3}");
	round_trip("\n\t{ \"k\" :\r\n null }\n", "{\"k\":null}");
}

static void test_json_strings(void)
{
	char err[200];
	struct jv *v;

	round_trip("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
		   "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\"");
	/* é, €, U+1F600 from escapes, UTF-8 kept as UTF-8 */
	v = parse("[\"\\u00e9\\u20AC\\ud83d\\ude00\", \"h\xc3\xa9\"]", err,
		  sizeof(err));
	EXPECT(v && v->n == 2);
	if (v) {
		EXPECT_STR(v->v[0].s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
		EXPECT_STR(v->v[1].s, "h\xc3\xa9");
		jv_free(v);
	}
	refused("\"abc", "string not closed");
	refused("\"abc\\", "string not closed");
	refused("\"a\nb\"", "control character 0x0a");
	refused("\"\\x\"", "unknown escape '\\x'");
	refused("\"\\u12\"", "four hex digits");
	refused("\"\\u0000\"", "\\u0000 in a string");
	refused("\"\\udc00\"", "lone low surrogate");
	refused("\"\\ud800x\"", "without its low half");
	refused("\"\\ud800\\u0041\"", "without its low half");
	refused("\"\xff\"", "invalid UTF-8");
	refused("\"\xc0\xaf\"", "invalid UTF-8");
	refused("\"\xed\xa0\x80\"", "invalid UTF-8");
	refused("\"\xe2\x82\"", "invalid UTF-8");
}

static void test_json_errors(void)
{
	char deep[64];
	int i;

	refused("", "line 1, column 1: expected a value");
	refused("  \n  ", "line 2, column 3: expected a value");
	refused("{\"a\":1,\n \"b\" 2}", "line 2, column 6: expected ':' after a key");
	refused("[1,]", "line 1, column 4: unexpected ']'");
	refused("[1 2]", "expected ',' or ']'");
	refused("{\"a\":1,}", "expected a key");
	refused("{1:2}", "expected a key");
	refused("[1", "document ends inside an array");
	refused("{\"a\":1", "document ends inside an object");
	refused("{\"a\":", "expected a value");
	refused("01", "data after the document");
	refused("1 2", "data after the document");
	refused("-", "a number needs a digit");
	refused("1.", "a digit after '.'");
	refused("1e", "a digit in its exponent");
	refused("+1", "unexpected '+'");
	refused("nul", "unexpected 'n'");
	refused("tru", "unexpected 't'");
	refused("\x01", "unexpected byte 0x01");
	refused("// c\n1", "unexpected '/'");
	/* 15 levels are what json.c writes; 16 are refused */
	for (i = 0; i < 15; i++)
		deep[i] = '[';
	for (i = 0; i < 15; i++)
		deep[15 + i] = ']';
	deep[30] = '\0';
	round_trip(deep, deep);
	memmove(deep + 1, deep, 31);
	deep[0] = '[';
	deep[31] = ']';
	deep[32] = '\0';
	refused(deep, "nested deeper than 15 levels");
}

static void test_json_access(void)
{
	char err[200];
	struct jv *v = parse("{\"n\":42,\"neg\":-1,\"f\":1.5,\"e\":1e3,"
			     "\"big\":18446744073709551616,\"s\":\"x\"}",
			     err, sizeof(err));
	uint64_t u = 0;

	EXPECT(v);
	if (!v)
		return;
	EXPECT(jv_u64(jv_get(v, "n"), &u) && u == 42);
	EXPECT(!jv_u64(jv_get(v, "neg"), &u));
	EXPECT(!jv_u64(jv_get(v, "f"), &u));
	EXPECT(!jv_u64(jv_get(v, "e"), &u));
	EXPECT(!jv_u64(jv_get(v, "big"), &u));
	EXPECT(!jv_u64(jv_get(v, "s"), &u));
	EXPECT(!jv_get(v, "missing"));
	EXPECT(!jv_get(jv_get(v, "n"), "n"));
	EXPECT(!jv_u64(NULL, &u));
	jv_free(v);
	jv_free(NULL);
}

/* ---- the status file ---- */

static const char status_doc[] =
"{\"Cluster\":\"c1\",\"Quorate\":false,\"Synced\":true,\"LocalNodeId\":2,"
"\"Members\":[{\"NodeId\":1,\"Name\":\"a\"},{\"NodeId\":2,\"Name\":\"b\"}],"
"\"FileSystems\":[{\"Name\":\"fs1\",\"IopsLimit\":300,"
"\"PermittedThroughput\":null,\"BurstCreditBalance\":7,"
"\"Heads\":[{\"NodeId\":2,\"SettingsAgree\":false,\"UsedIops\":1,"
"\"DemandIops\":2,\"GrantedIops\":3,\"UsedThroughput\":4,"
"\"DemandThroughput\":5,\"GrantedThroughput\":null}]}]}";

static void status_bad(const char *from, const char *to, const char *want)
{
	char doc[sizeof(status_doc) + 64], err[300] = "";
	const char *at = strstr(status_doc, from);
	struct efs_cl_status st;

	if (!at) {
		fprintf(stderr, "  '%s' not in the sample\n", from);
		case_ok = false;
		return;
	}
	snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - status_doc),
		 status_doc, to, at + strlen(from));
	if (!efs_cl_status_parse(doc, strlen(doc), &st, err, sizeof(err))) {
		fprintf(stderr, "  accepted: %s\n", doc);
		case_ok = false;
		efs_cl_status_free(&st);
		return;
	}
	EXPECT_STR(err, want);
}

static void test_status_parse(void)
{
	struct efs_cl_status st;
	char err[300];

	EXPECT(!efs_cl_status_parse(status_doc, strlen(status_doc), &st, err,
				    sizeof(err)));
	EXPECT_STR(st.cluster, "c1");
	EXPECT(!st.quorate && st.synced == 1 && st.local_node_id == 2);
	EXPECT(st.nmembers == 2 && st.members[1].node_id == 2);
	EXPECT_STR(st.members[1].name, "b");
	EXPECT(st.nfs == 1 && st.fs[0].iops_limit == 300);
	EXPECT(st.fs[0].permitted_bps == EFS_CL_NULL);
	EXPECT(st.fs[0].burst_credit_balance == 7);
	EXPECT(st.fs[0].nheads == 1);
	EXPECT(st.fs[0].heads[0].settings_agree == 0);
	EXPECT(st.fs[0].heads[0].used_iops == 1 &&
	       st.fs[0].heads[0].demand_iops == 2 &&
	       st.fs[0].heads[0].granted_iops == 3 &&
	       st.fs[0].heads[0].used_bps == 4 &&
	       st.fs[0].heads[0].demand_bps == 5 &&
	       st.fs[0].heads[0].granted_bps == EFS_CL_NULL);
	efs_cl_status_free(&st);

	/* the keys issue 26 names are required, with their types */
	status_bad("\"Cluster\":\"c1\"", "\"Clusters\":\"c1\"", "no \"Cluster\"");
	status_bad("\"Quorate\":false", "\"Quorate\":0",
		   "\"Quorate\" is a number, not a boolean");
	status_bad("\"LocalNodeId\":2", "\"LocalNodeId\":4294967296",
		   "\"LocalNodeId\": 4294967296 is out of range");
	status_bad("\"LocalNodeId\":2", "\"LocalNodeId\":null",
		   "\"LocalNodeId\" is null, not a number");
	status_bad("\"Members\":[", "\"Members\":[3,", "Members[0] is a number, not an object");
	status_bad("\"Name\":\"b\"", "\"Name\":2", "Members[1]: \"Name\" is a number, not a string");
	status_bad("\"FileSystems\":[", "\"FileSystem\":[", "no \"FileSystems\"");
	status_bad("\"IopsLimit\":300", "\"IopsLimit\":\"300\"",
		   "FileSystems[0]: \"IopsLimit\" is a string, not a number");
	status_bad("\"BurstCreditBalance\":7", "\"BurstCreditBalance\":7.5",
		   "FileSystems[0]: \"BurstCreditBalance\": 7.5 is not a count");
	status_bad("\"Heads\":", "\"Heads\":{},\"H\":", "FileSystems[0]: \"Heads\" is an object, not an array");
	status_bad("\"DemandThroughput\":5,", "", "FileSystems[0].Heads[0]: no \"DemandThroughput\"");
	status_bad("{\"NodeId\":2,\"Settings", "{\"NodeId\":-2,\"Settings",
		   "FileSystems[0].Heads[0]: \"NodeId\": -2 is not a count");
	status_bad(status_doc, "[]", "the document is an array, not an object");
	status_bad("}]}]}", "}]}]}x", "not JSON: line 1, column 374: data after the document");
}

static char *print_text(const struct efs_cl_status *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	efs_cl_status_print_text(f, st);
	fclose(f);
	return buf;
}

static void test_status_text(void)
{
	struct efs_cl_status st;
	char err[300], *s;
	const char *none = "{\"Cluster\":\"c\",\"Quorate\":true,\"LocalNodeId\":0,"
			   "\"Members\":[],\"FileSystems\":[]}";

	EXPECT(!efs_cl_status_parse(status_doc, strlen(status_doc), &st, err,
				    sizeof(err)));
	s = print_text(&st);
	EXPECT_IN(s, "Cluster c1\n  quorate                 no\n");
	EXPECT_IN(s, "  local node              2 (b)\n");
	EXPECT_IN(s, "  permitted throughput    unlimited\n");
	EXPECT_IN(s, "  burst credit balance    7 B\n");
	EXPECT_IN(s, "    NODE    USED IOPS  DEMAND IOPS  GRANTED IOPS  USED THROUGHPUT  DEMAND THROUGHPUT  GRANTED THROUGHPUT\n"
		  "    2*!             1            2             3            4 B/s              5 B/s           unlimited\n");
	EXPECT_IN(s, "! settings differ");
	free(s);
	efs_cl_status_free(&st);

	/* no synced key, no filesystems: said so, no legend */
	EXPECT(!efs_cl_status_parse(none, strlen(none), &st, err, sizeof(err)));
	EXPECT(st.synced == -1);
	s = print_text(&st);
	EXPECT_STR(s, "Cluster c\n  quorate                 yes\n"
		   "  local node              0\n  members                 0\n"
		   "no cluster filesystems\n");
	free(s);
	efs_cl_status_free(&st);
}

static void test_status_prom(void)
{
	struct efs_cl_status st;
	char err[300], *buf = NULL;
	size_t len = 0;
	FILE *f;

	EXPECT(!efs_cl_status_parse(status_doc, strlen(status_doc), &st, err,
				    sizeof(err)));
	f = open_memstream(&buf, &len);
	efs_cl_status_print_prom(f, &st);
	fclose(f);
	EXPECT_IN(buf, "efs_cluster_quorate{cluster=\"c1\"} 0\n");
	EXPECT_IN(buf, "efs_cluster_members{cluster=\"c1\"} 2\n");
	EXPECT_IN(buf, "efs_cluster_burst_credit_balance_bytes{cluster=\"c1\",fs=\"fs1\"} 7\n");
	EXPECT_IN(buf, "efs_cluster_granted_iops{cluster=\"c1\",fs=\"fs1\",node=\"2\",node_name=\"b\"} 3\n");
	EXPECT_IN(buf, "efs_cluster_settings_agree{cluster=\"c1\",fs=\"fs1\",node=\"2\",node_name=\"b\"} 0\n");
	EXPECT(!strstr(buf, "efs_cluster_permitted_throughput_bytes_per_second{"));
	EXPECT(!strstr(buf, "efs_cluster_granted_throughput_bytes_per_second{"));
	free(buf);
	efs_cl_status_free(&st);
}

/* ---- which file ---- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_status_path(void)
{
	char dir[] = "/tmp/efsctl-cluster-unit.XXXXXX", conf[PATH_MAX];
	char path[PATH_MAX], err[PATH_MAX + 100];

	if (!mkdtemp(dir)) {
		case_ok = false;
		return;
	}
	snprintf(conf, sizeof(conf), "%s/cluster.conf", dir);
	/* no cluster.conf: the default */
	EXPECT(efs_cl_status_path(NULL, conf, path, sizeof(path), err,
				  sizeof(err)) == 0);
	EXPECT_STR(path, EFS_CLUSTER_STATUS);
	/* --status-file wins over everything */
	EXPECT(efs_cl_status_path("/x/s.json", conf, path, sizeof(path), err,
				  sizeof(err)) == 0);
	EXPECT_STR(path, "/x/s.json");
	/* other sections and keys do not matter */
	write_file(conf, "[cluster]\nstatus-file = /not/this\nname = x\n"
		   "[daemon]\nnode-name = a\nstatus-file = /y/s.json ; why\n");
	EXPECT(efs_cl_status_path(NULL, conf, path, sizeof(path), err,
				  sizeof(err)) == 0);
	EXPECT_STR(path, "/y/s.json");
	write_file(conf, "[daemon]\nnode-name = a\n");
	EXPECT(efs_cl_status_path(NULL, conf, path, sizeof(path), err,
				  sizeof(err)) == 0);
	EXPECT_STR(path, EFS_CLUSTER_STATUS);
	write_file(conf, "[daemon]\nstatus-file = none\n");
	EXPECT(efs_cl_status_path(NULL, conf, path, sizeof(path), err,
				  sizeof(err)) == 1);
	write_file(conf, "[daemon]\nstatus-file =\n");
	EXPECT(efs_cl_status_path(NULL, conf, path, sizeof(path), err,
				  sizeof(err)) == 1);
	write_file(conf, "[daemon\n");
	EXPECT(efs_cl_status_path(NULL, conf, path, sizeof(path), err,
				  sizeof(err)) == -1);
	EXPECT_IN(err, "cluster.conf:1: syntax error");
	unlink(conf);
	rmdir(dir);
}

static void test_status_read(void)
{
	char dir[] = "/tmp/efsctl-cluster-unit.XXXXXX", path[PATH_MAX];
	char err[PATH_MAX + 300];
	struct efs_cl_status st;
	struct stat sb;

	if (!mkdtemp(dir)) {
		case_ok = false;
		return;
	}
	snprintf(path, sizeof(path), "%s/s.json", dir);
	EXPECT(efs_cl_status_read(path, time(NULL), 5, &st, err,
				  sizeof(err)) == EFS_CL_MISSING);
	EXPECT_IN(err, "efs-clusterd is not running or writes no status file (");
	write_file(path, status_doc);
	stat(path, &sb);
	EXPECT(efs_cl_status_read(path, sb.st_mtime + 5, 5, &st, err,
				  sizeof(err)) == EFS_CL_OK);
	efs_cl_status_free(&st);
	/* written in the future (the clock went back): fresh */
	EXPECT(efs_cl_status_read(path, sb.st_mtime - 100, 5, &st, err,
				  sizeof(err)) == EFS_CL_OK);
	efs_cl_status_free(&st);
	EXPECT(efs_cl_status_read(path, sb.st_mtime + 6, 5, &st, err,
				  sizeof(err)) == EFS_CL_STALE);
	EXPECT_IN(err, "s.json is 6 s old: efs-clusterd has stopped writing it");
	EXPECT(efs_cl_status_read(path, sb.st_mtime + 7200, 5, &st, err,
				  sizeof(err)) == EFS_CL_STALE);
	EXPECT_IN(err, "is 120 min old");
	write_file(path, "{\"Cluster\":");
	EXPECT(efs_cl_status_read(path, time(NULL), 5, &st, err,
				  sizeof(err)) == EFS_CL_MALFORMED);
	EXPECT_IN(err, "s.json: malformed status: not JSON: line 1, column 12: expected a value");
	EXPECT(efs_cl_status_read(dir, time(NULL), 5, &st, err,
				  sizeof(err)) == EFS_CL_ERROR);
	unlink(path);
	rmdir(dir);
}

/* ---- opts: a short option with a value ---- */

static void test_short_value(void)
{
	static const struct opt_def defs[] = {
		{ "config", 'c', true, 1 },
		{ "json", 0, false, 2 },
		{ NULL, 0, false, 0 },
	};
	char *ok[] = { "-c", "/etc/x.conf", "--json" };
	char *missing[] = { "--json", "-c" };
	struct opts o;
	FILE *saved = stderr;

	EXPECT(!opts_parse(defs, 3, ok, &o));
	EXPECT(o.nhits == 2 && o.hits[0].def->id == 1 &&
	       !strcmp(o.hits[0].value, "/etc/x.conf") && !o.npos);
	stderr = fopen("/dev/null", "w");
	EXPECT(opts_parse(defs, 2, missing, &o) == -1);
	fclose(stderr);
	stderr = saved;
}

int main(void)
{
	const char *path = getenv("EFS_RESULTS");

	if (path && *path) {
		results = fopen(path, "a");
		if (!results)
			perror(path);
	}
	run("jsonparse_values", test_json_values);
	run("jsonparse_strings", test_json_strings);
	run("jsonparse_errors", test_json_errors);
	run("jsonparse_access", test_json_access);
	run("cluster_status_parse", test_status_parse);
	run("cluster_status_text", test_status_text);
	run("cluster_status_prom", test_status_prom);
	run("cluster_status_path", test_status_path);
	run("cluster_status_read", test_status_read);
	run("opts_short_value", test_short_value);
	if (results)
		fclose(results);
	return failures ? 1 : 0;
}
