/*
 * cols.c - text padded by display columns (see cols.h).
 */
#include "cols.h"

#include <string.h>
#include <wchar.h>

/* One character of s: its bytes, its columns in *cols; see cols.h. */
int
cols_char(const char *s, int len, int *cols)
{
	unsigned char b = (unsigned char)s[0];
	int n, w;
	wchar_t cp;

	*cols = 1;
	if (b < 0x80)
		return 1;
	if ((b & 0xc0) == 0x80) {
		*cols = 0;
		return 1;
	}
	n = (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 1;
	if (n == 1 || n > len)
		return 1;
	cp = (wchar_t)(b & (0x7f >> n));
	for (int i = 1; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
		cp = (wchar_t)((cp << 6) | ((unsigned char)s[i] & 0x3f));
	}
	w = wcwidth(cp);
	*cols = w < 0 ? 1 : w;
	return n;
}

/* Display columns of a UTF-8 string. */
int
cols_width(const char *s)
{
	int len = (int)strlen(s), n = 0;

	for (int i = 0; i < len;) {
		int c;

		i += cols_char(s + i, len - i, &c);
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
