/*
 * wakes.c - wake-ups per echo worker (see wakes.h).  Reads /proc/PID/stat,
 * /proc/PID/syscall and /proc/PID/status of the run's own workers only.
 */
#include "wakes.h"

#include <string.h>
#include <sys/syscall.h>

#include "../src/proctab.h"
#include "../src/run.h"
#include "../src/util.h"

/* Start with no process. */
void
wakes_init(struct wakes *ws)
{
	memset(ws, 0, sizeof *ws);
}

/* The tracker of pid, created when there is room. */
static struct wake_track *
track(struct wakes *ws, uint32_t pid)
{
	for (int i = 0; i < ws->n; i++)
		if (ws->t[i].w.pid == pid)
			return &ws->t[i];
	if (ws->n == VIEW_MAX_WAKES)
		return NULL;
	memset(&ws->t[ws->n], 0, sizeof ws->t[0]);
	ws->t[ws->n].w.pid = pid;
	return &ws->t[ws->n++];
}

/* Returns of t stamped at or before ts. */
static uint64_t
returns_by(const struct wake_track *t, uint64_t ts)
{
	uint64_t later = 0;
	unsigned n = t->nrecent < WAKE_RECENT ? t->nrecent : WAKE_RECENT;

	for (unsigned i = 0; i < n; i++)
		later += t->recent[i] > ts;
	return t->w.returns - later;
}

/* Count a return, or take a sample. */
void
wakes_note(struct wakes *ws, const struct model *m, const struct trace_rec *r)
{
	struct wake_track *t;

	if (r->type == TR_WAIT_RETURN && model_is_echo(model_proc(m, r->pid)) && (t = track(ws, r->pid))) {
		t->w.returns++;
		t->recent[t->nrecent++ % WAKE_RECENT] = r->ts_ns;
	} else if (r->type == TR_SCHED && model_is_echo(model_proc(m, (uint32_t)r->pid2)) &&
		   (t = track(ws, (uint32_t)r->pid2))) {
		uint64_t ret = returns_by(t, r->ts_ns);

		if (!t->w.sampled) {
			t->w.sampled = 1;
			t->w.vol0 = r->val;
			t->w.ret0 = ret;
		}
		t->w.vol = r->val;
		t->w.ret = ret;
	}
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

/* Sample the workers that sleep now, then emit what changed. */
void
wakes_sample(struct wakes *ws, struct run *run, const struct model *m)
{
	struct {
		uint32_t pid;
		uint64_t t, vol, invol;
	} s[VIEW_MAX_WAKES];
	int ns = 0;

	for (int i = 0; i < m->nprocs && ns < VIEW_MAX_WAKES; i++) {
		const struct m_proc *p = &m->procs[i];
		struct wake_track *t;
		struct proc_row a, b;
		unsigned long long vol, invol;
		uint64_t when;

		if (!p->alive || !model_is_echo(p) || (t = track(ws, p->pid)) == NULL)
			continue;
		if (!t->w.sampled && !in_epoll_wait((int)p->pid))
			continue;
		if (proctab_read_stat((int)p->pid, &a) < 0 || a.state != 'S')
			continue;
		when = now_ns();
		if (proctab_ctxsw((int)p->pid, &vol, &invol) < 0)
			continue;
		if (proctab_read_stat((int)p->pid, &b) < 0 || b.state != 'S')
			continue;
		if (t->w.sampled && vol == t->w.vol)
			continue;
		s[ns].pid = p->pid;
		s[ns].t = when;
		s[ns].vol = vol;
		s[ns].invol = invol;
		ns++;
	}
	if (ns == 0)
		return;
	/* Asleep, each had written every record before it slept: apply them first. */
	run_drain(run);
	for (int i = 0; i < ns; i++) {
		struct trace_rec r;

		trace_rec_init(&r, TR_SCHED);
		r.ts_ns = s[i].t;
		r.pid2 = (int32_t)s[i].pid;
		r.val = s[i].vol;
		r.arg = (int32_t)s[i].invol;
		run_emit(run, &r);
	}
}

/* The counts, for struct view. */
const struct wake *
wakes_view(struct wakes *ws, int *n)
{
	for (int i = 0; i < ws->n; i++)
		ws->out[i] = ws->t[i].w;
	*n = ws->n;
	return ws->out;
}
