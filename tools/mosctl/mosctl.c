// SPDX-License-Identifier: GPL-2.0
/*
 * mosctl - inspect and control the mos kernel module.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <mos/mos.h>
#include <mos/mos_ctl.h>

#ifndef MOS_VERSION
#define MOS_VERSION "unknown"
#endif

/* Dumps the kernel flags inconsistent are tried again this many times. */
#define DUMP_TRIES	3

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char usage[] =
	"usage: mosctl [-j] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  stats                    counters of this network namespace, per CPU\n"
	"  flow list                connections tracked in this namespace\n"
	"  flow show ID             one connection\n"
	"  flow drop ID             drop the connection's packets from now on\n"
	"  flow reset ID            reset both endpoints, then drop its packets\n"
	"  flow untrack ID          stop tracking the connection\n"
	"  monitor                  print connections as they start and end,\n"
	"                           until interrupted\n"
	"  config                   settings of this namespace\n"
	"  config set KEY=VALUE...  change settings: max_flows, flow_buffer,\n"
	"                           buffer_total, timeout.CLASS, overlap_policy,\n"
	"                           midstream, one_sided, deliver_on_arrival,\n"
	"                           ring_bytes, tracking, wakeup_us\n"
	"                           (see mosctl(8))\n"
	"  help                     this text\n"
	"\n"
	"options:\n"
	"  -j, --json      print JSON instead of a table\n"
	"  -V, --version   print the version\n"
	"  -h, --help      this text\n";

/* Overlap policies by number, as mos_overlap_policy_parse() reads them. */
static const char *const policy_names[] = {
	"first", "last", "bsd", "linux", "old-linux", "windows", "solaris",
	"hpux", "macos",
};

static const char *const end_names[] = {
	"none", "fin", "rst", "timeout", "evicted", "eof",
};

static bool json;

/* One line that says what went wrong and what to do about it. */
static int fail(const struct mos_ctl *ctl, const char *what, int err)
{
	const char *msg = ctl ? mos_ctl_last_error_msg(ctl) : NULL;

	switch (err) {
	case -ENOENT:
		fprintf(stderr,
			"mosctl: the mos kernel module is not loaded (try: modprobe mos)\n");
		break;
	case -EPERM:
		fprintf(stderr,
			"mosctl: %s: permission denied: CAP_NET_ADMIN is needed in this network namespace\n",
			what);
		break;
	default:
		fprintf(stderr, "mosctl: %s: %s%s%s\n", what, strerror(-err),
			msg ? ": " : "", msg ? msg : "");
	}
	return 1;
}

/* A usage error: one line, exit status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mosctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try: mosctl help)\n");
	return 2;
}

static int open_ctl(struct mos_ctl **ctl, const char *what)
{
	int ret = mos_ctl_open(ctl);

	return ret ? fail(NULL, what, ret) : 0;
}

/* ---- stats ---------------------------------------------------------- */

static void print_counters_json(const struct mos_counters *c)
{
	const struct {
		const char *name;
		uint64_t v;
	} f[] = {
		{ "tcp_packets", c->tcp_packets },
		{ "tcp_bytes", c->tcp_bytes },
		{ "tcp6_packets", c->tcp6_packets },
		{ "bad_headers", c->bad_headers },
		{ "flows", c->flows },
		{ "flows_created", c->flows_created },
		{ "evictions", c->evictions },
		{ "ring_lost_events", c->ring_lost_events },
		{ "ring_lost_bytes", c->ring_lost_bytes },
		{ "dropped", c->dropped },
		{ "oversize", c->oversize },
		{ "direct_bytes", c->direct_bytes },
		{ "held_bytes", c->held_bytes },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(f); i++)
		printf("%s\"%s\":%" PRIu64, i ? "," : "", f[i].name, f[i].v);
}

static void print_stats_json(const struct mos_ctl_stats *st)
{
	unsigned int i;

	printf("{\"total\":{");
	print_counters_json(&st->total);
	printf("},\"cpus\":[");
	for (i = 0; i < st->n_cpus; i++) {
		printf("%s{\"cpu\":%u,", i ? "," : "", st->cpus[i].cpu);
		print_counters_json(&st->cpus[i].counters);
		printf("}");
	}
	printf("]}\n");
}

static void print_counters_row(const char *label,
			       const struct mos_counters *c)
{
	printf("%-6s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 " %11" PRIu64
	       " %8" PRIu64 " %13" PRIu64 " %9" PRIu64 " %11" PRIu64
	       " %10" PRIu64 " %10" PRIu64 " %8" PRIu64 " %14" PRIu64
	       " %14" PRIu64 "\n",
	       label, c->tcp_packets, c->tcp_bytes, c->tcp6_packets,
	       c->bad_headers, c->flows, c->flows_created, c->evictions,
	       c->ring_lost_events, c->ring_lost_bytes, c->dropped,
	       c->oversize, c->direct_bytes, c->held_bytes);
}

static void print_stats_table(const struct mos_ctl_stats *st)
{
	char label[16];
	unsigned int i;

	printf("%-6s %12s %14s %12s %11s %8s %13s %9s %11s %10s %10s %8s %14s %14s\n",
	       "cpu", "tcp_packets", "tcp_bytes", "tcp6_packets",
	       "bad_headers", "flows", "flows_created", "evictions",
	       "lost_events", "lost_bytes", "dropped", "oversize",
	       "direct_bytes", "held_bytes");
	for (i = 0; i < st->n_cpus; i++) {
		snprintf(label, sizeof(label), "%u", st->cpus[i].cpu);
		print_counters_row(label, &st->cpus[i].counters);
	}
	print_counters_row("total", &st->total);
}

static int cmd_stats(int argc, char **argv)
{
	struct mos_ctl_stats st;
	struct mos_ctl *ctl;
	int ret;

	if (argc > 1)
		return usage_error("%s: unexpected argument '%s'", "stats",
				   argv[1]);
	if (open_ctl(&ctl, "stats"))
		return 1;
	ret = mos_ctl_get_stats(ctl, &st);
	if (ret) {
		fail(ctl, "stats", ret);
		mos_ctl_close(ctl);
		return 1;
	}
	if (json)
		print_stats_json(&st);
	else
		print_stats_table(&st);
	mos_ctl_stats_release(&st);
	mos_ctl_close(ctl);
	return 0;
}

/* ---- connections ---------------------------------------------------- */

static const char *end_name(int reason)
{
	return reason >= 0 && reason < (int)ARRAY_SIZE(end_names) ?
	       end_names[reason] : "unknown";
}

static void addr_str(const struct mos_ctl_flow *f, int side, char *buf,
		     size_t len)
{
	if (!inet_ntop(f->family, f->addr[side], buf, len))
		snprintf(buf, len, "?");
}

/* "addr:port", IPv6 in brackets. */
static void endpoint_str(const struct mos_ctl_flow *f, int side, char *buf,
			 size_t len)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(f, side, a, sizeof(a));
	snprintf(buf, len, f->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
		 f->port[side]);
}

static const struct {
	uint32_t bit;
	const char *name;
} flag_names[] = {
	{ MOS_CTL_FLOW_GUESSED, "guessed" },
	{ MOS_CTL_FLOW_DROP, "drop" },
	{ MOS_CTL_FLOW_RESET, "reset" },
	{ MOS_CTL_FLOW_ENDED, "ended" },
};

static void print_flow_json(const struct mos_ctl_flow *f)
{
	char a[2][INET6_ADDRSTRLEN];
	bool first = true;
	size_t i;

	addr_str(f, 0, a[0], sizeof(a[0]));
	addr_str(f, 1, a[1], sizeof(a[1]));
	printf("{\"id\":%" PRIu64 ",", f->id);
	printf("\"proto\":\"tcp\",\"ip_version\":%d,\"cpu\":%u,",
	       f->family == AF_INET ? 4 : 6, f->cpu);
	printf("\"client_addr\":\"%s\",\"client_port\":%u,", a[0],
	       f->port[0]);
	printf("\"client_state\":\"%s\",", mos_state_name(f->state[0]));
	printf("\"server_addr\":\"%s\",\"server_port\":%u,", a[1],
	       f->port[1]);
	printf("\"server_state\":\"%s\",", mos_state_name(f->state[1]));
	printf("\"c2s_bytes\":%" PRIu64 ",", f->bytes[0]);
	printf("\"s2c_bytes\":%" PRIu64 ",", f->bytes[1]);
	printf("\"idle_ms\":%" PRIu64 ",\"flags\":[", f->idle_ms);
	for (i = 0; i < ARRAY_SIZE(flag_names); i++) {
		if (!(f->flags & flag_names[i].bit))
			continue;
		printf("%s\"%s\"", first ? "" : ",", flag_names[i].name);
		first = false;
	}
	printf("]");
	if (f->flags & MOS_CTL_FLOW_ENDED)
		printf(",\"end_reason\":\"%s\"", end_name(f->end_reason));
	printf("}");
}

static void flags_str(uint32_t flags, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(flag_names); i++)
		if (flags & flag_names[i].bit)
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", flag_names[i].name);
	if (!off)
		snprintf(buf, len, "-");
}

static const char flow_header_fmt[] =
	"%-10s %-5s %-4s %-23s %-12s %-23s %-12s %12s %12s %s\n";

static void print_flow_header(void)
{
	printf(flow_header_fmt, "id", "proto", "cpu", "client", "state",
	       "server", "state", "c2s_bytes", "s2c_bytes", "flags");
}

static void print_flow_row(const struct mos_ctl_flow *f)
{
	char cli[64], svr[64], flags[64];

	endpoint_str(f, 0, cli, sizeof(cli));
	endpoint_str(f, 1, svr, sizeof(svr));
	flags_str(f->flags, flags, sizeof(flags));
	printf("%-10" PRIu64 " %-5s %-4u %-23s %-12s %-23s %-12s %12" PRIu64
	       " %12" PRIu64 " %s\n", f->id,
	       f->family == AF_INET ? "tcp4" : "tcp6", f->cpu, cli,
	       mos_state_name(f->state[0]), svr, mos_state_name(f->state[1]),
	       f->bytes[0], f->bytes[1], flags);
}

/**
 * struct flow_list - connections collected from a dump
 * @v: the connections
 * @n: how many
 * @cap: room in @v
 * @oom: an allocation failed
 */
struct flow_list {
	struct mos_ctl_flow *v;
	size_t n;
	size_t cap;
	bool oom;
};

static void collect_flow(const struct mos_ctl_flow *f, void *arg)
{
	struct flow_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct mos_ctl_flow *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			l->oom = true;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *f;
}

static int cmp_flow(const void *a, const void *b)
{
	const struct mos_ctl_flow *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int flow_list(struct mos_ctl *ctl)
{
	struct flow_list l = { 0 };
	int ret, tries = 0;
	size_t i;

	/* Collected first, so an inconsistent dump can be done again. */
	do {
		l.n = 0;
		ret = mos_ctl_flow_dump(ctl, collect_flow, &l);
	} while (ret == 1 && ++tries < DUMP_TRIES);
	if (ret < 0 || l.oom) {
		free(l.v);
		return fail(ctl, "flow list", ret < 0 ? ret : -ENOMEM);
	}
	if (ret == 1)
		fprintf(stderr,
			"mosctl: flow list: connections kept changing; one may be missing or listed twice\n");
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_flow);
	if (json) {
		printf("[");
		for (i = 0; i < l.n; i++) {
			printf("%s", i ? "," : "");
			print_flow_json(&l.v[i]);
		}
		printf("]\n");
	} else {
		print_flow_header();
		for (i = 0; i < l.n; i++)
			print_flow_row(&l.v[i]);
	}
	free(l.v);
	return 0;
}

static void print_flow_long(const struct mos_ctl_flow *f)
{
	char cli[64], svr[64], flags[64];

	endpoint_str(f, 0, cli, sizeof(cli));
	endpoint_str(f, 1, svr, sizeof(svr));
	flags_str(f->flags, flags, sizeof(flags));
	printf("id:            %" PRIu64 "\n", f->id);
	printf("proto:         %s\n", f->family == AF_INET ? "tcp4" : "tcp6");
	printf("cpu:           %u\n", f->cpu);
	printf("client:        %s %s\n", cli, mos_state_name(f->state[0]));
	printf("server:        %s %s\n", svr, mos_state_name(f->state[1]));
	printf("c2s_bytes:     %" PRIu64 "\n", f->bytes[0]);
	printf("s2c_bytes:     %" PRIu64 "\n", f->bytes[1]);
	printf("idle_ms:       %" PRIu64 "\n", f->idle_ms);
	printf("flags:         %s\n", flags);
	if (f->flags & MOS_CTL_FLOW_ENDED)
		printf("end_reason:    %s\n", end_name(f->end_reason));
}

static int parse_id(const char *s, uint64_t *id)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*id = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* Errors about one connection: -ENOENT means it, not the module. */
static int flow_fail(struct mos_ctl *ctl, const char *what, uint64_t id,
		     int err)
{
	if (err == -ENOENT) {
		fprintf(stderr, "mosctl: %s: no connection with id %" PRIu64
			"\n", what, id);
		return 1;
	}
	return fail(ctl, what, err);
}

static int cmd_flow(int argc, char **argv)
{
	static const struct {
		const char *name;
		int action;
	} actions[] = {
		{ "drop", MOS_CTL_ACTION_DROP },
		{ "reset", MOS_CTL_ACTION_RESET },
		{ "untrack", MOS_CTL_ACTION_UNTRACK },
	};
	const char *sub = argc > 1 ? argv[1] : NULL;
	struct mos_ctl_flow f;
	struct mos_ctl *ctl;
	char what[32];
	int action = 0;
	uint64_t id;
	size_t i;
	int ret;

	if (!sub)
		return usage_error("flow: missing subcommand (list, show, drop, reset, untrack)");
	snprintf(what, sizeof(what), "flow %s", sub);
	if (!strcmp(sub, "list")) {
		if (argc > 2)
			return usage_error("%s: unexpected argument '%s'",
					   what, argv[2]);
		if (open_ctl(&ctl, what))
			return 1;
		ret = flow_list(ctl);
		mos_ctl_close(ctl);
		return ret;
	}
	for (i = 0; i < ARRAY_SIZE(actions); i++)
		if (!strcmp(sub, actions[i].name))
			action = actions[i].action;
	if (!action && strcmp(sub, "show"))
		return usage_error("flow: unknown subcommand '%s'", sub);
	if (argc < 3)
		return usage_error("%s: missing connection id", what);
	if (argc > 3)
		return usage_error("%s: unexpected argument '%s'", what,
				   argv[3]);
	if (parse_id(argv[2], &id))
		return usage_error("%s: bad connection id '%s'", what,
				   argv[2]);
	if (open_ctl(&ctl, what))
		return 1;
	if (action) {
		ret = mos_ctl_flow_action(ctl, id, action);
	} else {
		ret = mos_ctl_flow_get(ctl, id, &f);
		if (!ret && json) {
			print_flow_json(&f);
			printf("\n");
		} else if (!ret) {
			print_flow_long(&f);
		}
	}
	if (ret)
		flow_fail(ctl, what, id, ret);
	mos_ctl_close(ctl);
	return ret ? 1 : 0;
}

/* ---- monitor -------------------------------------------------------- */

static void print_event(const struct mos_ctl_flow_event *ev)
{
	const struct mos_ctl_flow *f = &ev->flow;
	bool end = ev->type == MOS_CTL_FLOW_END;
	char cli[64], svr[64];

	if (json) {
		printf("{\"event\":\"%s\",\"flow\":", end ? "end" : "new");
		print_flow_json(f);
		printf("}\n");
	} else {
		endpoint_str(f, 0, cli, sizeof(cli));
		endpoint_str(f, 1, svr, sizeof(svr));
		printf("%-3s %-10" PRIu64 " %s %s -> %s cpu %u", end ?
		       "end" : "new", f->id,
		       f->family == AF_INET ? "tcp4" : "tcp6", cli, svr,
		       f->cpu);
		if (end)
			printf(" reason %s c2s_bytes %" PRIu64
			       " s2c_bytes %" PRIu64, end_name(f->end_reason),
			       f->bytes[0], f->bytes[1]);
		printf("\n");
	}
	fflush(stdout);
}

/* Prints what has arrived; 0, or 1 after a failure was reported. */
static int monitor_drain(struct mos_ctl *ctl)
{
	struct mos_ctl_flow_event ev;
	int ret;

	for (;;) {
		ret = mos_ctl_recv_flow_event(ctl, &ev);
		if (!ret)
			print_event(&ev);
		else if (ret == -ENOBUFS)
			fprintf(stderr,
				"mosctl: monitor: notifications were lost (too many at once)\n");
		else if (ret == -EAGAIN || ret == -EINTR)
			return 0;
		else
			return fail(ctl, "monitor", ret);
	}
}

/*
 * SIGINT and SIGTERM are read from a signalfd, polled with the socket:
 * neither a signal between two receives nor one during a receive is
 * missed, and the socket is non-blocking so a drain never waits.
 */
static int cmd_monitor(int argc, char **argv)
{
	struct pollfd pfd[2];
	struct mos_ctl *ctl;
	sigset_t sigs;
	int ret, fl;

	if (argc > 1)
		return usage_error("monitor: unexpected argument '%s'",
				   argv[1]);
	if (open_ctl(&ctl, "monitor"))
		return 1;
	ret = mos_ctl_subscribe_flows(ctl);
	if (ret) {
		fail(ctl, "monitor", ret);
		goto out;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pfd[0].fd = mos_ctl_fd(ctl);
	pfd[0].events = POLLIN;
	pfd[1].fd = -1;
	fl = fcntl(pfd[0].fd, F_GETFL);
	if (fl < 0 || fcntl(pfd[0].fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    sigprocmask(SIG_BLOCK, &sigs, NULL) < 0) {
		ret = fail(ctl, "monitor", -errno);
		goto out;
	}
	pfd[1].fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	pfd[1].events = POLLIN;
	if (pfd[1].fd < 0) {
		ret = fail(ctl, "monitor", -errno);
		goto out;
	}
	for (;;) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			ret = fail(ctl, "monitor", -errno);
			break;
		}
		if (pfd[0].revents) {
			ret = monitor_drain(ctl);
			if (ret)
				break;
		}
		if (pfd[1].revents) {
			ret = 0;
			break;
		}
	}
out:
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	mos_ctl_close(ctl);
	return ret ? 1 : 0;
}

/* ---- config --------------------------------------------------------- */

static const char *policy_name(uint32_t p)
{
	return p < ARRAY_SIZE(policy_names) ?
	       policy_names[p] : "unknown";
}

static void print_config(const struct mos_ctl_config *c)
{
	int i;

	if (json) {
		printf("{\"max_flows\":%u,", c->max_flows);
		printf("\"flow_buffer\":%u,", c->flow_buffer);
		printf("\"buffer_total\":%" PRIu64 ",", c->buffer_total);
		printf("\"timeout\":{");
		for (i = 0; i < MOS_CTL_TIMEOUTS; i++)
			printf("%s\"%s\":%u", i ? "," : "",
			       mos_ctl_timeout_name(i), c->timeout[i]);
		printf("},\"overlap_policy\":\"%s\",",
		       policy_name(c->overlap_policy));
		printf("\"midstream\":%d,\"one_sided\":%d,",
		       c->midstream, c->one_sided);
		printf("\"deliver_on_arrival\":%d,", c->deliver_on_arrival);
		printf("\"ring_bytes\":%u,\"tracking\":%d,", c->ring_bytes,
		       c->tracking);
		printf("\"wakeup_us\":%u}\n", c->wakeup_us);
		return;
	}
	printf("%-22s %u\n", "max_flows", c->max_flows);
	printf("%-22s %u\n", "flow_buffer", c->flow_buffer);
	printf("%-22s %" PRIu64 "\n", "buffer_total", c->buffer_total);
	for (i = 0; i < MOS_CTL_TIMEOUTS; i++)
		printf("timeout.%-14s %u\n", mos_ctl_timeout_name(i),
		       c->timeout[i]);
	printf("%-22s %s\n", "overlap_policy", policy_name(c->overlap_policy));
	printf("%-22s %d\n", "midstream", c->midstream);
	printf("%-22s %d\n", "one_sided", c->one_sided);
	printf("%-22s %d\n", "deliver_on_arrival", c->deliver_on_arrival);
	printf("%-22s %u\n", "ring_bytes", c->ring_bytes);
	printf("%-22s %d\n", "tracking", c->tracking);
	printf("%-22s %u\n", "wakeup_us", c->wakeup_us);
}

/* A number with an optional k, m or g (powers of 1024). */
static int parse_size(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t mult = 1;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	}
	if (*end || *v > max / mult)
		return -1;
	*v *= mult;
	return 0;
}

static bool key_is(const char *arg, size_t klen, const char *key)
{
	return klen == strlen(key) && !strncmp(arg, key, klen);
}

/* The settings that are 0 or 1. */
static const struct {
	const char *key;
	size_t field;		/* an int in struct mos_ctl_config */
	uint32_t set;		/* its MOS_CTL_CFG_* bit */
} flag_settings[] = {
	{ "midstream", offsetof(struct mos_ctl_config, midstream),
	  MOS_CTL_CFG_MIDSTREAM },
	{ "deliver_on_arrival",
	  offsetof(struct mos_ctl_config, deliver_on_arrival),
	  MOS_CTL_CFG_DELIVER_ON_ARRIVAL },
	{ "tracking", offsetof(struct mos_ctl_config, tracking),
	  MOS_CTL_CFG_TRACKING },
	{ "one_sided", offsetof(struct mos_ctl_config, one_sided),
	  MOS_CTL_CFG_ONE_SIDED },
};

/* One KEY=VALUE into @cfg; 0, or -1 after printing what is wrong. */
static int parse_setting(const char *arg, struct mos_ctl_config *c)
{
	const char *eq = strchr(arg, '=');
	const char *val = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - arg) : strlen(arg), f;
	uint64_t v;
	int i;

	if (!eq || !*val) {
		usage_error("config set: '%s' is not KEY=VALUE", arg);
		return -1;
	}
	if (key_is(arg, klen, "overlap_policy")) {
		i = mos_overlap_policy_parse(val);
		if (i < 0)
			goto bad_value;
		c->overlap_policy = i;
		c->set |= MOS_CTL_CFG_OVERLAP_POLICY;
		return 0;
	}
	for (f = 0; f < ARRAY_SIZE(flag_settings); f++) {
		if (!key_is(arg, klen, flag_settings[f].key))
			continue;
		if (strcmp(val, "0") && strcmp(val, "1"))
			goto bad_value;
		*(int *)((char *)c + flag_settings[f].field) = *val == '1';
		c->set |= flag_settings[f].set;
		return 0;
	}
	if (parse_size(val, key_is(arg, klen, "buffer_total") ? UINT64_MAX : UINT32_MAX,
		       &v))
		goto bad_value;
	if (key_is(arg, klen, "max_flows")) {
		c->max_flows = v;
		c->set |= MOS_CTL_CFG_MAX_FLOWS;
	} else if (key_is(arg, klen, "flow_buffer")) {
		c->flow_buffer = v;
		c->set |= MOS_CTL_CFG_FLOW_BUFFER;
	} else if (key_is(arg, klen, "buffer_total")) {
		c->buffer_total = v;
		c->set |= MOS_CTL_CFG_BUFFER_TOTAL;
	} else if (key_is(arg, klen, "ring_bytes")) {
		c->ring_bytes = v;
		c->set |= MOS_CTL_CFG_RING_BYTES;
	} else if (key_is(arg, klen, "wakeup_us")) {
		c->wakeup_us = v;
		c->set |= MOS_CTL_CFG_WAKEUP_US;
	} else {
		for (i = 0; i < MOS_CTL_TIMEOUTS; i++) {
			const char *name = mos_ctl_timeout_name(i);

			if (klen == 8 + strlen(name) &&
			    !strncmp(arg, "timeout.", 8) &&
			    !strncmp(arg + 8, name, strlen(name)))
				break;
		}
		if (i == MOS_CTL_TIMEOUTS) {
			fprintf(stderr,
				"mosctl: config set: unknown setting '%.*s' (see mosctl(8))\n",
				(int)klen, arg);
			return -1;
		}
		c->timeout[i] = v;
		c->timeout_set |= 1u << i;
	}
	return 0;

bad_value:
	fprintf(stderr, "mosctl: config set: bad value in '%s'\n", arg);
	return -1;
}

static int cmd_config(int argc, char **argv)
{
	struct mos_ctl_config cfg = { 0 };
	struct mos_ctl *ctl;
	int i, ret;

	if (argc > 1 && strcmp(argv[1], "set"))
		return usage_error("config: unknown subcommand '%s'", argv[1]);
	if (argc == 2)
		return usage_error("config set: missing KEY=VALUE");
	for (i = 2; i < argc; i++)
		if (parse_setting(argv[i], &cfg))
			return 2;
	if (open_ctl(&ctl, "config"))
		return 1;
	if (argc > 1) {
		ret = mos_ctl_config_set(ctl, &cfg);
		if (ret)
			fail(ctl, "config set", ret);
	} else {
		ret = mos_ctl_config_get(ctl, &cfg);
		if (ret)
			fail(ctl, "config", ret);
		else
			print_config(&cfg);
	}
	mos_ctl_close(ctl);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+jVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'V':
			printf("mosctl %s\n", MOS_VERSION);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "mosctl: no command given (try: mosctl help)\n");
		return 2;
	}
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "stats"))
		return cmd_stats(argc, argv);
	if (!strcmp(cmd, "flow"))
		return cmd_flow(argc, argv);
	if (!strcmp(cmd, "monitor"))
		return cmd_monitor(argc, argv);
	if (!strcmp(cmd, "config"))
		return cmd_config(argc, argv);
	if (!strcmp(cmd, "help")) {
		if (argc > 1)
			return usage_error("%s: unexpected argument '%s'",
					   "help", argv[1]);
		fputs(usage, stdout);
		return 0;
	}
	fprintf(stderr, "mosctl: unknown command '%s' (try: mosctl help)\n",
		cmd);
	return 2;
}
