/* SPDX-License-Identifier: GPL-2.0 */
/*
 * abacus - cellular data accounting on mos: each subscriber is charged
 * for the stream bytes delivered to and from it, never for
 * retransmissions, and retransmissions whose bytes differ from the
 * original (data hidden from the charging, the "tunneling attack") are
 * reported. Shared declarations of its files.
 */
#ifndef ABACUS_H
#define ABACUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <mos/mos.h>

/**
 * struct ab_sub - one subscriber's account
 * @addr: its address, as text (the key)
 * @flows: connections seen
 * @up: bytes it sent, delivered
 * @down: bytes it received, delivered
 * @rexmit: retransmitted bytes, either way (not charged)
 * @gap: bytes the monitor missed, either way (not charged)
 * @abuse_events: inconsistent retransmissions
 * @abuse_bytes: their bytes
 * @abuse_flows: connections with at least one
 */
struct ab_sub {
	char addr[48];
	uint64_t flows;
	uint64_t up;
	uint64_t down;
	uint64_t rexmit;
	uint64_t gap;
	uint64_t abuse_events;
	uint64_t abuse_bytes;
	uint64_t abuse_flows;
};

/**
 * struct ab_flow - one connection's account
 * @sub: the subscriber it is charged to
 * @sub_side: the subscriber's side (MOS_SIDE_CLI or MOS_SIDE_SVR)
 * @ep: [MOS_SIDE_CLI] client, [MOS_SIDE_SVR] server, "addr:port"
 * @sent: [side] bytes that side sent, delivered
 * @rexmit: retransmitted bytes, either way
 * @gap: bytes missed, either way
 * @abuse_events: inconsistent retransmissions
 * @abuse_bytes: their bytes
 */
struct ab_flow {
	struct ab_sub *sub;
	int sub_side;
	char ep[2][112];
	uint64_t sent[2];
	uint64_t rexmit;
	uint64_t gap;
	uint64_t abuse_events;
	uint64_t abuse_bytes;
};

/**
 * struct ab_config - what the command line asked for
 * @sub_side: which side is the subscriber
 * @json: JSON lines output
 * @all_flows: a record for every connection, not only abusive ones
 * @out: where records go
 */
struct ab_config {
	int sub_side;
	bool json;
	bool all_flows;
	FILE *out;
};

struct ab_sub *ab_sub_get(const char *addr);
void ab_sub_walk(void (*fn)(const struct ab_sub *sub, void *arg), void *arg);
void ab_sub_free_all(void);

int ab_register(struct mos_ctx *mctx, int sock, const struct ab_config *cfg);

void ab_report_abuse(const struct ab_config *cfg, const struct ab_flow *f,
		     int sender, uint64_t off, uint64_t len);
void ab_report_flow(const struct ab_config *cfg, const struct ab_flow *f,
		    int end_reason);
void ab_report_totals(const struct ab_config *cfg);

#endif /* ABACUS_H */
