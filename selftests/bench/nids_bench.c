// SPDX-License-Identifier: GPL-2.0
/*
 * nids_bench - libnids reassembling a capture, the reference mos is held
 * against: every connection's two directions are collected and handed to a
 * callback that only counts the bytes.
 *
 * libnids reads the file itself (nids_run() is a pcap_loop()), so its time
 * includes libpcap reading from the page cache, which mos-bench and the
 * floor's default mode do not pay: compare with `floor -I` to see that
 * share. The file is read once before the clock starts, to count its
 * packets and to have it in the page cache.
 */
#include <getopt.h>
#include <nids.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static unsigned long long data_bytes, streams, closed, warnings;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_tcp(struct tcp_stream *a_tcp, void **param)
{
	switch (a_tcp->nids_state) {
	case NIDS_JUST_EST:
		/* Collect both directions, as mos delivers both. */
		a_tcp->client.collect++;
		a_tcp->server.collect++;
		streams++;
		break;
	case NIDS_DATA:
		/* Not calling nids_discard() lets libnids drop what it gave. */
		data_bytes += a_tcp->client.count_new + a_tcp->server.count_new;
		break;
	case NIDS_CLOSE:
		closed++;
		break;
	default:
		break;
	}
}

/*
 * libnids reports oddities through syslog() by default; counting them
 * instead keeps the system log quiet and the measurement free of it.
 */
static void on_syslog(int type, int errnum, struct ip *iph, void *data)
{
	warnings++;
}

static unsigned long long count_packets(const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	unsigned long long n = 0;
	struct pcap_pkthdr *ph;
	const u_char *data;
	pcap_t *p;

	p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "nids_bench: %s\n", errbuf);
		exit(1);
	}
	while (pcap_next_ex(p, &ph, &data) == 1)
		n++;
	pcap_close(p);
	return n;
}

static void die_usage(void)
{
	fprintf(stderr, "usage: nids_bench -r FILE [-c CONCURRENCY]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	/* One rule that matches every source address: never checksum. */
	static struct nids_chksum_ctl no_chksum = {
		.netaddr = 0,
		.mask = 0,
		.action = NIDS_DONT_CHKSUM,
	};
	unsigned long long packets;
	unsigned long conc = 1024;
	char *path = NULL;
	double t0, secs;
	int opt;

	while ((opt = getopt(argc, argv, "r:c:")) != -1) {
		switch (opt) {
		case 'r':
			path = optarg;
			break;
		case 'c':
			conc = strtoul(optarg, NULL, 0);
			break;
		default:
			die_usage();
		}
	}
	if (!path || optind != argc || conc > 1000000)
		die_usage();
	packets = count_packets(path);

	nids_params.filename = path;
	nids_params.device = NULL;
	/*
	 * libnids follows at most 3/4 of n_tcp_streams connections, and the
	 * same number sizes its hash table: twice the concurrency gives the
	 * same load factor of 1/2 as the floor's table, and never evicts.
	 */
	nids_params.n_tcp_streams = conc < 520 ? 1040 : 2 * conc;
	nids_params.n_hosts = 256;
	/* 100 000 clients of one server would look like a scan to it. */
	nids_params.scan_num_hosts = 0;
	nids_params.syslog = on_syslog;
	nids_params.pcap_filter = NULL;
	nids_params.multiproc = 0;
	nids_register_chksum_ctl(&no_chksum, 1);
	if (!nids_init()) {
		fprintf(stderr, "nids_bench: %s\n", nids_errbuf);
		return 1;
	}
	nids_register_tcp(on_tcp);

	t0 = now();
	nids_run();
	secs = now() - t0;

	printf("streams=%llu closed=%llu warnings=%llu\n",
	       streams, closed, warnings);
	printf("packets=%llu seconds=%.6f mpps=%.3f bytes=%llu\n",
	       packets, secs, secs > 0 ? packets / secs / 1e6 : 0.0,
	       data_bytes);
	return 0;
}
