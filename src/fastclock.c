/*
 * fastclock.c - CLOCK_MONOTONIC from the TSC between per-thread anchors
 * (see fastclock.h).  Every piece of state is the calling thread's: no
 * lock, no atomic read per call, and a child of fork carries on with its
 * parent's thread's anchor and rate, which stay true on the same machine.
 */
#include "fastclock.h"

#include <sched.h>
#include <stdatomic.h>

#include "util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#define ANCHOR_NS 1000000.0 /* an anchor serves this long */
#define RATE_MIN_NS 1000000 /* the rate is first measured over at least this long */
#define PAIR_MAX_TICKS 100000 /* a pair read this far apart was interrupted: read again */

#if HAVE_TSC
enum { TSC_UNKNOWN = 0, TSC_NO, TSC_YES };
static _Atomic int tsc_state;

/* The calling thread's anchor, rate and last reading. */
static __thread uint64_t base_tsc, base_ns; /* where the rate is measured from */
static __thread double rate;                 /* ns per tick; 0 until measured */
static __thread uint64_t anchor_tsc, anchor_ns, anchor_span; /* span: ticks the anchor serves */
static __thread int anchor_cpu = -2;
static __thread uint64_t last_ns;

/* Does the CPU say its TSC is invariant (CPUID 0x80000007, EDX bit 8)? */
static int
tsc_invariant(void)
{
	unsigned a, b, c, d;

	if (__get_cpuid(0x80000000u, &a, &b, &c, &d) == 0 || a < 0x80000007u)
		return 0;
	if (__get_cpuid(0x80000007u, &a, &b, &c, &d) == 0)
		return 0;
	return (d >> 8) & 1;
}

/* Whether this process reads the TSC at all (asked once). */
static int
tsc_usable(void)
{
	int s = atomic_load_explicit(&tsc_state, memory_order_relaxed);

	if (s == TSC_UNKNOWN) {
		s = tsc_invariant() ? TSC_YES : TSC_NO;
		atomic_store_explicit(&tsc_state, s, memory_order_relaxed);
	}
	return s == TSC_YES;
}

/*
 * A new anchor on cpu: the TSC read on both sides of clock_gettime, their
 * middle taken.  The rate is measured from the thread's first anchor; a
 * measurement more than 1 % off the last one (a suspend, a CPU whose TSC
 * is far apart) starts the measuring again from here, the old rate kept.
 */
static uint64_t
anchor(int cpu)
{
	uint64_t t1, t2, ns;
	int tries = 0;

	do {
		t1 = __rdtsc();
		ns = now_ns();
		t2 = __rdtsc();
	} while (t2 - t1 > PAIR_MAX_TICKS && ++tries < 3);
	t1 += (t2 - t1) / 2;
	if (base_ns == 0 || t1 <= base_tsc || ns <= base_ns) {
		base_tsc = t1;
		base_ns = ns;
	} else if (ns - base_ns >= RATE_MIN_NS) {
		double r = (double)(ns - base_ns) / (double)(t1 - base_tsc);

		if (rate == 0 || (r > rate * 0.99 && r < rate * 1.01)) {
			rate = r;
		} else {
			base_tsc = t1;
			base_ns = ns;
		}
	}
	anchor_tsc = t1;
	anchor_ns = ns;
	anchor_cpu = cpu;
	anchor_span = rate > 0 ? (uint64_t)(ANCHOR_NS / rate) : 0;
	return ns;
}
#endif

/* CLOCK_MONOTONIC now, in nanoseconds: from the TSC and the thread's anchor when it may be. */
uint64_t
fastclock_ns(void)
{
#if HAVE_TSC
	if (tsc_usable()) {
		int cpu = sched_getcpu(); /* the rseq area's cpu_id: no system call */
		uint64_t t = __rdtsc(), ns;

		if (cpu == anchor_cpu && t - anchor_tsc < anchor_span)
			ns = anchor_ns + (uint64_t)((double)(t - anchor_tsc) * rate);
		else
			ns = anchor(cpu);
		if (ns < last_ns)
			ns = last_ns; /* a new anchor a little behind the last extrapolation */
		last_ns = ns;
		return ns;
	}
#endif
	return now_ns();
}

/* 1 if readings come from the TSC now (invariant TSC, x86, this thread's rate measured). */
int
fastclock_uses_tsc(void)
{
#if HAVE_TSC
	return tsc_usable() && rate > 0;
#else
	return 0;
#endif
}
