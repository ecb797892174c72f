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
	int applies[P__COUNT]; /* the panels that had something to show at the last frame */
	struct layout lo;
	int focus;
	int zoom; /* a panel id, or -1 */
};

/* Every panel, the focus on panel focus. */
void deck_init(struct deck *d, int focus);
void deck_free(struct deck *d);
/* Forget the panels' heights: the layout starts afresh. */
void deck_resize(struct deck *d);
/* Show every panel again.  Returns 1 if one was zoomed. */
int deck_unzoom(struct deck *d);
/*
 * The keys every deck has: Tab and Shift+Tab (focus), Enter (zoom the
 * focused panel), a panel's key (zoom it), and the focused panel's
 * scrolling keys.  Returns 1 if the key was one of them.
 */
int deck_key(struct deck *d, int key);
/*
 * Lay out in area the panels that apply to the view (panel_applies) and
 * are not hidden (hide[id]: its twin takes its place; NULL: none), and
 * draw them, the focused one marked (the focus moves on if its panel is
 * not on the screen).
 */
void deck_render(struct deck *d, const int *hide, struct rect area, const struct view *v);

#endif
