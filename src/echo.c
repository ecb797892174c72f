/*
 * echo.c - the echo server of the notes (358.c), re-implemented with its
 * bugs fixed: the server parent (worker 0) and its re-executed children
 * (workers 1..N-1), each with its own epoll instance unless accept is
 * shared-epoll.  Every syscall that matters is traced.
 *
 * Accept arbitration (job option accept):
 *   semaphore     sem_trywait on a named POSIX semaphore before accept
 *   exclusive     the listening socket added with EPOLLEXCLUSIVE
 *   reuseport     one listening socket per worker, SO_REUSEPORT
 *   shared-epoll  one epoll instance created before fork, shared by all
 *   none          everybody calls accept; losers get EAGAIN
 *   mutex         nginx's accept_mutex: a lock word in shared memory (a
 *                 memfd made before fork, so re-executed workers map it
 *                 too) holds its holder's pid.  Before each epoll_wait a
 *                 worker try-locks it: the winner ADDs the listening socket
 *                 to its own instance (if it is not there), a loser DELs
 *                 it (if it was) and waits at most mutex_delay ms before it
 *                 tries again.  After a wait the holder accepts first, then
 *                 unlocks, then serves its connections.  accept_disabled:
 *                 a worker with more than 7/8 of its connection slots in
 *                 use skips the contest for as many turns as it is over.
 *                 The parent frees the word when a worker dies holding it.
 *
 * Load for the contest: work_us of busy CPU per answered line, and worker
 * stall_worker sleeping stall_ms every stall_every lines.
 *
 * Lines: a reply "pid = N | <line>\n" is sent for every '\n'-terminated
 * line.  A partial line is kept until its end arrives and flushed as a reply
 * at EOF; a line longer than LINE_CAP bytes is answered in LINE_CAP pieces.
 * Replies that the peer does not read are queued up to OUT_CAP bytes; past
 * that the worker stops reading that connection until EPOLLOUT.
 *
 * epoll data: the fd, as in the notes; with shared-epoll it is tagged
 * (pid << 32 | fd) so that a worker can tell another's event from its own.
 *
 * The notes' mistakes, each behind a job option whose default is the fix
 * (docs/SCENARIOS.md):
 *   listener = blocking  the listening socket left blocking: a worker that
 *                        wins the semaphore when the queue is already empty
 *                        (a late winner, or the last accept of a drain loop)
 *                        sleeps in accept() holding it
 *   sem_lost = break     `break` after a lost sem_trywait: the rest of the
 *                        epoll_wait batch is skipped (a batch_skip record)
 *   sigpipe = default    send without MSG_NOSIGNAL, SIGPIPE at its default
 *                        action: a send to a peer that has gone kills the
 *                        worker, holding the semaphore if it won it
 *   reply = notes        handle_client: per recv, "pid = N | " and then
 *                        the bytes up to strchr(buf, '\n'), two writes,
 *                        modelled safely (see notes_reply)
 *   sem_name = /NAME     a fixed name with O_CREAT|O_EXCL (the run passes
 *                        it as --sem): EEXIST when a crash left it behind
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "echo.h"
#include "i18n.h"
#include "role.h"
#include "sentence.h"
#include "trace.h"
#include "traced.h"
#include "util.h"

#define MAX_WORKERS 8
#define MAX_EVENTS 32
#define RECV_BUF 4096
#define LINE_CAP 4096
#define OUT_CAP (64 * 1024)
#define SHUTDOWN_MS 3000         /* workers end by themselves after SIGINT within this */
#define SHUTDOWN_KILL_MS 1000    /* and after SIGKILL within this */
#define REAP_POLL_NS (50 * 1000000) /* how long one wait for SIGCHLD lasts at most */
#define NOTES_BUF 8192           /* handle_client's char buf[8192] */
#define LOCK_NAME "accept_mutex"  /* the lock word's name in the trace, as nginx's */

_Static_assert(MAX_EVENTS <= TRACE_MAX_READY, "a whole epoll_wait batch fits in one logical record");

struct conn {
	int fd;
	int peer_port;
	uint32_t events; /* as registered */
	char line[LINE_CAP];
	size_t nline;
	char *out;
	size_t out_len, out_cap;
	int read_blocked; /* stopped reading: too much unsent output */
};

struct echo {
	struct job_cfg cfg;
	int index;
	int is_parent;
	int lfd;
	int epfd;
	int port;
	int shared;
	pid_t pid;
	sem_t *sem;
	char sem_name[64];
	pid_t children[MAX_WORKERS];
	int nchildren;
	int exit_status;
	struct conn **conns; /* indexed by fd */
	int nconns;
	int live;     /* connections open now */
	uint64_t served; /* lines answered */
	/* accept = mutex */
	_Atomic uint32_t *lock; /* the lock word: its holder's pid, 0 when free */
	int lock_fd;
	int held;       /* this worker holds the lock now */
	int registered; /* the listening socket is in this worker's interest list */
	int disabled;   /* turns left to skip the contest (accept_disabled) */
	/*
	 * reply = notes: handle_client's stack buffer.  The same frame every
	 * call, so what one recv leaves beyond its bytes is there for the
	 * next; zeroed at start, where the real one holds whatever the stack did.
	 */
	char notes_buf[NOTES_BUF];
};

static struct echo E;

/* The epoll data word for fd, as this worker registers it. */
static uint64_t
data_for(int fd)
{
	if (E.shared && fd != E.lfd)
		return ((uint64_t)(uint32_t)E.pid << 32) | (uint32_t)fd;
	return (uint64_t)(uint32_t)fd;
}

/* The connection on fd, or NULL if fd has none. */
static struct conn *
conn_get(int fd)
{
	return fd >= 0 && fd < E.nconns ? E.conns[fd] : NULL;
}

/* A new empty connection for fd, stored in the fd table (grown as needed). */
static struct conn *
conn_new(int fd, int peer_port)
{
	struct conn *c;

	if (fd >= E.nconns) {
		int n = E.nconns ? E.nconns : 64;

		while (n <= fd)
			n *= 2;
		E.conns = xreallocarray(E.conns, (size_t)n, sizeof *E.conns);
		memset(E.conns + E.nconns, 0, (size_t)(n - E.nconns) * sizeof *E.conns);
		E.nconns = n;
	}
	c = xcalloc(1, sizeof *c);
	E.live++;
	c->fd = fd;
	c->peer_port = peer_port;
	E.conns[fd] = c;
	return c;
}

/* DEL, then close: the order the notes use and the one that works. */
static void
conn_close(struct conn *c, const char *why)
{
	traced_epoll_ctl(E.epfd, EPOLL_CTL_DEL, c->fd, 0, 0);
	traced_close(c->fd);
	/* TRANSLATORS: %4$s is why the connection ends: "closed by peer", "recv failed"... */
	role_say(_("pid %d: fd %d (peer port %d) %s, closed\n"), E.pid, c->fd, c->peer_port, why);
	E.conns[c->fd] = NULL;
	E.live--;
	free(c->out);
	free(c);
}

/* Add n bytes to the connection's unsent output, growing the buffer. */
static void
out_append(struct conn *c, const char *s, size_t n)
{
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 256;

		while (cap < c->out_len + n)
			cap *= 2;
		c->out = xreallocarray(c->out, cap, 1);
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, s, n);
	c->out_len += n;
}

/*
 * Sleep ms, or until a stop signal: the signals are unblocked only inside
 * the wait, as in every other wait of a role.
 */
static void
stall_sleep(int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000u;

	trace_flush(); /* nothing waits in the buffer while the worker sleeps */
	while (!role_stop) {
		uint64_t now = now_ns();
		struct timespec ts;

		if (now >= end)
			break;
		ts.tv_sec = (time_t)((end - now) / 1000000000u);
		ts.tv_nsec = (long)((end - now) % 1000000000u);
		ppoll(NULL, 0, &ts, &role_wait_mask);
	}
}

/* The contest's load, per answered line: work_us of CPU, and the stalled worker's sleep. */
static void
served_one(void)
{
	E.served++;
	if (E.cfg.work_us > 0) {
		uint64_t end = now_ns() + (uint64_t)E.cfg.work_us * 1000u;

		while (now_ns() < end)
			; /* busy on purpose: a request's CPU work */
	}
	if (E.cfg.stall_ms > 0 && E.index == E.cfg.stall_worker && E.served % (uint64_t)E.cfg.stall_every == 0) {
		trace_log(SAY_LOG_STALL, E.pid,
			  E.cfg.stall_ms, (unsigned long long)E.served, E.index, E.cfg.stall_every);
		stall_sleep(E.cfg.stall_ms);
	}
}

/* Queue "pid = N | line\n". */
static void
reply_line(struct conn *c, const char *line, size_t n)
{
	char head[48];
	int k = snprintf(head, sizeof head, "pid = %d | ", E.pid);

	served_one();
	out_append(c, head, (size_t)k);
	out_append(c, line, n);
	out_append(c, "\n", 1);
}

/* Split received bytes into lines; NUL and any byte value are data. */
static void
consume(struct conn *c, const char *buf, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;
		size_t room = LINE_CAP - c->nline;

		if (take > room)
			take = room;
		memcpy(c->line + c->nline, buf, take);
		c->nline += take;
		buf += take;
		n -= take;
		if (n > 0 && *buf == '\n') {
			reply_line(c, c->line, c->nline);
			c->nline = 0;
			buf++;
			n--;
		} else if (c->nline == LINE_CAP) {
			reply_line(c, c->line, c->nline);
			c->nline = 0;
		}
	}
}

/* Register interest in EPOLLOUT only while output is pending. */
static void
want_out(struct conn *c, int on)
{
	uint32_t ev = c->events & ~(uint32_t)EPOLLOUT;

	if (on)
		ev |= EPOLLOUT;
	if (ev == c->events)
		return;
	c->events = ev;
	traced_epoll_ctl(E.epfd, EPOLL_CTL_MOD, c->fd, ev, data_for(c->fd));
}

/*
 * send(2) without blocking, traced.  With sigpipe = default there is no
 * MSG_NOSIGNAL and SIGPIPE is at its default action: a send to a peer that
 * has gone kills the process inside the call, so the trace is written
 * first (nothing may be left in the buffer).  Same return and errno.
 */
static ssize_t
send_traced(int fd, const void *buf, size_t len)
{
	int flags = MSG_DONTWAIT, err;
	ssize_t n;

	if (E.cfg.sigpipe == SIGPIPE_DEFAULT)
		trace_flush();
	else
		flags |= MSG_NOSIGNAL;
	n = send(fd, buf, len, flags);
	err = n < 0 ? errno : 0;
	traced_result(TR_SEND, fd, n, err);
	errno = err;
	return n;
}

/* Send what is queued.  Returns -1 if the connection died. */
static int
flush_out(struct conn *c)
{
	size_t done = 0;

	while (done < c->out_len) {
		ssize_t n = send_traced(c->fd, c->out + done, c->out_len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		return -1;
	}
	if (done > 0) {
		memmove(c->out, c->out + done, c->out_len - done);
		c->out_len -= done;
	}
	want_out(c, c->out_len > 0);
	return 0;
}

/*
 * reply = notes: handle_client's answer to one recv, without its undefined
 * behaviour.  The notes send "pid = N | " (dprintf), then
 * send(buf, strchr(buf, '\n') + 1 - buf): strchr scans from the start of
 * the buffer, past the bytes this recv got if they hold no newline, into
 * what earlier recv calls left there, and stops at the first '\n' or NUL.
 * A newline found: the bytes up to it are sent, stale ones included (and
 * the lines after the first one of this recv are never answered).  A NUL
 * (or the buffer's end) first: strchr returns NULL and the notes' length
 * is garbage; here nothing more is sent.  Each surprise is logged.
 */
static void
notes_reply(struct conn *c, size_t n)
{
	char head[48];
	int k = snprintf(head, sizeof head, "pid = %d | ", E.pid);
	size_t i = 0;

	served_one();
	send_traced(c->fd, head, (size_t)k);
	while (i < NOTES_BUF && E.notes_buf[i] != '\n' && E.notes_buf[i] != '\0')
		i++;
	if (i == NOTES_BUF || E.notes_buf[i] == '\0') {
		trace_log(SAY_LOG_NO_NEWLINE, E.pid, n, c->fd);
		return;
	}
	if (i >= n)
		trace_log(SAY_LOG_STALE_BYTES, E.pid, n, c->fd, i + 1 - n);
	send_traced(c->fd, E.notes_buf, i + 1);
}

/* reply = notes: recv into the one buffer until EAGAIN, answering each recv as handle_client. */
static void
conn_readable_notes(struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, E.notes_buf, sizeof E.notes_buf, 0);

		traced_result(TR_RECV, c->fd, n, n < 0 ? errno : 0);
		if (n > 0) {
			notes_reply(c, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c, n == 0 ? _("closed by peer") : _("recv failed"));
		return;
	}
}

/* Read until EAGAIN (edge-triggered rule), answering every complete line. */
static void
conn_readable(struct conn *c)
{
	char buf[RECV_BUF];

	if (E.cfg.reply == REPLY_NOTES) {
		conn_readable_notes(c);
		return;
	}
	for (;;) {
		ssize_t n;

		if (c->out_len >= OUT_CAP) {
			c->read_blocked = 1;
			return;
		}
		n = recv(c->fd, buf, sizeof buf, 0);
		traced_result(TR_RECV, c->fd, n, n < 0 ? errno : 0);
		if (n > 0) {
			consume(c, buf, (size_t)n);
			if (flush_out(c) < 0) {
				conn_close(c, _("send failed"));
				return;
			}
			continue;
		}
		if (n == 0) {
			if (c->nline > 0) {
				reply_line(c, c->line, c->nline);
				c->nline = 0;
			}
			flush_out(c);
			conn_close(c, _("closed by peer"));
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		conn_close(c, errno == ECONNRESET ? _("reset by peer") : _("recv failed"));
		return;
	}
}

/* EPOLLOUT: send what is queued, and resume reading once it is all gone. */
static void
conn_writable(struct conn *c)
{
	if (flush_out(c) < 0) {
		conn_close(c, _("send failed"));
		return;
	}
	if (c->out_len == 0 && c->read_blocked) {
		c->read_blocked = 0;
		conn_readable(c);
	}
}

/* One accept(2), traced; the new socket is non-blocking before it is added. */
static int
accept_one(void)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct trace_rec r;
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;
	int fd;

	memset(&ss, 0, sizeof ss);
	if (E.cfg.listener == LISTENER_BLOCKING) {
		/*
		 * The notes' blocking socket: with nothing queued this sleeps,
		 * holding the semaphore if the worker won it, until a connection
		 * comes (or a stop signal: EINTR).  The trace is written first.
		 */
		for (;;) {
			sl = sizeof ss;
			fd = role_accept_interruptible(E.lfd, (struct sockaddr *)&ss, &sl,
						       SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd >= 0 || errno != EINTR || role_stop)
				break; /* SIGCHLD interrupts it too: only a stop signal ends it */
		}
	} else {
		fd = accept4(E.lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	}
	int err = fd < 0 ? errno : 0;

	if (fd >= 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
			port = ntohs(s4->sin_port);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
			port = ntohs(s6->sin6_port);
		}
	}
	trace_rec_init(&r, TR_ACCEPT);
	r.fd = E.lfd;
	r.ret = fd;
	r.err = err;
	r.port = port;
	snprintf(r.text, sizeof r.text, "%s:%d", host, port);
	trace_emit(&r);
	if (fd < 0) {
		if (err == EMFILE || err == ENFILE)
			role_say(_("pid %d: accept: %s (too many open files); serving what it has\n"),
				 E.pid, strerror(err));
		errno = err;
		return -1;
	}
	struct conn *c = conn_new(fd, port);
	c->events = EPOLLIN | (E.cfg.trigger == TRIG_EDGE ? EPOLLET : 0);
	if (traced_epoll_ctl(E.epfd, EPOLL_CTL_ADD, fd, c->events, data_for(fd)) < 0) {
		traced_close(fd);
		E.conns[fd] = NULL;
		free(c);
		return 0;
	}
	role_say(_("pid %d: accepted %s as fd %d\n"), E.pid, r.text, fd);
	if (E.lock && E.cfg.accept_disabled) {
		/* nginx: ngx_accept_disabled = connection_n / 8 - free_connection_n */
		int over = E.cfg.connections / 8 - (E.cfg.connections - E.live);

		if (over > 0 && E.disabled <= 0)
			trace_log(SAY_LOG_DISABLED, E.pid, E.live, E.cfg.connections, over);
		E.disabled = over;
	}
	/*
	 * Bytes may be queued: ADD reports them even with EPOLLET (ep_insert
	 * polls); serve them a wait sooner.  With the semaphore that is inside
	 * it, as the notes call handle_client before sem_post: a slow request
	 * (or a stalled worker) holds every other worker off accept meanwhile.
	 * Not under the accept mutex: nginx unlocks before it serves, so the
	 * next wait returns them.
	 */
	if (E.lock == NULL)
		conn_readable(c);
	return 0;
}

/* An event on the listening socket: arbitrate, then accept one or all.  -1: the semaphore was lost. */
static int
listen_event(void)
{
	int ret;

	if (E.sem) {
		ret = sem_trywait(E.sem);
		traced_result(TR_SEM_TRYWAIT, -1, ret, ret < 0 ? errno : 0);
		if (ret < 0) {
			role_say(_("pid %d: could not take the semaphore\n"), E.pid);
			return -1; /* the caller serves the rest of the batch, unless sem_lost = break */
		}
	}
	do {
		if (accept_one() < 0)
			break;
	} while (E.cfg.accept_loop == LOOP_DRAIN && !role_stop);
	if (E.sem) {
		ret = sem_post(E.sem);
		traced_result(TR_SEM_POST, -1, ret, ret < 0 ? errno : 0);
	}
	return 0;
}

/* --- accept = mutex ------------------------------------------------------ */

/* A lock record begun now (its time is the moment of this call): lock_try or lock_release. */
static void
lock_rec(struct trace_rec *r, int type)
{
	trace_rec_init(r, type);
	trace_rec_set_text(r, LOCK_NAME);
	r->fd = E.lock_fd;
}

/* Finish and emit it. */
static void
lock_emit(struct trace_rec *r, int ret, int err, int owner)
{
	r->ret = ret;
	r->err = err;
	r->owner = owner;
	trace_emit(r);
}

/* A lock record of this worker, made and emitted now. */
static void
trace_lock(int type, int ret, int err, int owner)
{
	struct trace_rec r;

	lock_rec(&r, type);
	lock_emit(&r, ret, err, owner);
}

/*
 * The lock word: made by the parent (a memfd without CLOEXEC, so that the
 * re-executed workers inherit it) or mapped from the inherited fd.
 */
static void
open_lock(int create, int fd)
{
	struct trace_rec r;
	void *p = MAP_FAILED;
	int err = 0;

	if (create) {
		fd = memfd_create("epollviz-accept-mutex", 0);
		if (fd >= 0 && ftruncate(fd, (off_t)sizeof(uint32_t)) < 0) {
			err = errno;
			close(fd);
			fd = -1;
			errno = err;
		}
	}
	if (fd >= 0)
		p = mmap(NULL, sizeof(uint32_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	err = p == MAP_FAILED ? errno : 0;
	E.lock_fd = fd;
	trace_rec_init(&r, TR_LOCK_OPEN);
	trace_rec_set_text(&r, LOCK_NAME);
	r.fd = fd;
	r.initial = create ? 1 : -1;
	r.ret = p == MAP_FAILED ? -1 : 0;
	r.err = err;
	trace_emit(&r);
	if (p == MAP_FAILED) {
		role_say(_("epollviz: the accept lock (memfd %d): %s\n"), fd, strerror(err));
		role_exit(1);
	}
	E.lock = p;
}

/* ADD or DEL the listening socket in this worker's instance, as the contest decides. */
static void
listener_watch(int on)
{
	uint32_t ev = EPOLLIN | (E.cfg.trigger == TRIG_EDGE ? EPOLLET : 0);

	if (on == E.registered)
		return;
	if (traced_epoll_ctl(E.epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, E.lfd, on ? ev : 0, data_for(E.lfd)) == 0)
		E.registered = on;
}

/*
 * nginx's ngx_trylock_accept_mutex, before each wait: skip the contest while
 * accept_disabled says so (giving the socket up: only a holder waits on it),
 * else try the lock; the winner watches the listening socket, a loser stops
 * watching it.  Returns the wait's timeout: none for the holder, mutex_delay
 * for the others, who try again after it.
 */
static int
mutex_contest(void)
{
	uint32_t expected = 0;

	if (E.disabled > 0) {
		E.disabled--;
		listener_watch(0);
		return E.cfg.mutex_delay;
	}
	if (atomic_compare_exchange_strong(E.lock, &expected, (uint32_t)E.pid)) {
		E.held = 1;
		trace_lock(TR_LOCK_TRY, 0, 0, E.pid);
		listener_watch(1);
		return -1;
	}
	trace_lock(TR_LOCK_TRY, -1, EBUSY, (int)expected);
	listener_watch(0);
	return E.cfg.mutex_delay;
}

/*
 * After the accepts of a turn: give the lock back (the socket stays watched
 * until the next turn).  The record's time is taken before the word
 * changes, as a take's is after: in the trace, one holder's span never
 * overlaps the next one's.
 */
static void
mutex_release(void)
{
	uint32_t expected = (uint32_t)E.pid;
	struct trace_rec r;
	int ok;

	if (!E.held)
		return;
	E.held = 0;
	lock_rec(&r, TR_LOCK_RELEASE);
	ok = atomic_compare_exchange_strong(E.lock, &expected, 0);
	lock_emit(&r, ok ? 0 : -1, ok ? 0 : EPERM, ok ? E.pid : (int)expected);
}

/* The parent: a worker that died holding the lock would keep it forever (nginx's master frees it too). */
static void
mutex_force_unlock(pid_t dead)
{
	uint32_t expected = (uint32_t)dead;

	if (E.lock && atomic_compare_exchange_strong(E.lock, &expected, 0)) {
		trace_lock(TR_LOCK_RELEASE, 0, 0, (int)dead);
		role_say(_("pid %d: worker %d died holding the accept lock; freed it\n"), E.pid, dead);
	}
}

/* Emit a stray record: an event this worker cannot serve, and why. */
static void
trace_stray(const struct epoll_event *ev, int fd, int reason, int owner)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_STRAY);
	r.epfd = E.epfd;
	r.fd = fd;
	r.data = ev->data.u64;
	r.events = ev->events;
	r.reason = reason;
	r.owner = owner;
	trace_emit(&r);
}

/* Serve one ready event: the listening socket, or a connection's output and input.  -1: the semaphore was lost. */
static int
dispatch(const struct epoll_event *ev)
{
	uint64_t d = ev->data.u64;
	int fd = (int)(uint32_t)d;
	int owner = (int)(d >> 32);
	struct conn *c;

	if (fd == E.lfd && owner == 0)
		return listen_event();
	if (E.shared && owner != E.pid) {
		trace_stray(ev, fd, STRAY_NOT_MINE, owner);
		role_say(_("pid %d: event for pid %d's fd %d arrived here; this process has no such "
			 "connection\n"), E.pid, owner, fd);
		return 0;
	}
	c = conn_get(fd);
	if (c == NULL) {
		trace_stray(ev, fd, STRAY_NOT_OPEN, owner);
		return 0;
	}
	if (ev->events & EPOLLOUT)
		conn_writable(c);
	c = conn_get(fd);
	if (c && (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
		conn_readable(c);
	return 0;
}

/* sem_lost = break: the notes leave the batch after a lost sem_trywait; trace what they skip. */
static void
trace_skip(const struct epoll_event *evs, int at, int n)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_BATCH_SKIP);
	r.epfd = E.epfd;
	r.fd = E.lfd;
	r.batch = n;
	r.count = (uint64_t)(n - at - 1);
	for (int i = at + 1; i < n && r.npairs < TRACE_MAX_READY; i++) {
		r.pairs[r.npairs].events = evs[i].events;
		r.pairs[r.npairs].data = evs[i].data.u64;
		r.npairs++;
	}
	trace_emit(&r);
	role_say(P_("pid %d: break: %d more ready event of this epoll_wait not served\n",
		    "pid %d: break: %d more ready events of this epoll_wait not served\n", n - at - 1),
		 E.pid, n - at - 1);
}

/* A worker reaped: its record; one killed by a signal ends the server. */
static void
worker_reaped(void *ctx, pid_t p, int st)
{
	struct trace_rec r;

	(void)ctx;
	trace_rec_reap(&r, p, st);
	trace_emit(&r);
	mutex_force_unlock(p);
	/* The notes never look at their child: the survivor goes on (sigpipe = default shows it). */
	if (WIFSIGNALED(st) && E.cfg.sigpipe == SIGPIPE_DEFAULT) {
		role_say(_("pid %d: worker %d was killed by %s; the notes' server goes on without it\n"),
			 E.pid, p, signal_name(WTERMSIG(st)));
	} else if (WIFSIGNALED(st)) {
		E.exit_status = 1;
		if (!role_stop) {
			role_say(_("pid %d: worker %d was killed by %s; stopping the server\n"), E.pid, p,
				 signal_name(WTERMSIG(st)));
			role_stop = 1;
		}
	}
	for (int i = 0; i < E.nchildren; i++) {
		if (E.children[i] == p) {
			E.children[i] = E.children[--E.nchildren];
			break;
		}
	}
}

/* Reap the workers, waiting at most block_ms for them (0: only those already gone). */
static void
reap_children(int block_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)block_ms * 1000000u;

	while (E.nchildren > 0) {
		if (reap_each(0, worker_reaped, NULL) > 0)
			continue;
		if (block_ms == 0 || now_ns() >= deadline)
			return;
		/* SIGCHLD is blocked: wait for it without a handler race. */
		sigset_t set;
		siginfo_t si;
		struct timespec ts = { 0, REAP_POLL_NS };

		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigtimedwait(&set, &si, &ts);
	}
}

/* The SIGINT handler chain of the notes, run from the main loop. */
static void __attribute__((noreturn))
shutdown_server(void)
{
	struct trace_rec r;
	int sig = role_stop_signo ? role_stop_signo : SIGTERM;

	traced_stop_signal();
	if (role_stop_signo)
		role_say(_("pid %d: %s received (si_code %s, from pid %d), shutting down\n"), E.pid,
			 signal_name(role_stop_signo),
			 si_code_name(role_stop_code) ? si_code_name(role_stop_code) : "?",
			 (int)role_stop_pid);
	if (E.is_parent) {
		for (int i = 0; i < E.nchildren; i++)
			traced_kill(E.children[i], sig == SIGINT ? SIGINT : SIGTERM);
		reap_children(SHUTDOWN_MS);
		for (int i = 0; i < E.nchildren; i++)
			traced_kill(E.children[i], SIGKILL);
		reap_children(SHUTDOWN_KILL_MS);
	}
	traced_close(E.epfd);
	traced_close(E.lfd);
	if (E.sem) {
		sem_close(E.sem);
		int ret = sem_unlink(E.sem_name);

		trace_rec_init(&r, TR_SEM_UNLINK);
		trace_rec_set_text(&r, E.sem_name);
		r.ret = ret;
		r.err = ret < 0 ? errno : 0;
		trace_emit(&r);
	}
	traced_pending_signals();
	role_say(_("pid %d: done\n"), E.pid);
	role_exit(E.exit_status);
}

/* Emit the listen record of E.lfd with its port, backlog, flags and socket inode. */
static void
trace_listen(int flags, int ret, int err)
{
	struct trace_rec r;
	struct stat st;

	trace_rec_init(&r, TR_LISTEN);
	/* The inode tells this socket from a reuseport sibling on the same port, as sock_diag does. */
	if (ret == 0 && fstat(E.lfd, &st) == 0)
		r.inode = (uint64_t)st.st_ino;
	r.fd = E.lfd;
	r.port = E.port;
	r.backlog = E.cfg.backlog;
	r.flags = flags;
	r.ret = ret;
	r.err = err;
	trace_rec_set_text(&r, "127.0.0.1");
	trace_emit(&r);
}

/* socket, SO_REUSEADDR (and SO_REUSEPORT), bind 127.0.0.1:port, listen. */
static void
make_listener(int port, int cloexec)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t sl = sizeof sa;
	int one = 1, reuseport = E.cfg.accept == ACCEPT_REUSEPORT;
	int flags = reuseport ? LISTEN_REUSEPORT : 0;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	E.port = port;
	E.lfd = socket(AF_INET,
		       SOCK_STREAM | (E.cfg.listener == LISTENER_BLOCKING ? 0 : SOCK_NONBLOCK) |
			       (cloexec ? SOCK_CLOEXEC : 0),
		       0);
	if (E.lfd < 0)
		goto fail;
	setsockopt(E.lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (reuseport && setsockopt(E.lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
		goto fail;
	if (bind(E.lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
		goto fail;
	if (listen(E.lfd, E.cfg.backlog) < 0)
		goto fail;
	getsockname(E.lfd, (struct sockaddr *)&sa, &sl);
	E.port = ntohs(sa.sin_port);
	trace_listen(flags, 0, 0);
	return;
fail:;
	int err = errno;
	trace_listen(flags, -1, err);
	role_say(_("epollviz: echo server pid %d: cannot listen on 127.0.0.1:%d: %s\n"), E.pid, port,
		 strerror(err));
	role_exit(1);
}

/* Create (parent) or open (worker) the named semaphore; exit 1 if that fails. */
static void
open_semaphore(int create)
{
	struct trace_rec r;

	E.sem = create ? sem_open(E.sem_name, O_CREAT | O_EXCL, 0600, 1) : sem_open(E.sem_name, 0);
	trace_rec_init(&r, TR_SEM_OPEN);
	trace_rec_set_text(&r, E.sem_name);
	r.initial = create ? 1 : -1;
	r.ret = E.sem == SEM_FAILED ? -1 : 0;
	r.err = E.sem == SEM_FAILED ? errno : 0;
	r.handle = E.sem == SEM_FAILED ? 0 : (uint64_t)(uintptr_t)E.sem; /* what sem_open returned */
	trace_emit(&r);
	if (E.sem == SEM_FAILED) {
		role_say("epollviz: sem_open(\"%s\"): %s\n", E.sem_name, strerror(r.err));
		E.sem = NULL;
		role_exit(1);
	}
}

/* Fork and re-execute worker i, handing it what it inherits. */
static void
spawn_worker(int i)
{
	char a[8][96], *args[SCN_MAX_ARGS + 9];
	char opts[SCN_MAX_ARGS][48];
	int n = 0, nopt = job_to_args(&E.cfg, opts, SCN_MAX_ARGS);
	pid_t p;

	snprintf(a[n], sizeof a[n], "--trace-fd=%d", trace_fd()), n++;
	snprintf(a[n], sizeof a[n], "--index=%d", i), n++;
	if (E.cfg.accept == ACCEPT_REUSEPORT)
		snprintf(a[n], sizeof a[n], "--port=%d", E.port), n++;
	else
		snprintf(a[n], sizeof a[n], "--listen-fd=%d", E.lfd), n++;
	if (E.shared)
		snprintf(a[n], sizeof a[n], "--epfd=%d", E.epfd), n++;
	if (E.sem)
		snprintf(a[n], sizeof a[n], "--sem=%s", E.sem_name), n++;
	if (E.lock)
		snprintf(a[n], sizeof a[n], "--lock-fd=%d", E.lock_fd), n++;
	for (int k = 0; k < n; k++)
		args[k] = a[k];
	for (int k = 0; k < nopt; k++)
		args[n++] = opts[k];
	args[n] = NULL;
	trace_flush();
	p = fork();
	if (p == 0) {
		/* Signals stay blocked across exec: role_start takes over. */
		if (E.cfg.sigpipe != SIGPIPE_DEFAULT) /* the notes' child outlives its parent */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
		role_exec(ROLE_ECHO_WORKER, args);
	}
	if (p < 0) {
		role_say("epollviz: fork: %s\n", strerror(errno));
		return;
	}
	E.children[E.nchildren++] = p;
}

/*
 * Pin this worker as cpus= says: every worker on the first CPU it may use
 * (same), or worker i on the i-th (split); the terminal and the trace say
 * where.  The herd's loser returns from epoll_wait only when it runs while
 * the winner has not accepted yet: on one CPU it cannot, on two it can.
 */
static void
place_on_cpu(int index)
{
	cpu_set_t allowed, one;
	int cpus[CPU_SETSIZE], n = 0, cpu;
	struct trace_rec r;
	char text[64];

	if (E.cfg.cpus == CPUS_ANY)
		return;
	if (sched_getaffinity(0, sizeof allowed, &allowed) < 0) {
		role_say(_("pid %d: sched_getaffinity: %s; left unpinned\n"), E.pid, strerror(errno));
		return;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	if (n == 0 || (E.cfg.cpus == CPUS_SPLIT && n < 2)) {
		role_say(_("pid %d: cpus=split needs two CPUs, this process may use %d; left unpinned\n"),
			 E.pid, n);
		return;
	}
	cpu = E.cfg.cpus == CPUS_SAME ? cpus[0] : cpus[index % n];
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof one, &one) < 0) {
		role_say(_("pid %d: sched_setaffinity(CPU %d): %s; left unpinned\n"), E.pid, cpu,
			 strerror(errno));
		return;
	}
	role_say(_("pid %d: runs on CPU %d only (cpus=%s)\n"), E.pid, cpu, job_opt_name(&E.cfg, "cpus"));
	trace_rec_init(&r, TR_LOG);
	snprintf(text, sizeof text, SAY_LOG_PINNED, cpu, job_opt_name(&E.cfg, "cpus"));
	trace_rec_set_text(&r, text);
	trace_emit(&r);
}

/* Start the role: fd limit, semaphore, listener, workers (parent) and the epoll set. */
static void
setup(const struct role_args *a, int is_parent)
{
	char name[16];

	memset(&E, 0, sizeof E);
	E.cfg = a->job;
	if (E.cfg.fd_limit > 0) {
		/* A small limit makes accept fail with EMFILE: the server must keep serving. */
		struct rlimit rl = { (rlim_t)E.cfg.fd_limit, (rlim_t)E.cfg.fd_limit };

		setrlimit(RLIMIT_NOFILE, &rl);
	}
	E.index = a->index;
	E.is_parent = is_parent;
	E.pid = getpid();
	E.shared = E.cfg.accept == ACCEPT_SHARED_EPOLL;
	E.lfd = E.epfd = E.lock_fd = -1;
	snprintf(name, sizeof name, "echo-w%d", a->index);
	role_start(is_parent ? ROLE_ECHO_PARENT : ROLE_ECHO_WORKER, name, is_parent);
	if (!is_parent)
		place_on_cpu(a->index);
	if (E.cfg.sigpipe == SIGPIPE_DEFAULT)
		signal(SIGPIPE, SIG_DFL); /* role_start ignores it; the notes never did */
	if (E.cfg.accept == ACCEPT_SEMAPHORE) {
		if (a->sem[0] == '\0') {
			role_say(_("epollviz: accept=semaphore needs a semaphore name\n"));
			role_exit(2);
		}
		str_copy(E.sem_name, a->sem, sizeof E.sem_name);
		open_semaphore(is_parent);
	}
	if (E.cfg.accept == ACCEPT_MUTEX)
		open_lock(is_parent, a->lock_fd);
	if (is_parent || E.cfg.accept == ACCEPT_REUSEPORT) {
		make_listener(is_parent ? E.cfg.port : a->port, E.cfg.accept == ACCEPT_REUSEPORT);
	} else {
		E.lfd = a->listen_fd;
		E.port = a->port;
		traced_inherit(E.lfd, OPEN_LISTEN);
	}
	if (E.shared) {
		if (is_parent) {
			E.epfd = traced_epoll_create1(0); /* no CLOEXEC: the workers inherit it */
			traced_epoll_ctl(E.epfd, EPOLL_CTL_ADD, E.lfd, EPOLLIN | EPOLLET, data_for(E.lfd));
		} else {
			E.epfd = a->epfd;
			traced_inherit(E.epfd, OPEN_EPOLL);
		}
	}
	if (is_parent) {
		role_say(_("pid %d: listening on 127.0.0.1:%d (accept=%s, accept_loop=%s, trigger=%s)\n"),
			 E.pid, E.port, job_opt_name(&E.cfg, "accept"),
			 job_opt_name(&E.cfg, "accept_loop"), job_opt_name(&E.cfg, "trigger"));
		for (int i = 1; i < E.cfg.workers; i++)
			spawn_worker(i);
		/* After the fork: a worker starts with every CPU the parent may use, and picks its own. */
		place_on_cpu(a->index);
	}
	if (!E.shared) {
		uint32_t ev = EPOLLIN;

		if (E.cfg.trigger == TRIG_EDGE)
			ev |= EPOLLET;
		if (E.cfg.accept == ACCEPT_EXCLUSIVE)
			ev |= EPOLLEXCLUSIVE;
		E.epfd = traced_epoll_create1(EPOLL_CLOEXEC);
		if (E.epfd < 0)
			role_exit(1);
		if (E.lock == NULL) /* mutex: only the lock's holder watches it, from its first turn */
			traced_epoll_ctl(E.epfd, EPOLL_CTL_ADD, E.lfd, ev, data_for(E.lfd));
	}
}

/* Serve events until a stop signal, a wait error or the reader's end; then shut down. */
void
echo_main(const struct role_args *a, int role)
{
	struct epoll_event evs[MAX_EVENTS];
	struct trace_rec r;

	setup(a, role == ROLE_ECHO_PARENT);
	trace_rec_init(&r, TR_READY);
	trace_emit(&r);
	for (;;) {
		int n, err;

		if (role_chld)
			role_chld = 0, reap_children(0);
		if (role_stop || trace_reader_gone())
			shutdown_server();
		n = traced_epoll_wait(E.epfd, evs, MAX_EVENTS, E.lock ? mutex_contest() : -1);
		err = n < 0 ? errno : 0;
		if (n < 0) {
			mutex_release();
			if (err == EINTR)
				continue; /* a signal, or SIGCONT after a stop: loop */
			role_say("pid %d: epoll_wait: %s\n", E.pid, strerror(err));
			E.exit_status = 1;
			shutdown_server();
		}
		if (E.lock) {
			/* nginx posts accept events first: accept, unlock, then serve the connections. */
			for (int i = 0; i < n; i++)
				if ((int)(uint32_t)evs[i].data.u64 == E.lfd)
					listen_event();
			mutex_release();
		}
		for (int i = 0; i < n; i++) {
			if (E.lock && (int)(uint32_t)evs[i].data.u64 == E.lfd)
				continue;
			if (dispatch(&evs[i]) < 0 && E.cfg.sem_lost == SEM_LOST_BREAK) {
				if (i + 1 < n)
					trace_skip(evs, i, n);
				break;
			}
		}
	}
}
