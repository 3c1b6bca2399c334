/*
 * http.h: pure HTTP helpers with no I/O.  Request-target forms and URL
 * normalization (the cache key), redirect rewriting for path-form
 * clients, and header rules (hop-by-hop filtering, list fields, Via).
 * Every function here is a pure function of its arguments, so the unit
 * tests drive them from tables.
 */
#ifndef EVPROXY_HTTP_H
#define EVPROXY_HTTP_H

#include <stddef.h>
#include <time.h>

struct evbuffer;
struct evkeyvalq;
struct http_frame;

#define HTTP_HOST_MAX	256		/* a DNS name is at most 253 */

/*
 * An origin URL, normalized: scheme and host in lower case, the port
 * always set (80 or 443 when the URL had none), a path that starts with
 * '/' and carries the query, and no fragment or user info.  IPv6 hosts
 * keep their brackets ("[::1]").
 */
struct http_url {
	char		 scheme[8];		/* "http" or "https" */
	char		 host[HTTP_HOST_MAX];
	unsigned	 port;
	char		*path;			/* owned; "/a?b" */
};

/* How a request line named its target (RFC 9112 §3.2, plus path form). */
enum http_target {
	HTTP_TARGET_ABSOLUTE,	/* GET http://host/path */
	HTTP_TARGET_PATH,	/* GET /host/path or /http://host/path */
	HTTP_TARGET_REFERER,	/* GET /style.css, resolved via Referer */
	HTTP_TARGET_SELF,	/* GET /: the proxy's own page */
	HTTP_TARGET_NOHOST,	/* a path that names no origin */
	HTTP_TARGET_BAD		/* malformed target */
};

/*
 * Parses an absolute URL ("http://Host:80/a?b#c") into u.  Returns 0, or
 * -1 if it is malformed or its scheme is not http or https.  On success
 * u->path is allocated; release it with http_url_clear().
 */
int	 http_url_parse(const char *s, struct http_url *u);
/* Frees u->path. */
void	 http_url_clear(struct http_url *u);
/* The normalized URL ("http://host[:port]/path"), malloc()ed; NULL on ENOMEM. */
char	*http_url_string(const struct http_url *u);
/*
 * The same into buf (snprintf semantics): returns the length the whole
 * URL needs, without the NUL; it fits if that is below len.
 */
size_t	 http_url_format(const struct http_url *u, char *buf, size_t len);
/* "host" or "host:port" when the port is not the scheme's default. */
void	 http_url_authority(const struct http_url *u, char *buf, size_t len);
/* The scheme's default port: 80 for http, 443 for https. */
unsigned http_url_default_port(const char *scheme);

/*
 * Maps a request-target to an origin URL.  target is the request-target
 * as received; referer is the Referer header or NULL; self is the
 * authority the client used to reach the proxy (its Host header) or NULL.
 * A path whose first segment is not a host is resolved against the
 * origin of a path-form Referer that points at this proxy.  On
 * HTTP_TARGET_ABSOLUTE, _PATH and _REFERER, out is filled and must be
 * cleared with http_url_clear(); otherwise out->path is NULL.
 */
enum http_target
	 http_target_parse(const char *target, const char *referer,
	    const char *self, struct http_url *out);

/*
 * True if s[0..len) is a syntactically valid host: a DNS name (letters,
 * digits, '-', '_' and dots), a dotted IPv4 address, or a bracketed IPv6
 * address.
 */
int	 http_host_valid(const char *s, size_t len);

/*
 * Rewrites a Location header of a response to a path-form request so the
 * browser stays on the proxy: "http://h/x", "//h/x", "/x" and "x" become
 * "/h/x" (base is the URL that was fetched), with dot segments removed; a
 * host that path form would not read back as one ("intranet") becomes
 * "/http://intranet/x".  Returns a malloc()ed string, or NULL if location
 * is left alone (absolute https, other schemes, malformed).
 */
char	*http_location_to_pathform(const char *location,
	    const struct http_url *base);

/* True for headers that RFC 9110 §7.6.1 makes hop-by-hop (fixed list). */
int	 http_hdr_is_hop_by_hop(const char *name);
/* True if the comma-separated list contains token (case-insensitive). */
int	 http_hdr_list_has(const char *list, const char *token);
/* True if name is a valid field name (an RFC 9110 token). */
int	 http_hdr_name_valid(const char *name);
/*
 * Copies the end-to-end headers of src into dst: drops the fixed
 * hop-by-hop set and every header that a Connection header of src names.
 * Headers named in skip (a NULL-terminated list) are dropped too.
 * Returns the number of headers copied, or -1 if dst refused one.
 */
int	 http_hdr_copy_end_to_end(const struct evkeyvalq *src,
	    struct evkeyvalq *dst, const char *const *skip);
/*
 * Appends item to a list-valued header of hdrs (Via, X-Forwarded-For):
 * all existing fields of that name are joined into one, followed by
 * ", item".  Returns 0, or -1 on ENOMEM.
 */
int	 http_hdr_list_append(struct evkeyvalq *hdrs, const char *name,
	    const char *item);

/*
 * The secondary cache key of a response with Vary (RFC 9111 §4.1): for
 * each field name its Vary headers list (lower-cased, sorted, deduped),
 * "name:value" and a 0x1f byte (it must fit on one line of an entry
 * file), with the request's values of that field joined by ","
 * and whitespace around them trimmed.  Returns "" (malloc()ed) without
 * Vary, NULL for "Vary: *" (never matches) or on ENOMEM.
 */
char	*http_hdr_vary_key(const struct evkeyvalq *resp_hdrs,
	    const struct evkeyvalq *req_hdrs);

/*
 * Parses a Range header (RFC 9110 §14.2) against a representation of
 * size bytes.  Returns 1 with [*first, *last] for one satisfiable byte
 * range; 0 when the header is to be ignored (malformed, not bytes, or
 * several ranges: the whole representation is sent); -1 when it is
 * unsatisfiable (416).
 */
int	 http_range_parse(const char *h, unsigned long long size,
	    unsigned long long *first, unsigned long long *last);

/*
 * Cache-Control directives (RFC 9111 §5.2) of a request or a response.
 * Durations are seconds, -1 when the directive is absent.
 */
struct http_cc {
	int	 present;		/* some Cache-Control (or Pragma) seen */
	int	 no_store;
	int	 no_cache;		/* also Pragma: no-cache, no-cache="f" */
	int	 private_;		/* also private="f" */
	int	 public_;
	int	 must_revalidate;
	int	 proxy_revalidate;
	int	 only_if_cached;
	int	 no_transform;
	int	 immutable;
	long	 max_age;
	long	 s_maxage;
	long	 max_stale;		/* HTTP_CC_ANY if given without a value */
	long	 min_fresh;
	long	 stale_while_revalidate;
	long	 stale_if_error;
};
#define HTTP_CC_ANY	0x7fffffffL	/* max-stale with no value */

/* Sets every directive to absent. */
void	 http_cc_init(struct http_cc *cc);
/*
 * Adds the directives of one Cache-Control field value to cc.  Names are
 * case-insensitive; values may be quoted; unknown directives are
 * ignored.  A delta-seconds that does not parse (or is negative) counts
 * as 0 for max-age and s-maxage (RFC 9111 §1.2.2: treat as stale) and as
 * absent for the others; values beyond 2^31 are clamped to 2^31-1.
 */
void	 http_cc_parse(const char *value, struct http_cc *cc);
/*
 * Resets cc (http_cc_init), then parses every Cache-Control field of hdrs;
 * with no Cache-Control at all, "Pragma: no-cache" sets no_cache (RFC
 * 9111 §5.4).
 */
void	 http_cc_parse_headers(const struct evkeyvalq *hdrs, struct http_cc *cc);

/*
 * Parses an HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, and the obsolete
 * RFC 850 and asctime forms).  Returns the time (0 for dates before
 * 1970), or -1 if s is not one.  A two-digit RFC 850 year more than 50
 * years ahead of the current clock is taken as the past century (RFC 9110
 * §5.6.7), the one place where this reads the clock.
 */
time_t	 http_date_parse(const char *s);
/* Formats t as an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); len >= 30. */
void	 http_date_format(time_t t, char *buf, size_t len);

/*
 * Feeds the last n_added bytes of buf (just appended by a read, not yet
 * parsed by evhttp) to the framing checker f, in place.  -1 if they
 * break the framing (f->error says how), else 0.
 */
int	http_frame_feed_added(struct http_frame *f, struct evbuffer *buf,
	    size_t n_added);

#endif
