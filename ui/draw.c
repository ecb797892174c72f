/*
 * draw.c - drawing helpers and shared number formats (see draw.h).  Draws
 * on stdscr only; knows nothing of panels or of the model.
 */
#include "draw.h"

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
text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += lead_byte((unsigned char)*s);
	return n;
}

/* Bytes of s that make up at most cols columns. */
static int
bytes_for_cols(const char *s, int len, int cols)
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
		n = bytes_for_cols(s, LINE_BYTES - 1 - ln->len, LINE_BYTES);
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

/* Draw a string clipped to w columns; returns the columns drawn. */
int
draw_text(int y, int x, int w, int style, const char *s)
{
	int len = (int)strlen(s), b;

	if (w <= 0)
		return 0;
	b = bytes_for_cols(s, len, w);
	attrset(crt_attr(style));
	mvaddnstr(y, x, s, b);
	attrset(A_NORMAL);
	return text_cols(s) < w ? text_cols(s) : w;
}

/* Draw a styled line clipped to w columns, an ellipsis marking the cut. */
void
draw_line(int y, int x, int w, const struct line *ln)
{
	int col = 0, cut = ln->cols > w;
	int limit = cut ? w - 1 : w;

	if (w <= 0)
		return;
	move(y, x);
	for (int i = 0; i < ln->nseg && col < limit; i++) {
		int from = ln->seg[i].at;
		int to = i + 1 < ln->nseg ? ln->seg[i + 1].at : ln->len;
		int b = bytes_for_cols(ln->s + from, to - from, limit - col);

		attrset(crt_attr(ln->seg[i].style));
		addnstr(ln->s + from, b);
		for (int k = 0; k < b; k++)
			col += lead_byte((unsigned char)ln->s[from + k]);
	}
	if (ln->nseg == 0 && ln->len > 0) {
		attrset(A_NORMAL);
		addnstr(ln->s, bytes_for_cols(ln->s, ln->len, limit));
	}
	if (cut) {
		attrset(crt_attr(CS_DIM));
		mvaddstr(y, x + w - 1, crt_g(G_ELLIPSIS));
	}
	attrset(A_NORMAL);
}

/* Draw a horizontal rule. */
void
draw_hline(int y, int x, int w, int style)
{
	attrset(crt_attr(style));
	for (int i = 0; i < w; i++)
		mvaddstr(y, x + i, crt_g(G_HLINE));
	attrset(A_NORMAL);
}

/* Blank a rectangle. */
void
draw_clear(struct rect r)
{
	for (int y = r.y; y < r.y + r.h; y++) {
		move(y, r.x);
		for (int x = 0; x < r.w; x++)
			addch(' ');
	}
}

/* A count with thousands separators. */
const char *
fmt_count(uint64_t n, char *buf, size_t cap)
{
	char tmp[32];
	int len = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)n), o = 0;

	for (int i = 0; i < len && (size_t)o + 2 < cap; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

/* A rate per second, short. */
const char *
fmt_rate(double v, char *buf, size_t cap)
{
	if (v < 1000)
		snprintf(buf, cap, "%.0f/s", v);
	else if (v < 10e3)
		snprintf(buf, cap, "%.1fk/s", v / 1e3);
	else if (v < 1e6)
		snprintf(buf, cap, "%.0fk/s", v / 1e3);
	else
		snprintf(buf, cap, "%.1fM/s", v / 1e6);
	return buf;
}

/* A duration, in the unit that reads best. */
const char *
fmt_dur(uint64_t ns, char *buf, size_t cap)
{
	double ms = (double)ns / 1e6;

	if (ms < 10)
		snprintf(buf, cap, "%.1f ms", ms);
	else if (ms < 1000)
		snprintf(buf, cap, "%.0f ms", ms);
	else if (ms < 60e3)
		snprintf(buf, cap, "%.1f s", ms / 1e3);
	else
		snprintf(buf, cap, "%llu min %02llu s", (unsigned long long)(ms / 60e3),
			 (unsigned long long)(ms / 1e3) % 60);
	return buf;
}

/* A byte count, in B, KiB or MiB. */
const char *
fmt_bytes(uint64_t n, char *buf, size_t cap)
{
	if (n < 1024)
		snprintf(buf, cap, "%llu B", (unsigned long long)n);
	else if (n < 1024 * 1024)
		snprintf(buf, cap, "%.1f KiB", (double)n / 1024);
	else
		snprintf(buf, cap, "%.1f MiB", (double)n / (1024 * 1024));
	return buf;
}
