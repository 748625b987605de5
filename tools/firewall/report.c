// SPDX-License-Identifier: GPL-2.0
/*
 * firewall's output: hit counters per rule (at exit, and live on
 * SIGUSR1) and, with -v, each connection's verdict
 * (Documentation/samples.md#firewall). Text, or JSON lines with -j.
 */
#include <inttypes.h>
#include "firewall.h"

static const char *action_name(int action)
{
	return action == FW_DROP ? "drop" : "accept";
}

/**
 * fw_report_conn() - a connection's verdict
 * @out: where
 * @json: as a JSON line
 * @rs: the rules
 * @r: the rule that decided it, NULL for the default
 * @cli: the client, "addr:port"
 * @srv: the server, "addr:port"
 */
void fw_report_conn(FILE *out, bool json, const struct fw_rules *rs,
		    const struct fw_rule *r, const char *cli, const char *srv)
{
	const char *act = action_name(r ? r->action : FW_ACCEPT);
	long no = r ? (long)(r - rs->rule) + 1 : 0;

	if (json && r)
		fprintf(out, "{\"type\":\"conn\",\"client\":\"%s\","
			"\"server\":\"%s\",\"rule\":%ld,\"line\":%d,"
			"\"action\":\"%s\"}\n", cli, srv, no, r->line, act);
	else if (json)
		fprintf(out, "{\"type\":\"conn\",\"client\":\"%s\","
			"\"server\":\"%s\",\"rule\":null,\"line\":null,"
			"\"action\":\"%s\"}\n", cli, srv, act);
	else if (r)
		fprintf(out, "%s %s -> %s (rule %ld, line %d)\n", act, cli,
			srv, no, r->line);
	else
		fprintf(out, "%s %s -> %s (no rule)\n", act, cli, srv);
	fflush(out);
}

/**
 * fw_report_counters() - hit counters of every rule and the totals
 * @out: where
 * @json: as JSON lines
 * @rs: the rules
 * @st: the totals
 */
void fw_report_counters(FILE *out, bool json, const struct fw_rules *rs,
			const struct fw_totals *st)
{
	char match[512];
	size_t i;

	if (!json)
		fprintf(out, "%4s %5s %-6s %10s  %s\n", "rule", "line",
			"action", "hits", "match");
	for (i = 0; i < rs->n; i++) {
		const struct fw_rule *r = &rs->rule[i];

		fw_rule_text(r, match, sizeof(match));
		if (json)
			fprintf(out, "{\"type\":\"rule\",\"rule\":%zu,"
				"\"line\":%d,\"action\":\"%s\",\"hits\":%"
				PRIu64 ",\"match\":\"%s\"}\n", i + 1, r->line,
				action_name(r->action), r->hits, match);
		else
			fprintf(out, "%4zu %5d %-6s %10" PRIu64 "  %s\n",
				i + 1, r->line, action_name(r->action),
				r->hits, match);
	}
	if (json) {
		fprintf(out, "{\"type\":\"default\",\"action\":\"accept\","
			"\"hits\":%" PRIu64 "}\n", rs->default_hits);
		fprintf(out, "{\"type\":\"totals\",\"connections\":%" PRIu64
			",\"dropped\":%" PRIu64 ",\"accepted\":%" PRIu64
			",\"errors\":%" PRIu64, st->conns, st->dropped,
			st->accepted, st->errors);
		if (st->offline)
			fprintf(out, ",\"dropped_packets\":%" PRIu64,
				st->dropped_packets);
		fputs("}\n", out);
	} else {
		fprintf(out, "%4s %5s %-6s %10" PRIu64 "  (no rule)\n", "-",
			"-", "accept", rs->default_hits);
		fprintf(out, "connections %" PRIu64 ", dropped %" PRIu64
			", accepted %" PRIu64 ", errors %" PRIu64, st->conns,
			st->dropped, st->accepted, st->errors);
		if (st->offline)
			fprintf(out, ", packets dropped %" PRIu64,
				st->dropped_packets);
		fputc('\n', out);
	}
	fflush(out);
}
