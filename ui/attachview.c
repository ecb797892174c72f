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
/* A reading may take at most 1/REFRESH_SHARE of the time (4 %): 20 000 watches cost ~0.2 s to read, so every 5 s. */
#define REFRESH_SHARE 25
#define KEY_ESC 27

/* A process the screen follows: its identity, and its name when last seen (for "gone"). */
struct target {
	struct kv_id id;  /* start 0 until the first reading finds it */
	char comm[32];
};

struct attachview {
	struct loop *loop;
	screen_notify_fn notify;
	void *ctx;
	struct target *t;   /* the given processes, then every descendant seen */
	int nt, capt, ngiven;
	struct kv_id *ids;  /* scratch: t's identities for a reading */
	int children;
	struct ksnap ks;
	struct model *m;    /* empty: the panels' lookups find nothing in it */
	struct deck d;
	struct help help;
	int timer;
	uint64_t every;     /* the refresh period: REFRESH_NS, or longer when a reading is slow */
};

/* The target that process p is, or NULL (a descendant not seen before, or a newcomer at a reused pid). */
static struct target *
target_of(struct attachview *av, const struct kv_proc *p)
{
	for (int k = 0; k < av->nt; k++)
		if (av->t[k].id.pid == p->pid && (av->t[k].id.start == 0 || av->t[k].id.start == p->start))
			return &av->t[k];
	return NULL;
}

/*
 * Remember the processes this reading found (a descendant may be gone by
 * the next one), who each is (pid and start time: a pid that comes round
 * again is another process) and their names; a gone process keeps the
 * name it had.
 */
static void
remember(struct attachview *av)
{
	for (int i = 0; i < av->ks.kv.np; i++) {
		struct kv_proc *p = &av->ks.kv.p[i];
		struct target *t = target_of(av, p);

		if (t == NULL) {
			if (!av->children || p->gone || (i > 0 && av->ks.kv.p[i - 1].reused))
				continue;
			if (av->nt == av->capt) {
				av->capt = av->capt ? av->capt * 2 : 16;
				av->t = xreallocarray(av->t, (size_t)av->capt, sizeof *av->t);
			}
			t = &av->t[av->nt++];
			memset(t, 0, sizeof *t);
			t->id.pid = p->pid;
		}
		if (t->id.start == 0)
			t->id.start = p->gone ? ~0ull : p->start; /* gone at the first look: any later one is new */
		if (p->gone)
			str_copy(p->row.comm, t->comm, sizeof p->row.comm);
		else
			str_copy(t->comm, p->row.comm, sizeof t->comm);
	}
}

/* Read every process again. */
static void
reread(struct attachview *av)
{
	av->ids = xreallocarray(av->ids, (size_t)av->nt + 1, sizeof *av->ids);
	for (int k = 0; k < av->nt; k++)
		av->ids[k] = av->t[k].id;
	uint64_t t0 = now_ns(), cost;

	ksnap_read_ids(&av->ks, av->ids, av->nt, av->children, NULL);
	remember(av);
	/* Idle means idle: the period grows with what a reading costs (thousands of fds). */
	cost = now_ns() - t0;
	av->every = cost * REFRESH_SHARE > REFRESH_NS ? cost * REFRESH_SHARE : REFRESH_NS;
}

/* The refresh timer: 2 Hz, or slower for a process with very many fds. */
static void
tick(void *arg)
{
	struct attachview *av = arg;

	reread(av);
	av->timer = loop_timer(av->loop, now_ns() + av->every, tick, av);
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
	av->capt = npids + 16;
	av->t = xcalloc((size_t)av->capt, sizeof *av->t);
	for (int i = 0; i < npids; i++)
		av->t[av->nt++].id.pid = pids[i];
	av->ngiven = av->nt;
	av->m = model_new();
	ksnap_init(&av->ks);
	deck_init(&av->d, P_KERN);
	reread(av);
	av->timer = loop_timer(loop, now_ns() + av->every, tick, av);
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
	free(av->t);
	free(av->ids);
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
		len += (size_t)snprintf(pids + len, sizeof pids - len, "%s%d", i ? " " : "", av->t[i].id.pid);
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
	snprintf(buf + len, sizeof buf - len, " %s %d epoll instance%s %s every %.1f s", sep, kv->ninstances,
		 kv->ninstances == 1 ? "" : "s", sep, (double)av->every / 1e9);
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
