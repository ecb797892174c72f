/*
 * trace.c - wire codec, reader and child-side emitter of the trace protocol.
 * The layout is documented in trace.h; this file is its only implementation.
 */
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Little-endian stores and loads, independent of the host. */
static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Store v at p as eight little-endian bytes. */
static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Load four little-endian bytes at p. */
static uint32_t
get32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* Load eight little-endian bytes at p. */
static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/* How many wire records r takes: one, or enough for its (clamped) epoll_wait pairs. */
size_t
trace_wire_count(const struct trace_rec *r)
{
	/* Clamped as trace_encode clamps: more pairs than that are never sent. */
	int npairs = r->npairs > TRACE_MAX_READY ? TRACE_MAX_READY : r->npairs;

	if (!trace_rec_type_has(r->type, RK_PAIRS) || npairs <= TRACE_PAIRS_PER_REC)
		return 1;
	return (npairs + TRACE_PAIRS_PER_REC - 1) / TRACE_PAIRS_PER_REC;
}

/* Encode the fixed part shared by a head and its continuations. */
static void
encode_fixed(const struct trace_rec *r, uint64_t seq, uint8_t *p)
{
	memset(p, 0, TRACE_REC_SIZE);
	p[TW_MAGIC] = 'E';
	p[TW_MAGIC + 1] = 'V';
	p[TW_VERSION] = TRACE_VERSION;
	p[TW_TYPE] = r->type;
	put32(p + TW_PID, r->pid);
	put64(p + TW_SEQ, seq);
	put64(p + TW_TS, r->ts_ns);
	put32(p + TW_EPFD, (uint32_t)r->epfd);
	put32(p + TW_FD, (uint32_t)r->fd);
	put32(p + TW_OP, (uint32_t)r->op);
	put32(p + TW_EVENTS, r->events);
	put64(p + TW_DATA, r->data);
	put64(p + TW_RET, (uint64_t)r->ret);
	put32(p + TW_ERR, (uint32_t)r->err);
	put32(p + TW_ARG, (uint32_t)r->arg);
	put32(p + TW_ARG2, (uint32_t)r->arg2);
	put32(p + TW_PID2, (uint32_t)r->pid2);
	put64(p + TW_VAL, r->val);
	put32(p + TW_TID, r->tid);
}

/* Wire records of r into out, numbered from *seq on; bytes written, 0 if cap is short. */
size_t
trace_encode(const struct trace_rec *r, uint64_t *seq, uint8_t *out, size_t cap)
{
	size_t nwire = trace_wire_count(r);

	if (cap < nwire * TRACE_REC_SIZE)
		return 0;
	if (!trace_rec_type_has(r->type, RK_PAIRS)) {
		size_t tl = strnlen(r->text, TRACE_TEXT_MAX);

		encode_fixed(r, (*seq)++, out);
		out[TW_TEXTLEN] = (uint8_t)tl;
		memcpy(out + TW_BODY, r->text, tl);
		return TRACE_REC_SIZE;
	}
	int npairs = r->npairs > TRACE_MAX_READY ? TRACE_MAX_READY : r->npairs;
	for (size_t w = 0; w < nwire; w++) {
		uint8_t *p = out + w * TRACE_REC_SIZE;
		int off = (int)w * TRACE_PAIRS_PER_REC;
		int here = npairs - off;

		if (here > TRACE_PAIRS_PER_REC)
			here = TRACE_PAIRS_PER_REC;
		encode_fixed(r, (*seq)++, p);
		p[TW_NHERE] = (uint8_t)here;
		p[TW_NPAIRS] = (uint8_t)npairs;
		p[TW_PAIR_OFF] = (uint8_t)off;
		for (int i = 0; i < here; i++) {
			uint8_t *q = p + TW_BODY + TRACE_PAIR_SIZE * i;

			put32(q, r->pairs[off + i].events);
			put64(q + TRACE_PAIR_DATA, r->pairs[off + i].data);
		}
	}
	return nwire * TRACE_REC_SIZE;
}

/* Check and unpack one wire record into out; -1 with a static reason when malformed. */
int
trace_decode_wire(const uint8_t *p, struct trace_rec *out, int *pair_off, int *nhere,
		  const char **why)
{
	unsigned kinds;

	*why = NULL;
	if (p[TW_MAGIC] != 'E' || p[TW_MAGIC + 1] != 'V') {
		*why = "bad magic";
		return -1;
	}
	if (p[TW_VERSION] != TRACE_VERSION) {
		*why = "unknown protocol version";
		return -1;
	}
	kinds = trace_rec_type_kinds(p[TW_TYPE]);
	if (kinds == 0 && trace_rec_type(p[TW_TYPE]) == NULL) {
		*why = "unknown record type";
		return -1;
	}
	out->type = p[TW_TYPE];
	out->pid = get32(p + TW_PID);
	out->seq = get64(p + TW_SEQ);
	out->ts_ns = get64(p + TW_TS);
	out->epfd = (int32_t)get32(p + TW_EPFD);
	out->fd = (int32_t)get32(p + TW_FD);
	out->op = (int32_t)get32(p + TW_OP);
	out->events = get32(p + TW_EVENTS);
	out->data = get64(p + TW_DATA);
	out->ret = (int64_t)get64(p + TW_RET);
	out->err = (int32_t)get32(p + TW_ERR);
	out->arg = (int32_t)get32(p + TW_ARG);
	out->arg2 = (int32_t)get32(p + TW_ARG2);
	out->pid2 = (int32_t)get32(p + TW_PID2);
	out->val = get64(p + TW_VAL);
	out->tid = get32(p + TW_TID);
	*pair_off = 0;
	*nhere = 0;
	out->npairs = 0;
	out->text[0] = '\0';
	if (kinds & (1u << RK_PAIRS)) {
		int here = p[TW_NHERE], total = p[TW_NPAIRS], off = p[TW_PAIR_OFF];

		if (here > TRACE_PAIRS_PER_REC || total > TRACE_MAX_READY || off + here > total ||
		    off % TRACE_PAIRS_PER_REC != 0 || (here < TRACE_PAIRS_PER_REC && off + here != total)) {
			*why = "bad epoll_wait pair counts";
			return -1;
		}
		for (int i = 0; i < here; i++) {
			const uint8_t *q = p + TW_BODY + TRACE_PAIR_SIZE * i;

			out->pairs[off + i].events = get32(q);
			out->pairs[off + i].data = get64(q + TRACE_PAIR_DATA);
		}
		out->npairs = (uint8_t)total;
		*pair_off = off;
		*nhere = here;
		return 0;
	}
	size_t tl = p[TW_TEXTLEN];
	if (tl > TRACE_TEXT_MAX) {
		*why = "text length out of range";
		return -1;
	}
	if (tl > 0 && !(kinds & (1u << RK_TEXT))) {
		*why = "text in a record type that has none";
		return -1;
	}
	memcpy(out->text, p + TW_BODY, tl);
	out->text[tl] = '\0';
	return 0;
}

/* Append a consumer (none when fn is NULL); a full tee aborts the process. */
void
trace_tee_add(struct trace_tee *t, trace_sink_fn fn, void *ctx)
{
	if (fn == NULL)
		return;
	if (t->n == TRACE_TEE_MAX)
		abort();
	t->to[t->n].fn = fn;
	t->to[t->n].ctx = ctx;
	t->n++;
}

/* Hand r to each consumer of the tee, in the order they were added. */
void
trace_tee_sink(void *tee, const struct trace_rec *r)
{
	const struct trace_tee *t = tee;

	for (int i = 0; i < t->n; i++)
		t->to[i].fn(t->to[i].ctx, r);
}

/* A reader with nothing fed, no pids seen and every count at zero. */
void
trace_reader_init(struct trace_reader *rd)
{
	memset(rd, 0, sizeof *rd);
}

/* Release the per-pid sequence table; the counts stay readable. */
void
trace_reader_free(struct trace_reader *rd)
{
	free(rd->pids);
	rd->pids = NULL;
	rd->npids = rd->cappids = 0;
}

/* Account for one wire record's sequence number. */
void
trace_reader_note_seq(struct trace_reader *rd, uint32_t pid, uint32_t tid, uint64_t seq,
		      unsigned nwire)
{
	struct trace_reader_pid *e = NULL;

	if (tid == pid)
		tid = 0;
	for (size_t i = rd->npids; i-- > 0;) {
		if (rd->pids[i].pid == pid && rd->pids[i].tid == tid) {
			e = &rd->pids[i];
			break;
		}
	}
	if (e == NULL) {
		if (rd->npids == rd->cappids) {
			rd->cappids = rd->cappids ? rd->cappids * 2 : 16;
			rd->pids = xreallocarray(rd->pids, rd->cappids, sizeof *rd->pids);
		}
		e = &rd->pids[rd->npids++];
		e->pid = pid;
		e->tid = tid;
		e->next_seq = 0;
	}
	if (seq > e->next_seq)
		rd->lost += seq - e->next_seq;
	if (seq + nwire > e->next_seq)
		e->next_seq = seq + nwire;
	rd->records += nwire;
}

/* Count a rejected wire record, keeping the offset and reason of the first one. */
static void
reader_bad(struct trace_reader *rd, uint64_t off, const char *why)
{
	if (rd->malformed++ == 0) {
		rd->bad_offset = off;
		rd->bad_why = why;
	}
}

/* Handle one complete wire record at stream offset off. */
static void
reader_one(struct trace_reader *rd, const uint8_t *p, uint64_t off, trace_sink_fn sink, void *ctx)
{
	struct trace_rec *r = rd->cur_pending ? &rd->next : &rd->cur;
	int poff, here;
	const char *why;

	if (trace_decode_wire(p, r, &poff, &here, &why) < 0) {
		reader_bad(rd, off, why);
		return;
	}
	if (rd->cur_pending) {
		/* Expecting a continuation of rd->cur. */
		if (r->type != rd->cur.type || r->pid != rd->cur.pid || r->tid != rd->cur.tid ||
		    poff != rd->cur_have ||
		    r->npairs != rd->cur.npairs) {
			reader_bad(rd, off, "epoll_wait batch cut short");
			rd->cur_pending = 0;
			rd->cur.npairs = (uint8_t)rd->cur_have;
			sink(ctx, &rd->cur);
			/* Treat this record afresh. */
			reader_one(rd, p, off, sink, ctx);
			return;
		}
		memcpy(&rd->cur.pairs[poff], &r->pairs[poff], (size_t)here * sizeof r->pairs[0]);
		trace_reader_note_seq(rd, r->pid, r->tid, r->seq, 1);
		rd->cur_have += here;
		if (rd->cur_have == rd->cur.npairs) {
			rd->cur_pending = 0;
			sink(ctx, &rd->cur);
		}
		return;
	}
	if (poff != 0) {
		reader_bad(rd, off, "epoll_wait continuation without its head");
		return;
	}
	trace_reader_note_seq(rd, r->pid, r->tid, r->seq, 1);
	if (here < r->npairs) {
		rd->cur_pending = 1;
		rd->cur_have = here;
		return;
	}
	sink(ctx, r);
}

/* Cut bytes into wire records for reader_one, keeping a partial one; returns 0. */
int
trace_reader_feed(struct trace_reader *rd, const void *buf, size_t len, trace_sink_fn sink,
		  void *ctx)
{
	const uint8_t *p = buf;

	if (rd->ncarry > 0) {
		size_t need = TRACE_REC_SIZE - rd->ncarry;
		size_t k = len < need ? len : need;

		memcpy(rd->carry + rd->ncarry, p, k);
		rd->ncarry += k;
		p += k;
		len -= k;
		if (rd->ncarry < TRACE_REC_SIZE)
			return 0;
		reader_one(rd, rd->carry, rd->offset, sink, ctx);
		rd->offset += TRACE_REC_SIZE;
		rd->ncarry = 0;
	}
	while (len >= TRACE_REC_SIZE) {
		reader_one(rd, p, rd->offset, sink, ctx);
		rd->offset += TRACE_REC_SIZE;
		p += TRACE_REC_SIZE;
		len -= TRACE_REC_SIZE;
	}
	if (len > 0) {
		memcpy(rd->carry, p, len);
		rd->ncarry = len;
	}
	return 0;
}

/* ---- child side ---------------------------------------------------------- */

/*
 * What is the process's (the pipe, the reader gone) is shared; what is a
 * thread's (its buffer, its sequence numbers, its id) is thread-local.
 */
static int emit_fd = -1;
static int emit_immediate;
static int emit_gone;
static pid_t emit_pid;
static ssize_t (*emit_write)(int, const void *, size_t) = write;
static __thread uint64_t emit_seq;
static __thread pid_t emit_tid;
static __thread int emit_busy;
static __thread uint8_t emit_buf[PIPE_BUF / TRACE_REC_SIZE * TRACE_REC_SIZE];
static __thread size_t emit_len;

/* A child of fork (that does not exec) is a new process: it numbers from 0. */
static void
emit_after_fork(void)
{
	emit_pid = getpid();
	emit_tid = 0;
	emit_seq = 0;
	emit_len = 0;
	emit_busy = 0;
}

/* Emit to fd from seq 0 (flushing after every record if immediate). */
void
trace_open(int fd, int immediate)
{
	static int registered;

	if (!registered) {
		pthread_atfork(NULL, NULL, emit_after_fork);
		registered = 1;
	}
	emit_fd = fd;
	emit_immediate = immediate;
	emit_gone = 0;
	emit_seq = 0;
	emit_len = 0;
	emit_pid = getpid();
	emit_tid = 0;
}

/* Write through fn from now on. */
void
trace_set_writer(ssize_t (*fn)(int fd, const void *buf, size_t n))
{
	emit_write = fn;
}

/* The trace goes to fd from now on (the caller moved the pipe there). */
void
trace_move(int fd)
{
	emit_fd = fd;
}

/* Whether this thread is inside trace_emit or trace_flush. */
int
trace_busy(void)
{
	return emit_busy;
}

/* The pipe the emitter writes to, or -1 when tracing is off. */
int
trace_fd(void)
{
	return emit_fd;
}

/* Whether a flush found the pipe's read end closed (EPIPE). */
int
trace_reader_gone(void)
{
	return emit_gone;
}

/* Bytes buffered by trace_emit and not yet written. */
size_t
trace_pending(void)
{
	return emit_len;
}

/* Write the buffer in one write(2) and empty it; records are dropped on an error. */
void
trace_flush(void)
{
	if (emit_len == 0)
		return;
	emit_busy++;
	if (emit_fd >= 0 && !emit_gone) {
		ssize_t n;

		/* One write of at most PIPE_BUF bytes: atomic, never split. */
		do
			n = emit_write(emit_fd, emit_buf, emit_len);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EPIPE)
			emit_gone = 1;
	}
	emit_len = 0;
	emit_busy--;
}

/* Stamp r (pid, tid, seq, time if unset) and buffer it, flushing first if it won't fit. */
void
trace_emit(struct trace_rec *r)
{
	size_t need;

	if (emit_fd < 0)
		return;
	/* getpid() and gettid() are system calls: both are kept, and reset by the atfork handler. */
	if (emit_tid == 0)
		emit_tid = gettid();
	r->pid = (uint32_t)emit_pid;
	r->tid = (uint32_t)emit_tid;
	if (r->ts_ns == 0)
		r->ts_ns = now_ns();
	need = trace_wire_count(r) * TRACE_REC_SIZE;
	if (emit_len + need > sizeof emit_buf)
		trace_flush();
	emit_busy++;
	r->seq = emit_seq;
	emit_len += trace_encode(r, &emit_seq, emit_buf + emit_len, sizeof emit_buf - emit_len);
	emit_busy--;
	if (emit_immediate)
		trace_flush();
}

/* Emit a TR_LOG record whose text is formatted as by printf, truncated to fit. */
void
trace_log(const char *fmt, ...)
{
	struct trace_rec r;
	va_list ap;

	trace_rec_init(&r, TR_LOG);
	va_start(ap, fmt);
	vsnprintf(r.text, sizeof r.text, fmt, ap);
	va_end(ap);
	trace_emit(&r);
}
