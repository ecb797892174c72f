/*
 * utf8.h - UTF-8 sequences, checked once for everyone who keeps text whole:
 * the pty's lines (run.c), escaping for a terminal (proctab.c), JSON
 * strings (sb.c), text cut to a buffer (role.c, kview.c) and the screen's
 * lines (ui/lines.c).  Bytes only: no locale, no state, no curses.  Also
 * built into the preload tracer (sb.c needs it).
 */
#ifndef EPOLLVIZ_UTF8_H
#define EPOLLVIZ_UTF8_H

#include <stddef.h>

/*
 * The character at s (n bytes there): its length, 2 to 4, when it is a
 * whole, well-formed multi-byte sequence (no overlong form, no surrogate,
 * nothing past U+10FFFF); 0 when it is not one (ASCII included); -1 when
 * it is the start of one that the end of s cuts short.  A NUL ends it: it
 * is never read past.
 */
int utf8_seq(const void *s, size_t n);
/* The same, and 0 as well for the C1 controls (U+0080..U+009F: terminal commands, not text). */
int utf8_printable(const void *s, size_t n);
/* How many of the n bytes of s to keep so that no character at the end is cut in half. */
size_t utf8_whole(const char *s, size_t n);

#endif
