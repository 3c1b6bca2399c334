/*
 * fuzz.h: what the libFuzzer targets share.  A broken invariant is a
 * crash: FUZZ_CHECK prints the condition and its place, then aborts, so
 * libFuzzer saves the input that broke it.
 */
#ifndef EVPROXY_FUZZ_H
#define EVPROXY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Aborts with the failed condition if cond is false. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The libFuzzer entry point (no header declares it). */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of n bytes at p; aborts on ENOMEM. */
static inline char *
fuzz_strndup(const void *p, size_t n)
{
	char	*s;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return (s);
}

/* Equal C strings, NULL equal only to NULL. */
static inline int
fuzz_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

#endif
