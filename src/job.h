/*
 * job.h - one job of a scenario ([echo], [fifo], [probe]) and its options:
 * the table of options (job.c) parses "key = value", gives the defaults,
 * and turns a job back into the "key=value" arguments its role is started
 * with.  Adding an option is a field here, a row and a default in job.c,
 * and the role that uses it.
 */
#ifndef EPOLLVIZ_JOB_H
#define EPOLLVIZ_JOB_H

#include <stddef.h>

#include "trace_rec.h"

#define JOB_NOPTS 27 /* rows of the option table */
#define JOB_TEXT_MAX 32 /* a text option's bytes, its NUL included */

/* JOB_PROGRAM is `epollviz run`'s: a program of the user's, never a section of a scenario file. */
enum job_kind { JOB_ECHO = 0, JOB_FIFO, JOB_PROBE, JOB_PROGRAM, JOB__COUNT };
enum accept_mode {
	ACCEPT_SEMAPHORE = 0, ACCEPT_EXCLUSIVE, ACCEPT_REUSEPORT, ACCEPT_SHARED_EPOLL, ACCEPT_NONE, ACCEPT_MUTEX,
	ACCEPT__COUNT
};
enum accept_loop { LOOP_ONCE = 0, LOOP_DRAIN };
enum trigger { TRIG_EDGE = 0, TRIG_LEVEL };
enum cpus_mode { CPUS_ANY = 0, CPUS_SAME, CPUS_SPLIT };
enum hup_mode { HUP_NAIVE = 0, HUP_FIXED };
/* The notes' mistakes, one switch each (the first value is the fixed behaviour, the default). */
enum listener_mode { LISTENER_NONBLOCKING = 0, LISTENER_BLOCKING };
enum sem_lost_mode { SEM_LOST_CONTINUE = 0, SEM_LOST_BREAK };
enum sigpipe_mode { SIGPIPE_IGNORED = 0, SIGPIPE_DEFAULT };
enum reply_mode { REPLY_LINES = 0, REPLY_NOTES };
enum fifo_read { FIFO_READ_ALL = 0, FIFO_READ_ONCE };
enum probe_kind {
	PROBE_REGULAR_FILE = 0, PROBE_TWO_INSTANCES, PROBE_CTL_ERRORS, PROBE_TRIGGERS, PROBE_TTY_READ,
	PROBE_ET_BEFORE_ADD
};

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
	int cpus;         /* enum cpus_mode: where the workers run (sched_setaffinity) */
	int listener;     /* enum listener_mode: blocking leaves a late winner asleep in accept */
	int sem_lost;     /* enum sem_lost_mode: break skips the rest of the epoll_wait batch */
	int sigpipe;      /* enum sigpipe_mode: default lets a send to a gone peer kill the worker */
	int reply;        /* enum reply_mode: notes is handle_client's two writes and strchr */
	char sem_name[JOB_TEXT_MAX]; /* a fixed semaphore name ("/my_semaphore"); "" per run */
	/* accept = mutex: nginx's accept_mutex */
	int mutex_delay;     /* ms a worker that lost the lock waits before it tries again (accept_mutex_delay) */
	int connections;     /* connection slots per worker (worker_connections), for accept_disabled */
	int accept_disabled; /* 0 or 1: a worker with more than 7/8 of its slots in use skips the contest */
	/* load the contest puts on the workers */
	int work_us;      /* busy CPU time per answered line, in microseconds */
	int stall_worker; /* which worker (0 is the parent) stalls, when stall_ms > 0 */
	int stall_ms;     /* it sleeps this long ... */
	int stall_every;  /* ... every this many answered lines */
	/* fifo */
	int hup;
	int storm_detail; /* EPOLLHUP returns traced in full before counting */
	int storm_cap;    /* EPOLLHUP returns before the storm is ended */
	int read;         /* enum fifo_read: all before the hang-up is handled, or 262.c's one read(255) */
	int shadow_fd;    /* 0 or 1: the reopen goes into a new variable and gets another number (262.c) */
	/* probe */
	int probe;
};

/* Defaults for a job of the given kind. */
void job_defaults(struct job_cfg *j, int kind);
/* Section name of a kind: "echo", "fifo", "probe". */
const char *job_kind_name(int kind);
/* The kind of a section name, or -1. */
int job_kind_find(const char *name);
/* The index of an option in the table (0 .. JOB_NOPTS-1), or -1 for an unknown key. */
int job_opt_index(const char *key);
/* The role (enum trace_role) a job of this kind starts as, or -1. */
int job_kind_role(int kind);
/* Set one option by name.  Returns 0, or -1 with a message in err. */
int job_set(struct job_cfg *j, const char *key, const char *val, char *err, size_t errcap);
/*
 * Write the options that differ per kind as "key=value" strings into
 * args[0..n), each of 48 bytes (a text option left empty is left out).
 * Returns n (at most max).
 */
#define SCN_MAX_ARGS JOB_NOPTS /* a job never has more options than the table */
int job_to_args(const struct job_cfg *j, char args[][48], int max);
/* An accept strategy's name ("semaphore", "mutex", ...), "?" out of range; and back, -1 when unknown. */
const char *job_accept_name(int accept);
int job_accept_find(const char *name);
/* The value name of an enum option, for display: job_opt_name(j, "accept"). */
const char *job_opt_name(const struct job_cfg *j, const char *key);

#endif
