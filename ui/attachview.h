/*
 * attachview.h - `epollviz attach [--children] PID...` on a terminal: the
 * kernel's view of arbitrary processes (src/kview.h), read again twice a
 * second, drawn by the Kernel's view and Process groups panels.  Owns the
 * pid list (the given ones and every descendant seen, so that one that
 * exits is shown as gone), the readings, the panels and the frame.
 */
#ifndef EPOLLVIZ_UI_ATTACHVIEW_H
#define EPOLLVIZ_UI_ATTACHVIEW_H

#include "screen.h"

struct loop;
struct attachview;

/* Read the processes once and start the 2 Hz refresh. */
struct attachview *attachview_start(const int *pids, int npids, int children, struct loop *loop,
				    screen_notify_fn notify, void *ctx);
/* Its screen operations. */
extern const struct screen_ops attachview_ops;

#endif
