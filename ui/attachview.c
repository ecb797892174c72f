/*
 * attachview.c - the attach screen (see attachview.h).  Only looks: reads
 * /proc, sock_diag and kcmp through kview_read, never signals, traces or
 * writes to the processes.  Idle between readings: a 2 Hz timer on the
 * front end's loop, no polling.
 */
#include "attachview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/attach.h"
#include "../src/loop.h"
#include "../src/model.h"
#include "../src/util.h"
#include "crt.h"
#include "deck.h"
#include "help.h"
#include "keys.h"
#include "../src/ksnap.h"
#include "layout.h"
#include "panel.h"

#define REFRESH_NS (500ull * 1000000)
#define KEY_ESC 27

struct attachview {
	struct loop *loop;
	screen_notify_fn notify;
	void *ctx;
	int pids[ATTACH_MAX_PIDS]; /* the given pids, then every descendant seen */
	char comm[ATTACH_MAX_PIDS][32]; /* each one's name when last seen, for "gone" */
	int npids, ngiven;
	int children;
	struct ksnap ks;
	struct model *m;    /* empty: the panels' lookups find nothing in it */
	struct deck d;
	struct help help;
	int timer;
};

/*
 * Remember the processes this reading found (a descendant may be gone by
 * the next one) and their names; a gone process keeps the name it had.
 */
static void
remember(struct attachview *av)
{
	for (int i = 0; i < av->ks.kv.np; i++) {
		struct kv_proc *p = &av->ks.kv.p[i];
		int k = 0;

		while (k < av->npids && av->pids[k] != p->pid)
			k++;
		if (k == av->npids) {
			if (!av->children || av->npids == ATTACH_MAX_PIDS)
				continue;
			av->pids[av->npids++] = p->pid;
		}
		if (p->gone)
			str_copy(p->row.comm, av->comm[k], sizeof p->row.comm);
		else
			str_copy(av->comm[k], p->row.comm, sizeof av->comm[k]);
	}
}

/* Read every process again. */
static void
reread(struct attachview *av)
{
	ksnap_read(&av->ks, av->pids, av->npids, av->children, NULL);
	remember(av);
}

/* The 2 Hz timer. */
static void
tick(void *arg)
{
	struct attachview *av = arg;

	av->timer = loop_timer(av->loop, now_ns() + REFRESH_NS, tick, av);
	reread(av);
	av->notify(av->ctx);
}

/* Read the processes and start the timer. */
struct attachview *
attachview_start(const int *pids, int npids, int children, struct loop *loop, screen_notify_fn notify,
		 void *ctx)
{
	struct attachview *av = xcalloc(1, sizeof *av);

	av->loop = loop;
	av->notify = notify;
	av->ctx = ctx;
	av->children = children;
	for (int i = 0; i < npids && av->npids < ATTACH_MAX_PIDS; i++)
		av->pids[av->npids++] = pids[i];
	av->ngiven = av->npids;
	av->m = model_new();
	ksnap_init(&av->ks);
	deck_init(&av->d, P_KERN);
	reread(av);
	av->timer = loop_timer(loop, now_ns() + REFRESH_NS, tick, av);
	return av;
}

/* Stop the timer and free everything. */
static int
attachview_stop(void *arg, char *err, size_t errcap)
{
	struct attachview *av = arg;

	(void)err;
	(void)errcap;
	if (av == NULL)
		return 0;
	if (av->timer)
		loop_timer_cancel(av->loop, av->timer);
	deck_free(&av->d);
	ksnap_free(&av->ks);
	model_free(av->m);
	help_free(&av->help);
	free(av);
	return 0;
}

/* A key: quit, help, focus, zoom, scrolling. */
static int
attachview_key(void *arg, int key)
{
	struct attachview *av = arg;

	if (av->help.open) {
		help_key(&av->help, key);
		return SCREEN_NONE;
	}
	switch (key) {
	case 'q': return SCREEN_QUIT;
	case KEY_ESC: return deck_unzoom(&av->d) ? SCREEN_NONE : SCREEN_QUIT;
	case '?': help_toggle(&av->help); return SCREEN_NONE;
	default: deck_key(&av->d, key); return SCREEN_NONE;
	}
}

/* The panels start their layout afresh. */
static void
attachview_resize(void *arg)
{
	struct attachview *av = arg;

	deck_resize(&av->d);
}

/* Whatever exited is reaped (nothing here is ours). */
static void
attachview_sigchld(void *arg)
{
	(void)arg;
	reap_each(0, NULL, NULL);
}

/* No records: attach only looks at /proc. */
static uint64_t
attachview_records(const void *arg)
{
	(void)arg;
	return 0;
}

/* No scenario. */
static const struct scenario *
attachview_scenario(const void *arg)
{
	(void)arg;
	return NULL;
}

/* The title bar: whom we look at, how many, how fresh. */
static void
render_bar(struct attachview *av)
{
	const struct kview *kv = &av->ks.kv;
	char buf[512], pids[160];
	const char *sep = crt_g(G_VLINE);
	size_t len = 0;
	int alive = 0, gone = 0;

	pids[0] = '\0';
	for (int i = 0; i < av->ngiven && len < sizeof pids; i++)
		len += (size_t)snprintf(pids + len, sizeof pids - len, "%s%d", i ? " " : "", av->pids[i]);
	for (int i = 0; i < kv->np; i++) {
		if (kv->p[i].gone || kv->p[i].row.state == 'Z' || kv->p[i].row.state == 'X')
			gone++;
		else
			alive++;
	}
	snprintf(buf, sizeof buf, " epollviz %s attach %s%s %s %d process%s", sep, pids,
		 av->children ? " and children" : "", sep, alive, alive == 1 ? "" : "es");
	len = strlen(buf);
	if (gone)
		len += (size_t)snprintf(buf + len, sizeof buf - len, ", %d gone", gone);
	snprintf(buf + len, sizeof buf - len, " %s %d epoll instance%s %s every 0.5 s", sep, kv->ninstances,
		 kv->ninstances == 1 ? "" : "s", sep);
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(0, 0, COLS, CS_BAR, buf);
}

/* Draw a frame. */
static void
attachview_render(void *arg)
{
	struct attachview *av = arg;
	struct keys_ctx kc = { KM_ATTACH, NULL, NULL };
	int krows = keys_rows(COLS, 1, &kc);
	struct rect area = { 1, 0, LINES - 1 - krows, COLS };
	struct view v;

	memset(&v, 0, sizeof v);
	v.mode = VIEW_ATTACH;
	v.m = av->m;
	v.ks = &av->ks;
	v.now = now_ns();
	erase();
	deck_render(&av->d, NULL, area, &v);
	render_bar(av);
	keys_render(LINES - krows, COLS, krows, &kc);
	if (av->help.open) {
		struct help_ctx hc = { kc, av->d.applies };

		help_render(&av->help, LINES, COLS, &hc);
	}
}

const struct screen_ops attachview_ops = {
	.render = attachview_render,
	.key = attachview_key,
	.resize = attachview_resize,
	.sigchld = attachview_sigchld,
	.records = attachview_records,
	.scenario = attachview_scenario,
	.stop = attachview_stop,
};
