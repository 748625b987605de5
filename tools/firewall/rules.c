// SPDX-License-Identifier: GPL-2.0
/*
 * firewall's rule file (Documentation/samples.md#firewall): one rule a
 * line, "ACTION [MATCH...]", '#' starts a comment. Bad lines are reported
 * as FILE:LINE: message, every one of them, and the file is refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "firewall.h"

#define FW_MAX_ERRORS	20

/**
 * struct parse - where the parser is
 * @path: the file
 * @line: the line number
 * @errors: bad lines so far
 */
struct parse {
	const char *path;
	int line;
	int errors;
};

static __attribute__((format(printf, 2, 3)))
int bad(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (++p->errors <= FW_MAX_ERRORS) {
		fprintf(stderr, "%s:%d: ", p->path, p->line);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return errno || *end || *v > max ? -EINVAL : 0;
}

/* ADDR, ADDR/LEN or "any"; the host bits must be zero. */
static int parse_net(struct parse *p, const char *tok, struct fw_net *n)
{
	char text[INET6_ADDRSTRLEN + 8], *slash;
	unsigned long len;
	int i, max;

	memset(n, 0, sizeof(*n));
	n->set = true;
	if (!strcmp(tok, "any"))
		return 0;
	if (strlen(tok) >= sizeof(text))
		return bad(p, "'%s' is not an address", tok);
	strcpy(text, tok);
	slash = strchr(text, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, text, n->addr) == 1)
		n->family = AF_INET;
	else if (inet_pton(AF_INET6, text, n->addr) == 1)
		n->family = AF_INET6;
	else
		return bad(p, "'%s' is not an IPv4 or IPv6 address", text);
	max = n->family == AF_INET ? 32 : 128;
	len = max;
	if (slash && parse_uint(slash, max, &len))
		return bad(p, "'%s': the prefix length must be 0 to %d", tok,
			   max);
	n->len = len;
	for (i = 0; i < max / 8; i++) {
		int keep = n->len - i * 8;
		uint8_t mask = keep >= 8 ? 0xff :
			       keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

		if (n->addr[i] & ~mask)
			return bad(p, "'%s': host bits set (write the network)",
				   tok);
	}
	return 0;
}

/* P or P-Q, 1 to 65535. */
static int parse_ports(struct parse *p, const char *tok, struct fw_rule *r)
{
	char text[16], *dash;
	unsigned long lo, hi;

	if (strlen(tok) >= sizeof(text))
		return bad(p, "'%s' is not a port or port range", tok);
	strcpy(text, tok);
	dash = strchr(text, '-');
	if (dash)
		*dash++ = '\0';
	if (parse_uint(text, 65535, &lo) || !lo ||
	    (dash && (parse_uint(dash, 65535, &hi) || hi < lo)))
		return bad(p, "'%s' is not a port (1-65535) or a range P-Q with P <= Q",
			   tok);
	r->port_lo = lo;
	r->port_hi = dash ? hi : lo;
	return 0;
}

static int family_of(const struct fw_net *n)
{
	return n->set ? n->family : 0;
}

static int parse_rule(struct parse *p, char *s, struct fw_rule *r)
{
	char *save, *tok = strtok_r(s, " \t\r", &save), *arg;
	struct fw_net *net;
	int fa, fb;

	memset(r, 0, sizeof(*r));
	r->line = p->line;
	if (!strcmp(tok, "accept"))
		r->action = FW_ACCEPT;
	else if (!strcmp(tok, "drop"))
		r->action = FW_DROP;
	else
		return bad(p, "unknown action '%s' (accept or drop)", tok);
	while ((tok = strtok_r(NULL, " \t\r", &save))) {
		if (!strcmp(tok, "port")) {
			arg = strtok_r(NULL, " \t\r", &save);
			if (!arg)
				return bad(p, "'port' needs a port or range");
			if (r->port_lo)
				return bad(p, "'port' given twice");
			if (parse_ports(p, arg, r))
				return -EINVAL;
			continue;
		}
		if (!strcmp(tok, "from") || !strcmp(tok, "to")) {
			net = tok[0] == 'f' ? &r->from : &r->to;
			arg = strtok_r(NULL, " \t\r", &save);
			if (!arg)
				return bad(p, "'%s' needs an address", tok);
		} else {
			net = &r->either;
			arg = tok;
		}
		if (net->set)
			return bad(p, "'%s': %s address given already", arg,
				   net == &r->either ? "a bare" :
				   net == &r->from ? "a 'from'" : "a 'to'");
		if (parse_net(p, arg, net))
			return -EINVAL;
	}
	if (r->either.set && (r->from.set || r->to.set))
		return bad(p, "a bare address cannot be combined with from/to");
	fa = family_of(&r->from);
	fb = family_of(&r->to);
	if (fa && fb && fa != fb)
		return bad(p, "'from' and 'to' are of different address families");
	return 0;
}

/**
 * fw_rules_load() - read a rule file
 * @rs: filled in (free with fw_rules_free())
 * @path: the file
 *
 * Every bad line is reported on stderr as PATH:LINE: message.
 *
 * Return: 0; -EINVAL when a line was bad, another negative errno when
 * the file cannot be read (not reported).
 */
int fw_rules_load(struct fw_rules *rs, const char *path)
{
	struct parse p = { .path = path };
	struct fw_rule r, *grown;
	char *buf = NULL, *s;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	memset(rs, 0, sizeof(*rs));
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (getline(&buf, &cap, f) >= 0) {
		p.line++;
		s = strchr(buf, '#');
		if (s)
			*s = '\0';
		s = buf + strspn(buf, " \t\r\n");
		s[strcspn(s, "\n")] = '\0';
		if (!*s || *s == '\r')
			continue;
		if (parse_rule(&p, s, &r))
			continue;
		grown = realloc(rs->rule, (rs->n + 1) * sizeof(*grown));
		if (!grown) {
			ret = -ENOMEM;
			break;
		}
		rs->rule = grown;
		rs->rule[rs->n++] = r;
	}
	if (!ret && ferror(f))
		ret = -EIO;
	fclose(f);
	free(buf);
	if (!ret && p.errors)
		ret = -EINVAL;
	if (ret)
		fw_rules_free(rs);
	return ret;
}

/**
 * fw_rules_free() - forget the rules
 * @rs: the rules
 */
void fw_rules_free(struct fw_rules *rs)
{
	free(rs->rule);
	rs->rule = NULL;
	rs->n = 0;
}

/**
 * fw_net_text() - a prefix as the rule file writes it
 * @n: the prefix
 * @buf: where
 * @len: room at @buf
 */
void fw_net_text(const struct fw_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!n->family) {
		snprintf(buf, len, "any");
		return;
	}
	inet_ntop(n->family, n->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, n->len);
}

/**
 * fw_rule_text() - a rule's match, normalized ("any" when it has none)
 * @r: the rule
 * @buf: where
 * @len: room at @buf
 */
void fw_rule_text(const struct fw_rule *r, char *buf, size_t len)
{
	const struct fw_net *nets[3] = { &r->either, &r->from, &r->to };
	static const char *const kw[3] = { "", "from ", "to " };
	char net[INET6_ADDRSTRLEN + 8];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 3; i++) {
		if (!nets[i]->set)
			continue;
		fw_net_text(nets[i], net, sizeof(net));
		n += snprintf(buf + n, len - n, "%s%s%s", n ? " " : "", kw[i],
			      net);
		if (n >= len)
			return;
	}
	if (r->port_lo == r->port_hi && r->port_lo)
		n += snprintf(buf + n, len - n, "%sport %u", n ? " " : "",
			      r->port_lo);
	else if (r->port_lo)
		n += snprintf(buf + n, len - n, "%sport %u-%u", n ? " " : "",
			      r->port_lo, r->port_hi);
	if (!n)
		snprintf(buf, len, "any");
}
