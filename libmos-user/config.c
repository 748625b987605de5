// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * mos_options_load(): settings from an mOS configuration file (mos.conf).
 *
 * The syntax is mOS's: "key = value" lines, blocks "name { ... }" that may
 * nest, "#" comments to the end of a line. Only the top-level "mos" block
 * is read, and in it only the keys that still mean something for mos:
 *
 *   max_concurrency = N   connections tracked at once (max_flows), > 0
 *   rmem_size = BYTES     reassembly buffer per direction (flow_buffer), > 0
 *   no_ring_buffers = 0|1 1: no bytes kept for peeking (peek_window = 0)
 *
 * Keys mOS knows that have no meaning here are checked for a value and
 * otherwise ignored: forward (mos never forwards: it watches the kernel's
 * forwarding), nb_mem_channels (DPDK), wmem_size (a monitor sends
 * nothing), tcp_timeout and tcp_tw_interval (mos's engine has per-state
 * timeouts: Documentation/engine.md), mos_log, stat_print, port,
 * multiprocess, num_cores. Unknown keys are ignored too, as mOS ignores
 * them (mOS versions differ in their keys). Nested blocks (netdev,
 * arp_table, route_table, nic_forward_table: interfaces and tables of
 * mOS's own packet I/O) and other top-level blocks (application) are
 * skipped, their lines unread.
 *
 * Errors (-EINVAL): unbalanced braces, a line in the mos block that is
 * neither "key = value" nor a block, a key without a value, a value of a
 * known key that is not a number or out of range, no mos block at all.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mos/mos.h>

#define CONF_MAX_BYTES	(1 << 20)
#define CONF_MAX_DEPTH	16

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static bool is_ident(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* A whole-string integer (decimal, 0x hex or 0 octal, as mOS's %i). */
static int parse_num(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 0);
	if (errno || end == v || *trim(end))
		return -EINVAL;
	return 0;
}

static int set_key(struct mos_options *opt, const char *key, const char *val)
{
	static const char *const checked[] = {
		"forward", "nb_mem_channels", "wmem_size", "tcp_timeout",
		"tcp_tw_interval",
	};
	long long n;
	size_t i;

	if (!strcmp(key, "max_concurrency")) {
		if (parse_num(val, &n) || n < 1 || n > UINT32_MAX)
			return -EINVAL;
		opt->max_flows = n;
	} else if (!strcmp(key, "rmem_size")) {
		if (parse_num(val, &n) || n < 1 || n > UINT32_MAX)
			return -EINVAL;
		opt->flow_buffer = n;
	} else if (!strcmp(key, "no_ring_buffers")) {
		if (parse_num(val, &n) || n < 0 || n > 1)
			return -EINVAL;
		if (n)
			opt->peek_window = 0;
	} else {
		/* Meaningless here, but a number in a valid mos.conf. */
		for (i = 0; i < sizeof(checked) / sizeof(checked[0]); i++)
			if (!strcmp(key, checked[i]) &&
			    (parse_num(val, &n) || n < -1 || n > UINT32_MAX))
				return -EINVAL;
	}
	return 0;
}

/**
 * struct conf_parse - state of the parser
 * @depth: blocks open
 * @in_mos: [depth] the block open at that depth is (inside) "mos"
 * @mos_seen: a top-level mos block was opened
 */
struct conf_parse {
	int depth;
	bool in_mos[CONF_MAX_DEPTH + 1];
	bool mos_seen;
};

/* One line (comment removed); may open and close blocks. */
static int parse_line(struct conf_parse *p, struct mos_options *opt,
		      char *line)
{
	char *s = trim(line), *eq, *brace;
	size_t n;

	while (*s) {
		if (*s == '}') {
			if (!p->depth)
				return -EINVAL;
			p->depth--;
			s = trim(s + 1);
			continue;
		}
		brace = strchr(s, '{');
		eq = strchr(s, '=');
		if (brace && (!eq || brace < eq)) {
			/* "name {" [rest of the line, inside the block] */
			*brace = '\0';
			s = trim(s);
			n = strlen(s);
			if (!is_ident(s, n) || p->depth >= CONF_MAX_DEPTH)
				return -EINVAL;
			p->depth++;
			p->in_mos[p->depth] = p->depth == 1 ?
					      !strcmp(s, "mos") : false;
			if (p->depth == 1 && p->in_mos[1])
				p->mos_seen = true;
			s = trim(brace + 1);
			continue;
		}
		if (p->depth == 1 && p->in_mos[1]) {
			char *key, *val;

			if (!eq || strchr(eq, '}'))
				return -EINVAL;
			*eq = '\0';
			key = trim(s);
			val = trim(eq + 1);
			if (!is_ident(key, strlen(key)) || !*val)
				return -EINVAL;
			return set_key(opt, key, val);
		}
		/*
		 * Lines of other blocks (netdev entries, tables, application
		 * settings) are not read; top-level "key = value" lines
		 * neither. A block may close on the same line.
		 */
		if (!p->depth && !eq)
			return -EINVAL;
		brace = strchr(s, '}');
		if (!brace)
			return 0;
		s = brace;
	}
	return 0;
}

int mos_options_load(struct mos_options *opt, const char *path)
{
	struct mos_options tmp = *opt;
	struct conf_parse p = { 0 };
	char *buf, *line, *next, *hash;
	size_t len;
	FILE *f;
	int ret = 0;

	if (!path)
		return -EINVAL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	buf = malloc(CONF_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(buf, 1, CONF_MAX_BYTES + 1, f);
	if (ferror(f))
		ret = -EIO;
	else if (len > CONF_MAX_BYTES)
		ret = -EFBIG;
	fclose(f);
	if (!ret && memchr(buf, '\0', len))
		ret = -EINVAL;	/* not a text file */
	buf[len < CONF_MAX_BYTES ? len : CONF_MAX_BYTES] = '\0';
	for (line = buf; !ret && line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		ret = parse_line(&p, &tmp, line);
	}
	free(buf);
	if (!ret && (p.depth || !p.mos_seen))
		ret = -EINVAL;
	if (!ret)
		*opt = tmp;
	return ret;
}
