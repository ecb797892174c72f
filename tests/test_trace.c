/*
 * test_trace.c - unit tests of the trace wire codec and reader (trace.h):
 * round trips of every record type through the compact format, the sizes
 * of the common records, epoll_wait batches in any chunking, sequence-gap
 * counting, rejection of malformed input and resynchronisation after
 * garbage, and the reader of old recordings' fixed records.
 * Pure: no pipes, no child processes.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rec_helpers.h"
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

/* A record of type t with distinctive values: pairs for the types that carry them, text for the ones with text. */
static void
make_any(struct trace_rec *r, int t)
{
	if (trace_rec_type_has(t, RK_PAIRS)) {
		make_batch(r, 4242, 3);
		r->type = (uint8_t)t;
	} else {
		make_rec(r, t);
	}
	r->tid = r->pid + 7;
	if (trace_rec_type_has(t, RK_TEXT))
		trace_rec_set_text(r, trace_rec_type_name(t));
}

Test(trace, every_type_round_trips_through_encode_and_decode)
{
	for (int t = 1; t < TR__COUNT; t++) {
		struct trace_rec in, out;
		uint8_t buf[TRACE_WIRE_MAX];
		uint64_t seq = 1000 + (uint64_t)t;
		size_t n, used = 0;
		const char *why = "unset";

		make_any(&in, t);
		n = trace_encode(&in, &seq, buf, sizeof buf);
		cr_assert(n >= TRACE_WIRE_MIN && n <= TRACE_WIRE_MAX, "%s: encoded in %zu bytes",
			  trace_rec_type_name(t), n);
		cr_assert_eq(seq, 1001 + (uint64_t)t, "%s: seq not advanced by one", trace_rec_type_name(t));
		cr_assert_eq(trace_decode(buf, n, &out, &used, &why), 1, "%s: decode failed: %s",
			     trace_rec_type_name(t), why ? why : "?");
		cr_assert_null(why, "%s: why set on success: %s", trace_rec_type_name(t), why);
		cr_assert_eq(used, n, "%s: decode used %zu of %zu bytes", trace_rec_type_name(t), used, n);
		assert_fixed_eq(&out, &in, 1000 + (uint64_t)t);
		if (trace_rec_type_has(t, RK_PAIRS))
			assert_pairs_eq(&out, &in);
		if (trace_rec_type_has(t, RK_TEXT))
			cr_assert_str_eq(out.text, in.text, "%s: text '%s', want '%s'", trace_rec_type_name(t),
					 out.text, in.text);
		/* Every proper prefix is "not yet", never a record or an error. */
		for (size_t k = 0; k < n; k++)
			cr_assert_eq(trace_decode(buf, k, &out, &used, &why), 0, "%s: a prefix of %zu bytes: %s",
				     trace_rec_type_name(t), k, why ? why : "decoded");
	}
}

Test(trace, a_process_main_thread_and_a_record_without_tid_round_trip)
{
	static const uint32_t tids[] = { 0, 4242, 4243, 0xFFFFFFFFu };

	for (size_t i = 0; i < sizeof tids / sizeof tids[0]; i++) {
		struct trace_rec in, out;
		uint8_t buf[TRACE_WIRE_MAX];
		uint64_t seq = 0;
		size_t n, used;
		const char *why;

		make_log(&in, 4242, "t");
		in.tid = tids[i];
		n = trace_encode(&in, &seq, buf, sizeof buf);
		cr_assert_eq(trace_decode(buf, n, &out, &used, &why), 1, "tid %u: %s", tids[i], why);
		cr_assert_eq(out.tid, tids[i], "tid %u came back as %u", tids[i], out.tid);
	}
}

/* A record as a worker of pid 123456 makes it, encoded; its length. */
static size_t
common_size(struct trace_rec *r, const char *what)
{
	uint8_t buf[TRACE_WIRE_MAX];
	uint64_t seq = 1234567; /* a worker that has traced a million calls */
	size_t n;

	r->pid = r->tid = 123456;
	r->ts_ns = 98765ull * 1000000000ull; /* a day of uptime */
	n = trace_encode(r, &seq, buf, sizeof buf);
	cr_log_info("%-40s %3zu bytes (was %d)", what, n, TRACE_REC_SIZE);
	return n;
}

Test(trace, common_records_take_at_most_48_bytes)
{
	struct trace_rec r;
	struct epoll_event ev[1] = { { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.u64 = 0x00007f12345678f0ull } };
	struct {
		size_t n;
		const char *what;
	} got[7];
	int k = 0;

	trace_rec_wait_enter(&r, 5, 64, -1);
	got[k].what = "wait_enter", got[k].n = common_size(&r, got[k].what), k++;
	trace_rec_wait_return(&r, 5, ev, 1, 0);
	got[k].what = "wait_return, one pair (a pointer in data)", got[k].n = common_size(&r, got[k].what), k++;
	trace_rec_result(&r, TR_RECV, 1023, 16384, 0);
	got[k].what = "recv of 16 KiB", got[k].n = common_size(&r, got[k].what), k++;
	trace_rec_result(&r, TR_RECV, 1023, -1, EAGAIN);
	got[k].what = "recv = -1 EAGAIN", got[k].n = common_size(&r, got[k].what), k++;
	trace_rec_result(&r, TR_SEND, 1023, 16384, 0);
	got[k].what = "send of 16 KiB", got[k].n = common_size(&r, got[k].what), k++;
	trace_rec_result(&r, TR_ACCEPT, 3, 1023, 0);
	trace_rec_set_text(&r, "127.0.0.1:54321");
	r.port = 54321;
	got[k].what = "accept (peer 127.0.0.1:54321)", got[k].n = common_size(&r, got[k].what), k++;
	trace_rec_result(&r, TR_CLOSE, 1023, 0, 0);
	got[k].what = "close", got[k].n = common_size(&r, got[k].what), k++;
	for (int i = 0; i < k; i++)
		cr_assert_leq(got[i].n, 48, "%s takes %zu bytes, more than 48", got[i].what, got[i].n);
}

Test(trace, wire_layout_matches_the_documented_offsets)
{
	struct trace_rec r;
	uint8_t b[TRACE_WIRE_MAX];
	uint64_t seq = 300; /* varint ac 02 */
	unsigned sum = 0;
	size_t n;

	trace_rec_result(&r, TR_CLOSE, 3, -1, 9);
	r.pid = r.tid = 0x11223344;
	r.ts_ns = 0x0102030405060708ull;
	n = trace_encode(&r, &seq, b, sizeof b);
	cr_assert_eq(b[0], TRACE_WIRE_MAGIC, "magic byte %02x", b[0]);
	cr_assert_eq(b[1], TR_CLOSE, "type byte %d", b[1]);
	cr_assert_eq((size_t)b[2] | (size_t)b[3] << 8, n, "len field %d, encoded %zu", b[2] | b[3] << 8, n);
	cr_assert(b[4] == 0x08 && b[11] == 0x01, "ts_ns not little-endian at offset 4");
	/* pid 0x11223344 as a varint: c4 e6 88 89 01 */
	cr_assert(b[12] == 0xc4 && b[13] == 0xe6 && b[14] == 0x88 && b[15] == 0x89 && b[16] == 0x01,
		  "pid not a varint at offset 12");
	cr_assert_eq(b[17], 0, "the main thread's tid ^ pid is %d, want 0", b[17]);
	cr_assert(b[18] == 0xac && b[19] == 0x02, "seq 300 not a varint at 18");
	/* close's fields: fd 3 (zigzag 6), ret -1 (zigzag 1), errno 9 (zigzag 18) */
	cr_assert(b[20] == 6 && b[21] == 1 && b[22] == 18, "fields %d %d %d, want 6 1 18", b[20], b[21], b[22]);
	cr_assert_eq(n, 24, "close took %zu bytes, want 24", n);
	for (size_t i = 0; i + 1 < n; i++)
		sum += b[i];
	cr_assert_eq(b[n - 1], (uint8_t)sum, "check byte %02x, want %02x", b[n - 1], (uint8_t)sum);
}

Test(trace, text_at_max_length_and_empty_text_round_trip)
{
	struct trace_rec in, out;
	uint8_t buf[TRACE_WIRE_MAX];
	uint64_t seq = 0;
	size_t n, used;
	const char *why;
	char want[TRACE_TEXT_MAX + 1];

	for (int i = 0; i < TRACE_TEXT_MAX; i++)
		want[i] = (char)('!' + i % 90);
	want[TRACE_TEXT_MAX] = '\0';
	make_rec(&in, TR_TTY);
	trace_rec_set_text(&in, want);
	cr_assert_eq(strlen(in.text), TRACE_TEXT_MAX, "trace_rec_set_text kept %zu bytes", strlen(in.text));
	n = trace_encode(&in, &seq, buf, sizeof buf);
	cr_assert_eq(trace_decode(buf, n, &out, &used, &why), 1, "decode: %s", why);
	cr_assert_str_eq(out.text, want, "max-length text did not round trip");

	make_rec(&in, TR_LOG);
	in.text[0] = '\0';
	n = trace_encode(&in, &seq, buf, sizeof buf);
	memset(&out, 'Z', sizeof out);
	cr_assert_eq(trace_decode(buf, n, &out, &used, &why), 1, "decode: %s", why);
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
static const size_t chunkings[] = { 0, 1, 2, 3, 7, 100, 255, 256, 257, 513 };

Test(trace, a_batch_of_any_size_is_one_wire_record)
{
	for (size_t i = 0; i < sizeof batch_sizes / sizeof batch_sizes[0]; i++) {
		struct trace_rec r;
		uint8_t buf[TRACE_WIRE_MAX];
		uint64_t seq = 0;

		make_batch(&r, 1, batch_sizes[i]);
		cr_assert_eq(trace_wire_count(&r), 1, "%d pairs: %zu wire records", batch_sizes[i],
			     trace_wire_count(&r));
		cr_assert_gt(trace_encode(&r, &seq, buf, sizeof buf), 0, "%d pairs not encoded", batch_sizes[i]);
		cr_assert_eq(seq, 1, "%d pairs took %llu sequence numbers", batch_sizes[i], (unsigned long long)seq);
	}
}

/*
 * The check byte is the low byte of the plain sum of the record's other
 * bytes, whatever its size and bytes: the biggest records (64 pairs of
 * all-ones data, every varint byte 0xff or 0x81) sum past what 16 bits
 * hold, and a recording's reader elsewhere adds them one by one.
 */
Test(trace, the_check_byte_is_the_plain_sum_of_the_bytes_for_every_size)
{
	for (int npairs = 0; npairs <= TRACE_MAX_READY; npairs++) {
		struct trace_rec r;
		uint8_t buf[TRACE_WIRE_MAX];
		uint64_t seq = 0;
		unsigned sum = 0;
		size_t len;

		trace_rec_init(&r, TR_WAIT_RETURN);
		r.pid = 0xfffffff0u;
		r.tid = 0x0fffffffu;
		r.ts_ns = UINT64_MAX;
		r.epfd = INT32_MAX;
		r.ret = npairs;
		r.npairs = (uint8_t)npairs;
		for (int k = 0; k < npairs; k++) {
			r.pairs[k].events = UINT32_MAX;
			r.pairs[k].data = UINT64_MAX - (uint64_t)k;
		}
		seq = UINT64_MAX >> 1;
		len = trace_encode(&r, &seq, buf, sizeof buf);
		cr_assert_gt(len, 0, "%d pairs not encoded", npairs);
		for (size_t i = 0; i + 1 < len; i++)
			sum += buf[i];
		cr_assert_eq(buf[len - 1], sum & 0xff, "%d pairs (%zu bytes): check byte %u, the bytes sum to %u", npairs,
			     len, buf[len - 1], sum & 0xff);
	}
	/* Every length a text gives, each byte different: the encoder's sum and the decoder's agree with the plain one. */
	for (int tl = 0; tl <= TRACE_TEXT_MAX; tl++) {
		struct trace_rec r, back;
		uint8_t buf[TRACE_WIRE_MAX];
		uint64_t seq = (uint64_t)tl * 977;
		unsigned sum = 0;
		size_t len, used;
		const char *why;

		trace_rec_init(&r, TR_LOG);
		r.pid = 4242;
		r.ts_ns = 0x0123456789abcdefull + (uint64_t)tl;
		for (int i = 0; i < tl; i++)
			r.text[i] = (char)(' ' + (i * 7 + tl) % 95);
		r.text[tl] = '\0';
		len = trace_encode(&r, &seq, buf, sizeof buf);
		cr_assert_gt(len, 0, "a text of %d bytes not encoded", tl);
		for (size_t i = 0; i + 1 < len; i++)
			sum += buf[i];
		cr_assert_eq(buf[len - 1], sum & 0xff, "text of %d (%zu bytes): check byte %u, the bytes sum to %u", tl, len,
			     buf[len - 1], sum & 0xff);
		cr_assert_eq(trace_decode(buf, len, &back, &used, &why), 1, "text of %d (%zu bytes) not decoded: %s", tl,
			     len, why ? why : "");
		cr_assert_str_eq(back.text, r.text, "text of %d bytes changed", tl);
		buf[len / 2] ^= 0x10;
		cr_assert_eq(trace_decode(buf, len, &back, &used, &why), -1, "text of %d: a changed byte was not noticed",
			     tl);
	}
}

Test(trace, batches_round_trip_through_the_reader_in_any_chunking)
{
	for (size_t i = 0; i < sizeof batch_sizes / sizeof batch_sizes[0]; i++) {
		for (size_t c = 0; c < sizeof chunkings / sizeof chunkings[0]; c++) {
			static uint8_t buf[4 * TRACE_WIRE_MAX];
			static struct sink s;
			struct trace_rec in, tail;
			struct trace_reader rd;
			uint64_t seq = 0;
			size_t len = 0;
			int n = batch_sizes[i];

			memset(&s, 0, sizeof s);
			make_batch(&in, 777, n);
			append(buf, sizeof buf, &len, &in, &seq);
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
			cr_assert_eq(s.recs[1].seq, 1, "tail seq %llu, want 1", (unsigned long long)s.recs[1].seq);
			cr_assert_eq(rd.records, 2, "%d pairs, chunk %zu: records %llu", n, chunkings[c],
				     (unsigned long long)rd.records);
			cr_assert_eq(rd.lost, 0, "%d pairs, chunk %zu: lost %llu", n, chunkings[c],
				     (unsigned long long)rd.lost);
			cr_assert_eq(rd.malformed, 0, "%d pairs, chunk %zu: malformed %llu (%s)", n,
				     chunkings[c], (unsigned long long)rd.malformed, rd.bad_why ? rd.bad_why : "");
			cr_assert_eq(rd.offset, len, "offset %llu, want %zu", (unsigned long long)rd.offset, len);
			cr_assert_eq(rd.ncarry, 0, "%zu bytes left over", rd.ncarry);
			trace_reader_free(&rd);
		}
	}
}

Test(trace, more_pairs_than_max_ready_are_clamped_not_garbled)
{
	static uint8_t buf[2 * TRACE_WIRE_MAX];
	static struct sink s;
	struct trace_rec in;
	struct trace_reader rd;
	uint64_t seq = 0;
	size_t n;

	make_batch(&in, 9, TRACE_MAX_READY);
	in.npairs = 200; /* a caller bug: more than the record holds */
	n = trace_encode(&in, &seq, buf, sizeof buf);
	cr_assert_gt(n, 0, "encode refused the batch");
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
	static uint8_t buf[16 * 64];
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

/*
 * An exec keeps the pid and the new image numbers its records from 0 again,
 * starting with its proc_start: the gaps of the new numbering are counted
 * as such, not hidden under the old image's count.
 */
Test(trace, an_exec_starts_a_new_numbering_whose_gaps_are_counted)
{
	static uint8_t buf[16 * 64];
	static struct sink s;
	struct trace_reader rd;
	struct trace_rec r;
	uint64_t seq = 0;
	size_t len = 0;

	for (uint64_t q = 0; q < 6; q++)
		append_seq(buf, sizeof buf, &len, 100, q); /* the image before the exec: 0..5 */
	trace_rec_proc_start(&r, ROLE_PROGRAM, "after-exec");
	r.pid = 100;
	r.tid = 100;
	r.ts_ns = 1;
	append(buf, sizeof buf, &len, &r, &seq); /* the new image's 0 */
	append_seq(buf, sizeof buf, &len, 100, 2); /* 1 missing */
	append_seq(buf, sizeof buf, &len, 100, 3);
	trace_reader_init(&rd);
	memset(&s, 0, sizeof s);
	feed_chunked(&rd, buf, len, 0, &s);
	cr_assert_eq(s.n, 9, "%d records delivered, want 9", s.n);
	cr_assert_eq(rd.lost, 1, "lost %llu, want 1 (the new image's seq 1)", (unsigned long long)rd.lost);
	trace_reader_free(&rd);
}

Test(trace, interleaved_pids_are_not_gaps)
{
	static uint8_t buf[16 * 64];
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

/* Three log records from pid 1 (seq 0..2), their offsets in off[]; the caller spoils the middle one. */
static size_t
three_logs(uint8_t *buf, size_t cap, size_t off[3])
{
	size_t len = 0;

	for (int i = 0; i < 3; i++) {
		off[i] = len;
		append_seq(buf, cap, &len, 1, (uint64_t)i);
	}
	return len;
}

/* Feed buf in chunk-sized pieces; expect one rejected stretch at bad_off. */
static void
expect_rejected(const uint8_t *buf, size_t len, uint64_t bad_off, int want_delivered,
		const char *what)
{
	static const size_t chunks[] = { 0, 1, 5, 77 };

	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		static struct sink s;
		struct trace_reader rd;

		memset(&s, 0, sizeof s);
		trace_reader_init(&rd);
		feed_chunked(&rd, buf, len, chunks[c], &s);
		cr_assert_eq(rd.malformed, 1, "%s (chunk %zu): malformed %llu, want 1", what, chunks[c],
			     (unsigned long long)rd.malformed);
		cr_assert_eq(rd.bad_offset, bad_off, "%s (chunk %zu): bad_offset %llu, want %llu", what,
			     chunks[c], (unsigned long long)rd.bad_offset, (unsigned long long)bad_off);
		cr_assert_not_null(rd.bad_why, "%s: no reason given", what);
		cr_assert_eq(s.n, want_delivered, "%s (chunk %zu): %d records delivered, want %d", what,
			     chunks[c], s.n, want_delivered);
		cr_assert_eq(rd.offset + rd.ncarry, len, "%s: bytes unaccounted for", what);
		trace_reader_free(&rd);
	}
}

/* Recompute the check byte of the record at p (after a deliberate change). */
static void
fix_check(uint8_t *p)
{
	size_t len = (size_t)p[2] | (size_t)p[3] << 8;
	unsigned sum = 0;

	for (size_t i = 0; i + 1 < len; i++)
		sum += p[i];
	p[len - 1] = (uint8_t)sum;
}

Test(trace, bad_magic_type_length_and_check_are_rejected_at_their_offset)
{
	static const struct {
		int off;
		uint8_t val;
		int fix; /* recompute the check byte after the change */
		const char *what;
	} spoil[] = {
		{ 0, 'X', 0, "bad magic" },
		{ 0, 1, 0, "version 1's magic" },
		{ 1, TR_NONE, 1, "type TR_NONE" },
		{ 1, TR__COUNT, 1, "type TR__COUNT" },
		{ 1, 255, 1, "type 255" },
		{ 2, 3, 1, "a length below the minimum" },
		{ 3, 0x40, 1, "a length beyond the type's bound" },
		{ 4, 0x55, 0, "a changed timestamp (check byte)" },
		{ 12, 0x80, 1, "a varint that shifts the fields" },
	};

	for (size_t i = 0; i < sizeof spoil / sizeof spoil[0]; i++) {
		uint8_t buf[3 * 64];
		size_t off[3], len = three_logs(buf, sizeof buf, off);
		struct trace_rec out;
		size_t used;
		const char *why = NULL;

		buf[off[1] + (size_t)spoil[i].off] = spoil[i].val;
		if (spoil[i].fix && spoil[i].off > 3)
			fix_check(buf + off[1]);
		cr_assert_eq(trace_decode(buf + off[1], len - off[1], &out, &used, &why), -1,
			     "%s: decode accepted it", spoil[i].what);
		cr_assert_not_null(why, "%s: decode gave no reason", spoil[i].what);
		expect_rejected(buf, len, off[1], 2, spoil[i].what);
	}
}

Test(trace, fields_that_do_not_fill_the_record_are_rejected)
{
	for (int t = 1; t < TR__COUNT; t++) {
		struct trace_rec in, out;
		uint8_t buf[TRACE_WIRE_MAX + 4];
		uint64_t seq = 0;
		size_t n, used;
		const char *why = NULL;

		make_any(&in, t);
		n = trace_encode(&in, &seq, buf, sizeof buf);
		/* One byte more inside the record: a field the type does not have. */
		memmove(buf + n, buf + n - 1, 1);
		buf[n - 1] = 0;
		buf[2] = (uint8_t)(n + 1);
		buf[3] = (uint8_t)((n + 1) >> 8);
		fix_check(buf);
		cr_assert_eq(trace_decode(buf, n + 1, &out, &used, &why), -1, "%s: an extra byte was accepted",
			     trace_rec_type_name(t));
		cr_assert_not_null(why, "%s: no reason", trace_rec_type_name(t));
	}
}

Test(trace, the_first_bad_record_is_the_one_reported)
{
	uint8_t buf[5 * 64];
	size_t off[5], len = 0;
	struct trace_reader rd;
	static struct sink s;

	for (uint64_t q = 0; q < 5; q++) {
		off[q] = len;
		append_seq(buf, sizeof buf, &len, 1, q);
	}
	buf[off[2] + 1] = 200;	/* unknown type */
	buf[off[4] + 0] = 0;	/* bad magic */
	memset(&s, 0, sizeof s);
	trace_reader_init(&rd);
	feed_chunked(&rd, buf, len, 0, &s);
	cr_assert_eq(rd.malformed, 2, "malformed %llu, want 2", (unsigned long long)rd.malformed);
	cr_assert_eq(rd.bad_offset, off[2], "bad_offset %llu, want %zu", (unsigned long long)rd.bad_offset, off[2]);
	cr_assert_str_eq(rd.bad_why, "unknown record type", "bad_why '%s'", rd.bad_why);
	cr_assert_eq(s.n, 3, "%d good records delivered, want 3", s.n);
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

/*
 * Garbage in the pipe (a program that wrote to the trace fd by mistake):
 * it is counted as malformed where it begins, the reader finds the next
 * record, and no record around it is lost (the sequence numbers say so).
 */
Test(trace, garbage_in_the_pipe_is_counted_and_the_reader_resynchronises)
{
	static uint8_t buf[64 * 1024];
	static const size_t chunks[] = { 0, 1, 13, 512 };
	uint64_t x = 0x2545F4914F6CDD1Dull, seq = 0;
	size_t len = 0, garbage_at[8];
	int ngarbage = 0, nrec = 0;

	while (len + 2 * TRACE_WIRE_MAX + 300 < sizeof buf && nrec < 60) {
		struct trace_rec r;

		if (nrec % 7 == 3 && ngarbage < 8) {
			size_t k = 1 + rnd(&x) % 300;

			garbage_at[ngarbage++] = len;
			for (size_t i = 0; i < k; i++)
				buf[len++] = (uint8_t)rnd(&x);
			buf[len - k] = (uint8_t)(buf[len - k] == TRACE_WIRE_MAGIC ? 0 : buf[len - k]);
		}
		if (nrec % 2)
			make_batch(&r, 10, (int)(rnd(&x) % 65));
		else
			make_log(&r, 10, "between the garbage");
		append(buf, sizeof buf, &len, &r, &seq);
		nrec++;
	}
	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		static struct sink s;
		struct trace_reader rd;
		int got = 0;

		trace_reader_init(&rd);
		for (size_t off = 0; off < len;) {
			size_t k = chunks[c] == 0 ? len : chunks[c];

			if (k > len - off)
				k = len - off;
			memset(&s, 0, sizeof s);
			trace_reader_feed(&rd, buf + off, k, sink_fn, &s);
			got += s.n;
			off += k;
		}
		cr_assert_eq(rd.malformed, (uint64_t)ngarbage, "chunk %zu: %llu malformed stretches, want %d", chunks[c],
			     (unsigned long long)rd.malformed, ngarbage);
		cr_assert_eq(rd.bad_offset, garbage_at[0], "chunk %zu: first bad at %llu, want %zu", chunks[c],
			     (unsigned long long)rd.bad_offset, garbage_at[0]);
		cr_assert_eq(got, nrec, "chunk %zu: %d records delivered, want %d", chunks[c], got, nrec);
		cr_assert_eq(rd.lost, 0, "chunk %zu: %llu lost", chunks[c], (unsigned long long)rd.lost);
		trace_reader_free(&rd);
	}
}

Test(trace, random_and_mutated_input_never_crashes)
{
	static uint8_t buf[400 * 256];
	static struct sink s;
	struct trace_reader rd;
	uint64_t x = 0x9E3779B97F4A7C15ull, seq = 0;
	size_t len = 0;

	while (len + 2 * TRACE_WIRE_MAX <= sizeof buf) {
		struct trace_rec r;
		size_t start = len;

		switch (rnd(&x) % 3) {
		case 0:
			make_batch(&r, (uint32_t)(rnd(&x) % 3), (int)(rnd(&x) % 65));
			break;
		case 1:
			make_any(&r, (int)(1 + rnd(&x) % (TR__COUNT - 1)));
			break;
		default:
			for (int i = 0; i < 256; i++)
				buf[len + (size_t)i] = (uint8_t)rnd(&x);
			if (rnd(&x) % 2) {
				buf[len] = TRACE_WIRE_MAGIC;
				buf[len + 1] = TR_WAIT_RETURN;
			}
			len += 256;
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
			cr_assert_leq(s.recs[i].npairs, TRACE_MAX_READY, "delivered %d pairs", s.recs[i].npairs);
		}
		off += k;
	}
	cr_assert_eq(rd.offset + rd.ncarry, len, "offset %llu + %zu, want %zu", (unsigned long long)rd.offset,
		     rd.ncarry, len);
	cr_assert_gt(rd.malformed, 0, "random input was never rejected");
	cr_assert_gt(rd.records, 0, "nothing was accepted");
	trace_reader_free(&rd);
}

/* ---- encoder limits --------------------------------------------------- */

Test(trace, encode_refuses_a_too_small_buffer)
{
	uint8_t buf[TRACE_WIRE_MAX];
	struct trace_rec r;
	uint64_t seq = 42;
	size_t n;

	make_log(&r, 1, "hello");
	n = trace_encode(&r, &seq, buf, sizeof buf);
	cr_assert_eq(seq, 43, "seq %llu after one record", (unsigned long long)seq);
	cr_assert_eq(trace_encode(&r, &seq, buf, n - 1), 0, "one byte short accepted");
	cr_assert_eq(trace_encode(&r, &seq, buf, 0), 0, "zero-byte buffer accepted");
	cr_assert_eq(seq, 43, "a refused encode advanced seq to %llu", (unsigned long long)seq);
	cr_assert_eq(trace_encode(&r, &seq, buf, n), n, "an exact-fit buffer was refused");
	make_batch(&r, 1, TRACE_MAX_READY);
	n = trace_encode(&r, &seq, buf, sizeof buf);
	cr_assert_leq(n, TRACE_WIRE_MAX, "a full batch took %zu bytes", n);
}

/* ---- old recordings: wire version 1 ------------------------------------ */

Test(trace, the_fixed_records_of_an_old_recording_are_still_read)
{
	FILE *f = fopen("scenarios/recordings/echo-herd-burst.rec", "rb");
	static uint8_t buf[1 << 20];
	static struct sink s;
	struct trace_reader rd;
	size_t n, hlen;
	uint8_t *body;

	cr_assert_not_null(f, "the shipped recording is missing");
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	body = (uint8_t *)strstr((char *)buf, "\n\n");
	cr_assert_not_null(body, "no end of header");
	body += 2;
	hlen = (size_t)(body - buf);
	cr_assert_eq((n - hlen) % TRACE_REC_SIZE, 0, "the recording is not whole 256-byte records");
	trace_reader_init(&rd);
	trace_reader_set_wire(&rd, 1);
	for (size_t off = hlen; off < n; off += 100) {
		size_t k = n - off < 100 ? n - off : 100;

		memset(&s, 0, sizeof s);
		trace_reader_feed(&rd, buf + off, k, sink_fn, &s);
		for (int i = 0; i < s.n; i++)
			cr_assert(s.recs[i].type > TR_NONE && s.recs[i].type < TR__COUNT, "type %d", s.recs[i].type);
	}
	cr_assert_eq(rd.malformed, 0, "malformed %llu: %s", (unsigned long long)rd.malformed,
		     rd.bad_why ? rd.bad_why : "");
	cr_assert_eq(rd.records, (n - hlen) / TRACE_REC_SIZE, "records %llu of %zu", (unsigned long long)rd.records,
		     (n - hlen) / TRACE_REC_SIZE);
	cr_assert_eq(rd.lost, 0, "lost %llu", (unsigned long long)rd.lost);
	/* The same bytes read as the compact format are garbage: rejected, never a crash. */
	trace_reader_free(&rd);
	trace_reader_init(&rd);
	memset(&s, 0, sizeof s);
	trace_reader_feed(&rd, body, n - hlen < 4096 ? n - hlen : 4096, sink_fn, &s);
	cr_assert_gt(rd.malformed, 0, "version 1 records passed as compact ones");
	trace_reader_free(&rd);
}

/* A record made before its type's last field was added ends early: that field reads as its default. */
Test(trace, a_record_without_its_types_newest_field_decodes_with_the_default)
{
	struct trace_rec in, out;
	uint8_t buf[TRACE_WIRE_MAX];
	uint64_t seq = 0;
	size_t n, used;
	const char *why;

	trace_rec_result(&in, TR_ACCEPT, 3, 7, 0);
	trace_rec_set_text(&in, "127.0.0.1:1");
	in.port = 40000; /* peer_port, the last field: a three-byte varint */
	in.pid = in.tid = 5;
	n = trace_encode(&in, &seq, buf, sizeof buf);
	buf[n - 4] = buf[n - 1]; /* drop the port's three bytes */
	n -= 3;
	buf[2] = (uint8_t)n;
	buf[3] = (uint8_t)(n >> 8);
	fix_check(buf);
	cr_assert_eq(trace_decode(buf, n, &out, &used, &why), 1, "decode: %s", why);
	cr_assert_str_eq(out.text, "127.0.0.1:1", "text '%s'", out.text);
	cr_assert_eq(out.port, 0, "the missing field is %d, want its default 0", out.port);
	cr_assert_eq(out.ret, 7, "ret %lld", (long long)out.ret);
}
