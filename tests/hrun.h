/*
 * hrun.h - integration-test helper: runs the real binary
 * ($EPOLLVIZ_BIN --headless SCENARIO --script S --json), bounded in time,
 * and keeps every JSON line it printed, parsed with jansson.
 */
#ifndef EPOLLVIZ_TESTS_HRUN_H
#define EPOLLVIZ_TESTS_HRUN_H

#include <jansson.h>
#include <stddef.h>

struct hrun {
	json_t **recs;
	size_t n;
	int status;      /* exit status, or 128+signal */
	char out[4096];  /* the first bytes of stderr */
	json_t *summary; /* the final summary object, or NULL */
	int bad_lines;   /* stdout lines that were not JSON */
};

/* Run headless with --json.  extra_args may be NULL.  Returns 0 if it ran. */
int hrun(struct hrun *h, const char *scenario, const char *script);
/* Run the binary with arbitrary args (no --json parsing); captures stderr and stdout heads. */
int hrun_raw(struct hrun *h, char *const argv[], char *stdout_head, size_t cap);
void hrun_free(struct hrun *h);

/* Field helpers: integer / string of a record, with defaults when absent. */
long long jint(const json_t *o, const char *key);
const char *jstr(const json_t *o, const char *key);
int jtrue(const json_t *o, const char *key);
int jis(const json_t *o, const char *type);

/* Index of the first record of type at or after from whose string field key equals val (key may be NULL). */
long hfind(const struct hrun *h, size_t from, const char *type, const char *key, const char *val);
/* Count records of type (from index from) for which pred (may be NULL) is true. */
size_t hcount(const struct hrun *h, size_t from, const char *type,
	      int (*pred)(const json_t *rec, void *arg), void *arg);
/* The pid of the first proc_start with role; 0 if none. */
long long hpid_of_role(const struct hrun *h, const char *role);
/* Does the wait_return rec contain data val among its ready pairs (with mask containing ev, or any if NULL)? */
int hready_has(const json_t *rec, long long data, const char *ev);
/* Is any process of the run (every pid in proc_start records) still alive? Returns that pid or 0. */
long long hsurvivor(const struct hrun *h);
/* Write a scenario file into a fresh temp dir; returns its path (static buffer per call site). */
const char *hscenario(char *path, size_t cap, const char *name, const char *text);

#endif
