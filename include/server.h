/*
 * server.h: the evhttp front end.  Listens, turns each request into a
 * server_req that flows one way (parse target -> fetch from upstream ->
 * stream the reply), answers the proxy's own pages, and maps failures to
 * status codes and short error pages.
 */
#ifndef EVPROXY_SERVER_H
#define EVPROXY_SERVER_H

#include <stddef.h>

struct config;
struct event_base;
struct upstream;
struct cache;

struct server;

/*
 * Binds the listening socket and starts serving on base.  up, cache (NULL
 * when caching is off) and cfg are borrowed and must outlive the server.  Returns NULL with err filled if
 * the address is bad or cannot be bound.
 */
struct server	*server_new(struct event_base *base, struct upstream *up,
		    struct cache *cache, const struct config *cfg, char *err,
		    size_t errlen);
/* The port actually bound (useful with port 0). */
unsigned	 server_port(const struct server *);
/*
 * Graceful shutdown: stops accepting, closes idle client connections and
 * tunnels, and closes each busy one once its reply is written.
 */
void		 server_drain(struct server *);
/* Client connections still open. */
unsigned	 server_nconns(const struct server *);
/*
 * Closes every client connection (their requests are ended and their
 * fetches cancelled), then frees the server.
 */
void		 server_free(struct server *);

#endif
