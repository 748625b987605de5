// SPDX-License-Identifier: GPL-2.0
/*
 * firewall's verdict at CONN_START: a connection the first matching rule
 * drops is dropped (mos_flow_drop(): live, the kernel drops its packets
 * from then on, so it stalls); any other is accepted and no longer
 * monitored (MOS_OPT_STOP_MON on both sides), so it costs nothing more.
 */
#include <arpa/inet.h>
#include <string.h>
#include "firewall.h"

static void conn_of(const struct mos_flow_info *fi, struct fw_conn *c)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->family = fi->addr[MOS_SIDE_CLI].ss_family;
	for (i = 0; i < 2; i++) {
		if (c->family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)&fi->addr[i];

			memcpy(c->addr[i], &sin->sin_addr, 4);
			if (i == MOS_SIDE_SVR)
				c->port = ntohs(sin->sin_port);
		} else {
			const struct sockaddr_in6 *sin6 =
				(const void *)&fi->addr[i];

			memcpy(c->addr[i], &sin6->sin6_addr, 16);
			if (i == MOS_SIDE_SVR)
				c->port = ntohs(sin6->sin6_port);
		}
	}
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct fw_app *app = arg;
	struct mos_flow_info fi;
	const struct fw_rule *r;
	char cli[112], srv[112];
	struct fw_conn c;
	int one = 1, ret;

	if (mos_get_flow_info(mctx, sock, &fi))
		return;
	conn_of(&fi, &c);
	r = fw_match(&app->rules, &c);
	app->tot.conns++;
	if (r && r->action == FW_DROP) {
		app->tot.dropped++;
		ret = mos_flow_drop(mctx, sock);
	} else {
		app->tot.accepted++;
		ret = mos_setsockopt(mctx, sock, MOS_SIDE_BOTH,
				     MOS_OPT_STOP_MON, &one, sizeof(one));
	}
	mos_endpoint_str(&fi.addr[MOS_SIDE_CLI], cli, sizeof(cli));
	mos_endpoint_str(&fi.addr[MOS_SIDE_SVR], srv, sizeof(srv));
	if (ret) {
		app->tot.errors++;
		fprintf(stderr, "firewall: %s -> %s: %s: %s\n", cli, srv,
			r && r->action == FW_DROP ? "drop" : "stop monitoring",
			mos_strerror(ret));
	}
	if (app->verbose)
		fw_report_conn(app->out, app->json, &app->rules, r, cli, srv);
}

/**
 * fw_register() - decide every connection of a socket at its start
 * @mctx: the context
 * @sock: its stream socket
 * @app: the firewall, kept by the callback
 *
 * Return: 0, or the error of mos_register_callback().
 */
int fw_register(struct mos_ctx *mctx, int sock, struct fw_app *app)
{
	return mos_register_callback(mctx, sock, MOS_ON_CONN_START,
				     MOS_HK_SND, on_start, app);
}
