/*
 * alog.c: the access log.  One line per finished request (server_req.c),
 * tunnel (server_tunnel.c) or rejected connection (server_conn.c).
 * Lines collect in a buffer that is written once per event-loop turn
 * (alog_attach), so the requests of one turn share a write(2) instead
 * of one each; a line is never split between two writes, and a crash
 * loses at most the lines of the turn it happened in.  Without a loop
 * (the unit tests) every line is written at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "alog.h"
#include "log.h"
#include "stats.h"

#define ALOG_LINE_MAX	8192
#define ALOG_BUF_MAX	(64 << 10)

static FILE		*alog_fp;
static char		*alog_path;
static enum alog_format	 alog_fmt;
static char		 alog_buf[ALOG_BUF_MAX];
static size_t		 alog_len;
static struct event	*alog_ev;	/* writes the buffer */
static int		 alog_due;	/* alog_ev is active */

/* Writes [p, p + n) to the log's descriptor, all of it. */
static void
alog_put(const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fileno(alog_fp), p, n)) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("access log");
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Writes out the buffered lines. */
static void
alog_flush(void)
{
	if (alog_fp != NULL && alog_len > 0)
		alog_put(alog_buf, alog_len);
	alog_len = 0;
}

static void
alog_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	alog_due = 0;
	alog_flush();
}

int
alog_attach(struct event_base *base)
{
	if (base == NULL) {
		alog_flush();
		if (alog_ev != NULL)
			event_free(alog_ev);
		alog_ev = NULL;
		alog_due = 0;
		return (0);
	}
	if ((alog_ev = event_new(base, -1, 0, alog_flush_cb, NULL)) == NULL)
		return (-1);
	return (0);
}

int
alog_parse_format(const char *s, enum alog_format *f)
{
	if (strcmp(s, "squid") == 0)
		*f = ALOG_SQUID;
	else if (strcmp(s, "combined") == 0)
		*f = ALOG_COMBINED;
	else if (strcmp(s, "json") == 0)
		*f = ALOG_JSON;
	else
		return (-1);
	return (0);
}

/* Opens path (or stdout for "-") for appending (written with write(2)). */
static FILE *
alog_fopen(const char *path)
{
	if (strcmp(path, "-") == 0) {
		/* what main prints there comes out in order with our lines */
		setvbuf(stdout, NULL, _IOLBF, 0);
		return (stdout);
	}
	return (fopen(path, "a"));
}

int
alog_open(const char *path, enum alog_format f)
{
	FILE	*fp;
	char	*p;

	alog_close();
	alog_fmt = f;
	if (path == NULL)
		return (0);
	if ((p = strdup(path)) == NULL)
		return (-1);
	if ((fp = alog_fopen(path)) == NULL) {
		free(p);
		return (-1);
	}
	alog_fp = fp;
	alog_path = p;
	return (0);
}

int
alog_reopen(void)
{
	FILE	*fp;

	if (alog_fp == NULL || alog_fp == stdout)
		return (0);
	if ((fp = alog_fopen(alog_path)) == NULL)
		return (-1);	/* keep writing to the old one */
	alog_flush();		/* the old file's lines */
	fclose(alog_fp);
	alog_fp = fp;
	return (0);
}

void
alog_close(void)
{
	alog_flush();
	if (alog_fp != NULL && alog_fp != stdout)
		fclose(alog_fp);
	else if (alog_fp == stdout)
		fflush(stdout);
	alog_fp = NULL;
	free(alog_path);
	alog_path = NULL;
}

/* Squid's result codes for our cache results. */
static const char *
alog_squid_code(const struct stats_req *r)
{
	static const struct {
		const char	*result, *code;
	} map[] = {
		{ "HIT", "TCP_HIT" },
		{ "STALE", "TCP_STALE_HIT" },
		{ "REVALIDATED", "TCP_REFRESH_UNMODIFIED" },
		{ "REFRESH", "TCP_REFRESH_MODIFIED" },
		{ "MISS", "TCP_MISS" },
		{ "COLLAPSED", "TCP_CF_HIT" },
		{ "BYPASS", "TCP_CLIENT_REFRESH_MISS" },
		{ "PROXY", "TCP_MISS" },
		{ "TUNNEL", "TCP_TUNNEL" },
		{ "SELF", "TCP_MEM_HIT" },
		{ "PURGE", "TCP_MISS" },
		{ "TRUNCATED", "TCP_MISS_ABORTED" },
	};
	size_t	 i;

	if (r->status == 403 && strcmp(r->result, "ERROR") == 0)
		return ("TCP_DENIED");
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].result, r->result) == 0)
			return (map[i].code);
	return ("NONE");
}

/*
 * Appends s to buf for a quoted field: as a JSON string body (json set:
 * '"' and '\\' backslashed, controls as \u00XX) or for the combined
 * format ('"', '\\', controls and bytes >= 0x7f as \xHH, as nginx
 * does).  Returns the new offset, past len if cut.
 */
static size_t
alog_escape(char *buf, size_t len, size_t off, const char *s, int json)
{
	const unsigned char	*p;
	char			 esc[8];
	size_t			 n;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (json && (*p == '"' || *p == '\\'))
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (json && (*p < 0x20 || *p == 0x7f))
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
		else if (!json && (*p == '"' || *p == '\\' || *p < 0x20 ||
		    *p >= 0x7f))
			snprintf(esc, sizeof(esc), "\\x%02X", *p);
		else {
			esc[0] = (char)*p;
			esc[1] = '\0';
		}
		n = strlen(esc);
		if (off + n < len)
			memcpy(buf + off, esc, n);
		off += n;
	}
	if (off < len)
		buf[off] = '\0';
	else if (len > 0)
		buf[len - 1] = '\0';
	return (off);
}

/* snprintf at buf + off, returning the new offset (past len if cut). */
static size_t
alog_cat(char *buf, size_t len, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t
alog_cat(char *buf, size_t len, size_t off, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(off < len ? buf + off : NULL, off < len ? len - off : 0,
	    fmt, ap);
	va_end(ap);
	return (off + (n > 0 ? (size_t)n : 0));
}

/* Appends s at buf + off (alog_cat's contract, without printf). */
static size_t
alog_str(char *buf, size_t len, size_t off, const char *s)
{
	size_t	 n = strlen(s);

	if (off < len)
		memcpy(buf + off, s, off + n < len ? n : len - off);
	off += n;
	if (len > 0)
		buf[off < len ? off : len - 1] = '\0';
	return (off);
}

/* Appends v in decimal, right-aligned in width (pad ' ' or '0'). */
static size_t
alog_num(char *buf, size_t len, size_t off, unsigned long long v, int width,
    char pad)
{
	char	 d[24], *p = d + sizeof(d);

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (d + sizeof(d) - 1 - p < width && p > d)
		*--p = pad;
	return (alog_str(buf, len, off, p));
}

/*
 * The Squid line, the default, without vfprintf (a fifth of a fast hit's
 * instructions went to formatting it):
 * "%lld.%03d %6ld %s %s/%03d %llu %s %s - %s/%s -".
 */
static size_t
alog_squid_line(char *buf, size_t len, const struct stats_req *r)
{
	int	 direct = r->upstream_status != 0 ||
		    strcmp(r->result, "TUNNEL") == 0;
	size_t	 off;

	if (r->when < 0 || r->ms < 0 || r->status < 0 || r->when_ms < 0)
		return (alog_cat(buf, len, 0, "%lld.%03d %6ld %s %s/%03d %llu "
		    "%s %s - %s/%s -", (long long)r->when, r->when_ms, r->ms,
		    r->client, alog_squid_code(r), r->status,
		    (unsigned long long)r->bytes, r->method, r->url,
		    direct ? "HIER_DIRECT" : "HIER_NONE", direct ?
		    (r->host != NULL ? r->host : "-") : "-"));
	off = alog_num(buf, len, 0, (unsigned long long)r->when, 0, ' ');
	off = alog_str(buf, len, off, ".");
	off = alog_num(buf, len, off, (unsigned long long)r->when_ms, 3, '0');
	off = alog_str(buf, len, off, " ");
	off = alog_num(buf, len, off, (unsigned long long)r->ms, 6, ' ');
	off = alog_str(buf, len, off, " ");
	off = alog_str(buf, len, off, r->client);
	off = alog_str(buf, len, off, " ");
	off = alog_str(buf, len, off, alog_squid_code(r));
	off = alog_str(buf, len, off, "/");
	off = alog_num(buf, len, off, (unsigned long long)r->status, 3, '0');
	off = alog_str(buf, len, off, " ");
	off = alog_num(buf, len, off, (unsigned long long)r->bytes, 0, ' ');
	off = alog_str(buf, len, off, " ");
	off = alog_str(buf, len, off, r->method);
	off = alog_str(buf, len, off, " ");
	off = alog_str(buf, len, off, r->url);
	off = alog_str(buf, len, off, direct ? " - HIER_DIRECT/" :
	    " - HIER_NONE/");
	off = alog_str(buf, len, off, direct && r->host != NULL ? r->host :
	    "-");
	return (alog_str(buf, len, off, " -"));
}

size_t
alog_format_line(char *buf, size_t len, enum alog_format f,
    const struct stats_req *r)
{
	char		 stamp[64];
	struct tm	 tm;
	size_t		 off = 0;

	if (len > 0)
		buf[0] = '\0';
	switch (f) {
	case ALOG_SQUID:
		/* time elapsed client code/status bytes method URL user
		 * hierarchy/peer type */
		return (alog_squid_line(buf, len, r));
	case ALOG_COMBINED:
		gmtime_r(&r->when, &tm);
		strftime(stamp, sizeof(stamp), "%d/%b/%Y:%H:%M:%S +0000", &tm);
		off = alog_cat(buf, len, 0, "%s - - [%s] \"%s ", r->client,
		    stamp, r->method);
		off = alog_escape(buf, len, off, r->url, 0);
		return (alog_cat(buf, len, off, " HTTP/1.1\" %d %llu \"-\" "
		    "\"-\" %s %ldms %d", r->status,
		    (unsigned long long)r->bytes, r->result, r->ms,
		    r->upstream_status));
	case ALOG_JSON:
		gmtime_r(&r->when, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
		off = alog_cat(buf, len, off, "{\"time\":\"%s\",\"client\":\"",
		    stamp);
		off = alog_escape(buf, len, off, r->client, 1);
		off = alog_cat(buf, len, off, "\",\"method\":\"");
		off = alog_escape(buf, len, off, r->method, 1);
		off = alog_cat(buf, len, off, "\",\"url\":\"");
		off = alog_escape(buf, len, off, r->url, 1);
		off = alog_cat(buf, len, off, "\",\"status\":%d,\"result\":\"%s\","
		    "\"bytes\":%llu,\"ms\":%ld,\"upstream_status\":%d,"
		    "\"from_cache\":%s,\"detail\":\"", r->status, r->result,
		    (unsigned long long)r->bytes, r->ms, r->upstream_status,
		    r->from_cache ? "true" : "false");
		off = alog_escape(buf, len, off,
		    r->why != NULL ? r->why : "", 1);
		return (alog_cat(buf, len, off, "\"}"));
	}
	return (0);
}

int
alog_enabled(void)
{
	return (alog_fp != NULL);
}

void
alog_write(const struct stats_req *r)
{
	char	 line[ALOG_LINE_MAX], *big = NULL, *p = line;
	size_t	 n;

	if (alog_fp == NULL)
		return;
	n = alog_format_line(line, sizeof(line), alog_fmt, r);
	if (n + 2 > sizeof(line)) {
		/* a long URL: never cut a line (a cut JSON line is no JSON) */
		if ((big = malloc(n + 2)) == NULL) {
			log_warnx("access log: out of memory for a %zu-byte "
			    "line", n);
			return;
		}
		alog_format_line(big, n + 2, alog_fmt, r);
		p = big;
	}
	p[n] = '\n';
	n++;
	if (alog_len + n > sizeof(alog_buf))
		alog_flush();
	if (n > sizeof(alog_buf) || alog_ev == NULL) {
		alog_flush();
		alog_put(p, n);
	} else {
		memcpy(alog_buf + alog_len, p, n);
		alog_len += n;
		/* after the other callbacks of this loop turn */
		if (!alog_due) {
			alog_due = 1;
			event_active(alog_ev, EV_TIMEOUT, 1);
		}
	}
	free(big);
}
