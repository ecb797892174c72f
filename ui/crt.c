/*
 * crt.c - the terminal (see crt.h).  Owns the saved termios, the curses
 * screen, the colour pairs and the crash handlers.  Must not know about
 * panels, runs or the model: it only knows which pids to stop on a crash.
 */
#include "crt.h"

#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../src/i18n.h"

#define CRT_MAX_GUARD 8

static struct termios saved_tio;
static int have_tio;
static volatile sig_atomic_t active;
static int use_color;
static int utf8;
static attr_t attrs[CS__COUNT];

/* Pids the crash path stops: written by crt_guard, read by the handler. */
static volatile sig_atomic_t guard_session;
static volatile sig_atomic_t guard_pgids[CRT_MAX_GUARD];
static volatile sig_atomic_t guard_n;

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static const char *const glyph_utf8[G__COUNT] = {
	[G_HLINE] = "\u2500", [G_VLINE] = "\u2502", [G_TIMES] = "\u00d7", [G_ARROW_R] = "\u2192",
	[G_ARROW_L] = "\u2190", [G_FG] = "\u25b6", [G_WON] = "\u25cf", [G_LOST] = "\u25cb",
	[G_BAR_FULL] = "\u2588", [G_BAR_EMPTY] = "\u2591", [G_LISTEN] = "\u25c6", [G_DOT] = "\u00b7",
	[G_ELLIPSIS] = "\u2026", [G_UP] = "\u2191", [G_DOWN] = "\u2193", [G_DASH] = "\u2014",
};

static const char *const glyph_ascii[G__COUNT] = {
	[G_HLINE] = "-", [G_VLINE] = "|", [G_TIMES] = "x", [G_ARROW_R] = "->", [G_ARROW_L] = "<-",
	[G_FG] = ">", [G_WON] = "#", [G_LOST] = ".", [G_BAR_FULL] = "#", [G_BAR_EMPTY] = "-",
	[G_LISTEN] = "*", [G_DOT] = "-", [G_ELLIPSIS] = ">", [G_UP] = "^", [G_DOWN] = "v",
	[G_DASH] = "--",
};

/* Colour and attribute of each style: fg, bg (-1 = default), extra attributes. */
static const struct {
	short fg, bg;
	attr_t color_attr; /* with colours */
	attr_t mono_attr;  /* without */
} style_def[CS__COUNT] = {
	[CS_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[CS_BAR] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[CS_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[CS_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_REVERSE | A_BOLD },
	[CS_DIM] = { -1, -1, A_DIM, A_DIM },
	[CS_HEAD] = { -1, -1, A_UNDERLINE, A_UNDERLINE },
	[CS_LISTEN] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[CS_FG] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[CS_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[CS_ERR] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[CS_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[CS_KERNEL] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD | A_REVERSE },
	[CS_USER] = { COLOR_CYAN, -1, A_BOLD, A_UNDERLINE },
	[CS_KEY] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_REVERSE },
	[CS_SHARED] = { COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE },
	[CS_YOU] = { COLOR_YELLOW, -1, A_NORMAL, A_BOLD },
};

/* What a crash says, translated before any crash (gettext is not async-signal-safe). */
static char crash_msg[256];
static size_t crash_len;

/* Async-signal-safe terminal restore and child stop, then re-raise. */
static void
crash_handler(int sig)
{
	if (active) {
		active = 0;
		endwin(); /* not async-signal-safe, as in htop; the tcsetattr below is */
	}
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	for (int i = 0; i < guard_n; i++)
		if (guard_pgids[i] > 0)
			kill(-(pid_t)guard_pgids[i], SIGTERM);
	if (guard_session > 0)
		kill((pid_t)guard_session, SIGTERM);
	if (write(STDERR_FILENO, crash_msg, crash_len) < 0) {
		/* nothing more to do */
	}
	raise(sig); /* SA_RESETHAND: the default action now */
}

/* Give the terminal back when exit() is called anywhere. */
static void
crt_atexit(void)
{
	crt_done();
}

/* Colour pairs, or plain attributes with NO_COLOR or a monochrome terminal. */
static void
init_styles(void)
{
	use_color = 0;
	if (getenv("NO_COLOR") == NULL && has_colors() && start_color() == OK) {
		use_color = 1;
		use_default_colors();
	}
	for (int i = 0; i < CS__COUNT; i++) {
		if (use_color && i > 0 && i < COLOR_PAIRS) {
			init_pair((short)i, style_def[i].fg, style_def[i].bg);
			attrs[i] = COLOR_PAIR(i) | style_def[i].color_attr;
		} else {
			attrs[i] = style_def[i].mono_attr;
		}
	}
}

/* Take the terminal: raw, no echo, keypad, nodelay, ESC delay 25 ms, crash handlers. */
int
crt_init(void)
{
	struct sigaction sa;
	const char *cs;
	static int registered;

	/* The locale was taken at start (lang_init), numbers kept in C. */
	cs = nl_langinfo(CODESET);
	utf8 = cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		have_tio = 1;
	if (initscr() == NULL)
		return -1;
	active = 1;
	if (!registered) {
		atexit(crt_atexit);
		registered = 1;
	}
	snprintf(crash_msg, sizeof crash_msg, "epollviz: %s\n", _("crashed; terminal restored, children stopped"));
	crash_len = strlen(crash_msg);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_handler;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		sigaction(crash_signals[i], &sa, NULL);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	leaveok(stdscr, TRUE);
	init_styles();
	return 0;
}

/* Give the terminal back exactly as it was found. */
void
crt_done(void)
{
	if (!active)
		return;
	active = 0;
	curs_set(1);
	endwin();
	if (have_tio)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
}

/* The attributes (and colour pair) of a style. */
attr_t
crt_attr(int style)
{
	if (style < 0 || style >= CS__COUNT)
		return A_NORMAL;
	return attrs[style];
}

/* A glyph, in UTF-8 or its ASCII stand-in. */
const char *
crt_g(int glyph)
{
	if (glyph < 0 || glyph >= G__COUNT)
		return "?";
	return utf8 ? glyph_utf8[glyph] : glyph_ascii[glyph];
}

/* Whether crt_init found a UTF-8 codeset (0 before it runs). */
int
crt_utf8(void)
{
	return utf8;
}

/* Remember which session and groups the crash path must stop. */
void
crt_guard(pid_t session, const pid_t *pgids, int n)
{
	guard_n = 0;
	guard_session = session;
	if (n > CRT_MAX_GUARD)
		n = CRT_MAX_GUARD;
	for (int i = 0; i < n; i++)
		guard_pgids[i] = pgids[i];
	guard_n = n;
}
