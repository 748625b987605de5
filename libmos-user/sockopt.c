// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Per-connection options (mos_getsockopt(), mos_setsockopt()) and actions
 * (mos_flow_drop(), mos_flow_reset()). Offline they act on the engine at
 * once; live the kernel holds the connection, so options that change how
 * it tracks or reassembles are requests to it (MOS_CMD_FLOW_SET).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/mos.h>
#include "mos_int.h"

static bool one_side(int side)
{
	return side == MOS_SIDE_CLI || side == MOS_SIDE_SVR;
}

static int put_val(void *val, socklen_t *len, const void *src, size_t size)
{
	if (!val || !len || *len < size)
		return -EINVAL;
	memcpy(val, src, size);
	*len = size;
	return 0;
}

static void buf_info(struct mos_ctx *mctx, const struct mos_conn *c,
		     int side, struct mos_buf_info *bi)
{
	const struct mos_flow *f = c->flow;
	const struct mos_peekbuf *pb = &c->buf[side];
	const struct mos_stream *st = &f->stream[!side];

	memset(bi, 0, sizeof(*bi));
	bi->isn = f->tcp.end[!side].isn;
	bi->next_off = st->reasm.released;
	bi->peek_start = pb->begin;
	bi->peek_window = mctx->opt.peek_window;
	/* Live, the kernel holds the bytes; its flow buffer is ours. */
	if (!mctx->live)
		bi->held_bytes = st->reasm.stored;
	bi->buf_size = mos_flow_buffer(f, side, mctx->opt.flow_buffer);
}

/* Held segments, as many whole entries as fit; the count of all. */
static int frag_info(const struct mos_conn *c, int side, void *val,
		     socklen_t *len)
{
	const struct mos_reasm *r = &c->flow->stream[!side].reasm;
	uint32_t max, n, i;
	u32 *lens;
	struct mos_frag fr;
	u64 *offs;

	if (!len || (!val && *len))
		return -EINVAL;
	max = *len / sizeof(struct mos_frag);
	n = mos_reasm_segments(r, NULL, NULL, 0);
	if (n < max)
		max = n;
	offs = calloc(max + 1, sizeof(*offs));
	lens = calloc(max + 1, sizeof(*lens));
	if (!offs || !lens) {
		free(offs);
		free(lens);
		return -ENOMEM;
	}
	mos_reasm_segments(r, offs, lens, max);
	for (i = 0; i < max; i++) {
		memset(&fr, 0, sizeof(fr));
		fr.off = offs[i];
		fr.len = lens[i];
		memcpy((uint8_t *)val + i * sizeof(fr), &fr, sizeof(fr));
	}
	free(offs);
	free(lens);
	*len = max * sizeof(struct mos_frag);
	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int mos_getsockopt(struct mos_ctx *mctx, int sock, int side, int opt,
		   void *val, socklen_t *len)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);
	struct mos_buf_info bi;
	uint32_t u;
	int i;

	if (!c)
		return -EBADF;
	if (!one_side(side))
		return -EINVAL;
	switch (opt) {
	case MOS_OPT_TCP_STATE:
		i = c->flow->tcp.end[side].state;
		return put_val(val, len, &i, sizeof(i));
	case MOS_OPT_BUF_INFO:
		buf_info(mctx, c, side, &bi);
		return put_val(val, len, &bi, sizeof(bi));
	case MOS_OPT_FRAG_INFO:
		if (mctx->live)
			return -EOPNOTSUPP;
		return frag_info(c, side, val, len);
	case MOS_OPT_PEEK_WINDOW:
		u = c->peek_window[side];
		return put_val(val, len, &u, sizeof(u));
	case MOS_OPT_BUF_SIZE:
		buf_info(mctx, c, side, &bi);
		return put_val(val, len, &bi.buf_size, sizeof(bi.buf_size));
	case MOS_OPT_OVERLAP_POLICY:
		i = c->flow->stream[!side].reasm.policy;
		return put_val(val, len, &i, sizeof(i));
	default:
		return -EINVAL;
	}
}

static int get_int(const void *val, socklen_t len, int *v)
{
	if (!val || len != sizeof(int))
		return -EINVAL;
	memcpy(v, val, sizeof(*v));
	return 0;
}

static int set_buf_size(struct mos_ctx *mctx, struct mos_conn *c, int side,
			uint32_t bytes)
{
	struct mos_live_flow_req req = {
		.side = side, .policy = -1, .buffer = bytes,
	};

	int ret;

	if (!bytes)
		return mos_stop_side(mctx, c->sock, side);
	/* Live, on the shadow too, for MOS_OPT_BUF_SIZE and BUF_INFO. */
	ret = mos_flow_set_buffer(c->flow, side, bytes);
	if (ret || !mctx->live)
		return ret;
	return mos_live_flow_set(mctx, c->flow, &req);
}

/* Stop monitoring a whole connection: no stream, no more callbacks. */
static int stop_conn(struct mos_ctx *mctx, struct mos_conn *c)
{
	int ret = mos_stop_side(mctx, c->sock, MOS_SIDE_CLI);

	if (!ret)
		ret = mos_stop_side(mctx, c->sock, MOS_SIDE_SVR);
	mos_conn_mute(mctx, c);
	return ret;
}

int mos_setsockopt(struct mos_ctx *mctx, int sock, int side, int opt,
		   const void *val, socklen_t len)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);
	uint32_t u;
	int v, ret;

	if (!c)
		return -EBADF;
	if (opt == MOS_OPT_STOP_MON) {
		ret = get_int(val, len, &v);
		if (ret || v != 1)
			return -EINVAL;
		if (side == MOS_SIDE_BOTH)
			return stop_conn(mctx, c);
		if (!one_side(side))
			return -EINVAL;
		return mos_stop_side(mctx, sock, side);
	}
	if (!one_side(side))
		return -EINVAL;
	switch (opt) {
	case MOS_OPT_PEEK_WINDOW:
		if (!val || len != sizeof(u))
			return -EINVAL;
		memcpy(&u, val, sizeof(u));
		c->peek_window[side] = u;
		return 0;
	case MOS_OPT_BUF_SIZE:
		if (!val || len != sizeof(u))
			return -EINVAL;
		memcpy(&u, val, sizeof(u));
		return set_buf_size(mctx, c, side, u);
	case MOS_OPT_OVERLAP_POLICY:
		ret = get_int(val, len, &v);
		if (ret)
			return ret;
		return mos_set_overlap_policy(mctx, sock, side, v);
	default:
		return -EINVAL;
	}
}

/* Drop (and reset) a connection: flagged here, done by engine or kernel. */
static int flow_action(struct mos_ctx *mctx, int sock, uint32_t action)
{
	struct mos_conn *c = mos_conn_lookup(mctx, sock);
	struct mos_live_flow_req req = {
		.side = -1, .policy = -1, .buffer = -1, .action = action,
	};
	uint8_t flags = MOS_FLOW_DROP;

	if (!c)
		return -EBADF;
	if (action == MOS_FLOW_ACTION_RESET)
		flags |= MOS_FLOW_RESET;
	if (mctx->live)
		return mos_live_flow_set(mctx, c->flow, &req);
	c->flow->flags |= flags;
	return 0;
}

int mos_flow_drop(struct mos_ctx *mctx, int sock)
{
	return flow_action(mctx, sock, MOS_FLOW_ACTION_DROP);
}

int mos_flow_reset(struct mos_ctx *mctx, int sock)
{
	return flow_action(mctx, sock, MOS_FLOW_ACTION_RESET);
}
