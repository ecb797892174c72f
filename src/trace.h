/*
 * trace.h - the trace protocol between the child roles and the front end.
 *
 * Owns the wire encoding of records (what a record is, and its types, are
 * trace_rec.h's), the reader that decodes a stream of them, the one sink
 * type and its tee, and the child-side emitter.  Must not know about the
 * model, the UI or any particular role.
 *
 * Wire format (version TRACE_VERSION): fixed TRACE_REC_SIZE-byte records,
 * little-endian, written by each child to one pipe inherited from the front
 * end.  A child buffers whole records and writes them with one write(2) of
 * at most PIPE_BUF bytes, so records of different processes never
 * interleave; it flushes before every call that may block, so nothing waits
 * in a buffer while its process sleeps.  When the pipe is full the writer
 * blocks: nothing is ever dropped.  Every wire record carries a
 * per-process sequence number starting at 0; the reader counts gaps.
 *
 *   off  size  field
 *     0     2  magic 'E','V'
 *     2     1  version
 *     3     1  type (enum trace_type)
 *     4     4  pid
 *     8     8  seq
 *    16     8  ts_ns (CLOCK_MONOTONIC)
 *    24     4  epfd        28 4 fd        32 4 op       36 4 events
 *    40     8  data        48 8 ret       56 4 err      60 4 arg
 *    64     4  arg2        68 4 pid2      72 8 val
 *    80     1  nhere (pairs in this record)   81 1 textlen
 *    82     1  npairs (pairs in the whole batch)  83 1 pair_off
 *    84     4  tid (the thread that emitted it; 0 in recordings made
 *              before threads were traced: the process's main thread)
 *    88   168  text, or up to 14 (events u32, data u64) pairs
 *
 * An epoll_wait return with more than TRACE_PAIRS_PER_REC pairs continues in
 * further records of the same type whose pair_off is not 0; they always
 * follow their head directly (same write).
 */
#ifndef EPOLLVIZ_TRACE_H
#define EPOLLVIZ_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace_rec.h"

#define TRACE_REC_SIZE 256
#define TRACE_BODY_OFF 88
#define TRACE_PAIRS_PER_REC 14

/* Where each slot of a record sits in a wire record (see the table above). */
enum trace_wire_off {
	TW_MAGIC = 0, TW_VERSION = 2, TW_TYPE = 3, TW_PID = 4, TW_SEQ = 8, TW_TS = 16,
	TW_EPFD = 24, TW_FD = 28, TW_OP = 32, TW_EVENTS = 36, TW_DATA = 40, TW_RET = 48,
	TW_ERR = 56, TW_ARG = 60, TW_ARG2 = 64, TW_PID2 = 68, TW_VAL = 72, TW_NHERE = 80,
	TW_TEXTLEN = 81, TW_NPAIRS = 82, TW_PAIR_OFF = 83, TW_TID = 84,
	TW_BODY = TRACE_BODY_OFF
};
#define TRACE_PAIR_SIZE 12 /* events u32, then data u64 */
#define TRACE_PAIR_DATA 4

/* Called for every complete logical record: the one consumer type (see trace_tee). */
typedef void (*trace_sink_fn)(void *ctx, const struct trace_rec *r);

/*
 * Several consumers of one record stream, called in the order they were
 * added: the model, a recorder, a printer, a screen.  A producer (the trace
 * reader, the run, a replay) sees one sink: trace_tee_sink with the tee.
 */
#define TRACE_TEE_MAX 6
struct trace_tee {
	struct {
		trace_sink_fn fn;
		void *ctx;
	} to[TRACE_TEE_MAX];
	int n;
};

/* Add a consumer; one with fn NULL is left out.  More than TRACE_TEE_MAX is a bug: it aborts. */
void trace_tee_add(struct trace_tee *t, trace_sink_fn fn, void *ctx);
/* The tee as a sink: hand r to every consumer. */
void trace_tee_sink(void *tee, const struct trace_rec *r);

/* Number of wire records a logical record needs. */
size_t trace_wire_count(const struct trace_rec *r);

/*
 * Encode r as wire records into out (cap bytes), numbering them from *seq on
 * and advancing *seq.  Returns the bytes written, or 0 if cap is too small.
 */
size_t trace_encode(const struct trace_rec *r, uint64_t *seq, uint8_t *out, size_t cap);

/*
 * Decode one wire record of TRACE_REC_SIZE bytes.  Returns 0, or -1 with a
 * reason in why (static string) when the record is malformed.  Pairs are
 * stored at their pair_off in out->pairs; *pair_off and *nhere tell where.
 */
int trace_decode_wire(const uint8_t *buf, struct trace_rec *out, int *pair_off, int *nhere,
		      const char **why);

/*
 * The reader: feeds bytes in any chunking, assembles logical records, counts
 * sequence gaps per pid and malformed wire records (and where the first
 * one was).  Pure: no I/O.
 */
struct trace_reader_pid {
	uint32_t pid;
	uint32_t tid; /* 0: the main thread (whose tid is its pid) */
	uint64_t next_seq;
};

struct trace_reader {
	uint8_t carry[TRACE_REC_SIZE];
	size_t ncarry;
	struct trace_rec cur; /* a wait return waiting for continuations */
	struct trace_rec next; /* where a record is decoded while cur waits */
	int cur_pending;
	int cur_have;
	struct trace_reader_pid *pids;
	size_t npids, cappids;
	uint64_t records;   /* wire records accepted */
	uint64_t lost;      /* sequence numbers never seen */
	uint64_t malformed; /* wire records rejected */
	uint64_t offset;    /* bytes fed so far */
	uint64_t bad_offset; /* offset of the first rejected record */
	const char *bad_why;
};

/* An empty reader at offset 0. */
void trace_reader_init(struct trace_reader *rd);
/* Free what the reader grew (its table of pids). */
void trace_reader_free(struct trace_reader *rd);
/* Feed bytes; calls sink for every complete logical record.  Returns 0 (out of memory ends the process). */
int trace_reader_feed(struct trace_reader *rd, const void *buf, size_t len, trace_sink_fn sink,
		      void *ctx);
/*
 * Account for the sequence number of nwire wire records of thread tid of
 * pid (0 or pid: its main thread) starting at seq: a gap counts as lost
 * records.  The reader calls it for every wire record it decodes; the unit
 * tests call it directly.
 */
void trace_reader_note_seq(struct trace_reader *rd, uint32_t pid, uint32_t tid, uint64_t seq,
			   unsigned nwire);

/*
 * Child side.  trace_open() takes the inherited pipe fd; trace_emit() stamps
 * pid, tid, seq and (if 0) ts_ns and buffers; trace_flush() writes.  With
 * no fd (tracing off) emit is a no-op.  When the reader is gone (EPIPE),
 * trace_reader_gone() turns true and the role should shut down.
 *
 * Each thread has its own buffer and sequence numbers (thread-local), so
 * threads never wait for each other and each write stays one atomic write
 * of at most PIPE_BUF bytes.  A signal handler must not emit while its
 * thread is inside trace_emit or trace_flush (trace_busy() says so); the
 * preload tracer defers its records until the thread is out.
 */
void trace_open(int fd, int immediate);
/* Write with fn instead of write(2) (the preload tracer's, which must not call itself). */
void trace_set_writer(ssize_t (*fn)(int fd, const void *buf, size_t n));
/* Move the trace to fd (the preload tracer keeps it away from a program's dup2 or close). */
void trace_move(int fd);
/* Whether the calling thread is inside trace_emit or trace_flush. */
int trace_busy(void);
/* The trace fd, or -1 when tracing is off (for a child to pass on). */
int trace_fd(void);
void trace_emit(struct trace_rec *r);
void trace_flush(void);
/* Bytes emitted but not yet written (0 when tracing is off). */
size_t trace_pending(void);
/* The reader is gone (a write saw EPIPE): the role should shut down. */
int trace_reader_gone(void);
/* Emit a TR_LOG record with printf-style text. */
void trace_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
