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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/contest.h"
#include "../src/i18n.h"
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
#define BAR_MIN 8     /* narrower when the columns need the room, down to this */
#define WIDE_COLS 100
#define BAR_W (COLS >= WIDE_COLS ? BAR_WIDE : BAR_NARROW)
#define NAME_W 12     /* the strategy's column, at least */

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

/* What each strategy shows, in one line (wrapped on the screen). */
static const char *const teaches[ACCEPT__COUNT] = {
	/* TRANSLATORS: what the contest's strategy "semaphore" shows; shown after "semaphore: ", wrapped. */
	[ACCEPT_SEMAPHORE] = N_("every worker is woken for a connection (the herd); sem_trywait lets one accept"),
	/* TRANSLATORS: what the contest's strategy "none" shows; shown after "none: ", wrapped. */
	[ACCEPT_NONE] = N_("every worker is woken and calls accept; the losers get EAGAIN"),
	/* TRANSLATORS: what the contest's strategy "exclusive" shows; ADDed: epoll_ctl(EPOLL_CTL_ADD). */
	[ACCEPT_EXCLUSIVE] = N_("EPOLLEXCLUSIVE: the kernel wakes one waiting worker, the first that ADDed the "
				"socket: it takes nearly all while it keeps up"),
	/* TRANSLATORS: what the contest's strategy "reuseport" (SO_REUSEPORT) shows. */
	[ACCEPT_REUSEPORT] = N_("a queue per worker, connections hashed by address: even, but a stalled "
				"worker's queue waits for it"),
	/* TRANSLATORS: what the contest's strategy "shared-epoll" shows. */
	[ACCEPT_SHARED_EPOLL] = N_("one epoll instance for all: its waiters queue LIFO, the last to call epoll_wait "
				   "is woken first; a client's event can reach a worker that does not own it"),
	/* TRANSLATORS: what the contest's strategy "mutex" (nginx's accept_mutex) shows; mutex_delay is an option name. */
	[ACCEPT_MUTEX] = N_("nginx's accept_mutex: only the holder watches the socket; losers look every "
			    "mutex_delay ms"),
};

/* A column of a table: its header, the width of its values, right-aligned. */
struct col {
	const char *head; /* translated */
	int w, right;
};

/* The columns' widths: the wider of the values' and the header's display columns; their sum with a space each. */
static int
col_widths(const struct col *c, int n, int *w)
{
	int sum = 0;

	for (int i = 0; i < n; i++) {
		int h = lines_cols(c[i].head);

		w[i] = h > c[i].w ? h : c[i].w;
		sum += 1 + w[i];
	}
	return sum;
}

/* Append formatted text to the string in buf (cap bytes in all). */
static void __attribute__((format(printf, 3, 4)))
buf_add(char *buf, size_t cap, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
}

/* Append s to the string in buf padded to w display columns (left- or right-aligned), cut to w if wider. */
static void
buf_field(char *buf, size_t cap, const char *s, int w, int right)
{
	int b = lines_bytes_for_cols(s, (int)strlen(s), w), pad = w - lines_cols_n(s, b);

	if (right)
		buf_add(buf, cap, "%*s", pad, "");
	buf_add(buf, cap, "%.*s", b, s);
	if (!right)
		buf_add(buf, cap, "%*s", pad, "");
}

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
		snprintf(err, errcap, _("cannot make a directory for the recordings (%s): %s"), cv->dir, strerror(errno));
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
		snprintf(cv->msg, sizeof cv->msg, _("%s has not finished yet: its recording is not complete"),
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
	char buf[600] = "";
	const char *sep = crt_g(G_VLINE);
	int n;

	contest_results(cv->c, &n);
	buf_add(buf, sizeof buf, " epollviz %s ", sep);
	/* TRANSLATORS: the contest screen's title bar: " epollviz | accept contest | 2 of 6 done | 4 workers | 1000/s for 3.0 s, short"; keep it short. */
	buf_add(buf, sizeof buf, "%s %s ", _("accept contest"), sep);
	/* TRANSLATORS: the title bar: strategies finished of all. */
	buf_add(buf, sizeof buf, _("%d of %d done"), n, cv->o.nstrategies);
	buf_add(buf, sizeof buf, " %s ", sep);
	buf_add(buf, sizeof buf, P_("%d worker", "%d workers", cv->o.workers), cv->o.workers);
	buf_add(buf, sizeof buf, " %s ", sep);
	/* TRANSLATORS: the title bar: the load, requests per second for how many seconds. */
	buf_add(buf, sizeof buf, _("%d/s for %.1f s"), cv->o.load.rate, cv->o.load.duration_ms / 1000.0);
	/* TRANSLATORS: the title bar, after the load: persistent connections, or one short connection per request. */
	buf_add(buf, sizeof buf, ", %s", cv->o.load.keepalive ? _("keep-alive") : _("short"));
	if (cv->o.work_us)
		/* TRANSLATORS: the title bar, after the load: the workers do some work per request (--work-us). */
		buf_add(buf, sizeof buf, "%s", _(", work"));
	if (cv->o.stall_ms)
		/* TRANSLATORS: the title bar, after the load: a worker stalls now and then (--stall). */
		buf_add(buf, sizeof buf, "%s", _(", a stall"));
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

	if (w < 1)
		return y;
	while (*s && y <= last) {
		int len = (int)strlen(s), cut = len;

		if (lines_cols(s) > w) {
			cut = 0;
			for (int i = 0; s[i] && lines_cols_n(s, i) <= w; i++)
				if (s[i] == ' ')
					cut = i;
			if (cut == 0)
				cut = lines_bytes_for_cols(s, len, w); /* one long word: cut by columns, never inside a character */
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

/* Worker shares of the accepted connections as one bar of bar columns. */
static void
render_shares(int y, int x, int bar, const struct contest_result *r)
{
	int used = 0;

	for (int i = 0; i < r->nw && r->accepted > 0; i++) {
		int cells = (int)((double)r->w[i].accepted * bar / (double)r->accepted + 0.5);

		if (i == r->nw - 1 || used + cells > bar)
			cells = bar - used;
		attrset(crt_attr(worker_style(i)));
		for (int k = 0; k < cells; k++)
			mvaddstr(y, x + used + k, crt_g(i % 2 ? G_BAR_EMPTY : G_BAR_FULL));
		used += cells;
	}
	attrset(crt_attr(CS_DIM));
	for (; used < bar; used++)
		mvaddstr(y, x + used, crt_g(G_DOT));
	attrset(A_NORMAL);
}

/* The table's number columns, after the strategy and the bar. */
enum { TC_FAIR, TC_WAKE, TC_EMPTY, TC_EAGAIN, TC_LOST, TC_QUEUE, TC_P99, TC__COUNT };

/* The table's layout: the strategy's column, the bar's, the number columns (translated headers widen them). */
struct table {
	int name_w; /* the strategy's name; the bar starts at name_w + 3 (the arrow, a space, the name, a space) */
	int bar;
	int w[TC__COUNT];
	struct col c[TC__COUNT];
};

/* Lay the table out for COLS: the bar gives up columns the numbers' headers need, down to BAR_MIN. */
static void
table_layout(const struct contestview *cv, struct table *t)
{
	/* TRANSLATORS: the contest table's column headers; a column widens to fit its header and the bar gives up the room, keep them short (the values take 5 to 8 columns). */
	const struct col c[TC__COUNT] = {
		/* TRANSLATORS: a column header (6 columns): the fairness of the workers' shares, 1.000 = even. */
		[TC_FAIR] = { _("fair"), 6, 1 },
		/* TRANSLATORS: a column header: wake-ups per request (keep-alive) / per connection. */
		[TC_WAKE] = { cv->o.load.keepalive ? _("wake/r") : _("wake/c"), 6, 1 },
		/* TRANSLATORS: a column header: epoll_wait returns with the listening socket after which nothing was accepted. */
		[TC_EMPTY] = { _("empty"), 6, 1 },
		[TC_EAGAIN] = { "EAGAIN", 6, 1 },
		/* TRANSLATORS: a column header: tries to take the accept lock (semaphore, mutex) that failed. */
		[TC_LOST] = { _("lost"), 5, 1 },
		/* TRANSLATORS: a column header: the accept queue's fullest length. */
		[TC_QUEUE] = { _("queue"), 5, 1 },
		/* TRANSLATORS: a column header: the 99th percentile of the latency, in milliseconds. */
		[TC_P99] = { _("p99 ms"), 8, 1 },
	};
	int rest;

	memset(t, 0, sizeof *t);
	memcpy(t->c, c, sizeof c);
	rest = col_widths(t->c, TC__COUNT, t->w);
	t->name_w = lines_cols(_("strategy"));
	if (t->name_w < NAME_W)
		t->name_w = NAME_W;
	t->bar = COLS - (t->name_w + 3) - rest;
	t->bar = t->bar > BAR_W ? BAR_W : t->bar < BAR_MIN ? BAR_MIN : t->bar;
}

/* The column headers. */
static void
render_head(const struct table *t, int y)
{
	char buf[600] = "  ";
	/* TRANSLATORS: the header over the share bars (20 columns at most; else the short one below is shown). */
	const char *per = _("accepted per worker");

	buf_field(buf, sizeof buf, _("strategy"), t->name_w, 0);
	buf_add(buf, sizeof buf, " ");
	if (lines_cols(per) > t->bar)
		/* TRANSLATORS: the header over the share bars on a narrow screen (16 columns at most). */
		per = _("per worker");
	buf_field(buf, sizeof buf, per, t->bar, 0);
	for (int i = 0; i < TC__COUNT; i++) {
		buf_add(buf, sizeof buf, " ");
		buf_field(buf, sizeof buf, t->c[i].head, t->w[i], t->c[i].right);
	}
	draw_text(y, 0, COLS, CS_HEAD, buf);
}

/* One strategy's row: finished, running, or still to come. */
static void
render_row(const struct contestview *cv, const struct table *t, int y, int i)
{
	const struct contest_result *r = row_result(cv, i);
	int strategy = cv->o.strategies[i];
	int sel = i == cv->sel;
	int x0 = t->name_w + 3; /* the bar */
	char buf[300];
	int64_t peak = 0;

	snprintf(buf, sizeof buf, "%s %-*s", sel ? crt_g(G_ARROW_R) : " ", t->name_w, job_accept_name(strategy));
	draw_text(y, 0, x0, sel ? CS_FOCUS : CS_NORMAL, buf);
	if (r == NULL && contest_running(cv->c) == strategy) {
		if (cv->have_live) {
			render_shares(y, x0, t->bar, &cv->live);
			snprintf(buf, sizeof buf, _(" running %.1f s: %llu of %llu answered, %llu accepted"),
				 cv->live_ns / 1e9, (unsigned long long)cv->live.load.answered,
				 (unsigned long long)cv->live.load.due, (unsigned long long)cv->live.accepted);
		} else {
			snprintf(buf, sizeof buf, "%s", _(" starting..."));
		}
		draw_text(y, x0 + (cv->have_live ? t->bar : 0), COLS - x0 - (cv->have_live ? t->bar : 0), CS_WARN, buf);
		return;
	}
	if (r == NULL) {
		/* TRANSLATORS: a row of the contest table: the strategy has not run yet. */
		draw_text(y, x0, COLS - x0, CS_DIM, _("to come"));
		return;
	}
	if (r->error[0] && r->accepted == 0) {
		draw_text(y, x0, COLS - x0, CS_ERR, r->error);
		return;
	}
	render_shares(y, x0, t->bar, r);
	for (int k = 0; k < r->nq; k++)
		peak = r->q[k].peak > peak ? r->q[k].peak : peak;
	/* The values are ASCII: bytes are columns. */
	snprintf(buf, sizeof buf, " %*.3f %*.2f %*llu %*llu %*llu %*lld %*.2f", t->w[TC_FAIR], r->fairness,
		 t->w[TC_WAKE], r->keepalive ? r->wakeups_per_req : r->wakeups_per_conn,
		 t->w[TC_EMPTY], (unsigned long long)r->empty, t->w[TC_EAGAIN], (unsigned long long)r->eagain,
		 t->w[TC_LOST], (unsigned long long)r->lock_lost, t->w[TC_QUEUE], (long long)peak,
		 t->w[TC_P99], (double)r->load.lat_p99_ns / 1e6);
	draw_text(y, x0 + t->bar, COLS - x0 - t->bar, r->clean ? CS_NORMAL : CS_ERR, buf);
}

/* The columns of the chosen strategy's table of workers. */
enum { WC_WORKER, WC_PID, WC_ACCEPTED, WC_SHARE, WC_WAKEUPS, WC_EMPTY, WC_EAGAIN, WC_LOST, WC_REPLIES, WC__COUNT };

/* The chosen strategy in detail: what it shows, each worker, latency, queues, records. */
static int
render_detail(const struct contestview *cv, int y, int last)
{
	int strategy = cv->o.strategies[cv->sel];
	const struct contest_result *r = row_result(cv, cv->sel);
	char buf[600], name[16];
	/* TRANSLATORS: the headers of the chosen strategy's table of workers; a column widens to fit its header, keep them short. */
	const struct col c[WC__COUNT] = {
		/* TRANSLATORS: a column header: the worker (w0, w1...). */
		[WC_WORKER] = { _("worker"), 7, 0 },
		[WC_PID] = { "pid", 8, 0 },
		/* TRANSLATORS: a column header: connections the worker accepted. */
		[WC_ACCEPTED] = { _("accepted"), 8, 1 },
		/* TRANSLATORS: a column header: the worker's share of the connections, in per cent. */
		[WC_SHARE] = { _("share"), 6, 1 },
		/* TRANSLATORS: a column header: the worker's wake-ups (its voluntary context switches). */
		[WC_WAKEUPS] = { _("wake-ups"), 8, 1 },
		[WC_EMPTY] = { _("empty"), 6, 1 },
		[WC_EAGAIN] = { "EAGAIN", 6, 1 },
		[WC_LOST] = { _("lost"), 5, 1 },
		/* TRANSLATORS: a column header: replies the clients got from the worker. */
		[WC_REPLIES] = { _("replies"), 7, 1 },
	};
	int w[WC__COUNT];

	if (y > last)
		return y;
	snprintf(buf, sizeof buf, "%s: %s", job_accept_name(strategy), _(teaches[strategy]));
	y = draw_wrapped(y, last, 1, CS_TITLE, buf);
	if (r == NULL) {
		if (y <= last)
			draw_text(y++, 1, COLS - 2, CS_DIM, _("its numbers come when it has run"));
		return y;
	}
	col_widths(c, WC__COUNT, w);
	if (y <= last) {
		buf[0] = '\0';
		for (int i = 0; i < WC__COUNT; i++) {
			buf_add(buf, sizeof buf, i ? " " : "  ");
			buf_field(buf, sizeof buf, c[i].head, w[i], c[i].right);
		}
		draw_text(y++, 0, COLS, CS_HEAD, buf);
	}
	for (int i = 0; i < r->nw && y <= last; i++) {
		const struct contest_worker *wk = &r->w[i];

		snprintf(name, sizeof name, "w%d", wk->index);
		/* The values are ASCII: bytes are columns. */
		snprintf(buf, sizeof buf, "  %-*s %-*u %*llu %*.1f%% %*llu %*llu %*llu %*llu %*llu", w[WC_WORKER], name,
			 w[WC_PID], wk->pid, w[WC_ACCEPTED], (unsigned long long)wk->accepted, w[WC_SHARE] - 1,
			 r->accepted ? 100.0 * (double)wk->accepted / (double)r->accepted : 0.0, w[WC_WAKEUPS],
			 (unsigned long long)wk->wakeups, w[WC_EMPTY], (unsigned long long)wk->empty, w[WC_EAGAIN],
			 (unsigned long long)wk->eagain, w[WC_LOST], (unsigned long long)wk->lock_lost, w[WC_REPLIES],
			 (unsigned long long)wk->replies);
		draw_text(y, 0, COLS, CS_NORMAL, buf);
		attrset(crt_attr(worker_style(i)));
		mvaddstr(y, 1, crt_g(i % 2 ? G_BAR_EMPTY : G_BAR_FULL));
		attrset(A_NORMAL);
		y++;
	}
	if (y <= last && (r->lock_won || r->lock_lost)) {
		snprintf(buf, sizeof buf, _("  lock: taken %llu, lost %llu (%.2f tries per connection)"),
			 (unsigned long long)r->lock_won, (unsigned long long)r->lock_lost,
			 r->accepted ? (double)(r->lock_won + r->lock_lost) / (double)r->accepted : 0.0);
		if (strategy == ACCEPT_MUTEX)
			/* TRANSLATORS: after the lock line of accept = mutex: how often the listening socket was added to and removed from epoll. */
			buf_add(buf, sizeof buf, _("; listener ADD/DEL %llu"), (unsigned long long)r->moves);
		draw_text(y++, 0, COLS, CS_NORMAL, buf);
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, _("  latency p50 %.2f ms, p99 %.2f ms, max %.2f ms"), (double)r->load.lat_p50_ns / 1e6,
			 (double)r->load.lat_p99_ns / 1e6, (double)r->load.lat_max_ns / 1e6);
		draw_text(y++, 0, COLS, CS_NORMAL, buf);
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, _("  clients: %llu due, %llu answered, %llu failed, %llu timed out, %llu skipped"),
			 (unsigned long long)r->load.due, (unsigned long long)r->load.answered,
			 (unsigned long long)r->load.failed, (unsigned long long)r->load.timed_out,
			 (unsigned long long)r->load.skipped);
		draw_text(y++, 0, COLS, r->load.failed + r->load.timed_out ? CS_WARN : CS_NORMAL, buf);
	}
	if (y <= last) {
		/*
		 * TRANSLATORS: followed by each listening socket's fullest accept queue (" 3 of 129 (port 8080)");
		 * the room is backlog + 1: the kernel calls a queue full only when it holds more than the backlog.
		 */
		snprintf(buf, sizeof buf, "%s", _("  accept queue peak (room = backlog + 1):"));
		for (int k = 0; k < r->nq; k++) {
			if (r->nq > 1)
				/* TRANSLATORS: an accept queue's fullest length of its room, one socket of several (reuseport). */
				buf_add(buf, sizeof buf, _(" %lld of %d (port %d, one socket)"), (long long)r->q[k].peak,
					r->q[k].backlog + 1, r->q[k].port);
			else
				buf_add(buf, sizeof buf, _(" %lld of %d (port %d)"), (long long)r->q[k].peak,
					r->q[k].backlog + 1, r->q[k].port);
		}
		if (r->nq == 0)
			buf_add(buf, sizeof buf, "%s", _(" never seen above 0"));
		draw_text(y++, 0, COLS, CS_NORMAL, buf);
	}
	if (y <= last) {
		snprintf(buf, sizeof buf, P_("  %llu record, %llu lost", "  %llu records, %llu lost", r->records),
			 (unsigned long long)r->records, (unsigned long long)r->lost);
		buf_add(buf, sizeof buf, " %s %s%s%s", crt_g(G_VLINE),
			r->clean ? _("clean: every process ended by itself, nothing left") : _("NOT clean"),
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
	struct table t;
	int krows, y = 2, last;

	if (cv->sub.ops) {
		cv->sub.ops->render(cv->sub.s);
		return;
	}
	krows = keys_rows(COLS, 1, &kc);
	last = LINES - 1 - krows - (cv->msg[0] ? 1 : 0);
	erase();
	render_bar(cv);
	table_layout(cv, &t);
	render_head(&t, 1);
	for (int i = 0; i < cv->o.nstrategies && y <= last; i++, y++)
		render_row(cv, &t, y, i);
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
