/*
 * keys.c - the key table and the key line (see keys.h).
 */
#include "keys.h"

#include <curses.h>
#include <stdio.h>

#include "crt.h"
#include "draw.h"

const struct ui_key ui_keys[] = {
	{ "c", "client", "one client: connect, send a line, print the reply (which pid answered), close", KN_ECHO, 1 },
	{ "b", "burst", "20 clients at once: the herd, the semaphore, the accept queue", KN_ECHO, 1 },
	{ "o", "hold", "open one client connection and keep it open", KN_ECHO, 3 },
	{ "s", "send", "send a line on every held connection", KN_ECHO, 3 },
	{ "x", "close", "close every held connection (the worker sees EOF: DEL, close)", KN_ECHO, 3 },
	{ "w", "write", "write a line into the FIFO (open, write, close: the close is a hang-up)", KN_FIFO, 1 },
	{ "W", "writer", "open a FIFO writer and keep it", KN_FIFO, 1 },
	{ "h", "hang up", "close the held writer: the watcher sees EPOLLHUP", KN_FIFO, 1 },
	{ "^C", "interrupt", "type Ctrl+C at the session's terminal: the kernel sends SIGINT to its foreground group", KN_ANY, 0 },
	{ "i", "kill parent", "SIGINT to the echo server's parent only, as kill -INT <parent> would", KN_ECHO, 2 },
	{ "z", "stop", "type Ctrl+Z at the session's terminal: SIGTSTP to the foreground group", KN_ANY, 2 },
	{ "f", "fg", "fg: the session leader gives the terminal back to the stopped job and sends SIGCONT", KN_ANY, 2 },
	{ "p", "pause", "pause the display (records keep being read and applied; none is lost)", KN_ANY, 2 },
	{ "r", "restart", "stop the scenario cleanly and start it again", KN_ANY, 4 },
	{ "Tab", "focus", "move the focus to the next panel (Shift+Tab: previous)", KN_ANY, 4 },
	{ "\u2191\u2193", "scroll", "scroll the focused panel (PgUp/PgDn a page, Home/End the ends)", KN_ANY, 5 },
	{ "Enter", "zoom", "zoom the focused panel to the whole screen; 1-8 zoom a panel by its number", KN_ANY, 5 },
	{ "Esc", "picker", "stop the scenario cleanly and go back to the picker (or leave zoom/help)", KN_ANY, 3 },
	{ "?", "help", "this help", KN_ANY, 0 },
	{ "q", "quit", "stop the scenario cleanly and quit", KN_ANY, 0 },
};

const int ui_nkeys = (int)(sizeof ui_keys / sizeof ui_keys[0]);

/* Does the key apply to this scenario's jobs? */
int
keys_apply(const struct ui_key *k, int has_echo, int has_fifo)
{
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
lay_out(int prio, int w, int y, int draw, int has_echo, int has_fifo)
{
	int rows = 1, x = 0;

	for (int i = 0; i < ui_nkeys; i++) {
		const struct ui_key *k = &ui_keys[i];
		char cap[16];

		if (k->prio > prio || !keys_apply(k, has_echo, has_fifo))
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

int
keys_rows(int w, int max_rows, int has_echo, int has_fifo)
{
	int n = lay_out(4, w, 0, 0, has_echo, has_fifo);

	return n < max_rows ? n : max_rows;
}

/* Draw the key rows, dropping low-priority keys until they fit. */
void
keys_render(int y, int w, int rows, int has_echo, int has_fifo)
{
	int prio = 5;

	while (prio > 0 && lay_out(prio, w, y, 0, has_echo, has_fifo) > rows)
		prio--;
	for (int r = 0; r < rows; r++) {
		move(y + r, 0);
		clrtoeol();
	}
	lay_out(prio, w, y, 1, has_echo, has_fifo);
}
