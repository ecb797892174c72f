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

	trace_rec_init(&r, TR_EPOLL_CREATE);
	r.cflags = flags;
	r.ret = fd;
	r.err = err;
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

	trace_rec_init(&r, TR_EPOLL_CTL);
	r.epfd = epfd;
	r.op = op;
	r.fd = fd;
	r.events = op == EPOLL_CTL_DEL ? 0 : events;
	r.data = op == EPOLL_CTL_DEL ? 0 : data;
	r.ret = ret;
	r.err = err;
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

	trace_rec_init(&r, TR_WAIT_ENTER);
	r.epfd = epfd;
	r.maxevents = max;
	r.timeout = timeout;
	trace_emit(&r);
	n = role_epoll_wait(epfd, evs, max, timeout);
	err = n < 0 ? errno : 0;
	trace_rec_init(&r, TR_WAIT_RETURN);
	r.epfd = epfd;
	r.ret = n;
	r.err = err;
	for (int i = 0; i < n && i < TRACE_MAX_READY; i++) {
		r.pairs[i].events = evs[i].events;
		r.pairs[i].data = evs[i].data.u64;
	}
	r.npairs = (uint8_t)(n <= 0 ? 0 : n < TRACE_MAX_READY ? n : TRACE_MAX_READY);
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

	trace_rec_init(&r, TR_KILL);
	r.target = pid;
	r.signo = sig;
	r.ret = ret;
	r.err = err;
	trace_emit(&r);
	errno = err;
	return ret;
}

/* Emit a plain record of type carrying fd, return value and errno. */
void
traced_result(int type, int fd, long long ret, int err)
{
	struct trace_rec r;

	trace_rec_init(&r, type);
	r.fd = fd;
	r.ret = ret;
	r.err = err;
	trace_emit(&r);
}

/* Emit a signal record; the pending flag travels in the op field. */
void
traced_signal(int signo, int code, int sender, int pending)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_SIGNAL);
	r.signo = signo;
	r.si_code = code;
	r.sender = sender;
	r.pending = pending;
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

	trace_rec_init(r, TR_READ);
	r->fd = fd;
	r->ret = n;
	r->err = err;
	if (n > 0)
		trace_rec_set_bytes(r, buf, (size_t)n);
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
