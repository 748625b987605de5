/* SPDX-License-Identifier: GPL-2.0 */
/*
 * httplog's HTTP/1.x parser: one state machine per direction of a
 * connection, fed with stream offsets; it reads the bytes it needs (header
 * lines, chunk sizes) through a reader callback and skips bodies without
 * reading them. Requests and responses are paired in order (pipelining).
 */
#ifndef HTTPLOG_HTTP_H
#define HTTPLOG_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HTTP_MAX_HDR	16384	/* longest header section read */
#define HTTP_REQ	0	/* direction: client to server */
#define HTTP_RESP	1	/* direction: server to client */

/**
 * typedef http_read_t - read delivered stream bytes
 * @arg: the reader's argument
 * @buf: destination
 * @len: its size
 * @off: stream offset of the first byte wanted
 *
 * Return: bytes copied (fewer when fewer were delivered), or a negative
 * errno when the bytes at @off are no longer readable.
 */
typedef ssize_t (*http_read_t)(void *arg, void *buf, size_t len,
			       uint64_t off);

enum http_state {
	HS_HDR,		/* waiting for a whole header section */
	HS_BODY,	/* Content-Length body: @left bytes to go */
	HS_CHUNK_SIZE,	/* chunked: the chunk-size line */
	HS_CHUNK_DATA,	/* chunked: @left bytes of chunk data */
	HS_CHUNK_CRLF,	/* chunked: the CRLF after chunk data */
	HS_TRAILER,	/* chunked: trailer lines up to a blank line */
	HS_UNTIL_EOF,	/* body delimited by the end of the connection */
	HS_STOPPED,	/* not (or no longer) parsable: ignored */
};

/**
 * struct http_txn - a request and its response
 * @next: next transaction, in request order
 * @method: request method ("" when the request was not seen)
 * @host: Host header ("" when absent)
 * @path: request target
 * @status: response status code, 0 when no response was seen
 * @bytes: [direction] body bytes: request, response
 * @req_done: the whole request (header and body) was seen
 * @has_resp: the response header was seen
 * @resp_done: the whole response was seen
 */
struct http_txn {
	struct http_txn *next;
	char method[16];
	char host[256];
	char path[1024];
	int status;
	uint64_t bytes[2];
	bool req_done;
	bool has_resp;
	bool resp_done;
};

/**
 * struct http_dir - parser state of one direction
 * @state: enum http_state
 * @pos: stream offset parsed up to
 * @end: stream offset delivered (or skipped as a gap in a body) up to
 * @left: body or chunk bytes still to come
 * @scanned: bytes after @pos already searched for the header's end
 * @cur: the transaction whose message is being parsed
 */
struct http_dir {
	int state;
	uint64_t pos;
	uint64_t end;
	uint64_t left;
	uint32_t scanned;
	struct http_txn *cur;
};

/**
 * struct http_conn - HTTP state of a connection
 * @dir: [HTTP_REQ], [HTTP_RESP] the two directions
 * @head: oldest transaction not yet taken by http_pop()
 * @tail: newest transaction
 */
struct http_conn {
	struct http_dir dir[2];
	struct http_txn *head;
	struct http_txn *tail;
};

int http_feed(struct http_conn *hc, int dir, uint64_t end, http_read_t rd,
	      void *arg);
void http_gap(struct http_conn *hc, int dir, uint64_t off, uint64_t len);
void http_eof(struct http_conn *hc);
struct http_txn *http_pop(struct http_conn *hc, bool all);
void http_conn_free(struct http_conn *hc);

#endif /* HTTPLOG_HTTP_H */
