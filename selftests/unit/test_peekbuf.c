// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the peek window (libmos-user/peekbuf.c): bytes copied in,
 * segments taken over from the engine, the window's limit, gaps and reads.
 * Run under ASan and LeakSanitizer: every segment must be freed once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "engine/platform.h"
#include "engine/reasm.h"
#include "peekbuf.h"
#include "tap.h"

#define BIG	50000

static u8 pattern[BIG];

static unsigned int chain_len(const struct mos_peekbuf *b, u64 *capsum)
{
	const struct mos_reasm_seg *s;
	unsigned int n = 0;

	*capsum = 0;
	for (s = b->first; s; s = s->next) {
		n++;
		*capsum += s->cap;
	}
	return n;
}

/* What the engine hands over: @len bytes at @off, after @head spare ones. */
static struct mos_reasm_seg *engine_seg(u64 off, const u8 *data, u32 len,
					u32 head, u32 room)
{
	struct mos_reasm_seg *s = mos_buf_alloc(sizeof(*s) + head + len + room);

	memset(s->buf, '#', head);
	memcpy(s->buf + head, data, len);
	s->next = NULL;
	s->off = off;
	s->len = len;
	s->head = head;
	s->cap = head + len + room;
	return s;
}

static void test_copy(void)
{
	struct mos_peekbuf b = { 0 };
	char buf[64];
	ssize_t n;

	mos_peekbuf_append(&b, 65536, 0, (const u8 *)"hello", 5);
	mos_peekbuf_append(&b, 65536, 5, (const u8 *)" world", 6);
	n = mos_peekbuf_read(&b, buf, sizeof(buf));
	TAP_CHECK(n == 11 && !memcmp(buf, "hello world", 11),
		  "two appends read back as one stream");
	TAP_CHECK(mos_peekbuf_read(&b, buf, sizeof(buf)) == 0,
		  "nothing more to read");
	n = mos_peekbuf_pread(&b, buf, 4, 3);
	TAP_CHECK(n == 4 && !memcmp(buf, "lo w", 4), "pread in the middle");
	TAP_CHECK(mos_peekbuf_pread(&b, buf, 4, 11) == 0 &&
		  mos_peekbuf_pread(&b, buf, 4, 12) == -ERANGE,
		  "pread at the end: 0; past it: -ERANGE");
	mos_peekbuf_release(&b);
}

static void test_long_stream(void)
{
	struct mos_peekbuf b = { 0 };
	static u8 got[BIG];
	unsigned int segs;
	u64 off, capsum;

	for (off = 0; off < BIG; off += 100)
		mos_peekbuf_append(&b, 65536, off, pattern + off, 100);
	segs = chain_len(&b, &capsum);
	TAP_CHECK(mos_peekbuf_pread(&b, got, BIG, 0) == BIG &&
		  !memcmp(got, pattern, BIG), "50000 bytes in 100-byte appends");
	TAP_CHECK(segs <= 8 && capsum < 2 * BIG,
		  "kept in few growing segments (%u, %llu bytes)", segs,
		  (unsigned long long)capsum);
	mos_peekbuf_release(&b);

	/* A 1000-byte window over the same stream. */
	for (off = 0; off < BIG; off += 100)
		mos_peekbuf_append(&b, 1000, off, pattern + off, 100);
	chain_len(&b, &capsum);
	TAP_CHECK(b.begin == BIG - 1000 &&
		  mos_peekbuf_pread(&b, got, BIG, BIG - 1001) == -ERANGE &&
		  mos_peekbuf_pread(&b, got, BIG, BIG - 1000) == 1000 &&
		  !memcmp(got, pattern + BIG - 1000, 1000),
		  "a 1000-byte window keeps the last 1000 bytes only");
	TAP_CHECK(capsum <= 2000, "and about that much memory (%llu)",
		  (unsigned long long)capsum);
	mos_peekbuf_release(&b);

	/* One append bigger than the window, and than a segment. */
	mos_peekbuf_append(&b, 20000, 7, pattern, BIG);
	TAP_CHECK(b.begin == 7 + BIG - 20000 && b.end == 7 + BIG &&
		  mos_peekbuf_pread(&b, got, BIG, b.begin) == 20000 &&
		  !memcmp(got, pattern + BIG - 20000, 20000),
		  "an append beyond the window keeps its last window bytes");
	mos_peekbuf_release(&b);
}

static void test_adopt(void)
{
	struct mos_peekbuf b = { 0 };
	char buf[64];

	mos_peekbuf_append(&b, 65536, 0, (const u8 *)"abc", 3);
	mos_peekbuf_adopt(&b, 65536, engine_seg(3, (const u8 *)"defgh", 5,
						2, 10));
	mos_peekbuf_append(&b, 65536, 8, (const u8 *)"ijk", 3);
	TAP_CHECK(mos_peekbuf_pread(&b, buf, sizeof(buf), 0) == 11 &&
		  !memcmp(buf, "abcdefghijk", 11),
		  "copied, taken-over and copied again: one stream");
	TAP_CHECK(b.last->len == 8 && b.last->off == 3,
		  "bytes after a taken-over segment go into its spare room");
	/* A window smaller than the segment keeps part of it readable. */
	mos_peekbuf_adopt(&b, 4, engine_seg(11, (const u8 *)"lmnopq", 6, 0,
					    0));
	TAP_CHECK(b.begin == 13 && b.first == b.last &&
		  mos_peekbuf_pread(&b, buf, sizeof(buf), 13) == 4 &&
		  !memcmp(buf, "nopq", 4),
		  "a 4-byte window: the last 4 bytes, older segments freed");
	/* Window 0: the segment is freed at once (LeakSanitizer checks). */
	mos_peekbuf_adopt(&b, 0, engine_seg(17, (const u8 *)"rs", 2, 0, 0));
	TAP_CHECK(!b.first && b.begin == 19 && b.end == 19,
		  "window 0 keeps nothing");
	mos_peekbuf_release(&b);
}

static void test_gap_and_skip(void)
{
	struct mos_peekbuf b = { 0 };
	char buf[64];

	mos_peekbuf_append(&b, 65536, 0, (const u8 *)"0123456789", 10);
	TAP_CHECK(mos_peekbuf_read(&b, buf, 4) == 4, "read 4");
	mos_peekbuf_append(&b, 65536, 20, (const u8 *)"KLMN", 4);
	TAP_CHECK(b.begin == 20 && mos_peekbuf_pread(&b, buf, 4, 5) == -ERANGE,
		  "after a gap, older bytes are gone");
	TAP_CHECK(mos_peekbuf_read(&b, buf, sizeof(buf)) == 4 &&
		  !memcmp(buf, "KLMN", 4) && b.skipped == 16,
		  "read goes on after the gap and counts 16 skipped bytes");
	mos_peekbuf_adopt(&b, 65536, engine_seg(30, (const u8 *)"xy", 2, 0,
						0));
	TAP_CHECK(b.begin == 30 && b.first == b.last,
		  "a taken-over segment after a gap starts the window anew");
	mos_peekbuf_append(&b, 0, 32, (const u8 *)"z", 1);
	TAP_CHECK(!b.first && b.begin == 33 && b.end == 33,
		  "an append with window 0 frees what was kept");
	mos_peekbuf_release(&b);
}

/*
 * Random operations against a model that keeps the whole stream flat:
 * appends and taken-over segments of random sizes, gaps, window changes,
 * reads and preads at random offsets. Every answer must match the model.
 */
#define MODEL_LEN	(16u << 20)

static u8 model_stream[MODEL_LEN];

struct model {
	u64 begin, end, read, skipped;
};

static void model_add(struct model *m, u32 window, u64 off, u32 len)
{
	if (!window || !len) {
		m->begin = m->end = off + len;
		return;
	}
	if (off != m->end)
		m->begin = off;
	m->end = off + len;
	if (m->end - m->begin > window)
		m->begin = m->end - window;
}

static void test_random(void)
{
	static u8 got[70000];
	struct mos_peekbuf b = { 0 };
	struct model m = { 0 };
	u32 window = 65536, bad = 0, ops = 0, i;
	u64 off = 0, at;
	ssize_t n, want;

	srand(7);
	for (i = 0; i < MODEL_LEN; i++)
		model_stream[i] = rand();
	while (off < MODEL_LEN - 70000 && ops < 8000) {
		u32 r = rand() % 100, len = 1 + rand() % 3000;

		ops++;
		if (r < 3) {			/* a gap */
			off += 1 + rand() % 500;
		} else if (r < 5) {		/* a new window size */
			static const u32 sizes[] = { 0, 1, 100, 4096, 65536 };

			window = sizes[rand() % 5];
		} else if (r < 45) {		/* copied bytes */
			mos_peekbuf_append(&b, window, off,
					   model_stream + off, len);
			model_add(&m, window, off, len);
			off += len;
		} else if (r < 75) {		/* a segment taken over */
			mos_peekbuf_adopt(&b, window,
					  engine_seg(off, model_stream + off,
						     len, rand() % 3,
						     rand() % 2 ? 0 : 800));
			model_add(&m, window, off, len);
			off += len;
		} else if (r < 85) {		/* read what is new */
			u32 cap = 1 + rand() % 70000;

			if (m.read < m.begin) {
				m.skipped += m.begin - m.read;
				m.read = m.begin;
			}
			if (m.read > m.end)
				m.read = m.end;
			want = m.end - m.read < cap ? m.end - m.read : cap;
			at = m.read;
			n = mos_peekbuf_read(&b, got, cap);
			bad += n != want || b.skipped != m.skipped ||
			       memcmp(got, model_stream + at, n);
			m.read += want;
		} else {			/* read at an offset */
			u32 cap = 1 + rand() % 70000;

			at = m.begin + rand() % (m.end - m.begin + 40);
			if (at >= 20 && rand() % 4 == 0)
				at -= 20;	/* sometimes before the window */
			n = mos_peekbuf_pread(&b, got, cap, at);
			if (at < m.begin || at > m.end) {
				bad += n != -ERANGE;
			} else {
				want = m.end - at < cap ? m.end - at : cap;
				bad += n != want ||
				       memcmp(got, model_stream + at, n);
			}
		}
		bad += b.begin != m.begin || b.end != m.end;
	}
	TAP_CHECK(!bad && ops == 8000,
		  "8000 random operations agree with a flat model (%u off)",
		  bad);
	mos_peekbuf_release(&b);
}

int main(void)
{
	size_t i;

	for (i = 0; i < BIG; i++)
		pattern[i] = (u8)(i * 7 + i / 251);
	test_copy();
	test_long_stream();
	test_adopt();
	test_gap_and_skip();
	test_random();
	return tap_done();
}
