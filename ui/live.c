/*
 * live.c - a running scenario on the screen (see live.h).  It mirrors the
 * shape of src/headless.c: run_start with a tee of consumers (the model,
 * the recorder, the samplers, this screen), the action table for the keys,
 * the front end's loop for everything else.  Draws from the model, the
 * process table and the kernel's view only; never does epoll on a worker's
 * behalf.
 *
 * Frames: the records and the tick (once a second, just after the run's
 * clock turns a second) only say "something changed"; the
 * owner of the loop (ui.c) turns that into at most ~30 frames a second.
 * The kernel's view is read on the tick only while its panel is on the
 * screen, and the wake-up counts are sampled on the tick.
 */
#include "live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/action.h"
#include "../src/i18n.h"
#include "../src/loop.h"
#include "../src/proctab.h"
#include "../src/recorder.h"
#include "../src/run.h"
#include "../src/sampler.h"
#include "../src/util.h"
#include "crt.h"
#include "keys.h"
#include "layout.h"
#include "scene.h"

#define TICK_NS 1000000000ull          /* the tick: once a second of the run's clock */
#define TICK_LAG_NS (20ull * 1000000) /* after the second turns, so that the clock shows the new one */
#define SCAN_MIN_NS (250ull * 1000000) /* the process table is read at most this often */
#define SCAN_FULL_NS 5000000000ull     /* and all of /proc looked through at least this often */
#define HINT_NS 2500000000ull        /* a key that cannot act now says why this long */

struct live {
	struct scene s;
	struct loop *loop;
	screen_notify_fn notify;
	void *ctx;
	struct run *run;
	char path[PATH_MAX]; /* the recording being written */
	struct recorder *rec;
	struct trace_tee tee; /* the consumers of every record: model, recording, samplers, note */
	struct sampler smp;   /* /proc samplers, the kernel's view */
	struct actions act;
	int started;          /* run, smp and act are set up */
	int paused;
	struct proc_row rows[VIEW_MAX_ROWS];
	int nrows;
	uint64_t last_scan;
	int scan_wanted;
	pid_t self;
	int self_tty;
	int tick_timer;
	int scan_timer;
	int stopping;         /* live_stop is running: arm no timer */
	uint64_t rate_t, rate_n;
	double rate;
	char fatal[400];
	char notice[400];
	char hint[400];       /* why the key just pressed did nothing, shown until hint_until */
	uint64_t hint_until;
};

/* Keep a row of the process table: the session, the front end's terminal, the front end. */
static int
keep_row(const struct proc_row *row, void *arg)
{
	const struct live *lv = arg;
	pid_t session = lv->run ? run_session_pid(lv->run) : 0;

	return (session > 0 && row->sid == session) || row->pid == lv->self ||
	       (lv->self_tty != 0 && row->tty_nr == lv->self_tty);
}

/* Do two readings of a process-table row show the same? */
static int
same_row(const struct proc_row *a, const struct proc_row *b)
{
	return a->pid == b->pid && a->state == b->state && a->ppid == b->ppid && a->pgid == b->pgid &&
	       a->sid == b->sid && a->tty_nr == b->tty_nr && a->tpgid == b->tpgid && a->start == b->start &&
	       strcmp(a->comm, b->comm) == 0 && strcmp(a->tty, b->tty) == 0 && strcmp(a->cmd, b->cmd) == 0;
}

/* Read the process table again.  Returns 1 if it changed. */
static int
scan(struct live *lv)
{
	struct proc_row rows[VIEW_MAX_ROWS];
	int n = proctab_scan(keep_row, lv, rows, VIEW_MAX_ROWS);
	int changed = n != lv->nrows;

	for (int i = 0; i < n && !changed; i++)
		changed = !same_row(&rows[i], &lv->rows[i]);

	memcpy(lv->rows, rows, (size_t)n * sizeof rows[0]);
	lv->nrows = n;
	lv->last_scan = now_ns();
	lv->scan_wanted = 0;
	return changed;
}

/*
 * The tick's look at the process table: each known row's stat read again
 * (a stop, a continue, a state); all of /proc only every SCAN_FULL_NS, or
 * when a known process is gone (a record asks for a full read at once when
 * a process starts or ends).  Returns 1 if the table changed.
 */
static int
rescan(struct live *lv)
{
	int changed = 0;

	if (now_ns() - lv->last_scan >= SCAN_FULL_NS)
		return scan(lv);
	for (int i = 0; i < lv->nrows; i++) {
		struct proc_row row = lv->rows[i];

		if (proctab_read_stat(lv->rows[i].pid, &row) < 0)
			return scan(lv);
		memcpy(row.cmd, lv->rows[i].cmd, sizeof row.cmd);
		if (!same_row(&row, &lv->rows[i])) {
			lv->rows[i] = row;
			changed = 1;
		}
	}
	return changed;
}

/* The deferred process-table read. */
static void
scan_due(void *arg)
{
	struct live *lv = arg;

	lv->scan_timer = 0;
	if (scan(lv))
		lv->notify(lv->ctx);
}

/* The process table changed (a job, a start, an exit): read it again soon, at most 4 times a second. */
static void
want_scan(struct live *lv)
{
	uint64_t at = lv->last_scan + SCAN_MIN_NS, now = now_ns();

	lv->scan_wanted = 1;
	if (lv->scan_timer == 0 && !lv->stopping)
		lv->scan_timer = loop_timer(lv->loop, at > now ? at : now, scan_due, lv);
}

/* Tell the crash path which groups to stop: the session and the jobs still running. */
static void
update_guard(struct live *lv)
{
	const struct model *m = lv->s.m;
	pid_t pgids[M_JOBS];
	int n = 0;

	for (int i = 0; i < m->njobs; i++)
		if (m->jobs[i].state != MJOB_DONE && m->jobs[i].pgid > 0)
			pgids[n++] = m->jobs[i].pgid;
	crt_guard(lv->run ? run_session_pid(lv->run) : 0, pgids, n);
}

/* Is a kernel view of the job processes due: its panel is on the screen, not paused? */
static int
kernel_visible(const struct live *lv)
{
	return lv->started && !lv->paused && lv->s.d.panels[P_KERN].shown;
}

/* Every record, after the model and the recording: notable ones ask for a process-table read. */
static void
note(void *ctx, const struct trace_rec *r)
{
	struct live *lv = ctx;

	switch (r->type) {
	case TR_JOB:
		update_guard(lv);
		/* fallthrough */
	case TR_FG:
	case TR_PROC_START:
	case TR_PROC_EXIT:
	case TR_REAP:
		want_scan(lv);
		break;
	case TR_LISTEN:
		if (r->ret < 0)
			snprintf(lv->fatal, sizeof lv->fatal, _("cannot listen on 127.0.0.1:%d: %s"), r->port,
				 strerror(r->err));
		break;
	}
	if (!lv->paused)
		lv->notify(lv->ctx);
}

/* "1:05" for a number of seconds. */
static void
clock_text(uint64_t s, char *buf, size_t cap)
{
	if (s >= 3600)
		snprintf(buf, cap, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, cap, "%llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

/* The title bar: scenario, port, clock, records per second, records, lost. */
static void
bar_text(struct live *lv, char *buf, size_t cap)
{
	const struct trace_reader *rd = run_reader(lv->run);
	const struct model *m = lv->s.m;
	char t[32], rate[32], n[32], port[48] = "", frate[64], frecs[64], flost[64];
	const char *sep = crt_g(G_VLINE);
	size_t len;

	clock_text((now_ns() - run_t0(lv->run)) / 1000000000ull, t, sizeof t);
	/* Where the clients go (t chooses when a program listens on several ports). */
	if (action_target_port(&lv->act) > 0)
		snprintf(port, sizeof port, " %s 127.0.0.1:%d", sep, action_target_port(&lv->act));
	else if (m->nlistens > 0)
		snprintf(port, sizeof port, " %s 127.0.0.1:%d", sep, m->listens[0].port);
	/* Most telling first: a narrow bar keeps the first fields (scene_render_bar). */
	/* fmt_rate says "/s"; the bar says "rec/s" once. */
	fmt_rate(lv->rate, rate, sizeof rate);
	len = strlen(rate);
	if (len >= 2 && strcmp(rate + len - 2, "/s") == 0)
		rate[len - 2] = '\0';
	/* TRANSLATORS: title bar: trace records per second; %s is a number like 1.2k */
	snprintf(frate, sizeof frate, _("%s rec/s"), rate);
	/* TRANSLATORS: title bar: trace records applied so far; %s is a number like 12,345 */
	snprintf(frecs, sizeof frecs, P_("%s record", "%s records", m->records), fmt_count(m->records, n, sizeof n));
	/* TRANSLATORS: title bar: trace records lost */
	snprintf(flost, sizeof flost, C_("title bar: trace records", "lost %llu"), (unsigned long long)(rd->lost + rd->malformed));
	snprintf(buf, cap, " epollviz %s %s %s %s%s %s %s %s %s %s %s", sep, lv->s.sc.name, sep, t, port, sep, frate,
		 sep, frecs, sep, flost);
}

/*
 * When the next tick is due: just after the run's clock turns its next
 * second.  Ticking on the clock's own seconds shows each of them (a tick
 * merely every second apart could land either side of a turn, and show a
 * second twice or skip one), at half the wake-ups of twice a second.
 */
static uint64_t
next_tick(const struct live *lv, uint64_t now)
{
	uint64_t t0 = run_t0(lv->run), k = now > t0 ? (now - t0) / TICK_NS + 1 : 1;

	return t0 + k * TICK_NS + TICK_LAG_NS;
}

/* Once a second: the process table, the kernel's view if shown, wake-ups, records per second, the clocks. */
static void
tick(void *arg)
{
	struct live *lv = arg;
	uint64_t now = now_ns();
	int dirty = 0;
	char bar[SCENE_BAR_MAX];

	lv->tick_timer = loop_timer(lv->loop, next_tick(lv, now), tick, lv);
	/* Records per second since the tick before (about a second ago). */
	if (now > lv->rate_t) {
		lv->rate = (double)(lv->s.m->records - lv->rate_n) * 1e9 / (double)(now - lv->rate_t);
		lv->rate_t = now;
		lv->rate_n = lv->s.m->records;
	}
	sampler_wakes(&lv->smp);
	dirty |= rescan(lv);
	if (kernel_visible(lv)) {
		sampler_kernel(&lv->smp);
		dirty = 1;
	}
	/* A wait's "N s" moves with the bar's clock (panel_wait): the bar's text says when. */
	bar_text(lv, bar, sizeof bar);
	dirty |= strcmp(bar, lv->s.bar) != 0;
	if (dirty)
		lv->notify(lv->ctx);
}

/* Free what live_start made, the run excepted. */
static void
live_free(struct live *lv)
{
	scene_free(&lv->s);
	free(lv);
}

/* Build the scene and the tee, start the run, samplers, actions and the tick. */
struct live *
live_start(const struct scenario *sc, struct loop *loop, screen_notify_fn notify, void *ctx,
	   struct recorder *rec, const char *rec_path, char *err, size_t errcap)
{
	struct live *lv = xcalloc(1, sizeof *lv);
	struct proc_row self;
	char ignored[64];

	scene_init(&lv->s, sc, VIEW_LIVE);
	lv->loop = loop;
	lv->notify = notify;
	lv->ctx = ctx;
	lv->self = getpid();
	lv->rec = rec;
	if (rec && rec_path)
		str_copy(lv->path, rec_path, sizeof lv->path);
	if (proctab_read(lv->self, &self) == 0)
		lv->self_tty = self.tty_nr;
	trace_tee_add(&lv->tee, model_sink, lv->s.m);
	trace_tee_add(&lv->tee, rec ? recorder_sink : NULL, rec);
	trace_tee_add(&lv->tee, sampler_note, &lv->smp);
	trace_tee_add(&lv->tee, note, lv);
	lv->run = run_start(&lv->s.sc, loop, trace_tee_sink, &lv->tee, err, errcap);
	if (lv->run == NULL) {
		recorder_close(rec, ignored, sizeof ignored);
		live_free(lv);
		return NULL;
	}
	sampler_init(&lv->smp, loop, lv->run, lv->s.m);
	action_setup(&lv->act, lv->run, lv->s.m, loop, &lv->smp, 0);
	lv->s.act = &lv->act;
	lv->started = 1;
	sampler_watch_queues(&lv->smp);
	update_guard(lv);
	lv->rate_t = now_ns();
	scan(lv);
	lv->tick_timer = loop_timer(loop, next_tick(lv, now_ns()), tick, lv);
	notify(ctx);
	return lv;
}

/* Say something in the title bar at once. */
static void
live_notice(struct live *lv, const char *text)
{
	struct scene_notice n = { "", CS_SHARED };
	char bar[SCENE_BAR_MAX];

	str_copy(lv->notice, text, sizeof lv->notice);
	snprintf(n.text, sizeof n.text, " %s ", text);
	bar_text(lv, bar, sizeof bar);
	scene_render_bar(&lv->s, bar, &n);
	wnoutrefresh(stdscr);
	doupdate();
}

/* Stop the run cleanly (saying so), close the recording, free everything. */
static int
live_stop(void *arg, char *err, size_t errcap)
{
	struct live *lv = arg;
	char buf[400];
	int ret = 0;

	if (lv == NULL)
		return 0;
	snprintf(buf, sizeof buf, _("stopping %s: every job is asked to end"), lv->s.sc.name);
	if (LINES >= LAYOUT_MIN_H && COLS >= LAYOUT_MIN_W)
		live_notice(lv, buf);
	lv->stopping = 1;
	sampler_done(&lv->smp);
	action_teardown(&lv->act);
	run_stop(lv->run);
	/*
	 * The verdict, last in the recording as the headless runner writes it:
	 * keys wait for no effect, so no action counts as failed; a server that
	 * could not listen makes the run fatal.
	 */
	if (lv->rec)
		run_emit_end(lv->run, 0, lv->fatal[0] ? RUN_FATAL : 0);
	/* After run_stop: its last records may have asked for a scan. */
	if (lv->tick_timer)
		loop_timer_cancel(lv->loop, lv->tick_timer);
	if (lv->scan_timer)
		loop_timer_cancel(lv->loop, lv->scan_timer);
	/* No producer is left when the recorder (a consumer of the tee) closes. */
	run_free(lv->run);
	lv->run = NULL;
	if (lv->rec && recorder_close(lv->rec, err, errcap) < 0)
		ret = -1;
	lv->rec = NULL;
	crt_guard(0, NULL, 0);
	live_free(lv);
	return ret;
}

/* The scenario that runs. */
static const struct scenario *
live_scenario(const void *arg)
{
	const struct live *lv = arg;

	return &lv->s.sc;
}

/* Reap what exited. */
static void
live_sigchld(void *arg)
{
	struct live *lv = arg;

	run_reap(lv->run);
}

/* Forget the panels' heights: the layout starts afresh. */
static void
live_resize(void *arg)
{
	struct live *lv = arg;

	deck_resize(&lv->s.d);
	lv->s.full = 1;
}

/*
 * A key that starts an action of the table (src/action.c), if it can act
 * now; else the title bar says why for a moment.  Returns 1 if key was an
 * action's key (acting or not).
 */
static int
action_key(struct live *lv, int key)
{
	struct keys_ctx kc = { KM_LIVE, &lv->s.sc, lv->s.m, &lv->act, 0 };
	int id = action_of_key(key);
	const char *why;

	if (id < 0)
		return 0;
	if (keys_action_on(id, &kc)) {
		action_key_press(&lv->act, id);
		return 1;
	}
	kc.all = 1;
	if (keys_action_on(id, &kc) && (why = action_not_now(&lv->act, id)) != NULL) {
		snprintf(lv->hint, sizeof lv->hint, "%s: %s", action_def(id)->cap, why);
		lv->hint_until = now_ns() + HINT_NS;
	}
	return 1;
}

/* A key of the running screen. */
static int
live_key(void *arg, int key)
{
	struct live *lv = arg;
	int kernel = lv->s.kernel, used, r = scene_key(&lv->s, key, &used);

	if (!kernel && lv->s.kernel && !lv->paused)
		sampler_kernel(&lv->smp); /* the kernel's view is on the screen now: read it at once */
	if (used || r != SCREEN_NONE) {
		lv->notify(lv->ctx);
		return r;
	}
	if (key == 'p') {
		lv->paused = !lv->paused;
		lv->s.full = 1;
	} else if (!action_key(lv, key) && deck_key(&lv->s.d, key)) {
		lv->s.full = 1; /* the key changes what the panels show: redraw even when paused */
	}
	lv->notify(lv->ctx);
	return SCREEN_NONE;
}

/* The title bar's right-hand notice: stopping, a fatal error, paused, ended, lost records, recording. */
static void
notice_of(struct live *lv, struct scene_notice *n)
{
	const struct trace_reader *rd = run_reader(lv->run);

	n->text[0] = '\0';
	n->style = CS_SHARED;
	if (lv->notice[0]) {
		snprintf(n->text, sizeof n->text, " %s ", lv->notice);
	} else if (lv->hint[0] && now_ns() < lv->hint_until) {
		snprintf(n->text, sizeof n->text, " %s ", lv->hint);
		n->style = CS_WARN;
	} else if (lv->fatal[0]) {
		snprintf(n->text, sizeof n->text, " %s ", lv->fatal);
		n->style = CS_ERR;
	} else if (lv->paused) {
		snprintf(n->text, sizeof n->text, " %s ", _("PAUSED (p resumes)"));
	} else if (run_finished(lv->run)) {
		snprintf(n->text, sizeof n->text, " %s ", _("the session has ended"));
	} else if (rd->lost + rd->malformed > 0) {
		snprintf(n->text, sizeof n->text, " %s ", _("RECORDS LOST"));
		n->style = CS_ERR;
	} else if (lv->rec) {
		const char *slash = strrchr(lv->path, '/');

		/* TRANSLATORS: title bar: recording into a file, the red dot in front; keep it short */
		snprintf(n->text, sizeof n->text, " %s %s %s ", crt_g(G_WON), _("REC"), slash ? slash + 1 : lv->path);
		n->style = CS_ERR;
	}
}

/* What the panels may look at, now. */
static void
build_view(struct live *lv, struct view *v)
{
	memset(v, 0, sizeof *v);
	v->mode = VIEW_LIVE;
	v->m = lv->s.m;
	v->sc = &lv->s.sc;
	v->ks = lv->smp.ks.have ? &lv->smp.ks : NULL;
	v->rows = lv->rows;
	v->nrows = lv->nrows;
	v->session = run_session_pid(lv->run);
	v->self = lv->self;
	v->now = now_ns();
	v->writer_held = lv->act.writer_fd >= 0;
	v->clients_held = action_clients_held(&lv->act);
}

/* Draw a frame: panels (unless paused), bars, help. */
static void
live_render(void *arg)
{
	struct live *lv = arg;
	struct scene_notice n;
	struct view v;
	char bar[SCENE_BAR_MAX];

	if (lv->scan_wanted && now_ns() - lv->last_scan >= SCAN_MIN_NS)
		scan(lv);
	build_view(lv, &v);
	bar_text(lv, bar, sizeof bar);
	notice_of(lv, &n);
	scene_render(&lv->s, &v, bar, &n, !lv->paused, NULL);
}

/* Records the model applied. */
static uint64_t
live_records(const void *arg)
{
	const struct live *lv = arg;

	return lv->s.m->records;
}

const struct screen_ops live_ops = {
	.render = live_render,
	.key = live_key,
	.resize = live_resize,
	.sigchld = live_sigchld,
	.records = live_records,
	.scenario = live_scenario,
	.stop = live_stop,
};
