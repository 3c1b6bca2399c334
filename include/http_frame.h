/*
 * http_frame.h: a strict, incremental HTTP/1.1 framing checker (pure).
 *
 * evhttp 2.1 is lenient where a proxy must not be (shared/notes §5):
 * duplicate Content-Length, obs-fold, bare LF, "+3" lengths, TE
 * "xchunked", bodies on HEAD.  Two parsers that disagree on where a
 * message ends are how requests are smuggled.  So every byte a client or
 * an origin sends passes through this checker *before* evhttp parses it;
 * the checker follows the message framing exactly as RFC 9112 defines it
 * (request or status line, header section, Content-Length or chunked
 * body, trailers) and stops at the first byte that is not well-formed.
 *
 * It keeps no copy of the stream: a fixed-size struct, fed any split of
 * the bytes, gives the same answer.
 *
 * The offset of an error is that of the first byte after which the
 * stream can no longer be valid: for a bare CR the byte after the CR;
 * for an empty, malformed-at-the-end or conflicting Content-Length or
 * Transfer-Encoding value the CR that ends it (E_CL_TE and a second
 * Transfer-Encoding field: the ':' after the name); for a body the
 * method or max_body forbids, the LF that ends the head.
 */
#ifndef EVPROXY_HTTP_FRAME_H
#define EVPROXY_HTTP_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum http_frame_kind {
	HTTP_FRAME_REQUEST,	/* client -> proxy; pipelined requests */
	HTTP_FRAME_RESPONSE	/* origin -> proxy; one response per expect */
};

/* Why a stream was rejected (http_frame_strerror() names it). */
enum http_frame_error {
	HTTP_FRAME_OK = 0,
	HTTP_FRAME_E_LINE,	/* malformed request or status line */
	HTTP_FRAME_E_VERSION,	/* "HTTP/" DIGIT "." DIGIT, not 1.0 or 1.1 */
	HTTP_FRAME_E_URI_LONG,	/* request-target > max_uri (414) */
	HTTP_FRAME_E_HEAD_LONG,	/* line + headers > max_head (431) */
	HTTP_FRAME_E_FIELD,	/* malformed header field (name, colon) */
	HTTP_FRAME_E_NUL,	/* NUL byte in the head */
	HTTP_FRAME_E_CTL,	/* other control character in the head */
	HTTP_FRAME_E_BARE_CR,	/* CR not followed by LF */
	HTTP_FRAME_E_BARE_LF,	/* LF without CR */
	HTTP_FRAME_E_OBS_FOLD,	/* line folding (RFC 9112 §5.2) */
	HTTP_FRAME_E_CL_BAD,	/* Content-Length not 1*DIGIT, overflow */
	HTTP_FRAME_E_CL_DUP,	/* Content-Lengths that differ */
	HTTP_FRAME_E_CL_TE,	/* both Content-Length and Transfer-Encoding */
	HTTP_FRAME_E_TE,	/* a transfer coding other than "chunked" */
	HTTP_FRAME_E_CHUNK,	/* bad chunk-size line or chunk terminator */
	HTTP_FRAME_E_BODY_LONG,	/* body > max_body (413) */
	HTTP_FRAME_E_BODY_METHOD, /* body on HEAD, TRACE or unknown method */
	HTTP_FRAME_E_EXCESS,	/* response: bytes after the message end */
	HTTP_FRAME_E_CHUNK_LONG, /* response: a chunk larger than max_body */
	HTTP_FRAME_E_MAX
};

/* Where the checker is in the current message. */
enum http_frame_state {
	HTTP_FRAME_IDLE,	/* between messages (nothing pending) */
	HTTP_FRAME_HEAD,	/* inside a head, or after a 1xx interim one */
	HTTP_FRAME_BODY,	/* inside a body, chunked framing, trailers */
	HTTP_FRAME_TUNNEL,	/* after CONNECT or a 101 head: no checks */
	HTTP_FRAME_DONE,	/* response: message complete (EXCESS next) */
	HTTP_FRAME_FAILED	/* error set; feeding again fails again */
};

struct http_frame {
	/* set by http_frame_init(); read-only afterwards */
	enum http_frame_kind	 kind;
	size_t			 max_head;	/* 0 = unlimited */
	size_t			 max_uri;	/* 0 = unlimited (requests) */
	uint64_t		 max_body;	/* 0 = unlimited */

	/* results */
	enum http_frame_state	 state;
	enum http_frame_error	 error;
	uint64_t		 messages;	/* heads accepted so far */
	int			 method;	/* HTTP_FRAME_M_* (at its SP) */
	int			 status;	/* response: status code */

	/* private: the scanner's state (see http_frame.c) */
	int			 st;		/* fine-grained state */
	int			 expect_head;	/* response to a HEAD request */
	size_t			 head_len;	/* bytes of this head so far */
	size_t			 tok_len;	/* target/version/digits */
	uint64_t		 cl;		/* Content-Length value */
	uint64_t		 left;		/* body/chunk bytes still due */
	uint64_t		 body;		/* chunk data of this message */
	int			 hflags;	/* seen CL / TE / ... */
	char			 name[32];	/* field name (lower, prefix) */
	size_t			 name_len;
	char			 val[64];	/* CL digits or TE prefix */
	size_t			 val_len;
	char			 mtok[16];	/* method token (prefix) */
	size_t			 mtok_len;
};

/* The method of the last request head, as far as framing cares. */
#define HTTP_FRAME_M_OTHER	0	/* unknown token: no body allowed */
#define HTTP_FRAME_M_GET	1	/* GET POST PUT PATCH DELETE OPTIONS */
#define HTTP_FRAME_M_HEAD	2
#define HTTP_FRAME_M_CONNECT	3
#define HTTP_FRAME_M_TRACE	4

/*
 * Starts a checker.  max_head bounds the start line plus the header
 * section (and, separately, each trailer section and each interim 1xx
 * head), max_uri the request-target, max_body each request body, and for
 * responses each chunk (evhttp buffers a whole chunk); 0 means no limit.
 * Responses ignore max_uri.  A response checker
 * starts armed as if by http_frame_expect(f, 0).
 */
void	http_frame_init(struct http_frame *f, enum http_frame_kind kind,
	    size_t max_head, size_t max_uri, uint64_t max_body);

/*
 * Response checkers only: the next response answers a request with this
 * method (head: a HEAD request, so the response has no body).  Call
 * before each request is sent; it re-arms a DONE (or IDLE) checker for
 * the next response.  Called in any other state it resets the checker
 * all the same, except that FAILED stays FAILED.
 */
void	http_frame_expect(struct http_frame *f, int head);

/*
 * Checks the next n bytes of the stream.  Returns the number of bytes
 * accepted: n, or, on error, the offset of the offending byte in p
 * (f->error then says why and f->state is FAILED).  In TUNNEL state and
 * in a close-delimited response body every byte is accepted unchecked.
 * Once FAILED, it returns 0 and keeps the error.  A response checker
 * that is DONE fails any further byte with E_EXCESS.
 */
size_t	http_frame_feed(struct http_frame *f, const char *p, size_t n);

/*
 * The peer closed the connection.  Response checkers: returns 0 if the
 * message ended cleanly (IDLE, DONE, TUNNEL, or in a close-delimited
 * body), -1 if it was cut short (in a head, after a 1xx head, in a
 * Content-Length or chunked body) or FAILED.  Request checkers: 0 when
 * IDLE or TUNNEL, else -1.  The state does not change.
 */
int	http_frame_eof(struct http_frame *f);

/* A short lower-case description of an error, for logs and pages. */
const char *http_frame_strerror(enum http_frame_error e);

/* The status a request error deserves: 400, 413, 414 or 431. */
int	http_frame_status(enum http_frame_error e);

#endif
