/*
 * sampler.c - /proc and sock_diag samplers of a run (see sampler.h).
 * Reads /proc/PID/stat, /proc/PID/syscall and /proc/PID/status of the
 * run's own processes only, and the listening sockets of the run's ports.
 */
#include "sampler.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kcheck.h"
#include "kview.h"
#include "loop.h"
#include "paths.h"
#include "proctab.h"
#include "run.h"
#include "sockdiag.h"
#include "untraced.h"
#include "util.h"

#define SAMPLER_QUEUE_NS (100ull * 1000000)  /* accept queues polled this often while anything happens */
#define SAMPLER_QUEUE_IDLE_NS (1000ull * 1000000) /* and backing off to this while nothing does */
#define SAMPLER_READY_NS (50ull * 1000000)   /* a process that became ready sleeps by then */
#define SAMPLER_KREAD_NS (400ull * 1000000)  /* two kernel readings are at least this far apart */
#define SAMPLER_MAX_LISTENERS 16             /* sockets of one port asked of sock_diag */
#define SAMPLER_UNTRACED_NS (500ull * 1000000) /* silent this long after it was first seen: untraced */

/* Start with no timers, every queue length unknown and an empty kernel reading. */
void
sampler_init(struct sampler *s, struct loop *loop, struct run *run, const struct model *m)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->run = run;
	s->m = m;
	for (int i = 0; i < M_MAX_LISTEN; i++)
		s->last_qlen[i] = -1;
	ksnap_init(&s->ks);
}

/* Mark the sampler stopping, cancel its timers and free the kernel reading. */
void
sampler_done(struct sampler *s)
{
	s->stopping = 1;
	if (s->queue_timer)
		loop_timer_cancel(s->loop, s->queue_timer);
	if (s->wake_timer)
		loop_timer_cancel(s->loop, s->wake_timer);
	s->queue_timer = s->wake_timer = 0;
	ksnap_free(&s->ks);
}

/* A timer id as the sampler keeps it: 0 when the loop had no timer left (-1), so it is armed again later. */
static int
arm(int id)
{
	return id > 0 ? id : 0;
}

/*
 * The accept queue of listening socket l: its own when the trace gave its
 * inode, else the sum over the sockets on its port (reuseport: several);
 * -1 when sock_diag finds none, or l is closed.
 */
static int64_t
listen_queue(const struct m_listen *l)
{
	struct listener ls[SAMPLER_MAX_LISTENERS];
	int n = l->port > 0 && model_listen_open(l) ? sockdiag_listeners(l->port, ls, SAMPLER_MAX_LISTENERS) : -1;
	int64_t sum = -1;

	for (int i = 0; i < n; i++)
		if (l->inode == 0 || ls[i].inode == l->inode)
			sum = (sum < 0 ? 0 : sum) + ls[i].qlen;
	return sum;
}

/* The sum of the accept queues of the model's open listening sockets, or -1 if none answered. */
int64_t
sampler_queue_total(const struct sampler *s)
{
	int64_t total = -1;

	for (int i = 0; i < s->m->nlistens; i++) {
		int64_t q = listen_queue(&s->m->listens[i]);

		if (q >= 0)
			total = (total < 0 ? 0 : total) + q;
	}
	return total;
}

/* Is pid asleep in accept(2) or accept4(2) (a blocking listening socket)?  Its fd in *fd. */
int
sampler_in_accept(int pid, int *fd)
{
	long arg0 = -1, nr = proctab_syscall_arg0(pid, &arg0);
	struct proc_row row;

#ifdef SYS_accept
	if (nr == SYS_accept)
		nr = SYS_accept4;
#endif
	if (nr != SYS_accept4 || proctab_read_stat(pid, &row) < 0 || row.state != 'S')
		return 0;
	if (fd)
		*fd = (int)arg0;
	return 1;
}

/* An asleep record for every job process found asleep in accept that the model does not know of yet. */
void
sampler_asleep(struct sampler *s)
{
	uint32_t pids[M_MAX_PROCS];
	int n = 0, fd;

	for (int i = 0; i < s->m->nprocs; i++) {
		const struct m_proc *p = &s->m->procs[i];

		if (p->alive && model_is_job(p) && !p->in_wait && !p->asleep && sampler_in_accept((int)p->pid, NULL))
			pids[n++] = p->pid;
	}
	if (n == 0)
		return;
	/* It wrote its records before it slept: apply them first. */
	run_drain(s->run);
	for (int i = 0; i < n; i++) {
		const struct m_proc *p = model_proc(s->m, pids[i]);
		struct trace_rec r;
		long nr;

		if (p == NULL || !p->alive || p->in_wait || p->asleep || !sampler_in_accept((int)p->pid, &fd))
			continue;
		nr = proctab_syscall((int)p->pid);
		trace_rec_init(&r, TR_ASLEEP);
		r.of = (int32_t)p->pid;
		r.nr = (int32_t)nr;
		r.fd = fd;
		r.holding = model_sem_held_by(s->m, p->pid) != NULL;
		proctab_wchan((int)p->pid, r.text, sizeof r.text);
		run_emit(s->run, &r);
	}
}

/* One poll of every open listening socket: an accept_queue record for each that changed. */
static void
poll_queues(void *arg)
{
	struct sampler *s = arg;
	const struct m_job *fg = model_fg_job(s->m);
	int changed = s->m->records != s->queue_records;

	s->queue_timer = 0;
	if (s->stopping || (fg && fg->state == MJOB_DONE))
		return;
	for (int i = 0; i < s->m->nlistens; i++) {
		const struct m_listen *l = &s->m->listens[i];
		int64_t q = listen_queue(l);
		struct trace_rec r;

		if (q < 0 || q == s->last_qlen[i])
			continue;
		trace_rec_init(&r, TR_ACCEPTQ);
		r.port = l->port;
		r.inode = l->inode;
		r.qlen = (uint64_t)q;
		r.backlog = l->backlog;
		run_emit(s->run, &r);
		s->last_qlen[i] = q;
		changed = 1;
	}
	sampler_asleep(s);
	/* epollviz's own roles always trace: only a program's run can hold a silent process. */
	if (run_is_program(s->run))
		sampler_untraced(s);
	/*
	 * Every 100 ms while records come or a queue moves; while nothing
	 * happens, twice as long each time up to a second (an idle screen
	 * sleeps: a queue that grows with nobody accepting is seen within it).
	 */
	s->queue_records = s->m->records;
	if (changed)
		s->queue_ns = SAMPLER_QUEUE_NS;
	else if ((s->queue_ns *= 2) > SAMPLER_QUEUE_IDLE_NS)
		s->queue_ns = SAMPLER_QUEUE_IDLE_NS;
	s->queue_timer = arm(loop_timer(s->loop, now_ns() + s->queue_ns, poll_queues, s));
}

/* Is pid running this very binary (the session's child between its fork and its exec)? */
static int
is_self(int pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	return stat(path, &a) == 0 && stat("/proc/self/exe", &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* The entry of pid among the silent processes, added (first seen now) if new; NULL when full. */
static int
unknown_slot(struct sampler *s, int pid, uint64_t now)
{
	for (int i = 0; i < s->nunk; i++)
		if (s->unk[i].pid == pid)
			return i;
	if (s->nunk == SAMPLER_MAX_UNTRACED)
		return -1;
	s->unk[s->nunk].pid = pid;
	s->unk[s->nunk].seen = now;
	s->unk[s->nunk].reported = 0;
	return s->nunk++;
}

/* Name every process of the session that has been silent too long, once, with why. */
void
sampler_untraced(struct sampler *s)
{
	struct proc_row rows[SAMPLER_MAX_UNTRACED * 2];
	int sid = (int)run_session_pid(s->run), n, first = 1;
	uint64_t now = now_ns();

	if (sid <= 0 || now - s->untraced_at < SAMPLER_UNTRACED_NS / 2)
		return;
	s->untraced_at = now;
	n = proctab_scan(proctab_in_session, &sid, rows, (int)ARRAY_LEN(rows));
	for (int i = 0; i < n; i++) {
		const struct m_proc *p = model_proc(s->m, (uint32_t)rows[i].pid);
		struct trace_rec r;
		int k;

		if (rows[i].pid == sid || (p && (p->started || p->untraced)) || rows[i].state == 'Z' ||
		    is_self(rows[i].pid))
			continue;
		k = unknown_slot(s, rows[i].pid, now);
		if (k < 0 || s->unk[k].reported || now - s->unk[k].seen < SAMPLER_UNTRACED_NS)
			continue;
		if (first) {
			/* Its proc_start may be in the pipe still. */
			run_drain(s->run);
			first = 0;
		}
		p = model_proc(s->m, (uint32_t)rows[i].pid);
		if (p && p->started)
			continue;
		s->unk[k].reported = 1;
		trace_rec_init(&r, TR_UNTRACED);
		r.of = rows[i].pid;
		r.why = untraced_why(rows[i].pid, PATHS_PRELOAD_NAME);
		trace_rec_set_text(&r, rows[i].comm);
		run_emit(s->run, &r);
	}
}

/* Arm the accept queue poll, unless it is armed already or stopping. */
void
sampler_watch_queues(struct sampler *s)
{
	s->queue_ns = SAMPLER_QUEUE_NS;
	if (s->queue_timer == 0 && !s->stopping)
		s->queue_timer = arm(loop_timer(s->loop, now_ns() + SAMPLER_QUEUE_NS, poll_queues, s));
}

/* Is pid asleep inside epoll_wait (the only moment a first sample is clean)? */
static int
in_epoll_wait(int pid)
{
	long nr = proctab_syscall(pid);

#ifdef SYS_epoll_wait
	if (nr == SYS_epoll_wait)
		return 1;
#endif
#ifdef SYS_epoll_pwait2
	if (nr == SYS_epoll_pwait2)
		return 1;
#endif
	return nr == SYS_epoll_pwait;
}

/* A process whose wake-ups are worth sampling: alive, and it waits in epoll_wait. */
static int
waits_in_epoll(const struct m_proc *p)
{
	return p->alive && model_is_job(p) && (p->returns > 0 || p->in_wait);
}

/* Emit a sched record for each job asleep in epoll_wait whose sleep count moved. */
void
sampler_wakes(struct sampler *s)
{
	struct {
		uint32_t pid;
		uint64_t t, vol, invol;
	} got[M_MAX_PROCS];
	int n = 0;

	for (int i = 0; i < s->m->nprocs; i++) {
		const struct m_proc *p = &s->m->procs[i];
		struct proc_row a, b;
		unsigned long long vol, invol;
		uint64_t when;

		if (!waits_in_epoll(p))
			continue;
		if (!p->wake.sampled && !in_epoll_wait((int)p->pid))
			continue;
		if (proctab_read_stat((int)p->pid, &a) < 0 || a.state != 'S')
			continue;
		when = now_ns();
		if (proctab_ctxsw((int)p->pid, &vol, &invol) < 0)
			continue;
		if (proctab_read_stat((int)p->pid, &b) < 0 || b.state != 'S')
			continue;
		if (p->wake.sampled && vol == p->wake.vol)
			continue;
		got[n].pid = p->pid;
		got[n].t = when;
		got[n].vol = vol;
		got[n].invol = invol;
		n++;
	}
	if (n == 0)
		return;
	/* Asleep, each had written every record before it slept: apply them first. */
	run_drain(s->run);
	for (int i = 0; i < n; i++) {
		struct trace_rec r;

		trace_rec_init(&r, TR_SCHED);
		r.ts_ns = got[i].t;
		r.of = (int32_t)got[i].pid;
		r.voluntary = got[i].vol;
		r.involuntary = (int32_t)got[i].invol;
		run_emit(s->run, &r);
	}
}

/* The deferred wake-up sample. */
static void
wake_due(void *arg)
{
	struct sampler *s = arg;

	s->wake_timer = 0;
	sampler_wakes(s);
}

/* Run sink: on a ready record, arm a wake-up sample SAMPLER_READY_NS later. */
void
sampler_note(void *arg, const struct trace_rec *r)
{
	struct sampler *s = arg;

	if (s->loop == NULL)
		return; /* not started yet */
	/* A process's first wake-up sample, as soon as it sleeps in epoll_wait. */
	if (r->type == TR_READY && s->wake_timer == 0 && !s->stopping)
		s->wake_timer = arm(loop_timer(s->loop, now_ns() + SAMPLER_READY_NS, wake_due, s));
}

/* Emit sched for every live job process, then settled with the queue total. */
void
sampler_settled(struct sampler *s, int nprocs)
{
	struct trace_rec r;
	int64_t q = sampler_queue_total(s);

	sampler_asleep(s);
	/* How often each process has slept: the kernel's own count of its wake-ups. */
	for (int i = 0; i < s->m->nprocs; i++) {
		const struct m_proc *p = &s->m->procs[i];
		unsigned long long vol, invol;

		if (!p->alive || !model_is_job(p) || proctab_ctxsw((int)p->pid, &vol, &invol) < 0)
			continue;
		trace_rec_init(&r, TR_SCHED);
		r.of = (int32_t)p->pid;
		r.voluntary = vol;
		r.involuntary = (int32_t)invol;
		run_emit(s->run, &r);
	}
	trace_rec_init(&r, TR_SETTLED);
	r.qlen = q < 0 ? 0 : (uint64_t)q;
	r.processes = nprocs;
	run_emit(s->run, &r);
}

/* The live job processes of the model, into pids; returns how many. */
static int
job_pids(const struct model *m, int *pids)
{
	int n = 0;

	for (int i = 0; i < m->nprocs; i++)
		if (m->procs[i].alive && model_is_job(&m->procs[i]))
			pids[n++] = (int)m->procs[i].pid;
	return n;
}

/* Drain the pipe, read the jobs' epoll state from the kernel and emit the check. */
void
sampler_inspect(struct sampler *s)
{
	int pids[M_MAX_PROCS], n;
	struct kview kv;

	run_drain(s->run);
	n = job_pids(s->m, pids);
	kview_read(&kv, pids, n, 0);
	kcheck(s->m, &kv, run_sink, s->run);
	kview_free(&kv);
}

/* Refresh s->ks from the kernel, at most once per SAMPLER_KREAD_NS. */
void
sampler_kernel(struct sampler *s)
{
	int pids[M_MAX_PROCS], n;

	if (s->ks.have && now_ns() - s->ks.read_at < SAMPLER_KREAD_NS)
		return;
	run_drain(s->run); /* the model as current as the pipe allows */
	n = job_pids(s->m, pids);
	ksnap_read(&s->ks, pids, n, 0, s->m);
}
