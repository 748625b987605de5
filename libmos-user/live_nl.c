// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * The generic netlink requests the live backend sends, through libmnl:
 * which events and packets a consumer of /dev/mos receives
 * (MOS_CMD_MONITOR_SET) and per-connection options and actions
 * (MOS_CMD_FLOW_SET). Each request waits for its acknowledgment, so an
 * error is the caller's to see.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/mos.h>
#include "mos_int.h"

/* Replies and small requests. */
#define MSG_BYTES	8192
/* Room for the largest request: a filter of BPF_MAXINSNS instructions. */
#define FILTER_REQ_BYTES	(4096 * 8 + 512)

static struct nlmsghdr *req_init(struct mos_live_nl *nl, void *buf,
				 uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *family = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*family = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, data);
	return MNL_CB_OK;
}

/*
 * Send a request and read the replies up to its acknowledgment; @cb sees
 * the data messages before it (NULL: none expected).
 */
static int request(struct mos_live_nl *nl, struct nlmsghdr *nlh,
		   mnl_cb_t cb, void *data)
{
	char buf[MSG_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = mnl_cb_run(buf, n, seq, nl->portid, cb, data);
	} while (ret == MNL_CB_OK);
	/* libmnl gives the kernel's error in errno (positive). */
	return ret == MNL_CB_STOP ? 0 : -errno;
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
	char buf[MSG_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->fd = -1;
	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	/* Errors without the request echoed: replies stay small. */
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->fd = mnl_socket_get_fd(nl->sock);
	nlh = req_init(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MOS_GENL_NAME);
	ret = request(nl, nlh, family_cb, &nl->family);
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
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
	nl->fd = -1;
}

/**
 * mos_live_nl_monitor_set() - choose the events a consumer receives
 * @nl: the socket
 * @monitor_id: the consumer (struct mos_ring_setup)
 * @evmask: bit per built-in event type; 0 stops all events
 * @flags: MOS_MONITOR_F_*
 * @group: MOS_A_MONITOR_GROUP: count << 16 | index
 *
 * Return: 0 or a negative errno (the kernel's).
 */
int mos_live_nl_monitor_set(struct mos_live_nl *nl, uint32_t monitor_id,
			    uint32_t evmask, uint32_t flags, uint32_t group)
{
	char buf[MSG_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;

	nlh = req_init(nl, buf, nl->family, MOS_CMD_MONITOR_SET,
		       MOS_GENL_VERSION);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_ID, monitor_id);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_EVMASK, evmask);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_FLAGS, flags);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_GROUP, group);
	return request(nl, nlh, NULL, NULL);
}

/**
 * mos_live_nl_monitor_filter() - replace one of a consumer's filters
 * @nl: the socket
 * @monitor_id: the consumer
 * @type: MOS_FILTER_SYN, MOS_FILTER_ORPHAN or MOS_FILTER_RAW
 * @insns: classic BPF for DLT_RAW (struct bpf_insn / struct sock_filter)
 * @n: number of instructions; 0 removes the filter
 *
 * Return: 0 or a negative errno (the kernel's; -EINVAL for a program it
 * rejects).
 */
int mos_live_nl_monitor_filter(struct mos_live_nl *nl, uint32_t monitor_id,
			       uint32_t type, const void *insns, uint32_t n)
{
	size_t bytes = (size_t)n * 8;	/* sizeof(struct sock_filter) */
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	char *buf;
	int ret;

	if (bytes + 512 > FILTER_REQ_BYTES)
		return -E2BIG;
	buf = calloc(1, FILTER_REQ_BYTES);
	if (!buf)
		return -ENOMEM;
	nlh = req_init(nl, buf, nl->family, MOS_CMD_MONITOR_SET,
		       MOS_GENL_VERSION);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_ID, monitor_id);
	nest = mnl_attr_nest_start(nlh, MOS_A_MONITOR_FILTER);
	mnl_attr_put_u32(nlh, MOS_FILTER_A_TYPE, type);
	mnl_attr_put(nlh, MOS_FILTER_A_PROG, bytes, insns);
	mnl_attr_nest_end(nlh, nest);
	ret = request(nl, nlh, NULL, NULL);
	free(buf);
	return ret;
}

/**
 * mos_live_nl_flow_set() - options and actions for one connection
 * @nl: the socket
 * @flow_id: the connection
 * @req: what to change
 *
 * Return: 0 or a negative errno (-ENOENT: the kernel no longer tracks the
 * connection).
 */
int mos_live_nl_flow_set(struct mos_live_nl *nl, uint64_t flow_id,
			 const struct mos_live_flow_req *req)
{
	char buf[MSG_BYTES] __attribute__((aligned(NLMSG_ALIGNTO)));
	struct nlmsghdr *nlh;

	nlh = req_init(nl, buf, nl->family, MOS_CMD_FLOW_SET,
		       MOS_GENL_VERSION);
	mnl_attr_put_u64(nlh, MOS_A_FLOW_ID, flow_id);
	if (req->side >= 0) {
		mnl_attr_put_u32(nlh, MOS_A_FLOW_SIDE, req->side);
		if (req->policy >= 0)
			mnl_attr_put_u32(nlh, MOS_A_FLOW_POLICY, req->policy);
		if (req->buffer >= 0)
			mnl_attr_put_u32(nlh, MOS_A_FLOW_BUFFER, req->buffer);
		if (req->stop)
			mnl_attr_put(nlh, MOS_A_FLOW_STOP, 0, NULL);
	}
	if (req->action)
		mnl_attr_put_u32(nlh, MOS_A_FLOW_ACTION, req->action);
	return request(nl, nlh, NULL, NULL);
}
