/* SPDX-License-Identifier: LGPL-2.1 OR MIT */
/*
 * The window of delivered bytes an application may still peek at, per
 * connection and direction: a ring that grows on demand up to the window
 * size, so idle and small connections cost little.
 */
#ifndef MOS_PEEKBUF_H
#define MOS_PEEKBUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * struct mos_peekbuf - delivered bytes of one direction
 * @data: the ring (NULL until the first byte)
 * @cap: its size, a power of two
 * @begin: stream offset of the oldest byte kept
 * @end: stream offset after the newest byte
 * @read: stream offset of the next byte mos_peek() returns
 * @skipped: bytes mos_peek() had to skip (overwritten or gaps)
 */
struct mos_peekbuf {
	uint8_t *data;
	uint32_t cap;
	uint64_t begin;
	uint64_t end;
	uint64_t read;
	uint64_t skipped;
};

int mos_peekbuf_append(struct mos_peekbuf *b, uint32_t window, uint64_t off,
		       const uint8_t *data, uint32_t len);
ssize_t mos_peekbuf_read(struct mos_peekbuf *b, void *buf, size_t len);
ssize_t mos_peekbuf_pread(const struct mos_peekbuf *b, void *buf, size_t len,
			  uint64_t off);
void mos_peekbuf_release(struct mos_peekbuf *b);

#endif /* MOS_PEEKBUF_H */
