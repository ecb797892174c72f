/*
 * run.c - one run of a scenario (see run.h).  Owns every resource the run
 * creates in the front end and is the one place that cleans them up.
 * Must not know how records are shown.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"
#include "loop.h"
#include "paths.h"
#include "proctab.h"
#include "role.h"
#include "utf8.h"
#include "util.h"

#define MAX_PATHS 8
#define STOP_TERM_MS 5000          /* the session ends by itself after term within this */
#define STOP_KILL_MS 1000          /* what was SIGKILLed is gone within this */
#define STOP_POLL_NS (5 * 1000000) /* how often run_stop looks meanwhile */
#define STOP_MAX_LEFT 64           /* processes left in the session that run_stop can see */

struct run {
	struct scenario sc;
	struct loop *loop;
	trace_sink_fn sink;
	void *ctx;
	int master;
	int trace_rd;
	int ctl_wr;
	pid_t session;
	int session_reaped;
	int trace_eof;
	int pty_eof;
	int terminating;
	int unclean;
	int stopped;
	char sem[64];
	char preload[PATH_MAX]; /* epollviz run: the preload tracer library */
	int sem_stale; /* a fixed name that existed before the run: a crash left it */
	uint32_t pid; /* the front end's, for its own records */
	uint64_t seq;
	uint64_t t0;
	struct trace_reader rd;
	char fifo_paths[MAX_PATHS][128];
	int nfifo;
	unsigned char ucarry[4]; /* a UTF-8 character the last pty read cut short */
	size_t nucarry;
};

static unsigned run_counter;


/* Remember a FIFO path, to remove it at the end if its owner could not. */
static void
remember_fifo(struct run *r, const char *path)
{
	for (int i = 0; i < r->nfifo; i++)
		if (strcmp(r->fifo_paths[i], path) == 0)
			return;
	if (r->nfifo < MAX_PATHS)
		str_copy(r->fifo_paths[r->nfifo++], path, sizeof r->fifo_paths[0]);
}

/*
 * Sink for records from the trace pipe: notes FIFO paths (the watchers'
 * own, to remove if they could not; never a program's of `epollviz run`,
 * which are the user's files), then passes each on.
 */
static void
local_sink(void *ctx, const struct trace_rec *rec)
{
	struct run *r = ctx;

	if (rec->type == TR_FIFO_WAITING && r->sc.argv == NULL)
		remember_fifo(r, rec->text);
	r->sink(r->ctx, rec);
}

/* Stamp a copy of rec as the front end's (pid, seq, time if unset) and sink it. */
void
run_emit(struct run *r, const struct trace_rec *rec)
{
	struct trace_rec out;

	trace_rec_copy(&out, rec);
	out.pid = r->pid;
	out.seq = r->seq;
	r->seq += trace_wire_count(&out);
	if (out.ts_ns == 0)
		out.ts_ns = now_ns();
	r->sink(r->ctx, &out);
}

/* Adapter that lets producers hand records to the run as a trace_sink_fn. */
void
run_sink(void *run, const struct trace_rec *rec)
{
	run_emit(run, rec);
}

/* Emit a TR_ACTION record with the given state and printf-formatted text. */
void
run_action(struct run *r, int state, const char *fmt, ...)
{
	struct trace_rec rec;
	va_list ap;

	trace_rec_init(&rec, TR_ACTION);
	rec.state = state;
	va_start(ap, fmt);
	vsnprintf(rec.text, sizeof rec.text, fmt, ap);
	va_end(ap);
	run_emit(r, &rec);
}

/*
 * The trace pipe and the pty are read in gulps (loop_add_gulped): once one
 * is readable, the front end stops watching it for a while and then drains
 * it whole.  Under load that turns a wake-up per worker write into fifty a
 * second for the trace: a gulp that finds the stream busy leaves it
 * unwatched and takes the next one by the clock, twice the period later
 * (the workers do not block: the pipe holds 1 MiB, several times what they
 * write in 20 ms; 2 ms gulps when the pipe could not be grown).  The
 * latency is less than a screen at 30 frames a second can show.  The pty
 * holds less (its line discipline's buffers): 4 ms.
 */
#define TRACE_GULP_NS (10 * 1000 * 1000)
#define TRACE_GULP_SMALL_NS (2 * 1000 * 1000)
#define PTY_GULP_NS (4 * 1000 * 1000)
#define TRACE_PIPE_SIZE (1 << 20)

/* Read the trace pipe dry (the loop calls this once per gulp). */
static void
drain_trace(void *arg, uint32_t events)
{
	struct run *r = arg;
	static char buf[256 * 1024];

	(void)events;
	for (;;) {
		ssize_t n = read(r->trace_rd, buf, sizeof buf);

		if (n > 0) {
			trace_reader_feed(&r->rd, buf, (size_t)n, local_sink, r);
			if ((size_t)n < sizeof buf)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EOF: every writer is gone. */
		r->trace_eof = 1;
		loop_del(r->loop, r->trace_rd);
		return;
	}
}

/* Bytes readable in the trace pipe plus those of a partial record already read. */
int
run_trace_pending(const struct run *r)
{
	int n = 0;

	if (r->trace_eof || ioctl(r->trace_rd, FIONREAD, &n) < 0)
		return 0;
	return n + (int)r->rd.ncarry;
}

/*
 * Keep newlines, printable ASCII and whole printable UTF-8 characters of
 * in (after a character the last read cut short); drop other control
 * bytes.  A character cut short at the end waits in r->ucarry.  Returns
 * the bytes in out (room for n + 4); n is TRACE_TEXT_MAX at most.
 */
static size_t
pty_text(struct run *r, const unsigned char *in, size_t n, unsigned char *out)
{
	unsigned char joined[TRACE_TEXT_MAX + 4];
	size_t j = 0, m = r->nucarry;

	memcpy(joined, r->ucarry, m);
	memcpy(joined + m, in, n);
	m += n;
	r->nucarry = 0;
	for (size_t i = 0; i < m;) {
		unsigned char c = joined[i];
		int len;

		if (c == '\n' || (c >= 0x20 && c < 0x7f)) {
			/* A run of them, copied whole: the workers' lines are mostly that. */
			size_t k = i + 1;

			while (k < m && (joined[k] == '\n' || (joined[k] >= 0x20 && joined[k] < 0x7f)))
				k++;
			memcpy(out + j, joined + i, k - i);
			j += k - i;
			i = k;
			continue;
		}
		len = c >= 0x80 ? utf8_printable(joined + i, m - i) : 0;
		if (len < 0) {
			r->nucarry = m - i;
			memcpy(r->ucarry, joined + i, r->nucarry);
			break;
		}
		if (len == 0) {
			i++;
			continue;
		}
		memcpy(out + j, joined + i, (size_t)len);
		j += (size_t)len;
		i += (size_t)len;
	}
	return j;
}

/* Read the pty dry (the loop calls this once per gulp). */
static void
drain_pty(void *arg, uint32_t events)
{
	struct run *r = arg;
	unsigned char buf[4096], text[TRACE_TEXT_MAX + 4];

	(void)events;
	for (;;) {
		ssize_t n = read(r->master, buf, sizeof buf);

		/*
		 * A record per TRACE_TEXT_MAX bytes read; one more when a
		 * character carried over from the last piece makes its text
		 * longer than a record holds (texts are cut between characters).
		 */
		for (ssize_t raw = 0; raw < n; raw += TRACE_TEXT_MAX) {
			size_t piece = (size_t)(n - raw) < TRACE_TEXT_MAX ? (size_t)(n - raw) : TRACE_TEXT_MAX;
			size_t len = pty_text(r, buf + raw, piece, text);

			for (size_t off = 0, k; off < len; off += k) {
				struct trace_rec rec;

				k = len - off < TRACE_TEXT_MAX ? len - off : TRACE_TEXT_MAX;
				while (k < len - off && k > 0 && (text[off + k] & 0xc0) == 0x80)
					k--;
				trace_rec_init(&rec, TR_TTY);
				memcpy(rec.text, text + off, k);
				rec.text[k] = '\0';
				run_emit(r, &rec);
			}
		}
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		/* EIO: no process has the slave open any more. */
		r->pty_eof = 1;
		loop_del(r->loop, r->master);
		return;
	}
}

/* Drain the trace pipe and the pty now, unless they already hit EOF. */
void
run_drain(struct run *r)
{
	if (!r->trace_eof)
		drain_trace(r, EPOLLIN);
	if (!r->pty_eof)
		drain_pty(r, EPOLLIN);
}

/*
 * Per-run semaphore name: unique, so a crash never blocks the next run.
 * An echo job's sem_name (the notes' fixed name) replaces it: then a
 * semaphore of that name may exist already, left by a crash (the echo
 * server will fail with EEXIST), and the run says so in r->sem_stale.
 */
static void
make_sem_name(struct run *r)
{
	sem_t *old;

	snprintf(r->sem, sizeof r->sem, "/epollviz.%d.%u.%llx", (int)getpid(), ++run_counter,
		 (unsigned long long)(now_ns() & 0xffffff));
	for (int i = 0; i < r->sc.njobs; i++)
		if (r->sc.jobs[i].kind == JOB_ECHO && r->sc.jobs[i].sem_name[0])
			str_copy(r->sem, r->sc.jobs[i].sem_name, sizeof r->sem);
	old = sem_open(r->sem, 0);
	if (old != SEM_FAILED) {
		r->sem_stale = 1;
		sem_close(old);
	}
}

/* In the forked child: pty on stdio, default signals, exec the session leader. */
static void
session_child(struct run *r, int slave, int trace_wr, int ctl_rd)
{
	char a[5][PATH_MAX + 16];
	char **args;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	sigset_t set;
	int n = 0, nprog = 0;

	while (r->sc.argv && r->sc.argv[nprog])
		nprog++;
	args = xcalloc((size_t)nprog + 7, sizeof *args);
	snprintf(a[0], sizeof a[0], "--trace-fd=%d", trace_wr);
	snprintf(a[1], sizeof a[1], "--ctl-fd=%d", ctl_rd);
	snprintf(a[2], sizeof a[2], "--scenario=%s", r->sc.path);
	snprintf(a[3], sizeof a[3], "--sem=%s", r->sem);
	snprintf(a[4], sizeof a[4], "--preload=%s", r->preload);
	for (int i = 0; i < 5; i++)
		args[n++] = a[i];
	if (r->sc.argv) {
		/* epollviz run: the program and its arguments, as they are. */
		args[n++] = (char *)"--";
		for (int i = 0; i < nprog; i++)
			args[n++] = r->sc.argv[i];
	}
	args[n] = NULL;
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		_exit(127);
	fd_set_cloexec(trace_wr, 0);
	fd_set_cloexec(ctl_rd, 0);
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	/* The front end's dispositions are not the session's. */
	sigset_of(&set, sigs, (int)ARRAY_LEN(sigs));
	signals_reset(&set);
	role_exec(ROLE_SESSION, args);
}

/* Open the pty and pipes, fork the session leader and watch its output in loop. */
struct run *
run_start(const struct scenario *sc, struct loop *loop, trace_sink_fn sink, void *ctx, char *err,
	  size_t errcap)
{
	struct run *r = xcalloc(1, sizeof *r);
	char slave_name[64];
	int slave = -1, tp[2] = { -1, -1 }, cp[2] = { -1, -1 };
	uint64_t gulp;
	struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	struct trace_rec rec;
	sigset_t all, old;
	char abs[PATH_MAX];

	r->sc = *sc;
	if (realpath(sc->path, abs) != NULL)
		str_copy(r->sc.path, abs, sizeof r->sc.path);
	r->loop = loop;
	r->sink = sink;
	r->ctx = ctx;
	r->master = r->trace_rd = r->ctl_wr = -1;
	r->t0 = now_ns();
	r->pid = (uint32_t)getpid();
	trace_reader_init(&r->rd);
	trace_reader_take_runs(&r->rd); /* the pipe's stream */
	make_sem_name(r);
	if (sc->argv && paths_preload(r->preload, sizeof r->preload, err, errcap) < 0)
		goto fail;

	r->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (r->master < 0 || grantpt(r->master) < 0 || unlockpt(r->master) < 0 ||
	    ptsname_r(r->master, slave_name, sizeof slave_name) != 0) {
		snprintf(err, errcap, _("cannot open a pseudo-terminal: %s"), strerror(errno));
		goto fail;
	}
	ioctl(r->master, TIOCSWINSZ, &ws);
	slave = open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		snprintf(err, errcap, _("cannot open %s: %s"), slave_name, strerror(errno));
		goto fail;
	}
	if (pipe2(tp, O_CLOEXEC) < 0 || pipe2(cp, O_CLOEXEC) < 0) {
		snprintf(err, errcap, "pipe: %s", strerror(errno));
		goto fail;
	}
	gulp = fcntl(tp[0], F_SETPIPE_SZ, TRACE_PIPE_SIZE) >= TRACE_PIPE_SIZE ? TRACE_GULP_NS : TRACE_GULP_SMALL_NS;
	r->trace_rd = tp[0];
	r->ctl_wr = cp[1];

	trace_rec_proc_start(&rec, ROLE_FRONTEND, "epollviz");
	run_emit(r, &rec);

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	r->session = fork();
	if (r->session == 0)
		session_child(r, slave, tp[1], cp[0]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r->session < 0) {
		snprintf(err, errcap, "fork: %s", strerror(errno));
		goto fail;
	}
	close(slave);
	close(tp[1]);
	close(cp[0]);
	tp[1] = cp[0] = -1;
	fd_set_nonblock(r->master);
	fd_set_nonblock(r->trace_rd);
	if (loop_add_gulped(loop, r->trace_rd, gulp, drain_trace, r) < 0 ||
	    loop_add_gulped(loop, r->master, PTY_GULP_NS, drain_pty, r) < 0) {
		snprintf(err, errcap, "epoll_ctl: %s", strerror(errno));
		run_free(r);
		return NULL;
	}
	return r;
fail:
	if (slave >= 0)
		close(slave);
	for (int i = 0; i < 2; i++) {
		if (tp[i] >= 0)
			close(tp[i]);
		if (cp[i] >= 0)
			close(cp[i]);
	}
	if (r->master >= 0)
		close(r->master);
	trace_reader_free(&r->rd);
	free(r);
	return NULL;
}

/* Write bytes to the pty master as typed input; -1 once the pty is gone. */
int
run_type(struct run *r, const char *bytes, size_t n)
{
	if (r->master < 0 || r->pty_eof)
		return -1;
	return write_all(r->master, bytes, n);
}

/* Write cmd and a newline down the control pipe to the session leader. */
int
run_command(struct run *r, const char *cmd)
{
	char line[64];
	int n = snprintf(line, sizeof line, "%s\n", cmd);

	if (r->ctl_wr < 0 || n < 0 || n >= (int)sizeof line)
		return -1;
	return write_all(r->ctl_wr, line, (size_t)n);
}

/* Send sig to pid, or to a group as -PGID (0 and -1 fail as ESRCH), and emit a TR_KILL record of it. */
int
run_kill(struct run *r, pid_t pid, int sig)
{
	struct trace_rec rec;
	int ret = pid > 0 || pid < -1 ? kill(pid, sig) : -1; /* a pid, or a group (-PGID); never "all" */

	if (ret < 0 && pid >= -1 && pid <= 0)
		errno = ESRCH;
	trace_rec_init(&rec, TR_KILL);
	rec.target = pid;
	rec.signo = sig;
	rec.ret = ret;
	rec.err = ret < 0 ? errno : 0;
	run_emit(r, &rec);
	return ret;
}

/* Send "term" once and close the control pipe, so the session winds down. */
void
run_terminate(struct run *r)
{
	if (r->terminating)
		return;
	r->terminating = 1;
	if (r->ctl_wr >= 0) {
		run_command(r, "term");
		close(r->ctl_wr);
		r->ctl_wr = -1;
	}
}

/* One child reaped: its record; the session leader's end decides "unclean". */
static void
reaped(void *ctx, pid_t p, int st)
{
	struct run *r = ctx;
	struct trace_rec rec;

	trace_rec_reap(&rec, p, st);
	run_emit(r, &rec);
	if (p == r->session) {
		r->session_reaped = 1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			r->unclean = 1;
	}
}

/* Reap every exited child without blocking, emitting a reap record for each. */
void
run_reap(struct run *r)
{
	/* The session leader, and orphans adopted by this subreaper. */
	reap_each(0, reaped, r);
}

/* True once the trace pipe hit EOF and the session leader has been reaped. */
int
run_finished(const struct run *r)
{
	return r->trace_eof && r->session_reaped;
}

/* The run's trace reader, for its counts. */
const struct trace_reader *
run_reader(const struct run *r)
{
	return &r->rd;
}

/* Whether the run's scenario is a program's (scenario_program). */
int
run_is_program(const struct run *r)
{
	return r->sc.argv != NULL;
}

/* The pid of the session leader the run forked. */
pid_t
run_session_pid(const struct run *r)
{
	return r->session;
}

/* The monotonic time at which the run started, in nanoseconds. */
uint64_t
run_t0(const struct run *r)
{
	return r->t0;
}

/* Emit TR_RUN_END: failed actions, flags (with unclean) and the malformed count. */
void
run_emit_end(struct run *r, int actions_failed, int flags)
{
	struct trace_rec end;

	trace_rec_init(&end, TR_RUN_END);
	end.actions_failed = actions_failed;
	end.flags = flags | (r->unclean ? RUN_UNCLEAN : 0);
	end.malformed = r->rd.malformed;
	run_emit(r, &end);
}

/* Wait (bounded) for the session to end by itself after term. */
static void
wait_session(struct run *r, int ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000u;

	while (!r->session_reaped && now_ns() < deadline) {
		run_drain(r);
		run_reap(r);
		if (!r->session_reaped)
			sleep_ns(STOP_POLL_NS);
	}
}

/* The processes left in the run's session, into rows (at most STOP_MAX_LEFT). */
static int
session_left(struct run *r, struct proc_row *rows)
{
	return r->session > 0 ? proctab_scan(proctab_in_session, &r->session, rows, STOP_MAX_LEFT) : 0;
}

/* Wait (bounded) until nothing is left in the session, reaping what ends here. */
static void
wait_empty(struct run *r, int ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000u;
	struct proc_row rows[STOP_MAX_LEFT];

	for (;;) {
		run_drain(r);
		run_reap(r);
		if (session_left(r, rows) == 0 || now_ns() >= deadline)
			return;
		sleep_ns(STOP_POLL_NS);
	}
}

/* Wind the session down (term, then SIGKILL), remove leftovers, close the fds. */
void
run_stop(struct run *r)
{
	struct proc_row rows[STOP_MAX_LEFT];
	int n;

	if (r == NULL || r->stopped)
		return;
	r->stopped = 1;
	run_terminate(r);
	wait_session(r, STOP_TERM_MS);
	if (!r->session_reaped && r->session > 0) {
		r->unclean = 1;
		run_kill(r, r->session, SIGKILL);
		wait_session(r, STOP_KILL_MS);
	}
	/* Anything still in the session (it should be empty by now): killed, and waited for. */
	n = session_left(r, rows);
	for (int i = 0; i < n; i++) {
		if (rows[i].state == 'Z')
			continue;
		r->unclean = 1;
		run_kill(r, rows[i].pid, SIGKILL);
	}
	if (n > 0)
		wait_empty(r, STOP_KILL_MS);
	run_reap(r);
	run_drain(r);
	/*
	 * The semaphore and FIFOs, if their owners could not remove them.  A
	 * stale fixed-name semaphore goes too (the clean-up its crash skipped),
	 * so the next run starts; it was not this run's leftover.
	 */
	if (sem_unlink(r->sem) == 0 && !r->sem_stale)
		r->unclean = 1;
	for (int i = 0; i < r->nfifo; i++) {
		char dir[128], *slash;

		if (unlink(r->fifo_paths[i]) == 0)
			r->unclean = 1;
		str_copy(dir, r->fifo_paths[i], sizeof dir);
		slash = strrchr(dir, '/');
		if (slash) {
			*slash = '\0';
			if (rmdir(dir) == 0)
				r->unclean = 1;
		}
	}
	if (r->trace_rd >= 0) {
		loop_del(r->loop, r->trace_rd);
		close(r->trace_rd);
	}
	if (r->master >= 0) {
		loop_del(r->loop, r->master);
		close(r->master);
	}
	if (r->ctl_wr >= 0)
		close(r->ctl_wr);
	r->trace_rd = r->master = r->ctl_wr = -1;
}

/* Stop the run if need be and free it; NULL is allowed. */
void
run_free(struct run *r)
{
	if (r == NULL)
		return;
	run_stop(r);
	trace_reader_free(&r->rd);
	free(r);
}
