/*
 * stats.h: process-wide counters.  Modules bump them with stats_inc();
 * the status page (a later issue) reads them.  One loop, no threads: plain
 * integers suffice.
 */
#ifndef EVPROXY_STATS_H
#define EVPROXY_STATS_H

#include <stdint.h>

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

#define stats_inc(field)	(stats.field++)
#define stats_add(field, n)	(stats.field += (n))

#endif
