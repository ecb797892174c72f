/*
 * attachview.c - the attach screen (see attachview.h).  Only looks: reads
 * /proc, sock_diag and kcmp through kview_read, never signals, traces or
 * writes to the processes.  Idle between readings: a 2 Hz timer on the
 * front end's loop, no polling.
 *
 * A reading of a process with 20 000 fds takes a few hundred milliseconds,
 * so it is made off the loop: the timer hands a copy of the identities to
 * one reader thread, which fills its own struct kview and says so on a
 * pipe the loop watches; only then does the loop take the reading in.  The
 * thread touches nothing else of the screen, and there is at most one
 * reading at a time (the next timer is set when one is taken in), so keys
 * are answered while it reads.
 */
#include "attachview.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "../src/i18n.h"
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
/*
 * A reading may take at most 1/REFRESH_SHARE of the time (4 %), of CPU when
 * it uses more than one: 20 000 watches cost ~0.2 s of CPU, so every 5 s.
 */
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
	int children;
	struct ksnap ks;
	struct model *m;    /* empty: the panels' lookups find nothing in it */
	struct deck d;
	struct help help;
	int timer;
	uint64_t every;     /* the refresh period: REFRESH_NS, or longer when a reading is slow */
	/* The reading in flight: the reader thread's only inputs and output. */
	pthread_t reader;
	int reading;        /* the thread runs (joined when its byte arrives) */
	int done[2];        /* its "done" pipe: read end on the loop */
	struct kv_id *rids; /* a copy of the identities it reads */
	int nrids;
	struct kview next;  /* what it read */
	uint64_t started, started_cpu; /* when it began: monotonic clock, and this process's CPU clock */
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
			if (!av->children || p->gone || p->newcomer)
				continue;
			if (av->nt == av->capt) {
				av->capt = av->capt ? av->capt * 2 : 16;
				av->t = xreallocarray(av->t, (size_t)av->capt, sizeof *av->t);
			}
			t = &av->t[av->nt++];
			memset(t, 0, sizeof *t);
			t->id.pid = p->pid;
			t->id.descendant = 1;
		}
		if (t->id.start == 0)
			t->id.start = p->gone ? ~0ull : p->start; /* gone at the first look: any later one is new */
		if (p->gone)
			str_copy(p->row.comm, t->comm, sizeof p->row.comm);
		else
			str_copy(t->comm, p->row.comm, sizeof t->comm);
	}
}

/* Take a reading in: remember who is who, and set the period from what it cost. */
static void
take(struct attachview *av, struct kview *kv, uint64_t cost)
{
	ksnap_take(&av->ks, kv, NULL);
	remember(av);
	/* Idle means idle: the period grows with what a reading costs (thousands of fds). */
	av->every = cost * REFRESH_SHARE > REFRESH_NS ? cost * REFRESH_SHARE : REFRESH_NS;
}

/* The identities to read, copied into rids (the reader's own). */
static void
copy_ids(struct attachview *av)
{
	av->rids = xreallocarray(av->rids, (size_t)av->nt + 1, sizeof *av->rids);
	for (int k = 0; k < av->nt; k++)
		av->rids[k] = av->t[k].id;
	av->nrids = av->nt;
}

/* A reading begins now. */
static void
reading_start(struct attachview *av)
{
	av->started = now_ns();
	av->started_cpu = cpu_ns();
}

/*
 * What the reading that began at reading_start cost: its time, or the CPU
 * time this process spent meanwhile when more (a reading of many fds runs
 * on every CPU; the screen's own drawing meanwhile is counted too, which
 * errs on the side of an idle screen).
 */
static uint64_t
reading_cost(const struct attachview *av)
{
	uint64_t wall = now_ns() - av->started, cpu = cpu_ns() - av->started_cpu;

	return cpu > wall ? cpu : wall;
}

/* The reader thread: one reading into av->next, then a byte on the pipe. */
static void *
reader_main(void *arg)
{
	struct attachview *av = arg;
	char c = 'r';

	kview_read_ids(&av->next, av->rids, av->nrids, av->children);
	while (write(av->done[1], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void tick(void *arg);

/* The reader's byte: join it, take its reading in, set the next timer, redraw. */
static void
on_read(void *arg, uint32_t events)
{
	struct attachview *av = arg;
	char c;

	(void)events;
	while (read(av->done[0], &c, 1) < 0 && errno == EINTR)
		;
	pthread_join(av->reader, NULL);
	av->reading = 0;
	take(av, &av->next, reading_cost(av));
	av->timer = loop_timer(av->loop, now_ns() + av->every, tick, av);
	av->notify(av->ctx);
}

/* The refresh timer: start a reading off the loop (2 Hz, or slower for very many fds). */
static void
tick(void *arg)
{
	struct attachview *av = arg;

	av->timer = 0;
	copy_ids(av);
	reading_start(av);
	if (av->done[0] >= 0 && pthread_create(&av->reader, NULL, reader_main, av) == 0) {
		av->reading = 1;
		return;
	}
	/* No thread to be had: read here, as the first reading is. */
	kview_read_ids(&av->next, av->rids, av->nrids, av->children);
	take(av, &av->next, reading_cost(av));
	av->timer = loop_timer(av->loop, now_ns() + av->every, tick, av);
	av->notify(av->ctx);
}

/* "attach PID..." (and children): whom the title bar names. */
static void
whom_text(const struct attachview *av, char *whom, size_t cap)
{
	char pids[160];
	size_t len = 0;

	pids[0] = '\0';
	for (int i = 0; i < av->ngiven && len < sizeof pids; i++)
		len += (size_t)snprintf(pids + len, sizeof pids - len, "%s%d", i ? " " : "", av->t[i].id.pid);
	if (av->children)
		/* TRANSLATORS: title bar: the pids given to attach, and their children */
		snprintf(whom, cap, _("attach %s and children"), pids);
	else
		snprintf(whom, cap, _("attach %s"), pids);
}

/* Row 0, the bar's colour across, with text. */
static void
bar_line(const char *text)
{
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(0, 0, COLS, CS_BAR, text);
}

/*
 * Until the first reading is in, the title bar says the screen is reading:
 * thousands of watched eventfds or pipes take seconds (README, "The
 * kernel's own view"), which a blank terminal would not tell from a hang.
 */
static void
render_reading(const struct attachview *av)
{
	char buf[512], whom[320], reading[64];
	const char *sep = crt_g(G_VLINE);

	whom_text(av, whom, sizeof whom);
	/* TRANSLATORS: title bar, until the first reading of /proc is in; %s: an ellipsis */
	snprintf(reading, sizeof reading, _("reading /proc%s"), crt_g(G_ELLIPSIS));
	/* Too wide (many pids): drop the name, then whom; what it is doing stays. */
	snprintf(buf, sizeof buf, " epollviz %s %s %s %s", sep, whom, sep, reading);
	if (lines_cols(buf) > COLS)
		snprintf(buf, sizeof buf, " %s %s %s", whom, sep, reading);
	if (lines_cols(buf) > COLS)
		snprintf(buf, sizeof buf, " %s", reading);
	erase();
	bar_line(buf);
	refresh();
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
	/* The first reading on the spot: the first frame shows it. */
	render_reading(av);
	copy_ids(av);
	reading_start(av);
	kview_read_ids(&av->next, av->rids, av->nrids, av->children);
	take(av, &av->next, reading_cost(av));
	if (pipe2(av->done, O_CLOEXEC) < 0 || loop_add(loop, av->done[0], EPOLLIN, on_read, av) < 0)
		av->done[0] = av->done[1] = -1; /* then tick reads on the loop */
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
	if (av->reading) { /* its reading is of no use now, but it must end before its memory goes */
		pthread_join(av->reader, NULL);
		kview_free(&av->next);
	}
	if (av->done[0] >= 0) {
		loop_del(av->loop, av->done[0]);
		close(av->done[0]);
		close(av->done[1]);
	}
	deck_free(&av->d);
	ksnap_free(&av->ks);
	model_free(av->m);
	help_free(&av->help);
	free(av->t);
	free(av->rids);
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
	char buf[1024], whom[320], procs[128], inst[96], every[64];
	const char *sep = crt_g(G_VLINE);
	int alive = 0, gone = 0;

	whom_text(av, whom, sizeof whom);
	for (int i = 0; i < kv->np; i++) {
		if (kv->p[i].gone || kv->p[i].row.state == 'Z' || kv->p[i].row.state == 'X')
			gone++;
		else
			alive++;
	}
	/* TRANSLATORS: title bar: processes looked at */
	snprintf(procs, sizeof procs, P_("%d process", "%d processes", alive), alive);
	if (gone) {
		size_t len = strlen(procs);
		/* TRANSLATORS: title bar, after "N processes": how many of them have exited */
		snprintf(procs + len, sizeof procs - len, P_(", %d gone", ", %d gone", gone), gone);
	}
	/* TRANSLATORS: title bar: distinct epoll instances (kcmp) among the processes */
	snprintf(inst, sizeof inst, P_("%d epoll instance", "%d epoll instances", kv->ninstances), kv->ninstances);
	/* TRANSLATORS: title bar: how often /proc is read, in seconds */
	snprintf(every, sizeof every, _("every %.1f s"), (double)av->every / 1e9);
	/* At 80 columns the whole bar is cut mid-word ("every 0.5"): drop the name, then the instances, then the count. */
	snprintf(buf, sizeof buf, " epollviz %s %s %s %s %s %s %s %s", sep, whom, sep, procs, sep, inst, sep, every);
	if (lines_cols(buf) > COLS)
		snprintf(buf, sizeof buf, " %s %s %s %s %s %s %s", whom, sep, procs, sep, inst, sep, every);
	if (lines_cols(buf) > COLS)
		snprintf(buf, sizeof buf, " %s %s %s %s %s", whom, sep, procs, sep, every);
	if (lines_cols(buf) > COLS)
		snprintf(buf, sizeof buf, " %s %s %s", whom, sep, every);
	bar_line(buf);
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
