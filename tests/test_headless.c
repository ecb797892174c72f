/*
 * test_headless.c - integration tests: the real binary, real processes,
 * real syscalls on this kernel, real loopback clients, a real pty.  Each
 * test runs `epollviz --headless SCENARIO --script ... --json` and checks
 * what the trace says happened.  Synchronisation is by the script's own
 * completion conditions (replies, job states, `settle`), never by sleeping.
 */
#include <criterion/criterion.h>
#include <regex.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hrun.h"

struct pidarg {
	long long pid;
	long long data;
	const char *ev;
};

static int
ret_ok_of(const json_t *rec, void *arg)
{
	struct pidarg *a = arg;

	return jint(rec, "ret") >= 0 && (a->pid == 0 || jint(rec, "pid") == a->pid);
}

static int
wait_has(const json_t *rec, void *arg)
{
	struct pidarg *a = arg;

	return (a->pid == 0 || jint(rec, "pid") == a->pid) && hready_has(rec, a->data, a->ev);
}

/* Index of the action record with state "begin" whose text starts with name. */
static size_t
action_at(const struct hrun *h, const char *name, size_t from)
{
	for (size_t i = from; i < h->n; i++)
		if (jis(h->recs[i], "action") && strcmp(jstr(h->recs[i], "state"), "begin") == 0 &&
		    strncmp(jstr(h->recs[i], "action"), name, strlen(name)) == 0)
			return i;
	cr_assert_fail("no action '%s' in the trace", name);
	return 0;
}

/* The pids of the echo processes, parent first. */
static int
echo_pids(const struct hrun *h, long long *pids, int max)
{
	int n = 0;

	for (size_t i = 0; i < h->n && n < max; i++)
		if (jis(h->recs[i], "proc_start") &&
		    (strcmp(jstr(h->recs[i], "role"), "echo-server") == 0 ||
		     strcmp(jstr(h->recs[i], "role"), "echo-worker") == 0))
			pids[n++] = jint(h->recs[i], "pid");
	return n;
}

static long long
listen_fd(const struct hrun *h)
{
	long i = hfind(h, 0, "listen", NULL, NULL);

	cr_assert_geq(i, 0, "no listen record");
	return jint(h->recs[i], "fd");
}

Test(headless, ctrl_c_reaches_every_echo_process_from_the_kernel, .timeout = 60)
{
	struct hrun h;
	long long pids[8], session;
	int n;
	char shm[128];
	struct stat st;

	hrun(&h, "echo-herd", "connect 3; sigint");
	hassert_clean(&h);
	n = echo_pids(&h, pids, 8);
	cr_assert_eq(n, 2, "expected 2 echo processes, got %d", n);
	cr_assert_eq(jint(json_object_get(h.summary, "clients"), "answered"), 3, "3 replies expected");
	/* Every echo process got SIGINT from the kernel (SI_KERNEL), not from a kill(). */
	for (int i = 0; i < n; i++) {
		int found = 0;

		for (size_t k = 0; k < h.n; k++) {
			json_t *r = h.recs[k];

			if (jis(r, "signal") && jint(r, "pid") == pids[i] && !jtrue(r, "pending_at_exit")) {
				cr_assert_str_eq(jstr(r, "signal"), "SIGINT");
				cr_assert_str_eq(jstr(r, "si_code_name"), "SI_KERNEL",
						 "pid %lld got SIGINT with si_code %s", pids[i], jstr(r, "si_code_name"));
				found = 1;
			}
		}
		cr_assert(found, "echo pid %lld recorded no SIGINT", pids[i]);
	}
	/* The session leader is not in the foreground group: it got nothing. */
	session = hpid_of_role(&h, "session");
	for (size_t k = 0; k < h.n; k++)
		cr_assert(!(jis(h.recs[k], "signal") && jint(h.recs[k], "pid") == session),
			  "the session leader received a signal");
	/* The parent killed and reaped its child. */
	long ki = hfind(&h, 0, "kill", NULL, NULL);
	cr_assert_geq(ki, 0, "no kill record");
	cr_assert_eq(jint(h.recs[ki], "pid"), pids[0]);
	cr_assert_eq(jint(h.recs[ki], "target"), pids[1]);
	long ri = hfind(&h, (size_t)ki, "reap", NULL, NULL);
	cr_assert_geq(ri, 0, "no reap after the kill");
	cr_assert_eq(jint(h.recs[ri], "child"), pids[1]);
	cr_assert_str_eq(jstr(h.recs[ri], "how"), "exited");
	/* The semaphore was unlinked by the run and is gone from /dev/shm. */
	long ui = hfind(&h, 0, "sem_unlink", NULL, NULL);
	cr_assert_geq(ui, 0);
	cr_assert_eq(hcount(&h, 0, "sem_unlink", ret_ok_of, &(struct pidarg){ 0, 0, NULL }), 1,
		     "exactly one sem_unlink succeeds; the other gets ENOENT");
	snprintf(shm, sizeof shm, "/dev/shm/sem.%s", jstr(h.summary, "semaphore") + 1);
	cr_assert_neq(stat(shm, &st), 0, "%s is left behind", shm);
	/* The session leader took the terminal back. */
	long fi = -1;
	for (size_t k = 0; k < h.n; k++)
		if (jis(h.recs[k], "tcsetpgrp") && jint(h.recs[k], "pgid") == session)
			fi = (long)k;
	cr_assert_gt(fi, ri, "the session leader did not take the foreground back after the job");
	hrun_free(&h);
}

/*
 * Voluntary context switches of pid as reported with the n-th settled
 * record (n = 0, 1, ...): how many times the kernel has put it to sleep.
 * A task woken from epoll_wait that finds nothing sleeps again, so a
 * wake-up shows here even when epoll_wait never returns.
 */
static long long
sleeps_at(const struct hrun *h, long long pid, int n)
{
	long long v = -1;

	for (size_t i = 0; i < h->n; i++) {
		if (jis(h->recs[i], "sched") && jint(h->recs[i], "of") == pid)
			v = jint(h->recs[i], "voluntary");
		if (jis(h->recs[i], "settled") && n-- == 0)
			return v;
	}
	return -1;
}

Test(headless, semaphore_one_connection_wakes_both_exactly_one_accepts, .timeout = 60)
{
	struct hrun h;
	long long pids[8], lfd;
	size_t at;

	/* Both workers asleep in epoll_wait, then one connection. */
	hrun(&h, "echo-herd", "settle; connect 1; settle");
	hassert_clean(&h);
	cr_assert_eq(echo_pids(&h, pids, 8), 2);
	lfd = listen_fd(&h);
	at = action_at(&h, "connect", 0);
	for (int i = 0; i < 2; i++) {
		long long a = sleeps_at(&h, pids[i], 0), b = sleeps_at(&h, pids[i], 1);
		size_t returned = hcount(&h, at, "wait_return", wait_has, &(struct pidarg){ pids[i], lfd, "EPOLLIN" });

		cr_assert(a >= 0 && b >= 0, "no context-switch counts for pid %lld", pids[i]);
		/* Woken: its epoll_wait returned the listening socket, or the kernel woke it
		 * and it found the connection already taken (it slept again). */
		cr_assert(returned > 0 || b > a,
			  "pid %lld was not woken by the connection (herd expected): returned %zu, sleeps %lld -> %lld",
			  pids[i], returned, a, b);
	}
	cr_assert_eq(hcount(&h, at, "accept", ret_ok_of, &(struct pidarg){ 0, 0, NULL }), 1,
		     "exactly one process accepts");
	cr_assert_geq(hcount(&h, at, "sem_trywait", NULL, NULL), 1);
	hrun_free(&h);
}

Test(headless, exclusive_wakes_one, .timeout = 60)
{
	struct hrun h;
	long long pids[8], lfd;
	size_t at;
	int woken = 0;

	hrun(&h, "echo-exclusive", "settle; connect 1; settle");
	hassert_clean(&h);
	cr_assert_eq(echo_pids(&h, pids, 8), 2);
	lfd = listen_fd(&h);
	at = action_at(&h, "connect", 0);
	cr_assert_eq(hcount(&h, at, "wait_return", wait_has, &(struct pidarg){ 0, lfd, "EPOLLIN" }), 1,
		     "EPOLLEXCLUSIVE: exactly one epoll_wait returns the listening socket");
	for (int i = 0; i < 2; i++)
		if (sleeps_at(&h, pids[i], 1) > sleeps_at(&h, pids[i], 0))
			woken++;
	cr_assert_eq(woken, 1, "EPOLLEXCLUSIVE: the kernel must wake exactly one worker, woke %d", woken);
	cr_assert_eq(hcount(&h, at, "accept", ret_ok_of, &(struct pidarg){ 0, 0, NULL }), 1);
	hrun_free(&h);
}

Test(headless, reuseport_listens_per_worker, .timeout = 60)
{
	struct hrun h;

	hrun(&h, "echo-reuseport", "connect 4");
	hassert_clean(&h);
	cr_assert_eq(hcount(&h, 0, "listen", NULL, NULL), 2, "one listening socket per worker");
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "listen"))
			cr_assert(jtrue(h.recs[i], "reuseport"));
	cr_assert_eq(jint(json_object_get(h.summary, "clients"), "answered"), 4);
	hrun_free(&h);
}

static int
stray_not_mine(const json_t *rec, void *arg)
{
	(void)arg;
	return strcmp(jstr(rec, "reason"), "not-mine") == 0 && jint(rec, "owner") != jint(rec, "pid") &&
	       jint(rec, "owner") > 0;
}

/* Wait (bounded: 5 s) until pid is stopped: state T in /proc/PID/stat. */
static int
wait_stopped(long long pid)
{
	for (int i = 0; i < 500; i++) {
		char path[64], buf[512], *p;
		FILE *f;

		snprintf(path, sizeof path, "/proc/%lld/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			return 0;
		p = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && p[1] == ' ' && p[2] == 'T')
			return 1;
		usleep(10000);
	}
	return 0;
}

/*
 * Which waiter of a shared instance the kernel wakes is its choice, and the
 * worker that accepted a connection is often the one woken for its next
 * event too.  So the test takes the choice away: it stops that worker
 * (SIGSTOP, which takes it out of epoll_wait) while the client closes the
 * connection; the close's event can only go to the other worker, which has
 * no such fd.
 */
Test(headless, shared_epoll_delivers_events_to_a_process_without_that_fd, .timeout = 60)
{
	struct hlive l;
	long long pids[8], owner = 0;
	long ci;

	hlive_start(&l, "echo-shared-epoll", "hold 1; settle; pause; release; settle; pause");
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause: until", 20), 0, "no first pause: %s", l.h.out);
	for (size_t i = 0; i < l.h.n && owner == 0; i++)
		if (jis(l.h.recs[i], "accept") && jint(l.h.recs[i], "ret") >= 0)
			owner = jint(l.h.recs[i], "pid");
	cr_assert_gt(owner, 0, "the held connection was not accepted");
	cr_assert_eq(kill((pid_t)owner, SIGSTOP), 0);
	cr_assert(wait_stopped(owner), "pid %lld did not stop", owner);
	hlive_resume(&l);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause: until", 20), 0, "no second pause");
	cr_assert_eq(kill((pid_t)owner, SIGCONT), 0);
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(l.h.status, 0, "stderr: %s", l.h.out);
	cr_assert_eq(echo_pids(&l.h, pids, 8), 2);
	/* Both workers inherited the one instance rather than creating their own. */
	cr_assert_eq(hcount(&l.h, 0, "epoll_create", NULL, NULL), 1, "one epoll instance for all");
	ci = hfind(&l.h, 0, "inherit", "kind", "epoll");
	cr_assert_geq(ci, 0, "the worker did not inherit the epoll fd");
	cr_assert_geq(hcount(&l.h, 0, "stray", stray_not_mine, NULL), 1,
		      "no event was delivered to a process that does not own the fd");
	hrun_free(&l.h);
}

static int
accepted(const json_t *rec, void *arg)
{
	(void)arg;
	return jint(rec, "ret") >= 0;
}

Test(headless, once_leaves_a_burst_waiting_until_the_next_edge, .timeout = 60)
{
	struct hrun h;
	long si, si2;
	size_t before;

	/* Stopped workers cannot accept: the burst lands whole in the accept queue. */
	hrun(&h, "echo-herd", "stop; burst 20; cont; settle; connect 1; settle");
	hassert_clean(&h);
	si = hfind(&h, 0, "settled", NULL, NULL);
	cr_assert_geq(si, 0);
	before = hcount(&h, 0, "accept", accepted, NULL) - hcount(&h, (size_t)si, "accept", accepted, NULL);
	cr_assert_lt(before, 20, "accept_loop=once accepted all %zu at once", before);
	cr_assert_gt(jint(h.recs[si], "accept_queue"), 0, "nothing left in the accept queue");
	cr_assert_eq(jint(h.recs[si], "accept_queue") + (long long)before, 20,
		     "accepted + waiting must be the 20 of the burst");
	/* EINTR after the stop: the loop goes on. */
	cr_assert_geq(hcount(&h, 0, "wait_return", NULL, NULL), 1);
	cr_assert_geq(hfind(&h, 0, "wait_return", "errno", "EINTR"), 0, "no EINTR after SIGCONT");
	/* The next connection is an edge: one more accept. */
	si2 = hfind(&h, (size_t)si + 1, "settled", NULL, NULL);
	cr_assert_geq(si2, 0);
	cr_assert_gt(hcount(&h, 0, "accept", accepted, NULL), before, "the next edge accepted nothing");
	hrun_free(&h);
}

Test(headless, drain_accepts_the_whole_burst, .timeout = 60)
{
	struct hrun h;
	long si;

	hrun(&h, "echo-drain", "stop; burst 20; cont; settle");
	hassert_clean(&h);
	si = hfind(&h, 0, "settled", NULL, NULL);
	cr_assert_geq(si, 0);
	cr_assert_eq(jint(h.recs[si], "accept_queue"), 0);
	cr_assert_eq(hcount(&h, 0, "accept", accepted, NULL), 20);
	cr_assert_eq(jint(json_object_get(h.summary, "clients"), "answered"), 20);
	hrun_free(&h);
}

static int
hup_of(const json_t *rec, void *arg)
{
	return hready_has(rec, *(long long *)arg, "EPOLLHUP");
}

Test(headless, naive_fifo_repeats_epollhup_until_the_cap, .timeout = 60)
{
	char path[256];
	struct hrun h;
	long long fd, pid;
	long si;

	hscenario(path, sizeof path, "naive-small",
		  "title = naive FIFO, small cap\n[fifo]\nhup = naive\nstorm_detail = 5\nstorm_cap = 20000\n");
	hrun(&h, path, "writer; write hello; hangup; settle");
	hassert_clean(&h);
	pid = hpid_of_role(&h, "fifo-watch");
	fd = jint(h.recs[hfind(&h, 0, "fifo_opened", NULL, NULL)], "fd");
	cr_assert_eq(hcount(&h, 0, "wait_return", hup_of, &fd), 5,
		     "the first storm_detail EPOLLHUP returns are traced one by one");
	si = -1;
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "hup_storm") && jtrue(h.recs[i], "capped"))
			si = (long)i;
	cr_assert_geq(si, 0, "no capped hup_storm record");
	cr_assert(jtrue(h.recs[si], "capped"));
	cr_assert_eq(jint(h.recs[si], "count"), 20000, "the storm counts every EPOLLHUP return");
	cr_assert_eq(jint(h.recs[si], "pid"), pid);
	/* Reading was real too. */
	cr_assert_geq(hfind(&h, 0, "read", "text", "hello"), 0);
	hrun_free(&h);
}

static int
hup_any(const json_t *rec, void *arg)
{
	json_t *ready = json_object_get(rec, "ready"), *pair;
	size_t i;

	(void)arg;
	json_array_foreach(ready, i, pair) {
		json_t *evs = json_object_get(pair, "events"), *e;
		size_t k;

		json_array_foreach(evs, k, e)
			if (strcmp(json_string_value(e), "EPOLLHUP") == 0)
				return 1;
	}
	return 0;
}

static int
op_is(const json_t *rec, void *op)
{
	return strcmp(jstr(rec, "op"), op) == 0 && jint(rec, "ret") == 0;
}

Test(headless, fixed_fifo_one_hup_per_hangup_and_reads_after_reopen, .timeout = 60)
{
	struct hrun h;

	hrun(&h, "fifo-hup-fixed", "writer; write one; hangup; writer; write two; hangup; settle");
	hassert_clean(&h);
	cr_assert_eq(hcount(&h, 0, "wait_return", hup_any, NULL), 2, "one EPOLLHUP per hang-up");
	cr_assert_eq(hcount(&h, 0, "fifo_waiting", NULL, NULL), 3, "open, and a reopen per hang-up");
	cr_assert_eq(hcount(&h, 0, "epoll_ctl", op_is, "EPOLL_CTL_DEL"), 2, "DEL before every close");
	cr_assert_eq(hcount(&h, 0, "epoll_ctl", op_is, "EPOLL_CTL_ADD"), 2, "ADD after every open");
	cr_assert_geq(hfind(&h, 0, "read", "text", "one"), 0);
	cr_assert_geq(hfind(&h, (size_t)hfind(&h, 0, "read", "text", "one"), "read", "text", "two"), 0,
		      "no read after the reopen");
	hrun_free(&h);
}

Test(headless, regular_file_gives_eperm, .timeout = 30)
{
	struct hrun h;
	long i;

	hrun(&h, "regular-file", "settle");
	hassert_clean(&h);
	i = hfind(&h, 0, "epoll_ctl", NULL, NULL);
	cr_assert_geq(i, 0);
	cr_assert_eq(jint(h.recs[i], "ret"), -1);
	cr_assert_str_eq(jstr(h.recs[i], "errno"), "EPERM");
	cr_assert_geq(hfind(&h, 0, "open", "kind", "file"), 0, "the file was not opened");
	hrun_free(&h);
}

Test(headless, second_add_eexist_and_del_after_close_ebadf, .timeout = 30)
{
	struct hrun h;
	long add2, del, wr;

	hrun(&h, "ctl-errors", "settle");
	hassert_clean(&h);
	add2 = hfind(&h, 0, "epoll_ctl", "errno", "EEXIST");
	cr_assert_geq(add2, 0, "no EEXIST");
	cr_assert_str_eq(jstr(h.recs[add2], "op"), "EPOLL_CTL_ADD");
	del = hfind(&h, 0, "epoll_ctl", "errno", "EBADF");
	cr_assert_geq(del, 0, "no EBADF");
	cr_assert_str_eq(jstr(h.recs[del], "op"), "EPOLL_CTL_DEL");
	/* data comes back verbatim: 0xC0FFEE, not the fd. */
	wr = -1;
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "wait_return") && hready_has(h.recs[i], 0xC0FFEE, NULL))
			wr = (long)i;
	cr_assert_geq(wr, 0, "the data word did not come back verbatim");
	hrun_free(&h);
}

Test(headless, two_instances_told_apart_by_kcmp, .timeout = 30)
{
	struct hrun h;
	long k1, k2;

	hrun(&h, "two-instances", "settle");
	hassert_clean(&h);
	cr_assert_eq(hcount(&h, 0, "epoll_create", NULL, NULL), 2);
	k1 = hfind(&h, 0, "kcmp", NULL, NULL);
	cr_assert_geq(k1, 0);
	cr_assert(!jtrue(h.recs[k1], "same"), "two epoll_create1 calls compared as the same file");
	k2 = hfind(&h, (size_t)k1 + 1, "kcmp", NULL, NULL);
	cr_assert_geq(k2, 0);
	cr_assert(jtrue(h.recs[k2], "same"), "a dup compared as a different file");
	hrun_free(&h);
}

static int
n_ready(const json_t *rec, void *arg)
{
	return jint(rec, "ret") == *(long long *)arg;
}

/* sem_open's text line shows the sem_t pointer it returned, as strace does, not "= 0". */
Test(cli, sem_open_shows_the_pointer_it_returned, .timeout = 60)
{
	struct hrun h;
	static char out[65536];
	char *argv[] = { (char *)"--headless", (char *)"echo-herd", (char *)"--script", (char *)"settle", NULL };
	regex_t rx;

	hrun_raw(&h, argv, out, sizeof out);
	cr_assert_eq(h.status, 0, "exit %d: %s", h.status, h.out);
	cr_assert_eq(regcomp(&rx, "sem_open\\(\"[^\"]*\", O_CREAT\\|O_EXCL, 0600, 1\\) = 0x[0-9a-f]+", REG_EXTENDED), 0);
	cr_assert_eq(regexec(&rx, out, 0, NULL, 0), 0, "no 'sem_open(...) = 0x...' line:\n%.3000s", out);
	regfree(&rx);
	hrun_free(&h);
}

Test(headless, level_repeats_edge_reports_once, .timeout = 30)
{
	struct hrun h;
	long long one = 1, zero = 0;

	hrun(&h, "triggers", "settle");
	hassert_clean(&h);
	/* 2 level returns of 1, edge 1 then 0, then level 1 / edge 0, then edge 1. */
	cr_assert_eq(hcount(&h, 0, "wait_return", n_ready, &one), 5);
	cr_assert_eq(hcount(&h, 0, "wait_return", n_ready, &zero), 2);
	/* What changes the pipe is said between the returns, so each return can be explained. */
	cr_assert_geq(hfind(&h, 0, "log", "text", "\"ab\", 2) = 2: the pipe becomes readable"), 0,
		      "the first write is not said");
	cr_assert_geq(hfind(&h, 0, "log", "text", "one byte of two is taken"), 0, "the read is not said");
	cr_assert_geq(hfind(&h, 0, "log", "text", "a new edge"), 0, "the second write is not said");
	hrun_free(&h);
}

Test(headless, background_job_gets_no_sigint_and_keeps_working, .timeout = 60)
{
	struct hrun h;
	long long fifo;
	long si, rd;

	hrun(&h, "everything", "connect 2; sigint; write still-here");
	hassert_clean(&h);
	fifo = hpid_of_role(&h, "fifo-watch");
	cr_assert_gt(fifo, 0);
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "signal") && jint(h.recs[i], "pid") == fifo)
			cr_assert_str_neq(jstr(h.recs[i], "signal"), "SIGINT",
					  "the background FIFO watcher got SIGINT from ^C");
	si = (long)action_at(&h, "^C", 0);
	rd = hfind(&h, (size_t)si, "read", "text", "still-here");
	cr_assert_geq(rd, 0, "the FIFO watcher did not read after ^C");
	cr_assert_eq(jint(h.recs[rd], "pid"), fifo);
	hrun_free(&h);
}

Test(headless, kill_parent_only_then_the_handler_kills_the_child, .timeout = 60)
{
	struct hrun h;
	long long pids[8], fe;
	int got_parent = 0, got_child = 0;

	hrun(&h, "echo-herd", "kill-parent");
	hassert_clean(&h);
	cr_assert_eq(echo_pids(&h, pids, 8), 2);
	fe = hpid_of_role(&h, "frontend");
	for (size_t i = 0; i < h.n; i++) {
		json_t *r = h.recs[i];

		if (!jis(r, "signal") || jtrue(r, "pending_at_exit"))
			continue;
		if (jint(r, "pid") == pids[0]) {
			cr_assert_str_eq(jstr(r, "si_code_name"), "SI_USER");
			cr_assert_eq(jint(r, "si_pid"), fe, "the parent's SIGINT came from elsewhere");
			got_parent = 1;
		}
		if (jint(r, "pid") == pids[1]) {
			cr_assert_str_eq(jstr(r, "si_code_name"), "SI_USER");
			cr_assert_eq(jint(r, "si_pid"), pids[0], "the child's SIGINT did not come from the parent");
			got_child = 1;
		}
	}
	cr_assert(got_parent && got_child);
	hrun_free(&h);
}

Test(headless, job_control_and_process_groups, .timeout = 60)
{
	struct hrun h;
	long long session, server;
	long i;

	hrun(&h, "echo-herd", "stop; cont; sigint");
	hassert_clean(&h);
	session = hpid_of_role(&h, "session");
	server = hpid_of_role(&h, "echo-server");
	i = hfind(&h, 0, "proc_start", "role", "session");
	cr_assert_eq(jint(h.recs[i], "sid"), session, "the session leader leads its session");
	cr_assert_eq(jint(h.recs[i], "pgid"), session);
	i = hfind(&h, 0, "proc_start", "role", "echo-server");
	cr_assert_eq(jint(h.recs[i], "pgid"), server, "the job has a process group of its own");
	cr_assert_eq(jint(h.recs[i], "sid"), session, "the job is in the pty's session");
	cr_assert_geq(hfind(&h, 0, "job", "event", "stopped"), 0);
	cr_assert_geq(hfind(&h, 0, "job", "event", "continued"), 0);
	cr_assert_geq(hfind(&h, 0, "reap", "how", "stopped"), 0, "the session did not see the stop");
	hrun_free(&h);
}

Test(headless, sequence_numbers_have_no_gaps, .timeout = 60)
{
	struct hrun h;
	long long last[64][2];
	int np = 0;

	hrun(&h, "echo-drain", "burst 50; connect 5; sigint");
	hassert_clean(&h);
	/* Per pid, seq rises by one per wire record; a wait_return may span several. */
	for (size_t i = 0; i < h.n; i++) {
		json_t *r = h.recs[i];
		long long pid = jint(r, "pid"), seq = jint(r, "seq");
		int k;

		if (jis(r, "summary"))
			continue;
		for (k = 0; k < np; k++)
			if (last[k][0] == pid)
				break;
		if (k == np) {
			cr_assert_lt(np, 64);
			last[np][0] = pid;
			last[np][1] = -1;
			np++;
			cr_assert_eq(seq, 0, "pid %lld starts at seq %lld", pid, seq);
		} else {
			cr_assert_gt(seq, last[k][1], "pid %lld: seq %lld after %lld", pid, seq, last[k][1]);
		}
		last[k][1] = seq;
	}
	hrun_free(&h);
}

Test(cli, bad_scenario_file_names_file_and_line, .timeout = 30)
{
	char path[256], head[256];
	struct hrun h;
	char *argv[] = { "--headless", path, NULL };

	hscenario(path, sizeof path, "bad", "title = t\n[echo]\naccept = sometimes\n");
	hrun_raw(&h, argv, head, sizeof head);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, ":3: bad value 'sometimes' for accept") != NULL, "stderr: %s", h.out);
	hrun_free(&h);
}

Test(cli, busy_port_is_an_error_naming_it, .timeout = 30)
{
	char path[256], text[256], want[64];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct hrun h;

	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(listen(s, 1), 0);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	snprintf(text, sizeof text, "title = busy\n[echo]\nport = %d\n", ntohs(sa.sin_port));
	hscenario(path, sizeof path, "busy", text);
	hrun(&h, path, "connect 1");
	cr_assert_neq(h.status, 0, "a busy port must fail the run");
	snprintf(want, sizeof want, "127.0.0.1:%d", ntohs(sa.sin_port));
	cr_assert(strstr(h.out, want) != NULL, "stderr does not name %s: %s", want, h.out);
	cr_assert(strstr(h.out, "Address already in use") != NULL, "stderr: %s", h.out);
	/* On the scenario's terminal the echo server says it once. */
	cr_assert_eq(htty_says(&h, "cannot listen"), 1, "the terminal did not say it once");
	cr_assert_eq(hsurvivor(&h), 0);
	close(s);
	hrun_free(&h);
}

Test(cli, bad_script_names_the_step, .timeout = 30)
{
	struct hrun h;
	char *argv[] = { "--headless", "echo-herd", "--script", "connect 2; frobnicate", NULL };
	char *argv2[] = { "--headless", "regular-file", "--script", "write hi", NULL };

	hrun_raw(&h, argv, NULL, 0);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, "step 2 'frobnicate': unknown action") != NULL, "stderr: %s", h.out);
	hrun_free(&h);
	hrun_raw(&h, argv2, NULL, 0);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, "has no FIFO watcher") != NULL, "stderr: %s", h.out);
	hrun_free(&h);
}

Test(cli, list_help_version_and_unknown, .timeout = 30)
{
	struct hrun h;
	char out[4096];
	char *list[] = { "--list", NULL }, *help[] = { "--help", NULL }, *ver[] = { "--version", NULL };
	char *bad[] = { "--frob", NULL }, *none[] = { "no-such-scenario", NULL };

	hrun_raw(&h, list, out, sizeof out);
	cr_assert_eq(h.status, 0);
	cr_assert(strstr(out, "echo-herd") && strstr(out, "fifo-hup-naive") && strstr(out, "everything"));
	hrun_free(&h);
	hrun_raw(&h, help, out, sizeof out);
	cr_assert_eq(h.status, 0);
	cr_assert(strstr(out, "--headless") != NULL);
	hrun_free(&h);
	hrun_raw(&h, ver, out, sizeof out);
	cr_assert_eq(h.status, 0);
	cr_assert(strncmp(out, "epollviz ", 9) == 0);
	hrun_free(&h);
	hrun_raw(&h, bad, out, sizeof out);
	cr_assert_eq(h.status, 2);
	hrun_free(&h);
	hrun_raw(&h, none, out, sizeof out);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, "no scenario named 'no-such-scenario'") != NULL, "stderr: %s", h.out);
	hrun_free(&h);
}

/* --quiet prints no record, but a step that failed still says why on stderr. */
Test(cli, quiet_still_says_why_a_step_failed, .timeout = 60)
{
	struct hrun h;
	char out[4096];
	char *argv[] = { (char *)"--headless", (char *)"echo-herd", (char *)"--quiet", (char *)"--script",
			 (char *)"send hi", NULL };

	hrun_raw(&h, argv, out, sizeof out);
	cr_assert_eq(h.status, 1, "exit %d: %s", h.status, h.out);
	cr_assert_not_null(strstr(h.out, "send: no held connection"), "stderr: %s", h.out);
	hrun_free(&h);
}

/* run, replay and attach take --help as a request for the synopsis, not as a PROGRAM, FILE or PID. */
Test(cli, each_subcommand_answers_help, .timeout = 30)
{
	static const char *const subs[] = { "run", "replay", "attach" };
	struct hrun h;
	char out[4096];

	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		char *argv[] = { (char *)subs[i], (char *)"--help", NULL };

		hrun_raw(&h, argv, out, sizeof out);
		cr_assert_eq(h.status, 0, "%s --help: exit %d: %s", subs[i], h.status, h.out);
		cr_assert_not_null(strstr(out, "epollviz attach [--children]"), "%s --help: no synopsis: %s", subs[i], out);
		hrun_free(&h);
	}
}

Test(headless, background_reader_is_stopped_by_sigttin, .timeout = 60)
{
	struct hrun h;
	long long probe;
	long ri, si;

	hrun(&h, "background-read", "settle; cont; settle; sigint");
	hassert_clean(&h);
	probe = hpid_of_role(&h, "probe");
	ri = hfind(&h, 0, "reap", "how", "stopped");
	cr_assert_geq(ri, 0, "the background reader was not stopped");
	cr_assert_eq(jint(h.recs[ri], "child"), probe);
	cr_assert_str_eq(jstr(h.recs[ri], "signal"), "SIGTTIN", "stopped by %s, not SIGTTIN",
			 jstr(h.recs[ri], "signal"));
	/* In the foreground the same read waits; ^C now reaches it from the kernel. */
	si = hfind(&h, (size_t)ri, "signal", "signal", "SIGINT");
	cr_assert_geq(si, 0, "after fg, ^C did not reach the job");
	cr_assert_eq(jint(h.recs[si], "pid"), probe);
	cr_assert_str_eq(jstr(h.recs[si], "si_code_name"), "SI_KERNEL");
	hrun_free(&h);
}

/*
 * A record the front end cannot decode (256 bytes of garbage written into
 * the session leader's trace fd, through /proc) is counted once in the
 * summary (the reader's count also travels in run_end, for replays), and
 * makes the run unclean.
 */
Test(headless, a_malformed_record_is_counted_once, .timeout = 60)
{
	struct hlive l;
	long long session;
	char path[64], args[4096], garbage[256];
	int tfd = -1, fd;
	ssize_t n;

	hlive_start(&l, "echo-herd", "pause");
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0, "the run did not reach its pause");
	session = hlive_pid(&l, "session", 0);
	cr_assert_gt(session, 0, "no session leader in the records");
	snprintf(path, sizeof path, "/proc/%lld/cmdline", session);
	fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	n = read(fd, args, sizeof args - 1);
	close(fd);
	cr_assert_gt(n, 0);
	args[n] = '\0';
	for (char *a = args; a < args + n; a += strlen(a) + 1)
		if (sscanf(a, "--trace-fd=%d", &tfd) == 1)
			break;
	cr_assert_geq(tfd, 0, "the session leader has no --trace-fd argument");
	snprintf(path, sizeof path, "/proc/%lld/fd/%d", session, tfd);
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	memset(garbage, 0xa5, sizeof garbage);
	cr_assert_eq(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage); /* one pipe write: atomic */
	close(fd);
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_not_null(l.h.summary, "no summary; stderr: %s", l.h.out);
	cr_assert_eq(jint(l.h.summary, "malformed_records"), 1, "one bad record, counted %lld times",
		     jint(l.h.summary, "malformed_records"));
	cr_assert(!jtrue(l.h.summary, "clean"), "a run with a malformed record called clean");
	cr_assert_eq(l.h.status, 1, "exit status %d", l.h.status);
	hrun_free(&l.h);
}
