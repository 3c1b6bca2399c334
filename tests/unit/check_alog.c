/*
 * check_alog.c: the access log's line formats (alog.c).  The Squid line
 * is built without printf; these rows hold it to the printf format it
 * replaced, for every length of buffer (alog_format_line's contract: the
 * length the line needs, and a cut line is still a C string).
 */
#include "alog.h"
#include "stats.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))

static const struct {
	long long	 when;
	int		 when_ms;
	long		 ms;
	const char	*result;
	int		 status;
	unsigned long long bytes;
	int		 upstream;
	const char	*host;
	const char	*want_code;
} rows[] = {
	{ 1795658746, 983, 0, "HIT", 200, 1024, 0, "a.example", "TCP_HIT" },
	{ 1795658746, 5, 123456, "MISS", 200, 0, 200, "a.example",
	    "TCP_MISS" },
	{ 1, 0, 1234567, "TUNNEL", 200, 18446744073709551615ULL, 0,
	    "b:443", "TCP_TUNNEL" },
	{ 0, 999, 7, "ERROR", 502, 0, 0, NULL, "NONE" },
	{ 1795658746, 42, 3, "MISS", 504, 12, 0, NULL, "TCP_MISS" },
	{ 2000000000, 1, -1, "HIT", 200, 1, 0, NULL, "TCP_HIT" },
};

START_TEST(test_squid_line)
{
	struct stats_req	 r;
	char			 want[512], got[512];
	const char		*code;
	size_t			 n, cut;
	int			 direct;

	memset(&r, 0, sizeof(r));
	r.when = (time_t)rows[_i].when;
	r.when_ms = rows[_i].when_ms;
	r.ms = rows[_i].ms;
	r.client = "127.0.0.1";
	r.method = "GET";
	r.url = "http://a.example/x?y=%20";
	r.result = rows[_i].result;
	r.status = rows[_i].status;
	r.bytes = rows[_i].bytes;
	r.upstream_status = rows[_i].upstream;
	r.host = rows[_i].host;
	n = alog_format_line(got, sizeof(got), ALOG_SQUID, &r);
	/* the result code is the formatter's own; take it from the line */
	code = strstr(got, " 127.0.0.1 ");
	ck_assert_ptr_nonnull(code);
	code += strlen(" 127.0.0.1");
	direct = r.upstream_status != 0 || strcmp(r.result, "TUNNEL") == 0;
	snprintf(want, sizeof(want), "%lld.%03d %6ld %s %.*s/%03d %llu %s "
	    "%s - %s/%s -", (long long)r.when, r.when_ms, r.ms, r.client,
	    (int)strcspn(code + 1, "/"), code + 1, r.status,
	    (unsigned long long)r.bytes, r.method, r.url,
	    direct ? "HIER_DIRECT" : "HIER_NONE",
	    direct && r.host != NULL ? r.host : "-");
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert(strncmp(code + 1, rows[_i].want_code,
	    strlen(rows[_i].want_code)) == 0);
	/* cut at every length: the same count, a prefix, a C string */
	for (cut = 1; cut <= n + 1; cut++) {
		memset(got, 'x', sizeof(got));
		ck_assert_uint_eq(alog_format_line(got, cut, ALOG_SQUID, &r),
		    n);
		ck_assert_uint_eq(strlen(got), cut - 1);
		ck_assert(strncmp(got, want, cut - 1) == 0);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("alog");
	TCase	*tc = tcase_create("formats");
	SRunner	*sr;
	int	 failed;

	tcase_add_loop_test(tc, test_squid_line, 0, NROWS(rows));
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
