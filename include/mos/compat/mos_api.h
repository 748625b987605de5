/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * mOS compatibility: the monitoring API of mOS's mos_api.h (events,
 * callbacks, monitoring sockets, peeking, socket options) on libmos-user.
 * Build with `pkg-config --cflags --libs libmos-compat`; the differences
 * from mOS are listed in Documentation/porting-from-mos.md, and the
 * comments below say where a call behaves otherwise than in mOS.
 *
 * Every function returns what mOS's does, failing with -1 (or NULL, 0 for
 * an event) and errno set; none prints, aborts or exits.
 */
#ifndef MOS_COMPAT_MOS_API_H
#define MOS_COMPAT_MOS_API_H

#include <linux/tcp.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "mtcp_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Hook points. Events mos raises at one hook only (CONN_START at SND;
 * CONN_END, NEW_DATA, REXMIT, ORPHAN, ERROR, TIMEOUT at RCV) are delivered
 * whatever hook they were registered for; PKT_IN and TCP_STATE_CHANGE
 * have both (MOS_NULL counts as RCV).
 */
enum mtcp_hook_point {
	MOS_NULL	= (1 << 29),
	MOS_HK_RCV	= (1 << 30),
	MOS_HK_SND	= (-0x7fffffff - 1),	/* 1 << 31 */
};
#define MOS_HK_NONE	MOS_NULL

/* Built-in events: one bit each, mOS's values. */
enum mos_event_type {
	MOS_NULL_EVENT		= 0,
	MOS_ON_PKT_IN		= (0x1 << 0),
	MOS_ON_PKT_OUT		= (0x1 << 1),	/* deprecated in mOS: ENOTSUP */
	MOS_ON_CONN_START	= (0x1 << 2),
	MOS_ON_CONN_SETUP	= (0x1 << 3),	/* deprecated in mOS: ENOTSUP */
	MOS_ON_CONN_NEW_DATA	= (0x1 << 4),
	MOS_ON_ERROR		= (0x1 << 5),
	MOS_ON_TIMEOUT		= (0x1 << 6),
	MOS_ON_TCP_STATE_CHANGE	= (0x1 << 7),
	MOS_ON_ORPHAN		= (0x1 << 8),
	MOS_ON_REXMIT		= (0x1 << 9),
	MOS_ON_CONN_END		= (0x1 << 10),
	MOS_ON_DEBUG_MESSAGE	= (0x1 << 11),	/* never raised: ENOTSUP */
};

/* Flags of mtcp_setlastpkt() (packet modification: ENOTSUP on mos). */
#define MOS_ETH_HDR		(1 << 0)
#define MOS_IP_HDR		(1 << 1)
#define MOS_TCP_HDR		(1 << 2)
#define MOS_TCP_PAYLOAD		(1 << 3)
#define MOS_UPDATE_IP_CHKSUM	(1 << 4)
#define MOS_UPDATE_TCP_CHKSUM	(1 << 5)
#define MOS_DROP		(1 << 6)
#define MOS_OVERWRITE		(1 << 7)
#define MOS_CHOMP		(1 << 8)
#define MOS_INSERT		(1 << 9)

/**
 * struct pkt_info - a packet, as mtcp_getlastpkt() copies it
 * @cur_ts: capture time offline, CLOCK_MONOTONIC live, in milliseconds
 *	(truncated to 32 bits)
 * @in_ifidx: -1 (mos does not say which interface)
 * @eth_len: bytes at @ethh: a made-up 14-byte Ethernet header (zero
 *	addresses, the IP version's EtherType) plus @ip_len
 * @ip_len: bytes of the packet from its IP header on, as captured offline,
 *	the IP and TCP headers live
 * @offset: stream offset of the payload's first byte
 * @payloadlen: TCP payload length on the wire
 * @seq: sequence number, host order
 * @ack_seq: acknowledgment number, host order
 * @window: window field as sent, host order
 * @ethh: the made-up Ethernet header
 * @iph: the IP header (an IPv6 header for IPv6: check iph->version)
 * @tcph: the TCP header
 * @payload: the payload, NULL live (only headers come from the kernel)
 *
 * The pointers stay valid until the next mtcp_getlastpkt() on the context.
 */
struct pkt_info {
	uint32_t cur_ts;
	int8_t in_ifidx;
	uint16_t eth_len;
	uint16_t ip_len;
	uint64_t offset;
	uint16_t payloadlen;
	uint32_t seq;
	uint32_t ack_seq;
	uint16_t window;
	struct ethhdr *ethh;
	struct iphdr *iph;
	struct tcphdr *tcph;
	uint8_t *payload;
};

struct pkt_ctx {
	struct pkt_info p;
	int8_t direction;
	uint8_t forward;
	int8_t out_ifidx;
	int8_t batch_index;
};
#define PKT_INFO_LEN	offsetof(struct pkt_info, ethh)

typedef struct {
	int64_t seq_off;
	int side;
	uint32_t base_seq;
} seq_remap_info;

typedef struct filter_arg {
	void *arg;
	size_t len;
} filter_arg_t;

#ifndef SOL_SOCKET
#define SOL_SOCKET	0xffff
#endif
#define SOL_MONSOCKET	0xfffe	/* level of the options below */

/*
 * Monitoring socket options (level SOL_MONSOCKET). Get: MOS_FRAGINFO_*
 * (struct tcp_ring_fragment[]), MOS_INFO_* (struct tcp_buf_info),
 * MOS_TCP_STATE_* (int, enum tcpstate). Set (int): MOS_CLIBUF/MOS_SVRBUF
 * (reassembly buffer of the bytes that side receives, 0 = none),
 * MOS_CLIOVERLAP/MOS_SVROVERLAP (MOS_OVERLAP_POLICY_*; takes effect at
 * once, so setting it in CONN_START covers the whole connection),
 * MOS_STOP_MON (the side whose monitoring stops; MOS_SIDE_BOTH: no more
 * events for the connection). Set on the listener (the MOS_SOCK_MONITOR_
 * STREAM socket), MOS_CLIBUF, MOS_SVRBUF, MOS_CLIOVERLAP and MOS_SVROVERLAP
 * apply to every connection from its CONN_START on.
 */
enum mos_socket_opts {
	MOS_FRAGINFO_CLIBUF	= 0x01,
	MOS_FRAGINFO_SVRBUF	= 0x02,
	MOS_INFO_CLIBUF		= 0x03,
	MOS_INFO_SVRBUF		= 0x04,
	MOS_TCP_STATE_CLI	= 0x05,
	MOS_TCP_STATE_SVR	= 0x06,
	MOS_CLIBUF		= 0x09,
	MOS_SVRBUF		= 0x0a,
	MOS_STOP_MON		= 0x0c,
	MOS_CLIOVERLAP		= 0x0f,
	MOS_SVROVERLAP		= 0x10,

	MOS_TIMESTAMP		= 0x07,	/* unused in mOS: ENOPROTOOPT */
	MOS_SEQ_REMAP		= 0x0b,	/* unused in mOS: ENOPROTOOPT */
	MOS_FRAG_CLIBUF		= 0x0d,	/* unused in mOS: ENOPROTOOPT */
	MOS_FRAG_SVRBUF		= 0x0e,	/* unused in mOS: ENOPROTOOPT */
};

/**
 * struct tcp_buf_info - the stream a side receives (MOS_INFO_*)
 * @tcpbi_init_seq: sequence number of the stream's first byte (ISN + 1)
 * @tcpbi_last_byte_read: = @tcpbi_next_byte_expected (a standalone monitor)
 * @tcpbi_next_byte_expected: sequence number after the bytes delivered
 * @tcpbi_last_byte_received: sequence number after the highest byte
 *	stored (held out of order), else @tcpbi_next_byte_expected
 */
struct tcp_buf_info {
	uint32_t tcpbi_init_seq;
	uint32_t tcpbi_last_byte_read;
	uint32_t tcpbi_next_byte_expected;
	uint32_t tcpbi_last_byte_received;
};

/**
 * struct tcp_ring_fragment - bytes held out of order (MOS_FRAGINFO_*)
 * @offset: stream offset
 * @len: length
 */
struct tcp_ring_fragment {
	uint64_t offset;
	uint32_t len;
};

/* Endpoint states (MOS_TCP_STATE_*), mOS's values. */
enum tcpstate {
	TCP_CLOSED	= 0,
	TCP_LISTEN	= 1,
	TCP_SYN_SENT	= 2,
	TCP_SYN_RCVD	= 3,
	TCP_ESTABLISHED	= 4,
	TCP_FIN_WAIT_1	= 5,
	TCP_FIN_WAIT_2	= 6,
	TCP_CLOSE_WAIT	= 7,
	TCP_CLOSING	= 8,
	TCP_LAST_ACK	= 9,
	TCP_TIME_WAIT	= 10
};

enum {
	MOS_OVERLAP_POLICY_FIRST = 0,
	MOS_OVERLAP_POLICY_LAST,
	MOS_OVERLAP_CNT
};

/*
 * An event: a built-in event's bit, or what mtcp_define_event() /
 * mtcp_alloc_event() returned (bits 12 to 28 and 32 to 63).
 */
typedef uint64_t event_t;

enum { MOS_SIDE_CLI = 0, MOS_SIDE_SVR, MOS_SIDE_BOTH };

/*
 * A callback gets the event that fired, and for a user-defined event the
 * filter_arg given to mtcp_define_event() (NULL for built-in events and
 * timers).
 */
typedef void (*callback_t)(mctx_t mctx, int sock, int side, event_t event,
			   filter_arg_t *arg);
typedef bool (*filter_t)(mctx_t mctx, int sock, int side, event_t event,
			 filter_arg_t *arg);

/*
 * Filters in pcap syntax: raw_pkt_filter for a MOS_SOCK_MONITOR_RAW socket,
 * stream_syn_filter / stream_orphan_filter for a MOS_SOCK_MONITOR_STREAM
 * socket (NULL: leave as it is). mos takes any pcap expression, not only
 * mOS's flow keywords.
 */
union monitor_filter {
	char *raw_pkt_filter;
	struct {
		char *stream_syn_filter;
		char *stream_orphan_filter;
	};
};
typedef union monitor_filter *monitor_filter_t;

int mtcp_bind_monitor_filter(mctx_t mctx, int sock, monitor_filter_t ft);
int mtcp_register_callback(mctx_t mctx, int sock, event_t event,
			   int hook_point, callback_t cb);
int mtcp_unregister_callback(mctx_t mctx, int sock, event_t event,
			     int hook_point);
event_t mtcp_alloc_event(event_t event);
event_t mtcp_define_event(event_t event, filter_t filter,
			  struct filter_arg *arg);
int mtcp_raise_event(mctx_t mctx, event_t event);
void mtcp_set_uctx(mctx_t mctx, int sock, void *uctx);
void *mtcp_get_uctx(mctx_t mctx, int sock);

/*
 * mtcp_peek(): the bytes of @side's stream (the bytes @side receives) not
 * peeked yet. Bytes that left the peek window first: returns minus their
 * number, errno ENODATA, once (as mOS). Nothing new: -1, errno EAGAIN
 * (mOS exits here). A bad side: -1, errno EINVAL (mOS exits).
 */
ssize_t mtcp_peek(mctx_t mctx, int sock, int side, char *buf, size_t len);
/*
 * mtcp_ppeek(): bytes at stream offset @off (0 = the first byte after the
 * SYN); -1 with errno ENODATA when @off is no longer (or not yet) kept.
 */
ssize_t mtcp_ppeek(mctx_t mctx, int sock, int side, char *buf, size_t count,
		   uint64_t off);

#define MTCP_CB_GETCURPKT_CREATE_COPY

/* The packet behind the event being dispatched (@side is not checked). */
int mtcp_getlastpkt(mctx_t mctx, int sock, int side, struct pkt_info *p);
/*
 * mtcp_settimer(): call @cb once after @timeout, with (mctx, @id,
 * MOS_SIDE_BOTH, MOS_NULL_EVENT, NULL). @id is a connection's socket (the
 * timer goes with it after CONN_END) or any other number.
 */
int mtcp_settimer(mctx_t mctx, int id, struct timeval *timeout,
		  callback_t cb);
uint32_t mtcp_cb_get_ts(mctx_t mctx);
void mtcp_app_join(mctx_t mctx);
/*
 * mtcp_getpeername(): MOS_SIDE_CLI or MOS_SIDE_SVR: one struct sockaddr_in
 * (*addrlen >= sizeof(struct sockaddr)); MOS_SIDE_BOTH: two, client first
 * (*addrlen >= 2 * sizeof(struct sockaddr)). IPv6 connections fill struct
 * sockaddr_in6 (room for one or two of them needed, else EAFNOSUPPORT).
 */
int mtcp_getpeername(mctx_t mctx, int sock, struct sockaddr *saddr,
		     socklen_t *addrlen, int side);
int mtcp_setlastpkt(mctx_t mctx, int sock, int side, off_t offset,
		    byte *data, uint16_t datalen, int option);
int mtcp_sendpkt(mctx_t mctx, int sock, const struct pkt_info *pkt);
/* Reset both endpoints (mos_flow_reset()). */
int mtcp_reset_conn(mctx_t mctx, int sock);

#ifdef __cplusplus
}
#endif

#endif /* MOS_COMPAT_MOS_API_H */
