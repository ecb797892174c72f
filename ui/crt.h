/*
 * crt.h - the terminal, as the front end owns it: curses init and done,
 * colours (or attributes only, with NO_COLOR or a monochrome terminal),
 * the glyphs (UTF-8 or ASCII), and the crash path that gives the terminal
 * back and stops the children before re-raising.
 *
 * Every exit path goes through crt_done: normal quit, the signalfd's
 * SIGINT/SIGTERM/SIGHUP, exit() from an allocation failure (atexit), and
 * the crash signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT).
 */
#ifndef EPOLLVIZ_UI_CRT_H
#define EPOLLVIZ_UI_CRT_H

#include <curses.h>
#include <sys/types.h>

/* What a piece of text means; crt_attr() turns it into colour or attributes. */
enum crt_style {
	CS_NORMAL = 0,
	CS_BAR,        /* title bar */
	CS_TITLE,      /* a panel's title */
	CS_FOCUS,      /* the focused panel's title */
	CS_DIM,        /* secondary text */
	CS_HEAD,       /* column headers */
	CS_LISTEN,     /* the listening socket */
	CS_FG,         /* the terminal's foreground process group */
	CS_WARN,       /* attention: queue not empty, EINTR */
	CS_ERR,        /* errors, storms, strays */
	CS_OK,         /* won, success */
	CS_KERNEL,     /* SI_KERNEL: sent by the kernel */
	CS_USER,       /* SI_USER: sent by kill() */
	CS_KEY,        /* a key cap in the key line */
	CS_SHARED,     /* a shared epoll instance */
	CS_YOU,        /* the user's own actions */
	CS__COUNT
};

/* Glyphs with an ASCII fallback when the locale is not UTF-8. */
enum crt_glyph {
	G_HLINE = 0, G_VLINE, G_TIMES, G_ARROW_R, G_ARROW_L, G_FG, G_WON, G_LOST, G_BAR_FULL,
	G_BAR_EMPTY, G_LISTEN, G_DOT, G_ELLIPSIS, G_UP, G_DOWN, G_DASH, G__COUNT
};

/* Take the terminal: raw mode, no echo, keypad, nodelay, ESC delay 25 ms, colours. */
int crt_init(void);
/* Give the terminal back exactly as it was.  Idempotent; safe before crt_init. */
void crt_done(void);
attr_t crt_attr(int style);
const char *crt_g(int glyph);
/* The locale's codeset is UTF-8. */
int crt_utf8(void);
/*
 * Tell the crash path which processes to stop: the session leader and the
 * job groups of the current run (0 for none).  Called whenever they change.
 */
void crt_guard(pid_t session, const pid_t *pgids, int n);

#endif
