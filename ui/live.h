/*
 * live.h - a running scenario on the screen: the run, the user's actions
 * (keys of the action table), the /proc samplers, the process table, an
 * optional recording of it, and the scene they feed (scene.h).  Owns all
 * of them from live_start until its ops' stop.
 */
#ifndef EPOLLVIZ_UI_LIVE_H
#define EPOLLVIZ_UI_LIVE_H

#include <stddef.h>

#include "../src/scenario.h"
#include "screen.h"

struct loop;
struct live;
struct recorder;

/*
 * Start sc.  rec (may be NULL), opened on rec_path, receives every record
 * the screen applies and is owned from here on, failure included.  Returns
 * NULL with a message in err.
 */
struct live *live_start(const struct scenario *sc, struct loop *loop, screen_notify_fn notify, void *ctx,
			struct recorder *rec, const char *rec_path, char *err, size_t errcap);
/* Its screen operations (render, key, resize, sigchld, records, scenario, stop). */
extern const struct screen_ops live_ops;

#endif
