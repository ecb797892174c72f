/*
 * panel_sem.c - "Semaphore": the named semaphore that decides which woken
 * echo worker may accept: its value, its owner or "free", and per worker
 * the trywait results (won, lost, the most recent ones as a row of dots).
 */
#include <stdio.h>
#include <string.h>

#include "crt.h"
#include "panel.h"

/* Value and owner, or unlinked. */
static void
state_line(struct lines *L, const struct view *v, const struct m_sem *s)
{
	char name[48];

	lines_add(L);
	if (s->unlinked) {
		lines_put(L, CS_DIM, "unlinked: sem_unlink removed it (no /dev/shm leftover)");
		return;
	}
	if (!s->exists) {
		lines_put(L, CS_DIM, "not created yet");
		return;
	}
	lines_printf(L, "value %d  ", s->value);
	if (s->owner) {
		lines_put(L, CS_WARN, "held by ");
		lines_style(L, CS_WARN);
		lines_printf(L, "%s", panel_pid_name(v, s->owner, name, sizeof name));
		lines_style(L, CS_NORMAL);
		lines_put(L, CS_DIM, " (between sem_trywait and sem_post)");
	} else {
		lines_put(L, CS_OK, "free");
		lines_put(L, CS_DIM, " (sem_post gave it back)");
	}
}

/* One process's use of the semaphore: won, lost, the latest results as dots. */
static void
user_line(struct lines *L, const struct view *v, const struct m_sem_user *u)
{
	const struct m_proc *p = model_proc(v->m, u->pid);
	char name[48];

	lines_add(L);
	lines_field(L, panel_pid_name(v, u->pid, name, sizeof name), 14);
	lines_printf(L, " won ");
	lines_style(L, CS_OK);
	lines_printf(L, "%-5llu", (unsigned long long)u->won);
	lines_style(L, CS_NORMAL);
	lines_printf(L, " lost ");
	lines_style(L, u->lost ? CS_WARN : CS_NORMAL);
	lines_printf(L, "%-5llu", (unsigned long long)u->lost);
	lines_style(L, CS_NORMAL);
	lines_printf(L, " ");
	/* Oldest to newest, left to right. */
	for (int b = u->nrecent - 1; b >= 0; b--) {
		int won = (u->recent >> b) & 1;

		lines_put(L, won ? CS_OK : CS_ERR, crt_g(won ? G_WON : G_LOST));
	}
	if (p && !p->alive)
		lines_put(L, CS_DIM, " (exited)");
}

/* Fill the panel: per semaphore, its state, its users, its name. */
static void
sem_draw(struct panel *pn, const struct view *v, int w)
{
	const struct model *m = v->m;
	struct lines *L = &pn->L;

	(void)w;
	lines_reset(L);
	if (m->nsems == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, "not created yet");
	}
	for (int i = 0; i < m->nsems; i++) {
		const struct m_sem *s = &m->sems[i];

		state_line(L, v, s);
		for (int k = 0; k < s->nusers; k++)
			user_line(L, v, &s->users[k]);
		lines_add(L);
		lines_put(L, CS_DIM, s->name);
		if (strncmp(s->name, "/epollviz.", 10) == 0)
			lines_put(L, CS_DIM, " (per-run name)");
	}
}

/* Is there a semaphore? */
static int
sem_applies(const struct view *v)
{
	return v->m->nsems > 0;
}

const struct panel_ops panel_sem_ops = {
	.name = "Semaphore",
	.key = '3',
	.help = "The named POSIX semaphore of the notes' echo server: value 1 is free, 0 is "
		"held by the pid shown. Per worker: sem_trywait won (filled dot) or lost with "
		"EAGAIN (hollow dot), oldest to newest.",
	.fact = "Both epoll instances report the same event on the shared listening socket (the "
		"herd); sem_trywait lets exactly one worker call accept. The name is per run and "
		"always unlinked, so a crash never leaves /dev/shm/sem.* behind (EEXIST next time).",
	.applies = sem_applies,
	.col = PC_RIGHT,
	.order = 1,
	.min_h = 2,
	.grow = 3,
	.wrap = 1,
	.draw = sem_draw,
};
