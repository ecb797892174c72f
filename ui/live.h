/*
 * live.h - a running scenario on screen: the run, the model it feeds, the
 * user's actions, the process table, the panels, and the frame (title bar,
 * panels, key line, help).  Owns all of them from live_start to live_stop.
 */
#ifndef EPOLLVIZ_UI_LIVE_H
#define EPOLLVIZ_UI_LIVE_H

#include <stddef.h>

#include "../src/scenario.h"

struct loop;
struct live;

enum live_result { LIVE_NONE = 0, LIVE_QUIT, LIVE_PICKER, LIVE_RESTART };

/* Called when something on the screen changed and a frame is due. */
typedef void (*live_notify_fn)(void *ctx);

/* Start sc.  Returns NULL with a message in err. */
struct live *live_start(const struct scenario *sc, struct loop *loop, live_notify_fn notify, void *ctx,
			char *err, size_t errcap);
/* Stop the run cleanly (every child ends, nothing left behind) and free everything. */
void live_stop(struct live *lv);
/* A key.  Returns enum live_result. */
int live_key(struct live *lv, int key);
/* SIGCHLD arrived: reap. */
void live_sigchld(struct live *lv);
/* The terminal changed size. */
void live_resize(struct live *lv);
/* Draw a frame (only the bars while paused, unless something forces a full one). */
void live_render(struct live *lv);
/* Draw a one-line notice in the title bar now ("stopping ..."). */
void live_notice(struct live *lv, const char *text);
const struct scenario *live_scenario(const struct live *lv);

#endif
