/*
 * server_tunnel.c: CONNECT host:port, the way browsers reach https://
 * sites through a proxy.
 *
 * evhttp 2.1 parses CONNECT but has no way to hand the connection over
 * (shared/notes §2).  We take the client's bufferevent over from evhttp
 * at once: our callbacks replace evhttp's, the evhttp_connection keeps
 * owning the bufferevent, the socket and the request, and the tunnel ends
 * only through evhttp_connection_free(), whose close callback (owned by
 * server_conn.c) calls server_tunnel_closed() to free the tunnel.  So the
 * tunnel state is freed in exactly one place, whether the tunnel ended by
 * itself or evhttp_free() tore it down at shutdown.
 *
 * Flow: check the target (port in --connect-ports, not ourselves), resolve
 * and connect through evdns, write "200 Connection established", forward
 * what the client already sent behind its CONNECT (a TLS ClientHello), then
 * relay both ways.  Each direction pauses its reader while the other
 * side's output holds more than TUNNEL_HIGH_WATER bytes, and resumes when
 * it has drained (backpressure).  EOF in one direction is passed on as a
 * half-close (shutdown(SHUT_WR)) once the data before it is written; the
 * tunnel ends when both directions are done, on any error, or after
 * --tunnel-timeout without traffic.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>

#include "config.h"
#include "log.h"
#include "server_int.h"
#include "stats.h"
#include "upstream.h"

/* Stop reading one side while the other has this much unsent. */
#define TUNNEL_HIGH_WATER	(256u << 10)

/* One direction of a tunnel: bytes read from src are written to dst. */
struct tunnel_dir {
	struct bufferevent	*src, *dst;
	uint64_t		 bytes;
	int			 eof;		/* src sent EOF */
	int			 shut;		/* dst got our FIN */
};

struct server_tunnel {
	TAILQ_ENTRY(server_tunnel) entry;	/* srv->tunnels */
	struct server		*srv;
	struct server_conn	*conn;
	struct evhttp_connection *evcon;	/* the client's */
	struct bufferevent	*cbev;		/* client (evhttp's) */
	struct bufferevent	*obev;		/* origin (ours) */
	struct event		*idle_ev;
	struct timeval		 last;		/* last byte either way */
	struct tunnel_dir	 up;		/* client -> origin */
	struct tunnel_dir	 down;		/* origin -> client */
	int			 connected;
	int			 ending;	/* evcon free scheduled */
	char			 host[256];	/* bare, for the resolver */
	char			 target[300];	/* "host:port", [v6]:port */
	unsigned		 port;
	char			 client[64];
	struct timeval		 start;
};

static void	tunnel_read_cb(struct bufferevent *, void *);
static void	tunnel_write_cb(struct bufferevent *, void *);
static void	tunnel_event_cb(struct bufferevent *, short, void *);

/* True if --connect-ports lets CONNECT reach port. */
static int
tunnel_port_allowed(const struct config_server *cs, unsigned port)
{
	unsigned	 i;

	for (i = 0; i < cs->nconnect_ports; i++)
		if (port >= cs->connect_ports[i].lo &&
		    port <= cs->connect_ports[i].hi)
			return (1);
	return (0);
}

/* Hands the tunnel to the counters and the access log. */
static void
tunnel_account(const struct server_tunnel *t, int status, const char *why)
{
	struct stats_req	 sr;
	struct timeval		 now, d;

	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &t->start, &d);
	memset(&sr, 0, sizeof(sr));
	sr.when = now.tv_sec;
	sr.when_ms = (int)(now.tv_usec / 1000);
	sr.client = t->client;
	sr.method = "CONNECT";
	sr.url = t->target;
	sr.host = t->host;
	sr.status = status;
	sr.result = status == 200 ? "TUNNEL" : status == 0 ? "ABORTED" :
	    "ERROR";
	sr.bytes = t->down.bytes;
	sr.upstream_status = 0;
	sr.ms = (long)d.tv_sec * 1000 + (long)d.tv_usec / 1000;
	sr.why = why;
	server_account(&sr);
}

/* Ends the tunnel: evhttp frees the client side, our close cb the rest. */
static void
tunnel_end(struct server_tunnel *t, const char *why)
{
	struct timeval	 now, d;

	if (t->ending)
		return;
	t->ending = 1;
	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &t->start, &d);
	log_info("%s CONNECT %s %s: %llu bytes up, %llu down, %ldms",
	    t->client, t->target, why,
	    (unsigned long long)t->up.bytes, (unsigned long long)t->down.bytes,
	    (long)d.tv_sec * 1000 + (long)d.tv_usec / 1000);
	/* one that never connected was sent nothing: status 0 */
	tunnel_account(t, t->connected ? 200 : 0, why);
	/* safe inside a bufferevent callback: it holds a reference */
	evhttp_connection_free(t->evcon);
}

/* The direction whose source is bev. */
static struct tunnel_dir *
tunnel_dir_from(struct server_tunnel *t, struct bufferevent *bev)
{
	return (bev == t->cbev ? &t->up : &t->down);
}

/* The direction whose destination is bev. */
static struct tunnel_dir *
tunnel_dir_to(struct server_tunnel *t, struct bufferevent *bev)
{
	return (bev == t->obev ? &t->up : &t->down);
}

/* Half-closes dst once a finished direction is written; ends when both are. */
static void
tunnel_check_done(struct server_tunnel *t, struct tunnel_dir *d)
{
	if (d->eof && !d->shut &&
	    evbuffer_get_length(bufferevent_get_output(d->dst)) == 0) {
		d->shut = 1;
		shutdown(bufferevent_getfd(d->dst), SHUT_WR);
	}
	if (t->up.shut && t->down.shut)
		tunnel_end(t, "closed");
}

/* Moves what src has to dst, pausing src if dst is backed up. */
static void
tunnel_pump(struct server_tunnel *t, struct tunnel_dir *d)
{
	struct evbuffer	*in = bufferevent_get_input(d->src);
	size_t		 n = evbuffer_get_length(in);

	if (n == 0)
		return;
	d->bytes += n;
	evutil_gettimeofday(&t->last, NULL);
	evbuffer_add_buffer(bufferevent_get_output(d->dst), in);
	if (evbuffer_get_length(bufferevent_get_output(d->dst)) >
	    TUNNEL_HIGH_WATER)
		bufferevent_disable(d->src, EV_READ);
}

static void
tunnel_read_cb(struct bufferevent *bev, void *arg)
{
	struct server_tunnel	*t = arg;

	if (!t->connected)
		return;		/* kept until the origin is connected */
	tunnel_pump(t, tunnel_dir_from(t, bev));
}

/* bev's output drained: resume the side that feeds it. */
static void
tunnel_write_cb(struct bufferevent *bev, void *arg)
{
	struct server_tunnel	*t = arg;
	struct tunnel_dir	*d = tunnel_dir_to(t, bev);

	if (!t->connected)
		return;
	evutil_gettimeofday(&t->last, NULL);
	if (!d->eof)
		bufferevent_enable(d->src, EV_READ);
	tunnel_check_done(t, d);
}

/* Maps a failed resolve or connect to a status and page. */
static void
tunnel_fail_connect(struct server_tunnel *t, short what)
{
	int		 dns = bufferevent_socket_get_dns_error(t->obev);
	int		 status = 502;
	const char	*title = "Bad Gateway", *why;
	char		 cause[400];

	if (what == 0) {
		status = 508;
		title = "Loop Detected";
		why = "the CONNECT target leads back to this proxy";
	} else if (dns == EVUTIL_EAI_NONAME) {
		status = 404;
		title = "Unknown Host";
		why = upstream_err_str(UPSTREAM_ERR_NXDOMAIN);
	} else if (dns != 0)
		why = upstream_err_str(UPSTREAM_ERR_DNS);
	else if (what & BEV_EVENT_TIMEOUT) {
		status = 504;
		title = "Gateway Timeout";
		why = upstream_err_str(UPSTREAM_ERR_TIMEOUT);
	} else
		why = upstream_err_str(UPSTREAM_ERR_CONNECT);
	snprintf(cause, sizeof(cause), "%s (CONNECT %s)", why, t->target);
	log_info("%s CONNECT %s %d %s", t->client, t->target, status, why);
	tunnel_account(t, status, why);
	stats_inc(errors);
	/* the page is written on the client side; the origin side goes */
	bufferevent_free(t->obev);
	t->obev = NULL;
	server_conn_set_tunnel(t->conn, NULL);
	TAILQ_REMOVE(&t->srv->tunnels, t, entry);
	event_free(t->idle_ev);
	server_conn_fail(t->conn, status, title, cause);
	free(t);
}

/*
 * True if the connected origin socket leads back to this proxy: a name
 * for ourselves that the literal check could not see (CONNECT carries no
 * Via).  The destination is local when it is loopback or when the kernel
 * chose it as our own source address.
 */
static int
tunnel_is_self(struct server_tunnel *t)
{
	struct sockaddr_storage	 peer, self;
	socklen_t		 plen = sizeof(peer), slen = sizeof(self);
	evutil_socket_t		 fd = bufferevent_getfd(t->obev);
	char			 host[INET6_ADDRSTRLEN + 2];
	const void		*pa, *sa;
	size_t			 alen;
	unsigned		 port;

	if (getpeername(fd, (struct sockaddr *)&peer, &plen) == -1 ||
	    getsockname(fd, (struct sockaddr *)&self, &slen) == -1 ||
	    peer.ss_family != self.ss_family)
		return (0);
	if (peer.ss_family == AF_INET) {
		pa = &((struct sockaddr_in *)&peer)->sin_addr;
		sa = &((struct sockaddr_in *)&self)->sin_addr;
		port = ntohs(((struct sockaddr_in *)&peer)->sin_port);
		alen = 4;
	} else if (peer.ss_family == AF_INET6) {
		pa = &((struct sockaddr_in6 *)&peer)->sin6_addr;
		sa = &((struct sockaddr_in6 *)&self)->sin6_addr;
		port = ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
		alen = 16;
	} else
		return (0);
	if (port != t->srv->port)
		return (0);
	if (memcmp(pa, sa, alen) == 0)
		return (1);
	if (evutil_inet_ntop(peer.ss_family, pa, host + 1,
	    sizeof(host) - 2) == NULL)
		return (0);
	if (peer.ss_family == AF_INET6) {
		host[0] = '[';
		strcat(host, "]");
		return (server_is_self(t->srv, host, port));
	}
	return (server_is_self(t->srv, host + 1, port));
}

/* The origin connected: answer 200, forward early bytes, relay. */
static void
tunnel_connected(struct server_tunnel *t)
{
	struct evbuffer	*out = bufferevent_get_output(t->cbev);
	struct timeval	 tv;
	unsigned	 ms = t->srv->cfg->server.tunnel_timeout_ms;

	if (tunnel_is_self(t)) {
		tunnel_fail_connect(t, 0);	/* 508 (t->self) */
		return;
	}
	t->connected = 1;
	evutil_gettimeofday(&t->last, NULL);
	stats_inc(tunnels);
	evbuffer_add_printf(out,
	    "HTTP/1.1 200 Connection established\r\n\r\n");
	/* a TLS ClientHello may have come right behind the CONNECT */
	tunnel_pump(t, &t->up);
	/* the idle timer replaces bufferevent timeouts on both sides */
	bufferevent_set_timeouts(t->cbev, NULL, NULL);
	bufferevent_set_timeouts(t->obev, NULL, NULL);
	bufferevent_enable(t->cbev, EV_READ | EV_WRITE);
	bufferevent_enable(t->obev, EV_READ | EV_WRITE);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(t->idle_ev, &tv);
}

static void
tunnel_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct server_tunnel	*t = arg;
	struct tunnel_dir	*d;

	if (bev == t->obev && !t->connected) {
		if (what & BEV_EVENT_CONNECTED) {
			tunnel_connected(t);
			return;
		}
		tunnel_fail_connect(t, what);
		return;
	}
	if (!t->connected) {
		/* the client left while we connect */
		tunnel_end(t, "client left before the origin answered");
		return;
	}
	if ((what & BEV_EVENT_EOF) && (what & BEV_EVENT_READING)) {
		d = tunnel_dir_from(t, bev);
		tunnel_pump(t, d);
		d->eof = 1;
		bufferevent_disable(bev, EV_READ);
		tunnel_check_done(t, d);
		return;
	}
	tunnel_end(t, bev == t->cbev ? "client connection failed" :
	    "origin connection failed");
}

/* No byte either way for --tunnel-timeout: close. */
static void
tunnel_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server_tunnel	*t = arg;
	unsigned		 ms = t->srv->cfg->server.tunnel_timeout_ms;
	struct timeval		 now, d, tv;
	long			 idle_ms;

	(void)fd;
	(void)what;
	evutil_gettimeofday(&now, NULL);
	evutil_timersub(&now, &t->last, &d);
	idle_ms = (long)d.tv_sec * 1000 + (long)d.tv_usec / 1000;
	if (idle_ms < (long)ms) {
		/* traffic since: wait for the rest of the interval */
		long rest = (long)ms - idle_ms;

		tv.tv_sec = rest / 1000;
		tv.tv_usec = (rest % 1000) * 1000;
		evtimer_add(t->idle_ev, &tv);
		return;
	}
	tunnel_end(t, "idle (--tunnel-timeout)");
}

/* Refuses a CONNECT before any tunnel exists: page, log, access line. */
static void
tunnel_refuse(struct server_conn *conn, struct evhttp_request *ereq,
    int status, const char *title, const char *why)
{
	struct stats_req	 sr;

	memset(&sr, 0, sizeof(sr));
	sr.when = time(NULL);
	sr.client = server_conn_client(conn);
	sr.method = "CONNECT";
	sr.url = evhttp_request_get_uri(ereq);
	sr.status = status;
	sr.result = "ERROR";
	sr.why = why;
	stats_inc(errors);
	server_account(&sr);
	server_conn_fail(conn, status, title, why);
}

void
server_tunnel_start(struct server *srv, struct server_conn *conn,
    struct evhttp_request *ereq)
{
	const struct config_server	*cs = &srv->cfg->server;
	const struct evhttp_uri		*uri = evhttp_request_get_evhttp_uri(ereq);
	struct server_tunnel		*t;
	const char			*host;
	int				 port;
	struct timeval			 tv;
	char				 cause[320];

	if (conn == NULL) {
		/* cannot happen: every connection is attached by now */
		evhttp_send_error(ereq, 503, NULL);
		return;
	}
	if (!server_conn_allowed(conn)) {
		/* denied clients are answered at accept (server_conn.c) */
		tunnel_refuse(conn, ereq, 403, "Forbidden", "the client address "
		    "is not allowed to use this proxy (--allow)");
		return;
	}
	host = uri != NULL ? evhttp_uri_get_host(uri) : NULL;
	port = uri != NULL ? evhttp_uri_get_port(uri) : -1;
	if (host == NULL || *host == '\0' || port <= 0 || port > 65535 ||
	    strlen(host) >= sizeof(t->host)) {
		log_info("%s CONNECT %s 400", server_conn_client(conn),
		    evhttp_request_get_uri(ereq));
		tunnel_refuse(conn, ereq, 400, "Bad Request",
		    "CONNECT needs host:port");
		return;
	}
	if (server_is_self(srv, host, (unsigned)port)) {
		log_info("%s CONNECT %s:%d 508 loop", server_conn_client(conn),
		    host, port);
		tunnel_refuse(conn, ereq, 508, "Loop Detected", "the CONNECT "
		    "target is this proxy itself");
		return;
	}
	if (!tunnel_port_allowed(cs, (unsigned)port)) {
		snprintf(cause, sizeof(cause), "CONNECT to port %d is not "
		    "allowed (--connect-ports)", port);
		log_info("%s CONNECT %s:%d 403 port not allowed",
		    server_conn_client(conn), host, port);
		tunnel_refuse(conn, ereq, 403, "Forbidden", cause);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		tunnel_refuse(conn, ereq, 503, "Service Unavailable",
		    "out of memory");
		return;
	}
	t->srv = srv;
	t->conn = conn;
	t->evcon = evhttp_request_get_connection(ereq);
	t->cbev = evhttp_connection_get_bufferevent(t->evcon);
	t->port = (unsigned)port;
	t->up.src = t->down.dst = t->cbev;
	evutil_gettimeofday(&t->start, NULL);
	snprintf(t->client, sizeof(t->client), "%s", server_conn_client(conn));
	/* evhttp keeps IPv6 literals in brackets; the resolver wants none */
	if (host[0] == '[' && host[strlen(host) - 1] == ']')
		snprintf(t->host, sizeof(t->host), "%.*s",
		    (int)strlen(host) - 2, host + 1);
	else
		snprintf(t->host, sizeof(t->host), "%s", host);
	snprintf(t->target, sizeof(t->target), "%s%s%s:%u",
	    strchr(t->host, ':') != NULL ? "[" : "", t->host,
	    strchr(t->host, ':') != NULL ? "]" : "", t->port);
	if ((t->idle_ev = evtimer_new(srv->base, tunnel_idle_cb, t)) == NULL ||
	    (t->obev = bufferevent_socket_new(srv->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		if (t->idle_ev != NULL)
			event_free(t->idle_ev);
		free(t);
		tunnel_refuse(conn, ereq, 503, "Service Unavailable",
		    "out of memory");
		return;
	}
	t->up.dst = t->down.src = t->obev;
	TAILQ_INSERT_TAIL(&srv->tunnels, t, entry);
	server_conn_set_tunnel(conn, t);

	/* evhttp is out from here on */
	bufferevent_setcb(t->cbev, tunnel_read_cb, tunnel_write_cb,
	    tunnel_event_cb, t);
	/* watch for the client leaving; bytes wait in the buffer */
	bufferevent_setwatermark(t->cbev, EV_READ, 0, TUNNEL_HIGH_WATER);
	bufferevent_set_timeouts(t->cbev, NULL, NULL);
	bufferevent_enable(t->cbev, EV_READ);
	bufferevent_setcb(t->obev, tunnel_read_cb, tunnel_write_cb,
	    tunnel_event_cb, t);
	tv.tv_sec = srv->cfg->upstream.timeout_ms / 1000;
	tv.tv_usec = (srv->cfg->upstream.timeout_ms % 1000) * 1000;
	/* the connect timeout (a write timeout while connecting) */
	bufferevent_set_timeouts(t->obev, NULL, &tv);
	/*
	 * The event callback may run (and even free t) before this returns,
	 * for a numeric host; -1 means bad arguments, before any callback.
	 */
	if (bufferevent_socket_connect_hostname(t->obev,
	    upstream_dns(srv->up), AF_UNSPEC, t->host, port) == -1)
		tunnel_fail_connect(t, BEV_EVENT_ERROR);
}

void
server_tunnel_closed(struct server_tunnel *t)
{
	TAILQ_REMOVE(&t->srv->tunnels, t, entry);
	if (!t->ending) {
		log_info("%s CONNECT %s closed at shutdown", t->client,
		    t->target);
		tunnel_account(t, t->connected ? 200 : 0, "closed at shutdown");
	}
	if (t->obev != NULL)
		bufferevent_free(t->obev);
	event_free(t->idle_ev);
	free(t);
}

unsigned
server_tunnel_count(const struct server *srv)
{
	const struct server_tunnel	*t;
	unsigned			 n = 0;

	TAILQ_FOREACH(t, &srv->tunnels, entry)
		n++;
	return (n);
}

void
server_tunnel_end_all(struct server *srv)
{
	struct server_tunnel	*t, *next;

	for (t = TAILQ_FIRST(&srv->tunnels); t != NULL; t = next) {
		next = TAILQ_NEXT(t, entry);
		if (!t->connected) {
			/* still connecting: nothing relayed yet */
			tunnel_end(t, "shutting down before the origin answered");
			continue;
		}
		tunnel_end(t, "shutting down");
	}
}

void
server_tunnel_free_all(struct server *srv)
{
	/* evhttp_free() ended them all through the close callbacks */
	if (!TAILQ_EMPTY(&srv->tunnels))
		log_warnx("%s: tunnels left after evhttp_free", __func__);
}
