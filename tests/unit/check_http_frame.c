/*
 * check_http_frame.c: table-driven tests of the framing checker
 * (http_frame.c).  Each row of frame_rows[] is a stream and what the
 * checker must make of it: the stream is fed whole, byte by byte, cut
 * in two at every offset and in three at every pair of offsets, and
 * every way of feeding it must give the same error, offset, state,
 * message count, method or status, and http_frame_eof() result.  An
 * error row gives the stream as the bytes accepted plus the rest, whose
 * first byte is the offending one.  The other tests cover what a table
 * cannot: sticky failure, re-arming with http_frame_expect, bodies too
 * large to feed byte by byte, and the error names and statuses.
 */
#include "http_frame.h"

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NROWS(a)	((int)(sizeof(a) / sizeof((a)[0])))

/* Which checker a row drives. */
#define REQ		0	/* HTTP_FRAME_REQUEST */
#define RSP		1	/* response; http_frame_expect(f, 0) */
#define RSPH		2	/* response; http_frame_expect(f, 1) */

/* The limits a row runs under (frame_limits[]). */
#define L0		0	/* none */
#define LS		1	/* head 64, target 16, body 10 */

#define ANY		-1	/* method or status not checked */
#define M(m)		HTTP_FRAME_M_##m

/* Prefixes of many rows. */
#define G		"GET / HTTP/1.1\r\n"
#define RQ		"POST / HTTP/1.1\r\n"
#define CH		RQ "Transfer-Encoding: chunked\r\n\r\n"
#define OK200		"HTTP/1.1 200 OK\r\n"

static const struct {
	size_t		 head, uri;
	uint64_t	 body;
} frame_limits[] = {
	{ 0, 0, 0 },
	{ 64, 16, 10 },
};

struct check_frame_row {
	int			 kind;		/* REQ, RSP or RSPH */
	int			 lim;		/* L0 or LS */
	const char		*ok;		/* bytes accepted */
	size_t			 oklen;
	const char		*bad;		/* from the offending byte on */
	size_t			 badlen;
	enum http_frame_error	 err;
	enum http_frame_state	 state;		/* after the whole stream */
	uint64_t		 messages;
	int			 last;		/* method or status, or ANY */
	int			 eof;		/* http_frame_eof() result */
};

#define S(s)		(s), sizeof(s) - 1
/* A valid stream: the state it ends in, heads, method/status, eof. */
#define GOOD(k, l, in, st, m, last, eof)				\
	{ k, l, S(in), "", 0, HTTP_FRAME_OK, HTTP_FRAME_##st, m, last, eof }
/* Rejected at the first byte of bad with e, after m heads. */
#define BAD(k, l, ok, bad, e, m)					\
	{ k, l, S(ok), S(bad), HTTP_FRAME_E_##e, HTTP_FRAME_FAILED, m, ANY, -1 }

static const struct check_frame_row frame_rows[] = {
	/* requests: valid forms */
	GOOD(REQ, L0, G "Host: a\r\n\r\n", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, "GET http://a.example:8080/x?y=1&z HTTP/1.0\r\n\r\n",
	    IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, "OPTIONS * HTTP/1.1\r\n\r\n", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, "PATCH /p HTTP/1.1\r\nContent-Length: 2\r\n\r\nab",
	    IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, "DELETE /d HTTP/1.1\r\n\r\n", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, "HEAD /h HTTP/1.1\r\nContent-Length: 0\r\n\r\n", IDLE,
	    1, M(HEAD), 0),
	GOOD(REQ, L0, "TRACE / HTTP/1.1\r\n\r\n", IDLE, 1, M(TRACE), 0),
	GOOD(REQ, L0, "PROPFIND /dav HTTP/1.1\r\nDepth: 1\r\n\r\n", IDLE, 1,
	    M(OTHER), 0),
	GOOD(REQ, L0, "get / HTTP/1.1\r\n\r\n", IDLE, 1, M(OTHER), 0),
	GOOD(REQ, L0, "GETS / HTTP/1.1\r\n\r\n", IDLE, 1, M(OTHER), 0),
	GOOD(REQ, L0, "A-VERY-LONG-EXTENSION-METHOD / HTTP/1.1\r\n\r\n", IDLE,
	    1, M(OTHER), 0),
	GOOD(REQ, L0, "GET /!$&'()*+,;=:@-._~%2F?a=\"<>{}|\\^`[] HTTP/1.1\r\n"
	    "\r\n", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, G "X-A: caf\xc3\xa9\tb \"q\"\r\nX-Empty:\r\nX-Sp: \t \r\n"
	    "!#$%&'*+-.^_`|~09azAZ: v:w\r\n\r\n", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, G "Content-Lengthy: x\r\nX-Content-Length: y\r\n"
	    "Transfer-Encoding-X: gzip\r\n"
	    "Content-Length-But-Longer-Than-Thirty-Two-Bytes: z\r\n\r\n", IDLE,
	    1, M(GET), 0),
	GOOD(REQ, L0, "POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
	    IDLE, 1, M(GET), 0),
	/* a body that looks like a request is a body */
	GOOD(REQ, L0, RQ "Content-Length: 19\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
	    IDLE, 1, M(GET), 0),
	/* pipelined: Content-Length, none, chunked, none */
	GOOD(REQ, L0, "POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"
	    "GET /a HTTP/1.1\r\n\r\n"
	    "PUT /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "3\r\nabc\r\n0\r\n\r\n"
	    "HEAD /c HTTP/1.1\r\n\r\n", IDLE, 4, M(HEAD), 0),
	GOOD(REQ, L0, G "Content-Length: 0\r\n\r\n" G "\r\n", IDLE, 2, M(GET),
	    0),
	/* repeated Content-Length: the same number, OWS, any case */
	GOOD(REQ, L0, RQ "Content-Length: 007\r\ncontent-length:7 \r\n"
	    "CONTENT-LENGTH:\t 7\t\r\n\r\n1234567", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, RQ "Transfer-Encoding: \t cHuNkEd \t\r\n\r\n0\r\n\r\n",
	    IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, CH "5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0\r\n\r\n", IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, CH "A\r\n0123456789\r\n0a\r\n0123456789\r\n000\r\n\r\n",
	    IDLE, 1, M(GET), 0),
	GOOD(REQ, L0, CH "000000000000000a\r\n0123456789\r\n0\r\n\r\n", IDLE,
	    1, M(GET), 0),
	/* chunk data is any bytes, CR, LF and NUL included */
	GOOD(REQ, L0, CH "6\r\n\r\n\0\n\r\x80\r\n0\r\n\r\n", IDLE, 1, M(GET),
	    0),
	/* trailers: Content-Length and T-E there are plain fields */
	GOOD(REQ, L0, RQ "Transfer-Encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n"
	    "X-Sum: 1\r\nContent-Length: abc\r\nTransfer-Encoding: gzip\r\n"
	    "\r\n" G "\r\n", IDLE, 2, M(GET), 0),
	/* HTTP/1.0 with chunked passes (see the report) */
	GOOD(REQ, L0, "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"
	    "0\r\n\r\n", IDLE, 1, M(GET), 0),
	/* CONNECT: after its head, anything goes */
	GOOD(REQ, L0, "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443"
	    "\r\n\r\n\x16\x03\x01\0\x05\r\r\n\n : junk\0\xff GET / HTTP/9.9\n",
	    TUNNEL, 1, M(CONNECT), 0),
	GOOD(REQ, L0, "CONNECT a:443 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
	    "\r\n", TUNNEL, 1, M(CONNECT), 0),
	/* requests: cut short */
	GOOD(REQ, L0, "", IDLE, 0, ANY, 0),
	GOOD(REQ, L0, "G", HEAD, 0, ANY, -1),
	GOOD(REQ, L0, G "Host: a\r\n", HEAD, 0, M(GET), -1),
	GOOD(REQ, L0, G "\r\nGET", HEAD, 1, M(GET), -1),
	GOOD(REQ, L0, RQ "Content-Length: 10\r\n\r\nabc", BODY, 1, M(GET), -1),
	GOOD(REQ, L0, RQ "Content-Length: 9999999999999999999\r\n\r\nabc",
	    BODY, 1, M(GET), -1),
	GOOD(REQ, L0, CH "5\r\nhel", BODY, 1, M(GET), -1),
	GOOD(REQ, L0, CH "5\r\nhello\r", BODY, 1, M(GET), -1),
	GOOD(REQ, L0, CH "0\r\nX: y\r\n", BODY, 1, M(GET), -1),
	/* requests: limits, exactly at them and one byte over */
	GOOD(REQ, LS, "GET /123456789012345 HTTP/1.1\r\n"
	    "X: abcdefghijklmnopqrstuvwxyz\r\n\r\n", IDLE, 1, M(GET), 0),
	BAD(REQ, LS, "GET /123456789012345 HTTP/1.1\r\n"
	    "X: abcdefghijklmnopqrstuvwxyz!\r\n\r", "\n", HEAD_LONG, 0),
	BAD(REQ, LS, "GET /123456789012345", "6 HTTP/1.1\r\n\r\n", URI_LONG,
	    0),
	GOOD(REQ, LS, G "X: abcdefghijklmnopqrstuvwxyz0123456789ABCDE\r\n\r\n"
	    G "X: abcdefghijklmnopqrstuvwxyz0123456789ABCDE\r\n\r\n", IDLE, 2,
	    M(GET), 0),
	GOOD(REQ, LS, RQ "Content-Length: 10\r\n\r\n0123456789", IDLE, 1,
	    M(GET), 0),
	BAD(REQ, LS, RQ "Content-Length: 11\r\n\r", "\n01234567890",
	    BODY_LONG, 0),
	GOOD(REQ, LS, CH "5\r\nabcde\r\n5\r\nfghij\r\n0\r\n\r\n", IDLE, 1,
	    M(GET), 0),
	BAD(REQ, LS, CH "5\r\nabcde\r\n", "6\r\nfghijk\r\n0\r\n\r\n",
	    BODY_LONG, 1),
	BAD(REQ, LS, CH "0000", "B\r\n0123456789A\r\n0\r\n\r\n", BODY_LONG, 1),
	BAD(REQ, LS, CH "A\r\n0123456789\r\n0000", "1\r\nx\r\n", BODY_LONG, 1),
	/* a trailer section counts on its own against max_head */
	GOOD(REQ, LS, CH "0\r\nX: abcdefghijklmnopqrstuvwxyz0123456789"
	    "abcdefghijklmnopqrstu\r\n\r\n", IDLE, 1, M(GET), 0),
	BAD(REQ, LS, CH "0\r\nX: abcdefghijklmnopqrstuvwxyz0123456789"
	    "abcdefghijklmnopqrstuv\r\n\r", "\n", HEAD_LONG, 1),

	/* request line */
	BAD(REQ, L0, "", "\r\n" G "\r\n", LINE, 0),
	BAD(REQ, L0, "", "\n" G "\r\n", BARE_LF, 0),
	BAD(REQ, L0, "", " GET / HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET ", " / HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / ", " HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET", "\t/ HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GE", "(T / HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "G", "\xc3\x89T / HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "G", "\0ET / HTTP/1.1\r\n\r\n", NUL, 0),
	BAD(REQ, L0, "GE", "\x7fT / HTTP/1.1\r\n\r\n", CTL, 0),
	BAD(REQ, L0, "GET", "\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET /caf", "\xc3\xa9 HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET /a", "\x7f HTTP/1.1\r\n\r\n", CTL, 0),
	BAD(REQ, L0, "GET /a", "\0 HTTP/1.1\r\n\r\n", NUL, 0),
	BAD(REQ, L0, "GET /a", "\x01 HTTP/1.1\r\n\r\n", CTL, 0),
	BAD(REQ, L0, "GET /a", "\tb HTTP/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET /", "\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET /", "\n\r\n", BARE_LF, 0),
	BAD(REQ, L0, "GET / ", "\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / HTTP/", "2.0\r\n\r\n", VERSION, 0),
	BAD(REQ, L0, "GET / HTTP/", "0.9\r\n\r\n", VERSION, 0),
	BAD(REQ, L0, "GET / HTTP/1.", "2\r\n\r\n", VERSION, 0),
	BAD(REQ, L0, "GET / HTTP/1", "\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / HTTP/1", "1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / HTTP/1.", "x\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / HTTP/1.1", "0\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / ", "http/1.1\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / ", "FOO\r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / HTTP/1.1", " \r\n\r\n", LINE, 0),
	BAD(REQ, L0, "GET / HTTP/1.1", "\n\r\n", BARE_LF, 0),
	BAD(REQ, L0, "GET / HTTP/1.1\r", "Host: a\r\n\r\n", BARE_CR, 0),
	BAD(REQ, L0, "GET / HTTP/1.1\r", "\r\n\r\n", BARE_CR, 0),
	/* field lines */
	BAD(REQ, L0, G "A: b", "\nC: d\r\n\r\n", BARE_LF, 0),
	BAD(REQ, L0, G "A: b\r", "c\r\n\r\n", BARE_CR, 0),
	BAD(REQ, L0, G "A: b\r\n", "\n", BARE_LF, 0),
	BAD(REQ, L0, G "\r", "\r\n", BARE_CR, 0),
	BAD(REQ, L0, G "A: b", "\0c\r\n\r\n", NUL, 0),
	BAD(REQ, L0, G "A", "\0: c\r\n\r\n", NUL, 0),
	BAD(REQ, L0, G, "\0", NUL, 0),
	BAD(REQ, L0, G "A: b", "\x01\r\n\r\n", CTL, 0),
	BAD(REQ, L0, G "A: b", "\x0b\r\n\r\n", CTL, 0),
	BAD(REQ, L0, G "A: b", "\x1b[0m\r\n\r\n", CTL, 0),
	BAD(REQ, L0, G "A: b", "\x7f\r\n\r\n", CTL, 0),
	BAD(REQ, L0, G "A", "\x1f: b\r\n\r\n", CTL, 0),
	BAD(REQ, L0, G "A: b\r\n", " c\r\n\r\n", OBS_FOLD, 0),
	BAD(REQ, L0, G "A: b\r\n", "\tc\r\n\r\n", OBS_FOLD, 0),
	BAD(REQ, L0, G, " A: b\r\n\r\n", OBS_FOLD, 0),
	BAD(REQ, L0, G "Content-Length", " : 3\r\n\r\nabc", FIELD, 0),
	BAD(REQ, L0, G "Host", "\t: a\r\n\r\n", FIELD, 0),
	BAD(REQ, L0, G, ": v\r\n\r\n", FIELD, 0),
	BAD(REQ, L0, G "NoColon", "\r\n\r\n", FIELD, 0),
	BAD(REQ, L0, G "A", " B: c\r\n\r\n", FIELD, 0),
	BAD(REQ, L0, G "A", "(b): c\r\n\r\n", FIELD, 0),
	BAD(REQ, L0, G "X-", "\xc3\xa9: c\r\n\r\n", FIELD, 0),
	BAD(REQ, L0, G, "@A: b\r\n\r\n", FIELD, 0),
	/* Content-Length */
	BAD(REQ, L0, RQ "Content-Length: ", "+3\r\n\r\nabc", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: ", "-1\r\n\r\n", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 3", ", 3\r\n\r\nabc", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 3 ", "3\r\n\r\nabc", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 0", "x10\r\n\r\n", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 3", ".0\r\n\r\nabc", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: ", "\"3\"\r\n\r\nabc", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: ", "\r\n\r\n", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: \t ", "\r\n\r\n", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length:", "\r\n\r\n", CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 1000000000000000000", "0\r\n\r\n",
	    CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 1844674407370955161", "5\r\n\r\n",
	    CL_BAD, 0),
	BAD(REQ, L0, RQ "Content-Length: 3\r\nContent-Length: 5", "\r\n\r\n"
	    "abcde", CL_DUP, 0),
	BAD(REQ, L0, RQ "Content-Length: 3\r\ncontent-length: 30", "\r\n\r\n",
	    CL_DUP, 0),
	BAD(REQ, L0, RQ "Content-Length: 0\r\nContent-Length: 00\r\n"
	    "Content-Length: 1", "\r\n\r\nx", CL_DUP, 0),
	/* Transfer-Encoding */
	BAD(REQ, L0, RQ "Content-Length: 3\r\nTransfer-Encoding",
	    ": chunked\r\n\r\n", CL_TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunked\r\nContent-Length",
	    ": 3\r\n\r\n", CL_TE, 0),
	BAD(REQ, L0, RQ "Content-Length: 0\r\nTRANSFER-ENCODING",
	    ": chunked\r\n\r\n", CL_TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: ", "gzip\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: ", "gzip, chunked\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunked", ", chunked\r\n\r\n", TE,
	    0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunked ", "chunked\r\n\r\n", TE,
	    0),
	BAD(REQ, L0, RQ "Transfer-Encoding: ", "xchunked\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunked", ";q=1\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunked", "x\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunk", "\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: ", "\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: ", "identity\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: ", "\"chunked\"\r\n\r\n", TE, 0),
	BAD(REQ, L0, RQ "Transfer-Encoding: chunked\r\nTransfer-Encoding",
	    ": chunked\r\n\r\n", TE, 0),
	/* bodies on methods that have none */
	BAD(REQ, L0, "HEAD / HTTP/1.1\r\nContent-Length: 5\r\n\r", "\nhello",
	    BODY_METHOD, 0),
	BAD(REQ, L0, "TRACE / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r",
	    "\n0\r\n\r\n", BODY_METHOD, 0),
	BAD(REQ, L0, "PROPFIND / HTTP/1.1\r\nContent-Length: 1\r\n\r", "\nx",
	    BODY_METHOD, 0),
	BAD(REQ, L0, "get / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r",
	    "\n0\r\n\r\n", BODY_METHOD, 0),
	BAD(REQ, L0, "CONNECT a:443 HTTP/1.1\r\nContent-Length: 2\r\n\r",
	    "\nab", BODY_METHOD, 0),
	/* the second of pipelined requests */
	BAD(REQ, L0, G "\r\n" G "Foo", " : bar\r\n\r\n", FIELD, 1),
	BAD(REQ, L0, RQ "Content-Length: 4\r\n\r\nabcd", "\r\n" G "\r\n",
	    LINE, 1),
	/* one byte more than Content-Length: the next "method" is "d" */
	BAD(REQ, L0, RQ "Content-Length: 3\r\n\r\nabcd", ": x\r\n\r\n" G,
	    LINE, 1),
	/* chunk-size lines and chunk framing */
	BAD(REQ, L0, CH "0", "x10\r\n", CHUNK, 1),
	BAD(REQ, L0, CH, "+5\r\nhello\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH, "-5\r\n", CHUNK, 1),
	BAD(REQ, L0, CH, " 5\r\nhello\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5", " \r\nhello\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5", "\t\r\nhello\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH, "\r\n", CHUNK, 1),
	BAD(REQ, L0, CH, "g\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5", "\0\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5", ";a=b\r\nhello\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "0", ";ext\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "0000000000000000", "1\r\nx\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5", "\nhello\r\n0\r\n\r\n", BARE_LF, 1),
	BAD(REQ, L0, CH "5\r", "hello\r\n0\r\n\r\n", BARE_CR, 1),
	BAD(REQ, L0, CH "5\r\nhello", "X\r\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5\r\nhello", "\n0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "5\r\nhello\r", "0\r\n\r\n", CHUNK, 1),
	BAD(REQ, L0, CH "3\r\nhel", "lo\r\n0\r\n\r\n", CHUNK, 1),
	/* trailer sections */
	BAD(REQ, L0, CH "0\r\nA: b\r\n", " c\r\n\r\n", OBS_FOLD, 1),
	BAD(REQ, L0, CH "0\r\n", " A: b\r\n\r\n", OBS_FOLD, 1),
	BAD(REQ, L0, CH "0\r\n", "\n", BARE_LF, 1),
	BAD(REQ, L0, CH "0\r\n\r", "X", BARE_CR, 1),
	BAD(REQ, L0, CH "0\r\nA: ", "\0\r\n\r\n", NUL, 1),
	BAD(REQ, L0, CH "0\r\nA: ", "\x7f\r\n\r\n", CTL, 1),
	BAD(REQ, L0, CH "0\r\nNoColon", "\r\n\r\n", FIELD, 1),
	BAD(REQ, L0, CH "0\r\nA", " : b\r\n\r\n", FIELD, 1),

	/* responses: valid forms */
	GOOD(RSP, L0, OK200 "Content-Length: 5\r\n\r\nhello", DONE, 1, 200, 0),
	GOOD(RSP, L0, OK200 "Content-Length: 0\r\n\r\n", DONE, 1, 200, 0),
	GOOD(RSP, L0, "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nclose-delimited "
	    "\0\r\n\n\x7f\xff HTTP/1.1 200 OK\r\n", BODY, 1, 200, 0),
	GOOD(RSP, L0, "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", DONE, 1,
	    200, 0),
	GOOD(RSP, L0, "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", DONE, 1, 200,
	    0),
	GOOD(RSP, L0, "HTTP/1.1 404 Nicht\tGef\xc3\xbcnden (x) \"y\"\r\n"
	    "Content-Length: 0\r\n\r\n", DONE, 1, 404, 0),
	GOOD(RSP, L0, "HTTP/1.1 599 x\r\nContent-Length: 1\r\n\r\nx", DONE, 1,
	    599, 0),
	GOOD(RSP, L0, "HTTP/1.1 999 x\r\n\r\n", BODY, 1, 999, 0),
	GOOD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"
	    "B\r\nhello world\r\n0\r\nExpires: 0\r\n\r\n", DONE, 1, 200, 0),
	GOOD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    DONE, 1, 200, 0),
	/* interim 1xx heads, counted; 101 switches to a tunnel */
	GOOD(RSP, L0, "HTTP/1.1 100 Continue\r\n\r\n" OK200
	    "Content-Length: 2\r\n\r\nok", DONE, 2, 200, 0),
	GOOD(RSP, L0, "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; "
	    "rel=preload\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 204 No Content\r\n\r\n", DONE, 3, 204, 0),
	GOOD(RSP, L0, "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
	    OK200 "Content-Length: 0\r\n\r\n", DONE, 2, 200, 0),
	GOOD(RSP, L0, "HTTP/1.1 100 Continue\r\n\r\n", HEAD, 1, 100, -1),
	GOOD(RSP, L0, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket"
	    "\r\nConnection: Upgrade\r\n\r\n\x81\x05hello\0\r\n\n", TUNNEL, 1,
	    101, 0),
	/* no body: 204, 304, a response to HEAD, whatever the fields say */
	GOOD(RSP, L0, "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
	    DONE, 1, 204, 0),
	GOOD(RSP, L0, "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n"
	    "ETag: \"x\"\r\n\r\n", DONE, 1, 304, 0),
	GOOD(RSP, L0, "HTTP/1.1 304 Not Modified\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", DONE, 1, 304, 0),
	GOOD(RSPH, L0, OK200 "Content-Length: 1000\r\n\r\n", DONE, 1, 200, 0),
	GOOD(RSPH, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n", DONE, 1, 200,
	    0),
	GOOD(RSPH, L0, "HTTP/1.1 404 Not Found\r\n\r\n", DONE, 1, 404, 0),
	/* responses: cut short */
	GOOD(RSP, L0, "", IDLE, 0, ANY, 0),
	GOOD(RSP, L0, OK200 "Content-Le", HEAD, 0, 200, -1),
	GOOD(RSP, L0, OK200 "Content-Length: 10\r\n\r\nabc", BODY, 1, 200, -1),
	GOOD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n5\r\nhel", BODY,
	    1, 200, -1),
	GOOD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n", BODY,
	    1, 200, -1),
	/* responses: max_head per head; max_uri and max_body unused */
	GOOD(RSP, LS, "HTTP/1.1 100 Continue\r\nX-Pad: "
	    "0123456789012345678901234567\r\n\r\n" OK200
	    "Content-Length: 11\r\n\r\nhello world", DONE, 2, 200, 0),
	GOOD(RSP, LS, "HTTP/1.1 200 rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"
	    "\r\n\r\n", BODY, 1, 200, 0),
	BAD(RSP, LS, OK200 "X-Pad: abcdefghijklmnopqrstuvwxyz0123456789A\r\n"
	    "\r", "\n", HEAD_LONG, 0),

	/* responses: data after the end */
	BAD(RSP, L0, OK200 "Content-Length: 2\r\n\r\nok", "X", EXCESS, 1),
	BAD(RSP, L0, OK200 "Content-Length: 0\r\n\r\n", "\r\n", EXCESS, 1),
	BAD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	    "\r\n", EXCESS, 1),
	BAD(RSP, L0, "HTTP/1.1 204 No Content\r\n\r\n", OK200 "\r\n", EXCESS,
	    1),
	BAD(RSP, L0, "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n",
	    "hello", EXCESS, 1),
	BAD(RSPH, L0, OK200 "Content-Length: 5\r\n\r\n", "hello", EXCESS, 1),
	/* status line */
	BAD(RSP, L0, "", "\r\n" OK200 "\r\n", LINE, 0),
	BAD(RSP, L0, "", "ICY 200 OK\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/", "2 200 OK\r\n\r\n", VERSION, 0),
	BAD(RSP, L0, "HTTP/1.", "2 200 OK\r\n\r\n", VERSION, 0),
	BAD(RSP, L0, "HTTP/1.1", "\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 ", " 200 OK\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 20", " OK\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 20", "\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 200", "0 OK\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 ", "099 Low\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 2", "x0 OK\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 200", "\tOK\r\n\r\n", LINE, 0),
	BAD(RSP, L0, "HTTP/1.1 200 O", "\0K\r\n\r\n", NUL, 0),
	BAD(RSP, L0, "HTTP/1.1 200 O", "\x7fK\r\n\r\n", CTL, 0),
	BAD(RSP, L0, "HTTP/1.1 200 OK", "\n\r\n", BARE_LF, 0),
	BAD(RSP, L0, "HTTP/1.1 200 O\r", "K\r\n\r\n", BARE_CR, 0),
	BAD(RSP, L0, "HTTP/1.1 100 Continue\r\n\r\n", "\r\n" OK200 "\r\n",
	    LINE, 1),
	/* response fields */
	BAD(RSP, L0, OK200 "A: b\r\n", " c\r\n\r\n", OBS_FOLD, 0),
	BAD(RSP, L0, OK200, "\tA: b\r\n\r\n", OBS_FOLD, 0),
	BAD(RSP, L0, OK200 "Content-Length", " : 5\r\n\r\n", FIELD, 0),
	BAD(RSP, L0, OK200 "X", "\0: a\r\n\r\n", NUL, 0),
	BAD(RSP, L0, OK200 "X: ", "\x01\r\n\r\n", CTL, 0),
	BAD(RSP, L0, OK200 "Content-Length: ", "-1\r\n\r\n", CL_BAD, 0),
	BAD(RSP, L0, OK200 "Content-Length: 5\r\nContent-Length: 6",
	    "\r\n\r\nhello", CL_DUP, 0),
	BAD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\nContent-Length",
	    ": 5\r\n\r\n", CL_TE, 0),
	BAD(RSP, L0, OK200 "Transfer-Encoding: ", "gzip, chunked\r\n\r\n", TE,
	    0),
	/* no body, but CL and TE are still checked */
	BAD(RSPH, L0, OK200 "Content-Length: ", "abc\r\n\r\n", CL_BAD, 0),
	BAD(RSPH, L0, OK200 "Content-Length: 1\r\nTransfer-Encoding",
	    ": chunked\r\n\r\n", CL_TE, 0),
	BAD(RSP, L0, "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked"
	    "\r\nContent-Length", ": 0\r\n\r\n", CL_TE, 0),
	BAD(RSP, L0, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n"
	    "Content-Length: 1", "\r\n\r\n", CL_DUP, 0),
	BAD(RSP, L0, "HTTP/1.1 100 Continue\r\nTransfer-Encoding: ", "gzip\r\n"
	    "\r\n", TE, 0),
	/* response chunks */
	BAD(RSP, L0, "HTTP/1.1 100 Continue\r\n\r\n" OK200
	    "Transfer-Encoding: chunked\r\n\r\n5", ";x\r\nhello\r\n0\r\n\r\n",
	    CHUNK, 2),
	BAD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n5\r\nhello",
	    "0\r\n\r\n", CHUNK, 1),
	BAD(RSP, L0, OK200 "Transfer-Encoding: chunked\r\n\r\n0\r\nA: b\r\n",
	    " c\r\n\r\n", OBS_FOLD, 1),
};

/* Initializes f for row r. */
static void
check_frame_setup(struct http_frame *f, const struct check_frame_row *r)
{
	http_frame_init(f, r->kind == REQ ? HTTP_FRAME_REQUEST :
	    HTTP_FRAME_RESPONSE, frame_limits[r->lim].head,
	    frame_limits[r->lim].uri, frame_limits[r->lim].body);
	if (r->kind != REQ)
		http_frame_expect(f, r->kind == RSPH);
}

/*
 * Fails unless f, having reached offset pos of row i's stream, is what
 * the row wants; how, a and b name the way it was fed.  (A passing
 * ck_assert costs a write in Check, and this runs a million times.)
 */
static void
check_frame_expect(int i, const struct http_frame *f, size_t pos,
    const char *how, size_t a, size_t b)
{
	const struct check_frame_row	*r = &frame_rows[i];
	struct http_frame		 g = *f;
	int				 eof = http_frame_eof(&g);
	int				 last;

	last = r->kind == REQ ? f->method : f->status;
	if (f->error != r->err || pos != r->oklen || f->state != r->state ||
	    f->messages != r->messages || (r->last != ANY && last != r->last) ||
	    eof != r->eof)
		ck_abort_msg("row %d (%s %zu %zu): error %d offset %zu state %d"
		    " messages %llu method/status %d eof %d; want %d %zu %d"
		    " %llu %d %d", i, how, a, b, f->error, pos, f->state,
		    (unsigned long long)f->messages, last, eof, r->err,
		    r->oklen, r->state, (unsigned long long)r->messages,
		    r->last, r->eof);
	if (memcmp(&g, f, sizeof(g)) != 0)
		ck_abort_msg("row %d: http_frame_eof changed the checker", i);
}

/* The row's whole stream: ok then bad, in buf (len bytes). */
static size_t
check_frame_stream(const struct check_frame_row *r, char *buf, size_t size)
{
	ck_assert_uint_le(r->oklen + r->badlen, size);
	memcpy(buf, r->ok, r->oklen);
	memcpy(buf + r->oklen, r->bad, r->badlen);
	return (r->oklen + r->badlen);
}

/*
 * Feeds buf[0..len) cut at a and b (a <= b) to f, stopping at an error;
 * returns the offset in buf where it stopped (len if none).
 */
static size_t
check_frame_feed3(struct http_frame *f, const char *buf, size_t len,
    size_t a, size_t b)
{
	size_t	 cut[4], k, r;

	cut[0] = 0;
	cut[1] = a;
	cut[2] = b;
	cut[3] = len;
	for (k = 0; k < 3; k++) {
		r = http_frame_feed(f, buf + cut[k], cut[k + 1] - cut[k]);
		if (f->state == HTTP_FRAME_FAILED)
			return (cut[k] + r);
		if (r != cut[k + 1] - cut[k])
			ck_abort_msg("accepted %zu of %zu", r,
			    cut[k + 1] - cut[k]);
	}
	return (len);
}

/* Feeds the row whole, then cut in two at every offset. */
START_TEST(test_frame_row)
{
	const struct check_frame_row	*r = &frame_rows[_i];
	struct http_frame		 f;
	char				 buf[1024];
	size_t				 len, a, pos;

	len = check_frame_stream(r, buf, sizeof(buf));
	for (a = 0; a <= len; a++) {
		check_frame_setup(&f, r);
		pos = check_frame_feed3(&f, buf, len, a, a);
		check_frame_expect(_i, &f, pos, "cut at", a, a);
	}
}
END_TEST

/* Feeds the row one byte per call. */
START_TEST(test_frame_row_bytes)
{
	const struct check_frame_row	*r = &frame_rows[_i];
	struct http_frame		 f;
	char				 buf[1024];
	size_t				 len, pos, got;

	len = check_frame_stream(r, buf, sizeof(buf));
	check_frame_setup(&f, r);
	for (pos = 0; pos < len; pos++) {
		got = http_frame_feed(&f, buf + pos, 1);
		if (f.state == HTTP_FRAME_FAILED) {
			if (got != 0)
				ck_abort_msg("row %d: error at %zu", _i, got);
			break;
		}
		if (got != 1)
			ck_abort_msg("row %d: accepted %zu of 1", _i, got);
	}
	check_frame_expect(_i, &f, pos, "bytes", 0, 0);
}
END_TEST

/* Feeds the row cut in three at every pair of offsets. */
START_TEST(test_frame_row_cuts)
{
	const struct check_frame_row	*r = &frame_rows[_i];
	struct http_frame		 f;
	char				 buf[1024];
	size_t				 len, a, b, pos;

	len = check_frame_stream(r, buf, sizeof(buf));
	for (a = 1; a < len; a++)
		for (b = a + 1; b < len; b++) {
			check_frame_setup(&f, r);
			pos = check_frame_feed3(&f, buf, len, a, b);
			check_frame_expect(_i, &f, pos, "cut at", a, b);
		}
}
END_TEST

/* A fresh checker; a response checker starts armed for a GET. */
START_TEST(test_frame_init)
{
	static const char	 rsp[] = OK200 "Content-Length: 0\r\n\r\n";
	struct http_frame	 f;

	http_frame_init(&f, HTTP_FRAME_REQUEST, 1, 2, 3);
	ck_assert_int_eq(f.kind, HTTP_FRAME_REQUEST);
	ck_assert_uint_eq(f.max_head, 1);
	ck_assert_uint_eq(f.max_uri, 2);
	ck_assert_uint_eq(f.max_body, 3);
	ck_assert_int_eq(f.state, HTTP_FRAME_IDLE);
	ck_assert_int_eq(f.error, HTTP_FRAME_OK);
	ck_assert_uint_eq(f.messages, 0);
	ck_assert_uint_eq(http_frame_feed(&f, "", 0), 0);
	ck_assert_int_eq(f.state, HTTP_FRAME_IDLE);
	ck_assert_int_eq(http_frame_eof(&f), 0);

	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 0);
	ck_assert_int_eq(f.state, HTTP_FRAME_IDLE);
	ck_assert_uint_eq(http_frame_feed(&f, rsp, sizeof(rsp) - 1),
	    sizeof(rsp) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_DONE);
	ck_assert_int_eq(f.status, 200);
}
END_TEST

/* After an error every feed returns 0 and the error stays. */
START_TEST(test_frame_sticky)
{
	static const char	 bad[] = G "Host : a\r\n\r\n";
	static const char	 good[] = G "\r\n";
	static const char	 rsp[] = OK200 "Content-Length: 0\r\n\r\n";
	struct http_frame	 f;

	http_frame_init(&f, HTTP_FRAME_REQUEST, 0, 0, 0);
	ck_assert_uint_eq(http_frame_feed(&f, bad, sizeof(bad) - 1), 20);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_FIELD);
	ck_assert_uint_eq(http_frame_feed(&f, good, sizeof(good) - 1), 0);
	ck_assert_uint_eq(http_frame_feed(&f, "\0", 1), 0);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_FIELD);
	ck_assert_int_eq(f.state, HTTP_FRAME_FAILED);
	ck_assert_uint_eq(f.messages, 0);
	ck_assert_int_eq(http_frame_eof(&f), -1);

	/* http_frame_expect does not clear a failure */
	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 0);
	ck_assert_uint_eq(http_frame_feed(&f, "HTTP/1.1 200 OK\n", 16), 15);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_BARE_LF);
	http_frame_expect(&f, 0);
	ck_assert_uint_eq(http_frame_feed(&f, rsp, sizeof(rsp) - 1), 0);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_BARE_LF);
	ck_assert_int_eq(f.state, HTTP_FRAME_FAILED);
	ck_assert_int_eq(http_frame_eof(&f), -1);
}
END_TEST

/* Responses one after another, each armed by http_frame_expect. */
START_TEST(test_frame_expect)
{
	static const char	 r1[] = OK200 "Content-Length: 2\r\n\r\nok";
	static const char	 r2[] = OK200 "Content-Length: 2\r\n\r\n";
	static const char	 r3[] = "HTTP/1.1 100 Continue\r\n\r\n" OK200
	    "Transfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
	static const char	 r4[] = OK200 "\r\nclose-delimited";
	static const char	 two[] = OK200 "Content-Length: 1\r\n\r\nx"
	    OK200 "\r\n";
	struct http_frame	 f;

	http_frame_init(&f, HTTP_FRAME_RESPONSE, 64, 0, 0);
	http_frame_expect(&f, 0);
	ck_assert_uint_eq(http_frame_feed(&f, r1, sizeof(r1) - 1),
	    sizeof(r1) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_DONE);
	ck_assert_int_eq(http_frame_eof(&f), 0);
	http_frame_expect(&f, 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_IDLE);
	ck_assert_uint_eq(http_frame_feed(&f, r2, sizeof(r2) - 1),
	    sizeof(r2) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_DONE);
	http_frame_expect(&f, 0);
	ck_assert_uint_eq(http_frame_feed(&f, r3, sizeof(r3) - 1),
	    sizeof(r3) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_DONE);
	ck_assert_uint_eq(f.messages, 4);
	/* a HEAD expectation does not stick to the next response */
	http_frame_expect(&f, 0);
	ck_assert_uint_eq(http_frame_feed(&f, r4, sizeof(r4) - 1),
	    sizeof(r4) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_BODY);
	ck_assert_int_eq(http_frame_eof(&f), 0);

	/* in the middle of a message, expect resets */
	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 0);
	ck_assert_uint_eq(http_frame_feed(&f, r1, 30), 30);
	ck_assert_int_eq(f.state, HTTP_FRAME_HEAD);
	http_frame_expect(&f, 0);
	ck_assert_uint_eq(http_frame_feed(&f, r1, sizeof(r1) - 1),
	    sizeof(r1) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_DONE);

	/* a second response before expect: E_EXCESS at its first byte */
	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 0);
	ck_assert_uint_eq(http_frame_feed(&f, two, sizeof(two) - 1), 39);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_EXCESS);
	ck_assert_uint_eq(f.messages, 1);
}
END_TEST

/*
 * Bodies and chunks over 4 GiB, fed 1 MiB per call: the checker skips
 * them without looking at the bytes, so this is fast.
 */
START_TEST(test_frame_big_body)
{
	static const char	 cl[] = OK200
	    "Content-Length: 4294967306\r\n\r\n";
	static const char	 te[] = RQ "Transfer-Encoding: chunked\r\n\r\n"
	    "10000000a\r\n";
	static const char	 end[] = "\r\n0\r\n\r\n";
	static char		 zeros[1 << 20];
	struct http_frame	 f;
	int			 i;

	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 0);
	ck_assert_uint_eq(http_frame_feed(&f, cl, sizeof(cl) - 1),
	    sizeof(cl) - 1);
	for (i = 0; i < 4096; i++)
		ck_assert_uint_eq(http_frame_feed(&f, zeros, sizeof(zeros)),
		    sizeof(zeros));
	ck_assert_int_eq(f.state, HTTP_FRAME_BODY);
	ck_assert_int_eq(http_frame_eof(&f), -1);
	ck_assert_uint_eq(http_frame_feed(&f, zeros, 11), 10);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_EXCESS);

	http_frame_init(&f, HTTP_FRAME_REQUEST, 0, 0, 0);
	ck_assert_uint_eq(http_frame_feed(&f, te, sizeof(te) - 1),
	    sizeof(te) - 1);
	for (i = 0; i < 4096; i++)
		ck_assert_uint_eq(http_frame_feed(&f, zeros, sizeof(zeros)),
		    sizeof(zeros));
	ck_assert_uint_eq(http_frame_feed(&f, zeros, 10), 10);
	ck_assert_int_eq(f.state, HTTP_FRAME_BODY);
	ck_assert_uint_eq(http_frame_feed(&f, end, sizeof(end) - 1),
	    sizeof(end) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_IDLE);
	ck_assert_uint_eq(f.messages, 1);

	/* the same chunk is over a 4 GiB max_body, at its last digit */
	http_frame_init(&f, HTTP_FRAME_REQUEST, 0, 0, 4294967296ULL);
	ck_assert_uint_eq(http_frame_feed(&f, te, sizeof(te) - 1),
	    sizeof(te) - 4);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_BODY_LONG);
}
END_TEST

/* The status each error deserves. */
static const struct {
	enum http_frame_error	 e;
	int			 status;
} status_rows[] = {
	{ HTTP_FRAME_OK, 200 },
	{ HTTP_FRAME_E_LINE, 400 },
	{ HTTP_FRAME_E_VERSION, 400 },
	{ HTTP_FRAME_E_URI_LONG, 414 },
	{ HTTP_FRAME_E_HEAD_LONG, 431 },
	{ HTTP_FRAME_E_FIELD, 400 },
	{ HTTP_FRAME_E_NUL, 400 },
	{ HTTP_FRAME_E_CTL, 400 },
	{ HTTP_FRAME_E_BARE_CR, 400 },
	{ HTTP_FRAME_E_BARE_LF, 400 },
	{ HTTP_FRAME_E_OBS_FOLD, 400 },
	{ HTTP_FRAME_E_CL_BAD, 400 },
	{ HTTP_FRAME_E_CL_DUP, 400 },
	{ HTTP_FRAME_E_CL_TE, 400 },
	{ HTTP_FRAME_E_TE, 400 },
	{ HTTP_FRAME_E_CHUNK, 400 },
	{ HTTP_FRAME_E_BODY_LONG, 413 },
	{ HTTP_FRAME_E_BODY_METHOD, 400 },
	{ HTTP_FRAME_E_EXCESS, 400 },
	{ HTTP_FRAME_E_CHUNK_LONG, 400 },
};

/* A response checker's max_body caps each chunk, not the whole body. */
START_TEST(test_frame_chunk_cap)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n";
	static const char ok[] = "10\r\n0123456789abcdef\r\n"
	    "10\r\n0123456789abcdef\r\n0\r\n\r\n";
	struct http_frame	 f;

	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 16);
	ck_assert_uint_eq(http_frame_feed(&f, head, sizeof(head) - 1),
	    sizeof(head) - 1);
	/* two 16-byte chunks: 32 bytes of body, each chunk within the cap */
	ck_assert_uint_eq(http_frame_feed(&f, ok, sizeof(ok) - 1),
	    sizeof(ok) - 1);
	ck_assert_int_eq(f.state, HTTP_FRAME_DONE);

	http_frame_init(&f, HTTP_FRAME_RESPONSE, 0, 0, 16);
	http_frame_feed(&f, head, sizeof(head) - 1);
	/* 0x11 = 17: the second digit takes it over */
	ck_assert_uint_eq(http_frame_feed(&f, "11\r\n", 4), 1);
	ck_assert_int_eq(f.error, HTTP_FRAME_E_CHUNK_LONG);
}
END_TEST

START_TEST(test_frame_status)
{
	ck_assert_int_eq(http_frame_status(status_rows[_i].e),
	    status_rows[_i].status);
}
END_TEST

/* Every error has its own short lower-case phrase. */
START_TEST(test_frame_strerror)
{
	const char	*s, *t;
	int		 e, e2;

	ck_assert_int_eq(NROWS(status_rows), HTTP_FRAME_E_MAX);
	for (e = 0; e < HTTP_FRAME_E_MAX; e++) {
		s = http_frame_strerror((enum http_frame_error)e);
		ck_assert_ptr_nonnull(s);
		/* lower case, but for acronyms ("NUL byte ...") */
		ck_assert_msg((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' &&
		    s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'), "%d: '%s'", e,
		    s);
		ck_assert_msg(strlen(s) < 48 && s[strlen(s) - 1] != '.',
		    "%d: '%s'", e, s);
		for (e2 = 0; e2 < e; e2++) {
			t = http_frame_strerror((enum http_frame_error)e2);
			ck_assert_msg(strcmp(s, t) != 0, "%d, %d: '%s'", e2,
			    e, s);
		}
	}
	ck_assert_str_eq(http_frame_strerror(HTTP_FRAME_E_CL_TE),
	    "both Content-Length and Transfer-Encoding");
	ck_assert_ptr_nonnull(http_frame_strerror(HTTP_FRAME_E_MAX));
}
END_TEST

Suite *http_frame_suite(void);

/* The table, split and API tests, one TCase each. */
Suite *
http_frame_suite(void)
{
	Suite	*s = suite_create("http_frame");
	TCase	*tc;

	tc = tcase_create("rows");
	tcase_add_loop_test(tc, test_frame_row, 0, NROWS(frame_rows));
	tcase_add_loop_test(tc, test_frame_row_bytes, 0, NROWS(frame_rows));
	tcase_add_loop_test(tc, test_frame_row_cuts, 0, NROWS(frame_rows));
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_test(tc, test_frame_init);
	tcase_add_test(tc, test_frame_sticky);
	tcase_add_test(tc, test_frame_expect);
	tcase_add_test(tc, test_frame_big_body);
	tcase_add_loop_test(tc, test_frame_status, 0, NROWS(status_rows));
	tcase_add_test(tc, test_frame_chunk_cap);
	tcase_add_test(tc, test_frame_strerror);
	suite_add_tcase(s, tc);
	return (s);
}

/* Runs the suite; exits non-zero if any test failed. */
int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(http_frame_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
