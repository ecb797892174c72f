/*
 * help.h - the help overlay: the keys that apply, then each panel with
 * what it shows and the fact of the notes it demonstrates.  Drawn over
 * whatever is on the screen; scrolls with the arrows; any other key closes.
 */
#ifndef EPOLLVIZ_UI_HELP_H
#define EPOLLVIZ_UI_HELP_H

#include "../src/scenario.h"
#include "draw.h"
#include "keys.h"

struct help {
	int open;
	int scroll;
	struct lines L;
};

/* What the overlay explains: the screen, its keys (mode, scenario, model) and its panels. */
struct help_ctx {
	struct keys_ctx keys;
	const int *applies;        /* applies[id]: panel id is on this screen */
};

void help_toggle(struct help *h);
void help_free(struct help *h);
/* Draw over the screen (rows x cols).  ctx == NULL: the picker's help. */
void help_render(struct help *h, int rows, int cols, const struct help_ctx *ctx);
/* A key while open: scrolling keys scroll; others close.  Returns 1 if the help used it. */
int help_key(struct help *h, int key);

#endif
