/*
 * ui.c - the ncurses front end's entry points and event loop: the picker,
 * a running scenario (recorded with --record), a replay, or the attach
 * screen; the keyboard, signals (a signalfd: SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT end the program cleanly, SIGCHLD reaps, SIGWINCH resizes), and
 * the frame timer that keeps redraws at ~30 per second.  One state
 * variable (the screen: a running scenario, a replay, the attach screen,
 * or none: the picker) selects which draw and key functions run.
 *
 * One loop (src/loop.h) waits on every fd the front end owns: stdin, the
 * signalfd, and what the run registers (trace pipe, pty master, clients).
 * Nothing polls: idle, the process sleeps in epoll_wait.
 *
 * Everything that can be refused (a bad scenario, a recording that cannot
 * be created or read, no terminal) is refused before the terminal is
 * touched, with exit status 2.
 */
#include "ui.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "../src/contest.h"
#include "../src/i18n.h"
#include "../src/loop.h"
#include "../src/recorder.h"
#include "../src/replay.h"
#include "../src/scenario.h"
#include "../src/util.h"
#include "attachview.h"
#include "contestview.h"
#include "crt.h"
#include "draw.h"
#include "help.h"
#include "layout.h"
#include "live.h"
#include "replayview.h"
#include "picker.h"

#define FRAME_NS (33ull * 1000000)
#define KEY_CTRL_C 3

struct ui {
	struct loop *loop;
	int sigfd;
	sigset_t oldmask;
	struct picker pk;
	int have_picker;
	struct help help;     /* the picker's */
	struct screen scr;    /* what is on the screen; ops NULL: the picker */
	const char *replay;   /* the recording being played */
	const char *record;   /* --record FILE: the first run started records into it */
	struct recorder *rec; /* opened for the command line's scenario, not yet handed over */
	int record_used;      /* the recording was handed to a run (later runs do not record) */
	int record_created;   /* the picker's check created the file: remove it if unused */
	int quit;
	int status;
	int frame_timer;
	uint64_t last_frame;
	uint64_t frames;     /* doupdate calls, for EPOLLVIZ_STATS */
	uint64_t records;    /* records the shown model had applied at the last frame */
	uint64_t ring[128];  /* times of the last frames */
	unsigned max_per_s;  /* most frames drawn within any one second */
	uint64_t opened_ns;
	char msg[PATH_MAX + 800]; /* shown in the picker: why a start failed */
};

static void ui_start(struct ui *u, const struct scenario *sc);
static void ui_replay_start(struct ui *u);

/* Is the terminal below 80x24? */
static int
too_small(void)
{
	return LINES < LAYOUT_MIN_H || COLS < LAYOUT_MIN_W;
}

/* The screen for a terminal below 80x24. */
static void
render_small(void)
{
	char a[200], b[200];
	int y = LINES / 2 - 1;

	erase();
	snprintf(a, sizeof a, _("epollviz needs at least %dx%d"), LAYOUT_MIN_W, LAYOUT_MIN_H);
	snprintf(b, sizeof b, _("this terminal is %dx%d: make it larger"), COLS, LINES);
	draw_text(y, (COLS - lines_cols(a)) / 2 > 0 ? (COLS - lines_cols(a)) / 2 : 0, COLS, CS_WARN, a);
	draw_text(y + 1, (COLS - lines_cols(b)) / 2 > 0 ? (COLS - lines_cols(b)) / 2 : 0, COLS, CS_NORMAL, b);
	draw_text(y + 2, 0, COLS, CS_DIM, _("q quits"));
}

/* Draw a frame of whatever is on screen, with one doupdate. */
static void
render(struct ui *u)
{
	if (too_small()) {
		render_small();
	} else if (u->scr.ops) {
		u->scr.ops->render(u->scr.s);
	} else {
		picker_render(&u->pk, LINES, COLS);
		if (u->msg[0]) {
			draw_text(LINES - 2, 0, COLS, CS_ERR, u->msg);
		} else if (u->record && !u->record_used) {
			char buf[PATH_MAX + 80];

			/* TRANSLATORS: %1$s is a red dot, %2$s the recording's file name */
			snprintf(buf, sizeof buf, _("%s REC: the scenario you start now is recorded into %s"),
				 crt_g(G_WON), u->record);
			draw_text(LINES - 2, 0, COLS, CS_WARN, buf);
		}
		if (u->help.open)
			help_render(&u->help, LINES, COLS, NULL);
	}
	wnoutrefresh(stdscr);
	doupdate();
	u->frames++;
	if (u->scr.ops)
		u->records = u->scr.ops->records(u->scr.s);
	{
		uint64_t now = now_ns();
		unsigned n = 0;

		u->ring[u->frames % 128] = now;
		for (unsigned k = 0; k < 128 && k < u->frames; k++)
			n += now - u->ring[(u->frames - k) % 128] < 1000000000ull;
		if (n > u->max_per_s)
			u->max_per_s = n;
	}
	u->last_frame = now_ns();
}

/*
 * EPOLLVIZ_STATS=FILE: at exit, how many frames were drawn in how long, and
 * how many records the model applied (make bench reads it).
 */
static void
write_stats(const struct ui *u)
{
	const char *path = getenv("EPOLLVIZ_STATS");
	FILE *f;

	if (path == NULL || *path == '\0')
		return;
	f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "frames %llu\nseconds %.3f\nrecords %llu\nmax_frames_in_1s %u\n",
		(unsigned long long)u->frames, (double)(now_ns() - u->opened_ns) / 1e9,
		(unsigned long long)(u->scr.ops ? u->scr.ops->records(u->scr.s) : u->records), u->max_per_s);
	fclose(f);
}

/* The frame timer. */
static void
on_frame(void *arg)
{
	struct ui *u = arg;

	u->frame_timer = 0;
	render(u);
}

/* Something changed: draw a frame now if the last one is old enough, else soon. */
static void
request_frame(void *arg)
{
	struct ui *u = arg;
	uint64_t at = u->last_frame + FRAME_NS, now = now_ns();

	if (u->frame_timer)
		return;
	u->frame_timer = loop_timer(u->loop, at > now ? at : now, on_frame, u);
}

/* Stop what is on the screen (a running scenario says so in its title bar); a failed recording is reported. */
static void
stop_screen(struct ui *u)
{
	char err[700];

	if (u->scr.ops == NULL)
		return;
	if (u->scr.ops->stop(u->scr.s, err, sizeof err) < 0) {
		snprintf(u->msg, sizeof u->msg, "--record: %s", err);
		u->status = 1;
	}
	u->scr.ops = NULL;
	u->scr.s = NULL;
}

/* The terminal changed size: tell curses, lay out again, redraw. */
static void
resize(struct ui *u)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0 &&
	    (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	if (u->scr.ops)
		u->scr.ops->resize(u->scr.s);
	clearok(curscr, TRUE);
	render(u);
}

/* A key in the picker. */
static void
picker_key_in(struct ui *u, int key)
{
	if (u->help.open) {
		help_key(&u->help, key);
		return;
	}
	u->msg[0] = '\0';
	if (key == '?') {
		help_toggle(&u->help);
		return;
	}
	if (key == KEY_CTRL_C) {
		u->quit = 1;
		return;
	}
	switch (picker_key(&u->pk, key)) {
	case PICK_START: ui_start(u, picker_current(&u->pk)); break;
	case PICK_QUIT: u->quit = 1; break;
	}
}

/* A key on a screen, and what it leads to: quit, back to the picker, start again. */
static void
screen_key_in(struct ui *u, int key)
{
	const struct screen_ops *ops = u->scr.ops;
	const struct scenario *cur;
	struct scenario sc;

	if (too_small() && key != 'q' && key != 27)
		return;
	switch (ops->key(u->scr.s, key)) {
	case SCREEN_QUIT:
		stop_screen(u);
		u->quit = 1;
		break;
	case SCREEN_PICKER:
		cur = ops->scenario(u->scr.s);
		sc = cur ? *cur : (struct scenario){ 0 };
		stop_screen(u);
		if (!u->have_picker || cur == NULL) {
			u->quit = 1;
			break;
		}
		picker_select(&u->pk, sc.name);
		break;
	case SCREEN_RESTART:
		cur = ops->scenario(u->scr.s);
		sc = cur ? *cur : (struct scenario){ 0 };
		stop_screen(u);
		if (ops == &replayview_ops)
			ui_replay_start(u);
		else if (cur)
			ui_start(u, &sc);
		break;
	}
}

/* One key from getch. */
static void
on_key(struct ui *u, int key)
{
	if (key == KEY_RESIZE) {
		resize(u);
		return;
	}
	if (u->scr.ops)
		screen_key_in(u, key);
	else if (too_small() && key == 'q')
		u->quit = 1;
	else if (!too_small())
		picker_key_in(u, key);
	if (!u->quit)
		request_frame(u);
}

/* Keys are waiting: read them all (nodelay). */
static void
on_stdin(void *arg, uint32_t events)
{
	struct ui *u = arg;
	int key;

	while (!u->quit && (key = getch()) != ERR)
		on_key(u, key);
	if (events & (EPOLLHUP | EPOLLERR)) {
		/* The terminal is gone: nothing will ever be read again. */
		loop_del(u->loop, STDIN_FILENO);
		u->quit = 1;
		u->status = 128 + SIGHUP;
	}
}

/* The signalfd: children, resizes, and the signals that end the program. */
static void
on_signal(void *arg, uint32_t events)
{
	struct ui *u = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(u->sigfd, &si, sizeof si) == sizeof si) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			if (u->scr.ops)
				u->scr.ops->sigchld(u->scr.s);
			else
				reap_each(0, NULL, NULL);
			break;
		case SIGWINCH: resize(u); break;
		default:
			u->quit = 1;
			u->status = 128 + (int)si.ssi_signo;
			break;
		}
	}
}

/*
 * Start a scenario; on failure the picker says why.  The first run started
 * takes the --record recording; later ones do not record.
 */
static void
ui_start(struct ui *u, const struct scenario *sc)
{
	char err[512];
	struct recorder *rec = NULL;

	if (u->record && !u->record_used) {
		u->record_used = 1;
		rec = u->rec ? u->rec : recorder_open(u->record, sc, err, sizeof err);
		u->rec = NULL;
		if (rec == NULL) {
			snprintf(u->msg, sizeof u->msg, _("cannot start %s: --record: %s"), sc->name, err);
			request_frame(u);
			return;
		}
	}
	u->scr.s = live_start(sc, u->loop, request_frame, u, rec, u->record, err, sizeof err);
	u->scr.ops = u->scr.s ? &live_ops : NULL;
	if (u->scr.s == NULL)
		snprintf(u->msg, sizeof u->msg, _("cannot start %s: %s"), sc->name, err);
	request_frame(u);
}

/* Play the recording (again, from its start). */
static void
ui_replay_start(struct ui *u)
{
	char err[PATH_MAX + 256];

	u->scr.s = replayview_start(u->replay, u->loop, request_frame, u, err, sizeof err);
	u->scr.ops = u->scr.s ? &replayview_ops : NULL;
	if (u->scr.s == NULL) {
		snprintf(u->msg, sizeof u->msg, "%s", err);
		u->quit = 1;
		u->status = 1;
	}
	request_frame(u);
}

/* Block the signals the loop reads from its signalfd. */
static int
signals_init(struct ui *u)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGWINCH };

	u->sigfd = sigfd_open(sigs, (int)ARRAY_LEN(sigs), &u->oldmask);
	return u->sigfd < 0 ? -1 : 0;
}

/* Refuse without a terminal: the screen needs one. */
static int
need_terminal(void)
{
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
		return 0;
	fprintf(stderr, "epollviz: %s\n", _("the screen needs a terminal; use --headless without one"));
	return -1;
}

/* Signals, the loop, the terminal, stdin and the signalfd on the loop.  Returns 0 or -1 (reported). */
static int
ui_open(struct ui *u)
{
	u->opened_ns = now_ns();
	if (signals_init(u) < 0 || (u->loop = loop_new()) == NULL) {
		fprintf(stderr, "epollviz: %s\n", strerror(errno));
		return -1;
	}
	if (crt_init() < 0) {
		fprintf(stderr, "epollviz: %s\n", _("cannot initialise the terminal"));
		return -1;
	}
	loop_add(u->loop, STDIN_FILENO, EPOLLIN, on_stdin, u);
	loop_add(u->loop, u->sigfd, EPOLLIN, on_signal, u);
	return 0;
}

/* Run the loop until a quit. */
static void
ui_loop(struct ui *u)
{
	render(u);
	while (!u->quit)
		if (loop_run_once(u->loop, -1) < 0 && errno != EINTR)
			break;
}

/* Stop what runs, give the terminal back, say what went wrong, free everything.  Returns the status. */
static int
ui_close(struct ui *u)
{
	write_stats(u);
	stop_screen(u);
	crt_done();
	if (u->msg[0] && u->status != 0)
		fprintf(stderr, "epollviz: %s\n", u->msg);
	if (u->rec) {
		char err[64];

		recorder_close(u->rec, err, sizeof err);
	}
	if (u->record && u->record_created && !u->record_used)
		unlink(u->record);
	help_free(&u->help);
	picker_free(&u->pk);
	loop_free(u->loop);
	if (u->sigfd >= 0)
		close(u->sigfd);
	sigprocmask(SIG_SETMASK, &u->oldmask, NULL);
	return u->status;
}

/* --record FILE: can it be written?  Creates it (remembering that) if it is not there.  0 or -1 (reported). */
static int
record_probe(struct ui *u)
{
	int fd;

	if (u->record == NULL)
		return 0;
	fd = open(u->record, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0)
		u->record_created = 1;
	else if (errno == EEXIST)
		fd = open(u->record, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "epollviz: --record: %s: %s\n", u->record, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * Before the terminal is touched: a file --record cannot write, or no
 * terminal, is refused.  With a scenario the recording starts here (its
 * header names the scenario); for the picker it starts with the first run.
 */
static int
record_open(struct ui *u, const struct scenario *first)
{
	char err[PATH_MAX + 256];

	if (record_probe(u) < 0)
		return -1;
	if (need_terminal() < 0)
		goto fail;
	if (u->record == NULL || first == NULL)
		return 0;
	u->rec = recorder_open(u->record, first, err, sizeof err);
	if (u->rec == NULL) {
		fprintf(stderr, "epollviz: --record: %s\n", err);
		goto fail;
	}
	return 0;
fail:
	if (u->record_created)
		unlink(u->record);
	return -1;
}

/* The front end: check the scenario, take the terminal, run the loop, give it back. */
int
ui_main(const char *name, const char *record)
{
	struct scenario first;
	char path[PATH_MAX], err[1024];

	/* A bad scenario is reported before the terminal is touched. */
	if (name && (scenario_find(name, path, sizeof path, err, sizeof err) < 0 ||
		     scenario_load(path, &first, err, sizeof err) < 0)) {
		fprintf(stderr, "epollviz: %s\n", err);
		return 2;
	}
	return ui_main_scenario(name ? &first : NULL, record);
}

/* The front end with a scenario already loaded (or made: epollviz run), or the picker (NULL). */
int
ui_main_scenario(const struct scenario *sc, const char *record)
{
	struct ui u;
	struct scenario first;
	const char *name = sc ? sc->name : NULL;
	char err[1024];

	memset(&u, 0, sizeof u);
	u.sigfd = -1;
	u.record = record;
	if (sc)
		first = *sc;
	u.have_picker = picker_load(&u.pk, err, sizeof err) == 0;
	if (!name && !u.have_picker) {
		fprintf(stderr, "epollviz: %s\n", err);
		return 2;
	}
	if (record_open(&u, name ? &first : NULL) < 0) {
		picker_free(&u.pk);
		return 2;
	}
	if (ui_open(&u) < 0) {
		u.status = 1;
		return ui_close(&u);
	}
	if (name) {
		picker_select(&u.pk, first.name);
		ui_start(&u, &first);
		if (u.scr.ops == NULL) {
			u.status = 1;
			return ui_close(&u);
		}
	}
	ui_loop(&u);
	return ui_close(&u);
}

/*
 * The terminal for a screen started from the command line (replay,
 * attach, contest): 0, or the exit status to return at once (2 without a
 * terminal, 1 when it could not be taken: the reason is printed).
 */
static int
screen_open(struct ui *u)
{
	if (need_terminal() < 0)
		return 2;
	memset(u, 0, sizeof *u);
	u->sigfd = -1;
	if (ui_open(u) < 0) {
		u->status = 1;
		return ui_close(u);
	}
	return 0;
}

/* `epollviz replay FILE`: the recording through the same panels. */
int
ui_replay(const char *file)
{
	struct ui u;
	char err[PATH_MAX + 256];
	int st;
	struct replay *rp = replay_open(file, err, sizeof err);

	/* An unreadable file or an unknown version is refused before the terminal is touched. */
	if (rp == NULL) {
		fprintf(stderr, "epollviz: %s\n", err);
		return 2;
	}
	replay_close(rp);
	if ((st = screen_open(&u)) != 0)
		return st;
	u.replay = file;
	ui_replay_start(&u);
	ui_loop(&u);
	return ui_close(&u);
}

/* `epollviz attach [--children] PID...` on a terminal: the kernel's view, refreshed. */
int
ui_attach(const int *pids, int npids, int children)
{
	struct ui u;
	int st;

	if ((st = screen_open(&u)) != 0)
		return st;
	u.scr.s = attachview_start(pids, npids, children, u.loop, request_frame, &u);
	u.scr.ops = &attachview_ops;
	ui_loop(&u);
	return ui_close(&u);
}

/* `epollviz contest [OPTIONS]` on a terminal: the table, filled in as each strategy runs. */
int
ui_contest(int argc, char **argv)
{
	struct contest_opts o;
	struct ui u;
	char err[PATH_MAX + 256];
	int json, help, st;

	/* Bad options are refused before the terminal is touched. */
	if (contest_args(argc, argv, &o, &json, &help, err, sizeof err) < 0) {
		fprintf(stderr, "epollviz: %s\n%s", err, contest_usage());
		return 2;
	}
	if ((st = screen_open(&u)) != 0)
		return st;
	u.scr.s = contestview_start(&o, u.loop, request_frame, &u, err, sizeof err);
	u.scr.ops = u.scr.s ? &contestview_ops : NULL;
	if (u.scr.s == NULL) {
		snprintf(u.msg, sizeof u.msg, "%s", err);
		u.status = 1;
		return ui_close(&u);
	}
	ui_loop(&u);
	return ui_close(&u);
}
