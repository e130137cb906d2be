// SPDX-License-Identifier: GPL-2.0
/*
 * efsctl: configure EFS-style QoS of knfsd exports (the efs module) over
 * generic netlink. This file holds the command table and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "efsctl.h"
#include "opts.h"

struct cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	const char *usage;
	const struct cmd *sub;		/* a group of commands */
};

static const struct cmd fs_cmds[] = {
	{ "add", "put an export under QoS as a named filesystem",
	  cmd_fs_add, cmd_fs_add_usage, NULL },
	{ "set", "change the settings of a filesystem",
	  cmd_fs_set, cmd_fs_set_usage, NULL },
	{ "del", "remove a filesystem",
	  cmd_fs_del, cmd_fs_del_usage, NULL },
	{ "show", "show settings and state of one or all filesystems",
	  cmd_fs_show, cmd_fs_show_usage, NULL },
	{ "stats", "show the counters of a filesystem, once or repeatedly",
	  cmd_fs_stats, cmd_fs_stats_usage, NULL },
	{ "clients", "list the clients of a filesystem, busiest first",
	  cmd_fs_clients, cmd_fs_clients_usage, NULL },
	{ "grant", "lease this head its share of a cluster filesystem (efs-clusterd)",
	  cmd_fs_grant, cmd_fs_grant_usage, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cmd server_cmds[] = {
	{ "show", "show the server-wide waiting-thread budget and client table",
	  cmd_server_show, cmd_server_show_usage, NULL },
	{ "set", "change the server-wide settings",
	  cmd_server_set, cmd_server_set_usage, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cmd state_cmds[] = {
	{ "save", "save credit balances and counters to a file",
	  cmd_state_save, cmd_state_save_usage, NULL },
	{ "restore", "add saved filesystems back with their credits and counters",
	  cmd_state_restore, cmd_state_restore_usage, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cmd tls_cmds[] = {
	{ "setup", "make certificates and tlshd's configuration for RPC-with-TLS",
	  cmd_tls_setup, cmd_tls_setup_usage, NULL },
	{ "status", "kernel support, tlshd and the exports' TLS policy",
	  cmd_tls_status, cmd_tls_status_usage, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cmd cluster_cmds[] = {
	{ "status", "efs-clusterd's view: quorum, members, grants of each head",
	  cmd_cluster_status, cmd_cluster_status_usage, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const struct cmd commands[] = {
	{ "fs", "manage filesystems: add, set, del, show, stats, clients",
	  NULL, NULL, fs_cmds },
	{ "server", "server-wide settings: show, set",
	  NULL, NULL, server_cmds },
	{ "apply", "make the kernel match the configuration file",
	  cmd_apply, cmd_apply_usage, NULL },
	{ "state", "save or restore state across restarts: save, restore",
	  NULL, NULL, state_cmds },
	{ "tls", "NFS over TLS (RPC-with-TLS) on this server: setup, status",
	  NULL, NULL, tls_cmds },
	{ "cluster", "several heads sharing budgets (efs-clusterd): status",
	  NULL, NULL, cluster_cmds },
	{ "monitor", "print events (throttling, credits) as they happen",
	  cmd_monitor, cmd_monitor_usage, NULL },
	{ "metrics", "print metrics in Prometheus text format",
	  cmd_metrics, cmd_metrics_usage, NULL },
	{ "version", "print the versions of efsctl and of the module",
	  cmd_version, cmd_version_usage, NULL },
	{ "help", "show help of efsctl or of a command",
	  NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const char exit_help[] =
"Exit status: 0 on success, 1 on any error (usage errors included).\n";

static void list_commands(FILE *f, const struct cmd *cmds, const char *prefix)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++) {
		char words[32];

		snprintf(words, sizeof(words), "%s%s", prefix, c->name);
		fprintf(f, "  %-14s %s\n", words, c->summary);
	}
}

static void global_help(FILE *f)
{
	fprintf(f,
		"Usage: efsctl COMMAND [ARGS] [OPTIONS]\n"
		"\n"
		"Amazon EFS style QoS for knfsd exports (the efs kernel module).\n"
		"\n"
		"Commands:\n");
	list_commands(f, commands, "");
	fprintf(f, "\nFilesystem commands:\n");
	list_commands(f, fs_cmds, "fs ");
	fprintf(f, "\nServer commands:\n");
	list_commands(f, server_cmds, "server ");
	fprintf(f, "\nState commands:\n");
	list_commands(f, state_cmds, "state ");
	fprintf(f, "\nTLS commands:\n");
	list_commands(f, tls_cmds, "tls ");
	fprintf(f, "\nCluster commands:\n");
	list_commands(f, cluster_cmds, "cluster ");
	fprintf(f,
		"\n"
		"Run 'efsctl COMMAND --help' (e.g. 'efsctl fs add --help') for\n"
		"its arguments and options. Changing settings and listing\n"
		"clients ('fs clients', 'metrics --per-client-top') need\n"
		"CAP_NET_ADMIN; reading the rest does not.\n"
		"%s", exit_help);
}

static void group_help(FILE *f, const struct cmd *group)
{
	fprintf(f, "Usage: efsctl %s COMMAND [ARGS] [OPTIONS]\n\nCommands:\n",
		group->name);
	list_commands(f, group->sub, "");
	fprintf(f, "\nRun 'efsctl %s COMMAND --help' for details.\n%s",
		group->name, exit_help);
}

static bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

static const struct cmd *find(const struct cmd *cmds, const char *name)
{
	const struct cmd *c;

	for (c = cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* "efsctl help [fs [add]]" */
static int help(int argc, char **argv)
{
	const struct cmd *c = NULL, *leaf;

	if (argc < 1) {
		global_help(stdout);
		return EXIT_OK;
	}
	c = find(commands, argv[0]);
	if (!c || !strcmp(c->name, "help")) {
		if (!c) {
			efs_err_plain("unknown command '%s' (see efsctl --help)",
				      argv[0]);
			return EXIT_FAIL;
		}
		global_help(stdout);
		return EXIT_OK;
	}
	if (!c->sub) {
		fputs(c->usage, stdout);
		return EXIT_OK;
	}
	if (argc < 2) {
		group_help(stdout, c);
		return EXIT_OK;
	}
	leaf = find(c->sub, argv[1]);
	if (!leaf) {
		efs_err_plain("%s: unknown command '%s' (see efsctl %s --help)",
			      c->name, argv[1], c->name);
		return EXIT_FAIL;
	}
	fputs(leaf->usage, stdout);
	return EXIT_OK;
}

static int run_leaf(const struct cmd *c, const char *words, int argc,
		    char **argv)
{
	efs_cmd_words = words;
	if (opts_wants_help(argc, argv)) {
		fputs(c->usage, stdout);
		return EXIT_OK;
	}
	return c->run(argc, argv);
}

int main(int argc, char **argv)
{
	const struct cmd *c, *leaf;
	char words[64];

	if (argc < 2) {
		global_help(stderr);
		return EXIT_FAIL;
	}
	if (is_help(argv[1]))
		return help(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--version"))
		return run_leaf(find(commands, "version"), "version", 0, argv);

	c = find(commands, argv[1]);
	if (!c) {
		efs_err_plain("unknown command '%s' (see efsctl --help)",
			      argv[1]);
		return EXIT_FAIL;
	}
	if (!c->sub)
		return run_leaf(c, c->name, argc - 2, argv + 2);

	if (argc < 3) {
		efs_err_plain("%s: missing command", c->name);
		group_help(stderr, c);
		return EXIT_FAIL;
	}
	if (is_help(argv[2])) {
		group_help(stdout, c);
		return EXIT_OK;
	}
	leaf = find(c->sub, argv[2]);
	if (!leaf) {
		efs_err_plain("%s: unknown command '%s' (see efsctl %s --help)",
			      c->name, argv[2], c->name);
		return EXIT_FAIL;
	}
	snprintf(words, sizeof(words), "%s %s", c->name, leaf->name);
	return run_leaf(leaf, words, argc - 3, argv + 3);
}
