/*
 * trace.h - the trace protocol between the child roles and the front end.
 *
 * Owns the wire encoding of records (what a record is, and its types, are
 * trace_rec.h's), the reader that decodes a stream of them, the one sink
 * type and its tee, and the child-side emitter.  Must not know about the
 * model, the UI or any particular role.
 *
 * Wire format (version TRACE_WIRE_VERSION, "compact"): variable-length
 * records, written by each child to one pipe inherited from the front end.
 * A child buffers whole records and writes them with one write(2) of at
 * most PIPE_BUF bytes, so records of different processes never interleave;
 * it flushes before every call that may block, so nothing waits in a buffer
 * while its process sleeps.  When the pipe is full the writer blocks:
 * nothing is ever dropped.  Every record carries a per-thread sequence
 * number starting at 0; the reader counts gaps.
 *
 *   off  size  field
 *     0     1  magic and version: TRACE_WIRE_MAGIC (0xE2)
 *     1     1  type (enum trace_type)
 *     2     2  len: bytes of the whole record, this header and the check
 *              byte included (little-endian), within the type's bounds
 *     4     8  ts_ns (CLOCK_MONOTONIC, little-endian)
 *    12        varint pid; varint tid ^ pid (0: the main thread); varint seq
 *              then the type's fields, in the order of its table entry in
 *              trace_rec.c, each slot once:
 *                a number: varint (LEB128), zigzag for a signed slot
 *                text: varint length (<= TRACE_TEXT_MAX), the bytes
 *                pairs: varint count (<= TRACE_MAX_READY), then per pair
 *                       varint events, varint data
 * len-1     1  check: the sum of the record's other bytes, modulo 256
 *
 * A run: when the type byte has TRACE_WIRE_RUN (0x80) set, more records of
 * the same thread follow the first one's fields, up to the check byte, each
 * as its type byte, a varint step from the previous record's ts_ns, and all
 * its fields; its seq is the previous one's plus one.  A run is at most
 * TRACE_WIRE_MAX bytes in all (its length bound, in place of the first
 * type's), checked by its one check byte.  The emitter joins a record to
 * the run at the end of its buffer whenever it fits there: a recv costs
 * about 7 bytes instead of 20, and neither end pays for its header, its
 * ids or its check.  Runs are for the pipe only (trace_reader_take_runs);
 * a recording holds every record on its own, and its reader refuses a run
 * as a malformed record.
 *
 * A record is at most TRACE_WIRE_MAX bytes (an epoll_wait return of 64
 * pairs included), well under PIPE_BUF: every logical record is one wire
 * record or one record of a run, written whole in one atomic write.  The
 * common ones (wait enter, wait return with a pair, recv, send, accept,
 * close) take 20 to 45 bytes on their own.  The reader checks the magic, the type, the length against
 * the type's bounds, the check byte and that the fields fill the record
 * exactly; on anything else it counts the stretch as malformed and
 * resynchronises at the next magic byte.
 *
 * Recordings made before this format (recording version 1) hold fixed
 * 256-byte records (TRACE_REC_SIZE, layout in trace.c); the reader still
 * reads them when told to (trace_reader_set_wire).
 */
#ifndef EPOLLVIZ_TRACE_H
#define EPOLLVIZ_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace_rec.h"

#define TRACE_WIRE_VERSION 2 /* of the wire encoding; 1 was fixed 256-byte records */
#define TRACE_WIRE_MAGIC 0xE2
#define TRACE_WIRE_RUN 0x80 /* in the type byte: more records of the thread follow (see above) */
#define TRACE_WIRE_HEAD 12 /* the fixed part: magic, type, len, ts_ns */
#define TRACE_WIRE_MIN (TRACE_WIRE_HEAD + 3 + 1) /* three one-byte varints and the check */
/* The largest record: header, ids, ten 64-bit fields, a full text and 64 full pairs. */
#define TRACE_WIRE_MAX (TRACE_WIRE_HEAD + 20 + 10 * 10 + 2 + TRACE_TEXT_MAX + 1 + TRACE_MAX_READY * 15 + 1)
#define TRACE_REC_SIZE 256 /* a record of wire version 1 (old recordings) */

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

/* Sequence numbers a logical record takes: always 1 in the compact format. */
size_t trace_wire_count(const struct trace_rec *r);

/*
 * Encode r as one wire record into out (cap bytes), numbered *seq, and
 * advance *seq.  Returns the bytes written (at most TRACE_WIRE_MAX), or 0
 * if cap is too small (then *seq is unchanged).
 */
size_t trace_encode(const struct trace_rec *r, uint64_t *seq, uint8_t *out, size_t cap);

/*
 * Decode the wire record at the start of buf (avail bytes).  Returns 1 and
 * its length in *used; 0 when avail bytes are not yet the whole record; -1
 * with a reason in why (a static string) when it is malformed.
 */
int trace_decode(const uint8_t *buf, size_t avail, struct trace_rec *out, size_t *used,
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
	int wire;           /* TRACE_WIRE_VERSION, or 1 for an old recording */
	int runs;           /* runs are read (a pipe's stream); a recording has none */
	int in_bad;         /* inside a malformed stretch: counted once */
	uint8_t carry[TRACE_WIRE_MAX]; /* the beginning of a record cut by a chunk's end */
	size_t ncarry;
	uint64_t rec_end;   /* offset just past the wire record being delivered (a run's end for each of its records) */
	struct trace_rec cur; /* version 1: a wait return waiting for continuations */
	struct trace_rec next; /* where a record is decoded while cur waits */
	int cur_pending;
	int cur_have;
	struct trace_reader_pid *pids;
	size_t npids, cappids;
	size_t last;        /* the entry of the last record (records come in runs from one thread) */
	uint64_t records;   /* records accepted (each record of a run counts) */
	uint64_t lost;      /* sequence numbers never seen */
	uint64_t malformed; /* stretches of bytes rejected (a bad record, or garbage up to the next good one) */
	uint64_t offset;    /* bytes fed and dealt with (the carry's first byte) */
	uint64_t bad_offset; /* offset of the first rejected record */
	const char *bad_why;
};

/* An empty reader of the compact format at offset 0, runs refused (a recording's stream). */
void trace_reader_init(struct trace_reader *rd);
/* Read runs too: the stream is a trace pipe's. */
void trace_reader_take_runs(struct trace_reader *rd);
/* Read wire version wire (1: an old recording's fixed records) from now on. */
void trace_reader_set_wire(struct trace_reader *rd, int wire);
/* Free what the reader grew (its table of pids). */
void trace_reader_free(struct trace_reader *rd);
/* Feed bytes; calls sink for every complete logical record.  Returns 0 (out of memory ends the process). */
int trace_reader_feed(struct trace_reader *rd, const void *buf, size_t len, trace_sink_fn sink,
		      void *ctx);
/*
 * Account for the sequence numbers of nwire records of thread tid of pid
 * (0 or pid: its main thread) starting at seq: a gap counts as lost
 * records.  The reader calls it for every record it decodes (each record of
 * a run too); the unit tests call it directly.
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
