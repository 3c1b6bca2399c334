/*
 * check_http_cc.c: table-driven tests of the http module's Cache-Control
 * parser (http_cc.c) and HTTP-date code (http_date.c).  Every table test
 * is a loop test: _i indexes its rows[] table, one row per case, input
 * -> expected.  The round trip checks http_date_format against
 * strftime() in the C locale and feeds all three date forms back to
 * http_date_parse.
 */
#include "http.h"

#include <sys/queue.h>

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define HDR_MAX		16	/* names and values, NULL-terminated */

/* The flags of struct http_cc, as bits of check_cc_want.flags. */
#define P		0x001	/* present */
#define NS		0x002	/* no-store */
#define NC		0x004	/* no-cache */
#define PV		0x008	/* private */
#define PB		0x010	/* public */
#define MR		0x020	/* must-revalidate */
#define PR		0x040	/* proxy-revalidate */
#define OIC		0x080	/* only-if-cached */
#define NT		0x100	/* no-transform */
#define IM		0x200	/* immutable */

/* A directive that is absent, and the clamp for huge values. */
#define NA		-1L
#define BIG		2147483647L

/* The expected struct http_cc, in the order of its fields. */
struct check_cc_want {
	unsigned	 flags;
	long		 max_age, s_maxage, max_stale, min_fresh;
	long		 swr, sie;
};

/* Asserts that cc is w; in names the input in the messages. */
static void
check_http_cc_expect(const struct http_cc *cc, const struct check_cc_want *w,
    const char *in)
{
	static const struct {
		unsigned	 bit;
		size_t		 off;
		const char	*name;
	} flags[] = {
		{ P, offsetof(struct http_cc, present), "present" },
		{ NS, offsetof(struct http_cc, no_store), "no_store" },
		{ NC, offsetof(struct http_cc, no_cache), "no_cache" },
		{ PV, offsetof(struct http_cc, private_), "private" },
		{ PB, offsetof(struct http_cc, public_), "public" },
		{ MR, offsetof(struct http_cc, must_revalidate),
		    "must_revalidate" },
		{ PR, offsetof(struct http_cc, proxy_revalidate),
		    "proxy_revalidate" },
		{ OIC, offsetof(struct http_cc, only_if_cached),
		    "only_if_cached" },
		{ NT, offsetof(struct http_cc, no_transform), "no_transform" },
		{ IM, offsetof(struct http_cc, immutable), "immutable" },
	};
	size_t	 i;
	int	 v;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		memcpy(&v, (const char *)cc + flags[i].off, sizeof(v));
		ck_assert_msg(v == ((w->flags & flags[i].bit) != 0),
		    "'%s': %s is %d", in, flags[i].name, v);
	}
	ck_assert_msg(cc->max_age == w->max_age, "'%s': max_age %ld", in,
	    cc->max_age);
	ck_assert_msg(cc->s_maxage == w->s_maxage, "'%s': s_maxage %ld", in,
	    cc->s_maxage);
	ck_assert_msg(cc->max_stale == w->max_stale, "'%s': max_stale %ld",
	    in, cc->max_stale);
	ck_assert_msg(cc->min_fresh == w->min_fresh, "'%s': min_fresh %ld",
	    in, cc->min_fresh);
	ck_assert_msg(cc->stale_while_revalidate == w->swr,
	    "'%s': stale_while_revalidate %ld", in,
	    cc->stale_while_revalidate);
	ck_assert_msg(cc->stale_if_error == w->sie,
	    "'%s': stale_if_error %ld", in, cc->stale_if_error);
}

/*
 * http_cc_parse of one field value after http_cc_init.  The longs are
 * max-age, s-maxage, max-stale, min-fresh, stale-while-revalidate and
 * stale-if-error.
 */
static const struct {
	const char		*in;
	struct check_cc_want	 want;
} cc_rows[] = {
	/* nothing */
	{ NULL, { 0, NA, NA, NA, NA, NA, NA } },
	{ "", { P, NA, NA, NA, NA, NA, NA } },
	{ ",,, ,\t,", { P, NA, NA, NA, NA, NA, NA } },
	/* each directive */
	{ "no-store", { P | NS, NA, NA, NA, NA, NA, NA } },
	{ "no-cache", { P | NC, NA, NA, NA, NA, NA, NA } },
	{ "private", { P | PV, NA, NA, NA, NA, NA, NA } },
	{ "public", { P | PB, NA, NA, NA, NA, NA, NA } },
	{ "must-revalidate", { P | MR, NA, NA, NA, NA, NA, NA } },
	{ "proxy-revalidate", { P | PR, NA, NA, NA, NA, NA, NA } },
	{ "only-if-cached", { P | OIC, NA, NA, NA, NA, NA, NA } },
	{ "no-transform", { P | NT, NA, NA, NA, NA, NA, NA } },
	{ "immutable", { P | IM, NA, NA, NA, NA, NA, NA } },
	{ "max-age=60", { P, 60, NA, NA, NA, NA, NA } },
	{ "max-age=0", { P, 0, NA, NA, NA, NA, NA } },
	{ "s-maxage=30", { P, NA, 30, NA, NA, NA, NA } },
	{ "max-stale=10", { P, NA, NA, 10, NA, NA, NA } },
	{ "max-stale", { P, NA, NA, HTTP_CC_ANY, NA, NA, NA } },
	{ "min-fresh=5", { P, NA, NA, NA, 5, NA, NA } },
	{ "stale-while-revalidate=30", { P, NA, NA, NA, NA, 30, NA } },
	{ "stale-if-error=600", { P, NA, NA, NA, NA, NA, 600 } },
	{ "public, max-age=1, s-maxage=2, must-revalidate, proxy-revalidate,"
	    " no-transform, immutable, stale-while-revalidate=3,"
	    " stale-if-error=4",
	  { P | PB | MR | PR | NT | IM, 1, 2, NA, NA, 3, 4 } },
	{ "no-store, no-cache, private, only-if-cached, max-stale=7,"
	    " min-fresh=8",
	  { P | NS | NC | PV | OIC, NA, NA, 7, 8, NA, NA } },
	/* case and spacing */
	{ "MAX-AGE=5, No-Store, PUBLIC", { P | NS | PB, 5, NA, NA, NA, NA,
	    NA } },
	{ "S-MaxAge=9,Must-Revalidate", { P | MR, NA, 9, NA, NA, NA, NA } },
	{ "  max-age=5 ,\tno-cache\t,private  ",
	  { P | NC | PV, 5, NA, NA, NA, NA, NA } },
	{ "max-age = 7", { P, 7, NA, NA, NA, NA, NA } },
	{ "max-age=5,no-store,,public", { P | NS | PB, 5, NA, NA, NA, NA,
	    NA } },
	/* quoted values */
	{ "max-age=\"10\"", { P, 10, NA, NA, NA, NA, NA } },
	{ "max-age=\"\\5\"", { P, 5, NA, NA, NA, NA, NA } },
	{ "no-cache=\"Set-Cookie\"", { P | NC, NA, NA, NA, NA, NA, NA } },
	{ "private=\"x\"", { P | PV, NA, NA, NA, NA, NA, NA } },
	{ "private=Set-Cookie", { P | PV, NA, NA, NA, NA, NA, NA } },
	{ "no-cache=\"a, b\", max-age=5", { P | NC, 5, NA, NA, NA, NA, NA } },
	{ "private=\"Set-Cookie, X-Foo\", no-store, s-maxage=3",
	  { P | PV | NS, NA, 3, NA, NA, NA, NA } },
	{ "no-cache=\"a\\\", max-age=1\", s-maxage=9",
	  { P | NC, NA, 9, NA, NA, NA, NA } },
	{ "ext=\"x, max-age=1\", public", { P | PB, NA, NA, NA, NA, NA,
	    NA } },
	/* an unterminated quote runs to the end */
	{ "no-cache=\"a, max-age=5", { P | NC, NA, NA, NA, NA, NA, NA } },
	{ "max-age=\"5", { P, 0, NA, NA, NA, NA, NA } },
	/* bad delta-seconds: 0 for max-age and s-maxage, else absent */
	{ "max-age=abc", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=-5", { P, 0, NA, NA, NA, NA, NA } },
	{ "s-maxage=-1", { P, NA, 0, NA, NA, NA, NA } },
	{ "max-age", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=5x", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=+5", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=5.0", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=5 6", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age:5", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=\" 5\"", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=\"5\"x", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-stale=abc", { P, NA, NA, NA, NA, NA, NA } },
	{ "max-stale=", { P, NA, NA, NA, NA, NA, NA } },
	{ "min-fresh=-5", { P, NA, NA, NA, NA, NA, NA } },
	{ "min-fresh", { P, NA, NA, NA, NA, NA, NA } },
	{ "stale-if-error=x1, stale-while-revalidate=-2",
	  { P, NA, NA, NA, NA, NA, NA } },
	/* leading zeros, and clamping at 2^31-1 */
	{ "max-age=007", { P, 7, NA, NA, NA, NA, NA } },
	{ "max-age=2147483647", { P, BIG, NA, NA, NA, NA, NA } },
	{ "max-age=2147483648", { P, BIG, NA, NA, NA, NA, NA } },
	{ "s-maxage=99999999999999999999999999",
	  { P, NA, BIG, NA, NA, NA, NA } },
	{ "max-stale=4294967296, min-fresh=18446744073709551617",
	  { P, NA, NA, HTTP_CC_ANY, BIG, NA, NA } },
	{ "stale-if-error=00000000000000000000000000042",
	  { P, NA, NA, NA, NA, NA, 42 } },
	/* duplicates: conflicts of max-age and s-maxage are stale */
	{ "max-age=5, max-age=5", { P, 5, NA, NA, NA, NA, NA } },
	{ "max-age=5, max-age=10", { P, 0, NA, NA, NA, NA, NA } },
	{ "max-age=10, max-age=abc", { P, 0, NA, NA, NA, NA, NA } },
	{ "s-maxage=1, s-maxage=2, s-maxage=1", { P, NA, 0, NA, NA, NA,
	    NA } },
	{ "no-cache, no-cache=\"x\", NO-CACHE", { P | NC, NA, NA, NA, NA, NA,
	    NA } },
	/* the others keep the most restrictive value */
	{ "max-stale=10, max-stale", { P, NA, NA, 10, NA, NA, NA } },
	{ "max-stale, max-stale=20", { P, NA, NA, 20, NA, NA, NA } },
	{ "max-stale=10, max-stale=abc", { P, NA, NA, 10, NA, NA, NA } },
	{ "min-fresh=5, min-fresh=10, min-fresh=7",
	  { P, NA, NA, NA, 10, NA, NA } },
	{ "stale-while-revalidate=30, stale-while-revalidate=10,"
	    " stale-if-error=5, stale-if-error=50",
	  { P, NA, NA, NA, NA, 10, 5 } },
	/* garbage and unknown directives are skipped */
	{ "@@@, max-age=5", { P, 5, NA, NA, NA, NA, NA } },
	{ "=5, no-store", { P | NS, NA, NA, NA, NA, NA, NA } },
	{ "\"quoted, max-age=1\", public", { P | PB, NA, NA, NA, NA, NA,
	    NA } },
	{ "foo, bar=baz, ext=\"q,x\", max-age=3", { P, 3, NA, NA, NA, NA,
	    NA } },
	{ "max-age5=1, no-stored, public-x, xprivate",
	  { P, NA, NA, NA, NA, NA, NA } },
	{ "max-age=5, \xff\xfe, no-store", { P | NS, 5, NA, NA, NA, NA,
	    NA } },
	/* a known name with junk after it still counts */
	{ "no-store junk, max-age=8", { P | NS, 8, NA, NA, NA, NA, NA } },
	{ "private;x", { P | PV, NA, NA, NA, NA, NA, NA } },
};

START_TEST(test_cc_parse)
{
	struct http_cc	 cc;

	memset(&cc, 0x5a, sizeof(cc));
	http_cc_init(&cc);
	http_cc_parse(cc_rows[_i].in, &cc);
	check_http_cc_expect(&cc, &cc_rows[_i].want,
	    cc_rows[_i].in ? cc_rows[_i].in : "(null)");
}
END_TEST

/* Every field of a fresh struct http_cc is absent. */
START_TEST(test_cc_init)
{
	struct http_cc			 cc;
	static const struct check_cc_want w = { 0, NA, NA, NA, NA, NA, NA };

	memset(&cc, 0xff, sizeof(cc));
	http_cc_init(&cc);
	check_http_cc_expect(&cc, &w, "init");
}
END_TEST

/* Fills q from a { name, value, ..., NULL } list. */
static void
check_http_cc_fill(struct evkeyvalq *q, const char *const *kv)
{
	size_t	 i;

	TAILQ_INIT(q);
	for (i = 0; kv[i] != NULL; i += 2)
		ck_assert_int_eq(evhttp_add_header(q, kv[i], kv[i + 1]), 0);
}

/* http_cc_parse_headers: every Cache-Control field, then Pragma. */
static const struct {
	const char		*hdrs[HDR_MAX];
	struct check_cc_want	 want;
} hdr_rows[] = {
	{ { NULL }, { 0, NA, NA, NA, NA, NA, NA } },
	{ { "Host", "a", "Age", "3", NULL }, { 0, NA, NA, NA, NA, NA, NA } },
	{ { "Cache-Control", "max-age=5", NULL },
	  { P, 5, NA, NA, NA, NA, NA } },
	/* several fields add up, whatever the case of the name */
	{ { "Cache-Control", "no-store", "Cache-Control", "max-age=5", NULL },
	  { P | NS, 5, NA, NA, NA, NA, NA } },
	{ { "cache-control", "public", "Host", "h", "CACHE-CONTROL",
	    "s-maxage=9, must-revalidate", NULL },
	  { P | PB | MR, NA, 9, NA, NA, NA, NA } },
	{ { "Host", "a", "Cache-Control", "private", "Age", "3",
	    "Cache-Control", "max-age=60", "Cache-Control", "immutable",
	    NULL },
	  { P | PV | IM, 60, NA, NA, NA, NA, NA } },
	{ { "Cache-Control", "no-cache=\"a, b\"", "Cache-Control",
	    "max-age=5", NULL },
	  { P | NC, 5, NA, NA, NA, NA, NA } },
	/* a conflict across fields is a conflict */
	{ { "Cache-Control", "max-age=5", "Cache-Control", "max-age=6",
	    NULL },
	  { P, 0, NA, NA, NA, NA, NA } },
	{ { "Cache-Control", "max-stale=9", "Cache-Control", "max-stale=3",
	    NULL },
	  { P, NA, NA, 3, NA, NA, NA } },
	/* an empty field is still a Cache-Control */
	{ { "Cache-Control", "", NULL }, { P, NA, NA, NA, NA, NA, NA } },
	{ { "X-Cache-Control", "no-store", "Cache-Controls", "no-store",
	    NULL },
	  { 0, NA, NA, NA, NA, NA, NA } },
	/* Pragma: no-cache only without any Cache-Control */
	{ { "Pragma", "no-cache", NULL }, { P | NC, NA, NA, NA, NA, NA, NA } },
	{ { "pragma", "x-foo, No-Cache", NULL },
	  { P | NC, NA, NA, NA, NA, NA, NA } },
	{ { "Pragma", "x-foo", "PRAGMA", "no-cache", NULL },
	  { P | NC, NA, NA, NA, NA, NA, NA } },
	{ { "Pragma", "no-cache", "Cache-Control", "max-age=5", NULL },
	  { P, 5, NA, NA, NA, NA, NA } },
	{ { "Cache-Control", "max-age=5", "Pragma", "no-cache", NULL },
	  { P, 5, NA, NA, NA, NA, NA } },
	{ { "Cache-Control", "", "Pragma", "no-cache", NULL },
	  { P, NA, NA, NA, NA, NA, NA } },
	{ { "Pragma", "x-foo", NULL }, { 0, NA, NA, NA, NA, NA, NA } },
	{ { "Pragma", "no-cache=x", NULL }, { 0, NA, NA, NA, NA, NA, NA } },
	{ { "Pragma", "", NULL }, { 0, NA, NA, NA, NA, NA, NA } },
};

START_TEST(test_cc_parse_headers)
{
	struct evkeyvalq	 q;
	struct http_cc		 cc;

	check_http_cc_fill(&q, hdr_rows[_i].hdrs);
	/* http_cc_parse_headers starts from http_cc_init itself */
	memset(&cc, 0x5a, sizeof(cc));
	http_cc_parse_headers(&q, &cc);
	check_http_cc_expect(&cc, &hdr_rows[_i].want,
	    hdr_rows[_i].hdrs[0] ? hdr_rows[_i].hdrs[0] : "(none)");
	evhttp_clear_headers(&q);
}
END_TEST

/* NULL headers read as no headers. */
START_TEST(test_cc_parse_headers_null)
{
	struct http_cc			 cc;
	static const struct check_cc_want w = { 0, NA, NA, NA, NA, NA, NA };

	memset(&cc, 0x5a, sizeof(cc));
	http_cc_parse_headers(NULL, &cc);
	check_http_cc_expect(&cc, &w, "(null)");
}
END_TEST

/* http_date_parse: want is the time, or -1 if s is rejected. */
static const struct {
	const char	*in;
	long long	 want;
} date_rows[] = {
	/* the three forms of RFC 9110 §5.6.7 */
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111777 },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", 784111777 },
	{ "Sun Nov  6 08:49:37 1994", 784111777 },
	{ "Sun Nov 06 08:49:37 1994", 784111777 },
	/* the weekday is not checked against the date */
	{ "Mon, 06 Nov 1994 08:49:37 GMT", 784111777 },
	/* the epoch; earlier dates become 0 */
	{ "Thu, 01 Jan 1970 00:00:00 GMT", 0 },
	{ "Thu Jan  1 00:00:00 1970", 0 },
	{ "Wed, 31 Dec 1969 23:59:59 GMT", 0 },
	{ "Mon, 01 Jan 0001 00:00:00 GMT", 0 },
	{ "Mon, 01 Jan 1900 00:00:00 GMT", 0 },
	/* leap days, and a leap second */
	{ "Tue, 29 Feb 2000 00:00:00 GMT", 951782400 },
	{ "Thu, 29 Feb 2024 23:59:59 GMT", 1709251199 },
	{ "Thu Feb 29 12:00:00 2024", 1709208000 },
	{ "Thursday, 29-Feb-24 23:59:59 GMT", 1709251199 },
	{ "Fri, 29 Feb 2100 00:00:00 GMT", -1 },
	{ "Wed, 29 Feb 1995 00:00:00 GMT", -1 },
	{ "Sat, 31 Dec 2016 23:59:60 GMT", 1483228800 },
	/* around 2^31 and beyond (64-bit time_t) */
	{ "Tue, 19 Jan 2038 03:14:07 GMT", 2147483647 },
	{ "Tue, 19 Jan 2038 03:14:08 GMT", 2147483648LL },
	{ "Sun, 07 Feb 2106 06:28:16 GMT", 4294967296LL },
	{ "Fri, 31 Dec 9999 23:59:59 GMT", 253402300799LL },
	{ "Tue Jan 19 03:14:08 2038", 2147483648LL },
	/* two-digit years: not more than 50 years ahead (from 2020 on) */
	{ "Tuesday, 19-Jan-38 03:14:07 GMT", 2147483647 },
	{ "Saturday, 01-Jan-00 00:00:00 GMT", 946684800 },
	{ "Friday, 31-Dec-99 23:59:59 GMT", 946684799 },
	{ "Thursday, 01-Jan-70 00:00:00 GMT", 3155760000LL },
	/* names: spelling and case */
	{ "sun, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "SUN, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Snu, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Noo 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 November 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 gmt", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 UTC", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 +0000", -1 },
	{ "Sunday, 06-Nov-94 08:49:37 gmt", -1 },
	{ "Sundy, 06-Nov-94 08:49:37 GMT", -1 },
	{ "sunday, 06-Nov-94 08:49:37 GMT", -1 },
	{ "sun Nov  6 08:49:37 1994", -1 },
	/* fields out of range */
	{ "Sun, 00 Jan 1994 08:49:37 GMT", -1 },
	{ "Sun, 32 Jan 1994 08:49:37 GMT", -1 },
	{ "Sun, 31 Apr 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 24:00:00 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:60:00 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49:61 GMT", -1 },
	{ "Sunday, 31-Jun-94 08:49:37 GMT", -1 },
	{ "Sun Nov 31 08:49:37 1994", -1 },
	{ "Sun Nov  0 08:49:37 1994", -1 },
	/* field widths and separators */
	{ "Sun, 6 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 94 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 8:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49 GMT", -1 },
	{ "Sun,  06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun,06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06-Nov-1994 08:49:37 GMT", -1 },
	{ "Sun 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 0x Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 19a4 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov -994 08:49:37 GMT", -1 },
	/* the forms do not mix */
	{ "Sun, 06-Nov-94 08:49:37 GMT", -1 },
	{ "Sunday, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sunday, 06-Nov-1994 08:49:37 GMT", -1 },
	{ "Sunday 06-Nov-94 08:49:37 GMT", -1 },
	{ "Sun Nov 6 08:49:37 1994", -1 },
	{ "Sun Nov  6 08:49:37 94", -1 },
	{ "Sun, Nov  6 08:49:37 1994", -1 },
	/* leading and trailing text */
	{ " Sun, 06 Nov 1994 08:49:37 GMT", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT ", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMTx", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT\r\n", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GMT, Mon", -1 },
	{ "Sun Nov  6 08:49:37 1994 GMT", -1 },
	{ "Sun Nov  6 08:49:37 19940", -1 },
	{ "Sunday, 06-Nov-94 08:49:37 GMT+1", -1 },
	/* truncated, empty and other junk (Expires: 0) */
	{ "Sun, 06 Nov 1994", -1 },
	{ "Sun, 06 Nov 1994 08:49:37 GM", -1 },
	{ "Sun", -1 },
	{ "Sunday,", -1 },
	{ "", -1 },
	{ "0", -1 },
	{ "-1", -1 },
	{ "784111777", -1 },
	{ "1994-11-06T08:49:37Z", -1 },
	{ NULL, -1 },
};

START_TEST(test_date_parse)
{
	long long	 want = date_rows[_i].want;
	time_t		 t;

	/* beyond 2038 a 32-bit time_t cannot hold the date */
	if (sizeof(time_t) < 8 && want > 2147483647LL)
		want = -1;
	t = http_date_parse(date_rows[_i].in);
	ck_assert_msg((long long)t == want, "'%s': got %lld, want %lld",
	    date_rows[_i].in ? date_rows[_i].in : "(null)", (long long)t,
	    want);
}
END_TEST

/* http_date_format, including the clamps at both ends. */
static const struct {
	long long	 t;
	const char	*want;
} fmt_rows[] = {
	{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },
	{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ -1, "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ -86400 * 365LL, "Thu, 01 Jan 1970 00:00:00 GMT" },
	{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
	{ 1000000000, "Sun, 09 Sep 2001 01:46:40 GMT" },
	{ 2147483647, "Tue, 19 Jan 2038 03:14:07 GMT" },
	{ 2147483648LL, "Tue, 19 Jan 2038 03:14:08 GMT" },
	{ 253402300799LL, "Fri, 31 Dec 9999 23:59:59 GMT" },
	{ 253402300800LL, "Fri, 31 Dec 9999 23:59:59 GMT" },
	{ 0x7fffffffffffffffLL, "Fri, 31 Dec 9999 23:59:59 GMT" },
};

START_TEST(test_date_format)
{
	char	 buf[30];

	if (sizeof(time_t) < 8 && (fmt_rows[_i].t > 2147483647LL ||
	    fmt_rows[_i].t < -2147483647LL - 1))
		return;
	memset(buf, 'x', sizeof(buf));
	http_date_format((time_t)fmt_rows[_i].t, buf, sizeof(buf));
	ck_assert_str_eq(buf, fmt_rows[_i].want);
}
END_TEST

/* A short buffer gets a truncated, NUL-terminated string. */
START_TEST(test_date_format_short)
{
	char	 buf[12];

	memset(buf, 'x', sizeof(buf));
	http_date_format(784111777, buf, 10);
	ck_assert_str_eq(buf, "Sun, 06 N");
	ck_assert_int_eq(buf[10], 'x');
	http_date_format(784111777, buf, 0);
	ck_assert_int_eq(buf[0], 'S');
}
END_TEST

/* Time ranges for the round trip: from, to, step (seconds). */
static const struct {
	long long	 from, to, step;
} trip_rows[] = {
	{ 0, 253402300799LL, 9999991 },		/* all of 1970-9999 */
	{ 0, 4102444800LL, 86399 },		/* daily, 1970-2100 */
	{ 946684800 - 86400, 946684800 + 86400, 1 },	/* Y2K */
	{ 951782400 - 3600, 951782400 + 86400 + 3600, 7 },  /* 2000-02-29 */
	{ 2147483647 - 86400, 2147483647LL + 86400, 13 },   /* 2^31 */
	{ 4107456000LL - 86400, 4107542400LL + 3600, 11 },  /* 2100: no 29th */
	{ 253402300799LL - 86400 * 366LL, 253402300799LL, 3593 },
};

/*
 * Formats t in the rfc850 and asctime forms, with English names taken
 * from strftime() in the C locale.
 */
static void
check_http_cc_obsolete(const struct tm *tm, char *rfc850, char *asc,
    size_t len)
{
	static const char *const days[7] = {
		"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday",
		"Friday", "Saturday"
	};
	char	 mon[8], wkday[8];

	strftime(mon, sizeof(mon), "%b", tm);
	strftime(wkday, sizeof(wkday), "%a", tm);
	snprintf(rfc850, len, "%s, %02d-%s-%02d %02d:%02d:%02d GMT",
	    days[tm->tm_wday], tm->tm_mday, mon, (tm->tm_year + 1900) % 100,
	    tm->tm_hour, tm->tm_min, tm->tm_sec);
	snprintf(asc, len, "%s %s %2d %02d:%02d:%02d %04d", wkday, mon,
	    tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec,
	    tm->tm_year + 1900);
}

START_TEST(test_date_round_trip)
{
	struct tm	 tm, now_tm;
	time_t		 t, now = time(NULL);
	long long	 x;
	char		 buf[64], ref[64], rfc850[64], asc[64];
	int		 cur, year;

	if (sizeof(time_t) < 8 && trip_rows[_i].to > 2147483647LL)
		return;
	ck_assert_ptr_nonnull(gmtime_r(&now, &now_tm));
	cur = now_tm.tm_year + 1900;
	/* plain ifs: every ck_assert would cost Check a pipe write */
	for (x = trip_rows[_i].from; x <= trip_rows[_i].to;
	    x += trip_rows[_i].step) {
		t = (time_t)x;
		if (gmtime_r(&t, &tm) == NULL)
			ck_abort_msg("gmtime_r(%lld) failed", x);
		http_date_format(t, buf, 30);
		strftime(ref, sizeof(ref), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		if (strcmp(buf, ref) != 0 || strlen(buf) != 29)
			ck_abort_msg("%lld: '%s', want '%s'", x, buf, ref);
		if (http_date_parse(buf) != t)
			ck_abort_msg("'%s' != %lld", buf, x);

		check_http_cc_obsolete(&tm, rfc850, asc, sizeof(rfc850));
		if (http_date_parse(asc) != t)
			ck_abort_msg("'%s' != %lld", asc, x);
		/* a two-digit year reads back only near the present */
		year = tm.tm_year + 1900;
		if (year > cur - 49 && year < cur + 49 &&
		    http_date_parse(rfc850) != t)
			ck_abort_msg("'%s' != %lld", rfc850, x);
	}
}
END_TEST

/* Parses an rfc850-date on day/mon of year, gives the year it read as. */
static int
check_http_cc_year(int year, const char *daymon, const char *tod)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[64];

	snprintf(buf, sizeof(buf), "Monday, %s-%02d %s GMT", daymon,
	    year % 100, tod);
	t = http_date_parse(buf);
	ck_assert_msg(t != -1, "'%s' rejected", buf);
	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	return (tm.tm_year + 1900);
}

/*
 * RFC 9110 §5.6.7: a two-digit year more than 50 years ahead of the
 * clock is in the past century.  Relative to the current year.
 */
START_TEST(test_date_rfc850_window)
{
	struct tm	 now_tm;
	time_t		 now = time(NULL);
	int		 cur;

	if (sizeof(time_t) < 8)
		return;
	ck_assert_ptr_nonnull(gmtime_r(&now, &now_tm));
	cur = now_tm.tm_year + 1900;
	ck_assert_int_eq(check_http_cc_year(cur, "01-Jan", "00:00:00"), cur);
	ck_assert_int_eq(check_http_cc_year(cur + 1, "01-Jan", "00:00:00"),
	    cur + 1);
	ck_assert_int_eq(check_http_cc_year(cur - 1, "01-Jan", "00:00:00"),
	    cur - 1);
	ck_assert_int_eq(check_http_cc_year(cur + 49, "31-Dec", "23:59:59"),
	    cur + 49);
	ck_assert_int_eq(check_http_cc_year(cur + 50, "01-Jan", "00:00:00"),
	    cur + 50);
	ck_assert_int_eq(check_http_cc_year(cur + 51, "01-Jan", "00:00:00"),
	    cur - 49);
	ck_assert_int_eq(check_http_cc_year(cur - 50, "01-Jan", "00:00:00"),
	    cur + 50);
	/* later in year cur + 50 than now is more than 50 years ahead */
	if (now_tm.tm_mon != 11 || now_tm.tm_mday != 31)
		ck_assert_int_eq(check_http_cc_year(cur + 50, "31-Dec",
		    "23:59:59"), cur - 50);
}
END_TEST

Suite *http_cc_suite(void);

/* The Cache-Control and HTTP-date tests, one TCase each. */
Suite *
http_cc_suite(void)
{
	Suite	*s = suite_create("http_cc");
	TCase	*tc;

	tc = tcase_create("cc");
	tcase_add_test(tc, test_cc_init);
	tcase_add_loop_test(tc, test_cc_parse, 0, NROWS(cc_rows));
	tcase_add_loop_test(tc, test_cc_parse_headers, 0, NROWS(hdr_rows));
	tcase_add_test(tc, test_cc_parse_headers_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("date");
	tcase_add_loop_test(tc, test_date_parse, 0, NROWS(date_rows));
	tcase_add_loop_test(tc, test_date_format, 0, NROWS(fmt_rows));
	tcase_add_test(tc, test_date_format_short);
	tcase_add_loop_test(tc, test_date_round_trip, 0, NROWS(trip_rows));
	tcase_add_test(tc, test_date_rfc850_window);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite; exits non-zero if any test failed. */
int
main(void)
{
	SRunner	*sr;
	int	 failed;

	/*
	 * A zone far from UTC, with DST, proves that nothing depends on
	 * it; as a POSIX string it also spares strftime() a file lookup.
	 */
	setenv("TZ", "NZST-12NZDT,M9.5.0,M4.1.0/3", 1);
	tzset();
	sr = srunner_create(http_cc_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
