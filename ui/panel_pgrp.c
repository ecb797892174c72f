/*
 * panel_pgrp.c - "Process groups": ps -eo pid,ppid,pgid,sid,tty,tpgid,
 * stat,cmd for the scenario's session and for the front end's own
 * terminal, from the process table the front end reads out of /proc.  Rows
 * of a terminal's foreground group (pgid == TPGID) are marked and bold,
 * and STAT carries ps's '+' for them.  Attached to processes, the same
 * table for them (from the kernel's view the screen read), with a line for
 * each one that is gone; in a replay, "live only".
 */
#include <stdio.h>
#include <string.h>

#include "crt.h"
#include "../src/ksnap.h"
#include "panel.h"

/* Columns of the foreground marker before the ids: the glyph (its bytes do not count). */
#define MARK_COLS 1

/* ps's STAT, in short: state, 's' for a session leader, '+' for the foreground group. */
static void
stat_str(const struct proc_row *r, char *buf, size_t cap)
{
	snprintf(buf, cap, "%c%s%s", r->state, r->pid == r->sid ? "s" : "",
		 r->tpgid > 0 && r->pgid == r->tpgid ? "+" : "");
}

/*
 * The command line without the plumbing epollviz passes to its roles
 * ("--role", "--trace-fd=5", "--sem=..."): "epollviz echo-server accept=...".
 */
static void
cmd_str(const char *cmd, char *buf, size_t cap)
{
	char tmp[sizeof ((struct proc_row *)0)->cmd];
	size_t len = 0;
	int ours = strncmp(cmd, "epollviz --role ", 16) == 0;

	snprintf(tmp, sizeof tmp, "%s", cmd);
	buf[0] = '\0';
	for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		int skip = ours && strncmp(t, "--", 2) == 0;

		if (!skip && len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? " " : "", t);
	}
}

/* Columns of the widest of a row's ids, at least 5 (TPGID): ps sizes its columns the same way. */
static int
id_width(const struct proc_row *r, int w)
{
	int ids[] = { r->pid, r->ppid, r->pgid, r->sid, r->tpgid };
	char buf[16];

	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		int n = snprintf(buf, sizeof buf, "%d", ids[i]);

		if (n > w)
			w = n;
	}
	return w;
}

/* Columns of the id columns: the widest id of every row shown, so that 7-digit pids still line up. */
static int
ids_width(const struct view *v)
{
	const struct kview *kv = v->ks && v->ks->have ? &v->ks->kv : NULL;
	int w = 5;

	for (int i = 0; i < v->nrows; i++)
		w = id_width(&v->rows[i], w);
	for (int i = 0; v->mode == VIEW_ATTACH && kv && i < kv->np; i++)
		w = id_width(&kv->p[i].row, w);
	return w;
}

/* One process, as ps prints it (ids nw columns wide), marked if in the foreground group. */
static void
row_line(struct lines *L, const struct view *v, const struct proc_row *r, int nw)
{
	int fg = r->tpgid > 0 && r->pgid == r->tpgid;
	char st[8], cmd[200];

	stat_str(r, st, sizeof st);
	cmd_str(r->cmd, cmd, sizeof cmd);
	lines_add(L);
	lines_style(L, fg ? CS_FG : CS_NORMAL);
	lines_field(L, fg ? crt_g(G_FG) : "", MARK_COLS);
	lines_printf(L, " %*d %*d %*d %*d ", nw, r->pid, nw, r->ppid, nw, r->pgid, nw, r->sid);
	lines_field(L, r->tty, 7);
	lines_printf(L, " %*d %-5s ", nw, r->tpgid, st);
	lines_hang(L);
	lines_printf(L, "%s", cmd);
	lines_style(L, CS_NORMAL);
	if (r->pid == v->self)
		lines_put(L, CS_YOU, "  (this front end)");
	else if (r->pid == r->sid && r->sid == v->session)
		lines_put(L, CS_DIM, "  (session leader: the shell)");
}

/* The rows of the scenario's session, or of the front end's terminal (ids nw columns wide). */
static void
section(struct lines *L, const struct view *v, int session, int nw)
{
	const struct proc_row *first = NULL;
	int n = 0;

	for (int i = 0; i < v->nrows; i++) {
		const struct proc_row *r = &v->rows[i];
		int in_session = v->session > 0 && r->sid == v->session;

		if (in_session != session)
			continue;
		if (first == NULL) {
			first = r;
			lines_add(L);
			lines_style(L, CS_DIM);
			if (session)
				lines_printf(L, "  the scenario's session %d on %s: foreground group %d",
					     (int)v->session, r->tty, r->tpgid);
			else
				lines_printf(L, "  your terminal %s: foreground group %d", r->tty, r->tpgid);
			lines_style(L, CS_NORMAL);
		}
		row_line(L, v, r, nw);
		n++;
	}
	if (n == 0 && session) {
		lines_add(L);
		lines_put(L, CS_DIM, "  the scenario's session has no process left");
	}
}

/* Attached: the watched processes as ps shows them (ids nw columns wide), and the ones that are gone. */
static void
attached(struct lines *L, const struct view *v, int nw)
{
	const struct kview *kv = v->ks && v->ks->have ? &v->ks->kv : NULL;

	for (int i = 0; kv && i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];

		if (p->gone) {
			lines_add(L);
			lines_style(L, CS_DIM);
			lines_field(L, "", MARK_COLS);
			lines_printf(L, " %*d %s%sgone: the process exited while watched", nw, p->pid,
				     p->row.comm, p->row.comm[0] ? " " : "");
			lines_style(L, CS_NORMAL);
			continue;
		}
		if (p->row.state == 'Z' || p->row.state == 'X') {
			row_line(L, v, &p->row, nw);
			lines_put(L, CS_DIM, "  gone: exited, not yet reaped");
			continue;
		}
		row_line(L, v, &p->row, nw);
	}
}

/* Fill the panel. */
static void
pgrp_draw(struct panel *pn, const struct view *v, int w)
{
	struct lines *L = &pn->L;
	int nw = ids_width(v);

	lines_reset(L);
	if (v->mode == VIEW_REPLAY) {
		panel_live_only(L, "The process table is read from /proc while a scenario runs. The "
				   "recording has its job, tcsetpgrp and signal records: see the Story (8).", w);
		return;
	}
	snprintf(L->title, sizeof L->title, "from /proc; %s = foreground group (TPGID)", crt_g(G_FG));
	lines_add(L);
	lines_style(L, CS_HEAD);
	lines_field(L, "", MARK_COLS);
	lines_printf(L, " %*s %*s %*s %*s %-7s %*s %-5s %s", nw, "PID", nw, "PPID", nw, "PGID", nw, "SID",
		     "TTY", nw, "TPGID", "STAT", "CMD");
	lines_end_header(L);
	if (v->mode == VIEW_ATTACH) {
		attached(L, v, nw);
		return;
	}
	section(L, v, 1, nw);
	section(L, v, 0, nw);
}

const struct panel_ops panel_pgrp_ops = {
	.name = "Process groups",
	.key = '6',
	.help = "ps -eo pid,ppid,pgid,sid,tty,tpgid,stat,cmd for the scenario's session and for "
		"your own terminal, read from /proc a few times a second. Rows whose PGID equals "
		"their terminal's TPGID (field 8 of /proc/PID/stat) are the foreground group: "
		"marked, bold, and '+' in STAT as ps shows it. Attached to processes: the same "
		"columns for them, and a line for each one that exited while watched.",
	.fact = "Ctrl+C: the terminal's line discipline (the kernel, si_code SI_KERNEL) sends "
		"SIGINT to every process of the foreground process group only; the shell (the "
		"session leader) sits in another group and gets nothing (fact 9). Only the "
		"foreground group may read the terminal: a background reader gets SIGTTIN.",
	.col = PC_BOTTOM,
	.order = 1,
	.min_h = 4,
	.grow = 1,
	.draw = pgrp_draw,
};
