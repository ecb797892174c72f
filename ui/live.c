/*
 * live.c - a running scenario on screen (see live.h).  Mirrors the shape
 * of src/headless.c: run_start with a sink that feeds the model, actions
 * for every key, the front end's loop for everything else.  Draws from the
 * model and the process table only; never does epoll on a worker's behalf.
 *
 * Frames: the sink and the 2 Hz tick only say "something changed"; the
 * owner of the loop (ui.c) turns that into at most ~30 frames a second.
 */
#include "live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/actions.h"
#include "../src/loop.h"
#include "../src/model.h"
#include "../src/proctab.h"
#include "../src/run.h"
#include "../src/util.h"
#include "crt.h"
#include "help.h"
#include "keys.h"
#include "layout.h"
#include "panel.h"

#define TICK_NS (500ull * 1000000)
#define SCAN_MIN_NS (250ull * 1000000)
#define KEY_CTRL_C 3
#define KEY_CTRL_Z 26
#define KEY_ESC 27

struct live {
	struct scenario sc;
	struct loop *loop;
	live_notify_fn notify;
	void *ctx;
	struct model *m;
	struct run *run;
	struct actions act;
	int have_act;
	int has_echo, has_fifo;
	int applies[P__COUNT];
	struct panel panels[P__COUNT];
	struct layout lo;
	int focus, zoom;
	int paused, full;
	struct help help;
	struct proc_row rows[VIEW_MAX_ROWS];
	int nrows;
	uint64_t last_scan;
	int scan_wanted;
	pid_t self;
	int self_tty;
	int tick_timer;
	int scan_timer;
	int stopping;       /* live_stop is running: arm no timer */
	uint64_t rate_t, rate_n;
	double rate;
	char bar[512];
	char fatal[200];
	char notice[200];
	int nwrite, nsend;
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

/* Read the process table again.  Returns 1 if it changed. */
static int
scan(struct live *lv)
{
	struct proc_row rows[VIEW_MAX_ROWS];
	int n = proctab_scan(keep_row, lv, rows, VIEW_MAX_ROWS);
	int changed = n != lv->nrows || memcmp(rows, lv->rows, (size_t)n * sizeof rows[0]) != 0;

	memcpy(lv->rows, rows, (size_t)n * sizeof rows[0]);
	lv->nrows = n;
	lv->last_scan = now_ns();
	lv->scan_wanted = 0;
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
	pid_t pgids[M_JOBS];
	int n = 0;

	for (int i = 0; i < lv->m->njobs; i++)
		if (lv->m->jobs[i].state != MJOB_DONE && lv->m->jobs[i].pgid > 0)
			pgids[n++] = lv->m->jobs[i].pgid;
	crt_guard(lv->run ? run_session_pid(lv->run) : 0, pgids, n);
}

/* Every record: into the model; notable ones ask for a process-table read. */
static void
sink(void *ctx, const struct trace_rec *r)
{
	struct live *lv = ctx;

	model_apply(lv->m, r);
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
			snprintf(lv->fatal, sizeof lv->fatal, "cannot listen on 127.0.0.1:%d: %s", r->port,
				 strerror(r->err));
		break;
	}
	if (!lv->paused)
		lv->notify(lv->ctx);
}

/* Is some process asleep in epoll_wait (its clock moves)? */
static int
any_waiting(const struct model *m)
{
	for (int i = 0; i < m->nprocs; i++)
		if (m->procs[i].alive && m->procs[i].in_wait)
			return 1;
	return 0;
}

static void bar_text(struct live *lv, char *buf, size_t cap);

/* 2 Hz: the process table, records per second, the clocks. */
static void
tick(void *arg)
{
	struct live *lv = arg;
	uint64_t now = now_ns();
	int dirty = 0;
	char bar[sizeof lv->bar];

	lv->tick_timer = loop_timer(lv->loop, now + TICK_NS, tick, lv);
	if (now - lv->rate_t >= 1000000000ull) {
		lv->rate = (double)(lv->m->records - lv->rate_n) * 1e9 / (double)(now - lv->rate_t);
		lv->rate_t = now;
		lv->rate_n = lv->m->records;
	}
	dirty |= scan(lv);
	dirty |= !lv->paused && any_waiting(lv->m);
	bar_text(lv, bar, sizeof bar);
	dirty |= strcmp(bar, lv->bar) != 0;
	if (dirty)
		lv->notify(lv->ctx);
}

/* Start the run, the actions, the tick; NULL with err on failure. */
struct live *
live_start(const struct scenario *sc, struct loop *loop, live_notify_fn notify, void *ctx, char *err,
	   size_t errcap)
{
	struct live *lv = xcalloc(1, sizeof *lv);
	struct proc_row self;

	lv->sc = *sc;
	lv->loop = loop;
	lv->notify = notify;
	lv->ctx = ctx;
	lv->has_echo = scenario_job_of(sc, JOB_ECHO) >= 0;
	lv->has_fifo = scenario_job_of(sc, JOB_FIFO) >= 0;
	lv->focus = P_WAIT;
	lv->zoom = -1;
	lv->self = getpid();
	if (proctab_read(lv->self, &self) == 0)
		lv->self_tty = self.tty_nr;
	for (int i = 0; i < P__COUNT; i++) {
		panel_init(&lv->panels[i], i);
		lv->applies[i] = panel_applies(i, sc);
	}
	lv->m = model_new();
	lv->run = run_start(&lv->sc, loop, sink, lv, err, errcap);
	if (lv->run == NULL)
		goto fail;
	actions_init(&lv->act, lv->run, lv->m, loop);
	lv->have_act = 1;
	if (lv->has_echo)
		actions_watch_queue(&lv->act);
	update_guard(lv);
	lv->rate_t = now_ns();
	scan(lv);
	lv->tick_timer = loop_timer(loop, now_ns() + TICK_NS, tick, lv);
	lv->full = 1;
	notify(ctx);
	return lv;
fail:
	for (int i = 0; i < P__COUNT; i++)
		panel_free(&lv->panels[i]);
	model_free(lv->m);
	free(lv);
	return NULL;
}

/* Stop the run cleanly and free everything. */
void
live_stop(struct live *lv)
{
	if (lv == NULL)
		return;
	lv->stopping = 1;
	if (lv->have_act)
		actions_done(&lv->act);
	run_stop(lv->run);
	/* After run_stop: its last records may have asked for a scan. */
	if (lv->tick_timer)
		loop_timer_cancel(lv->loop, lv->tick_timer);
	if (lv->scan_timer)
		loop_timer_cancel(lv->loop, lv->scan_timer);
	run_free(lv->run);
	lv->run = NULL;
	crt_guard(0, NULL, 0);
	model_free(lv->m);
	for (int i = 0; i < P__COUNT; i++)
		panel_free(&lv->panels[i]);
	help_free(&lv->help);
	free(lv);
}

/* The running scenario. */
const struct scenario *
live_scenario(const struct live *lv)
{
	return &lv->sc;
}

/* Reap what exited. */
void
live_sigchld(struct live *lv)
{
	run_reap(lv->run);
}

/* Forget the panels' heights: the layout starts afresh. */
void
live_resize(struct live *lv)
{
	for (int i = 0; i < P__COUNT; i++)
		lv->panels[i].hwm = 0;
	lv->full = 1;
}

/* Move the focus to the next (dir 1) or previous (-1) panel on the screen. */
static void
focus_move(struct live *lv, int dir)
{
	for (int k = 1; k <= P__COUNT; k++) {
		int id = ((lv->focus + dir * k) % P__COUNT + P__COUNT) % P__COUNT;

		if (lv->panels[id].shown) {
			lv->focus = id;
			return;
		}
	}
}

/* Zoom panel id, or unzoom if it is zoomed. */
static void
zoom_to(struct live *lv, int id)
{
	if (id < 0 || id >= P__COUNT || !lv->applies[id])
		return;
	if (lv->zoom == id) {
		lv->zoom = -1;
	} else {
		lv->zoom = id;
		lv->focus = id;
	}
}

/* Keys that act on the scenario.  Returns 1 if key was one of them (applying or not). */
static int
action_key(struct live *lv, int key)
{
	struct actions *a = &lv->act;
	char text[64];

	switch (key) {
	case KEY_CTRL_C: act_ctrl_c(a); return 1;
	case KEY_CTRL_Z:
	case 'z': act_ctrl_z(a); return 1;
	case 'f': act_fg(a); return 1;
	}
	if (lv->has_echo) {
		switch (key) {
		case 'c': act_connect(a, 1); return 1;
		case 'b': act_burst(a, 20); return 1;
		case 'o': act_hold(a, 1); return 1;
		case 's':
			snprintf(text, sizeof text, "line %d from a held client", ++lv->nsend);
			act_send(a, text);
			return 1;
		case 'x': act_release(a); return 1;
		case 'i': act_kill_parent(a); return 1;
		}
	}
	if (lv->has_fifo) {
		switch (key) {
		case 'w':
			snprintf(text, sizeof text, "line %d from epollviz", ++lv->nwrite);
			act_fifo_write(a, text, 0);
			return 1;
		case 'W': act_fifo_hold(a, 0); return 1;
		case 'h': act_fifo_hangup(a); return 1;
		}
	}
	return 0;
}

/* A key of the running screen. */
int
live_key(struct live *lv, int key)
{
	int view = 1; /* the key changes what the panels show: redraw even when paused */

	if (lv->help.open) {
		help_key(&lv->help, key);
		lv->full = 1;
		lv->notify(lv->ctx);
		return LIVE_NONE;
	}
	switch (key) {
	case 'q': return LIVE_QUIT;
	case 'r': return LIVE_RESTART;
	case KEY_ESC:
		if (lv->zoom < 0)
			return LIVE_PICKER;
		lv->zoom = -1;
		break;
	case '?': help_toggle(&lv->help); break;
	case 'p': lv->paused = !lv->paused; break;
	case '\t': focus_move(lv, 1); break;
	case KEY_BTAB: focus_move(lv, -1); break;
	case '\r':
	case '\n':
	case KEY_ENTER: zoom_to(lv, lv->focus); break;
	default:
		if (key >= '1' && key < '1' + P__COUNT) {
			zoom_to(lv, key - '1');
			break;
		}
		if (action_key(lv, key)) {
			view = 0;
			break;
		}
		view = panel_key(&lv->panels[lv->focus], key);
		break;
	}
	if (view)
		lv->full = 1;
	lv->notify(lv->ctx);
	return LIVE_NONE;
}

/* "1:05" since the run started. */
static void
run_time(const struct live *lv, char *buf, size_t cap)
{
	uint64_t s = (now_ns() - run_t0(lv->run)) / 1000000000ull;

	if (s >= 3600)
		snprintf(buf, cap, "%llu:%02llu:%02llu", (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
	else
		snprintf(buf, cap, "%llu:%02llu", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
}

/* The title bar's text; also used to tell whether it changed. */
static void
bar_text(struct live *lv, char *buf, size_t cap)
{
	const struct trace_reader *rd = run_reader(lv->run);
	char t[32], rate[32], n[32], port[48] = "";
	const char *sep = crt_g(G_VLINE);

	run_time(lv, t, sizeof t);
	if (lv->m->port > 0)
		snprintf(port, sizeof port, " %s 127.0.0.1:%d", sep, lv->m->port);
	snprintf(buf, cap, " epollviz %s %s%s %s %s %s %s rec/s %s %s records %s lost %llu", sep, lv->sc.name,
		 port, sep, t, sep, fmt_rate(lv->rate, rate, sizeof rate), sep,
		 fmt_count(lv->m->records, n, sizeof n), sep,
		 (unsigned long long)(rd->lost + rd->malformed));
	/* fmt_rate says "/s"; the bar says "rec/s" once. */
	{
		char *p = strstr(buf, "/s rec/s");

		if (p)
			memmove(p, p + 2, strlen(p + 2) + 1);
	}
}

/* Draw the title bar and its right-hand notice. */
static void
render_bar(struct live *lv)
{
	const struct trace_reader *rd = run_reader(lv->run);
	char right[256];
	int x, rw;

	bar_text(lv, lv->bar, sizeof lv->bar);
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', COLS);
	attrset(A_NORMAL);
	x = draw_text(0, 0, COLS, CS_BAR, lv->bar);
	right[0] = '\0';
	if (lv->notice[0])
		snprintf(right, sizeof right, " %s ", lv->notice);
	else if (lv->fatal[0])
		snprintf(right, sizeof right, " %s ", lv->fatal);
	else if (lv->paused)
		snprintf(right, sizeof right, " PAUSED (p resumes) ");
	else if (run_finished(lv->run))
		snprintf(right, sizeof right, " the session has ended ");
	rw = text_cols(right);
	if (rw > 0) {
		int style = lv->fatal[0] && !lv->notice[0] ? CS_ERR : CS_SHARED;
		int at = COLS - rw > x + 1 ? COLS - rw : x + 1;

		draw_text(0, at, COLS - at, style, right);
	} else if (rd->lost + rd->malformed > 0) {
		draw_text(0, COLS - 14, 14, CS_ERR, " RECORDS LOST ");
	}
}

/* What the panels may look at, now. */
static void
build_view(struct live *lv, struct view *v)
{
	memset(v, 0, sizeof *v);
	v->m = lv->m;
	v->sc = &lv->sc;
	v->rows = lv->rows;
	v->nrows = lv->nrows;
	v->session = run_session_pid(lv->run);
	v->self = lv->self;
	v->self_tty = lv->self_tty;
	v->now = now_ns();
	v->writer_held = lv->act.writer_fd >= 0;
	v->clients_held = clients_held(lv->act.cs);
	v->has_echo = lv->has_echo;
	v->has_fifo = lv->has_fifo;
}

/* Draw a frame: panels (unless paused), bars, help. */
void
live_render(struct live *lv)
{
	struct view v;
	/* Two key rows when the terminal is tall enough and one would drop keys. */
	int krows = keys_rows(COLS, LINES >= 30 ? 2 : 1, lv->has_echo, lv->has_fifo);
	struct rect area = { 1, 0, LINES - 1 - krows, COLS };
	char hidden[64];

	if (!lv->paused || lv->full) {
		if (lv->scan_wanted && now_ns() - lv->last_scan >= SCAN_MIN_NS)
			scan(lv);
		build_view(lv, &v);
		erase();
		layout_place(&lv->lo, lv->panels, lv->applies, area, lv->zoom, &v);
		if (!lv->panels[lv->focus].shown)
			focus_move(lv, 1);
		for (int i = 0; i < P__COUNT; i++)
			if (lv->panels[i].shown)
				panel_render(&lv->panels[i], i == lv->focus, i + 1);
		layout_render(&lv->lo);
		lv->full = 0;
	}
	render_bar(lv);
	hidden[0] = '\0';
	if (lv->lo.nhidden > 0 && lv->zoom < 0) {
		int len = snprintf(hidden, sizeof hidden, " hidden:");

		for (int i = 0; i < lv->lo.nhidden && len < (int)sizeof hidden - 4; i++)
			len += snprintf(hidden + len, sizeof hidden - (size_t)len, " %d", lv->lo.hidden[i] + 1);
		snprintf(hidden + len, sizeof hidden - (size_t)len, " ");
	}
	keys_render(LINES - krows, COLS - text_cols(hidden), krows, lv->has_echo, lv->has_fifo);
	if (hidden[0])
		draw_text(LINES - 1, COLS - text_cols(hidden), text_cols(hidden), CS_WARN, hidden);
	if (lv->help.open)
		help_render(&lv->help, LINES, COLS, &lv->sc, lv->applies);
}

/* Show a notice in the title bar at once. */
void
live_notice(struct live *lv, const char *text)
{
	str_copy(lv->notice, text, sizeof lv->notice);
	render_bar(lv);
	wnoutrefresh(stdscr);
	doupdate();
}
