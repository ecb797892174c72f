/*
 * role.c - start-up, exit, printing, re-execution and signal plumbing
 * shared by every child role (see role.h for the signal contract).  Roles
 * are entered only through roles_main() (roles.c), after the binary
 * re-executed itself.
 */
#include "role.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trace.h"
#include "utf8.h"
#include "util.h"

volatile sig_atomic_t role_stop;
volatile sig_atomic_t role_stop_signo;
volatile sig_atomic_t role_stop_code;
volatile sig_atomic_t role_stop_pid;
volatile sig_atomic_t role_chld;
sigset_t role_wait_mask;

static sigjmp_buf open_jb;
static volatile sig_atomic_t in_open;
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Record the first stop signal; everything else is for the main loop. */
static void
on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGCHLD) {
		role_chld = 1;
		return;
	}
	if (!role_stop) {
		role_stop_signo = sig;
		role_stop_code = si->si_code;
		role_stop_pid = si->si_pid;
		role_stop = 1;
	}
	if (in_open)
		siglongjmp(open_jb, 1);
}

/* A crash: write what is buffered (records are whole), then die of the same signal. */
static void
on_crash(int sig)
{
	trace_flush();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Name the process, set its signal handlers and mask, and emit proc_start. */
void
role_start(int role, const char *name, int want_chld)
{
	static const int pipe_sig = SIGPIPE, stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	struct sigaction sa;
	sigset_t block;
	struct trace_rec r;

	prctl(PR_SET_NAME, name);
	signals_set(&pipe_sig, 1, SIG_IGN);
	signals_set(stops, (int)ARRAY_LEN(stops), SIG_DFL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGABRT, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sa.sa_flags = 0;

	sigemptyset(&block);
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_NOCLDSTOP;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(stop_signals); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&block, stop_signals[i]);
	}
	if (want_chld) {
		sigaction(SIGCHLD, &sa, NULL);
		sigaddset(&block, SIGCHLD);
	}
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(&role_wait_mask);

	trace_rec_proc_start(&r, role, name);
	trace_emit(&r);
}

/* Fill set with SIGINT, SIGTERM and SIGHUP. */
void
role_stop_set(sigset_t *set)
{
	sigset_of(set, stop_signals, (int)ARRAY_LEN(stop_signals));
}

/*
 * Format into 1024 bytes (cut there, at a character's start: a translated
 * line is about twice as many bytes as it is columns) and write to stdout,
 * ignoring errors.
 */
void
role_say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof buf) /* cut: not inside a character */
		n = (int)utf8_whole(buf, sizeof buf - 1);
	/* The pty may be gone (hang-up): nothing to do about that here. */
	if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
		return;
}

/* Trace the exit status, flush the trace and _exit with that status. */
void
role_exit(int status)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_PROC_EXIT);
	r.ret = status;
	trace_emit(&r);
	trace_flush();
	_exit(status);
}

/* Exec EPOLLVIZ_SELF or /proc/self/exe as --role name with args; 127 if it fails. */
void
role_exec(int role, char *const *args)
{
	const char *name = trace_rec_role_name(role);
	int n = 0, nargs = 0;
	char **argv;

	while (args[nargs])
		nargs++;
	argv = xcalloc((size_t)nargs + 4, sizeof *argv);
	argv[n++] = (char *)"epollviz";
	argv[n++] = (char *)"--role";
	argv[n++] = (char *)name;
	for (int i = 0; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	/*
	 * The same binary, re-executed.  Under valgrind /proc/self/exe is the
	 * tool, not epollviz: EPOLLVIZ_SELF names the binary then.
	 */
	const char *self = getenv("EPOLLVIZ_SELF");
	if (self == NULL || *self == '\0')
		self = "/proc/self/exe";
	execv(self, argv);
	dprintf(STDERR_FILENO, "epollviz: cannot re-execute %s as %s: %s\n", self, name,
		strerror(errno));
	_exit(127);
}

/* Let a pending stop signal in now (sigsuspend returns at once, after its handler ran). */
void
role_take_pending_stop(void)
{
	sigset_t pending;

	if (sigpending(&pending) < 0)
		return;
	for (size_t i = 0; i < ARRAY_LEN(stop_signals); i++) {
		if (sigismember(&pending, stop_signals[i])) {
			sigsuspend(&role_wait_mask);
			return;
		}
	}
}

/* epoll_pwait that writes buffered records out only before it would block. */
int
role_epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	int n;

	if (trace_pending() == 0)
		return epoll_pwait(epfd, evs, max, timeout, &role_wait_mask);
	n = epoll_pwait(epfd, evs, max, 0, &role_wait_mask);
	if (n != 0 || timeout == 0)
		return n;
	trace_flush();
	return epoll_pwait(epfd, evs, max, timeout, &role_wait_mask);
}

/* The blocking calls that run with the role's signals deliverable. */
enum blocking_call { B_OPEN = 0, B_READ, B_ACCEPT };

struct blocking {
	int call; /* enum blocking_call */
	const char *path;
	int flags;
	int fd;
	void *buf;
	size_t n;
	struct sockaddr *sa;
	socklen_t *salen;
};

/* The call itself, its signals unblocked. */
static long
blocking_call(const struct blocking *b)
{
	switch (b->call) {
	case B_READ: return (long)read(b->fd, b->buf, b->n);
	case B_ACCEPT: return (long)accept4(b->fd, b->sa, b->salen, b->flags);
	default: return (long)open(b->path, b->flags);
	}
}

/*
 * Make the call with the role's signals unblocked.  A stop signal that
 * arrives while it blocks jumps out of the handler (siglongjmp restores the
 * mask), so the call cannot miss it: it returns -1 with errno EINTR.
 */
static long
interruptible(const struct blocking *b)
{
	sigset_t old;
	long ret;

	if (role_stop) {
		errno = EINTR;
		return -1;
	}
	trace_flush();
	if (sigsetjmp(open_jb, 1) != 0) {
		in_open = 0;
		errno = EINTR;
		return -1;
	}
	in_open = 1;
	sigprocmask(SIG_SETMASK, &role_wait_mask, &old);
	ret = blocking_call(b);
	sigprocmask(SIG_SETMASK, &old, NULL);
	in_open = 0;
	return ret;
}

/* A blocking open(2) that a stop signal ends with EINTR. */
int
role_open_interruptible(const char *path, int flags)
{
	struct blocking b = { .call = B_OPEN, .path = path, .flags = flags };

	return (int)interruptible(&b);
}

/* A blocking read(2) that a stop signal ends with EINTR. */
ssize_t
role_read_interruptible(int fd, void *buf, size_t n)
{
	struct blocking b = { .call = B_READ, .fd = fd, .buf = buf, .n = n };

	return (ssize_t)interruptible(&b);
}

/* A blocking accept4(2) that a stop signal ends with EINTR. */
int
role_accept_interruptible(int fd, struct sockaddr *sa, socklen_t *salen, int flags)
{
	struct blocking b = { .call = B_ACCEPT, .fd = fd, .flags = flags, .sa = sa, .salen = salen };

	return (int)interruptible(&b);
}
