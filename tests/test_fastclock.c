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
#include <sys/syscall.h>
#include <unistd.h>

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

/* Does clock_gettime run in the vDSO: three of it quicker than getppid and one of it (the quickest of 100)? */
static int
clock_in_vdso(void)
{
	uint64_t clock_best = UINT64_MAX, call_best = UINT64_MAX;

	for (int i = 0; i < 100; i++) {
		uint64_t t0 = now_ns(), t1 = now_ns(), t2;

		(void)syscall(SYS_getppid);
		t2 = now_ns();
		clock_best = t1 - t0 < clock_best ? t1 - t0 : clock_best;
		call_best = t2 - t1 < call_best ? t2 - t1 : call_best;
	}
	return 3 * clock_best < call_best;
}

/* May fastclock read the TSC here: invariant, and read by the kernel for CLOCK_MONOTONIC? */
static int
tsc_allowed(void)
{
	char cs[64];

	clocksource(cs, sizeof cs);
#if defined(__x86_64__) || defined(__i386__)
	/* Linux sets both flags from the one CPUID bit fastclock asks (0x80000007, EDX bit 8). */
	if (cpu_flag("constant_tsc") && cpu_flag("nonstop_tsc"))
		return strcmp(cs, "tsc") == 0 ||
		       ((strcmp(cs, "kvm-clock") == 0 || strcmp(cs, "hyperv_clocksource_tsc_page") == 0) && clock_in_vdso());
#else
	(void)cpu_flag;
	(void)clock_in_vdso;
#endif
	return 0;
}


struct run {
	uint64_t reads, outside, back, worst;
	int hop;          /* move between the CPUs this thread may use, every 1000 readings... */
	int tsc_at_first; /* ...once the TSC is read, where it may be (a rate needs a millisecond on one CPU) */
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
	if (r->hop && tsc_allowed()) {
		uint64_t give_up = now_ns() + 5000000000u;

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
	int allowed = tsc_allowed();

	read_for_a_while(&r);
	cr_assert_eq(r.tsc_at_first && r.tsc_at_end, allowed, "TSC read before the moves %d, after %d; allowed %d",
		     r.tsc_at_first, r.tsc_at_end, allowed);
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
	cr_assert_eq(r[1].tsc_at_first && r[1].tsc_at_end, tsc_allowed(), "the moving thread read the TSC: %d, %d",
		     r[1].tsc_at_first, r[1].tsc_at_end);
}

Test(fastclock, the_tsc_is_read_exactly_where_the_cpu_and_the_kernel_allow)
{
	struct run r = { 0 };
	int allowed = tsc_allowed();

	read_for_a_while(&r); /* longer than the two milliseconds the rate is measured over */
	cr_assert_eq(fastclock_uses_tsc(), allowed, "uses the TSC: %d; allowed: %d", fastclock_uses_tsc(), allowed);
}
