/*
 * ksnap.h - one reading of the kernel's view for the screen: kview_read
 * of some processes (src/kview.h) and, with a model, kcheck's verdict on
 * every interest-list entry (src/kcheck.h), kept until the next reading.
 *
 * A disagreement is only "confirmed" when the reading before it found the
 * same one: a record may still be on its way from a worker, and a screen
 * must not flash a difference the next reading takes back.
 */
#ifndef EPOLLVIZ_KSNAP_H
#define EPOLLVIZ_KSNAP_H

#include <stdint.h>

#include "kview.h"
#include "model.h"

/* One kcheck verdict on one entry. */
struct kentry {
	int pid, epfd, fd;
	uint32_t events;  /* the kernel's, or the trace's for trace-only */
	uint64_t data;
	int verdict;      /* enum kcheck_verdict */
	int confirmed;    /* a disagreement the previous reading found too */
	int still_open;   /* its fd was closed, but the file is still open as another fd (a dup) */
	char why[256];    /* why, in the user's language (the record keeps it in English) */
};

struct ksnap {
	struct kview kv;
	int have;         /* kv holds a reading */
	int checked;      /* compared with a model (e) */
	uint64_t read_at; /* CLOCK_MONOTONIC of the reading */
	struct kentry *e;
	int ne, cape;
	struct kentry *prev; /* the previous reading's disagreements */
	int nprev, capprev;
	int ndiff;        /* confirmed disagreements */
	int npending;     /* disagreements seen once */
};

void ksnap_init(struct ksnap *s);
void ksnap_free(struct ksnap *s);
/*
 * Read pids (with children, their descendants too) and, when m is not NULL,
 * compare every epoll fd's interest list with the model's.  Returns 0 or -1.
 */
int ksnap_read(struct ksnap *s, const int *pids, int npids, int children, const struct model *m);
/* The same for processes known by pid and start time (kview_read_ids): a reused pid is a new process. */
int ksnap_read_ids(struct ksnap *s, const struct kv_id *ids, int n, int children, const struct model *m);
/* Make kv, a reading made elsewhere (another thread), the reading: moved in, kv left empty; then as ksnap_read. */
void ksnap_take(struct ksnap *s, struct kview *kv, const struct model *m);

#endif
