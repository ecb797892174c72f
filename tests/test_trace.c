/*
 * test_trace.c - unit tests of the trace wire codec and reader (trace.h):
 * round trips of every record type, epoll_wait batches with continuations
 * in any chunking, sequence-gap counting, and rejection of malformed input.
 * Pure: no pipes, no child processes.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAX_SUNK 64

/* What the reader delivered. */
struct sink {
	struct trace_rec recs[MAX_SUNK];
	int n;
	int overflow;
};

/* Collect every record the reader delivers. */
static void
sink_fn(void *ctx, const struct trace_rec *r)
{
	struct sink *s = ctx;

	if (s->n == MAX_SUNK) {
		s->overflow++;
		return;
	}
	s->recs[s->n++] = *r;
}

/* A record of type t whose every field holds a distinctive value. */
static void
make_rec(struct trace_rec *r, int t)
{
	memset(r, 0, sizeof *r);
	r->type = (uint8_t)t;
	r->pid = 0xFEDCBA98u ^ (uint32_t)t;
	r->ts_ns = 0x0123456789ABCDEFull + (uint64_t)t;
	r->epfd = -1;
	r->fd = INT32_MIN + t;
	r->op = -7 - t;
	r->events = 0x80000001u | ((uint32_t)t << 8);
	r->data = UINT64_MAX - (uint64_t)t;
	r->ret = INT64_MIN + 3 + t;
	r->err = INT32_MAX - t;
	r->arg = -12345 - t;
	r->arg2 = INT32_MAX;
	r->pid2 = -99 - t;
	r->val = 0xDEADBEEFCAFEBABEull ^ (uint64_t)t;
}

/* A wait return of pid with n (events, data) pairs, all distinct. */
static void
make_batch(struct trace_rec *r, uint32_t pid, int n)
{
	make_rec(r, TR_WAIT_RETURN);
	r->pid = pid;
	r->ret = n;
	r->err = 0;
	r->npairs = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		r->pairs[i].events = 0x80000000u | (uint32_t)(i + 1);
		r->pairs[i].data = 0xF000000000000000ull + (uint64_t)i * 0x0101010101ull;
	}
}

/* A simple TR_LOG record of pid with text. */
static void
make_log(struct trace_rec *r, uint32_t pid, const char *text)
{
	memset(r, 0, sizeof *r);
	r->type = TR_LOG;
	r->pid = pid;
	r->ts_ns = 1000;
	r->epfd = r->fd = -1;
	trace_rec_set_text(r, text);
}

/* Fields common to every record type. */
static void
assert_fixed_eq(const struct trace_rec *got, const struct trace_rec *want, uint64_t seq)
{
	const char *tn = trace_rec_type_name(want->type);

	cr_assert_eq(got->type, want->type, "%s: type %d, want %d", tn, got->type, want->type);
	cr_assert_eq(got->pid, want->pid, "%s: pid %u, want %u", tn, got->pid, want->pid);
	cr_assert_eq(got->seq, seq, "%s: seq %llu, want %llu", tn, (unsigned long long)got->seq,
		     (unsigned long long)seq);
	cr_assert_eq(got->ts_ns, want->ts_ns, "%s: ts_ns differs", tn);
	cr_assert_eq(got->epfd, want->epfd, "%s: epfd %d, want %d", tn, got->epfd, want->epfd);
	cr_assert_eq(got->fd, want->fd, "%s: fd %d, want %d", tn, got->fd, want->fd);
	cr_assert_eq(got->op, want->op, "%s: op %d, want %d", tn, got->op, want->op);
	cr_assert_eq(got->events, want->events, "%s: events %#x, want %#x", tn, got->events,
		     want->events);
	cr_assert_eq(got->data, want->data, "%s: data %llu, want %llu", tn,
		     (unsigned long long)got->data, (unsigned long long)want->data);
	cr_assert_eq(got->ret, want->ret, "%s: ret %lld, want %lld", tn, (long long)got->ret,
		     (long long)want->ret);
	cr_assert_eq(got->err, want->err, "%s: err %d, want %d", tn, got->err, want->err);
	cr_assert_eq(got->arg, want->arg, "%s: arg %d, want %d", tn, got->arg, want->arg);
	cr_assert_eq(got->arg2, want->arg2, "%s: arg2 %d, want %d", tn, got->arg2, want->arg2);
	cr_assert_eq(got->pid2, want->pid2, "%s: pid2 %d, want %d", tn, got->pid2, want->pid2);
	cr_assert_eq(got->val, want->val, "%s: val differs", tn);
}

/* The (events, data) pairs of a wait return. */
static void
assert_pairs_eq(const struct trace_rec *got, const struct trace_rec *want)
{
	cr_assert_eq(got->npairs, want->npairs, "npairs %d, want %d", got->npairs, want->npairs);
	for (int i = 0; i < want->npairs; i++) {
		cr_assert_eq(got->pairs[i].events, want->pairs[i].events,
			     "pair %d of %d: events %#x, want %#x", i, want->npairs,
			     got->pairs[i].events, want->pairs[i].events);
		cr_assert_eq(got->pairs[i].data, want->pairs[i].data,
			     "pair %d of %d: data %llu, want %llu", i, want->npairs,
			     (unsigned long long)got->pairs[i].data,
			     (unsigned long long)want->pairs[i].data);
	}
}

/* Feed len bytes in chunks of chunk bytes (0: all at once). */
static void
feed_chunked(struct trace_reader *rd, const uint8_t *buf, size_t len, size_t chunk,
	     struct sink *s)
{
	if (chunk == 0)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len; off += chunk) {
		size_t k = len - off < chunk ? len - off : chunk;

		cr_assert_eq(trace_reader_feed(rd, buf + off, k, sink_fn, s), 0,
			     "trace_reader_feed failed at offset %zu", off);
	}
}

/* Encode r at out+*len with its own sequence counter. */
static void
append(uint8_t *out, size_t cap, size_t *len, const struct trace_rec *r, uint64_t *seq)
{
	size_t n = trace_encode(r, seq, out + *len, cap - *len);

	cr_assert_neq(n, 0, "trace_encode of %s refused a buffer of %zu bytes",
		      trace_rec_type_name(r->type), cap - *len);
	*len += n;
}

/* ---- round trips ----------------------------------------------------- */

Test(trace, every_type_round_trips_through_decode_wire)
{
	for (int t = 1; t < TR__COUNT; t++) {
		struct trace_rec in, out;
		uint8_t buf[TRACE_REC_SIZE];
		uint64_t seq = 1000 + (uint64_t)t;
		int poff = -1, here = -1;
		const char *why = "unset";

		if (t == TR_WAIT_RETURN)
			make_batch(&in, 4242, 3);
		else
			make_rec(&in, t);
		if (trace_rec_type_has(t, RK_TEXT))
			trace_rec_set_text(&in, trace_rec_type_name(t));
		cr_assert_eq(trace_encode(&in, &seq, buf, sizeof buf), TRACE_REC_SIZE,
			     "%s: encode did not write one record", trace_rec_type_name(t));
		cr_assert_eq(seq, 1001 + (uint64_t)t, "%s: seq not advanced by one",
			     trace_rec_type_name(t));
		cr_assert_eq(trace_decode_wire(buf, &out, &poff, &here, &why), 0,
			     "%s: decode failed: %s", trace_rec_type_name(t), why ? why : "?");
		cr_assert_null(why, "%s: why set on success: %s", trace_rec_type_name(t), why);
		assert_fixed_eq(&out, &in, 1000 + (uint64_t)t);
		if (t == TR_WAIT_RETURN) {
			cr_assert_eq(poff, 0, "wait_return head pair_off %d", poff);
			cr_assert_eq(here, 3, "wait_return nhere %d, want 3", here);
			assert_pairs_eq(&out, &in);
		} else {
			cr_assert_str_eq(out.text, in.text, "%s: text '%s', want '%s'",
					 trace_rec_type_name(t), out.text, in.text);
			cr_assert_eq(out.npairs, 0, "%s: npairs %d on a non-wait record",
				     trace_rec_type_name(t), out.npairs);
		}
	}
}

Test(trace, wire_layout_matches_the_documented_offsets)
{
	struct trace_rec r;
	uint8_t b[TRACE_REC_SIZE];
	uint64_t seq = 0x0102030405060708ull;

	make_rec(&r, TR_EPOLL_CTL);
	r.pid = 0x11223344;
	r.fd = -2;
	trace_rec_set_text(&r, "abc");
	cr_assert_eq(trace_encode(&r, &seq, b, sizeof b), TRACE_REC_SIZE, "encode failed");
	cr_assert(b[0] == 'E' && b[1] == 'V', "magic is %02x %02x, want 'E' 'V'", b[0], b[1]);
	cr_assert_eq(b[2], TRACE_VERSION, "version byte %d", b[2]);
	cr_assert_eq(b[3], TR_EPOLL_CTL, "type byte %d", b[3]);
	cr_assert(b[4] == 0x44 && b[5] == 0x33 && b[6] == 0x22 && b[7] == 0x11,
		  "pid not little-endian at offset 4: %02x %02x %02x %02x", b[4], b[5], b[6], b[7]);
	cr_assert(b[8] == 0x08 && b[15] == 0x01, "seq not little-endian at offset 8");
	cr_assert(b[28] == 0xfe && b[29] == 0xff && b[30] == 0xff && b[31] == 0xff,
		  "fd -2 not stored as two's complement at offset 28");
	cr_assert_eq(b[81], 3, "textlen byte %d, want 3", b[81]);
	cr_assert_eq(memcmp(b + TRACE_BODY_OFF, "abc", 3), 0, "text not at offset 88");
	for (int i = 84; i < 88; i++)
		cr_assert_eq(b[i], 0, "reserved byte %d is %d, want 0", i, b[i]);
}

Test(trace, text_at_max_length_and_empty_text_round_trip)
{
	struct trace_rec in, out;
	uint8_t buf[TRACE_REC_SIZE];
	uint64_t seq = 0;
	int poff, here;
	const char *why;
	char want[TRACE_TEXT_MAX + 1];

	for (int i = 0; i < TRACE_TEXT_MAX; i++)
		want[i] = (char)('!' + i % 90);
	want[TRACE_TEXT_MAX] = '\0';
	make_rec(&in, TR_TTY);
	trace_rec_set_text(&in, want);
	cr_assert_eq(strlen(in.text), TRACE_TEXT_MAX, "trace_rec_set_text kept %zu bytes",
		     strlen(in.text));
	trace_encode(&in, &seq, buf, sizeof buf);
	cr_assert_eq(buf[81], TRACE_TEXT_MAX, "textlen %d, want %d", buf[81], TRACE_TEXT_MAX);
	cr_assert_eq(trace_decode_wire(buf, &out, &poff, &here, &why), 0, "decode: %s", why);
	cr_assert_str_eq(out.text, want, "max-length text did not round trip");

	make_rec(&in, TR_LOG);
	in.text[0] = '\0';
	trace_encode(&in, &seq, buf, sizeof buf);
	cr_assert_eq(buf[81], 0, "empty text has textlen %d", buf[81]);
	memset(&out, 'Z', sizeof out);
	cr_assert_eq(trace_decode_wire(buf, &out, &poff, &here, &why), 0, "decode: %s", why);
	cr_assert_str_eq(out.text, "", "empty text decoded as '%s'", out.text);
}

Test(trace, set_text_truncates_and_set_text_bytes_masks_unprintable)
{
	struct trace_rec r;
	char big[400];
	const unsigned char raw[] = { 'o', 'k', 0, '\n', 0x7f, 0xc3, 0xa9, '!' };

	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	trace_rec_init(&r, TR_LOG);
	cr_assert_eq(r.fd, -1, "trace_rec_init: fd %d, want -1", r.fd);
	cr_assert_eq(r.epfd, -1, "trace_rec_init: epfd %d, want -1", r.epfd);
	trace_rec_set_text(&r, big);
	cr_assert_eq(strlen(r.text), TRACE_TEXT_MAX, "long text kept %zu bytes", strlen(r.text));
	trace_rec_set_bytes(&r, raw, sizeof raw);
	cr_assert_str_eq(r.text, "ok.....!", "unprintable bytes not replaced: '%s'", r.text);
}

Test(trace, names_of_types_and_roles_round_trip)
{
	for (int t = 1; t < TR__COUNT; t++) {
		const char *n = trace_rec_type_name(t);

		cr_assert_str_neq(n, "unknown", "type %d has no name", t);
		cr_assert_eq(trace_rec_type_find(n), t, "'%s' does not map back to %d", n, t);
	}
	cr_assert_str_eq(trace_rec_type_name(0), "unknown", "TR_NONE named");
	cr_assert_str_eq(trace_rec_type_name(TR__COUNT), "unknown", "TR__COUNT named");
	cr_assert_str_eq(trace_rec_type_name(-3), "unknown", "negative type named");
	cr_assert_eq(trace_rec_type_find("no-such-type"), -1, "bogus type name accepted");
	for (int ro = 0; ro < ROLE__COUNT; ro++)
		cr_assert_eq(trace_rec_role_find(trace_rec_role_name(ro)), ro, "role %d", ro);
	cr_assert_str_eq(trace_rec_role_name(ROLE__COUNT), "unknown", "bad role named");
	cr_assert_eq(trace_rec_role_find("nobody"), -1, "bogus role name accepted");
}

/* ---- epoll_wait batches ---------------------------------------------- */

static const int batch_sizes[] = { 0, 1, 14, 15, 28, 64 };
static const size_t chunkings[] = { 0, 1, 7, 100, 255, 256, 257, 513 };

Test(trace, wire_count_of_batches)
{
	for (size_t i = 0; i < sizeof batch_sizes / sizeof batch_sizes[0]; i++) {
		struct trace_rec r;
		int n = batch_sizes[i];
		size_t want = n <= TRACE_PAIRS_PER_REC ? 1 : (size_t)(n + 13) / 14;

		make_batch(&r, 1, n);
		cr_assert_eq(trace_wire_count(&r), want, "%d pairs: %zu wire records, want %zu", n,
			     trace_wire_count(&r), want);
	}
	struct trace_rec l;
	make_log(&l, 1, "x");
	cr_assert_eq(trace_wire_count(&l), 1, "a log record needs one wire record");
}

Test(trace, batches_round_trip_through_the_reader_in_any_chunking)
{
	for (size_t i = 0; i < sizeof batch_sizes / sizeof batch_sizes[0]; i++) {
		for (size_t c = 0; c < sizeof chunkings / sizeof chunkings[0]; c++) {
			static uint8_t buf[8 * TRACE_REC_SIZE];
			static struct sink s;
			struct trace_rec in, tail;
			struct trace_reader rd;
			uint64_t seq = 0;
			size_t len = 0, nwire;
			int n = batch_sizes[i];

			memset(&s, 0, sizeof s);
			make_batch(&in, 777, n);
			nwire = trace_wire_count(&in);
			append(buf, sizeof buf, &len, &in, &seq);
			cr_assert_eq(len, nwire * TRACE_REC_SIZE, "%d pairs: %zu bytes", n, len);
			cr_assert_eq(seq, nwire, "%d pairs: seq advanced to %llu, want %zu", n,
				     (unsigned long long)seq, nwire);
			make_log(&tail, 777, "after the batch");
			append(buf, sizeof buf, &len, &tail, &seq);

			trace_reader_init(&rd);
			feed_chunked(&rd, buf, len, chunkings[c], &s);
			cr_assert_eq(s.n, 2, "%d pairs, chunk %zu: %d records delivered, want 2", n,
				     chunkings[c], s.n);
			cr_assert_eq(s.recs[0].type, TR_WAIT_RETURN, "first record is %s",
				     trace_rec_type_name(s.recs[0].type));
			assert_fixed_eq(&s.recs[0], &in, 0);
			assert_pairs_eq(&s.recs[0], &in);
			cr_assert_str_eq(s.recs[1].text, "after the batch", "tail record lost");
			cr_assert_eq(s.recs[1].seq, nwire, "tail seq %llu, want %zu",
				     (unsigned long long)s.recs[1].seq, nwire);
			cr_assert_eq(rd.records, nwire + 1, "%d pairs, chunk %zu: records %llu", n,
				     chunkings[c], (unsigned long long)rd.records);
			cr_assert_eq(rd.lost, 0, "%d pairs, chunk %zu: lost %llu", n, chunkings[c],
				     (unsigned long long)rd.lost);
			cr_assert_eq(rd.malformed, 0, "%d pairs, chunk %zu: malformed %llu (%s)", n,
				     chunkings[c], (unsigned long long)rd.malformed,
				     rd.bad_why ? rd.bad_why : "");
			cr_assert_eq(rd.offset, len, "offset %llu, want %zu",
				     (unsigned long long)rd.offset, len);
			trace_reader_free(&rd);
		}
	}
}

Test(trace, continuation_records_carry_their_offsets)
{
	struct trace_rec in, out;
	uint8_t buf[5 * TRACE_REC_SIZE];
	uint64_t seq = 0;
	int poff, here;
	const char *why;

	make_batch(&in, 5, 64);
	cr_assert_eq(trace_encode(&in, &seq, buf, sizeof buf), 5 * TRACE_REC_SIZE, "64 pairs");
	for (int w = 0; w < 5; w++) {
		const uint8_t *p = buf + w * TRACE_REC_SIZE;
		int want_here = w < 4 ? 14 : 8;

		cr_assert_eq(trace_decode_wire(p, &out, &poff, &here, &why), 0, "wire %d: %s", w, why);
		cr_assert_eq(poff, 14 * w, "wire %d: pair_off %d", w, poff);
		cr_assert_eq(here, want_here, "wire %d: nhere %d, want %d", w, here, want_here);
		cr_assert_eq(out.npairs, 64, "wire %d: npairs %d, want 64", w, out.npairs);
		cr_assert_eq(out.seq, (uint64_t)w, "wire %d: seq %llu", w, (unsigned long long)out.seq);
		cr_assert_eq(out.pairs[poff].data, in.pairs[poff].data, "wire %d: first pair", w);
	}
}

Test(trace, more_pairs_than_max_ready_are_clamped_not_garbled)
{
	static uint8_t buf[32 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_rec in;
	struct trace_reader rd;
	uint64_t seq = 0;
	size_t n;

	make_batch(&in, 9, TRACE_MAX_READY);
	in.npairs = 200; /* a caller bug: more than the record holds */
	cr_assert_eq(trace_wire_count(&in), 5, "npairs 200 needs %zu wire records, want 5 (clamped "
		     "to %d pairs)", trace_wire_count(&in), TRACE_MAX_READY);
	n = trace_encode(&in, &seq, buf, sizeof buf);
	cr_assert_eq(n, 5 * TRACE_REC_SIZE, "encode wrote %zu bytes, want %d", n,
		     5 * TRACE_REC_SIZE);
	trace_reader_init(&rd);
	memset(&s, 0, sizeof s);
	feed_chunked(&rd, buf, n, 0, &s);
	cr_assert_eq(rd.malformed, 0, "clamped batch rejected: %s", rd.bad_why ? rd.bad_why : "");
	cr_assert_eq(s.n, 1, "%d records delivered, want 1", s.n);
	cr_assert_eq(s.recs[0].npairs, TRACE_MAX_READY, "npairs %d", s.recs[0].npairs);
	trace_reader_free(&rd);
}

/* ---- sequence gaps ---------------------------------------------------- */

/* Encode a log record of pid with an explicit seq. */
static void
append_seq(uint8_t *out, size_t cap, size_t *len, uint32_t pid, uint64_t seqno)
{
	struct trace_rec r;

	make_log(&r, pid, "x");
	append(out, cap, len, &r, &seqno);
}

Test(trace, sequence_gaps_are_counted_per_pid)
{
	static uint8_t buf[16 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_reader rd;
	size_t len = 0;

	append_seq(buf, sizeof buf, &len, 100, 0);
	append_seq(buf, sizeof buf, &len, 100, 1);
	append_seq(buf, sizeof buf, &len, 100, 3); /* 2 missing */
	append_seq(buf, sizeof buf, &len, 100, 7); /* 4, 5, 6 missing */
	trace_reader_init(&rd);
	memset(&s, 0, sizeof s);
	feed_chunked(&rd, buf, len, 0, &s);
	cr_assert_eq(s.n, 4, "a gap must not drop records: %d delivered", s.n);
	cr_assert_eq(rd.lost, 4, "lost %llu, want 4", (unsigned long long)rd.lost);
	cr_assert_eq(rd.records, 4, "records %llu", (unsigned long long)rd.records);
	cr_assert_eq(rd.malformed, 0, "a gap is not malformed input");
	trace_reader_free(&rd);
}

Test(trace, interleaved_pids_are_not_gaps)
{
	static uint8_t buf[16 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_reader rd;
	size_t len = 0;

	for (uint64_t q = 0; q < 4; q++) {
		append_seq(buf, sizeof buf, &len, 100, q);
		append_seq(buf, sizeof buf, &len, 200, q);
		append_seq(buf, sizeof buf, &len, 300, q);
	}
	trace_reader_init(&rd);
	memset(&s, 0, sizeof s);
	feed_chunked(&rd, buf, len, 3, &s);
	cr_assert_eq(s.n, 12, "%d records delivered, want 12", s.n);
	cr_assert_eq(rd.lost, 0, "interleaving counted as %llu lost", (unsigned long long)rd.lost);
	cr_assert_eq(rd.npids, 3, "%zu pids tracked, want 3", rd.npids);
	trace_reader_free(&rd);
}

Test(trace, a_batch_consumes_one_seq_per_wire_record)
{
	static uint8_t buf[16 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_rec b;
	struct trace_reader rd;
	uint64_t seq = 0;
	size_t len = 0;

	make_batch(&b, 55, 28); /* seq 0 and 1 */
	append(buf, sizeof buf, &len, &b, &seq);
	append_seq(buf, sizeof buf, &len, 55, 2);	/* no gap */
	append_seq(buf, sizeof buf, &len, 55, 5);	/* 3 and 4 missing */
	trace_reader_init(&rd);
	memset(&s, 0, sizeof s);
	feed_chunked(&rd, buf, len, 0, &s);
	cr_assert_eq(rd.lost, 2, "lost %llu, want 2", (unsigned long long)rd.lost);
	cr_assert_eq(rd.records, 4, "records %llu, want 4 wire records",
		     (unsigned long long)rd.records);
	trace_reader_free(&rd);
}

Test(trace, note_seq_counts_the_front_ends_own_records)
{
	struct trace_reader rd;

	trace_reader_init(&rd);
	trace_reader_note_seq(&rd, 1, 0, 0, 1);
	trace_reader_note_seq(&rd, 1, 0, 1, 3);
	trace_reader_note_seq(&rd, 1, 0, 4, 1);
	cr_assert_eq(rd.lost, 0, "contiguous seqs counted as lost %llu", (unsigned long long)rd.lost);
	trace_reader_note_seq(&rd, 1, 0, 10, 1);
	cr_assert_eq(rd.lost, 5, "lost %llu, want 5", (unsigned long long)rd.lost);
	trace_reader_note_seq(&rd, 1, 0, 3, 1); /* old: a duplicate, not a gap */
	cr_assert_eq(rd.lost, 5, "a stale seq changed lost to %llu", (unsigned long long)rd.lost);
	cr_assert_eq(rd.records, 7, "records %llu, want 7", (unsigned long long)rd.records);
	/* Many pids: the table grows. */
	for (uint32_t pid = 2; pid < 100; pid++)
		trace_reader_note_seq(&rd, pid, 0, 0, 1);
	cr_assert_eq(rd.npids, 99, "%zu pids tracked", rd.npids);
	cr_assert_eq(rd.lost, 5, "new pids starting at 0 counted as lost");
	trace_reader_free(&rd);
	cr_assert_null(rd.pids, "free left the pid table");
}

/* ---- malformed input -------------------------------------------------- */

/* Three log records from pid 1 (seq 0..2); the caller spoils the middle one. */
static size_t
three_logs(uint8_t *buf, size_t cap)
{
	size_t len = 0;

	append_seq(buf, cap, &len, 1, 0);
	append_seq(buf, cap, &len, 1, 1);
	append_seq(buf, cap, &len, 1, 2);
	return len;
}

/* Feed buf in chunk-sized pieces; expect one rejection at bad_off. */
static void
expect_rejected(const uint8_t *buf, size_t len, uint64_t bad_off, int want_delivered,
		const char *what)
{
	static const size_t chunks[] = { 0, 1, 77 };

	for (size_t c = 0; c < 3; c++) {
		static struct sink s;
		struct trace_reader rd;

		memset(&s, 0, sizeof s);
		trace_reader_init(&rd);
		feed_chunked(&rd, buf, len, chunks[c], &s);
		cr_assert_eq(rd.malformed, 1, "%s (chunk %zu): malformed %llu, want 1", what, chunks[c],
			     (unsigned long long)rd.malformed);
		cr_assert_eq(rd.bad_offset, bad_off, "%s: bad_offset %llu, want %llu", what,
			     (unsigned long long)rd.bad_offset, (unsigned long long)bad_off);
		cr_assert_not_null(rd.bad_why, "%s: no reason given", what);
		cr_assert_eq(s.n, want_delivered, "%s: %d records delivered, want %d", what, s.n,
			     want_delivered);
		trace_reader_free(&rd);
	}
}

Test(trace, bad_magic_version_and_type_are_rejected_at_their_offset)
{
	static const struct {
		int off;
		uint8_t val;
		const char *what;
	} spoil[] = {
		{ 0, 'X', "bad magic (first byte)" },
		{ 1, 'W', "bad magic (second byte)" },
		{ 2, TRACE_VERSION + 1, "unknown version" },
		{ 2, 0, "version 0" },
		{ 3, TR_NONE, "type TR_NONE" },
		{ 3, TR__COUNT, "type TR__COUNT" },
		{ 3, 255, "type 255" },
		{ 81, TRACE_TEXT_MAX + 1, "text length one over the maximum" },
		{ 81, 255, "text length 255" },
	};

	for (size_t i = 0; i < sizeof spoil / sizeof spoil[0]; i++) {
		uint8_t buf[3 * TRACE_REC_SIZE];
		size_t len = three_logs(buf, sizeof buf);
		struct trace_rec out;
		int poff, here;
		const char *why = NULL;

		buf[TRACE_REC_SIZE + spoil[i].off] = spoil[i].val;
		cr_assert_eq(trace_decode_wire(buf + TRACE_REC_SIZE, &out, &poff, &here, &why), -1,
			     "%s: decode accepted it", spoil[i].what);
		cr_assert_not_null(why, "%s: decode gave no reason", spoil[i].what);
		expect_rejected(buf, len, TRACE_REC_SIZE, 2, spoil[i].what);
	}
}

Test(trace, text_in_a_type_without_text_is_rejected)
{
	for (int t = 1; t < TR__COUNT; t++) {
		struct trace_rec in, out;
		uint8_t buf[2 * TRACE_REC_SIZE];
		uint64_t seq = 0;
		int poff, here;
		const char *why = NULL;

		if (trace_rec_type_has(t, RK_TEXT) || trace_rec_type_has(t, RK_PAIRS))
			continue;
		make_rec(&in, t);
		cr_assert_eq(trace_encode(&in, &seq, buf, sizeof buf), TRACE_REC_SIZE, "%s: encode",
			     trace_rec_type_name(t));
		buf[TW_TEXTLEN] = 3;
		memcpy(buf + TW_BODY, "abc", 3);
		cr_assert_eq(trace_decode_wire(buf, &out, &poff, &here, &why), -1,
			     "%s: a text was accepted in a type that has none", trace_rec_type_name(t));
		cr_assert_str_eq(why, "text in a record type that has none", "%s: why '%s'",
				 trace_rec_type_name(t), why ? why : "(null)");
	}
}

Test(trace, the_first_bad_record_is_the_one_reported)
{
	uint8_t buf[5 * TRACE_REC_SIZE];
	size_t len = 0;
	struct trace_reader rd;
	static struct sink s;

	for (uint64_t q = 0; q < 5; q++)
		append_seq(buf, sizeof buf, &len, 1, q);
	buf[2 * TRACE_REC_SIZE + 3] = 200;	/* unknown type */
	buf[4 * TRACE_REC_SIZE + 0] = 0;	/* bad magic */
	memset(&s, 0, sizeof s);
	trace_reader_init(&rd);
	feed_chunked(&rd, buf, len, 0, &s);
	cr_assert_eq(rd.malformed, 2, "malformed %llu, want 2", (unsigned long long)rd.malformed);
	cr_assert_eq(rd.bad_offset, 2 * TRACE_REC_SIZE, "bad_offset %llu, want %d",
		     (unsigned long long)rd.bad_offset, 2 * TRACE_REC_SIZE);
	cr_assert_str_eq(rd.bad_why, "unknown record type", "bad_why '%s'", rd.bad_why);
	cr_assert_eq(s.n, 3, "%d good records delivered, want 3", s.n);
	trace_reader_free(&rd);
}

/* A wait return head record with hand-set pair counts. */
static void
wait_wire(uint8_t *buf, int here, int total, int off)
{
	struct trace_rec r;
	uint64_t seq = 0;

	make_batch(&r, 1, 1);
	r.ret = total;
	trace_encode(&r, &seq, buf, TRACE_REC_SIZE);
	buf[80] = (uint8_t)here;
	buf[82] = (uint8_t)total;
	buf[83] = (uint8_t)off;
}

Test(trace, impossible_pair_counts_are_rejected)
{
	static const struct {
		int here, total, off;
		const char *what;
	} bad[] = {
		{ 15, 15, 0, "15 pairs in one record" },
		{ 14, 65, 0, "a batch of 65" },
		{ 14, 20, 14, "pairs beyond the batch" },
		{ 3, 10, 0, "a short head of a longer batch" },
		{ 1, 20, 5, "pair_off not a multiple of 14" },
		{ 0, 5, 0, "no pairs in a head of 5" },
		{ 255, 255, 255, "all counts 255" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t buf[3 * TRACE_REC_SIZE];
		size_t len = three_logs(buf, sizeof buf);
		struct trace_rec out;
		int poff, here;
		const char *why = NULL;

		wait_wire(buf + TRACE_REC_SIZE, bad[i].here, bad[i].total, bad[i].off);
		cr_assert_eq(trace_decode_wire(buf + TRACE_REC_SIZE, &out, &poff, &here, &why), -1,
			     "%s: decode accepted here=%d total=%d off=%d", bad[i].what, bad[i].here,
			     bad[i].total, bad[i].off);
		cr_assert_str_eq(why, "bad epoll_wait pair counts", "%s: why '%s'", bad[i].what,
				 why ? why : "(null)");
		expect_rejected(buf, len, TRACE_REC_SIZE, 2, bad[i].what);
	}
}

Test(trace, a_continuation_without_its_head_is_rejected)
{
	uint8_t batch[2 * TRACE_REC_SIZE], buf[3 * TRACE_REC_SIZE];
	struct trace_rec b;
	uint64_t seq = 1;
	size_t len = three_logs(buf, sizeof buf);

	make_batch(&b, 1, 28);
	trace_encode(&b, &seq, batch, sizeof batch);
	/* Replace the middle log record with the batch's second wire record only. */
	memcpy(buf + TRACE_REC_SIZE, batch + TRACE_REC_SIZE, TRACE_REC_SIZE);
	expect_rejected(buf, len, TRACE_REC_SIZE, 2, "continuation without head");
}

/*
 * A head whose continuation never comes: the reader delivers what it has
 * (14 of 28 pairs), counts the batch malformed at the offset where the
 * continuation was expected, and treats the interrupting record afresh.
 */
Test(trace, a_head_cut_short_by_another_record_is_counted_and_recovered)
{
	uint8_t batch[2 * TRACE_REC_SIZE], buf[4 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_rec b, l;
	struct trace_reader rd;
	uint64_t seq = 0;
	size_t len = 0;

	make_batch(&b, 1, 28);
	trace_encode(&b, &seq, batch, sizeof batch);
	memcpy(buf, batch, TRACE_REC_SIZE); /* head only: seq 0 */
	len = TRACE_REC_SIZE;
	make_log(&l, 2, "interrupter"); /* another pid's record */
	seq = 0;
	append(buf, sizeof buf, &len, &l, &seq);
	make_log(&l, 1, "next");
	seq = 2;
	append(buf, sizeof buf, &len, &l, &seq);

	for (size_t c = 0; c < 3; c++) {
		static const size_t chunks[] = { 0, 1, 300 };

		memset(&s, 0, sizeof s);
		trace_reader_init(&rd);
		feed_chunked(&rd, buf, len, chunks[c], &s);
		cr_assert_eq(rd.malformed, 1, "chunk %zu: malformed %llu, want 1", chunks[c],
			     (unsigned long long)rd.malformed);
		cr_assert_eq(rd.bad_offset, TRACE_REC_SIZE, "bad_offset %llu, want %d",
			     (unsigned long long)rd.bad_offset, TRACE_REC_SIZE);
		cr_assert_str_eq(rd.bad_why, "epoll_wait batch cut short", "bad_why '%s'", rd.bad_why);
		cr_assert_eq(s.n, 3, "%d records delivered, want 3", s.n);
		cr_assert_eq(s.recs[0].type, TR_WAIT_RETURN, "first delivered is %s",
			     trace_rec_type_name(s.recs[0].type));
		cr_assert_eq(s.recs[0].npairs, 14, "partial batch has %d pairs, want the 14 received",
			     s.recs[0].npairs);
		cr_assert_eq(s.recs[0].pairs[13].data, b.pairs[13].data, "received pairs garbled");
		cr_assert_str_eq(s.recs[1].text, "interrupter", "interrupting record lost");
		cr_assert_str_eq(s.recs[2].text, "next", "following record lost");
		trace_reader_free(&rd);
	}
}

Test(trace, a_head_cut_short_by_a_new_head_keeps_both)
{
	uint8_t buf[4 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_rec a, b;
	struct trace_reader rd;
	uint64_t seq = 0;
	size_t len = 0;

	make_batch(&a, 1, 28);
	make_batch(&b, 1, 15);
	append(buf, sizeof buf, &len, &a, &seq);
	len = TRACE_REC_SIZE; /* drop a's continuation */
	seq = 2;
	append(buf, sizeof buf, &len, &b, &seq);
	memset(&s, 0, sizeof s);
	trace_reader_init(&rd);
	feed_chunked(&rd, buf, len, 0, &s);
	cr_assert_eq(rd.malformed, 1, "malformed %llu", (unsigned long long)rd.malformed);
	cr_assert_eq(s.n, 2, "%d records delivered, want 2", s.n);
	cr_assert_eq(s.recs[0].npairs, 14, "cut batch has %d pairs", s.recs[0].npairs);
	assert_pairs_eq(&s.recs[1], &b);
	trace_reader_free(&rd);
}

/* xorshift64: deterministic noise. */
static uint64_t
rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

Test(trace, random_and_mutated_input_never_crashes)
{
	static uint8_t buf[400 * TRACE_REC_SIZE];
	static struct sink s;
	struct trace_reader rd;
	uint64_t x = 0x9E3779B97F4A7C15ull, seq = 0;
	size_t len = 0;

	while (len + 5 * TRACE_REC_SIZE <= sizeof buf) {
		struct trace_rec r;
		size_t start = len;

		switch (rnd(&x) % 3) {
		case 0:
			make_batch(&r, (uint32_t)(rnd(&x) % 3), (int)(rnd(&x) % 65));
			break;
		case 1:
			make_rec(&r, (int)(1 + rnd(&x) % (TR__COUNT - 1)));
			r.npairs = 0;
			break;
		default:
			for (int i = 0; i < TRACE_REC_SIZE; i++)
				buf[len + (size_t)i] = (uint8_t)rnd(&x);
			if (rnd(&x) % 2) {
				buf[len] = 'E';
				buf[len + 1] = 'V';
				buf[len + 2] = TRACE_VERSION;
				buf[len + 3] = TR_WAIT_RETURN;
			}
			len += TRACE_REC_SIZE;
			continue;
		}
		append(buf, sizeof buf, &len, &r, &seq);
		for (int k = (int)(rnd(&x) % 3); k > 0; k--)
			buf[start + rnd(&x) % (len - start)] ^= (uint8_t)(1 + rnd(&x) % 255);
	}
	trace_reader_init(&rd);
	for (size_t off = 0; off < len;) {
		size_t k = 1 + rnd(&x) % 700;

		if (k > len - off)
			k = len - off;
		memset(&s, 0, sizeof s);
		cr_assert_eq(trace_reader_feed(&rd, buf + off, k, sink_fn, &s), 0, "feed failed");
		for (int i = 0; i < s.n; i++) {
			cr_assert(s.recs[i].type > TR_NONE && s.recs[i].type < TR__COUNT,
				  "delivered a record of type %d", s.recs[i].type);
			cr_assert_leq(s.recs[i].npairs, TRACE_MAX_READY, "delivered %d pairs",
				      s.recs[i].npairs);
		}
		off += k;
	}
	cr_assert_eq(rd.offset, len, "offset %llu, want %zu", (unsigned long long)rd.offset, len);
	cr_assert_gt(rd.malformed, 0, "random input was never rejected");
	cr_assert_gt(rd.records, 0, "nothing was accepted");
	trace_reader_free(&rd);
}

/* ---- encoder limits --------------------------------------------------- */

Test(trace, encode_refuses_a_too_small_buffer)
{
	uint8_t buf[3 * TRACE_REC_SIZE];
	struct trace_rec r;
	uint64_t seq = 42;

	make_log(&r, 1, "hello");
	cr_assert_eq(trace_encode(&r, &seq, buf, TRACE_REC_SIZE - 1), 0, "one byte short accepted");
	cr_assert_eq(trace_encode(&r, &seq, buf, 0), 0, "zero-byte buffer accepted");
	cr_assert_eq(seq, 42, "a refused encode advanced seq to %llu", (unsigned long long)seq);
	make_batch(&r, 1, 15);
	cr_assert_eq(trace_encode(&r, &seq, buf, TRACE_REC_SIZE), 0,
		     "a 2-record batch fitted in one record");
	cr_assert_eq(trace_encode(&r, &seq, buf, 2 * TRACE_REC_SIZE - 1), 0,
		     "a 2-record batch fitted in 511 bytes");
	cr_assert_eq(seq, 42, "refused encodes advanced seq to %llu", (unsigned long long)seq);
	make_batch(&r, 1, 29);
	cr_assert_eq(trace_encode(&r, &seq, buf, 2 * TRACE_REC_SIZE), 0,
		     "a 3-record batch fitted in 2 records");
	cr_assert_eq(trace_encode(&r, &seq, buf, sizeof buf), 3 * TRACE_REC_SIZE,
		     "an exact-fit buffer was refused");
	cr_assert_eq(seq, 45, "seq %llu after 3 wire records, want 45", (unsigned long long)seq);
}
