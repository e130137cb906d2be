/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared declarations of the efsctl tool: error reporting and the command
 * entry points that main.c's table dispatches to.
 */
#ifndef EFSCTL_H
#define EFSCTL_H

#include <stdbool.h>

#ifndef EFSCTL_VERSION
#define EFSCTL_VERSION "0.1.0"
#endif

/* Exit status: 0 on success, 1 on any error (usage errors included). */
#define EXIT_OK		0
#define EXIT_FAIL	1

#define __printf(a, b) __attribute__((format(printf, a, b)))

/* The command words in use, e.g. "fs add"; prefixes error messages. */
extern const char *efs_cmd_words;

/* "efsctl: <command words>: <message>" on stderr. */
void efs_err(const char *fmt, ...) __printf(1, 2);
/* "efsctl: <message>" on stderr. */
void efs_err_plain(const char *fmt, ...) __printf(1, 2);

struct efs_nl;
/*
 * Report a failed request: the kernel's extended ack message if there was
 * one, else "<subject>: <strerror>" (subject may be NULL). EPERM gets a
 * hint about CAP_NET_ADMIN; a missing family means the module is not loaded.
 */
void efs_report_nl_error(const struct efs_nl *nl, int err,
			 const char *subject);
/* A successful request may carry a warning in its ack: print it. */
void efs_report_nl_warning(const struct efs_nl *nl);
/* Open the netlink socket and resolve the family; reports errors. */
int efs_connect(struct efs_nl *nl);

/* Commands: argc/argv hold the words after the command words. */
int cmd_version(int argc, char **argv);
int cmd_fs_add(int argc, char **argv);
int cmd_fs_set(int argc, char **argv);
int cmd_fs_del(int argc, char **argv);
int cmd_fs_grant(int argc, char **argv);
int cmd_fs_show(int argc, char **argv);
int cmd_fs_stats(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_fs_clients(int argc, char **argv);
int cmd_server_show(int argc, char **argv);
int cmd_server_set(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_state_save(int argc, char **argv);
int cmd_state_restore(int argc, char **argv);
int cmd_tls_setup(int argc, char **argv);
int cmd_tls_status(int argc, char **argv);
int cmd_cluster_status(int argc, char **argv);

extern const char cmd_version_usage[];
extern const char cmd_fs_add_usage[];
extern const char cmd_fs_set_usage[];
extern const char cmd_fs_del_usage[];
extern const char cmd_fs_grant_usage[];
extern const char cmd_fs_show_usage[];
extern const char cmd_fs_stats_usage[];
extern const char cmd_monitor_usage[];
extern const char cmd_metrics_usage[];
extern const char cmd_fs_clients_usage[];
extern const char cmd_server_show_usage[];
extern const char cmd_server_set_usage[];
extern const char cmd_apply_usage[];
extern const char cmd_state_save_usage[];
extern const char cmd_state_restore_usage[];
extern const char cmd_tls_setup_usage[];
extern const char cmd_tls_status_usage[];
extern const char cmd_cluster_status_usage[];

#endif
