/*
 * http_url.c: request-target forms, URL normalization and path-form
 * redirects.  The normalized URL is the cache key, so absolute form
 * (GET http://Example.COM:80/a) and path form (GET /example.com/a) of the
 * same resource must come out byte-identical.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/*
 * File extensions that make a first path segment a file, not a host
 * ("/style.css" is a sub-resource, not the site style.css).  Extensions
 * that are also popular top-level domains (.zip, .mov, .app) are left out.
 */
static const char *const http_file_exts[] = {
	"css", "js", "mjs", "map", "json", "xml", "txt", "html", "htm",
	"xhtml", "php", "asp", "aspx", "jsp", "cgi", "png", "jpg", "jpeg",
	"gif", "svg", "ico", "webp", "avif", "bmp", "woff", "woff2", "ttf",
	"otf", "eot", "mp3", "mp4", "webm", "ogg", "wav", "pdf", "gz",
	"wasm", "webmanifest", NULL
};

unsigned
http_url_default_port(const char *scheme)
{
	return (strcmp(scheme, "https") == 0 ? 443 : 80);
}

/* True if s[0..len) is a dotted-quad IPv4 address. */
static int
http_is_ipv4(const char *s, size_t len)
{
	char		 buf[16];
	struct in_addr	 a;

	if (len >= sizeof(buf))
		return (0);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (inet_pton(AF_INET, buf, &a) == 1);
}

int
http_host_valid(const char *s, size_t len)
{
	char			 buf[HTTP_HOST_MAX];
	struct in6_addr		 a6;
	size_t			 i, label = 0;

	if (len == 0 || len >= HTTP_HOST_MAX)
		return (0);
	if (s[0] == '[') {
		if (len < 4 || s[len - 1] != ']')
			return (0);
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
		return (inet_pton(AF_INET6, buf, &a6) == 1);
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			/* no empty labels; one trailing dot is allowed */
			if (label == 0)
				return (0);
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return (0);
		if (++label > 63)
			return (0);
	}
	return (1);
}

/* Copies s[0..len) into dst (size dstlen) in lower case; -1 if too long. */
static int
http_copy_lower(char *dst, size_t dstlen, const char *s, size_t len)
{
	size_t	 i;

	if (len >= dstlen)
		return (-1);
	for (i = 0; i < len; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[len] = '\0';
	return (0);
}

/* Parses "host[:port]" into u (scheme already set); -1 if malformed. */
static int
http_parse_authority(const char *s, size_t len, struct http_url *u)
{
	const char	*colon = NULL, *at;
	size_t		 hostlen, i;
	unsigned long	 port = 0;

	/* user info is not part of the origin: drop it */
	at = memchr(s, '@', len);
	while (at != NULL) {
		len -= (size_t)(at + 1 - s);
		s = at + 1;
		at = memchr(s, '@', len);
	}
	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (rb == NULL)
			return (-1);
		hostlen = (size_t)(rb - s) + 1;
		if (hostlen < len) {
			if (s[hostlen] != ':')
				return (-1);
			colon = s + hostlen;
		}
	} else {
		colon = memchr(s, ':', len);
		hostlen = colon ? (size_t)(colon - s) : len;
	}
	if (!http_host_valid(s, hostlen))
		return (-1);
	if (http_copy_lower(u->host, sizeof(u->host), s, hostlen) == -1)
		return (-1);
	/* "host." and "host" are the same name: keep one cache key */
	if (u->host[hostlen - 1] == '.' && hostlen > 1)
		u->host[hostlen - 1] = '\0';
	u->port = http_url_default_port(u->scheme);
	if (colon != NULL && colon + 1 < s + len) {
		for (i = 1; colon + i < s + len; i++) {
			if (!isdigit((unsigned char)colon[i]) || i > 5)
				return (-1);
			port = port * 10 + (unsigned long)(colon[i] - '0');
		}
		if (port == 0 || port > 65535)
			return (-1);
		u->port = (unsigned)port;
	}
	return (0);
}

/* Sets u->path from s (up to any '#'), "/" if empty; -1 if invalid. */
static int
http_set_path(struct http_url *u, const char *s)
{
	size_t	 len = strcspn(s, "#"), i;
	int	 slash = (s[0] != '/');

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		/* the request line parser should have refused these */
		if (c <= 0x20 || c == 0x7f)
			return (-1);
	}
	if ((u->path = malloc(len + slash + 1)) == NULL)
		return (-1);
	if (slash)
		u->path[0] = '/';
	memcpy(u->path + slash, s, len);
	u->path[len + slash] = '\0';
	return (0);
}

int
http_url_parse(const char *s, struct http_url *u)
{
	const char	*p, *auth;
	size_t		 n;

	memset(u, 0, sizeof(*u));
	if (s == NULL || (p = strstr(s, "://")) == NULL)
		return (-1);
	if (http_copy_lower(u->scheme, sizeof(u->scheme), s,
	    (size_t)(p - s)) == -1)
		return (-1);
	if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0)
		return (-1);
	auth = p + 3;
	n = strcspn(auth, "/?#");
	if (http_parse_authority(auth, n, u) == -1)
		return (-1);
	return (http_set_path(u, auth + n));
}

void
http_url_clear(struct http_url *u)
{
	free(u->path);
	u->path = NULL;
}

void
http_url_authority(const struct http_url *u, char *buf, size_t len)
{
	if (u->port == http_url_default_port(u->scheme))
		snprintf(buf, len, "%s", u->host);
	else
		snprintf(buf, len, "%s:%u", u->host, u->port);
}

char *
http_url_string(const struct http_url *u)
{
	char	*s;
	size_t	 len = http_url_format(u, NULL, 0) + 1;

	if ((s = malloc(len)) == NULL)
		return (NULL);
	http_url_format(u, s, len);
	return (s);
}

/* Appends s at buf + off as far as it fits; returns off + strlen(s). */
static size_t
http_url_cat(char *buf, size_t len, size_t off, const char *s, size_t n)
{
	if (off < len)
		memcpy(buf + off, s, off + n < len ? n : len - off);
	return (off + n);
}

/* On the hot path of every request: no snprintf. */
size_t
http_url_format(const struct http_url *u, char *buf, size_t len)
{
	char	 port[12], *p = port + sizeof(port);
	unsigned v = u->port;
	size_t	 off;

	off = http_url_cat(buf, len, 0, u->scheme, strlen(u->scheme));
	off = http_url_cat(buf, len, off, "://", 3);
	off = http_url_cat(buf, len, off, u->host, strlen(u->host));
	if (u->port != http_url_default_port(u->scheme)) {
		do
			*--p = (char)('0' + v % 10);
		while ((v /= 10) > 0);
		*--p = ':';
		off = http_url_cat(buf, len, off, p,
		    (size_t)(port + sizeof(port) - p));
	}
	off = http_url_cat(buf, len, off, u->path, strlen(u->path));
	if (len > 0)
		buf[off < len ? off : len - 1] = '\0';
	return (off);
}

/* True if the name's last label is a file extension, not a domain. */
static int
http_is_file_name(const char *s, size_t len)
{
	const char	*dot = NULL;
	size_t		 i, extlen;

	for (i = 0; i < len; i++)
		if (s[i] == '.')
			dot = s + i;
	if (dot == NULL)
		return (0);
	extlen = len - (size_t)(dot + 1 - s);
	for (i = 0; http_file_exts[i] != NULL; i++)
		if (strlen(http_file_exts[i]) == extlen &&
		    strncasecmp(dot + 1, http_file_exts[i], extlen) == 0)
			return (1);
	return (0);
}

/*
 * True if the first path segment s[0..len) names an origin: host:port,
 * an IP literal, localhost, or a dotted name that does not end in a file
 * extension or a number.
 */
static int
http_segment_is_host(const char *s, size_t len)
{
	const char	*colon;
	size_t		 hostlen, i;

	if (len > 0 && s[0] == '[')
		return (http_host_valid(s, len) ||
		    ((colon = memchr(s, ']', len)) != NULL &&
		    http_host_valid(s, (size_t)(colon - s) + 1)));
	colon = memchr(s, ':', len);
	hostlen = colon ? (size_t)(colon - s) : len;
	if (!http_host_valid(s, hostlen))
		return (0);
	if (colon != NULL) {
		if (colon + 1 == s + len)
			return (0);
		for (i = 1; colon + i < s + len; i++)
			if (!isdigit((unsigned char)colon[i]))
				return (0);
		return (1);
	}
	/* "example.com." is a name, as http_parse_authority agrees */
	if (hostlen > 1 && s[hostlen - 1] == '.')
		hostlen--;
	if (http_is_ipv4(s, hostlen))
		return (1);
	if (hostlen == 9 && strncasecmp(s, "localhost", 9) == 0)
		return (1);
	if (memchr(s, '.', hostlen) == NULL || http_is_file_name(s, hostlen))
		return (0);
	/* a name whose last label is all digits is no DNS name */
	for (i = hostlen; i > 0 && s[i - 1] != '.'; i--)
		if (!isdigit((unsigned char)s[i - 1]))
			return (1);
	return (0);
}

/* Builds scheme "://" rest and parses it into out; 0 or -1. */
static int
http_parse_joined(const char *scheme, const char *rest, struct http_url *out)
{
	char	*s;
	size_t	 len = strlen(scheme) + 3 + strlen(rest) + 1;
	int	 rv;

	if ((s = malloc(len)) == NULL)
		return (-1);
	snprintf(s, len, "%s://%s", scheme, rest);
	rv = http_url_parse(s, out);
	free(s);
	return (rv);
}

/* True if url's authority is self (the proxy as the client named it). */
static int
http_is_self(const struct http_url *url, const char *self)
{
	struct http_url	 me;
	int		 same;

	if (self == NULL || http_parse_joined("http", self, &me) == -1)
		return (0);
	same = strcmp(me.host, url->host) == 0 && me.port == url->port;
	http_url_clear(&me);
	return (same);
}

/* Parses a path-form target ("/host/x", "/http://host/x"); no Referer. */
static enum http_target
http_target_pathform(const char *target, struct http_url *out)
{
	const char	*p = target + 1;
	size_t		 seglen;

	if (strncasecmp(p, "http:/", 6) == 0 ||
	    strncasecmp(p, "https:/", 7) == 0) {
		const char *colon = strchr(p, ':');
		char scheme[8];

		/* some clients squash "//" to "/": accept both */
		snprintf(scheme, sizeof(scheme), "%.*s", (int)(colon - p), p);
		for (p = colon + 1; *p == '/'; p++)
			;
		if (http_parse_joined(scheme, p, out) == -1)
			return (HTTP_TARGET_BAD);
		return (HTTP_TARGET_PATH);
	}
	seglen = strcspn(p, "/?#");
	if (!http_segment_is_host(p, seglen))
		return (HTTP_TARGET_NOHOST);
	if (http_parse_joined("http", p, out) == -1)
		return (HTTP_TARGET_BAD);
	return (HTTP_TARGET_PATH);
}

enum http_target
http_target_parse(const char *target, const char *referer, const char *self,
    struct http_url *out)
{
	struct http_url		 ref, origin;
	enum http_target	 t;

	memset(out, 0, sizeof(*out));
	if (target == NULL || target[0] == '\0')
		return (HTTP_TARGET_BAD);
	if (target[0] != '/') {
		if (http_url_parse(target, out) == -1)
			return (HTTP_TARGET_BAD);
		return (HTTP_TARGET_ABSOLUTE);
	}
	if (target[1] == '\0' || target[1] == '?' || target[1] == '#')
		return (HTTP_TARGET_SELF);
	t = http_target_pathform(target, out);
	if (t != HTTP_TARGET_NOHOST || referer == NULL)
		return (t);

	/* a sub-resource of a path-form page: /style.css */
	if (http_url_parse(referer, &ref) == -1)
		return (HTTP_TARGET_NOHOST);
	if (!http_is_self(&ref, self) ||
	    http_target_pathform(ref.path, &origin) != HTTP_TARGET_PATH) {
		http_url_clear(&ref);
		return (HTTP_TARGET_NOHOST);
	}
	http_url_clear(&ref);
	*out = origin;
	free(out->path);
	out->path = NULL;
	if (http_set_path(out, target) == -1)
		return (HTTP_TARGET_BAD);
	return (HTTP_TARGET_REFERER);
}

/*
 * Removes the "." and ".." segments of the path part (before any '?' or
 * '#') of p, in place (RFC 3986 §5.2.4).  p starts with '/'.
 */
static void
http_remove_dot_segments(char *p)
{
	char	*in = p, *out = p, *end = p + strcspn(p, "?#");
	size_t	 n;

	while (in < end) {
		/* in is at the '/' that starts a segment of n bytes */
		for (n = 0; in + 1 + n < end && in[1 + n] != '/'; n++)
			;
		if ((n == 1 || n == 2) && strncmp(in + 1, "..", n) == 0) {
			/* "..": drop the last output segment */
			if (n == 2)
				while (out > p && *--out != '/')
					;
			in += 1 + n;
			if (in == end)		/* "/a/.." is "/a/" */
				*out++ = '/';
			continue;
		}
		memmove(out, in, 1 + n);
		out += 1 + n;
		in += 1 + n;
	}
	memmove(out, end, strlen(end) + 1);
}

/*
 * Returns malloc()ed "/" authority path, or "/http://" authority path
 * when http_target_parse would not read the authority back as a host
 * ("intranet", "a.b.c.123"); NULL on ENOMEM.  Dot segments are removed
 * first, so that "../../x" cannot climb out of the host's segment.
 */
static char *
http_pathform(const struct http_url *u, const char *path, size_t pathlen)
{
	char		 auth[HTTP_HOST_MAX + 8];
	char		*s;
	const char	*scheme = "";
	size_t		 len, pre;

	http_url_authority(u, auth, sizeof(auth));
	if (strcmp(u->scheme, "http") != 0 ||
	    !http_segment_is_host(auth, strlen(auth)))
		scheme = u->scheme;
	len = 1 + strlen(scheme) + 3 + strlen(auth) + pathlen + 1;
	if ((s = malloc(len)) == NULL)
		return (NULL);
	pre = (size_t)snprintf(s, len, "/%s%s%s", scheme,
	    *scheme != '\0' ? "://" : "", auth);
	snprintf(s + pre, len - pre, "%.*s", (int)pathlen, path);
	if (s[pre] == '/')
		http_remove_dot_segments(s + pre);
	return (s);
}

char *
http_location_to_pathform(const char *loc, const struct http_url *base)
{
	struct http_url	 u;
	char		*s, *joined;
	size_t		 dirlen, len;

	if (loc == NULL || loc[0] == '\0' || loc[0] == '#')
		return (NULL);
	if (strncmp(loc, "//", 2) == 0) {
		if (http_parse_joined(base->scheme, loc + 2, &u) == -1)
			return (NULL);
	} else if (strstr(loc, "://") != NULL &&
	    strcspn(loc, ":") < strcspn(loc, "/?#")) {
		if (http_url_parse(loc, &u) == -1)
			return (NULL);
	} else if (strcspn(loc, ":") < strcspn(loc, "/?#")) {
		return (NULL);		/* mailto:, data:, ... */
	} else if (loc[0] == '/') {
		return (http_pathform(base, loc, strlen(loc)));
	} else {
		/* relative: against the base's directory (or path, for ?q) */
		if (loc[0] == '?')
			dirlen = strcspn(base->path, "?");
		else {
			dirlen = strcspn(base->path, "?");
			while (dirlen > 0 && base->path[dirlen - 1] != '/')
				dirlen--;
		}
		len = dirlen + strlen(loc) + 1;
		if ((joined = malloc(len)) == NULL)
			return (NULL);
		snprintf(joined, len, "%.*s%s", (int)dirlen, base->path, loc);
		s = http_pathform(base, joined, strlen(joined));
		free(joined);
		return (s);
	}
	if (strcmp(u.scheme, "http") != 0) {
		http_url_clear(&u);
		return (NULL);
	}
	s = http_pathform(&u, u.path, strlen(u.path));
	http_url_clear(&u);
	return (s);
}
