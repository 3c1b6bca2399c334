/*
 * upstream.c: fetching from origins through a pool of keep-alive evhttp
 * client connections.
 *
 * Ownership.  The pool (struct upstream) owns one upstream_origin per
 * host:port that has connections or waiting fetches; an origin owns its
 * connections (upstream_conn, each wrapping one evhttp_connection) and the
 * queue of fetches waiting for a free one.  A fetch belongs to its caller
 * until done_cb returns or upstream_cancel() is called; while it runs, it
 * holds one connection exclusively (an evhttp_connection is a FIFO, not a
 * pool, so parallelism comes from several connections per origin).
 *
 * evhttp callbacks and freeing.  An evhttp_connection is never freed from
 * inside its own callbacks (libevent #182, #560): discarded connections are
 * freed from a zero-delay event.  A fetch cancelled from inside its header
 * or body callback is only marked; the evhttp callback that called us then
 * ends the request the way libevent allows there (return -1 from the
 * header callback, evhttp_cancel_request() from the chunk callback).
 *
 * How evhttp reports failures (see shared/notes/libevent-evhttp.md §4):
 * NXDOMAIN and other DNS errors come as EVREQ_HTTP_EOF with the DNS error
 * left on the bufferevent; a refused or timed-out connect comes as a
 * response with code 0 and no error callback; a read timeout as
 * EVREQ_HTTP_TIMEOUT; garbage as EVREQ_HTTP_INVALID_HEADER.
 *
 * Large reads.  libevent 2.1's evbuffer_read() reads at most 4 KiB per
 * readiness event (EVBUFFER_MAX_READ in buffer.c, whatever
 * bufferevent_set_max_single_read says), so a 10 MiB body would cost
 * some 2560 loop turns, each with its evhttp body callback, cache write
 * and client write.  Our callback on the connection's input evbuffer
 * runs inside that evbuffer_read(), before evhttp's read callback, and
 * tops the buffer up to UPSTREAM_PULL_MAX bytes from the socket
 * (upstream_conn_pull).  It only takes bytes the kernel reports queued
 * (FIONREAD), so a read never returns 0 or an error: EOF and resets stay
 * on the socket for libevent's next read to report as before.  It never
 * reads on a paused, idle or poisoned connection, and every byte it adds
 * passes the framing checker first, like libevent's own.
 */
#include <sys/ioctl.h>
#include <sys/queue.h>
#include <sys/time.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>

#include "config.h"
#include "http.h"
#include "http_frame.h"
#include "log.h"
#include "stats.h"
#include "upstream.h"

/*
 * A single chunk of a chunked response is buffered whole by evhttp
 * before we see it; cap it so a hostile origin cannot make us buffer
 * gigabytes.  Content-Length bodies stream and have no cap here.
 */
#define UPSTREAM_MAX_CHUNK	(16u << 20)
#define UPSTREAM_MAX_HEADERS	(64u << 10)
/* Most bytes written per syscall on an origin connection. */
#define UPSTREAM_IO_MAX		(256 << 10)
/*
 * Most bytes taken from an origin socket per readiness event (libevent's
 * 4 KiB read included), so one loop turn hands evhttp, and the client
 * behind it, at most this much beyond the server's high-water mark.
 */
#define UPSTREAM_PULL_MAX	(256 << 10)
/*
 * Most bytes per read(): a new evbuffer chain for it is then one 64 KiB
 * allocation (evbuffer_chain_new rounds its size plus a 48-byte header up
 * to a power of two).
 */
#define UPSTREAM_PULL_PIECE	((64 << 10) - 256)

struct upstream_conn;

/* Flags of a fetch. */
#define FETCH_GOT_HEADERS	0x01	/* the header callback ran */
#define FETCH_INVALID		0x02	/* we refused the response */
#define FETCH_IN_CB		0x04	/* inside header_cb or body_cb */
#define FETCH_CANCELLED		0x08	/* cancelled from inside a callback */
#define FETCH_PAUSED		0x10	/* origin reads are off */
#define FETCH_RETRIED		0x20	/* already retried once */
#define FETCH_IN_START		0x40	/* inside upstream_fetch_start */
#define FETCH_DONE_PENDING	0x80	/* done_ev will deliver done_cb */

struct upstream_fetch {
	TAILQ_ENTRY(upstream_fetch) entry;	/* origin's waiting queue */
	struct upstream		*up;
	struct upstream_origin	*origin;
	struct upstream_conn	*conn;		/* NULL while waiting */
	struct evhttp_request	*oreq;		/* owned by evhttp */
	struct upstream_cbs	 cbs;
	void			*arg;
	enum evhttp_cmd_type	 method;
	char			*target;
	struct evkeyvalq	 headers;
	struct evbuffer		*body;		/* borrowed */
	struct event		*done_ev;	/* deferred done_cb */
	enum upstream_err	 err;
	int			 ev_err;	/* evhttp error, or -1 */
	int			 dns_err;	/* EVUTIL_EAI_*, or 0 */
	int			 flags;
	const char		*detail;	/* why INVALID, or NULL */
	int			 waiting;	/* on origin->waiting */
	struct timeval		 started;	/* of the current attempt */
};

struct upstream_conn {
	TAILQ_ENTRY(upstream_conn) entry;	/* origin's idle list */
	struct upstream_origin	*origin;
	struct evhttp_connection *evcon;
	struct event		*idle_ev;	/* idle timeout */
	struct upstream_fetch	*fetch;		/* NULL when idle */
	unsigned		 nreqs;		/* requests sent on it */
	int			 idle;
	/*
	 * Every byte the origin sends is checked here before evhttp parses
	 * it (http_frame.h); a violation poisons the connection: its input
	 * is dropped and guard_ev fails the exchange on a clean stack.
	 */
	struct http_frame	 frame;
	struct event		*guard_ev;
	int			 poisoned;
	int			 pull_errno;	/* a read of ours failed */
	int			 pulling;	/* inside upstream_conn_pull */
};

struct upstream_origin {
	TAILQ_ENTRY(upstream_origin) entry;
	struct upstream		*up;
	char			 host[HTTP_HOST_MAX];	/* no brackets */
	unsigned		 port;
	TAILQ_HEAD(, upstream_conn) idle;
	TAILQ_HEAD(, upstream_fetch) waiting;
	unsigned		 nconns;		/* idle and busy */
};

struct upstream {
	struct event_base		*base;
	struct evdns_base		*dns;
	const struct config_upstream	*cfg;
	TAILQ_HEAD(, upstream_origin)	 origins;
};

static void	upstream_origin_assign(struct upstream_origin *,
		    struct upstream_fetch *);
static void	upstream_conn_discard(struct upstream_conn *);
static void	upstream_conn_free_parts(struct upstream_conn *);
static void	upstream_conn_input_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	upstream_conn_poison(struct upstream_conn *, struct evbuffer *,
		    const char *);
static void	upstream_conn_pull(struct upstream_conn *, struct evbuffer *,
		    size_t);
static void	upstream_conn_guard_cb(evutil_socket_t, short, void *);
static void	upstream_finish(struct upstream_fetch *, enum upstream_err);

const char *
upstream_err_str(enum upstream_err err)
{
	switch (err) {
	case UPSTREAM_OK:
		return ("ok");
	case UPSTREAM_ERR_NXDOMAIN:
		return ("the host name does not exist");
	case UPSTREAM_ERR_DNS:
		return ("the host name could not be resolved");
	case UPSTREAM_ERR_CONNECT:
		return ("the origin refused or dropped the connection");
	case UPSTREAM_ERR_TIMEOUT:
		return ("the origin did not answer in time");
	case UPSTREAM_ERR_INVALID:
		return ("the origin sent an invalid response");
	case UPSTREAM_ERR_TRUNCATED:
		return ("the origin broke off the response");
	case UPSTREAM_ERR_NOMEM:
		return ("the proxy ran out of resources");
	}
	return ("unknown error");
}

/* Converts milliseconds to a timeval. */
static void
upstream_ms_tv(unsigned ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

/* Frees an evhttp_connection from a clean stack (event_base_once). */
static void
upstream_evcon_free_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	evhttp_connection_free(arg);
}

/* Frees an origin that has no connection and no waiting fetch left. */
static void
upstream_origin_gc(struct upstream_origin *o)
{
	if (o->nconns > 0 || !TAILQ_EMPTY(&o->waiting))
		return;
	TAILQ_REMOVE(&o->up->origins, o, entry);
	free(o);
}

/* Finds or creates the origin host:port; NULL on ENOMEM. */
static struct upstream_origin *
upstream_origin_get(struct upstream *up, const char *host, unsigned port)
{
	struct upstream_origin	*o;
	size_t			 len = strlen(host);

	/* evdns wants IPv6 literals without their brackets */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= HTTP_HOST_MAX)
		return (NULL);
	TAILQ_FOREACH(o, &up->origins, entry)
		if (o->port == port && strlen(o->host) == len &&
		    strncmp(o->host, host, len) == 0)
			return (o);
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return (NULL);
	o->up = up;
	memcpy(o->host, host, len);
	o->host[len] = '\0';
	o->port = port;
	TAILQ_INIT(&o->idle);
	TAILQ_INIT(&o->waiting);
	TAILQ_INSERT_HEAD(&up->origins, o, entry);
	return (o);
}

/* Closes an idle connection whose idle timeout ran out. */
static void
upstream_conn_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct upstream_conn	*c = arg;
	struct upstream_origin	*o = c->origin;

	(void)fd;
	(void)what;
	log_debug("%s: closing idle connection to %s:%u", __func__, o->host,
	    o->port);
	TAILQ_REMOVE(&o->idle, c, entry);
	o->nconns--;
	upstream_conn_free_parts(c);
	evhttp_connection_free(c->evcon);	/* a timer: a clean stack */
	free(c);
	upstream_origin_gc(o);
}

/* Frees what a connection owns besides its evhttp connection. */
static void
upstream_conn_free_parts(struct upstream_conn *c)
{
	/* the evcon may outlive c by a loop turn: unhook our callback */
	evbuffer_remove_cb(bufferevent_get_input(
	    evhttp_connection_get_bufferevent(c->evcon)),
	    upstream_conn_input_cb, c);
	event_free(c->idle_ev);
	event_free(c->guard_ev);
}

/*
 * Checks the bytes an origin just sent, before evhttp parses them.  On a
 * framing violation (a smuggling ambiguity, bytes after the end of the
 * response, an oversized head) the bytes are dropped so evhttp never
 * acts on them, and guard_ev fails the exchange: we are inside the
 * bufferevent's read path, where the connection must not be torn down.
 * Then, unless this is our own read calling back, reads more (see the
 * opening comment).
 */
static void
upstream_conn_input_cb(struct evbuffer *buf,
    const struct evbuffer_cb_info *info, void *arg)
{
	struct upstream_conn	*c = arg;

	if (info->n_added == 0)
		return;
	if (c->poisoned) {
		evbuffer_drain(buf, evbuffer_get_length(buf));
		return;
	}
	if (http_frame_feed_added(&c->frame, buf, info->n_added) == -1) {
		upstream_conn_poison(c, buf, http_frame_strerror(
		    c->frame.error));
		return;
	}
	if (!c->pulling)
		upstream_conn_pull(c, buf, info->n_added);
}

/*
 * Reads more from the origin into its input buffer, so that this readiness
 * event takes up to UPSTREAM_PULL_MAX bytes, the `got` libevent just read
 * included.  Called from upstream_conn_input_cb, that is from inside
 * libevent's evbuffer_read() on the bufferevent's read path: the input
 * is unfrozen there, and evhttp's read callback runs once we return.
 * Each commit calls upstream_conn_input_cb again, which feeds the
 * framing checker (and may poison the connection, which stops us).
 * Reads are limited to what FIONREAD reports queued, which TCP returns
 * without consuming a pending EOF or error.
 */
static void
upstream_conn_pull(struct upstream_conn *c, struct evbuffer *buf, size_t got)
{
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(
				    c->evcon);
	struct evbuffer_iovec	 vec[2];
	struct iovec		 iov[2];
	size_t			 budget, want, left;
	ssize_t			 n;
	evutil_socket_t		 fd;
	int			 queued = 0, nvec, i;

	/* the backpressure contract: nothing while paused or idle */
	if (c->fetch == NULL || (c->fetch->flags & FETCH_PAUSED) ||
	    !(bufferevent_get_enabled(bev) & EV_READ) ||
	    (fd = bufferevent_getfd(bev)) == -1)
		return;
	if (got >= UPSTREAM_PULL_MAX)
		return;
	budget = UPSTREAM_PULL_MAX - got;
	c->pulling = 1;
	while (budget > 0 && !c->poisoned) {
		if (queued == 0 &&
		    (ioctl(fd, FIONREAD, &queued) == -1 || queued <= 0))
			break;
		want = (size_t)queued;
		if (want > budget)
			want = budget;
		if (want > UPSTREAM_PULL_PIECE)
			want = UPSTREAM_PULL_PIECE;
		/* two vectors: the tail of the last chain, then a new one */
		nvec = evbuffer_reserve_space(buf, (ev_ssize_t)want, vec, 2);
		if (nvec <= 0)
			break;		/* no memory: libevent reads on */
		for (i = 0, left = want; i < nvec; i++) {
			if (vec[i].iov_len > left)
				vec[i].iov_len = left;
			left -= vec[i].iov_len;
			iov[i].iov_base = vec[i].iov_base;
			iov[i].iov_len = vec[i].iov_len;
		}
		if ((n = readv(fd, iov, nvec)) <= 0) {
			/*
			 * Not expected with bytes queued.  An EOF stays on the
			 * socket for libevent; an error we may just have taken
			 * from it, so the exchange fails here instead.
			 */
			if (n == -1 && errno != EAGAIN &&
			    errno != EWOULDBLOCK && errno != EINTR) {
				c->pull_errno = errno;
				upstream_conn_poison(c, buf, strerror(errno));
			}
			break;
		}
		for (i = 0, left = (size_t)n; i < nvec; i++) {
			if (vec[i].iov_len > left)
				vec[i].iov_len = left;
			left -= vec[i].iov_len;
		}
		queued -= (int)n;
		if (queued < 0)
			queued = 0;
		budget -= (size_t)n;
		if (evbuffer_commit_space(buf, vec, nvec) == -1)
			break;		/* cannot happen: we reserved it */
	}
	c->pulling = 0;
}

/* The origin broke HTTP framing, or a read failed: drop, fail soon. */
static void
upstream_conn_poison(struct upstream_conn *c, struct evbuffer *buf,
    const char *why)
{
	struct timeval	 zero = { 0, 0 };

	if (c->pull_errno != 0)
		log_warnx("origin %s:%u: read: %s", c->origin->host,
		    c->origin->port, why);
	else {
		log_warnx("origin %s:%u: invalid response: %s",
		    c->origin->host, c->origin->port, why);
		stats_inc(upstream_invalid);
	}
	c->poisoned = 1;
	evbuffer_drain(buf, evbuffer_get_length(buf));
	bufferevent_disable(evhttp_connection_get_bufferevent(c->evcon),
	    EV_READ);
	evtimer_add(c->guard_ev, &zero);
}

/* Fails the exchange on a poisoned connection (a clean stack). */
static void
upstream_conn_guard_cb(evutil_socket_t fd, short what, void *arg)
{
	struct upstream_conn	*c = arg;
	struct upstream_fetch	*f = c->fetch;

	(void)fd;
	(void)what;
	if (f == NULL) {
		/* bytes on an idle connection: just drop it */
		upstream_conn_discard(c);
		return;
	}
	f->flags |= FETCH_INVALID;
	f->detail = c->pull_errno != 0 ? "the origin connection failed" :
	    http_frame_strerror(c->frame.error);
	if (f->oreq != NULL) {
		evhttp_request_set_error_cb(f->oreq, NULL);
		evhttp_cancel_request(f->oreq);
		f->oreq = NULL;
	}
	upstream_finish(f, (f->flags & FETCH_GOT_HEADERS) ?
	    UPSTREAM_ERR_TRUNCATED : UPSTREAM_ERR_INVALID);
}

/* Opens a new connection to origin o (connects on first request). */
static struct upstream_conn *
upstream_conn_new(struct upstream_origin *o)
{
	struct upstream		*up = o->up;
	struct upstream_conn	*c;
	struct timeval		 tv;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->origin = o;
	c->evcon = evhttp_connection_base_new(up->base, up->dns, o->host,
	    (unsigned short)o->port);
	c->idle_ev = evtimer_new(up->base, upstream_conn_idle_cb, c);
	c->guard_ev = evtimer_new(up->base, upstream_conn_guard_cb, c);
	if (c->evcon == NULL || c->idle_ev == NULL || c->guard_ev == NULL) {
		if (c->evcon != NULL)
			evhttp_connection_free(c->evcon);
		if (c->idle_ev != NULL)
			event_free(c->idle_ev);
		if (c->guard_ev != NULL)
			event_free(c->guard_ev);
		free(c);
		return (NULL);
	}
	http_frame_init(&c->frame, HTTP_FRAME_RESPONSE, UPSTREAM_MAX_HEADERS,
	    0, UPSTREAM_MAX_CHUNK);
	evbuffer_add_cb(bufferevent_get_input(
	    evhttp_connection_get_bufferevent(c->evcon)),
	    upstream_conn_input_cb, c);
	/* writes: 16 KiB per syscall by default (reads: upstream_conn_pull) */
	bufferevent_set_max_single_write(
	    evhttp_connection_get_bufferevent(c->evcon), UPSTREAM_IO_MAX);
	upstream_ms_tv(up->cfg->timeout_ms, &tv);
	evhttp_connection_set_timeout_tv(c->evcon, &tv);
	evhttp_connection_set_retries(c->evcon, 0);
	evhttp_connection_set_max_headers_size(c->evcon, UPSTREAM_MAX_HEADERS);
	o->nconns++;
	stats_inc(upstream_conns_opened);
	return (c);
}

/*
 * Drops a connection after a failure or a cancel: its state is unknown,
 * so it is closed (later, on a clean stack) rather than reused.  Then
 * waiting fetches get the freed slot.
 */
static void
upstream_conn_discard(struct upstream_conn *c)
{
	struct upstream_origin	*o = c->origin;
	struct timeval		 zero = { 0, 0 };

	if (c->idle)
		TAILQ_REMOVE(&o->idle, c, entry);
	o->nconns--;
	upstream_conn_free_parts(c);
	if (event_base_once(o->up->base, -1, EV_TIMEOUT,
	    upstream_evcon_free_cb, c->evcon, &zero) == -1)
		log_warnx("%s: cannot schedule a free: leaking a connection",
		    __func__);
	free(c);
	if (!TAILQ_EMPTY(&o->waiting)) {
		struct upstream_fetch *f = TAILQ_FIRST(&o->waiting);

		TAILQ_REMOVE(&o->waiting, f, entry);
		f->waiting = 0;
		upstream_origin_assign(o, f);
	} else
		upstream_origin_gc(o);
}

/* Returns a healthy connection to the origin: next waiter, or idle. */
static void
upstream_conn_release(struct upstream_conn *c)
{
	struct upstream_origin	*o = c->origin;
	struct upstream_fetch	*f;
	struct timeval		 tv;

	if ((f = TAILQ_FIRST(&o->waiting)) != NULL) {
		TAILQ_REMOVE(&o->waiting, f, entry);
		f->waiting = 0;
		TAILQ_INSERT_HEAD(&o->idle, c, entry);
		c->idle = 1;
		upstream_origin_assign(o, f);
		return;
	}
	c->idle = 1;
	TAILQ_INSERT_HEAD(&o->idle, c, entry);	/* LIFO: warmest first */
	upstream_ms_tv(o->up->cfg->pool_idle_ms, &tv);
	evtimer_add(c->idle_ev, &tv);
}

/* The response's status line and headers arrived. */
static int
upstream_req_header_cb(struct evhttp_request *oreq, void *arg)
{
	struct upstream_fetch	*f = arg;
	struct evkeyvalq	*hdrs = evhttp_request_get_input_headers(oreq);
	const char		*te;
	int			 status = evhttp_request_get_response_code(oreq);

	if (status == 100)
		return (0);	/* evhttp skips it and reads the real one */
	if (status < 200) {
		/* any other 1xx (e.g. 103) would end the exchange */
		f->flags |= FETCH_INVALID;
		return (-1);
	}
	f->flags |= FETCH_GOT_HEADERS;
	te = evhttp_find_header(hdrs, "Transfer-Encoding");
	evhttp_connection_set_max_body_size(f->conn->evcon,
	    te != NULL ? UPSTREAM_MAX_CHUNK : EV_SIZE_MAX);

	f->flags |= FETCH_IN_CB;
	f->cbs.header_cb(f, status, evhttp_request_get_response_code_line(oreq),
	    hdrs, f->arg);
	f->flags &= ~FETCH_IN_CB;
	/* cancelled inside: fail the exchange; done_cb will clean up */
	return ((f->flags & FETCH_CANCELLED) ? -1 : 0);
}

/* Frees a fetch that has left every list. */
static void
upstream_fetch_free(struct upstream_fetch *f)
{
	evhttp_clear_headers(&f->headers);
	event_free(f->done_ev);
	free(f->target);
	free(f);
}

/* Body bytes arrived (a read, or a whole chunk of a chunked body). */
static void
upstream_req_chunk_cb(struct evhttp_request *oreq, void *arg)
{
	struct upstream_fetch	*f = arg;
	struct evbuffer		*in = evhttp_request_get_input_buffer(oreq);

	/* max_body_size then caps one chunk, not the whole body */
	oreq->body_size = 0;
	stats_add(upstream_bytes_in, evbuffer_get_length(in));
	f->flags |= FETCH_IN_CB;
	f->cbs.body_cb(f, in, f->arg);
	f->flags &= ~FETCH_IN_CB;
	if (f->flags & FETCH_CANCELLED) {
		/* allowed here: evhttp defers freeing oreq (DEFER_FREE) */
		evhttp_request_set_error_cb(oreq, NULL);
		evhttp_cancel_request(oreq);
		upstream_conn_discard(f->conn);
		upstream_fetch_free(f);
	}
}

/* evhttp reports an error; the done callback follows. */
static void
upstream_req_error_cb(enum evhttp_request_error err, void *arg)
{
	struct upstream_fetch	*f = arg;

	f->ev_err = (int)err;
	if (f->conn != NULL)
		f->dns_err = bufferevent_socket_get_dns_error(
		    evhttp_connection_get_bufferevent(f->conn->evcon));
}

/* Milliseconds since the current attempt started. */
static long
upstream_elapsed_ms(const struct upstream_fetch *f)
{
	struct timeval	 now, d;

	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &f->started, &d);
	return ((long)d.tv_sec * 1000 + (long)d.tv_usec / 1000);
}

/* Maps what evhttp told us about a failed exchange to an upstream_err. */
static enum upstream_err
upstream_classify(const struct upstream_fetch *f, struct evhttp_request *oreq)
{
	if (f->dns_err == EVUTIL_EAI_NONAME)
		return (UPSTREAM_ERR_NXDOMAIN);
	if (f->dns_err != 0)
		return (UPSTREAM_ERR_DNS);
	if (f->flags & FETCH_INVALID)
		return (UPSTREAM_ERR_INVALID);
	switch (f->ev_err) {
	case -1:
		break;
	case EVREQ_HTTP_TIMEOUT:
		return (UPSTREAM_ERR_TIMEOUT);
	case EVREQ_HTTP_INVALID_HEADER:
	case EVREQ_HTTP_DATA_TOO_LONG:
		/* bad chunk lines are reported as DATA_TOO_LONG too */
		return ((f->flags & FETCH_GOT_HEADERS) ?
		    UPSTREAM_ERR_TRUNCATED : UPSTREAM_ERR_INVALID);
	default:
		return ((f->flags & FETCH_GOT_HEADERS) ?
		    UPSTREAM_ERR_TRUNCATED : UPSTREAM_ERR_CONNECT);
	}
	if (oreq == NULL || evhttp_request_get_response_code(oreq) == 0) {
		/* refused and timed-out connects look the same but for time */
		if (upstream_elapsed_ms(f) + 50 >= (long)f->up->cfg->timeout_ms)
			return (UPSTREAM_ERR_TIMEOUT);
		return (UPSTREAM_ERR_CONNECT);
	}
	return (UPSTREAM_OK);
}

/* True for methods that RFC 9110 §9.2.2 lets us send twice. */
static int
upstream_idempotent(enum evhttp_cmd_type m)
{
	return (m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD ||
	    m == EVHTTP_REQ_PUT || m == EVHTTP_REQ_DELETE ||
	    m == EVHTTP_REQ_OPTIONS);
}

/* The exchange ended, well or badly. */
static void
upstream_req_done_cb(struct evhttp_request *oreq, void *arg)
{
	struct upstream_fetch	*f = arg;
	struct upstream_conn	*c = f->conn;
	enum upstream_err	 err;

	f->oreq = NULL;			/* evhttp frees it when we return */
	if (f->flags & FETCH_CANCELLED) {
		upstream_conn_discard(c);
		upstream_fetch_free(f);
		return;
	}
	err = upstream_classify(f, oreq);
	if (err == UPSTREAM_ERR_CONNECT && c->nreqs > 1 &&
	    !(f->flags & (FETCH_GOT_HEADERS | FETCH_RETRIED)) &&
	    upstream_idempotent(f->method)) {
		/* the origin closed an idle keep-alive connection as we
		 * reused it (libevent #1415): try once on a fresh one */
		log_debug("%s: %s:%u: retrying on a new connection", __func__,
		    f->origin->host, f->origin->port);
		stats_inc(upstream_retries);
		f->flags |= FETCH_RETRIED;
		f->conn = NULL;
		c->fetch = NULL;
		/* queue first so the discarded slot goes to this fetch */
		TAILQ_INSERT_HEAD(&f->origin->waiting, f, entry);
		f->waiting = 1;
		upstream_conn_discard(c);
		return;
	}
	upstream_finish(f, err);
}

/* Sends fetch f on connection c. */
static void
upstream_dispatch(struct upstream_conn *c, struct upstream_fetch *f)
{
	struct evhttp_request	*oreq;
	struct evkeyvalq	*out;
	const struct evkeyval	*kv;
	char			 cl[32];
	size_t			 bodylen = 0;

	if (c->idle) {
		TAILQ_REMOVE(&c->origin->idle, c, entry);
		c->idle = 0;
		evtimer_del(c->idle_ev);
	}
	c->fetch = f;
	f->conn = c;
	f->ev_err = -1;
	f->dns_err = 0;
	evutil_gettimeofday(&f->started, NULL);
	if (c->nreqs++ > 0)
		stats_inc(upstream_conns_reused);
	stats_inc(upstream_fetches);

	if ((oreq = evhttp_request_new(upstream_req_done_cb, f)) == NULL)
		goto fail;
	evhttp_request_set_header_cb(oreq, upstream_req_header_cb);
	evhttp_request_set_chunked_cb(oreq, upstream_req_chunk_cb);
	evhttp_request_set_error_cb(oreq, upstream_req_error_cb);
	out = evhttp_request_get_output_headers(oreq);
	TAILQ_FOREACH(kv, &f->headers, next)
		if (evhttp_add_header(out, kv->key, kv->value) == -1)
			goto fail_req;
	if (f->body != NULL)
		bodylen = evbuffer_get_length(f->body);
	/* evhttp sets Content-Length only for POST and PUT: do it always */
	if (bodylen > 0 || f->method == EVHTTP_REQ_POST ||
	    f->method == EVHTTP_REQ_PUT || f->method == EVHTTP_REQ_PATCH) {
		snprintf(cl, sizeof(cl), "%zu", bodylen);
		if (evhttp_add_header(out, "Content-Length", cl) == -1)
			goto fail_req;
		/* a reference, so a retry can send the body again */
		if (bodylen > 0 && evbuffer_add_buffer_reference(
		    evhttp_request_get_output_buffer(oreq), f->body) == -1)
			goto fail_req;
	}
	evhttp_connection_set_max_body_size(c->evcon, EV_SIZE_MAX);
	http_frame_expect(&c->frame, f->method == EVHTTP_REQ_HEAD);
	f->oreq = oreq;
	if (evhttp_make_request(c->evcon, oreq, f->method, f->target) == -1) {
		f->oreq = NULL;		/* evhttp freed it */
		goto fail;
	}
	return;
fail_req:
	evhttp_request_free(oreq);
fail:
	upstream_finish(f, UPSTREAM_ERR_NOMEM);
}

/* Gives f a connection of origin o now, or queues it for one. */
static void
upstream_origin_assign(struct upstream_origin *o, struct upstream_fetch *f)
{
	struct upstream_conn	*c;

	f->origin = o;
	if ((c = TAILQ_FIRST(&o->idle)) != NULL) {
		upstream_dispatch(c, f);
		return;
	}
	if (o->nconns < o->up->cfg->pool_size) {
		if ((c = upstream_conn_new(o)) == NULL) {
			upstream_finish(f, UPSTREAM_ERR_NOMEM);
			return;
		}
		upstream_dispatch(c, f);
		return;
	}
	log_debug("%s: %s:%u: all %u connections busy, queueing", __func__,
	    o->host, o->port, o->nconns);
	TAILQ_INSERT_TAIL(&o->waiting, f, entry);
	f->waiting = 1;
}

/* Delivers a done_cb that could not run where the fetch ended. */
static void
upstream_done_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct upstream_fetch	*f = arg;

	(void)fd;
	(void)what;
	f->flags &= ~FETCH_DONE_PENDING;
	f->cbs.done_cb(f, f->err, f->arg);
	upstream_fetch_free(f);
}

/*
 * Ends fetch f with err: its connection goes back to the pool (or is
 * dropped after an error), then done_cb runs and f is freed.
 */
static void
upstream_finish(struct upstream_fetch *f, enum upstream_err err)
{
	struct upstream_conn	*c = f->conn;
	struct upstream_origin	*o = f->origin;

	f->conn = NULL;
	f->err = err;
	if (c != NULL) {
		c->fetch = NULL;
		if (err == UPSTREAM_OK)
			upstream_conn_release(c);
		else
			upstream_conn_discard(c);
	} else if (o != NULL)
		upstream_origin_gc(o);
	if (f->flags & FETCH_IN_START) {
		/* never call back from inside upstream_fetch_start */
		f->flags |= FETCH_DONE_PENDING;
		event_active(f->done_ev, EV_TIMEOUT, 1);
		return;
	}
	f->cbs.done_cb(f, err, f->arg);
	upstream_fetch_free(f);
}

struct upstream_fetch *
upstream_fetch_start(struct upstream *up, const struct upstream_request *req,
    const struct upstream_cbs *cbs, void *arg)
{
	struct upstream_fetch	*f;
	struct upstream_origin	*o;
	const struct evkeyval	*kv;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (NULL);
	TAILQ_INIT(&f->headers);
	f->up = up;
	f->cbs = *cbs;
	f->arg = arg;
	f->method = req->method;
	f->body = req->body;
	f->target = strdup(req->target);
	f->done_ev = event_new(up->base, -1, 0, upstream_done_ev_cb, f);
	if (f->target == NULL || f->done_ev == NULL)
		goto fail;
	if (req->headers != NULL)
		TAILQ_FOREACH(kv, req->headers, next)
			if (evhttp_add_header(&f->headers, kv->key,
			    kv->value) == -1)
				goto fail;
	f->flags |= FETCH_IN_START;
	if ((o = upstream_origin_get(up, req->host, req->port)) == NULL)
		upstream_finish(f, UPSTREAM_ERR_NOMEM);
	else
		upstream_origin_assign(o, f);
	f->flags &= ~FETCH_IN_START;
	return (f);
fail:
	evhttp_clear_headers(&f->headers);
	if (f->done_ev != NULL)
		event_free(f->done_ev);
	free(f->target);
	free(f);
	return (NULL);
}

void
upstream_cancel(struct upstream_fetch *f)
{
	struct upstream_conn	*c = f->conn;

	if (f->flags & FETCH_IN_CB) {
		/* the evhttp callback we are inside finishes the job */
		f->flags |= FETCH_CANCELLED;
		return;
	}
	if (f->flags & FETCH_DONE_PENDING) {
		event_del(f->done_ev);
		upstream_fetch_free(f);
		return;
	}
	if (f->waiting) {
		TAILQ_REMOVE(&f->origin->waiting, f, entry);
		upstream_origin_gc(f->origin);
		upstream_fetch_free(f);
		return;
	}
	if (f->oreq != NULL) {
		/* no callback of ours may run: clear the error callback,
		 * which evhttp_cancel_request would otherwise call */
		evhttp_request_set_error_cb(f->oreq, NULL);
		evhttp_cancel_request(f->oreq);
		f->oreq = NULL;
	}
	if (c != NULL) {
		c->fetch = NULL;
		upstream_conn_discard(c);
	}
	upstream_fetch_free(f);
}

void
upstream_set_arg(struct upstream_fetch *f, void *arg)
{
	f->arg = arg;
}

void
upstream_pause(struct upstream_fetch *f)
{
	if (f->conn == NULL || (f->flags & FETCH_PAUSED))
		return;
	f->flags |= FETCH_PAUSED;
	bufferevent_disable(evhttp_connection_get_bufferevent(f->conn->evcon),
	    EV_READ);
}

void
upstream_resume(struct upstream_fetch *f)
{
	if (f->conn == NULL || !(f->flags & FETCH_PAUSED))
		return;
	f->flags &= ~FETCH_PAUSED;
	bufferevent_enable(evhttp_connection_get_bufferevent(f->conn->evcon),
	    EV_READ);
}

const char *
upstream_fetch_detail(const struct upstream_fetch *f)
{
	return (f->detail);
}

int
upstream_paused(const struct upstream_fetch *f)
{
	return ((f->flags & FETCH_PAUSED) != 0);
}

struct upstream *
upstream_new(struct event_base *base, struct evdns_base *dns,
    const struct config_upstream *cfg)
{
	struct upstream	*up;

	if ((up = calloc(1, sizeof(*up))) == NULL)
		return (NULL);
	up->base = base;
	up->dns = dns;
	up->cfg = cfg;
	TAILQ_INIT(&up->origins);
	return (up);
}

void
upstream_get_stats(const struct upstream *up, struct upstream_stats *st)
{
	const struct upstream_origin	*o;
	const struct upstream_conn	*c;
	const struct upstream_fetch	*f;
	unsigned			 idle;

	memset(st, 0, sizeof(*st));
	if (up == NULL)
		return;
	TAILQ_FOREACH(o, &up->origins, entry) {
		st->origins++;
		idle = 0;
		TAILQ_FOREACH(c, &o->idle, entry)
			idle++;
		st->idle += idle;
		st->busy += o->nconns > idle ? o->nconns - idle : 0;
		TAILQ_FOREACH(f, &o->waiting, entry)
			st->waiting++;
	}
}

struct evdns_base *
upstream_dns(struct upstream *up)
{
	return (up->dns);
}

void
upstream_free(struct upstream *up)
{
	struct upstream_origin	*o;
	struct upstream_conn	*c;

	if (up == NULL)
		return;
	while ((o = TAILQ_FIRST(&up->origins)) != NULL) {
		/* the server cancelled every fetch before freeing us */
		while ((c = TAILQ_FIRST(&o->idle)) != NULL) {
			TAILQ_REMOVE(&o->idle, c, entry);
			upstream_conn_free_parts(c);
			evhttp_connection_free(c->evcon);
			free(c);
		}
		TAILQ_REMOVE(&up->origins, o, entry);
		free(o);
	}
	free(up);
}
