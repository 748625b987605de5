// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Live backend: the engine runs in the kernel (mos.ko); this file reads
 * its events from the rings of /dev/mos (Documentation/ring.md) and turns
 * them into the same callbacks the offline backend raises.
 *
 * The library's code works on struct mos_flow. Live, each connection gets
 * a shadow: a struct mos_flow the library allocates, filled from the
 * records (id, addresses, ports, both endpoints' states, roles guessed,
 * end reason), found by the kernel's flow id, freed after CONN_END.
 *
 * Lost records (the ring was full) are reported as the engine reports
 * bytes it never saw: an ERROR event with code GAP, its offset and length,
 * before the first bytes after the hole.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/mos.h>
#include "mos_int.h"

#define LIVE_TAB_MIN	1024

/**
 * struct live_flow - the shadow of a kernel connection
 * @f: what the library's code sees (f.user: its struct mos_conn)
 * @hnext: next in its hash bucket
 * @next_off: [receiving side] stream offset the next bytes should have
 * @off_known: bit per receiving side: @next_off is known (the connection
 *	was seen from its start, or from its first bytes)
 */
struct live_flow {
	struct mos_flow f;
	struct live_flow *hnext;
	uint64_t next_off[2];
	uint8_t off_known;
};

/**
 * struct mos_live - the live backend of a context
 * @fd: /dev/mos, -1 when rings were attached from memory (tests)
 * @nl: netlink socket for MONITOR_SET and FLOW_SET (fd -1 in tests)
 * @monitor_id: the consumer's id
 * @evmask: the event mask the kernel has
 * @evmask_set: @evmask was set at least once
 * @flags: the MOS_MONITOR_F_* flags the kernel has
 * @detached: the rings are gone (mos_run() ended)
 * @nr_rings: number of rings
 * @rings: their readers
 * @maps: their mappings when this file made them: [2 * i] the consumer
 *	page, [2 * i + 1] control page and data (NULL when not owned)
 * @map_bytes: length of each [2 * i + 1] mapping
 * @page: the page size
 * @tab: shadows by flow id
 * @tab_mask: buckets - 1
 * @nflows: shadows alive
 * @error: sticky error (a corrupt ring)
 * @records: records read
 * @lost_events: events lost, from the control pages when detaching
 * @lost_bytes: their payload bytes
 * @flows_created: connections seen
 * @flows_peak: most alive at once
 * @gap_bytes: bytes reported as gaps (the kernel's and synthesised)
 * @data_bytes: stream bytes delivered (NEW_DATA)
 * @filter_sent: [MOS_FILTER_KIND_*] the kernel has a filter of ours
 */
struct mos_live {
	int fd;
	struct mos_live_nl nl;
	uint32_t monitor_id;
	uint32_t evmask;
	uint32_t flags;
	bool evmask_set;
	bool detached;
	unsigned int nr_rings;
	struct mos_ring_reader *rings;
	void **maps;
	size_t map_bytes;
	size_t page;
	struct live_flow **tab;
	size_t tab_mask;
	size_t nflows;
	int error;
	uint64_t records;
	uint64_t lost_events;
	uint64_t lost_bytes;
	uint64_t flows_created;
	uint64_t flows_peak;
	uint64_t gap_bytes;
	uint64_t data_bytes;
	bool filter_sent[MOS_NUM_FILTERS];
};

/* ---- shadow flows --------------------------------------------------- */

static size_t flow_bucket(const struct mos_live *lv, uint64_t id)
{
	/* Ids are N * shards + shard: multiply to spread them. */
	return (size_t)((id * 0x9e3779b97f4a7c15ULL) >> 32) & lv->tab_mask;
}

static struct live_flow *flow_find(const struct mos_live *lv, uint64_t id)
{
	struct live_flow *lf = lv->tab[flow_bucket(lv, id)];

	while (lf && lf->f.id != id)
		lf = lf->hnext;
	return lf;
}

static void tab_grow(struct mos_live *lv)
{
	size_t n = (lv->tab_mask + 1) * 2, i;
	struct live_flow **nt = calloc(n, sizeof(*nt)), *lf;
	struct live_flow **old = lv->tab;
	size_t old_n = lv->tab_mask + 1;

	if (!nt)
		return;		/* longer chains, still correct */
	lv->tab = nt;
	lv->tab_mask = n - 1;
	for (i = 0; i < old_n; i++) {
		while ((lf = old[i])) {
			size_t b = flow_bucket(lv, lf->f.id);

			old[i] = lf->hnext;
			lf->hnext = nt[b];
			nt[b] = lf;
		}
	}
	free(old);
}

/* Update a shadow from a record of its connection. */
static void flow_update(struct live_flow *lf, const struct mos_rec *h)
{
	/* Roles are guessed on pickup and corrected by a later SYN/ACK. */
	if ((lf->f.flags & MOS_FLOW_GUESSED) ||
	    (h->flags & MOS_REC_F_GUESSED)) {
		memcpy(lf->f.addr, h->addr, sizeof(lf->f.addr));
		lf->f.port[0] = h->port[0];
		lf->f.port[1] = h->port[1];
		lf->f.flags = (lf->f.flags & ~MOS_FLOW_GUESSED) |
			      (h->flags & MOS_REC_F_GUESSED ?
			       MOS_FLOW_GUESSED : 0);
	}
	lf->f.tcp.end[0].state = h->state[0];
	lf->f.tcp.end[1].state = h->state[1];
}

static struct live_flow *flow_add(struct mos_live *lv,
				  const struct mos_rec *h)
{
	struct live_flow *lf = calloc(1, sizeof(*lf));
	size_t b;

	if (!lf)
		return NULL;
	lf->f.id = h->flow_id;
	lf->f.ip_version = h->ip_version;
	memcpy(lf->f.addr, h->addr, sizeof(lf->f.addr));
	lf->f.port[0] = h->port[0];
	lf->f.port[1] = h->port[1];
	if (h->flags & MOS_REC_F_GUESSED)
		lf->f.flags |= MOS_FLOW_GUESSED;
	/*
	 * Seen from its start, or its first records were lost: its streams
	 * start at offset 0. Otherwise (events of a connection older than
	 * the subscription) the first bytes seen tell where they start.
	 */
	if (h->type == MOS_EV_CONN_START || (h->flags & MOS_REC_F_LOST))
		lf->off_known = 3;
	if (lv->nflows > lv->tab_mask)
		tab_grow(lv);
	b = flow_bucket(lv, lf->f.id);
	lf->hnext = lv->tab[b];
	lv->tab[b] = lf;
	lv->flows_created++;
	if (++lv->nflows > lv->flows_peak)
		lv->flows_peak = lv->nflows;
	return lf;
}

static void flow_del(struct mos_ctx *mctx, struct mos_live *lv,
		     struct live_flow *lf)
{
	struct live_flow **pp = &lv->tab[flow_bucket(lv, lf->f.id)];

	while (*pp != lf)
		pp = &(*pp)->hnext;
	*pp = lf->hnext;
	lv->nflows--;
	mos_flow_release(mctx, &lf->f);
	free(lf);
}

/* ---- events ---------------------------------------------------------- */

/* Raise an event for a shadow, if its callbacks (or peeking) need it. */
static void dispatch(struct mos_ctx *mctx, struct live_flow *lf,
		     const struct mos_event *ev)
{
	if (!mos_conn_of_flow(mctx, &lf->f))
		return;		/* out of memory: no callbacks for it */
	if (!(lf->f.evmask & (1u << ev->type)))
		return;
	mos_dispatch_event(mctx, &lf->f, ev);
}

static bool stream_event(const struct mos_event *ev)
{
	return ev->type == MOS_EV_NEW_DATA || ev->type == MOS_EV_REXMIT ||
	       (ev->type == MOS_EV_ERROR &&
		(ev->code == MOS_ERR_GAP || ev->code == MOS_ERR_CAP));
}

/*
 * Bytes at @off arrive for the stream @side receives: when they start
 * beyond what was delivered or reported so far, records were lost in
 * between, and the hole is reported first as the engine reports holes.
 */
static void check_gap(struct mos_ctx *mctx, struct mos_live *lv,
		      struct live_flow *lf, int side, uint64_t off,
		      uint64_t len)
{
	uint8_t bit = 1u << side;

	if ((lf->off_known & bit) && off > lf->next_off[side]) {
		struct mos_event gap = {
			.type = MOS_EV_ERROR, .hook = MOS_HOOK_RCV,
			.side = side, .code = MOS_ERR_GAP,
			.off = lf->next_off[side],
			.len = off - lf->next_off[side],
			.old_state = MOS_GAP_MISSED,
		};

		lv->gap_bytes += gap.len;
		lf->next_off[side] = off;
		dispatch(mctx, lf, &gap);
	}
	if (!(lf->off_known & bit) || off + len > lf->next_off[side])
		lf->next_off[side] = off + len;
	lf->off_known |= bit;
}

/*
 * CONN_END says how far both streams went (off: the client's, len: the
 * server's): bytes whose records were lost at a stream's very end show
 * up here, as a gap, like any other hole. Only when this consumer asks
 * for the bytes at all.
 */
static void end_gaps(struct mos_ctx *mctx, struct mos_live *lv,
		     struct live_flow *lf, const struct mos_rec *h)
{
	int side;

	if (!(lv->evmask & (1u << MOS_EV_NEW_DATA)))
		return;
	for (side = 0; side < 2; side++) {
		/* The stream a side receives is the other side's. */
		uint64_t end = side == MOS_SIDE_SVR ? h->off : h->len;

		if (lf->f.stream[!side].flags & MOS_STREAM_STOPPED)
			continue;
		if ((lf->off_known & (1u << side)) && end > lf->next_off[side])
			check_gap(mctx, lv, lf, side, end, 0);
	}
}

/* Both endpoints sent a FIN: the states that follow one. */
static bool sent_fin(int state)
{
	return state == MOS_TCP_FIN_WAIT_1 || state == MOS_TCP_FIN_WAIT_2 ||
	       state == MOS_TCP_CLOSING || state == MOS_TCP_TIME_WAIT ||
	       state == MOS_TCP_LAST_ACK;
}

static void flow_end(struct mos_ctx *mctx, struct mos_live *lv,
		     struct live_flow *lf, uint8_t reason)
{
	struct mos_event ev = {
		.type = MOS_EV_CONN_END, .hook = MOS_HOOK_RCV,
		.side = MOS_SIDE_CLI,
	};

	/* As the engine does: both ends closed means it ended by FIN. */
	if ((reason == MOS_END_TIMEOUT || reason == MOS_END_EOF) &&
	    sent_fin(lf->f.tcp.end[0].state) &&
	    sent_fin(lf->f.tcp.end[1].state))
		reason = MOS_END_FIN;
	ev.code = reason;
	lf->f.end_reason = reason;
	lf->f.flags |= MOS_FLOW_ENDED;
	dispatch(mctx, lf, &ev);
	flow_del(mctx, lv, lf);
}

/* One record: update the shadow, raise its event (and a gap before it). */
/*
 * The packet headers a PKT_IN, ORPHAN or CONN_START record carries become
 * the packet mos_getlastpkt() shows for the records of the same packet.
 */
static bool carries_headers(const struct mos_rec *h)
{
	return (h->type == MOS_EV_PKT_IN || h->type == MOS_EV_ORPHAN ||
		h->type == MOS_EV_CONN_START) && h->pkt_seq && h->len;
}

static void note_packet(struct mos_ctx *mctx, const struct mos_rec *h,
			const uint8_t *payload, unsigned int ring)
{
	struct mos_last_pkt *lp = &mctx->in_pkt;
	bool same = h->pkt_seq && h->pkt_seq == lp->seq && ring == lp->ring;

	/* The first record of a packet with headers: keep them parsed. */
	if (!same && carries_headers(h) && h->len <= sizeof(lp->hdrs)) {
		memcpy(lp->hdrs, payload, h->len);
		same = mos_parse_ip(lp->hdrs, h->len, h->off, &lp->parsed) ==
		       MOS_PARSE_TCP;
		lp->seq = same ? h->pkt_seq : 0;
		lp->ring = ring;
		lp->ip = lp->hdrs;
		lp->caplen = h->len;
		lp->len = h->off;
		lp->ts_ns = h->ts_ns;
		lp->pkt = &lp->parsed;
	}
	mctx->cur_pkt = same ? lp : NULL;
}

static void live_record(struct mos_ctx *mctx, struct mos_live *lv,
			const struct mos_rec *h, const uint8_t *payload,
			unsigned int ring)
{
	struct mos_event ev = {
		.type = h->type, .hook = h->hook, .side = h->side,
		.code = h->code, .old_state = h->old_state, .off = h->off,
		.len = h->len,
	};
	struct live_flow *lf;

	lv->records++;
	if (h->kind == MOS_REC_LOST)
		return;		/* the streams' offsets tell where */
	note_packet(mctx, h, payload, ring);
	mctx->rec_raw = h->flags & MOS_REC_F_RAW;
	if (!h->flow_id) {
		mos_dispatch_event(mctx, NULL, &ev);	/* orphans */
		return;
	}
	lf = flow_find(lv, h->flow_id);
	if (!lf) {
		lf = flow_add(lv, h);
		if (!lf)
			return;
	}
	flow_update(lf, h);
	if (stream_event(&ev)) {
		/* Stopped by mos_stop_side(): no more of it, as offline. */
		if (lf->f.stream[!ev.side].flags & MOS_STREAM_STOPPED)
			return;
		if (ev.type == MOS_EV_NEW_DATA ||
		    (ev.type == MOS_EV_ERROR && ev.code == MOS_ERR_GAP))
			check_gap(mctx, lv, lf, ev.side, ev.off, ev.len);
		if (ev.type == MOS_EV_ERROR && ev.code == MOS_ERR_GAP)
			lv->gap_bytes += ev.len;
	}
	if (ev.type == MOS_EV_NEW_DATA) {
		ev.data = payload;
		lv->data_bytes += ev.len;
	}
	if (ev.type == MOS_EV_CONN_END) {
		end_gaps(mctx, lv, lf, h);
		flow_end(mctx, lv, lf, h->end_reason ? h->end_reason : h->code);
		return;
	}
	dispatch(mctx, lf, &ev);
}

/* ---- rings --------------------------------------------------------- */

/*
 * Read what each ring holds now (bounded by the producer positions read
 * at the start of each ring's turn). Return: records read, or -EBADMSG.
 */
static int live_pass(struct mos_ctx *mctx, struct mos_live *lv)
{
	const uint8_t *payload;
	struct mos_rec h;
	unsigned int i;
	int n = 0, ret;

	if (lv->error)
		return lv->error;
	for (i = 0; i < lv->nr_rings; i++) {
		struct mos_ring_reader *r = &lv->rings[i];
		int avail = mos_ring_reader_avail(r);
		uint64_t end;

		if (avail < 0)
			return lv->error = avail;
		end = r->consumer + avail;
		while (r->consumer != end) {
			ret = mos_ring_reader_next(r, &h, &payload);
			if (ret <= 0) {
				mos_ring_reader_publish(r);
				return lv->error = ret ? ret : -EBADMSG;
			}
			/* The payload stays valid during the callbacks. */
			live_record(mctx, lv, &h, payload, i);
			mctx->cur_pkt = NULL;
			mos_ring_reader_consume(r);
			n++;
		}
		mos_ring_reader_publish(r);
	}
	return n;
}

static void live_unmap(struct mos_live *lv)
{
	unsigned int i;

	for (i = 0; i < lv->nr_rings; i++) {
		const struct mos_ring_ctrl *c = lv->rings[i].ctrl;

		/* Keep the kernel's loss counts for mos_get_stats(). */
		if (c) {
			lv->lost_events += __atomic_load_n(&c->lost_events,
							   __ATOMIC_RELAXED);
			lv->lost_bytes += __atomic_load_n(&c->lost_bytes,
							  __ATOMIC_RELAXED);
		}
		if (lv->maps && lv->maps[2 * i])
			munmap(lv->maps[2 * i], lv->page);
		if (lv->maps && lv->maps[2 * i + 1])
			munmap(lv->maps[2 * i + 1], lv->map_bytes);
	}
	free(lv->maps);
	lv->maps = NULL;
	free(lv->rings);
	lv->rings = NULL;
	lv->nr_rings = 0;
	if (lv->fd >= 0)
		close(lv->fd);
	lv->fd = -1;
	mos_live_nl_close(&lv->nl);
	lv->detached = true;
}

/* ---- the live state of a context --------------------------------------- */

static struct mos_live *live_new(struct mos_ctx *mctx, unsigned int nr_rings)
{
	struct mos_live *lv = calloc(1, sizeof(*lv));
	int t;

	if (!lv)
		return NULL;
	lv->fd = -1;
	lv->nl.fd = -1;
	lv->page = sysconf(_SC_PAGESIZE);
	lv->tab = calloc(LIVE_TAB_MIN, sizeof(*lv->tab));
	lv->rings = calloc(nr_rings ? nr_rings : 1, sizeof(*lv->rings));
	if (!lv->tab || !lv->rings) {
		free(lv->tab);
		free(lv->rings);
		free(lv);
		return NULL;
	}
	lv->tab_mask = LIVE_TAB_MIN - 1;
	/* No connection exists yet: the listener is the only holder. */
	for (t = 0; t < MOS_NUM_BUILTIN; t++)
		mctx->mask_holders[t] = !!(mctx->listen_mask & (1u << t));
	if (mctx->wake_fd < 0)
		mctx->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return lv;
}

/* Connections of earlier mos_input_packet() calls cannot go live. */
static bool has_conns(const struct mos_ctx *mctx)
{
	return mctx->nconns != mctx->nfree;
}

/**
 * mos_live_attach_maps() - go live on rings already mapped
 * @mctx: a context without a capture file
 * @maps: each ring's mapping
 * @nr_rings: how many
 *
 * The device path (mos_live_start()) ends here after mmap; the unit tests
 * come here directly with rings laid out in memory, without a kernel (no
 * netlink then: the event mask is only computed).
 *
 * Return: 0; -EBUSY when already live or connections exist; -EINVAL for
 * a mapping the reader refuses; -ENOMEM.
 */
int mos_live_attach_maps(struct mos_ctx *mctx,
			 const struct mos_live_ring_map *maps,
			 unsigned int nr_rings)
{
	struct mos_live *lv;
	unsigned int i;
	int ret;

	if (mctx->live || has_conns(mctx) || mctx->opt.read_file)
		return -EBUSY;
	lv = live_new(mctx, nr_rings);
	if (!lv)
		return -ENOMEM;
	for (i = 0; i < nr_rings; i++) {
		ret = mos_ring_reader_init(&lv->rings[i], maps[i].cons,
					   maps[i].ctrl, maps[i].data,
					   maps[i].data_bytes);
		if (ret) {
			free(lv->tab);
			free(lv->rings);
			free(lv);
			return ret;
		}
	}
	lv->nr_rings = nr_rings;
	mctx->live = lv;
	return 0;
}

/* mmap ring @i of /dev/mos: its consumer page, then the rest read-only. */
static int map_ring(struct mos_live *lv, unsigned int i, uint32_t bytes,
		    struct mos_live_ring_map *m)
{
	off_t base = (off_t)i * (off_t)MOS_RING_MMAP_STRIDE;
	uint8_t *ro;
	void *cons;

	cons = mmap(NULL, lv->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		    lv->fd, base);
	if (cons == MAP_FAILED)
		return -errno;
	lv->maps[2 * i] = cons;
	ro = mmap(NULL, lv->map_bytes, PROT_READ, MAP_SHARED, lv->fd,
		  base + (off_t)lv->page);
	if (ro == MAP_FAILED)
		return -errno;
	lv->maps[2 * i + 1] = ro;
	m->cons = cons;
	m->ctrl = (const struct mos_ring_ctrl *)ro;
	m->data = ro + lv->page;
	m->data_bytes = bytes;
	return 0;
}

/* What opening /dev/mos failing means to the user. */
static int open_error(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return -ENODEV;		/* no device: module not loaded */
	case EACCES:
	case EPERM:
		return -EPERM;
	default:
		return -err;
	}
}

/**
 * mos_live_start() - open /dev/mos, attach, map the rings, subscribe
 * @mctx: a context without a capture file
 *
 * Idempotent: returns 0 at once when already live.
 *
 * Return: 0; -ENODEV when the module is not loaded; -EPERM without
 * CAP_NET_ADMIN; -ENOTSUP when the loaded module has no rings; -EBUSY
 * when connections of mos_input_packet() exist; another negative errno.
 */
int mos_live_start(struct mos_ctx *mctx)
{
	struct mos_ring_setup setup = { 0 };
	struct mos_live_ring_map *maps = NULL;
	struct mos_live *lv = NULL;
	unsigned int i;
	int fd, ret;

	if (mctx->live)
		return mctx->live->detached ? -EBADF : 0;
	if (mctx->opt.read_file || has_conns(mctx))
		return -EBUSY;
	fd = open("/dev/" MOS_DEV_NAME, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return open_error(errno);
	if (ioctl(fd, MOS_IOC_ATTACH, &setup) < 0) {
		ret = errno == ENOTTY ? -ENOTSUP : open_error(errno);
		close(fd);
		return ret;
	}
	if (!setup.nr_rings || setup.ring_bytes < MOS_RING_MIN_BYTES ||
	    setup.ring_bytes > MOS_RING_MAX_BYTES) {
		close(fd);
		return -EPROTO;
	}
	lv = live_new(mctx, setup.nr_rings);
	maps = calloc(setup.nr_rings, sizeof(*maps));
	if (!lv || !maps) {
		ret = -ENOMEM;
		goto err;
	}
	lv->fd = fd;
	fd = -1;
	lv->monitor_id = setup.monitor_id;
	lv->map_bytes = lv->page + 2 * (size_t)setup.ring_bytes;
	lv->maps = calloc(2 * (size_t)setup.nr_rings, sizeof(*lv->maps));
	if (!lv->maps) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < setup.nr_rings; i++) {
		lv->nr_rings = i + 1;	/* so that live_unmap() unmaps it */
		ret = map_ring(lv, i, setup.ring_bytes, &maps[i]);
		if (!ret)
			ret = mos_ring_reader_init(&lv->rings[i], maps[i].cons,
						   maps[i].ctrl, maps[i].data,
						   setup.ring_bytes);
		if (ret)
			goto err;
	}
	ret = mos_live_nl_open(&lv->nl);
	if (ret) {
		/* The family goes with the device: both or neither. */
		ret = ret == -ENOENT ? -ENODEV : ret;
		goto err;
	}
	mctx->live = lv;
	ret = mos_live_sync_evmask(mctx, true);
	for (i = 0; !ret && i < MOS_NUM_FILTERS; i++)
		ret = mos_live_set_filter(mctx, i);
	if (!ret) {
		free(maps);
		return 0;
	}
	mctx->live = NULL;
err:
	if (fd >= 0)
		close(fd);
	if (lv) {
		live_unmap(lv);
		free(lv->tab);
		free(lv);
	}
	free(maps);
	return ret;
}

/**
 * mos_live_evmask() - the event mask the kernel should have
 * @mctx: the context
 *
 * The union of every holder's engine mask, plus CONN_START (so a shadow
 * knows its streams start at offset 0) and CONN_END (so it is freed).
 *
 * Return: bit per built-in event type.
 */
uint32_t mos_live_evmask(const struct mos_ctx *mctx)
{
	uint32_t mask = 1u << MOS_EV_CONN_START | 1u << MOS_EV_CONN_END;
	int t;

	for (t = 0; t < MOS_NUM_BUILTIN; t++)
		if (mctx->mask_holders[t])
			mask |= 1u << t;
	return mask;
}

/**
 * mos_live_sync_evmask() - tell the kernel which events are needed
 * @mctx: a live context
 * @shrink: also when events are no longer needed (otherwise only when
 *	more are, so that connections coming and going do not cost a
 *	netlink round trip each; extra events are filtered here)
 *
 * Return: 0 or the kernel's negative errno.
 */
int mos_live_sync_evmask(struct mos_ctx *mctx, bool shrink)
{
	struct mos_live *lv = mctx->live;
	uint32_t want = mos_live_evmask(mctx);
	/* Every packet's PKT_IN, not only the raw socket's. */
	uint32_t flags = mctx->opt.last_packet || mctx->stream_pkt_in ?
			 MOS_MONITOR_F_ALL_PACKETS : 0;
	uint32_t group = mctx->opt.group_count > 1 ?
			 (uint32_t)mctx->opt.group_count << 16 |
			 mctx->opt.group_index : 1u << 16;
	int ret;

	if (!lv || lv->detached)
		return 0;
	if (lv->evmask_set && flags == lv->flags &&
	    (want == lv->evmask || (!shrink && !(want & ~lv->evmask))))
		return 0;
	if (lv->nl.fd >= 0) {
		ret = mos_live_nl_monitor_set(&lv->nl, lv->monitor_id, want,
					      flags, group);
		if (ret)
			return ret;
	}
	lv->evmask = want;
	lv->flags = flags;
	lv->evmask_set = true;
	return 0;
}

/**
 * mos_live_fd() - the descriptor to poll for events
 * @mctx: a live context (started here if needed)
 *
 * Return: the descriptor, or a negative errno from mos_live_start().
 */
int mos_live_fd(struct mos_ctx *mctx)
{
	int ret = mos_live_start(mctx);

	return ret ? ret : mctx->live->fd;
}

/* Sleep until a ring has records, mos_stop() or the timeout. */
static int live_wait(struct mos_ctx *mctx, struct mos_live *lv,
		     int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = lv->fd, .events = POLLIN },
		{ .fd = mctx->wake_fd, .events = POLLIN },
	};
	unsigned int i;

	for (i = 0; i < lv->nr_rings; i++)
		if (!mos_ring_reader_idle(&lv->rings[i]))
			return 0;
	/* A quiet moment: drop events no one needs any more. */
	if (mos_live_sync_evmask(mctx, true))
		return 0;	/* retried at the next quiet moment */
	if (mctx->stop)
		return 0;
	if (poll(pfd, 2, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return 0;
}

/**
 * mos_live_run_once() - read what the rings hold, waiting if they are
 *	empty
 * @mctx: the context (goes live here if needed)
 * @timeout_ms: how long to wait for records: 0 not at all, -1 forever
 *
 * Return: records read (0 when the wait ended without any), -EINTR once
 * mos_stop() was called, -EBADMSG for a corrupt ring, another negative
 * errno.
 */
int mos_live_run_once(struct mos_ctx *mctx, int timeout_ms)
{
	struct mos_live *lv;
	int64_t next;
	int n;

	if (mctx->stop)
		return -EINTR;
	n = mos_live_start(mctx);
	if (n)
		return n;
	lv = mctx->live;
	n = live_pass(mctx, lv);
	if (mctx->ntimers)
		mos_timers_run(mctx, mos_live_clock_ns());
	if (n || !timeout_ms)
		return n;
	/* Wake for the next timer. */
	next = mos_timers_next(mctx);
	if (next >= 0) {
		uint64_t now = mos_live_clock_ns();
		uint64_t ms = (uint64_t)next <= now ? 0 :
			      ((uint64_t)next - now + 999999) / 1000000;

		if (timeout_ms < 0 || ms < (uint64_t)timeout_ms)
			timeout_ms = ms > INT32_MAX ? INT32_MAX : (int)ms;
	}
	n = timeout_ms ? live_wait(mctx, lv, timeout_ms) : 0;
	if (n)
		return n;
	n = live_pass(mctx, lv);
	if (mctx->ntimers)
		mos_timers_run(mctx, mos_live_clock_ns());
	return n;
}

/**
 * mos_live_run() - run live until mos_stop()
 * @mctx: the context
 *
 * After mos_stop() the records already in the rings are read, then every
 * connection still open ends (CONN_END, reason eof) and the consumer
 * detaches from the kernel.
 *
 * Return: 0 after mos_stop(); -EBADMSG when a ring was corrupt (open
 * connections end with eof first, as at the end of a damaged capture);
 * the errors of mos_live_start().
 */
int mos_live_run(struct mos_ctx *mctx)
{
	int ret = mos_live_start(mctx);

	if (ret)
		return ret;
	while ((ret = mos_live_run_once(mctx, -1)) >= 0)
		;
	if (ret == -EINTR) {
		/* What happened before the stop still counts. */
		ret = live_pass(mctx, mctx->live);
		ret = ret < 0 ? ret : 0;
	}
	mos_live_end_all(mctx, MOS_END_EOF);
	live_unmap(mctx->live);
	return ret;
}

/**
 * mos_live_end_all() - end every open connection
 * @mctx: the context
 * @reason: the end reason, normally MOS_END_EOF
 */
void mos_live_end_all(struct mos_ctx *mctx, uint8_t reason)
{
	struct mos_live *lv = mctx->live;
	size_t i;

	if (!lv)
		return;
	for (i = 0; i <= lv->tab_mask; i++)
		while (lv->tab[i])
			flow_end(mctx, lv, lv->tab[i], reason);
}

/**
 * mos_live_free() - free the live state (no events)
 * @mctx: the context
 */
void mos_live_free(struct mos_ctx *mctx)
{
	struct mos_live *lv = mctx->live;
	struct live_flow *lf;
	size_t i;

	if (!lv)
		return;
	for (i = 0; i <= lv->tab_mask; i++)
		while ((lf = lv->tab[i]))
			flow_del(mctx, lv, lf);
	live_unmap(lv);
	free(lv->tab);
	free(lv);
	mctx->live = NULL;
}

/**
 * mos_live_flow_set() - options and actions for a live connection
 * @mctx: the context
 * @f: the connection's shadow
 * @req: the request; with @req->stop, the stream @req->side receives
 *	stops
 *
 * Stopping applies here at once (no more events of that stream, also of
 * records already in the ring) and in the kernel when it gets the request.
 *
 * Return: 0 or a negative errno from the kernel.
 */
int mos_live_flow_set(struct mos_ctx *mctx, struct mos_flow *f,
		      const struct mos_live_flow_req *req)
{
	struct mos_live *lv = mctx->live;

	if (req->stop)
		f->stream[!req->side].flags |= MOS_STREAM_STOPPED;
	if (lv->nl.fd < 0)
		return lv->detached ? -ENOTCONN : 0;
	return mos_live_nl_flow_set(&lv->nl, f->id, req);
}

/**
 * mos_live_set_filter() - hand a filter to the kernel
 * @mctx: the context; before it is live, the filter goes with the start
 * @kind: MOS_FILTER_KIND_*
 *
 * Return: 0 or the kernel's negative errno.
 */
int mos_live_set_filter(struct mos_ctx *mctx, int kind)
{
	const struct mos_filter *flt = &mctx->filter[kind];
	struct mos_live *lv = mctx->live;

	if (!lv || lv->detached || lv->nl.fd < 0)
		return 0;
	/* Nothing bound, nothing to replace: the kernel starts without. */
	if (!flt->insns && !lv->filter_sent[kind])
		return 0;
	lv->filter_sent[kind] = flt->insns != NULL;
	return mos_live_nl_monitor_filter(&lv->nl, lv->monitor_id, kind,
					  flt->insns, flt->len);
}

/**
 * mos_live_stats() - the counters of a live context
 * @mctx: the context
 * @st: filled in
 */
void mos_live_stats(const struct mos_ctx *mctx, struct mos_stats *st)
{
	const struct mos_live *lv = mctx->live;
	unsigned int i;

	memset(st, 0, sizeof(*st));
	st->payload_bytes = lv->data_bytes;
	st->flows = lv->flows_created;
	st->flows_peak = lv->flows_peak;
	st->gap_bytes = lv->gap_bytes;
	st->flow_bytes = sizeof(struct live_flow) + sizeof(struct mos_conn);
	st->ring_records = lv->records;
	st->ring_lost_events = lv->lost_events;
	st->ring_lost_bytes = lv->lost_bytes;
	for (i = 0; i < lv->nr_rings; i++) {
		st->ring_lost_events +=
			__atomic_load_n(&lv->rings[i].ctrl->lost_events,
					__ATOMIC_RELAXED);
		st->ring_lost_bytes +=
			__atomic_load_n(&lv->rings[i].ctrl->lost_bytes,
					__ATOMIC_RELAXED);
	}
}
