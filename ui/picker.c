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
		snprintf(err, cap, "no scenario found in %s%s%s", pk->dir[0] ? pk->dir : "the scenario directory",
			 msg[0] ? ": " : "", msg);
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
		char name[96];

		if (sel) {
			attrset(crt_attr(CS_FOCUS));
			mvhline(y0 + i, 0, ' ', cols);
			attrset(A_NORMAL);
		}
		snprintf(name, sizeof name, " %s %-*s", sel ? crt_g(G_FG) : " ", NAME_W - 1, s->name);
		draw_text(y0 + i, 0, cols, st, name);
		draw_text(y0 + i, NAME_W + 3, cols - NAME_W - 3, st, s->title);
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
	draw_text(0, 1, cols - 1, CS_BAR, "epollviz: pick a scenario");
	snprintf(buf, sizeof buf, "%d scenarios in %s ", pk->n, pk->dir);
	if (lines_cols(buf) < cols - 30)
		draw_text(0, cols - lines_cols(buf), lines_cols(buf), CS_BAR, buf);
	render_list(pk, 1, list_h, cols);
	y = 1 + list_h;
	draw_hline(y, 0, cols, CS_DIM);
	if (s) {
		snprintf(buf, sizeof buf, " %s: what to try ", s->name);
		draw_text(y, 2, cols - 2, CS_TITLE, buf);
		y++;
		for (int i = 0; i < s->ndescribe && y < rows - 1; i++)
			draw_text(y++, 2, cols - 2, CS_NORMAL, s->describe[i]);
		for (int i = 0; i < s->njobs && y < rows - 1; i++)
			job_line(y++, cols, &s->jobs[i]);
	}
	if (pk->skipped[0] && y < rows - 1) {
		snprintf(buf, sizeof buf, "skipped: %s", pk->skipped);
		draw_text(rows - 2, 0, cols, CS_ERR, buf);
	}
	move(rows - 1, 0);
	{
		static const char *const keys[][2] = {
			{ " \u2191\u2193 ", "choose" }, { " Enter ", "start" }, { " ? ", "help" }, { " q ", "quit" },
		};
		int x = 0;

		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			const char *cap = i == 0 && !crt_utf8() ? " Up/Dn " : keys[i][0];

			x += draw_text(rows - 1, x, cols - x, CS_KEY, cap);
			x += draw_text(rows - 1, x, cols - x, CS_NORMAL, " ");
			x += draw_text(rows - 1, x, cols - x, CS_NORMAL, keys[i][1]);
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
