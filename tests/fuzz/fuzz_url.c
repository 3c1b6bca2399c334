/*
 * fuzz_url.c: libFuzzer target for http_url.c, every entry point that
 * takes a string from a client or an origin: http_url_parse,
 * http_target_parse (absolute, path and Referer forms), http_host_valid
 * and http_location_to_pathform.
 *
 * Input: up to four strings separated by NUL bytes: request-target,
 * Referer, Host (the proxy's own authority) and Location.  A missing
 * Referer or Host is NULL; a missing Location is the request-target.
 *
 * Invariants checked on every URL that parses: scheme http or https, a
 * valid lower-case host, a port in 1..65535, a path that starts with '/'
 * and has no fragment, space or control byte; its string parses back to
 * the same URL and the same string; its path form ("/http://host/p")
 * gives the same cache key.  A Location rewritten to path form reads
 * back as a path-form target of the origin it named, with no dot
 * segments left in the path.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "fuzz.h"

#define FUZZ_URL_PARTS	4
#define FUZZ_URL_BASE	"http://example.com/dir/page?q=1"

/* True if the two URLs are the same (the same cache key). */
static int
fuzz_url_eq(const struct http_url *a, const struct http_url *b)
{
	return (strcmp(a->scheme, b->scheme) == 0 &&
	    strcmp(a->host, b->host) == 0 && a->port == b->port &&
	    fuzz_streq(a->path, b->path));
}

/* True if s contains a byte a request line could not carry. */
static int
fuzz_url_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s == 0x7f)
			return (1);
	return (0);
}

/* Path form of u that is never ambiguous: "/scheme://authority/path". */
static char *
fuzz_url_pathform(const struct http_url *u)
{
	char	 auth[HTTP_HOST_MAX + 8];
	char	*s;
	size_t	 len;

	http_url_authority(u, auth, sizeof(auth));
	len = 1 + strlen(u->scheme) + 3 + strlen(auth) + strlen(u->path) + 1;
	if ((s = malloc(len)) == NULL)
		abort();
	snprintf(s, len, "/%s://%s%s", u->scheme, auth, u->path);
	return (s);
}

/* Checks everything a parsed URL promises (see the top of this file). */
static void
fuzz_url_check(const struct http_url *u)
{
	struct http_url	 v;
	char		 auth[HTTP_HOST_MAX + 8];
	enum http_target r;
	char		*s, *t;
	size_t		 hl, i, len;

	FUZZ_CHECK(strcmp(u->scheme, "http") == 0 ||
	    strcmp(u->scheme, "https") == 0);
	hl = strnlen(u->host, sizeof(u->host));
	FUZZ_CHECK(hl > 0 && hl < sizeof(u->host));
	FUZZ_CHECK(http_host_valid(u->host, hl));
	for (i = 0; i < hl; i++)
		FUZZ_CHECK(u->host[i] < 'A' || u->host[i] > 'Z');
	FUZZ_CHECK(u->port >= 1 && u->port <= 65535);
	FUZZ_CHECK(u->path != NULL && u->path[0] == '/');
	FUZZ_CHECK(!fuzz_url_has_ctl(u->path));
	FUZZ_CHECK(strchr(u->path, '#') == NULL);
	http_url_authority(u, auth, sizeof(auth));
	FUZZ_CHECK(strlen(auth) < sizeof(auth) - 1);

	/* the normalized string is a fixed point */
	FUZZ_CHECK((s = http_url_string(u)) != NULL);
	FUZZ_CHECK(http_url_parse(s, &v) == 0);
	FUZZ_CHECK(fuzz_url_eq(u, &v));
	FUZZ_CHECK((t = http_url_string(&v)) != NULL);
	FUZZ_CHECK(strcmp(s, t) == 0);
	free(t);
	free(s);
	http_url_clear(&v);

	/* absolute form and path form: the same cache key */
	s = fuzz_url_pathform(u);
	FUZZ_CHECK(http_target_parse(s, NULL, NULL, &v) == HTTP_TARGET_PATH);
	FUZZ_CHECK(fuzz_url_eq(u, &v));
	http_url_clear(&v);
	free(s);
	if (strcmp(u->scheme, "http") == 0) {
		/* "/authority/path": this host, or no host, never another */
		len = 1 + strlen(auth) + strlen(u->path) + 1;
		if ((t = malloc(len)) == NULL)
			abort();
		snprintf(t, len, "/%s%s", auth, u->path);
		r = http_target_parse(t, NULL, NULL, &v);
		FUZZ_CHECK(r == HTTP_TARGET_PATH || r == HTTP_TARGET_NOHOST);
		if (r == HTTP_TARGET_PATH)
			FUZZ_CHECK(fuzz_url_eq(u, &v));
		else
			FUZZ_CHECK(v.path == NULL);
		http_url_clear(&v);
		free(t);
	}
}

/* True if the path part of p (before '?') has a "." or ".." segment. */
static int
fuzz_url_has_dots(const char *p)
{
	size_t	 end = strcspn(p, "?"), i, n;

	for (i = 0; i < end; i += n) {
		if (p[i] == '/') {
			n = 1;
			continue;
		}
		n = strcspn(p + i, "/?");
		if (n > end - i)
			n = end - i;
		if ((n == 1 && p[i] == '.') ||
		    (n == 2 && p[i] == '.' && p[i + 1] == '.'))
			return (1);
	}
	return (0);
}

/*
 * The origin a Location names, resolved against base the way a browser
 * does; -1 if it names none (then the rewrite must leave it alone).
 */
static int
fuzz_url_location_origin(const char *loc, const struct http_url *base,
    struct http_url *o)
{
	char	*s;
	size_t	 len;
	int	 rv;

	if (strncmp(loc, "//", 2) == 0) {
		len = strlen(base->scheme) + 1 + strlen(loc) + 1;
		if ((s = malloc(len)) == NULL)
			abort();
		snprintf(s, len, "%s:%s", base->scheme, loc);
		rv = http_url_parse(s, o);
		free(s);
		return (rv);
	}
	if (strstr(loc, "://") != NULL &&
	    strcspn(loc, ":") < strcspn(loc, "/?#"))
		return (http_url_parse(loc, o));
	*o = *base;
	if ((o->path = strdup(base->path)) == NULL)
		abort();
	return (0);
}

/* Rewrites loc against base and checks the result. */
static void
fuzz_url_location(const char *loc, const struct http_url *base)
{
	struct http_url	 o, v;
	char		*pf;
	int		 named;

	pf = http_location_to_pathform(loc, base);
	named = fuzz_url_location_origin(loc, base, &o) == 0;
	if (pf == NULL) {
		if (named)
			http_url_clear(&o);
		return;
	}
	/* a rewrite implies an origin that we can name too */
	FUZZ_CHECK(named);
	FUZZ_CHECK(pf[0] == '/');
	/* with no byte a browser would escape, it reads back exactly */
	if (!fuzz_url_has_ctl(loc)) {
		FUZZ_CHECK(http_target_parse(pf, NULL, NULL, &v) ==
		    HTTP_TARGET_PATH);
		FUZZ_CHECK(strcmp(v.scheme, o.scheme) == 0);
		FUZZ_CHECK(strcmp(v.host, o.host) == 0);
		FUZZ_CHECK(v.port == o.port);
		FUZZ_CHECK(!fuzz_url_has_dots(v.path));
		fuzz_url_check(&v);
		http_url_clear(&v);
	}
	http_url_clear(&o);
	free(pf);
}

/* Calls http_target_parse and checks its result against its contract. */
static enum http_target
fuzz_url_target(const char *target, const char *referer, const char *self,
    struct http_url *out)
{
	struct http_url		 a;
	enum http_target	 t, t0;

	t = http_target_parse(target, referer, self, out);
	FUZZ_CHECK(t >= HTTP_TARGET_ABSOLUTE && t <= HTTP_TARGET_BAD);
	switch (t) {
	case HTTP_TARGET_ABSOLUTE:
		FUZZ_CHECK(target[0] != '/');
		FUZZ_CHECK(http_url_parse(target, &a) == 0);
		FUZZ_CHECK(fuzz_url_eq(out, &a));
		http_url_clear(&a);
		fuzz_url_check(out);
		break;
	case HTTP_TARGET_PATH:
		FUZZ_CHECK(target[0] == '/');
		fuzz_url_check(out);
		break;
	case HTTP_TARGET_REFERER:
		/* the target, as is, on the Referer's origin */
		FUZZ_CHECK(referer != NULL && target[0] == '/');
		FUZZ_CHECK(strlen(out->path) == strcspn(target, "#"));
		FUZZ_CHECK(strncmp(out->path, target,
		    strlen(out->path)) == 0);
		fuzz_url_check(out);
		break;
	case HTTP_TARGET_SELF:
		FUZZ_CHECK(target[0] == '/' && strchr("?#", target[1]) != NULL);
		/* FALLTHROUGH */
	default:
		FUZZ_CHECK(out->path == NULL);
		break;
	}

	/* the Referer only matters for a target that names no host */
	if (referer != NULL) {
		t0 = http_target_parse(target, NULL, self, &a);
		if (t0 == HTTP_TARGET_NOHOST)
			FUZZ_CHECK(t == HTTP_TARGET_NOHOST ||
			    t == HTTP_TARGET_REFERER || t == HTTP_TARGET_BAD);
		else {
			FUZZ_CHECK(t == t0);
			if (a.path != NULL)
				FUZZ_CHECK(fuzz_url_eq(out, &a));
		}
		http_url_clear(&a);
	}
	return (t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_url		 out, base, u;
	const char		*part[FUZZ_URL_PARTS] = { NULL };
	enum http_target	 t;
	char			*buf, *p, *end;
	size_t			 n = 0, hl;

	/* bounds: the raw bytes, not NUL-terminated */
	if (http_host_valid((const char *)data, size)) {
		FUZZ_CHECK(size > 0 && size < HTTP_HOST_MAX);
		if (data[0] != '[')
			for (hl = 0; hl < size; hl++)
				FUZZ_CHECK(isalnum(data[hl]) ||
				    strchr("-_.", data[hl]) != NULL);
	}

	buf = fuzz_strndup(data, size);
	end = buf + size;
	for (p = buf; n < FUZZ_URL_PARTS && p <= end; p += strlen(p) + 1)
		part[n++] = p;

	if (http_url_parse(part[0], &u) == 0) {
		fuzz_url_check(&u);
		http_url_clear(&u);
	}
	t = fuzz_url_target(part[0], part[1], part[2], &out);

	/* Location, against the URL just parsed or a fixed base */
	if (t == HTTP_TARGET_ABSOLUTE || t == HTTP_TARGET_PATH ||
	    t == HTTP_TARGET_REFERER)
		fuzz_url_location(part[3] != NULL ? part[3] : part[0], &out);
	FUZZ_CHECK(http_url_parse(FUZZ_URL_BASE, &base) == 0);
	fuzz_url_location(part[3] != NULL ? part[3] : part[0], &base);
	http_url_clear(&base);
	http_url_clear(&out);
	free(buf);
	return (0);
}
