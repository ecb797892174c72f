/*
 * wakes.h - the wake-ups the trace cannot see, per echo worker: how often
 * it slept and was woken (voluntary context switches, /proc/PID/status)
 * against how often its epoll_wait returned (the trace).
 *
 * A live run samples /proc and emits the counts as sched records (so a
 * recording has them); live runs and replays count alike from the records:
 * a sched record stamped at time t is matched with the returns stamped at
 * or before t, and both counts are deltas since a process's first sample.
 */
#ifndef EPOLLVIZ_UI_WAKES_H
#define EPOLLVIZ_UI_WAKES_H

#include "../src/model.h"
#include "panel.h"

#define WAKE_RECENT 64

struct wake_track {
	struct wake w;
	uint64_t recent[WAKE_RECENT]; /* ts of the latest returns, a ring */
	unsigned nrecent;
};

struct wakes {
	struct wake_track t[VIEW_MAX_WAKES];
	int n;
	struct wake out[VIEW_MAX_WAKES]; /* what the panels see */
};

struct run;

void wakes_init(struct wakes *ws);
/* A record was applied to m: count returns, take sched samples. */
void wakes_note(struct wakes *ws, const struct model *m, const struct trace_rec *r);
/*
 * Sample every echo worker asleep now from /proc, drain the trace pipe so
 * that every return before the sample is applied, and emit a sched record
 * for each count that changed (stamped with the sample's time).  The first
 * sample of a process is taken only while it sleeps inside epoll_wait.
 */
void wakes_sample(struct wakes *ws, struct run *run, const struct model *m);
/* The counts for the view. */
const struct wake *wakes_view(struct wakes *ws, int *n);

#endif
