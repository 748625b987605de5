// SPDX-License-Identifier: GPL-2.0
/*
 * firewall's matching: the first rule that matches a connection decides
 * it; the same rules as one pcap expression, the SYN filter that keeps
 * connections no rule matches away from the firewall altogether.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "firewall.h"

static bool net_has(const struct fw_net *n, int family, const uint8_t *a)
{
	int i, bits;

	if (!n->set || !n->family)
		return true;
	if (n->family != family)
		return false;
	for (i = 0, bits = n->len; bits > 0; i++, bits -= 8) {
		uint8_t mask = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));

		if ((a[i] & mask) != n->addr[i])
			return false;
	}
	return true;
}

static bool rule_has(const struct fw_rule *r, const struct fw_conn *c)
{
	if (r->port_lo && (c->port < r->port_lo || c->port > r->port_hi))
		return false;
	if (r->either.set &&
	    !net_has(&r->either, c->family, c->addr[MOS_SIDE_CLI]) &&
	    !net_has(&r->either, c->family, c->addr[MOS_SIDE_SVR]))
		return false;
	return net_has(&r->from, c->family, c->addr[MOS_SIDE_CLI]) &&
	       net_has(&r->to, c->family, c->addr[MOS_SIDE_SVR]);
}

/**
 * fw_match() - the rule that decides a connection
 * @rs: the rules
 * @c: the connection
 *
 * Counts the hit: on the rule, or as a default hit.
 *
 * Return: the first rule that matches, or NULL (accepted by default).
 */
struct fw_rule *fw_match(struct fw_rules *rs, const struct fw_conn *c)
{
	size_t i;

	for (i = 0; i < rs->n; i++) {
		if (rule_has(&rs->rule[i], c)) {
			rs->rule[i].hits++;
			return &rs->rule[i];
		}
	}
	rs->default_hits++;
	return NULL;
}

/* One prefix in pcap syntax: "[src |dst ]net P", or "ip"/"ip6" for /0. */
static void net_expr(const struct fw_net *n, const char *dir, char *buf,
		     size_t len)
{
	char text[INET6_ADDRSTRLEN + 8];

	if (!n->len) {
		snprintf(buf, len, "%s", n->family == AF_INET ? "ip" : "ip6");
		return;
	}
	fw_net_text(n, text, sizeof(text));
	snprintf(buf, len, "%snet %s", dir, text);
}

/* A rule's conditions joined by "and"; "" when it matches everything. */
static void rule_expr(const struct fw_rule *r, char *buf, size_t len)
{
	const struct fw_net *nets[3] = { &r->either, &r->from, &r->to };
	static const char *const dir[3] = { "", "src ", "dst " };
	char part[96];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 3; i++) {
		if (!nets[i]->set || !nets[i]->family)
			continue;
		net_expr(nets[i], dir[i], part, sizeof(part));
		n += snprintf(buf + n, len - n, "%s%s", n ? " and " : "", part);
	}
	if (r->port_lo == r->port_hi && r->port_lo)
		snprintf(buf + n, len - n, "%sdst port %u", n ? " and " : "",
			 r->port_lo);
	else if (r->port_lo)
		snprintf(buf + n, len - n, "%sdst portrange %u-%u",
			 n ? " and " : "", r->port_lo, r->port_hi);
}

/**
 * fw_syn_filter() - the rules as a SYN filter
 * @rs: the rules
 *
 * The first SYN of a connection passes when some rule matches it: its
 * source is the client, its destination the server.
 *
 * Return: "tcp and ((R1) or (R2) ...)", "tcp" when a rule matches every
 * connection, "tcp and not tcp" (nothing) when there is no rule; NULL
 * when out of memory. Free it.
 */
char *fw_syn_filter(const struct fw_rules *rs)
{
	size_t len = 32 + rs->n * 260, n, i;
	char *buf = malloc(len), one[256];

	if (!buf)
		return NULL;
	if (!rs->n) {
		snprintf(buf, len, "tcp and not tcp");
		return buf;
	}
	n = snprintf(buf, len, "tcp and (");
	for (i = 0; i < rs->n; i++) {
		rule_expr(&rs->rule[i], one, sizeof(one));
		if (!one[0]) {
			snprintf(buf, len, "tcp");
			return buf;
		}
		n += snprintf(buf + n, len - n, "%s(%s)", i ? " or " : "",
			      one);
	}
	snprintf(buf + n, len - n, ")");
	return buf;
}
