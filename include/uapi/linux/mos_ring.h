/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * mos - flow monitoring for Linux middleboxes.
 *
 * The event rings of /dev/mos. Opening the device and attaching
 * (MOS_IOC_ATTACH) creates a consumer of the caller's network namespace:
 * one ring per engine shard, each a single-producer single-consumer queue
 * of variable-length records. Documentation/ring.md describes the protocol;
 * everything here is ABI.
 *
 * Memory map of ring R, at file offset R * MOS_RING_MMAP_STRIDE:
 *   + 0              one page: struct mos_ring_cons, the consumer's page
 *                    (the only page that may be mapped writable)
 *   + PAGE_SIZE      one page: struct mos_ring_ctrl (read-only)
 *   + 2 * PAGE_SIZE  the data area, data_bytes long, mapped twice back to
 *                    back (read-only) so that no record ever wraps
 * Map the consumer page with PROT_READ | PROT_WRITE and, separately, the
 * control page and both data copies with PROT_READ.
 *
 * Positions are free-running byte counts; a record starts at
 * (position & (data_bytes - 1)) in the data area. The producer stores its
 * position with release semantics after writing a record; the consumer
 * reads it with acquire, reads records, then stores its own position with
 * release. Before sleeping in poll() the consumer needs a full barrier
 * between storing its position and re-reading the producer's.
 */
#ifndef _UAPI_LINUX_MOS_RING_H
#define _UAPI_LINUX_MOS_RING_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define MOS_DEV_NAME		"mos"
#define MOS_RING_MMAP_STRIDE	(1ULL << 36)
#define MOS_RING_ALIGN		8
#define MOS_RING_MIN_BYTES	(64 * 1024)
#define MOS_RING_MAX_BYTES	(256 * 1024 * 1024)

/**
 * struct mos_ring_setup - argument of %MOS_IOC_ATTACH
 * @ring_bytes: in: data bytes per ring, a power of two between
 *	%MOS_RING_MIN_BYTES and %MOS_RING_MAX_BYTES, or 0 for the module's
 *	default; out: the size used
 * @nr_rings: out: number of rings (engine shards)
 * @monitor_id: out: the consumer's id, unique in its network namespace;
 *	netlink requests about this consumer name it
 * @flags: in: must be 0
 */
struct mos_ring_setup {
	__u32 ring_bytes;
	__u32 nr_rings;
	__u32 monitor_id;
	__u32 flags;
};

/* Allocate the rings of this open file; once per file. */
#define MOS_IOC_ATTACH		_IOWR('m', 1, struct mos_ring_setup)

/**
 * struct mos_ring_cons - the page the consumer writes
 * @consumer: bytes consumed so far; the kernel clamps what it reads here
 *	to [its last value, producer], so a bad value cannot harm it
 */
struct mos_ring_cons {
	__u64 consumer;
};

/**
 * struct mos_ring_ctrl - the producer's page (read-only to the consumer)
 * @producer: bytes produced so far
 * @lost_events: events dropped because the ring was full, in total
 * @lost_bytes: payload bytes of those events, in total
 * @records: records produced, in total
 * @data_bytes: size of the data area
 * @pkt_seq: the packet behind the event: records of one packet carry the
 *	same non-zero number (per ring, wrapping, never 0); 0 for events no
 *	packet caused (timeouts, actions)
 */
struct mos_ring_ctrl {
	__u64 producer;
	__u64 lost_events;
	__u64 lost_bytes;
	__u64 records;
	__u32 data_bytes;
	__u32 reserved;
};

/**
 * enum mos_rec_kind - what a record is
 * @MOS_REC_EVENT: a built-in event of a connection (or an orphan packet)
 * @MOS_REC_LOST: records were dropped before this one because the ring
 *	was full: @off holds the number of events, @len their payload bytes
 *	(since the previous LOST record). Streams the lost events belonged
 *	to have a gap: the offsets of their next NEW_DATA say how big.
 */
enum mos_rec_kind {
	MOS_REC_EVENT = 1,
	MOS_REC_LOST = 2,
};

/**
 * struct mos_rec - header of every record
 * @size: bytes of header and payload; the next record starts at the next
 *	multiple of %MOS_RING_ALIGN (padding is zero)
 * @kind: &enum mos_rec_kind
 * @type: built-in event type (MOS_EV_*, as in mos/mos.h MOS_ON_*)
 * @hook: 0 = SND, 1 = RCV
 * @side: 0 = client, 1 = server: the endpoint the event concerns
 * @code: per-event code (end reason, rexmit kind, new state, error)
 * @old_state: previous state (TCP_STATE_CHANGE)
 * @ip_version: 4 or 6 (0 for events of no packet and no connection)
 * @state: TCP state of the client and of the server after the packet
 * @flags: MOS_REC_F_*
 * @end_reason: why the connection ended (CONN_END), else 0
 * @port: client and server port, host byte order
 * @pkt_seq: the packet behind the event: records of one packet carry the
 *	same non-zero number (per ring, wrapping, never 0); 0 for events no
 *	packet caused (timeouts, actions)
 * @flow_id: the connection's id, unique in its network namespace
 * @off: stream offset of the bytes (NEW_DATA, REXMIT, gaps); for PKT_IN,
 *	ORPHAN and CONN_START, the packet's length from its IP header on; for
 *	CONN_END, where the client's stream ended (bytes delivered or
 *	reported as gaps; 0 when it was not reassembled)
 * @len: byte count; for NEW_DATA, the payload that follows the header;
 *	for PKT_IN, ORPHAN and CONN_START, the packet's IP and TCP headers
 *	that follow
 *	(options and IPv6 extension headers included);
 *	for CONN_END, where the server's stream ended
 * @ts_ns: the kernel's time (CLOCK_MONOTONIC, coarse) of the event
 * @addr: client and server address; IPv4 as IPv4-mapped IPv6. For
 *	ORPHAN (no connection, @flow_id 0) the packet's source and destination
 *	(and @port likewise)
 */
struct mos_rec {
	__u32 size;
	__u16 kind;
	__u8 type;
	__u8 hook;
	__u8 side;
	__u8 code;
	__u8 old_state;
	__u8 ip_version;
	__u8 state[2];
	__u8 flags;
	__u8 end_reason;
	__u16 port[2];
	__u32 pkt_seq;
	__u64 flow_id;
	__u64 off;
	__u64 len;
	__u64 ts_ns;
	__u8 addr[2][16];
};

/* Flags of struct mos_rec. */
#define MOS_REC_F_GUESSED	0x01	/* roles guessed (midstream pickup) */
#define MOS_REC_F_MORE		0x02	/* NEW_DATA continues in the next record */
#define MOS_REC_F_LOST		0x04	/* records of this connection were lost
					 * before this one (ring full)
					 */
#define MOS_REC_F_RAW		0x08	/* PKT_IN: the packet passed the
					 * consumer's RAW filter (or it has none)
					 */

/*
 * Most payload bytes in one record; longer NEW_DATA is split. Rings
 * smaller than 256 KiB carry at most a quarter of their size per record.
 */
#define MOS_REC_MAX_PAYLOAD	(64 * 1024)

/*
 * Most header bytes a PKT_IN, ORPHAN or CONN_START record carries; a
 * packet whose IP and TCP headers are longer (long IPv6 extension chains)
 * gives none.
 */
#define MOS_REC_MAX_HEADERS	512

#endif /* _UAPI_LINUX_MOS_RING_H */
