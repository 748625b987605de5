// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The middlebox interface beyond callbacks, offline: monitoring filters,
 * the raw socket, mos_getlastpkt(), mos_getpeername(), socket options,
 * timers and the drop/reset actions. Packets are built in memory and fed
 * with mos_input_packet(), so every expectation follows from what was
 * sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <mos/mos.h>
#include "pktgen.h"
#include "tap.h"

#define NS	1000000ULL	/* one millisecond */

/* One connection being played: both endpoints and their next seq. */
struct conv {
	struct mos_ctx *mctx;
	int v6;
	struct pg_ep ep[2];
	u32 seq[2];
	u64 ts;
};

static void conv_init(struct conv *c, struct mos_ctx *mctx, int v6,
		      u8 last_octet, u16 cport, u16 sport)
{
	memset(c, 0, sizeof(*c));
	c->mctx = mctx;
	c->v6 = v6;
	if (v6) {
		c->ep[0].addr[0] = 0xfd;
		c->ep[1].addr[0] = 0xfd;
		c->ep[0].addr[15] = last_octet;
		c->ep[1].addr[15] = 200;
	} else {
		c->ep[0].addr[12] = 10;
		c->ep[0].addr[15] = last_octet;
		c->ep[1].addr[12] = 10;
		c->ep[1].addr[15] = 200;
	}
	c->ep[0].port = cport;
	c->ep[1].port = sport;
	c->seq[0] = 1000;
	c->seq[1] = 5000;
}

/* Send a segment from @side at time @ms with @data at @rel (from seq). */
static void send_at(struct conv *c, int side, u8 flags, u32 rel,
		    const char *data, u64 ms)
{
	struct pg_seg s = {
		.flags = flags, .seq = c->seq[side] + rel,
		.ack = (flags & MOS_TCP_ACK) ? c->seq[!side] : 0,
		.data = (const u8 *)data, .len = data ? strlen(data) : 0,
	};
	u32 len;
	u8 *pkt = pg_build(c->v6, &c->ep[side], &c->ep[!side], &s, &len);

	c->ts = ms * NS;
	mos_input_packet(c->mctx, DLT_RAW, c->ts, pkt, len, len);
	free(pkt);
}

/* In-order data (or SYN/FIN), advancing the sender's sequence. */
static void xmit(struct conv *c, int side, u8 flags, const char *data,
		 u64 ms)
{
	send_at(c, side, flags, 0, data, ms);
	c->seq[side] += (data ? strlen(data) : 0) +
			!!(flags & (MOS_TCP_SYN | MOS_TCP_FIN));
}

static void handshake(struct conv *c, u64 ms)
{
	xmit(c, 0, MOS_TCP_SYN, NULL, ms);
	xmit(c, 1, MOS_TCP_SYN | MOS_TCP_ACK, NULL, ms);
	xmit(c, 0, MOS_TCP_ACK, NULL, ms);
}

static struct mos_ctx *ctx_offline(void)
{
	struct mos_options o;
	struct mos_ctx *mctx;

	mos_options_init(&o);
	o.read_file = "(memory)";	/* offline; packets come from here */
	if (mos_ctx_new(&mctx, &o))
		return NULL;
	return mctx;
}

/* ---- what the callbacks saw ------------------------------------------ */

struct seen {
	int starts, ends, end_reason, data_events, raw, raw_orphans;
	int timer_fired, timer_sock;
	u64 timer_at;
	u64 data_bytes[2];
	int last_sock;
	struct mos_pkt_info pi;
	int pi_ret, pi_ret_cli;
	int state_cli, state_svr;
};

static struct seen seen;
static struct conv *cur_conv;

static void on_start(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		     void *arg)
{
	seen.starts++;
	seen.last_sock = sock;
}

static void on_end(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct mos_flow_info fi;

	seen.ends++;
	if (!mos_get_flow_info(mctx, sock, &fi))
		seen.end_reason = fi.end_reason;
}

static void on_data(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		    void *arg)
{
	struct mos_event_info ei;
	socklen_t len = sizeof(int);

	seen.data_events++;
	mos_get_event_info(mctx, &ei);
	seen.data_bytes[side] += ei.len;
	seen.pi_ret = mos_getlastpkt(mctx, sock, MOS_SIDE_BOTH, &seen.pi);
	seen.pi_ret_cli = mos_getlastpkt(mctx, sock, MOS_SIDE_CLI,
					 &(struct mos_pkt_info){ 0 });
	mos_getsockopt(mctx, sock, MOS_SIDE_CLI, MOS_OPT_TCP_STATE,
		       &seen.state_cli, &len);
	len = sizeof(int);
	mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_TCP_STATE,
		       &seen.state_svr, &len);
}

static void on_raw(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct mos_pkt_info pi;

	if (sock != 1 || mos_getlastpkt(mctx, sock, MOS_SIDE_BOTH, &pi))
		return;
	seen.raw++;
	if (side == MOS_SIDE_BOTH && pi.side == -1)
		seen.raw_orphans++;
}

static void reset_seen(void)
{
	memset(&seen, 0, sizeof(seen));
}

static struct mos_ctx *ctx_with_callbacks(void)
{
	struct mos_ctx *mctx = ctx_offline();

	if (!mctx || mos_socket(mctx, MOS_SOCK_MONITOR_STREAM) != 0)
		return NULL;
	mos_register_callback(mctx, 0, MOS_ON_CONN_START, MOS_HK_SND,
			      on_start, NULL);
	mos_register_callback(mctx, 0, MOS_ON_CONN_END, MOS_HK_RCV, on_end,
			      NULL);
	mos_register_callback(mctx, 0, MOS_ON_CONN_NEW_DATA, MOS_HK_RCV,
			      on_data, NULL);
	return mctx;
}

/* ---- tests ------------------------------------------------------------ */

static void test_last_packet_and_peer(void)
{
	struct mos_ctx *mctx = ctx_with_callbacks();
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct mos_pkt_info pi;
	socklen_t alen;
	struct conv c;
	int sock;

	reset_seen();
	conv_init(&c, mctx, 0, 1, 40000, 80);
	handshake(&c, 0);
	sock = seen.last_sock;
	TAP_CHECK(mos_getlastpkt(mctx, sock, MOS_SIDE_BOTH, &pi) == -ENOENT,
		  "getlastpkt outside a callback: -ENOENT");
	xmit(&c, 0, MOS_TCP_ACK | MOS_TCP_PSH, "hello", 1);
	TAP_CHECK(seen.data_events == 0, "bytes wait for the receiver's ACK");
	xmit(&c, 1, MOS_TCP_ACK, NULL, 2);
	TAP_CHECK(seen.data_events == 1 && seen.data_bytes[1] == 5,
		  "NEW_DATA for 5 client bytes (%d events)", seen.data_events);
	/* The event came with the server's ACK: that is the packet. */
	TAP_CHECK(seen.pi_ret == 0 && seen.pi.side == MOS_SIDE_SVR &&
		  seen.pi.tcp_flags == MOS_TCP_ACK && seen.pi.payload_len == 0 &&
		  seen.pi.ack == c.seq[0] && seen.pi.sport == 80 &&
		  seen.pi.dport == 40000 && seen.pi.ip_version == 4 &&
		  seen.pi.ts_ns == 2 * NS && seen.pi.wire_len == 40 &&
		  seen.pi.tcp_hdr_len == 20 && seen.pi.ip_len == 40,
		  "getlastpkt: the server's ACK that released the bytes");
	TAP_CHECK(seen.pi_ret_cli == -ENODATA,
		  "getlastpkt for the client side: -ENODATA (server sent it)");
	TAP_CHECK(seen.state_cli == seen.state_svr &&
		  !strcmp(mos_state_name(seen.state_cli), "established"),
		  "MOS_OPT_TCP_STATE: both ESTABLISHED (%s)",
		  mos_state_name(seen.state_cli));
	alen = sizeof(ss);
	TAP_CHECK(mos_getpeername(mctx, sock, MOS_SIDE_CLI,
				  (struct sockaddr *)&ss, &alen) == 0 &&
		  alen == sizeof(*sin) && sin->sin_family == AF_INET &&
		  ntohs(sin->sin_port) == 40000 &&
		  ntohl(sin->sin_addr.s_addr) == 0x0a000001,
		  "getpeername: the client, 10.0.0.1:40000");
	alen = 4;
	memset(&ss, 0xee, sizeof(ss));
	TAP_CHECK(mos_getpeername(mctx, sock, MOS_SIDE_SVR,
				  (struct sockaddr *)&ss, &alen) == 0 &&
		  alen == sizeof(*sin) && ((u8 *)&ss)[4] == 0xee,
		  "getpeername: truncated to the room given, full size back");
	{
		char text[MOS_ENDPOINT_STRLEN], small[6];

		alen = sizeof(ss);
		mos_getpeername(mctx, sock, MOS_SIDE_CLI,
				(struct sockaddr *)&ss, &alen);
		TAP_CHECK(!strcmp(mos_endpoint_str(&ss, text, sizeof(text)),
				  "10.0.0.1:40000") &&
			  !strcmp(mos_endpoint_str(&ss, small, sizeof(small)),
				  "10.0."),
			  "endpoint text: 10.0.0.1:40000, cut to fit (%s)", text);
	}
	TAP_CHECK(mos_getpeername(mctx, sock, 5, (struct sockaddr *)&ss,
				  &alen) == -EINVAL &&
		  mos_getpeername(mctx, 9999, 0, (struct sockaddr *)&ss,
				  &alen) == -EBADF,
		  "getpeername: bad side -EINVAL, bad socket -EBADF");
	mos_ctx_free(mctx);

	mctx = ctx_with_callbacks();
	reset_seen();
	conv_init(&c, mctx, 1, 7, 40001, 443);
	handshake(&c, 0);
	xmit(&c, 1, MOS_TCP_ACK | MOS_TCP_PSH, "abc", 1);
	xmit(&c, 0, MOS_TCP_ACK, NULL, 1);
	alen = sizeof(ss);
	TAP_CHECK(mos_getpeername(mctx, seen.last_sock, MOS_SIDE_SVR,
				  (struct sockaddr *)&ss, &alen) == 0 &&
		  alen == sizeof(*sin6) && sin6->sin6_family == AF_INET6 &&
		  ntohs(sin6->sin6_port) == 443 &&
		  sin6->sin6_addr.s6_addr[0] == 0xfd &&
		  sin6->sin6_addr.s6_addr[15] == 200,
		  "getpeername: IPv6 server [fd00::c8]:443");
	{
		char text[MOS_ENDPOINT_STRLEN];

		TAP_CHECK(!strcmp(mos_endpoint_str(&ss, text, sizeof(text)),
				  "[fd00::c8]:443"),
			  "endpoint text: [fd00::c8]:443 (%s)", text);
	}
	TAP_CHECK(seen.pi_ret == 0 && seen.pi.ip_version == 6 &&
		  seen.pi.side == MOS_SIDE_CLI && seen.pi.wire_len == 60,
		  "getlastpkt: IPv6 packet, from the client");
	mos_ctx_free(mctx);
}

static bool pass_all(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	return true;
}

static void test_filters_and_raw(void)
{
	struct mos_ctx *mctx = ctx_with_callbacks();
	struct conv a, b, orphan;
	int raw_expected = 0;

	reset_seen();
	TAP_CHECK(mos_define_event(mctx, MOS_NUM_BUILTIN, pass_all, NULL) ==
		  -EINVAL &&
		  mos_define_event(mctx, 31, pass_all, NULL) == -EINVAL &&
		  mos_define_event(mctx, MOS_ON_CONN_NEW_DATA, pass_all,
				   NULL) > 31,
		  "define_event: a base that is no event is -EINVAL");
	TAP_CHECK(mos_bind_monitor_filter(mctx, 1, MOS_FILTER_KIND_RAW,
					  "tcp") == -EBADF,
		  "raw filter before the raw socket exists: -EBADF");
	TAP_CHECK(mos_bind_monitor_filter(mctx, 0, MOS_FILTER_KIND_SYN,
					  "tcp port") == -EINVAL &&
		  mos_filter_error(mctx)[0] != '\0',
		  "bad pcap expression: -EINVAL, libpcap says why (%s)",
		  mos_filter_error(mctx));
	TAP_CHECK(mos_bind_monitor_filter(mctx, 0, MOS_FILTER_KIND_RAW,
					  "tcp") == -EINVAL,
		  "raw filter on the stream socket: -EINVAL");
	TAP_CHECK(mos_bind_monitor_filter(mctx, 0, MOS_FILTER_KIND_SYN,
					  "tcp dst port 80") == 0,
		  "SYN filter 'tcp dst port 80' bound");
	TAP_CHECK(mos_socket(mctx, MOS_SOCK_MONITOR_RAW) == 1 &&
		  mos_socket(mctx, MOS_SOCK_MONITOR_RAW) == -EBUSY,
		  "raw socket is socket 1, once");
	TAP_CHECK(mos_register_callback(mctx, 1, MOS_ON_CONN_START,
					MOS_HK_SND, on_raw, NULL) == -EINVAL,
		  "raw socket takes PKT_IN only");
	TAP_CHECK(mos_register_callback(mctx, 1, MOS_ON_PKT_IN, MOS_HK_RCV,
					on_raw, NULL) == 0 &&
		  mos_bind_monitor_filter(mctx, 1, MOS_FILTER_KIND_RAW,
					  "tcp[tcpflags] & (tcp-syn|tcp-rst) != 0") == 0,
		  "raw PKT_IN callback, raw filter: SYNs and RSTs only");
	conv_init(&a, mctx, 0, 1, 40000, 80);
	conv_init(&b, mctx, 0, 2, 40000, 81);
	handshake(&a, 0);	/* two SYNs (SYN, SYN/ACK) */
	handshake(&b, 0);	/* port 81: not admitted, not seen raw */
	raw_expected = 2;
	xmit(&a, 0, MOS_TCP_ACK | MOS_TCP_PSH, "0123456789", 1);
	xmit(&a, 1, MOS_TCP_ACK, NULL, 1);
	xmit(&b, 0, MOS_TCP_ACK | MOS_TCP_PSH, "0123456789", 1);
	xmit(&b, 1, MOS_TCP_ACK, NULL, 1);
	/* A RST of no connection: an orphan the raw socket sees. */
	conv_init(&orphan, mctx, 0, 3, 40003, 80);
	xmit(&orphan, 1, MOS_TCP_RST, NULL, 2);
	raw_expected++;
	TAP_CHECK(seen.starts == 1,
		  "SYN filter: one connection of two started (%d)",
		  seen.starts);
	TAP_CHECK(seen.data_bytes[1] == 10 && seen.data_events == 1,
		  "only the admitted connection's bytes (%llu)",
		  (unsigned long long)seen.data_bytes[1]);
	TAP_CHECK(seen.raw == raw_expected && seen.raw_orphans == 1,
		  "raw socket: %d SYN/RST packets of admitted connections and orphans (%d, %d orphan)",
		  raw_expected, seen.raw, seen.raw_orphans);
	mos_end_input(mctx);
	TAP_CHECK(seen.ends == 1, "CONN_END only for the admitted one");
	TAP_CHECK(mos_bind_monitor_filter(mctx, 0, MOS_FILTER_KIND_SYN,
					  NULL) == 0,
		  "filter removed with NULL");
	mos_ctx_free(mctx);
}

static void test_sockopts(void)
{
	struct mos_ctx *mctx = ctx_with_callbacks();
	struct mos_frag fr[4];
	struct mos_buf_info bi;
	uint32_t u;
	socklen_t len;
	struct conv c;
	char buf[16];
	int sock, v;

	reset_seen();
	conv_init(&c, mctx, 0, 1, 40000, 80);
	handshake(&c, 0);
	sock = seen.last_sock;
	/* Out of order: bytes 10..14 before 0..9. */
	send_at(&c, 0, MOS_TCP_ACK, 10, "KLMNO", 1);
	send_at(&c, 0, MOS_TCP_ACK, 20, "UV", 1);
	len = sizeof(fr);
	TAP_CHECK(mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_FRAG_INFO,
				 fr, &len) == 2 && len == 2 * sizeof(fr[0]) &&
		  fr[0].off == 10 && fr[0].len == 5 && fr[1].off == 20 &&
		  fr[1].len == 2,
		  "FRAG_INFO: the two held segments [10,15) [20,22)");
	len = sizeof(fr[0]) + 3;
	memset(fr, 0xaa, sizeof(fr));
	TAP_CHECK(mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_FRAG_INFO,
				 fr, &len) == 2 && len == sizeof(fr[0]) &&
		  ((u8 *)&fr[1])[0] == 0xaa,
		  "FRAG_INFO: room for one: one stored, nothing past it, count 2");
	len = sizeof(bi);
	TAP_CHECK(mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_BUF_INFO,
				 &bi, &len) == 0 && bi.isn == 1000 &&
		  bi.next_off == 0 && bi.held_bytes == 7 && bi.buf_size > 0,
		  "BUF_INFO: client ISN 1000, nothing delivered, 7 bytes held");
	len = 2;
	TAP_CHECK(mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_BUF_INFO,
				 &bi, &len) == -EINVAL,
		  "BUF_INFO with too little room: -EINVAL");
	u = 4;
	TAP_CHECK(mos_setsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_PEEK_WINDOW,
				 &u, sizeof(u)) == 0,
		  "PEEK_WINDOW set to 4");
	xmit(&c, 0, MOS_TCP_ACK, "ABCDEFGHIJ", 2);
	xmit(&c, 1, MOS_TCP_ACK, NULL, 2);
	c.seq[0] += 5;
	xmit(&c, 1, MOS_TCP_ACK, NULL, 2);
	TAP_CHECK(seen.data_bytes[1] == 15,
		  "15 in-order bytes delivered (%llu)",
		  (unsigned long long)seen.data_bytes[1]);
	TAP_CHECK(mos_ppeek(mctx, sock, MOS_SIDE_SVR, buf, sizeof(buf), 10) ==
		  -ERANGE &&
		  mos_ppeek(mctx, sock, MOS_SIDE_SVR, buf, sizeof(buf), 11) ==
		  4 && !memcmp(buf, "LMNO", 4),
		  "a 4-byte peek window keeps the last 4 bytes only");
	len = sizeof(bi);
	mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_BUF_INFO, &bi, &len);
	TAP_CHECK(bi.next_off == 15 && bi.peek_start == 11 &&
		  bi.held_bytes == 2,
		  "BUF_INFO after delivery: next 15, peek from 11, 2 held");
	v = MOS_OVERLAP_POLICY_LAST;
	TAP_CHECK(mos_setsockopt(mctx, sock, MOS_SIDE_SVR,
				 MOS_OPT_OVERLAP_POLICY, &v, sizeof(v)) == 0,
		  "OVERLAP_POLICY set");
	v = -1;
	len = sizeof(v);
	TAP_CHECK(mos_getsockopt(mctx, sock, MOS_SIDE_SVR,
				 MOS_OPT_OVERLAP_POLICY, &v, &len) == 0 &&
		  v == MOS_OVERLAP_POLICY_LAST,
		  "OVERLAP_POLICY reads back");
	u = 0;
	TAP_CHECK(mos_setsockopt(mctx, sock, MOS_SIDE_CLI, MOS_OPT_BUF_SIZE,
				 &u, sizeof(u)) == 0,
		  "BUF_SIZE 0 (metadata only) for the bytes the client gets");
	xmit(&c, 1, MOS_TCP_ACK, "server bytes", 3);
	xmit(&c, 0, MOS_TCP_ACK, NULL, 3);
	len = sizeof(u);
	TAP_CHECK(seen.data_bytes[0] == 0 &&
		  mos_getsockopt(mctx, sock, MOS_SIDE_CLI, MOS_OPT_BUF_SIZE, &u,
				 &len) == 0 && u == 0,
		  "metadata-only side: no NEW_DATA, BUF_SIZE reads 0");
	u = 3000;
	len = sizeof(u);
	TAP_CHECK(mos_setsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_BUF_SIZE,
				 &u, sizeof(u)) == 0 &&
		  mos_getsockopt(mctx, sock, MOS_SIDE_SVR, MOS_OPT_BUF_SIZE, &u,
				 &len) == 0 && u == 3072,
		  "BUF_SIZE 3000 rounds up to 3 KiB (%u)", u);
	v = 1;
	TAP_CHECK(mos_setsockopt(mctx, sock, MOS_SIDE_BOTH, MOS_OPT_STOP_MON,
				 &v, sizeof(v)) == 0,
		  "STOP_MON both sides");
	xmit(&c, 0, MOS_TCP_ACK, "more", 4);
	xmit(&c, 1, MOS_TCP_ACK | MOS_TCP_FIN, NULL, 4);
	xmit(&c, 0, MOS_TCP_ACK | MOS_TCP_FIN, NULL, 4);
	xmit(&c, 1, MOS_TCP_ACK, NULL, 4);
	mos_end_input(mctx);
	TAP_CHECK(seen.data_bytes[1] == 15 && seen.ends == 0,
		  "after STOP_MON: no more bytes, not even CONN_END");
	TAP_CHECK(mos_setsockopt(mctx, 3, MOS_SIDE_CLI, MOS_OPT_BUF_SIZE, &u,
				 sizeof(u)) == -EBADF,
		  "options on a listener: -EBADF");
	mos_ctx_free(mctx);
}

static void on_timer(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	seen.timer_fired++;
	seen.timer_sock = sock;
	seen.timer_at = cur_conv ? cur_conv->ts : 0;
	if (ev != MOS_ON_TIMER || side != MOS_SIDE_BOTH)
		seen.timer_fired += 100;
}

static int rearm_count;

static void on_rearm(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	if (++rearm_count < 1000)
		mos_settimer(mctx, 0, 1000, on_rearm, NULL);
}

/* A timer set before any packet, re-armed from its own callback. */
static void test_timer_rearm(void)
{
	struct mos_ctx *mctx = ctx_with_callbacks();
	struct conv c;

	rearm_count = 0;
	TAP_CHECK(mos_settimer(mctx, 0, 1000, on_rearm, NULL) > 0,
		  "timer set before the first packet");
	conv_init(&c, mctx, 0, 1, 40000, 80);
	xmit(&c, 0, MOS_TCP_SYN, NULL, 50000);
	TAP_CHECK(rearm_count == 0,
		  "it counts from the first packet (50 s), not from 0");
	xmit(&c, 1, MOS_TCP_SYN | MOS_TCP_ACK, NULL, 51500);
	TAP_CHECK(rearm_count == 1,
		  "fired once at 51.5 s; re-armed for 52.5 s (%d)", rearm_count);
	xmit(&c, 0, MOS_TCP_ACK, NULL, 60000);
	TAP_CHECK(rearm_count == 2,
		  "after a quiet 8.5 s, fired once more, not once per second missed (%d)",
		  rearm_count);
	mos_ctx_free(mctx);
}

static void test_timers(void)
{
	struct mos_ctx *mctx = ctx_with_callbacks();
	struct conv c;
	int id, id2, sock;

	reset_seen();
	conv_init(&c, mctx, 0, 1, 40000, 80);
	cur_conv = &c;
	handshake(&c, 0);
	sock = seen.last_sock;
	id = mos_settimer(mctx, 0, 1000, on_timer, NULL);
	id2 = mos_settimer(mctx, 0, 500, on_timer, NULL);
	TAP_CHECK(id > 0 && id2 > 0 && id != id2, "two timers (%d, %d)", id,
		  id2);
	TAP_CHECK(mos_cancel_timer(mctx, id2) == 0 &&
		  mos_cancel_timer(mctx, id2) == -ENOENT,
		  "cancel once: 0, twice: -ENOENT");
	xmit(&c, 0, MOS_TCP_ACK, "x", 999);
	TAP_CHECK(seen.timer_fired == 0, "not due at 999 ms of capture time");
	xmit(&c, 1, MOS_TCP_ACK, NULL, 1000);
	TAP_CHECK(seen.timer_fired == 1 && seen.timer_sock == 0 &&
		  seen.timer_at == 1000 * NS,
		  "fired once, before the packet stamped 1000 ms");
	TAP_CHECK(mos_settimer(mctx, 12345, 1, on_timer, NULL) == -EBADF &&
		  mos_settimer(mctx, 0, 1, NULL, NULL) == -EINVAL,
		  "timer on a bad socket -EBADF, without callback -EINVAL");
	TAP_CHECK(mos_settimer(mctx, sock, 5000, on_timer, NULL) > 0,
		  "timer on the connection");
	xmit(&c, 0, MOS_TCP_RST, NULL, 1001);
	TAP_CHECK(seen.ends == 1 && seen.end_reason == MOS_END_REASON_RST,
		  "connection reset");
	conv_init(&c, mctx, 0, 2, 40001, 80);
	xmit(&c, 0, MOS_TCP_SYN, NULL, 9000);
	TAP_CHECK(seen.timer_fired == 1,
		  "its timer went with it (not fired at 9 s)");
	mos_settimer(mctx, 0, 1, on_timer, NULL);
	mos_end_input(mctx);
	TAP_CHECK(seen.timer_fired == 1,
		  "timers pending at the end of input never fire");
	cur_conv = NULL;
	mos_ctx_free(mctx);
}

static void on_start_act(struct mos_ctx *mctx, int sock, int side,
			 mos_event_t ev, void *arg)
{
	const char *what = arg;

	seen.starts++;
	seen.last_sock = sock;
	if (!strcmp(what, "reset"))
		mos_flow_reset(mctx, sock);
}

static void test_actions(void)
{
	struct mos_ctx *mctx = ctx_with_callbacks();
	struct mos_stats st;
	struct conv c;

	reset_seen();
	conv_init(&c, mctx, 0, 1, 40000, 80);
	handshake(&c, 0);
	xmit(&c, 0, MOS_TCP_ACK, "first", 1);
	xmit(&c, 1, MOS_TCP_ACK, NULL, 1);
	TAP_CHECK(mos_flow_drop(mctx, seen.last_sock) == 0,
		  "drop after the first bytes");
	xmit(&c, 0, MOS_TCP_ACK, "second", 2);
	xmit(&c, 1, MOS_TCP_ACK, NULL, 2);
	mos_get_stats(mctx, &st);
	TAP_CHECK(seen.data_bytes[1] == 5 && st.dropped == 2,
		  "a dropped connection's later packets are ignored and counted (%llu)",
		  (unsigned long long)st.dropped);
	TAP_CHECK(mos_flow_drop(mctx, 77) == -EBADF, "drop bad socket: -EBADF");
	mos_end_input(mctx);
	TAP_CHECK(seen.ends == 1 && seen.end_reason == MOS_END_REASON_EOF,
		  "it still ends once, at the end of input");
	mos_ctx_free(mctx);

	mctx = ctx_offline();
	reset_seen();
	mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	mos_register_callback(mctx, 0, MOS_ON_CONN_START, MOS_HK_SND,
			      on_start_act, "reset");
	mos_register_callback(mctx, 0, MOS_ON_CONN_END, MOS_HK_RCV, on_end,
			      NULL);
	conv_init(&c, mctx, 0, 1, 40000, 80);
	xmit(&c, 0, MOS_TCP_SYN, NULL, 0);
	TAP_CHECK(seen.starts == 1 && seen.ends == 0,
		  "reset asked at CONN_START: not ended yet");
	xmit(&c, 1, MOS_TCP_SYN | MOS_TCP_ACK, NULL, 1);
	TAP_CHECK(seen.ends == 1 && seen.end_reason == MOS_END_REASON_RST,
		  "its next packet ends it, reason rst");
	xmit(&c, 0, MOS_TCP_ACK, "late", 2);
	mos_end_input(mctx);
	TAP_CHECK(seen.ends == 1 && seen.starts == 1,
		  "nothing after: one start, one end");
	mos_ctx_free(mctx);
}

/* Two contexts in a group share the connections, each exactly once. */
static void test_group(void)
{
	struct mos_ctx *g[2];
	struct mos_options o;
	int i, k, starts[2];
	struct conv c;

	mos_options_init(&o);
	o.read_file = "(memory)";
	o.group_count = 2;
	o.group_index = 2;
	TAP_CHECK(mos_ctx_new(&g[0], &o) == -EINVAL,
		  "group index not below the count: -EINVAL");
	for (k = 0; k < 2; k++) {
		o.group_index = k;
		mos_ctx_new(&g[k], &o);
		mos_socket(g[k], MOS_SOCK_MONITOR_STREAM);
		mos_register_callback(g[k], 0, MOS_ON_CONN_START, MOS_HK_SND,
				      on_start, NULL);
	}
	for (k = 0; k < 2; k++) {
		reset_seen();
		for (i = 0; i < 40; i++) {
			conv_init(&c, g[k], i & 1, 1 + i % 7, 40000 + i, 80);
			handshake(&c, i);
			xmit(&c, 1, MOS_TCP_ACK | MOS_TCP_PSH, "x", i);
		}
		starts[k] = seen.starts;
	}
	TAP_CHECK(starts[0] + starts[1] == 40 && starts[0] && starts[1],
		  "group of two: %d + %d connections of 40", starts[0],
		  starts[1]);
	for (k = 0; k < 2; k++)
		mos_ctx_free(g[k]);
}

int main(void)
{
	test_last_packet_and_peer();
	test_filters_and_raw();
	test_sockopts();
	test_timers();
	test_timer_rearm();
	test_actions();
	test_group();
	return tap_done();
}
