// SPDX-License-Identifier: LGPL-2.1 OR MIT
/*
 * Peek windows: a chain of stream segments holding the last delivered
 * bytes. A segment the engine delivers whole is linked in as it is;
 * other bytes are copied into the newest segment's spare room or into a
 * new one, each new one up to twice the size of the one before, so that
 * a long stream costs few allocations and a short one little memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine/platform.h"
#include "engine/reasm.h"
#include "peekbuf.h"

/* Allocation sizes, header included, up to the engine's largest. */
#define PIECE_ALLOC_MIN	1024u
#define PIECE_ALLOC_MAX	MOS_REASM_ALLOC_MAX
#define PIECE_BUF_MAX	(PIECE_ALLOC_MAX - sizeof(struct mos_reasm_seg))

static uint64_t seg_end(const struct mos_reasm_seg *s)
{
	return s->off + s->len;
}

static void drop_all(struct mos_peekbuf *b, uint64_t at)
{
	struct mos_reasm_seg *s;

	while ((s = b->first)) {
		b->first = s->next;
		mos_reasm_seg_free(s);
	}
	b->last = NULL;
	b->begin = at;
	b->end = at;
}

/* Keep the last @window bytes: free the segments wholly before them. */
static void trim(struct mos_peekbuf *b, uint32_t window)
{
	struct mos_reasm_seg *s;

	if (b->end - b->begin > window)
		b->begin = b->end - window;
	while ((s = b->first) && seg_end(s) <= b->begin) {
		b->first = s->next;
		mos_reasm_seg_free(s);
	}
	if (!b->first)
		b->last = NULL;
}

static void link_seg(struct mos_peekbuf *b, struct mos_reasm_seg *s)
{
	s->next = NULL;
	if (b->last)
		b->last->next = s;
	else
		b->first = s;
	b->last = s;
	b->end = seg_end(s);
}

/* A new segment for @len of the bytes still to copy (at least one). */
static struct mos_reasm_seg *piece_new(const struct mos_peekbuf *b,
				       uint32_t window, uint64_t off,
				       uint32_t len)
{
	size_t want = b->last ? sizeof(*b->last) + 2 * (size_t)b->last->cap :
				PIECE_ALLOC_MIN;
	struct mos_reasm_seg *s;
	size_t cap;

	if (want > PIECE_ALLOC_MAX)
		want = PIECE_ALLOC_MAX;
	cap = want - sizeof(*s);
	if (cap < len)
		cap = len < PIECE_BUF_MAX ? len : PIECE_BUF_MAX;
	if (cap > window && len <= window)
		cap = window;	/* a small window needs no more */
	s = mos_buf_alloc(sizeof(*s) + cap);
	if (!s)
		return NULL;
	s->off = off;
	s->len = 0;
	s->head = 0;
	s->cap = cap;
	return s;
}

/**
 * mos_peekbuf_append() - keep a copy of newly delivered bytes
 * @b: the window
 * @window: most bytes to keep (0: keep nothing)
 * @off: stream offset of @data; above @b->end when a gap came first
 * @data: the bytes
 * @len: their count
 *
 * Return: 0 or -ENOMEM (the window then restarts after these bytes).
 */
int mos_peekbuf_append(struct mos_peekbuf *b, uint32_t window, uint64_t off,
		       const uint8_t *data, uint32_t len)
{
	struct mos_reasm_seg *s;
	uint32_t k;

	if (!window || !len) {
		drop_all(b, off + len);
		return 0;
	}
	/* After a gap, the older bytes are not readable. */
	if (off != b->end)
		drop_all(b, off);
	if (len > window) {
		drop_all(b, off + len - window);
		data += len - window;
		off += len - window;
		len = window;
	}
	s = b->last;
	if (s && seg_end(s) == off && s->head + s->len < s->cap) {
		k = s->cap - s->head - s->len;
		if (k > len)
			k = len;
		memcpy(s->buf + s->head + s->len, data, k);
		s->len += k;
		b->end += k;
		off += k;
		data += k;
		len -= k;
	}
	while (len) {
		s = piece_new(b, window, off, len);
		if (!s) {
			drop_all(b, off + len);
			return -ENOMEM;
		}
		k = len < s->cap ? len : s->cap;
		memcpy(s->buf, data, k);
		s->len = k;
		link_seg(b, s);
		off += k;
		data += k;
		len -= k;
	}
	trim(b, window);
	return 0;
}

/**
 * mos_peekbuf_adopt() - keep a delivered segment itself
 * @b: the window
 * @window: most bytes to keep (0: keep nothing)
 * @seg: the segment the engine handed over (&struct mos_reasm_ops); the
 *	window owns it from now on and frees it when its bytes leave
 */
void mos_peekbuf_adopt(struct mos_peekbuf *b, uint32_t window,
		       struct mos_reasm_seg *seg)
{
	if (!window) {
		drop_all(b, seg_end(seg));
		mos_reasm_seg_free(seg);
		return;
	}
	if (seg->off != b->end)
		drop_all(b, seg->off);
	link_seg(b, seg);
	trim(b, window);
}

/* Copy [@off, @off + @len), all inside the window, out of the segments. */
static void copy_out(const struct mos_peekbuf *b, uint64_t off, uint8_t *dst,
		     uint64_t len)
{
	const struct mos_reasm_seg *s = b->first;
	uint64_t k;

	while (len) {
		while (seg_end(s) <= off)
			s = s->next;
		k = seg_end(s) - off;
		if (k > len)
			k = len;
		memcpy(dst, s->buf + s->head + (off - s->off), k);
		dst += k;
		off += k;
		len -= k;
	}
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
		copy_out(b, b->read, buf, n);
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
		copy_out(b, off, buf, n);
	return n;
}

/**
 * mos_peekbuf_release() - free the window's memory
 * @b: the window
 */
void mos_peekbuf_release(struct mos_peekbuf *b)
{
	drop_all(b, 0);
	memset(b, 0, sizeof(*b));
}
