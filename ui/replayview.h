/*
 * replayview.h - a recording played on the screen: the player (src/player.h)
 * feeds the same scene as a running scenario (scene.h), timed by the
 * records' own clock, with pause, steps and speeds; what only a live /proc
 * could show is marked so.  Owns the player and the scene from
 * replayview_start until its ops' stop.
 */
#ifndef EPOLLVIZ_UI_REPLAYVIEW_H
#define EPOLLVIZ_UI_REPLAYVIEW_H

#include <stddef.h>

#include "screen.h"

struct loop;
struct replayview;

/* Open the recording at path and start playing it.  Returns NULL with "FILE: reason" in err. */
struct replayview *replayview_start(const char *path, struct loop *loop, screen_notify_fn notify, void *ctx,
				    char *err, size_t errcap);
/* Its screen operations. */
extern const struct screen_ops replayview_ops;

#endif
