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

/* End the test's tmux server, if it started one. */
static void
truth_fini(void)
{
	tui_kill(&T);
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

/*
 * 5. After f, a job started with & runs in the foreground: the Story says
 * so, as TPGID does, not "continued (background &)".
 */
Test(truth, a_job_brought_to_the_foreground_is_not_called_background)
{
	screen(100, 30, "background-read");
	cr_assert(tui_wait_re(&T, "T +epollviz probe", WAIT_MS), "the reader was not stopped:\n%s", T.screen);
	tui_keys(&T, "f");
	tui_keys(&T, "8");
	cr_assert(tui_wait_re(&T, "job [0-9]+ continued in the foreground", WAIT_MS),
		  "the Story does not say the job continued in the foreground:\n%s", T.screen);
	cr_assert(!tui_match(T.screen, "continued \\(background &\\)", NULL, 0),
		  "the Story calls the foreground job a background one:\n%s", T.screen);
}
