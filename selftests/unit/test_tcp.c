// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the dual TCP stack tracker (kmod/engine/tcp.c): every state
 * transition of both endpoints, conntrack-style window validation, RST
 * acceptance, PAWS, TSecr and TCP-MD5 checks, liberal (midstream) mode,
 * option parsing (in exact-size heap buffers, so that the sanitizers catch
 * any read past the end) and state names. Segments are built as
 * struct mos_pkt + struct mos_tcp_opts values: no IP bytes needed.
 */
#include <stdlib.h>
#include <string.h>
#include "engine/tcp.h"
#include "tap.h"

#define CLI	0
#define SVR	1

#define SYN	MOS_TCP_SYN
#define ACK	MOS_TCP_ACK
#define FIN	MOS_TCP_FIN
#define RST	MOS_TCP_RST
#define PSH	MOS_TCP_PSH

/* Client and server ISNs of most tests. */
#define C	1000u
#define S	5000u

static const struct mos_tcp_opts no_opts;

static u32 seg_o(struct mos_tcp_conn *c, int dir, u8 flags, u32 seq, u32 ack,
		 u16 win, u32 len, const struct mos_tcp_opts *o)
{
	struct mos_pkt p;

	memset(&p, 0, sizeof(p));
	p.ip_version = 4;
	p.tcp_flags = flags;
	p.sport = dir == CLI ? 40000 : 80;
	p.dport = dir == CLI ? 80 : 40000;
	p.tcp_hdr_len = 20;
	p.payload_len = len;
	p.seq = seq;
	p.ack = ack;
	p.window = win;
	return mos_tcp_track(c, dir, &p, o ? o : &no_opts);
}

static u32 seg(struct mos_tcp_conn *c, int dir, u8 flags, u32 seq, u32 ack,
	       u32 len)
{
	return seg_o(c, dir, flags, seq, ack, 65535, len, NULL);
}

static int st(const struct mos_tcp_conn *c, int side)
{
	return c->end[side].state;
}

/* Accepted: stream data, ACK usable, nothing else. */
static int ok_v(u32 v)
{
	return v == (MOS_TCPV_DATA_OK | MOS_TCPV_ACK_OK);
}

/* A plain three-way handshake with ISNs @ci and @si, windows 65535. */
static int handshake(struct mos_tcp_conn *c, u32 ci, u32 si)
{
	int ok = 1;

	mos_tcp_init(c, false);
	ok &= ok_v(seg(c, CLI, SYN, ci, 0, 0));
	ok &= ok_v(seg(c, SVR, SYN | ACK, si, ci + 1, 0));
	ok &= ok_v(seg(c, CLI, ACK, ci + 1, si + 1, 0));
	ok &= st(c, CLI) == MOS_TCP_ESTABLISHED &&
	      st(c, SVR) == MOS_TCP_ESTABLISHED;
	return ok;
}

static void test_handshake(void)
{
	struct mos_tcp_conn c;
	u32 v;

	mos_tcp_init(&c, false);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_CLOSED && st(&c, SVR) == MOS_TCP_LISTEN &&
		  !c.flags, "init: client closed, server listen");
	mos_tcp_init(&c, true);
	TAP_CHECK(c.flags == MOS_TCPC_LIBERAL, "init: liberal flag");

	mos_tcp_init(&c, false);
	v = seg(&c, CLI, SYN, C, 0, 0);
	TAP_CHECK(ok_v(v), "3wh: SYN accepted (v=%#x)", v);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_SYN_SENT &&
		  st(&c, SVR) == MOS_TCP_SYN_RCVD,
		  "3wh: SYN: client syn_sent, server syn_rcvd");
	TAP_CHECK(c.end[CLI].isn == C && c.end[CLI].td_end == C + 1 &&
		  (c.end[CLI].flags & MOS_TCPE_SYN),
		  "3wh: SYN: client ISN and td_end");
	v = seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK(ok_v(v), "3wh: SYN/ACK accepted (v=%#x)", v);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED &&
		  st(&c, SVR) == MOS_TCP_SYN_RCVD,
		  "3wh: SYN/ACK: client established, server syn_rcvd");
	v = seg(&c, CLI, ACK, C + 1, S + 1, 0);
	TAP_CHECK(ok_v(v), "3wh: ACK accepted (v=%#x)", v);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED &&
		  st(&c, SVR) == MOS_TCP_ESTABLISHED,
		  "3wh: ACK: both established");
	v = seg(&c, CLI, ACK | PSH, C + 1, S + 1, 100);
	TAP_CHECK(ok_v(v) && c.end[CLI].td_end == C + 101,
		  "3wh: data accepted, td_end advanced");
}

static void test_simultaneous_open(void)
{
	struct mos_tcp_conn c;
	u32 v, all = 0;

	mos_tcp_init(&c, false);
	all |= seg(&c, CLI, SYN, C, 0, 0);
	v = seg(&c, SVR, SYN, S, 0, 0);
	all |= v;
	TAP_CHECK((v & MOS_TCPV_DATA_OK) && !(v & MOS_TCPV_SYN_RETRANS) &&
		  c.end[SVR].isn == S,
		  "simultaneous open: crossing SYN accepted (v=%#x)", v);
	all |= seg(&c, CLI, SYN | ACK, C, S + 1, 0);
	all |= seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK(!(all & (MOS_TCPV_OUT_OF_WINDOW | MOS_TCPV_BAD_FLAGS)),
		  "simultaneous open: nothing out of window (all=%#x)", all);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED &&
		  st(&c, SVR) == MOS_TCP_ESTABLISHED,
		  "simultaneous open: both established after the SYN/ACKs (%s, %s)",
		  mos_tcp_state_name(st(&c, CLI)),
		  mos_tcp_state_name(st(&c, SVR)));
	v = seg(&c, CLI, ACK, C + 1, S + 1, 10);
	TAP_CHECK(ok_v(v), "simultaneous open: data afterwards accepted");
}

static void test_split_handshake(void)
{
	struct mos_tcp_conn c;
	u32 v, all = 0;

	mos_tcp_init(&c, false);
	all |= seg(&c, CLI, SYN, C, 0, 0);
	all |= seg(&c, SVR, SYN, S, 0, 0);
	all |= seg(&c, CLI, SYN | ACK, C, S + 1, 0);
	v = seg(&c, SVR, ACK, S + 1, C + 1, 0);
	all |= v;
	TAP_CHECK(ok_v(v) && !(all & MOS_TCPV_OUT_OF_WINDOW),
		  "split handshake: all accepted (all=%#x)", all);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED &&
		  st(&c, SVR) == MOS_TCP_ESTABLISHED,
		  "split handshake: both established (%s, %s)",
		  mos_tcp_state_name(st(&c, CLI)),
		  mos_tcp_state_name(st(&c, SVR)));
	v = seg(&c, SVR, ACK, S + 1, C + 1, 50);
	TAP_CHECK(ok_v(v), "split handshake: server data accepted");
}

static void test_syn_retrans(void)
{
	struct mos_tcp_conn c, before;
	u32 v;

	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	before = c;
	v = seg(&c, CLI, SYN, C, 0, 0);
	TAP_CHECK(v == (MOS_TCPV_SYN_RETRANS | MOS_TCPV_DATA_OK),
		  "SYN retransmission: SYN_RETRANS|DATA_OK (v=%#x)", v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)),
		  "SYN retransmission: nothing changed");
	v = seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK(!(v & MOS_TCPV_SYN_RETRANS), "first SYN/ACK is no retransmission");
	v = seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK((v & MOS_TCPV_SYN_RETRANS) && (v & MOS_TCPV_DATA_OK) &&
		  !(v & MOS_TCPV_OUT_OF_WINDOW),
		  "SYN/ACK retransmission flagged (v=%#x)", v);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED &&
		  st(&c, SVR) == MOS_TCP_SYN_RCVD,
		  "SYN/ACK retransmission: states kept");
	seg(&c, CLI, ACK, C + 1, S + 1, 0);
	v = seg(&c, CLI, SYN, C, 0, 0);
	TAP_CHECK(v & MOS_TCPV_SYN_RETRANS,
		  "late SYN retransmission (same ISN) flagged");
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED,
		  "late SYN retransmission leaves the client established");

	/* A new attempt before the handshake completed: new ISN taken. */
	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	v = seg(&c, CLI, SYN, C + 7777, 0, 0);
	TAP_CHECK(ok_v(v) && c.end[CLI].isn == C + 7777,
		  "new SYN in syn_sent: new ISN taken (v=%#x)", v);
	/* A SYN with another ISN on an established end is not ours. */
	handshake(&c, C, S);
	before = c;
	v = seg(&c, CLI, SYN, C + 99999, 0, 0);
	TAP_CHECK(v & MOS_TCPV_OUT_OF_WINDOW && !(v & MOS_TCPV_DATA_OK),
		  "SYN with a new ISN on an established end: out of window");
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)),
		  "SYN with a new ISN: nothing changed");
}

static void test_synack_bad_ack(void)
{
	struct mos_tcp_conn c, before;
	u32 v;

	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	before = c;
	v = seg(&c, SVR, SYN | ACK, S, C, 0);
	TAP_CHECK(v == MOS_TCPV_OUT_OF_WINDOW,
		  "SYN/ACK acking the ISN itself: out of window (v=%#x)", v);
	v = seg(&c, SVR, SYN | ACK, S, C + 2, 0);
	TAP_CHECK(v == MOS_TCPV_OUT_OF_WINDOW,
		  "SYN/ACK acking beyond the SYN: out of window (v=%#x)", v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)) &&
		  st(&c, CLI) == MOS_TCP_SYN_SENT,
		  "bad SYN/ACKs changed nothing");
	v = seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK(ok_v(v) && st(&c, CLI) == MOS_TCP_ESTABLISHED,
		  "the right SYN/ACK then accepted");
}

static void test_client_fin_first(void)
{
	struct mos_tcp_conn c;
	u32 v, closed = 0;

	handshake(&c, C, S);
	seg(&c, CLI, ACK, C + 1, S + 1, 10);
	v = seg(&c, CLI, FIN | ACK, C + 11, S + 1, 0);
	closed |= v;
	TAP_CHECK(ok_v(v) && st(&c, CLI) == MOS_TCP_FIN_WAIT_1 &&
		  st(&c, SVR) == MOS_TCP_CLOSE_WAIT,
		  "client FIN: fin_wait_1 / close_wait");
	TAP_CHECK((c.end[CLI].flags & MOS_TCPE_FIN) &&
		  c.end[CLI].fin_seq == C + 11, "client FIN: fin_seq");
	v = seg(&c, SVR, ACK, S + 1, C + 11, 0);
	closed |= v;
	TAP_CHECK(st(&c, CLI) == MOS_TCP_FIN_WAIT_1,
		  "ACK below the FIN: still fin_wait_1");
	v = seg(&c, SVR, ACK, S + 1, C + 12, 0);
	closed |= v;
	TAP_CHECK(ok_v(v) && st(&c, CLI) == MOS_TCP_FIN_WAIT_2 &&
		  (c.end[CLI].flags & MOS_TCPE_FIN_ACKED),
		  "ACK of the FIN: fin_wait_2");
	v = seg(&c, SVR, FIN | ACK, S + 1, C + 12, 0);
	closed |= v;
	TAP_CHECK(st(&c, SVR) == MOS_TCP_LAST_ACK &&
		  st(&c, CLI) == MOS_TCP_TIME_WAIT,
		  "server FIN: last_ack / time_wait");
	TAP_CHECK(!(closed & MOS_TCPV_CLOSED), "not closed before the last ACK");
	v = seg(&c, CLI, ACK, C + 12, S + 2, 0);
	TAP_CHECK(v & MOS_TCPV_CLOSED, "last ACK: CLOSED (v=%#x)", v);
	TAP_CHECK(st(&c, SVR) == MOS_TCP_CLOSED &&
		  st(&c, CLI) == MOS_TCP_TIME_WAIT,
		  "last ACK: server closed, client time_wait");
	v = seg(&c, CLI, ACK, C + 12, S + 2, 0);
	TAP_CHECK(!(v & MOS_TCPV_CLOSED), "repeated last ACK: no second CLOSED");
	/* The server's FIN retransmitted (the last ACK lost downstream). */
	seg(&c, SVR, FIN | ACK, S + 1, C + 12, 0);
	TAP_CHECK(st(&c, SVR) == MOS_TCP_CLOSED,
		  "a closed end's retransmitted FIN leaves it closed (%s)",
		  mos_tcp_state_name(st(&c, SVR)));
}

static void test_server_fin_first(void)
{
	struct mos_tcp_conn c;
	u32 v, closed = 0;

	handshake(&c, C, S);
	closed |= seg(&c, SVR, FIN | ACK, S + 1, C + 1, 0);
	TAP_CHECK(st(&c, SVR) == MOS_TCP_FIN_WAIT_1 &&
		  st(&c, CLI) == MOS_TCP_CLOSE_WAIT,
		  "server FIN: fin_wait_1 / close_wait");
	closed |= seg(&c, CLI, ACK, C + 1, S + 2, 0);
	TAP_CHECK(st(&c, SVR) == MOS_TCP_FIN_WAIT_2,
		  "ACK of the server's FIN: fin_wait_2");
	closed |= seg(&c, CLI, ACK, C + 1, S + 2, 20);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_CLOSE_WAIT,
		  "client data in close_wait keeps close_wait");
	closed |= seg(&c, CLI, FIN | ACK, C + 21, S + 2, 0);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_LAST_ACK &&
		  st(&c, SVR) == MOS_TCP_TIME_WAIT,
		  "client FIN: last_ack / time_wait");
	TAP_CHECK(!(closed & MOS_TCPV_CLOSED), "not closed before the last ACK");
	v = seg(&c, SVR, ACK, S + 2, C + 22, 0);
	TAP_CHECK((v & MOS_TCPV_CLOSED) && st(&c, CLI) == MOS_TCP_CLOSED,
		  "server's last ACK: CLOSED, client closed (v=%#x)", v);

	/* The FIN combined with the ACK of the peer's FIN. */
	handshake(&c, C, S);
	seg(&c, CLI, FIN | ACK, C + 1, S + 1, 0);
	v = seg(&c, SVR, FIN | ACK, S + 1, C + 2, 0);
	TAP_CHECK(!(v & MOS_TCPV_CLOSED) && st(&c, CLI) == MOS_TCP_TIME_WAIT &&
		  st(&c, SVR) == MOS_TCP_LAST_ACK,
		  "FIN/ACK acking the peer's FIN: time_wait / last_ack");
	v = seg(&c, CLI, ACK, C + 2, S + 2, 0);
	TAP_CHECK(v & MOS_TCPV_CLOSED, "then the last ACK: CLOSED");
}

static void test_simultaneous_close(void)
{
	struct mos_tcp_conn c;
	u32 v, closed = 0;

	handshake(&c, C, S);
	closed |= seg(&c, CLI, FIN | ACK, C + 1, S + 1, 0);
	/* The server's FIN does not ack the client's: they crossed. */
	closed |= seg(&c, SVR, FIN | ACK, S + 1, C + 1, 0);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_CLOSING,
		  "simultaneous close: client closing (%s)",
		  mos_tcp_state_name(st(&c, CLI)));
	closed |= seg(&c, CLI, ACK, C + 2, S + 2, 0);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_CLOSING &&
		  !(closed & MOS_TCPV_CLOSED),
		  "simultaneous close: one FIN acked, not closed");
	v = seg(&c, SVR, ACK, S + 2, C + 2, 0);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_TIME_WAIT,
		  "simultaneous close: closing -> time_wait");
	TAP_CHECK(v & MOS_TCPV_CLOSED,
		  "simultaneous close: CLOSED when both FINs acked");
	TAP_CHECK((c.end[SVR].flags & MOS_TCPE_FIN_ACKED) &&
		  (st(&c, SVR) == MOS_TCP_TIME_WAIT ||
		   st(&c, SVR) == MOS_TCP_CLOSED),
		  "simultaneous close: server done (%s)",
		  mos_tcp_state_name(st(&c, SVR)));
}

static void test_half_close_and_fin_data(void)
{
	struct mos_tcp_conn c;
	u32 v;

	handshake(&c, C, S);
	seg(&c, CLI, FIN | ACK, C + 1, S + 1, 0);
	seg(&c, SVR, ACK, S + 1, C + 2, 0);
	v = seg(&c, SVR, ACK | PSH, S + 1, C + 2, 300);
	TAP_CHECK(ok_v(v) && st(&c, SVR) == MOS_TCP_CLOSE_WAIT,
		  "half close: data after the peer's FIN accepted");
	v = seg(&c, CLI, ACK, C + 2, S + 301, 0);
	TAP_CHECK(ok_v(v) && !(v & MOS_TCPV_ACK_GAP),
		  "half close: the FIN sender acks it");
	v = seg(&c, SVR, FIN | ACK, S + 301, C + 2, 0);
	TAP_CHECK(c.end[SVR].fin_seq == S + 301 &&
		  st(&c, SVR) == MOS_TCP_LAST_ACK, "half close: server FIN");
	v = seg(&c, CLI, ACK, C + 2, S + 301, 0);
	TAP_CHECK(!(v & MOS_TCPV_CLOSED), "ack of the data only: not closed");
	v = seg(&c, CLI, ACK, C + 2, S + 302, 0);
	TAP_CHECK(v & MOS_TCPV_CLOSED, "half close: closed");

	/* A FIN that carries data: fin_seq after the data. */
	handshake(&c, C, S);
	v = seg(&c, CLI, FIN | ACK | PSH, C + 1, S + 1, 10);
	TAP_CHECK(ok_v(v) && c.end[CLI].fin_seq == C + 11 &&
		  c.end[CLI].td_end == C + 12,
		  "FIN with data: fin_seq = seq + len, td_end past the FIN");
	seg(&c, SVR, ACK, S + 1, C + 11, 0);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_FIN_WAIT_1,
		  "FIN with data: ack of the data only keeps fin_wait_1");
	seg(&c, SVR, ACK, S + 1, C + 12, 0);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_FIN_WAIT_2,
		  "FIN with data: ack of the FIN: fin_wait_2");
}

static void test_rst(void)
{
	struct mos_tcp_conn c, before;
	u32 v;

	handshake(&c, C, S);
	v = seg(&c, SVR, RST, S + 1, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST, "in-window RST accepted (v=%#x)", v);
	TAP_CHECK(st(&c, CLI) == MOS_TCP_CLOSED && st(&c, SVR) == MOS_TCP_CLOSED,
		  "accepted RST: both closed");

	handshake(&c, C, S);
	v = seg(&c, CLI, RST | ACK, C + 1, S + 1, 0);
	TAP_CHECK(v == MOS_TCPV_RST, "in-window RST/ACK from the client accepted");

	handshake(&c, C, S);
	before = c;
	v = seg(&c, SVR, RST, S + 1 + 1000000, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED, "RST far ahead ignored (v=%#x)", v);
	v = seg(&c, SVR, RST, S + 1 - 1000000, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED, "RST far behind ignored (v=%#x)", v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)), "ignored RSTs changed nothing");
	v = seg(&c, SVR, RST, c.end[SVR].td_maxend + 1, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED, "RST just past the window ignored");
	v = seg(&c, SVR, RST, c.end[SVR].td_maxend, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST, "RST at the window's right edge accepted");

	/* An end in SYN_SENT: its RST does not abort. */
	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	v = seg(&c, CLI, RST, C + 1, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED && st(&c, CLI) == MOS_TCP_SYN_SENT,
		  "RST from an end in syn_sent ignored (v=%#x)", v);

	/* RST answering a SYN: ack = ISN + 1, seq often 0. */
	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	v = seg(&c, SVR, RST | ACK, 0, C + 1, 0);
	TAP_CHECK(v == MOS_TCPV_RST && st(&c, CLI) == MOS_TCP_CLOSED &&
		  st(&c, SVR) == MOS_TCP_CLOSED,
		  "RST/ACK answering the SYN accepted (v=%#x)", v);
	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	v = seg(&c, SVR, RST | ACK, 0, C + 5, 0);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED && st(&c, CLI) == MOS_TCP_SYN_SENT,
		  "RST/ACK with the wrong ack ignored (v=%#x)", v);
	v = seg(&c, SVR, RST, 0, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED,
		  "RST without ACK answering a SYN ignored (v=%#x)", v);
}

static void test_bad_flags(void)
{
	static const u8 bad[] = {
		SYN | FIN, SYN | FIN | ACK, FIN, 0, PSH, SYN | RST,
		RST | FIN | ACK, SYN | RST | ACK,
	};
	struct mos_tcp_conn c, before;
	unsigned int i;
	int all = 1, same = 1;
	u32 v;

	handshake(&c, C, S);
	before = c;
	for (i = 0; i < sizeof(bad); i++) {
		v = seg(&c, CLI, bad[i], C + 1, S + 1, 0);
		all &= v == MOS_TCPV_BAD_FLAGS;
		same &= !memcmp(&c, &before, sizeof(c));
	}
	TAP_CHECK(all, "SYN|FIN, FIN alone, none, RST|SYN, RST|FIN: BAD_FLAGS");
	TAP_CHECK(same, "bad flags changed nothing");
	v = seg(&c, CLI, ACK | PSH | 0x20 | 0x80 | 0x40, C + 1, S + 1, 5);
	TAP_CHECK(ok_v(v), "ACK with PSH, URG, CWR, ECE accepted (v=%#x)", v);
}

static void test_window_seq(void)
{
	struct mos_tcp_conn c, before;
	u32 v, maxend;

	handshake(&c, C, S);
	maxend = c.end[CLI].td_maxend;
	TAP_CHECK(maxend == C + 1 + 65535,
		  "client may send up to ack + server window (%u)", maxend - C);
	before = c;
	v = seg(&c, CLI, ACK, maxend + 1, S + 1, 10);
	TAP_CHECK(v == MOS_TCPV_OUT_OF_WINDOW,
		  "data starting beyond td_maxend rejected (v=%#x)", v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)), "rejected data changed nothing");
	v = seg(&c, CLI, ACK, maxend - 10, S + 1, 10);
	TAP_CHECK(ok_v(v), "data ending at td_maxend accepted (out of order)");

	handshake(&c, C, S);
	seg(&c, CLI, ACK, C + 1, S + 1, 1000);
	seg(&c, SVR, ACK, S + 1, C + 1001, 0);
	before = c;
	/* Entirely older than one window (the server's 65535). */
	v = seg(&c, CLI, ACK, C + 1001 - 65535 - 100, S + 1, 50);
	TAP_CHECK(v == MOS_TCPV_OUT_OF_WINDOW,
		  "data older than one window rejected (v=%#x)", v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)), "old data changed nothing");
	v = seg(&c, CLI, ACK, C + 1, S + 1, 1000);
	TAP_CHECK(ok_v(v), "a retransmission within one window accepted");
}

static void test_window_ack(void)
{
	struct mos_tcp_conn c, before;
	u32 v, maxend;

	handshake(&c, C, S);
	seg(&c, SVR, ACK, S + 1, C + 1, 100);
	maxend = c.end[SVR].td_maxend;
	before = c;
	v = seg(&c, CLI, ACK, C + 1, maxend + 1, 0);
	TAP_CHECK(v & MOS_TCPV_OUT_OF_WINDOW && !(v & MOS_TCPV_DATA_OK),
		  "ACK of unsent data beyond td_maxend rejected (v=%#x)", v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)),
		  "rejected ACK changed nothing");
	/*
	 * An ACK more than a window behind (a segment reordered behind later
	 * ones): its data counts, its ACK releases and changes nothing.
	 */
	before = c;
	v = seg(&c, CLI, ACK, C + 1, S + 1 - 70000, 0);
	TAP_CHECK((v & MOS_TCPV_STALE_ACK) && (v & MOS_TCPV_DATA_OK) &&
		  !(v & MOS_TCPV_ACK_OK),
		  "ACK far behind (more than a window): stale, data kept (v=%#x)",
		  v);
	TAP_CHECK(c.end[SVR].td_maxend == before.end[SVR].td_maxend &&
		  c.end[CLI].td_maxwin == before.end[CLI].td_maxwin,
		  "stale ACK: windows unchanged");
	v = seg(&c, CLI, ACK, C + 1, S + 101, 0);
	TAP_CHECK(ok_v(v), "ACK of exactly what was sent: no gap");
	v = seg(&c, CLI, ACK, C + 1, S + 501, 0);
	TAP_CHECK(v == (MOS_TCPV_DATA_OK | MOS_TCPV_ACK_OK | MOS_TCPV_ACK_GAP),
		  "ACK beyond td_end within td_maxend: ACK_GAP, accepted (v=%#x)",
		  v);
	TAP_CHECK(c.end[SVR].td_end == S + 501,
		  "ACK_GAP: the unseen bytes counted as sent");
	v = seg(&c, SVR, ACK, S + 501, C + 1, 10);
	TAP_CHECK(ok_v(v), "the sender continues after the gap");

	/*
	 * A segment rejected for its sequence number must not move anything,
	 * its ACK included ("without DATA_OK the segment changed nothing").
	 */
	handshake(&c, C, S);
	seg(&c, SVR, ACK, S + 1, C + 1, 100);
	before = c;
	v = seg(&c, CLI, ACK, c.end[CLI].td_maxend + 5000, S + 501, 10);
	TAP_CHECK((v & MOS_TCPV_OUT_OF_WINDOW) && !(v & MOS_TCPV_DATA_OK),
		  "seq beyond the window with a gap ACK: rejected (v=%#x)", v);
	TAP_CHECK(c.end[SVR].td_end == before.end[SVR].td_end,
		  "rejected segment's ACK did not move the peer's td_end "
		  "(%u, was %u)", c.end[SVR].td_end - S,
		  before.end[SVR].td_end - S);
	TAP_CHECK(!(v & MOS_TCPV_ACK_GAP),
		  "rejected segment reports no ACK_GAP");
}

static void test_wscale(void)
{
	struct mos_tcp_conn c;
	struct mos_tcp_opts oc = { .has_wscale = true, .wscale = 7 };
	struct mos_tcp_opts os = { .has_wscale = true, .wscale = 2 };

	mos_tcp_init(&c, false);
	seg_o(&c, CLI, SYN, C, 0, 1000, 0, &oc);
	seg_o(&c, SVR, SYN | ACK, S, C + 1, 2000, 0, &os);
	TAP_CHECK(c.end[CLI].wscale == 7 && c.end[SVR].wscale == 2,
		  "wscale: both SYNs: shifts in force");
	TAP_CHECK(c.end[CLI].td_maxend == C + 1 + 2000,
		  "wscale: SYN/ACK window not scaled");
	seg_o(&c, CLI, ACK, C + 1, S + 1, 100, 0, NULL);
	TAP_CHECK(c.end[SVR].td_maxend == S + 1 + (100u << 7),
		  "wscale: client window scaled by 7 (%u)",
		  c.end[SVR].td_maxend - S - 1);
	seg_o(&c, SVR, ACK, S + 1, C + 1, 1000, 0, NULL);
	TAP_CHECK(c.end[CLI].td_maxend == C + 1 + (1000u << 2),
		  "wscale: server window scaled by 2");
	TAP_CHECK(ok_v(seg_o(&c, CLI, ACK, C + 1 + 3000, S + 1, 100, 10, NULL)),
		  "wscale: data inside the scaled window accepted");

	mos_tcp_init(&c, false);
	seg_o(&c, CLI, SYN, C, 0, 1000, 0, &oc);
	seg_o(&c, SVR, SYN | ACK, S, C + 1, 2000, 0, NULL);
	seg_o(&c, CLI, ACK, C + 1, S + 1, 100, 0, NULL);
	TAP_CHECK(c.end[CLI].wscale == 0 && c.end[SVR].wscale == 0 &&
		  c.end[SVR].td_maxend == S + 1 + 100,
		  "wscale: only the client's SYN: no scaling (%u)",
		  c.end[SVR].td_maxend - S - 1);
	TAP_CHECK(seg_o(&c, SVR, ACK, S + 1 + 200, C + 1, 100, 10, NULL) ==
		  MOS_TCPV_OUT_OF_WINDOW,
		  "wscale: unscaled window enforced on the server's data");

	mos_tcp_init(&c, false);
	seg_o(&c, CLI, SYN, C, 0, 1000, 0, NULL);
	seg_o(&c, SVR, SYN | ACK, S, C + 1, 2000, 0, &os);
	seg_o(&c, SVR, ACK, S + 1, C + 1, 1000, 0, NULL);
	TAP_CHECK(c.end[CLI].wscale == 0 && c.end[SVR].wscale == 0 &&
		  c.end[CLI].td_maxend == C + 1 + 2000,
		  "wscale: only the server's SYN/ACK: no scaling (%u)",
		  c.end[CLI].td_maxend - C - 1);
}

static void test_sack(void)
{
	struct mos_tcp_conn c;
	struct mos_tcp_opts o = { .n_sack = 1 };
	u32 v;

	handshake(&c, C, S);
	seg(&c, SVR, ACK, S + 1, C + 1, 300);
	o.sack[0][0] = S + 101;
	o.sack[0][1] = S + 201;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 0, &o);
	TAP_CHECK(ok_v(v), "SACK inside what was sent: accepted (v=%#x)", v);

	handshake(&c, C, S);
	seg(&c, SVR, ACK, S + 1, C + 1, 300);
	o.sack[0][0] = S + 201;
	o.sack[0][1] = c.end[SVR].td_maxend + 10;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 0, &o);
	TAP_CHECK(v & MOS_TCPV_OUT_OF_WINDOW,
		  "SACK right edge beyond td_maxend rejected (v=%#x)", v);
	v = seg(&c, CLI, ACK, C + 1, S + 1, 0);
	TAP_CHECK(ok_v(v), "the same ACK without the SACK block accepted");

	handshake(&c, C, S);
	seg(&c, SVR, ACK, S + 1, C + 1, 300);
	o.n_sack = 3;
	o.sack[0][0] = S + 101;
	o.sack[0][1] = S + 201;
	o.sack[1][0] = S + 350;
	o.sack[1][1] = S + 401;
	o.sack[2][0] = S + 221;
	o.sack[2][1] = S + 251;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 0, &o);
	TAP_CHECK(v == (MOS_TCPV_DATA_OK | MOS_TCPV_ACK_OK | MOS_TCPV_ACK_GAP) &&
		  c.end[SVR].td_end == S + 401,
		  "SACK right edge beyond td_end: ACK_GAP up to the highest edge");
}

static void test_seq_wrap(void)
{
	struct mos_tcp_conn c;
	const u32 ci = 0xfffffff0u, si = 0xffffffffu;
	u32 v;

	TAP_CHECK(handshake(&c, ci, si), "wrap: handshake with ISNs near 2^32");
	TAP_CHECK(c.end[SVR].td_end == 0, "wrap: server td_end wrapped to 0");
	v = seg(&c, CLI, ACK, ci + 1, 0, 100);
	TAP_CHECK(ok_v(v) && c.end[CLI].td_end == 0x55,
		  "wrap: data across 2^32 accepted, td_end %#x",
		  c.end[CLI].td_end);
	v = seg(&c, SVR, ACK, 0, 0x55, 50);
	TAP_CHECK(ok_v(v), "wrap: ack across 2^32 accepted, no gap (v=%#x)", v);
	v = seg(&c, CLI, ACK, 0x55, 50, 0);
	TAP_CHECK(ok_v(v), "wrap: ack of server data accepted");
	v = seg(&c, CLI, ACK, 0x55 + 0x7000000u, 50, 10);
	TAP_CHECK(v == MOS_TCPV_OUT_OF_WINDOW,
		  "wrap: far-ahead data still rejected after the wrap");
	v = seg(&c, CLI, FIN | ACK, 0x55, 50, 0);
	v |= seg(&c, SVR, FIN | ACK, 50, 0x56, 0);
	v |= seg(&c, CLI, ACK, 0x56, 51, 0);
	TAP_CHECK((v & MOS_TCPV_CLOSED) && st(&c, SVR) == MOS_TCP_CLOSED,
		  "wrap: close after the wrap");
}

static void test_paws(void)
{
	struct mos_tcp_conn c, before;
	struct mos_tcp_opts o = { .has_ts = true };
	const u32 T = 100000, U = 500000;
	u32 v;

	mos_tcp_init(&c, false);
	o.tsval = T;
	seg_o(&c, CLI, SYN, C, 0, 65535, 0, &o);
	o.tsval = U;
	o.tsecr = T;
	seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	TAP_CHECK(c.flags & MOS_TCPC_TS_OK, "PAWS: both SYNs had timestamps");
	o.tsval = T + 1;
	o.tsecr = U;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 0, &o);
	TAP_CHECK(ok_v(v), "PAWS: newer tsval accepted");
	o.tsval = U + 1;
	o.tsecr = T + 1;
	seg_o(&c, SVR, ACK, S + 1, C + 1, 65535, 0, &o);
	before = c;
	o.tsval = T + 1 - 100000;
	o.tsecr = U;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 10, &o);
	TAP_CHECK(v == MOS_TCPV_BAD_TS, "PAWS: much older tsval rejected (v=%#x)",
		  v);
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)), "PAWS: rejected changed nothing");
	o.tsval = T + 1 - 10;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 10, &o);
	TAP_CHECK(ok_v(v), "PAWS: slightly older tsval tolerated (reordering)");
	o.tsval = T + 1;
	v = seg_o(&c, CLI, ACK, C + 11, S + 1, 65535, 10, &o);
	TAP_CHECK(ok_v(v), "PAWS: equal tsval accepted");
	o.tsval = U + 1 - 100000;
	o.tsecr = T + 1;
	v = seg_o(&c, SVR, ACK, S + 1, C + 21, 65535, 10, &o);
	TAP_CHECK(v == MOS_TCPV_BAD_TS, "PAWS: older tsval from the server too");
	v = seg(&c, SVR, ACK, S + 1, C + 21, 10);
	TAP_CHECK(ok_v(v), "PAWS: a segment without timestamps not checked");

	/* TS.Recent follows in-sequence segments only (RFC 7323 4.3). */
	o.tsval = T + 50000;
	o.tsecr = U;
	v = seg_o(&c, CLI, ACK, C + 5001, S + 11, 65535, 10, &o);
	TAP_CHECK(ok_v(v), "PAWS: out-of-order segment, newer tsval accepted");
	o.tsval = T + 2;
	v = seg_o(&c, CLI, ACK, C + 21, S + 11, 65535, 10, &o);
	TAP_CHECK(ok_v(v),
		  "PAWS: the out-of-order segment did not move TS.Recent (v=%#x)",
		  v);

	/*
	 * RFC 7323 5.3 R1 and Linux (tcp_validate_incoming): a PAWS failure
	 * does not discard an RST. Linux closes on such an in-window RST.
	 */
	o.tsval = 1;
	o.tsecr = 0;
	v = seg_o(&c, SVR, RST, S + 11, 0, 0, 0, &o);
	TAP_CHECK(v == MOS_TCPV_RST,
		  "PAWS: in-window RST with an old tsval still accepted (v=%#x)",
		  v);

	/* Not before both SYNs carried the option. */
	mos_tcp_init(&c, false);
	o.tsval = T;
	o.tsecr = 0;
	seg_o(&c, CLI, SYN, C, 0, 65535, 0, &o);
	seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK(!(c.flags & MOS_TCPC_TS_OK), "PAWS: off with one SYN only");
	o.tsval = T - 100000;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 10, &o);
	TAP_CHECK(ok_v(v), "PAWS: older tsval accepted when PAWS is off");
}

static void test_tsecr(void)
{
	struct mos_tcp_conn c, before;
	struct mos_tcp_opts o = { .has_ts = true, .tsval = 1000 };
	u32 v;

	mos_tcp_init(&c, false);
	seg_o(&c, CLI, SYN, C, 0, 65535, 0, &o);
	before = c;
	o.tsval = 7;
	o.tsecr = 1001;		/* newer than any SYN sent */
	v = seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	TAP_CHECK(v == MOS_TCPV_BAD_TS && st(&c, CLI) == MOS_TCP_SYN_SENT,
		  "TSecr mismatch in syn_sent: BAD_TS (v=%#x)", v);
	o.tsecr = 1000 - 0x2000000;	/* far older than any SYN attempt */
	v = seg_o(&c, SVR, RST | ACK, 0, C + 1, 0, 0, &o);
	TAP_CHECK(v == MOS_TCPV_BAD_TS, "TSecr mismatch on an RST: BAD_TS");
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)), "TSecr mismatch changed nothing");
	o.tsecr = 0;
	before = c;
	v = seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	TAP_CHECK(ok_v(v), "TSecr 0 not checked");
	/* The echo of an earlier attempt (the SYN was retransmitted). */
	c = before;
	o.tsecr = 999;
	v = seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	TAP_CHECK(ok_v(v), "TSecr of an earlier SYN attempt accepted");
	mos_tcp_init(&c, false);
	o.tsval = 1000;
	seg_o(&c, CLI, SYN, C, 0, 65535, 0, &o);
	o.tsval = 7;
	o.tsecr = 1000;
	v = seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	TAP_CHECK(ok_v(v) && (c.flags & MOS_TCPC_TS_OK),
		  "TSecr echoing the SYN's tsval accepted");
	/* Timestamps the SYN never offered. */
	mos_tcp_init(&c, false);
	seg(&c, CLI, SYN, C, 0, 0);
	o.tsval = 7;
	o.tsecr = 0;
	v = seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	TAP_CHECK(v == MOS_TCPV_BAD_TS && st(&c, CLI) == MOS_TCP_SYN_SENT,
		  "SYN/ACK with timestamps the SYN never offered: BAD_TS");
	v = seg(&c, SVR, SYN | ACK, S, C + 1, 0);
	TAP_CHECK(ok_v(v), "the same SYN/ACK without them accepted");
	o.tsval = 8;
	o.tsecr = 12345;
	v = seg_o(&c, SVR, ACK, S + 1, C + 1, 65535, 5, &o);
	TAP_CHECK(ok_v(v), "TSecr not checked once established");
}

static void test_md5(void)
{
	struct mos_tcp_conn c, before;
	struct mos_tcp_opts o = { .has_md5 = true };
	u32 v;

	handshake(&c, C, S);
	before = c;
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 10, &o);
	TAP_CHECK(v == MOS_TCPV_OUT_OF_WINDOW,
		  "MD5 on a connection without it: ignored (v=%#x)", v);
	v = seg_o(&c, SVR, RST, S + 1, 0, 0, 0, &o);
	TAP_CHECK(v == MOS_TCPV_RST_IGNORED, "MD5 RST without it: ignored");
	TAP_CHECK(!memcmp(&c, &before, sizeof(c)), "MD5 segments changed nothing");

	mos_tcp_init(&c, false);
	seg_o(&c, CLI, SYN, C, 0, 65535, 0, &o);
	seg_o(&c, SVR, SYN | ACK, S, C + 1, 65535, 0, &o);
	seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 0, &o);
	v = seg_o(&c, CLI, ACK, C + 1, S + 1, 65535, 10, &o);
	TAP_CHECK(ok_v(v), "MD5 on a connection whose SYNs had it: accepted");
}

static void test_liberal(void)
{
	struct mos_tcp_conn c;
	u32 v;

	mos_tcp_init(&c, true);
	v = seg(&c, CLI, ACK, 7000000, 9000000, 100);
	TAP_CHECK(ok_v(v), "liberal: first segment accepted");
	TAP_CHECK(st(&c, CLI) == MOS_TCP_ESTABLISHED &&
		  st(&c, SVR) == MOS_TCP_ESTABLISHED,
		  "liberal: both established on pickup");
	v = seg(&c, CLI, ACK, 7000000 + 5000000, 9000000, 100);
	TAP_CHECK(ok_v(v), "liberal: data far beyond the window accepted");
	v = seg(&c, SVR, ACK, 9000000 + 3000000, 7000000 + 100, 100);
	TAP_CHECK(ok_v(v), "liberal: server data far ahead accepted");
	v = seg(&c, SVR, RST, 123, 0, 0);
	TAP_CHECK(v == MOS_TCPV_RST, "liberal: any RST accepted");

}

/* Parse @n option bytes from an exact-size heap copy. */
static int popts(const u8 *bytes, u32 n, struct mos_tcp_opts *o)
{
	u8 *copy = malloc(n ? n : 1);
	int ret;

	if (n)
		memcpy(copy, bytes, n);
	ret = mos_tcp_parse_opts(copy, n, o);
	free(copy);
	return ret;
}

static void test_parse_opts(void)
{
	static const u8 syn[] = {
		2, 4, 0x05, 0xb4,	/* MSS 1460 */
		1, 3, 3, 7,		/* NOP, wscale 7 */
		4, 2,			/* SACK permitted */
		8, 10, 0, 0, 0, 100, 0, 0, 0, 200,	/* TS 100 200 */
	};
	static const u8 wbig[] = { 3, 3, 20, 0 };
	static const u8 md5[20] = { 19, 18, [19] = 0 };
	static const u8 eol[] = { 0, 2, 4, 0x05, 0xb4 };
	static const u8 bad_len1[] = { 2, 1, 0, 0 };
	static const u8 bad_over[] = { 1, 1, 8, 10, 0, 0, 0, 1 };
	static const u8 bad_nolen[] = { 1, 1, 1, 2 };
	static const u8 keep[] = { 2, 4, 0x02, 0x18, 8, 30 };
	struct mos_tcp_opts o;
	u8 sack[2 + 5 * 8];
	int ret, n, all;
	u32 i;

	ret = popts(syn, sizeof(syn), &o);
	TAP_CHECK(ret == 0 && o.mss == 1460 && o.has_wscale && o.wscale == 7 &&
		  o.sack_perm && o.has_ts && o.tsval == 100 && o.tsecr == 200 &&
		  !o.has_md5 && !o.n_sack, "opts: SYN options");
	ret = popts(wbig, sizeof(wbig), &o);
	TAP_CHECK(ret == 0 && o.has_wscale && o.wscale == 14,
		  "opts: wscale clamped to 14");
	ret = popts(md5, sizeof(md5), &o);
	TAP_CHECK(ret == 0 && o.has_md5, "opts: TCP-MD5");
	ret = popts(eol, sizeof(eol), &o);
	TAP_CHECK(ret == 0 && o.mss == 0, "opts: nothing after EOL");
	ret = popts(NULL, 0, &o);
	TAP_CHECK(ret == 0 && !o.mss && !o.has_ts, "opts: none");

	all = 1;
	for (n = 0; n <= 5; n++) {
		u32 olen = 2 + n * 8;

		memset(sack, 0, sizeof(sack));
		sack[0] = 5;
		sack[1] = olen;
		for (i = 0; i < (u32)n; i++) {
			sack[2 + i * 8 + 3] = 10 * i + 1;
			sack[6 + i * 8 + 3] = 10 * i + 2;
		}
		ret = popts(sack, olen, &o);
		all &= ret == 0 && o.n_sack == (n > 4 ? 4 : n);
		for (i = 0; i < o.n_sack; i++)
			all &= o.sack[i][0] == 10 * i + 1 &&
			       o.sack[i][1] == 10 * i + 2;
	}
	TAP_CHECK(all, "opts: SACK with 0..4 blocks (5 capped to 4)");

	TAP_CHECK(popts(bad_len1, sizeof(bad_len1), &o) == -1,
		  "opts: length 1 is malformed");
	TAP_CHECK(popts(bad_over, sizeof(bad_over), &o) == -1,
		  "opts: length past the header is malformed");
	TAP_CHECK(popts(bad_nolen, sizeof(bad_nolen), &o) == -1,
		  "opts: kind without a length byte is malformed");
	ret = popts(keep, sizeof(keep), &o);
	TAP_CHECK(ret == -1 && o.mss == 536,
		  "opts: options before a malformed one are kept");

	/* Every truncation of a full option block: no over-read, no crash. */
	for (i = 0; i <= sizeof(syn); i++)
		popts(syn, i, &o);
	TAP_CHECK(1, "opts: every truncation parsed without over-read");
	ret = popts(syn, 3, &o);
	TAP_CHECK(ret == -1 && o.mss == 0, "opts: MSS cut short is malformed");
}

static void test_state_names(void)
{
	static const char *const names[] = {
		"closed", "listen", "syn_sent", "syn_rcvd", "established",
		"fin_wait_1", "fin_wait_2", "closing", "time_wait",
		"close_wait", "last_ack",
	};
	int all = 1, i;

	for (i = 0; i < MOS_TCP_NSTATES; i++)
		all &= !strcmp(mos_tcp_state_name(i), names[i]);
	TAP_CHECK(all, "state names");
	TAP_CHECK(!strcmp(mos_tcp_state_name(MOS_TCP_NSTATES), "invalid") &&
		  !strcmp(mos_tcp_state_name(255), "invalid"),
		  "out-of-range state is \"invalid\"");
}

int main(void)
{
	test_handshake();
	test_simultaneous_open();
	test_split_handshake();
	test_syn_retrans();
	test_synack_bad_ack();
	test_client_fin_first();
	test_server_fin_first();
	test_simultaneous_close();
	test_half_close_and_fin_data();
	test_rst();
	test_bad_flags();
	test_window_seq();
	test_window_ack();
	test_wscale();
	test_sack();
	test_seq_wrap();
	test_paws();
	test_tsecr();
	test_md5();
	test_liberal();
	test_parse_opts();
	test_state_names();
	return tap_done();
}
