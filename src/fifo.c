/*
 * fifo.c - the FIFO watcher of the notes (262.c), re-implemented.
 *
 * mkfifo in a private mkdtemp directory; a blocking open(O_RDONLY) that
 * waits for a writer; EPOLLIN|EPOLLHUP; read and echo to the terminal.
 * After the writer hangs up, a level-triggered EPOLLHUP comes back on every
 * epoll_wait:
 *   hup=naive  leaves the fd in: the storm is real.  The first storm_detail
 *              returns are traced in full; after that the watcher polls with
 *              timeout 0 and reports counted hup_storm records every 100 ms,
 *              until a writer returns (a poll finds nothing) or storm_cap
 *              returns were counted, when it applies the cure itself.
 *   hup=fixed  the cure: EPOLL_CTL_DEL, close, reopen (blocking), ADD.
 * The directory and the FIFO are removed on every exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifo.h"
#include "role.h"
#include "trace.h"
#include "traced.h"
#include "util.h"

#define STORM_REPORT_NS (100 * 1000000ull)
#define STORM_SIGNAL_EVERY 64 /* untraced storm returns between two looks for a stop signal */

static struct {
	struct job_cfg cfg;
	pid_t pid;
	char dir[PATH_MAX - 16];
	char path[PATH_MAX];
	int fd;
	int epfd;
	uint64_t hups;      /* consecutive EPOLLHUP returns */
	uint64_t storm_t0;
	uint64_t storm_last;
} F;

/* Remove the FIFO and its private directory, whichever were made. */
static void
fifo_cleanup(void)
{
	if (F.path[0])
		unlink(F.path);
	if (F.dir[0])
		rmdir(F.dir);
}

/* Trace and say which signal stopped us (if any), close and remove the FIFO, exit. */
static void __attribute__((noreturn))
fifo_shutdown(int status)
{
	traced_stop_signal();
	if (role_stop_signo)
		role_say("pid %d: %s received, removing %s\n", F.pid, signal_name(role_stop_signo),
			 F.path);
	if (F.fd >= 0)
		traced_close(F.fd);
	fifo_cleanup();
	role_exit(status);
}

/* Blocking open for reading: returns when a writer opens the FIFO. */
static void
fifo_open(void)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_FIFO_WAITING);
	trace_rec_set_text(&r, F.path);
	trace_emit(&r);
	role_say("pid %d: open(\"%s\", O_RDONLY) waits for a writer\n", F.pid, F.path);
	F.fd = role_open_interruptible(F.path, O_RDONLY | O_CLOEXEC);
	trace_rec_init(&r, TR_FIFO_OPENED);
	trace_rec_set_text(&r, F.path);
	r.fd = F.fd;
	r.ret = F.fd;
	r.err = F.fd < 0 ? errno : 0;
	trace_emit(&r);
	if (F.fd < 0) {
		if (r.err == EINTR)
			fifo_shutdown(0);
		role_say("epollviz: open %s: %s\n", F.path, strerror(r.err));
		fifo_shutdown(1);
	}
	role_say("pid %d: a writer opened the FIFO; watching fd %d\n", F.pid, F.fd);
	traced_epoll_ctl(F.epfd, EPOLL_CTL_ADD, F.fd, EPOLLIN | EPOLLHUP, (uint64_t)F.fd);
}

/* The cure: DEL before close (close first and DEL fails with EBADF), then reopen and ADD. */
static void
fifo_reopen(void)
{
	traced_epoll_ctl(F.epfd, EPOLL_CTL_DEL, F.fd, 0, 0);
	traced_close(F.fd);
	F.fd = -1;
	F.hups = 0;
	fifo_open();
}

/* Emit and flush a hup_storm record (capped: 0 periodic, 1 cap reached, 2 over). */
static void
storm_report(int capped)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_HUP_STORM);
	r.epfd = F.epfd;
	r.fd = F.fd;
	r.count = F.hups;
	r.data = now_ns() - F.storm_t0;
	r.storm = capped;
	trace_emit(&r);
	/* The storm never blocks, so nothing else flushes: the screen would see it late. */
	trace_flush();
	F.storm_last = now_ns();
}

/* Read what the writer sent (retrying on EINTR), trace it and echo it. */
static void
on_read(void)
{
	char buf[4096];
	struct trace_rec r;
	ssize_t n;

	do
		n = read(F.fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	traced_read(&r, F.fd, buf, n);
	if (n > 0)
		role_say("pid %d: read %zd bytes: %s\n", F.pid, n, r.text);
}

/* One EPOLLHUP return.  Returns 1 when the fd was replaced. */
static int
on_hup(int traced)
{
	struct trace_rec r;

	if (traced) {
		trace_rec_init(&r, TR_FIFO_HUP);
		r.epfd = F.epfd;
		r.fd = F.fd;
		r.mode = F.cfg.hup;
		trace_emit(&r);
	}
	if (F.cfg.hup == HUP_FIXED) {
		role_say("pid %d: EPOLLHUP: the writer hung up; DEL, close, reopen, ADD\n", F.pid);
		fifo_reopen();
		return 1;
	}
	F.hups++;
	if (F.hups == 1)
		role_say("pid %d: EPOLLHUP: the writer hung up; naive mode leaves the fd in\n", F.pid);
	if (F.hups == (uint64_t)F.cfg.storm_detail) {
		F.storm_t0 = F.storm_last = now_ns();
		role_say("pid %d: EPOLLHUP returned %d times in a row: level-triggered, it will not "
			 "stop; counting from here\n", F.pid, F.cfg.storm_detail);
	} else if (F.hups > (uint64_t)F.cfg.storm_detail && now_ns() - F.storm_last >= STORM_REPORT_NS) {
		storm_report(0);
	}
	if (F.hups >= (uint64_t)F.cfg.storm_cap) {
		storm_report(1);
		role_say("pid %d: storm cap reached: %llu EPOLLHUP returns in %.0f ms; applying the "
			 "cure (DEL, close, reopen, ADD)\n", F.pid, (unsigned long long)F.hups,
			 (double)(now_ns() - F.storm_t0) / 1e6);
		fifo_reopen();
		return 1;
	}
	return 0;
}

/* Make the FIFO and the epoll fd, wait for a writer, then watch it until told to stop. */
void
fifo_main(const struct role_args *a, int role)
{
	struct epoll_event evs[8];
	struct trace_rec r;
	const char *tmp = getenv("TMPDIR");

	memset(&F, 0, sizeof F);
	F.cfg = a->job;
	F.pid = getpid();
	F.fd = F.epfd = -1;
	role_start(role, "fifo-watch", 0);
	snprintf(F.dir, sizeof F.dir, "%s/epollviz-fifo.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(F.dir) == NULL) {
		role_say("epollviz: mkdtemp %s: %s\n", F.dir, strerror(errno));
		F.dir[0] = '\0';
		fifo_shutdown(1);
	}
	snprintf(F.path, sizeof F.path, "%s/fifo", F.dir);
	if (mkfifo(F.path, 0600) < 0) {
		role_say("epollviz: mkfifo %s: %s\n", F.path, strerror(errno));
		F.path[0] = '\0';
		fifo_shutdown(1);
	}
	F.epfd = traced_epoll_create1(EPOLL_CLOEXEC);
	if (F.epfd < 0)
		fifo_shutdown(1);
	trace_rec_init(&r, TR_READY);
	trace_emit(&r);
	fifo_open();
	for (;;) {
		int traced = F.hups < (uint64_t)F.cfg.storm_detail;
		int n, err;

		/* A poll with timeout 0 never lets a signal in: look for one now and then. */
		if (!traced && F.hups % STORM_SIGNAL_EVERY == 0)
			role_take_pending_stop();
		if (role_stop || trace_reader_gone())
			fifo_shutdown(0);
		/* The storm is counted, not traced: a poll with timeout 0 per return. */
		n = traced ? traced_epoll_wait(F.epfd, evs, (int)ARRAY_LEN(evs), -1)
			   : epoll_pwait(F.epfd, evs, (int)ARRAY_LEN(evs), 0, &role_wait_mask);
		err = n < 0 ? errno : 0;
		if (n < 0) {
			if (err == EINTR)
				continue;
			fifo_shutdown(1);
		}
		if (n == 0 && !traced) {
			/* Nothing ready: a writer came back and the storm is over. */
			storm_report(2);
			role_say("pid %d: EPOLLHUP storm over after %llu returns\n", F.pid,
				 (unsigned long long)F.hups);
			F.hups = 0;
			continue;
		}
		for (int i = 0; i < n; i++) {
			uint32_t e = evs[i].events;

			if (e & EPOLLIN)
				on_read();
			if ((e & (EPOLLHUP | EPOLLERR)) && !(e & EPOLLIN)) {
				if (on_hup(traced))
					break;
			} else if (F.hups > 0) {
				if (F.hups > (uint64_t)F.cfg.storm_detail)
					storm_report(2);
				F.hups = 0;
			}
		}
	}
}
