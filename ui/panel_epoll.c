/*
 * panel_epoll.c - "Epoll instances": per process, each epoll fd, the
 * kernel object it names, and its interest list (fd, what the fd is, mask,
 * data); shared instances say so; failed epoll_ctl calls are listed under
 * the process that made them.  Reads the model only.
 */
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/trace_rec.h"
#include "../src/util.h"
#include "crt.h"
#include "panel.h"

#define MAX_CTL_ERRORS 3

/* Is l one of several listening sockets on its port (SO_REUSEPORT)? */
static int
port_shared(const struct model *m, const struct m_listen *l)
{
	for (int i = 0; i < m->nlistens; i++)
		if (&m->listens[i] != l && m->listens[i].port == l->port)
			return 1;
	return 0;
}

/* What an fd of process p is, in words, and the style to show it in. */
static int
fd_desc(const struct model *m, const struct m_proc *p, int fd, char *buf, size_t cap)
{
	const struct m_fd *f = model_fd(p, fd);
	const struct m_listen *l = model_listen_of(m, p, fd);

	if (f == NULL) {
		snprintf(buf, cap, "?");
		return CS_DIM;
	}
	switch (f->kind) {
	case FDK_LISTEN:
		/* Sockets sharing a port are told apart as ls -l /proc/PID/fd does. */
		if (l && l->inode && port_shared(m, l))
			/* TRANSLATORS: %s is a glyph for a listening socket, :%d its port, socket:[%llu] its inode as ls -l /proc/PID/fd shows it. */
			snprintf(buf, cap, _("%s listening :%d socket:[%llu]"), crt_g(G_LISTEN), f->port,
				 (unsigned long long)l->inode);
		else
			/* TRANSLATORS: %s is a glyph for a listening socket, :%d its port. */
			snprintf(buf, cap, _("%s listening :%d"), crt_g(G_LISTEN), f->port);
		return CS_LISTEN;
	/* TRANSLATORS: what a watched fd is: a connection, %s an arrow, :%d the port it came in on. */
	case FDK_CONN: snprintf(buf, cap, _("connection %s :%d"), crt_g(G_ARROW_L), f->port); break;
	/* TRANSLATORS: what a watched fd is (this and the next four). */
	case FDK_FIFO: snprintf(buf, cap, "%s", _("FIFO (read end)")); break;
	case FDK_FILE: snprintf(buf, cap, "%s", _("regular file")); break;
	case FDK_PIPE_R: snprintf(buf, cap, "%s", _("pipe (read end)")); break;
	case FDK_PIPE_W: snprintf(buf, cap, "%s", _("pipe (write end)")); break;
	case FDK_EPOLL: snprintf(buf, cap, "%s", _("epoll fd")); break;
	default: snprintf(buf, cap, "?"); return CS_DIM;
	}
	return CS_NORMAL;
}

/* One entry of an interest list. */
static void
watch_line(struct lines *L, const struct view *v, const struct m_inst *in,
	   const struct m_watch *w, uint32_t holder, int wide)
{
	const struct m_proc *owner = model_proc(v->m, w->owner);
	char kind[64], mask[96], data[48];
	int st = fd_desc(v->m, owner, w->fd, kind, sizeof kind);

	lines_add(L);
	lines_printf(L, "   fd %-3d ", w->fd);
	lines_put(L, st, kind);
	if (L->v[L->n - 1].cols >= (wide ? 34 : 30))
		lines_printf(L, " "); /* a long description pushes the mask right, a space apart */
	else
		lines_pad(L, wide ? 34 : 30);
	lines_printf(L, "%-10s ", epoll_mask_str(w->events, 1, mask, sizeof mask));
	lines_put(L, CS_DIM, "data "); /* ev.data, the field's own name */
	if (w->data == (uint64_t)w->fd) /* the fd itself, whatever its size */
		lines_printf(L, "%d", w->fd);
	else
		lines_printf(L, "%s", panel_data_str(w->data, 1, data, sizeof data));
	if (in->nholders > 1 && w->owner != holder) {
		lines_style(L, CS_DIM);
		/* TRANSLATORS: the pid that added this entry to a shared interest list. */
		lines_printf(L, _("  added by %u"), w->owner);
		lines_style(L, CS_NORMAL);
	}
}

/* The last failed epoll_ctl calls of pid, in the order they were made, from the story events. */
static void
ctl_errors(struct lines *L, const struct view *v, uint32_t pid)
{
	const struct trace_rec *last[MAX_CTL_ERRORS];
	int n = 0;

	for (uint64_t k = 0; n < MAX_CTL_ERRORS; k++) {
		const struct trace_rec *e = model_event_back(v->m, k);

		if (e == NULL)
			break;
		if (e->type == TR_EPOLL_CTL && e->pid == pid && e->ret != 0)
			last[n++] = e;
	}
	while (n-- > 0) {
		const struct trace_rec *e = last[n];

		lines_add(L);
		lines_printf(L, "   ");
		lines_style(L, CS_ERR);
		lines_printf(L, "epoll_ctl(%s, fd %d) = -1 %s", epoll_op_name(e->op, 0), e->fd,
			     errno_name(e->err));
		lines_style(L, CS_NORMAL);
	}
}

/* The instance's holders other than (pid, epfd), as "4841/fd 4". */
static void
holders_desc(const struct m_inst *in, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int h = 0; h < in->nholders && len < cap; h++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%u", h ? "+" : "", in->holders[h].pid);
}

/* Has an earlier holder (in process order) already listed instance in? */
static int
listed_before(const struct view *v, const struct m_inst *in, uint32_t pid)
{
	for (int i = 0; i < v->m->nprocs; i++) {
		const struct m_proc *p = &v->m->procs[i];

		if (p->pid == pid)
			return 0;
		if (!p->alive)
			continue;
		for (int h = 0; h < in->nholders; h++)
			if (in->holders[h].pid == p->pid)
				return 1;
	}
	return 0;
}

/* A process's epoll fds, their instances and interest lists. */
static void
proc_block(struct lines *L, const struct view *v, const struct m_proc *p, int w)
{
	const struct model *m = v->m;
	char name[48], hold[96];
	int any = 0;

	for (int i = 0; i < m->ninst; i++) {
		const struct m_inst *in = &m->inst[i];
		int epfd = -1;

		for (int h = 0; h < in->nholders; h++)
			if (in->holders[h].pid == p->pid)
				epfd = in->holders[h].epfd;
		if (epfd < 0)
			continue;
		if (!any) {
			lines_add(L);
			lines_put(L, CS_TITLE, panel_pid_name(v, p->pid, name, sizeof name));
			any = 1;
		} else {
			lines_add(L);
			lines_pad(L, lines_cols(panel_pid_name(v, p->pid, name, sizeof name)));
		}
		/* TRANSLATORS: epfd: an epoll fd number (keep the word); %s is an arrow; #%d the instance's number. */
		lines_printf(L, _("  epfd %d %s instance #%d"), epfd, crt_g(G_ARROW_R), in->id);
		if (in->nholders > 1) {
			holders_desc(in, hold, sizeof hold);
			lines_printf(L, "  ");
			/* TRANSLATORS: a badge on an epoll instance held by several processes; keep the spaces around it. */
			lines_put(L, CS_SHARED, _(" SHARED "));
			lines_printf(L, " %s", hold);
		}
		if (listed_before(v, in, p->pid)) {
			lines_add(L);
			lines_put(L, CS_DIM, _("   the same interest list as above: one kernel object, two fds"));
			continue;
		}
		lines_style(L, CS_DIM);
		lines_printf(L, "  ");
		{
			char n[32];

			/* TRANSLATORS: how many times epoll_wait returned on this instance; %s is the count (as 1.2k when large). */
			lines_printf(L, P_("%s return", "%s returns", in->returns), fmt_count(in->returns, n, sizeof n));
		}
		lines_style(L, CS_NORMAL);
		if (in->nw == 0) {
			lines_add(L);
			/* Empty as traced: the kernel may still hold an entry for a file an fd was closed on. */
			lines_put(L, CS_DIM, in->closed_out ? _("   (interest list empty as traced; k: the kernel's own)")
							   : _("   (interest list empty)"));
		}
		/* The listening socket first: it is what the workers share. */
		for (int pass = 0; pass < 2; pass++) {
			for (int k = 0; k < in->nw; k++) {
				if (panel_watch_is_listen(m, &in->w[k]) == (pass == 0))
					watch_line(L, v, in, &in->w[k], p->pid, w >= 70);
			}
		}
	}
	if (any)
		ctl_errors(L, v, p->pid);
	else if (model_is_job(p)) {
		lines_add(L);
		lines_put(L, CS_TITLE, panel_pid_name(v, p->pid, name, sizeof name));
		lines_put(L, CS_DIM, _("  no epoll instance"));
		ctl_errors(L, v, p->pid);
	}
}

/* Fill the panel, process by process. */
static void
epoll_draw(struct panel *pn, const struct view *v, int w)
{
	struct lines *L = &pn->L;
	int n = v->m->ninst;

	lines_reset(L);
	/* TRANSLATORS: in the panel's title: how many epoll instances there are. */
	snprintf(L->title, sizeof L->title, P_("%d instance", "%d instances", n), n);
	for (int i = 0; i < v->m->nprocs; i++) {
		const struct m_proc *p = &v->m->procs[i];

		if (p->alive && p->role != ROLE_FRONTEND && p->role != ROLE_SESSION)
			proc_block(L, v, p, w);
	}
	if (L->n == 0) {
		lines_add(L);
		if (v->m->next_inst_id > 1)
			lines_put(L, CS_DIM, _("no epoll instance left: every one was closed"));
		else if (v->m->njobs > 0 && model_jobs_done(v->m) == v->m->njobs)
			/* TRANSLATORS: the epoll panel when every job has ended and none ever called epoll_create. */
			lines_put(L, CS_DIM, _("no epoll instance: the jobs ended without making one"));
		else
			lines_put(L, CS_DIM, _("no epoll instance yet"));
	}
}

const struct panel_ops panel_epoll_ops = {
	/* TRANSLATORS: a panel's title. */
	.name = N_("Epoll instances"),
	.key = '1',
	.help = N_("Per process: each epoll fd, the instance (kernel object) it names, and its "
		"interest list: the watched fd, what that fd is, the mask asked for, and ev.data. "
		"The listening socket is marked; an instance held by several pids says SHARED; "
		"data shown as pid/fd is the shared-epoll tag pid<<32|fd. "
		"Failed epoll_ctl calls (EEXIST, EPERM, EBADF) are listed under the process."),
	.fact = N_("epoll_create1 returns an fd naming a kernel object and epoll_ctl edits its "
		"interest list, one entry per (instance, fd): a second ADD fails with EEXIST. "
		"ev.data is the caller's own and comes back verbatim (facts 1-3). A regular "
		"file cannot be added (EPERM)."),
	.applies = panel_in_scenario,
	.col = PC_LEFT,
	.order = 1,
	.min_h = 3,
	.grow = 1,
	.draw = epoll_draw,
};
