/*
 * config.h: evproxy's options.  One table (config.c) names every option,
 * its type, default and help text; it drives the command line, --help and
 * the documentation.  The result is a plain struct config that the other
 * modules read through their own sub-struct and never change.
 */
#ifndef EVPROXY_CONFIG_H
#define EVPROXY_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EVPROXY_VERSION		"0.1.0"
#define CONFIG_ADDR_MAX		64
#define CONFIG_ALLOW_MAX	64	/* --allow networks */
#define CONFIG_PORTS_MAX	32	/* --connect-ports ranges */

/* An IPv4 or IPv6 network, for --allow. */
struct config_cidr {
	int		 family;		/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];		/* network byte order */
	unsigned	 bits;			/* prefix length */
};

/* A range of TCP ports, for --connect-ports. */
struct config_ports {
	uint16_t	 lo, hi;
};

/* The front end: where we listen and what we allow clients to do. */
struct config_server {
	char		 addr[CONFIG_ADDR_MAX];	/* listen address */
	unsigned	 port;			/* 0 = any free port */
	unsigned	 client_timeout_ms;	/* idle/read/write */
	uint64_t	 max_body_size;		/* request body cap */
	unsigned	 max_header_size;	/* request line + headers */
	unsigned	 max_uri;		/* request-target length */
	unsigned	 max_connections;	/* open client connections */
	unsigned	 header_timeout_ms;	/* whole request head */
	unsigned	 body_timeout_ms;	/* pause inside a body */
	unsigned	 tunnel_timeout_ms;	/* idle CONNECT tunnel */
	/* clients allowed in; none given = loopback only */
	struct config_cidr allow[CONFIG_ALLOW_MAX];
	unsigned	 nallow;
	/* CONNECT target ports */
	struct config_ports connect_ports[CONFIG_PORTS_MAX];
	unsigned	 nconnect_ports;
};

/* The origin side: DNS, connection pool and timeouts. */
struct config_upstream {
	unsigned	 timeout_ms;		/* connect and read */
	unsigned	 pool_size;		/* connections per origin */
	unsigned	 pool_idle_ms;		/* idle connection lifetime */
	char		 dns_server[CONFIG_ADDR_MAX]; /* "" = resolv.conf */
	char		*resolv_conf;		/* NULL = /etc/resolv.conf */
	unsigned	 dns_timeout_ms;	/* per DNS attempt */
};

/* The on-disk cache. */
struct config_cache {
	char		*dir;			/* NULL = "cache" */
	int		 disabled;		/* --no-cache */
	uint64_t	 size;			/* disk budget, bytes */
	uint64_t	 max_object;		/* largest body stored */
};

/* Running it: logs, signals, the process. */
struct config_ops {
	char		*access_log;		/* NULL: none; "-": stdout */
	int		 log_format;		/* 0 squid, 1 combined, 2 json */
	char		*error_log;		/* NULL: stderr */
	unsigned	 shutdown_timeout_ms;	/* draining on SIGTERM */
	char		*config_file;		/* --config, or NULL */
	int		 check_only;		/* --check-config */
	int		 daemon;		/* --daemon */
	char		*pid_file;		/* NULL: none */
};

struct config {
	struct config_server	 server;
	struct config_upstream	 upstream;
	struct config_cache	 cache;
	struct config_ops	 ops;
	int			 verbosity;	/* enum log_level */
};

enum config_result {
	CONFIG_OK,		/* run */
	CONFIG_ERROR,		/* err holds a one-line message */
	CONFIG_EXIT		/* --help or --version printed; exit 0 */
};

/* Fills cfg with the defaults of the option table. */
void	config_defaults(struct config *cfg);
/*
 * Parses argv into cfg (which config_defaults() filled).  On CONFIG_ERROR
 * err holds "option: reason".  --help and --version print to out.
 */
enum config_result
	config_parse_argv(struct config *cfg, int argc, char **argv,
	    FILE *out, char *err, size_t errlen);
/*
 * Reads a configuration file into cfg: one "key value" (or "key = value")
 * per line, keys the long option names, "#" comments, flags as a bare key
 * or "key yes|no".  On CONFIG_ERROR err holds "FILE:LINE: reason".
 */
enum config_result
	config_parse_file(struct config *cfg, const char *path, char *err,
	    size_t errlen);
/* Frees what config_parse_argv allocated inside cfg. */
void	config_clear(struct config *cfg);
/* Prints the --help text. */
void	config_usage(FILE *out);

/* "30", "1.5" or "250ms" to milliseconds; -1 if malformed or too big. */
int	config_parse_ms(const char *s, unsigned *ms);
/* "1024", "64k", "512M", "1G" (powers of 1024) to bytes; -1 if bad. */
int	config_parse_size(const char *s, uint64_t *bytes);
/* An IPv4 or IPv6 address ("::1" or "[::1]", no port) into out, bare. */
int	config_parse_addr(const char *s, char *out, size_t outlen);
/* "10.0.0.0/8", "::1" or "fe80::/10" into c; -1 if malformed. */
int	config_parse_cidr(const char *s, struct config_cidr *c);
/* True if the address (family, bytes in network order) is inside c. */
int	config_cidr_match(const struct config_cidr *c, int family,
	    const unsigned char *addr);
/* "443" or "443,8000-8100" into at most max ranges; count or -1. */
int	config_parse_ports(const char *s, struct config_ports *r,
	    unsigned max);
/* A decimal in [min, max]; -1 if malformed or out of range. */
int	config_parse_uint(const char *s, unsigned min, unsigned max,
	    unsigned *v);

#endif
