/*
 * par.h - a loop whose iterations are independent, spread over the CPUs:
 * the calling thread and up to PAR_MAX_THREADS - 1 more each take chunks
 * from a contiguous region of the indices of their own, then from the
 * others' until none is left.  For readings of /proc at the scale of
 * servers (tens of thousands of fds, each a path walk of microseconds).
 */
#ifndef EPOLLVIZ_PAR_H
#define EPOLLVIZ_PAR_H

#define PAR_MAX_THREADS 4

/*
 * Call fn(ctx, from, to, slot) over [0, n) in chunks of chunk indices, on
 * one thread per min_each indices at most (and no more than the CPUs this
 * thread may run on, nor PAR_MAX_THREADS).  slot (0 for the calling thread, below
 * PAR_MAX_THREADS) names the thread, for scratch space of its own.  Every
 * index is done once whatever happens: a thread that cannot be made leaves
 * its share to the others.  Signals stay with the calling thread.
 */
void par_for(int n, int chunk, int min_each, void (*fn)(void *ctx, int from, int to, int slot), void *ctx);

#endif
