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

/* Display columns of a UTF-8 string (wcwidth of each character; 1 if the locale cannot say). */
int cols_width(const char *s);

/* The wider of w and s's display columns. */
int cols_max(const char *s, int w);

/* Append s padded with spaces to w display columns: left-aligned (%-*s), or right-aligned (%*s). */
void cols_field(struct strbuf *b, const char *s, int w, int right);

#endif
