/*
 * cache_record.c: the header of an entry file (see cache.h).
 *
 * An entry file is a fixed 26-byte first line, a text header and the
 * body:
 *
 *	EVPC1 0000000165 3bab6de3\n	magic+version, header length, CRC-32
 *	key http://example.com/a\n	the header: one field a line
 *	vary \n
 *	status 200\n
 *	reason OK\n
 *	request-time 1700000000\n
 *	response-time 1700000001\n
 *	body-length 00000000000000000005\n
 *	h Content-Type: text/plain\n	each stored header, in order
 *	end\n
 *	hello				body-length bytes of body
 *
 * The CRC-32 (IEEE 802.3, as in zlib and PNG) covers the header bytes,
 * not the body.  body-length is written with 20 digits, so the header has
 * the same length whatever the body's: a writer reserves it when it
 * starts and rewrites it in place once the length is known.  Decoding
 * accepts any number of digits.  Nothing in the header may contain CR,
 * LF or NUL, so every line reads back as written.  Pure code: no I/O.
 */
#include <sys/queue.h>

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "cache.h"
#include "http.h"

#define CACHE_RECORD_MAGIC	"EVPC"
#define CACHE_RECORD_MAGIC_LEN	4

/* Which required fields a header has had, one bit each. */
#define CACHE_RECORD_F_KEY	0x01
#define CACHE_RECORD_F_VARY	0x02
#define CACHE_RECORD_F_STATUS	0x04
#define CACHE_RECORD_F_REASON	0x08
#define CACHE_RECORD_F_REQTIME	0x10
#define CACHE_RECORD_F_RESPTIME	0x20
#define CACHE_RECORD_F_BODYLEN	0x40
#define CACHE_RECORD_F_ALL	0x7f

/* CRC-32 (IEEE, reflected polynomial 0xedb88320), one entry per byte. */
static const uint32_t cache_record_crc_table[256] = {
	0x00000000U, 0x77073096U, 0xee0e612cU, 0x990951baU,
	0x076dc419U, 0x706af48fU, 0xe963a535U, 0x9e6495a3U,
	0x0edb8832U, 0x79dcb8a4U, 0xe0d5e91eU, 0x97d2d988U,
	0x09b64c2bU, 0x7eb17cbdU, 0xe7b82d07U, 0x90bf1d91U,
	0x1db71064U, 0x6ab020f2U, 0xf3b97148U, 0x84be41deU,
	0x1adad47dU, 0x6ddde4ebU, 0xf4d4b551U, 0x83d385c7U,
	0x136c9856U, 0x646ba8c0U, 0xfd62f97aU, 0x8a65c9ecU,
	0x14015c4fU, 0x63066cd9U, 0xfa0f3d63U, 0x8d080df5U,
	0x3b6e20c8U, 0x4c69105eU, 0xd56041e4U, 0xa2677172U,
	0x3c03e4d1U, 0x4b04d447U, 0xd20d85fdU, 0xa50ab56bU,
	0x35b5a8faU, 0x42b2986cU, 0xdbbbc9d6U, 0xacbcf940U,
	0x32d86ce3U, 0x45df5c75U, 0xdcd60dcfU, 0xabd13d59U,
	0x26d930acU, 0x51de003aU, 0xc8d75180U, 0xbfd06116U,
	0x21b4f4b5U, 0x56b3c423U, 0xcfba9599U, 0xb8bda50fU,
	0x2802b89eU, 0x5f058808U, 0xc60cd9b2U, 0xb10be924U,
	0x2f6f7c87U, 0x58684c11U, 0xc1611dabU, 0xb6662d3dU,
	0x76dc4190U, 0x01db7106U, 0x98d220bcU, 0xefd5102aU,
	0x71b18589U, 0x06b6b51fU, 0x9fbfe4a5U, 0xe8b8d433U,
	0x7807c9a2U, 0x0f00f934U, 0x9609a88eU, 0xe10e9818U,
	0x7f6a0dbbU, 0x086d3d2dU, 0x91646c97U, 0xe6635c01U,
	0x6b6b51f4U, 0x1c6c6162U, 0x856530d8U, 0xf262004eU,
	0x6c0695edU, 0x1b01a57bU, 0x8208f4c1U, 0xf50fc457U,
	0x65b0d9c6U, 0x12b7e950U, 0x8bbeb8eaU, 0xfcb9887cU,
	0x62dd1ddfU, 0x15da2d49U, 0x8cd37cf3U, 0xfbd44c65U,
	0x4db26158U, 0x3ab551ceU, 0xa3bc0074U, 0xd4bb30e2U,
	0x4adfa541U, 0x3dd895d7U, 0xa4d1c46dU, 0xd3d6f4fbU,
	0x4369e96aU, 0x346ed9fcU, 0xad678846U, 0xda60b8d0U,
	0x44042d73U, 0x33031de5U, 0xaa0a4c5fU, 0xdd0d7cc9U,
	0x5005713cU, 0x270241aaU, 0xbe0b1010U, 0xc90c2086U,
	0x5768b525U, 0x206f85b3U, 0xb966d409U, 0xce61e49fU,
	0x5edef90eU, 0x29d9c998U, 0xb0d09822U, 0xc7d7a8b4U,
	0x59b33d17U, 0x2eb40d81U, 0xb7bd5c3bU, 0xc0ba6cadU,
	0xedb88320U, 0x9abfb3b6U, 0x03b6e20cU, 0x74b1d29aU,
	0xead54739U, 0x9dd277afU, 0x04db2615U, 0x73dc1683U,
	0xe3630b12U, 0x94643b84U, 0x0d6d6a3eU, 0x7a6a5aa8U,
	0xe40ecf0bU, 0x9309ff9dU, 0x0a00ae27U, 0x7d079eb1U,
	0xf00f9344U, 0x8708a3d2U, 0x1e01f268U, 0x6906c2feU,
	0xf762575dU, 0x806567cbU, 0x196c3671U, 0x6e6b06e7U,
	0xfed41b76U, 0x89d32be0U, 0x10da7a5aU, 0x67dd4accU,
	0xf9b9df6fU, 0x8ebeeff9U, 0x17b7be43U, 0x60b08ed5U,
	0xd6d6a3e8U, 0xa1d1937eU, 0x38d8c2c4U, 0x4fdff252U,
	0xd1bb67f1U, 0xa6bc5767U, 0x3fb506ddU, 0x48b2364bU,
	0xd80d2bdaU, 0xaf0a1b4cU, 0x36034af6U, 0x41047a60U,
	0xdf60efc3U, 0xa867df55U, 0x316e8eefU, 0x4669be79U,
	0xcb61b38cU, 0xbc66831aU, 0x256fd2a0U, 0x5268e236U,
	0xcc0c7795U, 0xbb0b4703U, 0x220216b9U, 0x5505262fU,
	0xc5ba3bbeU, 0xb2bd0b28U, 0x2bb45a92U, 0x5cb36a04U,
	0xc2d7ffa7U, 0xb5d0cf31U, 0x2cd99e8bU, 0x5bdeae1dU,
	0x9b64c2b0U, 0xec63f226U, 0x756aa39cU, 0x026d930aU,
	0x9c0906a9U, 0xeb0e363fU, 0x72076785U, 0x05005713U,
	0x95bf4a82U, 0xe2b87a14U, 0x7bb12baeU, 0x0cb61b38U,
	0x92d28e9bU, 0xe5d5be0dU, 0x7cdcefb7U, 0x0bdbdf21U,
	0x86d3d2d4U, 0xf1d4e242U, 0x68ddb3f8U, 0x1fda836eU,
	0x81be16cdU, 0xf6b9265bU, 0x6fb077e1U, 0x18b74777U,
	0x88085ae6U, 0xff0f6a70U, 0x66063bcaU, 0x11010b5cU,
	0x8f659effU, 0xf862ae69U, 0x616bffd3U, 0x166ccf45U,
	0xa00ae278U, 0xd70dd2eeU, 0x4e048354U, 0x3903b3c2U,
	0xa7672661U, 0xd06016f7U, 0x4969474dU, 0x3e6e77dbU,
	0xaed16a4aU, 0xd9d65adcU, 0x40df0b66U, 0x37d83bf0U,
	0xa9bcae53U, 0xdebb9ec5U, 0x47b2cf7fU, 0x30b5ffe9U,
	0xbdbdf21cU, 0xcabac28aU, 0x53b39330U, 0x24b4a3a6U,
	0xbad03605U, 0xcdd70693U, 0x54de5729U, 0x23d967bfU,
	0xb3667a2eU, 0xc4614ab8U, 0x5d681b02U, 0x2a6f2b94U,
	0xb40bbe37U, 0xc30c8ea1U, 0x5a05df1bU, 0x2d02ef8dU,
};

/* The fields of a header, in the order encode writes them. */
static const struct {
	const char	*name;
	unsigned	 flag;
} cache_record_fields[] = {
	{ "key",		CACHE_RECORD_F_KEY },
	{ "vary",		CACHE_RECORD_F_VARY },
	{ "status",		CACHE_RECORD_F_STATUS },
	{ "reason",		CACHE_RECORD_F_REASON },
	{ "request-time",	CACHE_RECORD_F_REQTIME },
	{ "response-time",	CACHE_RECORD_F_RESPTIME },
	{ "body-length",	CACHE_RECORD_F_BODYLEN },
	{ NULL,			0 }
};

/* The CRC-32 of len bytes at p. */
static uint32_t
cache_record_crc32(const void *p, size_t len)
{
	const unsigned char	*s = p;
	uint32_t		 crc = 0xffffffffU;

	while (len-- > 0)
		crc = cache_record_crc_table[(crc ^ *s++) & 0xff] ^ (crc >> 8);
	return (crc ^ 0xffffffffU);
}

/* 64-bit FNV-1a over s, continuing from h. */
static uint64_t
cache_record_fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (h);
}

/* The hash of key (and vary_key): see cache.h. */
uint64_t
cache_record_hash(const char *key, const char *vary_key)
{
	uint64_t	 h = cache_record_fnv(0xcbf29ce484222325ULL, key);

	if (vary_key == NULL)
		return (h);
	h ^= 0xff;			/* between the two keys */
	h *= 0x100000001b3ULL;
	return (cache_record_fnv(h, vary_key));
}

/* True if s may be stored in a header line: no CR or LF. */
static int
cache_record_text_ok(const char *s)
{
	return (s != NULL && strpbrk(s, "\r\n") == NULL);
}

/* Zeroes rec and initializes its header list. */
void
cache_record_init(struct cache_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	TAILQ_INIT(&rec->headers);
}

/* Frees what rec holds and leaves it as cache_record_init() does. */
void
cache_record_clear(struct cache_record *rec)
{
	free(rec->key);
	free(rec->vary_key);
	free(rec->reason);
	evhttp_clear_headers(&rec->headers);
	cache_record_init(rec);
}

/* Encodes rec (prefix and header) and appends it to out. */
long
cache_record_encode(const struct cache_record *rec, struct evbuffer *out)
{
	const struct evkeyval	*kv;
	struct evbuffer		*b;
	const char		*vary, *reason;
	char			 prefix[CACHE_RECORD_PREFIX + 1];
	const unsigned char	*p;
	size_t			 hlen;
	int			 n;

	vary = rec->vary_key != NULL ? rec->vary_key : "";
	reason = rec->reason != NULL ? rec->reason : "";
	/* refuse what decode would reject, so that every record reads back */
	if (rec->key == NULL || rec->key[0] == '\0' ||
	    !cache_record_text_ok(rec->key) || !cache_record_text_ok(vary) ||
	    !cache_record_text_ok(reason) ||
	    rec->status < 100 || rec->status > 599) {
		errno = EINVAL;
		return (-1);
	}
	TAILQ_FOREACH(kv, &rec->headers, next)
		if (!http_hdr_name_valid(kv->key) ||
		    !cache_record_text_ok(kv->value)) {
			errno = EINVAL;
			return (-1);
		}

	if ((b = evbuffer_new()) == NULL)
		return (-1);
	if (evbuffer_add_printf(b, "key %s\nvary %s\nstatus %d\nreason %s\n"
	    "request-time %lld\nresponse-time %lld\n"
	    "body-length %020" PRIu64 "\n", rec->key, vary, rec->status,
	    reason, (long long)rec->request_time,
	    (long long)rec->response_time, rec->body_len) == -1)
		goto fail;
	TAILQ_FOREACH(kv, &rec->headers, next) {
		if (evbuffer_add_printf(b, "h %s: %s\n", kv->key,
		    kv->value) == -1)
			goto fail;
		if (evbuffer_get_length(b) > CACHE_RECORD_MAX)
			goto toolong;
	}
	if (evbuffer_add(b, "end\n", 4) == -1)
		goto fail;
	if ((hlen = evbuffer_get_length(b)) > CACHE_RECORD_MAX)
		goto toolong;
	if ((p = evbuffer_pullup(b, -1)) == NULL)
		goto fail;
	n = snprintf(prefix, sizeof(prefix), "%s%d %010zu %08" PRIx32 "\n",
	    CACHE_RECORD_MAGIC, CACHE_RECORD_VERSION, hlen,
	    cache_record_crc32(p, hlen));
	if (n != CACHE_RECORD_PREFIX)
		goto fail;		/* cannot happen: fixed widths */
	/* one move into out, so that out is unchanged on failure */
	if (evbuffer_prepend(b, prefix, CACHE_RECORD_PREFIX) == -1 ||
	    evbuffer_add_buffer(out, b) == -1)
		goto fail;
	evbuffer_free(b);
	return ((long)(CACHE_RECORD_PREFIX + hlen));
toolong:
	errno = EFBIG;
fail:
	evbuffer_free(b);
	return (-1);
}

/*
 * Parses n bytes at s as a decimal number of at most max, optionally
 * negative (then at least -max).  Returns 0, or -1 if it is not one.
 */
static int
cache_record_number(const char *s, size_t n, int neg_ok, uint64_t max,
    int *negp, uint64_t *vp)
{
	uint64_t	 v = 0;
	int		 neg = 0;

	if (n > 0 && *s == '-' && neg_ok) {
		neg = 1;
		s++;
		n--;
	}
	if (n == 0)
		return (-1);
	for (; n > 0; s++, n--) {
		if (*s < '0' || *s > '9')
			return (-1);
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*negp = neg;
	*vp = v;
	return (0);
}

/* Parses a time field (a signed decimal that fits time_t) into *tp. */
static int
cache_record_time(const char *s, size_t n, time_t *tp)
{
	uint64_t	 v;
	long long	 t;
	int		 neg;

	if (cache_record_number(s, n, 1, (uint64_t)LLONG_MAX, &neg, &v) == -1)
		return (-1);
	t = neg ? -(long long)v : (long long)v;
	if ((long long)(time_t)t != t)
		return (-1);		/* a 32-bit time_t */
	*tp = (time_t)t;
	return (0);
}

/* Copies n bytes at s into a new string *dst; -1 on ENOMEM. */
static int
cache_record_strdup(char **dst, const char *s, size_t n)
{
	if ((*dst = malloc(n + 1)) == NULL)
		return (-1);
	memcpy(*dst, s, n);
	(*dst)[n] = '\0';
	return (0);
}

/*
 * Adds the stored header of the line "h Name: value" (s, n bytes, after
 * the "h ") to rec.  Returns 0, -1 if malformed, -2 on ENOMEM.
 */
static int
cache_record_parse_header(const char *s, size_t n, struct cache_record *rec)
{
	const char	*colon;
	char		*name = NULL, *value = NULL;
	size_t		 nlen;
	int		 rv = -2;

	if ((colon = memchr(s, ':', n)) == NULL)
		return (-1);
	nlen = (size_t)(colon - s);
	/* the value follows ": "; it may be empty */
	if (nlen == 0 || nlen + 2 > n || colon[1] != ' ')
		return (-1);
	if (cache_record_strdup(&name, s, nlen) == -1 ||
	    cache_record_strdup(&value, colon + 2, n - nlen - 2) == -1)
		goto out;
	if (!http_hdr_name_valid(name)) {
		rv = -1;
		goto out;
	}
	/* checked above, so evhttp can only fail for memory */
	if (evhttp_add_header(&rec->headers, name, value) == -1)
		goto out;
	rv = 0;
out:
	free(name);
	free(value);
	return (rv);
}

/*
 * Sets the field name (the line was "name value") of rec.  Returns 0, -1
 * if the value is malformed, -2 on ENOMEM.
 */
static int
cache_record_parse_field(unsigned flag, const char *v, size_t n,
    struct cache_record *rec)
{
	uint64_t	 u;
	int		 neg;

	switch (flag) {
	case CACHE_RECORD_F_KEY:
		if (n == 0)
			return (-1);
		return (cache_record_strdup(&rec->key, v, n) == -1 ? -2 : 0);
	case CACHE_RECORD_F_VARY:
		return (cache_record_strdup(&rec->vary_key, v, n) == -1 ?
		    -2 : 0);
	case CACHE_RECORD_F_REASON:
		return (cache_record_strdup(&rec->reason, v, n) == -1 ?
		    -2 : 0);
	case CACHE_RECORD_F_STATUS:
		if (cache_record_number(v, n, 0, 999, &neg, &u) == -1 ||
		    u < 100 || u > 599)
			return (-1);
		rec->status = (int)u;
		return (0);
	case CACHE_RECORD_F_REQTIME:
		return (cache_record_time(v, n, &rec->request_time));
	case CACHE_RECORD_F_RESPTIME:
		return (cache_record_time(v, n, &rec->response_time));
	case CACHE_RECORD_F_BODYLEN:
		return (cache_record_number(v, n, 0, UINT64_MAX, &neg,
		    &rec->body_len));
	}
	return (-1);
}

/*
 * Parses the header (hlen bytes at h, checksum already verified) into
 * rec.  Returns 0, -1 if malformed, -2 on ENOMEM.
 */
static int
cache_record_parse(const char *h, size_t hlen, struct cache_record *rec)
{
	const char	*p = h, *end = h + hlen, *nl, *sp;
	size_t		 n, i;
	unsigned	 seen = 0;
	int		 rv;

	/* no CR or NUL anywhere; LF only ends lines */
	if (memchr(h, '\r', hlen) != NULL || memchr(h, '\0', hlen) != NULL)
		return (-1);
	while (p < end) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return (-1);		/* unterminated line */
		n = (size_t)(nl - p);
		if (n == 3 && memcmp(p, "end", 3) == 0) {
			/* the last line: nothing may follow it */
			if (nl + 1 != end || seen != CACHE_RECORD_F_ALL)
				return (-1);
			return (0);
		}
		if (n >= 2 && p[0] == 'h' && p[1] == ' ') {
			if ((rv = cache_record_parse_header(p + 2, n - 2,
			    rec)) != 0)
				return (rv);
			p = nl + 1;
			continue;
		}
		if ((sp = memchr(p, ' ', n)) == NULL)
			return (-1);
		for (i = 0; cache_record_fields[i].name != NULL; i++)
			if (strlen(cache_record_fields[i].name) ==
			    (size_t)(sp - p) && memcmp(p,
			    cache_record_fields[i].name, (size_t)(sp - p)) == 0)
				break;
		if (cache_record_fields[i].name == NULL ||
		    (seen & cache_record_fields[i].flag))
			return (-1);		/* unknown or repeated */
		seen |= cache_record_fields[i].flag;
		if ((rv = cache_record_parse_field(cache_record_fields[i].flag,
		    sp + 1, (size_t)(nl - sp - 1), rec)) != 0)
			return (rv);
		p = nl + 1;
	}
	return (-1);				/* no "end" */
}

/*
 * Parses the fixed first line (CACHE_RECORD_PREFIX bytes at buf) into
 * the header length and CRC.  Returns 0, or -1 with *why set.
 */
static int
cache_record_parse_prefix(const char *buf, uint64_t *hlenp, uint32_t *crcp,
    const char **why)
{
	uint64_t	 v;
	size_t		 i;
	int		 neg, version = 0;

	if (memcmp(buf, CACHE_RECORD_MAGIC, CACHE_RECORD_MAGIC_LEN) != 0) {
		*why = "bad magic";
		return (-1);
	}
	/* "EVPC" then the version digits, then a space */
	for (i = CACHE_RECORD_MAGIC_LEN; i < CACHE_RECORD_PREFIX &&
	    buf[i] >= '0' && buf[i] <= '9'; i++)
		if (version < 1000)
			version = version * 10 + (buf[i] - '0');
	if (i == CACHE_RECORD_MAGIC_LEN) {
		*why = "bad magic";
		return (-1);
	}
	if (version != CACHE_RECORD_VERSION) {
		*why = "wrong version";
		return (-1);
	}
	if (i != CACHE_RECORD_MAGIC_LEN + 1 || buf[5] != ' ' ||
	    cache_record_number(buf + 6, 10, 0, UINT64_MAX, &neg, &v) == -1 ||
	    buf[16] != ' ' || buf[25] != '\n')
		goto malformed;
	*hlenp = v;
	*crcp = 0;
	for (i = 17; i < 25; i++) {
		if (buf[i] >= '0' && buf[i] <= '9')
			*crcp = (*crcp << 4) | (uint32_t)(buf[i] - '0');
		else if (buf[i] >= 'a' && buf[i] <= 'f')
			*crcp = (*crcp << 4) | (uint32_t)(buf[i] - 'a' + 10);
		else
			goto malformed;
	}
	return (0);
malformed:
	*why = "malformed";
	return (-1);
}

/* Decodes the record at the start of an entry file (see cache.h). */
long
cache_record_decode(const char *buf, size_t len, uint64_t file_size,
    struct cache_record *rec, const char **why)
{
	const char	*dummy;
	uint64_t	 hlen, need;
	uint32_t	 crc;
	size_t		 n;
	int		 rv;

	if (why == NULL)
		why = &dummy;
	/* a foreign file is known by its first bytes, however few */
	n = len < CACHE_RECORD_MAGIC_LEN ? len : CACHE_RECORD_MAGIC_LEN;
	if (n > 0 && memcmp(buf, CACHE_RECORD_MAGIC, n) != 0) {
		*why = "bad magic";
		return (-1);
	}
	if (len > file_size) {
		*why = "too long";	/* it grew after it was measured */
		return (-1);
	}
	if (file_size < CACHE_RECORD_PREFIX) {
		*why = "truncated";
		return (-1);
	}
	if (len < CACHE_RECORD_PREFIX)
		return (0);
	if (cache_record_parse_prefix(buf, &hlen, &crc, why) == -1)
		return (-1);
	if (hlen > CACHE_RECORD_MAX) {
		*why = "malformed";
		return (-1);
	}
	need = CACHE_RECORD_PREFIX + hlen;
	if (file_size < need) {
		*why = "truncated";
		return (-1);
	}
	if (len < need)
		return (0);
	if (cache_record_crc32(buf + CACHE_RECORD_PREFIX, (size_t)hlen) !=
	    crc) {
		*why = "checksum mismatch";
		return (-1);
	}
	if ((rv = cache_record_parse(buf + CACHE_RECORD_PREFIX, (size_t)hlen,
	    rec)) != 0) {
		cache_record_clear(rec);
		if (rv == -2) {
			errno = ENOMEM;
			*why = "out of memory";
		} else
			*why = "malformed";
		return (-1);
	}
	/* the body is exactly body-length bytes */
	if (file_size - need != rec->body_len) {
		*why = file_size - need < rec->body_len ? "truncated" :
		    "too long";
		cache_record_clear(rec);
		return (-1);
	}
	return ((long)need);
}
