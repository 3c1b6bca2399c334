/*
 * main.c: evproxy's entry point.  Parses the options, creates the event
 * base and the DNS resolver, starts the modules in order (upstream, then
 * server), runs the loop until SIGINT or SIGTERM, and tears down in the
 * order that leaves nothing behind (shared/notes §8): server (which ends
 * every request and cancels its fetch), a loop pass for deferred frees,
 * upstream, DNS, another loop pass, then the base.
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/event.h>

#include "alog.h"
#include "cache.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "stats.h"
#include "upstream.h"

/* What the signal handlers work on. */
struct main_ctx {
	struct event_base	*base;
	struct server		*srv;
	const struct config	*cfg;
	struct event		*drain_ev;	/* polls for the last client */
	struct timeval		 deadline;	/* of the drain */
	int			 stopping;
};

/* Draining: leave once every client is gone or the time is up. */
static void
main_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct main_ctx	*ctx = arg;
	struct timeval	 now, tick = { 0, 50000 };

	(void)fd;
	(void)what;
	evutil_gettimeofday(&now, NULL);
	if (server_nconns(ctx->srv) == 0) {
		log_info("all requests finished: exiting");
		event_base_loopexit(ctx->base, NULL);
		return;
	}
	if (evutil_timercmp(&now, &ctx->deadline, >=)) {
		log_warnx("--shutdown-timeout: closing %u connections still "
		    "open", server_nconns(ctx->srv));
		event_base_loopexit(ctx->base, NULL);
		return;
	}
	evtimer_add(ctx->drain_ev, &tick);
}

/*
 * SIGINT or SIGTERM: stop accepting and let what is in flight finish
 * (bounded by --shutdown-timeout); a second signal exits at once.
 */
static void
main_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct main_ctx	*ctx = arg;
	struct timeval	 now, tmo;
	unsigned	 ms = ctx->cfg->ops.shutdown_timeout_ms;

	(void)what;
	if (ctx->stopping++ > 0 || ms == 0) {
		log_info("signal %d: exiting now", (int)sig);
		event_base_loopexit(ctx->base, NULL);
		return;
	}
	log_info("signal %d: shutting down: no new connections, waiting up "
	    "to %u ms for %u open ones", (int)sig, ms,
	    server_nconns(ctx->srv));
	server_drain(ctx->srv);
	evutil_gettimeofday(&now, NULL);
	tmo.tv_sec = ms / 1000;
	tmo.tv_usec = (ms % 1000) * 1000;
	evutil_timeradd(&now, &tmo, &ctx->deadline);
	main_drain_cb(-1, 0, ctx);
}

/*
 * The event loop.  evhttp turns read and write interest on and off
 * several times per request (a pass-through request made ten epoll_ctl
 * calls); with epoll's changelist, changes are applied once per loop
 * turn and those that cancel out cost nothing.  Its known limit, fds
 * made with dup(), does not apply: evproxy never dups a socket.
 */
static struct event_base *
main_base_new(void)
{
	struct event_config	*ec;
	struct event_base	*base;

	if ((ec = event_config_new()) == NULL)
		return (NULL);
	event_config_set_flag(ec, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
	base = event_base_new_with_config(ec);
	event_config_free(ec);
	return (base);
}

/* SIGHUP: reopen the log files (after logrotate moved them). */
static void
main_sighup_cb(evutil_socket_t sig, short what, void *arg)
{
	int	 bad = 0;

	(void)sig;
	(void)what;
	(void)arg;
	if (log_reopen() == -1) {
		log_warn("SIGHUP: cannot reopen the error log");
		bad = 1;
	}
	if (alog_reopen() == -1) {
		log_warn("SIGHUP: cannot reopen the access log");
		bad = 1;
	}
	if (!bad)
		log_info("SIGHUP: log files reopened");
}

/*
 * --daemon: fork; the parent waits until the child is serving (or has
 * failed) and exits with its verdict, so a service manager or a script
 * sees a real start.  Returns the write end of the pipe in the child.
 */
static int
main_daemonize(void)
{
	int	 p[2], fd;
	char	 c = 1;
	pid_t	 pid;

	if (pipe(p) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		/* 0 bytes: the child died before it was ready */
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		_exit(c == 0 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return (p[1]);
}

/* The PID file to remove at exit, fatal exits included (atexit). */
static const char	*main_pid_path;

static void
main_unlink_pid(void)
{
	if (main_pid_path != NULL)
		unlink(main_pid_path);
}

/* Writes our PID to path; -1 on failure. */
static int
main_write_pid(const char *path)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL)
		return (-1);
	fprintf(fp, "%ld\n", (long)getpid());
	return (fclose(fp) == EOF ? -1 : 0);
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
	struct main_ctx		 ctx;
	char			 err[256];
	int			 ready_fd = -1;
	char			 ok = 0;

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
	if (cfg.ops.check_only) {
		printf("evproxy: configuration OK%s%s\n",
		    cfg.ops.config_file != NULL ? ": " : "",
		    cfg.ops.config_file != NULL ? cfg.ops.config_file : "");
		config_clear(&cfg);
		return (0);
	}
	log_init(cfg.verbosity);
	stats_init(time(NULL));
	if (cfg.ops.daemon && cfg.ops.access_log != NULL &&
	    strcmp(cfg.ops.access_log, "-") == 0) {
		fprintf(stderr, "evproxy: --access-log - (standard output) "
		    "cannot be used with --daemon\n");
		config_clear(&cfg);
		return (2);
	}
	if (alog_open(cfg.ops.access_log, (enum alog_format)
	    cfg.ops.log_format) == -1) {
		fprintf(stderr, "evproxy: --access-log %s: %s\n",
		    cfg.ops.access_log, strerror(errno));
		config_clear(&cfg);
		return (1);
	}
	if (cfg.ops.daemon)
		ready_fd = main_daemonize();
	/* libevent writes with writev/sendfile, not MSG_NOSIGNAL */
	signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
	/*
	 * Bodies move in 64 KiB buffers that are freed as fast as they are
	 * made.  With glibc's defaults a heap top left fragmented by a burst
	 * of small requests was trimmed and grown again on every one of
	 * them: 78 brk calls per cold 10 MiB miss, and twice the time
	 * (docs/performance.md).  Keep up to 4 MiB of free top, grow by
	 * 1 MiB at a time.
	 */
	mallopt(M_TRIM_THRESHOLD, 4 << 20);
	mallopt(M_TOP_PAD, 1 << 20);
#endif
	main_raise_nofile(cfg.server.max_connections);

	if ((base = main_base_new()) == NULL ||
	    alog_attach(base) == -1)
		fatalx("cannot create the event loop");
	dns = main_dns_new(base, &cfg.upstream);
	if ((up = upstream_new(base, dns, &cfg.upstream)) == NULL)
		fatalx("out of memory");
	if (!cfg.cache.disabled &&
	    (cache = cache_new(base, &cfg.cache, err, sizeof(err))) == NULL) {
		fprintf(stderr, "evproxy: cache: %s\n", err);
		upstream_free(up);
		evdns_base_free(dns, 1);
		alog_attach(NULL);
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
		alog_attach(NULL);
		event_base_free(base);
		config_clear(&cfg);
		return (1);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.base = base;
	ctx.srv = srv;
	ctx.cfg = &cfg;
	sigint = evsignal_new(base, SIGINT, main_signal_cb, &ctx);
	sigterm = evsignal_new(base, SIGTERM, main_signal_cb, &ctx);
	ctx.drain_ev = evtimer_new(base, main_drain_cb, &ctx);
	sighup = evsignal_new(base, SIGHUP, main_sighup_cb, NULL);
	if (sigint == NULL || sigterm == NULL || sighup == NULL ||
	    ctx.drain_ev == NULL ||
	    event_add(sigint, NULL) || event_add(sigterm, NULL) ||
	    event_add(sighup, NULL))
		fatalx("cannot install signal handlers");

	if (cfg.ops.pid_file != NULL) {
		if (main_write_pid(cfg.ops.pid_file) == -1)
			fatal("--pid-file %s", cfg.ops.pid_file);
		main_pid_path = cfg.ops.pid_file;
		atexit(main_unlink_pid);
	}
	/*
	 * Only now does the error log leave stderr: a start-up failure is
	 * shown where the command was typed, --daemon or not.
	 */
	if (log_open(cfg.ops.error_log) == -1)
		fatal("--error-log %s", cfg.ops.error_log);
	if (cfg.ops.daemon && cfg.ops.error_log == NULL)
		log_open("/dev/null");	/* detached: no terminal to write to */
	log_info("listening on %s port %u", cfg.server.addr, server_port(srv));
	printf("Ready to serve...\n");
	fflush(stdout);
	if (ready_fd != -1) {
		/* the parent exits 0 now */
		if (write(ready_fd, &ok, 1) != 1)
			log_warn("daemon: telling the parent");
		close(ready_fd);
	}
	event_base_dispatch(base);

	/*
	 * The loop runs again below for deferred frees: nothing that looks
	 * at the server may fire then (a pending drain tick, a late signal).
	 */
	event_del(ctx.drain_ev);
	event_del(sigint);
	event_del(sigterm);
	event_del(sighup);
	server_free(srv);
	event_base_loop(base, EVLOOP_NONBLOCK);	/* deferred frees */
	cache_free(cache);
	upstream_free(up);
	evdns_base_free(dns, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);	/* DNS cancels, finalizers */
	event_free(sigint);
	event_free(sigterm);
	event_free(sighup);
	event_free(ctx.drain_ev);
	alog_attach(NULL);
	event_base_free(base);
	libevent_global_shutdown();
	main_unlink_pid();
	main_pid_path = NULL;
	alog_close();
	log_close();
	config_clear(&cfg);
	return (0);
}
