/*
 * contest.h - `epollviz contest`: the same load against each accept
 * strategy of the echo server in turn, on this kernel, and what each did
 * with it: connections accepted per worker (and how fair that was),
 * wake-ups per connection, returns that found nothing to accept, accepts
 * that got EAGAIN, lock or semaphore losses, the peak accept queue of each
 * listening socket, and the clients' latency.  Every strategy is a real
 * run (run.h) with real loopback clients (load.h), recorded if asked.
 */
#ifndef EPOLLVIZ_CONTEST_H
#define EPOLLVIZ_CONTEST_H

#include <limits.h>
#include <stdint.h>

#include "job.h"
#include "load.h"
#include "sb.h"

#define CONTEST_MAX_WORKERS 8
#define CONTEST_MAX_QUEUES 8

struct contest_opts {
	int strategies[ACCEPT__COUNT]; /* enum accept_mode, in the order they run */
	int nstrategies;
	int workers;
	int work_us;
	int stall_worker, stall_ms, stall_every; /* stall_ms 0: nobody stalls */
	int mutex_delay;
	struct load_opts load;
	char record_dir[PATH_MAX - 32]; /* each strategy's recording goes here as STRATEGY.rec; "" none */
};

/* One worker of a strategy's run. */
struct contest_worker {
	uint32_t pid;
	int index;          /* 0 is the parent */
	uint64_t accepted;  /* connections it accepted */
	uint64_t wakeups;   /* voluntary context switches during the load */
	uint64_t empty;     /* epoll_wait returns with the listening socket that accepted nothing */
	uint64_t eagain;    /* accept calls that got EAGAIN before any connection of their turn */
	uint64_t lock_lost; /* semaphore or lock takes it lost */
	uint64_t lock_won;  /* and won */
	uint64_t moves;     /* epoll_ctl ADD or DEL of the listening socket (the mutex's churn) */
	uint64_t replies;   /* replies the clients got from it */
};

/* A listening socket's accept queue at its fullest (sampled). */
struct contest_queue {
	int port;
	uint64_t inode;
	int backlog;
	int64_t peak;
};

struct contest_result {
	int strategy;
	struct contest_worker w[CONTEST_MAX_WORKERS];
	int nw;
	struct contest_queue q[CONTEST_MAX_QUEUES];
	int nq;
	uint64_t accepted, wakeups, empty, eagain, lock_lost, lock_won, moves;
	double fairness;  /* Jain's index of the accepted counts: 1 even, 1/n one worker took all */
	double max_min;   /* most accepted over fewest (0 when a worker accepted none) */
	double wakeups_per_conn;
	double wakeups_per_req; /* per answered request: the figure that compares keep-alive loads */
	int keepalive;          /* the load's: the tables show wake-ups per request then */
	struct load_result load;
	uint64_t records, lost;
	int clean; /* every process ended by itself, nothing lost or left */
	char recording[PATH_MAX];
	char sem[64];    /* the run's semaphore (accept = semaphore), "" when none */
	char error[256]; /* why the run failed, "" when it did not */
};

/* Defaults: every strategy, max(2, CPUs) workers (at most 8), load_defaults. */
void contest_defaults(struct contest_opts *o);
/*
 * Parse the contest's options (argv after "contest"; --json and --help are
 * reported through json and help).  Returns 0, or -1 with a message naming
 * the option and value in err.
 */
int contest_args(int argc, char **argv, struct contest_opts *o, int *json, int *help, char *err, size_t errcap);
/* The options text of --help. */
const char *contest_usage(void);
struct loop;
struct contest;

/* What a contest tells its watcher. */
enum contest_event {
	CONTEST_PROGRESS = 0, /* the strategy that runs, its counts so far (every 250 ms of load) */
	CONTEST_RESULT,       /* a strategy has finished: its result */
	CONTEST_FINISHED,     /* every strategy has run (or the contest was interrupted); r is NULL */
};
typedef void (*contest_event_fn)(void *ctx, int event, const struct contest_result *r, uint64_t elapsed_ns);

/*
 * Start a contest on loop: each strategy in turn is started, waited for
 * until every worker waits in epoll_wait, given the load, ended when the
 * load is done.  A timer on loop drives it; the caller runs the loop and
 * hands SIGCHLD on (contest_reap).  fn (may be NULL) hears of it.
 */
struct contest *contest_new(const struct contest_opts *o, struct loop *loop, contest_event_fn fn, void *ctx);
/* SIGCHLD arrived: reap the run's children. */
void contest_reap(struct contest *c);
/* End early: the strategy that runs stops its load and ends cleanly; no other one starts. */
void contest_interrupt(struct contest *c);
/* Has every strategy run (or the contest been interrupted and its last run ended)? */
int contest_done(const struct contest *c);
/* The strategies finished so far, in the order they ran. */
const struct contest_result *contest_results(const struct contest *c, int *n);
/* The strategy that runs now (enum accept_mode), or -1 when done. */
int contest_running(const struct contest *c);
/* End what runs (bounded; nothing left behind) and free the contest. */
void contest_free(struct contest *c);
/* One strategy's result as a JSON object (one line, no newline), or a progress object. */
void contest_json(struct strbuf *b, const struct contest_result *r, int progress, uint64_t elapsed_ns);
/* The text table: its header, and one strategy's rows. */
void contest_text_header(struct strbuf *b, const struct contest_opts *o);
void contest_text_row(struct strbuf *b, const struct contest_result *r);
/* `epollviz --headless contest [OPTIONS]`: returns the exit status. */
int contest_main(int argc, char **argv);

#endif
