// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the consumer side of the /dev/mos rings, without a kernel:
 * rings laid out in process memory exactly as the ABI says (consumer page,
 * control page, data area mapped twice back to back from one memfd, as the
 * kernel maps its pages), filled by a small producer that follows
 * include/uapi/linux/mos_ring.h.
 *
 * The reader (libmos-user/ring_reader.c): records in order, records that
 * end exactly at the wrap or straddle it, free-running positions (also
 * across 2^64), the consumer position (published with release only when
 * asked, or after a quarter of the ring), the idle check before sleeping,
 * and corrupt rings of every kind rejected with -EBADMSG, never a crash.
 *
 * The live backend (libmos-user/live.c) on such rings, through the public
 * API: callbacks for records, NEW_DATA split with MOS_REC_F_MORE, gaps
 * synthesised after lost records exactly where the bytes are missing, loss
 * counters, orphans, per-flow event masks, mos_stop_side(), the end of
 * every open connection (eof, or fin when both ends closed), mos_stop()
 * waking a blocked mos_run_once(), a full ring, and a corrupt ring as an
 * error of mos_run_once()/mos_run().
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "mos_int.h"
#include "tap.h"

#define HDR		((uint32_t)sizeof(struct mos_rec))
#define ALIGN8(x)	(((x) + 7) & ~(uint64_t)7)
#define SMALL		MOS_RING_MIN_BYTES
#define BIG		(256 * 1024)

/* ---- a ring in memory, and its producer ------------------------------- */

/**
 * struct tring - one ring as the kernel lays it out
 * @fd: the memfd holding consumer page, control page and data
 * @bytes: data area size
 * @page: page size
 * @cons: the consumer page (one writable mapping, shared by both sides)
 * @ctrl: the control page, read-only view (the consumer's)
 * @data: the data area, read-only, twice back to back (the consumer's)
 * @wctrl: the control page, writable view (the producer's)
 * @wdata: the data area, writable, twice (the producer's)
 * @ro: the read-only region, for unmapping
 * @rw: the writable region
 * @prod: the producer's position
 * @lost_events: events the producer could not write since its last LOST
 * @lost_bytes: their payload bytes
 */
struct tring {
	int fd;
	size_t bytes;
	size_t page;
	struct mos_ring_cons *cons;
	const struct mos_ring_ctrl *ctrl;
	const uint8_t *data;
	struct mos_ring_ctrl *wctrl;
	uint8_t *wdata;
	uint8_t *ro;
	uint8_t *rw;
	uint64_t prod;
	uint64_t lost_events;
	uint64_t lost_bytes;
};

/* Control page then the data area twice, at @base, with protection @prot. */
static uint8_t *map_double(int fd, size_t page, size_t bytes, int prot)
{
	uint8_t *base = mmap(NULL, page + 2 * bytes, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (base == MAP_FAILED)
		return NULL;
	if (mmap(base, page + bytes, prot, MAP_SHARED | MAP_FIXED, fd,
		 page) == MAP_FAILED ||
	    mmap(base + page + bytes, bytes, prot, MAP_SHARED | MAP_FIXED, fd,
		 2 * page) == MAP_FAILED) {
		munmap(base, page + 2 * bytes);
		return NULL;
	}
	return base;
}

/* A new ring whose positions (both) start at @start. */
static int tring_init(struct tring *t, size_t bytes, uint64_t start)
{
	memset(t, 0, sizeof(*t));
	t->page = sysconf(_SC_PAGESIZE);
	t->bytes = bytes;
	t->fd = memfd_create("mos-ring", MFD_CLOEXEC);
	if (t->fd < 0 || ftruncate(t->fd, 2 * t->page + bytes))
		return -1;
	t->cons = mmap(NULL, t->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		       t->fd, 0);
	t->ro = map_double(t->fd, t->page, bytes, PROT_READ);
	t->rw = map_double(t->fd, t->page, bytes, PROT_READ | PROT_WRITE);
	if (t->cons == MAP_FAILED || !t->ro || !t->rw)
		return -1;
	t->ctrl = (const void *)t->ro;
	t->data = t->ro + t->page;
	t->wctrl = (void *)t->rw;
	t->wdata = t->rw + t->page;
	t->wctrl->data_bytes = bytes;
	t->wctrl->producer = start;
	t->cons->consumer = start;
	t->prod = start;
	return 0;
}

static void tring_free(struct tring *t)
{
	munmap(t->cons, t->page);
	munmap(t->ro, t->page + 2 * t->bytes);
	munmap(t->rw, t->page + 2 * t->bytes);
	close(t->fd);
}

static struct mos_live_ring_map tring_map(const struct tring *t)
{
	struct mos_live_ring_map m = {
		.cons = t->cons, .ctrl = t->ctrl, .data = t->data,
		.data_bytes = t->bytes,
	};

	return m;
}

/* Write @len raw bytes as a record of @step bytes; no publish. */
static void put_raw(struct tring *t, const void *rec, size_t len, size_t step)
{
	uint8_t *p = t->wdata + (t->prod & (t->bytes - 1));

	memset(p, 0, step);
	memcpy(p, rec, len);
	t->prod += step;
}

static void publish(struct tring *t)
{
	__atomic_store_n(&t->wctrl->producer, t->prod, __ATOMIC_RELEASE);
}

/*
 * The producer's side of the protocol: room is what the consumer gave
 * back (acquire); a record that does not fit is counted as lost and a
 * LOST record goes first once there is room again.
 */
static bool produce(struct tring *t, const struct mos_rec *h,
		    const void *payload)
{
	uint64_t cons = __atomic_load_n(&t->cons->consumer, __ATOMIC_ACQUIRE);
	uint64_t need = ALIGN8(h->size);
	uint8_t rec[HDR + MOS_REC_MAX_PAYLOAD];

	if (t->lost_events)
		need += HDR;
	if (t->prod + need - cons > t->bytes) {
		t->lost_events++;
		t->lost_bytes += h->type == MOS_EV_NEW_DATA ? h->len : 0;
		t->wctrl->lost_events++;
		t->wctrl->lost_bytes += h->type == MOS_EV_NEW_DATA ? h->len : 0;
		return false;
	}
	if (t->lost_events) {
		struct mos_rec lost = {
			.size = HDR, .kind = MOS_REC_LOST,
			.off = t->lost_events, .len = t->lost_bytes,
		};

		put_raw(t, &lost, HDR, HDR);
		t->lost_events = 0;
		t->lost_bytes = 0;
	}
	memcpy(rec, h, HDR);
	if (h->size > HDR)
		memcpy(rec + HDR, payload, h->size - HDR);
	put_raw(t, rec, h->size, ALIGN8(h->size));
	publish(t);
	return true;
}

/* ---- records ---------------------------------------------------------- */

static const uint8_t cli_addr[16] = {
	[10] = 0xff, [11] = 0xff, 10, 0, 0, 1,
};

static const uint8_t svr_addr[16] = {
	[10] = 0xff, [11] = 0xff, 10, 0, 0, 2,
};

static struct mos_rec ev(uint64_t flow, int type, int hook, int side,
			 uint64_t off, uint64_t len)
{
	struct mos_rec h = {
		.size = HDR, .kind = MOS_REC_EVENT, .type = type, .hook = hook,
		.side = side, .ip_version = 4, .flow_id = flow, .off = off,
		.len = len,
		.state = { MOS_TCP_ESTABLISHED, MOS_TCP_ESTABLISHED },
		.port = { 40000 + (uint16_t)flow, 80 },
	};

	memcpy(h.addr[0], cli_addr, 16);
	memcpy(h.addr[1], svr_addr, 16);
	if (type == MOS_EV_NEW_DATA)
		h.size = HDR + len;
	return h;
}

/* Stream byte @off of flow @flow's side @side: what the tests send. */
static uint8_t pattern(uint64_t flow, int side, uint64_t off)
{
	return (uint8_t)(off * 7 + flow * 13 + side * 101 + (off >> 9));
}

static uint8_t pbuf[MOS_REC_MAX_PAYLOAD];

static const uint8_t *payload_of(uint64_t flow, int side, uint64_t off,
				 uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		pbuf[i] = pattern(flow, side, off + i);
	return pbuf;
}

static bool put_data(struct tring *t, uint64_t flow, int side, uint64_t off,
		     uint64_t len, uint8_t flags)
{
	struct mos_rec h = ev(flow, MOS_EV_NEW_DATA, MOS_HOOK_RCV, side, off,
			      len);

	h.flags = flags;
	return produce(t, &h, payload_of(flow, side, off, len));
}

static bool put_ev(struct tring *t, uint64_t flow, int type, int side,
		   int code)
{
	struct mos_rec h = ev(flow, type, type == MOS_EV_CONN_START ?
			      MOS_HOOK_SND : MOS_HOOK_RCV, side, 0, 0);

	h.code = code;
	if (type == MOS_EV_CONN_END)
		h.end_reason = code;
	if (type == MOS_EV_CONN_START)
		h.state[0] = MOS_TCP_SYN_SENT, h.state[1] = MOS_TCP_LISTEN;
	return produce(t, &h, NULL);
}

/* ---- the reader ---------------------------------------------------------- */

static void test_init(void)
{
	struct mos_ring_reader r;
	struct tring t;

	TAP_CHECK(!tring_init(&t, SMALL, 0), "memfd ring mapped twice");
	TAP_CHECK(mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, SMALL) == 0,
		  "init: a 64 KiB ring");
	TAP_CHECK(mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, 2 * SMALL) ==
		  -EINVAL, "init: size differs from the control page's");
	t.wctrl->data_bytes = SMALL + 8;
	TAP_CHECK(mos_ring_reader_init(&r, t.cons, t.ctrl, t.data,
				       SMALL + 8) == -EINVAL,
		  "init: not a power of two");
	t.wctrl->data_bytes = SMALL / 2;
	TAP_CHECK(mos_ring_reader_init(&r, t.cons, t.ctrl, t.data,
				       SMALL / 2) == -EINVAL,
		  "init: below the ABI's minimum");
	t.wctrl->data_bytes = SMALL;
	t.cons->consumer = 4;
	TAP_CHECK(mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, SMALL) ==
		  -EBADMSG, "init: misaligned consumer position refused");
	tring_free(&t);
}

/* Read the next record, expecting it to be there. */
static bool next_is(struct mos_ring_reader *r, int type, uint64_t off,
		    uint64_t len, const uint8_t **payload)
{
	struct mos_rec h;
	const uint8_t *p;

	if (mos_ring_reader_next(r, &h, &p) != 1)
		return false;
	if (payload)
		*payload = p;
	return h.kind == MOS_REC_EVENT && h.type == type && h.off == off &&
	       h.len == len;
}

static bool payload_ok(const uint8_t *p, uint64_t flow, int side,
		       uint64_t off, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pattern(flow, side, off + i))
			return false;
	return true;
}

static void test_records(uint64_t start, const char *what)
{
	struct mos_ring_reader r;
	const uint8_t *p;
	struct mos_rec h;
	struct tring t;

	tring_init(&t, SMALL, start);
	mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, SMALL);
	TAP_CHECK(mos_ring_reader_next(&r, &h, &p) == 0 &&
		  mos_ring_reader_idle(&r), "%s: empty ring", what);
	put_ev(&t, 1, MOS_EV_CONN_START, 0, 0);
	put_data(&t, 1, 1, 0, 100, 0);
	put_ev(&t, 1, MOS_EV_CONN_END, 0, MOS_END_FIN);
	TAP_CHECK(mos_ring_reader_avail(&r) == 88 + 192 + 88,
		  "%s: avail = the aligned sizes of three records", what);
	TAP_CHECK(!mos_ring_reader_idle(&r), "%s: not idle with records",
		  what);
	TAP_CHECK(next_is(&r, MOS_EV_CONN_START, 0, 0, NULL) &&
		  next_is(&r, MOS_EV_CONN_START, 0, 0, NULL),
		  "%s: the same record until consumed", what);
	mos_ring_reader_consume(&r);
	TAP_CHECK(next_is(&r, MOS_EV_NEW_DATA, 0, 100, &p) &&
		  payload_ok(p, 1, 1, 0, 100), "%s: NEW_DATA with its payload",
		  what);
	mos_ring_reader_consume(&r);
	TAP_CHECK(t.cons->consumer == start,
		  "%s: consumer page untouched before publishing", what);
	mos_ring_reader_publish(&r);
	TAP_CHECK(t.cons->consumer == start + 88 + 192,
		  "%s: published position = records consumed, padding included",
		  what);
	TAP_CHECK(mos_ring_reader_next(&r, &h, &p) == 1 &&
		  h.type == MOS_EV_CONN_END && h.code == MOS_END_FIN &&
		  h.end_reason == MOS_END_FIN && h.flow_id == 1 &&
		  h.port[0] == 40001 && !memcmp(h.addr[1], svr_addr, 16),
		  "%s: header fields as written", what);
	mos_ring_reader_consume(&r);
	TAP_CHECK(mos_ring_reader_next(&r, &h, &p) == 0, "%s: then empty",
		  what);
	TAP_CHECK(mos_ring_reader_idle(&r) && t.cons->consumer == t.prod,
		  "%s: idle publishes everything", what);
	put_ev(&t, 2, MOS_EV_CONN_START, 0, 0);
	TAP_CHECK(!mos_ring_reader_idle(&r),
		  "%s: idle sees a record written after the consumer's store",
		  what);
	tring_free(&t);
}

/* A record ending exactly at the end of the data area, then one at 0. */
static void test_wrap_exact(void)
{
	struct mos_ring_reader r;
	const uint8_t *p;
	struct tring t;
	uint64_t start = 3 * SMALL - 88 - 192;

	tring_init(&t, SMALL, start);
	mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, SMALL);
	put_ev(&t, 3, MOS_EV_CONN_START, 0, 0);
	put_data(&t, 3, 0, 0, 100, 0);
	TAP_CHECK(t.prod % SMALL == 0, "wrap: second record ends at the end");
	put_data(&t, 3, 0, 100, 64, 0);
	TAP_CHECK(next_is(&r, MOS_EV_CONN_START, 0, 0, NULL),
		  "wrap: first record");
	mos_ring_reader_consume(&r);
	TAP_CHECK(next_is(&r, MOS_EV_NEW_DATA, 0, 100, &p) &&
		  payload_ok(p, 3, 0, 0, 100) &&
		  p + 100 + 4 == t.data + SMALL,
		  "wrap: record ending exactly at the wrap (4 bytes padding)");
	mos_ring_reader_consume(&r);
	TAP_CHECK(next_is(&r, MOS_EV_NEW_DATA, 100, 64, &p) && p == t.data + HDR,
		  "wrap: next record at offset 0");
	mos_ring_reader_consume(&r);
	mos_ring_reader_publish(&r);
	TAP_CHECK(t.cons->consumer == start + 88 + 192 + 152,
		  "wrap: position runs on past the wrap");
	tring_free(&t);
}

/* A record straddling the wrap reads contiguously from the second copy. */
static void test_wrap_straddle(uint64_t start, const char *what)
{
	struct mos_ring_reader r;
	const uint8_t *p;
	struct tring t;

	tring_init(&t, SMALL, start);
	mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, SMALL);
	put_data(&t, 4, 1, 5000, 30000, 0);
	TAP_CHECK(next_is(&r, MOS_EV_NEW_DATA, 5000, 30000, &p) &&
		  payload_ok(p, 4, 1, 5000, 30000),
		  "%s: 30000 bytes across the wrap read in place", what);
	mos_ring_reader_consume(&r);
	mos_ring_reader_publish(&r);
	TAP_CHECK(t.cons->consumer == start + ALIGN8(HDR + 30000),
		  "%s: consumer position after it", what);
	tring_free(&t);
}

/* Long batches hand space back every quarter of the ring. */
static void test_quarter_publish(void)
{
	struct mos_ring_reader r;
	struct tring t;
	int i;

	tring_init(&t, SMALL, 0);
	mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, SMALL);
	for (i = 0; i < 10; i++)
		put_data(&t, 5, 0, i * 4000ULL, 4000, 0);
	for (i = 0; i < 4; i++) {
		next_is(&r, MOS_EV_NEW_DATA, i * 4000ULL, 4000, NULL);
		mos_ring_reader_consume(&r);
	}
	TAP_CHECK(t.cons->consumer == 0,
		  "batch: under a quarter of the ring, nothing published");
	next_is(&r, MOS_EV_NEW_DATA, 16000, 4000, NULL);
	mos_ring_reader_consume(&r);
	TAP_CHECK(t.cons->consumer == 5 * ALIGN8(HDR + 4000),
		  "batch: past a quarter, published without being asked");
	tring_free(&t);
}

/*
 * One corrupt ring: the header @rec at position 0 (zeros after it), and
 * the producer's position set to @adv.
 */
static void corrupt_case(const struct mos_rec *rec, uint64_t adv,
			 const char *what)
{
	struct mos_ring_reader r;
	const uint8_t *p;
	struct mos_rec h;
	struct tring t;
	int first, second;

	tring_init(&t, BIG, 0);
	mos_ring_reader_init(&r, t.cons, t.ctrl, t.data, BIG);
	put_raw(&t, rec, HDR, HDR);
	t.prod = adv;
	publish(&t);
	first = mos_ring_reader_next(&r, &h, &p);
	second = mos_ring_reader_next(&r, &h, &p);
	TAP_CHECK(first == -EBADMSG && second == -EBADMSG &&
		  mos_ring_reader_avail(&r) == -EBADMSG &&
		  !mos_ring_reader_idle(&r),
		  "corrupt: %s rejected, and the ring stays failed", what);
	tring_free(&t);
}

static void test_corrupt(void)
{
	struct mos_rec h = ev(6, MOS_EV_STATE_CHANGE, MOS_HOOK_RCV, 1, 0, 0);
	struct mos_rec base;

	/* Sizes of a record without payload: only the size checks apply. */
	h.size = 40;
	corrupt_case(&h, 88, "size below the header");
	h.size = 200;
	corrupt_case(&h, 96, "size beyond what was produced");
	h.size = 0xffffffffu;
	corrupt_case(&h, 96, "size 4 GiB - 1");
	base = ev(6, MOS_EV_NEW_DATA, MOS_HOOK_RCV, 1, 0, 16);
	h = base;
	h.kind = 7;
	corrupt_case(&h, HDR + 16, "unknown kind");
	h = base;
	h.type = MOS_NUM_BUILTIN;
	corrupt_case(&h, HDR + 16, "unknown event type");
	h = base;
	h.hook = 2;
	corrupt_case(&h, HDR + 16, "hook 2");
	h = base;
	h.side = 2;
	corrupt_case(&h, HDR + 16, "side 2");
	h = base;
	h.len = 17;
	corrupt_case(&h, HDR + 16, "NEW_DATA length != payload");
	h = base;
	h.len = MOS_REC_MAX_PAYLOAD + 8;
	h.size = HDR + h.len;
	corrupt_case(&h, ALIGN8(h.size), "NEW_DATA beyond 64 KiB");
	h = base;
	h.ip_version = 0;
	corrupt_case(&h, HDR + 16, "connection without addresses");
	/* A good record, but a producer position no producer can publish. */
	h = ev(6, MOS_EV_CONN_START, MOS_HOOK_SND, 0, 0, 0);
	corrupt_case(&h, HDR + 4, "misaligned producer position");
	corrupt_case(&h, BIG + 8, "producer more than a ring ahead");
	corrupt_case(&h, -8ULL, "producer behind the consumer");
	corrupt_case(&h, 16, "16 bytes: less than a header");
}

/* ---- the live backend ---------------------------------------------------- */

/**
 * struct tstream - what a test connection's callbacks rebuilt
 * @buf: the stream, gaps as zeros
 * @cap: allocated bytes of @buf
 * @size: bytes in @buf (data and gaps)
 * @data: bytes delivered
 * @gaps: bytes reported as gaps
 * @ndata: NEW_DATA events
 */
struct tstream {
	uint8_t *buf;
	size_t cap;
	uint64_t size;
	uint64_t data;
	uint64_t gaps;
	int ndata;
};

/**
 * struct tconn - a test connection
 * @s: [receiving side] its streams
 * @id: flow id (from mos_get_flow_info())
 * @port: client port
 * @end: CONN_END code, 0 before
 * @started: CONN_START seen
 */
struct tconn {
	struct tstream s[2];
	uint64_t id;
	int port;
	int end;
	bool started;
};

/* Every event as text, for order checks: "S5 D5/1:0+100 G5/1:100+50". */
static char trace[8192];
static struct tconn *conns[4096];
static int nconns, orphans;
static bool stop_svr_in_data, rexmit_per_flow;

static void trace_add(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void trace_add(const char *fmt, ...)
{
	size_t len = strlen(trace);
	va_list ap;

	if (len + 2 >= sizeof(trace))
		return;
	if (len)
		trace[len++] = ' ';
	va_start(ap, fmt);
	vsnprintf(trace + len, sizeof(trace) - len, fmt, ap);
	va_end(ap);
}

static struct tconn *tconn_of(struct mos_ctx *mctx, int sock)
{
	struct tconn *c = mos_get_uctx(mctx, sock);
	struct mos_flow_info fi;

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c || mos_get_flow_info(mctx, sock, &fi)) {
		free(c);
		return NULL;
	}
	c->id = fi.id;
	c->port = ntohs(((struct sockaddr_in *)&fi.addr[0])->sin_port);
	mos_set_uctx(mctx, sock, c);
	if (nconns < (int)(sizeof(conns) / sizeof(conns[0])))
		conns[nconns++] = c;
	return c;
}

static void cb_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t e, void *arg)
{
	struct tconn *c = tconn_of(mctx, sock);

	if (!c)
		return;
	c->started = true;
	trace_add("S%" PRIu64, c->id);
	if (rexmit_per_flow && c->id == 70)
		mos_register_callback(mctx, sock, MOS_ON_REXMIT, MOS_HK_RCV,
				      cb_start, NULL);
}

/* Room for @len bytes, new bytes zero (gaps read back as zeros). */
static bool stream_room(struct tstream *s, uint64_t len)
{
	uint8_t *b;

	if (len <= s->cap)
		return true;
	b = realloc(s->buf, len);
	if (!b)
		return false;
	memset(b + s->cap, 0, len - s->cap);
	s->buf = b;
	s->cap = len;
	return true;
}

static void cb_data(struct mos_ctx *mctx, int sock, int side, mos_event_t e,
		    void *arg)
{
	struct tconn *c = tconn_of(mctx, sock);
	struct mos_event_info ei;
	struct tstream *s;
	uint64_t off;
	ssize_t n;

	if (!c || mos_get_event_info(mctx, &ei))
		return;
	s = &c->s[side];
	s->ndata++;
	trace_add("D%" PRIu64 "/%d:%" PRIu64 "+%" PRIu64, c->id, side, ei.off,
		  ei.len);
	if (!stream_room(s, ei.off + ei.len))
		return;
	/* As flowdump: the new bytes, written at their offset. */
	off = ei.off;
	while (off < s->cap &&
	       (n = mos_peek(mctx, sock, side, s->buf + off,
			     s->cap - off)) > 0) {
		off += n;
		s->data += n;
	}
	if (off > s->size)
		s->size = off;
	if (stop_svr_in_data && side == MOS_SIDE_SVR)
		mos_stop_side(mctx, sock, MOS_SIDE_SVR);
}

static void cb_error(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t e, void *arg)
{
	struct tconn *c = tconn_of(mctx, sock);
	struct mos_event_info ei;

	if (!c || mos_get_event_info(mctx, &ei))
		return;
	trace_add("E%" PRIu64 "/%d:%d:%" PRIu64 "+%" PRIu64, c->id, side,
		  ei.code, ei.off, ei.len);
	if (ei.code != MOS_ERROR_GAP ||
	    !stream_room(&c->s[side], ei.off + ei.len))
		return;
	c->s[side].gaps += ei.len;
	if (ei.off + ei.len > c->s[side].size)
		c->s[side].size = ei.off + ei.len;
}

static void cb_end(struct mos_ctx *mctx, int sock, int side, mos_event_t e,
		   void *arg)
{
	struct tconn *c = tconn_of(mctx, sock);
	struct mos_event_info ei;
	struct mos_flow_info fi;

	if (!c || mos_get_event_info(mctx, &ei) ||
	    mos_get_flow_info(mctx, sock, &fi))
		return;
	c->end = ei.code;
	trace_add("X%" PRIu64 ":%d", c->id, fi.end_reason);
	mos_set_uctx(mctx, sock, NULL);
}

static void cb_orphan(struct mos_ctx *mctx, int sock, int side,
		      mos_event_t e, void *arg)
{
	orphans += sock == 0;
}

static void live_reset(void)
{
	int i;

	for (i = 0; i < nconns; i++) {
		free(conns[i]->s[0].buf);
		free(conns[i]->s[1].buf);
		free(conns[i]);
	}
	nconns = 0;
	orphans = 0;
	trace[0] = '\0';
	stop_svr_in_data = false;
	rexmit_per_flow = false;
}

static struct tconn *conn_by_id(uint64_t id)
{
	int i;

	for (i = 0; i < nconns; i++)
		if (conns[i]->id == id)
			return conns[i];
	return NULL;
}

/* A live context on @n memory rings, with the callbacks above. */
static struct mos_ctx *live_ctx(struct tring *t, unsigned int n)
{
	struct mos_live_ring_map maps[4];
	struct mos_options o;
	struct mos_ctx *mctx;
	unsigned int i;

	live_reset();
	mos_options_init(&o);
	if (mos_ctx_new(&mctx, &o))
		return NULL;
	if (mos_socket(mctx, MOS_SOCK_MONITOR_STREAM) ||
	    mos_register_callback(mctx, 0, MOS_ON_CONN_START, MOS_HK_SND,
				  cb_start, NULL) ||
	    mos_register_callback(mctx, 0, MOS_ON_CONN_NEW_DATA, MOS_HK_RCV,
				  cb_data, NULL) ||
	    mos_register_callback(mctx, 0, MOS_ON_ERROR, MOS_HK_RCV,
				  cb_error, NULL) ||
	    mos_register_callback(mctx, 0, MOS_ON_CONN_END, MOS_HK_RCV,
				  cb_end, NULL)) {
		mos_ctx_free(mctx);
		return NULL;
	}
	for (i = 0; i < n; i++)
		maps[i] = tring_map(&t[i]);
	if (mos_live_attach_maps(mctx, maps, n)) {
		mos_ctx_free(mctx);
		return NULL;
	}
	return mctx;
}

/* The stream equals the pattern except [hole, hole + hole_len): zeros. */
static bool stream_ok(const struct tstream *s, uint64_t flow, int side,
		      uint64_t size, uint64_t hole, uint64_t hole_len)
{
	uint64_t i;

	if (s->size != size || s->cap < size)
		return false;
	for (i = 0; i < size; i++) {
		bool in_hole = i >= hole && i < hole + hole_len;

		if (s->buf[i] != (in_hole ? 0 : pattern(flow, side, i)))
			return false;
	}
	return true;
}

static void test_live_basic(void)
{
	struct mos_stats st;
	struct mos_ctx *mctx;
	struct tring t[2];
	struct tconn *c;
	int n;

	tring_init(&t[0], BIG, 0);
	tring_init(&t[1], BIG, 0);
	mctx = live_ctx(t, 2);
	TAP_CHECK(mctx, "live: context attached to two memory rings");
	if (!mctx)
		return;
	TAP_CHECK(mos_live_evmask(mctx) ==
		  (1u << MOS_EV_CONN_START | 1u << MOS_EV_CONN_END |
		   1u << MOS_EV_NEW_DATA | 1u << MOS_EV_ERROR),
		  "live: event mask = what the listener registered");
	TAP_CHECK(mos_run_once(mctx, 0) == 0, "live: nothing to read");
	TAP_CHECK(mos_input_packet(mctx, 1, 0, "", 0, 0) == -EBUSY,
		  "live: no packets from the caller");

	put_ev(&t[0], 10, MOS_EV_CONN_START, 0, 0);
	put_data(&t[0], 10, 1, 0, MOS_REC_MAX_PAYLOAD, MOS_REC_F_MORE);
	put_data(&t[0], 10, 1, MOS_REC_MAX_PAYLOAD, 1000, 0);
	put_data(&t[0], 10, 0, 0, 500, 0);
	put_ev(&t[1], 11, MOS_EV_CONN_START, 0, 0);
	put_data(&t[1], 11, 0, 0, 7, 0);
	n = mos_run_once(mctx, 0);
	TAP_CHECK(n == 6, "live: six records read (%d)", n);
	c = conn_by_id(10);
	TAP_CHECK(c && c->started && c->port == 40010 &&
		  c->s[1].ndata == 2 &&
		  stream_ok(&c->s[1], 10, 1, MOS_REC_MAX_PAYLOAD + 1000, 0, 0),
		  "live: a NEW_DATA split with MORE: two events, bytes in order");
	TAP_CHECK(c && stream_ok(&c->s[0], 10, 0, 500, 0, 0),
		  "live: the other direction");
	c = conn_by_id(11);
	TAP_CHECK(c && stream_ok(&c->s[0], 11, 0, 7, 0, 0),
		  "live: the other ring's connection");
	c = conn_by_id(10);
	TAP_CHECK(t[0].cons->consumer == t[0].prod &&
		  t[1].cons->consumer == t[1].prod,
		  "live: consumer positions published");

	put_ev(&t[0], 10, MOS_EV_CONN_END, 0, MOS_END_FIN);
	mos_run_once(mctx, 0);
	TAP_CHECK(c && c->end == MOS_END_REASON_FIN,
		  "live: CONN_END from the ring, its reason");
	mos_get_stats(mctx, &st);
	TAP_CHECK(st.flows == 2 && st.flows_peak == 2 &&
		  st.ring_records == 7 &&
		  st.payload_bytes == MOS_REC_MAX_PAYLOAD + 1000 + 500 + 7 &&
		  st.ring_lost_events == 0 && st.gap_bytes == 0,
		  "live: statistics");

	/* Orphans go to the listener. */
	mos_register_callback(mctx, 0, MOS_ON_ORPHAN, MOS_HK_RCV, cb_orphan,
			      NULL);
	TAP_CHECK(mos_live_evmask(mctx) & (1u << MOS_EV_ORPHAN),
		  "live: registering ORPHAN adds it to the mask");
	{
		struct mos_rec h = ev(0, MOS_EV_ORPHAN, MOS_HOOK_RCV, 0, 0, 0);

		produce(&t[1], &h, NULL);
	}
	mos_run_once(mctx, 0);
	TAP_CHECK(orphans == 1, "live: ORPHAN record on the listener socket");

	mos_end_input(mctx);
	TAP_CHECK(conn_by_id(11)->end == MOS_END_REASON_EOF &&
		  strstr(trace, "X11:5"),
		  "live: open connection ends with eof");
	mos_ctx_free(mctx);
	tring_free(&t[0]);
	tring_free(&t[1]);
}

static void test_live_loss(void)
{
	static const uint8_t zeros[10];
	bool ok = false;
	struct mos_stats st;
	struct mos_ctx *mctx;
	struct tring t;
	struct tconn *c;

	tring_init(&t, BIG, 0);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	put_ev(&t, 20, MOS_EV_CONN_START, 0, 0);
	put_data(&t, 20, 1, 0, 100, 0);
	mos_run_once(mctx, 0);
	/* The kernel lost three events, 5000 payload bytes of this stream. */
	t.lost_events = 3;
	t.lost_bytes = 5000;
	t.wctrl->lost_events = 3;
	t.wctrl->lost_bytes = 5000;
	put_data(&t, 20, 1, 5100, 50, MOS_REC_F_LOST);
	mos_run_once(mctx, 0);
	c = conn_by_id(20);
	TAP_CHECK(c && strstr(trace, "D20/1:0+100 E20/1:6:100+5000 D20/1:5100+50"),
		  "loss: GAP with the missing offset and length, before the bytes (%s)",
		  trace);
	/* A gap the kernel reports itself is passed on, not doubled. */
	{
		struct mos_rec h = ev(20, MOS_EV_ERROR, MOS_HOOK_RCV, 1, 5150,
				      10);

		h.code = MOS_ERR_GAP;
		produce(&t, &h, NULL);
	}
	put_data(&t, 20, 1, 5160, 40, 0);
	mos_run_once(mctx, 0);
	TAP_CHECK(strstr(trace, "D20/1:5100+50 E20/1:6:5150+10 D20/1:5160+40"),
		  "loss: the kernel's own GAP passed on once (%s)", trace);
	TAP_CHECK(c && c->s[1].gaps == 5010 && c->s[1].data == 190,
		  "loss: 190 bytes and 5010 gap bytes");
	/* The pattern where bytes came, zeros in both holes. */
	if (c && c->s[1].size == 5200 && c->s[1].cap >= 5200) {
		c->s[1].size = 5150;
		ok = stream_ok(&c->s[1], 20, 1, 5150, 100, 5000) &&
		     !memcmp(c->s[1].buf + 5150, zeros, 10);
		memcpy(c->s[1].buf + 5150, payload_of(20, 1, 5150, 10), 10);
		c->s[1].size = 5200;
		ok = ok && stream_ok(&c->s[1], 20, 1, 5200, 100, 5000);
	}
	TAP_CHECK(ok, "loss: stream zero-filled exactly at the holes");
	mos_get_stats(mctx, &st);
	TAP_CHECK(st.ring_lost_events == 3 && st.ring_lost_bytes == 5000 &&
		  st.gap_bytes == 5010,
		  "loss: lost events/bytes and gap bytes counted");

	/* The stream's last 100 bytes were lost: CONN_END tells. */
	{
		struct mos_rec h = ev(20, MOS_EV_CONN_END, MOS_HOOK_RCV, 0,
				      5300, 0);

		h.code = MOS_END_FIN;
		h.end_reason = MOS_END_FIN;
		produce(&t, &h, NULL);
	}
	mos_run_once(mctx, 0);
	TAP_CHECK(strstr(trace, "D20/1:5160+40 E20/1:6:5200+100 X20:1"),
		  "loss: a lost tail is a gap before CONN_END (%s)", trace);

	/* First record of a connection flagged LOST: streams start at 0. */
	put_data(&t, 21, 0, 300, 20, MOS_REC_F_LOST);
	/* A connection whose start this consumer never saw: no gap. */
	put_data(&t, 22, 0, 300, 20, 0);
	put_data(&t, 22, 0, 320, 20, 0);
	mos_run_once(mctx, 0);
	TAP_CHECK(strstr(trace, "E21/0:6:0+300 D21/0:300+20 D22/0:300+20 D22/0:320+20"),
		  "loss: a first record flagged LOST has a gap from 0; an unflagged one none (%s)",
		  trace);
	mos_ctx_free(mctx);
	tring_free(&t);
}

/* The producer fills the ring; LOST records and gaps follow. */
static void test_live_full(void)
{
	struct mos_stats st;
	struct mos_ctx *mctx;
	struct tring t;
	struct tconn *c;
	uint64_t off = 0, lost = 0, lost_from = 0;
	int i, n;

	tring_init(&t, SMALL, 0);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	put_ev(&t, 30, MOS_EV_CONN_START, 0, 0);
	for (i = 0; i < 10; i++, off += 8000) {
		if (!put_data(&t, 30, 1, off, 8000, 0)) {
			if (!lost)
				lost_from = off;
			lost += 8000;
		}
	}
	TAP_CHECK(lost == 2 * 8000 && lost_from == 64000,
		  "full: 64 KiB ring took 8 records of 8000 bytes");
	n = mos_run_once(mctx, 0);
	TAP_CHECK(n == 9 && t.cons->consumer == t.prod,
		  "full: all read, space handed back");
	put_data(&t, 30, 1, off, 100, MOS_REC_F_LOST);
	n = mos_run_once(mctx, 0);
	c = conn_by_id(30);
	TAP_CHECK(n == 2 && c && c->s[1].gaps == lost &&
		  stream_ok(&c->s[1], 30, 1, off + 100, lost_from, lost),
		  "full: LOST record, then a gap of the 16000 lost bytes");
	mos_get_stats(mctx, &st);
	TAP_CHECK(st.ring_lost_events == 2 && st.ring_lost_bytes == lost,
		  "full: loss counted from the control page");
	mos_ctx_free(mctx);
	tring_free(&t);
}

/* Positions near the wrap, and a payload straddling it, through live. */
static void test_live_wrap(void)
{
	struct mos_ctx *mctx;
	struct tring t;
	struct tconn *c;

	tring_init(&t, SMALL, 5 * SMALL - 88 - 24);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	put_ev(&t, 40, MOS_EV_CONN_START, 0, 0);
	put_data(&t, 40, 0, 0, 20000, 0);
	put_data(&t, 40, 0, 20000, 30000, 0);
	mos_run_once(mctx, 0);
	c = conn_by_id(40);
	TAP_CHECK(c && stream_ok(&c->s[0], 40, 0, 50000, 0, 0),
		  "live wrap: bytes across the wrap delivered intact");
	mos_ctx_free(mctx);
	tring_free(&t);
}

/* Per-flow registrations widen the mask; mos_stop_side() stops a stream. */
static void test_live_flow_options(void)
{
	struct mos_ctx *mctx;
	struct tring t;
	struct tconn *c;
	uint32_t rx = 1u << MOS_EV_REXMIT, base;

	tring_init(&t, BIG, 0);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	base = mos_live_evmask(mctx);
	rexmit_per_flow = true;
	stop_svr_in_data = true;
	put_ev(&t, 70, MOS_EV_CONN_START, 0, 0);
	put_ev(&t, 71, MOS_EV_CONN_START, 0, 0);
	mos_run_once(mctx, 0);
	TAP_CHECK(mos_live_evmask(mctx) & rx,
		  "options: a connection's own REXMIT callback widens the mask");
	put_data(&t, 70, 1, 0, 10, 0);
	put_data(&t, 70, 1, 10, 10, 0);
	put_data(&t, 70, 0, 0, 10, 0);
	put_data(&t, 70, 1, 20, 10, 0);
	mos_run_once(mctx, 0);
	c = conn_by_id(70);
	TAP_CHECK(c && c->s[1].ndata == 1 && c->s[0].ndata == 1,
		  "options: after mos_stop_side() no more of that stream, the other goes on");
	put_ev(&t, 70, MOS_EV_CONN_END, 0, MOS_END_RST);
	mos_run_once(mctx, 0);
	TAP_CHECK(mos_live_evmask(mctx) == base,
		  "options: its end narrows the mask to the listener's again");
	/* Both ends sent FIN but the kernel's connection had not ended. */
	{
		struct mos_rec h = ev(71, MOS_EV_NEW_DATA, MOS_HOOK_RCV, 0, 0,
				      1);

		h.state[0] = MOS_TCP_FIN_WAIT_2;
		h.state[1] = MOS_TCP_LAST_ACK;
		produce(&t, &h, payload_of(71, 0, 0, 1));
	}
	mos_run_once(mctx, 0);
	mos_end_input(mctx);
	TAP_CHECK(conn_by_id(71) && conn_by_id(71)->end == MOS_END_REASON_FIN,
		  "options: at the end, both FINs sent means fin, not eof");
	TAP_CHECK(mos_live_evmask(mctx) == base,
		  "options: with every connection gone, the listener's mask");
	mos_ctx_free(mctx);
	tring_free(&t);
}

static void test_live_many(void)
{
	struct mos_stats st;
	struct mos_ctx *mctx;
	struct tring t;
	int i, ended = 0;

	tring_init(&t, 4 * BIG, 0);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	for (i = 0; i < 3000; i++)
		put_ev(&t, 1000 + i * 64, MOS_EV_CONN_START, 0, 0);
	mos_run_once(mctx, 0);
	for (i = 0; i < 3000; i += 2)
		put_data(&t, 1000 + i * 64, 0, 0, 3, 0);
	mos_run_once(mctx, 0);
	mos_end_input(mctx);
	for (i = 0; i < nconns; i++)
		ended += conns[i]->end == MOS_END_REASON_EOF &&
			 conns[i]->s[0].data == ((conns[i]->id - 1000) / 64 %
						 2 ? 0 : 3);
	mos_get_stats(mctx, &st);
	TAP_CHECK(nconns == 3000 && ended == 3000 && st.flows == 3000 &&
		  st.flows_peak == 3000,
		  "many: 3000 connections found by id, all ended (%d)", ended);
	mos_ctx_free(mctx);
	tring_free(&t);
}

static void test_live_corrupt(void)
{
	struct mos_ctx *mctx;
	struct tring t;
	struct mos_rec h;

	tring_init(&t, BIG, 0);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	put_ev(&t, 80, MOS_EV_CONN_START, 0, 0);
	h = ev(80, MOS_EV_NEW_DATA, MOS_HOOK_RCV, 0, 0, 1000);
	h.size = HDR + 10;
	produce(&t, &h, payload_of(80, 0, 0, 10));
	TAP_CHECK(mos_run_once(mctx, 0) == -EBADMSG &&
		  mos_run_once(mctx, 0) == -EBADMSG,
		  "live corrupt: mos_run_once() fails, and keeps failing");
	TAP_CHECK(conn_by_id(80) && conn_by_id(80)->started,
		  "live corrupt: the records before it were dispatched");
	TAP_CHECK(mos_run(mctx) == -EBADMSG &&
		  conn_by_id(80)->end == MOS_END_REASON_EOF,
		  "live corrupt: mos_run() ends open connections, returns the error");
	mos_ctx_free(mctx);
	tring_free(&t);
}

static void *stopper(void *arg)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	mos_stop(arg);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_live_stop(void)
{
	struct mos_ctx *mctx;
	struct tring t;
	pthread_t th;
	double t0;
	int n;

	tring_init(&t, BIG, 0);
	mctx = live_ctx(&t, 1);
	if (!mctx)
		return;
	t0 = now_s();
	n = mos_run_once(mctx, 30);
	TAP_CHECK(n == 0 && now_s() - t0 >= 0.025,
		  "stop: an empty wait lasts its timeout");
	pthread_create(&th, NULL, stopper, mctx);
	t0 = now_s();
	n = mos_run_once(mctx, -1);
	pthread_join(th, NULL);
	TAP_CHECK(n == 0 && now_s() - t0 < 5,
		  "stop: mos_stop() from another thread wakes a blocked wait");
	TAP_CHECK(mos_run_once(mctx, 0) == -EINTR,
		  "stop: then mos_run_once() returns -EINTR");
	put_ev(&t, 90, MOS_EV_CONN_START, 0, 0);
	put_data(&t, 90, 1, 0, 33, 0);
	TAP_CHECK(mos_run(mctx) == 0, "stop: mos_run() after mos_stop() returns 0");
	TAP_CHECK(conn_by_id(90) &&
		  stream_ok(&conn_by_id(90)->s[1], 90, 1, 33, 0, 0) &&
		  conn_by_id(90)->end == MOS_END_REASON_EOF,
		  "stop: queued records still dispatched, then eof");
	TAP_CHECK(mos_get_fd(mctx) == -EBADF, "stop: the context is done");
	mos_ctx_free(mctx);
	tring_free(&t);
}

int main(void)
{
	test_init();
	test_records(0, "records");
	test_records(1ULL << 40, "records at 2^40");
	test_records(-256ULL, "records across 2^64");
	test_wrap_exact();
	test_wrap_straddle(SMALL - 40, "straddle");
	test_wrap_straddle(-40ULL, "straddle at 2^64");
	test_quarter_publish();
	test_corrupt();
	test_live_basic();
	test_live_loss();
	test_live_full();
	test_live_wrap();
	test_live_flow_options();
	test_live_many();
	test_live_corrupt();
	test_live_stop();
	live_reset();
	return tap_done();
}
