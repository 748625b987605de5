/* SPDX-License-Identifier: GPL-2.0 */
/*
 * midstat - the netstat of a middlebox: both endpoints' TCP states of every
 * connection mos sees. Shared declarations of its files.
 */
#ifndef MIDSTAT_H
#define MIDSTAT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <mos/mos.h>

/**
 * struct ms_conn - one connection as midstat shows it
 * @next: next in start order
 * @id: the flow id
 * @ip_version: 4 or 6
 * @ep: [MOS_SIDE_CLI] client, [MOS_SIDE_SVR] server, as "addr:port"
 * @state: TCP state of each endpoint (mos_state_name())
 * @bytes: [sender side] stream bytes delivered from that side
 * @end_reason: MOS_END_REASON_* once ended, 0 while open
 */
struct ms_conn {
	struct ms_conn *next;
	uint64_t id;
	int ip_version;
	char ep[2][64];
	int state[2];
	uint64_t bytes[2];
	int end_reason;
};

/**
 * struct ms_table - every connection to show, in start order
 * @head: the first
 * @tail: where the next one goes
 * @count: how many
 */
struct ms_table {
	struct ms_conn *head;
	struct ms_conn **tail;
	unsigned long count;
};

int ms_table_register(struct mos_ctx *mctx, int sock, struct ms_table *t);
void ms_table_prune(struct ms_table *t);
void ms_table_free(struct ms_table *t);

void ms_print_text(FILE *out, const struct ms_table *t, bool clear);
void ms_print_json(FILE *out, const struct ms_table *t, unsigned long n,
		   bool final);
const char *ms_end_name(int reason);

#endif /* MIDSTAT_H */
