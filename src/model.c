/*
 * model.c - applies trace records to the state the panels read (model.h).
 * Pure: no I/O, no clock.  Everything here must stay cheap per record:
 * the front end applies over a million records a second.
 */
#include "model.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <errno.h>

#include "util.h"

struct model *
model_new(void)
{
	struct model *m = xcalloc(1, sizeof *m);

	m->fg_pgid = -1;
	m->accept_queue = -1;
	m->fifo_fd = -1;
	m->next_inst_id = 1;
	return m;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	for (int i = 0; i < m->nprocs; i++)
		free(m->procs[i].fds);
	for (int i = 0; i < m->ninst; i++)
		free(m->inst[i].w);
	free(m->conns);
	free(m);
}

struct m_proc *
model_proc(const struct model *m, uint32_t pid)
{
	for (int i = m->nprocs - 1; i >= 0; i--)
		if (m->procs[i].pid == pid)
			return (struct m_proc *)&m->procs[i];
	return NULL;
}

/* The process for a record, created on first sight. */
static struct m_proc *
proc_get(struct model *m, uint32_t pid)
{
	struct m_proc *p = model_proc(m, pid);

	if (p)
		return p;
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

const struct m_fd *
model_fd(const struct m_proc *p, int fd)
{
	if (p == NULL || fd < 0 || fd >= p->capfds || p->fds[fd].kind == FDK_UNKNOWN)
		return NULL;
	return &p->fds[fd];
}

static struct m_fd *
pfd_set(struct m_proc *p, int fd, int kind, int port)
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
	p->fds[fd].kind = kind;
	p->fds[fd].port = port;
	p->fds[fd].conn = 0;
	return &p->fds[fd];
}

static void
pfd_clear(struct m_proc *p, int fd)
{
	if (fd >= 0 && fd < p->capfds)
		p->fds[fd].kind = FDK_UNKNOWN;
}

static struct m_inst *
inst_of(struct model *m, uint32_t pid, int epfd)
{
	for (int i = 0; i < m->ninst; i++)
		for (int h = 0; h < m->inst[i].nholders; h++)
			if (m->inst[i].holders[h].pid == pid && m->inst[i].holders[h].epfd == epfd)
				return &m->inst[i];
	return NULL;
}

const struct m_inst *
model_inst_of(const struct model *m, uint32_t pid, int epfd)
{
	return inst_of((struct model *)m, pid, epfd);
}

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
		memmove(&m->inst[i], &m->inst[i + 1], (size_t)(m->ninst - i - 1) * sizeof m->inst[0]);
		m->ninst--;
	}
}

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

static int
watch_find(const struct m_inst *in, int fd, uint32_t owner)
{
	for (int i = 0; i < in->nw; i++)
		if (in->w[i].fd == fd && in->w[i].owner == owner)
			return i;
	return -1;
}

static void
apply_ctl(struct model *m, const struct trace_rec *r)
{
	struct m_inst *in = inst_of(m, r->pid, r->epfd);
	int i;

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
		in->w[i].data = r->data;
		break;
	case EPOLL_CTL_DEL:
		if (i >= 0)
			in->w[i] = in->w[--in->nw];
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

		if (i >= 0)
			in->w[i] = in->w[--in->nw];
	}
}

static int
wait_same(const struct m_wait *w, const struct trace_rec *r)
{
	int np = r->npairs < M_WAIT_PAIRS ? r->npairs : M_WAIT_PAIRS;

	if (w->pid != r->pid || w->epfd != r->epfd || w->ret != r->ret || w->err != r->err ||
	    w->npairs != np)
		return 0;
	for (int i = 0; i < np; i++)
		if (w->pairs[i].events != r->pairs[i].events || w->pairs[i].data != r->pairs[i].data)
			return 0;
	return 1;
}

/* The newest timeline entry of (pid, epfd) among the last few, or NULL. */
static struct m_wait *
recent_wait(struct model *m, uint32_t pid, int epfd)
{
	for (uint64_t k = 0; k < 8 && k < m->ntimeline; k++) {
		struct m_wait *w = &m->timeline[(m->ntimeline - 1 - k) % M_TIMELINE];

		if (w->pid == pid && w->epfd == epfd)
			return w;
	}
	return NULL;
}

static void
apply_wait_return(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_wait *w = recent_wait(m, r->pid, r->epfd);
	struct m_inst *in = inst_of(m, r->pid, r->epfd);

	p->in_wait = 0;
	m->returns++;
	if (in)
		in->returns++;
	if (r->ret > 0)
		p->wakeups++;
	for (int i = 0; i < r->npairs; i++)
		if (r->pairs[i].events & EPOLLHUP)
			p->hup_returns++;
	if (w && !w->storm && wait_same(w, r)) {
		w->count++;
		w->ts_last = r->ts_ns;
		return;
	}
	w = &m->timeline[m->ntimeline++ % M_TIMELINE];
	memset(w, 0, sizeof *w);
	w->ts = w->ts_last = r->ts_ns;
	w->pid = r->pid;
	w->epfd = r->epfd;
	w->ret = (int)r->ret;
	w->err = r->err;
	w->npairs = r->npairs < M_WAIT_PAIRS ? r->npairs : M_WAIT_PAIRS;
	memcpy(w->pairs, r->pairs, (size_t)w->npairs * sizeof w->pairs[0]);
	w->count = 1;
}

/* A counted storm: fold it into the watcher's newest timeline line. */
static void
apply_storm(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_wait *w = recent_wait(m, r->pid, r->epfd);
	uint64_t before = w ? w->count : 0;

	if (w == NULL || w->npairs == 0 || !(w->pairs[0].events & EPOLLHUP)) {
		w = &m->timeline[m->ntimeline++ % M_TIMELINE];
		memset(w, 0, sizeof *w);
		w->ts = r->ts_ns;
		w->pid = r->pid;
		w->epfd = r->epfd;
		w->ret = 1;
		w->npairs = 1;
		w->pairs[0].events = EPOLLHUP;
		w->pairs[0].data = (uint64_t)(uint32_t)r->fd;
		before = 0;
	}
	if (r->count > before) {
		m->returns += r->count - before;
		p->hup_returns += r->count - before;
		w->count = r->count;
	}
	w->storm = 1;
	w->ts_last = r->ts_ns;
	m->fifo_storm_count = r->count;
	m->fifo_storm_ns = r->data;
	m->fifo_capped = r->op == 1;
	m->fifo_state = FIFO_STORM;
}

/* Keep a notable record for the Story (its pairs, if any, are not needed there). */
static void
event_add(struct model *m, const struct trace_rec *r)
{
	struct trace_rec *e = &m->events[m->nevents++ % M_EVENTS];

	memcpy(e, r, offsetof(struct trace_rec, pairs));
	e->npairs = 0;
}

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

static void
conn_open(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	struct m_conn *c;

	if (m->nconns == m->capconns) {
		m->capconns = m->capconns ? m->capconns * 2 : 32;
		m->conns = xreallocarray(m->conns, (size_t)m->capconns, sizeof *m->conns);
	}
	c = &m->conns[m->nconns++];
	memset(c, 0, sizeof *c);
	c->pid = p->pid;
	c->fd = (int)r->ret;
	c->peer_port = r->port;
	struct m_fd *f = pfd_set(p, (int)r->ret, FDK_CONN, r->port);

	if (f)
		f->conn = m->nconns;
	m->conns_total++;
}

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

static void
apply_close(struct model *m, struct m_proc *p, const struct trace_rec *r)
{
	const struct m_fd *f = model_fd(p, r->fd);
	struct m_conn *c;

	if (r->ret != 0)
		return;
	if ((c = conn_of(m, p, r->fd)) != NULL)
		conn_close(m, c, r->ts_ns);
	if (f && f->kind == FDK_EPOLL)
		inst_drop_holder(m, p->pid, r->fd);
	if (f && f->kind == FDK_FIFO && p->pid == m->fifo_pid) {
		m->fifo_fd = -1;
		m->fifo_state = FIFO_WAITING;
	}
	unwatch_closed(m, p->pid, r->fd);
	pfd_clear(p, r->fd);
}

static void
apply_job(struct model *m, const struct trace_rec *r)
{
	struct m_job *j = (struct m_job *)model_job(m, r->pgid);

	if (j == NULL) {
		if (m->njobs == M_JOBS)
			return;
		j = &m->jobs[m->njobs++];
		memset(j, 0, sizeof *j);
		j->pgid = r->pgid;
	}
	j->background = r->background;
	str_copy(j->name, r->text, sizeof j->name);
	switch (r->op) {
	case JOB_STARTED:
	case JOB_CONTINUED: j->state = MJOB_RUNNING; break;
	case JOB_STOPPED: j->state = MJOB_STOPPED; break;
	case JOB_DONE: j->state = MJOB_DONE; break;
	}
}

static void
apply_client(struct model *m, const struct trace_rec *r)
{
	struct m_client *c = &m->clients[(uint32_t)r->client % M_CLIENTS];

	if (c->id != r->client) {
		memset(c, 0, sizeof *c);
		c->id = r->client;
		m->nclients++;
	}
	c->state = r->op;
	if (r->arg2)
		c->port = r->arg2;
	switch (r->op) {
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
		break;
	}
}

static void
apply_tty(struct model *m, const char *s)
{
	for (; *s; s++) {
		char *line = m->tty[m->ntty % M_TTY_LINES];

		if (*s == '\r')
			continue;
		if (*s == '\n' || m->tty_col == M_TTY_COLS - 1) {
			line[m->tty_col] = '\0';
			m->ntty++;
			m->tty_col = 0;
			m->tty[m->ntty % M_TTY_LINES][0] = '\0';
			if (*s == '\n')
				continue;
			line = m->tty[m->ntty % M_TTY_LINES];
		}
		line[m->tty_col++] = *s;
		line[m->tty_col] = '\0';
	}
}

static int
notable(const struct trace_rec *r)
{
	switch (r->type) {
	case TR_PROC_START: case TR_PROC_EXIT: case TR_REAP: case TR_SIGNAL: case TR_KILL:
	case TR_SEM_OPEN: case TR_SEM_UNLINK: case TR_FG: case TR_JOB: case TR_LISTEN:
	case TR_STRAY: case TR_KCMP: case TR_LOG: case TR_ACTION: case TR_FIFO_WAITING:
	case TR_FIFO_OPENED: case TR_FIFO_HUP: case TR_SETTLED: case TR_INHERIT: case TR_OPEN:
	case TR_EPOLL_CREATE:
		return 1;
	case TR_HUP_STORM:
		return r->op == 1;
	case TR_EPOLL_CTL:
		return r->ret != 0;
	case TR_ACCEPT:
		return r->ret < 0 && r->err != EAGAIN && r->err != EWOULDBLOCK;
	default:
		return 0;
	}
}

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

void
model_apply(struct model *m, const struct trace_rec *r)
{
	struct m_proc *p = proc_get(m, r->pid);
	struct m_conn *c;

	if (p == NULL)
		return;
	if (m->records++ == 0 || r->ts_ns < m->t0)
		m->t0 = r->ts_ns;
	if (r->ts_ns > m->t_last)
		m->t_last = r->ts_ns;
	if (notable(r))
		event_add(m, r);
	switch (r->type) {
	case TR_PROC_START:
		p->role = r->op;
		str_copy(p->name, r->text, sizeof p->name);
		p->ppid = r->ppid;
		p->pgid = r->pgid;
		p->sid = r->sid;
		p->started = 1;
		p->alive = 1;
		if (r->op == ROLE_SESSION)
			m->session_pid = r->pid;
		if (r->op == ROLE_ECHO_PARENT)
			m->server_pid = r->pid;
		break;
	case TR_PROC_EXIT:
		p->has_exit = 1;
		p->exit_status = (int)r->ret;
		p->alive = 0;
		p->in_wait = 0;
		break;
	case TR_REAP: {
		struct m_proc *c2;

		if (r->op != REAP_EXITED && r->op != REAP_KILLED)
			break;
		c2 = proc_get(m, (uint32_t)r->child);
		if (c2 == NULL)
			break;
		c2->reaped = 1;
		c2->how = r->op;
		c2->code = r->arg;
		c2->alive = 0;
		c2->in_wait = 0;
		break;
	}
	case TR_READY:
		p->ready = 1;
		break;
	case TR_EPOLL_CREATE:
		if (r->ret >= 0) {
			inst_new(m, r->pid, (int)r->ret);
			pfd_set(p, (int)r->ret, FDK_EPOLL, 0);
		}
		break;
	case TR_EPOLL_CTL:
		apply_ctl(m, r);
		break;
	case TR_WAIT_ENTER:
		p->in_wait = 1;
		p->wait_epfd = r->epfd;
		p->wait_since = r->ts_ns;
		break;
	case TR_WAIT_RETURN:
		apply_wait_return(m, p, r);
		break;
	case TR_ACCEPT:
		if (r->ret >= 0) {
			p->accepts++;
			conn_open(m, p, r);
		} else {
			p->accept_fail++;
		}
		break;
	case TR_RECV:
		if (r->ret > 0 && (c = conn_of(m, p, r->fd)) != NULL)
			c->in += (uint64_t)r->ret;
		if (r->ret > 0)
			p->bytes_in += (uint64_t)r->ret;
		break;
	case TR_SEND:
		if (r->ret > 0 && (c = conn_of(m, p, r->fd)) != NULL)
			c->out += (uint64_t)r->ret;
		if (r->ret > 0)
			p->bytes_out += (uint64_t)r->ret;
		break;
	case TR_CLOSE:
		apply_close(m, p, r);
		break;
	case TR_READ:
		if (r->ret > 0) {
			m->fifo_in_hup = 0;
			m->fifo_reads++;
			m->fifo_bytes += (uint64_t)r->ret;
			str_copy(m->fifo_last, r->text, sizeof m->fifo_last);
		}
		break;
	case TR_SEM_OPEN:
		if (r->ret == 0) {
			str_copy(m->sem_name, r->text, sizeof m->sem_name);
			m->sem_exists = 1;
			if (r->initial >= 0)
				m->sem_value = r->initial;
		}
		break;
	case TR_SEM_TRYWAIT:
		p->sem_recent = (uint16_t)(p->sem_recent << 1);
		if (p->sem_nrecent < M_SEM_RECENT)
			p->sem_nrecent++;
		if (r->ret == 0) {
			p->sem_won++;
			p->sem_recent |= 1;
			m->sem_value = 0;
			m->sem_owner = r->pid;
			m->sem_since = r->ts_ns;
		} else {
			p->sem_lost++;
		}
		break;
	case TR_SEM_POST:
		if (r->ret == 0) {
			m->sem_value = 1;
			m->sem_owner = 0;
			m->sem_since = r->ts_ns;
		}
		break;
	case TR_SEM_UNLINK:
		if (r->ret == 0) {
			m->sem_exists = 0;
			m->sem_unlinked = 1;
		}
		break;
	case TR_SIGNAL:
		p->signals++;
		p->last_signo = r->signo;
		p->last_si_code = r->si_code;
		p->last_si_pid = r->sender;
		break;
	case TR_FIFO_WAITING:
		m->fifo_pid = r->pid;
		str_copy(m->fifo_path, r->text, sizeof m->fifo_path);
		m->fifo_state = FIFO_WAITING;
		m->fifo_fd = -1;
		break;
	case TR_FIFO_OPENED:
		m->fifo_in_hup = 0;
		if (r->ret >= 0) {
			m->fifo_state = FIFO_OPEN;
			m->fifo_fd = (int)r->ret;
			pfd_set(p, (int)r->ret, FDK_FIFO, 0);
		}
		break;
	case TR_FIFO_HUP:
		m->fifo_hups++;
		if (!m->fifo_in_hup)
			m->fifo_hangups++;
		m->fifo_in_hup = 1;
		m->fifo_mode = r->op;
		break;
	case TR_HUP_STORM:
		apply_storm(m, p, r);
		if (r->op != 0)
			m->fifo_in_hup = 0; /* capped (the watcher reopens) or over (a writer is back) */
		break;
	case TR_LISTEN:
		if (r->ret == 0) {
			pfd_set(p, r->fd, FDK_LISTEN, r->port);
			if (m->port == 0 || p->role == ROLE_ECHO_PARENT) {
				m->port = r->port;
				m->backlog = r->backlog;
			}
		}
		break;
	case TR_OPEN:
		if (r->ret >= 0)
			pfd_set(p, (int)r->ret, fd_kind_of_open(r->op), 0);
		break;
	case TR_STRAY:
		p->strays++;
		break;
	case TR_INHERIT: {
		struct m_proc *from = model_proc(m, (uint32_t)r->pid2);
		const struct m_fd *ff = model_fd(from, r->fd);

		pfd_set(p, r->fd, fd_kind_of_open(r->op), ff ? ff->port : m->port);
		if (r->op == OPEN_EPOLL) {
			struct m_inst *in = inst_of(m, (uint32_t)r->pid2, r->fd);

			if (in && in->nholders < M_MAX_HOLDERS) {
				in->holders[in->nholders].pid = r->pid;
				in->holders[in->nholders].epfd = r->fd;
				in->nholders++;
			}
		}
		break;
	}
	case TR_FG:
		if (r->ret == 0)
			m->fg_pgid = r->pgid;
		break;
	case TR_JOB:
		apply_job(m, r);
		break;
	case TR_CLIENT:
		apply_client(m, r);
		break;
	case TR_ACCEPTQ:
		m->accept_queue = (int64_t)r->qlen;
		break;
	case TR_SETTLED:
		m->accept_queue = (int64_t)r->qlen;
		break;
	case TR_TTY:
		apply_tty(m, r->text);
		break;
	case TR_RUN_END:
		m->ended = 1;
		m->end_actions_failed = r->arg;
		m->end_flags = r->op;
		m->end_malformed = r->val;
		break;
	default:
		break;
	}
	/* A wait return after a storm means the storm is over. */
	if (r->type == TR_WAIT_RETURN && r->pid == m->fifo_pid && m->fifo_state == FIFO_STORM)
		m->fifo_state = m->fifo_fd >= 0 ? FIFO_OPEN : FIFO_WAITING;
}

const struct m_wait *
model_wait_back(const struct model *m, uint64_t k)
{
	if (k >= m->ntimeline || k >= M_TIMELINE)
		return NULL;
	return &m->timeline[(m->ntimeline - 1 - k) % M_TIMELINE];
}

void
model_sink(void *m, const struct trace_rec *r)
{
	model_apply(m, r);
}

const struct trace_rec *
model_event_back(const struct model *m, uint64_t k)
{
	if (k >= m->nevents || k >= M_EVENTS)
		return NULL;
	return &m->events[(m->nevents - 1 - k) % M_EVENTS];
}

const char *
model_tty_back(const struct model *m, int64_t k)
{
	if (k < 0)
		return m->tty[m->ntty % M_TTY_LINES];
	if ((uint64_t)k >= m->ntty || k >= M_TTY_LINES - 1)
		return NULL;
	return m->tty[(m->ntty - 1 - (uint64_t)k) % M_TTY_LINES];
}

int
model_is_echo(const struct m_proc *p)
{
	return p && (p->role == ROLE_ECHO_PARENT || p->role == ROLE_ECHO_WORKER);
}

int
model_is_job(const struct m_proc *p)
{
	return p && (model_is_echo(p) || p->role == ROLE_FIFO || p->role == ROLE_PROBE);
}

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

int
model_conns_of(const struct model *m, uint32_t pid)
{
	int n = 0;

	for (int i = 0; i < m->nconns; i++)
		if (m->conns[i].pid == pid)
			n++;
	return n;
}

const struct m_job *
model_job(const struct model *m, int pgid)
{
	for (int i = 0; i < m->njobs; i++)
		if (m->jobs[i].pgid == pgid)
			return &m->jobs[i];
	return NULL;
}

const struct m_job *
model_fg_job(const struct model *m)
{
	for (int i = 0; i < m->njobs; i++)
		if (!m->jobs[i].background)
			return &m->jobs[i];
	return NULL;
}

int
model_all_exited_cleanly(const struct model *m)
{
	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];

		if (p->role == ROLE_FRONTEND)
			continue;
		if (p->alive)
			return 0;
		if (p->reaped && (p->how != REAP_EXITED || p->code != 0))
			return 0;
		if (!p->reaped && p->has_exit && p->exit_status != 0)
			return 0;
	}
	return 1;
}
