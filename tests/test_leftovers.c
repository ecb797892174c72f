/*
 * test_leftovers.c - however the front end ends (SIGTERM, SIGHUP, SIGKILL)
 * and whatever a child does (crash), nothing of the run is left behind: no
 * process, no /dev/shm semaphore, no FIFO or its private directory.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hrun.h"

static void
assert_nothing_left(struct hlive *l, int seconds)
{
	struct timespec ts = { 0, 20 * 1000000 };
	long long pid = 0;
	char shm[128], dir[256];
	struct stat st;
	long si, fi;

	/* After SIGKILL the children clean up by themselves: poll, bounded. */
	for (int i = 0; i < seconds * 50; i++) {
		pid = hsurvivor(&l->h);
		if (pid == 0)
			break;
		nanosleep(&ts, NULL);
	}
	cr_assert_eq(pid, 0, "pid %lld of the run survived", pid);
	si = hfind(&l->h, 0, "sem_open", NULL, NULL);
	if (si >= 0) {
		snprintf(shm, sizeof shm, "/dev/shm/sem.%s", jstr(l->h.recs[si], "name") + 1);
		cr_assert_neq(stat(shm, &st), 0, "%s was left behind", shm);
	}
	fi = hfind(&l->h, 0, "fifo_waiting", NULL, NULL);
	if (fi >= 0) {
		const char *path = jstr(l->h.recs[fi], "path");
		char *slash;

		cr_assert_neq(stat(path, &st), 0, "%s was left behind", path);
		snprintf(dir, sizeof dir, "%s", path);
		slash = strrchr(dir, '/');
		*slash = '\0';
		cr_assert_neq(stat(dir, &st), 0, "%s was left behind", dir);
	}
}

static void
end_front_end_with(int sig, int want_status)
{
	struct hlive l;
	long long fe;

	hlive_start(&l, "everything", "connect 2; writer; pause");
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0, "%s", l.h.out);
	fe = hlive_pid(&l, "frontend", 0);
	cr_assert_eq(fe, l.pid);
	cr_assert_eq(kill((pid_t)fe, sig), 0);
	hlive_finish(&l);
	if (want_status >= 0)
		cr_assert_eq(l.h.status, want_status, "front end ended with %d; stderr: %s", l.h.status, l.h.out);
	assert_nothing_left(&l, 10);
	hrun_free(&l.h);
}

Test(leftovers, sigterm_to_the_front_end, .timeout = 60)
{
	end_front_end_with(SIGTERM, 128 + SIGTERM);
}

Test(leftovers, sighup_to_the_front_end, .timeout = 60)
{
	end_front_end_with(SIGHUP, 128 + SIGHUP);
}

Test(leftovers, sigint_to_the_front_end, .timeout = 60)
{
	end_front_end_with(SIGINT, 128 + SIGINT);
}

Test(leftovers, sigkill_to_the_front_end, .timeout = 60)
{
	/* Nobody cleans up for it: the session leader sees its terminal hang up
	 * (and PR_SET_PDEATHSIG), the workers their job end, the trace pipe EOF. */
	end_front_end_with(SIGKILL, 128 + SIGKILL);
}

Test(leftovers, a_crashed_worker_is_reported_and_the_rest_stop, .timeout = 60)
{
	struct hlive l;
	long long worker;
	long ri;

	hlive_start(&l, "echo-herd", "connect 2; pause; settle");
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0, "%s", l.h.out);
	worker = hlive_pid(&l, "echo-worker", 0);
	cr_assert_gt(worker, 0);
	cr_assert_eq(kill((pid_t)worker, SIGSEGV), 0);
	cr_assert_geq(hlive_wait(&l, "job", "event", "done", 20), 0, "the job did not end after the crash");
	hlive_resume(&l);
	hlive_finish(&l);
	ri = hfind(&l.h, 0, "reap", "how", "killed");
	cr_assert_geq(ri, 0, "the crash was not reaped");
	cr_assert_eq(jint(l.h.recs[ri], "child"), worker);
	cr_assert_str_eq(jstr(l.h.recs[ri], "signal"), "SIGSEGV");
	cr_assert_neq(l.h.status, 0, "a crashed worker must make the run unclean");
	cr_assert_eq(jint(l.h.summary, "lost_records"), 0);
	assert_nothing_left(&l, 10);
	hrun_free(&l.h);
}
