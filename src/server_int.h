/*
 * server_int.h: shared by server.c, server_req.c and server_page.c only.
 */
#ifndef EVPROXY_SERVER_INT_H
#define EVPROXY_SERVER_INT_H

#include <sys/queue.h>
#include <sys/time.h>

#include <stdint.h>
#include <time.h>

#include <event2/util.h>

struct evbuffer;
struct evhttp;
struct evhttp_request;
struct evconnlistener;
struct evhttp_connection;
struct bufferevent;
struct http_url;
struct server_conn;
struct server_req;
struct server_tunnel;
struct stats_req;

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
	/*
	 * URLs whose last response was not stored, by hash, until when:
	 * their requests go to the origin at once instead of waiting on
	 * each other (Varnish's hit-for-miss).  Direct-mapped, overwritten.
	 */
	struct server_pass {
		uint64_t	 hash;
		time_t		 until;
	}			 pass[1024];
	/* client connections (server_conn.c) */
	TAILQ_HEAD(, server_conn) conns;	/* attached */
	TAILQ_HEAD(, server_conn) conns_new;	/* accepted this pass */
	struct event		*attach_ev;
	unsigned		 nconns;
	int			 conns_full;	/* at --max-connections */
	int			 accept_paused;	/* out of descriptors */
	int			 draining;	/* shutting down */
	struct server_conn	**connmap;	/* by descriptor */
	size_t			 nconnmap;
	/* CONNECT tunnels (server_tunnel.c) */
	TAILQ_HEAD(, server_tunnel) tunnels;
};

/* Counts a finished request and writes its access line (server.c). */
void	server_account(const struct stats_req *);
/* True if host:port names this proxy itself (server.c). */
int	server_is_self(const struct server *, const char *host, unsigned port);

/* evhttp's callback for every request (server_req.c). */
void	server_req_cb(struct evhttp_request *, void *);

/* Client connections (server_conn.c). */
void	server_conn_init(struct server *);
void	server_conn_free_all(struct server *);
struct bufferevent *server_conn_bev_cb(struct event_base *, void *);
void	server_conn_attach_cb(evutil_socket_t, short, void *);
/* The connection a request came on, or NULL. */
struct server_conn *server_conn_of(struct server *, struct evhttp_connection *);
/* True if the client passes --allow. */
int	server_conn_allowed(const struct server_conn *);
/* The client's address as text. */
const char *server_conn_client(const struct server_conn *);
/* True if the request evhttp just parsed started with "PURGE ". */
int	server_conn_is_purge(const struct server_conn *);
/* The request in service on the connection (NULL: handed back). */
void	server_conn_set_req(struct server_conn *, struct server_req *);
/* Closes idle connections; busy ones close after their reply (drain). */
void	server_conn_drain(struct server *);
/* Open CONNECT tunnels. */
unsigned server_tunnel_count(const struct server *);
/* Ends a tunnel now (drain). */
void	server_tunnel_end_all(struct server *);
/* The reply to the request in service was written (evhttp reads again). */
void	server_conn_reply_done(struct server_conn *);
/* The connection became a tunnel (NULL: the tunnel ended). */
void	server_conn_set_tunnel(struct server_conn *, struct server_tunnel *);
/*
 * Takes the connection over from evhttp, writes an error page with
 * Connection: close and closes it once written.
 */
void	server_conn_fail(struct server_conn *, int status, const char *title,
	    const char *why);

/*
 * A plain fresh hit at the head of an idle connection's input, answered
 * without evhttp (server_fast.c).  FAST_NONE: not one, nothing consumed.
 * Otherwise the request was drained from in and counted: FAST_DONE, the
 * response is written; FAST_QUEUED, its rest waits in out (the client's
 * output) and must be flushed before anything else is read; FAST_FAILED,
 * out of memory mid-response: close the connection.
 */
enum server_fast_res {
	FAST_NONE,
	FAST_DONE,
	FAST_QUEUED,
	FAST_FAILED
};
enum server_fast_res server_fast_hit(struct server *, const char *client,
	    struct evbuffer *in, evutil_socket_t fd, struct evbuffer *out);
/* A client connection closed under a request in service (server_req.c). */
void	server_req_client_gone(struct server_req *, struct evhttp_connection *);

/* CONNECT (server_tunnel.c). */
void	server_tunnel_start(struct server *, struct server_conn *,
	    struct evhttp_request *);
/* The client connection of a tunnel is being freed. */
void	server_tunnel_closed(struct server_tunnel *);
/* Ends every tunnel (shutdown). */
void	server_tunnel_free_all(struct server *);
/* Cancels every background cache refresh (server_req.c). */
void	server_refresh_cancel_all(struct server *);

/*
 * The proxy's own pages under /-/ (server_stats.c): /-/ (the dashboard),
 * /-/stats (JSON) and /-/metrics (Prometheus).  path is the request's
 * path without the query; fills body and *ctype and returns the status
 * (200, or 404 for an unknown page).
 */
int	server_stats_page(struct server *, const char *path,
	    struct evbuffer *body, const char **ctype);

/* The proxy's own home page, for GET / (server_page.c). */
void	server_page_home(struct evbuffer *out, const char *self);
/* An error page: status, a title and a one-line cause (server_page.c). */
void	server_page_error(struct evbuffer *out, int status, const char *title,
	    const char *cause, const char *url);

#endif
