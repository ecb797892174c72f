/*
 * util.h - small helpers shared by every module: time, fds, names of
 * errnos and signals, bounded string copies.  No state, no policy.
 */
#ifndef EPOLLVIZ_UTIL_H
#define EPOLLVIZ_UTIL_H

#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);
/* The CPU time of this process, every thread's, in nanoseconds. */
uint64_t cpu_ns(void);
/* How many CPUs this thread may run on (its affinity: taskset, cpusets); the CPUs online if unknown. */
int usable_cpus(void);
/* Set or clear FD_CLOEXEC.  Returns 0 or -1. */
int fd_set_cloexec(int fd, int on);
/* Set O_NONBLOCK.  Returns 0 or -1. */
int fd_set_nonblock(int fd);
/* Write all of buf, retrying on EINTR and short writes.  Returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);
/*
 * Read a small file (a /proc entry) whole, at most cap - 1 bytes, and
 * terminate it.  Returns its length, or -1 if it cannot be opened or read.
 */
ssize_t read_text_file(const char *path, char *buf, size_t cap);
/* "EPERM", or "E123" for an unknown number; "0" for 0.  Static storage. */
const char *errno_name(int e);
/* "SIGINT", or "SIG123".  Static storage. */
const char *signal_name(int sig);
/* The name of a system call a process can sleep in ("accept4"), or NULL for another number. */
const char *syscall_name(long nr);
/* "SI_KERNEL", "SI_USER", ...  or NULL when the code has no name. */
const char *si_code_name(int code);
/*
 * The short names ("IN", "ET") of mask's known bits, lowest first, into
 * names (at most max); the bits without a name in *rest.  Returns how many.
 */
int epoll_mask_names(uint32_t mask, const char **names, int max, uint32_t *rest);
/* "IN|ET|HUP" (short_names=1) or "EPOLLIN|EPOLLET" (0) into buf; "0" if empty; unknown bits in hex. */
const char *epoll_mask_str(uint32_t mask, int short_names, char *buf, size_t cap);
/* "EPOLL_CTL_ADD" (short_name=0) or "ADD" (1); "?" for anything else. */
const char *epoll_op_name(int op, int short_name);
/* Copy src into dst of size cap, always terminated.  Returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t cap);
/* Parse a decimal integer in [lo, hi].  Returns 0 or -1. */
int parse_long(const char *s, long lo, long hi, long *out);
/* calloc that never returns NULL: exits the process with a message instead. */
void *xcalloc(size_t n, size_t size);
/* realloc of n elements of size bytes, same promise. */
void *xreallocarray(void *p, size_t n, size_t size);
/* The job-control signals a shell ignores and its jobs take by default. */
#define JOB_CONTROL_SIGNALS SIGTSTP, SIGTTIN, SIGTTOU, SIGQUIT
/* Set the disposition of the n signals in sigs to handler (SIG_DFL, SIG_IGN or a function), flags 0. */
void signals_set(const int *sigs, int n, void (*handler)(int));
/* Every signal back to its default disposition, and mask (NULL: none) as the blocked set: a child about to exec. */
void signals_reset(const sigset_t *mask);
/* A signal set of the n signals in sigs. */
void sigset_of(sigset_t *set, const int *sigs, int n);
/*
 * Block the n signals in sigs (the old mask in *old unless NULL) and return
 * a non-blocking, close-on-exec signalfd that reads them, or -1 with errno.
 */
int sigfd_open(const int *sigs, int n, sigset_t *old);
/*
 * Reap every child whose state changed, without blocking: waitpid(-1, ...,
 * WNOHANG | options) until none is left, calling fn(ctx, pid, status) for
 * each (fn may be NULL).  Returns how many were reaped.
 */
int reap_each(int options, void (*fn)(void *ctx, pid_t pid, int status), void *ctx);
/* Sleep for ns nanoseconds (retrying on EINTR). */
void sleep_ns(uint64_t ns);
/*
 * Fault in the pages of len bytes at p (a large array about to be filled)
 * in one call.  A page touched for the first time costs 10 to 12 us in some
 * virtual machines, one populated in a batch under 1 us: at 20 000 fds a
 * reading of /proc fills 5 000 pages.  Smaller ranges, and kernels before
 * 5.14, are left to fault as usual.
 */
void prefault(void *p, size_t len);

#endif
