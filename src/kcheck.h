/*
 * kcheck.h - the kernel's interest lists beside the ones the trace built:
 * for every epoll fd of the given processes, each watched fd is reported as
 * agreeing, known only to the kernel, known only to the trace, or with
 * different events, with the likely reason.  Pure: reads a model and a
 * kview, emits records through a callback.
 */
#ifndef EPOLLVIZ_KCHECK_H
#define EPOLLVIZ_KCHECK_H

#include "kview.h"
#include "model.h"
#include "trace.h"

/* Emit kernel_epoll and kernel_watch records.  Returns the number of disagreements. */
int kcheck(const struct model *m, const struct kview *kv, trace_sink_fn emit, void *ctx);

#endif
