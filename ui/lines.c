/*
 * lines.c - a panel's lines of styled text (see lines.h), measured in
 * display columns, not bytes.
 */
#include "lines.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/cols.h"
#include "../src/utf8.h"
#include "../src/util.h"
#include "crt.h"

/* Display columns of a UTF-8 string. */
int
lines_cols(const char *s)
{
	return lines_cols_n(s, (int)strlen(s));
}

/* Display columns of the first len bytes of s. */
int
lines_cols_n(const char *s, int len)
{
	int n = 0, i = 0;

	while (i < len) {
		int c;

		i += cols_char(s + i, len - i, &c);
		n += c;
	}
	return n;
}

/* Bytes of s that make up at most cols columns (a mark after the last character stays with it). */
int
lines_bytes_for_cols(const char *s, int len, int cols)
{
	int i = 0, c = 0;

	while (i < len) {
		int w, k = cols_char(s + i, len - i, &w);

		if (c + w > cols || utf8_seq(s + i, (size_t)(len - i)) < 0) /* never half a character */
			break;
		c += w;
		i += k;
	}
	return i;
}

/*
 * Where to cut len bytes of s to show at most cols columns: after the last
 * whole word that fits, when that keeps at least two thirds of the room
 * (a long path or number is cut at the column instead).  *next is where
 * the rest starts (its leading blanks skipped).  Returns the bytes kept,
 * trailing blanks dropped.
 */
int
lines_break(const char *s, int len, int cols, int *next)
{
	int fit = lines_bytes_for_cols(s, len, cols), at = fit;

	if (fit < len && s[fit] != ' ') {
		int sp = fit;

		while (sp > 0 && s[sp - 1] != ' ')
			sp--;
		if (sp > 0 && lines_cols_n(s, sp) * 3 >= cols * 2)
			at = sp;
	}
	*next = at;
	while (*next < len && s[*next] == ' ')
		(*next)++;
	while (at > 0 && s[at - 1] == ' ')
		at--;
	return at;
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
	ln->hang = -1;
	ln->cont = 0;
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
	ln->cols += lines_cols_n(s, n);
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
	if (n >= (int)sizeof buf) /* cut: not inside a character */
		n = lines_bytes_for_cols(buf, (int)sizeof buf - 1, LINE_BYTES);
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

/* Append s, then pad to w columns from where it began (printf's %-*s, in columns). */
void
lines_field(struct lines *L, const char *s, int w)
{
	int from;

	if (L->n == 0)
		lines_add(L);
	from = L->v[L->n - 1].cols;
	line_append(L, s, (int)strlen(s));
	lines_pad(L, from + w);
}

/* The current line's continuations, when it is wrapped, start at its current column. */
void
lines_hang(struct lines *L)
{
	if (L->n == 0)
		lines_add(L);
	L->v[L->n - 1].hang = (short)L->v[L->n - 1].cols;
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
	while (*p == ' ')
		p++;
	while (*p) {
		int room, kept, next, at;

		if (!cont || L->n == 0)
			lines_add(L);
		cont = 0;
		lines_pad(L, indent);
		at = L->v[L->n - 1].cols;
		room = w - at < 10 ? 10 : w - at;
		kept = lines_break(p, (int)strlen(p), room, &next);
		if (next == 0) { /* not even one character fits: take one anyway */
			int c;

			next = kept = cols_char(p, (int)strlen(p), &c);
		}
		lines_style(L, style);
		line_append(L, p, kept);
		p += next;
	}
	L->style = CS_NORMAL;
}

/* Append bytes [from, to) of src to dst's current line, each piece in its own style. */
static void
copy_range(struct lines *dst, const struct line *src, int from, int to)
{
	if (src->nseg == 0) {
		dst->style = CS_NORMAL;
		line_append(dst, src->s + from, to - from);
	}
	for (int i = 0; i < src->nseg; i++) {
		int a = src->seg[i].at, b = i + 1 < src->nseg ? src->seg[i + 1].at : src->len;

		a = a > from ? a : from;
		b = b < to ? b : to;
		if (a >= b)
			continue;
		dst->style = src->seg[i].style;
		line_append(dst, src->s + a, b - a);
	}
	dst->style = CS_NORMAL;
}

/*
 * Columns a wrapped line's continuations start at: its hang, or its indent
 * plus 2; just 2 when that would leave them less than 20 columns.
 */
static int
hang_of(const struct line *ln, int w)
{
	int h = ln->hang;

	if (h < 0) {
		h = 0;
		while (h < ln->len && ln->s[h] == ' ')
			h++;
		h += 2;
	}
	if (w - h < 20)
		h = w < 26 ? 0 : 2;
	return h;
}

/* Append ln to out, as one line or as a line and its indented continuations. */
static void
reflow_line(struct lines *out, const struct line *ln, int w)
{
	int pos = 0, hang = hang_of(ln, w);

	if (ln->cols <= w) {
		lines_add(out);
		out->v[out->n - 1] = *ln;
		return;
	}
	while (pos < ln->len) {
		int room = pos == 0 ? w : w - hang, next;
		int kept = lines_break(ln->s + pos, ln->len - pos, room, &next);

		if (next == 0) { /* not even one character fits: take one anyway */
			int c;

			next = kept = cols_char(ln->s + pos, ln->len - pos, &c);
		}
		lines_add(out);
		out->v[out->n - 1].cont = pos > 0;
		if (pos > 0)
			lines_pad(out, hang);
		copy_range(out, ln, pos, pos + kept);
		pos += next;
	}
}

/* Wrap every line wider than w columns onto indented continuation lines. */
void
lines_reflow(struct lines *L, int w)
{
	struct lines out;
	int nheader = -1, footer = -1, i;

	if (w <= 0)
		return;
	for (i = 0; i < L->n && L->v[i].cols <= w; i++)
		;
	if (i == L->n)
		return;
	memset(&out, 0, sizeof out);
	for (i = 0; i <= L->n; i++) {
		if (i == L->nheader)
			nheader = out.n;
		if (i == L->footer)
			footer = out.n;
		if (i < L->n)
			reflow_line(&out, &L->v[i], w);
	}
	free(L->v);
	L->total += (uint64_t)(out.n - L->n);
	L->v = out.v;
	L->n = out.n;
	L->cap = out.cap;
	L->nheader = nheader;
	L->footer = footer;
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

