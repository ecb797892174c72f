/*
 * layout.h - where the panels go.  Columns depend on the terminal's width
 * only; heights on what the panels want (their high-water mark, so the
 * screen stays calm), their minimum, and their priority within a column.
 * Panels that do not fit are hidden (still reachable by their number).
 */
#ifndef EPOLLVIZ_UI_LAYOUT_H
#define EPOLLVIZ_UI_LAYOUT_H

#include "draw.h"
#include "panel.h"

#define LAYOUT_MIN_W 80
#define LAYOUT_MIN_H 24

struct layout {
	struct rect seps[4]; /* vertical separators between columns */
	int nseps;
	int hidden[P__COUNT];
	int nhidden;
};

/*
 * Fill every applicable panel's lines and place it in area; zoom >= 0
 * gives one panel the whole area.  applies[id] says which panels exist.
 */
void layout_place(struct layout *lo, struct panel *panels, const int *applies, struct rect area,
		  int zoom, const struct view *v);
/* Draw the separators. */
void layout_render(const struct layout *lo);

#endif
