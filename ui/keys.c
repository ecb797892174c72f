/*
 * keys.c - the key table and the key line (see keys.h).  A key that does
 * not work on a screen is neither shown nor listed there.
 */
#include "keys.h"

#include <curses.h>
#include <stdio.h>

#include "crt.h"
#include "draw.h"

const struct ui_key ui_keys[] = {
	{ "c", "client", "one client: connect, send a line, print the reply (which pid answered), close", KM_LIVE, KN_ECHO, 1 },
	{ "b", "burst", "20 clients at once: the herd, the semaphore, the accept queue", KM_LIVE, KN_ECHO, 1 },
	{ "o", "hold", "open one client connection and keep it open", KM_LIVE, KN_ECHO, 3 },
	{ "s", "send", "send a line on every held connection", KM_LIVE, KN_ECHO, 3 },
	{ "x", "close", "close every held connection (the worker sees EOF: DEL, close)", KM_LIVE, KN_ECHO, 3 },
	{ "w", "write", "write a line into the FIFO (open, write, close: the close is a hang-up)", KM_LIVE, KN_FIFO, 1 },
	{ "W", "writer", "open a FIFO writer and keep it", KM_LIVE, KN_FIFO, 1 },
	{ "h", "hang up", "close the held writer: the watcher sees EPOLLHUP", KM_LIVE, KN_FIFO, 1 },
	{ "^C", "interrupt", "type Ctrl+C at the session's terminal: the kernel sends SIGINT to its foreground group", KM_LIVE, KN_ANY, 0 },
	{ "i", "kill parent", "SIGINT to the echo server's parent only, as kill -INT <parent> would", KM_LIVE, KN_ECHO, 2 },
	{ "z", "stop", "type Ctrl+Z at the session's terminal: SIGTSTP to the foreground group", KM_LIVE, KN_ANY, 2 },
	{ "f", "fg", "fg: the session leader gives the terminal back to the stopped job and sends SIGCONT", KM_LIVE, KN_ANY, 2 },
	{ "Space", "pause", "pause or resume the replay (p too); the clock of the recording stops with it", KM_REPLAY, KN_ANY, 0 },
	{ ".", "step", "apply the next record only (pauses the replay)", KM_REPLAY, KN_ANY, 0 },
	{ "n", "next wait", "apply records up to and including the next epoll_wait return (pauses the replay)", KM_REPLAY, KN_ANY, 1 },
	{ "+", "faster", "play faster: x0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100 (- slower)", KM_REPLAY, KN_ANY, 1 },
	{ "-", "slower", "play slower", KM_REPLAY, KN_ANY, 2 },
	{ ">", "fastest", "play as fast as possible (+ or - go back to timed play)", KM_REPLAY, KN_ANY, 1 },
	{ "k", "kernel", "show the kernel's own interest lists (/proc fdinfo, kcmp) in place of the traced ones, and back", KM_SCENARIO, KN_ANY, 2 },
	{ "p", "pause", "pause the display (records keep being read and applied; none is lost)", KM_LIVE, KN_ANY, 2 },
	{ "r", "restart", "stop the scenario cleanly and start it again (ends a --record recording)", KM_LIVE, KN_ANY, 4 },
	{ "r", "again", "play the recording again from its start", KM_REPLAY, KN_ANY, 4 },
	{ "Tab", "focus", "move the focus to the next panel (Shift+Tab: previous)", KM_ALL, KN_ANY, 4 },
	{ "\u2191\u2193", "scroll", "scroll the focused panel (PgUp/PgDn a page, Home/End the ends)", KM_ALL, KN_ANY, 5 },
	{ "Enter", "zoom", "zoom the focused panel to the whole screen; a panel's number zooms it", KM_ALL, KN_ANY, 5 },
	{ "Esc", "picker", "stop the scenario cleanly and go back to the picker (or leave zoom/help)", KM_LIVE, KN_ANY, 3 },
	{ "?", "help", "this help", KM_ALL, KN_ANY, 0 },
	{ "q", "quit", "stop the scenario cleanly and quit", KM_LIVE, KN_ANY, 0 },
	{ "q", "quit", "quit (Esc too)", KM_REPLAY | KM_ATTACH, KN_ANY, 0 },
};

const int ui_nkeys = (int)(sizeof ui_keys / sizeof ui_keys[0]);

/* Does the key work on this screen, for this scenario's jobs? */
int
keys_apply(const struct ui_key *k, int mode, int has_echo, int has_fifo)
{
	if (!(k->modes & mode))
		return 0;
	return k->need == KN_ANY || (k->need == KN_ECHO && has_echo) || (k->need == KN_FIFO && has_fifo);
}

/* The key cap, with an ASCII stand-in for the arrows. */
const char *
keys_cap(const struct ui_key *k)
{
	return !crt_utf8() && (unsigned char)k->cap[0] >= 0x80 ? "Up/Dn" : k->cap;
}

/* Columns one key takes on the line. */
static int
key_width(const struct ui_key *k)
{
	return text_cols(keys_cap(k)) + text_cols(k->label) + 3;
}

/*
 * Lay the keys of priority <= prio out on rows of w columns (in table
 * order, a key never split); returns the rows needed.  With draw, draw
 * them from row y on.
 */
static int
lay_out(int prio, int w, int y, int draw, int mode, int has_echo, int has_fifo)
{
	int rows = 1, x = 0;

	for (int i = 0; i < ui_nkeys; i++) {
		const struct ui_key *k = &ui_keys[i];
		char cap[16];

		if (k->prio > prio || !keys_apply(k, mode, has_echo, has_fifo))
			continue;
		if (x > 0 && x + key_width(k) > w) {
			rows++;
			x = 0;
		}
		if (!draw) {
			x += key_width(k);
			continue;
		}
		snprintf(cap, sizeof cap, " %s ", keys_cap(k));
		x += draw_text(y + rows - 1, x, w - x, CS_KEY, cap);
		x += draw_text(y + rows - 1, x, w - x, CS_NORMAL, k->label);
		x += draw_text(y + rows - 1, x, w - x, CS_NORMAL, " ");
	}
	return rows;
}

/* Rows the key line would like, at most max_rows. */
int
keys_rows(int w, int max_rows, int mode, int has_echo, int has_fifo)
{
	int n = lay_out(4, w, 0, 0, mode, has_echo, has_fifo);

	return n < max_rows ? n : max_rows;
}

/* Draw the key rows, dropping low-priority keys until they fit. */
void
keys_render(int y, int w, int rows, int mode, int has_echo, int has_fifo)
{
	int prio = 5;

	while (prio > 0 && lay_out(prio, w, y, 0, mode, has_echo, has_fifo) > rows)
		prio--;
	for (int r = 0; r < rows; r++) {
		move(y + r, 0);
		clrtoeol();
	}
	lay_out(prio, w, y, 1, mode, has_echo, has_fifo);
}
