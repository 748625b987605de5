// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Offline backend: capture files through libpcap (pcap and pcapng), with
 * the capture's timestamps as the engine's clock.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <string.h>
#include "mos_int.h"

#define ETH_HLEN		14
#define ETHERTYPE_IPV4		0x0800
#define ETHERTYPE_IPV6		0x86dd
#define ETHERTYPE_VLAN		0x8100
#define ETHERTYPE_QINQ		0x88a8
#define SLL_HLEN		16
#define SLL2_HLEN		20
#define MAX_VLAN_TAGS		2

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)p[0] << 8 | p[1];
}

static int ethertype_ok(uint16_t type)
{
	return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6;
}

/**
 * mos_linktype_ip_offset() - where the IP header starts in a frame
 * @linktype: the capture's DLT_* link type
 * @pkt: the frame
 * @caplen: its captured length
 *
 * Ethernet frames may carry up to two VLAN tags (802.1Q, 802.1ad).
 *
 * Return: the offset; -ENOENT when the frame carries no IP packet;
 * -EPROTONOSUPPORT for a link type mos does not know.
 */
int mos_linktype_ip_offset(int linktype, const uint8_t *pkt, uint32_t caplen)
{
	uint32_t off;
	uint16_t type;
	int tags;

	switch (linktype) {
	case DLT_EN10MB:
		off = ETH_HLEN;
		if (caplen < off)
			return -ENOENT;
		type = get16(pkt + 12);
		for (tags = 0; (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) &&
		     tags < MAX_VLAN_TAGS; tags++) {
			if (caplen < off + 4)
				return -ENOENT;
			type = get16(pkt + off + 2);
			off += 4;
		}
		return ethertype_ok(type) ? (int)off : -ENOENT;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		return 0;
	case DLT_LINUX_SLL:
		if (caplen < SLL_HLEN)
			return -ENOENT;
		return ethertype_ok(get16(pkt + 14)) ? SLL_HLEN : -ENOENT;
	case DLT_LINUX_SLL2:
		if (caplen < SLL2_HLEN)
			return -ENOENT;
		return ethertype_ok(get16(pkt)) ? SLL2_HLEN : -ENOENT;
	case DLT_NULL:
	case DLT_LOOP:
		/* A 4-byte address family; the IP version tells the rest. */
		return caplen >= 4 ? 4 : -ENOENT;
	default:
		return -EPROTONOSUPPORT;
	}
}

/**
 * mos_capture_run() - run a context over a capture file to its end
 * @mctx: the context
 * @path: the file
 *
 * At the end of the file every open connection ends with reason eof.
 *
 * Return: 0, -ENOENT/-EINVAL when the file cannot be read as a capture,
 * -EPROTONOSUPPORT for an unknown link type, -EINTR after mos_stop().
 */
int mos_capture_run(struct mos_ctx *mctx, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	int linktype, ret = 0, rc = 0;
	pcap_t *pc;

	pc = pcap_open_offline_with_tstamp_precision(path,
						     PCAP_TSTAMP_PRECISION_NANO,
						     errbuf);
	if (!pc)
		return errno == ENOENT ? -ENOENT : -EINVAL;
	linktype = pcap_datalink(pc);
	if (mos_linktype_ip_offset(linktype, NULL, 0) == -EPROTONOSUPPORT) {
		pcap_close(pc);
		return -EPROTONOSUPPORT;
	}
	while (!mctx->stop && (rc = pcap_next_ex(pc, &hdr, &data)) >= 0) {
		uint64_t ts = (uint64_t)hdr->ts.tv_sec * 1000000000ULL +
			      hdr->ts.tv_usec;

		mos_input_packet(mctx, linktype, ts, data, hdr->caplen,
				 hdr->len);
	}
	if (mctx->stop)
		ret = -EINTR;
	else if (rc == PCAP_ERROR)
		ret = -EIO;	/* a damaged file: what was read still counts */
	pcap_close(pc);
	mos_end_input(mctx);
	return ret;
}
