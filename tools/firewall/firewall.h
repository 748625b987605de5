/* SPDX-License-Identifier: GPL-2.0 */
/*
 * firewall - a first-match connection firewall on mos. Shared
 * declarations of its files.
 */
#ifndef FIREWALL_H
#define FIREWALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <mos/mos.h>

#define FW_ACCEPT	0
#define FW_DROP		1

/**
 * struct fw_net - an address prefix of a rule
 * @set: the rule names one
 * @family: AF_INET, AF_INET6, or 0 for "any" (both families)
 * @addr: the network (IPv4 in the first 4 bytes), host bits zero
 * @len: the prefix length
 */
struct fw_net {
	bool set;
	int family;
	uint8_t addr[16];
	int len;
};

/**
 * struct fw_rule - one line of the rule file
 * @action: FW_ACCEPT or FW_DROP
 * @line: its line number
 * @either: NET: either endpoint's address in it
 * @from: from NET: the client's address in it
 * @to: to NET: the server's address in it
 * @port_lo: port P or P-Q: the server's port at least this (0: any)
 * @port_hi: and at most this
 * @hits: connections it decided
 */
struct fw_rule {
	int action;
	int line;
	struct fw_net either;
	struct fw_net from;
	struct fw_net to;
	uint16_t port_lo;
	uint16_t port_hi;
	uint64_t hits;
};

/**
 * struct fw_conn - what a rule is matched against
 * @family: AF_INET or AF_INET6
 * @addr: [MOS_SIDE_CLI] client, [MOS_SIDE_SVR] server address
 * @port: the server's port
 */
struct fw_conn {
	int family;
	uint8_t addr[2][16];
	uint16_t port;
};

/**
 * struct fw_rules - the rule file
 * @rule: the rules, in file order
 * @n: how many
 * @default_hits: connections no rule matched (accepted)
 */
struct fw_rules {
	struct fw_rule *rule;
	size_t n;
	uint64_t default_hits;
};

/**
 * struct fw_totals - what the firewall did
 * @conns: connections decided
 * @dropped: of which dropped
 * @accepted: of which accepted
 * @errors: verdicts the engine refused (mos_flow_drop() or
 *	mos_setsockopt() failed)
 * @offline: reading a capture: @dropped_packets is known
 * @dropped_packets: packets ignored after a drop (offline)
 */
struct fw_totals {
	uint64_t conns;
	uint64_t dropped;
	uint64_t accepted;
	uint64_t errors;
	bool offline;
	uint64_t dropped_packets;
};

/**
 * struct fw_app - the firewall at work
 * @rules: the rules and their counters
 * @tot: the totals
 * @verbose: report each connection's verdict
 * @json: JSON lines output
 * @out: where output goes
 */
struct fw_app {
	struct fw_rules rules;
	struct fw_totals tot;
	bool verbose;
	bool json;
	FILE *out;
};

int fw_rules_load(struct fw_rules *rs, const char *path);
void fw_rules_free(struct fw_rules *rs);
void fw_rule_text(const struct fw_rule *r, char *buf, size_t len);
void fw_net_text(const struct fw_net *n, char *buf, size_t len);

struct fw_rule *fw_match(struct fw_rules *rs, const struct fw_conn *c);
char *fw_syn_filter(const struct fw_rules *rs);
int fw_register(struct mos_ctx *mctx, int sock, struct fw_app *app);

void fw_report_conn(FILE *out, bool json, const struct fw_rules *rs,
		    const struct fw_rule *r, const char *cli, const char *srv);
void fw_report_counters(FILE *out, bool json, const struct fw_rules *rs,
			const struct fw_totals *st);

#endif /* FIREWALL_H */
