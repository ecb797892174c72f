/*
 * targets.c - the fuzzed readers (see targets.h).  Each one feeds the bytes
 * to a parser and checks the promises it makes about its output, so a
 * broken invariant is a crash the fuzzer can find, not only a bad read.
 */
#include "targets.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../src/sentence.h"
#include "../src/kview.h"
#include "../src/model.h"
#include "../src/proctab.h"
#include "../src/sockdiag.h"
#include "../src/recorder.h"
#include "../src/replay.h"
#include "../src/scenario.h"
#include "../src/script.h"
#include "../src/trace.h"
#include "../src/trace_rec.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #c);    \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

int
fuzz_scenario(const uint8_t *data, size_t size)
{
	struct scenario sc;
	char err[1024];

	if (scenario_parse((const char *)data, size, "fuzz.scn", &sc, err, sizeof err) < 0) {
		/* Every error names the file (and a line when there is one). */
		CHECK(strncmp(err, "fuzz.scn:", 9) == 0);
		return 0;
	}
	CHECK(sc.njobs >= 1 && sc.njobs <= SCN_MAX_JOBS);
	CHECK(sc.title[0] != '\0');
	for (int i = 0; i < sc.njobs; i++) {
		char args[SCN_MAX_ARGS][48];
		int n = job_to_args(&sc.jobs[i], args, SCN_MAX_ARGS);
		struct job_cfg j;

		job_defaults(&j, sc.jobs[i].kind);
		for (int k = 0; k < n; k++) {
			char *eq = strchr(args[k], '=');

			CHECK(eq != NULL);
			*eq = '\0';
			CHECK(job_set(&j, args[k], eq + 1, err, sizeof err) == 0);
		}
	}
	return 0;
}

/* Check what the reader delivers, and format it both ways. */
static void
sink(void *ctx, const struct trace_rec *r)
{
	struct strbuf *b = ctx;

	CHECK(r->type > TR_NONE && r->type < TR__COUNT);
	CHECK(r->npairs <= TRACE_MAX_READY);
	CHECK(strlen(r->text) <= TRACE_TEXT_MAX);
	sb_reset(b);
	trace_rec_json(b, r);
	trace_rec_line(b, r, 0);
	if (r->type == TR_ACTION) { /* a recording's sentence, matched back to its format for the Story */
		char out[2 * TRACE_TEXT_MAX + 2];
		const char *t = sentence_localize(r->text, out, sizeof out);

		CHECK(strlen(t) < sizeof out);
	}
}

/* The reader's counts, to compare two feedings of the same bytes. */
static void
counts(const struct trace_reader *rd, uint64_t c[4])
{
	c[0] = rd->records;
	c[1] = rd->lost;
	c[2] = rd->malformed;
	c[3] = rd->offset;
}

int
fuzz_trace(const uint8_t *data, size_t size)
{
	struct trace_reader rd;
	struct strbuf b;
	struct model *m = model_new();
	size_t half = size / 2;
	uint64_t split[4], whole[4];

	sb_init(&b);
	trace_reader_init(&rd);
	trace_reader_take_runs(&rd); /* a pipe's stream: runs too */
	/* Split feeding must not change what is decoded. */
	trace_reader_feed(&rd, data, half, sink, &b);
	trace_reader_feed(&rd, data + half, size - half, sink, &b);
	/* Every byte is dealt with or waits as the beginning of a record. */
	CHECK(rd.offset + rd.ncarry == size);
	CHECK(rd.ncarry < TRACE_WIRE_MAX);
	if (rd.malformed)
		CHECK(rd.bad_why != NULL && rd.bad_offset < size);
	counts(&rd, split);
	trace_reader_free(&rd);
	/* And the model takes whatever the decoder accepts. */
	trace_reader_init(&rd);
	trace_reader_take_runs(&rd);
	trace_reader_feed(&rd, data, size, model_sink, m);
	counts(&rd, whole);
	CHECK(memcmp(split, whole, sizeof split) == 0);
	trace_reader_free(&rd);
	model_free(m);
	sb_free(&b);
	return 0;
}

int
fuzz_fdinfo(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* the reader takes a C string */
	struct kv_fdinfo fi;
	unsigned long ino;
	char esc[96];

	if (kview_parse_fdinfo(text, &fi) == 0)
		for (int i = 0; i < fi.nw; i++)
			CHECK(fi.w[i].what[0] == '\0');
	kview_fdinfo_free(&fi);
	kview_classify(text, &ino);
	/* The other /proc tables attach reads: /proc/PID/net text, and sock_diag replies. */
	for (int f = 0; f < 3; f++) {
		static const int fam[] = { AF_INET, AF_INET6, AF_UNIX };
		struct sockdiag_table t = { 0 };

		sockdiag_parse_proc_net(text, fam[f], f == 2 ? 0 : IPPROTO_TCP, &t);
		for (int i = 0; i < t.n; i++)
			CHECK(t.s[i].inode != 0 && strlen(t.s[i].local) < sizeof t.s[i].local);
		sockdiag_table_free(&t);
		sockdiag_parse_any(data, size, fam[f], IPPROTO_TCP, &t);
		sockdiag_table_free(&t);
	}
	free(text);
	/* A /proc string (a command line, a socket path) made safe: no control character survives. */
	proctab_escape(data, size, esc, sizeof esc);
	CHECK(strlen(esc) < sizeof esc);
	for (const unsigned char *c = (const unsigned char *)esc; *c; c++)
		CHECK(*c >= 0x20 && *c != 0x7f && !(c[0] == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f));
	return 0;
}

int
fuzz_record(const uint8_t *data, size_t size)
{
	struct rec_header h;
	char err[512];
	size_t hlen = 0;
	struct trace_reader rd;
	struct strbuf b;

	if (replay_header_parse((const char *)data, size, &h, &hlen, err, sizeof err) < 0) {
		CHECK(err[0] != '\0');
		return 0;
	}
	CHECK(hlen <= size && hlen <= RECORD_HEADER_MAX);
	CHECK(h.version == RECORD_VERSION || h.version == RECORD_VERSION_FIXED);
	sb_init(&b);
	trace_reader_init(&rd);
	if (h.version == RECORD_VERSION_FIXED)
		trace_reader_set_wire(&rd, 1);
	trace_reader_feed(&rd, data + hlen, size - hlen, sink, &b);
	if (rd.malformed)
		CHECK(rd.bad_why != NULL && rd.bad_offset < size - hlen);
	trace_reader_free(&rd);
	sb_free(&b);
	return 0;
}

int
fuzz_script(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size); /* the parser takes a C string */
	struct script s;
	char err[512];

	if (script_parse(text, &s, err, sizeof err) < 0)
		CHECK(strncmp(err, "step ", 5) == 0 || strcmp(err, "out of memory") == 0);
	else
		CHECK(s.nsteps <= SCRIPT_MAX_STEPS);
	free(text);
	return 0;
}
