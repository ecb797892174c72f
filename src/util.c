/*
 * util.c - see util.h.  Nothing here may keep state between calls except
 * the static buffers of the name functions.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"

/* Clock id now, in nanoseconds. */
static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The monotonic clock now, in nanoseconds. */
uint64_t
now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* This process's CPU clock now (all its threads), in nanoseconds. */
uint64_t
cpu_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* The CPUs this thread may run on (taskset, cpusets), or those online when that cannot be read. */
int
usable_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* Turn close-on-exec on or off for fd; 0, or -1 with errno. */
int
fd_set_cloexec(int fd, int on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl == -1)
		return -1;
	fl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, fl);
}

/* Make fd non-blocking, keeping its other status flags; 0, or -1 with errno. */
int
fd_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Write the whole buffer, looping over short writes and EINTR; 0, or -1 with errno. */
int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read up to cap - 1 bytes of a small file into buf, NUL-terminated; length or -1. */
ssize_t
read_text_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	while (len < cap - 1) {
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (n < 0)
		return -1;
	buf[len] = '\0';
	return (ssize_t)len;
}

/* The symbolic name of an errno value ("EPERM"), or "E<n>" in a static buffer. */
const char *
errno_name(int e)
{
	static char buf[16];
	const char *s;

	if (e == 0)
		return "0";
	s = strerrorname_np(e);
	if (s != NULL)
		return s;
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

/* "SIG" and the signal's abbreviation, or its number, in a static buffer. */
const char *
signal_name(int sig)
{
	static char buf[16];
	const char *s = sigabbrev_np(sig);

	if (s != NULL)
		snprintf(buf, sizeof buf, "SIG%s", s);
	else
		snprintf(buf, sizeof buf, "SIG%d", sig);
	return buf;
}

/* The name of a system call the roles sleep in, or NULL. */
const char *
syscall_name(long nr)
{
	switch (nr) {
#ifdef SYS_accept
	case SYS_accept: return "accept";
#endif
	case SYS_accept4: return "accept4";
#ifdef SYS_epoll_wait
	case SYS_epoll_wait: return "epoll_wait";
#endif
	case SYS_epoll_pwait: return "epoll_pwait";
	case SYS_read: return "read";
#ifdef SYS_open
	case SYS_open: return "open";
#endif
	case SYS_openat: return "openat";
	default: return NULL;
	}
}

/* The SI_* name of a generic siginfo code, or NULL for any other code. */
const char *
si_code_name(int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_KERNEL: return "SI_KERNEL";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_MESGQ: return "SI_MESGQ";
	case SI_ASYNCIO: return "SI_ASYNCIO";
	case SI_SIGIO: return "SI_SIGIO";
	case SI_TKILL: return "SI_TKILL";
	default: return NULL;
	}
}

/* Truncating copy, terminated whenever cap > 0; returns the full length of src. */
size_t
str_copy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap > 0) {
		size_t k = n < cap - 1 ? n : cap - 1;

		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

/* Parse the whole string as decimal, rejecting junk, overflow and values out of range. */
int
parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Zeroed memory (at least one byte); on failure prints a message and _exits with 70. */
void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL) {
		fprintf(stderr, "epollviz: %s\n", _("out of memory"));
		_exit(70);
	}
	return p;
}

/* Resize p to n elements, overflow-checked; on failure prints a message and _exits. */
void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *q = reallocarray(p, n ? n : 1, size ? size : 1);

	if (q == NULL) {
		fprintf(stderr, "epollviz: %s\n", _("out of memory"));
		_exit(70);
	}
	return q;
}

/* Sleep the whole interval, resuming with the time left after each signal. */
void
sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static const struct {
	uint32_t bit;
	const char *name;
} mask_names[] = {
	{ EPOLLIN, "IN" },         { EPOLLPRI, "PRI" },       { EPOLLOUT, "OUT" },
	{ EPOLLERR, "ERR" },       { EPOLLHUP, "HUP" },       { EPOLLRDNORM, "RDNORM" },
	{ EPOLLRDBAND, "RDBAND" }, { EPOLLWRNORM, "WRNORM" }, { EPOLLWRBAND, "WRBAND" },
	{ EPOLLMSG, "MSG" },       { EPOLLRDHUP, "RDHUP" },   { EPOLLEXCLUSIVE, "EXCLUSIVE" },
	{ EPOLLWAKEUP, "WAKEUP" }, { EPOLLONESHOT, "ONESHOT" }, { EPOLLET, "ET" },
};

/* The short names of mask's known bits, and what is left. */
int
epoll_mask_names(uint32_t mask, const char **names, int max, uint32_t *rest)
{
	int n = 0;

	for (size_t i = 0; i < ARRAY_LEN(mask_names) && n < max; i++) {
		if (!(mask & mask_names[i].bit))
			continue;
		mask &= ~mask_names[i].bit;
		names[n++] = mask_names[i].name;
	}
	*rest = mask;
	return n;
}

/* The names of mask's bits joined by '|', unknown bits in hex, into buf; returns buf. */
const char *
epoll_mask_str(uint32_t mask, int short_names, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(mask_names); i++) {
		if (!(mask & mask_names[i].bit))
			continue;
		mask &= ~mask_names[i].bit;
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s%s",
					len ? "|" : "", short_names ? "" : "EPOLL",
					mask_names[i].name);
	}
	if (mask != 0)
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s0x%x",
					len ? "|" : "", mask);
	if (len == 0)
		snprintf(buf, cap, "0");
	return buf;
}

/* The name of an epoll_ctl operation, long or short; "?" for an unknown one. */
const char *
epoll_op_name(int op, int short_name)
{
	switch (op) {
	case EPOLL_CTL_ADD: return short_name ? "ADD" : "EPOLL_CTL_ADD";
	case EPOLL_CTL_DEL: return short_name ? "DEL" : "EPOLL_CTL_DEL";
	case EPOLL_CTL_MOD: return short_name ? "MOD" : "EPOLL_CTL_MOD";
	default: return "?";
	}
}

/* Every signal in sigs gets handler, with no flags and an empty mask. */
void
signals_set(const int *sigs, int n, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	for (int i = 0; i < n; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* Default dispositions for all, and mask (or nothing) blocked. */
void
signals_reset(const sigset_t *mask)
{
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, mask ? mask : &none, NULL);
}

/* Fill set with exactly the n signals listed in sigs. */
void
sigset_of(sigset_t *set, const int *sigs, int n)
{
	sigemptyset(set);
	for (int i = 0; i < n; i++)
		sigaddset(set, sigs[i]);
}

/* Block the signals and open a non-blocking, close-on-exec signalfd for them. */
int
sigfd_open(const int *sigs, int n, sigset_t *old)
{
	sigset_t set;

	sigset_of(&set, sigs, n);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Reap every waitable child without blocking, handing each to fn; returns the count. */
int
reap_each(int options, void (*fn)(void *ctx, pid_t pid, int status), void *ctx)
{
	int st, n = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, WNOHANG | options)) > 0) {
		n++;
		if (fn)
			fn(ctx, p, st);
	}
	return n;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL, and the pages fault one by one */
#endif

/* See util.h: MADV_HUGEPAGE for 2 MiB and more, then MADV_POPULATE_WRITE. */
void
prefault(void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), a = ((uintptr_t)p + page - 1) & ~(page - 1),
		  e = ((uintptr_t)p + len) & ~(page - 1);

	if (e <= a || e - a < 16 * page)
		return;
	if (e - a >= 2u << 20) /* whole 2 MiB pages inside it: one fault each where the kernel gives them */
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
	(void)madvise((void *)a, e - a, MADV_POPULATE_WRITE);
}
