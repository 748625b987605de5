// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of mos_parse_ip(): well-formed IPv4/IPv6 TCP, GSO sizes,
 * padding, fragments, extension headers, and every kind of truncation. The
 * packets are copied into exact-size heap buffers so that the sanitizers
 * catch any read past the end.
 */
#include <stdlib.h>
#include <string.h>
#include "engine/parse.h"
#include "tap.h"

static u8 pktbuf[2048];

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

/* A TCP header with @opt_len bytes of options at @th; returns its length. */
static u32 put_tcp(u8 *th, u32 opt_len, u8 flags)
{
	u32 len = 20 + opt_len;

	memset(th, 0, len);
	put16(th, 40000);
	put16(th + 2, 80);
	put32(th + 4, 0xfffffff0u);
	put32(th + 8, 0x01020304u);
	th[12] = (len / 4) << 4;
	th[13] = flags;
	put16(th + 14, 65535);
	memset(th + 20, 1, opt_len);	/* NOP options */
	return len;
}

/* IPv4 + TCP + @payload bytes; returns the packet length. */
static u32 build_v4(u32 ip_opt_len, u32 tcp_opt_len, u32 payload)
{
	u32 ihl = 20 + ip_opt_len, thl, tot;

	memset(pktbuf, 0, sizeof(pktbuf));
	pktbuf[0] = 0x40 | (ihl / 4);
	pktbuf[8] = 64;
	pktbuf[9] = 6;
	put32(pktbuf + 12, 0x0a000001);
	put32(pktbuf + 16, 0x0a000002);
	thl = put_tcp(pktbuf + ihl, tcp_opt_len, MOS_TCP_ACK | MOS_TCP_PSH);
	tot = ihl + thl + payload;
	put16(pktbuf + 2, tot);
	memset(pktbuf + ihl + thl, 'x', payload);
	return tot;
}

/*
 * IPv6 with the extension headers listed in @ext (next-header values, each
 * 8 bytes long), then TCP + @payload bytes.
 */
static u32 build_v6(const u8 *ext, unsigned int n_ext, u32 payload)
{
	u32 off = 40, thl;
	unsigned int i;

	memset(pktbuf, 0, sizeof(pktbuf));
	pktbuf[0] = 0x60;
	pktbuf[6] = n_ext ? ext[0] : 6;
	pktbuf[7] = 64;
	pktbuf[8] = 0x20;
	pktbuf[23] = 1;
	pktbuf[24] = 0x20;
	pktbuf[39] = 2;
	for (i = 0; i < n_ext; i++, off += 8)
		pktbuf[off] = i + 1 < n_ext ? ext[i + 1] : 6;
	thl = put_tcp(pktbuf + off, 12, MOS_TCP_SYN);
	memset(pktbuf + off + thl, 'y', payload);
	put16(pktbuf + 4, off - 40 + thl + payload);
	return off + thl + payload;
}

static enum mos_parse_result parse(u32 hdr_len, u32 pkt_len,
				   struct mos_pkt *pkt)
{
	u8 *copy = malloc(hdr_len ? hdr_len : 1);
	enum mos_parse_result res;

	memcpy(copy, pktbuf, hdr_len);
	res = mos_parse_ip(copy, hdr_len, pkt_len, pkt);
	free(copy);
	return res;
}

static void test_v4_basic(void)
{
	static const u8 src[16] = { [10] = 0xff, [11] = 0xff, [12] = 10,
				    [15] = 1 };
	struct mos_pkt p;
	u32 len = build_v4(0, 12, 100);

	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_TCP, "v4: TCP found");
	TAP_CHECK(p.ip_version == 4 && p.sport == 40000 && p.dport == 80,
		  "v4: version and ports");
	TAP_CHECK(p.seq == 0xfffffff0u && p.ack == 0x01020304u,
		  "v4: seq and ack");
	TAP_CHECK(p.tcp_flags == (MOS_TCP_ACK | MOS_TCP_PSH) &&
		  p.window == 65535, "v4: flags and window");
	TAP_CHECK(p.l4_off == 20 && p.tcp_hdr_len == 32 &&
		  p.payload_len == 100, "v4: offsets and payload length");
	TAP_CHECK(!memcmp(p.saddr, src, 16) && p.daddr[15] == 2,
		  "v4: addresses in IPv4-mapped form");

	len = build_v4(8, 0, 5);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_TCP && p.l4_off == 28 &&
		  p.payload_len == 5, "v4: IP options skipped");
}

static void test_v4_lengths(void)
{
	struct mos_pkt p;
	u32 len = build_v4(0, 0, 10);

	TAP_CHECK(parse(len + 6, len + 6, &p) == MOS_PARSE_TCP &&
		  p.payload_len == 10, "v4: Ethernet padding is not payload");
	put16(pktbuf + 2, 0);
	TAP_CHECK(parse(len, 64000, &p) == MOS_PARSE_TCP &&
		  p.payload_len == 64000 - 40,
		  "v4: zero total length (GSO) sized by the packet");
	len = build_v4(0, 0, 10);
	TAP_CHECK(parse(len, len - 1, &p) == MOS_PARSE_BAD_HEADER,
		  "v4: total length beyond the packet");
	len = build_v4(0, 0, 1000);
	TAP_CHECK(parse(60, len, &p) == MOS_PARSE_TCP && p.payload_len == 1000,
		  "v4: headers-only copy parses with the full length");
}

static void test_v4_malformed(void)
{
	struct mos_pkt p;
	u32 len, cut;
	int all_bad = 1;

	len = build_v4(0, 0, 0);
	pktbuf[0] = 0x44;
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_BAD_HEADER, "v4: IHL < 5");
	len = build_v4(0, 0, 0);
	pktbuf[32] = 0x40;
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_BAD_HEADER,
		  "v4: TCP data offset < 5");
	len = build_v4(0, 0, 0);
	pktbuf[32] = 0x60;
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_BAD_HEADER,
		  "v4: TCP header longer than the segment");
	len = build_v4(0, 20, 50);
	for (cut = 0; cut < 60; cut++)
		all_bad &= parse(cut, len, &p) == MOS_PARSE_BAD_HEADER;
	TAP_CHECK(all_bad, "v4: every cut inside the headers is bad");
	pktbuf[0] = 0x55;
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_BAD_HEADER,
		  "unknown IP version");
	TAP_CHECK(mos_parse_ip(pktbuf, 0, 0, &p) == MOS_PARSE_BAD_HEADER,
		  "empty packet");
}

static void test_v4_fragments_protocols(void)
{
	struct mos_pkt p;
	u32 len = build_v4(0, 0, 8);

	put16(pktbuf + 6, 0x4000);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_TCP, "v4: DF is whole");
	put16(pktbuf + 6, 0x2000);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_FRAGMENT,
		  "v4: first fragment (MF)");
	put16(pktbuf + 6, 0x0010);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_FRAGMENT,
		  "v4: later fragment (offset)");
	put16(pktbuf + 6, 0);
	pktbuf[9] = 17;
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_NOT_TCP, "v4: UDP");
}

static void test_v6(void)
{
	static const u8 chain[] = { 0, 60, 43 };
	static const u8 too_many[9] = { 0 };
	static const u8 esp[] = { 50 };
	static const u8 frag[] = { 44 };
	struct mos_pkt p;
	u32 len, cut;
	int all_bad = 1;

	len = build_v6(NULL, 0, 7);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_TCP && p.ip_version == 6 &&
		  p.l4_off == 40 && p.payload_len == 7 &&
		  p.tcp_flags == MOS_TCP_SYN && p.saddr[0] == 0x20 &&
		  p.daddr[15] == 2, "v6: TCP found, fields");
	put16(pktbuf + 4, 0);
	TAP_CHECK(parse(len, 9000, &p) == MOS_PARSE_TCP &&
		  p.payload_len == 9000 - 40 - 32,
		  "v6: zero payload length (GSO) sized by the packet");

	len = build_v6(chain, 3, 3);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_TCP && p.l4_off == 64 &&
		  p.payload_len == 3, "v6: hop-by-hop, dstopts, routing");
	for (cut = 0; cut < 64 + 32; cut++)
		all_bad &= parse(cut, len, &p) == MOS_PARSE_BAD_HEADER;
	TAP_CHECK(all_bad, "v6: every cut inside the headers is bad");
	pktbuf[41] = 200;	/* hop-by-hop longer than the packet */
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_BAD_HEADER,
		  "v6: extension header past the end");

	len = build_v6(too_many, 9, 0);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_BAD_HEADER,
		  "v6: extension header chain too long");
	len = build_v6(esp, 1, 0);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_NOT_TCP, "v6: ESP");

	len = build_v6(frag, 1, 4);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_TCP && p.l4_off == 48,
		  "v6: atomic fragment is whole");
	put16(pktbuf + 42, 0x0001);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_FRAGMENT,
		  "v6: first fragment (M)");
	put16(pktbuf + 42, 0x0008);
	TAP_CHECK(parse(len, len, &p) == MOS_PARSE_FRAGMENT,
		  "v6: later fragment (offset)");
	len = build_v6(NULL, 0, 0);
	TAP_CHECK(parse(len, len - 1, &p) == MOS_PARSE_BAD_HEADER,
		  "v6: payload length beyond the packet");
}

int main(void)
{
	test_v4_basic();
	test_v4_lengths();
	test_v4_malformed();
	test_v4_fragments_protocols();
	test_v6();
	return tap_done();
}
