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
#include "../src/i18n.h"
#include "../src/ksnap.h"
#include "panel.h"

/* Columns of the foreground marker before the ids: the glyph (its bytes do not count). */
#define MARK_COLS 1
#define TTY_COLS 7  /* at least, as "pts/12" and the header */
#define STAT_COLS 5 /* at least, as "Ss+" and the header */

/*
 * The table's column headers, as ps prints them.  They are ps's own
 * names (TPGID is field 8 of /proc/PID/stat): a translation may keep them,
 * and the columns take the width of the wider of the header and the values.
 */
enum { H_PID, H_PPID, H_PGID, H_SID, H_TTY, H_TPGID, H_STAT, H_CMD, H__COUNT };

/* The widths of the columns: ids (each as wide as the widest id or its header), TTY, STAT. */
struct cols {
	int id[5]; /* PID, PPID, PGID, SID, TPGID */
	int tty, stat;
};

/* The headers, translated. */
static void
headers(const char *h[H__COUNT])
{
	/* TRANSLATORS: Process groups panel, column headers as ps -o prints them (PID, PPID...): students compare them with ps; translating them is allowed but ps keeps them in every language. */
	h[H_PID] = _("PID");
	/* TRANSLATORS: Process groups panel, ps's column header: parent's pid. */
	h[H_PPID] = _("PPID");
	/* TRANSLATORS: Process groups panel, ps's column header: process group id. */
	h[H_PGID] = _("PGID");
	/* TRANSLATORS: Process groups panel, ps's column header: session id. */
	h[H_SID] = _("SID");
	/* TRANSLATORS: Process groups panel, ps's column header: the controlling terminal ("pts/3"). */
	h[H_TTY] = _("TTY");
	/* TRANSLATORS: Process groups panel, ps's column header: the terminal's foreground process group (the help and other texts call it TPGID). */
	h[H_TPGID] = _("TPGID");
	/* TRANSLATORS: Process groups panel, ps's column header: the state letters ("Ss+"; the help refers to '+' in STAT). */
	h[H_STAT] = _("STAT");
	/* TRANSLATORS: Process groups panel, ps's column header: the command line (last column, any width). */
	h[H_CMD] = _("CMD");
}

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

/* The widths of the columns: each the wider of its values and its header (in display columns). */
static struct cols
widths(const struct view *v, const char *h[H__COUNT])
{
	static const int ids[5] = { H_PID, H_PPID, H_PGID, H_SID, H_TPGID };
	struct cols c;
	int nw = ids_width(v);

	for (int i = 0; i < 5; i++)
		c.id[i] = lines_cols(h[ids[i]]) > nw ? lines_cols(h[ids[i]]) : nw;
	c.tty = lines_cols(h[H_TTY]) > TTY_COLS ? lines_cols(h[H_TTY]) : TTY_COLS;
	c.stat = lines_cols(h[H_STAT]) > STAT_COLS ? lines_cols(h[H_STAT]) : STAT_COLS;
	return c;
}

/* One process, as ps prints it (in the columns c), marked if in the foreground group. */
static void
row_line(struct lines *L, const struct view *v, const struct proc_row *r, const struct cols *c)
{
	int fg = r->tpgid > 0 && r->pgid == r->tpgid;
	char st[8], cmd[200];

	stat_str(r, st, sizeof st);
	cmd_str(r->cmd, cmd, sizeof cmd);
	lines_add(L);
	lines_style(L, fg ? CS_FG : CS_NORMAL);
	lines_field(L, fg ? crt_g(G_FG) : "", MARK_COLS);
	lines_printf(L, " %*d %*d %*d %*d ", c->id[0], r->pid, c->id[1], r->ppid, c->id[2], r->pgid, c->id[3], r->sid);
	lines_field(L, r->tty, c->tty);
	lines_printf(L, " %*d ", c->id[4], r->tpgid);
	lines_field(L, st, c->stat);
	lines_printf(L, " ");
	lines_hang(L);
	lines_printf(L, "%s", cmd);
	lines_style(L, CS_NORMAL);
	if (r->pid == v->self) {
		lines_printf(L, "  ");
		/* TRANSLATORS: Process groups panel, after a row's command: this row is epollviz itself. */
		lines_put(L, CS_YOU, _("(this front end)"));
	} else if (r->pid == r->sid && r->sid == v->session) {
		lines_printf(L, "  ");
		/* TRANSLATORS: Process groups panel, after a row's command: the scenario's shell leads its session. */
		lines_put(L, CS_DIM, _("(session leader: the shell)"));
	}
}

/* The rows of the scenario's session, or of the front end's terminal (in the columns c). */
static void
section(struct lines *L, const struct view *v, int session, const struct cols *c)
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
			lines_printf(L, "  ");
			if (session)
				/* TRANSLATORS: Process groups panel, above the scenario's rows: %1$d: its session id, %2$s: its tty ("pts/3"), %3$d: the foreground process group. */
				lines_printf(L, _("the scenario's session %1$d on %2$s: foreground group %3$d"),
					     (int)v->session, r->tty, r->tpgid);
			else
				/* TRANSLATORS: Process groups panel, above the rows of the user's own terminal: %1$s: its tty, %2$d: the foreground process group. */
				lines_printf(L, _("your terminal %1$s: foreground group %2$d"), r->tty, r->tpgid);
			lines_style(L, CS_NORMAL);
		}
		row_line(L, v, r, c);
		n++;
	}
	if (n == 0 && session) {
		lines_add(L);
		lines_put(L, CS_DIM, "  ");
		/* TRANSLATORS: Process groups panel: every process of the scenario's session has ended. */
		lines_put(L, CS_DIM, _("the scenario's session has no process left"));
	}
}

/* Attached: the watched processes as ps shows them (in the columns c), and the ones that are gone. */
static void
attached(struct lines *L, const struct view *v, const struct cols *c)
{
	const struct kview *kv = v->ks && v->ks->have ? &v->ks->kv : NULL;

	for (int i = 0; kv && i < kv->np; i++) {
		const struct kv_proc *p = &kv->p[i];

		if (p->gone) {
			lines_add(L);
			lines_style(L, CS_DIM);
			lines_field(L, "", MARK_COLS);
			lines_printf(L, " %*d %s%s", c->id[0], p->pid, p->row.comm, p->row.comm[0] ? " " : "");
			/* TRANSLATORS: Process groups panel, attached, after a pid and its name: the process is no more. */
			lines_printf(L, "%s", _("gone: the process exited while watched"));
			lines_style(L, CS_NORMAL);
			continue;
		}
		if (p->row.state == 'Z' || p->row.state == 'X') {
			row_line(L, v, &p->row, c);
			lines_put(L, CS_DIM, "  ");
			/* TRANSLATORS: Process groups panel, attached, after a zombie's row: it exited, its parent has not called wait yet. */
			lines_put(L, CS_DIM, _("gone: exited, not yet reaped"));
			continue;
		}
		row_line(L, v, &p->row, c);
	}
}

/* " " and s right-aligned in w display columns (printf's " %*s", counted in columns). */
static void
head_right(struct lines *L, const char *s, int w)
{
	int at = L->v[L->n - 1].cols + 1, sw = lines_cols(s);

	lines_pad(L, at + (w > sw ? w - sw : 0));
	lines_printf(L, "%s", s);
}

/* Fill the panel. */
static void
pgrp_draw(struct panel *pn, const struct view *v, int w)
{
	struct lines *L = &pn->L;
	const char *h[H__COUNT];
	struct cols c;

	lines_reset(L);
	if (v->mode == VIEW_REPLAY) {
		/* TRANSLATORS: Process groups panel in a replay, under "live only — not in a recording"; (8) is the Story panel's key. */
		panel_live_only(L, _("The process table is read from /proc while a scenario runs. The "
				     "recording has its job, tcsetpgrp and signal records: see the Story (8)."), w);
		return;
	}
	headers(h);
	c = widths(v, h);
	/* TRANSLATORS: after the Process groups panel's title, on its top rule; %s: the marker glyph of foreground rows. */
	snprintf(L->title, sizeof L->title, _("from /proc; %s = foreground group (TPGID)"), crt_g(G_FG));
	lines_add(L);
	lines_style(L, CS_HEAD);
	lines_field(L, "", MARK_COLS);
	/* Ids right-aligned as ps does, by display columns. */
	for (int i = 0; i < 4; i++)
		head_right(L, h[H_PID + i], c.id[i]);
	lines_printf(L, " ");
	lines_field(L, h[H_TTY], c.tty);
	head_right(L, h[H_TPGID], c.id[4]);
	lines_printf(L, " ");
	lines_field(L, h[H_STAT], c.stat);
	lines_printf(L, " %s", h[H_CMD]);
	lines_end_header(L);
	if (v->mode == VIEW_ATTACH) {
		attached(L, v, &c);
		return;
	}
	section(L, v, 1, &c);
	section(L, v, 0, &c);
}

const struct panel_ops panel_pgrp_ops = {
	/* TRANSLATORS: a panel's title (the ps-like table of processes): at most 20 columns. */
	.name = N_("Process groups"),
	.key = '6',
	.help = N_("ps -eo pid,ppid,pgid,sid,tty,tpgid,stat,cmd for the scenario's session and for "
		"your own terminal, read from /proc a few times a second. Rows whose PGID equals "
		"their terminal's TPGID (field 8 of /proc/PID/stat) are the foreground group: "
		"marked, bold, and '+' in STAT as ps shows it. Attached to processes: the same "
		"columns for them, and a line for each one that exited while watched."),
	.fact = N_("Ctrl+C: the terminal's line discipline (the kernel, si_code SI_KERNEL) sends "
		"SIGINT to every process of the foreground process group only; the shell (the "
		"session leader) sits in another group and gets nothing (fact 9). Only the "
		"foreground group may read the terminal: a background reader gets SIGTTIN."),
	.col = PC_BOTTOM,
	.order = 1,
	.min_h = 4,
	.grow = 1,
	.draw = pgrp_draw,
};
