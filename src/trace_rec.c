/*
 * trace_rec.c - the record types, described once (see trace_rec.h), and
 * the JSON and text forms of a record that the table drives.  The JSON
 * field names are the documented interface of `--json` (README, man page):
 * change them only together with those.
 */
#include "trace_rec.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* ---- enumerations -------------------------------------------------------- */

struct rec_enum_names {
	const char *const *names;
	int n;
	int nonzero_is_one; /* any value other than 0 is the second name */
};

/* clang-format off */
#define NAMES(...) { (const char *const[]){ __VA_ARGS__ }, \
		     (int)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)), 0 }

static const struct rec_enum_names enums[RE__COUNT] = {
	[RE_ROLE] = NAMES("frontend", "session", "echo-server", "echo-worker", "fifo-watch", "probe",
			 "program"),
	[RE_REAP_HOW] = NAMES("exited", "killed", "stopped", "continued"),
	[RE_OPEN_KIND] = NAMES("file", "pipe-read", "pipe-write", "fifo", "listen", "epoll"),
	[RE_STRAY_REASON] = NAMES("not-open", "not-mine"),
	[RE_JOB_EVENT] = NAMES("started", "stopped", "continued", "done"),
	[RE_CLIENT_EVENT] = NAMES("connected", "sent", "reply", "closed", "error", "timeout"),
	[RE_ACTION_STATE] = NAMES("begin", "done", "timeout", "failed"),
	[RE_VERDICT] = NAMES("agree", "kernel-only", "trace-only", "events-differ"),
	[RE_HUP_MODE] = { (const char *const[]){ "naive", "fixed" }, 2, 1 },
	[RE_UNTRACED] = NAMES("static", "setid", "no-preload", "not-loaded", "silent"),
};
/* clang-format on */

_Static_assert(ROLE__COUNT == 7, "a role without a name in enums[RE_ROLE]");

/* The name of value v of enumeration e. */
const char *
trace_rec_enum_name(int e, int v)
{
	const struct rec_enum_names *en;

	if (e < 0 || e >= RE__COUNT)
		return "unknown";
	en = &enums[e];
	if (en->nonzero_is_one)
		v = v != 0;
	return v >= 0 && v < en->n ? en->names[v] : "unknown";
}

/* The value of enumeration e named name, or -1. */
int
trace_rec_enum_find(int e, const char *name)
{
	if (e < 0 || e >= RE__COUNT)
		return -1;
	for (int i = 0; i < enums[e].n; i++)
		if (strcmp(enums[e].names[i], name) == 0)
			return i;
	return -1;
}

/* A role's name. */
const char *
trace_rec_role_name(int role)
{
	return trace_rec_enum_name(RE_ROLE, role);
}

/* The role named name, or -1. */
int
trace_rec_role_find(const char *name)
{
	return trace_rec_enum_find(RE_ROLE, name);
}

/* ---- lines that a template cannot say ------------------------------------ */

/* " = 3" or " = -1 EPERM", as strace writes a result. */
static void
line_ret(struct strbuf *b, const struct trace_rec *r)
{
	if (r->ret < 0 && r->err)
		sb_printf(b, " = %lld %s", (long long)r->ret, errno_name(r->err));
	else
		sb_printf(b, " = %lld", (long long)r->ret);
}

/* reaped 42: exited 0 / reaped 42: killed by SIGTERM */
static void
line_reap(struct strbuf *b, const struct trace_rec *r)
{
	if (r->how == REAP_EXITED)
		sb_printf(b, "reaped %d: exited %d", r->child, r->code);
	else
		sb_printf(b, "reaped %d: %s by %s", r->child, trace_rec_enum_name(RE_REAP_HOW, r->how),
			  signal_name(r->signo));
}

/* pid 42 asleep in accept4(3), wchan inet_csk_accept */
static void
line_asleep(struct strbuf *b, const struct trace_rec *r)
{
	const char *name = syscall_name(r->nr);

	if (name)
		sb_printf(b, "pid %d asleep in %s(%d)", r->of, name, r->fd);
	else
		sb_printf(b, "pid %d asleep in syscall %d(%d)", r->of, r->nr, r->fd);
	if (r->holding == 1)
		sb_add(b, " holding the semaphore");
	if (r->text[0])
		sb_printf(b, ", wchan %s", r->text);
}

/* epoll_ctl(4, EPOLL_CTL_ADD, 3, {EPOLLIN|EPOLLET, data=3}) = 0 */
static void
line_epoll_ctl(struct strbuf *b, const struct trace_rec *r)
{
	char m[160];

	if (r->op == EPOLL_CTL_DEL)
		sb_printf(b, "epoll_ctl(%d, EPOLL_CTL_DEL, %d, NULL)", r->epfd, r->fd);
	else
		sb_printf(b, "epoll_ctl(%d, %s, %d, {%s, data=%llu})", r->epfd, epoll_op_name(r->op, 0),
			  r->fd, epoll_mask_str(r->events, 0, m, sizeof m), (unsigned long long)r->data);
	line_ret(b, r);
}

/* accept(3) = 5 peer 127.0.0.1:40000 */
static void
line_accept(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "accept(%d)", r->fd);
	line_ret(b, r);
	if (r->ret >= 0)
		sb_printf(b, " peer %s", r->text);
}

/* read(5) = 6 "hello." */
static void
line_read(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "read(%d)", r->fd);
	line_ret(b, r);
	if (r->ret > 0)
		sb_printf(b, " \"%s\"", r->text);
}

/*
 * sem_open("/name", O_CREAT|O_EXCL, 0600, 1) = 0x7f...: the sem_t pointer it
 * returns (SEM_FAILED and the errno when it failed); without O_CREAT when opened.
 */
static void
line_sem_open(struct strbuf *b, const struct trace_rec *r)
{
	if (r->initial >= 0)
		sb_printf(b, "sem_open(\"%s\", O_CREAT|O_EXCL, 0600, %d)", r->text, r->initial);
	else
		sb_printf(b, "sem_open(\"%s\", 0)", r->text);
	if (r->ret == 0 && r->handle != 0)
		sb_printf(b, " = %#llx", (unsigned long long)r->handle);
	else if (r->ret < 0)
		sb_printf(b, " = SEM_FAILED %s", errno_name(r->err));
	else
		line_ret(b, r);
}

/* sem_trywait() = 0 (won) */
static void
line_sem_trywait(struct strbuf *b, const struct trace_rec *r)
{
	sb_add(b, "sem_trywait()");
	line_ret(b, r);
	sb_add(b, r->ret == 0 ? " (won)" : " (lost)");
}

/* sem_wait() = 0 (took it), or sem_timedwait's ETIMEDOUT */
static void
line_sem_wait(struct strbuf *b, const struct trace_rec *r)
{
	sb_add(b, "sem_wait()");
	line_ret(b, r);
	if (r->ret == 0)
		sb_add(b, " (took it)");
}

/* lock "accept_mutex": a word in shared memory, made (value 1: free) or inherited (memfd fd 5) */
static void
line_lock_open(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "lock \"%s\": %s (memfd fd %d)", r->text,
		  r->initial >= 0 ? "a lock word made in shared memory before fork" : "the lock word, inherited",
		  r->fd);
	line_ret(b, r);
}

/* lock(accept_mutex) = 0 (taken), or = -1 EBUSY (held by 4242) */
static void
line_lock_try(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "trylock(%s)", r->text);
	line_ret(b, r);
	if (r->ret == 0)
		sb_add(b, " (taken)");
	else
		sb_printf(b, " (held by %d)", r->owner);
}

/* unlock(accept_mutex) = 0, or the parent's force-unlock of a dead holder's lock */
static void
line_lock_release(struct strbuf *b, const struct trace_rec *r)
{
	if (r->owner != 0 && (uint32_t)r->owner != r->pid)
		sb_printf(b, "force-unlock(%s): its holder %d died holding it", r->text, r->owner);
	else
		sb_printf(b, "unlock(%s)", r->text);
	line_ret(b, r);
}

/* --- SIGINT {si_code=SI_KERNEL, si_pid=0} --- */
static void
line_signal(struct strbuf *b, const struct trace_rec *r)
{
	const char *cn = si_code_name(r->si_code);

	sb_printf(b, "--- %s {si_code=%s, si_pid=%d}%s ---", signal_name(r->signo), cn ? cn : "?", r->sender,
		  r->pending == 1 ? " (pending at exit)" : "");
}

/* EPOLLHUP storm on fd 5: 1000 returns in 2.0 ms (cap reached) */
static void
line_hup_storm(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "EPOLLHUP storm on fd %d: %llu returns in %.1f ms%s", r->fd,
		  (unsigned long long)r->count, (double)r->elapsed_ns / 1e6,
		  r->storm == STORM_CAPPED ? " (cap reached)"
		  : r->storm == STORM_OVER ? " (over: a writer is back)"
					   : "");
}

/* open("/tmp/x/fifo", O_RDONLY) = 5 into a new file_fd; the outer one still names 4 */
static void
line_fifo_opened(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "open(\"%s\", O_RDONLY)", r->text);
	line_ret(b, r);
	if (r->shadowed && r->ret >= 0)
		sb_printf(b, " into a new file_fd; the outer one still names %d%s", r->outer_fd,
			  r->outer_fd == r->ret ? " (the same number: it works by luck)" : ", closed");
}

/* EPOLLIN|EPOLLHUP on fifo fd 4 (fixed): 345 bytes unread, lost by the close */
static void
line_fifo_hup(struct strbuf *b, const struct trace_rec *r)
{
	char m[160];

	/* Recordings made before the mask was traced carry 0 there: it was EPOLLHUP. */
	sb_printf(b, "%s on fifo fd %d (%s)", r->events ? epoll_mask_str(r->events, 0, m, sizeof m) : "EPOLLHUP",
		  r->fd, trace_rec_enum_name(RE_HUP_MODE, r->mode));
	if (r->lost)
		sb_printf(b, ": %llu bytes unread, lost by the close", (unsigned long long)r->lost);
}

/* pid 42 "static-epoll" is not traced: statically linked, ... */
static void
line_untraced(struct strbuf *b, const struct trace_rec *r)
{
	static const char *const why[] = {
		[UT_STATIC] = "statically linked: no dynamic loader, so nothing to preload into",
		[UT_SETID] = "setuid or setgid: the loader ignores LD_PRELOAD",
		[UT_NO_PRELOAD] = "started without LD_PRELOAD (its parent cleared the environment)",
		[UT_NOT_LOADED] = "the tracer library is not in its memory",
		[UT_SILENT] = "loaded, but no call came: raw system calls (as Go makes) or io_uring",
	};

	sb_printf(b, "pid %d \"%s\" is not traced: %s", r->of, r->text,
		  r->why >= 0 && r->why <= UT_SILENT ? why[r->why] : "unknown reason");
}

/* write(FIFO "/tmp/x/fifo") = 600, then close */
static void
line_fifo_write(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "write(FIFO \"%s\")", r->text);
	line_ret(b, r);
	if (r->closes)
		sb_add(b, ", then close");
}

/* listen(3) on 127.0.0.1:8080 backlog 5 SO_REUSEPORT = 0 */
static void
line_listen(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "listen(%d) on %s:%d backlog %d%s%s", r->fd, r->text, r->port, r->backlog,
		  r->flags & LISTEN_INHERITED ? " (inherited)" : "",
		  r->flags & LISTEN_REUSEPORT ? " SO_REUSEPORT" : "");
	line_ret(b, r);
}

/* stray event: epfd 4 delivered {EPOLLIN, data=...} for fd 7: not this process's connection */
static void
line_stray(struct strbuf *b, const struct trace_rec *r)
{
	char m[160];

	sb_printf(b, "stray event: epfd %d delivered {%s, data=%llu} for fd %d: %s", r->epfd,
		  epoll_mask_str(r->events, 0, m, sizeof m), (unsigned long long)r->data, r->fd,
		  r->reason == STRAY_NOT_OPEN ? "no such fd here" : "not this process's connection");
}

/* kcmp(10, 11, KCMP_FILE, 4, 4) = 1 (different files) */
static void
line_kcmp(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "kcmp(%u, %d, KCMP_FILE, %d, %d)", r->pid, r->pid2, r->fd, r->fd2);
	line_ret(b, r);
	if (r->ret >= 0)
		sb_add(b, r->ret == 0 ? " (same file)" : " (different files)");
}

/* job started: pgid 42 "epollviz echo-server" & */
static void
line_job(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "job %s: pgid %d \"%s\"%s", trace_rec_enum_name(RE_JOB_EVENT, r->event), r->pgid,
		  r->text, r->background ? " &" : "");
}

/* client 3 reply port 40000 "pid = 42 | hello" / client 4 timeout port 40001 after 2.001 s */
static void
line_client(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "client %d %s", r->client, trace_rec_enum_name(RE_CLIENT_EVENT, r->event));
	if (r->client_port)
		sb_printf(b, " port %d", r->client_port);
	if (r->err)
		sb_printf(b, " %s", errno_name(r->err));
	if (r->elapsed_ns && (r->event == CLIENT_ERROR || r->event == CLIENT_TIMEOUT))
		sb_printf(b, " after %.3f s", (double)r->elapsed_ns / 1e9);
	if (r->text[0])
		sb_printf(b, " \"%s\"", r->text);
}

/* One "tty|" line per line the children printed. */
static void
line_tty(struct strbuf *b, const struct trace_rec *r)
{
	const char *t = r->text;
	size_t n = strlen(t);

	if (n > 0 && t[n - 1] == '\n')
		n--;
	sb_add(b, "tty| ");
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '\n')
			sb_printf(b, "\n%10s    %7s  tty| ", "", "");
		else
			sb_addn(b, &t[i], 1);
	}
}

/* end of run: 0 actions failed, clean-up had to force */
static void
line_run_end(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "end of run: %d action%s failed%s%s%s", r->actions_failed,
		  r->actions_failed == 1 ? "" : "s", r->flags & RUN_UNCLEAN ? ", clean-up had to force" : "",
		  r->flags & RUN_INTERRUPTED ? ", interrupted" : "",
		  r->flags & RUN_FATAL ? ", fatal error" : "");
}

/* kernel: pid 42 epfd 4 is epoll instance #1, 2 watched */
static void
line_kepoll(struct strbuf *b, const struct trace_rec *r)
{
	if (r->instance > 0)
		sb_printf(b, "kernel: pid %d epfd %d is epoll instance #%d, %d watched", r->of, r->epfd,
			  r->instance, r->watches);
	else
		sb_printf(b, "kernel: pid %d epfd %d: instance unknown (kcmp: %s), %d watched", r->of,
			  r->epfd, errno_name(r->err), r->watches);
}

/* kernel: pid 42 epfd 4 watches fd 3 {EPOLLIN, data=3}: agree: socket ... */
static void
line_kwatch(struct strbuf *b, const struct trace_rec *r)
{
	char m[160];

	sb_printf(b, "kernel: pid %d epfd %d watches fd %d {%s, data=%llu}: %s%s%s", r->of, r->epfd, r->fd,
		  epoll_mask_str(r->events, 0, m, sizeof m), (unsigned long long)r->data,
		  trace_rec_enum_name(RE_VERDICT, r->verdict), r->text[0] ? ": " : "", r->text);
}

/* ---- the table ----------------------------------------------------------- */

/* clang-format off */
/* Where member m of struct trace_rec is (m is a member name: it cannot be parenthesised). */
#define SLOT(m) .off = offsetof(struct trace_rec, m), .size = sizeof(((struct trace_rec *)0)->m) /* NOLINT(bugprone-macro-parentheses) */
#define F_INT(n, m) { .name = (n), .kind = RK_INT, SLOT(m), .sign = 1 }
#define F_U64(n, m) { .name = (n), .kind = RK_U64, SLOT(m) }
#define F_MASK(n, m) { .name = (n), .kind = RK_MASK, SLOT(m) }
#define F_SIG(n, m) { .name = (n), .kind = RK_SIGNAL, SLOT(m), .sign = 1 }
#define F_ENUM(n, m, e) { .name = (n), .kind = RK_ENUM, SLOT(m), .sign = 1, .arg = (e) }
#define F_BIT(n, m, bits) { .name = (n), .kind = RK_BIT, SLOT(m), .sign = 1, .arg = (bits) }
#define F_IS(n, m, v) { .name = (n), .kind = RK_IS, SLOT(m), .sign = 1, .arg = (v) }
#define F_TEXT(n) { .name = (n), .kind = RK_TEXT }
#define F_ERRNO(n) { .name = (n), .kind = RK_ERRNO, SLOT(err), .sign = 1 }
/* The result of a call: "ret" and "errno". */
#define F_RET F_INT("ret", ret), F_ERRNO("errno")
#define F_INODE { .name = "inode", .kind = RK_U64, SLOT(inode), .show = RS_NULL_IF_NONPOS }
/* The sem_t of a semaphore record: the model tells semaphores apart by it; not in --json. */
#define F_HANDLE { .name = "handle", .kind = RK_U64, SLOT(handle), .show = RS_HIDDEN }

static const struct rec_type types[TR__COUNT] = {
	[TR_PROC_START] = { "proc_start", "start {role} \"{name}\" ppid {ppid} pgid {pgid} sid {sid}", NULL,
		{ F_ENUM("role", role, RE_ROLE), F_TEXT("name"), F_INT("ppid", ppid), F_INT("pgid", pgid),
		  F_INT("sid", sid), F_U64("version", version) } },
	[TR_PROC_EXIT] = { "proc_exit", "exit({status})", NULL, { F_INT("status", ret) } },
	[TR_REAP] = { "reap", NULL, line_reap,
		{ F_INT("child", child), F_ENUM("how", how, RE_REAP_HOW),
		  { .name = "code", .kind = RK_INT, SLOT(code), .sign = 1, .show = RS_OP_IS, .sv = REAP_EXITED },
		  { .name = "signo", .kind = RK_SIGNAL, SLOT(signo), .sign = 1, .show = RS_OP_NOT, .sv = REAP_EXITED } } },
	[TR_READY] = { "ready", "ready", NULL, { { 0 } } },
	[TR_EPOLL_CREATE] = { "epoll_create", "epoll_create1({flags}){=}", NULL,
		{ { .name = "flags", .kind = RK_CFLAGS, SLOT(cflags), .sign = 1 }, F_RET } },
	[TR_EPOLL_CTL] = { "epoll_ctl", NULL, line_epoll_ctl,
		{ F_INT("epfd", epfd), { .name = "op", .kind = RK_CTLOP, SLOT(op), .sign = 1 }, F_INT("fd", fd),
		  F_MASK("events", events), F_U64("data", data), F_RET } },
	[TR_WAIT_ENTER] = { "wait_enter", "epoll_wait({epfd}, maxevents={maxevents}, timeout={timeout}) ...", NULL,
		{ F_INT("epfd", epfd), F_INT("maxevents", maxevents), F_INT("timeout", timeout) } },
	[TR_WAIT_RETURN] = { "wait_return", "... epoll_wait({epfd}){=}{ready}", NULL,
		{ F_INT("epfd", epfd), F_RET, { .name = "ready", .kind = RK_PAIRS } } },
	[TR_ACCEPT] = { "accept", NULL, line_accept,
		{ F_INT("fd", fd), F_RET, { .name = "peer", .kind = RK_TEXT, .show = RS_NULL_IF_FAILED },
		  F_INT("peer_port", port) } },
	[TR_RECV] = { "recv", "recv({fd}){=}", NULL, { F_INT("fd", fd), F_RET } },
	[TR_SEND] = { "send", "send({fd}){=}", NULL, { F_INT("fd", fd), F_RET } },
	[TR_CLOSE] = { "close", "close({fd}){=}", NULL, { F_INT("fd", fd), F_RET } },
	[TR_READ] = { "read", NULL, line_read, { F_INT("fd", fd), F_RET, F_TEXT("text") } },
	[TR_SEM_OPEN] = { "sem_open", NULL, line_sem_open,
		{ F_TEXT("name"), F_INT("value", initial), F_RET, F_HANDLE } },
	[TR_SEM_TRYWAIT] = { "sem_trywait", NULL, line_sem_trywait, { F_RET, F_IS("won", ret, 0), F_HANDLE } },
	[TR_SEM_POST] = { "sem_post", "sem_post(){=}", NULL, { F_RET, F_HANDLE } },
	[TR_SEM_UNLINK] = { "sem_unlink", "sem_unlink(\"{name}\"){=}", NULL, { F_TEXT("name"), F_RET } },
	[TR_SIGNAL] = { "signal", NULL, line_signal,
		{ F_SIG("signo", signo), { .name = "si_code", .kind = RK_SICODE, SLOT(si_code), .sign = 1 },
		  F_INT("si_pid", sender), F_IS("pending_at_exit", pending, 1) } },
	[TR_KILL] = { "kill", "kill({target}, {signo}){=}", NULL,
		{ F_INT("target", target), F_SIG("signo", signo), F_RET } },
	[TR_FIFO_WAITING] = { "fifo_waiting", "open(\"{path}\", O_RDONLY) blocks: waiting for a writer", NULL,
		{ F_TEXT("path") } },
	[TR_FIFO_OPENED] = { "fifo_opened", NULL, line_fifo_opened,
		{ F_INT("fd", fd), F_TEXT("path"), F_RET, F_IS("shadowed", shadowed, 1),
		  { .name = "outer_fd", .kind = RK_INT, SLOT(outer_fd), .sign = 1, .show = RS_OP_IS, .sv = 1 } } },
	[TR_FIFO_HUP] = { "fifo_hup", NULL, line_fifo_hup,
		{ F_INT("epfd", epfd), F_INT("fd", fd), F_ENUM("mode", mode, RE_HUP_MODE), F_MASK("events", events),
		  F_U64("lost", lost) } },
	[TR_HUP_STORM] = { "hup_storm", NULL, line_hup_storm,
		{ F_INT("epfd", epfd), F_INT("fd", fd), F_U64("count", count), F_U64("elapsed_ns", elapsed_ns),
		  F_IS("capped", storm, STORM_CAPPED), F_IS("over", storm, STORM_OVER) } },
	[TR_LISTEN] = { "listen", NULL, line_listen,
		{ F_INT("fd", fd), F_TEXT("address"), F_INT("port", port), F_INT("backlog", backlog),
		  F_BIT("inherited", flags, LISTEN_INHERITED), F_BIT("reuseport", flags, LISTEN_REUSEPORT), F_INODE,
		  F_RET } },
	[TR_OPEN] = { "open", "open {kind} \"{path}\"{=}", NULL,
		{ F_INT("fd", ret), F_ENUM("kind", kind, RE_OPEN_KIND), F_TEXT("path"), F_ERRNO("errno") } },
	[TR_STRAY] = { "stray", NULL, line_stray,
		{ F_INT("epfd", epfd), F_INT("fd", fd), F_U64("data", data), F_MASK("events", events),
		  F_ENUM("reason", reason, RE_STRAY_REASON), F_INT("owner", owner) } },
	[TR_KCMP] = { "kcmp", NULL, line_kcmp,
		{ F_INT("fd1", fd), F_INT("pid2", pid2), F_INT("fd2", fd2), F_RET,
		  { .name = "same", .kind = RK_IS, SLOT(ret), .sign = 1, .show = RS_IF_OK, .arg = 0 } } },
	[TR_INHERIT] = { "inherit", "inherited fd {fd} ({kind}) from {from}", NULL,
		{ F_INT("fd", fd), F_ENUM("kind", kind, RE_OPEN_KIND), F_INT("from", from) } },
	[TR_LOG] = { "log", "log: {text}", NULL, { F_TEXT("text") } },
	[TR_FG] = { "tcsetpgrp", "tcsetpgrp(tty, {pgid}){=}", NULL, { F_INT("pgid", pgid), F_RET } },
	[TR_JOB] = { "job", NULL, line_job,
		{ F_INT("pgid", pgid), F_INT("leader", leader), F_ENUM("event", event, RE_JOB_EVENT),
		  F_BIT("background", background, -1), F_TEXT("name") } },
	[TR_CLIENT] = { "client", NULL, line_client,
		{ F_INT("client", client), F_ENUM("event", event, RE_CLIENT_EVENT), F_INT("port", client_port),
		  F_RET, F_TEXT("text"), F_U64("elapsed_ns", elapsed_ns) } },
	[TR_ACTION] = { "action", "action {state}: {action}", NULL,
		{ F_TEXT("action"), F_ENUM("state", state, RE_ACTION_STATE) } },
	[TR_ACCEPTQ] = { "accept_queue", "accept queue of port {port}: {len} waiting (backlog {backlog})", NULL,
		{ F_INT("port", port), F_U64("len", qlen), F_INT("backlog", backlog), F_INODE } },
	[TR_TTY] = { "tty", NULL, line_tty, { F_TEXT("text") } },
	[TR_SETTLED] = { "settled", "settled: {processes} processes asleep, accept queue {accept_queue}", NULL,
		{ F_U64("accept_queue", qlen), F_INT("processes", processes) } },
	[TR_SCHED] = { "sched", "pid {of} has slept {voluntary} times (voluntary context switches)", NULL,
		{ F_INT("of", of), F_U64("voluntary", voluntary), F_INT("involuntary", involuntary) } },
	[TR_KEPOLL] = { "kernel_epoll", NULL, line_kepoll,
		{ F_INT("of", of), F_INT("epfd", epfd),
		  { .name = "instance", .kind = RK_INT, SLOT(instance), .sign = 1, .show = RS_NULL_IF_NONPOS },
		  F_INT("watches", watches), F_U64("anon_inode", anon_inode), F_ERRNO("kcmp_errno") } },
	[TR_KWATCH] = { "kernel_watch", NULL, line_kwatch,
		{ F_INT("of", of), F_INT("epfd", epfd), F_INT("fd", fd), F_MASK("events", events),
		  F_U64("data", data), F_ENUM("verdict", verdict, RE_VERDICT), F_TEXT("why") } },
	[TR_RUN_END] = { "run_end", NULL, line_run_end,
		{ F_INT("actions_failed", actions_failed), F_BIT("unclean", flags, RUN_UNCLEAN),
		  F_BIT("interrupted", flags, RUN_INTERRUPTED), F_BIT("fatal", flags, RUN_FATAL),
		  F_U64("malformed", malformed) } },
	[TR_BATCH_SKIP] = { "batch_skip", "break after a lost sem_trywait: {skipped} of {batch} ready entries not served{skip}", NULL,
		{ F_INT("epfd", epfd), F_INT("fd", fd), F_INT("batch", batch), F_U64("skipped", skipped),
		  { .name = "skip", .kind = RK_PAIRS } } },
	[TR_ASLEEP] = { "asleep", NULL, line_asleep,
		{ F_INT("of", of), F_INT("nr", nr), F_INT("fd", fd), F_TEXT("wchan"),
		  F_IS("holds_semaphore", holding, 1) } },
	[TR_FIFO_WRITE] = { "fifo_write", NULL, line_fifo_write,
		{ F_TEXT("path"), F_RET, F_IS("closes", closes, 1) } },
	[TR_SEM_WAIT] = { "sem_wait", NULL, line_sem_wait, { F_RET, F_IS("took", ret, 0), F_HANDLE } },
	[TR_UNTRACED] = { "untraced", NULL, line_untraced,
		{ F_INT("of", of), F_TEXT("name"), F_ENUM("why", why, RE_UNTRACED) } },
	[TR_LOCK_OPEN] = { "lock_open", NULL, line_lock_open,
		{ F_TEXT("name"), F_INT("fd", fd), F_INT("value", initial), F_RET } },
	[TR_LOCK_TRY] = { "lock_try", NULL, line_lock_try,
		{ F_TEXT("name"), F_RET, F_IS("taken", ret, 0), F_INT("owner", owner) } },
	[TR_LOCK_RELEASE] = { "lock_release", NULL, line_lock_release,
		{ F_TEXT("name"), F_INT("owner", owner), F_RET } },
};
/* clang-format on */

/* The type's descriptor, or NULL. */
const struct rec_type *
trace_rec_type(int type)
{
	if (type <= TR_NONE || type >= TR__COUNT || types[type].name == NULL)
		return NULL;
	return &types[type];
}

/* The type's name, "unknown" when there is none. */
const char *
trace_rec_type_name(int type)
{
	const struct rec_type *t = trace_rec_type(type);

	return t ? t->name : "unknown";
}

/* The type named name, or -1. */
int
trace_rec_type_find(const char *name)
{
	for (int i = 1; i < TR__COUNT; i++)
		if (types[i].name && strcmp(types[i].name, name) == 0)
			return i;
	return -1;
}

/* The kinds of the type's fields, as bits. */
unsigned
trace_rec_type_kinds(int type)
{
	const struct rec_type *t = trace_rec_type(type);
	unsigned kinds = 0;

	for (int i = 0; t && i < REC_MAX_FIELDS && t->f[i].name; i++)
		kinds |= 1u << t->f[i].kind;
	return kinds;
}

/* Does the type have a field of this kind? */
int
trace_rec_type_has(int type, int kind)
{
	return (trace_rec_type_kinds(type) & (1u << kind)) != 0;
}

/* The value of a field's slot, widened. */
int64_t
trace_rec_field(const struct trace_rec *r, const struct rec_field *f)
{
	const unsigned char *p = (const unsigned char *)r + f->off;

	if (f->size == 8) {
		uint64_t v;

		memcpy(&v, p, sizeof v);
		return (int64_t)v;
	}
	if (f->sign) {
		int32_t v;

		memcpy(&v, p, sizeof v);
		return v;
	}
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* Is the field shown in this record (its show rule)?  *null: shown as null. */
static int
field_shown(const struct trace_rec *r, const struct rec_field *f, int *null)
{
	*null = 0;
	switch (f->show) {
	case RS_OP_IS: return r->op == f->sv;
	case RS_OP_NOT: return r->op != f->sv;
	case RS_IF_OK: return r->ret >= 0;
	case RS_NULL_IF_FAILED: *null = r->ret < 0; return 1;
	case RS_NULL_IF_NONPOS: *null = trace_rec_field(r, f) <= 0; return 1;
	case RS_HIDDEN: return 0;
	default: return 1;
	}
}

/* Is the field's condition true (RK_BIT, RK_IS)? */
static int
field_true(const struct trace_rec *r, const struct rec_field *f)
{
	int64_t v = trace_rec_field(r, f);

	return f->kind == RK_BIT ? (v & f->arg) != 0 : v == f->arg;
}

/* ---- JSON ---------------------------------------------------------------- */

/* ["EPOLLIN","EPOLLET"], unknown bits as "0x800". */
void
trace_rec_json_mask(struct strbuf *b, uint32_t mask)
{
	const char *names[32];
	uint32_t rest;
	int n = epoll_mask_names(mask, names, 32, &rest);

	SB_LIT(b, "[");
	for (int i = 0; i < n; i++) {
		if (i)
			SB_LIT(b, ",\"EPOLL");
		else
			SB_LIT(b, "\"EPOLL");
		sb_add(b, names[i]);
		SB_LIT(b, "\"");
	}
	if (rest)
		sb_printf(b, "%s\"0x%x\"", n ? "," : "", rest);
	sb_addn(b, "]", 1);
}

/* A JSON string, or null. */
static void
json_str(struct strbuf *b, const char *s)
{
	if (s)
		sb_json_str(b, s);
	else
		sb_add(b, "null");
}

/*
 * The fixed pieces of each type's JSON, made once: {"type":"NAME","pid":
 * and each field's ,"name": (--json writes them for every record).
 */
#define JSON_KEY_MAX 32
static struct json_plan {
	char head[JSON_KEY_MAX + 16];
	uint8_t head_len;
	uint8_t key_len[REC_MAX_FIELDS];
	char key[REC_MAX_FIELDS][JSON_KEY_MAX];
} json_plans[TR__COUNT];
static pthread_once_t json_once = PTHREAD_ONCE_INIT;

/* Make every type's pieces.  A name too long for them is a bug in the table. */
static void
json_plans_make(void)
{
	for (int ty = 0; ty < TR__COUNT; ty++) {
		struct json_plan *jp = &json_plans[ty];
		const struct rec_type *t = trace_rec_type(ty);
		int n = snprintf(jp->head, sizeof jp->head, "{\"type\":\"%s\",\"pid\":", trace_rec_type_name(ty));

		if (n < 0 || (size_t)n >= sizeof jp->head)
			abort();
		jp->head_len = (uint8_t)n;
		for (int i = 0; t && i < REC_MAX_FIELDS && t->f[i].name; i++) {
			n = snprintf(jp->key[i], sizeof jp->key[i], ",\"%s\":", t->f[i].name);
			if (n < 0 || (size_t)n >= sizeof jp->key[i])
				abort();
			jp->key_len[i] = (uint8_t)n;
		}
	}
}

/* ,"name":value for field i of r's type t. */
static void
json_field(struct strbuf *b, const struct trace_rec *r, const struct json_plan *jp, const struct rec_type *t, int i)
{
	const struct rec_field *f = &t->f[i];
	int null;
	int64_t v;

	if (!field_shown(r, f, &null))
		return;
	sb_addn(b, jp->key[i], jp->key_len[i]);
	if (null) {
		SB_LIT(b, "null");
		return;
	}
	v = trace_rec_field(r, f);
	switch (f->kind) {
	case RK_INT: sb_int(b, (long long)v); break;
	case RK_U64: sb_uint(b, (unsigned long long)v); break;
	case RK_ERRNO: json_str(b, v ? errno_name((int)v) : NULL); break;
	case RK_MASK: trace_rec_json_mask(b, (uint32_t)v); break;
	case RK_SIGNAL:
		sb_int(b, (long long)v);
		SB_LIT(b, ",\"signal\":");
		json_str(b, v > 0 ? signal_name((int)v) : NULL);
		break;
	case RK_SICODE:
		sb_int(b, (long long)v);
		SB_LIT(b, ",\"si_code_name\":");
		json_str(b, si_code_name((int)v));
		break;
	case RK_ENUM: sb_json_str(b, trace_rec_enum_name(f->arg, (int)v)); break;
	case RK_CTLOP: sb_json_str(b, epoll_op_name((int)v, 0)); break;
	case RK_BIT:
	case RK_IS:
		if (field_true(r, f))
			SB_LIT(b, "true");
		else
			SB_LIT(b, "false");
		break;
	case RK_CFLAGS:
		if (v & EPOLL_CLOEXEC)
			SB_LIT(b, "[\"EPOLL_CLOEXEC\"]");
		else
			SB_LIT(b, "[]");
		break;
	case RK_TEXT: sb_json_str(b, r->text); break;
	case RK_PAIRS:
		SB_LIT(b, "[");
		for (int k = 0; k < r->npairs; k++) {
			if (k)
				SB_LIT(b, ",{\"events\":");
			else
				SB_LIT(b, "{\"events\":");
			trace_rec_json_mask(b, r->pairs[k].events);
			SB_LIT(b, ",\"data\":");
			sb_uint(b, (unsigned long long)r->pairs[k].data);
			SB_LIT(b, "}");
		}
		SB_LIT(b, "]");
		break;
	}
}

/* {"type":"epoll_ctl","pid":42,["tid":43,]"seq":3,"ts_ns":...,<the type's fields>}: tid only for a thread other than the main one. */
void
trace_rec_json(struct strbuf *b, const struct trace_rec *r)
{
	const struct rec_type *t = trace_rec_type(r->type);
	const struct json_plan *jp;

	pthread_once(&json_once, json_plans_make);
	jp = &json_plans[t ? r->type : TR_NONE];
	sb_addn(b, jp->head, jp->head_len);
	sb_uint(b, r->pid);
	if (r->tid != 0 && r->tid != r->pid) {
		SB_LIT(b, ",\"tid\":");
		sb_uint(b, r->tid);
	}
	SB_LIT(b, ",\"seq\":");
	sb_uint(b, (unsigned long long)r->seq);
	SB_LIT(b, ",\"ts_ns\":");
	sb_uint(b, (unsigned long long)r->ts_ns);
	for (int i = 0; t && i < REC_MAX_FIELDS && t->f[i].name; i++)
		json_field(b, r, jp, t, i);
	SB_LIT(b, "}");
}

/* ---- the text line ------------------------------------------------------- */

/* One field in the line's words: names for numbers that have them. */
static void
line_field(struct strbuf *b, const struct trace_rec *r, const struct rec_field *f)
{
	char m[160];
	int64_t v = f->kind == RK_TEXT || f->kind == RK_PAIRS ? 0 : trace_rec_field(r, f);
	const char *cn;

	switch (f->kind) {
	case RK_INT: sb_printf(b, "%lld", (long long)v); break;
	case RK_U64: sb_printf(b, "%llu", (unsigned long long)v); break;
	case RK_ERRNO: sb_add(b, errno_name((int)v)); break;
	case RK_MASK: sb_add(b, epoll_mask_str((uint32_t)v, 0, m, sizeof m)); break;
	case RK_SIGNAL: sb_add(b, signal_name((int)v)); break;
	case RK_SICODE:
		cn = si_code_name((int)v);
		sb_add(b, cn ? cn : "?");
		break;
	case RK_ENUM: sb_add(b, trace_rec_enum_name(f->arg, (int)v)); break;
	case RK_CTLOP: sb_add(b, epoll_op_name((int)v, 0)); break;
	case RK_BIT:
	case RK_IS: sb_add(b, field_true(r, f) ? "true" : "false"); break;
	case RK_CFLAGS: sb_add(b, v & EPOLL_CLOEXEC ? "EPOLL_CLOEXEC" : "0"); break;
	case RK_TEXT: sb_add(b, r->text); break;
	case RK_PAIRS:
		for (int i = 0; i < r->npairs; i++)
			sb_printf(b, "%s{%s, data=%llu}", i ? ", " : " [",
				  epoll_mask_str(r->pairs[i].events, 0, m, sizeof m),
				  (unsigned long long)r->pairs[i].data);
		if (r->npairs)
			sb_add(b, "]");
		break;
	}
}

/* The field of t named by the n bytes at name, or NULL. */
static const struct rec_field *
field_named(const struct rec_type *t, const char *name, size_t n)
{
	for (int i = 0; i < REC_MAX_FIELDS && t->f[i].name; i++)
		if (strlen(t->f[i].name) == n && strncmp(t->f[i].name, name, n) == 0)
			return &t->f[i];
	return NULL;
}

/* Expand a line template: {field} and {=}. */
static void
line_template(struct strbuf *b, const struct rec_type *t, const struct trace_rec *r)
{
	const char *s = t->line;

	while (*s) {
		const char *open = strchr(s, '{'), *close;
		const struct rec_field *f;

		if (open == NULL || (close = strchr(open, '}')) == NULL) {
			sb_add(b, s);
			return;
		}
		sb_addn(b, s, (size_t)(open - s));
		if (close == open + 2 && open[1] == '=')
			line_ret(b, r);
		else if ((f = field_named(t, open + 1, (size_t)(close - open - 1))) != NULL)
			line_field(b, r, f);
		else
			sb_addn(b, open, (size_t)(close - open + 1)); /* a brace that names nothing */
		s = close + 1;
	}
}

/* "  12.345 ms     42  <the type's line>" */
void
trace_rec_line(struct strbuf *b, const struct trace_rec *r, uint64_t t0)
{
	const struct rec_type *t = trace_rec_type(r->type);
	double ms = r->ts_ns >= t0 ? (double)(r->ts_ns - t0) / 1e6 : 0.0;

	sb_printf(b, "%10.3f ms  %7u  ", ms, r->pid);
	if (t == NULL)
		sb_printf(b, "record type %d", r->type);
	else if (t->line)
		line_template(b, t, r);
	else
		t->line_fn(b, r);
}

/* ---- filling records ----------------------------------------------------- */

/* Copy the fields and the used pairs. */
void
trace_rec_copy(struct trace_rec *dst, const struct trace_rec *src)
{
	memcpy(dst, src, offsetof(struct trace_rec, pairs) + src->npairs * sizeof src->pairs[0]);
}

/* proc_start of the calling process. */
void
trace_rec_proc_start(struct trace_rec *r, int role, const char *name)
{
	trace_rec_init(r, TR_PROC_START);
	r->role = role;
	r->version = TRACE_VERSION;
	r->ppid = getppid();
	r->pgid = getpgrp();
	r->sid = getsid(0);
	trace_rec_set_text(r, name);
}

/* epoll_create1's record. */
void
trace_rec_epoll_create(struct trace_rec *r, int flags, int ret, int err)
{
	trace_rec_init(r, TR_EPOLL_CREATE);
	r->cflags = flags;
	r->ret = ret;
	r->err = err;
}

/* epoll_ctl's record. */
void
trace_rec_epoll_ctl(struct trace_rec *r, int epfd, int op, int fd, uint32_t events, uint64_t data, int ret,
		    int err)
{
	trace_rec_init(r, TR_EPOLL_CTL);
	r->epfd = epfd;
	r->op = op;
	r->fd = fd;
	r->events = op == EPOLL_CTL_DEL ? 0 : events;
	r->data = op == EPOLL_CTL_DEL ? 0 : data;
	r->ret = ret;
	r->err = err;
}

/* The record of an epoll_wait about to be made. */
void
trace_rec_wait_enter(struct trace_rec *r, int epfd, int maxevents, int timeout)
{
	trace_rec_init(r, TR_WAIT_ENTER);
	r->epfd = epfd;
	r->maxevents = maxevents;
	r->timeout = timeout;
}

/* The record of an epoll_wait that returned n. */
void
trace_rec_wait_return(struct trace_rec *r, int epfd, const struct epoll_event *evs, int n, int err)
{
	trace_rec_init(r, TR_WAIT_RETURN);
	r->epfd = epfd;
	r->ret = n;
	r->err = err;
	for (int i = 0; i < n && i < TRACE_MAX_READY; i++) {
		r->pairs[i].events = evs[i].events;
		r->pairs[i].data = evs[i].data.u64;
	}
	r->npairs = (uint8_t)(n <= 0 ? 0 : n < TRACE_MAX_READY ? n : TRACE_MAX_READY);
}

/* A record of type carrying fd and a result. */
void
trace_rec_result(struct trace_rec *r, int type, int fd, long long ret, int err)
{
	trace_rec_init(r, type);
	r->fd = fd;
	r->ret = ret;
	r->err = err;
}

/* A read's record: its result and (when it read any) the bytes, printable. */
void
trace_rec_read(struct trace_rec *r, int fd, const void *buf, long long n, int err)
{
	trace_rec_result(r, TR_READ, fd, n, err);
	if (n > 0)
		trace_rec_set_bytes(r, buf, (size_t)n);
}

/* kill's record. */
void
trace_rec_kill(struct trace_rec *r, int target, int sig, int ret, int err)
{
	trace_rec_init(r, TR_KILL);
	r->target = target;
	r->signo = sig;
	r->ret = ret;
	r->err = err;
}

/* A signal's record. */
void
trace_rec_signal(struct trace_rec *r, int signo, int code, int sender, int pending)
{
	trace_rec_init(r, TR_SIGNAL);
	r->signo = signo;
	r->si_code = code;
	r->sender = sender;
	r->pending = pending;
}

/* reap of child from its wait status. */
void
trace_rec_reap(struct trace_rec *r, pid_t child, int status)
{
	trace_rec_init(r, TR_REAP);
	r->child = child;
	if (WIFEXITED(status)) {
		r->how = REAP_EXITED;
		r->code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->how = REAP_KILLED;
		r->signo = WTERMSIG(status);
	} else if (WIFSTOPPED(status)) {
		r->how = REAP_STOPPED;
		r->signo = WSTOPSIG(status);
	} else {
		r->how = REAP_CONTINUED;
		r->signo = SIGCONT;
	}
}

/* s into the text, cut to fit. */
void
trace_rec_set_text(struct trace_rec *r, const char *s)
{
	str_copy(r->text, s, sizeof r->text);
}

/* len bytes into the text, unprintable ones as '.'. */
void
trace_rec_set_bytes(struct trace_rec *r, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t k = len < TRACE_TEXT_MAX ? len : TRACE_TEXT_MAX;

	for (size_t i = 0; i < k; i++)
		r->text[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
	r->text[k] = '\0';
}
