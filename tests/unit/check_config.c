/*
 * check_config.c: table-driven tests of the config module: the value
 * parsers, the defaults of the option table and the command line.  Every
 * table test is a loop test; _i indexes its rows[] table.  Run under ASan
 * so that a --resolv-conf string that config_clear() misses is a leak.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))
#define ARGS_MAX	12		/* argv[1..], NULL-terminated */
#define UNTOUCHED	12345u		/* preset; a failed parse keeps it */

/* config_parse_ms: ok == 0 means rejected. */
static const struct {
	const char	*s;
	int		 ok;
	unsigned	 want;
} ms_rows[] = {
	{ "30", 1, 30000 },
	{ "1.5", 1, 1500 },
	{ "250ms", 1, 250 },
	{ "0", 1, 0 },
	{ "0ms", 1, 0 },
	{ ".5", 1, 500 },
	{ "0.001", 1, 1 },
	{ "0.0015", 1, 2 },		/* rounded to the nearest ms */
	{ "1s", 1, 1000 },
	{ "1.5s", 1, 1500 },
	{ "1ms", 1, 1 },
	{ "2.5ms", 1, 3 },
	{ "007", 1, 7000 },
	{ "86400", 1, 86400000 },
	{ "86400000ms", 1, 86400000 },
	{ "86400.001", 0, 0 },
	{ "86401", 0, 0 },
	{ "86400001ms", 0, 0 },
	{ "99999999999", 0, 0 },
	{ "1e999", 0, 0 },
	{ "-1", 0, 0 },
	{ "-0", 0, 0 },
	{ "+1", 0, 0 },
	{ "abc", 0, 0 },
	{ "1x", 0, 0 },
	{ "1m", 0, 0 },
	{ "1msx", 0, 0 },
	{ "1sms", 0, 0 },
	{ "1.5.5", 0, 0 },
	{ "1 ", 0, 0 },
	{ " 1", 0, 0 },
	{ "ms", 0, 0 },
	{ "s", 0, 0 },
	{ ".", 0, 0 },
	{ "inf", 0, 0 },
	{ "nan", 0, 0 },
	{ "", 0, 0 },
	{ NULL, 0, 0 },
};

START_TEST(test_parse_ms)
{
	unsigned	 ms = UNTOUCHED;
	int		 rv;

	rv = config_parse_ms(ms_rows[_i].s, &ms);
	if (!ms_rows[_i].ok) {
		ck_assert_msg(rv == -1, "'%s' accepted as %u ms",
		    ms_rows[_i].s, ms);
		ck_assert_uint_eq(ms, UNTOUCHED);
		return;
	}
	ck_assert_msg(rv == 0, "'%s' rejected", ms_rows[_i].s);
	ck_assert_uint_eq(ms, ms_rows[_i].want);
}
END_TEST

/* config_parse_size: ok == 0 means rejected. */
static const struct {
	const char	*s;
	int		 ok;
	uint64_t	 want;
} size_rows[] = {
	{ "1024", 1, 1024 },
	{ "0", 1, 0 },
	{ "0k", 1, 0 },
	{ "64k", 1, 65536 },
	{ "64K", 1, 65536 },
	{ "1kB", 1, 1024 },
	{ "1KiB", 1, 1024 },
	{ "512M", 1, 512ULL << 20 },
	{ "512m", 1, 512ULL << 20 },
	{ "1MB", 1, 1ULL << 20 },
	{ "1G", 1, 1ULL << 30 },
	{ "1GiB", 1, 1ULL << 30 },
	{ "4g", 1, 4ULL << 30 },
	{ "2T", 1, 2ULL << 40 },
	{ "2TiB", 1, 2ULL << 40 },
	{ "16777215T", 1, 16777215ULL << 40 },
	{ "18446744073709551615", 1, UINT64_MAX },
	{ "16777216T", 0, 0 },		/* 2^64 */
	{ "17179869184G", 0, 0 },	/* 2^64 */
	{ "18446744073709551616", 0, 0 },
	{ "99999999999999999999999", 0, 0 },
	{ "12q", 0, 0 },
	{ "1P", 0, 0 },
	{ "1B", 0, 0 },
	{ "1b", 0, 0 },
	{ "1ki", 0, 0 },
	{ "1kiB ", 0, 0 },
	{ "1KiBx", 0, 0 },
	{ "1kBB", 0, 0 },
	{ "1kib", 0, 0 },
	{ "1 k", 0, 0 },
	{ "1.5M", 0, 0 },
	{ "k", 0, 0 },
	{ "-1", 0, 0 },
	{ "+1", 0, 0 },
	{ " 1", 0, 0 },
	{ "", 0, 0 },
	{ NULL, 0, 0 },
};

START_TEST(test_parse_size)
{
	uint64_t	 bytes = UNTOUCHED;
	int		 rv;

	rv = config_parse_size(size_rows[_i].s, &bytes);
	if (!size_rows[_i].ok) {
		ck_assert_msg(rv == -1, "'%s' accepted as %llu bytes",
		    size_rows[_i].s, (unsigned long long)bytes);
		ck_assert_uint_eq(bytes, UNTOUCHED);
		return;
	}
	ck_assert_msg(rv == 0, "'%s' rejected", size_rows[_i].s);
	ck_assert_uint_eq(bytes, size_rows[_i].want);
}
END_TEST

/* config_parse_uint: ok == 0 means rejected. */
static const struct {
	const char	*s;
	unsigned	 min, max;
	int		 ok;
	unsigned	 want;
} uint_rows[] = {
	{ "0", 0, 65535, 1, 0 },
	{ "8888", 0, 65535, 1, 8888 },
	{ "65535", 0, 65535, 1, 65535 },
	{ "00080", 0, 65535, 1, 80 },
	{ "65536", 0, 65535, 0, 0 },
	{ "70000", 0, 65535, 0, 0 },
	{ "1", 1, 4096, 1, 1 },
	{ "4096", 1, 4096, 1, 4096 },
	{ "0", 1, 4096, 0, 0 },
	{ "4097", 1, 4096, 0, 0 },
	{ "5", 5, 5, 1, 5 },
	{ "4", 5, 5, 0, 0 },
	{ "4294967295", 0, UINT_MAX, 1, UINT_MAX },
	{ "4294967296", 0, UINT_MAX, 0, 0 },
	{ "18446744073709551616", 0, UINT_MAX, 0, 0 },
	{ "-1", 0, UINT_MAX, 0, 0 },
	{ "+1", 0, 65535, 0, 0 },
	{ " 1", 0, 65535, 0, 0 },
	{ "1 ", 0, 65535, 0, 0 },
	{ "1x", 0, 65535, 0, 0 },
	{ "0x10", 0, 65535, 0, 0 },
	{ "1.0", 0, 65535, 0, 0 },
	{ "1e3", 0, 65535, 0, 0 },
	{ "x", 0, 65535, 0, 0 },
	{ "", 0, 65535, 0, 0 },
	{ NULL, 0, 65535, 0, 0 },
};

START_TEST(test_parse_uint)
{
	unsigned	 v = UNTOUCHED;
	int		 rv;

	rv = config_parse_uint(uint_rows[_i].s, uint_rows[_i].min,
	    uint_rows[_i].max, &v);
	if (!uint_rows[_i].ok) {
		ck_assert_msg(rv == -1, "'%s' in [%u, %u] accepted as %u",
		    uint_rows[_i].s, uint_rows[_i].min, uint_rows[_i].max, v);
		ck_assert_uint_eq(v, UNTOUCHED);
		return;
	}
	ck_assert_msg(rv == 0, "'%s' rejected", uint_rows[_i].s);
	ck_assert_uint_eq(v, uint_rows[_i].want);
}
END_TEST

/* The defaults of the option table, and config_clear() on them. */
START_TEST(test_defaults)
{
	struct config	 cfg;

	memset(&cfg, 0xa5, sizeof(cfg));
	config_defaults(&cfg);
	ck_assert_str_eq(cfg.server.addr, "127.0.0.1");
	ck_assert_uint_eq(cfg.server.port, 8888);
	ck_assert_uint_eq(cfg.server.client_timeout_ms, 60000);
	ck_assert_uint_eq(cfg.server.max_body_size, 64ULL << 20);
	ck_assert_uint_eq(cfg.server.max_header_size, 65536);
	ck_assert_uint_eq(cfg.upstream.timeout_ms, 30000);
	ck_assert_uint_eq(cfg.upstream.pool_size, 16);
	ck_assert_uint_eq(cfg.upstream.pool_idle_ms, 60000);
	ck_assert_str_eq(cfg.upstream.dns_server, "");
	ck_assert_ptr_null(cfg.upstream.resolv_conf);
	ck_assert_uint_eq(cfg.upstream.dns_timeout_ms, 5000);
	ck_assert_int_eq(cfg.verbosity, 0);
	config_clear(&cfg);
	ck_assert_ptr_null(cfg.upstream.resolv_conf);
	config_clear(&cfg);
}
END_TEST

#define LONG_ADDR	"0123456789012345678901234567890123456789" \
			"012345678901234567890123"	/* 64 bytes */
#define MAX_ADDR	"0123456789012345678901234567890123456789" \
			"01234567890123456789012"	/* 63 bytes */

/* Rows that expect CONFIG_ERROR or CONFIG_EXIT: has, then the args. */
#define ERR(h, ...)	{ .args = { __VA_ARGS__, NULL }, \
			    .want = CONFIG_ERROR, .has = (h) }
#define EXIT(h, ...)	{ .args = { __VA_ARGS__, NULL }, \
			    .want = CONFIG_EXIT, .has = (h) }

/*
 * config_parse_argv.  has: a substring of err (CONFIG_ERROR) or of what
 * was printed (CONFIG_EXIT).  The remaining columns are checked on
 * CONFIG_OK only, against the whole struct.
 */
static const struct {
	const char		*args[ARGS_MAX];
	enum config_result	 want;
	const char		*has;
	const char		*addr;
	unsigned		 port;
	int			 verbosity;
	const char		*dns, *resolv;
	unsigned		 up_ms, pool;
	uint64_t		 body;
	unsigned		 hdr;
} argv_rows[] = {
	/* args want has  addr port verbosity  dns resolv  up_ms pool
	 * body hdr */
	{ { NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	/* the positional ADDRESS, before or after options */
	{ { "0.0.0.0", NULL }, CONFIG_OK, NULL,
	    "0.0.0.0", 8888, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "::1", NULL }, CONFIG_OK, NULL,
	    "::1", 8888, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "0.0.0.0", "-p", "1", NULL }, CONFIG_OK, NULL,
	    "0.0.0.0", 1, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-p", "1", "--", "::", NULL }, CONFIG_OK, NULL,
	    "::", 1, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "[::1]", NULL }, CONFIG_OK, NULL,
	    "::1", 8888, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	/* -p and --port */
	{ { "-p", "9000", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 9000, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-p9000", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 9000, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "--port", "9000", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 9000, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "--port=0", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 0, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "--port=65535", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 65535, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-p", "1", "-p", "2", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 2, 0, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	/* verbosity */
	{ { "-v", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 1, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-v", "--verbose", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 2, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-vvv", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 3, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-q", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, -1, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "--quiet", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, -1, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	{ { "-vp", "1", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 1, 1, "", NULL, 30000, 16, 64ULL << 20, 65536 },
	/* DNS */
	{ { "--dns-server", "127.0.0.1:5353", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "127.0.0.1:5353", NULL, 30000, 16,
	    64ULL << 20, 65536 },
	{ { "--dns-server=[::1]:53", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "[::1]:53", NULL, 30000, 16,
	    64ULL << 20, 65536 },
	{ { "--dns-server", MAX_ADDR, NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, MAX_ADDR, NULL, 30000, 16,
	    64ULL << 20, 65536 },
	{ { "--resolv-conf", "/tmp/resolv.conf", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", "/tmp/resolv.conf", 30000, 16,
	    64ULL << 20, 65536 },
	{ { "--resolv-conf=/a", "--resolv-conf", "/b", NULL }, CONFIG_OK,
	    NULL, "127.0.0.1", 8888, 0, "", "/b", 30000, 16,
	    64ULL << 20, 65536 },
	/* the other value types */
	{ { "--upstream-timeout", "1.5", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 1500, 16, 64ULL << 20, 65536 },
	{ { "--upstream-timeout=250ms", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 250, 16, 64ULL << 20, 65536 },
	{ { "--pool-size", "4096", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 30000, 4096, 64ULL << 20,
	    65536 },
	{ { "--max-body-size", "1G", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 30000, 16, 1ULL << 30, 65536 },
	{ { "--max-header-size", "8k", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 30000, 16, 64ULL << 20, 8192 },
	{ { "--max-header-size", "4294967295", NULL }, CONFIG_OK, NULL,
	    "127.0.0.1", 8888, 0, "", NULL, 30000, 16, 64ULL << 20,
	    UINT_MAX },
	/* all at once */
	{ { "-v", "--dns-server", "10.0.0.1", "::", "--resolv-conf", "/r",
	    "-p", "80", "--upstream-timeout", "5", NULL }, CONFIG_OK, NULL,
	    "::", 80, 1, "10.0.0.1", "/r", 5000, 16, 64ULL << 20, 65536 },

	/* bad values name the option */
	ERR("--port: '70000'", "-p", "70000"),
	ERR("--port: 'x'", "-p", "x"),
	ERR("--port: '-1'", "--port=-1"),
	ERR("--port: ''", "--port", ""),
	ERR("--pool-size: '0' is not a number from 1 to 4096",
	    "--pool-size", "0"),
	ERR("--upstream-timeout: 'abc'", "--upstream-timeout", "abc"),
	ERR("--client-timeout: '86401'", "--client-timeout", "86401"),
	ERR("--max-body-size: '12q'", "--max-body-size", "12q"),
	ERR("--max-header-size: '4G'", "--max-header-size", "4G"),
	ERR("--dns-server: address too long", "--dns-server", LONG_ADDR),
	/* missing arguments */
	ERR("-p: needs an argument", "-p"),
	ERR("--port: needs an argument", "--port"),
	ERR("--resolv-conf: needs an argument", "--resolv-conf"),
	/* unknown options */
	ERR("unknown option --bogus", "--bogus"),
	ERR("unknown option -x", "-x"),
	ERR("unknown option -x", "-vx"),
	ERR("--help=1", "--help=1"),
	ERR("--bogus", "--bogus", "--help"),
	/* positionals */
	ERR("too many arguments: '0.0.0.0'", "127.0.0.1", "0.0.0.0"),
	ERR("too many arguments: 'b'", "a", "-v", "b", "c"),
	ERR("'' is not an IPv4 or IPv6 address", ""),
	ERR("'" LONG_ADDR "' is not an IPv4", LONG_ADDR),
	ERR("'" MAX_ADDR "' is not an IPv4", MAX_ADDR),
	ERR("'localhost' is not an IPv4", "localhost"),
	ERR("'127.0.0.1:8080' is not an IPv4", "127.0.0.1:8080"),
	ERR("'[::1' is not an IPv4", "[::1"),

	/* --help and --version print to out */
	EXIT("usage: evproxy [options] [ADDRESS]", "--help"),
	EXIT("usage: evproxy", "-h"),
	EXIT("--resolv-conf FILE", "--help"),
	EXIT("-p, --port PORT", "--help"),
	EXIT("[8888]", "--help"),
	EXIT("usage:", "-p", "1", "--help", "--bogus"),
	EXIT("evproxy " EVPROXY_VERSION "\n", "--version"),
	EXIT("evproxy " EVPROXY_VERSION "\n", "-V"),
};

/* Runs config_parse_argv on "evproxy" args; out gets what it printed. */
static enum config_result
check_config_run(struct config *cfg, const char *const *args, char **out,
    char *err, size_t errlen)
{
	char			*argv[ARGS_MAX + 2];
	FILE			*f;
	size_t			 argc, outlen;
	enum config_result	 r;

	argv[0] = (char *)"evproxy";
	for (argc = 1; args[argc - 1] != NULL; argc++)
		argv[argc] = (char *)args[argc - 1];
	argv[argc] = NULL;
	*out = NULL;
	f = open_memstream(out, &outlen);
	ck_assert_ptr_nonnull(f);
	err[0] = '\0';
	config_defaults(cfg);
	r = config_parse_argv(cfg, (int)argc, argv, f, err, errlen);
	ck_assert_int_eq(fclose(f), 0);
	return (r);
}


/*
 * Config files: each row is a file's text, whether it parses, and for a
 * failure the start of the message after "FILE:".  Good rows check a few
 * fields they set.
 */
static const struct {
	const char	*text;
	int		 ok;
	const char	*err;		/* expected after "PATH:" */
	unsigned	 port;
	unsigned	 client_ms;
	int		 no_cache;
	unsigned	 nallow;
	int		 log_format;
} file_rows[] = {
	{ "", 1, NULL, 8888, 60000, 0, 0, 0 },
	{ "# only a comment\n\n   \n", 1, NULL, 8888, 60000, 0, 0, 0 },
	{ "port 3128\n", 1, NULL, 3128, 60000, 0, 0, 0 },
	{ "port = 3128  # trailing comment\n", 1, NULL, 3128, 60000, 0, 0, 0 },
	{ "port=3128\n", 1, NULL, 3128, 60000, 0, 0, 0 },
	{ "\tclient-timeout 1.5\r\n", 1, NULL, 8888, 1500, 0, 0, 0 },
	{ "no-cache\n", 1, NULL, 8888, 60000, 1, 0, 0 },
	{ "no-cache yes\n", 1, NULL, 8888, 60000, 1, 0, 0 },
	{ "no-cache yes\nno-cache no\n", 1, NULL, 8888, 60000, 0, 0, 0 },
	{ "allow 10.0.0.0/8\nallow ::1\n", 1, NULL, 8888, 60000, 0, 2, 0 },
	{ "log-format \"json\"\n", 1, NULL, 8888, 60000, 0, 0, 2 },
	{ "log-format combined\n", 1, NULL, 8888, 60000, 0, 0, 1 },
	{ "colour blue\n", 0, "1: unknown key 'colour'", 0, 0, 0, 0, 0 },
	{ "\n\nport 99999\n", 0, "3: port: '99999' is not a number", 0, 0,
	    0, 0, 0 },
	{ "port\n", 0, "1: port: needs a value", 0, 0, 0, 0, 0 },
	{ "no-cache maybe\n", 0, "1: no-cache: 'maybe' is not yes or no", 0,
	    0, 0, 0, 0 },
	{ "help\n", 0, "1: 'help' cannot be set in a file", 0, 0, 0, 0, 0 },
	{ "config x.conf\n", 0, "1: 'config' cannot be set in a file", 0, 0,
	    0, 0, 0 },
	{ "log-format xml\n", 0, "1: log-format: 'xml' is not one of", 0, 0,
	    0, 0, 0 },
	{ "address nowhere\n", 0, "1: address: 'nowhere' is not", 0, 0, 0,
	    0, 0 },
};

START_TEST(test_file)
{
	struct config		 cfg;
	char			 path[] = "/tmp/check_config.XXXXXX";
	char			 err[512], want[512];
	int			 fd;
	enum config_result	 r;

	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, file_rows[_i].text,
	    strlen(file_rows[_i].text)), (int)strlen(file_rows[_i].text));
	close(fd);
	config_defaults(&cfg);
	err[0] = '\0';
	r = config_parse_file(&cfg, path, err, sizeof(err));
	unlink(path);
	if (file_rows[_i].ok) {
		ck_assert_msg(r == CONFIG_OK, "'%s': %s", file_rows[_i].text,
		    err);
		ck_assert_uint_eq(cfg.server.port, file_rows[_i].port);
		ck_assert_uint_eq(cfg.server.client_timeout_ms,
		    file_rows[_i].client_ms);
		ck_assert_int_eq(cfg.cache.disabled, file_rows[_i].no_cache);
		ck_assert_uint_eq(cfg.server.nallow, file_rows[_i].nallow);
		ck_assert_int_eq(cfg.ops.log_format, file_rows[_i].log_format);
	} else {
		ck_assert_int_eq(r, CONFIG_ERROR);
		snprintf(want, sizeof(want), "%s:%s", path, file_rows[_i].err);
		ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		    "'%s': got '%s', want '%s...'", file_rows[_i].text, err,
		    want);
	}
	config_clear(&cfg);
}
END_TEST

/* --config: the file is read, then the command line wins. */
START_TEST(test_file_precedence)
{
	struct config	 cfg;
	char		 path[] = "/tmp/check_config.XXXXXX";
	char		 err[512], opt[64];
	const char	 text[] = "port 3128\nclient-timeout 5\n"
			    "allow 10.0.0.0/8\nallow 192.168.0.0/16\n";
	char		*argv[8];
	int		 fd;
	FILE		*out = fopen("/dev/null", "w");

	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
	    (int)sizeof(text) - 1);
	close(fd);
	snprintf(opt, sizeof(opt), "--config=%s", path);
	argv[0] = "evproxy";
	argv[1] = opt;
	argv[2] = "-p";
	argv[3] = "8080";
	argv[4] = NULL;
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse_argv(&cfg, 4, argv, out, err,
	    sizeof(err)), CONFIG_OK);
	ck_assert_uint_eq(cfg.server.port, 8080);		/* argv wins */
	ck_assert_uint_eq(cfg.server.client_timeout_ms, 5000);	/* file */
	ck_assert_uint_eq(cfg.server.nallow, 2);
	config_clear(&cfg);

	/* an --allow on the command line replaces the file's list, even
	 * abbreviated (getopt accepts --al) */
	argv[2] = "--al";
	argv[3] = "127.0.0.1";
	config_defaults(&cfg);
	ck_assert_int_eq(config_parse_argv(&cfg, 4, argv, out, err,
	    sizeof(err)), CONFIG_OK);
	ck_assert_uint_eq(cfg.server.nallow, 1);
	ck_assert_uint_eq(cfg.server.port, 3128);
	config_clear(&cfg);
	unlink(path);
	fclose(out);
}
END_TEST

START_TEST(test_argv)
{
	struct config	 cfg;
	char		 err[256];
	char		*out;
	enum config_result r;

	r = check_config_run(&cfg, argv_rows[_i].args, &out, err,
	    sizeof(err));
	ck_assert_msg(r == argv_rows[_i].want, "%s ...: got %d, want %d "
	    "(err '%s')", argv_rows[_i].args[0] ? argv_rows[_i].args[0] :
	    "(none)", (int)r, (int)argv_rows[_i].want, err);
	switch (r) {
	case CONFIG_OK:
		ck_assert_str_eq(out, "");
		ck_assert_str_eq(cfg.server.addr, argv_rows[_i].addr);
		ck_assert_uint_eq(cfg.server.port, argv_rows[_i].port);
		ck_assert_int_eq(cfg.verbosity, argv_rows[_i].verbosity);
		ck_assert_str_eq(cfg.upstream.dns_server, argv_rows[_i].dns);
		if (argv_rows[_i].resolv == NULL)
			ck_assert_ptr_null(cfg.upstream.resolv_conf);
		else
			ck_assert_pstr_eq(cfg.upstream.resolv_conf,
			    argv_rows[_i].resolv);
		ck_assert_uint_eq(cfg.upstream.timeout_ms,
		    argv_rows[_i].up_ms);
		ck_assert_uint_eq(cfg.upstream.pool_size, argv_rows[_i].pool);
		ck_assert_uint_eq(cfg.server.max_body_size,
		    argv_rows[_i].body);
		ck_assert_uint_eq(cfg.server.max_header_size,
		    argv_rows[_i].hdr);
		/* untouched by every row */
		ck_assert_uint_eq(cfg.server.client_timeout_ms, 60000);
		ck_assert_uint_eq(cfg.upstream.pool_idle_ms, 60000);
		ck_assert_uint_eq(cfg.upstream.dns_timeout_ms, 5000);
		break;
	case CONFIG_ERROR:
		ck_assert_str_eq(out, "");
		ck_assert_msg(strstr(err, argv_rows[_i].has) != NULL,
		    "err '%s' lacks '%s'", err, argv_rows[_i].has);
		ck_assert_ptr_null(strchr(err, '\n'));
		break;
	case CONFIG_EXIT:
		ck_assert_msg(strstr(out, argv_rows[_i].has) != NULL,
		    "output lacks '%s':\n%s", argv_rows[_i].has, out);
		break;
	}
	/* ASan reports a leak if config_clear misses resolv_conf */
	config_clear(&cfg);
	ck_assert_ptr_null(cfg.upstream.resolv_conf);
	free(out);
}
END_TEST

/*
 * config_parse_argv twice in one process (a reload, or CK_FORK=no): the
 * second parse must see nothing of the first.  The first argv stays
 * alive, as main's does, so stale getopt state would read real options.
 */
static const struct {
	const char		*first[ARGS_MAX];
	enum config_result	 want_first;
	const char		*second[ARGS_MAX];
	enum config_result	 want;
	int			 verbosity;
	unsigned		 port;
} again_rows[] = {
	{ { "-xv", NULL }, CONFIG_ERROR, { NULL }, CONFIG_OK, 0, 8888 },
	{ { "-xv", NULL }, CONFIG_ERROR, { "-xv", NULL }, CONFIG_ERROR,
	    0, 0 },
	{ { "-hv", NULL }, CONFIG_EXIT, { NULL }, CONFIG_OK, 0, 8888 },
	{ { "-Vp1", NULL }, CONFIG_EXIT, { "-v", NULL }, CONFIG_OK, 1,
	    8888 },
	{ { "-xp", "1", NULL }, CONFIG_ERROR, { "-p", "2", NULL }, CONFIG_OK,
	    0, 2 },
	{ { "-v", "a", "b", NULL }, CONFIG_ERROR, { "-q", NULL }, CONFIG_OK,
	    -1, 8888 },
	{ { "::1", "-v", NULL }, CONFIG_OK, { "127.0.0.2", "-p", "3", NULL },
	    CONFIG_OK, 0, 3 },
	{ { "-p", NULL }, CONFIG_ERROR, { "--bogus", NULL }, CONFIG_ERROR,
	    0, 0 },
};

START_TEST(test_argv_again)
{
	struct config	 cfg;
	char		 err[256];
	char		*out;

	ck_assert_int_eq(check_config_run(&cfg, again_rows[_i].first, &out,
	    err, sizeof(err)), again_rows[_i].want_first);
	config_clear(&cfg);
	free(out);

	ck_assert_int_eq(check_config_run(&cfg, again_rows[_i].second, &out,
	    err, sizeof(err)), again_rows[_i].want);
	ck_assert_str_eq(out, "");
	if (again_rows[_i].want == CONFIG_OK) {
		ck_assert_int_eq(cfg.verbosity, again_rows[_i].verbosity);
		ck_assert_uint_eq(cfg.server.port, again_rows[_i].port);
	}
	config_clear(&cfg);
	free(out);
}
END_TEST

Suite *config_suite(void);

Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc;

	tc = tcase_create("values");
	tcase_add_loop_test(tc, test_parse_ms, 0, NROWS(ms_rows));
	tcase_add_loop_test(tc, test_parse_size, 0, NROWS(size_rows));
	tcase_add_loop_test(tc, test_parse_uint, 0, NROWS(uint_rows));
	suite_add_tcase(s, tc);

	tc = tcase_create("argv");
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_argv, 0, NROWS(argv_rows));
	tcase_add_loop_test(tc, test_argv_again, 0, NROWS(again_rows));
	tcase_add_loop_test(tc, test_file, 0, NROWS(file_rows));
	tcase_add_test(tc, test_file_precedence);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(config_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
