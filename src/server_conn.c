/*
 * server_conn.c: one client connection, from accept to close.
 *
 * evhttp 2.1 gives a server no hook per connection: no accept callback,
 * no connection limit, no close callback until a request arrives.  This
 * file adds them around evhttp:
 *
 *   - the bufferevent callback (server_conn_bev_cb) makes each accepted
 *     connection's bufferevent, a struct server_conn beside it, and
 *     counts it against --max-connections (accepting pauses at the limit);
 *   - on the same loop pass, before any byte is read, server_conn_attach
 *     finds the evhttp_connection (evhttp's bufferevent callback argument)
 *     and hooks its close callback, which from then on is ours for the
 *     connection's whole life: requests and tunnels register with the
 *     conn instead of setting it themselves;
 *   - every byte the client sends passes through a strict framing checker
 *     (http_frame.h) before evhttp parses it.  A request evhttp would
 *     accept but must not (smuggling ambiguities, obs-fold, bare LF), one
 *     over a limit (431, 414, 413) or one too slow (408, a deadline for
 *     the whole head, so slowloris clients cannot hold connections by
 *     trickling bytes) is answered by us: its bytes are dropped, the
 *     bufferevent is taken over as for CONNECT (shared/notes §2), the
 *     error page is written, and the connection closes;
 *   - a plain fresh hit at the head of an idle connection's input goes to
 *     server_fast.c, which answers it without evhttp; if its reply does
 *     not fit in the socket at once, evhttp's callbacks are set aside
 *     until the rest is written, so replies stay in request order.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "config.h"
#include "http.h"
#include "http_frame.h"
#include "log.h"
#include "server_int.h"
#include "stats.h"

/* Most bytes read or written per syscall on a client connection. */
#define SERVER_IO_MAX		(256 << 10)
/* After an error reply, read (and drop) what the client still sends. */
#define SERVER_LINGER_SECS	2

enum server_conn_timer {
	CONN_TIMER_NONE,
	CONN_TIMER_HEAD,	/* deadline for the whole request head */
	CONN_TIMER_BODY,	/* longest pause inside a body */
	CONN_TIMER_REJECT,	/* answer the rejection now */
	CONN_TIMER_LINGER,	/* stop draining after our error reply */
	CONN_TIMER_CLOSE	/* shutting down: close once not busy */
};

struct server_conn {
	struct server		*srv;
	struct bufferevent	*bev;
	struct evhttp_connection *evcon;	/* NULL until attached */
	TAILQ_ENTRY(server_conn) entry;		/* srv->conns */
	evutil_socket_t		 fd;
	struct http_frame	 frame;
	struct event		*timer;
	enum server_conn_timer	 timer_kind;
	uint64_t		 head_msgs;	/* frame.messages at HEAD arm */
	int			 allowed;	/* passes --allow */
	int			 purge;		/* request line at head: PURGE */
	int			 rejected;	/* an error reply is due */
	int			 replying;	/* ours: evhttp is out */
	int			 busy;		/* a request in service */
	int			 fast;		/* writing a fast hit: evhttp out */
	/* evhttp's bufferevent callbacks while a fast hit is written */
	bufferevent_data_cb	 ev_readcb;
	bufferevent_data_cb	 ev_writecb;
	bufferevent_event_cb	 ev_eventcb;
	void			*ev_arg;
	int			 status;	/* of the rejection */
	const char		*title;
	const char		*why;
	struct server_req	*req;		/* request being served */
	struct server_tunnel	*tunnel;	/* CONNECT, once taken over */
	char			 client[INET6_ADDRSTRLEN];
	char			 deny[128];	/* the 403's reason */
};

static void	server_conn_timer_cb(evutil_socket_t, short, void *);
static void	server_conn_timers(struct server_conn *);
static void	server_conn_reject(struct server_conn *, int, const char *,
		    const char *);
static void	server_conn_close_cb(struct evhttp_connection *, void *);
static void	server_conn_input_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);

/* A millisecond count as a timeval. */
static struct timeval
server_conn_tv(unsigned ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return (tv);
}

/* True if the peer address passes --allow (default: loopback only). */
static int
server_conn_check_allow(const struct server *srv,
    const struct sockaddr_storage *ss)
{
	const struct config_server	*cs = &srv->cfg->server;
	const unsigned char		*a;
	int				 family = ss->ss_family;
	unsigned			 i;

	if (family == AF_INET)
		a = (const unsigned char *)
		    &((const struct sockaddr_in *)ss)->sin_addr;
	else if (family == AF_INET6) {
		a = (const unsigned char *)
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;
		/* ::ffff:a.b.c.d is an IPv4 client */
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			family = AF_INET;
			a += 12;
		}
	} else
		return (0);
	if (cs->nallow == 0)
		return ((family == AF_INET && a[0] == 127) ||
		    (family == AF_INET6 &&
		    IN6_IS_ADDR_LOOPBACK((const struct in6_addr *)a)));
	for (i = 0; i < cs->nallow; i++)
		if (config_cidr_match(&cs->allow[i], family, a))
			return (1);
	return (0);
}

/* Grows the descriptor map to hold fd. */
static int
server_conn_map_grow(struct server *srv, evutil_socket_t fd)
{
	size_t			 n;
	struct server_conn	**m;

	if ((size_t)fd < srv->nconnmap)
		return (0);
	n = ((size_t)fd + 1024) & ~(size_t)1023;
	if ((m = realloc(srv->connmap, n * sizeof(*m))) == NULL)
		return (-1);
	memset(m + srv->nconnmap, 0, (n - srv->nconnmap) * sizeof(*m));
	srv->connmap = m;
	srv->nconnmap = n;
	return (0);
}

/*
 * Finds the evhttp connection behind conn's bufferevent and takes its
 * close callback.  evhttp sets itself up synchronously after making the
 * bufferevent, so from the next callback on the bufferevent's callback
 * argument is the evhttp_connection.
 */
static int
server_conn_attach(struct server_conn *conn)
{
	struct server		*srv = conn->srv;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	void			*arg = NULL;
	const void		*a;

	if (conn->evcon != NULL)
		return (0);
	bufferevent_getcb(conn->bev, NULL, NULL, NULL, &arg);
	if (arg == NULL || (conn->fd = bufferevent_getfd(conn->bev)) < 0)
		return (-1);
	conn->evcon = arg;
	TAILQ_REMOVE(&srv->conns_new, conn, entry);
	TAILQ_INSERT_TAIL(&srv->conns, conn, entry);
	if (server_conn_map_grow(srv, conn->fd) == 0)
		srv->connmap[conn->fd] = conn;
	evhttp_connection_set_closecb(conn->evcon, server_conn_close_cb,
	    conn);
	memset(&ss, 0, sizeof(ss));
	if (getpeername(conn->fd, (struct sockaddr *)&ss, &sslen) == -1) {
		snprintf(conn->client, sizeof(conn->client), "-");
		return (0);
	}
	a = ss.ss_family == AF_INET6 ?
	    (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr :
	    (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	if (evutil_inet_ntop(ss.ss_family, a, conn->client,
	    sizeof(conn->client)) == NULL)
		snprintf(conn->client, sizeof(conn->client), "-");
	conn->allowed = server_conn_check_allow(srv, &ss);
	if (!conn->allowed) {
		/* answered at once: a stranger holds no slot for long */
		stats_inc(clients_denied);
		snprintf(conn->deny, sizeof(conn->deny), "the client address "
		    "%s is not allowed to use this proxy (--allow)",
		    conn->client);
		server_conn_reject(conn, 403, "Forbidden", conn->deny);
	}
	return (0);
}

/* Attaches the connections accepted on this loop pass. */
void
server_conn_attach_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server		*srv = arg;
	struct server_conn	*conn, *next;

	(void)fd;
	(void)what;
	for (conn = TAILQ_FIRST(&srv->conns_new); conn != NULL; conn = next) {
		next = TAILQ_NEXT(conn, entry);
		server_conn_attach(conn);
	}
}

/*
 * Makes the bufferevent of each accepted client connection (evhttp's
 * bevcb).  libevent writes at most 16 KiB per syscall by default; a
 * 100 KiB response then costs a dozen loop turns.  (Reads stay capped at
 * 4 KiB by libevent 2.1's EVBUFFER_MAX_READ: docs/benchmarks.md.)
 */
struct bufferevent *
server_conn_bev_cb(struct event_base *base, void *arg)
{
	struct server		*srv = arg;
	struct server_conn	*conn;
	const struct config_server *cs = &srv->cfg->server;

	if ((conn = calloc(1, sizeof(*conn))) == NULL)
		return (NULL);
	conn->srv = srv;
	conn->fd = -1;
	if ((conn->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL ||
	    (conn->timer = evtimer_new(base, server_conn_timer_cb,
	    conn)) == NULL) {
		if (conn->bev != NULL)
			bufferevent_free(conn->bev);
		free(conn);
		return (NULL);
	}
	bufferevent_set_max_single_read(conn->bev, SERVER_IO_MAX);
	bufferevent_set_max_single_write(conn->bev, SERVER_IO_MAX);
	http_frame_init(&conn->frame, HTTP_FRAME_REQUEST,
	    cs->max_header_size, cs->max_uri, cs->max_body_size);
	evbuffer_add_cb(bufferevent_get_input(conn->bev), server_conn_input_cb,
	    conn);
	TAILQ_INSERT_TAIL(&srv->conns_new, conn, entry);
	event_active(srv->attach_ev, EV_TIMEOUT, 1);
	if (++srv->nconns >= cs->max_connections && !srv->conns_full) {
		srv->conns_full = 1;
		log_warnx("%u client connections (--max-connections): new "
		    "ones wait until one closes", srv->nconns);
		evconnlistener_disable(srv->listener);
	}
	return (conn->bev);
}

/* Forgets conn (its evhttp connection is being freed). */
static void
server_conn_free(struct server_conn *conn)
{
	struct server	*srv = conn->srv;

	evbuffer_remove_cb(bufferevent_get_input(conn->bev),
	    server_conn_input_cb, conn);
	event_free(conn->timer);
	if (conn->evcon != NULL)
		TAILQ_REMOVE(&srv->conns, conn, entry);
	else
		TAILQ_REMOVE(&srv->conns_new, conn, entry);
	if (conn->fd >= 0 && (size_t)conn->fd < srv->nconnmap &&
	    srv->connmap[conn->fd] == conn)
		srv->connmap[conn->fd] = NULL;
	srv->nconns--;
	if (srv->conns_full && srv->nconns < srv->cfg->server.max_connections) {
		srv->conns_full = 0;
		if (!srv->accept_paused && !srv->draining)
			evconnlistener_enable(srv->listener);
	}
	free(conn);
}

/* evhttp frees the connection: end what uses it, then forget it. */
static void
server_conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct server_conn	*conn = arg;

	if (conn->req != NULL) {
		struct server_req *req = conn->req;

		conn->req = NULL;
		server_req_client_gone(req, evcon);
	}
	if (conn->tunnel != NULL) {
		struct server_tunnel *t = conn->tunnel;

		conn->tunnel = NULL;
		server_tunnel_closed(t);
	}
	server_conn_free(conn);
}

struct server_conn *
server_conn_of(struct server *srv, struct evhttp_connection *evcon)
{
	evutil_socket_t		 fd;
	struct server_conn	*conn;

	if (evcon == NULL)
		return (NULL);
	fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
	if (fd >= 0 && (size_t)fd < srv->nconnmap &&
	    (conn = srv->connmap[fd]) != NULL && conn->evcon == evcon)
		return (conn);
	/* not attached yet (cannot happen after one loop pass) */
	TAILQ_FOREACH(conn, &srv->conns_new, entry)
		if (conn->bev == evhttp_connection_get_bufferevent(evcon)) {
			server_conn_attach(conn);
			return (conn);
		}
	return (NULL);
}

int
server_conn_allowed(const struct server_conn *conn)
{
	return (conn == NULL || conn->allowed);
}

const char *
server_conn_client(const struct server_conn *conn)
{
	return (conn != NULL ? conn->client : "-");
}

int
server_conn_is_purge(const struct server_conn *conn)
{
	return (conn != NULL && conn->purge);
}

/* Schedules the takeover that answers a rejection. */
static void
server_conn_reject_soon(struct server_conn *conn)
{
	struct timeval	 zero = { 0, 0 };

	conn->timer_kind = CONN_TIMER_REJECT;
	evtimer_add(conn->timer, &zero);
}

void
server_conn_set_req(struct server_conn *conn, struct server_req *req)
{
	if (conn == NULL)
		return;
	conn->req = req;
	if (req != NULL && !conn->busy) {
		/*
		 * evhttp reads no further request until this one's reply is
		 * written: a pipelined head is not late meanwhile.
		 */
		conn->busy = 1;
		if (conn->timer_kind == CONN_TIMER_HEAD ||
		    conn->timer_kind == CONN_TIMER_BODY) {
			evtimer_del(conn->timer);
			conn->timer_kind = CONN_TIMER_NONE;
		}
	}
	/* a rejection waited for the request in service to be handed back */
	if (req == NULL && conn->rejected && !conn->replying)
		server_conn_reject_soon(conn);
}

void
server_conn_reply_done(struct server_conn *conn)
{
	if (conn == NULL || !conn->busy)
		return;
	conn->busy = 0;
	if (conn->srv->draining && !conn->rejected) {
		/* evhttp is finishing this reply: close on a clean stack */
		struct timeval zero = { 0, 0 };

		conn->timer_kind = CONN_TIMER_CLOSE;
		evtimer_add(conn->timer, &zero);
		return;
	}
	/* a pipelined head's time starts now */
	conn->head_msgs = (uint64_t)-1;
	if (!conn->rejected)
		server_conn_timers(conn);
}

void
server_conn_drain(struct server *srv)
{
	struct server_conn	*conn, *next;

	for (conn = TAILQ_FIRST(&srv->conns); conn != NULL; conn = next) {
		next = TAILQ_NEXT(conn, entry);
		/* busy ones close after their reply; errors after theirs */
		if (conn->busy || conn->req != NULL || conn->replying ||
		    conn->tunnel != NULL || conn->fast)
			continue;
		evhttp_connection_free(conn->evcon);	/* frees conn */
	}
}

void
server_conn_set_tunnel(struct server_conn *conn, struct server_tunnel *t)
{
	if (conn == NULL)
		return;
	conn->tunnel = t;
	if (t != NULL && conn->timer_kind != CONN_TIMER_NONE) {
		evtimer_del(conn->timer);
		conn->timer_kind = CONN_TIMER_NONE;
	}
}

/* Lingering: drop whatever the client still sends after our reply. */
static void
server_conn_linger_read_cb(struct bufferevent *bev, void *arg)
{
	struct evbuffer	*in = bufferevent_get_input(bev);

	(void)arg;
	evbuffer_drain(in, evbuffer_get_length(in));
}

/* The client closed, stalled or failed after our error reply: free. */
static void
server_conn_linger_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct server_conn	*conn = arg;

	(void)bev;
	(void)what;
	evhttp_connection_free(conn->evcon);	/* runs our close cb */
}

/*
 * Our error reply is written: half-close, then drain what the client
 * still sends for at most SERVER_LINGER_SECS in all.
 */
static void
server_conn_flushed_cb(struct bufferevent *bev, void *arg)
{
	struct server_conn	*conn = arg;
	struct timeval		 tv = { SERVER_LINGER_SECS, 0 };

	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	/*
	 * Closing with unread input would reset the connection and could
	 * destroy the reply before the client reads it: send FIN first.
	 */
	shutdown(conn->fd, SHUT_WR);
	bufferevent_setcb(bev, server_conn_linger_read_cb, NULL,
	    server_conn_linger_event_cb, conn);
	bufferevent_set_timeouts(bev, NULL, NULL);
	bufferevent_disable(bev, EV_WRITE);
	bufferevent_enable(bev, EV_READ);
	/* a deadline: a client that keeps sending does not extend it */
	conn->timer_kind = CONN_TIMER_LINGER;
	evtimer_add(conn->timer, &tv);
}

void
server_conn_fail(struct server_conn *conn, int status, const char *title,
    const char *why)
{
	struct bufferevent	*bev = conn->bev;
	struct evbuffer		*out = bufferevent_get_output(bev);
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer		*body;

	conn->replying = 1;
	conn->rejected = 1;
	if (conn->timer_kind != CONN_TIMER_NONE) {
		evtimer_del(conn->timer);
		conn->timer_kind = CONN_TIMER_NONE;
	}
	/* evhttp is out from here: its request is freed with the connection */
	bufferevent_setcb(bev, server_conn_linger_read_cb,
	    server_conn_flushed_cb, server_conn_linger_event_cb, conn);
	evbuffer_drain(in, evbuffer_get_length(in));
	if ((body = evbuffer_new()) != NULL)
		server_page_error(body, status, title, why, NULL);
	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: text/html; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "Connection: close\r\n"
	    "X-Evproxy-Error: %s\r\n"
	    "\r\n", status, title,
	    body != NULL ? evbuffer_get_length(body) : (size_t)0, why);
	if (body != NULL) {
		evbuffer_add_buffer(out, body);
		evbuffer_free(body);
	}
	bufferevent_set_timeouts(bev, NULL, &conn->srv->client_tv);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

/* A rejected connection goes to the counters and the access log. */
static void
server_conn_account(const struct server_conn *conn, int status,
    const char *why)
{
	struct stats_req	 sr;

	memset(&sr, 0, sizeof(sr));
	sr.when = time(NULL);
	sr.client = conn->client;
	sr.method = "-";
	sr.url = "-";
	sr.status = status;
	sr.result = "ERROR";
	sr.why = why;
	server_account(&sr);
}

/* Rejects what the client sent: status, a title and the reason. */
static void
server_conn_reject(struct server_conn *conn, int status, const char *title,
    const char *why)
{
	struct evbuffer	*in = bufferevent_get_input(conn->bev);

	if (conn->rejected)
		return;
	if (status != 403)		/* denials have their own counter */
		stats_inc(clients_rejected);
	stats_inc(errors);
	log_warnx("%s %s: %d %s: %s", conn->client, status == 403 ?
	    "denied" : "rejected", status, title, why);
	server_conn_account(conn, status, why);
	conn->rejected = 1;
	conn->status = status;
	conn->title = title;
	conn->why = why;
	/* evhttp must never act on these bytes */
	evbuffer_drain(in, evbuffer_get_length(in));
	if (conn->timer_kind != CONN_TIMER_NONE)
		evtimer_del(conn->timer);
	conn->timer_kind = CONN_TIMER_NONE;
	if (conn->req == NULL && conn->tunnel == NULL)
		server_conn_reject_soon(conn);
	/* else: once the request in service is handed back */
}

/* The title of a status we reject requests with. */
static const char *
server_conn_title(int status)
{
	switch (status) {
	case 408:	return ("Request Timeout");
	case 413:	return ("Content Too Large");
	case 414:	return ("URI Too Long");
	case 431:	return ("Request Header Fields Too Large");
	default:	return ("Bad Request");
	}
}

static void
server_conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_conn	*conn = arg;
	enum server_conn_timer	 kind = conn->timer_kind;

	(void)fd;
	(void)what;
	conn->timer_kind = CONN_TIMER_NONE;
	switch (kind) {
	case CONN_TIMER_HEAD:
		server_conn_reject(conn, 408, server_conn_title(408),
		    "the request head did not arrive in time "
		    "(--header-timeout)");
		break;
	case CONN_TIMER_BODY:
		server_conn_reject(conn, 408, server_conn_title(408),
		    "the request body stalled (--body-timeout)");
		break;
	case CONN_TIMER_REJECT:
		if (conn->req == NULL && conn->tunnel == NULL &&
		    !conn->replying && conn->evcon != NULL)
			server_conn_fail(conn, conn->status, conn->title,
			    conn->why);
		break;
	case CONN_TIMER_LINGER:
		evhttp_connection_free(conn->evcon);	/* runs our close cb */
		break;
	case CONN_TIMER_CLOSE:
		if (!conn->busy && conn->req == NULL && !conn->replying &&
		    conn->tunnel == NULL && conn->evcon != NULL)
			evhttp_connection_free(conn->evcon);
		break;
	case CONN_TIMER_NONE:
		break;
	}
}

/* Notes whether the request line at the head of the input is a PURGE. */
static void
server_conn_watch_purge(struct server_conn *conn, struct evbuffer *buf)
{
	char		 head[8];
	ev_ssize_t	 n, i;

	if ((n = evbuffer_copyout(buf, head, sizeof(head))) < 2)
		return;
	/* only a method token and a space: a request line, not a header */
	for (i = 0; i < n && head[i] >= 'A' && head[i] <= 'Z'; i++)
		;
	if (i == 0 || i == n || head[i] != ' ')
		return;
	conn->purge = (i == 5 && memcmp(head, "PURGE", 5) == 0);
}

/* Arms the head deadline or the body pause timer for the frame state. */
static void
server_conn_timers(struct server_conn *conn)
{
	const struct config_server	*cs = &conn->srv->cfg->server;
	struct timeval			 tv;

	if (conn->busy)
		return;
	switch (conn->frame.state) {
	case HTTP_FRAME_HEAD:
		/* a deadline: trickling bytes does not extend it */
		if (conn->timer_kind == CONN_TIMER_HEAD &&
		    conn->head_msgs == conn->frame.messages)
			return;
		conn->timer_kind = CONN_TIMER_HEAD;
		conn->head_msgs = conn->frame.messages;
		tv = server_conn_tv(cs->header_timeout_ms);
		evtimer_add(conn->timer, &tv);
		return;
	case HTTP_FRAME_BODY:
		conn->timer_kind = CONN_TIMER_BODY;
		tv = server_conn_tv(cs->body_timeout_ms);
		evtimer_add(conn->timer, &tv);
		return;
	default:
		if (conn->timer_kind == CONN_TIMER_HEAD ||
		    conn->timer_kind == CONN_TIMER_BODY) {
			evtimer_del(conn->timer);
			conn->timer_kind = CONN_TIMER_NONE;
		}
		return;
	}
}

static void	server_conn_fast(struct server_conn *, struct evbuffer *);

/* The client failed or stalled while a fast hit was written: close. */
static void
server_conn_fast_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct server_conn	*conn = arg;

	(void)bev;
	(void)what;
	evhttp_connection_free(conn->evcon);	/* runs our close cb */
}

/* A fast hit's rest is written: give the connection back to evhttp. */
static void
server_conn_fast_written_cb(struct bufferevent *bev, void *arg)
{
	struct server_conn	*conn = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);

	if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
		return;
	conn->fast = 0;
	bufferevent_setcb(bev, conn->ev_readcb, conn->ev_writecb,
	    conn->ev_eventcb, conn->ev_arg);
	bufferevent_disable(bev, EV_WRITE);
	if (conn->srv->draining) {
		evhttp_connection_free(conn->evcon);	/* frees conn */
		return;
	}
	bufferevent_enable(bev, EV_READ);
	if (evbuffer_get_length(in) == 0)
		return;
	/* requests that arrived with the last one, in order */
	server_conn_fast(conn, in);
	if (!conn->fast && !conn->rejected && evbuffer_get_length(in) > 0 &&
	    conn->ev_readcb != NULL)
		conn->ev_readcb(bev, conn->ev_arg);
}

/* Holds evhttp off while a fast hit's rest is written. */
static void
server_conn_fast_wait(struct server_conn *conn)
{
	struct bufferevent	*bev = conn->bev;

	conn->fast = 1;
	bufferevent_getcb(bev, &conn->ev_readcb, &conn->ev_writecb,
	    &conn->ev_eventcb, &conn->ev_arg);
	bufferevent_setcb(bev, NULL, server_conn_fast_written_cb,
	    server_conn_fast_event_cb, conn);
	/* read no more until then: backpressure, and order */
	bufferevent_disable(bev, EV_READ);
	bufferevent_enable(bev, EV_WRITE);
}

/*
 * Offers the requests at the head of an idle connection's input to
 * server_fast.c, while it takes them (a bounded number per read).
 */
static void
server_conn_fast(struct server_conn *conn, struct evbuffer *in)
{
	struct server	*srv = conn->srv;
	struct timeval	 zero = { 0, 0 };
	int		 i;

	for (i = 0; i < 64; i++) {
		if (conn->busy || conn->req != NULL || conn->tunnel != NULL ||
		    conn->rejected || conn->replying || conn->fast ||
		    !conn->allowed || conn->evcon == NULL || srv->draining ||
		    evbuffer_get_length(in) == 0)
			return;
		switch (server_fast_hit(srv, conn->client, in, conn->fd,
		    bufferevent_get_output(conn->bev))) {
		case FAST_NONE:
			return;
		case FAST_DONE:
			break;
		case FAST_QUEUED:
			server_conn_fast_wait(conn);
			return;
		case FAST_FAILED:
			/* out of memory mid-reply: close on a clean stack */
			conn->rejected = 1;
			conn->timer_kind = CONN_TIMER_LINGER;
			evtimer_add(conn->timer, &zero);
			return;
		}
	}
}

/*
 * Every byte from the client, as it lands in the input buffer and before
 * evhttp's read callback parses it.
 */
static void
server_conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct server_conn	*conn = arg;
	enum http_frame_error	 e;
	uint64_t		 msgs = conn->frame.messages;
	int			 idle;

	if (info->n_added == 0)
		return;
	if (conn->rejected) {
		if (!conn->replying)
			evbuffer_drain(buf, evbuffer_get_length(buf));
		return;
	}
	if (conn->frame.state == HTTP_FRAME_TUNNEL)
		return;
	server_conn_attach(conn);
	if (conn->rejected)		/* denied by --allow just now */
		return;
	server_conn_watch_purge(conn, buf);
	/* evhttp waits for a request line and has none of it yet */
	idle = conn->frame.state == HTTP_FRAME_IDLE && info->orig_size == 0;
	if (http_frame_feed_added(&conn->frame, buf, info->n_added) == -1) {
		e = conn->frame.error;
		server_conn_reject(conn, http_frame_status(e),
		    server_conn_title(http_frame_status(e)),
		    http_frame_strerror(e));
		return;
	}
	if (idle && conn->frame.messages > msgs)
		server_conn_fast(conn, buf);
	server_conn_timers(conn);
}

void
server_conn_init(struct server *srv)
{
	TAILQ_INIT(&srv->conns);
	TAILQ_INIT(&srv->conns_new);
}

void
server_conn_free_all(struct server *srv)
{
	struct server_conn	*conn;

	/*
	 * evhttp_free() closed the attached ones through their close cb.
	 * One never attached lost its bufferevent with evhttp: free only
	 * what is ours.
	 */
	while ((conn = TAILQ_FIRST(&srv->conns_new)) != NULL) {
		TAILQ_REMOVE(&srv->conns_new, conn, entry);
		event_free(conn->timer);
		free(conn);
	}
	free(srv->connmap);
	srv->connmap = NULL;
	srv->nconnmap = 0;
}
