/*
 * panel_sem.c - "Accept lock": the lock that decides which woken echo
 * worker may accept, of either kind: the named semaphore (accept =
 * semaphore, or a program's sem_open) with its value, or the lock word of
 * accept = mutex (nginx's accept_mutex) with the pid it holds; its holder
 * or "free", and per worker the takes (won, lost, the most recent ones as a
 * row of dots).  The notes' mistakes show here as they happen: an owner
 * that died holding it (every later trywait a loss to a dead owner), an
 * owner asleep in a blocking accept(), and a create that failed with EEXIST
 * on a name a crash left behind.
 */
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "../src/util.h"

#include "crt.h"
#include "panel.h"

#define SEM_NARROW 56 /* narrower than this, a dead owner is said first */

/* Why the owner cannot post: dead (how), or asleep in accept; nothing when it can. */
static void
owner_why(struct lines *L, const struct view *v, const struct m_sem *s)
{
	const struct m_proc *o = model_proc(v->m, s->owner);

	if (o == NULL)
		return;
	if (!o->alive) {
		lines_style(L, CS_ERR);
		if (o->reaped && o->how == REAP_KILLED)
			lines_printf(L, " (dead: killed by %s while holding it)", signal_name(o->code));
		else
			lines_printf(L, " (dead: it ended while holding it)");
		lines_style(L, CS_NORMAL);
		if (s->kind == LOCK_MUTEX) {
			lines_put(L, CS_DIM, " every try-lock fails until the parent reaps it and frees the word");
			return;
		}
		lines_put(L, CS_DIM, " nobody will sem_post it: every sem_trywait now fails");
		if (s->lost_dead)
			lines_printf(L, " (%llu so far)", (unsigned long long)s->lost_dead);
		return;
	}
	if (o->asleep && (o->asleep_nr == SYS_accept4
#ifdef SYS_accept
			  || o->asleep_nr == SYS_accept
#endif
			  )) {
		lines_put(L, CS_ERR, " (blocked in accept())");
		lines_put(L, CS_DIM, " the listening socket is blocking and its queue was empty: it sleeps "
				     "holding the semaphore, and no other worker may accept");
		return;
	}
	lines_put(L, CS_DIM, s->kind == LOCK_MUTEX ? " (it watches the listening socket; unlocks after its accepts)"
						   : " (between sem_trywait and sem_post)");
}

/* A create that failed with EEXIST: the name a crash left behind, and the fix. */
static void
stale_line(struct lines *L, const struct view *v, const struct m_sem *s)
{
	char name[48];

	lines_put(L, CS_ERR, "EEXIST");
	lines_printf(L, ": %s could not create it (sem_open O_CREAT|O_EXCL): a semaphore of this fixed "
		     "name was left in /dev/shm by a run that ended without sem_unlink (a crash), so the "
		     "notes' server cannot start. ",
		     panel_pid_name(v, s->stale_pid, name, sizeof name));
	lines_put(L, CS_OK, "The fix: a per-run name, and sem_unlink on every exit path");
	lines_put(L, CS_DIM, " (epollviz's default: leave sem_name out). This run removes the stale one as it "
			     "ends: r restarts, and the server starts");
}

/* Is any process that used the lock still alive? */
static int
any_user_alive(const struct view *v, const struct m_sem *s)
{
	for (int k = 0; k < s->nusers; k++) {
		const struct m_proc *p = model_proc(v->m, s->users[k].pid);

		if (p && p->alive)
			return 1;
	}
	return 0;
}

/*
 * Value and owner, or unlinked.  Narrow (w below SEM_NARROW): a dead owner
 * is said before its name, so the first row keeps it.
 */
static void
state_line(struct lines *L, const struct view *v, const struct m_sem *s, int w)
{
	const struct m_proc *o = s->owner ? model_proc(v->m, s->owner) : NULL;
	char name[48];

	lines_add(L);
	if (s->stale && s->nusers == 0) {
		stale_line(L, v, s);
		return;
	}
	if (s->unlinked) {
		lines_put(L, CS_DIM, "unlinked: sem_unlink removed it (no /dev/shm leftover)");
		return;
	}
	if (!s->exists) {
		lines_put(L, CS_DIM, "not created yet");
		return;
	}
	if (s->kind == LOCK_MUTEX)
		lines_printf(L, "word %u  ", s->owner);
	else
		lines_printf(L, "value %d  ", s->value);
	if (s->owner) {
		lines_put(L, CS_WARN, "held by ");
		if (w < SEM_NARROW && o && !o->alive)
			lines_put(L, CS_ERR, "dead ");
		lines_style(L, CS_WARN);
		lines_printf(L, "%s", panel_pid_name(v, s->owner, name, sizeof name));
		lines_style(L, CS_NORMAL);
		owner_why(L, v, s);
	} else {
		lines_put(L, CS_OK, "free");
		if (s->kind != LOCK_MUTEX)
			lines_put(L, CS_DIM, " (sem_post gave it back)");
		else if (any_user_alive(v, s))
			lines_put(L, CS_DIM, " (unlocked: the next try-lock takes it)");
		else
			lines_put(L, CS_DIM, " (unlocked; the word went with its last process)");
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
	if (u->lost_dead) {
		lines_style(L, CS_ERR);
		lines_printf(L, "(%llu to a dead owner) ", (unsigned long long)u->lost_dead);
		lines_style(L, CS_NORMAL);
	}
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

	lines_reset(L);
	if (m->nsems == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, "not created yet");
	}
	for (int i = 0; i < m->nsems; i++) {
		const struct m_sem *s = &m->sems[i];

		state_line(L, v, s, w);
		for (int k = 0; k < s->nusers; k++)
			user_line(L, v, &s->users[k]);
		lines_add(L);
		lines_put(L, CS_DIM, s->name);
		if (s->kind == LOCK_MUTEX)
			lines_put(L, CS_DIM, " (a word in a memfd: gone with its processes, nothing to unlink)");
		else if (strncmp(s->name, "/epollviz.", 10) == 0)
			lines_put(L, CS_DIM, " (per-run name)");
		else if (scenario_job_of(v->sc, JOB_PROGRAM) < 0) /* a program of the user's names its own */
			lines_put(L, CS_WARN, " (a fixed name, as the notes': sem_name)");
	}
}

/* Is there an accept lock? */
static int
sem_applies(const struct view *v)
{
	return v->m->nsems > 0;
}

const struct panel_ops panel_sem_ops = {
	.name = "Accept lock",
	.key = '3',
	.help = "The lock that decides who accepts. The notes' named POSIX semaphore: value 1 is "
		"free, 0 is held by the pid shown. accept = mutex (nginx's accept_mutex): a word in "
		"shared memory that holds its holder's pid, 0 when free. Per worker: a take won "
		"(filled dot) or lost (hollow dot), oldest to newest.",
	.fact = "Semaphore: both epoll instances report the same event on the shared listening "
		"socket (the herd); sem_trywait lets exactly one worker call accept. Its name is per "
		"run and always unlinked (a crash would leave /dev/shm/sem.*: EEXIST next time). "
		"Mutex: only the holder has the listening socket in its interest list, so nobody "
		"else is woken for a connection; losers look again every mutex_delay ms.",
	.applies = sem_applies,
	.col = PC_RIGHT,
	.order = 1,
	.min_h = 2,
	.grow = 3,
	.wrap = 1,
	.draw = sem_draw,
};
