// SPDX-License-Identifier: GPL-2.0
/*
 * floor - the least work any flow monitor must do per packet, as the
 * yardstick for mos-bench: strip Ethernet, parse with the engine's own
 * mos_parse_ip(), and find or add the flow in a hash table keyed by the
 * direction-independent 4-tuple. No sequence tracking, no reassembly, no
 * callbacks.
 *
 * The capture is read into memory first and only the loop is timed, so the
 * number is the engine's ceiling on this CPU rather than the disk's or
 * libpcap's. With -I the loop runs inside the pcap_next_ex() loop instead,
 * timed as a whole, which is how libnids reads; the difference between the
 * two is the I/O share.
 *
 * -P DIST prefetches the packet DIST ahead. The loop is bound by the cache
 * miss on each packet's first line, and prefetching hides most of it: an
 * engine benchmark that prefetches should be held against the floor with
 * -P, one that does not against the floor without it.
 *
 * The table is sized for the concurrency (-c), so a flow must leave it when
 * its connection ends, or a 100 000-connection capture would fill a table
 * sized for 1. The least tracking that allows this is kept: a count of the
 * FINs seen, and the flow goes on the first packet after the second FIN
 * (the last ACK), or on a RST.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include "engine/parse.h"

#define ETH_HLEN	14
#define ETH_P_IPV4	0x0800
#define ETH_P_IPV6	0x86dd
#define POOL_CHUNK	4096

/* Both endpoints, the lower (address, port) first; 40 bytes, no holes. */
struct flow_key {
	u8 lo_addr[16];
	u8 hi_addr[16];
	u16 lo_port;
	u16 hi_port;
	u32 zero;
};

struct flow {
	struct flow *next;
	struct flow_key key;
	u64 packets;
	u8 fins;
};

struct table {
	struct flow **buckets;
	u32 mask;
	struct flow *free;	/* flows are recycled, not freed */
	u64 live;
	u64 max_live;
	u64 created;
};

struct capture {
	u8 *data;
	u64 *off;
	u32 *caplen;
	u32 *len;
	u64 count;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *xalloc(size_t size)
{
	void *p = calloc(1, size);

	if (!p) {
		perror("floor");
		exit(1);
	}
	return p;
}

/* Buckets for a load factor of at most 1/2 at the stated concurrency. */
static void table_init(struct table *t, u64 concurrency)
{
	u64 n = 1024;

	while (n < 2 * concurrency)
		n <<= 1;
	t->buckets = xalloc(n * sizeof(*t->buckets));
	t->mask = n - 1;
}

static struct flow *flow_alloc(struct table *t)
{
	struct flow *f;
	int i;

	if (unlikely(!t->free)) {
		f = xalloc(POOL_CHUNK * sizeof(*f));
		for (i = 0; i < POOL_CHUNK; i++) {
			f[i].next = t->free;
			t->free = &f[i];
		}
	}
	f = t->free;
	t->free = f->next;
	return f;
}

static u64 key_hash(const struct flow_key *k)
{
	const u8 *p = (const u8 *)k;
	u64 h = 0, w;
	size_t i;

	for (i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	return h;
}

static void make_key(const struct mos_pkt *pkt, struct flow_key *k)
{
	int c = memcmp(pkt->saddr, pkt->daddr, 16);

	if (c < 0 || (c == 0 && pkt->sport <= pkt->dport)) {
		memcpy(k->lo_addr, pkt->saddr, 16);
		memcpy(k->hi_addr, pkt->daddr, 16);
		k->lo_port = pkt->sport;
		k->hi_port = pkt->dport;
	} else {
		memcpy(k->lo_addr, pkt->daddr, 16);
		memcpy(k->hi_addr, pkt->saddr, 16);
		k->lo_port = pkt->dport;
		k->hi_port = pkt->sport;
	}
	k->zero = 0;
}

/* The whole per-packet work of the floor. */
static void floor_packet(struct table *t, const u8 *frame, u32 caplen,
			 u32 len)
{
	struct flow **head, **pp, *f;
	struct flow_key key;
	struct mos_pkt pkt;
	u16 type;

	if (unlikely(caplen < ETH_HLEN))
		return;
	type = mos_get_be16(frame + 12);
	if (unlikely(type != ETH_P_IPV4 && type != ETH_P_IPV6))
		return;
	if (mos_parse_ip(frame + ETH_HLEN, caplen - ETH_HLEN, len - ETH_HLEN,
			 &pkt) != MOS_PARSE_TCP)
		return;

	make_key(&pkt, &key);
	head = &t->buckets[key_hash(&key) & t->mask];
	for (pp = head; *pp; pp = &(*pp)->next)
		if (!memcmp(&(*pp)->key, &key, sizeof(key)))
			break;
	f = *pp;
	if (!f) {
		f = flow_alloc(t);
		f->key = key;
		f->packets = 0;
		f->fins = 0;
		f->next = *head;
		*head = f;
		pp = head;
		t->created++;
		if (++t->live > t->max_live)
			t->max_live = t->live;
	}
	f->packets++;
	if (pkt.tcp_flags & MOS_TCP_FIN) {
		f->fins++;
	} else if (f->fins >= 2 || (pkt.tcp_flags & MOS_TCP_RST)) {
		*pp = f->next;
		f->next = t->free;
		t->free = f;
		t->live--;
	}
}

/*
 * Read every packet into one buffer. The file size bounds the data, so
 * one allocation holds it; only the index grows.
 */
static void load(const char *path, struct capture *cap)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	u64 used = 0, room = 0;
	const u_char *data;
	struct stat st;
	pcap_t *p;
	int rc;

	if (stat(path, &st)) {
		perror(path);
		exit(1);
	}
	p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "floor: %s\n", errbuf);
		exit(1);
	}
	cap->data = xalloc(st.st_size + 1);
	while ((rc = pcap_next_ex(p, &ph, &data)) == 1) {
		if (cap->count == room) {
			room = room ? 2 * room : 1 << 16;
			cap->off = realloc(cap->off, room * sizeof(u64));
			cap->caplen = realloc(cap->caplen, room * sizeof(u32));
			cap->len = realloc(cap->len, room * sizeof(u32));
			if (!cap->off || !cap->caplen || !cap->len) {
				perror("floor");
				exit(1);
			}
		}
		memcpy(cap->data + used, data, ph->caplen);
		cap->off[cap->count] = used;
		cap->caplen[cap->count] = ph->caplen;
		cap->len[cap->count] = ph->len;
		cap->count++;
		used += ph->caplen;
	}
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "floor: %s: %s\n", path, pcap_geterr(p));
		exit(1);
	}
	pcap_close(p);
}

/* -I: read and process in one pass, timing both. */
static double run_streaming(const char *path, struct table *t, u64 *count)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	double t0, t1;
	pcap_t *p;
	int rc;

	t0 = now();
	p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "floor: %s\n", errbuf);
		exit(1);
	}
	while ((rc = pcap_next_ex(p, &ph, &data)) == 1) {
		floor_packet(t, data, ph->caplen, ph->len);
		(*count)++;
	}
	t1 = now();
	if (rc != PCAP_ERROR_BREAK) {
		fprintf(stderr, "floor: %s: %s\n", path, pcap_geterr(p));
		exit(1);
	}
	pcap_close(p);
	return t1 - t0;
}

static void die_usage(void)
{
	fprintf(stderr,
		"usage: floor -r FILE [-c CONCURRENCY] [-I | -P DIST]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long conc = 1024;
	struct capture cap = { 0 };
	struct table t = { 0 };
	const char *path = NULL;
	bool streaming = false;
	u64 prefetch = 0;
	double secs, t0;
	u64 i, count = 0;
	int opt;

	while ((opt = getopt(argc, argv, "r:c:IP:")) != -1) {
		switch (opt) {
		case 'r':
			path = optarg;
			break;
		case 'c':
			conc = strtoul(optarg, NULL, 0);
			break;
		case 'I':
			streaming = true;
			break;
		case 'P':
			prefetch = strtoul(optarg, NULL, 0);
			break;
		default:
			die_usage();
		}
	}
	if (!path || optind != argc)
		die_usage();
	table_init(&t, conc);

	if (streaming) {
		secs = run_streaming(path, &t, &count);
	} else {
		load(path, &cap);
		count = cap.count;
		t0 = now();
		for (i = 0; i < cap.count; i++) {
			if (prefetch && i + prefetch < cap.count)
				__builtin_prefetch(cap.data +
						   cap.off[i + prefetch]);
			floor_packet(&t, cap.data + cap.off[i], cap.caplen[i],
				     cap.len[i]);
		}
		secs = now() - t0;
	}

	printf("flows=%llu max_live=%llu left_open=%llu ",
	       t.created, t.max_live, t.live);
	printf("buckets=%u mode=%s\n",
	       t.mask + 1, streaming ? "streaming" : "in-memory");
	printf("packets=%llu seconds=%.6f mpps=%.3f\n",
	       count, secs, secs > 0 ? count / secs / 1e6 : 0.0);
	return 0;
}
