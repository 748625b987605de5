// SPDX-License-Identifier: GPL-2.0
/*
 * midstat - the netstat of a middlebox: protocol, both endpoints' addresses
 * and TCP states and the bytes each way of every connection mos sees. Live,
 * the table is printed every -i seconds until SIGINT or SIGTERM, then once
 * more; from a capture (-r), once at its end, ended connections included
 * (Documentation/samples.md#midstat).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "midstat.h"
#include "tool_run.h"


static const char usage[] =
	"usage: midstat [-r FILE] [-i SECS] [-a] [-j]\n"
	"  -r FILE  read a capture (pcap/pcapng) and print the final table;\n"
	"           without it, run live from the mos module until SIGINT or\n"
	"           SIGTERM\n"
	"  -i SECS  live: print the table every SECS seconds (default 1)\n"
	"  -a       live: keep ended connections in the table (by default\n"
	"           they are shown once, in the table after their end)\n"
	"  -j       JSON lines instead of a table\n"
	"  -h       this help\n";

/**
 * struct ms_opts - what the command line asked for
 * @interval_ms: live refresh period
 * @keep_ended: keep ended connections in live tables
 * @json: JSON lines output
 * @tty: stdout is a terminal (clear it before a live table)
 */
struct ms_opts {
	long interval_ms;
	bool keep_ended;
	bool json;
	bool tty;
};

static void show(const struct ms_opts *o, struct ms_table *t, bool final)
{
	static unsigned long n;

	if (o->json)
		ms_print_json(stdout, t, n++, final);
	else
		ms_print_text(stdout, t, o->tty && !final);
	if (!o->keep_ended && !final)
		ms_table_prune(t);
}

/* What the live refresh shows. */
struct ms_view {
	const struct ms_opts *o;
	struct ms_table *t;
};

static void refresh(void *arg)
{
	struct ms_view *v = arg;

	show(v->o, v->t, false);
}

static int parse_interval(const char *arg, long *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0.1 && v <= 86400))
		return -EINVAL;
	*ms = (long)(v * 1000);
	return 0;
}

int main(int argc, char **argv)
{
	struct ms_opts o = { .interval_ms = 1000 };
	struct mos_options mo;
	struct mos_ctx *mctx;
	struct ms_table t;
	struct ms_view view = { .o = &o, .t = &t };
	struct tool_report rep = { .report = refresh, .arg = &view };
	bool interval_set = false;
	int c, ret, sock;

	mos_options_init(&mo);
	opterr = 0;
	while ((c = getopt(argc, argv, ":r:i:ajh")) != -1) {
		switch (c) {
		case 'r':
			mo.read_file = optarg;
			break;
		case 'i':
			if (parse_interval(optarg, &o.interval_ms)) {
				fprintf(stderr, "midstat: -i takes 0.1 to 86400 s, not '%s'\n",
					optarg);
				return 2;
			}
			interval_set = true;
			break;
		case 'a':
			o.keep_ended = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			fprintf(stderr, "midstat: -%c needs an argument (midstat -h for help)\n",
				optopt);
			return 2;
		default:
			fprintf(stderr, "midstat: unknown option -%c (midstat -h for help)\n",
				optopt);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "midstat: unexpected argument '%s' (midstat -h for help)\n",
			argv[optind]);
		return 2;
	}
	if (mo.read_file && interval_set) {
		fprintf(stderr, "midstat: -i applies live only, not with -r\n");
		return 2;
	}
	o.tty = isatty(STDOUT_FILENO);
	ret = mos_ctx_new(&mctx, &mo);
	if (ret) {
		fprintf(stderr, "midstat: %s\n", mos_strerror(ret));
		return 1;
	}
	sock = mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	ret = sock < 0 ? sock : ms_table_register(mctx, sock, &t);
	if (ret) {
		fprintf(stderr, "midstat: cannot register callbacks: %s\n",
			mos_strerror(ret));
		mos_ctx_free(mctx);
		return 1;
	}
	rep.every_ms = o.interval_ms;
	ret = tool_run(mctx, &rep);
	if (ret && ret != -EINTR) {
		fprintf(stderr, "midstat: %s: %s\n",
			mo.read_file ? mo.read_file : "live", mos_strerror(ret));
		mos_ctx_free(mctx);
		ms_table_free(&t);
		return 1;
	}
	show(&o, &t, true);
	mos_ctx_free(mctx);
	ms_table_free(&t);
	return 0;
}
