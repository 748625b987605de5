// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Consumer side of a /dev/mos ring: acquire the producer's position, read
 * and validate records in place, release the consumer's position. The
 * pairing is the one AF_XDP's rings use (tools/lib/bpf/xsk.h): the
 * producer writes a record, then stores its position with release; the
 * consumer loads that position with acquire, so the record's bytes are
 * visible, and stores its own position with release only after it has
 * read them, so the producer never overwrites bytes still being read.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <mos/mos.h>
#include "ring_reader.h"

#define REC_HDR		((uint32_t)sizeof(struct mos_rec))

static_assert(sizeof(struct mos_rec) % MOS_RING_ALIGN == 0,
	      "payload starts aligned");

static int corrupt(struct mos_ring_reader *r)
{
	r->error = -EBADMSG;
	r->step = 0;
	return r->error;
}

/**
 * mos_ring_reader_init() - start reading a mapped ring
 * @r: the reader
 * @cons: the ring's consumer page, mapped writable
 * @ctrl: its control page
 * @data: its data area, mapped twice back to back (2 * @data_bytes)
 * @data_bytes: size of the data area, as MOS_IOC_ATTACH returned it
 *
 * Reading starts where the consumer page says (0 on a new ring).
 *
 * Return: 0; -EINVAL when @data_bytes is not a power of two within the
 * ABI's bounds or differs from the control page's; -EBADMSG when the
 * consumer page holds a misaligned position.
 */
int mos_ring_reader_init(struct mos_ring_reader *r,
			 struct mos_ring_cons *cons,
			 const struct mos_ring_ctrl *ctrl, const void *data,
			 uint32_t data_bytes)
{
	memset(r, 0, sizeof(*r));
	if (data_bytes < MOS_RING_MIN_BYTES ||
	    data_bytes > MOS_RING_MAX_BYTES ||
	    (data_bytes & (data_bytes - 1)) ||
	    __atomic_load_n(&ctrl->data_bytes, __ATOMIC_RELAXED) != data_bytes)
		return -EINVAL;
	r->cons = cons;
	r->ctrl = ctrl;
	r->data = data;
	r->mask = data_bytes - 1;
	r->consumer = __atomic_load_n(&cons->consumer, __ATOMIC_RELAXED);
	r->published = r->consumer;
	r->producer = r->consumer;
	if (r->consumer % MOS_RING_ALIGN)
		return corrupt(r);
	return 0;
}

/*
 * The producer's position, with acquire: the records before it are
 * complete. A position that is misaligned or claims more than the whole
 * ring is not one a correct producer can publish.
 */
static int load_producer(struct mos_ring_reader *r)
{
	uint64_t p = __atomic_load_n(&r->ctrl->producer, __ATOMIC_ACQUIRE);

	if (p % MOS_RING_ALIGN || p - r->consumer > (uint64_t)r->mask + 1)
		return corrupt(r);
	r->producer = p;
	return 0;
}

/**
 * mos_ring_reader_avail() - how many bytes of records are ready now
 * @r: the reader
 *
 * Reads the producer's position (acquire). Reading records up to
 * consumer + the returned count never reads the producer's position
 * again, so a loop over them is bounded by what was there at this call.
 *
 * Return: the byte count (at most the ring size), or -EBADMSG.
 */
int mos_ring_reader_avail(struct mos_ring_reader *r)
{
	if (r->error)
		return r->error;
	if (load_producer(r))
		return r->error;
	return (int)(r->producer - r->consumer);
}

/* Header checks that need no state: kind, type, sizes, addresses. */
static bool rec_valid(const struct mos_rec *h, uint64_t avail)
{
	uint64_t step = ((uint64_t)h->size + MOS_RING_ALIGN - 1) &
			~(uint64_t)(MOS_RING_ALIGN - 1);

	if (h->size < REC_HDR || step > avail)
		return false;
	switch (h->kind) {
	case MOS_REC_LOST:
		return true;
	case MOS_REC_EVENT:
		break;
	default:
		return false;
	}
	if (h->type >= MOS_NUM_BUILTIN || h->hook > MOS_HK_RCV ||
	    h->side > MOS_SIDE_SVR)
		return false;
	/*
	 * NEW_DATA's payload follows the header, the packet headers of
	 * PKT_IN, ORPHAN and CONN_START may, and nothing else does.
	 */
	switch (h->type) {
	case MOS_ON_CONN_NEW_DATA:
		if (h->len > MOS_REC_MAX_PAYLOAD ||
		    h->size != REC_HDR + h->len)
			return false;
		break;
	case MOS_ON_PKT_IN:
	case MOS_ON_ORPHAN:
	case MOS_ON_CONN_START:
		if (h->size != REC_HDR &&
		    (h->len > MOS_REC_MAX_HEADERS ||
		     h->size != REC_HDR + h->len))
			return false;
		break;
	default:
		if (h->size != REC_HDR)
			return false;
	}
	/* A connection's record carries its addresses. */
	if (h->flow_id && h->ip_version != 4 && h->ip_version != 6)
		return false;
	return true;
}

/**
 * mos_ring_reader_next() - the next record, if there is one
 * @r: the reader
 * @hdr: set to a copy of the record's header (validated)
 * @payload: set to the bytes after the header, in the ring; valid until
 *	the record is published back to the producer (after
 *	mos_ring_reader_consume(), at the latest at the next
 *	mos_ring_reader_publish() or mos_ring_reader_idle())
 *
 * Returns the same record until mos_ring_reader_consume() is called. The
 * header is copied so that what was validated is what the caller uses.
 *
 * Return: 1 with a record, 0 when the ring is empty, -EBADMSG when it is
 * corrupt (from then on, always).
 */
int mos_ring_reader_next(struct mos_ring_reader *r, struct mos_rec *hdr,
			 const uint8_t **payload)
{
	const uint8_t *p;
	uint64_t avail;

	if (r->error)
		return r->error;
	if (r->consumer == r->producer) {
		if (load_producer(r))
			return r->error;
		if (r->consumer == r->producer)
			return 0;
	}
	avail = r->producer - r->consumer;
	if (avail < REC_HDR)
		return corrupt(r);
	/* Never wraps: the data area is mapped twice back to back. */
	p = r->data + (r->consumer & r->mask);
	memcpy(hdr, p, sizeof(*hdr));
	if (!rec_valid(hdr, avail))
		return corrupt(r);
	r->step = (hdr->size + MOS_RING_ALIGN - 1) & ~(MOS_RING_ALIGN - 1);
	*payload = p + REC_HDR;
	return 1;
}

/**
 * mos_ring_reader_consume() - done with the record mos_ring_reader_next()
 *	returned
 * @r: the reader
 *
 * Its space goes back to the producer at the next publish; so that a busy
 * producer is not starved while a long batch is read, that happens here
 * already whenever a quarter of the ring was consumed since the last one.
 */
void mos_ring_reader_consume(struct mos_ring_reader *r)
{
	r->consumer += r->step;
	r->step = 0;
	if (r->consumer - r->published > ((uint64_t)r->mask + 1) / 4)
		mos_ring_reader_publish(r);
}

/**
 * mos_ring_reader_publish() - give consumed records back to the producer
 * @r: the reader
 *
 * Release: every read of those records happens before the producer can
 * see their space as free.
 */
void mos_ring_reader_publish(struct mos_ring_reader *r)
{
	if (r->consumer == r->published)
		return;
	__atomic_store_n(&r->cons->consumer, r->consumer, __ATOMIC_RELEASE);
	r->published = r->consumer;
}

/**
 * mos_ring_reader_idle() - whether the consumer may sleep on this ring
 * @r: the reader
 *
 * Publishes, then looks at the producer's position again behind a full
 * barrier. The producer stores its position, then reads the consumer's to
 * decide whether the ring was empty (and a wakeup is due); without the
 * barrier our store of the consumer position could be ordered after our
 * load of the producer's, both sides would see stale values, and the
 * consumer would sleep on a non-empty ring with no wakeup coming (the
 * lost wakeup once found in libbpf's ring buffer).
 *
 * Return: true when the ring is empty and the caller may poll(); false
 * when there is something to read (or the ring is corrupt, which the
 * next mos_ring_reader_next() reports).
 */
bool mos_ring_reader_idle(struct mos_ring_reader *r)
{
	if (r->error)
		return false;
	mos_ring_reader_publish(r);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load_producer(r))
		return false;
	return r->producer == r->consumer;
}
