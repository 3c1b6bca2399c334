/*
 * mkcache.c: writes entry files straight into a cache directory, so that
 * a scenario can give evproxy's start-up scan many files without storing
 * each one through the proxy.  The records come from the real writer,
 * cache_record_encode(), and the names from cache_record_hash(): the scan
 * reads them as it reads evproxy's own (and removes any it would not).
 *
 *	evproxy-test-mkcache fill DIR PREFIX N
 *		writes N entries DIR/XX/H..., keys PREFIX1 .. PREFIXN: a
 *		200 with a 100-byte body, fresh for a day, no Vary
 *	evproxy-test-mkcache last PREFIX COUNT
 *		prints the first COUNT numbers i for which the file of key
 *		PREFIXi (no Vary) is in directory ff, the one the scan
 *		reads last
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "cache.h"

#define MKCACHE_BODY	100		/* bytes of each body */

/* Prints the usage and exits 2. */
static void
mkcache_usage(void)
{
	fprintf(stderr, "usage: evproxy-test-mkcache fill DIR PREFIX N\n"
	    "       evproxy-test-mkcache last PREFIX COUNT\n");
	exit(2);
}

/* Parses a positive count, or exits. */
static unsigned long
mkcache_count(const char *s)
{
	char		*end;
	unsigned long	 n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n == 0 || n > 100000000UL)
		mkcache_usage();
	return (n);
}

/* Writes the n bytes at p to a new file path, or exits. */
static void
mkcache_write(const char *path, const void *p, size_t n)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || write(fd, p, n) != (ssize_t)n || close(fd) == -1) {
		perror(path);
		exit(1);
	}
}

/* Writes n entries with keys prefix1 .. prefixN under dir. */
static void
mkcache_fill(const char *dir, const char *prefix, unsigned long n)
{
	struct cache_record	 rec;
	struct evbuffer		*b;
	char			 key[4096], path[4096], body[MKCACHE_BODY];
	char			 date[64];
	time_t			 now = time(NULL);
	uint64_t		 h;
	unsigned long		 i;

	memset(body, 'x', sizeof(body));
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT",
	    gmtime(&now));
	cache_record_init(&rec);
	rec.status = 200;
	rec.request_time = now;
	rec.response_time = now;
	rec.body_len = MKCACHE_BODY;
	if ((rec.vary_key = strdup("")) == NULL ||
	    (rec.reason = strdup("OK")) == NULL ||
	    evhttp_add_header(&rec.headers, "Content-Type",
	    "application/octet-stream") == -1 ||
	    evhttp_add_header(&rec.headers, "Date", date) == -1 ||
	    evhttp_add_header(&rec.headers, "Cache-Control",
	    "max-age=86400") == -1 ||
	    (b = evbuffer_new()) == NULL) {
		fprintf(stderr, "mkcache: out of memory\n");
		exit(1);
	}
	for (i = 1; i <= n; i++) {
		snprintf(key, sizeof(key), "%s%lu", prefix, i);
		rec.key = key;
		h = cache_record_hash(key, "");
		snprintf(path, sizeof(path), "%s/%02x/%016llx", dir,
		    (unsigned)(h >> 56), (unsigned long long)h);
		evbuffer_drain(b, evbuffer_get_length(b));
		if (cache_record_encode(&rec, b) == -1 ||
		    evbuffer_add(b, body, sizeof(body)) == -1) {
			fprintf(stderr, "mkcache: cannot encode %s\n", key);
			exit(1);
		}
		mkcache_write(path, evbuffer_pullup(b, -1),
		    evbuffer_get_length(b));
	}
	rec.key = NULL;			/* on the stack */
	cache_record_clear(&rec);
	evbuffer_free(b);
}

/* Prints the first count numbers i whose key prefixI lands in dir ff. */
static void
mkcache_last(const char *prefix, unsigned long count)
{
	char		 key[4096];
	unsigned long	 i;

	for (i = 1; count > 0 && i < 100000000UL; i++) {
		snprintf(key, sizeof(key), "%s%lu", prefix, i);
		if (cache_record_hash(key, "") >> 56 == 0xff) {
			printf("%lu\n", i);
			count--;
		}
	}
}

/* fill DIR PREFIX N, or last PREFIX COUNT. */
int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "fill") == 0)
		mkcache_fill(argv[2], argv[3], mkcache_count(argv[4]));
	else if (argc == 4 && strcmp(argv[1], "last") == 0)
		mkcache_last(argv[2], mkcache_count(argv[3]));
	else
		mkcache_usage();
	return (0);
}
