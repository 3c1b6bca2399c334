/*
 * stats.h: process-wide counters, and the history the status pages show.
 *
 * Modules bump the plain counters with stats_inc().  Every finished
 * request is also handed to stats_record(), which classifies it and keeps
 * the totals in stats.done, a ring of the last STATS_MINUTES minutes and
 * a bounded table of the busiest hosts.  One loop, no threads: plain
 * integers suffice.  Nothing here does I/O or reads the clock: every time
 * comes from the caller, so the unit tests are deterministic.
 */
#ifndef EVPROXY_STATS_H
#define EVPROXY_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Totals derived from the finished requests by stats_record().  How a
 * record is classified (stats_classify):
 *
 *   hit           the body came from the cache (from_cache: results HIT,
 *                 STALE, REVALIDATED and COLLAPSED)
 *   miss          the origin supplied the response: results MISS, REFRESH,
 *                 PROXY, BYPASS and TRUNCATED, only when upstream_status
 *                 is not 0 (a PROXY that never reached the origin, or a
 *                 collapsed reader whose fill broke off, is neither)
 *   revalidation  a stored response was checked with the origin:
 *                 REVALIDATED (it was still good: also a hit) and REFRESH
 *                 (the origin sent a new one: also a miss)
 *   error         a reply we generated: result ERROR, or a status >= 500
 *                 with no origin status (ended without a reply)
 *   tunnel        result TUNNEL, or method CONNECT without ERROR
 *   own           result SELF: the proxy's own pages
 *   purge         result PURGE
 *
 * A record may be in several classes (REVALIDATED: hit and revalidation)
 * or in none (a client that left before anything happened); every record
 * counts in requests.  Body bytes: a hit's count in bytes_from_cache (the
 * bytes the cache saved), a miss's in bytes_from_origin, all of them in
 * bytes.  The hit ratio is hits / (hits + misses): own pages, errors and
 * tunnels are left out (stats_hit_ratio).
 */
struct stats_done {
	uint64_t	requests;		/* finished requests */
	uint64_t	hits;
	uint64_t	misses;
	uint64_t	revalidations;
	uint64_t	errors;
	uint64_t	tunnels;
	uint64_t	own;			/* SELF */
	uint64_t	purges;
	uint64_t	bytes;			/* body bytes to clients */
	uint64_t	bytes_from_cache;	/* of hits: "bytes saved" */
	uint64_t	bytes_from_origin;	/* of misses */
};

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
	uint64_t	fast_hits;		/* hits answered without evhttp */
	time_t		started;		/* stats_init(); 0: unknown */
	struct stats_done done;			/* stats_record() */
};

extern struct stats stats;

/*
 * One finished request, as the access log sees it.  server_req.c fills
 * one when a request ends and hands it to stats_record() and the access
 * log; the strings are borrowed for the call only.
 */
struct stats_req {
	time_t		 when;		/* end of the request */
	int		 when_ms;	/* its milliseconds, 0-999 */
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

/* Records the start time (uptime counts from it); main calls it once. */
void	stats_init(time_t now);
/* Zeroes every counter and the history (tests; a fresh start). */
void	stats_reset(void);

/* The classes of a record (see struct stats_done), as bits. */
#define STATS_C_HIT		0x01
#define STATS_C_MISS		0x02
#define STATS_C_REVALIDATION	0x04
#define STATS_C_ERROR		0x08
#define STATS_C_TUNNEL		0x10
#define STATS_C_OWN		0x20
#define STATS_C_PURGE		0x40

/* The classes of r, STATS_C_* bits (pure; NULL strings are allowed). */
unsigned stats_classify(const struct stats_req *r);

/*
 * Counts one finished request (stats.c): stats.done, the minute of
 * r->when in the ring and r->host in the host table.  O(STATS_HOSTS),
 * no allocation.
 */
void	stats_record(const struct stats_req *);

/* hits / (hits + misses) in [0, 1]; 0 before the first of either. */
double	stats_hit_ratio(const struct stats_done *);

/*
 * The per-minute history: a ring of STATS_MINUTES buckets keyed by
 * when / 60.  A record lands in its minute's bucket, which is emptied
 * first if it still held an older minute; a record older than what its
 * bucket holds (more than an hour behind the newest) only counts in the
 * totals.  Reading needs no timer either: a bucket whose minute is not
 * among the last hour before now reads as zero.
 */
#define STATS_MINUTES		60

struct stats_minute {
	time_t		 start;		/* first second of the minute */
	uint64_t	 requests;
	uint64_t	 hits;
	uint64_t	 misses;
	uint64_t	 errors;
	uint64_t	 bytes;		/* body bytes to clients */
	uint64_t	 bytes_from_cache;
};

/*
 * Fills out with the STATS_MINUTES minutes that end with now's minute,
 * oldest first (out[STATS_MINUTES - 1] is the current, partial minute).
 */
void	stats_minutes(time_t now, struct stats_minute out[STATS_MINUTES]);

/*
 * The busiest hosts since the start: a table of STATS_HOSTS entries,
 * kept with the space-saving algorithm (Metwally et al., 2005).  A host
 * not in a full table replaces the entry with the smallest estimate
 * (requests + over; ties: the one seen least recently) and inherits that
 * estimate as its over.  So a busy newcomer climbs past one-off hosts
 * instead of being evicted forever by the next one, and any host with
 * more than 1/STATS_HOSTS of all requests is always in the table.
 * requests, hits and bytes count exactly from the time the host entered.
 */
#define STATS_HOSTS		64
#define STATS_HOST_MAX		256	/* longer names are cut */

struct stats_host {
	char		 host[STATS_HOST_MAX];
	uint64_t	 requests;	/* since it entered the table */
	uint64_t	 over;		/* estimate inherited on entry */
	uint64_t	 hits;
	uint64_t	 bytes;		/* body bytes to clients */
	time_t		 last;		/* its latest request */
};

/*
 * Copies up to n hosts of the table into out, most requests first (then
 * most bytes, then by name); returns how many it copied.
 */
size_t	stats_top_hosts(struct stats_host *out, size_t n);

#define stats_inc(field)	(stats.field++)
#define stats_add(field, n)	(stats.field += (n))

#endif
