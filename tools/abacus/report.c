// SPDX-License-Identifier: GPL-2.0
/*
 * abacus's output: abuse reports as they happen, a record per connection
 * at its end (abusive ones, or all with -f), per-subscriber totals
 * (Documentation/samples.md#abacus). Text for people, JSON lines (-j).
 */
#include <inttypes.h>
#include "abacus.h"

static const char *end_name(int reason)
{
	static const char *const names[] = {
		"none", "fin", "rst", "timeout", "evicted", "eof",
	};

	if (reason < 0 || reason > MOS_END_REASON_EOF)
		return "none";
	return names[reason];
}

static const char *direction(int sender)
{
	return sender == MOS_SIDE_CLI ? "c2s" : "s2c";
}

/**
 * ab_report_abuse() - report an inconsistent retransmission
 * @cfg: the settings
 * @f: its connection
 * @sender: the side that sent it
 * @off: its stream offset
 * @len: its bytes
 */
void ab_report_abuse(const struct ab_config *cfg, const struct ab_flow *f,
		     int sender, uint64_t off, uint64_t len)
{
	if (cfg->json)
		fprintf(cfg->out, "{\"type\":\"abuse\",\"subscriber\":\"%s\","
			"\"client\":\"%s\",\"server\":\"%s\","
			"\"direction\":\"%s\",\"off\":%" PRIu64
			",\"bytes\":%" PRIu64 "}\n", f->sub->addr,
			f->ep[MOS_SIDE_CLI], f->ep[MOS_SIDE_SVR],
			direction(sender), off, len);
	else
		fprintf(cfg->out, "abuse: subscriber %s, %s -> %s, %s offset %"
			PRIu64 ": %" PRIu64
			" bytes retransmitted with different content\n",
			f->sub->addr, f->ep[MOS_SIDE_CLI], f->ep[MOS_SIDE_SVR],
			direction(sender), off, len);
	fflush(cfg->out);
}

/**
 * ab_report_flow() - report a connection at its end
 * @cfg: the settings
 * @f: the connection
 * @end_reason: MOS_END_REASON_*
 */
void ab_report_flow(const struct ab_config *cfg, const struct ab_flow *f,
		    int end_reason)
{
	uint64_t up = f->sent[f->sub_side], down = f->sent[!f->sub_side];

	if (cfg->json)
		fprintf(cfg->out, "{\"type\":\"flow\",\"subscriber\":\"%s\","
			"\"client\":\"%s\",\"server\":\"%s\",\"up_bytes\":%"
			PRIu64 ",\"down_bytes\":%" PRIu64
			",\"charged_bytes\":%" PRIu64 ",\"rexmit_bytes\":%"
			PRIu64 ",\"gap_bytes\":%" PRIu64
			",\"abuse_events\":%" PRIu64 ",\"abuse_bytes\":%"
			PRIu64 ",\"end\":\"%s\"}\n", f->sub->addr,
			f->ep[MOS_SIDE_CLI], f->ep[MOS_SIDE_SVR], up, down,
			up + down, f->rexmit, f->gap, f->abuse_events,
			f->abuse_bytes, end_name(end_reason));
	else
		fprintf(cfg->out, "flow: subscriber %s, %s -> %s: up %" PRIu64
			", down %" PRIu64 ", rexmit %" PRIu64 ", abuse %"
			PRIu64 " bytes in %" PRIu64 " retransmissions, end %s\n",
			f->sub->addr, f->ep[MOS_SIDE_CLI], f->ep[MOS_SIDE_SVR],
			up, down, f->rexmit, f->abuse_bytes, f->abuse_events,
			end_name(end_reason));
	fflush(cfg->out);
}

static void total_json(const struct ab_sub *s, void *arg)
{
	FILE *out = arg;

	fprintf(out, "{\"type\":\"subscriber\",\"subscriber\":\"%s\","
		"\"flows\":%" PRIu64 ",\"up_bytes\":%" PRIu64
		",\"down_bytes\":%" PRIu64 ",\"charged_bytes\":%" PRIu64
		",\"rexmit_bytes\":%" PRIu64 ",\"gap_bytes\":%" PRIu64
		",\"abuse_events\":%" PRIu64 ",\"abuse_bytes\":%" PRIu64
		",\"abuse_flows\":%" PRIu64 "}\n", s->addr, s->flows, s->up,
		s->down, s->up + s->down, s->rexmit, s->gap, s->abuse_events,
		s->abuse_bytes, s->abuse_flows);
}

static void total_text(const struct ab_sub *s, void *arg)
{
	FILE *out = arg;

	fprintf(out, "%-39s %6" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12"
		PRIu64 " %10" PRIu64 " %10" PRIu64 " %13" PRIu64 "\n", s->addr,
		s->flows, s->up, s->down, s->up + s->down, s->rexmit,
		s->abuse_bytes, s->abuse_flows);
}

/**
 * ab_report_totals() - print every subscriber's account
 * @cfg: the settings
 */
void ab_report_totals(const struct ab_config *cfg)
{
	if (cfg->json) {
		ab_sub_walk(total_json, cfg->out);
	} else {
		fprintf(cfg->out, "%-39s %6s %12s %12s %12s %10s %10s %13s\n",
			"subscriber", "flows", "up_bytes", "down_bytes",
			"charged", "rexmit", "abuse", "abusive_flows");
		ab_sub_walk(total_text, cfg->out);
	}
	fflush(cfg->out);
}
