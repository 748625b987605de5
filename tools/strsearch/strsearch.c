// SPDX-License-Identifier: GPL-2.0
/*
 * strsearch - search every TCP stream mos rebuilds, both directions, for
 * many patterns at once with Hyperscan in streaming mode, so that a match
 * may span segments; one JSON line per match. From a capture (-r) or live
 * from the kernel module until SIGINT or SIGTERM
 * (Documentation/samples.md).
 *
 * Each direction of a connection gets a Hyperscan stream, opened at its
 * first bytes, scanned at every CONN_NEW_DATA and closed at CONN_END. A
 * gap (ERROR, MOS_ERROR_GAP) resets it: no match spans missing bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mos/mos.h>
#include "tool_run.h"
#include "strsearch.h"

/**
 * struct dir_scan - the search of one direction
 * @st: its Hyperscan stream, NULL until its first bytes
 * @base: stream offset of the first byte @st scanned
 * @next: stream offset of the next byte expected
 */
struct dir_scan {
	hs_stream_t *st;
	uint64_t base;
	uint64_t next;
};

/**
 * struct conn - what strsearch keeps per connection
 * @d: [sender side] what the client sent, what the server sent
 * @addr: [side] "address:port" of the client and of the server
 */
struct conn {
	struct dir_scan d[2];
	char addr[2][64];
};

/**
 * struct match_ctx - where the matches of a scan are
 * @co: the connection
 * @dir: the sender side
 */
struct match_ctx {
	const struct conn *co;
	int dir;
};

static hs_database_t *db;
static hs_scratch_t *scratch;
static int hs_errors;
static int write_errors;
static uint64_t lost_bytes;

static const char usage[] =
	"usage: strsearch [-r FILE] [-F] [-i] [-f FILTER] -e PATTERN... | -p FILE...\n"
	"  -r FILE     read a capture (pcap/pcapng); without it, run live from\n"
	"              the mos module until SIGINT or SIGTERM\n"
	"  -e PATTERN  a pattern (repeatable)\n"
	"  -p FILE     patterns, one per line; empty lines skipped (repeatable)\n"
	"  -F          patterns are literal byte strings (default: regular\n"
	"              expressions, Hyperscan's PCRE syntax)\n"
	"  -i          case-insensitive\n"
	"  -f FILTER   only connections whose first SYN matches FILTER\n"
	"              (pcap-filter(7) syntax)\n"
	"Pattern ids are their positions, from 0, in the order given. One JSON\n"
	"line per match on stdout: client, server, dir (c2s/s2c), id, end (the\n"
	"stream offset just after the match).\n";

static int on_match(unsigned int id, unsigned long long from,
		    unsigned long long to, unsigned int flags, void *arg)
{
	const struct match_ctx *mc = arg;
	const struct dir_scan *d = &mc->co->d[mc->dir];

	printf("{\"client\":\"%s\",\"server\":\"%s\",",
	       mc->co->addr[MOS_SIDE_CLI], mc->co->addr[MOS_SIDE_SVR]);
	printf("\"dir\":\"%s\",\"id\":%u,\"end\":%" PRIu64 "}\n",
	       mc->dir == MOS_SIDE_CLI ? "c2s" : "s2c", id,
	       d->base + (uint64_t)to);
	return 0;	/* go on */
}

static void hs_failed(const char *what, hs_error_t err)
{
	if (!hs_errors++)
		fprintf(stderr, "strsearch: hyperscan: %s failed (error %d)\n",
			what, err);
}

static void flush_out(void)
{
	if (fflush(stdout))
		write_errors++;
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct conn *co = calloc(1, sizeof(*co));
	struct mos_flow_info fi;

	if (!co || mos_get_flow_info(mctx, sock, &fi)) {
		free(co);
		return;
	}
	mos_endpoint_str(&fi.addr[MOS_SIDE_CLI], co->addr[MOS_SIDE_CLI],
		  sizeof(co->addr[0]));
	mos_endpoint_str(&fi.addr[MOS_SIDE_SVR], co->addr[MOS_SIDE_SVR],
		  sizeof(co->addr[0]));
	mos_set_uctx(mctx, sock, co);
}

/* Forget what the stream saw: matches start afresh at @off. */
static void restart(struct dir_scan *d, uint64_t off)
{
	hs_error_t err;

	if (d->st) {
		/* No callback: the data did not end, it has a hole. */
		err = hs_reset_stream(d->st, 0, NULL, NULL, NULL);
		if (err != HS_SUCCESS)
			hs_failed("hs_reset_stream", err);
	}
	d->base = off;
	d->next = off;
}

static void scan(struct dir_scan *d, struct match_ctx *mc, const void *buf,
		 size_t len)
{
	hs_error_t err;

	err = hs_scan_stream(d->st, buf, len, 0, scratch, on_match, mc);
	if (err != HS_SUCCESS)
		hs_failed("hs_scan_stream", err);
	d->next += len;
}

/* The first offset still in the peek window of what @side receives. */
static uint64_t peek_start(struct mos_ctx *mctx, int sock, int side)
{
	struct mos_buf_info bi;
	socklen_t len = sizeof(bi);

	if (mos_getsockopt(mctx, sock, side, MOS_OPT_BUF_INFO, &bi, &len))
		return UINT64_MAX;
	return bi.peek_start;
}

/* @side received the bytes: the other side sent them. */
static void on_data(struct mos_ctx *mctx, int sock, int side,
		    mos_event_t ev, void *arg)
{
	static uint8_t buf[65536];
	struct conn *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;
	struct match_ctx mc;
	struct dir_scan *d;
	uint64_t off, end, start;
	ssize_t n;
	hs_error_t err;

	if (!co || mos_get_event_info(mctx, &ei) ||
	    (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR))
		return;
	mc.co = co;
	mc.dir = !side;
	d = &co->d[mc.dir];
	if (!d->st) {
		err = hs_open_stream(db, 0, &d->st);
		if (err != HS_SUCCESS) {
			hs_failed("hs_open_stream", err);
			d->st = NULL;
			return;
		}
		d->base = ei.off;
		d->next = ei.off;
	} else if (ei.off != d->next) {
		restart(d, ei.off);
	}
	off = ei.off;
	end = ei.off + ei.len;
	while (off < end) {
		n = mos_ppeek(mctx, sock, side, buf,
			      end - off < sizeof(buf) ? end - off : sizeof(buf),
			      off);
		if (n == -ERANGE) {
			/* Older than the peek window: lost, like a gap. */
			start = peek_start(mctx, sock, side);
			if (start <= off || start >= end)
				break;
			lost_bytes += start - off;
			restart(d, start);
			off = start;
			continue;
		}
		if (n <= 0)
			break;
		scan(d, &mc, buf, n);
		off += n;
	}
	flush_out();
}

static void on_error(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct conn *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!co || mos_get_event_info(mctx, &ei) || ei.code != MOS_ERROR_GAP ||
	    (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR))
		return;
	restart(&co->d[!side], ei.off + ei.len);
}

static void on_end(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct conn *co = mos_get_uctx(mctx, sock);
	struct match_ctx mc = { co, 0 };
	hs_error_t err;

	if (!co)
		return;
	/* Patterns anchored at the end ($) may match as a stream ends. */
	for (mc.dir = 0; mc.dir < 2; mc.dir++) {
		if (!co->d[mc.dir].st)
			continue;
		err = hs_close_stream(co->d[mc.dir].st, scratch, on_match, &mc);
		if (err != HS_SUCCESS)
			hs_failed("hs_close_stream", err);
	}
	flush_out();
	free(co);
	mos_set_uctx(mctx, sock, NULL);
}

static int setup(struct mos_ctx *mctx, const char *filter)
{
	int sock = mos_socket(mctx, MOS_SOCK_MONITOR_STREAM), ret;

	if (sock < 0) {
		fprintf(stderr, "strsearch: %s\n", mos_strerror(sock));
		return sock;
	}
	if (filter) {
		ret = mos_bind_monitor_filter(mctx, sock, MOS_FILTER_KIND_SYN,
					      filter);
		if (ret) {
			fprintf(stderr, "strsearch: bad filter '%s': %s\n",
				filter, ret == -EINVAL ?
				mos_filter_error(mctx) : mos_strerror(ret));
			return ret;
		}
	}
	if (mos_register_callback(mctx, sock, MOS_ON_CONN_START, MOS_HK_SND,
				  on_start, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_NEW_DATA,
				  MOS_HK_RCV, on_data, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_ERROR, MOS_HK_RCV,
				  on_error, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_END, MOS_HK_RCV,
				  on_end, NULL)) {
		fprintf(stderr, "strsearch: cannot register callbacks\n");
		return -EINVAL;
	}
	return 0;
}

/* Options into @o and @pats; 0, or the exit status of a usage error. */
static int parse_args(int argc, char **argv, struct mos_options *o,
		      struct patterns *pats, bool *literal, bool *caseless,
		      const char **filter)
{
	int c, ret;

	while ((c = getopt(argc, argv, "r:e:p:Fif:h")) != -1) {
		switch (c) {
		case 'r':
			o->read_file = optarg;
			break;
		case 'e':
			if (!*optarg) {
				fprintf(stderr, "strsearch: empty pattern\n");
				return 2;
			}
			if (patterns_add(pats, optarg, strlen(optarg))) {
				fprintf(stderr, "strsearch: out of memory\n");
				return 1;
			}
			break;
		case 'p':
			ret = patterns_load(pats, optarg);
			if (ret) {
				fprintf(stderr, "strsearch: %s: %s\n", optarg,
					strerror(-ret));
				return 1;
			}
			break;
		case 'F':
			*literal = true;
			break;
		case 'i':
			*caseless = true;
			break;
		case 'f':
			*filter = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || !pats->n) {
		if (optind == argc)
			fprintf(stderr, "strsearch: no pattern (-e or -p)\n");
		else
			fputs(usage, stderr);
		return 2;
	}
	return 0;
}

static int run(struct mos_options *o, const char *filter)
{
	struct mos_ctx *mctx;
	int ret;

	/* One delivery must fit: the reassembly buffer offline, a ring
	 * record (64 KiB) live.
	 */
	o->peek_window = o->read_file ? o->flow_buffer : 65536;
	ret = mos_ctx_new(&mctx, o);
	if (ret) {
		fprintf(stderr, "strsearch: %s\n", mos_strerror(ret));
		return 1;
	}
	if (setup(mctx, filter)) {
		mos_ctx_free(mctx);
		return 1;
	}
	ret = tool_run(mctx, NULL);
	mos_ctx_free(mctx);
	if (ret && ret != -EINTR) {
		fprintf(stderr, "strsearch: %s: %s\n",
			o->read_file ? o->read_file : "live",
			mos_strerror(ret));
		return 1;
	}
	if (write_errors) {
		fprintf(stderr, "strsearch: cannot write the output\n");
		return 1;
	}
	if (lost_bytes)
		fprintf(stderr, "strsearch: warning: %" PRIu64
			" bytes left the peek window unscanned\n", lost_bytes);
	return hs_errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct patterns pats = { 0 };
	const char *filter = NULL;
	bool literal = false, caseless = false;
	struct mos_options o;
	char err[512];
	int ret;

	mos_options_init(&o);
	ret = parse_args(argc, argv, &o, &pats, &literal, &caseless, &filter);
	if (ret) {
		patterns_free(&pats);
		return ret < 0 ? 0 : ret;
	}
	db = patterns_compile(&pats, literal, caseless, err, sizeof(err));
	patterns_free(&pats);
	if (!db) {
		fprintf(stderr, "strsearch: %s\n", err);
		return 1;
	}
	if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
		fprintf(stderr, "strsearch: hyperscan: cannot allocate scratch space\n");
		hs_free_database(db);
		return 1;
	}
	ret = run(&o, filter);
	hs_free_scratch(scratch);
	hs_free_database(db);
	return ret;
}
