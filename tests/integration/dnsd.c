/*
 * dnsd.c: the integration suite's DNS server.  A single-threaded libevent
 * 2.1 program that answers UDP queries on a loopback address with the
 * evdns server API, so that evproxy's resolver can be tested without
 * touching the real DNS.
 *
 * Usage: dnsd [-a ADDR] [-p PORT]
 *
 * ADDR must be in 127.0.0.0/8 or be ::1 (default 127.0.0.1); PORT 0 (the
 * default) means ephemeral.  Once bound it prints "PORT <n>" on stdout and
 * serves until SIGINT or SIGTERM, then frees everything and exits 0.
 *
 * Names are matched case-insensitively, a trailing dot is ignored:
 *
 *   nx.test, *.nx.test      NXDOMAIN
 *   servfail.test           SERVFAIL
 *   timeout.test            no reply at all
 *   v6.test                 AAAA ::1; other types NOERROR, no answers
 *   ip-A-B-C-D.test         A A.B.C.D if that is in 127.0.0.0/8, else
 *                           NXDOMAIN; other types NOERROR, no answers
 *   any other *.test        A 127.0.0.1; other types NOERROR, no answers
 *   anything else           NXDOMAIN
 *
 * Answers carry TTL 60 and the AA bit.  Each query is answered on its own
 * and at once, so the A and AAAA queries a resolver sends side by side for
 * one name are independent.  One line per question goes to stderr:
 * "dnsd: TYPE name -> result".
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/event.h>
#include <event2/util.h>

#define DNSD_TTL	60
#define DNSD_NAME_MAX	256		/* a DNS name is at most 255 octets */
#define DNSD_CLASS_ANY	255
#define DNSD_RCODE_OK		0
#define DNSD_RCODE_SERVFAIL	2
#define DNSD_RCODE_NXDOMAIN	3

/* What the rules say about one name. */
enum dnsd_verdict {
	DNSD_NXDOMAIN,		/* the name does not exist */
	DNSD_SERVFAIL,		/* the server "fails" */
	DNSD_DROP,		/* no reply at all */
	DNSD_HOST_A,		/* has an A record (addr) only */
	DNSD_HOST_AAAA		/* has an AAAA record (::1) only */
};

/* Everything the server owns. */
struct dnsd_server {
	struct event_base		*base;
	struct evdns_server_port	*port;
	struct event			*sigint_ev;
	struct event			*sigterm_ev;
};

/* Prints the usage line and exits with status 2. */
static void
dnsd_usage(void)
{
	fprintf(stderr, "usage: dnsd [-a ADDR] [-p PORT]\n");
	exit(2);
}

/* Fills ss with ADDR:port if ADDR is a loopback literal; -1 otherwise. */
static int
dnsd_loopback_sockaddr(const char *addr, int port,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (evutil_inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (evutil_inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* Returns the local port a socket is bound to, or -1. */
static int
dnsd_bound_port(evutil_socket_t fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

/* Copies name lower-cased and without a trailing dot; -1 if too long. */
static int
dnsd_normalize(const char *name, char *out, size_t size)
{
	size_t	 len = strlen(name), i;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len >= size)
		return -1;
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[len] = '\0';
	return 0;
}

/* True if name is suffix itself or ends in "." suffix. */
static int
dnsd_is_or_under(const char *name, const char *suffix)
{
	size_t	 n = strlen(name), s = strlen(suffix);

	if (n == s)
		return strcmp(name, suffix) == 0;
	return n > s && name[n - s - 1] == '.' &&
	    strcmp(name + n - s, suffix) == 0;
}

/* True if name ends in ".test" with at least one label before it. */
static int
dnsd_under_test(const char *name)
{
	size_t	 n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".test") == 0;
}

/*
 * Parses "ip-A-B-C-D.test" into a network-order IPv4 address.  Returns 1
 * if the name has that shape (addr is set when the octets are all valid,
 * else left 0), 0 if it does not.
 */
static int
dnsd_parse_ip_name(const char *name, uint32_t *addr)
{
	const char	*p = name + 3;
	unsigned	 octet[4];
	int		 i, digits;

	*addr = 0;
	if (strncmp(name, "ip-", 3) != 0)
		return 0;
	for (i = 0; i < 4; i++) {
		octet[i] = 0;
		for (digits = 0; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 4)
				octet[i] = octet[i] * 10 + (unsigned)(*p - '0');
		if (digits == 0)
			return 0;
		if (digits > 3)
			octet[i] = 256;
		if (*p != (i < 3 ? '-' : '.'))
			return 0;
		p++;
	}
	if (strcmp(p, "test") != 0)
		return 0;
	for (i = 0; i < 4; i++)
		if (octet[i] > 255)
			return 1;
	*addr = htonl((uint32_t)octet[0] << 24 | (uint32_t)octet[1] << 16 |
	    (uint32_t)octet[2] << 8 | (uint32_t)octet[3]);
	return 1;
}

/* Applies the rules to a normalized name; sets *addr for DNSD_HOST_A. */
static enum dnsd_verdict
dnsd_classify(const char *name, uint32_t *addr)
{
	uint32_t	 ip;

	*addr = htonl(INADDR_LOOPBACK);
	if (dnsd_is_or_under(name, "nx.test"))
		return DNSD_NXDOMAIN;
	if (strcmp(name, "servfail.test") == 0)
		return DNSD_SERVFAIL;
	if (strcmp(name, "timeout.test") == 0)
		return DNSD_DROP;
	if (strcmp(name, "v6.test") == 0)
		return DNSD_HOST_AAAA;
	if (dnsd_parse_ip_name(name, &ip)) {
		if ((ntohl(ip) >> 24) != 127)
			return DNSD_NXDOMAIN;
		*addr = ip;
		return DNSD_HOST_A;
	}
	if (dnsd_under_test(name))
		return DNSD_HOST_A;
	return DNSD_NXDOMAIN;
}

/* Returns the mnemonic of a query type, using buf for unknown ones. */
static const char *
dnsd_type_name(int type, char *buf, size_t size)
{
	switch (type) {
	case EVDNS_TYPE_A:
		return "A";
	case EVDNS_TYPE_NS:
		return "NS";
	case EVDNS_TYPE_CNAME:
		return "CNAME";
	case EVDNS_TYPE_SOA:
		return "SOA";
	case EVDNS_TYPE_PTR:
		return "PTR";
	case EVDNS_TYPE_MX:
		return "MX";
	case EVDNS_TYPE_TXT:
		return "TXT";
	case EVDNS_TYPE_AAAA:
		return "AAAA";
	case EVDNS_QTYPE_ALL:
		return "ANY";
	}
	snprintf(buf, size, "TYPE%d", type);
	return buf;
}

/*
 * Answers one question: adds its records to req and returns the rcode it
 * calls for, or -1 if the request must be dropped.  result describes the
 * outcome for the log.
 */
static int
dnsd_answer(struct evdns_server_request *req, struct evdns_server_question *q,
    char *result, size_t size)
{
	char			 name[DNSD_NAME_MAX];
	uint32_t		 addr;
	enum dnsd_verdict	 v;
	int			 in, any;

	if (dnsd_normalize(q->name, name, sizeof(name)) < 0) {
		snprintf(result, size, "NXDOMAIN");
		return DNSD_RCODE_NXDOMAIN;
	}
	v = dnsd_classify(name, &addr);
	in = q->dns_question_class == EVDNS_CLASS_INET ||
	    q->dns_question_class == DNSD_CLASS_ANY;
	any = q->type == EVDNS_QTYPE_ALL;
	switch (v) {
	case DNSD_NXDOMAIN:
		snprintf(result, size, "NXDOMAIN");
		return DNSD_RCODE_NXDOMAIN;
	case DNSD_SERVFAIL:
		snprintf(result, size, "SERVFAIL");
		return DNSD_RCODE_SERVFAIL;
	case DNSD_DROP:
		snprintf(result, size, "(dropped)");
		return -1;
	case DNSD_HOST_A:
		if (in && (q->type == EVDNS_TYPE_A || any)) {
			/* Answer under the name as asked: 0x20 case intact. */
			if (evdns_server_request_add_a_reply(req, q->name, 1,
			    &addr, DNSD_TTL) < 0) {
				snprintf(result, size, "SERVFAIL (no memory)");
				return DNSD_RCODE_SERVFAIL;
			}
			evutil_inet_ntop(AF_INET, &addr, result, size);
			return DNSD_RCODE_OK;
		}
		break;
	case DNSD_HOST_AAAA:
		if (in && (q->type == EVDNS_TYPE_AAAA || any)) {
			if (evdns_server_request_add_aaaa_reply(req, q->name, 1,
			    &in6addr_loopback, DNSD_TTL) < 0) {
				snprintf(result, size, "SERVFAIL (no memory)");
				return DNSD_RCODE_SERVFAIL;
			}
			snprintf(result, size, "::1");
			return DNSD_RCODE_OK;
		}
		break;
	}
	snprintf(result, size, "NOERROR (no answers)");
	return DNSD_RCODE_OK;
}

/* evdns calls this for every well-formed query datagram. */
static void
dnsd_request_cb(struct evdns_server_request *req, void *arg)
{
	struct evdns_server_question	*q;
	char				 result[64], tbuf[16];
	int				 i, r, rcode = DNSD_RCODE_OK, drop = 0;

	(void)arg;
	for (i = 0; i < req->nquestions; i++) {
		q = req->questions[i];
		r = dnsd_answer(req, q, result, sizeof(result));
		fprintf(stderr, "dnsd: %s %s -> %s\n",
		    dnsd_type_name(q->type, tbuf, sizeof(tbuf)), q->name,
		    result);
		if (r < 0)
			drop = 1;
		else if (r == DNSD_RCODE_SERVFAIL ||
		    (r == DNSD_RCODE_NXDOMAIN && rcode == DNSD_RCODE_OK))
			rcode = r;
	}
	if (drop) {
		evdns_server_request_drop(req);
		return;
	}
	evdns_server_request_set_flags(req,
	    EVDNS_FLAGS_AA | (req->flags & EVDNS_FLAGS_RD));
	/*
	 * 0: sent and freed; 1: queued by evdns, which frees it later.
	 * -1: not sent (no memory, or a full socket buffer, which 2.1
	 * reports this way) and still ours, so free it.
	 */
	if (evdns_server_request_respond(req, rcode) < 0) {
		fprintf(stderr, "dnsd: reply not sent: %s\n", strerror(errno));
		evdns_server_request_drop(req);
	}
}

/* SIGINT/SIGTERM: leave the event loop. */
static void
dnsd_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct dnsd_server	*srv = arg;

	(void)sig;
	(void)what;
	event_base_loopbreak(srv->base);
}

/* Creates a non-blocking UDP socket bound to addr:port; -1 on failure. */
static evutil_socket_t
dnsd_bind(const char *addr, int port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	evutil_socket_t		 fd;
	int			 rcvbuf = 1 << 20;

	if (dnsd_loopback_sockaddr(addr, port, &ss, &len) < 0) {
		fprintf(stderr, "dnsd: %s is not a loopback address\n", addr);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_DGRAM, 0)) < 0) {
		fprintf(stderr, "dnsd: socket: %s\n", strerror(errno));
		return -1;
	}
	/* Best effort: absorb bursts of queries from parallel tests. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (evutil_make_socket_nonblocking(fd) < 0 ||
	    evutil_make_socket_closeonexec(fd) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0) {
		fprintf(stderr, "dnsd: cannot bind %s port %d: %s\n", addr,
		    port, strerror(errno));
		evutil_closesocket(fd);
		return -1;
	}
	return fd;
}

/* Frees everything the server still holds. */
static void
dnsd_cleanup(struct dnsd_server *srv)
{
	/* Closes the socket too. */
	if (srv->port != NULL)
		evdns_close_server_port(srv->port);
	if (srv->sigint_ev != NULL)
		event_free(srv->sigint_ev);
	if (srv->sigterm_ev != NULL)
		event_free(srv->sigterm_ev);
	if (srv->base != NULL)
		event_base_free(srv->base);
	libevent_global_shutdown();
}

int
main(int argc, char **argv)
{
	static struct dnsd_server	 srv;
	const char			*addr = "127.0.0.1";
	evutil_socket_t			 fd;
	char				*end;
	long				 port = 0;
	int				 ch, rc = 1;

	while ((ch = getopt(argc, argv, "a:p:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' ||
			    port < 0 || port > 65535)
				dnsd_usage();
			break;
		default:
			dnsd_usage();
		}
	}
	if (optind != argc)
		dnsd_usage();

	if ((srv.base = event_base_new()) == NULL) {
		fprintf(stderr, "dnsd: cannot initialise libevent\n");
		goto out;
	}
	if ((fd = dnsd_bind(addr, (int)port)) < 0)
		goto out;
	srv.port = evdns_add_server_port_with_base(srv.base, fd, 0,
	    dnsd_request_cb, &srv);
	if (srv.port == NULL) {
		fprintf(stderr, "dnsd: cannot start the DNS server port\n");
		evutil_closesocket(fd);
		goto out;
	}
	srv.sigint_ev = evsignal_new(srv.base, SIGINT, dnsd_signal_cb, &srv);
	srv.sigterm_ev = evsignal_new(srv.base, SIGTERM, dnsd_signal_cb, &srv);
	if (srv.sigint_ev == NULL || srv.sigterm_ev == NULL ||
	    event_add(srv.sigint_ev, NULL) < 0 ||
	    event_add(srv.sigterm_ev, NULL) < 0) {
		fprintf(stderr, "dnsd: cannot install signal handlers\n");
		goto out;
	}

	printf("PORT %d\n", dnsd_bound_port(fd));
	fflush(stdout);

	if (event_base_dispatch(srv.base) < 0) {
		fprintf(stderr, "dnsd: event loop failed\n");
		goto out;
	}
	rc = 0;
out:
	dnsd_cleanup(&srv);
	return rc;
}
