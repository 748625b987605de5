// SPDX-License-Identifier: GPL-2.0
/*
 * A middlebox for test_api_live.sh: the interface beyond callbacks, live
 * (or offline with -r FILE), reporting what it saw as JSON lines.
 *
 *   api_probe [-r FILE] [-s SYN_FILTER] [-w RAW_FILTER] [-l]
 *             [-d PORT] [-R PORT] [-t MS] [-G INDEX/COUNT]
 *
 * -s/-w bind monitoring filters, -l asks for every packet's headers, -d and
 * -R drop or reset connections to server PORT at CONN_START, -t sets a
 * timer that re-arms every MS milliseconds, -G makes it one context of a
 * group sharing the connections. Prints {"ev":"ready"} once
 * attached, then one line per event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mos/mos.h>

static int drop_port = -1, reset_port = -1;
static unsigned int tick_ms;

static void pkt_fields(struct mos_ctx *mctx, int sock, char *buf, size_t n)
{
	struct mos_pkt_info pi;
	int ret = mos_getlastpkt(mctx, sock, MOS_SIDE_BOTH, &pi);

	if (ret) {
		snprintf(buf, n, "\"pkt_ret\":%d", ret);
		return;
	}
	snprintf(buf, n,
		 "\"pkt_ret\":0,\"pkt_side\":%d,\"pkt_flags\":%u,\"pkt_sport\":%u,\"pkt_dport\":%u,\"pkt_hdr\":%u,\"pkt_wire\":%u",
		 pi.side, pi.tcp_flags, pi.sport, pi.dport,
		 pi.tcp_hdr_len, pi.wire_len);
}

static void ports(struct mos_ctx *mctx, int sock, unsigned int *cport,
		  unsigned int *sport)
{
	struct mos_flow_info fi;

	*cport = 0;
	*sport = 0;
	if (mos_get_flow_info(mctx, sock, &fi))
		return;
	/* sin_port and sin6_port sit at the same place. */
	*cport = ntohs(((struct sockaddr_in *)&fi.addr[0])->sin_port);
	*sport = ntohs(((struct sockaddr_in *)&fi.addr[1])->sin_port);
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	unsigned int cport, sport;
	char pkt[256];
	int act = 0;

	ports(mctx, sock, &cport, &sport);
	pkt_fields(mctx, sock, pkt, sizeof(pkt));
	if ((int)sport == drop_port)
		act = mos_flow_drop(mctx, sock);
	else if ((int)sport == reset_port)
		act = mos_flow_reset(mctx, sock);
	printf("{\"ev\":\"start\",\"cport\":%u,\"sport\":%u,\"act\":%d,%s}\n",
	       cport, sport, act, pkt);
}

static void on_data(struct mos_ctx *mctx, int sock, int side,
		    mos_event_t ev, void *arg)
{
	struct mos_event_info ei;
	unsigned int cport, sport;
	char pkt[256];

	mos_get_event_info(mctx, &ei);
	ports(mctx, sock, &cport, &sport);
	pkt_fields(mctx, sock, pkt, sizeof(pkt));
	printf("{\"ev\":\"data\",\"cport\":%u,\"sport\":%u,\"side\":%d,\"len\":%llu,%s}\n",
	       cport, sport, side, (unsigned long long)ei.len, pkt);
}

static void on_end(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct mos_flow_info fi;
	unsigned int cport, sport;

	ports(mctx, sock, &cport, &sport);
	mos_get_flow_info(mctx, sock, &fi);
	printf("{\"ev\":\"end\",\"cport\":%u,\"sport\":%u,\"reason\":%d}\n",
	       cport, sport, fi.end_reason);
}

static void on_raw(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	char pkt[256];

	pkt_fields(mctx, sock, pkt, sizeof(pkt));
	printf("{\"ev\":\"raw\",\"side\":%d,%s}\n", side, pkt);
}

static void on_tick(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		    void *arg)
{
	printf("{\"ev\":\"tick\",\"timer_ev\":%u}\n", ev);
	fflush(stdout);
	mos_settimer(mctx, 0, tick_ms, on_tick, NULL);
}

static int fail(const char *what, int err)
{
	fprintf(stderr, "api_probe: %s: %s\n", what, mos_strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	const char *syn = NULL, *raw = NULL;
	struct mos_options opt;
	struct mos_ctx *mctx;
	int c, ret;

	mos_options_init(&opt);
	while ((c = getopt(argc, argv, "r:s:w:ld:R:t:G:")) != -1) {
		switch (c) {
		case 'r':
			opt.read_file = optarg;
			break;
		case 's':
			syn = optarg;
			break;
		case 'w':
			raw = optarg;
			break;
		case 'l':
			opt.last_packet = true;
			break;
		case 'd':
			drop_port = atoi(optarg);
			break;
		case 'R':
			reset_port = atoi(optarg);
			break;
		case 'G':
			if (sscanf(optarg, "%hu/%hu", &opt.group_index,
				   &opt.group_count) != 2)
				return 2;
			break;
		case 't':
			tick_ms = atoi(optarg);
			break;
		default:
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = mos_ctx_new(&mctx, &opt);
	if (ret)
		return fail("context", ret);
	mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	mos_register_callback(mctx, 0, MOS_ON_CONN_START, MOS_HK_SND,
			      on_start, NULL);
	mos_register_callback(mctx, 0, MOS_ON_CONN_NEW_DATA, MOS_HK_RCV,
			      on_data, NULL);
	mos_register_callback(mctx, 0, MOS_ON_CONN_END, MOS_HK_RCV, on_end,
			      NULL);
	if (syn) {
		ret = mos_bind_monitor_filter(mctx, 0, MOS_FILTER_KIND_SYN,
					      syn);
		if (ret)
			return fail(mos_filter_error(mctx), ret);
	}
	if (raw) {
		mos_socket(mctx, MOS_SOCK_MONITOR_RAW);
		mos_register_callback(mctx, 1, MOS_ON_PKT_IN, MOS_HK_SND,
				      on_raw, NULL);
		ret = mos_bind_monitor_filter(mctx, 1, MOS_FILTER_KIND_RAW,
					      raw);
		if (ret)
			return fail(mos_filter_error(mctx), ret);
	}
	if (tick_ms)
		mos_settimer(mctx, 0, tick_ms, on_tick, NULL);
	mos_stop_on_signals(mctx);
	if (!opt.read_file) {
		ret = mos_get_fd(mctx);
		if (ret < 0)
			return fail("going live", ret);
	}
	printf("{\"ev\":\"ready\"}\n");
	ret = mos_run(mctx);
	mos_ctx_free(mctx);
	if (ret && ret != -EINTR)
		return fail("run", ret);
	return 0;
}
