/*
 * panel_fifo.c - "FIFO": the watcher of 262.c: waiting for a writer, open
 * and watched, or in an EPOLLHUP storm (with its count and rate); what it
 * read against what you wrote, and what its close threw away; a shadowed
 * file_fd that names a closed fd; its hang-up handling; and whether the
 * front end holds a writer.
 */
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "crt.h"
#include "panel.h"

/* Waiting, open, or in a storm; and the last storm. */
static void
state_line(struct lines *L, const struct m_fifo *f)
{
	char n[32], r[32], d[32];
	double secs = (double)f->storm_ns / 1e9;

	lines_add(L);
	switch (f->state) {
	case FIFO_NONE:
		/* TRANSLATORS: the FIFO watcher. */
		lines_put(L, CS_DIM, _("not started yet"));
		break;
	case FIFO_WAITING:
		lines_put(L, CS_WARN, _("waiting for a writer"));
		lines_put(L, CS_DIM, _(": open(O_RDONLY) blocks until one comes"));
		break;
	case FIFO_OPEN:
		/* TRANSLATORS: the FIFO's state: opened (by the watcher). */
		lines_put(L, CS_OK, _("open"));
		lines_printf(L, _(": fd %d watched for IN|HUP"), f->fd);
		break;
	case FIFO_STORM:
		lines_style(L, CS_ERR);
		/* TRANSLATORS: %s%s is a times sign and a count: "HUP storm x1.2k". */
		lines_printf(L, _("HUP storm %s%s"), crt_g(G_TIMES), fmt_count(f->storm_count, n, sizeof n));
		lines_style(L, CS_NORMAL);
		if (secs > 0)
			/* TRANSLATORS: a duration, then a rate (" in 2.1s (40k/s)"). */
			lines_printf(L, _(" in %s (%s)"), fmt_dur(f->storm_ns, d, sizeof d),
				     fmt_rate((double)f->storm_count / secs, r, sizeof r));
		lines_put(L, CS_DIM, _(": the writer is gone, EPOLLHUP every wait"));
		break;
	case FIFO_GONE:
		/* TRANSLATORS: the FIFO watcher has ended. */
		lines_put(L, CS_DIM, _("gone"));
		break;
	}
	if (f->state != FIFO_STORM && f->storm_count > 0) {
		lines_add(L);
		lines_style(L, CS_ERR);
		/* TRANSLATORS: %s%s is a times sign and a count: "last storm x1.2k". */
		lines_printf(L, _("last storm %s%s"), crt_g(G_TIMES), fmt_count(f->storm_count, n, sizeof n));
		lines_style(L, CS_NORMAL);
		/* TRANSLATORS: a duration (" in 2.1s"). */
		lines_printf(L, _(" in %s"), fmt_dur(f->storm_ns, d, sizeof d));
		lines_put(L, CS_DIM, f->capped ? _(" (cap reached: the watcher applied the cure)")
					       : _(" (ended: a writer came back)"));
	}
}

/* The scenario's FIFO job, or NULL (a recording of an unknown scenario). */
static const struct job_cfg *
fifo_job(const struct view *v)
{
	int j = scenario_job_of(v->sc, JOB_FIFO);

	return j >= 0 ? &v->sc->jobs[j] : NULL;
}

/* Does the watcher cure a hang-up (DEL, close, reopen, ADD)?  The scenario says, else what was seen. */
static int
fixed_mode(const struct view *v, const struct m_fifo *f)
{
	const struct job_cfg *j = fifo_job(v);

	if (j)
		return j->hup == HUP_FIXED;
	return f && f->mode == HUP_FIXED;
}

/* Bytes you wrote against bytes it read, and what its close threw away. */
static void
bytes_line(struct lines *L, const struct m_fifo *f)
{
	char w[32], r[32], l[32];

	if (f->written == 0 && f->lost == 0)
		return;
	lines_add(L);
	/* TRANSLATORS: byte counts: what you wrote into the FIFO, what the watcher read. */
	lines_printf(L, _("you wrote %s, it read %s"), fmt_bytes(f->written, w, sizeof w),
		     fmt_bytes(f->bytes, r, sizeof r));
	if (f->lost == 0)
		return;
	/* A line of its own: on a narrow screen the end of the line above is cut. */
	lines_add(L);
	lines_style(L, CS_ERR);
	/* TRANSLATORS: bytes thrown away: written into the FIFO, never read. */
	lines_printf(L, _("lost %s"), fmt_bytes(f->lost, l, sizeof l));
	lines_style(L, CS_NORMAL);
	lines_put(L, CS_DIM, _(": unread at the close"));
}

/* 262.c's shadowed file_fd: the closed fd the outer variable names, and the EBADFs it cost. */
static void
shadow_line(struct lines *L, const struct m_fifo *f)
{
	char n[32];

	if (f->stale_fd < 0 && f->ebadf == 0)
		return;
	lines_add(L);
	lines_style(L, CS_ERR);
	if (f->stale_fd >= 0)
		/* TRANSLATORS: file_fd is a variable of 262.c. */
		lines_printf(L, _("stale file_fd %d (closed; the FIFO is fd %d)"), f->stale_fd, f->shadow_fd);
	else
		/* TRANSLATORS: file_fd is a variable of 262.c. */
		lines_printf(L, "%s", _("stale file_fd"));
	if (f->ebadf)
		lines_printf(L, " %s EBADF %s%s", crt_g(G_DOT), crt_g(G_TIMES), fmt_count(f->ebadf, n, sizeof n));
	lines_style(L, CS_NORMAL);
}

/* What the watcher does on a hang-up, and the notes' mistakes the scenario switched on. */
static void
hup_line(struct lines *L, const struct view *v, const struct m_fifo *f)
{
	const struct job_cfg *j = fifo_job(v);

	lines_add(L);
	lines_put(L, CS_DIM, fixed_mode(v, f) ? _("on HUP: DEL, close, reopen, ADD")
					       : _("on HUP: nothing; the fd stays in, level-triggered"));
	if (f->pid) {
		lines_style(L, CS_DIM);
		/* TRANSLATORS: the pid of the FIFO watcher. */
		lines_printf(L, _(" (watcher %u)"), f->pid);
		lines_style(L, CS_NORMAL);
	}
	if (j && j->read == FIFO_READ_ONCE) {
		lines_add(L);
		lines_put(L, CS_WARN, _("262.c: one read(255), then the HUP branch"));
	}
	if (j && j->shadow_fd) {
		lines_add(L);
		lines_put(L, CS_WARN, _("262.c: the reopen goes into a new file_fd"));
	}
}

/* One FIFO: its state, what was read, its hang-ups; the first one also says whether you hold a writer. */
static void
fifo_block(struct lines *L, const struct view *v, const struct m_fifo *f, int first)
{
	char b[32], n[32];

	state_line(L, f);
	lines_add(L);
	/* TRANSLATORS: read() calls and their bytes, a dot, hang-ups (EPOLLHUP) counted: "reads 3 (12 B) . hang-ups 1". */
	lines_printf(L, P_("reads %llu (%s) %s hang-ups %s", "reads %llu (%s) %s hang-ups %s", f->reads),
		     (unsigned long long)f->reads, fmt_bytes(f->bytes, b, sizeof b), crt_g(G_DOT),
		     fmt_count(f->hangups, n, sizeof n));
	bytes_line(L, f);
	shadow_line(L, f);
	if (f->last[0]) {
		lines_add(L);
		/* TRANSLATORS: the text the watcher read last; keep the quotes' kind free. */
		lines_printf(L, _("last read \"%s\""), f->last);
	}
	if (first) {
		lines_add(L);
		/* TRANSLATORS: the FIFO writer the front end holds for you; W, w and h are keys. */
		lines_printf(L, "%s", _("your writer: "));
		if (v->writer_held)
			lines_put(L, CS_OK, _("held (h hangs it up)"));
		else if (f->state == FIFO_GONE || v->m->ended)
			/* TRANSLATORS: no FIFO writer, and none can be opened: the watcher or the whole run has ended. */
			lines_put(L, CS_DIM, _("none (the watcher has ended)"));
		else
			lines_put(L, CS_DIM, _("none (W opens one, w writes once)"));
	}
	hup_line(L, v, f);
	if (f->path[0]) {
		lines_add(L);
		lines_put(L, CS_DIM, f->path);
	}
}

/* Fill the panel: one block per FIFO. */
static void
fifo_draw(struct panel *pn, const struct view *v, int w)
{
	const struct model *m = v->m;
	const struct job_cfg *j = fifo_job(v);
	struct lines *L = &pn->L;

	(void)w;
	lines_reset(L);
	/* TRANSLATORS: in the panel's title: how the watcher handles a hang-up (this and the next three). */
	snprintf(L->title, sizeof L->title, "%s%s%s",
		 fixed_mode(v, m->nfifos ? &m->fifos[0] : NULL) ? _("fixed") : _("naive"),
		 j && j->read == FIFO_READ_ONCE ? _(", read once") : "", j && j->shadow_fd ? _(", shadowed fd") : "");
	if (m->nfifos == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, _("not started yet"));
	}
	for (int i = 0; i < m->nfifos; i++)
		fifo_block(L, v, &m->fifos[i], i == 0);
}

/* Is there a FIFO? */
static int
fifo_applies(const struct view *v)
{
	return v->m->nfifos > 0;
}

const struct panel_ops panel_fifo_ops = {
	.name = "FIFO",
	.key = '5',
	.help = N_("The FIFO watcher of 262.c: waiting for a writer (a blocking open), open and "
		"watched with EPOLLIN|EPOLLHUP, or in an EPOLLHUP storm with its count and rate; what "
		"it read against what you wrote (w, l) and the bytes a close threw away (read = once); "
		"a shadowed file_fd naming a closed fd (shadow_fd = yes: EBADF); how it handles a "
		"hang-up; whether you hold a writer (W, w, h)."),
	/* xgettext:no-c-format */
	.fact = N_("After the writer closes, a level-triggered EPOLLHUP comes back on every "
		"epoll_wait: 100% CPU (naive). The cure: DEL, close, reopen, ADD; closing first "
		"makes DEL fail with EBADF (fact 7)."),
	.applies = fifo_applies,
	.col = PC_RIGHT,
	.order = 3,
	.min_h = 3,
	.grow = 2,
	.draw = fifo_draw,
};
