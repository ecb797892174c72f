/*
 * contest.c - `epollviz contest`: one strategy after another, the same
 * load on each (see contest.h).
 *
 * A strategy's run is a headless run of a scenario made here (one [echo]
 * job: the strategy, accept_loop = drain, the workers and the load's
 * options), with the model, an observer of our own and a recording as its
 * consumers.  Once every worker waits in epoll_wait the clients start
 * (load.c, its own thread); each worker's voluntary context switches are
 * read before and after, so wake-ups include those the trace cannot see
 * (a worker woken only to sleep again inside epoll_wait).  When the load
 * has ended and every worker waits again, the run ends as any run does
 * (SIGTERM through the session, nothing left behind), and the numbers are
 * read from the model and the observer.
 */
#include "contest.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cols.h"
#include "i18n.h"
#include "loop.h"
#include "model.h"
#include "proctab.h"
#include "recorder.h"
#include "run.h"
#include "sampler.h"
#include "scenario.h"
#include "trace_rec.h"
#include "util.h"

#define SEC 1000000000ull
#define START_TIMEOUT_NS (10 * SEC) /* every worker waits by then */
#define QUIET_TIMEOUT_NS (5 * SEC)  /* after the load, every worker waits again by then */
#define END_TIMEOUT_NS (10 * SEC)   /* the session has ended by then, or run_stop forces it */
#define CONTEST_PROGRESS_MS 250 /* progress events this often while the load runs */
#define CONTEST_TICK_MS 10      /* the phases are looked at this often while a contest runs */
#define CONTEST_BACKLOG 128

/* The default order: the notes' answer, then no answer, then the kernel's, then nginx's. */
static const int default_order[] = { ACCEPT_SEMAPHORE, ACCEPT_NONE, ACCEPT_EXCLUSIVE, ACCEPT_REUSEPORT,
				     ACCEPT_SHARED_EPOLL, ACCEPT_MUTEX };

/* What the observer keeps per worker, between its epoll_wait returns. */
struct seen {
	uint32_t pid;
	int lfd;       /* its listening socket's fd, -1 before it has one */
	int pending;   /* its last return had the listening socket ready */
	int taken;     /* connections it accepted since that return */
	uint64_t empty;
	uint64_t moves; /* ADD or DEL of its listening socket */
};

enum phase { PH_IDLE = 0, PH_START, PH_LOAD, PH_QUIET, PH_ENDING, PH_DONE };

/* The contest: its strategies one after another, each one run at a time. */
struct contest {
	struct contest_opts o;
	struct loop *loop;
	contest_event_fn fn;
	void *ctx;
	struct contest_result res[ACCEPT__COUNT];
	int nres;    /* results finished */
	int current; /* index in o.strategies of the one running */
	int phase;
	uint64_t phase_t0;
	int interrupted;
	int tick;    /* the timer that drives the phases, 0 when none */
	char dir[PATH_MAX - 64]; /* the contest's own directory: each strategy's scenario file */
	/* the strategy that runs */
	struct scenario sc;
	struct model *m;
	struct run *run;
	struct sampler smp;
	struct recorder *rec;
	struct trace_tee tee;
	struct load *load;
	int load_done;
	uint64_t load_t0, progress_at;
	struct seen seen[CONTEST_MAX_WORKERS];
	int nseen;
	unsigned long long vol0[CONTEST_MAX_WORKERS];
};

/* The result of the strategy that runs. */
static struct contest_result *
cur(struct contest *c)
{
	return &c->res[c->nres];
}

/* The observer's entry for pid (an echo process), added when there is room; NULL else. */
static struct seen *
seen_of(struct contest *c, uint32_t pid)
{
	for (int i = 0; i < c->nseen; i++)
		if (c->seen[i].pid == pid)
			return &c->seen[i];
	if (c->nseen == CONTEST_MAX_WORKERS)
		return NULL;
	c->seen[c->nseen] = (struct seen){ .pid = pid, .lfd = -1 };
	return &c->seen[c->nseen++];
}

/* Does the ready list of wait_return r have the listening socket lfd (its data word is the fd)? */
static int
ready_has(const struct trace_rec *r, int lfd)
{
	for (int i = 0; i < r->npairs; i++)
		if (r->pairs[i].data == (uint64_t)(uint32_t)lfd)
			return 1;
	return 0;
}

/* The queue entry of a listening socket, added when there is room. */
static struct contest_queue *
queue_of(struct contest_result *res, int port, uint64_t inode)
{
	for (int i = 0; i < res->nq; i++)
		if (res->q[i].inode == inode && res->q[i].port == port)
			return &res->q[i];
	if (res->nq == CONTEST_MAX_QUEUES)
		return NULL;
	res->q[res->nq] = (struct contest_queue){ .port = port, .inode = inode, .peak = 0 };
	return &res->q[res->nq++];
}

/*
 * The observer: returns with the listening socket that accepted nothing
 * (the herd's losers, EAGAIN, a lost semaphore), and each listening
 * socket's fullest accept queue.
 */
static void
observe(void *ctx, const struct trace_rec *r)
{
	struct contest *c = ctx;
	const struct m_proc *p;
	struct seen *s;

	if (r->type == TR_ACCEPTQ) {
		struct contest_queue *q = queue_of(cur(c), r->port, r->inode);

		if (q && (int64_t)r->qlen > q->peak)
			q->peak = (int64_t)r->qlen;
		if (q)
			q->backlog = r->backlog;
		return;
	}
	if (r->type != TR_LISTEN && r->type != TR_INHERIT && r->type != TR_WAIT_RETURN && r->type != TR_ACCEPT &&
	    r->type != TR_WAIT_ENTER && r->type != TR_EPOLL_CTL)
		return;
	p = model_proc(c->m, r->pid);
	if (p == NULL || !model_is_echo(p) || (s = seen_of(c, r->pid)) == NULL)
		return;
	switch (r->type) {
	case TR_LISTEN:
		if (r->ret == 0)
			s->lfd = r->fd;
		break;
	case TR_INHERIT:
		if (r->kind == OPEN_LISTEN)
			s->lfd = r->fd;
		break;
	case TR_WAIT_RETURN:
		s->pending = r->ret > 0 && s->lfd >= 0 && ready_has(r, s->lfd);
		s->taken = 0;
		break;
	case TR_WAIT_ENTER:
		if (s->pending && s->taken == 0)
			s->empty++;
		s->pending = 0;
		break;
	case TR_ACCEPT:
		if (r->ret >= 0)
			s->taken++;
		break;
	case TR_EPOLL_CTL:
		if (r->ret == 0 && r->fd == s->lfd && (r->op == EPOLL_CTL_ADD || r->op == EPOLL_CTL_DEL))
			s->moves++;
		break;
	}
}

/*
 * The scenario of a strategy: one echo job with the contest's options,
 * written as a scenario file into the contest's directory (the session
 * leader reads its scenario from a file) and loaded back.  -1 with err.
 */
static int
make_scenario(struct contest *c, int strategy, char *err, size_t errcap)
{
	const struct contest_opts *o = &c->o;
	struct job_cfg j;
	char args[SCN_MAX_ARGS][48], path[PATH_MAX];
	int n, ok;
	FILE *f;

	job_defaults(&j, JOB_ECHO);
	j.accept = strategy;
	j.accept_loop = LOOP_DRAIN;
	j.trigger = TRIG_EDGE;
	j.workers = o->workers;
	j.work_us = o->work_us;
	j.stall_worker = o->stall_worker;
	j.stall_ms = o->stall_ms;
	j.stall_every = o->stall_every;
	j.mutex_delay = o->mutex_delay;
	j.backlog = CONTEST_BACKLOG;
	n = job_to_args(&j, args, SCN_MAX_ARGS);
	if ((size_t)snprintf(path, sizeof path, "%s/contest-%s.scn", c->dir, job_accept_name(strategy)) >= sizeof path) {
		snprintf(err, errcap, _("%.200s: path too long"), c->dir);
		return -1;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		snprintf(err, errcap, "%.200s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "# written by epollviz contest: one strategy under the contest's load\n"
		   "title = accept contest: %s, %d workers\n"
		   "describe = One strategy of `epollviz contest`: the same load as every other one\n"
		   "describe = (%d requests/s for %d ms, %s).\n[echo]\n",
		job_accept_name(strategy), o->workers, o->load.rate, o->load.duration_ms,
		o->load.keepalive ? "keep-alive" : "a connection each");
	for (int i = 0; i < n; i++) {
		char *eq = strchr(args[i], '=');

		if (eq)
			*eq = '\0';
		fprintf(f, "%s = %s\n", args[i], eq ? eq + 1 : "");
	}
	ok = fflush(f) == 0 && !ferror(f);
	ok &= fclose(f) == 0;
	if (!ok) {
		snprintf(err, errcap, "%.200s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return scenario_load(path, &c->sc, err, errcap);
}

/* Every echo process of the run is alive, started and waits in epoll_wait. */
static int
all_wait(const struct contest *c)
{
	int n = 0;

	for (int i = 0; i < c->m->nprocs; i++) {
		const struct m_proc *p = &c->m->procs[i];

		if (!model_is_echo(p))
			continue;
		if (!p->alive || !p->in_wait)
			return 0;
		n++;
	}
	return n == c->o.workers;
}

/*
 * Has the trace caught up with what the clients saw?  Every worker that
 * answered has sent, in the model, at least the bytes of the replies the
 * load took from it.  A worker flushes its records only before it blocks,
 * so a model that shows it waiting may still be a wait ago, its last
 * accept and reply on their way; all_wait alone would end the run early.
 */
static int
caught_up(const struct contest *c)
{
	const struct load_result *lr = &c->res[c->nres].load;

	for (int i = 0; i < lr->npids; i++) {
		const struct m_proc *p = model_proc(c->m, (uint32_t)lr->pids[i].pid);

		if (p == NULL || p->bytes_out < lr->pids[i].bytes)
			return 0;
	}
	return 1;
}

/* The worker's index from its name ("echo-w3"), or -1. */
static int
worker_index(const struct m_proc *p)
{
	return strncmp(p->name, "echo-w", 6) == 0 ? atoi(p->name + 6) : -1;
}

/* Fill the running strategy's workers from the model and the observer (and the context switches since vol0). */
static void
collect(struct contest *c, int with_ctxsw)
{
	struct contest_result *res = cur(c);
	int k = 0;

	for (int i = 0; i < c->m->nprocs && k < CONTEST_MAX_WORKERS; i++) {
		const struct m_proc *p = &c->m->procs[i];
		struct contest_worker *w = &res->w[k];
		struct seen *s;

		if (!model_is_echo(p))
			continue;
		w->pid = p->pid;
		w->index = worker_index(p);
		w->accepted = p->accepts;
		w->eagain = p->accept_lost;
		w->lock_lost = p->sem_lost;
		w->lock_won = p->sem_won;
		s = seen_of(c, p->pid);
		w->empty = s ? s->empty : 0;
		w->moves = s ? s->moves : 0;
		if (with_ctxsw) {
			unsigned long long vol, invol;

			if (proctab_ctxsw((int)p->pid, &vol, &invol) == 0 && vol >= c->vol0[k])
				w->wakeups = vol - c->vol0[k];
		}
		k++;
	}
	res->nw = k;
}

/* Sums, fairness, replies per worker. */
static void
totals(struct contest_result *res)
{
	double sum = 0, sq = 0;
	uint64_t mx = 0, mn = UINT64_MAX;

	res->accepted = res->wakeups = res->empty = res->eagain = res->lock_lost = res->lock_won = res->moves = 0;
	for (int i = 0; i < res->nw; i++) {
		struct contest_worker *w = &res->w[i];

		res->accepted += w->accepted;
		res->wakeups += w->wakeups;
		res->empty += w->empty;
		res->eagain += w->eagain;
		res->lock_lost += w->lock_lost;
		res->lock_won += w->lock_won;
		res->moves += w->moves;
		sum += (double)w->accepted;
		sq += (double)w->accepted * (double)w->accepted;
		mx = w->accepted > mx ? w->accepted : mx;
		mn = w->accepted < mn ? w->accepted : mn;
		w->replies = 0;
		for (int k = 0; k < res->load.npids; k++)
			if ((uint32_t)res->load.pids[k].pid == w->pid)
				w->replies = res->load.pids[k].replies;
	}
	res->fairness = sq > 0 ? sum * sum / ((double)res->nw * sq) : 0;
	res->max_min = res->nw > 0 && mn > 0 ? (double)mx / (double)mn : 0;
	res->wakeups_per_conn = res->accepted ? (double)res->wakeups / (double)res->accepted : 0;
	res->wakeups_per_req = res->load.answered ? (double)res->wakeups / (double)res->load.answered : 0;
}

static void tick(void *arg);

/* Enter a phase; the tick timer drives it from now on. */
static void
phase(struct contest *c, int ph)
{
	c->phase = ph;
	c->phase_t0 = now_ns();
}

/* The load's eventfd: it has finished. */
static void
on_load(void *arg, uint32_t events)
{
	struct contest *c = arg;

	(void)events;
	c->load_done = 1;
	loop_del(c->loop, load_fd(c->load));
}

/* Start the strategy's run and its consumers.  -1 with the reason in the result. */
static int
strategy_start(struct contest *c)
{
	struct contest_result *res = cur(c);
	int strategy = c->o.strategies[c->current];

	memset(res, 0, sizeof *res);
	res->strategy = strategy;
	res->keepalive = c->o.load.keepalive;
	memset(&c->tee, 0, sizeof c->tee);
	c->nseen = 0;
	c->load_done = 0;
	c->m = model_new();
	if (make_scenario(c, strategy, res->error, sizeof res->error) < 0)
		return -1;
	if (c->o.record_dir[0]) {
		snprintf(res->recording, sizeof res->recording, "%s/%s.rec", c->o.record_dir,
			 job_accept_name(strategy));
		c->rec = recorder_open(res->recording, &c->sc, res->error, sizeof res->error);
		if (c->rec == NULL)
			return -1;
	}
	trace_tee_add(&c->tee, model_sink, c->m);
	trace_tee_add(&c->tee, observe, c);
	if (c->rec)
		trace_tee_add(&c->tee, recorder_sink, c->rec);
	c->run = run_start(&c->sc, c->loop, trace_tee_sink, &c->tee, res->error, sizeof res->error);
	if (c->run == NULL)
		return -1;
	sampler_init(&c->smp, c->loop, c->run, c->m);
	sampler_watch_queues(&c->smp);
	return 0;
}

/* The load on the listening port, with the workers' context switches read first.  -1 with the reason. */
static int
strategy_load(struct contest *c)
{
	struct contest_result *res = cur(c);
	struct load_opts lo = c->o.load;
	const struct m_listen *l = c->m->nlistens > 0 ? &c->m->listens[0] : NULL;
	int k = 0;

	if (l == NULL || l->port <= 0) {
		snprintf(res->error, sizeof res->error, "%s", _("the echo server has no listening port"));
		return -1;
	}
	for (int i = 0; i < c->m->nprocs && k < CONTEST_MAX_WORKERS; i++) {
		const struct m_proc *p = &c->m->procs[i];
		unsigned long long invol;

		if (!model_is_echo(p))
			continue;
		if (proctab_ctxsw((int)p->pid, &c->vol0[k], &invol) < 0)
			c->vol0[k] = 0;
		k++;
	}
	lo.port = l->port;
	c->load = load_start(&lo, res->error, sizeof res->error);
	if (c->load == NULL)
		return -1;
	c->load_t0 = c->progress_at = now_ns();
	loop_add(c->loop, load_fd(c->load), EPOLLIN, on_load, c);
	return 0;
}

/* The counts so far, to whoever watches. */
static void
progress(struct contest *c)
{
	struct contest_result *res = cur(c);
	uint64_t due, answered;

	collect(c, 0);
	load_progress(c->load, &due, &answered);
	res->load.due = due;
	res->load.answered = answered;
	totals(res);
	if (c->fn)
		c->fn(c->ctx, CONTEST_PROGRESS, res, now_ns() - c->load_t0);
}

/* The clients are done (or stopped): their result. */
static void
strategy_unload(struct contest *c)
{
	if (c->load == NULL)
		return;
	load_stop(c->load);
	if (!c->load_done)
		loop_del(c->loop, load_fd(c->load));
	load_finish(c->load, &cur(c)->load);
	c->load = NULL;
}

/* The run has ended (or must end now: run_stop forces it): the numbers, the recording, the next strategy. */
static void
strategy_end(struct contest *c)
{
	struct contest_result *res = cur(c);
	char err[200];

	strategy_unload(c);
	if (c->run) {
		const struct trace_reader *rd;

		sampler_done(&c->smp); /* started with the run */
		run_stop(c->run);
		run_emit_end(c->run, res->error[0] ? 1 : 0, c->interrupted ? RUN_INTERRUPTED : 0);
		rd = run_reader(c->run);
		if (c->m->nsems > 0 && c->m->sems[0].kind == LOCK_SEMAPHORE)
			str_copy(res->sem, c->m->sems[0].name, sizeof res->sem);
		res->lost = rd->lost;
		res->records = c->m->records;
		res->clean = rd->lost == 0 && rd->malformed == 0 && c->m->end_flags == 0 && !res->error[0] &&
			     model_all_exited_cleanly(c->m);
		run_free(c->run);
		c->run = NULL;
	}
	totals(res);
	if (c->rec && recorder_close(c->rec, err, sizeof err) < 0) {
		snprintf(res->error, sizeof res->error, _("recording: %s"), err);
		res->clean = 0;
	}
	c->rec = NULL;
	if (c->m)
		model_free(c->m);
	c->m = NULL;
	c->nres++;
	if (c->fn)
		c->fn(c->ctx, CONTEST_RESULT, res, 0);
	c->current++;
	if (c->interrupted || c->current >= c->o.nstrategies) {
		phase(c, PH_DONE);
		if (c->fn)
			c->fn(c->ctx, CONTEST_FINISHED, NULL, 0);
		return;
	}
	phase(c, PH_START);
	if (strategy_start(c) < 0)
		strategy_end(c);
}

/* Ask the session to end: every worker ends by itself. */
static void
strategy_terminate(struct contest *c)
{
	collect(c, 1);
	run_terminate(c->run);
	phase(c, PH_ENDING);
}

/* Move the strategy that runs through its phases. */
static void
advance(struct contest *c)
{
	uint64_t now = now_ns();
	struct contest_result *res;

	if (c->phase == PH_IDLE || c->phase == PH_DONE)
		return;
	res = cur(c);
	if (c->interrupted && c->phase < PH_QUIET) {
		if (!res->error[0])
			snprintf(res->error, sizeof res->error, "%s", _("interrupted"));
		strategy_unload(c);
		strategy_terminate(c);
	}
	switch (c->phase) {
	case PH_START:
		if (all_wait(c)) {
			if (strategy_load(c) < 0) {
				strategy_terminate(c);
				break;
			}
			phase(c, PH_LOAD);
		} else if (now - c->phase_t0 > START_TIMEOUT_NS) {
			snprintf(res->error, sizeof res->error, _("the workers did not all wait in epoll_wait within %llu s"),
				 (unsigned long long)(START_TIMEOUT_NS / SEC));
			strategy_terminate(c);
		}
		break;
	case PH_LOAD:
		if (c->load_done) {
			strategy_unload(c);
			phase(c, PH_QUIET);
		} else if (now - c->progress_at >= CONTEST_PROGRESS_MS * 1000000ull) {
			c->progress_at = now;
			progress(c);
		}
		break;
	case PH_QUIET:
		/* Every reply's records in, and every worker back in epoll_wait. */
		if ((caught_up(c) && all_wait(c)) || now - c->phase_t0 > QUIET_TIMEOUT_NS)
			strategy_terminate(c);
		break;
	case PH_ENDING:
		if (run_finished(c->run) || now - c->phase_t0 > END_TIMEOUT_NS)
			strategy_end(c);
		break;
	}
}

/* The phases' clock: every CONTEST_TICK_MS until the contest is done. */
static void
tick(void *arg)
{
	struct contest *c = arg;

	c->tick = 0;
	if (c->run)
		run_reap(c->run);
	advance(c);
	if (c->phase != PH_DONE)
		c->tick = loop_timer(c->loop, now_ns() + CONTEST_TICK_MS * 1000000ull, tick, c);
}

/* Start the first strategy; a timer on loop drives the rest (see contest.h). */
struct contest *
contest_new(const struct contest_opts *o, struct loop *loop, contest_event_fn fn, void *ctx)
{
	struct contest *c = xcalloc(1, sizeof *c);

	c->o = *o;
	c->loop = loop;
	c->fn = fn;
	c->ctx = ctx;
	phase(c, PH_START);
	snprintf(c->dir, sizeof c->dir, "%s/epollviz-contest.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(c->dir) == NULL) {
		snprintf(cur(c)->error, sizeof cur(c)->error, _("cannot make a directory: %s"), strerror(errno));
		c->dir[0] = '\0';
	}
	if (strategy_start(c) < 0)
		strategy_end(c);
	if (c->phase != PH_DONE)
		c->tick = loop_timer(c->loop, now_ns() + CONTEST_TICK_MS * 1000000ull, tick, c);
	return c;
}

/* SIGCHLD: reap what the run that goes on started. */
void
contest_reap(struct contest *c)
{
	if (c->run)
		run_reap(c->run);
}

/* End early: the running strategy ends cleanly, no other starts. */
void
contest_interrupt(struct contest *c)
{
	c->interrupted = 1;
	advance(c);
}

/* Every strategy has run (or the contest was interrupted and its last run ended). */
int
contest_done(const struct contest *c)
{
	return c->phase == PH_DONE;
}

/* The finished strategies, in the order they ran. */
const struct contest_result *
contest_results(const struct contest *c, int *n)
{
	*n = c->nres;
	return c->res;
}

/* The strategy that runs now, or -1. */
int
contest_running(const struct contest *c)
{
	return c->phase == PH_DONE ? -1 : c->o.strategies[c->current];
}

/* End what runs now (bounded: run_stop forces it), and free everything. */
void
contest_free(struct contest *c)
{
	if (c == NULL)
		return;
	c->fn = NULL;
	c->interrupted = 1;
	if (c->phase != PH_DONE && c->phase != PH_IDLE) {
		if (c->run && c->phase < PH_ENDING)
			run_terminate(c->run);
		strategy_end(c);
	}
	if (c->tick > 0)
		loop_timer_cancel(c->loop, c->tick);
	for (int i = 0; c->dir[0] && i < ACCEPT__COUNT; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof path, "%s/contest-%s.scn", c->dir, job_accept_name(i));
		unlink(path);
	}
	if (c->dir[0])
		rmdir(c->dir);
	free(c);
}

/* ---- options ------------------------------------------------------------ */

/* Every strategy, max(2, CPUs) workers (at most 8), the load's defaults. */
void
contest_defaults(struct contest_opts *o)
{
	int cpus = usable_cpus();

	memset(o, 0, sizeof *o);
	for (size_t i = 0; i < ARRAY_LEN(default_order); i++)
		o->strategies[o->nstrategies++] = default_order[i];
	o->workers = cpus < 2 ? 2 : cpus > CONTEST_MAX_WORKERS ? CONTEST_MAX_WORKERS : cpus;
	o->stall_every = 1;
	o->mutex_delay = 500;
	load_defaults(&o->load);
}

/* The options, for --help and errors. */
const char *
contest_usage(void)
{
	/* TRANSLATORS: keep the option names, and the descriptions in one column. */
	return _("usage: epollviz contest [OPTIONS]              the table on the screen\n"
	       "       epollviz --headless contest [OPTIONS] [--json] [--record-dir DIR]\n"
	       "options:\n"
	       "  --strategies LIST  comma-separated, in order (default: semaphore,none,exclusive,\n"
	       "                     reuseport,shared-epoll,mutex)\n"
	       "  --workers N        echo workers, 1 to 8 (default: the CPUs, at least 2)\n"
	       "  --rate N           requests per second, open loop (default 1000)\n"
	       "  --duration T       how long the clients send: 3s or 500ms (default 3s)\n"
	       "  --keepalive        persistent connections (--conns N of them, default 16)\n"
	       "                     instead of one connection per request\n"
	       "  --timeout T        a request not answered this long after it was due fails (5s)\n"
	       "  --work-us N        busy CPU per request in the worker, microseconds (default 0)\n"
	       "  --stall K:S:M      worker K sleeps S ms every M requests it answers\n"
	       "  --mutex-delay MS   accept = mutex: a loser's wait before it tries again (500)\n");
}

/* "semaphore,none": the list in o.  -1 with err naming the bad name. */
static int
parse_strategies(const char *list, struct contest_opts *o, char *err, size_t errcap)
{
	char buf[256], *save = NULL;

	if (strlen(list) >= sizeof buf) {
		snprintf(err, errcap, "%s", _("--strategies: list too long"));
		return -1;
	}
	str_copy(buf, list, sizeof buf);
	o->nstrategies = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int s = job_accept_find(t);

		if (s < 0) {
			snprintf(err, errcap, _("--strategies: unknown strategy '%s' (expected semaphore, none, "
						"exclusive, reuseport, shared-epoll or mutex)"), t);
			return -1;
		}
		if (o->nstrategies == ACCEPT__COUNT) {
			snprintf(err, errcap, _("--strategies: more than %d entries"), ACCEPT__COUNT);
			return -1;
		}
		o->strategies[o->nstrategies++] = s;
	}
	if (o->nstrategies == 0) {
		snprintf(err, errcap, "%s", _("--strategies: empty list"));
		return -1;
	}
	return 0;
}

/* An integer option within [lo, hi]; -1 with err naming it. */
static int
int_opt(const char *name, const char *val, long lo, long hi, int *out, char *err, size_t errcap)
{
	long v;

	if (parse_long(val, lo, hi, &v) < 0) {
		snprintf(err, errcap, _("%s: '%s' is not an integer from %ld to %ld"), name, val, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* "K:S:M". */
static int
parse_stall(const char *val, struct contest_opts *o, char *err, size_t errcap)
{
	char buf[64], *a, *b;

	str_copy(buf, val, sizeof buf);
	a = strchr(buf, ':');
	b = a ? strchr(a + 1, ':') : NULL;
	if (a == NULL || b == NULL) {
		snprintf(err, errcap, _("--stall: '%s' is not WORKER:MS:EVERY (e.g. 1:2000:100)"), val);
		return -1;
	}
	*a = *b = '\0';
	/* TRANSLATORS: the three parts of --stall WORKER:MS:EVERY, named in an error ("--stall worker: '9' is not..."). */
	if (int_opt(_("--stall worker"), buf, 0, CONTEST_MAX_WORKERS - 1, &o->stall_worker, err, errcap) < 0 ||
	    int_opt(_("--stall ms"), a + 1, 1, 60000, &o->stall_ms, err, errcap) < 0 ||
	    int_opt(_("--stall every"), b + 1, 1, 1000000, &o->stall_every, err, errcap) < 0)
		return -1;
	return 0;
}

/* Parse the contest's options; -1 with a message naming the option and value. */
int
contest_args(int argc, char **argv, struct contest_opts *o, int *json, int *help, char *err, size_t errcap)
{
	static const struct option longopts[] = {
		{ "strategies", required_argument, NULL, 's' }, { "workers", required_argument, NULL, 'w' },
		{ "rate", required_argument, NULL, 'r' },       { "duration", required_argument, NULL, 'd' },
		{ "keepalive", no_argument, NULL, 'k' },         { "conns", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },     { "work-us", required_argument, NULL, 'u' },
		{ "stall", required_argument, NULL, 'S' },       { "mutex-delay", required_argument, NULL, 'm' },
		{ "record-dir", required_argument, NULL, 'R' },  { "json", no_argument, NULL, 'j' },
		{ "headless", no_argument, NULL, 'H' },          { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, r = 0, conns = 0;

	contest_defaults(o);
	*json = *help = 0;
	optind = 1;
	opterr = 0;
	while (r == 0) {
		c = getopt_long(argc, argv, "+", longopts, NULL);
		if (c == -1) {
			/* "contest" itself, between options: `--headless contest --json`. */
			if (optind < argc && strcmp(argv[optind], "contest") == 0) {
				optind++;
				continue;
			}
			break;
		}
		switch (c) {
		case 's': r = parse_strategies(optarg, o, err, errcap); break;
		case 'w': r = int_opt("--workers", optarg, 1, CONTEST_MAX_WORKERS, &o->workers, err, errcap); break;
		case 'r': r = load_parse(&o->load, "rate", optarg, err, errcap); break;
		case 'd': r = load_parse(&o->load, "duration", optarg, err, errcap); break;
		case 'k': r = load_parse(&o->load, "keepalive", "on", err, errcap); break;
		case 'c': r = load_parse(&o->load, "conns", optarg, err, errcap); conns = 1; break;
		case 't': r = load_parse(&o->load, "timeout", optarg, err, errcap); break;
		case 'u': r = int_opt("--work-us", optarg, 0, 1000000, &o->work_us, err, errcap); break;
		case 'S': r = parse_stall(optarg, o, err, errcap); break;
		case 'm': r = int_opt("--mutex-delay", optarg, 1, 10000, &o->mutex_delay, err, errcap); break;
		case 'R': str_copy(o->record_dir, optarg, sizeof o->record_dir); break;
		case 'j': *json = 1; break;
		case 'H': break;
		case 'h': *help = 1; break;
		default:
			snprintf(err, errcap, _("contest: unknown option or missing value: '%s'"), argv[optind - 1]);
			r = -1;
		}
	}
	if (r == 0 && optind < argc) {
		snprintf(err, errcap, _("contest: unexpected argument '%s'"), argv[optind]);
		r = -1;
	}
	if (r == 0) {
		struct load_opts chk = o->load;

		chk.port = 1; /* the port comes with each run */
		r = load_check(&chk, err, errcap);
	}
	if (r == 0 && conns && !o->load.keepalive) {
		/* TRANSLATORS: --conns and --keepalive are options; keep them as they are. */
		snprintf(err, errcap, _("--conns needs --keepalive: without it each request has a connection of its own"));
		r = -1;
	}
	if (r == 0 && o->stall_ms > 0 && o->stall_worker >= o->workers) {
		snprintf(err, errcap, _("--stall: worker %d does not exist (workers are 0 to %d)"), o->stall_worker,
			 o->workers - 1);
		r = -1;
	}
	return r;
}

/* ---- output ------------------------------------------------------------- */

/* One strategy's result (or its progress) as one JSON object, no newline. */
void
contest_json(struct strbuf *b, const struct contest_result *r, int progress, uint64_t elapsed_ns)
{
	sb_printf(b, "{\"type\":\"%s\",\"strategy\":\"%s\"", progress ? "contest_progress" : "contest",
		  job_accept_name(r->strategy));
	if (progress)
		sb_printf(b, ",\"elapsed_ms\":%llu", (unsigned long long)(elapsed_ns / 1000000));
	sb_add(b, ",\"workers\":[");
	for (int i = 0; i < r->nw; i++) {
		const struct contest_worker *w = &r->w[i];

		sb_printf(b, "%s{\"pid\":%u,\"index\":%d,\"accepted\":%llu,\"share\":%.4f", i ? "," : "", w->pid,
			  w->index, (unsigned long long)w->accepted,
			  r->accepted ? (double)w->accepted / (double)r->accepted : 0.0);
		if (!progress)
			sb_printf(b, ",\"wakeups\":%llu,\"empty_returns\":%llu,\"accept_eagain\":%llu,"
				  "\"lock_won\":%llu,\"lock_lost\":%llu,\"listener_moves\":%llu,\"replies\":%llu",
				  (unsigned long long)w->wakeups, (unsigned long long)w->empty,
				  (unsigned long long)w->eagain, (unsigned long long)w->lock_won,
				  (unsigned long long)w->lock_lost, (unsigned long long)w->moves,
				  (unsigned long long)w->replies);
		sb_add(b, "}");
	}
	sb_printf(b, "],\"accepted\":%llu,\"fairness\":%.4f,\"max_min\":%.3f", (unsigned long long)r->accepted,
		  r->fairness, r->max_min);
	if (progress) {
		sb_printf(b, ",\"clients\":{\"due\":%llu,\"answered\":%llu}}", (unsigned long long)r->load.due,
			  (unsigned long long)r->load.answered);
		return;
	}
	sb_printf(b, ",\"wakeups\":%llu,\"wakeups_per_conn\":%.3f,\"empty_returns\":%llu,\"accept_eagain\":%llu,"
		  "\"lock_won\":%llu,\"lock_lost\":%llu,\"listener_moves\":%llu,\"wakeups_per_request\":%.3f,\"queues\":[",
		  (unsigned long long)r->wakeups, r->wakeups_per_conn, (unsigned long long)r->empty,
		  (unsigned long long)r->eagain, (unsigned long long)r->lock_won, (unsigned long long)r->lock_lost,
		  (unsigned long long)r->moves, r->wakeups_per_req);
	for (int i = 0; i < r->nq; i++)
		sb_printf(b, "%s{\"port\":%d,\"inode\":%llu,\"backlog\":%d,\"peak\":%lld}", i ? "," : "", r->q[i].port,
			  (unsigned long long)r->q[i].inode, r->q[i].backlog, (long long)r->q[i].peak);
	sb_printf(b, "],\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"max\":%.1f}",
		  (double)r->load.lat_p50_ns / 1e3, (double)r->load.lat_p99_ns / 1e3, (double)r->load.lat_max_ns / 1e3);
	sb_printf(b, ",\"clients\":{\"due\":%llu,\"sent\":%llu,\"answered\":%llu,\"failed\":%llu,\"timed_out\":%llu,"
		  "\"skipped\":%llu}",
		  (unsigned long long)r->load.due, (unsigned long long)r->load.sent,
		  (unsigned long long)r->load.answered, (unsigned long long)r->load.failed,
		  (unsigned long long)r->load.timed_out, (unsigned long long)r->load.skipped);
	sb_add(b, ",\"semaphore\":");
	if (r->sem[0])
		sb_json_str(b, r->sem);
	else
		sb_add(b, "null");
	sb_printf(b, ",\"records\":%llu,\"lost_records\":%llu,\"clean\":%s,\"recording\":",
		  (unsigned long long)r->records, (unsigned long long)r->lost, r->clean ? "true" : "false");
	if (r->recording[0])
		sb_json_str(b, r->recording);
	else
		sb_add(b, "null");
	sb_add(b, ",\"error\":");
	if (r->error[0])
		sb_json_str(b, r->error);
	else
		sb_add(b, "null");
	sb_add(b, "}");
}

/* The text table's columns: header, the width of its values, left-aligned; translated headers widen them. */
enum { TC_STRATEGY, TC_PER, TC_FAIR, TC_MAXMIN, TC_WAKE, TC_EMPTY, TC_EAGAIN, TC_LOST, TC_QUEUE, TC_P50, TC_P99,
       TC_MAX, TC_FAILED, TC__COUNT };
static const struct {
	const char *head; /* NULL: TC_WAKE, per connection or per request */
	int w, left, tr;
} text_cols[TC__COUNT] = {
	/* TRANSLATORS: the column headers of `epollviz --headless contest`; a column widens to fit its header, keep them short. */
	[TC_STRATEGY] = { N_("strategy"), 13, 1, 1 },
	[TC_PER] = { N_("accepted per worker"), 23, 1, 1 },
	[TC_FAIR] = { N_("fairness"), 8, 0, 1 },
	/* TRANSLATORS: a column header: the most connections one worker accepted divided by the fewest. */
	[TC_MAXMIN] = { N_("max/min"), 6, 0, 1 },
	[TC_WAKE] = { NULL, 7, 0, 1 },
	/* TRANSLATORS: a column header: epoll_wait returns with the listening socket after which nothing was accepted. */
	[TC_EMPTY] = { N_("empty"), 6, 0, 1 },
	[TC_EAGAIN] = { "EAGAIN", 6, 0, 0 },
	/* TRANSLATORS: a column header: tries to take the accept lock (semaphore, mutex) that failed. */
	[TC_LOST] = { N_("lost"), 6, 0, 1 },
	/* TRANSLATORS: a column header: the accept queue's fullest length. */
	[TC_QUEUE] = { N_("queue"), 5, 0, 1 },
	/* TRANSLATORS: a column header: median latency in milliseconds. */
	[TC_P50] = { N_("p50 ms"), 9, 0, 1 },
	[TC_P99] = { N_("p99 ms"), 9, 0, 1 },
	[TC_MAX] = { N_("max ms"), 9, 0, 1 },
	/* TRANSLATORS: a column header: requests that failed or timed out. */
	[TC_FAILED] = { N_("failed"), 6, 0, 1 },
};

/* Column i's header, translated. */
static const char *
text_head(int i, int keepalive)
{
	if (i == TC_WAKE)
		/* TRANSLATORS: a column header: wake-ups per request (keep-alive) / per connection. */
		return keepalive ? _("wake/r") : _("wake/c");
	return text_cols[i].tr ? _(text_cols[i].head) : text_cols[i].head;
}

/* The columns' widths: the wider of the values' and the header's display columns. */
static void
text_widths(int keepalive, int *w)
{
	for (int i = 0; i < TC__COUNT; i++)
		w[i] = cols_max(text_head(i, keepalive), text_cols[i].w);
}

/* The text table's first lines: the load, then the column names. */
void
contest_text_header(struct strbuf *b, const struct contest_opts *o)
{
	int w[TC__COUNT];

	sb_printf(b, P_("accept contest: %d worker", "accept contest: %d workers", o->workers), o->workers);
	sb_printf(b, P_(", %d request/s for %d ms", ", %d requests/s for %d ms", o->load.rate), o->load.rate,
		  o->load.duration_ms);
	sb_add(b, o->load.keepalive ? _(", keep-alive") : _(", a connection per request"));
	if (o->work_us)
		sb_printf(b, _(", %d us of work each"), o->work_us);
	if (o->stall_ms)
		/* TRANSLATORS: the last %d: every that many requests the worker answers. */
		sb_printf(b, _(", worker %d sleeps %d ms every %d"), o->stall_worker, o->stall_ms, o->stall_every);
	sb_add(b, "\n");
	text_widths(o->load.keepalive, w);
	for (int i = 0; i < TC__COUNT; i++) {
		if (i)
			sb_add(b, " ");
		cols_field(b, text_head(i, o->load.keepalive), w[i], !text_cols[i].left);
	}
	sb_add(b, "\n");
}

/* One strategy's row of the text table (and its error, if any, below it). */
void
contest_text_row(struct strbuf *b, const struct contest_result *r)
{
	char per[64];
	size_t n = 0;
	int64_t peak = 0;
	int w[TC__COUNT];

	per[0] = '\0';
	for (int i = 0; i < r->nw && n < sizeof per; i++)
		n += (size_t)snprintf(per + n, sizeof per - n, "%s%llu", i ? "/" : "",
				      (unsigned long long)r->w[i].accepted);
	for (int i = 0; i < r->nq; i++)
		peak = r->q[i].peak > peak ? r->q[i].peak : peak;
	text_widths(r->keepalive, w);
	/* The values are ASCII: bytes are columns. */
	sb_printf(b, "%-*s %-*s %*.3f %*.2f %*.2f %*llu %*llu %*llu %*lld %*.3f %*.3f %*.3f %*llu",
		  w[TC_STRATEGY], job_accept_name(r->strategy), w[TC_PER], per, w[TC_FAIR], r->fairness,
		  w[TC_MAXMIN], r->max_min, w[TC_WAKE], r->keepalive ? r->wakeups_per_req : r->wakeups_per_conn,
		  w[TC_EMPTY], (unsigned long long)r->empty, w[TC_EAGAIN], (unsigned long long)r->eagain,
		  w[TC_LOST], (unsigned long long)r->lock_lost, w[TC_QUEUE], (long long)peak,
		  w[TC_P50], (double)r->load.lat_p50_ns / 1e6, w[TC_P99], (double)r->load.lat_p99_ns / 1e6,
		  w[TC_MAX], (double)r->load.lat_max_ns / 1e6, w[TC_FAILED],
		  (unsigned long long)(r->load.failed + r->load.timed_out));
	/* TRANSLATORS: after a row of the contest's table: the run did not end cleanly (keep the two spaces). */
	sb_printf(b, "%s\n", r->clean ? "" : _("  NOT clean"));
	if (r->error[0])
		sb_printf(b, "%*s%s\n", w[TC_STRATEGY] + 1, "", r->error);
}

/* The strategy with the best value of a figure among the clean results (lower is better unless higher). */
static const char *
best_of(const struct contest_result *rs, int n, double (*fig)(const struct contest_result *), int higher)
{
	int best = -1;

	for (int i = 0; i < n; i++) {
		/* A strategy that lost requests wins nothing: its figures leave those out. */
		if (!rs[i].clean || rs[i].accepted == 0 || rs[i].load.failed + rs[i].load.timed_out > 0)
			continue;
		if (best < 0 || (higher ? fig(&rs[i]) > fig(&rs[best]) : fig(&rs[i]) < fig(&rs[best])))
			best = i;
	}
	return best < 0 ? NULL : job_accept_name(rs[best].strategy);
}

/* A figure the summary compares: the fairness (higher is better). */
static double
fig_fair(const struct contest_result *r)
{
	return r->fairness;
}

/* A figure the summary compares: wake-ups per connection, or per request with keep-alive (lower is better). */
static double
fig_wake(const struct contest_result *r)
{
	return r->keepalive ? r->wakeups_per_req : r->wakeups_per_conn;
}

/* A figure the summary compares: the p99 latency (lower is better). */
static double
fig_p99(const struct contest_result *r)
{
	return (double)r->load.lat_p99_ns;
}

/* The summary: which strategy was best at what, and whether every run was clean. */
static void
summary(struct strbuf *b, const struct contest_result *rs, int n, int json)
{
	static const struct {
		const char *key, *label;
		double (*fig)(const struct contest_result *);
		int higher;
	} best[] = {
		/* TRANSLATORS: the contest's summary lines: "LABEL: STRATEGY" (the strategy that did best). */
		{ "fairest", N_("fairest"), fig_fair, 1 },
		{ "fewest_wakeups", N_("fewest wake-ups per connection (per request with keep-alive)"), fig_wake, 0 },
		{ "lowest_p99", N_("lowest p99 latency"), fig_p99, 0 },
	};
	int clean = 1;

	for (int i = 0; i < n; i++)
		clean &= rs[i].clean;
	sb_reset(b);
	if (json) {
		sb_add(b, "{\"type\":\"contest_summary\",\"strategies\":[");
		for (int i = 0; i < n; i++)
			sb_printf(b, "%s\"%s\"", i ? "," : "", job_accept_name(rs[i].strategy));
		sb_add(b, "]");
		for (size_t k = 0; k < ARRAY_LEN(best); k++) {
			const char *s = best_of(rs, n, best[k].fig, best[k].higher);

			sb_printf(b, ",\"%s\":", best[k].key);
			if (s)
				sb_printf(b, "\"%s\"", s);
			else
				sb_add(b, "null");
		}
		sb_printf(b, ",\"clean\":%s}\n", clean ? "true" : "false");
		return;
	}
	for (size_t k = 0; k < ARRAY_LEN(best); k++) {
		const char *s = best_of(rs, n, best[k].fig, best[k].higher);

		sb_printf(b, "%s: %s\n", _(best[k].label), s ? s : "-");
	}
	sb_printf(b, "%s\n", clean ? _("every run clean: no record lost, nothing left behind")
				    : _("NOT every run was clean (see the rows marked)"));
}

/* The headless contest: its output as it comes, and the signals that end it. */
struct headless_contest {
	struct contest *c;
	struct strbuf b;
	int json;
	int sigfd;
	int interrupted;
};

/* A strategy's progress (--json only: the screen's live row) or result, printed as it comes. */
static void
print_event(void *ctx, int ev, const struct contest_result *r, uint64_t elapsed_ns)
{
	struct headless_contest *h = ctx;

	if (ev == CONTEST_FINISHED || (ev == CONTEST_PROGRESS && !h->json))
		return;
	sb_reset(&h->b);
	if (h->json) {
		contest_json(&h->b, r, ev == CONTEST_PROGRESS, elapsed_ns);
		sb_add(&h->b, "\n");
	} else {
		contest_text_row(&h->b, r);
	}
	fwrite(h->b.s, 1, h->b.len, stdout);
	fflush(stdout);
}

/* SIGINT, SIGTERM, SIGHUP end the contest (the strategy that runs ends cleanly); SIGCHLD reaps. */
static void
on_signal(void *arg, uint32_t events)
{
	struct headless_contest *h = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->sigfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo != SIGCHLD && !h->interrupted) {
			h->interrupted = (int)si.ssi_signo;
			contest_interrupt(h->c);
		}
	}
	contest_reap(h->c);
}

/* `epollviz --headless contest [OPTIONS]`: rows or JSON as each strategy ends; the exit status. */
int
contest_main(int argc, char **argv)
{
	static const int sigs[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };
	struct headless_contest h;
	struct contest_opts o;
	const struct contest_result *rs;
	struct loop *loop;
	char err[512];
	int help, n, clean = 1;

	memset(&h, 0, sizeof h);
	if (contest_args(argc, argv, &o, &h.json, &help, err, sizeof err) < 0) {
		fprintf(stderr, "epollviz: %s\n%s", err, contest_usage());
		return 2;
	}
	if (help) {
		fputs(contest_usage(), stdout);
		return 0;
	}
	if (o.record_dir[0]) {
		struct stat st;

		if (stat(o.record_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			fprintf(stderr, _("epollviz: --record-dir %s: not a directory\n"), o.record_dir);
			return 2;
		}
	}
	h.sigfd = sigfd_open(sigs, (int)ARRAY_LEN(sigs), NULL);
	loop = loop_new();
	if (h.sigfd < 0 || loop == NULL) {
		fprintf(stderr, "epollviz: %s\n", strerror(errno));
		return 1;
	}
	sb_init(&h.b);
	if (!h.json) {
		contest_text_header(&h.b, &o);
		fwrite(h.b.s, 1, h.b.len, stdout);
		fflush(stdout);
	}
	h.c = contest_new(&o, loop, print_event, &h);
	loop_add(loop, h.sigfd, EPOLLIN, on_signal, &h);
	while (!contest_done(h.c))
		loop_run_once(loop, -1);
	rs = contest_results(h.c, &n);
	for (int i = 0; i < n; i++)
		clean &= rs[i].clean;
	summary(&h.b, rs, n, h.json);
	fwrite(h.b.s, 1, h.b.len, stdout);
	fflush(stdout);
	contest_free(h.c);
	loop_free(loop);
	close(h.sigfd);
	sb_free(&h.b);
	if (h.interrupted)
		return 128 + h.interrupted;
	return clean && n == o.nstrategies ? 0 : 1;
}
