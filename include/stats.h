/*
 * stats.h: process-wide counters.  Modules bump them with stats_inc();
 * the status page (a later issue) reads them.  One loop, no threads: plain
 * integers suffice.
 */
#ifndef EVPROXY_STATS_H
#define EVPROXY_STATS_H

#include <stdint.h>
#include <time.h>

struct stats {
	uint64_t	requests;		/* requests received */
	uint64_t	errors;			/* replies we generated, >= 400 */
	uint64_t	client_bytes_out;	/* body bytes sent to clients */
	uint64_t	upstream_fetches;	/* requests sent to origins */
	uint64_t	upstream_conns_opened;	/* new origin connections */
	uint64_t	upstream_conns_reused;	/* requests on an idle one */
	uint64_t	upstream_retries;	/* stale keep-alive retries */
	uint64_t	upstream_invalid;	/* responses our checks refused */
	uint64_t	clients_rejected;	/* malformed or over a limit */
	uint64_t	clients_denied;		/* not in --allow */
	uint64_t	tunnels;		/* CONNECT tunnels opened */
	uint64_t	upstream_bytes_in;	/* body bytes from origins */
};

extern struct stats stats;

/*
 * One finished request, as the access log sees it.  server_req.c fills
 * one when a request ends and hands it to stats_record() and the access
 * log; the strings are borrowed for the call only.
 */
struct stats_req {
	time_t		 when;		/* end of the request */
	const char	*client;	/* "127.0.0.1" */
	const char	*method;	/* "GET" */
	const char	*url;		/* normalized URL, or "-" */
	const char	*host;		/* origin host, or NULL (own pages) */
	int		 status;	/* sent to the client; 0 if none */
	const char	*result;	/* HIT MISS STALE REFRESH REVALIDATED
					   COLLAPSED BYPASS PROXY ERROR SELF
					   PURGE TRUNCATED TUNNEL */
	uint64_t	 bytes;		/* body bytes sent to the client */
	int		 from_cache;	/* the body came from the cache */
	int		 upstream_status; /* origin's status, 0 if none */
	long		 ms;		/* duration */
	const char	*why;		/* how it ended, free text */
};

/* Counts one finished request (stats.c). */
void	stats_record(const struct stats_req *);

#define stats_inc(field)	(stats.field++)
#define stats_add(field, n)	(stats.field += (n))

#endif
