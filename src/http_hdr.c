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

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"

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
