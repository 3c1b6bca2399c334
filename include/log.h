/* log.h: the error log (stderr) with levels, and fatal exits. */
#ifndef EVPROXY_LOG_H
#define EVPROXY_LOG_H

#include <stdarg.h>

/* Verbosity: LOG_QUIET shows only warnings, LOG_DEBUG shows everything. */
enum log_level {
	LOG_LEVEL_QUIET = -1,
	LOG_LEVEL_INFO = 0,
	LOG_LEVEL_DEBUG = 1
};

/* Sets the verbosity and routes libevent's own messages to our log. */
void	log_init(int level);
/*
 * Sends the log (stderr, so libevent's and sanitizers' lines too) to path
 * instead; NULL keeps stderr.  -1 with errno set on failure.
 */
int	log_open(const char *path);
/* Reopens the file under its name (SIGHUP, after logrotate moved it). */
int	log_reopen(void);
/* Forgets the path. */
void	log_close(void);
/* The current verbosity (an enum log_level value). */
int	log_get_level(void);

/* Warning with strerror(errno) appended. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Warning without errno. */
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Informational line, hidden by -q. */
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Debug line, shown only with -v. */
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Logs with strerror(errno), then exits 1. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Logs without errno, then exits 1. */
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/* True when debug lines are shown; lets callers skip building them. */
#define log_debug_enabled()	(log_get_level() >= LOG_LEVEL_DEBUG)

#endif
