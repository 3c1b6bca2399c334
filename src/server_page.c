/*
 * server_page.c: the pages evproxy writes itself: its home page (GET /)
 * and the short error pages that say what went wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "config.h"
#include "server_int.h"

/* Appends s to out with <, >, &, " and ' escaped. */
static void
server_page_escape(struct evbuffer *out, const char *s)
{
	char	*esc;

	if (s == NULL)
		return;
	if ((esc = evhttp_htmlescape(s)) == NULL)
		return;
	evbuffer_add(out, esc, strlen(esc));
	free(esc);
}

void
server_page_error(struct evbuffer *out, int status, const char *title,
    const char *cause, const char *url)
{
	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>%d ", status);
	server_page_escape(out, title);
	evbuffer_add_printf(out, "</title></head>\n<body>\n<h1>%d ", status);
	server_page_escape(out, title);
	evbuffer_add_printf(out, "</h1>\n<p>");
	server_page_escape(out, cause);
	evbuffer_add_printf(out, "</p>\n");
	if (url != NULL) {
		evbuffer_add_printf(out, "<p>URL: <code>");
		server_page_escape(out, url);
		evbuffer_add_printf(out, "</code></p>\n");
	}
	evbuffer_add_printf(out, "<hr><address>evproxy/%s</address>\n"
	    "</body></html>\n", EVPROXY_VERSION);
}

void
server_page_home(struct evbuffer *out, const char *self)
{
	const char	*me = self != NULL ? self : "127.0.0.1:8888";

	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html><head>"
	    "<meta charset=\"utf-8\"><title>evproxy</title></head>\n<body>\n"
	    "<h1>evproxy %s</h1>\n"
	    "<p>This is evproxy, an asynchronous caching HTTP proxy.</p>\n"
	    "<h2>How to use it</h2>\n<ul>\n", EVPROXY_VERSION);
	evbuffer_add_printf(out, "<li>As your browser's HTTP proxy: set "
	    "<code>");
	server_page_escape(out, me);
	evbuffer_add_printf(out, "</code> as the proxy for HTTP.</li>\n"
	    "<li>With curl: <code>curl -x http://");
	server_page_escape(out, me);
	evbuffer_add_printf(out, " http://example.com/</code></li>\n"
	    "<li>In path form: <code>http://");
	server_page_escape(out, me);
	evbuffer_add_printf(out, "/example.com/page</code> fetches "
	    "<code>http://example.com/page</code>.</li>\n</ul>\n"
	    "</body></html>\n");
}
