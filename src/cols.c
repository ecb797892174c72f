/*
 * cols.c - text padded by display columns (see cols.h).
 */
#include "cols.h"

#include <wchar.h>

/*
 * One character of s: its bytes, and its display columns in *cols.  A
 * valid UTF-8 sequence is measured with wcwidth (1 when the locale cannot
 * say, 0 for a combining mark); a byte that begins no valid sequence is one
 * column, a stray continuation byte none.
 */
static int
char_next(const unsigned char *s, int *cols)
{
	int n, w;
	wchar_t cp;

	*cols = 1;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xc0) == 0x80) {
		*cols = 0;
		return 1;
	}
	n = (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 1;
	if (n == 1)
		return 1;
	cp = (wchar_t)(s[0] & (0x7f >> n));
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1; /* also at the terminating NUL */
		cp = (wchar_t)((cp << 6) | (s[i] & 0x3f));
	}
	w = wcwidth(cp);
	*cols = w < 0 ? 1 : w;
	return n;
}

/* Display columns of a UTF-8 string. */
int
cols_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int n = 0;

	while (*p) {
		int c;

		p += char_next(p, &c);
		n += c;
	}
	return n;
}

/* The wider of w and s's display columns. */
int
cols_max(const char *s, int w)
{
	int c = cols_width(s);

	return c > w ? c : w;
}

/* Append s padded to w display columns, never cut. */
void
cols_field(struct strbuf *b, const char *s, int w, int right)
{
	int pad = w - cols_width(s);

	if (right)
		for (; pad > 0; pad--)
			sb_add(b, " ");
	sb_add(b, s);
	if (!right)
		for (; pad > 0; pad--)
			sb_add(b, " ");
}
