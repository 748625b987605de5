// SPDX-License-Identifier: GPL-2.0
/*
 * httplog - one JSON line per HTTP/1.x transaction (request and response)
 * seen in the TCP streams mos rebuilds, from a capture (-r) or live from
 * the kernel module until SIGINT or SIGTERM (Documentation/samples.md).
 *
 * A user-defined event, HTTP_MSG, is defined over CONN_NEW_DATA: its
 * filter runs the HTTP parser (http.c) over the newly delivered bytes,
 * read with mos_ppeek(), and lets the event fire when a whole request, a
 * whole response header or a whole response is in the stream; the
 * event's callback prints the transactions whose response is complete.
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
#include "http.h"

/**
 * struct conn - what httplog keeps per connection
 * @http: the parser's state
 * @addr: [side] "address:port" of the client and of the server
 */
struct conn {
	struct http_conn http;
	char addr[2][64];
};

/**
 * struct reader - reads the bytes one side received
 * @mctx: the context
 * @sock: the connection's socket
 * @side: the receiving side
 */
struct reader {
	struct mos_ctx *mctx;
	int sock;
	int side;
};

static int write_errors;

static const char usage[] =
	"usage: httplog [-r FILE] [-f FILTER]\n"
	"  -r FILE    read a capture (pcap/pcapng); without it, run live from\n"
	"             the mos module until SIGINT or SIGTERM\n"
	"  -f FILTER  only connections whose first SYN matches FILTER\n"
	"             (pcap-filter(7) syntax, e.g. 'tcp port 80')\n"
	"One JSON line per transaction on stdout: client, server, method, host,\n"
	"path, status, req_bytes, resp_bytes (Documentation/samples.md).\n";

/* A JSON string; bytes outside printable ASCII as \u00XX (Latin-1). */
static void json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	putchar('"');
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void json_field(const char *name, const char *s)
{
	printf(",\"%s\":", name);
	if (*s)
		json_str(s);
	else
		fputs("null", stdout);
}

static void print_txn(const struct conn *co, const struct http_txn *t)
{
	fputs("{\"client\":", stdout);
	json_str(co->addr[MOS_SIDE_CLI]);
	fputs(",\"server\":", stdout);
	json_str(co->addr[MOS_SIDE_SVR]);
	json_field("method", t->method);
	json_field("host", t->host);
	json_field("path", t->path);
	if (t->has_resp)
		printf(",\"status\":%d", t->status);
	else
		fputs(",\"status\":null", stdout);
	printf(",\"req_bytes\":%" PRIu64 ",\"resp_bytes\":%" PRIu64 "}\n",
	       t->bytes[HTTP_REQ], t->bytes[HTTP_RESP]);
	if (fflush(stdout))
		write_errors++;
}

/* Print (and free) the oldest transactions, while complete, or all. */
static void print_done(struct conn *co, bool all)
{
	struct http_txn *t;

	while ((t = http_pop(&co->http, all))) {
		print_txn(co, t);
		free(t);
	}
}

static ssize_t peek_at(void *arg, void *buf, size_t len, uint64_t off)
{
	const struct reader *r = arg;

	return mos_ppeek(r->mctx, r->sock, r->side, buf, len, off);
}

static struct conn *conn_of(struct mos_ctx *mctx, int sock)
{
	struct conn *co = mos_get_uctx(mctx, sock);
	struct mos_flow_info fi;

	if (co)
		return co;
	co = calloc(1, sizeof(*co));
	if (!co || mos_get_flow_info(mctx, sock, &fi)) {
		free(co);
		return NULL;
	}
	mos_endpoint_str(&fi.addr[MOS_SIDE_CLI], co->addr[MOS_SIDE_CLI],
		  sizeof(co->addr[0]));
	mos_endpoint_str(&fi.addr[MOS_SIDE_SVR], co->addr[MOS_SIDE_SVR],
		  sizeof(co->addr[0]));
	mos_set_uctx(mctx, sock, co);
	return co;
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	conn_of(mctx, sock);
}

/*
 * The filter of HTTP_MSG, on CONN_NEW_DATA: @side received the bytes, so
 * the other side sent them (the client: requests).
 */
static bool http_msg_filter(struct mos_ctx *mctx, int sock, int side,
			    mos_event_t ev, void *arg)
{
	struct conn *co = conn_of(mctx, sock);
	struct reader r = { mctx, sock, side };
	struct mos_event_info ei;

	if (!co || mos_get_event_info(mctx, &ei) ||
	    (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR))
		return false;
	return http_feed(&co->http, !side, ei.off + ei.len, peek_at, &r) > 0;
}

static void on_http_msg(struct mos_ctx *mctx, int sock, int side,
			mos_event_t ev, void *arg)
{
	struct conn *co = mos_get_uctx(mctx, sock);

	if (co)
		print_done(co, false);
}

static void on_error(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct conn *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!co || mos_get_event_info(mctx, &ei) || ei.code != MOS_ERROR_GAP ||
	    (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR))
		return;
	http_gap(&co->http, !side, ei.off, ei.len);
}

static void on_end(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct conn *co = mos_get_uctx(mctx, sock);
	int dir;

	if (!co)
		return;
	/* Bodies over a gap reported last are skipped now. */
	for (dir = 0; dir < 2; dir++) {
		struct reader r = { mctx, sock, !dir };

		http_feed(&co->http, dir, 0, peek_at, &r);
	}
	http_eof(&co->http);
	print_done(co, true);
	http_conn_free(&co->http);
	free(co);
	mos_set_uctx(mctx, sock, NULL);
}

static int setup(struct mos_ctx *mctx, const char *filter)
{
	int sock, ev;

	sock = mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	if (sock < 0)
		return sock;
	if (filter) {
		int ret = mos_bind_monitor_filter(mctx, sock,
						  MOS_FILTER_KIND_SYN, filter);

		if (ret) {
			fprintf(stderr, "httplog: bad filter '%s': %s\n",
				filter, ret == -EINVAL ?
				mos_filter_error(mctx) : mos_strerror(ret));
			return ret;
		}
	}
	ev = mos_define_event(mctx, MOS_ON_CONN_NEW_DATA, http_msg_filter,
			      NULL);
	if (ev < 0 ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_START, MOS_HK_SND,
				  on_start, NULL) ||
	    mos_register_callback(mctx, sock, ev, MOS_HK_RCV, on_http_msg,
				  NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_ERROR, MOS_HK_RCV,
				  on_error, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_END, MOS_HK_RCV,
				  on_end, NULL)) {
		fprintf(stderr, "httplog: cannot register callbacks\n");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *filter = NULL;
	struct mos_options o;
	struct mos_ctx *mctx;
	int c, ret;

	mos_options_init(&o);
	while ((c = getopt(argc, argv, "r:f:h")) != -1) {
		switch (c) {
		case 'r':
			o.read_file = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	/*
	 * A header section must stay readable until it is whole, beside the
	 * bytes of one delivery (up to the reassembly buffer offline, 64 KiB
	 * a ring record live).
	 */
	o.peek_window = (o.read_file ? o.flow_buffer : 65536) + HTTP_MAX_HDR;
	ret = mos_ctx_new(&mctx, &o);
	if (ret) {
		fprintf(stderr, "httplog: %s\n", mos_strerror(ret));
		return 1;
	}
	if (setup(mctx, filter)) {
		mos_ctx_free(mctx);
		return 1;
	}
	ret = tool_run(mctx, NULL);
	mos_ctx_free(mctx);
	if (ret && ret != -EINTR) {
		fprintf(stderr, "httplog: %s: %s\n",
			o.read_file ? o.read_file : "live", mos_strerror(ret));
		return 1;
	}
	if (write_errors) {
		fprintf(stderr, "httplog: cannot write the output\n");
		return 1;
	}
	return 0;
}
