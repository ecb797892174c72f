/*
 * test_notes.c - the notes' mistakes in the echo server, one switch each,
 * watched happening for real: a blocking listening socket leaves the
 * semaphore's winner asleep in accept(); `break` after a lost sem_trywait
 * skips the rest of the batch; SIGPIPE kills a worker that holds the
 * semaphore and every later trywait loses to the dead owner; a fixed name
 * left by a crash gives EEXIST; handle_client's strchr sends stale bytes
 * for a line without '\n'; backlog 5 turns a burst of 10 away.  Each test
 * asserts the bug's effect, which the default (fixed) server never shows.
 * Real processes on loopback, ports bound to 0, waits for effects only.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hrun.h"
#include "model_helpers.h"

TestSuite(notes, .timeout = 120);

/* Wait until the script reaches its next pause (every record before it has been printed). */
static void
at_pause(struct hlive *l)
{
	cr_assert_geq(hlive_wait(l, "action", "action", "pause: ", 30), 0, "the script never paused: %s", l->h.out);
}

/* Send all of text. */
static void
put(int s, const char *text)
{
	size_t n = strlen(text);

	cr_assert_eq(send(s, text, n, MSG_NOSIGNAL), (ssize_t)n, "send: %s", strerror(errno));
}

/* One reply line (without its '\n') into line; its length, or -1 when none came by the deadline. */
static long
reply_line(int s, char *line, size_t cap)
{
	size_t n = 0;
	char c;

	while (n + 1 < cap && recv(s, &c, 1, 0) == 1) {
		if (c == '\n') {
			line[n] = '\0';
			return (long)n;
		}
		line[n++] = c;
	}
	line[n] = '\0';
	return -1;
}

/* The semaphore's name, from the first sem_open record. */
static const char *
sem_name_of(const struct hrun *h)
{
	long i = hfind(h, 0, "sem_open", NULL, NULL);

	cr_assert_geq(i, 0, "no sem_open record");
	return jstr(h->recs[i], "name");
}

/* The semaphore's value as the kernel holds it now (it must exist). */
static int
sem_value_now(const char *name)
{
	sem_t *s = sem_open(name, 0);
	int v = -1;

	cr_assert_neq(s, SEM_FAILED, "sem_open(%s): %s", name, strerror(errno));
	sem_getvalue(s, &v);
	sem_close(s);
	return v;
}

/* The pid whose last sem_trywait won and who never posted after it; 0 when every winner posted. */
static long long
sem_holder(const struct hrun *h)
{
	long long holder = 0;

	for (size_t i = 0; i < h->n; i++) {
		if (jis(h->recs[i], "sem_trywait") && jtrue(h->recs[i], "won"))
			holder = jint(h->recs[i], "pid");
		else if (jis(h->recs[i], "sem_post") && jint(h->recs[i], "pid") == holder && jint(h->recs[i], "ret") == 0)
			holder = 0;
	}
	return holder;
}

/* The text of a /proc file (its size says 0: read until EOF). */
static void
proc_text(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	n = read(fd, buf, cap - 1);
	close(fd);
	cr_assert_geq(n, 0, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
}

/* A name of our own for a fixed-name semaphore, so parallel tests never share one. */
static const char *
test_sem_name(char *buf, size_t cap, const char *what)
{
	snprintf(buf, cap, "/epollviz-test-%s-%d", what, (int)getpid());
	return buf;
}

/*
 * listener = blocking with accept_loop = drain: the winner accepts the one
 * connection, and the drain loop's next accept sleeps on the empty queue
 * holding the semaphore.  The front end reports it (asleep, holding), and
 * /proc and the semaphore itself agree.  Non-blocking, the loop ends with
 * EAGAIN and a sem_post.
 */
Test(notes, blocking_listener_leaves_the_winner_asleep_in_accept_holding_the_semaphore)
{
	char path[256], proc[64], buf[256];
	const char *scn = "title = blocking listener\n[echo]\nworkers = 2\naccept_loop = drain\n"
			  "listener = blocking\n";
	struct hlive l;
	long long holder;
	long i;

	cr_assert_not_null(hscenario(path, sizeof path, "blocking", scn));
	hlive_start(&l, path, "hold 1; settle; pause");
	at_pause(&l);
	holder = sem_holder(&l.h);
	cr_assert_gt(holder, 0, "nobody holds the semaphore after the accept: %s", l.h.out);
	i = hfind(&l.h, 0, "asleep", NULL, NULL);
	cr_assert_geq(i, 0, "no asleep record: the winner never slept in accept");
	cr_assert_eq(jint(l.h.recs[i], "of"), holder, "asleep: pid %lld, the holder is %lld",
		     jint(l.h.recs[i], "of"), holder);
	cr_assert(jtrue(l.h.recs[i], "holds_semaphore"), "the asleep record does not say it holds the semaphore");
	cr_assert_eq(jint(l.h.recs[i], "nr"), SYS_accept4);
	/* The kernel agrees: asleep in accept4 on the listening socket, and the semaphore at 0. */
	snprintf(proc, sizeof proc, "/proc/%lld/syscall", holder);
	proc_text(proc, buf, sizeof buf);
	cr_assert_eq(strtol(buf, NULL, 10), SYS_accept4, "/proc says %s", buf);
	snprintf(proc, sizeof proc, "/proc/%lld/wchan", holder);
	proc_text(proc, buf, sizeof buf);
	/* "0" when the kernel hides it; otherwise the function it sleeps in. */
	cr_assert(strcmp(buf, "0") == 0 || strstr(buf, "accept") != NULL, "wchan %s", buf);
	cr_assert_eq(sem_value_now(sem_name_of(&l.h)), 0, "the semaphore is not held");
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(hsurvivor(&l.h), 0, "pid %lld of the run is still alive", hsurvivor(&l.h));
	hrun_free(&l.h);
}

/* The server-side fd of the connection accepted from local port port; -1 if none. */
static long long
accepted_fd(const struct hrun *h, int port)
{
	for (size_t i = 0; i < h->n; i++)
		if (jis(h->recs[i], "accept") && jint(h->recs[i], "ret") >= 0 && jint(h->recs[i], "peer_port") == port)
			return jint(h->recs[i], "ret");
	return -1;
}

/* The local port of socket s. */
static int
local_port(int s)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;

	cr_assert_eq(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	return ntohs(sa.sin_port);
}

/*
 * sem_lost = break: one batch holds the listening socket's event (first)
 * and a held connection's line.  The semaphore is taken (by this test,
 * through its fixed name), so the worker loses the trywait and leaves the
 * batch: the line is skipped, counted in a batch_skip record, and with
 * EPOLLET never reported again, so it gets no reply.  With the default the
 * rest of the batch is served and the line answered.
 */
Test(notes, break_after_a_lost_trywait_skips_the_rest_of_the_batch)
{
	char path[256], scn[512], name[64], line[256];
	struct hlive l;
	sem_t *sem;
	int port, a, b;
	long long afd;
	long i;

	test_sem_name(name, sizeof name, "break");
	sem_unlink(name);
	snprintf(scn, sizeof scn, "title = break\n[echo]\nworkers = 1\nsem_lost = break\nsem_name = %s\n", name);
	cr_assert_not_null(hscenario(path, sizeof path, "break", scn));
	/*
	 * settle before stop: the worker must be asleep in epoll_wait again,
	 * with what the ADD of the first connection queued already harvested,
	 * so that the stopped worker's ready list holds only the two new events.
	 */
	hlive_start(&l, path, "pause; settle; stop; pause; cont; settle; pause");
	port = hlive_port(&l);
	at_pause(&l);
	a = hdial(port);
	put(a, "first\n");
	cr_assert_geq(reply_line(a, line, sizeof line), 0, "the held connection got no first reply");
	/* The semaphore is held elsewhere from now on: every trywait loses. */
	sem = sem_open(name, 0);
	cr_assert_neq(sem, SEM_FAILED, "sem_open(%s): %s", name, strerror(errno));
	{
		/* The reply was sent before the worker's sem_post: wait for the post, not just try. */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 10;
		cr_assert_eq(sem_timedwait(sem, &until), 0, "the test could not take the semaphore: %s",
			     strerror(errno));
	}
	hlive_resume(&l); /* stop */
	at_pause(&l);
	b = hdial(port);   /* the listening socket's event, first in the ready list */
	put(a, "second\n"); /* then the held connection's */
	hlive_resume(&l); /* cont, settle */
	at_pause(&l);
	afd = accepted_fd(&l.h, local_port(a));
	cr_assert_geq(afd, 0, "the held connection was never accepted");
	i = hfind(&l.h, 0, "batch_skip", NULL, NULL);
	cr_assert_geq(i, 0, "no batch_skip record: the batch was not cut short");
	cr_assert_geq(jint(l.h.recs[i], "skipped"), 1);
	{
		json_t *skip = json_object_get(l.h.recs[i], "skip");
		int found = 0;

		for (size_t k = 0; k < json_array_size(skip); k++)
			found |= jint(json_array_get(skip, k), "data") == afd;
		cr_assert(found, "the held connection's fd %lld is not among the skipped entries", afd);
	}
	/* Edge-triggered: its event is gone, so its line is never answered. */
	cr_assert_eq(recv(a, line, sizeof line, MSG_DONTWAIT), -1, "the skipped line was answered");
	cr_assert_eq(errno, EAGAIN);
	sem_post(sem);
	sem_close(sem);
	close(a);
	close(b);
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(hsurvivor(&l.h), 0, "pid %lld of the run is still alive", hsurvivor(&l.h));
	hrun_free(&l.h);
	cr_assert_eq(sem_unlink(name), -1, "the run left %s behind", name);
}

/* The pid that a reap record says was killed by SIGPIPE, and where; 0 when none was. */
static long long
killed_by_sigpipe(const struct hrun *h, long *at)
{
	for (size_t i = 0; i < h->n; i++) {
		if (jis(h->recs[i], "reap") && strcmp(jstr(h->recs[i], "how"), "killed") == 0 &&
		    strcmp(jstr(h->recs[i], "signal"), "SIGPIPE") == 0) {
			*at = (long)i;
			return jint(h->recs[i], "child");
		}
	}
	return 0;
}

/*
 * sigpipe = default (with handle_client's two writes, reply = notes): a
 * client that sent its line and closed while the server was stopped.  The
 * winner accepts it, reads the line, its first write meets a RST and the
 * second gets EPIPE: SIGPIPE kills it inside send, holding the semaphore.
 * The survivor then loses every trywait to the dead owner, and the
 * semaphore stays at 0.  With MSG_NOSIGNAL the send fails and nobody dies.
 */
Test(notes, sigpipe_kills_the_holder_and_later_trywaits_lose_to_the_dead_owner)
{
	char path[256];
	const char *scn = "title = sigpipe\n[echo]\nworkers = 2\nsigpipe = default\nreply = notes\n";
	struct hlive l;
	long long dead, holder;
	long at = -1;
	int later = 0;

	cr_assert_not_null(hscenario(path, sizeof path, "sigpipe", scn));
	hlive_start(&l, path, "stop; abandon 1; cont; settle; burst 2; settle; pause");
	at_pause(&l);
	dead = killed_by_sigpipe(&l.h, &at);
	cr_assert_gt(dead, 0, "no worker was killed by SIGPIPE: %s", l.h.out);
	holder = sem_holder(&l.h);
	cr_assert_eq(holder, dead, "the semaphore's holder is %lld, the dead worker %lld", holder, dead);
	for (size_t i = (size_t)at; i < l.h.n; i++) {
		json_t *r = l.h.recs[i];

		if (jis(r, "sem_trywait")) {
			cr_assert(!jtrue(r, "won"), "pid %lld won the semaphore after its owner died", jint(r, "pid"));
			cr_assert_str_eq(jstr(r, "errno"), "EAGAIN");
			later++;
		}
	}
	cr_assert_geq(later, 1, "no sem_trywait after the owner died");
	cr_assert_eq(sem_value_now(sem_name_of(&l.h)), 0, "the dead owner's semaphore is not at 0");
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(hsurvivor(&l.h), 0, "pid %lld of the run is still alive", hsurvivor(&l.h));
	hrun_free(&l.h);
}

/*
 * With sigpipe = default the notes' worker outlives its parent, and the
 * session adopts it.  Its job is then that group: ^Z stops the worker, the
 * session sees its job stopped and takes the terminal back, and fg
 * continues it (the leader being dead, the job stops and continues with the
 * member it adopted; before, ^Z left a stopped foreground group no fg could
 * resume).
 */
Test(notes, a_job_whose_leader_died_still_stops_and_continues)
{
	char path[256];
	const char *scn = "title = orphan\n[echo]\nworkers = 2\nsigpipe = default\n";
	struct hlive l;
	long long parent, worker;
	long stopped, cont;

	cr_assert_not_null(hscenario(path, sizeof path, "orphan", scn));
	hlive_start(&l, path, "settle; pause; stop; cont; settle; pause");
	at_pause(&l);
	parent = hlive_pid(&l, "echo-server", 0);
	worker = hlive_pid(&l, "echo-worker", 0);
	cr_assert(parent > 0 && worker > 0, "no server parent and worker: %s", l.h.out);
	cr_assert_eq(kill((pid_t)parent, SIGKILL), 0, "kill %lld: %s", parent, strerror(errno));
	cr_assert_geq(hlive_wait(&l, "reap", "how", "killed", 30), 0, "the session did not reap the parent");
	hlive_resume(&l);
	at_pause(&l);
	stopped = hfind(&l.h, 0, "job", "event", "stopped");
	cr_assert_geq(stopped, 0, "^Z did not stop the job whose leader died: %s", l.h.out);
	cont = hfind(&l.h, (size_t)stopped, "job", "event", "continued");
	cr_assert_geq(cont, 0, "fg did not continue it: %s", l.h.out);
	cr_assert_eq(hfind(&l.h, 0, "action", "state", "timeout"), -1, "a step timed out");
	cr_assert_eq(hfind(&l.h, 0, "action", "state", "failed"), -1, "a step failed");
	cr_assert_eq(kill((pid_t)worker, 0), 0, "the worker did not survive its parent");
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(hsurvivor(&l.h), 0, "pid %lld of the run is still alive", hsurvivor(&l.h));
	hrun_free(&l.h);
}

/*
 * sem_name = a fixed name, and a semaphore of that name left behind (made
 * here, as a crashed run would have left it): the server's
 * sem_open(O_CREAT|O_EXCL) fails with EEXIST and it exits 1.  The run
 * removes the stale name as it ends.  A per-run name never collides.
 */
Test(notes, a_fixed_name_left_by_a_crash_gives_eexist)
{
	char path[256], scn[512], name[64];
	struct hrun h;
	sem_t *stale;
	long i;

	test_sem_name(name, sizeof name, "stale");
	stale = sem_open(name, O_CREAT, 0600, 1);
	cr_assert_neq(stale, SEM_FAILED, "sem_open(%s): %s", name, strerror(errno));
	sem_close(stale);
	snprintf(scn, sizeof scn, "title = stale\n[echo]\nsem_name = %s\n", name);
	cr_assert_not_null(hscenario(path, sizeof path, "stale", scn));
	hrun(&h, path, "settle");
	/* Removed before any assertion can end the test: the run must have done it already. */
	cr_assert_eq(sem_unlink(name), -1, "the run left the stale %s behind", name);
	i = hfind(&h, 0, "sem_open", "name", name);
	cr_assert_geq(i, 0, "no sem_open of %s: %s", name, h.out);
	cr_assert_eq(jint(h.recs[i], "value"), 1, "the server did not try to create it");
	cr_assert_eq(jint(h.recs[i], "ret"), -1);
	cr_assert_str_eq(jstr(h.recs[i], "errno"), "EEXIST");
	i = hfind(&h, (size_t)i, "proc_exit", NULL, NULL);
	cr_assert_geq(i, 0);
	cr_assert_eq(jint(h.recs[i], "status"), 1, "the server went on without its semaphore");
	cr_assert_eq(hsurvivor(&h), 0, "pid %lld of the run is still alive", hsurvivor(&h));
	hrun_free(&h);
}

/*
 * reply = notes: handle_client's strchr on a buffer without '\n' reads on
 * into what the previous recv left there.  "hello world\n" then "abc":
 * the buffer holds "abclo world\n...", and that is the reply.  The fixed
 * server keeps "abc" until its line ends, and sends nothing yet.
 */
Test(notes, strchr_on_a_line_without_newline_sends_stale_bytes)
{
	char path[256], line[256];
	const char *scn = "title = strchr\n[echo]\nworkers = 1\nreply = notes\n";
	struct hlive l;
	const char *bar;
	int port, s;

	cr_assert_not_null(hscenario(path, sizeof path, "strchr", scn));
	hlive_start(&l, path, "pause; settle; pause");
	port = hlive_port(&l);
	at_pause(&l);
	s = hdial(port);
	put(s, "hello world\n");
	cr_assert_geq(reply_line(s, line, sizeof line), 0, "no reply to a whole line");
	bar = strstr(line, " | ");
	cr_assert(bar && strcmp(bar + 3, "hello world") == 0, "reply '%s'", line);
	put(s, "abc");
	cr_assert_geq(reply_line(s, line, sizeof line), 0, "no reply to a line without newline");
	bar = strstr(line, " | ");
	cr_assert(bar && strcmp(bar + 3, "abclo world") == 0, "reply '%s': not the stale bytes", line);
	close(s);
	hlive_resume(&l);
	at_pause(&l);
	cr_assert_geq(hfind(&l.h, 0, "log", "text", "stale bytes"), 0, "the stale reply was not logged");
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(hsurvivor(&l.h), 0, "pid %lld of the run is still alive", hsurvivor(&l.h));
	hrun_free(&l.h);
}

/* A client that timed out connecting (ETIMEDOUT). */
static int
connect_timed_out(const json_t *r, void *arg)
{
	(void)arg;
	return strcmp(jstr(r, "event"), "timeout") == 0 && strcmp(jstr(r, "errno"), "ETIMEDOUT") == 0;
}

/*
 * backlog = 5, the server stopped: a burst of 10 fills the accept queue to
 * its limit and the kernel drops the other SYNs, so those clients time out
 * connecting.  (With the default backlog of 64 all ten wait in the queue.)
 */
Test(notes, backlog_5_turns_a_burst_of_10_away)
{
	char path[256];
	const char *scn = "title = backlog 5\n[echo]\nbacklog = 5\n";
	struct hrun h;
	long long full = 0;

	cr_assert_not_null(hscenario(path, sizeof path, "backlog", scn));
	hrun(&h, path, "stop; burst 10; settle; cont; settle");
	cr_assert_geq(hcount(&h, 0, "client", connect_timed_out, NULL), 1, "no client timed out: %s", h.out);
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "accept_queue") && jint(h.recs[i], "backlog") == 5 && jint(h.recs[i], "len") > full)
			full = jint(h.recs[i], "len");
	cr_assert_geq(full, 5, "the accept queue never filled (longest %lld)", full);
	cr_assert_eq(hsurvivor(&h), 0, "pid %lld of the run is still alive", hsurvivor(&h));
	hrun_free(&h);
}

/* ---- what the screen says (the model and two panels, drawn into memory) ---- */

/* proc_start of pid as role. */
static void
start(uint32_t pid, int role, uint32_t ppid)
{
	struct trace_rec *r = rec(TR_PROC_START, pid);

	r->role = role;
	r->ppid = (int32_t)ppid;
	r->pgid = 101;
	r->sid = 100;
	trace_rec_set_text(r, role == ROLE_ECHO_PARENT ? "echo-w0" : "echo-w1");
	model_apply(M, r);
}

/* A sem_trywait of pid: won (ret 0) or lost (EAGAIN). */
static void
trywait(uint32_t pid, int won)
{
	struct trace_rec *r = rec(TR_SEM_TRYWAIT, pid);

	r->ret = won ? 0 : -1;
	r->err = won ? 0 : EAGAIN;
	model_apply(M, r);
}

/* Everything panel id draws, its title included, as one string with its lines joined by spaces. */
static const char *
drawn(int id)
{
	return panel_text(id, 200, NULL, " ");
}

/* Does panel id say want? */
static void
says(int id, const char *want)
{
	panel_says(id, drawn(id), want);
}

/* Two echo workers (10 the parent, 11 its child) that opened one semaphore. */
static void
two_workers(void)
{
	struct trace_rec *r;

	M = model_new();
	clock_ns = 1000000;
	start(10, ROLE_ECHO_PARENT, 1);
	start(11, ROLE_ECHO_WORKER, 10);
	for (uint32_t pid = 10; pid <= 11; pid++) {
		r = rec(TR_SEM_OPEN, pid);
		trace_rec_set_text(r, "/my_semaphore");
		r->initial = pid == 10 ? 1 : -1;
		model_apply(M, r);
	}
}

Test(notes, the_screen_says_the_holder_died_of_sigpipe_and_later_trywaits_lose_to_it)
{
	struct trace_rec *r;

	two_workers();
	trywait(11, 1);
	r = rec(TR_ACCEPT, 11);
	r->fd = 3;
	r->ret = 5;
	r->port = 40000;
	model_apply(M, r);
	cr_assert_eq(model_conns_of(M, 11), 1);
	r = rec(TR_REAP, 10);
	r->child = 11;
	r->how = REAP_KILLED;
	r->signo = SIGPIPE;
	model_apply(M, r);
	trywait(10, 0);
	trywait(10, 0);
	cr_assert(model_sem_owner_dead(M, model_sem(M, "/my_semaphore")));
	cr_assert_eq(model_conns_of(M, 11), 0, "the dead worker's connection is still open");
	says(P_SEM, "dead: killed by SIGPIPE while holding it");
	says(P_SEM, "(2 to a dead owner)");
	says(P_SEM, "a fixed name");
	says(P_STORY, "which died holding the semaphore");
	model_free(M);
}

Test(notes, the_screen_says_the_holder_is_blocked_in_accept_until_its_next_record)
{
	struct trace_rec *r;

	two_workers();
	trywait(10, 1);
	r = rec(TR_ASLEEP, 1);
	r->of = 10;
	r->nr = SYS_accept4;
	r->fd = 3;
	r->holding = 1;
	trace_rec_set_text(r, "inet_csk_accept");
	model_apply(M, r);
	says(P_SEM, "(blocked in accept())");
	says(P_STORY, "asleep in accept4(3) holding the semaphore");
	r = rec(TR_ACCEPT, 10);
	r->fd = 3;
	r->ret = 5;
	model_apply(M, r);
	cr_assert_null(strstr(drawn(P_SEM), "blocked in accept"), "still blocked after its accept returned");
	model_free(M);
}

Test(notes, the_screen_says_eexist_and_the_fix_and_counts_a_skipped_batch)
{
	struct trace_rec *r;

	M = model_new();
	clock_ns = 1000000;
	start(10, ROLE_ECHO_PARENT, 1);
	r = rec(TR_SEM_OPEN, 10);
	trace_rec_set_text(r, "/my_semaphore");
	r->initial = 1;
	r->ret = -1;
	r->err = EEXIST;
	model_apply(M, r);
	says(P_SEM, "EEXIST");
	says(P_SEM, "The fix: a per-run name, and sem_unlink on every exit path");
	says(P_STORY, "left /dev/shm/sem.my_semaphore behind");
	r = rec(TR_BATCH_SKIP, 10);
	r->batch = 3;
	r->skipped = 2;
	model_apply(M, r);
	cr_assert_eq(model_proc(M, 10)->skipped, 2);
	says(P_STORY, "break after a lost sem_trywait: 2 of 3 ready entries not served");
	model_free(M);
}
