/*
 * cache.h: the HTTP object cache (RFC 9111, shared cache).
 *
 * This header has two parts.  The first is pure and has no I/O: the
 * freshness and cacheability policy (cache_policy.c) and the on-disk
 * entry format (cache_record.c), both driven by tables in the unit
 * tests.  The second is the runtime cache: index, disk store and
 * eviction (cache.c).
 */
#ifndef EVPROXY_CACHE_H
#define EVPROXY_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"

struct evbuffer;

/*
 * What the policy knows of a response, stored or arriving.  Times are
 * seconds since the epoch; -1 means the header was absent.
 */
struct cache_meta {
	int		 status;
	time_t		 date;		/* Date */
	time_t		 expires;	/* Expires; an invalid one is 0 */
	time_t		 last_modified;	/* Last-Modified */
	long		 age;		/* Age, 0 when absent */
	time_t		 request_time;	/* when we sent the request */
	time_t		 response_time;	/* when its headers arrived */
	struct http_cc	 cc;		/* the response's Cache-Control */
	int		 vary_star;	/* Vary: * */
	int		 has_validator;	/* ETag or Last-Modified */
};

/*
 * Fills m from a response's status and headers and the two times we
 * measured (RFC 9111 §4.2.3 needs them).
 */
void	cache_meta_from_headers(const struct evkeyvalq *hdrs, int status,
	    time_t request_time, time_t response_time, struct cache_meta *m);

/*
 * RFC 9111 §3: may a shared cache store this response to a request with
 * this method, Cache-Control and Authorization (has_auth)?  Returns 1, or
 * 0 with *why set to a short static reason ("no-store", "private", ...).
 * Only GET responses are stored (HEAD is answered from a stored GET);
 * 206 and 304 are never stored as entries.
 */
int	cache_policy_storable(enum evhttp_cmd_type method,
	    const struct http_cc *req_cc, int has_auth,
	    const struct cache_meta *m, const char **why);

/*
 * RFC 9111 §4.2.1: the freshness lifetime in seconds: s-maxage, else
 * max-age, else Expires minus Date (Date defaulting to response_time),
 * else, for a status that is heuristically cacheable and has a
 * Last-Modified (or any status marked public), 10% of (Date -
 * Last-Modified) capped at CACHE_HEURISTIC_MAX; otherwise 0.
 */
#define CACHE_HEURISTIC_MAX	86400L
long	cache_policy_lifetime(const struct cache_meta *m);

/* RFC 9111 §4.2.3: the current age of the stored response at now. */
long	cache_policy_age(const struct cache_meta *m, time_t now);

/* True for the status codes RFC 9110 §15.1 makes heuristically cacheable. */
int	cache_policy_heuristic_status(int status);

/* What to do with a stored response for a new request (RFC 9111 §4). */
enum cache_fresh {
	CACHE_FRESH,		/* serve it */
	CACHE_STALE_SERVE,	/* serve it stale now (max-stale, or
				   stale-while-revalidate: refresh behind) */
	CACHE_REVALIDATE	/* ask the origin first (conditional) */
};

/*
 * Decides for a request with req_cc at now: no-cache (in the request or
 * the stored response) and request max-age / min-fresh / max-stale are
 * honoured; must-revalidate, proxy-revalidate and s-maxage forbid serving
 * stale; stale-while-revalidate allows CACHE_STALE_SERVE within its
 * window.  *swr is set to 1 when the caller should refresh behind.
 */
enum cache_fresh
	cache_policy_freshness(const struct cache_meta *m,
	    const struct http_cc *req_cc, time_t now, int *swr);

/*
 * RFC 5861 §4: may the stale response be served because the origin
 * failed (request or response stale-if-error window, and no
 * must-revalidate / proxy-revalidate / s-maxage / no-cache)?
 */
int	cache_policy_stale_if_error(const struct cache_meta *m,
	    const struct http_cc *req_cc, time_t now);

/*
 * One entry file: a header (this record) followed by body_len body bytes.
 * The record keeps the full key, so that a file named by a hash of the
 * key is checked on lookup.
 */
struct cache_record {
	char		*key;		/* normalized URL */
	char		*vary_key;	/* secondary key ("" if no Vary) */
	int		 status;
	char		*reason;	/* reason phrase */
	time_t		 request_time;
	time_t		 response_time;
	uint64_t	 body_len;
	struct evkeyvalq headers;	/* stored response headers */
};

#define CACHE_RECORD_VERSION	1
/* Bytes of the fixed first line: "EVPC1 <10-digit len> <8-hex crc>\n". */
#define CACHE_RECORD_PREFIX	26
/* The largest header a record may have (prefix excluded). */
#define CACHE_RECORD_MAX	(256u << 10)

/* Zeroes rec and initializes its header list. */
void	cache_record_init(struct cache_record *rec);
/* Frees what rec holds (not rec itself). */
void	cache_record_clear(struct cache_record *rec);
/*
 * Appends rec's encoded header (prefix included) to out.  body-length is
 * written fixed-width, so the length does not depend on body_len and the
 * header can be rewritten in place.  Returns the number of bytes
 * appended, or -1 (ENOMEM, CR/LF in a field, a header over
 * CACHE_RECORD_MAX); out is then unchanged.
 */
long	cache_record_encode(const struct cache_record *rec, struct evbuffer *out);
/*
 * Decodes the start of an entry file: buf holds its first len bytes and
 * the file is file_size bytes long.  Returns the header length (prefix
 * included; the body starts there), 0 if buf is too short to decide
 * (read more: at least CACHE_RECORD_PREFIX, then the whole header), or
 * -1 with *why set ("bad magic", "wrong version", "checksum mismatch",
 * "truncated", "malformed", ...) when the file must not be served.
 * On success rec (initialized by the caller) is filled; on failure it
 * is left empty.  Running out of memory is -1 with *why "out of memory"
 * (not the file's fault).
 */
long	cache_record_decode(const char *buf, size_t len, uint64_t file_size,
	    struct cache_record *rec, const char **why);

/*
 * The 64-bit FNV-1a hash that names an entry file: of key, a 0xff byte,
 * then vary_key.  The file is DIR/XX/HHHHHHHHHHHHHHHH (16 hex digits, XX
 * the first two), so the name of a response without Vary follows from
 * its key alone.  With vary_key NULL: the hash of key alone (the index's
 * bucket).  Part of the on-disk format: changing it orphans every file.
 */
uint64_t	cache_record_hash(const char *key, const char *vary_key);

/*
 * The runtime cache.  Entries live in files under the cache directory,
 * named by a hash of their key and secondary (Vary) key; the index and
 * every entry's metadata are kept in memory, so a hit reads no metadata
 * from disk and sends its body with sendfile.  A response is written to a
 * temporary file and renamed into place only when complete with the
 * right length.  The index is rebuilt from the directory at start-up in
 * small batches on the event loop, so service starts at once.
 */
struct config_cache;
struct event_base;
struct cache;			/* one per process */
struct cache_entry;		/* a stored response; refcounted */
struct cache_writer;		/* a response being stored */

/* Opens (creating) the cache directory.  NULL with err filled on failure. */
struct cache	*cache_new(struct event_base *base,
		    const struct config_cache *cfg, char *err, size_t errlen);
void		 cache_free(struct cache *);

/*
 * Finds the entry for key that matches the request's headers (Vary).
 * Returns a new reference (drop it with cache_entry_unref) or NULL.
 * With req_hdrs NULL only a response without Vary matches.
 */
struct cache_entry *
		 cache_lookup(struct cache *, const char *key,
		    const struct evkeyvalq *req_hdrs);
void		 cache_entry_unref(struct cache_entry *);
/* Takes another reference on e; returns e. */
struct cache_entry *
		 cache_entry_ref(struct cache_entry *e);
/* The entry's record (status, headers, body length) and policy view. */
const struct cache_record *
		 cache_entry_record(const struct cache_entry *);
const struct cache_meta *
		 cache_entry_meta(const struct cache_entry *);
/*
 * Appends the entry's body bytes [off, off + len) to out as a file
 * segment (sent with sendfile when out drains to a socket).  Returns 0,
 * or -1 if the entry was replaced or removed since it was looked up, or
 * its file is gone or damaged (the entry is then removed); the caller
 * treats the request as a miss.
 */
int		 cache_entry_add_body(struct cache_entry *, struct evbuffer *out,
		    uint64_t off, uint64_t len);
/*
 * Opens the entry's file for reading, checked as cache_entry_add_body
 * does; the body starts at *body_off.  Returns the descriptor, or -1.
 */
int		 cache_entry_open(struct cache_entry *, uint64_t *body_off);
/*
 * Reads the entry's body bytes [off, off + len) into buf, with the same
 * checks as cache_entry_add_body (-1 likewise: treat as a miss).
 */
int		 cache_entry_read_body(struct cache_entry *, void *buf,
		    uint64_t off, size_t len);
/*
 * One memo per entry for the server (a serialized response head, a small
 * body kept in memory).  The cache frees it with free_fn when the entry
 * leaves the index, its headers change (cache_entry_refresh) or another
 * memo replaces it; cache_entry_memo returns NULL once the entry is no
 * longer indexed.
 */
void		*cache_entry_memo(const struct cache_entry *);
void		 cache_entry_set_memo(struct cache_entry *, void *memo,
		    void (*free_fn)(void *));

/*
 * Starts storing a response (rec: key, vary_key, status, reason, times,
 * headers; body_len ignored).  expected_len is its Content-Length or -1.
 * Returns NULL when it will not be stored (cache off, too large, disk
 * full or unwritable): the response is then only proxied.
 */
struct cache_writer *
		 cache_store_start(struct cache *, const struct cache_record *rec,
		    int64_t expected_len);
/*
 * Appends data (not drained) to the entry.  Returns 0, or -1 once the
 * writer has given up (too large, write error); the caller then calls
 * cache_store_finish(w, 0).
 */
int		 cache_store_write(struct cache_writer *, struct evbuffer *data);
/*
 * The temporary file being filled (readers may open it and follow the
 * writer; the descriptor stays valid after the rename) and where its body
 * starts.
 */
const char	*cache_store_path(const struct cache_writer *, uint64_t *hdr_len);
/* Body bytes written so far. */
uint64_t	 cache_store_written(const struct cache_writer *);
/*
 * Ends a store: with complete set and the length right, the file is
 * renamed into place and indexed (replacing the entry of the same key and
 * Vary key; other variants stay); otherwise it is deleted.  Frees w.
 */
void		 cache_store_finish(struct cache_writer *w, int complete);
/*
 * A 304 revalidated e: its stored headers are updated with hdrs (RFC 9111
 * §4.3.4) and its times with the new exchange's.  The file's header is
 * rewritten in place when the new one has the same length; otherwise
 * the update lives in memory only and a restart revalidates again.
 */
void		 cache_entry_refresh(struct cache_entry *e,
		    const struct evkeyvalq *hdrs, time_t request_time,
		    time_t response_time);
/* Removes every variant of key.  Returns how many were removed. */
int		 cache_remove(struct cache *, const char *key);

/* Counters for logs and the status page. */
struct cache_stats {
	uint64_t	 entries;
	uint64_t	 bytes;
	uint64_t	 evictions;
	int		 rebuilding;	/* start-up scan still running */
	uint64_t	 scanned;	/* files looked at by the scan */
};
void		 cache_get_stats(const struct cache *, struct cache_stats *);

/* One of the largest entries (cache_top).  The strings are borrowed. */
struct cache_top {
	const char	*key;		/* normalized URL */
	const char	*ctype;		/* its Content-Type, or NULL */
	int		 status;
	int		 vary;		/* one variant of a Vary response */
	uint64_t	 body_len;
	time_t		 stored;	/* response_time */
};
/*
 * Fills out with up to n of the indexed entries with the largest bodies,
 * largest first, walking the whole index (O(entries), times n at worst);
 * returns how many.  The strings point into the entries: they are valid
 * until the cache next changes, so use them before returning to the
 * event loop.  A NULL cache has none.
 */
size_t		 cache_top(const struct cache *, struct cache_top *out,
		    size_t n);

#endif
