/*
 * replay.h - reading a recording (format in record.h): its header, then
 * its records in order; a damaged or truncated file is reported with the
 * byte offset where it breaks, after what could be read.
 */
#ifndef EPOLLVIZ_REPLAY_H
#define EPOLLVIZ_REPLAY_H

#include "record.h"

/*
 * Parse a header from the start of buf.  Returns 0 and the header's length
 * in *hlen, or -1 with a reason (naming the line or the unknown version).
 */
int replay_header_parse(const char *buf, size_t len, struct rec_header *h, size_t *hlen, char *err,
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
/* Where the last record replay_next returned ends in the file (the header's end before any). */
uint64_t replay_record_end(const struct replay *rp);
const struct trace_reader *replay_reader(const struct replay *rp);
void replay_close(struct replay *rp);

#endif
