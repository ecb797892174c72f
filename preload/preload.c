/*
 * preload.c - the preload tracer: libepollviz-preload.so, put in front of
 * glibc with LD_PRELOAD by `epollviz run`, so that any dynamically linked
 * program emits the same records as the built-in roles, through the same
 * emitter (src/trace.c), to the trace pipe it inherits at the fd named by
 * EPOLLVIZ_TRACE_FD.  Without that variable every wrapper only calls
 * through: the library is inert.
 *
 * Each wrapper makes the real call (found with dlsym(RTLD_NEXT)), emits its
 * record with the return value and errno, flushes, and leaves errno as the
 * call set it.  So nothing waits in a buffer between two calls, and before
 * a call that may block the buffer is empty.  epoll_wait first looks with
 * a zero timeout: events ready then come back with the enter record in one
 * write; only when none is ready is the enter record written before the
 * call sleeps.  Records are per thread (trace.c keeps a
 * buffer and sequence numbers per thread); a record made inside a signal
 * handler that interrupted its thread's emitter is kept and emitted when
 * the emitter is left.
 *
 * What is traced: epoll_create/epoll_create1, epoll_ctl, epoll_wait,
 * epoll_pwait, epoll_pwait2; listen (with address, port, backlog and the
 * socket's inode), accept/accept4; read/recv/recvfrom and
 * write/send/sendto on the sockets and FIFOs the program made or opened;
 * close of those; open/openat of a FIFO; sem_open, sem_wait, sem_trywait,
 * sem_timedwait, sem_post, sem_unlink; kill/killpg; waitpid/wait/wait4;
 * signal/sigaction (the program's handler is wrapped: each delivery is
 * recorded with its si_code and si_pid before the handler runs); fork (the
 * child starts its own numbering and says so with proc_start); exit.
 *
 * The trace fd survives the program: close() of it is answered 0 and not
 * done, dup2()/dup3() onto it move the trace elsewhere first, and
 * close_range()/closefrom() leave it out.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentence.h"
#include "trace.h"
#include "util.h"

/*
 * A wrapper is defined as preload_NAME and exported under glibc's NAME (an
 * asm label): the program's calls to NAME reach it, and this file's own
 * names say which function is the wrapper and which is the real one.
 */
#define EXPORT __attribute__((visibility("default")))
#define AS(name) __asm__(#name) EXPORT

#define PL_MAX_FD 65536   /* fds above this are not told apart (their calls go untraced) */
#define PL_DEFER 16       /* records a signal handler can make while its thread emits */
#define PL_TRACE_FD_MIN 900 /* where the trace fd goes when the program wants its number */

/* What an fd of the program is, as far as the tracer saw it being made. */
enum pl_kind { K_NONE = 0, K_SOCKET, K_LISTEN, K_EPOLL, K_FIFO };

static int tracing;
static pid_t self; /* this process (a vfork child shares our memory, not our pid) */
static uint8_t kinds[PL_MAX_FD];
static struct sigaction user_act[NSIG]; /* the program's handlers behind the wrapper */

/*
 * The named semaphores the program opened (sem_open): only these are
 * traced, not the unnamed ones of sem_init a runtime uses as locks
 * (Python's, for one, takes and posts one thousands of times a second).
 */
#define PL_MAX_SEMS 64
static sem_t *named[PL_MAX_SEMS];

static __thread struct trace_rec deferred[PL_DEFER];
static __thread int ndeferred;
static __thread int deferred_lost;

/* The wrappers, under the names the program calls. */
void preload__exit(int status) AS(_exit);
void preload__Exit(int status) AS(_Exit);
int preload_close(int fd) AS(close);
int preload_close_range(unsigned first, unsigned last, int flags) AS(close_range);
void preload_closefrom(int low) AS(closefrom);
int preload_dup2(int old, int new) AS(dup2);
int preload_dup3(int old, int new, int flags) AS(dup3);
int preload_epoll_create(int size) AS(epoll_create);
int preload_epoll_create1(int flags) AS(epoll_create1);
int preload_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev) AS(epoll_ctl);
int preload_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout) AS(epoll_wait);
int preload_epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout,
			const sigset_t *mask) AS(epoll_pwait);
int preload_epoll_pwait2(int epfd, struct epoll_event *evs, int max, const struct timespec *ts,
			 const sigset_t *mask) AS(epoll_pwait2);
int preload_socket(int domain, int type, int protocol) AS(socket);
int preload_listen(int fd, int backlog) AS(listen);
int preload_accept(int fd, __SOCKADDR_ARG addr, socklen_t *restrict len) AS(accept);
int preload_accept4(int fd, __SOCKADDR_ARG addr, socklen_t *restrict len, int flags) AS(accept4);
ssize_t preload_read(int fd, void *buf, size_t n) AS(read);
ssize_t preload_recv(int fd, void *buf, size_t n, int flags) AS(recv);
ssize_t preload_recvfrom(int fd, void *restrict buf, size_t n, int flags, __SOCKADDR_ARG addr,
			 socklen_t *restrict len) AS(recvfrom);
ssize_t preload_write(int fd, const void *buf, size_t n) AS(write);
ssize_t preload_send(int fd, const void *buf, size_t n, int flags) AS(send);
ssize_t preload_sendto(int fd, const void *buf, size_t n, int flags, __CONST_SOCKADDR_ARG addr,
		       socklen_t len) AS(sendto);
int preload_open(const char *path, int flags, ...) AS(open);
int preload_open64(const char *path, int flags, ...) AS(open64);
int preload_openat(int dirfd, const char *path, int flags, ...) AS(openat);
int preload_openat64(int dirfd, const char *path, int flags, ...) AS(openat64);
sem_t *preload_sem_open(const char *name, int oflag, ...) AS(sem_open);
int preload_sem_trywait(sem_t *s) AS(sem_trywait);
int preload_sem_wait(sem_t *s) AS(sem_wait);
int preload_sem_timedwait(sem_t *s, const struct timespec *abs) AS(sem_timedwait);
int preload_sem_post(sem_t *s) AS(sem_post);
int preload_sem_unlink(const char *name) AS(sem_unlink);
int preload_kill(pid_t pid, int sig) AS(kill);
int preload_killpg(pid_t pgrp, int sig) AS(killpg);
pid_t preload_waitpid(pid_t pid, int *status, int options) AS(waitpid);
pid_t preload_wait(int *status) AS(wait);
pid_t preload_wait4(pid_t pid, int *status, int options, struct rusage *ru) AS(wait4);
int preload_sigaction(int sig, const struct sigaction *act, struct sigaction *old) AS(sigaction);
sighandler_t preload_signal(int sig, sighandler_t handler) AS(signal);

/* The real functions. */
static struct {
	int (*epoll_create)(int);
	int (*epoll_create1)(int);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*epoll_wait)(int, struct epoll_event *, int, int);
	int (*epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
	int (*epoll_pwait2)(int, struct epoll_event *, int, const struct timespec *, const sigset_t *);
	int (*socket)(int, int, int);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	int (*close)(int);
	int (*close_range)(unsigned, unsigned, int);
	void (*closefrom)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	sem_t *(*sem_open)(const char *, int, ...);
	int (*sem_wait)(sem_t *);
	int (*sem_trywait)(sem_t *);
	int (*sem_timedwait)(sem_t *, const struct timespec *);
	int (*sem_post)(sem_t *);
	int (*sem_unlink)(const char *);
	int (*kill)(pid_t, int);
	int (*killpg)(pid_t, int);
	pid_t (*waitpid)(pid_t, int *, int);
	pid_t (*wait)(int *);
	pid_t (*wait4)(pid_t, int *, int, struct rusage *);
	int (*sigaction)(int, const struct sigaction *, struct sigaction *);
	void (*_exit)(int); /* it never returns */
} real;

/* The emitter's writer: the system call itself, never the write() wrapper below. */
static ssize_t
raw_write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

/* The next definition of name after this library (glibc's). */
static void *
next(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#define RESOLVE(f) (*(void **)&real.f = next(#f))

/* Find every real function (once, from the constructor; a wrapper called earlier resolves its own). */
static void
resolve_all(void)
{
	RESOLVE(epoll_create); RESOLVE(epoll_create1); RESOLVE(epoll_ctl); RESOLVE(epoll_wait);
	RESOLVE(epoll_pwait); RESOLVE(epoll_pwait2); RESOLVE(socket); RESOLVE(listen);
	RESOLVE(accept); RESOLVE(accept4); RESOLVE(read); RESOLVE(recv); RESOLVE(recvfrom);
	RESOLVE(write); RESOLVE(send); RESOLVE(sendto); RESOLVE(close); RESOLVE(close_range);
	RESOLVE(closefrom); RESOLVE(dup2); RESOLVE(dup3); RESOLVE(open); RESOLVE(openat);
	RESOLVE(sem_open); RESOLVE(sem_wait); RESOLVE(sem_trywait); RESOLVE(sem_timedwait);
	RESOLVE(sem_post); RESOLVE(sem_unlink); RESOLVE(kill); RESOLVE(killpg); RESOLVE(waitpid);
	RESOLVE(wait); RESOLVE(wait4); RESOLVE(sigaction); RESOLVE(_exit);
}

/* Resolve real.f if a wrapper runs before the constructor (another library's constructor). */
#define REAL(f) (real.f ? real.f : (RESOLVE(f), real.f))

/* ---- emitting ------------------------------------------------------------- */

/*
 * Emit r into this thread's buffer, not written yet (the caller writes it
 * before anything that may block); inside a signal handler that interrupted
 * the emitter, keep it for later.
 */
static void
emit_held(struct trace_rec *r)
{
	if (!tracing)
		return;
	if (trace_busy()) {
		if (ndeferred < PL_DEFER)
			trace_rec_copy(&deferred[ndeferred++], r);
		else
			deferred_lost++;
		return;
	}
	trace_emit(r);
	while (ndeferred > 0) {
		/* Records a handler made while this thread was in trace_emit, in their order. */
		struct trace_rec d;

		trace_rec_copy(&d, &deferred[0]);
		memmove(deferred, deferred + 1, (size_t)--ndeferred * sizeof deferred[0]);
		trace_emit(&d);
	}
	if (deferred_lost > 0) {
		trace_log(SAY_LOG_PRELOAD_LOST, deferred_lost, PL_DEFER);
		deferred_lost = 0;
	}
}

/* Write what this thread's buffer holds (not from inside the emitter: a handler's turn comes after). */
static void
flush(void)
{
	if (tracing && !trace_busy())
		trace_flush();
}

/* Emit r and write it now, with whatever was held. */
static void
emit(struct trace_rec *r)
{
	emit_held(r);
	flush();
}

/* A wrapper's last step: emit its record r and leave errno as the call left it (r->err). */
static void
finish(struct trace_rec *r)
{
	emit(r);
	errno = r->err;
}

/* The kind the tracer gave fd. */
static int
kind_of(int fd)
{
	return fd >= 0 && fd < PL_MAX_FD ? kinds[fd] : K_NONE;
}

/* Remember what fd is. */
static void
set_kind(int fd, int k)
{
	if (fd >= 0 && fd < PL_MAX_FD)
		kinds[fd] = (uint8_t)k;
}

/* A record of type with fd, ret and errno (the common shape). */
static void
emit_result(int type, int fd, long long ret, int err)
{
	struct trace_rec r;

	trace_rec_result(&r, type, fd, ret, err);
	emit(&r);
}

/* "ADDR" and port of a socket address (IPv4 or IPv6); "?" and 0 for another family. */
static int
addr_text(const struct sockaddr_storage *ss, char *host, size_t cap)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)cap);
		return ntohs(s4->sin_port);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, host, (socklen_t)cap);
		return ntohs(s6->sin6_port);
	}
	snprintf(host, cap, "%s", ss->ss_family == AF_UNIX ? "unix" : "?");
	return 0;
}

/* ---- start, fork, exit ---------------------------------------------------- */

/*
 * The proc_start of this process: role program, named by its command (the
 * kernel's comm: a program may write over its argv, as nginx does for its
 * titles).
 */
static void
emit_start(void)
{
	struct trace_rec r;
	char comm[17] = "";

	if (prctl(PR_GET_NAME, comm) < 0 || comm[0] == '\0')
		str_copy(comm, program_invocation_short_name, sizeof comm);
	trace_rec_proc_start(&r, ROLE_PROGRAM, comm);
	emit(&r);
}

/*
 * In a forked child: a new process, numbered from 0 (trace.c's atfork ran
 * first), says it started and what it inherited that the tracer knows:
 * listening sockets, epoll instances and FIFOs (the same objects as the
 * parent's).
 */
static void
after_fork(void)
{
	static const int open_kind[] = { [K_LISTEN] = OPEN_LISTEN, [K_EPOLL] = OPEN_EPOLL, [K_FIFO] = OPEN_FIFO };
	pid_t parent = getppid();

	ndeferred = 0;
	self = getpid();
	emit_start();
	for (int fd = 0; fd < PL_MAX_FD; fd++) {
		struct trace_rec r;

		if (kinds[fd] != K_LISTEN && kinds[fd] != K_EPOLL && kinds[fd] != K_FIFO)
			continue;
		trace_rec_init(&r, TR_INHERIT);
		r.fd = fd;
		r.kind = open_kind[kinds[fd]];
		r.from = parent;
		emit(&r);
	}
}

/* on_exit handler: the status exit() was given (or main returned). */
static void
on_exit_status(int status, void *arg)
{
	(void)arg;
	emit_result(TR_PROC_EXIT, -1, status, 0);
}

/*
 * Take the trace pipe named by EPOLLVIZ_TRACE_FD, if it is one.  A program
 * started without it (or a child that lost it) runs untraced.
 */
__attribute__((constructor)) static void
preload_init(void)
{
	const char *v = getenv("EPOLLVIZ_TRACE_FD");
	struct stat st;
	char *end;
	long fd;

	resolve_all();
	if (v == NULL || *v == '\0')
		return;
	errno = 0;
	fd = strtol(v, &end, 10);
	if (errno || *end || fd < 0 || fd >= INT32_MAX || fstat((int)fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	trace_set_writer(raw_write);
	trace_open((int)fd, 0);
	pthread_atfork(NULL, NULL, after_fork);
	on_exit(on_exit_status, NULL);
	self = getpid();
	tracing = 1;
	emit_start();
}

/* _exit(): no handlers run, so the record is made here. */
void
preload__exit(int status)
{
	/* A vfork child runs in our memory until it execs or _exits: its end is not ours to record. */
	if (getpid() == self)
		emit_result(TR_PROC_EXIT, -1, status, 0);
	REAL(_exit)(status);
	__builtin_unreachable();
}

/* _Exit is _exit. */
void
preload__Exit(int status)
{
	preload__exit(status);
	__builtin_unreachable();
}

/* ---- the trace fd survives the program ------------------------------------ */

/* Move the trace pipe off fd (the program wants that number). */
static void
move_trace(void)
{
	int to = fcntl(trace_fd(), F_DUPFD, PL_TRACE_FD_MIN);

	if (to >= 0) {
		REAL(close)(trace_fd());
		trace_move(to);
	}
}

/* close(): of the trace fd, pretend; of a traced fd, record it. */
int
preload_close(int fd)
{
	int ret, err, k = kind_of(fd);

	if (tracing && fd == trace_fd())
		return 0;
	ret = REAL(close)(fd);
	err = ret < 0 ? errno : 0;
	if (tracing && k != K_NONE) {
		set_kind(fd, K_NONE);
		emit_result(TR_CLOSE, fd, ret, err);
	}
	errno = err;
	return ret;
}

/* close_range(): around the trace fd. */
int
preload_close_range(unsigned first, unsigned last, int flags)
{
	unsigned t = tracing ? (unsigned)trace_fd() : ~0u;
	int ret = 0;

	if (!tracing || t < first || t > last)
		return REAL(close_range)(first, last, flags);
	if (t > first)
		ret = REAL(close_range)(first, t - 1, flags);
	if (ret == 0 && t < last)
		ret = REAL(close_range)(t + 1, last, flags);
	return ret;
}

/* closefrom(): around the trace fd. */
void
preload_closefrom(int low)
{
	if (!tracing || low > trace_fd()) {
		REAL(closefrom)(low);
		return;
	}
	preload_close_range((unsigned)low, ~0u, 0);
}

/* dup2(): onto the trace fd, the trace moves first; the copy is what the old fd was. */
int
preload_dup2(int old, int new)
{
	int ret;

	if (tracing && new == trace_fd() && old != new)
		move_trace();
	ret = REAL(dup2)(old, new);
	if (ret >= 0 && old != new)
		set_kind(new, kind_of(old));
	return ret;
}

/* dup3(): as dup2. */
int
preload_dup3(int old, int new, int flags)
{
	int ret;

	if (tracing && new == trace_fd())
		move_trace();
	ret = REAL(dup3)(old, new, flags);
	if (ret >= 0)
		set_kind(new, kind_of(old));
	return ret;
}

/* ---- epoll ---------------------------------------------------------------- */

/* The epoll_create record of a new instance (size or flags: cflags). */
static int
created(int fd, int flags)
{
	struct trace_rec r;
	int err = fd < 0 ? errno : 0;

	if (fd >= 0)
		set_kind(fd, K_EPOLL);
	trace_rec_epoll_create(&r, flags, fd, err);
	finish(&r);
	return fd;
}

/* epoll_create(size): traced as epoll_create1 with no flags (size is only checked to be positive). */
int
preload_epoll_create(int size)
{
	return created(REAL(epoll_create)(size), 0);
}

/* epoll_create1(flags). */
int
preload_epoll_create1(int flags)
{
	return created(REAL(epoll_create1)(flags), flags);
}

/* epoll_ctl: op, fd, and the events and data asked for. */
int
preload_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct trace_rec r;
	int ret = REAL(epoll_ctl)(epfd, op, fd, ev);
	int err = ret < 0 ? errno : 0;

	trace_rec_epoll_ctl(&r, epfd, op, fd, ev ? ev->events : 0, ev ? ev->data.u64 : 0, ret, err);
	finish(&r);
	return ret;
}

/* The wait_enter record, held: written with the return, or before the call sleeps. */
static void
wait_enter(int epfd, int max, int timeout)
{
	struct trace_rec r;

	trace_rec_wait_enter(&r, epfd, max, timeout);
	emit_held(&r);
}

/* The wait_return record: n and the first TRACE_MAX_READY (events, data) pairs. */
static int
wait_return(int epfd, const struct epoll_event *evs, int n)
{
	struct trace_rec r;
	int err = n < 0 ? errno : 0;

	trace_rec_wait_return(&r, epfd, evs, n, err);
	finish(&r);
	return n;
}

/* epoll_wait. */
int
preload_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	int n;

	if (!tracing)
		return REAL(epoll_wait)(epfd, evs, max, timeout);
	wait_enter(epfd, max, timeout);
	/* Events ready now come back with the enter record in one write; only a call that sleeps writes first. */
	n = REAL(epoll_wait)(epfd, evs, max, 0);
	if (n == 0 && timeout != 0) {
		flush();
		n = REAL(epoll_wait)(epfd, evs, max, timeout);
	}
	return wait_return(epfd, evs, n);
}

/* epoll_pwait (the mask is the program's business). */
int
preload_epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout, const sigset_t *mask)
{
	int n;

	if (!tracing)
		return REAL(epoll_pwait)(epfd, evs, max, timeout, mask);
	wait_enter(epfd, max, timeout);
	n = REAL(epoll_pwait)(epfd, evs, max, 0, mask); /* as epoll_wait does */
	if (n == 0 && timeout != 0) {
		flush();
		n = REAL(epoll_pwait)(epfd, evs, max, timeout, mask);
	}
	return wait_return(epfd, evs, n);
}

/* epoll_pwait2: its timeout in milliseconds for the record (-1: none). */
int
preload_epoll_pwait2(int epfd, struct epoll_event *evs, int max, const struct timespec *ts,
	     const sigset_t *mask)
{
	long ms = ts ? ts->tv_sec * 1000 + ts->tv_nsec / 1000000 : -1;
	static const struct timespec zero = { 0, 0 };
	int n;

	if (!tracing)
		return REAL(epoll_pwait2)(epfd, evs, max, ts, mask);
	wait_enter(epfd, max, ms > INT32_MAX ? INT32_MAX : (int)ms);
	n = REAL(epoll_pwait2)(epfd, evs, max, &zero, mask); /* as epoll_wait does */
	if (n == 0 && ms != 0) {
		flush();
		n = REAL(epoll_pwait2)(epfd, evs, max, ts, mask);
	}
	return wait_return(epfd, evs, n);
}

/* ---- sockets -------------------------------------------------------------- */

/* socket(): remembered, not recorded (its listen or accept is). */
int
preload_socket(int domain, int type, int protocol)
{
	int fd = REAL(socket)(domain, type, protocol);

	if (fd >= 0)
		set_kind(fd, K_SOCKET);
	return fd;
}

/* listen(): the listen record, with the bound address, port, backlog and the socket's inode. */
int
preload_listen(int fd, int backlog)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct trace_rec r;
	struct stat st;
	int ret = REAL(listen)(fd, backlog), err = ret < 0 ? errno : 0;

	trace_rec_init(&r, TR_LISTEN);
	r.fd = fd;
	r.backlog = backlog;
	r.ret = ret;
	r.err = err;
	memset(&ss, 0, sizeof ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		r.port = addr_text(&ss, r.text, sizeof r.text);
	if (ret == 0 && fstat(fd, &st) == 0)
		r.inode = (uint64_t)st.st_ino;
	if (ret == 0)
		set_kind(fd, K_LISTEN);
	finish(&r);
	return ret;
}

/* The accept record of listening fd lfd that returned fd (peer from addr, or asked for). */
static int
accepted(int lfd, int fd, const struct sockaddr *addr, const socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct trace_rec r;
	int err = fd < 0 ? errno : 0;

	trace_rec_init(&r, TR_ACCEPT);
	r.fd = lfd;
	r.ret = fd;
	r.err = err;
	if (fd >= 0) {
		set_kind(fd, K_SOCKET);
		memset(&ss, 0, sizeof ss);
		if (addr && len && *len > 0)
			memcpy(&ss, addr, *len < sizeof ss ? *len : sizeof ss);
		else
			getpeername(fd, (struct sockaddr *)&ss, &sl);
		char host[64];
		r.port = addr_text(&ss, host, sizeof host);
		snprintf(r.text, sizeof r.text, "%s:%d", host, r.port);
	}
	finish(&r);
	return fd;
}

/* accept(). */
int
preload_accept(int fd, __SOCKADDR_ARG addr, socklen_t *restrict len)
{
	return accepted(fd, REAL(accept)(fd, addr.__sockaddr__, len), addr.__sockaddr__, len);
}

/* accept4(). */
int
preload_accept4(int fd, __SOCKADDR_ARG addr, socklen_t *restrict len, int flags)
{
	return accepted(fd, REAL(accept4)(fd, addr.__sockaddr__, len, flags), addr.__sockaddr__, len);
}

/* A transfer on fd of n bytes (or an error): recv/send on a socket, read of a FIFO with its bytes. */
static ssize_t
moved(int fd, int in, const void *buf, ssize_t n)
{
	int err = n < 0 ? errno : 0, k = kind_of(fd);

	if (!tracing || k == K_NONE || k == K_EPOLL)
		return n;
	if (k == K_FIFO) {
		struct trace_rec r;

		if (!in)
			return n;
		trace_rec_read(&r, fd, buf, n, err);
		emit(&r);
	} else {
		emit_result(in ? TR_RECV : TR_SEND, fd, n, err);
	}
	errno = err;
	return n;
}

/* read(). */
ssize_t
preload_read(int fd, void *buf, size_t n)
{
	return moved(fd, 1, buf, REAL(read)(fd, buf, n));
}

/* recv(). */
ssize_t
preload_recv(int fd, void *buf, size_t n, int flags)
{
	return moved(fd, 1, buf, REAL(recv)(fd, buf, n, flags));
}

/* recvfrom(). */
ssize_t
preload_recvfrom(int fd, void *restrict buf, size_t n, int flags, __SOCKADDR_ARG addr,
		 socklen_t *restrict len)
{
	return moved(fd, 1, buf, REAL(recvfrom)(fd, buf, n, flags, addr.__sockaddr__, len));
}

/* write(). */
ssize_t
preload_write(int fd, const void *buf, size_t n)
{
	return moved(fd, 0, buf, REAL(write)(fd, buf, n));
}

/* send(). */
ssize_t
preload_send(int fd, const void *buf, size_t n, int flags)
{
	return moved(fd, 0, buf, REAL(send)(fd, buf, n, flags));
}

/* sendto(). */
ssize_t
preload_sendto(int fd, const void *buf, size_t n, int flags, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
	return moved(fd, 0, buf, REAL(sendto)(fd, buf, n, flags, addr.__sockaddr__, len));
}

/* ---- FIFOs ---------------------------------------------------------------- */

/*
 * open of path relative to dirfd with flags: when path is a FIFO, the
 * fifo_waiting record first (a read-only open blocks until a writer comes)
 * and fifo_opened after.  Other files go untraced.
 */
static int
open_traced(int dirfd, const char *path, int flags, mode_t mode)
{
	struct stat st;
	struct trace_rec r;
	int fifo = tracing && fstatat(dirfd, path, &st, 0) == 0 && S_ISFIFO(st.st_mode);
	int fd, err;

	if (fifo && (flags & O_ACCMODE) == O_RDONLY && !(flags & O_NONBLOCK)) {
		trace_rec_init(&r, TR_FIFO_WAITING);
		trace_rec_set_text(&r, path);
		emit(&r);
	}
	fd = REAL(openat)(dirfd, path, flags, mode);
	if (!fifo)
		return fd;
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		set_kind(fd, K_FIFO);
	trace_rec_init(&r, TR_FIFO_OPENED);
	r.fd = fd;
	r.ret = fd;
	r.err = err;
	trace_rec_set_text(&r, path);
	finish(&r);
	return fd;
}

/* The mode argument of an open that creates. */
#define OPEN_MODE(flags, last) \
	mode_t mode = 0; \
	if ((flags) & (O_CREAT | O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, last); \
		mode = (mode_t)va_arg(ap, int); \
		va_end(ap); \
	}

/* open(). */
int
preload_open(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return open_traced(AT_FDCWD, path, flags, mode);
}

/* open64() (programs built with _FILE_OFFSET_BITS=64 call it). */
int
preload_open64(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return open_traced(AT_FDCWD, path, flags, mode);
}

/* openat(). */
int
preload_openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return open_traced(dirfd, path, flags, mode);
}

/* openat64(). */
int
preload_openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return open_traced(dirfd, path, flags, mode);
}

/* ---- semaphores ----------------------------------------------------------- */

/* Is s a semaphore the program opened by name? */
static int
is_named(const sem_t *s)
{
	for (int i = 0; i < PL_MAX_SEMS; i++)
		if (named[i] == s)
			return s != NULL;
	return 0;
}

/* sem_open(): its name, the initial value when it creates (-1 when it opens), and the handle. */
sem_t *
preload_sem_open(const char *name, int oflag, ...)
{
	struct trace_rec r;
	unsigned value = 0;
	mode_t mode = 0;
	sem_t *s;
	int err;

	if (oflag & O_CREAT) {
		va_list ap;

		va_start(ap, oflag);
		mode = (mode_t)va_arg(ap, int);
		value = va_arg(ap, unsigned);
		va_end(ap);
	}
	s = REAL(sem_open)(name, oflag, mode, value);
	err = s == SEM_FAILED ? errno : 0;
	trace_rec_init(&r, TR_SEM_OPEN);
	trace_rec_set_text(&r, name);
	r.initial = oflag & O_CREAT ? (int32_t)value : -1;
	r.ret = s == SEM_FAILED ? -1 : 0;
	r.err = err;
	r.handle = s == SEM_FAILED ? 0 : (uint64_t)(uintptr_t)s;
	for (int i = 0; s != SEM_FAILED && !is_named(s) && i < PL_MAX_SEMS; i++) {
		if (named[i] == NULL) {
			named[i] = s;
			break;
		}
	}
	finish(&r);
	return s;
}

/* A semaphore call on s that returned ret: type with its handle (named semaphores only). */
static int
sem_done(int type, sem_t *s, int ret)
{
	struct trace_rec r;
	int err = ret < 0 ? errno : 0;

	if (!tracing || !is_named(s))
		return ret;
	trace_rec_init(&r, type);
	r.ret = ret;
	r.err = err;
	r.handle = (uint64_t)(uintptr_t)s;
	finish(&r);
	return ret;
}

/* sem_trywait(): won (0) or lost (EAGAIN). */
int
preload_sem_trywait(sem_t *s)
{
	return sem_done(TR_SEM_TRYWAIT, s, REAL(sem_trywait)(s));
}

/* sem_wait(): it blocks until it takes the semaphore; recorded when it returns. */
int
preload_sem_wait(sem_t *s)
{
	return sem_done(TR_SEM_WAIT, s, REAL(sem_wait)(s));
}

/* sem_timedwait(): as sem_wait, or ETIMEDOUT. */
int
preload_sem_timedwait(sem_t *s, const struct timespec *abs)
{
	return sem_done(TR_SEM_WAIT, s, REAL(sem_timedwait)(s, abs));
}

/* sem_post(). */
int
preload_sem_post(sem_t *s)
{
	return sem_done(TR_SEM_POST, s, REAL(sem_post)(s));
}

/* sem_unlink(). */
int
preload_sem_unlink(const char *name)
{
	struct trace_rec r;
	int ret = REAL(sem_unlink)(name), err = ret < 0 ? errno : 0;

	trace_rec_init(&r, TR_SEM_UNLINK);
	trace_rec_set_text(&r, name);
	r.ret = ret;
	r.err = err;
	finish(&r);
	return ret;
}

/* ---- processes and signals ------------------------------------------------ */

/* The kill record: target (negative for a group), signal, result. */
static int
killed(pid_t target, int sig, int ret)
{
	struct trace_rec r;
	int err = ret < 0 ? errno : 0;

	trace_rec_kill(&r, target, sig, ret, err);
	finish(&r);
	return ret;
}

/* kill(). */
int
preload_kill(pid_t pid, int sig)
{
	return killed(pid, sig, REAL(kill)(pid, sig));
}

/* killpg(): a kill of the group, -pgrp. */
int
preload_killpg(pid_t pgrp, int sig)
{
	return killed(-pgrp, sig, REAL(killpg)(pgrp, sig));
}

/* The reap record of a child a wait returned (with status). */
static pid_t
reaped(pid_t ret, const int *status)
{
	int err = ret < 0 ? errno : 0;

	if (ret > 0 && status) {
		struct trace_rec r;

		trace_rec_reap(&r, ret, *status);
		emit(&r);
	}
	errno = err;
	return ret;
}

/* waitpid() (the status is needed for the record: a caller's NULL is replaced). */
pid_t
preload_waitpid(pid_t pid, int *status, int options)
{
	int st = 0, *sp = status ? status : &st;

	return reaped(REAL(waitpid)(pid, sp, options), sp);
}

/* wait(). */
pid_t
preload_wait(int *status)
{
	int st = 0, *sp = status ? status : &st;

	return reaped(REAL(waitpid)(-1, sp, 0), sp);
}

/* wait4(). */
pid_t
preload_wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int st = 0, *sp = status ? status : &st;

	return reaped(REAL(wait4)(pid, sp, options, ru), sp);
}

/* Every delivery of a wrapped signal: its record, then the program's handler. */
static void
trampoline(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct trace_rec r;
	struct sigaction *u = &user_act[sig];

	trace_rec_signal(&r, sig, si ? si->si_code : 0, si ? si->si_pid : 0, 0);
	emit(&r);
	errno = saved;
	if (u->sa_flags & SA_SIGINFO)
		u->sa_sigaction(sig, si, uc);
	else if (u->sa_handler != SIG_DFL && u->sa_handler != SIG_IGN)
		u->sa_handler(sig);
}

/*
 * sigaction(): a handler of the program's is installed as the trampoline
 * (with SA_SIGINFO), and the program is told back its own handler.
 */
int
preload_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct sigaction mine, prev, before;
	int ret, wrap;

	memset(&prev, 0, sizeof prev);
	if (!tracing || sig <= 0 || sig >= NSIG)
		return REAL(sigaction)(sig, act, old);
	before = user_act[sig];
	wrap = act && (act->sa_flags & SA_SIGINFO ? act->sa_sigaction != NULL
						  : act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN);
	if (wrap) {
		mine = *act;
		mine.sa_flags |= SA_SIGINFO;
		mine.sa_sigaction = trampoline;
		user_act[sig] = *act;
	}
	ret = REAL(sigaction)(sig, wrap ? &mine : act, &prev);
	if (ret < 0) {
		user_act[sig] = before;
		return ret;
	}
	if (old) {
		*old = prev;
		if ((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction == trampoline)
			*old = before;
	}
	return ret;
}

/* signal(): glibc's BSD semantics (SA_RESTART), through the wrapper above. */
sighandler_t
preload_signal(int sig, sighandler_t handler)
{
	struct sigaction act, old;

	memset(&act, 0, sizeof act);
	act.sa_handler = handler;
	act.sa_flags = SA_RESTART;
	sigemptyset(&act.sa_mask);
	sigaddset(&act.sa_mask, sig);
	if (preload_sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}
