/*
 * log.c: the error log.  Lines go to stderr with a timestamp and a level
 * word; libevent's own warnings (evdns, accept errors) are routed here
 * through event_set_log_callback so that they obey -q and -v.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"

static int	log_level = LOG_LEVEL_INFO;
static char	*log_path;		/* --error-log, or NULL: stderr */

/* Writes one line: "YYYY-mm-ddTHH:MM:SS level: message[: error]". */
static void
log_vwrite(const char *level, const char *err, const char *fmt, va_list ap)
{
	char		 stamp[32];
	time_t		 now = time(NULL);
	struct tm	 tm;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	flockfile(stderr);
	fprintf(stderr, "%s %s: ", stamp, level);
	vfprintf(stderr, fmt, ap);
	if (err != NULL)
		fprintf(stderr, ": %s", err);
	fputc('\n', stderr);
	funlockfile(stderr);
}

/* Receives libevent's internal messages. */
static void
log_event_cb(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG:
		if (log_level >= LOG_LEVEL_DEBUG)
			log_debug("libevent: %s", msg);
		break;
	case EVENT_LOG_MSG:
		log_info("libevent: %s", msg);
		break;
	default:
		log_warnx("libevent: %s", msg);
		break;
	}
}

void
log_init(int level)
{
	log_level = level;
	event_set_log_callback(log_event_cb);
}

/* Points stderr at path (appending); -1 with errno if it cannot. */
static int
log_redirect(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1)
		return (-1);
	fflush(stderr);
	if (dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return (-1);
	}
	close(fd);
	return (0);
}

int
log_open(const char *path)
{
	free(log_path);
	log_path = NULL;
	if (path == NULL)
		return (0);
	if ((log_path = strdup(path)) == NULL)
		return (-1);
	return (log_redirect(path));
}

int
log_reopen(void)
{
	if (log_path == NULL)
		return (0);
	return (log_redirect(log_path));
}

void
log_close(void)
{
	free(log_path);
	log_path = NULL;
}

int
log_get_level(void)
{
	return (log_level);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	*err = strerror(errno);

	va_start(ap, fmt);
	log_vwrite("warning", err, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("warning", NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vwrite("info", NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite("debug", NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	*err = strerror(errno);

	va_start(ap, fmt);
	log_vwrite("fatal", err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal", NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
