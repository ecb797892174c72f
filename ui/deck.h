/*
 * deck.h - a screen of panels: the panels, which of them apply, where the
 * layout put them, which one has the focus and which (if any) is zoomed.
 * The live/replay screen and the attach screen are each a deck with their
 * own title bar, keys and help around it.
 */
#ifndef EPOLLVIZ_UI_DECK_H
#define EPOLLVIZ_UI_DECK_H

#include "layout.h"
#include "panel.h"

struct deck {
	struct panel panels[P__COUNT];
	int applies[P__COUNT];
	struct layout lo;
	int focus;
	int zoom; /* a panel id, or -1 */
};

/* Every panel; applies[id] says which exist; focus on panel focus. */
void deck_init(struct deck *d, const int *applies, int focus);
void deck_free(struct deck *d);
/* Forget the panels' heights: the layout starts afresh. */
void deck_resize(struct deck *d);
/* Move the focus to the next (dir 1) or previous (-1) panel on the screen. */
void deck_focus_move(struct deck *d, int dir);
/* Zoom panel id (and focus it), or unzoom if it is zoomed; nothing if it does not apply. */
void deck_zoom(struct deck *d, int id);
/*
 * Lay out the panels placed[id] allows in area and draw them, the focused
 * one marked (the focus moves on if its panel is not on the screen).
 */
void deck_render(struct deck *d, const int *placed, struct rect area, const struct view *v);

#endif
