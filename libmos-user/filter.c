// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Monitoring filters: pcap expressions compiled by libpcap for raw IP
 * packets (DLT_RAW), the form the kernel runs them in. Offline the
 * library runs them itself with libpcap's bpf_filter(); live they are
 * handed to the kernel (MOS_CMD_MONITOR_SET).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include <linux/mos.h>
#include "mos_int.h"

/* The sock a filter kind belongs to. */
static int filter_sock(int kind)
{
	return kind == MOS_FILTER_KIND_RAW ? MOS_RAW_SOCK : MOS_STREAM_SOCK;
}

static bool sock_open(const struct mos_ctx *mctx, int sock)
{
	return sock == MOS_RAW_SOCK ? mctx->raw_set != NULL :
				      mctx->listen_set != NULL;
}

/* Compile @expr into @flt; libpcap's message goes to mctx->filter_err. */
static int filter_compile(struct mos_ctx *mctx, const char *expr,
			  struct mos_filter *flt)
{
	struct bpf_program prog;
	pcap_t *dead;
	int ret = 0;

	dead = pcap_open_dead(DLT_RAW, 65535);
	if (!dead)
		return -ENOMEM;
	if (pcap_compile(dead, &prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(mctx->filter_err, sizeof(mctx->filter_err), "%s",
			 pcap_geterr(dead));
		pcap_close(dead);
		return -EINVAL;
	}
	pcap_close(dead);
	flt->len = prog.bf_len;
	flt->insns = malloc(prog.bf_len * sizeof(*prog.bf_insns));
	if (flt->insns)
		memcpy(flt->insns, prog.bf_insns,
		       prog.bf_len * sizeof(*prog.bf_insns));
	else
		ret = -ENOMEM;
	pcap_freecode(&prog);
	return ret;
}

int mos_bind_monitor_filter(struct mos_ctx *mctx, int sock, int kind,
			    const char *expr)
{
	struct mos_filter flt = { 0 }, old;
	int ret;

	if (kind < 0 || kind >= MOS_NUM_FILTERS)
		return -EINVAL;
	if (sock != MOS_STREAM_SOCK && sock != MOS_RAW_SOCK)
		return -EBADF;
	if (!sock_open(mctx, sock))
		return -EBADF;
	if (filter_sock(kind) != sock)
		return -EINVAL;
	mctx->filter_err[0] = '\0';
	if (expr && *expr) {
		ret = filter_compile(mctx, expr, &flt);
		if (ret)
			return ret;
	}
	old = mctx->filter[kind];
	mctx->filter[kind] = flt;
	ret = mos_live_set_filter(mctx, kind);
	if (ret) {
		mctx->filter[kind] = old;
		free(flt.insns);
		return ret;
	}
	free(old.insns);
	return 0;
}

const char *mos_filter_error(struct mos_ctx *mctx)
{
	return mctx->filter_err;
}

/**
 * mos_filter_pass() - run a filter on a packet
 * @flt: the filter (none bound: everything passes)
 * @ip: the packet from its IP header on
 * @caplen: bytes at @ip
 * @len: its length on the wire
 *
 * Return: whether the packet passes.
 */
bool mos_filter_pass(const struct mos_filter *flt, const uint8_t *ip,
		     uint32_t caplen, uint32_t len)
{
	if (!flt->insns)
		return true;
	return ip && bpf_filter(flt->insns, ip, len, caplen) != 0;
}

/**
 * mos_filters_free() - free a context's filters
 * @mctx: the context
 */
void mos_filters_free(struct mos_ctx *mctx)
{
	int i;

	for (i = 0; i < MOS_NUM_FILTERS; i++) {
		free(mctx->filter[i].insns);
		mctx->filter[i].insns = NULL;
	}
}
