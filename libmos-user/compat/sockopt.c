// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * libmos-compat socket options: mtcp_getsockopt() and mtcp_setsockopt()
 * at level SOL_MONSOCKET.
 */
#include <stdlib.h>
#include <string.h>
#include "compat_int.h"

/* Endpoint state of mos (by name) as mOS's enum tcpstate. */
static int mos_state_to_mtcp(int state)
{
	static const struct {
		const char *name;
		int st;
	} map[] = {
		{ "closed", TCP_CLOSED }, { "listen", TCP_LISTEN },
		{ "syn_sent", TCP_SYN_SENT }, { "syn_rcvd", TCP_SYN_RCVD },
		{ "established", TCP_ESTABLISHED },
		{ "fin_wait_1", TCP_FIN_WAIT_1 },
		{ "fin_wait_2", TCP_FIN_WAIT_2 },
		{ "close_wait", TCP_CLOSE_WAIT }, { "closing", TCP_CLOSING },
		{ "last_ack", TCP_LAST_ACK }, { "time_wait", TCP_TIME_WAIT },
	};
	const char *name = mos_state_name(state);
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return map[i].st;
	return TCP_CLOSED;
}

static int get_tcp_state(struct cctx *c, int sock, int side, void *optval,
			 socklen_t *optlen)
{
	struct mos_flow_info fi;
	int ret, st;

	if (*optlen < sizeof(int))
		return -EINVAL;
	ret = mos_get_flow_info(c->n, sock, &fi);
	if (ret)
		return ret;
	st = mos_state_to_mtcp(fi.state[side]);
	memcpy(optval, &st, sizeof(st));
	*optlen = sizeof(int);
	return 0;
}

static int get_buf_info(struct cctx *c, int sock, int side, void *optval,
			socklen_t *optlen)
{
	struct mos_frag frags[64];
	socklen_t flen = sizeof(frags);
	struct tcp_buf_info tbi;
	struct mos_buf_info bi;
	socklen_t blen = sizeof(bi);
	uint64_t top;
	int ret, i, n;

	if (*optlen < sizeof(tbi))
		return -EINVAL;
	ret = mos_getsockopt(c->n, sock, side, MOS_OPT_BUF_INFO, &bi, &blen);
	if (ret)
		return ret;
	top = bi.next_off;
	n = mos_getsockopt(c->n, sock, side, MOS_OPT_FRAG_INFO, frags, &flen);
	for (i = 0; n > 0 && i < (int)(flen / sizeof(frags[0])); i++)
		if (frags[i].off + frags[i].len > top)
			top = frags[i].off + frags[i].len;
	tbi.tcpbi_init_seq = bi.isn + 1;
	tbi.tcpbi_next_byte_expected = (uint32_t)(bi.isn + 1 + bi.next_off);
	tbi.tcpbi_last_byte_read = tbi.tcpbi_next_byte_expected;
	tbi.tcpbi_last_byte_received = (uint32_t)(bi.isn + 1 + top);
	memcpy(optval, &tbi, sizeof(tbi));
	*optlen = sizeof(tbi);
	return 0;
}

/* Never more entries than fit in *@optlen bytes (mOS overflows). */
static int get_frag_info(struct cctx *c, int sock, int side, void *optval,
			 socklen_t *optlen)
{
	size_t room = *optlen / sizeof(struct tcp_ring_fragment), i, got;
	struct mos_frag *frags;
	socklen_t flen;
	int ret;

	frags = calloc(room ? room : 1, sizeof(*frags));
	if (!frags)
		return -ENOMEM;
	flen = room * sizeof(*frags);
	ret = mos_getsockopt(c->n, sock, side, MOS_OPT_FRAG_INFO, frags,
			     &flen);
	if (ret < 0) {
		free(frags);
		return ret;
	}
	got = flen / sizeof(*frags);
	for (i = 0; i < got && i < room; i++) {
		struct tcp_ring_fragment f = {
			.offset = frags[i].off, .len = frags[i].len,
		};

		memcpy((uint8_t *)optval + i * sizeof(f), &f, sizeof(f));
	}
	*optlen = i * sizeof(struct tcp_ring_fragment);
	free(frags);
	return 0;
}

int mtcp_getsockopt(mctx_t mctx, int sock, int level, int optname,
		    void *optval, socklen_t *optlen)
{
	struct cctx *c = ctx_ok(mctx);
	int ret;

	if (!c)
		return -1;
	if (level != SOL_MONSOCKET)
		return fail(ENOPROTOOPT);
	if (!optval || !optlen)
		return fail(EINVAL);
	if (!c->n)
		return fail(EBADF);
	switch (optname) {
	case MOS_TCP_STATE_CLI:
	case MOS_TCP_STATE_SVR:
		ret = get_tcp_state(c, sock, optname == MOS_TCP_STATE_SVR,
				    optval, optlen);
		break;
	case MOS_INFO_CLIBUF:
	case MOS_INFO_SVRBUF:
		ret = get_buf_info(c, sock, optname == MOS_INFO_SVRBUF,
				   optval, optlen);
		break;
	case MOS_FRAGINFO_CLIBUF:
	case MOS_FRAGINFO_SVRBUF:
		ret = get_frag_info(c, sock, optname == MOS_FRAGINFO_SVRBUF,
				    optval, optlen);
		break;
	default:
		ret = -ENOPROTOOPT;
	}
	return ret ? fail(ret) : 0;
}

static int set_on_listener(struct cctx *c, int optname, int v)
{
	switch (optname) {
	case MOS_CLIBUF:
	case MOS_SVRBUF:
		if (v < 0)
			return -EINVAL;
		c->buf_size[optname == MOS_SVRBUF] = v;
		break;
	case MOS_CLIOVERLAP:
	case MOS_SVROVERLAP:
		if (v != MOS_OVERLAP_POLICY_FIRST &&
		    v != MOS_OVERLAP_POLICY_LAST)
			return -EINVAL;
		c->policy[optname == MOS_SVROVERLAP] = v;
		break;
	case MOS_STOP_MON:
		return -EPERM;	/* as mOS: a listener has no stream */
	default:
		return -ENOPROTOOPT;
	}
	return c->n ? cctx_update_start_hook(c) : 0;
}

int mtcp_setsockopt(mctx_t mctx, int sock, int level, int optname,
		    const void *optval, socklen_t optlen)
{
	struct cctx *c = ctx_ok(mctx);
	uint32_t u;
	int v, ret;

	if (!c)
		return -1;
	if (level != SOL_MONSOCKET)
		return fail(ENOPROTOOPT);
	if (!optval || optlen < sizeof(int))
		return fail(EINVAL);
	memcpy(&v, optval, sizeof(v));
	if (sock == c->stream_sock || !c->n) {
		ret = set_on_listener(c, optname, v);
		return ret ? fail(ret) : 0;
	}
	switch (optname) {
	case MOS_CLIBUF:
	case MOS_SVRBUF:
		if (v < 0)
			return fail(EINVAL);
		u = v;
		ret = mos_setsockopt(c->n, sock, optname == MOS_SVRBUF,
				     MOS_OPT_BUF_SIZE, &u, sizeof(u));
		break;
	case MOS_CLIOVERLAP:
	case MOS_SVROVERLAP:
		if (v != MOS_OVERLAP_POLICY_FIRST &&
		    v != MOS_OVERLAP_POLICY_LAST)
			return fail(EINVAL);
		ret = mos_set_overlap_policy(c->n, sock,
					     optname == MOS_SVROVERLAP,
					     v == MOS_OVERLAP_POLICY_FIRST ?
					     N_OVERLAP_POLICY_FIRST :
					     N_OVERLAP_POLICY_LAST);
		break;
	case MOS_STOP_MON:
		if (v == MOS_SIDE_BOTH) {
			int one = 1;

			ret = mos_setsockopt(c->n, sock, N_SIDE_BOTH,
					     MOS_OPT_STOP_MON, &one,
					     sizeof(one));
		} else if (side_ok(v)) {
			ret = mos_stop_side(c->n, sock, v);
		} else {
			ret = -EINVAL;
		}
		break;
	default:
		ret = -ENOPROTOOPT;
	}
	return ret ? fail(ret) : 0;
}
