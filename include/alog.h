/*
 * alog.h: the access log, one line per finished request or tunnel, in
 * Squid's native format, the combined format or JSON lines.  The file is
 * opened at start-up and reopened on SIGHUP, so logrotate can move it.
 */
#ifndef EVPROXY_ALOG_H
#define EVPROXY_ALOG_H

#include <stddef.h>

struct stats_req;

enum alog_format {
	ALOG_SQUID,		/* Squid's native access.log */
	ALOG_COMBINED,		/* NCSA combined, plus result and timing */
	ALOG_JSON		/* one JSON object per line */
};

/* "squid", "combined" or "json"; -1 if unknown. */
int	alog_parse_format(const char *s, enum alog_format *f);
/*
 * Opens path for appending ("-" is standard output; NULL turns the log
 * off).  -1 with errno set if it cannot be opened.
 */
int	alog_open(const char *path, enum alog_format f);
/* Reopens the file under its name (SIGHUP); -1 if that failed. */
int	alog_reopen(void);
/* True if an access log is open. */
int	alog_enabled(void);
/* Writes one line; does nothing when the log is off. */
void	alog_write(const struct stats_req *);
/* Formats one line (no newline) into buf; the length it needed. */
size_t	alog_format_line(char *buf, size_t len, enum alog_format f,
	    const struct stats_req *);
/*
 * Buffers lines and writes them once per turn of base's loop; NULL
 * writes what is buffered and goes back to a write per line (before the
 * base is freed).
 */
struct event_base;
int	alog_attach(struct event_base *base);
/* Closes the log (writing what is buffered). */
void	alog_close(void);

#endif
