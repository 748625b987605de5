// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_engine - libFuzzer target for libmos-user and the mos engine.
 *
 * The input is a 4-byte header, then records, each one packet:
 *
 *   header  H0: bit0 structured records, bit1 midstream, bit2 one-sided,
 *               bit3 deliver on arrival, bits4-5 checksum mode, bit6 let
 *               callbacks act (stop a side, change the policy, unregister),
 *               bit7 free the context without mos_end_input()
 *           H1: bits0-3 overlap policy, bits4-5 peek window, bit7
 *               payloads read as the kernel reads a paged skb's (through
 *               mos_input.pkt: mos_pkt_copy(), held segments), bit6 with
 *               bit7: every stored range held, not only 64 bytes and more
 *           H2: bits0-2 max_flows - 1, bits3-4 flow_buffer, bits5-6
 *               buffer_total (small caps, so eviction and caps happen)
 *           H3: seeds the initial sequence numbers
 *
 *   raw record (H0 bit0 clear): [len:2 BE][flags:1][len bytes], the bytes
 *       an IP packet (DLT_RAW) or, flags bit0, an Ethernet frame
 *       (DLT_EN10MB); flags bit1: the wire length exceeds the captured
 *       one; bits2-4: time step; bit7: wire length below the captured one.
 *
 *   structured record (H0 bit0 set): 9 bytes, see struct srec, then 2
 *       option bytes when R2 bit7 is set, then the payload when R5 says
 *       it comes from the input. The harness keeps each direction's next
 *       sequence number, so valid handshakes, data and closes are one
 *       byte away and the fuzzer reaches deep TCP states.
 *
 * Callbacks on every built-in event (both hooks) and on a user-defined
 * event check invariants and abort() when one breaks:
 *   - the event info matches the registration, sockets are valid;
 *   - CONN_START comes first, CONN_END at most once per connection, and
 *     nothing follows it (bar the flush of a timed-out connection);
 *   - NEW_DATA and GAP offsets of each receiving side are contiguous from 0;
 *   - after mos_end_input() every connection has ended, and as many
 *     connections started as the statistics say.
 *
 * Built with -DMOS_FUZZ_REPLAY (no libFuzzer) it is a plain program:
 * "fuzz_engine FILE|DIR..." runs each input (MOS_FUZZ_VERBOSE=1 prints
 * the events), and "fuzz_engine -seed DIR" writes the seed corpus.
 * -DMOS_FUZZ_SKIP_KNOWN looks past the bugs whose reproducers are kept in
 * selftests/fuzz/crashes/, to fuzz on while they are open.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <mos/mos.h>
#include <pcap/dlt.h>
#include "engine/platform.h"
#include "mos_int.h"

#define HDR_LEN			4
#define SREC_LEN		9
#define MAX_PKT			8192
#define MAX_RECORDS		4096
#define NHOSTS			4
#define NPORTS			4
#define NCONNS			(NHOSTS * NHOSTS * NPORTS * 2)
#define MAX_SOCKS		4096
#define MAX_IDS			(MAX_RECORDS + 64)
#define TCP_NSTATES		11

/* Flags of struct sock_state. */
#define SS_OPEN		0x01	/* CONN_START seen, CONN_END not yet */
#define SS_TIMEOUT	0x02	/* TIMEOUT seen: only the flush and END */
#define SS_PARTIAL	0x04	/* a callback was unregistered: trust less */
#define SS_SWAPPED	0x08	/* roles swapped while open (known bug 3) */

/**
 * struct sock_state - what the checks remember of one socket
 * @id: the connection's id
 * @next_off: [side] offset the next NEW_DATA or GAP must start at
 * @flags: SS_*
 * @guessed: the roles were guessed at the last event
 */
struct sock_state {
	uint64_t id;
	uint64_t next_off[2];
	uint8_t flags;
	bool guessed;
};

/**
 * struct dir_state - the harness's view of one direction of a connection
 * @isn: initial sequence number
 * @nxt: next sequence number
 * @last: sequence number of the last segment sent
 * @tsval: last timestamp value sent
 * @init: the fields are set
 */
struct dir_state {
	uint32_t isn;
	uint32_t nxt;
	uint32_t last;
	uint32_t tsval;
	uint8_t init;
};

/**
 * struct reg - the registration a callback was called for
 * @type: MOS_ON_*
 * @hook: MOS_HK_*
 */
struct reg {
	int type;
	int hook;
};

/**
 * struct fuzz - state of one run
 * @mctx: the context
 * @socks: per socket number
 * @ended: per connection id: 1 started, 2 ended
 * @conn: [connection][direction] of structured records
 * @starts: CONN_START events seen
 * @action: callback action of the current record (0: none)
 * @ude: the user-defined event
 * @peek_window: the context's peek window
 * @iseed: seeds sequence numbers
 */
struct fuzz {
	struct mos_ctx *mctx;
	struct sock_state socks[MAX_SOCKS];
	uint8_t ended[MAX_IDS];
	struct dir_state conn[NCONNS][2];
	uint64_t starts;
	uint8_t action;
	int ude;
	uint32_t peek_window;
	uint8_t iseed;
};

static struct fuzz fz;
static bool verbose;	/* replay with MOS_FUZZ_VERBOSE=1: print events */
static struct reg regs[MOS_NUM_BUILTIN * 2];
static uint8_t pkt[MAX_PKT];
static uint8_t scratch[MAX_PKT];

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "invariant failed: %s (%s:%d)\n",\
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

static const uint64_t time_steps[8] = {
	0, 1000, 1000000, 100000000, 1500000000ULL, 11000000000ULL,
	65000000000ULL, 310000000000ULL,
};

/* ---- checks in callbacks ------------------------------------------- */

static void do_action(struct mos_ctx *mctx, int sock, const struct reg *r)
{
	uint8_t a = fz.action;
	int side = a >> 7, ret;
	void *u;

	if (!a || ((a >> 3) & 0xf) % MOS_NUM_BUILTIN != (unsigned int)r->type ||
	    sock < 4)
		return;
	fz.action = 0;
	switch (a & 7) {
	case 1:
#ifdef MOS_FUZZ_SKIP_KNOWN
		/* Known bug 1: not from inside reassembly. */
		if (r->type == MOS_ON_CONN_NEW_DATA ||
		    r->type == MOS_ON_REXMIT || r->type == MOS_ON_ERROR)
			break;
#endif
		CHECK(mos_stop_side(mctx, sock, side) == 0);
		break;
	case 2:
		ret = mos_set_overlap_policy(mctx, sock, side, (a >> 3) % 9);
		CHECK(ret == 0);
		break;
	case 3:
		ret = mos_unregister_callback(mctx, sock, r->type, r->hook);
		CHECK(ret == 0);
		fz.socks[sock].flags |= SS_PARTIAL;
		break;
	case 4:
		ret = mos_unregister_callback(mctx, sock, MOS_ON_PKT_IN,
					      MOS_HK_SND);
		CHECK(ret == 0 || ret == -ENOENT);
		fz.socks[sock].flags |= SS_PARTIAL;
		break;
	case 5:
		CHECK(mos_set_uctx(mctx, sock, &fz) == 0);
		u = mos_get_uctx(mctx, sock);
		CHECK(u == &fz);
		break;
	case 6:
		CHECK(mos_set_overlap_policy(mctx, sock, 2, 0) == -EINVAL);
		CHECK(mos_stop_side(mctx, sock, 2) == -EINVAL);
		break;
	default:
		break;
	}
}

/* The bytes just delivered are in the peek window. */
static void check_peek(int sock, const struct mos_event_info *info,
		       struct mos_ctx *mctx)
{
	int side = info->side;
	ssize_t n;
	size_t k;

	k = info->len < fz.peek_window ? info->len : fz.peek_window;
	if (k > sizeof(scratch))
		k = sizeof(scratch);
	n = mos_ppeek(mctx, sock, side, scratch, k,
		      info->off + info->len - k);
	if (fz.peek_window >= info->len && info->len <= 65536)
		CHECK(n == (ssize_t)k);
	else
		CHECK(n <= (ssize_t)k);
	n = mos_peek(mctx, sock, side, scratch, sizeof(scratch));
	CHECK(n >= 0 && n <= (ssize_t)sizeof(scratch));
	CHECK(mos_ppeek(mctx, sock, side, scratch, 1,
			info->off + info->len + 1) == -ERANGE);
}

static void check_stream(int sock, const struct mos_event_info *info,
			 struct mos_ctx *mctx)
{
	struct sock_state *st = &fz.socks[sock];
	int side = info->side;

	CHECK(side == MOS_SIDE_CLI || side == MOS_SIDE_SVR);
	CHECK(info->len > 0);
	/* Peek first: a broken offset may make peeking crash, a worse sign. */
	if (info->type == MOS_ON_CONN_NEW_DATA && !(st->flags & SS_SWAPPED))
		check_peek(sock, info, mctx);
	if (!(st->flags & SS_PARTIAL))
		CHECK(info->off == st->next_off[side]);
	st->next_off[side] = info->off + info->len;
}

static void on_event(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	const struct reg *r = arg;
	struct mos_event_info info;
	struct mos_flow_info fi;
	struct sock_state *st;

	(void)ev;
	CHECK(mos_get_event_info(mctx, &info) == 0);
	if (verbose)
		fprintf(stderr, "sock %d ev %d/%d side %d code %d off %llu len %llu\n",
			sock, info.type, info.hook, side, info.code,
			(unsigned long long)info.off,
			(unsigned long long)info.len);
	CHECK(info.type == r->type && info.hook == r->hook);
	CHECK(info.side == side);
	if (sock == 0) {
		/* Flow-less: orphans, and errors before a flow exists. */
		CHECK(r->type == MOS_ON_ORPHAN || r->type == MOS_ON_ERROR);
		CHECK(mos_get_flow_info(mctx, 0, &fi) == -EBADF);
		return;
	}
	CHECK(sock >= 4 && sock < MAX_SOCKS);
	CHECK(r->type != MOS_ON_ORPHAN);
	CHECK(mos_get_flow_info(mctx, sock, &fi) == 0);
	CHECK(fi.state[0] >= 0 && fi.state[0] < TCP_NSTATES);
	CHECK(fi.state[1] >= 0 && fi.state[1] < TCP_NSTATES);
	CHECK(fi.id > 0 && fi.id < MAX_IDS);
	st = &fz.socks[sock];

	if (r->type == MOS_ON_CONN_START) {
		CHECK(!(st->flags & SS_OPEN) || (st->flags & SS_PARTIAL));
		CHECK(fz.ended[fi.id] == 0);
		memset(st, 0, sizeof(*st));
		st->flags = SS_OPEN;
		st->id = fi.id;
		fz.ended[fi.id] = 1;
		fz.starts++;
		CHECK(fi.end_reason == 0);
		st->guessed = fi.roles_guessed;
	} else {
#ifdef MOS_FUZZ_SKIP_KNOWN
		/* Known bug 2: bad checksums of an ended connection. */
		if (!(st->flags & SS_OPEN) && r->type == MOS_ON_ERROR &&
		    info.code == MOS_ERROR_BAD_CSUM)
			return;
#endif
		/* Nothing before CONN_START, nothing after CONN_END. */
		CHECK(st->flags & SS_OPEN);
		CHECK(st->id == fi.id);
		CHECK(fz.ended[fi.id] == 1);
	}
#ifdef MOS_FUZZ_SKIP_KNOWN
	/* Known bug 3: swapped roles swap the sides of an open socket. */
	if (st->guessed && !fi.roles_guessed) {
		uint64_t t = st->next_off[0];

		st->next_off[0] = st->next_off[1];
		st->next_off[1] = t;
		st->flags |= SS_SWAPPED;
	}
#endif
	CHECK(st->guessed || !fi.roles_guessed);
	st->guessed = fi.roles_guessed;
	if (st->flags & SS_TIMEOUT)
		CHECK(r->type == MOS_ON_CONN_NEW_DATA ||
		      r->type == MOS_ON_CONN_END ||
		      (r->type == MOS_ON_ERROR &&
		       info.code == MOS_ERROR_GAP));

	switch (r->type) {
	case MOS_ON_CONN_END:
		CHECK(info.code >= MOS_END_REASON_FIN &&
		      info.code <= MOS_END_REASON_EOF);
		CHECK(fi.end_reason == info.code);
		st->flags &= ~SS_OPEN;
		fz.ended[fi.id] = 2;
		return;
	case MOS_ON_TIMEOUT:
		st->flags |= SS_TIMEOUT;
		break;
	case MOS_ON_CONN_NEW_DATA:
		check_stream(sock, &info, mctx);
		break;
	case MOS_ON_ERROR:
		CHECK(info.code >= 0 && info.code <= MOS_ERROR_NO_MEMORY);
		if (info.code == MOS_ERROR_GAP)
			check_stream(sock, &info, mctx);
		break;
	case MOS_ON_TCP_STATE_CHANGE:
		CHECK(info.code >= 0 && info.code < TCP_NSTATES);
		CHECK(info.old_state >= 0 && info.old_state < TCP_NSTATES);
		CHECK(info.code != info.old_state);
		CHECK(fi.state[side] == info.code);
		break;
	case MOS_ON_REXMIT:
		CHECK(info.code >= 0 && info.code <= MOS_REXMIT_KIND_UNVERIFIED);
		CHECK(info.len > 0);
		break;
	default:
		break;
	}
	do_action(mctx, sock, r);
}

/* The user-defined event: new data of at least 16 bytes. */
static bool ude_filter(struct mos_ctx *mctx, int sock, int side,
		       mos_event_t ev, void *arg)
{
	struct mos_event_info info;

	(void)sock, (void)side, (void)ev, (void)arg;
	CHECK(mos_get_event_info(mctx, &info) == 0);
	CHECK(info.type == MOS_ON_CONN_NEW_DATA);
	return info.len >= 16;
}

static void on_ude(struct mos_ctx *mctx, int sock, int side,
		   mos_event_t ev, void *arg)
{
	struct mos_event_info info;

	(void)side, (void)ev, (void)arg;
	CHECK(mos_get_event_info(mctx, &info) == 0);
	CHECK(info.type == MOS_ON_CONN_NEW_DATA && info.len >= 16);
	CHECK(sock >= 4);
}

/* ---- structured records -------------------------------------------- */

/**
 * struct srec - a structured record, one packet
 * @ends: bits0-1 client host, bits2-3 server host, bits4-5 port pair,
 *	bit6 sent by the server, bit7 IPv6
 * @flags: TCP flags
 * @mode: bits0-2 seq choice, bits3-5 ack choice, bit6 bad checksum,
 *	bit7 two option bytes follow
 * @delta: offset used by the seq and ack choices
 * @len: payload length
 * @pay: bits0-1 payload source (pattern, input, pattern x16, zeros),
 *	bits2-4 time step, bits5-6 window, bit7 Ethernet frame
 * @fill: pattern byte
 * @action: what a callback does (bits0-2), on which event (bits3-6), to
 *	which side (bit7)
 * @misc: bit0 cut by snap length, bit1 VLAN tag, bit2 IP options, bit3
 *	IP fragment, bit4 wire length above total length, bit5 URG pointer
 */
struct srec {
	uint8_t ends;
	uint8_t flags;
	uint8_t mode;
	uint8_t delta;
	uint8_t len;
	uint8_t pay;
	uint8_t fill;
	uint8_t action;
	uint8_t misc;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static struct dir_state *dir_get(int c, int d)
{
	struct dir_state *s = &fz.conn[c][d];

	if (!s->init) {
		s->isn = mix32(c * 2 + d + fz.iseed * 977u);
		s->nxt = s->isn;
		s->last = s->isn;
		s->tsval = mix32(s->isn) & 0xffffff;
		s->init = 1;
	}
	return s;
}

static uint32_t pick_seq(const struct dir_state *s, int how, uint32_t d)
{
	switch (how) {
	case 1:
		return s->nxt - d;
	case 2:
		return s->nxt + d;
	case 3:
		return s->nxt - d * 64;
	case 4:
		return s->nxt + d * 1024;
	case 5:
		return s->isn + d;
	case 6:
		return s->nxt + 0x80000000u;
	case 7:
		return s->last;
	default:
		return s->nxt;
	}
}

static uint32_t pick_ack(const struct dir_state *s, int how, uint32_t d)
{
	switch (how) {
	case 1:
		return s->nxt - d;
	case 2:
		return s->nxt + d;
	case 3:
		return s->last;
	case 4:
		return 0;
	case 5:
		return s->isn + 1;
	case 6:
		return s->nxt - d * 64;
	case 7:
		return d << 24;
	default:
		return s->nxt;
	}
}

/* TCP options from the two option bytes; returns their padded length. */
static size_t put_opts(uint8_t *o, uint8_t mask, uint8_t par,
		       struct dir_state *me, const struct dir_state *peer,
		       uint32_t ack)
{
	size_t n = 0;

	if ((mask & 0x01) && n + 4 <= 40) {
		o[n] = 2;
		o[n + 1] = 4;
		put16(o + n + 2, 536 + par * 4);
		n += 4;
	}
	if ((mask & 0x02) && n + 3 <= 40) {
		o[n] = 3;
		o[n + 1] = 3;
		o[n + 2] = par & 0x0f;
		n += 3;
	}
	if ((mask & 0x04) && n + 2 <= 40) {
		o[n] = 4;
		o[n + 1] = 2;
		n += 2;
	}
	if ((mask & 0x88) && n + 10 <= 40) {
		/* bit7: a stale timestamp, which PAWS must refuse */
		me->tsval += (mask & 0x80) ? -1000000u : 1u + (par & 3);
		o[n] = 8;
		o[n + 1] = 10;
		put32(o + n + 2, me->tsval);
		put32(o + n + 6, peer->tsval);
		n += 10;
	}
	if ((mask & 0x10) && n + 10 <= 40) {
		o[n] = 5;
		o[n + 1] = 10;
		put32(o + n + 2, ack + par);
		put32(o + n + 6, ack + par + 100);
		n += 10;
	}
	if ((mask & 0x20) && n + 18 <= 40) {
		o[n] = 19;
		o[n + 1] = 18;
		memset(o + n + 2, par, 16);
		n += 18;
	}
	if ((mask & 0x40) && n + 2 <= 40) {
		/* An odd option, possibly with a bad length. */
		o[n] = par;
		o[n + 1] = par >> 4;
		n += 2;
	}
	while (n & 3)
		o[n++] = 1;	/* NOP */
	return n;
}

static void ip_addr(uint8_t *a, int host, int v6)
{
	if (v6) {
		memset(a, 0, 16);
		a[0] = 0xfd;
		a[15] = 1 + host;
	} else {
		a[0] = 10;
		a[1] = 0;
		a[2] = 0;
		a[3] = 1 + host;
	}
}

/* Build one packet from a record; returns what is consumed, 0 at the end. */
static size_t run_srec(const uint8_t *d, size_t n, uint64_t *ts)
{
	static const uint16_t ports[NPORTS][2] = {
		{ 40000, 80 }, { 40001, 80 }, { 80, 80 }, { 1234, 443 },
	};
	static const uint16_t wins[4] = { 65535, 0, 1, 8192 };
	uint32_t seq, ack, plen, caplen, wire, i, sum;
	size_t used = SREC_LEN, olen = 0, l2 = 0, iphl, tcp;
	uint8_t ob[44], saddr[16], daddr[16];
	struct dir_state *me, *peer;
	int c, dir, v6, sh, dh;
	struct srec r;
	uint16_t sp, dp;
	uint8_t *ip;

	if (n < SREC_LEN)
		return 0;
	memcpy(&r, d, SREC_LEN);
	v6 = r.ends >> 7;
	dir = (r.ends >> 6) & 1;
	c = (r.ends & 0x3f) | v6 << 6;
	sh = dir ? (r.ends >> 2) & 3 : r.ends & 3;
	dh = dir ? r.ends & 3 : (r.ends >> 2) & 3;
	sp = ports[(r.ends >> 4) & 3][dir];
	dp = ports[(r.ends >> 4) & 3][!dir];
	me = dir_get(c, dir);
	peer = dir_get(c, !dir);

	seq = pick_seq(me, r.mode & 7, r.delta);
	ack = pick_ack(peer, (r.mode >> 3) & 7, r.delta);
	if (r.mode & 0x80) {
		if (n < used + 2)
			return 0;
		olen = put_opts(ob, d[used], d[used + 1], me, peer, ack);
		used += 2;
	}

	plen = r.len;
	if ((r.pay & 3) == 2)
		plen *= 16;
	*ts += time_steps[(r.pay >> 2) & 7];

	if (r.pay & 0x80) {
		/* Ethernet, perhaps with a VLAN tag */
		memset(pkt, 0, 12);
		pkt[0] = 2;
		pkt[6] = 2;
		pkt[11] = 1;
		l2 = 12;
		if (r.misc & 2) {
			put16(pkt + l2, 0x8100);
			put16(pkt + l2 + 2, 7);
			l2 += 4;
		}
		put16(pkt + l2, v6 ? 0x86dd : 0x0800);
		l2 += 2;
	}
	ip = pkt + l2;
	iphl = v6 ? 40 : ((r.misc & 4) ? 24 : 20);
	tcp = iphl;
	if (l2 + iphl + 20 + olen + plen > MAX_PKT)
		plen = MAX_PKT - l2 - iphl - 20 - olen;

	/* payload */
	switch (r.pay & 3) {
	case 1:
		if (n - used < plen)
			plen = n - used;
		memcpy(ip + tcp + 20 + olen, d + used, plen);
		used += plen;
		break;
	case 3:
		memset(ip + tcp + 20 + olen, 0, plen);
		break;
	default:
		for (i = 0; i < plen; i++)
			ip[tcp + 20 + olen + i] = r.fill + i;
		break;
	}

	ip_addr(saddr, sh, v6);
	ip_addr(daddr, dh, v6);
	if (v6) {
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, 20 + olen + plen);
		ip[6] = 6;
		ip[7] = 64;
		memcpy(ip + 8, saddr, 16);
		memcpy(ip + 24, daddr, 16);
	} else {
		memset(ip, 0, iphl);
		ip[0] = 0x40 | (iphl / 4);
		put16(ip + 2, iphl + 20 + olen + plen);
		put16(ip + 4, r.delta);
		/* DF, or a fragment: MF or an offset */
		put16(ip + 6, (r.misc & 8) ? (r.delta & 1 ? 0x2000 : 0x0010) :
		      0x4000);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, saddr, 4);
		memcpy(ip + 16, daddr, 4);
		if (iphl > 20)
			ip[20] = 1;	/* NOP options */
		put16(ip + 10, csum_fold(csum_add(0, ip, iphl)));
	}

	put16(ip + tcp, sp);
	put16(ip + tcp + 2, dp);
	put32(ip + tcp + 4, seq);
	put32(ip + tcp + 8, ack);
	ip[tcp + 12] = (5 + olen / 4) << 4;
	ip[tcp + 13] = r.flags;
	put16(ip + tcp + 14, (r.pay & 0x60) == 0x60 ?
	      (uint16_t)(r.fill << 4) : wins[(r.pay >> 5) & 3]);
	put16(ip + tcp + 16, 0);
	put16(ip + tcp + 18, (r.misc & 0x20) ? r.delta : 0);
	memcpy(ip + tcp + 20, ob, olen);

	/* TCP checksum over the pseudo header and the segment */
	sum = csum_add(0, saddr, v6 ? 16 : 4);
	sum = csum_add(sum, daddr, v6 ? 16 : 4);
	sum += 6 + 20 + olen + plen;
	sum = csum_add(sum, ip + tcp, 20 + olen + plen);
	put16(ip + tcp + 16, csum_fold(sum) ^ ((r.mode & 0x40) ? 0x5a : 0));

	caplen = l2 + tcp + 20 + olen + plen;
	wire = caplen;
	if ((r.misc & 1) && plen)
		caplen -= 1 + r.delta % plen;
	if (r.misc & 0x10)
		wire += 1 + r.delta;
	fz.action = r.action;
	mos_input_packet(fz.mctx, l2 ? DLT_EN10MB : DLT_RAW, *ts, pkt, caplen,
			 wire);
	fz.action = 0;

	/* advance this direction */
	me->last = seq;
	i = seq + plen + !!(r.flags & 0x02) + !!(r.flags & 0x01);
	if ((int32_t)(i - me->nxt) > 0)
		me->nxt = i;
	return used;
}

/* ---- raw records --------------------------------------------------- */

static size_t run_raw(const uint8_t *d, size_t n, uint64_t *ts)
{
	uint32_t len, wire;
	uint8_t fl;

	if (n < 3)
		return 0;
	len = (uint32_t)d[0] << 8 | d[1];
	fl = d[2];
	if (len > n - 3)
		len = n - 3;
	*ts += time_steps[(fl >> 2) & 7];
	wire = len;
	if (fl & 2)
		wire += 1 + (fl >> 5) * 97;
	if (fl & 0x80)
		wire = len / 2;
	/* A private copy: ASan then sees reads past the captured bytes. */
	memcpy(pkt, d + 3, len);
	mos_input_packet(fz.mctx, (fl & 1) ? DLT_EN10MB : DLT_RAW, *ts, pkt,
			 len, wire);
	return 3 + len;
}

/* ---- one input ----------------------------------------------------- */

static int setup(const uint8_t *h)
{
	static const uint32_t peek[4] = { 65536, 0, 100, 4096 };
	struct mos_options opt;
	int i, ret, sock;

	mos_buf_cache_off();	/* for the sanitizers */
	mos_options_init(&opt);
	opt.midstream = h[0] & 2;
	opt.one_sided = h[0] & 4;
	opt.deliver_on_arrival = h[0] & 8;
	opt.checksum = (h[0] >> 4) & 3;
	if (opt.checksum == 3)
		opt.checksum = 2;
	opt.overlap_policy = (h[1] & 0x0f) % 9;
	opt.peek_window = peek[(h[1] >> 4) & 3];
	opt.max_flows = 1 + (h[2] & 7);
	opt.flow_buffer = 256u << ((h[2] >> 3) & 3);
	opt.buffer_total = 2048u << ((h[2] >> 5) & 3);
	fz.peek_window = opt.peek_window;
	fz.iseed = h[3];

	ret = mos_ctx_new(&fz.mctx, &opt);
	CHECK(ret == 0);
	fz.mctx->input_paged = h[1] & 0x80;
	mos_pkt_hold_min = (h[1] & 0xc0) == 0xc0 ? 1 : 64;
	sock = mos_socket(fz.mctx, MOS_SOCK_MONITOR_STREAM);
	CHECK(sock == 0);
	CHECK(mos_socket(fz.mctx, MOS_SOCK_MONITOR_STREAM) == -EBUSY);
	for (i = 0; i < MOS_NUM_BUILTIN * 2; i++) {
		regs[i].type = i / 2;
		regs[i].hook = i % 2;
		ret = mos_register_callback(fz.mctx, sock, i / 2, i % 2,
					    on_event, &regs[i]);
		CHECK(ret == 0);
	}
	fz.ude = mos_define_event(fz.mctx, MOS_ON_CONN_NEW_DATA, ude_filter,
				  NULL);
	CHECK(fz.ude >= MOS_NUM_BUILTIN);
	ret = mos_register_callback(fz.mctx, sock, fz.ude, MOS_HK_RCV, on_ude,
				    NULL);
	CHECK(ret == 0);
	return 0;
}

static void finish(bool end_input)
{
	struct mos_stats st;
	int i;

	if (end_input) {
		mos_end_input(fz.mctx);
		for (i = 0; i < MAX_SOCKS; i++)
			CHECK(!(fz.socks[i].flags & SS_OPEN) ||
			      (fz.socks[i].flags & SS_PARTIAL));
		CHECK(mos_get_stats(fz.mctx, &st) == 0);
		CHECK(st.flows == fz.starts);
	}
	mos_ctx_free(fz.mctx);
	fz.mctx = NULL;
}

int fuzz_one_input(const uint8_t *data, size_t size);

/*
 * libFuzzer's entry point, under a name kernel style accepts: the asm
 * label gives the symbol its libFuzzer name.
 */
int fuzz_one_input(const uint8_t *data, size_t size)
	__asm__("LLVMFuzzerTestOneInput");

int fuzz_one_input(const uint8_t *data, size_t size)
{
	uint8_t h[HDR_LEN] = { 0 };
	uint64_t ts = 1000000000000ULL;
	size_t pos, used;
	int nrec;

	memcpy(h, data, size < HDR_LEN ? size : HDR_LEN);
	memset(fz.socks, 0, sizeof(fz.socks));
	memset(fz.ended, 0, sizeof(fz.ended));
	memset(fz.conn, 0, sizeof(fz.conn));
	fz.starts = 0;
	fz.action = 0;
	if (!(h[0] & 0x40))
		h[0] &= 0x7f;	/* no actions: always end the input */
	setup(h);
	pos = size < HDR_LEN ? size : HDR_LEN;
	for (nrec = 0; pos < size && nrec < MAX_RECORDS; nrec++) {
		if (h[0] & 1)
			used = run_srec(data + pos, size - pos, &ts);
		else
			used = run_raw(data + pos, size - pos, &ts);
		if (!used)
			break;
		pos += used;
	}
	finish(!(h[0] & 0x80));
	return 0;
}

#ifdef MOS_FUZZ_REPLAY
/* ---- replay and seeds ---------------------------------------------- */

/**
 * struct seedbuf - a seed being written
 * @b: its bytes
 * @n: bytes used
 */
struct seedbuf {
	uint8_t b[4096];
	size_t n;
};

static void sb_add(struct seedbuf *s, const uint8_t *p, size_t n)
{
	if (s->n + n <= sizeof(s->b)) {
		memcpy(s->b + s->n, p, n);
		s->n += n;
	}
}

/* Append a structured record: ends, flags, mode, len, payload source. */
static void sb_rec(struct seedbuf *s, uint8_t ends, uint8_t flags,
		   uint8_t mode, uint8_t len, uint8_t pay)
{
	uint8_t r[SREC_LEN] = { ends, flags, mode, 3, len, pay, 'a', 0, 0 };

	sb_add(s, r, sizeof(r));
}

static int sb_write(const struct seedbuf *s, const char *dir,
		    const char *name)
{
	char path[4096];
	FILE *f;
	size_t w;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return -1;
	}
	w = fwrite(s->b, 1, s->n, f);
	if (fclose(f) || w != s->n) {
		perror(path);
		return -1;
	}
	return 0;
}

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_PSH	0x08
#define F_ACK	0x10
#define TO_CLI	0x40

/* The handshake of connection @e; with @opts, MSS, WS, SACK_PERM, TS. */
static void sb_handshake(struct seedbuf *s, uint8_t e, bool opts)
{
	uint8_t o[2] = { 0x0f, 7 };

	sb_rec(s, e, F_SYN, opts ? 0x80 : 0, 0, 0);
	if (opts)
		sb_add(s, o, 2);
	sb_rec(s, e | TO_CLI, F_SYN | F_ACK, opts ? 0x80 : 0, 0, 0);
	if (opts)
		sb_add(s, o, 2);
	sb_rec(s, e, F_ACK, 0, 0, 0);
}

static int write_seeds(const char *dir)
{
	static const uint8_t ip_syn[] = {
		0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1,
		10, 0, 0, 2, 0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0,
		0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
	};
	const uint8_t hdr_s[HDR_LEN] = { 0x01, 0x00, 0x1f, 0 };
	const uint8_t hdr_m[HDR_LEN] = { 0x0b, 0x03, 0x1f, 7 };
	const uint8_t hdr_a[HDR_LEN] = { 0x61, 0x02, 0x02, 9 };
	const uint8_t hdr_r[HDR_LEN] = { 0x20, 0x00, 0x1f, 0 };
	uint8_t rh[3], hole[SREC_LEN] = { 0 };
	struct seedbuf s;
	int err = 0, i;

	mkdir(dir, 0755);
	/* 1: handshake, data both ways, FIN close */
	s.n = 0;
	sb_add(&s, hdr_s, HDR_LEN);
	sb_handshake(&s, 0x00, false);
	sb_rec(&s, 0x00, F_PSH | F_ACK, 0, 40, 0);
	sb_rec(&s, TO_CLI, F_ACK, 0, 0, 0);
	sb_rec(&s, TO_CLI, F_PSH | F_ACK, 0, 200, 0);
	sb_rec(&s, 0x00, F_ACK, 0, 0, 0);
	sb_rec(&s, 0x00, F_FIN | F_ACK, 0, 0, 0);
	sb_rec(&s, TO_CLI, F_FIN | F_ACK, 0, 0, 0);
	sb_rec(&s, 0x00, F_ACK, 0, 0, 0);
	err |= sb_write(&s, dir, "seed-fin");
	s.b[1] = 0x80;		/* as the kernel reads it: 200 bytes held */
	err |= sb_write(&s, dir, "seed-fin-paged");

	/* 2: options, out-of-order data and a retransmission, RST */
	s.n = 0;
	sb_add(&s, hdr_s, HDR_LEN);
	sb_handshake(&s, 0x15, true);
	sb_rec(&s, 0x15, F_ACK, 0x02, 50, 1);	/* seq + 3: a hole */
	for (i = 0; i < 50; i++)
		sb_add(&s, (const uint8_t *)"0123456789" + i % 10, 1);
	hole[0] = 0x15;
	hole[1] = F_ACK;
	hole[2] = 0x01;				/* seq - 53: fills it */
	hole[3] = 53;
	hole[4] = 3;
	hole[6] = 'x';
	sb_add(&s, hole, SREC_LEN);
	sb_rec(&s, 0x15, F_ACK, 0x07, 3, 3);	/* rexmit, other bytes */
	sb_rec(&s, 0x15 | TO_CLI, F_ACK, 0, 0, 0);
	sb_rec(&s, 0x15, F_RST | F_ACK, 0, 0, 0);
	err |= sb_write(&s, dir, "seed-rst");
	/* 2b, 2c: the same as the kernel reads it, some or all bytes held */
	s.b[1] = 0x80 | 0x03;			/* policy bsd */
	err |= sb_write(&s, dir, "seed-rst-paged");
	s.b[1] = 0xc0 | 0x06;			/* policy solaris */
	err |= sb_write(&s, dir, "seed-rst-held");

	/* 3: midstream, on arrival, IPv6 and Ethernet, big segments */
	s.n = 0;
	sb_add(&s, hdr_m, HDR_LEN);
	for (i = 0; i < 3; i++) {
		sb_rec(&s, 0x80 | i, F_ACK, 0, 100, 2 | 0x80);
		sb_rec(&s, 0x80 | i | TO_CLI, F_ACK, 0, 10, 0x0c);
	}
	sb_handshake(&s, 0x20, false);
	sb_rec(&s, 0x20, F_ACK, 0x02, 200, 2);
	sb_rec(&s, 0x20 | TO_CLI, F_ACK, 0, 0, 0x1c);
	err |= sb_write(&s, dir, "seed-midstream");

	/* 4: many connections (eviction), timeouts, callback actions */
	s.n = 0;
	sb_add(&s, hdr_a, HDR_LEN);
	for (i = 0; i < 12; i++) {
		uint8_t e = (i & 0xf) | ((i & 3) << 4);
		uint8_t r[SREC_LEN] = { e, F_SYN, 0, 0, 0, 0, 0, 0, 0 };

		sb_add(&s, r, SREC_LEN);
		r[0] |= TO_CLI;
		r[1] = F_SYN | F_ACK;
		sb_add(&s, r, SREC_LEN);
		r[0] = e;
		r[1] = F_ACK;
		r[4] = 30;
		r[5] = (i % 8) << 2;
		r[7] = 1 | (MOS_ON_CONN_NEW_DATA << 3) | (i & 1) << 7;
		if (i & 2)
			r[7] = 3 | (MOS_ON_PKT_IN << 3);
		sb_add(&s, r, SREC_LEN);
		r[0] |= TO_CLI;
		r[4] = 0;
		r[7] = 2 | (MOS_ON_PKT_IN << 3);
		sb_add(&s, r, SREC_LEN);
	}
	err |= sb_write(&s, dir, "seed-actions");

	/* 5: raw IP and Ethernet bytes */
	s.n = 0;
	sb_add(&s, hdr_r, HDR_LEN);
	rh[0] = 0;
	rh[1] = sizeof(ip_syn);
	rh[2] = 0;
	sb_add(&s, rh, 3);
	sb_add(&s, ip_syn, sizeof(ip_syn));
	rh[1] = sizeof(ip_syn) + 14;
	rh[2] = 1 | 2;
	sb_add(&s, rh, 3);
	sb_add(&s, (const uint8_t *)"\x02\0\0\0\0\1\x02\0\0\0\0\2\x08\0", 14);
	sb_add(&s, ip_syn, sizeof(ip_syn));
	err |= sb_write(&s, dir, "seed-raw");
	return err ? 1 : 0;
}

static int run_file(const char *path)
{
	uint8_t *buf;
	long len;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len > 0 ? len : 1);
	if (!buf || (len > 0 && fread(buf, 1, len, f) != (size_t)len)) {
		perror(path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	fuzz_one_input(buf, len);
	free(buf);
	return 0;
}

static int run_path(const char *path, int *count)
{
	char sub[4096];
	struct dirent *de;
	struct stat sb;
	int err = 0;
	DIR *dir;

	if (stat(path, &sb)) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	dir = opendir(path);
	if (!dir) {
		perror(path);
		return 1;
	}
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		err |= run_path(sub, count);
	}
	closedir(dir);
	return err;
}

int main(int argc, char **argv)
{
	int i, err = 0, count = 0;

	verbose = getenv("MOS_FUZZ_VERBOSE");
	if (argc == 3 && !strcmp(argv[1], "-seed"))
		return write_seeds(argv[2]);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR... | -seed DIR\n",
			argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		err |= run_path(argv[i], &count);
	printf("replayed %d inputs\n", count);
	return err;
}
#endif /* MOS_FUZZ_REPLAY */
