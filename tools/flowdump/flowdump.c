// SPDX-License-Identifier: GPL-2.0
/*
 * flowdump - write every TCP stream mos rebuilds to files, named as tcpflow
 * names them, plus flows.jsonl (see Documentation/flowdump.md). From a
 * capture (-r) or live from the kernel module until SIGINT or SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <search.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <mos/mos.h>

/**
 * struct dir_out - one direction's output
 * @name: file name (empty until the first byte)
 * @bytes: stream bytes delivered
 * @gap_bytes: bytes reported missing (zeros in the file)
 * @size: file size so far (stream offset after the last byte or gap)
 */
struct dir_out {
	char name[160];
	uint64_t bytes;
	uint64_t gap_bytes;
	uint64_t size;
};

/**
 * struct conn_out - what flowdump keeps per connection
 * @d: [sender side] output of what that side sent
 * @rexmit: REXMIT events
 * @rexmit_inconsistent: of which with differing bytes
 * @invalid: segments not taken as stream data (window, PAWS, flags,
 *	checksum, ignored RSTs)
 * @rst_ignored: RSTs ignored as out of window (suspected injection)
 * @instance: 1 for the first connection on its 4-tuple, 2 for the next...
 */
struct conn_out {
	struct dir_out d[2];
	uint64_t rexmit;
	uint64_t rexmit_inconsistent;
	uint64_t invalid;
	uint64_t rst_ignored;
	unsigned int instance;
};

struct tuple_count {
	char key[160];
	unsigned int n;
};

static const char *outdir;
static FILE *jsonl;
static void *tuples;
static int write_errors;

static const char usage[] =
	"usage: flowdump [-r FILE] -o DIR [options]\n"
	"  -r FILE              read a capture (pcap/pcapng); without it, run live\n"
	"                       from the mos module until SIGINT or SIGTERM\n"
	"  -o DIR               write stream files and flows.jsonl here\n"
	"engine options, with -r only (live, the module's settings apply):\n"
	"  --overlap POLICY     first|last|bsd|linux|old-linux|windows|solaris|hpux|macos\n"
	"  --midstream          pick up connections without a handshake\n"
	"  --one-sided          track connections seen in one direction\n"
	"  --checksum MODE      auto|on|off (default auto)\n"
	"  --max-flows N        connections tracked at once\n"
	"  --flow-buffer BYTES  out-of-order bytes stored per direction\n"
	"  --buffer-total BYTES out-of-order bytes stored in all\n";

static void addr_text(const struct sockaddr_storage *ss, char *buf,
		      size_t len, bool for_file)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;
		const uint8_t *a = (const uint8_t *)&sin->sin_addr;

		if (for_file)
			snprintf(buf, len, "%03u.%03u.%03u.%03u.%05u", a[0],
				 a[1], a[2], a[3], ntohs(sin->sin_port));
		else
			snprintf(buf, len, "%u.%u.%u.%u:%u", a[0], a[1], a[2],
				 a[3], ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const void *)ss;
		const uint8_t *a = sin6->sin6_addr.s6_addr;
		char text[INET6_ADDRSTRLEN];
		int i, n = 0;

		if (for_file) {
			for (i = 0; i < 16; i += 2)
				n += snprintf(buf + n, len - n, "%s%02x%02x",
					      i ? ":" : "", a[i], a[i + 1]);
			snprintf(buf + n, len - n, ".%05u",
				 ntohs(sin6->sin6_port));
		} else {
			inet_ntop(AF_INET6, a, text, sizeof(text));
			snprintf(buf, len, "[%s]:%u", text,
				 ntohs(sin6->sin6_port));
		}
	}
}

static int tuple_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tuple_count *)a)->key,
		      ((const struct tuple_count *)b)->key);
}

/* tcpflow's convention: the 2nd connection on a 4-tuple gets "c2"... */
static unsigned int tuple_instance(const char *key)
{
	struct tuple_count *t = calloc(1, sizeof(*t)), **found;

	if (!t)
		return 1;
	snprintf(t->key, sizeof(t->key), "%s", key);
	found = tsearch(t, &tuples, tuple_cmp);
	if (!found) {
		free(t);
		return 1;
	}
	if (*found != t)
		free(t);
	return ++(*found)->n;
}

static void on_start(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct conn_out *co = calloc(1, sizeof(*co));
	struct mos_flow_info fi;
	char c[64], s[64], key[140];
	int i;

	if (!co || mos_get_flow_info(mctx, sock, &fi)) {
		free(co);
		return;
	}
	addr_text(&fi.addr[MOS_SIDE_CLI], c, sizeof(c), true);
	addr_text(&fi.addr[MOS_SIDE_SVR], s, sizeof(s), true);
	snprintf(key, sizeof(key), "%s-%s", c, s);
	co->instance = tuple_instance(key);
	for (i = 0; i < 2; i++) {
		const char *src = i == MOS_SIDE_CLI ? c : s;
		const char *dst = i == MOS_SIDE_CLI ? s : c;

		if (co->instance > 1)
			snprintf(co->d[i].name, sizeof(co->d[i].name),
				 "%s-%sc%u", src, dst, co->instance);
		else
			snprintf(co->d[i].name, sizeof(co->d[i].name),
				 "%s-%s", src, dst);
	}
	mos_set_uctx(mctx, sock, co);
}

/* Write at the stream offset: gaps before it read back as zeros. */
static void write_at(struct dir_out *d, const void *buf, size_t len,
		     uint64_t off)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", outdir, d->name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len) {
		if (!write_errors++)
			fprintf(stderr, "flowdump: %s: %s\n", path,
				strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	if (off + len > d->size)
		d->size = off + len;
}

static void on_data(struct mos_ctx *mctx, int sock, int side,
		    mos_event_t ev, void *arg)
{
	struct conn_out *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;
	uint8_t buf[65536];
	struct dir_out *d;
	uint64_t off;
	ssize_t n;

	if (!co || mos_get_event_info(mctx, &ei))
		return;
	d = &co->d[!side];	/* bytes the other side sent */
	off = ei.off;
	while ((n = mos_peek(mctx, sock, side, buf, sizeof(buf))) > 0) {
		write_at(d, buf, n, off);
		d->bytes += n;
		off += n;
	}
}

static void on_error(struct mos_ctx *mctx, int sock, int side,
		     mos_event_t ev, void *arg)
{
	struct conn_out *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!co || mos_get_event_info(mctx, &ei))
		return;
	switch (ei.code) {
	case MOS_ERROR_RST_IGNORED:
		co->rst_ignored++;
		/* fall through */
	case MOS_ERROR_BAD_CSUM:
	case MOS_ERROR_OUT_OF_WINDOW:
	case MOS_ERROR_BAD_FLAGS:
	case MOS_ERROR_BAD_TS:
		co->invalid++;
		return;
	case MOS_ERROR_GAP:
		break;
	default:
		return;
	}
	co->d[!side].gap_bytes += ei.len;
	if (ei.off + ei.len > co->d[!side].size)
		co->d[!side].size = ei.off + ei.len;
}

static void on_rexmit(struct mos_ctx *mctx, int sock, int side,
		      mos_event_t ev, void *arg)
{
	struct conn_out *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;

	if (!co || mos_get_event_info(mctx, &ei))
		return;
	co->rexmit++;
	if (ei.code == MOS_REXMIT_KIND_INCONSISTENT)
		co->rexmit_inconsistent++;
}

static const char *end_name(int reason)
{
	static const char *const names[] = {
		"none", "fin", "rst", "timeout", "evicted", "eof",
	};

	return reason >= 0 && reason <= MOS_END_REASON_EOF ? names[reason] : "none";
}

static void print_file(const struct dir_out *d)
{
	if (d->bytes || d->gap_bytes)
		fprintf(jsonl, "\"%s\"", d->name);
	else
		fputs("null", jsonl);
}

static void on_end(struct mos_ctx *mctx, int sock, int side, mos_event_t ev,
		   void *arg)
{
	struct conn_out *co = mos_get_uctx(mctx, sock);
	struct mos_event_info ei;
	struct mos_flow_info fi;
	char c[64], s[64], path[4096];
	int i;

	if (!co || mos_get_flow_info(mctx, sock, &fi) ||
	    mos_get_event_info(mctx, &ei))
		return;
	/* A trailing gap still belongs to the file, as zeros. */
	for (i = 0; i < 2; i++) {
		if (co->d[i].gap_bytes && co->d[i].size) {
			snprintf(path, sizeof(path), "%s/%s", outdir,
				 co->d[i].name);
			if (truncate(path, co->d[i].size) < 0) {
				int fd = open(path, O_WRONLY | O_CREAT |
					      O_CLOEXEC, 0644);

				if (fd >= 0) {
					if (ftruncate(fd, co->d[i].size))
						write_errors++;
					close(fd);
				}
			}
		}
	}
	addr_text(&fi.addr[MOS_SIDE_CLI], c, sizeof(c), false);
	addr_text(&fi.addr[MOS_SIDE_SVR], s, sizeof(s), false);
	fprintf(jsonl, "{\"client\":\"%s\",\"server\":\"%s\",\"roles\":\"%s\","
		"\"client_state\":\"%s\",\"server_state\":\"%s\","
		"\"c2s_bytes\":%" PRIu64 ",\"s2c_bytes\":%" PRIu64
		",\"c2s_gap_bytes\":%" PRIu64 ",\"s2c_gap_bytes\":%" PRIu64
		",\"c2s_file\":", c, s,
		fi.roles_guessed ? "guessed" : "seen",
		mos_state_name(fi.state[MOS_SIDE_CLI]),
		mos_state_name(fi.state[MOS_SIDE_SVR]),
		co->d[MOS_SIDE_CLI].bytes, co->d[MOS_SIDE_SVR].bytes,
		co->d[MOS_SIDE_CLI].gap_bytes, co->d[MOS_SIDE_SVR].gap_bytes);
	print_file(&co->d[MOS_SIDE_CLI]);
	fputs(",\"s2c_file\":", jsonl);
	print_file(&co->d[MOS_SIDE_SVR]);
	fprintf(jsonl, ",\"rexmit\":%" PRIu64 ",\"rexmit_inconsistent\":%"
		PRIu64 ",\"invalid\":%" PRIu64 ",\"rst_ignored\":%" PRIu64
		",\"end\":\"%s\"}\n", co->rexmit, co->rexmit_inconsistent,
		co->invalid, co->rst_ignored, end_name(ei.code));
	free(co);
	mos_set_uctx(mctx, sock, NULL);
}

/* mkdir -p: the output directory and any missing parents. */
static int mkdir_p(const char *dir)
{
	char path[4096];
	size_t i;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; path[i]; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
		path[i] = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int parse_size(const char *arg, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	return errno || end == arg || *end ? -EINVAL : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "overlap", required_argument, NULL, 'P' },
		{ "midstream", no_argument, NULL, 'M' },
		{ "one-sided", no_argument, NULL, 'S' },
		{ "checksum", required_argument, NULL, 'C' },
		{ "max-flows", required_argument, NULL, 'F' },
		{ "flow-buffer", required_argument, NULL, 'B' },
		{ "buffer-total", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mos_options o;
	struct mos_ctx *mctx;
	const char *engine_opt = NULL;
	char path[4096];
	uint64_t v;
	int c, ret, sock, li = -1;

	mos_options_init(&o);
	while ((c = getopt_long(argc, argv, "r:o:h", opts, &li)) != -1) {
		/* Every long option but --help sets the engine. */
		if (li >= 0 && opts[li].val != 'h')
			engine_opt = opts[li].name;
		li = -1;
		switch (c) {
		case 'r':
			o.read_file = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'P':
			o.overlap_policy = mos_overlap_policy_parse(optarg);
			if (o.overlap_policy < 0) {
				fprintf(stderr, "flowdump: unknown overlap policy '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'M':
			o.midstream = true;
			break;
		case 'S':
			o.one_sided = true;
			break;
		case 'C':
			if (!strcmp(optarg, "auto"))
				o.checksum = 0;
			else if (!strcmp(optarg, "on"))
				o.checksum = 1;
			else if (!strcmp(optarg, "off"))
				o.checksum = 2;
			else {
				fprintf(stderr, "flowdump: --checksum takes auto, on or off\n");
				return 2;
			}
			break;
		case 'F':
		case 'B':
		case 'T':
			if (parse_size(optarg, &v) || !v ||
			    (c != 'T' && v > UINT32_MAX)) {
				fprintf(stderr, "flowdump: bad number '%s'\n",
					optarg);
				return 2;
			}
			if (c == 'F')
				o.max_flows = v;
			else if (c == 'B')
				o.flow_buffer = v;
			else
				o.buffer_total = v;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!outdir || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (!o.read_file && engine_opt) {
		fprintf(stderr, "flowdump: --%s applies to -r FILE only; live, the mos module's settings apply\n",
			engine_opt);
		return 2;
	}
	if (mkdir_p(outdir) < 0) {
		fprintf(stderr, "flowdump: %s: %s\n", outdir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/flows.jsonl", outdir);
	jsonl = fopen(path, "w");
	if (!jsonl) {
		fprintf(stderr, "flowdump: %s: %s\n", path, strerror(errno));
		return 1;
	}
	ret = mos_ctx_new(&mctx, &o);
	if (ret) {
		fprintf(stderr, "flowdump: %s\n", mos_strerror(ret));
		return 1;
	}
	sock = mos_socket(mctx, MOS_SOCK_MONITOR_STREAM);
	if (sock < 0 ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_START, MOS_HK_SND,
				  on_start, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_NEW_DATA,
				  MOS_HK_RCV, on_data, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_ERROR, MOS_HK_RCV,
				  on_error, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_REXMIT, MOS_HK_RCV,
				  on_rexmit, NULL) ||
	    mos_register_callback(mctx, sock, MOS_ON_CONN_END, MOS_HK_RCV,
				  on_end, NULL)) {
		fprintf(stderr, "flowdump: cannot register callbacks\n");
		return 1;
	}
	ret = mos_stop_on_signals(mctx);
	if (ret) {
		fprintf(stderr, "flowdump: sigaction: %s\n", mos_strerror(ret));
		return 1;
	}
	ret = mos_run(mctx);
	if (ret && ret != -EINTR) {
		fprintf(stderr, "flowdump: %s: %s\n",
			o.read_file ? o.read_file : "live", mos_strerror(ret));
		mos_ctx_free(mctx);
		fclose(jsonl);
		return 1;
	}
	mos_ctx_free(mctx);
	tdestroy(tuples, free);
	if (fclose(jsonl) || write_errors) {
		fprintf(stderr, "flowdump: write errors\n");
		return 1;
	}
	return 0;
}
