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

#include "util.h"

/* Copy a header value into its field, truncated to fit. */
static void
hfield(char *dst, size_t cap, const char *v)
{
	str_copy(dst, v, cap);
}

/* Parse the magic line and "key: value" lines up to the blank one; check versions. */
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
			snprintf(err, errcap, len < 32 ? "too short to be a recording" : "header line %d: not terminated (header longer than %d bytes, or cut short)",
				 lineno, RECORD_HEADER_MAX);
			return -1;
		}
		ll = (size_t)(nl - p);
		if (ll >= sizeof line) {
			snprintf(err, errcap, "header line %d: longer than %zu bytes", lineno, sizeof line - 1);
			return -1;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl + 1;
		if (memchr(line, '\0', ll)) {
			snprintf(err, errcap, "header line %d: NUL byte", lineno);
			return -1;
		}
		if (lineno == 1) {
			size_t ml = strlen(RECORD_MAGIC);
			long v;

			if (strncmp(line, RECORD_MAGIC " ", ml + 1) != 0) {
				snprintf(err, errcap, "not an epollviz recording (the first line is not '%s N')", RECORD_MAGIC);
				return -1;
			}
			if (parse_long(line + ml + 1, 0, 1000000, &v) < 0) {
				snprintf(err, errcap, "header line 1: bad version '%s'", line + ml + 1);
				return -1;
			}
			h->version = (int)v;
			if (v != RECORD_VERSION) {
				snprintf(err, errcap, "recording format version %ld is not supported (this epollviz reads version %d)",
					 v, RECORD_VERSION);
				return -1;
			}
			continue;
		}
		if (ll == 0) {
			*hlen = (size_t)(p - buf);
			if (h->trace_version != TRACE_VERSION) {
				snprintf(err, errcap, "trace version %d is not supported (this epollviz reads version %d)",
					 h->trace_version, TRACE_VERSION);
				return -1;
			}
			if (h->record_size != TRACE_REC_SIZE) {
				snprintf(err, errcap, "record size %d is not supported (expected %d)", h->record_size,
					 TRACE_REC_SIZE);
				return -1;
			}
			return 0;
		}
		char *colon = strstr(line, ": ");
		if (colon == NULL) {
			snprintf(err, errcap, "header line %d: expected 'key: value'", lineno);
			return -1;
		}
		*colon = '\0';
		const char *k = line, *v = colon + 2;
		long n;
		if (strcmp(k, "trace-version") == 0 || strcmp(k, "record-size") == 0) {
			if (parse_long(v, 0, 1 << 20, &n) < 0) {
				snprintf(err, errcap, "header line %d: bad %s '%s'", lineno, k, v);
				return -1;
			}
			if (k[0] == 't')
				h->trace_version = (int)n;
			else
				h->record_size = (int)n;
		} else if (strcmp(k, "scenario") == 0) {
			hfield(h->scenario, sizeof h->scenario, v);
		} else if (strcmp(k, "options") == 0) {
			hfield(h->options, sizeof h->options, v);
		} else if (strcmp(k, "kernel") == 0) {
			hfield(h->kernel, sizeof h->kernel, v);
		} else if (strcmp(k, "start") == 0) {
			hfield(h->start, sizeof h->start, v);
		}
	}
	snprintf(err, errcap, len < 32 ? "too short to be a recording" : "header not ended by an empty line within %d bytes",
		 RECORD_HEADER_MAX);
	return -1;
}

#define QCAP 64

struct replay {
	FILE *f;
	char path[PATH_MAX];
	struct rec_header h;
	uint64_t size;
	uint64_t hlen;
	uint64_t pos;
	struct trace_reader rd;
	struct trace_rec *q; /* logical records decoded, not yet returned */
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

	if (rp->qlen == QCAP)
		return; /* cannot happen: a chunk is at most QCAP wire records */
	trace_rec_copy(&rp->q[(rp->qhead + rp->qlen++) % QCAP], r);
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
	trace_reader_init(&rp->rd);
	rp->q = xcalloc(QCAP, sizeof *rp->q);
	return rp;
}

/* The recording's parsed header. */
const struct rec_header *
replay_header(const struct replay *rp)
{
	return &rp->h;
}

/* The next queued record, refilling from the file in chunks; 1, 0 at the end, -1. */
int
replay_next(struct replay *rp, struct trace_rec *out)
{
	while (rp->qlen == 0) {
		uint8_t buf[TRACE_REC_SIZE * 16];
		size_t n;

		if (rp->failed)
			return -1;
		if (rp->eof)
			return 0;
		n = fread(buf, 1, sizeof buf, rp->f);
		if (n == 0) {
			rp->eof = 1;
			if (ferror(rp->f)) {
				snprintf(rp->err, sizeof rp->err, "%s: read error at byte offset %llu: %s", rp->path,
					 (unsigned long long)rp->pos, strerror(errno));
				rp->failed = 1;
			} else if (rp->rd.ncarry > 0) {
				snprintf(rp->err, sizeof rp->err,
					 "%s: truncated at byte offset %llu: the last record has %zu of %d bytes",
					 rp->path, (unsigned long long)(rp->pos - rp->rd.ncarry), rp->rd.ncarry,
					 TRACE_REC_SIZE);
				rp->failed = 1;
			} else if (rp->rd.cur_pending) {
				snprintf(rp->err, sizeof rp->err,
					 "%s: truncated at byte offset %llu: an epoll_wait batch is cut short",
					 rp->path, (unsigned long long)rp->pos);
				rp->failed = 1;
			}
			continue;
		}
		uint64_t bad_before = rp->rd.malformed;
		trace_reader_feed(&rp->rd, buf, n, push, rp);
		rp->pos += n;
		if (rp->rd.malformed > bad_before && !rp->failed) {
			snprintf(rp->err, sizeof rp->err, "%s: corrupt record at byte offset %llu: %s", rp->path,
				 (unsigned long long)rp->hlen + (unsigned long long)rp->rd.bad_offset, rp->rd.bad_why);
			rp->failed = 1;
			/* records decoded before the damage are still returned */
		}
	}
	trace_rec_copy(out, &rp->q[rp->qhead]);
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
	free(rp);
}
