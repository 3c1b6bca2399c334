/*
 * origin.c: the integration suite's origin web server.  A single-threaded
 * libevent 2.1 program that plays "upstream" for evproxy, on loopback only.
 *
 * Usage: origin [-a ADDR] [-p PORT] [-r RAWPORT] [-k KEEPALIVE_SECS]
 *
 * It serves two listeners on ADDR (127.0.0.0/8 or ::1, default 127.0.0.1):
 *
 *   - an evhttp server on PORT with deterministic content routes (/echo,
 *     /bytes/N, /status/NNN, /redirect, /sleep/MS, /cut/N/M, a tiny static
 *     site under /site/) and control routes under /_ (/_hits, /_conns,
 *     /_reset) that tell a test how often the proxy reached the origin;
 *   - a raw TCP listener on RAWPORT that answers /raw/... paths with canned
 *     bytes, for responses evhttp cannot produce (103 Early Hints, garbage,
 *     close-delimited or short bodies, Content-Length plus chunked,
 *     hop-by-hop headers, a server that never answers).
 *
 * Every content route honours h=Name:Value (repeatable: add a response
 * header), status=NNN (instead of 200), delay=MS (wait before the headers)
 * and rate=BYTES_PER_SEC (pace the body in 100 ms ticks).  Bodies are
 * streamed with backpressure: the next piece is queued only once the
 * previous one has left the output buffer, so memory stays flat however
 * large the body and however slow the reader.
 *
 * Port 0 means ephemeral.  Once both listeners are bound the program prints
 * "PORT <http_port> <raw_port>" on stdout, then serves until SIGINT or
 * SIGTERM, frees everything and exits 0.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#define ORIGIN_PIECE		(64 * 1024)	/* largest unpaced body piece */
#define ORIGIN_TICK_MS		100		/* pacing interval for rate= */
#define ORIGIN_TICK_MAX		(16 * 1024 * 1024) /* most bytes per tick */
#define ORIGIN_CUT_POLL_MS	5		/* drain check for /cut/N/0 */
#define ORIGIN_HIT_BUCKETS	1024
#define ORIGIN_HIT_MAX		4096		/* distinct paths counted */
#define ORIGIN_HIT_PATH_MAX	4096		/* longest path counted */
#define ORIGIN_RAW_MAX		(16 * 1024)	/* raw request head limit */
#define ORIGIN_RAW_IDLE_SECS	30		/* raw: wait for a request */
#define ORIGIN_RAW_LINGER_SECS	2		/* raw: wait for peer's FIN */
#define ORIGIN_MAX_DELAY_MS	600000L
#define ORIGIN_MAX_BYTES	(UINT64_C(1) << 40)
#define ORIGIN_DEFAULT_KEEPALIVE 30

/* A path and how many requests asked for it. */
struct origin_hit {
	struct origin_hit	*next;
	uint64_t		 count;
	char			 path[];
};

struct origin_server;

/* One deferred or streamed HTTP response. */
struct origin_job {
	TAILQ_ENTRY(origin_job)	 link;
	struct origin_server	*srv;
	struct evhttp_request	*req;
	struct evhttp_connection *evcon;	/* NULL once evhttp closed it */
	struct event		*delay_ev;	/* delay= and /sleep timer */
	struct event		*tick_ev;	/* rate= pacing or /cut poll */
	int			 status;
	int			 qstatus;	/* status= from query, or 0 */
	int			 head;		/* HEAD: headers only */
	int			 chunked;	/* no Content-Length */
	int			 pattern;	/* body is the a..z pattern */
	int			 cut;		/* drop connection at limit */
	int			 drained;	/* output empty since piece */
	long			 delay_ms;
	struct evbuffer		*body;		/* body unless pattern */
	uint64_t		 length;	/* full body length */
	uint64_t		 limit;		/* bytes to send (cut: M) */
	uint64_t		 sent;		/* body bytes queued so far */
	uint64_t		 rate;		/* bytes/s, 0 = unpaced */
};

TAILQ_HEAD(origin_job_list, origin_job);

enum origin_raw_state {
	ORIGIN_RAW_READING,	/* waiting for the end of the request head */
	ORIGIN_RAW_WRITING,	/* canned answer queued */
	ORIGIN_RAW_LINGER,	/* answer sent, FIN sent, awaiting the peer's */
	ORIGIN_RAW_HANG		/* /raw/hang: never answer */
};

/* One connection on the raw port. */
struct origin_raw {
	TAILQ_ENTRY(origin_raw)	 link;
	struct origin_server	*srv;
	struct bufferevent	*bev;
	enum origin_raw_state	 state;
	int			 answered;	/* /raw/once: served one */
};

TAILQ_HEAD(origin_raw_list, origin_raw);

/* Everything the server owns. */
struct origin_server {
	struct event_base	*base;
	struct evhttp		*http;
	struct evconnlistener	*raw_listener;
	struct event		*sigint_ev;
	struct event		*sigterm_ev;
	struct origin_hit	*hits[ORIGIN_HIT_BUCKETS];
	unsigned		 nhits;
	uint64_t		 total;
	uint64_t		 conns;
	struct origin_job_list	 jobs;
	struct origin_raw_list	 raws;
};

/* A static file of the browser-test site. */
struct origin_asset {
	const char		*path;
	const char		*type;
	const void		*data;
	size_t			 len;
};

/* A canned answer on the raw port. */
struct origin_canned {
	const char		*path;
	const char		*bytes;
};

/* 'a' + (i % 26) for i in [0, ORIGIN_PIECE + 26); filled in main(). */
static char origin_pattern[ORIGIN_PIECE + 26];

static const char origin_page_html[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<title>evproxy test page</title>\n"
	"<link rel=\"stylesheet\" href=\"/site/style.css\">\n"
	"</head>\n"
	"<body>\n"
	"<h1>evproxy test page</h1>\n"
	"<div id=\"box\">box</div>\n"
	"<p><img id=\"img\" src=\"img/a.png\" alt=\"checkerboard\""
	" width=\"8\" height=\"8\"></p>\n"
	"<script src=\"/site/app.js\"></script>\n"
	"</body>\n"
	"</html>\n";

static const char origin_style_css[] =
	"#box {\n"
	"\tdisplay: block;\n"
	"\twidth: 123px;\n"
	"\theight: 20px;\n"
	"\tbackground: #2080ff;\n"
	"}\n";

static const char origin_app_js[] =
	"(function () {\n"
	"\tfunction mark() {\n"
	"\t\tdocument.body.dataset.js = \"ran\";\n"
	"\t}\n"
	"\tif (document.body)\n"
	"\t\tmark();\n"
	"\telse\n"
	"\t\tdocument.addEventListener(\"DOMContentLoaded\", mark);\n"
	"})();\n";

/* An 8x8 RGBA checkerboard. */
static const unsigned char origin_a_png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08,
	0x08, 0x06, 0x00, 0x00, 0x00, 0xc4, 0x0f, 0xbe, 0x8b, 0x00, 0x00, 0x00,
	0x1c, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x78, 0xe0, 0xa0, 0xf0,
	0x5f, 0x21, 0xe1, 0xc1, 0x7f, 0x5c, 0x34, 0x03, 0x3e, 0x49, 0x10, 0xcd,
	0x30, 0x2c, 0x4c, 0x00, 0x00, 0xfe, 0xcd, 0x93, 0xc1, 0x98, 0x42, 0x57,
	0x3a, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
	0x82,
};

static const struct origin_asset origin_assets[] = {
	{ "/site/page.html", "text/html; charset=utf-8",
	    origin_page_html, sizeof(origin_page_html) - 1 },
	{ "/site/style.css", "text/css; charset=utf-8",
	    origin_style_css, sizeof(origin_style_css) - 1 },
	{ "/site/app.js", "application/javascript; charset=utf-8",
	    origin_app_js, sizeof(origin_app_js) - 1 },
	{ "/site/img/a.png", "image/png",
	    origin_a_png, sizeof(origin_a_png) },
};

static const struct origin_canned origin_canned[] = {
	{ "/raw/103",
	    "HTTP/1.1 103 Early Hints\r\n"
	    "Link: </site/style.css>; rel=preload\r\n"
	    "\r\n"
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\n"
	    "\r\n"
	    "ok" },
	{ "/raw/garbage",
	    "this is not http\r\n\r\n" },
	{ "/raw/close-delimited",
	    "HTTP/1.0 200 OK\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "close-delimited body\n" },
	{ "/raw/short",
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 100\r\n"
	    "\r\n"
	    "0123456789" },
	{ "/raw/cl-te",
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 5\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "\r\n"
	    "5\r\nhello\r\n0\r\n\r\n" },
	{ "/raw/hop",
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Length: 2\r\n"
	    "Connection: close, X-Hop\r\n"
	    "X-Hop: secret\r\n"
	    "Keep-Alive: timeout=5\r\n"
	    "Upgrade: foo\r\n"
	    "X-End: kept\r\n"
	    "\r\n"
	    "ok" },
};

static const char origin_raw_not_found[] =
	"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

static void	origin_job_pump(struct origin_job *);

/* Prints the usage line and exits with status 2. */
static void
origin_usage(void)
{
	fprintf(stderr, "usage: origin [-a ADDR] [-p PORT] [-r RAWPORT]"
	    " [-k KEEPALIVE_SECS]\n");
	exit(2);
}

/* Parses a decimal number in [0, max]; returns -1 on anything else. */
static int
origin_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t	 v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

/* Fills ss with ADDR:port if ADDR is a loopback literal; -1 otherwise. */
static int
origin_loopback_sockaddr(const char *addr, int port,
    struct sockaddr_storage *ss, int *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (evutil_inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = (int)sizeof(*sin);
		return 0;
	}
	if (evutil_inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = (int)sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* Returns the local port a listening socket is bound to, or -1. */
static int
origin_bound_port(evutil_socket_t fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* FNV-1a hash of a path, reduced to a bucket index. */
static unsigned
origin_hits_bucket(const char *path)
{
	uint32_t	 h = 2166136261u;

	for (; *path != '\0'; path++) {
		h ^= (unsigned char)*path;
		h *= 16777619u;
	}
	return h % ORIGIN_HIT_BUCKETS;
}

/* Returns the counter entry for path, or NULL if it was never counted. */
static struct origin_hit *
origin_hits_find(struct origin_server *srv, const char *path)
{
	struct origin_hit	*hit;

	for (hit = srv->hits[origin_hits_bucket(path)]; hit != NULL;
	    hit = hit->next)
		if (strcmp(hit->path, path) == 0)
			return hit;
	return NULL;
}

/* Counts one request for path (and one in the total). */
static void
origin_hits_add(struct origin_server *srv, const char *path)
{
	struct origin_hit	*hit;
	size_t			 len = strlen(path);
	unsigned		 b;

	srv->total++;
	if ((hit = origin_hits_find(srv, path)) != NULL) {
		hit->count++;
		return;
	}
	if (srv->nhits >= ORIGIN_HIT_MAX || len > ORIGIN_HIT_PATH_MAX)
		return;
	if ((hit = malloc(sizeof(*hit) + len + 1)) == NULL)
		return;
	memcpy(hit->path, path, len + 1);
	hit->count = 1;
	b = origin_hits_bucket(path);
	hit->next = srv->hits[b];
	srv->hits[b] = hit;
	srv->nhits++;
}

/* Forgets every counter. */
static void
origin_hits_clear(struct origin_server *srv)
{
	struct origin_hit	*hit, *next;
	unsigned		 b;

	for (b = 0; b < ORIGIN_HIT_BUCKETS; b++) {
		for (hit = srv->hits[b]; hit != NULL; hit = next) {
			next = hit->next;
			free(hit);
		}
		srv->hits[b] = NULL;
	}
	srv->nhits = 0;
	srv->total = 0;
	srv->conns = 0;
}

/* Returns the method name of an evhttp command. */
static const char *
origin_method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	case EVHTTP_REQ_TRACE:
		return "TRACE";
	case EVHTTP_REQ_CONNECT:
		return "CONNECT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	}
	return "UNKNOWN";
}

/* True if a response with this status code never has a body. */
static int
origin_status_bodyless(int status)
{
	return (status >= 100 && status < 200) || status == 204 ||
	    status == 304;
}

/* Adds a header unless one of that name is already present. */
static void
origin_header_default(struct evkeyvalq *headers, const char *name,
    const char *value)
{
	if (evhttp_find_header(headers, name) == NULL)
		evhttp_add_header(headers, name, value);
}

/* Sends a small text/plain answer at once (control routes). */
static void
origin_reply_now(struct evhttp_request *req, int status, const char *text)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf = evbuffer_new();

	evhttp_add_header(out, "Content-Type", "text/plain");
	evhttp_add_header(out, "Cache-Control", "no-store");
	if (buf == NULL) {
		evhttp_send_reply(req, 500, NULL, NULL);
		return;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
		evbuffer_add(buf, text, strlen(text));
	evhttp_send_reply(req, status, NULL, buf);
	evbuffer_free(buf);
}

/* Unlinks and frees a job; leaves the request to the caller. */
static void
origin_job_free(struct origin_job *job)
{
	TAILQ_REMOVE(&job->srv->jobs, job, link);
	if (job->evcon != NULL)
		evhttp_connection_set_closecb(job->evcon, NULL, NULL);
	if (job->delay_ev != NULL)
		event_free(job->delay_ev);
	if (job->tick_ev != NULL)
		event_free(job->tick_ev);
	if (job->body != NULL)
		evbuffer_free(job->body);
	free(job);
}

/*
 * evhttp is freeing the job's connection: the client went away, the write
 * timed out, or the server is shutting down.  If evhttp detached the
 * request first (it does when the response was still in progress), the
 * request is ours to free; otherwise the connection frees it.
 */
static void
origin_job_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct origin_job	*job = arg;
	struct evhttp_request	*req = job->req;
	int			 orphaned;

	(void)evcon;
	orphaned = evhttp_request_get_connection(req) == NULL;
	job->evcon = NULL;
	origin_job_free(job);
	if (orphaned)
		evhttp_request_free(req);
}

/*
 * Creates the job for a content request and watches its connection, so
 * that a client that goes away mid-response frees the job (and the
 * request evhttp hands back to us).
 */
static struct origin_job *
origin_job_new(struct origin_server *srv, struct evhttp_request *req)
{
	struct origin_job	*job;

	if ((job = calloc(1, sizeof(*job))) == NULL)
		return NULL;
	if ((job->body = evbuffer_new()) == NULL) {
		free(job);
		return NULL;
	}
	job->srv = srv;
	job->req = req;
	job->evcon = evhttp_request_get_connection(req);
	job->status = 200;
	job->head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
	TAILQ_INSERT_TAIL(&srv->jobs, job, link);
	evhttp_connection_set_closecb(job->evcon, origin_job_closed_cb, job);
	return job;
}

/* Replaces the job's body with text and sets status and Content-Type. */
static void
origin_job_text(struct origin_job *job, int status, const char *text)
{
	struct evkeyvalq	*out;

	out = evhttp_request_get_output_headers(job->req);
	evbuffer_drain(job->body, evbuffer_get_length(job->body));
	evbuffer_add(job->body, text, strlen(text));
	job->status = status;
	job->pattern = 0;
	job->cut = 0;
	if (!origin_status_bodyless(status))
		origin_header_default(out, "Content-Type", "text/plain");
}

/* Appends the next n body bytes to piece, from the pattern or the body. */
static int
origin_job_fill(struct origin_job *job, struct evbuffer *piece, uint64_t n)
{
	uint64_t	 pos = job->sent;
	size_t		 take;

	while (n > 0) {
		take = n > ORIGIN_PIECE ? ORIGIN_PIECE : (size_t)n;
		if (job->pattern) {
			if (evbuffer_add_reference(piece,
			    origin_pattern + pos % 26, take, NULL, NULL) < 0)
				return -1;
		} else if (evbuffer_remove_buffer(job->body, piece, take) !=
		    (int)take)
			return -1;
		pos += take;
		n -= take;
	}
	return 0;
}

/* All of the body is queued: let evhttp finish the response. */
static void
origin_job_finish(struct origin_job *job)
{
	struct evhttp_request	*req = job->req;

	origin_job_free(job);
	evhttp_send_reply_end(req);
}

/* Drops the connection in the middle of the body (/cut, or no memory). */
static void
origin_job_cut(struct origin_job *job)
{
	struct evhttp_connection *evcon = job->evcon;

	origin_job_free(job);
	evhttp_connection_free(evcon);
}

/* The connection's output buffer is empty again. */
static void
origin_job_drained_cb(struct evhttp_connection *evcon, void *arg)
{
	struct origin_job	*job = arg;

	(void)evcon;
	if (job->cut && job->sent == job->limit) {
		origin_job_cut(job);
		return;
	}
	job->drained = 1;
	if (job->rate == 0)
		origin_job_pump(job);
}

/* Queues the next body piece; finishes once the last one is queued. */
static void
origin_job_pump(struct origin_job *job)
{
	struct evbuffer	*piece;
	uint64_t	 n;
	int		 last;

	if (job->sent == job->limit) {
		origin_job_finish(job);
		return;
	}
	n = job->rate ? job->rate / (1000 / ORIGIN_TICK_MS) : ORIGIN_PIECE;
	if (n == 0)
		n = 1;
	if (n > ORIGIN_TICK_MAX)
		n = ORIGIN_TICK_MAX;
	if (n > job->limit - job->sent)
		n = job->limit - job->sent;
	if ((piece = evbuffer_new()) == NULL) {
		origin_job_cut(job);
		return;
	}
	if (origin_job_fill(job, piece, n) < 0) {
		evbuffer_free(piece);
		origin_job_cut(job);
		return;
	}
	job->sent += n;
	job->drained = 0;
	last = job->sent == job->limit;
	/*
	 * The callback runs once the output buffer is empty.  After the
	 * last piece of a normal body, evhttp_send_reply_end() replaces it
	 * with evhttp's own, so it never sees a freed job.
	 */
	evhttp_send_reply_chunk_with_cb(job->req, piece,
	    origin_job_drained_cb, job);
	evbuffer_free(piece);
	if (last && !job->cut)
		origin_job_finish(job);
}

/* rate= tick: queue the next piece if the previous one has drained. */
static void
origin_job_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct origin_job	*job = arg;

	(void)fd;
	(void)what;
	if (job->drained)
		origin_job_pump(job);
}

/* /cut/N/0: drop the connection once the headers have been written. */
static void
origin_job_cut_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct origin_job	*job = arg;
	struct bufferevent	*bev;

	(void)fd;
	(void)what;
	bev = evhttp_connection_get_bufferevent(job->evcon);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		origin_job_cut(job);
}

/* Starts a persistent timer on the job's tick event. */
static int
origin_job_start_ticks(struct origin_job *job, event_callback_fn cb,
    long ms)
{
	struct timeval	 tv;

	job->tick_ev = event_new(job->srv->base, -1, EV_PERSIST, cb, job);
	if (job->tick_ev == NULL)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return event_add(job->tick_ev, &tv);
}

/* Sends the job's response: at once when possible, else streamed. */
static void
origin_job_start(struct origin_job *job)
{
	struct evhttp_request	*req = job->req;
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*body;
	int			 status = job->status;
	char			 len[32];

	if (!job->pattern)
		job->length = evbuffer_get_length(job->body);
	if (!job->cut)
		job->limit = job->length;
	snprintf(len, sizeof(len), "%" PRIu64, job->length);
	/*
	 * A 200 whose ETag or Last-Modified (set with h=) matches the
	 * request's If-None-Match or If-Modified-Since (exact string) is a
	 * 304, as a real origin would answer a revalidation.
	 */
	if (status == 200) {
		struct evkeyvalq *rin = evhttp_request_get_input_headers(req);
		const char *inm = evhttp_find_header(rin, "If-None-Match");
		const char *ims = evhttp_find_header(rin, "If-Modified-Since");
		const char *etag = evhttp_find_header(out, "ETag");
		const char *lm = evhttp_find_header(out, "Last-Modified");

		if ((inm != NULL && etag != NULL && strcmp(inm, etag) == 0) ||
		    (inm == NULL && ims != NULL && lm != NULL &&
		    strcmp(ims, lm) == 0))
			status = 304;
	}

	if (origin_status_bodyless(status) || job->head) {
		/* Headers only; HEAD still announces the length. */
		if (!origin_status_bodyless(status) && !job->chunked)
			origin_header_default(out, "Content-Length", len);
		origin_job_free(job);
		evhttp_send_reply(req, status, NULL, NULL);
		return;
	}
	if (!job->pattern && !job->cut && job->rate == 0) {
		/* Small in-memory body, unpaced: one evhttp_send_reply(). */
		body = job->body;
		job->body = NULL;
		origin_job_free(job);
		evhttp_send_reply(req, status, NULL, body);
		evbuffer_free(body);
		return;
	}
	if (!job->chunked)
		origin_header_default(out, "Content-Length", len);
	evhttp_send_reply_start(req, status, NULL);
	job->drained = 1;
	if (job->cut && job->limit == 0) {
		if (origin_job_start_ticks(job, origin_job_cut_poll_cb,
		    ORIGIN_CUT_POLL_MS) < 0)
			origin_job_cut(job);
		return;
	}
	if (job->rate != 0 && origin_job_start_ticks(job, origin_job_tick_cb,
	    ORIGIN_TICK_MS) < 0) {
		origin_job_cut(job);
		return;
	}
	origin_job_pump(job);
}

/* delay= (or /sleep) has elapsed. */
static void
origin_job_delay_cb(evutil_socket_t fd, short what, void *arg)
{
	struct origin_job	*job = arg;

	(void)fd;
	(void)what;
	event_free(job->delay_ev);
	job->delay_ev = NULL;
	origin_job_start(job);
}

/* Starts the job now, or arms its delay timer. */
static void
origin_job_schedule(struct origin_job *job)
{
	struct timeval	 tv;

	if (job->delay_ms <= 0) {
		origin_job_start(job);
		return;
	}
	job->delay_ev = evtimer_new(job->srv->base, origin_job_delay_cb, job);
	if (job->delay_ev == NULL) {
		origin_job_start(job);
		return;
	}
	tv.tv_sec = job->delay_ms / 1000;
	tv.tv_usec = (job->delay_ms % 1000) * 1000;
	evtimer_add(job->delay_ev, &tv);
}

/* Applies h=, status=, delay= and rate=; -1 if one is malformed. */
static int
origin_job_params(struct origin_job *job, struct evkeyvalq *params)
{
	struct evkeyvalq	*out;
	struct evkeyval		*kv;
	const char		*v;
	char			*name, *colon;
	uint64_t		 n;

	out = evhttp_request_get_output_headers(job->req);
	TAILQ_FOREACH(kv, params, next) {
		if (strcmp(kv->key, "h") != 0)
			continue;
		if ((colon = strchr(kv->value, ':')) == NULL ||
		    colon == kv->value)
			return -1;
		if ((name = strdup(kv->value)) == NULL)
			return -1;
		name[colon - kv->value] = '\0';
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		if (evhttp_add_header(out, name, v) < 0) {
			free(name);
			return -1;
		}
		free(name);
	}
	if ((v = evhttp_find_header(params, "status")) != NULL) {
		if (origin_parse_u64(v, 999, &n) < 0 || n < 100)
			return -1;
		job->qstatus = (int)n;
	}
	if ((v = evhttp_find_header(params, "delay")) != NULL) {
		if (origin_parse_u64(v, ORIGIN_MAX_DELAY_MS, &n) < 0)
			return -1;
		job->delay_ms = (long)n;
	}
	if ((v = evhttp_find_header(params, "rate")) != NULL) {
		if (origin_parse_u64(v, UINT64_C(1) << 40, &n) < 0 || n == 0)
			return -1;
		job->rate = n;
	}
	return 0;
}

/* The status for a route whose default is dflt: status= wins. */
static int
origin_job_status(struct origin_job *job, int dflt)
{
	return job->qstatus ? job->qstatus : dflt;
}

/* /echo[/...]: the request line, its headers and its body, as text. */
static int
origin_route_echo(struct origin_job *job)
{
	struct evhttp_request	*req = job->req;
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*input = evhttp_request_get_input_buffer(req);
	struct evkeyval		*kv;
	const char		*method;
	char			 num[32];

	method = origin_method_name(evhttp_request_get_command(req));
	evbuffer_add_printf(job->body, "%s %s HTTP/%d.%d\n", method,
	    evhttp_request_get_uri(req), req->major, req->minor);
	TAILQ_FOREACH(kv, in, next)
		evbuffer_add_printf(job->body, "%s: %s\n", kv->key, kv->value);
	evbuffer_add(job->body, "\n", 1);
	snprintf(num, sizeof(num), "%zu", evbuffer_get_length(input));
	evbuffer_add_buffer(job->body, input);
	evhttp_add_header(out, "X-Origin-Body-Length", num);
	evhttp_add_header(out, "X-Origin-Method", method);
	origin_header_default(out, "Content-Type", "text/plain");
	job->status = origin_job_status(job, 200);
	return 0;
}

/* /bytes/N: N pattern bytes, with Content-Length unless chunked=1. */
static int
origin_route_bytes(struct origin_job *job, const char *arg,
    struct evkeyvalq *params)
{
	struct evkeyvalq	*out;
	const char		*v;
	uint64_t		 n;

	if (origin_parse_u64(arg, ORIGIN_MAX_BYTES, &n) < 0)
		return -1;
	v = evhttp_find_header(params, "chunked");
	out = evhttp_request_get_output_headers(job->req);
	origin_header_default(out, "Content-Type", "application/octet-stream");
	job->pattern = 1;
	job->length = n;
	job->chunked = v != NULL && strcmp(v, "1") == 0;
	job->status = origin_job_status(job, 200);
	return 0;
}

/* /status/NNN: that status with body "status NNN". */
static int
origin_route_status(struct origin_job *job, const char *arg)
{
	char		 text[32];
	uint64_t	 n;

	if (origin_parse_u64(arg, 999, &n) < 0 || n < 100)
		return -1;
	snprintf(text, sizeof(text), "status %d\n", (int)n);
	origin_job_text(job, (int)n, text);
	return 0;
}

/* /redirect?to=URL: a redirect (302 unless status= says otherwise). */
static int
origin_route_redirect(struct origin_job *job, struct evkeyvalq *params)
{
	struct evkeyvalq	*out;
	const char		*to = evhttp_find_header(params, "to");

	if (to == NULL || *to == '\0')
		return -1;
	out = evhttp_request_get_output_headers(job->req);
	if (evhttp_find_header(out, "Location") == NULL &&
	    evhttp_add_header(out, "Location", to) < 0)
		return -1;
	origin_job_text(job, origin_job_status(job, 302), "redirect\n");
	return 0;
}

/* /sleep/MS: "slept" after MS milliseconds (on top of delay=). */
static int
origin_route_sleep(struct origin_job *job, const char *arg)
{
	uint64_t	 ms;

	if (origin_parse_u64(arg, ORIGIN_MAX_DELAY_MS, &ms) < 0)
		return -1;
	job->delay_ms += (long)ms;
	if (job->delay_ms > ORIGIN_MAX_DELAY_MS)
		job->delay_ms = ORIGIN_MAX_DELAY_MS;
	origin_job_text(job, origin_job_status(job, 200), "slept\n");
	return 0;
}

/* /cut/N/M: announce N bytes, send M, then drop the connection. */
static int
origin_route_cut(struct origin_job *job, const char *arg)
{
	struct evkeyvalq	*out;
	const char		*slash = strchr(arg, '/');
	char			 first[32];
	uint64_t		 n, m;

	if (slash == NULL || (size_t)(slash - arg) >= sizeof(first))
		return -1;
	memcpy(first, arg, (size_t)(slash - arg));
	first[slash - arg] = '\0';
	if (origin_parse_u64(first, ORIGIN_MAX_BYTES, &n) < 0 ||
	    origin_parse_u64(slash + 1, ORIGIN_MAX_BYTES, &m) < 0 || m >= n)
		return -1;
	out = evhttp_request_get_output_headers(job->req);
	origin_header_default(out, "Content-Type", "application/octet-stream");
	job->pattern = 1;
	job->length = n;
	job->limit = m;
	job->cut = 1;
	job->status = origin_job_status(job, 200);
	return 0;
}

/* /site/...: the static files of the browser-test page. */
static int
origin_route_site(struct origin_job *job, const char *path)
{
	struct evkeyvalq	*out;
	size_t			 i;

	out = evhttp_request_get_output_headers(job->req);
	for (i = 0; i < sizeof(origin_assets) / sizeof(origin_assets[0]);
	    i++) {
		if (strcmp(path, origin_assets[i].path) != 0)
			continue;
		evbuffer_add(job->body, origin_assets[i].data,
		    origin_assets[i].len);
		origin_header_default(out, "Content-Type",
		    origin_assets[i].type);
		origin_header_default(out, "Cache-Control", "max-age=300");
		job->status = origin_job_status(job, 200);
		return 0;
	}
	origin_job_text(job, 404, "no route\n");
	return 0;
}

/* Returns the rest of path after prefix, or NULL if it does not match. */
static const char *
origin_after(const char *path, const char *prefix)
{
	size_t	 len = strlen(prefix);

	return strncmp(path, prefix, len) == 0 ? path + len : NULL;
}

/* Fills the job for a content route. */
static void
origin_route(struct origin_job *job, const char *path,
    struct evkeyvalq *params)
{
	const char	*arg;
	int		 r;

	if (origin_job_params(job, params) < 0)
		r = -1;
	else if (strcmp(path, "/echo") == 0 ||
	    origin_after(path, "/echo/") != NULL)
		r = origin_route_echo(job);
	else if ((arg = origin_after(path, "/bytes/")) != NULL)
		r = origin_route_bytes(job, arg, params);
	else if ((arg = origin_after(path, "/status/")) != NULL)
		r = origin_route_status(job, arg);
	else if (strcmp(path, "/redirect") == 0)
		r = origin_route_redirect(job, params);
	else if ((arg = origin_after(path, "/sleep/")) != NULL)
		r = origin_route_sleep(job, arg);
	else if ((arg = origin_after(path, "/cut/")) != NULL)
		r = origin_route_cut(job, arg);
	else if (origin_after(path, "/site/") != NULL)
		r = origin_route_site(job, path);
	else {
		origin_job_text(job, 404, "no route\n");
		r = 0;
	}
	if (r < 0) {
		job->rate = 0;
		origin_job_text(job, 400, "bad request\n");
	}
}

/* The control routes under /_; never counted. */
static void
origin_control(struct origin_server *srv, struct evhttp_request *req,
    const char *path, struct evkeyvalq *params)
{
	struct origin_hit	*hit;
	const char		*p;
	char			 text[32];
	uint64_t		 n;

	if (strcmp(path, "/_hits") == 0) {
		/* Without path= it answers the total. */
		if ((p = evhttp_find_header(params, "path")) != NULL)
			n = (hit = origin_hits_find(srv, p)) ? hit->count : 0;
		else
			n = srv->total;
		snprintf(text, sizeof(text), "%" PRIu64 "\n", n);
		origin_reply_now(req, 200, text);
	} else if (strcmp(path, "/_conns") == 0) {
		snprintf(text, sizeof(text), "%" PRIu64 "\n", srv->conns);
		origin_reply_now(req, 200, text);
	} else if (strcmp(path, "/_reset") == 0) {
		origin_hits_clear(srv);
		origin_reply_now(req, 200, "ok\n");
	} else
		origin_reply_now(req, 404, "no route\n");
}

/* evhttp's generic callback: every request lands here. */
static void
origin_request_cb(struct evhttp_request *req, void *arg)
{
	struct origin_server	*srv = arg;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = NULL, *query = NULL;
	struct evkeyvalq	 params;
	struct origin_job	*job;

	if (uri != NULL) {
		path = evhttp_uri_get_path(uri);
		query = evhttp_uri_get_query(uri);
	}
	if (path == NULL || *path == '\0')
		path = "/";
	TAILQ_INIT(&params);
	if (query != NULL)
		evhttp_parse_query_str(query, &params);

	if (strncmp(path, "/_", 2) == 0) {
		origin_control(srv, req, path, &params);
	} else {
		origin_hits_add(srv, path);
		if ((job = origin_job_new(srv, req)) == NULL) {
			evhttp_send_error(req, 500, NULL);
		} else {
			origin_route(job, path, &params);
			origin_job_schedule(job);
		}
	}
	evhttp_clear_headers(&params);
}

/* Makes the bufferevent for each accepted HTTP connection; counts it. */
static struct bufferevent *
origin_bev_cb(struct event_base *base, void *arg)
{
	struct origin_server	*srv = arg;

	struct bufferevent	*bev;

	srv->conns++;
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	/* libevent writes 16 KiB per syscall by default: a slow baseline */
	if (bev != NULL)
		bufferevent_set_max_single_write(bev, 256 << 10);
	return bev;
}

/* Closes and frees one raw-port connection. */
static void
origin_raw_free(struct origin_raw *raw)
{
	TAILQ_REMOVE(&raw->srv->raws, raw, link);
	bufferevent_free(raw->bev);
	free(raw);
}

/*
 * Extracts the path of a request line "METHOD TARGET VERSION": the target
 * without query or fragment, and without scheme and authority if it is in
 * absolute form.  Falls back to "/".
 */
static void
origin_raw_path(const char *line, char *path, size_t size)
{
	const char	*t, *end;
	size_t		 len;

	snprintf(path, size, "/");
	if ((t = strchr(line, ' ')) == NULL)
		return;
	while (*t == ' ')
		t++;
	if (strncmp(t, "http://", 7) == 0 || strncmp(t, "https://", 8) == 0) {
		t = strstr(t, "//") + 2;
		t += strcspn(t, "/ ?#");
	}
	end = t + strcspn(t, " ?#");
	len = (size_t)(end - t);
	if (len == 0 || *t != '/' || len >= size)
		return;
	memcpy(path, t, len);
	path[len] = '\0';
}

/* Answers a complete raw request according to its path. */
static void
origin_raw_respond(struct origin_raw *raw, const char *path)
{
	const char	*bytes = origin_raw_not_found;
	size_t		 i;

	if (strcmp(path, "/raw/hang") == 0) {
		/* Keep reading (and discarding) until the peer closes. */
		raw->state = ORIGIN_RAW_HANG;
		bufferevent_set_timeouts(raw->bev, NULL, NULL);
		return;
	}
	if (strcmp(path, "/raw/100") == 0) {
		/*
		 * An unasked-for 100 Continue, then the response, and the
		 * connection stays open: evhttp reads the final response
		 * only after it has (re)sent the request body, and an EOF
		 * in between would lose it.
		 */
		static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n"
		    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

		bufferevent_write(raw->bev, cont, sizeof(cont) - 1);
		return;
	}
	if (strcmp(path, "/raw/once") == 0) {
		/*
		 * Keep-alive, but the second request on the connection is
		 * met with a close: the race of an origin closing an idle
		 * connection just as the proxy reuses it.
		 */
		static const char once[] =
		    "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nonce";

		if (raw->answered) {
			origin_raw_free(raw);
			return;
		}
		raw->answered = 1;
		bufferevent_write(raw->bev, once, sizeof(once) - 1);
		return;
	}
	for (i = 0; i < sizeof(origin_canned) / sizeof(origin_canned[0]); i++)
		if (strcmp(path, origin_canned[i].path) == 0)
			bytes = origin_canned[i].bytes;
	raw->state = ORIGIN_RAW_WRITING;
	bufferevent_write(raw->bev, bytes, strlen(bytes));
}

/* Reads the raw request head; once answered, discards whatever follows. */
static void
origin_raw_read_cb(struct bufferevent *bev, void *arg)
{
	struct origin_raw	*raw = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 end;
	char			 line[ORIGIN_RAW_MAX + 1];
	char			 path[ORIGIN_RAW_MAX + 1];
	char			*eol, *start;
	size_t			 n;

	if (raw->state != ORIGIN_RAW_READING) {
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos < 0) {
		if (evbuffer_get_length(in) >= ORIGIN_RAW_MAX)
			origin_raw_free(raw);
		return;
	}
	n = (size_t)end.pos < ORIGIN_RAW_MAX ? (size_t)end.pos : ORIGIN_RAW_MAX;
	n = (size_t)evbuffer_copyout(in, line, n);
	line[n] = '\0';
	evbuffer_drain(in, evbuffer_get_length(in));
	start = line + strspn(line, "\r\n");
	if ((eol = strpbrk(start, "\r\n")) != NULL)
		*eol = '\0';
	origin_raw_path(start, path, sizeof(path));
	origin_hits_add(raw->srv, path);
	origin_raw_respond(raw, path);
}

/* The canned answer has left the buffer: send FIN, await the peer's. */
static void
origin_raw_write_cb(struct bufferevent *bev, void *arg)
{
	struct origin_raw	*raw = arg;
	struct timeval		 tv = { ORIGIN_RAW_LINGER_SECS, 0 };

	if (raw->state != ORIGIN_RAW_WRITING ||
	    evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	raw->state = ORIGIN_RAW_LINGER;
	shutdown(bufferevent_getfd(bev), SHUT_WR);
	bufferevent_set_timeouts(bev, &tv, NULL);
}

/* EOF, error or timeout on a raw connection: free it. */
static void
origin_raw_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		origin_raw_free(arg);
}

/* Accepts a raw-port connection. */
static void
origin_raw_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int socklen, void *arg)
{
	struct origin_server	*srv = arg;
	struct origin_raw	*raw;
	struct timeval		 tv = { ORIGIN_RAW_IDLE_SECS, 0 };

	(void)lev;
	(void)sa;
	(void)socklen;
	if ((raw = calloc(1, sizeof(*raw))) == NULL) {
		evutil_closesocket(fd);
		return;
	}
	raw->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (raw->bev == NULL) {
		evutil_closesocket(fd);
		free(raw);
		return;
	}
	raw->srv = srv;
	raw->state = ORIGIN_RAW_READING;
	TAILQ_INSERT_TAIL(&srv->raws, raw, link);
	bufferevent_setwatermark(raw->bev, EV_READ, 0, ORIGIN_RAW_MAX);
	bufferevent_setcb(raw->bev, origin_raw_read_cb, origin_raw_write_cb,
	    origin_raw_event_cb, raw);
	bufferevent_set_timeouts(raw->bev, &tv, NULL);
	bufferevent_enable(raw->bev, EV_READ);
}

/* SIGINT/SIGTERM: leave the event loop. */
static void
origin_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct origin_server	*srv = arg;

	(void)sig;
	(void)what;
	event_base_loopbreak(srv->base);
}

/* Binds a listener on addr:port (loopback only); NULL on failure. */
static struct evconnlistener *
origin_listen(struct origin_server *srv, const char *addr, int port,
    evconnlistener_cb cb)
{
	struct evconnlistener	*lev;
	struct sockaddr_storage	 ss;
	int			 len;

	if (origin_loopback_sockaddr(addr, port, &ss, &len) < 0) {
		fprintf(stderr, "origin: %s is not a loopback address\n",
		    addr);
		return NULL;
	}
	lev = evconnlistener_new_bind(srv->base, cb, srv,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    -1, (struct sockaddr *)&ss, len);
	if (lev == NULL) {
		fprintf(stderr, "origin: cannot listen on %s port %d: %s\n",
		    addr, port, strerror(errno));
		return NULL;
	}
	/* accepted sockets inherit it: no Nagle delay on response tails */
	(void)setsockopt(evconnlistener_get_fd(lev), IPPROTO_TCP, TCP_NODELAY,
	    &(int){ 1 }, sizeof(int));
	return lev;
}

/* Frees everything the server still holds. */
static void
origin_cleanup(struct origin_server *srv)
{
	struct origin_raw	*raw;
	struct origin_job	*job;

	while ((raw = TAILQ_FIRST(&srv->raws)) != NULL)
		origin_raw_free(raw);
	if (srv->raw_listener != NULL)
		evconnlistener_free(srv->raw_listener);
	/* Closing the connections runs origin_job_closed_cb for each job. */
	if (srv->http != NULL)
		evhttp_free(srv->http);
	while ((job = TAILQ_FIRST(&srv->jobs)) != NULL) {
		job->evcon = NULL;
		origin_job_free(job);
	}
	if (srv->sigint_ev != NULL)
		event_free(srv->sigint_ev);
	if (srv->sigterm_ev != NULL)
		event_free(srv->sigterm_ev);
	origin_hits_clear(srv);
	if (srv->base != NULL)
		event_base_free(srv->base);
	libevent_global_shutdown();
}

int
main(int argc, char **argv)
{
	static struct origin_server	 srv;
	struct evconnlistener		*http_lev;
	const char			*addr = "127.0.0.1";
	uint64_t			 v;
	int				 port = 0, raw_port = 0, ch, rc = 1;
	int				 keepalive = ORIGIN_DEFAULT_KEEPALIVE;
	size_t				 i;

	while ((ch = getopt(argc, argv, "a:p:r:k:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			if (origin_parse_u64(optarg, 65535, &v) < 0)
				origin_usage();
			port = (int)v;
			break;
		case 'r':
			if (origin_parse_u64(optarg, 65535, &v) < 0)
				origin_usage();
			raw_port = (int)v;
			break;
		case 'k':
			if (origin_parse_u64(optarg, 86400, &v) < 0 || v == 0)
				origin_usage();
			keepalive = (int)v;
			break;
		default:
			origin_usage();
		}
	}
	if (optind != argc)
		origin_usage();

	for (i = 0; i < sizeof(origin_pattern); i++)
		origin_pattern[i] = (char)('a' + i % 26);
	signal(SIGPIPE, SIG_IGN);
	TAILQ_INIT(&srv.jobs);
	TAILQ_INIT(&srv.raws);

	if ((srv.base = event_base_new()) == NULL ||
	    (srv.http = evhttp_new(srv.base)) == NULL) {
		fprintf(stderr, "origin: cannot initialise libevent\n");
		goto out;
	}
	evhttp_set_gencb(srv.http, origin_request_cb, &srv);
	evhttp_set_bevcb(srv.http, origin_bev_cb, &srv);
	evhttp_set_allowed_methods(srv.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(srv.http, NULL);
	evhttp_set_timeout(srv.http, keepalive);

	if ((http_lev = origin_listen(&srv, addr, port, NULL)) == NULL)
		goto out;
	if (evhttp_bind_listener(srv.http, http_lev) == NULL) {
		evconnlistener_free(http_lev);
		fprintf(stderr, "origin: cannot attach the HTTP listener\n");
		goto out;
	}
	srv.raw_listener = origin_listen(&srv, addr, raw_port,
	    origin_raw_accept_cb);
	if (srv.raw_listener == NULL)
		goto out;

	srv.sigint_ev = evsignal_new(srv.base, SIGINT, origin_signal_cb, &srv);
	srv.sigterm_ev = evsignal_new(srv.base, SIGTERM, origin_signal_cb,
	    &srv);
	if (srv.sigint_ev == NULL || srv.sigterm_ev == NULL ||
	    event_add(srv.sigint_ev, NULL) < 0 ||
	    event_add(srv.sigterm_ev, NULL) < 0) {
		fprintf(stderr, "origin: cannot install signal handlers\n");
		goto out;
	}

	printf("PORT %d %d\n",
	    origin_bound_port(evconnlistener_get_fd(http_lev)),
	    origin_bound_port(evconnlistener_get_fd(srv.raw_listener)));
	fflush(stdout);

	if (event_base_dispatch(srv.base) < 0) {
		fprintf(stderr, "origin: event loop failed\n");
		goto out;
	}
	rc = 0;
out:
	origin_cleanup(&srv);
	return rc;
}
