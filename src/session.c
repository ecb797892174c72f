/*
 * session.c - the session leader: the "shell" of the notes' ps output.
 *
 * Started by the front end with the pty slave as stdin/stdout/stderr, it
 * calls setsid, takes the slave as its controlling terminal, and starts the
 * scenario's jobs as a shell does: each in a process group of its own, the
 * background ones first, the foreground one last and made the terminal's
 * foreground group with tcsetpgrp.  It waits for its jobs as a shell does
 * (WUNTRACED|WCONTINUED), takes the terminal back when the foreground job
 * stops or ends, and is a child subreaper so that orphaned workers are
 * reaped here.  It reads one-line commands from the front end on ctl_fd:
 *   fg     continue the stopped job in the foreground (tcsetpgrp + SIGCONT)
 *   term   end every job (SIGTERM, then SIGKILL after 3 s) and exit
 * EOF on ctl_fd, SIGTERM and SIGHUP (the pty hung up) mean term.
 * Like an interactive shell it ignores SIGTSTP, SIGTTIN, SIGTTOU, SIGQUIT;
 * SIGINT is caught and traced, which is how a test proves it never came.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"
#include "proctab.h"
#include "role.h"
#include "session.h"
#include "trace.h"
#include "traced.h"
#include "util.h"

enum { J_RUNNING = 0, J_STOPPED, J_DONE };

#define TERM_GRACE_MS 3000 /* jobs end by themselves after SIGTERM within this */
#define KILL_GRACE_MS 1000 /* and after SIGKILL within this */
#define TERM_POLL_MS 50    /* how long one wait for their ends lasts at most */

struct job {
	pid_t pgid;
	int leader_alive;
	int background;
	int state;
	int status;       /* leader's wait status */
	char name[TRACE_TEXT_MAX + 1];
};

static struct {
	pid_t pid;
	int sfd;
	int ctl;
	const struct role_args *a;
	struct scenario sc;
	struct job jobs[SCN_MAX_JOBS];
	int njobs;
	int fg; /* index of the job holding the terminal, or -1 */
} S;

/* Give the terminal to process group pgid with tcsetpgrp, and trace the result. */
static void
trace_fg(pid_t pgid)
{
	struct trace_rec r;
	int ret = tcsetpgrp(STDIN_FILENO, pgid);

	trace_rec_init(&r, TR_FG);
	r.pgid = pgid;
	r.ret = ret;
	r.err = ret < 0 ? errno : 0;
	trace_emit(&r);
}

/* Emit a job record for job i: its group, the event ev and its command line. */
static void
trace_job(int i, int ev)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_JOB);
	r.pgid = S.jobs[i].pgid;
	r.leader = S.jobs[i].pgid;
	r.event = ev;
	r.background = S.jobs[i].background;
	trace_rec_set_text(&r, S.jobs[i].name);
	trace_emit(&r);
}

/* Make the session the terminal's foreground group again, if a job holds it. */
static void
take_terminal(void)
{
	if (S.fg >= 0) {
		trace_fg(S.pid);
		S.fg = -1;
	}
}

#define PROGRAM_TRACE_FD 900 /* where a program finds the trace pipe: out of the way of its own fds */

/*
 * In the forked child of a run's program: the trace pipe at a high fd
 * named by EPOLLVIZ_TRACE_FD, the preload tracer in LD_PRELOAD (before any
 * the user set), and the program in place of this process.  A program that
 * cannot be started says why on the terminal; the exit status is 127, as a
 * shell's.
 */
static void __attribute__((noreturn))
exec_program(char **argv)
{
	char num[16], *pre = NULL;
	const char *old = getenv("LD_PRELOAD");
	struct rlimit rl;
	int min = PROGRAM_TRACE_FD, fd;

	/* As a shell leaves it: every signal at its default, none blocked (the session blocks and ignores some). */
	signals_reset(NULL);

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (rlim_t)min >= rl.rlim_cur)
		min = (int)rl.rlim_cur / 2;
	fd = fcntl(trace_fd(), F_DUPFD, min);
	if (fd >= 0) {
		close(trace_fd());
		snprintf(num, sizeof num, "%d", fd);
		setenv("EPOLLVIZ_TRACE_FD", num, 1);
	}
	if (old && old[0] && asprintf(&pre, "%s:%s", S.a->preload, old) < 0)
		pre = NULL;
	setenv("LD_PRELOAD", pre ? pre : S.a->preload, 1);
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, _("epollviz: cannot run %s: %s\n"), argv[0], strerror(errno));
	_exit(127);
}

/* The command line of job i as its name ("epollviz echo-server accept=...", or the program's). */
static void
job_name(int i, char opts[][48], int nopt)
{
	const struct job_cfg *jc = &S.sc.jobs[i];
	struct job *j = &S.jobs[i];
	size_t len = 0;

	j->name[0] = '\0';
	if (jc->kind == JOB_PROGRAM) {
		for (int k = 0; S.a->argv[k] && len < sizeof j->name; k++)
			len += (size_t)snprintf(j->name + len, sizeof j->name - len, "%s%s", k ? " " : "",
						S.a->argv[k]);
		return;
	}
	len = (size_t)snprintf(j->name, sizeof j->name, "epollviz %s",
			       trace_rec_role_name(job_kind_role(jc->kind)));
	for (int k = 0; k < nopt && len < sizeof j->name; k++)
		len += (size_t)snprintf(j->name + len, sizeof j->name - len, " %s", opts[k]);
}

/* Fork job i into its own process group (foreground: given the terminal) and exec it. */
static void
start_job(int i)
{
	const struct job_cfg *jc = &S.sc.jobs[i];
	struct job *j = &S.jobs[i];
	char fixed[3][96], opts[SCN_MAX_ARGS][48], *args[SCN_MAX_ARGS + 4];
	int n = 0, nopt = job_to_args(jc, opts, SCN_MAX_ARGS);
	pid_t pid;

	snprintf(fixed[0], sizeof fixed[0], "--trace-fd=%d", trace_fd());
	args[n++] = fixed[0];
	if (jc->kind == JOB_ECHO && S.a->sem[0]) {
		snprintf(fixed[1], sizeof fixed[1], "--sem=%s", S.a->sem);
		args[n++] = fixed[1];
	}
	for (int k = 0; k < nopt; k++)
		args[n++] = opts[k];
	args[n] = NULL;

	job_name(i, opts, nopt);
	j->background = jc->background;
	role_say("$ %s%s\n", j->name, j->background ? " &" : "");
	trace_flush();

	pid = fork();
	if (pid == 0) {
		static const int job_control[] = { JOB_CONTROL_SIGNALS };

		setpgid(0, 0);
		if (!jc->background)
			tcsetpgrp(STDIN_FILENO, getpid());
		signals_set(job_control, (int)ARRAY_LEN(job_control), SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGHUP);
		if (jc->kind == JOB_PROGRAM)
			exec_program(S.a->argv);
		role_exec(job_kind_role(jc->kind), args);
	}
	if (pid < 0) {
		role_say("epollviz session: fork: %s\n", strerror(errno));
		j->state = J_DONE;
		return;
	}
	setpgid(pid, pid); /* as shells do: whichever of the two runs first */
	j->pgid = pid;
	j->leader_alive = 1;
	j->state = J_RUNNING;
	trace_job(i, JOB_STARTED);
	if (!jc->background) {
		trace_fg(pid);
		S.fg = i;
	} else {
		role_say("[%d] %d\n", i + 1, pid);
	}
}

/* The index of the job whose group leader is pid, or -1. */
static int
job_of_leader(pid_t pid)
{
	for (int i = 0; i < S.njobs; i++)
		if (S.jobs[i].pgid == pid)
			return i;
	return -1;
}

/* Whether no process is left in process group pgid. */
static int
group_empty(pid_t pgid)
{
	return kill(-pgid, 0) < 0 && errno == ESRCH;
}

/* Once job i's leader is reaped and its group is empty: trace and print its end. */
static void
job_check_done(int i)
{
	struct job *j = &S.jobs[i];
	int st = j->status;

	if (j->state == J_DONE || j->leader_alive || !group_empty(j->pgid))
		return;
	j->state = J_DONE;
	trace_job(i, JOB_DONE);
	if (S.fg == i)
		take_terminal();
	if (WIFSIGNALED(st))
		role_say("[%d]  %s  %s\n", i + 1, strsignal(WTERMSIG(st)), j->name);
	else
		/* TRANSLATORS: a finished job as bash says it (number, status, command); "$ ": the prompt. */
		role_say(_("[%d]  Done(%d)  %s\n$ "), i + 1, WEXITSTATUS(st), j->name);
}

/* One child that changed state: its record, and what it means for its job. */
static void
reaped(void *ctx, pid_t p, int st)
{
	struct trace_rec r;
	int i = job_of_leader(p);

	(void)ctx;
	trace_rec_reap(&r, p, st);
	trace_emit(&r);
	if (i < 0 && (WIFSTOPPED(st) || WIFCONTINUED(st))) {
		/*
		 * An orphaned member of a job this subreaper adopted (its
		 * leader died: SIGPIPE killed the notes' server parent).  With
		 * the leader gone, the job stops and continues with it: else ^Z
		 * would leave a stopped foreground group that no fg can resume.
		 */
		i = job_of_leader(getpgid(p));
		if (i >= 0 && S.jobs[i].leader_alive)
			i = -1;
	}
	if (i < 0)
		return; /* an orphaned worker this subreaper adopted, ended */
	if (WIFSTOPPED(st)) {
		if (S.jobs[i].state == J_STOPPED)
			return; /* another member of a job already stopped */
		S.jobs[i].state = J_STOPPED;
		trace_job(i, JOB_STOPPED);
		if (S.fg == i)
			take_terminal();
		/* TRANSLATORS: a stopped job as bash reports it (number, command); "$ " is the prompt. */
		role_say(_("\n[%d]+  Stopped  %s\n$ "), i + 1, S.jobs[i].name);
	} else if (WIFCONTINUED(st)) {
		if (S.jobs[i].state == J_STOPPED) {
			S.jobs[i].state = J_RUNNING;
			trace_job(i, JOB_CONTINUED);
		}
	} else {
		S.jobs[i].leader_alive = 0;
		S.jobs[i].status = st;
		/*
		 * The rest of a crashed job is ended; but with sigpipe = default
		 * (the notes' server) the survivor goes on, as under a real shell.
		 */
		if (WIFSIGNALED(st) && !group_empty(S.jobs[i].pgid) &&
		    !(S.sc.jobs[i].kind == JOB_ECHO && S.sc.jobs[i].sigpipe == SIGPIPE_DEFAULT))
			traced_kill(-S.jobs[i].pgid, SIGTERM);
	}
}

/* Reap everything that changed state, as a shell does. */
static void
reap(void)
{
	reap_each(WUNTRACED | WCONTINUED, reaped, NULL);
	for (int i = 0; i < S.njobs; i++)
		job_check_done(i);
}

/* Whether every job has ended. */
static int
all_done(void)
{
	for (int i = 0; i < S.njobs; i++)
		if (S.jobs[i].state != J_DONE)
			return 0;
	return 1;
}

/* Continue the last stopped job in the foreground, as the shell's fg does. */
static void
cmd_fg(void)
{
	for (int i = S.njobs - 1; i >= 0; i--) {
		if (S.jobs[i].state != J_STOPPED)
			continue;
		role_say("fg\n%s\n", S.jobs[i].name);
		trace_fg(S.jobs[i].pgid);
		S.fg = i;
		S.jobs[i].background = 0; /* fg makes it a foreground job, as a shell's jobs table says */
		traced_kill(-S.jobs[i].pgid, SIGCONT);
		return;
	}
	/* TRANSLATORS: the shell's answer to fg when no job is stopped; "$ " is the prompt. */
	role_say("%s", _("fg: no stopped job\n$ "));
}

/* Drain the signalfd.  Returns 1 if a stop (TERM/HUP) arrived. */
static int
read_signals(void)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(S.sfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		traced_signal((int)si.ssi_signo, si.ssi_code, (int)si.ssi_pid, 0);
		if (si.ssi_signo != SIGINT)
			stop = 1;
	}
	reap();
	return stop;
}

/* Serve signals and reap, in turns of TERM_POLL_MS, while pending() says so, for at most ms. */
static void
wait_while(int (*pending)(void), unsigned ms)
{
	uint64_t deadline = now_ns() + ms * 1000000ull;

	while (pending() && now_ns() < deadline) {
		struct pollfd pf = { .fd = S.sfd, .events = POLLIN };

		trace_flush();
		poll(&pf, 1, TERM_POLL_MS);
		read_signals();
	}
}

/* Is some job not done yet? */
static int
jobs_left(void)
{
	return !all_done();
}

/* A proctab_keep_fn: is the process a child of the session leader *(int *)arg? */
static int
is_child_of(const struct proc_row *row, void *arg)
{
	return row->ppid == *(const int *)arg;
}

/* Has the session leader a child still (one it adopted, or one not yet reaped)? */
static int
children_left(void)
{
	struct proc_row row;
	int self = S.pid;

	return proctab_scan(is_child_of, &self, &row, 1) > 0;
}

/*
 * End what outlived the jobs: a process that left its job's group (setsid,
 * setpgid: a daemon's double fork) is out of reach of the group kills, and
 * was adopted by this subreaper when its parent died.  Nothing of a run may
 * outlive it: SIGTERM, then SIGKILL, each said on the terminal and traced.
 */
static void
end_adopted(void)
{
	struct proc_row rows[64];
	int self = S.pid;

	for (int pass = 0; pass < 2 && children_left(); pass++) {
		int n = proctab_scan(is_child_of, &self, rows, (int)ARRAY_LEN(rows));

		for (int i = 0; i < n; i++) {
			if (rows[i].state == 'Z')
				continue; /* ended: the reap below takes it */
			/* TRANSLATORS: a process of the run that left its job's process group; %3$s: the signal. */
			role_say(_("epollviz session: %d (%s) left its job's process group (setsid or setpgid) and "
				   "outlived it: %s\n"),
				 rows[i].pid, rows[i].comm, pass == 0 ? "SIGTERM" : "SIGKILL");
			traced_kill(rows[i].pid, pass == 0 ? SIGTERM : SIGKILL);
			if (pass == 0)
				kill(rows[i].pid, SIGCONT);
		}
		wait_while(children_left, pass == 0 ? TERM_GRACE_MS : KILL_GRACE_MS);
	}
}

/* End every job: SIGTERM (and SIGCONT), then SIGKILL after 3 s; then whatever left its job. */
static void __attribute__((noreturn))
terminate(void)
{
	for (int i = 0; i < S.njobs; i++) {
		if (S.jobs[i].state == J_DONE)
			continue;
		traced_kill(-S.jobs[i].pgid, SIGTERM);
		kill(-S.jobs[i].pgid, SIGCONT);
	}
	for (int pass = 0; pass < 2; pass++) {
		wait_while(jobs_left, pass == 0 ? TERM_GRACE_MS : KILL_GRACE_MS);
		if (all_done())
			break;
		for (int i = 0; i < S.njobs; i++)
			if (S.jobs[i].state != J_DONE)
				traced_kill(-S.jobs[i].pgid, SIGKILL);
	}
	end_adopted();
	take_terminal();
	role_exit(all_done() ? 0 : 1);
}

/* Read one chunk of front-end commands and run each line; EOF means terminate. */
static void
read_commands(void)
{
	char buf[256];
	ssize_t n = read(S.ctl, buf, sizeof buf - 1);

	if (n == 0)
		terminate();
	if (n < 0)
		return;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (strcmp(line, "fg") == 0)
			cmd_fg();
		else if (strcmp(line, "term") == 0)
			terminate();
	}
}

/* Become the session leader on the pty, start the jobs and serve signals and commands. */
void
session_main(const struct role_args *a, int role)
{
	static const int sigs[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };
	static const int job_control[] = { JOB_CONTROL_SIGNALS }, chld = SIGCHLD;
	char err[600];

	memset(&S, 0, sizeof S);
	S.a = a;
	S.fg = -1;
	S.ctl = a->ctl_fd;
	if (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0) {
		dprintf(STDERR_FILENO, _("epollviz session: cannot take the terminal: %s\n"),
			strerror(errno));
		_exit(1);
	}
	S.pid = getpid();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	role_start(role, "session", 1);
	/* Like an interactive shell; SIGCHLD for stops and continues too (no SA_NOCLDSTOP), by signalfd. */
	signals_set(job_control, (int)ARRAY_LEN(job_control), SIG_IGN);
	signals_set(&chld, 1, SIG_DFL);
	S.sfd = sigfd_open(sigs, (int)ARRAY_LEN(sigs), NULL);
	fd_set_cloexec(S.ctl, 1);

	trace_fg(S.pid);
	if (a->argv)
		scenario_program(&S.sc, a->argv);
	else if (scenario_load(a->scenario, &S.sc, err, sizeof err) < 0) {
		role_say("epollviz session: %s\n", err);
		role_exit(2);
	}
	role_say(_("epollviz: session %d on %s: scenario %s\n"), S.pid, ttyname(STDIN_FILENO),
		 S.sc.name);
	S.njobs = S.sc.njobs;
	for (int i = 0; i < S.njobs; i++)
		if (S.sc.jobs[i].background)
			start_job(i);
	for (int i = 0; i < S.njobs; i++)
		if (!S.sc.jobs[i].background)
			start_job(i);
	for (;;) {
		struct pollfd pf[2] = { { .fd = S.sfd, .events = POLLIN },
					{ .fd = S.ctl, .events = POLLIN } };

		trace_flush();
		if (trace_reader_gone())
			terminate();
		if (poll(pf, 2, -1) < 0 && errno != EINTR)
			terminate();
		if (pf[0].revents && read_signals())
			terminate();
		if (pf[1].revents)
			read_commands();
	}
}
