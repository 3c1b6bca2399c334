/*
 * server_int.h: shared by server.c, server_req.c and server_page.c only.
 */
#ifndef EVPROXY_SERVER_INT_H
#define EVPROXY_SERVER_INT_H

#include <sys/queue.h>
#include <sys/time.h>

#include <stdint.h>

struct evbuffer;
struct evhttp;
struct evhttp_request;
struct evconnlistener;
struct http_url;

struct server {
	struct event_base	*base;
	struct evhttp		*http;
	struct upstream		*up;
	struct cache		*cache;		/* NULL: --no-cache */
	const struct config	*cfg;
	struct evconnlistener	*listener;	/* owned by evhttp */
	struct event		*accept_ev;	/* re-enables accepting */
	unsigned		 port;		/* bound port */
	char			 via[128];	/* "host:port (evproxy/x)" */
	uint64_t		 next_id;
	struct timeval		 client_tv;	/* client timeout */
	/* stale-while-revalidate refreshes in flight (server_req.c) */
	TAILQ_HEAD(, server_refresh) refreshes;
	/* fills other requests may join (collapsed forwarding) */
	TAILQ_HEAD(, server_fill) fills;
};

/* evhttp's callback for every request (server_req.c). */
void	server_req_cb(struct evhttp_request *, void *);

/* True if the request is a PURGE (server.c). */
int	server_is_purge(struct evhttp_request *);
/* Cancels every background cache refresh (server_req.c). */
void	server_refresh_cancel_all(struct server *);

/* The proxy's own home page, for GET / (server_page.c). */
void	server_page_home(struct evbuffer *out, const char *self);
/* An error page: status, a title and a one-line cause (server_page.c). */
void	server_page_error(struct evbuffer *out, int status, const char *title,
	    const char *cause, const char *url);

#endif
