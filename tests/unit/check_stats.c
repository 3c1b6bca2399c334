/*
 * check_stats.c: table-driven tests of the stats module (stats.c): how a
 * finished request is classified, the totals stats_record() keeps, the
 * per-minute ring (roll-over, gaps, late records) and the host table
 * (order, eviction).  No clock is read: every time is a row's.  Each
 * test starts from stats_reset() (a checked fixture), so the suite also
 * runs unforked (CK_FORK=no, as CTest runs it).
 */
#include "stats.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* Short names for the classes, as in the rows. */
#define HIT	STATS_C_HIT
#define MISS	STATS_C_MISS
#define REV	STATS_C_REVALIDATION
#define ERR	STATS_C_ERROR
#define TUN	STATS_C_TUNNEL
#define OWN	STATS_C_OWN
#define PUR	STATS_C_PURGE

/* A minute boundary, so that T0 + 59 is still T0's minute. */
#define T0	((time_t)1700000040)

/* A record with the fields classification reads. */
static struct stats_req
check_stats_req(const char *method, const char *result, int status,
    int upstream, int from_cache, const char *host, time_t when,
    uint64_t bytes)
{
	struct stats_req	 r;

	memset(&r, 0, sizeof(r));
	r.when = when;
	r.client = "127.0.0.1";
	r.method = method;
	r.url = "http://example.test/";
	r.host = host;
	r.status = status;
	r.result = result;
	r.bytes = bytes;
	r.from_cache = from_cache;
	r.upstream_status = upstream;
	r.why = "done";
	return (r);
}

static void
check_stats_setup(void)
{
	stats_reset();
}

/* ---- classification: result, status, origin status -> classes ---- */

static const struct {
	const char	*method;
	const char	*result;
	int		 status;
	int		 upstream;
	int		 from_cache;
	unsigned	 want;
} class_rows[] = {
	/* served from the cache */
	{ "GET", "HIT", 200, 0, 1, HIT },
	{ "HEAD", "HIT", 200, 0, 1, HIT },
	{ "GET", "STALE", 200, 0, 1, HIT },
	{ "GET", "STALE", 200, 503, 1, HIT },	/* stale-if-error */
	{ "GET", "REVALIDATED", 200, 304, 1, HIT | REV },
	{ "GET", "COLLAPSED", 200, 0, 1, HIT },
	/* the origin answered */
	{ "GET", "MISS", 200, 200, 0, MISS },
	{ "GET", "MISS", 304, 304, 0, MISS },	/* a client's conditional */
	{ "GET", "MISS", 503, 503, 0, MISS },	/* the origin's 5xx */
	{ "GET", "MISS", 404, 404, 0, MISS },
	{ "GET", "REFRESH", 200, 200, 0, MISS | REV },
	{ "GET", "PROXY", 200, 200, 0, MISS },	/* --no-cache */
	{ "POST", "BYPASS", 201, 201, 0, MISS },
	{ "GET", "TRUNCATED", 200, 200, 0, MISS },
	/* neither: nothing came from the origin */
	{ "GET", "TRUNCATED", 200, 0, 0, 0 },	/* a collapsed reader */
	{ "GET", "PROXY", 0, 0, 0, 0 },		/* the client left */
	{ "GET", "MISS", 0, 0, 0, 0 },
	/* replies we generated */
	{ "GET", "ERROR", 404, 0, 0, ERR },	/* NXDOMAIN */
	{ "GET", "ERROR", 502, 0, 0, ERR },
	{ "GET", "ERROR", 504, 0, 0, ERR },
	{ "GET", "ERROR", 400, 0, 0, ERR },
	{ "GET", "ERROR", 502, 200, 0, ERR },	/* unforwardable header */
	{ "DELETE", "ERROR", 405, 0, 0, ERR },
	{ "GET", "PROXY", 503, 0, 0, ERR },	/* ended without a reply */
	{ "GET", "HIT", 503, 0, 1, HIT | ERR },
	/* own pages, purges, tunnels */
	{ "GET", "SELF", 200, 0, 0, OWN },
	{ "HEAD", "SELF", 200, 0, 0, OWN },
	{ "PURGE", "PURGE", 200, 0, 0, PUR },
	{ "PURGE", "PURGE", 404, 0, 0, PUR },
	{ "CONNECT", "TUNNEL", 200, 0, 0, TUN },
	{ "CONNECT", "PROXY", 200, 0, 0, TUN },
	{ "CONNECT", "ERROR", 502, 0, 0, ERR },
	{ "CONNECT", "ERROR", 403, 0, 0, ERR },
	/* robustness: missing strings */
	{ NULL, NULL, 0, 0, 0, 0 },
	{ NULL, "HIT", 200, 0, 0, 0 },		/* from_cache decides */
	{ "GET", NULL, 500, 0, 0, ERR },
};

START_TEST(test_classify)
{
	struct stats_req r = check_stats_req(class_rows[_i].method,
	    class_rows[_i].result, class_rows[_i].status,
	    class_rows[_i].upstream, class_rows[_i].from_cache, "h.test", T0,
	    10);

	ck_assert_msg(stats_classify(&r) == class_rows[_i].want,
	    "row %d (%s %s %d/%d): classes 0x%x, want 0x%x", _i,
	    class_rows[_i].method ? class_rows[_i].method : "(null)",
	    class_rows[_i].result ? class_rows[_i].result : "(null)",
	    class_rows[_i].status, class_rows[_i].upstream,
	    stats_classify(&r), class_rows[_i].want);
}
END_TEST

/* Each row, recorded alone: which totals move, and by how much. */
START_TEST(test_record_row)
{
	struct stats_req r = check_stats_req(class_rows[_i].method,
	    class_rows[_i].result, class_rows[_i].status,
	    class_rows[_i].upstream, class_rows[_i].from_cache, "h.test", T0,
	    1000);
	unsigned	 w = class_rows[_i].want;
	const struct stats_done *d = &stats.done;

	stats_record(&r);
	ck_assert_uint_eq(d->requests, 1);
	ck_assert_uint_eq(d->bytes, 1000);
	ck_assert_uint_eq(d->hits, (w & HIT) != 0);
	ck_assert_uint_eq(d->misses, (w & MISS) != 0);
	ck_assert_uint_eq(d->revalidations, (w & REV) != 0);
	ck_assert_uint_eq(d->errors, (w & ERR) != 0);
	ck_assert_uint_eq(d->tunnels, (w & TUN) != 0);
	ck_assert_uint_eq(d->own, (w & OWN) != 0);
	ck_assert_uint_eq(d->purges, (w & PUR) != 0);
	ck_assert_uint_eq(d->bytes_from_cache, (w & HIT) ? 1000 : 0);
	ck_assert_uint_eq(d->bytes_from_origin, (w & MISS) ? 1000 : 0);
	/* the plain counters belong to the other modules */
	ck_assert_uint_eq(stats.requests, 0);
	ck_assert_uint_eq(stats.errors, 0);
}
END_TEST

/* A short session: the totals and the hit ratio. */
START_TEST(test_record_session)
{
	struct stats_req	 r;

	ck_assert(stats_hit_ratio(&stats.done) == 0.0);
	r = check_stats_req("GET", "MISS", 200, 200, 0, "a.test", T0, 5000);
	stats_record(&r);
	r = check_stats_req("GET", "HIT", 200, 0, 1, "a.test", T0 + 1, 5000);
	stats_record(&r);
	r = check_stats_req("GET", "HIT", 200, 0, 1, "a.test", T0 + 2, 5000);
	stats_record(&r);
	r = check_stats_req("GET", "REFRESH", 200, 200, 0, "b.test", T0 + 3,
	    300);
	stats_record(&r);
	r = check_stats_req("GET", "ERROR", 404, 0, 0, "nx.test", T0 + 4, 120);
	stats_record(&r);
	r = check_stats_req("GET", "SELF", 200, 0, 0, NULL, T0 + 5, 900);
	stats_record(&r);
	ck_assert_uint_eq(stats.done.requests, 6);
	ck_assert_uint_eq(stats.done.hits, 2);
	ck_assert_uint_eq(stats.done.misses, 2);
	ck_assert_uint_eq(stats.done.revalidations, 1);
	ck_assert_uint_eq(stats.done.errors, 1);
	ck_assert_uint_eq(stats.done.own, 1);
	ck_assert_uint_eq(stats.done.bytes, 16320);
	ck_assert_uint_eq(stats.done.bytes_from_cache, 10000);
	ck_assert_uint_eq(stats.done.bytes_from_origin, 5300);
	ck_assert(stats_hit_ratio(&stats.done) == 0.5);

	stats_init(T0 - 100);
	ck_assert_int_eq((long long)stats.started, (long long)(T0 - 100));
	stats_reset();
	ck_assert_uint_eq(stats.done.requests, 0);
	ck_assert_int_eq((long long)stats.started, 0);
}
END_TEST

/* ---- the per-minute ring ---- */

#define MAXREC	8
#define MAXWANT	6

/*
 * Records at the given offsets from T0 (seconds; END ends the list, a
 * HIT offset is recorded as a hit), then reads the ring at T0 + now.
 * want lists {minutes before now's minute, requests}; every other bucket
 * must read zero.
 */
#define END	-99999
#define H	1000000		/* add to an offset: record a hit */
static const struct {
	const char	*name;
	long		 at[MAXREC];
	long		 now;
	struct { int ago; unsigned n; } want[MAXWANT];
} ring_rows[] = {
	{ "empty", { END }, 0, { { -1, 0 } } },
	{ "one minute", { 0, 10, 59, END }, 59, { { 0, 3 }, { -1, 0 } } },
	{ "next minute", { 0, 10, 60, END }, 60,
	    { { 1, 2 }, { 0, 1 }, { -1, 0 } } },
	{ "read later", { 0, 60, 120, END }, 600,
	    { { 10, 1 }, { 9, 1 }, { 8, 1 }, { -1, 0 } } },
	{ "59 minutes ago is kept", { 0, END }, 59 * 60,
	    { { 59, 1 }, { -1, 0 } } },
	{ "an hour ago rolled off", { 0, END }, 60 * 60, { { -1, 0 } } },
	{ "hour gap", { 0, 30, 90 * 60, END }, 90 * 60,
	    { { 0, 1 }, { -1, 0 } } },
	{ "same slot, next hour", { 0, 5, 60 * 60, END }, 60 * 60,
	    { { 0, 1 }, { -1, 0 } } },
	{ "late, within the hour", { 300, 120, END }, 300,
	    { { 3, 1 }, { 0, 1 }, { -1, 0 } } },
	{ "late by over an hour", { 3600, 0, END }, 3600,
	    { { 0, 1 }, { -1, 0 } } },
	{ "a day later", { 0, 60, 120, END }, 86400, { { -1, 0 } } },
	{ "hits", { 0 + H, 1, 2 + H, 61 + H, END }, 61,
	    { { 1, 3 }, { 0, 1 }, { -1, 0 } } },
};

START_TEST(test_ring)
{
	struct stats_minute	 out[STATS_MINUTES];
	struct stats_req	 r;
	unsigned		 want[STATS_MINUTES];
	uint64_t		 hits = 0, n = 0;
	int			 i, hit;
	long			 at;

	memset(want, 0, sizeof(want));
	for (i = 0; i < MAXWANT && ring_rows[_i].want[i].ago >= 0; i++)
		want[STATS_MINUTES - 1 - ring_rows[_i].want[i].ago] =
		    ring_rows[_i].want[i].n;
	for (i = 0; i < MAXREC && ring_rows[_i].at[i] != END; i++) {
		at = ring_rows[_i].at[i];
		hit = at >= H / 2;
		if (hit)
			at -= H;
		r = check_stats_req("GET", hit ? "HIT" : "MISS", 200,
		    hit ? 0 : 200, hit, "r.test", T0 + at, 100);
		stats_record(&r);
		n++;
	}
	ck_assert_uint_eq(stats.done.requests, n);	/* totals keep all */
	stats_minutes(T0 + ring_rows[_i].now, out);
	for (i = 0; i < STATS_MINUTES; i++) {
		time_t start = (T0 + ring_rows[_i].now) / 60 * 60 -
		    (time_t)(STATS_MINUTES - 1 - i) * 60;

		ck_assert_msg(out[i].start == start, "%s: minute %d starts "
		    "at %lld, want %lld", ring_rows[_i].name, i,
		    (long long)out[i].start, (long long)start);
		ck_assert_msg(out[i].requests == want[i], "%s: %d minutes "
		    "ago: %llu requests, want %u", ring_rows[_i].name,
		    STATS_MINUTES - 1 - i, (unsigned long long)out[i].requests,
		    want[i]);
		ck_assert_uint_eq(out[i].bytes, out[i].requests * 100);
		ck_assert_uint_eq(out[i].hits + out[i].misses,
		    out[i].requests);
		hits += out[i].hits;
	}
	if (strcmp(ring_rows[_i].name, "hits") == 0) {
		ck_assert_uint_eq(hits, 3);
		ck_assert_uint_eq(out[STATS_MINUTES - 2].hits, 2);
		ck_assert_uint_eq(out[STATS_MINUTES - 2].bytes_from_cache, 200);
	}
}
END_TEST

/* Reading is idempotent and does not lose what a later read shows. */
START_TEST(test_ring_read_only)
{
	struct stats_minute	 a[STATS_MINUTES], b[STATS_MINUTES];
	struct stats_req	 r;

	r = check_stats_req("GET", "MISS", 200, 200, 0, "r.test", T0, 1);
	stats_record(&r);
	stats_minutes(T0 + 7200, a);		/* far ahead: all zero */
	ck_assert_uint_eq(a[STATS_MINUTES - 1].requests, 0);
	stats_minutes(T0 + 30, b);		/* the record is still there */
	ck_assert_uint_eq(b[STATS_MINUTES - 1].requests, 1);
	stats_minutes(T0 + 30, a);
	ck_assert(memcmp(a, b, sizeof(a)) == 0);
}
END_TEST

/* ---- the host table ---- */

/* Records n requests of bytes each for host at when. */
static void
check_stats_host(const char *host, unsigned n, uint64_t bytes, time_t when,
    int hit)
{
	struct stats_req	 r;
	unsigned		 i;

	for (i = 0; i < n; i++) {
		r = check_stats_req("GET", hit ? "HIT" : "MISS", 200,
		    hit ? 0 : 200, hit, host, when, bytes);
		stats_record(&r);
	}
}

/* The table entry for host among the top STATS_HOSTS, or NULL. */
static const struct stats_host *
check_stats_find(struct stats_host *all, size_t n, const char *host)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(all[i].host, host) == 0)
			return (&all[i]);
	return (NULL);
}

START_TEST(test_hosts_order)
{
	struct stats_host	 top[4];
	size_t			 n;

	check_stats_host("a.test", 3, 10, T0, 0);
	check_stats_host("b.test", 5, 10, T0, 1);
	check_stats_host("c.test", 3, 99, T0, 0);	/* ties a: bytes */
	check_stats_host("d.test", 1, 10, T0, 0);
	check_stats_host("e.test", 3, 10, T0, 0);	/* ties a: name */
	check_stats_host(NULL, 4, 10, T0, 0);		/* own pages */
	check_stats_host("", 4, 10, T0, 0);
	n = stats_top_hosts(top, 4);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(top[0].host, "b.test");
	ck_assert_uint_eq(top[0].requests, 5);
	ck_assert_uint_eq(top[0].hits, 5);
	ck_assert_uint_eq(top[0].bytes, 50);
	ck_assert_str_eq(top[1].host, "c.test");
	ck_assert_str_eq(top[2].host, "a.test");
	ck_assert_str_eq(top[3].host, "e.test");
	ck_assert_uint_eq(top[3].hits, 0);
	ck_assert_uint_eq(stats_top_hosts(top, 0), 0);
	ck_assert_uint_eq(stats_top_hosts(top, 1), 1);
	ck_assert_str_eq(top[0].host, "b.test");
	ck_assert_uint_eq(stats.done.requests, 23);
}
END_TEST

/* A host name longer than the table holds is cut, and still matches. */
START_TEST(test_hosts_long)
{
	struct stats_host	 top[2];
	char			 name[STATS_HOST_MAX + 40];

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	check_stats_host(name, 2, 1, T0, 0);
	ck_assert_uint_eq(stats_top_hosts(top, 2), 1);
	ck_assert_uint_eq(strlen(top[0].host), STATS_HOST_MAX - 1);
	ck_assert_uint_eq(top[0].requests, 2);
}
END_TEST

/*
 * Eviction rows: fill the table with STATS_HOSTS hosts h0..h63, host i
 * getting base + (i == small ? -1 : 0) requests at T0 + i, then record
 * one request of "new" at T0 + 100.  gone is the host that must have
 * been replaced, and new must hold over = its estimate.
 */
static const struct {
	const char	*name;
	unsigned	 base;
	int		 small;		/* -1: none */
	const char	*gone;
	uint64_t	 over;
} evict_rows[] = {
	{ "the smallest goes", 3, 17, "h17", 2 },
	{ "ties: the least recent goes", 1, -1, "h0", 1 },
	{ "ties among many", 5, -1, "h0", 5 },
	{ "the smallest, not the oldest", 2, 63, "h63", 1 },
};

START_TEST(test_hosts_evict)
{
	struct stats_host	 all[STATS_HOSTS];
	const struct stats_host	*h;
	char			 name[16];
	size_t			 n;
	int			 i;

	for (i = 0; i < STATS_HOSTS; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		check_stats_host(name, evict_rows[_i].base -
		    (i == evict_rows[_i].small ? 1 : 0), 1, T0 + i, 0);
	}
	n = stats_top_hosts(all, STATS_HOSTS);
	ck_assert_uint_eq(n, STATS_HOSTS);
	check_stats_host("new", 1, 1, T0 + 100, 0);
	n = stats_top_hosts(all, STATS_HOSTS);
	ck_assert_uint_eq(n, STATS_HOSTS);
	ck_assert_msg(check_stats_find(all, n, evict_rows[_i].gone) == NULL,
	    "%s: %s is still there", evict_rows[_i].name, evict_rows[_i].gone);
	h = check_stats_find(all, n, "new");
	ck_assert_msg(h != NULL, "%s: new is missing", evict_rows[_i].name);
	ck_assert_uint_eq(h->requests, 1);
	ck_assert_uint_eq(h->over, evict_rows[_i].over);
	/* everyone else is intact */
	for (i = 0; i < STATS_HOSTS; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		if (strcmp(name, evict_rows[_i].gone) != 0)
			ck_assert_msg(check_stats_find(all, n, name) != NULL,
			    "%s: %s was evicted", evict_rows[_i].name, name);
	}
}
END_TEST

/*
 * A busy host that arrives after the table filled up keeps its place
 * among a stream of one-off hosts (space-saving), and its own counts
 * are exact from its entry on.
 */
START_TEST(test_hosts_busy_newcomer)
{
	struct stats_host	 all[STATS_HOSTS];
	const struct stats_host	*h;
	char			 name[24];
	size_t			 n;
	int			 i;

	for (i = 0; i < STATS_HOSTS; i++) {
		snprintf(name, sizeof(name), "old%d", i);
		check_stats_host(name, 3, 1, T0, 0);
	}
	for (i = 0; i < 500; i++) {
		check_stats_host("busy.test", 1, 7, T0 + 1 + i, 1);
		snprintf(name, sizeof(name), "once%d", i);
		check_stats_host(name, 1, 1, T0 + 1 + i, 0);
		n = stats_top_hosts(all, STATS_HOSTS);
		h = check_stats_find(all, n, "busy.test");
		ck_assert_msg(h != NULL, "busy.test evicted in round %d", i);
	}
	n = stats_top_hosts(all, 1);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(all[0].host, "busy.test");
	ck_assert_uint_eq(all[0].requests, 500);
	ck_assert_uint_eq(all[0].hits, 500);
	ck_assert_uint_eq(all[0].bytes, 3500);
	ck_assert_uint_eq(all[0].over, 3);
}
END_TEST

static Suite *
stats_suite(void)
{
	Suite	*s = suite_create("stats");
	TCase	*tc;

	tc = tcase_create("classify");
	tcase_add_checked_fixture(tc, check_stats_setup, NULL);
	tcase_add_loop_test(tc, test_classify, 0, NROWS(class_rows));
	tcase_add_loop_test(tc, test_record_row, 0, NROWS(class_rows));
	tcase_add_test(tc, test_record_session);
	suite_add_tcase(s, tc);

	tc = tcase_create("ring");
	tcase_add_checked_fixture(tc, check_stats_setup, NULL);
	tcase_add_loop_test(tc, test_ring, 0, NROWS(ring_rows));
	tcase_add_test(tc, test_ring_read_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("hosts");
	tcase_add_checked_fixture(tc, check_stats_setup, NULL);
	tcase_add_test(tc, test_hosts_order);
	tcase_add_test(tc, test_hosts_long);
	tcase_add_loop_test(tc, test_hosts_evict, 0, NROWS(evict_rows));
	tcase_add_test(tc, test_hosts_busy_newcomer);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite; exits non-zero if any test failed. */
int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(stats_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
