/*
 * test_tui_signals.c - the TUI ended by a signal, in tmux: SIGTERM, SIGHUP
 * and SIGINT restore the terminal (stty -a before and after are equal) and
 * stop every child; after SIGKILL, which no program can catch, the children
 * still stop by themselves (the pty hangs up, PR_SET_PDEATHSIG, EOF on the
 * trace pipe).
 */
#include <criterion/criterion.h>
#include <signal.h>

#include "tui_helpers.h"

#define WAIT_MS 10000

static struct tui T;

static void
fini(void)
{
	tui_kill(&T);
}

TestSuite(tui_signals, .fini = fini, .timeout = 90);

static void
end_tui_with(int sig, int check_stty)
{
	char want[48];
	long pids[16], front;
	int n;

	tui_init(&T, "sig");
	cr_assert_eq(tui_start_stty(&T, 100, 30, "everything"), 0);
	cr_assert(tui_wait_re(&T, "epollviz echo-worker", WAIT_MS), "the scenario did not start:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "waiting for a writer", WAIT_MS), "the FIFO watcher is not waiting:\n%s", T.screen);
	n = tui_table_pids(T.screen, "epollviz (session|echo-|fifo-)", pids, 16);
	cr_assert_geq(n, 4, "session, fifo watcher and two workers expected:\n%s", T.screen);
	front = tui_front_pid(&T);
	cr_assert_gt(front, 0, "no epollviz process under the tmux pane");
	cr_assert_eq(kill((pid_t)front, sig), 0);
	cr_assert(tui_wait(&T, tui_pred_exited, NULL, 15000), "epollviz did not exit on signal %d:\n%s", sig, T.screen);
	snprintf(want, sizeof want, "EPOLLVIZ-EXIT=%d", 128 + sig);
	cr_assert(tui_match(tui_capture_opt(&T, 1), want, NULL, 0), "expected %s:\n%s", want, T.screen);
	/* The children stop by themselves: poll (bounded), do not sleep-and-hope. */
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 200 && tui_pid_alive((int)pids[i]); k++)
			tui_pause_ms(TUI_POLL_MS);
		cr_assert(!tui_pid_alive((int)pids[i]), "pid %ld of the run survived signal %d", pids[i], sig);
	}
	if (check_stty)
		cr_assert(tui_stty_same(&T), "stty -a differs after signal %d", sig);
}

Test(tui_signals, sigterm_restores_the_terminal)
{
	end_tui_with(SIGTERM, 1);
}

Test(tui_signals, sighup_restores_the_terminal)
{
	end_tui_with(SIGHUP, 1);
}

Test(tui_signals, sigint_from_outside_restores_the_terminal)
{
	end_tui_with(SIGINT, 1);
}

Test(tui_signals, sigkill_leaves_no_child)
{
	/* No program can restore the terminal after SIGKILL; its children still go. */
	end_tui_with(SIGKILL, 0);
}
