// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Control connection to the mos module: generic netlink through libmnl.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/mos.h>
#include <mos/mos_ctl.h>

struct mos_ctl {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;
	char errmsg[256];
	char *buf;
	size_t buf_len;
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

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct mos_ctl *ctl = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error)
		save_extack(ctl, nlh);
	errno = err->error < 0 ? -err->error : err->error;
	return err->error ? MNL_CB_ERROR : MNL_CB_STOP;
}

/*
 * Send @nlh (which asks for an ACK) and feed every reply to @cb until the
 * ACK arrives. The receive buffer grows to the size of the largest reply,
 * which depends on the number of CPUs.
 */
static int mos_ctl_request(struct mos_ctl *ctl, struct nlmsghdr *nlh,
			   mnl_cb_t cb, void *data)
{
	mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] = error_cb };
	int fd = mnl_socket_get_fd(ctl->nl);
	ssize_t n;
	int ret;

	ctl->errmsg[0] = '\0';
	if (mnl_socket_sendto(ctl->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
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
		if (n < 0)
			return -errno;
		errno = 0;
		ret = mnl_cb_run2(ctl->buf, n, nlh->nlmsg_seq, ctl->portid,
				  cb, data, ctl_cb, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
	} while (ret > MNL_CB_STOP);
	return 0;
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

static int family_attr_cb(const struct nlattr *attr, void *data)
{
	uint16_t *id = data;

	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
		*id = mnl_attr_get_u16(attr);
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
	ret = mos_ctl_request(ctl, nlh, family_cb, &ctl->family_id);
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

struct counters_parse {
	struct mos_counters *c;
	unsigned int cpu;
	int has_cpu;
};

static int counters_attr_cb(const struct nlattr *attr, void *data)
{
	struct counters_parse *p = data;
	uint16_t type = mnl_attr_get_type(attr);
	uint64_t *dst = NULL;

	switch (type) {
	case MOS_STATS_A_CPU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->cpu = mnl_attr_get_u32(attr);
		p->has_cpu = 1;
		return MNL_CB_OK;
	case MOS_STATS_A_TCP_PACKETS:
		dst = &p->c->tcp_packets;
		break;
	case MOS_STATS_A_TCP_BYTES:
		dst = &p->c->tcp_bytes;
		break;
	case MOS_STATS_A_TCP6_PACKETS:
		dst = &p->c->tcp6_packets;
		break;
	case MOS_STATS_A_BAD_HEADERS:
		dst = &p->c->bad_headers;
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
	struct mos_stats *stats = data;
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

int mos_ctl_get_stats(struct mos_ctl *ctl, struct mos_stats *stats)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int ret;

	memset(stats, 0, sizeof(*stats));
	nlh = genl_msg(ctl, buf, ctl->family_id, MOS_CMD_GET_STATS,
		       MOS_GENL_VERSION);
	ret = mos_ctl_request(ctl, nlh, stats_cb, stats);
	if (ret)
		mos_stats_release(stats);
	return ret;
}

void mos_stats_release(struct mos_stats *stats)
{
	free(stats->cpus);
	stats->cpus = NULL;
	stats->n_cpus = 0;
}
