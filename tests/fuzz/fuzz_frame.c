/*
 * fuzz_frame.c: libFuzzer target for the strict framing checker
 * (http_frame.c), requests and responses.
 *
 * Input: three control bytes, then the stream.
 *	byte 0	bit 0: kind (0 request, 1 response); bit 1: the response
 *		answers a HEAD; bits 2-3: limits (none, tiny, small, large);
 *		bits 4-7: piece size - 1 for the third feeding
 *	byte 1-2 where to split the stream for the second feeding (modulo
 *		its length + 1)
 *
 * The stream is fed three ways: whole, in two pieces at the split point,
 * and in pieces of 1 to 16 bytes.  http_frame.h promises the same answer
 * for any split, so state, error, message count, method, status and
 * http_frame_eof() must agree, and the offset of a failure must be the
 * same byte.  Also: a return value is at most n; a failure leaves the
 * checker FAILED and it stays so; the prefix before the offending byte
 * is accepted on its own; limits fail only when set; DONE and TUNNEL
 * come only where the kind allows them.  A fourth pass feeds a response
 * stream byte by byte and re-arms the checker after each response, as
 * the proxy does for a keep-alive origin connection.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_frame.h"
#include "fuzz.h"

/* max_head, max_uri, max_body for each limit setting (0: no limit). */
static const struct {
	size_t		 head, uri;
	uint64_t	 body;
} fuzz_frame_limits[4] = {
	{ 0, 0, 0 },
	{ 48, 8, 16 },
	{ 256, 64, 1024 },
	{ 8192, 4096, 1 << 20 },
};

/* What feeding a stream came to. */
struct fuzz_frame_out {
	size_t			 off;		/* bytes accepted in all */
	enum http_frame_state	 state;
	enum http_frame_error	 error;
	uint64_t		 messages;
	int			 method;
	int			 status;
	int			 eof;
};

/* Starts a checker as the control byte says. */
static void
fuzz_frame_start(struct http_frame *f, unsigned ctl)
{
	const unsigned	 l = (ctl >> 2) & 3;

	http_frame_init(f, (ctl & 1) ? HTTP_FRAME_RESPONSE : HTTP_FRAME_REQUEST,
	    fuzz_frame_limits[l].head, fuzz_frame_limits[l].uri,
	    fuzz_frame_limits[l].body);
	FUZZ_CHECK(f->state == HTTP_FRAME_IDLE && f->error == HTTP_FRAME_OK);
	if (ctl & 1)
		http_frame_expect(f, (ctl & 2) != 0);
}

/* Checks what is true of a checker after any feed. */
static void
fuzz_frame_sane(const struct http_frame *f)
{
	FUZZ_CHECK(f->state >= HTTP_FRAME_IDLE &&
	    f->state <= HTTP_FRAME_FAILED);
	FUZZ_CHECK(f->error >= HTTP_FRAME_OK && f->error < HTTP_FRAME_E_MAX);
	FUZZ_CHECK((f->state == HTTP_FRAME_FAILED) ==
	    (f->error != HTTP_FRAME_OK));
	FUZZ_CHECK(f->method >= HTTP_FRAME_M_OTHER &&
	    f->method <= HTTP_FRAME_M_TRACE);
	if (f->kind == HTTP_FRAME_REQUEST) {
		FUZZ_CHECK(f->state != HTTP_FRAME_DONE);
		FUZZ_CHECK(f->error != HTTP_FRAME_E_EXCESS);
		if (f->state == HTTP_FRAME_TUNNEL)
			FUZZ_CHECK(f->method == HTTP_FRAME_M_CONNECT);
	} else {
		FUZZ_CHECK(f->error != HTTP_FRAME_E_URI_LONG &&
		    f->error != HTTP_FRAME_E_BODY_LONG &&
		    f->error != HTTP_FRAME_E_BODY_METHOD);
		if (f->state == HTTP_FRAME_TUNNEL)
			FUZZ_CHECK(f->status == 101);
		/* a status read from a whole head */
		if (f->state == HTTP_FRAME_DONE ||
		    f->state == HTTP_FRAME_BODY)
			FUZZ_CHECK(f->status >= 100 && f->status <= 999);
	}
	if (f->error == HTTP_FRAME_E_URI_LONG)
		FUZZ_CHECK(f->max_uri != 0);
	if (f->error == HTTP_FRAME_E_HEAD_LONG)
		FUZZ_CHECK(f->max_head != 0);
	if (f->error == HTTP_FRAME_E_BODY_LONG)
		FUZZ_CHECK(f->max_body != 0);
}

/* Feeds s[0..n) to f; checks the return value; adds to o->off. */
static int
fuzz_frame_piece(struct http_frame *f, const char *s, size_t n,
    struct fuzz_frame_out *o)
{
	uint64_t	 before = f->messages;
	size_t		 r;

	r = http_frame_feed(f, s, n);
	FUZZ_CHECK(r <= n);
	FUZZ_CHECK(f->messages >= before);
	fuzz_frame_sane(f);
	o->off += r;
	if (f->state == HTTP_FRAME_FAILED) {
		FUZZ_CHECK(r < n);
		return (-1);
	}
	FUZZ_CHECK(r == n);
	return (0);
}

/* Records the result of a feeding. */
static void
fuzz_frame_result(struct http_frame *f, struct fuzz_frame_out *o)
{
	o->state = f->state;
	o->error = f->error;
	o->messages = f->messages;
	o->method = f->method;
	o->status = f->status;
	o->eof = http_frame_eof(f);
	FUZZ_CHECK(o->eof == 0 || o->eof == -1);
	if (f->state == HTTP_FRAME_FAILED)
		FUZZ_CHECK(o->eof == -1);
}

/* Aborts unless two feedings came to the same result. */
static void
fuzz_frame_same(const struct fuzz_frame_out *a, const struct fuzz_frame_out *b)
{
	FUZZ_CHECK(a->off == b->off);
	FUZZ_CHECK(a->state == b->state);
	FUZZ_CHECK(a->error == b->error);
	FUZZ_CHECK(a->messages == b->messages);
	FUZZ_CHECK(a->method == b->method);
	FUZZ_CHECK(a->status == b->status);
	FUZZ_CHECK(a->eof == b->eof);
}

/* Feeds s in pieces of m bytes (the last may be shorter). */
static void
fuzz_frame_pieces(unsigned ctl, const char *s, size_t n, size_t m,
    struct fuzz_frame_out *o)
{
	struct http_frame	 f;
	size_t			 i, k;

	memset(o, 0, sizeof(*o));
	fuzz_frame_start(&f, ctl);
	for (i = 0; i < n; i += k) {
		k = n - i < m ? n - i : m;
		if (fuzz_frame_piece(&f, s + i, k, o) == -1)
			break;
	}
	fuzz_frame_result(&f, o);
}

/* Response stream: byte by byte, re-armed after each response. */
static void
fuzz_frame_keepalive(unsigned ctl, const char *s, size_t n)
{
	struct http_frame	 f;
	struct fuzz_frame_out	 o;
	size_t			 i;

	memset(&o, 0, sizeof(o));
	fuzz_frame_start(&f, ctl | 1);
	for (i = 0; i < n; i++) {
		if (f.state == HTTP_FRAME_DONE)
			http_frame_expect(&f, (s[i] & 1) && (ctl & 2));
		FUZZ_CHECK(f.state != HTTP_FRAME_DONE);
		if (fuzz_frame_piece(&f, s + i, 1, &o) == -1)
			break;
	}
	FUZZ_CHECK(f.error != HTTP_FRAME_E_EXCESS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_frame	 f;
	struct fuzz_frame_out	 whole, split, bits;
	const char		*s;
	size_t			 n, k;
	unsigned		 ctl;

	if (size < 3)
		return (0);
	ctl = data[0];
	n = size - 3;
	k = ((size_t)data[1] | (size_t)data[2] << 8) % (n + 1);
	/* s ends where libFuzzer's buffer ends: ASan sees an over-read */
	s = (const char *)data + 3;

	/* whole */
	memset(&whole, 0, sizeof(whole));
	fuzz_frame_start(&f, ctl);
	fuzz_frame_piece(&f, s, n, &whole);
	fuzz_frame_result(&f, &whole);
	FUZZ_CHECK(http_frame_strerror(whole.error) != NULL &&
	    http_frame_strerror(whole.error)[0] != '\0');
	if (whole.state == HTTP_FRAME_FAILED) {
		const int st = http_frame_status(whole.error);

		FUZZ_CHECK(st == 400 || st == 413 || st == 414 || st == 431);
		/* it stays failed, and says so again at offset 0 */
		FUZZ_CHECK(http_frame_feed(&f, s, n) == 0);
		FUZZ_CHECK(http_frame_feed(&f, "", 0) == 0);
		http_frame_expect(&f, 0);
		FUZZ_CHECK(f.state == HTTP_FRAME_FAILED &&
		    f.error == whole.error);
		/* the bytes before the offending one are fine on their own */
		memset(&split, 0, sizeof(split));
		fuzz_frame_start(&f, ctl);
		FUZZ_CHECK(fuzz_frame_piece(&f, s, whole.off, &split) == 0);
		/* and the offending byte fails alone, with the same error */
		FUZZ_CHECK(fuzz_frame_piece(&f, s + whole.off, 1,
		    &split) == -1);
		FUZZ_CHECK(f.error == whole.error);
	}

	/* two pieces */
	memset(&split, 0, sizeof(split));
	fuzz_frame_start(&f, ctl);
	if (fuzz_frame_piece(&f, s, k, &split) == 0)
		fuzz_frame_piece(&f, s + k, n - k, &split);
	fuzz_frame_result(&f, &split);
	fuzz_frame_same(&whole, &split);

	/* small pieces */
	fuzz_frame_pieces(ctl, s, n, 1 + (ctl >> 4), &bits);
	fuzz_frame_same(&whole, &bits);

	if (ctl & 1)
		fuzz_frame_keepalive(ctl, s, n);
	return (0);
}
