/*
 * scene.h - what the running screen (live.c) and the replay (replay.c)
 * share: the scenario, the model their records feed, the deck of panels,
 * the help overlay, the kernel's view in place of the epoll instances, and
 * the frame (title bar, panels, the replay's error row, key rows, the list
 * of hidden panels, help).  Each screen owns one and adds what only it has.
 */
#ifndef EPOLLVIZ_UI_SCENE_H
#define EPOLLVIZ_UI_SCENE_H

#include <limits.h>

#include "../src/model.h"
#include "../src/scenario.h"
#include "deck.h"
#include "help.h"
#include "panel.h"

#define SCENE_BAR_MAX 512

struct actions;

struct scene {
	struct scenario sc;
	int mode;            /* VIEW_LIVE or VIEW_REPLAY */
	struct model *m;
	const struct actions *act; /* live: the actions, for which keys can act now; NULL in a replay */
	struct deck d;
	struct help help;
	int kernel;          /* the kernel's view in place of the epoll instances (k) */
	int full;            /* the next frame redraws the panels, even while paused */
	char bar[SCENE_BAR_MAX]; /* the title bar last drawn */
};

/* The title bar's right-hand notice, and its style. */
struct scene_notice {
	char text[PATH_MAX + 64];
	int style;
};

/* A scene of sc in mode, with a new model. */
void scene_init(struct scene *s, const struct scenario *sc, int mode);
void scene_free(struct scene *s);
/*
 * The keys every scene has: the help overlay's, q, r, Esc, ?, k, the
 * panels' keys and the deck's.  Returns enum screen_result; *used says
 * whether the key was one of them (0: the screen's own keys may take it).
 */
int scene_key(struct scene *s, int key, int *used);
/* The kernel's view in place of the epoll instances, or back. */
void scene_kernel_toggle(struct scene *s);
/*
 * Draw a frame: bar (its text) and notice, the panels from v unless
 * panels is 0, error (a red row above the keys, or NULL), the key rows and
 * the hidden panels' keys, and the help when open.
 */
void scene_render(struct scene *s, const struct view *v, const char *bar, const struct scene_notice *notice,
		  int panels, const char *error);
/* Draw the title bar alone, at once (a notice while the screen stops). */
void scene_render_bar(struct scene *s, const char *bar, const struct scene_notice *notice);

#endif
