// SPDX-License-Identifier: GPL-2.0
/*
 * gen_synth - write the synthetic capture that `make bench` measures.
 *
 * Each connection is a short HTTP-like exchange between a client
 * 10.16.x.y:port and the server 10.0.0.1:80: handshake, one request, a
 * response in several segments, a close from both sides. Every connection
 * has one pair of response segments swapped and one response segment sent
 * twice, so that the reassembly paths of the monitor under test are taken
 * on every flow, not only on the fast in-order path.
 *
 * -c sets how many connections are open at once: the next packet is taken
 * round-robin from the open connections, and a finished connection's slot
 * goes to the next one. Each connection's contents depend only on the seed
 * and its index, so captures of different concurrencies hold the same
 * connections and the same bytes, only interleaved differently.
 *
 * Packets are written with libpcap's own dumper so the file format is
 * libpcap's, not ours.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include "engine/platform.h"

#define ETH_HLEN		14
#define IP_HLEN			20
#define TCP_HLEN		20
#define MSS_OPT_LEN		4
#define MSS			1460
#define SNAPLEN			65535

#define SERVER_IP		0x0a000001u	/* 10.0.0.1 */
#define SERVER_PORT		80
#define CLIENT_NET		0x0a100000u	/* 10.16.0.0/12 */
/* A client host opens a few connections, as browsers do. */
#define CONNS_PER_CLIENT	8
#define MAX_CLIENTS		((1u << 20) - 2)
/* Ephemeral ports 32768..60999; the stride keeps a host's 8 ports apart. */
#define PORT_BASE		32768
#define PORT_RANGE		28232
#define PORT_STRIDE		3529

#define REQ_MIN			100
#define REQ_MAX			300
#define RESP_MIN		1024
#define RESP_MAX		4096
/* The first response segment carries the headers alone, as servers do. */
#define RESP_HDR_MIN		120
#define RESP_HDR_MAX		250
/* 5 setup/request + up to 4 data + 1 duplicate + 1 ACK + 3 close. */
#define MAX_PLAN		16

#define TS_BASE_SEC		1700000000u
#define TS_GAP_US		10

#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_PSH			0x08
#define TCP_ACK			0x10

enum { DIR_C2S, DIR_S2C };

/* One packet to send: its payload is @len bytes at @off of its stream. */
struct plan_pkt {
	u32 seq;
	u32 ack;
	u16 off;
	u16 len;
	u16 ipid;
	u8 dir;
	u8 flags;
};

struct conn {
	u32 cip;
	u16 cport;
	u8 npkts;
	u8 next;
	struct plan_pkt plan[MAX_PLAN];
	u8 req[REQ_MAX];
	u8 resp[RESP_MAX];
};

struct gen {
	pcap_dumper_t *out;
	u64 seed;
	u64 packets;
	u64 stream_bytes;	/* request + response bytes, each once */
	u64 ts_us;
	u8 frame[ETH_HLEN + IP_HLEN + TCP_HLEN + MSS_OPT_LEN + MSS];
};

/* splitmix64: a seed per connection from (seed, index), cheap and good. */
static u64 mix64(u64 x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static u32 rnd32(u64 *state)
{
	*state = mix64(*state);
	return *state >> 32;
}

/* Uniform enough in [@lo, @hi] for ranges far below 2^32. */
static u32 rnd(u64 *state, u32 lo, u32 hi)
{
	return lo + rnd32(state) % (hi - lo + 1);
}

static void put16(u8 *p, u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(u8 *p, u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static u32 csum_add(u32 sum, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	return sum;
}

static u16 csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* Fill @buf with @len bytes of HTTP-like header text padded to size. */
static void fill_text(u8 *buf, u32 len, const char *head)
{
	static const char pad_name[] = "X-Pad: ";
	u32 n = strlen(head), i;

	memcpy(buf, head, n);
	memcpy(buf + n, pad_name, sizeof(pad_name) - 1);
	n += sizeof(pad_name) - 1;
	for (i = n; i < len - 4; i++)
		buf[i] = 'a' + (i % 26);
	memcpy(buf + len - 4, "\r\n\r\n", 4);
}

static void add_pkt(struct conn *c, u8 dir, u8 flags, u32 seq, u32 ack,
		    u16 off, u16 len, u16 *ipid)
{
	struct plan_pkt *p = &c->plan[c->npkts++];

	p->dir = dir;
	p->flags = flags;
	p->seq = seq;
	p->ack = ack;
	p->off = off;
	p->len = len;
	p->ipid = ipid[dir]++;
}

/* Lay out every packet of connection @idx in the order it will be sent. */
static void conn_init(struct gen *g, struct conn *c, u32 idx)
{
	u64 rs = mix64(g->seed ^ mix64(idx));
	u32 host = idx / CONNS_PER_CLIENT;
	u64 hs = mix64(g->seed ^ mix64(~(u64)host));
	u32 req_len, resp_len, hdr_len, cisn, sisn, ca, sa;
	u16 seg_off[MAX_PLAN], seg_len[MAX_PLAN], ipid[2];
	u32 nseg = 0, off, i, swap, dup, first;
	char head[96];

	c->cip = CLIENT_NET + host + 1;
	c->cport = PORT_BASE + (rnd(&hs, 0, PORT_RANGE - 1) +
				(idx % CONNS_PER_CLIENT) * PORT_STRIDE) %
		PORT_RANGE;
	c->npkts = 0;
	c->next = 0;
	cisn = rnd32(&rs);
	sisn = rnd32(&rs);
	ipid[DIR_C2S] = rnd(&rs, 0, 0xffff);
	ipid[DIR_S2C] = rnd(&rs, 0, 0xffff);
	req_len = rnd(&rs, REQ_MIN, REQ_MAX);
	resp_len = rnd(&rs, RESP_MIN, RESP_MAX);
	hdr_len = rnd(&rs, RESP_HDR_MIN, RESP_HDR_MAX);

	snprintf(head, sizeof(head),
		 "GET /obj/%u HTTP/1.1\r\nHost: bench.test\r\n", idx);
	fill_text(c->req, req_len, head);
	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Length: %u\r\n",
		 resp_len - hdr_len);
	fill_text(c->resp, hdr_len, head);
	for (i = hdr_len; i < resp_len; i++)
		c->resp[i] = '0' + (idx + i) % 75;
	g->stream_bytes += req_len + resp_len;

	/* Response segments: the headers, then the body in MSS chunks. */
	seg_off[0] = 0;
	seg_len[0] = hdr_len;
	nseg = 1;
	for (off = hdr_len; off < resp_len; off += MSS) {
		seg_off[nseg] = off;
		seg_len[nseg] = resp_len - off < MSS ? resp_len - off : MSS;
		nseg++;
	}
	swap = rnd(&rs, 0, nseg - 2);
	dup = rnd(&rs, 0, nseg - 1);

	ca = cisn + 1;
	sa = sisn + 1;
	add_pkt(c, DIR_C2S, TCP_SYN, cisn, 0, 0, 0, ipid);
	add_pkt(c, DIR_S2C, TCP_SYN | TCP_ACK, sisn, ca, 0, 0, ipid);
	add_pkt(c, DIR_C2S, TCP_ACK, ca, sa, 0, 0, ipid);
	add_pkt(c, DIR_C2S, TCP_PSH | TCP_ACK, ca, sa, 0, req_len, ipid);
	add_pkt(c, DIR_S2C, TCP_ACK, sa, ca + req_len, 0, 0, ipid);
	first = c->npkts;
	for (i = 0; i < nseg; i++)
		add_pkt(c, DIR_S2C,
			TCP_ACK | (i == nseg - 1 ? TCP_PSH : 0),
			sa + seg_off[i], ca + req_len, seg_off[i], seg_len[i],
			ipid);
	/* Swap after planning so each segment keeps its IP ID. */
	{
		struct plan_pkt t = c->plan[first + swap];

		c->plan[first + swap] = c->plan[first + swap + 1];
		c->plan[first + swap + 1] = t;
	}
	/* A spurious retransmission: byte for byte the same packet again. */
	c->plan[c->npkts++] = c->plan[first + dup];
	add_pkt(c, DIR_C2S, TCP_ACK, ca + req_len, sa + resp_len, 0, 0, ipid);
	/* HTTP/1.0-style close: the server first, then the client. */
	add_pkt(c, DIR_S2C, TCP_FIN | TCP_ACK, sa + resp_len, ca + req_len,
		0, 0, ipid);
	add_pkt(c, DIR_C2S, TCP_FIN | TCP_ACK, ca + req_len,
		sa + resp_len + 1, 0, 0, ipid);
	add_pkt(c, DIR_S2C, TCP_ACK, sa + resp_len + 1, ca + req_len + 1,
		0, 0, ipid);
}

/* Build and write the next packet of @c; false once it has no more. */
static bool conn_emit(struct gen *g, struct conn *c)
{
	static const u8 mac_c[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const u8 mac_s[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	const struct plan_pkt *p = &c->plan[c->next++];
	bool c2s = p->dir == DIR_C2S;
	u8 *eth = g->frame, *ip = eth + ETH_HLEN, *th = ip + IP_HLEN;
	u32 saddr = c2s ? c->cip : SERVER_IP;
	u32 daddr = c2s ? SERVER_IP : c->cip;
	u32 thl = TCP_HLEN + (p->flags & TCP_SYN ? MSS_OPT_LEN : 0);
	u32 seg_len = thl + p->len, sum;
	struct pcap_pkthdr ph;

	memcpy(eth, c2s ? mac_s : mac_c, 6);
	memcpy(eth + 6, c2s ? mac_c : mac_s, 6);
	put16(eth + 12, 0x0800);

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, IP_HLEN + seg_len);
	put16(ip + 4, p->ipid);
	put16(ip + 6, 0x4000);		/* DF, as Linux sends TCP */
	ip[8] = 64;
	ip[9] = 6;
	put16(ip + 10, 0);
	put32(ip + 12, saddr);
	put32(ip + 16, daddr);
	put16(ip + 10, csum_fold(csum_add(0, ip, IP_HLEN)));

	put16(th, c2s ? c->cport : SERVER_PORT);
	put16(th + 2, c2s ? SERVER_PORT : c->cport);
	put32(th + 4, p->seq);
	put32(th + 8, p->ack);
	th[12] = (thl / 4) << 4;
	th[13] = p->flags;
	put16(th + 14, 65535);
	put16(th + 16, 0);
	put16(th + 18, 0);
	if (p->flags & TCP_SYN) {
		th[20] = 2;		/* MSS option */
		th[21] = 4;
		put16(th + 22, MSS);
	}
	memcpy(th + thl, (c2s ? c->req : c->resp) + p->off, p->len);
	/* Pseudo-header: addresses, protocol, TCP length. */
	sum = csum_add(0, ip + 12, 8) + 6 + seg_len;
	put16(th + 16, csum_fold(csum_add(sum, th, seg_len)));

	ph.ts.tv_sec = TS_BASE_SEC + g->ts_us / 1000000;
	ph.ts.tv_usec = g->ts_us % 1000000;
	ph.caplen = ETH_HLEN + IP_HLEN + seg_len;
	ph.len = ph.caplen;
	pcap_dump((u_char *)g->out, &ph, g->frame);
	g->ts_us += TS_GAP_US;
	g->packets++;
	return c->next < c->npkts;
}

static void die_usage(void)
{
	fprintf(stderr,
		"usage: gen_synth -n CONNS -c CONCURRENCY -o FILE [-s SEED]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long seed = 1;
	unsigned long conns = 0, conc = 0;
	struct gen g = { 0 };
	const char *path = NULL;
	u32 nactive, nstarted, s;
	struct conn *slots;
	pcap_t *dead;
	int opt;

	while ((opt = getopt(argc, argv, "n:c:o:s:")) != -1) {
		switch (opt) {
		case 'n':
			conns = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			conc = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			path = optarg;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		default:
			die_usage();
		}
	}
	if (!path || !conns || !conc || optind != argc)
		die_usage();
	if (conns > (unsigned long)MAX_CLIENTS * CONNS_PER_CLIENT) {
		fprintf(stderr, "gen_synth: at most %lu connections\n",
			(unsigned long)MAX_CLIENTS * CONNS_PER_CLIENT);
		return 2;
	}
	if (conc > conns)
		conc = conns;
	g.seed = seed;

	dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (!dead) {
		fprintf(stderr, "gen_synth: pcap_open_dead failed\n");
		return 1;
	}
	g.out = pcap_dump_open(dead, path);
	if (!g.out) {
		fprintf(stderr, "gen_synth: %s\n", pcap_geterr(dead));
		return 1;
	}
	slots = calloc(conc, sizeof(*slots));
	if (!slots) {
		perror("gen_synth");
		return 1;
	}
	for (s = 0; s < conc; s++)
		conn_init(&g, &slots[s], s);
	nactive = conc;
	nstarted = conc;

	/*
	 * Round-robin over the open connections. A finished connection's
	 * slot takes the next one; once none is left, the last slot moves
	 * into the hole, and it has not sent in this round yet.
	 */
	while (nactive) {
		for (s = 0; s < nactive; ) {
			if (conn_emit(&g, &slots[s])) {
				s++;
			} else if (nstarted < conns) {
				conn_init(&g, &slots[s], nstarted++);
				s++;
			} else {
				slots[s] = slots[--nactive];
			}
		}
	}

	if (pcap_dump_flush(g.out) || ferror(pcap_dump_file(g.out))) {
		fprintf(stderr, "gen_synth: write error on %s\n", path);
		return 1;
	}
	pcap_dump_close(g.out);
	pcap_close(dead);
	free(slots);
	printf("conns=%lu concurrency=%lu packets=%llu stream_bytes=%llu\n",
	       conns, conc, g.packets, g.stream_bytes);
	return 0;
}
