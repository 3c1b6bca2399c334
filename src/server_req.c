/*
 * server_req.c: one client request, from evhttp's callback to the last
 * byte of the reply.
 *
 * Flow (one way): server_req_cb parses the target into an origin URL,
 * builds the forwarded headers, answers from the cache when it may
 * (server_req_from_cache), joins a fill of the same URL already under way
 * (collapsed forwarding, struct server_fill below), or starts an upstream
 * fetch (REQ_FETCH).
 * The fetch's header callback starts the reply (REQ_REPLY), its body
 * callback streams each piece to the client, pausing the origin while the
 * client's output buffer is above SERVER_HIGH_WATER and resuming once it
 * has drained, and its done callback ends the reply.
 *
 * Ownership.  struct server_req is the root of everything a request
 * holds: the fetch, the parsed URL, the forwarded headers.  Only
 * server_req_close() ends it; it cancels the fetch, writes the access
 * line and frees the request from a zero-delay event, never up the stack.
 * The evhttp_request belongs to us until we hand it back with a final
 * evhttp_send_reply*() call; a client that vanishes first detaches it
 * (its connection becomes NULL) and we free it ourselves.  The client
 * connection's close callback is set at intake and cleared when the
 * reply is handed back, because a keep-alive connection outlives its
 * requests.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>

#include "alog.h"
#include "cache.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "server_int.h"
#include "stats.h"
#include "upstream.h"

/* Pause the origin above this much unsent data for the client. */
#define SERVER_HIGH_WATER	(256u << 10)

enum server_req_state {
	REQ_NEW,		/* parsing the request */
	REQ_FETCH,		/* waiting for the origin's headers */
	REQ_REPLY,		/* streaming the origin's body */
	REQ_CLOSING		/* ended; freed from a zero-delay event */
};

/* The request came in path form: rewrite Location headers. */
#define REQ_PATHFORM		0x01

struct server_req {
	struct server		*srv;
	struct evhttp_request	*ereq;		/* NULL once handed back */
	struct evhttp_connection *evcon;	/* the client's; may go */
	struct server_conn	*conn;		/* ditto, our side of it */
	uint64_t		 id;
	enum server_req_state	 state;
	int			 flags;
	const char		*method;
	struct http_url		 url;
	char			*url_str;	/* normalized; the cache key */
	struct upstream_fetch	*fetch;
	struct evkeyvalq	 fwd;		/* headers for the origin */
	int			 status;	/* sent to the client */
	int			 upstream_status; /* the origin's, or 0 */
	const char		*result;	/* PROXY, SELF, ERROR... */
	int			 state_was_reply; /* closed after reply_start */
	/* the cache: what the request asked, how it was served */
	struct http_cc		 req_cc;
	const char		*cache_fwd;	/* Cache-Status fwd=, or NULL */
	struct cache_writer	*writer;	/* storing the response */
	/* collapsed forwarding: a fill shared with other requests */
	struct server_fill	*fill;		/* owner or reader of it */
	TAILQ_ENTRY(server_req)	 fill_entry;	/* on fill->readers */
	int			 reader;	/* on fill->readers */
	int			 reading;	/* sends from the fill's file */
	int			 rfd;		/* that file, or -1 */
	uint64_t		 roff;		/* body bytes sent from it */
	struct cache_entry	*stale;		/* being revalidated */
	int			 stale_validated; /* we sent its validators */
	int			 revalidated;	/* the origin said 304 */
	time_t			 sent;		/* request sent upstream */
	/* evhttp's client bufferevent callbacks, saved while we watch */
	bufferevent_event_cb	 ev_eventcb;
	void			*ev_cbarg;
	uint64_t		 bytes;		/* body bytes to the client */
	struct timeval		 start;
	char			 client[64];	/* peer address */
};

static void	server_req_close(struct server_req *, const char *);
static void	server_req_account(const struct server_req *,
		    const struct timeval *, const char *);
static void	server_req_fetch_start(struct server_req *);
static void	server_pass_mark(struct server *, const char *, int);
static void	server_req_feed(struct server_req *);
static void	server_fill_detach(struct server_req *);
static void	server_req_drop_reader(struct server_req *);
static void	server_req_drop_client(struct server *,
		    struct evhttp_connection *);

static const char *const server_req_states[] = {
	"NEW", "FETCH", "REPLY", "CLOSING"
};

/* Moves req to state s, with a debug line. */
static void
server_req_set_state(struct server_req *req, enum server_req_state s)
{
	log_debug("%s: req %llu: %s -> %s", __func__,
	    (unsigned long long)req->id, server_req_states[req->state],
	    server_req_states[s]);
	req->state = s;
}

/* The method's name for logs. */
static const char *
server_req_method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:		return ("GET");
	case EVHTTP_REQ_POST:		return ("POST");
	case EVHTTP_REQ_HEAD:		return ("HEAD");
	case EVHTTP_REQ_PUT:		return ("PUT");
	case EVHTTP_REQ_DELETE:		return ("DELETE");
	case EVHTTP_REQ_OPTIONS:	return ("OPTIONS");
	case EVHTTP_REQ_TRACE:		return ("TRACE");
	case EVHTTP_REQ_CONNECT:	return ("CONNECT");
	case EVHTTP_REQ_PATCH:		return ("PATCH");
	}
	return ("UNKNOWN");
}

/* Frees a closed request on a clean stack. */
static void
server_req_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_req	*req = arg;

	(void)fd;
	(void)what;
	if (req->fetch != NULL)
		log_warnx("%s: req %llu: freeing with a live fetch", __func__,
		    (unsigned long long)req->id);
	if (req->rfd != -1)
		close(req->rfd);
	http_url_clear(&req->url);
	free(req->url_str);
	evhttp_clear_headers(&req->fwd);
	free(req);
}

/* The reply was written out: restore the idle timeout streaming lifted. */
static void
server_req_complete_cb(struct evhttp_request *ereq, void *arg)
{
	struct server			*srv = arg;
	struct evhttp_connection	*evcon;

	if ((evcon = evhttp_request_get_connection(ereq)) != NULL) {
		evhttp_connection_set_timeout_tv(evcon, &srv->client_tv);
		server_conn_reply_done(server_conn_of(srv, evcon));
	}
}

/*
 * Hands the evhttp request back to evhttp: from here on evhttp owns and
 * frees it, and its connection no longer reports to us.
 */
static struct evhttp_request *
server_req_release(struct server_req *req)
{
	struct evhttp_request	*ereq = req->ereq;

	if (req->evcon != NULL)
		server_conn_set_req(req->conn, NULL);
	req->evcon = NULL;
	req->conn = NULL;
	req->ereq = NULL;
	return (ereq);
}

/* Sends a complete reply of our own (home page, error page) and ends. */
static void
server_req_reply(struct server_req *req, int status, const char *ctype,
    struct evbuffer *body, const char *why)
{
	struct evkeyvalq	*out;
	struct evhttp_request	*ereq;

	req->status = status;
	if (req->ereq == NULL) {
		server_req_close(req, why);
		return;
	}
	out = evhttp_request_get_output_headers(req->ereq);
	evhttp_add_header(out, "Content-Type", ctype);
	evhttp_add_header(out, "Cache-Control", "no-store");
	ereq = server_req_release(req);
	if (evhttp_request_get_command(ereq) == EVHTTP_REQ_HEAD) {
		char cl[32];

		/* evhttp_send_reply would send the body of a HEAD reply */
		snprintf(cl, sizeof(cl), "%zu", evbuffer_get_length(body));
		evhttp_add_header(out, "Content-Length", cl);
		evhttp_send_reply(ereq, status, NULL, NULL);
	} else {
		req->bytes = evbuffer_get_length(body);
		evhttp_send_reply(ereq, status, NULL, body);
	}
	server_req_close(req, why);
}

/* Replies with an error page naming the cause, and ends the request. */
static void
server_req_fail(struct server_req *req, int status, const char *title,
    const char *cause)
{
	struct evbuffer		*body;

	stats_inc(errors);
	req->result = "ERROR";
	if (req->ereq != NULL) {
		struct evkeyvalq *out =
		    evhttp_request_get_output_headers(req->ereq);

		/* the plain-text line, for scripts */
		evhttp_add_header(out, "X-Evproxy-Error", cause);
	}
	if ((body = evbuffer_new()) == NULL) {
		server_req_close(req, "out of memory");
		return;
	}
	server_page_error(body, status, title, cause, req->url_str);
	server_req_reply(req, status, "text/html; charset=utf-8", body, cause);
	evbuffer_free(body);
}

/* Maps an upstream failure to a status and title (STYLE.md §7). */
static int
server_req_err_status(enum upstream_err err, const char **title)
{
	switch (err) {
	case UPSTREAM_ERR_NXDOMAIN:
		*title = "Unknown Host";
		return (404);
	case UPSTREAM_ERR_TIMEOUT:
		*title = "Gateway Timeout";
		return (504);
	case UPSTREAM_ERR_NOMEM:
		*title = "Service Unavailable";
		return (503);
	case UPSTREAM_ERR_DNS:
	case UPSTREAM_ERR_CONNECT:
	case UPSTREAM_ERR_INVALID:
	case UPSTREAM_ERR_TRUNCATED:
	case UPSTREAM_OK:
		break;
	}
	*title = "Bad Gateway";
	return (502);
}

/*
 * Ends req: cancels its fetch, frees a request the client abandoned,
 * writes the access line, and frees req on a clean stack.
 */
static void
server_req_close(struct server_req *req, const char *why)
{
	struct timeval	 now, d;
	struct timeval	 zero = { 0, 0 };

	if (req->state == REQ_CLOSING)
		return;
	req->state_was_reply = (req->state == REQ_REPLY);
	server_req_set_state(req, REQ_CLOSING);
	server_fill_detach(req);
	if (req->fetch != NULL) {
		upstream_cancel(req->fetch);
		req->fetch = NULL;
	}
	if (req->writer != NULL) {
		/* no one to pass it to (server_fill_detach): abandoned */
		cache_store_finish(req->writer, 0);
		req->writer = NULL;
	}
	if (req->stale != NULL) {
		cache_entry_unref(req->stale);
		req->stale = NULL;
	}
	if (req->ereq != NULL) {
		struct evhttp_connection *evcon = req->evcon;
		struct evhttp_request *ereq = server_req_release(req);

		if (evhttp_request_get_connection(ereq) == NULL)
			/* detached by a client hang-up: it is ours to free */
			evhttp_request_free(ereq);
		else if (req->state_was_reply)
			/* never end a broken body with the final chunk */
			server_req_drop_client(req->srv, evcon);
		else
		{
			/* ended without a reply (out of memory): say so */
			req->status = 503;
			evhttp_send_error(ereq, 503, NULL);
		}
	}
	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &req->start, &d);
	/* with an access log, the error log keeps this line for -v only */
	(alog_enabled() ? log_debug : log_info)("%s %s %s %d %s %llu %ldms %s",
	    req->client, req->method,
	    req->url_str != NULL ? req->url_str : "-", req->status,
	    req->result, (unsigned long long)req->bytes,
	    (long)d.tv_sec * 1000 + (long)d.tv_usec / 1000, why);
	server_req_account(req, &now, why);
	if (event_base_once(req->srv->base, -1, EV_TIMEOUT, server_req_free_cb,
	    req, &zero) == -1)
		log_warnx("%s: req %llu: cannot schedule its free: leaking",
		    __func__, (unsigned long long)req->id);
}

/* Hands the finished request to the counters and the access log. */
static void
server_req_account(const struct server_req *req, const struct timeval *now,
    const char *why)
{
	struct stats_req	 sr;
	struct timeval		 d;
	const char		*r = req->result;

	evutil_timersub(now, &req->start, &d);
	memset(&sr, 0, sizeof(sr));
	sr.when = now->tv_sec;
	sr.when_ms = (int)(now->tv_usec / 1000);
	sr.client = req->client;
	sr.method = req->method;
	sr.url = req->url_str != NULL ? req->url_str : "-";
	sr.host = req->url_str != NULL ? req->url.host : NULL;
	sr.status = req->status;
	sr.result = r;
	sr.bytes = req->bytes;
	sr.from_cache = strcmp(r, "HIT") == 0 || strcmp(r, "STALE") == 0 ||
	    strcmp(r, "REVALIDATED") == 0 || strcmp(r, "COLLAPSED") == 0;
	sr.upstream_status = req->upstream_status;
	sr.ms = (long)d.tv_sec * 1000 + (long)d.tv_usec / 1000;
	sr.why = why;
	server_account(&sr);
}

/* The client connection closed under a request still in progress. */
void
server_req_client_gone(struct server_req *req, struct evhttp_connection *evcon)
{
	(void)evcon;
	req->evcon = NULL;		/* it is being freed */
	req->conn = NULL;
	if (req->ereq != NULL &&
	    evhttp_request_get_connection(req->ereq) != NULL) {
		/* still attached (server shutdown): evhttp frees it */
		req->ereq = NULL;
	}
	/* at shutdown it is we who close it (evhttp_free) */
	server_req_close(req, req->srv->draining ?
	    "cut at shutdown (--shutdown-timeout)" :
	    "client closed the connection");
}

/* The client's output has drained: let the origin send again. */
static void
server_req_drained_cb(struct evhttp_connection *evcon, void *arg)
{
	struct server_req	*req = arg;

	(void)evcon;
	if (req->reading) {
		server_req_feed(req);
		return;
	}
	if (req->state == REQ_REPLY && req->fetch != NULL &&
	    upstream_paused(req->fetch))
		upstream_resume(req->fetch);
}

/* A pipelined request arrived while we wait: leave it to evhttp. */
static void
server_req_watch_read_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	bufferevent_disable(bev, EV_READ);
}

/* The client closed while we wait: evhttp fails the connection. */
static void
server_req_watch_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct server_req	*req = arg;

	/* evhttp's handler frees the connection; our close cb runs */
	req->ev_eventcb(bev, what, req->ev_cbarg);
}

/*
 * evhttp stops reading a request's connection until the reply starts, so
 * a client that leaves while we wait for the origin goes unnoticed and
 * the fetch runs on (libevent #78).  Watch for its EOF meanwhile: the
 * next evhttp write (any reply) puts evhttp's own callbacks back.
 */
static void
server_req_watch_client(struct server_req *req)
{
	struct bufferevent	*bev;
	bufferevent_data_cb	 readcb, writecb;

	bev = evhttp_connection_get_bufferevent(req->evcon);
	bufferevent_getcb(bev, &readcb, &writecb, NULL, NULL);
	if (readcb == server_req_watch_read_cb)
		return;		/* watching already (a released reader) */
	bufferevent_getcb(bev, &readcb, &writecb, &req->ev_eventcb,
	    &req->ev_cbarg);
	if (req->ev_eventcb == NULL ||
	    evbuffer_get_length(bufferevent_get_input(bev)) > 0)
		return;
	bufferevent_setcb(bev, server_req_watch_read_cb, writecb,
	    server_req_watch_event_cb, req);
	/* a slow origin is not the client's fault: no read timeout */
	bufferevent_set_timeouts(bev, NULL, &req->srv->client_tv);
	bufferevent_enable(bev, EV_READ);
}

/* Bytes queued for the client and not yet written to its socket. */
static size_t
server_req_client_backlog(const struct server_req *req)
{
	struct bufferevent	*bev;

	if (req->evcon == NULL)
		return (0);
	bev = evhttp_connection_get_bufferevent(req->evcon);
	return (evbuffer_get_length(bufferevent_get_output(bev)));
}

/* Rewrites the origin's Location into path form for path-form clients. */
static void
server_req_rewrite_location(struct server_req *req, struct evkeyvalq *out)
{
	const char	*loc = evhttp_find_header(out, "Location");
	char		*pf;

	if (loc == NULL ||
	    (pf = http_location_to_pathform(loc, &req->url)) == NULL)
		return;
	evhttp_remove_header(out, "Location");
	evhttp_add_header(out, "Location", pf);
	free(pf);
}

/* Adds "Cache-Status: evproxy; ..." (RFC 9211) to out. */
static void
server_req_cache_status(struct evkeyvalq *out, const char *params)
{
	char	 v[192];

	snprintf(v, sizeof(v), "evproxy; %s", params);
	evhttp_add_header(out, "Cache-Status", v);
}

/*
 * Removes the cached entry a Location or Content-Location names, when it
 * is on the request's origin (RFC 9111 §4.4).
 */
static void
server_req_invalidate_ref(struct server_req *req, const char *ref)
{
	struct http_url	 u;
	char		*key, *abs, auth[HTTP_HOST_MAX + 8];
	size_t		 len;

	if (ref == NULL || *ref == '\0')
		return;
	if (ref[0] == '/' && ref[1] != '/') {
		http_url_authority(&req->url, auth, sizeof(auth));
		len = strlen(req->url.scheme) + 3 + strlen(auth) +
		    strlen(ref) + 1;
		if ((abs = malloc(len)) == NULL)
			return;
		snprintf(abs, len, "%s://%s%s", req->url.scheme, auth, ref);
	} else if ((abs = strdup(ref)) == NULL)
		return;
	if (http_url_parse(abs, &u) == 0) {
		if (strcmp(u.scheme, req->url.scheme) == 0 &&
		    strcmp(u.host, req->url.host) == 0 &&
		    u.port == req->url.port &&
		    (key = http_url_string(&u)) != NULL) {
			cache_remove(req->srv->cache, key);
			free(key);
		}
		http_url_clear(&u);
	}
	free(abs);
}

/*
 * Starts storing the origin's answer to a GET of key if a shared cache may
 * keep it (RFC 9111 §3) and it is of any use (fresh for a while, or
 * revalidatable).  Returns the writer, or NULL with *why saying why not
 * when a rule forbade it.
 */
static struct cache_writer *
server_store_start(struct cache *cache, const char *key,
    const struct http_cc *req_cc, const struct evkeyvalq *req_hdrs,
    int status, const char *reason, const struct evkeyvalq *in, time_t sent,
    const char **why)
{
	/* Age stays: the stored response's age depends on it (§4.2.3) */
	static const char *const skip[] = { "Content-Length", NULL };
	struct cache_writer	*w = NULL;
	struct cache_meta	 meta;
	struct cache_record	 rec;
	const char		*cl;
	char			*vk;
	int64_t			 expected = -1;

	*why = NULL;
	cache_meta_from_headers(in, status, sent, time(NULL), &meta);
	if (!cache_policy_storable(EVHTTP_REQ_GET, req_cc,
	    evhttp_find_header(req_hdrs, "Authorization") != NULL, &meta, why))
		return (NULL);
	if (cache_policy_lifetime(&meta) <= 0 && !meta.has_validator) {
		/* stale at once and cannot be revalidated: useless */
		*why = "no freshness";
		return (NULL);
	}
	if ((vk = http_hdr_vary_key(in, req_hdrs)) == NULL)
		return (NULL);
	cache_record_init(&rec);
	rec.key = (char *)key;
	rec.vary_key = vk;
	rec.status = status;
	rec.reason = (char *)reason;
	rec.request_time = meta.request_time;
	rec.response_time = meta.response_time;
	if (evhttp_find_header(in, "Transfer-Encoding") == NULL &&
	    (cl = evhttp_find_header(in, "Content-Length")) != NULL)
		expected = strtoll(cl, NULL, 10);
	if (http_hdr_copy_end_to_end(in, &rec.headers, skip) != -1)
		w = cache_store_start(cache, &rec, expected);
	evhttp_clear_headers(&rec.headers);
	free(vk);
	return (w);
}

/*
 * The origin answered: store the response if RFC 9111 lets us, or
 * invalidate what an unsafe method changed; label it with Cache-Status.
 */
static void
server_req_cache_response(struct server_req *req, int status,
    const char *reason, const struct evkeyvalq *in, struct evkeyvalq *out)
{
	struct evkeyvalq	*rin = evhttp_request_get_input_headers(
				    req->ereq);
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req->ereq);
	const char		*why = NULL;
	char			 params[96], *p;

	if (req->srv->cache == NULL)
		return;
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		if (status >= 200 && status < 400) {
			cache_remove(req->srv->cache, req->url_str);
			server_req_invalidate_ref(req,
			    evhttp_find_header(in, "Location"));
			server_req_invalidate_ref(req,
			    evhttp_find_header(in, "Content-Location"));
		}
		server_req_cache_status(out, "fwd=method");
		req->result = "BYPASS";
		return;
	}
	if (m == EVHTTP_REQ_GET)
		req->writer = server_store_start(req->srv->cache, req->url_str,
		    &req->req_cc, rin, status, reason, in, req->sent, &why);
	snprintf(params, sizeof(params), "fwd=%s%s%s%s", req->cache_fwd != NULL ?
	    req->cache_fwd : "miss", req->writer != NULL ? "; stored" : "",
	    why != NULL ? "; detail=" : "", why != NULL ? why : "");
	/* the detail is a token: no spaces in it */
	for (p = params; *p != '\0'; p++)
		if (*p == ' ' && p[-1] != ';')
			*p = '-';
	server_req_cache_status(out, params);
	req->result = req->cache_fwd != NULL && strcmp(req->cache_fwd, "stale") == 0 ?
	    "REFRESH" : "MISS";
}

/* True if the request's validators match the stored response (§4.3.2). */
static int
server_req_not_modified(struct server_req *req, const struct evkeyvalq *st)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req->ereq);
	const char		*inm = evhttp_find_header(in, "If-None-Match");
	const char		*ims, *etag, *lm;
	time_t			 t, l;

	if (inm != NULL) {
		if ((etag = evhttp_find_header(st, "ETag")) == NULL)
			return (0);
		if (strcmp(inm, "*") == 0)
			return (1);
		/* weak comparison: W/"x" matches "x" */
		if (strncmp(etag, "W/", 2) == 0)
			etag += 2;
		for (const char *p = inm; *p != '\0';) {
			size_t n;

			p += strspn(p, " \t,");
			if (strncmp(p, "W/", 2) == 0)
				p += 2;
			n = strcspn(p, ",");
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			if (n == strlen(etag) && strncmp(p, etag, n) == 0)
				return (1);
			p += strcspn(p, ",");
		}
		return (0);
	}
	if ((ims = evhttp_find_header(in, "If-Modified-Since")) == NULL ||
	    (lm = evhttp_find_header(st, "Last-Modified")) == NULL)
		return (0);
	t = http_date_parse(ims);
	l = http_date_parse(lm);
	return (t != -1 && l != -1 && l <= t);
}

/*
 * True if a Range request may be answered from the stored response: no
 * If-Range, or one that names its ETag or Last-Modified (RFC 9110 §13.1.5).
 */
static int
server_req_if_range(struct server_req *req, const struct evkeyvalq *st)
{
	const char	*ir = evhttp_find_header(
			    evhttp_request_get_input_headers(req->ereq),
			    "If-Range");
	const char	*v;

	if (ir == NULL)
		return (1);
	if (ir[0] == '"' || strncmp(ir, "W/", 2) == 0)
		/* a strong comparison: weak tags never match (§13.1.5) */
		return (ir[0] == '"' &&
		    (v = evhttp_find_header(st, "ETag")) != NULL &&
		    strcmp(v, ir) == 0);
	return ((v = evhttp_find_header(st, "Last-Modified")) != NULL &&
	    strcmp(v, ir) == 0);
}

/* Sends a stored response (fresh, or stale where allowed); -1: treat as miss. */
static int
server_req_serve_hit(struct server_req *req, struct cache_entry *e,
    enum cache_fresh fresh, const char *how, const char *result)
{
	static const char *const skip[] = {
		"Content-Length", "Age", "Cache-Status", NULL
	};
	const struct cache_record *rec = cache_entry_record(e);
	const struct cache_meta	*meta = cache_entry_meta(e);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(
				    req->ereq);
	struct evhttp_request	*ereq;
	struct evbuffer		*body = NULL;
	time_t			 now = time(NULL);
	long			 age = cache_policy_age(meta, now);
	char			 buf[160];
	int			 status = rec->status;
	const char		*reason = rec->reason;

	if (http_hdr_copy_end_to_end(&rec->headers, out, skip) == -1)
		goto miss;
	snprintf(buf, sizeof(buf), "%ld", age);
	evhttp_add_header(out, "Age", buf);
	snprintf(buf, sizeof(buf), "1.1 %s", req->srv->via);
	http_hdr_list_append(out, "Via", buf);
	if (how == NULL) {
		snprintf(buf, sizeof(buf), "hit; ttl=%ld",
		    cache_policy_lifetime(meta) - age);
		how = buf;
	}
	server_req_cache_status(out, how);
	if (fresh == CACHE_FRESH && server_req_not_modified(req, out)) {
		status = 304;
		reason = "Not Modified";
		evhttp_remove_header(out, "Content-Type");
	} else {
		unsigned long long first = 0, last = 0, len = rec->body_len;
		int r = 0;

		if (evhttp_request_get_command(req->ereq) == EVHTTP_REQ_GET &&
		    server_req_if_range(req, out))
			r = http_range_parse(evhttp_find_header(
			    evhttp_request_get_input_headers(req->ereq),
			    "Range"), rec->body_len, &first, &last);
		if (r == 1) {
			/* one byte range, from the file (RFC 9110 §14) */
			status = 206;
			reason = "Partial Content";
			len = last - first + 1;
			snprintf(buf, sizeof(buf), "bytes %llu-%llu/%llu", first,
			    last, (unsigned long long)rec->body_len);
			evhttp_add_header(out, "Content-Range", buf);
		} else if (r == -1) {
			status = 416;
			reason = "Range Not Satisfiable";
			len = 0;
			snprintf(buf, sizeof(buf), "bytes */%llu",
			    (unsigned long long)rec->body_len);
			evhttp_add_header(out, "Content-Range", buf);
		}
		snprintf(buf, sizeof(buf), "%llu", len);
		evhttp_add_header(out, "Content-Length", buf);
		if (evhttp_request_get_command(req->ereq) == EVHTTP_REQ_GET &&
		    len > 0) {
			/* sendfile happens only for buffers marked at add time */
			if ((body = evbuffer_new()) == NULL)
				goto miss;
			evbuffer_set_flags(body, EVBUFFER_FLAG_DRAINS_TO_FD);
			if (cache_entry_add_body(e, body, first, len) == -1)
				goto miss;
			req->bytes = len;
		}
	}
	if (req->flags & REQ_PATHFORM)
		server_req_rewrite_location(req, out);
	req->status = status;
	req->result = result != NULL ? result :
	    fresh == CACHE_FRESH ? "HIT" : "STALE";
	ereq = server_req_release(req);
	/* body NULL for HEAD and 304: evhttp would send its bytes anyway */
	evhttp_send_reply(ereq, status, reason, body);
	if (body != NULL)
		evbuffer_free(body);
	server_req_close(req, "done");
	return (0);
miss:
	if (body != NULL)
		evbuffer_free(body);
	evhttp_clear_headers(out);
	return (-1);
}

/*
 * Turns the forwarded headers of a request for a stored response into a
 * conditional request (RFC 9111 §4.3.1): the client's own validators are
 * replaced by the stored ETag and Last-Modified.  -1 if it has neither
 * (the request then is unconditional).
 */
static int
server_req_add_validators(struct evkeyvalq *fwd, struct cache_entry *e)
{
	const struct evkeyvalq	*st = &cache_entry_record(e)->headers;
	const char		*etag = evhttp_find_header(st, "ETag");
	const char		*lm = evhttp_find_header(st, "Last-Modified");

	/*
	 * Always drop the client's: a 304 to them would say nothing about
	 * the stored copy (RFC 9111 §4.3.4).
	 */
	while (evhttp_remove_header(fwd, "If-None-Match") == 0)
		;
	while (evhttp_remove_header(fwd, "If-Modified-Since") == 0)
		;
	while (evhttp_remove_header(fwd, "If-Range") == 0)
		;
	if (etag == NULL && lm == NULL)
		return (-1);
	if (etag != NULL)
		evhttp_add_header(fwd, "If-None-Match", etag);
	if (lm != NULL)
		evhttp_add_header(fwd, "If-Modified-Since", lm);
	return (0);
}

/*
 * A background refresh (stale-while-revalidate, RFC 5861 §3): a GET with
 * no client, owned by the server, that revalidates or replaces an entry.
 */
struct server_refresh {
	TAILQ_ENTRY(server_refresh) entry;
	struct server		*srv;
	struct upstream_fetch	*fetch;
	struct cache_writer	*writer;
	struct cache_entry	*e;
	char			*key;
	time_t			 sent;
	int			 validated;	/* stored validators sent */
	struct evkeyvalq	 hdrs;
};

/* Ends a background refresh and frees it. */
static void
server_refresh_free(struct server_refresh *r)
{
	if (r->fetch != NULL)
		upstream_cancel(r->fetch);
	if (r->writer != NULL)
		cache_store_finish(r->writer, 0);
	TAILQ_REMOVE(&r->srv->refreshes, r, entry);
	cache_entry_unref(r->e);
	evhttp_clear_headers(&r->hdrs);
	free(r->key);
	free(r);
}

/* The refresh's answer: 304 updates the entry, a storable 200 replaces it. */
static void
server_refresh_header_cb(struct upstream_fetch *f, int status,
    const char *reason, struct evkeyvalq *in, void *arg)
{
	struct server_refresh	*r = arg;
	struct http_cc		 cc;
	const char		*why;

	(void)f;
	if (status == 304) {
		/* the request carried the stored validators (and only those) */
		if (r->validated)
			cache_entry_refresh(r->e, in, r->sent, time(NULL));
		return;
	}
	http_cc_init(&cc);
	r->writer = server_store_start(r->srv->cache, r->key, &cc, &r->hdrs,
	    status, reason, in, r->sent, &why);
}

/* Body of a refreshed response: into the cache only. */
static void
server_refresh_body_cb(struct upstream_fetch *f, struct evbuffer *data,
    void *arg)
{
	struct server_refresh	*r = arg;

	(void)f;
	if (r->writer != NULL && cache_store_write(r->writer, data) == -1) {
		cache_store_finish(r->writer, 0);
		r->writer = NULL;
	}
}

/* The refresh ended. */
static void
server_refresh_done_cb(struct upstream_fetch *f, enum upstream_err err,
    void *arg)
{
	struct server_refresh	*r = arg;

	(void)f;
	r->fetch = NULL;
	if (r->writer != NULL) {
		cache_store_finish(r->writer, err == UPSTREAM_OK);
		r->writer = NULL;
	}
	log_debug("%s: %s: %s", __func__, r->key, upstream_err_str(err));
	server_refresh_free(r);
}

/*
 * Starts refreshing entry e of key behind the client's back, unless a
 * refresh of it is already running.  fwd are the client's forwarded
 * headers (copied; the refresh outlives the request).
 */
static void
server_refresh_start(struct server *srv, const char *key,
    const struct http_url *url, struct cache_entry *e,
    const struct evkeyvalq *fwd)
{
	static const struct upstream_cbs cbs = {
		server_refresh_header_cb,
		server_refresh_body_cb,
		server_refresh_done_cb
	};
	struct server_refresh	*r;
	struct upstream_request	 ureq;
	const struct evkeyval	*kv;

	TAILQ_FOREACH(r, &srv->refreshes, entry)
		if (strcmp(r->key, key) == 0)
			return;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return;
	TAILQ_INIT(&r->hdrs);
	r->srv = srv;
	TAILQ_INSERT_TAIL(&srv->refreshes, r, entry);
	r->e = cache_entry_ref(e);
	if ((r->key = strdup(key)) == NULL)
		goto fail;
	TAILQ_FOREACH(kv, fwd, next)
		if (evhttp_add_header(&r->hdrs, kv->key, kv->value) == -1)
			goto fail;
	r->validated = server_req_add_validators(&r->hdrs, e) == 0;
	memset(&ureq, 0, sizeof(ureq));
	ureq.method = EVHTTP_REQ_GET;
	ureq.host = url->host;
	ureq.port = url->port;
	ureq.target = url->path;
	ureq.headers = &r->hdrs;
	r->sent = time(NULL);
	if ((r->fetch = upstream_fetch_start(srv->up, &ureq, &cbs, r)) == NULL)
		goto fail;
	log_debug("%s: %s: refreshing in the background", __func__, key);
	return;
fail:
	server_refresh_free(r);
}

/* Cancels every background refresh (at shutdown). */
void
server_refresh_cancel_all(struct server *srv)
{
	while (!TAILQ_EMPTY(&srv->refreshes))
		server_refresh_free(TAILQ_FIRST(&srv->refreshes));
}

/*
 * Fills out with what the client gets of the origin's headers in: the
 * end-to-end ones, the length of a framed body (chunked bodies are
 * re-framed) and our Via.  -1 if a header cannot be forwarded.
 */
static int
server_req_proxy_headers(struct server_req *req, const struct evkeyvalq *in,
    struct evkeyvalq *out)
{
	static const char *const skip[] = { "Content-Length", NULL };
	char		 via[160];
	const char	*cl;

	if (http_hdr_copy_end_to_end(in, out, skip) == -1)
		return (-1);
	if (evhttp_find_header(in, "Transfer-Encoding") == NULL &&
	    (cl = evhttp_find_header(in, "Content-Length")) != NULL)
		evhttp_add_header(out, "Content-Length", cl);
	snprintf(via, sizeof(via), "1.1 %s", req->srv->via);
	http_hdr_list_append(out, "Via", via);
	return (0);
}

/*
 * Starts streaming a reply whose headers are in out (REQ_REPLY): path-form
 * redirects, evhttp's framing quirks and the streaming timeouts.
 */
static void
server_req_start_reply(struct server_req *req, int status,
    const char *reason, struct evkeyvalq *out)
{
	struct bufferevent	*bev;

	if (req->flags & REQ_PATHFORM)
		server_req_rewrite_location(req, out);
	/*
	 * evhttp answers an HTTP/1.0 client that sent "Connection:
	 * keep-alive" with "Content-Length: 0" and then the body when it
	 * streams without a length: forget the Connection header so that
	 * the body is close-delimited instead (shared/notes §3).
	 */
	if (evhttp_find_header(out, "Content-Length") == NULL &&
	    req->ereq->major == 1 && req->ereq->minor == 0)
		while (evhttp_remove_header(evhttp_request_get_input_headers(
		    req->ereq), "Connection") == 0)
			;
	/* the read timeout would cut slow downloads (libevent #715) */
	bev = evhttp_connection_get_bufferevent(req->evcon);
	bufferevent_set_timeouts(bev, NULL, &req->srv->client_tv);
	req->status = status;
	server_req_set_state(req, REQ_REPLY);
	evhttp_send_reply_start(req->ereq, status, reason);
}

/*
 * Collapsed forwarding.  While a miss for a URL is being fetched and
 * stored, further misses for it join the fill instead of going to the
 * origin: they wait for the response headers, then send the body from the
 * temporary file behind the writer (file segments, so memory stays flat
 * whatever the number of readers).  The first request owns the fetch and
 * the writer; it sends directly while its client keeps up and from the
 * file once it lags, so a slow first client never slows the fill.  An
 * owner whose client leaves hands the fetch and writer to a reader; the
 * fill is abandoned only when no one is left (docs/cache.md).  A response
 * that turns out not to be storable, or whose Vary does not match a
 * reader, sends those readers to the origin on their own.
 */
struct server_fill {
	TAILQ_ENTRY(server_fill) entry;		/* srv->fills, while joinable */
	struct server		*srv;
	char			*key;
	struct server_req	*owner;		/* holds fetch and writer */
	TAILQ_HEAD(, server_req) readers;
	unsigned		 refs;		/* owner and readers */
	int			 listed;
	int			 started;	/* headers in, being stored */
	int			 done;		/* the body is complete */
	int			 failed;	/* it never will be */
	uint64_t		 total;		/* body length, once done */
	int			 status;
	char			*reason;
	struct evkeyvalq	 in;		/* the origin's headers */
	char			*vary_key;	/* the owner's */
	char			*path;		/* the temporary file */
	uint64_t		 hdr_len;	/* where its body starts */
};

/* Takes fl off the list of fills new requests may join. */
static void
server_fill_unlist(struct server_fill *fl)
{
	if (!fl->listed)
		return;
	TAILQ_REMOVE(&fl->srv->fills, fl, entry);
	fl->listed = 0;
}

/* Drops a reference to fl; the last one frees it. */
static void
server_fill_unref(struct server_fill *fl)
{
	if (--fl->refs > 0)
		return;
	server_fill_unlist(fl);
	evhttp_clear_headers(&fl->in);
	free(fl->key);
	free(fl->reason);
	free(fl->vary_key);
	free(fl->path);
	free(fl);
}

/* The joinable fill of key, or NULL. */
static struct server_fill *
server_fill_find(struct server *srv, const char *key)
{
	struct server_fill	*fl;

	TAILQ_FOREACH(fl, &srv->fills, entry)
		if (strcmp(fl->key, key) == 0)
			return (fl);
	return (NULL);
}

/* Makes req the owner of a new fill of its URL; -1 on ENOMEM. */
static int
server_fill_new(struct server_req *req)
{
	struct server_fill	*fl;

	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		return (-1);
	if ((fl->key = strdup(req->url_str)) == NULL) {
		free(fl);
		return (-1);
	}
	fl->srv = req->srv;
	fl->owner = req;
	fl->refs = 1;
	TAILQ_INIT(&fl->readers);
	TAILQ_INIT(&fl->in);
	TAILQ_INSERT_TAIL(&req->srv->fills, fl, entry);
	fl->listed = 1;
	req->fill = fl;
	return (0);
}

/* Removes reader r from fl's readers (it keeps nothing of the fill). */
static void
server_fill_remove_reader(struct server_fill *fl, struct server_req *r)
{
	if (r->reader) {
		TAILQ_REMOVE(&fl->readers, r, fill_entry);
		r->reader = 0;
	}
	r->fill = NULL;
	server_fill_unref(fl);
}

/* Sends a reader that cannot share the fill to the origin itself. */
static void
server_fill_release(struct server_fill *fl, struct server_req *r)
{
	server_fill_remove_reader(fl, r);
	if (r->rfd != -1) {
		close(r->rfd);
		r->rfd = -1;
	}
	r->reading = 0;
	r->cache_fwd = "miss";
	if (r->ereq != NULL)
		server_req_fetch_start(r);
}

/* Opens the fill's file for req, to send its body from there; -1 if not. */
static int
server_req_open_fill(struct server_req *req)
{
	if (req->rfd == -1 &&
	    (req->rfd = open(req->fill->path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("%s: open %s", __func__, req->fill->path);
		return (-1);
	}
	req->reading = 1;
	return (0);
}

/* Starts a waiting reader's reply from the fill's headers. */
static void
server_fill_start_reader(struct server_fill *fl, struct server_req *r)
{
	struct evkeyvalq	*out;
	char			*vk;
	int			 match;

	if (r->ereq == NULL || r->evcon == NULL)
		return;
	if (fl->vary_key[0] != '\0') {
		vk = http_hdr_vary_key(&fl->in,
		    evhttp_request_get_input_headers(r->ereq));
		match = vk != NULL && strcmp(vk, fl->vary_key) == 0;
		free(vk);
		if (!match) {
			server_fill_release(fl, r);
			return;
		}
	}
	if (server_req_open_fill(r) == -1) {
		server_fill_release(fl, r);
		return;
	}
	out = evhttp_request_get_output_headers(r->ereq);
	if (server_req_proxy_headers(r, &fl->in, out) == -1) {
		evhttp_clear_headers(out);
		server_fill_release(fl, r);
		return;
	}
	evhttp_add_header(out, "Cache-Status", "evproxy; fwd=miss; collapsed");
	r->result = "COLLAPSED";
	server_req_start_reply(r, fl->status, fl->reason, out);
	server_req_feed(r);
}

/*
 * The owner has the response headers and knows whether it is stored:
 * start the readers, or send them on their own if it is not shared.
 */
static void
server_fill_headers(struct server_fill *fl, int status, const char *reason,
    const struct evkeyvalq *in)
{
	struct server_req	*owner = fl->owner, *r, *next;
	const struct evkeyval	*kv;
	uint64_t		 hl;
	const char		*path;

	server_fill_unlist(fl);
	if (owner->writer == NULL && !fl->failed)
		server_pass_mark(fl->srv, fl->key, 1);	/* not stored */
	if (owner->writer == NULL || fl->failed)
		goto unshared;
	server_pass_mark(fl->srv, fl->key, 0);
	path = cache_store_path(owner->writer, &hl);
	fl->status = status;
	fl->hdr_len = hl;
	if ((fl->reason = strdup(reason != NULL ? reason : "")) == NULL ||
	    (fl->path = strdup(path)) == NULL ||
	    (fl->vary_key = http_hdr_vary_key(in,
	    evhttp_request_get_input_headers(owner->ereq))) == NULL)
		goto unshared;
	TAILQ_FOREACH(kv, in, next)
		if (evhttp_add_header(&fl->in, kv->key, kv->value) == -1)
			goto unshared;
	fl->started = 1;
	/* new requests for the URL may still join until the fill ends */
	TAILQ_INSERT_TAIL(&fl->srv->fills, fl, entry);
	fl->listed = 1;
	for (r = TAILQ_FIRST(&fl->readers); r != NULL; r = next) {
		next = TAILQ_NEXT(r, fill_entry);
		if (r->state == REQ_FETCH)
			server_fill_start_reader(fl, r);
	}
	return;
unshared:
	fl->failed = 1;
	while ((r = TAILQ_FIRST(&fl->readers)) != NULL)
		server_fill_release(fl, r);
}

/* Body bytes reached the file: readers may send more. */
static void
server_fill_progress(struct server_fill *fl)
{
	struct server_req	*r, *next;

	for (r = TAILQ_FIRST(&fl->readers); r != NULL; r = next) {
		next = TAILQ_NEXT(r, fill_entry);
		if (r->reading)
			server_req_feed(r);
	}
}

/*
 * The owner's fetch ended: complete (total bytes) or not.  Readers finish
 * from the file, or are cut off; the URL is a cache hit from now on.
 */
static void
server_fill_end(struct server_fill *fl, int complete, uint64_t total)
{
	struct server_req	*r, *next;

	server_fill_unlist(fl);
	if (complete && fl->started) {
		fl->done = 1;
		fl->total = total;
	} else
		fl->failed = 1;
	for (r = TAILQ_FIRST(&fl->readers); r != NULL; r = next) {
		next = TAILQ_NEXT(r, fill_entry);
		if (r->state == REQ_FETCH)
			server_fill_release(fl, r);	/* never started */
		else
			server_req_feed(r);
	}
}

/*
 * req leaves its fill (it is closing).  A reader just goes; an owner
 * hands the fetch and the writer to the first reader, or abandons the
 * fill when there is none.
 */
static void
server_fill_detach(struct server_req *req)
{
	struct server_fill	*fl = req->fill;
	struct server_req	*next, *r;

	if (req->rfd != -1) {
		close(req->rfd);
		req->rfd = -1;
	}
	if (fl == NULL)
		return;
	if (fl->owner != req) {
		server_fill_remove_reader(fl, req);
		return;
	}
	fl->owner = NULL;
	req->fill = NULL;
	next = TAILQ_FIRST(&fl->readers);
	/*
	 * Hand over only once the response is known: its storage and Vary
	 * key were decided with this request's headers, which the origin saw.
	 */
	if (next != NULL && fl->started && !fl->done && !fl->failed &&
	    req->fetch != NULL) {
		TAILQ_REMOVE(&fl->readers, next, fill_entry);
		next->reader = 0;
		fl->owner = next;
		next->fetch = req->fetch;
		next->writer = req->writer;
		next->sent = req->sent;
		req->fetch = NULL;
		req->writer = NULL;
		upstream_set_arg(next->fetch, next);
		/* paused for the old owner's client, which follows no more */
		if (upstream_paused(next->fetch))
			upstream_resume(next->fetch);
		log_debug("%s: req %llu hands its fill to req %llu", __func__,
		    (unsigned long long)req->id, (unsigned long long)next->id);
	} else if (!fl->done) {
		/* no one to hand it to: the fill is abandoned */
		fl->failed = 1;
		server_fill_unlist(fl);
		while ((r = TAILQ_FIRST(&fl->readers)) != NULL) {
			if (r->state == REQ_FETCH)
				server_fill_release(fl, r);
			else {
				server_fill_remove_reader(fl, r);
				server_req_drop_reader(r);
			}
		}
	}
	server_fill_unref(fl);
}

/*
 * Sends what the fill's file holds beyond what req has sent, while its
 * client keeps up (the drained callback calls again); ends the reply when
 * the fill is complete, or cuts the client off when it failed.
 */
static void
server_req_feed(struct server_req *req)
{
	struct server_fill		*fl = req->fill;
	struct evbuffer_file_segment	*seg;
	struct evbuffer			*buf;
	uint64_t			 end, n;
	int				 fd;

	if (fl == NULL || req->ereq == NULL || req->evcon == NULL ||
	    req->state != REQ_REPLY)
		return;
	if (fl->done)
		end = fl->total;
	else if (fl->owner != NULL && fl->owner->writer != NULL)
		end = cache_store_written(fl->owner->writer);
	else
		end = req->roff;
	while (req->roff < end &&
	    server_req_client_backlog(req) <= SERVER_HIGH_WATER) {
		n = end - req->roff;
		if (n > (1u << 20))
			n = 1u << 20;
		/* each segment owns a descriptor: it may outlive req */
		if ((fd = dup(req->rfd)) == -1)
			break;
		if ((seg = evbuffer_file_segment_new(fd,
		    (ev_off_t)(fl->hdr_len + req->roff), (ev_off_t)n,
		    EVBUF_FS_CLOSE_ON_FREE)) == NULL) {
			close(fd);
			break;
		}
		if ((buf = evbuffer_new()) == NULL) {
			evbuffer_file_segment_free(seg);
			break;
		}
		evbuffer_set_flags(buf, EVBUFFER_FLAG_DRAINS_TO_FD);
		evbuffer_add_file_segment(buf, seg, 0, (ev_off_t)n);
		evbuffer_file_segment_free(seg);
		evhttp_send_reply_chunk_with_cb(req->ereq, buf,
		    server_req_drained_cb, req);
		evbuffer_free(buf);
		req->roff += n;
		req->bytes += n;
		stats_add(client_bytes_out, n);
	}
	if (fl->done && req->roff >= fl->total) {
		evhttp_send_reply_end(server_req_release(req));
		server_req_close(req, "done");
	} else if (fl->failed)
		server_req_drop_reader(req);
}

/* A reader whose fill broke off: close its client, truncated. */
static void
server_req_drop_reader(struct server_req *req)
{
	struct evhttp_connection	*evcon = req->evcon;

	req->result = "TRUNCATED";
	server_req_release(req);
	if (evcon != NULL)
		server_req_drop_client(req->srv, evcon);
	server_req_close(req, "the shared fill broke off");
}

/* How long a URL whose response was not stored skips collapsing. */
#define SERVER_PASS_SECS	120

/* The slot of key in srv->pass, and its hash. */
static struct server_pass *
server_pass_slot(struct server *srv, const char *key, uint64_t *h)
{
	*h = cache_record_hash(key, NULL);	/* the index's key hash */
	return (&srv->pass[*h % (sizeof(srv->pass) / sizeof(srv->pass[0]))]);
}

/*
 * Remembers that key's response was not stored (pass set) or was (pass
 * clear).  Only collapsing looks at it: a marked URL is still fetched,
 * stored when it can be, and then collapsed again.
 */
static void
server_pass_mark(struct server *srv, const char *key, int pass)
{
	struct server_pass	*p;
	uint64_t		 h;

	p = server_pass_slot(srv, key, &h);
	if (pass) {
		p->hash = h;
		p->until = time(NULL) + SERVER_PASS_SECS;
	} else if (p->hash == h)
		p->until = 0;
}

/* True if key's last response was not stored, lately. */
static int
server_pass_marked(struct server *srv, const char *key)
{
	struct server_pass	*p;
	uint64_t		 h;

	p = server_pass_slot(srv, key, &h);
	return (p->hash == h && p->until > time(NULL));
}

/*
 * A GET that missed: join the fill of its URL if one is under way, or
 * start one that later requests can join.  Returns 0 if req now waits
 * for a fill, -1 if it fetches itself.
 */
static int
server_req_collapse(struct server_req *req)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req->ereq);
	struct server_fill	*fl;

	if (evhttp_request_get_command(req->ereq) != EVHTTP_REQ_GET ||
	    evbuffer_get_length(evhttp_request_get_input_buffer(
	    req->ereq)) > 0 ||
	    req->req_cc.only_if_cached || req->req_cc.no_store ||
	    evhttp_find_header(in, "Range") != NULL ||
	    evhttp_find_header(in, "Authorization") != NULL ||
	    evhttp_find_header(in, "If-None-Match") != NULL ||
	    evhttp_find_header(in, "If-Modified-Since") != NULL)
		return (-1);
	/*
	 * The last response was not stored: waiting for another request's
	 * would only queue this one behind it (an uncacheable hot URL)
	 */
	if (server_pass_marked(req->srv, req->url_str))
		return (-1);
	if ((fl = server_fill_find(req->srv, req->url_str)) == NULL) {
		(void)server_fill_new(req);	/* shares nothing on ENOMEM */
		return (-1);
	}
	fl->refs++;
	req->fill = fl;
	req->reader = 1;
	TAILQ_INSERT_TAIL(&fl->readers, req, fill_entry);
	server_req_set_state(req, REQ_FETCH);
	log_debug("%s: req %llu joins the fill of %s", __func__,
	    (unsigned long long)req->id, fl->key);
	if (fl->started)
		server_fill_start_reader(fl, req);
	else
		server_req_watch_client(req);
	return (0);
}

/*
 * Answers GET and HEAD from the cache when a stored response may be
 * used (RFC 9111 §4); returns 0 if the request was answered, -1 to fetch.
 */
static int
server_req_from_cache(struct server_req *req)
{
	enum evhttp_cmd_type	 m = evhttp_request_get_command(req->ereq);
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req->ereq);
	struct cache_entry	*e;
	enum cache_fresh	 fresh;
	int			 swr = 0, rv = -1;

	http_cc_init(&req->req_cc);
	if (req->srv->cache == NULL)
		return (-1);
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD)
		return (-1);
	http_cc_parse_headers(in, &req->req_cc);
	if ((e = cache_lookup(req->srv->cache, req->url_str, in)) == NULL) {
		req->cache_fwd = "miss";
		fresh = CACHE_REVALIDATE;
		if (server_req_collapse(req) == 0)
			return (0);
	} else {
		fresh = cache_policy_freshness(cache_entry_meta(e),
		    &req->req_cc, time(NULL), &swr);
		/* a browser's reload: go to the origin even at age 0 */
		if (req->req_cc.max_age == 0)
			fresh = CACHE_REVALIDATE;
		req->cache_fwd = "stale";
	}
	if (fresh != CACHE_REVALIDATE) {
		if (swr)
			server_refresh_start(req->srv, req->url_str, &req->url,
			    e, &req->fwd);
		rv = server_req_serve_hit(req, e, fresh, NULL, NULL);
	} else if (req->req_cc.only_if_cached) {
		server_req_fail(req, 504, "Gateway Timeout", "the response "
		    "is not in the cache and the request said only-if-cached");
		rv = 0;
	} else if (e != NULL) {
		/*
		 * Ask the origin whether the stored copy still holds (when it
		 * has validators); keep it for stale-if-error either way.
		 */
		req->stale_validated =
		    server_req_add_validators(&req->fwd, e) == 0;
		req->stale = e;
		e = NULL;
	}
	cache_entry_unref(e);
	return (rv);
}

/* The origin's status line and headers arrived: start the reply. */
static void
server_req_fetch_header_cb(struct upstream_fetch *f, int status,
    const char *reason, struct evkeyvalq *in, void *arg)
{
	struct server_req	*req = arg;
	struct evkeyvalq	*out;

	(void)f;
	req->upstream_status = status;
	if (req->ereq == NULL || req->evcon == NULL)
		return;
	if (req->stale != NULL && req->stale_validated && status == 304) {
		/* still good: the done callback serves the stored copy */
		cache_entry_refresh(req->stale, in, req->sent, time(NULL));
		req->revalidated = 1;
		return;
	}
	if (req->stale != NULL && status >= 500 && status <= 504 &&
	    cache_policy_stale_if_error(cache_entry_meta(req->stale),
	    &req->req_cc, time(NULL))) {
		char how[64];

		upstream_cancel(req->fetch);
		req->fetch = NULL;
		snprintf(how, sizeof(how), "fwd=stale; fwd-status=%d; "
		    "detail=stale-if-error", status);
		if (server_req_serve_hit(req, req->stale, CACHE_STALE_SERVE,
		    how, "STALE") == -1)
			server_req_fail(req, 502, "Bad Gateway",
			    "the origin failed and the cached copy is gone");
		return;
	}
	out = evhttp_request_get_output_headers(req->ereq);
	if (server_req_proxy_headers(req, in, out) == -1) {
		upstream_cancel(req->fetch);
		req->fetch = NULL;
		server_req_fail(req, 502, "Bad Gateway",
		    "the origin sent a header that cannot be forwarded");
		return;
	}
	server_req_cache_response(req, status, reason, in, out);
	if (req->fill != NULL)
		server_fill_headers(req->fill, status, reason, in);
	server_req_start_reply(req, status, reason, out);
}

/* Body bytes from the origin: pass them on, pausing if the client lags. */
static void
server_req_fetch_body_cb(struct upstream_fetch *f, struct evbuffer *data,
    void *arg)
{
	struct server_req	*req = arg;
	size_t			 n = evbuffer_get_length(data);

	if (req->writer != NULL && cache_store_write(req->writer, data) == -1) {
		cache_store_finish(req->writer, 0);
		req->writer = NULL;
		if (req->fill != NULL) {
			/* readers behind the file cannot go on */
			server_fill_end(req->fill, 0, 0);
			if (req->reading) {
				server_req_drop_reader(req);
				return;
			}
		}
	}
	if (req->fill != NULL && req->writer != NULL)
		server_fill_progress(req->fill);
	if (req->ereq == NULL || req->evcon == NULL)
		return;
	if (req->reading) {
		/* the bytes are in the file; the client follows from there */
		server_req_feed(req);
		return;
	}
	req->bytes += n;
	stats_add(client_bytes_out, n);
	evhttp_send_reply_chunk_with_cb(req->ereq, data, server_req_drained_cb,
	    req);
	if (server_req_client_backlog(req) > SERVER_HIGH_WATER) {
		/*
		 * A lagging client of a stored response follows from the
		 * file, so the fill (and whoever shares it) goes on at the
		 * origin's pace; otherwise the origin waits for it.
		 */
		if (req->fill != NULL && req->writer != NULL &&
		    server_req_open_fill(req) == 0)
			req->roff = req->bytes;
		else
			upstream_pause(f);
	}
}

/* The client has all we could send it: close (and free the request). */
static void
server_req_drop_write_cb(struct bufferevent *bev, void *arg)
{
	(void)bev;
	evhttp_connection_free(arg);
}

/* The client left or stalled while we flushed: close. */
static void
server_req_drop_event_cb(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)what;
	evhttp_connection_free(arg);
}

/*
 * Closes a client connection after writing out what is queued on it,
 * taking its bufferevent over from evhttp as CONNECT does (shared/notes
 * §2): the connection and its request are then freed by
 * evhttp_connection_free(), from our own bufferevent callbacks.
 */
static void
server_req_drop_client(struct server *srv, struct evhttp_connection *evcon)
{
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(evcon);

	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		evhttp_connection_free(evcon);
		return;
	}
	bufferevent_setcb(bev, NULL, server_req_drop_write_cb,
	    server_req_drop_event_cb, evcon);
	bufferevent_disable(bev, EV_READ);
	bufferevent_set_timeouts(bev, NULL, &srv->client_tv);
	bufferevent_enable(bev, EV_WRITE);
}

/* The fetch ended: finish the reply, or report the failure. */
static void
server_req_fetch_done_cb(struct upstream_fetch *f, enum upstream_err err,
    void *arg)
{
	struct server_req	*req = arg;
	struct evhttp_connection *evcon;
	const char		*title;
	int			 status;

	(void)f;
	req->fetch = NULL;		/* upstream frees f once we return */
	if (req->state == REQ_CLOSING)
		return;
	if (req->writer != NULL) {
		uint64_t total = cache_store_written(req->writer);

		cache_store_finish(req->writer, err == UPSTREAM_OK);
		req->writer = NULL;
		if (req->fill != NULL)
			server_fill_end(req->fill, err == UPSTREAM_OK, total);
	} else if (req->fill != NULL)
		server_fill_end(req->fill, 0, 0);
	if (req->reading) {
		/* an owner that lagged finishes from the file like a reader */
		server_req_feed(req);
		return;
	}
	if (req->state == REQ_FETCH && req->stale != NULL &&
	    ((err == UPSTREAM_OK && req->revalidated) ||
	    (err != UPSTREAM_OK && cache_policy_stale_if_error(
	    cache_entry_meta(req->stale), &req->req_cc, time(NULL))))) {
		const char *how = err == UPSTREAM_OK ?
		    "fwd=stale; fwd-status=304" :
		    "fwd=stale; detail=stale-if-error";

		if (server_req_serve_hit(req, req->stale, err == UPSTREAM_OK ?
		    CACHE_FRESH : CACHE_STALE_SERVE, how, err == UPSTREAM_OK ?
		    "REVALIDATED" : "STALE") == -1)
			server_req_fail(req, 502, "Bad Gateway",
			    "the cached copy was lost while revalidating it");
		return;
	}
	if (err == UPSTREAM_OK) {
		if (req->ereq == NULL) {
			server_req_close(req, "done");
			return;
		}
		evhttp_send_reply_end(server_req_release(req));
		server_req_close(req, "done");
		return;
	}
	if (req->state == REQ_FETCH) {
		status = server_req_err_status(err, &title);
		log_debug("%s: req %llu: %s", __func__,
		    (unsigned long long)req->id, upstream_err_str(err));
		if (upstream_fetch_detail(f) != NULL) {
			char cause[160];

			snprintf(cause, sizeof(cause), "invalid response from "
			    "origin: %s", upstream_fetch_detail(f));
			server_req_fail(req, status, title, cause);
		} else
			server_req_fail(req, status, title,
			    upstream_err_str(err));
		return;
	}
	/*
	 * The headers went out already: the only honest signal left is to
	 * close the connection once what we have is written.  A final empty
	 * chunk would make a truncated body look complete.
	 */
	req->result = "TRUNCATED";
	evcon = req->evcon;
	server_req_release(req);
	if (evcon != NULL)
		server_req_drop_client(req->srv, evcon);
	server_req_close(req, upstream_err_str(err));
}

/* True if url names this proxy itself. */
static int
server_req_is_self(const struct server_req *req, const struct http_url *url)
{
	return (server_is_self(req->srv, url->host, url->port));
}

/* Answers GET / with the home page. */
static void
server_req_home(struct server_req *req, const char *self)
{
	struct evbuffer	*body;

	req->result = "SELF";
	if (evhttp_request_get_command(req->ereq) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req->ereq) != EVHTTP_REQ_HEAD) {
		server_req_fail(req, 405, "Method Not Allowed",
		    "the proxy's own page takes GET and HEAD only");
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		server_req_close(req, "out of memory");
		return;
	}
	server_page_home(body, self);
	server_req_reply(req, 200, "text/html; charset=utf-8", body, "home");
	evbuffer_free(body);
}

/* Builds the headers the origin gets (RFC 9110 §7.6). */
static int
server_req_forward_headers(struct server_req *req)
{
	static const char *const skip[] = {
		"Host", "Content-Length", "Expect", NULL
	};
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req->ereq);
	char			 auth[HTTP_HOST_MAX + 8], via[160];

	if (http_hdr_copy_end_to_end(in, &req->fwd, skip) == -1)
		return (-1);
	http_url_authority(&req->url, auth, sizeof(auth));
	snprintf(via, sizeof(via), "%d.%d %s", req->ereq->major,
	    req->ereq->minor, req->srv->via);
	if (evhttp_add_header(&req->fwd, "Host", auth) == -1 ||
	    http_hdr_list_append(&req->fwd, "Via", via) == -1 ||
	    http_hdr_list_append(&req->fwd, "X-Forwarded-For",
	    req->client) == -1)
		return (-1);
	return (0);
}

/*
 * Answers /-/... (the status pages) and returns 1, or returns 0 for any
 * other path.
 */
static int
server_req_own_page(struct server_req *req, const char *path)
{
	struct evbuffer	*body;
	const char	*ctype = "text/plain; charset=utf-8";
	char		 p[64];
	size_t		 n;
	int		 status;

	if (path == NULL || strncmp(path, "/-", 2) != 0 ||
	    (path[2] != '/' && path[2] != '\0' && path[2] != '?'))
		return (0);
	n = strcspn(path, "?");
	snprintf(p, sizeof(p), "%.*s", (int)(n < sizeof(p) ? n :
	    sizeof(p) - 1), path);
	req->result = "SELF";
	/* the access log names the page */
	if (req->url_str == NULL)
		req->url_str = strdup(p);
	if (evhttp_request_get_command(req->ereq) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req->ereq) != EVHTTP_REQ_HEAD) {
		server_req_fail(req, 405, "Method Not Allowed",
		    "the proxy's own pages take GET and HEAD only");
		return (1);
	}
	if ((body = evbuffer_new()) == NULL) {
		server_req_close(req, "out of memory");
		return (1);
	}
	status = server_stats_page(req->srv, p, body, &ctype);
	if (status == 404) {
		evbuffer_free(body);
		server_req_fail(req, 404, "Not Found",
		    "the proxy has no such page (try /-/)");
		return (1);
	}
	server_req_reply(req, status, ctype, body, "own page");
	evbuffer_free(body);
	return (1);
}

/* Parses the target; fills req->url or answers the request itself. */
static int
server_req_route(struct server_req *req)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req->ereq);
	const char		*target = evhttp_request_get_uri(req->ereq);
	const char		*referer = evhttp_find_header(in, "Referer");
	const char		*self = evhttp_find_header(in, "Host");
	enum http_target	 t;

	if (server_req_own_page(req, target))
		return (-1);
	t = http_target_parse(target, referer, self, &req->url);
	if (t == HTTP_TARGET_ABSOLUTE && server_req_is_self(req, &req->url)) {
		if (server_req_own_page(req, req->url.path))
			return (-1);
		/* http://proxy/...: the proxy's page, or path form under it */
		char *path = req->url.path;

		req->url.path = NULL;
		http_url_clear(&req->url);
		t = http_target_parse(path, referer, self, &req->url);
		free(path);
	}
	if ((t == HTTP_TARGET_ABSOLUTE || t == HTTP_TARGET_PATH ||
	    t == HTTP_TARGET_REFERER) && server_req_is_self(req, &req->url)) {
		server_req_fail(req, 508, "Loop Detected", "the request names "
		    "this proxy itself as the site to fetch");
		return (-1);
	}
	switch (t) {
	case HTTP_TARGET_SELF:
		server_req_home(req, self);
		return (-1);
	case HTTP_TARGET_NOHOST:
		server_req_fail(req, 400, "Bad Request", "the request names "
		    "no site: use http://host/path or /host/path");
		return (-1);
	case HTTP_TARGET_BAD:
		server_req_fail(req, 400, "Bad Request",
		    "the request target is not a valid URL");
		return (-1);
	case HTTP_TARGET_PATH:
	case HTTP_TARGET_REFERER:
		req->flags |= REQ_PATHFORM;
		break;
	case HTTP_TARGET_ABSOLUTE:
		break;
	}
	if ((req->url_str = http_url_string(&req->url)) == NULL) {
		server_req_fail(req, 503, "Service Unavailable",
		    "out of memory");
		return (-1);
	}
	if (strcmp(req->url.scheme, "http") != 0) {
		server_req_fail(req, 501, "Not Implemented", "evproxy does "
		    "not speak TLS to origins: browsers reach https:// sites "
		    "through CONNECT tunnels");
		return (-1);
	}
	return (0);
}

/*
 * PURGE: removes every stored variant of the URL (either request form).
 * Only clients on loopback may purge.
 */
static void
server_req_purge(struct server_req *req)
{
	struct evbuffer	*body;
	int		 n;

	req->result = "PURGE";
	if (strncmp(req->client, "127.", 4) != 0 &&
	    strcmp(req->client, "::1") != 0) {
		server_req_fail(req, 403, "Forbidden",
		    "only clients on loopback may purge");
		return;
	}
	n = cache_remove(req->srv->cache, req->url_str);
	if (n == 0) {
		server_req_fail(req, 404, "Not Found",
		    "the URL is not in the cache");
		return;
	}
	if ((body = evbuffer_new()) == NULL) {
		server_req_close(req, "out of memory");
		return;
	}
	evbuffer_add_printf(body, "purged %d %s\n", n, req->url_str);
	server_req_reply(req, 200, "text/plain; charset=utf-8", body,
	    "purged");
	evbuffer_free(body);
}

/* True if the request already passed through this proxy (a loop). */
static int
server_req_is_loop(const struct server_req *req)
{
	const struct evkeyval	*kv;
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req->ereq);

	TAILQ_FOREACH(kv, in, next)
		if (strcasecmp(kv->key, "Via") == 0 &&
		    strstr(kv->value, req->srv->via) != NULL)
			return (1);
	return (0);
}

/* Records the client's address as text. */
static void
server_req_peer(struct server_req *req)
{
	char		*addr = NULL;
	ev_uint16_t	 port = 0;

	if (req->conn != NULL) {
		snprintf(req->client, sizeof(req->client), "%s",
		    server_conn_client(req->conn));
		return;
	}
	evhttp_connection_get_peer(req->evcon, &addr, &port);
	snprintf(req->client, sizeof(req->client), "%s",
	    addr != NULL ? addr : "-");
}


/* Sends req to its origin (REQ_FETCH); answers 503 if that cannot start. */
static void
server_req_fetch_start(struct server_req *req)
{
	static const struct upstream_cbs cbs = {
		server_req_fetch_header_cb,
		server_req_fetch_body_cb,
		server_req_fetch_done_cb
	};
	struct upstream_request	 ureq;

	memset(&ureq, 0, sizeof(ureq));
	ureq.method = evhttp_request_get_command(req->ereq);
	ureq.host = req->url.host;
	ureq.port = req->url.port;
	ureq.target = req->url.path;
	ureq.headers = &req->fwd;
	/*
	 * No body pointer for an empty body: a collapsed fetch may pass to
	 * another request and outlive this one's buffers.
	 */
	if (evbuffer_get_length(evhttp_request_get_input_buffer(req->ereq)) > 0)
		ureq.body = evhttp_request_get_input_buffer(req->ereq);
	server_req_set_state(req, REQ_FETCH);
	req->sent = time(NULL);
	if ((req->fetch = upstream_fetch_start(req->srv->up, &ureq, &cbs,
	    req)) == NULL) {
		server_req_fail(req, 503, "Service Unavailable",
		    "out of memory");
		return;
	}
	server_req_watch_client(req);
}

void
server_req_cb(struct evhttp_request *ereq, void *arg)
{
	struct server		*srv = arg;
	struct server_req	*req;
	struct server_conn	*conn;

	stats_inc(requests);
	conn = server_conn_of(srv, evhttp_request_get_connection(ereq));
	if (evhttp_request_get_command(ereq) == EVHTTP_REQ_CONNECT) {
		server_tunnel_start(srv, conn, ereq);
		return;
	}
	if ((req = calloc(1, sizeof(*req))) == NULL) {
		evhttp_send_error(ereq, 503, "out of memory");
		return;
	}
	req->srv = srv;
	req->ereq = ereq;
	req->id = ++srv->next_id;
	req->evcon = evhttp_request_get_connection(ereq);
	req->conn = conn;
	req->method = server_req_method_name(evhttp_request_get_command(ereq));
	req->result = "PROXY";
	req->state = REQ_NEW;
	req->rfd = -1;
	TAILQ_INIT(&req->fwd);
	evutil_gettimeofday(&req->start, NULL);
	server_req_peer(req);
	/* the connection's close callback now reaches us */
	server_conn_set_req(conn, req);
	/* restores the idle timeout that waiting and streaming lift */
	evhttp_request_set_on_complete_cb(ereq, server_req_complete_cb, srv);
	/*
	 * For absolute-form requests evhttp looks only at Proxy-Connection
	 * and closes after every response: treat them like any other.
	 */
	ereq->flags &= ~EVHTTP_PROXY_REQUEST;

	if (!server_conn_allowed(conn)) {
		/* nothing more from this client: close after the page */
		evhttp_add_header(evhttp_request_get_output_headers(ereq),
		    "Connection", "close");
		/* cannot happen: denied clients are answered at accept */
		server_req_fail(req, 403, "Forbidden",
		    "the client address is not allowed to use this proxy "
		    "(--allow)");
		return;
	}
	if (server_req_is_loop(req)) {
		server_req_fail(req, 508, "Loop Detected",
		    "the request has passed through this proxy already");
		return;
	}
	if ((int)evhttp_request_get_command(ereq) == (1 << 15)) {
		/* evhttp lets us see unknown methods only for PURGE */
		if (!server_conn_is_purge(conn)) {
			server_req_fail(req, 501, "Not Implemented",
			    "the proxy does not know this method");
			return;
		}
		req->method = "PURGE";
		if (server_req_route(req) == -1)
			return;
		server_req_purge(req);
		return;
	}
	if (server_req_route(req) == -1)
		return;
	if (server_req_forward_headers(req) == -1) {
		server_req_fail(req, 400, "Bad Request",
		    "a request header cannot be forwarded");
		return;
	}
	if (server_req_from_cache(req) == 0)
		return;
	server_req_fetch_start(req);
}
