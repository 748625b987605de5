// SPDX-License-Identifier: GPL-2.0
/*
 * midstat's output: a table for people, JSON lines for programs
 * (Documentation/samples.md#midstat).
 */
#include <inttypes.h>
#include <time.h>
#include "midstat.h"

/**
 * ms_end_name() - name of a connection end reason
 * @reason: MOS_END_REASON_*, 0 while open
 *
 * Return: "fin", "rst", "timeout", "evicted", "eof", or "-" while open.
 */
const char *ms_end_name(int reason)
{
	static const char *const names[] = {
		"-", "fin", "rst", "timeout", "evicted", "eof",
	};

	if (reason < 0 || reason > MOS_END_REASON_EOF)
		return "?";
	return names[reason];
}

/**
 * ms_print_text() - print the table for people
 * @out: where
 * @t: the table
 * @clear: clear the terminal first (a live refresh on a terminal)
 */
void ms_print_text(FILE *out, const struct ms_table *t, bool clear)
{
	const struct ms_conn *c;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (clear)
		fputs("\033[H\033[J", out);
	if (localtime_r(&now, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	else
		when[0] = '\0';
	fprintf(out, "midstat %s: %lu connection%s\n", when, t->count,
		t->count == 1 ? "" : "s");
	fprintf(out, "%-5s %-30s %-11s %-30s %-11s %12s %12s %s\n", "proto",
		"client", "state", "server", "state", "c2s_bytes",
		"s2c_bytes", "end");
	for (c = t->head; c; c = c->next)
		fprintf(out, "tcp%d  %-30s %-11s %-30s %-11s %12" PRIu64
			" %12" PRIu64 " %s\n", c->ip_version,
			c->ep[MOS_SIDE_CLI],
			mos_state_name(c->state[MOS_SIDE_CLI]),
			c->ep[MOS_SIDE_SVR],
			mos_state_name(c->state[MOS_SIDE_SVR]),
			c->bytes[MOS_SIDE_CLI], c->bytes[MOS_SIDE_SVR],
			ms_end_name(c->end_reason));
	fflush(out);
}

/**
 * ms_print_json() - print the table as JSON lines
 * @out: where
 * @t: the table
 * @n: the table's number (0 for the first)
 * @final: it is the last table
 *
 * One line per connection, then {"table":N,"final":B,"connections":K}.
 */
void ms_print_json(FILE *out, const struct ms_table *t, unsigned long n,
		   bool final)
{
	const char *fin = final ? "true" : "false";
	const struct ms_conn *c;

	for (c = t->head; c; c = c->next) {
		fprintf(out, "{\"table\":%lu,\"final\":%s,\"id\":%" PRIu64
			",\"proto\":\"tcp%d\",\"client\":\"%s\","
			"\"client_state\":\"%s\",\"server\":\"%s\","
			"\"server_state\":\"%s\",\"c2s_bytes\":%" PRIu64
			",\"s2c_bytes\":%" PRIu64 ",\"end\":", n, fin, c->id,
			c->ip_version, c->ep[MOS_SIDE_CLI],
			mos_state_name(c->state[MOS_SIDE_CLI]),
			c->ep[MOS_SIDE_SVR],
			mos_state_name(c->state[MOS_SIDE_SVR]),
			c->bytes[MOS_SIDE_CLI], c->bytes[MOS_SIDE_SVR]);
		if (c->end_reason)
			fprintf(out, "\"%s\"}\n", ms_end_name(c->end_reason));
		else
			fputs("null}\n", out);
	}
	fprintf(out, "{\"table\":%lu,\"final\":%s,\"connections\":%lu}\n", n,
		fin, t->count);
	fflush(out);
}
