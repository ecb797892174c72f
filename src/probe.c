/*
 * probe.c - short, real experiments on the kernel, one per probe kind; each
 * step is traced and explained on the terminal, then the probe holds its
 * fds open (so /proc can be inspected) until it is told to stop.
 *
 *   regular-file   261.c: epoll_ctl(ADD) on a regular file fails with EPERM
 *   two-instances  359.c: two epoll fds look the same in fdinfo; kcmp tells
 *   ctl-errors     EEXIST on a second ADD, data comes back verbatim, EPOLLHUP
 *                  reported unasked, EBADF for DEL after close, a reopened fd
 *                  with the same number is not watched until added again
 *   triggers       level-triggered repeats, edge-triggered reports once
 *   tty-read       read(2) from the terminal: in a background process group
 *                  the kernel stops the group with SIGTTIN (not SIGSTOP)
 *   et-before-add  data written before EPOLL_CTL_ADD with EPOLLET is
 *                  reported by the first epoll_wait: ep_insert polls the
 *                  file at ADD and queues it if ready (the notes say no)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "i18n.h"
#include "probe.h"
#include "role.h"
#include "sentence.h"
#include "trace.h"
#include "traced.h"
#include "util.h"

static pid_t P;

/* epoll_wait with timeout 0, traced.  Returns n; first event in *out. */
static int
t_wait0(int epfd, struct epoll_event *out)
{
	struct epoll_event evs[8];
	int n = traced_epoll_wait(epfd, evs, 8, 0);

	if (n > 0 && out)
		*out = evs[0];
	return n;
}

/* Make a non-blocking pipe and trace both ends as opened; 0 or -1. */
static int
t_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	traced_open(p[0], OPEN_PIPE_R, "pipe", 0);
	traced_open(p[1], OPEN_PIPE_W, "pipe", 0);
	return 0;
}

/* "0" for success, else the name of errno, for the terminal lines. */
static const char *
verdict(int ret)
{
	return ret == 0 ? "0" : errno_name(errno);
}

/* Show that epoll_ctl(ADD) of a regular file in a fresh temp dir fails (EPERM). */
static void
probe_regular_file(void)
{
	char dir[PATH_MAX - 16], path[PATH_MAX];
	const char *tmp = getenv("TMPDIR");
	int fd, epfd, ret;

	snprintf(dir, sizeof dir, "%s/epollviz-probe.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		role_say("epollviz: mkdtemp: %s\n", strerror(errno));
		role_exit(1);
	}
	snprintf(path, sizeof path, "%s/test.txt", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	traced_open(fd, OPEN_FILE, path, fd < 0 ? errno : 0);
	if (fd >= 0 && write_all(fd, "hello from test.txt\n", 20) < 0)
		role_say("epollviz: write %s: %s\n", path, strerror(errno));
	epfd = traced_epoll_create1(EPOLL_CLOEXEC);
	role_say("pid %d: 261.c: epoll_ctl(%d, EPOLL_CTL_ADD, %d = %s, EPOLLIN)\n", P, epfd, fd, path);
	ret = traced_epoll_ctl(epfd, EPOLL_CTL_ADD, fd, EPOLLIN, (uint64_t)fd);
	role_say(_("pid %d:   = %s.  A regular file is always ready, so epoll refuses it: the notes'\n"
		 "           \"always EPOLLIN\" never happens; epoll_wait never sees this fd.\n"),
		 P, ret == 0 ? _("0 (unexpected!)") : errno_name(errno));
	unlink(path);
	rmdir(dir);
}

/* Log and print fd's /proc fdinfo on one line, without the tfd lines. */
static void
show_fdinfo(int fd)
{
	char p[64], buf[512], line[TRACE_TEXT_MAX + 1];
	size_t k = 0;

	snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
	if (read_text_file(p, buf, sizeof buf) <= 0)
		return;
	/* One line: "fdinfo 3: pos 0 flags 02 mnt_id 17 ino 1090". */
	k = (size_t)snprintf(line, sizeof line, "fdinfo %d:", fd);
	for (char *s = strtok(buf, "\n"); s && k < sizeof line; s = strtok(NULL, "\n")) {
		if (strncmp(s, "tfd:", 4) == 0)
			continue;
		char *colon = strchr(s, ':');
		const char *val = colon ? colon + 1 : "";

		if (colon)
			*colon = '\0';
		while (*val == ' ' || *val == '\t')
			val++;
		k += (size_t)snprintf(line + k, sizeof line - k, " %s %s", s, val);
	}
	trace_log("%s", line);
	role_say("pid %d:   %s\n", P, line);
}

/* Trace and explain kcmp(KCMP_FILE) of two of our fds: same open file or not. */
static void
t_kcmp(int fd1, int fd2)
{
	struct trace_rec r;
	long ret = syscall(SYS_kcmp, P, P, KCMP_FILE, fd1, fd2);

	trace_rec_init(&r, TR_KCMP);
	r.fd = fd1;
	r.pid2 = P;
	r.fd2 = fd2;
	r.ret = ret;
	r.err = ret < 0 ? errno : 0;
	trace_emit(&r);
	if (ret < 0)
		role_say(_("pid %d:   kcmp(KCMP_FILE, %d, %d) = -1 %s: cannot tell\n"), P, fd1, fd2,
			 errno_name(errno));
	else
		role_say("pid %d:   kcmp(KCMP_FILE, %d, %d) = %ld: %s\n", P, fd1, fd2, ret,
			 ret == 0 ? _("the same epoll instance") : _("two different epoll instances"));
}

/* Two epoll fds and a dup of the first: what fdinfo shows and what kcmp tells. */
static void
probe_two_instances(void)
{
	int a = traced_epoll_create1(EPOLL_CLOEXEC), b = traced_epoll_create1(EPOLL_CLOEXEC), c;

	role_say(_("pid %d: 359.c: two epoll_create1 in one process: fds %d and %d\n"), P, a, b);
	show_fdinfo(a);
	show_fdinfo(b);
	role_say(_("pid %d: same anon inode in fdinfo, yet:\n"), P);
	t_kcmp(a, b);
	c = fcntl(a, F_DUPFD_CLOEXEC, 0);
	traced_open(c, OPEN_EPOLL, "dup of the first epoll fd", c < 0 ? errno : 0);
	role_say(_("pid %d: and a dup() of fd %d as fd %d:\n"), P, a, c);
	t_kcmp(a, c);
}

/* Walk through EEXIST, data round trip, unasked EPOLLHUP, DEL after close, dup. */
static void
probe_ctl_errors(void)
{
	int p[2], q[2], epfd = traced_epoll_create1(EPOLL_CLOEXEC), ret;
	struct epoll_event ev;

	if (t_pipe(p) < 0)
		return;
	ret = traced_epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], EPOLLIN, (uint64_t)p[0]);
	role_say(_("pid %d: ADD pipe fd %d = %s\n"), P, p[0], verdict(ret));
	ret = traced_epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], EPOLLIN, (uint64_t)p[0]);
	role_say(_("pid %d: ADD the same fd again = %s: one entry per (instance, fd); use MOD\n"), P,
		 verdict(ret));
	ret = traced_epoll_ctl(epfd, EPOLL_CTL_MOD, p[0], EPOLLIN, 0xC0FFEE);
	role_say(_("pid %d: MOD it with data 0xC0FFEE = %s\n"), P, verdict(ret));
	if (write_all(p[1], "x", 1) == 0 && t_wait0(epfd, &ev) > 0)
		role_say(_("pid %d: epoll_wait returns data 0x%llx: the kernel hands back data, never "
			 "the fd\n"), P, (unsigned long long)ev.data.u64);
	traced_close(p[1]);
	if (t_wait0(epfd, &ev) > 0)
		role_say(_("pid %d: writer closed: events 0x%x = EPOLLIN|EPOLLHUP; HUP was never asked "
			 "for, and the mask has two bits: test with &, not ==\n"), P, ev.events);
	traced_close(p[0]);
	ret = traced_epoll_ctl(epfd, EPOLL_CTL_DEL, p[0], 0, 0);
	role_say(_("pid %d: close(%d) first, then DEL = %s: DEL before close\n"), P, p[0], verdict(ret));
	if (t_pipe(q) < 0)
		return;
	role_say(_("pid %d: a new pipe gets fd %d again\n"), P, q[0]);
	if (write_all(q[1], "y", 1) == 0) {
		int n = t_wait0(epfd, NULL);

		role_say(_("pid %d: data waiting, epoll_wait = %d: the new file is not watched (closing "
			 "removed the old entry)\n"), P, n);
	}
	traced_epoll_ctl(epfd, EPOLL_CTL_ADD, q[0], EPOLLIN, (uint64_t)q[0]);
	role_say(_("pid %d: after ADD, epoll_wait = %d\n"), P, t_wait0(epfd, NULL));

	/* The registration belongs to the open file, not to the fd number. */
	int d = fcntl(q[0], F_DUPFD_CLOEXEC, 0);
	char c;

	traced_open(d, OPEN_PIPE_R, "dup of the pipe's read end", d < 0 ? errno : 0);
	if (read(q[0], &c, 1) != 1)
		c = 0;
	traced_close(q[0]);
	role_say(_("pid %d: dup(%d) = %d, then close(%d) without DEL\n"), P, q[0], d, q[0]);
	if (write_all(q[1], "z", 1) == 0) {
		int n = t_wait0(epfd, &ev);

		role_say(_("pid %d: epoll_wait = %d, data %llu: an event for fd %d, which is closed; the "
			 "dup keeps the file, so the registration lives on\n"), P, n,
			 n > 0 ? (unsigned long long)ev.data.u64 : 0ull, q[0]);
	}
	ret = traced_epoll_ctl(epfd, EPOLL_CTL_DEL, q[0], 0, 0);
	role_say(_("pid %d: and DEL(%d) = %s: it cannot be removed by that number any more (see "
		 "'inspect' or the kernel view)\n"), P, q[0], verdict(ret));
}

/* One pipe under a level- and an edge-triggered instance: how often each reports. */
static void
probe_triggers(void)
{
	int p[2], lt = traced_epoll_create1(EPOLL_CLOEXEC), et = traced_epoll_create1(EPOLL_CLOEXEC), n1, n2;
	char c;

	if (t_pipe(p) < 0)
		return;
	traced_epoll_ctl(lt, EPOLL_CTL_ADD, p[0], EPOLLIN, (uint64_t)p[0]);
	traced_epoll_ctl(et, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, (uint64_t)p[0]);
	if (write_all(p[1], "ab", 2) < 0)
		return;
	trace_log(SAY_LOG_TRIG_WRITE2, p[1]);
	role_say(_("pid %d: 2 bytes in a pipe watched by two instances: %d (level) and %d (edge)\n"),
		 P, lt, et);
	n1 = t_wait0(lt, NULL);
	n2 = t_wait0(lt, NULL);
	role_say(_("pid %d: level: epoll_wait = %d, again = %d (repeats while data is there)\n"), P,
		 n1, n2);
	n1 = t_wait0(et, NULL);
	n2 = t_wait0(et, NULL);
	role_say(_("pid %d: edge:  epoll_wait = %d, again = %d (reported once per change)\n"), P,
		 n1, n2);
	if (read(p[0], &c, 1) == 1) {
		trace_log(SAY_LOG_TRIG_READ, p[0]);
		n1 = t_wait0(lt, NULL);
		n2 = t_wait0(et, NULL);
		role_say(_("pid %d: read 1 byte of 2; level = %d, edge = %d (no new edge)\n"), P, n1,
			 n2);
	}
	if (write_all(p[1], "c", 1) < 0)
		return;
	trace_log(SAY_LOG_TRIG_WRITE1, p[1]);
	role_say(_("pid %d: 1 more byte arrives: edge = %d (a new edge)\n"), P, t_wait0(et, NULL));
}

/*
 * Data first, then ADD with EPOLLET, then epoll_wait: the notes say an edge
 * that came before the ADD is never reported.  The kernel's ep_insert polls
 * the file at ADD and puts it on the ready list if it is ready, so the first
 * epoll_wait (timeout 0: it only takes what is on the ready list) returns
 * it; the second returns nothing, as edge-triggered should.
 */
static void
probe_et_before_add(void)
{
	int p[2], epfd = traced_epoll_create1(EPOLL_CLOEXEC), n1, n2;
	struct epoll_event ev;

	if (t_pipe(p) < 0)
		return;
	if (write_all(p[1], "early\n", 6) < 0)
		return;
	trace_log(SAY_LOG_EARLY_WRITE, p[1]);
	role_say(_("pid %d: 6 bytes written into pipe fd %d before it is watched\n"), P, p[0]);
	traced_epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLET, (uint64_t)p[0]);
	n1 = t_wait0(epfd, &ev);
	n2 = t_wait0(epfd, NULL);
	role_say(_("pid %d: ADD with EPOLLET, then epoll_wait = %d, again = %d\n"), P, n1, n2);
	if (n1 == 1 && (ev.events & EPOLLIN)) {
		trace_log(SAY_LOG_ET_EARLY);
		role_say(_("pid %d: the notes claim EPOLLET misses data that came before the ADD. It does "
			   "not: ep_insert polls the pipe at ADD and queues it; the edge is reported once\n"),
			 P);
	} else {
		trace_log(SAY_LOG_ET_MISSED, n1);
	}
}

/* Read a line from the terminal; a background group is stopped by SIGTTIN first. */
static void __attribute__((noreturn))
probe_tty_read(void)
{
	char buf[256];
	struct trace_rec r;
	ssize_t n;

	role_say(_("pid %d: read(0) from the terminal, in process group %d (foreground: %d)\n"), P,
		 (int)getpgrp(), (int)tcgetpgrp(STDIN_FILENO));
	trace_rec_init(&r, TR_READY);
	trace_emit(&r);
	for (;;) {
		n = role_read_interruptible(STDIN_FILENO, buf, sizeof buf);
		traced_read(&r, STDIN_FILENO, buf, n);
		if (n < 0 && errno == EINTR && role_stop)
			break;
		if (n > 0)
			role_say(P_("pid %d: read %zd byte from the terminal: %s\n",
				    "pid %d: read %zd bytes from the terminal: %s\n", n),
				 P, n, r.text);
		if (n == 0)
			break;
	}
	traced_stop_signal();
	role_exit(0);
}

/* Run the probe kind of the job, then hold the fds until a stop signal and exit. */
void
probe_main(const struct role_args *a, int role)
{
	static const char *const names[] = { "probe-file", "probe-2inst", "probe-ctl", "probe-trig",
					     "probe-ttyread", "probe-etadd" };
	struct trace_rec r;
	sigset_t none;

	P = getpid();
	role_start(role, names[a->job.probe], 0);
	switch (a->job.probe) {
	case PROBE_REGULAR_FILE: probe_regular_file(); break;
	case PROBE_TWO_INSTANCES: probe_two_instances(); break;
	case PROBE_CTL_ERRORS: probe_ctl_errors(); break;
	case PROBE_TRIGGERS: probe_triggers(); break;
	case PROBE_ET_BEFORE_ADD: probe_et_before_add(); break;
	case PROBE_TTY_READ: probe_tty_read();
	}
	role_say(_("pid %d: holding its fds open; Ctrl+C ends it\n"), P);
	trace_rec_init(&r, TR_READY);
	trace_emit(&r);
	trace_flush();
	sigemptyset(&none);
	while (!role_stop && !trace_reader_gone())
		sigsuspend(&none);
	traced_stop_signal();
	role_exit(0);
}
