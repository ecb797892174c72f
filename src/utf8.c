/*
 * utf8.c - see utf8.h.  Owns what a well-formed UTF-8 sequence is; knows
 * nothing of where the text goes.
 */
#include "utf8.h"

/* The character at s; see utf8.h. */
int
utf8_seq(const void *s, size_t n)
{
	const unsigned char *p = s;
	int len = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	unsigned char lo = 0x80, hi = 0xbf;

	if (n == 0 || p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f; /* beyond U+10FFFF */
	for (int i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if (p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

/* A whole character that is text, not a C1 control; see utf8.h. */
int
utf8_printable(const void *s, size_t n)
{
	const unsigned char *p = s;
	int len = utf8_seq(s, n);

	if (len > 0 && p[0] == 0xc2 && p[1] < 0xa0)
		return 0; /* U+0080..U+009F */
	return len;
}

/* Bytes of s to keep with no character cut at the end; see utf8.h. */
size_t
utf8_whole(const char *s, size_t n)
{
	size_t lead = n;

	while (lead > 0 && n - lead < 3 && ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	/* s[lead - 1] may start the last character: keep it only when it is whole */
	if (lead > 0 && (unsigned char)s[lead - 1] >= 0xc0 && utf8_seq(s + lead - 1, n - (lead - 1)) < 0)
		return lead - 1;
	return n;
}
