/*
 * test_fastclock.c - fastclock_ns (src/fastclock.h), the records' stamps:
 * every reading lies between the clock_gettime readings taken around it
 * (the TSC converted right: unit, rate, anchor), never goes back within a
 * thread, also across CPUs and in several threads at once, and the TSC is
 * in use where the CPU says it is invariant.
 */
#include <criterion/criterion.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "fastclock.h"
#include "util.h"

/*
 * The interpolation is good to well under a microsecond; 20 µs of slack
 * keeps a reading whose anchor pair was preempted on a loaded machine,
 * and still fails a wrong unit, rate or anchor by orders of magnitude.
 */
#define SLACK_NS 20000u
#define RUN_NS 30000000u /* 30 ms of readings: dozens of anchors, the rate measured */

struct run {
	uint64_t reads, outside, back, worst;
	int hop; /* move between the CPUs this thread may use, every 1000 readings */
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
	return NULL;
}

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
		if (strncmp(line, "flags", 5) == 0) {
			char *tok, *save = NULL;

			for (tok = strtok_r(strchr(line, ':'), ": \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
				if (strcmp(tok, flag) == 0)
					found = 1;
			break;
		}
	fclose(f);
	return found;
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

	read_for_a_while(&r);
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
}

Test(fastclock, the_tsc_is_read_where_the_cpu_says_it_is_invariant)
{
	struct run r = { 0 };
	int invariant = 0;

#if defined(__x86_64__) || defined(__i386__)
	/* Linux sets both flags from the one CPUID bit fastclock asks (0x80000007, EDX bit 8). */
	invariant = cpu_flag("constant_tsc") && cpu_flag("nonstop_tsc");
#else
	(void)cpu_flag;
#endif
	read_for_a_while(&r); /* longer than the millisecond the rate is measured over */
	cr_assert_eq(fastclock_uses_tsc(), invariant, "uses the TSC: %d; the CPU says invariant: %d",
		     fastclock_uses_tsc(), invariant);
}
