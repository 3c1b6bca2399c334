/*
 * cache.c: the runtime cache: index, entry files, writers, eviction and
 * the start-up scan.
 *
 * Layout.  DIR/XX/HHHHHHHHHHHHHHHH holds one entry, where H is the 64-bit
 * FNV-1a hash of the key and the Vary key and XX its first two digits; a
 * file's record repeats the full keys, checked when the scan reads it.
 * Responses are written to DIR/tmp/ and renamed into place once complete,
 * so that no reader ever sees a partial file; DIR/tmp is emptied at
 * start-up (what a crash left there).
 *
 * Start-up.  The index is rebuilt by a scan of the directory, a batch of
 * files per event-loop turn, while the proxy serves.  Until it ends, a
 * lookup or removal that finds nothing indexed reads the file that the
 * key alone names, a response's without Vary (cache_load_early): an entry
 * the scan has not reached is still a hit, and the scan, finding it
 * indexed, skips it.
 *
 * Ownership.  The index holds one reference on each entry it lists;
 * cache_lookup hands out more.  Removing an entry (eviction, purge,
 * replacement, damage) unlinks its file and drops the index's reference:
 * a hit that is still sending from it keeps its open descriptor, and the
 * memory goes with the last reference (memcached item_unlink/item_remove).
 *
 * Disk writes are plain write(2)s to the page cache from the loop, as
 * nginx does for its temporary files; a write error (ENOSPC, EIO) ends
 * that store, and after ENOSPC storing pauses for a minute while serving
 * goes on.
 */
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "cache.h"
#include "config.h"
#include "http.h"
#include "log.h"

#define CACHE_SCAN_BATCH	256	/* files per start-up scan turn */
#define CACHE_NOSPACE_PAUSE	60	/* seconds without storing after ENOSPC */
#define CACHE_READ_FIRST	4096	/* bytes read first from a file */

struct cache_entry {
	TAILQ_ENTRY(cache_entry) lru;		/* most recent first */
	struct cache_entry	*hnext;		/* bucket chain */
	struct cache		*cache;
	uint64_t		 khash;		/* of the key: bucket */
	uint64_t		 fhash;		/* of key + vary: file name */
	struct cache_record	 rec;
	struct cache_meta	 meta;
	uint64_t		 hdr_len;	/* the body starts here */
	uint64_t		 file_size;
	unsigned		 refs;
	int			 indexed;
	void			*memo;		/* the server's, or NULL */
	void			(*memo_free)(void *);
	char			 path[];
};

struct cache_writer {
	struct cache		*cache;
	struct cache_record	 rec;
	int			 fd;
	long			 hdr_len;
	uint64_t		 written;
	int64_t			 expected;
	int			 failed;
	char			 tmp[PATH_MAX];
};

struct cache {
	struct event_base		*base;
	const struct config_cache	*cfg;
	char				*dir;
	struct cache_entry		**table;
	size_t				 nbuckets;	/* a power of two */
	TAILQ_HEAD(cache_lru_head, cache_entry) lru;
	uint64_t			 entries;
	uint64_t			 bytes;
	uint64_t			 evictions;
	uint64_t			 tmp_seq;
	time_t				 nospace_until;
	/* the start-up scan */
	struct event			*scan_ev;
	DIR				*scan_dir;
	int				 scan_sub;	/* 0..255 */
	uint64_t			 scanned;
	int				 rebuilding;
};

static void	cache_unindex(struct cache *, struct cache_entry *, int);
static int	cache_load_early(struct cache *, const char *);

/* The hash of a key alone (the bucket). */
static uint64_t
cache_key_hash(const char *key)
{
	return (cache_record_hash(key, NULL));
}

/* The hash of key and Vary key together (the file name). */
static uint64_t
cache_file_hash(const char *key, const char *vary)
{
	return (cache_record_hash(key, vary));
}

/* Formats the final path of file hash h into buf. */
static void
cache_path(const struct cache *c, uint64_t h, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%02x/%016llx", c->dir, (unsigned)(h >> 56),
	    (unsigned long long)h);
}

struct cache_entry *
cache_entry_ref(struct cache_entry *e)
{
	e->refs++;
	return (e);
}

/* Drops a reference; frees the entry with the last one. */
void
cache_entry_unref(struct cache_entry *e)
{
	if (e == NULL || --e->refs > 0)
		return;
	cache_entry_set_memo(e, NULL, NULL);
	cache_record_clear(&e->rec);
	free(e);
}

void *
cache_entry_memo(const struct cache_entry *e)
{
	return (e->indexed ? e->memo : NULL);
}

void
cache_entry_set_memo(struct cache_entry *e, void *memo,
    void (*memo_free)(void *))
{
	if (e->memo != NULL && e->memo_free != NULL)
		e->memo_free(e->memo);
	e->memo = memo;
	e->memo_free = memo_free;
}

int
cache_entry_read_body(struct cache_entry *e, void *buf, uint64_t off,
    size_t len)
{
	uint64_t	 body;
	ssize_t		 n;
	int		 fd;

	if (off + len > e->rec.body_len ||
	    (fd = cache_entry_open(e, &body)) == -1)
		return (-1);
	n = pread(fd, buf, len, (off_t)(body + off));
	close(fd);
	if (n != (ssize_t)len) {
		log_warnx("cache: %s: short read: removing it", e->path);
		if (e->indexed)
			cache_unindex(e->cache, e, 1);
		return (-1);
	}
	return (0);
}

const struct cache_record *
cache_entry_record(const struct cache_entry *e)
{
	return (&e->rec);
}

const struct cache_meta *
cache_entry_meta(const struct cache_entry *e)
{
	return (&e->meta);
}

/* Takes e out of the index (and its file off the disk, if unlink). */
static void
cache_unindex(struct cache *c, struct cache_entry *e, int unlink_file)
{
	struct cache_entry	**pp;

	if (!e->indexed)
		return;
	for (pp = &c->table[e->khash & (c->nbuckets - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	TAILQ_REMOVE(&c->lru, e, lru);
	e->indexed = 0;
	cache_entry_set_memo(e, NULL, NULL);	/* no longer served */
	c->entries--;
	c->bytes -= e->file_size;
	if (unlink_file && unlink(e->path) == -1 && errno != ENOENT)
		log_warn("cache: unlink %s", e->path);
	cache_entry_unref(e);
}

/* Doubles the bucket array when the table is full (load factor 1). */
static void
cache_grow(struct cache *c)
{
	struct cache_entry	**nt, *e, *next;
	size_t			 n = c->nbuckets * 2, i;

	if (c->entries < c->nbuckets || (nt = calloc(n, sizeof(*nt))) == NULL)
		return;
	for (i = 0; i < c->nbuckets; i++)
		for (e = c->table[i]; e != NULL; e = next) {
			next = e->hnext;
			e->hnext = nt[e->khash & (n - 1)];
			nt[e->khash & (n - 1)] = e;
		}
	free(c->table);
	c->table = nt;
	c->nbuckets = n;
}

/* Removes least recently used entries until the cache fits its budget. */
static void
cache_evict(struct cache *c)
{
	struct cache_entry	*e;

	while (c->bytes > c->cfg->size && (e = TAILQ_LAST(&c->lru,
	    cache_lru_head)) != NULL) {
		log_debug("%s: evicting %s (%llu bytes)", __func__, e->rec.key,
		    (unsigned long long)e->file_size);
		c->evictions++;
		cache_unindex(c, e, 1);
	}
}

/* Finds the indexed entry stored in file hash fhash, or NULL. */
static struct cache_entry *
cache_find_file(struct cache *c, uint64_t khash, uint64_t fhash)
{
	struct cache_entry	*e;

	for (e = c->table[khash & (c->nbuckets - 1)]; e != NULL; e = e->hnext)
		if (e->fhash == fhash)
			return (e);
	return (NULL);
}

/*
 * Makes an entry of a decoded record (taking over its contents) and
 * indexes it, replacing an entry in the same file.  Returns it, or NULL.
 */
static struct cache_entry *
cache_index_record(struct cache *c, struct cache_record *rec,
    uint64_t hdr_len, uint64_t file_size)
{
	struct cache_entry	*e, *old;
	char			 path[PATH_MAX];
	uint64_t		 fhash = cache_file_hash(rec->key, rec->vary_key);
	size_t			 b;

	cache_path(c, fhash, path, sizeof(path));
	if ((e = calloc(1, sizeof(*e) + strlen(path) + 1)) == NULL)
		return (NULL);
	e->cache = c;
	e->khash = cache_key_hash(rec->key);
	e->fhash = fhash;
	e->rec = *rec;
	/* the header list moved: re-home its TAILQ head */
	TAILQ_INIT(&e->rec.headers);
	while (!TAILQ_EMPTY(&rec->headers)) {
		struct evkeyval *kv = TAILQ_FIRST(&rec->headers);

		TAILQ_REMOVE(&rec->headers, kv, next);
		TAILQ_INSERT_TAIL(&e->rec.headers, kv, next);
	}
	rec->key = rec->vary_key = rec->reason = NULL;
	e->hdr_len = hdr_len;
	e->file_size = file_size;
	e->refs = 1;			/* the index's */
	strcpy(e->path, path);
	cache_meta_from_headers(&e->rec.headers, e->rec.status,
	    e->rec.request_time, e->rec.response_time, &e->meta);

	if ((old = cache_find_file(c, e->khash, fhash)) != NULL)
		cache_unindex(c, old, 0);	/* same file, now replaced */
	cache_grow(c);
	b = e->khash & (c->nbuckets - 1);
	e->hnext = c->table[b];
	c->table[b] = e;
	TAILQ_INSERT_HEAD(&c->lru, e, lru);
	e->indexed = 1;
	c->entries++;
	c->bytes += file_size;
	return (e);
}

/* The indexed entry of key that matches the request's Vary, or NULL. */
static struct cache_entry *
cache_find(struct cache *c, const char *key, const struct evkeyvalq *req)
{
	struct cache_entry	*e;
	uint64_t		 kh;
	char			*vk;
	int			 match;

	kh = cache_key_hash(key);
	for (e = c->table[kh & (c->nbuckets - 1)]; e != NULL; e = e->hnext) {
		if (e->khash != kh || strcmp(e->rec.key, key) != 0)
			continue;
		if (e->rec.vary_key[0] == '\0')
			match = 1;
		else if (req == NULL)
			match = 0;
		else {
			vk = http_hdr_vary_key(&e->rec.headers, req);
			match = vk != NULL && strcmp(vk, e->rec.vary_key) == 0;
			free(vk);
		}
		if (match)
			return (e);
	}
	return (NULL);
}

struct cache_entry *
cache_lookup(struct cache *c, const char *key, const struct evkeyvalq *req)
{
	struct cache_entry	*e;

	if (c == NULL)
		return (NULL);
	/* during the start-up scan, an unindexed entry may be on disk */
	if ((e = cache_find(c, key, req)) == NULL &&
	    cache_load_early(c, key) == 1)
		e = cache_find(c, key, req);
	if (e == NULL)
		return (NULL);
	TAILQ_REMOVE(&c->lru, e, lru);
	TAILQ_INSERT_HEAD(&c->lru, e, lru);
	e->refs++;
	return (e);
}

int
cache_entry_open(struct cache_entry *e, uint64_t *body_off)
{
	struct stat	 st;
	int		 fd;

	/* replaced or removed since: its path may name another entry now */
	if (!e->indexed)
		return (-1);
	if ((fd = open(e->path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_warn("cache: open %s", e->path);
		goto damaged;
	}
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size != e->file_size) {
		log_warnx("cache: %s changed size on disk: removing it",
		    e->path);
		close(fd);
		goto damaged;
	}
	*body_off = e->hdr_len;
	return (fd);
damaged:
	if (e->indexed)
		cache_unindex(e->cache, e, 1);
	return (-1);
}

int
cache_entry_add_body(struct cache_entry *e, struct evbuffer *out,
    uint64_t off, uint64_t len)
{
	struct evbuffer_file_segment	*seg;
	uint64_t			 body;
	int				 fd;

	if (len == 0)
		return (0);
	if ((fd = cache_entry_open(e, &body)) == -1)
		return (-1);
	seg = evbuffer_file_segment_new(fd, (ev_off_t)(body + off),
	    (ev_off_t)len, EVBUF_FS_CLOSE_ON_FREE);
	if (seg == NULL) {
		close(fd);
		return (-1);
	}
	if (evbuffer_add_file_segment(out, seg, 0, (ev_off_t)len) == -1) {
		evbuffer_file_segment_free(seg);
		return (-1);
	}
	evbuffer_file_segment_free(seg);	/* out holds its reference */
	return (0);
}

int
cache_remove(struct cache *c, const char *key)
{
	struct cache_entry	*e, *next;
	uint64_t		 kh;
	int			 n = 0;

	if (c == NULL)
		return (0);
	/* an unscanned file would come back when the scan reaches it */
	cache_load_early(c, key);
	kh = cache_key_hash(key);
	for (e = c->table[kh & (c->nbuckets - 1)]; e != NULL; e = next) {
		next = e->hnext;
		if (e->khash == kh && strcmp(e->rec.key, key) == 0) {
			cache_unindex(c, e, 1);
			n++;
		}
	}
	return (n);
}

/* Gives up on a store: the temporary file goes. */
static void
cache_writer_fail(struct cache_writer *w, const char *why, int err)
{
	if (w->failed)
		return;
	w->failed = 1;
	if (err == ENOSPC) {
		log_warnx("cache: disk full (%s): not storing for %d s",
		    w->cache->dir, CACHE_NOSPACE_PAUSE);
		w->cache->nospace_until = time(NULL) + CACHE_NOSPACE_PAUSE;
	} else if (err != 0)
		log_warnx("cache: not storing %s: %s: %s", w->rec.key, why,
		    strerror(err));
	else
		log_debug("cache: not storing %s: %s", w->rec.key, why);
}

/* Writes all of buf[0..len) at offset off; 0 or an errno value. */
static int
cache_pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = pwrite(fd, buf, len, off)) == -1) {
			if (errno == EINTR)
				continue;
			return (errno);
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return (0);
}

/* Encodes w's record and writes it at the start of the file; 0 or errno. */
static int
cache_writer_put_header(struct cache_writer *w)
{
	struct evbuffer	*b;
	long		 n;
	int		 err;

	if ((b = evbuffer_new()) == NULL)
		return (ENOMEM);
	if ((n = cache_record_encode(&w->rec, b)) == -1) {
		evbuffer_free(b);
		return (EINVAL);
	}
	if (w->hdr_len >= 0 && n != w->hdr_len) {
		evbuffer_free(b);
		return (EINVAL);	/* the length field is fixed-width */
	}
	w->hdr_len = n;
	err = cache_pwrite_all(w->fd, (const char *)evbuffer_pullup(b, -1),
	    (size_t)n, 0);
	evbuffer_free(b);
	return (err);
}

/* Copies a header list. */
static int
cache_copy_headers(const struct evkeyvalq *src, struct evkeyvalq *dst)
{
	const struct evkeyval	*kv;

	TAILQ_FOREACH(kv, src, next)
		if (evhttp_add_header(dst, kv->key, kv->value) == -1)
			return (-1);
	return (0);
}

struct cache_writer *
cache_store_start(struct cache *c, const struct cache_record *rec,
    int64_t expected_len)
{
	struct cache_writer	*w;
	int			 err;

	if (c == NULL || c->cfg->disabled)
		return (NULL);
	if (expected_len >= 0 && ((uint64_t)expected_len > c->cfg->max_object ||
	    (uint64_t)expected_len > c->cfg->size)) {
		log_debug("cache: not storing %s: %lld bytes is over "
		    "--max-object-size", rec->key, (long long)expected_len);
		return (NULL);
	}
	if (c->nospace_until > time(NULL))
		return (NULL);
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return (NULL);
	w->cache = c;
	w->fd = -1;
	w->hdr_len = -1;
	w->expected = expected_len;
	cache_record_init(&w->rec);
	w->rec.status = rec->status;
	w->rec.request_time = rec->request_time;
	w->rec.response_time = rec->response_time;
	w->rec.body_len = 0;
	if ((w->rec.key = strdup(rec->key)) == NULL ||
	    (w->rec.vary_key = strdup(rec->vary_key)) == NULL ||
	    (w->rec.reason = strdup(rec->reason != NULL ? rec->reason :
	    "")) == NULL ||
	    cache_copy_headers(&rec->headers, &w->rec.headers) == -1)
		goto fail;
	snprintf(w->tmp, sizeof(w->tmp), "%s/tmp/%ld.%llu", c->dir,
	    (long)getpid(), (unsigned long long)++c->tmp_seq);
	if ((w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		cache_writer_fail(w, "open", errno);
		goto fail;
	}
	if ((err = cache_writer_put_header(w)) != 0) {
		cache_writer_fail(w, "write", err);
		goto fail;
	}
	if (lseek(w->fd, w->hdr_len, SEEK_SET) == -1)
		goto fail;
	return (w);
fail:
	if (w->fd != -1) {
		close(w->fd);
		unlink(w->tmp);
	}
	cache_record_clear(&w->rec);
	free(w);
	return (NULL);
}

int
cache_store_write(struct cache_writer *w, struct evbuffer *data)
{
	struct evbuffer_iovec	 vec[16];
	struct evbuffer_ptr	 ptr;
	size_t			 left = evbuffer_get_length(data);
	int			 n, i;
	ssize_t			 r;

	if (w->failed)
		return (-1);
	if (w->written + left > w->cache->cfg->max_object ||
	    w->written + left > w->cache->cfg->size) {
		/* one object larger than the cache would empty it */
		cache_writer_fail(w, "over --max-object-size or --cache-size",
		    0);
		return (-1);
	}
	evbuffer_ptr_set(data, &ptr, 0, EVBUFFER_PTR_SET);
	while (left > 0) {
		n = evbuffer_peek(data, (ev_ssize_t)left, &ptr, vec, 16);
		if (n <= 0)
			break;
		if (n > 16)
			n = 16;
		for (i = 0; i < n && left > 0; i++) {
			size_t len = vec[i].iov_len < left ? vec[i].iov_len :
			    left;
			const char *p = vec[i].iov_base;

			while (len > 0) {
				if ((r = write(w->fd, p, len)) == -1) {
					if (errno == EINTR)
						continue;
					cache_writer_fail(w, "write", errno);
					return (-1);
				}
				p += r;
				len -= (size_t)r;
				left -= (size_t)r;
				w->written += (uint64_t)r;
				evbuffer_ptr_set(data, &ptr, (size_t)r,
				    EVBUFFER_PTR_ADD);
			}
		}
	}
	return (0);
}

void
cache_store_finish(struct cache_writer *w, int complete)
{
	struct cache		*c = w->cache;
	struct cache_record	 rec;
	char			 path[PATH_MAX];
	int			 err;
	uint64_t		 size;

	if (complete && !w->failed && w->expected >= 0 &&
	    (uint64_t)w->expected != w->written) {
		log_warnx("cache: not storing %s: got %llu of %lld bytes",
		    w->rec.key, (unsigned long long)w->written,
		    (long long)w->expected);
		complete = 0;
	}
	if (!complete || w->failed)
		goto drop;
	w->rec.body_len = w->written;
	if ((err = cache_writer_put_header(w)) != 0) {
		cache_writer_fail(w, "write", err);
		goto drop;
	}
	if (close(w->fd) == -1) {
		w->fd = -1;
		cache_writer_fail(w, "close", errno);
		goto drop;
	}
	w->fd = -1;
	cache_path(c, cache_file_hash(w->rec.key, w->rec.vary_key), path,
	    sizeof(path));
	if (rename(w->tmp, path) == -1) {
		cache_writer_fail(w, "rename", errno);
		goto drop;
	}
	size = (uint64_t)w->hdr_len + w->written;
	/* hand the record over: scalars, strings, then the header list */
	cache_record_init(&rec);
	rec.status = w->rec.status;
	rec.request_time = w->rec.request_time;
	rec.response_time = w->rec.response_time;
	rec.body_len = w->rec.body_len;
	rec.key = w->rec.key;
	rec.vary_key = w->rec.vary_key;
	rec.reason = w->rec.reason;
	w->rec.key = w->rec.vary_key = w->rec.reason = NULL;
	{
		struct evkeyval *kv;

		while ((kv = TAILQ_FIRST(&w->rec.headers)) != NULL) {
			TAILQ_REMOVE(&w->rec.headers, kv, next);
			TAILQ_INSERT_TAIL(&rec.headers, kv, next);
		}
	}
	if (cache_index_record(c, &rec, (uint64_t)w->hdr_len, size) == NULL)
		unlink(path);
	cache_record_clear(&rec);
	cache_record_clear(&w->rec);
	cache_evict(c);
	free(w);
	return;
drop:
	if (w->fd != -1)
		close(w->fd);
	unlink(w->tmp);
	cache_record_clear(&w->rec);
	free(w);
}

/*
 * Reads and decodes the record at the start of an open entry file.  The
 * first CACHE_READ_FIRST bytes, which hold almost every header, go to the
 * stack; only a longer header costs an allocation of the largest size.
 */
static long
cache_read_record(int fd, uint64_t size, struct cache_record *rec,
    const char **why)
{
	char	 first[CACHE_READ_FIRST], *buf = first;
	size_t	 want = sizeof(first), have = 0;
	ssize_t	 n;
	long	 hl = 0;

	for (;;) {
		if (want > size)
			want = (size_t)size;
		if (want > sizeof(first) && buf == first) {
			if ((buf = malloc(CACHE_RECORD_PREFIX +
			    CACHE_RECORD_MAX)) == NULL) {
				*why = "out of memory";
				return (-1);
			}
			memcpy(buf, first, have);
		}
		while (have < want) {
			n = pread(fd, buf + have, want - have, (off_t)have);
			if (n <= 0) {
				*why = n == 0 ? "truncated" : "read error";
				hl = -1;
				goto done;
			}
			have += (size_t)n;
		}
		hl = cache_record_decode(buf, have, size, rec, why);
		if (hl != 0 || have >= size ||
		    have >= CACHE_RECORD_PREFIX + CACHE_RECORD_MAX)
			break;
		want = CACHE_RECORD_PREFIX + CACHE_RECORD_MAX;
	}
	if (hl == 0) {
		*why = "truncated";
		hl = -1;
	}
done:
	if (buf != first)
		free(buf);
	return (hl);
}

/*
 * Reads the entry file at path, checks it and indexes it: the start-up
 * scan found it, or a lookup during the scan computed its name.  Its
 * header must decode and its keys must give its name; otherwise the file
 * is removed, never served.  A file whose entry is already indexed (stored
 * or loaded since start-up) is left alone, so that no entry is indexed or
 * counted twice.  One open and a pread of the header (more only for a
 * header over CACHE_READ_FIRST).  Returns 1 if it indexed an entry.
 */
static int
cache_load_file(struct cache *c, const char *path)
{
	struct cache_record	 rec;
	struct stat		 st;
	char			 want[PATH_MAX];
	const char		*why = "not an entry file";
	long			 hl;
	int			 fd, n = 0;

	cache_record_init(&rec);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (0);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (0);
	}
	hl = cache_read_record(fd, (uint64_t)st.st_size, &rec, &why);
	close(fd);
	if (hl > 0) {
		cache_path(c, cache_file_hash(rec.key, rec.vary_key), want,
		    sizeof(want));
		if (strcmp(want, path) != 0) {
			why = "its keys do not match its name";
			hl = -1;
		}
	}
	if (hl <= 0 && strcmp(why, "out of memory") == 0) {
		/* not the file's fault: leave it for the next start */
		log_warnx("cache: skipping %s: out of memory", path);
		cache_record_clear(&rec);
		return (0);
	}
	if (hl <= 0) {
		log_warnx("cache: removing %s: %s", path, why);
		unlink(path);
		cache_record_clear(&rec);
		return (0);
	}
	/* an entry stored or loaded since start-up: keep it */
	if (cache_find_file(c, cache_key_hash(rec.key),
	    cache_file_hash(rec.key, rec.vary_key)) == NULL &&
	    cache_index_record(c, &rec, (uint64_t)hl,
	    (uint64_t)st.st_size) != NULL)
		n = 1;
	cache_record_clear(&rec);
	return (n);
}

/*
 * While the start-up scan runs, loads the file of key's response without
 * Vary, which is named by the key alone, unless it is indexed already:
 * a request for an entry the scan has not reached yet is then a hit, and
 * a purge removes the file before the scan could index it.  A Vary
 * response is named by the request headers it lists, which only its file
 * says: it waits for the scan.  Returns 1 if it indexed an entry.
 */
static int
cache_load_early(struct cache *c, const char *key)
{
	char		 path[PATH_MAX];
	uint64_t	 fhash;

	if (!c->rebuilding)
		return (0);
	fhash = cache_file_hash(key, "");
	if (cache_find_file(c, cache_key_hash(key), fhash) != NULL)
		return (0);
	cache_path(c, fhash, path, sizeof(path));
	return (cache_load_file(c, path));
}

/* One turn of the start-up scan: up to CACHE_SCAN_BATCH files. */
static void
cache_scan_cb(evutil_socket_t fd, short what, void *arg)
{
	struct cache	*c = arg;
	struct dirent	*de;
	struct timeval	 zero = { 0, 0 };
	char		 sub[8], path[PATH_MAX];
	int		 n = 0;

	(void)fd;
	(void)what;
	while (n < CACHE_SCAN_BATCH && c->scan_sub < 256) {
		snprintf(sub, sizeof(sub), "%02x", c->scan_sub);
		if (c->scan_dir == NULL) {
			snprintf(path, sizeof(path), "%s/%s", c->dir, sub);
			if ((c->scan_dir = opendir(path)) == NULL) {
				c->scan_sub++;
				continue;
			}
		}
		if ((de = readdir(c->scan_dir)) == NULL) {
			closedir(c->scan_dir);
			c->scan_dir = NULL;
			c->scan_sub++;
			continue;
		}
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", c->dir, sub,
		    de->d_name);
		c->scanned++;
		cache_load_file(c, path);
		n++;
	}
	if (c->scan_sub < 256) {
		/*
		 * A zero timer, not event_active(): an event activated from
		 * its own callback runs again in the same loop pass and would
		 * starve client I/O until the whole scan is done.
		 */
		evtimer_add(c->scan_ev, &zero);
		return;
	}
	c->rebuilding = 0;
	cache_evict(c);
	log_info("cache: %llu entries, %llu bytes in %s",
	    (unsigned long long)c->entries, (unsigned long long)c->bytes,
	    c->dir);
}

/* Creates directory path if missing; -1 with err filled. */
static int
cache_mkdir(const char *path, char *err, size_t errlen)
{
	if (mkdir(path, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Empties DIR/tmp: files a crash left half-written. */
static void
cache_clean_tmp(struct cache *c)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/tmp", c->dir);
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/tmp/%s", c->dir, de->d_name);
		if (unlink(path) == 0)
			n++;
	}
	closedir(d);
	if (n > 0)
		log_info("cache: removed %d unfinished files from %s/tmp", n,
		    c->dir);
}

struct cache *
cache_new(struct event_base *base, const struct config_cache *cfg,
    char *err, size_t errlen)
{
	struct cache	*c;
	char		 path[PATH_MAX];
	int		 i;

	if (cfg->disabled)
		return (NULL);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->dir = strdup(cfg->dir != NULL ? cfg->dir : "cache")) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	c->base = base;
	c->cfg = cfg;
	TAILQ_INIT(&c->lru);
	c->nbuckets = 1024;
	if ((c->table = calloc(c->nbuckets, sizeof(*c->table))) == NULL ||
	    (c->scan_ev = evtimer_new(base, cache_scan_cb, c)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (cache_mkdir(c->dir, err, errlen) == -1)
		goto fail;
	for (i = -1; i < 256; i++) {
		if (i == -1)
			snprintf(path, sizeof(path), "%s/tmp", c->dir);
		else
			snprintf(path, sizeof(path), "%s/%02x", c->dir, i);
		if (cache_mkdir(path, err, errlen) == -1)
			goto fail;
	}
	snprintf(path, sizeof(path), "%s/tmp/.probe", c->dir);
	if ((i = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600))
	    == -1) {
		snprintf(err, errlen, "cannot write in %s: %s", c->dir,
		    strerror(errno));
		goto fail;
	}
	close(i);
	unlink(path);
	cache_clean_tmp(c);
	c->rebuilding = 1;
	event_active(c->scan_ev, EV_TIMEOUT, 1);	/* first batch */
	return (c);
fail:
	if (c != NULL) {
		if (c->scan_ev != NULL)
			event_free(c->scan_ev);
		free(c->table);
		free(c->dir);
		free(c);
	}
	return (NULL);
}

void
cache_free(struct cache *c)
{
	struct cache_entry	*e;

	if (c == NULL)
		return;
	while ((e = TAILQ_FIRST(&c->lru)) != NULL)
		cache_unindex(c, e, 0);
	if (c->scan_dir != NULL)
		closedir(c->scan_dir);
	event_free(c->scan_ev);
	free(c->table);
	free(c->dir);
	free(c);
}

void
cache_get_stats(const struct cache *c, struct cache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	st->entries = c->entries;
	st->bytes = c->bytes;
	st->evictions = c->evictions;
	st->rebuilding = c->rebuilding;
	st->scanned = c->scanned;
}

size_t
cache_top(const struct cache *c, struct cache_top *out, size_t n)
{
	const struct cache_entry	*e;
	size_t				 j, k = 0;

	if (c == NULL || n == 0)
		return (0);
	/* out stays sorted; most entries are smaller than out[n - 1] */
	TAILQ_FOREACH(e, &c->lru, lru) {
		if (k == n && e->rec.body_len <= out[k - 1].body_len)
			continue;
		j = k < n ? k++ : k - 1;
		for (; j > 0 && e->rec.body_len > out[j - 1].body_len; j--)
			out[j] = out[j - 1];
		out[j].key = e->rec.key;
		out[j].ctype = evhttp_find_header(&e->rec.headers,
		    "Content-Type");
		out[j].status = e->rec.status;
		out[j].vary = e->rec.vary_key != NULL &&
		    e->rec.vary_key[0] != '\0';
		out[j].body_len = e->rec.body_len;
		out[j].stored = e->rec.response_time;
	}
	return (k);
}

void
cache_entry_refresh(struct cache_entry *e, const struct evkeyvalq *hdrs,
    time_t request_time, time_t response_time)
{
	/* §4.3.4: these describe the 304 itself, not the stored body */
	static const char *const keep[] = {
		"Content-Length", "Content-Encoding", "Transfer-Encoding",
		"Content-Range", "Content-Type", NULL
	};
	const struct evkeyval	*kv;
	struct evkeyvalq	 e2e;
	struct evbuffer		*b;
	size_t			 i;
	long			 n;
	int			 fd, skip;

	/* hop-by-hop fields of the 304 are not the stored response's */
	TAILQ_INIT(&e2e);
	if (http_hdr_copy_end_to_end(hdrs, &e2e, NULL) == -1) {
		evhttp_clear_headers(&e2e);
		return;
	}
	hdrs = &e2e;
	TAILQ_FOREACH(kv, hdrs, next) {
		for (i = 0, skip = 0; keep[i] != NULL; i++)
			if (strcasecmp(kv->key, keep[i]) == 0)
				skip = 1;
		if (skip)
			continue;
		while (evhttp_remove_header(&e->rec.headers, kv->key) == 0)
			;
	}
	TAILQ_FOREACH(kv, hdrs, next) {
		for (i = 0, skip = 0; keep[i] != NULL; i++)
			if (strcasecmp(kv->key, keep[i]) == 0)
				skip = 1;
		if (!skip)
			evhttp_add_header(&e->rec.headers, kv->key, kv->value);
	}
	evhttp_clear_headers(&e2e);
	cache_entry_set_memo(e, NULL, NULL);	/* built from the old headers */
	e->rec.request_time = request_time;
	e->rec.response_time = response_time;
	cache_meta_from_headers(&e->rec.headers, e->rec.status,
	    request_time, response_time, &e->meta);

	/* persist when the header keeps its length (the body follows it) */
	if (!e->indexed || (b = evbuffer_new()) == NULL)
		return;
	n = cache_record_encode(&e->rec, b);
	if (n == (long)e->hdr_len &&
	    (fd = open(e->path, O_WRONLY | O_CLOEXEC)) != -1) {
		if (cache_pwrite_all(fd, (const char *)evbuffer_pullup(b, -1),
		    (size_t)n, 0) != 0)
			log_warn("cache: rewriting %s", e->path);
		close(fd);
	}
	evbuffer_free(b);
}

const char *
cache_store_path(const struct cache_writer *w, uint64_t *hdr_len)
{
	*hdr_len = (uint64_t)w->hdr_len;
	return (w->tmp);
}

uint64_t
cache_store_written(const struct cache_writer *w)
{
	return (w->written);
}
