// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * The monitoring context: turns engine events into callbacks.
 *
 * Event ids seen by the event sets: built-in event E at hook H is
 * E * 2 + H, so one callback per (event, hook) pair, as in mOS; user-defined
 * events sit on their base's natural hook (RCV, except CONN_START: SND).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mos_int.h"

static_assert(MOS_NUM_BUILTIN == MOS_EV_NUM, "public and engine events agree");
static_assert(MOS_NUM_BUILTIN * 2 <= MOS_EV_BUILTIN_MAX, "event ids fit");

#define DEFAULT_PEEK_WINDOW	(64 * 1024)

/* The context mos_stop_on_signals() stops. */
static struct mos_ctx *volatile signal_ctx;

static mos_event_t builtin_id(int type, int hook)
{
	return type * 2 + hook;
}

/* Engine mask of the built-in events a set needs raised. */
static uint32_t engine_mask(const struct mos_ctx *mctx,
			    const struct mos_evset *set)
{
	uint32_t ids = set ? mos_evset_builtin_mask(set) : 0, mask = 0;
	int t;

	for (t = 0; t < MOS_NUM_BUILTIN; t++)
		if (ids & (3u << (t * 2)))
			mask |= 1u << t;
	/* Peeking needs the bytes even without a NEW_DATA callback. */
	if (mctx->opt.peek_window)
		mask |= 1u << MOS_EV_NEW_DATA;
	/* The raw socket sees every packet, of connections or not. */
	if (mctx->raw_set && mos_evset_builtin_mask(mctx->raw_set))
		mask |= 1u << MOS_EV_PKT_IN | 1u << MOS_EV_ORPHAN;
	/* Live, a PKT_IN record carries the headers mos_getlastpkt() shows. */
	if (mctx->opt.last_packet && !mctx->opt.read_file)
		mask |= 1u << MOS_EV_PKT_IN;
	return mask | 1u << MOS_EV_CONN_END;
}

void mos_options_init(struct mos_options *opt)
{
	struct mos_engine_cfg cfg;

	mos_engine_default_cfg(&cfg);
	memset(opt, 0, sizeof(*opt));
	opt->max_flows = cfg.max_flows;
	opt->flow_buffer = cfg.flow_buffer;
	opt->buffer_total = cfg.buffer_total;
	opt->peek_window = DEFAULT_PEEK_WINDOW;
}

int mos_overlap_policy_parse(const char *name)
{
	static const char *const names[] = {
		"first", "last", "bsd", "linux", "old-linux", "windows",
		"solaris", "hpux", "macos",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return i;
	return -EINVAL;
}

const char *mos_state_name(int state)
{
	return mos_tcp_state_name(state);
}

const char *mos_strerror(int err)
{
	switch (err) {
	case -ENOTSUP:
		return "the loaded mos module has no event rings (too old for live monitoring); use -r FILE";
	case -ENODEV:
		return "the mos module is not loaded (no /dev/mos); load it or use -r FILE";
	case -EPERM:
		return "permission denied: live monitoring needs CAP_NET_ADMIN";
	case -EBADMSG:
		return "corrupt record in an event ring";
	case -EPROTONOSUPPORT:
		return "unsupported link type in capture";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

/*
 * Live, the kernel is asked for the union of every holder's mask: count
 * the holders of each event as masks change.
 */
static void holders_change(struct mos_ctx *mctx, uint32_t old, uint32_t new)
{
	uint32_t diff = old ^ new;
	int t;

	for (t = 0; diff && t < MOS_NUM_BUILTIN; t++)
		if (diff & (1u << t))
			mctx->mask_holders[t] += (new & (1u << t)) ? 1 : -1;
}

/**
 * mos_conn_lookup() - the connection behind a socket number
 * @mctx: the context
 * @sock: the socket
 *
 * Return: the connection, or NULL when @sock is no open connection's.
 */
struct mos_conn *mos_conn_lookup(struct mos_ctx *mctx, int sock)
{
	size_t i;

	if (sock < MOS_MAX_LISTENERS)
		return NULL;
	i = sock - MOS_MAX_LISTENERS;
	return i < mctx->nconns ? mctx->conns[i] : NULL;
}

/*
 * NEW_DATA's bytes into the peek window: a segment the engine handed over
 * (offline, delivered whole) joins it uncopied; other bytes are copied.
 */
static void keep_new_data(struct mos_conn *c, const struct mos_event *ev)
{
	struct mos_peekbuf *b = &c->buf[ev->side];

	if (ev->seg && *ev->seg) {
		mos_peekbuf_adopt(b, c->peek_window[ev->side], *ev->seg);
		*ev->seg = NULL;
	} else {
		mos_peekbuf_append(b, c->peek_window[ev->side], ev->off,
				   ev->data, ev->len);
	}
}

/* Muted connections raise only CONN_END (which frees them quietly). */
#define MUTED_MASK	(1u << MOS_EV_CONN_END)

/**
 * mos_conn_mute() - no more callbacks for a connection
 * @mctx: the context
 * @c: the connection
 *
 * The engine stops raising its events; its socket stays valid until the
 * connection ends, with no event.
 */
void mos_conn_mute(struct mos_ctx *mctx, struct mos_conn *c)
{
	uint32_t old = c->flow->evmask;

	c->muted = true;
	c->flow->evmask = MUTED_MASK;
	if (mctx->live)
		holders_change(mctx, old, MUTED_MASK);
}

/*
 * Offline, the SYN filter sees a connection's first packet: the one being
 * input when its first event is raised. Live, the kernel ran it.
 */
static bool syn_filter_pass(const struct mos_ctx *mctx)
{
	const struct mos_last_pkt *in = &mctx->in_pkt;

	return mos_filter_pass(&mctx->filter[MOS_FILTER_KIND_SYN], in->ip,
			       in->caplen, in->len);
}

static struct mos_conn *conn_new(struct mos_ctx *mctx, struct mos_flow *f)
{
	struct mos_conn *c = calloc(1, sizeof(*c));
	size_t i;

	if (!c)
		return NULL;
	if (mctx->nfree) {
		i = mctx->free_socks[--mctx->nfree];
	} else {
		size_t n = mctx->nconns ? mctx->nconns * 2 : 1024;
		struct mos_conn **conns = realloc(mctx->conns,
						  n * sizeof(*conns));
		int *fs = conns ? realloc(mctx->free_socks,
					  n * sizeof(*fs)) : NULL;

		if (conns)
			mctx->conns = conns;
		if (!fs) {
			free(c);
			return NULL;
		}
		mctx->free_socks = fs;
		for (i = n; i > mctx->nconns + 1; i--)
			fs[mctx->nfree++] = i - 1;
		memset(conns + mctx->nconns, 0,
		       (n - mctx->nconns) * sizeof(*conns));
		i = mctx->nconns;
		mctx->nconns = n;
	}
	mctx->conns[i] = c;
	c->sock = i + MOS_MAX_LISTENERS;
	c->flow = f;
	c->peek_window[0] = mctx->opt.peek_window;
	c->peek_window[1] = mctx->opt.peek_window;
	/* New connections inherit the listener's set: one more reference. */
	c->set = mctx->listen_set ? mos_evset_get(mctx->listen_set) :
				    mos_evset_empty(mctx->tab);
	f->user = c;
	f->evmask = engine_mask(mctx, c->set);
	if (mctx->live) {
		holders_change(mctx, 0, f->evmask);
		mos_live_sync_evmask(mctx, false);
	} else if (!syn_filter_pass(mctx)) {
		/* Not this context's: tracked, but metadata-only and silent. */
		mos_conn_mute(mctx, c);
		mos_flow_stop_stream(mctx->engine, f, MOS_SIDE_CLI);
		mos_flow_stop_stream(mctx->engine, f, MOS_SIDE_SVR);
	}
	return c;
}

static void conn_free(struct mos_ctx *mctx, struct mos_conn *c)
{
	size_t i = c->sock - MOS_MAX_LISTENERS;

	if (mctx->live)
		holders_change(mctx, c->flow->evmask, 0);
	if (c->ntimers)
		mos_timers_cancel_sock(mctx, c->sock);
	mos_evset_put(mctx->tab, c->set);
	mos_peekbuf_release(&c->buf[0]);
	mos_peekbuf_release(&c->buf[1]);
	mctx->conns[i] = NULL;
	mctx->free_socks[mctx->nfree++] = i;
	free(c);
}

/**
 * mos_conn_of_flow() - the library's side of a connection, made if needed
 * @mctx: the context
 * @f: the connection (the engine's, or a live shadow)
 *
 * A new one inherits the listener's event set and sets @f->evmask.
 *
 * Return: the connection, or NULL when out of memory.
 */
struct mos_conn *mos_conn_of_flow(struct mos_ctx *mctx, struct mos_flow *f)
{
	return f->user ? f->user : conn_new(mctx, f);
}

/* The raw socket's PKT_IN callbacks for the packet being processed. */
static void raw_dispatch(struct mos_ctx *mctx, const struct mos_event *ev,
			 int side)
{
	const struct mos_last_pkt *lp = mctx->cur_pkt;

	if (!mctx->raw_set || !lp)
		return;
	/* Live, the kernel ran the raw filter and marked the record. */
	if (mctx->live ? !mctx->rec_raw :
	    !mos_filter_pass(&mctx->filter[MOS_FILTER_KIND_RAW], lp->ip,
			     lp->caplen, lp->len))
		return;
	mctx->raw_side = side;
	mos_evset_dispatch(mctx->tab, &mctx->raw_set,
			   builtin_id(MOS_EV_PKT_IN, MOS_HK_SND), mctx,
			   MOS_RAW_SOCK, side);
}

static bool orphan_filter_pass(const struct mos_ctx *mctx,
			       const struct mos_event *ev)
{
	const struct mos_last_pkt *lp = mctx->cur_pkt;

	if (ev->type != MOS_EV_ORPHAN || mctx->live || !lp)
		return true;
	return mos_filter_pass(&mctx->filter[MOS_FILTER_KIND_ORPHAN], lp->ip,
			       lp->caplen, lp->len);
}

/**
 * mos_dispatch_event() - run the callbacks of an event
 * @mctx: the context
 * @f: the connection, or NULL for ORPHAN and flow-less errors (the
 *	listener's callbacks run)
 * @ev: the event; for NEW_DATA its bytes also go to the peek window
 *
 * After CONN_END the connection's socket is closed and @f->user cleared.
 */
void mos_dispatch_event(struct mos_ctx *mctx, struct mos_flow *f,
			const struct mos_event *ev)
{
	const struct mos_event *saved = mctx->cur_ev;
	struct mos_conn *c;

	if (!f) {
		mctx->cur_ev = ev;
		if (ev->type == MOS_EV_ORPHAN)
			raw_dispatch(mctx, ev, MOS_SIDE_BOTH);
		if (mctx->listen_set && orphan_filter_pass(mctx, ev))
			mos_evset_dispatch(mctx->tab, &mctx->listen_set,
					   builtin_id(ev->type, ev->hook), mctx,
					   0, ev->side);
		mctx->cur_ev = saved;
		return;
	}
	c = mos_conn_of_flow(mctx, f);
	if (!c)
		return;	/* out of memory: no callbacks for it */
	if (c->muted)
		goto out;
	if (ev->type == MOS_EV_NEW_DATA)
		keep_new_data(c, ev);
	mctx->cur_ev = ev;
	/* The raw socket sees each packet once: at its sender's hook. */
	if (ev->type == MOS_EV_PKT_IN && ev->hook == MOS_HK_SND)
		raw_dispatch(mctx, ev, ev->side);
	mos_evset_dispatch(mctx->tab, &c->set, builtin_id(ev->type, ev->hook),
			   mctx, c->sock, ev->side);
	mctx->cur_ev = saved;
out:
	/*
	 * Nothing follows CONN_END: the socket closes now, although the
	 * engine may keep the connection a while to absorb late segments.
	 */
	if (ev->type == MOS_EV_CONN_END) {
		conn_free(mctx, c);
		f->user = NULL;
	}
}

static void sink_event(void *ctx, struct mos_flow *f,
		       const struct mos_event *ev, const struct mos_pkt *pkt)
{
	struct mos_ctx *mctx = ctx;
	const struct mos_last_pkt *saved = mctx->cur_pkt;

	mctx->in_pkt.pkt = pkt;
	mctx->cur_pkt = pkt ? &mctx->in_pkt : NULL;
	mos_dispatch_event(mctx, f, ev);
	mctx->cur_pkt = saved;
}

/**
 * mos_flow_release() - close a connection's socket without an event
 * @mctx: the context
 * @f: the connection about to be freed
 */
void mos_flow_release(struct mos_ctx *mctx, struct mos_flow *f)
{
	if (f->user)
		conn_free(mctx, f->user);
	f->user = NULL;
}

static void sink_flow_free(void *ctx, struct mos_flow *f)
{
	mos_flow_release(ctx, f);
}

static const struct mos_engine_sink sink = {
	.event = sink_event,
	.flow_free = sink_flow_free,
};

int mos_ctx_new(struct mos_ctx **mctxp, const struct mos_options *opt)
{
	struct mos_engine_cfg cfg;
	struct mos_ctx *mctx;

	if (opt->overlap_policy < 0 ||
	    opt->overlap_policy >= MOS_OVERLAP_NUM ||
	    opt->checksum < 0 || opt->checksum > 2 ||
	    (opt->group_count > 1 && opt->group_index >= opt->group_count))
		return -EINVAL;
	mctx = calloc(1, sizeof(*mctx));
	if (!mctx)
		return -ENOMEM;
	mctx->opt = *opt;
	mctx->wake_fd = -1;
	mos_engine_default_cfg(&cfg);
	cfg.max_flows = opt->max_flows;
	cfg.flow_buffer = opt->flow_buffer;
	cfg.buffer_total = opt->buffer_total;
	cfg.overlap_policy = opt->overlap_policy;
	cfg.checksum = opt->checksum;
	cfg.deliver = opt->deliver_on_arrival ? MOS_DELIVER_ARRIVAL :
						MOS_DELIVER_ACKED;
	cfg.midstream = opt->midstream;
	cfg.one_sided = opt->one_sided;
	mctx->tab = mos_evtab_new();
	if (mctx->tab)	/* ids are event * 2 + hook; callbacks get the event */
		mos_evtab_set_builtin_shift(mctx->tab, 1);
	mctx->engine = mctx->tab ? mos_engine_new(&cfg, &sink, mctx) : NULL;
	if (!mctx->engine) {
		mos_evtab_free(mctx->tab);
		free(mctx);
		return -ENOMEM;
	}
	mctx->listen_mask = engine_mask(mctx, NULL);
	mos_engine_set_default_evmask(mctx->engine, mctx->listen_mask);
	*mctxp = mctx;
	return 0;
}

void mos_ctx_free(struct mos_ctx *mctx)
{
	if (!mctx)
		return;
	if (signal_ctx == mctx)
		mos_stop_on_signals(NULL);
	mos_live_free(mctx);		/* frees live conns */
	mos_engine_free(mctx->engine);	/* frees conns via sink */
	if (mctx->wake_fd >= 0)
		close(mctx->wake_fd);
	mos_evset_put(mctx->tab, mctx->listen_set);
	mos_evset_put(mctx->tab, mctx->raw_set);
	mos_evtab_free(mctx->tab);
	mos_filters_free(mctx);
	mos_timers_free(mctx);
	free(mctx->conns);
	free(mctx->free_socks);
	free(mctx);
}

int mos_run(struct mos_ctx *mctx)
{
	if (!mctx->opt.read_file)
		return mos_live_run(mctx);
	return mos_capture_run(mctx, mctx->opt.read_file);
}

int mos_run_once(struct mos_ctx *mctx, int timeout_ms)
{
	if (mctx->opt.read_file)
		return -EINVAL;
	return mos_live_run_once(mctx, timeout_ms);
}

int mos_get_fd(struct mos_ctx *mctx)
{
	if (mctx->opt.read_file)
		return -EINVAL;
	return mos_live_fd(mctx);
}

/* Async-signal-safe: a store and a write(2). */
void mos_stop(struct mos_ctx *mctx)
{
	int fd = mctx->wake_fd;

	mctx->stop = true;
	if (fd >= 0) {
		uint64_t one = 1;
		ssize_t n = write(fd, &one, sizeof(one));

		(void)n;	/* full counter: a wakeup is pending anyway */
	}
}

static void stop_signal(int sig)
{
	struct mos_ctx *mctx = signal_ctx;

	if (mctx)
		mos_stop(mctx);
}

int mos_stop_on_signals(struct mos_ctx *mctx)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mctx ? stop_signal : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	signal_ctx = mctx;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL))
			return -errno;
	return 0;
}

/*
 * Offline share of a context in a group: by a hash of the addresses and
 * ports that is the same in both directions. Packets mos cannot parse as
 * TCP go to the first context, which reports them.
 */
static bool in_group(const struct mos_ctx *mctx, const uint8_t *ip,
		     uint32_t caplen, uint32_t len)
{
	struct mos_pkt p;
	uint32_t h = 0;
	int i;

	if (mos_parse_ip(ip, caplen, len, &p) != MOS_PARSE_TCP)
		return mctx->opt.group_index == 0;
	for (i = 0; i < 16; i++)
		h = h * 31 + (p.saddr[i] ^ p.daddr[i]);
	h = h * 31 + (p.sport ^ p.dport);
	h ^= h >> 16;
	h *= 0x45d9f3b;
	h ^= h >> 16;
	return h % mctx->opt.group_count == mctx->opt.group_index;
}

/*
 * Test hook (mos_ctx.input_paged, set by the fuzzer): give the engine a
 * TCP packet the way the kernel gives it a paged skb, the payload read
 * through in.pkt and only the headers at in.ip, in a buffer of exactly
 * their size (returned, to be freed), so that the kernel's payload paths
 * (mos_pkt_copy(), mos_pkt_csum(), held segments) run under the
 * sanitizers, and a read of the payload through in.ip is caught.
 */
static uint8_t *input_as_paged(struct mos_input *in)
{
	struct mos_pkt p;
	uint8_t *hdrs;
	uint32_t n;

	if (in->caplen != in->len ||
	    mos_parse_ip(in->ip, in->caplen, in->len, &p) != MOS_PARSE_TCP)
		return NULL;
	n = p.l4_off + p.tcp_hdr_len;
	hdrs = malloc(n);
	if (!hdrs)
		return NULL;
	memcpy(hdrs, in->ip, n);
	in->pkt = in->ip;
	in->ip = hdrs;
	in->caplen = n;
	return hdrs;
}

int mos_input_packet(struct mos_ctx *mctx, int linktype, uint64_t ts_ns,
		     const void *data, uint32_t caplen, uint32_t len)
{
	int off = mos_linktype_ip_offset(linktype, data, caplen);
	uint8_t *paged_hdrs = NULL;
	struct mos_input in;

	if (mctx->live)
		return -EBUSY;	/* the kernel runs this context's engine */
	if (off == -EPROTONOSUPPORT)
		return off;
	if (off < 0 || (uint32_t)off > caplen || (uint32_t)off > len)
		return 0;	/* not IP: nothing for a TCP monitor */
	if (mctx->opt.group_count > 1 &&
	    !in_group(mctx, (const uint8_t *)data + off, caplen - off,
		      len - off))
		return 0;	/* another context's connection */
	in.ip = (const uint8_t *)data + off;
	in.caplen = caplen - off;
	in.len = len - off;
	in.ts_ns = ts_ns;
	in.csum = MOS_CSUM_ON;
	in.pkt = NULL;
	/* Timers set before the first packet count from it. */
	if (!mctx->fed)
		mos_timers_start_clock(mctx, ts_ns);
	mctx->fed = true;
	mctx->in_pkt.ts_ns = ts_ns;
	/* Timers due by this packet's time fire before it. */
	if (mctx->ntimers)
		mos_timers_run(mctx, ts_ns);
	mctx->in_pkt.ip = in.ip;
	mctx->in_pkt.caplen = in.caplen;
	mctx->in_pkt.len = in.len;
	if (unlikely(mctx->input_paged))
		paged_hdrs = input_as_paged(&in);
	mos_engine_input(mctx->engine, &in);
	free(paged_hdrs);
	mctx->in_pkt.ip = NULL;
	mctx->in_pkt.caplen = 0;
	return 0;
}

void mos_end_input(struct mos_ctx *mctx)
{
	mos_live_end_all(mctx, MOS_END_EOF);
	mos_engine_end_all(mctx->engine, MOS_END_EOF);
}

int mos_socket(struct mos_ctx *mctx, int type)
{
	switch (type) {
	case MOS_SOCK_MONITOR_STREAM:
		if (mctx->listen_set)
			return -EBUSY;
		mctx->listen_set = mos_evset_empty(mctx->tab);
		return MOS_STREAM_SOCK;
	case MOS_SOCK_MONITOR_RAW:
		if (mctx->raw_set)
			return -EBUSY;
		mctx->raw_set = mos_evset_empty(mctx->tab);
		return MOS_RAW_SOCK;
	default:
		return -EPROTONOSUPPORT;
	}
}

/* The event-set slot a socket's registrations go to. */
static struct mos_evset **set_slot(struct mos_ctx *mctx, int sock,
				   struct mos_conn **cp)
{
	*cp = NULL;
	if (sock == MOS_STREAM_SOCK)
		return mctx->listen_set ? &mctx->listen_set : NULL;
	if (sock == MOS_RAW_SOCK)
		return mctx->raw_set ? &mctx->raw_set : NULL;
	*cp = mos_conn_lookup(mctx, sock);
	return *cp ? &(*cp)->set : NULL;
}

static int event_id(struct mos_ctx *mctx, mos_event_t ev, int hook,
		    mos_event_t *id)
{
	if (ev < MOS_NUM_BUILTIN) {
		if (hook != MOS_HK_SND && hook != MOS_HK_RCV)
			return -EINVAL;
		*id = builtin_id(ev, hook);
		return 0;
	}
	if (!mos_evtab_valid(mctx->tab, ev))
		return -EINVAL;
	*id = ev;
	return 0;
}

static int update_masks(struct mos_ctx *mctx, struct mos_conn *c)
{
	uint32_t *mask = c ? &c->flow->evmask : &mctx->listen_mask;
	uint32_t old = *mask;

	if (c && c->muted)
		return 0;

	*mask = engine_mask(mctx, c ? c->set : mctx->listen_set);
	if (!c)
		mos_engine_set_default_evmask(mctx->engine, *mask);
	if (!mctx->live)
		return 0;
	holders_change(mctx, old, *mask);
	return mos_live_sync_evmask(mctx, false);
}

/* Add (@cb set) or remove (@cb NULL) a socket's callback for an event. */
static int change_callback(struct mos_ctx *mctx, int sock, mos_event_t ev,
			   int hook, mos_callback_t cb, void *arg)
{
	struct mos_evset **slot;
	struct mos_conn *c;
	mos_event_t id;
	int ret;

	slot = set_slot(mctx, sock, &c);
	if (!slot)
		return -EBADF;
	/* A raw socket has packets only: one callback per packet. */
	if (sock == MOS_RAW_SOCK) {
		if (ev != MOS_ON_PKT_IN)
			return -EINVAL;
		hook = MOS_HK_SND;
	} else if (ev == MOS_ON_PKT_IN && cb) {
		mctx->stream_pkt_in = true;
	}
	ret = event_id(mctx, ev, hook, &id);
	if (ret)
		return ret;
	ret = cb ? mos_evset_add(mctx->tab, slot, id, cb, arg) :
		   mos_evset_remove(mctx->tab, slot, id);
	if (!ret)
		ret = update_masks(mctx, c);
	return ret;
}

int mos_register_callback(struct mos_ctx *mctx, int sock, mos_event_t ev,
			  int hook, mos_callback_t cb, void *arg)
{
	if (!cb)
		return -EINVAL;
	return change_callback(mctx, sock, ev, hook, cb, arg);
}

int mos_unregister_callback(struct mos_ctx *mctx, int sock, mos_event_t ev,
			    int hook)
{
	return change_callback(mctx, sock, ev, hook, NULL, NULL);
}

int mos_define_event(struct mos_ctx *mctx, mos_event_t base,
		     mos_filter_t filter, void *arg)
{
	if (base < MOS_NUM_BUILTIN)
		base = builtin_id(base, base == MOS_ON_CONN_START ?
				  MOS_HK_SND : MOS_HK_RCV);
	else if (base < MOS_EV_BUILTIN_MAX)
		return -EINVAL;	/* no such event: built-ins end at 9 */
	return mos_evtab_define(mctx->tab, base, filter, arg);
}

int mos_get_event_info(struct mos_ctx *mctx, struct mos_event_info *info)
{
	const struct mos_event *ev = mctx->cur_ev;

	if (!ev)
		return -ENOENT;
	info->type = ev->type;
	info->hook = ev->hook;
	info->side = ev->side;
	info->code = ev->code;
	info->old_state = ev->old_state;
	info->off = ev->off;
	info->len = ev->len;
	return 0;
}

static void fill_addr(struct sockaddr_storage *ss, const uint8_t *addr,
		      uint16_t port, int version)
{
	memset(ss, 0, sizeof(*ss));
	if (version == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, addr + 12, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, addr, 16);
	}
}

int mos_get_flow_info(struct mos_ctx *mctx, int sock,
		      struct mos_flow_info *info)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);
	const struct mos_flow *f;
	int i;

	if (!c)
		return -EBADF;
	f = c->flow;
	info->id = f->id;
	info->roles_guessed = f->flags & MOS_FLOW_GUESSED;
	info->end_reason = f->end_reason;
	for (i = 0; i < 2; i++) {
		info->state[i] = f->tcp.end[i].state;
		fill_addr(&info->addr[i], f->addr[i], f->port[i],
			  f->ip_version);
	}
	return 0;
}

int mos_set_uctx(struct mos_ctx *mctx, int sock, void *uctx)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);

	if (!c)
		return -EBADF;
	c->uctx = uctx;
	return 0;
}

void *mos_get_uctx(struct mos_ctx *mctx, int sock)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);

	return c ? c->uctx : NULL;
}

static struct mos_peekbuf *peekbuf_of(struct mos_ctx *mctx, int sock,
				      int side)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);

	if (!c || (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR))
		return NULL;
	return &c->buf[side];
}

ssize_t mos_peek(struct mos_ctx *mctx, int sock, int side, void *buf,
		 size_t len)
{
	struct mos_peekbuf *b = peekbuf_of(mctx, sock, side);

	if (!b)
		return -EBADF;
	return mos_peekbuf_read(b, buf, len);
}

ssize_t mos_ppeek(struct mos_ctx *mctx, int sock, int side, void *buf,
		  size_t len, uint64_t off)
{
	struct mos_peekbuf *b = peekbuf_of(mctx, sock, side);

	if (!b)
		return -EBADF;
	return mos_peekbuf_pread(b, buf, len, off);
}

uint64_t mos_peek_skipped(struct mos_ctx *mctx, int sock, int side)
{
	struct mos_peekbuf *b = peekbuf_of(mctx, sock, side);

	return b ? b->skipped : 0;
}

int mos_set_overlap_policy(struct mos_ctx *mctx, int sock, int side,
			   int policy)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);

	if (!c)
		return -EBADF;
	if (policy < 0 || policy >= MOS_OVERLAP_NUM)
		return -EINVAL;
	if (mctx->live) {
		struct mos_live_flow_req req = {
			.side = side, .policy = policy, .buffer = -1,
		};

		if (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR)
			return -EINVAL;
		return mos_live_flow_set(mctx, c->flow, &req);
	}
	return mos_flow_set_policy(c->flow, side, policy);
}

int mos_stop_side(struct mos_ctx *mctx, int sock, int side)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);

	if (!c)
		return -EBADF;
	if (side != MOS_SIDE_CLI && side != MOS_SIDE_SVR)
		return -EINVAL;
	if (mctx->live) {
		struct mos_live_flow_req req = {
			.side = side, .policy = -1, .buffer = -1, .stop = true,
		};

		return mos_live_flow_set(mctx, c->flow, &req);
	}
	mos_flow_stop_stream(mctx->engine, c->flow, side);
	return 0;
}

int mos_get_stats(struct mos_ctx *mctx, struct mos_stats *st)
{
	const struct mos_engine_stats *es = mos_engine_stats(mctx->engine);

	if (mctx->live) {
		mos_live_stats(mctx, st);
		return 0;
	}
	memset(st, 0, sizeof(*st));
	st->packets = es->packets;
	st->tcp_packets = es->tcp_packets;
	st->payload_bytes = es->payload_bytes;
	st->bad_headers = es->bad_headers;
	st->bad_csum = es->bad_csum;
	st->orphans = es->orphans;
	st->out_of_window = es->out_of_window;
	st->flows = es->flows_created;
	st->flows_peak = es->flows_peak;
	st->evicted = es->flows_evicted;
	st->timeouts = es->flows_timeout;
	st->gap_bytes = es->gap_bytes;
	st->capped_bytes = es->capped_bytes;
	st->dropped = es->dropped;
	st->engine_mem_peak = es->mem_peak;
	st->flow_bytes = sizeof(struct mos_flow);
	return 0;
}
