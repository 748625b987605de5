// SPDX-License-Identifier: GPL-2.0
/*
 * mosctl - inspect and control the mos kernel module.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <mos/mos_ctl.h>

#ifndef MOS_VERSION
#define MOS_VERSION "unknown"
#endif

static const char usage[] =
	"usage: mosctl [-j] COMMAND\n"
	"\n"
	"commands:\n"
	"  stats     packet counters of this network namespace, per CPU\n"
	"  help      this text\n"
	"\n"
	"options:\n"
	"  -j, --json      print JSON instead of a table\n"
	"  -V, --version   print the version\n"
	"  -h, --help      this text\n";

/* One line that says what went wrong and what to do about it. */
static int fail(const struct mos_ctl *ctl, const char *what, int err)
{
	const char *msg = ctl ? mos_ctl_last_error_msg(ctl) : NULL;

	switch (err) {
	case -ENOENT:
		fprintf(stderr,
			"mosctl: the mos kernel module is not loaded (try: modprobe mos)\n");
		break;
	case -EPERM:
		fprintf(stderr,
			"mosctl: %s: permission denied: CAP_NET_ADMIN is needed in this network namespace\n",
			what);
		break;
	default:
		fprintf(stderr, "mosctl: %s: %s%s%s\n", what, strerror(-err),
			msg ? ": " : "", msg ? msg : "");
	}
	return 1;
}

static void print_counters_json(const struct mos_counters *c)
{
	printf("\"tcp_packets\":%" PRIu64 ",\"tcp_bytes\":%" PRIu64
	       ",\"tcp6_packets\":%" PRIu64 ",\"bad_headers\":%" PRIu64,
	       c->tcp_packets, c->tcp_bytes, c->tcp6_packets, c->bad_headers);
}

static void print_stats_json(const struct mos_stats *st)
{
	unsigned int i;

	printf("{\"total\":{");
	print_counters_json(&st->total);
	printf("},\"cpus\":[");
	for (i = 0; i < st->n_cpus; i++) {
		printf("%s{\"cpu\":%u,", i ? "," : "", st->cpus[i].cpu);
		print_counters_json(&st->cpus[i].counters);
		printf("}");
	}
	printf("]}\n");
}

static void print_counters_row(const char *label,
			       const struct mos_counters *c)
{
	printf("%-6s %14" PRIu64 " %16" PRIu64 " %14" PRIu64 " %12" PRIu64
	       "\n", label, c->tcp_packets, c->tcp_bytes, c->tcp6_packets,
	       c->bad_headers);
}

static void print_stats_table(const struct mos_stats *st)
{
	char label[16];
	unsigned int i;

	printf("%-6s %14s %16s %14s %12s\n", "cpu", "tcp_packets",
	       "tcp_bytes", "tcp6_packets", "bad_headers");
	for (i = 0; i < st->n_cpus; i++) {
		snprintf(label, sizeof(label), "%u", st->cpus[i].cpu);
		print_counters_row(label, &st->cpus[i].counters);
	}
	print_counters_row("total", &st->total);
}

static int cmd_stats(bool json)
{
	struct mos_stats st;
	struct mos_ctl *ctl;
	int ret;

	ret = mos_ctl_open(&ctl);
	if (ret)
		return fail(NULL, "stats", ret);
	ret = mos_ctl_get_stats(ctl, &st);
	if (ret) {
		fail(ctl, "stats", ret);
		mos_ctl_close(ctl);
		return 1;
	}
	if (json)
		print_stats_json(&st);
	else
		print_stats_table(&st);
	mos_stats_release(&st);
	mos_ctl_close(ctl);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+jVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'V':
			printf("mosctl %s\n", MOS_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mosctl: no command given (try: mosctl help)\n");
		return 2;
	}
	cmd = argv[optind];
	if (optind + 1 < argc) {
		fprintf(stderr, "mosctl: %s: unexpected argument '%s'\n", cmd,
			argv[optind + 1]);
		return 2;
	}
	if (!strcmp(cmd, "stats"))
		return cmd_stats(json);
	if (!strcmp(cmd, "help")) {
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "mosctl: unknown command '%s' (try: mosctl help)\n",
		cmd);
	return 2;
}
