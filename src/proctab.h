/*
 * proctab.h - the process table from /proc: pid, ppid, pgid, sid, tty,
 * tpgid, state and command, as ps -eo pid,ppid,pgid,sid,tty,tpgid,stat,cmd
 * would print them.  The parsing is pure and unit-tested; the readers do
 * only open/read/close.
 */
#ifndef EPOLLVIZ_PROCTAB_H
#define EPOLLVIZ_PROCTAB_H

#include <stddef.h>

struct proc_row {
	int pid;
	char comm[32];    /* escaped: see proctab_escape */
	char state;
	int ppid, pgid, sid;
	int tty_nr;
	int tpgid;
	char tty[16];
	char cmd[160];    /* escaped: see proctab_escape */
	unsigned long long start; /* start time in clock ticks since boot (stat field 22): pid + start is a process */
};

/*
 * Copy the n bytes of src into dst (size cap, always terminated) so that
 * they are safe to print on a terminal: control characters, DEL, C1
 * controls and bytes that are not UTF-8 become C escapes (\e, \n, \a,
 * \x9b), a backslash becomes \\; printable UTF-8 is kept.  An escape that
 * does not fit whole is left out.  Returns dst.
 */
char *proctab_escape(const void *src, size_t n, char *dst, size_t cap);

/* Parse the text of /proc/PID/stat.  Returns 0 or -1 (malformed). */
int proctab_parse_stat(const char *buf, struct proc_row *row);
/* "pts/3", "tty1", or "?" for no terminal. */
void proctab_tty_name(int tty_nr, char *buf, size_t cap);
/* Read one process.  Returns 0, or -1 with errno (ENOENT: gone; EACCES...: not readable). */
int proctab_read(int pid, struct proc_row *row);
/* The same without the command line (row->cmd empty): for a look at the state only. */
int proctab_read_stat(int pid, struct proc_row *row);
/*
 * Read every process for which keep() says yes, sorted by pid.  Returns the
 * count stored in out (at most max).
 */
typedef int (*proctab_keep_fn)(const struct proc_row *row, void *arg);
int proctab_scan(proctab_keep_fn keep, void *arg, struct proc_row *out, int max);
/*
 * The stat line (no command line) of every process on the machine, in a
 * malloc'd array in *out, sorted by pid: no cap.  Returns the count.
 */
int proctab_scan_all(struct proc_row **out);
/* A proctab_keep_fn: is the process in the session whose id is *(int *)sid? */
int proctab_in_session(const struct proc_row *row, void *sid);
/*
 * The syscall pid is blocked in (first field of /proc/PID/syscall): its
 * number, or -1 when it is in no system call (running, or blocked outside
 * one), or -2 when unreadable.
 */
long proctab_syscall(int pid);
/* The same, and the call's first argument in *arg0 (when arg0 is not NULL). */
long proctab_syscall_arg0(int pid, long *arg0);
/* The kernel function pid sleeps in, from /proc/PID/wchan, into buf; 0, or -1 (buf empty). */
int proctab_wchan(int pid, char *buf, size_t cap);
/*
 * Context switches of pid from /proc/PID/status.  A voluntary switch is a
 * sleep: every time a task blocked in epoll_wait is woken and finds nothing,
 * it sleeps again and this count grows.  Returns 0 or -1.
 */
int proctab_ctxsw(int pid, unsigned long long *voluntary, unsigned long long *involuntary);

#endif
