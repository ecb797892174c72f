/*
 * test_par.c - par_for (src/par.h): every index done exactly once, in
 * chunks that tile the range, on slots below PAR_MAX_THREADS, on more than
 * one thread when there is enough work and more than one CPU.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "par.h"

struct seen {
	atomic_int *count;        /* per index: how many times it was done */
	atomic_int calls, bad_range, bad_slot;
	pthread_t thread[PAR_MAX_THREADS];
	atomic_int slot_used[PAR_MAX_THREADS];
	int chunk, n;
};

static void
mark(void *ctx, int from, int to, int slot)
{
	struct seen *s = ctx;

	atomic_fetch_add(&s->calls, 1);
	if (from < 0 || to > s->n || from >= to || to - from > s->chunk)
		atomic_fetch_add(&s->bad_range, 1);
	if (slot < 0 || slot >= PAR_MAX_THREADS) {
		atomic_fetch_add(&s->bad_slot, 1);
		return;
	}
	if (atomic_fetch_add(&s->slot_used[slot], 1) == 0)
		s->thread[slot] = pthread_self();
	else if (!pthread_equal(s->thread[slot], pthread_self()))
		atomic_fetch_add(&s->bad_slot, 1); /* a slot is one thread's */
	for (int i = from; i < to; i++)
		atomic_fetch_add(&s->count[i], 1);
}

/* Run par_for over n indices and check each was done once; how many slots took part. */
static int
run(int n, int chunk, int min_each)
{
	struct seen s = { .chunk = chunk, .n = n };
	int slots = 0;

	s.count = calloc((size_t)n + 1, sizeof *s.count);
	cr_assert_not_null(s.count);
	par_for(n, chunk, min_each, mark, &s);
	for (int i = 0; i < n; i++)
		cr_assert_eq(atomic_load(&s.count[i]), 1, "index %d of %d done %d times", i, n,
			     atomic_load(&s.count[i]));
	cr_assert_eq(atomic_load(&s.bad_range), 0, "a chunk outside [0, %d) or longer than %d", n, chunk);
	cr_assert_eq(atomic_load(&s.bad_slot), 0, "a slot out of range, or shared by two threads");
	cr_assert_eq(atomic_load(&s.calls), (n + chunk - 1) / chunk, "chunks: %d for %d indices of %d",
		     atomic_load(&s.calls), n, chunk);
	cr_assert(pthread_equal(s.thread[0], pthread_self()) || atomic_load(&s.slot_used[0]) == 0,
		  "slot 0 is the calling thread");
	for (int i = 0; i < PAR_MAX_THREADS; i++)
		slots += atomic_load(&s.slot_used[i]) > 0;
	free(s.count);
	return slots;
}

Test(par, every_index_once_whatever_the_chunk_and_the_count)
{
	cr_assert_eq(run(0, 64, 1), 0, "nothing to do: fn is never called");
	run(1, 64, 1);
	run(63, 64, 1);
	run(64, 64, 1);
	run(65, 64, 1);
	run(100000, 7, 1000);
	run(20001, 64, 512);
}

Test(par, little_work_stays_on_the_calling_thread)
{
	cr_assert_eq(run(511, 64, 512), 1, "fewer than min_each indices: one thread");
	cr_assert_eq(run(5000, 64, 100000), 1, "min_each above n: one thread");
}

Test(par, much_work_is_shared_when_there_are_cpus)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int most = 0;

	if (cpus < 2)
		cr_skip_test("one CPU online: par_for runs on the calling thread only");
	/* Whether a second thread gets a chunk before the first is done depends on the scheduler: try a few times. */
	for (int i = 0; i < 20 && most < 2; i++) {
		int k = run(200000, 16, 1000);

		most = k > most ? k : most;
	}
	cr_assert_geq(most, 2, "200 000 indices on %ld CPUs never left the calling thread", cpus);
}
