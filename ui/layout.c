/*
 * layout.c - panel placement (see layout.h).
 *
 *   width < 140:   [ Epoll instances  | Accept lock     ]
 *                  [ epoll_wait       | Connections     ]
 *                  [   returns        | FIFO            ]
 *                  [                  | Story, Terminal ]
 *                  [ Process groups (full width)        ]
 *   width >= 140:  halves, and the Story goes under the timeline.
 *   no echo server: the Story goes under the timeline too (it is short).
 *   The kernel's view (k) takes the place of the Epoll instances; with
 *   nothing in the right column (attach), the left one takes the width.
 * Each panel says where it goes (panel_ops col, column, order); this file
 * only shares the rows out.
 *
 * Order within a column is priority: a panel that does not fit at its
 * minimum height is hidden, the ones below it may still fit.  On a short
 * screen (80x24) a spare panel (the Terminal) is left out from the start.
 */
#include "layout.h"

#include <string.h>

#include "crt.h"

#define WIDE 140
#define SHORT 26 /* an area this short (80x24 gives 21 rows) keeps the bottom row to a third */
#define MAX_COL 6

struct column {
	int ids[MAX_COL];
	int n;
	struct rect r;
};

/* Put panel id into its column, in its order. */
static void
col_add(struct column *c, const struct panel *panels, int id)
{
	int at = c->n;

	if (c->n == MAX_COL)
		return;
	while (at > 0 && panels[c->ids[at - 1]].ops->order > panels[id].ops->order) {
		c->ids[at] = c->ids[at - 1];
		at--;
	}
	c->ids[at] = id;
	c->n++;
}

/* Rows a panel wants: its high-water mark, so it does not shrink back and forth. */
static int
want_of(struct panel *p)
{
	int w = panel_want(p);

	if (w > p->hwm)
		p->hwm = w;
	return p->hwm;
}

/* Index in c of the panel that grows g-th (by ops->grow, then column order). */
static int
grow_nth(const struct panel *panels, const struct column *c, int g)
{
	int order[MAX_COL] = { 0 };

	for (int i = 0; i < c->n; i++)
		order[i] = i;
	for (int i = 1; i < c->n; i++) {
		for (int j = i; j > 0 && panels[c->ids[order[j]]].ops->grow <
					  panels[c->ids[order[j - 1]]].ops->grow; j--) {
			int t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	}
	return order[g];
}

/* Give each panel of a column its rows and rectangle. */
static void
col_alloc(struct layout *lo, struct panel *panels, struct column *c)
{
	int h[MAX_COL] = { 0 }, in[MAX_COL] = { 0 }, used = 0, nflex = 0, y = c->r.y;

	for (int i = 0; i < c->n; i++) {
		const struct panel_ops *o = panels[c->ids[i]].ops;

		if (used + o->min_h <= c->r.h) {
			in[i] = 1;
			h[i] = o->min_h;
			used += o->min_h;
			nflex += o->flex;
		} else {
			lo->hidden[lo->nhidden++] = c->ids[i];
		}
	}
	/*
	 * Fixed-size panels grow to what they want, in their grow order, at
	 * most half the column if a flexible one is there.
	 */
	for (int g = 0, i; g < c->n; g++) {
		struct panel *p;
		int want, cap = nflex ? c->r.h / 2 : c->r.h;

		i = grow_nth(panels, c, g);
		p = &panels[c->ids[i]];
		if (!in[i] || p->ops->flex)
			continue;
		want = want_of(p);
		if (want > cap)
			want = cap;
		if (want > h[i] && used < c->r.h) {
			int more = want - h[i];

			if (more > c->r.h - used)
				more = c->r.h - used;
			h[i] += more;
			used += more;
		}
	}
	/* Flexible panels share the rest. */
	for (int i = 0, k = 0; i < c->n && nflex; i++) {
		int share;

		if (!in[i] || !panels[c->ids[i]].ops->flex)
			continue;
		share = (c->r.h - used) / (nflex - k);
		h[i] += share;
		used += share;
		k++;
	}
	for (int i = 0; i < c->n; i++) {
		struct panel *p = &panels[c->ids[i]];

		p->shown = in[i];
		if (!in[i])
			continue;
		p->r = (struct rect){ y, c->r.x, h[i], c->r.w };
		y += h[i];
	}
}

/* Let every panel of a column fill its lines for the column's width. */
static void
fill(struct panel *panels, const struct column *c, const struct view *v)
{
	for (int i = 0; i < c->n; i++)
		panel_fill(&panels[c->ids[i]], v, c->r.w, 0);
}

/* Height of the bottom row: what its panels want, at most 2/5 of the area (1/3 on a short screen). */
static int
bottom_height(struct panel *panels, const struct column *cols, int ncols, int area_h)
{
	int h = 0, cap = area_h < SHORT ? area_h / 3 : area_h * 2 / 5;

	for (int c = 0; c < ncols; c++) {
		for (int i = 0; i < cols[c].n; i++) {
			struct panel *p = &panels[cols[c].ids[i]];
			int want = p->ops->flex ? p->ops->min_h : want_of(p);

			if (want > h)
				h = want;
			if (p->ops->min_h > h)
				h = p->ops->min_h;
		}
	}
	return h > cap ? cap : h;
}

/* Fill the panels' lines and give each applicable panel its rectangle. */
void
layout_place(struct layout *lo, struct panel *panels, const int *applies, struct rect area,
	     int zoom, const struct view *v)
{
	struct column top[2], bot[1];
	int wide = area.w >= WIDE, nbot, left_w, bh;

	memset(lo, 0, sizeof *lo);
	memset(top, 0, sizeof top);
	memset(bot, 0, sizeof bot);
	for (int i = 0; i < P__COUNT; i++)
		panels[i].shown = 0;
	if (zoom >= 0 && applies[zoom]) {
		panel_fill(&panels[zoom], v, area.w, 1);
		panels[zoom].r = area;
		panels[zoom].shown = 1;
		return;
	}
	for (int id = 0; id < P__COUNT; id++) {
		const struct panel_ops *o = panels[id].ops;
		int col = o->column ? o->column(wide, applies) : o->col;

		if (!applies[id])
			continue;
		if (o->spare && area.h < SHORT) {
			lo->hidden[lo->nhidden++] = id;
			continue;
		}
		if (col == PC_BOTTOM)
			col_add(&bot[0], panels, id);
		else
			col_add(&top[col == PC_RIGHT ? 1 : 0], panels, id);
	}
	nbot = 1;

	left_w = wide ? area.w / 2 : area.w * 29 / 50;
	if (top[1].n == 0)
		left_w = area.w;
	top[0].r = (struct rect){ area.y, area.x, 0, left_w };
	top[1].r = (struct rect){ area.y, area.x + left_w + 1, 0, area.w - left_w - 1 };
	bot[0].r = (struct rect){ 0, area.x, 0, area.w };
	for (int c = 0; c < 2; c++)
		fill(panels, &top[c], v);
	for (int c = 0; c < nbot; c++)
		fill(panels, &bot[c], v);

	bh = bottom_height(panels, bot, nbot, area.h);
	for (int c = 0; c < 2; c++)
		top[c].r.h = area.h - bh;
	for (int c = 0; c < nbot; c++) {
		bot[c].r.y = area.y + area.h - bh;
		bot[c].r.h = bh;
	}
	for (int c = 0; c < 2; c++)
		col_alloc(lo, panels, &top[c]);
	for (int c = 0; c < nbot; c++)
		col_alloc(lo, panels, &bot[c]);
	if (top[1].n > 0)
		lo->seps[lo->nseps++] = (struct rect){ area.y, area.x + left_w, area.h - bh, 1 };
}

/* Draw the column separators. */
void
layout_render(const struct layout *lo)
{
	attrset(crt_attr(CS_DIM));
	for (int i = 0; i < lo->nseps; i++)
		for (int y = lo->seps[i].y; y < lo->seps[i].y + lo->seps[i].h; y++)
			mvaddstr(y, lo->seps[i].x, crt_g(G_VLINE));
	attrset(A_NORMAL);
}
