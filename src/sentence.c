/*
 * sentence.c - see sentence.h.  Owns the table of action sentences
 * and the matching of a recorded sentence back to its format; keeps no
 * state and knows nothing of what the actions do.
 */
#include "sentence.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

#define MAX_ARGS 6

/* One sentence: its format (and plural), which argument counts, which is an error description. */
static const struct say {
	const char *one, *many; /* many: NULL when the sentence has no plural */
	int count;              /* the argument (from 0) that picks the plural form */
	int err;                /* the argument that is a strerrordesc_np text, or -1 */
} says[] = {
	{ SAY_NO_SERVER, NULL, 0, -1 },
	{ SAY_CONNECT, NULL, 0, -1 },
	{ SAY_BURST, 1, -1 },
	{ SAY_HOLD, 1, -1 },
	{ SAY_SEND_NONE, NULL, 0, -1 },
	{ SAY_SEND, 1, -1 },
	{ SAY_RELEASE, 0, -1 },
	{ SAY_TARGET_NONE, NULL, 0, -1 },
	{ SAY_TARGET_PORT_NONE, NULL, 0, -1 },
	{ SAY_TARGET, 1, -1 },
	{ SAY_ABANDON, 1, -1 },
	{ SAY_NO_FIFO, NULL, 0, -1 },
	{ SAY_OPEN_FAILED, NULL, 0, 2 },
	{ SAY_WRITE_FAILED, NULL, 0, 0 },
	{ SAY_WRITE_OWN, NULL, 0, -1 },
	{ SAY_WRITE_HELD, NULL, 0, -1 },
	{ SAY_WRITE_CLOSE_HELD, 1, -1 },
	{ SAY_WRITE_CLOSE, 1, -1 },
	{ SAY_WRITER_HELD, NULL, 0, -1 },
	{ SAY_WRITER, NULL, 0, -1 },
	{ SAY_HANGUP_NONE, NULL, 0, -1 },
	{ SAY_HANGUP, NULL, 0, -1 },
	{ SAY_CTRL_C, NULL, 0, -1 },
	{ SAY_CTRL_Z, NULL, 0, -1 },
	{ SAY_TTY_GONE, NULL, 0, -1 },
	{ SAY_FG, NULL, 0, -1 },
	{ SAY_KILL_PARENT_NONE, NULL, 0, -1 },
	{ SAY_KILL_PARENT, NULL, 0, -1 },
	{ SAY_WAIT, NULL, 0, -1 },
	{ SAY_SETTLE, NULL, 0, -1 },
	{ SAY_INSPECT, NULL, 0, -1 },
	{ SAY_PAUSE, NULL, 0, -1 },
	{ SAY_TIMEOUT, NULL, 0, -1 },
	{ SAY_LOG_STALL, NULL, 0, -1 },
	{ SAY_LOG_NO_NEWLINE, NULL, 0, -1 },
	{ SAY_LOG_STALE_BYTES, NULL, 0, -1 },
	{ SAY_LOG_DISABLED, NULL, 0, -1 },
	{ SAY_LOG_PINNED, NULL, 0, -1 },
	{ SAY_LOG_SHADOW, NULL, 0, -1 },
	{ SAY_LOG_EARLY_WRITE, NULL, 0, -1 },
	{ SAY_LOG_ET_EARLY, NULL, 0, -1 },
	{ SAY_LOG_ET_MISSED, NULL, 0, -1 },
	{ SAY_LOG_PRELOAD_LOST, NULL, 0, -1 },
};

/* The arguments a match found: where each one's text is in the sentence. */
struct found {
	int n;
	struct {
		const char *at;
		size_t len;
	} arg[MAX_ARGS];
};

/* Past the conversion that starts at f ('%'): flags, width, precision, length, the letter. */
static const char *
spec_end(const char *f)
{
	f++;
	while (*f && strchr("0123456789$-+ #.*hlLqjzt", *f))
		f++;
	return *f ? f + 1 : f;
}

/* Can a number printed by the conversion ending at end contain c? */
static int
numeric_char(const char *end, char c)
{
	char conv = end[-1];

	if (conv == 's' || conv == 'c')
		return 1;
	return isxdigit((unsigned char)c) || c == '-' || c == '+' || c == '.' || c == 'x';
}

/* Does text match format f from here on?  Arguments found go to fd (backtracking). */
static int
match(const char *f, const char *t, struct found *fd)
{
	while (*f) {
		if (f[0] == '%' && f[1] == '%') {
			if (*t != '%')
				return 0;
			f += 2, t++;
		} else if (*f == '%') {
			const char *end = spec_end(f);

			if (fd->n == MAX_ARGS)
				return 0;
			for (size_t len = 1; t[len - 1] && numeric_char(end, t[len - 1]); len++) {
				fd->arg[fd->n].at = t;
				fd->arg[fd->n].len = len;
				fd->n++;
				if (match(end, t + len, fd))
					return 1;
				fd->n--;
			}
			return 0;
		} else {
			if (*f != *t)
				return 0;
			f++, t++;
		}
	}
	return *t == '\0';
}

/* Append argument i of fd to buf (translated when it is the error description). */
static size_t
put_arg(char *buf, size_t len, size_t cap, const struct found *fd, int i, int err)
{
	char arg[256];
	const char *s = arg;
	size_t n;

	if (i < 0 || i >= fd->n)
		return len;
	n = fd->arg[i].len < sizeof arg ? fd->arg[i].len : sizeof arg - 1;
	memcpy(arg, fd->arg[i].at, n);
	arg[n] = '\0';
	if (i == err)
		s = dgettext("libc", arg);
	for (; *s && len + 1 < cap; s++)
		buf[len++] = *s;
	return len;
}

/* The translated format fmt with the found arguments, in the order fmt asks for them (%N$ too). */
static void
render(const char *fmt, const struct found *fd, int err, char *buf, size_t cap)
{
	size_t len = 0;
	int next = 0;

	for (const char *f = fmt; *f && len + 1 < cap;) {
		if (f[0] == '%' && f[1] == '%') {
			buf[len++] = '%';
			f += 2;
		} else if (*f == '%') {
			const char *p = f + 1, *q = p;
			int i = next++;

			while (isdigit((unsigned char)*q))
				q++;
			if (q > p && *q == '$')
				i = atoi(p) - 1;
			len = put_arg(buf, len, cap, fd, i, err);
			f = spec_end(f);
		} else {
			buf[len++] = *f++;
		}
	}
	buf[len] = '\0';
}

/* The sentence in the reader's language; see sentence.h. */
const char *
sentence_localize(const char *text, char *buf, size_t cap)
{
	for (size_t i = 0; i < ARRAY_LEN(says); i++) {
		const struct say *s = &says[i];
		const char *fmt;
		struct found fd = { 0 };
		long n = 2;

		if (match(s->one, text, &fd) || (s->many && (fd.n = 0, match(s->many, text, &fd)))) {
			if (s->many && s->count < fd.n && fd.arg[s->count].at)
				n = strtol(fd.arg[s->count].at, NULL, 10); /* the digits end the number */
			fmt = s->many ? P_(s->one, s->many, n) : _(s->one);
			if (cap == 0)
				return text;
			render(fmt, &fd, s->err, buf, cap);
			return buf;
		}
	}
	return text;
}
