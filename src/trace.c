/*
 * trace.c - wire codec, reader and child-side emitter of the trace protocol.
 * The layout is documented in trace.h (version 1, still read, here); this
 * file is its only implementation.  The fields of each record type come
 * from the table of trace_rec.c: no code here knows a type.
 */
#include "trace.h"

#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "fastclock.h"
#include "i18n.h"
#include "util.h"

/* Store v at p as eight little-endian bytes, independent of the host. */
static inline void
put64(uint8_t *p, uint64_t v)
{
	v = htole64(v);
	memcpy(p, &v, sizeof v);
}

/* Load four little-endian bytes at p. */
static inline uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return le32toh(v);
}

/* Load eight little-endian bytes at p (one load on a little-endian host). */
static inline uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return le64toh(v);
}

/* ---- the compact format (wire version 2) ------------------------------- */

/*
 * Append v as a LEB128 varint at p, adding each byte written to *sum (the
 * check byte is summed as the record is written); returns the byte after it.
 */
static inline uint8_t *
put_varint_sum(uint8_t *p, uint64_t v, unsigned *sum)
{
	while (v >= 0x80) {
		*p = (uint8_t)(v | 0x80);
		*sum += *p++;
		v >>= 7;
	}
	*p = (uint8_t)v;
	*sum += *p++;
	return p;
}

/* The four 16-bit lanes of acc added up. */
static inline unsigned
lanes_sum(uint64_t acc)
{
	return (unsigned)(acc & 0xffff) + (unsigned)(acc >> 16 & 0xffff) + (unsigned)(acc >> 32 & 0xffff) +
	       (unsigned)(acc >> 48);
}

/* The sum of v's eight bytes (whatever their order in memory): in 16-bit lanes, without a load. */
static inline unsigned
u64_byte_sum(uint64_t v)
{
	const uint64_t even = 0x00ff00ff00ff00ffull;

	return lanes_sum((v & even) + ((v >> 8) & even)); /* four lanes of at most 510 */
}

/* Read a varint from [*p, end) into *v; -1 when it runs past end or past 64 bits. */
static inline int
get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; *p < end && shift < 64; shift += 7) {
		uint8_t b = *(*p)++;

		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

/* A signed value as an unsigned one with small magnitudes small: 0, -1, 1, -2 ... */
static inline uint64_t
zigzag(int64_t v)
{
	uint64_t u = (uint64_t)v;

	return (u << 1) ^ (0 - (u >> 63)); /* all ones when negative, without a signed shift */
}

/* The inverse of zigzag. */
static inline int64_t
unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

/*
 * What the wire holds after the ids, per type: the table's fields in order,
 * each slot once (a slot two fields show is encoded once), the text and the
 * pairs once.  Made from the table once per process (encoder and decoder
 * alike), so that neither looks twice at a field per record.
 */
enum plan_kind { PK_INT = 0, PK_TEXT, PK_PAIRS };

struct plan_op {
	uint8_t kind; /* enum plan_kind */
	uint8_t off;  /* PK_INT: the slot, as in rec_field */
	uint8_t size;
	uint8_t sign;
};

struct wire_plan {
	uint8_t n;
	uint16_t max; /* the most bytes a record of the type takes (wire_max) */
	struct plan_op op[REC_MAX_FIELDS];
};

static struct wire_plan plans[TR__COUNT];
static pthread_once_t plans_once = PTHREAD_ONCE_INIT;
static int plans_ready; /* set (release) once plans are made: the common path skips pthread_once */

static size_t wire_max(const struct rec_type *t);

/* Build every type's plan from the table. */
static void
plans_make(void)
{
	for (int ty = 0; ty < TR__COUNT; ty++) {
		const struct rec_type *t = trace_rec_type(ty);
		struct wire_plan *w = &plans[ty];
		int text = 0, pairs = 0;

		w->max = t != NULL ? (uint16_t)wire_max(t) : 0;
		for (int i = 0; t != NULL && i < REC_MAX_FIELDS && t->f[i].name; i++) {
			const struct rec_field *f = &t->f[i];
			int seen = 0;

			if (f->kind == RK_TEXT) {
				if (!text++)
					w->op[w->n++] = (struct plan_op){ PK_TEXT, 0, 0, 0 };
				continue;
			}
			if (f->kind == RK_PAIRS) {
				if (!pairs++)
					w->op[w->n++] = (struct plan_op){ PK_PAIRS, 0, 0, 0 };
				continue;
			}
			for (int j = 0; j < i; j++)
				if (t->f[j].size != 0 && t->f[j].off == f->off)
					seen = 1;
			if (!seen)
				w->op[w->n++] = (struct plan_op){ PK_INT, f->off, f->size, f->sign };
		}
	}
	__atomic_store_n(&plans_ready, 1, __ATOMIC_RELEASE);
}

/* The plan of type t (known to the table). */
static inline const struct wire_plan *
plan_of(int type)
{
	if (!__atomic_load_n(&plans_ready, __ATOMIC_ACQUIRE))
		pthread_once(&plans_once, plans_make);
	return &plans[type];
}

/* The plan of type when it is a type of the table, or NULL (the plans are made). */
static inline const struct wire_plan *
table_plan(int type)
{
	return type >= 0 && type < TR__COUNT && plans[type].max != 0 ? &plans[type] : NULL;
}

#ifdef __SSE2__
/*
 * The low byte of the sum of n bytes at p (the records' check byte), sixteen
 * at a time (psadbw: the bytes of each half summed into its 64-bit lane).
 * The last, partial sixteen are the sixteen bytes that end at p + n, those
 * already summed masked out: no byte loop for a record of 16 bytes or more.
 */
static unsigned
byte_sum(const uint8_t *p, size_t n)
{
	static const uint8_t tail[32] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const __m128i zero = _mm_setzero_si128();
	__m128i acc = zero;
	size_t i = 0;
	unsigned sum = 0;

	if (n < 16) {
		while (n-- > 0)
			sum += *p++;
		return sum & 0xff;
	}
	for (; i + 16 <= n; i += 16)
		acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), zero));
	if (i < n) {
		__m128i last = _mm_loadu_si128((const __m128i *)(const void *)(p + n - 16));
		__m128i keep = _mm_loadu_si128((const __m128i *)(const void *)(tail + (n - i)));

		acc = _mm_add_epi64(acc, _mm_sad_epu8(_mm_and_si128(last, keep), zero));
	}
	/* Only the low byte is wanted: the lanes' low 16 bits carry it. */
	sum = (unsigned)_mm_cvtsi128_si32(acc) + (unsigned)_mm_extract_epi16(acc, 4);
	return sum & 0xff;
}
#else

/*
 * The low byte of the sum of n bytes at p (the records' check byte), eight
 * at a time: bytes added in 16-bit lanes, each lane taken out before it
 * could carry into the next.
 */
static unsigned
byte_sum(const uint8_t *p, size_t n)
{
	const uint64_t even = 0x00ff00ff00ff00ffull;
	uint64_t acc = 0;
	unsigned sum = 0;
	int k = 0;

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, p, sizeof w);
		acc += (w & even) + ((w >> 8) & even); /* each lane: 510 at most per word */
		p += 8;
		n -= 8;
		if (++k == 64) { /* 64 * 510 < 65536: no lane has carried yet */
			sum += lanes_sum(acc);
			acc = 0;
			k = 0;
		}
	}
	sum += lanes_sum(acc);
	while (n-- > 0)
		sum += *p++;
	return sum & 0xff;
}
#endif

/* The most bytes a record of type t can take (its length bound). */
static size_t
wire_max(const struct rec_type *t)
{
	size_t n = TRACE_WIRE_HEAD + 5 + 5 + 10 + 1;

	for (int i = 0; i < REC_MAX_FIELDS && t->f[i].name; i++) {
		if (t->f[i].kind == RK_TEXT)
			n += 2 + TRACE_TEXT_MAX;
		else if (t->f[i].kind == RK_PAIRS)
			n += 1 + TRACE_MAX_READY * 15;
		else
			n += t->f[i].size == 8 ? 10 : 5;
	}
	return n < TRACE_WIRE_MAX ? n : TRACE_WIRE_MAX;
}

/* A logical record takes one sequence number (whether a wire record of its own or one of a run). */
size_t
trace_wire_count(const struct trace_rec *r)
{
	(void)r;
	return 1;
}

/*
 * The type's fields after the ids, each slot once, their bytes added to
 * *sum as they are written; p has room for the type's longest record.
 */
static uint8_t *
encode_fields(const struct wire_plan *w, const struct trace_rec *r, uint8_t *p, unsigned *sum)
{
	for (int i = 0; i < w->n; i++) {
		const struct plan_op *o = &w->op[i];
		const unsigned char *slot = (const unsigned char *)r + o->off;

		if (o->kind == PK_INT && o->size == 8) {
			uint64_t v;

			memcpy(&v, slot, sizeof v);
			p = put_varint_sum(p, o->sign ? zigzag((int64_t)v) : v, sum);
		} else if (o->kind == PK_INT && o->sign) {
			int32_t v;

			memcpy(&v, slot, sizeof v);
			p = put_varint_sum(p, zigzag(v), sum);
		} else if (o->kind == PK_INT) {
			uint32_t v;

			memcpy(&v, slot, sizeof v);
			p = put_varint_sum(p, v, sum);
		} else if (o->kind == PK_TEXT) {
			size_t tl = strnlen(r->text, TRACE_TEXT_MAX);

			p = put_varint_sum(p, tl, sum);
			memcpy(p, r->text, tl);
			*sum += byte_sum((const uint8_t *)r->text, tl); /* read from the record, not the bytes just stored */
			p += tl;
		} else {
			int n = r->npairs > TRACE_MAX_READY ? TRACE_MAX_READY : r->npairs;

			p = put_varint_sum(p, (uint64_t)n, sum);
			for (int k = 0; k < n; k++) {
				p = put_varint_sum(p, r->pairs[k].events, sum);
				p = put_varint_sum(p, r->pairs[k].data, sum);
			}
		}
	}
	return p;
}

/*
 * The record r, numbered *seq, into out; bytes written, 0 (seq unchanged) if
 * cap is short.  The check byte is summed from the values as they are
 * written: reading back bytes just stored one by one stalls the load.
 */
size_t
trace_encode(const struct trace_rec *r, uint64_t *seq, uint8_t *out, size_t cap)
{
	const struct rec_type *t = trace_rec_type(r->type);
	const struct wire_plan *w = t != NULL ? plan_of(r->type) : NULL;
	/* Straight into out when it has room for the type's longest record (nearly always). */
	uint8_t tmp[TRACE_WIRE_MAX], *base = cap >= (w ? w->max : TRACE_WIRE_MAX) ? out : tmp, *p = base;
	unsigned sum = TRACE_WIRE_MAGIC + r->type + u64_byte_sum(r->ts_ns);
	size_t len;

	p[0] = TRACE_WIRE_MAGIC;
	p[1] = r->type;
	put64(p + 4, r->ts_ns);
	p = put_varint_sum(p + TRACE_WIRE_HEAD, r->pid, &sum);
	p = put_varint_sum(p, r->tid ^ r->pid, &sum);
	p = put_varint_sum(p, *seq, &sum);
	if (w != NULL)
		p = encode_fields(w, r, p, &sum);
	len = (size_t)(p - base) + 1;
	base[2] = (uint8_t)len;
	base[3] = (uint8_t)(len >> 8);
	*p = (uint8_t)(sum + base[2] + base[3]);
	if (len > cap)
		return 0;
	if (base != out)
		memcpy(out, base, len);
	(*seq)++;
	return len;
}

/*
 * The fields of plan w from [*p, end) into r, *p moved past them; NULL, or
 * why they do not fit the record (whole: every field must be there).
 */
static const char *
decode_fields(const struct wire_plan *w, const uint8_t **pp, const uint8_t *end, struct trace_rec *r, int whole)
{
	const uint8_t *p = *pp;
	uint64_t u;

	/*
	 * A record that ends before a field was made before the field was
	 * added: it stays at its default.  Not in a run (whole), which only
	 * this build's emitter makes.
	 */
	for (int i = 0; i < w->n && (p < end || whole); i++) {
		if (p >= end)
			return N_("record length does not match its fields");
		const struct plan_op *o = &w->op[i];

		if (o->kind == PK_INT) {
			unsigned char *slot = (unsigned char *)r + o->off;

			/* The common case first: a one-byte varint. */
			if (*p < 0x80)
				u = *p++;
			else if (get_varint(&p, end, &u) < 0)
				return N_("field out of range");
			if (o->size == 8) {
				uint64_t v = o->sign ? (uint64_t)unzigzag(u) : u;

				memcpy(slot, &v, sizeof v);
			} else if (o->sign) {
				int64_t sv = unzigzag(u);
				int32_t v = (int32_t)sv;

				if (sv != v)
					return N_("field out of range");
				memcpy(slot, &v, sizeof v);
			} else {
				uint32_t v = (uint32_t)u;

				if (u > UINT32_MAX)
					return N_("field out of range");
				memcpy(slot, &v, sizeof v);
			}
		} else if (o->kind == PK_TEXT) {
			if (get_varint(&p, end, &u) < 0 || u > TRACE_TEXT_MAX || u > (uint64_t)(end - p))
				/* TRANSLATORS: why a record of a damaged recording was rejected: "corrupt record at byte offset N: %s". */
				return N_("bad text length");
			memcpy(r->text, p, u);
			r->text[u] = '\0';
			p += u;
		} else {
			if (get_varint(&p, end, &u) < 0 || u > TRACE_MAX_READY)
				return N_("bad epoll_wait pair count");
			r->npairs = (uint8_t)u;
			for (int k = 0; k < r->npairs; k++) {
				uint64_t ev;

				if (get_varint(&p, end, &ev) < 0 || ev > UINT32_MAX ||
				    get_varint(&p, end, &r->pairs[k].data) < 0)
					return N_("bad epoll_wait pair");
				r->pairs[k].events = (uint32_t)ev;
			}
		}
	}
	*pp = p;
	return NULL;
}

/*
 * Check and unpack the wire record at buf: 1 and *used, 0 for more bytes,
 * -1 with why.  A run (TRACE_WIRE_RUN) is unpacked up to its first record,
 * and [*more, end of the run) holds the others; without more, a run is
 * refused.
 */
static int
decode_wire(const uint8_t *buf, size_t avail, struct trace_rec *out, size_t *used, const char **why,
	    const uint8_t **more)
{
	const struct wire_plan *w;
	const uint8_t *p, *end;
	uint64_t pid, tid, seq;
	size_t len;
	int type, run;

	*why = NULL;
	if (avail >= 1 && buf[0] != TRACE_WIRE_MAGIC) {
		/* TRANSLATORS: why a record of a damaged recording was rejected: "corrupt record at byte offset N: %s". */
		*why = N_("bad magic");
		return -1;
	}
	if (avail < 2)
		return 0;
	type = buf[1] & ~TRACE_WIRE_RUN;
	run = (buf[1] & TRACE_WIRE_RUN) && more != NULL;
	if (trace_rec_type(type) == NULL || (buf[1] & TRACE_WIRE_RUN && !run)) {
		*why = N_("unknown record type");
		return -1;
	}
	if (avail < 4)
		return 0;
	w = plan_of(type);
	len = (size_t)buf[2] | (size_t)buf[3] << 8;
	if (len < TRACE_WIRE_MIN || len > (run ? TRACE_WIRE_MAX : w->max)) {
		*why = N_("record length out of range");
		return -1;
	}
	if (avail < len)
		return 0;
	if (byte_sum(buf, len - 1) != buf[len - 1]) {
		*why = N_("check byte does not match");
		return -1;
	}
	trace_rec_init(out, type);
	out->ts_ns = get64(buf + 4);
	p = buf + TRACE_WIRE_HEAD;
	end = buf + len - 1;
	if (get_varint(&p, end, &pid) < 0 || pid > UINT32_MAX || get_varint(&p, end, &tid) < 0 ||
	    tid > UINT32_MAX || get_varint(&p, end, &seq) < 0) {
		*why = N_("bad ids");
		return -1;
	}
	out->pid = (uint32_t)pid;
	out->tid = (uint32_t)tid ^ out->pid;
	out->seq = seq;
	if ((*why = decode_fields(w, &p, end, out, run)) != NULL)
		return -1;
	if (run && p < end)
		*more = p;
	else if (run || p != end) {
		*why = N_("record length does not match its fields");
		return -1;
	}
	*used = len;
	return 1;
}

/* Check and unpack the record at buf: 1 and *used, 0 for more bytes, -1 with why. */
int
trace_decode(const uint8_t *buf, size_t avail, struct trace_rec *out, size_t *used,
	     const char **why)
{
	return decode_wire(buf, avail, out, used, why, NULL);
}

/*
 * The next record of a run from [*p, end) into r, which holds the record
 * before it: its type, its time as a step from that one's, its fields;
 * the same thread, the next number.  NULL, or why it does not fit.
 */
static const char *
decode_next(const uint8_t **p, const uint8_t *end, struct trace_rec *r)
{
	uint32_t pid = r->pid, tid = r->tid;
	uint64_t seq = r->seq + 1, ts = r->ts_ns, step;
	const struct wire_plan *w;
	int type = **p;

	(*p)++;
	if ((w = table_plan(type)) == NULL)
		return N_("unknown record type");
	if (get_varint(p, end, &step) < 0)
		/* TRANSLATORS: why a record of the trace was rejected: its time as a step from the record before it. */
		return N_("bad time step");
	trace_rec_init(r, type);
	r->pid = pid;
	r->tid = tid;
	r->seq = seq;
	r->ts_ns = ts + step;
	return decode_fields(w, p, end, r, 1);
}

/* ---- wire version 1: fixed 256-byte records (old recordings) ------------ */

/*
 * Layout of a version 1 record (little-endian):
 *   0 'E','V'  2 version 1  3 type  4 pid u32  8 seq u64  16 ts_ns u64
 *   24 epfd  28 fd  32 op  36 events  40 data u64  48 ret u64  56 err  60 arg
 *   64 arg2  68 pid2  72 val u64  80 nhere  81 textlen  82 npairs  83 pair_off
 *   84 tid  88 text (167 bytes), or up to 14 (events u32, data u64) pairs
 * A batch of more than 14 pairs went on in further records, pair_off != 0.
 */
enum v1_off {
	TW_MAGIC = 0, TW_VERSION = 2, TW_TYPE = 3, TW_PID = 4, TW_SEQ = 8, TW_TS = 16,
	TW_EPFD = 24, TW_FD = 28, TW_OP = 32, TW_EVENTS = 36, TW_DATA = 40, TW_RET = 48,
	TW_ERR = 56, TW_ARG = 60, TW_ARG2 = 64, TW_PID2 = 68, TW_VAL = 72, TW_NHERE = 80,
	TW_TEXTLEN = 81, TW_NPAIRS = 82, TW_PAIR_OFF = 83, TW_TID = 84, TW_BODY = 88
};
#define V1_PAIRS_PER_REC 14
#define V1_PAIR_SIZE 12

/* Check and unpack one version 1 record into out; -1 with a static reason when malformed. */
static int
decode_v1(const uint8_t *p, struct trace_rec *out, int *pair_off, int *nhere, const char **why)
{
	unsigned kinds;

	*why = NULL;
	if (p[TW_MAGIC] != 'E' || p[TW_MAGIC + 1] != 'V') {
		*why = N_("bad magic");
		return -1;
	}
	if (p[TW_VERSION] != 1) {
		*why = N_("unknown protocol version");
		return -1;
	}
	kinds = trace_rec_type_kinds(p[TW_TYPE]);
	if (kinds == 0 && trace_rec_type(p[TW_TYPE]) == NULL) {
		*why = N_("unknown record type");
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

		if (here > V1_PAIRS_PER_REC || total > TRACE_MAX_READY || off + here > total ||
		    off % V1_PAIRS_PER_REC != 0 || (here < V1_PAIRS_PER_REC && off + here != total)) {
			*why = N_("bad epoll_wait pair counts");
			return -1;
		}
		for (int i = 0; i < here; i++) {
			const uint8_t *q = p + TW_BODY + V1_PAIR_SIZE * i;

			out->pairs[off + i].events = get32(q);
			out->pairs[off + i].data = get64(q + 4);
		}
		out->npairs = (uint8_t)total;
		*pair_off = off;
		*nhere = here;
		return 0;
	}
	size_t tl = p[TW_TEXTLEN];
	if (tl > TRACE_TEXT_MAX) {
		*why = N_("text length out of range");
		return -1;
	}
	if (tl > 0 && !(kinds & (1u << RK_TEXT))) {
		*why = N_("text in a record type that has none");
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

/* A reader of the compact format with nothing fed, no pids seen and every count at zero. */
void
trace_reader_init(struct trace_reader *rd)
{
	memset(rd, 0, sizeof *rd);
	rd->wire = TRACE_WIRE_VERSION;
}

/* Read runs too (a trace pipe's stream). */
void
trace_reader_take_runs(struct trace_reader *rd)
{
	rd->runs = 1;
}

/* Release the per-pid sequence table; the counts stay readable. */
void
trace_reader_free(struct trace_reader *rd)
{
	free(rd->pids);
	rd->pids = NULL;
	rd->npids = rd->cappids = 0;
}

/*
 * An exec keeps the pid, and the new image numbers from 0 again, its
 * proc_start first: that record starts a new numbering for its thread, so
 * that the new image's gaps are counted instead of hiding under the count
 * the old image reached.  (A forked child has a pid of its own.)
 */
static void
reader_new_image(struct trace_reader *rd, const struct trace_rec *r)
{
	uint32_t tid = r->tid == r->pid ? 0 : r->tid;

	if (r->type != TR_PROC_START || r->seq != 0)
		return;
	for (size_t i = 0; i < rd->npids; i++)
		if (rd->pids[i].pid == r->pid && rd->pids[i].tid == tid)
			rd->pids[i].next_seq = 0;
}

/* Account for one wire record's sequence number. */
void
trace_reader_note_seq(struct trace_reader *rd, uint32_t pid, uint32_t tid, uint64_t seq,
		      unsigned nwire)
{
	struct trace_reader_pid *e = NULL;

	if (tid == pid)
		tid = 0;
	if (rd->last < rd->npids && rd->pids[rd->last].pid == pid && rd->pids[rd->last].tid == tid)
		e = &rd->pids[rd->last];
	for (size_t i = rd->npids; e == NULL && i-- > 0;) {
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
	rd->last = (size_t)(e - rd->pids);
	if (seq > e->next_seq)
		rd->lost += seq - e->next_seq;
	if (seq + nwire > e->next_seq)
		e->next_seq = seq + nwire;
	rd->records += nwire;
}

/*
 * Count a rejected stretch, keeping the offset and reason of the first one:
 * the bytes from a bad record up to the next good one count once.
 */
static void
reader_bad(struct trace_reader *rd, uint64_t off, const char *why)
{
	if (rd->in_bad && rd->wire != 1)
		return;
	rd->in_bad = 1;
	if (rd->malformed++ == 0) {
		rd->bad_offset = off;
		rd->bad_why = why;
	}
}

/* Handle one complete version 1 record at stream offset off. */
static void
reader_one_v1(struct trace_reader *rd, const uint8_t *p, uint64_t off, trace_sink_fn sink, void *ctx)
{
	struct trace_rec *r = rd->cur_pending ? &rd->next : &rd->cur;
	int poff, here;
	const char *why;

	rd->rec_end = off + TRACE_REC_SIZE;
	if (decode_v1(p, r, &poff, &here, &why) < 0) {
		reader_bad(rd, off, why);
		return;
	}
	if (rd->cur_pending) {
		/* Expecting a continuation of rd->cur. */
		if (r->type != rd->cur.type || r->pid != rd->cur.pid || r->tid != rd->cur.tid ||
		    poff != rd->cur_have ||
		    r->npairs != rd->cur.npairs) {
			reader_bad(rd, off, N_("epoll_wait batch cut short"));
			rd->cur_pending = 0;
			rd->cur.npairs = (uint8_t)rd->cur_have;
			sink(ctx, &rd->cur);
			/* Treat this record afresh. */
			reader_one_v1(rd, p, off, sink, ctx);
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
		reader_bad(rd, off, N_("epoll_wait continuation without its head"));
		return;
	}
	reader_new_image(rd, r);
	trace_reader_note_seq(rd, r->pid, r->tid, r->seq, 1);
	if (here < r->npairs) {
		rd->cur_pending = 1;
		rd->cur_have = here;
		return;
	}
	sink(ctx, r);
}

/* Cut bytes into version 1 records for reader_one_v1, keeping a partial one. */
static void
feed_v1(struct trace_reader *rd, const uint8_t *p, size_t len, trace_sink_fn sink, void *ctx)
{
	if (rd->ncarry > 0) {
		size_t need = TRACE_REC_SIZE - rd->ncarry;
		size_t k = len < need ? len : need;

		memcpy(rd->carry + rd->ncarry, p, k);
		rd->ncarry += k;
		p += k;
		len -= k;
		if (rd->ncarry < TRACE_REC_SIZE)
			return;
		reader_one_v1(rd, rd->carry, rd->offset, sink, ctx);
		rd->offset += TRACE_REC_SIZE;
		rd->ncarry = 0;
	}
	while (len >= TRACE_REC_SIZE) {
		reader_one_v1(rd, p, rd->offset, sink, ctx);
		rd->offset += TRACE_REC_SIZE;
		p += TRACE_REC_SIZE;
		len -= TRACE_REC_SIZE;
	}
	if (len > 0) {
		memcpy(rd->carry, p, len);
		rd->ncarry = len;
	}
}

/*
 * Decode the compact records at the start of buf (n bytes, at stream
 * offset rd->offset), resynchronising after a bad one at the next magic
 * byte.  Returns the bytes dealt with; the rest begins a record still cut
 * short.
 */
static size_t
scan_compact(struct trace_reader *rd, const uint8_t *buf, size_t n, trace_sink_fn sink, void *ctx)
{
	size_t i = 0;

	while (i < n) {
		const uint8_t *more = NULL;
		const char *why;
		size_t used;
		int k;

		if (buf[i] != TRACE_WIRE_MAGIC) {
			const uint8_t *m = memchr(buf + i, TRACE_WIRE_MAGIC, n - i);

			reader_bad(rd, rd->offset + i, N_("bad magic"));
			i = m ? (size_t)(m - buf) : n;
			continue;
		}
		k = decode_wire(buf + i, n - i, &rd->cur, &used, &why, rd->runs ? &more : NULL);
		if (k == 0)
			break;
		if (k < 0) {
			reader_bad(rd, rd->offset + i, why);
			i++;
			continue;
		}
		rd->in_bad = 0;
		rd->rec_end = rd->offset + i + used;
		reader_new_image(rd, &rd->cur);
		trace_reader_note_seq(rd, rd->cur.pid, rd->cur.tid, rd->cur.seq, 1);
		sink(ctx, &rd->cur);
		/* The rest of a run: each record as the one before it left it. */
		for (const uint8_t *end = buf + i + used - 1; more != NULL && more < end;) {
			const uint8_t *at = more;

			if ((why = decode_next(&more, end, &rd->cur)) != NULL) {
				reader_bad(rd, rd->offset + (uint64_t)(at - buf), why);
				break;
			}
			/* No new image here: a later record of a run is numbered 1 or more. */
			trace_reader_note_seq(rd, rd->cur.pid, rd->cur.tid, rd->cur.seq, 1);
			sink(ctx, &rd->cur);
		}
		i += used;
	}
	return i;
}

/* Bytes the record beginning with the n bytes at b needs in all (what it has if it can be judged). */
static size_t
compact_want(const uint8_t *b, size_t n)
{
	size_t len;

	if (n < 4)
		return 4;
	len = (size_t)b[2] | (size_t)b[3] << 8;
	return len > n && len <= TRACE_WIRE_MAX ? len : n;
}

/* Cut bytes into compact records, completing the carried beginning of one first. */
static void
feed_compact(struct trace_reader *rd, const uint8_t *p, size_t len, trace_sink_fn sink,
	     void *ctx)
{
	size_t used;

	while (rd->ncarry > 0 && len > 0) {
		size_t want = compact_want(rd->carry, rd->ncarry), k = 0;

		if (want > rd->ncarry) {
			k = want - rd->ncarry < len ? want - rd->ncarry : len;
			memcpy(rd->carry + rd->ncarry, p, k);
			rd->ncarry += k;
			p += k;
			len -= k;
		}
		used = scan_compact(rd, rd->carry, rd->ncarry, sink, ctx);
		rd->offset += used;
		rd->ncarry -= used;
		memmove(rd->carry, rd->carry + used, rd->ncarry);
	}
	if (rd->ncarry > 0)
		return;
	used = scan_compact(rd, p, len, sink, ctx);
	rd->offset += used;
	rd->ncarry = len - used;
	memcpy(rd->carry, p + used, rd->ncarry);
}

/* Read wire version wire from now on (1: an old recording's fixed records). */
void
trace_reader_set_wire(struct trace_reader *rd, int wire)
{
	rd->wire = wire;
}

/* Feed bytes in any chunking; calls sink for every complete logical record; returns 0. */
int
trace_reader_feed(struct trace_reader *rd, const void *buf, size_t len, trace_sink_fn sink,
		  void *ctx)
{
	if (rd->wire == 1)
		feed_v1(rd, buf, len, sink, ctx);
	else
		feed_compact(rd, buf, len, sink, ctx);
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
static __thread uint8_t emit_buf[PIPE_BUF];
_Static_assert(TRACE_WIRE_MAX <= PIPE_BUF, "a record must fit one atomic write");
static __thread size_t emit_len;
/*
 * The wire record in the buffer that the next record may join as one more
 * of its run (its offset, or RUN_NONE), the time of its last record and
 * the low byte of the sum of its bytes but the length and the check.
 */
#define RUN_NONE SIZE_MAX
_Static_assert(TR__COUNT <= TRACE_WIRE_RUN, "a type byte keeps its top bit for the run flag");
static __thread size_t run_at = RUN_NONE;
static __thread uint64_t run_ts;
static __thread unsigned run_sum;

/* A child of fork (that does not exec) is a new process: it numbers from 0. */
static void
emit_after_fork(void)
{
	emit_pid = getpid();
	emit_tid = 0;
	emit_seq = 0;
	emit_len = 0;
	run_at = RUN_NONE;
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
	pthread_once(&plans_once, plans_make); /* now, not at a first record that a signal handler might make */
	emit_fd = fd;
	emit_immediate = immediate;
	emit_gone = 0;
	emit_seq = 0;
	emit_len = 0;
	run_at = RUN_NONE;
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
	run_at = RUN_NONE;
	emit_busy--;
}

/*
 * Append r to the run of the buffer's last wire record when it fits and its
 * time does not go back: its type, its time as a step, its fields, in
 * place of the run's check byte, with the length and the check made anew.
 * The header, the ids and the check of a record of its own are saved:
 * most of what a record costs both ends.  0 when it does not join.
 */
static int
run_join(const struct trace_rec *r)
{
	const struct wire_plan *w = table_plan(r->type);
	unsigned sum = run_sum;
	uint8_t *head, *p;
	size_t len;

	/* A type of the table; room for its longest record, in the run and in the buffer. */
	if (w == NULL || run_at == RUN_NONE || r->ts_ns < run_ts ||
	    emit_len - 1 - run_at + w->max > TRACE_WIRE_MAX ||
	    emit_len - 1 + w->max > sizeof emit_buf)
		return 0;
	head = emit_buf + run_at;
	p = emit_buf + emit_len - 1; /* the run's check byte, which the record replaces */
	if (!(head[1] & TRACE_WIRE_RUN)) {
		head[1] |= TRACE_WIRE_RUN;
		sum += TRACE_WIRE_RUN;
	}
	*p = r->type;
	sum += *p++;
	p = put_varint_sum(p, r->ts_ns - run_ts, &sum);
	p = encode_fields(w, r, p, &sum);
	len = (size_t)(p - head) + 1;
	head[2] = (uint8_t)len;
	head[3] = (uint8_t)(len >> 8);
	*p = (uint8_t)(sum + head[2] + head[3]);
	emit_len = (size_t)(p + 1 - emit_buf);
	run_sum = sum & 0xff;
	run_ts = r->ts_ns;
	emit_seq++;
	return 1;
}

/*
 * Stamp r (pid, tid, seq, time if unset) and encode it into the buffer, as
 * one more record of the run there when it can be, flushing first only
 * when it does not fit: no system call per record (the stamp is
 * fastclock's: the TSC between anchors).
 */
void
trace_emit(struct trace_rec *r)
{
	size_t n;

	if (emit_fd < 0)
		return;
	/* getpid() and gettid() are system calls: both are kept, and reset by the atfork handler. */
	if (emit_tid == 0)
		emit_tid = gettid();
	r->pid = (uint32_t)emit_pid;
	r->tid = (uint32_t)emit_tid;
	emit_busy++; /* before the clock: a handler never stamps over the thread's anchor */
	if (r->ts_ns == 0)
		r->ts_ns = fastclock_ns();
	r->seq = emit_seq;
	if (!run_join(r)) {
		n = trace_encode(r, &emit_seq, emit_buf + emit_len, sizeof emit_buf - emit_len);
		if (n == 0) {
			emit_busy--;
			trace_flush();
			emit_busy++;
			n = trace_encode(r, &emit_seq, emit_buf, sizeof emit_buf);
		}
		/* A run may start here (a type of the table): the sum of its bytes is its check's, less the length's. */
		run_at = table_plan(r->type) ? emit_len : RUN_NONE;
		run_ts = r->ts_ns;
		run_sum = (unsigned)(emit_buf[emit_len + n - 1] - emit_buf[emit_len + 2] - emit_buf[emit_len + 3]) & 0xff;
		emit_len += n;
	}
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
