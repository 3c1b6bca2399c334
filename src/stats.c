/*
 * stats.c: the process-wide counters, and the history of finished
 * requests that the status pages show (server_stats.c).
 *
 * All state is static and bounded: the totals, a ring of STATS_MINUTES
 * per-minute buckets and a table of STATS_HOSTS hosts.  stats_record()
 * does O(1) work for the totals and the ring and O(STATS_HOSTS) for the
 * host table, and never allocates.  The clock is never read here: the
 * ring advances lazily from the times the callers pass (stats.h).
 */
#include <string.h>

#include "stats.h"

struct stats	stats;

/* One bucket of the ring; minute is when / 60 of what it holds. */
struct stats_bucket {
	int64_t			 minute;
	struct stats_minute	 m;
};

static struct stats_bucket	stats_ring[STATS_MINUTES];
static struct stats_host	stats_hosts[STATS_HOSTS];
static size_t			stats_nhosts;

void
stats_init(time_t now)
{
	stats.started = now;
}

void
stats_reset(void)
{
	memset(&stats, 0, sizeof(stats));
	memset(stats_ring, 0, sizeof(stats_ring));
	memset(stats_hosts, 0, sizeof(stats_hosts));
	stats_nhosts = 0;
}

/* True if s is one of the NULL-terminated words. */
static int
stats_is(const char *s, const char *const *words)
{
	if (s == NULL)
		return (0);
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return (1);
	return (0);
}

unsigned
stats_classify(const struct stats_req *r)
{
	static const char *const miss[] = {
		"MISS", "REFRESH", "PROXY", "BYPASS", "TRUNCATED", NULL
	};
	static const char *const reval[] = { "REVALIDATED", "REFRESH", NULL };
	static const char *const error[] = { "ERROR", NULL };
	static const char *const tunnel[] = { "TUNNEL", NULL };
	static const char *const own[] = { "SELF", NULL };
	static const char *const purge[] = { "PURGE", NULL };
	unsigned	 c = 0;

	if (r->from_cache)
		c |= STATS_C_HIT;
	else if (r->upstream_status != 0 && stats_is(r->result, miss))
		c |= STATS_C_MISS;
	if (stats_is(r->result, reval))
		c |= STATS_C_REVALIDATION;
	if (stats_is(r->result, error) ||
	    (r->status >= 500 && r->upstream_status == 0))
		c |= STATS_C_ERROR;
	if (stats_is(r->result, tunnel) || (r->method != NULL &&
	    strcmp(r->method, "CONNECT") == 0 && !(c & STATS_C_ERROR)))
		c |= STATS_C_TUNNEL;
	if (stats_is(r->result, own))
		c |= STATS_C_OWN;
	if (stats_is(r->result, purge))
		c |= STATS_C_PURGE;
	return (c);
}

/* The minute of t (floor, also before 1970). */
static int64_t
stats_minute_of(time_t t)
{
	int64_t	 s = (int64_t)t;

	return (s >= 0 ? s / 60 : -((-s + 59) / 60));
}

/* The ring slot of a minute. */
static size_t
stats_slot(int64_t minute)
{
	int64_t	 i = minute % STATS_MINUTES;

	return ((size_t)(i < 0 ? i + STATS_MINUTES : i));
}

/* Adds r (classes c) to its minute's bucket. */
static void
stats_ring_add(const struct stats_req *r, unsigned c)
{
	int64_t			 minute = stats_minute_of(r->when);
	struct stats_bucket	*b = &stats_ring[stats_slot(minute)];

	if (b->minute > minute && b->m.requests > 0)
		return;			/* over an hour late: totals only */
	if (b->minute != minute) {
		memset(b, 0, sizeof(*b));
		b->minute = minute;
		b->m.start = (time_t)(minute * 60);
	}
	b->m.requests++;
	b->m.bytes += r->bytes;
	if (c & STATS_C_HIT) {
		b->m.hits++;
		b->m.bytes_from_cache += r->bytes;
	}
	if (c & STATS_C_MISS)
		b->m.misses++;
	if (c & STATS_C_ERROR)
		b->m.errors++;
}

void
stats_minutes(time_t now, struct stats_minute out[STATS_MINUTES])
{
	int64_t	 last = stats_minute_of(now), minute;
	size_t	 i;

	for (i = 0; i < STATS_MINUTES; i++) {
		const struct stats_bucket *b;

		minute = last - (STATS_MINUTES - 1) + (int64_t)i;
		b = &stats_ring[stats_slot(minute)];
		if (b->minute == minute && b->m.requests > 0)
			out[i] = b->m;
		else {
			memset(&out[i], 0, sizeof(out[i]));
			out[i].start = (time_t)(minute * 60);
		}
	}
}

/*
 * The table entry for host: the one it has, a free one, or the one with
 * the smallest estimate, taken over (space-saving, stats.h).
 */
static struct stats_host *
stats_host_slot(const char *host, time_t when)
{
	struct stats_host	*h, *min = NULL;
	uint64_t		 est, min_est = 0;
	size_t			 i;

	for (i = 0; i < stats_nhosts; i++) {
		h = &stats_hosts[i];
		if (strncmp(h->host, host, sizeof(h->host) - 1) == 0)
			return (h);
		est = h->requests + h->over;
		if (min == NULL || est < min_est ||
		    (est == min_est && h->last < min->last)) {
			min = h;
			min_est = est;
		}
	}
	if (stats_nhosts < STATS_HOSTS) {
		h = &stats_hosts[stats_nhosts++];
		memset(h, 0, sizeof(*h));
	} else {
		h = min;
		memset(h, 0, sizeof(*h));
		h->over = min_est;
	}
	/* cut, as the lookup above compares */
	strncpy(h->host, host, sizeof(h->host) - 1);
	h->last = when;
	return (h);
}

/* Adds r (classes c) to its host's entry. */
static void
stats_host_add(const struct stats_req *r, unsigned c)
{
	struct stats_host	*h;

	if (r->host == NULL || r->host[0] == '\0')
		return;
	h = stats_host_slot(r->host, r->when);
	h->requests++;
	h->bytes += r->bytes;
	if (c & STATS_C_HIT)
		h->hits++;
	if (r->when > h->last)
		h->last = r->when;
}

void
stats_record(const struct stats_req *r)
{
	struct stats_done	*d = &stats.done;
	unsigned		 c = stats_classify(r);

	d->requests++;
	d->bytes += r->bytes;
	if (c & STATS_C_HIT) {
		d->hits++;
		d->bytes_from_cache += r->bytes;
	}
	if (c & STATS_C_MISS) {
		d->misses++;
		d->bytes_from_origin += r->bytes;
	}
	if (c & STATS_C_REVALIDATION)
		d->revalidations++;
	if (c & STATS_C_ERROR)
		d->errors++;
	if (c & STATS_C_TUNNEL)
		d->tunnels++;
	if (c & STATS_C_OWN)
		d->own++;
	if (c & STATS_C_PURGE)
		d->purges++;
	stats_ring_add(r, c);
	stats_host_add(r, c);
}

double
stats_hit_ratio(const struct stats_done *d)
{
	uint64_t	 n = d->hits + d->misses;

	return (n == 0 ? 0.0 : (double)d->hits / (double)n);
}

/* True if a ranks before b: more requests, then more bytes, then name. */
static int
stats_host_before(const struct stats_host *a, const struct stats_host *b)
{
	if (a->requests != b->requests)
		return (a->requests > b->requests);
	if (a->bytes != b->bytes)
		return (a->bytes > b->bytes);
	return (strcmp(a->host, b->host) < 0);
}

size_t
stats_top_hosts(struct stats_host *out, size_t n)
{
	size_t	 i, j, k = 0;

	/* insertion into out, which stays sorted: n and the table are small */
	for (i = 0; i < stats_nhosts; i++) {
		const struct stats_host *h = &stats_hosts[i];

		if (k == n && (n == 0 || !stats_host_before(h, &out[k - 1])))
			continue;
		j = k < n ? k++ : k - 1;
		for (; j > 0 && stats_host_before(h, &out[j - 1]); j--)
			out[j] = out[j - 1];
		out[j] = *h;
	}
	return (k);
}
