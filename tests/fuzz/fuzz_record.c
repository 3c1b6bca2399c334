/*
 * fuzz_record.c: libFuzzer target for the cache entry loader,
 * cache_record_decode() (cache_record.c), which reads the "EVPC1" header
 * of every entry file found in the cache directory at start-up.
 *
 * Input: one control byte, then the file.
 *	bit 0	  prefix mode: the file given is the header text and the
 *		  body; the target writes the 26-byte "EVPC1 <len> <crc>"
 *		  line in front of it, with the header length (up to the
 *		  first "end\n", else all of it) and its real CRC-32, so
 *		  that the fuzzer reaches the header parser.  Otherwise the
 *		  file is used as is.
 *	bits 1-2  the file size the loader measured: the real one, one
 *		  more, one less, or 2^40 more (a file that grew or shrank)
 *	bits 3-7  how much of the file the loader has read for the first
 *		  call, in 31ths of it
 *
 * The loader calls decode with what it has read so far and reads more
 * while the answer is 0.  Invariants: the answer is -1 (with a reason),
 * 0 (only while fewer bytes than the header were given), or the header
 * length, which is then also the answer for any longer read; on
 * failure the record is left empty.  A decoded record is within its
 * documented ranges, encodes again, and decodes from that encoding to
 * the same fields.
 */
#include <sys/queue.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "cache.h"
#include "http.h"
#include "fuzz.h"

/* The reasons decode documents (cache.h), and the ones it has. */
static const char *const fuzz_record_whys[] = {
	"bad magic", "wrong version", "checksum mismatch", "truncated",
	"malformed", "too long", NULL
};

/* CRC-32 (IEEE 802.3), bit by bit: independent of cache_record.c. */
static uint32_t
fuzz_record_crc32(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint32_t		 crc = 0xffffffffU;
	int			 k;

	while (len-- > 0) {
		crc ^= *s++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320U & (0U - (crc & 1)));
	}
	return (~crc);
}

/* True if why is one of the documented reasons. */
static int
fuzz_record_why_ok(const char *why)
{
	size_t	 i;

	if (why == NULL)
		return (0);
	for (i = 0; fuzz_record_whys[i] != NULL; i++)
		if (strcmp(why, fuzz_record_whys[i]) == 0)
			return (1);
	return (0);
}

/* True if rec holds nothing (as cache_record_init leaves it). */
static int
fuzz_record_empty(const struct cache_record *rec)
{
	return (rec->key == NULL && rec->vary_key == NULL &&
	    rec->reason == NULL && TAILQ_EMPTY(&rec->headers));
}

/* True if s is free of the bytes no header line may hold. */
static int
fuzz_record_text_ok(const char *s)
{
	return (s != NULL && strpbrk(s, "\r\n") == NULL);
}

/* Aborts unless a and b hold the same fields and headers, in order. */
static void
fuzz_record_same(const struct cache_record *a, const struct cache_record *b)
{
	const struct evkeyval	*x, *y;

	FUZZ_CHECK(fuzz_streq(a->key, b->key));
	FUZZ_CHECK(fuzz_streq(a->vary_key, b->vary_key));
	FUZZ_CHECK(fuzz_streq(a->reason, b->reason));
	FUZZ_CHECK(a->status == b->status);
	FUZZ_CHECK(a->request_time == b->request_time);
	FUZZ_CHECK(a->response_time == b->response_time);
	FUZZ_CHECK(a->body_len == b->body_len);
	y = TAILQ_FIRST(&b->headers);
	TAILQ_FOREACH(x, &a->headers, next) {
		FUZZ_CHECK(y != NULL);
		FUZZ_CHECK(strcmp(x->key, y->key) == 0);
		FUZZ_CHECK(strcmp(x->value, y->value) == 0);
		y = TAILQ_NEXT(y, next);
	}
	FUZZ_CHECK(y == NULL);
}

/* Checks a decoded record, encodes it again and decodes that. */
static void
fuzz_record_reencode(const struct cache_record *rec, long hlen)
{
	const struct evkeyval	*kv;
	struct cache_record	 again;
	struct evbuffer		*b;
	const char		*why = NULL;
	long			 n;

	FUZZ_CHECK(rec->key != NULL && rec->key[0] != '\0');
	FUZZ_CHECK(fuzz_record_text_ok(rec->key));
	FUZZ_CHECK(fuzz_record_text_ok(rec->vary_key));
	FUZZ_CHECK(fuzz_record_text_ok(rec->reason));
	FUZZ_CHECK(rec->status >= 100 && rec->status <= 599);
	TAILQ_FOREACH(kv, &rec->headers, next) {
		FUZZ_CHECK(http_hdr_name_valid(kv->key));
		FUZZ_CHECK(fuzz_record_text_ok(kv->value));
	}

	if ((b = evbuffer_new()) == NULL)
		abort();
	errno = 0;
	n = cache_record_encode(rec, b);
	if (n == -1) {
		/*
		 * Only the size may refuse it: encode writes body-length
		 * with 20 digits, decode took fewer.
		 */
		FUZZ_CHECK(errno == EFBIG);
		FUZZ_CHECK((unsigned long)hlen + 19 >
		    CACHE_RECORD_PREFIX + CACHE_RECORD_MAX);
		FUZZ_CHECK(evbuffer_get_length(b) == 0);
		evbuffer_free(b);
		return;
	}
	FUZZ_CHECK(n > CACHE_RECORD_PREFIX &&
	    (size_t)n == evbuffer_get_length(b));
	cache_record_init(&again);
	if (rec->body_len <= UINT64_MAX - (uint64_t)n) {
		FUZZ_CHECK(cache_record_decode((const char *)
		    evbuffer_pullup(b, -1), (size_t)n,
		    (uint64_t)n + rec->body_len, &again, &why) == n);
		fuzz_record_same(rec, &again);
	}
	cache_record_clear(&again);
	evbuffer_free(b);
}

/*
 * A first read of k bytes (the loader reads more while the answer is
 * 0): 0, or already r, the answer for the whole read (rec, if r > 0).
 */
static void
fuzz_record_short_read(const char *file, size_t k, uint64_t fsize, long r,
    const struct cache_record *rec)
{
	struct cache_record	 first;
	const char		*why = NULL;
	long			 r2;

	cache_record_init(&first);
	r2 = cache_record_decode(file, k, fsize, &first, &why);
	if (r2 == 0)
		FUZZ_CHECK(fuzz_record_empty(&first));
	else {
		FUZZ_CHECK(r2 == r);
		/* the reason may differ: "truncated", "bad magic" */
		if (r2 == -1)
			FUZZ_CHECK(fuzz_record_why_ok(why));
		else
			fuzz_record_same(rec, &first);
	}
	cache_record_clear(&first);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cache_record	 rec;
	const char		*why, *end;
	char			*file, prefix[CACHE_RECORD_PREFIX + 1];
	size_t			 len, hlen, part;
	uint64_t		 fsize;
	long			 r;
	unsigned		 ctl;

	if (size < 1)
		return (0);
	ctl = data[0];
	data++;
	size--;

	if (ctl & 1) {
		end = memmem(data, size, "end\n", 4);
		hlen = end != NULL ? (size_t)(end + 4 - (const char *)data) :
		    size;
		len = CACHE_RECORD_PREFIX + size;
		if ((file = malloc(len)) == NULL)
			abort();
		snprintf(prefix, sizeof(prefix), "EVPC1 %010zu %08x\n",
		    hlen, (unsigned)fuzz_record_crc32(data, hlen));
		memcpy(file, prefix, CACHE_RECORD_PREFIX);
		memcpy(file + CACHE_RECORD_PREFIX, data, size);
	} else {
		/* exactly len bytes, no NUL after them: ASan sees over-reads */
		len = size;
		if ((file = malloc(len > 0 ? len : 1)) == NULL)
			abort();
		memcpy(file, data, len);
	}
	switch ((ctl >> 1) & 3) {
	case 0:
		fsize = len;
		break;
	case 1:
		fsize = (uint64_t)len + 1;
		break;
	case 2:
		fsize = len > 0 ? len - 1 : 0;
		break;
	default:
		fsize = (uint64_t)len + ((uint64_t)1 << 40);
		break;
	}

	/* all of it, as far as the file size lets the loader read */
	part = len < fsize ? len : (size_t)fsize;
	cache_record_init(&rec);
	why = NULL;
	r = cache_record_decode(file, part, fsize, &rec, &why);
	FUZZ_CHECK(r >= -1 && r <= (long)part);
	FUZZ_CHECK(r <= (long)(CACHE_RECORD_PREFIX + CACHE_RECORD_MAX));
	if (r == -1) {
		FUZZ_CHECK(fuzz_record_why_ok(why));
		FUZZ_CHECK(fuzz_record_empty(&rec));
	} else if (r == 0) {
		/* too short to decide: the loader then gives up, truncated */
		FUZZ_CHECK(fuzz_record_empty(&rec));
		FUZZ_CHECK(part < CACHE_RECORD_PREFIX + CACHE_RECORD_MAX);
	} else {
		FUZZ_CHECK(r > CACHE_RECORD_PREFIX);
		FUZZ_CHECK(memcmp(file, "EVPC1 ", 6) == 0);
		FUZZ_CHECK(fsize - (uint64_t)r == rec.body_len);
		fuzz_record_reencode(&rec, r);
	}

	fuzz_record_short_read(file, part * (ctl >> 3) / 31, fsize, r, &rec);
	cache_record_clear(&rec);
	free(file);
	return (0);
}
