/*
 * deck.c - see deck.h.
 */
#include "deck.h"

#include <string.h>

#include "crt.h"

/* Set up every panel, focus the given one, zoom none. */
void
deck_init(struct deck *d, int focus)
{
	memset(d, 0, sizeof *d);
	for (int i = 0; i < P__COUNT; i++)
		panel_init(&d->panels[i], i);
	d->focus = focus;
	d->zoom = -1;
}

/* Release what each panel holds. */
void
deck_free(struct deck *d)
{
	for (int i = 0; i < P__COUNT; i++)
		panel_free(&d->panels[i]);
}

/* Reset each panel's height high-water mark. */
void
deck_resize(struct deck *d)
{
	for (int i = 0; i < P__COUNT; i++)
		d->panels[i].hwm = 0;
}

/* Move the focus to the next (dir 1) or previous (-1) panel on the screen. */
static void
deck_focus_move(struct deck *d, int dir)
{
	for (int k = 1; k <= P__COUNT; k++) {
		int id = ((d->focus + dir * k) % P__COUNT + P__COUNT) % P__COUNT;

		if (d->panels[id].shown) {
			d->focus = id;
			return;
		}
	}
}

/* Zoom panel id (and focus it), or unzoom if it is zoomed; nothing if it does not apply. */
static void
deck_zoom(struct deck *d, int id)
{
	if (id < 0 || id >= P__COUNT || !d->applies[id])
		return;
	if (d->zoom == id) {
		d->zoom = -1;
	} else {
		d->zoom = id;
		d->focus = id;
	}
}

/* Leave zoom; returns whether a panel was zoomed. */
int
deck_unzoom(struct deck *d)
{
	int was = d->zoom >= 0;

	d->zoom = -1;
	return was;
}

/* Focus, zoom, or pass the key to the focused panel; returns 1 if it was used. */
int
deck_key(struct deck *d, int key)
{
	switch (key) {
	case '\t': deck_focus_move(d, 1); return 1;
	case KEY_BTAB: deck_focus_move(d, -1); return 1;
	case '\r':
	case '\n':
	case KEY_ENTER: deck_zoom(d, d->focus); return 1;
	}
	if (panel_of_key(key) >= 0) {
		deck_zoom(d, panel_of_key(key));
		return 1;
	}
	return panel_key(&d->panels[d->focus], key);
}

/* Decide which panels apply, place them, keep the focus on a shown one, and draw. */
void
deck_render(struct deck *d, const int *hide, struct rect area, const struct view *v)
{
	int placed[P__COUNT];

	for (int i = 0; i < P__COUNT; i++) {
		d->applies[i] = panel_applies(i, v);
		placed[i] = d->applies[i] && !(hide && hide[i]);
	}
	layout_place(&d->lo, d->panels, placed, area, d->zoom, v);
	if (!d->panels[d->focus].shown)
		deck_focus_move(d, 1);
	for (int i = 0; i < P__COUNT; i++)
		if (d->panels[i].shown)
			panel_render(&d->panels[i], i == d->focus);
	layout_render(&d->lo);
}
