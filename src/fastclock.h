/*
 * fastclock.h - CLOCK_MONOTONIC in nanoseconds, read from the CPU's time
 * stamp counter between anchors, for the emitters' record stamps.
 *
 * clock_gettime(CLOCK_MONOTONIC) costs 26 ns through the vDSO on a
 * kvm-clock guest (the pvclock page, its version check, the vDSO's
 * seqcount), about half of what tracing a call costs in a worker.  On x86
 * with an invariant TSC (constant rate, ticking in every C-state), this
 * clock reads the TSC (11 ns there) and converts it from an anchor: a
 * (TSC, CLOCK_MONOTONIC) pair taken on the same CPU at most a millisecond
 * earlier, with the process's ticks-to-nanoseconds rate measured over
 * everything since its first anchor.  A thread takes a new anchor (one
 * clock_gettime) when the millisecond is up or it finds itself on another
 * CPU (from the rseq area: 3 ns), so TSCs that differ between CPUs do
 * not matter, and an error in the rate weighs on at most a millisecond.
 * The result stays within a microsecond of clock_gettime even while NTP
 * slews the clock (500 ppm at most), and never goes back within a thread.
 *
 * Until the rate has been measured over a millisecond, or without an
 * invariant TSC, or off x86, it is clock_gettime.  Not for signal
 * handlers that may interrupt it (the emitters never stamp from one).
 */
#ifndef EPOLLVIZ_FASTCLOCK_H
#define EPOLLVIZ_FASTCLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC now, in nanoseconds (see above). */
uint64_t fastclock_ns(void);
/* 1 if the calling thread reads the TSC now (invariant, x86, its rate measured), 0 if clock_gettime. */
int fastclock_uses_tsc(void);

#endif
