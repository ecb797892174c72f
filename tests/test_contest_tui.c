/*
 * test_contest_tui.c - `epollviz contest` on the screen, in tmux: the table
 * fills in as each strategy finishes, Enter plays a strategy's recording on
 * the usual panels and q comes back to the table, q quits with the
 * terminal as it was and the recordings' directory gone.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui_helpers.h"

#define WAIT_MS 60000

static struct tui T;

static void
fini(void)
{
	tui_kill(&T);
}

TestSuite(contest_tui, .fini = fini, .timeout = 180);

/* Is the directory empty? */
static int
empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n == 0;
}

/* q: the program exits 0, the terminal as it was, nothing left in the contest's directory tmp. */
static void
quit_clean(const char *tmp)
{
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
	cr_assert(tui_stty_same(&T), "the terminal was not restored");
	cr_assert(empty_dir(tmp), "the contest left files in %s", tmp);
	rmdir(tmp);
}

Test(contest_tui, the_table_fills_in_and_rows_replay)
{
	char tmp[256];

	snprintf(tmp, sizeof tmp, "%s/build/tests/contest-tui.XXXXXX", getcwd((char[PATH_MAX]){ 0 }, PATH_MAX));
	cr_assert_not_null(mkdtemp(tmp));
	setenv("TMPDIR", tmp, 1); /* the tmux server, and so the program, inherits it */
	tui_init(&T, "contest");
	cr_assert_eq(tui_start_stty(&T, 100, 30,
				    "contest --strategies semaphore,exclusive --workers 2 --rate 100 --duration 1s"),
		     0, "tmux did not start");
	cr_assert(tui_wait_re(&T, "accept contest .* 2 workers .* 100/s for 1.0 s, short", WAIT_MS), "no title:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "2 of 2 done", WAIT_MS), "the contest did not finish:\n%s", T.screen);
	/* Both rows with numbers: a fairness, wake-ups per connection, and the detail of the first. */
	cr_assert(tui_match(T.screen, "semaphore +[^ ]+ +[01]\\.[0-9]{3} +[0-9]+\\.[0-9]{2}", NULL, 0),
		  "no semaphore row:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "exclusive +[^ ]+ +[01]\\.[0-9]{3} +[0-9]+\\.[0-9]{2}", NULL, 0),
		  "no exclusive row:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "semaphore: every worker is woken", NULL, 0), "no detail:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "w0 +[0-9]+ +[0-9]+ +[0-9.]+%(.|\n)*w1 +[0-9]+ +[0-9]+ +[0-9.]+%", NULL, 0),
		  "no per-worker rows:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "clients: 100 due, 100 answered", NULL, 0), "not every client answered:\n%s",
		  T.screen);

	/* Enter: the first row's recording on the usual panels; q back to the table. */
	tui_keys(&T, "Enter");
	cr_assert(tui_wait_re(&T, "replay of contest-semaphore", WAIT_MS), "Enter did not replay:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "Epoll instances", WAIT_MS), "no panels in the replay:\n%s", T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait_re(&T, "2 of 2 done", WAIT_MS), "q did not come back to the table:\n%s", T.screen);
	tui_keys(&T, "Down");
	cr_assert(tui_wait_re(&T, "exclusive: EPOLLEXCLUSIVE", WAIT_MS), "Down did not choose exclusive:\n%s",
		  T.screen);
	tui_keys(&T, "Enter");
	cr_assert(tui_wait_re(&T, "replay of contest-exclusive", WAIT_MS), "no exclusive replay:\n%s", T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait_re(&T, "2 of 2 done", WAIT_MS), "q did not come back:\n%s", T.screen);

	quit_clean(tmp);
}

/* q while a strategy runs: it ends cleanly, the program exits at once with nothing left. */
Test(contest_tui, q_while_running_ends_cleanly)
{
	char tmp[256];

	snprintf(tmp, sizeof tmp, "%s/build/tests/contest-tui.XXXXXX", getcwd((char[PATH_MAX]){ 0 }, PATH_MAX));
	cr_assert_not_null(mkdtemp(tmp));
	setenv("TMPDIR", tmp, 1);
	tui_init(&T, "contestq");
	cr_assert_eq(tui_start_stty(&T, 80, 24, "contest --workers 2 --rate 100 --duration 30s"), 0);
	cr_assert(tui_wait_re(&T, "running [0-9.]+ s: [0-9]+ of [0-9]+ answered", WAIT_MS),
		  "no live row:\n%s", T.screen);
	quit_clean(tmp);
}
