/*
 * test_panels.c - the panels draw every object of the model, not "the"
 * server or "the" FIFO: a model built from records of a program with two
 * listening sockets, two semaphores and two FIFOs, drawn by each panel
 * into its lines (no terminal needed), names all of them.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "model_helpers.h"

/* proc_start of pid as role, with a name. */
static void
start(uint32_t pid, int role, const char *name)
{
	struct trace_rec *r = rec(TR_PROC_START, pid);

	r->role = role;
	r->ppid = 100;
	r->pgid = 101;
	r->sid = 100;
	trace_rec_set_text(r, name);
	model_apply(M, r);
}

/* A listening socket fd of pid on 127.0.0.1:port, in an epoll instance epfd of pid. */
static void
listener(uint32_t pid, int fd, int port, int backlog, int epfd)
{
	struct trace_rec *r = rec(TR_LISTEN, pid);

	r->fd = fd;
	r->port = port;
	r->backlog = backlog;
	trace_rec_set_text(r, "127.0.0.1");
	model_apply(M, r);
	r = rec(TR_EPOLL_CREATE, pid);
	r->ret = epfd;
	model_apply(M, r);
	r = rec(TR_EPOLL_CTL, pid);
	r->epfd = epfd;
	r->op = EPOLL_CTL_ADD;
	r->fd = fd;
	r->events = EPOLLIN;
	r->data = (uint64_t)fd;
	model_apply(M, r);
	r = rec(TR_ACCEPTQ, 1);
	r->port = port;
	r->qlen = (uint64_t)port % 10;
	r->backlog = backlog;
	model_apply(M, r);
}

/* A semaphore record of pid about the sem_t handle. */
static void
sem(int type, uint32_t pid, const char *name, uint64_t handle, int ret)
{
	struct trace_rec *r = rec(type, pid);

	r->handle = handle;
	r->initial = 1;
	r->ret = ret;
	r->err = ret < 0 ? EAGAIN : 0;
	if (name)
		trace_rec_set_text(r, name);
	model_apply(M, r);
}

/* A FIFO at path watched by pid as fd, from which it read text. */
static void
fifo(uint32_t pid, const char *path, int fd, const char *text)
{
	struct trace_rec *r = rec(TR_FIFO_WAITING, pid);

	trace_rec_set_text(r, path);
	model_apply(M, r);
	r = rec(TR_FIFO_OPENED, pid);
	r->fd = r->ret = fd;
	trace_rec_set_text(r, path);
	model_apply(M, r);
	r = rec(TR_READ, pid);
	r->fd = fd;
	r->ret = (int64_t)strlen(text);
	trace_rec_set_text(r, text);
	model_apply(M, r);
}

/* Everything panel id draws at w columns, its title included, as one string. */
static const char *
drawn(int id, int w)
{
	return panel_text(id, w, NULL, "\n");
}

/* Does panel id say want (as it draws at 120 columns)? */
static void
says(int id, const char *want)
{
	panel_says(id, drawn(id, 120), want);
}

/* Does panel id say want, and no longer old (as it draws at 120 columns)? */
static void
says_instead(int id, const char *want, const char *old)
{
	const char *t = drawn(id, 120);

	panel_says(id, t, want);
	cr_assert_null(strstr(t, old), "panel %s still says \"%s\":\n%s", panel_ops_of(id)->name, old, t);
}

/* A program of two servers (one listening socket each), two semaphores and two FIFO watchers. */
static void
setup(void)
{
	M = model_new();
	clock_ns = 1000000;
	start(101, ROLE_ECHO_PARENT, "srv-a");
	start(102, ROLE_ECHO_WORKER, "srv-b");
	start(103, ROLE_FIFO, "watch-a");
	start(104, ROLE_FIFO, "watch-b");
	listener(101, 3, 8081, 5, 5);
	listener(102, 3, 8082, 7, 6);
	sem(TR_SEM_OPEN, 101, "/sem-one", 0xa0, 0);
	sem(TR_SEM_OPEN, 101, "/sem-two", 0xb0, 0);
	sem(TR_SEM_OPEN, 102, "/sem-one", 0xc0, 0);
	sem(TR_SEM_TRYWAIT, 101, NULL, 0xb0, 0);  /* 101 holds /sem-two */
	sem(TR_SEM_TRYWAIT, 102, NULL, 0xc0, 0);  /* 102 holds /sem-one */
	sem(TR_SEM_TRYWAIT, 101, NULL, 0xa0, -1); /* and 101 lost it */
	fifo(103, "/tmp/a/fifo", 4, "hello-a");
	fifo(104, "/tmp/b/fifo", 5, "hello-b");
}

/* Free the model. */
static void
teardown(void)
{
	model_free(M);
	M = NULL;
}

TestSuite(panels, .init = setup, .fini = teardown);

Test(panels, the_model_keeps_each_object)
{
	cr_assert_eq(M->nlistens, 2, "%d listening sockets, want 2", M->nlistens);
	cr_assert_eq(M->nsems, 2, "%d semaphores, want 2", M->nsems);
	cr_assert_eq(M->nfifos, 2, "%d FIFOs, want 2", M->nfifos);
	cr_assert_eq(model_sem(M, "/sem-two")->owner, 101, "/sem-two held by %u", model_sem(M, "/sem-two")->owner);
	cr_assert_eq(model_sem(M, "/sem-one")->owner, 102, "/sem-one held by %u", model_sem(M, "/sem-one")->owner);
	cr_assert_eq(model_fifo(M, "/tmp/a/fifo")->reads, 1, "reads of a");
	cr_assert_eq(model_fifo(M, "/tmp/b/fifo")->reads, 1, "reads of b");
	cr_assert_eq(M->accept_queue, 1 + 2, "accept queue summed over both ports: %lld", (long long)M->accept_queue);
}

Test(panels, a_read_of_another_fd_is_not_a_fifo_read)
{
	struct trace_rec *r = rec(TR_READ, 103);

	r->fd = 0; /* the terminal, not the FIFO */
	r->ret = 5;
	trace_rec_set_text(r, "stdin");
	model_apply(M, r);
	cr_assert_eq(model_fifo(M, "/tmp/a/fifo")->reads, 1, "a read of fd 0 counted as a FIFO read");
	cr_assert_str_eq(model_fifo(M, "/tmp/a/fifo")->last, "hello-a", "last read '%s'",
			 model_fifo(M, "/tmp/a/fifo")->last);
}

Test(panels, each_panel_applies_when_its_objects_exist)
{
	struct scenario sc;
	struct view v;
	struct model *empty = model_new();

	memset(&sc, 0, sizeof sc);
	memset(&v, 0, sizeof v);
	v.mode = VIEW_LIVE;
	v.sc = &sc;
	v.m = M;
	cr_assert(panel_applies(P_SEM, &v) && panel_applies(P_CONN, &v) && panel_applies(P_FIFO, &v),
		  "a panel with objects to show does not apply");
	v.m = empty;
	cr_assert(!panel_applies(P_SEM, &v) && !panel_applies(P_CONN, &v) && !panel_applies(P_FIFO, &v),
		  "a panel without objects to show applies");
	cr_assert(panel_applies(P_WAIT, &v) && panel_applies(P_STORY, &v), "the timeline or the Story is hidden");
	model_free(empty);
}

Test(panels, semaphore_names_both_and_who_holds_each)
{
	says(P_SEM, "/sem-one");
	says(P_SEM, "/sem-two");
	says(P_SEM, "held by 102");
	says(P_SEM, "held by 101");
}

Test(panels, connections_names_both_listening_sockets_and_their_queues)
{
	says(P_CONN, "127.0.0.1:8081");
	says(P_CONN, "127.0.0.1:8082");
	says(P_CONN, "accept queue 1 waiting");
	says(P_CONN, "accept queue 2 waiting");
	says(P_CONN, "backlog 5");
	says(P_CONN, "backlog 7");
}

Test(panels, fifo_names_both_fifos_and_what_each_read)
{
	says(P_FIFO, "/tmp/a/fifo");
	says(P_FIFO, "/tmp/b/fifo");
	says(P_FIFO, "last read \"hello-a\"");
	says(P_FIFO, "last read \"hello-b\"");
	says(P_FIFO, "(watcher 103)");
	says(P_FIFO, "(watcher 104)");
}

Test(panels, the_fifo_panel_offers_a_writer_only_while_its_watcher_lives)
{
	struct trace_rec *r;

	says(P_FIFO, "W opens one");
	/* ^C: the first FIFO's watcher is killed and reaped; the W key would open nothing now. */
	r = rec(TR_REAP, 100);
	r->child = 103;
	r->how = REAP_KILLED;
	r->signo = SIGINT;
	model_apply(M, r);
	says_instead(P_FIFO, "none (the watcher has ended)", "W opens one");
}

Test(panels, the_story_says_no_writer_came_when_the_fifos_open_was_interrupted)
{
	struct trace_rec *r = rec(TR_FIFO_OPENED, 103);

	/* ^C while the watcher blocks in open(O_RDONLY): open returns -1 EINTR. */
	trace_rec_set_text(r, "/tmp/a/fifo");
	r->fd = -1;
	r->ret = -1;
	r->err = EINTR;
	model_apply(M, r);
	says_instead(P_STORY, "no writer came: open(FIFO) = -1 EINTR", "a writer came: open(FIFO) = -1");
}

Test(panels, epoll_instances_name_both_listening_ports)
{
	says(P_EPOLL, "listening :8081");
	says(P_EPOLL, "listening :8082");
}

Test(panels, the_story_names_both_semaphores_and_both_ports)
{
	says(P_STORY, "sem_open(\"/sem-one\"");
	says(P_STORY, "sem_open(\"/sem-two\"");
	says(P_STORY, "127.0.0.1:8081");
	says(P_STORY, "127.0.0.1:8082");
}

/* A failed client id: ev (error or timeout) with err, elapsed ns after it began, from local port 40000 + id. */
static void
failed_client(int id, int ev, int err, uint64_t elapsed)
{
	struct trace_rec *r = rec(TR_CLIENT, 1);

	r->client = id;
	r->event = ev;
	r->client_port = 40000 + id;
	r->err = err;
	r->ret = err ? -1 : 0;
	r->elapsed_ns = elapsed;
	model_apply(M, r);
}

Test(panels, the_story_gives_each_failed_client_its_reason)
{
	struct trace_rec *r;

	failed_client(1, CLIENT_ERROR, ECONNREFUSED, 1000);
	failed_client(2, CLIENT_ERROR, ECONNRESET, 1000);
	failed_client(3, CLIENT_TIMEOUT, 0, 2000000000ull);
	r = rec(TR_ACCEPT, 102);
	r->fd = 3;
	r->ret = 9;
	r->port = 40004;
	model_apply(M, r);
	failed_client(4, CLIENT_TIMEOUT, 0, 2100000000ull);
	r = rec(TR_ACCEPTQ, 1);
	r->port = 8081;
	r->qlen = 6;
	r->backlog = 5;
	model_apply(M, r);
	failed_client(5, CLIENT_TIMEOUT, ETIMEDOUT, 3000000000ull);
	says(P_STORY, "client 1 failed: connection refused: nothing listened on the server's port");
	says(P_STORY, "client 2 failed: reset by the server (RST) before it was accepted");
	says(P_STORY, "client 3 failed: no reply in 2.0 s, never accepted: 3 connections waiting in the accept queue");
	says(P_STORY, "client 4 failed: no reply in 2.1 s: accepted by 102 srv-b, which did not answer");
	says(P_STORY, "client 5 failed: could not connect in 3.0 s: the accept queue was full (6 waiting, backlog 5)");
	for (uint32_t pid = 101; pid <= 102; pid++) {
		r = rec(TR_PROC_EXIT, pid);
		model_apply(M, r);
	}
	failed_client(6, CLIENT_ERROR, ECONNREFUSED, 1000);
	says(P_STORY, "client 6 failed: connection refused: nothing listened on the server's port (the server had ended)");
	/* Clients that failed alike, one after another, are one line. */
	failed_client(7, CLIENT_ERROR, ECONNRESET, 1000);
	failed_client(8, CLIENT_ERROR, ECONNRESET, 2000);
	says(P_STORY, "clients 7-8 failed: reset by the server (RST): the server had ended");
}

Test(panels, connections_count_the_races_each_worker_lost)
{
	struct trace_rec *r;

	r = rec(TR_INHERIT, 105);
	r->fd = 3;
	r->kind = OPEN_LISTEN;
	r->from = 101;
	model_apply(M, r); /* 105 shares 101's socket on 8081 */
	r = rec(TR_ACCEPT, 105);
	r->fd = 3;
	r->ret = -1;
	r->err = EAGAIN;
	model_apply(M, r);
	says(P_STORY, "accept(3) = -1 EAGAIN: another worker took the connection (lost the race)");
	says(P_CONN, "lost 1");
}

Test(panels, a_narrow_timeline_tells_apart_processes_that_share_a_name)
{
	struct trace_rec *r;
	const char *s;

	start(201, ROLE_PROGRAM, "nginx");
	start(202, ROLE_PROGRAM, "nginx");
	for (uint32_t pid = 201; pid <= 203; pid++) {
		r = rec(TR_WAIT_RETURN, pid == 203 ? 101 : pid); /* and srv-a, whose name is its own */
		r->epfd = 7;
		r->ret = 0;
		model_apply(M, r);
	}
	s = drawn(P_WAIT, 40); /* narrow: names without pids, but these two share one */
	cr_assert_not_null(strstr(s, "201 "), "pid 201 is not on the narrow timeline:\n%s", s);
	cr_assert_not_null(strstr(s, "202 "), "pid 202 is not on the narrow timeline:\n%s", s);
	cr_assert_not_null(strstr(s, "srv-a"), "a unique name is still shown by name:\n%s", s);
}

Test(panels, a_blocking_sem_wait_takes_the_semaphore)
{
	struct trace_rec *r;

	start(301, ROLE_PROGRAM, "server");
	sem(TR_SEM_OPEN, 301, "/sem-three", 0x3000, 0);
	sem(TR_SEM_WAIT, 301, NULL, 0x3000, 0);
	says(P_SEM, "held by 301");
	r = rec(TR_SEM_WAIT, 301);
	r->handle = 0x3000;
	r->ret = -1;
	r->err = ETIMEDOUT;
	model_apply(M, r);
	says(P_SEM, "/sem-three");
	cr_assert_eq(model_proc(M, 301)->sem_lost, 1, "a timed-out sem_timedwait is not counted as not taken");
}

/*
 * A free semaphore nobody has taken is at sem_open's value, not "given back";
 * once taken and posted, it was given back.  A fixed name (the notes'
 * sem_name) is called fixed even when it begins /epollviz., not per-run.
 */
Test(panels, a_semaphore_says_whether_it_was_given_back_and_whether_its_name_is_fixed)
{
	static struct scenario sc;
	const char *t;

	start(401, ROLE_ECHO_PARENT, "echo-w0");
	sem(TR_SEM_OPEN, 401, "/epollviz.notes-as-written", 0x4000, 0);
	sc.njobs = 1;
	sc.jobs[0].kind = JOB_ECHO;
	snprintf(sc.jobs[0].sem_name, sizeof sc.jobs[0].sem_name, "/epollviz.notes-as-written");
	t = panel_text(P_SEM, 120, &sc, "\n");
	panel_says(P_SEM, t, "free (sem_open's initial value: not taken yet)");
	panel_says(P_SEM, t, "/epollviz.notes-as-written (a fixed name, as the notes': sem_name)");
	cr_assert_null(strstr(t, "per-run"), "a fixed name is called per-run:\n%s", t);
	cr_assert_null(strstr(t, "gave it back"), "a semaphore nobody took was 'given back':\n%s", t);
	sem(TR_SEM_TRYWAIT, 401, NULL, 0x4000, 0);
	sem(TR_SEM_POST, 401, NULL, 0x4000, 0);
	says(P_SEM, "free (sem_post gave it back)");
	says(P_SEM, "/epollviz.notes-as-written (per-run name)"); /* no scenario gave it as sem_name */
}

/* A job record of pgid: started, stopped, continued or done (enum job_event). */
static void
job(int pgid, int event)
{
	struct trace_rec *r = rec(TR_JOB, 100);

	r->pgid = pgid;
	r->event = event;
	trace_rec_set_text(r, "epollviz probe probe=tty-read");
	model_apply(M, r);
}

/* With no instance ever made, the epoll panel says "yet" while a job runs, and not once every job has ended. */
Test(panels, the_epoll_panel_does_not_wait_for_an_instance_after_the_jobs_ended)
{
	model_free(M);
	M = model_new();
	job(501, JOB_STARTED); /* before its process has said anything */
	says(P_EPOLL, "no epoll instance yet");
	job(501, JOB_DONE);
	says_instead(P_EPOLL, "no epoll instance: the jobs ended without making one", "yet");
}
