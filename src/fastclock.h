/*
 * fastclock.h - CLOCK_MONOTONIC in nanoseconds, read from the CPU's time
 * stamp counter between anchors, for the emitters' record stamps.
 *
 * clock_gettime(CLOCK_MONOTONIC) costs 26 ns through the vDSO on a
 * kvm-clock guest (the pvclock page, its version check, the vDSO's
 * seqcount), about half of what tracing a call cost a worker.  Where the
 * TSC may be read for it, this clock reads the TSC (11 ns there) and
 * converts it from an anchor: a (TSC, CLOCK_MONOTONIC) pair taken on the
 * same CPU at most a millisecond earlier, at a rate (ns per tick) the
 * thread measured over windows of one CPU.  A thread takes a new anchor
 * (one clock_gettime) when the millisecond is up or when it finds itself
 * on another CPU (from the rseq area: 3 ns), so TSCs that differ between
 * CPUs do not matter, and an error in the rate weighs on at most a
 * millisecond: typically tens of nanoseconds, a few microseconds at
 * worst.  It never goes back within a thread.
 *
 * The TSC may be read when the CPU says it is invariant and the kernel
 * reads it for CLOCK_MONOTONIC itself (clocksource tsc, or a paravirtual
 * clock whose vDSO reads it: clock_gettime then costs a third of a
 * system call at most).  Otherwise, off x86, in a thread's first two
 * milliseconds (the rate is not yet measured twice alike), after an
 * interrupted anchor pair, and in a thread whose pairs keep failing, it
 * is clock_gettime.  Not for signal
 * handlers that may interrupt it (the emitters never stamp from one).
 */
#ifndef EPOLLVIZ_FASTCLOCK_H
#define EPOLLVIZ_FASTCLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC now, in nanoseconds (see above). */
uint64_t fastclock_ns(void);
/*
 * May the TSC stand in for CLOCK_MONOTONIC, given the kernel's clocksource
 * ("tsc", "kvm-clock", ...), whether the CPU says the TSC is invariant, and
 * (asked only for a paravirtual clock) whether clock_gettime runs in the vDSO?
 */
int fastclock_trusts(const char *clocksource, int invariant, int (*in_vdso)(void));
/* 1 if the calling thread reads the TSC now (invariant, x86, its rate measured), 0 if clock_gettime. */
int fastclock_uses_tsc(void);

#endif
