/*
 * live.h - a scenario on screen: a running one (the run, the user's
 * actions, the process table, an optional recording of it) or a recorded
 * one played back (the player); either way the model they feed, the kernel's
 * view, the wake-up counts, the panels, and the frame (title bar, panels,
 * key line, help).  Owns all of them from live_start or live_replay to
 * live_stop.
 */
#ifndef EPOLLVIZ_UI_LIVE_H
#define EPOLLVIZ_UI_LIVE_H

#include <stddef.h>
#include <stdint.h>

#include "../src/scenario.h"

struct loop;
struct live;
struct recorder;

enum live_result { LIVE_NONE = 0, LIVE_QUIT, LIVE_PICKER, LIVE_RESTART };

/* Called when something on the screen changed and a frame is due. */
typedef void (*live_notify_fn)(void *ctx);

/*
 * Start sc.  rec (may be NULL), opened on rec_path, receives every record
 * the screen applies and is owned from here on, failure included.  Returns
 * NULL with a message in err.
 */
struct live *live_start(const struct scenario *sc, struct loop *loop, live_notify_fn notify, void *ctx,
			struct recorder *rec, const char *rec_path, char *err, size_t errcap);
/* Play the recording at path.  Returns NULL with "FILE: reason" in err. */
struct live *live_replay(const char *path, struct loop *loop, live_notify_fn notify, void *ctx, char *err,
			 size_t errcap);
/*
 * Stop the run cleanly (every child ends, nothing left behind), close the
 * recording, free everything.  Returns -1 with a message in err when the
 * recording could not be completed, else 0.
 */
int live_stop(struct live *lv, char *err, size_t errcap);
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
/* Is this a replay (no run)? */
int live_is_replay(const struct live *lv);
/* Records applied to the model so far. */
uint64_t live_records(const struct live *lv);

#endif
