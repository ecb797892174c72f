/*
 * par.c - par_for (see par.h): a shared counter of the next chunk, taken
 * with an atomic add; no queue, no pool kept between calls.
 */
#include "par.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>

#include "util.h"

struct par {
	int n, chunk;
	void (*fn)(void *ctx, int from, int to, int slot);
	void *ctx;
	atomic_int next;
};

struct par_thread {
	struct par *par;
	int slot;
};

/* Take chunks until none is left, as thread slot. */
static void
par_run(struct par *p, int slot)
{
	for (;;) {
		int from = atomic_fetch_add(&p->next, p->chunk);

		if (from >= p->n)
			return;
		p->fn(p->ctx, from, from + p->chunk < p->n ? from + p->chunk : p->n, slot);
	}
}

/* A thread beside the caller: its slot's share. */
static void *
par_thread(void *arg)
{
	struct par_thread *t = arg;

	par_run(t->par, t->slot);
	return NULL;
}

/* See par.h. */
void
par_for(int n, int chunk, int min_each, void (*fn)(void *ctx, int from, int to, int slot), void *ctx)
{
	struct par p = { .n = n, .chunk = chunk > 0 ? chunk : 1, .fn = fn, .ctx = ctx };
	struct par_thread t[PAR_MAX_THREADS];
	pthread_t th[PAR_MAX_THREADS];
	int cpus = usable_cpus();
	int want = min_each > 0 ? n / min_each : 1, made = 0;
	sigset_t all, old;

	if (want > cpus)
		want = cpus;
	if (want > PAR_MAX_THREADS)
		want = PAR_MAX_THREADS;
	atomic_init(&p.next, 0);
	if (want > 1) {
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old); /* the new threads take no signal */
		for (; made < want - 1; made++) {
			t[made] = (struct par_thread){ &p, made + 1 };
			if (pthread_create(&th[made], NULL, par_thread, &t[made]) != 0)
				break; /* the threads there are (this one at least) take the rest */
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	par_run(&p, 0);
	for (int i = 0; i < made; i++)
		pthread_join(th[i], NULL);
}
