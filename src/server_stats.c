/*
 * server_stats.c: the proxy's own pages under /-/, for allowed clients:
 *
 *   /-/ (and /-)   a dashboard for people: one self-contained HTML page
 *                  (inline CSS and SVG, no script, no external resource)
 *                  that reloads itself every SERVER_STATS_REFRESH seconds;
 *   /-/stats       the same numbers as one JSON object, for scripts;
 *   /-/metrics     the Prometheus text exposition format (0.0.4).
 *
 * Each page is rendered whole, on the request's stack, from a snapshot
 * taken first (struct server_stats_snap): the counters and history of
 * stats.c, the cache's and the upstream pool's state, and the client
 * connections.  Nothing is kept between requests, and the strings that
 * cache_top() lends are used before returning to the loop.  The cache is
 * NULL under --no-cache: the pages say so and report zeros.  Times on
 * the dashboard are UTC, as in the logs.
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "cache.h"
#include "config.h"
#include "server_int.h"
#include "stats.h"
#include "upstream.h"

#define SERVER_STATS_REFRESH	10	/* seconds between dashboard reloads */
#define SERVER_STATS_TOP	10	/* rows of the two tables */

/* Everything a page shows, read once. */
struct server_stats_snap {
	time_t			 now;
	long long		 uptime;	/* seconds; -1: unknown */
	struct stats_done	 done;
	int			 cache_on;
	struct cache_stats	 cache;
	uint64_t		 capacity;	/* --cache-size */
	unsigned		 clients;
	unsigned		 tunnels;	/* open now */
	struct upstream_stats	 up;
	struct stats_minute	 min[STATS_MINUTES];
	struct stats_host	 hosts[SERVER_STATS_TOP];
	size_t			 nhosts;
};

/* Takes the snapshot every page renders from. */
static void
server_stats_snap(struct server *srv, struct server_stats_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->now = time(NULL);
	s->uptime = stats.started != 0 && s->now >= stats.started ?
	    (long long)(s->now - stats.started) : -1;
	s->done = stats.done;
	s->cache_on = srv->cache != NULL;
	cache_get_stats(srv->cache, &s->cache);
	s->capacity = s->cache_on ? srv->cfg->cache.size : 0;
	s->clients = srv->nconns;
	s->tunnels = server_tunnel_count(srv);
	upstream_get_stats(srv->up, &s->up);
	stats_minutes(s->now, s->min);
	s->nhosts = stats_top_hosts(s->hosts, SERVER_STATS_TOP);
}

/* Appends s as a JSON string: quoted, and ASCII only (\u00XX escapes). */
static void
server_stats_json_str(struct evbuffer *out, const char *s)
{
	size_t	 n;

	evbuffer_add(out, "\"", 1);
	while (s != NULL && *s != '\0') {
		for (n = 0; s[n] != '\0' && s[n] != '"' && s[n] != '\\' &&
		    (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f;
		    n++)
			;
		evbuffer_add(out, s, n);
		s += n;
		if (*s == '\0')
			break;
		if (*s == '"' || *s == '\\')
			evbuffer_add_printf(out, "\\%c", *s);
		else
			evbuffer_add_printf(out, "\\u%04x", (unsigned char)*s);
		s++;
	}
	evbuffer_add(out, "\"", 1);
}

/* Appends s with the five HTML special characters escaped. */
static void
server_stats_html(struct evbuffer *out, const char *s)
{
	size_t	 n;

	while (s != NULL && *s != '\0') {
		n = strcspn(s, "&<>\"'");
		evbuffer_add(out, s, n);
		s += n;
		switch (*s) {
		case '&':
			evbuffer_add_printf(out, "&amp;");
			break;
		case '<':
			evbuffer_add_printf(out, "&lt;");
			break;
		case '>':
			evbuffer_add_printf(out, "&gt;");
			break;
		case '"':
			evbuffer_add_printf(out, "&quot;");
			break;
		case '\'':
			evbuffer_add_printf(out, "&#39;");
			break;
		default:
			return;
		}
		s++;
	}
}

/* Appends v with thousands separators: 1,234,567. */
static void
server_stats_count(struct evbuffer *out, uint64_t v)
{
	char	 d[24];
	int	 len, i;

	len = snprintf(d, sizeof(d), "%" PRIu64, v);
	for (i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			evbuffer_add(out, ",", 1);
		evbuffer_add(out, &d[i], 1);
	}
}

/* Appends a byte count for people: 512 B, 1.5 KiB, 23 MiB, 4.0 GiB. */
static void
server_stats_bytes(struct evbuffer *out, uint64_t v)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	double	 x = (double)v;
	size_t	 u = 0;

	if (v < 1024) {
		evbuffer_add_printf(out, "%" PRIu64 " B", v);
		return;
	}
	x /= 1024;
	while (x >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		x /= 1024;
		u++;
	}
	evbuffer_add_printf(out, x >= 100 ? "%.0f %s" : "%.1f %s", x,
	    units[u]);
}

/* Appends a duration for people: 42 s, 7 min, 3 h 12 min, 5 d 4 h. */
static void
server_stats_duration(struct evbuffer *out, long long s)
{
	if (s < 60)
		evbuffer_add_printf(out, "%lld s", s);
	else if (s < 3600)
		evbuffer_add_printf(out, "%lld min", s / 60);
	else if (s < 86400)
		evbuffer_add_printf(out, "%lld h %lld min", s / 3600,
		    s % 3600 / 60);
	else
		evbuffer_add_printf(out, "%lld d %lld h", s / 86400,
		    s % 86400 / 3600);
}

/* Appends an age in one unit, rounded down: 42 s, 7 min, 3 h, 5 d. */
static void
server_stats_age(struct evbuffer *out, long long s)
{
	if (s < 60)
		evbuffer_add_printf(out, "%lld s", s);
	else if (s < 3600)
		evbuffer_add_printf(out, "%lld min", s / 60);
	else if (s < 86400)
		evbuffer_add_printf(out, "%lld h", s / 3600);
	else
		evbuffer_add_printf(out, "%lld d", s / 86400);
}

/* Formats t as UTC with fmt into buf. */
static const char *
server_stats_time(char *buf, size_t len, const char *fmt, time_t t)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, fmt, &tm) == 0)
		snprintf(buf, len, "?");
	return (buf);
}

/*
 * The share of part in whole, in percent (0 when whole is 0), kept under
 * 99.9 while part < whole so that "100.0%" is never a rounding.
 */
static double
server_stats_pct(uint64_t part, uint64_t whole)
{
	double	 p;

	if (whole == 0)
		return (0.0);
	p = 100.0 * (double)part / (double)whole;
	return (part < whole && p > 99.9 ? 99.9 : p);
}

/* ---- /-/stats ---- */

/* Appends one JSON member "name": v (a number), with a leading comma. */
static void
server_stats_json_u(struct evbuffer *out, const char *name, uint64_t v)
{
	evbuffer_add_printf(out, ",\"%s\":%" PRIu64, name, v);
}

/* Renders /-/stats: the snapshot as one JSON object. */
static void
server_stats_json(const struct server_stats_snap *s, struct evbuffer *out)
{
	const struct stats_done	*d = &s->done;
	size_t			 i;

	evbuffer_add_printf(out, "{\"version\":");
	server_stats_json_str(out, EVPROXY_VERSION);
	evbuffer_add_printf(out, ",\"time\":%lld", (long long)s->now);
	if (s->uptime >= 0)
		evbuffer_add_printf(out, ",\"started\":%lld,\"uptime\":%lld",
		    (long long)stats.started, s->uptime);
	else
		evbuffer_add_printf(out, ",\"started\":null,\"uptime\":null");
	server_stats_json_u(out, "requests", d->requests);
	server_stats_json_u(out, "hits", d->hits);
	server_stats_json_u(out, "misses", d->misses);
	server_stats_json_u(out, "revalidations", d->revalidations);
	server_stats_json_u(out, "errors", d->errors);
	evbuffer_add_printf(out, ",\"hit_ratio\":%.4f", stats_hit_ratio(d));
	server_stats_json_u(out, "bytes", d->bytes);
	server_stats_json_u(out, "bytes_from_cache", d->bytes_from_cache);
	server_stats_json_u(out, "bytes_from_origin", d->bytes_from_origin);
	server_stats_json_u(out, "own_pages", d->own);
	server_stats_json_u(out, "purges", d->purges);
	server_stats_json_u(out, "rejected", stats.clients_rejected);
	server_stats_json_u(out, "denied", stats.clients_denied);
	server_stats_json_u(out, "fast_hits", stats.fast_hits);

	evbuffer_add_printf(out, ",\"cache\":{\"enabled\":%s",
	    s->cache_on ? "true" : "false");
	server_stats_json_u(out, "objects", s->cache.entries);
	server_stats_json_u(out, "bytes", s->cache.bytes);
	server_stats_json_u(out, "capacity", s->capacity);
	server_stats_json_u(out, "evictions", s->cache.evictions);
	evbuffer_add_printf(out, ",\"rebuilding\":%s",
	    s->cache.rebuilding ? "true" : "false");
	server_stats_json_u(out, "scanned", s->cache.scanned);

	evbuffer_add_printf(out, "},\"connections\":{\"clients\":%u,"
	    "\"tunnels\":%u", s->clients, s->tunnels);
	server_stats_json_u(out, "tunnels_opened", stats.tunnels);

	evbuffer_add_printf(out, "},\"upstream\":{\"origins\":%u,\"idle\":%u,"
	    "\"busy\":%u,\"waiting\":%u", s->up.origins, s->up.idle,
	    s->up.busy, s->up.waiting);
	server_stats_json_u(out, "fetches", stats.upstream_fetches);
	server_stats_json_u(out, "opened", stats.upstream_conns_opened);
	server_stats_json_u(out, "reused", stats.upstream_conns_reused);
	server_stats_json_u(out, "retries", stats.upstream_retries);
	server_stats_json_u(out, "invalid", stats.upstream_invalid);
	server_stats_json_u(out, "bytes_in", stats.upstream_bytes_in);

	evbuffer_add_printf(out, "},\"top_hosts\":[");
	for (i = 0; i < s->nhosts; i++) {
		evbuffer_add_printf(out, "%s{\"host\":", i > 0 ? "," : "");
		server_stats_json_str(out, s->hosts[i].host);
		server_stats_json_u(out, "requests", s->hosts[i].requests);
		server_stats_json_u(out, "hits", s->hosts[i].hits);
		server_stats_json_u(out, "bytes", s->hosts[i].bytes);
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "],\"per_minute\":[");
	for (i = 0; i < STATS_MINUTES; i++) {
		const struct stats_minute *m = &s->min[i];

		evbuffer_add_printf(out, "%s{\"start\":%lld", i > 0 ? "," : "",
		    (long long)m->start);
		server_stats_json_u(out, "requests", m->requests);
		server_stats_json_u(out, "hits", m->hits);
		server_stats_json_u(out, "misses", m->misses);
		server_stats_json_u(out, "errors", m->errors);
		server_stats_json_u(out, "bytes", m->bytes);
		server_stats_json_u(out, "bytes_from_cache",
		    m->bytes_from_cache);
		evbuffer_add_printf(out, "}");
	}
	evbuffer_add_printf(out, "]}\n");
}

/* ---- /-/metrics ---- */

/* Appends the HELP and TYPE lines of a metric family. */
static void
server_stats_prom_head(struct evbuffer *out, const char *name,
    const char *type, const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

/* Appends a metric family with a single sample. */
static void
server_stats_prom(struct evbuffer *out, const char *name, const char *type,
    const char *help, uint64_t v)
{
	server_stats_prom_head(out, name, type, help);
	evbuffer_add_printf(out, "%s %" PRIu64 "\n", name, v);
}

/* Renders /-/metrics in the Prometheus text format, version 0.0.4. */
static void
server_stats_metrics(const struct server_stats_snap *s, struct evbuffer *out)
{
	const struct stats_done	*d = &s->done;
	uint64_t		 other;

	server_stats_prom_head(out, "evproxy_build_info", "gauge",
	    "The version of the running proxy.");
	/* the version is ours: no quote, backslash or newline to escape */
	evbuffer_add_printf(out, "evproxy_build_info{version=\"%s\"} 1\n",
	    EVPROXY_VERSION);
	if (s->uptime >= 0) {
		server_stats_prom(out, "evproxy_start_time_seconds", "gauge",
		    "When the proxy started, in seconds since the epoch.",
		    (uint64_t)stats.started);
		server_stats_prom(out, "evproxy_uptime_seconds", "gauge",
		    "Seconds since the proxy started.", (uint64_t)s->uptime);
	}
	server_stats_prom(out, "evproxy_requests_total", "counter",
	    "Requests finished (own pages and errors included).",
	    d->requests);
	server_stats_prom(out, "evproxy_cache_hits_total", "counter",
	    "Requests answered from the cache.", d->hits);
	server_stats_prom(out, "evproxy_cache_misses_total", "counter",
	    "Requests answered by the origin.", d->misses);
	server_stats_prom(out, "evproxy_cache_revalidations_total", "counter",
	    "Stored responses checked with the origin.", d->revalidations);
	server_stats_prom(out, "evproxy_errors_total", "counter",
	    "Error replies the proxy generated.", d->errors);
	server_stats_prom_head(out, "evproxy_cache_hit_ratio", "gauge",
	    "Hits / (hits + misses) since the start.");
	evbuffer_add_printf(out, "evproxy_cache_hit_ratio %.6f\n",
	    stats_hit_ratio(d));
	server_stats_prom_head(out, "evproxy_response_bytes_total", "counter",
	    "Body bytes sent to clients, by where they came from.");
	other = d->bytes - d->bytes_from_cache - d->bytes_from_origin;
	evbuffer_add_printf(out,
	    "evproxy_response_bytes_total{source=\"cache\"} %" PRIu64 "\n"
	    "evproxy_response_bytes_total{source=\"origin\"} %" PRIu64 "\n"
	    "evproxy_response_bytes_total{source=\"proxy\"} %" PRIu64 "\n",
	    d->bytes_from_cache, d->bytes_from_origin, other);

	server_stats_prom(out, "evproxy_cache_enabled", "gauge",
	    "1 unless the proxy runs with --no-cache.",
	    (uint64_t)s->cache_on);
	server_stats_prom(out, "evproxy_cache_objects", "gauge",
	    "Responses stored in the cache.", s->cache.entries);
	server_stats_prom(out, "evproxy_cache_bytes", "gauge",
	    "Disk space the stored responses take.", s->cache.bytes);
	server_stats_prom(out, "evproxy_cache_capacity_bytes", "gauge",
	    "The cache's disk budget (--cache-size).", s->capacity);
	server_stats_prom(out, "evproxy_cache_evictions_total", "counter",
	    "Responses evicted to stay within the budget.",
	    s->cache.evictions);
	server_stats_prom(out, "evproxy_cache_rebuilding", "gauge",
	    "1 while the start-up scan is rebuilding the index.",
	    (uint64_t)(s->cache.rebuilding != 0));

	server_stats_prom(out, "evproxy_client_connections", "gauge",
	    "Client connections open (tunnels included).", s->clients);
	server_stats_prom(out, "evproxy_tunnels", "gauge",
	    "CONNECT tunnels open.", s->tunnels);
	server_stats_prom(out, "evproxy_tunnels_total", "counter",
	    "CONNECT tunnels established.", stats.tunnels);
	server_stats_prom(out, "evproxy_clients_rejected_total", "counter",
	    "Requests refused as malformed or over a limit.",
	    stats.clients_rejected);
	server_stats_prom(out, "evproxy_clients_denied_total", "counter",
	    "Connections refused by --allow.", stats.clients_denied);
	server_stats_prom(out, "evproxy_fast_hits_total", "counter",
	    "Fresh hits answered on the fast path (docs/performance.md).",
	    stats.fast_hits);

	server_stats_prom(out, "evproxy_upstream_origins", "gauge",
	    "Origins (host:port) with connections or waiting fetches.",
	    s->up.origins);
	server_stats_prom_head(out, "evproxy_upstream_connections", "gauge",
	    "Connections to origins, by state.");
	evbuffer_add_printf(out,
	    "evproxy_upstream_connections{state=\"idle\"} %u\n"
	    "evproxy_upstream_connections{state=\"busy\"} %u\n",
	    s->up.idle, s->up.busy);
	server_stats_prom(out, "evproxy_upstream_waiting", "gauge",
	    "Fetches queued for a connection (pool full).", s->up.waiting);
	server_stats_prom(out, "evproxy_upstream_fetches_total", "counter",
	    "Requests sent to origins.", stats.upstream_fetches);
	server_stats_prom(out, "evproxy_upstream_connections_opened_total",
	    "counter", "Connections opened to origins.",
	    stats.upstream_conns_opened);
	server_stats_prom(out, "evproxy_upstream_connections_reused_total",
	    "counter", "Requests sent on an idle keep-alive connection.",
	    stats.upstream_conns_reused);
	server_stats_prom(out, "evproxy_upstream_retries_total", "counter",
	    "Requests retried after a stale keep-alive connection.",
	    stats.upstream_retries);
	server_stats_prom(out, "evproxy_upstream_invalid_total", "counter",
	    "Origin responses refused by the framing checks.",
	    stats.upstream_invalid);
	server_stats_prom(out, "evproxy_upstream_bytes_total", "counter",
	    "Body bytes received from origins.", stats.upstream_bytes_in);
}

/* ---- /-/ ---- */

/* The page's style: light, or dark when the system prefers it. */
static const char server_stats_css[] =
":root{--bg:#f4f6f8;--card:#fff;--fg:#1c2430;--mute:#687385;"
"--line:#e3e7ec;--hit:#1f9d55;--miss:#3b82f6;--err:#dc3545;"
"--other:#b8c2cf;--warn:#fff4d6;--warnfg:#7a5300}\n"
"@media (prefers-color-scheme:dark){:root{--bg:#0f1318;--card:#171c23;"
"--fg:#e4e8ee;--mute:#8c96a5;--line:#283039;--other:#4b5666;"
"--warn:#3a2f12;--warnfg:#f3d38a}}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;padding:24px 28px;background:var(--bg);color:var(--fg);"
"font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,"
"\"Helvetica Neue\",Arial,sans-serif}\n"
"main{max-width:1180px;margin:0 auto}\n"
"header{display:flex;flex-wrap:wrap;align-items:baseline;gap:6px 16px;"
"margin-bottom:18px}\n"
"h1{font-size:22px;margin:0;letter-spacing:-.3px}\n"
"h2{font-size:13px;margin:0 0 10px;text-transform:uppercase;"
"letter-spacing:.07em;color:var(--mute);font-weight:600}\n"
".mute{color:var(--mute)}\n"
".note{background:var(--warn);color:var(--warnfg);border-radius:8px;"
"padding:10px 14px;margin-bottom:16px}\n"
".cards{display:grid;grid-template-columns:repeat(auto-fit,"
"minmax(200px,1fr));gap:14px;margin-bottom:14px}\n"
".card{background:var(--card);border:1px solid var(--line);"
"border-radius:12px;padding:16px 18px}\n"
".big{font-size:34px;font-weight:650;letter-spacing:-.8px;"
"line-height:1.15;margin:2px 0 4px;font-variant-numeric:tabular-nums}\n"
".big small{font-size:16px;font-weight:500;color:var(--mute);"
"letter-spacing:0}\n"
".sub{color:var(--mute);font-size:13px}\n"
".meter{height:6px;background:var(--line);border-radius:3px;"
"overflow:hidden;margin-top:10px}\n"
".meter i{display:block;height:100%;background:var(--hit)}\n"
".meter.use i{background:var(--miss)}\n"
".wide{margin-bottom:14px}\n"
".tables{display:grid;grid-template-columns:minmax(0,2fr) "
"minmax(0,3fr);gap:14px}\n"
"@media (max-width:900px){.tables{grid-template-columns:minmax(0,1fr)}}\n"
"table{width:100%;border-collapse:collapse;table-layout:fixed;"
"font-variant-numeric:tabular-nums}\n"
"th,td{padding:6px 8px;border-bottom:1px solid var(--line);"
"text-align:right;white-space:nowrap;overflow:hidden;"
"text-overflow:ellipsis}\n"
"th{font-weight:600;color:var(--mute);font-size:12px}\n"
"th:first-child,td:first-child{text-align:left}\n"
"tr:last-child td{border-bottom:0}\n"
"td.empty{text-align:center;color:var(--mute);padding:18px}\n"
".legend{display:flex;gap:16px;font-size:12px;color:var(--mute);"
"margin-top:6px}\n"
".legend span:before{content:\"\";display:inline-block;width:10px;"
"height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px;"
"background:var(--c)}\n"
"svg{display:block;width:100%;height:auto}\n"
"svg text{fill:var(--mute);font-size:10px}\n"
"svg .grid{stroke:var(--line);stroke-width:1}\n"
"svg .h{fill:var(--hit)}svg .m{fill:var(--miss)}"
"svg .e{fill:var(--err)}svg .o{fill:var(--other)}\n"
"footer{margin-top:18px;font-size:12px;color:var(--mute)}\n"
"a{color:var(--miss)}\n";

/* A round axis maximum at or above v: 2, 4, 6, 8 or 10 times 10^k. */
static uint64_t
server_stats_axis_max(uint64_t v)
{
	static const unsigned	 mult[] = { 2, 4, 6, 8, 10 };
	uint64_t		 step = 1;
	size_t			 i;

	while (step <= UINT64_MAX / 100 && step * 10 < v)
		step *= 10;
	for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++)
		if (mult[i] * step >= v)
			return (mult[i] * step);
	return (v);
}

/* Geometry of the requests chart, in SVG user units. */
#define CHART_W		760
#define CHART_H		210
#define CHART_LEFT	44	/* room for the y labels */
#define CHART_RIGHT	8
#define CHART_TOP	10
#define CHART_BOTTOM	26	/* room for the x labels */

/* Appends one bar segment (class cls) of the chart. */
static void
server_stats_bar(struct evbuffer *out, const char *cls, double x, double w,
    double *y, double h)
{
	if (h <= 0)
		return;
	*y -= h;
	evbuffer_add_printf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\" rx=\"1\"/>", cls, x, *y, w, h);
}

/*
 * Appends the chart of requests per minute over the last hour: one bar a
 * minute, stacked hits, misses, errors and the rest (own pages, tunnels,
 * purges), with a tooltip (<title>) per bar.
 */
static void
server_stats_chart(const struct server_stats_snap *s, struct evbuffer *out)
{
	const double	 pw = CHART_W - CHART_LEFT - CHART_RIGHT;
	const double	 ph = CHART_H - CHART_TOP - CHART_BOTTOM;
	const double	 slot = pw / STATS_MINUTES;
	const double	 base = CHART_TOP + ph;
	uint64_t	 peak = 0, top, total = 0, rest, errs;
	char		 hm[16];
	size_t		 i;

	for (i = 0; i < STATS_MINUTES; i++) {
		if (s->min[i].requests > peak)
			peak = s->min[i].requests;
		total += s->min[i].requests;
	}
	top = server_stats_axis_max(peak);
	evbuffer_add_printf(out, "<svg viewBox=\"0 0 %d %d\" role=\"img\" "
	    "aria-label=\"Requests per minute over the last hour\">",
	    CHART_W, CHART_H);
	/* the grid: 0, half and the top, labelled */
	for (i = 0; i <= 2; i++) {
		double y = base - ph * (double)i / 2;

		evbuffer_add_printf(out, "<line class=\"grid\" x1=\"%d\" "
		    "y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
		    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%" PRIu64
		    "</text>", CHART_LEFT, y, CHART_W - CHART_RIGHT, y,
		    CHART_LEFT - 6, y + 4, top * i / 2);
	}
	for (i = 0; i < STATS_MINUTES; i++) {
		const struct stats_minute *m = &s->min[i];
		double x = CHART_LEFT + slot * (double)i + 1, y = base;
		double k = ph / (double)top;

		if (m->requests == 0)
			continue;
		/* a hit that ended in a 5xx is in two classes: clamp */
		rest = m->requests - (m->hits + m->misses <= m->requests ?
		    m->hits + m->misses : m->requests);
		errs = m->errors < rest ? m->errors : rest;
		rest -= errs;
		evbuffer_add_printf(out, "<g><title>%s UTC: ",
		    server_stats_time(hm, sizeof(hm), "%H:%M", m->start));
		server_stats_count(out, m->requests);
		evbuffer_add_printf(out, " requests, %" PRIu64 " hits, %" PRIu64
		    " misses, %" PRIu64 " errors, ", m->hits, m->misses,
		    m->errors);
		server_stats_bytes(out, m->bytes);
		evbuffer_add_printf(out, "</title>");
		server_stats_bar(out, "h", x, slot - 2, &y,
		    k * (double)m->hits);
		server_stats_bar(out, "m", x, slot - 2, &y,
		    k * (double)m->misses);
		server_stats_bar(out, "e", x, slot - 2, &y, k * (double)errs);
		server_stats_bar(out, "o", x, slot - 2, &y, k * (double)rest);
		evbuffer_add_printf(out, "</g>");
	}
	if (total == 0)
		evbuffer_add_printf(out, "<text x=\"%.0f\" y=\"%.0f\" "
		    "text-anchor=\"middle\">no requests in the last hour"
		    "</text>", CHART_LEFT + pw / 2, CHART_TOP + ph / 2);
	/* x labels every quarter of an hour, at the start of their minute */
	for (i = 0; i < STATS_MINUTES; i += 15)
		evbuffer_add_printf(out, "<text x=\"%.1f\" y=\"%d\" "
		    "text-anchor=\"%s\">%s</text>", CHART_LEFT +
		    slot * (double)i, CHART_H - 8, i == 0 ? "start" : "middle",
		    server_stats_time(hm, sizeof(hm), "%H:%M",
		    s->min[i].start));
	evbuffer_add_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">"
	    "now</text></svg>\n", CHART_W - CHART_RIGHT, CHART_H - 8);
}

/* Opens a card: its label, then the big number the caller appends. */
static void
server_stats_card_open(struct evbuffer *out, const char *label)
{
	evbuffer_add_printf(out, "<div class=\"card\"><h2>%s</h2>"
	    "<div class=\"big\">", label);
}

/* Ends the big number; the caller appends the line under it. */
static void
server_stats_card_sub(struct evbuffer *out)
{
	evbuffer_add_printf(out, "</div><div class=\"sub\">");
}

/* Closes a card, with a meter filled pct percent (none if pct < 0). */
static void
server_stats_card_close(struct evbuffer *out, double pct, const char *cls)
{
	evbuffer_add_printf(out, "</div>");
	if (pct >= 0)
		evbuffer_add_printf(out, "<div class=\"meter%s\"><i style=\""
		    "width:%.1f%%\"></i></div>", cls, pct > 100 ? 100 : pct);
	evbuffer_add_printf(out, "</div>\n");
}

/* Appends the row of big numbers. */
static void
server_stats_cards(const struct server_stats_snap *s, struct evbuffer *out)
{
	const struct stats_done	*d = &s->done;
	uint64_t		 hour = 0, served;
	long long		 window;
	size_t			 i;

	server_stats_card_open(out, "Hit ratio");
	evbuffer_add_printf(out, "%.1f<small>%%</small>",
	    100 * stats_hit_ratio(d));
	server_stats_card_sub(out);
	server_stats_count(out, d->hits);
	evbuffer_add_printf(out, " hits, ");
	server_stats_count(out, d->misses);
	evbuffer_add_printf(out, " misses, ");
	server_stats_count(out, d->revalidations);
	evbuffer_add_printf(out, " revalidated");
	server_stats_card_close(out, 100 * stats_hit_ratio(d), "");

	served = d->bytes_from_cache + d->bytes_from_origin;
	server_stats_card_open(out, "Bytes saved");
	server_stats_bytes(out, d->bytes_from_cache);
	server_stats_card_sub(out);
	evbuffer_add_printf(out, "%.1f%% of the ",
	    server_stats_pct(d->bytes_from_cache, served));
	server_stats_bytes(out, served);
	evbuffer_add_printf(out, " sent came from the cache");
	server_stats_card_close(out,
	    server_stats_pct(d->bytes_from_cache, served), "");

	/*
	 * The rate over what the ring covers: 59 whole minutes and the
	 * current one so far, or the time since the start if shorter.
	 */
	for (i = 0; i < STATS_MINUTES; i++)
		hour += s->min[i].requests;
	window = (STATS_MINUTES - 1) * 60 + (long long)(s->now -
	    s->min[STATS_MINUTES - 1].start) + 1;
	if (s->uptime >= 0 && s->uptime + 1 < window)
		window = s->uptime + 1;
	server_stats_card_open(out, "Requests");
	server_stats_count(out, d->requests);
	server_stats_card_sub(out);
	evbuffer_add_printf(out, "%.1f a minute %s, ",
	    (double)hour * 60 / (double)window, window < 3540 ?
	    "since the start" : "over the last hour");
	server_stats_count(out, d->errors);
	evbuffer_add_printf(out, " errors");
	server_stats_card_close(out, -1, "");

	server_stats_card_open(out, "Cache");
	if (!s->cache_on) {
		evbuffer_add_printf(out, "off");
		server_stats_card_sub(out);
		evbuffer_add_printf(out, "--no-cache: every request goes to "
		    "its origin");
		server_stats_card_close(out, -1, "");
	} else {
		server_stats_bytes(out, s->cache.bytes);
		server_stats_card_sub(out);
		evbuffer_add_printf(out, "of ");
		server_stats_bytes(out, s->capacity);
		evbuffer_add_printf(out, ", ");
		server_stats_count(out, s->cache.entries);
		evbuffer_add_printf(out, " objects, ");
		server_stats_count(out, s->cache.evictions);
		evbuffer_add_printf(out, " evicted");
		server_stats_card_close(out,
		    server_stats_pct(s->cache.bytes, s->capacity), " use");
	}

	server_stats_card_open(out, "Connections");
	evbuffer_add_printf(out, "%u<small> client%s</small>", s->clients,
	    s->clients == 1 ? "" : "s");
	server_stats_card_sub(out);
	evbuffer_add_printf(out, "%u tunnel%s; to %u origin%s: %u busy, "
	    "%u idle, %u waiting", s->tunnels, s->tunnels == 1 ? "" : "s",
	    s->up.origins, s->up.origins == 1 ? "" : "s", s->up.busy,
	    s->up.idle, s->up.waiting);
	server_stats_card_close(out, -1, "");
}

/* Appends the table of the busiest hosts. */
static void
server_stats_hosts_table(const struct server_stats_snap *s,
    struct evbuffer *out)
{
	size_t	 i;

	evbuffer_add_printf(out, "<div class=\"card\"><h2>Top hosts</h2>"
	    "<table><colgroup><col><col style=\"width:11ch\">"
	    "<col style=\"width:8ch\"><col style=\"width:11ch\"></colgroup>"
	    "<tr><th>Host</th><th>Requests</th><th>Hits</th><th>Bytes</th>"
	    "</tr>\n");
	for (i = 0; i < s->nhosts; i++) {
		const struct stats_host *h = &s->hosts[i];

		evbuffer_add_printf(out, "<tr><td title=\"");
		server_stats_html(out, h->host);
		evbuffer_add_printf(out, "\">");
		server_stats_html(out, h->host);
		evbuffer_add_printf(out, "</td><td>");
		server_stats_count(out, h->requests);
		/* rounded down: 100% means every one */
		evbuffer_add_printf(out, "</td><td>%" PRIu64 "%%</td><td>",
		    h->requests == 0 ? 0 : h->hits * 100 / h->requests);
		server_stats_bytes(out, h->bytes);
		evbuffer_add_printf(out, "</td></tr>\n");
	}
	if (s->nhosts == 0)
		evbuffer_add_printf(out, "<tr><td class=\"empty\" "
		    "colspan=\"4\">no proxied requests yet</td></tr>\n");
	evbuffer_add_printf(out, "</table></div>\n");
}

/* Appends the table of the largest stored responses. */
static void
server_stats_objects_table(struct server *srv,
    const struct server_stats_snap *s, struct evbuffer *out)
{
	struct cache_top	 top[SERVER_STATS_TOP];
	char			 mt[64];
	size_t			 i, n;

	evbuffer_add_printf(out, "<div class=\"card\"><h2>Largest objects</h2>"
	    "<table><colgroup><col><col style=\"width:17ch\">"
	    "<col style=\"width:10ch\"><col style=\"width:8ch\"></colgroup>"
	    "<tr><th>URL</th><th>Type</th><th>Size</th><th>Age</th>"
	    "</tr>\n");
	/* the keys are borrowed from the cache: used before returning */
	n = cache_top(srv->cache, top, SERVER_STATS_TOP);
	for (i = 0; i < n; i++) {
		const char *ct = top[i].ctype != NULL ? top[i].ctype : "-";

		evbuffer_add_printf(out, "<tr><td title=\"");
		server_stats_html(out, top[i].key);
		evbuffer_add_printf(out, "\">");
		server_stats_html(out, top[i].key);
		if (top[i].vary)
			evbuffer_add_printf(out, " <span class=\"mute\">"
			    "(a variant)</span>");
		evbuffer_add_printf(out, "</td><td title=\"");
		server_stats_html(out, ct);
		evbuffer_add_printf(out, "\">");
		/* the media type without its parameters */
		snprintf(mt, sizeof(mt), "%.*s", (int)strcspn(ct, "; "), ct);
		server_stats_html(out, mt);
		evbuffer_add_printf(out, "</td><td>");
		server_stats_bytes(out, top[i].body_len);
		evbuffer_add_printf(out, "</td><td>");
		if (top[i].stored > 0 && top[i].stored <= s->now)
			server_stats_age(out, (long long)(s->now -
			    top[i].stored));
		else
			evbuffer_add_printf(out, "-");
		evbuffer_add_printf(out, "</td></tr>\n");
	}
	if (n == 0)
		evbuffer_add_printf(out, "<tr><td class=\"empty\" "
		    "colspan=\"4\">%s</td></tr>\n", s->cache_on ?
		    "the cache is empty" : "the cache is off (--no-cache)");
	evbuffer_add_printf(out, "</table></div>\n");
}

/* Renders /-/: the dashboard. */
static void
server_stats_dashboard(struct server *srv, const struct server_stats_snap *s,
    struct evbuffer *out)
{
	char		 when[32];

	evbuffer_add_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"%d\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>evproxy: %.0f%% hits</title>\n"
	    "<style>\n%s</style></head>\n<body><main>\n",
	    SERVER_STATS_REFRESH, 100 * stats_hit_ratio(&s->done),
	    server_stats_css);

	evbuffer_add_printf(out, "<header><h1>evproxy %s</h1><span "
	    "class=\"mute\">port %u", EVPROXY_VERSION, srv->port);
	if (s->uptime >= 0) {
		evbuffer_add_printf(out, " &middot; up ");
		server_stats_duration(out, s->uptime);
	}
	evbuffer_add_printf(out, " &middot; %s UTC</span></header>\n",
	    server_stats_time(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
	    s->now));
	if (!s->cache_on)
		evbuffer_add_printf(out, "<div class=\"note\">The cache is off "
		    "(<code>--no-cache</code>): every request is proxied to "
		    "its origin, and the cache figures are zero.</div>\n");
	else if (s->cache.rebuilding) {
		evbuffer_add_printf(out, "<div class=\"note\">Rebuilding the "
		    "cache index: ");
		server_stats_count(out, s->cache.scanned);
		evbuffer_add_printf(out, " files read so far; the hit ratio "
		    "rises as it fills.</div>\n");
	}

	evbuffer_add_printf(out, "<div class=\"cards\">\n");
	server_stats_cards(s, out);
	evbuffer_add_printf(out, "</div>\n");

	evbuffer_add_printf(out, "<div class=\"card wide\"><h2>Requests per "
	    "minute, last hour</h2>\n");
	server_stats_chart(s, out);
	evbuffer_add_printf(out, "<div class=\"legend\">"
	    "<span style=\"--c:var(--hit)\">hits</span>"
	    "<span style=\"--c:var(--miss)\">misses</span>"
	    "<span style=\"--c:var(--err)\">errors</span>"
	    "<span style=\"--c:var(--other)\">other (own pages, tunnels, "
	    "purges)</span></div></div>\n");

	evbuffer_add_printf(out, "<div class=\"tables\">\n");
	server_stats_hosts_table(s, out);
	server_stats_objects_table(srv, s, out);
	evbuffer_add_printf(out, "</div>\n");

	evbuffer_add_printf(out, "<footer>Reloads every %d s. The same "
	    "numbers for programs: <a href=\"/-/stats\">/-/stats</a> (JSON), "
	    "<a href=\"/-/metrics\">/-/metrics</a> (Prometheus). Times are "
	    "UTC; totals count since the start.</footer>\n"
	    "</main></body></html>\n", SERVER_STATS_REFRESH);
}

int
server_stats_page(struct server *srv, const char *path, struct evbuffer *body,
    const char **ctype)
{
	struct server_stats_snap	 s;

	if (strcmp(path, "/-") == 0 || strcmp(path, "/-/") == 0) {
		server_stats_snap(srv, &s);
		server_stats_dashboard(srv, &s, body);
		*ctype = "text/html; charset=utf-8";
		return (200);
	}
	if (strcmp(path, "/-/stats") == 0) {
		server_stats_snap(srv, &s);
		server_stats_json(&s, body);
		*ctype = "application/json";
		return (200);
	}
	if (strcmp(path, "/-/metrics") == 0) {
		server_stats_snap(srv, &s);
		server_stats_metrics(&s, body);
		*ctype = "text/plain; version=0.0.4; charset=utf-8";
		return (200);
	}
	return (404);
}
