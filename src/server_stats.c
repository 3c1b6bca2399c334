/*
 * server_stats.c: the proxy's own pages under /-/ (placeholder until the
 * dashboard lands).
 */
#include <event2/buffer.h>

#include "server_int.h"

int
server_stats_page(struct server *srv, const char *path, struct evbuffer *body,
    const char **ctype)
{
	(void)srv;
	(void)path;
	(void)body;
	(void)ctype;
	return (404);
}
