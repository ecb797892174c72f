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

/* Draw a string clipped to w columns; returns the columns drawn. */
int
draw_text(int y, int x, int w, int style, const char *s)
{
	int len = (int)strlen(s), b;

	if (w <= 0)
		return 0;
	b = lines_bytes_for_cols(s, len, w);
	attrset(crt_attr(style));
	mvaddnstr(y, x, s, b);
	attrset(A_NORMAL);
	return lines_cols(s) < w ? lines_cols(s) : w;
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
		int b = lines_bytes_for_cols(ln->s + from, to - from, limit - col);

		attrset(crt_attr(ln->seg[i].style));
		addnstr(ln->s + from, b);
		col += lines_cols_n(ln->s + from, b);
	}
	if (ln->nseg == 0 && ln->len > 0) {
		attrset(A_NORMAL);
		addnstr(ln->s, lines_bytes_for_cols(ln->s, ln->len, limit));
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

