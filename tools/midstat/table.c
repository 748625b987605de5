// SPDX-License-Identifier: GPL-2.0
/*
 * midstat's connection table, kept up to date by mos callbacks: states on
 * every state change, bytes on every NEW_DATA, the end reason at CONN_END.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include "midstat.h"

/* The endpoints' states as the engine has them now. */
static struct ms_conn *refresh(struct mos_ctx *mctx, int sock)
{
	struct ms_conn *c = mos_get_uctx(mctx, sock);
	struct mos_flow_info fi;

	if (!c || mos_get_flow_info(mctx, sock, &fi))
		return c;
	c->state[MOS_SIDE_CLI] = fi.state[MOS_SIDE_CLI];
	c->state[MOS_SIDE_SVR] = fi.state[MOS_SIDE_SVR];
	return c;
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct ms_table *t = arg;
	struct mos_flow_info fi;
	struct ms_conn *c;

	if (mos_get_flow_info(mctx, sock, &fi))
		return;
	c = calloc(1, sizeof(*c));
	if (!c)
		return;		/* not shown: better than stopping */
	c->id = fi.id;
	c->ip_version = fi.addr[0].ss_family == AF_INET ? 4 : 6;
	mos_endpoint_str(&fi.addr[MOS_SIDE_CLI], c->ep[MOS_SIDE_CLI],
		sizeof(c->ep[0]));
	mos_endpoint_str(&fi.addr[MOS_SIDE_SVR], c->ep[MOS_SIDE_SVR],
		sizeof(c->ep[0]));
	c->state[MOS_SIDE_CLI] = fi.state[MOS_SIDE_CLI];
	c->state[MOS_SIDE_SVR] = fi.state[MOS_SIDE_SVR];
	*t->tail = c;
	t->tail = &c->next;
	t->count++;
	mos_set_uctx(mctx, sock, c);
}

static void on_state(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	refresh(mctx, sock);
}

/* NEW_DATA: @side received the bytes. */
static void on_data(struct mos_ctx *mctx, int sock, int side,
		    mos_event_t ev, void *arg)
{
	struct ms_conn *c = refresh(mctx, sock);
	struct mos_event_info ei;

	if (c && !mos_get_event_info(mctx, &ei) &&
	    (side == MOS_SIDE_CLI || side == MOS_SIDE_SVR))
		c->bytes[!side] += ei.len;
}

static void on_end(struct mos_ctx *mctx, int sock, int side,
		   mos_event_t ev, void *arg)
{
	struct ms_conn *c = refresh(mctx, sock);
	struct mos_event_info ei;

	if (!c)
		return;
	c->end_reason = MOS_END_REASON_EOF;
	if (!mos_get_event_info(mctx, &ei) && ei.code > 0)
		c->end_reason = ei.code;
	mos_set_uctx(mctx, sock, NULL);
}

/**
 * ms_table_register() - keep a table of the connections of a socket
 * @mctx: the context
 * @sock: its stream socket
 * @t: the table, empty
 *
 * Return: 0, or the error of mos_register_callback().
 */
int ms_table_register(struct mos_ctx *mctx, int sock, struct ms_table *t)
{
	static const struct {
		mos_event_t ev;
		int hook;
		mos_callback_t cb;
	} regs[] = {
		{ MOS_ON_CONN_START, MOS_HK_SND, on_start },
		{ MOS_ON_TCP_STATE_CHANGE, MOS_HK_SND, on_state },
		{ MOS_ON_TCP_STATE_CHANGE, MOS_HK_RCV, on_state },
		{ MOS_ON_CONN_NEW_DATA, MOS_HK_RCV, on_data },
		{ MOS_ON_CONN_END, MOS_HK_RCV, on_end },
	};
	size_t i;
	int ret;

	t->head = NULL;
	t->tail = &t->head;
	t->count = 0;
	for (i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		ret = mos_register_callback(mctx, sock, regs[i].ev,
					    regs[i].hook, regs[i].cb, t);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * ms_table_prune() - forget the connections that have ended
 * @t: the table
 */
void ms_table_prune(struct ms_table *t)
{
	struct ms_conn **link = &t->head, *c;

	while ((c = *link)) {
		if (c->end_reason) {
			*link = c->next;
			free(c);
			t->count--;
		} else {
			link = &c->next;
		}
	}
	t->tail = link;
}

/**
 * ms_table_free() - forget every connection
 * @t: the table
 */
void ms_table_free(struct ms_table *t)
{
	struct ms_conn *c;

	while ((c = t->head)) {
		t->head = c->next;
		free(c);
	}
	t->tail = &t->head;
	t->count = 0;
}
