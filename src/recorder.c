/*
 * recorder.c - writing a recording: the header, then every record in wire
 * format (see record.h for the format).
 */
#include "recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

struct recorder {
	FILE *f;
	char path[PATH_MAX];
	int failed;
	int err;
};

/* Create path and write the header: versions, scenario, options, kernel, UTC time. */
struct recorder *
recorder_open(const char *path, const struct scenario *sc, char *err, size_t errcap)
{
	struct recorder *rc = xcalloc(1, sizeof *rc);
	struct utsname u;
	char when[64], opts[512] = "";
	time_t t = time(NULL);
	struct tm tm;
	size_t len = 0;
	struct stat st, scst;
	int fd;

	/* Never over the scenario it records: the session reads that file again as it starts. */
	if (sc->path[0] && stat(path, &st) == 0 && stat(sc->path, &scst) == 0 && st.st_dev == scst.st_dev &&
	    st.st_ino == scst.st_ino) {
		snprintf(err, errcap, _("%s: is the scenario file itself; record into another file"), path);
		free(rc);
		return NULL;
	}
	/* O_NONBLOCK: a FIFO with no reader is an error (ENXIO), not an open that waits, deaf to ^C. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0666);
	if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0 || (rc->f = fdopen(fd, "w")) == NULL) {
		if (errno == ENXIO)
			snprintf(err, errcap, _("%s: a FIFO that nobody reads"), path);
		else
			snprintf(err, errcap, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(rc);
		return NULL;
	}
	str_copy(rc->path, path, sizeof rc->path);
	if (uname(&u) < 0)
		str_copy(u.release, "unknown", sizeof u.release);
	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < sc->njobs && len < sizeof opts; i++) {
		char args[SCN_MAX_ARGS][48];
		int n = job_to_args(&sc->jobs[i], args, SCN_MAX_ARGS);

		len += (size_t)snprintf(opts + len, sizeof opts - len, "%s[%s%s]", i ? " " : "",
					job_kind_name(sc->jobs[i].kind), sc->jobs[i].background ? " &" : "");
		for (int k = 0; k < n && len < sizeof opts; k++)
			len += (size_t)snprintf(opts + len, sizeof opts - len, " %s", args[k]);
	}
	fprintf(rc->f,
		"%s %d\ntrace-version: %d\nwire-version: %d\nscenario: %s\noptions: %s\nkernel: %s\n"
		"start: %s\n\n",
		RECORD_MAGIC, RECORD_VERSION, TRACE_VERSION, TRACE_WIRE_VERSION, sc->name, opts, u.release, when);
	return rc;
}

/* Append r's wire records; after a write error, remember it and write no more. */
void
recorder_write(struct recorder *rc, const struct trace_rec *r)
{
	uint8_t buf[TRACE_WIRE_MAX];
	uint64_t seq = r->seq;
	size_t n;

	if (rc == NULL || rc->failed)
		return;
	n = trace_encode(r, &seq, buf, sizeof buf);
	if (fwrite(buf, 1, n, rc->f) != n) {
		rc->failed = 1;
		rc->err = errno;
	}
}

/* Adapter that lets a recorder be a consumer of a trace tee. */
void
recorder_sink(void *rc, const struct trace_rec *r)
{
	recorder_write(rc, r);
}

/* Flush, close and free the recorder; -1 with a message if any write failed. */
int
recorder_close(struct recorder *rc, char *err, size_t errcap)
{
	int ret = 0;

	if (rc == NULL)
		return 0;
	if (fflush(rc->f) != 0 && !rc->failed) {
		rc->failed = 1;
		rc->err = errno;
	}
	if (fclose(rc->f) != 0 && !rc->failed) {
		rc->failed = 1;
		rc->err = errno;
	}
	if (rc->failed) {
		snprintf(err, errcap, _("%s: recording incomplete: %s"), rc->path, strerror(rc->err));
		ret = -1;
	}
	free(rc);
	return ret;
}

