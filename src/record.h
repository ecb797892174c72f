/*
 * record.h - recordings: every trace record of a run, to be replayed later.
 *
 * File format (version RECORD_VERSION):
 *
 *   epollviz recording 1\n            magic line with the format version
 *   trace-version: 1\n                 "key: value" header lines, any order;
 *   record-size: 256\n                 unknown keys are ignored
 *   scenario: echo-herd\n
 *   options: [echo] accept=semaphore ...\n
 *   kernel: 6.18.44\n
 *   start: 2026-11-26T15:18:52Z\n
 *   \n                                 an empty line ends the header (< 4 KiB)
 *   <wire records, exactly as trace.h defines them>
 *
 * Every record of the run is there, the front end's own included, in the
 * order the front end applied them.
 */
#ifndef EPOLLVIZ_RECORD_H
#define EPOLLVIZ_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"
#include "trace.h"

#define RECORD_VERSION 1
#define RECORD_MAGIC "epollviz recording"
#define RECORD_HEADER_MAX 4096

struct rec_header {
	int version;
	int trace_version;
	int record_size;
	char scenario[64];
	char options[512];
	char kernel[128];
	char start[64];
};

struct recorder;

/* Create FILE and write the header.  NULL with a message naming the file on failure. */
struct recorder *recorder_open(const char *path, const struct scenario *sc, char *err, size_t errcap);
void recorder_write(struct recorder *rc, const struct trace_rec *r);
/* recorder_write as a trace_sink_fn: ctx is the recorder. */
void recorder_sink(void *rc, const struct trace_rec *r);
/* Flush and close.  Returns 0, or -1 with a message when anything failed to be written. */
int recorder_close(struct recorder *rc, char *err, size_t errcap);

/*
 * Parse a header from the start of buf.  Returns 0 and the header's length
 * in *hlen, or -1 with a reason (naming the line or the unknown version).
 */
int rec_header_parse(const char *buf, size_t len, struct rec_header *h, size_t *hlen, char *err,
		     size_t errcap);

/* Streaming reader of a recording. */
struct replay;

/* Open and read the header.  NULL with "FILE: reason" on failure. */
struct replay *replay_open(const char *path, char *err, size_t errcap);
const struct rec_header *replay_header(const struct replay *rp);
/*
 * The next logical record: 1, 0 at the end, -1 on a corrupt or truncated
 * file (message with the byte offset in replay_error()).  Records before the
 * damage are still returned.
 */
int replay_next(struct replay *rp, struct trace_rec *out);
const char *replay_error(const struct replay *rp);
/* Bytes of the file consumed so far, and its size (for a position indicator). */
uint64_t replay_pos(const struct replay *rp);
uint64_t replay_size(const struct replay *rp);
const struct trace_reader *replay_reader(const struct replay *rp);
void replay_close(struct replay *rp);

#endif
