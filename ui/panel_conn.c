/*
 * panel_conn.c - "Connections per pid": how many connections each echo
 * process accepted (with a bar of the split) and the accept races it lost
 * (EAGAIN: another took the connection), the accept queue the kernel
 * holds for the listening socket, the front end's clients and the last
 * reply (which pid answered), then the open connections one per line.
 */
#include <stdio.h>
#include <string.h>

#include "crt.h"
#include "panel.h"

#define NAME_COL 14
#define SPLIT_COLS 19 /* "    2 accepted  50%" */
#define OPEN_COLS 8   /* "  open 1" */
#define LOST_COLS 8   /* "  lost 3" */

/* The newest client that got a reply, or NULL. */
static const struct m_client *
last_reply(const struct model *m)
{
	const struct m_client *best = NULL;

	for (int i = 0; i < M_CLIENTS; i++) {
		const struct m_client *c = &m->clients[i];

		if (c->id > 0 && c->reply[0] && (best == NULL || c->id > best->id))
			best = c;
	}
	return best;
}

/*
 * Each echo process's share of total in whole percents that add up to 100:
 * the rounded-down shares, then one point each to the largest remainders.
 */
static void
shares(const struct model *m, uint64_t total, int *pct)
{
	int left = 100, given[M_MAX_PROCS] = { 0 };

	for (int i = 0; i < m->nprocs; i++) {
		pct[i] = total ? (int)(m->procs[i].accepts * 100 / total) : 0;
		if (model_is_server(&m->procs[i]))
			left -= pct[i];
	}
	while (total && left > 0) {
		int best = -1;
		uint64_t rem = 0;

		for (int i = 0; i < m->nprocs; i++) {
			uint64_t r = m->procs[i].accepts * 100 % total;

			if (model_is_server(&m->procs[i]) && !given[i] && r > 0 && (best < 0 || r > rem)) {
				best = i;
				rem = r;
			}
		}
		if (best < 0)
			break;
		pct[best]++;
		given[best] = 1;
		left--;
	}
}

/*
 * Per echo process: connections accepted and its share, the accept races it
 * lost (when any was), then as room allows the connections open now and
 * the split as a bar.
 */
static void
split_lines(struct lines *L, const struct view *v, int w)
{
	const struct model *m = v->m;
	uint64_t total = 0, lost = 0;
	int room, open, bar, narrow;
	int pct[M_MAX_PROCS] = { 0 };
	char name[48];

	for (int i = 0; i < m->nprocs; i++) {
		if (model_is_server(&m->procs[i])) {
			total += m->procs[i].accepts;
			lost += m->procs[i].accept_lost;
		}
	}
	/* Narrow: the name without its pid (panel 1 has both), the numbers unpadded. */
	narrow = w < NAME_COL + SPLIT_COLS + (lost ? LOST_COLS : 0);
	room = narrow ? 0 : w - NAME_COL - SPLIT_COLS - (lost ? LOST_COLS : 0);
	open = room >= OPEN_COLS;
	bar = room - (open ? OPEN_COLS : 0) - 1;
	if (bar > 30)
		bar = 30;
	if (bar < 4)
		bar = 0;
	shares(m, total, pct);
	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];
		int fill = total ? (int)((p->accepts * (uint64_t)bar + total / 2) / total) : 0;

		if (!model_is_server(p))
			continue;
		lines_add(L);
		if (narrow) {
			lines_printf(L, "%s %llu accepted ", panel_role_name(v, p->pid, name, sizeof name),
				     (unsigned long long)p->accepts);
		} else {
			lines_field(L, panel_pid_name(v, p->pid, name, sizeof name), NAME_COL);
			lines_printf(L, "%5llu accepted ", (unsigned long long)p->accepts);
		}
		for (int k = 0; k < bar; k++)
			lines_put(L, k < fill ? CS_FG : CS_DIM, crt_g(k < fill ? G_BAR_FULL : G_BAR_EMPTY));
		lines_printf(L, narrow ? "%s%d%%" : "%s%3d%%", bar ? " " : "", pct[i]);
		if (lost)
			lines_printf(L, "  lost %llu", (unsigned long long)p->accept_lost);
		if (open)
			lines_printf(L, "  open %d", model_conns_of(m, p->pid));
		if (!p->alive)
			lines_put(L, CS_DIM, " (exited)");
	}
}

/* One listening socket's accept queue and backlog, or that it is closed. */
static void
queue_line(struct lines *L, const struct view *v, const struct m_listen *l, int w)
{
	char detail[160];

	lines_add(L);
	if (!model_listen_open(l)) {
		/* Closing a listener resets the connections in its queue: no queue is left to show. */
		lines_printf(L, "listener :%d closed", l->port);
		if (l->qlen > 0) {
			lines_style(L, CS_DIM);
			lines_printf(L, ": %lld queued reset", (long long)l->qlen);
			lines_style(L, CS_NORMAL);
		}
		return;
	}
	lines_printf(L, "accept queue ");
	if (l->qlen < 0) {
		lines_put(L, CS_DIM, "?");
	} else if (l->qlen > 0) {
		lines_style(L, CS_WARN);
		lines_printf(L, "%lld waiting", (long long)l->qlen);
		lines_style(L, CS_NORMAL);
	} else {
		lines_printf(L, "0");
	}
	/* The socket's particulars beside the queue, or under it when they do not fit. */
	snprintf(detail, sizeof detail, "backlog %d, %s:%d", l->backlog, l->addr[0] ? l->addr : "?", l->port);
	if (l->reuseport && l->inode) {
		/* Reuseport: each worker's own socket, with a queue of its own. */
		const struct m_proc *c = model_proc(v->m, l->creator);
		size_t n = strlen(detail);

		snprintf(detail + n, sizeof detail - n, ", %s's socket:[%llu]", c && c->name[0] ? c->name : "?",
			 (unsigned long long)l->inode);
	}
	if (L->v[L->n - 1].cols + 4 + lines_cols(detail) > w && l->reuseport && l->inode) {
		/* Narrow, one socket of several: which socket it is matters, the rest panel 1 has. */
		lines_style(L, CS_DIM);
		lines_printf(L, "  socket:[%llu]", (unsigned long long)l->inode);
		lines_style(L, CS_NORMAL);
		return;
	}
	if (L->v[L->n - 1].cols + 4 + lines_cols(detail) > w) {
		lines_add(L);
		lines_pad(L, 2);
	} else {
		lines_printf(L, "  ");
	}
	lines_style(L, CS_DIM);
	lines_printf(L, "(%s)", detail);
	lines_style(L, CS_NORMAL);
}

/* The front end's clients, and the last reply with its pid. */
static void
client_lines(struct lines *L, const struct view *v)
{
	const struct model *m = v->m;
	const struct m_client *c = last_reply(m);
	char name[48];

	lines_add(L);
	lines_printf(L, "clients %llu started %s %llu answered %s ",
		     (unsigned long long)m->nclients, crt_g(G_DOT),
		     (unsigned long long)m->clients_answered, crt_g(G_DOT));
	lines_style(L, m->clients_failed ? CS_ERR : CS_NORMAL);
	lines_printf(L, "%llu failed", (unsigned long long)m->clients_failed);
	lines_style(L, CS_NORMAL);
	if (v->clients_held)
		lines_printf(L, " %s %d held", crt_g(G_DOT), v->clients_held);
	if (c == NULL)
		return;
	lines_add(L);
	lines_printf(L, "last reply %s ", crt_g(G_ARROW_L));
	lines_style(L, CS_TITLE);
	lines_printf(L, "%s", c->answered_by ? panel_pid_name(v, c->answered_by, name, sizeof name) : "?");
	lines_style(L, CS_NORMAL);
	lines_printf(L, ": \"%s\"", c->reply);
}

/* One line per open connection. */
static void
open_lines(struct lines *L, const struct view *v)
{
	const struct model *m = v->m;
	char name[48], in[32], out[32];

	for (int i = 0; i < m->nconns; i++) {
		const struct m_conn *c = &m->conns[i];

		lines_add(L);
		lines_printf(L, "  fd %-3d %s :%-5d ", c->fd, crt_g(G_ARROW_L), c->peer_port);
		lines_field(L, panel_pid_name(v, c->pid, name, sizeof name), NAME_COL);
		lines_printf(L, " in %-9s out %s", fmt_bytes(c->in, in, sizeof in), fmt_bytes(c->out, out, sizeof out));
	}
}

/* Fill the panel. */
static void
conn_draw(struct panel *pn, const struct view *v, int w)
{
	struct lines *L = &pn->L;
	char n[32];

	lines_reset(L);
	snprintf(L->title, sizeof L->title, "%d open, %s accepted", v->m->nconns,
		 fmt_count(v->m->conns_total, n, sizeof n));
	split_lines(L, v, w);
	for (int i = 0; i < v->m->nlistens; i++)
		queue_line(L, v, &v->m->listens[i], w);
	client_lines(L, v);
	open_lines(L, v);
}

/* Is there a listening socket? */
static int
conn_applies(const struct view *v)
{
	return v->m->nlistens > 0;
}

const struct panel_ops panel_conn_ops = {
	.name = "Connections per pid",
	.key = '4',
	.help = "Connections each echo process accepted, with a bar of the split and how many "
		"are open now, and how many accept() races it lost (woken for a connection that "
		"another worker took first: accept() = -1 EAGAIN); the listening socket's accept "
		"queue (read with sock_diag, like "
		"ss -lnt Recv-Q) and backlog, one line per socket (SO_REUSEPORT gives each worker "
		"its own socket:[inode] and queue), or that the listener closed once no process holds it (the "
		"kernel resets what was still queued); the front end's clients, and the last reply with the "
		"pid that answered it; then every open connection (fd, peer port, bytes in/out).",
	.fact = "Each process has its own interest list, so connections spread over the pids. "
		"With EPOLLET and one accept per wake-up (the notes' 358.c), a burst leaves "
		"connections waiting in the accept queue until the next edge: try z, b, f.",
	.applies = conn_applies,
	.col = PC_RIGHT,
	.order = 2,
	.min_h = 3,
	.grow = 1,
	.draw = conn_draw,
};
