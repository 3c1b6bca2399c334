/*
 * server_fast.c: plain fresh cache hits, answered before evhttp sees them.
 *
 * Through evhttp a small hit costs more than the hit itself: a request
 * object and a dozen header allocations, the target parsed twice, the
 * response head rebuilt and serialized every time, and a reply that waits
 * a loop turn (and two epoll_ctl calls) to be written.  server_conn hands
 * the input of an idle client connection here first.  When it starts with
 * a complete plain request, one that cannot change the answer, for a fresh
 * stored response without Vary, this file answers it in place:
 *
 *   - the head is read where it lies in the input buffer, no copies;
 *   - the response head is serialized once per entry (the entry's memo,
 *     with the stored end-to-end fields, Via and Content-Length), and only
 *     Age and Cache-Status are formatted per request;
 *   - the body of a small object is kept in the memo too, so the whole
 *     response is one writev; a larger one is sent from its file with
 *     sendfile, the file kept open by the memo (a refcounted libevent
 *     file segment: it closes when the memo and the last reply that
 *     sends it are gone).
 *
 * "Plain" is narrow on purpose: GET, HTTP/1.1, keep-alive, and only the
 * header fields in server_fast_fields.  Anything else (HEAD, conditionals,
 * ranges, Cache-Control, Via, credentials, path-form Location rewriting,
 * the proxy's own pages, stale or Vary entries, misses) is left in the
 * buffer for evhttp and server_req.c, which stay the reference behaviour.
 */
#include <sys/types.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "alog.h"
#include "cache.h"
#include "http.h"
#include "log.h"
#include "server_int.h"
#include "stats.h"

/* Bodies up to this size are kept in memory with the entry's memo. */
#define FAST_INLINE_MAX		(16u << 10)
/* All memos together stay below this; past it hits take the slow path. */
#define FAST_MEMO_BUDGET	(8u << 20)
/* Files memos keep open at most; past it a hit opens its file. */
#define FAST_OPEN_MAX		256
/* Longest target, Host and Referer the fast path copies. */
#define FAST_TARGET_MAX		2048
#define FAST_HOST_MAX		256

/* What a stored response looks like on the wire, built once. */
struct server_fast_memo {
	size_t		 size;		/* counted against the budget */
	int		 location;	/* has Location: path form rewrites it */
	int		 slow;		/* never fast (not 200, no Date) */
	char		*head;		/* status line .. Content-Length CRLF */
	size_t		 head_len;
	char		*body;		/* the body in memory, or NULL */
	size_t		 body_len;
	struct evbuffer_file_segment *seg; /* or the open file, or NULL */
};

static size_t	server_fast_memo_bytes;
static unsigned	server_fast_memo_files;

/*
 * Request fields that cannot change which stored response is sent or how
 * (given the response has no Vary).  Connection and Proxy-Connection are
 * allowed with "keep-alive" only; Host and Referer are read.
 */
static const char *const server_fast_fields[] = {
	"accept", "accept-charset", "accept-encoding", "accept-language",
	"cookie", "dnt", "user-agent", "upgrade-insecure-requests",
	"sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site",
	"sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile",
	"sec-ch-ua-platform", NULL
};

/* A parsed plain request: pointers into the input (not NUL-terminated). */
struct server_fast_req {
	const char	*target;
	size_t		 target_len;
	const char	*host;
	size_t		 host_len;
	const char	*referer;
	size_t		 referer_len;
	size_t		 len;		/* of the whole head */
};

static void
server_fast_memo_free(void *arg)
{
	struct server_fast_memo	*m = arg;

	server_fast_memo_bytes -= m->size;
	if (m->seg != NULL) {
		/* replies still sending it hold their own references */
		evbuffer_file_segment_free(m->seg);
		server_fast_memo_files--;
	}
	free(m->head);
	free(m->body);
	free(m);
}

/* True if [v, v + len) is "keep-alive", in any case. */
static int
server_fast_keepalive(const char *v, size_t len)
{
	return (len == 10 && strncasecmp(v, "keep-alive", 10) == 0);
}

/* True if the field name [n, n + len) is one server_fast_fields lists. */
static int
server_fast_harmless(const char *n, size_t len)
{
	size_t	 i;

	for (i = 0; server_fast_fields[i] != NULL; i++)
		if (strlen(server_fast_fields[i]) == len &&
		    strncasecmp(server_fast_fields[i], n, len) == 0)
			return (1);
	return (0);
}

/*
 * Parses the head that starts p (len bytes, ending with CRLF CRLF; the
 * framing checker has accepted it).  Returns 0 if it is a plain request.
 */
static int
server_fast_parse(const char *p, size_t len, struct server_fast_req *r)
{
	const char	*end = p + len - 2, *line, *eol, *colon, *v, *ve;
	int		 hosts = 0;

	memset(r, 0, sizeof(*r));
	r->len = len;
	if (len < 16 || memcmp(p, "GET ", 4) != 0)
		return (-1);
	r->target = p + 4;
	if ((eol = memchr(p, '\r', len)) == NULL || eol - p < 14 ||
	    memcmp(eol - 9, " HTTP/1.1", 9) != 0)
		return (-1);
	r->target_len = (size_t)(eol - 9 - r->target);
	if (r->target_len == 0 || r->target_len >= FAST_TARGET_MAX ||
	    memchr(r->target, ' ', r->target_len) != NULL)
		return (-1);
	for (line = eol + 2; line < end; line = eol + 2) {
		if ((eol = memchr(line, '\r', (size_t)(end - line) + 1)) == NULL ||
		    (colon = memchr(line, ':', (size_t)(eol - line))) == NULL)
			return (-1);
		/* the value without its optional whitespace */
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = eol; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
#define FIELD_IS(s) ((size_t)(colon - line) == sizeof(s) - 1 && \
	    strncasecmp(line, s, sizeof(s) - 1) == 0)
		if (FIELD_IS("host")) {
			r->host = v;
			r->host_len = (size_t)(ve - v);
			if (++hosts > 1 || r->host_len >= FAST_HOST_MAX)
				return (-1);
		} else if (FIELD_IS("referer")) {
			if (r->referer != NULL ||
			    (size_t)(ve - v) >= FAST_TARGET_MAX)
				return (-1);
			r->referer = v;
			r->referer_len = (size_t)(ve - v);
		} else if (FIELD_IS("connection") ||
		    FIELD_IS("proxy-connection")) {
			if (!server_fast_keepalive(v, (size_t)(ve - v)))
				return (-1);
		} else if (!server_fast_harmless(line, (size_t)(colon - line)))
			return (-1);
#undef FIELD_IS
	}
	return (hosts == 1 ? 0 : -1);
}

/* Copies [s, s + len) into buf as a C string (len < size is checked). */
static const char *
server_fast_str(char *buf, const char *s, size_t len)
{
	if (s == NULL)
		return (NULL);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (buf);
}

/*
 * Builds the entry's memo: the response head as server_req_serve_hit
 * would send it, up to Age, and a small body.  An entry the fast path
 * can never answer gets a memo that says so (slow), so that its hits do
 * not try again.  NULL: take the slow path this time.
 */
static struct server_fast_memo *
server_fast_memo_new(struct server *srv, struct cache_entry *e)
{
	static const char *const skip[] = {
		"Content-Length", "Age", "Cache-Status", NULL
	};
	const struct cache_record *rec = cache_entry_record(e);
	struct server_fast_memo	*m = NULL;
	struct evkeyvalq	 out;
	struct evkeyval		*kv;
	struct evbuffer		*b = NULL;
	char			 via[160];

	TAILQ_INIT(&out);
	if (server_fast_memo_bytes > FAST_MEMO_BUDGET ||
	    (m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	/* evhttp would add a Date to an HTTP/1.1 reply that has none */
	if (rec->status != 200 ||
	    evhttp_find_header(&rec->headers, "Date") == NULL) {
		m->slow = 1;
		goto done;
	}
	if ((b = evbuffer_new()) == NULL ||
	    http_hdr_copy_end_to_end(&rec->headers, &out, skip) == -1)
		goto fail;
	snprintf(via, sizeof(via), "1.1 %s", srv->via);
	if (http_hdr_list_append(&out, "Via", via) == -1)
		goto fail;
	m->location = evhttp_find_header(&out, "Location") != NULL;
	if (evbuffer_add_printf(b, "HTTP/1.1 %d %s\r\n", rec->status,
	    rec->reason) == -1)
		goto fail;
	TAILQ_FOREACH(kv, &out, next)
		if (evbuffer_add_printf(b, "%s: %s\r\n", kv->key,
		    kv->value) == -1)
			goto fail;
	if (evbuffer_add_printf(b, "Content-Length: %llu\r\n",
	    (unsigned long long)rec->body_len) == -1)
		goto fail;
	m->head_len = evbuffer_get_length(b);
	if ((m->head = malloc(m->head_len)) == NULL)
		goto fail;
	evbuffer_remove(b, m->head, m->head_len);
	if (rec->body_len <= FAST_INLINE_MAX && rec->body_len > 0) {
		m->body_len = (size_t)rec->body_len;
		if ((m->body = malloc(m->body_len)) == NULL ||
		    cache_entry_read_body(e, m->body, 0, m->body_len) == -1)
			goto fail;
	} else if (rec->body_len > 0 &&
	    server_fast_memo_files < FAST_OPEN_MAX) {
		uint64_t	 off;
		int		 fd;

		if ((fd = cache_entry_open(e, &off)) == -1)
			goto fail;
		if ((m->seg = evbuffer_file_segment_new(fd, (ev_off_t)off,
		    (ev_off_t)rec->body_len, EVBUF_FS_CLOSE_ON_FREE)) == NULL) {
			close(fd);
			goto fail;
		}
		server_fast_memo_files++;
	}
	evhttp_clear_headers(&out);
	evbuffer_free(b);
done:
	m->size = sizeof(*m) + m->head_len + m->body_len;
	server_fast_memo_bytes += m->size;
	cache_entry_set_memo(e, m, server_fast_memo_free);
	return (m);
fail:
	evhttp_clear_headers(&out);
	if (b != NULL)
		evbuffer_free(b);
	if (m != NULL)
		server_fast_memo_free(m);	/* size 0: never counted */
	return (NULL);
}

/*
 * Finds the fresh stored response a plain request names and puts its key
 * in key; NULL if there is none (or the slow path must answer).
 */
static struct cache_entry *
server_fast_lookup(struct server *srv, const struct server_fast_req *r,
    time_t now, struct http_url *url, char *key, size_t keylen)
{
	char			 target[FAST_TARGET_MAX], host[FAST_HOST_MAX];
	char			 referer[FAST_TARGET_MAX];
	const char		*t = server_fast_str(target, r->target,
				    r->target_len);
	enum http_target	 kind;
	struct cache_entry	*e;
	struct http_cc		 cc;
	int			 swr = 0;

	/* the proxy's own pages */
	if (strncmp(t, "/-", 2) == 0 &&
	    (t[2] == '/' || t[2] == '\0' || t[2] == '?'))
		return (NULL);
	kind = http_target_parse(t, server_fast_str(referer, r->referer,
	    r->referer_len), server_fast_str(host, r->host, r->host_len), url);
	if (kind != HTTP_TARGET_ABSOLUTE && kind != HTTP_TARGET_PATH &&
	    kind != HTTP_TARGET_REFERER)
		return (NULL);
	/* http://proxy/..., loops: server_req_route has the answers */
	if (server_is_self(srv, url->host, url->port) ||
	    strcmp(url->scheme, "http") != 0 ||
	    http_url_format(url, key, keylen) >= keylen)
		return (NULL);
	if ((e = cache_lookup(srv->cache, key, NULL)) == NULL)
		return (NULL);
	http_cc_init(&cc);
	if (cache_policy_freshness(cache_entry_meta(e), &cc, now, &swr) !=
	    CACHE_FRESH || swr) {
		cache_entry_unref(e);
		return (NULL);
	}
	return (e);
}

/* Counts the hit and writes its access line. */
static void
server_fast_account(const char *client, const char *key,
    const struct http_url *url, uint64_t bytes, const struct timeval *start)
{
	struct stats_req	 sr;
	struct timeval		 now, d;

	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, start, &d);
	memset(&sr, 0, sizeof(sr));
	sr.when = now.tv_sec;
	sr.when_ms = (int)(now.tv_usec / 1000);
	sr.client = client;
	sr.method = "GET";
	sr.url = key;
	sr.host = url->host;
	sr.status = 200;
	sr.result = "HIT";
	sr.bytes = bytes;
	sr.from_cache = 1;
	sr.ms = (long)d.tv_sec * 1000 + (long)d.tv_usec / 1000;
	sr.why = "done";
	/* the line server_req_close writes, for the same request */
	(alog_enabled() ? log_debug : log_info)("%s GET %s 200 HIT %llu "
	    "%ldms done", client, key, (unsigned long long)bytes, sr.ms);
	stats_inc(requests);
	stats_inc(fast_hits);
	server_account(&sr);
}

/*
 * Writes what writev did not take (from byte done of iov) to out.
 * Returns -1 on ENOMEM.
 */
static int
server_fast_queue(struct evbuffer *out, const struct iovec *iov, int n,
    size_t done)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (done >= iov[i].iov_len) {
			done -= iov[i].iov_len;
			continue;
		}
		if (evbuffer_add(out, (const char *)iov[i].iov_base + done,
		    iov[i].iov_len - done) == -1)
			return (-1);
		done = 0;
	}
	return (0);
}

enum server_fast_res
server_fast_hit(struct server *srv, const char *client, struct evbuffer *in,
    evutil_socket_t fd, struct evbuffer *out)
{
	struct evbuffer_ptr	 eoh;
	struct server_fast_req	 r;
	struct server_fast_memo	*m;
	struct cache_entry	*e;
	struct http_url		 url;
	struct timeval		 start;
	struct iovec		 iov[3];
	char			 key[FAST_TARGET_MAX + FAST_HOST_MAX + 16];
	char			 dyn[160];
	const struct cache_meta	*meta;
	const char		*p;
	size_t			 total;
	ssize_t			 n;
	long			 age;
	int			 niov, dlen;

	if (srv->cache == NULL || evbuffer_get_length(out) > 0)
		return (FAST_NONE);
	eoh = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (eoh.pos < 0 ||
	    (p = (const char *)evbuffer_pullup(in, eoh.pos + 4)) == NULL ||
	    server_fast_parse(p, (size_t)eoh.pos + 4, &r) == -1)
		return (FAST_NONE);
	evutil_gettimeofday(&start, NULL);
	memset(&url, 0, sizeof(url));
	if ((e = server_fast_lookup(srv, &r, start.tv_sec, &url, key,
	    sizeof(key))) == NULL)
		goto none;
	if ((m = cache_entry_memo(e)) == NULL)
		m = server_fast_memo_new(srv, e);
	/* path form (the target is a path) rewrites a Location: slow path */
	if (m == NULL || m->slow || (m->location && r.target[0] == '/')) {
		cache_entry_unref(e);
		goto none;
	}

	meta = cache_entry_meta(e);
	age = cache_policy_age(meta, start.tv_sec);
	dlen = snprintf(dyn, sizeof(dyn), "Age: %ld\r\nCache-Status: "
	    "evproxy; hit; ttl=%ld\r\n\r\n", age,
	    cache_policy_lifetime(meta) - age);
	iov[0].iov_base = m->head;
	iov[0].iov_len = m->head_len;
	iov[1].iov_base = dyn;
	iov[1].iov_len = (size_t)dlen;
	niov = 2;
	if (m->body != NULL) {
		iov[2].iov_base = m->body;
		iov[2].iov_len = m->body_len;
		niov = 3;
	} else if (cache_entry_record(e)->body_len > 0) {
		uint64_t len = cache_entry_record(e)->body_len;

		/* the head is queued with the file behind it, or not at all */
		if (server_fast_queue(out, iov, niov, 0) == -1 ||
		    (m->seg != NULL ? evbuffer_add_file_segment(out, m->seg, 0,
		    (ev_off_t)len) : cache_entry_add_body(e, out, 0, len)) == -1) {
			evbuffer_drain(out, evbuffer_get_length(out));
			cache_entry_unref(e);
			goto none;
		}
		niov = 0;
	}
	/* from here the request is ours */
	evbuffer_drain(in, r.len);
	server_fast_account(client, key, &url, cache_entry_record(e)->body_len,
	    &start);
	http_url_clear(&url);
	if (niov == 0) {
		cache_entry_unref(e);
		/* writev of the head, then sendfile: what goes now, goes */
		while (evbuffer_get_length(out) > 0 &&
		    evbuffer_write(out, fd) > 0)
			;
		return (evbuffer_get_length(out) > 0 ? FAST_QUEUED :
		    FAST_DONE);
	}
	total = iov[0].iov_len + iov[1].iov_len + (niov == 3 ?
	    iov[2].iov_len : 0);
	do
		n = writev(fd, iov, niov);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)total) {
		cache_entry_unref(e);
		return (FAST_DONE);
	}
	/*
	 * The rest goes through the bufferevent: on EAGAIN, or to let it
	 * see the error and close the connection the usual way.
	 */
	if (n < 0)
		n = 0;
	if (server_fast_queue(out, iov, niov, (size_t)n) == -1) {
		cache_entry_unref(e);
		return (FAST_FAILED);
	}
	cache_entry_unref(e);
	return (FAST_QUEUED);
none:
	http_url_clear(&url);
	return (FAST_NONE);
}
