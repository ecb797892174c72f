/*
 * contestview.c - `epollviz contest` on the screen (see contestview.h): the
 * table of strategies, filled in as each one finishes, with a live row for
 * the one that runs; the chosen row's details below; Enter plays that
 * strategy's recording on the normal panels (replayview), q comes back.
 * The recordings live in a temporary directory of the contest's own,
 * removed when the screen stops.
 */
#include "contestview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/contest.h"
#include "../src/loop.h"
#include "../src/util.h"
#include "crt.h"
#include "draw.h"
#include "help.h"
#include "keys.h"
#include "panel.h"
#include "replayview.h"

#define KEY_ESC 27
#define KEY_CTRL_C 3
#define BAR_WIDE 20   /* the share bar's columns from WIDE_COLS on */
#define BAR_NARROW 16 /* and below */
#define WIDE_COLS 100
#define BAR_W (COLS >= WIDE_COLS ? BAR_WIDE : BAR_NARROW)

struct contestview {
	struct loop *loop;
	screen_notify_fn notify;
	void *ctx;
	struct contest_opts o;
	struct contest *c;
	char dir[PATH_MAX]; /* the recordings' temporary directory */
	struct contest_result live; /* the running strategy's counts so far */
	int have_live;
	uint64_t live_ns;
	int sel;            /* the chosen row (index in o.strategies) */
	struct screen sub;  /* a strategy's replay, or ops NULL */
	struct help help;
	char msg[PATH_MAX + 256];
};

/* What each strategy shows, in one line. */
static const char *const teaches[ACCEPT__COUNT] = {
	[ACCEPT_SEMAPHORE] = "every worker is woken for a connection (the herd); sem_trywait lets one accept",
	[ACCEPT_NONE] = "every worker is woken and calls accept; the losers get EAGAIN",
	[ACCEPT_EXCLUSIVE] = "EPOLLEXCLUSIVE: the kernel wakes one waiting worker, the first that ADDed the "
			     "socket: it takes nearly all while it keeps up",
	[ACCEPT_REUSEPORT] = "a queue per worker, connections hashed by address: even, but a stalled "
			     "worker's queue waits for it",
	[ACCEPT_SHARED_EPOLL] = "one epoll instance for all: its waiters queue LIFO, the last to call epoll_wait "
				"is woken first; a client's event can reach a worker that does not own it",
	[ACCEPT_MUTEX] = "nginx's accept_mutex: only the holder watches the socket; losers look every "
			 "mutex_delay ms",
};

/* Style of worker i's part of a bar: colours apart, and glyphs apart where there are no colours. */
static int
worker_style(int i)
{
	static const int styles[] = { CS_OK, CS_WARN, CS_LISTEN, CS_KERNEL, CS_USER, CS_SHARED, CS_FG, CS_YOU };

	return styles[i % (int)ARRAY_LEN(styles)];
}

/* The contest's news: a frame is due. */
static void
on_event(void *arg, int ev, const struct contest_result *r, uint64_t elapsed_ns)
{
	struct contestview *cv = arg;

	if (ev == CONTEST_PROGRESS) {
		cv->live = *r;
		cv->have_live = 1;
		cv->live_ns = elapsed_ns;
	} else {
		cv->have_live = 0;
	}
	cv->notify(cv->ctx);
}

/* Make the recordings' directory and start the contest on loop. */
struct contestview *
contestview_start(const struct contest_opts *o, struct loop *loop, screen_notify_fn notify, void *ctx, char *err,
		  size_t errcap)
{
	struct contestview *cv = xcalloc(1, sizeof *cv);
	const char *tmp = getenv("TMPDIR");

	cv->loop = loop;
	cv->notify = notify;
	cv->ctx = ctx;
	cv->o = *o;
	snprintf(cv->dir, sizeof cv->dir, "%s/epollviz-contest.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(cv->dir) == NULL) {
		snprintf(err, errcap, "cannot make a directory for the recordings (%s): %s", cv->dir, strerror(errno));
		free(cv);
		return NULL;
	}
	str_copy(cv->o.record_dir, cv->dir, sizeof cv->o.record_dir);
	cv->c = contest_new(&cv->o, loop, on_event, cv);
	return cv;
}

/* Close a replay that is open. */
static void
sub_close(struct contestview *cv)
{
	char err[256];

	if (cv->sub.ops == NULL)
		return;
	cv->sub.ops->stop(cv->sub.s, err, sizeof err);
	cv->sub.ops = NULL;
	cv->sub.s = NULL;
}

/* End the contest (bounded, nothing left behind), remove the recordings and their directory. */
static int
contestview_stop(void *arg, char *err, size_t errcap)
{
	struct contestview *cv = arg;

	(void)err;
	(void)errcap;
	if (cv == NULL)
		return 0;
	sub_close(cv);
	contest_free(cv->c); /* the recordings are closed after this */
	for (int i = 0; i < ACCEPT__COUNT; i++) {
		char path[PATH_MAX + 32];

		snprintf(path, sizeof path, "%s/%s.rec", cv->dir, job_accept_name(i));
		unlink(path);
	}
	rmdir(cv->dir);
	help_free(&cv->help);
	free(cv);
	return 0;
}

/* The finished result of row i, or NULL. */
static const struct contest_result *
row_result(const struct contestview *cv, int i)
{
	int n;
	const struct contest_result *rs = contest_results(cv->c, &n);

	return i < n ? &rs[i] : NULL;
}

/* Play row sel's recording. */
static void
open_replay(struct contestview *cv)
{
	const struct contest_result *r = row_result(cv, cv->sel);
	char err[PATH_MAX + 256];

	cv->msg[0] = '\0';
	if (r == NULL || !r->recording[0]) {
		snprintf(cv->msg, sizeof cv->msg, "%s has not finished yet: its recording is not complete",
			 job_accept_name(cv->o.strategies[cv->sel]));
		return;
	}
	cv->sub.s = replayview_start(r->recording, cv->loop, cv->notify, cv->ctx, err, sizeof err);
	cv->sub.ops = cv->sub.s ? &replayview_ops : NULL;
	if (cv->sub.s == NULL)
		snprintf(cv->msg, sizeof cv->msg, "%s", err);
}

/* A key: to the replay when one is open, else choose, replay, help or quit. */
static int
contestview_key(void *arg, int key)
{
	struct contestview *cv = arg;

	if (cv->sub.ops) {
		switch (cv->sub.ops->key(cv->sub.s, key)) {
		case SCREEN_QUIT:
		case SCREEN_PICKER: sub_close(cv); break;
		case SCREEN_RESTART:
			sub_close(cv);
			open_replay(cv);
			break;
		}
		return SCREEN_NONE;
	}
	if (cv->help.open) {
		help_key(&cv->help, key);
		return SCREEN_NONE;
	}
	switch (key) {
	case 'q':
	case KEY_ESC:
	case KEY_CTRL_C: return SCREEN_QUIT;
	case '?': help_toggle(&cv->help); break;
	case KEY_UP:
	case 'k':
		if (cv->sel > 0)
			cv->sel--;
		break;
	case KEY_DOWN:
	case 'j':
		if (cv->sel + 1 < cv->o.nstrategies)
			cv->sel++;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER: open_replay(cv); break;
	}
	return SCREEN_NONE;
}

/* The terminal changed size: an open replay lays out again (the table is drawn afresh anyway). */
static void
contestview_resize(void *arg)
{
	struct contestview *cv = arg;

	if (cv->sub.ops)
		cv->sub.ops->resize(cv->sub.s);
}

/* SIGCHLD: the contest reaps its run's children. */
static void
contestview_sigchld(void *arg)
{
	struct contestview *cv = arg;

	contest_reap(cv->c);
}

/* Records applied: the open replay's, else every finished strategy's. */
static uint64_t
contestview_records(const void *arg)
{
	const struct contestview *cv = arg;
	const struct contest_result *rs;
	uint64_t n = 0;
	int k;

	if (cv->sub.ops)
		return cv->sub.ops->records(cv->sub.s);
	rs = contest_results(cv->c, &k);
	for (int i = 0; i < k; i++)
		n += rs[i].records;
	return n;
}

/* No scenario of its own (the picker is not behind it). */
static const struct scenario *
contestview_scenario(const void *arg)
{
	(void)arg;
	return NULL;
}

/* The title bar: how far the contest is, then the load. */
static void
render_bar(const struct contestview *cv)
{
	char buf[400];
	const char *sep = crt_g(G_VLINE);
	int n;

	contest_results(cv->c, &n);
	snprintf(buf, sizeof buf, " epollviz %s accept contest %s %d of %d done %s %d workers %s %d/s for %.1f s, %s%s%s",
		 sep, sep, n, cv->o.nstrategies, sep, cv->o.workers, sep, cv->o.load.rate,
		 cv->o.load.duration_ms / 1000.0, cv->o.load.keepalive ? "keep-alive" : "short",
		 cv->o.work_us ? ", work" : "", cv->o.stall_ms ? ", a stall" : "");
	attrset(crt_attr(CS_BAR));
	mvhline(0, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(0, 0, COLS, CS_BAR, buf);
}

/* Text over as many rows as it needs (from y, at most up to last), broken between words; the next row. */
static int
draw_wrapped(int y, int last, int x, int style, const char *s)
{
	int w = COLS - x - 1;

	while (*s && y <= last) {
		int len = (int)strlen(s), cut = len;

		if (lines_cols(s) > w) {
			cut = 0;
			for (int i = 0; s[i] && lines_cols_n(s, i) <= w; i++)
				if (s[i] == ' ')
					cut = i;
			if (cut == 0)
				cut = w;
		}
		{
			char line[512];

			snprintf(line, sizeof line, "%.*s", cut, s);
			draw_text(y++, x, w, style, line);
		}
		s += cut;
		while (*s == ' ')
			s++;
	}
	return y;
}

/* Worker shares of the accepted connections as one bar of BAR_W columns. */
static void
render_shares(int y, int x, const struct contest_result *r)
{
	int used = 0;

	for (int i = 0; i < r->nw && r->accepted > 0; i++) {
		int cells = (int)((double)r->w[i].accepted * BAR_W / (double)r->accepted + 0.5);

		if (i == r->nw - 1 || used + cells > BAR_W)
			cells = BAR_W - used;
		attrset(crt_attr(worker_style(i)));
		for (int k = 0; k < cells; k++)
			mvaddstr(y, x + used + k, crt_g(i % 2 ? G_BAR_EMPTY : G_BAR_FULL));
		used += cells;
	}
	attrset(crt_attr(CS_DIM));
	for (; used < BAR_W; used++)
		mvaddstr(y, x + used, crt_g(G_DOT));
	attrset(A_NORMAL);
}

/* The column headers. */
static void
render_head(const struct contestview *cv, int y)
{
	char buf[200];

	snprintf(buf, sizeof buf, "  %-12s %-*s %6s %6s %6s %6s %5s %5s %8s", "strategy", BAR_W,
		 COLS >= WIDE_COLS ? "accepted per worker" : "per worker",
		 "fair", cv->o.load.keepalive ? "wake/r" : "wake/c", "empty", "EAGAIN", "lost", "queue", "p99 ms");
	draw_text(y, 0, COLS, CS_HEAD, buf);
}

/* One strategy's row: finished, running, or still to come. */
static void
render_row(const struct contestview *cv, int y, int i)
{
	const struct contest_result *r = row_result(cv, i);
	int strategy = cv->o.strategies[i];
	int sel = i == cv->sel;
	char buf[200];
	int64_t peak = 0;

	snprintf(buf, sizeof buf, "%s %-12s", sel ? crt_g(G_ARROW_R) : " ", job_accept_name(strategy));
	draw_text(y, 0, 15, sel ? CS_FOCUS : CS_NORMAL, buf);
	if (r == NULL && contest_running(cv->c) == strategy) {
		if (cv->have_live) {
			render_shares(y, 15, &cv->live);
			snprintf(buf, sizeof buf, " running %.1f s: %llu of %llu answered, %llu accepted",
				 cv->live_ns / 1e9, (unsigned long long)cv->live.load.answered,
				 (unsigned long long)cv->live.load.due, (unsigned long long)cv->live.accepted);
		} else {
			snprintf(buf, sizeof buf, " starting...");
		}
		draw_text(y, 15 + (cv->have_live ? BAR_W : 0), COLS - 15 - (cv->have_live ? BAR_W : 0), CS_WARN, buf);
		return;
	}
	if (r == NULL) {
		draw_text(y, 15, COLS - 15, CS_DIM, "to come");
		return;
	}
	if (r->error[0] && r->accepted == 0) {
		draw_text(y, 15, COLS - 15, CS_ERR, r->error);
		return;
	}
	render_shares(y, 15, r);
	for (int k = 0; k < r->nq; k++)
		peak = r->q[k].peak > peak ? r->q[k].peak : peak;
	snprintf(buf, sizeof buf, " %6.3f %6.2f %6llu %6llu %5llu %5lld %8.2f", r->fairness,
		 r->keepalive ? r->wakeups_per_req : r->wakeups_per_conn,
		 (unsigned long long)r->empty, (unsigned long long)r->eagain, (unsigned long long)r->lock_lost,
		 (long long)peak, (double)r->load.lat_p99_ns / 1e6);
	draw_text(y, 15 + BAR_W, COLS - 15 - BAR_W, r->clean ? CS_NORMAL : CS_ERR, buf);
}

/* The chosen strategy in detail: what it shows, each worker, latency, queues, records. */
static int
render_detail(const struct contestview *cv, int y, int last)
{
	int strategy = cv->o.strategies[cv->sel];
	const struct contest_result *r = row_result(cv, cv->sel);
	char buf[600], name[16];

	if (y > last)
		return y;
	snprintf(buf, sizeof buf, "%s: %s", job_accept_name(strategy), teaches[strategy]);
	y = draw_wrapped(y, last, 1, CS_TITLE, buf);
	if (r == NULL) {
		if (y <= last)
			draw_text(y++, 1, COLS - 2, CS_DIM, "its numbers come when it has run");
		return y;
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, "  %-7s %-8s %8s %6s %8s %6s %6s %5s %7s", "worker", "pid", "accepted", "share",
			 "wake-ups", "empty", "EAGAIN", "lost", "replies");
		draw_text(y++, 0, COLS, CS_HEAD, buf);
	}
	for (int i = 0; i < r->nw && y <= last; i++) {
		const struct contest_worker *w = &r->w[i];

		snprintf(name, sizeof name, "w%d", w->index);
		snprintf(buf, sizeof buf, "  %-7s %-8u %8llu %5.1f%% %8llu %6llu %6llu %5llu %7llu", name, w->pid,
			 (unsigned long long)w->accepted,
			 r->accepted ? 100.0 * (double)w->accepted / (double)r->accepted : 0.0,
			 (unsigned long long)w->wakeups, (unsigned long long)w->empty, (unsigned long long)w->eagain,
			 (unsigned long long)w->lock_lost, (unsigned long long)w->replies);
		draw_text(y, 0, COLS, CS_NORMAL, buf);
		attrset(crt_attr(worker_style(i)));
		mvaddstr(y, 1, crt_g(i % 2 ? G_BAR_EMPTY : G_BAR_FULL));
		attrset(A_NORMAL);
		y++;
	}
	if (y <= last && (r->lock_won || r->lock_lost)) {
		int n = snprintf(buf, sizeof buf, "  lock: taken %llu, lost %llu (%.2f tries per connection)",
				 (unsigned long long)r->lock_won, (unsigned long long)r->lock_lost,
				 r->accepted ? (double)(r->lock_won + r->lock_lost) / (double)r->accepted : 0.0);

		if (strategy == ACCEPT_MUTEX && n > 0 && (size_t)n < sizeof buf)
			snprintf(buf + n, sizeof buf - (size_t)n, "; listener ADD/DEL %llu", (unsigned long long)r->moves);
		draw_text(y++, 0, COLS, CS_NORMAL, buf);
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, "  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms", (double)r->load.lat_p50_ns / 1e6,
			 (double)r->load.lat_p99_ns / 1e6, (double)r->load.lat_max_ns / 1e6);
		draw_text(y++, 0, COLS, CS_NORMAL, buf);
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, "  clients: %llu due, %llu answered, %llu failed, %llu timed out, %llu skipped",
			 (unsigned long long)r->load.due, (unsigned long long)r->load.answered,
			 (unsigned long long)r->load.failed, (unsigned long long)r->load.timed_out,
			 (unsigned long long)r->load.skipped);
		draw_text(y++, 0, COLS, r->load.failed + r->load.timed_out ? CS_WARN : CS_NORMAL, buf);
	}
	if (y <= last) {
		size_t len = (size_t)snprintf(buf, sizeof buf, "  accept queue at its fullest:");

		for (int k = 0; k < r->nq && len < sizeof buf; k++)
			len += (size_t)snprintf(buf + len, sizeof buf - len, " %lld of %d (port %d%s)",
						(long long)r->q[k].peak, r->q[k].backlog + 1, r->q[k].port,
						r->nq > 1 ? ", one socket" : "");
		if (r->nq == 0 && len < sizeof buf)
			snprintf(buf + len, sizeof buf - len, " never seen above 0");
		draw_text(y++, 0, COLS, CS_NORMAL, buf);
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, "  %llu records, %llu lost %s %s%s%s", (unsigned long long)r->records,
			 (unsigned long long)r->lost, crt_g(G_VLINE),
			 r->clean ? "clean: every process ended by itself, nothing left" : "NOT clean",
			 r->error[0] ? ": " : "", r->error);
		draw_text(y++, 0, COLS, r->clean ? CS_DIM : CS_ERR, buf);
	}
	return y;
}

/* A frame: the open replay, or the bar, the table, the chosen row's details and the keys. */
static void
contestview_render(void *arg)
{
	struct contestview *cv = arg;
	struct keys_ctx kc = { KM_CONTEST, NULL, NULL, NULL, 0 };
	int krows, y = 2, last;

	if (cv->sub.ops) {
		cv->sub.ops->render(cv->sub.s);
		return;
	}
	krows = keys_rows(COLS, 1, &kc);
	last = LINES - 1 - krows - (cv->msg[0] ? 1 : 0);
	erase();
	render_bar(cv);
	render_head(cv, 1);
	for (int i = 0; i < cv->o.nstrategies && y <= last; i++, y++)
		render_row(cv, y, i);
	if (y < last) {
		draw_hline(y++, 0, COLS, CS_DIM);
		render_detail(cv, y, last);
	}
	if (cv->msg[0])
		draw_text(LINES - 1 - krows, 1, COLS - 2, CS_WARN, cv->msg);
	keys_render(LINES - krows, COLS, krows, &kc);
	if (cv->help.open) {
		static const int none[P__COUNT];
		struct help_ctx hc = { kc, none };

		help_render(&cv->help, LINES, COLS, &hc);
	}
}

const struct screen_ops contestview_ops = {
	.render = contestview_render,
	.key = contestview_key,
	.resize = contestview_resize,
	.sigchld = contestview_sigchld,
	.records = contestview_records,
	.scenario = contestview_scenario,
	.stop = contestview_stop,
};
