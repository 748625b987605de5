/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Dual TCP stack tracking: the state of each endpoint as a monitor in the
 * middle infers it, and nf_conntrack-style window validation.
 */
#ifndef MOS_ENGINE_TCP_H
#define MOS_ENGINE_TCP_H

#include "parse.h"

/**
 * enum mos_tcp_state - an endpoint's TCP state (RFC 793 names)
 * @MOS_TCP_CLOSED: no connection, or closed by RST / final ACK
 * @MOS_TCP_LISTEN: a server endpoint before it saw a SYN
 * @MOS_TCP_SYN_SENT: sent a SYN
 * @MOS_TCP_SYN_RCVD: received a SYN (server, or simultaneous open)
 * @MOS_TCP_ESTABLISHED: handshake complete
 * @MOS_TCP_FIN_WAIT_1: sent FIN, not acknowledged yet
 * @MOS_TCP_FIN_WAIT_2: its FIN was acknowledged
 * @MOS_TCP_CLOSING: both FINs crossed, its own not acknowledged
 * @MOS_TCP_TIME_WAIT: both FINs done, waiting out old segments
 * @MOS_TCP_CLOSE_WAIT: received the peer's FIN, may still send
 * @MOS_TCP_LAST_ACK: sent FIN after CLOSE_WAIT, waiting for its ACK
 * @MOS_TCP_NSTATES: number of states
 */
enum mos_tcp_state {
	MOS_TCP_CLOSED,
	MOS_TCP_LISTEN,
	MOS_TCP_SYN_SENT,
	MOS_TCP_SYN_RCVD,
	MOS_TCP_ESTABLISHED,
	MOS_TCP_FIN_WAIT_1,
	MOS_TCP_FIN_WAIT_2,
	MOS_TCP_CLOSING,
	MOS_TCP_TIME_WAIT,
	MOS_TCP_CLOSE_WAIT,
	MOS_TCP_LAST_ACK,
	MOS_TCP_NSTATES,
};

/**
 * struct mos_tcp_opts - TCP options of one segment
 * @mss: maximum segment size (0: absent)
 * @wscale: window scale shift (valid with @has_wscale)
 * @has_wscale: the window scale option was present
 * @sack_perm: SACK permitted was present
 * @has_ts: timestamps were present
 * @has_md5: a TCP-MD5 signature (RFC 2385) was present
 * @n_sack: number of SACK blocks in @sack
 * @tsval: timestamp value
 * @tsecr: timestamp echo reply
 * @sack: SACK blocks, [i][0] = left edge, [i][1] = right edge
 */
struct mos_tcp_opts {
	u16 mss;
	u8 wscale;
	bool has_wscale;
	bool sack_perm;
	bool has_ts;
	bool has_md5;
	u8 n_sack;
	u32 tsval;
	u32 tsecr;
	u32 sack[4][2];
};

/* Flags of struct mos_tcp_end. */
#define MOS_TCPE_SEEN		0x01	/* sent at least one segment */
#define MOS_TCPE_SYN		0x02	/* sent a SYN (its ISN is known) */
#define MOS_TCPE_WSCALE		0x04	/* its SYN carried window scale */
#define MOS_TCPE_TS		0x08	/* its SYN carried timestamps */
#define MOS_TCPE_FIN		0x10	/* sent a FIN (fin_seq valid) */
#define MOS_TCPE_FIN_ACKED	0x20	/* its FIN was acknowledged */
#define MOS_TCPE_SACK_PERM	0x40	/* its SYN carried SACK permitted */
#define MOS_TCPE_MD5		0x80	/* its SYN carried a TCP-MD5 signature */

/**
 * struct mos_tcp_end - one endpoint, as inferred from what it sent and
 *	what was sent to it
 * @td_end: highest sequence number it sent, plus one (seq + len)
 * @td_maxend: highest sequence number its peer allows it (ack + window)
 * @td_maxwin: largest window it advertised (scaled)
 * @isn: its initial sequence number (with %MOS_TCPE_SYN)
 * @fin_seq: sequence number of its FIN (with %MOS_TCPE_FIN)
 * @last_tsval: TS.Recent of its peer (RFC 7323): its newest timestamp on an
 *	in-sequence segment
 * @ack_sent: highest ACK it sent (with %MOS_TCPE2_ACKED)
 * @state: &enum mos_tcp_state
 * @wscale: its window scale shift, 0 unless both SYNs carried the option
 * @flags: MOS_TCPE_*
 * @flags2: MOS_TCPE2_*
 */
struct mos_tcp_end {
	u32 td_end;
	u32 td_maxend;
	u32 td_maxwin;
	u32 isn;
	u32 fin_seq;
	u32 last_tsval;
	u32 ack_sent;
	u8 state;
	u8 wscale;
	u8 flags;
	u8 flags2;
};

/* Flags2 of struct mos_tcp_end. */
#define MOS_TCPE2_ACKED		0x01	/* ack_sent is valid */

/* Flags of struct mos_tcp_conn. */
#define MOS_TCPC_LIBERAL	0x01	/* picked up midstream: trust windows */
#define MOS_TCPC_TS_OK		0x02	/* both SYNs carried timestamps */

/**
 * struct mos_tcp_conn - both endpoints of a connection
 * @end: [MOS_SIDE_CLI] is the client, [MOS_SIDE_SVR] the server
 * @flags: MOS_TCPC_*
 */
struct mos_tcp_conn {
	struct mos_tcp_end end[2];
	u8 flags;
};

/* Verdict bits of mos_tcp_track(). */
#define MOS_TCPV_DATA_OK	0x001	/* payload (if any) is stream data */
#define MOS_TCPV_ACK_OK		0x002	/* the ACK may release the peer's bytes */
#define MOS_TCPV_OUT_OF_WINDOW	0x004	/* seq or ack outside the window */
#define MOS_TCPV_RST		0x008	/* an accepted RST: connection over */
#define MOS_TCPV_RST_IGNORED	0x010	/* an RST outside the window, ignored */
#define MOS_TCPV_BAD_TS		0x020	/* failed PAWS: the segment is ignored */
#define MOS_TCPV_BAD_FLAGS	0x040	/* an invalid flag combination */
#define MOS_TCPV_SYN_RETRANS	0x080	/* a repeated SYN or SYN/ACK */
#define MOS_TCPV_ACK_GAP	0x100	/* ACK beyond what its peer was seen to send */
#define MOS_TCPV_CLOSED		0x200	/* both FINs acknowledged */
#define MOS_TCPV_STALE_ACK	0x400	/* data fine, ACK older than a window */

int mos_tcp_parse_opts(const u8 *opt, u32 len, struct mos_tcp_opts *o);
void mos_tcp_init(struct mos_tcp_conn *c, bool liberal);
u32 mos_tcp_track(struct mos_tcp_conn *c, int dir, const struct mos_pkt *p,
		  const struct mos_tcp_opts *o);
const char *mos_tcp_state_name(u8 state);

#endif /* MOS_ENGINE_TCP_H */
