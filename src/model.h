/*
 * model.h - the pure state model: applies trace records and keeps what the
 * panels and the summary show, per object.  No I/O, no clock (time comes in
 * records), no curses.  Live runs, headless runs and replays all feed it
 * the same way, so a replay shows exactly what the run showed.
 *
 * Objects are kept in collections keyed by their identity, never in one
 * slot for "the" server or "the" FIFO, so that a program the tool has never
 * seen fits:
 *   processes           by pid (each with its fd table)
 *   epoll instances     by (pid, epfd) of every holder
 *   listening sockets   by (address, port); SO_REUSEPORT sockets of one
 *                       port are one object with several sockets
 *   semaphores          by name (a process's sem_t handle says which)
 *   FIFOs               by path
 *   connections         by (pid, fd)
 *   jobs, clients       by pgid, by client number
 * An fd table entry points at the object behind the fd.  Objects stay
 * after they are closed (marked so), so a replay's end still shows them.
 *
 * Memory is bounded: every collection has a cap (records beyond it are
 * counted but not kept); timelines are rings; fd tables and interest lists
 * grow only with what is open at once.
 */
#ifndef EPOLLVIZ_MODEL_H
#define EPOLLVIZ_MODEL_H

#include <stdint.h>

#include "trace.h"

#define M_MAX_PROCS 64
#define M_MAX_INST 32
#define M_MAX_HOLDERS 8
#define M_MAX_LISTEN 16
#define M_MAX_SEMS 8
#define M_SEM_USERS 8
#define M_PROC_SEMS 4
#define M_MAX_FIFOS 8
#define M_WAIT_THREADS 8 /* threads of one process told apart waiting in epoll_wait at once */
#define M_TIMELINE 2048 /* epoll_wait returns kept, one entry each (a counted storm is one) */
#define M_WAIT_LATE 64   /* newest entries a late return is put among, by its time */
#define M_EVENTS 256
#define M_TTY_LINES 256
#define M_TTY_COLS 160 /* characters of a terminal line kept before it wraps */
#define M_TTY_BYTES (M_TTY_COLS * 4) /* their bytes at most (UTF-8) */
#define M_CLIENTS 64
#define M_CLOSED 64
#define M_WAIT_PAIRS 8
#define M_SEM_RECENT 16
#define M_JOBS 8
#define M_WAKE_RECENT 64

/* What a process did after epoll_wait handed it a listening socket: the herd's outcome for it. */
enum m_wait_outcome { WO_NONE = 0, WO_SEM_WON, WO_ACCEPTED, WO_SEM_LOST, WO_EAGAIN };

enum m_fd_kind { FDK_UNKNOWN = 0, FDK_LISTEN, FDK_CONN, FDK_FIFO, FDK_FILE, FDK_PIPE_R, FDK_PIPE_W, FDK_EPOLL };
enum m_conn_state { CONN_OPEN = 0, CONN_CLOSED };
enum m_fifo_state { FIFO_NONE = 0, FIFO_WAITING, FIFO_OPEN, FIFO_STORM, FIFO_GONE };
enum m_job_state { MJOB_RUNNING = 0, MJOB_STOPPED, MJOB_DONE };

struct m_fd {
	int kind;
	int port; /* listen: local port; conn: peer port */
	int conn; /* conn: its index in model.conns plus 1 (0: none) */
	int obj;  /* listen: index in model.listens plus 1; fifo: in model.fifos plus 1 (0: none) */
};

/*
 * Wake-ups of a process the trace cannot see: voluntary context switches
 * (sched records, from /proc/PID/status; every sleep counts) against
 * epoll_wait returns (the trace), both as deltas since the first sample,
 * which is taken only while the process sleeps inside epoll_wait.  A sched
 * record stamped at time t is matched with the returns stamped at or
 * before t.
 */
struct m_wake {
	int sampled;         /* a sample was taken (vol0 and ret0 are set) */
	uint64_t vol0, vol;  /* voluntary switches: first and latest sample */
	uint64_t ret0, ret;  /* epoll_wait returns at those samples */
	uint64_t recent[M_WAKE_RECENT]; /* ts of the latest returns, a ring */
	unsigned nrecent;
};

struct m_proc {
	uint32_t pid;
	int role;
	char name[24];
	int ppid, pgid, sid;
	int started;   /* proc_start seen */
	int listener;  /* it held a listening socket */
	int ready;     /* ready seen */
	int alive;     /* no exit or reap seen yet */
	int reaped, how, code; /* from the parent's reap record */
	int has_exit, exit_status;
	int untraced;  /* enum untraced_why + 1: a process of the run that sends no trace; 0: traced */
	uint64_t wakeups, accepts, accept_fail, sem_won, sem_lost, strays, signals;
	/*
	 * Lost accept races: accept() = -1 EAGAIN on a listening socket other
	 * processes hold too, with no connection taken since the process's last
	 * epoll_wait return (another one took it).  An EAGAIN that ends a drain
	 * loop after it took one is not a lost race.
	 */
	uint64_t accept_lost;
	uint64_t accepted_at; /* returns when it last accepted a connection, plus 1; 0: never */
	uint64_t hup_returns; /* epoll_wait returns of EPOLLHUP without data (a hang-up's), counted storms included */
	uint64_t returns; /* epoll_wait returns */
	uint64_t hup_streak; /* consecutive returns of EPOLLHUP without data, traced or counted */
	uint64_t bytes_in, bytes_out;
	uint64_t skipped, skips; /* sem_lost = break: ready entries left unserved, and how often */
	/*
	 * Asleep in a system call other than epoll_wait, as the front end last
	 * sampled it (an asleep record; accept on a blocking listening socket):
	 * until the process's next record.
	 */
	int asleep;
	int asleep_nr, asleep_fd;
	uint64_t asleep_since;
	char asleep_wchan[32];
	uint16_t sem_recent; /* bit i: i-th most recent trywait won, whichever semaphore */
	int sem_nrecent;
	struct {
		uint64_t handle; /* the sem_t the process got, 0 when not told */
		int sem;         /* index in model.sems */
	} sems[M_PROC_SEMS];    /* the semaphores it opened */
	int nsems;
	int in_wait;    /* a thread of it waits in epoll_wait (the threads in wait_tids) */
	uint32_t wait_tids[M_WAIT_THREADS];
	int nwait_tids;
	int wait_epfd;
	uint64_t wait_since;
	int last_signo, last_si_code, last_si_pid;
	struct m_wake wake;
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
	/*
	 * w by data, for epoll_wait's pairs: open addressing, a slot holds an
	 * index in w plus 1 (the first entry with that data), 0 is empty;
	 * built when first needed after w changed (nslot 0: stale).
	 */
	int *slot;
	int nslot, capslot;
	uint64_t returns;
	int closed_out; /* entries taken out because their fd was closed: the kernel keeps one while the file has another fd */
};

/*
 * A listening socket: by its inode when the trace gives it (reuseport makes
 * one socket per worker on one port), else by address and port.
 */
struct m_listen {
	char addr[48];
	uint64_t inode;     /* socket:[inode]; 0 unknown (a recording made before it was traced) */
	int port, backlog;
	int reuseport;
	uint32_t creator;   /* the process that listened first */
	int sockets;        /* successful listen() calls that made it */
	int holders;        /* fds of live processes that refer to it now: 0 after a first, closed */
	int64_t qlen;       /* its accept queue as last reported; -1 unknown */
	uint64_t accepts;   /* connections accepted from it */
};

/* One process's use of a semaphore. */
struct m_sem_user {
	uint32_t pid;
	uint64_t won, lost;
	uint64_t lost_dead; /* of them, lost while the owner was dead */
	uint16_t recent; /* bit i: i-th most recent trywait won */
	int nrecent;
};

/*
 * An accept lock, by name: a named POSIX semaphore (accept = semaphore, a
 * program's sem_open), or the lock word in shared memory of accept = mutex
 * (nginx's accept_mutex: the word holds its holder's pid).
 */
enum m_lock_kind { LOCK_SEMAPHORE = 0, LOCK_MUTEX };
struct m_sem {
	char name[64];
	int kind;           /* enum m_lock_kind */
	int exists, value, unlinked;
	uint32_t owner;  /* holder between a won trywait and its post; 0: free */
	uint64_t since;
	uint64_t lost_dead; /* trywaits lost while the owner was dead: nobody will post it */
	int stale;          /* sem_open(O_CREAT|O_EXCL) failed with EEXIST: a crash left the name */
	uint32_t stale_pid; /* the process whose create failed */
	struct m_sem_user users[M_SEM_USERS]; /* in the order they opened or tried it */
	int nusers;
};

/* A FIFO and its watcher, by path. */
struct m_fifo {
	char path[128];
	uint32_t pid;         /* the watcher */
	int state, fd, mode;  /* enum m_fifo_state; the watcher's fd (-1); enum hup_mode seen */
	uint64_t hups;        /* EPOLLHUP returns the watcher traced one by one */
	uint64_t hangups;     /* writers that hung up: the first EPOLLHUP after data or an open */
	int in_hup;           /* the last thing seen was an EPOLLHUP */
	uint64_t storm_count, storm_ns;
	int capped;
	uint64_t reads, bytes;
	char last[64];        /* what the last read returned */
	uint64_t written;     /* bytes the front end wrote into it (fifo_write records) */
	uint64_t lost;        /* bytes still unread when the watcher closed it (fifo_hup records) */
	uint32_t hup_events;  /* the mask of the last traced hang-up return (0: not traced) */
	/*
	 * 262.c's shadowed file_fd: a reopen went into a new variable and got
	 * another number, so the outer variable names a closed fd (stale_fd;
	 * -1 none); ebadf counts the watcher's calls on it that failed.
	 */
	int stale_fd, shadow_fd;
	uint64_t shadowed, ebadf;
};

/*
 * One entry of the epoll_wait timeline: a return, or the returns a counted
 * EPOLLHUP storm reported.  Entries are kept in time order; the screen folds
 * identical entries that follow one another into one line (model_wait_line).
 */
struct m_wait {
	uint64_t ts, ts_last;
	uint32_t pid;
	int epfd;
	int ret, err;
	int npairs;
	struct trace_pair pairs[M_WAIT_PAIRS];
	uint64_t count;    /* returns: 1, or those a storm's hup_storm records counted */
	int storm;         /* counted by hup_storm records */
	unsigned listen;   /* bit i: pair i's data named a listening socket when it was returned */
	int outcome;       /* enum m_wait_outcome: what the process then did about the listening socket */
	int naccepted;     /* WO_ACCEPTED: connections it took (a drain loop takes several) */
};

struct m_conn {
	uint32_t pid;
	int fd;
	int peer_port;
	uint64_t in, out;
	int state;
	uint64_t ts_close;
};

/*
 * One of the front end's clients.  When it fails (error or timeout), the
 * facts that say why are kept as they were at that moment: the Story tells
 * its reason from them.
 */
struct m_client {
	int id;
	int port;
	int state;         /* enum client_event: last event */
	int err;
	uint32_t answered_by;
	char reply[96];
	uint64_t waited_ns;    /* failed: how long it had been trying (0: the record did not say) */
	uint32_t accepted_by;  /* failed: the pid that accepted its connection; 0: never accepted */
	int server_stopped;    /* failed: the server's job was stopped (^Z) */
	int server_gone;       /* failed: the trace saw a server, and none of its processes was alive */
	int64_t queued;        /* failed: connections in the accept queues; -1 unknown */
	int64_t full_queue;    /* failed: a listening socket's queue that had reached its backlog */
	int full_backlog;      /* failed: that socket's backlog; 0: no queue was full */
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
	int proc_hint;     /* where proc_get last found one: records come in runs of one process */
	uint32_t session_pid; /* the run's session leader */
	int fg_pgid;       /* the terminal's foreground group as last set */

	struct m_inst inst[M_MAX_INST];
	int ninst;
	int next_inst_id;

	struct m_listen listens[M_MAX_LISTEN];
	int nlistens;
	/*
	 * The accept queue the front end last reported, summed over the
	 * listening sockets it watches (accept_queue and settled records);
	 * -1 before any report.  The summary's figure.
	 */
	int64_t accept_queue;

	struct m_sem sems[M_MAX_SEMS];
	int nsems;

	struct m_fifo fifos[M_MAX_FIFOS];
	int nfifos;

	struct m_wait timeline[M_TIMELINE];
	uint64_t ntimeline;  /* total entries ever; ring index = n % M_TIMELINE */
	uint64_t nwait_lines; /* lines ever shown for them, identical neighbours folded */
	uint64_t returns;   /* epoll_wait returns seen, counted storms included */

	/* Notable records, whole but for epoll_wait pairs, for the Story: a ring. */
	struct trace_rec events[M_EVENTS];
	uint64_t nevents;

	/* connections: open ones, then a ring of closed ones */
	struct m_conn *conns;
	int nconns, capconns;
	struct m_conn closed[M_CLOSED];
	uint64_t nclosed;
	uint64_t conns_total;

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
	char tty[M_TTY_LINES][M_TTY_BYTES];
	uint64_t ntty;     /* complete lines; the current partial line is tty[ntty % N] */
	int tty_col;       /* characters in the partial line */
	int tty_len;       /* its bytes */
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
/* The listening socket behind fd of p. */
const struct m_listen *model_listen_of(const struct model *m, const struct m_proc *p, int fd);
/* The first listening socket on port, or NULL. */
const struct m_listen *model_listen_port(const struct model *m, int port);
/* The semaphore named name. */
const struct m_sem *model_sem(const struct model *m, const char *name);
/* The FIFO at path. */
const struct m_fifo *model_fifo(const struct model *m, const char *path);
/* Timeline entry k back from the newest (0 = newest), or NULL. */
const struct m_wait *model_wait_back(const struct model *m, uint64_t k);
/* Is the listening socket open (a live process holds it, or only sock_diag has seen it)? */
int model_listen_open(const struct m_listen *l);
/* Does entry b fold into the line that a ends (same return of the same process, no storm before it)? */
int model_wait_folds(const struct m_wait *a, const struct m_wait *b);
/*
 * The line starting at kept entry *i (0 = the oldest kept) into out: it and
 * the identical entries after it, counts summed, times first and last.
 * Advances *i past them; 0 when no entry is left.
 */
int model_wait_line(const struct model *m, uint64_t *i, struct m_wait *out);
/* The client numbered id, or NULL when it is unknown or its slot now holds a newer one. */
const struct m_client *model_client(const struct model *m, int id);
/* Story record k back from the newest (0 = newest), or NULL. */
const struct trace_rec *model_event_back(const struct model *m, uint64_t k);
/* TTY line k back from the newest complete one (-1 = the partial line). */
const char *model_tty_back(const struct model *m, int64_t k);

/* Is p an echo server process: worker 0 (the parent) or a forked worker?  0 for NULL. */
int model_is_echo(const struct m_proc *p);
/* Is the semaphore held by a process that is dead (it will never be posted)?  0 for NULL. */
int model_sem_owner_dead(const struct model *m, const struct m_sem *s);
/* The semaphore held by pid, or NULL. */
const struct m_sem *model_sem_held_by(const struct model *m, uint32_t pid);
/* Is p one of the scenario's jobs: not the front end, not the session leader?  0 for NULL. */
int model_is_job(const struct m_proc *p);
/* Does p hold, or has it held, a listening socket (a server process)?  0 for NULL. */
int model_is_server(const struct m_proc *p);
/*
 * The process whose SIGINT stops the server as `kill -INT <parent>` would:
 * the echo server's parent, else the process that listened first.  0: none.
 */
uint32_t model_server_pid(const struct model *m);
/* Count processes of a role that are alive / ready. */
int model_count(const struct model *m, int role, int ready_only);
/* Open connections of pid. */
int model_conns_of(const struct model *m, uint32_t pid);
/* The job whose pgid is pgid, or NULL. */
const struct m_job *model_job(const struct model *m, int pgid);
/* How many of the session's jobs are done (of m->njobs). */
int model_jobs_done(const struct model *m);
/* The foreground job (background == 0), or NULL. */
const struct m_job *model_fg_job(const struct model *m);
/* Every process exited 0 or was reaped normally (a run's program: anything but SIGKILL); none still alive. */
int model_all_exited_cleanly(const struct model *m);

#endif
