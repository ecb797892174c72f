/*
 * test_fastclock_seam.c - fastclock's conversion under conditions a test
 * cannot make on the real machine: an anchor pair interrupted, a clock
 * that changes pace against the TSC (a VM restored on another host),
 * CPUs whose TSCs are far apart, no CPU number.  src/fastclock.c is
 * compiled in here a second time, its names prefixed seam_, with the
 * clock, the CPU number (FASTCLOCK_SEAM_CPU: our current_cpu) and the TSC
 * it reads replaced by the fakes below (the real fastclock, linked as
 * usual, is tests/test_fastclock.c's).  <x86intrin.h> must come before
 * the #define of __rdtsc, or the header's own definition is renamed too.
 * Every reading must lie within SLACK_NS of the fake clock around it and
 * never go back.
 */
#include <criterion/criterion.h>

#if defined(__x86_64__) || defined(__i386__)
#include <sched.h>
#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

#define SLACK_NS 5000u
#define TURN 30000 /* readings on one CPU in cpu_mode 2: a few milliseconds */

/* The fakes' settings: each test sets them before its first reading. */
static struct {
	uint64_t switch_at; /* from this real time on the fake clock runs at pace; 0: never */
	double pace;
	int delay_every;    /* every Nth clock read inside fastclock stalls delay_ns after reading... */
	int delay_left;     /* ...this many times */
	uint64_t delay_ns;
	int calls;
	int cpu_mode;       /* 0: the real CPU number; 1: none (-1); 2: CPU 0 and 1 in turns of TURN readings */
	int reads;
	uint64_t tsc_apart; /* added to the TSC on CPU 1 in cpu_mode 2 */
} F;

/* CLOCK_MONOTONIC itself. */
static uint64_t
real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The fake clock at real time t: continuous, faster or slower by pace after switch_at. */
static uint64_t
fake_at(uint64_t t)
{
	if (F.switch_at && t > F.switch_at)
		return F.switch_at + (uint64_t)((double)(t - F.switch_at) * F.pace);
	return t;
}

/* fastclock's clock_gettime: the fake clock, sometimes stalling right after it is read (a preemption). */
static uint64_t
fake_now(void)
{
	uint64_t v = fake_at(real_now());

	if (F.delay_every && F.delay_left > 0 && ++F.calls % F.delay_every == 0) {
		uint64_t until = real_now() + F.delay_ns;

		F.delay_left--;
		while (real_now() < until)
			;
	}
	return v;
}

/* The CPU fastclock is told it runs on (it asks current_cpu). */
static int
current_cpu(void)
{
	if (F.cpu_mode == 1)
		return -1;
	if (F.cpu_mode == 2)
		return (F.reads / TURN) & 1;
	return sched_getcpu();
}

/* The TSC fastclock reads: CPU 1's far ahead of CPU 0's in cpu_mode 2. */
static uint64_t
fake_rdtsc(void)
{
	return __rdtsc() + (F.cpu_mode == 2 && current_cpu() == 1 ? F.tsc_apart : 0);
}

#define FASTCLOCK_SEAM_CPU
#define now_ns fake_now
#define __rdtsc fake_rdtsc
#define fastclock_ns seam_fastclock_ns
#define fastclock_uses_tsc seam_fastclock_uses_tsc
#define fastclock_trusts seam_fastclock_trusts
#include "../src/fastclock.c"
#undef now_ns
#undef __rdtsc

struct tally {
	uint64_t reads, outside, back, worst;
};

/* Read for ms milliseconds, from settle_ms on each reading checked against the fake clock around it. */
static struct tally
read_for(int ms, int settle_ms)
{
	struct tally t = { 0 };
	uint64_t start = real_now(), end = start + (uint64_t)ms * 1000000u, prev = 0;

	tsc_state = TSC_YES; /* the seam's copy reads the TSC whatever this machine's kernel says */
	while (real_now() < end) {
		uint64_t a = fake_at(real_now()), f = seam_fastclock_ns(), now = real_now(), b = fake_at(now);

		F.reads++;
		if (f < prev)
			t.back++;
		prev = f;
		if (now - start < (uint64_t)settle_ms * 1000000u)
			continue;
		t.reads++;
		if (f + SLACK_NS < a || f > b + SLACK_NS) {
			uint64_t off = f < a ? a - f : f - b;

			t.outside++;
			t.worst = off > t.worst ? off : t.worst;
		}
	}
	return t;
}

#define CHECK(t)                                                                                                      \
	do {                                                                                                          \
		cr_assert_gt((t).reads, 100);                                                                         \
		cr_assert_eq((t).outside, 0, "%llu of %llu readings off by more than %u ns (worst %llu ns)",         \
			     (unsigned long long)(t).outside, (unsigned long long)(t).reads, SLACK_NS,                \
			     (unsigned long long)(t).worst);                                                          \
		cr_assert_eq((t).back, 0, "%llu readings went back", (unsigned long long)(t).back);                   \
	} while (0)

Test(fastclock_seam, an_interrupted_anchor_pair_is_never_used)
{
	struct tally t;

	F.delay_every = 3;
	F.delay_left = 400;
	F.delay_ns = 40000; /* 40 µs: a preemption inside the pair */
	t = read_for(40, 0);
	CHECK(t);
	cr_assert(seam_fastclock_uses_tsc(), "the rate was never measured between the interruptions");
}

Test(fastclock_seam, a_clock_that_changes_pace_is_followed_not_locked_out)
{
	struct tally t;
	double before;
	uint64_t give_up;

	read_for(5, 5);
	cr_assert(seam_fastclock_uses_tsc(), "no rate after 5 ms");
	before = rate;
	/*
	 * 2 % faster than the TSC from now on: within a few windows of the
	 * thread's own CPU time the new rate is taken (looked at, not timed:
	 * on a loaded machine the windows come when the thread runs).
	 */
	F.switch_at = real_now();
	F.pace = 1.02;
	give_up = real_now() + 5000000000u;
	while (!(rate > before * 1.015) && real_now() < give_up)
		read_for(1, 1);
	cr_assert(rate > before * 1.015, "the rate stayed at %.6f ns per tick (was %.6f before the clock's change)", rate,
		  before);
	t = read_for(20, 0);
	CHECK(t);
}

Test(fastclock_seam, cpus_whose_tscs_are_far_apart_neither_jump_nor_go_back)
{
	struct tally t;

	F.cpu_mode = 2;
	F.tsc_apart = 5000000000ull; /* seconds of ticks */
	t = read_for(80, 0);
	CHECK(t);
	cr_assert(seam_fastclock_uses_tsc(), "no rate measured with two CPUs in turns");
}

Test(fastclock_seam, without_a_cpu_number_it_is_the_clock)
{
	struct tally t;

	F.cpu_mode = 1;
	t = read_for(20, 0);
	CHECK(t);
	cr_assert_not(seam_fastclock_uses_tsc(), "the TSC read with no CPU number to anchor it to");
}
#endif
