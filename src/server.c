/*
 * server.c: the listening side.  Creates the evhttp server with the
 * limits and quirk workarounds evproxy needs (shared/notes §5, §9), binds
 * the address, and keeps the accept loop from spinning when the process
 * runs out of file descriptors (libevent #71).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "alog.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "server_int.h"
#include "stats.h"

/* evhttp's limits sit this far above ours (server_conn.c). */
#define SERVER_LIMIT_SLACK	4096

/* evhttp 2.1's EVHTTP_REQ_UNKNOWN_: extension methods, for PURGE. */
#define SERVER_REQ_UNKNOWN	(1 << 15)

/* Accepting stays paused this long after EMFILE/ENFILE. */
#define SERVER_ACCEPT_PAUSE_MS	1000

/*
 * The listener's callback argument belongs to evhttp, so its error
 * callback finds the server here (one server per process).
 */
static struct server	*server_listening;

/* Turns accepting back on after a descriptor shortage. */
static void
server_accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server	*srv = arg;

	(void)fd;
	(void)what;
	srv->accept_paused = 0;
	if (!srv->conns_full && !srv->draining)
		evconnlistener_enable(srv->listener);
}

/* accept() failed: pause on descriptor shortage instead of spinning. */
static void
server_accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct server	*srv = server_listening;
	struct timeval	 tv = { SERVER_ACCEPT_PAUSE_MS / 1000,
			    (SERVER_ACCEPT_PAUSE_MS % 1000) * 1000 };
	int		 err = EVUTIL_SOCKET_ERROR();

	(void)arg;
	if (srv != NULL && (err == EMFILE || err == ENFILE || err == ENOBUFS ||
	    err == ENOMEM)) {
		log_warnx("accept: %s: pausing for %d ms",
		    evutil_socket_error_to_string(err),
		    SERVER_ACCEPT_PAUSE_MS);
		evconnlistener_disable(l);
		srv->accept_paused = 1;
		evtimer_add(srv->accept_ev, &tv);
		return;
	}
	log_warnx("accept: %s", evutil_socket_error_to_string(err));
}

/* Reads back the bound port (for --port 0). */
static unsigned
server_bound_port(struct evconnlistener *l)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	evutil_socket_t		 fd = evconnlistener_get_fd(l);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return (0);
	if (ss.ss_family == AF_INET6)
		return (ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	return (ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

/* True for 127.0.0.0/8 and ::1 (and v4-mapped loopback). */
static int
server_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr)
		    >> 24) == 127);
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a =
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return (IN6_IS_ADDR_LOOPBACK(a) ||
		    (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127));
	}
	return (0);
}

struct server *
server_new(struct event_base *base, struct upstream *up, struct cache *cache,
    const struct config *cfg, char *err, size_t errlen)
{
	struct server			*srv;
	struct evhttp_bound_socket	*bound;
	const char			*addr = cfg->server.addr;
	char				 host[64];
	char				 bare[CONFIG_ADDR_MAX];
	struct sockaddr_storage		 ss;
	int				 sslen = sizeof(ss);
	size_t				 len = strlen(addr);

	/* accept "[::1]" as well as "::1" */
	if (len >= 2 && addr[0] == '[' && addr[len - 1] == ']') {
		snprintf(bare, sizeof(bare), "%.*s", (int)len - 2, addr + 1);
		addr = bare;
	}
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &sslen) == -1) {
		snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 address",
		    cfg->server.addr);
		return (NULL);
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	srv->base = base;
	srv->up = up;
	srv->cache = cache;
	TAILQ_INIT(&srv->refreshes);
	TAILQ_INIT(&srv->fills);
	TAILQ_INIT(&srv->tunnels);
	server_conn_init(srv);
	srv->cfg = cfg;
	srv->client_tv.tv_sec = cfg->server.client_timeout_ms / 1000;
	srv->client_tv.tv_usec = (cfg->server.client_timeout_ms % 1000) * 1000;
	if ((srv->http = evhttp_new(base)) == NULL ||
	    (srv->accept_ev = evtimer_new(base, server_accept_resume_cb,
	    srv)) == NULL ||
	    (srv->attach_ev = event_new(base, -1, 0, server_conn_attach_cb,
	    srv)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* gencb only: evhttp_set_cb would also match GET http://x/path */
	evhttp_set_gencb(srv->http, server_req_cb, srv);
	evhttp_set_bevcb(srv->http, server_conn_bev_cb, srv);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH |
	    EVHTTP_REQ_CONNECT |
	    SERVER_REQ_UNKNOWN);	/* for PURGE; others get 501 from us */
	/* evhttp would add text/html; charset=ISO-8859-1 to everything */
	evhttp_set_default_content_type(srv->http, NULL);
	/*
	 * Our framing checker (server_conn.c) enforces the limits with the
	 * right status and a log line before evhttp sees the bytes; evhttp's
	 * own limits stay as a backstop just above ours.
	 */
	if (cfg->server.max_header_size != 0)	/* 0: no limit */
		evhttp_set_max_headers_size(srv->http,
		    (ev_ssize_t)cfg->server.max_header_size +
		    SERVER_LIMIT_SLACK);
	if (cfg->server.max_body_size != 0)
		evhttp_set_max_body_size(srv->http,
		    (ev_ssize_t)(cfg->server.max_body_size >=
		    (uint64_t)INT64_MAX - SERVER_LIMIT_SLACK ?
		    (uint64_t)INT64_MAX :
		    cfg->server.max_body_size + SERVER_LIMIT_SLACK));
	evhttp_set_timeout_tv(srv->http, &srv->client_tv);

	errno = 0;
	bound = evhttp_bind_socket_with_handle(srv->http, addr,
	    (ev_uint16_t)cfg->server.port);
	if (bound == NULL) {
		snprintf(err, errlen, "cannot listen on %s port %u: %s",
		    cfg->server.addr, cfg->server.port, errno != 0 ?
		    strerror(errno) : "address not available");
		goto fail;
	}
	srv->listener = evhttp_bound_socket_get_listener(bound);
	/*
	 * Accepted sockets inherit TCP_NODELAY: without it the small tail of
	 * a response waits for the client's delayed ACK (40 ms).
	 */
	if (setsockopt(evconnlistener_get_fd(srv->listener), IPPROTO_TCP,
	    TCP_NODELAY, &(int){ 1 }, sizeof(int)) == -1)
		log_warn("setsockopt TCP_NODELAY");
	evconnlistener_set_error_cb(srv->listener, server_accept_error_cb);
	srv->port = server_bound_port(srv->listener);
	server_listening = srv;
	if (cfg->server.nallow == 0 && !server_is_loopback(&ss))
		log_warnx("listening on %s with no --allow: only loopback "
		    "clients are let in; name the networks to serve with "
		    "--allow", cfg->server.addr);

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "evproxy");
	host[sizeof(host) - 1] = '\0';
	snprintf(srv->via, sizeof(srv->via), "%s:%u (evproxy/%s)", host,
	    srv->port, EVPROXY_VERSION);
	return (srv);
fail:
	if (srv->http != NULL)
		evhttp_free(srv->http);
	if (srv->accept_ev != NULL)
		event_free(srv->accept_ev);
	if (srv->attach_ev != NULL)
		event_free(srv->attach_ev);
	server_conn_free_all(srv);
	free(srv);
	return (NULL);
}

void
server_account(const struct stats_req *sr)
{
	stats_record(sr);
	alog_write(sr);
}

int
server_is_self(const struct server *srv, const char *host, unsigned port)
{
	char		 bare[HOST_NAME_MAX + 1];
	unsigned char	 a[sizeof(struct in6_addr)], self[sizeof(a)];
	size_t		 len = strlen(host);
	int		 family = AF_INET;

	if (port != srv->port)
		return (0);
	if (strcasecmp(host, "localhost") == 0)
		return (1);
	/* URL hosts keep an IPv6 address's brackets */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof(bare))
			return (0);
		memcpy(bare, host + 1, len - 2);
		bare[len - 2] = '\0';
		host = bare;
		family = AF_INET6;
	}
	if (inet_pton(family, host, a) != 1)
		return (0);		/* a name: Via catches a loop */
	if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *)a)) {
		/* [::ffff:a.b.c.d] is a.b.c.d */
		memmove(a, a + 12, 4);
		family = AF_INET;
	}
	if (family == AF_INET && a[0] == 127)
		return (1);
	if (family == AF_INET6 && IN6_IS_ADDR_LOOPBACK((struct in6_addr *)a))
		return (1);
	/* the address we listen on, unless it is a wildcard */
	if (inet_pton(family, srv->cfg->server.addr, self) == 1 &&
	    memcmp(a, self, family == AF_INET ? 4 : 16) == 0)
		return (1);
	return (0);
}

void
server_drain(struct server *srv)
{
	if (srv->draining)
		return;
	srv->draining = 1;
	evconnlistener_disable(srv->listener);
	server_tunnel_end_all(srv);
	server_conn_drain(srv);
}

unsigned
server_nconns(const struct server *srv)
{
	return (srv->nconns);
}

unsigned
server_port(const struct server *srv)
{
	return (srv->port);
}

void
server_free(struct server *srv)
{
	if (srv == NULL)
		return;
	/* runs the close callbacks, which end every request and tunnel */
	evhttp_free(srv->http);
	server_tunnel_free_all(srv);
	server_refresh_cancel_all(srv);
	server_conn_free_all(srv);
	if (server_listening == srv)
		server_listening = NULL;
	event_free(srv->accept_ev);
	event_free(srv->attach_ev);
	free(srv);
}
