// SPDX-License-Identifier: GPL-2.0
/*
 * mos-bench - the mos engine with no-op callbacks, for throughput and
 * memory measurements. Offline (-r FILE) the whole capture is loaded into
 * memory first, so only the engine and the library are timed. Live (no
 * -r) it consumes every event and byte the kernel module delivers until
 * SIGINT or SIGTERM, and the rates are of that consumption.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mos/mos.h>

/**
 * struct packet - one packet of the preloaded capture
 * @ts_ns: capture timestamp
 * @off: where its bytes start in the arena
 * @caplen: bytes captured
 * @len: bytes on the wire
 */
struct packet {
	uint64_t ts_ns;
	size_t off;
	uint32_t caplen;
	uint32_t len;
};

static uint64_t data_events, ude_events;
static int n_udes;
static int *ude_ids;
static bool per_flow;
static struct mos_ctx *live_mctx;

static void on_data(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		    void *arg)
{
	data_events++;
}

static void on_ude(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	ude_events++;
}

/* A filter that looks at the event, as a real one would, and passes. */
static bool ude_filter(struct mos_ctx *mctx, int sock, int side,
		       mos_event_t ev, void *arg)
{
	return (uintptr_t)arg != (uintptr_t)-1;
}

static void register_udes(struct mos_ctx *mctx, int sock)
{
	int i;

	for (i = 0; i < n_udes; i++)
		mos_register_callback(mctx, sock, ude_ids[i], MOS_HK_RCV,
				      on_ude, NULL);
}

/* --per-flow: each connection registers its own callbacks when it starts. */
static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	bool *payload = arg;

	if (*payload)
		mos_register_callback(mctx, sock, MOS_ON_CONN_NEW_DATA,
				      MOS_HK_RCV, on_data, NULL);
	register_udes(mctx, sock);
}

static int load(const char *path, struct packet **pkts, size_t *npkts,
		uint8_t **arena, int *linktype)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	size_t cap = 1 << 16, used = 0, acap = 1 << 24, n = 0;
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *pc;

	pc = pcap_open_offline_with_tstamp_precision(path,
						     PCAP_TSTAMP_PRECISION_NANO,
						     errbuf);
	if (!pc) {
		fprintf(stderr, "mos-bench: %s\n", errbuf);
		return -1;
	}
	*linktype = pcap_datalink(pc);
	*pkts = malloc(cap * sizeof(**pkts));
	*arena = malloc(acap);
	while (*pkts && *arena && pcap_next_ex(pc, &h, &d) == 1) {
		if (n == cap)
			*pkts = realloc(*pkts, (cap *= 2) * sizeof(**pkts));
		while (used + h->caplen > acap)
			*arena = realloc(*arena, acap *= 2);
		if (!*pkts || !*arena)
			break;
		memcpy(*arena + used, d, h->caplen);
		(*pkts)[n].ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL +
				   h->ts.tv_usec;
		(*pkts)[n].off = used;
		(*pkts)[n].caplen = h->caplen;
		(*pkts)[n].len = h->len;
		used += h->caplen;
		n++;
	}
	pcap_close(pc);
	if (!*pkts || !*arena) {
		fprintf(stderr, "mos-bench: out of memory loading %s\n", path);
		return -1;
	}
	*npkts = n;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * struct run_result - one timed run
 * @secs: seconds the packets took
 * @st: the engine's counters after it
 * @data_events: NEW_DATA callbacks
 * @ude_events: user-defined event callbacks
 */
struct run_result {
	double secs;
	struct mos_stats st;
	uint64_t data_events;
	uint64_t ude_events;
};

/* A fresh context with the no-op callbacks the options ask for. */
static int setup(struct mos_ctx **mctxp, const struct mos_options *o,
		 bool *payload)
{
	struct mos_ctx *mctx;
	size_t i;
	int ret;

	data_events = 0;
	ude_events = 0;
	ret = mos_ctx_new(&mctx, o);
	if (ret) {
		fprintf(stderr, "mos-bench: %s\n", mos_strerror(ret));
		return ret;
	}
	mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	for (i = 0; i < (size_t)n_udes; i++) {
		ude_ids[i] = mos_define_event(mctx, MOS_ON_CONN_NEW_DATA,
					      ude_filter, NULL);
		if (ude_ids[i] < 0) {
			fprintf(stderr, "mos-bench: %s\n",
				mos_strerror(ude_ids[i]));
			mos_ctx_free(mctx);
			return ude_ids[i];
		}
	}
	if (per_flow) {
		ret = mos_register_callback(mctx, 0, MOS_ON_CONN_START,
					    MOS_HK_SND, on_start, payload);
	} else {
		ret = *payload ? mos_register_callback(mctx, 0,
						       MOS_ON_CONN_NEW_DATA,
						       MOS_HK_RCV, on_data,
						       NULL) : 0;
		register_udes(mctx, 0);
	}
	if (ret) {
		fprintf(stderr, "mos-bench: %s\n", mos_strerror(ret));
		mos_ctx_free(mctx);
		return ret;
	}
	*mctxp = mctx;
	return 0;
}

/* One fresh context over the preloaded packets; only the loop is timed. */
static int run_once(const struct mos_options *o, bool payload,
		    const struct packet *pkts, size_t npkts,
		    const uint8_t *arena, int linktype,
		    struct run_result *res)
{
	struct mos_ctx *mctx;
	double t0, t1;
	size_t i;
	int ret;

	ret = setup(&mctx, o, &payload);
	if (ret)
		return ret;

	t0 = now_s();
	for (i = 0; i < npkts; i++) {
		ret = mos_input_packet(mctx, linktype, pkts[i].ts_ns,
				       arena + pkts[i].off, pkts[i].caplen,
				       pkts[i].len);
		if (ret) {
			fprintf(stderr, "mos-bench: %s\n", mos_strerror(ret));
			mos_ctx_free(mctx);
			return ret;
		}
	}
	mos_end_input(mctx);
	t1 = now_s();
	res->secs = t1 - t0 > 1e-9 ? t1 - t0 : 1e-9;
	mos_get_stats(mctx, &res->st);
	res->data_events = data_events;
	res->ude_events = ude_events;
	mos_ctx_free(mctx);
	return 0;
}

static void on_signal(int sig)
{
	if (live_mctx)
		mos_stop(live_mctx);
}

/*
 * Live: consume until SIGINT/SIGTERM. mpps is ring records (events) per
 * second, not packets; gbps is stream bytes delivered per second;
 * bytes_per_conn is the library's state per connection (the engine's
 * memory is the kernel's).
 */
static int run_live(const struct mos_options *o, bool payload)
{
	struct mos_ctx *mctx;
	struct sigaction sa;
	struct mos_stats st;
	double t0, secs;
	int ret;

	ret = setup(&mctx, o, &payload);
	if (ret)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	live_mctx = mctx;
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL)) {
		fprintf(stderr, "mos-bench: sigaction: %s\n", strerror(errno));
		mos_ctx_free(mctx);
		return 1;
	}
	t0 = now_s();
	ret = mos_run(mctx);
	secs = now_s() - t0;
	if (secs < 1e-9)
		secs = 1e-9;
	mos_get_stats(mctx, &st);
	live_mctx = NULL;
	mos_ctx_free(mctx);
	if (ret) {
		fprintf(stderr, "mos-bench: live: %s\n", mos_strerror(ret));
		return 1;
	}
	printf("records=%" PRIu64 " lost_events=%" PRIu64 " lost_bytes=%"
	       PRIu64 " connections=%" PRIu64 " peak_connections=%" PRIu64
	       "\n", st.ring_records, st.ring_lost_events, st.ring_lost_bytes,
	       st.flows, st.flows_peak);
	printf("payload_bytes=%" PRIu64 " gap_bytes=%" PRIu64 " data_events=%"
	       PRIu64 " ude_events=%" PRIu64 " udes=%d per_flow=%d\n",
	       st.payload_bytes, st.gap_bytes, data_events, ude_events, n_udes,
	       per_flow);
	printf("seconds=%.4f\n", secs);
	printf("mpps=%.3f gbps=%.3f bytes_per_conn=%" PRIu64 "\n",
	       st.ring_records / secs / 1e6, st.payload_bytes * 8 / secs / 1e9,
	       st.flow_bytes);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-payload", no_argument, NULL, 'n' },
		{ "udes", required_argument, NULL, 'u' },
		{ "per-flow", no_argument, NULL, 'f' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "checksum", required_argument, NULL, 'C' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "on-arrival", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	struct mos_options o;
	struct run_result res, best = { 0 };
	struct mos_stats st;
	struct packet *pkts;
	bool payload = true;
	int c, linktype, ret, r, repeat = 1;
	uint8_t *arena;
	size_t npkts;
	double secs;

	mos_options_init(&o);
	while ((c = getopt_long(argc, argv, "r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			file = optarg;
			break;
		case 'n':
			payload = false;
			break;
		case 'u':
			n_udes = atoi(optarg);
			if (n_udes < 0 || n_udes > 4000) {
				fprintf(stderr, "mos-bench: --udes takes 0..4000\n");
				return 2;
			}
			break;
		case 'f':
			per_flow = true;
			break;
		case 'F':
			o.max_flows = strtoul(optarg, NULL, 10);
			break;
		case 'A':
			o.deliver_on_arrival = true;
			break;
		case 'R':
			repeat = atoi(optarg);
			if (repeat < 1)
				repeat = 1;
			break;
		case 'C':
			o.checksum = !strcmp(optarg, "off") ? 2 :
				     !strcmp(optarg, "on") ? 1 : 0;
			break;
		case 'h':
			printf("usage: mos-bench [-r FILE] [--no-payload] [--udes N] [--per-flow] [--max-flows N] [--checksum auto|on|off] [--on-arrival] [--repeat N]\n"
			       "  without -r: live from the mos module until SIGINT or SIGTERM\n"
			       "  (--max-flows, --checksum, --on-arrival, --repeat: with -r only;\n"
			       "  live, mosctl config set deliver_on_arrival=1 decides)\n"
			       "  last line: mpps=X gbps=Y bytes_per_conn=Z; live, mpps counts ring\n"
			       "  records (events), not packets, and bytes_per_conn is the library's\n"
			       "  state per connection\n");
			return 0;
		default:
			return 2;
		}
	}
	ude_ids = calloc(n_udes ? n_udes : 1, sizeof(*ude_ids));
	if (!ude_ids)
		return 1;
	if (!payload)
		o.peek_window = 0;
	if (!file) {
		ret = run_live(&o, payload);
		free(ude_ids);
		return ret;
	}
	if (load(file, &pkts, &npkts, &arena, &linktype))
		return 1;
	for (r = 0; r < repeat; r++) {
		ret = run_once(&o, payload, pkts, npkts, arena, linktype, &res);
		if (ret)
			return 1;
		if (!r || res.secs < best.secs)
			best = res;
	}
	st = best.st;
	secs = best.secs;
	printf("packets=%zu tcp_packets=%" PRIu64 " connections=%" PRIu64
	       " peak_connections=%" PRIu64 "\n", npkts, st.tcp_packets,
	       st.flows, st.flows_peak);
	printf("payload_bytes=%" PRIu64 " data_events=%" PRIu64
	       " ude_events=%" PRIu64 " udes=%d per_flow=%d runs=%d\n",
	       st.payload_bytes, best.data_events, best.ude_events, n_udes,
	       per_flow, repeat);
	printf("seconds=%.4f engine_mem_peak=%" PRIu64 "\n", secs,
	       st.engine_mem_peak);
	printf("mpps=%.3f gbps=%.3f bytes_per_conn=%" PRIu64 "\n",
	       npkts / secs / 1e6, st.payload_bytes * 8 / secs / 1e9,
	       st.flows_peak ? st.engine_mem_peak / st.flows_peak : 0);
	free(ude_ids);
	free(pkts);
	free(arena);
	return 0;
}
