/*
 * cache_policy.c: what a shared cache may store and when it may reuse it
 * (RFC 9111, with the RFC 5861 stale-* extensions).  Pure functions of
 * their arguments: no I/O, no clock (the caller passes now).
 *
 * Times are time_t seconds; durations are long seconds.  Every difference
 * of two times and every age is clamped to [-2^31+1, 2^31-1] (RFC 9111
 * §1.2.2: a cache that cannot represent a delta-seconds uses the largest
 * value it can), so no input, however absurd, overflows.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "cache.h"
#include "http.h"

/* The largest duration we compute with (RFC 9111 §1.2.2). */
#define CACHE_POLICY_DELTA_MAX	HTTP_CC_ANY

/*
 * The status codes RFC 9110 §15 defines, which this cache "understands"
 * (RFC 9111 §3).  306 and 418 are reserved/unused and left out.
 */
static const int cache_policy_known[] = {
	100, 101,
	200, 201, 202, 203, 204, 205, 206,
	300, 301, 302, 303, 304, 305, 307, 308,
	400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413,
	414, 415, 416, 417, 421, 422, 426,
	500, 501, 502, 503, 504, 505,
	0
};

/* RFC 9110 §15.1: the heuristically cacheable status codes. */
static const int cache_policy_heuristic[] = {
	200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501, 0
};

/* Clamps v to [-CACHE_POLICY_DELTA_MAX, CACHE_POLICY_DELTA_MAX]. */
static long
cache_policy_clamp(long long v)
{
	if (v > CACHE_POLICY_DELTA_MAX)
		return (CACHE_POLICY_DELTA_MAX);
	if (v < -CACHE_POLICY_DELTA_MAX)
		return (-CACHE_POLICY_DELTA_MAX);
	return ((long)v);
}

/* a - b in seconds, clamped, without signed overflow. */
static long
cache_policy_delta(time_t a, time_t b)
{
	long long	 x = (long long)a, y = (long long)b;

	if (y > 0 && x < LLONG_MIN + y)
		return (-CACHE_POLICY_DELTA_MAX);
	if (y < 0 && x > LLONG_MAX + y)
		return (CACHE_POLICY_DELTA_MAX);
	return (cache_policy_clamp(x - y));
}

/* True if status is in the 0-terminated list. */
static int
cache_policy_in(const int *list, int status)
{
	for (; *list != 0; list++)
		if (*list == status)
			return (1);
	return (0);
}

/* True for a heuristically cacheable status (RFC 9110 §15.1). */
int
cache_policy_heuristic_status(int status)
{
	return (cache_policy_in(cache_policy_heuristic, status));
}

/*
 * Parses an Age value (RFC 9111 §5.1: delta-seconds).  Returns -1 if it
 * is not one; values past 2^31-1 are clamped (§1.2.2).
 */
static long
cache_policy_parse_age(const char *s)
{
	long long	 v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return (-1);
	for (; isdigit((unsigned char)*s); s++)
		if (v <= CACHE_POLICY_DELTA_MAX)
			v = v * 10 + (*s - '0');
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0')
		return (-1);
	return (v > CACHE_POLICY_DELTA_MAX ? CACHE_POLICY_DELTA_MAX : (long)v);
}

/* The first time_t of the header name in hdrs (an HTTP-date), or -1. */
static time_t
cache_policy_header_date(const struct evkeyvalq *hdrs, const char *name)
{
	const struct evkeyval	*kv;

	TAILQ_FOREACH(kv, hdrs, next)
		if (strcasecmp(kv->key, name) == 0)
			return (http_date_parse(kv->value));
	return (-1);
}

/* Fills m from a response's status, headers and our two times. */
void
cache_meta_from_headers(const struct evkeyvalq *hdrs, int status,
    time_t request_time, time_t response_time, struct cache_meta *m)
{
	const struct evkeyval	*kv;
	time_t			 t;
	long			 age;
	int			 seen_expires = 0, seen_age = 0;

	memset(m, 0, sizeof(*m));
	m->status = status;
	m->request_time = request_time;
	m->response_time = response_time;
	m->expires = -1;
	/* an invalid Date or Last-Modified is treated as absent */
	m->date = cache_policy_header_date(hdrs, "Date");
	m->last_modified = cache_policy_header_date(hdrs, "Last-Modified");
	http_cc_parse_headers(hdrs, &m->cc);

	TAILQ_FOREACH(kv, hdrs, next) {
		if (strcasecmp(kv->key, "Expires") == 0) {
			/*
			 * RFC 9111 §5.3: an invalid date, "0" above all,
			 * means already expired.  §4.2: with several values,
			 * use the first or treat as stale; we treat
			 * disagreeing ones as stale.
			 */
			t = http_date_parse(kv->value);
			if (t == -1)
				t = 0;
			if (seen_expires && t != m->expires)
				t = 0;
			m->expires = t;
			seen_expires = 1;
		} else if (strcasecmp(kv->key, "Age") == 0) {
			/* RFC 9111 §5.1; the first valid one counts */
			if (!seen_age &&
			    (age = cache_policy_parse_age(kv->value)) != -1) {
				m->age = age;
				seen_age = 1;
			}
		} else if (strcasecmp(kv->key, "Vary") == 0) {
			/* RFC 9111 §4.1: "*" anywhere in any Vary field */
			if (http_hdr_list_has(kv->value, "*"))
				m->vary_star = 1;
		} else if (strcasecmp(kv->key, "ETag") == 0 ||
		    strcasecmp(kv->key, "Last-Modified") == 0)
			m->has_validator = 1;	/* RFC 9110 §8.8 */
	}
}

/* May a shared cache store this response (RFC 9111 §3)? */
int
cache_policy_storable(enum evhttp_cmd_type method,
    const struct http_cc *req_cc, int has_auth,
    const struct cache_meta *m, const char **why)
{
	const struct http_cc	*cc = &m->cc;
	const char		*dummy;

	if (why == NULL)
		why = &dummy;
	/* RFC 9111 §3: the method is cacheable (we store GET only) */
	if (method != EVHTTP_REQ_GET) {
		*why = "method";
		return (0);
	}
	/* §3: a final status (RFC 9110 §15) ... */
	if (m->status >= 100 && m->status < 200) {
		*why = "status not final";
		return (0);
	}
	/* 206 and 304 update or complete an entry; never one themselves */
	if (m->status == 206) {
		*why = "partial content";
		return (0);
	}
	if (m->status == 304) {
		*why = "not modified";
		return (0);
	}
	/* ... that the cache understands (also rules out 600, 99, ...) */
	if (!cache_policy_in(cache_policy_known, m->status)) {
		*why = "status not understood";
		return (0);
	}
	/* §3, §5.2.1.5, §5.2.2.5: no-store in the request or the response */
	if ((req_cc != NULL && req_cc->no_store) || cc->no_store) {
		*why = "no-store";
		return (0);
	}
	/* §3, §5.2.2.7: a shared cache never stores private responses */
	if (cc->private_) {
		*why = "private";
		return (0);
	}
	/* §3.5: Authorization only with public, s-maxage or must-revalidate */
	if (has_auth && !cc->public_ && cc->s_maxage < 0 &&
	    !cc->must_revalidate) {
		*why = "authorization";
		return (0);
	}
	/* §4.1: Vary: * never matches a later request */
	if (m->vary_star) {
		*why = "vary *";
		return (0);
	}
	/*
	 * §3: explicit freshness (Expires, max-age, s-maxage), public, or a
	 * heuristically cacheable status.  The list is exhaustive, so a
	 * response with only a validator and no-cache (say a 302) is not
	 * stored even though it could be revalidated: a 200 like that is
	 * stored anyway, its status being heuristically cacheable.
	 */
	if (m->expires != -1 || cc->max_age >= 0 || cc->s_maxage >= 0 ||
	    cc->public_ || cache_policy_heuristic_status(m->status))
		return (1);
	*why = "no freshness information";
	return (0);
}

/* The freshness lifetime of a response (RFC 9111 §4.2.1, §4.2.2). */
long
cache_policy_lifetime(const struct cache_meta *m)
{
	const struct http_cc	*cc = &m->cc;
	time_t			 date;
	long			 life;

	/* RFC 9111 §4.2.1: the first that applies, in this order */
	if (cc->s_maxage >= 0)
		return (cache_policy_clamp(cc->s_maxage));
	if (cc->max_age >= 0)
		return (cache_policy_clamp(cc->max_age));
	date = m->date != -1 ? m->date : m->response_time;
	if (m->expires != -1) {
		/* an invalid Expires is 0, so this is <= 0: stale */
		life = cache_policy_delta(m->expires, date);
		return (life > 0 ? life : 0);
	}
	/*
	 * §4.2.2: heuristic freshness, for a heuristically cacheable status
	 * or a response marked public, as 10% of the time since
	 * Last-Modified, capped.
	 */
	if ((cache_policy_heuristic_status(m->status) || cc->public_) &&
	    m->last_modified != -1) {
		life = cache_policy_delta(date, m->last_modified) / 10;
		if (life < 0)
			return (0);
		if (life > CACHE_HEURISTIC_MAX)
			return (CACHE_HEURISTIC_MAX);
		return (life);
	}
	return (0);
}

/* The current age of a stored response at now (RFC 9111 §4.2.3). */
long
cache_policy_age(const struct cache_meta *m, time_t now)
{
	long long	 apparent_age, response_delay, corrected_age_value;
	long long	 corrected_initial_age, resident_time, age_value;
	time_t		 date_value;

	/*
	 * RFC 9111 §4.2.3.  A response without Date gets one at receipt
	 * (RFC 9110 §6.6.1), so date_value defaults to response_time.
	 */
	date_value = m->date != -1 ? m->date : m->response_time;
	age_value = m->age < 0 ? 0 : cache_policy_clamp(m->age);

	apparent_age = cache_policy_delta(m->response_time, date_value);
	if (apparent_age < 0)
		apparent_age = 0;
	/* our own clock going backwards must not make ages negative */
	response_delay = cache_policy_delta(m->response_time, m->request_time);
	if (response_delay < 0)
		response_delay = 0;
	corrected_age_value = age_value + response_delay;
	corrected_initial_age = apparent_age > corrected_age_value ?
	    apparent_age : corrected_age_value;
	resident_time = cache_policy_delta(now, m->response_time);
	if (resident_time < 0)
		resident_time = 0;
	return (cache_policy_clamp(corrected_initial_age + resident_time));
}

/*
 * True if a response directive forbids serving it stale: RFC 9111 §4.2.4
 * with must-revalidate (§5.2.2.2), proxy-revalidate (§5.2.2.8) and
 * s-maxage (§5.2.2.10, which implies proxy-revalidate).
 */
static int
cache_policy_no_stale(const struct http_cc *cc)
{
	return (cc->must_revalidate || cc->proxy_revalidate ||
	    cc->s_maxage >= 0);
}

/* Serve, serve stale or revalidate a stored response (RFC 9111 §4). */
enum cache_fresh
cache_policy_freshness(const struct cache_meta *m,
    const struct http_cc *req_cc, time_t now, int *swr)
{
	const struct http_cc	*cc = &m->cc;
	struct http_cc		 none;
	long			 lifetime, age, staleness;
	int			 dummy;

	if (swr == NULL)
		swr = &dummy;
	*swr = 0;
	if (req_cc == NULL) {
		http_cc_init(&none);
		req_cc = &none;
	}
	/* §5.2.1.4, §5.2.2.4: no-cache (or Pragma) means validate first */
	if (req_cc->no_cache || cc->no_cache)
		return (CACHE_REVALIDATE);
	lifetime = cache_policy_lifetime(m);
	age = cache_policy_age(m, now);
	/* §5.2.1.1: request max-age bounds the age, stale or not */
	if (req_cc->max_age >= 0 && age > req_cc->max_age)
		return (CACHE_REVALIDATE);
	/* §5.2.1.3: min-fresh wants that much lifetime left */
	if (req_cc->min_fresh >= 0 &&
	    (long long)lifetime - age < req_cc->min_fresh)
		return (CACHE_REVALIDATE);
	/* §4.2: fresh while freshness_lifetime > current_age */
	if (lifetime > age)
		return (CACHE_FRESH);
	staleness = cache_policy_clamp((long long)age - lifetime);
	if (cache_policy_no_stale(cc))
		return (CACHE_REVALIDATE);
	/*
	 * RFC 5861 §3: within stale-while-revalidate, serve and refresh
	 * behind.  Checked before max-stale so that a request that would
	 * accept it stale anyway still triggers the refresh.
	 */
	if (cc->stale_while_revalidate >= 0 &&
	    staleness <= cc->stale_while_revalidate) {
		*swr = 1;
		return (CACHE_STALE_SERVE);
	}
	/* §5.2.1.2: max-stale (no value: any staleness) */
	if (req_cc->max_stale >= 0 && staleness <= req_cc->max_stale)
		return (CACHE_STALE_SERVE);
	return (CACHE_REVALIDATE);
}

/* May a stale response stand in for an origin error (RFC 5861 §4)? */
int
cache_policy_stale_if_error(const struct cache_meta *m,
    const struct http_cc *req_cc, time_t now)
{
	const struct http_cc	*cc = &m->cc;
	long			 staleness;

	/*
	 * RFC 5861 §4 allows it "regardless of other freshness
	 * information", but RFC 9111 §4.2.4 forbids generating a stale
	 * response against no-cache, must-revalidate, proxy-revalidate or
	 * s-maxage (§5.2.2.2: error rather than reuse), and wins.
	 */
	if (cc->no_cache || cache_policy_no_stale(cc))
		return (0);
	staleness = cache_policy_clamp((long long)cache_policy_age(m, now) -
	    cache_policy_lifetime(m));
	if (staleness < 0)
		staleness = 0;		/* still fresh: covered by any window */
	/* either directive allows it: neither restricts the other */
	if (cc->stale_if_error >= 0 && staleness <= cc->stale_if_error)
		return (1);
	if (req_cc != NULL && req_cc->stale_if_error >= 0 &&
	    staleness <= req_cc->stale_if_error)
		return (1);
	return (0);
}
