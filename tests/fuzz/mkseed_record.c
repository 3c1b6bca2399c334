/*
 * mkseed_record.c: writes the seed corpus of fuzz_record with the real
 * writer, cache_record_encode(), so that the seeds follow the format if
 * it changes.  Usage: mkseed_record DIR (the files in DIR are replaced).
 *
 * Each seed is fuzz_record's control byte followed by an entry file (or,
 * in prefix mode, by the file without its 26-byte first line).
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "cache.h"

/* Control-byte bits of fuzz_record.c. */
#define SEED_PREFIX	0x01		/* target writes the first line */
#define SEED_SIZE_P1	(1 << 1)	/* file size + 1 */
#define SEED_SIZE_M1	(2 << 1)	/* file size - 1 */
#define SEED_SIZE_HUGE	(3 << 1)	/* file size + 2^40 */
#define SEED_HALF	(16 << 3)	/* first read: 16/31 of the file */

static const char	*seed_dir;

/* Writes one seed: ctl, then n bytes at p. */
static void
seed_write(const char *name, unsigned ctl, const void *p, size_t n)
{
	char		 path[4096];
	FILE		*fp;
	unsigned char	 c = (unsigned char)ctl;

	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(&c, 1, 1, fp) != 1 ||
	    fwrite(p, 1, n, fp) != n || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* Encodes a record with headers hdrs ("Name", "value" pairs) and body. */
static struct evbuffer *
seed_record(const char *key, const char *vary, int status,
    const char *reason, uint64_t body_len, const char *body,
    const char *const *hdrs)
{
	struct cache_record	 rec;
	struct evbuffer		*b;

	cache_record_init(&rec);
	rec.key = strdup(key);
	rec.vary_key = strdup(vary);
	rec.reason = strdup(reason);
	rec.status = status;
	rec.request_time = 1700000000;
	rec.response_time = 1700000001;
	rec.body_len = body_len;
	for (; hdrs != NULL && hdrs[0] != NULL; hdrs += 2)
		if (evhttp_add_header(&rec.headers, hdrs[0], hdrs[1]) == -1)
			exit(1);
	if ((b = evbuffer_new()) == NULL ||
	    cache_record_encode(&rec, b) == -1) {
		fprintf(stderr, "mkseed_record: cannot encode %s\n", key);
		exit(1);
	}
	evbuffer_add(b, body, strlen(body));
	cache_record_clear(&rec);
	return (b);
}

/* Writes b as seed name with ctl (without its first line in prefix mode). */
static void
seed_put(const char *name, unsigned ctl, struct evbuffer *b)
{
	const char	*p = (const char *)evbuffer_pullup(b, -1);
	size_t		 n = evbuffer_get_length(b);

	if (ctl & SEED_PREFIX)
		seed_write(name, ctl, p + CACHE_RECORD_PREFIX,
		    n - CACHE_RECORD_PREFIX);
	else
		seed_write(name, ctl, p, n);
}

/* Writes a prefix-mode seed from header text. */
static void
seed_text(const char *name, const char *text)
{
	seed_write(name, SEED_PREFIX, text, strlen(text));
}

int
main(int argc, char **argv)
{
	static const char *const plain[] = {
		"Content-Type", "text/plain", NULL
	};
	static const char *const many[] = {
		"Content-Type", "text/html; charset=utf-8",
		"ETag", "\"abc\"",
		"Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT",
		"Cache-Control", "max-age=60, public",
		"Set-Cookie", "a=1", "Set-Cookie", "b=2",
		"Vary", "Accept-Encoding",
		"X-Utf8", "caf\xc3\xa9 \xe2\x82\xac",
		"X-Empty", "", "X-Colon", "a: b: c",
		NULL
	};
	struct evbuffer	*b;
	char		*p;

	if (argc != 2) {
		fprintf(stderr, "usage: mkseed_record DIR\n");
		return (2);
	}
	seed_dir = argv[1];

	/* the example of cache_record.c, read whole and in two reads */
	b = seed_record("http://example.com/a", "", 200, "OK", 5, "hello",
	    plain);
	seed_put("example", 0, b);
	seed_put("example-half-read", SEED_HALF, b);
	seed_put("example-prefix-mode", SEED_PREFIX, b);
	seed_put("example-file-grew", SEED_SIZE_P1, b);
	seed_put("example-file-shrank", SEED_SIZE_M1, b);
	/* damaged copies: CRC, version, magic */
	p = (char *)evbuffer_pullup(b, -1);
	p[20] ^= 1;
	seed_put("bad-crc", 0, b);
	p[20] ^= 1;
	p[4] = '2';
	seed_put("version-2", 0, b);
	p[0] = 'X';
	seed_put("bad-magic", 0, b);
	evbuffer_free(b);

	b = seed_record("http://example.com:8080/p?q=1",
	    "accept-encoding:gzip\x1f", 200, "OK", 3, "abc", many);
	seed_put("vary-many-headers", 0, b);
	seed_put("vary-many-headers-prefix", SEED_PREFIX | SEED_HALF, b);
	evbuffer_free(b);

	b = seed_record("http://[::1]/x", "", 404, "Not Found", 0, "", NULL);
	seed_put("ipv6-404-empty", 0, b);
	evbuffer_free(b);

	/* a body of 2^40 bytes that the loader does not read */
	b = seed_record("http://example.com/big", "", 206, "",
	    (uint64_t)1 << 40, "", plain);
	seed_put("huge-body", SEED_SIZE_HUGE, b);
	evbuffer_free(b);

	/* header text the writer would not produce, but decode reads */
	seed_text("text-any-order", "status 301\nkey http://a/\n"
	    "reason Moved Permanently\nvary \nbody-length 0\n"
	    "response-time -5\nrequest-time 0000000000000000000007\n"
	    "h Location: http://b/\nend\n");
	seed_text("text-repeated-field", "key k\nkey k\nvary \nstatus 200\n"
	    "reason OK\nrequest-time 1\nresponse-time 1\nbody-length 0\nend\n");
	seed_text("text-unknown-field", "key k\nvary \nstatus 200\nreason OK\n"
	    "request-time 1\nresponse-time 1\nbody-length 0\nx 1\nend\n");
	seed_text("text-bad-header", "key k\nvary \nstatus 200\nreason OK\n"
	    "request-time 1\nresponse-time 1\nbody-length 0\nh X:y\n"
	    "h Bad Name: v\nh :v\nend\n");
	seed_text("text-limits", "key k\nvary \nstatus 599\nreason \n"
	    "request-time -9223372036854775808\n"
	    "response-time 9223372036854775807\n"
	    "body-length 18446744073709551615\nend\n");
	seed_text("text-no-end", "key k\nvary \nstatus 200\nreason OK\n"
	    "request-time 1\nresponse-time 1\nbody-length 0\n");
	seed_text("text-end-in-body", "key k\nvary \nstatus 200\nreason OK\n"
	    "request-time 1\nresponse-time 1\nbody-length 4\nend\nend\n");
	return (0);
}
