/*
 * check_cache.c: table-driven tests of the pure half of the cache module:
 * the RFC 9111 policy (cache_policy.c) and the entry file header and
 * name (cache_record.c).  Every table test is a loop test; _i indexes its
 * rows[] table, one row per {headers, status, request, times, now ->
 * expected}.  All times are relative to T0 (1700000000, the D_ dates
 * below); a row's request and response times default to T0.  The record
 * tables start from a good encoding and break it one way per row.
 */
#include "cache.h"

#include <sys/queue.h>

#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define HDRS_MAX	8		/* headers of a row, NULL-terminated */

#define T0	((time_t)1700000000)
#define D_0	"Tue, 14 Nov 2023 22:13:20 GMT"		/* T0 */
#define D_M10	"Tue, 14 Nov 2023 22:13:10 GMT"		/* T0 - 10 */
#define D_M100	"Tue, 14 Nov 2023 22:11:40 GMT"		/* T0 - 100 */
#define D_M1H	"Tue, 14 Nov 2023 21:13:20 GMT"		/* T0 - 3600 */
#define D_M1D	"Mon, 13 Nov 2023 22:13:20 GMT"		/* T0 - 86400 */
#define D_M10D	"Sat, 04 Nov 2023 22:13:20 GMT"		/* T0 - 864000 */
#define D_M100D	"Sun, 06 Aug 2023 22:13:20 GMT"		/* T0 - 8640000 */
#define D_P100	"Tue, 14 Nov 2023 22:15:00 GMT"		/* T0 + 100 */
#define D_P1H	"Tue, 14 Nov 2023 23:13:20 GMT"		/* T0 + 3600 */
#define D_P1D	"Wed, 15 Nov 2023 22:13:20 GMT"		/* T0 + 86400 */

#define BIG	2147483647L	/* 2^31-1: RFC 9111 §1.2.2 clamp */

/* Appends "Name: value" strings (NULL-terminated) to q. */
static void
test_hdrs_fill(struct evkeyvalq *q, const char *const *h)
{
	char	 name[128];
	const char *colon;
	size_t	 n;

	TAILQ_INIT(q);
	for (; *h != NULL; h++) {
		colon = strchr(*h, ':');
		ck_assert_ptr_nonnull(colon);
		n = (size_t)(colon - *h);
		ck_assert_uint_lt(n, sizeof(name));
		memcpy(name, *h, n);
		name[n] = '\0';
		colon++;
		while (*colon == ' ')
			colon++;
		ck_assert_int_eq(evhttp_add_header(q, name, colon), 0);
	}
}

/* Builds the meta of a response with headers h at the given times. */
static void
test_meta(const char *const *h, int status, time_t req, time_t resp,
    struct cache_meta *m)
{
	struct evkeyvalq	 q;

	test_hdrs_fill(&q, h);
	cache_meta_from_headers(&q, status, req, resp, m);
	evhttp_clear_headers(&q);
}

/* Parses a request Cache-Control value (NULL: none) into cc. */
static void
test_req_cc(const char *value, struct http_cc *cc)
{
	http_cc_init(cc);
	if (value != NULL)
		http_cc_parse(value, cc);
}

/* A row's time: 0 stands for T0. */
static time_t
test_time(time_t t)
{
	return (t == 0 ? T0 : t);
}

/*
 * cache_meta_from_headers: what it reads from the headers.
 */
static const struct {
	const char	*hdrs[HDRS_MAX];
	time_t		 date, expires, last_modified;
	long		 age;
	int		 vary_star, has_validator;
	long		 max_age;
	int		 public_;
} meta_rows[] = {
	/* nothing at all */
	{ { NULL }, -1, -1, -1, 0, 0, 0, -1, 0 },
	{ { "Date: " D_0, "Expires: " D_P1H, "Last-Modified: " D_M1D,
	    "Age: 5", NULL }, T0, T0 + 3600, T0 - 86400, 5, 0, 1, -1, 0 },
	/* RFC 9111 §5.3: an invalid Expires ("0") is in the past */
	{ { "Expires: 0", NULL }, -1, 0, -1, 0, 0, 0, -1, 0 },
	{ { "Expires: next week", NULL }, -1, 0, -1, 0, 0, 0, -1, 0 },
	/* §4.2: two Expires that agree, and two that do not (stale) */
	{ { "Expires: " D_P1H, "Expires: " D_P1H, NULL }, -1, T0 + 3600, -1,
	    0, 0, 0, -1, 0 },
	{ { "Expires: " D_P1H, "Expires: " D_P1D, NULL }, -1, 0, -1, 0, 0,
	    0, -1, 0 },
	/* header names are case-insensitive */
	{ { "date: " D_0, "expires: " D_0, "etag: \"x\"", NULL }, T0, T0,
	    -1, 0, 0, 1, -1, 0 },
	/* an invalid Date or Last-Modified is absent; LM still validates */
	{ { "Date: yesterday", "Last-Modified: long ago", NULL }, -1, -1, -1,
	    0, 0, 1, -1, 0 },
	{ { "ETag: W/\"1\"", NULL }, -1, -1, -1, 0, 0, 1, -1, 0 },
	/* Vary: * anywhere in any Vary field */
	{ { "Vary: Accept", "Vary: accept-encoding, *", NULL }, -1, -1, -1,
	    0, 1, 0, -1, 0 },
	{ { "Vary: *", NULL }, -1, -1, -1, 0, 1, 0, -1, 0 },
	{ { "Vary: *x, Accept", NULL }, -1, -1, -1, 0, 0, 0, -1, 0 },
	/* Age: delta-seconds; the first valid one; junk is ignored */
	{ { "Age: 10", "Age: 20", NULL }, -1, -1, -1, 10, 0, 0, -1, 0 },
	{ { "Age: -5", NULL }, -1, -1, -1, 0, 0, 0, -1, 0 },
	{ { "Age: 12abc", "Age: 7", NULL }, -1, -1, -1, 7, 0, 0, -1, 0 },
	{ { "Age: 99999999999", NULL }, -1, -1, -1, BIG, 0, 0, -1, 0 },
	/* every Cache-Control field counts */
	{ { "Cache-Control: max-age=5", "Cache-Control: public", NULL }, -1,
	    -1, -1, 0, 0, 0, 5, 1 },
};

/* One meta_rows[] row: the fields read from its headers. */
START_TEST(test_meta_from_headers)
{
	struct cache_meta	 m;

	test_meta(meta_rows[_i].hdrs, 200, T0 - 1, T0, &m);
	ck_assert_int_eq(m.status, 200);
	ck_assert_int_eq(m.request_time, T0 - 1);
	ck_assert_int_eq(m.response_time, T0);
	ck_assert_int_eq(m.date, meta_rows[_i].date);
	ck_assert_int_eq(m.expires, meta_rows[_i].expires);
	ck_assert_int_eq(m.last_modified, meta_rows[_i].last_modified);
	ck_assert_int_eq(m.age, meta_rows[_i].age);
	ck_assert_int_eq(m.vary_star, meta_rows[_i].vary_star);
	ck_assert_int_eq(m.has_validator, meta_rows[_i].has_validator);
	ck_assert_int_eq(m.cc.max_age, meta_rows[_i].max_age);
	ck_assert_int_eq(m.cc.public_, meta_rows[_i].public_);
}
END_TEST

/* cache_policy_heuristic_status (RFC 9110 §15.1). */
static const struct {
	int	 status;
	int	 want;
} heur_rows[] = {
	{ 200, 1 }, { 203, 1 }, { 204, 1 }, { 206, 1 }, { 300, 1 },
	{ 301, 1 }, { 308, 1 }, { 404, 1 }, { 405, 1 }, { 410, 1 },
	{ 414, 1 }, { 501, 1 },
	{ 100, 0 }, { 201, 0 }, { 202, 0 }, { 205, 0 }, { 302, 0 },
	{ 303, 0 }, { 304, 0 }, { 307, 0 }, { 400, 0 }, { 403, 0 },
	{ 451, 0 }, { 500, 0 }, { 502, 0 }, { 503, 0 }, { 504, 0 },
	{ 0, 0 }, { -200, 0 }, { 2000, 0 },
};

/* One heur_rows[] row. */
START_TEST(test_heuristic_status)
{
	ck_assert_int_eq(cache_policy_heuristic_status(heur_rows[_i].status),
	    heur_rows[_i].want);
}
END_TEST

/* Exactly the twelve codes of RFC 9110 §15.1 in 0..999. */
START_TEST(test_heuristic_count)
{
	int	 s, n = 0;

	for (s = 0; s < 1000; s++)
		n += cache_policy_heuristic_status(s);
	ck_assert_int_eq(n, 12);
}
END_TEST

/*
 * cache_policy_storable (RFC 9111 §3, shared cache).  want 0 names the
 * reason returned in *why.
 */
#define GET	EVHTTP_REQ_GET
static const struct {
	const char		*name;
	enum evhttp_cmd_type	 method;
	int			 status;
	const char		*hdrs[HDRS_MAX];
	const char		*req_cc;
	int			 auth;
	int			 want;
	const char		*why;
} store_rows[] = {
	{ "max-age", GET, 200, { "Cache-Control: max-age=60", NULL },
	    NULL, 0, 1, NULL },
	{ "200 heuristic", GET, 200, { NULL }, NULL, 0, 1, NULL },
	{ "HEAD", EVHTTP_REQ_HEAD, 200, { "Cache-Control: max-age=60",
	    NULL }, NULL, 0, 0, "method" },
	{ "POST", EVHTTP_REQ_POST, 200, { "Cache-Control: max-age=60",
	    NULL }, NULL, 0, 0, "method" },
	{ "PUT", EVHTTP_REQ_PUT, 200, { "Cache-Control: public", NULL },
	    NULL, 0, 0, "method" },
	{ "1xx", GET, 100, { "Cache-Control: max-age=60", NULL }, NULL, 0,
	    0, "status not final" },
	{ "206", GET, 206, { "Cache-Control: max-age=60", NULL }, NULL, 0,
	    0, "partial content" },
	{ "304", GET, 304, { "Cache-Control: max-age=60", NULL }, NULL, 0,
	    0, "not modified" },
	{ "unknown 299", GET, 299, { "Cache-Control: max-age=60", NULL },
	    NULL, 0, 0, "status not understood" },
	{ "status 600", GET, 600, { "Cache-Control: max-age=60", NULL },
	    NULL, 0, 0, "status not understood" },
	{ "status 99", GET, 99, { "Cache-Control: max-age=60", NULL },
	    NULL, 0, 0, "status not understood" },
	{ "response no-store", GET, 200, { "Cache-Control: no-store, "
	    "max-age=60", NULL }, NULL, 0, 0, "no-store" },
	{ "request no-store", GET, 200, { "Cache-Control: max-age=60",
	    NULL }, "no-store", 0, 0, "no-store" },
	{ "no-store beats public", GET, 200, { "Cache-Control: public",
	    "Cache-Control: no-store", NULL }, NULL, 0, 0, "no-store" },
	{ "private", GET, 200, { "Cache-Control: private, max-age=60",
	    NULL }, NULL, 0, 0, "private" },
	{ "private=field", GET, 200, { "Cache-Control: max-age=60, "
	    "private=\"Set-Cookie\"", NULL }, NULL, 0, 0, "private" },
	{ "private beats public", GET, 200, { "Cache-Control: public, "
	    "private", NULL }, NULL, 0, 0, "private" },
	{ "auth, max-age", GET, 200, { "Cache-Control: max-age=60", NULL },
	    NULL, 1, 0, "authorization" },
	{ "auth, heuristic", GET, 200, { NULL }, NULL, 1, 0,
	    "authorization" },
	{ "auth, public", GET, 200, { "Cache-Control: public", NULL }, NULL,
	    1, 1, NULL },
	{ "auth, s-maxage", GET, 200, { "Cache-Control: s-maxage=60",
	    NULL }, NULL, 1, 1, NULL },
	{ "auth, must-revalidate", GET, 200, { "Cache-Control: max-age=60, "
	    "must-revalidate", NULL }, NULL, 1, 1, NULL },
	{ "auth, proxy-revalidate", GET, 200, { "Cache-Control: "
	    "proxy-revalidate, max-age=60", NULL }, NULL, 1, 0,
	    "authorization" },
	{ "Vary: *", GET, 200, { "Cache-Control: max-age=60", "Vary: *",
	    NULL }, NULL, 0, 0, "vary *" },
	{ "Vary: * in 2nd field", GET, 200, { "Vary: Accept",
	    "Vary: Accept-Language, *", NULL }, NULL, 0, 0, "vary *" },
	{ "Vary: Accept-Encoding", GET, 200, { "Cache-Control: max-age=60",
	    "Vary: Accept-Encoding", NULL }, NULL, 0, 1, NULL },
	{ "302 nothing", GET, 302, { NULL }, NULL, 0, 0,
	    "no freshness information" },
	{ "302 max-age", GET, 302, { "Cache-Control: max-age=60", NULL },
	    NULL, 0, 1, NULL },
	{ "302 s-maxage", GET, 302, { "Cache-Control: s-maxage=10", NULL },
	    NULL, 0, 1, NULL },
	{ "302 Expires", GET, 302, { "Date: " D_0, "Expires: " D_P1H, NULL },
	    NULL, 0, 1, NULL },
	{ "302 Expires: 0", GET, 302, { "Expires: 0", NULL }, NULL, 0, 1,
	    NULL },
	{ "302 public", GET, 302, { "Cache-Control: public", NULL }, NULL,
	    0, 1, NULL },
	{ "307 validator + no-cache", GET, 307, { "ETag: \"a\"",
	    "Cache-Control: no-cache", NULL }, NULL, 0, 0,
	    "no freshness information" },
	{ "200 validator + no-cache", GET, 200, { "ETag: \"a\"",
	    "Cache-Control: no-cache", NULL }, NULL, 0, 1, NULL },
	{ "200 Pragma: no-cache", GET, 200, { "Pragma: no-cache", NULL },
	    NULL, 0, 1, NULL },
	{ "404 heuristic", GET, 404, { NULL }, NULL, 0, 1, NULL },
	{ "501 heuristic", GET, 501, { NULL }, NULL, 0, 1, NULL },
	{ "201 nothing", GET, 201, { "Last-Modified: " D_M1D, NULL }, NULL, 0,
	    0, "no freshness information" },
	{ "500 nothing", GET, 500, { NULL }, NULL, 0, 0,
	    "no freshness information" },
	{ "500 max-age", GET, 500, { "Cache-Control: max-age=10", NULL },
	    NULL, 0, 1, NULL },
	{ "503 Expires past", GET, 503, { "Date: " D_0, "Expires: " D_M1H,
	    NULL }, NULL, 0, 1, NULL },
	{ "request no-cache, max-age=0", GET, 200, { NULL },
	    "no-cache, max-age=0", 0, 1, NULL },
};

/* One store_rows[] row: the verdict and, if refused, the reason. */
START_TEST(test_storable)
{
	struct cache_meta	 m;
	struct http_cc		 cc;
	const char		*why = NULL;
	int			 got;

	test_meta(store_rows[_i].hdrs, store_rows[_i].status, T0, T0, &m);
	test_req_cc(store_rows[_i].req_cc, &cc);
	got = cache_policy_storable(store_rows[_i].method, &cc,
	    store_rows[_i].auth, &m, &why);
	ck_assert_msg(got == store_rows[_i].want, "%s: got %d (%s)",
	    store_rows[_i].name, got, why != NULL ? why : "-");
	if (store_rows[_i].want == 0)
		ck_assert_str_eq(why, store_rows[_i].why);
}
END_TEST

/* cache_policy_lifetime (RFC 9111 §4.2.1, §4.2.2); response at T0. */
static const struct {
	const char	*name;
	int		 status;
	const char	*hdrs[HDRS_MAX];
	long		 want;
} life_rows[] = {
	{ "max-age", 200, { "Cache-Control: max-age=60", NULL }, 60 },
	{ "s-maxage beats max-age", 200, { "Cache-Control: max-age=60, "
	    "s-maxage=30", NULL }, 30 },
	{ "s-maxage=0 beats max-age", 200, { "Cache-Control: s-maxage=0, "
	    "max-age=60", NULL }, 0 },
	{ "max-age beats Expires", 200, { "Date: " D_0, "Expires: " D_P1D,
	    "Cache-Control: max-age=60", NULL }, 60 },
	{ "s-maxage beats Expires", 200, { "Date: " D_0, "Expires: " D_P1H,
	    "Cache-Control: s-maxage=10", NULL }, 10 },
	{ "max-age=0 beats Expires", 200, { "Date: " D_0, "Expires: " D_P1H,
	    "Cache-Control: max-age=0", NULL }, 0 },
	{ "Expires - Date", 200, { "Date: " D_0, "Expires: " D_P1H, NULL },
	    3600 },
	{ "Expires, no Date", 200, { "Expires: " D_P1H, NULL }, 3600 },
	{ "Expires - Date, origin clock behind", 200, { "Date: " D_M1H,
	    "Expires: " D_P1H, NULL }, 7200 },
	{ "Expires in the past", 200, { "Date: " D_0, "Expires: " D_M1H,
	    NULL }, 0 },
	{ "Expires == Date", 200, { "Date: " D_0, "Expires: " D_0, NULL },
	    0 },
	{ "Expires: 0", 200, { "Date: " D_0, "Expires: 0", NULL }, 0 },
	{ "Expires invalid", 200, { "Expires: -1", NULL }, 0 },
	{ "Expires invalid, no heuristic", 200, { "Expires: 0",
	    "Last-Modified: " D_M10D, NULL }, 0 },
	{ "Expires twice, disagreeing", 200, { "Date: " D_0, "Expires: "
	    D_P1H, "Expires: " D_P1D, NULL }, 0 },
	{ "heuristic 10%", 200, { "Date: " D_0, "Last-Modified: " D_M1D,
	    NULL }, 8640 },
	{ "heuristic at the cap", 200, { "Date: " D_0, "Last-Modified: "
	    D_M10D, NULL }, 86400 },
	{ "heuristic capped", 200, { "Date: " D_0, "Last-Modified: " D_M100D,
	    NULL }, CACHE_HEURISTIC_MAX },
	{ "heuristic, no Date", 404, { "Last-Modified: " D_M1H, NULL }, 360 },
	{ "heuristic, no Last-Modified", 200, { "Date: " D_0, NULL }, 0 },
	{ "heuristic, invalid Last-Modified", 200, { "Date: " D_0,
	    "Last-Modified: never", NULL }, 0 },
	{ "heuristic, Last-Modified ahead", 200, { "Date: " D_0,
	    "Last-Modified: " D_P1H, NULL }, 0 },
	{ "no heuristic for 302", 302, { "Date: " D_0, "Last-Modified: "
	    D_M1D, NULL }, 0 },
	{ "heuristic for public 302", 302, { "Date: " D_0, "Last-Modified: "
	    D_M1D, "Cache-Control: public", NULL }, 8640 },
	{ "nothing", 200, { NULL }, 0 },
	{ "max-age=abc (stale)", 200, { "Cache-Control: max-age=abc",
	    "Expires: " D_P1H, NULL }, 0 },
	{ "max-age huge", 200, { "Cache-Control: max-age=99999999999",
	    NULL }, BIG },
	{ "Pragma does not shorten it", 200, { "Pragma: no-cache",
	    "Date: " D_0, "Expires: " D_P1H, NULL }, 3600 },
};

/* One life_rows[] row. */
START_TEST(test_lifetime)
{
	struct cache_meta	 m;

	test_meta(life_rows[_i].hdrs, life_rows[_i].status, T0, T0, &m);
	ck_assert_msg(cache_policy_lifetime(&m) == life_rows[_i].want,
	    "%s: got %ld, want %ld", life_rows[_i].name,
	    cache_policy_lifetime(&m), life_rows[_i].want);
}
END_TEST

/* cache_policy_age (RFC 9111 §4.2.3). */
static const struct {
	const char	*name;
	const char	*hdrs[HDRS_MAX];
	time_t		 req, resp, now;
	long		 want;
} age_rows[] = {
	{ "nothing, now", { NULL }, T0, T0, T0, 0 },
	{ "resident time only", { NULL }, T0, T0, T0 + 100, 100 },
	{ "Date, resident", { "Date: " D_0, NULL }, T0, T0, T0 + 10, 10 },
	{ "Age header", { "Date: " D_0, "Age: 30", NULL }, T0, T0, T0, 30 },
	{ "Age + response delay", { "Date: " D_0, "Age: 30", NULL }, T0 - 5,
	    T0, T0, 35 },
	{ "Age + delay + resident", { "Date: " D_0, "Age: 30", NULL },
	    T0 - 5, T0, T0 + 10, 45 },
	{ "apparent age (Date behind)", { "Date: " D_M100, NULL }, T0, T0,
	    T0, 100 },
	{ "apparent age beats Age", { "Date: " D_M100, "Age: 30", NULL },
	    T0 - 2, T0, T0, 100 },
	{ "corrected Age beats apparent", { "Date: " D_M10, "Age: 60",
	    NULL }, T0 - 2, T0, T0 + 100, 162 },
	{ "Date ahead (clock skew)", { "Date: " D_P100, NULL }, T0, T0,
	    T0 + 5, 5 },
	{ "Date ahead, Age, delay", { "Date: " D_P1H, "Age: 20", NULL },
	    T0 - 3, T0, T0, 23 },
	{ "no Date: apparent age 0", { "Age: 15", NULL }, T0 - 1, T0,
	    T0 + 4, 20 },
	{ "our clock went back", { "Age: 5", NULL }, T0, T0, T0 - 50, 5 },
	{ "request after response", { "Age: 7", NULL }, T0 + 10, T0, T0, 7 },
	{ "huge Age clamped", { "Age: 99999999999", NULL }, T0, T0, T0 + 9,
	    BIG },
	{ "invalid Age ignored", { "Age: abc", NULL }, T0, T0, T0 + 1, 1 },
	{ "negative Age ignored", { "Age: -50", NULL }, T0, T0, T0, 0 },
	{ "first Age counts", { "Age: 10", "Age: 20", NULL }, T0, T0, T0,
	    10 },
	{ "long resident", { "Date: " D_0, NULL }, T0, T0, T0 + 86400,
	    86400 },
};

/* One age_rows[] row. */
START_TEST(test_age)
{
	struct cache_meta	 m;
	long			 got;

	test_meta(age_rows[_i].hdrs, 200, age_rows[_i].req, age_rows[_i].resp,
	    &m);
	got = cache_policy_age(&m, age_rows[_i].now);
	ck_assert_msg(got == age_rows[_i].want, "%s: got %ld, want %ld",
	    age_rows[_i].name, got, age_rows[_i].want);
}
END_TEST

/* cache_policy_age never overflows, whatever the times. */
START_TEST(test_age_extremes)
{
	struct cache_meta	 m;
	const char		*none[] = { NULL };

	test_meta(none, 200, 0, 0, &m);
	m.age = BIG;
	m.request_time = -BIG * 1000;
	ck_assert_int_eq(cache_policy_age(&m, (time_t)BIG * 1000), BIG);
	m.age = -1;
	m.request_time = 0;
	m.date = (time_t)BIG * 1000;
	ck_assert_int_eq(cache_policy_age(&m, 0), 0);
}
END_TEST

#define FRESH	CACHE_FRESH
#define SERVE	CACHE_STALE_SERVE
#define REVAL	CACHE_REVALIDATE
#define MA60	"Cache-Control: max-age=60"

/* cache_policy_freshness (RFC 9111 §4, §5.2; RFC 5861 §3). */
static const struct {
	const char		*name;
	int			 status;
	const char		*hdrs[HDRS_MAX];
	const char		*req_cc;
	time_t			 req, resp, now;
	enum cache_fresh	 want;
	int			 swr;
} fresh_rows[] = {
	{ "fresh", 200, { MA60, NULL }, NULL, 0, 0, T0 + 10, FRESH, 0 },
	{ "last fresh second", 200, { MA60, NULL }, NULL, 0, 0, T0 + 59,
	    FRESH, 0 },
	{ "age == lifetime is stale", 200, { MA60, NULL }, NULL, 0, 0,
	    T0 + 60, REVAL, 0 },
	{ "no lifetime", 200, { NULL }, NULL, 0, 0, T0, REVAL, 0 },
	{ "response no-cache", 200, { "Cache-Control: no-cache, max-age=60",
	    NULL }, NULL, 0, 0, T0 + 1, REVAL, 0 },
	{ "response Pragma: no-cache", 200, { "Pragma: no-cache",
	    "Expires: " D_P1H, NULL }, NULL, 0, 0, T0 + 1, REVAL, 0 },
	{ "request no-cache", 200, { MA60, NULL }, "no-cache", 0, 0, T0 + 1,
	    REVAL, 0 },
	{ "request max-age exceeded", 200, { MA60, NULL }, "max-age=5", 0, 0,
	    T0 + 10, REVAL, 0 },
	{ "request max-age met", 200, { MA60, NULL }, "max-age=10", 0, 0,
	    T0 + 10, FRESH, 0 },
	{ "request max-age=0, age 0", 200, { MA60, NULL }, "max-age=0", 0, 0,
	    T0, FRESH, 0 },
	{ "request max-age=0, age 1", 200, { MA60, NULL }, "max-age=0", 0, 0,
	    T0 + 1, REVAL, 0 },
	{ "request max-age beats max-stale", 200, { MA60, NULL },
	    "max-age=30, max-stale", 0, 0, T0 + 70, REVAL, 0 },
	{ "min-fresh met", 200, { MA60, NULL }, "min-fresh=30", 0, 0, T0 + 20,
	    FRESH, 0 },
	{ "min-fresh exactly", 200, { MA60, NULL }, "min-fresh=30", 0, 0,
	    T0 + 30, FRESH, 0 },
	{ "min-fresh not met", 200, { MA60, NULL }, "min-fresh=30", 0, 0,
	    T0 + 31, REVAL, 0 },
	{ "min-fresh beats max-stale", 200, { MA60, NULL },
	    "min-fresh=10, max-stale=100", 0, 0, T0 + 70, REVAL, 0 },
	{ "max-stale within", 200, { MA60, NULL }, "max-stale=30", 0, 0,
	    T0 + 80, SERVE, 0 },
	{ "max-stale at the limit", 200, { MA60, NULL }, "max-stale=30", 0, 0,
	    T0 + 90, SERVE, 0 },
	{ "max-stale exceeded", 200, { MA60, NULL }, "max-stale=30", 0, 0,
	    T0 + 91, REVAL, 0 },
	{ "max-stale without value", 200, { MA60, NULL }, "max-stale", 0, 0,
	    T0 + 1000000, SERVE, 0 },
	{ "max-stale vs must-revalidate", 200, { "Cache-Control: max-age=60, "
	    "must-revalidate", NULL }, "max-stale", 0, 0, T0 + 70, REVAL, 0 },
	{ "max-stale vs proxy-revalidate", 200, { "Cache-Control: "
	    "max-age=60, proxy-revalidate", NULL }, "max-stale", 0, 0,
	    T0 + 70, REVAL, 0 },
	{ "max-stale vs s-maxage", 200, { "Cache-Control: s-maxage=60",
	    NULL }, "max-stale", 0, 0, T0 + 70, REVAL, 0 },
	{ "max-stale vs response no-cache", 200, { "Cache-Control: "
	    "no-cache, max-age=60", NULL }, "max-stale", 0, 0, T0 + 70,
	    REVAL, 0 },
	{ "must-revalidate while fresh", 200, { "Cache-Control: max-age=60, "
	    "must-revalidate", NULL }, NULL, 0, 0, T0 + 10, FRESH, 0 },
	{ "s-maxage beats max-age=0", 200, { "Cache-Control: max-age=0, "
	    "s-maxage=60", NULL }, NULL, 0, 0, T0 + 30, FRESH, 0 },
	{ "swr within", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30", NULL }, NULL, 0, 0, T0 + 70,
	    SERVE, 1 },
	{ "swr at the limit", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30", NULL }, NULL, 0, 0, T0 + 90,
	    SERVE, 1 },
	{ "swr exceeded", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30", NULL }, NULL, 0, 0, T0 + 91,
	    REVAL, 0 },
	{ "swr while fresh", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30", NULL }, NULL, 0, 0, T0 + 10,
	    FRESH, 0 },
	{ "swr vs must-revalidate", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30, must-revalidate", NULL }, NULL, 0, 0,
	    T0 + 70, REVAL, 0 },
	{ "swr vs s-maxage", 200, { "Cache-Control: s-maxage=60, "
	    "stale-while-revalidate=30", NULL }, NULL, 0, 0, T0 + 70,
	    REVAL, 0 },
	{ "swr vs request no-cache", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30", NULL }, "no-cache", 0, 0, T0 + 70,
	    REVAL, 0 },
	{ "swr vs request max-age", 200, { "Cache-Control: max-age=60, "
	    "stale-while-revalidate=30", NULL }, "max-age=5", 0, 0, T0 + 70,
	    REVAL, 0 },
	{ "swr and max-stale: refresh behind", 200, { "Cache-Control: "
	    "max-age=60, stale-while-revalidate=30", NULL }, "max-stale=100",
	    0, 0, T0 + 70, SERVE, 1 },
	{ "max-stale past the swr window", 200, { "Cache-Control: "
	    "max-age=60, stale-while-revalidate=30", NULL }, "max-stale=100",
	    0, 0, T0 + 120, SERVE, 0 },
	{ "stale-if-error is not max-stale", 200, { "Cache-Control: "
	    "max-age=60, stale-if-error=600", NULL }, NULL, 0, 0, T0 + 70,
	    REVAL, 0 },
	{ "Expires fresh", 200, { "Date: " D_0, "Expires: " D_P1H, NULL },
	    NULL, 0, 0, T0 + 3599, FRESH, 0 },
	{ "Expires reached", 200, { "Date: " D_0, "Expires: " D_P1H, NULL },
	    NULL, 0, 0, T0 + 3600, REVAL, 0 },
	{ "Expires: 0", 200, { "Expires: 0", NULL }, NULL, 0, 0, T0, REVAL,
	    0 },
	{ "heuristic fresh", 200, { "Date: " D_0, "Last-Modified: " D_M10D,
	    NULL }, NULL, 0, 0, T0 + 86399, FRESH, 0 },
	{ "heuristic stale", 200, { "Date: " D_0, "Last-Modified: " D_M10D,
	    NULL }, NULL, 0, 0, T0 + 86400, REVAL, 0 },
	{ "Age counts", 200, { "Age: 50", MA60, NULL }, NULL, 0, 0, T0 + 5,
	    FRESH, 0 },
	{ "Age makes it stale", 200, { "Age: 50", MA60, NULL }, NULL, 0, 0,
	    T0 + 10, REVAL, 0 },
	{ "apparent age makes it stale", 200, { "Date: " D_M100, MA60, NULL },
	    NULL, 0, 0, T0, REVAL, 0 },
	{ "response delay counts", 200, { "Age: 55", MA60, NULL }, NULL,
	    T0 - 5, T0, T0, REVAL, 0 },
	{ "immutable changes nothing", 200, { "Cache-Control: max-age=60, "
	    "immutable", NULL }, NULL, 0, 0, T0 + 60, REVAL, 0 },
};

/* One fresh_rows[] row: the decision and *swr. */
START_TEST(test_freshness)
{
	struct cache_meta	 m;
	struct http_cc		 cc;
	enum cache_fresh	 got;
	int			 swr = -1;

	test_meta(fresh_rows[_i].hdrs, fresh_rows[_i].status,
	    test_time(fresh_rows[_i].req), test_time(fresh_rows[_i].resp), &m);
	test_req_cc(fresh_rows[_i].req_cc, &cc);
	got = cache_policy_freshness(&m, &cc, fresh_rows[_i].now, &swr);
	ck_assert_msg(got == fresh_rows[_i].want, "%s: got %d, want %d",
	    fresh_rows[_i].name, (int)got, (int)fresh_rows[_i].want);
	ck_assert_msg(swr == fresh_rows[_i].swr, "%s: swr %d",
	    fresh_rows[_i].name, swr);
}
END_TEST

/* cache_policy_stale_if_error (RFC 5861 §4; RFC 9111 §4.2.4). */
static const struct {
	const char	*name;
	const char	*hdrs[HDRS_MAX];
	const char	*req_cc;
	time_t		 now;
	int		 want;
} sie_rows[] = {
	{ "response window", { "Cache-Control: max-age=60, "
	    "stale-if-error=300", NULL }, NULL, T0 + 100, 1 },
	{ "response window, limit", { "Cache-Control: max-age=60, "
	    "stale-if-error=300", NULL }, NULL, T0 + 360, 1 },
	{ "response window exceeded", { "Cache-Control: max-age=60, "
	    "stale-if-error=300", NULL }, NULL, T0 + 361, 0 },
	{ "no directive", { MA60, NULL }, NULL, T0 + 100, 0 },
	{ "no directive, still fresh", { MA60, NULL }, NULL, T0 + 10, 0 },
	{ "still fresh", { "Cache-Control: max-age=60, stale-if-error=0",
	    NULL }, NULL, T0 + 10, 1 },
	{ "request window", { MA60, NULL }, "stale-if-error=100", T0 + 100,
	    1 },
	{ "request window exceeded", { MA60, NULL }, "stale-if-error=10",
	    T0 + 100, 0 },
	{ "either window", { "Cache-Control: max-age=60, "
	    "stale-if-error=300", NULL }, "stale-if-error=10", T0 + 100, 1 },
	{ "vs must-revalidate", { "Cache-Control: max-age=60, "
	    "stale-if-error=300, must-revalidate", NULL }, NULL, T0 + 100,
	    0 },
	{ "vs proxy-revalidate", { "Cache-Control: max-age=60, "
	    "stale-if-error=300, proxy-revalidate", NULL }, NULL, T0 + 100,
	    0 },
	{ "vs s-maxage", { "Cache-Control: s-maxage=60, "
	    "stale-if-error=300", NULL }, NULL, T0 + 100, 0 },
	{ "vs response no-cache", { "Cache-Control: no-cache, "
	    "stale-if-error=300", NULL }, NULL, T0 + 100, 0 },
	{ "request window vs must-revalidate", { "Cache-Control: max-age=60, "
	    "must-revalidate", NULL }, "stale-if-error=100", T0 + 100, 0 },
	{ "request no-cache does not forbid", { "Cache-Control: max-age=60, "
	    "stale-if-error=300", NULL }, "no-cache", T0 + 100, 1 },
	{ "Expires: 0", { "Expires: 0", "Cache-Control: stale-if-error=60",
	    NULL }, NULL, T0 + 30, 1 },
};

/* One sie_rows[] row. */
START_TEST(test_stale_if_error)
{
	struct cache_meta	 m;
	struct http_cc		 cc;
	int			 got;

	test_meta(sie_rows[_i].hdrs, 200, T0, T0, &m);
	test_req_cc(sie_rows[_i].req_cc, &cc);
	got = cache_policy_stale_if_error(&m, &cc, sie_rows[_i].now);
	ck_assert_msg(got == sie_rows[_i].want, "%s: got %d",
	    sie_rows[_i].name, got);
}
END_TEST

/*
 * The record format.  The tests compute the CRC-32 bit by bit, apart
 * from the table in cache_record.c.
 */
static uint32_t
test_crc32(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint32_t		 crc = 0xffffffffU;
	int			 k;

	while (len-- > 0) {
		crc ^= *s++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return (~crc);
}

/* The check value of CRC-32/ISO-HDLC, for the helper itself. */
START_TEST(test_crc_helper)
{
	ck_assert_uint_eq(test_crc32("123456789", 9), 0xcbf43926U);
	ck_assert_uint_eq(test_crc32("", 0), 0);
}
END_TEST

/* Appends a header to q as is (evhttp_add_header refuses some). */
static void
test_hdr_raw(struct evkeyvalq *q, const char *name, const char *value)
{
	struct evkeyval	*kv;

	ck_assert_ptr_nonnull(kv = calloc(1, sizeof(*kv)));
	ck_assert_ptr_nonnull(kv->key = strdup(name));
	ck_assert_ptr_nonnull(kv->value = strdup(value));
	TAILQ_INSERT_TAIL(q, kv, next);
}

/* Sets rec from the given fields; headers are "Name: value" strings. */
static void
test_rec_fill(struct cache_record *rec, const char *key, const char *vary,
    int status, const char *reason, time_t req, time_t resp,
    uint64_t body_len, const char *const *hdrs)
{
	const char	*colon;
	char		 name[128];
	size_t		 n;

	cache_record_init(rec);
	if (key != NULL)
		ck_assert_ptr_nonnull(rec->key = strdup(key));
	if (vary != NULL)
		ck_assert_ptr_nonnull(rec->vary_key = strdup(vary));
	if (reason != NULL)
		ck_assert_ptr_nonnull(rec->reason = strdup(reason));
	rec->status = status;
	rec->request_time = req;
	rec->response_time = resp;
	rec->body_len = body_len;
	for (; hdrs != NULL && *hdrs != NULL; hdrs++) {
		colon = strchr(*hdrs, ':');
		ck_assert_ptr_nonnull(colon);
		n = (size_t)(colon - *hdrs);
		ck_assert_uint_lt(n, sizeof(name));
		memcpy(name, *hdrs, n);
		name[n] = '\0';
		test_hdr_raw(&rec->headers, name, colon + 2);
	}
}

/* Checks the fixed first line of an encoding of hlen header bytes. */
static void
test_check_prefix(const char *p, size_t total)
{
	char	 want[64];
	size_t	 hlen = total - CACHE_RECORD_PREFIX;

	ck_assert_uint_ge(total, CACHE_RECORD_PREFIX);
	snprintf(want, sizeof(want), "EVPC1 %010zu %08" PRIx32 "\n", hlen,
	    test_crc32(p + CACHE_RECORD_PREFIX, hlen));
	ck_assert_int_eq(memcmp(p, want, CACHE_RECORD_PREFIX), 0);
}

/* Records that must survive encode -> decode unchanged. */
static const struct {
	const char	*name;
	const char	*key, *vary;
	int		 status;
	const char	*reason;
	time_t		 req, resp;
	uint64_t	 body_len;
	const char	*hdrs[HDRS_MAX];
} rt_rows[] = {
	{ "several headers, empty vary, UTF-8", "http://example.com/a", "",
	    200, "OK", T0 - 1, T0, 5, { "Content-Type: text/plain",
	    "ETag: \"abc\"", "Set-Cookie: a=1", "Set-Cookie: b=2",
	    "X-Utf8: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	    "Cache-Control: max-age=60, public", NULL } },
	{ "vary key, no headers", "http://example.com:8080/b?q=1",
	    "accept-encoding=gzip", 404, "Not Found", T0, T0, 0, { NULL } },
	{ "empty reason, large body, UTF-8 key", "http://example.com/\xc3\xa9",
	    "", 599, "", T0, T0 + 1, (uint64_t)1 << 40,
	    { "Content-Length: 1099511627776", NULL } },
	{ "odd values", "http://[::1]/x", "a=b c=d", 100, "Continue, kind of",
	    -1, 0, 17, { "X-Empty: ", "X-Colon: a: b: c", "X-Lead:   spaces",
	    "X-Tab: a\tb", "X-Ctl: \x01\x7f", NULL } },
	{ "max body length", "k", "", 204, "No Content", 0, 0,
	    UINT64_MAX - 4096, { NULL } },
};

/* One rt_rows[] record: encode, check the bytes, decode, compare. */
START_TEST(test_record_roundtrip)
{
	struct cache_record	 rec, got;
	struct evbuffer		*b;
	const struct evkeyval	*a, *c;
	const char		*why = NULL, *p, *f;
	long			 n;
	size_t			 len, i;
	uint64_t		 size;

	test_rec_fill(&rec, rt_rows[_i].key, rt_rows[_i].vary,
	    rt_rows[_i].status, rt_rows[_i].reason, rt_rows[_i].req,
	    rt_rows[_i].resp, rt_rows[_i].body_len, rt_rows[_i].hdrs);
	ck_assert_ptr_nonnull(b = evbuffer_new());
	ck_assert_int_eq(evbuffer_add(b, "x", 1), 0);	/* appends */
	n = cache_record_encode(&rec, b);
	ck_assert_int_gt(n, CACHE_RECORD_PREFIX);
	len = evbuffer_get_length(b);
	ck_assert_uint_eq(len, (size_t)n + 1);
	p = (const char *)evbuffer_pullup(b, -1) + 1;
	test_check_prefix(p, (size_t)n);
	/* the body-length field has a fixed width */
	ck_assert_ptr_nonnull(f = memmem(p, (size_t)n, "\nbody-length ", 13));
	ck_assert_int_eq(strspn(f + 13, "0123456789"), 20);
	ck_assert_int_eq(f[33], '\n');

	size = (uint64_t)n + rt_rows[_i].body_len;
	cache_record_init(&got);
	ck_assert_int_eq(cache_record_decode(p, (size_t)n, size, &got, &why),
	    n);
	ck_assert_str_eq(got.key, rt_rows[_i].key);
	ck_assert_str_eq(got.vary_key, rt_rows[_i].vary);
	ck_assert_int_eq(got.status, rt_rows[_i].status);
	ck_assert_str_eq(got.reason, rt_rows[_i].reason);
	ck_assert_int_eq(got.request_time, rt_rows[_i].req);
	ck_assert_int_eq(got.response_time, rt_rows[_i].resp);
	ck_assert_uint_eq(got.body_len, rt_rows[_i].body_len);
	a = TAILQ_FIRST(&rec.headers);
	TAILQ_FOREACH(c, &got.headers, next) {
		ck_assert_ptr_nonnull(a);
		ck_assert_str_eq(c->key, a->key);
		ck_assert_str_eq(c->value, a->value);
		a = TAILQ_NEXT(a, next);
	}
	ck_assert_ptr_null(a);

	/* reading less than the header asks for more */
	for (i = 0; i < (size_t)n; i++) {
		cache_record_clear(&got);
		ck_assert_int_eq(cache_record_decode(p, i, size, &got, &why),
		    0);
		ck_assert_ptr_null(got.key);
	}
	cache_record_clear(&got);

	/* the same header length whatever the body length */
	rec.body_len = rt_rows[_i].body_len == 0 ? UINT64_MAX : 0;
	evbuffer_drain(b, len);
	ck_assert_int_eq(cache_record_encode(&rec, b), n);
	evbuffer_free(b);
	cache_record_clear(&rec);
	ck_assert_ptr_null(rec.key);
	ck_assert(TAILQ_EMPTY(&rec.headers));
}
END_TEST

/* The exact bytes of the example in cache_record.c (zlib's CRC agrees). */
START_TEST(test_record_bytes)
{
	static const char	*hdrs[] = { "Content-Type: text/plain", NULL };
	static const char	 want[] =
	    "EVPC1 0000000165 3bab6de3\n"
	    "key http://example.com/a\n"
	    "vary \n"
	    "status 200\n"
	    "reason OK\n"
	    "request-time 1700000000\n"
	    "response-time 1700000001\n"
	    "body-length 00000000000000000005\n"
	    "h Content-Type: text/plain\n"
	    "end\n";
	struct cache_record	 rec;
	struct evbuffer		*b;
	long			 n;

	/* a NULL vary_key is written as the empty one */
	test_rec_fill(&rec, "http://example.com/a", NULL, 200, "OK", T0,
	    T0 + 1, 5, hdrs);
	ck_assert_ptr_nonnull(b = evbuffer_new());
	n = cache_record_encode(&rec, b);
	ck_assert_int_eq(n, sizeof(want) - 1);
	ck_assert_uint_eq(evbuffer_get_length(b), sizeof(want) - 1);
	ck_assert_int_eq(memcmp(evbuffer_pullup(b, -1), want,
	    sizeof(want) - 1), 0);
	evbuffer_free(b);
	cache_record_clear(&rec);
}
END_TEST

/*
 * Records encode must refuse (decode could not read them back): out is
 * left as it was.
 */
enum { BAD_NONE, BAD_KEY, BAD_VARY, BAD_REASON, BAD_NAME, BAD_VALUE,
    BAD_STATUS, BAD_HUGE };
static const struct {
	const char	*name;
	int		 what;
	const char	*s;
	int		 status;
} enc_rows[] = {
	{ "no key", BAD_KEY, NULL, 200 },
	{ "empty key", BAD_KEY, "", 200 },
	{ "LF in key", BAD_KEY, "http://a/\nstatus 200", 200 },
	{ "CR in key", BAD_KEY, "http://a/\r", 200 },
	{ "LF in vary", BAD_VARY, "a=1\nb=2", 200 },
	{ "CR in reason", BAD_REASON, "OK\r", 200 },
	{ "LF in reason", BAD_REASON, "OK\nend", 200 },
	{ "LF in a value", BAD_VALUE, "a\n b", 200 },
	{ "CRLF in a value", BAD_VALUE, "a\r\n\tb", 200 },
	{ "space in a name", BAD_NAME, "X Y", 200 },
	{ "colon in a name", BAD_NAME, "X:Y", 200 },
	{ "empty name", BAD_NAME, "", 200 },
	{ "status 99", BAD_STATUS, NULL, 99 },
	{ "status 600", BAD_STATUS, NULL, 600 },
	{ "header over CACHE_RECORD_MAX", BAD_HUGE, NULL, 200 },
};

/* One enc_rows[] row: encode fails and leaves out alone. */
START_TEST(test_record_encode_refuses)
{
	struct cache_record	 rec;
	struct evbuffer		*b;
	char			*huge;
	const char		*what = enc_rows[_i].s;
	int			 w = enc_rows[_i].what;

	test_rec_fill(&rec, w == BAD_KEY ? what : "http://a/",
	    w == BAD_VARY ? what : "", enc_rows[_i].status,
	    w == BAD_REASON ? what : "OK", T0, T0, 0, NULL);
	if (w == BAD_NAME)
		test_hdr_raw(&rec.headers, what, "v");
	if (w == BAD_VALUE)
		test_hdr_raw(&rec.headers, "X-A", what);
	if (w == BAD_HUGE) {
		ck_assert_ptr_nonnull(huge = malloc(CACHE_RECORD_MAX + 1));
		memset(huge, 'a', CACHE_RECORD_MAX);
		huge[CACHE_RECORD_MAX] = '\0';
		test_hdr_raw(&rec.headers, "X-Big", huge);
		free(huge);
	}
	ck_assert_ptr_nonnull(b = evbuffer_new());
	ck_assert_int_eq(evbuffer_add(b, "keep", 4), 0);
	ck_assert_msg(cache_record_encode(&rec, b) == -1, "%s",
	    enc_rows[_i].name);
	ck_assert_uint_eq(evbuffer_get_length(b), 4);
	evbuffer_free(b);
	cache_record_clear(&rec);
}
END_TEST

/* A header just under CACHE_RECORD_MAX is fine. */
START_TEST(test_record_near_max)
{
	struct cache_record	 rec, got;
	struct evbuffer		*b;
	char			*big;
	const char		*why;
	long			 n;
	size_t			 blen = CACHE_RECORD_MAX - 200;

	test_rec_fill(&rec, "http://a/", "", 200, "OK", T0, T0, 0, NULL);
	ck_assert_ptr_nonnull(big = malloc(blen + 1));
	memset(big, 'b', blen);
	big[blen] = '\0';
	test_hdr_raw(&rec.headers, "X-Big", big);
	ck_assert_ptr_nonnull(b = evbuffer_new());
	n = cache_record_encode(&rec, b);
	ck_assert_int_gt(n, (long)blen);
	ck_assert_int_le(n, (long)(CACHE_RECORD_PREFIX + CACHE_RECORD_MAX));
	cache_record_init(&got);
	ck_assert_int_eq(cache_record_decode((const char *)evbuffer_pullup(b,
	    -1), (size_t)n, (uint64_t)n, &got, &why), n);
	ck_assert_str_eq(evhttp_find_header(&got.headers, "X-Big"), big);
	free(big);
	evbuffer_free(b);
	cache_record_clear(&got);
	cache_record_clear(&rec);
}
END_TEST

/*
 * Damaged files, made from a good one (header + "hello").  Positions are
 * from an anchor: the start, the end of the header (H) or of the file
 * (F).  FLIP inverts one byte; SET overwrites bytes; CUT makes the file
 * that long; READ passes that many bytes of the whole file; GROW makes
 * file_size that much larger; LEN sets the length field to H + off;
 * RAW decodes s itself as the whole file.
 */
enum { K_FLIP, K_SET, K_CUT, K_READ, K_GROW, K_LEN, K_RAW };
enum { A_START, A_HDR, A_FILE };
#define OK_HDR	(-100)			/* want: the header length */
#define FLIP(pos, why)	{ "flip prefix byte " #pos, K_FLIP, A_START, pos, \
			    NULL, -1, why }
static const struct {
	const char	*name;
	int		 kind, anchor;
	long		 off;
	const char	*s;
	long		 want;
	const char	*why;
} bad_rows[] = {
	FLIP(0, "bad magic"), FLIP(1, "bad magic"), FLIP(2, "bad magic"),
	FLIP(3, "bad magic"), FLIP(4, "bad magic"), FLIP(5, "malformed"),
	FLIP(6, "malformed"), FLIP(7, "malformed"), FLIP(8, "malformed"),
	FLIP(9, "malformed"), FLIP(10, "malformed"), FLIP(11, "malformed"),
	FLIP(12, "malformed"), FLIP(13, "malformed"), FLIP(14, "malformed"),
	FLIP(15, "malformed"), FLIP(16, "malformed"), FLIP(17, "malformed"),
	FLIP(18, "malformed"), FLIP(19, "malformed"), FLIP(20, "malformed"),
	FLIP(21, "malformed"), FLIP(22, "malformed"), FLIP(23, "malformed"),
	FLIP(24, "malformed"), FLIP(25, "malformed"),
	/* the header is covered by the CRC, the body is not */
	{ "flip first header byte", K_FLIP, A_START, CACHE_RECORD_PREFIX,
	    NULL, -1, "checksum mismatch" },
	{ "flip last header byte", K_FLIP, A_HDR, -1, NULL, -1,
	    "checksum mismatch" },
	{ "flip a body byte", K_FLIP, A_HDR, 2, NULL, OK_HDR, NULL },
	{ "CRC 00000000", K_SET, A_START, 17, "00000000", -1,
	    "checksum mismatch" },
	{ "CRC ffffffff", K_SET, A_START, 17, "ffffffff", -1,
	    "checksum mismatch" },
	{ "CRC in upper case", K_SET, A_START, 17, "A", -1, "malformed" },
	{ "version 2", K_SET, A_START, 0, "EVPC2", -1, "wrong version" },
	{ "version 0", K_SET, A_START, 0, "EVPC0", -1, "wrong version" },
	{ "version 9", K_SET, A_START, 4, "9", -1, "wrong version" },
	{ "version 12", K_SET, A_START, 4, "12", -1, "wrong version" },
	{ "magic evpc", K_SET, A_START, 0, "evpc", -1, "bad magic" },
	{ "length 9999999999", K_SET, A_START, 6, "9999999999", -1,
	    "malformed" },
	{ "length over CACHE_RECORD_MAX", K_SET, A_START, 6, "0000262145",
	    -1, "malformed" },
	{ "length with a sign", K_SET, A_START, 6, "-", -1, "malformed" },
	{ "length 0", K_SET, A_START, 6, "0000000000", -1,
	    "checksum mismatch" },
	{ "length one short", K_LEN, A_HDR, -1, NULL, -1,
	    "checksum mismatch" },
	{ "length one long", K_LEN, A_HDR, 1, NULL, -1, "checksum mismatch" },
	{ "length past the file", K_LEN, A_HDR, 6, NULL, -1, "truncated" },
	/* the file itself is short */
	{ "empty file", K_CUT, A_START, 0, NULL, -1, "truncated" },
	{ "cut to 1", K_CUT, A_START, 1, NULL, -1, "truncated" },
	{ "cut to 25", K_CUT, A_START, 25, NULL, -1, "truncated" },
	{ "cut to the prefix", K_CUT, A_START, CACHE_RECORD_PREFIX, NULL, -1,
	    "truncated" },
	{ "cut in the header", K_CUT, A_START, 60, NULL, -1, "truncated" },
	{ "cut before end", K_CUT, A_HDR, -1, NULL, -1, "truncated" },
	{ "cut after the header", K_CUT, A_HDR, 0, NULL, -1, "truncated" },
	{ "cut in the body", K_CUT, A_FILE, -1, NULL, -1, "truncated" },
	{ "longer than declared", K_GROW, A_FILE, 1, NULL, -1, "too long" },
	{ "much longer", K_GROW, A_FILE, 1 << 20, NULL, -1, "too long" },
	/* a short read of a whole file: read more */
	{ "read 0", K_READ, A_START, 0, NULL, 0, NULL },
	{ "read 4", K_READ, A_START, 4, NULL, 0, NULL },
	{ "read 25", K_READ, A_START, 25, NULL, 0, NULL },
	{ "read the prefix", K_READ, A_START, CACHE_RECORD_PREFIX, NULL, 0,
	    NULL },
	{ "read all but one", K_READ, A_HDR, -1, NULL, 0, NULL },
	{ "read the header", K_READ, A_HDR, 0, NULL, OK_HDR, NULL },
	{ "read everything", K_READ, A_FILE, 0, NULL, OK_HDR, NULL },
	/* ... but a foreign file is known at once */
	{ "read 3 of a GIF", K_RAW, A_START, 3, "GIF89a\x01\x00\x01\x00"
	    "\x80\x00\x00\xff\xff\xff\x00\x00\x00\x21\xf9\x04\x01\x00\x00"
	    "\x00\x00\x2c", -1, "bad magic" },
	{ "GIF", K_RAW, A_START, 0, "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff"
	    "\xff\xff\x00\x00\x00\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00",
	    -1, "bad magic" },
	{ "text file", K_RAW, A_START, 0, "hello, world, this is not ours\n",
	    -1, "bad magic" },
	{ "raw empty file", K_RAW, A_START, 0, "", -1, "truncated" },
	{ "a short EVPC file", K_RAW, A_START, 0, "EVPC1 00", -1,
	    "truncated" },
	{ "a newer version", K_RAW, A_START, 0,
	    "EVPC2 0000000004 00000000\nend\n", -1, "wrong version" },
};

/* One bad_rows[] row: damage the good file, then decode it. */
START_TEST(test_record_damaged)
{
	static const char	*hdrs[] = { "Content-Type: text/plain",
				    "ETag: \"v1\"", NULL };
	struct cache_record	 rec, got;
	struct evbuffer		*b;
	char			*buf, num[16];
	const char		*why = NULL;
	size_t			 hdr_len, file_len, pos, len;
	uint64_t		 size;
	long			 n, want, anchor[3];

	/* the good file: header + "hello" */
	test_rec_fill(&rec, "http://example.com/a", "", 200, "OK", T0 - 1,
	    T0, 5, hdrs);
	ck_assert_ptr_nonnull(b = evbuffer_new());
	n = cache_record_encode(&rec, b);
	ck_assert_int_gt(n, 60);
	ck_assert_int_eq(evbuffer_add(b, "hello", 5), 0);
	hdr_len = (size_t)n;
	file_len = hdr_len + 5;
	ck_assert_ptr_nonnull(buf = malloc(file_len + 64));
	memcpy(buf, evbuffer_pullup(b, -1), file_len);
	evbuffer_free(b);
	cache_record_clear(&rec);

	anchor[A_START] = 0;
	anchor[A_HDR] = (long)hdr_len;
	anchor[A_FILE] = (long)file_len;
	pos = (size_t)(anchor[bad_rows[_i].anchor] + bad_rows[_i].off);
	len = file_len;
	size = file_len;
	switch (bad_rows[_i].kind) {
	case K_FLIP:
		buf[pos] = (char)~buf[pos];
		break;
	case K_SET:
		memcpy(buf + pos, bad_rows[_i].s, strlen(bad_rows[_i].s));
		break;
	case K_CUT:
		len = size = pos;
		break;
	case K_READ:
		len = pos;
		break;
	case K_GROW:
		size += (uint64_t)bad_rows[_i].off;
		break;
	case K_LEN:
		snprintf(num, sizeof(num), "%010ld",
		    (long)(pos - CACHE_RECORD_PREFIX));
		memcpy(buf + 6, num, 10);
		break;
	case K_RAW:
		size = strlen(bad_rows[_i].s);
		len = bad_rows[_i].off > 0 ? (size_t)bad_rows[_i].off :
		    (size_t)size;
		memcpy(buf, bad_rows[_i].s, (size_t)size);
		break;
	}
	want = bad_rows[_i].want == OK_HDR ? (long)hdr_len : bad_rows[_i].want;
	cache_record_init(&got);
	n = cache_record_decode(buf, len, size, &got, &why);
	ck_assert_msg(n == want, "%s: got %ld (%s), want %ld",
	    bad_rows[_i].name, n, n == -1 ? why : "-", want);
	if (n == -1)
		ck_assert_str_eq(why, bad_rows[_i].why);
	if (n <= 0) {
		/* nothing is left behind in rec */
		ck_assert_ptr_null(got.key);
		ck_assert_ptr_null(got.vary_key);
		ck_assert_ptr_null(got.reason);
		ck_assert(TAILQ_EMPTY(&got.headers));
	} else
		ck_assert_str_eq(got.key, "http://example.com/a");
	cache_record_clear(&got);
	free(buf);
}
END_TEST

/*
 * Headers with a valid prefix and CRC but wrong contents.  body is the
 * number of body bytes the file has after the header; len, when not 0,
 * is the header's length (for NUL bytes).
 */
#define H_KEY	"key http://example.com/a\n"
#define H_VARY	"vary \n"
#define H_STAT	"status 200\n"
#define H_REAS	"reason OK\n"
#define H_REQ	"request-time 1700000000\n"
#define H_RESP	"response-time 1700000001\n"
#define H_BODY	"body-length 5\n"
#define H_ALL	H_KEY H_VARY H_STAT H_REAS H_REQ H_RESP H_BODY
#define H_END	"end\n"
static const struct {
	const char	*name;
	const char	*text;
	size_t		 len;
	uint64_t	 body;
	const char	*why;		/* NULL: decodes */
} hdr_rows[] = {
	{ "minimal", H_ALL H_END, 0, 5, NULL },
	{ "any field order", H_BODY H_RESP H_REQ H_REAS H_STAT H_VARY H_KEY
	    H_END, 0, 5, NULL },
	{ "stored headers anywhere", "h A: 1\n" H_KEY H_VARY "h B: 2\n"
	    H_STAT H_REAS H_REQ H_RESP H_BODY "h C: \n" H_END, 0, 5, NULL },
	{ "negative time", H_KEY H_VARY H_STAT H_REAS "request-time -1\n"
	    H_RESP H_BODY H_END, 0, 5, NULL },
	{ "body-length longest", H_KEY H_VARY H_STAT H_REAS H_REQ H_RESP
	    "body-length 18446744073709551615\n" H_END, 0, 5, "truncated" },
	{ "body longer", H_ALL H_END, 0, 6, "too long" },
	{ "body shorter", H_ALL H_END, 0, 4, "truncated" },
	{ "no key", H_VARY H_STAT H_REAS H_REQ H_RESP H_BODY H_END, 0, 5,
	    "malformed" },
	{ "no vary", H_KEY H_STAT H_REAS H_REQ H_RESP H_BODY H_END, 0, 5,
	    "malformed" },
	{ "no status", H_KEY H_VARY H_REAS H_REQ H_RESP H_BODY H_END, 0, 5,
	    "malformed" },
	{ "no reason", H_KEY H_VARY H_STAT H_REQ H_RESP H_BODY H_END, 0, 5,
	    "malformed" },
	{ "no request-time", H_KEY H_VARY H_STAT H_REAS H_RESP H_BODY H_END,
	    0, 5, "malformed" },
	{ "no response-time", H_KEY H_VARY H_STAT H_REAS H_REQ H_BODY H_END,
	    0, 5, "malformed" },
	{ "no body-length", H_KEY H_VARY H_STAT H_REAS H_REQ H_RESP H_END, 0,
	    5, "malformed" },
	{ "two keys", H_ALL "key http://example.com/b\n" H_END, 0, 5,
	    "malformed" },
	{ "two statuses", H_STAT H_ALL H_END, 0, 5, "malformed" },
	{ "two body-lengths", H_ALL H_BODY H_END, 0, 5, "malformed" },
	{ "empty key", "key \n" H_VARY H_STAT H_REAS H_REQ H_RESP H_BODY
	    H_END, 0, 5, "malformed" },
	{ "status abc", H_KEY H_VARY "status abc\n" H_REAS H_REQ H_RESP H_BODY
	    H_END, 0, 5, "malformed" },
	{ "status 2OO", H_KEY H_VARY "status 2OO\n" H_REAS H_REQ H_RESP H_BODY
	    H_END, 0, 5, "malformed" },
	{ "status 99", H_KEY H_VARY "status 99\n" H_REAS H_REQ H_RESP H_BODY
	    H_END, 0, 5, "malformed" },
	{ "status 600", H_KEY H_VARY "status 600\n" H_REAS H_REQ H_RESP H_BODY
	    H_END, 0, 5, "malformed" },
	{ "status +200", H_KEY H_VARY "status +200\n" H_REAS H_REQ H_RESP
	    H_BODY H_END, 0, 5, "malformed" },
	{ "status -200", H_KEY H_VARY "status -200\n" H_REAS H_REQ H_RESP
	    H_BODY H_END, 0, 5, "malformed" },
	{ "status empty", H_KEY H_VARY "status \n" H_REAS H_REQ H_RESP H_BODY
	    H_END, 0, 5, "malformed" },
	{ "status two spaces", H_KEY H_VARY "status  200\n" H_REAS H_REQ
	    H_RESP H_BODY H_END, 0, 5, "malformed" },
	{ "time 12a", H_KEY H_VARY H_STAT H_REAS "request-time 12a\n" H_RESP
	    H_BODY H_END, 0, 5, "malformed" },
	{ "time -", H_KEY H_VARY H_STAT H_REAS "request-time -\n" H_RESP
	    H_BODY H_END, 0, 5, "malformed" },
	{ "time overflow", H_KEY H_VARY H_STAT H_REAS H_REQ
	    "response-time 99999999999999999999\n" H_BODY H_END, 0, 5,
	    "malformed" },
	{ "body-length 2^64", H_KEY H_VARY H_STAT H_REAS H_REQ H_RESP
	    "body-length 18446744073709551616\n" H_END, 0, 5, "malformed" },
	{ "body-length -1", H_KEY H_VARY H_STAT H_REAS H_REQ H_RESP
	    "body-length -1\n" H_END, 0, 5, "malformed" },
	{ "body-length 0x5", H_KEY H_VARY H_STAT H_REAS H_REQ H_RESP
	    "body-length 0x5\n" H_END, 0, 5, "malformed" },
	{ "CR in a value", H_KEY H_VARY H_STAT "reason OK\r\n" H_REQ H_RESP
	    H_BODY H_END, 0, 5, "malformed" },
	{ "CR in a header", H_ALL "h A: 1\r\n" H_END, 0, 5, "malformed" },
	{ "NUL in a value", H_KEY H_VARY H_STAT "reason O\0K\n" H_REQ H_RESP
	    H_BODY H_END, sizeof(H_KEY H_VARY H_STAT "reason O\0K\n" H_REQ
	    H_RESP H_BODY H_END) - 1, 5, "malformed" },
	{ "line after end", H_ALL H_END "h A: 1\n", 0, 5, "malformed" },
	{ "bytes after end", H_ALL H_END "x", 0, 5, "malformed" },
	{ "end twice", H_ALL H_END H_END, 0, 5, "malformed" },
	{ "end without LF", H_ALL "end", 0, 5, "malformed" },
	{ "no end", H_ALL, 0, 5, "malformed" },
	{ "END", H_ALL "END\n", 0, 5, "malformed" },
	{ "empty line", H_ALL "\n" H_END, 0, 5, "malformed" },
	{ "unknown field", H_ALL "color blue\n" H_END, 0, 5, "malformed" },
	{ "field without a space", "vary\n" H_KEY H_STAT H_REAS H_REQ H_RESP
	    H_BODY H_END, 0, 5, "malformed" },
	{ "header without a colon", H_ALL "h A 1\n" H_END, 0, 5,
	    "malformed" },
	{ "header without a space", H_ALL "h A:1\n" H_END, 0, 5,
	    "malformed" },
	{ "header without a name", H_ALL "h : 1\n" H_END, 0, 5, "malformed" },
	{ "header with a bad name", H_ALL "h A B: 1\n" H_END, 0, 5,
	    "malformed" },
	{ "header h alone", H_ALL "h\n" H_END, 0, 5, "malformed" },
	{ "empty header", "", 0, 0, "malformed" },
};

/* One hdr_rows[] row: wrap the text in a valid prefix and decode. */
START_TEST(test_record_header)
{
	struct cache_record	 got;
	char			*buf;
	const char		*why = NULL;
	char			 pre[64];
	size_t			 hlen, total;
	long			 n;

	hlen = hdr_rows[_i].len != 0 ? hdr_rows[_i].len :
	    strlen(hdr_rows[_i].text);
	total = CACHE_RECORD_PREFIX + hlen;
	ck_assert_ptr_nonnull(buf = malloc(total + 1));
	snprintf(pre, sizeof(pre), "EVPC1 %010zu %08" PRIx32 "\n", hlen,
	    test_crc32(hdr_rows[_i].text, hlen));
	ck_assert_uint_eq(strlen(pre), CACHE_RECORD_PREFIX);
	memcpy(buf, pre, CACHE_RECORD_PREFIX);
	memcpy(buf + CACHE_RECORD_PREFIX, hdr_rows[_i].text, hlen);
	cache_record_init(&got);
	n = cache_record_decode(buf, total, total + hdr_rows[_i].body, &got,
	    &why);
	if (hdr_rows[_i].why == NULL) {
		ck_assert_msg(n == (long)total, "%s: got %ld (%s)",
		    hdr_rows[_i].name, n, n == -1 ? why : "-");
		ck_assert_str_eq(got.key, "http://example.com/a");
		ck_assert_uint_eq(got.body_len, 5);
	} else {
		ck_assert_msg(n == -1, "%s: got %ld", hdr_rows[_i].name, n);
		ck_assert_str_eq(why, hdr_rows[_i].why);
		ck_assert_ptr_null(got.key);
		ck_assert(TAILQ_EMPTY(&got.headers));
	}
	cache_record_clear(&got);
	free(buf);
}
END_TEST

/*
 * Entry file names (cache_record_hash): FNV-1a's published values for the
 * key alone, then names pinned as stored, so that a change of the hash,
 * which would orphan every file of a cache, shows here first.
 */
static const struct {
	const char	*key;
	const char	*vary;		/* NULL: the key alone */
	uint64_t	 want;
} hash_rows[] = {
	{ "", NULL, 0xcbf29ce484222325ULL },
	{ "a", NULL, 0xaf63dc4c8601ec8cULL },
	{ "foobar", NULL, 0x85944171f73967e8ULL },
	{ "http://example.com/a", NULL, 0x7fadbd6e96a526b0ULL },
	{ "http://example.com/a", "", 0x995f31e9faa0183dULL },
	{ "http://example.com/a", "accept-encoding=gzip",
	    0xc57d227ab6176740ULL },
};

/* One hash_rows[] row. */
START_TEST(test_record_hash)
{
	ck_assert_msg(cache_record_hash(hash_rows[_i].key, hash_rows[_i].vary)
	    == hash_rows[_i].want, "%s + %s", hash_rows[_i].key,
	    hash_rows[_i].vary != NULL ? hash_rows[_i].vary : "(none)");
}
END_TEST

Suite *cache_suite(void);

/* The cache module's pure half: policy tables, then the record format. */
Suite *
cache_suite(void)
{
	Suite	*s = suite_create("cache");
	TCase	*tc;

	tc = tcase_create("policy");
	tcase_add_loop_test(tc, test_meta_from_headers, 0, NROWS(meta_rows));
	tcase_add_loop_test(tc, test_heuristic_status, 0, NROWS(heur_rows));
	tcase_add_test(tc, test_heuristic_count);
	tcase_add_loop_test(tc, test_storable, 0, NROWS(store_rows));
	tcase_add_loop_test(tc, test_lifetime, 0, NROWS(life_rows));
	tcase_add_loop_test(tc, test_age, 0, NROWS(age_rows));
	tcase_add_test(tc, test_age_extremes);
	tcase_add_loop_test(tc, test_freshness, 0, NROWS(fresh_rows));
	tcase_add_loop_test(tc, test_stale_if_error, 0, NROWS(sie_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("record");
	tcase_add_test(tc, test_crc_helper);
	tcase_add_loop_test(tc, test_record_roundtrip, 0, NROWS(rt_rows));
	tcase_add_test(tc, test_record_bytes);
	tcase_add_loop_test(tc, test_record_encode_refuses, 0,
	    NROWS(enc_rows));
	tcase_add_test(tc, test_record_near_max);
	tcase_add_loop_test(tc, test_record_damaged, 0, NROWS(bad_rows));
	tcase_add_loop_test(tc, test_record_header, 0, NROWS(hdr_rows));
	tcase_add_loop_test(tc, test_record_hash, 0, NROWS(hash_rows));
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite; the exit status tells CTest. */
int
main(void)
{
	SRunner	*sr = srunner_create(cache_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
