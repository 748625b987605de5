/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * mOS compatibility: the mtcp_* context and socket calls of mOS's
 * mtcp_api.h, so that an mOS monitor builds against libmos-compat with a
 * recompile (Documentation/porting-from-mos.md). Names, types and
 * constants are mOS's; the functions run on libmos-user.
 *
 * Every function returns what mOS's does (0 or an id on success, -1 with
 * errno set on failure); none prints, aborts or exits. Calls that have no
 * meaning for a passive monitor on mos (end-host sockets: bind, listen,
 * accept, connect, read, write, ...) fail with errno ENOTSUP.
 *
 * Do not include <mos/mos.h> in the same file: its native names (MOS_HK_*,
 * MOS_ON_*, MOS_SIDE_*, ...) have other values.
 */
#ifndef MOS_COMPAT_MTCP_API_H
#define MOS_COMPAT_MTCP_API_H

#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifndef UNUSED
#define UNUSED(x)	(void)(x)
#endif

#ifndef INPORT_ANY
#define INPORT_ANY	(uint16_t)0
#endif

typedef unsigned char byte;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct mtcp_context - what a monitor sees of a context
 * @cpu: the core it was created for (mtcp_create_context())
 *
 * mOS monitors read mctx->cpu; the rest of the context is private.
 */
struct mtcp_context {
	int cpu;
};

typedef struct mtcp_context *mctx_t;

typedef void (*mtcp_sighandler_t)(int);

/* Socket types of mtcp_socket(); mOS's values. */
enum socket_type {
	MOS_SOCK_UNUSED,
	MOS_SOCK_STREAM_LISTEN,
	MOS_SOCK_PROXY_LISTEN,
	MOS_SOCK_MONITOR_STREAM,	/* connections (a listener) */
	MOS_SOCK_STREAM,
	MOS_SOCK_PROXY,
	MOS_SOCK_MONITOR_STREAM_ACTIVE,	/* one connection (callbacks get it) */
	MOS_SOCK_MONITOR_RAW,		/* packets */
	MOS_SOCK_EPOLL,
	MOS_SOCK_PIPE,
};

/**
 * struct mtcp_conf - settings, as mtcp_getconf()/mtcp_setconf() see them
 * @num_cores: cores the application may create contexts for (the number
 *	of online CPUs unless set); only bounds mtcp_create_context()
 * @max_concurrency: connections tracked at once (mos_options.max_flows)
 * @cpu_mask: ignored
 * @max_num_buffers: ignored
 * @rcvbuf_size: reassembly buffer per direction (mos_options.flow_buffer)
 * @sndbuf_size: ignored (a monitor sends nothing)
 * @tcp_timewait: ignored (mos's engine has its own TIME_WAIT handling)
 * @tcp_timeout: kept for mtcp_getconf(); not applied (see the porting guide)
 * @app_cpu_mask: unused
 * @app_argv: unused
 * @app_argc: unused
 * @num_app: 0
 *
 * A change applies to contexts created after mtcp_setconf().
 */
struct mtcp_conf {
#define APP_NAME_LEN	40
#define MOS_APP		20
	int num_cores;
	int max_concurrency;
	uint64_t cpu_mask;

	int max_num_buffers;
	int rcvbuf_size;
	int sndbuf_size;

	int tcp_timewait;
	int tcp_timeout;

#define MOS_APP_ARGC	20
	uint64_t app_cpu_mask[MOS_APP];
	char *app_argv[MOS_APP][MOS_APP_ARGC];
	int app_argc[MOS_APP];
	int num_app;
};

struct app_context {
	mctx_t mctx;
	int socket_id;
	struct conn_filter *cf;
	int ep_id;
};

int mtcp_init(const char *config_file);
int mtcp_destroy(void);
int mtcp_getconf(struct mtcp_conf *conf);
int mtcp_setconf(const struct mtcp_conf *conf);
int mtcp_core_affinitize(int cpu);
mctx_t mtcp_create_context(int cpu);
int mtcp_destroy_context(mctx_t mctx);
mtcp_sighandler_t mtcp_register_signal(int signum, mtcp_sighandler_t handler);
int mtcp_pipe(mctx_t mctx, int pipeid[2]);
int mtcp_getsockopt(mctx_t mctx, int sock, int level, int optname,
		    void *optval, socklen_t *optlen);
int mtcp_setsockopt(mctx_t mctx, int sock, int level, int optname,
		    const void *optval, socklen_t optlen);
int mtcp_setsock_nonblock(mctx_t mctx, int sock);
int mtcp_ioctl(mctx_t mctx, int sock, int request, void *argp);
int mtcp_socket(mctx_t mctx, int domain, int type, int protocol);
int mtcp_bind(mctx_t mctx, int sock, const struct sockaddr *addr,
	      socklen_t addrlen);
int mtcp_listen(mctx_t mctx, int sock, int backlog);
int mtcp_accept(mctx_t mctx, int sock, struct sockaddr *addr,
		socklen_t *addrlen);
int mtcp_init_rss(mctx_t mctx, in_addr_t saddr_base, int num_addr,
		  in_addr_t daddr, in_addr_t dport);
int mtcp_connect(mctx_t mctx, int sock, const struct sockaddr *addr,
		 socklen_t addrlen);
int mtcp_close(mctx_t mctx, int sock);
int mtcp_abort(mctx_t mctx, int sock);
int mtcp_getsockname(mctx_t mctx, int sock, struct sockaddr *addr,
		     socklen_t *addrlen);
ssize_t mtcp_recv(mctx_t mctx, int sockid, char *buf, size_t len, int flags);
ssize_t mtcp_read(mctx_t mctx, int sock, char *buf, size_t len);
ssize_t mtcp_readv(mctx_t mctx, int sock, const struct iovec *iov,
		   int numIOV);
ssize_t mtcp_write(mctx_t mctx, int sock, const char *buf, size_t len);
ssize_t mtcp_writev(mctx_t mctx, int sock, const struct iovec *iov,
		    int numIOV);
uint32_t mtcp_get_connection_cnt(mctx_t mctx);

#ifdef __cplusplus
}
#endif

#endif /* MOS_COMPAT_MTCP_API_H */
