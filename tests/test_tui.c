/*
 * test_tui.c - end-to-end tests of the ncurses front end: the real binary
 * in a private tmux server (100x30), driven with send-keys and read with
 * capture-pane, as a person would.  Every wait polls the screen against a
 * deadline.  Loopback only; every test kills its tmux server at the end
 * (and a failed assertion still runs the fini that does it).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui_helpers.h"

#define WAIT_MS 10000
#define MAX_PIDS 16
/* A row of the process-group table up to CMD: marker, PID PPID PGID SID TTY TPGID STAT. */
#define ROW "^(\xe2\x96\xb6 |  ) *([0-9]+) +[0-9]+ +[0-9]+ +[0-9]+ +pts/[0-9]+ +[0-9]+ +[A-Za-z+]+ +"

static struct tui T;
static char tmpdir[64]; /* a test's scratch directory, removed even when it fails */

/* Kill the test's tmux server and remove its scratch directory. */
static void
tui_fini(void)
{
	tui_kill(&T);
	if (tmpdir[0])
		tui_sh("rm -rf '%s'", tmpdir);
}

TestSuite(tui, .fini = tui_fini, .timeout = 90);

/* The connection panel's "PID echo-wN   K served" lines: pids and counts. */
static int
served(const char *s, long *pids, long *counts, int max)
{
	regmatch_t m[3];
	int n = 0;

	while (n < max && tui_match(s, "([0-9]+) echo-w[0-9]+ +([0-9]+) served", m, 3)) {
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
	return session > 0 && !tui_match(t->screen, ROW "epollviz echo-(server|worker)", NULL, 0) &&
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

	tui_keys(&T, "c");
	tui_keys(&T, "c");
	tui_keys(&T, "c");
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

	/* The timeline, zoomed (key 2) to see more of it, has returns of both workers. */
	tui_keys(&T, "2");
	cr_assert(tui_wait_re(&T, "2 epoll_wait returns", WAIT_MS));
	for (int i = 0; i < 2; i++) {
		snprintf(re, sizeof re, "^ +[0-9]+\\.[0-9]{3} %ld echo-w[01] +[0-9]+ +[0-9]+ ", h.pids[i]);
		cr_assert(tui_wait_re(&T, re, WAIT_MS), "no epoll_wait return of pid %ld:\n%s", h.pids[i], T.screen);
	}
	tui_keys(&T, "2");
	cr_assert(tui_wait_re(&T, "6 Process groups", WAIT_MS), "zoom did not end:\n%s", T.screen);

	/* Ctrl+C: the server group leaves the table, the session leader is foreground again. */
	tui_keys(&T, "C-c");
	cr_assert(tui_wait(&T, pred_server_gone, NULL, 15000),
		  "after Ctrl+C the server group is still listed or the shell is not foreground:\n%s", T.screen);
	/* The story, zoomed (key 8), tells the propagation: the kernel's SIGINT to both workers. */
	tui_keys(&T, "8");
	for (int i = 0; i < 2; i++) {
		snprintf(re, sizeof re, "%ld echo-w[01] +[^ ]+ SIGINT +SI_KERNEL +from the kernel", h.pids[i]);
		cr_assert(tui_wait_re(&T, re, WAIT_MS), "the story lacks the kernel's SIGINT to %ld:\n%s", h.pids[i],
			  T.screen);
	}
	cr_assert(tui_match(T.screen, "the session leader takes the foreground back", NULL, 0),
		  "the story lacks the shell taking the terminal back:\n%s", T.screen);
	tui_keys(&T, "8");
	cr_assert(tui_wait_re(&T, "6 Process groups", WAIT_MS), "zoom did not end:\n%s", T.screen);
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
	return session > 0 && !tui_match(t->screen, ROW "epollviz echo-(server|worker)", NULL, 0) &&
	       tui_match(t->screen, ROW "epollviz fifo-watch", NULL, 0) &&
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
	tui_keys(&T, "5");
	cr_assert(tui_wait_re(&T, "5 FIFO", WAIT_MS), "no FIFO panel:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "reads 1 \\([0-9]+ B\\)", WAIT_MS), "the background watcher did not read:\n%s",
		  T.screen);
	cr_assert(tui_match(T.screen, "last read \"line 1 from epollviz", NULL, 0), "the line read is not shown:\n%s",
		  T.screen);
	tui_keys(&T, "5");
	cr_assert(tui_wait_re(&T, "6 Process groups", WAIT_MS), "zoom did not end:\n%s", T.screen);
	cr_assert(tui_match(T.screen, ROW "epollviz fifo-watch", NULL, 0), "the watcher is gone:\n%s", T.screen);
}

/* The pane's shell printed the exit status (it may have scrolled into the history). */
static int
pred_exited(struct tui *t, void *arg)
{
	(void)arg;
	return tui_match(tui_capture_opt(t, 1), "EPOLLVIZ-EXIT=[0-9]+", NULL, 0);
}

/* Files are equal byte for byte. */
static int
same_file(const char *a, const char *b)
{
	return tui_sh("cmp -s '%s' '%s'", a, b) == 0;
}

Test(tui, quit_leaves_no_process_and_same_stty)
{
	char dir[] = "/tmp/epollviz-tui-XXXXXX", before[600], after[600], pre[700], post[700];
	long pids[MAX_PIDS];
	int npids = 0;
	const char *s;
	regmatch_t m[3];

	cr_assert_not_null(mkdtemp(dir));
	snprintf(tmpdir, sizeof tmpdir, "%s", dir);
	snprintf(before, sizeof before, "%s/before", dir);
	snprintf(after, sizeof after, "%s/after", dir);
	snprintf(pre, sizeof pre, "stty -a > '%s'", before);
	snprintf(post, sizeof post, "stty -a > '%s'", after);
	tui_init(&T, "quit");
	cr_assert_eq(tui_start(&T, 100, 30, "echo-herd", pre, post), 0);
	cr_assert(tui_wait_re(&T, "epollviz session[^\n]*\n[^\n]*epollviz echo-server[^\n]*\n[^\n]*echo-worker", WAIT_MS),
		  "the scenario did not start:\n%s", T.screen);
	tui_keys(&T, "c");
	cr_assert(tui_wait_re(&T, "last reply", WAIT_MS), "no reply:\n%s", T.screen);
	/* Record the pids the table shows for the scenario's session. */
	s = T.screen;
	while (npids < MAX_PIDS && tui_match(s, ROW "epollviz (session|echo-)", m, 3)) {
		pids[npids++] = tui_num(s, m, 2);
		s += m[0].rm_eo;
	}
	cr_assert_geq(npids, 3, "expected the session leader and two workers in the table:\n%s", T.screen);
	for (int i = 0; i < npids; i++)
		cr_assert(tui_pid_alive((int)pids[i]), "pid %ld from the table is not running", pids[i]);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, pred_exited, NULL, 15000), "epollviz did not exit on q:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
	for (int i = 0; i < npids; i++)
		cr_assert(!tui_pid_alive((int)pids[i]), "pid %ld of the run survived the quit", pids[i]);
	for (int i = 0; i < 50 && access(after, R_OK) != 0; i++)
		tui_pause_ms(TUI_POLL_MS); /* the pane's shell writes it right after the exit line */
	cr_assert(access(before, R_OK) == 0 && access(after, R_OK) == 0, "stty -a output missing");
	cr_assert(same_file(before, after), "stty -a differs after epollviz exited");
	unlink(before);
	unlink(after);
	rmdir(dir);
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
