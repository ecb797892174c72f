/*
 * live.c - a scenario on screen (see live.h).  Running, it mirrors the
 * shape of src/headless.c: run_start with a sink that feeds the model (and
 * the recorder), actions for every key, the front end's loop for everything
 * else.  Replayed, the player feeds the same sink and the same panels; what
 * only a live /proc can tell is marked so.  Draws from the model, the
 * process table and the kernel's view only; never does epoll on a worker's
 * behalf.
 *
 * Frames: the sink and the 2 Hz tick only say "something changed"; the
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
#include "../src/loop.h"
#include "../src/model.h"
#include "../src/proctab.h"
#include "../src/record.h"
#include "../src/run.h"
#include "../src/util.h"
#include "crt.h"
#include "deck.h"
#include "help.h"
#include "keys.h"
#include "../src/sampler.h"
#include "layout.h"
#include "panel.h"
#include "player.h"

#define TICK_NS (500ull * 1000000)
#define SCAN_MIN_NS (250ull * 1000000)
#define KEY_CTRL_C 3
#define KEY_CTRL_Z 26
#define KEY_ESC 27

struct live {
	int mode;           /* VIEW_LIVE or VIEW_REPLAY */
	struct scenario sc;
	struct loop *loop;
	live_notify_fn notify;
	void *ctx;
	struct model *m;
	struct run *run;    /* live */
	struct player *pl;  /* replay */
	char path[PATH_MAX];/* the recording played, or being written */
	struct recorder *rec;
	struct trace_tee tee; /* the consumers of every record: model, recording, note */
	int kernel;         /* the kernel's view in place of the epoll instances (k) */
	struct sampler smp; /* live: /proc samplers, the kernel's view */
	struct actions act;
	int have_act;       /* act and smp are set up (a live run that started) */
	struct deck d;
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

/* Is a kernel view of the job processes due: its panel is on the screen, live, not paused? */
static int
kernel_visible(const struct live *lv)
{
	return lv->mode == VIEW_LIVE && !lv->paused && lv->d.panels[P_KERN].shown;
}

/* Every record, after the model and the recording: notable ones ask for a process-table read. */
static void
note(void *ctx, const struct trace_rec *r)
{
	struct live *lv = ctx;

	if (lv->mode == VIEW_REPLAY) {
		lv->notify(lv->ctx);
		return;
	}
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

/* 2 Hz: the process table, the kernel's view if shown, wake-ups, records per second, the clocks. */
static void
tick(void *arg)
{
	struct live *lv = arg;
	uint64_t now = now_ns();
	int dirty = 0;
	char bar[sizeof lv->bar];

	lv->tick_timer = loop_timer(lv->loop, now + TICK_NS, tick, lv);
	if (lv->mode == VIEW_REPLAY) {
		struct player_pos pos;

		player_position(lv->pl, &pos);
		dirty = !pos.paused && !pos.ended;
	} else {
		if (now - lv->rate_t >= 1000000000ull) {
			lv->rate = (double)(lv->m->records - lv->rate_n) * 1e9 / (double)(now - lv->rate_t);
			lv->rate_t = now;
			lv->rate_n = lv->m->records;
		}
		sampler_wakes(&lv->smp);
		dirty |= scan(lv);
		if (kernel_visible(lv)) {
			sampler_kernel(&lv->smp);
			dirty = 1;
		}
		dirty |= !lv->paused && any_waiting(lv->m);
	}
	bar_text(lv, bar, sizeof bar);
	dirty |= strcmp(bar, lv->bar) != 0;
	if (dirty)
		lv->notify(lv->ctx);
}

/* The parts live_start and live_replay share: panels, model, focus. */
static struct live *
live_new(const struct scenario *sc, int mode, struct loop *loop, live_notify_fn notify, void *ctx)
{
	struct live *lv = xcalloc(1, sizeof *lv);
	int applies[P__COUNT];

	lv->mode = mode;
	lv->sc = *sc;
	lv->loop = loop;
	lv->notify = notify;
	lv->ctx = ctx;
	lv->self = getpid();
	for (int i = 0; i < P__COUNT; i++)
		applies[i] = panel_applies(i, sc);
	deck_init(&lv->d, applies, P_WAIT);
	lv->m = model_new();
	trace_tee_add(&lv->tee, model_sink, lv->m);
	return lv;
}

/* Free what live_new made. */
static void
live_free(struct live *lv)
{
	deck_free(&lv->d);
	model_free(lv->m);
	help_free(&lv->help);
	free(lv);
}

/* Start the run, the actions, the tick; NULL with err on failure. */
struct live *
live_start(const struct scenario *sc, struct loop *loop, live_notify_fn notify, void *ctx,
	   struct recorder *rec, const char *rec_path, char *err, size_t errcap)
{
	struct live *lv = live_new(sc, VIEW_LIVE, loop, notify, ctx);
	struct proc_row self;
	char ignored[64];

	lv->rec = rec;
	if (rec && rec_path)
		str_copy(lv->path, rec_path, sizeof lv->path);
	if (proctab_read(lv->self, &self) == 0)
		lv->self_tty = self.tty_nr;
	trace_tee_add(&lv->tee, rec ? recorder_sink : NULL, rec);
	trace_tee_add(&lv->tee, sampler_note, &lv->smp);
	trace_tee_add(&lv->tee, note, lv);
	lv->run = run_start(&lv->sc, loop, trace_tee_sink, &lv->tee, err, errcap);
	if (lv->run == NULL)
		goto fail;
	sampler_init(&lv->smp, loop, lv->run, lv->m);
	actions_init(&lv->act, lv->run, lv->m, loop, &lv->smp, 0);
	lv->have_act = 1;
	sampler_watch_queues(&lv->smp);
	update_guard(lv);
	lv->rate_t = now_ns();
	scan(lv);
	lv->tick_timer = loop_timer(loop, now_ns() + TICK_NS, tick, lv);
	lv->full = 1;
	notify(ctx);
	return lv;
fail:
	recorder_close(rec, ignored, sizeof ignored);
	live_free(lv);
	return NULL;
}

/* Open a recording and start playing it through the same panels. */
struct live *
live_replay(const char *path, struct loop *loop, live_notify_fn notify, void *ctx, char *err, size_t errcap)
{
	struct scenario sc;
	struct live *lv;
	struct player *pl = player_open(path, loop, NULL, NULL, err, errcap);

	if (pl == NULL)
		return NULL;
	player_scenario(pl, &sc);
	player_close(pl);
	lv = live_new(&sc, VIEW_REPLAY, loop, notify, ctx);
	str_copy(lv->path, path, sizeof lv->path);
	trace_tee_add(&lv->tee, note, lv);
	lv->pl = player_open(path, loop, trace_tee_sink, &lv->tee, err, errcap);
	if (lv->pl == NULL) {
		live_free(lv);
		return NULL;
	}
	player_start(lv->pl);
	lv->tick_timer = loop_timer(loop, now_ns() + TICK_NS, tick, lv);
	lv->full = 1;
	notify(ctx);
	return lv;
}

/* Stop the run (or the replay) cleanly, close the recording, free everything. */
int
live_stop(struct live *lv, char *err, size_t errcap)
{
	int ret = 0;

	if (lv == NULL)
		return 0;
	lv->stopping = 1;
	if (lv->have_act) {
		sampler_done(&lv->smp);
		actions_done(&lv->act);
	}
	if (lv->run) {
		run_stop(lv->run);
		if (lv->rec) /* the verdict, last in the recording, as the headless runner writes it */
			run_emit_end(lv->run, 0, 0);
	}
	/* After run_stop: its last records may have asked for a scan. */
	if (lv->tick_timer)
		loop_timer_cancel(lv->loop, lv->tick_timer);
	if (lv->scan_timer)
		loop_timer_cancel(lv->loop, lv->scan_timer);
	/* No producer is left when the recorder (a consumer of the tee) closes. */
	run_free(lv->run);
	lv->run = NULL;
	player_close(lv->pl);
	lv->pl = NULL;
	if (lv->rec && recorder_close(lv->rec, err, errcap) < 0)
		ret = -1;
	lv->rec = NULL;
	if (lv->mode == VIEW_LIVE)
		crt_guard(0, NULL, 0);
	live_free(lv);
	return ret;
}

/* The scenario on screen (recorded or running). */
const struct scenario *
live_scenario(const struct live *lv)
{
	return &lv->sc;
}

/* A replay? */
int
live_is_replay(const struct live *lv)
{
	return lv->mode == VIEW_REPLAY;
}

/* Reap what exited. */
void
live_sigchld(struct live *lv)
{
	if (lv->run)
		run_reap(lv->run);
	else
		reap_each(0, NULL, NULL);
}

/* Forget the panels' heights: the layout starts afresh. */
void
live_resize(struct live *lv)
{
	deck_resize(&lv->d);
	lv->full = 1;
}

/* The kernel's view in place of the epoll instances, or back; read it at once. */
static void
kernel_toggle(struct live *lv)
{
	lv->kernel = !lv->kernel;
	if (lv->d.zoom == P_EPOLL || lv->d.zoom == P_KERN)
		lv->d.zoom = lv->kernel ? P_KERN : P_EPOLL;
	if (lv->d.focus == P_EPOLL || lv->d.focus == P_KERN)
		lv->d.focus = lv->kernel ? P_KERN : P_EPOLL;
	lv->d.panels[P_KERN].hwm = 0;
	lv->d.panels[P_EPOLL].hwm = 0;
	if (lv->kernel && lv->mode == VIEW_LIVE && !lv->paused)
		sampler_kernel(&lv->smp);
}

/* A key that starts an action of the table (src/action.c).  Returns 1 if key was one (applying or not). */
static int
action_key(struct live *lv, int key)
{
	struct keys_ctx kc = { KM_LIVE, &lv->sc, lv->m };
	int id = action_of_key(key);

	if (id < 0)
		return 0;
	if (keys_action_on(id, &kc))
		actions_key(&lv->act, id);
	return 1;
}

/* Keys of the replay: pause, steps, speed.  Returns 1 if key was one of them. */
static int
replay_key(struct live *lv, int key)
{
	struct player_pos pos;

	switch (key) {
	case ' ':
	case 'p':
		player_position(lv->pl, &pos);
		player_pause(lv->pl, !pos.paused);
		return 1;
	case '.': player_step(lv->pl); return 1;
	case 'n': player_step_wait(lv->pl); return 1;
	case '+':
	case '=': player_speed_step(lv->pl, 1); return 1;
	case '-': player_speed_step(lv->pl, -1); return 1;
	case '>': player_fastest(lv->pl); return 1;
	}
	return 0;
}

/* A key of the running (or replayed) screen. */
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
		if (!deck_unzoom(&lv->d))
			return lv->mode == VIEW_REPLAY ? LIVE_QUIT : LIVE_PICKER;
		break;
	case '?': help_toggle(&lv->help); break;
	case 'k': kernel_toggle(lv); break;
	default:
		/* The kernel's view and the epoll instances share a place: a number shows its panel there. */
		if ((key == '1' + P_KERN && !lv->kernel) || (key == '1' + P_EPOLL && lv->kernel)) {
			kernel_toggle(lv);
			if (lv->d.zoom == key - '1')
				break; /* its twin was zoomed: this one is now, as the number asks */
		}
		if (lv->mode == VIEW_REPLAY && replay_key(lv, key))
			break;
		if (lv->mode == VIEW_LIVE && key == 'p') {
			lv->paused = !lv->paused;
			break;
		}
		if (lv->mode == VIEW_LIVE && action_key(lv, key)) {
			view = 0;
			break;
		}
		view = deck_key(&lv->d, key);
		break;
	}
	if (view)
		lv->full = 1;
	lv->notify(lv->ctx);
	return LIVE_NONE;
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

/* "x0.25", "x1", "fastest". */
static const char *
speed_text(double sp, char *buf, size_t cap)
{
	if (sp == PLAYER_FASTEST)
		snprintf(buf, cap, "fastest");
	else if (sp < 1)
		snprintf(buf, cap, "%s%g", crt_g(G_TIMES), sp);
	else
		snprintf(buf, cap, "%s%.0f", crt_g(G_TIMES), sp);
	return buf;
}

/* The replay's title bar: the clock of the recording and the position in the file. */
static void
replay_bar_text(struct live *lv, char *buf, size_t cap)
{
	struct player_pos pos;
	const char *sep = crt_g(G_VLINE);
	char n[32], off[32], size[32];

	player_position(lv->pl, &pos);
	snprintf(buf, cap, " epollviz %s replay of %s %s t %.3f s %s %s records %s byte %s of %s (%d%%)", sep,
		 lv->sc.name, sep, (double)pos.t_ns / 1e9, sep, fmt_count(pos.applied, n, sizeof n), sep,
		 fmt_count(pos.offset, off, sizeof off), fmt_count(pos.size, size, sizeof size),
		 pos.size ? (int)(pos.offset * 100 / pos.size) : 100);
}

/* The title bar's text; also used to tell whether it changed. */
static void
bar_text(struct live *lv, char *buf, size_t cap)
{
	const struct trace_reader *rd;
	char t[32], rate[32], n[32], port[48] = "";
	const char *sep = crt_g(G_VLINE);

	if (lv->mode == VIEW_REPLAY) {
		replay_bar_text(lv, buf, cap);
		return;
	}
	rd = run_reader(lv->run);
	clock_text((now_ns() - run_t0(lv->run)) / 1000000000ull, t, sizeof t);
	if (lv->m->nlistens > 0)
		snprintf(port, sizeof port, " %s 127.0.0.1:%d", sep, lv->m->listens[0].port);
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

/* The right-hand notice of a replay's bar: playing, paused or at the end, and the speed. */
static void
replay_right(struct live *lv, char *buf, size_t cap, int *style)
{
	struct player_pos pos;
	char sp[32];

	player_position(lv->pl, &pos);
	speed_text(player_speed(lv->pl), sp, sizeof sp);
	*style = CS_SHARED;
	if (pos.ended && pos.error[0]) {
		*style = CS_ERR;
		snprintf(buf, cap, " ENDS EARLY ");
	} else if (pos.ended) {
		snprintf(buf, cap, " END ");
	} else if (pos.paused) {
		snprintf(buf, cap, " PAUSED %s ", sp);
	} else {
		*style = CS_FG;
		snprintf(buf, cap, " %s %s ", crt_g(G_FG), sp);
	}
}

/* Draw the title bar and its right-hand notice. */
static void
render_bar(struct live *lv)
{
	char right[PATH_MAX + 64], base[PATH_MAX];
	int x, rw, style = CS_SHARED;

	bar_text(lv, lv->bar, sizeof lv->bar);
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', COLS);
	attrset(A_NORMAL);
	x = draw_text(0, 0, COLS, CS_BAR, lv->bar);
	right[0] = '\0';
	if (lv->notice[0]) {
		snprintf(right, sizeof right, " %s ", lv->notice);
	} else if (lv->mode == VIEW_REPLAY) {
		replay_right(lv, right, sizeof right, &style);
	} else if (lv->fatal[0]) {
		snprintf(right, sizeof right, " %s ", lv->fatal);
		style = CS_ERR;
	} else if (lv->paused) {
		snprintf(right, sizeof right, " PAUSED (p resumes) ");
	} else if (run_finished(lv->run)) {
		snprintf(right, sizeof right, " the session has ended ");
	} else if (run_reader(lv->run)->lost + run_reader(lv->run)->malformed > 0) {
		snprintf(right, sizeof right, " RECORDS LOST ");
		style = CS_ERR;
	} else if (lv->rec) {
		const char *slash = strrchr(lv->path, '/');

		str_copy(base, slash ? slash + 1 : lv->path, sizeof base);
		snprintf(right, sizeof right, " %s REC %s ", crt_g(G_WON), base);
		style = CS_ERR;
	}
	rw = text_cols(right);
	if (rw > 0) {
		int at = COLS - rw > x + 1 ? COLS - rw : x + 1;

		draw_text(0, at, COLS - at, style, right);
	}
}

/* What the panels may look at, now. */
static void
build_view(struct live *lv, struct view *v)
{
	memset(v, 0, sizeof *v);
	v->mode = lv->mode;
	v->m = lv->m;
	v->sc = &lv->sc;
	v->ks = lv->have_act && lv->smp.ks.have ? &lv->smp.ks : NULL;
	if (lv->mode == VIEW_REPLAY) {
		struct player_pos pos;

		player_position(lv->pl, &pos);
		v->now = pos.clock;
		v->session = (pid_t)lv->m->session_pid;
		return;
	}
	v->rows = lv->rows;
	v->nrows = lv->nrows;
	v->session = run_session_pid(lv->run);
	v->self = lv->self;
	v->now = now_ns();
	v->writer_held = lv->act.writer_fd >= 0;
	v->clients_held = actions_clients_held(&lv->act);
}

/* The message row of a replay whose file ends early (0 rows when it does not). */
static int
replay_error_rows(struct live *lv)
{
	struct player_pos pos;

	if (lv->mode != VIEW_REPLAY)
		return 0;
	player_position(lv->pl, &pos);
	return pos.error[0] ? 1 : 0;
}

/* Draw the replay's error line: what could be read is on the screen, and where the file breaks. */
static void
render_replay_error(struct live *lv, int y)
{
	struct player_pos pos;
	char buf[PATH_MAX + 400];

	player_position(lv->pl, &pos);
	/* The error names the file first: its name is enough here. */
	if (strncmp(pos.error, lv->path, strlen(lv->path)) == 0 && strrchr(lv->path, '/'))
		snprintf(buf, sizeof buf, " %s ", pos.error + (strrchr(lv->path, '/') + 1 - lv->path));
	else
		snprintf(buf, sizeof buf, " %s ", pos.error);
	attrset(crt_attr(CS_ERR));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(y, 0, COLS, CS_ERR, buf);
}

/* Draw a frame: panels (unless paused), bars, help. */
void
live_render(struct live *lv)
{
	struct view v;
	int km = lv->mode == VIEW_REPLAY ? KM_REPLAY : KM_LIVE;
	/* Two key rows when the terminal is tall enough and one would drop keys. */
	struct keys_ctx kc = { km, &lv->sc, lv->m };
	int krows = keys_rows(COLS, LINES >= 30 ? 2 : 1, &kc);
	int erows = replay_error_rows(lv);
	struct rect area = { 1, 0, LINES - 1 - krows - erows, COLS };
	int placed[P__COUNT];
	char hidden[64];

	memcpy(placed, lv->d.applies, sizeof placed);
	placed[lv->kernel ? P_EPOLL : P_KERN] = 0;
	if (!lv->paused || lv->full) {
		if (lv->mode == VIEW_LIVE && lv->scan_wanted && now_ns() - lv->last_scan >= SCAN_MIN_NS)
			scan(lv);
		build_view(lv, &v);
		erase();
		deck_render(&lv->d, placed, area, &v);
		lv->full = 0;
	}
	render_bar(lv);
	if (erows)
		render_replay_error(lv, LINES - krows - erows);
	hidden[0] = '\0';
	if (lv->d.lo.nhidden > 0 && lv->d.zoom < 0) {
		int len = snprintf(hidden, sizeof hidden, " hidden:");

		for (int i = 0; i < lv->d.lo.nhidden && len < (int)sizeof hidden - 4; i++)
			len += snprintf(hidden + len, sizeof hidden - (size_t)len, " %d", lv->d.lo.hidden[i] + 1);
		snprintf(hidden + len, sizeof hidden - (size_t)len, " ");
	}
	keys_render(LINES - krows, COLS - text_cols(hidden), krows, &kc);
	if (hidden[0])
		draw_text(LINES - 1, COLS - text_cols(hidden), text_cols(hidden), CS_WARN, hidden);
	if (lv->help.open) {
		struct help_ctx hc = { kc, lv->d.applies };

		help_render(&lv->help, LINES, COLS, &hc);
	}
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

uint64_t
live_records(const struct live *lv)
{
	return lv->m->records;
}
