/*
 * http_cc.c: Cache-Control parsing (RFC 9111 §5.2).
 *
 * A field value is a comma-separated list of directives, each a token
 * with an optional "=" and a token or quoted-string argument.  Commas
 * inside a quoted string do not split.  Where the RFC leaves room, the
 * parser picks the reading that is safe for a shared cache:
 *
 * - A directive is known by its name alone.  Flags (no-store, public,
 *   ...) are set whatever argument follows, so no-cache="Set-Cookie" and
 *   private="x" count as plain no-cache and private (RFC 9111 §5.2.2.4
 *   and §5.2.2.7 allow this), and so does a malformed "no-store junk".
 * - Whitespace is allowed around "=", and names and the header names are
 *   compared in ASCII, whatever the locale.
 * - An element that does not start with a token ("@x", "=5") is
 *   skipped up to the next comma outside quotes.
 * - delta-seconds is 1*DIGIT, as a token or a quoted string; anything
 *   else is malformed.  Values beyond 2^31-1 are clamped to it
 *   (RFC 9111 §1.2.2).
 * - Repeated directives (also across several Cache-Control fields):
 *   RFC 9111 §4.2.1 lets a cache treat a conflict as stale, and asks
 *   for the most restrictive directive.  So max-age and s-maxage that
 *   appear twice with different values become 0; max-stale,
 *   stale-while-revalidate and stale-if-error keep the smallest value;
 *   min-fresh keeps the largest.  An occurrence whose value is malformed
 *   counts as 0 for max-age and s-maxage and is ignored for the others.
 */
#include <sys/queue.h>

#include <stddef.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"

#define HTTP_CC_DELTA_MAX	0x7fffffffL	/* 2^31-1 */

/* How a directive's argument is merged into struct http_cc. */
enum http_cc_kind {
	HTTP_CC_FLAG,		/* int flag; the argument is ignored */
	HTTP_CC_AGE,		/* max-age, s-maxage: bad or conflict -> 0 */
	HTTP_CC_STALE,		/* max-stale: no value -> HTTP_CC_ANY */
	HTTP_CC_LESS,		/* keep the smallest value */
	HTTP_CC_MORE		/* keep the largest value */
};

/* What followed a directive's name. */
enum http_cc_argst {
	HTTP_CC_ARG_NONE,	/* no "=": a bare directive */
	HTTP_CC_ARG_OK,		/* "=" and a token or a closed quoted-string */
	HTTP_CC_ARG_BAD		/* anything else */
};

/* A directive's argument, as it appears in the field value. */
struct http_cc_arg {
	enum http_cc_argst	 st;
	const char		*s;		/* token, or in the quotes */
	size_t			 len;
	int			 quoted;
};

/* The directives we know; the rest are ignored (RFC 9111 §5.2.3). */
static const struct http_cc_dir {
	const char		*name;
	enum http_cc_kind	 kind;
	size_t			 off;		/* of the field in http_cc */
} http_cc_dirs[] = {
	{ "no-store", HTTP_CC_FLAG, offsetof(struct http_cc, no_store) },
	{ "no-cache", HTTP_CC_FLAG, offsetof(struct http_cc, no_cache) },
	{ "private", HTTP_CC_FLAG, offsetof(struct http_cc, private_) },
	{ "public", HTTP_CC_FLAG, offsetof(struct http_cc, public_) },
	{ "must-revalidate", HTTP_CC_FLAG,
	    offsetof(struct http_cc, must_revalidate) },
	{ "proxy-revalidate", HTTP_CC_FLAG,
	    offsetof(struct http_cc, proxy_revalidate) },
	{ "only-if-cached", HTTP_CC_FLAG,
	    offsetof(struct http_cc, only_if_cached) },
	{ "no-transform", HTTP_CC_FLAG,
	    offsetof(struct http_cc, no_transform) },
	{ "immutable", HTTP_CC_FLAG, offsetof(struct http_cc, immutable) },
	{ "max-age", HTTP_CC_AGE, offsetof(struct http_cc, max_age) },
	{ "s-maxage", HTTP_CC_AGE, offsetof(struct http_cc, s_maxage) },
	{ "max-stale", HTTP_CC_STALE, offsetof(struct http_cc, max_stale) },
	{ "min-fresh", HTTP_CC_MORE, offsetof(struct http_cc, min_fresh) },
	{ "stale-while-revalidate", HTTP_CC_LESS,
	    offsetof(struct http_cc, stale_while_revalidate) },
	{ "stale-if-error", HTTP_CC_LESS,
	    offsetof(struct http_cc, stale_if_error) },
};

#define HTTP_CC_NDIRS	(sizeof(http_cc_dirs) / sizeof(http_cc_dirs[0]))

/* True for an RFC 9110 tchar. */
static int
http_cc_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* True for OWS: a space or a tab. */
static int
http_cc_ows(char c)
{
	return (c == ' ' || c == '\t');
}

/* ASCII tolower, independent of the locale. */
static unsigned char
http_cc_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* True if s[0..len) equals name, ignoring ASCII case. */
static int
http_cc_name_eq(const char *s, size_t len, const char *name)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0' || http_cc_lower(s[i]) !=
		    http_cc_lower(name[i]))
			return (0);
	return (name[len] == '\0');
}

/* Returns the end of the element at p: the next comma outside quotes. */
static const char *
http_cc_element_end(const char *p)
{
	int	 quoted = 0;

	for (; *p != '\0'; p++) {
		if (quoted) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = 0;
		} else if (*p == '"')
			quoted = 1;
		else if (*p == ',')
			break;
	}
	return (p);
}

/*
 * Reads the argument that follows a directive's name at p (up to end)
 * into a.
 */
static void
http_cc_arg_parse(const char *p, const char *end, struct http_cc_arg *a)
{
	memset(a, 0, sizeof(*a));
	while (p < end && http_cc_ows(*p))
		p++;
	if (p == end) {
		a->st = HTTP_CC_ARG_NONE;
		return;
	}
	a->st = HTTP_CC_ARG_BAD;
	if (*p++ != '=')
		return;
	while (p < end && http_cc_ows(*p))
		p++;
	if (p < end && *p == '"') {
		a->quoted = 1;
		a->s = ++p;
		while (p < end && *p != '"')
			p += (*p == '\\' && p + 1 < end) ? 2 : 1;
		if (p >= end)
			return;			/* unterminated */
		a->len = p++ - a->s;
	} else {
		a->s = p;
		while (p < end && http_cc_tchar(*p))
			p++;
		a->len = p - a->s;
		if (a->len == 0)
			return;			/* "max-age=" */
	}
	while (p < end && http_cc_ows(*p))
		p++;
	if (p == end)
		a->st = HTTP_CC_ARG_OK;
}

/*
 * The delta-seconds (RFC 9111 §1.2.2) in a, clamped to 2^31-1, or -1 if
 * a is not 1*DIGIT.
 */
static long
http_cc_delta(const struct http_cc_arg *a)
{
	long	 v = 0;
	size_t	 i;

	if (a->st != HTTP_CC_ARG_OK || a->len == 0)
		return (-1);
	for (i = 0; i < a->len; i++) {
		if (a->quoted && a->s[i] == '\\')
			i++;			/* quoted-pair */
		if (a->s[i] < '0' || a->s[i] > '9')
			return (-1);
		v = v * 10 + (a->s[i] - '0');
		if (v > HTTP_CC_DELTA_MAX)
			v = HTTP_CC_DELTA_MAX;
	}
	return (v);
}

/* Merges one occurrence of directive d with argument a into cc. */
static void
http_cc_apply(const struct http_cc_dir *d, const struct http_cc_arg *a,
    struct http_cc *cc)
{
	long	*fp;
	long	 v;

	if (d->kind == HTTP_CC_FLAG) {
		*(int *)(void *)((char *)cc + d->off) = 1;
		return;
	}
	fp = (long *)(void *)((char *)cc + d->off);
	v = http_cc_delta(a);
	if (d->kind == HTTP_CC_STALE && a->st == HTTP_CC_ARG_NONE)
		v = HTTP_CC_ANY;
	if (d->kind == HTTP_CC_AGE) {
		/* RFC 9111 §4.2.1: invalid or conflicting -> stale */
		if (v == -1 || (*fp != -1 && *fp != v))
			v = 0;
	} else if (v == -1)
		return;
	else if (*fp != -1 && d->kind == HTTP_CC_MORE && *fp > v)
		v = *fp;
	else if (*fp != -1 && d->kind != HTTP_CC_MORE && *fp < v)
		v = *fp;
	*fp = v;
}

/* Parses the directive in [p, end) into cc; ignores unknown ones. */
static void
http_cc_directive(const char *p, const char *end, struct http_cc *cc)
{
	struct http_cc_arg	 a;
	const char		*name = p;
	size_t			 i;

	while (p < end && http_cc_tchar(*p))
		p++;
	if (p == name)
		return;				/* not a directive */
	for (i = 0; i < HTTP_CC_NDIRS; i++) {
		if (!http_cc_name_eq(name, p - name, http_cc_dirs[i].name))
			continue;
		http_cc_arg_parse(p, end, &a);
		http_cc_apply(&http_cc_dirs[i], &a, cc);
		return;
	}
}

/* Sets every directive to absent. */
void
http_cc_init(struct http_cc *cc)
{
	memset(cc, 0, sizeof(*cc));
	cc->max_age = -1;
	cc->s_maxage = -1;
	cc->max_stale = -1;
	cc->min_fresh = -1;
	cc->stale_while_revalidate = -1;
	cc->stale_if_error = -1;
}

/* Adds the directives of one Cache-Control field value to cc. */
void
http_cc_parse(const char *value, struct http_cc *cc)
{
	const char	*p = value, *end;

	if (value == NULL)
		return;
	cc->present = 1;
	for (;;) {
		while (http_cc_ows(*p) || *p == ',')
			p++;
		if (*p == '\0')
			break;
		end = http_cc_element_end(p);
		http_cc_directive(p, end, cc);
		p = end;
	}
}

/* Parses every Cache-Control field of hdrs, or Pragma: no-cache. */
void
http_cc_parse_headers(const struct evkeyvalq *hdrs, struct http_cc *cc)
{
	const struct evkeyval	*kv;
	int			 pragma = 0;

	http_cc_init(cc);
	if (hdrs == NULL)
		return;
	TAILQ_FOREACH(kv, hdrs, next) {
		if (http_cc_name_eq(kv->key, strlen(kv->key), "cache-control"))
			http_cc_parse(kv->value, cc);
		else if (http_cc_name_eq(kv->key, strlen(kv->key), "pragma") &&
		    http_hdr_list_has(kv->value, "no-cache"))
			pragma = 1;
	}
	/* RFC 9111 §5.4: Pragma counts only without Cache-Control */
	if (!cc->present && pragma) {
		cc->present = 1;
		cc->no_cache = 1;
	}
}
