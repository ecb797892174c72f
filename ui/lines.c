/*
 * lines.c - a panel's lines of styled text (see lines.h), measured in
 * display columns, not bytes.
 */
#include "lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/util.h"
#include "crt.h"

/* Is b the first byte of a UTF-8 sequence (or ASCII)? */
static int
lead_byte(unsigned char b)
{
	return (b & 0xc0) != 0x80;
}

/* Display columns of a UTF-8 string. */
int
lines_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += lead_byte((unsigned char)*s);
	return n;
}

/* Display columns of the first len bytes of s. */
int
lines_cols_n(const char *s, int len)
{
	int n = 0;

	for (int i = 0; i < len; i++)
		n += lead_byte((unsigned char)s[i]);
	return n;
}

/* Bytes of s that make up at most cols columns. */
int
lines_bytes_for_cols(const char *s, int len, int cols)
{
	int i = 0, c = 0;

	while (i < len) {
		int j = i + 1;

		while (j < len && !lead_byte((unsigned char)s[j]))
			j++;
		if (c + 1 > cols)
			break;
		c++;
		i = j;
	}
	return i;
}

/* Empty the buffer, keeping its memory. */
void
lines_reset(struct lines *L)
{
	L->n = 0;
	L->nheader = 0;
	L->footer = -1;
	L->total = 0;
	L->style = CS_NORMAL;
	L->title[0] = '\0';
}

/* Release the buffer. */
void
lines_free(struct lines *L)
{
	free(L->v);
	memset(L, 0, sizeof *L);
}

/* Start a new line in normal style. */
void
lines_add(struct lines *L)
{
	struct line *ln;

	if (L->n == L->cap) {
		L->cap = L->cap ? L->cap * 2 : 64;
		L->v = xreallocarray(L->v, (size_t)L->cap, sizeof *L->v);
	}
	ln = &L->v[L->n++];
	ln->len = 0;
	ln->cols = 0;
	ln->nseg = 0;
	ln->s[0] = '\0';
	L->style = CS_NORMAL;
}

/* Set the style of the text appended next. */
void
lines_style(struct lines *L, int style)
{
	L->style = style;
}

/* Append n bytes of s to the current line in the current style. */
static void
line_append(struct lines *L, const char *s, int n)
{
	struct line *ln;

	if (L->n == 0)
		lines_add(L);
	ln = &L->v[L->n - 1];
	if (n > LINE_BYTES - 1 - ln->len)
		n = lines_bytes_for_cols(s, LINE_BYTES - 1 - ln->len, LINE_BYTES);
	if (n <= 0)
		return;
	if (ln->nseg == 0 || ln->seg[ln->nseg - 1].style != L->style) {
		if (ln->nseg < LINE_SEGS) {
			ln->seg[ln->nseg].at = (short)ln->len;
			ln->seg[ln->nseg].style = (short)L->style;
			ln->nseg++;
		}
	}
	memcpy(ln->s + ln->len, s, (size_t)n);
	ln->len += n;
	ln->s[ln->len] = '\0';
	for (int i = 0; i < n; i++)
		ln->cols += lead_byte((unsigned char)s[i]);
}

/* Append formatted text to the current line. */
void
lines_printf(struct lines *L, const char *fmt, ...)
{
	char buf[LINE_BYTES];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n >= (int)sizeof buf)
		n = (int)sizeof buf - 1;
	line_append(L, buf, n);
}

/* Append text in a style, then return to normal. */
void
lines_put(struct lines *L, int style, const char *s)
{
	L->style = style;
	line_append(L, s, (int)strlen(s));
	L->style = CS_NORMAL;
}

/* Pad the current line with spaces up to a column. */
void
lines_pad(struct lines *L, int col)
{
	static const char spaces[] = "                                        ";
	int old = L->style;

	if (L->n == 0)
		lines_add(L);
	L->style = CS_NORMAL;
	while (L->v[L->n - 1].cols < col) {
		int k = col - L->v[L->n - 1].cols;

		if (k > (int)sizeof spaces - 1)
			k = (int)sizeof spaces - 1;
		line_append(L, spaces, k);
		if (L->v[L->n - 1].len >= LINE_BYTES - 1)
			break;
	}
	L->style = old;
}

/* Mark the lines so far as the fixed header. */
void
lines_end_header(struct lines *L)
{
	L->nheader = L->n;
}

/* Mark the lines from here on as the fixed footer. */
void
lines_begin_footer(struct lines *L)
{
	L->footer = L->n;
}

/* Append text word-wrapped, each line indented; cont continues the current line. */
void
lines_wrap(struct lines *L, const char *text, int w, int indent, int style, int cont)
{
	const char *p = text;

	if (w - indent < 10)
		w = indent + 10;
	while (*p) {
		const char *end = p, *brk = NULL;
		int cols = 0;

		while (*end && cols < w - indent) {
			if (*end == ' ')
				brk = end;
			if (((unsigned char)*end & 0xc0) != 0x80)
				cols++;
			end++;
		}
		while (*end && ((unsigned char)*end & 0xc0) == 0x80)
			end++;
		if (*end && *end != ' ' && brk)
			end = brk;
		if (!cont)
			lines_add(L);
		cont = 0;
		lines_pad(L, indent);
		lines_style(L, style);
		lines_printf(L, "%.*s", (int)(end - p), p);
		p = end;
		while (*p == ' ')
			p++;
	}
	L->style = CS_NORMAL;
}

/* Number of body (scrolling) lines. */
int
lines_body(const struct lines *L)
{
	int end = L->footer >= 0 ? L->footer : L->n;

	return end - L->nheader;
}

/* Number of footer lines. */
int
lines_nfooter(const struct lines *L)
{
	return L->footer >= 0 ? L->n - L->footer : 0;
}

