/*
 * upstream.h: fetching from origin servers.  A pool of keep-alive evhttp
 * client connections per origin (host:port), DNS through evdns, timeouts,
 * streaming with pause/resume, and failures classified so that the server
 * can name them.
 *
 * Contract (STYLE.md §5.3): for every fetch started, exactly one of
 * done_cb or upstream_cancel() ends it.  done_cb never runs from inside
 * upstream_fetch_start(), and never after upstream_cancel() returned.
 * header_cb and body_cb may call upstream_cancel(), pause or resume.
 */
#ifndef EVPROXY_UPSTREAM_H
#define EVPROXY_UPSTREAM_H

#include <stddef.h>

#include <event2/http.h>

struct config_upstream;
struct event_base;
struct evdns_base;
struct evbuffer;
struct evkeyvalq;

struct upstream;		/* the pool, one per process */
struct upstream_fetch;		/* one request to an origin */

/* How a fetch ended. */
enum upstream_err {
	UPSTREAM_OK,
	UPSTREAM_ERR_NXDOMAIN,	/* the host name does not exist */
	UPSTREAM_ERR_DNS,	/* any other DNS failure */
	UPSTREAM_ERR_CONNECT,	/* refused, or closed before a response */
	UPSTREAM_ERR_TIMEOUT,	/* the origin was silent too long */
	UPSTREAM_ERR_INVALID,	/* a malformed response (or a 1xx final) */
	UPSTREAM_ERR_TRUNCATED,	/* the body broke off after the headers */
	UPSTREAM_ERR_NOMEM	/* we ran out of memory or descriptors */
};

/* What to fetch.  Everything is borrowed until upstream_fetch_start returns. */
struct upstream_request {
	enum evhttp_cmd_type	 method;
	const char		*host;		/* "example.com", "[::1]" */
	unsigned		 port;
	const char		*target;	/* "/path?query" */
	const struct evkeyvalq	*headers;	/* end-to-end, plus Host */
	/*
	 * Request body or NULL.  Borrowed until done_cb or cancel: a fetch
	 * retried on a fresh connection sends it again.
	 */
	struct evbuffer		*body;
};

struct upstream_cbs {
	/* The status line and headers arrived (headers are the origin's). */
	void	(*header_cb)(struct upstream_fetch *, int status,
		    const char *reason, struct evkeyvalq *headers, void *arg);
	/* Body bytes arrived: drain what you take from data. */
	void	(*body_cb)(struct upstream_fetch *, struct evbuffer *data,
		    void *arg);
	/* The fetch ended; the fetch is freed when this returns. */
	void	(*done_cb)(struct upstream_fetch *, enum upstream_err,
		    void *arg);
};

/* Creates the pool.  dns is borrowed and must outlive the pool. */
struct upstream	*upstream_new(struct event_base *base, struct evdns_base *dns,
		    const struct config_upstream *cfg);
/* The resolver the pool uses (CONNECT tunnels resolve with it too). */
struct evdns_base *upstream_dns(struct upstream *);
/* Closes every connection; all fetches must have ended or been cancelled. */
void		 upstream_free(struct upstream *);

/*
 * Starts fetching req.  Returns NULL only on ENOMEM (nothing to cancel);
 * otherwise the callbacks in cbs (copied) run later with arg.
 */
struct upstream_fetch
		*upstream_fetch_start(struct upstream *,
		    const struct upstream_request *req,
		    const struct upstream_cbs *cbs, void *arg);
/* From now on the callbacks get arg (a fetch handed to a new owner). */
void		 upstream_set_arg(struct upstream_fetch *, void *arg);
/* Abandons a fetch; no callback of it runs afterwards. */
void		 upstream_cancel(struct upstream_fetch *);
/* Stops reading the origin's body (backpressure) until resumed. */
void		 upstream_pause(struct upstream_fetch *);
void		 upstream_resume(struct upstream_fetch *);
/* Why a fetch ended INVALID or TRUNCATED by our checks, or NULL (in done_cb). */
const char	*upstream_fetch_detail(const struct upstream_fetch *);
/* True if the fetch is paused. */
int		 upstream_paused(const struct upstream_fetch *);

/* The pool right now, for the status pages. */
struct upstream_stats {
	unsigned	 origins;	/* host:port with conns or waiters */
	unsigned	 idle;		/* open connections without a request */
	unsigned	 busy;		/* connections with a request */
	unsigned	 waiting;	/* fetches queued for a connection */
};
/* Fills st by walking the pool (O(origins + connections + waiters)). */
void		 upstream_get_stats(const struct upstream *,
		    struct upstream_stats *st);

/* A short human-readable cause, e.g. "connection refused". */
const char	*upstream_err_str(enum upstream_err);

#endif
