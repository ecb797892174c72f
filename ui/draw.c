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

/*
 * Draw a styled line clipped to w columns.  A line that does not fit, or
 * that goes on out of sight (more: its wrapped continuation is not shown),
 * is cut after its last whole word that fits (lines_break), and an
 * ellipsis follows the cut.
 */
void
draw_line(int y, int x, int w, const struct line *ln, int more)
{
	int col = 0, end = ln->len, next, cut = ln->cols > w || (more && ln->len > 0);

	if (w <= 0)
		return;
	if (ln->cols > w - 1 && cut)
		end = lines_break(ln->s, ln->len, w - 1, &next);
	move(y, x);
	for (int i = 0; i < ln->nseg; i++) {
		int from = ln->seg[i].at;
		int to = i + 1 < ln->nseg ? ln->seg[i + 1].at : ln->len;

		if (to > end)
			to = end;
		if (from >= to)
			break;
		attrset(crt_attr(ln->seg[i].style));
		addnstr(ln->s + from, to - from);
		col += lines_cols_n(ln->s + from, to - from);
	}
	if (ln->nseg == 0 && end > 0) {
		attrset(A_NORMAL);
		addnstr(ln->s, end);
		col = lines_cols_n(ln->s, end);
	}
	if (cut) {
		attrset(crt_attr(CS_DIM));
		mvaddstr(y, x + col, crt_g(G_ELLIPSIS));
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

