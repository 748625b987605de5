// SPDX-License-Identifier: GPL-2.0
/*
 * mstat - a midstat-like monitor written against mOS's API only: it keeps
 * every connection's addresses and both endpoints' TCP states, prints the
 * open connections once a second and each connection when it ends.
 *
 *   mstat [-f mos.conf] [-c cores]
 *
 * Builds unchanged against mOS (mos_api.h) or mos's libmos-compat; the
 * output is what selftests/tools/test_compat.sh checks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <mos_api.h>

#define MAX_CORES	16

struct connection {
	int sock;
	struct sockaddr_in addrs[2];
	int state[2];
	struct connection *next;
};

static int g_cores = 2;
static mctx_t g_mctx[MAX_CORES];
static struct connection *g_conns[MAX_CORES];

static void sigint_handler(int signum)
{
	int i;

	for (i = 0; i < g_cores; i++)
		mtcp_destroy_context(g_mctx[i]);
}

static const char *strstate(int state)
{
	switch (state) {
#define CASE(s) case TCP_##s: return #s
	CASE(CLOSED);
	CASE(LISTEN);
	CASE(SYN_SENT);
	CASE(SYN_RCVD);
	CASE(ESTABLISHED);
	CASE(FIN_WAIT_1);
	CASE(FIN_WAIT_2);
	CASE(CLOSE_WAIT);
	CASE(CLOSING);
	CASE(LAST_ACK);
	CASE(TIME_WAIT);
#undef CASE
	default:
		return "-";
	}
}

static const char *addr_str(const struct sockaddr_in *a, char *buf,
			    size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, ntohs(a->sin_port));
	return buf;
}

static struct connection **find(int cpu, int sock)
{
	struct connection **pp;

	for (pp = &g_conns[cpu]; *pp; pp = &(*pp)->next)
		if ((*pp)->sock == sock)
			return pp;
	return NULL;
}

static void read_state(mctx_t mctx, struct connection *c, int side)
{
	socklen_t len = sizeof(int);

	if (mtcp_getsockopt(mctx, c->sock, SOL_MONSOCKET,
			    side == MOS_SIDE_CLI ? MOS_TCP_STATE_CLI :
						   MOS_TCP_STATE_SVR,
			    &c->state[side], &len) < 0)
		printf("getsockopt-failed errno=%d\n", errno);
}

static void cb_creation(mctx_t mctx, int sock, int side, uint64_t events,
			filter_arg_t *arg)
{
	socklen_t len = sizeof(struct sockaddr) * 2;
	struct connection *c = calloc(1, sizeof(*c));
	char a[32], b[32];

	if (!c)
		return;
	c->sock = sock;
	if (mtcp_getpeername(mctx, sock, (struct sockaddr *)c->addrs, &len,
			     MOS_SIDE_BOTH) < 0) {
		printf("getpeername-failed errno=%d\n", errno);
		free(c);
		return;
	}
	read_state(mctx, c, MOS_SIDE_CLI);
	read_state(mctx, c, MOS_SIDE_SVR);
	c->next = g_conns[mctx->cpu];
	g_conns[mctx->cpu] = c;
	printf("start cpu=%d cli=%s svr=%s\n", mctx->cpu,
	       addr_str(&c->addrs[MOS_SIDE_CLI], a, sizeof(a)),
	       addr_str(&c->addrs[MOS_SIDE_SVR], b, sizeof(b)));
}

static void cb_st_chg(mctx_t mctx, int sock, int side, uint64_t events,
		      filter_arg_t *arg)
{
	struct connection **pp = find(mctx->cpu, sock);

	if (pp)
		read_state(mctx, *pp, side);
}

static void cb_destroy(mctx_t mctx, int sock, int side, uint64_t events,
		       filter_arg_t *arg)
{
	struct connection **pp = find(mctx->cpu, sock), *c;
	char a[32], b[32];

	if (!pp)
		return;
	c = *pp;
	read_state(mctx, c, MOS_SIDE_CLI);
	read_state(mctx, c, MOS_SIDE_SVR);
	printf("end cli=%s svr=%s cli_state=%s svr_state=%s\n",
	       addr_str(&c->addrs[MOS_SIDE_CLI], a, sizeof(a)),
	       addr_str(&c->addrs[MOS_SIDE_SVR], b, sizeof(b)),
	       strstate(c->state[MOS_SIDE_CLI]),
	       strstate(c->state[MOS_SIDE_SVR]));
	*pp = c->next;
	free(c);
}

static void cb_printstat(mctx_t mctx, int sock, int side, uint64_t events,
			 filter_arg_t *arg)
{
	struct timeval tv_1sec = { .tv_sec = 1, .tv_usec = 0 };
	struct connection *c;
	char a[32], b[32];
	int i;

	for (i = 0; i < g_cores; i++)
		for (c = g_conns[i]; c; c = c->next)
			printf("tick cpu=%d cli=%s %s svr=%s %s\n", i,
			       addr_str(&c->addrs[MOS_SIDE_CLI], a, sizeof(a)),
			       strstate(c->state[MOS_SIDE_CLI]),
			       addr_str(&c->addrs[MOS_SIDE_SVR], b, sizeof(b)),
			       strstate(c->state[MOS_SIDE_SVR]));
	if (mtcp_settimer(mctx, sock, &tv_1sec, cb_printstat))
		printf("settimer-failed errno=%d\n", errno);
}

static void init_monitor(mctx_t mctx)
{
	struct timeval tv_1sec = { .tv_sec = 1, .tv_usec = 0 };
	int sock, optval = 0;

	sock = mtcp_socket(mctx, AF_INET, MOS_SOCK_MONITOR_STREAM, 0);
	if (sock < 0) {
		fprintf(stderr, "Failed to create monitor socket: %s\n",
			strerror(errno));
		exit(1);
	}
	/* No byte is needed: metadata only, as midstat does. */
	if (mtcp_setsockopt(mctx, sock, SOL_MONSOCKET, MOS_CLIBUF, &optval,
			    sizeof(optval)) ||
	    mtcp_setsockopt(mctx, sock, SOL_MONSOCKET, MOS_SVRBUF, &optval,
			    sizeof(optval)))
		fprintf(stderr, "Could not disable buffers: %s\n",
			strerror(errno));
	/* mOS style: CONN_END registered at the SND hook. */
	if (mtcp_register_callback(mctx, sock, MOS_ON_CONN_START, MOS_HK_SND,
				   cb_creation) ||
	    mtcp_register_callback(mctx, sock, MOS_ON_CONN_END, MOS_HK_SND,
				   cb_destroy) ||
	    mtcp_register_callback(mctx, sock, MOS_ON_TCP_STATE_CHANGE,
				   MOS_HK_SND, cb_st_chg) ||
	    mtcp_register_callback(mctx, sock, MOS_ON_TCP_STATE_CHANGE,
				   MOS_HK_RCV, cb_st_chg)) {
		fprintf(stderr, "Failed to register callbacks: %s\n",
			strerror(errno));
		exit(1);
	}
	if (mctx->cpu == 0 && mtcp_settimer(mctx, sock, &tv_1sec,
					    cb_printstat)) {
		fprintf(stderr, "Failed to set timer: %s\n", strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	const char *fname = "config/mos.conf";
	struct mtcp_conf mcfg;
	int i, opt;

	while ((opt = getopt(argc, argv, "c:f:")) != -1) {
		switch (opt) {
		case 'f':
			fname = optarg;
			break;
		case 'c':
			g_cores = atoi(optarg);
			if (g_cores < 1 || g_cores > MAX_CORES)
				return 2;
			break;
		default:
			fprintf(stderr, "usage: %s [-f mos.conf] [-c cores]\n",
				argv[0]);
			return 2;
		}
	}
	if (mtcp_init(fname)) {
		fprintf(stderr, "Failed to initialize mtcp with %s: %s\n",
			fname, strerror(errno));
		return 1;
	}
	mtcp_getconf(&mcfg);
	mcfg.num_cores = g_cores;
	if (mtcp_setconf(&mcfg)) {
		fprintf(stderr, "mtcp_setconf: %s\n", strerror(errno));
		return 1;
	}
	mtcp_register_signal(SIGINT, sigint_handler);
	for (i = 0; i < g_cores; i++) {
		g_mctx[i] = mtcp_create_context(i);
		if (!g_mctx[i]) {
			fprintf(stderr, "Failed to create mtcp context: %s\n",
				strerror(errno));
			return 1;
		}
		init_monitor(g_mctx[i]);
	}
	for (i = 0; i < g_cores; i++)
		mtcp_app_join(g_mctx[i]);
	mtcp_destroy();
	return 0;
}
