/*
 * test_mutex.c - accept = mutex, nginx's accept_mutex, on real workers: the
 * lock word decides who watches the listening socket, and only its holder
 * accepts.  Each worker's records are read in its own order (seq); spans
 * of different workers are compared by time (a take's time is taken after
 * the word changed, a release's before).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "hrun.h"

TestSuite(mutex, .timeout = 120);

#define MAXW 8

/* One worker's view of its own records, in its order. */
struct worker {
	long long pid;
	int held, registered;
	long long taken_ts;
	int takes, losses, accepts, dels_after_loss, waits_registered;
};

static struct worker *
worker_of(struct worker *w, int *nw, long long pid)
{
	for (int i = 0; i < *nw; i++)
		if (w[i].pid == pid)
			return &w[i];
	cr_assert_lt(*nw, MAXW, "more than %d workers", MAXW);
	memset(&w[*nw], 0, sizeof w[0]);
	w[*nw].pid = pid;
	return &w[(*nw)++];
}

/* A held span of the lock: [from, to] in trace time, by pid. */
struct span {
	long long pid, from, to;
};

/*
 * Walk every echo worker's records: accepts only while holding; a wait on
 * the listening socket only while holding; a loser DELs the socket before
 * it waits again.  Fill the held spans; returns their count.
 */
static int
check_worker_rules(const struct hrun *h, long long lfd, struct worker *w, int *nw, struct span *sp, int cap)
{
	int nsp = 0;

	for (size_t i = 0; i < h->n; i++) {
		const json_t *r = h->recs[i];
		const char *role = NULL;
		struct worker *k;

		(void)role;
		if (!jis(r, "lock_try") && !jis(r, "lock_release") && !jis(r, "accept") && !jis(r, "epoll_ctl") &&
		    !jis(r, "wait_enter"))
			continue;
		k = worker_of(w, nw, jint(r, "pid"));
		if (jis(r, "lock_try")) {
			if (jtrue(r, "taken")) {
				cr_assert(!k->held, "pid %lld took the lock it already held", k->pid);
				k->held = 1;
				k->takes++;
				k->taken_ts = jint(r, "ts_ns");
			} else {
				cr_assert(!k->held, "pid %lld lost a try while holding", k->pid);
				cr_assert_neq(jint(r, "owner"), k->pid, "a lost try names its own pid");
				k->losses++;
				if (k->registered)
					k->dels_after_loss--; /* owed: a DEL before the next wait */
			}
		} else if (jis(r, "lock_release") && jint(r, "owner") == k->pid) {
			cr_assert(k->held, "pid %lld released a lock it did not hold", k->pid);
			cr_assert_eq(jint(r, "ret"), 0, "a holder's unlock failed");
			k->held = 0;
			cr_assert_lt(nsp, cap, "too many spans");
			sp[nsp++] = (struct span){ k->pid, k->taken_ts, jint(r, "ts_ns") };
		} else if (jis(r, "accept") && jint(r, "ret") >= 0) {
			cr_assert(k->held, "pid %lld accepted fd %lld without holding the lock (record %zu)", k->pid,
				  jint(r, "ret"), i);
			k->accepts++;
		} else if (jis(r, "epoll_ctl") && jint(r, "fd") == lfd && jint(r, "ret") == 0) {
			if (strcmp(jstr(r, "op"), "EPOLL_CTL_ADD") == 0) {
				cr_assert(k->held, "pid %lld watches the listener without the lock", k->pid);
				k->registered = 1;
			} else if (strcmp(jstr(r, "op"), "EPOLL_CTL_DEL") == 0) {
				k->registered = 0;
				if (k->dels_after_loss < 0)
					k->dels_after_loss++;
			}
		} else if (jis(r, "wait_enter")) {
			cr_assert_eq(k->dels_after_loss, 0, "pid %lld lost the lock and waited with the listener", k->pid);
			if (k->registered) {
				cr_assert(k->held, "pid %lld waits on the listening socket without the lock", k->pid);
				k->waits_registered++;
			}
		}
	}
	return nsp;
}

static int
by_from(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/*
 * Under bursts, with some work per line so that a holder is busy while
 * others look: every accept is its holder's, the lock has one holder at a
 * time, and only the holder ever waits on the listening socket.
 */
Test(mutex, only_the_holder_accepts_and_watches)
{
	static struct hrun h;
	static struct span sp[20000];
	struct worker w[MAXW];
	char path[256];
	int nw = 0, nsp, accepts = 0, workers_with_takes = 0;
	long li;

	cr_assert_not_null(hscenario(path, sizeof path, "mutex",
				     "title = mutex rules\n[echo]\naccept = mutex\naccept_loop = drain\n"
				     "workers = 3\nwork_us = 1000\nmutex_delay = 5\n"));
	cr_assert_eq(hrun(&h, path, "burst 40; settle; burst 40; settle; connect 5; settle"), 0);
	hassert_clean(&h);
	li = hfind(&h, 0, "listen", NULL, NULL);
	cr_assert_geq(li, 0, "no listen record");
	nsp = check_worker_rules(&h, jint(h.recs[li], "fd"), w, &nw, sp, (int)(sizeof sp / sizeof sp[0]));
	for (int i = 0; i < nw; i++) {
		accepts += w[i].accepts;
		workers_with_takes += w[i].takes > 0;
		cr_assert_eq(w[i].held, 0, "pid %lld ended holding the lock", w[i].pid);
	}
	cr_assert_eq(accepts, 85, "85 connections, %d accepted", accepts);
	cr_assert_eq(jint(json_object_get(h.summary, "clients"), "answered"), 85);
	cr_assert_geq(workers_with_takes, 2, "the lock never moved: one worker took every turn");
	/* One holder at a time: sorted by take, each span ends before the next one begins. */
	qsort(sp, (size_t)nsp, sizeof sp[0], by_from);
	for (int i = 1; i < nsp; i++)
		cr_assert_leq(sp[i - 1].to, sp[i].from, "pid %lld took the lock at %lld while pid %lld held it (until %lld)",
			      sp[i].pid, sp[i].from, sp[i - 1].pid, sp[i - 1].to);
	hrun_free(&h);
}

/* A loser DELs the listening socket: with a holder that keeps the lock, the others never watch it after a loss. */
Test(mutex, a_loser_dels_the_listener_and_waits_mutex_delay)
{
	static struct hrun h;
	char path[256];
	long lost = -1;

	cr_assert_not_null(hscenario(path, sizeof path, "mutex-delay",
				     "title = mutex delay\n[echo]\naccept = mutex\nworkers = 2\nmutex_delay = 50\n"));
	cr_assert_eq(hrun(&h, path, "connect 2; wait 0.3; connect 2"), 0);
	hassert_clean(&h);
	/* Some worker lost a try; its next wait has the delay as its timeout. */
	for (size_t i = 0; i < h.n && lost < 0; i++)
		if (jis(h.recs[i], "lock_try") && !jtrue(h.recs[i], "taken"))
			lost = (long)i;
	cr_assert_geq(lost, 0, "no worker ever lost a try-lock");
	for (size_t i = (size_t)lost + 1; i < h.n; i++) {
		if (jis(h.recs[i], "wait_enter") && jint(h.recs[i], "pid") == jint(h.recs[lost], "pid")) {
			cr_assert_eq(jint(h.recs[i], "timeout"), 50, "the loser's wait has timeout %lld, not mutex_delay",
				     jint(h.recs[i], "timeout"));
			break;
		}
	}
	hrun_free(&h);
}

/* An accept that made a connection. */
static int
accepted(const json_t *r, void *arg)
{
	(void)arg;
	return jint(r, "ret") >= 0;
}

/*
 * accept_disabled: a worker with more than 7/8 of its connection slots in
 * use skips the contest and gives the listening socket up; it takes new
 * connections again once it is under.
 */
Test(mutex, accept_disabled_skips_the_contest)
{
	static struct hrun h;
	char path[256];
	long skip, del;
	long long pid, lfd;

	cr_assert_not_null(hscenario(path, sizeof path, "mutex-disabled",
				     "title = accept disabled\n[echo]\naccept = mutex\naccept_loop = drain\nworkers = 1\n"
				     "connections = 16\nmutex_delay = 20\n"));
	/* 16 slots: 7/8 is 14; the 15th connection puts it over. */
	cr_assert_eq(hrun(&h, path, "hold 15; settle; connect 1; release"), 0);
	hassert_clean(&h);
	skip = hfind(&h, 0, "log", NULL, NULL);
	while (skip >= 0 && strstr(jstr(h.recs[skip], "text"), "skips the accept contest") == NULL)
		skip = hfind(&h, (size_t)skip + 1, "log", NULL, NULL);
	cr_assert_geq(skip, 0, "no 'skips the accept contest' log after 15 of 16 slots");
	pid = jint(h.recs[skip], "pid");
	lfd = jint(h.recs[hfind(&h, 0, "listen", NULL, NULL)], "fd");
	/* Then the worker gives the socket up: a DEL of the listener by that pid. */
	del = -1;
	for (size_t i = (size_t)skip; i < h.n && del < 0; i++)
		if (jis(h.recs[i], "epoll_ctl") && jint(h.recs[i], "pid") == pid && jint(h.recs[i], "fd") == lfd &&
		    strcmp(jstr(h.recs[i], "op"), "EPOLL_CTL_DEL") == 0)
			del = (long)i;
	cr_assert_geq(del, 0, "the disabled worker kept watching the listening socket");
	/* The connection made meanwhile is still answered: the worker contests again after its turns. */
	cr_assert_eq(jint(json_object_get(h.summary, "clients"), "answered"), 1);
	cr_assert_eq(hcount(&h, 0, "accept", accepted, NULL), 16);
	hrun_free(&h);
}
