// SPDX-License-Identifier: GPL-2.0
/*
 * abacus's mos callbacks: a connection is charged to its subscriber's
 * account as its bytes are delivered (NEW_DATA); retransmissions are not
 * charged (REXMIT), and one whose bytes differ from the original is
 * reported as abuse.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include "abacus.h"

static void addr_text(const struct sockaddr_storage *ss, char *addr,
		      size_t alen, char *ep, size_t elen)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		inet_ntop(AF_INET, &sin->sin_addr, addr, alen);
		snprintf(ep, elen, "%s:%u", addr, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, alen);
		snprintf(ep, elen, "[%s]:%u", addr, ntohs(sin6->sin6_port));
	}
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	const struct ab_config *cfg = arg;
	char addr[2][INET6_ADDRSTRLEN];
	struct mos_flow_info fi;
	struct ab_flow *f;
	int i;

	if (mos_get_flow_info(mctx, sock, &fi))
		return;
	f = calloc(1, sizeof(*f));
	if (!f)
		return;
	for (i = 0; i < 2; i++)
		addr_text(&fi.addr[i], addr[i], sizeof(addr[i]), f->ep[i],
			  sizeof(f->ep[i]));
	f->sub_side = cfg->sub_side;
	f->sub = ab_sub_get(addr[f->sub_side]);
	if (!f->sub) {
		free(f);
		return;
	}
	f->sub->flows++;
	mos_set_uctx(mctx, sock, f);
}

/* NEW_DATA: @side received the bytes, the other side sent them. */
static void on_data(struct mos_ctx *mctx, int sock, int side,
		    mos_event_t ev, void *arg)
{
	struct ab_flow *f = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!f || mos_get_event_info(mctx, &ei) || side < 0 || side > 1)
		return;
	f->sent[!side] += ei.len;
	if (side == f->sub_side)
		f->sub->down += ei.len;
	else
		f->sub->up += ei.len;
}

static void on_rexmit(struct mos_ctx *mctx, int sock, int side,
		      mos_event_t ev, void *arg)
{
	struct ab_flow *f = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!f || mos_get_event_info(mctx, &ei) || side < 0 || side > 1)
		return;
	f->rexmit += ei.len;
	f->sub->rexmit += ei.len;
	if (ei.code != MOS_REXMIT_KIND_INCONSISTENT)
		return;
	if (!f->abuse_events)
		f->sub->abuse_flows++;
	f->abuse_events++;
	f->abuse_bytes += ei.len;
	f->sub->abuse_events++;
	f->sub->abuse_bytes += ei.len;
	ab_report_abuse(arg, f, !side, ei.off, ei.len);
}

static void on_error(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct ab_flow *f = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!f || mos_get_event_info(mctx, &ei) || ei.code != MOS_ERROR_GAP)
		return;
	f->gap += ei.len;
	f->sub->gap += ei.len;
}

static void on_end(struct mos_ctx *mctx, int sock, int side,
		   mos_event_t ev, void *arg)
{
	const struct ab_config *cfg = arg;
	struct ab_flow *f = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!f)
		return;
	if (mos_get_event_info(mctx, &ei))
		ei.code = MOS_END_REASON_EOF;
	if (cfg->all_flows || f->abuse_events)
		ab_report_flow(cfg, f, ei.code);
	free(f);
	mos_set_uctx(mctx, sock, NULL);
}

/**
 * ab_register() - account for the connections of a socket
 * @mctx: the context
 * @sock: its stream socket
 * @cfg: the settings, kept by the callbacks
 *
 * Return: 0, or the error of mos_register_callback().
 */
int ab_register(struct mos_ctx *mctx, int sock, const struct ab_config *cfg)
{
	static const struct {
		mos_event_t ev;
		int hook;
		mos_callback_t cb;
	} regs[] = {
		{ MOS_ON_CONN_START, MOS_HK_SND, on_start },
		{ MOS_ON_CONN_NEW_DATA, MOS_HK_RCV, on_data },
		{ MOS_ON_REXMIT, MOS_HK_RCV, on_rexmit },
		{ MOS_ON_ERROR, MOS_HK_RCV, on_error },
		{ MOS_ON_CONN_END, MOS_HK_RCV, on_end },
	};
	size_t i;
	int ret;

	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		ret = mos_register_callback(mctx, sock, regs[i].ev,
					    regs[i].hook, regs[i].cb,
					    (void *)cfg);
		if (ret)
			return ret;
	}
	return 0;
}
