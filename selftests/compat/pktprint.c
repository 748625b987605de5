// SPDX-License-Identifier: GPL-2.0
/*
 * pktprint - a packet and stream printer written against mOS's API only:
 * rebuilds both streams of every connection with mtcp_peek(), counts its
 * packets and payload with mtcp_getlastpkt(), flags HTTP requests with a
 * user-defined event (filter on mtcp_ppeek()), arms a one-second timer per
 * connection, and prints one line per connection at its end with the
 * buffer information of mtcp_getsockopt(MOS_INFO_*, MOS_FRAGINFO_*).
 *
 *   pktprint [-f mos.conf]
 *
 * Builds unchanged against mOS (mos_api.h) or mos's libmos-compat.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <mos_api.h>

struct bytes {
	unsigned char *data;
	size_t len;
	size_t cap;
};

struct flow {
	struct sockaddr_in addrs[2];
	struct bytes rx[2];	/* [side]: bytes that side received */
	unsigned long pkts;
	unsigned long payload[2];	/* [side]: payload that side sent */
	unsigned long bad_pkts;
	long missed;
	int http;
	int timers;
};

static event_t g_ev_http;
static struct filter_arg g_http_arg = { .arg = "GET ", .len = 4 };

static const char *addr_str(const struct sockaddr_in *a, char *buf,
			    size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, ntohs(a->sin_port));
	return buf;
}

/* FNV-1a, 64 bits: the test computes the same over the capture's bytes. */
static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

static int append(struct bytes *b, const char *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		unsigned char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

static bool is_http(mctx_t mctx, int sock, int side, event_t ev,
		    filter_arg_t *arg)
{
	char buf[8];

	if (side != MOS_SIDE_SVR || !arg || arg->len > sizeof(buf))
		return false;
	return mtcp_ppeek(mctx, sock, MOS_SIDE_SVR, buf, arg->len, 0) ==
	       (ssize_t)arg->len && !memcmp(buf, arg->arg, arg->len);
}

static void cb_timer(mctx_t mctx, int sock, int side, event_t ev,
		     filter_arg_t *arg)
{
	struct flow *f = mtcp_get_uctx(mctx, sock);

	if (f)
		f->timers++;
}

static void cb_start(mctx_t mctx, int sock, int side, event_t ev,
		     filter_arg_t *arg)
{
	struct timeval tv = { .tv_sec = 1, .tv_usec = 0 };
	socklen_t len = sizeof(struct sockaddr) * 2;
	struct flow *f = calloc(1, sizeof(*f));
	char buf[16];
	ssize_t n;

	if (!f)
		return;
	if (mtcp_getpeername(mctx, sock, (struct sockaddr *)f->addrs, &len,
			     MOS_SIDE_BOTH) < 0)
		printf("getpeername-failed errno=%d\n", errno);
	mtcp_set_uctx(mctx, sock, f);
	/* Nothing to read yet: an error, not the end of the program. */
	n = mtcp_peek(mctx, sock, MOS_SIDE_SVR, buf, sizeof(buf));
	printf("peek-empty rc=%zd errno=%d\n", n, n < 0 ? errno : 0);
	if (mtcp_settimer(mctx, sock, &tv, cb_timer))
		printf("settimer-failed errno=%d\n", errno);
}

static void cb_data(mctx_t mctx, int sock, int side, event_t ev,
		    filter_arg_t *arg)
{
	struct flow *f = mtcp_get_uctx(mctx, sock);
	char buf[1500];
	ssize_t n;

	if (!f)
		return;
	for (;;) {
		n = mtcp_peek(mctx, sock, side, buf, sizeof(buf));
		if (n > 0) {
			append(&f->rx[side], buf, n);
			continue;
		}
		if (n < 0 && errno == ENODATA) {
			f->missed += -n;	/* bytes that left the buffer */
			continue;
		}
		break;
	}
}

static void cb_http(mctx_t mctx, int sock, int side, event_t ev,
		    filter_arg_t *arg)
{
	struct flow *f = mtcp_get_uctx(mctx, sock);

	if (f && ev == g_ev_http && arg && arg->len == 4)
		f->http++;
}

static void cb_pkt(mctx_t mctx, int sock, int side, event_t ev,
		   filter_arg_t *arg)
{
	struct flow *f = mtcp_get_uctx(mctx, sock);
	struct pkt_info p;
	int from;

	if (!f || mtcp_getlastpkt(mctx, sock, side, &p) < 0)
		return;
	f->pkts++;
	if (!p.iph || p.iph->version != 4 || !p.tcph ||
	    ntohl(p.tcph->seq) != p.seq) {
		f->bad_pkts++;
		return;
	}
	from = p.iph->saddr == f->addrs[MOS_SIDE_CLI].sin_addr.s_addr &&
	       p.tcph->source == f->addrs[MOS_SIDE_CLI].sin_port ?
	       MOS_SIDE_CLI : MOS_SIDE_SVR;
	f->payload[from] += p.payloadlen;
}

static long delivered(mctx_t mctx, int sock, int opt)
{
	struct tcp_buf_info bi;
	socklen_t len = sizeof(bi);

	if (mtcp_getsockopt(mctx, sock, SOL_MONSOCKET, opt, &bi, &len) < 0)
		return -1;
	return (long)(uint32_t)(bi.tcpbi_next_byte_expected -
				bi.tcpbi_init_seq);
}

static void cb_end(mctx_t mctx, int sock, int side, event_t ev,
		   filter_arg_t *arg)
{
	struct flow *f = mtcp_get_uctx(mctx, sock);
	struct tcp_ring_fragment frags[4];
	socklen_t flen = sizeof(frags);
	char a[32], b[32];
	int i;

	if (!f)
		return;
	if (mtcp_getsockopt(mctx, sock, SOL_MONSOCKET, MOS_FRAGINFO_SVRBUF,
			    frags, &flen) < 0)
		flen = (socklen_t)-1;
	printf("end cli=%s svr=%s c2s=%zu fnv=%016" PRIx64 " s2c=%zu fnv=%016"
	       PRIx64 " pkts=%lu bad=%lu pay_c2s=%lu pay_s2c=%lu info_c2s=%ld"
	       " info_s2c=%ld frag=%d missed=%ld http=%d timers=%d\n",
	       addr_str(&f->addrs[MOS_SIDE_CLI], a, sizeof(a)),
	       addr_str(&f->addrs[MOS_SIDE_SVR], b, sizeof(b)),
	       f->rx[MOS_SIDE_SVR].len,
	       fnv1a(f->rx[MOS_SIDE_SVR].data, f->rx[MOS_SIDE_SVR].len),
	       f->rx[MOS_SIDE_CLI].len,
	       fnv1a(f->rx[MOS_SIDE_CLI].data, f->rx[MOS_SIDE_CLI].len),
	       f->pkts, f->bad_pkts, f->payload[MOS_SIDE_CLI],
	       f->payload[MOS_SIDE_SVR],
	       delivered(mctx, sock, MOS_INFO_SVRBUF),
	       delivered(mctx, sock, MOS_INFO_CLIBUF),
	       flen == (socklen_t)-1 ? -1 :
	       (int)(flen / sizeof(struct tcp_ring_fragment)),
	       f->missed, f->http, f->timers);
	for (i = 0; i < 2; i++)
		free(f->rx[i].data);
	free(f);
	mtcp_set_uctx(mctx, sock, NULL);
}

int main(int argc, char **argv)
{
	const char *fname = "config/mos.conf";
	mctx_t mctx;
	int opt, sock;

	while ((opt = getopt(argc, argv, "f:")) != -1) {
		if (opt != 'f') {
			fprintf(stderr, "usage: %s [-f mos.conf]\n", argv[0]);
			return 2;
		}
		fname = optarg;
	}
	if (mtcp_init(fname)) {
		fprintf(stderr, "Failed to initialize mtcp with %s: %s\n",
			fname, strerror(errno));
		return 1;
	}
	g_ev_http = mtcp_define_event(MOS_ON_CONN_NEW_DATA, is_http,
				      &g_http_arg);
	if (!g_ev_http) {
		fprintf(stderr, "mtcp_define_event: %s\n", strerror(errno));
		return 1;
	}
	mctx = mtcp_create_context(0);
	if (!mctx) {
		fprintf(stderr, "Failed to create mtcp context: %s\n",
			strerror(errno));
		return 1;
	}
	sock = mtcp_socket(mctx, AF_INET, MOS_SOCK_MONITOR_STREAM, 0);
	if (sock < 0 ||
	    mtcp_register_callback(mctx, sock, MOS_ON_CONN_START, MOS_HK_SND,
				   cb_start) ||
	    mtcp_register_callback(mctx, sock, MOS_ON_CONN_NEW_DATA, MOS_NULL,
				   cb_data) ||
	    mtcp_register_callback(mctx, sock, g_ev_http, MOS_NULL, cb_http) ||
	    mtcp_register_callback(mctx, sock, MOS_ON_PKT_IN, MOS_HK_SND,
				   cb_pkt) ||
	    mtcp_register_callback(mctx, sock, MOS_ON_CONN_END, MOS_HK_RCV,
				   cb_end)) {
		fprintf(stderr, "Failed to set up the monitor: %s\n",
			strerror(errno));
		return 1;
	}
	mtcp_app_join(mctx);
	mtcp_destroy();
	return 0;
}
