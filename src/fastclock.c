/*
 * fastclock.c - CLOCK_MONOTONIC from the TSC between per-thread anchors
 * (see fastclock.h).  Every piece of state is the calling thread's: no
 * lock, no atomic read per call, and a child of fork carries on with its
 * parent's thread's anchor and rate, which stay true on the same machine.
 *
 * The rate (ns per tick) is measured over windows of one CPU, from a base
 * anchor to the first later one at least RATE_MIN_NS on, each window
 * starting where the last ended.  An anchor is a (TSC, clock) pair read
 * back to back; a pair that took longer than PAIR_MAX_TICKS (about a
 * microsecond), or straddles a move to another CPU, was interrupted and is
 * never used, so a window's rate is good to 1e-3 at worst (typically a few
 * 1e-5), and two windows differ by 2e-3 at most.  The first rate is used
 * once two windows in a row agree within RATE_AGREE (3e-3); after that a
 * window within RATE_AGREE of the rate becomes the rate (the clock's
 * slewing is followed), one that is not is set aside (a suspend inside
 * it, say), and two in a row that agree with each other but not with the
 * rate replace it (a restored VM on a host whose TSC runs at another
 * rate).  A thread whose anchor pairs fail PAIR_GIVE_UP times in a row
 * reads clock_gettime alone from then on.
 */
#include "fastclock.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <sys/rseq.h>
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#define ANCHOR_NS 1000000.0      /* an anchor serves this long */
#define RATE_MIN_NS 1000000u     /* a window of at least this long measures the rate */
#define RATE_AGREE 0.003         /* two measurements agree within this fraction */
#define PAIR_MAX_TICKS 2000      /* about a microsecond: a pair that took longer was interrupted */
#define PAIR_TRIES 4
#define PAIR_GIVE_UP 16          /* anchors in a row whose every pair was interrupted */

#if HAVE_TSC
enum { TSC_UNKNOWN = 0, TSC_NO, TSC_YES };
static _Atomic int tsc_state;

/* The calling thread's measuring, anchor and last reading. */
static __thread uint64_t base_tsc, base_ns; /* the window's start; 0: none */
static __thread int base_cpu;
static __thread double rate;      /* ns per tick in use; 0 until two windows agree */
static __thread double candidate; /* a measurement that disagreed with the rate (or the first one); 0: none */
static __thread uint64_t anchor_tsc, anchor_ns, anchor_span; /* span: ticks the anchor serves */
static __thread int anchor_cpu = -2;
static __thread uint64_t last_ns;
static __thread int failed_anchors; /* in a row; PAIR_GIVE_UP: clock_gettime alone */

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

/*
 * The kernel's clocksource, read with bare system calls (the preload
 * tracer wraps open and read): "tsc", "kvm-clock", ...; "" if unreadable.
 */
static void
clocksource(char *out, size_t cap)
{
	long fd = syscall(SYS_openat, AT_FDCWD, "/sys/devices/system/clocksource/clocksource0/current_clocksource",
			  O_RDONLY | O_CLOEXEC);
	long n = fd < 0 ? -1 : syscall(SYS_read, (int)fd, out, cap - 1);

	if (fd >= 0)
		syscall(SYS_close, (int)fd);
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/*
 * Does clock_gettime run in the vDSO, not as a system call?  Three of it
 * then take less time than the cheapest system call and one more of it;
 * as a system call itself, one costs at least as much as getppid.  The
 * quickest of 16 of each (a preemption lengthens some, not all).
 */
static int
clock_in_vdso(void)
{
	uint64_t clock_best = UINT64_MAX, call_best = UINT64_MAX;

	for (int i = 0; i < 16; i++) {
		uint64_t t0 = now_ns(), t1 = now_ns(), t2;

		(void)syscall(SYS_getppid);
		t2 = now_ns();
		clock_best = t1 - t0 < clock_best ? t1 - t0 : clock_best;
		call_best = t2 - t1 < call_best ? t2 - t1 : call_best;
	}
	return 3 * clock_best < call_best;
}

/* Whether this process reads the TSC at all (asked once): fastclock_trusts on this machine's facts. */
static int
tsc_usable(void)
{
	int s = atomic_load_explicit(&tsc_state, memory_order_relaxed);

	if (s == TSC_UNKNOWN) {
		char cs[64];

		clocksource(cs, sizeof cs);
		s = fastclock_trusts(cs, tsc_invariant(), clock_in_vdso) ? TSC_YES : TSC_NO;
		atomic_store_explicit(&tsc_state, s, memory_order_relaxed);
	}
	return s == TSC_YES;
}

#ifndef FASTCLOCK_SEAM_CPU /* tests/test_fastclock_seam.c brings its own */
/* The thread pointer (the TCB): where glibc's rseq area is found from. */
static inline const char *
thread_pointer(void)
{
	const char *tp;

#if defined(__x86_64__)
	__asm__("mov %%fs:0, %0" : "=r"(tp));
#else
	__asm__("mov %%gs:0, %0" : "=r"(tp));
#endif
	return tp;
}

/*
 * The CPU the thread runs on: the cpu_id the kernel keeps in the thread's
 * rseq area, one load (glibc registers it; 3 ns through sched_getcpu);
 * else sched_getcpu, errno kept (a traced call's errno is read after its
 * record is made).  -1 if unknown.
 */
static inline int
current_cpu(void)
{
	int saved, cpu;

	if (__rseq_size > 0)
		return (int)((const volatile struct rseq *)(thread_pointer() + __rseq_offset))->cpu_id;
	saved = errno;
	cpu = sched_getcpu();
	errno = saved;
	return cpu;
}
#endif

/* Do two rates agree? */
static int
agree(double a, double b)
{
	return a > b * (1 - RATE_AGREE) && a < b * (1 + RATE_AGREE);
}

/* A window from the base to (t, ns) on its CPU measured r ns per tick: keep, set aside or adopt it. */
static void
measured(double r)
{
	if (rate > 0 && agree(r, rate)) {
		rate = r;
		candidate = 0;
	} else if (candidate > 0 && agree(r, candidate)) {
		rate = r; /* two in a row: the first rate, or a new one */
		candidate = 0;
	} else {
		candidate = r;
	}
}

/*
 * A new anchor on cpu: the TSC read on both sides of clock_gettime, their
 * middle taken, and the rate measured when the window is long enough.
 * Returns the clock, or 0 when every pair was interrupted (the caller
 * then reads the clock alone; nothing is moved).
 */
static uint64_t
anchor(int cpu)
{
	uint64_t t1 = 0, t2 = 0, ns = 0;
	int tries;

	for (tries = 0; tries < PAIR_TRIES; tries++) {
		t1 = __rdtsc();
		ns = now_ns();
		t2 = __rdtsc();
		if (t2 - t1 <= PAIR_MAX_TICKS && current_cpu() == cpu)
			break;
	}
	if (tries == PAIR_TRIES) {
		failed_anchors++;
		return 0;
	}
	failed_anchors = 0;
	t1 += (t2 - t1) / 2;
	if (base_ns == 0 || cpu != base_cpu || t1 <= base_tsc || ns <= base_ns) {
		base_tsc = t1; /* a first window, or one on this CPU from now */
		base_ns = ns;
		base_cpu = cpu;
	} else if (ns - base_ns >= RATE_MIN_NS) {
		measured((double)(ns - base_ns) / (double)(t1 - base_tsc));
		base_tsc = t1; /* the next window starts here */
		base_ns = ns;
	}
	anchor_tsc = t1;
	anchor_ns = ns;
	anchor_cpu = cpu;
	anchor_span = rate > 0 ? (uint64_t)(ANCHOR_NS / rate) : 0;
	return ns;
}

/* The clock from the TSC, or 0 to read clock_gettime instead. */
static uint64_t
from_tsc(void)
{
	int cpu = current_cpu();
	uint64_t t = __rdtsc();

	if (cpu < 0 || failed_anchors >= PAIR_GIVE_UP)
		return 0;
	if (cpu == anchor_cpu && t - anchor_tsc < anchor_span && current_cpu() == cpu)
		return anchor_ns + (uint64_t)((double)(t - anchor_tsc) * rate);
	return anchor(cpu);
}
#endif

/*
 * The rule: the TSC may stand in for CLOCK_MONOTONIC when the CPU says it
 * is invariant and the kernel reads it for that clock itself, its
 * clocksource being the TSC, or a paravirtual clock (kvm-clock, Hyper-V's
 * TSC page) that the vDSO reads, which it does only when the host vouches
 * that the TSC is stable and in step on every CPU.  in_vdso is asked only
 * then (it measures).
 */
int
fastclock_trusts(const char *clocksource, int invariant, int (*in_vdso)(void))
{
	if (!invariant)
		return 0;
	if (strcmp(clocksource, "tsc") == 0)
		return 1;
	return (strcmp(clocksource, "kvm-clock") == 0 || strcmp(clocksource, "hyperv_clocksource_tsc_page") == 0) &&
	       in_vdso();
}

/* CLOCK_MONOTONIC now, in nanoseconds: from the TSC and the thread's anchor when it may be. */
uint64_t
fastclock_ns(void)
{
#if HAVE_TSC
	if (tsc_usable()) {
		uint64_t ns = from_tsc();

		if (ns == 0)
			ns = now_ns();
		if (ns < last_ns)
			ns = last_ns; /* a new anchor a little behind the last extrapolation */
		last_ns = ns;
		return ns;
	}
#endif
	return now_ns();
}

/* 1 if readings come from the TSC now (usable TSC, this thread's rate measured). */
int
fastclock_uses_tsc(void)
{
#if HAVE_TSC
	return tsc_usable() && rate > 0;
#else
	return 0;
#endif
}
