/*
 * picker.c - the scenario picker (see picker.h).  Reads scenario files
 * through scenario_list only (its directory from paths_scenarios); starts
 * nothing itself.
 */
#include "picker.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/paths.h"
#include "../src/util.h"
#include "crt.h"
#include "draw.h"

#define DESC_ROWS 7
#define NAME_W 20

/* Read the scenario list. */
int
picker_load(struct picker *pk, char *err, size_t cap)
{
	char msg[1024] = "";

	memset(pk, 0, sizeof *pk);
	if (paths_scenarios(pk->dir, sizeof pk->dir, msg, sizeof msg) < 0)
		pk->dir[0] = '\0';
	msg[0] = '\0';
	pk->n = scenario_list(&pk->v, msg, sizeof msg);
	if (pk->n < 0) {
		snprintf(err, cap, "%s", msg);
		pk->n = 0;
		return -1;
	}
	if (pk->n == 0) {
		if (pk->dir[0] && msg[0])
			snprintf(err, cap, _("no scenario found in %s: %s"), pk->dir, msg);
		else if (pk->dir[0])
			snprintf(err, cap, _("no scenario found in %s"), pk->dir);
		else if (msg[0])
			snprintf(err, cap, _("no scenario found in the scenario directory: %s"), msg);
		else
			snprintf(err, cap, "%s", _("no scenario found in the scenario directory"));
		return -1;
	}
	str_copy(pk->skipped, msg, sizeof pk->skipped);
	return 0;
}

/* Release the list. */
void
picker_free(struct picker *pk)
{
	free(pk->v);
	pk->v = NULL;
	pk->n = 0;
}

/* Select a scenario by name. */
void
picker_select(struct picker *pk, const char *name)
{
	for (int i = 0; i < pk->n; i++)
		if (strcmp(pk->v[i].name, name) == 0)
			pk->sel = i;
}

/* The selected scenario, or NULL. */
const struct scenario *
picker_current(const struct picker *pk)
{
	return pk->n > 0 ? &pk->v[pk->sel] : NULL;
}

/* One line per job: what the session leader will start. */
static void
job_line(int y, int w, const struct job_cfg *j)
{
	char opts[SCN_MAX_ARGS][48], buf[LINE_BYTES];
	int n = job_to_args(j, opts, SCN_MAX_ARGS);
	size_t len = (size_t)snprintf(buf, sizeof buf, "  $ epollviz %s",
				      trace_rec_role_name(job_kind_role(j->kind)));

	for (int i = 0; i < n && len < sizeof buf; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, " %s", opts[i]);
	if (j->background && len < sizeof buf)
		snprintf(buf + len, sizeof buf - len, " &");
	draw_text(y, 0, w, CS_DIM, buf);
}

/*
 * The scenario's description, translated, as one paragraph word-wrapped to
 * the width from row y up to (not including) row end; a paragraph longer
 * than that ends in an ellipsis.  Returns the row after the last drawn.
 */
static int
describe(const struct scenario *s, int y, int end, int cols)
{
	char desc[SCN_MAX_DESCRIBE * SCN_LINE_MAX], row[sizeof desc + 8]; /* a row may be the whole paragraph */
	const char *p = scenario_describe(s, desc, sizeof desc), *ell = crt_g(G_ELLIPSIS);
	int w = cols - 4;

	if (*p == '\0' || w < 10)
		return y;
	p = _(p);
	while (*p && y < end) {
		int len = (int)strlen(p), last = y == end - 1 && lines_cols(p) > w, next;
		/* On the last row of a paragraph that goes on: what fits beside the ellipsis. */
		int kept = lines_break(p, len, last ? w - lines_cols(ell) : w, &next);

		if (next == 0)
			break; /* not even one character fits */
		snprintf(row, sizeof row, "%.*s%s", kept, p, last ? ell : "");
		draw_text(y++, 2, cols - 2, CS_NORMAL, row);
		p += next;
	}
	return y;
}

/* A title in w columns: whole, or cut between characters with an ellipsis. */
static void
title_text(const char *s, int w, char *buf, size_t cap)
{
	int len = (int)strlen(s), ew = lines_cols(crt_g(G_ELLIPSIS));

	if (lines_cols(s) <= w || w <= ew) {
		snprintf(buf, cap, "%s", s);
		return;
	}
	snprintf(buf, cap, "%.*s%s", lines_bytes_for_cols(s, len, w - ew), s, crt_g(G_ELLIPSIS));
}

/* The list, scrolled to keep the selection visible. */
static void
render_list(struct picker *pk, int y0, int h, int cols)
{
	if (pk->sel < pk->top)
		pk->top = pk->sel;
	if (pk->sel >= pk->top + h)
		pk->top = pk->sel - h + 1;
	for (int i = 0; i < h && pk->top + i < pk->n; i++) {
		const struct scenario *s = &pk->v[pk->top + i];
		int sel = pk->top + i == pk->sel, st = sel ? CS_FOCUS : CS_NORMAL;
		char name[96], title[LINE_BYTES];
		int pad;

		if (sel) {
			attrset(crt_attr(CS_FOCUS));
			mvhline(y0 + i, 0, ' ', cols);
			attrset(A_NORMAL);
		}
		pad = NAME_W - 1 - lines_cols(s->name); /* columns, not bytes: a name may be UTF-8 */
		snprintf(name, sizeof name, " %s %s%*s", sel ? crt_g(G_FG) : " ", s->name, pad > 0 ? pad : 0, "");
		draw_text(y0 + i, 0, cols, st, name);
		/* The last 3 columns are the scroll arrows'. */
		title_text(s->title[0] ? _(s->title) : "", cols - NAME_W - 6, title, sizeof title);
		draw_text(y0 + i, NAME_W + 3, cols - NAME_W - 6, st, title);
	}
	if (pk->top > 0)
		draw_text(y0, cols - 3, 3, CS_WARN, crt_g(G_UP));
	if (pk->top + h < pk->n)
		draw_text(y0 + h - 1, cols - 3, 3, CS_WARN, crt_g(G_DOWN));
}

/* Draw the picker. */
void
picker_render(struct picker *pk, int rows, int cols)
{
	const struct scenario *s = picker_current(pk);
	int list_h = rows - 2 - DESC_ROWS, y;
	char buf[PATH_MAX + 64];

	if (list_h > pk->n)
		list_h = pk->n;
	erase();
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', cols);
	attrset(A_NORMAL);
	draw_text(0, 1, cols - 1, CS_BAR, _("epollviz: pick a scenario"));
	snprintf(buf, sizeof buf, P_("%d scenario in %s ", "%d scenarios in %s ", pk->n), pk->n, pk->dir);
	if (lines_cols(buf) < cols - 30)
		draw_text(0, cols - lines_cols(buf), lines_cols(buf), CS_BAR, buf);
	render_list(pk, 1, list_h, cols);
	y = 1 + list_h;
	draw_hline(y, 0, cols, CS_DIM);
	if (s) {
		/* TRANSLATORS: the heading of the description under the list; %s is the scenario's name */
		snprintf(buf, sizeof buf, _(" %s: what to try "), s->name);
		draw_text(y, 2, cols - 2, CS_TITLE, buf);
		y++;
		/* The description wrapped into the rows the job lines leave (at least one). */
		y = describe(s, y, rows - 1 - s->njobs > y ? rows - 1 - s->njobs : y + 1, cols);
		for (int i = 0; i < s->njobs && y < rows - 1; i++)
			job_line(y++, cols, &s->jobs[i]);
	}
	if (pk->skipped[0] && y < rows - 1) {
		snprintf(buf, sizeof buf, _("skipped: %s"), pk->skipped);
		draw_text(rows - 2, 0, cols, CS_ERR, buf);
	}
	move(rows - 1, 0);
	{
		/* TRANSLATORS: key bar labels of the picker (each at most 10 columns) */
		static const char *const keys[][2] = {
			{ " \u2191\u2193 ", N_("choose") }, { " Enter ", N_("start") }, { " ? ", N_("help") }, { " q ", N_("quit") },
		};
		int x = 0;

		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			const char *cap = i == 0 && !crt_utf8() ? " Up/Dn " : keys[i][0];

			x += draw_text(rows - 1, x, cols - x, CS_KEY, cap);
			x += draw_text(rows - 1, x, cols - x, CS_NORMAL, " ");
			x += draw_text(rows - 1, x, cols - x, CS_NORMAL, _(keys[i][1]));
			x += draw_text(rows - 1, x, cols - x, CS_NORMAL, "  ");
		}
	}
}

/* Move, start or quit. */
int
picker_key(struct picker *pk, int key)
{
	int page = LINES > 12 ? LINES - 2 - DESC_ROWS : 1;

	switch (key) {
	case KEY_UP:
	case 'k': pk->sel--; break;
	case KEY_DOWN:
	case 'j': pk->sel++; break;
	case KEY_PPAGE: pk->sel -= page; break;
	case KEY_NPAGE: pk->sel += page; break;
	case KEY_HOME: pk->sel = 0; break;
	case KEY_END: pk->sel = pk->n - 1; break;
	case '\r':
	case '\n':
	case KEY_ENTER: return pk->n > 0 ? PICK_START : PICK_NONE;
	case 'q': return PICK_QUIT;
	default: return PICK_NONE;
	}
	if (pk->sel < 0)
		pk->sel = 0;
	if (pk->sel >= pk->n)
		pk->sel = pk->n - 1;
	return PICK_NONE;
}
