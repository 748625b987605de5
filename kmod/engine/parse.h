/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Header parsing shared by the kernel hooks and the offline reader: from the
 * first byte of an IPv4 or IPv6 header to the TCP header and payload.
 */
#ifndef MOS_ENGINE_PARSE_H
#define MOS_ENGINE_PARSE_H

#include "platform.h"

/* Longest header chain parsed: IPv6 with a few extension headers + TCP. */
#define MOS_MAX_HDR_LEN		256

#define MOS_TCP_FIN		0x01
#define MOS_TCP_SYN		0x02
#define MOS_TCP_RST		0x04
#define MOS_TCP_PSH		0x08
#define MOS_TCP_ACK		0x10
#define MOS_TCP_URG		0x20

/**
 * enum mos_parse_result - what mos_parse_ip() found
 * @MOS_PARSE_TCP: a TCP segment; every field of &struct mos_pkt is valid
 * @MOS_PARSE_NOT_TCP: a well-formed packet of another protocol
 * @MOS_PARSE_FRAGMENT: an IP fragment, which carries no whole segment
 * @MOS_PARSE_BAD_HEADER: a truncated or malformed IP or TCP header
 */
enum mos_parse_result {
	MOS_PARSE_TCP,
	MOS_PARSE_NOT_TCP,
	MOS_PARSE_FRAGMENT,
	MOS_PARSE_BAD_HEADER,
};

/**
 * struct mos_pkt - the parsed headers of one TCP segment
 * @saddr: source address; IPv4 as the IPv4-mapped IPv6 form ::ffff:a.b.c.d
 * @daddr: destination address, same form
 * @ip_version: 4 or 6
 * @tcp_flags: the low 8 TCP flag bits (MOS_TCP_*)
 * @sport: source port, host order
 * @dport: destination port, host order
 * @l4_off: offset of the TCP header from the start of the IP header
 * @tcp_hdr_len: TCP header length including options
 * @payload_len: TCP payload length in bytes
 * @seq: sequence number
 * @ack: acknowledgment number
 * @window: raw (unscaled) window
 */
struct mos_pkt {
	u8 saddr[16];
	u8 daddr[16];
	u8 ip_version;
	u8 tcp_flags;
	u16 sport;
	u16 dport;
	u16 l4_off;
	u16 tcp_hdr_len;
	u32 payload_len;
	u32 seq;
	u32 ack;
	u16 window;
};

enum mos_parse_result mos_parse_ip(const u8 *hdr, u32 hdr_len, u32 pkt_len,
				   struct mos_pkt *pkt);

#endif /* MOS_ENGINE_PARSE_H */
