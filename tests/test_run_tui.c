/*
 * test_run_tui.c - `epollviz run` on the screen, in tmux, as a student
 * would use it: the example echo server (examples/echo_server.c) run
 * under the tracer shows what echo-herd shows: an epoll instance per
 * process watching the listening socket, each return's outcome, the
 * semaphore's users, connections per pid, and after Ctrl+C the kernel's
 * SIGINT in both processes, the parent's kill, the reap and the unlink.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>

#include "hrun.h"
#include "tui_helpers.h"

#define WAIT_MS 15000

static struct tui T;

/* End the test's tmux server, if it started one. */
static void
fini(void)
{
	tui_kill(&T);
}

TestSuite(run_tui, .fini = fini, .timeout = 120);

Test(run_tui, the_students_server_shows_the_panels_of_echo_herd)
{
	char args[PATH_MAX + 16], want[64];

	tui_init(&T, "runtui");
	snprintf(args, sizeof args, "run -- '%s'", hbuilt("examples/echo-server"));
	cr_assert_eq(tui_start(&T, 100, 30, args, NULL, NULL), 0, "tmux did not start");
	cr_assert(tui_wait_re(&T, "1 Epoll instances  2 instances", WAIT_MS), "no two instances:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "listening :[0-9]+ +IN\\|ET(.|\n)*listening :[0-9]+ +IN\\|ET", WAIT_MS),
		  "each instance should watch the listening socket (the child's inherited fd too):\n%s", T.screen);
	for (int i = 1; i <= 3; i++) {
		tui_keys(&T, "c");
		snprintf(want, sizeof want, "clients %d started · %d answered", i, i);
		cr_assert(tui_wait_re(&T, want, WAIT_MS), "client %d was not answered:\n%s", i, T.screen);
	}
	cr_assert(tui_match(T.screen, "◆3:IN → accepted", NULL, 0), "no return says accepted:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "echo-server +won [0-9]+ +lost [0-9]+", NULL, 0), "no semaphore users:\n%s",
		  T.screen);
	cr_assert(tui_match(T.screen, "echo-server +[0-9] accepted", NULL, 0), "no connections per pid:\n%s",
		  T.screen);
	tui_keys(&T, "C-c");
	cr_assert(tui_wait_re(&T, "no epoll instance left", WAIT_MS), "^C did not end the server:\n%s", T.screen);
	cr_assert(tui_zoom(&T, "8", "8 Story", 1, WAIT_MS), "the Story did not zoom:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "echo-server ← SIGINT  SI_KERNEL(.|\n)*echo-server ← SIGINT  SI_KERNEL", WAIT_MS),
		  "not both processes got the kernel's SIGINT:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "echo-server → kill\\([0-9]+, SIGINT\\) = 0", NULL, 0), "no parent's kill:\n%s",
		  T.screen);
	cr_assert(tui_match(T.screen, "reaped [0-9]+ echo-server: exited 0", NULL, 0), "no reap:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "sem_unlink = 0", NULL, 0), "no unlink:\n%s", T.screen);
	tui_keys(&T, "q");
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, WAIT_MS), "q did not quit:\n%s", T.screen);
	cr_assert(tui_match(T.screen, "EPOLLVIZ-EXIT=0", NULL, 0), "exit status not 0:\n%s", T.screen);
}
