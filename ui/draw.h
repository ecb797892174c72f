/*
 * draw.h - drawing on the screen for every screen: rectangles, clipped
 * text, one line of a panel's lines.  It brings lines.h and fmt.h along,
 * which every panel uses too.
 */
#ifndef EPOLLVIZ_UI_DRAW_H
#define EPOLLVIZ_UI_DRAW_H

#include "fmt.h"
#include "lines.h"

struct rect {
	int y, x, h, w;
};

/* Draw s at (y, x), at most w columns, in style; returns columns drawn. */
int draw_text(int y, int x, int w, int style, const char *s);
/* Draw one line of a buffer, clipped to w columns (an ellipsis marks the cut). */
void draw_line(int y, int x, int w, const struct line *ln, int more);
/* Fill a row with a horizontal rule. */
void draw_hline(int y, int x, int w, int style);
/* Fill the rectangle with blanks. */
void draw_clear(struct rect r);

#endif
