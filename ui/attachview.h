/*
 * attachview.h - `epollviz attach [--children] PID...` on a terminal: the
 * kernel's view of arbitrary processes (src/kview.h), read again twice a
 * second, drawn by the Kernel's view and Process groups panels.  Owns the
 * pid list (the given ones and every descendant seen, so that one that
 * exits is shown as gone), the readings, the panels and the frame.
 */
#ifndef EPOLLVIZ_UI_ATTACHVIEW_H
#define EPOLLVIZ_UI_ATTACHVIEW_H

struct loop;
struct attachview;

/* Called when something on the screen changed and a frame is due. */
typedef void (*attachview_notify_fn)(void *ctx);

/* Read the processes once and start the 2 Hz refresh. */
struct attachview *attachview_start(const int *pids, int npids, int children, struct loop *loop,
				    attachview_notify_fn notify, void *ctx);
void attachview_stop(struct attachview *av);
/* A key.  Returns 1 when the user asked to quit. */
int attachview_key(struct attachview *av, int key);
void attachview_resize(struct attachview *av);
void attachview_render(struct attachview *av);

#endif
