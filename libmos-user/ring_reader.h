/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * The consumer side of one /dev/mos event ring (include/uapi/linux/
 * mos_ring.h, Documentation/ring.md): reads and validates the records one
 * producer wrote, and hands the space back.
 *
 * Nothing here trusts the ring: a producer position that is not aligned or
 * runs more than the ring size ahead, a record shorter than its header or
 * longer than what was produced, an unknown kind or event type, a NEW_DATA
 * whose size disagrees with its length — each makes the reader fail with
 * -EBADMSG and stay failed (the next record cannot be found any more).
 *
 * The reader never writes anything but the consumer page, and only with
 * release semantics after the records it gives back were read.
 */
#ifndef MOS_RING_READER_H
#define MOS_RING_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/mos_ring.h>

/**
 * struct mos_ring_reader - the consumer of one ring
 * @cons: the consumer page (the only page written)
 * @ctrl: the producer's control page
 * @data: the data area, mapped twice back to back
 * @mask: data bytes - 1 (a power of two minus one)
 * @consumer: position after the last record consumed
 * @published: the position last stored in @cons
 * @producer: the producer position last read
 * @step: bytes the record returned by the last mos_ring_reader_next()
 *	takes, padding included (0: none pending)
 * @error: sticky: 0, or -EBADMSG once the ring was found corrupt
 */
struct mos_ring_reader {
	struct mos_ring_cons *cons;
	const struct mos_ring_ctrl *ctrl;
	const uint8_t *data;
	uint32_t mask;
	uint64_t consumer;
	uint64_t published;
	uint64_t producer;
	uint32_t step;
	int error;
};

int mos_ring_reader_init(struct mos_ring_reader *r,
			 struct mos_ring_cons *cons,
			 const struct mos_ring_ctrl *ctrl, const void *data,
			 uint32_t data_bytes);
int mos_ring_reader_next(struct mos_ring_reader *r, struct mos_rec *hdr,
			 const uint8_t **payload);
void mos_ring_reader_consume(struct mos_ring_reader *r);
void mos_ring_reader_publish(struct mos_ring_reader *r);
int mos_ring_reader_avail(struct mos_ring_reader *r);
bool mos_ring_reader_idle(struct mos_ring_reader *r);

#endif /* MOS_RING_READER_H */
