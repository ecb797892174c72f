/*
 * traced.c - traced system calls for the child roles (see traced.h).
 */
#include "traced.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "role.h"
#include "trace.h"

/* epoll_create1, traced with its flags; the new fd, or -1 with errno. */
int
traced_epoll_create1(int flags)
{
	struct trace_rec r;
	int fd = epoll_create1(flags);
	int err = fd < 0 ? errno : 0;

	trace_rec_epoll_create(&r, flags, fd, err);
	trace_emit(&r);
	errno = err;
	return fd;
}

/* epoll_ctl, traced with op, fd and (unless a DEL) events and data; 0 or -1. */
int
traced_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	struct trace_rec r;
	int ret = epoll_ctl(epfd, op, fd, &ev);
	int err = ret < 0 ? errno : 0;

	trace_rec_epoll_ctl(&r, epfd, op, fd, events, data, ret, err);
	trace_emit(&r);
	errno = err;
	return ret;
}

/* role_epoll_wait between wait_enter and wait_return records (at most TRACE_MAX_READY pairs). */
int
traced_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	struct trace_rec r;
	int n, err;

	trace_rec_wait_enter(&r, epfd, max, timeout);
	trace_emit(&r);
	n = role_epoll_wait(epfd, evs, max, timeout);
	err = n < 0 ? errno : 0;
	trace_rec_wait_return(&r, epfd, evs, n, err);
	trace_emit(&r);
	errno = err;
	return n;
}

/* close, traced as a TR_CLOSE result; 0 or -1 with errno. */
int
traced_close(int fd)
{
	int ret = close(fd);
	int err = ret < 0 ? errno : 0;

	traced_result(TR_CLOSE, fd, ret, err);
	errno = err;
	return ret;
}

/* kill, traced with the target pid and signal; 0 or -1 with errno. */
int
traced_kill(pid_t pid, int sig)
{
	struct trace_rec r;
	int ret = kill(pid, sig);
	int err = ret < 0 ? errno : 0;

	trace_rec_kill(&r, pid, sig, ret, err);
	trace_emit(&r);
	errno = err;
	return ret;
}

/* Emit a plain record of type carrying fd, return value and errno. */
void
traced_result(int type, int fd, long long ret, int err)
{
	struct trace_rec r;

	trace_rec_result(&r, type, fd, ret, err);
	trace_emit(&r);
}

/* Emit a signal record; the pending flag travels in the op field. */
void
traced_signal(int signo, int code, int sender, int pending)
{
	struct trace_rec r;

	trace_rec_signal(&r, signo, code, sender, pending);
	trace_emit(&r);
}

/* Trace the first stop signal the handler recorded, if one came. */
void
traced_stop_signal(void)
{
	if (role_stop_signo)
		traced_signal(role_stop_signo, role_stop_code, role_stop_pid, 0);
}

/* Take each pending stop signal with sigtimedwait and trace it as pending. */
void
traced_pending_signals(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	role_stop_set(&set);
	while (sigtimedwait(&set, &si, &zero) > 0)
		traced_signal(si.si_signo, si.si_code, si.si_pid, 1);
}

/* Emit the record of an inherited fd of the given kind, naming the parent pid. */
void
traced_inherit(int fd, int kind)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_INHERIT);
	r.fd = fd;
	r.kind = kind;
	r.from = getppid();
	trace_emit(&r);
}

/* Fill *r with a read's result and printable bytes, emit it, and keep errno. */
void
traced_read(struct trace_rec *r, int fd, const void *buf, ssize_t n)
{
	int err = n < 0 ? errno : 0;

	trace_rec_read(r, fd, buf, n, err);
	trace_emit(r);
	errno = err;
}

/* Emit the record of an fd opened outside the wrappers, with its kind and text. */
void
traced_open(int fd, int kind, const char *what, int err)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_OPEN);
	r.ret = fd;
	r.err = err;
	r.kind = kind;
	trace_rec_set_text(&r, what);
	trace_emit(&r);
}
