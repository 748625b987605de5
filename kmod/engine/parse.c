// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Header parsing. Every read is bounds-checked against what the caller
 * could provide: a capture may be cut short by its snap length, and a hostile
 * sender controls every length field.
 */
#include "parse.h"

#define IPPROTO_TCP_NUM		6
#define IPV6_NH_HOPOPTS		0
#define IPV6_NH_ROUTING		43
#define IPV6_NH_FRAGMENT	44
#define IPV6_NH_AH		51
#define IPV6_NH_DSTOPTS		60
#define IPV6_HDR_LEN		40
#define IPV6_MAX_EXT_HDRS	8

static const u8 v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/*
 * @seg_len is the length of the IP payload as the IP header declares it (or
 * as the caller measured it for GSO packets, whose length field is zero).
 */
static enum mos_parse_result parse_tcp(const u8 *hdr, u32 hdr_len, u32 off,
				       u32 seg_len, struct mos_pkt *pkt)
{
	const u8 *th = hdr + off;
	u32 doff;

	if (hdr_len < off + 20 || seg_len < 20)
		return MOS_PARSE_BAD_HEADER;
	doff = (th[12] >> 4) * 4u;
	if (doff < 20 || doff > seg_len || hdr_len < off + doff)
		return MOS_PARSE_BAD_HEADER;

	pkt->sport = mos_get_be16(th);
	pkt->dport = mos_get_be16(th + 2);
	pkt->seq = mos_get_be32(th + 4);
	pkt->ack = mos_get_be32(th + 8);
	pkt->tcp_flags = th[13];
	pkt->window = mos_get_be16(th + 14);
	pkt->l4_off = off;
	pkt->tcp_hdr_len = doff;
	pkt->payload_len = seg_len - doff;
	return MOS_PARSE_TCP;
}

static enum mos_parse_result parse_ipv4(const u8 *hdr, u32 hdr_len,
					u32 pkt_len, struct mos_pkt *pkt)
{
	u32 ihl, tot_len;
	u16 frag;

	if (hdr_len < 20)
		return MOS_PARSE_BAD_HEADER;
	ihl = (hdr[0] & 0x0f) * 4u;
	tot_len = mos_get_be16(hdr + 2);
	/* TSO/GRO super-packets may carry 0: their size is the buffer's. */
	if (tot_len == 0)
		tot_len = pkt_len;
	if (ihl < 20 || hdr_len < ihl || tot_len < ihl || tot_len > pkt_len)
		return MOS_PARSE_BAD_HEADER;

	frag = mos_get_be16(hdr + 6);
	if (frag & 0x3fff)	/* MF set or a non-zero offset */
		return MOS_PARSE_FRAGMENT;
	if (hdr[9] != IPPROTO_TCP_NUM)
		return MOS_PARSE_NOT_TCP;

	memcpy(pkt->saddr, v4mapped_prefix, sizeof(v4mapped_prefix));
	memcpy(pkt->saddr + 12, hdr + 12, 4);
	memcpy(pkt->daddr, v4mapped_prefix, sizeof(v4mapped_prefix));
	memcpy(pkt->daddr + 12, hdr + 16, 4);
	pkt->ip_version = 4;
	return parse_tcp(hdr, hdr_len, ihl, tot_len - ihl, pkt);
}

static enum mos_parse_result parse_ipv6(const u8 *hdr, u32 hdr_len,
					u32 pkt_len, struct mos_pkt *pkt)
{
	u32 off = IPV6_HDR_LEN, end, ext_len;
	unsigned int i;
	u8 nexthdr;

	if (hdr_len < IPV6_HDR_LEN || pkt_len < IPV6_HDR_LEN)
		return MOS_PARSE_BAD_HEADER;
	end = IPV6_HDR_LEN + mos_get_be16(hdr + 4);
	/* Zero payload length: jumbogram or GSO packet, sized by the buffer. */
	if (end == IPV6_HDR_LEN)
		end = pkt_len;
	if (end > pkt_len)
		return MOS_PARSE_BAD_HEADER;

	nexthdr = hdr[6];
	for (i = 0; nexthdr != IPPROTO_TCP_NUM; i++) {
		if (i == IPV6_MAX_EXT_HDRS)
			return MOS_PARSE_BAD_HEADER;
		switch (nexthdr) {
		case IPV6_NH_HOPOPTS:
		case IPV6_NH_ROUTING:
		case IPV6_NH_DSTOPTS:
			if (hdr_len < off + 8)
				return MOS_PARSE_BAD_HEADER;
			ext_len = (hdr[off + 1] + 1u) * 8;
			break;
		case IPV6_NH_AH:
			if (hdr_len < off + 8)
				return MOS_PARSE_BAD_HEADER;
			ext_len = (hdr[off + 1] + 2u) * 4;
			break;
		case IPV6_NH_FRAGMENT:
			if (hdr_len < off + 8)
				return MOS_PARSE_BAD_HEADER;
			/* An atomic fragment (offset 0, no M flag) is whole. */
			if (mos_get_be16(hdr + off + 2) & 0xfff9)
				return MOS_PARSE_FRAGMENT;
			ext_len = 8;
			break;
		default:
			return MOS_PARSE_NOT_TCP;
		}
		nexthdr = hdr[off];
		off += ext_len;
		if (off > end)
			return MOS_PARSE_BAD_HEADER;
	}

	memcpy(pkt->saddr, hdr + 8, 16);
	memcpy(pkt->daddr, hdr + 24, 16);
	pkt->ip_version = 6;
	return parse_tcp(hdr, hdr_len, off, end - off, pkt);
}

/**
 * mos_parse_ip() - parse an IP packet down to its TCP header
 * @hdr: the packet from the first byte of its IP header
 * @hdr_len: how many bytes of the packet @hdr holds (at least the headers
 *	should be there; a capture's snap length or a copy may cut the rest)
 * @pkt_len: length of the whole packet from the IP header on; it sizes
 *	GSO packets, whose IP length field is zero
 * @pkt: filled in when the result is %MOS_PARSE_TCP
 *
 * Never reads outside @hdr[0..@hdr_len). Trailing bytes beyond the IP
 * length (Ethernet padding) are not payload.
 *
 * Return: what the packet is, see &enum mos_parse_result.
 */
enum mos_parse_result mos_parse_ip(const u8 *hdr, u32 hdr_len, u32 pkt_len,
				   struct mos_pkt *pkt)
{
	if (hdr_len > pkt_len)
		hdr_len = pkt_len;
	if (hdr_len < 1)
		return MOS_PARSE_BAD_HEADER;
	switch (hdr[0] >> 4) {
	case 4:
		return parse_ipv4(hdr, hdr_len, pkt_len, pkt);
	case 6:
		return parse_ipv6(hdr, hdr_len, pkt_len, pkt);
	default:
		return MOS_PARSE_BAD_HEADER;
	}
}
