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
 *
 * Two of 262.c's mistakes can be switched on, one at a time or together:
 *   read=once      one read(fd, buf, 255) per event, and the HUP branch runs
 *                  whenever EPOLLHUP is in the mask, as in 262.c.  When data
 *                  and the hang-up arrive together (EPOLLIN|EPOLLHUP), the
 *                  cure closes the FIFO with the rest unread: lost.  The
 *                  watcher asks the kernel how much (FIONREAD) just before
 *                  the close and traces it; read=all (the default) reads
 *                  until no EPOLLIN is left before it handles the hang-up.
 *   shadow_fd=yes  262.c's HUP branch declares its own `int file_fd` for the
 *                  reopen, shadowing the outer one.  It works only because
 *                  the reopened FIFO gets the number just freed.  Here a
 *                  placeholder takes that number across the reopen (as an
 *                  fd opened by another thread or a library between close
 *                  and open would), so the reopen gets another one, and the
 *                  outer variable (F.fd) names a closed fd: the next read or
 *                  epoll_ctl on it fails with EBADF.  262.c ignores read
 *                  errors and, level-triggered, would spin on that event
 *                  forever (its data.fd == file_fd test would skip the event
 *                  as well); after the first EBADF the watcher says so and
 *                  takes the fd from ev.data, which ADD was given.
 * The directory and the FIFO are removed on every exit path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifo.h"
#include "i18n.h"
#include "role.h"
#include "sentence.h"
#include "trace.h"
#include "traced.h"
#include "util.h"

#define STORM_REPORT_NS (100 * 1000000ull)
#define STORM_SIGNAL_EVERY 64 /* untraced storm returns between two looks for a stop signal */
#define NOTES_READ 255        /* 262.c: char buffer[256]; read(file_fd, buffer, sizeof(buffer) - 1) */

static struct {
	struct job_cfg cfg;
	pid_t pid;
	char dir[PATH_MAX - 16];
	char path[PATH_MAX];
	int fd;   /* the program's file_fd: with shadow_fd, it may name a closed fd */
	int live; /* the FIFO's fd really open, or -1: what the exit closes */
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
		role_say(_("pid %d: %s received, removing %s\n"), F.pid, signal_name(role_stop_signo),
			 F.path);
	if (F.live >= 0)
		traced_close(F.live);
	fifo_cleanup();
	role_exit(status);
}

/*
 * Blocking open for reading: returns the fd when a writer opens the FIFO,
 * and adds it.  outer >= 0: the fd goes into a new variable while the
 * outer one still names outer (shadow_fd).
 */
static int
fifo_open(int outer)
{
	struct trace_rec r;
	int fd;

	trace_rec_init(&r, TR_FIFO_WAITING);
	trace_rec_set_text(&r, F.path);
	trace_emit(&r);
	role_say(_("pid %d: open(\"%s\", O_RDONLY) waits for a writer\n"), F.pid, F.path);
	fd = role_open_interruptible(F.path, O_RDONLY | O_CLOEXEC);
	F.live = fd;
	trace_rec_init(&r, TR_FIFO_OPENED);
	trace_rec_set_text(&r, F.path);
	r.fd = fd;
	r.ret = fd;
	r.err = fd < 0 ? errno : 0;
	if (outer >= 0) {
		r.shadowed = 1;
		r.outer_fd = outer;
	}
	trace_emit(&r);
	if (fd < 0) {
		if (r.err == EINTR)
			fifo_shutdown(0);
		role_say("epollviz: open %s: %s\n", F.path, strerror(r.err));
		fifo_shutdown(1);
	}
	role_say(_("pid %d: a writer opened the FIFO; watching fd %d\n"), F.pid, fd);
	if (outer >= 0 && outer != fd)
		role_say(_("pid %d: 262.c: the HUP branch's own file_fd is %d; the outer file_fd still "
			 "says %d, which is closed\n"), F.pid, fd, outer);
	traced_epoll_ctl(F.epfd, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLHUP, (uint64_t)fd);
	return fd;
}

/*
 * 262.c's reopen into a shadowing variable: a placeholder holds the number
 * just freed while the FIFO is reopened, so the reopen gets another one;
 * the outer file_fd (F.fd) is left naming a closed fd.
 */
static void
fifo_reopen_shadowed(void)
{
	int outer = F.fd, hold = open("/dev/null", O_RDONLY | O_CLOEXEC);

	/* Lowest free is not always the number just freed: take exactly that one. */
	if (hold >= 0 && hold != outer) {
		int at = fcntl(hold, F_DUPFD_CLOEXEC, outer);

		close(hold);
		hold = at;
	}
	traced_open(hold, OPEN_FILE, "/dev/null", hold < 0 ? errno : 0);
	if (hold >= 0)
		trace_log(SAY_LOG_PLACEHOLDER, hold);
	fifo_open(outer);
	if (hold >= 0)
		traced_close(hold);
}

/*
 * After a use of file_fd failed with EBADF: if it is the stale number of a
 * shadowed reopen, say so and take the fd from ev.data.  Returns 1 when it
 * did (the caller tries again), 0 otherwise.
 */
static int
stale_rescue(uint64_t data, const char *call)
{
	int fd = (int)data;

	if (errno != EBADF || !F.cfg.shadow_fd || fd == F.fd || fd != F.live)
		return 0;
	trace_log(SAY_LOG_SHADOW, call, F.fd, fd);
	role_say(_("pid %d: %s(%d): EBADF: the outer file_fd names a closed fd. 262.c ignores the "
		 "error and would spin on this event forever; epollviz takes fd %d from ev.data\n"),
		 F.pid, call, F.fd, fd);
	F.fd = fd;
	return 1;
}

/* The cure: DEL before close (close first and DEL fails with EBADF), then reopen and ADD. */
static void
fifo_reopen(uint64_t data)
{
	if (traced_epoll_ctl(F.epfd, EPOLL_CTL_DEL, F.fd, 0, 0) < 0 && stale_rescue(data, "epoll_ctl"))
		traced_epoll_ctl(F.epfd, EPOLL_CTL_DEL, F.fd, 0, 0);
	traced_close(F.fd);
	if (F.fd == F.live)
		F.live = -1;
	F.hups = 0;
	if (F.cfg.shadow_fd) {
		fifo_reopen_shadowed();
		return;
	}
	F.fd = fifo_open(-1);
}

/* Emit and flush a hup_storm record (capped: 0 periodic, 1 cap reached, 2 over). */
static void
storm_report(int capped)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_HUP_STORM);
	r.epfd = F.epfd;
	r.fd = F.live;
	r.count = F.hups;
	r.data = now_ns() - F.storm_t0;
	r.storm = capped;
	trace_emit(&r);
	/* The storm never blocks, so nothing else flushes: the screen would see it late. */
	trace_flush();
	F.storm_last = now_ns();
}

/* Read what the writer sent (retrying on EINTR), trace it and echo it; data: the event's. */
static void
on_read(uint64_t data)
{
	char buf[4096];
	struct trace_rec r;
	size_t want = F.cfg.read == FIFO_READ_ONCE ? NOTES_READ : sizeof buf;
	ssize_t n;

	for (int again = 1; again; ) {
		do
			n = read(F.fd, buf, want);
		while (n < 0 && errno == EINTR);
		traced_read(&r, F.fd, buf, n);
		again = n < 0 && stale_rescue(data, "read");
	}
	if (n > 0)
		role_say(P_("pid %d: read %zd byte: %s\n", "pid %d: read %zd bytes: %s\n", n), F.pid, n,
			 r.text);
}

/* Bytes still unread in the FIFO (FIONREAD), or 0 when the kernel does not say. */
static uint64_t
fifo_unread(void)
{
	int n = 0;

	if (F.live < 0 || ioctl(F.live, FIONREAD, &n) < 0 || n < 0)
		return 0;
	return (uint64_t)n;
}

/* One EPOLLHUP return (events: its mask, data: its data).  Returns 1 when the fd was replaced. */
static int
on_hup(int traced, uint32_t events, uint64_t data)
{
	struct trace_rec r;
	uint64_t lost = F.cfg.hup == HUP_FIXED ? fifo_unread() : 0;

	if (traced) {
		trace_rec_init(&r, TR_FIFO_HUP);
		r.epfd = F.epfd;
		r.fd = F.live;
		r.mode = F.cfg.hup;
		r.events = events;
		r.lost = lost;
		trace_emit(&r);
	}
	if (F.cfg.hup == HUP_FIXED) {
		if (lost)
			role_say(P_("pid %d: EPOLLHUP with %llu byte still unread: 262.c closes anyway; "
				    "it is lost\n",
				    "pid %d: EPOLLHUP with %llu bytes still unread: 262.c closes anyway; "
				    "they are lost\n", lost),
				 F.pid, (unsigned long long)lost);
		role_say(_("pid %d: EPOLLHUP: the writer hung up; DEL, close, reopen, ADD\n"), F.pid);
		fifo_reopen(data);
		return 1;
	}
	F.hups++;
	if (F.hups == 1)
		role_say(_("pid %d: EPOLLHUP: the writer hung up; naive mode leaves the fd in\n"), F.pid);
	if (F.hups == (uint64_t)F.cfg.storm_detail) {
		F.storm_t0 = F.storm_last = now_ns();
		role_say(P_("pid %d: EPOLLHUP returned %d time in a row: level-triggered, it will not "
			    "stop; counting from here\n",
			    "pid %d: EPOLLHUP returned %d times in a row: level-triggered, it will not "
			    "stop; counting from here\n", F.cfg.storm_detail),
			 F.pid, F.cfg.storm_detail);
	} else if (F.hups > (uint64_t)F.cfg.storm_detail && now_ns() - F.storm_last >= STORM_REPORT_NS) {
		storm_report(0);
	}
	if (F.hups >= (uint64_t)F.cfg.storm_cap) {
		storm_report(1);
		/* TRANSLATORS: the cure's steps DEL, close, reopen, ADD are named by their calls. */
		role_say(P_("pid %d: storm cap reached: %llu EPOLLHUP return in %.0f ms; applying the "
			    "cure (DEL, close, reopen, ADD)\n",
			    "pid %d: storm cap reached: %llu EPOLLHUP returns in %.0f ms; applying the "
			    "cure (DEL, close, reopen, ADD)\n", F.hups),
			 F.pid, (unsigned long long)F.hups,
			 (double)(now_ns() - F.storm_t0) / 1e6);
		fifo_reopen(data);
		return 1;
	}
	return 0;
}

/*
 * Does this return take the HUP branch?  read=all: only when no data is
 * left (EPOLLIN absent); read=once: whenever EPOLLHUP is in the mask, as
 * 262.c's two independent `if`s do.
 */
static int
takes_hup_branch(uint32_t e)
{
	if (!(e & (EPOLLHUP | EPOLLERR)))
		return 0;
	return F.cfg.read == FIFO_READ_ONCE || !(e & EPOLLIN);
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
	F.fd = F.live = F.epfd = -1;
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
	F.fd = fifo_open(-1);
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
			role_say(P_("pid %d: EPOLLHUP storm over after %llu return\n",
				    "pid %d: EPOLLHUP storm over after %llu returns\n", F.hups), F.pid,
				 (unsigned long long)F.hups);
			F.hups = 0;
			continue;
		}
		for (int i = 0; i < n; i++) {
			uint32_t e = evs[i].events;

			if (e & EPOLLIN)
				on_read(evs[i].data.u64);
			if (takes_hup_branch(e)) {
				if (on_hup(traced, e, evs[i].data.u64))
					break;
			} else if (F.hups > 0) {
				if (F.hups > (uint64_t)F.cfg.storm_detail)
					storm_report(2);
				F.hups = 0;
			}
		}
	}
}
