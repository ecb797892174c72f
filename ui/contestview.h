/*
 * contestview.h - `epollviz contest` on the screen: the accept strategies
 * under one load (src/contest.h), a row each as it finishes, the running
 * one live, the chosen one in detail; Enter replays a strategy's recording
 * on the normal panels.  Owns the contest and its recordings' temporary
 * directory from contestview_start until its ops' stop.
 */
#ifndef EPOLLVIZ_UI_CONTESTVIEW_H
#define EPOLLVIZ_UI_CONTESTVIEW_H

#include <stddef.h>

#include "screen.h"

struct loop;
struct contest_opts;
struct contestview;

/* Start the contest (its recordings in a new temporary directory).  NULL with the reason in err. */
struct contestview *contestview_start(const struct contest_opts *o, struct loop *loop, screen_notify_fn notify,
				      void *ctx, char *err, size_t errcap);
extern const struct screen_ops contestview_ops;

#endif
