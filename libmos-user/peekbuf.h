/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * The window of delivered bytes an application may still peek at, per
 * connection and direction: a chain of stream segments. Offline, the
 * engine hands over each segment it delivers whole, so the bytes are not
 * copied again; bytes that come otherwise (live from the ring, or part of
 * a segment) are copied into segments of the library's own.
 */
#ifndef MOS_PEEKBUF_H
#define MOS_PEEKBUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mos_reasm_seg;

/**
 * struct mos_peekbuf - delivered bytes of one direction
 * @first: oldest segment kept (NULL: none)
 * @last: newest segment kept
 * @begin: stream offset of the oldest byte readable
 * @end: stream offset after the newest byte
 * @read: stream offset of the next byte mos_peek() returns
 * @skipped: bytes mos_peek() had to skip (overwritten or gaps)
 *
 * The segments hold [@first->off, @end) without holes; bytes below @begin
 * in @first are out of the window and no longer readable.
 */
struct mos_peekbuf {
	struct mos_reasm_seg *first;
	struct mos_reasm_seg *last;
	uint64_t begin;
	uint64_t end;
	uint64_t read;
	uint64_t skipped;
};

int mos_peekbuf_append(struct mos_peekbuf *b, uint32_t window, uint64_t off,
		       const uint8_t *data, uint32_t len);
void mos_peekbuf_adopt(struct mos_peekbuf *b, uint32_t window,
		       struct mos_reasm_seg *seg);
ssize_t mos_peekbuf_read(struct mos_peekbuf *b, void *buf, size_t len);
ssize_t mos_peekbuf_pread(const struct mos_peekbuf *b, void *buf, size_t len,
			  uint64_t off);
void mos_peekbuf_release(struct mos_peekbuf *b);

#endif /* MOS_PEEKBUF_H */
