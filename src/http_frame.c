/*
 * http_frame.c: a strict, incremental HTTP/1.1 framing checker
 * (RFC 9112 §2-§7, http_frame.h).
 *
 * A switch over fine states (enum http_frame_st) follows the start line,
 * the field lines and the body framing one byte at a time; a body of
 * known length, a close-delimited body and a tunnel are skipped in one
 * step per call.  Nothing is copied: the struct keeps counters and short
 * prefixes of the method, the field name and a Content-Length or
 * Transfer-Encoding value, so any split of the stream gives the same
 * result.  An error is reported at the first byte after which the stream
 * can no longer be valid (the exceptions are listed in http_frame.h).
 *
 * Where the RFC or evhttp leaves room, the checker is strict:
 *
 * - The version is "HTTP/" DIGIT "." DIGIT.  A digit other than those of
 *   1.0 or 1.1 is E_VERSION, at that digit ("HTTP/2.0", "HTTP/1.2");
 *   anything else ("HTTP/1", "http/1.1", "HTTP/1.10") is E_LINE.
 * - An empty line before a request line is E_LINE, at its CR (RFC 9112
 *   §2.2 lets a server skip it; evhttp does not).  A CR anywhere in a
 *   start line before its end is E_LINE too, at the CR.
 * - A status code is 3DIGIT from 100 to 999, as evhttp wants.
 * - NUL is E_NUL and other controls are E_CTL in a head or trailer
 *   section, whatever the state; in a chunk-size line any byte other
 *   than a hex digit, CR or LF is E_CHUNK.  The CRLF after chunk data
 *   must be exact: a bare LF or CR there is E_CHUNK, not E_BARE_*.
 * - Content-Length is at most 19 digits (leading zeros count), so its
 *   value always fits in a uint64_t; repeated values are compared as
 *   numbers.  A chunk-size is at most 16 hex digits.
 * - E_BODY_METHOD and E_BODY_LONG (for a Content-Length) are decided at
 *   the LF that ends the head; a chunked request body fails E_BODY_LONG
 *   at the size digit that takes it over max_body.  A rejected head is
 *   not counted in f->messages.
 */
#include "http_frame.h"

#include <string.h>

/* The fine states (f->st).  The head states come first, up to END_LF. */
enum http_frame_st {
	HTTP_FRAME_ST_METHOD,		/* request line: method */
	HTTP_FRAME_ST_TARGET,		/* request line: request-target */
	HTTP_FRAME_ST_VERSION,		/* "HTTP/1.x" (tok_len indexes it) */
	HTTP_FRAME_ST_STATUS,		/* status line: 3DIGIT */
	HTTP_FRAME_ST_REASON,		/* status line: reason-phrase */
	HTTP_FRAME_ST_LINE_LF,		/* CR seen at the start line's end */
	HTTP_FRAME_ST_FIELD,		/* a field line or the empty line */
	HTTP_FRAME_ST_NAME,		/* field-name */
	HTTP_FRAME_ST_VALUE,		/* OWS field-value OWS */
	HTTP_FRAME_ST_FIELD_LF,		/* CR seen at a field line's end */
	HTTP_FRAME_ST_END_LF,		/* CR seen on the empty line */
	HTTP_FRAME_ST_SIZE,		/* chunk-size (tok_len: digits) */
	HTTP_FRAME_ST_SIZE_LF,		/* CR seen after the chunk-size */
	HTTP_FRAME_ST_DATA_CR,		/* chunk-data done: CR due */
	HTTP_FRAME_ST_DATA_LF,		/* chunk-data done: LF due */
	HTTP_FRAME_ST_DATA,		/* chunk-data: left bytes */
	HTTP_FRAME_ST_BODY,		/* Content-Length body: left bytes */
	HTTP_FRAME_ST_CLOSE,		/* close-delimited response body */
	HTTP_FRAME_ST_TUNNEL,		/* state TUNNEL */
	HTTP_FRAME_ST_DONE,		/* state DONE */
	HTTP_FRAME_ST_FAILED		/* state FAILED */
};

/* f->hflags: what the head has shown so far. */
#define HTTP_FRAME_HF_CL	0x01	/* a valid Content-Length (f->cl) */
#define HTTP_FRAME_HF_TE	0x02	/* Transfer-Encoding: chunked */
#define HTTP_FRAME_HF_FCL	0x04	/* this field is Content-Length */
#define HTTP_FRAME_HF_FTE	0x08	/* this field is Transfer-Encoding */
#define HTTP_FRAME_HF_OWS	0x10	/* OWS after this CL/TE value */
#define HTTP_FRAME_HF_TRAILER	0x20	/* a trailer section: no CL/TE */

#define HTTP_FRAME_CL_DIGITS	19	/* 10^19 - 1 < 2^64 */
#define HTTP_FRAME_SIZE_DIGITS	16	/* 16^16 - 1 = 2^64 - 1 */

static const unsigned char http_frame_chunked[] = "chunked";

/* True for an RFC 9110 tchar. */
static int
http_frame_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* ASCII tolower, independent of the locale. */
static unsigned char
http_frame_lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* The value of a hex digit, or -1. */
static int
http_frame_hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = http_frame_lower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Errors a byte has anywhere in a head: NUL, bare LF, controls. */
static enum http_frame_error
http_frame_ctl(unsigned char c)
{
	if (c == '\0')
		return (HTTP_FRAME_E_NUL);
	if (c == '\n')
		return (HTTP_FRAME_E_BARE_LF);
	if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
		return (HTTP_FRAME_E_CTL);
	return (HTTP_FRAME_OK);
}

/* Clears what one head tracks and waits for a start line in state. */
static void
http_frame_reset(struct http_frame *f, enum http_frame_state state)
{
	f->state = state;
	f->st = f->kind == HTTP_FRAME_REQUEST ? HTTP_FRAME_ST_METHOD :
	    HTTP_FRAME_ST_VERSION;
	f->head_len = f->tok_len = 0;
	f->cl = f->left = f->body = 0;
	f->hflags = 0;
	f->name_len = f->val_len = f->mtok_len = 0;
}

/* Moves to a state that has a fine state of its own. */
static void
http_frame_set(struct http_frame *f, enum http_frame_state state, int st)
{
	f->state = state;
	f->st = st;
}

/* Stops at offset off for e; feeding again returns 0. */
static size_t
http_frame_fail(struct http_frame *f, enum http_frame_error e, size_t off)
{
	http_frame_set(f, HTTP_FRAME_FAILED, HTTP_FRAME_ST_FAILED);
	f->error = e;
	return (off);
}

/* A message ended: the next request, or DONE for a response. */
static void
http_frame_msg_end(struct http_frame *f)
{
	if (f->kind == HTTP_FRAME_REQUEST)
		http_frame_reset(f, HTTP_FRAME_IDLE);
	else
		http_frame_set(f, HTTP_FRAME_DONE, HTTP_FRAME_ST_DONE);
}

/* A body starts: chunked, or left = n bytes (n > 0). */
static void
http_frame_body_start(struct http_frame *f, int chunked, uint64_t n)
{
	http_frame_set(f, HTTP_FRAME_BODY, chunked ? HTTP_FRAME_ST_SIZE :
	    HTTP_FRAME_ST_BODY);
	f->tok_len = 0;
	f->left = chunked ? 0 : n;
}

/* The method token ended: classify it (case-sensitive). */
static void
http_frame_method(struct http_frame *f)
{
	static const struct {
		const char	*name;
		int		 method;
	} ms[] = {
		{ "GET", HTTP_FRAME_M_GET }, { "POST", HTTP_FRAME_M_GET },
		{ "PUT", HTTP_FRAME_M_GET }, { "PATCH", HTTP_FRAME_M_GET },
		{ "DELETE", HTTP_FRAME_M_GET }, { "OPTIONS", HTTP_FRAME_M_GET },
		{ "HEAD", HTTP_FRAME_M_HEAD }, { "TRACE", HTTP_FRAME_M_TRACE },
		{ "CONNECT", HTTP_FRAME_M_CONNECT }
	};
	size_t	 i;

	f->method = HTTP_FRAME_M_OTHER;
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (f->mtok_len == strlen(ms[i].name) &&
		    memcmp(f->mtok, ms[i].name, f->mtok_len) == 0)
			f->method = ms[i].method;
}

/* The empty line ended a request head (RFC 9112 §6.3 items 4-7). */
static enum http_frame_error
http_frame_req_end(struct http_frame *f)
{
	int	 te = (f->hflags & HTTP_FRAME_HF_TE) != 0;

	if ((te || f->cl > 0) && f->method != HTTP_FRAME_M_GET)
		return (HTTP_FRAME_E_BODY_METHOD);
	if (!te && f->max_body != 0 && f->cl > f->max_body)
		return (HTTP_FRAME_E_BODY_LONG);
	f->messages++;
	if (f->method == HTTP_FRAME_M_CONNECT)
		http_frame_set(f, HTTP_FRAME_TUNNEL, HTTP_FRAME_ST_TUNNEL);
	else if (te || f->cl > 0)
		http_frame_body_start(f, te, f->cl);
	else
		http_frame_reset(f, HTTP_FRAME_IDLE);
	return (HTTP_FRAME_OK);
}

/* The empty line ended a response head (RFC 9112 §6.3 items 1-3, 4-8). */
static void
http_frame_rsp_end(struct http_frame *f)
{
	f->messages++;
	if (f->status == 101)
		http_frame_set(f, HTTP_FRAME_TUNNEL, HTTP_FRAME_ST_TUNNEL);
	else if (f->status < 200)
		http_frame_reset(f, HTTP_FRAME_HEAD);	/* interim: 1xx */
	else if (f->expect_head || f->status == 204 || f->status == 304)
		http_frame_msg_end(f);
	else if (f->hflags & HTTP_FRAME_HF_TE)
		http_frame_body_start(f, 1, 0);
	else if (!(f->hflags & HTTP_FRAME_HF_CL))
		http_frame_set(f, HTTP_FRAME_BODY, HTTP_FRAME_ST_CLOSE);
	else if (f->cl > 0)
		http_frame_body_start(f, 0, f->cl);
	else
		http_frame_msg_end(f);
}

/* Byte c of the request line (states METHOD and TARGET). */
static enum http_frame_error
http_frame_reqline(struct http_frame *f, unsigned char c)
{
	if (f->st == HTTP_FRAME_ST_METHOD) {
		if (c == ' ' && f->mtok_len > 0) {
			http_frame_method(f);
			f->st = HTTP_FRAME_ST_TARGET;
			f->tok_len = 0;
		} else if (http_frame_tchar(c)) {
			if (f->mtok_len < sizeof(f->mtok))
				f->mtok[f->mtok_len] = (char)c;
			f->mtok_len++;
		} else
			return (HTTP_FRAME_E_LINE);
		return (HTTP_FRAME_OK);
	}
	if (c == ' ' && f->tok_len > 0) {
		f->st = HTTP_FRAME_ST_VERSION;
		f->tok_len = 0;
		return (HTTP_FRAME_OK);
	}
	if (c <= 0x20 || c >= 0x7f)
		return (HTTP_FRAME_E_LINE);
	if (f->max_uri != 0 && f->tok_len >= f->max_uri)
		return (HTTP_FRAME_E_URI_LONG);
	f->tok_len++;
	return (HTTP_FRAME_OK);
}

/* Byte c of "HTTP/1.x", or the one after it (SP or CR). */
static enum http_frame_error
http_frame_version(struct http_frame *f, unsigned char c)
{
	static const char	 name[] = "HTTP/1.";
	size_t			 i = f->tok_len++;

	if (i == 8) {
		if (f->kind == HTTP_FRAME_REQUEST && c == '\r')
			f->st = HTTP_FRAME_ST_LINE_LF;
		else if (f->kind == HTTP_FRAME_RESPONSE && c == ' ') {
			f->st = HTTP_FRAME_ST_STATUS;
			f->tok_len = 0;
			f->status = 0;
		} else
			return (HTTP_FRAME_E_LINE);
		return (HTTP_FRAME_OK);
	}
	if (i == 5 || i == 7) {
		if (c == '1' || (i == 7 && c == '0'))
			return (HTTP_FRAME_OK);
		return (c >= '0' && c <= '9' ? HTTP_FRAME_E_VERSION :
		    HTTP_FRAME_E_LINE);
	}
	return (c == (unsigned char)name[i] ? HTTP_FRAME_OK :
	    HTTP_FRAME_E_LINE);
}

/* Byte c of the status code, or the one after it (SP or CR). */
static enum http_frame_error
http_frame_code(struct http_frame *f, unsigned char c)
{
	if (f->tok_len == 3) {
		if (c == ' ')
			f->st = HTTP_FRAME_ST_REASON;
		else if (c == '\r')
			f->st = HTTP_FRAME_ST_LINE_LF;
		else
			return (HTTP_FRAME_E_LINE);
		return (HTTP_FRAME_OK);
	}
	if (c < '0' || c > '9' || (f->tok_len == 0 && c == '0'))
		return (HTTP_FRAME_E_LINE);
	f->status = f->status * 10 + (c - '0');
	f->tok_len++;
	return (HTTP_FRAME_OK);
}

/* True if the field name read so far is name (lower case). */
static int
http_frame_name_is(const struct http_frame *f, const char *name)
{
	return (f->name_len == strlen(name) &&
	    memcmp(f->name, name, f->name_len) == 0);
}

/* The ':' ended a field name: is it Content-Length or T-E? */
static enum http_frame_error
http_frame_name_end(struct http_frame *f)
{
	f->hflags &= ~(HTTP_FRAME_HF_FCL | HTTP_FRAME_HF_FTE |
	    HTTP_FRAME_HF_OWS);
	f->val_len = 0;
	if (f->hflags & HTTP_FRAME_HF_TRAILER)
		return (HTTP_FRAME_OK);
	if (http_frame_name_is(f, "content-length")) {
		if (f->hflags & HTTP_FRAME_HF_TE)
			return (HTTP_FRAME_E_CL_TE);
		f->hflags |= HTTP_FRAME_HF_FCL;
	} else if (http_frame_name_is(f, "transfer-encoding")) {
		if (f->hflags & HTTP_FRAME_HF_CL)
			return (HTTP_FRAME_E_CL_TE);
		if (f->hflags & HTTP_FRAME_HF_TE)
			return (HTTP_FRAME_E_TE);	/* "chunked" twice */
		f->hflags |= HTTP_FRAME_HF_FTE;
	}
	return (HTTP_FRAME_OK);
}

/*
 * Byte c (not CR) of a field value.  Only Content-Length (1*DIGIT) and
 * Transfer-Encoding ("chunked") values are read, OWS trimmed.
 */
static enum http_frame_error
http_frame_value(struct http_frame *f, unsigned char c)
{
	int	 cl = (f->hflags & HTTP_FRAME_HF_FCL) != 0;

	if (!(f->hflags & (HTTP_FRAME_HF_FCL | HTTP_FRAME_HF_FTE)))
		return (HTTP_FRAME_OK);
	if (c == ' ' || c == '\t') {
		if (f->val_len > 0)
			f->hflags |= HTTP_FRAME_HF_OWS;
		return (HTTP_FRAME_OK);
	}
	if (cl && ((f->hflags & HTTP_FRAME_HF_OWS) || c < '0' || c > '9' ||
	    f->val_len == HTTP_FRAME_CL_DIGITS))
		return (HTTP_FRAME_E_CL_BAD);
	if (!cl && ((f->hflags & HTTP_FRAME_HF_OWS) ||
	    f->val_len == sizeof(http_frame_chunked) - 1 ||
	    http_frame_lower(c) != http_frame_chunked[f->val_len]))
		return (HTTP_FRAME_E_TE);
	f->val[f->val_len++] = (char)http_frame_lower(c);
	return (HTTP_FRAME_OK);
}

/* The CR that ends a field value: take a Content-Length or T-E. */
static enum http_frame_error
http_frame_value_end(struct http_frame *f)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (f->hflags & HTTP_FRAME_HF_FTE) {
		if (f->val_len != sizeof(http_frame_chunked) - 1)
			return (HTTP_FRAME_E_TE);
		f->hflags |= HTTP_FRAME_HF_TE;
	} else if (f->hflags & HTTP_FRAME_HF_FCL) {
		if (f->val_len == 0)
			return (HTTP_FRAME_E_CL_BAD);
		for (i = 0; i < f->val_len; i++)
			v = v * 10 + (uint64_t)(f->val[i] - '0');
		if ((f->hflags & HTTP_FRAME_HF_CL) && v != f->cl)
			return (HTTP_FRAME_E_CL_DUP);
		f->cl = v;
		f->hflags |= HTTP_FRAME_HF_CL;
	}
	return (HTTP_FRAME_OK);
}

/* Byte c (not CR) that starts or continues a field line. */
static enum http_frame_error
http_frame_field(struct http_frame *f, unsigned char c)
{
	if (f->st == HTTP_FRAME_ST_FIELD) {
		if (c == ' ' || c == '\t')
			return (HTTP_FRAME_E_OBS_FOLD);
		f->name_len = 0;
		f->st = HTTP_FRAME_ST_NAME;
	} else if (c == ':') {
		f->st = HTTP_FRAME_ST_VALUE;
		return (http_frame_name_end(f));
	}
	if (!http_frame_tchar(c))
		return (HTTP_FRAME_E_FIELD);
	if (f->name_len < sizeof(f->name))
		f->name[f->name_len] = (char)http_frame_lower(c);
	f->name_len++;
	return (HTTP_FRAME_OK);
}

/* The LF of a CRLF in a head. */
static enum http_frame_error
http_frame_lf(struct http_frame *f)
{
	if (f->st != HTTP_FRAME_ST_END_LF) {
		f->st = HTTP_FRAME_ST_FIELD;
		return (HTTP_FRAME_OK);
	}
	if (f->hflags & HTTP_FRAME_HF_TRAILER) {
		http_frame_msg_end(f);
		return (HTTP_FRAME_OK);
	}
	if (f->kind == HTTP_FRAME_REQUEST)
		return (http_frame_req_end(f));
	http_frame_rsp_end(f);
	return (HTTP_FRAME_OK);
}

/* Byte c of a head or a trailer section. */
static enum http_frame_error
http_frame_head(struct http_frame *f, unsigned char c)
{
	enum http_frame_error	 e;

	if (f->state == HTTP_FRAME_IDLE)
		f->state = HTTP_FRAME_HEAD;
	if (f->max_head != 0 && f->head_len >= f->max_head)
		return (HTTP_FRAME_E_HEAD_LONG);
	f->head_len++;
	if (f->st == HTTP_FRAME_ST_LINE_LF || f->st == HTTP_FRAME_ST_FIELD_LF ||
	    f->st == HTTP_FRAME_ST_END_LF)
		return (c == '\n' ? http_frame_lf(f) : HTTP_FRAME_E_BARE_CR);
	if ((e = http_frame_ctl(c)) != HTTP_FRAME_OK)
		return (e);
	switch (f->st) {
	case HTTP_FRAME_ST_METHOD:
	case HTTP_FRAME_ST_TARGET:
		return (http_frame_reqline(f, c));
	case HTTP_FRAME_ST_VERSION:
		return (http_frame_version(f, c));
	case HTTP_FRAME_ST_STATUS:
		return (http_frame_code(f, c));
	case HTTP_FRAME_ST_REASON:
		if (c == '\r')
			f->st = HTTP_FRAME_ST_LINE_LF;
		return (HTTP_FRAME_OK);
	case HTTP_FRAME_ST_FIELD:
		if (c == '\r') {
			f->st = HTTP_FRAME_ST_END_LF;
			return (HTTP_FRAME_OK);
		}
		return (http_frame_field(f, c));
	case HTTP_FRAME_ST_NAME:
		return (http_frame_field(f, c));
	default:			/* HTTP_FRAME_ST_VALUE */
		if (c != '\r')
			return (http_frame_value(f, c));
		f->st = HTTP_FRAME_ST_FIELD_LF;
		return (http_frame_value_end(f));
	}
}

/*
 * The length of the run at s that http_frame_head() would only count:
 * request-target bytes, and field-value bytes of fields other than
 * Content-Length and Transfer-Encoding, up to the limits.  The same
 * answer, byte by byte, is what the unit tests and fuzz_frame check.
 */
static size_t
http_frame_run(struct http_frame *f, const unsigned char *s, size_t n)
{
	size_t	 i = 0, lim = n;

	if (f->st != HTTP_FRAME_ST_TARGET && (f->st != HTTP_FRAME_ST_VALUE ||
	    (f->hflags & (HTTP_FRAME_HF_FCL | HTTP_FRAME_HF_FTE))))
		return (0);
	if (f->max_head != 0) {
		if (f->head_len >= f->max_head)
			return (0);
		if (f->max_head - f->head_len < lim)
			lim = f->max_head - f->head_len;
	}
	if (f->st == HTTP_FRAME_ST_TARGET) {
		if (f->max_uri != 0) {
			if (f->tok_len >= f->max_uri)
				return (0);
			if (f->max_uri - f->tok_len < lim)
				lim = f->max_uri - f->tok_len;
		}
		while (i < lim && s[i] > 0x20 && s[i] < 0x7f)
			i++;
		f->tok_len += i;
	} else
		while (i < lim && (s[i] >= 0x20 ? s[i] != 0x7f : s[i] == '\t'))
			i++;
	f->head_len += i;
	return (i);
}

/* Byte c of a chunk-size line or of the CRLF after chunk data. */
static enum http_frame_error
http_frame_chunk(struct http_frame *f, unsigned char c)
{
	int	 v;

	switch (f->st) {
	case HTTP_FRAME_ST_SIZE:
		if ((v = http_frame_hex(c)) == -1) {
			if (c == '\n')
				return (HTTP_FRAME_E_BARE_LF);
			if (c != '\r' || f->tok_len == 0)
				return (HTTP_FRAME_E_CHUNK);
			f->st = HTTP_FRAME_ST_SIZE_LF;
			return (HTTP_FRAME_OK);
		}
		if (f->tok_len++ == HTTP_FRAME_SIZE_DIGITS)
			return (HTTP_FRAME_E_CHUNK);
		f->left = f->left << 4 | (uint64_t)v;
		if (f->kind == HTTP_FRAME_REQUEST && f->max_body != 0 &&
		    f->left > f->max_body - f->body)
			return (HTTP_FRAME_E_BODY_LONG);
		/* responses: max_body caps one chunk (evhttp buffers it) */
		if (f->kind == HTTP_FRAME_RESPONSE && f->max_body != 0 &&
		    f->left > f->max_body)
			return (HTTP_FRAME_E_CHUNK_LONG);
		return (HTTP_FRAME_OK);
	case HTTP_FRAME_ST_SIZE_LF:
		if (c != '\n')
			return (HTTP_FRAME_E_BARE_CR);
		if (f->left == 0) {		/* last-chunk: trailers */
			f->hflags = HTTP_FRAME_HF_TRAILER;
			f->head_len = 0;
			f->st = HTTP_FRAME_ST_FIELD;
		} else {
			f->body += f->left;
			f->st = HTTP_FRAME_ST_DATA;
		}
		return (HTTP_FRAME_OK);
	case HTTP_FRAME_ST_DATA_CR:
		if (c != '\r')
			return (HTTP_FRAME_E_CHUNK);
		f->st = HTTP_FRAME_ST_DATA_LF;
		return (HTTP_FRAME_OK);
	default:			/* HTTP_FRAME_ST_DATA_LF */
		if (c != '\n')
			return (HTTP_FRAME_E_CHUNK);
		f->st = HTTP_FRAME_ST_SIZE;
		f->tok_len = 0;			/* f->left is 0 */
		return (HTTP_FRAME_OK);
	}
}

/* Starts a checker in state IDLE (a response one armed for a GET). */
void
http_frame_init(struct http_frame *f, enum http_frame_kind kind,
    size_t max_head, size_t max_uri, uint64_t max_body)
{
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->max_head = max_head;
	f->max_uri = max_uri;
	f->max_body = max_body;
	http_frame_reset(f, HTTP_FRAME_IDLE);
}

/* Arms a response checker for the next response; FAILED stays. */
void
http_frame_expect(struct http_frame *f, int head)
{
	if (f->state == HTTP_FRAME_FAILED)
		return;
	f->expect_head = head != 0;
	http_frame_reset(f, HTTP_FRAME_IDLE);
}

/* Checks n more bytes; returns n, or the offset of the bad byte. */
size_t
http_frame_feed(struct http_frame *f, const char *p, size_t n)
{
	const unsigned char	*s = (const unsigned char *)p;
	enum http_frame_error	 e;
	size_t			 i = 0, take;

	if (f->state == HTTP_FRAME_FAILED)
		return (0);
	while (i < n) {
		switch (f->st) {
		case HTTP_FRAME_ST_TUNNEL:
		case HTTP_FRAME_ST_CLOSE:
			return (n);
		case HTTP_FRAME_ST_DONE:
			return (http_frame_fail(f, HTTP_FRAME_E_EXCESS, i));
		case HTTP_FRAME_ST_BODY:
		case HTTP_FRAME_ST_DATA:
			take = n - i < f->left ? n - i : (size_t)f->left;
			i += take;
			f->left -= take;
			if (f->left > 0)
				break;
			if (f->st == HTTP_FRAME_ST_DATA)
				f->st = HTTP_FRAME_ST_DATA_CR;
			else
				http_frame_msg_end(f);
			break;
		default:
			/* most of a head: runs that only need counting */
			if ((take = http_frame_run(f, s + i, n - i)) > 0) {
				i += take;
				break;
			}
			if (f->st <= HTTP_FRAME_ST_END_LF)
				e = http_frame_head(f, s[i]);
			else
				e = http_frame_chunk(f, s[i]);
			if (e != HTTP_FRAME_OK)
				return (http_frame_fail(f, e, i));
			i++;
			break;
		}
	}
	return (n);
}

/* The peer closed: 0 if the stream ended cleanly, else -1. */
int
http_frame_eof(struct http_frame *f)
{
	switch (f->state) {
	case HTTP_FRAME_IDLE:
	case HTTP_FRAME_TUNNEL:
		return (0);
	case HTTP_FRAME_DONE:
		return (f->kind == HTTP_FRAME_RESPONSE ? 0 : -1);
	case HTTP_FRAME_BODY:
		return (f->kind == HTTP_FRAME_RESPONSE &&
		    f->st == HTTP_FRAME_ST_CLOSE ? 0 : -1);
	default:
		return (-1);
	}
}

/* A short lower-case phrase for e. */
const char *
http_frame_strerror(enum http_frame_error e)
{
	static const char *const msgs[HTTP_FRAME_E_MAX] = {
		[HTTP_FRAME_OK] = "no error",
		[HTTP_FRAME_E_LINE] = "malformed start line",
		[HTTP_FRAME_E_VERSION] = "unsupported HTTP version",
		[HTTP_FRAME_E_URI_LONG] = "request-target too long",
		[HTTP_FRAME_E_HEAD_LONG] = "header section too large",
		[HTTP_FRAME_E_FIELD] = "malformed header field",
		[HTTP_FRAME_E_NUL] = "NUL byte in the message head",
		[HTTP_FRAME_E_CTL] = "control character in the message head",
		[HTTP_FRAME_E_BARE_CR] = "bare CR in the message head",
		[HTTP_FRAME_E_BARE_LF] = "bare LF in the message head",
		[HTTP_FRAME_E_OBS_FOLD] = "line folding (obs-fold) in a header",
		[HTTP_FRAME_E_CL_BAD] = "invalid Content-Length",
		[HTTP_FRAME_E_CL_DUP] = "conflicting Content-Length values",
		[HTTP_FRAME_E_CL_TE] =
		    "both Content-Length and Transfer-Encoding",
		[HTTP_FRAME_E_TE] = "transfer coding other than chunked",
		[HTTP_FRAME_E_CHUNK] = "invalid chunk size or chunk framing",
		[HTTP_FRAME_E_BODY_LONG] = "request body too large",
		[HTTP_FRAME_E_BODY_METHOD] = "body on a method that has none",
		[HTTP_FRAME_E_EXCESS] = "data after the end of the response",
		[HTTP_FRAME_E_CHUNK_LONG] =
		    "a chunk larger than the proxy buffers (16 MiB)",
	};

	if ((unsigned)e >= HTTP_FRAME_E_MAX || msgs[e] == NULL)
		return ("unknown framing error");
	return (msgs[e]);
}

/* The status code a request that failed with e deserves. */
int
http_frame_status(enum http_frame_error e)
{
	switch (e) {
	case HTTP_FRAME_OK:
		return (200);
	case HTTP_FRAME_E_URI_LONG:
		return (414);
	case HTTP_FRAME_E_HEAD_LONG:
		return (431);
	case HTTP_FRAME_E_BODY_LONG:
		return (413);
	default:
		return (400);
	}
}
