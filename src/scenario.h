/*
 * scenario.h - scenario files: parsing, validation and lookup.  A job's
 * options (and the key=value arguments they travel to the roles as) are
 * job.h's.
 *
 * Format (documented for users in docs/SCENARIOS.md):
 *
 *   # a comment; blank lines are ignored
 *   title    = One line shown in the picker
 *   describe = A line of description (repeatable, at most SCN_MAX_DESCRIBE)
 *
 *   [echo]                  # a job: echo, fifo or probe
 *   accept   = semaphore
 *   [fifo]
 *   background = yes        # started with '&' before the foreground job
 *
 * Errors are reported as "FILE:LINE: message".
 */
#ifndef EPOLLVIZ_SCENARIO_H
#define EPOLLVIZ_SCENARIO_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "job.h"

#define SCN_MAX_JOBS 4
#define SCN_MAX_DESCRIBE 8
#define SCN_LINE_MAX 160
#define SCN_EXT ".scn"

struct scenario {
	char name[64];
	char path[PATH_MAX];
	char title[SCN_LINE_MAX];
	char describe[SCN_MAX_DESCRIBE][SCN_LINE_MAX];
	int ndescribe;
	struct job_cfg jobs[SCN_MAX_JOBS];
	int njobs;
	/* `epollviz run`: the program and its arguments (NULL-terminated; the caller's), else NULL. */
	char *const *argv;
};

/* Parse text (as read from path) into sc.  Returns 0 or -1 with "FILE:LINE: msg" in err. */
int scenario_parse(const char *text, size_t len, const char *path, struct scenario *sc, char *err,
		   size_t errcap);
/* Read and parse a file.  Same contract. */
int scenario_load(const char *path, struct scenario *sc, char *err, size_t errcap);
/*
 * Resolve NAME (a scenario name, or a path when it contains '/' or ends in
 * .scn) to a file path: a name is looked up in the scenarios directory
 * (paths_scenarios).  Returns 0, or -1 with a message naming where it looked.
 */
int scenario_find(const char *name, char *path, size_t cap, char *err, size_t errcap);
/*
 * Load every *.scn of the scenarios directory (paths_scenarios), sorted by name.  Returns the
 * count (and a malloc'd array in *out), or -1 with err.  Files that fail to
 * parse are reported in err and skipped.
 */
int scenario_list(struct scenario **out, char *err, size_t errcap);
/*
 * The scenario of `epollviz run PROGRAM ARGS...`: one foreground job, the
 * program (argv, kept by pointer: it must outlive the scenario), named
 * "run", with no file.
 */
void scenario_program(struct scenario *sc, char *const *argv);
/*
 * The description as one paragraph (the describe lines joined by spaces)
 * into buf: the text a translation is looked up by.  Returns buf.
 */
char *scenario_describe(const struct scenario *sc, char *buf, size_t cap);
/*
 * Print every scenario's title and description to out as C source with N_()
 * marks, for xgettext (`make check-po`): the catalogue's msgids are exactly
 * what scenario_describe and the parser give.  Returns 0, or -1 with err.
 */
int scenario_po_strings(FILE *out, char *err, size_t errcap);
/* Index of the foreground job, or -1. */
int scenario_fg_job(const struct scenario *sc);
/* Does the scenario have a job of this kind?  Returns its index or -1. */
int scenario_job_of(const struct scenario *sc, int kind);

#endif
