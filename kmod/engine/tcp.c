// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Dual TCP stack tracking. For every segment the sender's stack is updated
 * first (what sending it implies), then the receiver's (what receiving it
 * implies), as mOS does. Window validation follows nf_conntrack's
 * tcp_in_window(): a segment is accepted when its data starts inside the
 * window the receiver advertised, is not entirely older than one window, and
 * its ACK acknowledges only what the receiver was seen to send.
 */
#include "tcp.h"

#define SEQ_BEFORE(a, b)	((s32)((a) - (b)) < 0)
#define SEQ_AFTER(a, b)		SEQ_BEFORE(b, a)

#define TCPOPT_EOL		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOPT_WINDOW		3
#define TCPOPT_SACK_PERM	4
#define TCPOPT_SACK		5
#define TCPOPT_TIMESTAMP	8
#define TCPOPT_MD5SIG		19
#define TCP_MAX_WSCALE		14
/*
 * Timestamp ticks a segment may lag behind TS.Recent. Linux allows 1, but
 * the monitor's TS.Recent is only an estimate of the receiver's (which
 * follows rcv_wup): under reordering, 1 would drop segments the receiver
 * took. Forged or stale copies (PAWS evasion) are far older than this.
 */
#define TCP_PAWS_WINDOW		4096
/* How much older than the last SYN's an echoed timestamp may be (ticks). */
#define TCP_SYN_TS_SPAN		0x1000000u	/* 2^24 ticks: hours */
/* How far an ACK may lag behind, when the window is not known yet. */
#define TCP_DEFAULT_ACKWIN	66000

static const char *const state_names[MOS_TCP_NSTATES] = {
	[MOS_TCP_CLOSED] = "closed",
	[MOS_TCP_LISTEN] = "listen",
	[MOS_TCP_SYN_SENT] = "syn_sent",
	[MOS_TCP_SYN_RCVD] = "syn_rcvd",
	[MOS_TCP_ESTABLISHED] = "established",
	[MOS_TCP_FIN_WAIT_1] = "fin_wait_1",
	[MOS_TCP_FIN_WAIT_2] = "fin_wait_2",
	[MOS_TCP_CLOSING] = "closing",
	[MOS_TCP_TIME_WAIT] = "time_wait",
	[MOS_TCP_CLOSE_WAIT] = "close_wait",
	[MOS_TCP_LAST_ACK] = "last_ack",
};

/**
 * mos_tcp_state_name() - lower-case name of a TCP state
 * @state: an &enum mos_tcp_state
 *
 * Return: the name, or "invalid".
 */
const char *mos_tcp_state_name(u8 state)
{
	return state < MOS_TCP_NSTATES ? state_names[state] : "invalid";
}

/**
 * mos_tcp_parse_opts() - parse the options of a TCP header
 * @opt: the option bytes (after the 20-byte fixed header)
 * @len: their length
 * @o: filled in; absent options are zero
 *
 * Return: 0, or -1 when an option's length runs past the header (the
 * options parsed before it are kept).
 */
int mos_tcp_parse_opts(const u8 *opt, u32 len, struct mos_tcp_opts *o)
{
	u32 i = 0, olen, n;

	memset(o, 0, sizeof(*o));
	while (i < len) {
		u8 kind = opt[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = opt[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen == 4)
				o->mss = mos_get_be16(opt + i + 2);
			break;
		case TCPOPT_WINDOW:
			if (olen == 3) {
				o->has_wscale = true;
				o->wscale = opt[i + 2] > TCP_MAX_WSCALE ?
					    TCP_MAX_WSCALE : opt[i + 2];
			}
			break;
		case TCPOPT_SACK_PERM:
			o->sack_perm = olen == 2;
			break;
		case TCPOPT_SACK:
			/* An empty SACK option (olen 2) is legal and harmless. */
			for (n = 0; n < 4 && 2 + n * 8 + 8 <= olen; n++) {
				o->sack[n][0] = mos_get_be32(opt + i + 2 + n * 8);
				o->sack[n][1] = mos_get_be32(opt + i + 6 + n * 8);
			}
			o->n_sack = n;
			break;
		case TCPOPT_MD5SIG:
			o->has_md5 = olen == 18;
			break;
		case TCPOPT_TIMESTAMP:
			if (olen == 10) {
				o->has_ts = true;
				o->tsval = mos_get_be32(opt + i + 2);
				o->tsecr = mos_get_be32(opt + i + 6);
			}
			break;
		}
		i += olen;
	}
	return 0;
}

/**
 * mos_tcp_init() - start tracking a connection
 * @c: the connection
 * @liberal: picked up midstream: accept what the windows cannot confirm
 *
 * The client starts CLOSED and the server LISTEN; the first segment moves
 * them.
 */
void mos_tcp_init(struct mos_tcp_conn *c, bool liberal)
{
	memset(c, 0, sizeof(*c));
	c->end[1].state = MOS_TCP_LISTEN;
	if (liberal)
		c->flags |= MOS_TCPC_LIBERAL;
}

static bool valid_flags(u8 f)
{
	f &= MOS_TCP_FIN | MOS_TCP_SYN | MOS_TCP_RST | MOS_TCP_ACK;
	switch (f) {
	case MOS_TCP_SYN:
	case MOS_TCP_SYN | MOS_TCP_ACK:
	case MOS_TCP_RST:
	case MOS_TCP_RST | MOS_TCP_ACK:
	case MOS_TCP_FIN | MOS_TCP_ACK:
	case MOS_TCP_ACK:
		return true;
	default:
		return false;
	}
}

/* A SYN/ACK's window (never scaled) is what the SYN sender may now send. */
static void syn_ack_window(const struct mos_tcp_end *s, struct mos_tcp_end *r,
			   u32 ack)
{
	if (SEQ_AFTER(ack + s->td_maxwin, r->td_maxend))
		r->td_maxend = ack + s->td_maxwin;
}

/* A SYN or SYN/ACK: the sender's view of the connection starts here. */
static void track_syn(struct mos_tcp_conn *c, struct mos_tcp_end *s,
		      struct mos_tcp_end *r, const struct mos_pkt *p,
		      const struct mos_tcp_opts *o, u32 end)
{
	s->isn = p->seq;
	s->td_end = end;
	s->td_maxend = end;
	s->td_maxwin = p->window ? p->window : 1;
	s->flags |= MOS_TCPE_SEEN | MOS_TCPE_SYN;
	s->flags &= ~(MOS_TCPE_FIN | MOS_TCPE_FIN_ACKED | MOS_TCPE_WSCALE |
		      MOS_TCPE_TS | MOS_TCPE_SACK_PERM | MOS_TCPE_MD5);
	s->wscale = 0;
	if (o->has_wscale) {
		s->flags |= MOS_TCPE_WSCALE;
		s->wscale = o->wscale;
	}
	if (o->has_ts) {
		s->flags |= MOS_TCPE_TS;
		s->last_tsval = o->tsval;
	}
	if (o->sack_perm)
		s->flags |= MOS_TCPE_SACK_PERM;
	if (o->has_md5)
		s->flags |= MOS_TCPE_MD5;

	/* RFC 7323: an option is in force only if both SYNs carried it. */
	if (r->flags & MOS_TCPE_SYN) {
		if (!(s->flags & r->flags & MOS_TCPE_WSCALE)) {
			s->wscale = 0;
			r->wscale = 0;
		}
		if (s->flags & r->flags & MOS_TCPE_TS)
			c->flags |= MOS_TCPC_TS_OK;
		else
			c->flags &= ~MOS_TCPC_TS_OK;
	}

	if (p->tcp_flags & MOS_TCP_ACK)
		syn_ack_window(s, r, p->ack);

	if (!(p->tcp_flags & MOS_TCP_ACK)) {
		/* SND: a SYN. RCV: the receiver learns of it. */
		s->state = MOS_TCP_SYN_SENT;
		if (r->state == MOS_TCP_CLOSED || r->state == MOS_TCP_LISTEN ||
		    r->state == MOS_TCP_SYN_SENT)
			r->state = MOS_TCP_SYN_RCVD;
	} else {
		/* SND: a SYN/ACK. RCV: the SYN sender is established. */
		s->state = MOS_TCP_SYN_RCVD;
		if (r->state == MOS_TCP_SYN_SENT || r->state == MOS_TCP_SYN_RCVD)
			r->state = MOS_TCP_ESTABLISHED;
	}
}

/* nf_conntrack's tcp_in_window(), less its retransmission bookkeeping. */
static bool in_window(struct mos_tcp_conn *c, struct mos_tcp_end *s,
		      struct mos_tcp_end *r, const struct mos_pkt *p,
		      const struct mos_tcp_opts *o, u32 end, u32 *verdict)
{
	u32 seq = p->seq, ack, sack, win = p->window, swin, maxackwin;
	u32 peer_end;
	bool stale;
	u8 i;

	if (!(p->tcp_flags & MOS_TCP_SYN))
		win <<= s->wscale;
	if (!(s->flags & MOS_TCPE_SEEN)) {
		/* First segment seen from this end: its history is lost. */
		s->td_end = end;
		s->td_maxwin = win ? win : 1;
		s->td_maxend = end + s->td_maxwin;
		s->flags |= MOS_TCPE_SEEN;
		if (!r->td_maxwin) {
			ack = (p->tcp_flags & MOS_TCP_ACK) ? p->ack : 0;
			r->td_end = ack;
			r->td_maxend = ack;
		}
	}

	if (!(p->tcp_flags & MOS_TCP_ACK) ||
	    ((p->tcp_flags & MOS_TCP_RST) && p->ack == 0)) {
		ack = r->td_end;
		sack = ack;
	} else {
		ack = p->ack;
		sack = ack;
		/* SACK right edges acknowledge too (RFC 2018). */
		for (i = 0; i < o->n_sack; i++)
			if (SEQ_AFTER(o->sack[i][1], sack))
				sack = o->sack[i][1];
	}

	maxackwin = s->td_maxwin ? s->td_maxwin : TCP_DEFAULT_ACKWIN;
	/*
	 * An ACK of bytes its peer sent that we never saw, within what that
	 * peer may send, means capture loss or asymmetric routing: believe
	 * it (once the segment passes the other checks), do not wedge.
	 */
	peer_end = r->td_end;
	if (SEQ_AFTER(sack, peer_end) && r->td_maxwin &&
	    !SEQ_AFTER(sack, r->td_maxend))
		peer_end = sack;

	if (!(c->flags & MOS_TCPC_LIBERAL) &&
	    (SEQ_AFTER(seq, s->td_maxend) ||
	     (r->td_maxwin && !SEQ_AFTER(end, s->td_end - r->td_maxwin - 1)) ||
	     SEQ_AFTER(sack, peer_end)))
		return false;
	/*
	 * An ACK older than a window (conntrack's check IV) comes with a
	 * segment the network reordered behind later ones: its data is good
	 * (the receiver takes it), its ACK and window are stale, so they
	 * update nothing and release nothing.
	 */
	stale = !(c->flags & MOS_TCPC_LIBERAL) &&
		!SEQ_AFTER(sack, peer_end - maxackwin - 1);
	if (stale)
		*verdict |= MOS_TCPV_STALE_ACK;
	if (peer_end != r->td_end) {
		*verdict |= MOS_TCPV_ACK_GAP;
		r->td_end = peer_end;
	}

	swin = win + (sack - ack);
	if (s->td_maxwin < swin && !stale)
		s->td_maxwin = swin;
	if (SEQ_AFTER(end, s->td_end))
		s->td_end = end;
	if (r->td_maxwin && SEQ_AFTER(end, s->td_maxend))
		r->td_maxwin += end - s->td_maxend;
	if (!stale && SEQ_AFTER(sack + win, r->td_maxend - 1)) {
		r->td_maxend = sack + win;
		if (!win)
			r->td_maxend++;
	}
	if (c->flags & MOS_TCPC_LIBERAL) {
		/* Learn the window from what is sent, as conntrack does. */
		if (SEQ_AFTER(end, s->td_maxend))
			s->td_maxend = end;
		if (SEQ_AFTER(sack, r->td_end))
			r->td_end = sack;
	}
	return true;
}

/*
 * RFC 5961 spirit: an RST is believed only when its sequence number lies in
 * the window the receiver would accept; anything else may be injected.
 */
static bool rst_acceptable(struct mos_tcp_conn *c, struct mos_tcp_end *s,
			   struct mos_tcp_end *r, const struct mos_pkt *p)
{
	u32 win = r->td_maxwin ? r->td_maxwin : 1;

	if (c->flags & MOS_TCPC_LIBERAL)
		return true;
	/* An RST answering a SYN carries the ACK of it and often seq 0. */
	if (r->state == MOS_TCP_SYN_SENT && !(s->flags & MOS_TCPE_SEEN))
		return (p->tcp_flags & MOS_TCP_ACK) && p->ack == r->isn + 1;
	return !SEQ_BEFORE(p->seq, s->td_end - win) &&
	       !SEQ_AFTER(p->seq, s->td_maxend);
}

/* The ACK in a segment from @s tells what @r has delivered. */
static void track_ack(struct mos_tcp_end *s, struct mos_tcp_end *r, u32 ack,
		      u32 *verdict)
{
	if (r->state == MOS_TCP_SYN_RCVD && (r->flags & MOS_TCPE_SYN) &&
	    !SEQ_BEFORE(ack, r->isn + 1)) {
		r->state = MOS_TCP_ESTABLISHED;
		if (s->state == MOS_TCP_SYN_SENT || s->state == MOS_TCP_SYN_RCVD)
			s->state = MOS_TCP_ESTABLISHED;
	}
	if ((r->flags & MOS_TCPE_FIN) && !(r->flags & MOS_TCPE_FIN_ACKED) &&
	    SEQ_AFTER(ack, r->fin_seq)) {
		r->flags |= MOS_TCPE_FIN_ACKED;
		switch (r->state) {
		case MOS_TCP_FIN_WAIT_1:
			r->state = MOS_TCP_FIN_WAIT_2;
			break;
		case MOS_TCP_CLOSING:
			r->state = MOS_TCP_TIME_WAIT;
			break;
		case MOS_TCP_LAST_ACK:
			r->state = MOS_TCP_CLOSED;
			break;
		}
		if (s->flags & MOS_TCPE_FIN_ACKED)
			*verdict |= MOS_TCPV_CLOSED;
	}
}

/* A FIN from @s: @s starts closing, @r learns the stream has ended. */
static void track_fin(struct mos_tcp_end *s, struct mos_tcp_end *r,
		      const struct mos_pkt *p)
{
	if (!(s->flags & MOS_TCPE_FIN)) {
		s->flags |= MOS_TCPE_FIN;
		s->fin_seq = p->seq + p->payload_len;
		if (s->state == MOS_TCP_CLOSE_WAIT)
			s->state = MOS_TCP_LAST_ACK;
		else if (s->state != MOS_TCP_LAST_ACK)
			s->state = MOS_TCP_FIN_WAIT_1;
	}
	switch (r->state) {
	case MOS_TCP_FIN_WAIT_1:
		r->state = (r->flags & MOS_TCPE_FIN_ACKED) ?
			   MOS_TCP_TIME_WAIT : MOS_TCP_CLOSING;
		break;
	case MOS_TCP_FIN_WAIT_2:
		r->state = MOS_TCP_TIME_WAIT;
		break;
	case MOS_TCP_SYN_RCVD:
	case MOS_TCP_SYN_SENT:
	case MOS_TCP_ESTABLISHED:
		r->state = MOS_TCP_CLOSE_WAIT;
		break;
	}
}

/**
 * mos_tcp_track() - account one segment on both endpoints' stacks
 * @c: the connection
 * @dir: 0 if the client sent the segment, 1 if the server did
 * @p: the segment's headers
 * @o: its options
 *
 * Return: MOS_TCPV_* bits. Without %MOS_TCPV_DATA_OK the segment changed
 * nothing and its payload is not stream data.
 */
u32 mos_tcp_track(struct mos_tcp_conn *c, int dir, const struct mos_pkt *p,
		  const struct mos_tcp_opts *o)
{
	struct mos_tcp_end *s = &c->end[dir], *r = &c->end[!dir];
	u8 f = p->tcp_flags;
	u32 verdict = 0, end;
	bool first;

	if (!valid_flags(f))
		return MOS_TCPV_BAD_FLAGS;
	end = p->seq + p->payload_len + !!(f & MOS_TCP_SYN) +
	      !!(f & MOS_TCP_FIN);

	/*
	 * A TCP-MD5 signature on a connection whose SYNs had none: the
	 * receiver has no key and drops it (Linux: TCPMD5Unexpected), so it
	 * is most likely injected.
	 */
	if (o->has_md5 && !(f & MOS_TCP_SYN) &&
	    !((s->flags | r->flags) & MOS_TCPE_MD5))
		return (f & MOS_TCP_RST) ? MOS_TCPV_RST_IGNORED :
					   MOS_TCPV_OUT_OF_WINDOW;

	/*
	 * An answer to a SYN that carried timestamps must echo its value
	 * (RFC 7323 3.2; Linux drops it in SYN-SENT, RSTs included): the
	 * last SYN's or an earlier attempt's, which are at most seconds older.
	 */
	if (r->state == MOS_TCP_SYN_SENT && (r->flags & MOS_TCPE_TS) &&
	    o->has_ts && o->tsecr &&
	    (u32)(r->last_tsval - o->tsecr) > TCP_SYN_TS_SPAN)
		return MOS_TCPV_BAD_TS;
	/*
	 * Nor may it carry timestamps the SYN never offered (RFC 7323 3.2:
	 * only an answer to a SYN with TSopt may have one; real RSTs to a
	 * SYN carry no options), which is how Windows judges it.
	 */
	if (r->state == MOS_TCP_SYN_SENT && (r->flags & MOS_TCPE_SYN) &&
	    !(r->flags & MOS_TCPE_TS) && o->has_ts)
		return MOS_TCPV_BAD_TS;

	/*
	 * PAWS (RFC 7323 5.3): a timestamp older than TS.Recent (beyond
	 * TCP_PAWS_WINDOW) marks a stale or forged copy. RSTs are exempt, as
	 * in Linux.
	 */
	if ((c->flags & MOS_TCPC_TS_OK) && o->has_ts &&
	    !(f & (MOS_TCP_SYN | MOS_TCP_RST)) && (s->flags & MOS_TCPE_SEEN) &&
	    (s32)(s->last_tsval - o->tsval) > TCP_PAWS_WINDOW)
		return MOS_TCPV_BAD_TS;

	if (f & MOS_TCP_SYN) {
		if ((s->flags & MOS_TCPE_SYN) && p->seq == s->isn) {
			verdict |= MOS_TCPV_SYN_RETRANS;
			if (o->has_ts)
				s->last_tsval = o->tsval;
			if (!(f & MOS_TCP_ACK))
				return verdict | MOS_TCPV_DATA_OK;
			/*
			 * A repeated SYN/ACK still acknowledges: in a
			 * simultaneous open it is what establishes the peer.
			 */
			if (r->state != MOS_TCP_SYN_SENT) {
				syn_ack_window(s, r, p->ack);
				track_ack(s, r, p->ack, &verdict);
				return verdict | MOS_TCPV_DATA_OK |
				       MOS_TCPV_ACK_OK;
			}
		}
		/* A new ISN on a synchronized end is no SYN of this connection. */
		if ((s->flags & MOS_TCPE_SYN) && p->seq != s->isn &&
		    s->state != MOS_TCP_SYN_SENT && s->state != MOS_TCP_SYN_RCVD)
			return verdict | MOS_TCPV_OUT_OF_WINDOW;
		/* A SYN/ACK must acknowledge the SYN (and any data on it). */
		if ((f & MOS_TCP_ACK) && (r->flags & MOS_TCPE_SYN) &&
		    !(c->flags & MOS_TCPC_LIBERAL) &&
		    (SEQ_BEFORE(p->ack, r->isn + 1) ||
		     SEQ_AFTER(p->ack, r->td_end)))
			return verdict | MOS_TCPV_OUT_OF_WINDOW;
		track_syn(c, s, r, p, o, end);
		if (f & MOS_TCP_ACK)
			track_ack(s, r, p->ack, &verdict);
		return verdict | MOS_TCPV_DATA_OK | MOS_TCPV_ACK_OK;
	}

	if (f & MOS_TCP_RST) {
		/*
		 * An end in SYN-SENT never aborts with an RST (RFC 793: it
		 * just drops its TCB); its RST answers a bogus segment and
		 * leaves its own attempt alive.
		 */
		if (s->state == MOS_TCP_SYN_SENT ||
		    !rst_acceptable(c, s, r, p))
			return MOS_TCPV_RST_IGNORED;
		s->state = MOS_TCP_CLOSED;
		r->state = MOS_TCP_CLOSED;
		return MOS_TCPV_RST;
	}

	first = !(s->flags & MOS_TCPE_SEEN);
	if (!in_window(c, s, r, p, o, end, &verdict))
		return verdict | MOS_TCPV_OUT_OF_WINDOW;
	/*
	 * TS.Recent follows in-sequence segments only (RFC 7323 4.3), so a
	 * segment the network reordered is not judged against a later one.
	 */
	if (o->has_ts && (s32)(o->tsval - s->last_tsval) > 0 &&
	    (!(r->flags2 & MOS_TCPE2_ACKED) || !SEQ_AFTER(p->seq, r->ack_sent)))
		s->last_tsval = o->tsval;
	if ((f & MOS_TCP_ACK) && (!(s->flags2 & MOS_TCPE2_ACKED) ||
				  SEQ_AFTER(p->ack, s->ack_sent))) {
		s->ack_sent = p->ack;
		s->flags2 |= MOS_TCPE2_ACKED;
	}

	/* Midstream or one-sided: an end first seen here is established. */
	if (first && (s->state == MOS_TCP_CLOSED ||
		      s->state == MOS_TCP_LISTEN))
		s->state = MOS_TCP_ESTABLISHED;
	if (!(verdict & MOS_TCPV_STALE_ACK))
		track_ack(s, r, p->ack, &verdict);
	if (f & MOS_TCP_FIN)
		track_fin(s, r, p);
	if ((c->flags & MOS_TCPC_LIBERAL) &&
	    (r->state == MOS_TCP_LISTEN || r->state == MOS_TCP_CLOSED))
		r->state = MOS_TCP_ESTABLISHED;
	if (verdict & MOS_TCPV_STALE_ACK)
		return verdict | MOS_TCPV_DATA_OK;
	return verdict | MOS_TCPV_DATA_OK | MOS_TCPV_ACK_OK;
}
