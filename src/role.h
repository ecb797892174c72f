/*
 * role.h - what every child role shares: its arguments, its start and
 * exit records, printing to its terminal, re-executing the binary as
 * another role, and the signal plumbing.  The dispatcher that picks a
 * role's body is roles.c; the traced calls are traced.c.
 *
 * Signal contract for roles: SIGINT, SIGTERM and SIGHUP (and SIGCHLD for
 * roles with children) are blocked at all times except inside the calls
 * that wait (epoll_pwait with role_wait_mask, or a blocking open, read or
 * accept guarded by role_open_interruptible and its siblings).  So a signal can only arrive while the role is
 * waiting, and it arrives as EINTR; the handler only records the first
 * stop signal's siginfo and sets a flag.
 */
#ifndef EPOLLVIZ_ROLE_H
#define EPOLLVIZ_ROLE_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "scenario.h"

struct role_args {
	int trace_fd;
	int index;      /* echo worker number; 0 is the parent */
	int listen_fd;  /* inherited listening socket, or -1 */
	int epfd;       /* inherited epoll fd (shared-epoll), or -1 */
	int lock_fd;    /* inherited memfd of the accept lock word (accept = mutex), or -1 */
	int port;       /* port to bind (reuseport workers) */
	int ctl_fd;     /* session: commands from the front end */
	char sem[64];   /* semaphore name, "" for none */
	char scenario[PATH_MAX];
	char preload[PATH_MAX]; /* session of a run: the preload tracer library */
	char **argv;            /* session of a run: the program and its arguments, else NULL */
	struct job_cfg job;
};

/* Stop request: set by SIGINT/SIGTERM/SIGHUP (a role checks trace_reader_gone() itself). */
extern volatile sig_atomic_t role_stop;
extern volatile sig_atomic_t role_stop_signo;
extern volatile sig_atomic_t role_stop_code;
extern volatile sig_atomic_t role_stop_pid;
extern volatile sig_atomic_t role_chld;
/* The mask to wait with: the process mask minus the role's signals. */
extern sigset_t role_wait_mask;

/* Common start: comm name, signals, PR_SET_PDEATHSIG checks, proc_start record. */
void role_start(int role, const char *name, int want_chld);
/* The signals that stop a role (SIGINT, SIGTERM, SIGHUP), as a set. */
void role_stop_set(sigset_t *set);
/* Print to the role's terminal (stdout, the pty), like printf. */
void role_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* proc_exit record, flush, _exit. */
void role_exit(int status) __attribute__((noreturn));
/*
 * open(2) that may block (a FIFO) with the role's signals deliverable while
 * it blocks.  Returns the fd, or -1 with errno EINTR when a stop signal came.
 */
int role_open_interruptible(const char *path, int flags);
/*
 * epoll_pwait with the role's signals deliverable, flushing the trace only
 * when the call is about to block: a first try with timeout 0 returns at
 * once when events are ready (the usual case under load), so records are
 * written in full PIPE_BUF batches then, and never left in the buffer while
 * the process sleeps.  Same return and errno as epoll_pwait.
 */
int role_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout);
/*
 * A role that polls without ever blocking (a counted EPOLLHUP storm) never
 * lets its stop signals in: epoll_pwait with timeout 0 returns events and
 * puts the mask back before a pending signal is delivered.  Call this in
 * such a loop: when a stop signal is pending it is delivered now (the
 * handler sets role_stop).  Costs one system call.
 */
void role_take_pending_stop(void);
/* read(2) that may block (the terminal), with the same contract. */
ssize_t role_read_interruptible(int fd, void *buf, size_t n);
/* accept4(2) on a blocking listening socket, with the same contract (the trace is written first). */
int role_accept_interruptible(int fd, struct sockaddr *sa, socklen_t *salen, int flags);
/*
 * In a freshly forked child: re-execute this binary (/proc/self/exe) as
 * role (enum trace_role, whose name is the --role argument) with args
 * (NULL-terminated).  Never returns; exits 127 on failure.
 */
void role_exec(int role, char *const *args) __attribute__((noreturn));

#endif
