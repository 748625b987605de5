// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP/1.x message framing (RFC 9112) over a reassembled stream: header
 * sections, Content-Length and chunked bodies, bodies delimited by the end
 * of the connection. Bodies are skipped by offset, never read; header
 * sections and chunk-size lines are read through the caller's reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"

enum { STEP_MORE, STEP_OK, STEP_MSG };

#define CHUNK_LINE_MAX	1024

/* One header section at a time: the program is single-threaded. */
static uint8_t hbuf[HTTP_MAX_HDR];

struct hdr_info {
	bool chunked;
	bool has_len;
	uint64_t len;
};

static void stop(struct http_dir *d)
{
	d->state = HS_STOPPED;
}

/*
 * Offset just after the blank line that ends a header section in b[0..n),
 * searching from @from; 0 when there is none yet. The section may be
 * empty (a trailer section is often just CRLF). Bare LF is accepted.
 */
static size_t hdr_end(const uint8_t *b, size_t n, size_t from)
{
	size_t i;

	for (i = from; i < n; i++) {
		if (b[i] != '\n')
			continue;
		if (i == 0 || b[i - 1] == '\n' ||
		    (b[i - 1] == '\r' && (i == 1 || b[i - 2] == '\n')))
			return i + 1;
	}
	return 0;
}

/* The next line at *@p of b[0..n), without its CRLF or LF. */
static bool next_line(const uint8_t *b, size_t n, size_t *p,
		      const uint8_t **line, size_t *len)
{
	const uint8_t *nl;
	size_t l;

	if (*p >= n)
		return false;
	nl = memchr(b + *p, '\n', n - *p);
	l = nl ? (size_t)(nl - (b + *p)) : n - *p;
	*line = b + *p;
	*p += l + (nl ? 1 : 0);
	if (l && (*line)[l - 1] == '\r')
		l--;
	*len = l;
	return true;
}

static void copy_text(char *dst, size_t size, const uint8_t *src,
		      size_t len)
{
	size_t i;

	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		dst[i] = src[i] ? (char)src[i] : '?';
	dst[len] = '\0';
}

static bool is_tchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool name_is(const uint8_t *name, size_t len, const char *want)
{
	return len == strlen(want) && !strncasecmp((const char *)name, want,
						   len);
}

static int parse_decimal(const uint8_t *s, size_t len, uint64_t *v)
{
	size_t i;

	if (!len)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || *v > (UINT64_MAX >> 4))
			return -EINVAL;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * The header fields after the start line: framing into @hi, the Host
 * field into @host (when not NULL). Return: 0, -EINVAL for a malformed
 * field or Content-Length.
 */
static int parse_fields(const uint8_t *b, size_t n, size_t p,
			struct hdr_info *hi, char *host, size_t host_size)
{
	const uint8_t *line, *colon, *v;
	size_t len, nlen, vlen;
	uint64_t cl;

	memset(hi, 0, sizeof(*hi));
	while (next_line(b, n, &p, &line, &len) && len) {
		colon = memchr(line, ':', len);
		if (!colon || colon == line)
			return -EINVAL;
		nlen = colon - line;
		v = colon + 1;
		vlen = len - nlen - 1;
		while (vlen && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (host && name_is(line, nlen, "host")) {
			copy_text(host, host_size, v, vlen);
		} else if (name_is(line, nlen, "content-length")) {
			if (parse_decimal(v, vlen, &cl) ||
			    (hi->has_len && cl != hi->len))
				return -EINVAL;
			hi->has_len = true;
			hi->len = cl;
		} else if (name_is(line, nlen, "transfer-encoding")) {
			/* chunked is the final coding when present */
			hi->chunked = vlen >= 7 &&
				!strncasecmp((const char *)v + vlen - 7,
					     "chunked", 7);
		}
	}
	return 0;
}

static void msg_done(struct http_conn *hc, int dir)
{
	struct http_dir *d = &hc->dir[dir];

	if (d->cur) {
		if (dir == HTTP_REQ)
			d->cur->req_done = true;
		else
			d->cur->resp_done = true;
	}
	d->cur = NULL;
	d->state = HS_HDR;
	d->scanned = 0;
}

/* Where the body of the message whose header was just parsed goes. */
static int start_body(struct http_conn *hc, int dir,
		      const struct hdr_info *hi, bool no_body)
{
	struct http_dir *d = &hc->dir[dir];

	d->scanned = 0;
	if (no_body) {
		msg_done(hc, dir);
		return STEP_MSG;
	}
	if (hi->chunked) {
		d->state = HS_CHUNK_SIZE;
		return STEP_OK;
	}
	if (hi->has_len && hi->len) {
		d->state = HS_BODY;
		d->left = hi->len;
		return STEP_OK;
	}
	if (hi->has_len || dir == HTTP_REQ) {
		msg_done(hc, dir);
		return STEP_MSG;
	}
	d->state = HS_UNTIL_EOF;
	return STEP_OK;
}

static void append(struct http_conn *hc, struct http_txn *t)
{
	if (hc->tail)
		hc->tail->next = t;
	else
		hc->head = t;
	hc->tail = t;
}

/* "METHOD SP target SP HTTP/x.y" and the fields. */
static int parse_request(struct http_conn *hc, const uint8_t *b, size_t n)
{
	const uint8_t *line, *sp1, *sp2;
	struct http_txn *t;
	struct hdr_info hi;
	size_t p = 0, len;

	if (!next_line(b, n, &p, &line, &len))
		return -EINVAL;
	sp1 = memchr(line, ' ', len);
	if (!sp1 || sp1 == line || sp1 - line >= (long)sizeof(t->method))
		return -EINVAL;
	for (sp2 = line; sp2 < sp1; sp2++)
		if (!is_tchar(*sp2))
			return -EINVAL;
	sp2 = memchr(sp1 + 1, ' ', len - (sp1 + 1 - line));
	if (!sp2 || sp2 == sp1 + 1 || line + len - (sp2 + 1) < 8 ||
	    memcmp(sp2 + 1, "HTTP/", 5))
		return -EINVAL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	copy_text(t->method, sizeof(t->method), line, sp1 - line);
	copy_text(t->path, sizeof(t->path), sp1 + 1, sp2 - (sp1 + 1));
	if (parse_fields(b, n, p, &hi, t->host, sizeof(t->host))) {
		free(t);
		return -EINVAL;
	}
	append(hc, t);
	hc->dir[HTTP_REQ].cur = t;
	return start_body(hc, HTTP_REQ, &hi, false);
}

/* The oldest request without a response, or a new one standing for it. */
static struct http_txn *answered_txn(struct http_conn *hc)
{
	struct http_txn *t;

	for (t = hc->head; t; t = t->next)
		if (!t->has_resp)
			return t;
	t = calloc(1, sizeof(*t));
	if (t)
		append(hc, t);
	return t;
}

/* "HTTP/x.y SP 3DIGIT ..." and the fields. */
static int parse_response(struct http_conn *hc, const uint8_t *b, size_t n)
{
	const uint8_t *line;
	struct http_txn *t;
	struct hdr_info hi;
	size_t p = 0, len;
	bool no_body, tunnel;
	int status, i;

	if (!next_line(b, n, &p, &line, &len) || len < 12 ||
	    memcmp(line, "HTTP/", 5) || line[8] != ' ' ||
	    (len > 12 && line[12] != ' '))
		return -EINVAL;
	for (status = 0, i = 9; i < 12; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -EINVAL;
		status = status * 10 + (line[i] - '0');
	}
	if (parse_fields(b, n, p, &hi, NULL, 0))
		return -EINVAL;
	/* Interim responses (100 Continue...) precede the final one. */
	if (status >= 100 && status < 200 && status != 101)
		return STEP_OK;
	t = answered_txn(hc);
	if (!t)
		return -ENOMEM;
	t->has_resp = true;
	t->status = status;
	hc->dir[HTTP_RESP].cur = t;
	tunnel = status == 101 ||
		 (!strcmp(t->method, "CONNECT") && status / 100 == 2);
	if (tunnel) {
		/* Not HTTP any more, either way. */
		msg_done(hc, HTTP_RESP);
		stop(&hc->dir[HTTP_REQ]);
		stop(&hc->dir[HTTP_RESP]);
		return STEP_MSG;
	}
	no_body = !strcmp(t->method, "HEAD") || status == 204 ||
		  status == 304;
	start_body(hc, HTTP_RESP, &hi, no_body);
	return STEP_MSG;
}

/* Read up to @max bytes at the parse position; 0 = nothing (yet). */
static size_t read_at_pos(struct http_dir *d, size_t max, http_read_t rd,
			  void *arg)
{
	uint64_t avail = d->end - d->pos;
	ssize_t r;

	if (!avail)
		return 0;
	r = rd(arg, hbuf, avail < max ? avail : max, d->pos);
	if (r < 0) {
		stop(d);	/* the bytes are gone from the peek window */
		return 0;
	}
	return r;
}

static int step_hdr(struct http_conn *hc, int dir, http_read_t rd,
		    void *arg)
{
	struct http_dir *d = &hc->dir[dir];
	size_t n, k, h;
	int ret;

	n = read_at_pos(d, sizeof(hbuf), rd, arg);
	if (!n)
		return STEP_MORE;
	if (d->state == HS_HDR && !d->scanned) {
		/* Blank lines before a message are ignored. */
		for (k = 0; k < n && (hbuf[k] == '\r' || hbuf[k] == '\n'); k++)
			;
		if (k) {
			d->pos += k;
			return STEP_OK;
		}
	}
	h = hdr_end(hbuf, n, d->scanned > 3 ? d->scanned - 3 : 0);
	if (!h) {
		if (n >= sizeof(hbuf))
			stop(d);	/* longer than we read: give up */
		else
			d->scanned = n;
		return STEP_MORE;
	}
	d->scanned = 0;
	if (d->state == HS_TRAILER) {
		d->pos += h;
		msg_done(hc, dir);
		return STEP_MSG;
	}
	ret = dir == HTTP_REQ ? parse_request(hc, hbuf, h) :
				parse_response(hc, hbuf, h);
	if (ret < 0) {
		stop(d);	/* not HTTP */
		return STEP_MORE;
	}
	d->pos += h;
	return ret;
}

static int step_chunk_size(struct http_dir *d, http_read_t rd, void *arg)
{
	const uint8_t *nl;
	uint64_t size = 0;
	size_t n, i;

	n = read_at_pos(d, CHUNK_LINE_MAX, rd, arg);
	if (!n)
		return STEP_MORE;
	nl = memchr(hbuf, '\n', n);
	if (!nl) {
		if (n >= CHUNK_LINE_MAX)
			stop(d);
		return STEP_MORE;
	}
	for (i = 0; hbuf + i < nl; i++) {
		uint8_t c = hbuf[i];
		int v = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0)
			break;
		if (size >> 56) {
			stop(d);
			return STEP_MORE;
		}
		size = size << 4 | v;
	}
	/* then optional whitespace, extensions (";..."), CR */
	if (!i || (hbuf + i < nl && !strchr(" \t;\r", hbuf[i]))) {
		stop(d);
		return STEP_MORE;
	}
	d->pos += nl + 1 - hbuf;
	if (size) {
		d->state = HS_CHUNK_DATA;
		d->left = size;
	} else {
		d->state = HS_TRAILER;
		d->scanned = 0;
	}
	return STEP_OK;
}

static int step_chunk_crlf(struct http_dir *d, http_read_t rd, void *arg)
{
	size_t n = read_at_pos(d, 2, rd, arg);

	if (!n)
		return STEP_MORE;
	if (hbuf[0] == '\n') {
		d->pos += 1;
	} else if (hbuf[0] != '\r') {
		stop(d);
		return STEP_MORE;
	} else if (n < 2) {
		return STEP_MORE;
	} else if (hbuf[1] == '\n') {
		d->pos += 2;
	} else {
		stop(d);
		return STEP_MORE;
	}
	d->state = HS_CHUNK_SIZE;
	return STEP_OK;
}

/* Body bytes are counted and skipped, never read. */
static int step_body(struct http_conn *hc, int dir)
{
	struct http_dir *d = &hc->dir[dir];
	uint64_t k = d->end - d->pos;

	if (d->state != HS_UNTIL_EOF && k > d->left)
		k = d->left;
	d->pos += k;
	if (d->cur)
		d->cur->bytes[dir] += k;
	if (d->state == HS_UNTIL_EOF)
		return STEP_MORE;
	d->left -= k;
	if (d->left)
		return STEP_MORE;
	if (d->state == HS_CHUNK_DATA) {
		d->state = HS_CHUNK_CRLF;
		return STEP_OK;
	}
	msg_done(hc, dir);
	return STEP_MSG;
}

static int step(struct http_conn *hc, int dir, http_read_t rd, void *arg)
{
	struct http_dir *d = &hc->dir[dir];

	switch (d->state) {
	case HS_HDR:
	case HS_TRAILER:
		return step_hdr(hc, dir, rd, arg);
	case HS_BODY:
	case HS_CHUNK_DATA:
	case HS_UNTIL_EOF:
		return step_body(hc, dir);
	case HS_CHUNK_SIZE:
		return step_chunk_size(d, rd, arg);
	case HS_CHUNK_CRLF:
		return step_chunk_crlf(d, rd, arg);
	default:
		return STEP_MORE;
	}
}

/**
 * http_feed() - parse what a direction delivered so far
 * @hc: the connection
 * @dir: HTTP_REQ or HTTP_RESP
 * @end: stream offset delivered up to
 * @rd: reads delivered bytes of that direction
 * @arg: @rd's argument
 *
 * Parses every message that is complete by @end: several when they are
 * pipelined, none when a header section is still incomplete (it is read
 * again, from where it starts, when more bytes come).
 *
 * Return: message boundaries found: whole requests (header and body),
 * response headers and whole responses.
 */
int http_feed(struct http_conn *hc, int dir, uint64_t end, http_read_t rd,
	      void *arg)
{
	struct http_dir *d = &hc->dir[dir];
	int found = 0, r;

	if (end > d->end)
		d->end = end;
	while (d->state != HS_STOPPED) {
		r = step(hc, dir, rd, arg);
		if (r == STEP_MORE)
			break;
		if (r == STEP_MSG)
			found++;
	}
	return found;
}

/**
 * http_gap() - bytes of a direction that will never be seen
 * @hc: the connection
 * @dir: HTTP_REQ or HTTP_RESP
 * @off: stream offset of the hole
 * @len: its length
 *
 * A hole inside a body whose length is known (or that lasts until the end
 * of the connection) is counted as body bytes and parsing goes on after
 * it; anywhere else the direction can no longer be parsed and is ignored
 * from then on.
 */
void http_gap(struct http_conn *hc, int dir, uint64_t off, uint64_t len)
{
	struct http_dir *d = &hc->dir[dir];

	if (d->state == HS_STOPPED || off + len <= d->end)
		return;
	if (off == d->end && d->pos == d->end &&
	    (d->state == HS_UNTIL_EOF ||
	     ((d->state == HS_BODY || d->state == HS_CHUNK_DATA) &&
	      d->left >= len))) {
		d->end += len;	/* skipped by the next http_feed() */
		return;
	}
	stop(d);
}

/**
 * http_eof() - the connection ended
 * @hc: the connection
 *
 * A response delimited by the end of the connection is complete now.
 */
void http_eof(struct http_conn *hc)
{
	int dir;

	for (dir = 0; dir < 2; dir++)
		if (hc->dir[dir].state == HS_UNTIL_EOF)
			msg_done(hc, dir);
}

/**
 * http_pop() - take the oldest transaction
 * @hc: the connection
 * @all: take it even when its response is not complete
 *
 * Return: the transaction (the caller frees it), or NULL when there is
 * none or (without @all) its response is not complete yet.
 */
struct http_txn *http_pop(struct http_conn *hc, bool all)
{
	struct http_txn *t = hc->head;
	int dir;

	if (!t || (!all && !t->resp_done))
		return NULL;
	hc->head = t->next;
	if (!hc->head)
		hc->tail = NULL;
	for (dir = 0; dir < 2; dir++)
		if (hc->dir[dir].cur == t)
			hc->dir[dir].cur = NULL;
	t->next = NULL;
	return t;
}

/**
 * http_conn_free() - free a connection's transactions
 * @hc: the connection (itself not freed)
 */
void http_conn_free(struct http_conn *hc)
{
	struct http_txn *t;

	while ((t = http_pop(hc, true)))
		free(t);
}
