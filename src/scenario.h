/*
 * scenario.h - scenario files: parsing, validation, lookup, and the job
 * options that travel to the child roles as key=value arguments.
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

#include "trace_rec.h"

#define SCN_MAX_JOBS 4
#define SCN_MAX_DESCRIBE 8
#define SCN_LINE_MAX 160
#define SCN_EXT ".scn"

enum job_kind { JOB_ECHO = 0, JOB_FIFO, JOB_PROBE, JOB__COUNT };
enum accept_mode { ACCEPT_SEMAPHORE = 0, ACCEPT_EXCLUSIVE, ACCEPT_REUSEPORT, ACCEPT_SHARED_EPOLL, ACCEPT_NONE };
enum accept_loop { LOOP_ONCE = 0, LOOP_DRAIN };
enum trigger { TRIG_EDGE = 0, TRIG_LEVEL };
enum hup_mode { HUP_NAIVE = 0, HUP_FIXED };
enum probe_kind { PROBE_REGULAR_FILE = 0, PROBE_TWO_INSTANCES, PROBE_CTL_ERRORS, PROBE_TRIGGERS, PROBE_TTY_READ };

struct job_cfg {
	int kind;       /* enum job_kind */
	int line;       /* line of its [section] header */
	int background; /* 0 or 1 */
	/* echo */
	int accept;
	int accept_loop;
	int trigger;
	int workers;
	int port;
	int backlog;
	int fd_limit;     /* RLIMIT_NOFILE of the workers; 0 keeps the inherited one */
	/* fifo */
	int hup;
	int storm_detail; /* EPOLLHUP returns traced in full before counting */
	int storm_cap;    /* EPOLLHUP returns before the storm is ended */
	/* probe */
	int probe;
};

struct scenario {
	char name[64];
	char path[PATH_MAX];
	char title[SCN_LINE_MAX];
	char describe[SCN_MAX_DESCRIBE][SCN_LINE_MAX];
	int ndescribe;
	struct job_cfg jobs[SCN_MAX_JOBS];
	int njobs;
};

/* Defaults for a job of the given kind. */
void job_defaults(struct job_cfg *j, int kind);
/* Section name of a kind: "echo", "fifo", "probe". */
const char *job_kind_name(int kind);
/* The role (enum trace_role) a job of this kind starts as, or -1. */
int job_kind_role(int kind);
/* Set one option by name.  Returns 0, or -1 with a message in err. */
int job_set(struct job_cfg *j, const char *key, const char *val, char *err, size_t errcap);
/*
 * Write the options that differ per kind as "key=value" strings into
 * args[0..n), each of 48 bytes.  Returns n (at most max).
 */
#define SCN_MAX_ARGS 12
int job_to_args(const struct job_cfg *j, char args[][48], int max);
/* The value name of an enum option, for display: job_opt_name(j, "accept"). */
const char *job_opt_name(const struct job_cfg *j, const char *key);

/* Parse text (as read from path) into sc.  Returns 0 or -1 with "FILE:LINE: msg" in err. */
int scenario_parse(const char *text, size_t len, const char *path, struct scenario *sc, char *err,
		   size_t errcap);
/* Read and parse a file.  Same contract. */
int scenario_load(const char *path, struct scenario *sc, char *err, size_t errcap);
/*
 * Resolve NAME (a scenario name, or a path when it contains '/' or ends in
 * .scn) to a file path.  Returns 0, or -1 with a message naming what was
 * searched.
 */
int scenario_find(const char *name, char *path, size_t cap, char *err, size_t errcap);
/* The directory scenarios are listed from (first existing of the search path). */
int scenario_dir(char *dir, size_t cap);
/*
 * Load every *.scn of the scenario directory, sorted by name.  Returns the
 * count (and a malloc'd array in *out), or -1 with err.  Files that fail to
 * parse are reported in err and skipped.
 */
int scenario_list(struct scenario **out, char *err, size_t errcap);
/* Index of the foreground job, or -1. */
int scenario_fg_job(const struct scenario *sc);
/* Does the scenario have a job of this kind?  Returns its index or -1. */
int scenario_job_of(const struct scenario *sc, int kind);

#endif
