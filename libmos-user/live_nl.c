// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * The few generic netlink requests the live backend sends: which events a
 * consumer of /dev/mos receives (MOS_CMD_MONITOR_SET) and per-flow options
 * (MOS_CMD_FLOW_SET). Plain netlink sockets rather than libmnl: the
 * library's capture-only builds (fuzzing, valgrind) link without libmnl,
 * and three fixed-size requests need no more than this.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/mos.h>
#include "mos_int.h"

#define REQ_BYTES	256
#define REPLY_BYTES	8192

/* A request: headers, then attributes appended by put_attr(). */
struct nl_req {
	union {
		struct nlmsghdr nlh;
		uint8_t buf[REQ_BYTES];
	};
};

static void req_init(struct mos_live_nl *nl, struct nl_req *r, uint16_t type,
		     uint8_t cmd, uint8_t version)
{
	struct genlmsghdr *g;

	memset(r, 0, sizeof(*r));
	r->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->nlh.nlmsg_type = type;
	r->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	r->nlh.nlmsg_seq = ++nl->seq;
	g = NLMSG_DATA(&r->nlh);
	g->cmd = cmd;
	g->version = version;
}

/* The requests are small and fixed: the buffer always has room. */
static void put_attr(struct nl_req *r, uint16_t type, const void *data,
		     uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(r->buf +
					     NLMSG_ALIGN(r->nlh.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	r->nlh.nlmsg_len = NLMSG_ALIGN(r->nlh.nlmsg_len) +
			   NLA_ALIGN(a->nla_len);
}

static void put_u32(struct nl_req *r, uint16_t type, uint32_t v)
{
	put_attr(r, type, &v, sizeof(v));
}

/* The family id from a CTRL_CMD_GETFAMILY reply, 0 if absent. */
static uint16_t family_id_of(const struct nlmsghdr *h)
{
	const struct nlattr *a;
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

	a = (const struct nlattr *)((const uint8_t *)NLMSG_DATA(h) +
				    GENL_HDRLEN);
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN &&
	       a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
		    a->nla_len == NLA_HDRLEN + sizeof(uint16_t)) {
			uint16_t id;

			memcpy(&id, (const uint8_t *)a + NLA_HDRLEN,
			       sizeof(id));
			return id;
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const uint8_t *)a +
					    NLA_ALIGN(a->nla_len));
	}
	return 0;
}

/*
 * Send a request and read replies up to its ACK. A GETFAMILY reply before
 * the ACK gives the family id (@family may be NULL otherwise).
 */
static int request(struct mos_live_nl *nl, struct nl_req *r,
		   uint16_t *family)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint8_t buf[REPLY_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
	const struct nlmsghdr *h;
	size_t off;
	ssize_t n;

	if (sendto(nl->fd, r->buf, r->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		n = recv(nl->fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* NLMSG_OK() and NLMSG_NEXT(), without their mixed signs. */
		for (off = 0; off + NLMSG_HDRLEN <= (size_t)n;
		     off += NLMSG_ALIGN(h->nlmsg_len)) {
			h = (const struct nlmsghdr *)(buf + off);
			if (h->nlmsg_len < NLMSG_HDRLEN ||
			    h->nlmsg_len > (size_t)n - off)
				break;
			if (h->nlmsg_seq != r->nlh.nlmsg_seq)
				continue;	/* an old request's reply */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
					return -EPROTO;
				return e->error;
			}
			if (family &&
			    h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN))
				*family = family_id_of(h);
		}
	}
}

/**
 * mos_live_nl_open() - a netlink socket for the mos family
 * @nl: filled in
 *
 * Return: 0; -ENOENT when the kernel has no "mos" family (module not
 * loaded); another negative errno.
 */
int mos_live_nl_open(struct mos_live_nl *nl)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct nl_req r;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->seq = (uint32_t)time(NULL);
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->fd < 0)
		return -errno;
	/* Errors without the request echoed: replies stay small. */
	setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bind(nl->fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		ret = -errno;
		goto err;
	}
	req_init(nl, &r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	put_attr(&r, CTRL_ATTR_FAMILY_NAME, MOS_GENL_NAME,
		 sizeof(MOS_GENL_NAME));
	ret = request(nl, &r, &nl->family);
	if (!ret && !nl->family)
		ret = -EPROTO;
	if (ret)
		goto err;
	return 0;
err:
	mos_live_nl_close(nl);
	return ret;
}

/**
 * mos_live_nl_close() - close what mos_live_nl_open() opened
 * @nl: the socket; closing twice is harmless
 */
void mos_live_nl_close(struct mos_live_nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/**
 * mos_live_nl_monitor_set() - choose the events a consumer receives
 * @nl: the socket
 * @monitor_id: the consumer (struct mos_ring_setup)
 * @evmask: bit per built-in event type; 0 stops all events
 *
 * Return: 0 or a negative errno (the kernel's).
 */
int mos_live_nl_monitor_set(struct mos_live_nl *nl, uint32_t monitor_id,
			    uint32_t evmask)
{
	struct nl_req r;

	req_init(nl, &r, nl->family, MOS_CMD_MONITOR_SET, MOS_GENL_VERSION);
	put_u32(&r, MOS_A_MONITOR_ID, monitor_id);
	put_u32(&r, MOS_A_MONITOR_EVMASK, evmask);
	return request(nl, &r, NULL);
}

/**
 * mos_live_nl_flow_set() - per-side options of one connection
 * @nl: the socket
 * @flow_id: the connection
 * @side: the receiving side the options are about
 * @policy: overlap policy of that side's incoming stream, or -1
 * @stop: stop reassembling that stream
 *
 * Return: 0 or a negative errno (-ENOENT: the kernel no longer tracks the
 * connection).
 */
int mos_live_nl_flow_set(struct mos_live_nl *nl, uint64_t flow_id, int side,
			 int policy, bool stop)
{
	struct nl_req r;

	req_init(nl, &r, nl->family, MOS_CMD_FLOW_SET, MOS_GENL_VERSION);
	put_attr(&r, MOS_A_FLOW_ID, &flow_id, sizeof(flow_id));
	put_u32(&r, MOS_A_FLOW_SIDE, side);
	if (policy >= 0)
		put_u32(&r, MOS_A_FLOW_POLICY, policy);
	if (stop)
		put_attr(&r, MOS_A_FLOW_STOP, NULL, 0);
	return request(nl, &r, NULL);
}
