/*
 * test_model.c - unit tests of the pure state model (model.h): hand-made
 * record sequences applied to a fresh model, as a replay would feed it.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "model_helpers.h"

/* A fresh model and clock for every test. */
static void
setup(void)
{
	M = model_new();
	clock_ns = 1000000;
}

/* Free the model the test ended with. */
static void
teardown(void)
{
	model_free(M);
	M = NULL;
}

TestSuite(model, .init = setup, .fini = teardown);

/* Apply r to the model under test. */
static void
apply(const struct trace_rec *r)
{
	model_apply(M, r);
}

/* A proc_start record: pid is a process of role. */
static void
start(uint32_t pid, int role, int ppid, int pgid, const char *name)
{
	struct trace_rec *r = rec(TR_PROC_START, pid);

	r->op = role;
	r->ppid = ppid;
	r->pgid = pgid;
	r->sid = 1;
	trace_rec_set_text(r, name);
	apply(r);
}

/* A successful epoll_create1 of pid that returned epfd. */
static void
create_ep(uint32_t pid, int epfd)
{
	struct trace_rec *r = rec(TR_EPOLL_CREATE, pid);

	r->ret = epfd;
	apply(r);
}

/* An epoll_ctl record with its result. */
static void
ctl(uint32_t pid, int epfd, int op, int fd, uint32_t events, uint64_t data, int ret, int err)
{
	struct trace_rec *r = rec(TR_EPOLL_CTL, pid);

	r->epfd = epfd;
	r->op = op;
	r->fd = fd;
	r->events = events;
	r->data = data;
	r->ret = ret;
	r->err = err;
	apply(r);
}

/* A close record; a failed close (ret -1) says EBADF. */
static void
close_fd(uint32_t pid, int fd, int ret)
{
	struct trace_rec *r = rec(TR_CLOSE, pid);

	r->fd = fd;
	r->ret = ret;
	r->err = ret < 0 ? EBADF : 0;
	apply(r);
}

/* A wait return with one pair (npairs 0 when events is 0 and ret is 0). */
static void
wait_ret(uint32_t pid, int epfd, int ret, uint32_t events, uint64_t data)
{
	struct trace_rec *r = rec(TR_WAIT_RETURN, pid);

	r->epfd = epfd;
	r->ret = ret;
	r->err = ret < 0 ? EINTR : 0;
	if (ret > 0) {
		r->npairs = 1;
		r->pairs[0].events = events;
		r->pairs[0].data = data;
	}
	apply(r);
}

/* A TR_INHERIT record: pid got fd (of kind) from pid from. */
static void
inherit(uint32_t pid, int fd, int kind, uint32_t from)
{
	struct trace_rec *r = rec(TR_INHERIT, pid);

	r->fd = fd;
	r->op = kind;
	r->pid2 = (int)from;
	apply(r);
}

/* A counted hup_storm record of the FIFO watcher. */
static void
storm(uint32_t pid, int epfd, int fd, uint64_t count, int capped)
{
	struct trace_rec *r = rec(TR_HUP_STORM, pid);

	r->epfd = epfd;
	r->fd = fd;
	r->count = count;
	r->data = 2000000000ull;
	r->op = capped;
	apply(r);
}

/* An accept record: newfd < 0 is a lost race (EAGAIN). */
static void
accept_conn(uint32_t pid, int lfd, int newfd, int port)
{
	struct trace_rec *r = rec(TR_ACCEPT, pid);

	r->fd = lfd;
	r->ret = newfd;
	r->err = newfd < 0 ? EAGAIN : 0;
	r->port = port;
	trace_rec_set_text(r, "127.0.0.1");
	apply(r);
}

/* A recv, send or read record on fd that returned ret. */
static void
io(int type, uint32_t pid, int fd, int ret)
{
	struct trace_rec *r = rec(type, pid);

	r->fd = fd;
	r->ret = ret;
	apply(r);
}

/* A semaphore record of type; a failure says EAGAIN. */
static void
sem(int type, uint32_t pid, int ret)
{
	struct trace_rec *r = rec(type, pid);

	r->ret = ret;
	r->err = ret < 0 ? EAGAIN : 0;
	if (type == TR_SEM_OPEN || type == TR_SEM_UNLINK)
		trace_rec_set_text(r, "/epollviz-test");
	if (type == TR_SEM_OPEN)
		r->initial = 1;
	apply(r);
}

/* What the children printed, as the front end reports it. */
static void
tty(const char *text)
{
	struct trace_rec *r = rec(TR_TTY, 1);

	trace_rec_set_text(r, text);
	apply(r);
}

/* The entry for fd in an interest list, or NULL. */
static const struct m_watch *
watch_of(const struct m_inst *in, int fd)
{
	for (int i = 0; i < in->nw; i++)
		if (in->w[i].fd == fd)
			return &in->w[i];
	return NULL;
}

/* ---- processes -------------------------------------------------------- */

Test(model, process_start_exit_and_reap)
{
	struct m_proc *p;
	struct trace_rec *r;

	start(100, ROLE_SESSION, 1, 100, "session");
	start(101, ROLE_ECHO_PARENT, 100, 101, "echo-w0");
	start(102, ROLE_ECHO_WORKER, 101, 101, "echo-w1");
	apply(rec(TR_READY, 102));
	cr_assert_eq(M->nprocs, 3, "%d processes", M->nprocs);
	cr_assert_eq(M->session_pid, 100, "session_pid %u", M->session_pid);
	cr_assert_eq(model_server_pid(M), 101, "server_pid %u", model_server_pid(M));
	p = model_proc(M, 102);
	cr_assert_not_null(p, "worker unknown");
	cr_assert_eq(p->role, ROLE_ECHO_WORKER, "role %d", p->role);
	cr_assert_str_eq(p->name, "echo-w1", "name '%s'", p->name);
	cr_assert_eq(p->ppid, 101, "ppid");
	cr_assert_eq(p->pgid, 101, "pgid");
	cr_assert(p->started && p->ready && p->alive, "started %d ready %d alive %d", p->started,
		  p->ready, p->alive);
	cr_assert_eq(model_count(M, ROLE_ECHO_WORKER, 1), 1, "ready workers");
	cr_assert_eq(model_count(M, ROLE_ECHO_PARENT, 1), 0, "parent is not ready yet");
	cr_assert_eq(model_count(M, ROLE_ECHO_PARENT, 0), 1, "alive parents");

	r = rec(TR_PROC_EXIT, 102);
	r->ret = 0;
	apply(r);
	p = model_proc(M, 102);
	cr_assert(p->has_exit && !p->alive, "exit not recorded");
	cr_assert_eq(model_count(M, ROLE_ECHO_WORKER, 0), 0, "exited worker still counted");

	r = rec(TR_REAP, 101);
	r->child = 102;
	r->op = REAP_STOPPED;
	r->arg = 19;
	apply(r);
	cr_assert_eq(model_proc(M, 102)->reaped, 0, "a stop counted as a reap");

	r = rec(TR_REAP, 101);
	r->child = 102;
	r->op = REAP_EXITED;
	r->arg = 0;
	apply(r);
	p = model_proc(M, 102);
	cr_assert(p->reaped && p->how == REAP_EXITED && p->code == 0, "reap not recorded");

	r = rec(TR_REAP, 100);
	r->child = 555; /* never seen before */
	r->op = REAP_KILLED;
	r->arg = 9;
	apply(r);
	p = model_proc(M, 555);
	cr_assert_not_null(p, "reaped stranger not created");
	cr_assert(!p->alive && p->reaped && p->how == REAP_KILLED && p->code == 9,
		  "killed stranger: alive %d reaped %d how %d code %d", p->alive, p->reaped, p->how,
		  p->code);
	cr_assert_eq(model_event_back(M, 0)->type, TR_REAP, "reap not in the story events");
}

Test(model, clock_comes_from_the_records)
{
	struct trace_rec *r = rec(TR_LOG, 1);

	r->ts_ns = 5000;
	apply(r);
	r = rec(TR_LOG, 1);
	r->ts_ns = 9000;
	apply(r);
	r = rec(TR_LOG, 2);
	r->ts_ns = 3000; /* another process's clock read earlier */
	apply(r);
	cr_assert_eq(M->records, 3, "records %llu", (unsigned long long)M->records);
	cr_assert_eq(M->t0, 3000, "t0 %llu", (unsigned long long)M->t0);
	cr_assert_eq(M->t_last, 9000, "t_last %llu", (unsigned long long)M->t_last);
}

Test(model, process_table_reuses_dead_slots_and_never_overflows)
{
	for (uint32_t pid = 1000; pid < 1000 + M_MAX_PROCS; pid++)
		start(pid, ROLE_ECHO_WORKER, 1, 1, "w");
	cr_assert_eq(M->nprocs, M_MAX_PROCS, "%d processes", M->nprocs);
	start(5000, ROLE_ECHO_WORKER, 1, 1, "extra");
	cr_assert_null(model_proc(M, 5000), "a full table of live processes took one more");
	cr_assert_eq(M->records, M_MAX_PROCS, "the dropped record was counted");

	struct trace_rec *r = rec(TR_PROC_EXIT, 1003);
	apply(r);
	start(5000, ROLE_ECHO_WORKER, 1, 1, "extra");
	cr_assert_not_null(model_proc(M, 5000), "a dead slot was not reused");
	cr_assert_null(model_proc(M, 1003), "the dead process is still there");
	cr_assert_not_null(model_proc(M, 1004), "a live process was evicted");
	cr_assert_eq(M->nprocs, M_MAX_PROCS, "%d processes", M->nprocs);
}

/* ---- epoll instances and interest lists ------------------------------ */

Test(model, create_and_ctl_build_and_edit_the_interest_list)
{
	const struct m_inst *in;
	const struct m_watch *w;

	create_ep(10, 4);
	in = model_inst_of(M, 10, 4);
	cr_assert_not_null(in, "no instance after epoll_create");
	cr_assert_eq(in->id, 1, "first instance id %d", in->id);
	cr_assert_eq(in->creator, 10, "creator %u", in->creator);
	cr_assert_eq(in->nholders, 1, "holders %d", in->nholders);
	cr_assert_eq(model_fd(model_proc(M, 10), 4)->kind, FDK_EPOLL, "epfd not an epoll fd");

	ctl(10, 4, EPOLL_CTL_ADD, 3, EPOLLIN | EPOLLET, 3, 0, 0);
	ctl(10, 4, EPOLL_CTL_ADD, 5, EPOLLIN, 5, 0, 0);
	ctl(10, 4, EPOLL_CTL_ADD, 6, EPOLLOUT, 6, 0, 0);
	in = model_inst_of(M, 10, 4);
	cr_assert_eq(in->nw, 3, "%d watches after 3 ADDs", in->nw);

	ctl(10, 4, EPOLL_CTL_MOD, 3, EPOLLOUT | EPOLLONESHOT, 0xABCDEF0123ull, 0, 0);
	w = watch_of(in, 3);
	cr_assert_not_null(w, "fd 3 lost by MOD");
	cr_assert_eq(w->events, EPOLLOUT | EPOLLONESHOT, "MOD events %#x", w->events);
	cr_assert_eq(w->data, 0xABCDEF0123ull, "MOD data");
	cr_assert_eq(w->owner, 10, "owner %u", w->owner);

	ctl(10, 4, EPOLL_CTL_DEL, 5, 0, 0, 0, 0);
	cr_assert_eq(in->nw, 2, "%d watches after DEL", in->nw);
	cr_assert_null(watch_of(in, 5), "fd 5 still watched after DEL");
	cr_assert_not_null(watch_of(in, 6), "DEL removed the wrong fd");
	cr_assert_not_null(watch_of(in, 3), "DEL removed the wrong fd");
}

Test(model, a_failed_ctl_changes_nothing)
{
	const struct m_inst *in;
	const struct trace_rec *e;

	create_ep(10, 4);
	ctl(10, 4, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0);
	ctl(10, 4, EPOLL_CTL_ADD, 3, EPOLLOUT, 99, -1, EEXIST);
	ctl(10, 4, EPOLL_CTL_ADD, 8, EPOLLIN, 8, -1, EPERM);
	ctl(10, 4, EPOLL_CTL_MOD, 3, EPOLLOUT, 77, -1, EINVAL);
	ctl(10, 4, EPOLL_CTL_DEL, 3, 0, 0, -1, EBADF);
	ctl(10, 9, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0); /* no such instance */
	in = model_inst_of(M, 10, 4);
	cr_assert_eq(in->nw, 1, "%d watches, want 1", in->nw);
	cr_assert_eq(in->w[0].events, EPOLLIN, "events changed to %#x", in->w[0].events);
	cr_assert_eq(in->w[0].data, 3, "data changed to %llu", (unsigned long long)in->w[0].data);
	cr_assert_eq(M->ninst, 1, "%d instances", M->ninst);
	e = model_event_back(M, 0);
	cr_assert_eq(e->type, TR_EPOLL_CTL, "a failed ctl is not a story event");
	cr_assert_eq(e->err, EBADF, "newest event err %d", e->err);
}

Test(model, closing_an_fd_removes_its_registrations)
{
	create_ep(10, 4);
	create_ep(10, 6);
	ctl(10, 4, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0);
	ctl(10, 6, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0);
	ctl(10, 4, EPOLL_CTL_ADD, 7, EPOLLIN, 7, 0, 0);
	close_fd(10, 3, -1); /* failed close: nothing */
	cr_assert_eq(model_inst_of(M, 10, 4)->nw, 2, "a failed close removed a watch");
	close_fd(10, 3, 0);
	cr_assert_null(watch_of(model_inst_of(M, 10, 4), 3), "fd 3 still in instance 1");
	cr_assert_null(watch_of(model_inst_of(M, 10, 6), 3), "fd 3 still in instance 2");
	cr_assert_not_null(watch_of(model_inst_of(M, 10, 4), 7), "fd 7 removed too");
	cr_assert_eq(M->ninst, 2, "closing a watched fd dropped an instance");
}

Test(model, closing_an_epoll_fd_drops_the_instance)
{
	create_ep(10, 4);
	ctl(10, 4, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0);
	create_ep(10, 5);
	close_fd(10, 4, 0);
	cr_assert_null(model_inst_of(M, 10, 4), "instance survived the close of its only fd");
	cr_assert_eq(M->ninst, 1, "%d instances", M->ninst);
	cr_assert_eq(model_inst_of(M, 10, 5)->id, 2, "the other instance changed");
	cr_assert_null(model_fd(model_proc(M, 10), 4), "closed fd still in the fd table");
	create_ep(10, 4);
	cr_assert_eq(model_inst_of(M, 10, 4)->id, 3, "a new instance on a reused fd number keeps "
		     "an old id");
	cr_assert_eq(model_inst_of(M, 10, 4)->nw, 0, "new instance inherited old watches");
}

Test(model, an_epoll_fd_number_reused_without_close_replaces_the_instance)
{
	create_ep(10, 4);
	ctl(10, 4, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0);
	create_ep(10, 4);
	cr_assert_eq(M->ninst, 1, "%d instances, want 1", M->ninst);
	cr_assert_eq(model_inst_of(M, 10, 4)->nw, 0, "stale watches kept");
}

Test(model, an_inherited_epoll_fd_is_one_instance_with_two_holders)
{
	const struct m_inst *a, *b;

	start(20, ROLE_ECHO_PARENT, 1, 20, "echo-w0");
	create_ep(20, 5);
	ctl(20, 5, EPOLL_CTL_ADD, 3, EPOLLIN | EPOLLET, 3, 0, 0);
	start(21, ROLE_ECHO_WORKER, 20, 20, "echo-w1");
	inherit(21, 5, OPEN_EPOLL, 20);
	inherit(21, 3, OPEN_LISTEN, 20);
	a = model_inst_of(M, 20, 5);
	b = model_inst_of(M, 21, 5);
	cr_assert_not_null(b, "the child holds no instance");
	cr_assert_eq(a, b, "two instances for one inherited epoll fd");
	cr_assert_eq(M->ninst, 1, "%d instances", M->ninst);
	cr_assert_eq(a->nholders, 2, "%d holders", a->nholders);

	ctl(21, 5, EPOLL_CTL_ADD, 7, EPOLLIN, (21ull << 32) | 7, 0, 0);
	ctl(20, 5, EPOLL_CTL_ADD, 8, EPOLLIN, (20ull << 32) | 8, 0, 0);
	cr_assert_eq(a->nw, 3, "%d watches after ADDs from both pids", a->nw);
	cr_assert_eq(watch_of(a, 7)->owner, 21, "owner of fd 7");
	cr_assert_eq(watch_of(a, 8)->owner, 20, "owner of fd 8");

	/* The same fd number in each process: two different files, two entries. */
	ctl(20, 5, EPOLL_CTL_ADD, 7, EPOLLIN, (20ull << 32) | 7, 0, 0);
	cr_assert_eq(a->nw, 4, "%d watches", a->nw);
	ctl(21, 5, EPOLL_CTL_DEL, 7, 0, 0, 0, 0);
	cr_assert_eq(a->nw, 3, "%d watches after the child's DEL", a->nw);
	cr_assert_eq(watch_of(a, 7)->owner, 20, "the child's DEL removed the parent's fd 7");

	/* The inherited listening socket is the same file in both: the child may edit it. */
	ctl(21, 5, EPOLL_CTL_MOD, 3, EPOLLIN, 3, 0, 0);
	cr_assert_eq(watch_of(a, 3)->events, EPOLLIN, "the child's MOD of the inherited fd 3 "
		     "was lost (events %#x)", watch_of(a, 3)->events);
	cr_assert_eq(watch_of(a, 3)->owner, 20, "a MOD took fd 3 from the pid that added it");
	ctl(21, 5, EPOLL_CTL_DEL, 3, 0, 0, 0, 0);
	cr_assert_null(watch_of(a, 3), "the child's DEL of the inherited fd 3 was lost");

	close_fd(21, 5, 0);
	a = model_inst_of(M, 20, 5);
	cr_assert_not_null(a, "the child's close dropped the parent's instance");
	cr_assert_eq(a->nholders, 1, "%d holders after the child's close", a->nholders);
	cr_assert_null(model_inst_of(M, 21, 5), "the child still holds it");
	close_fd(20, 5, 0);
	cr_assert_eq(M->ninst, 0, "instance survived its last holder");
}

Test(model, inheriting_a_listening_socket_keeps_its_port)
{
	struct trace_rec *r;

	start(20, ROLE_ECHO_PARENT, 1, 20, "echo-w0");
	r = rec(TR_LISTEN, 20);
	r->fd = 3;
	r->port = 8080;
	r->backlog = 5;
	apply(r);
	cr_assert_eq(M->listens[0].port, 8080, "port %d", M->listens[0].port);
	cr_assert_eq(M->listens[0].backlog, 5, "backlog %d", M->listens[0].backlog);
	inherit(21, 3, OPEN_LISTEN, 20);
	const struct m_fd *f = model_fd(model_proc(M, 21), 3);
	cr_assert_not_null(f, "inherited fd unknown");
	cr_assert_eq(f->kind, FDK_LISTEN, "kind %d", f->kind);
	cr_assert_eq(f->port, 8080, "port %d", f->port);
}

/* ---- the timeline ----------------------------------------------------- */

static struct m_wait lines_v[M_TIMELINE];

/* The timeline as the screen folds it: the number of lines, oldest first in lines_v. */
static int
lines_now(void)
{
	int n = 0;

	for (uint64_t i = 0; model_wait_line(M, &i, &lines_v[n]);)
		n++;
	cr_assert_eq((uint64_t)n, M->nwait_lines, "%d lines folded, the model counted %llu", n,
		     (unsigned long long)M->nwait_lines);
	return n;
}

/* Line k back from the newest, after lines_now(). */
static const struct m_wait *
line_back(int n, int k)
{
	cr_assert_lt(k, n, "no line %d back of %d", k, n);
	return &lines_v[n - 1 - k];
}

Test(model, identical_wait_returns_collapse_and_different_ones_do_not)
{
	const struct m_wait *w;
	int n;

	create_ep(30, 4);
	wait_ret(30, 4, 1, EPOLLIN, 3);
	wait_ret(30, 4, 1, EPOLLIN, 3);
	wait_ret(30, 4, 1, EPOLLIN, 3);
	n = lines_now();
	cr_assert_eq(n, 1, "%d lines for 3 identical returns", n);
	w = line_back(n, 0);
	cr_assert_eq(w->count, 3, "count %llu", (unsigned long long)w->count);
	cr_assert_lt(w->ts, w->ts_last, "ts_last not advanced");
	cr_assert_eq(M->returns, 3, "returns %llu", (unsigned long long)M->returns);
	cr_assert_eq(model_inst_of(M, 30, 4)->returns, 3, "instance returns");
	cr_assert_eq(model_proc(M, 30)->wakeups, 3, "wakeups");

	wait_ret(30, 4, 1, EPOLLIN, 4);  /* other data */
	wait_ret(30, 4, 1, EPOLLOUT, 4); /* other events */
	wait_ret(30, 4, 0, 0, 0);        /* timeout */
	wait_ret(30, 4, -1, 0, 0);       /* EINTR */
	n = lines_now();
	cr_assert_eq(n, 5, "%d lines, want 5", n);
	cr_assert_eq(line_back(n, 0)->err, EINTR, "newest line err");
	cr_assert_eq(line_back(n, 3)->pairs[0].data, 4, "line 2 data");
	cr_assert_eq(line_back(n, 4)->count, 3, "oldest line count");
	cr_assert_eq(M->returns, 7, "returns %llu", (unsigned long long)M->returns);
	cr_assert_eq(model_proc(M, 30)->wakeups, 5, "wakeups count only ret > 0");

	wait_ret(31, 4, -1, 0, 0); /* another pid, same epfd number, same result */
	cr_assert_eq(lines_now(), 6, "another pid's return collapsed into pid 30's");
	wait_ret(30, 4, -1, 0, 0); /* pid 30 again, after pid 31: a line of its own */
	n = lines_now();
	cr_assert_eq(n, 7, "pid 30's repeat folded back across pid 31's line");
	cr_assert_eq(line_back(n, 0)->pid, 30, "newest line pid");
	cr_assert_eq(line_back(n, 0)->count, 1, "newest line count");
	cr_assert_eq(line_back(n, 1)->pid, 31, "pid 31's line moved");
	cr_assert_eq(line_back(n, 2)->count, 1, "pid 30's older EINTR line grew");
	for (int k = 0; k + 1 < n; k++)
		cr_assert_geq(line_back(n, k)->ts, line_back(n, k + 1)->ts_last,
			      "line %d starts before the line above it ends", k);
}

/* A wait_return of pid at time ts (the records of another process come late). */
static void
wait_ret_at(uint32_t pid, uint64_t ts, uint64_t data)
{
	uint64_t keep = clock_ns;

	clock_ns = ts - 1000; /* rec() ticks once */
	wait_ret(pid, 4, 1, EPOLLIN, data);
	clock_ns = keep;
}

Test(model, a_return_that_comes_late_takes_its_place_in_time)
{
	int n;

	create_ep(30, 4);
	create_ep(31, 4);
	/* pid 30 returns at 10, 30 and 40 us; pid 31's return at 20 us comes last. */
	wait_ret_at(30, 10000, 3);
	wait_ret_at(30, 30000, 3);
	wait_ret_at(30, 40000, 3);
	cr_assert_eq(lines_now(), 1, "three identical returns in a row");
	wait_ret_at(31, 20000, 3);
	n = lines_now();
	cr_assert_eq(n, 3, "%d lines: pid 31's return did not split pid 30's", n);
	cr_assert_eq(line_back(n, 2)->pid, 30, "first line pid");
	cr_assert_eq(line_back(n, 2)->count, 1, "first line holds %llu returns",
		     (unsigned long long)line_back(n, 2)->count);
	cr_assert_eq(line_back(n, 1)->pid, 31, "the late return is not second");
	cr_assert_eq(line_back(n, 1)->ts, 20000, "the late return's time");
	cr_assert_eq(line_back(n, 0)->count, 2, "pid 30's last two returns");
	cr_assert_eq(line_back(n, 0)->ts, 30000, "they start at 30 us");
	cr_assert_eq(line_back(n, 0)->ts_last, 40000, "and end at 40 us");
}

/* pid's FIFO watcher blocks in open(path, O_RDONLY), waiting for a writer. */
static void
fifo_waiting(uint32_t pid, const char *path)
{
	struct trace_rec *r = rec(TR_FIFO_WAITING, pid);

	trace_rec_set_text(r, path);
	apply(r);
}

Test(model, a_hup_storm_folds_into_the_newest_hup_line)
{
	const struct m_wait *w;
	struct trace_rec *r;
	int n;

	fifo_waiting(40, "/tmp/x/fifo");
	cr_assert_eq(M->fifos[0].state, FIFO_WAITING, "fifo state %d", M->fifos[0].state);
	r = rec(TR_FIFO_OPENED, 40);
	r->ret = 5;
	apply(r);
	cr_assert_eq(M->fifos[0].state, FIFO_OPEN, "fifo state %d", M->fifos[0].state);
	cr_assert_eq(M->fifos[0].fd, 5, "fifo fd %d", M->fifos[0].fd);
	create_ep(40, 4);
	ctl(40, 4, EPOLL_CTL_ADD, 5, EPOLLIN, 5, 0, 0);
	for (int i = 0; i < 5; i++)
		wait_ret(40, 4, 1, EPOLLHUP, 5);
	n = lines_now();
	cr_assert_eq(n, 1, "5 HUP returns make %d lines", n);
	cr_assert_eq(model_proc(M, 40)->hup_returns, 5, "hup_returns");

	/* The watcher's count includes the 5 it traced. */
	storm(40, 4, 5, 1000, 0);
	n = lines_now();
	w = line_back(n, 0);
	cr_assert_eq(n, 1, "the storm made a new line");
	cr_assert_eq(w->count, 1000, "count %llu, want the storm count", (unsigned long long)w->count);
	cr_assert(w->storm, "line not marked as a storm");
	cr_assert_eq(M->returns, 1000, "returns %llu, want 1000", (unsigned long long)M->returns);
	cr_assert_eq(model_inst_of(M, 40, 4)->returns, 1000, "the instance's returns differ");
	cr_assert_eq(model_proc(M, 40)->hup_returns, 1000, "hup_returns %llu",
		     (unsigned long long)model_proc(M, 40)->hup_returns);
	cr_assert_eq(M->fifos[0].state, FIFO_STORM, "fifo state %d", M->fifos[0].state);
	cr_assert_eq(M->fifos[0].storm_count, 1000, "storm count");
	cr_assert_eq(M->fifos[0].storm_ns, 2000000000ull, "storm ns");

	storm(40, 4, 5, 2500, 1);
	n = lines_now();
	cr_assert_eq(n, 1, "a second storm report made a new line");
	cr_assert_eq(line_back(n, 0)->count, 2500, "count after second report");
	cr_assert_eq(M->returns, 2500, "returns %llu, want 2500", (unsigned long long)M->returns);
	cr_assert_eq(M->fifos[0].capped, 1, "capped not recorded");
	cr_assert_eq(model_event_back(M, 0)->type, TR_HUP_STORM, "capped storm not a story event");

	wait_ret(40, 4, 5, EPOLLHUP, 5); /* same as before, but the line is a storm now */
	cr_assert_eq(lines_now(), 2, "a return after the storm collapsed into it");
	cr_assert_eq(M->fifos[0].state, FIFO_OPEN, "a return after the storm left state %d",
		     M->fifos[0].state);
	cr_assert_eq(M->returns, 2501, "returns %llu", (unsigned long long)M->returns);
	cr_assert_eq(model_proc(M, 40)->hup_returns, 2501, "hup_returns %llu",
		     (unsigned long long)model_proc(M, 40)->hup_returns);
}

Test(model, a_return_with_data_and_a_hang_up_is_no_hang_up_return)
{
	create_ep(40, 4);
	wait_ret(40, 4, 1, EPOLLIN | EPOLLHUP, 5); /* the writer's last bytes, then it hung up */
	wait_ret(40, 4, 1, EPOLLHUP, 5);
	cr_assert_eq(model_proc(M, 40)->hup_returns, 1, "hup_returns %llu, want 1",
		     (unsigned long long)model_proc(M, 40)->hup_returns);
}

Test(model, a_storm_without_a_hup_line_starts_one)
{
	const struct m_wait *w;
	int n;

	create_ep(40, 4);
	wait_ret(40, 4, 1, EPOLLIN, 5);
	storm(40, 4, 5, 300, 0);
	n = lines_now();
	cr_assert_eq(n, 2, "%d lines", n);
	w = line_back(n, 0);
	cr_assert_eq(w->npairs, 1, "storm line pairs");
	cr_assert_eq(w->pairs[0].events, EPOLLHUP, "storm line events %#x", w->pairs[0].events);
	cr_assert_eq(w->pairs[0].data, 5, "storm line data");
	cr_assert_eq(w->count, 300, "count");
	cr_assert_eq(M->returns, 301, "returns %llu", (unsigned long long)M->returns);
}

Test(model, the_timeline_ring_wraps_and_keeps_the_newest)
{
	const uint64_t n = M_TIMELINE + 88;

	create_ep(30, 4);
	for (uint64_t i = 0; i < n; i++)
		wait_ret(30, 4, 1, EPOLLIN, i);
	cr_assert_eq(M->ntimeline, n, "ntimeline %llu", (unsigned long long)M->ntimeline);
	cr_assert_eq(M->returns, n, "returns %llu", (unsigned long long)M->returns);
	cr_assert_eq(model_wait_back(M, 0)->pairs[0].data, n - 1, "newest entry lost");
	cr_assert_eq(model_wait_back(M, 1)->pairs[0].data, n - 2, "second newest");
	cr_assert_eq(model_wait_back(M, M_TIMELINE - 1)->pairs[0].data, n - M_TIMELINE,
		     "oldest kept entry");
	cr_assert_null(model_wait_back(M, M_TIMELINE), "an entry beyond the ring");
}

/* ---- semaphore -------------------------------------------------------- */

Test(model, semaphore_value_owner_and_recent_bits)
{
	struct m_proc *a, *b;

	sem(TR_SEM_OPEN, 50, 0);
	cr_assert(M->sems[0].exists, "semaphore not created");
	cr_assert_eq(M->sems[0].value, 1, "initial value %d", M->sems[0].value);
	cr_assert_str_eq(M->sems[0].name, "/epollviz-test", "name '%s'", M->sems[0].name);

	sem(TR_SEM_TRYWAIT, 50, 0);
	cr_assert_eq(M->sems[0].value, 0, "value after a win %d", M->sems[0].value);
	cr_assert_eq(M->sems[0].owner, 50, "owner %u", M->sems[0].owner);
	cr_assert_eq(M->sems[0].since, clock_ns, "since");
	sem(TR_SEM_TRYWAIT, 51, -1);
	cr_assert_eq(M->sems[0].owner, 50, "a loser took the semaphore");
	sem(TR_SEM_POST, 51, -1); /* a failed post changes nothing */
	cr_assert_eq(M->sems[0].value, 0, "a failed post released it");
	sem(TR_SEM_POST, 50, 0);
	cr_assert_eq(M->sems[0].value, 1, "value after post %d", M->sems[0].value);
	cr_assert_eq(M->sems[0].owner, 0, "owner after post %u", M->sems[0].owner);
	sem(TR_SEM_TRYWAIT, 51, 0);
	cr_assert_eq(M->sems[0].owner, 51, "owner %u", M->sems[0].owner);

	a = model_proc(M, 50);
	b = model_proc(M, 51);
	cr_assert(a->sem_won == 1 && a->sem_lost == 0, "pid 50 won %llu lost %llu",
		  (unsigned long long)a->sem_won, (unsigned long long)a->sem_lost);
	cr_assert(b->sem_won == 1 && b->sem_lost == 1, "pid 51 won %llu lost %llu",
		  (unsigned long long)b->sem_won, (unsigned long long)b->sem_lost);
	cr_assert_eq(b->sem_nrecent, 2, "pid 51 nrecent %d", b->sem_nrecent);
	cr_assert_eq(b->sem_recent & 3, 1, "pid 51 recent bits %#x: newest won, before lost",
		     b->sem_recent);

	for (int i = 0; i < 20; i++)
		sem(TR_SEM_TRYWAIT, 50, i % 2 ? 0 : -1); /* lost, won, ... won */
	a = model_proc(M, 50);
	cr_assert_eq(a->sem_nrecent, M_SEM_RECENT, "nrecent %d not capped", a->sem_nrecent);
	cr_assert_eq(a->sem_recent, 0x5555, "recent bits %#x, want 0x5555", a->sem_recent);

	sem(TR_SEM_UNLINK, 50, 0);
	cr_assert(!M->sems[0].exists && M->sems[0].unlinked, "unlink not recorded");
}

/* ---- connections ------------------------------------------------------ */

Test(model, accept_recv_send_close_track_connections)
{
	struct m_proc *p;
	const struct m_conn *c;

	start(60, ROLE_ECHO_PARENT, 1, 60, "echo-w0");
	accept_conn(60, 3, 7, 40001);
	accept_conn(61, 3, 7, 40002); /* same fd number in another process */
	accept_conn(60, 3, -1, 0);    /* the loser's EAGAIN */
	cr_assert_eq(M->nconns, 2, "%d open connections", M->nconns);
	cr_assert_eq(M->conns_total, 2, "conns_total");
	cr_assert_eq(model_conns_of(M, 60), 1, "pid 60 connections");
	cr_assert_eq(model_conns_of(M, 61), 1, "pid 61 connections");
	p = model_proc(M, 60);
	cr_assert_eq(p->accepts, 1, "accepts");
	cr_assert_eq(p->accept_fail, 1, "accept_fail");
	cr_assert_eq(model_fd(p, 7)->kind, FDK_CONN, "fd 7 kind");
	cr_assert_eq(model_fd(p, 7)->port, 40001, "fd 7 peer port");

	io(TR_RECV, 60, 7, 12);
	io(TR_RECV, 60, 7, 0);  /* EOF: nothing */
	io(TR_RECV, 60, 7, -1); /* EAGAIN: nothing */
	io(TR_SEND, 60, 7, 20);
	io(TR_RECV, 60, 9, 5);  /* not a connection: the process still counts it */
	io(TR_RECV, 61, 7, 100);
	p = model_proc(M, 60);
	cr_assert_eq(p->bytes_in, 17, "bytes_in %llu", (unsigned long long)p->bytes_in);
	cr_assert_eq(p->bytes_out, 20, "bytes_out %llu", (unsigned long long)p->bytes_out);

	close_fd(60, 7, 0);
	cr_assert_eq(M->nconns, 1, "%d open after close", M->nconns);
	cr_assert_eq(model_conns_of(M, 60), 0, "pid 60 still has a connection");
	cr_assert_eq(M->nclosed, 1, "nclosed");
	c = &M->closed[0];
	cr_assert_eq(c->pid, 60, "closed pid %u", c->pid);
	cr_assert_eq(c->in, 12, "closed in %llu", (unsigned long long)c->in);
	cr_assert_eq(c->out, 20, "closed out %llu", (unsigned long long)c->out);
	cr_assert_eq(c->peer_port, 40001, "closed peer port");
	cr_assert_eq(c->state, CONN_CLOSED, "closed state");
	cr_assert_eq(c->ts_close, clock_ns, "ts_close");
	cr_assert_null(model_fd(model_proc(M, 60), 7), "closed fd still known");
	cr_assert_eq(M->conns[0].pid, 61, "the wrong connection was closed");
	cr_assert_eq(M->conns[0].in, 100, "pid 61's bytes");

	close_fd(60, 7, -1);
	cr_assert_eq(M->nclosed, 1, "a failed close closed something");
}

Test(model, closed_connections_go_to_a_ring)
{
	for (int i = 0; i < M_CLOSED + 6; i++) {
		accept_conn(60, 3, 7, 30000 + i);
		close_fd(60, 7, 0);
	}
	cr_assert_eq(M->nconns, 0, "%d open", M->nconns);
	cr_assert_eq(M->nclosed, M_CLOSED + 6, "nclosed %llu", (unsigned long long)M->nclosed);
	cr_assert_eq(M->closed[(M->nclosed - 1) % M_CLOSED].peer_port, 30000 + M_CLOSED + 5,
		     "newest closed connection lost");
	cr_assert_eq(M->conns_total, M_CLOSED + 6, "conns_total");
}

Test(model, unknown_accept_errors_are_story_events)
{
	struct trace_rec *r;

	accept_conn(60, 3, -1, 0);
	cr_assert_eq(M->nevents, 0, "EAGAIN from accept is a story event");
	r = rec(TR_ACCEPT, 60);
	r->fd = 3;
	r->ret = -1;
	r->err = EMFILE;
	apply(r);
	cr_assert_eq(M->nevents, 1, "EMFILE from accept is not a story event");
}

/* Two echo workers, 70 and 71, sharing the listening socket fd 3 on 8080. */
static void
two_workers(void)
{
	struct trace_rec *r;

	start(70, ROLE_ECHO_PARENT, 1, 70, "echo-w0");
	start(71, ROLE_ECHO_WORKER, 70, 70, "echo-w1");
	r = rec(TR_LISTEN, 70);
	r->fd = 3;
	r->port = 8080;
	r->backlog = 5;
	trace_rec_set_text(r, "127.0.0.1");
	apply(r);
	inherit(71, 3, OPEN_LISTEN, 70);
}

Test(model, a_lost_accept_race_is_counted_and_kept_for_the_story)
{
	uint64_t before;

	two_workers();
	before = M->nevents;
	wait_ret(70, 4, 1, EPOLLIN, 3);
	wait_ret(71, 4, 1, EPOLLIN, 3);
	accept_conn(70, 3, 7, 40001);
	accept_conn(71, 3, -1, 0); /* 70 took it */
	cr_assert_eq(model_proc(M, 71)->accept_lost, 1, "the loser's EAGAIN is not a lost race");
	cr_assert_eq(model_proc(M, 70)->accept_lost, 0, "the winner lost a race");
	cr_assert_eq(M->nevents - before, 1, "%llu Story records", (unsigned long long)(M->nevents - before));
	cr_assert_eq(model_event_back(M, 0)->type, TR_ACCEPT, "the lost race is not in the Story");
	cr_assert_eq(model_event_back(M, 0)->pid, 71, "the Story keeps pid %u's", model_event_back(M, 0)->pid);

	/* A drain loop ends with EAGAIN after what it took: no race lost. */
	wait_ret(70, 4, 1, EPOLLIN, 3);
	accept_conn(70, 3, 8, 40002);
	accept_conn(70, 3, -1, 0);
	cr_assert_eq(model_proc(M, 70)->accept_lost, 0, "the end of a drain loop counted as a lost race");
	/* Woken again with nothing to take: that one is lost. */
	wait_ret(70, 4, 1, EPOLLIN, 3);
	accept_conn(70, 3, -1, 0);
	cr_assert_eq(model_proc(M, 70)->accept_lost, 1, "an EAGAIN after a new wake-up is not a lost race");
	cr_assert_eq(M->nevents - before, 2, "%llu Story records", (unsigned long long)(M->nevents - before));
}

Test(model, an_eagain_on_a_socket_nobody_shares_is_no_lost_race)
{
	struct trace_rec *r;

	start(80, ROLE_ECHO_PARENT, 1, 80, "echo-w0");
	r = rec(TR_LISTEN, 80);
	r->fd = 3;
	r->port = 8081;
	trace_rec_set_text(r, "127.0.0.1");
	apply(r);
	wait_ret(80, 4, 1, EPOLLIN, 3);
	accept_conn(80, 3, -1, 0);
	cr_assert_eq(model_proc(M, 80)->accept_lost, 0, "nobody else could have taken it");
	cr_assert_eq(model_event_back(M, 0)->type, TR_LISTEN, "an EAGAIN with no rival is a Story record");
}

/* ---- terminal, jobs, clients ----------------------------------------- */

Test(model, tcsetpgrp_sets_the_foreground_group)
{
	struct trace_rec *r;

	cr_assert_eq(M->fg_pgid, -1, "fresh fg_pgid %d", M->fg_pgid);
	r = rec(TR_FG, 100);
	r->pgid = 77;
	apply(r);
	cr_assert_eq(M->fg_pgid, 77, "fg_pgid %d", M->fg_pgid);
	r = rec(TR_FG, 100);
	r->pgid = 88;
	r->ret = -1;
	r->err = EPERM;
	apply(r);
	cr_assert_eq(M->fg_pgid, 77, "a failed tcsetpgrp changed fg_pgid to %d", M->fg_pgid);
}

/* A job record of the session leader. */
static void
job(int pgid, int ev, int bg, const char *name)
{
	struct trace_rec *r = rec(TR_JOB, 100);

	r->pgid = pgid;
	r->op = ev;
	r->background = bg;
	trace_rec_set_text(r, name);
	apply(r);
}

Test(model, job_states)
{
	job(200, JOB_STARTED, 1, "fifo-watch &");
	job(300, JOB_STARTED, 0, "echo-server");
	cr_assert_eq(M->njobs, 2, "%d jobs", M->njobs);
	cr_assert_eq(model_job(M, 200)->state, MJOB_RUNNING, "bg job state");
	cr_assert_eq(model_job(M, 200)->background, 1, "bg flag");
	cr_assert_eq(model_fg_job(M)->pgid, 300, "foreground job");
	job(300, JOB_STOPPED, 0, "echo-server");
	cr_assert_eq(model_job(M, 300)->state, MJOB_STOPPED, "stopped");
	job(300, JOB_CONTINUED, 0, "echo-server");
	cr_assert_eq(model_job(M, 300)->state, MJOB_RUNNING, "continued");
	job(300, JOB_DONE, 0, "echo-server");
	cr_assert_eq(model_job(M, 300)->state, MJOB_DONE, "done");
	cr_assert_str_eq(model_job(M, 300)->name, "echo-server", "name");
	cr_assert_eq(M->njobs, 2, "state changes added jobs");
	cr_assert_null(model_job(M, 999), "a job that never was");
	for (int i = 0; i < M_JOBS + 3; i++)
		job(1000 + i, JOB_STARTED, 1, "many");
	cr_assert_eq(M->njobs, M_JOBS, "%d jobs, want the cap %d", M->njobs, M_JOBS);
}

/* A record of the front end's test client id. */
static void
client(int id, int ev, int err, const char *text)
{
	struct trace_rec *r = rec(TR_CLIENT, 1);

	r->client = id;
	r->op = ev;
	r->arg2 = 40000 + id;
	r->err = err;
	trace_rec_set_text(r, text);
	apply(r);
}

Test(model, client_reply_names_the_pid_that_answered)
{
	const struct m_client *c;

	client(1, CLIENT_CONNECTED, 0, "");
	client(1, CLIENT_SENT, 0, "hello from client 1");
	client(1, CLIENT_REPLY, 0, "pid = 4242 | hello from client 1");
	client(2, CLIENT_CONNECTED, 0, "");
	client(2, CLIENT_REPLY, 0, "garbage");
	client(3, CLIENT_ERROR, ECONNREFUSED, "");
	client(4, CLIENT_TIMEOUT, 0, "");
	c = &M->clients[1];
	cr_assert_eq(c->id, 1, "client id");
	cr_assert_eq(c->answered_by, 4242, "answered_by %u", c->answered_by);
	cr_assert_str_eq(c->reply, "pid = 4242 | hello from client 1", "reply '%s'", c->reply);
	cr_assert_eq(c->state, CLIENT_REPLY, "state");
	cr_assert_eq(c->port, 40001, "port");
	cr_assert_eq(M->clients[2].answered_by, 0, "a reply without 'pid =' named %u",
		     M->clients[2].answered_by);
	cr_assert_eq(M->clients[3].err, ECONNREFUSED, "error errno");
	cr_assert_eq(M->nclients, 4, "nclients %llu", (unsigned long long)M->nclients);
	cr_assert_eq(M->clients_connected, 2, "connected");
	cr_assert_eq(M->clients_answered, 2, "answered");
	cr_assert_eq(M->clients_failed, 2, "failed");
}

Test(model, a_failed_client_keeps_why_it_failed)
{
	const struct m_client *c;
	struct trace_rec *r;

	two_workers();
	r = rec(TR_JOB, 2);
	r->pgid = 70;
	r->event = JOB_STOPPED;
	apply(r);
	r = rec(TR_ACCEPTQ, 1);
	r->port = 8080;
	r->qlen = 2;
	r->backlog = 5;
	apply(r);
	accept_conn(71, 3, 9, 40007); /* client 7's connection, taken before the stop */
	client(7, CLIENT_CONNECTED, 0, "");
	client(8, CLIENT_CONNECTED, 0, "");
	r = rec(TR_CLIENT, 1);
	r->client = 8;
	r->event = CLIENT_TIMEOUT;
	r->client_port = 40008;
	r->elapsed_ns = 2000000000ull;
	apply(r);
	client(7, CLIENT_TIMEOUT, 0, "");
	c = model_client(M, 8);
	cr_assert_not_null(c, "client 8 unknown");
	cr_assert_eq(c->waited_ns, 2000000000ull, "waited %llu ns", (unsigned long long)c->waited_ns);
	cr_assert_eq(c->accepted_by, 0, "client 8 accepted by %u", c->accepted_by);
	cr_assert(c->server_stopped, "the server's job was stopped");
	cr_assert(!c->server_gone, "the server is not gone");
	cr_assert_eq(c->queued, 2, "queued %lld", (long long)c->queued);
	cr_assert_eq(c->full_backlog, 0, "a queue of 2 with backlog 5 called full");
	cr_assert_eq(model_client(M, 7)->accepted_by, 71, "client 7 accepted by %u", model_client(M, 7)->accepted_by);
	cr_assert_null(model_client(M, 8 + M_CLIENTS), "a client that never was");
	cr_assert_eq(model_event_back(M, 0)->type, TR_CLIENT, "a failed client is not in the Story");
	cr_assert_eq(model_event_back(M, 0)->client, 7, "the newest Story record is client %d's",
		     model_event_back(M, 0)->client);
}

Test(model, tty_text_splits_into_lines)
{
	tty("hello\r\nworld");
	cr_assert_eq(M->ntty, 1, "ntty %llu", (unsigned long long)M->ntty);
	cr_assert_str_eq(model_tty_back(M, 0), "hello", "line 0 '%s' (\\r kept?)",
			 model_tty_back(M, 0));
	cr_assert_str_eq(model_tty_back(M, -1), "world", "partial line '%s'", model_tty_back(M, -1));
	tty("!\n");
	cr_assert_eq(M->ntty, 2, "ntty %llu", (unsigned long long)M->ntty);
	cr_assert_str_eq(model_tty_back(M, 0), "world!", "partial line not continued: '%s'",
			 model_tty_back(M, 0));
	cr_assert_str_eq(model_tty_back(M, 1), "hello", "older line '%s'", model_tty_back(M, 1));
	cr_assert_str_eq(model_tty_back(M, -1), "", "partial line after newline '%s'",
			 model_tty_back(M, -1));
	cr_assert_null(model_tty_back(M, 2), "a line before the first");
	tty("\n");
	cr_assert_str_eq(model_tty_back(M, 0), "", "an empty line");
}

Test(model, long_tty_lines_wrap_at_cols_minus_one)
{
	char chunk[101];
	int total = 400;

	memset(chunk, 'a', 100);
	chunk[100] = '\0';
	for (int i = 0; i < total / 100; i++)
		tty(chunk);
	cr_assert_eq(M->ntty, 2, "ntty %llu for %d characters", (unsigned long long)M->ntty, total);
	cr_assert_eq(strlen(model_tty_back(M, 1)), M_TTY_COLS - 1, "first wrapped line %zu",
		     strlen(model_tty_back(M, 1)));
	cr_assert_eq(strlen(model_tty_back(M, 0)), M_TTY_COLS - 1, "second wrapped line %zu",
		     strlen(model_tty_back(M, 0)));
	cr_assert_eq(strlen(model_tty_back(M, -1)), (size_t)(total - 2 * (M_TTY_COLS - 1)),
		     "partial line %zu", strlen(model_tty_back(M, -1)));

	/* Exactly a full line and then its newline: one line, not an extra empty one. */
	struct model *m2 = M;
	M = model_new();
	char full[M_TTY_COLS + 1];
	memset(full, 'b', M_TTY_COLS - 1);
	full[M_TTY_COLS - 1] = '\n';
	full[M_TTY_COLS] = '\0';
	tty(full);
	cr_assert_eq(M->ntty, 1, "a %d-character line made %llu lines", M_TTY_COLS - 1,
		     (unsigned long long)M->ntty);
	cr_assert_str_eq(model_tty_back(M, -1), "", "partial line '%s'", model_tty_back(M, -1));
	model_free(M);
	M = m2;
}

/* Characters in a line (UTF-8 lead bytes and ASCII), -1 when it ends inside a character. */
static int
tty_chars(const char *s)
{
	int n = 0, want = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) == 0x80) {
			want--;
			continue;
		}
		if (want != 0)
			return -1;
		want = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		n++;
	}
	return want == 0 ? n : -1;
}

Test(model, mixed_ascii_and_utf8_lines_wrap_by_characters_between_them)
{
	/* ASCII runs of every length between arrows and e-acutes, \r dropped, over several records. */
	static const char *const parts[] = { "\xe2\x86\x92", "ab", "\r", "\xc3\xa9", "abcdefghij", "x" };
	char text[TRACE_TEXT_MAX + 1];

	for (int rec_i = 0; rec_i < 12; rec_i++) {
		size_t n = 0;

		for (int k = rec_i; n + 10 < TRACE_TEXT_MAX; k++) {
			const char *p = parts[k % 6];

			memcpy(text + n, p, strlen(p));
			n += strlen(p);
		}
		text[n] = '\0';
		tty(text);
	}
	cr_assert_geq(M->ntty, 5, "ntty %llu", (unsigned long long)M->ntty);
	for (int i = 0; i < (int)M->ntty; i++) {
		const char *line = model_tty_back(M, i);

		cr_assert_not_null(line, "line %d", i);
		cr_assert_eq(tty_chars(line), M_TTY_COLS - 1, "line %d: %d characters, or cut inside one: '%s'", i,
			     tty_chars(line), line);
		cr_assert_null(strchr(line, '\r'), "a carriage return kept in line %d", i);
	}
	cr_assert_neq(tty_chars(model_tty_back(M, -1)), -1, "the partial line ends inside a character");
}

Test(model, the_tty_ring_keeps_the_newest_lines)
{
	char line[32];

	for (int i = 0; i < M_TTY_LINES + 44; i++) {
		snprintf(line, sizeof line, "line %d\n", i);
		tty(line);
	}
	snprintf(line, sizeof line, "line %d", M_TTY_LINES + 43);
	cr_assert_str_eq(model_tty_back(M, 0), line, "newest '%s'", model_tty_back(M, 0));
	snprintf(line, sizeof line, "line %d", 45);
	cr_assert_str_eq(model_tty_back(M, M_TTY_LINES - 2), line, "oldest kept '%s'",
			 model_tty_back(M, M_TTY_LINES - 2));
	cr_assert_null(model_tty_back(M, M_TTY_LINES - 1), "the partial line's slot is returned");
}

/* ---- fifo and accept queue ------------------------------------------- */

Test(model, fifo_reads_hups_and_close)
{
	struct trace_rec *r;

	fifo_waiting(40, "/tmp/d/fifo");
	cr_assert_str_eq(M->fifos[0].path, "/tmp/d/fifo", "path");
	cr_assert_eq(M->fifos[0].pid, 40, "fifo pid");
	r = rec(TR_FIFO_OPENED, 40);
	r->ret = 5;
	apply(r);
	r = rec(TR_READ, 40);
	r->fd = 5;
	r->ret = 6;
	trace_rec_set_text(r, "hello.");
	apply(r);
	cr_assert_eq(M->fifos[0].reads, 1, "reads");
	cr_assert_eq(M->fifos[0].bytes, 6, "bytes");
	cr_assert_str_eq(M->fifos[0].last, "hello.", "last '%s'", M->fifos[0].last);
	r = rec(TR_FIFO_HUP, 40);
	r->fd = 5;
	r->op = HUP_FIXED;
	apply(r);
	cr_assert_eq(M->fifos[0].hups, 1, "hups");
	cr_assert_eq(M->fifos[0].hangups, 1, "hang-ups");
	r = rec(TR_FIFO_HUP, 40);
	r->fd = 5;
	r->op = HUP_FIXED;
	apply(r);
	cr_assert_eq(M->fifos[0].hups, 2, "hups");
	cr_assert_eq(M->fifos[0].hangups, 1, "a second EPOLLHUP is the same hang-up");
	cr_assert_eq(M->fifos[0].mode, HUP_FIXED, "mode");
	close_fd(40, 5, 0);
	cr_assert_eq(M->fifos[0].fd, -1, "fifo fd after close %d", M->fifos[0].fd);
	cr_assert_eq(M->fifos[0].state, FIFO_WAITING, "state after close %d", M->fifos[0].state);
}

Test(model, a_fifo_whose_watcher_is_reaped_is_gone_not_waiting)
{
	struct trace_rec *r;

	fifo_waiting(40, "/tmp/d/fifo");
	cr_assert_eq(M->fifos[0].state, FIFO_WAITING, "state %d before the end", M->fifos[0].state);
	/* ^C while it blocks in open(O_RDONLY): its parent reaps it. */
	r = rec(TR_REAP, 39);
	r->child = 40;
	r->how = REAP_KILLED;
	r->signo = 2;
	apply(r);
	cr_assert_eq(M->fifos[0].state, FIFO_GONE, "state %d after the watcher was reaped, want gone",
		     M->fifos[0].state);
	cr_assert_eq(M->fifos[0].fd, -1, "fd %d after the watcher was reaped", M->fifos[0].fd);
}

Test(model, accept_queue_from_the_front_end)
{
	struct trace_rec *r;

	cr_assert_eq(M->accept_queue, -1, "fresh accept queue %lld", (long long)M->accept_queue);
	r = rec(TR_ACCEPTQ, 1);
	r->port = 8080;
	r->qlen = 17;
	apply(r);
	cr_assert_eq(M->accept_queue, 17, "accept queue %lld", (long long)M->accept_queue);
	r = rec(TR_SETTLED, 1);
	r->qlen = 0;
	apply(r);
	cr_assert_eq(M->accept_queue, 0, "settled accept queue %lld", (long long)M->accept_queue);
}

/* ---- clean exit ------------------------------------------------------- */

/* A proc_exit record with the status the process chose. */
static void
exit_with(uint32_t pid, int status)
{
	struct trace_rec *r = rec(TR_PROC_EXIT, pid);

	r->ret = status;
	apply(r);
}

/* A reap record: parent waited for child. */
static void
reap(uint32_t parent, uint32_t child, int how, int code)
{
	struct trace_rec *r = rec(TR_REAP, parent);

	r->child = (int)child;
	r->op = how;
	r->arg = code;
	apply(r);
}

Test(model, all_exited_cleanly)
{
	cr_assert(model_all_exited_cleanly(M), "an empty model is not clean");
	start(1, ROLE_FRONTEND, 0, 1, "epollviz"); /* never exits: ignored */
	start(100, ROLE_SESSION, 1, 100, "session");
	start(101, ROLE_ECHO_PARENT, 100, 101, "echo-w0");
	cr_assert_not(model_all_exited_cleanly(M), "clean while processes live");
	exit_with(101, 0);
	cr_assert_not(model_all_exited_cleanly(M), "clean while the session lives");
	exit_with(100, 0);
	cr_assert(model_all_exited_cleanly(M), "not clean after exits with 0");
	reap(100, 101, REAP_EXITED, 0);
	cr_assert(model_all_exited_cleanly(M), "not clean after a normal reap");
}

Test(model, not_clean_on_bad_status_or_signal)
{
	/* The reaper is the front end, which the check ignores. */
	start(1, ROLE_FRONTEND, 0, 1, "epollviz");
	start(100, ROLE_SESSION, 1, 100, "session");
	exit_with(100, 3);
	cr_assert_not(model_all_exited_cleanly(M), "exit 3 counted as clean");

	model_free(M);
	M = model_new();
	start(1, ROLE_FRONTEND, 0, 1, "epollviz");
	start(101, ROLE_ECHO_WORKER, 1, 101, "echo-w1");
	reap(1, 101, REAP_KILLED, 9);
	cr_assert_not(model_all_exited_cleanly(M), "a SIGKILL counted as clean");

	model_free(M);
	M = model_new();
	start(1, ROLE_FRONTEND, 0, 1, "epollviz");
	start(101, ROLE_ECHO_WORKER, 1, 101, "echo-w1");
	exit_with(101, 0);
	reap(1, 101, REAP_EXITED, 1); /* the parent's word wins */
	cr_assert_not(model_all_exited_cleanly(M), "reaped with code 1 counted as clean");

	model_free(M);
	M = model_new();
	start(1, ROLE_FRONTEND, 0, 1, "epollviz");
	start(101, ROLE_ECHO_WORKER, 1, 101, "echo-w1");
	exit_with(101, 2);
	reap(1, 101, REAP_EXITED, 0);
	cr_assert(model_all_exited_cleanly(M), "reaped with 0 is clean whatever it said");

	model_free(M);
	M = model_new();
	start(1, ROLE_FRONTEND, 0, 1, "epollviz");
	start(101, ROLE_ECHO_WORKER, 1, 101, "echo-w1");
	reap(1, 101, REAP_STOPPED, 19);
	cr_assert_not(model_all_exited_cleanly(M), "a stopped process counted as exited");
}

/* Both workers watch the listening socket fd 3 with epoll fd 4. */
static void
two_watching_workers(void)
{
	two_workers();
	create_ep(70, 4);
	create_ep(71, 4);
	ctl(70, 4, EPOLL_CTL_ADD, 3, EPOLLIN | EPOLLET, 3, 0, 0);
	ctl(71, 4, EPOLL_CTL_ADD, 3, EPOLLIN | EPOLLET, 3, 0, 0);
}

Test(model, each_listener_return_says_what_became_of_it)
{
	int n;

	two_watching_workers();
	/* One connection: both returned; 70 won the semaphore and accepted, 71 lost it. */
	wait_ret(70, 4, 1, EPOLLIN, 3);
	wait_ret(71, 4, 1, EPOLLIN, 3);
	sem(TR_SEM_TRYWAIT, 70, 0);
	sem(TR_SEM_TRYWAIT, 71, -1);
	accept_conn(70, 3, 7, 40001);
	n = lines_now();
	cr_assert_eq(n, 2, "%d lines", n);
	cr_assert_eq(line_back(n, 1)->outcome, WO_ACCEPTED, "70's return: outcome %d", line_back(n, 1)->outcome);
	cr_assert_eq(line_back(n, 1)->naccepted, 1, "70 accepted %d", line_back(n, 1)->naccepted);
	cr_assert_eq(line_back(n, 0)->outcome, WO_SEM_LOST, "71's return: outcome %d", line_back(n, 0)->outcome);

	/* 71 alone twice, accepting each time: one line, ×2, accepted. */
	wait_ret(71, 4, 1, EPOLLIN, 3);
	sem(TR_SEM_TRYWAIT, 71, 0);
	accept_conn(71, 3, 8, 40002);
	wait_ret(71, 4, 1, EPOLLIN, 3);
	sem(TR_SEM_TRYWAIT, 71, 0);
	accept_conn(71, 3, 9, 40003);
	n = lines_now(); /* also checks the model's own count of lines */
	cr_assert_eq(n, 3, "%d lines", n);
	cr_assert_eq(line_back(n, 0)->count, 2, "the two accepting returns did not fold");
	cr_assert_eq(line_back(n, 0)->outcome, WO_ACCEPTED, "outcome %d", line_back(n, 0)->outcome);

	/* Then a return that finds nothing (a late winner): not folded with the accepting ones. */
	wait_ret(71, 4, 1, EPOLLIN, 3);
	sem(TR_SEM_TRYWAIT, 71, 0);
	accept_conn(71, 3, -1, 0);
	n = lines_now();
	cr_assert_eq(n, 4, "%d lines: an EAGAIN return folded into accepting ones", n);
	cr_assert_eq(line_back(n, 0)->outcome, WO_EAGAIN, "outcome %d", line_back(n, 0)->outcome);

	/* A drain loop: two accepts, then the EAGAIN that ends it. */
	wait_ret(70, 4, 1, EPOLLIN, 3);
	sem(TR_SEM_TRYWAIT, 70, 0);
	accept_conn(70, 3, 10, 40004);
	accept_conn(70, 3, 11, 40005);
	accept_conn(70, 3, -1, 0);
	n = lines_now();
	cr_assert_eq(line_back(n, 0)->outcome, WO_ACCEPTED, "the drain's EAGAIN overrode its accepts");
	cr_assert_eq(line_back(n, 0)->naccepted, 2, "accepted %d", line_back(n, 0)->naccepted);
}

Test(model, a_killed_process_takes_its_epoll_instance_with_it)
{
	two_watching_workers();
	cr_assert_eq(M->ninst, 2, "%d instances", M->ninst);
	reap(70, 71, REAP_KILLED, 13); /* SIGPIPE: 71 died without closing anything */
	cr_assert_eq(M->ninst, 1, "%d instances after the death: the dead one's is still counted", M->ninst);
	cr_assert_null(model_inst_of(M, 71, 4), "the dead process still holds its instance");
	cr_assert_not_null(model_inst_of(M, 70, 4), "the living one's instance went too");
}

/* An epoll_wait enter (or return, with no events) of thread tid of pid on epfd. */
static void
thread_wait(uint32_t pid, uint32_t tid, int epfd, int entering)
{
	struct trace_rec *r = rec(entering ? TR_WAIT_ENTER : TR_WAIT_RETURN, pid);

	r->tid = tid;
	r->epfd = epfd;
	r->ret = 0;
	apply(r);
}

Test(model, a_process_waits_while_any_of_its_threads_does)
{
	const struct m_proc *p;

	start(80, ROLE_PROGRAM, 1, 80, "prog");
	thread_wait(80, 80, 3, 1);  /* the main thread sleeps in epoll_wait */
	thread_wait(80, 81, 4, 1);  /* a second thread polls ... */
	thread_wait(80, 81, 4, 0);  /* ... and returns at once */
	p = model_proc(M, 80);
	cr_assert(p->in_wait, "a thread's return ended the main thread's wait");
	thread_wait(80, 80, 3, 0);
	cr_assert(!p->in_wait, "no thread waits now");
	/* One thread that enters twice without a return (a record of a recording made before threads) counts once. */
	thread_wait(80, 0, 3, 1);
	thread_wait(80, 0, 3, 1);
	thread_wait(80, 0, 3, 0);
	cr_assert(!p->in_wait, "a repeated enter stacked");
}

/*
 * The listen bits of 70's return of one pair with data, after a return of
 * another (a return like the one just before it folds into its line,
 * listen bits and all).
 */
static unsigned
listen_of(uint64_t data, uint64_t other)
{
	int n;

	wait_ret(70, 4, 1, EPOLLIN, other);
	wait_ret(70, 4, 1, EPOLLIN, data);
	n = lines_now();
	return line_back(n, 0)->listen;
}

/* A pair's data names its entry, the first one with that data, among hundreds, as the list changes. */
Test(model, a_pair_finds_its_entry_among_many_as_the_list_changes)
{
	two_watching_workers();
	for (int fd = 10; fd < 410; fd++) {
		accept_conn(70, 3, fd, 30000 + fd);
		ctl(70, 4, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLET, (uint64_t)fd, 0, 0);
	}
	/* A connection whose data is the listener's: the listener's entry came first. */
	ctl(70, 4, EPOLL_CTL_MOD, 300, EPOLLIN, 3, 0, 0);
	cr_assert_eq(listen_of(3, 249), 1u, "data 3 (the listener's) not taken for the listener");
	cr_assert_eq(listen_of(250, 3), 0u, "data 250 (a connection's) taken for the listener");
	/* The listener's entry deleted: data 3 now names the connection that has it. */
	ctl(70, 4, EPOLL_CTL_DEL, 3, 0, 0, 0, 0);
	cr_assert_eq(listen_of(3, 251), 0u, "a deleted listener entry still found by its data");
	/* Added again, after the connection: the connection's entry is the first with data 3. */
	ctl(70, 4, EPOLL_CTL_ADD, 3, EPOLLIN, 3, 0, 0);
	cr_assert_eq(listen_of(3, 252), 0u, "the later entry of data 3 won over the earlier");
	/* fd 10's entry deleted: the last one, the listener's, takes its place, ahead of the connection's. */
	ctl(70, 4, EPOLL_CTL_DEL, 10, 0, 0, 0, 0);
	cr_assert_eq(listen_of(3, 253), 1u, "the listener's entry, moved ahead, not the first of data 3");
	/* The connection's data moved on: data 3 is the listener's alone again. */
	ctl(70, 4, EPOLL_CTL_MOD, 300, EPOLLIN, 300, 0, 0);
	cr_assert_eq(listen_of(3, 254), 1u, "data 3 not found after a MOD changed the other's");
	/* The listener's own data changed. */
	ctl(70, 4, EPOLL_CTL_MOD, 3, EPOLLIN, 777, 0, 0);
	cr_assert_eq(listen_of(777, 255), 1u, "the listener's new data not found after a MOD");
	/* Deleted, looked up once, added again with other data. */
	ctl(70, 4, EPOLL_CTL_DEL, 3, 0, 0, 0, 0);
	wait_ret(70, 4, 1, EPOLLIN, 256);
	ctl(70, 4, EPOLL_CTL_ADD, 3, EPOLLIN, 888, 0, 0);
	cr_assert_eq(listen_of(888, 257), 1u, "a listener added after the last look not found");
	/* A connection ahead of it with the same data (and one more behind it), then closed. */
	accept_conn(70, 3, 600, 30600);
	ctl(70, 4, EPOLL_CTL_ADD, 600, EPOLLIN, 600, 0, 0);
	ctl(70, 4, EPOLL_CTL_MOD, 250, EPOLLIN, 888, 0, 0);
	cr_assert_eq(listen_of(888, 258), 0u, "the connection's entry, ahead, not the first of data 888");
	close_fd(70, 250, 0);
	cr_assert_eq(listen_of(888, 259), 1u, "a closed connection's entry still found ahead of the listener's");
	close_fd(70, 3, 0);
	cr_assert_eq(listen_of(888, 260), 0u, "a closed listener's entry still found by its data");
}
