/*
 * sb.h - a growable string buffer, for the JSON and text forms of records
 * and the headless summary.  No I/O.
 */
#ifndef EPOLLVIZ_SB_H
#define EPOLLVIZ_SB_H

#include <stddef.h>
#include <string.h>

/* A growable string.  Never fails: out of memory ends the process. */
struct strbuf {
	char *s;
	size_t len, cap;
};

/* An empty buffer that owns no memory yet. */
void sb_init(struct strbuf *b);
/* Release the memory; the buffer is empty and usable again. */
void sb_free(struct strbuf *b);
/* Empty the buffer, keeping its memory. */
void sb_reset(struct strbuf *b);
/* Make room for more bytes and the NUL: the slow path of sb_room, out of line. */
void sb_grow(struct strbuf *b, size_t more);

/* Room for more bytes and the NUL after them; the common case is one compare. */
static inline char *
sb_room(struct strbuf *b, size_t more)
{
	if (b->cap - b->len <= more)
		sb_grow(b, more);
	return b->s + b->len;
}

/* Append n bytes (inline: --json appends a dozen small pieces per record). */
static inline void
sb_addn(struct strbuf *b, const char *s, size_t n)
{
	memcpy(sb_room(b, n), s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append a string literal: its length is known when compiling. */
#define SB_LIT(b, lit) sb_addn((b), "" lit, sizeof(lit) - 1)

/* Append a C string. */
void sb_add(struct strbuf *b, const char *s);
/* Append printf-style. */
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a number in decimal (the hot path of --json: no printf). */
void sb_int(struct strbuf *b, long long v);
void sb_uint(struct strbuf *b, unsigned long long v);
/* Append a number in lowercase hex, without 0x (printf's %llx). */
void sb_hex(struct strbuf *b, unsigned long long v);
/* Append s as a JSON string literal, quotes included. */
void sb_json_str(struct strbuf *b, const char *s);

#endif
