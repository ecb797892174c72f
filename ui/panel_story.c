/*
 * panel_story.c - "Story": the model's notable records (signals with their
 * si_code, kills, reaps, tcsetpgrp, job events, semaphore unlinks, stray
 * events, errors, lost accept races, failed clients with their reason, the
 * user's own actions) in time order, one sentence each, so that a Ctrl+C
 * reads as its propagation step by step.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/sentence.h"
#include "../src/trace_rec.h"
#include "../src/util.h"
#include "crt.h"
#include "panel.h"

#define NARROW 56 /* a panel narrower than this names processes without their pids */
#define FAIL_FOLD_NS (100ull * 1000000) /* clients failing alike this close together share a line */

/* Stable order by time: records of different processes arrive interleaved. */
static int
cmp_event(const void *a, const void *b)
{
	const struct trace_rec *x = *(const struct trace_rec *const *)a;
	const struct trace_rec *y = *(const struct trace_rec *const *)b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Does the event belong in the story? */
static int
shown(const struct trace_rec *e)
{
	if (e->type == TR_SETTLED)
		return 0;
	if (e->type == TR_ACTION && e->state == ACTION_DONE)
		return 0;
	return 1;
}

/* A signal received, marked SI_KERNEL or SI_USER. */
static void
signal_text(struct lines *L, const struct view *v, const struct trace_rec *e)
{
	const struct m_proc *p = model_proc(v->m, e->pid);
	char name[48];

	lines_printf(L, "%s %s ", crt_g(G_ARROW_L), signal_name(e->signo));
	if (e->si_code == SI_KERNEL) {
		lines_put(L, CS_KERNEL, " SI_KERNEL ");
		lines_printf(L, " ");
		if (p && p->pgid > 0)
			/* TRANSLATORS: Story, after "← SIGINT SI_KERNEL": who sent the signal; %d: a process group id. */
			lines_printf(L, _("from the kernel: ^C on its tty, to the foreground group %d"), p->pgid);
		else
			/* TRANSLATORS: Story, after "← SIGINT SI_KERNEL": who sent the signal. */
			lines_printf(L, "%s", _("from the kernel: ^C on its tty, to the foreground group"));
	} else if (e->si_code == SI_USER) {
		lines_put(L, CS_USER, " SI_USER ");
		lines_printf(L, " ");
		/* TRANSLATORS: Story, after "← SIGINT SI_USER"; %s: the sender, "4840 echo-server". */
		lines_printf(L, _("kill() from %s"), panel_pid_name(v, (uint32_t)e->sender, name, sizeof name));
	} else {
		const char *cn = si_code_name(e->si_code);

		lines_printf(L, " ");
		/* TRANSLATORS: Story, after "← SIGINT": %s: an si_code name (SI_QUEUE...), %d: the sender's pid. */
		lines_printf(L, _("si_code %s from %d"), cn ? cn : "?", e->sender);
	}
	if (e->pending == 1) {
		lines_printf(L, " ");
		/* TRANSLATORS: Story: the signal was never delivered, the process ended first. */
		lines_put(L, CS_DIM, _("(still pending at exit)"));
	}
}

/* ": note", dimmed: what a record means, after the record itself. */
static void
dim_note(struct lines *L, const char *note)
{
	lines_put(L, CS_DIM, ": ");
	lines_put(L, CS_DIM, note);
}

/* A kill() sent, and why it matters. */
static void
kill_text(struct lines *L, const struct view *v, const struct trace_rec *e)
{
	const struct m_proc *from = model_proc(v->m, e->pid);
	const struct m_proc *to = e->target > 0 ? model_proc(v->m, (uint32_t)e->target) : NULL;

	lines_printf(L, "%s kill(%d, %s) = %lld", crt_g(G_ARROW_R), e->target, signal_name(e->signo),
		     (long long)e->ret);
	if (e->ret < 0)
		lines_put(L, CS_ERR, errno_name(e->err));
	if (e->target < 0)
		/* TRANSLATORS: Story, after "→ kill(-4840, SIGINT) = 0: ": a negative pid names a process group. */
		dim_note(L, _("the whole group"));
	else if (from && to && from->role == ROLE_ECHO_PARENT && to->role == ROLE_ECHO_WORKER)
		/* TRANSLATORS: Story, after "→ kill(4841, SIGINT) = 0: ". */
		dim_note(L, _("the parent's handler signals its child"));
	else if (from && from->role == ROLE_FRONTEND)
		/* TRANSLATORS: Story, after "→ kill(4841, SIGINT) = 0: ": the user pressed a key in epollviz. */
		dim_note(L, _("sent by you, not by the terminal"));
}

/* A tcsetpgrp: who holds the terminal now. */
static void
fg_text(struct lines *L, const struct view *v, const struct trace_rec *e)
{
	lines_printf(L, "tcsetpgrp(tty, %d)", e->pgid);
	if (e->ret < 0) {
		lines_style(L, CS_ERR);
		/* TRANSLATORS: Story, after "tcsetpgrp(tty, 4840)"; %s: an errno name (EPERM). */
		lines_printf(L, _(" failed: %s"), errno_name(e->err));
		lines_style(L, CS_NORMAL);
	} else if (v->session > 0 && e->pgid == (int)v->session) {
		lines_put(L, CS_FG, ": ");
		/* TRANSLATORS: Story, after "tcsetpgrp(tty, 4839): ": the shell holds the terminal again. */
		lines_put(L, CS_FG, _("the session leader takes the foreground back"));
	} else {
		lines_style(L, CS_FG);
		lines_printf(L, ": ");
		/* TRANSLATORS: Story, after "tcsetpgrp(tty, 4840): "; %d: a process group id. */
		lines_printf(L, _("group %d is the foreground now"), e->pgid);
		lines_style(L, CS_NORMAL);
	}
}

/* A child reaped (or stopped, or continued). */
static void
reap_text(struct lines *L, const struct view *v, const struct trace_rec *e)
{
	char name[48];

	panel_pid_name(v, (uint32_t)e->child, name, sizeof name);
	switch (e->how) {
	case REAP_EXITED:
		/* TRANSLATORS: Story: waitpid collected a child; %1$s: "4841 echo-worker", %2$d: its exit status. */
		lines_printf(L, _("reaped %1$s: exited %2$d"), name, e->code);
		break;
	case REAP_KILLED:
		/* TRANSLATORS: Story: waitpid collected a child killed by a signal; "killed by %s" follows, in another colour. */
		lines_printf(L, _("reaped %s: "), name);
		lines_style(L, CS_WARN);
		/* TRANSLATORS: Story, after "reaped 4841 echo-worker: "; %s: a signal name (SIGKILL). */
		lines_printf(L, _("killed by %s"), signal_name(e->signo));
		lines_style(L, CS_NORMAL);
		break;
	case REAP_STOPPED:
		/* TRANSLATORS: Story: waitpid saw a child stop; %1$s: "4841 echo-worker", %2$s: a signal name (SIGTSTP). */
		lines_printf(L, _("%1$s stopped by %2$s"), name, signal_name(e->signo));
		break;
	default:
		/* TRANSLATORS: Story: waitpid saw a stopped child continue (SIGCONT); %s: "4841 echo-worker". */
		lines_printf(L, _("%s continued"), name);
		break;
	}
}

/* The notes' mistakes as they happen: a stale name, a dead owner, a skipped batch, a sleeping accept. */
static void
notes_text(struct lines *L, const struct view *v, const struct trace_rec *e)
{
	char name[48];
	const char *call;

	switch (e->type) {
	case TR_SEM_OPEN: /* a create that failed with EEXIST */
		lines_printf(L, "sem_open(\"%s\", O_CREAT|O_EXCL) = -1 ", e->text);
		lines_put(L, CS_ERR, "EEXIST");
		lines_printf(L, ": ");
		/* TRANSLATORS: Story, after "sem_open(\"/x\", O_CREAT|O_EXCL) = -1 EEXIST: "; %s: the semaphore's name. */
		lines_printf(L, _("a run that crashed left /dev/shm/sem.%s behind, and the notes' fixed name "
				  "cannot start again. The fix: a per-run name, and sem_unlink on every exit path"),
			     e->text + (e->text[0] == '/'));
		break;
	case TR_SEM_TRYWAIT: /* kept only when lost to a dead owner, who is in its owner slot */
		lines_printf(L, "sem_trywait = -1 %s: ", errno_name(e->err));
		lines_style(L, CS_ERR);
		/* TRANSLATORS: Story, after "sem_trywait = -1 EAGAIN: "; %s: the dead owner, "4841 echo-worker". */
		lines_printf(L, _("lost to %s, which died holding the semaphore"),
			     panel_pid_name(v, (uint32_t)e->owner, name, sizeof name));
		lines_style(L, CS_NORMAL);
		/* TRANSLATORS: Story, after "... which died holding the semaphore: ". */
		dim_note(L, _("nobody will sem_post it, so no worker accepts again"));
		break;
	case TR_BATCH_SKIP:
		lines_style(L, CS_ERR);
		/* TRANSLATORS: Story: a worker left its loop over epoll_wait's results (C's break); %1$llu of %2$d: entries left out of those returned. */
		lines_printf(L, _("break after a lost sem_trywait: %1$llu of %2$d ready entries not served"),
			     (unsigned long long)e->skipped, e->batch);
		lines_style(L, CS_NORMAL);
		lines_printf(L, " ");
		/* TRANSLATORS: Story, after "break after a lost sem_trywait: 1 of 2 ready entries not served ". */
		lines_put(L, CS_DIM, _("(with EPOLLET their events are not reported again: those clients wait)"));
		break;
	default: /* TR_ASLEEP */
		call = syscall_name(e->nr);
		panel_pid_name(v, (uint32_t)e->of, name, sizeof name);
		if (call)
			/* TRANSLATORS: Story: %1$s: "4841 echo-worker", %2$s(%3$d): a system call and its fd, "accept(3)". */
			lines_printf(L, _("%1$s asleep in %2$s(%3$d)"), name, call, e->fd);
		else
			/* TRANSLATORS: Story: %1$s: "4841 echo-worker", %2$d: the fd of a system call the tool cannot name. */
			lines_printf(L, _("%1$s asleep in a system call(%2$d)"), name, e->fd);
		if (e->holding == 1) {
			lines_printf(L, " ");
			/* TRANSLATORS: Story, after "4841 echo-worker asleep in accept(3) ". */
			lines_put(L, CS_ERR, _("holding the semaphore"));
			/* TRANSLATORS: Story, after "... asleep in accept(3) holding the semaphore: ". */
			dim_note(L, _("the listening socket is blocking (the notes), so the winner "
				      "sleeps when the queue is empty, and no other worker may accept"));
		}
		if (e->text[0])
			lines_printf(L, " (wchan %s)", e->text);
		break;
	}
}

/* Is e one of the notes' mistakes that notes_text tells? */
static int
notes_record(const struct trace_rec *e)
{
	return (e->type == TR_SEM_OPEN && e->ret < 0 && e->err == EEXIST) || e->type == TR_SEM_TRYWAIT ||
	       e->type == TR_BATCH_SKIP || e->type == TR_ASLEEP;
}

/* The FIFO's open returned: a writer came, or it failed (EINTR); 262.c's reopen into its own file_fd says which number the outer one keeps. */
static void
fifo_opened_text(struct lines *L, const struct trace_rec *e)
{
	if (e->ret < 0) {
		/* TRANSLATORS: Story: the FIFO watcher's blocking open failed (a signal: EINTR); %s: the errno name. */
		lines_printf(L, _("no writer came: open(FIFO) = -1 %s"), errno_name(e->err));
		return;
	}
	/* TRANSLATORS: Story: the FIFO watcher's blocking open returned; %lld: the fd it returned. */
	lines_printf(L, _("a writer came: open(FIFO) = %lld"), (long long)e->ret);
	if (!e->shadowed)
		return;
	if (e->outer_fd == e->ret) {
		lines_put(L, CS_DIM, ", ");
		/* TRANSLATORS: Story, after "a writer came: open(FIFO) = 4, ": file_fd is a variable of the notes' 262.c. */
		lines_put(L, CS_DIM, _("in the HUP branch's own file_fd: the same number as the outer one, "
				       "so it works by luck"));
		return;
	}
	lines_style(L, CS_ERR);
	lines_printf(L, ", ");
	/* TRANSLATORS: Story, after "a writer came: open(FIFO) = 5, ": file_fd is a variable of the notes' 262.c; %d: an fd. */
	lines_printf(L, _("in the HUP branch's own file_fd; the outer file_fd still names %d, closed: "
			  "its next read or epoll_ctl gets EBADF"), e->outer_fd);
	lines_style(L, CS_NORMAL);
}

/* A hang-up: the mask it came in, what the watcher does, and the bytes its close throws away. */
static void
fifo_hup_text(struct lines *L, const struct trace_rec *e)
{
	char m[96];

	lines_put(L, CS_ERR, e->events ? epoll_mask_str(e->events, 0, m, sizeof m) : "EPOLLHUP");
	lines_printf(L, " ");
	if (e->mode)
		/* TRANSLATORS: Story, after "EPOLLIN|EPOLLHUP ": what the FIFO watcher does; DEL/ADD are epoll_ctl operations. */
		lines_printf(L, _("on fd %d: DEL, close, reopen, ADD"), e->fd);
	else
		/* TRANSLATORS: Story, after "EPOLLHUP ": the naive watcher leaves the fd in its interest list. */
		lines_printf(L, _("on fd %d: naive: the fd stays in"), e->fd);
	if (e->lost) {
		lines_style(L, CS_ERR);
		lines_printf(L, ", ");
		/* TRANSLATORS: Story, after "EPOLLHUP on fd 4: DEL, close, reopen, ADD, ". */
		lines_printf(L, P_("closing with %llu byte unread: lost", "closing with %llu bytes unread: lost", e->lost),
			     (unsigned long long)e->lost);
		lines_style(L, CS_NORMAL);
		lines_printf(L, " ");
		/* TRANSLATORS: Story: 262.c is the notes' FIFO program. */
		lines_put(L, CS_DIM, _("(262.c reads once, 255 bytes, then takes the HUP branch)"));
	}
}

/* A job event of the session leader: started, stopped, continued (in the foreground), done. */
static void
job_text(struct lines *L, const struct trace_rec *e)
{
	switch (e->event) {
	case JOB_STARTED:
		/* TRANSLATORS: Story: a job of the scenario's shell (bash's sense); %d: its process group id. */
		lines_printf(L, _("job %d started"), e->pgid);
		break;
	case JOB_STOPPED:
		/* TRANSLATORS: Story: a job of the scenario's shell was stopped (^Z); %d: its process group id. */
		lines_printf(L, _("job %d stopped"), e->pgid);
		break;
	case JOB_CONTINUED:
		if (e->background)
			/* TRANSLATORS: Story: a job of the scenario's shell continued (SIGCONT), "(background &)" follows. */
			lines_printf(L, _("job %d continued"), e->pgid);
		else
			/* TRANSLATORS: Story: a job of the scenario's shell continued (SIGCONT), as with fg. */
			lines_printf(L, _("job %d continued in the foreground"), e->pgid);
		break;
	case JOB_DONE:
		/* TRANSLATORS: Story: a job of the scenario's shell ended. */
		lines_printf(L, _("job %d done"), e->pgid);
		break;
	default: lines_printf(L, "job %d %s", e->pgid, trace_rec_enum_name(RE_JOB_EVENT, e->event)); break;
	}
	if (e->background) {
		lines_printf(L, " ");
		/* TRANSLATORS: Story, after "job 4840 started": the job was started with & (bash's background). */
		lines_printf(L, "%s", _("(background &)"));
	}
}

/* Every other notable record, in one sentence. */
static void
misc_text(struct lines *L, const struct trace_rec *e)
{
	char n[32];

	switch (e->type) {
	case TR_PROC_START:
		/* TRANSLATORS: Story: a process began; %1$s: its role's record name (echo-worker, fifo...), then its ids. */
		lines_printf(L, _("started as %1$s (ppid %2$d, pgid %3$d, sid %4$d)"), trace_rec_role_name(e->role),
			     e->ppid, e->pgid, e->sid);
		break;
	case TR_PROC_EXIT: lines_printf(L, "exit(%lld)", (long long)e->ret); break;
	case TR_SEM_OPEN:
		lines_printf(L, "sem_open(\"%s\"%s)", e->text, e->initial >= 0 ? ", O_CREAT|O_EXCL" : "");
		if (e->ret == 0 && e->handle != 0)
			lines_printf(L, " = %#llx", (unsigned long long)e->handle); /* the sem_t * it returns */
		else
			lines_printf(L, " = %lld", (long long)e->ret);
		break;
	case TR_SEM_UNLINK:
		if (e->ret == 0) {
			lines_put(L, CS_OK, "sem_unlink = 0: ");
			/* TRANSLATORS: Story, after "sem_unlink = 0: ". */
			lines_put(L, CS_OK, _("the semaphore is removed"));
		} else {
			lines_printf(L, "sem_unlink = -1 %s ", errno_name(e->err));
			/* TRANSLATORS: Story, after "sem_unlink = -1 ENOENT ". */
			lines_put(L, CS_DIM, _("(already removed by the other process)"));
		}
		break;
	case TR_JOB: job_text(L, e); break;
	case TR_LISTEN:
		/* TRANSLATORS: Story: listen(fd) on address:port with its backlog (the accept queue's limit) = result. */
		lines_printf(L, _("listen(%1$d) on %2$s:%3$d backlog %4$d = %5$lld"), e->fd, e->text, e->port, e->backlog,
			     (long long)e->ret);
		if (e->flags & LISTEN_REUSEPORT)
			lines_printf(L, " SO_REUSEPORT");
		break;
	case TR_STRAY:
		lines_style(L, CS_ERR);
		if (e->reason == STRAY_NOT_OPEN)
			/* TRANSLATORS: Story: epoll_wait returned an event for an fd the process has not open. */
			lines_printf(L, _("STRAY event for fd %d: no such fd in this process"), e->fd);
		else
			/* TRANSLATORS: Story: epoll_wait returned an event for a connection of another process (shared epoll). */
			lines_printf(L, _("STRAY event for fd %d: not this process's connection"), e->fd);
		lines_style(L, CS_NORMAL);
		if (e->owner > 0) {
			lines_printf(L, " ");
			/* TRANSLATORS: Story, after "STRAY event for fd 7: ..."; %d: a pid. */
			lines_printf(L, _("(it belongs to %d)"), e->owner);
		}
		break;
	case TR_KCMP:
		lines_printf(L, "kcmp(KCMP_FILE, fd %d, pid %d fd %d) = %lld", e->fd, e->pid2, e->fd2,
			     (long long)e->ret);
		if (e->ret >= 0) {
			lines_put(L, CS_TITLE, ": ");
			/* TRANSLATORS: Story, after "kcmp(KCMP_FILE, fd 3, pid 4841 fd 3) = 0: " (1: two different ones). */
			lines_put(L, CS_TITLE, e->ret == 0 ? _("the same open file") : _("different files"));
		}
		break;
	case TR_LOG: {
		char buf[2 * sizeof e->text];

		lines_printf(L, "%s", sentence_localize(e->text, buf, sizeof buf));
		break;
	}
	case TR_FIFO_WAITING:
		/* TRANSLATORS: Story: the FIFO watcher's open sleeps until some process opens the FIFO for writing. */
		lines_printf(L, "%s", _("open(FIFO, O_RDONLY) blocks: waiting for a writer"));
		break;
	case TR_FIFO_OPENED: fifo_opened_text(L, e); break;
	case TR_FIFO_HUP: fifo_hup_text(L, e); break;
	case TR_READ:
		lines_style(L, CS_ERR);
		lines_printf(L, "read(%d) = -1 %s", e->fd, errno_name(e->err));
		lines_style(L, CS_NORMAL);
		if (e->err == EBADF)
			/* TRANSLATORS: Story, after "read(4) = -1 EBADF: ". */
			dim_note(L, _("fd not open (a stale number)"));
		break;
	case TR_FIFO_WRITE:
		lines_style(L, CS_ERR);
		/* TRANSLATORS: Story: %s: an errno name (EPIPE). */
		lines_printf(L, _("write into the FIFO = -1 %s"), errno_name(e->err));
		lines_style(L, CS_NORMAL);
		break;
	case TR_HUP_STORM:
		lines_style(L, CS_ERR);
		/* TRANSLATORS: Story: the naive FIFO watcher got EPOLLHUP again and again; %1$s%2$s: "×" and a count, "×10,000". */
		lines_printf(L, P_("storm cap: %1$s%2$s EPOLLHUP returns", "storm cap: %1$s%2$s EPOLLHUP returns", e->count),
			     crt_g(G_TIMES), fmt_count(e->count, n, sizeof n));
		lines_style(L, CS_NORMAL);
		/* TRANSLATORS: Story, after "storm cap: ×10,000 EPOLLHUP returns": the cure is DEL, close, reopen, ADD. */
		lines_printf(L, "%s", _("; the watcher applies the cure"));
		break;
	case TR_INHERIT:
		/* TRANSLATORS: Story: %1$d: an fd, %2$s: its kind's record name (listen, fifo...), %3$d: the parent's pid. */
		lines_printf(L, _("inherited fd %1$d (%2$s) from %3$d"), e->fd, trace_rec_enum_name(RE_OPEN_KIND, e->kind),
			     e->from);
		break;
	case TR_OPEN:
		lines_printf(L, "open %s \"%s\" = %lld", trace_rec_enum_name(RE_OPEN_KIND, e->kind), e->text,
			     (long long)e->ret);
		break;
	case TR_EPOLL_CREATE: lines_printf(L, "epoll_create1() = %lld", (long long)e->ret); break;
	case TR_EPOLL_CTL:
		lines_style(L, CS_ERR);
		lines_printf(L, "epoll_ctl(%s, fd %d) = -1 %s", epoll_op_name(e->op, 0), e->fd, errno_name(e->err));
		lines_style(L, CS_NORMAL);
		break;
	case TR_ACCEPT:
		lines_style(L, CS_ERR);
		lines_printf(L, "accept(%d) = -1 %s", e->fd, errno_name(e->err));
		lines_style(L, CS_NORMAL);
		/* The model keeps an EAGAIN only when another process took the connection. */
		if (e->err == EAGAIN || e->err == EWOULDBLOCK) {
			lines_printf(L, ": ");
			/* TRANSLATORS: Story, after "accept(3) = -1 EAGAIN: ". */
			lines_printf(L, "%s", _("another worker took the connection (lost the race)"));
		}
		break;
	default: lines_printf(L, "%s", trace_rec_type_name(e->type)); break;
	}
}

/*
 * Why a connection was never accepted, as far as the model knew then, as
 * the rest of "no reply in 2.0 s": ", never accepted: the server was stopped ...".
 */
static void
unaccepted_why(struct strbuf *b, const struct m_client *c)
{
	if (c->server_gone)
		/* TRANSLATORS: Story, after "client 3 failed: no reply in 2.0 s" (the connection is the subject). */
		sb_add(b, _(", never accepted: the server had ended"));
	else if (c->server_stopped && c->queued > 0)
		/* TRANSLATORS: Story, after "client 3 failed: no reply in 2.0 s" (the connection is the subject); ^Z stopped the server. */
		sb_printf(b, P_(", never accepted: the server was stopped (^Z), %lld connection waiting in the accept queue",
				", never accepted: the server was stopped (^Z), %lld connections waiting in the accept queue",
				c->queued),
			  (long long)c->queued);
	else if (c->server_stopped)
		/* TRANSLATORS: Story, after "client 3 failed: no reply in 2.0 s" (the connection is the subject); ^Z stopped the server. */
		sb_add(b, _(", never accepted: the server was stopped (^Z)"));
	else if (c->queued > 0)
		/* TRANSLATORS: Story, after "client 3 failed: no reply in 2.0 s" (the connection is the subject). */
		sb_printf(b, P_(", never accepted: %lld connection waiting in the accept queue",
				", never accepted: %lld connections waiting in the accept queue", c->queued),
			  (long long)c->queued);
	else
		/* TRANSLATORS: Story, after "client 3 failed: no reply in 2.0 s" (the connection is the subject). */
		sb_add(b, _(", never accepted"));
}

/* "could not connect", in how long if known (ns, 0: unknown). */
static void
not_connected(struct strbuf *b, uint64_t ns)
{
	if (ns)
		/* TRANSLATORS: Story, after "client 5 failed: "; %.1f: seconds. */
		sb_printf(b, _("could not connect in %.1f s"), (double)ns / 1e9);
	else
		/* TRANSLATORS: Story, after "client 5 failed: ". */
		sb_add(b, _("could not connect"));
}

/* The reason a connection attempt failed, from its errno and what the model knew then (c may be NULL). */
static void
connect_why(struct strbuf *b, const struct trace_rec *e, const struct m_client *c)
{
	switch (e->err) {
	case ECONNREFUSED:
		if (c && c->server_gone)
			/* TRANSLATORS: Story, after "client 1 failed: ". */
			sb_add(b, _("connection refused: nothing listened on the server's port (the server had ended)"));
		else
			/* TRANSLATORS: Story, after "client 1 failed: ". */
			sb_add(b, _("connection refused: nothing listened on the server's port"));
		break;
	case ECONNRESET:
		if (c && c->server_gone)
			/* TRANSLATORS: Story, after "client 2 failed: "; RST: the TCP reset. */
			sb_add(b, _("reset by the server (RST): the server had ended"));
		else if (c && c->accepted_by == 0)
			/* TRANSLATORS: Story, after "client 2 failed: "; RST: the TCP reset; its listener: the connection's listening socket. */
			sb_add(b, _("reset by the server (RST) before it was accepted: its listener closed"));
		else
			/* TRANSLATORS: Story, after "client 2 failed: "; RST: the TCP reset. */
			sb_add(b, _("reset by the server (RST)"));
		break;
	case EPIPE:
		/* TRANSLATORS: Story, after "client 2 failed: ". */
		sb_add(b, _("the server had closed the connection (EPIPE)"));
		break;
	case ETIMEDOUT:
		not_connected(b, e->elapsed_ns);
		if (c && c->full_backlog > 0) {
			sb_add(b, ": ");
			/* TRANSLATORS: Story, after "client 5 failed: could not connect in 3.0 s: "; %1$lld: connections waiting, %2$d: the listen backlog. */
			sb_printf(b, P_("the accept queue was full (%1$lld waiting, backlog %2$d), so the kernel dropped its SYN",
					"the accept queue was full (%1$lld waiting, backlog %2$d), so the kernel dropped its SYN",
					c->full_queue),
				  (long long)c->full_queue, c->full_backlog);
		}
		break;
	default: sb_add(b, errno_name(e->err)); break;
	}
}

/* Why client e failed, into b (emptied first): refused, reset, timed out (and why nobody answered). */
static void
client_reason(struct strbuf *b, const struct view *v, const struct trace_rec *e)
{
	const struct m_client *c = model_client(v->m, e->client);
	char name[48];

	sb_reset(b);
	sb_add(b, "");
	if (e->event == CLIENT_ERROR || e->err) {
		connect_why(b, e, c);
		return;
	}
	if (e->elapsed_ns)
		/* TRANSLATORS: Story, after "client 3 failed: "; %.1f: seconds; what follows may be ", never accepted..." or ": accepted by ...". */
		sb_printf(b, _("no reply in %.1f s"), (double)e->elapsed_ns / 1e9);
	else
		/* TRANSLATORS: Story, after "client 3 failed: "; what follows may be ", never accepted..." or ": accepted by ...". */
		sb_add(b, _("no reply"));
	if (c == NULL)
		return;
	if (c->accepted_by) {
		panel_pid_name(v, c->accepted_by, name, sizeof name);
		sb_add(b, ": ");
		if (c->server_stopped)
			/* TRANSLATORS: Story, after "client 4 failed: no reply in 2.1 s: "; %s: the worker, "4841 echo-worker". */
			sb_printf(b, _("accepted by %s, which did not answer (the server was stopped: ^Z)"), name);
		else
			/* TRANSLATORS: Story, after "client 4 failed: no reply in 2.1 s: "; %s: the worker, "4841 echo-worker". */
			sb_printf(b, _("accepted by %s, which did not answer"), name);
		return;
	}
	unaccepted_why(b, c);
}

/* A failed client, or clients e to last that failed alike, with the reason. */
static void
client_text(struct lines *L, const struct view *v, const struct trace_rec *e, const struct trace_rec *last)
{
	static struct strbuf b;

	client_reason(&b, v, e);
	lines_style(L, CS_ERR);
	if (last != e)
		/* TRANSLATORS: Story: test clients numbered %1$d to %2$d failed alike; the reason follows. */
		lines_printf(L, _("clients %1$d-%2$d failed: "), e->client, last->client);
	else
		/* TRANSLATORS: Story: test client number %d failed; the reason follows. */
		lines_printf(L, _("client %d failed: "), e->client);
	lines_style(L, CS_NORMAL);
	lines_printf(L, "%s", b.s);
}

/* Did two clients fail for the same reason?  (Their lines fold into one, as repeats do.) */
static int
same_failure(const struct view *v, const struct trace_rec *a, const struct trace_rec *b)
{
	static struct strbuf x, y;

	if (a->type != TR_CLIENT || b->type != TR_CLIENT)
		return 0;
	client_reason(&x, v, a);
	client_reason(&y, v, b);
	return strcmp(x.s, y.s) == 0;
}

/* The user's action, as the action record said it. */
static void
action_text(struct lines *L, const struct trace_rec *e)
{
	char buf[2 * sizeof e->text];
	const char *text = sentence_localize(e->text, buf, sizeof buf);

	lines_style(L, e->state == ACTION_BEGIN ? CS_YOU : CS_ERR);
	if (e->state == ACTION_BEGIN)
		lines_printf(L, "%s", text);
	else if (e->state == ACTION_FAILED)
		/* TRANSLATORS: Story: an action of the user (a key pressed) failed; %s: the action. */
		lines_printf(L, _("failed: %s"), text);
	else
		/* TRANSLATORS: Story: an action of the user (a key pressed) did not finish in time; %s: the action. */
		lines_printf(L, _("timed out: %s"), text);
	lines_style(L, CS_NORMAL);
}

/*
 * One story line: time, who (bare: without the pid), what happened, repeat
 * count (last: the last record folded into it).
 */
static void
event_line(struct lines *L, const struct view *v, const struct trace_rec *e, const struct trace_rec *last,
	   int nw, int bare, int count)
{
	char name[48];

	lines_add(L);
	lines_printf(L, "%8.3f ", panel_secs(v, e->ts_ns));
	lines_field(L, bare ? panel_role_name(v, e->pid, name, sizeof name) : panel_short_name(v, e->pid, name, sizeof name),
		    nw);
	lines_hang(L);
	switch (e->type) {
	case TR_SIGNAL: signal_text(L, v, e); break;
	case TR_KILL: kill_text(L, v, e); break;
	case TR_FG: fg_text(L, v, e); break;
	case TR_REAP: reap_text(L, v, e); break;
	case TR_ACTION: action_text(L, e); break;
	case TR_CLIENT: client_text(L, v, e, last); break;
	default:
		if (notes_record(e))
			notes_text(L, v, e);
		else
			misc_text(L, e);
		break;
	}
	if (count > 1) {
		lines_style(L, CS_WARN);
		lines_printf(L, " %s%d", crt_g(G_TIMES), count);
		lines_style(L, CS_NORMAL);
	}
}

/* Same story line?  (Consecutive repeats are shown once with a count.) */
static int
same_event(const struct trace_rec *a, const struct trace_rec *b)
{
	return a->type == b->type && a->pid == b->pid && a->epfd == b->epfd && a->fd == b->fd &&
	       a->op == b->op && a->events == b->events && a->data == b->data && a->ret == b->ret &&
	       a->err == b->err && a->arg == b->arg && a->arg2 == b->arg2 && a->pid2 == b->pid2 &&
	       a->val == b->val && strcmp(a->text, b->text) == 0;
}

/* Fill the panel: the events in time order, repeats folded. */
static void
story_draw(struct panel *pn, const struct view *v, int w)
{
	static const struct trace_rec *ev[M_EVENTS];
	static char used[M_EVENTS]; /* folded into an earlier line */
	const struct model *m = v->m;
	struct lines *L = &pn->L;
	/* Narrow: the names without their pids (panel 6 has both). */
	int n = 0, bare = w < NARROW, nw = panel_name_width(v, bare) + 1;

	lines_reset(L);
	/* TRANSLATORS: after the Story panel's title, on its top rule: keep it short. */
	snprintf(L->title, sizeof L->title, "%s", _("in time order"));
	for (uint64_t k = 0; k < M_EVENTS; k++) {
		const struct trace_rec *e = model_event_back(m, k);

		if (e == NULL)
			break;
		if (shown(e))
			ev[n++] = e;
	}
	qsort(ev, (size_t)n, sizeof ev[0], cmp_event);
	memset(used, 0, (size_t)n);
	for (int i = 0; i < n; i++) {
		const struct trace_rec *last = ev[i];
		int k = 1;

		if (used[i])
			continue;
		for (int j = i + 1; j < n; j++) {
			if (used[j])
				continue;
			if (same_event(last, ev[j]) || same_failure(v, last, ev[j])) {
				used[j] = 1;
				last = ev[j];
				k++;
			} else if (ev[i]->type != TR_CLIENT || ev[j]->ts_ns - last->ts_ns > FAIL_FOLD_NS) {
				/*
				 * Repeats fold when they follow one another; clients that
				 * fail alike fold across the lines between them, while they
				 * come close together (a burst reset at once).
				 */
				break;
			}
		}
		event_line(L, v, ev[i], last, nw, bare, k);
	}
	/* Lines ever: new ones, plus the ones that fell out of the ring. */
	L->total = (uint64_t)L->n + (m->nevents > M_EVENTS ? m->nevents - M_EVENTS : 0);
	if (n == 0) {
		lines_add(L);
		/* TRANSLATORS: the Story panel while it is empty. */
		lines_put(L, CS_DIM, _("nothing notable yet"));
	}
}

/* Under the timeline when the screen is wide, or when there is no Connections panel (the right column is short). */
static int
story_column(int wide, const int *shown)
{
	return wide || !shown[P_CONN] ? PC_LEFT : PC_RIGHT;
}

const struct panel_ops panel_story_ops = {
	/* TRANSLATORS: a panel's title (the panel telling notable events in sentences): at most 12 columns. */
	.name = N_("Story"),
	.key = '8',
	.help = N_("Notable records in time order: signals with their si_code (SI_KERNEL: sent by "
		"the kernel's tty line discipline; SI_USER: sent by kill), kills, reaps, job and "
		"foreground changes, semaphore unlinks, stray events, errors, accept() calls that lost "
		"the race for a connection (EAGAIN), clients that failed and why, the notes' mistakes when "
		"switched on (a semaphore name left by a crash, a holder that died or sleeps in accept, a "
		"batch cut short by break), and your own actions."),
	.fact = N_("After Ctrl+C it reads as the propagation: the kernel signals every process of "
		"the foreground group, each handler runs, the parent's kill(child, SIGINT) is "
		"redundant for ^C but is what stops the child after i (kill -INT parent) (fact 10), "
		"children are reaped, the semaphore is unlinked, the shell takes the terminal back."),
	.applies = panel_in_scenario,
	.col = PC_RIGHT,
	.column = story_column,
	.order = 4,
	.min_h = 3,
	.flex = 1,
	.bottom = 1,
	.wrap = 1,
	.draw = story_draw,
};
