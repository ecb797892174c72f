/*
 * test_tui.c - end-to-end tests of the ncurses front end: the real binary
 * in a private tmux server (100x30), driven with send-keys and read with
 * capture-pane, as a person would.  Every wait polls the screen against a
 * deadline.  Loopback only; every test kills its tmux server at the end
 * (and a failed assertion still runs the fini that does it).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hrun.h"
#include "tui_helpers.h"

#define WAIT_MS 10000
#define MAX_PIDS 16

static struct tui T;
static char tmpdir[64]; /* a test's scratch directory, removed even when it fails */
static struct hlive LIVE; /* a headless run a test attaches to (pid 0: none) */

/* Kill the test's tmux server, end its headless run, remove its scratch directory. */
static void
tui_fini(void)
{
	tui_kill(&T);
	if (LIVE.pid > 0) {
		kill(LIVE.pid, SIGTERM);
		hlive_finish(&LIVE);
		hrun_free(&LIVE.h);
		LIVE.pid = 0;
	}
	if (tmpdir[0])
		tui_sh("rm -rf '%s'", tmpdir);
}

TestSuite(tui, .fini = tui_fini, .timeout = 90);

/* The connection panel's "PID echo-wN   K accepted" lines: pids and counts. */
static int
served(const char *s, long *pids, long *counts, int max)
{
	regmatch_t m[3];
	int n = 0;

	while (n < max && tui_match(s, "([0-9]+) echo-w[0-9]+ +([0-9]+) accepted", m, 3)) {
		pids[n] = tui_num(s, m, 1);
		counts[n] = tui_num(s, m, 2);
		n++;
		s += m[0].rm_eo;
	}
	return n;
}

struct herd_state {
	long pids[2], counts[2];
	long started, answered;
};

/* The 23 clients are done and the per-pid counts add up to the answers. */
static int
pred_counts_add_up(struct tui *t, void *arg)
{
	struct herd_state *h = arg;
	regmatch_t m[3];
	long sum = 0;

	if (served(t->screen, h->pids, h->counts, 2) != 2)
		return 0;
	if (!tui_match(t->screen, "clients ([0-9]+) started [^ ]+ ([0-9]+) answered", m, 3))
		return 0;
	h->started = tui_num(t->screen, m, 1);
	h->answered = tui_num(t->screen, m, 2);
	sum = h->counts[0] + h->counts[1];
	return h->started == 23 && h->answered >= 3 && sum == h->answered;
}

/* The session leader's row: "▶ PID PPID PGID SID pts/N TPGID STAT" with PGID = TPGID = PID. */
static int
session_is_foreground(const char *s, long session)
{
	char re[256];

	snprintf(re, sizeof re,
		 "^\xe2\x96\xb6 +%ld +[0-9]+ +%ld +%ld +pts/[0-9]+ +%ld +Ss\\+ +epollviz session", session,
		 session, session, session);
	return tui_match(s, re, NULL, 0);
}

static long
session_pid(const char *s)
{
	regmatch_t m[2];

	if (!tui_match(s, "the scenario's session ([0-9]+) on", m, 2))
		return -1;
	return tui_num(s, m, 1);
}

static int
pred_server_gone(struct tui *t, void *arg)
{
	long session = session_pid(t->screen);

	(void)arg;
	return session > 0 && !tui_match(t->screen, TUI_ROW "epollviz echo-(server|worker)", NULL, 0) &&
	       session_is_foreground(t->screen, session);
}

/* The name the picker has selected, into buf. */
static const char *
picker_selected(struct tui *t, char *buf, size_t cap)
{
	regmatch_t m[2];

	buf[0] = '\0';
	if (tui_match(t->screen, "\xe2\x96\xb6 ([a-z0-9-]+) ", m, 2))
		snprintf(buf, cap, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), t->screen + m[1].rm_so);
	return buf;
}

static int
pred_selection_moved(struct tui *t, void *arg)
{
	char now[64];

	return strcmp(picker_selected(t, now, sizeof now), arg) != 0;
}

Test(tui, picker_echo_herd_clients_and_ctrl_c)
{
	struct herd_state h;
	char re[128], sel[64];
	regmatch_t m[3];

	memset(&h, 0, sizeof h);
	tui_init(&T, "herd");
	cr_assert_eq(tui_start(&T, 100, 30, "", NULL, NULL), 0, "tmux did not start");
	cr_assert(tui_wait_re(&T, "pick a scenario", WAIT_MS), "no picker:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "echo-herd +The notes' echo server", WAIT_MS), "echo-herd is not listed:\n%s",
		  T.screen);
	/* Arrow down to echo-herd, as a person would, and start it. */
	for (int i = 0; i < 20 && strcmp(picker_selected(&T, sel, sizeof sel), "echo-herd") != 0; i++) {
		tui_keys(&T, "Down");
		cr_assert(tui_wait(&T, pred_selection_moved, sel, WAIT_MS), "Down did not move:\n%s", T.screen);
	}
	cr_assert_str_eq(picker_selected(&T, sel, sizeof sel), "echo-herd", "cannot select echo-herd:\n%s", T.screen);
	tui_keys(&T, "Enter");
	cr_assert(tui_wait_re(&T, "epollviz session[^\n]*\n[^\n]*epollviz echo-server[^\n]*\n[^\n]*echo-worker", WAIT_MS),
		  "the echo server did not start:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "listening :[0-9]+", WAIT_MS), "no listening socket shown:\n%s", T.screen);

	/*
	 * Three single clients, each answered before the next, as a person
	 * watching would press c: pressed at once, a later one can legitimately
	 * wait forever in the accept queue (edge-triggered, accept once, and a
	 * worker that lost sem_trywait has used up the edge), which is the
	 * burst's lesson, not this step's.
	 */
	for (int i = 1; i <= 3; i++) {
		tui_keys(&T, "c");
		snprintf(re, sizeof re, "clients %d started [^ ]+ %d answered", i, i);
		cr_assert(tui_wait_re(&T, re, WAIT_MS), "single client %d was not answered:\n%s", i, T.screen);
	}
	tui_keys(&T, "b");
	cr_assert(tui_wait(&T, pred_counts_add_up, &h, 15000),
		  "connection counts per pid do not add up to the clients answered:\n%s", T.screen);
	cr_assert_gt(h.answered, 2, "the three single clients were not answered:\n%s", T.screen);
	/* The last reply, and which pid answered it: the same pid the reply names. */
	cr_assert(tui_wait_re(&T, "last reply [^ ]+ [0-9]+ echo-w[01]: \"pid = [0-9]+", WAIT_MS),
		  "no reply with the answering pid:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "last reply [^ ]+ ([0-9]+) echo-w[01]: \"pid = ([0-9]+)", m, 3));
	cr_assert_eq(tui_num(T.screen, m, 1), tui_num(T.screen, m, 2), "answered_by differs from the reply:\n%s",
		     T.screen);
	cr_assert(tui_match(T.screen, "value [01]  (free|held by [0-9]+ echo-w[01])", NULL, 0),
		  "the semaphore panel names neither an owner nor free:\n%s", T.screen);

	/*
	 * The timeline, zoomed (key 2) to see more of it, has returns of both
	 * workers.  Which worker the kernel hands an event to is its choice:
	 * rarely one worker takes every event of a burst, so a worker not yet
	 * seen returning gets up to five more bursts (b) to show it.
	 */
	cr_assert(tui_zoom(&T, "2", "2 epoll_wait returns", 1, WAIT_MS), "2 did not zoom:\n%s", T.screen);
	for (int i = 0; i < 2; i++) {
		int found, bursts = 0;

		snprintf(re, sizeof re, "^ +[0-9]+\\.[0-9]{3} %ld echo-w[01] +[0-9]+ +[0-9]+ ", h.pids[i]);
		while (!(found = tui_wait_re(&T, re, WAIT_MS)) && bursts++ < 5)
			tui_keys(&T, "b");
		cr_assert(found, "no epoll_wait return of pid %ld after %d more bursts:\n%s", h.pids[i], bursts - 1,
			  T.screen);
	}
	cr_assert(tui_zoom(&T, "2", "2 epoll_wait returns", 0, WAIT_MS), "zoom did not end:\n%s", T.screen);

	/* Ctrl+C: the server group leaves the table, the session leader is foreground again. */
	tui_keys(&T, "C-c");
	cr_assert(tui_wait(&T, pred_server_gone, NULL, 15000),
		  "after Ctrl+C the server group is still listed or the shell is not foreground:\n%s", T.screen);
	/* The story, zoomed (key 8), tells the propagation: the kernel's SIGINT to both workers. */
	cr_assert(tui_zoom(&T, "8", "8 Story", 1, WAIT_MS), "8 did not zoom:\n%s", T.screen);
	for (int i = 0; i < 2; i++) {
		snprintf(re, sizeof re, "%ld echo-w[01] +[^ ]+ SIGINT +SI_KERNEL +from the kernel", h.pids[i]);
		cr_assert(tui_wait_re(&T, re, WAIT_MS), "the story lacks the kernel's SIGINT to %ld:\n%s", h.pids[i],
			  T.screen);
	}
	cr_assert(tui_match(T.screen, "the session leader takes the foreground back", NULL, 0),
		  "the story lacks the shell taking the terminal back:\n%s", T.screen);
	cr_assert(tui_zoom(&T, "8", "8 Story", 0, WAIT_MS), "zoom did not end:\n%s", T.screen);
	/* Esc stops the scenario and goes back to the picker. */
	tui_keys(&T, "Escape");
	cr_assert(tui_wait_re(&T, "pick a scenario", WAIT_MS), "Esc did not return to the picker:\n%s", T.screen);
	for (int i = 0; i < 2; i++)
		cr_assert(!tui_pid_alive((int)h.pids[i]), "pid %ld survived Esc", h.pids[i]);
}

Test(tui, fifo_naive_hup_storm_collapsed)
{
	regmatch_t m[2];

	tui_init(&T, "fifo");
	cr_assert_eq(tui_start(&T, 100, 30, "fifo-hup-naive", NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "waiting for a writer", WAIT_MS), "the watcher is not waiting:\n%s", T.screen);
	tui_keys(&T, "W");
	cr_assert(tui_wait_re(&T, "open: fd [0-9]+ watched", WAIT_MS), "the writer did not open the FIFO:\n%s",
		  T.screen);
	tui_keys(&T, "h");
	cr_assert(tui_wait_re(&T, "[0-9]+:HUP \xc3\x97[0-9,]{2,}", WAIT_MS),
		  "no collapsed EPOLLHUP line with a count:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "[0-9]+:HUP \xc3\x97([0-9,]+)", m, 2));
	cr_assert_gt(tui_num(T.screen, m, 1), 5, "the storm was not counted:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "(HUP storm|last storm) \xc3\x97[0-9,]+", NULL, 0),
		  "the FIFO panel does not show the storm:\n%s", T.screen);
}

static int
pred_fifo_left(struct tui *t, void *arg)
{
	long session = session_pid(t->screen);

	(void)arg;
	return session > 0 && !tui_match(t->screen, TUI_ROW "epollviz echo-(server|worker)", NULL, 0) &&
	       tui_match(t->screen, TUI_ROW "epollviz fifo-watch", NULL, 0) &&
	       session_is_foreground(t->screen, session);
}

Test(tui, everything_ctrl_c_spares_background_fifo)
{
	tui_init(&T, "every");
	cr_assert_eq(tui_start(&T, 100, 30, "everything", NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "waiting for a writer", WAIT_MS), "the FIFO watcher is not waiting:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "epollviz echo-worker", WAIT_MS), "the echo server did not start:\n%s", T.screen);
	tui_keys(&T, "C-c");
	cr_assert(tui_wait(&T, pred_fifo_left, NULL, 15000),
		  "after Ctrl+C the background FIFO watcher should remain and the server go:\n%s", T.screen);
	tui_keys(&T, "w");
	/* The FIFO panel, zoomed (key 5), shows the read. */
	cr_assert(tui_zoom(&T, "5", "5 FIFO", 1, WAIT_MS), "no FIFO panel:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "reads 1 \\([0-9]+ B\\)", WAIT_MS), "the background watcher did not read:\n%s",
		  T.screen);
	cr_assert(tui_match(T.screen, "last read \"line 1 from epollviz", NULL, 0), "the line read is not shown:\n%s",
		  T.screen);
	cr_assert(tui_zoom(&T, "5", "5 FIFO", 0, WAIT_MS), "zoom did not end:\n%s", T.screen);
	cr_assert(tui_match(T.screen, TUI_ROW "epollviz fifo-watch", NULL, 0), "the watcher is gone:\n%s", T.screen);
}

Test(tui, quit_leaves_no_process_and_same_stty)
{
	long pids[MAX_PIDS];
	int npids;

	tui_init(&T, "quit");
	cr_assert_eq(tui_start_stty(&T, 100, 30, "echo-herd"), 0);
	cr_assert(tui_wait_re(&T, "epollviz session[^\n]*\n[^\n]*epollviz echo-server[^\n]*\n[^\n]*echo-worker", WAIT_MS),
		  "the scenario did not start:\n%s", T.screen);
	tui_keys(&T, "c");
	cr_assert(tui_wait_re(&T, "last reply", WAIT_MS), "no reply:\n%s", T.screen);
	/* Record the pids the table shows for the scenario's session. */
	npids = tui_table_pids(T.screen, "epollviz (session|echo-)", pids, MAX_PIDS);
	cr_assert_geq(npids, 3, "expected the session leader and two workers in the table:\n%s", T.screen);
	for (int i = 0; i < npids; i++)
		cr_assert(tui_pid_alive((int)pids[i]), "pid %ld from the table is not running", pids[i]);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, 15000), "epollviz did not exit on q:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
	for (int i = 0; i < npids; i++)
		cr_assert(!tui_pid_alive((int)pids[i]), "pid %ld of the run survived the quit", pids[i]);
	cr_assert(tui_stty_same(&T), "stty -a output missing, or different after epollviz exited");
}

Test(tui, resize_small_then_back)
{
	tui_init(&T, "resize");
	cr_assert_eq(tui_start(&T, 100, 30, "echo-herd", NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "6 Process groups", WAIT_MS), "no panels:\n%s", T.screen);
	cr_assert_eq(tui_sh("tmux -L %s resize-window -x 60 -y 20", T.sock), 0);
	cr_assert(tui_wait_re(&T, "needs at least 80x24", WAIT_MS), "no small-terminal message:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "this terminal is 60x20", NULL, 0), "the size is not named:\n%s", T.screen);
	cr_assert_eq(tui_sh("tmux -L %s resize-window -x 100 -y 30", T.sock), 0);
	cr_assert(tui_wait_re(&T, "6 Process groups", WAIT_MS), "the panels did not come back:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "2 epoll_wait returns", WAIT_MS), "the timeline did not come back:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "needs at least", NULL, 0), "the small message stayed:\n%s", T.screen);
}

/* A bad scenario: FILE:LINE error on stderr, exit 2, terminal untouched (no tmux needed). */
Test(tui, bad_scenario_exits_2_before_the_terminal)
{
	char dir[] = "/tmp/epollviz-bad-XXXXXX", path[600], cmd[2400], out[2048];
	FILE *f;
	size_t n;
	int st;

	tui_init(&T, "bad");
	snprintf(cmd, sizeof cmd, "'%s' no-such-scenario </dev/null 2>&1", T.bin);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	st = pclose(f);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %d, want 2: %s", st, out);
	cr_assert(strstr(out, "no scenario named 'no-such-scenario'"), "no error message: %s", out);

	cr_assert_not_null(mkdtemp(dir));
	snprintf(tmpdir, sizeof tmpdir, "%s", dir);
	snprintf(path, sizeof path, "%s/broken.scn", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("title = broken\n[echo]\naccept = telepathy\n", f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' '%s' </dev/null 2>&1", T.bin, path);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	st = pclose(f);
	unlink(path);
	rmdir(dir);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %d, want 2: %s", st, out);
	cr_assert(strstr(out, "broken.scn:3:"), "the error does not name FILE:LINE: %s", out);
	cr_assert(!strstr(out, "\x1b["), "the terminal was touched: %s", out);
}

/* ---- replay, record, the kernel's view, attach ---- */

/* Run a shell command, its stdout and stderr into out; returns the exit status. */
static int
run_capture(const char *cmd, char *out, size_t cap)
{
	FILE *f = popen(cmd, "r");
	size_t n;
	int st;

	out[0] = '\0';
	if (f == NULL)
		return -1;
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The shipped recording of a burst against echo-herd. */
static const char *
herd_recording(char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/recordings/echo-herd-burst.rec", T.scenarios);
	return buf;
}

/* The summary line of `--headless replay FILE --json`, parsed (NULL if there is none). */
static json_t *
replay_summary(const char *file)
{
	static char out[1 << 20];
	char cmd[4096], *last;
	json_error_t e;

	snprintf(cmd, sizeof cmd, "'%s' --headless replay '%s' --json 2>/dev/null", T.bin, file);
	run_capture(cmd, out, sizeof out);
	last = strstr(out, "{\"type\":\"summary\"");
	return last ? json_loads(last, JSON_DISABLE_EOF_CHECK, &e) : NULL;
}

/* Records applied so far, from the replay's title bar ("| 194 records |"); -1 if not shown. */
static long
bar_records(const char *s)
{
	regmatch_t m[2];

	if (!tui_match(s, "replay of [a-z0-9-]+ [^\n]* ([0-9,]+) records ", m, 2))
		return -1;
	return tui_num(s, m, 1);
}

Test(tui, replay_fastest_reaches_the_end_and_marks_live_only)
{
	char rec[1200], re[1300];
	json_t *sum;
	long answered, started, queue;

	tui_init(&T, "replay");
	herd_recording(rec, sizeof rec);
	sum = replay_summary(rec);
	cr_assert_not_null(sum, "no summary from the headless replay of %s", rec);
	queue = (long)json_integer_value(json_object_get(sum, "accept_queue"));
	started = (long)json_integer_value(json_object_get(json_object_get(sum, "clients"), "started"));
	answered = (long)json_integer_value(json_object_get(json_object_get(sum, "clients"), "answered"));
	json_decref(sum);
	/* It ends after ^C: the listener is closed, so there is no accept queue left to count. */
	cr_assert_eq(queue, -1, "the summary counts %ld in the queue of a closed listener", queue);

	snprintf(re, sizeof re, "replay '%s'", rec);
	cr_assert_eq(tui_start(&T, 100, 30, re, NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "replay of echo-herd", WAIT_MS), "no replay screen:\n%s", T.screen);
	tui_keys(&T, "'>'");
	cr_assert(tui_wait_re(&T, "byte ([0-9,]+) of \\1 \\(100%\\) +END", WAIT_MS),
		  "the replay did not reach the end of the file:\n%s", T.screen);
	/*
	 * What the recording ends with: the queue the burst left, reset with the
	 * listener; the clients.  Waited for, not looked at once: the title row
	 * can reach tmux before the rest of the same frame.
	 */
	cr_assert(tui_wait_re(&T, "listener :[0-9]+ closed: [1-9][0-9]* queued reset", WAIT_MS),
		  "the closed listener's queue is not shown as reset:\n%s", T.screen);
	snprintf(re, sizeof re, "clients %ld started [^ ]+ %ld answered", started, answered);
	cr_assert(tui_match(T.screen, re, NULL, 0), "no '%s':\n%s", re, T.screen);
	/* The process-group table is live only. */
	cr_assert(tui_match(T.screen, "6 Process groups (\xe2\x94\x80)+\nlive only \xe2\x80\x94 not in a recording", NULL, 0),
		  "the process-group panel is not marked live only:\n%s", T.screen);
	/* Live-only keys are neither shown nor acted on. */
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, " c client ", NULL, 0), "a live-only key is shown:\n%s", T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
}

struct records_arg {
	long want;
};

static int
pred_records(struct tui *t, void *arg)
{
	return bar_records(t->screen) == ((struct records_arg *)arg)->want;
}

Test(tui, replay_pause_and_step_one_record)
{
	char rec[1200], args[1300];
	struct records_arg a;
	long before;

	tui_init(&T, "step");
	snprintf(args, sizeof args, "replay '%s'", herd_recording(rec, sizeof rec));
	cr_assert_eq(tui_start(&T, 100, 30, args, NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "replay of echo-herd", WAIT_MS), "no replay screen:\n%s", T.screen);
	tui_keys(&T, "Space");
	cr_assert(tui_wait_re(&T, "PAUSED", WAIT_MS), "space did not pause:\n%s", T.screen);
	before = bar_records(T.screen);
	cr_assert_geq(before, 0, "no record count in the bar:\n%s", T.screen);
	for (int i = 1; i <= 3; i++) {
		tui_keys(&T, ".");
		a.want = before + i;
		cr_assert(tui_wait(&T, pred_records, &a, WAIT_MS), ". did not apply exactly one record (want %ld):\n%s",
			  a.want, T.screen);
	}
	cr_assert(tui_match(T.screen, "PAUSED", NULL, 0), "a step did not leave the replay paused:\n%s", T.screen);
}

Test(tui, replay_truncated_file_names_the_byte_offset)
{
	char dir[] = "/tmp/epollviz-trunc-XXXXXX", rec[1200], cut[700], args[800], re[160];
	static char buf[1 << 16];
	FILE *f;
	size_t n, hlen, at;
	char *end;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(tmpdir, sizeof tmpdir, "%s", dir);
	tui_init(&T, "trunc");
	f = fopen(herd_recording(rec, sizeof rec), "rb");
	cr_assert_not_null(f);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	end = strstr(buf, "\n\n");
	cr_assert_not_null(end, "no header in %s", rec);
	hlen = (size_t)(end + 2 - buf);
	at = hlen + 100 * 256 + 100; /* 100 whole records, then 100 bytes of the next */
	cr_assert_gt(n, at);
	snprintf(cut, sizeof cut, "%s/cut.rec", dir);
	f = fopen(cut, "wb");
	cr_assert_not_null(f);
	fwrite(buf, 1, at, f);
	fclose(f);

	snprintf(args, sizeof args, "replay '%s'", cut);
	cr_assert_eq(tui_start(&T, 100, 30, args, NULL, NULL), 0);
	tui_keys(&T, "'>'");
	snprintf(re, sizeof re, "truncated at byte offset %zu: the record at byte offset %zu has 100 of its 256 bytes",
		 at, hlen + 100 * 256);
	cr_assert(tui_wait_re(&T, re, WAIT_MS), "no message naming byte offset %zu:\n%s", at, T.screen);
	cr_assert(tui_match(T.screen, "ENDS EARLY", NULL, 0), "the bar does not say the file ends early:\n%s", T.screen);
	/* What could be read is shown: the records before the cut. */
	cr_assert(tui_match(T.screen, " 1?[0-9]{2} records ", NULL, 0), "the records read are not counted:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "1 Epoll instances  2 instances", NULL, 0), "the panels are empty:\n%s", T.screen);
}

Test(tui, replay_unknown_version_exits_2_before_the_terminal)
{
	char dir[] = "/tmp/epollviz-ver-XXXXXX", path[600], cmd[2400], out[2048];
	FILE *f;
	int st;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(tmpdir, sizeof tmpdir, "%s", dir);
	tui_init(&T, "version");
	snprintf(path, sizeof path, "%s/future.rec", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("epollviz recording 99\ntrace-version: 1\nrecord-size: 256\nscenario: echo-herd\n\n", f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "'%s' replay '%s' </dev/null 2>&1", T.bin, path);
	st = run_capture(cmd, out, sizeof out);
	cr_assert_eq(st, 2, "exit status %d, want 2: %s", st, out);
	cr_assert(strstr(out, "recording format version 99 is not supported"), "no version message: %s", out);
	cr_assert(!strstr(out, "\x1b"), "the terminal was touched: %s", out);
}

Test(tui, record_a_run_then_replay_it_headless)
{
	char dir[] = "/tmp/epollviz-rec-XXXXXX", file[700], args[800], cmd[2400];
	static char out[1 << 20];
	int st, lines = 0, bad = 0, replies = 0;
	char *save = NULL;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(tmpdir, sizeof tmpdir, "%s", dir);
	snprintf(file, sizeof file, "%s/run.rec", dir);
	tui_init(&T, "record");
	snprintf(args, sizeof args, "--record '%s' echo-herd", file);
	cr_assert_eq(tui_start(&T, 100, 30, args, NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "listening :[0-9]+", WAIT_MS), "the scenario did not start:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "REC run\\.rec", NULL, 0), "the bar does not say it records:\n%s", T.screen);
	tui_keys(&T, "c");
	cr_assert(tui_wait_re(&T, "last reply [^ ]+ [0-9]+ echo-w[01]: \"pid = [0-9]+", WAIT_MS), "no reply:\n%s",
		  T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, 15000), "epollviz did not exit on q:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);

	snprintf(cmd, sizeof cmd, "'%s' --headless replay '%s' --json 2>&1", T.bin, file);
	st = run_capture(cmd, out, sizeof out);
	cr_assert_eq(st, 0, "the replay of the TUI's recording failed (%d):\n%.2000s", st, out);
	for (char *ln = strtok_r(out, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *o = json_loads(ln, 0, &e);
		const char *type, *ev, *text;

		lines++;
		if (o == NULL) {
			bad++;
			continue;
		}
		type = json_string_value(json_object_get(o, "type"));
		ev = json_string_value(json_object_get(o, "event"));
		text = json_string_value(json_object_get(o, "text"));
		if (type && strcmp(type, "client") == 0 && ev && strcmp(ev, "reply") == 0 && text &&
		    strncmp(text, "pid = ", 6) == 0)
			replies++;
		if (type && strcmp(type, "summary") == 0)
			cr_assert(json_is_true(json_object_get(o, "clean")), "the recorded run is not clean: %s", ln);
		json_decref(o);
	}
	cr_assert_gt(lines, 20, "too few lines in the replay");
	cr_assert_eq(bad, 0, "%d lines of the replay are not JSON", bad);
	cr_assert_eq(replies, 1, "the client's reply is not in the recording (%d)", replies);
}

/* Panel title arg fills the screen: its title shows and no other panel's does. */
static int
pred_zoomed(struct tui *t, void *arg)
{
	return tui_match(t->screen, arg, NULL, 0) && !tui_match(t->screen, "2 epoll_wait returns", NULL, 0) &&
	       !tui_match(t->screen, "6 Process groups", NULL, 0);
}

/* Start scenario at cols x rows, wait until the screen matches ready_re, press k: the Kernel's view is shown. */
static void
kernel_view_of(const char *tag, int cols, int rows, const char *scenario, const char *ready_re)
{
	tui_init(&T, tag);
	cr_assert_eq(tui_start(&T, cols, rows, scenario, NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, ready_re, WAIT_MS), "%s never showed /%s/:\n%s", scenario, ready_re, T.screen);
	tui_keys(&T, "k");
	cr_assert(tui_wait_re(&T, "9 Kernel's view", WAIT_MS), "k did not show the kernel's view:\n%s", T.screen);
}

Test(tui, kernel_view_flags_the_dup_in_ctl_errors)
{
	kernel_view_of("kdup", 100, 30, "ctl-errors", "holding its fds open");
	tui_keys(&T, "9");
	cr_assert(tui_wait_re(&T, "from /proc: 1 difference", WAIT_MS), "no confirmed difference:\n%s", T.screen);
	/* Waits, not a look: a frame may be caught half drawn, top first. */
	cr_assert(tui_wait_re(&T, "^   [0-9]+ +IN\\|ERR\\|HUP +\xe2\x80\x94 +[0-9]+ +kernel-only", WAIT_MS),
		  "the entry is not flagged kernel-only beside an empty traced one:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "fd [0-9]+ was closed, but the file is still open as fd [0-9]+ \\(a dup\\)", WAIT_MS),
		  "the dup is not explained:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "instance #1", NULL, 0), "no kernel instance number:\n%s", T.screen);
	/* k again: the traced interest lists are back. */
	tui_keys(&T, "k");
	cr_assert(tui_wait_re(&T, "1 Epoll instances", WAIT_MS), "k did not go back:\n%s", T.screen);
	/* From the kernel's view zoomed, 1 zooms the epoll instances in its place (it used to unzoom). */
	tui_keys(&T, "9");
	cr_assert(tui_wait(&T, pred_zoomed, "9 Kernel's view", WAIT_MS), "9 did not zoom the kernel's view:\n%s",
		  T.screen);
	tui_keys(&T, "1");
	cr_assert(tui_wait(&T, pred_zoomed, "1 Epoll instances", WAIT_MS), "1 did not zoom the epoll instances:\n%s",
		  T.screen);
}

/*
 * At 80x24 the overview gives the kernel's view six rows of 46 columns:
 * its summary and column header must leave room for the entries, and the
 * verdict must be in sight without zooming.
 */
Test(tui, kernel_view_at_80x24_shows_entries_and_verdicts_unzoomed)
{
	kernel_view_of("k80", 80, 24, "echo-herd", "listening :[0-9]+");
	cr_assert(tui_wait_re(&T, "^   fd +kernel +traced +data +verdict +\xe2\x94\x82", WAIT_MS),
		  "the column header is not one line in the half-width panel:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "^[0-9]+ echo-w[01] +epfd [0-9]+ \xe2\x86\x92 instance #[0-9]+", WAIT_MS),
		  "no epoll fd under the header:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "^   3 +IN\\|ERR\\|HUP\\|ET +IN\\|ET +3 +agree", WAIT_MS),
		  "no entry with its verdict in the overview at 80x24:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "9 Kernel's view .*\xe2\x86\x93[0-9]+ more", NULL, 0),
		  "the panel does not say that more of it is below:\n%s", T.screen);
}

/* At 80x24 a title the rule cannot hold is cut after a whole word, or left out: never to a bare number. */
Test(tui, titles_at_80x24_are_cut_to_words_not_to_a_number)
{
	tui_init(&T, "t80");
	cr_assert_eq(tui_start(&T, 80, 24, "echo-herd", NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "\xe2\x94\x80 4 Connections per pid", WAIT_MS), "no Connections panel:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "listening :[0-9]+", WAIT_MS), "the run did not start:\n%s", T.screen);
	cr_assert_not(tui_match(T.screen, "Connections per pid +[0-9]+\xe2\x80\xa6", NULL, 0),
		      "a title cut to a number and an ellipsis:\n%s", T.screen);
}

Test(tui, kernel_view_one_instance_held_by_two_pids)
{
	kernel_view_of("kshared", 100, 30, "echo-shared-epoll", "echo-worker");
	cr_assert(tui_wait_re(&T, "2 epoll fds in 2 pids \xe2\x86\x92 1 kernel instance \\(kcmp\\)", WAIT_MS),
		  "the kernel's view does not show one instance for two pids:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "SHARED  one object, also held by [0-9]+ \\(epfd [0-9]+\\)", WAIT_MS),
		  "the instance is not shown as held by the other pid:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "fdinfo shows anon inode [0-9]+ for both", NULL, 0),
		  "the identical fdinfo inode is not shown:\n%s", T.screen);
}

/* The attach screen: the number of kernel instances its summary line names. */
static int
pred_attach_ready(struct tui *t, void *arg)
{
	regmatch_t m[2];

	(void)arg;
	return tui_match(t->screen, "([0-9]+) kernel instances \\(kcmp\\)", m, 2) && tui_num(t->screen, m, 1) >= 3 &&
	       tui_match(t->screen, "tcp 127\\.0\\.0\\.1:[0-9]+ LISTEN \\(queue [0-9]+ of [0-9]+\\)", NULL, 0);
}

Test(tui, attach_shows_instances_listener_and_gone)
{
	char args[64], re[160];
	long long w0, w1;

	tui_init(&T, "attach");
	cr_assert_eq(hlive_start(&LIVE, "echo-herd", "pause"), 0);
	cr_assert_geq(hlive_wait(&LIVE, "action", "action", "pause: until a line arrives on standard input", 20), 0,
		      "the headless run did not reach its pause");
	w0 = hlive_pid(&LIVE, "echo-server", 0);
	w1 = hlive_pid(&LIVE, "echo-worker", 0);
	cr_assert(w0 > 0 && w1 > 0, "no workers in the headless run");
	snprintf(args, sizeof args, "attach --children %d", LIVE.pid);
	cr_assert_eq(tui_start(&T, 100, 30, args, NULL, NULL), 0);
	/* The front end's own loop and one instance per worker, and the shared listening socket. */
	cr_assert(tui_wait(&T, pred_attach_ready, NULL, WAIT_MS), "no instances or listening socket:\n%s", T.screen);
	snprintf(re, sizeof re, "^%lld echo-w0 .*\n.*LISTEN.*\n  epfd [0-9]+ \xe2\x86\x92 instance #[0-9]+", w0);
	cr_assert(tui_match(T.screen, re, NULL, 0), "worker %lld has no listener and instance:\n%s", w0, T.screen);
	cr_assert(tui_match(T.screen, "Process groups", NULL, 0), "no process-group table:\n%s", T.screen);
	cr_assert(tui_match(T.screen, TUI_ROW "epollviz echo-worker", NULL, 0),
		  "the worker is not in the process-group table:\n%s", T.screen);

	/* The watched run ends: every process of it is shown as gone. */
	kill(LIVE.pid, SIGTERM);
	snprintf(re, sizeof re, "^%lld echo-w1 +gone: the process exited while watched", w1);
	cr_assert(tui_wait_re(&T, re, 15000), "worker %lld is not shown as gone:\n%s", w1, T.screen);
	snprintf(re, sizeof re, "^%d epollviz +gone", LIVE.pid);
	cr_assert(tui_wait_re(&T, re, WAIT_MS), "the watched pid %d is not shown as gone:\n%s", LIVE.pid, T.screen);
	hlive_finish(&LIVE);
	hrun_free(&LIVE.h);
	LIVE.pid = 0;
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
}

/* Does the file at path hold text?  (The bytes the pane's program wrote, copied there by pipe-pane.) */
static int
file_holds(const char *path, const char *text)
{
	static char buf[256 * 1024];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return memmem(buf, n, text, strlen(text)) != NULL;
}

/*
 * Until its first reading is in, attach's title bar says it is reading
 * /proc (thousands of watched eventfds take seconds, and a blank terminal
 * looks hung).  The program waits on a FIFO until every byte it writes to
 * the terminal is copied to a file (pipe-pane), so the bar is seen however
 * soon the first frame replaces it.
 */
Test(tui, attach_says_it_is_reading_until_the_first_reading_is_in)
{
	char dir[] = "/tmp/epollviz-tui-XXXXXX", gate[96], log[96], before[160], args[64], pipe_cmd[160];
	uint64_t deadline;
	int fd = -1;

	tui_init(&T, "attach-reading");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(tmpdir, sizeof tmpdir, "%s", dir);
	snprintf(gate, sizeof gate, "%s/gate", dir);
	snprintf(log, sizeof log, "%s/tty.log", dir);
	cr_assert_eq(mkfifo(gate, 0600), 0);
	snprintf(before, sizeof before, "read go < '%s'", gate);
	snprintf(args, sizeof args, "attach %d", (int)getpid());
	cr_assert_eq(tui_start(&T, 100, 30, args, before, NULL), 0);
	snprintf(pipe_cmd, sizeof pipe_cmd, "cat > '%s'", log);
	cr_assert_eq(tui_sh("tmux -L %s pipe-pane -o \"%s\"", T.sock, pipe_cmd), 0);
	/* Open the gate once the pane's shell is reading it. */
	deadline = tui_now_ms() + WAIT_MS;
	while ((fd = open(gate, O_WRONLY | O_NONBLOCK)) < 0 && errno == ENXIO && tui_now_ms() < deadline)
		tui_pause_ms(TUI_POLL_MS);
	cr_assert_geq(fd, 0, "the pane's shell never opened %s: %s", gate, strerror(errno));
	cr_assert_eq(write(fd, "go\n", 3), 3);
	close(fd);

	cr_assert(tui_wait_re(&T, "attach [0-9]+ .* 1 process .* every [0-9.]+ s", WAIT_MS),
		  "no first frame:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "reading /proc", NULL, 0), "the first frame still says it is reading:\n%s",
		  T.screen);
	deadline = tui_now_ms() + WAIT_MS;
	while (!file_holds(log, "reading /proc") && tui_now_ms() < deadline)
		tui_pause_ms(TUI_POLL_MS);
	cr_assert(file_holds(log, "reading /proc"), "the title bar never said it was reading /proc before the first frame");
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
}

/* attach's help says what attach reads, not that every line comes from a trace record (it traces nothing). */
Test(tui, attach_help_does_not_claim_a_trace)
{
	char args[64];

	tui_init(&T, "attach-help");
	snprintf(args, sizeof args, "attach %d", (int)getpid());
	cr_assert_eq(tui_start(&T, 100, 30, args, NULL, NULL), 0);
	cr_assert(tui_wait_re(&T, "attach [0-9]+ .* 1 process", WAIT_MS), "no first frame:\n%s", T.screen);
	tui_keys(&T, "?");
	cr_assert(tui_wait_re(&T, "Nothing is traced", WAIT_MS), "no attach help:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "trace record", NULL, 0), "attach's help claims a trace:\n%s", T.screen);
	tui_keys(&T, "q");
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
}
