/* SPDX-License-Identifier: MIT */
/* Connections and the bytes of each: Documentation/tutorial.md */
#include <mos/mos.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long conns;

static void on_start(struct mos_ctx *m, int sock, int side, mos_event_t ev, void *arg)
{
	conns++;
	mos_set_uctx(m, sock, calloc(2, sizeof(uint64_t)));	/* [side]: bytes it received */
}

static void on_data(struct mos_ctx *m, int sock, int side, mos_event_t ev, void *arg)
{
	uint64_t *bytes = mos_get_uctx(m, sock);
	struct mos_event_info ei;

	if (bytes && mos_get_event_info(m, &ei) == 0)
		bytes[side] += ei.len;
}

static void on_end(struct mos_ctx *m, int sock, int side, mos_event_t ev, void *arg)
{
	uint64_t *bytes = mos_get_uctx(m, sock);
	struct mos_flow_info fi;

	if (bytes && mos_get_flow_info(m, sock, &fi) == 0)
		printf("connection %llu: %llu bytes to the server, %llu to the client\n",
		       (unsigned long long)fi.id, (unsigned long long)bytes[MOS_SIDE_SVR],
		       (unsigned long long)bytes[MOS_SIDE_CLI]);
	free(bytes);
}

int main(int argc, char **argv)
{
	struct mos_ctx *ctx = NULL;
	struct mos_options opt;
	int err;

	mos_options_init(&opt);
	opt.read_file = argv[1];	/* a capture file; none (NULL): live, from mos.ko */
	if (!(err = mos_ctx_new(&ctx, &opt)) &&
	    !(err = mos_socket(ctx, MOS_SOCK_MONITOR_STREAM)) &&
	    !(err = mos_register_callback(ctx, 0, MOS_ON_CONN_START, MOS_HK_SND, on_start, NULL)) &&
	    !(err = mos_register_callback(ctx, 0, MOS_ON_CONN_NEW_DATA, MOS_HK_RCV, on_data, NULL)) &&
	    !(err = mos_register_callback(ctx, 0, MOS_ON_CONN_END, MOS_HK_RCV, on_end, NULL)) &&
	    !(err = mos_stop_on_signals(ctx)))	/* Ctrl-C: end cleanly */
		err = mos_run(ctx);	/* the callbacks run in here, until the input ends */
	printf("%lu connections\n", conns);
	mos_ctx_free(ctx);
	if (err && err != -EINTR)	/* -EINTR: stopped by a signal */
		fprintf(stderr, "first_middlebox: %s\n", mos_strerror(err));
	return err && err != -EINTR;
}
