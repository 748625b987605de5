// SPDX-License-Identifier: GPL-2.0
/*
 * abacus - cellular data accounting on mos (after the mOS NSDI'17
 * sample): each subscriber (the client's address, or the server's with
 * -s server) is charged for the stream bytes delivered both ways, never
 * for retransmissions; a retransmission whose bytes differ from the
 * original - data hidden from the charging in fake retransmissions - is
 * reported as abuse. Live until SIGINT or SIGTERM (SIGUSR1 prints the
 * totals so far), or over a capture (-r); totals at the end
 * (Documentation/samples.md#abacus).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "abacus.h"
#include "tool_run.h"


static const char usage[] =
	"usage: abacus [-r FILE] [-s client|server] [-f] [-j]\n"
	"  -r FILE    read a capture (pcap/pcapng); without it, run live from\n"
	"             the mos module until SIGINT or SIGTERM (SIGUSR1: print\n"
	"             the totals so far)\n"
	"  -s SIDE    the subscriber: the client (default) or the server of\n"
	"             each connection\n"
	"  -f         a record for every connection at its end, not only\n"
	"             for those with abuse\n"
	"  -j         JSON lines instead of text\n"
	"  -h         this help\n";

static int parse_args(int argc, char **argv, struct mos_options *mo,
		      struct ab_config *cfg)
{
	int c;

	opterr = 0;
	while ((c = getopt(argc, argv, ":r:s:fjh")) != -1) {
		switch (c) {
		case 'r':
			mo->read_file = optarg;
			break;
		case 's':
			if (!strcmp(optarg, "client")) {
				cfg->sub_side = MOS_SIDE_CLI;
			} else if (!strcmp(optarg, "server")) {
				cfg->sub_side = MOS_SIDE_SVR;
			} else {
				fprintf(stderr, "abacus: -s takes client or server, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'f':
			cfg->all_flows = true;
			break;
		case 'j':
			cfg->json = true;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			fprintf(stderr, "abacus: -%c needs an argument (abacus -h for help)\n",
				optopt);
			return 2;
		default:
			fprintf(stderr, "abacus: unknown option -%c (abacus -h for help)\n",
				optopt);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "abacus: unexpected argument '%s' (abacus -h for help)\n",
			argv[optind]);
		return 2;
	}
	return 0;
}

static void report_totals(void *cfg)
{
	ab_report_totals(cfg);
}

int main(int argc, char **argv)
{
	struct ab_config cfg = { .sub_side = MOS_SIDE_CLI, .out = stdout };
	/* Live, the totals so far on SIGUSR1. */
	struct tool_report rep = {
		.on_usr1 = true, .report = report_totals, .arg = &cfg,
	};
	struct mos_options mo;
	struct mos_ctx *mctx;
	int ret, sock;

	mos_options_init(&mo);
	ret = parse_args(argc, argv, &mo, &cfg);
	if (ret)
		return ret;
	ret = mos_ctx_new(&mctx, &mo);
	if (ret) {
		fprintf(stderr, "abacus: %s\n", mos_strerror(ret));
		return 1;
	}
	sock = mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	ret = sock < 0 ? sock : ab_register(mctx, sock, &cfg);
	if (ret) {
		fprintf(stderr, "abacus: cannot register callbacks: %s\n",
			mos_strerror(ret));
		mos_ctx_free(mctx);
		return 1;
	}
	ret = tool_run(mctx, &rep);
	if (ret && ret != -EINTR) {
		fprintf(stderr, "abacus: %s: %s\n",
			mo.read_file ? mo.read_file : "live", mos_strerror(ret));
		mos_ctx_free(mctx);
		ab_sub_free_all();
		return 1;
	}
	ab_report_totals(&cfg);
	mos_ctx_free(mctx);
	ab_sub_free_all();
	return 0;
}
