/*
 * fuzz_cc.c: libFuzzer target for the header-value parsers of the http
 * module: Cache-Control (http_cc.c), HTTP-date (http_date.c), and Range,
 * Vary and the list helpers (http_hdr.c).  Every parser runs on the same
 * input, so one seed of any kind reaches all of them.
 *
 * Input: a string A, and after the first NUL byte a string B (empty if
 * there is none).  The first 8 bytes, read as a little-endian number,
 * are also the representation size for Range and a time_t to format.
 *
 * Invariants: Cache-Control fields hold 0/1 or -1..2^31-1; parsing is
 * idempotent and blind to ASCII case; two fields give what their
 * comma-joined value gives, in either order.  A date parses to -1 or
 * >= 0 and formats back to itself.  A satisfiable range lies inside the
 * representation.  List lookups ignore case and find an appended token.
 * The Vary key ignores the case, order and splitting of the field names.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"
#include "fuzz.h"

/* 9999-12-31 23:59:59 UTC: http_date_format's upper clamp. */
#define FUZZ_DATE_MAX	253402300799LL

/* An ASCII upper-case copy of s. */
static char *
fuzz_cc_upper(const char *s)
{
	char	*u = fuzz_strndup(s, strlen(s)), *p;

	for (p = u; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return (u);
}

/* True if every field of cc is in its range. */
static void
fuzz_cc_check_range(const struct http_cc *cc)
{
	const int	 flags[] = { cc->present, cc->no_store, cc->no_cache,
	    cc->private_, cc->public_, cc->must_revalidate,
	    cc->proxy_revalidate, cc->only_if_cached, cc->no_transform,
	    cc->immutable };
	const long	 durs[] = { cc->max_age, cc->s_maxage, cc->max_stale,
	    cc->min_fresh, cc->stale_while_revalidate, cc->stale_if_error };
	size_t		 i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		FUZZ_CHECK(flags[i] == 0 || flags[i] == 1);
	for (i = 0; i < sizeof(durs) / sizeof(durs[0]); i++)
		FUZZ_CHECK(durs[i] >= -1 && durs[i] <= 0x7fffffffL);
}

/* Parses one value into a fresh struct. */
static void
fuzz_cc_parse1(const char *v, struct http_cc *cc)
{
	http_cc_init(cc);
	http_cc_parse(v, cc);
}

/* Cache-Control on A and B. */
static void
fuzz_cc(const char *a, const char *b)
{
	struct http_cc		 x, y, z;
	struct evkeyvalq	 h;
	char			*u, *j;
	size_t			 la = strlen(a), lb = strlen(b);

	fuzz_cc_parse1(a, &x);
	FUZZ_CHECK(x.present == 1);
	fuzz_cc_check_range(&x);

	/* idempotent: the same field twice changes nothing */
	y = x;
	http_cc_parse(a, &y);
	FUZZ_CHECK(memcmp(&x, &y, sizeof(x)) == 0);

	/* names compare in ASCII without case; values are digits */
	u = fuzz_cc_upper(a);
	fuzz_cc_parse1(u, &y);
	FUZZ_CHECK(memcmp(&x, &y, sizeof(x)) == 0);
	free(u);

	/* two fields are one field joined by a comma (no quotes to span) */
	http_cc_parse(b, &x);
	fuzz_cc_check_range(&x);
	/* in either order: conflicts give 0, the others min or max */
	fuzz_cc_parse1(b, &y);
	http_cc_parse(a, &y);
	FUZZ_CHECK(memcmp(&x, &y, sizeof(x)) == 0);
	if (strchr(a, '"') == NULL && strchr(b, '"') == NULL) {
		j = malloc(la + lb + 2);
		if (j == NULL)
			abort();
		memcpy(j, a, la);
		j[la] = ',';
		memcpy(j + la + 1, b, lb + 1);
		fuzz_cc_parse1(j, &y);
		FUZZ_CHECK(memcmp(&x, &y, sizeof(x)) == 0);
		free(j);
	}

	/* the same through a header list; Pragma loses to Cache-Control */
	TAILQ_INIT(&h);
	if (evhttp_add_header(&h, "Pragma", b) == 0) {
		http_cc_parse_headers(&h, &z);
		fuzz_cc_check_range(&z);
		FUZZ_CHECK(z.no_cache == http_hdr_list_has(b, "no-cache"));
		FUZZ_CHECK(z.present == z.no_cache);
		if (evhttp_add_header(&h, "cache-CONTROL", a) == 0) {
			http_cc_parse_headers(&h, &z);
			fuzz_cc_parse1(a, &y);
			FUZZ_CHECK(memcmp(&z, &y, sizeof(z)) == 0);
		}
	}
	evhttp_clear_headers(&h);
}

/* HTTP-date on s, and formatting of t. */
static void
fuzz_cc_date(const char *s, time_t t)
{
	char		 buf[64], buf2[64];
	time_t		 d, e;
	long long	 want;

	d = http_date_parse(s);
	FUZZ_CHECK(d >= -1);
	if (d >= 0) {
		http_date_format(d, buf, sizeof(buf));
		FUZZ_CHECK(strlen(buf) == 29);
		want = (long long)d > FUZZ_DATE_MAX ? FUZZ_DATE_MAX :
		    (long long)d;
		e = http_date_parse(buf);
		FUZZ_CHECK((long long)e == want);
		/*
		 * An IMF-fixdate after 1970 formats back to itself, but for
		 * the weekday (not checked) and a leap second (carried).
		 */
		if (d > 0 && strlen(s) == 29 && s[3] == ',' &&
		    strcmp(s + 25, " GMT") == 0 &&
		    strncmp(s + 23, "60", 2) != 0 && (long long)d == want)
			FUZZ_CHECK(strcmp(buf + 3, s + 3) == 0);
	}

	/* any time_t: a 29-byte date, clamped to [1970, 9999] */
	http_date_format(t, buf2, sizeof(buf2));
	FUZZ_CHECK(strlen(buf2) == 29);
	want = (long long)t < 0 ? 0 : (long long)t > FUZZ_DATE_MAX ?
	    FUZZ_DATE_MAX : (long long)t;
	FUZZ_CHECK((long long)http_date_parse(buf2) == want);
	/* a short buffer is cut, never overrun (0: left alone) */
	http_date_format(t, buf2, (size_t)((unsigned long long)t % 31));
	FUZZ_CHECK(strlen(buf2) < 30);
}

/* Range on s against a representation of size bytes. */
static void
fuzz_cc_range(const char *s, unsigned long long size)
{
	unsigned long long	 first = 0, last = 0, f2 = 0, l2 = 0;
	char			*u;
	int			 r;

	r = http_range_parse(s, size, &first, &last);
	FUZZ_CHECK(r >= -1 && r <= 1);
	if (r == 1)
		FUZZ_CHECK(first <= last && last < size);
	if (r == -1)
		FUZZ_CHECK(strncasecmp(s, "bytes=", 6) == 0);
	/* "bytes" is case-insensitive and nothing else has letters */
	u = fuzz_cc_upper(s);
	FUZZ_CHECK(http_range_parse(u, size, &f2, &l2) == r);
	if (r == 1)
		FUZZ_CHECK(f2 == first && l2 == last);
	free(u);
	/* an empty representation satisfies no range */
	FUZZ_CHECK(http_range_parse(s, 0, &f2, &l2) != 1);
}

/* The list helpers on list a and token b. */
static void
fuzz_cc_list(const char *a, const char *b)
{
	char	*u, *j;
	size_t	 la = strlen(a), lb = strlen(b);
	int	 r, v;

	r = http_hdr_list_has(a, b);
	FUZZ_CHECK(r == 0 || r == 1);
	u = fuzz_cc_upper(a);
	FUZZ_CHECK(http_hdr_list_has(u, b) == r);
	free(u);
	/* an element without comma or outer blanks is found once added */
	if (lb > 0 && strchr(b, ',') == NULL && strchr(" \t", b[0]) == NULL &&
	    strchr(" \t", b[lb - 1]) == NULL) {
		FUZZ_CHECK(http_hdr_list_has(b, b) == 1);
		j = malloc(la + lb + 3);
		if (j == NULL)
			abort();
		snprintf(j, la + lb + 3, "%s, %s", a, b);
		FUZZ_CHECK(http_hdr_list_has(j, b) == 1);
		free(j);
	}
	v = http_hdr_name_valid(a);
	FUZZ_CHECK(v == 0 || v == 1);
	FUZZ_CHECK(v == (la > 0 && strspn(a, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") == la));
	v = http_hdr_is_hop_by_hop(a);
	FUZZ_CHECK(v == 0 || v == 1);
	if (v)
		FUZZ_CHECK(http_hdr_name_valid(a));
}

/*
 * Adds the lines of s ("name: value" or "name:value") to h; lines that
 * evhttp refuses are skipped.  Returns how many were added.
 */
static int
fuzz_cc_headers(const char *s, struct evkeyvalq *h)
{
	char	*copy = fuzz_strndup(s, strlen(s)), *line, *next, *colon;
	int	 n = 0;

	for (line = copy; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon++ = '\0';
		colon += strspn(colon, " ");
		if (evhttp_add_header(h, line, colon) == 0)
			n++;
	}
	free(copy);
	return (n);
}

/* A response header list that has one Vary field per value. */
static void
fuzz_cc_vary_hdrs(struct evkeyvalq *h, const char *const *v, size_t n)
{
	size_t	 i;

	TAILQ_INIT(h);
	evhttp_add_header(h, "Content-Type", "text/plain");
	for (i = 0; i < n; i++)
		if (evhttp_add_header(h, i % 2 ? "vary" : "Vary", v[i]) != 0)
			abort();
}

/* Vary key, end-to-end copy and list append, with a as Vary, b as headers. */
static void
fuzz_cc_vary(const char *a, const char *b)
{
	static const char *const skip[] = { "Age", "x-skip", NULL };
	struct evkeyvalq	 resp, req, dst;
	const struct evkeyval	*kv, *conn;
	const char		*v[2];
	char			*k1, *k2, *u, *half, *comma;
	int			 n, nreq, count;

	TAILQ_INIT(&req);
	nreq = fuzz_cc_headers(b, &req);
	/* evhttp refuses a Vary value it cannot send: nothing to check */
	TAILQ_INIT(&resp);
	if (evhttp_add_header(&resp, "Vary", a) != 0) {
		evhttp_clear_headers(&req);
		return;
	}
	evhttp_clear_headers(&resp);

	v[0] = a;
	fuzz_cc_vary_hdrs(&resp, v, 1);
	k1 = http_hdr_vary_key(&resp, &req);
	evhttp_clear_headers(&resp);
	if (k1 != NULL) {
		FUZZ_CHECK(strchr(k1, '\r') == NULL);
		/* every name is followed by ':' and its value by 0x1f */
		FUZZ_CHECK(k1[0] == '\0' || k1[strlen(k1) - 1] == '\x1f');
	}

	/* the names ignore case */
	u = fuzz_cc_upper(a);
	v[0] = u;
	fuzz_cc_vary_hdrs(&resp, v, 1);
	k2 = http_hdr_vary_key(&resp, &req);
	evhttp_clear_headers(&resp);
	FUZZ_CHECK(fuzz_streq(k1, k2));
	free(k2);
	free(u);

	/* two Vary fields are one list: split a at its first comma */
	if ((comma = strchr(a, ',')) != NULL) {
		half = fuzz_strndup(a, (size_t)(comma - a));
		v[0] = comma + 1;	/* the order must not matter either */
		v[1] = half;
		fuzz_cc_vary_hdrs(&resp, v, 2);
		k2 = http_hdr_vary_key(&resp, &req);
		evhttp_clear_headers(&resp);
		FUZZ_CHECK(fuzz_streq(k1, k2));
		free(k2);
		free(half);
	}
	free(k1);

	/* end-to-end copy: no hop-by-hop, skipped or Connection-named field */
	TAILQ_INIT(&dst);
	n = http_hdr_copy_end_to_end(&req, &dst, skip);
	FUZZ_CHECK(n >= 0 && n <= nreq);
	count = 0;
	TAILQ_FOREACH(kv, &dst, next) {
		count++;
		FUZZ_CHECK(!http_hdr_is_hop_by_hop(kv->key));
		FUZZ_CHECK(http_hdr_name_valid(kv->key));
		FUZZ_CHECK(strcasecmp(kv->key, "age") != 0 &&
		    strcasecmp(kv->key, "X-Skip") != 0);
		TAILQ_FOREACH(conn, &req, next)
			if (strcasecmp(conn->key, "connection") == 0)
				FUZZ_CHECK(!http_hdr_list_has(conn->value,
				    kv->key));
	}
	FUZZ_CHECK(count == n);
	evhttp_clear_headers(&dst);

	/* list append: one field of that name left, ending in the item */
	if (http_hdr_list_append(&req, "Via", a) == 0) {
		count = 0;
		TAILQ_FOREACH(kv, &req, next) {
			if (strcasecmp(kv->key, "via") != 0)
				continue;
			count++;
			FUZZ_CHECK(strlen(kv->value) >= strlen(a));
			FUZZ_CHECK(strcmp(kv->value + strlen(kv->value) -
			    strlen(a), a) == 0);
		}
		FUZZ_CHECK(count == 1);
	}
	evhttp_clear_headers(&req);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t	 num = 0;
	char		*a, *b;
	size_t		 i;

	for (i = 0; i < 8 && i < size; i++)
		num |= (uint64_t)data[i] << (8 * i);
	a = fuzz_strndup(data, size);
	b = a + strlen(a) < a + size ? a + strlen(a) + 1 : a + size;

	fuzz_cc(a, b);
	fuzz_cc_date(a, (time_t)num);
	fuzz_cc_date(b, (time_t)(num >> 1));
	fuzz_cc_range(a, (unsigned long long)num);
	fuzz_cc_range(a, (unsigned long long)(num & 0xffff));
	fuzz_cc_list(a, b);
	fuzz_cc_vary(a, b);
	free(a);
	return (0);
}
