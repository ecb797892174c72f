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

#include "../src/i18n.h"
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
			/* TRANSLATORS: the lock's holder died; %s is a signal name (SIGKILL). */
			lines_printf(L, _(" (dead: killed by %s while holding it)"), signal_name(o->code));
		else
			lines_printf(L, "%s", _(" (dead: it ended while holding it)"));
		lines_style(L, CS_NORMAL);
		if (s->kind == LOCK_MUTEX) {
			/* TRANSLATORS: the word: the lock word in shared memory (accept = mutex). */
			lines_put(L, CS_DIM, _(" every try-lock fails until the parent reaps it and frees the word"));
			return;
		}
		lines_put(L, CS_DIM, _(" nobody will sem_post it: every sem_trywait now fails"));
		if (s->lost_dead)
			/* TRANSLATORS: how many sem_trywait calls have failed that way. */
			lines_printf(L, P_(" (%llu so far)", " (%llu so far)", s->lost_dead),
				     (unsigned long long)s->lost_dead);
		return;
	}
	if (o->asleep && (o->asleep_nr == SYS_accept4
#ifdef SYS_accept
			  || o->asleep_nr == SYS_accept
#endif
			  )) {
		lines_put(L, CS_ERR, _(" (blocked in accept())"));
		lines_put(L, CS_DIM, _(" the listening socket is blocking and its queue was empty: it sleeps "
				       "holding the semaphore, and no other worker may accept"));
		return;
	}
	lines_put(L, CS_DIM, s->kind == LOCK_MUTEX ? _(" (it watches the listening socket; unlocks after its accepts)")
						   : _(" (between sem_trywait and sem_post)"));
}

/* A create that failed with EEXIST: the name a crash left behind, and the fix. */
static void
stale_line(struct lines *L, const struct view *v, const struct m_sem *s)
{
	char name[48];

	lines_put(L, CS_ERR, "EEXIST");
	/* TRANSLATORS: follows "EEXIST"; %s is a process ("4840 echo-w0"). Keep the trailing space. */
	lines_printf(L, _(": %s could not create it (sem_open O_CREAT|O_EXCL): a semaphore of this fixed "
			  "name was left in /dev/shm by a run that ended without sem_unlink (a crash), so the "
			  "notes' server cannot start. "),
		     panel_pid_name(v, s->stale_pid, name, sizeof name));
	lines_put(L, CS_OK, _("The fix: a per-run name, and sem_unlink on every exit path"));
	/* TRANSLATORS: sem_name is a scenario key; r is a key. */
	lines_put(L, CS_DIM, _(" (epollviz's default: leave sem_name out). This run removes the stale one as it "
			       "ends: r restarts, and the server starts"));
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

/* Has any process taken the lock (and so, being free now, given it back)? */
static int
ever_taken(const struct m_sem *s)
{
	for (int k = 0; k < s->nusers; k++)
		if (s->users[k].won > 0)
			return 1;
	return 0;
}

/* Is name the fixed semaphore name (sem_name) an echo job of the scenario was given? */
static int
fixed_name(const struct view *v, const char *name)
{
	if (v->sc == NULL)
		return 0;
	for (int i = 0; i < v->sc->njobs; i++)
		if (v->sc->jobs[i].kind == JOB_ECHO && v->sc->jobs[i].sem_name[0] &&
		    strcmp(v->sc->jobs[i].sem_name, name) == 0)
			return 1;
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
		lines_put(L, CS_DIM, _("unlinked: sem_unlink removed it (no /dev/shm leftover)"));
		return;
	}
	if (!s->exists) {
		/* TRANSLATORS: the accept lock (a semaphore or a lock word). */
		lines_put(L, CS_DIM, _("not created yet"));
		return;
	}
	if (s->kind == LOCK_MUTEX)
		/* TRANSLATORS: the lock word of accept = mutex and the pid it holds. */
		lines_printf(L, _("word %u  "), s->owner);
	else
		/* TRANSLATORS: the semaphore's value. */
		lines_printf(L, _("value %d  "), s->value);
	if (s->owner) {
		/* TRANSLATORS: followed by a process ("4840 echo-w0"), with "dead " between when it died. */
		lines_put(L, CS_WARN, _("held by "));
		if (w < SEM_NARROW && o && !o->alive)
			/* TRANSLATORS: between "held by " and the process that holds the lock. */
			lines_put(L, CS_ERR, _("dead "));
		lines_style(L, CS_WARN);
		lines_printf(L, "%s", panel_pid_name(v, s->owner, name, sizeof name));
		lines_style(L, CS_NORMAL);
		owner_why(L, v, s);
	} else {
		/* TRANSLATORS: the accept lock is not held. */
		lines_put(L, CS_OK, _("free"));
		if (s->kind != LOCK_MUTEX && ever_taken(s))
			lines_put(L, CS_DIM, _(" (sem_post gave it back)"));
		else if (s->kind != LOCK_MUTEX)
			/* TRANSLATORS: a semaphore still at the value sem_open gave it. */
			lines_put(L, CS_DIM, _(" (sem_open's initial value: not taken yet)"));
		else if (any_user_alive(v, s))
			lines_put(L, CS_DIM, _(" (unlocked: the next try-lock takes it)"));
		else
			lines_put(L, CS_DIM, _(" (unlocked; the word went with its last process)"));
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
	/*
	 * TRANSLATORS: before the takes of the accept lock a worker won; the
	 * same on every row; keep the spaces (this and " lost ").  A narrow
	 * panel wraps the row at a space: a no-break space (U+00A0) at the end
	 * keeps the word with its number.
	 */
	lines_printf(L, "%s", _(" won "));
	lines_style(L, CS_OK);
	lines_printf(L, "%-5llu", (unsigned long long)u->won);
	lines_style(L, CS_NORMAL);
	/* TRANSLATORS: before the takes of the accept lock a worker lost (another took it); keep the spaces. */
	lines_printf(L, "%s", _(" lost "));
	lines_style(L, u->lost ? CS_WARN : CS_NORMAL);
	lines_printf(L, "%-5llu", (unsigned long long)u->lost);
	lines_style(L, CS_NORMAL);
	if (u->lost_dead) {
		lines_style(L, CS_ERR);
		/* TRANSLATORS: of the takes lost, how many to a holder that had died. Keep the trailing space. */
		lines_printf(L, P_("(%llu to a dead owner) ", "(%llu to a dead owner) ", u->lost_dead),
			     (unsigned long long)u->lost_dead);
		lines_style(L, CS_NORMAL);
	}
	lines_printf(L, " ");
	/* Oldest to newest, left to right. */
	for (int b = u->nrecent - 1; b >= 0; b--) {
		int won = (u->recent >> b) & 1;

		lines_put(L, won ? CS_OK : CS_ERR, crt_g(won ? G_WON : G_LOST));
	}
	if (p && !p->alive)
		/* TRANSLATORS: a process that has ended. */
		lines_put(L, CS_DIM, _(" (exited)"));
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
		lines_put(L, CS_DIM, _("not created yet"));
	}
	for (int i = 0; i < m->nsems; i++) {
		const struct m_sem *s = &m->sems[i];

		state_line(L, v, s, w);
		for (int k = 0; k < s->nusers; k++)
			user_line(L, v, &s->users[k]);
		lines_add(L);
		lines_put(L, CS_DIM, s->name);
		if (s->kind == LOCK_MUTEX)
			lines_put(L, CS_DIM, _(" (a word in a memfd: gone with its processes, nothing to unlink)"));
		else if (fixed_name(v, s->name))
			/* TRANSLATORS: sem_name is a scenario key. */
			lines_put(L, CS_WARN, _(" (a fixed name, as the notes': sem_name)"));
		else if (strncmp(s->name, "/epollviz.", 10) == 0)
			lines_put(L, CS_DIM, _(" (per-run name)"));
		else if (scenario_job_of(v->sc, JOB_PROGRAM) < 0) /* a program of the user's names its own */
			/* TRANSLATORS: sem_name is a scenario key. */
			lines_put(L, CS_WARN, _(" (a fixed name, as the notes': sem_name)"));
	}
}

/* Is there an accept lock? */
static int
sem_applies(const struct view *v)
{
	return v->m->nsems > 0;
}

const struct panel_ops panel_sem_ops = {
	/* TRANSLATORS: a panel's title. */
	.name = N_("Accept lock"),
	.key = '3',
	.help = N_("The lock that decides who accepts. The notes' named POSIX semaphore: value 1 is "
		"free, 0 is held by the pid shown. accept = mutex (nginx's accept_mutex): a word in "
		"shared memory that holds its holder's pid, 0 when free. Per worker: a take won "
		"(filled dot) or lost (hollow dot), oldest to newest."),
	.fact = N_("Semaphore: both epoll instances report the same event on the shared listening "
		"socket (the herd); sem_trywait lets exactly one worker call accept. Its name is per "
		"run and always unlinked (a crash would leave /dev/shm/sem.*: EEXIST next time). "
		"Mutex: only the holder has the listening socket in its interest list, so nobody "
		"else is woken for a connection; losers look again every mutex_delay ms."),
	.applies = sem_applies,
	.col = PC_RIGHT,
	.order = 1,
	.min_h = 2,
	.grow = 3,
	.wrap = 1,
	.draw = sem_draw,
};
