/*
 * model.h - the pure state model: applies trace records, exposes what the
 * panels and the summary show.  No I/O, no clock (time comes in records),
 * no curses.  Live runs, headless runs and replays all feed it the same way.
 *
 * Memory is bounded: timelines are rings; per-process fd tables and
 * interest lists grow only with what is open at once.
 */
#ifndef EPOLLVIZ_MODEL_H
#define EPOLLVIZ_MODEL_H

#include <stdint.h>

#include "trace.h"

#define M_MAX_PROCS 64
#define M_MAX_INST 32
#define M_MAX_HOLDERS 8
#define M_TIMELINE 512
#define M_EVENTS 256
#define M_TTY_LINES 256
#define M_TTY_COLS 160
#define M_CLIENTS 64
#define M_CLOSED 64
#define M_WAIT_PAIRS 8
#define M_SEM_RECENT 16
#define M_JOBS 8

enum m_fd_kind { FDK_UNKNOWN = 0, FDK_LISTEN, FDK_CONN, FDK_FIFO, FDK_FILE, FDK_PIPE_R, FDK_PIPE_W, FDK_EPOLL };
enum m_conn_state { CONN_OPEN = 0, CONN_CLOSED };
enum m_fifo_state { FIFO_NONE = 0, FIFO_WAITING, FIFO_OPEN, FIFO_STORM, FIFO_GONE };
enum m_job_state { MJOB_RUNNING = 0, MJOB_STOPPED, MJOB_DONE };

struct m_fd {
	int kind;
	int port; /* listen: local port; conn: peer port */
	int conn; /* conn: its index in model.conns plus 1 (0: none) */
};

struct m_proc {
	uint32_t pid;
	int role;
	char name[24];
	int ppid, pgid, sid;
	int started;   /* proc_start seen */
	int ready;     /* ready seen */
	int alive;     /* no exit or reap seen yet */
	int reaped, how, code; /* from the parent's reap record */
	int has_exit, exit_status;
	uint64_t wakeups, accepts, accept_fail, sem_won, sem_lost, hup_returns, strays, signals;
	uint64_t bytes_in, bytes_out;
	uint16_t sem_recent; /* bit i: i-th most recent trywait won */
	int sem_nrecent;
	int in_wait;
	int wait_epfd;
	uint64_t wait_since;
	int last_signo, last_si_code, last_si_pid;
	struct m_fd *fds; /* indexed by fd */
	int capfds;
};

struct m_watch {
	int fd;
	uint32_t events;
	uint64_t data;
	uint32_t owner; /* pid that added it */
};

struct m_holder {
	uint32_t pid;
	int epfd;
};

struct m_inst {
	int id;          /* stable number for display: 1, 2, ... */
	uint32_t creator;
	struct m_holder holders[M_MAX_HOLDERS];
	int nholders;
	struct m_watch *w;
	int nw, capw;
	uint64_t returns;
};

struct m_wait {
	uint64_t ts, ts_last;
	uint32_t pid;
	int epfd;
	int ret, err;
	int npairs;
	struct trace_pair pairs[M_WAIT_PAIRS];
	uint64_t count;    /* identical returns collapsed into this line */
	int storm;         /* counted by hup_storm records */
};

struct m_conn {
	uint32_t pid;
	int fd;
	int peer_port;
	uint64_t in, out;
	int state;
	uint64_t ts_close;
};

struct m_client {
	int id;
	int port;
	int state;         /* enum client_event: last event */
	int err;
	uint32_t answered_by;
	char reply[96];
};

struct m_job {
	int pgid;
	int background;
	int state;
	char name[96];
};

struct model {
	uint64_t t0;       /* ts of the first record */
	uint64_t t_last;
	uint64_t records;
	uint64_t lost;     /* set by the owner from its reader */
	uint64_t malformed;

	struct m_proc procs[M_MAX_PROCS];
	int nprocs;
	uint32_t session_pid;
	int fg_pgid;       /* the terminal's foreground group as last set */

	struct m_inst inst[M_MAX_INST];
	int ninst;
	int next_inst_id;

	struct m_wait timeline[M_TIMELINE];
	uint64_t ntimeline; /* total entries ever; ring index = n % M_TIMELINE */
	uint64_t returns;   /* epoll_wait returns seen, counted storms included */

	/* Notable records, whole but for epoll_wait pairs, for the Story: a ring. */
	struct trace_rec events[M_EVENTS];
	uint64_t nevents;

	/* semaphore */
	char sem_name[64];
	int sem_exists, sem_value, sem_unlinked;
	uint32_t sem_owner;
	uint64_t sem_since;

	/* echo server */
	int port, backlog;
	uint32_t server_pid;
	int64_t accept_queue; /* -1 unknown */

	/* connections: open ones, then a ring of closed ones */
	struct m_conn *conns;
	int nconns, capconns;
	struct m_conn closed[M_CLOSED];
	uint64_t nclosed;
	uint64_t conns_total;

	/* fifo */
	uint32_t fifo_pid;
	char fifo_path[128];
	int fifo_state, fifo_fd, fifo_mode;
	uint64_t fifo_hups;      /* EPOLLHUP returns the watcher traced one by one */
	uint64_t fifo_hangups;   /* writers that hung up: the first EPOLLHUP after data or an open */
	int fifo_in_hup;         /* the last thing seen was an EPOLLHUP */
	uint64_t fifo_storm_count, fifo_storm_ns, fifo_reads, fifo_bytes;
	int fifo_capped;
	char fifo_last[64];

	/* jobs, as the session leader reported them */
	struct m_job jobs[M_JOBS];
	int njobs;

	/* front end's clients */
	struct m_client clients[M_CLIENTS];
	uint64_t nclients;
	uint64_t clients_connected, clients_answered, clients_failed;

	/* the front end's verdict on the run, from its run_end record */
	int ended;
	int end_actions_failed;
	int end_flags;
	uint64_t end_malformed;

	/* what the children printed to their terminal */
	char tty[M_TTY_LINES][M_TTY_COLS];
	uint64_t ntty;     /* complete lines; the current partial line is tty[ntty % N] */
	int tty_col;
};

struct model *model_new(void);
void model_free(struct model *m);
/* Apply one record. */
void model_apply(struct model *m, const struct trace_rec *r);
/* model_apply as a trace_sink_fn: ctx is the model. */
void model_sink(void *m, const struct trace_rec *r);

/* Lookups.  NULL when absent. */
struct m_proc *model_proc(const struct model *m, uint32_t pid);
const struct m_inst *model_inst_of(const struct model *m, uint32_t pid, int epfd);
const struct m_fd *model_fd(const struct m_proc *p, int fd);
/* Timeline entry k back from the newest (0 = newest), or NULL. */
const struct m_wait *model_wait_back(const struct model *m, uint64_t k);
const struct trace_rec *model_event_back(const struct model *m, uint64_t k);
/* TTY line k back from the newest complete one (-1 = the partial line). */
const char *model_tty_back(const struct model *m, int64_t k);
/* An echo server process: worker 0 (the parent) or a forked worker.  NULL: no. */
int model_is_echo(const struct m_proc *p);
/* One of the scenario's jobs: not the front end, not the session leader.  NULL: no. */
int model_is_job(const struct m_proc *p);
/* Count processes of a role that are alive / ready. */
int model_count(const struct model *m, int role, int ready_only);
/* Open connections of pid. */
int model_conns_of(const struct model *m, uint32_t pid);
/* State of the job whose pgid is pgid (enum m_job_state), or -1. */
const struct m_job *model_job(const struct model *m, int pgid);
/* The foreground job (background == 0), or NULL. */
const struct m_job *model_fg_job(const struct model *m);
/* Every process exited 0 or was reaped normally; none still alive. */
int model_all_exited_cleanly(const struct model *m);

#endif
