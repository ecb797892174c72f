/*
 * test_fastclock.c - fastclock_ns (src/fastclock.h), the records' stamps,
 * on this machine: every reading lies between the clock_gettime readings
 * taken around it (the TSC converted right: unit, rate, anchor), never
 * goes back within a thread, also across CPUs and in several threads at
 * once, and the TSC is read exactly where the CPU and the kernel allow it.
 * (test_fastclock_seam.c makes the conditions this machine cannot.)
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "fastclock.h"
#include "util.h"

/*
 * The interpolation is good to tens of nanoseconds, a microsecond or two
 * at worst; an interrupted anchor pair is never used.  5 µs still fails a
 * wrong unit, rate or anchor by orders of magnitude.
 */
#define SLACK_NS 5000u
#define RUN_NS 30000000u /* 30 ms of readings: dozens of anchors, the rate measured */

/* Does /proc/cpuinfo list the flag (a whole word) for the first CPU? */
static int
cpu_flag(const char *flag)
{
	char line[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "flags", 5) == 0 && strchr(line, ':')) {
			char *tok, *save = NULL;

			for (tok = strtok_r(strchr(line, ':') + 1, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
				if (strcmp(tok, flag) == 0)
					found = 1;
			break;
		}
	fclose(f);
	return found;
}

/* The kernel's clocksource ("tsc", "kvm-clock", ...), "" if unreadable. */
static void
clocksource(char *out, size_t cap)
{
	FILE *f = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r");

	out[0] = '\0';
	if (f && fgets(out, (int)cap, f))
		out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* Answers for fastclock_trusts' question about the vDSO. */
static int
yes(void)
{
	return 1;
}

/* (The other answer.) */
static int
no(void)
{
	return 0;
}

/*
 * Must fastclock read the TSC here (1), must it not (0), or is it for the
 * vDSO's speed to say (-1: a paravirtual clock)?  From /proc/cpuinfo's
 * flags (Linux sets both from the CPUID bit fastclock asks) and the
 * clocksource, read here on their own.
 */
static int
tsc_expected(void)
{
	char cs[64];
	int invariant = 0;

	clocksource(cs, sizeof cs);
#if defined(__x86_64__) || defined(__i386__)
	invariant = cpu_flag("constant_tsc") && cpu_flag("nonstop_tsc");
#else
	(void)cpu_flag;
	return 0;
#endif
	if (!fastclock_trusts(cs, invariant, yes))
		return 0;
	return fastclock_trusts(cs, invariant, no) ? 1 : -1;
}

struct run {
	uint64_t reads, outside, back, worst;
	int hop;          /* move between the CPUs this thread may use, every 1000 readings... */
	int tsc_at_first; /* ...once the TSC is read, where it may be (a rate needs two milliseconds on one CPU) */
	int tsc_at_end;
};

/* Read for RUN_NS, each reading bracketed by clock_gettime; count what is wrong. */
static void *
read_for_a_while(void *arg)
{
	struct run *r = arg;
	cpu_set_t all, one;
	int ncpu = 0, cpus[64], k = 0;
	uint64_t end = now_ns() + RUN_NS, prev = 0;

	if (r->hop && sched_getaffinity(0, sizeof all, &all) == 0)
		for (int c = 0; c < CPU_SETSIZE && ncpu < 64; c++)
			if (CPU_ISSET(c, &all))
				cpus[ncpu++] = c;
	if (r->hop && tsc_expected() != 0) {
		uint64_t give_up = now_ns() + 1000000000u;

		while (!fastclock_uses_tsc() && now_ns() < give_up)
			(void)fastclock_ns();
		end = now_ns() + RUN_NS;
	}
	r->tsc_at_first = fastclock_uses_tsc();
	while (now_ns() < end) {
		for (int i = 0; i < 1000; i++) {
			uint64_t a = now_ns(), f = fastclock_ns(), b = now_ns();
			uint64_t off = f + SLACK_NS < a ? a - f : f > b + SLACK_NS ? f - b : 0;

			if (off > 0)
				r->outside++;
			if (off > r->worst)
				r->worst = off;
			if (f < prev)
				r->back++;
			prev = f;
			r->reads++;
		}
		if (ncpu > 1) {
			CPU_ZERO(&one);
			CPU_SET(cpus[k++ % ncpu], &one);
			sched_setaffinity(0, sizeof one, &one);
		}
	}
	if (ncpu > 1)
		sched_setaffinity(0, sizeof all, &all);
	r->tsc_at_end = fastclock_uses_tsc();
	return NULL;
}

Test(fastclock, every_reading_lies_between_the_clock_reads_around_it)
{
	struct run r = { 0 };

	read_for_a_while(&r);
	cr_assert_gt(r.reads, 1000);
	cr_assert_eq(r.outside, 0, "%llu of %llu readings off the clock by more than %u ns (worst %llu ns)",
		     (unsigned long long)r.outside, (unsigned long long)r.reads, SLACK_NS,
		     (unsigned long long)r.worst);
	cr_assert_eq(r.back, 0, "%llu readings went back", (unsigned long long)r.back);
}

Test(fastclock, moving_between_cpus_neither_jumps_nor_goes_back)
{
	struct run r = { .hop = 1 };
	int expected = tsc_expected();

	read_for_a_while(&r);
	cr_assert(expected < 0 || r.tsc_at_first == expected, "TSC read before the moves: %d, expected %d",
		  r.tsc_at_first, expected);
	cr_assert_eq(r.tsc_at_end, r.tsc_at_first, "TSC read before the moves %d, after them %d", r.tsc_at_first,
		     r.tsc_at_end);
	cr_assert_eq(r.outside, 0, "%llu of %llu readings off by more than %u ns (worst %llu ns)",
		     (unsigned long long)r.outside, (unsigned long long)r.reads, SLACK_NS,
		     (unsigned long long)r.worst);
	cr_assert_eq(r.back, 0, "%llu readings went back", (unsigned long long)r.back);
}

Test(fastclock, threads_keep_anchors_of_their_own)
{
	struct run r[3] = { { 0 }, { .hop = 1 }, { 0 } };
	pthread_t t[3];

	for (int i = 0; i < 3; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, read_for_a_while, &r[i]), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(r[i].outside, 0, "thread %d: %llu readings off (worst %llu ns)", i,
			     (unsigned long long)r[i].outside, (unsigned long long)r[i].worst);
		cr_assert_eq(r[i].back, 0, "thread %d: %llu readings went back", i, (unsigned long long)r[i].back);
	}
	cr_assert_eq(r[1].tsc_at_end, r[1].tsc_at_first, "the moving thread read the TSC before the moves %d, after %d",
		     r[1].tsc_at_first, r[1].tsc_at_end);
}

Test(fastclock, the_tsc_is_trusted_only_where_the_cpu_and_the_kernel_trust_it)
{
	struct run r = { 0 };
	int expected = tsc_expected();

	/* The rule. */
	cr_assert(fastclock_trusts("tsc", 1, no));
	cr_assert_not(fastclock_trusts("tsc", 0, yes), "a TSC that is not invariant trusted");
	cr_assert(fastclock_trusts("kvm-clock", 1, yes));
	cr_assert_not(fastclock_trusts("kvm-clock", 1, no), "kvm-clock trusted with clock_gettime a system call");
	cr_assert(fastclock_trusts("hyperv_clocksource_tsc_page", 1, yes));
	cr_assert_not(fastclock_trusts("hpet", 1, yes), "the TSC trusted where the kernel reads the HPET");
	cr_assert_not(fastclock_trusts("", 1, yes), "the TSC trusted with no clocksource known");
	/* This machine (where the vDSO's speed decides, either answer is right; the other tests check the readings). */
	read_for_a_while(&r); /* longer than the two milliseconds the rate is measured over */
	cr_assert(expected < 0 || fastclock_uses_tsc() == expected, "uses the TSC: %d; expected: %d",
		  fastclock_uses_tsc(), expected);
}
