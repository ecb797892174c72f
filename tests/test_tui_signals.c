/*
 * test_tui_signals.c - the TUI ended by a signal, in tmux: SIGTERM, SIGHUP
 * and SIGINT restore the terminal (stty -a before and after are equal) and
 * stop every child; after SIGKILL, which no program can catch, the children
 * still stop by themselves (the pty hangs up, PR_SET_PDEATHSIG, EOF on the
 * trace pipe).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <dirent.h>
#include <sys/stat.h>

#include "tui_helpers.h"

#define WAIT_MS 10000
#define ROWPID "^(\xe2\x96\xb6 |  ) *([0-9]+) +[0-9]+ +[0-9]+ +[0-9]+ +pts/[0-9]+ +[0-9]+ +[A-Za-z+]+ +"

static struct tui T;
static char dir[64];

static void
fini(void)
{
	(void)tui_keys; /* a helper these tests do not need */
	tui_kill(&T);
	if (dir[0])
		tui_sh("rm -rf '%s'", dir);
}

TestSuite(tui_signals, .fini = fini, .timeout = 90);

/* The epollviz process the tmux pane's shell started: a child of the pane's pid. */
static long
front_end_pid(struct tui *t)
{
	char cmd[160], line[64];
	long pane = 0, found = 0;
	FILE *p;
	DIR *d;
	struct dirent *de;

	snprintf(cmd, sizeof cmd, "tmux -L %s list-panes -F '#{pane_pid}'", t->sock);
	p = popen(cmd, "r");
	if (p && fgets(line, sizeof line, p))
		pane = atol(line);
	if (p)
		pclose(p);
	d = opendir("/proc");
	while (pane > 0 && d && (de = readdir(d)) != NULL && !found) {
		char path[300], buf[512], *rp;
		long ppid;
		FILE *f;

		snprintf(path, sizeof path, "/proc/%.20s/stat", de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) && strstr(buf, "(epollviz)") && (rp = strrchr(buf, ')')) &&
		    sscanf(rp + 2, "%*c %ld", &ppid) == 1 && ppid == pane)
			found = atol(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static int
exited(struct tui *t, void *arg)
{
	(void)arg;
	return tui_match(tui_capture_opt(t, 1), "EPOLLVIZ-EXIT=[0-9]+", NULL, 0);
}

static void
end_tui_with(int sig, int check_stty)
{
	char before[128], after[128], pre[200], post[200], want[48];
	long pids[16], front = 0;
	int n = 0;
	const char *s;
	regmatch_t m[3];

	snprintf(dir, sizeof dir, "/tmp/epollviz-sig-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(before, sizeof before, "%s/before", dir);
	snprintf(after, sizeof after, "%s/after", dir);
	snprintf(pre, sizeof pre, "stty -a > '%s'", before);
	snprintf(post, sizeof post, "stty -a > '%s'", after);
	tui_init(&T, "sig");
	cr_assert_eq(tui_start(&T, 100, 30, "everything", pre, post), 0);
	cr_assert(tui_wait_re(&T, "epollviz echo-worker", WAIT_MS), "the scenario did not start:\n%s", T.screen);
	cr_assert(tui_wait_re(&T, "waiting for a writer", WAIT_MS), "the FIFO watcher is not waiting:\n%s", T.screen);
	s = T.screen;
	while (n < 16 && tui_match(s, ROWPID "epollviz (session|echo-|fifo-)", m, 3)) {
		pids[n++] = tui_num(s, m, 2);
		s += m[0].rm_eo;
	}
	cr_assert_geq(n, 4, "session, fifo watcher and two workers expected:\n%s", T.screen);
	front = front_end_pid(&T);
	cr_assert_gt(front, 0, "no epollviz process under the tmux pane");
	cr_assert_eq(kill((pid_t)front, sig), 0);
	cr_assert(tui_wait(&T, exited, NULL, 15000), "epollviz did not exit on signal %d:\n%s", sig, T.screen);
	snprintf(want, sizeof want, "EPOLLVIZ-EXIT=%d", 128 + sig);
	cr_assert(tui_match(tui_capture_opt(&T, 1), want, NULL, 0), "expected %s:\n%s", want, T.screen);
	/* The children stop by themselves: poll (bounded), do not sleep-and-hope. */
	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 200 && tui_pid_alive((int)pids[i]); k++)
			tui_pause_ms(TUI_POLL_MS);
		cr_assert(!tui_pid_alive((int)pids[i]), "pid %ld of the run survived signal %d", pids[i], sig);
	}
	if (check_stty) {
		for (int i = 0; i < 50 && access(after, R_OK) != 0; i++)
			tui_pause_ms(TUI_POLL_MS);
		cr_assert_eq(tui_sh("cmp -s '%s' '%s'", before, after), 0,
			     "stty -a differs after signal %d", sig);
	}
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
