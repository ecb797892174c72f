/*
 * draw.h - drawing helpers for every screen: rectangles, clipped text,
 * and "lines", a small buffer of styled text lines that a panel fills and
 * the panel frame draws (so scrolling and truncation live in one place).
 * Also the number formats the panels share (1,234  12k/s  830 ms).
 */
#ifndef EPOLLVIZ_UI_DRAW_H
#define EPOLLVIZ_UI_DRAW_H

#include <stddef.h>
#include <stdint.h>

struct rect {
	int y, x, h, w;
};

#define LINE_BYTES 400
#define LINE_SEGS 24

struct line {
	int len;  /* bytes */
	int cols; /* display columns */
	int nseg;
	struct {
		short at;
		short style;
	} seg[LINE_SEGS];
	char s[LINE_BYTES];
};

/*
 * Lines of a panel: nheader fixed lines at the top, a body that scrolls,
 * and fixed footer lines (from index footer on) at the bottom.
 */
struct lines {
	struct line *v;
	int n, cap;
	int nheader;
	int footer;      /* index of the first footer line, or -1 */
	uint64_t total;  /* body lines ever produced (bottom-anchored panels) */
	int style;       /* style of the text appended next */
	char title[96];  /* extra text for the panel's title */
};

void lines_reset(struct lines *L);
void lines_free(struct lines *L);
/* Start a new line (style back to normal). */
void lines_add(struct lines *L);
/* Style of the text appended next (enum crt_style). */
void lines_style(struct lines *L, int style);
/* Append formatted text to the current line. */
void lines_printf(struct lines *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append text in a style, then go back to normal. */
void lines_put(struct lines *L, int style, const char *s);
/* Pad the current line with spaces to display column col. */
void lines_pad(struct lines *L, int col);
/* Everything added so far is the fixed header. */
void lines_end_header(struct lines *L);
/* Everything added from now on is the fixed footer. */
void lines_begin_footer(struct lines *L);
/*
 * Append text word-wrapped to w columns in style, each line indented by
 * indent; with cont, the first piece continues the current line.
 */
void lines_wrap(struct lines *L, const char *text, int w, int indent, int style, int cont);
int lines_body(const struct lines *L);
int lines_nfooter(const struct lines *L);

/* Display columns of a UTF-8 string (every code point is one column here). */
int text_cols(const char *s);
/* Draw s at (y, x), at most w columns, in style; returns columns drawn. */
int draw_text(int y, int x, int w, int style, const char *s);
/* Draw one line of a buffer, clipped to w columns (an ellipsis marks the cut). */
void draw_line(int y, int x, int w, const struct line *ln);
/* Fill a row with a horizontal rule. */
void draw_hline(int y, int x, int w, int style);
/* Fill the rectangle with blanks. */
void draw_clear(struct rect r);

/* 1234567 -> "1,234,567". */
const char *fmt_count(uint64_t n, char *buf, size_t cap);
/* Events per second -> "850/s", "12k/s", "2.4M/s". */
const char *fmt_rate(double per_s, char *buf, size_t cap);
/* Nanoseconds -> "0.4 ms", "830 ms", "12.3 s", "4 min 05 s". */
const char *fmt_dur(uint64_t ns, char *buf, size_t cap);
/* Bytes -> "20 B", "1.2 KiB", "3.4 MiB". */
const char *fmt_bytes(uint64_t n, char *buf, size_t cap);

#endif
