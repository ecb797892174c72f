/*
 * panel_fifo.c - "FIFO": the watcher of 262.c: waiting for a writer, open
 * and watched, or in an EPOLLHUP storm (with its count and rate); what it
 * read; its hang-up handling; and whether the front end holds a writer.
 */
#include <stdio.h>
#include <string.h>

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
		lines_put(L, CS_DIM, "not started yet");
		break;
	case FIFO_WAITING:
		lines_put(L, CS_WARN, "waiting for a writer");
		lines_put(L, CS_DIM, ": open(O_RDONLY) blocks until one comes");
		break;
	case FIFO_OPEN:
		lines_put(L, CS_OK, "open");
		lines_printf(L, ": fd %d watched for IN|HUP", f->fd);
		break;
	case FIFO_STORM:
		lines_style(L, CS_ERR);
		lines_printf(L, "HUP storm %s%s", crt_g(G_TIMES), fmt_count(f->storm_count, n, sizeof n));
		lines_style(L, CS_NORMAL);
		if (secs > 0)
			lines_printf(L, " in %s (%s)", fmt_dur(f->storm_ns, d, sizeof d),
				     fmt_rate((double)f->storm_count / secs, r, sizeof r));
		lines_put(L, CS_DIM, ": the writer is gone, EPOLLHUP every wait");
		break;
	case FIFO_GONE:
		lines_put(L, CS_DIM, "gone");
		break;
	}
	if (f->state != FIFO_STORM && f->storm_count > 0) {
		lines_add(L);
		lines_style(L, CS_ERR);
		lines_printf(L, "last storm %s%s", crt_g(G_TIMES), fmt_count(f->storm_count, n, sizeof n));
		lines_style(L, CS_NORMAL);
		lines_printf(L, " in %s", fmt_dur(f->storm_ns, d, sizeof d));
		lines_put(L, CS_DIM, f->capped ? " (cap reached: the watcher applied the cure)"
					       : " (ended: a writer came back)");
	}
}

/* Does the watcher cure a hang-up (DEL, close, reopen, ADD)?  The scenario says, else what was seen. */
static int
fixed_mode(const struct view *v, const struct m_fifo *f)
{
	int j = scenario_job_of(v->sc, JOB_FIFO);

	if (j >= 0)
		return v->sc->jobs[j].hup == HUP_FIXED;
	return f && f->mode == HUP_FIXED;
}

/* One FIFO: its state, what was read, its hang-ups; the first one also says whether you hold a writer. */
static void
fifo_block(struct lines *L, const struct view *v, const struct m_fifo *f, int first)
{
	char b[32], n[32];
	int fixed = fixed_mode(v, f);

	state_line(L, f);
	lines_add(L);
	lines_printf(L, "reads %llu (%s) %s hang-ups %s", (unsigned long long)f->reads,
		     fmt_bytes(f->bytes, b, sizeof b), crt_g(G_DOT), fmt_count(f->hangups, n, sizeof n));
	if (f->last[0]) {
		lines_add(L);
		lines_printf(L, "last read \"%s\"", f->last);
	}
	if (first) {
		lines_add(L);
		lines_printf(L, "your writer: ");
		if (v->writer_held)
			lines_put(L, CS_OK, "held (h hangs it up)");
		else
			lines_put(L, CS_DIM, "none (W opens one, w writes once)");
	}
	lines_add(L);
	lines_put(L, CS_DIM, fixed ? "on HUP: DEL, close, reopen, ADD"
				   : "on HUP: nothing; the fd stays in, level-triggered");
	if (f->pid) {
		lines_style(L, CS_DIM);
		lines_printf(L, " (watcher %u)", f->pid);
		lines_style(L, CS_NORMAL);
	}
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
	struct lines *L = &pn->L;

	(void)w;
	lines_reset(L);
	snprintf(L->title, sizeof L->title, "%s", fixed_mode(v, m->nfifos ? &m->fifos[0] : NULL) ? "fixed" : "naive");
	if (m->nfifos == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, "not started yet");
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
	.help = "The FIFO watcher of 262.c: waiting for a writer (a blocking open), open and "
		"watched with EPOLLIN|EPOLLHUP, or in an EPOLLHUP storm with its count and rate; what "
		"it read; how it handles a hang-up; whether you hold a writer (W, w, h).",
	.fact = "After the writer closes, a level-triggered EPOLLHUP comes back on every "
		"epoll_wait: 100% CPU (naive). The cure: DEL, close, reopen, ADD; closing first "
		"makes DEL fail with EBADF (fact 7).",
	.applies = fifo_applies,
	.col = PC_RIGHT,
	.order = 3,
	.min_h = 3,
	.grow = 2,
	.draw = fifo_draw,
};
