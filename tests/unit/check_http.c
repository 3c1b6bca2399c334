/*
 * check_http.c: table-driven tests of the http module (http_url.c and
 * http_hdr.c).  Every test is a loop test: _i indexes its rows[] table,
 * one row per case, input -> expected.  The cache-key table states the
 * property the proxy relies on: absolute form and path form of the same
 * resource normalize to byte-identical strings.
 */
#include "http.h"

#include <sys/queue.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* Labels and names at the length limits (a DNS label is 63, a name 253). */
#define X10	"xxxxxxxxxx"
#define L61	X10 X10 X10 X10 X10 X10 "x"
#define L63	L61 "xx"
#define L64	L63 "x"
#define NAME253	L63 "." L63 "." L63 "." L61
#define NAME256	L63 "." L63 "." L63 "." L63 "."
#define NAME300	NAME256 X10 X10 X10 X10

/*
 * http_url_parse: want == NULL means rejected.  Otherwise the parsed
 * fields and http_url_string() of the result.
 */
static const struct {
	const char	*in;
	const char	*scheme, *host;
	unsigned	 port;
	const char	*path;
	const char	*want;
} url_rows[] = {
	/* lower case, default ports */
	{ "HTTP://Example.COM:80", "http", "example.com", 80, "/",
	    "http://example.com/" },
	{ "http://example.com", "http", "example.com", 80, "/",
	    "http://example.com/" },
	{ "https://example.com", "https", "example.com", 443, "/",
	    "https://example.com/" },
	{ "HTTPS://EXAMPLE.com:443/A", "https", "example.com", 443, "/A",
	    "https://example.com/A" },
	{ "https://example.com:80/", "https", "example.com", 80, "/",
	    "https://example.com:80/" },
	{ "http://example.com:443/", "http", "example.com", 443, "/",
	    "http://example.com:443/" },
	/* explicit ports */
	{ "http://example.com:8080/a?b#c", "http", "example.com", 8080,
	    "/a?b", "http://example.com:8080/a?b" },
	{ "http://example.com:1/", "http", "example.com", 1, "/",
	    "http://example.com:1/" },
	{ "http://example.com:65535/", "http", "example.com", 65535, "/",
	    "http://example.com:65535/" },
	{ "http://example.com:00080/", "http", "example.com", 80, "/",
	    "http://example.com/" },
	{ "http://example.com:/x", "http", "example.com", 80, "/x",
	    "http://example.com/x" },
	{ "http://example.com:0/", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com:65536/", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com:99999999/", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com:000080/", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com:8o/", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com:-1/", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com:80:80/", NULL, NULL, 0, NULL, NULL },
	/* user info is dropped */
	{ "http://user:pw@Example.com/a", "http", "example.com", 80, "/a",
	    "http://example.com/a" },
	{ "http://a@b@example.com:81/", "http", "example.com", 81, "/",
	    "http://example.com:81/" },
	{ "http://user@/a", NULL, NULL, 0, NULL, NULL },
	/* IPv6 and IPv4 literals */
	{ "http://[::1]:8080", "http", "[::1]", 8080, "/",
	    "http://[::1]:8080/" },
	{ "http://[::1]/x", "http", "[::1]", 80, "/x", "http://[::1]/x" },
	{ "http://[2001:DB8::A]/", "http", "[2001:db8::a]", 80, "/",
	    "http://[2001:db8::a]/" },
	{ "http://[::1/", NULL, NULL, 0, NULL, NULL },
	{ "http://[::1]x/", NULL, NULL, 0, NULL, NULL },
	{ "http://[zz]/", NULL, NULL, 0, NULL, NULL },
	{ "http://::1/", NULL, NULL, 0, NULL, NULL },
	{ "http://127.0.0.1:8888/x", "http", "127.0.0.1", 8888, "/x",
	    "http://127.0.0.1:8888/x" },
	/* path, query and fragment */
	{ "http://example.com?q", "http", "example.com", 80, "/?q",
	    "http://example.com/?q" },
	{ "http://example.com#frag", "http", "example.com", 80, "/",
	    "http://example.com/" },
	{ "http://example.com/a#b?c", "http", "example.com", 80, "/a",
	    "http://example.com/a" },
	{ "http://example.com/A/%7E?B=C", "http", "example.com", 80,
	    "/A/%7E?B=C", "http://example.com/A/%7E?B=C" },
	{ "http://example.com/a b", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com/a\tb", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com/a\x01", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com/a\x7f", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com/?a b", NULL, NULL, 0, NULL, NULL },
	{ "http://example.com/a#b c", "http", "example.com", 80, "/a",
	    "http://example.com/a" },
	/* trailing dot on the host */
	{ "http://Example.com./a", "http", "example.com", 80, "/a",
	    "http://example.com/a" },
	{ "http://example.com.:8080/", "http", "example.com", 8080, "/",
	    "http://example.com:8080/" },
	{ "http://./", NULL, NULL, 0, NULL, NULL },
	{ "http://example..com/", NULL, NULL, 0, NULL, NULL },
	/* schemes */
	{ "ftp://example.com/", NULL, NULL, 0, NULL, NULL },
	{ "httpx://example.com/", NULL, NULL, 0, NULL, NULL },
	{ "verylongscheme://example.com/", NULL, NULL, 0, NULL, NULL },
	{ "example.com/a", NULL, NULL, 0, NULL, NULL },
	{ "http:/example.com/a", NULL, NULL, 0, NULL, NULL },
	{ "//example.com/a", NULL, NULL, 0, NULL, NULL },
	{ "http://", NULL, NULL, 0, NULL, NULL },
	{ "http:///a", NULL, NULL, 0, NULL, NULL },
	{ "", NULL, NULL, 0, NULL, NULL },
	/* host syntax and length */
	{ "http://exa mple.com/", NULL, NULL, 0, NULL, NULL },
	{ "http://exa%41mple.com/", NULL, NULL, 0, NULL, NULL },
	{ "http://" NAME253 "/", "http", NAME253, 80, "/",
	    "http://" NAME253 "/" },
	{ "http://" NAME256 "/", NULL, NULL, 0, NULL, NULL },
	{ "http://" NAME300 "/", NULL, NULL, 0, NULL, NULL },
	{ "http://" L64 ".com/", NULL, NULL, 0, NULL, NULL },
};

START_TEST(test_url_parse)
{
	struct http_url	 u, u2;
	char		*s, *s2;
	int		 rv;

	memset(&u, 0xa5, sizeof(u));
	rv = http_url_parse(url_rows[_i].in, &u);
	if (url_rows[_i].want == NULL) {
		ck_assert_msg(rv == -1, "'%s' accepted as %s://%s:%u%s",
		    url_rows[_i].in, u.scheme, u.host, u.port,
		    u.path ? u.path : "(null)");
		/* a failed parse leaves nothing to free */
		ck_assert_ptr_null(u.path);
		return;
	}
	ck_assert_msg(rv == 0, "'%s' rejected", url_rows[_i].in);
	ck_assert_str_eq(u.scheme, url_rows[_i].scheme);
	ck_assert_str_eq(u.host, url_rows[_i].host);
	ck_assert_uint_eq(u.port, url_rows[_i].port);
	ck_assert_str_eq(u.path, url_rows[_i].path);
	s = http_url_string(&u);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, url_rows[_i].want);
	/* into a buffer: the whole length, cut anywhere, always a string */
	{
		char	 buf[512];
		size_t	 want = strlen(s), cut;

		ck_assert_uint_eq(http_url_format(&u, NULL, 0), want);
		for (cut = 1; cut <= want + 1 && cut <= sizeof(buf); cut++) {
			memset(buf, 'x', sizeof(buf));
			ck_assert_uint_eq(http_url_format(&u, buf, cut), want);
			ck_assert_uint_eq(strlen(buf), cut - 1);
			ck_assert(strncmp(buf, s, cut - 1) == 0);
		}
	}

	/* the normalized form is a fixed point */
	ck_assert_int_eq(http_url_parse(s, &u2), 0);
	s2 = http_url_string(&u2);
	ck_assert_ptr_nonnull(s2);
	ck_assert_str_eq(s2, s);
	free(s2);
	http_url_clear(&u2);
	free(s);
	http_url_clear(&u);
	ck_assert_ptr_null(u.path);
}
END_TEST

/* http_url_authority and http_url_default_port. */
static const struct {
	const char	*scheme, *host;
	unsigned	 port;
	unsigned	 defport;
	const char	*want;
} auth_rows[] = {
	{ "http", "example.com", 80, 80, "example.com" },
	{ "http", "example.com", 443, 80, "example.com:443" },
	{ "https", "example.com", 443, 443, "example.com" },
	{ "https", "example.com", 80, 443, "example.com:80" },
	{ "http", "[::1]", 8080, 80, "[::1]:8080" },
	{ "http", "h", 65535, 80, "h:65535" },
};

START_TEST(test_url_authority)
{
	struct http_url	 u;
	char		 buf[HTTP_HOST_MAX + 8];

	memset(&u, 0, sizeof(u));
	snprintf(u.scheme, sizeof(u.scheme), "%s", auth_rows[_i].scheme);
	snprintf(u.host, sizeof(u.host), "%s", auth_rows[_i].host);
	u.port = auth_rows[_i].port;
	ck_assert_uint_eq(http_url_default_port(u.scheme),
	    auth_rows[_i].defport);
	http_url_authority(&u, buf, sizeof(buf));
	ck_assert_str_eq(buf, auth_rows[_i].want);
}
END_TEST

#define SELF	"127.0.0.1:8888"
#define REF	"http://127.0.0.1:8888/example.com/dir/page.html"

/*
 * http_target_parse: want is the normalized URL for ABSOLUTE, PATH and
 * REFERER, NULL for the others (out->path must then stay NULL).
 */
static const struct {
	const char		*target, *referer, *self;
	enum http_target	 t;
	const char		*want;
} target_rows[] = {
	/* absolute form */
	{ "http://Example.COM:80/a?b", NULL, NULL, HTTP_TARGET_ABSOLUTE,
	    "http://example.com/a?b" },
	{ "http://example.com", REF, SELF, HTTP_TARGET_ABSOLUTE,
	    "http://example.com/" },
	{ "https://example.com/", NULL, NULL, HTTP_TARGET_ABSOLUTE,
	    "https://example.com/" },
	{ "ftp://example.com/", NULL, NULL, HTTP_TARGET_BAD, NULL },
	{ "example.com:443", NULL, NULL, HTTP_TARGET_BAD, NULL },
	{ "*", NULL, NULL, HTTP_TARGET_BAD, NULL },
	{ "", NULL, NULL, HTTP_TARGET_BAD, NULL },
	{ "", REF, SELF, HTTP_TARGET_BAD, NULL },
	{ NULL, NULL, NULL, HTTP_TARGET_BAD, NULL },
	/* path form: host as the first segment */
	{ "/example.com/a?b", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a?b" },
	{ "/example.com:8080/a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com:8080/a" },
	{ "/example.com:80/a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a" },
	{ "/EXAMPLE.com", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/" },
	{ "/example.com?q", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/?q" },
	{ "/example.com/a#frag", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a" },
	{ "/example.com./a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a" },
	{ "/www.example.co.uk/", NULL, NULL, HTTP_TARGET_PATH,
	    "http://www.example.co.uk/" },
	{ "/localhost:8080/x", NULL, NULL, HTTP_TARGET_PATH,
	    "http://localhost:8080/x" },
	{ "/localhost/x", NULL, NULL, HTTP_TARGET_PATH,
	    "http://localhost/x" },
	{ "/127.0.0.1/x", NULL, NULL, HTTP_TARGET_PATH,
	    "http://127.0.0.1/x" },
	{ "/127.0.0.1:8080/x", NULL, NULL, HTTP_TARGET_PATH,
	    "http://127.0.0.1:8080/x" },
	{ "/[::1]:81/x", NULL, NULL, HTTP_TARGET_PATH,
	    "http://[::1]:81/x" },
	{ "/[::1]/x", NULL, NULL, HTTP_TARGET_PATH, "http://[::1]/x" },
	{ "/example.com/a b", NULL, NULL, HTTP_TARGET_BAD, NULL },
	{ "/example.com:99999/a", NULL, NULL, HTTP_TARGET_BAD, NULL },
	/* path form: a scheme first, "//" possibly squashed to "/" */
	{ "/http://example.com/a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a" },
	{ "/http:/example.com/a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a" },
	{ "/HTTP://Example.com:80/a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://example.com/a" },
	{ "/http://intranet/a", NULL, NULL, HTTP_TARGET_PATH,
	    "http://intranet/a" },
	{ "/https://example.com/", NULL, NULL, HTTP_TARGET_PATH,
	    "https://example.com/" },
	{ "/https:/example.com:8443/x", NULL, NULL, HTTP_TARGET_PATH,
	    "https://example.com:8443/x" },
	{ "/http://", NULL, NULL, HTTP_TARGET_BAD, NULL },
	{ "/http://exa mple.com/", NULL, NULL, HTTP_TARGET_BAD, NULL },
	/* the proxy's own page */
	{ "/", NULL, NULL, HTTP_TARGET_SELF, NULL },
	{ "/?x", NULL, NULL, HTTP_TARGET_SELF, NULL },
	{ "/#x", NULL, NULL, HTTP_TARGET_SELF, NULL },
	{ "/", REF, SELF, HTTP_TARGET_SELF, NULL },
	/* first segment is no host, and no usable Referer */
	{ "/img/a.png", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/favicon.ico", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/index.HTML", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/a.b.c.123/x", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/1.2.3/x", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/intranet/x", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/example.com:/x", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/example.com:ab/x", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "//example.com/x", NULL, NULL, HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", REF, NULL, HTTP_TARGET_NOHOST, NULL },
	/* Referer on another host or port than self */
	{ "/style.css", "http://127.0.0.1:8889/example.com/dir/page.html",
	    SELF, HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", "http://10.0.0.1:8888/example.com/dir/page.html",
	    SELF, HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", REF, "127.0.0.1", HTTP_TARGET_NOHOST, NULL },
	/* Referer in absolute form: the page was not fetched in path form */
	{ "/style.css", "http://example.com/dir/page.html", SELF,
	    HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", "http://example.com/dir/page.html",
	    "example.com", HTTP_TARGET_NOHOST, NULL },
	/* Referer on self, but its path names no origin */
	{ "/style.css", "http://127.0.0.1:8888/dir/page.html", SELF,
	    HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", "http://127.0.0.1:8888/", SELF,
	    HTTP_TARGET_NOHOST, NULL },
	{ "/style.css", "not a url", SELF, HTTP_TARGET_NOHOST, NULL },
	/* sub-resources of a path-form page */
	{ "/style.css", REF, SELF, HTTP_TARGET_REFERER,
	    "http://example.com/style.css" },
	{ "/img/a.png", REF, SELF, HTTP_TARGET_REFERER,
	    "http://example.com/img/a.png" },
	{ "/favicon.ico", REF, SELF, HTTP_TARGET_REFERER,
	    "http://example.com/favicon.ico" },
	{ "/s.js?v=1#x", REF, SELF, HTTP_TARGET_REFERER,
	    "http://example.com/s.js?v=1" },
	{ "/style.css", "http://127.0.0.1:8888/example.com:8080/p", SELF,
	    HTTP_TARGET_REFERER, "http://example.com:8080/style.css" },
	{ "/style.css", "http://127.0.0.1:8888/http://intranet/p", SELF,
	    HTTP_TARGET_REFERER, "http://intranet/style.css" },
	{ "/style.css", "HTTP://127.0.0.1:8888/Example.COM/", SELF,
	    HTTP_TARGET_REFERER, "http://example.com/style.css" },
	{ "/style.css", "http://localhost/example.com/", "LOCALHOST:80",
	    HTTP_TARGET_REFERER, "http://example.com/style.css" },
	{ "/style.css", "http://[::1]:8888/example.com/", "[::1]:8888",
	    HTTP_TARGET_REFERER, "http://example.com/style.css" },
	/* a host in the path wins over the Referer */
	{ "/other.org/x", REF, SELF, HTTP_TARGET_PATH,
	    "http://other.org/x" },
	/* the sub-resource path itself must be valid */
	{ "/a b.css", REF, SELF, HTTP_TARGET_BAD, NULL },
};

START_TEST(test_target_parse)
{
	struct http_url		 u;
	enum http_target	 t;
	char			*s;

	memset(&u, 0xa5, sizeof(u));
	t = http_target_parse(target_rows[_i].target, target_rows[_i].referer,
	    target_rows[_i].self, &u);
	ck_assert_msg(t == target_rows[_i].t, "'%s' referer '%s': got %d, "
	    "want %d", target_rows[_i].target ? target_rows[_i].target :
	    "(null)", target_rows[_i].referer ? target_rows[_i].referer :
	    "(null)", (int)t, (int)target_rows[_i].t);
	if (target_rows[_i].want == NULL) {
		ck_assert_ptr_null(u.path);
		return;
	}
	s = http_url_string(&u);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, target_rows[_i].want);
	free(s);
	http_url_clear(&u);
}
END_TEST

/*
 * The cache key: each resource as the proxy receives it in absolute form
 * and in path form.  Both must normalize to the same bytes.
 */
static const struct {
	const char	*absolute, *pathform;
} key_rows[] = {
	{ "http://Example.COM:80/a?b", "/example.com/a?b" },
	{ "http://example.com/a?b", "/EXAMPLE.COM:80/a?b#f" },
	{ "http://example.com:8080/a", "/example.com:8080/a" },
	{ "http://example.com/a", "/http://example.com/a" },
	{ "http://example.com/a", "/http:/example.com/a" },
	{ "HTTP://EXAMPLE.com", "/EXAMPLE.com" },
	{ "http://example.com/?q", "/example.com?q" },
	{ "http://user:pw@example.com/a#f", "/example.com/a" },
	{ "http://example.com./a", "/example.com./a" },
	{ "http://example.com./a", "/example.com/a" },
	{ "http://[::1]:81/x", "/[::1]:81/x" },
	{ "http://127.0.0.1/x", "/127.0.0.1/x" },
	{ "http://localhost:8080/x", "/localhost:8080/x" },
	{ "http://intranet/x", "/http://intranet/x" },
	{ "https://example.com:443/", "/https://example.com/" },
};

START_TEST(test_cache_key)
{
	struct http_url	 a, p;
	char		*sa, *sp;

	ck_assert_int_eq(http_target_parse(key_rows[_i].absolute, NULL, NULL,
	    &a), HTTP_TARGET_ABSOLUTE);
	ck_assert_int_eq(http_target_parse(key_rows[_i].pathform, NULL, NULL,
	    &p), HTTP_TARGET_PATH);
	sa = http_url_string(&a);
	sp = http_url_string(&p);
	ck_assert_ptr_nonnull(sa);
	ck_assert_ptr_nonnull(sp);
	ck_assert_str_eq(sa, sp);
	ck_assert_uint_eq(strlen(sa), strlen(sp));
	ck_assert_int_eq(memcmp(sa, sp, strlen(sa) + 1), 0);
	free(sa);
	free(sp);
	http_url_clear(&a);
	http_url_clear(&p);
}
END_TEST

/* http_host_valid: len < 0 means strlen(s). */
static const struct {
	const char	*s;
	int		 len;
	int		 want;
} host_rows[] = {
	{ "example.com", -1, 1 },
	{ "EXAMPLE.com", -1, 1 },
	{ "a", -1, 1 },
	{ "localhost", -1, 1 },
	{ "x-y_z.example.com", -1, 1 },
	{ "123.example.com", -1, 1 },
	{ "example.com.", -1, 1 },
	{ "127.0.0.1", -1, 1 },
	{ L63 ".com", -1, 1 },
	{ NAME253, -1, 1 },
	{ "[::1]", -1, 1 },
	{ "[2001:db8::1]", -1, 1 },
	{ "[::ffff:1.2.3.4]", -1, 1 },
	{ "example.com/x", 11, 1 },	/* only s[0..len) counts */
	{ "example.com:80", 11, 1 },
	{ "", -1, 0 },
	{ "example.com", 0, 0 },
	{ ".", -1, 0 },
	{ ".example.com", -1, 0 },
	{ "example..com", -1, 0 },
	{ "example.com..", -1, 0 },
	{ L64 ".com", -1, 0 },
	{ "a." L64, -1, 0 },
	{ NAME256, -1, 0 },
	{ NAME300, -1, 0 },
	{ "exa mple.com", -1, 0 },
	{ "exa*mple.com", -1, 0 },
	{ "example.com:80", -1, 0 },
	{ "user@example.com", -1, 0 },
	{ "example.com/", -1, 0 },
	{ "ex\xc3\xa9mple.com", -1, 0 },
	{ "::1", -1, 0 },
	{ "[::1", -1, 0 },
	{ "::1]", -1, 0 },
	{ "[]", -1, 0 },
	{ "[zz]", -1, 0 },
	{ "[1.2.3.4]", -1, 0 },
	{ "[::1]:80", -1, 0 },
	{ "[::1]x", -1, 0 },
};

START_TEST(test_host_valid)
{
	const char	*s = host_rows[_i].s;
	size_t		 len;

	len = host_rows[_i].len < 0 ? strlen(s) : (size_t)host_rows[_i].len;
	ck_assert_msg(http_host_valid(s, len) == host_rows[_i].want,
	    "'%.*s' (len %zu): want %d", (int)len, s, len, host_rows[_i].want);
}
END_TEST

#define BASE	"http://example.com/dir/page?z"

/*
 * http_location_to_pathform: the Location an origin sent in reply to a
 * fetch of base, the rewritten Location (NULL = left alone), and the URL
 * the proxy must fetch when the browser follows the rewritten one (the
 * rewrite has to parse back as a path-form target).
 */
static const struct {
	const char	*base, *loc;
	const char	*want;
	const char	*fetch;
} loc_rows[] = {
	/* absolute http */
	{ BASE, "http://other.org/x", "/other.org/x",
	    "http://other.org/x" },
	{ BASE, "http://h:8080/x", "/h:8080/x", "http://h:8080/x" },
	{ BASE, "HTTP://Other.ORG:80/x?y", "/other.org/x?y",
	    "http://other.org/x?y" },
	{ BASE, "http://other.org", "/other.org/", "http://other.org/" },
	{ BASE, "http://[::1]:8080/x", "/[::1]:8080/x",
	    "http://[::1]:8080/x" },
	{ BASE, "http://127.0.0.1/x", "/127.0.0.1/x",
	    "http://127.0.0.1/x" },
	/* a host "/h/x" would not name: keep the scheme in the path */
	{ BASE, "http://intranet/x", "/http://intranet/x",
	    "http://intranet/x" },
	{ BASE, "http://a.b.c.123/x", "/http://a.b.c.123/x",
	    "http://a.b.c.123/x" },
	/* scheme-relative */
	{ BASE, "//cdn.org/x", "/cdn.org/x", "http://cdn.org/x" },
	{ BASE, "//cdn.org:81", "/cdn.org:81/", "http://cdn.org:81/" },
	/* path-absolute and relative, against base */
	{ BASE, "/x", "/example.com/x", "http://example.com/x" },
	{ BASE, "/", "/example.com/", "http://example.com/" },
	{ BASE, "x", "/example.com/dir/x", "http://example.com/dir/x" },
	{ BASE, "x/y?q", "/example.com/dir/x/y?q",
	    "http://example.com/dir/x/y?q" },
	{ BASE, "?q", "/example.com/dir/page?q",
	    "http://example.com/dir/page?q" },
	{ BASE, "./x", "/example.com/dir/x", "http://example.com/dir/x" },
	{ BASE, "../x", "/example.com/x", "http://example.com/x" },
	{ BASE, "../../x", "/example.com/x", "http://example.com/x" },
	{ BASE, "/../x", "/example.com/x", "http://example.com/x" },
	{ BASE, "/a/./b/../c", "/example.com/a/c",
	    "http://example.com/a/c" },
	{ BASE, "..", "/example.com/", "http://example.com/" },
	{ BASE, "/x?a/../b", "/example.com/x?a/../b",
	    "http://example.com/x?a/../b" },
	{ BASE, "/x/.", "/example.com/x/", "http://example.com/x/" },
	{ BASE, "/a/b/..", "/example.com/a/", "http://example.com/a/" },
	{ BASE, "//cdn.org//..", "/cdn.org/", "http://cdn.org/" },
	{ BASE, "/.../.x/x./..x", "/example.com/.../.x/x./..x",
	    "http://example.com/.../.x/x./..x" },
	{ BASE, "/a/..?q#f", "/example.com/?q#f", "http://example.com/?q" },
	{ BASE, "http://localhost/x", "/localhost/x",
	    "http://localhost/x" },
	{ BASE, "http://example.com./x", "/example.com/x",
	    "http://example.com/x" },
	/* an https base keeps its scheme ("/h/x" would mean http) */
	{ "https://example.com/d/p", "/x", "/https://example.com/x",
	    "https://example.com/x" },
	{ BASE, "http://other.org/a/../../x", "/other.org/x",
	    "http://other.org/x" },
	{ "http://example.com:8080/", "x", "/example.com:8080/x",
	    "http://example.com:8080/x" },
	{ "http://example.com", "?q", "/example.com/?q",
	    "http://example.com/?q" },
	{ "http://intranet/dir/", "/x", "/http://intranet/x",
	    "http://intranet/x" },
	{ "http://[::1]:81/d/p", "q", "/[::1]:81/d/q",
	    "http://[::1]:81/d/q" },
	/* left alone */
	{ BASE, "https://example.com/x", NULL, NULL },
	{ BASE, "HTTPS://example.com/x", NULL, NULL },
	{ "https://example.com/", "//cdn.org/x", NULL, NULL },
	{ BASE, "mailto:a@b", NULL, NULL },
	{ BASE, "ftp://example.com/x", NULL, NULL },
	{ BASE, "javascript:x", NULL, NULL },
	{ BASE, "#frag", NULL, NULL },
	{ BASE, "", NULL, NULL },
	{ BASE, "http://", NULL, NULL },
	{ BASE, "http://exa mple.com/", NULL, NULL },
	{ BASE, "//", NULL, NULL },
	{ BASE, NULL, NULL, NULL },
};

START_TEST(test_location)
{
	struct http_url	 base, u;
	char		*s, *f;

	ck_assert_int_eq(http_url_parse(loc_rows[_i].base, &base), 0);
	s = http_location_to_pathform(loc_rows[_i].loc, &base);
	if (loc_rows[_i].want == NULL) {
		ck_assert_msg(s == NULL, "'%s' rewritten to '%s'",
		    loc_rows[_i].loc, s);
		http_url_clear(&base);
		return;
	}
	ck_assert_msg(s != NULL, "'%s' left alone", loc_rows[_i].loc);
	ck_assert_str_eq(s, loc_rows[_i].want);

	/* following the rewritten Location reaches the right origin URL */
	ck_assert_int_eq(http_target_parse(s, NULL, NULL, &u),
	    HTTP_TARGET_PATH);
	f = http_url_string(&u);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(f, loc_rows[_i].fetch);
	free(f);
	http_url_clear(&u);
	free(s);
	http_url_clear(&base);
}
END_TEST

/* http_hdr_is_hop_by_hop. */
static const struct {
	const char	*name;
	int		 want;
} hop_rows[] = {
	{ "Connection", 1 },
	{ "Keep-Alive", 1 },
	{ "Proxy-Connection", 1 },
	{ "TE", 1 },
	{ "Trailer", 1 },
	{ "Transfer-Encoding", 1 },
	{ "Upgrade", 1 },
	{ "Proxy-Authorization", 1 },
	{ "Proxy-Authenticate", 1 },
	{ "connection", 1 },
	{ "KEEP-ALIVE", 1 },
	{ "proxy-connection", 1 },
	{ "te", 1 },
	{ "tRaIlEr", 1 },
	{ "transfer-encoding", 1 },
	{ "UPGRADE", 1 },
	{ "proxy-authorization", 1 },
	{ "Host", 0 },
	{ "Content-Length", 0 },
	{ "Content-Type", 0 },
	{ "Cache-Control", 0 },
	{ "Authorization", 0 },
	{ "Cookie", 0 },
	{ "Via", 0 },
	{ "Trailers", 0 },
	{ "Connections", 0 },
	{ "Keep-Alive-X", 0 },
	{ "T", 0 },
	{ "", 0 },
};

START_TEST(test_hop_by_hop)
{
	ck_assert_msg(http_hdr_is_hop_by_hop(hop_rows[_i].name) ==
	    hop_rows[_i].want, "'%s': want %d", hop_rows[_i].name,
	    hop_rows[_i].want);
}
END_TEST

/* http_hdr_list_has. */
static const struct {
	const char	*list, *token;
	int		 want;
} list_rows[] = {
	{ "close", "close", 1 },
	{ "Close", "close", 1 },
	{ "close", "CLOSE", 1 },
	{ "keep-alive, close", "close", 1 },
	{ "keep-alive, close", "keep-alive", 1 },
	{ "keep-alive,close", "close", 1 },
	{ "  close  ", "close", 1 },
	{ "\tclose\t", "close", 1 },
	{ "a,\tclose\t,b", "close", 1 },
	{ ",,close,,", "close", 1 },
	{ "a, , ,close", "close", 1 },
	{ "a ,b", "a", 1 },
	{ "keep-alive-x", "keep-alive", 0 },
	{ "x-keep-alive", "keep-alive", 0 },
	{ "keep-alive-x, closed", "close", 0 },
	{ "close", "clos", 0 },
	{ "clo se", "close", 0 },
	{ "a;close", "close", 0 },
	{ "", "close", 0 },
	{ " , ,\t", "close", 0 },
	{ NULL, "close", 0 },
	{ "close", "", 0 },
	{ "a, ,b", "", 0 },
};

START_TEST(test_list_has)
{
	ck_assert_msg(http_hdr_list_has(list_rows[_i].list,
	    list_rows[_i].token) == list_rows[_i].want, "'%s' has '%s': "
	    "want %d", list_rows[_i].list ? list_rows[_i].list : "(null)",
	    list_rows[_i].token, list_rows[_i].want);
}
END_TEST

/* http_hdr_name_valid. */
static const struct {
	const char	*name;
	int		 want;
} name_rows[] = {
	{ "Host", 1 },
	{ "X-Forwarded-For", 1 },
	{ "x_y", 1 },
	{ "a", 1 },
	{ "0", 1 },
	{ "!#$%&'*+-.^_`|~", 1 },
	{ "", 0 },
	{ "Bad Name", 0 },
	{ "Name:", 0 },
	{ "X(Y)", 0 },
	{ "a/b", 0 },
	{ "a\"b", 0 },
	{ "a,b", 0 },
	{ "a;b", 0 },
	{ "a=b", 0 },
	{ "a\tb", 0 },
	{ "a\x7f", 0 },
	{ "na\xc3\xafve", 0 },
	{ "{x}", 0 },
	{ "[x]", 0 },
	{ "a@b", 0 },
	{ "a?b", 0 },
	{ "a\\b", 0 },
};

START_TEST(test_name_valid)
{
	ck_assert_msg(http_hdr_name_valid(name_rows[_i].name) ==
	    name_rows[_i].want, "'%s': want %d", name_rows[_i].name,
	    name_rows[_i].want);
}
END_TEST

#define HDR_MAX		32	/* names and values, NULL-terminated */

/* Fills q from a { name, value, ..., NULL } list. */
static void
check_http_fill(struct evkeyvalq *q, const char *const *kv)
{
	size_t	 i;

	TAILQ_INIT(q);
	for (i = 0; kv[i] != NULL; i += 2)
		ck_assert_int_eq(evhttp_add_header(q, kv[i], kv[i + 1]), 0);
}

/* Asserts that q holds exactly the { name, value, ..., NULL } list. */
static void
check_http_expect(const struct evkeyvalq *q, const char *const *kv)
{
	const struct evkeyval	*e;
	size_t			 i = 0;

	TAILQ_FOREACH(e, q, next) {
		ck_assert_msg(kv[i] != NULL, "extra header %s: %s", e->key,
		    e->value);
		ck_assert_str_eq(e->key, kv[i]);
		ck_assert_str_eq(e->value, kv[i + 1]);
		i += 2;
	}
	ck_assert_msg(kv[i] == NULL, "missing header %s: %s", kv[i],
	    kv[i + 1]);
}

/* http_hdr_copy_end_to_end: src, skip list, expected dst and count. */
static const struct {
	const char	*src[HDR_MAX];
	const char	*skip[4];
	const char	*want[HDR_MAX];
	int		 n;
} copy_rows[] = {
	/* nothing to copy */
	{ { NULL }, { NULL }, { NULL }, 0 },
	/* end-to-end headers keep their order and duplicates */
	{ { "Host", "a", "Accept", "*/*", "Cookie", "x=1", "Cookie", "y=2",
	    "Accept", "text/html", NULL }, { NULL },
	  { "Host", "a", "Accept", "*/*", "Cookie", "x=1", "Cookie", "y=2",
	    "Accept", "text/html", NULL }, 5 },
	/* the fixed hop-by-hop set, any case */
	{ { "Connection", "keep-alive", "Keep-Alive", "timeout=5",
	    "A", "1", "Proxy-Connection", "close", "TE", "trailers",
	    "Trailer", "X", "B", "2", "Transfer-Encoding", "chunked",
	    "Upgrade", "h2c", "Proxy-Authorization", "Basic eA==",
	    "proxy-authenticate", "Basic", "transfer-encoding", "gzip",
	    "C", "3", NULL }, { NULL },
	  { "A", "1", "B", "2", "C", "3", NULL }, 3 },
	/* names listed by several Connection headers */
	{ { "Connection", "close, X-A", "X-A", "1", "X-B", "2",
	    "Connection", "x-b", "X-C", "3", "x-a", "4", NULL }, { NULL },
	  { "X-C", "3", NULL }, 1 },
	{ { "Connection", "\tX-A ,, x-b\t", "X-A", "1", "x-B", "2",
	    "X-A-B", "3", "X", "4", NULL }, { NULL },
	  { "X-A-B", "3", "X", "4", NULL }, 2 },
	/* a Connection header can drop an end-to-end name too */
	{ { "Connection", "Cache-Control", "Cache-Control", "no-cache",
	    "Age", "1", NULL }, { NULL },
	  { "Age", "1", NULL }, 1 },
	/* the skip list, any case */
	{ { "Content-Length", "12", "Host", "a", "content-length", "12",
	    "Via", "1.1 x", NULL }, { "Content-Length", "VIA", NULL },
	  { "Host", "a", NULL }, 1 },
	/* invalid names */
	{ { "Bad Name", "1", "Good", "2", "X(Y)", "3", "", "4", "a:b", "5",
	    NULL }, { NULL },
	  { "Good", "2", NULL }, 1 },
	/* all of it at once, and empty values are kept */
	{ { "Connection", "X-Drop", "Date", "d", "X-Drop", "x",
	    "Keep-Alive", "1", "Content-Length", "3", "Empty", "",
	    "Bad/Name", "y", "Date", "e", NULL }, { "Content-Length", NULL },
	  { "Date", "d", "Empty", "", "Date", "e", NULL }, 3 },
};

START_TEST(test_copy_end_to_end)
{
	struct evkeyvalq	 src, dst;
	const char *const	*skip = copy_rows[_i].skip;

	check_http_fill(&src, copy_rows[_i].src);
	TAILQ_INIT(&dst);
	ck_assert_int_eq(http_hdr_copy_end_to_end(&src, &dst,
	    skip[0] == NULL ? NULL : skip), copy_rows[_i].n);
	check_http_expect(&dst, copy_rows[_i].want);
	/* src is left as it was */
	check_http_expect(&src, copy_rows[_i].src);
	evhttp_clear_headers(&src);
	evhttp_clear_headers(&dst);
}
END_TEST

/*
 * http_hdr_list_append: the headers before, what is appended, and the
 * headers after (the joined field goes to the end).
 */
static const struct {
	const char	*before[HDR_MAX];
	const char	*name, *item;
	const char	*after[HDR_MAX];
} append_rows[] = {
	{ { NULL }, "Via", "1.1 evproxy", { "Via", "1.1 evproxy", NULL } },
	{ { "Host", "a", NULL }, "Via", "1.1 p",
	  { "Host", "a", "Via", "1.1 p", NULL } },
	{ { "Via", "1.0 a", NULL }, "Via", "1.1 p",
	  { "Via", "1.0 a, 1.1 p", NULL } },
	{ { "Via", "1.0 a", "Host", "h", "via", "1.1 b, 1.1 c",
	    "VIA", "2 d", "Age", "1", NULL }, "Via", "1.1 p",
	  { "Host", "h", "Age", "1", "Via", "1.0 a, 1.1 b, 1.1 c, 2 d, 1.1 p",
	    NULL } },
	{ { "X-Forwarded-For", "10.0.0.1", NULL }, "x-forwarded-for",
	    "127.0.0.1",
	  { "x-forwarded-for", "10.0.0.1, 127.0.0.1", NULL } },
	{ { "X-Forwarded-For", "10.0.0.1", "Via", "1.0 a", NULL },
	    "X-Forwarded-For", "::1",
	  { "Via", "1.0 a", "X-Forwarded-For", "10.0.0.1, ::1", NULL } },
};

START_TEST(test_list_append)
{
	struct evkeyvalq	 q;
	const char		*v;
	const char *const	*after = append_rows[_i].after;
	size_t			 i;

	check_http_fill(&q, append_rows[_i].before);
	ck_assert_int_eq(http_hdr_list_append(&q, append_rows[_i].name,
	    append_rows[_i].item), 0);
	check_http_expect(&q, after);
	v = evhttp_find_header(&q, append_rows[_i].name);
	ck_assert_ptr_nonnull(v);
	for (i = 0; after[i] != NULL; i += 2)
		if (strcasecmp(after[i], append_rows[_i].name) == 0)
			ck_assert_str_eq(v, after[i + 1]);
	evhttp_clear_headers(&q);
}
END_TEST

/* http_range_parse: header, size -> result, first, last. */
static const struct {
	const char		*h;
	unsigned long long	 size;
	int			 want;
	unsigned long long	 first, last;
} range_rows[] = {
	{ "bytes=0-99", 1000, 1, 0, 99 },
	{ "bytes=100-", 1000, 1, 100, 999 },
	{ "bytes=-100", 1000, 1, 900, 999 },
	{ "bytes=-5000", 1000, 1, 0, 999 },
	{ "bytes=990-2000", 1000, 1, 990, 999 },
	{ "bytes=999-999", 1000, 1, 999, 999 },
	{ "BYTES=1-2", 1000, 1, 1, 2 },
	{ "bytes= 5-6", 1000, 1, 5, 6 },
	{ "bytes=1000-", 1000, -1, 0, 0 },
	{ "bytes=1000-1001", 1000, -1, 0, 0 },
	{ "bytes=-0", 1000, -1, 0, 0 },
	{ "bytes=0-", 0, -1, 0, 0 },
	{ "bytes=5-1", 1000, 0, 0, 0 },
	{ "bytes=0-1,5-6", 1000, 0, 0, 0 },
	{ "bytes=a-b", 1000, 0, 0, 0 },
	{ "bytes=1", 1000, 0, 0, 0 },
	{ "bytes=", 1000, 0, 0, 0 },
	{ "items=0-1", 1000, 0, 0, 0 },
	{ "bytes=0-1x", 1000, 0, 0, 0 },
	{ "bytes=99999999999999999999999-", 1000, 0, 0, 0 },
	{ NULL, 1000, 0, 0, 0 },
};

START_TEST(test_range)
{
	unsigned long long	 f = 7, l = 7;
	int			 got;

	got = http_range_parse(range_rows[_i].h, range_rows[_i].size, &f, &l);
	ck_assert_msg(got == range_rows[_i].want, "%s: got %d, want %d",
	    range_rows[_i].h ? range_rows[_i].h : "NULL", got,
	    range_rows[_i].want);
	if (got == 1) {
		ck_assert_msg(f == range_rows[_i].first &&
		    l == range_rows[_i].last, "%s: got %llu-%llu",
		    range_rows[_i].h, f, l);
	}
}
END_TEST

Suite *http_suite(void);

Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("url");
	tcase_add_loop_test(tc, test_url_parse, 0, NROWS(url_rows));
	tcase_add_loop_test(tc, test_url_authority, 0, NROWS(auth_rows));
	tcase_add_loop_test(tc, test_host_valid, 0, NROWS(host_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("target");
	tcase_add_loop_test(tc, test_target_parse, 0, NROWS(target_rows));
	tcase_add_loop_test(tc, test_cache_key, 0, NROWS(key_rows));
	tcase_add_loop_test(tc, test_location, 0, NROWS(loc_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("hdr");
	tcase_add_loop_test(tc, test_hop_by_hop, 0, NROWS(hop_rows));
	tcase_add_loop_test(tc, test_list_has, 0, NROWS(list_rows));
	tcase_add_loop_test(tc, test_name_valid, 0, NROWS(name_rows));
	tcase_add_loop_test(tc, test_copy_end_to_end, 0, NROWS(copy_rows));
	tcase_add_loop_test(tc, test_list_append, 0, NROWS(append_rows));
	tcase_add_loop_test(tc, test_range, 0, NROWS(range_rows));
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(http_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
