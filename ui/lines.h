/*
 * lines.h - "lines", a small buffer of styled text lines that a panel fills
 * and the panel frame draws (so scrolling and truncation live in one
 * place): a fixed header, a body that scrolls, a fixed footer.  Widths are
 * display columns, not bytes.  No curses.
 */
#ifndef EPOLLVIZ_UI_LINES_H
#define EPOLLVIZ_UI_LINES_H

#include <stddef.h>
#include <stdint.h>

#define LINE_BYTES 400
#define LINE_SEGS 24

struct line {
	int len;  /* bytes */
	int cols; /* display columns */
	short hang; /* column a wrapped continuation starts at, or -1: its indent + 2 */
	short cont; /* a continuation of the line above (lines_reflow made it) */
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
/* Append s and pad it to w display columns (printf's %-*s, counted in columns, not bytes). */
void lines_field(struct lines *L, const char *s, int w);
/* If the current line is wrapped, its continuations start at the column it has reached now. */
void lines_hang(struct lines *L);
/* Everything added so far is the fixed header. */
void lines_end_header(struct lines *L);
/* Everything added from now on is the fixed footer. */
void lines_begin_footer(struct lines *L);
/*
 * Append text word-wrapped to w columns in style, each line indented by
 * indent; with cont, the first piece continues the current line.
 */
void lines_wrap(struct lines *L, const char *text, int w, int indent, int style, int cont);
/*
 * Wrap every line wider than w columns at word boundaries onto continuation
 * lines indented to its hang, keeping styles, the header and the footer.
 */
void lines_reflow(struct lines *L, int w);
int lines_body(const struct lines *L);
int lines_nfooter(const struct lines *L);

/* Display columns of a UTF-8 string (wcwidth of each character; 1 if the locale cannot say). */
int lines_cols(const char *s);
/* Display columns of the first len bytes of s. */
int lines_cols_n(const char *s, int len);
/* How many of the first len bytes of s fit in cols columns, never cutting a character. */
int lines_bytes_for_cols(const char *s, int len, int cols);
/*
 * Bytes of s to keep to show it in cols columns, cut after a whole word when
 * that keeps two thirds of the room; *next: where the rest begins.
 */
int lines_break(const char *s, int len, int cols, int *next);

#endif
