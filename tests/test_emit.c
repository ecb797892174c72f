/*
 * test_emit.c - unit tests of the child-side emitter (trace_emit and
 * trace_flush in trace.c) through the reader: records buffered by one
 * thread join runs, and every one of them comes back whole and in order,
 * in any chunking; a time that goes back starts a record of its own; a
 * run whose check fails is rejected whole, one cut short is rejected, and
 * a recording holding a run is refused at its offset.  The writes are
 * captured in memory (trace_set_writer): no pipe, no child process.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rec_helpers.h"
#include "replay.h"
#include "trace.h"

/* Everything the emitter wrote, and how. */
static uint8_t wire[1 << 21];
static size_t nwire;
static int writes, writes_too_big, writes_not_at_a_record;

static ssize_t
capture(int fd, const void *buf, size_t n)
{
	(void)fd;
	cr_assert_leq(nwire + n, sizeof wire, "the test's capture is full");
	writes++;
	writes_too_big += n > PIPE_BUF;
	writes_not_at_a_record += ((const uint8_t *)buf)[0] != TRACE_WIRE_MAGIC;
	memcpy(wire + nwire, buf, n);
	nwire += n;
	return (ssize_t)n;
}

/* Emit from now on into the capture, numbering from 0. */
static void
emit_start(void)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	cr_assert_geq(fd, 0, "open /dev/null");
	nwire = 0;
	writes = writes_too_big = writes_not_at_a_record = 0;
	trace_set_writer(capture);
	trace_open(fd, 0);
}

/* What the reader delivered. */
struct got {
	struct trace_rec *r;
	int n, cap;
};

static void
collect(void *ctx, const struct trace_rec *r)
{
	struct got *g = ctx;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->r = realloc(g->r, (size_t)g->cap * sizeof *g->r);
		cr_assert_not_null(g->r, "out of memory");
	}
	g->r[g->n++] = *r;
}

/* Read the capture back in chunks of chunk bytes, as the front end reads the pipe. */
static void
read_back(struct trace_reader *rd, struct got *g, size_t chunk)
{
	memset(g, 0, sizeof *g);
	trace_reader_init(rd);
	trace_reader_take_runs(rd);
	for (size_t off = 0; off < nwire; off += chunk) {
		size_t k = nwire - off < chunk ? nwire - off : chunk;

		trace_reader_feed(rd, wire + off, k, collect, g);
	}
}

/* The wire records of the capture (a run counts once), each checked to be at most TRACE_WIRE_MAX bytes. */
static int
wire_records(void)
{
	int n = 0;

	for (size_t off = 0; off + 4 <= nwire; n++) {
		size_t len = (size_t)wire[off + 2] | (size_t)wire[off + 3] << 8;

		cr_assert_eq(wire[off], TRACE_WIRE_MAGIC, "no record at offset %zu", off);
		cr_assert(len >= TRACE_WIRE_MIN && len <= TRACE_WIRE_MAX, "a wire record of %zu bytes at offset %zu",
			  len, off);
		off += len;
	}
	return n;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A record of type t with random values in every slot its table names, random text and pairs where it has them. */
static void
make_random(struct trace_rec *r, int t)
{
	const struct rec_type *ty = trace_rec_type(t);

	trace_rec_init(r, t);
	for (int i = 0; i < REC_MAX_FIELDS && ty->f[i].name; i++) {
		const struct rec_field *f = &ty->f[i];
		uint64_t v = next_rand();

		/* Small values mostly, as in a trace; now and then the whole width. */
		if (v % 4)
			v %= 300;
		if (f->size == 4)
			memcpy((char *)r + f->off, &(uint32_t){ (uint32_t)v }, 4);
		else if (f->size == 8)
			memcpy((char *)r + f->off, &v, 8);
	}
	if (trace_rec_type_has(t, RK_TEXT)) {
		char text[TRACE_TEXT_MAX + 1];
		size_t n = next_rand() % 3 == 0 ? TRACE_TEXT_MAX : next_rand() % 40;

		for (size_t i = 0; i < n; i++)
			text[i] = (char)('a' + next_rand() % 26);
		text[n] = '\0';
		trace_rec_set_text(r, text);
	}
	if (trace_rec_type_has(t, RK_PAIRS)) {
		r->npairs = (uint8_t)(next_rand() % 5 == 0 ? TRACE_MAX_READY : next_rand() % 4);
		for (int i = 0; i < r->npairs; i++) {
			r->pairs[i].events = (uint32_t)next_rand();
			r->pairs[i].data = next_rand() % 2 ? next_rand() : next_rand() % 100;
		}
	}
}

/* got equals want in every field its type's table names, its text and its pairs, and in pid, tid, seq and time. */
static void
assert_same(const struct trace_rec *got, const struct trace_rec *want)
{
	assert_fixed_eq(got, want, want->seq);
	cr_assert_str_eq(got->text, want->text, "%s seq %llu: text differs", trace_rec_type_name(want->type),
			 (unsigned long long)want->seq);
	assert_pairs_eq(got, want);
}

Test(emit, a_threads_records_come_back_whole_and_in_order_in_any_chunking)
{
	enum { N = 3000 };
	static struct trace_rec sent[N];
	static const size_t chunks[] = { 1, 3, 64, 4096, sizeof wire };
	int types[TR__COUNT], ntypes = 0;

	for (int t = 0; t < TR__COUNT; t++)
		if (trace_rec_type(t) != NULL)
			types[ntypes++] = t;
	emit_start();
	for (int i = 0; i < N; i++) {
		/* The hot three of an echo server mostly, every other type in between. */
		static const int hot[] = { TR_RECV, TR_SEND, TR_RECV, TR_WAIT_ENTER, TR_WAIT_RETURN };

		make_random(&sent[i], i % 4 ? hot[i % 5] : types[(i / 4) % ntypes]);
		/* Now and then a time of the caller's that goes back (a deferred record), or the same time again. */
		if (i > 0 && i % 37 == 0)
			sent[i].ts_ns = sent[i - 1].ts_ns - 1000;
		else if (i > 0 && i % 41 == 0)
			sent[i].ts_ns = sent[i - 1].ts_ns;
		trace_emit(&sent[i]); /* it stamps the record: pid, tid, seq, time */
		if (i % 500 == 499)
			trace_flush(); /* a call that may block */
	}
	trace_flush();
	cr_assert_eq(writes_too_big, 0, "%d writes longer than PIPE_BUF (not atomic)", writes_too_big);
	cr_assert_eq(writes_not_at_a_record, 0, "%d writes began inside a record", writes_not_at_a_record);
	cr_assert_lt(wire_records(), N / 4, "%d wire records for %d records: the records did not join runs",
		     wire_records(), N);

	for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
		struct trace_reader rd;
		struct got g;

		read_back(&rd, &g, chunks[c]);
		cr_assert_eq(rd.malformed, 0, "chunks of %zu: %llu malformed (%s at %llu)", chunks[c],
			     (unsigned long long)rd.malformed, rd.bad_why ? rd.bad_why : "",
			     (unsigned long long)rd.bad_offset);
		cr_assert(g.n == N && rd.records == N && rd.lost == 0,
			  "chunks of %zu: %d records delivered, %llu counted, %llu lost; %d sent", chunks[c], g.n,
			  (unsigned long long)rd.records, (unsigned long long)rd.lost, N);
		for (int i = 0; i < N; i++)
			assert_same(&g.r[i], &sent[i]);
		free(g.r);
		trace_reader_free(&rd);
	}
}

Test(emit, a_recv_in_a_run_takes_a_third_of_a_record_of_its_own)
{
	enum { N = 200 };
	struct trace_rec r;
	uint64_t seq = 0;
	uint8_t alone[TRACE_WIRE_MAX];
	size_t one;

	emit_start();
	for (int i = 0; i < N; i++) {
		trace_rec_result(&r, TR_RECV, 5, i % 2 ? 11 : -1, i % 2 ? 0 : 11);
		trace_emit(&r);
	}
	trace_flush();
	one = trace_encode(&r, &seq, alone, sizeof alone);
	cr_assert_leq(nwire * 3, (size_t)N * one, "%d recvs took %zu bytes; one alone takes %zu", N, nwire, one);
}

Test(emit, a_damaged_run_is_rejected_whole_and_the_next_is_read)
{
	enum { N = 50 };
	struct trace_rec sent[2 * N];
	struct trace_reader rd;
	struct got g;
	size_t first;

	emit_start();
	for (int i = 0; i < 2 * N; i++) {
		trace_rec_result(&sent[i], i % 3 == 1 ? TR_SEND : TR_RECV, 5 + i % 4, i % 3 == 2 ? -1 : 20 + i, 0);
		sent[i].ts_ns = 1000000000ull + (uint64_t)i * 1000;
		trace_emit(&sent[i]);
		if (i == N - 1)
			trace_flush();
	}
	first = nwire;
	trace_flush();
	cr_assert_eq(writes, 2, "%d writes, want 2", writes);
	wire[first / 2] ^= 0x01; /* inside the first run, past its first record */

	read_back(&rd, &g, sizeof wire);
	cr_assert_geq(rd.malformed, 1, "a changed byte went unnoticed");
	cr_assert_eq(g.n, N, "%d records delivered; want the second run's %d alone", g.n, N);
	for (int i = 0; i < N; i++)
		assert_same(&g.r[i], &sent[N + i]);
	cr_assert_eq(rd.lost, N, "%llu counted lost; the first run held %d", (unsigned long long)rd.lost, N);
	free(g.r);
	trace_reader_free(&rd);
}

Test(emit, a_run_cut_short_inside_its_last_record_is_rejected)
{
	struct trace_rec r;
	struct trace_reader rd;
	struct got g;
	unsigned sum = 0;
	size_t len;

	emit_start();
	for (int i = 0; i < 3; i++) {
		trace_rec_result(&r, TR_RECV, 5, -1, 11); /* the last field, errno 11, is one byte */
		r.ts_ns = 1000000000ull + (uint64_t)i;
		trace_emit(&r);
	}
	trace_flush();
	/* The last byte of the last field taken out, the length and the check made to agree again. */
	len = nwire - 1;
	wire[len - 1] = 0;
	wire[2] = (uint8_t)len;
	wire[3] = (uint8_t)(len >> 8);
	for (size_t i = 0; i < len - 1; i++)
		sum += wire[i];
	wire[len - 1] = (uint8_t)sum;
	nwire = len;

	read_back(&rd, &g, sizeof wire);
	cr_assert_eq(rd.malformed, 1, "a record without its last field was taken (%llu malformed)",
		     (unsigned long long)rd.malformed);
	cr_assert_eq(g.n, 2, "%d records delivered; want the two whole ones", g.n);
	free(g.r);
	trace_reader_free(&rd);
}

Test(emit, a_recording_holding_a_run_is_refused_at_its_offset)
{
	char dir[] = "/tmp/epollviz-emit.XXXXXX", path[64], want[160];
	size_t hlen;
	char *head;
	struct trace_rec r;
	struct replay *rp;
	int n = 0, k;
	FILE *in, *out;

	emit_start();
	for (int i = 0; i < 100; i++) {
		trace_rec_result(&r, TR_RECV, 5, 20, 0);
		trace_emit(&r);
	}
	trace_flush();
	cr_assert_eq(wire_records(), 1, "100 recvs made %d wire records, want one run", wire_records());

	/* A recording's header, then the run where its records would be. */
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/run.rec", dir);
	in = fopen("fuzz/corpus/record/herd-head.rec", "rb");
	cr_assert_not_null(in, "fuzz/corpus/record/herd-head.rec");
	head = calloc(1, 65536);
	hlen = fread(head, 1, 65535, in);
	fclose(in);
	hlen = (size_t)(strstr(head, "\n\n") + 2 - head);
	out = fopen(path, "wb");
	cr_assert_not_null(out);
	fwrite(head, 1, hlen, out);
	fwrite(wire, 1, nwire, out);
	fclose(out);

	rp = replay_open(path, want, sizeof want);
	cr_assert_not_null(rp, "%s", want);
	while ((k = replay_next(rp, &r)) == 1)
		n++;
	snprintf(want, sizeof want, "corrupt record at byte offset %zu: unknown record type", hlen);
	cr_assert_eq(k, -1, "the run was read as %d records without an error", n);
	cr_assert_not_null(strstr(replay_error(rp), want), "error \"%s\", want \"%s\"", replay_error(rp), want);
	replay_close(rp);
	unlink(path);
	rmdir(dir);
	free(head);
}
