/*
 * test_truth.c - the screen and the trace tell the truth, in order: one
 * test (or a few) per item of the correctness pass (issue 11), each of which
 * failed before its fix.  Headless runs where the trace is what matters;
 * the real screen in tmux where the screen is.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hrun.h"
#include "tui_helpers.h"

#define WAIT_MS 10000

static struct tui T;
static char scratch[64]; /* a test's files, removed after it */

/* End the test's tmux server, if it started one, and remove its files. */
static void
truth_fini(void)
{
	tui_kill(&T);
	if (scratch[0])
		tui_sh("rm -rf -- '%s'", scratch);
	scratch[0] = '\0';
}

/* The test's scratch directory, made on first use. */
static const char *
scratch_dir(void)
{
	if (scratch[0] == '\0') {
		snprintf(scratch, sizeof scratch, "/tmp/epollviz-truth-XXXXXX");
		cr_assert_not_null(mkdtemp(scratch), "mkdtemp");
	}
	return scratch;
}

TestSuite(truth, .fini = truth_fini, .timeout = 120);

/* Index of the first record of type by pid at or after from, or -1. */
static long
find_by(const struct hrun *h, size_t from, const char *type, long long pid)
{
	for (size_t i = from; i < h->n; i++)
		if (jis(h->recs[i], type) && jint(h->recs[i], "pid") == pid)
			return (long)i;
	return -1;
}

/*
 * 13. A naive storm that would last minutes (storm_cap 100,000,000) ends as
 * soon as ^C comes: the watcher records the SIGINT, and no capped storm.
 */
Test(truth, a_stop_during_a_naive_storm_is_taken_at_once)
{
	static struct hrun h;
	char path[256];
	long long watcher;
	long sig, exit_rec;

	cr_assert_not_null(hscenario(path, sizeof path, "storm-long",
				     "title = a naive storm that would last minutes\n"
				     "[fifo]\nhup = naive\nstorm_detail = 5\nstorm_cap = 100000000\n"),
			   "cannot write the scenario");
	cr_assert_eq(hrun(&h, path, "writer; hangup; wait 0.3; sigint"), 0, "did not run: %s", h.out);
	watcher = hpid_of_role(&h, "fifo-watch");
	cr_assert_gt(watcher, 0, "no watcher");
	cr_assert_geq(hfind(&h, 0, "hup_storm", NULL, NULL), 0, "the storm never started");
	sig = find_by(&h, 0, "signal", watcher);
	cr_assert_geq(sig, 0, "the watcher never recorded the SIGINT");
	cr_assert_str_eq(jstr(h.recs[sig], "signal"), "SIGINT", "it recorded %s", jstr(h.recs[sig], "signal"));
	for (size_t i = 0; i < h.n; i++)
		cr_assert(!(jis(h.recs[i], "hup_storm") && jtrue(h.recs[i], "capped")),
			  "the storm ran to its cap of 100,000,000 before the signal was taken");
	exit_rec = find_by(&h, (size_t)sig, "proc_exit", watcher);
	cr_assert_geq(exit_rec, 0, "the watcher did not exit after the signal");
	cr_assert_eq(hfind(&h, 0, "action", "state", "timeout"), -1, "a step timed out");
	cr_assert_eq(h.status, 0, "the run was not clean (status %d)", h.status);
	hrun_free(&h);
}

/* Start the screen at cols x rows with args (a scenario, usually). */
static void
screen(int cols, int rows, const char *args)
{
	tui_init(&T, "truth");
	cr_assert_eq(tui_start(&T, cols, rows, args, NULL, NULL), 0, "tmux did not start");
}

/* Zoom the panel titled title ("2 epoll_wait returns") with its key, or fail the test. */
static void
zoom(const char *key, const char *title)
{
	cr_assert(tui_zoom(&T, key, title, 1, WAIT_MS), "panel %s not zoomed:\n%s", key, T.screen);
}

/*
 * 5. After f, a job started with & runs in the foreground: the Story says
 * so, as TPGID does, not "continued (background &)".
 */
Test(truth, a_job_brought_to_the_foreground_is_not_called_background)
{
	screen(100, 30, "background-read");
	cr_assert(tui_wait_re(&T, "T +epollviz probe", WAIT_MS), "the reader was not stopped:\n%s", T.screen);
	tui_keys(&T, "f");
	zoom("8", "8 Story");
	cr_assert(tui_wait_re(&T, "job [0-9]+ continued in the foreground", WAIT_MS),
		  "the Story does not say the job continued in the foreground:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "continued \\(background &\\)", NULL, 0),
		  "the Story calls the foreground job a background one:\n%s", T.screen);
}

/* One line of the epoll_wait timeline: whose returns, how many. */
struct tline {
	long long pid, count;
};

/* Are two wait_return records the same return of the same process? */
static int
same_return(const json_t *a, const json_t *b)
{
	return jint(a, "pid") == jint(b, "pid") && jint(a, "epfd") == jint(b, "epfd") &&
	       jint(a, "ret") == jint(b, "ret") &&
	       json_equal(json_object_get(a, "errno"), json_object_get(b, "errno")) &&
	       json_equal(json_object_get(a, "ready"), json_object_get(b, "ready"));
}

/*
 * What the process did after the return at all[i], up to its next
 * epoll_wait: a number that differs when the screen's outcome does (the
 * semaphore lost, connections accepted, an accept's EAGAIN).
 */
static long long
outcome_of(json_t *const *all, int nall, int i)
{
	long long pid = jint(all[i], "pid"), o = 0;

	for (int k = i + 1; k < nall; k++) {
		const json_t *r = all[k];

		if (jint(r, "pid") != pid)
			continue;
		if (jis(r, "wait_enter") || jis(r, "wait_return"))
			break;
		if (jis(r, "sem_trywait") && jint(r, "ret") < 0)
			o += 1000000;
		if (jis(r, "accept"))
			o += jint(r, "ret") >= 0 ? 1 : 1000;
	}
	return o;
}

/*
 * The timeline a recording should show: its wait_return records in time
 * order, identical returns of one process (the same result, and the same
 * outcome after it) folded only when nothing else happened in between.
 * Returns the number of lines.
 */
static int
lines_of_recording(const char *rec, struct tline *out, int max)
{
	char path[128];
	static json_t *all[4096];
	json_t *w[512];
	long long outcome[512];
	size_t len;
	char *text, *line, *save = NULL;
	int nw = 0, n = 0, nall = 0;

	snprintf(path, sizeof path, "%s/replay.json", scratch_dir());
	cr_assert_eq(tui_sh("'%s' --headless replay '%s' --json > '%s'", T.bin, rec, path), 0, "replay failed");
	text = hread_file(path, &len);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, 0, NULL);

		if (o && nall < (int)(sizeof all / sizeof all[0]))
			all[nall++] = o;
		else
			json_decref(o);
	}
	free(text);
	for (int i = 0; i < nall; i++) {
		if (jis(all[i], "wait_return") && nw < (int)(sizeof w / sizeof w[0])) {
			outcome[nw] = outcome_of(all, nall, i);
			w[nw++] = all[i];
		}
	}
	/* Records of different processes come in the order they were flushed: sort by time, stably. */
	for (int i = 1; i < nw; i++)
		for (int j = i; j > 0 && jint(w[j - 1], "ts_ns") > jint(w[j], "ts_ns"); j--) {
			json_t *t = w[j];
			long long to = outcome[j];

			w[j] = w[j - 1];
			outcome[j] = outcome[j - 1];
			w[j - 1] = t;
			outcome[j - 1] = to;
		}
	for (int i = 0; i < nw; i++) {
		if (i > 0 && same_return(w[i - 1], w[i]) && outcome[i - 1] == outcome[i]) {
			out[n - 1].count++;
			continue;
		}
		cr_assert_lt(n, max, "more than %d timeline lines", max);
		out[n].pid = jint(w[i], "pid");
		out[n++].count = 1;
	}
	for (int i = 0; i < nall; i++)
		json_decref(all[i]);
	return n;
}

/* The timeline lines on the screen (panel 2 zoomed), checking that their times never go back. */
static int
lines_on_screen(const char *screen, struct tline *out, int max)
{
	const char *p = screen;
	double last = -1;
	int n = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char row[512], count[32] = "1";
		regmatch_t m[4];
		double t;

		snprintf(row, sizeof row, "%.*s", (int)(len < sizeof row ? len : sizeof row - 1), p);
		p += len + (nl != NULL);
		if (!tui_match(row, "^ +([0-9]+\\.[0-9]{3}) ([0-9]+) ", m, 4))
			continue;
		t = strtod(row + m[1].rm_so, NULL);
		cr_assert_geq(t, last, "the timeline goes back in time at:\n%s\n%s", row, screen);
		last = t;
		cr_assert_lt(n, max, "more than %d lines on the screen", max);
		out[n].pid = tui_num(row, m, 2);
		if (tui_match(row, "\xc3\x97([0-9,]+)", m, 2)) {
			int k = 0;

			for (regoff_t i = m[1].rm_so; i < m[1].rm_eo && k + 1 < (int)sizeof count; i++)
				if (row[i] != ',')
					count[k++] = row[i];
			count[k] = '\0';
		}
		out[n++].count = atoll(count);
	}
	return n;
}

/* Play the recording rec on a cols x rows screen, as fast as it goes, to its end. */
static void
replay_to_end(const char *rec, int cols, int rows)
{
	char args[256];

	snprintf(args, sizeof args, "replay '%s'", rec);
	cr_assert_eq(tui_start(&T, cols, rows, args, NULL, NULL), 0, "tmux did not start");
	cr_assert(tui_wait_re(&T, "records", WAIT_MS), "no replay screen:\n%s", T.screen);
	tui_keys(&T, "'>'"); /* fastest */
	cr_assert(tui_wait_re(&T, "END", WAIT_MS), "the replay did not end:\n%s", T.screen);
}

/*
 * 1. The epoll_wait timeline keeps history in order: a replay of a real
 * echo-herd run shows, line by line, the recording's returns in time order,
 * and a process's repeat is folded only when nothing happened in between.
 */
Test(truth, the_timeline_shows_each_return_in_time_order)
{
	char rec[128];
	struct tline want[256], got[256];
	int nwant, ngot;

	tui_init(&T, "truth");
	snprintf(rec, sizeof rec, "%s/run.rec", scratch_dir());
	cr_assert_eq(tui_sh("EPOLLVIZ_SCENARIOS='%s' '%s' --headless echo-herd --script "
			    "'connect 1; connect 1; burst 3; connect 1; connect 1; sigint' --quiet --record '%s' "
			    ">/dev/null 2>&1", T.scenarios, T.bin, rec), 0, "the recorded run failed");
	nwant = lines_of_recording(rec, want, 256);
	cr_assert_gt(nwant, 5, "only %d timeline lines in the recording", nwant);
	cr_assert_lt(nwant, 40, "%d timeline lines do not fit the zoomed panel", nwant);
	replay_to_end(rec, 120, 50);
	zoom("2", "2 epoll_wait returns");
	ngot = lines_on_screen(T.screen, got, 256);
	cr_assert_eq(ngot, nwant, "%d lines on the screen, %d in the recording:\n%s", ngot, nwant, T.screen);
	for (int i = 0; i < nwant; i++) {
		cr_assert_eq(got[i].pid, want[i].pid, "line %d is pid %lld's, the recording says %lld's:\n%s", i,
			     got[i].pid, want[i].pid, T.screen);
		cr_assert_eq(got[i].count, want[i].count, "line %d counts %lld returns, the recording %lld:\n%s", i,
			     got[i].count, want[i].count, T.screen);
	}
}

/*
 * 4. Counts agree: after a naive storm, panel 1 (the instance) and panel 2
 * (the timeline) give the same number of returns, and the worker's own
 * count of EPOLLHUP returns is the one the summary gives.
 */
Test(truth, the_instance_and_the_timeline_agree_on_returns)
{
	char path[256];
	regmatch_t m[2];
	long long inst, timeline;

	cr_assert_not_null(hscenario(path, sizeof path, "storm-short",
				     "title = a short naive storm\n"
				     "[fifo]\nhup = naive\nstorm_detail = 5\nstorm_cap = 100000\n"),
			   "cannot write the scenario");
	screen(160, 45, path);
	cr_assert(tui_wait_re(&T, "waiting for a writer", WAIT_MS), "no watcher:\n%s", T.screen);
	tui_keys(&T, "w");
	cr_assert(tui_wait_re(&T, "cap reached", 6 * WAIT_MS), "the storm did not reach its cap:\n%s", T.screen);
	/*
	 * The worker's "cap reached" comes through the pty, which is read more
	 * often than the trace pipe: wait for the records too (the panels show
	 * 100,000 returns or more) before pausing, which freezes the panels.
	 */
	cr_assert(tui_wait_re(&T, "instance #1 +[1-9][0-9]{2},[0-9]{3} returns", 6 * WAIT_MS),
		  "the storm's returns did not reach the screen:\n%s", T.screen);
	tui_keys(&T, "p");
	cr_assert(tui_wait_re(&T, "instance #1 +[0-9,]+ returns", WAIT_MS), "no instance line:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "instance #1 +([0-9,]+) returns", m, 2), "no instance count");
	inst = tui_num(T.screen, m, 1);
	cr_assert(tui_match(T.screen, "2 epoll_wait returns +([0-9,]+) returns", m, 2), "no timeline count:\n%s",
		  T.screen);
	timeline = tui_num(T.screen, m, 1);
	cr_assert_eq(inst, timeline, "panel 1 says %lld returns, panel 2 %lld:\n%s", inst, timeline, T.screen);
	cr_assert_gt(inst, 100000, "the storm's counted returns are missing: %lld", inst);
}

Test(truth, the_summary_counts_the_hang_ups_the_watcher_counted)
{
	static struct hlive l;
	char path[256];
	long cap, sum;
	json_t *procs, *p;
	size_t i;

	cr_assert_not_null(hscenario(path, sizeof path, "storm-short",
				     "title = a short naive storm\n"
				     "[fifo]\nhup = naive\nstorm_detail = 5\nstorm_cap = 100000\n"),
			   "cannot write the scenario");
	cr_assert_eq(hlive_start(&l, path, "write hello; pause; sigint"), 0, "did not start");
	cr_assert_geq(hlive_wait(&l, "tty", "text", "storm cap reached", 60), 0, "the storm did not reach its cap");
	hlive_resume(&l);
	hlive_finish(&l);
	cap = hfind(&l.h, 0, "hup_storm", NULL, NULL);
	cr_assert_geq(cap, 0, "no hup_storm record");
	while (cap >= 0 && !jtrue(l.h.recs[cap], "capped"))
		cap = hfind(&l.h, (size_t)cap + 1, "hup_storm", NULL, NULL);
	cr_assert_geq(cap, 0, "no capped hup_storm record");
	cr_assert_not_null(l.h.summary, "no summary");
	procs = json_object_get(l.h.summary, "processes");
	sum = -1;
	json_array_foreach(procs, i, p)
		if (strcmp(jstr(p, "role"), "fifo-watch") == 0)
			sum = (long)jint(p, "hup_returns");
	cr_assert_eq(sum, jint(l.h.recs[cap], "count"), "the summary says %ld EPOLLHUP returns, the watcher %lld",
		     sum, jint(l.h.recs[cap], "count"));
	hrun_free(&l.h);
}

/* How many times re matches on the screen. */
static int
count_of(const char *re)
{
	const char *p = T.screen;
	regmatch_t m[1];
	int n = 0;

	while (tui_match(p, re, m, 1)) {
		n++;
		p += m[0].rm_eo;
	}
	return n;
}

/* Does the screen show two sockets' accept queues? */
static int
two_queues(struct tui *t, void *arg)
{
	(void)t;
	(void)arg;
	return count_of("accept queue 0 .*socket:\\[[0-9]+\\]") >= 2;
}

/*
 * 2. After ^C the listening socket is gone: no accept queue is shown for it,
 * the panel says it closed (and what was waiting in it was reset).
 */
Test(truth, a_closed_listener_shows_no_accept_queue)
{
	screen(160, 45, "echo-herd");
	cr_assert(tui_wait_re(&T, "accept queue 0", WAIT_MS), "no accept queue:\n%s", T.screen);
	tui_keys(&T, "z");
	cr_assert(tui_wait_re(&T, "T +epollviz echo-server", WAIT_MS), "the server was not stopped:\n%s", T.screen);
	tui_keys(&T, "b");
	cr_assert(tui_wait_re(&T, "accept queue [1-9][0-9]* waiting", WAIT_MS), "the burst did not queue:\n%s", T.screen);
	tui_keys(&T, "f");
	cr_assert(tui_wait_re(&T, "[SR]\\+ +epollviz echo-server", WAIT_MS), "the server was not continued:\n%s",
		  T.screen);
	/* One accept per edge: what is still queued stays there until the end. */
	cr_assert(tui_wait_re(&T, "accept queue [1-9][0-9]* waiting", WAIT_MS), "nothing stayed queued:\n%s", T.screen);
	tui_keys(&T, "C-c");
	cr_assert(tui_wait_re(&T, "no epoll instance left", WAIT_MS), "the server did not end:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "listener :[0-9]+ closed", WAIT_MS),
		  "the panel does not say the listener closed:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "accept queue [0-9]+", NULL, 0),
		  "an accept queue is shown for a closed listener:\n%s", T.screen);
}

/*
 * 11. SO_REUSEPORT: each worker has a listening socket of its own, with its
 * own queue; the screen tells them apart by inode, as ls -l /proc/PID/fd does,
 * and those are the inodes the kernel has.
 */
Test(truth, reuseport_shows_one_socket_and_one_queue_per_worker)
{
	regmatch_t m[3];
	const char *p;
	long ino[2] = { 0, 0 };
	int n = 0;

	screen(160, 45, "echo-reuseport");
	cr_assert(tui_wait(&T, two_queues, NULL, WAIT_MS), "not one accept queue per socket:\n%s", T.screen);
	for (p = T.screen; n < 2 && tui_match(p, "accept queue 0 .*'s socket:\\[([0-9]+)\\]", m, 2); p += m[0].rm_eo)
		ino[n++] = tui_num(p, m, 1);
	cr_assert_eq(n, 2, "%d queues", n);
	cr_assert_neq(ino[0], ino[1], "both queues name socket %ld", ino[0]);
	for (int i = 0; i < 2; i++) {
		char re[64];

		snprintf(re, sizeof re, "listening :[0-9]+ socket:\\[%ld\\]", ino[i]);
		cr_assert(tui_match(T.screen, re, NULL, 0), "panel 1 does not show socket %ld:\n%s", ino[i], T.screen);
		/* The kernel's view: some worker holds a socket with that inode. */
		cr_assert_eq(tui_sh("ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q 'socket:\\[%ld\\]'", ino[i]), 0,
			     "no process holds socket:[%ld]", ino[i]);
	}
}

/* The key line: the screen's last two rows. */
static const char *
key_rows(void)
{
	static char rows[1024];
	const char *end = T.screen + strlen(T.screen), *p = end;
	int nl = 0;

	while (p > T.screen && end[-1] == '\n')
		end--;
	for (p = end; p > T.screen && nl < 2; p--)
		if (p[-1] == '\n')
			nl++;
	snprintf(rows, sizeof rows, "%.*s", (int)(end - p), p);
	return rows;
}

/* Does the key line hold every key of the echo server scenarios? */
static int
all_keys(struct tui *t, void *arg)
{
	static const char *const keys[] = { " c client", " b burst", " o hold", " i kill parent", " z stop",
					    " k kernel", " p pause", " q quit" };

	(void)t;
	(void)arg;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!tui_match(key_rows(), keys[i], NULL, 0))
			return 0;
	return 1;
}

/*
 * 9. Keys follow the state: after the server has ended, c and b are no
 * longer offered and do nothing but say why; f with nothing stopped adds no
 * fg line; a stopped worker is called stopped, not waiting.
 */
Test(truth, keys_follow_the_state)
{
	screen(100, 30, "echo-herd");
	cr_assert(tui_wait_re(&T, "listening :[0-9]+", WAIT_MS), "no listener:\n%s", T.screen);
	cr_assert(tui_wait(&T, all_keys, NULL, WAIT_MS), "not every key while the server runs:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(key_rows(), " f fg ", NULL, 0), "f offered with nothing stopped:\n%s", T.screen);
	tui_keys(&T, "f");
	cr_assert(tui_wait_re(&T, "f: no job is stopped", WAIT_MS), "f does not say why it does nothing:\n%s", T.screen);
	tui_keys(&T, "z");
	cr_assert(tui_wait_re(&T, "stopped inside epoll_wait", WAIT_MS), "a stopped worker is not called stopped:\n%s",
		  T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "waiting since", NULL, 0), "a stopped worker is said to wait:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, " f fg ", WAIT_MS), "f not offered for the stopped job:\n%s", T.screen);
	tui_keys(&T, "f");
	cr_assert(tui_wait_re(&T, "waiting since", WAIT_MS), "the continued workers do not wait again:\n%s", T.screen);
	tui_keys(&T, "C-c");
	cr_assert(tui_wait_re(&T, "no epoll instance left", WAIT_MS), "the server did not end:\n%s", T.screen);
	/* With nothing left to act on, the key line begins with the screen's own keys. */
	cr_assert(tui_wait_re(&T, "^ k kernel  p pause", WAIT_MS), "the key line did not change:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(key_rows(), " c client| b burst| i kill parent| z stop", NULL, 0),
		  "keys that need the server are offered after it ended:\n%s", key_rows());
	tui_keys(&T, "c");
	cr_assert(tui_wait_re(&T, "c: no listening socket", WAIT_MS), "c does not say why it does nothing:\n%s",
		  T.screen);
	zoom("8", "8 Story");
	cr_assert_eq(count_of("fg: the session leader"), 1, "not one fg line for one fg that could act:\n%s",
		     T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "failed: ", NULL, 0), "a key that could not act left a line in the Story:\n%s",
		  T.screen);
}

/*
 * 6. At 80x24 the title bar keeps PAUSED and REC ahead of the rates, and the
 * key line (two rows) offers the scenario's keys, not just five of them.
 */
Test(truth, the_80x24_screen_keeps_pause_rec_and_the_keys)
{
	char args[256];

	snprintf(args, sizeof args, "--record '%s/r.rec' echo-herd", scratch_dir());
	screen(80, 24, args);
	cr_assert(tui_wait_re(&T, "REC r\\.rec", WAIT_MS), "no REC in the title bar:\n%s", T.screen);
	/* The keys come as what they act on does (the listener, the server's parent). */
	cr_assert(tui_wait(&T, all_keys, NULL, WAIT_MS), "not every key of the scenario is on the key line:\n%s",
		  key_rows());
	tui_keys(&T, "p");
	cr_assert(tui_wait_re(&T, "PAUSED", WAIT_MS), "no PAUSED in the title bar:\n%s", T.screen);
}

/*
 * 10. Words a student can take literally: each worker "accepted" its
 * connections, the split adds up to 100%, and the wake-up line says "slept
 * N, returned M" with what the difference means.
 */
/* The "N accepted" of every worker row on the screen, added up. */
static long
accepted_on_screen(const char *screen)
{
	regmatch_t m[2];
	long accepted = 0;

	for (const char *p = screen; tui_match(p, "echo-w[0-9]+ +([0-9]+) accepted", m, 2); p += m[0].rm_eo)
		accepted += tui_num(p, m, 1);
	return accepted;
}

/* tui_wait predicate: the workers' rows say *(long *)arg accepted in all. */
static int
pred_accepted(struct tui *t, void *arg)
{
	return accepted_on_screen(t->screen) == *(long *)arg;
}

Test(truth, the_connection_split_adds_up_and_says_accepted)
{
	regmatch_t m[3];
	const char *p;
	long sum = 0, accepted = 0, three = 3;
	int rows = 0;

	screen(100, 30, "echo-herd");
	for (int i = 1; i <= 3; i++) {
		char re[64];

		cr_assert(tui_wait_re(&T, " c client", WAIT_MS), "no c key:\n%s", T.screen);
		tui_keys(&T, "c");
		snprintf(re, sizeof re, "%d answered", i);
		cr_assert(tui_wait_re(&T, re, WAIT_MS), "client %d not answered:\n%s", i, T.screen);
	}
	/* A worker writes its trace when it blocks again: its accept may reach the screen after the reply. */
	cr_assert(tui_wait(&T, pred_accepted, &three, WAIT_MS), "%ld accepted for 3 clients:\n%s",
		  accepted_on_screen(T.screen), T.screen);
	for (p = T.screen; tui_match(p, "echo-w[0-9]+ +([0-9]+) accepted[^%]*[^0-9]([0-9]+)%", m, 3); p += m[0].rm_eo) {
		accepted += tui_num(p, m, 1);
		sum += tui_num(p, m, 2);
		rows++;
	}
	cr_assert_eq(rows, 2, "%d worker rows say 'accepted':\n%s", rows, T.screen);
	cr_assert_eq(accepted, 3, "%ld accepted for 3 clients:\n%s", accepted, T.screen);
	cr_assert_eq(sum, 100, "the split adds up to %ld%%:\n%s", sum, T.screen);
	cr_assert(tui_wait_re(&T, "slept [0-9]+, returned [0-9]+", WAIT_MS), "no 'slept N, returned M':\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "served|woken [0-9]", NULL, 0), "old wording on the screen:\n%s", T.screen);
}

/*
 * 12. ctl-errors: panel 1 lists the failed epoll_ctl calls in the order they
 * were made and says k shows the kernel's own list; k shows the kernel's
 * masks as fdinfo (and attach) give them, ERR|HUP included.
 */
Test(truth, ctl_errors_in_order_and_the_kernel_masks_as_fdinfo_has_them)
{
	regmatch_t a[1], b[1];

	screen(100, 30, "ctl-errors");
	cr_assert(tui_wait_re(&T, "= -1 EBADF", WAIT_MS), "no failed DEL:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "interest list empty as traced; k: the kernel's own", WAIT_MS),
		  "no hint that k shows the kernel's list:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "epoll_ctl\\(EPOLL_CTL_ADD, fd [0-9]+\\) = -1 EEXIST", a, 1), "no EEXIST:\n%s",
		  T.screen);
	cr_assert(tui_match(T.screen, "epoll_ctl\\(EPOLL_CTL_DEL, fd [0-9]+\\) = -1 EBADF", b, 1), "no EBADF");
	cr_assert_lt(a[0].rm_so, b[0].rm_so, "the later EBADF is listed before the earlier EEXIST:\n%s", T.screen);
	tui_keys(&T, "k");
	cr_assert(tui_wait_re(&T, "only in the kernel's list", WAIT_MS), "no kernel-only entry:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "^ +[0-9]+ +IN\\|ERR\\|HUP ", WAIT_MS), "the kernel's mask lacks ERR|HUP:\n%s",
		  T.screen);
}

/* Is every row under the title bar either the help box's or blank (nothing of the panels beside it)? */
static int
help_alone(struct tui *t, void *arg)
{
	const char *p = strchr(t->screen, '\n');
	int rows = 0;

	(void)arg;
	while (p && p[1]) {
		const char *row = p + 1, *end = strchr(row, '\n');
		size_t len = end ? (size_t)(end - row) : strlen(row);
		char buf[512];

		snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), row);
		if (!tui_match(buf, "^ *$", NULL, 0) && !tui_match(buf, "^  (\xe2\x94\x82|\xe2\x94\x80).*(\xe2\x94\x82|\xe2\x94\x80) *$", NULL, 0))
			return 0;
		rows++;
		p = end;
	}
	return rows > 10;
}

/* 12. The help overlay leaves no fragment of the screen beside it. */
Test(truth, the_help_overlay_leaves_no_fragments)
{
	screen(80, 24, "ctl-errors");
	cr_assert(tui_wait_re(&T, "= -1 EBADF", WAIT_MS), "no run:\n%s", T.screen);
	tui_keys(&T, "'?'");
	cr_assert(tui_wait_re(&T, "Help: what each panel shows", WAIT_MS), "no help:\n%s", T.screen);
	cr_assert(tui_wait(&T, help_alone, NULL, WAIT_MS), "fragments beside the help box:\n%s", T.screen);
}

/* Display columns of the first n bytes of a captured row: its UTF-8 code points, not its bytes. */
static int
row_cols(const char *row, regoff_t n)
{
	int c = 0;

	for (regoff_t i = 0; i < n; i++)
		c += ((unsigned char)row[i] & 0xc0) != 0x80;
	return c;
}

/*
 * 7. The process table lines up: in every row, marked ▶ (3 bytes, one
 * column) or not, the PID ends in the same display column as the header's
 * PID, counted in code points from capture-pane.
 */
Test(truth, the_foreground_rows_line_up_with_the_header)
{
	const char *p;
	regmatch_t m[3];
	int head = -1, fg = 0, other = 0;

	screen(100, 30, "background-read");
	cr_assert(tui_wait_re(&T, "T +epollviz probe", WAIT_MS), "the reader was not stopped:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "^\xe2\x96\xb6 ", WAIT_MS), "no foreground row:\n%s", T.screen);
	for (p = T.screen; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char row[1024];

		snprintf(row, sizeof row, "%.*s", (int)(len < sizeof row ? len : sizeof row - 1), p);
		p += len + (nl != NULL);
		if (tui_match(row, "^( +PID) +PPID +PGID +SID +TTY +TPGID +STAT +CMD", m, 2)) {
			head = row_cols(row, m[1].rm_eo);
			continue;
		}
		if (!tui_match(row, TUI_ROW, m, 3))
			continue;
		cr_assert_geq(head, 0, "a row before the header:\n%s", T.screen);
		cr_assert_eq(row_cols(row, m[2].rm_eo), head,
			     "the PID of this row ends in column %d, the header's in column %d:\n%s\n%s",
			     row_cols(row, m[2].rm_eo), head, row, T.screen);
		if (row[0] == ' ')
			other++;
		else
			fg++;
	}
	cr_assert_gt(fg, 0, "no foreground (marked) row:\n%s", T.screen);
	cr_assert_gt(other, 0, "no row outside the foreground:\n%s", T.screen);
}

/*
 * 6. At 80x24 a Story line too long for its panel is wrapped onto an
 * indented continuation, not cut mid-word ("probe-ttyread st…").
 */
Test(truth, a_long_story_line_is_wrapped_not_cut_mid_word)
{
	screen(80, 24, "background-read");
	cr_assert(tui_wait_re(&T, "T +epollviz probe", WAIT_MS), "the reader was not stopped:\n%s", T.screen);
	/* Whole on its line, or wrapped whole onto a continuation: never "st…". */
	cr_assert(tui_wait_re(&T, "probe-ttyread stopped by SIGTTIN|^ +stopped by SIGTTIN", WAIT_MS),
		  "the SIGTTIN line of the Story is cut:\n%s", T.screen);
}

/*
 * 6. A zoomed panel wraps its long lines instead of cutting them: at 80
 * columns the process table's notes are whole (a note may wrap between its
 * words: how long the command lines are depends on where the build lives)
 * and no line ends in "…".
 */
Test(truth, a_zoomed_panel_wraps_its_long_lines)
{
	screen(80, 24, "background-read");
	cr_assert(tui_wait_re(&T, "T +epollviz probe", WAIT_MS), "the reader was not stopped:\n%s", T.screen);
	zoom("6", "6 Process groups");
	cr_assert(tui_wait_re(&T, "the[[:space:]]+shell\\)", WAIT_MS), "the session leader's note is cut:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "front[[:space:]]+end\\)", WAIT_MS), "the front end's note is cut:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(T.screen, "\xe2\x80\xa6", NULL, 0), "a line is cut:\n%s", T.screen);
}

/* Does the recording at path hold an accept that failed with EAGAIN (a worker that lost the race)? */
static int
recording_has_eagain(const char *path)
{
	return tui_sh("'%s' --headless replay '%s' --json 2>/dev/null | grep -q '\"type\":\"accept\".*\"errno\":\"EAGAIN\"'",
		      T.bin, path) == 0;
}

/*
 * 3. echo-none shows its point: in a run where a worker lost the race for
 * a connection (its accept = -1 EAGAIN), the Story says so and the
 * Connections panel counts it per worker.  Whether the loser returns from
 * epoll_wait at all is a race of its own, so the run is recorded (again,
 * until one has a lost race) and replayed on the screen.
 */
Test(truth, echo_none_shows_the_losers_eagain)
{
	char rec[128];
	int tries;

	tui_init(&T, "truth");
	snprintf(rec, sizeof rec, "%s/none.rec", scratch_dir());
	for (tries = 0; tries < 12; tries++) {
		cr_assert_eq(tui_sh("EPOLLVIZ_SCENARIOS='%s' '%s' --headless echo-none --script 'connect 20' "
				    "--quiet --record '%s' >/dev/null 2>&1", T.scenarios, T.bin, rec), 0,
			     "the recorded run failed");
		if (recording_has_eagain(rec))
			break;
	}
	cr_assert_lt(tries, 12, "no worker lost a race in 12 runs of 20 connections");
	replay_to_end(rec, 160, 60);
	zoom("8", "8 Story");
	cr_assert(tui_match(T.screen, "echo-w[0-9] +accept\\(3\\) = -1 EAGAIN: another worker took the "
				      "connection \\(lost the race\\)", NULL, 0),
		  "the Story does not show the loser's EAGAIN:\n%s", T.screen);
	zoom("4", "4 Connections");
	cr_assert(tui_match(T.screen, "echo-w[0-9] +[0-9]+ accepted.* lost [1-9]", NULL, 0),
		  "the Connections panel does not count the lost race:\n%s", T.screen);
}

/*
 * 8. A client that fails gets a Story line with its reason: after z (the
 * server's job stopped) a client connects, its connection waits in the
 * accept queue, and no reply comes.
 */
Test(truth, a_client_the_stopped_server_never_answers_gets_its_reason)
{
	screen(160, 45, "echo-herd");
	zoom("8", "8 Story");
	cr_assert(tui_wait_re(&T, "echo-w1 +epoll_create1", WAIT_MS), "the workers did not start:\n%s", T.screen);
	tui_keys(&T, "z");
	cr_assert(tui_wait_re(&T, "job [0-9]+ stopped", WAIT_MS), "the server's job was not stopped:\n%s", T.screen);
	tui_keys(&T, "c");
	cr_assert(tui_wait_re(&T, "client [0-9]+ failed: no reply in [0-9.]+ s, never accepted: the server was "
				  "stopped \\(\\^Z\\), 1 connection waiting in the accept queue", 3 * WAIT_MS),
		  "no Story line says why the client failed:\n%s", T.screen);
}

/*
 * 8. A client that cannot even connect is told apart: with backlog 1 and
 * the server stopped, two connections fill the accept queue and the
 * third's SYN is dropped until its connect times out.
 */
Test(truth, a_client_refused_by_a_full_accept_queue_gets_its_reason)
{
	char path[256];

	cr_assert_not_null(hscenario(path, sizeof path, "backlog-1",
				     "title = a one-place accept queue\n[echo]\nworkers = 2\nbacklog = 1\n"),
			   "cannot write the scenario");
	screen(160, 45, path);
	zoom("8", "8 Story");
	cr_assert(tui_wait_re(&T, "echo-w1 +epoll_create1", WAIT_MS), "the workers did not start:\n%s", T.screen);
	tui_keys(&T, "z");
	cr_assert(tui_wait_re(&T, "job [0-9]+ stopped", WAIT_MS), "the server's job was not stopped:\n%s", T.screen);
	tui_keys(&T, "o");
	tui_keys(&T, "o");
	tui_keys(&T, "o");
	cr_assert(tui_wait_re(&T, "client [0-9]+ failed: could not connect in [0-9.]+ s: the accept queue was "
				  "full \\(2 waiting, backlog 1\\)", 3 * WAIT_MS),
		  "no Story line says why the client could not connect:\n%s", T.screen);
}

/*
 * 14. notes-as-written starts the FIFO watcher with '&': ^Z cannot reach it,
 * so Z stops it with kill -STOP (and G continues it).  While the server holds
 * the terminal, f is not offered (a shell takes fg only once it has the
 * terminal back) and says so when pressed.  W Z l h G then loses 345 bytes,
 * as the scenario's description says.
 */
Test(truth, a_background_watcher_is_stopped_by_kill_and_loses_what_the_description_says)
{
	screen(100, 30, "notes-as-written");
	cr_assert(tui_wait_re(&T, " W writer", WAIT_MS), "no W key:\n%s", T.screen);
	tui_keys(&T, "W");
	cr_assert(tui_wait_re(&T, " h hang up", WAIT_MS), "no writer held:\n%s", T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(key_rows(), " W writer", NULL, 0), "W offered with a writer held:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, " Z stop FIFO", WAIT_MS), "no Z key for the background watcher:\n%s", T.screen);
	tui_keys(&T, "Z");
	cr_assert(tui_wait_re(&T, " G cont FIFO", WAIT_MS), "the watcher was not stopped:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "T +epollviz fifo-watch", WAIT_MS), "/proc does not show the watcher stopped:\n%s",
		  T.screen);
	tui_settle(&T, WAIT_MS); /* the frame whole, not half drawn */
	cr_assert(!tui_match(key_rows(), " f fg ", NULL, 0), "f offered while the server holds the terminal:\n%s",
		  T.screen);
	tui_keys(&T, "f");
	cr_assert(tui_wait_re(&T, "f: a job runs in the foreground", WAIT_MS), "f does not say why it cannot act:\n%s",
		  T.screen);
	tui_keys(&T, "l");
	cr_assert(tui_wait_re(&T, "write-close 600: wrote", WAIT_MS), "l did not write:\n%s", T.screen);
	tui_keys(&T, "h");
	cr_assert(tui_wait_re(&T, " W writer", WAIT_MS), "h did not hang up:\n%s", T.screen);
	tui_keys(&T, "G");
	zoom("5", "5 FIFO");
	cr_assert(tui_wait_re(&T, "lost 345 B: unread at the close", WAIT_MS), "the 345 bytes are not lost:\n%s",
		  T.screen);
	cr_assert(tui_wait_re(&T, "you wrote 600 B, it read 255 B", WAIT_MS), "not 600 written, 255 read:\n%s",
		  T.screen);
}

/* Does the key line hold every key of arg (a NULL-terminated list of regular expressions)? */
static int
keys_offered(struct tui *t, void *arg)
{
	(void)t;
	for (const char *const *k = arg; *k; k++)
		if (!tui_match(key_rows(), *k, NULL, 0))
			return 0;
	return 1;
}

/*
 * 15. At 80x24 the key line of the scenario with the most keys keeps the
 * keys its description names: when a whole priority level does not fit in
 * two rows, as many of its keys as fit are shown, not none (z, i and k went
 * with the level that one more key overflowed, leaving a row empty).
 */
Test(truth, at_80x24_a_level_of_keys_that_does_not_fit_whole_is_shown_in_part)
{
	static const char *const stops[] = { " z stop ", " Z stop FIFO", NULL };

	screen(80, 24, "notes-as-written");
	cr_assert(tui_wait(&T, keys_offered, (void *)stops, WAIT_MS), "z or Z is missing from the key line:\n%s",
		  T.screen);
}

/* 16. At 80x24, holding a client brings s and x onto the key line: they are what acts on it. */
Test(truth, at_80x24_a_held_client_brings_s_and_x)
{
	static const char *const held[] = { " s send ", " x close ", NULL };

	screen(80, 24, "echo-herd");
	cr_assert(tui_wait_re(&T, " o hold", WAIT_MS), "no o key:\n%s", T.screen);
	tui_keys(&T, "o");
	cr_assert(tui_wait(&T, keys_offered, (void *)held, WAIT_MS),
		  "s or x is not on the key line with a client held:\n%s", T.screen);
}
