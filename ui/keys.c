/*
 * keys.c - the screens' own keys, and the key line built from them and the
 * action table (see keys.h).  A key that does not work on a screen is
 * neither shown nor listed there.
 */
#include "keys.h"

#include <curses.h>
#include <stdio.h>

#include "../src/action.h"
#include "../src/i18n.h"
#include "crt.h"
#include "draw.h"

#define KEYS_PRIO_MAX 5  /* the lowest priority a key has */
#define KEYS_PRIO_ROWS 4 /* keys of at most this priority decide how many rows the line wants */

static const struct ui_key own_keys[] = {
	/* TRANSLATORS: the second string of each key is its key bar label (at most 10 columns); the third, a sentence of the help overlay */
	{ "Space", N_("pause"), N_("pause or resume the replay (p too); the clock of the recording stops with it"), KM_REPLAY, 0 },
	{ ".", N_("step"), N_("apply the next record only (pauses the replay)"), KM_REPLAY, 0 },
	{ "n", N_("next wait"), N_("apply records up to and including the next epoll_wait return (pauses the replay)"), KM_REPLAY, 1 },
	{ "+", N_("faster"), N_("play faster: x0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100 (- slower)"), KM_REPLAY, 1 },
	{ "-", N_("slower"), N_("play slower"), KM_REPLAY, 2 },
	{ ">", N_("fastest"), N_("play as fast as possible (+ or - go back to timed play)"), KM_REPLAY, 1 },
	{ "k", N_("kernel"), N_("show the kernel's own interest lists (/proc fdinfo, kcmp) in place of the traced ones, and back"), KM_SCENARIO, 2 },
	{ "p", N_("pause"), N_("pause the display (records keep being read and applied; none is lost)"), KM_LIVE, 2 },
	{ "r", N_("restart"), N_("stop the scenario cleanly and start it again (ends a --record recording)"), KM_LIVE, 4 },
	{ "r", N_("again"), N_("play the recording again from its start"), KM_REPLAY, 4 },
	{ "Tab", N_("focus"), N_("move the focus to the next panel (Shift+Tab: previous)"), KM_ALL, 4 },
	{ "\u2191\u2193", N_("scroll"), N_("scroll the focused panel (PgUp/PgDn a page, Home/End the ends)"), KM_ALL, 5 },
	{ "Enter", N_("zoom"), N_("zoom the focused panel to the whole screen; a panel's number zooms it"), KM_ALL, 5 },
	{ "Esc", N_("picker"), N_("stop the scenario cleanly and go back to the picker (or leave zoom/help)"), KM_LIVE, 3 },
	{ "\u2191\u2193", N_("choose"), N_("choose a strategy's row (j and k too)"), KM_CONTEST, 1 },
	{ "Enter", N_("replay"), N_("play the chosen strategy's recording on the usual panels; q comes back to the table"), KM_CONTEST, 0 },
	{ "?", N_("help"), N_("this help"), KM_ALL | KM_CONTEST, 0 },
	{ "q", N_("quit"), N_("stop the scenario cleanly and quit"), KM_LIVE, 0 },
	{ "q", N_("quit"), N_("quit (Esc too)"), KM_REPLAY | KM_ATTACH, 0 },
	{ "q", N_("quit"), N_("stop the contest cleanly (the strategy that runs ends, nothing is left behind) and quit; Esc too"), KM_CONTEST, 0 },
};

/* A table's text in the user's language (NULL and "" as they are: "" would be the catalogue's header). */
static const char *
tr(const char *s)
{
	return s && *s ? _(s) : s;
}

/* Whether action id has a key here: running screen only, the scenario allows it, and it can act now. */
int
keys_action_on(int id, const struct keys_ctx *kc)
{
	const struct action_def *d = action_def(id);

	if (d == NULL || d->key == 0 || kc->mode != KM_LIVE)
		return 0;
	if (kc->sc && !action_possible(id, kc->sc))
		return 0;
	return kc->all || kc->act == NULL || action_not_now(kc->act, id) == NULL;
}

/* Call fn for each action key that applies, then for this screen's own keys. */
void
keys_each(const struct keys_ctx *kc, void (*fn)(void *arg, const struct ui_key *k), void *arg)
{
	for (int id = 0; id < ACT__COUNT; id++) {
		const struct action_def *d = action_def(id);
		struct ui_key k = { d->cap, tr(d->label), tr(d->help), KM_LIVE, d->prio, NULL };

		if (kc->act && d->key)
			k.not_now = action_not_now(kc->act, id);
		if (keys_action_on(id, kc))
			fn(arg, &k);
	}
	for (size_t i = 0; i < sizeof own_keys / sizeof own_keys[0]; i++)
		if (own_keys[i].modes & kc->mode) {
			struct ui_key k = own_keys[i];

			k.label = tr(k.label);
			k.help = tr(k.help);
			fn(arg, &k);
		}
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
	return lines_cols(keys_cap(k)) + lines_cols(k->label) + 3;
}

/*
 * A key line being laid out: keys of priority <= prio, and the first extra
 * keys of priority prio + 1, on rows of w columns, drawn from row y if draw.
 */
struct lay {
	int prio, extra, w, y, draw;
	int rows, x, taken;
};

/* Place one key (a key is never split across rows). */
static void
lay_key(void *arg, const struct ui_key *k)
{
	struct lay *l = arg;
	char cap[16];

	if (k->prio > l->prio + 1 || (k->prio == l->prio + 1 && l->taken++ >= l->extra))
		return;
	if (l->x > 0 && l->x + key_width(k) > l->w) {
		l->rows++;
		l->x = 0;
	}
	if (!l->draw) {
		l->x += key_width(k);
		return;
	}
	snprintf(cap, sizeof cap, " %s ", keys_cap(k));
	l->x += draw_text(l->y + l->rows - 1, l->x, l->w - l->x, CS_KEY, cap);
	l->x += draw_text(l->y + l->rows - 1, l->x, l->w - l->x, CS_NORMAL, k->label);
	l->x += draw_text(l->y + l->rows - 1, l->x, l->w - l->x, CS_NORMAL, " ");
}

/* Lay the keys of priority <= prio, and extra of the next, out; returns the rows needed. */
static int
lay_out(const struct keys_ctx *kc, int prio, int extra, int w, int y, int draw)
{
	struct lay l = { prio, extra, w, y, draw, 1, 0, 0 };

	keys_each(kc, lay_key, &l);
	return l.rows;
}

/* Rows the keys up to priority KEYS_PRIO_ROWS need on w columns, capped at max_rows. */
int
keys_rows(int w, int max_rows, const struct keys_ctx *kc)
{
	int n = lay_out(kc, KEYS_PRIO_ROWS, 0, w, 0, 0);

	return n < max_rows ? n : max_rows;
}

/*
 * Drop priorities until the keys fit in rows, then take as many keys of the
 * first dropped priority as still fit, in their order (a whole level left out
 * could empty a row: at 80x24, z and k went with the level that one more key
 * overflowed); clear those rows and draw the keys.
 */
void
keys_render(int y, int w, int rows, const struct keys_ctx *kc)
{
	int prio = KEYS_PRIO_MAX, extra = 0;

	while (prio > 0 && lay_out(kc, prio, 0, w, y, 0) > rows)
		prio--;
	while (prio < KEYS_PRIO_MAX && extra < 64 && lay_out(kc, prio, extra + 1, w, y, 0) <= rows)
		extra++;
	for (int r = 0; r < rows; r++) {
		move(y + r, 0);
		clrtoeol();
	}
	lay_out(kc, prio, extra, w, y, 1);
}
