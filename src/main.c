/*
 * main.c: evproxy's entry point.  Parses the options, creates the event
 * base and the DNS resolver, starts the modules in order (upstream, then
 * server), runs the loop until SIGINT or SIGTERM, and tears down in the
 * order that leaves nothing behind (shared/notes §8): server (which ends
 * every request and cancels its fetch), a loop pass for deferred frees,
 * upstream, DNS, another loop pass, then the base.
 */
#include <sys/resource.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "cache.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "upstream.h"

/* SIGINT or SIGTERM: leave the loop. */
static void
main_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct event_base	*base = arg;

	(void)what;
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopexit(base, NULL);
}

/* SIGHUP: nothing to reopen or reload yet; do not die of it. */
static void
main_sighup_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	log_info("SIGHUP: nothing to reload");
}

/*
 * Each client connection costs a descriptor, and a proxied one a second
 * for the origin: raise the soft limit toward the hard one so that
 * --max-connections, not the default 1024, is what bounds us.  Running
 * out anyway only pauses accepting (server.c).
 */
static void
main_raise_nofile(unsigned max_connections)
{
	struct rlimit	 rl;
	rlim_t		 want = (rlim_t)max_connections * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ?
	    want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("setrlimit RLIMIT_NOFILE");
	if (rl.rlim_cur < want)
		log_warnx("only %llu file descriptors for %u connections "
		    "(--max-connections): accepting pauses when they run out",
		    (unsigned long long)rl.rlim_cur, max_connections);
}

/* Creates the resolver from --dns-server or resolv.conf. */
static struct evdns_base *
main_dns_new(struct event_base *base, const struct config_upstream *cu)
{
	struct evdns_base	*dns;
	char			 tmo[32];
	int			 rv;

	if ((dns = evdns_base_new(base, 0)) == NULL)
		fatalx("cannot create the DNS resolver");
	if (cu->dns_server[0] != '\0') {
		if (evdns_base_nameserver_ip_add(dns, cu->dns_server) != 0)
			fatalx("--dns-server: '%s' is not ADDR[:PORT]",
			    cu->dns_server);
		/* /etc/hosts still answers for localhost */
		evdns_base_load_hosts(dns, NULL);
	} else {
		const char *file = cu->resolv_conf != NULL ? cu->resolv_conf :
		    "/etc/resolv.conf";

		rv = evdns_base_resolv_conf_parse(dns, DNS_OPTIONS_ALL, file);
		if (rv != 0 && cu->resolv_conf != NULL)
			fatalx("--resolv-conf: cannot use '%s' (error %d)",
			    file, rv);
		if (evdns_base_count_nameservers(dns) == 0)
			log_warnx("no DNS server found in %s: only numeric "
			    "hosts and /etc/hosts will resolve", file);
	}
	snprintf(tmo, sizeof(tmo), "%u.%03u", cu->dns_timeout_ms / 1000,
	    cu->dns_timeout_ms % 1000);
	if (evdns_base_set_option(dns, "timeout:", tmo) != 0 ||
	    evdns_base_set_option(dns, "attempts:", "2") != 0)
		fatalx("cannot set the DNS timeout");
	return (dns);
}

int
main(int argc, char **argv)
{
	struct config		 cfg;
	struct event_base	*base;
	struct evdns_base	*dns;
	struct upstream		*up;
	struct cache		*cache = NULL;
	struct server		*srv;
	struct event		*sigint, *sigterm, *sighup;
	char			 err[256];

	config_defaults(&cfg);
	switch (config_parse_argv(&cfg, argc, argv, stdout, err,
	    sizeof(err))) {
	case CONFIG_EXIT:
		config_clear(&cfg);
		return (0);
	case CONFIG_ERROR:
		fprintf(stderr, "evproxy: %s\n", err);
		config_clear(&cfg);
		return (2);
	case CONFIG_OK:
		break;
	}
	log_init(cfg.verbosity);
	/* libevent writes with writev/sendfile, not MSG_NOSIGNAL */
	signal(SIGPIPE, SIG_IGN);
	main_raise_nofile(cfg.server.max_connections);

	if ((base = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	dns = main_dns_new(base, &cfg.upstream);
	if ((up = upstream_new(base, dns, &cfg.upstream)) == NULL)
		fatalx("out of memory");
	if (!cfg.cache.disabled &&
	    (cache = cache_new(base, &cfg.cache, err, sizeof(err))) == NULL) {
		fprintf(stderr, "evproxy: cache: %s\n", err);
		upstream_free(up);
		evdns_base_free(dns, 1);
		event_base_free(base);
		config_clear(&cfg);
		return (1);
	}
	if ((srv = server_new(base, up, cache, &cfg, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "evproxy: %s\n", err);
		cache_free(cache);
		upstream_free(up);
		evdns_base_free(dns, 1);
		event_base_free(base);
		config_clear(&cfg);
		return (1);
	}
	sigint = evsignal_new(base, SIGINT, main_signal_cb, base);
	sigterm = evsignal_new(base, SIGTERM, main_signal_cb, base);
	sighup = evsignal_new(base, SIGHUP, main_sighup_cb, NULL);
	if (sigint == NULL || sigterm == NULL || sighup == NULL ||
	    event_add(sigint, NULL) || event_add(sigterm, NULL) ||
	    event_add(sighup, NULL))
		fatalx("cannot install signal handlers");

	log_info("listening on %s port %u", cfg.server.addr, server_port(srv));
	printf("Ready to serve...\n");
	fflush(stdout);
	event_base_dispatch(base);

	server_free(srv);
	event_base_loop(base, EVLOOP_NONBLOCK);	/* deferred frees */
	cache_free(cache);
	upstream_free(up);
	evdns_base_free(dns, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);	/* DNS cancels, finalizers */
	event_free(sigint);
	event_free(sigterm);
	event_free(sighup);
	event_base_free(base);
	libevent_global_shutdown();
	config_clear(&cfg);
	return (0);
}
