// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Control connection to the mos module: generic netlink through libmnl.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/mos.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <mos/mos_ctl.h>

/* The copy loop of mos_ctl_compile_filter() relies on the same layout. */
static_assert(sizeof(struct sock_filter) == sizeof(struct bpf_insn),
	      "libpcap's instructions are the kernel's");

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Requests: headers and a few attributes, or a whole filter program. */
#define REQ_BYTES	(MNL_SOCKET_BUFFER_SIZE + \
			 BPF_MAXINSNS * sizeof(struct sock_filter))
/* Room for notification bursts before the kernel reports ENOBUFS. */
#define EVENT_RCVBUF	(4 << 20)

struct mos_ctl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	uint32_t flows_group;
	char errmsg[256];
	char *buf;
	size_t buf_len;
	size_t ev_off;
	size_t ev_len;
};

/* The reply's extended-ack text, kept to explain the error to the user. */
static void save_extack(struct mos_ctl *ctl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	size_t off = sizeof(*err);
	const char *end;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	/* Unless capped, the error echoes the request after its header. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off = MNL_ALIGN(off + err->msg.nlmsg_len -
				sizeof(struct nlmsghdr));
	if (off > nlh->nlmsg_len - MNL_NLMSG_HDRLEN)
		return;
	end = (const char *)nlh + nlh->nlmsg_len;
	for (attr = (const void *)((const char *)err + off);
	     mnl_attr_ok(attr, end - (const char *)attr);
	     attr = mnl_attr_next(attr)) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(ctl->errmsg, sizeof(ctl->errmsg), "%s",
				 mnl_attr_get_str(attr));
	}
}

/**
 * struct req_ctx - one request in flight
 * @ctl: the connection (for the error text)
 * @cb: the caller's callback for each reply message
 * @data: the caller's data for @cb
 * @intr: a dump message carried NLM_F_DUMP_INTR
 */
struct req_ctx {
	struct mos_ctl *ctl;
	mnl_cb_t cb;
	void *data;
	int intr;
};

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct req_ctx *req = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error)
		save_extack(req->ctl, nlh);
	errno = err->error < 0 ? -err->error : err->error;
	return err->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

/* The end of a dump; it carries the dump's error, if any. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	int err;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(err)))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	errno = -err;
	return MNL_CB_ERROR;
}

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct req_ctx *req = data;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		req->intr = 1;
	return req->cb ? req->cb(nlh, req->data) : MNL_CB_OK;
}

/* Reads the next datagram into ctl->buf, grown to its size. */
static ssize_t recv_msg(struct mos_ctl *ctl)
{
	int fd = mnl_socket_get_fd(ctl->nl);
	ssize_t n;

	n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	if (n < 0)
		return -errno;
	if ((size_t)n > ctl->buf_len) {
		char *buf = realloc(ctl->buf, n);

		if (!buf)
			return -ENOMEM;
		ctl->buf = buf;
		ctl->buf_len = n;
	}
	n = mnl_socket_recvfrom(ctl->nl, ctl->buf, ctl->buf_len);
	return n < 0 ? -errno : n;
}

/*
 * Send @nlh and feed every reply to @cb until the ACK (or, for a dump,
 * NLMSG_DONE) arrives. The receive buffer grows to the size of the
 * largest reply, which depends on the number of CPUs.
 *
 * Return: 0, 1 for a dump the kernel flagged inconsistent, or a negative
 * errno.
 */
static int mos_ctl_request(struct mos_ctl *ctl, struct nlmsghdr *nlh,
			   mnl_cb_t cb, void *data)
{
	mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	struct req_ctx req = { .ctl = ctl, .cb = cb, .data = data };
	ssize_t n;
	int ret;

	ctl->errmsg[0] = '\0';
	if (mnl_socket_sendto(ctl->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = recv_msg(ctl);
		if (n < 0)
			return n;
		errno = 0;
		ret = mnl_cb_run2(ctl->buf, n, nlh->nlmsg_seq, ctl->portid,
				  data_cb, &req, ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
	} while (ret > MNL_CB_STOP);
	return req.intr;
}

static struct nlmsghdr *genl_msg(struct mos_ctl *ctl, char *buf,
				 uint16_t type, uint8_t cmd, uint8_t version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++ctl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

static struct nlmsghdr *mos_msg(struct mos_ctl *ctl, char *buf, uint8_t cmd)
{
	return genl_msg(ctl, buf, ctl->family_id, cmd, MOS_GENL_VERSION);
}

/* One multicast group of the family: its name and id. */
static int mcgrp_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
		return MNL_CB_OK;
	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, MOS_MCGRP_FLOWS))
		((struct mos_ctl *)data)->flows_group = id;
	return MNL_CB_OK;
}

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	struct mos_ctl *ctl = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			ctl->family_id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, mcgrp_cb, ctl);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb,
			   data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

static int resolve_family(struct mos_ctl *ctl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	nlh = genl_msg(ctl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, MOS_GENL_NAME);
	ctl->family_id = 0;
	ret = mos_ctl_request(ctl, nlh, family_cb, ctl);
	if (ret)
		return ret;
	return ctl->family_id ? 0 : -EPROTO;
}

int mos_ctl_open(struct mos_ctl **ctlp)
{
	struct mos_ctl *ctl;
	int one = 1, ret;

	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->seq = (unsigned int)time(NULL);
	ctl->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!ctl->nl) {
		ret = -errno;
		goto err;
	}
	/* Best effort: older kernels simply give no error text. */
	mnl_socket_setsockopt(ctl->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_bind(ctl->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto err;
	}
	ctl->portid = mnl_socket_get_portid(ctl->nl);
	ret = resolve_family(ctl);
	if (ret)
		goto err;
	*ctlp = ctl;
	return 0;
err:
	mos_ctl_close(ctl);
	return ret;
}

void mos_ctl_close(struct mos_ctl *ctl)
{
	if (!ctl)
		return;
	if (ctl->nl)
		mnl_socket_close(ctl->nl);
	free(ctl->buf);
	free(ctl);
}

const char *mos_ctl_last_error_msg(const struct mos_ctl *ctl)
{
	return ctl->errmsg[0] ? ctl->errmsg : NULL;
}

int mos_ctl_fd(const struct mos_ctl *ctl)
{
	return mnl_socket_get_fd(ctl->nl);
}

/* ---- counters ------------------------------------------------------- */

struct counters_parse {
	struct mos_counters *c;
	unsigned int cpu;
	int has_cpu;
};

static int counters_attr_cb(const struct nlattr *attr, void *data)
{
	struct counters_parse *p = data;
	struct mos_counters *c = p->c;
	uint64_t *dst = NULL;

	switch (mnl_attr_get_type(attr)) {
	case MOS_STATS_A_CPU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->cpu = mnl_attr_get_u32(attr);
		p->has_cpu = 1;
		return MNL_CB_OK;
	case MOS_STATS_A_TCP_PACKETS:
		dst = &c->tcp_packets;
		break;
	case MOS_STATS_A_TCP_BYTES:
		dst = &c->tcp_bytes;
		break;
	case MOS_STATS_A_TCP6_PACKETS:
		dst = &c->tcp6_packets;
		break;
	case MOS_STATS_A_BAD_HEADERS:
		dst = &c->bad_headers;
		break;
	case MOS_STATS_A_FLOWS:
		dst = &c->flows;
		break;
	case MOS_STATS_A_FLOWS_CREATED:
		dst = &c->flows_created;
		break;
	case MOS_STATS_A_EVICTIONS:
		dst = &c->evictions;
		break;
	case MOS_STATS_A_RING_LOST_EVENTS:
		dst = &c->ring_lost_events;
		break;
	case MOS_STATS_A_RING_LOST_BYTES:
		dst = &c->ring_lost_bytes;
		break;
	case MOS_STATS_A_DROPPED:
		dst = &c->dropped;
		break;
	case MOS_STATS_A_OVERSIZE:
		dst = &c->oversize;
		break;
	case MOS_STATS_A_DIRECT_BYTES:
		dst = &c->direct_bytes;
		break;
	case MOS_STATS_A_HELD_BYTES:
		dst = &c->held_bytes;
		break;
	default:	/* newer kernels may add counters */
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
		return MNL_CB_ERROR;
	*dst = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

static int stats_attr_cb(const struct nlattr *attr, void *data)
{
	struct mos_ctl_stats *stats = data;
	struct counters_parse p = { 0 };
	struct mos_cpu_counters *cpus;

	switch (mnl_attr_get_type(attr)) {
	case MOS_A_STATS_TOTAL:
		p.c = &stats->total;
		break;
	case MOS_A_STATS_CPU:
		cpus = realloc(stats->cpus,
			       (stats->n_cpus + 1) * sizeof(*cpus));
		if (!cpus) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		stats->cpus = cpus;
		memset(&cpus[stats->n_cpus], 0, sizeof(*cpus));
		p.c = &cpus[stats->n_cpus].counters;
		break;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, counters_attr_cb, &p) < 0) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if (p.c != &stats->total) {
		if (!p.has_cpu) {
			errno = EPROTO;
			return MNL_CB_ERROR;
		}
		stats->cpus[stats->n_cpus++].cpu = p.cpu;
	}
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr_cb,
			   data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int mos_ctl_get_stats(struct mos_ctl *ctl, struct mos_ctl_stats *stats)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	memset(stats, 0, sizeof(*stats));
	nlh = mos_msg(ctl, buf, MOS_CMD_GET_STATS);
	ret = mos_ctl_request(ctl, nlh, stats_cb, stats);
	if (ret)
		mos_ctl_stats_release(stats);
	return ret;
}

void mos_ctl_stats_release(struct mos_ctl_stats *stats)
{
	free(stats->cpus);
	stats->cpus = NULL;
	stats->n_cpus = 0;
}

/* ---- connections ---------------------------------------------------- */

/* Attribute types of a MOS_A_FLOW nest and how each must look. */
static const enum mnl_attr_data_type flow_attr_type[MOS_FLOW_A_MAX + 1] = {
	[MOS_FLOW_A_ID] = MNL_TYPE_U64,
	[MOS_FLOW_A_CPU] = MNL_TYPE_U32,
	[MOS_FLOW_A_IP_VERSION] = MNL_TYPE_U8,
	[MOS_FLOW_A_CLI_ADDR] = MNL_TYPE_BINARY,
	[MOS_FLOW_A_CLI_PORT] = MNL_TYPE_U16,
	[MOS_FLOW_A_SVR_ADDR] = MNL_TYPE_BINARY,
	[MOS_FLOW_A_SVR_PORT] = MNL_TYPE_U16,
	[MOS_FLOW_A_CLI_STATE] = MNL_TYPE_U8,
	[MOS_FLOW_A_SVR_STATE] = MNL_TYPE_U8,
	[MOS_FLOW_A_C2S_BYTES] = MNL_TYPE_U64,
	[MOS_FLOW_A_S2C_BYTES] = MNL_TYPE_U64,
	[MOS_FLOW_A_FLAGS] = MNL_TYPE_U32,
	[MOS_FLOW_A_IDLE_MS] = MNL_TYPE_U64,
	[MOS_FLOW_A_END_REASON] = MNL_TYPE_U8,
};

static int flow_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > MOS_FLOW_A_MAX || !flow_attr_type[type])
		return MNL_CB_OK;	/* newer kernels may add some */
	if (mnl_attr_validate(attr, flow_attr_type[type]) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_addr(const struct nlattr *attr, int family,
		      unsigned char *addr)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (!attr || mnl_attr_get_payload_len(attr) != len)
		return -1;
	memcpy(addr, mnl_attr_get_payload(attr), len);
	return 0;
}

static int parse_flow(const struct nlattr *nest, struct mos_ctl_flow *f)
{
	const struct nlattr *tb[MOS_FLOW_A_MAX + 1] = { NULL };
	static const int required[] = {
		MOS_FLOW_A_ID, MOS_FLOW_A_CPU, MOS_FLOW_A_IP_VERSION,
		MOS_FLOW_A_CLI_PORT, MOS_FLOW_A_SVR_PORT,
		MOS_FLOW_A_CLI_STATE, MOS_FLOW_A_SVR_STATE,
	};
	size_t i;

	memset(f, 0, sizeof(*f));
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(nest, flow_attr_cb, tb) < 0)
		return -EPROTO;
	for (i = 0; i < ARRAY_SIZE(required); i++)
		if (!tb[required[i]])
			return -EPROTO;
	f->id = mnl_attr_get_u64(tb[MOS_FLOW_A_ID]);
	f->cpu = mnl_attr_get_u32(tb[MOS_FLOW_A_CPU]);
	f->family = mnl_attr_get_u8(tb[MOS_FLOW_A_IP_VERSION]) == 4 ?
		    AF_INET : AF_INET6;
	if (parse_addr(tb[MOS_FLOW_A_CLI_ADDR], f->family, f->addr[0]) ||
	    parse_addr(tb[MOS_FLOW_A_SVR_ADDR], f->family, f->addr[1]))
		return -EPROTO;
	f->port[0] = mnl_attr_get_u16(tb[MOS_FLOW_A_CLI_PORT]);
	f->port[1] = mnl_attr_get_u16(tb[MOS_FLOW_A_SVR_PORT]);
	f->state[0] = mnl_attr_get_u8(tb[MOS_FLOW_A_CLI_STATE]);
	f->state[1] = mnl_attr_get_u8(tb[MOS_FLOW_A_SVR_STATE]);
	if (tb[MOS_FLOW_A_C2S_BYTES])
		f->bytes[0] = mnl_attr_get_u64(tb[MOS_FLOW_A_C2S_BYTES]);
	if (tb[MOS_FLOW_A_S2C_BYTES])
		f->bytes[1] = mnl_attr_get_u64(tb[MOS_FLOW_A_S2C_BYTES]);
	if (tb[MOS_FLOW_A_FLAGS])
		f->flags = mnl_attr_get_u32(tb[MOS_FLOW_A_FLAGS]);
	if (tb[MOS_FLOW_A_IDLE_MS])
		f->idle_ms = mnl_attr_get_u64(tb[MOS_FLOW_A_IDLE_MS]);
	if (tb[MOS_FLOW_A_END_REASON])
		f->end_reason = mnl_attr_get_u8(tb[MOS_FLOW_A_END_REASON]);
	return 0;
}

/* The MOS_A_FLOW of a message, parsed into @f. */
static int flow_msg(const struct nlmsghdr *nlh, struct mos_ctl_flow *f)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(attr) == MOS_A_FLOW)
			return parse_flow(attr, f);
	return -EPROTO;
}

/**
 * struct flow_dump - state of mos_ctl_flow_dump()
 * @cb: the caller's callback
 * @arg: its argument
 */
struct flow_dump {
	void (*cb)(const struct mos_ctl_flow *flow, void *arg);
	void *arg;
};

static int flow_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flow_dump *d = data;
	struct mos_ctl_flow f;

	if (flow_msg(nlh, &f)) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	d->cb(&f, d->arg);
	return MNL_CB_OK;
}

int mos_ctl_flow_dump(struct mos_ctl *ctl,
		      void (*cb)(const struct mos_ctl_flow *flow, void *arg),
		      void *arg)
{
	struct flow_dump d = { .cb = cb, .arg = arg };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = mos_msg(ctl, buf, MOS_CMD_FLOW_GET);
	/* A dump ends with NLMSG_DONE; an ACK on top is not needed. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	return mos_ctl_request(ctl, nlh, flow_dump_cb, &d);
}

static int flow_get_cb(const struct nlmsghdr *nlh, void *data)
{
	if (flow_msg(nlh, data)) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int mos_ctl_flow_get(struct mos_ctl *ctl, uint64_t id,
		     struct mos_ctl_flow *flow)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(flow, 0, sizeof(*flow));
	nlh = mos_msg(ctl, buf, MOS_CMD_FLOW_GET);
	mnl_attr_put_u64(nlh, MOS_A_FLOW_ID, id);
	return mos_ctl_request(ctl, nlh, flow_get_cb, flow);
}

int mos_ctl_flow_action(struct mos_ctl *ctl, uint64_t id, int action)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (action < MOS_CTL_ACTION_DROP || action > MOS_CTL_ACTION_UNTRACK)
		return -EINVAL;
	nlh = mos_msg(ctl, buf, MOS_CMD_FLOW_SET);
	mnl_attr_put_u64(nlh, MOS_A_FLOW_ID, id);
	mnl_attr_put_u32(nlh, MOS_A_FLOW_ACTION, action);
	return mos_ctl_request(ctl, nlh, NULL, NULL);
}

int mos_ctl_flow_set_policy(struct mos_ctl *ctl, uint64_t id, int side,
			    int policy)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (side < 0 || policy < 0)
		return -EINVAL;
	nlh = mos_msg(ctl, buf, MOS_CMD_FLOW_SET);
	mnl_attr_put_u64(nlh, MOS_A_FLOW_ID, id);
	mnl_attr_put_u32(nlh, MOS_A_FLOW_SIDE, side);
	mnl_attr_put_u32(nlh, MOS_A_FLOW_POLICY, policy);
	return mos_ctl_request(ctl, nlh, NULL, NULL);
}

int mos_ctl_flow_stop(struct mos_ctl *ctl, uint64_t id, int side)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (side < 0)
		return -EINVAL;
	nlh = mos_msg(ctl, buf, MOS_CMD_FLOW_SET);
	mnl_attr_put_u64(nlh, MOS_A_FLOW_ID, id);
	mnl_attr_put_u32(nlh, MOS_A_FLOW_SIDE, side);
	mnl_attr_put(nlh, MOS_A_FLOW_STOP, 0, NULL);
	return mos_ctl_request(ctl, nlh, NULL, NULL);
}

/* ---- settings ------------------------------------------------------- */

const char *mos_ctl_timeout_name(int i)
{
	static const char *const names[MOS_CTL_TIMEOUTS] = {
		"syn_sent", "syn_recv", "established", "fin_wait",
		"close_wait", "last_ack", "time_wait", "close", "unack",
	};

	return i >= 0 && i < MOS_CTL_TIMEOUTS ? names[i] : NULL;
}

static int timeout_attr_cb(const struct nlattr *attr, void *data)
{
	struct mos_ctl_config *cfg = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type < 1 || type > MOS_CTL_TIMEOUTS)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	cfg->timeout[type - 1] = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

/* The settings that are 0 or 1: a u8 attribute, an int of the config. */
static const struct {
	uint16_t attr;
	uint32_t set;		/* its MOS_CTL_CFG_* bit */
	size_t field;
} config_flags[] = {
	{ MOS_CONFIG_A_MIDSTREAM, MOS_CTL_CFG_MIDSTREAM,
	  offsetof(struct mos_ctl_config, midstream) },
	{ MOS_CONFIG_A_DELIVER_ON_ARRIVAL, MOS_CTL_CFG_DELIVER_ON_ARRIVAL,
	  offsetof(struct mos_ctl_config, deliver_on_arrival) },
	{ MOS_CONFIG_A_TRACKING, MOS_CTL_CFG_TRACKING,
	  offsetof(struct mos_ctl_config, tracking) },
	{ MOS_CONFIG_A_ONE_SIDED, MOS_CTL_CFG_ONE_SIDED,
	  offsetof(struct mos_ctl_config, one_sided) },
};

static int config_attr_cb(const struct nlattr *attr, void *data)
{
	struct mos_ctl_config *cfg = data;
	uint32_t *u32 = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(config_flags); i++) {
		if (mnl_attr_get_type(attr) != config_flags[i].attr)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		*(int *)((char *)cfg + config_flags[i].field) =
			mnl_attr_get_u8(attr);
		return MNL_CB_OK;
	}
	switch (mnl_attr_get_type(attr)) {
	case MOS_CONFIG_A_MAX_FLOWS:
		u32 = &cfg->max_flows;
		break;
	case MOS_CONFIG_A_FLOW_BUFFER:
		u32 = &cfg->flow_buffer;
		break;
	case MOS_CONFIG_A_OVERLAP_POLICY:
		u32 = &cfg->overlap_policy;
		break;
	case MOS_CONFIG_A_RING_BYTES:
		u32 = &cfg->ring_bytes;
		break;
	case MOS_CONFIG_A_WAKEUP_US:
		u32 = &cfg->wakeup_us;
		break;
	case MOS_CONFIG_A_BUFFER_TOTAL:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			return MNL_CB_ERROR;
		cfg->buffer_total = mnl_attr_get_u64(attr);
		return MNL_CB_OK;
	case MOS_CONFIG_A_TIMEOUT:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, timeout_attr_cb, cfg) < 0)
			return MNL_CB_ERROR;
		return MNL_CB_OK;
	default:
		return MNL_CB_OK;
	}
	if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*u32 = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int config_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(attr) != MOS_A_CONFIG)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, config_attr_cb, data) < 0)
			break;
		return MNL_CB_OK;
	}
	errno = EPROTO;
	return MNL_CB_ERROR;
}

int mos_ctl_config_get(struct mos_ctl *ctl, struct mos_ctl_config *cfg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	memset(cfg, 0, sizeof(*cfg));
	nlh = mos_msg(ctl, buf, MOS_CMD_GET_CONFIG);
	return mos_ctl_request(ctl, nlh, config_cb, cfg);
}

int mos_ctl_config_set(struct mos_ctl *ctl, const struct mos_ctl_config *cfg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *nest, *tn;
	struct nlmsghdr *nlh;
	size_t f;
	int i;

	nlh = mos_msg(ctl, buf, MOS_CMD_SET_CONFIG);
	nest = mnl_attr_nest_start(nlh, MOS_A_CONFIG);
	if (cfg->set & MOS_CTL_CFG_MAX_FLOWS)
		mnl_attr_put_u32(nlh, MOS_CONFIG_A_MAX_FLOWS, cfg->max_flows);
	if (cfg->set & MOS_CTL_CFG_FLOW_BUFFER)
		mnl_attr_put_u32(nlh, MOS_CONFIG_A_FLOW_BUFFER,
				 cfg->flow_buffer);
	if (cfg->set & MOS_CTL_CFG_BUFFER_TOTAL)
		mnl_attr_put_u64(nlh, MOS_CONFIG_A_BUFFER_TOTAL,
				 cfg->buffer_total);
	if (cfg->set & MOS_CTL_CFG_OVERLAP_POLICY)
		mnl_attr_put_u32(nlh, MOS_CONFIG_A_OVERLAP_POLICY,
				 cfg->overlap_policy);
	if (cfg->set & MOS_CTL_CFG_RING_BYTES)
		mnl_attr_put_u32(nlh, MOS_CONFIG_A_RING_BYTES,
				 cfg->ring_bytes);
	for (f = 0; f < ARRAY_SIZE(config_flags); f++)
		if (cfg->set & config_flags[f].set)
			mnl_attr_put_u8(nlh, config_flags[f].attr,
					!!*(const int *)((const char *)cfg +
							 config_flags[f].field));
	if (cfg->set & MOS_CTL_CFG_WAKEUP_US)
		mnl_attr_put_u32(nlh, MOS_CONFIG_A_WAKEUP_US, cfg->wakeup_us);
	if (cfg->timeout_set & ((1u << MOS_CTL_TIMEOUTS) - 1)) {
		tn = mnl_attr_nest_start(nlh, MOS_CONFIG_A_TIMEOUT);
		for (i = 0; i < MOS_CTL_TIMEOUTS; i++)
			if (cfg->timeout_set & (1u << i))
				mnl_attr_put_u32(nlh, i + 1, cfg->timeout[i]);
		mnl_attr_nest_end(nlh, tn);
	}
	mnl_attr_nest_end(nlh, nest);
	return mos_ctl_request(ctl, nlh, NULL, NULL);
}

/* ---- consumers and filters ------------------------------------------ */

int mos_ctl_monitor_set_evmask(struct mos_ctl *ctl, uint32_t monitor_id,
			       uint32_t evmask)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = mos_msg(ctl, buf, MOS_CMD_MONITOR_SET);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_ID, monitor_id);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_EVMASK, evmask);
	return mos_ctl_request(ctl, nlh, NULL, NULL);
}

int mos_ctl_monitor_set_filter(struct mos_ctl *ctl, uint32_t monitor_id,
			       int type, const struct sock_filter *insns,
			       unsigned int n)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh;
	char *buf;
	int ret;

	if (type < 0 || n > BPF_MAXINSNS || (n && !insns))
		return -EINVAL;
	buf = malloc(REQ_BYTES);
	if (!buf)
		return -ENOMEM;
	nlh = mos_msg(ctl, buf, MOS_CMD_MONITOR_SET);
	mnl_attr_put_u32(nlh, MOS_A_MONITOR_ID, monitor_id);
	nest = mnl_attr_nest_start(nlh, MOS_A_MONITOR_FILTER);
	mnl_attr_put_u32(nlh, MOS_FILTER_A_TYPE, type);
	mnl_attr_put(nlh, MOS_FILTER_A_PROG, n * sizeof(*insns), insns);
	mnl_attr_nest_end(nlh, nest);
	ret = mos_ctl_request(ctl, nlh, NULL, NULL);
	free(buf);
	return ret;
}

static __thread char filter_err[PCAP_ERRBUF_SIZE];

const char *mos_ctl_filter_error(void)
{
	return filter_err;
}

int mos_ctl_compile_filter(const char *expr, struct sock_filter **insns,
			   unsigned int *n)
{
	struct bpf_program prog;
	struct sock_filter *out;
	unsigned int i;
	pcap_t *p;
	int ret = 0;

	filter_err[0] = '\0';
	*insns = NULL;
	*n = 0;
	p = pcap_open_dead(DLT_RAW, 65535);
	if (!p)
		return -ENOMEM;
	if (pcap_compile(p, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(filter_err, sizeof(filter_err), "%s", pcap_geterr(p));
		pcap_close(p);
		return -EINVAL;
	}
	if (prog.bf_len > BPF_MAXINSNS) {
		snprintf(filter_err, sizeof(filter_err),
			 "the program has %u instructions, more than %u",
			 prog.bf_len, BPF_MAXINSNS);
		ret = -EINVAL;
		goto out;
	}
	out = calloc(prog.bf_len ? prog.bf_len : 1, sizeof(*out));
	if (!out) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < prog.bf_len; i++) {
		out[i].code = prog.bf_insns[i].code;
		out[i].jt = prog.bf_insns[i].jt;
		out[i].jf = prog.bf_insns[i].jf;
		out[i].k = prog.bf_insns[i].k;
	}
	*insns = out;
	*n = prog.bf_len;
out:
	pcap_freecode(&prog);
	pcap_close(p);
	return ret;
}

/* ---- notifications -------------------------------------------------- */

int mos_ctl_subscribe_flows(struct mos_ctl *ctl)
{
	int size = EVENT_RCVBUF;

	if (!ctl->flows_group)
		return -EOPNOTSUPP;	/* a module without notifications */
	/* Best effort: a small buffer only means ENOBUFS sooner. */
	setsockopt(mnl_socket_get_fd(ctl->nl), SOL_SOCKET, SO_RCVBUF, &size,
		   sizeof(size));
	if (mnl_socket_setsockopt(ctl->nl, NETLINK_ADD_MEMBERSHIP,
				  &ctl->flows_group,
				  sizeof(ctl->flows_group)) < 0)
		return -errno;
	ctl->ev_off = 0;
	ctl->ev_len = 0;
	return 0;
}

/* The next message of the current datagram, or NULL when none is left. */
static const struct nlmsghdr *next_event_msg(struct mos_ctl *ctl)
{
	const struct nlmsghdr *nlh;
	int left = ctl->ev_len - ctl->ev_off;

	nlh = (const struct nlmsghdr *)(ctl->buf + ctl->ev_off);
	if (!mnl_nlmsg_ok(nlh, left)) {
		ctl->ev_off = ctl->ev_len;
		return NULL;
	}
	ctl->ev_off += MNL_ALIGN(nlh->nlmsg_len);
	if (ctl->ev_off > ctl->ev_len)
		ctl->ev_off = ctl->ev_len;
	return nlh;
}

int mos_ctl_recv_flow_event(struct mos_ctl *ctl,
			    struct mos_ctl_flow_event *ev)
{
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *genl;
	ssize_t n;

	for (;;) {
		nlh = next_event_msg(ctl);
		if (!nlh) {
			n = recv_msg(ctl);
			if (n < 0)
				return n;
			ctl->ev_off = 0;
			ctl->ev_len = n;
			continue;
		}
		if (nlh->nlmsg_type != ctl->family_id ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*genl)))
			continue;
		genl = mnl_nlmsg_get_payload(nlh);
		if (genl->cmd != MOS_CMD_FLOW_NEW &&
		    genl->cmd != MOS_CMD_FLOW_END)
			continue;
		if (flow_msg(nlh, &ev->flow))
			return -EPROTO;
		ev->type = genl->cmd == MOS_CMD_FLOW_NEW ? MOS_CTL_FLOW_NEW :
			   MOS_CTL_FLOW_END;
		return 0;
	}
}
