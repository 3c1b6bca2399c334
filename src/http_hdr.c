/*
 * http_hdr.c: header rules for a proxy (RFC 9110 §5.3, §5.6.1, §7.6).
 * evhttp compares Connection as a whole string and removes only the first
 * of several same-named headers, so the token lists are parsed here.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"
#include "http_frame.h"

/* RFC 9110 §7.6.1, plus the Proxy-* headers meant for this hop. */
static const char *const http_hop_by_hop[] = {
	"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
	"Transfer-Encoding", "Upgrade", "Proxy-Authorization",
	"Proxy-Authenticate", NULL
};

int
http_hdr_is_hop_by_hop(const char *name)
{
	size_t	 i;

	for (i = 0; http_hop_by_hop[i] != NULL; i++)
		if (strcasecmp(name, http_hop_by_hop[i]) == 0)
			return (1);
	return (0);
}

int
http_hdr_list_has(const char *list, const char *token)
{
	size_t	 tlen = strlen(token), n;

	if (list == NULL || tlen == 0)
		return (0);
	while (*list != '\0') {
		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		n = strcspn(list, ",");
		/* trim trailing whitespace of the element */
		while (n > 0 && (list[n - 1] == ' ' || list[n - 1] == '\t'))
			n--;
		if (n == tlen && strncasecmp(list, token, tlen) == 0)
			return (1);
		list += strcspn(list, ",");
	}
	return (0);
}

int
http_hdr_name_valid(const char *name)
{
	const unsigned char	*p = (const unsigned char *)name;

	if (*p == '\0')
		return (0);
	for (; *p != '\0'; p++) {
		if (isalnum(*p))
			continue;
		if (strchr("!#$%&'*+-.^_`|~", *p) == NULL)
			return (0);
	}
	return (1);
}

/* True if some Connection header in hdrs lists name. */
static int
http_hdr_connection_names(const struct evkeyvalq *hdrs, const char *name)
{
	const struct evkeyval	*kv;

	TAILQ_FOREACH(kv, hdrs, next)
		if (strcasecmp(kv->key, "Connection") == 0 &&
		    http_hdr_list_has(kv->value, name))
			return (1);
	return (0);
}

int
http_hdr_copy_end_to_end(const struct evkeyvalq *src, struct evkeyvalq *dst,
    const char *const *skip)
{
	const struct evkeyval	*kv;
	size_t			 i;
	int			 n = 0, drop;

	TAILQ_FOREACH(kv, src, next) {
		if (http_hdr_is_hop_by_hop(kv->key) ||
		    !http_hdr_name_valid(kv->key) ||
		    http_hdr_connection_names(src, kv->key))
			continue;
		drop = 0;
		for (i = 0; skip != NULL && skip[i] != NULL; i++)
			if (strcasecmp(kv->key, skip[i]) == 0)
				drop = 1;
		if (drop)
			continue;
		if (evhttp_add_header(dst, kv->key, kv->value) == -1)
			return (-1);
		n++;
	}
	return (n);
}

int
http_hdr_list_append(struct evkeyvalq *hdrs, const char *name,
    const char *item)
{
	const struct evkeyval	*kv;
	char			*joined = NULL, *p;
	size_t			 len = strlen(item) + 1;
	int			 rv;

	TAILQ_FOREACH(kv, hdrs, next)
		if (strcasecmp(kv->key, name) == 0)
			len += strlen(kv->value) + 2;
	if ((joined = malloc(len)) == NULL)
		return (-1);
	p = joined;
	TAILQ_FOREACH(kv, hdrs, next) {
		if (strcasecmp(kv->key, name) != 0)
			continue;
		len = strlen(kv->value);
		memcpy(p, kv->value, len);
		p += len;
		*p++ = ',';
		*p++ = ' ';
	}
	strcpy(p, item);
	while (evhttp_remove_header(hdrs, name) == 0)
		;
	rv = evhttp_add_header(hdrs, name, joined);
	free(joined);
	return (rv);
}

/* Appends n bytes of s to *buf (size *cap, length *len); -1 on ENOMEM. */
static int
http_hdr_buf_add(char **buf, size_t *len, size_t *cap, const char *s,
    size_t n)
{
	char	*nb;

	if (*len + n + 1 > *cap) {
		size_t ncap = (*len + n + 1) * 2;

		if ((nb = realloc(*buf, ncap)) == NULL)
			return (-1);
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return (0);
}

/* strcmp for qsort over an array of strings. */
static int
http_hdr_strcmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

char *
http_hdr_vary_key(const struct evkeyvalq *resp_hdrs,
    const struct evkeyvalq *req_hdrs)
{
	const struct evkeyval	*kv, *rq;
	char			*names[64], *out = NULL, *p;
	size_t			 nnames = 0, i, len = 0, cap = 0, n;
	int			 first;

	TAILQ_FOREACH(kv, resp_hdrs, next) {
		if (strcasecmp(kv->key, "Vary") != 0)
			continue;
		for (p = kv->value; *p != '\0'; p += n) {
			p += strspn(p, " \t,");
			n = strcspn(p, " \t,");
			if (n == 0)
				continue;
			if (n == 1 && *p == '*')
				goto star;
			if (nnames == sizeof(names) / sizeof(names[0]))
				goto star;	/* absurd: do not cache */
			if ((names[nnames] = strndup(p, n)) == NULL)
				goto fail;
			for (i = 0; i < n; i++)
				names[nnames][i] = (char)tolower(
				    (unsigned char)names[nnames][i]);
			nnames++;
		}
	}
	qsort(names, nnames, sizeof(names[0]), http_hdr_strcmp);
	if (http_hdr_buf_add(&out, &len, &cap, "", 0) == -1)
		goto fail;
	for (i = 0; i < nnames; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		if (http_hdr_buf_add(&out, &len, &cap, names[i],
		    strlen(names[i])) == -1 ||
		    http_hdr_buf_add(&out, &len, &cap, ":", 1) == -1)
			goto fail;
		first = 1;
		TAILQ_FOREACH(rq, req_hdrs, next) {
			const char *v = rq->value;

			if (strcasecmp(rq->key, names[i]) != 0)
				continue;
			v += strspn(v, " \t");
			n = strlen(v);
			while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if ((!first && http_hdr_buf_add(&out, &len, &cap, ",",
			    1) == -1) || http_hdr_buf_add(&out, &len, &cap, v,
			    n) == -1)
				goto fail;
			first = 0;
		}
		/* a unit separator: the key is stored on one record line */
		if (http_hdr_buf_add(&out, &len, &cap, "\x1f", 1) == -1)
			goto fail;
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	return (out);
star:
fail:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(out);
	return (NULL);
}

/* Reads a decimal at *p (advancing it); -1 if there is none or too big. */
static int
http_hdr_range_num(const char **p, unsigned long long *v)
{
	unsigned long long	 n = 0;
	const char		*s = *p;

	if (!isdigit((unsigned char)*s))
		return (-1);
	for (; isdigit((unsigned char)*s); s++) {
		if (n > (~0ULL - 9) / 10)
			return (-1);
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	*p = s;
	*v = n;
	return (0);
}

int
http_range_parse(const char *h, unsigned long long size,
    unsigned long long *first, unsigned long long *last)
{
	const char		*p;
	unsigned long long	 a, b;

	if (h == NULL || strncasecmp(h, "bytes=", 6) != 0)
		return (0);
	p = h + 6;
	p += strspn(p, " \t");
	if (strchr(p, ',') != NULL)
		return (0);		/* several ranges: send it whole */
	if (*p == '-') {
		/* the last b bytes */
		p++;
		if (http_hdr_range_num(&p, &b) == -1)
			return (0);
		p += strspn(p, " \t");
		if (*p != '\0')
			return (0);
		if (b == 0 || size == 0)
			return (-1);
		*first = b >= size ? 0 : size - b;
		*last = size - 1;
		return (1);
	}
	if (http_hdr_range_num(&p, &a) == -1 || *p++ != '-')
		return (0);
	if (*p == '\0' || *p == ' ' || *p == '\t')
		b = ~0ULL;
	else if (http_hdr_range_num(&p, &b) == -1 || b < a)
		return (0);
	p += strspn(p, " \t");
	if (*p != '\0')
		return (0);
	if (a >= size)
		return (-1);
	*first = a;
	*last = b >= size ? size - 1 : b;
	return (1);
}

int
http_frame_feed_added(struct http_frame *f, struct evbuffer *buf,
    size_t n_added)
{
	struct evbuffer_ptr	 pos;
	struct evbuffer_iovec	 vec[8];
	size_t			 len = evbuffer_get_length(buf), left, n;
	int			 i, nvec;

	left = n_added <= len ? n_added : len;
	if (left == 0 ||
	    evbuffer_ptr_set(buf, &pos, len - left, EVBUFFER_PTR_SET) == -1)
		return (0);
	while (left > 0) {
		if ((nvec = evbuffer_peek(buf, (ev_ssize_t)left, &pos, vec,
		    8)) <= 0)
			break;
		for (i = 0; i < nvec && i < 8 && left > 0; i++) {
			n = vec[i].iov_len < left ? vec[i].iov_len : left;
			if (http_frame_feed(f, vec[i].iov_base, n) != n)
				return (-1);
			left -= n;
			evbuffer_ptr_set(buf, &pos, n, EVBUFFER_PTR_ADD);
		}
	}
	return (0);
}
