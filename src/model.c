/*
 * model.c - applies trace records to the state the panels read (model.h).
 * Pure: no I/O, no clock.  Everything here must stay cheap per record:
 * the front end applies over a million records a second.
 *
 * model_apply dispatches through one table (appliers, at the end): per
 * record type, the function that applies it and whether the Story keeps it.
 */
#include "model.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "util.h"

/* ---- the model ---------------------------------------------------------- */

/* An empty model. */
struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);

	m->fg_pgid = -1;
	m->accept_queue = -1;
	m->next_inst_id = 1;
	return m;
}

/* Free the model and everything it grew. */
void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->nprocs; i++)
		free(m->procs[i].fds);
	for (int i = 0; i < m->ninst; i++) {
		free(m->inst[i].w);
		free(m->inst[i].slot);
	}
	free(m->conns);
	free(m);
}

/* ---- processes and their fd tables ------------------------------------------ */

/* The process pid, or NULL. */
struct m_proc *
model_proc(const struct model *m, uint32_t pid)
{
	for (int i = m->nprocs - 1; i >= 0; i--)
		if (m->procs[i].pid == pid)
			return (struct m_proc *)&m->procs[i];
	return NULL;
}

/* The process for a record, created on first sight; NULL when the table is full of live ones. */
static struct m_proc *
proc_get(struct model *m, uint32_t pid)
{
	struct m_proc *p;

	if (m->proc_hint < m->nprocs && m->procs[m->proc_hint].pid == pid)
		return &m->procs[m->proc_hint];
	p = model_proc(m, pid);
	if (p) {
		m->proc_hint = (int)(p - m->procs);
		return p;
	}
	if (m->nprocs == M_MAX_PROCS) {
		/* Reuse the oldest dead slot; a run never has this many live ones. */
		for (int i = 0; i < m->nprocs; i++) {
			if (!m->procs[i].alive) {
				free(m->procs[i].fds);
				memmove(&m->procs[i], &m->procs[i + 1],
					(size_t)(m->nprocs - i - 1) * sizeof m->procs[0]);
				m->nprocs--;
				break;
			}
		}
		if (m->nprocs == M_MAX_PROCS)
			return NULL;
	}
	p = &m->procs[m->nprocs++];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->alive = 1;
	p->role = -1;
	return p;
}

/* The fd table entry of fd, or NULL when unknown. */
const struct m_fd *
model_fd(const struct m_proc *p, int fd)
{
	if (p == NULL || fd < 0 || fd >= p->capfds || p->fds[fd].kind == FDK_UNKNOWN)
		return NULL;
	return &p->fds[fd];
}

/* Is l open: held by a live process, or seen only by sock_diag (which finds open sockets)? */
int
model_listen_open(const struct m_listen *l)
{
	return l->holders > 0 || l->sockets == 0;
}

/* The accept queue: the sum over the open listening sockets that reported one, or -1. */
static void
queue_sum(struct model *m)
{
	int64_t sum = -1;

	for (int i = 0; i < m->nlistens; i++) {
		const struct m_listen *l = &m->listens[i];

		if (l->qlen >= 0 && model_listen_open(l))
			sum = (sum < 0 ? 0 : sum) + l->qlen;
	}
	m->accept_queue = sum;
}

/* Let go of the object behind an fd that is closed or whose process ended. */
static void
fd_release(struct model *m, struct m_fd *f)
{
	/* The last holder gone: the socket is closed, its queue no longer counts. */
	if (f->kind == FDK_LISTEN && f->obj > 0 && f->obj <= m->nlistens &&
	    --m->listens[f->obj - 1].holders == 0)
		queue_sum(m);
	f->kind = FDK_UNKNOWN;
	f->obj = 0;
	f->conn = 0;
}

/* Set fd's entry (an fd number reused lets go of what it named before). */
static struct m_fd *
pfd_set(struct model *m, struct m_proc *p, int fd, int kind, int port)
{
	if (fd < 0 || fd > (1 << 20))
		return NULL;
	if (fd >= p->capfds) {
		int n = p->capfds ? p->capfds : 16;

		while (n <= fd)
			n *= 2;
		p->fds = xreallocarray(p->fds, (size_t)n, sizeof *p->fds);
		memset(p->fds + p->capfds, 0, (size_t)(n - p->capfds) * sizeof *p->fds);
		p->capfds = n;
	}
	fd_release(m, &p->fds[fd]);
	p->fds[fd].kind = kind;
	p->fds[fd].port = port;
	return &p->fds[fd];
}

static struct m_conn *conn_of(struct model *m, struct m_proc *p, int fd);
static void conn_close(struct model *m, struct m_conn *c, uint64_t ts);
static void inst_drop_holder(struct model *m, uint32_t pid, int epfd);
static void unwatch_closed(struct model *m, uint32_t pid, int fd);

/*
 * The process is gone: so are its fds (a listening socket it held has one
 * holder less; a connection it had open is closed, as the kernel closes it,
 * at the time of the record that said so; an epoll instance it alone held
 * is gone).
 */
static void
proc_died(struct model *m, struct m_proc *p)
{
	p->alive = 0;
	p->in_wait = 0;
	p->nwait_tids = 0;
	p->asleep = 0;
	for (int fd = 0; fd < p->capfds; fd++) {
		struct m_conn *c = p->fds[fd].kind == FDK_CONN ? conn_of(m, p, fd) : NULL;

		if (c) {
			/* Its connection was its own: the kernel closes it, and its registrations go. */
			conn_close(m, c, m->t_last);
			unwatch_closed(m, p->pid, fd);
		}
		/* Its epoll fds close too: an instance nobody else holds is gone. */
		if (p->fds[fd].kind == FDK_EPOLL)
			inst_drop_holder(m, p->pid, fd);
		if (p->fds[fd].kind != FDK_UNKNOWN)
			fd_release(m, &p->fds[fd]);
	}
	/* A FIFO it watched has no watcher now: not waiting, not open. */
	for (int i = 0; i < m->nfifos; i++) {
		if (m->fifos[i].pid == p->pid) {
			m->fifos[i].state = FIFO_GONE;
			m->fifos[i].fd = -1;
		}
	}
}

/* ---- epoll instances and interest lists ----------------------------------- */

/* The instance that pid holds as epfd, or NULL. */
static struct m_inst *
inst_of(struct model *m, uint32_t pid, int epfd)
{
	for (int i = 0; i < m->ninst; i++)
		for (int h = 0; h < m->inst[i].nholders; h++)
			if (m->inst[i].holders[h].pid == pid && m->inst[i].holders[h].epfd == epfd)
				return &m->inst[i];
	return NULL;
}

/* The instance that pid holds as epfd, or NULL. */
const struct m_inst *
model_inst_of(const struct model *m, uint32_t pid, int epfd)
{
	return inst_of((struct model *)m, pid, epfd);
}

/* pid no longer holds epfd; an instance without holders is gone. */
static void
inst_drop_holder(struct model *m, uint32_t pid, int epfd)
{
	struct m_inst *in = inst_of(m, pid, epfd);

	if (in == NULL)
		return;
	for (int h = 0; h < in->nholders; h++) {
		if (in->holders[h].pid == pid && in->holders[h].epfd == epfd) {
			in->holders[h] = in->holders[--in->nholders];
			break;
		}
	}
	if (in->nholders == 0) {
		int i = (int)(in - m->inst);

		free(in->w);
		free(in->slot);
		memmove(&m->inst[i], &m->inst[i + 1], (size_t)(m->ninst - i - 1) * sizeof m->inst[0]);
		m->ninst--;
	}
}

/* A new instance, held by pid as epfd. */
static void
inst_new(struct model *m, uint32_t pid, int epfd)
{
	struct m_inst *in;

	inst_drop_holder(m, pid, epfd); /* an fd number reused */
	if (m->ninst == M_MAX_INST)
		return;
	in = &m->inst[m->ninst++];
	memset(in, 0, sizeof *in);
	in->id = m->next_inst_id++;
	in->creator = pid;
	in->holders[0].pid = pid;
	in->holders[0].epfd = epfd;
	in->nholders = 1;
}

/* A slot for data in a table of n (a power of two) slots: where its probe starts. */
static int
slot_hash(uint64_t data, int n)
{
	return (int)((data * 0x9E3779B97F4A7C15ull) >> 40) & (n - 1);
}

/* Build in's index of w by data (at least twice as many slots as entries; the first entry of a data wins). */
static void
watch_index(struct m_inst *in)
{
	int n = 16;

	while (n < 2 * in->nw)
		n *= 2;
	if (n > in->capslot) {
		in->slot = xreallocarray(in->slot, (size_t)n, sizeof *in->slot);
		in->capslot = n;
	}
	memset(in->slot, 0, (size_t)n * sizeof *in->slot);
	in->nslot = n;
	for (int k = 0; k < in->nw; k++) {
		int h = slot_hash(in->w[k].data, n);

		while (in->slot[h] != 0 && in->w[in->slot[h] - 1].data != in->w[k].data)
			h = (h + 1) & (n - 1);
		if (in->slot[h] == 0)
			in->slot[h] = k + 1;
	}
}

/* The first entry of in whose data is data, or -1: what a pair of epoll_wait names. */
static int
watch_of_data(struct m_inst *in, uint64_t data)
{
	int h;

	if (in->nslot == 0)
		watch_index(in);
	for (h = slot_hash(data, in->nslot); in->slot[h] != 0; h = (h + 1) & (in->nslot - 1))
		if (in->w[in->slot[h] - 1].data == data)
			return in->slot[h] - 1;
	return -1;
}

/* The entry of (fd, owner) in an interest list, or -1. */
static int
watch_find(const struct m_inst *in, int fd, uint32_t owner)
{
	for (int i = 0; i < in->nw; i++)
		if (in->w[i].fd == fd && in->w[i].owner == owner)
			return i;
	return -1;
}

/* epoll_create: a new instance, and the fd that names it. */
static void
apply_create(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	if (r->ret < 0)
		return;
	inst_new(m, r->pid, (int)r->ret);
	pfd_set(m, p, (int)r->ret, FDK_EPOLL, 0);
}

static void fifo_stale_use(struct model *m, const struct m_proc *p, const struct trace_rec *r);

/* epoll_ctl: one that succeeded edits the interest list (ADD, MOD, DEL); EBADF on a stale FIFO fd is counted. */
static void
apply_ctl(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_inst *in = inst_of(m, r->pid, r->epfd);
	int i;

	fifo_stale_use(m, p, r);
	if (in == NULL || r->ret != 0)
		return;
	i = watch_find(in, r->fd, r->pid);
	/*
	 * A MOD or DEL that succeeded found its entry: if this pid did not add
	 * it, the fd is one it inherited from the pid that did (same file).
	 */
	if (i < 0 && r->op != EPOLL_CTL_ADD) {
		for (int k = 0; k < in->nw && i < 0; k++)
			if (in->w[k].fd == r->fd)
				i = k;
	}
	switch (r->op) {
	case EPOLL_CTL_ADD:
		if (i < 0) {
			if (in->nw == in->capw) {
				in->capw = in->capw ? in->capw * 2 : 8;
				in->w = xreallocarray(in->w, (size_t)in->capw, sizeof *in->w);
			}
			i = in->nw++;
			in->w[i].owner = r->pid;
		}
		/* fallthrough */
	case EPOLL_CTL_MOD:
		if (i < 0)
			return;
		in->w[i].fd = r->fd;
		in->w[i].events = r->events;
		if (r->op == EPOLL_CTL_ADD || in->w[i].data != r->data)
			in->nslot = 0;
		in->w[i].data = r->data;
		break;
	case EPOLL_CTL_DEL:
		if (i >= 0) {
			in->w[i] = in->w[--in->nw];
			in->nslot = 0;
		}
		break;
	}
}

/* Closing an fd removes its registrations (the file had no other reference). */
static void
unwatch_closed(struct model *m, uint32_t pid, int fd)
{
	for (int k = 0; k < m->ninst; k++) {
		struct m_inst *in = &m->inst[k];
		int i = watch_find(in, fd, pid);

		if (i >= 0) {
			in->w[i] = in->w[--in->nw];
			in->nslot = 0;
			in->closed_out++;
		}
	}
}

/* ---- the epoll_wait timeline ---------------------------------------------- */

/* Entry k back from the newest (k below the kept count). */
static struct m_wait *
entry_back(struct model *m, uint64_t k)
{
	return &m->timeline[(m->ntimeline - 1 - k) % M_TIMELINE];
}

/* How many timeline entries the ring keeps now. */
static uint64_t
wait_kept(const struct model *m)
{
	return m->ntimeline < M_TIMELINE ? m->ntimeline : M_TIMELINE;
}

/* Are a and b the same return of the same process (result and every pair)? */
static int
wait_same(const struct m_wait *a, const struct m_wait *b)
{
	if (a->pid != b->pid || a->epfd != b->epfd || a->ret != b->ret || a->err != b->err ||
	    a->npairs != b->npairs || a->outcome != b->outcome || a->naccepted != b->naccepted)
		return 0;
	for (int i = 0; i < a->npairs; i++)
		if (a->pairs[i].events != b->pairs[i].events || a->pairs[i].data != b->pairs[i].data)
			return 0;
	return 1;
}

/* Does entry b fold into the line that a ends?  A storm ends its line. */
int
model_wait_folds(const struct m_wait *a, const struct m_wait *b)
{
	return a && b && !a->storm && wait_same(a, b);
}

/*
 * Put entry e into the timeline in time order: a process's records come in
 * its own order, but another one's may come later than they happened (each
 * process flushes its trace when it blocks), so e goes before the newest
 * entries that are younger than it.  Counts the lines this makes or splits.
 */
static void
wait_insert(struct model *m, const struct m_wait *e)
{
	uint64_t lim = wait_kept(m) < M_WAIT_LATE ? wait_kept(m) : M_WAIT_LATE;
	uint64_t k = 0;
	const struct m_wait *prev, *next;

	while (k < lim && entry_back(m, k)->ts > e->ts)
		k++;
	m->ntimeline++;
	for (uint64_t j = 0; j < k; j++)
		*entry_back(m, j) = *entry_back(m, j + 1);
	*entry_back(m, k) = *e;
	prev = k + 1 < wait_kept(m) ? entry_back(m, k + 1) : NULL;
	next = k > 0 ? entry_back(m, k - 1) : NULL;
	m->nwait_lines += 1;
	m->nwait_lines -= (uint64_t)model_wait_folds(prev, e) + (uint64_t)model_wait_folds(e, next);
	m->nwait_lines += (uint64_t)model_wait_folds(prev, next);
}

/* The newest kept entry of (pid, epfd) among the last M_WAIT_LATE, or NULL. */
static struct m_wait *
newest_of(struct model *m, uint32_t pid, int epfd)
{
	uint64_t lim = wait_kept(m) < M_WAIT_LATE ? wait_kept(m) : M_WAIT_LATE;

	for (uint64_t k = 0; k < lim; k++) {
		struct m_wait *w = entry_back(m, k);

		if (w->pid == pid && w->epfd == epfd)
			return w;
	}
	return NULL;
}

/*
 * Record what pid did about the listening socket its newest return handed
 * it (enum m_wait_outcome o): the first of semaphore won or lost, then
 * accepted (counted) or EAGAIN; an EAGAIN after accepts ends a drain loop.
 * The lines the change folds or splits are counted again.
 */
static void
wait_outcome(struct model *m, uint32_t pid, int o)
{
	uint64_t lim = wait_kept(m) < M_WAIT_LATE ? wait_kept(m) : M_WAIT_LATE, k;
	struct m_wait *e = NULL, *prev, *next;
	int before;

	for (k = 0; k < lim; k++)
		if ((e = entry_back(m, k))->pid == pid)
			break;
	if (k == lim || e == NULL || e->listen == 0 || e->storm)
		return;
	prev = k + 1 < wait_kept(m) ? entry_back(m, k + 1) : NULL;
	next = k > 0 ? entry_back(m, k - 1) : NULL;
	before = model_wait_folds(prev, e) + model_wait_folds(e, next);
	switch (o) {
	case WO_SEM_WON:
	case WO_SEM_LOST:
		if (e->outcome == WO_NONE)
			e->outcome = o;
		break;
	case WO_ACCEPTED:
		if (e->outcome == WO_NONE || e->outcome == WO_SEM_WON || e->outcome == WO_ACCEPTED) {
			e->outcome = WO_ACCEPTED;
			e->naccepted++;
		}
		break;
	case WO_EAGAIN:
		if (e->outcome == WO_NONE || e->outcome == WO_SEM_WON)
			e->outcome = WO_EAGAIN;
		break;
	}
	m->nwait_lines += (uint64_t)before;
	m->nwait_lines -= (uint64_t)(model_wait_folds(prev, e) + model_wait_folds(e, next));
}

/* Did the return report a hang-up with nothing to read (EPOLLHUP or EPOLLERR without EPOLLIN)? */
static int
hup_only(const struct trace_rec *r)
{
	for (int i = 0; i < r->npairs; i++)
		if ((r->pairs[i].events & (EPOLLHUP | EPOLLERR)) && !(r->pairs[i].events & EPOLLIN))
			return 1;
	return 0;
}

/*
 * Which threads of p wait in epoll_wait: r's thread enters (add) or returns
 * (remove).  A thread that enters twice without a return counts once, as
 * a single-threaded process always did.
 */
static void
wait_thread(struct m_proc *p, const struct trace_rec *r, int entering)
{
	uint32_t tid = r->tid == r->pid ? 0 : r->tid;
	int k = 0;

	while (k < p->nwait_tids && p->wait_tids[k] != tid)
		k++;
	if (entering && k == p->nwait_tids && k < M_WAIT_THREADS)
		p->wait_tids[p->nwait_tids++] = tid;
	else if (!entering && k < p->nwait_tids)
		p->wait_tids[k] = p->wait_tids[--p->nwait_tids];
	p->in_wait = p->nwait_tids > 0;
}

/* epoll_wait was entered: the process sleeps in it (as far as the trace knows). */
static void
apply_wait_enter(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)m;
	wait_thread(p, r, 1);
	p->wait_epfd = r->epfd;
	p->wait_since = r->ts_ns;
}

/* The FIFOs p watches whose storm this return ends. */
static void
storm_over(struct model *m, const struct m_proc *p)
{
	for (int i = 0; i < m->nfifos; i++) {
		struct m_fifo *f = &m->fifos[i];

		if (f->pid == p->pid && f->state == FIFO_STORM)
			f->state = f->fd >= 0 ? FIFO_OPEN : FIFO_WAITING;
	}
}

/* Which of e's pairs carry the data of a watched listening socket (bit per pair). */
static unsigned
listen_bits(const struct model *m, struct m_inst *in, const struct m_wait *e)
{
	unsigned bits = 0;

	for (int i = 0; in && i < e->npairs; i++) {
		int k = watch_of_data(in, e->pairs[i].data);
		const struct m_fd *f;

		if (k < 0)
			continue;
		f = model_fd(model_proc(m, in->w[k].owner), in->w[k].fd);
		if (f && f->kind == FDK_LISTEN)
			bits |= 1u << i;
	}
	return bits;
}

/* epoll_wait returned: counts, and a timeline entry in its place in time. */
static void
apply_wait_return(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_inst *in = inst_of(m, r->pid, r->epfd);
	struct m_wait e;

	wait_thread(p, r, 0);
	p->returns++;
	p->wake.recent[p->wake.nrecent++ % M_WAKE_RECENT] = r->ts_ns;
	m->returns++;
	if (in)
		in->returns++;
	if (r->ret > 0)
		p->wakeups++;
	if (hup_only(r)) {
		p->hup_returns++;
		p->hup_streak++;
	} else {
		p->hup_streak = 0;
	}
	storm_over(m, p);
	memset(&e, 0, sizeof e);
	e.ts = e.ts_last = r->ts_ns;
	e.pid = r->pid;
	e.epfd = r->epfd;
	e.ret = (int)r->ret;
	e.err = r->err;
	e.npairs = r->npairs < M_WAIT_PAIRS ? r->npairs : M_WAIT_PAIRS;
	memcpy(e.pairs, r->pairs, (size_t)e.npairs * sizeof e.pairs[0]);
	e.count = 1;
	e.listen = listen_bits(m, in, &e);
	wait_insert(m, &e);
}

/* ---- listening sockets and connections ------------------------------------- */

/*
 * The listening socket with inode (when not 0), else the one on (addr,
 * port), created on first sight; NULL when the table is full.
 */
static struct m_listen *
listen_get(struct model *m, const char *addr, int port, uint64_t inode)
{
	struct m_listen *l;

	for (int i = 0; i < m->nlistens; i++) {
		l = &m->listens[i];
		if (inode ? l->inode == inode : l->port == port && strcmp(l->addr, addr) == 0)
			return l;
	}
	if (m->nlistens == M_MAX_LISTEN)
		return NULL;
	l = &m->listens[m->nlistens++];
	memset(l, 0, sizeof *l);
	str_copy(l->addr, addr, sizeof l->addr);
	l->port = port;
	l->inode = inode;
	l->qlen = -1;
	return l;
}

/* fd of p names listening socket l (one more holder). */
static void
listen_hold(struct model *m, struct m_proc *p, int fd, struct m_listen *l)
{
	struct m_fd *f = pfd_set(m, p, fd, FDK_LISTEN, l ? l->port : 0);

	p->listener = 1;
	if (f == NULL || l == NULL)
		return;
	f->obj = (int)(l - m->listens) + 1;
	l->holders++;
}

/* The listening socket behind fd of p, or NULL. */
const struct m_listen *
model_listen_of(const struct model *m, const struct m_proc *p, int fd)
{
	const struct m_fd *f = model_fd(p, fd);

	if (f == NULL || f->kind != FDK_LISTEN || f->obj <= 0 || f->obj > m->nlistens)
		return NULL;
	return &m->listens[f->obj - 1];
}

/* The first listening socket on port, or NULL. */
const struct m_listen *
model_listen_port(const struct model *m, int port)
{
	for (int i = 0; i < m->nlistens; i++)
		if (m->listens[i].port == port)
			return &m->listens[i];
	return NULL;
}

/* listen() that worked: a listening socket (or one more socket of a reuseport port). */
static void
apply_listen(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_listen *l;

	if (r->ret != 0)
		return;
	l = listen_get(m, r->text, r->port, r->inode);
	if (l) {
		if (l->sockets++ == 0)
			l->creator = p->pid;
		l->backlog = r->backlog;
		l->reuseport = (r->flags & LISTEN_REUSEPORT) != 0;
	}
	listen_hold(m, p, r->fd, l);
}

/* The connection fd of p, or NULL. */
static struct m_conn *
conn_of(struct model *m, struct m_proc *p, int fd)
{
	const struct m_fd *f = model_fd(p, fd);
	struct m_conn *c;

	/* The fd table points at the connection: no search on every recv and send. */
	if (f == NULL || f->kind != FDK_CONN || f->conn <= 0 || f->conn > m->nconns)
		return NULL;
	c = &m->conns[f->conn - 1];
	return c->pid == p->pid && c->fd == fd ? c : NULL;
}

/* A connection accepted as r->ret by p. */
static void
conn_open(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_conn *c;
	struct m_fd *f;

	if (m->nconns == m->capconns) {
		m->capconns = m->capconns ? m->capconns * 2 : 32;
		m->conns = xreallocarray(m->conns, (size_t)m->capconns, sizeof *m->conns);
	}
	c = &m->conns[m->nconns++];
	memset(c, 0, sizeof *c);
	c->pid = p->pid;
	c->fd = (int)r->ret;
	c->peer_port = r->port;
	f = pfd_set(m, p, (int)r->ret, FDK_CONN, r->port);
	if (f)
		f->conn = m->nconns;
	m->conns_total++;
}

/* Move an open connection to the ring of closed ones. */
static void
conn_close(struct model *m, struct m_conn *c, uint64_t ts)
{
	c->state = CONN_CLOSED;
	c->ts_close = ts;
	m->closed[m->nclosed++ % M_CLOSED] = *c;
	*c = m->conns[--m->nconns];
	if (c != &m->conns[m->nconns]) {
		/* The last connection moved into this slot: repoint its fd. */
		struct m_proc *q = model_proc(m, c->pid);

		if (q && c->fd >= 0 && c->fd < q->capfds && q->fds[c->fd].kind == FDK_CONN)
			q->fds[c->fd].conn = (int)(c - m->conns) + 1;
	}
}

static void event_add(struct model *m, const struct trace_rec *r);

/*
 * Did p lose the race for a connection: EAGAIN on a listening socket that
 * other processes hold too, with nothing taken since its last epoll_wait
 * return?  (An EAGAIN after a connection taken in the same wake-up is the
 * end of a drain loop; on a socket of its own nobody else could take it.)
 */
static int
accept_lost(const struct m_proc *p, const struct m_listen *l, const struct trace_rec *r)
{
	if (r->ret >= 0 || (r->err != EAGAIN && r->err != EWOULDBLOCK))
		return 0;
	if (l == NULL || l->holders < 2)
		return 0;
	return p->accepted_at != p->returns + 1;
}

/* accept: a connection from the listening socket r->fd, or a failure (a lost race goes in the Story). */
static void
apply_accept(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	const struct m_listen *l = model_listen_of(m, p, r->fd);

	if (r->ret >= 0 || r->err == EAGAIN)
		wait_outcome(m, p->pid, r->ret >= 0 ? WO_ACCEPTED : WO_EAGAIN);
	if (r->ret < 0) {
		p->accept_fail++;
		if (accept_lost(p, l, r)) {
			p->accept_lost++;
			event_add(m, r);
		}
		return;
	}
	p->accepts++;
	p->accepted_at = p->returns + 1;
	if (l)
		m->listens[l - m->listens].accepts++;
	conn_open(m, p, r);
}

/* recv and send: bytes on a connection, and the process's totals. */
static void
apply_io(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_conn *c;

	if (r->ret <= 0)
		return;
	c = conn_of(m, p, r->fd);
	if (r->type == TR_RECV) {
		if (c)
			c->in += (uint64_t)r->ret;
		p->bytes_in += (uint64_t)r->ret;
	} else {
		if (c)
			c->out += (uint64_t)r->ret;
		p->bytes_out += (uint64_t)r->ret;
	}
}

/* The accept queue of a port, sampled by the front end (sock_diag). */
static void
apply_acceptq(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)p;
	/* A port the trace never saw listening: sock_diag found a socket there all the same. */
	if (model_listen_port(m, r->port) == NULL && listen_get(m, "", r->port, r->inode) == NULL)
		return;
	for (int i = 0; i < m->nlistens; i++) {
		struct m_listen *l = &m->listens[i];

		/* One socket's queue when the record names it; else the port's, on each socket of it. */
		if (r->inode ? l->inode == r->inode : l->port == r->port)
			l->qlen = (int64_t)r->qlen;
	}
	queue_sum(m);
}

/* ---- semaphores ---------------------------------------------------------- */

/* The semaphore named name, created on first sight; NULL when the table is full. */
static struct m_sem *
sem_get(struct model *m, const char *name)
{
	struct m_sem *s = (struct m_sem *)model_sem(m, name);

	if (s || m->nsems == M_MAX_SEMS)
		return s;
	s = &m->sems[m->nsems++];
	memset(s, 0, sizeof *s);
	str_copy(s->name, name, sizeof s->name);
	return s;
}

/* The semaphore named name, or NULL. */
const struct m_sem *
model_sem(const struct model *m, const char *name)
{
	for (int i = 0; i < m->nsems; i++)
		if (strcmp(m->sems[i].name, name) == 0)
			return &m->sems[i];
	return NULL;
}

/* pid's entry among s's users, added when there is room. */
static struct m_sem_user *
sem_user(struct m_sem *s, uint32_t pid)
{
	for (int i = 0; i < s->nusers; i++)
		if (s->users[i].pid == pid)
			return &s->users[i];
	if (s->nusers == M_SEM_USERS)
		return NULL;
	memset(&s->users[s->nusers], 0, sizeof s->users[0]);
	s->users[s->nusers].pid = pid;
	return &s->users[s->nusers++];
}

/*
 * The semaphore a trywait or post of p is about: the one p opened with that
 * handle, else the one its parent opened with it (a forked child shares the
 * mapping), else the only one p opened, else the first there is.
 */
static struct m_sem *
sem_of(struct model *m, const struct m_proc *p, uint64_t handle)
{
	const struct m_proc *parent = model_proc(m, (uint32_t)p->ppid);

	for (int k = 0; handle && k < 2; k++) {
		const struct m_proc *q = k == 0 ? p : parent;

		for (int i = 0; q && i < q->nsems; i++)
			if (q->sems[i].handle == handle)
				return &m->sems[q->sems[i].sem];
	}
	if (p->nsems > 0)
		return &m->sems[p->sems[p->nsems - 1].sem];
	return m->nsems > 0 ? &m->sems[0] : NULL;
}

/* Is s held by a process that has died (exited or killed without sem_post)? */
int
model_sem_owner_dead(const struct model *m, const struct m_sem *s)
{
	const struct m_proc *o = s && s->owner ? model_proc(m, s->owner) : NULL;

	return o != NULL && !o->alive;
}

/* The semaphore whose owner is pid, or NULL. */
const struct m_sem *
model_sem_held_by(const struct model *m, uint32_t pid)
{
	for (int i = 0; pid && i < m->nsems; i++)
		if (m->sems[i].owner == pid)
			return &m->sems[i];
	return NULL;
}

/*
 * sem_open that worked: the semaphore exists, p uses it.  A create that
 * failed with EEXIST: a semaphore of that name is left from an earlier run.
 */
static void
apply_sem_open(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_sem *s;

	if (r->ret != 0 && r->err == EEXIST && r->initial >= 0 && (s = sem_get(m, r->text)) != NULL) {
		s->exists = 1;
		s->stale = 1;
		s->stale_pid = p->pid;
		return;
	}
	if (r->ret != 0 || (s = sem_get(m, r->text)) == NULL)
		return;
	s->exists = 1;
	s->unlinked = 0;
	if (r->initial >= 0)
		s->value = r->initial;
	sem_user(s, p->pid);
	if (p->nsems < M_PROC_SEMS) {
		p->sems[p->nsems].handle = r->handle;
		p->sems[p->nsems].sem = (int)(s - m->sems);
		p->nsems++;
	}
}

/* Shift a won (1) or lost (0) trywait into a history of bits. */
static void
recent_push(uint16_t *bits, int *n, int won)
{
	*bits = (uint16_t)(*bits << 1 | (won ? 1 : 0));
	if (*n < M_SEM_RECENT)
		(*n)++;
}

/* A take of s by p: won (s is held by p) or lost. */
static void
lock_take(struct model *m, struct m_proc *p, struct m_sem *s, const struct trace_rec *r)
{
	struct m_sem_user *u = s ? sem_user(s, p->pid) : NULL;
	int won = r->ret == 0;

	recent_push(&p->sem_recent, &p->sem_nrecent, won);
	wait_outcome(m, p->pid, won ? WO_SEM_WON : WO_SEM_LOST);
	if (u)
		recent_push(&u->recent, &u->nrecent, won);
	if (won) {
		p->sem_won++;
		if (u)
			u->won++;
		if (s) {
			s->value = 0;
			s->owner = r->pid;
			s->since = r->ts_ns;
		}
	} else {
		p->sem_lost++;
		if (u)
			u->lost++;
		if (model_sem_owner_dead(m, s)) {
			/* The Story keeps it, with the dead owner in its copy's owner slot. */
			struct trace_rec e;

			memcpy(&e, r, offsetof(struct trace_rec, pairs));
			e.npairs = 0;
			e.owner = (int32_t)s->owner;
			s->lost_dead++;
			if (u)
				u->lost_dead++;
			event_add(m, &e);
		}
	}
}

/* sem_trywait, sem_wait: won (the semaphore is held by p) or lost. */
static void
apply_sem_trywait(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	lock_take(m, p, sem_of(m, p, r->handle), r);
}

/* accept = mutex: the lock word made (by the parent, free) or inherited (by a worker). */
static void
apply_lock_open(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_sem *s;

	if (r->ret != 0 || (s = sem_get(m, r->text)) == NULL)
		return;
	s->kind = LOCK_MUTEX;
	s->exists = 1;
	if (r->initial >= 0) {
		s->value = r->initial;
		s->owner = 0;
	}
	sem_user(s, p->pid);
}

/* A try-lock: taken (the word now holds p's pid), or held by another. */
static void
apply_lock_try(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_sem *s = (struct m_sem *)model_sem(m, r->text);

	if (s && s->kind == LOCK_MUTEX)
		lock_take(m, p, s, r);
}

/* The lock word back to 0: by its holder, or forced by the parent when the holder died. */
static void
apply_lock_release(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_sem *s = (struct m_sem *)model_sem(m, r->text);

	(void)p;
	if (r->ret != 0 || s == NULL || s->kind != LOCK_MUTEX)
		return;
	s->value = 1;
	s->owner = 0;
	s->since = r->ts_ns;
}

/* sem_post that worked: the semaphore is free again. */
static void
apply_sem_post(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_sem *s = sem_of(m, p, r->handle);

	if (r->ret != 0 || s == NULL)
		return;
	s->value = 1;
	s->owner = 0;
	s->since = r->ts_ns;
}

/* sem_unlink that worked: the name is gone. */
static void
apply_sem_unlink(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_sem *s;

	(void)p;
	if (r->ret != 0 || (s = sem_get(m, r->text)) == NULL)
		return;
	s->exists = 0;
	s->unlinked = 1;
}

/* sem_lost = break: the ready entries p left unserved. */
static void
apply_batch_skip(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)m;
	p->skipped += r->skipped;
	p->skips++;
}

/* The front end found a process asleep in a call (accept on a blocking socket); it ends with its next record. */
static void
apply_asleep(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_proc *q = model_proc(m, (uint32_t)r->of);

	(void)p;
	if (q == NULL || !q->alive)
		return;
	q->asleep = 1;
	q->asleep_nr = r->nr;
	q->asleep_fd = r->fd;
	q->asleep_since = r->ts_ns;
	str_copy(q->asleep_wchan, r->text, sizeof q->asleep_wchan);
}

/* A process of the run that sends no trace: known by its pid and name only, and why. */
static void
apply_untraced(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_proc *q = proc_get(m, (uint32_t)r->of);

	(void)p;
	if (q == NULL || q->started)
		return;
	q->role = ROLE_PROGRAM;
	q->untraced = r->why + 1;
	str_copy(q->name, r->text, sizeof q->name);
}

/* ---- FIFOs --------------------------------------------------------------- */

/* The FIFO at path, or NULL. */
const struct m_fifo *
model_fifo(const struct model *m, const char *path)
{
	for (int i = 0; i < m->nfifos; i++)
		if (strcmp(m->fifos[i].path, path) == 0)
			return &m->fifos[i];
	return NULL;
}

/* The FIFO behind fd of p, or NULL. */
static struct m_fifo *
fifo_of_fd(struct model *m, const struct m_proc *p, int fd)
{
	const struct m_fd *f = model_fd(p, fd);

	if (f == NULL || f->kind != FDK_FIFO || f->obj <= 0 || f->obj > m->nfifos)
		return NULL;
	return &m->fifos[f->obj - 1];
}

/* A blocking open of the FIFO at the record's path begins: it waits for a writer. */
static void
apply_fifo_waiting(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_fifo *f = (struct m_fifo *)model_fifo(m, r->text);

	if (f == NULL) {
		if (m->nfifos == M_MAX_FIFOS)
			return;
		f = &m->fifos[m->nfifos++];
		memset(f, 0, sizeof *f);
		str_copy(f->path, r->text, sizeof f->path);
		f->stale_fd = f->shadow_fd = -1;
	}
	f->pid = p->pid;
	f->state = FIFO_WAITING;
	f->fd = -1;
}

/* The FIFO's open returned: a writer came (the FIFO named, or the one p waits on). */
static void
apply_fifo_opened(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_fifo *f = r->text[0] ? (struct m_fifo *)model_fifo(m, r->text) : NULL;
	struct m_fd *e;

	for (int i = m->nfifos - 1; i >= 0 && f == NULL; i--)
		if (m->fifos[i].pid == p->pid && m->fifos[i].state == FIFO_WAITING)
			f = &m->fifos[i];
	if (f == NULL)
		return;
	f->in_hup = 0;
	if (r->ret < 0)
		return;
	f->state = FIFO_OPEN;
	f->fd = (int)r->ret;
	if (r->shadowed) {
		/* 262.c's reopen into its own file_fd: the outer one is stale unless the number matched. */
		f->shadowed++;
		f->stale_fd = r->outer_fd != r->ret ? r->outer_fd : -1;
		f->shadow_fd = (int)r->ret;
	}
	e = pfd_set(m, p, (int)r->ret, FDK_FIFO, 0);
	if (e)
		e->obj = (int)(f - m->fifos) + 1;
}

/* A call of p on fd that failed with EBADF: counted when fd is the stale file_fd of p's FIFO. */
static void
fifo_stale_use(struct model *m, const struct m_proc *p, const struct trace_rec *r)
{
	if (r->ret >= 0 || r->err != EBADF)
		return;
	for (int i = 0; i < m->nfifos; i++)
		if (m->fifos[i].pid == p->pid && m->fifos[i].stale_fd == r->fd)
			m->fifos[i].ebadf++;
}

/* read: bytes from a FIFO (reads of anything else are the process's business). */
static void
apply_read(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_fifo *f = fifo_of_fd(m, p, r->fd);

	fifo_stale_use(m, p, r);
	if (f == NULL || r->ret <= 0)
		return;
	f->in_hup = 0;
	f->reads++;
	f->bytes += (uint64_t)r->ret;
	str_copy(f->last, r->text, sizeof f->last);
}

/* The watcher saw EPOLLHUP on its FIFO: the first one after data is a hang-up. */
static void
apply_fifo_hup(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_fifo *f = fifo_of_fd(m, p, r->fd);

	if (f == NULL)
		return;
	f->hups++;
	if (!f->in_hup)
		f->hangups++;
	f->in_hup = 1;
	f->mode = r->mode;
	f->hup_events = r->events;
	f->lost += r->lost;
}

/* The front end wrote into the FIFO at the record's path. */
static void
apply_fifo_write(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_fifo *f = (struct m_fifo *)model_fifo(m, r->text);

	(void)p;
	if (f && r->ret > 0)
		f->written += (uint64_t)r->ret;
}

/*
 * A counted storm: the returns it adds to the hang-up returns already
 * accounted (traced one by one, or counted by an earlier report) grow the
 * watcher's storm entry while it is the newest, else make a new one that
 * repeats the watcher's last traced hang-up return.
 */
static void
apply_storm(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_wait *w = m->ntimeline ? entry_back(m, 0) : NULL;
	struct m_inst *in = inst_of(m, r->pid, r->epfd);
	struct m_fifo *f = fifo_of_fd(m, p, r->fd);
	uint64_t more = r->count > p->hup_streak ? r->count - p->hup_streak : 0;

	if (more > 0 && !(w && w->storm && w->pid == r->pid && w->epfd == r->epfd && p->hup_streak > 0)) {
		const struct m_wait *last = newest_of(m, r->pid, r->epfd);
		struct m_wait e;

		memset(&e, 0, sizeof e);
		if (last && last->ret == 1 && last->npairs == 1 && (last->pairs[0].events & EPOLLHUP)) {
			e = *last;
		} else {
			e.pid = r->pid;
			e.epfd = r->epfd;
			e.ret = 1;
			e.npairs = 1;
			e.pairs[0].events = EPOLLHUP;
			e.pairs[0].data = (uint64_t)(uint32_t)r->fd;
		}
		/* Counting began elapsed_ns before this first report. */
		e.ts = r->ts_ns > r->elapsed_ns ? r->ts_ns - r->elapsed_ns : r->ts_ns;
		e.ts_last = r->ts_ns;
		e.count = 0;
		e.storm = 1;
		wait_insert(m, &e);
		w = newest_of(m, r->pid, r->epfd);
	}
	if (more > 0) {
		w->count += more;
		w->ts_last = r->ts_ns;
	}
	m->returns += more;
	p->returns += more;
	p->hup_returns += more;
	if (in)
		in->returns += more;
	/* The watcher counts from zero again after a storm ends (capped: it reopens; over: a writer is back). */
	p->hup_streak = r->storm == STORM_GOING ? r->count : 0;
	if (f == NULL)
		return;
	f->storm_count = r->count;
	f->storm_ns = r->elapsed_ns;
	f->capped = r->storm == STORM_CAPPED;
	f->state = FIFO_STORM;
	if (r->storm != STORM_GOING)
		f->in_hup = 0; /* capped (the watcher reopens) or over (a writer is back) */
}

/* ---- fds: close, open, inherit --------------------------------------------- */

/* close that worked: the fd and what it named (a connection, an epoll fd, a FIFO). */
static void
apply_close(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	const struct m_fd *f = model_fd(p, r->fd);
	struct m_fifo *fifo = fifo_of_fd(m, p, r->fd);
	struct m_conn *c;

	if (r->ret != 0)
		return;
	if ((c = conn_of(m, p, r->fd)) != NULL)
		conn_close(m, c, r->ts_ns);
	if (f && f->kind == FDK_EPOLL)
		inst_drop_holder(m, p->pid, r->fd);
	if (fifo && fifo->pid == p->pid) {
		fifo->fd = -1;
		fifo->state = FIFO_WAITING;
	}
	unwatch_closed(m, p->pid, r->fd);
	if (r->fd >= 0 && r->fd < p->capfds)
		fd_release(m, &p->fds[r->fd]);
}

/* The fd kind of an open record's kind. */
static int
fd_kind_of_open(int kind)
{
	switch (kind) {
	case OPEN_FILE: return FDK_FILE;
	case OPEN_PIPE_R: return FDK_PIPE_R;
	case OPEN_PIPE_W: return FDK_PIPE_W;
	case OPEN_FIFO: return FDK_FIFO;
	case OPEN_LISTEN: return FDK_LISTEN;
	case OPEN_EPOLL: return FDK_EPOLL;
	default: return FDK_UNKNOWN;
	}
}

/* An fd opened without a wrapper of its own (a probe's file, pipe...). */
static void
apply_open(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	if (r->ret >= 0)
		pfd_set(m, p, (int)r->ret, fd_kind_of_open(r->kind), 0);
}

/* An fd inherited from the parent: the same object (listening socket, epoll instance). */
static void
apply_inherit(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_proc *from = model_proc(m, (uint32_t)r->from);
	const struct m_fd *ff = model_fd(from, r->fd);
	const struct m_listen *l = model_listen_of(m, from, r->fd);

	if (r->kind == OPEN_LISTEN) {
		if (l == NULL && m->nlistens > 0)
			l = &m->listens[0]; /* the parent's record was not seen: the server's socket */
		listen_hold(m, p, r->fd, (struct m_listen *)l);
		return;
	}
	pfd_set(m, p, r->fd, fd_kind_of_open(r->kind), ff ? ff->port : 0);
	if (r->kind == OPEN_EPOLL) {
		struct m_inst *in = inst_of(m, (uint32_t)r->from, r->fd);

		if (in && in->nholders < M_MAX_HOLDERS) {
			in->holders[in->nholders].pid = r->pid;
			in->holders[in->nholders].epfd = r->fd;
			in->nholders++;
		}
	}
}

/* ---- processes' lives ------------------------------------------------------ */

/* proc_start: who the process is. */
static void
apply_start(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	p->role = r->role;
	str_copy(p->name, r->text, sizeof p->name);
	p->ppid = r->ppid;
	p->pgid = r->pgid;
	p->sid = r->sid;
	p->started = 1;
	p->alive = 1;
	if (r->role == ROLE_SESSION)
		m->session_pid = r->pid;
}

/* proc_exit: the status the process chose. */
static void
apply_exit(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	p->has_exit = 1;
	p->exit_status = (int)r->ret;
	proc_died(m, p);
}

/* A parent reaped a child that exited or was killed (stops and continues change nothing here). */
static void
apply_reap(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_proc *c;

	(void)p;
	if (r->how != REAP_EXITED && r->how != REAP_KILLED)
		return;
	c = proc_get(m, (uint32_t)r->child);
	if (c == NULL)
		return;
	c->reaped = 1;
	c->how = r->how;
	c->code = r->how == REAP_EXITED ? r->code : r->signo;
	proc_died(m, c);
}

/* The role reached its steady state. */
static void
apply_ready(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)m;
	(void)r;
	p->ready = 1;
}

/* A signal the process received. */
static void
apply_signal(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)m;
	p->signals++;
	p->last_signo = r->signo;
	p->last_si_code = r->si_code;
	p->last_si_pid = r->sender;
}

/* An event delivered for an fd the process does not have (shared epoll). */
static void
apply_stray(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)m;
	(void)r;
	p->strays++;
}

/*
 * How often the process of a sched record slept (voluntary context switches)
 * against its returns stamped by then.  The first sample counts only while
 * the process sleeps inside epoll_wait, so that both counts start together.
 */
static void
apply_sched(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_proc *q = model_proc(m, (uint32_t)r->of);
	struct m_wake *k;
	uint64_t later = 0, ret;
	unsigned n;

	(void)p;
	if (q == NULL || (!q->wake.sampled && !q->in_wait))
		return;
	k = &q->wake;
	n = k->nrecent < M_WAKE_RECENT ? k->nrecent : M_WAKE_RECENT;
	for (unsigned i = 0; i < n; i++)
		later += k->recent[i] > r->ts_ns;
	ret = q->returns - later;
	if (!k->sampled) {
		k->sampled = 1;
		k->vol0 = r->voluntary;
		k->ret0 = ret;
	}
	k->vol = r->voluntary;
	k->ret = ret;
}

/* ---- the terminal, jobs, clients, the run ---------------------------------- */

/* tcsetpgrp that worked: the terminal's foreground group. */
static void
apply_fg(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)p;
	if (r->ret == 0)
		m->fg_pgid = r->pgid;
}

/* A job of the session leader started, stopped, continued or ended. */
static void
apply_job(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_job *j = (struct m_job *)model_job(m, r->pgid);

	(void)p;
	if (j == NULL) {
		if (m->njobs == M_JOBS)
			return;
		j = &m->jobs[m->njobs++];
		memset(j, 0, sizeof *j);
		j->pgid = r->pgid;
	}
	j->background = r->background;
	str_copy(j->name, r->text, sizeof j->name);
	switch (r->event) {
	case JOB_STARTED:
	case JOB_CONTINUED: j->state = MJOB_RUNNING; break;
	case JOB_STOPPED: j->state = MJOB_STOPPED; break;
	case JOB_DONE: j->state = MJOB_DONE; break;
	}
}

/* The pid that accepted the connection from local port port (open or closed, newest first); 0: none. */
static uint32_t
accepted_from(const struct model *m, int port)
{
	if (port <= 0)
		return 0;
	for (int i = m->nconns - 1; i >= 0; i--)
		if (m->conns[i].peer_port == port)
			return m->conns[i].pid;
	for (uint64_t k = 0; k < m->nclosed && k < M_CLOSED; k++) {
		const struct m_conn *c = &m->closed[(m->nclosed - 1 - k) % M_CLOSED];

		if (c->peer_port == port)
			return c->pid;
	}
	return 0;
}

/* Keep, as they are now, the facts that say why client c failed (see struct m_client). */
static void
client_why(const struct model *m, struct m_client *c, const struct trace_rec *r)
{
	const struct m_proc *srv = model_proc(m, model_server_pid(m));
	const struct m_job *j = srv ? model_job(m, srv->pgid) : NULL;
	int servers = 0, alive = 0;

	for (int i = 0; i < m->nprocs; i++) {
		if (!model_is_server(&m->procs[i]))
			continue;
		servers++;
		alive += m->procs[i].alive;
	}
	c->waited_ns = r->elapsed_ns;
	c->accepted_by = accepted_from(m, c->port);
	c->server_stopped = j && j->state == MJOB_STOPPED;
	c->server_gone = servers > 0 && alive == 0;
	c->queued = m->accept_queue;
	c->full_queue = 0;
	c->full_backlog = 0;
	for (int i = 0; i < m->nlistens; i++) {
		const struct m_listen *l = &m->listens[i];

		if (model_listen_open(l) && l->backlog > 0 && l->qlen >= l->backlog) {
			c->full_queue = l->qlen;
			c->full_backlog = l->backlog;
			break;
		}
	}
}

/* One of the front end's clients: connected, answered (by which pid), failed (and why). */
static void
apply_client(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_client *c = &m->clients[(uint32_t)r->client % M_CLIENTS];

	(void)p;
	if (c->id != r->client) {
		memset(c, 0, sizeof *c);
		c->id = r->client;
		m->nclients++;
	}
	c->state = r->event;
	if (r->client_port)
		c->port = r->client_port;
	switch (r->event) {
	case CLIENT_CONNECTED: m->clients_connected++; break;
	case CLIENT_REPLY: {
		int pid = 0;

		m->clients_answered++;
		str_copy(c->reply, r->text, sizeof c->reply);
		if (sscanf(r->text, "pid = %d", &pid) == 1)
			c->answered_by = (uint32_t)pid;
		break;
	}
	case CLIENT_ERROR:
	case CLIENT_TIMEOUT:
		m->clients_failed++;
		c->err = r->err;
		client_why(m, c, r);
		break;
	}
}

/* Everything is asleep: the accept queue the front end read then. */
static void
apply_settled(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)p;
	m->accept_queue = (int64_t)r->qlen;
}

/* What the children printed on their terminal, split into lines. */
static void
apply_tty(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)p;
	for (const char *s = r->text; *s;) {
		char *line = m->tty[m->ntty % M_TTY_LINES];
		/* A UTF-8 character's later bytes join the one before: lines wrap between characters. */
		int more = ((unsigned char)*s & 0xc0) == 0x80;
		int full = m->tty_col >= M_TTY_COLS - 1 || m->tty_len > M_TTY_BYTES - 5;

		if ((unsigned char)*s < 0x80 && *s != '\r' && *s != '\n' && !full) {
			/* A run of ASCII up to the wrap, copied whole: the workers' lines are mostly that. */
			size_t n = 1, room = M_TTY_COLS - 1 - (size_t)m->tty_col;

			if (room > (size_t)(M_TTY_BYTES - 4 - m->tty_len))
				room = (size_t)(M_TTY_BYTES - 4 - m->tty_len);
			while (n < room && s[n] != '\0' && (unsigned char)s[n] < 0x80 && s[n] != '\r' && s[n] != '\n')
				n++;
			memcpy(line + m->tty_len, s, n);
			m->tty_len += (int)n;
			m->tty_col += (int)n;
			line[m->tty_len] = '\0';
			s += n;
			continue;
		}
		s++;
		if (s[-1] == '\r')
			continue;
		if (more && (m->tty_len == 0 || m->tty_len >= M_TTY_BYTES - 1))
			continue; /* a stray one: nothing to join */
		if (s[-1] == '\n' || (!more && full)) {
			line[m->tty_len] = '\0';
			m->ntty++;
			m->tty_col = m->tty_len = 0;
			m->tty[m->ntty % M_TTY_LINES][0] = '\0';
			if (s[-1] == '\n')
				continue;
			line = m->tty[m->ntty % M_TTY_LINES];
		}
		if (!more)
			m->tty_col++;
		line[m->tty_len++] = s[-1];
		line[m->tty_len] = '\0';
	}
}

/* The front end's verdict on the run. */
static void
apply_run_end(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	(void)p;
	m->ended = 1;
	m->end_actions_failed = r->actions_failed;
	m->end_flags = r->flags;
	m->end_malformed = r->malformed;
}

/* ---- the table ----------------------------------------------------------- */

/* Which records the Story keeps. */
static int
always(const struct trace_rec *r)
{
	(void)r;
	return 1;
}

/* The parent freed a lock its dead holder kept. */
static int
forced_unlock(const struct trace_rec *r)
{
	return r->owner != 0 && (uint32_t)r->owner != r->pid;
}

/* A call that failed. */
static int
failed(const struct trace_rec *r)
{
	return r->ret != 0;
}

/* A call that returned -1 (read, a write into the FIFO). */
static int
negative(const struct trace_rec *r)
{
	return r->ret < 0;
}

/* An accept that failed for a reason other than EAGAIN (apply_accept keeps the lost races). */
static int
accept_failed(const struct trace_rec *r)
{
	return r->ret < 0 && r->err != EAGAIN && r->err != EWOULDBLOCK;
}

/* A client that failed: an error or a timeout. */
static int
client_failed(const struct trace_rec *r)
{
	return r->event == CLIENT_ERROR || r->event == CLIENT_TIMEOUT;
}

/* A storm that reached its cap. */
static int
storm_capped(const struct trace_rec *r)
{
	return r->storm == STORM_CAPPED;
}

typedef void (*apply_fn)(struct model *m, struct m_proc *p, const struct trace_rec *r);

/* clang-format off */
static const struct applier {
	apply_fn apply;                            /* NULL: nothing to keep but the count */
	int (*notable)(const struct trace_rec *r); /* NULL: the Story does not keep it */
} appliers[TR__COUNT] = {
	[TR_PROC_START] = { apply_start, always },
	[TR_PROC_EXIT] = { apply_exit, always },
	[TR_REAP] = { apply_reap, always },
	[TR_READY] = { apply_ready, NULL },
	[TR_EPOLL_CREATE] = { apply_create, always },
	[TR_EPOLL_CTL] = { apply_ctl, failed },
	[TR_WAIT_ENTER] = { apply_wait_enter, NULL },
	[TR_WAIT_RETURN] = { apply_wait_return, NULL },
	[TR_ACCEPT] = { apply_accept, accept_failed },
	[TR_RECV] = { apply_io, NULL },
	[TR_SEND] = { apply_io, NULL },
	[TR_CLOSE] = { apply_close, NULL },
	[TR_READ] = { apply_read, negative },
	[TR_SEM_OPEN] = { apply_sem_open, always },
	[TR_SEM_TRYWAIT] = { apply_sem_trywait, NULL },
	[TR_SEM_POST] = { apply_sem_post, NULL },
	[TR_SEM_UNLINK] = { apply_sem_unlink, always },
	[TR_SIGNAL] = { apply_signal, always },
	[TR_KILL] = { NULL, always },
	[TR_FIFO_WAITING] = { apply_fifo_waiting, always },
	[TR_FIFO_OPENED] = { apply_fifo_opened, always },
	[TR_FIFO_HUP] = { apply_fifo_hup, always },
	[TR_HUP_STORM] = { apply_storm, storm_capped },
	[TR_LISTEN] = { apply_listen, always },
	[TR_OPEN] = { apply_open, always },
	[TR_STRAY] = { apply_stray, always },
	[TR_KCMP] = { NULL, always },
	[TR_INHERIT] = { apply_inherit, always },
	[TR_LOG] = { NULL, always },
	[TR_FG] = { apply_fg, always },
	[TR_JOB] = { apply_job, always },
	[TR_CLIENT] = { apply_client, client_failed },
	[TR_ACTION] = { NULL, always },
	[TR_ACCEPTQ] = { apply_acceptq, NULL },
	[TR_TTY] = { apply_tty, NULL },
	[TR_SETTLED] = { apply_settled, always },
	[TR_SCHED] = { apply_sched, NULL },
	[TR_RUN_END] = { apply_run_end, NULL },
	[TR_BATCH_SKIP] = { apply_batch_skip, always },
	[TR_ASLEEP] = { apply_asleep, always },
	[TR_FIFO_WRITE] = { apply_fifo_write, negative },
	[TR_UNTRACED] = { apply_untraced, always },
	[TR_SEM_WAIT] = { apply_sem_trywait, NULL }, /* a blocking take: taken, or timed out or interrupted */
	[TR_LOCK_OPEN] = { apply_lock_open, always },
	[TR_LOCK_TRY] = { apply_lock_try, NULL },
	[TR_LOCK_RELEASE] = { apply_lock_release, forced_unlock },
};
/* clang-format on */

/* Keep a notable record for the Story (its pairs, if any, are not needed there). */
static void
event_add(struct model *m, const struct trace_rec *r)
{
	struct trace_rec *e = &m->events[m->nevents++ % M_EVENTS];

	memcpy(e, r, offsetof(struct trace_rec, pairs));
	e->npairs = 0;
}

/* Apply one record: the clock, the Story, then the type's own function. */
void
model_apply(struct model *m, const struct trace_rec *r)
{
	struct m_proc *p = proc_get(m, r->pid);
	const struct applier *a;

	if (p == NULL)
		return;
	if (m->records++ == 0 || r->ts_ns < m->t0)
		m->t0 = r->ts_ns;
	if (r->ts_ns > m->t_last)
		m->t_last = r->ts_ns;
	if (r->type <= TR_NONE || r->type >= TR__COUNT)
		return;
	p->asleep = 0; /* a record of its own: it is awake (or was, to write it) */
	a = &appliers[r->type];
	if (a->notable && a->notable(r))
		event_add(m, r);
	if (a->apply)
		a->apply(m, p, r);
}

/* model_apply as a trace_sink_fn. */
void
model_sink(void *m, const struct trace_rec *r)
{
	model_apply(m, r);
}

/* ---- reading the model ---------------------------------------------------- */

/* Timeline entry k back from the newest. */
const struct m_wait *
model_wait_back(const struct model *m, uint64_t k)
{
	if (k >= wait_kept(m))
		return NULL;
	return &m->timeline[(m->ntimeline - 1 - k) % M_TIMELINE];
}

/* The line starting at kept entry *i (oldest first): it and the entries that fold into it. */
int
model_wait_line(const struct model *m, uint64_t *i, struct m_wait *out)
{
	uint64_t n = wait_kept(m);
	const struct m_wait *prev;

	if (*i >= n)
		return 0;
	prev = model_wait_back(m, n - 1 - *i);
	*out = *prev;
	for (++*i; *i < n; ++*i) {
		const struct m_wait *e = model_wait_back(m, n - 1 - *i);

		if (!model_wait_folds(prev, e))
			break;
		out->count += e->count;
		out->ts_last = e->ts_last;
		out->storm |= e->storm;
		prev = e;
	}
	return 1;
}

/* The client numbered id, or NULL. */
const struct m_client *
model_client(const struct model *m, int id)
{
	const struct m_client *c = &m->clients[(uint32_t)id % M_CLIENTS];

	return id > 0 && c->id == id ? c : NULL;
}

/* Story record k back from the newest. */
const struct trace_rec *
model_event_back(const struct model *m, uint64_t k)
{
	if (k >= m->nevents || k >= M_EVENTS)
		return NULL;
	return &m->events[(m->nevents - 1 - k) % M_EVENTS];
}

/* Terminal line k back from the newest complete one; -1 the partial line. */
const char *
model_tty_back(const struct model *m, int64_t k)
{
	if (k < 0)
		return m->tty[m->ntty % M_TTY_LINES];
	if ((uint64_t)k >= m->ntty || k >= M_TTY_LINES - 1)
		return NULL;
	return m->tty[(m->ntty - 1 - (uint64_t)k) % M_TTY_LINES];
}

/* An echo server process (by role). */
int
model_is_echo(const struct m_proc *p)
{
	return p && (p->role == ROLE_ECHO_PARENT || p->role == ROLE_ECHO_WORKER);
}

/* A process of the scenario's jobs (by role). */
int
model_is_job(const struct m_proc *p)
{
	return p && (model_is_echo(p) || p->role == ROLE_FIFO || p->role == ROLE_PROBE ||
		     p->role == ROLE_PROGRAM);
}

/* A process that held a listening socket. */
int
model_is_server(const struct m_proc *p)
{
	return p && p->listener;
}

/* The echo server's parent, else the process that listened first. */
uint32_t
model_server_pid(const struct model *m)
{
	for (int i = 0; i < m->nprocs; i++)
		if (m->procs[i].role == ROLE_ECHO_PARENT)
			return m->procs[i].pid;
	return m->nlistens > 0 ? m->listens[0].creator : 0;
}

/* Processes of role alive (and ready). */
int
model_count(const struct model *m, int role, int ready_only)
{
	int n = 0;

	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];

		if (p->role != role || !p->alive)
			continue;
		if (ready_only && !p->ready)
			continue;
		n++;
	}
	return n;
}

/* Open connections of pid. */
int
model_conns_of(const struct model *m, uint32_t pid)
{
	int n = 0;

	for (int i = 0; i < m->nconns; i++)
		if (m->conns[i].pid == pid)
			n++;
	return n;
}

/* The job of pgid. */
const struct m_job *
model_job(const struct model *m, int pgid)
{
	for (int i = 0; i < m->njobs; i++)
		if (m->jobs[i].pgid == pgid)
			return &m->jobs[i];
	return NULL;
}

/* How many of the session's jobs are done. */
int
model_jobs_done(const struct model *m)
{
	int done = 0;

	for (int i = 0; i < m->njobs; i++)
		done += m->jobs[i].state == MJOB_DONE;
	return done;
}

/* The job started in the foreground. */
const struct m_job *
model_fg_job(const struct model *m)
{
	for (int i = 0; i < m->njobs; i++)
		if (!m->jobs[i].background)
			return &m->jobs[i];
	return NULL;
}

/* Did every process but the front end end, and end well? */
int
model_all_exited_cleanly(const struct model *m)
{
	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];

		if (p->role == ROLE_FRONTEND)
			continue;
		if (p->alive && !p->untraced)
			return 0;
		/*
		 * A program of the user's ends as it chooses (^C's default kills
		 * it, its exit status is its own): only a SIGKILL, the run's last
		 * resort, says it did not end when asked.
		 */
		if (p->role == ROLE_PROGRAM) {
			if (p->untraced)
				continue; /* nobody tells its end: not the run's fault */
			if (p->reaped && p->how == REAP_KILLED && p->code == SIGKILL)
				return 0;
			continue;
		}
		if (p->reaped && (p->how != REAP_EXITED || p->code != 0))
			return 0;
		if (!p->reaped && p->has_exit && p->exit_status != 0)
			return 0;
	}
	return 1;
}
