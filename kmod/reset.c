// SPDX-License-Identifier: GPL-2.0
/*
 * Resetting a connection from the middle (MOS_FLOW_ACTION_RESET): for a
 * packet of a connection marked MOS_FLOW_RESET, which the datapath then
 * drops, two RSTs are built from the packet's headers:
 *
 *  - to its sender, from its receiver, as nf_send_reset() answers: with
 *    the packet's ACK number as sequence number, which is exactly what the
 *    sender expects next (RFC 5961 makes Linux accept only that);
 *  - to its receiver, forged as coming from the sender, with the packet's
 *    own sequence number: the next byte the receiver expects when
 *    everything before it arrived. When the receiver expected something
 *    else, it answers with a challenge ACK, and the RST answering that
 *    ACK carries its exact ACK number: the exchange converges.
 *
 * Both work at PRE_ROUTING (forwarded or received packets) and at
 * LOCAL_OUT (sent packets): each RST is routed as a locally generated
 * packet (the forged source allowed by FLOWI_FLAG_ANYSRC) and leaves
 * through ip_local_out()/ip6_local_out(), so it takes the same path as a
 * packet from a local socket would, through loopback when the endpoint is
 * local. Those RSTs pass the LOCAL_OUT hooks again, mos's among them:
 * mos_reset_sending() tells the hook to let them through instead of
 * dropping them with the rest of the connection's packets. The flag is
 * per CPU and the transmit path up to the LOCAL_OUT hooks is synchronous
 * with bottom halves off, as nf_dup_ipv4's duplicate guard relies on too.
 *
 * No nf_reject_ipv4/ipv6 module is needed: the packets are built here.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/percpu.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ip6_route.h>
#include <net/ipv6.h>
#include <net/route.h>
#include <net/tcp.h>
#include "reset.h"

static DEFINE_PER_CPU(bool, mos_reset_active);

/**
 * struct mos_rst - one RST to build
 * @saddr: source address (IPv4-mapped for IPv4)
 * @daddr: destination address
 * @sport: source port, host order
 * @dport: destination port, host order
 * @seq: sequence number
 * @ack: acknowledgment number, with @with_ack
 * @with_ack: set the ACK flag
 * @mark: skb->mark for routing and for later hooks
 */
struct mos_rst {
	const u8 *saddr;
	const u8 *daddr;
	u16 sport;
	u16 dport;
	u32 seq;
	u32 ack;
	bool with_ack;
	u32 mark;
};

static struct tcphdr *rst_put_tcp(struct sk_buff *skb,
				  const struct mos_rst *r)
{
	struct tcphdr *th;

	skb_reset_transport_header(skb);
	th = skb_put_zero(skb, sizeof(*th));
	th->source = htons(r->sport);
	th->dest = htons(r->dport);
	th->seq = htonl(r->seq);
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	if (r->with_ack) {
		th->ack = 1;
		th->ack_seq = htonl(r->ack);
	}
	return th;
}

static struct sk_buff *rst_alloc(unsigned int l3_len, u32 mark)
{
	struct sk_buff *skb;

	skb = alloc_skb(LL_MAX_HEADER + l3_len + sizeof(struct tcphdr),
			GFP_ATOMIC);
	if (!skb)
		return NULL;
	skb_reserve(skb, LL_MAX_HEADER);
	skb->mark = mark;
	return skb;
}

static void rst_send4(struct net *net, const struct mos_rst *r)
{
	struct flowi4 fl4 = {};
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct rtable *rt;

	memcpy(&fl4.saddr, r->saddr + 12, 4);
	memcpy(&fl4.daddr, r->daddr + 12, 4);
	fl4.flowi4_proto = IPPROTO_TCP;
	fl4.flowi4_mark = r->mark;
	/* The source is the other endpoint's address, not necessarily ours. */
	fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
	fl4.fl4_sport = htons(r->sport);
	fl4.fl4_dport = htons(r->dport);
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;
	skb = rst_alloc(sizeof(*iph), r->mark);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_dst_set(skb, &rt->dst);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->frag_off = htons(IP_DF);
	iph->ttl = ip4_dst_hoplimit(&rt->dst);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = fl4.saddr;
	iph->daddr = fl4.daddr;
	th = rst_put_tcp(skb, r);
	th->check = tcp_v4_check(sizeof(*th), iph->saddr, iph->daddr,
				 csum_partial(th, sizeof(*th), 0));
	skb->protocol = htons(ETH_P_IP);
	/* Fills in the total length and the header checksum. */
	ip_local_out(net, NULL, skb);
}

#if IS_ENABLED(CONFIG_IPV6)
static void rst_send6(struct net *net, const struct mos_rst *r)
{
	struct flowi6 fl6 = {};
	struct dst_entry *dst;
	struct ipv6hdr *ip6h;
	struct sk_buff *skb;
	struct tcphdr *th;

	memcpy(&fl6.saddr, r->saddr, sizeof(fl6.saddr));
	memcpy(&fl6.daddr, r->daddr, sizeof(fl6.daddr));
	fl6.flowi6_proto = IPPROTO_TCP;
	fl6.flowi6_mark = r->mark;
	fl6.fl6_sport = htons(r->sport);
	fl6.fl6_dport = htons(r->dport);
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		return;
	}
	skb = rst_alloc(sizeof(*ip6h), r->mark);
	if (!skb) {
		dst_release(dst);
		return;
	}
	skb_dst_set(skb, dst);
	skb_reset_network_header(skb);
	ip6h = skb_put_zero(skb, sizeof(*ip6h));
	ip6_flow_hdr(ip6h, 0, 0);
	ip6h->nexthdr = IPPROTO_TCP;
	ip6h->hop_limit = ip6_dst_hoplimit(dst);
	ip6h->saddr = fl6.saddr;
	ip6h->daddr = fl6.daddr;
	th = rst_put_tcp(skb, r);
	th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, sizeof(*th),
				    IPPROTO_TCP,
				    csum_partial(th, sizeof(*th), 0));
	skb->protocol = htons(ETH_P_IPV6);
	/* Fills in the payload length. */
	ip6_local_out(net, NULL, skb);
}
#else
static void rst_send6(struct net *net, const struct mos_rst *r)
{
}
#endif

/* The mark of a reply, as the stack's own RSTs get it (fwmark_reflect). */
static u32 reply_mark(struct net *net, u8 ip_version, u32 mark)
{
	if (ip_version == 4)
		return IP4_REPLY_MARK(net, mark);
#if IS_ENABLED(CONFIG_IPV6)
	return IP6_REPLY_MARK(net, mark);
#else
	return 0;
#endif
}

static void rst_send(struct net *net, u8 ip_version, const struct mos_rst *r)
{
	if (ip_version == 4)
		rst_send4(net, r);
	else
		rst_send6(net, r);
}

/**
 * mos_reset_send() - reset both endpoints of a packet's connection
 * @net: the namespace the packet is in
 * @skb: the packet (only read; the caller drops it afterwards)
 * @state: the hook it is at: PRE_ROUTING or LOCAL_OUT
 * @pkt: its parsed headers
 *
 * Sends a RST to the packet's sender and one, forged as the sender's, to
 * its receiver (see the top of this file). A RST is not answered, and a
 * packet without ACK gets no forged RST: its receiver has no connection
 * that a RST could end (a SYN) or would not accept one without a valid
 * acknowledgment. Callable from the hooks with no mos lock held (the RSTs
 * re-enter the hooks); sleeps never.
 */
void mos_reset_send(struct net *net, struct sk_buff *skb,
		    const struct nf_hook_state *state,
		    const struct mos_pkt *pkt)
{
	u32 seg_len = pkt->payload_len + !!(pkt->tcp_flags & MOS_TCP_SYN) +
		      !!(pkt->tcp_flags & MOS_TCP_FIN);
	bool acked = pkt->tcp_flags & MOS_TCP_ACK;
	struct mos_rst to_sender = {
		.saddr = pkt->daddr, .daddr = pkt->saddr,
		.sport = pkt->dport, .dport = pkt->sport,
		/* As nf_send_reset(): the sender's own view of the window. */
		.seq = acked ? pkt->ack : 0,
		.ack = pkt->seq + seg_len, .with_ack = !acked,
		.mark = reply_mark(net, pkt->ip_version, skb->mark),
	};
	struct mos_rst to_receiver = {
		.saddr = pkt->saddr, .daddr = pkt->daddr,
		.sport = pkt->sport, .dport = pkt->dport,
		.seq = pkt->seq, .ack = pkt->ack, .with_ack = acked,
		.mark = skb->mark,
	};

	if (pkt->tcp_flags & MOS_TCP_RST)
		return;
	/* Pinned to this CPU until both RSTs passed the LOCAL_OUT hooks. */
	local_bh_disable();
	this_cpu_write(mos_reset_active, true);
	rst_send(net, pkt->ip_version, &to_sender);
	if (acked)
		rst_send(net, pkt->ip_version, &to_receiver);
	this_cpu_write(mos_reset_active, false);
	local_bh_enable();
}

/**
 * mos_reset_sending() - whether this CPU is sending mos's own RSTs
 *
 * The hooks call this first and accept the packet when it returns true:
 * it is one of the RSTs mos_reset_send() is transmitting, of a connection
 * whose other packets are dropped.
 *
 * Return: true while mos_reset_send() transmits on this CPU.
 */
bool mos_reset_sending(void)
{
	return this_cpu_read(mos_reset_active);
}
