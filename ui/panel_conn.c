/*
 * panel_conn.c - "Connections per pid": how many connections each echo
 * process accepted (with a bar of the split) and the accept races it lost
 * (EAGAIN: another took the connection), the accept queue the kernel
 * holds for the listening socket, the front end's clients and the last
 * reply (which pid answered), then the open connections one per line.
 */
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "crt.h"
#include "panel.h"

#define NAME_COL 14

/* TRANSLATORS: per echo process, the connections it accepted (the count right-aligned in 5 columns). */
#define ACCEPTED(n) P_("%5llu accepted ", "%5llu accepted ", (n))
/* TRANSLATORS: per echo process, the connections it accepted (narrow screen: the count unpadded). */
#define ACCEPTED_NARROW(n) P_("%llu accepted ", "%llu accepted ", (n))
/* TRANSLATORS: per echo process, the accept() races it lost (EAGAIN); short. */
#define LOST(n) P_("lost %llu", "lost %llu", (n))
/* TRANSLATORS: per echo process, its connections open now; short. */
#define OPEN(n) P_("open %llu", "open %llu", (n))

/* Display columns of a label with a number in it, as it shows n. */
static int
label_cols(const char *fmt, unsigned long long n)
{
	char buf[96];

	snprintf(buf, sizeof buf, fmt, n);
	return lines_cols(buf);
}

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
	int room, open, bar, narrow, split_cols, lost_cols, open_cols;
	int pct[M_MAX_PROCS] = { 0 };
	char name[48];

	for (int i = 0; i < m->nprocs; i++) {
		if (model_is_server(&m->procs[i])) {
			total += m->procs[i].accepts;
			lost += m->procs[i].accept_lost;
		}
	}
	/*
	 * The columns of a row's parts, as the labels are spelt: the split is
	 * "    2 accepted  50%", an open count "  open 1", a lost count "  lost 3".
	 */
	split_cols = label_cols(ACCEPTED(2), 2) + 4;
	lost_cols = 2 + label_cols(LOST(3), 3);
	open_cols = 2 + label_cols(OPEN(1), 1);
	/* Narrow: the name without its pid (panel 1 has both), the numbers unpadded. */
	narrow = w < NAME_COL + split_cols + (lost ? lost_cols : 0);
	room = narrow ? 0 : w - NAME_COL - split_cols - (lost ? lost_cols : 0);
	open = room >= open_cols;
	bar = room - (open ? open_cols : 0) - 1;
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
			lines_printf(L, "%s ", panel_role_name(v, p->pid, name, sizeof name));
			lines_printf(L, ACCEPTED_NARROW(p->accepts), (unsigned long long)p->accepts);
		} else {
			lines_field(L, panel_pid_name(v, p->pid, name, sizeof name), NAME_COL);
			lines_printf(L, ACCEPTED(p->accepts), (unsigned long long)p->accepts);
		}
		for (int k = 0; k < bar; k++)
			lines_put(L, k < fill ? CS_FG : CS_DIM, crt_g(k < fill ? G_BAR_FULL : G_BAR_EMPTY));
		lines_printf(L, narrow ? "%s%d%%" : "%s%3d%%", bar ? " " : "", pct[i]);
		if (lost) {
			lines_printf(L, "  ");
			lines_printf(L, LOST(p->accept_lost), (unsigned long long)p->accept_lost);
		}
		if (open) {
			int nc = model_conns_of(m, p->pid);

			lines_printf(L, "  ");
			lines_printf(L, OPEN(nc), (unsigned long long)nc);
		}
		if (!p->alive)
			/* TRANSLATORS: a process that has ended. */
			lines_put(L, CS_DIM, _(" (exited)"));
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
		/* TRANSLATORS: the listening socket on port %d was closed. */
		lines_printf(L, _("listener :%d closed"), l->port);
		if (l->qlen > 0) {
			lines_style(L, CS_DIM);
			/* TRANSLATORS: connections still in its accept queue, reset by the close. */
			lines_printf(L, P_(": %lld queued reset", ": %lld queued reset", l->qlen), (long long)l->qlen);
			lines_style(L, CS_NORMAL);
		}
		return;
	}
	/* TRANSLATORS: followed by how many connections wait in it (or 0, or ?). */
	lines_printf(L, "%s", _("accept queue "));
	if (l->qlen < 0) {
		lines_put(L, CS_DIM, "?");
	} else if (l->qlen > 0) {
		lines_style(L, CS_WARN);
		/* TRANSLATORS: connections waiting in the accept queue. */
		lines_printf(L, P_("%lld waiting", "%lld waiting", l->qlen), (long long)l->qlen);
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

		/* TRANSLATORS: a process's name ("echo-w0"), then its socket's inode as ls -l /proc/PID/fd shows it. */
		snprintf(detail + n, sizeof detail - n, _(", %s's socket:[%llu]"), c && c->name[0] ? c->name : "?",
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
	/* TRANSLATORS: the front end's clients: "clients 5 started . 4 answered . 1 failed . 2 held" (this and the next three). */
	lines_printf(L, P_("clients %llu started", "clients %llu started", m->nclients),
		     (unsigned long long)m->nclients);
	lines_printf(L, " %s ", crt_g(G_DOT));
	/* TRANSLATORS: clients that got their reply. */
	lines_printf(L, P_("%llu answered", "%llu answered", m->clients_answered),
		     (unsigned long long)m->clients_answered);
	lines_printf(L, " %s ", crt_g(G_DOT));
	lines_style(L, m->clients_failed ? CS_ERR : CS_NORMAL);
	/* TRANSLATORS: clients that failed. */
	lines_printf(L, P_("%llu failed", "%llu failed", m->clients_failed), (unsigned long long)m->clients_failed);
	lines_style(L, CS_NORMAL);
	if (v->clients_held) {
		lines_printf(L, " %s ", crt_g(G_DOT));
		/* TRANSLATORS: client connections the front end holds open. */
		lines_printf(L, P_("%d held", "%d held", v->clients_held), v->clients_held);
	}
	if (c == NULL)
		return;
	lines_add(L);
	/* TRANSLATORS: %s is an arrow, followed by the process that answered. */
	lines_printf(L, _("last reply %s "), crt_g(G_ARROW_L));
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
		/* TRANSLATORS: before the bytes a connection received; short, the same on every row; keep the spaces. */
		lines_printf(L, "%s", _(" in "));
		lines_field(L, fmt_bytes(c->in, in, sizeof in), 9);
		/* TRANSLATORS: before the bytes a connection sent; keep the spaces. */
		lines_printf(L, "%s%s", _(" out "), fmt_bytes(c->out, out, sizeof out));
	}
}

/* Fill the panel. */
static void
conn_draw(struct panel *pn, const struct view *v, int w)
{
	struct lines *L = &pn->L;
	char n[32];

	lines_reset(L);
	/* TRANSLATORS: in the panel's title: connections open now, and accepted in all (%s: a count, 1.2k when large). */
	snprintf(L->title, sizeof L->title, P_("%d open, %s accepted", "%d open, %s accepted", v->m->nconns),
		 v->m->nconns, fmt_count(v->m->conns_total, n, sizeof n));
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
	/* TRANSLATORS: a panel's title. */
	.name = N_("Connections per pid"),
	.key = '4',
	.help = N_("Connections each echo process accepted, with a bar of the split and how many "
		"are open now, and how many accept() races it lost (woken for a connection that "
		"another worker took first: accept() = -1 EAGAIN); the listening socket's accept "
		"queue (read with sock_diag, like "
		"ss -lnt Recv-Q) and backlog, one line per socket (SO_REUSEPORT gives each worker "
		"its own socket:[inode] and queue), or that the listener closed once no process holds it (the "
		"kernel resets what was still queued); the front end's clients, and the last reply with the "
		"pid that answered it; then every open connection (fd, peer port, bytes in/out)."),
	.fact = N_("Each process has its own interest list, so connections spread over the pids. "
		"With EPOLLET and one accept per wake-up (the notes' 358.c), a burst leaves "
		"connections waiting in the accept queue until the next edge: try z, b, f."),
	.applies = conn_applies,
	.col = PC_RIGHT,
	.order = 2,
	.min_h = 3,
	.grow = 1,
	.draw = conn_draw,
};
