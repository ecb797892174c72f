/*
 * replay.c - reading a recording back: its header, then its records one by
 * one, every length checked and damage reported with its byte offset (see
 * record.h for the format).
 */
#include "replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "i18n.h"
#include "util.h"

/* Copy a header value into its field, truncated to fit. */
static void
hfield(char *dst, size_t cap, const char *v)
{
	str_copy(dst, v, cap);
}

/* Where a header without its end ends. */
enum unended { UNENDED_INSIDE, UNENDED_BEFORE_EMPTY };

/* The message for a header without its end: cut short (the offset), or too long. */
static void
header_unended(char *err, size_t errcap, size_t len, int lineno, enum unended where)
{
	if (len >= RECORD_HEADER_MAX)
		snprintf(err, errcap, _("header line %d: not ended within %d bytes"), lineno, RECORD_HEADER_MAX);
	else if (len == 0)
		snprintf(err, errcap, _("truncated at byte offset %zu: an empty file (header line %d is cut short)"), len,
			 lineno);
	else if (where == UNENDED_INSIDE)
		snprintf(err, errcap, _("truncated at byte offset %zu: inside the header (header line %d is cut short)"),
			 len, lineno);
	else
		snprintf(err, errcap,
			 _("truncated at byte offset %zu: before the empty line that ends the header "
			   "(header line %d is cut short)"),
			 len, lineno);
}

/* Check the magic line "epollviz recording N"; -1 with a reason. */
static int
header_magic(const char *line, struct rec_header *h, char *err, size_t errcap)
{
	size_t ml = strlen(RECORD_MAGIC);
	long v;

	if (strncmp(line, RECORD_MAGIC " ", ml + 1) != 0) {
		snprintf(err, errcap, _("not an epollviz recording (the first line is not '%s N')"), RECORD_MAGIC);
		return -1;
	}
	if (parse_long(line + ml + 1, 0, 1000000, &v) < 0) {
		snprintf(err, errcap, _("header line 1: bad version '%s'"), line + ml + 1);
		return -1;
	}
	h->version = (int)v;
	if (v != RECORD_VERSION && v != RECORD_VERSION_FIXED) {
		snprintf(err, errcap, _("recording format version %ld is not supported (this epollviz reads versions %d and %d)"),
			 v, RECORD_VERSION_FIXED, RECORD_VERSION);
		return -1;
	}
	return 0;
}

/* At the empty line: are the versions of the header ones this reader reads? */
static int
header_check(const struct rec_header *h, char *err, size_t errcap)
{
	if (h->trace_version != TRACE_VERSION) {
		snprintf(err, errcap, _("trace version %d is not supported (this epollviz reads version %d)"),
			 h->trace_version, TRACE_VERSION);
		return -1;
	}
	if (h->version == RECORD_VERSION_FIXED && h->record_size != TRACE_REC_SIZE) {
		snprintf(err, errcap, _("record size %d is not supported (expected %d)"), h->record_size,
			 TRACE_REC_SIZE);
		return -1;
	}
	if (h->version == RECORD_VERSION && h->wire_version != TRACE_WIRE_VERSION) {
		snprintf(err, errcap, _("wire version %d is not supported (expected %d)"), h->wire_version,
			 TRACE_WIRE_VERSION);
		return -1;
	}
	return 0;
}

/* One "key: value" line of the header into h; -1 with a reason. */
static int
header_line(char *line, int lineno, struct rec_header *h, char *err, size_t errcap)
{
	char *colon = strstr(line, ": ");
	const char *k = line, *v;
	long n;

	if (colon == NULL) {
		snprintf(err, errcap, _("header line %d: expected 'key: value'"), lineno);
		return -1;
	}
	*colon = '\0';
	v = colon + 2;
	if (strcmp(k, "trace-version") == 0 || strcmp(k, "record-size") == 0 ||
	    strcmp(k, "wire-version") == 0) {
		if (parse_long(v, 0, 1 << 20, &n) < 0) {
			/* TRANSLATORS: %s: a header key (trace-version, record-size, wire-version), then its value. */
			snprintf(err, errcap, _("header line %d: bad %s '%s'"), lineno, k, v);
			return -1;
		}
		if (k[0] == 't')
			h->trace_version = (int)n;
		else if (k[0] == 'r')
			h->record_size = (int)n;
		else
			h->wire_version = (int)n;
	} else if (strcmp(k, "scenario") == 0) {
		hfield(h->scenario, sizeof h->scenario, v);
	} else if (strcmp(k, "options") == 0) {
		hfield(h->options, sizeof h->options, v);
	} else if (strcmp(k, "kernel") == 0) {
		hfield(h->kernel, sizeof h->kernel, v);
	} else if (strcmp(k, "start") == 0) {
		hfield(h->start, sizeof h->start, v);
	}
	return 0;
}

/*
 * Parse the magic line and "key: value" lines up to the blank one; check
 * versions.  A header cut short names the byte offset where the file ends.
 */
int
replay_header_parse(const char *buf, size_t len, struct rec_header *h, size_t *hlen, char *err,
		 size_t errcap)
{
	const char *p = buf, *end = buf + (len < RECORD_HEADER_MAX ? len : RECORD_HEADER_MAX);
	int lineno = 0;

	memset(h, 0, sizeof *h);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[600];
		size_t ll;

		lineno++;
		if (nl == NULL) {
			size_t ml = strlen(RECORD_MAGIC), have = (size_t)(end - p);

			if (lineno == 1 && strncmp(p, RECORD_MAGIC, have < ml ? have : ml) != 0) {
				snprintf(err, errcap, _("not an epollviz recording (the first line is not '%s N')"),
					 RECORD_MAGIC);
				return -1;
			}
			header_unended(err, errcap, len, lineno, UNENDED_INSIDE);
			return -1;
		}
		ll = (size_t)(nl - p);
		if (ll >= sizeof line) {
			snprintf(err, errcap, _("header line %d: longer than %zu bytes"), lineno, sizeof line - 1);
			return -1;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		if (memchr(line, '\0', ll)) {
			snprintf(err, errcap, _("header line %d: NUL byte"), lineno);
			return -1;
		}
		if (lineno == 1) {
			if (header_magic(line, h, err, errcap) < 0)
				return -1;
			continue;
		}
		if (ll == 0) {
			*hlen = (size_t)(p - buf);
			return header_check(h, err, errcap);
		}
		if (header_line(line, lineno, h, err, errcap) < 0)
			return -1;
	}
	header_unended(err, errcap, len, lineno + 1, UNENDED_BEFORE_EMPTY);
	return -1;
}

/* Bytes read at a time, and so the most records one read can decode. */
#define CHUNK 1024
#define QCAP (CHUNK / TRACE_WIRE_MIN + 2)

struct replay {
	FILE *f;
	char path[PATH_MAX];
	struct rec_header h;
	uint64_t size;
	uint64_t hlen;
	uint64_t pos;
	struct trace_reader rd;
	struct trace_rec *q; /* logical records decoded, not yet returned */
	uint64_t *qend;      /* where each ends in the file */
	uint64_t last_end;   /* where the last one returned ends */
	int qhead, qlen;
	int eof;
	int failed;
	char err[PATH_MAX + 256];
};

/* Reader sink for a replay: queue a decoded record for replay_next. */
static void
push(void *ctx, const struct trace_rec *r)
{
	struct replay *rp = ctx;

	int i = (rp->qhead + rp->qlen) % QCAP;

	if (rp->qlen == QCAP)
		return; /* cannot happen: a chunk is at most QCAP wire records */
	trace_rec_copy(&rp->q[i], r);
	rp->qend[i] = rp->hlen + rp->rd.rec_end;
	rp->qlen++;
}

/* Open a recording, parse its header and set the reader at the first record. */
struct replay *
replay_open(const char *path, char *err, size_t errcap)
{
	struct replay *rp = xcalloc(1, sizeof *rp);
	char buf[RECORD_HEADER_MAX], why[400];
	size_t n, hlen;
	struct stat st;

	str_copy(rp->path, path, sizeof rp->path);
	rp->f = fopen(path, "re");
	if (rp->f == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		free(rp);
		return NULL;
	}
	if (fstat(fileno(rp->f), &st) == 0)
		rp->size = (uint64_t)st.st_size;
	n = fread(buf, 1, sizeof buf, rp->f);
	if (replay_header_parse(buf, n, &rp->h, &hlen, why, sizeof why) < 0) {
		snprintf(err, errcap, "%s: %s", path, why);
		fclose(rp->f);
		free(rp);
		return NULL;
	}
	rp->hlen = hlen;
	rp->pos = hlen;
	fseek(rp->f, (long)hlen, SEEK_SET);
	rp->last_end = hlen;
	trace_reader_init(&rp->rd);
	if (rp->h.version == RECORD_VERSION_FIXED)
		trace_reader_set_wire(&rp->rd, 1);
	rp->q = xcalloc(QCAP, sizeof *rp->q);
	rp->qend = xcalloc(QCAP, sizeof *rp->qend);
	return rp;
}

/* The recording's parsed header. */
const struct rec_header *
replay_header(const struct replay *rp)
{
	return &rp->h;
}

/* The error of a file that ends inside a record: where it ends, where the record began. */
static void
cut_short(struct replay *rp)
{
	const struct trace_reader *rd = &rp->rd;
	unsigned long long start = (unsigned long long)(rp->hlen + rd->offset);
	size_t want = rd->wire == 1 ? TRACE_REC_SIZE
		    : rd->ncarry >= 4 ? ((size_t)rd->carry[2] | (size_t)rd->carry[3] << 8) : 0;

	if (want > rd->ncarry)
		snprintf(rp->err, sizeof rp->err,
			 _("%s: truncated at byte offset %llu: the record at byte offset %llu has %zu of its %zu bytes"),
			 rp->path, (unsigned long long)rp->pos, start, rd->ncarry, want);
	else
		snprintf(rp->err, sizeof rp->err,
			 _("%s: truncated at byte offset %llu: the record at byte offset %llu is cut after %zu bytes"),
			 rp->path, (unsigned long long)rp->pos, start, rd->ncarry);
	rp->failed = 1;
}

/* The next queued record, refilling from the file in chunks; 1, 0 at the end, -1. */
int
replay_next(struct replay *rp, struct trace_rec *out)
{
	while (rp->qlen == 0) {
		uint8_t buf[CHUNK];
		size_t n;

		if (rp->failed)
			return -1;
		if (rp->eof)
			return 0;
		n = fread(buf, 1, sizeof buf, rp->f);
		if (n == 0) {
			rp->eof = 1;
			if (ferror(rp->f)) {
				snprintf(rp->err, sizeof rp->err, _("%s: read error at byte offset %llu: %s"), rp->path,
					 (unsigned long long)rp->pos, strerror(errno));
				rp->failed = 1;
			} else if (rp->rd.ncarry > 0) {
				cut_short(rp);
			} else if (rp->rd.cur_pending) {
				snprintf(rp->err, sizeof rp->err,
					 _("%s: truncated at byte offset %llu: an epoll_wait batch is cut short"),
					 rp->path, (unsigned long long)rp->pos);
				rp->failed = 1;
			}
			continue;
		}
		uint64_t bad_before = rp->rd.malformed;
		trace_reader_feed(&rp->rd, buf, n, push, rp);
		rp->pos += n;
		if (rp->rd.malformed > bad_before && !rp->failed) {
			snprintf(rp->err, sizeof rp->err, _("%s: corrupt record at byte offset %llu: %s"), rp->path,
				 (unsigned long long)rp->hlen + (unsigned long long)rp->rd.bad_offset, _(rp->rd.bad_why));
			rp->failed = 1;
			/* records decoded before the damage are still returned */
		}
	}
	trace_rec_copy(out, &rp->q[rp->qhead]);
	rp->last_end = rp->qend[rp->qhead];
	rp->qhead = (rp->qhead + 1) % QCAP;
	rp->qlen--;
	return 1;
}

/* The message of the first failure, or "" when there was none. */
const char *
replay_error(const struct replay *rp)
{
	return rp->err;
}

/* Bytes of the file consumed so far, the header included. */
uint64_t
replay_pos(const struct replay *rp)
{
	return rp->pos;
}

/* The file's size when it was opened (0 if fstat failed). */
uint64_t
replay_size(const struct replay *rp)
{
	return rp->size;
}

/* Where the last record replay_next returned ends in the file (the header's end before any). */
uint64_t
replay_record_end(const struct replay *rp)
{
	return rp->last_end;
}

/* The replay's trace reader, for its counts. */
const struct trace_reader *
replay_reader(const struct replay *rp)
{
	return &rp->rd;
}

/* Close the file and free the replay; NULL is allowed. */
void
replay_close(struct replay *rp)
{
	if (rp == NULL)
		return;
	fclose(rp->f);
	trace_reader_free(&rp->rd);
	free(rp->q);
	free(rp->qend);
	free(rp);
}
