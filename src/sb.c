/*
 * sb.c - the growable string buffer (see sb.h).
 */
#include "sb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* Make the buffer empty, with no memory allocated. */
void
sb_init(struct strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

/* Free the memory and leave the buffer empty. */
void
sb_free(struct strbuf *b)
{
	free(b->s);
	sb_init(b);
}

/* Set the length to 0 and keep the allocation. */
void
sb_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

/* Make room for more bytes plus the terminating NUL, doubling from 256. */
void
sb_grow(struct strbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

/* Append a NUL-terminated string. */
void
sb_add(struct strbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* Append formatted text, growing and formatting again if it did not fit. */
void
sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* One pass when it fits (nearly always): formatting is the hot path of --json. */
	sb_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		sb_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* Append v in decimal: its length found first, then two digits per division, in place. */
void
sb_uint(struct strbuf *b, unsigned long long v)
{
	static const char two[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				  "8081828384858687888990919293949596979899";
	unsigned long long lim = 10;
	size_t n = 1;
	char *p;

	while (n < 20 && v >= lim) {
		n++;
		lim *= 10; /* wraps only past n == 19, where the loop stops */
	}
	p = sb_room(b, n) + n;
	b->len += n;
	*p = '\0';
	while (v >= 100) {
		const char *d = two + (v % 100) * 2;

		v /= 100;
		*--p = d[1];
		*--p = d[0];
	}
	if (v >= 10) {
		*--p = two[v * 2 + 1];
		*--p = two[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
}

/* Append v in lowercase hex, without 0x (as printf's %llx). */
void
sb_hex(struct strbuf *b, unsigned long long v)
{
	char digits[16];
	int n = sizeof digits;

	do {
		digits[--n] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	sb_addn(b, digits + n, sizeof digits - (size_t)n);
}

/* Append v in decimal, with its sign. */
void
sb_int(struct strbuf *b, long long v)
{
	if (v < 0) {
		sb_addn(b, "-", 1);
		sb_uint(b, 0ull - (unsigned long long)v);
		return;
	}
	sb_uint(b, (unsigned long long)v);
}

/*
 * Append s quoted and escaped for JSON.  Well-formed UTF-8 goes as it is
 * (a program's or a Russian line reads as itself); any other byte below
 * 0x20 or from 0x7f as \u00XX (the code point of the same number, so
 * nothing is lost).  Runs of bytes that need no escape are appended whole.
 */
void
sb_json_str(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	sb_addn(b, "\"", 1);
	for (;;) {
		const unsigned char *run = p;
		int n;

		for (;;) {
			if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
				p++;
			else if (*p >= 0x80 && (n = utf8_seq(p, 4)) > 0) /* a NUL stops it */
				p += n;
			else
				break;
		}
		sb_addn(b, (const char *)run, (size_t)(p - run));
		if (*p == '\0')
			break;
		switch (*p) {
		case '"': sb_add(b, "\\\""); break;
		case '\\': sb_add(b, "\\\\"); break;
		case '\n': sb_add(b, "\\n"); break;
		case '\r': sb_add(b, "\\r"); break;
		case '\t': sb_add(b, "\\t"); break;
		default: sb_printf(b, "\\u%04x", *p);
		}
		p++;
	}
	sb_addn(b, "\"", 1);
}
