/*
 * config.c: the option table and the command-line parser built from it.
 * Every option is one row of config_options[]: its long and short name,
 * its type, where it lands in struct config, its default and its help.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <assert.h>

#include "config.h"

enum config_type {
	CONFIG_T_ADDR,		/* char[CONFIG_ADDR_MAX] */
	CONFIG_T_PATH,		/* char *, strdup()ed */
	CONFIG_T_UINT,		/* unsigned within [min, max] */
	CONFIG_T_MS,		/* seconds on input, unsigned ms stored */
	CONFIG_T_SIZE,		/* uint64_t bytes, k/M/G suffixes */
	CONFIG_T_SIZE32,	/* unsigned bytes, k/M suffixes */
	CONFIG_T_FLAG,		/* int set to 1 */
	CONFIG_T_ALLOW,		/* one more --allow network */
	CONFIG_T_PORTS,		/* --connect-ports list */
	CONFIG_T_CHOICE,	/* int index into the '|'-list in def2 */
	CONFIG_T_VERBOSE,	/* -v: one more level */
	CONFIG_T_QUIET,		/* -q: warnings only */
	CONFIG_T_HELP,
	CONFIG_T_VERSION
};

struct config_option {
	const char	*name;
	int		 short_name;	/* 0 = long only */
	const char	*arg;		/* NULL = takes no argument */
	enum config_type type;
	size_t		 offset;
	const char	*def;		/* default, as text */
	unsigned	 min, max;	/* UINT range; MS minimum in ms */
	const char	*help;
};

#define CFG_OFF(f)	offsetof(struct config, f)

static const struct config_option config_options[] = {
	{ "port", 'p', "PORT", CONFIG_T_UINT, CFG_OFF(server.port),
	    "8888", 0, 65535,
	    "TCP port to listen on (0 picks a free one)" },
	{ "client-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(server.client_timeout_ms), "60", 1, 0,
	    "close a client connection idle or stalled this long" },
	{ "max-body-size", 0, "BYTES", CONFIG_T_SIZE,
	    CFG_OFF(server.max_body_size), "64M", 0, 0,
	    "largest request body accepted (413 beyond)" },
	{ "max-header-size", 0, "BYTES", CONFIG_T_SIZE32,
	    CFG_OFF(server.max_header_size), "64k", 0, 0,
	    "largest request line plus headers (431 beyond)" },
	{ "max-uri-length", 0, "BYTES", CONFIG_T_SIZE32,
	    CFG_OFF(server.max_uri), "8k", 0, 0,
	    "longest request-target accepted (414 beyond)" },
	{ "max-connections", 0, "N", CONFIG_T_UINT,
	    CFG_OFF(server.max_connections), "4096", 1, 1000000,
	    "most client connections open at once (others wait)" },
	{ "header-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(server.header_timeout_ms), "10", 1, 0,
	    "time a client has to send a whole request head (408)" },
	{ "body-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(server.body_timeout_ms), "30", 1, 0,
	    "longest pause inside a request body (408)" },
	{ "allow", 0, "CIDR", CONFIG_T_ALLOW, 0, NULL, 0, 0,
	    "let clients from this network in (repeatable) [loopback]" },
	{ "connect-ports", 0, "LIST", CONFIG_T_PORTS, 0, "443", 0, 0,
	    "ports CONNECT may reach, e.g. 443,8000-8100" },
	{ "tunnel-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(server.tunnel_timeout_ms), "300", 1, 0,
	    "close a CONNECT tunnel idle this long" },
	{ "upstream-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(upstream.timeout_ms), "30", 1, 0,
	    "give up on an origin silent this long (504)" },
	{ "pool-size", 0, "N", CONFIG_T_UINT, CFG_OFF(upstream.pool_size),
	    "16", 1, 4096,
	    "most connections open to one origin" },
	{ "pool-idle-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(upstream.pool_idle_ms), "60", 0, 0,
	    "close an idle origin connection after this long" },
	{ "dns-server", 0, "ADDR[:PORT]", CONFIG_T_ADDR,
	    CFG_OFF(upstream.dns_server), "", 0, 0,
	    "ask this DNS server instead of those in resolv.conf" },
	{ "resolv-conf", 0, "FILE", CONFIG_T_PATH,
	    CFG_OFF(upstream.resolv_conf), NULL, 0, 0,
	    "read DNS servers from FILE (default /etc/resolv.conf)" },
	{ "dns-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(upstream.dns_timeout_ms), "5", 1, 0,
	    "wait this long for each DNS attempt (2 attempts)" },
	{ "cache-dir", 0, "DIR", CONFIG_T_PATH, CFG_OFF(cache.dir),
	    "cache", 0, 0,
	    "keep cached objects in DIR (created if missing)" },
	{ "no-cache", 0, NULL, CONFIG_T_FLAG, CFG_OFF(cache.disabled),
	    NULL, 0, 0, "do not cache: forward every request" },
	{ "cache-size", 0, "BYTES", CONFIG_T_SIZE, CFG_OFF(cache.size),
	    "1G", 0, 0,
	    "disk space the cache may use (least recently used go first)" },
	{ "max-object-size", 0, "BYTES", CONFIG_T_SIZE,
	    CFG_OFF(cache.max_object), "512M", 0, 0,
	    "largest response body stored (larger ones are only proxied)" },
	{ "access-log", 0, "FILE", CONFIG_T_PATH, CFG_OFF(ops.access_log),
	    NULL, 0, 0,
	    "write one line per request to FILE (- for stdout)" },
	{ "log-format", 0, "FMT", CONFIG_T_CHOICE, CFG_OFF(ops.log_format),
	    "squid", 0, 0,
	    "access log format: squid, combined or json" },
	{ "error-log", 0, "FILE", CONFIG_T_PATH, CFG_OFF(ops.error_log),
	    NULL, 0, 0,
	    "write the error log to FILE instead of stderr" },
	{ "shutdown-timeout", 0, "SECS", CONFIG_T_MS,
	    CFG_OFF(ops.shutdown_timeout_ms), "10", 0, 0,
	    "on SIGTERM, let requests finish this long" },
	{ "config", 'c', "FILE", CONFIG_T_PATH, CFG_OFF(ops.config_file),
	    NULL, 0, 0,
	    "read options from FILE (the command line wins)" },
	{ "check-config", 0, NULL, CONFIG_T_FLAG, CFG_OFF(ops.check_only),
	    NULL, 0, 0, "check the options and the config file, then exit" },
	{ "daemon", 'd', NULL, CONFIG_T_FLAG, CFG_OFF(ops.daemon),
	    NULL, 0, 0, "detach and run in the background" },
	{ "pid-file", 0, "FILE", CONFIG_T_PATH, CFG_OFF(ops.pid_file),
	    NULL, 0, 0, "write the process ID to FILE" },
	{ "verbose", 'v', NULL, CONFIG_T_VERBOSE, CFG_OFF(verbosity),
	    NULL, 0, 0, "log debug lines too" },
	{ "quiet", 'q', NULL, CONFIG_T_QUIET, CFG_OFF(verbosity),
	    NULL, 0, 0, "log warnings and errors only" },
	{ "help", 'h', NULL, CONFIG_T_HELP, 0, NULL, 0, 0,
	    "print this help and exit" },
	{ "version", 'V', NULL, CONFIG_T_VERSION, 0, NULL, 0, 0,
	    "print the version and exit" },
};
#define CONFIG_NOPTIONS	(sizeof(config_options) / sizeof(config_options[0]))

int
config_parse_addr(const char *s, char *out, size_t outlen)
{
	char		 buf[INET6_ADDRSTRLEN + 2];
	unsigned char	 a[sizeof(struct in6_addr)];
	size_t		 len = strlen(s);

	if (len >= sizeof(buf) || len >= outlen)
		return (-1);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		memcpy(buf, s + 1, len - 2);
		buf[len - 2] = '\0';
	} else
		memcpy(buf, s, len + 1);
	if (inet_pton(AF_INET, buf, a) != 1 && inet_pton(AF_INET6, buf, a) != 1)
		return (-1);
	snprintf(out, outlen, "%s", buf);
	return (0);
}

int
config_parse_cidr(const char *s, struct config_cidr *c)
{
	char		 buf[INET6_ADDRSTRLEN + 8];
	const char	*slash;
	unsigned	 bits, max;
	size_t		 len;

	memset(c, 0, sizeof(*c));
	if ((slash = strchr(s, '/')) != NULL)
		len = (size_t)(slash - s);
	else
		len = strlen(s);
	if (len == 0 || len >= sizeof(buf))
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else
		return (-1);
	bits = max;
	if (slash != NULL && config_parse_uint(slash + 1, 0, max, &bits) == -1)
		return (-1);
	c->bits = bits;
	return (0);
}

int
config_cidr_match(const struct config_cidr *c, int family,
    const unsigned char *addr)
{
	unsigned	 full = c->bits / 8, rest = c->bits % 8;
	unsigned char	 mask;

	if (family != c->family)
		return (0);
	if (memcmp(c->addr, addr, full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	mask = (unsigned char)(0xff << (8 - rest));
	return ((c->addr[full] & mask) == (addr[full] & mask));
}

int
config_parse_ports(const char *s, struct config_ports *r, unsigned max)
{
	char		 buf[512], *tok, *save = NULL, *dash;
	unsigned	 n = 0, lo, hi;

	if (strlen(s) >= sizeof(buf))
		return (-1);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (n == max)
			return (-1);
		if ((dash = strchr(tok, '-')) != NULL)
			*dash++ = '\0';
		if (config_parse_uint(tok, 1, 65535, &lo) == -1)
			return (-1);
		hi = lo;
		if (dash != NULL &&
		    config_parse_uint(dash, lo, 65535, &hi) == -1)
			return (-1);
		r[n].lo = (uint16_t)lo;
		r[n].hi = (uint16_t)hi;
		n++;
	}
	return (n == 0 ? -1 : (int)n);
}

int
config_parse_uint(const char *s, unsigned min, unsigned max, unsigned *v)
{
	char		*end;
	unsigned long	 n;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return (-1);
	*v = (unsigned)n;
	return (0);
}

int
config_parse_ms(const char *s, unsigned *ms)
{
	char	*end;
	double	 d;

	if (s == NULL || !(isdigit((unsigned char)*s) || *s == '.'))
		return (-1);
	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s)
		return (-1);
	if (strcmp(end, "ms") == 0)
		d /= 1000.0;
	else if (strcmp(end, "s") != 0 && *end != '\0')
		return (-1);
	/* A day is more than any timeout needs; it keeps ms in range. */
	if (d < 0 || d > 86400.0)
		return (-1);
	*ms = (unsigned)(d * 1000.0 + 0.5);
	return (0);
}

int
config_parse_size(const char *s, uint64_t *bytes)
{
	char			*end;
	unsigned long long	 n;
	unsigned		 shift = 0;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return (-1);
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	default:
		return (-1);
	}
	if (*end != '\0' && end[1] != '\0' &&
	    !(end[1] == 'i' && end[2] == 'B' && end[3] == '\0') &&
	    !(end[1] == 'B' && end[2] == '\0'))
		return (-1);
	if (shift > 0 && n > (UINT64_MAX >> shift))
		return (-1);
	*bytes = (uint64_t)n << shift;
	return (0);
}

/* Set while argv is parsed after a config file: see config_parse_argv. */
static int	config_allow_replace;

/* Stores one option's value into cfg; -1 with err filled if bad. */
static int
config_set(struct config *cfg, const struct config_option *o,
    const char *val, char *err, size_t errlen)
{
	char		*p = (char *)cfg + o->offset;
	uint64_t	 size;

	switch (o->type) {
	case CONFIG_T_ADDR:
		if (strlen(val) >= CONFIG_ADDR_MAX) {
			snprintf(err, errlen, "--%s: address too long",
			    o->name);
			return (-1);
		}
		strcpy(p, val);
		return (0);
	case CONFIG_T_PATH:
		free(*(char **)p);
		*(char **)p = NULL;
		if (val != NULL && (*(char **)p = strdup(val)) == NULL) {
			snprintf(err, errlen, "--%s: out of memory", o->name);
			return (-1);
		}
		return (0);
	case CONFIG_T_UINT:
		if (config_parse_uint(val, o->min, o->max,
		    (unsigned *)p) == -1) {
			snprintf(err, errlen, "--%s: '%s' is not a number "
			    "from %u to %u", o->name, val, o->min, o->max);
			return (-1);
		}
		return (0);
	case CONFIG_T_MS: {
		unsigned ms;

		if (config_parse_ms(val, &ms) == -1) {
			snprintf(err, errlen, "--%s: '%s' is not a number of "
			    "seconds (e.g. 30, 1.5, 250ms)", o->name, val);
			return (-1);
		}
		/* min is in ms: 1 for timeouts that must not be 0 */
		if (ms < o->min) {
			snprintf(err, errlen, "--%s: must be at least %ums",
			    o->name, o->min);
			return (-1);
		}
		*(unsigned *)p = ms;
		return (0);
	}
	case CONFIG_T_SIZE:
	case CONFIG_T_SIZE32:
		if (config_parse_size(val, &size) == -1 ||
		    (o->type == CONFIG_T_SIZE32 && size > UINT_MAX)) {
			snprintf(err, errlen, "--%s: '%s' is not a size "
			    "(e.g. 65536, 64k, 512M, 1G)", o->name, val);
			return (-1);
		}
		if (o->type == CONFIG_T_SIZE)
			*(uint64_t *)p = size;
		else
			*(unsigned *)p = (unsigned)size;
		return (0);
	case CONFIG_T_FLAG:
		*(int *)p = 1;
		return (0);
	case CONFIG_T_ALLOW:
		if (config_allow_replace) {
			/* the command line's first --allow replaces the file's */
			cfg->server.nallow = 0;
			config_allow_replace = 0;
		}
		if (cfg->server.nallow == CONFIG_ALLOW_MAX) {
			snprintf(err, errlen, "--%s: more than %d networks",
			    o->name, CONFIG_ALLOW_MAX);
			return (-1);
		}
		if (config_parse_cidr(val,
		    &cfg->server.allow[cfg->server.nallow]) == -1) {
			snprintf(err, errlen, "--%s: '%s' is not an address or "
			    "network (e.g. 10.0.0.0/8, ::1)", o->name, val);
			return (-1);
		}
		cfg->server.nallow++;
		return (0);
	case CONFIG_T_CHOICE: {
		static const char *const formats[] = {
			"squid", "combined", "json", NULL
		};
		int i;

		/* one choice list so far: --log-format */
		for (i = 0; formats[i] != NULL; i++)
			if (strcmp(val, formats[i]) == 0) {
				*(int *)p = i;
				return (0);
			}
		snprintf(err, errlen, "--%s: '%s' is not one of squid, "
		    "combined, json", o->name, val);
		return (-1);
	}
	case CONFIG_T_PORTS: {
		int n;

		if ((n = config_parse_ports(val, cfg->server.connect_ports,
		    CONFIG_PORTS_MAX)) == -1) {
			snprintf(err, errlen, "--%s: '%s' is not a list of "
			    "ports (e.g. 443,8000-8100)", o->name, val);
			return (-1);
		}
		cfg->server.nconnect_ports = (unsigned)n;
		return (0);
	}
	case CONFIG_T_VERBOSE:
		(*(int *)p)++;
		return (0);
	case CONFIG_T_QUIET:
		*(int *)p = -1;	/* LOG_LEVEL_QUIET */
		return (0);
	case CONFIG_T_HELP:
	case CONFIG_T_VERSION:
		break;
	}
	return (0);
}

void
config_defaults(struct config *cfg)
{
	size_t	 i;
	char	 err[128];

	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->server.addr, sizeof(cfg->server.addr), "127.0.0.1");
	for (i = 0; i < CONFIG_NOPTIONS; i++) {
		if (config_options[i].def == NULL)
			continue;
		/* A default that does not parse is a programmer error. */
		if (config_set(cfg, &config_options[i], config_options[i].def,
		    err, sizeof(err)) == -1)
			assert(!"bad default in config_options[]");
	}
}

void
config_clear(struct config *cfg)
{
	free(cfg->ops.access_log);
	free(cfg->ops.error_log);
	free(cfg->ops.config_file);
	free(cfg->ops.pid_file);
	cfg->ops.access_log = cfg->ops.error_log = NULL;
	cfg->ops.config_file = cfg->ops.pid_file = NULL;
	free(cfg->upstream.resolv_conf);
	cfg->upstream.resolv_conf = NULL;
	free(cfg->cache.dir);
	cfg->cache.dir = NULL;
}

void
config_usage(FILE *out)
{
	size_t	 i;
	char	 left[64];

	fprintf(out, "usage: evproxy [options] [ADDRESS]\n"
	    "A caching HTTP proxy.  Listens on ADDRESS (default 127.0.0.1)"
	    " and serves\nabsolute-form proxy requests and path-form "
	    "requests (/example.com/page).\n\noptions:\n");
	for (i = 0; i < CONFIG_NOPTIONS; i++) {
		const struct config_option *o = &config_options[i];

		if (o->short_name != 0)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    o->short_name, o->name, o->arg ? " " : "",
			    o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(out, "  %-30s %s", left, o->help);
		if (o->def != NULL && *o->def != '\0')
			fprintf(out, " [%s]", o->def);
		fputc('\n', out);
	}
}

/* One pass over argv into cfg. */
static enum config_result
config_parse_argv_once(struct config *cfg, int argc, char **argv, FILE *out,
    char *err, size_t errlen)
{
	struct option	 longopts[CONFIG_NOPTIONS + 1];
	char		 shortopts[CONFIG_NOPTIONS * 2 + 2];
	size_t		 i, n = 0;
	int		 ch, idx;

	memset(longopts, 0, sizeof(longopts));
	shortopts[n++] = ':';
	for (i = 0; i < CONFIG_NOPTIONS; i++) {
		const struct config_option *o = &config_options[i];

		longopts[i].name = o->name;
		longopts[i].has_arg = o->arg ? required_argument : no_argument;
		longopts[i].val = 0;
		if (o->short_name != 0) {
			shortopts[n++] = (char)o->short_name;
			if (o->arg)
				shortopts[n++] = ':';
		}
	}
	shortopts[n] = '\0';

	/*
	 * 0, not 1: glibc then also drops the state of an earlier scan (a
	 * half-read "-xv" cluster), so each call parses only its own argv.
	 */
	optind = 0;
	opterr = 0;
	for (;;) {
		const struct config_option *o = NULL;

		idx = -1;
		ch = getopt_long(argc, argv, shortopts, longopts, &idx);
		if (ch == -1)
			break;
		if (ch == '?' || ch == ':') {
			if (ch == ':')
				snprintf(err, errlen, "%s: needs an argument "
				    "(see --help)", argv[optind - 1]);
			else if (optopt != 0)
				snprintf(err, errlen, "unknown option -%c "
				    "(see --help)", optopt);
			else
				snprintf(err, errlen, "unknown option %s "
				    "(see --help)", argv[optind - 1]);
			return (CONFIG_ERROR);
		}
		if (ch == 0 && idx >= 0)
			o = &config_options[idx];
		else {
			for (i = 0; i < CONFIG_NOPTIONS; i++)
				if (config_options[i].short_name == ch)
					o = &config_options[i];
		}
		if (o == NULL) {
			snprintf(err, errlen, "unknown option (see --help)");
			return (CONFIG_ERROR);
		}
		if (o->type == CONFIG_T_HELP) {
			config_usage(out);
			return (CONFIG_EXIT);
		}
		if (o->type == CONFIG_T_VERSION) {
			fprintf(out, "evproxy %s\n", EVPROXY_VERSION);
			return (CONFIG_EXIT);
		}
		if (config_set(cfg, o, optarg, err, errlen) == -1)
			return (CONFIG_ERROR);
	}
	if (argc - optind > 1) {
		snprintf(err, errlen, "too many arguments: '%s' (see --help)",
		    argv[optind + 1]);
		return (CONFIG_ERROR);
	}
	if (argc - optind == 1) {
		if (config_parse_addr(argv[optind], cfg->server.addr,
		    sizeof(cfg->server.addr)) == -1) {
			snprintf(err, errlen, "'%s' is not an IPv4 or IPv6 "
			    "address (give the port with -p)", argv[optind]);
			return (CONFIG_ERROR);
		}
	}
	return (CONFIG_OK);
}

enum config_result
config_parse_argv(struct config *cfg, int argc, char **argv, FILE *out,
    char *err, size_t errlen)
{
	enum config_result	 r;
	char			*file;

	if ((r = config_parse_argv_once(cfg, argc, argv, out, err,
	    errlen)) != CONFIG_OK || cfg->ops.config_file == NULL)
		return (r);
	/* the file first, then the command line again: it wins */
	if ((file = strdup(cfg->ops.config_file)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (CONFIG_ERROR);
	}
	config_clear(cfg);
	config_defaults(cfg);
	r = config_parse_file(cfg, file, err, errlen);
	free(file);
	if (r != CONFIG_OK)
		return (r);
	/* getopt knows abbreviations (--al): let it find the --allow */
	config_allow_replace = 1;
	r = config_parse_argv_once(cfg, argc, argv, out, err, errlen);
	config_allow_replace = 0;
	return (r);
}

/* Trims spaces and tabs at both ends of s, in place. */
static char *
config_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return (s);
}

/* Applies one "key value" line of a config file. */
static int
config_file_line(struct config *cfg, char *line, char *err, size_t errlen)
{
	const struct config_option	*o = NULL;
	char				*key, *val;
	size_t				 i, n;

	key = config_trim(line);
	n = strcspn(key, " \t=");
	val = key + n;
	if (*val != '\0') {
		*val++ = '\0';
		val = config_trim(val);
		if (*val == '=')
			val = config_trim(val + 1);
	}
	n = strlen(val);
	if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
		val[n - 1] = '\0';
		val++;
	}
	if (strcmp(key, "address") == 0) {
		if (config_parse_addr(val, cfg->server.addr,
		    sizeof(cfg->server.addr)) == -1) {
			snprintf(err, errlen, "address: '%s' is not an IPv4 or "
			    "IPv6 address", val);
			return (-1);
		}
		return (0);
	}
	for (i = 0; i < CONFIG_NOPTIONS; i++)
		if (strcmp(config_options[i].name, key) == 0)
			o = &config_options[i];
	if (o == NULL) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return (-1);
	}
	switch (o->type) {
	case CONFIG_T_HELP:
	case CONFIG_T_VERSION:
		snprintf(err, errlen, "'%s' cannot be set in a file", key);
		return (-1);
	default:
		break;
	}
	if (strcmp(key, "config") == 0 || strcmp(key, "check-config") == 0) {
		snprintf(err, errlen, "'%s' cannot be set in a file", key);
		return (-1);
	}
	if (o->arg == NULL) {
		/* a flag: bare, or yes/no */
		if (*val == '\0' || strcmp(val, "yes") == 0 ||
		    strcmp(val, "true") == 0 || strcmp(val, "on") == 0)
			return (config_set(cfg, o, NULL, err, errlen));
		if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0 ||
		    strcmp(val, "off") == 0) {
			if (o->type == CONFIG_T_FLAG)
				*(int *)((char *)cfg + o->offset) = 0;
			return (0);
		}
		snprintf(err, errlen, "%s: '%s' is not yes or no", key, val);
		return (-1);
	}
	if (*val == '\0') {
		snprintf(err, errlen, "%s: needs a value", key);
		return (-1);
	}
	return (config_set(cfg, o, val, err, errlen));
}

enum config_result
config_parse_file(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	FILE		*fp;
	char		 line[1024], why[256];
	unsigned	 lineno = 0;
	char		*p;

	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (CONFIG_ERROR);
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			snprintf(err, errlen, "%s:%u: line too long", path,
			    lineno);
			fclose(fp);
			return (CONFIG_ERROR);
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		p = config_trim(line);
		if (*p == '\0')
			continue;
		if (config_file_line(cfg, p, why, sizeof(why)) == -1) {
			/* "--name: reason" reads better as "name: reason" */
			snprintf(err, errlen, "%s:%u: %s", path, lineno,
			    why[0] == '-' && why[1] == '-' ? why + 2 : why);
			fclose(fp);
			return (CONFIG_ERROR);
		}
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(fp);
		return (CONFIG_ERROR);
	}
	fclose(fp);
	return (CONFIG_OK);
}
