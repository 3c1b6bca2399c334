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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "config.h"
#include "log.h"
#include "server.h"
#include "server_int.h"

/* Most bytes read or written per syscall on a client connection. */
#define SERVER_IO_MAX		(256 << 10)

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

/*
 * PURGE.  libevent 2.1's evhttp knows no extension methods: it parses
 * "PURGE" as EVHTTP_REQ_UNKNOWN_ and keeps no name.  We let unknown
 * methods through to the request callback and tell PURGE apart by
 * watching each client's input buffer: whenever a request line is at its
 * head, one bit per descriptor says whether it is a PURGE.  The bit is
 * read when the request callback sees an unknown method; evhttp has
 * parsed that line by then and nothing else can have replaced it at the
 * head unless the client pipelined another request behind it (that
 * PURGE then gets 501, as before).
 */
#define SERVER_REQ_UNKNOWN	(1 << 15)	/* http.c EVHTTP_REQ_UNKNOWN_ */
static unsigned char	*server_purge_bits;	/* one bit per fd */
static size_t		 server_purge_nbits;

/* Records whether the request line at the head of a client's input is a PURGE. */
static void
server_purge_watch_cb(struct evbuffer *buf,
    const struct evbuffer_cb_info *info, void *arg)
{
	struct bufferevent	*bev = arg;
	evutil_socket_t		 fd = bufferevent_getfd(bev);
	char			 head[8];
	ev_ssize_t		 n, i;

	(void)info;
	if (fd < 0)
		return;
	if ((size_t)fd >= server_purge_nbits) {
		size_t		 nbits = ((size_t)fd + 1024) & ~(size_t)1023;
		unsigned char	*nb = realloc(server_purge_bits, nbits / 8);

		if (nb == NULL)
			return;
		memset(nb + server_purge_nbits / 8, 0,
		    (nbits - server_purge_nbits) / 8);
		server_purge_bits = nb;
		server_purge_nbits = nbits;
	}
	if ((n = evbuffer_copyout(buf, head, sizeof(head))) < 2)
		return;
	/* only a method token and a space: a request line, not a header */
	for (i = 0; i < n && head[i] >= 'A' && head[i] <= 'Z'; i++)
		;
	if (i == 0 || i == n || head[i] != ' ')
		return;
	if (i == 5 && memcmp(head, "PURGE", 5) == 0)
		server_purge_bits[fd / 8] |= (unsigned char)(1 << (fd % 8));
	else
		server_purge_bits[fd / 8] &= (unsigned char)~(1 << (fd % 8));
}

int
server_is_purge(struct evhttp_request *ereq)
{
	struct evhttp_connection	*evcon;
	evutil_socket_t			 fd;

	if ((int)evhttp_request_get_command(ereq) != SERVER_REQ_UNKNOWN ||
	    (evcon = evhttp_request_get_connection(ereq)) == NULL)
		return (0);
	fd = bufferevent_getfd(evhttp_connection_get_bufferevent(evcon));
	return (fd >= 0 && (size_t)fd < server_purge_nbits &&
	    (server_purge_bits[fd / 8] & (1 << (fd % 8))) != 0);
}

/*
 * Makes the bufferevent of each accepted client connection.  libevent
 * writes at most 16 KiB per syscall by default; a 100 KiB response then
 * costs a dozen loop turns.  (Reads stay capped at 4 KiB by libevent
 * 2.1's EVBUFFER_MAX_READ whatever we set: docs/benchmarks.md.)
 */
static struct bufferevent *
server_bev_cb(struct event_base *base, void *arg)
{
	struct bufferevent	*bev;

	(void)arg;
	if ((bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		return (NULL);
	bufferevent_set_max_single_read(bev, SERVER_IO_MAX);
	bufferevent_set_max_single_write(bev, SERVER_IO_MAX);
	/* freed with the buffer; bev outlives every call of it */
	evbuffer_add_cb(bufferevent_get_input(bev), server_purge_watch_cb, bev);
	return (bev);
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
	srv->cfg = cfg;
	srv->client_tv.tv_sec = cfg->server.client_timeout_ms / 1000;
	srv->client_tv.tv_usec = (cfg->server.client_timeout_ms % 1000) * 1000;
	if ((srv->http = evhttp_new(base)) == NULL ||
	    (srv->accept_ev = evtimer_new(base, server_accept_resume_cb,
	    srv)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* gencb only: evhttp_set_cb would also match GET http://x/path */
	evhttp_set_gencb(srv->http, server_req_cb, srv);
	evhttp_set_bevcb(srv->http, server_bev_cb, NULL);
	evhttp_set_allowed_methods(srv->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH |
	    SERVER_REQ_UNKNOWN);	/* for PURGE; others get 501 from us */
	/* evhttp would add text/html; charset=ISO-8859-1 to everything */
	evhttp_set_default_content_type(srv->http, NULL);
	evhttp_set_max_headers_size(srv->http, cfg->server.max_header_size);
	evhttp_set_max_body_size(srv->http,
	    (ev_ssize_t)(cfg->server.max_body_size > (uint64_t)INT64_MAX ?
	    (uint64_t)INT64_MAX : cfg->server.max_body_size));
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
	free(srv);
	return (NULL);
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
	/* runs the close callbacks, which end every request */
	evhttp_free(srv->http);
	server_refresh_cancel_all(srv);
	if (server_listening == srv)
		server_listening = NULL;
	free(server_purge_bits);
	server_purge_bits = NULL;
	server_purge_nbits = 0;
	event_free(srv->accept_ev);
	free(srv);
}
