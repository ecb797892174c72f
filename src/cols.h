/*
 * cols.h - text padded by display columns, for the headless text tables
 * (contest, the run's summary): a translated header is measured in the
 * columns it takes on a terminal (Cyrillic: two bytes, one column), not in
 * bytes, and a column is as wide as the wider of its header and its values.
 * No curses (ui/lines.h is the screen's counterpart).
 */
#ifndef EPOLLVIZ_COLS_H
#define EPOLLVIZ_COLS_H

#include "sb.h"

/*
 * The character at s (at most len bytes): returns its bytes, its display
 * columns into *cols.  A whole UTF-8 sequence is measured with wcwidth (1
 * when the locale cannot say, 0 for a combining mark); a byte that begins
 * no whole sequence is one byte and one column, a stray continuation byte
 * one byte and none.  The one measure of text, for the screen (ui/lines.c)
 * and the headless tables alike.
 */
int cols_char(const char *s, int len, int *cols);
/* Display columns of a UTF-8 string (wcwidth of each character; 1 if the locale cannot say). */
int cols_width(const char *s);

/* The wider of w and s's display columns. */
int cols_max(const char *s, int w);

/* Append s padded with spaces to w display columns: left-aligned (%-*s), or right-aligned (%*s). */
void cols_field(struct strbuf *b, const char *s, int w, int right);

#endif
