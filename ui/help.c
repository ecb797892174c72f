/*
 * help.c - the help overlay (see help.h).  Its text comes from the key
 * table and from each panel's ops, so it cannot drift from what is drawn.
 */
#include "help.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "crt.h"
#include "keys.h"
#include "panel.h"

#define HELP_MAX_W 104

/* Open or close the overlay. */
void
help_toggle(struct help *h)
{
	h->open = !h->open;
	h->scroll = 0;
}

/* Release the overlay's lines. */
void
help_free(struct help *h)
{
	lines_free(&h->L);
}

/* A table's text (a scenario's, a panel's) in the user's language; NULL and "" as they are ("" is the catalogue's header). */
static const char *
tr(const char *s)
{
	return s && *s ? _(s) : s;
}

/* Append text word-wrapped, each line indented. */
static void
wrap(struct lines *L, const char *text, int w, int indent, int style)
{
	lines_wrap(L, text, w, indent, style, 0);
}

/* What the screen is, for the overlay's second paragraph. */
static void
intro_mode(struct lines *L, int w, const struct help_ctx *c)
{
	if (c->keys.mode == KM_REPLAY) {
		lines_add(L);
		wrap(L, _("This is a replay: every record of a recorded run is applied to the same model "
			"and drawn by the same panels, timed by the records' own clock (ts_ns) times the "
			"speed. Nothing runs: what only a live /proc can tell (the process-group table, the "
			"kernel's view) is marked live only."), w, 0, CS_NORMAL);
	} else if (c->keys.mode == KM_ATTACH) {
		if (L->n > 0)
			lines_add(L);
		wrap(L, _("epollviz attach: the kernel's own view of processes you name, read from /proc "
			"twice a second (less often when a reading is slow): their epoll fds and which kernel instance each one is (kcmp), each "
			"instance's interest list (fdinfo) with what every watched fd is, listening sockets "
			"with their accept queue (sock_diag), and the process-group table. Nothing is traced "
			"and nothing is changed: the processes are only looked at."), w, 0, CS_NORMAL);
	}
}

/* Where key_line writes: the overlay's lines, w columns wide. */
struct key_lines {
	struct lines *L;
	int w;
};

/* One key and what it does. */
static void
key_line(void *arg, const struct ui_key *k)
{
	struct key_lines *kl = arg;

	lines_add(kl->L);
	lines_put(kl->L, CS_KEY, " ");
	lines_put(kl->L, CS_KEY, keys_cap(k));
	lines_put(kl->L, CS_KEY, " ");
	lines_wrap(kl->L, k->help, kl->w, 8, CS_NORMAL, 1);
	if (k->not_now) {
		char why[320];

		/* TRANSLATORS: under a key in the help: why it cannot act at the moment */
		snprintf(why, sizeof why, _("not now: %s"), k->not_now);
		lines_add(kl->L);
		lines_wrap(kl->L, why, kl->w, 8, CS_DIM, 1);
	}
}

/* The overlay's text: what epollviz is, the screen, the scenario, its keys, its panels. */
static void
build(struct help *h, int w, const struct help_ctx *c)
{
	struct lines *L = &h->L;
	const struct scenario *sc = c ? c->keys.sc : NULL;
	struct key_lines kl = { L, w };

	lines_reset(L);
	/* attach traces nothing: its own introduction (intro_mode) says what it reads instead. */
	if (c == NULL || c->keys.mode != KM_ATTACH)
		wrap(L, _("epollviz runs the programs of a set of study notes on Linux epoll as real "
			"processes in a terminal session of their own, and draws what they do. Every line "
			"comes from a trace record a child wrote about a real system call, or from /proc."),
		     w, 0, CS_NORMAL);
	if (c == NULL) {
		lines_add(L);
		wrap(L, _("Picker: Up/Down choose a scenario, Enter starts it, q quits. "
			"`epollviz NAME` starts a scenario directly; `epollviz --record FILE [NAME]` "
			"records the first run (r, Esc or q end the recording; later runs are not "
			"recorded); `epollviz replay FILE` plays a recording; `epollviz attach PID...` "
			"shows the kernel's view of any process; `epollviz --headless NAME "
			"--script '...'` runs one without a screen."), w, 0, CS_NORMAL);
		return;
	}
	intro_mode(L, w, c);
	if (sc) {
		char desc[SCN_MAX_DESCRIBE * SCN_LINE_MAX];

		lines_add(L);
		lines_add(L);
		lines_put(L, CS_TITLE, sc->name);
		lines_printf(L, ": ");
		lines_wrap(L, tr(sc->title), w, 2, CS_NORMAL, 1);
		if (sc->ndescribe > 0)
			wrap(L, tr(scenario_describe(sc, desc, sizeof desc)), w, 2, CS_NORMAL);
	}
	lines_add(L);
	lines_add(L);
	lines_put(L, CS_TITLE, _("Keys"));
	keys_each(&c->keys, key_line, &kl);
	lines_add(L);
	lines_add(L);
	lines_put(L, CS_TITLE, _("Panels"));
	for (int id = 0; id < P__COUNT; id++) {
		const struct panel_ops *o = panel_ops_of(id);
		char title[160];

		if (!c->applies[id])
			continue;
		lines_add(L);
		snprintf(title, sizeof title, "%d %s", id + 1, tr(o->name));
		lines_add(L);
		lines_put(L, CS_TITLE, title);
		wrap(L, tr(o->help), w, 2, CS_NORMAL);
		wrap(L, tr(o->fact), w, 2, CS_DIM);
	}
}

/* Draw the overlay in a box over the screen. */
void
help_render(struct help *h, int rows, int cols, const struct help_ctx *ctx)
{
	int w = cols - 4 > HELP_MAX_W ? HELP_MAX_W : cols - 4;
	int x = (cols - w) / 2, y = 1, hh = rows - 2, inner = hh - 2, max;
	/* Everything under the title bar: no fragment of the panels or keys shows beside the box. */
	struct rect r = { y, 0, rows - y, cols };

	if (w < 20 || hh < 5)
		return;
	build(h, w - 4, ctx);
	max = h->L.n - inner;
	if (h->scroll > max)
		h->scroll = max;
	if (h->scroll < 0)
		h->scroll = 0;
	draw_clear(r);
	draw_hline(y, x, w, CS_TITLE);
	draw_hline(y + hh - 1, x, w, CS_TITLE);
	attrset(crt_attr(CS_TITLE));
	for (int i = 1; i < hh - 1; i++) {
		mvaddstr(y + i, x, crt_g(G_VLINE));
		mvaddstr(y + i, x + w - 1, crt_g(G_VLINE));
	}
	attrset(A_NORMAL);
	draw_text(y, x + 2, w - 4, CS_FOCUS, _(" Help: what each panel shows and why "));
	draw_text(y + hh - 1, x + 2, w - 4, CS_TITLE,
		  h->L.n > inner ? _(" Up/Down/PgUp/PgDn scroll, any other key closes ") : _(" any key closes "));
	for (int i = 0; i < inner && h->scroll + i < h->L.n; i++)
		draw_line(y + 1 + i, x + 2, w - 4, &h->L.v[h->scroll + i], 0);
}

/* Scroll with the arrows and pages; any other key closes. */
int
help_key(struct help *h, int key)
{
	int page = LINES > 8 ? LINES - 6 : 1;

	switch (key) {
	case KEY_UP: h->scroll--; return 1;
	case KEY_DOWN: h->scroll++; return 1;
	case KEY_PPAGE: h->scroll -= page; return 1;
	case KEY_NPAGE: h->scroll += page; return 1;
	case KEY_HOME: h->scroll = 0; return 1;
	case KEY_END: h->scroll = 1 << 20; return 1;
	default: h->open = 0; return 1;
	}
}
