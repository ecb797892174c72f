/*
 * recorder.h - writing a recording of a run (format in record.h).  A
 * recorder is a consumer of the run's records (recorder_sink).
 */
#ifndef EPOLLVIZ_RECORDER_H
#define EPOLLVIZ_RECORDER_H

#include "record.h"

struct recorder;

/* Create FILE and write the header.  NULL with a message naming the file on failure. */
struct recorder *recorder_open(const char *path, const struct scenario *sc, char *err, size_t errcap);
void recorder_write(struct recorder *rc, const struct trace_rec *r);
/* recorder_write as a trace_sink_fn: ctx is the recorder. */
void recorder_sink(void *rc, const struct trace_rec *r);
/* Flush and close.  Returns 0, or -1 with a message when anything failed to be written. */
int recorder_close(struct recorder *rc, char *err, size_t errcap);

#endif
