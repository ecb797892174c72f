/*
 * screen.h - what the front end's loop (ui.c) asks of a screen: a running
 * scenario (live.c), a replay (replay.c) or the attach screen
 * (attachview.c).  One pointer to a screen and its ops selects which draw
 * and key functions run; with none, the picker is on the screen.
 */
#ifndef EPOLLVIZ_UI_SCREEN_H
#define EPOLLVIZ_UI_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "../src/scenario.h"

/* What a key asked the loop to do. */
enum screen_result { SCREEN_NONE = 0, SCREEN_QUIT, SCREEN_PICKER, SCREEN_RESTART };

/* Called by a screen when something on it changed and a frame is due. */
typedef void (*screen_notify_fn)(void *ctx);

struct screen_ops {
	/* Draw a frame. */
	void (*render)(void *s);
	/* A key.  Returns enum screen_result. */
	int (*key)(void *s, int key);
	/* The terminal changed size: lay out afresh. */
	void (*resize)(void *s);
	/* SIGCHLD arrived: reap. */
	void (*sigchld)(void *s);
	/* Records applied to the model so far (EPOLLVIZ_STATS). */
	uint64_t (*records)(const void *s);
	/* The scenario shown, or NULL (attach). */
	const struct scenario *(*scenario)(const void *s);
	/*
	 * Stop and free the screen (a running scenario says so on the title bar
	 * first, and ends cleanly: every child ends, nothing is left behind).
	 * Returns -1 with a message in err when a recording could not be
	 * completed, else 0.
	 */
	int (*stop)(void *s, char *err, size_t errcap);
};

/* A screen and its ops; ops == NULL: the picker. */
struct screen {
	const struct screen_ops *ops;
	void *s;
};

#endif
