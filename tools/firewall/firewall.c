// SPDX-License-Identifier: GPL-2.0
/*
 * firewall - a first-match connection firewall on mos. The rule file
 * (Documentation/samples.md#firewall) becomes a SYN filter, so that only
 * connections some rule matches reach the firewall; each of those is
 * dropped or accepted (and no longer monitored) at its start. Live until
 * SIGINT or SIGTERM, SIGUSR1 prints the hit counters; or over a capture
 * (-r). The counters are printed at the end.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "firewall.h"
#include "tool_run.h"


static const char usage[] =
	"usage: firewall [-r FILE] [-v] [-j] [-F] [-n] RULES\n"
	"  RULES    the rule file: 'accept|drop [NET|from NET] [to NET]\n"
	"           [port P[-Q]]' a line, the first match wins, no match\n"
	"           accepts (NET: any, ADDR or ADDR/LEN, IPv4 or IPv6)\n"
	"  -r FILE  read a capture (pcap/pcapng); without it, run live from\n"
	"           the mos module until SIGINT or SIGTERM (SIGUSR1: print\n"
	"           the hit counters)\n"
	"  -v       print each connection's verdict\n"
	"  -j       JSON lines instead of text\n"
	"  -F       no SYN filter: every connection reaches the rules\n"
	"  -n       check the rules, print the SYN filter and exit\n"
	"  -h       this help\n";

/**
 * struct fw_cmd - the command line
 * @read_file: -r
 * @rules: the rule file
 * @no_filter: -F
 * @check_only: -n
 */
struct fw_cmd {
	const char *read_file;
	const char *rules;
	bool no_filter;
	bool check_only;
};

static int parse_args(int argc, char **argv, struct fw_cmd *cmd,
		      struct fw_app *app)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, ":r:vjFnh")) != -1) {
		switch (c) {
		case 'r':
			cmd->read_file = optarg;
			break;
		case 'v':
			app->verbose = true;
			break;
		case 'j':
			app->json = true;
			break;
		case 'F':
			cmd->no_filter = true;
			break;
		case 'n':
			cmd->check_only = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			fprintf(stderr, "firewall: -%c needs an argument (firewall -h for help)\n",
				optopt);
			return 2;
		default:
			fprintf(stderr, "firewall: unknown option -%c (firewall -h for help)\n",
				optopt);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "firewall: no rule file given (firewall -h for help)\n");
		return 2;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "firewall: unexpected argument '%s' (firewall -h for help)\n",
			argv[optind + 1]);
		return 2;
	}
	cmd->rules = argv[optind];
	return 0;
}

/* The context, its socket, the SYN filter and the callback. */
static int setup(struct mos_ctx **mctxp, const struct fw_cmd *cmd,
		 struct fw_app *app, const char *filter)
{
	struct mos_options mo;
	int ret, sock;

	mos_options_init(&mo);
	mo.read_file = cmd->read_file;
	ret = mos_ctx_new(mctxp, &mo);
	if (ret) {
		fprintf(stderr, "firewall: %s\n", mos_strerror(ret));
		return ret;
	}
	sock = mos_socket(*mctxp, MOS_SOCK_MONITOR_STREAM);
	ret = sock < 0 ? sock : fw_register(*mctxp, sock, app);
	if (ret) {
		fprintf(stderr, "firewall: cannot register callbacks: %s\n",
			mos_strerror(ret));
		return ret;
	}
	if (cmd->no_filter)
		return 0;
	ret = mos_bind_monitor_filter(*mctxp, sock, MOS_FILTER_KIND_SYN,
				      filter);
	if (ret)
		fprintf(stderr, "firewall: SYN filter '%s': %s\n", filter,
			ret == -EINVAL ? mos_filter_error(*mctxp) :
			mos_strerror(ret));
	return ret;
}

static void report_counters(void *arg)
{
	struct fw_app *app = arg;

	fw_report_counters(app->out, app->json, &app->rules, &app->tot);
}

int main(int argc, char **argv)
{
	struct fw_app app = { .out = stdout };
	/* Live, the hit counters so far on SIGUSR1. */
	struct tool_report rep = {
		.on_usr1 = true, .report = report_counters, .arg = &app,
	};
	struct fw_cmd cmd = { 0 };
	struct mos_ctx *mctx = NULL;
	bool set_up = false;
	char *filter;
	int ret;

	ret = parse_args(argc, argv, &cmd, &app);
	if (ret)
		return ret;
	ret = fw_rules_load(&app.rules, cmd.rules);
	if (ret) {
		if (ret != -EINVAL)
			fprintf(stderr, "firewall: %s: %s\n", cmd.rules,
				strerror(-ret));
		return 1;
	}
	filter = fw_syn_filter(&app.rules);
	if (!filter) {
		fprintf(stderr, "firewall: out of memory\n");
		return 1;
	}
	if (cmd.check_only) {
		printf("%s\n", filter);
		free(filter);
		fw_rules_free(&app.rules);
		return 0;
	}
	ret = setup(&mctx, &cmd, &app, filter);
	free(filter);
	if (!ret) {
		set_up = true;	/* setup() printed its own errors */
		ret = tool_run(mctx, &rep);
	}
	if (ret && ret != -EINTR) {
		if (set_up)
			fprintf(stderr, "firewall: %s: %s\n",
				cmd.read_file ? cmd.read_file : "live",
				mos_strerror(ret));
		if (mctx)
			mos_ctx_free(mctx);
		fw_rules_free(&app.rules);
		return 1;
	}
	if (cmd.read_file) {
		struct mos_stats st;

		app.tot.offline = true;
		if (!mos_get_stats(mctx, &st))
			app.tot.dropped_packets = st.dropped;
	}
	fw_report_counters(app.out, app.json, &app.rules, &app.tot);
	mos_ctx_free(mctx);
	fw_rules_free(&app.rules);
	return 0;
}
