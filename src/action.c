/*
 * action.c - the action table and what each action does (see action.h).
 * Each begin function does the real thing once and returns 0, or -1 after
 * emitting a failed action record that says why; each done function looks
 * for the action's effect in the model (or /proc), never sleeps.
 */
#include "action.h"
#include "sentence.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "clients.h"
#include "loop.h"
#include "proctab.h"
#include "run.h"
#include "sampler.h"
#include "i18n.h"
#include "util.h"

#define SEC 1000000000ull
#define STEP_TIMEOUT_NS (5 * SEC)   /* an action's effect is seen by then */
#define SIGNAL_TIMEOUT_NS (6 * SEC)   /* a signalled job has shut down (its workers too) by then */
#define CLIENT_TIMEOUT_NS (6 * SEC)   /* per client that connects, sends and is answered in turn */
#define PAUSE_TIMEOUT_NS (120 * SEC)  /* a pause waits this long for a line */
#define ACTION_POLL_MS 20 /* the headless runner looks at a step this often */
#define SETTLE_POLL_MS 5  /* settle looks more often: it wants three looks in a row */
#define PAUSE_POLL_MS 1000 /* a pause ends on stdin's event, which wakes the loop: the look is only for its timeout */
#define SETTLE_LOOKS 3    /* consecutive looks that must find everything asleep */
#define KEY_CTRL_C 3
#define KEY_CTRL_Z 26

/* ---- targets ---------------------------------------------------------------- */

/* Can a client connect to l: open, held by some process, on a TCP port (a UNIX socket has none)? */
static int
connectable(const struct m_listen *l)
{
	return l->sockets > 0 && model_listen_open(l) && l->port > 0;
}

/* The listening socket the clients connect to: on the chosen port (target), else the first open one; else the first ever made, or NULL. */
static const struct m_listen *
target_listen(const struct actions *a)
{
	const struct model *m = a->m;
	const struct m_listen *first = NULL;

	for (int i = 0; i < m->nlistens; i++) {
		const struct m_listen *l = &m->listens[i];

		if (!connectable(l))
			continue;
		if (a->target_port == 0 || l->port == a->target_port)
			return l;
		if (first == NULL)
			first = l;
	}
	/* The chosen port closed: the first open one; none open: the first ever (for its error). */
	return first ? first : m->nlistens > 0 ? &m->listens[0] : NULL;
}

/* The port the clients go to now (0: none). */
int
action_target_port(const struct actions *a)
{
	const struct m_listen *l = target_listen(a);

	return l && model_listen_open(l) ? l->port : 0;
}

/* How many distinct ports open listening sockets have (at most max), into ports, in the model's order. */
static int
open_ports(const struct model *m, int *ports, int max)
{
	int n = 0;

	for (int i = 0; i < m->nlistens && n < max; i++) {
		const struct m_listen *l = &m->listens[i];
		int k = 0;

		if (!connectable(l))
			continue;
		while (k < n && ports[k] != l->port)
			k++;
		if (k == n)
			ports[n++] = l->port;
	}
	return n;
}

/* The FIFO the writer actions write to: the first one, or NULL. */
static const struct m_fifo *
target_fifo(const struct actions *a)
{
	return a->m->nfifos > 0 ? &a->m->fifos[0] : NULL;
}

/*
 * Is the FIFO's watcher stopped (^Z)?  Then what is written or hung up
 * reaches it only when it continues: a FIFO action is done once it is made.
 */
static int
watcher_stopped(const struct actions *a)
{
	const struct m_fifo *f = target_fifo(a);
	const struct m_proc *p = f ? model_proc(a->m, f->pid) : NULL;
	const struct m_job *j = p ? model_job(a->m, p->pgid) : NULL;

	return j && j->state == MJOB_STOPPED;
}

/* Point the clients at the server's port, or fail: there is nothing to connect to. */
static int
need_server(struct actions *a, const char *what)
{
	const struct m_listen *l = target_listen(a);

	if (l && l->port > 0) {
		clients_set_port(a->cs, l->port);
		return 0;
	}
	run_action(a->run, ACTION_FAILED, SAY_NO_SERVER, what);
	return -1;
}

/* ---- clients ---------------------------------------------------------------- */

/* connect N: one client after another, each sends a line, reads the reply, closes. */
static int
begin_connect(struct actions *a, const struct action_call *c)
{
	if (need_server(a, "connect") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN,
		   SAY_CONNECT, c->n);
	clients_connect(a->cs, c->n);
	return 0;
}

/* burst N: N connections at once. */
static int
begin_burst(struct actions *a, const struct action_call *c)
{
	if (need_server(a, "burst") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN, SAY_N(SAY_BURST, c->n), c->n, c->n,
		   target_listen(a)->port);
	clients_burst(a->cs, c->n);
	return 0;
}

/* hold N: N connections that stay open. */
static int
begin_hold(struct actions *a, const struct action_call *c)
{
	if (need_server(a, "hold") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN, SAY_N(SAY_HOLD, c->n), c->n, c->n);
	clients_hold(a->cs, c->n);
	return 0;
}

/* send TEXT on every held connection. */
static int
begin_send(struct actions *a, const struct action_call *c)
{
	int n = clients_send(a->cs, c->text);

	if (n == 0) {
		run_action(a->run, ACTION_FAILED, SAY_SEND_NONE);
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, SAY_N(SAY_SEND, n), c->text, n);
	return 0;
}

/* release: close every held connection. */
static int
begin_release(struct actions *a, const struct action_call *c)
{
	int n = clients_held(a->cs);

	(void)c;
	run_action(a->run, ACTION_BEGIN, SAY_N(SAY_RELEASE, n), n);
	clients_release(a->cs);
	return 0;
}

/* target [PORT]: the clients go to PORT, or to the next listening port. */
static int
begin_target(struct actions *a, const struct action_call *c)
{
	int ports[M_MAX_LISTEN], n = open_ports(a->m, ports, M_MAX_LISTEN), k = 0, cur = action_target_port(a);

	if (n == 0) {
		run_action(a->run, ACTION_FAILED, SAY_TARGET_NONE);
		return -1;
	}
	if (c->n > 0) {
		while (k < n && ports[k] != c->n)
			k++;
		if (k == n) {
			run_action(a->run, ACTION_FAILED, SAY_TARGET_PORT_NONE, c->n);
			return -1;
		}
	} else {
		while (k < n && ports[k] != cur)
			k++;
		k = k < n ? (k + 1) % n : 0;
	}
	a->target_port = ports[k];
	run_action(a->run, ACTION_BEGIN, SAY_N(SAY_TARGET, n), ports[k], n);
	return 0;
}

/* abandon N: N clients that send a line and close before any reply. */
static int
begin_abandon(struct actions *a, const struct action_call *c)
{
	if (need_server(a, "abandon") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN, SAY_N(SAY_ABANDON, c->n), c->n, c->n);
	clients_abandon(a->cs, c->n);
	return 0;
}

/* Every client operation the action started is over. */
static int
clients_idle(struct actions *a, const struct action_call *c)
{
	(void)c;
	return clients_busy(a->cs) == 0;
}

/* ---- the FIFO ---------------------------------------------------------------- */

/* Open the FIFO for writing without blocking: ENXIO when nobody reads it (quiet: no record then). */
static int
open_writer(struct actions *a, const char *what, int quiet)
{
	const struct m_fifo *f = target_fifo(a);
	int fd;

	if (f == NULL) {
		run_action(a->run, ACTION_FAILED, SAY_NO_FIFO, what);
		return -1;
	}
	fd = open(f->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && quiet && errno == ENXIO)
		return -1;
	if (fd < 0)
		run_action(a->run, ACTION_FAILED, SAY_OPEN_FAILED, what, f->path, strerrordesc_np(errno));
	return fd;
}

/*
 * Write len bytes into the FIFO with fd and, with closes, close fd at once;
 * then trace it as the front end's fifo_write record (after the close, so
 * that nothing widens the gap between the data and the hang-up).  0 or -1.
 */
static int
fifo_put(struct actions *a, int fd, const char *buf, size_t len, int closes)
{
	const struct m_fifo *f = target_fifo(a);
	struct trace_rec r;
	int ret = write_all(fd, buf, len), err = ret < 0 ? errno : 0;

	if (closes)
		close(fd);
	trace_rec_init(&r, TR_FIFO_WRITE);
	trace_rec_set_text(&r, f ? f->path : "");
	r.ret = ret < 0 ? -1 : (int64_t)len;
	r.err = err;
	r.closes = closes;
	run_emit(a->run, &r);
	if (ret < 0)
		run_action(a->run, ACTION_FAILED, SAY_WRITE_FAILED, strerrordesc_np(err));
	errno = err;
	return ret;
}

/* Write text and a newline into the FIFO: through the held writer, or open, write, close. */
static int
fifo_write(struct actions *a, const char *text, int quiet)
{
	char line[ACTION_TEXT_MAX + 2];
	int n = snprintf(line, sizeof line, "%s\n", text), fd = a->writer_fd, own = 0;

	if (n >= (int)sizeof line)
		n = sizeof line - 1;
	if (fd < 0) {
		fd = open_writer(a, "write", quiet);
		if (fd < 0)
			return -1;
		own = 1;
	}
	run_action(a->run, ACTION_BEGIN, own ? SAY_WRITE_OWN : SAY_WRITE_HELD, text);
	fifo_put(a, fd, line, (size_t)n, own);
	return 0;
}

/*
 * write-close N: N bytes (lines of the alphabet) in one write(2), at most
 * PIPE_BUF so the kernel makes it atomic, and a close right behind it: the
 * data and the hang-up reach the watcher together (EPOLLIN|EPOLLHUP), as
 * far as the race with the watcher allows (the open wakes a watcher that
 * waits in open(); it may get to its epoll_wait before the close).  The
 * action record follows, for the same reason.
 */
static int
fifo_write_close(struct actions *a, int n, int quiet)
{
	char buf[PIPE_BUF];
	int fd, held = a->writer_fd >= 0;

	if (n < 1 || n > (int)sizeof buf)
		n = (int)sizeof buf;
	for (int i = 0; i < n; i++)
		buf[i] = i % 64 == 63 || i == n - 1 ? '\n' : (char)('a' + i % 64 % 26);
	fd = open_writer(a, "write-close", quiet);
	if (fd < 0)
		return -1;
	if (fifo_put(a, fd, buf, (size_t)n, 1) < 0)
		return 0;
	run_action(a->run, ACTION_BEGIN, held ? SAY_N(SAY_WRITE_CLOSE_HELD, n) : SAY_N(SAY_WRITE_CLOSE, n), n, n);
	return 0;
}

/* Open a writer and keep it. */
static int
fifo_hold(struct actions *a, int quiet)
{
	const struct m_fifo *f;
	int fd;

	if (a->writer_fd >= 0) {
		run_action(a->run, ACTION_FAILED, SAY_WRITER_HELD);
		return -1;
	}
	fd = open_writer(a, "writer", quiet);
	if (fd < 0)
		return -1;
	f = target_fifo(a);
	a->writer_fd = fd;
	run_action(a->run, ACTION_BEGIN, SAY_WRITER, f->path);
	return 0;
}

/* write TEXT: at once from a key; from a script, when a reader is there (done opens it). */
static int
begin_write(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);

	a->step.base = f ? f->reads : 0;
	if (!a->patient)
		return fifo_write(a, c->text, 0);
	a->step.pending_open = 1;
	return 0;
}

/* write-close N: like write; done when every byte is read or lost, and the hang-up seen. */
static int
begin_write_close(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);

	a->step.base = f ? f->bytes + f->lost : 0;
	a->step.base2 = f ? f->hups : 0;
	if (!a->patient)
		return fifo_write_close(a, c->n, 0);
	a->step.pending_open = 1;
	return 0;
}

/* writer: the same, holding the writer. */
static int
begin_writer(struct actions *a, const struct action_call *c)
{
	(void)c;
	if (!a->patient)
		return fifo_hold(a, 0);
	a->step.pending_open = 1;
	return 0;
}

/*
 * Open the FIFO now if the step still has to: 1 opened (or not needed), 0
 * no reader yet (ENXIO: the watcher is between close and reopen), -1
 * failed.
 */
static int
open_pending(struct actions *a, const struct action_call *c)
{
	int r;

	if (!a->step.pending_open)
		return 1;
	r = c->id == ACT_WRITE ? fifo_write(a, c->text, 1)
	    : c->id == ACT_WRITE_CLOSE ? fifo_write_close(a, c->n, 1)
				       : fifo_hold(a, 1);
	if (r < 0 && errno == ENXIO)
		return 0;
	a->step.pending_open = 0;
	return r < 0 ? -1 : 1;
}

/* The watcher read what was written (or is stopped: it reads when continued). */
static int
done_write(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);
	int r = open_pending(a, c);

	if (r <= 0)
		return r;
	return watcher_stopped(a) || (f && f->reads > a->step.base);
}

/*
 * The watcher read or lost every byte written, and saw the hang-up (unless
 * a held writer prevents it); or it is stopped, and will when continued.
 */
static int
done_write_close(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);
	int r = open_pending(a, c);

	if (r <= 0)
		return r;
	if (watcher_stopped(a))
		return 1;
	return f && f->bytes + f->lost >= a->step.base + (uint64_t)c->n &&
	       (a->writer_fd >= 0 || f->hups > a->step.base2);
}

/* The watcher has the FIFO open. */
static int
done_writer(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);
	int r = open_pending(a, c);

	if (r <= 0)
		return r;
	return f && f->state == FIFO_OPEN;
}

/* hangup: close the held writer. */
static int
begin_hangup(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);

	(void)c;
	a->step.base = f ? f->hups : 0;
	if (a->writer_fd < 0) {
		run_action(a->run, ACTION_FAILED, SAY_HANGUP_NONE);
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, SAY_HANGUP);
	close(a->writer_fd);
	a->writer_fd = -1;
	return 0;
}

/* fixed: done when the watcher waits in open() again; naive: at the first EPOLLHUP; stopped: at once. */
static int
done_hangup(struct actions *a, const struct action_call *c)
{
	const struct m_fifo *f = target_fifo(a);

	(void)c;
	if (watcher_stopped(a))
		return 1;
	return f && f->hups > a->step.base && (f->mode == 0 || f->state == FIFO_WAITING);
}

/* ---- the terminal and signals ------------------------------------------------ */

/* Type a control character at the session's terminal (cap "^C"), saying what the kernel does with it. */
static int
type_control(struct actions *a, char ch, const char *cap, const char *say)
{
	a->step.target_pgid = a->m->fg_pgid; /* whoever holds the terminal now */
	run_action(a->run, ACTION_BEGIN, say, cap, (unsigned)ch);
	if (run_type(a->run, &ch, 1) < 0) {
		run_action(a->run, ACTION_FAILED, SAY_TTY_GONE, cap);
		return -1;
	}
	return 0;
}

/* ^C: the line discipline signals the foreground group. */
static int
begin_sigint(struct actions *a, const struct action_call *c)
{
	(void)c;
	return type_control(a, '\x03', "^C", SAY_CTRL_C);
}

/* ^Z: SIGTSTP to the foreground group. */
static int
begin_stop(struct actions *a, const struct action_call *c)
{
	(void)c;
	return type_control(a, '\x1a', "^Z", SAY_CTRL_Z);
}

/* fg: the session leader continues the stopped job in the foreground. */
static int
begin_cont(struct actions *a, const struct action_call *c)
{
	(void)c;
	a->step.target_pgid = -1;
	for (int i = 0; i < a->m->njobs; i++)
		if (a->m->jobs[i].state == MJOB_STOPPED)
			a->step.target_pgid = a->m->jobs[i].pgid;
	run_action(a->run, ACTION_BEGIN,
		   SAY_FG);
	return run_command(a->run, "fg");
}

/* The job of the FIFO's watcher, or NULL. */
static const struct m_job *
watcher_job(const struct actions *a)
{
	const struct m_fifo *f = target_fifo(a);
	const struct m_proc *p = f ? model_proc(a->m, f->pid) : NULL;

	return p && p->alive ? model_job(a->m, p->pgid) : NULL;
}

/*
 * kill -STOP / kill -CONT to the background watcher's group, as you would
 * from another terminal (kill -STOP %2): ^Z reaches only the foreground
 * group, and the shell in the foreground's way takes no command.
 */
static int
signal_watcher(struct actions *a, int sig, const char *say, const char *name)
{
	const struct m_job *j = watcher_job(a);

	a->step.target_pgid = j ? j->pgid : -1;
	if (j == NULL) {
		run_action(a->run, ACTION_FAILED, SAY_NO_WATCHER, name);
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, say, j->pgid);
	return run_kill(a->run, -(pid_t)j->pgid, sig);
}

/* stop-watcher: SIGSTOP to the watcher's group. */
static int
begin_stop_watcher(struct actions *a, const struct action_call *c)
{
	(void)c;
	return signal_watcher(a, SIGSTOP, SAY_STOP_WATCHER, "stop-watcher");
}

/* cont-watcher: SIGCONT to the watcher's group. */
static int
begin_cont_watcher(struct actions *a, const struct action_call *c)
{
	(void)c;
	return signal_watcher(a, SIGCONT, SAY_CONT_WATCHER, "cont-watcher");
}

/* kill -INT <parent>: SIGINT to the server parent only. */
static int
begin_kill_parent(struct actions *a, const struct action_call *c)
{
	uint32_t server = model_server_pid(a->m);
	const struct m_proc *p = server ? model_proc(a->m, server) : NULL;

	(void)c;
	a->step.target_pgid = (int)server;
	if (p == NULL || !p->alive) {
		run_action(a->run, ACTION_FAILED, SAY_KILL_PARENT_NONE);
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, SAY_KILL_PARENT, p->pid);
	return run_kill(a->run, (pid_t)p->pid, SIGINT);
}

/* State of the job a job-control step waits for, or -1. */
static int
target_state(const struct actions *a)
{
	const struct m_job *j = model_job(a->m, a->step.target_pgid);

	return j ? j->state : -1;
}

/* The signalled job is done and the session leader has the terminal back. */
static int
done_ended(struct actions *a, const struct action_call *c)
{
	int session = (int)run_session_pid(a->run);

	(void)c;
	/* ^C with no job in the foreground reaches only the session leader. */
	if (a->step.target_pgid == session)
		return 1;
	return target_state(a) == MJOB_DONE && a->m->fg_pgid == session;
}

/* The job stopped (or there was none in the foreground). */
static int
done_stopped(struct actions *a, const struct action_call *c)
{
	(void)c;
	return a->step.target_pgid == (int)run_session_pid(a->run) || target_state(a) == MJOB_STOPPED;
}

/* The job runs again (or none was stopped). */
static int
done_continued(struct actions *a, const struct action_call *c)
{
	(void)c;
	return a->step.target_pgid < 0 || target_state(a) == MJOB_RUNNING;
}

/* ---- waiting and looking ---------------------------------------------------- */

/* wait SECONDS. */
static int
begin_wait(struct actions *a, const struct action_call *c)
{
	run_action(a->run, ACTION_BEGIN, SAY_WAIT, c->secs);
	return 0;
}

/* The time is up. */
static int
done_wait(struct actions *a, const struct action_call *c)
{
	return now_ns() >= a->step.started + (uint64_t)(c->secs * 1e9);
}

/* settle: until every process sleeps in a syscall. */
static int
begin_settle(struct actions *a, const struct action_call *c)
{
	(void)c;
	a->step.settled = 0;
	run_action(a->run, ACTION_BEGIN, SAY_SETTLE);
	return 0;
}

/*
 * Settled now: no trace bytes unread, and every live process of the jobs is
 * asleep in a syscall (/proc says S and names the call), the echo workers
 * inside the epoll_wait their last record announced.  *nprocs: how many.
 */
static int
settled_now(struct actions *a, int *nprocs)
{
	run_drain(a->run);
	if (run_trace_pending(a->run) > 0)
		return 0;
	*nprocs = 0;
	for (int i = 0; i < a->m->nprocs; i++) {
		const struct m_proc *p = &a->m->procs[i];
		struct proc_row row;

		if (!p->alive || !model_is_job(p))
			continue;
		if (proctab_read_stat((int)p->pid, &row) < 0)
			continue; /* gone: its exit record is on the way */
		if (row.state == 'T' || row.state == 't') {
			(*nprocs)++;
			continue;
		}
		if (row.state != 'S' || proctab_syscall((int)p->pid) < 0)
			return 0;
		/* An echo worker sleeps in its epoll_wait, or in accept on a blocking listener (the notes'). */
		if (model_is_echo(p) && !p->in_wait && !sampler_in_accept((int)p->pid, NULL))
			return 0;
		(*nprocs)++;
	}
	/* Asleep, each has written all it will write for now: read what the pty got meanwhile. */
	run_drain(a->run);
	return 1;
}

/* Settled for SETTLE_LOOKS looks in a row: report the accept queue and each process's sleeps. */
static int
done_settle(struct actions *a, const struct action_call *c)
{
	int n;

	(void)c;
	if (!settled_now(a, &n)) {
		a->step.settled = 0;
		return 0;
	}
	if (++a->step.settled < SETTLE_LOOKS)
		return 0;
	sampler_settled(a->smp, n);
	return 1;
}

/* inspect: the kernel's interest lists and instances, beside the traced ones. */
static int
begin_inspect(struct actions *a, const struct action_call *c)
{
	(void)c;
	run_action(a->run, ACTION_BEGIN,
		   SAY_INSPECT);
	sampler_inspect(a->smp);
	return 0;
}

/* stdin during a pause: any line, or its end, resumes. */
static void
on_stdin(void *arg, uint32_t events)
{
	struct actions *a = arg;
	char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof buf);

	(void)events;
	if (n <= 0 || memchr(buf, '\n', (size_t)n)) {
		a->step.resumed = 1;
		loop_del(a->loop, STDIN_FILENO);
	}
}

/* pause: until a line arrives on standard input. */
static int
begin_pause(struct actions *a, const struct action_call *c)
{
	(void)c;
	run_action(a->run, ACTION_BEGIN, SAY_PAUSE);
	fflush(stdout);
	a->step.resumed = 0;
	if (loop_add(a->loop, STDIN_FILENO, EPOLLIN, on_stdin, a) < 0)
		a->step.resumed = 1; /* stdin cannot wait (a regular file, /dev/null): go on */
	return 0;
}

/* A line came. */
static int
done_pause(struct actions *a, const struct action_call *c)
{
	(void)c;
	return a->step.resumed;
}

/* ---- the table ---------------------------------------------------------------- */

/* clang-format off */
static const struct action_def defs[ACT__COUNT] = {
	[ACT_CONNECT] = { .name = "connect", .argname = "N", .arg = AA_COUNT, .def = 1, .needs = AN_LISTENER,
		.key = 'c', .cap = "c", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("client"), .prio = 1,
		.help = N_("one client: connect, send a line, print the reply (which pid answered), close"),
		.timeout_ns = 0, .per_n_ns = CLIENT_TIMEOUT_NS, .begin = begin_connect, .done = clients_idle },
	[ACT_BURST] = { .name = "burst", .argname = "N", .arg = AA_COUNT, .def = 20, .needs = AN_LISTENER,
		.key = 'b', .cap = "b", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("burst"), .prio = 1,
		.help = N_("20 clients at once: the herd, the semaphore, the accept queue"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_burst, .done = clients_idle },
	[ACT_HOLD] = { .name = "hold", .argname = "N", .arg = AA_COUNT, .def = 1, .needs = AN_LISTENER,
		.key = 'o', .cap = "o", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("hold"), .prio = 3,
		.help = N_("open one client connection and keep it open"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_hold, .done = clients_idle },
	[ACT_SEND] = { .name = "send", .argname = "TEXT", .arg = AA_TEXT, .needs = AN_LISTENER | AN_HELD,
		.key = 's', .cap = "s", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("send"), .prio = 1, .key_text = "line %d from a held client",
		.help = N_("send a line on every held connection"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_send, .done = clients_idle },
	[ACT_RELEASE] = { .name = "release", .needs = AN_HELD,
		.key = 'x', .cap = "x", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("close"), .prio = 1,
		.help = N_("close every held connection (the worker sees EOF: DEL, close)"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_release },
	[ACT_ABANDON] = { .name = "abandon", .argname = "N", .arg = AA_COUNT, .def = 1, .needs = AN_LISTENER,
		.key = 'a', .cap = "a", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("abandon"), .prio = 4,
		.help = N_("a client that gives up: connect, send a line, close before the reply (a second send "
			"to it gets EPIPE; with sigpipe = default, SIGPIPE)"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_abandon, .done = clients_idle },
	[ACT_TARGET] = { .name = "target", .argname = "PORT", .arg = AA_PORT, .needs = AN_LISTENER | AN_PORTS,
		.key = 't', .cap = "t", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("port"), .prio = 3,
		.help = N_("the listening port the clients go to: the next one (a program with several), or PORT"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_target },
	[ACT_WRITE] = { .name = "write", .argname = "TEXT", .arg = AA_TEXT, .needs = AN_FIFO,
		.key = 'w', .cap = "w", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("write"), .prio = 1, .key_text = "line %d from epollviz",
		.help = N_("write a line into the FIFO (open, write, close: the close is a hang-up)"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_write, .done = done_write },
	[ACT_WRITER] = { .name = "writer", .needs = AN_FIFO | AN_NO_WRITER,
		.key = 'W', .cap = "W", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("writer"), .prio = 1,
		.help = N_("open a FIFO writer and keep it"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_writer, .done = done_writer },
	[ACT_HANGUP] = { .name = "hangup", .needs = AN_WRITER,
		.key = 'h', .cap = "h", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("hang up"), .prio = 1,
		.help = N_("close the held writer: the watcher sees EPOLLHUP"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_hangup, .done = done_hangup },
	[ACT_WRITE_CLOSE] = { .name = "write-close", .argname = "N", .arg = AA_COUNT, .def = 600, .needs = AN_FIFO,
		.key = 'l', .cap = "l", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("600B+close"), .prio = 2,
		.help = N_("write 600 bytes (N in a script) in one write(2) and close at once: the data and the "
			"hang-up arrive together, EPOLLIN|EPOLLHUP; with read = once the watcher reads 255 and "
			"closes: the rest is lost"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_write_close, .done = done_write_close },
	[ACT_STOP_WATCHER] = { .name = "stop-watcher", .needs = AN_BG_FIFO | AN_W_RUNNING,
		.key = 'Z', .cap = "Z", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("stop FIFO"), .prio = 2,
		.help = N_("kill -STOP to the FIFO watcher's group, as from another terminal (it was started with '&', "
			"so ^Z does not reach it): what is written and hung up meanwhile waits for it"),
		.timeout_ns = SIGNAL_TIMEOUT_NS, .begin = begin_stop_watcher, .done = done_stopped },
	[ACT_CONT_WATCHER] = { .name = "cont-watcher", .needs = AN_BG_FIFO | AN_W_STOPPED,
		.key = 'G', .cap = "G", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("cont FIFO"), .prio = 2,
		.help = N_("kill -CONT to the stopped FIFO watcher's group: it runs on in the background and finds "
			"everything that arrived while it was stopped"),
		.timeout_ns = SIGNAL_TIMEOUT_NS, .begin = begin_cont_watcher, .done = done_continued },
	[ACT_WAIT] = { .name = "wait", .argname = "SECONDS", .arg = AA_SECONDS,
		.help = N_("do nothing for SECONDS (at most 60)"),
		.quiet = 1, .begin = begin_wait, .done = done_wait },
	[ACT_SIGINT] = { .name = "sigint", .needs = AN_JOB,
		.key = KEY_CTRL_C, .cap = "^C", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("interrupt"), .prio = 0,
		.help = N_("type Ctrl+C at the session's terminal: the kernel sends SIGINT to its foreground group"),
		.timeout_ns = SIGNAL_TIMEOUT_NS, .begin = begin_sigint, .done = done_ended },
	[ACT_KILL_PARENT] = { .name = "kill-parent", .needs = AN_SERVER,
		.key = 'i', .cap = "i", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("kill parent"), .prio = 2,
		.help = N_("SIGINT to the echo server's parent only, as kill -INT <parent> would"),
		.timeout_ns = SIGNAL_TIMEOUT_NS, .begin = begin_kill_parent, .done = done_ended },
	[ACT_STOP] = { .name = "stop", .needs = AN_RUNNING,
		.key = 'z', .key2 = KEY_CTRL_Z, .cap = "z", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("stop"), .prio = 2,
		.help = N_("type Ctrl+Z at the session's terminal: SIGTSTP to the foreground group"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_stop, .done = done_stopped },
	[ACT_CONT] = { .name = "cont", .needs = AN_STOPPED,
		.key = 'f', .cap = "f", /* TRANSLATORS: key bar label, at most 10 columns */ .label = N_("fg"), .prio = 2,
		.help = N_("fg: the session leader gives the terminal back to the stopped job and sends SIGCONT"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_cont, .done = done_continued },
	[ACT_SETTLE] = { .name = "settle",
		.help = N_("wait until every process sleeps in a syscall; report the accept queue and each "
			"process's voluntary context switches"),
		.timeout_ns = STEP_TIMEOUT_NS, .poll_ms = SETTLE_POLL_MS, .begin = begin_settle, .done = done_settle },
	[ACT_INSPECT] = { .name = "inspect",
		.help = N_("the kernel's interest lists (/proc fdinfo) beside the traced ones, instances told apart with kcmp"),
		.timeout_ns = STEP_TIMEOUT_NS, .begin = begin_inspect },
	[ACT_PAUSE] = { .name = "pause",
		.help = N_("wait until a line arrives on standard input"),
		.timeout_ns = PAUSE_TIMEOUT_NS, .poll_ms = PAUSE_POLL_MS, .begin = begin_pause, .done = done_pause },
};
/* clang-format on */

/* The row of id, or NULL. */
const struct action_def *
action_def(int id)
{
	return id >= 0 && id < ACT__COUNT ? &defs[id] : NULL;
}

/* The script name of id, "?" when there is none. */
const char *
action_name(int id)
{
	return id >= 0 && id < ACT__COUNT ? defs[id].name : "?";
}

/* The action named name, or -1. */
int
action_find(const char *name)
{
	for (int i = 0; i < ACT__COUNT; i++)
		if (strcmp(defs[i].name, name) == 0)
			return i;
	return -1;
}

/* What id needs. */
int
action_needs(int id)
{
	return id >= 0 && id < ACT__COUNT ? defs[id].needs : AN_ANY;
}

/* Does sc start a FIFO watcher with '&'? */
static int
bg_fifo_job(const struct scenario *sc)
{
	for (int i = 0; i < sc->njobs; i++)
		if (sc->jobs[i].kind == JOB_FIFO && sc->jobs[i].background)
			return 1;
	return 0;
}

/* Can a run of sc offer what id needs (before it starts)? */
int
action_possible(int id, const struct scenario *sc)
{
	int needs = action_needs(id);

	if (scenario_job_of(sc, JOB_PROGRAM) >= 0)
		return 1; /* a program of the user's: what it has is known only once it runs */
	if (needs & (AN_LISTENER | AN_SERVER | AN_HELD))
		return scenario_job_of(sc, JOB_ECHO) >= 0;
	if (needs & AN_BG_FIFO)
		return bg_fifo_job(sc);
	if (needs & (AN_FIFO | AN_WRITER))
		return scenario_job_of(sc, JOB_FIFO) >= 0;
	return 1;
}

/* Does the session leader hold the terminal (no job in the foreground: a shell would take fg)? */
static int
shell_has_terminal(const struct actions *a)
{
	return a->run == NULL || a->m->fg_pgid == (int)run_session_pid(a->run);
}

/* Is some job of the session in state (MJOB_*), or, with state -1, not done yet? */
static int
some_job(const struct model *m, int state)
{
	for (int i = 0; i < m->njobs; i++)
		if (state < 0 ? m->jobs[i].state != MJOB_DONE : m->jobs[i].state == state)
			return 1;
	return 0;
}

/* Has the session started no job yet (the run is starting: every key of the scenario applies)? */
static int
starting(const struct model *m)
{
	return m->njobs == 0;
}

/* Is a listening socket open?  (Before the server has made one, a client has nowhere to go.) */
static int
listener_ready(const struct model *m)
{
	for (int i = 0; i < m->nlistens; i++)
		if (m->listens[i].sockets > 0 && model_listen_open(&m->listens[i]))
			return 1;
	return 0;
}

/* Is a FIFO watcher alive (one that has made its FIFO)? */
static int
fifo_ready(const struct model *m)
{
	for (int i = 0; i < m->nfifos; i++) {
		const struct m_proc *p = model_proc(m, m->fifos[i].pid);

		if (p && p->alive)
			return 1;
	}
	return 0;
}

/* Why id cannot do anything now (translated: a person reads it), or NULL. */
const char *
action_not_now(const struct actions *a, int id)
{
	const struct model *m = a->m;
	int needs = action_needs(id);
	uint32_t server = model_server_pid(m);
	const struct m_proc *sp = server ? model_proc(m, server) : NULL;
	const struct m_job *wj = watcher_job(a);

	if ((needs & AN_LISTENER) && !listener_ready(m))
		return m->nlistens ? _("no listening socket: the server has closed it") : _("no listening socket yet");
	if ((needs & AN_PORTS) && open_ports(m, (int[2]){ 0, 0 }, 2) < 2)
		return _("one listening port: nothing to choose");
	if ((needs & AN_SERVER) && !(sp && sp->alive))
		return sp ? _("no echo server parent is running") : _("no echo server yet");
	if ((needs & AN_FIFO) && !fifo_ready(m))
		return m->nfifos ? _("no FIFO watcher is running") : _("no FIFO yet");
	if ((needs & AN_JOB) && !starting(m) && !some_job(m, -1))
		return _("every job has ended: nobody to signal");
	if ((needs & AN_RUNNING) && !starting(m) && !some_job(m, MJOB_RUNNING))
		return _("no job is running");
	if ((needs & AN_STOPPED) && !some_job(m, MJOB_STOPPED))
		return _("no job is stopped");
	if ((needs & AN_STOPPED) && !shell_has_terminal(a))
		return _("a job runs in the foreground: the shell takes fg only when it has the terminal back");
	if ((needs & AN_BG_FIFO) && !(wj && wj->background))
		return _("no FIFO watcher runs in the background");
	if ((needs & AN_W_RUNNING) && !(wj && wj->state == MJOB_RUNNING))
		return _("the FIFO watcher is stopped already (G continues it)");
	if ((needs & AN_W_STOPPED) && !(wj && wj->state == MJOB_STOPPED))
		return _("the FIFO watcher is not stopped (Z stops it)");
	if ((needs & AN_HELD) && (a->cs == NULL || clients_held(a->cs) == 0))
		return _("no held connection (o holds one)");
	if ((needs & AN_WRITER) && a->writer_fd < 0)
		return _("no writer is held (W holds one)");
	if ((needs & AN_NO_WRITER) && a->writer_fd >= 0)
		return _("a writer is held already (h hangs it up)");
	return NULL;
}

/* The action of a key, or -1. */
int
action_of_key(int key)
{
	for (int i = 0; i < ACT__COUNT && key; i++)
		if (defs[i].key == key || defs[i].key2 == key)
			return i;
	return -1;
}

/* The script actions as usage text, lines of at most width columns, the later ones indented. */
const char *
action_usage(char *buf, size_t cap, int width, int start, int indent)
{
	size_t len = 0;
	int col = start;

	buf[0] = '\0';
	for (int i = 0; i < ACT__COUNT && len < cap; i++) {
		const struct action_def *d = &defs[i];
		char one[64];
		int n = snprintf(one, sizeof one, "%s%s%s%s%s", d->name,
				 d->arg == AA_COUNT || d->arg == AA_PORT ? " ["
				 : d->argname       ? " "
						    : "",
				 d->argname ? d->argname : "", d->arg == AA_COUNT || d->arg == AA_PORT ? "]" : "",
				 i + 1 < ACT__COUNT ? "," : "");

		if (i > 0 && col + 1 + n > width) {
			len += (size_t)snprintf(buf + len, cap - len, "\n%*s", indent, "");
			col = indent;
		} else if (i > 0) {
			len += (size_t)snprintf(buf + len, cap - len, " ");
			col++;
		}
		if (len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s", one);
		col += n;
	}
	return buf;
}

/* ---- running them ---------------------------------------------------------- */

/* Set up a run's actions. */
void
action_setup(struct actions *a, struct run *run, struct model *m, struct loop *loop, struct sampler *smp,
	     int patient)
{
	memset(a, 0, sizeof *a);
	a->run = run;
	a->m = m;
	a->loop = loop;
	a->smp = smp;
	a->patient = patient;
	a->cs = clients_new(loop, run);
	a->writer_fd = -1;
}

/* Let go of everything and free the clients. */
void
action_teardown(struct actions *a)
{
	action_release_all(a);
	clients_free(a->cs);
	a->cs = NULL;
}

/* Close the clients and the writer. */
void
action_release_all(struct actions *a)
{
	if (a->cs)
		clients_close_all(a->cs);
	if (a->writer_fd >= 0)
		close(a->writer_fd);
	a->writer_fd = -1;
}

/* The step's deadline: its timeout, and more per count; wait: its own time. */
static uint64_t
timeout_of(const struct action_def *d, const struct action_call *c)
{
	if (d->arg == AA_SECONDS)
		return (uint64_t)(c->secs * 1e9);
	return d->timeout_ns + (uint64_t)(d->arg == AA_COUNT ? c->n : 0) * d->per_n_ns;
}

/* Start call as the step. */
int
action_start(struct actions *a, const struct action_call *call)
{
	const struct action_def *d = action_def(call->id);

	if (d == NULL)
		return ACTION_ENDED_FAILED;
	memset(&a->step, 0, sizeof a->step);
	a->step.def = d;
	a->step.call = *call;
	a->step.started = now_ns();
	a->step.deadline = a->step.started + timeout_of(d, call);
	return d->begin(a, call) < 0 ? ACTION_ENDED_FAILED : ACTION_RUNNING;
}

/* Look at the step: done, timed out, or still running. */
int
action_poll(struct actions *a)
{
	const struct action_def *d = a->step.def;
	int r;

	if (d == NULL)
		return ACTION_ENDED;
	r = d->done ? d->done(a, &a->step.call) : 1;
	if (r < 0) {
		a->step.failed = 1;
		r = 1;
	}
	if (r) {
		if (!d->quiet)
			run_action(a->run, ACTION_DONE, "%s", d->name);
		a->step.def = NULL;
		return a->step.failed ? ACTION_ENDED_FAILED : ACTION_ENDED;
	}
	if (now_ns() < a->step.deadline)
		return ACTION_RUNNING;
	run_action(a->run, ACTION_TIMEOUT, SAY_TIMEOUT, d->name,
		   (double)timeout_of(d, &a->step.call) / 1e9);
	a->step.def = NULL;
	return ACTION_ENDED_FAILED;
}

/* How often the step wants a look, in ms. */
int
action_poll_ms(const struct actions *a)
{
	return a->step.def && a->step.def->poll_ms ? a->step.def->poll_ms : ACTION_POLL_MS;
}

/* Start action id as a key starts it: with its default argument, without waiting. */
void
action_key_press(struct actions *a, int id)
{
	const struct action_def *d = action_def(id);
	struct action_call call;

	if (d == NULL)
		return;
	memset(&call, 0, sizeof call);
	call.id = id;
	call.n = d->def;
	if (d->key_text)
		snprintf(call.text, sizeof call.text, d->key_text, ++a->presses[id]);
	d->begin(a, &call);
}

/* Held client connections. */
int
action_clients_held(const struct actions *a)
{
	return a->cs ? clients_held(a->cs) : 0;
}
