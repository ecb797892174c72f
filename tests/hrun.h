/*
 * hrun.h - integration-test helper: runs the real binary
 * ($EPOLLVIZ_BIN --headless SCENARIO --script S --json), bounded in time,
 * and keeps every JSON line it printed, parsed with jansson.
 */
#ifndef EPOLLVIZ_TESTS_HRUN_H
#define EPOLLVIZ_TESTS_HRUN_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

struct hrun {
	json_t **recs;
	size_t n, cap;
	int status;      /* exit status, or 128+signal */
	char out[4096];  /* the first bytes of stderr */
	json_t *summary; /* the final summary object, or NULL */
	int bad_lines;   /* stdout lines that were not JSON */
};

/* Run headless with --json.  extra_args may be NULL.  Returns 0 if it ran. */
int hrun(struct hrun *h, const char *scenario, const char *script);
/* Run the binary with arbitrary args that include --json, and parse its records as hrun does. */
int hrun_json(struct hrun *h, char *const argv[]);
/* Run the binary with arbitrary args (no --json parsing); captures stderr and stdout heads. */
int hrun_raw(struct hrun *h, char *const argv[], char *stdout_head, size_t cap);
void hrun_free(struct hrun *h);

/*
 * A run that goes on while the test acts: the script should contain
 * `pause`, which waits for hlive_resume().  Records are parsed as they come.
 */
struct hlive {
	struct hrun h;
	int pid;
	int in_wr;   /* the run's stdin */
	int out_rd;  /* its stdout, read by a thread so the run never blocks on it */
	int err_rd;  /* its stderr */
	pthread_t reader;
	pthread_mutex_t mu;
	char *raw;   /* bytes the thread read, not yet parsed */
	size_t nraw, capraw;
	size_t seen; /* hlive_wait looks at records from here on */
	int eof;
};

int hlive_start(struct hlive *l, const char *scenario, const char *script);
/* The port of the run's first listen record (waited for); fails the test when none comes. */
int hlive_port(struct hlive *l);
/* The same with any arguments (they must include --json): `--headless run ... -- PROGRAM`. */
int hlive_start_argv(struct hlive *l, char *const argv[]);
/*
 * Read until a record of type (with key containing val, if key) arrives after
 * the one the last hlive_wait returned; its index, or -1 (deadline/EOF).
 */
long hlive_wait(struct hlive *l, const char *type, const char *key, const char *val, int seconds);
/* Let a `pause` step go on. */
void hlive_resume(struct hlive *l);
/* Read everything, wait for the exit; l->h then holds every record and the status. */
int hlive_finish(struct hlive *l);
/* The first pid of a role in the records so far; 0 if none. */
long long hlive_pid(struct hlive *l, const char *role, int nth);

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
/*
 * How often the scenario's terminal printed text: the tty records joined, as
 * the Terminal panel shows them (the front end cuts what it reads from the
 * pty into records wherever a read ends, so a line may span two records).
 */
int htty_says(const struct hrun *h, const char *text);
/* The whole of file path, NUL-terminated (free it); its length in *len if len.  Fails the test if unreadable. */
char *hread_file(const char *path, size_t *len);
/* A clean run: exit 0, valid JSON only, no record lost or malformed, a clean summary, nothing left alive. */
void hassert_clean(const struct hrun *h);
/*
 * A loopback port free a moment ago (bound to 0 and read back, then
 * closed): for a third-party program whose configuration needs a number.
 */
int hfree_port(void);
/*
 * A program the build makes (rel: "examples/echo-server"), in the build
 * directory of the binary under test: ./build/ beside ./epollviz, or
 * build/asan/ itself for build/asan/epollviz.  Fails the test when missing.
 * Static storage.
 */
const char *hbuilt(const char *rel);
/* How many CPUs this process may run on (sched_getaffinity; 1 when it cannot tell). */
int hcpus(void);
/* The first of the NULL-terminated paths that is an executable, or NULL. */
const char *hexecutable(const char *const *paths);
/* A blocking loopback TCP connection to port (TCP_NODELAY, 10 s receive deadline); fails the test if refused. */
int hdial(int port);
/* Write a scenario file into a fresh directory under build/; returns path. */
const char *hscenario(char *path, size_t cap, const char *name, const char *text);

#endif
