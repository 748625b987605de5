/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * libmos-user: write a middlebox as <event, callback> pairs.
 *
 * A context (struct mos_ctx) runs the mos engine over a packet source — a
 * capture file (offline) or the kernel module (live) — and calls the
 * callbacks registered on its monitoring socket for every connection. All
 * functions return a negative errno on failure; none prints, aborts or
 * exits. A context is used by one thread.
 *
 * Live (no capture file), the engine runs in the kernel: the context
 * attaches to /dev/mos as a consumer of the caller's network namespace and
 * reads the events from mmap'ed rings (Documentation/ring.md). Needs the
 * module loaded and CAP_NET_ADMIN. The differences from offline:
 *  - Only connections that start after the context went live are seen.
 *  - The engine settings of struct mos_options (all but @peek_window) are
 *    the namespace's (MOS_CMD_SET_CONFIG), not the context's.
 *  - A NEW_DATA longer than 64 KiB arrives as several NEW_DATA events with
 *    consecutive offsets (one per ring record); mos_peek() sees the bytes
 *    as one stream either way. During the callback the bytes are read in
 *    place from the ring.
 *  - When the ring was full the kernel drops events; the bytes of dropped
 *    NEW_DATA events are reported as an ERROR event with code
 *    MOS_ERROR_GAP (offset and length of the hole) before the next bytes of
 *    that stream, as offline reports bytes a capture missed, and counted in
 *    struct mos_stats. Other dropped events are only counted.
 *  - mos_set_overlap_policy() and mos_stop_side() are requests to the
 *    kernel: they apply from when it receives them, never to the packet
 *    whose event is being dispatched (mos_stop_side() also stops, at once,
 *    the events of that stream still queued in the ring).
 *  - Registering a callback for an event no registration needed before
 *    makes the kernel send that event from then on.
 */
#ifndef MOS_MOS_H
#define MOS_MOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sides of a connection: the client sent the first SYN. */
#define MOS_SIDE_CLI		0
#define MOS_SIDE_SVR		1
#define MOS_SIDE_BOTH		2	/* where an option or call takes both */

/* Hooks: after the sender's stack (SND) or the receiver's (RCV) is updated. */
#define MOS_HK_SND		0
#define MOS_HK_RCV		1

/* Built-in events; user-defined events get ids from mos_define_event(). */
#define MOS_ON_PKT_IN		0	/* every packet of the flow */
#define MOS_ON_CONN_START	1	/* SYN, or pickup */
#define MOS_ON_CONN_END		2	/* exactly once, see mos_event_info */
#define MOS_ON_CONN_NEW_DATA	3	/* bytes added; side = receiver */
#define MOS_ON_REXMIT		4	/* a segment covered seen bytes */
#define MOS_ON_TCP_STATE_CHANGE	5	/* an endpoint's state changed */
#define MOS_ON_ORPHAN		6	/* packet of no tracked connection */
#define MOS_ON_ERROR		7	/* gap, cap, bad checksum, window, ... */
#define MOS_ON_TIMEOUT		8	/* idle timeout; CONN_END follows */
#define MOS_NUM_BUILTIN		9
/* The event a timer's callback gets (mos_settimer()); not registrable. */
#define MOS_ON_TIMER		0xffffffffu

/* Socket types of mos_socket(). */
#define MOS_SOCK_MONITOR_STREAM	1	/* connections: socket 0 */
#define MOS_SOCK_MONITOR_RAW	2	/* packets (PKT_IN only): socket 1 */

/* Filter kinds of mos_bind_monitor_filter(). */
#define MOS_FILTER_KIND_SYN	0	/* stream socket: which connections */
#define MOS_FILTER_KIND_ORPHAN	1	/* stream socket: which ORPHAN packets */
#define MOS_FILTER_KIND_RAW	2	/* raw socket: which packets */

/* Overlap policies (which copy of a byte sent twice counts). */
#define MOS_OVERLAP_POLICY_FIRST	0
#define MOS_OVERLAP_POLICY_LAST		1
#define MOS_OVERLAP_POLICY_BSD		2
#define MOS_OVERLAP_POLICY_LINUX	3
#define MOS_OVERLAP_POLICY_OLD_LINUX	4
#define MOS_OVERLAP_POLICY_WINDOWS	5
#define MOS_OVERLAP_POLICY_SOLARIS	6
#define MOS_OVERLAP_POLICY_HPUX		7
#define MOS_OVERLAP_POLICY_MACOS	8

/* Connection end reasons (mos_event_info.code of CONN_END). */
#define MOS_END_REASON_FIN		1
#define MOS_END_REASON_RST		2
#define MOS_END_REASON_TIMEOUT		3
#define MOS_END_REASON_EVICTED		4
#define MOS_END_REASON_EOF		5

/* Error codes (mos_event_info.code of ERROR). */
#define MOS_ERROR_BAD_HEADER	0
#define MOS_ERROR_BAD_CSUM	1
#define MOS_ERROR_OUT_OF_WINDOW	2
#define MOS_ERROR_BAD_FLAGS	3
#define MOS_ERROR_BAD_TS	4
#define MOS_ERROR_RST_IGNORED	5
#define MOS_ERROR_GAP		6
#define MOS_ERROR_CAP		7
#define MOS_ERROR_NO_MEMORY	8

/* Retransmission kinds (mos_event_info.code of REXMIT). */
#define MOS_REXMIT_KIND_EXACT	0
#define MOS_REXMIT_KIND_PARTIAL	1
#define MOS_REXMIT_KIND_INCONSISTENT	2
#define MOS_REXMIT_KIND_UNVERIFIED	3

typedef uint32_t mos_event_t;
struct mos_ctx;

/**
 * typedef mos_callback_t - a callback
 * @mctx: the context
 * @sock: the connection's socket (or the listener's, for ORPHAN)
 * @side: the endpoint the event concerns (MOS_SIDE_*)
 * @ev: the event that fired
 * @arg: the argument given at registration
 */
typedef void (*mos_callback_t)(struct mos_ctx *mctx, int sock, int side,
			       mos_event_t ev, void *arg);

/**
 * typedef mos_filter_t - decides whether a user-defined event fires
 * @mctx: the context
 * @sock: the connection's socket
 * @side: the endpoint the base event concerns
 * @ev: the user-defined event being decided
 * @arg: the argument given to mos_define_event()
 */
typedef bool (*mos_filter_t)(struct mos_ctx *mctx, int sock, int side,
			     mos_event_t ev, void *arg);

/**
 * struct mos_options - settings of a context
 * @read_file: capture file to read (pcap/pcapng); NULL = live, where the
 *	fields below but @peek_window are the kernel's settings instead
 * @max_flows: connections tracked at once (oldest idle evicted beyond)
 * @flow_buffer: bytes stored per direction while out of order/unacked
 * @buffer_total: bytes stored by all directions together
 * @peek_window: delivered bytes kept per direction for mos_peek/ppeek
 * @overlap_policy: default policy (MOS_OVERLAP_POLICY_*)
 * @checksum: 0 auto, 1 on, 2 off
 * @deliver_on_arrival: deliver in-order bytes at once, not when ACKed
 *	(live: the namespace's setting, mosctl config deliver_on_arrival)
 * @midstream: pick up connections whose handshake was not seen
 * @one_sided: track connections seen in one direction only
 * @last_packet: live: have the kernel send every packet's headers so that
 *	mos_getlastpkt() works in every callback (costs ring space); without
 *	it, only in CONN_START, PKT_IN and ORPHAN callbacks. Offline it is
 *	always so.
 * @group_count: with @group_index, share the connections among
 *	@group_count contexts, one per thread (mOS's context per CPU): this
 *	one gets a disjoint part of them, by a symmetric hash of addresses
 *	and ports (live, the kernel's shards s with s % @group_count ==
 *	@group_index); 0 or 1: all of them
 * @group_index: this context's part, below @group_count
 */
struct mos_options {
	const char *read_file;
	uint32_t max_flows;
	uint32_t flow_buffer;
	uint64_t buffer_total;
	uint32_t peek_window;
	int overlap_policy;
	int checksum;
	bool deliver_on_arrival;
	bool midstream;
	bool one_sided;
	bool last_packet;
	uint16_t group_count;
	uint16_t group_index;
};

/**
 * struct mos_event_info - details of the event being dispatched
 * @type: the built-in event (MOS_ON_*) behind it
 * @hook: MOS_HK_SND or MOS_HK_RCV
 * @side: the endpoint it concerns
 * @code: CONN_END: MOS_END_REASON_*; ERROR: MOS_ERROR_*; REXMIT: MOS_REXMIT_KIND_*;
 *	TCP_STATE_CHANGE: the new state
 * @old_state: TCP_STATE_CHANGE: the previous state
 * @off: stream offset (NEW_DATA, REXMIT, gap and cap errors)
 * @len: bytes concerned
 */
struct mos_event_info {
	int type;
	int hook;
	int side;
	int code;
	int old_state;
	uint64_t off;
	uint64_t len;
};

/**
 * struct mos_flow_info - a connection as mos sees it
 * @id: unique id in this context
 * @state: TCP state of each side (mos_state_name() names it)
 * @roles_guessed: the client/server roles were guessed (midstream)
 * @end_reason: MOS_END_REASON_* once ended, else 0
 * @addr: [MOS_SIDE_CLI] client, [MOS_SIDE_SVR] server address and port
 */
struct mos_flow_info {
	uint64_t id;
	int state[2];
	bool roles_guessed;
	int end_reason;
	struct sockaddr_storage addr[2];
};

/**
 * mos_options_init() - fill options with the defaults
 * @opt: the options
 *
 * No capture file (live), the engine's default limits (1048576
 * connections, 1 MiB per direction, 256 MiB in all), a 64 KiB peek
 * window, overlap policy first, checksum auto and every flag off. Call it
 * before setting fields, so that fields a later version adds get their
 * defaults.
 */
void mos_options_init(struct mos_options *opt);

/**
 * mos_overlap_policy_parse() - an overlap policy from its name
 * @name: "first", "last", "bsd", "linux", "old-linux", "windows",
 *	"solaris", "hpux" or "macos" (not NULL)
 *
 * Return: the MOS_OVERLAP_POLICY_* value; -EINVAL for another name.
 */
int mos_overlap_policy_parse(const char *name);

/**
 * mos_state_name() - the name of a TCP state
 * @state: mos_flow_info.state[], MOS_OPT_TCP_STATE, or the code and
 *	old_state of a TCP_STATE_CHANGE event
 *
 * Return: a static lower-case name: "closed", "listen", "syn_sent",
 * "syn_rcvd", "established", "fin_wait_1", "fin_wait_2", "closing",
 * "time_wait", "close_wait" or "last_ack"; "invalid" for another value.
 */
const char *mos_state_name(int state);

/**
 * mos_strerror() - a message for an error of this library
 * @err: a negative errno a mos_* function returned (a positive one is
 *	taken as its negation)
 *
 * Return: a string not to be freed: what to do for the errors of going
 * live (-ENODEV: module not loaded, -EPERM: CAP_NET_ADMIN needed,
 * -ENOTSUP: module without rings), for -EBADMSG (corrupt ring record) and
 * -EPROTONOSUPPORT (capture link type), strerror()'s text otherwise.
 */
const char *mos_strerror(int err);

/**
 * mos_ctx_new() - create a context
 * @mctxp: set to the new context on success
 * @opt: its settings, from mos_options_init(); copied, but the string
 *	@opt->read_file must stay valid until the context is freed
 *
 * Opens nothing yet: the capture is read by mos_run(), the module is
 * attached when the context goes live (mos_run(), mos_run_once(),
 * mos_get_fd()).
 *
 * Return: 0; -EINVAL for an overlap policy or checksum mode out of range;
 * -ENOMEM.
 */
int mos_ctx_new(struct mos_ctx **mctxp, const struct mos_options *opt);

/**
 * mos_ctx_free() - free a context
 * @mctx: the context, or NULL
 *
 * Detaches from the kernel when live and frees every connection's state
 * without further callbacks (no CONN_END: mos_run() and mos_end_input()
 * end connections with events). Not from inside a callback.
 */
void mos_ctx_free(struct mos_ctx *mctx);

/**
 * mos_run() - run a context until its input ends
 * @mctx: the context
 *
 * Offline: reads the capture to its end, then ends every open connection
 * (CONN_END, reason eof). Live: attaches to the kernel and dispatches
 * events until mos_stop(); then dispatches the events already queued, ends
 * every open connection with reason eof, exactly as at the end of a
 * capture, and detaches (the context is done: later calls of mos_run(),
 * mos_run_once() and mos_get_fd() fail).
 *
 * Return: 0; offline -EINTR after mos_stop(), -ENOENT or -EINVAL for an
 * unreadable capture, -EPROTONOSUPPORT for an unknown link type, -EIO for
 * a damaged one; live -ENODEV when the module is not loaded, -EPERM
 * without CAP_NET_ADMIN, -ENOTSUP when the module has no rings, -EBADMSG
 * when a ring held a corrupt record (open connections end with eof
 * first), another negative errno. mos_strerror() explains each.
 */
int mos_run(struct mos_ctx *mctx);

/**
 * mos_stop() - make mos_run() return
 * @mctx: the context
 *
 * Async-signal-safe (it stores a flag and writes to an eventfd), so it may
 * be called from a signal handler or another thread. A poll() inside
 * mos_run() or mos_run_once() wakes at once; a caller's own poll() on
 * mos_get_fd() does not, but its next mos_run_once() returns -EINTR.
 */
void mos_stop(struct mos_ctx *mctx);

/**
 * mos_get_fd() - a descriptor for callers that run their own event loop
 * @mctx: a live context (goes live here if it is not yet)
 *
 * The descriptor (/dev/mos) polls readable (POLLIN) while a ring holds
 * records; then call mos_run_once(@mctx, 0). Do not read, write or close
 * it. When done, mos_end_input() ends the open connections (eof).
 *
 * Return: the descriptor; -EINVAL for a capture context; -EBADF after
 * mos_run() ended; the errors of mos_run() for going live.
 */
int mos_get_fd(struct mos_ctx *mctx);

/**
 * mos_stop_on_signals() - make SIGINT and SIGTERM stop a context
 * @mctx: the context (replaces the one of an earlier call); NULL restores
 *	the default actions
 *
 * Installs handlers that call mos_stop(@mctx), so mos_run() returns and
 * open connections end with reason eof, as at the end of a capture.
 * Programs started in the background by a shell ignore SIGINT: handling
 * SIGTERM too lets them be stopped cleanly either way.
 *
 * Return: 0, or a negative errno from sigaction().
 */
int mos_stop_on_signals(struct mos_ctx *mctx);

/**
 * mos_run_once() - dispatch the events that are queued now
 * @mctx: a live context (goes live here if it is not yet)
 * @timeout_ms: when the rings are empty, how long to wait for events:
 *	0 not at all, -1 until some arrive (or mos_stop())
 *
 * Reads each ring up to where its producer was when the call looked at
 * it, so one call is bounded even under a flood.
 *
 * Return: the number of ring records read (0 when none came in time);
 * -EINTR once mos_stop() was called; -EBADMSG for a corrupt ring (from
 * then on, always); -EINVAL for a capture context; the errors of mos_run()
 * for going live.
 */
int mos_run_once(struct mos_ctx *mctx, int timeout_ms);

/**
 * mos_input_packet() - feed one packet to a context
 * @mctx: a context that is not live (no mos_run() of its own: callers
 *	that read packets themselves instead of mos_options.read_file)
 * @linktype: the DLT_* link type of @data: Ethernet (up to two VLAN
 *	tags), raw IP, Linux cooked v1/v2, BSD loopback
 * @ts_ns: its time in nanoseconds, the engine's clock (timeouts); should
 *	not go backwards
 * @data: the frame
 * @caplen: bytes at @data
 * @len: the frame's length on the wire
 *
 * The callbacks of the events it raises run inside this call. When the
 * input is over, mos_end_input() ends the open connections.
 *
 * Return: 0, also for a frame that carries no IP packet (ignored);
 * -EPROTONOSUPPORT for a link type mos does not know; -EBUSY for a live
 * context (the kernel runs its engine).
 */
int mos_input_packet(struct mos_ctx *mctx, int linktype, uint64_t ts_ns,
		     const void *data, uint32_t caplen, uint32_t len);

/**
 * mos_end_input() - end every open connection (CONN_END, reason eof)
 * @mctx: the context, fed by mos_input_packet() or live by mos_run_once()
 *
 * A connection both of whose endpoints had sent a FIN ends with reason
 * fin instead, as at the end of a capture.
 */
void mos_end_input(struct mos_ctx *mctx);

/**
 * mos_socket() - create a context's monitoring socket
 * @mctx: the context
 * @type: MOS_SOCK_MONITOR_STREAM (connections) or MOS_SOCK_MONITOR_RAW
 *	(packets)
 *
 * The stream socket is the listener: callbacks registered on it apply to
 * every connection that starts afterwards (each connection's socket
 * starts with them, and may then be given its own), and ORPHAN events go
 * to it. Create it before registering callbacks.
 *
 * Return: the socket: 0 for the stream socket, 1 for the raw socket;
 * -EBUSY when the context already has a socket of this type;
 * -EPROTONOSUPPORT for a type this library does not provide.
 */
int mos_socket(struct mos_ctx *mctx, int type);

/**
 * mos_define_event() - define an event raised when a filter accepts another
 * @mctx: the context
 * @base: a built-in event (MOS_ON_*, not MOS_ON_TIMER) or an event defined
 *	before (user-defined events nest)
 * @filter: decides, each time @base fires for a connection, whether the
 *	new event fires too; it runs only when a callback is registered on
 *	the new event (or on one defined from it) for that connection, and
 *	when it returns false the events defined from the new one are not
 *	tried
 * @arg: passed to @filter
 *
 * The new event fires at its base's hook (RCV, or SND for CONN_START),
 * side and details (mos_get_event_info() tells the built-in event).
 *
 * Return: the new event's id (32 or more), to register callbacks on;
 * -EINVAL for a NULL @filter or a @base that was never defined;
 * -ENOSPC when 4096 events are defined; -ENOMEM.
 */
int mos_define_event(struct mos_ctx *mctx, mos_event_t base,
		     mos_filter_t filter, void *arg);

/**
 * mos_register_callback() - call a function when an event fires
 * @mctx: the context
 * @sock: 0 (the stream socket: every connection that starts afterwards,
 *	and ORPHAN) or a connection's socket (that connection, from now on)
 * @ev: a built-in event (MOS_ON_*) or one from mos_define_event()
 * @hook: MOS_HK_SND or MOS_HK_RCV for a built-in event; ignored for a
 *	user-defined one
 * @cb: the callback
 * @arg: passed to @cb
 *
 * A socket has one callback per event and hook: registering again
 * replaces it. Registrations may change inside callbacks; they apply to
 * the next event. Live, the kernel is asked for an event no registration
 * needed before.
 *
 * Return: 0; -EBADF for a socket that does not exist (0 before
 * mos_socket(), a connection after its CONN_END); -EINVAL for a NULL @cb,
 * an unknown event (MOS_ON_TIMER included) or a bad hook; -ENOMEM; live,
 * the kernel's error when asking for the event.
 */
int mos_register_callback(struct mos_ctx *mctx, int sock, mos_event_t ev,
			  int hook, mos_callback_t cb, void *arg);

/**
 * mos_unregister_callback() - remove a socket's callback of an event
 * @mctx: the context
 * @sock: as for mos_register_callback()
 * @ev: the event
 * @hook: its hook (ignored for a user-defined event)
 *
 * Return: 0; -EBADF for a socket that does not exist; -EINVAL for an
 * unknown event or a bad hook; -ENOENT when no callback was registered
 * for it; -ENOMEM; live, the kernel's error.
 */
int mos_unregister_callback(struct mos_ctx *mctx, int sock, mos_event_t ev,
			    int hook);

/**
 * mos_get_event_info() - details of the event being dispatched
 * @mctx: the context
 * @info: filled in
 *
 * Only inside a callback or a filter. For a user-defined event, the
 * built-in event behind it.
 *
 * Return: 0; -ENOENT outside a callback.
 */
int mos_get_event_info(struct mos_ctx *mctx, struct mos_event_info *info);

/**
 * mos_get_flow_info() - a connection's id, states, roles and addresses
 * @mctx: the context
 * @sock: a connection's socket
 * @info: filled in
 *
 * Valid from CONN_START to the callbacks of CONN_END, after which the
 * socket is closed.
 *
 * Return: 0; -EBADF when @sock is not (or no longer) a connection.
 */
int mos_get_flow_info(struct mos_ctx *mctx, int sock,
		      struct mos_flow_info *info);

/**
 * mos_set_uctx() - attach the caller's data to a connection
 * @mctx: the context
 * @sock: a connection's socket
 * @uctx: the data (the library never dereferences or frees it)
 *
 * Typically set in CONN_START and freed by the caller in CONN_END, the
 * socket's last event.
 *
 * Return: 0; -EBADF when @sock is not a connection.
 */
int mos_set_uctx(struct mos_ctx *mctx, int sock, void *uctx);

/**
 * mos_get_uctx() - the caller's data of a connection
 * @mctx: the context
 * @sock: a connection's socket
 *
 * Return: what mos_set_uctx() stored; NULL when nothing was or @sock is not
 * a connection.
 */
void *mos_get_uctx(struct mos_ctx *mctx, int sock);

/**
 * mos_peek() - read the bytes a side received that were not read yet
 * @mctx: the context
 * @sock: a connection's socket
 * @side: the receiving side, MOS_SIDE_CLI or MOS_SIDE_SVR (a NEW_DATA
 *	event's side)
 * @buf: where to copy them
 * @len: room at @buf
 *
 * Each call continues where the last mos_peek() of the stream stopped,
 * in order, up to @len bytes; usually called in NEW_DATA. Bytes that left
 * the peek window (mos_options.peek_window, MOS_OPT_PEEK_WINDOW) before
 * they were read are skipped and counted (mos_peek_skipped()); after a gap
 * the bytes before it cannot be read any more.
 *
 * Return: the number of bytes copied, 0 when there is nothing new; -EBADF
 * for a socket that is not a connection or a bad side.
 */
ssize_t mos_peek(struct mos_ctx *mctx, int sock, int side, void *buf,
		 size_t len);

/**
 * mos_ppeek() - read kept bytes at a stream offset
 * @mctx: the context
 * @sock: a connection's socket
 * @side: the receiving side, MOS_SIDE_CLI or MOS_SIDE_SVR
 * @buf: where to copy them
 * @len: room at @buf
 * @off: stream offset of the first byte wanted (0 is the byte after the
 *	SYN; mos_event_info.off of NEW_DATA)
 *
 * Does not move mos_peek()'s position.
 *
 * Return: the number of bytes copied (fewer than @len when fewer were
 * delivered after @off; 0 at the end); -ERANGE when @off is older than
 * the window or beyond the bytes delivered; -EBADF for a socket that is
 * not a connection or a bad side.
 */
ssize_t mos_ppeek(struct mos_ctx *mctx, int sock, int side, void *buf,
		  size_t len, uint64_t off);

/**
 * mos_peek_skipped() - bytes mos_peek() could not read in time
 * @mctx: the context
 * @sock: a connection's socket
 * @side: the receiving side
 *
 * Return: the bytes of the stream that left the peek window before
 * mos_peek() read them; 0 for a socket that is not a connection or a bad
 * side.
 */
uint64_t mos_peek_skipped(struct mos_ctx *mctx, int sock, int side);
/**
 * mos_set_overlap_policy() - overlap policy of the bytes a side receives
 * @mctx: the context
 * @sock: a connection's socket
 * @side: the receiving side
 * @policy: MOS_OVERLAP_POLICY_*
 *
 * Offline it applies to the next overlap, so setting it in CONN_START
 * covers the whole connection. Live it is a request to the kernel
 * (MOS_CMD_FLOW_SET) and applies from when the kernel receives it; the
 * packet whose event is being dispatched was already processed.
 *
 * Return: 0; -EBADF, -EINVAL; live, the kernel's error (-ENOENT: it no
 * longer tracks the connection).
 */
int mos_set_overlap_policy(struct mos_ctx *mctx, int sock, int side,
			   int policy);

/**
 * mos_stop_side() - stop reassembling the bytes a side receives
 * @mctx: the context
 * @sock: a connection's socket
 * @side: the receiving side
 *
 * No further NEW_DATA, REXMIT, GAP or CAP events of that stream. Live the
 * kernel stops from when it receives the request; the events of that
 * stream still in the ring are dropped here.
 *
 * Return: 0; -EBADF, -EINVAL; live, the kernel's error.
 */
int mos_stop_side(struct mos_ctx *mctx, int sock, int side);

/**
 * mos_bind_monitor_filter() - choose what a monitoring socket sees
 * @mctx: the context
 * @sock: 0 (the stream socket) or 1 (the raw socket)
 * @kind: MOS_FILTER_KIND_SYN or MOS_FILTER_KIND_ORPHAN on the stream socket,
 *	MOS_FILTER_KIND_RAW on the raw socket
 * @expr: a filter in pcap syntax (pcap-filter(7)), run on the packet from
 *	its IP header on; NULL or "" removes the filter (everything passes)
 *
 * A SYN filter is run on the packet that starts a connection (its first
 * SYN, or the packet a midstream pickup starts from): connections it
 * rejects are not reported to this context at all (no event, not even
 * CONN_START) and, when no other consumer wants their bytes, are tracked
 * metadata-only. An ORPHAN filter selects the ORPHAN events, a RAW filter
 * the packets the raw socket's PKT_IN callbacks get. Filters are compiled
 * here by libpcap; live, the kernel runs them (classic BPF). Binding again
 * replaces the filter; a SYN filter applies to connections that start
 * afterwards.
 *
 * Return: 0; -EBADF for a socket that was not created, -EINVAL for a kind
 * the socket has no use for or an expression libpcap rejects
 * (mos_filter_error() says why), -ENOMEM; live, the kernel's error.
 */
int mos_bind_monitor_filter(struct mos_ctx *mctx, int sock, int kind,
			    const char *expr);

/**
 * mos_filter_error() - why the last filter was rejected
 * @mctx: the context
 *
 * Return: libpcap's message for the last expression
 * mos_bind_monitor_filter() rejected with -EINVAL, or "" when none was.
 */
const char *mos_filter_error(struct mos_ctx *mctx);

/**
 * struct mos_pkt_info - a packet, as mos_getlastpkt() shows it
 * @ts_ns: capture time offline; live, the kernel's CLOCK_MONOTONIC time
 * @side: the endpoint that sent it (MOS_SIDE_CLI/SVR), -1 for a packet
 *	of no connection
 * @ip_version: 4 or 6
 * @saddr: source address, IPv4 as IPv4-mapped IPv6
 * @daddr: destination address, likewise
 * @sport: source port, host order
 * @dport: destination port, host order
 * @ip: the packet from its IP header on; valid until the callback returns
 * @ip_len: bytes at @ip: the whole packet offline (as captured), the
 *	IP and TCP headers live
 * @tcp: the TCP header, inside @ip
 * @tcp_hdr_len: its length, options included
 * @payload: the TCP payload, inside @ip, or NULL when not at hand (live)
 * @payload_len: the TCP payload's length on the wire
 * @wire_len: the packet's length from its IP header on, on the wire
 * @seq: sequence number, host order
 * @ack: acknowledgment number, host order
 * @window: window field as sent (not scaled)
 * @tcp_flags: TCP flags (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10)
 */
struct mos_pkt_info {
	uint64_t ts_ns;
	int side;
	int ip_version;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;
	uint16_t dport;
	const uint8_t *ip;
	uint32_t ip_len;
	const uint8_t *tcp;
	uint32_t tcp_hdr_len;
	const uint8_t *payload;
	uint32_t payload_len;
	uint32_t wire_len;
	uint32_t seq;
	uint32_t ack;
	uint16_t window;
	uint8_t tcp_flags;
};

/**
 * mos_getlastpkt() - the packet behind the event being dispatched
 * @mctx: the context
 * @sock: the socket the callback got
 * @side: MOS_SIDE_CLI or MOS_SIDE_SVR: the packet must have been sent by
 *	that endpoint; MOS_SIDE_BOTH: whichever sent it
 * @pi: filled in
 *
 * Only inside a callback. Live, the kernel sends packet headers with
 * CONN_START, PKT_IN and ORPHAN events; with mos_options.last_packet
 * every event of a packet has them.
 *
 * Return: 0; -ENOENT outside a callback; -ENODATA when the event has no
 * packet (timeout, end of input, timer; live, no headers were sent for
 * it) or @side did not send it; -EBADF, -EINVAL.
 */
int mos_getlastpkt(struct mos_ctx *mctx, int sock, int side,
		   struct mos_pkt_info *pi);

/**
 * mos_getpeername() - an endpoint's address
 * @mctx: the context
 * @sock: a connection's socket
 * @side: MOS_SIDE_CLI or MOS_SIDE_SVR
 * @addr: filled with a struct sockaddr_in or sockaddr_in6 (IPv4
 *	connections as sockaddr_in), truncated to *@addrlen bytes
 * @addrlen: in: room at @addr; out: the address's full size
 *
 * Return: 0; -EBADF for an unknown socket, -EINVAL for a bad side.
 */
int mos_getpeername(struct mos_ctx *mctx, int sock, int side,
		    struct sockaddr *addr, socklen_t *addrlen);

/* Room for the longest text mos_endpoint_str() writes. */
#define MOS_ENDPOINT_STRLEN	56

/**
 * mos_endpoint_str() - an address and port as text
 * @ss: a struct sockaddr_in or sockaddr_in6 (as mos_get_flow_info() and
 *	mos_getpeername() give)
 * @buf: where to write "a.b.c.d:port" or "[v6]:port"
 * @len: its size (MOS_ENDPOINT_STRLEN always suffices); the text is cut
 *	to fit, always terminated
 *
 * Return: @buf.
 */
char *mos_endpoint_str(const struct sockaddr_storage *ss, char *buf,
		       size_t len);

/* Options of mos_getsockopt() / mos_setsockopt(): get (G), set (S). */
#define MOS_OPT_TCP_STATE	1	/* G int: the side's TCP state */
#define MOS_OPT_BUF_INFO	2	/* G struct mos_buf_info */
#define MOS_OPT_FRAG_INFO	3	/* G struct mos_frag[]: held segments */
#define MOS_OPT_PEEK_WINDOW	4	/* GS uint32_t: bytes kept to peek */
#define MOS_OPT_BUF_SIZE	5	/* GS uint32_t: reassembly buffer; 0 =
					 * metadata only (no bytes, no NEW_DATA)
					 */
#define MOS_OPT_OVERLAP_POLICY	6	/* GS int: MOS_OVERLAP_POLICY_* */
#define MOS_OPT_STOP_MON	7	/* S int 1: stop monitoring the side's
					 * stream (MOS_SIDE_BOTH: the whole
					 * connection: no more events)
					 */

/**
 * struct mos_buf_info - the stream a side receives (MOS_OPT_BUF_INFO)
 * @isn: the sender's initial sequence number (host order)
 * @next_off: stream offset of the next byte to deliver: bytes delivered
 *	and gaps so far
 * @peek_start: first offset mos_ppeek() can still read
 * @peek_window: bytes kept for peeking
 * @held_bytes: bytes held by reassembly (out of order or not yet
 *	acknowledged); live, 0 (the kernel holds them)
 * @buf_size: reassembly buffer size of the stream (the engine's per-flow
 *	cap unless set), 0 when metadata-only or stopped
 */
struct mos_buf_info {
	uint32_t isn;
	uint64_t next_off;
	uint64_t peek_start;
	uint32_t peek_window;
	uint32_t held_bytes;
	uint32_t buf_size;
};

/**
 * struct mos_frag - a held segment (MOS_OPT_FRAG_INFO)
 * @off: its stream offset
 * @len: its length
 */
struct mos_frag {
	uint64_t off;
	uint32_t len;
};

/**
 * mos_getsockopt() - read an option of one side of a connection
 * @mctx: the context
 * @sock: a connection's socket
 * @side: MOS_SIDE_CLI or MOS_SIDE_SVR (the receiving side for stream
 *	options)
 * @opt: MOS_OPT_*
 * @val: where to store it
 * @len: in: room at @val; out: bytes stored. For MOS_OPT_FRAG_INFO as
 *	many whole entries as fit are stored, never more
 *
 * Return: 0, or for MOS_OPT_FRAG_INFO the number of held segments (more
 * than were stored when @val was too small); -EBADF, -EINVAL (unknown
 * option, bad side, @len too small for a fixed-size option),
 * -EOPNOTSUPP (MOS_OPT_FRAG_INFO live: the kernel holds the segments).
 */
int mos_getsockopt(struct mos_ctx *mctx, int sock, int side, int opt,
		   void *val, socklen_t *len);

/**
 * mos_setsockopt() - change an option of one side of a connection
 * @mctx: the context
 * @sock: a connection's socket
 * @side: MOS_SIDE_CLI or MOS_SIDE_SVR; MOS_SIDE_BOTH where it says so
 * @opt: MOS_OPT_PEEK_WINDOW, MOS_OPT_BUF_SIZE, MOS_OPT_OVERLAP_POLICY,
 *	MOS_OPT_STOP_MON
 * @val: the value
 * @len: its size
 *
 * Settable from CONN_START on, so a connection can be given its policy and
 * buffers before any byte. Live, MOS_OPT_BUF_SIZE, MOS_OPT_OVERLAP_POLICY
 * and MOS_OPT_STOP_MON are requests to the kernel, applied when it
 * receives them.
 *
 * Return: 0; -EBADF, -EINVAL, -ENOMEM; live, the kernel's error.
 */
int mos_setsockopt(struct mos_ctx *mctx, int sock, int side, int opt,
		   const void *val, socklen_t len);

/**
 * mos_settimer() - call back once after a delay
 * @mctx: the context
 * @sock: a connection's socket (the timer is cancelled when its
 *	connection is released after CONN_END) or 0 (none)
 * @after_ms: delay in milliseconds
 * @cb: called with (mctx, @sock, MOS_SIDE_BOTH, MOS_ON_TIMER, @arg)
 * @arg: its argument
 *
 * The clock is the capture's time offline (a timer fires before the first
 * packet stamped at or after its deadline; timers pending at the end of
 * the capture never fire) and CLOCK_MONOTONIC live (mos_run() and
 * mos_run_once() wait no longer than the next deadline).
 *
 * Return: the timer's id (> 0); -EBADF, -EINVAL, -ENOMEM.
 */
int mos_settimer(struct mos_ctx *mctx, int sock, uint64_t after_ms,
		 mos_callback_t cb, void *arg);

/**
 * mos_cancel_timer() - cancel a timer that has not fired
 * @mctx: the context
 * @id: what mos_settimer() returned
 *
 * Return: 0; -ENOENT when it fired, was cancelled or never existed.
 */
int mos_cancel_timer(struct mos_ctx *mctx, int id);

/**
 * mos_flow_drop() - drop a connection's packets from now on
 * @mctx: the context
 * @sock: a connection's socket
 *
 * Live, the kernel drops every later packet of the connection (both
 * directions) at the hook, so it stalls; the connection ends by timeout.
 * Offline, the engine ignores its later packets as if they had been
 * dropped (counted in mos_stats.dropped) and it ends by timeout or at the
 * end of the capture.
 *
 * Return: 0; -EBADF; live, the kernel's error (-ENOENT when it no longer
 * tracks the connection).
 */
int mos_flow_drop(struct mos_ctx *mctx, int sock);

/**
 * mos_flow_reset() - reset both endpoints of a connection
 * @mctx: the context
 * @sock: a connection's socket
 *
 * Live, the kernel sends each endpoint an in-window RST and drops the
 * connection's later packets; it ends with reason rst. Offline, nothing
 * can be sent: it ends at once with reason rst and its later packets are
 * ignored (counted in mos_stats.dropped).
 *
 * Return: 0; -EBADF; live, the kernel's error.
 */
int mos_flow_reset(struct mos_ctx *mctx, int sock);

/**
 * mos_options_load() - read settings from a configuration file
 * @opt: the options to update (fields the file does not name are kept)
 * @path: the file: mOS's mos.conf syntax, whose "mos { ... }" block is
 *	read (see mos.conf(5) in Documentation/)
 *
 * Return: 0; -ENOENT or another errno when it cannot be read, -EINVAL for
 * a syntax error or a value out of range.
 */
int mos_options_load(struct mos_options *opt, const char *path);

/**
 * struct mos_stats - counters of a context's engine
 *
 * Live, the engine is the kernel's (its counters: mosctl stats); a live
 * context fills only @payload_bytes (stream bytes delivered, NEW_DATA),
 * @flows, @flows_peak (connections seen, most open at once), @gap_bytes
 * (the kernel's gaps and those of lost records), @flow_bytes (the
 * library's state per connection, peek windows excluded) and the ring_*
 * counters; the others are 0.
 *
 * @packets: packets processed
 * @tcp_packets: TCP packets among them
 * @payload_bytes: TCP payload bytes seen
 * @bad_headers: malformed headers
 * @bad_csum: bad checksums
 * @orphans: packets of no tracked connection
 * @out_of_window: segments outside the window
 * @flows: connections tracked in all
 * @flows_peak: most connections at once
 * @evicted: connections evicted by a full table
 * @timeouts: connections ended by timeout
 * @gap_bytes: bytes reported as gaps
 * @capped_bytes: bytes dropped by buffer caps
 * @dropped: offline: packets ignored after mos_flow_drop()/mos_flow_reset()
 * @engine_mem_peak: most bytes the engine held at once
 * @flow_bytes: bytes of engine state per connection
 * @ring_records: live: records read from the rings
 * @ring_lost_events: live: events the kernel dropped because this
 *	context's rings were full
 * @ring_lost_bytes: live: payload bytes of those
 */
struct mos_stats {
	uint64_t packets;
	uint64_t tcp_packets;
	uint64_t payload_bytes;
	uint64_t bad_headers;
	uint64_t bad_csum;
	uint64_t orphans;
	uint64_t out_of_window;
	uint64_t flows;
	uint64_t flows_peak;
	uint64_t evicted;
	uint64_t timeouts;
	uint64_t gap_bytes;
	uint64_t capped_bytes;
	uint64_t dropped;
	uint64_t engine_mem_peak;
	uint64_t flow_bytes;
	uint64_t ring_records;
	uint64_t ring_lost_events;
	uint64_t ring_lost_bytes;
};

/**
 * mos_get_stats() - counters of a context's engine
 * @mctx: the context
 * @st: filled in (see struct mos_stats for what live contexts fill)
 *
 * Return: 0.
 */
int mos_get_stats(struct mos_ctx *mctx, struct mos_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* MOS_MOS_H */
