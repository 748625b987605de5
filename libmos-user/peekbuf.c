// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Peek windows. Bytes are stored at (stream offset & (cap - 1)), so the
 * ring never needs to know where it "starts"; growing re-lays the kept
 * bytes out for the new size.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine/platform.h"
#include "peekbuf.h"

#define PEEKBUF_MIN	4096u

static uint32_t roundup_pow2(uint32_t v)
{
	uint32_t p = PEEKBUF_MIN;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

static void ring_copy_in(struct mos_peekbuf *b, uint64_t off,
			 const uint8_t *src, uint32_t len)
{
	uint32_t pos = off & (b->cap - 1), first = b->cap - pos;

	if (first > len)
		first = len;
	memcpy(b->data + pos, src, first);
	memcpy(b->data, src + first, len - first);
}

static void ring_copy_out(const struct mos_peekbuf *b, uint64_t off,
			  uint8_t *dst, uint32_t len)
{
	uint32_t pos = off & (b->cap - 1), first = b->cap - pos;

	if (first > len)
		first = len;
	memcpy(dst, b->data + pos, first);
	memcpy(dst + first, b->data, len - first);
}

static int grow(struct mos_peekbuf *b, uint32_t want)
{
	struct mos_peekbuf nb = *b;

	nb.cap = roundup_pow2(want);
	if (nb.cap <= b->cap)
		return 0;
	nb.data = mos_buf_alloc(nb.cap);
	if (!nb.data)
		return -ENOMEM;
	if (b->data) {
		uint64_t n = b->end - b->begin;
		uint8_t *tmp = malloc(n ? n : 1);

		if (!tmp) {
			mos_buf_free(nb.data, nb.cap);
			return -ENOMEM;
		}
		ring_copy_out(b, b->begin, tmp, n);
		ring_copy_in(&nb, b->begin, tmp, n);
		free(tmp);
		mos_buf_free(b->data, b->cap);
	}
	*b = nb;
	return 0;
}

/**
 * mos_peekbuf_append() - keep newly delivered bytes
 * @b: the window
 * @window: most bytes to keep (0: keep nothing)
 * @off: stream offset of @data; above @b->end when a gap came first
 * @data: the bytes
 * @len: their count
 *
 * Return: 0 or -ENOMEM (the bytes are then not kept).
 */
int mos_peekbuf_append(struct mos_peekbuf *b, uint32_t window, uint64_t off,
		       const uint8_t *data, uint32_t len)
{
	uint64_t kept;
	int ret;

	if (off != b->end) {
		/* A gap: older bytes stay readable only up to it. */
		b->begin = off;
		b->end = off;
	}
	if (!window || !len) {
		b->begin = off + len;
		b->end = off + len;
		return 0;
	}
	kept = b->end - b->begin + len;
	if (kept > window)
		kept = window;
	if (kept > b->cap) {
		ret = grow(b, kept);
		if (ret) {
			b->begin = off + len;
			b->end = off + len;
			return ret;
		}
	}
	if (len > b->cap) {
		data += len - b->cap;
		off += len - b->cap;
		len = b->cap;
	}
	ring_copy_in(b, off, data, len);
	b->end = off + len;
	if (b->end - b->begin > b->cap)
		b->begin = b->end - b->cap;
	if (b->end - b->begin > window)
		b->begin = b->end - window;
	return 0;
}

/**
 * mos_peekbuf_read() - read the bytes not read yet
 * @b: the window
 * @buf: destination
 * @len: its size
 *
 * Bytes that left the window before they were read are skipped and
 * counted in @b->skipped.
 *
 * Return: bytes copied (0: nothing new).
 */
ssize_t mos_peekbuf_read(struct mos_peekbuf *b, void *buf, size_t len)
{
	uint64_t n;

	if (b->read < b->begin) {
		b->skipped += b->begin - b->read;
		b->read = b->begin;
	}
	if (b->read > b->end)	/* never after what was delivered */
		b->read = b->end;
	n = b->end - b->read;
	if (n > len)
		n = len;
	if (n)
		ring_copy_out(b, b->read, buf, n);
	b->read += n;
	return n;
}

/**
 * mos_peekbuf_pread() - read kept bytes at a stream offset
 * @b: the window
 * @buf: destination
 * @len: its size
 * @off: stream offset of the first byte wanted
 *
 * Return: bytes copied; -ERANGE when @off is older than the window (the
 * bytes are gone) or beyond what was delivered.
 */
ssize_t mos_peekbuf_pread(const struct mos_peekbuf *b, void *buf, size_t len,
			  uint64_t off)
{
	uint64_t n;

	if (off < b->begin || off > b->end)
		return -ERANGE;
	n = b->end - off;
	if (n > len)
		n = len;
	if (n)
		ring_copy_out(b, off, buf, n);
	return n;
}

/**
 * mos_peekbuf_release() - free the window's memory
 * @b: the window
 */
void mos_peekbuf_release(struct mos_peekbuf *b)
{
	mos_buf_free(b->data, b->cap);
	memset(b, 0, sizeof(*b));
}
