/*
 * tracefmt.c - text forms of trace records (see tracefmt.h).  The JSON field
 * names here are the documented interface of `--json` (README, man page);
 * change them only together with those.
 */
#include "tracefmt.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "util.h"

void
sb_init(struct strbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void
sb_free(struct strbuf *b)
{
	free(b->s);
	sb_init(b);
}

void
sb_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

static void
sb_grow(struct strbuf *b, size_t more)
{
	if (b->len + more + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + more + 1)
		cap *= 2;
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void
sb_addn(struct strbuf *b, const char *s, size_t n)
{
	sb_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
sb_add(struct strbuf *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

void
sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* One pass when it fits (nearly always): formatting is the hot path of --json. */
	sb_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		sb_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
sb_json_str(struct strbuf *b, const char *s)
{
	sb_add(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': sb_add(b, "\\\""); break;
		case '\\': sb_add(b, "\\\\"); break;
		case '\n': sb_add(b, "\\n"); break;
		case '\r': sb_add(b, "\\r"); break;
		case '\t': sb_add(b, "\\t"); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				sb_printf(b, "\\u%04x", *p);
			else
				sb_addn(b, (const char *)p, 1);
		}
	}
	sb_add(b, "\"");
}

static const struct {
	uint32_t bit;
	const char *name;
} mask_names[] = {
	{ EPOLLIN, "IN" },         { EPOLLPRI, "PRI" },       { EPOLLOUT, "OUT" },
	{ EPOLLERR, "ERR" },       { EPOLLHUP, "HUP" },       { EPOLLRDNORM, "RDNORM" },
	{ EPOLLRDBAND, "RDBAND" }, { EPOLLWRNORM, "WRNORM" }, { EPOLLWRBAND, "WRBAND" },
	{ EPOLLMSG, "MSG" },       { EPOLLRDHUP, "RDHUP" },   { EPOLLEXCLUSIVE, "EXCLUSIVE" },
	{ EPOLLWAKEUP, "WAKEUP" }, { EPOLLONESHOT, "ONESHOT" }, { EPOLLET, "ET" },
};

const char *
epoll_mask_str(uint32_t mask, int short_names, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(mask_names); i++) {
		if (!(mask & mask_names[i].bit))
			continue;
		mask &= ~mask_names[i].bit;
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s%s",
					len ? "|" : "", short_names ? "" : "EPOLL",
					mask_names[i].name);
	}
	if (mask != 0)
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s0x%x",
					len ? "|" : "", mask);
	if (len == 0)
		snprintf(buf, cap, "0");
	return buf;
}

void
sb_json_mask(struct strbuf *b, uint32_t mask)
{
	int first = 1;

	sb_add(b, "[");
	for (size_t i = 0; i < ARRAY_LEN(mask_names); i++) {
		if (!(mask & mask_names[i].bit))
			continue;
		mask &= ~mask_names[i].bit;
		sb_printf(b, "%s\"EPOLL%s\"", first ? "" : ",", mask_names[i].name);
		first = 0;
	}
	if (mask != 0)
		sb_printf(b, "%s\"0x%x\"", first ? "" : ",", mask);
	sb_add(b, "]");
}

const char *
epoll_op_name(int op, int short_name)
{
	switch (op) {
	case EPOLL_CTL_ADD: return short_name ? "ADD" : "EPOLL_CTL_ADD";
	case EPOLL_CTL_DEL: return short_name ? "DEL" : "EPOLL_CTL_DEL";
	case EPOLL_CTL_MOD: return short_name ? "MOD" : "EPOLL_CTL_MOD";
	default: return "?";
	}
}

#define NAME_OF(arr, i) ((i) >= 0 && (size_t)(i) < ARRAY_LEN(arr) ? (arr)[i] : "unknown")

const char *
reap_how_name(int how)
{
	static const char *const n[] = { "exited", "killed", "stopped", "continued" };
	return NAME_OF(n, how);
}

const char *
job_event_name(int ev)
{
	static const char *const n[] = { "started", "stopped", "continued", "done" };
	return NAME_OF(n, ev);
}

const char *
client_event_name(int ev)
{
	static const char *const n[] = { "connected", "sent", "reply", "closed", "error", "timeout" };
	return NAME_OF(n, ev);
}

const char *
action_state_name(int st)
{
	static const char *const n[] = { "begin", "done", "timeout", "failed" };
	return NAME_OF(n, st);
}

const char *
open_kind_name(int kind)
{
	static const char *const n[] = { "file", "pipe-read", "pipe-write", "fifo", "listen", "epoll" };
	return NAME_OF(n, kind);
}

const char *
kcheck_verdict_name(int v)
{
	static const char *const n[] = { "agree", "kernel-only", "trace-only", "events-differ" };
	return NAME_OF(n, v);
}

const char *
stray_reason_name(int reason)
{
	static const char *const n[] = { "not-open", "not-mine" };
	return NAME_OF(n, reason);
}

/* JSON helpers: each appends ,"key":value. */
static void
j_int(struct strbuf *b, const char *k, long long v)
{
	sb_printf(b, ",\"%s\":%lld", k, v);
}

static void
j_u64(struct strbuf *b, const char *k, unsigned long long v)
{
	sb_printf(b, ",\"%s\":%llu", k, v);
}

static void
j_str(struct strbuf *b, const char *k, const char *v)
{
	sb_printf(b, ",\"%s\":", k);
	if (v)
		sb_json_str(b, v);
	else
		sb_add(b, "null");
}

static void
j_bool(struct strbuf *b, const char *k, int v)
{
	sb_printf(b, ",\"%s\":%s", k, v ? "true" : "false");
}

static void
j_ret(struct strbuf *b, const struct trace_rec *r)
{
	j_int(b, "ret", r->ret);
	j_str(b, "errno", r->err ? errno_name(r->err) : NULL);
}

static void
j_sig(struct strbuf *b, const char *k, int sig)
{
	j_int(b, k, sig);
	j_str(b, "signal", sig > 0 ? signal_name(sig) : NULL);
}

void
trace_format_json(struct strbuf *b, const struct trace_rec *r)
{
	sb_printf(b, "{\"type\":\"%s\",\"pid\":%u,\"seq\":%llu,\"ts_ns\":%llu",
		  trace_type_name(r->type), r->pid, (unsigned long long)r->seq,
		  (unsigned long long)r->ts_ns);
	switch (r->type) {
	case TR_PROC_START:
		j_str(b, "role", trace_role_name(r->op));
		j_str(b, "name", r->text);
		j_int(b, "ppid", r->ppid);
		j_int(b, "pgid", r->pgid);
		j_int(b, "sid", r->sid);
		j_u64(b, "version", r->version);
		break;
	case TR_PROC_EXIT:
		j_int(b, "status", r->ret);
		break;
	case TR_REAP:
		j_int(b, "child", r->child);
		j_str(b, "how", reap_how_name(r->op));
		if (r->op == REAP_EXITED)
			j_int(b, "code", r->arg);
		else
			j_sig(b, "signo", r->arg);
		break;
	case TR_READY:
		break;
	case TR_EPOLL_CREATE:
		sb_add(b, ",\"flags\":");
		sb_add(b, r->arg & EPOLL_CLOEXEC ? "[\"EPOLL_CLOEXEC\"]" : "[]");
		j_ret(b, r);
		break;
	case TR_EPOLL_CTL:
		j_int(b, "epfd", r->epfd);
		j_str(b, "op", epoll_op_name(r->op, 0));
		j_int(b, "fd", r->fd);
		sb_add(b, ",\"events\":");
		sb_json_mask(b, r->events);
		j_u64(b, "data", r->data);
		j_ret(b, r);
		break;
	case TR_WAIT_ENTER:
		j_int(b, "epfd", r->epfd);
		j_int(b, "maxevents", r->maxevents);
		j_int(b, "timeout", r->timeout);
		break;
	case TR_WAIT_RETURN:
		j_int(b, "epfd", r->epfd);
		j_ret(b, r);
		sb_add(b, ",\"ready\":[");
		for (int i = 0; i < r->npairs; i++) {
			sb_add(b, i ? ",{\"events\":" : "{\"events\":");
			sb_json_mask(b, r->pairs[i].events);
			sb_printf(b, ",\"data\":%llu}", (unsigned long long)r->pairs[i].data);
		}
		sb_add(b, "]");
		break;
	case TR_ACCEPT:
		j_int(b, "fd", r->fd);
		j_ret(b, r);
		j_str(b, "peer", r->ret >= 0 ? r->text : NULL);
		j_int(b, "peer_port", r->port);
		break;
	case TR_RECV:
	case TR_SEND:
	case TR_CLOSE:
		j_int(b, "fd", r->fd);
		j_ret(b, r);
		break;
	case TR_READ:
		j_int(b, "fd", r->fd);
		j_ret(b, r);
		j_str(b, "text", r->text);
		break;
	case TR_SEM_OPEN:
		j_str(b, "name", r->text);
		j_int(b, "value", r->initial);
		j_ret(b, r);
		break;
	case TR_SEM_TRYWAIT:
		j_ret(b, r);
		j_bool(b, "won", r->ret == 0);
		break;
	case TR_SEM_POST:
		j_ret(b, r);
		break;
	case TR_SEM_UNLINK:
		j_str(b, "name", r->text);
		j_ret(b, r);
		break;
	case TR_SIGNAL:
		j_sig(b, "signo", r->signo);
		j_int(b, "si_code", r->si_code);
		j_str(b, "si_code_name", si_code_name(r->si_code));
		j_int(b, "si_pid", r->sender);
		j_bool(b, "pending_at_exit", r->op == 1);
		break;
	case TR_KILL:
		j_int(b, "target", r->target);
		j_sig(b, "signo", r->signo);
		j_ret(b, r);
		break;
	case TR_FIFO_WAITING:
		j_str(b, "path", r->text);
		break;
	case TR_FIFO_OPENED:
		j_int(b, "fd", r->fd);
		j_str(b, "path", r->text);
		j_ret(b, r);
		break;
	case TR_FIFO_HUP:
		j_int(b, "epfd", r->epfd);
		j_int(b, "fd", r->fd);
		j_str(b, "mode", r->op ? "fixed" : "naive");
		break;
	case TR_HUP_STORM:
		j_int(b, "epfd", r->epfd);
		j_int(b, "fd", r->fd);
		j_u64(b, "count", r->count);
		j_u64(b, "elapsed_ns", r->data);
		j_bool(b, "capped", r->op == 1);
		j_bool(b, "over", r->op == 2);
		break;
	case TR_LISTEN:
		j_int(b, "fd", r->fd);
		j_str(b, "address", r->text);
		j_int(b, "port", r->port);
		j_int(b, "backlog", r->backlog);
		j_bool(b, "inherited", r->op & LISTEN_INHERITED);
		j_bool(b, "reuseport", r->op & LISTEN_REUSEPORT);
		j_ret(b, r);
		break;
	case TR_OPEN:
		j_int(b, "fd", r->ret);
		j_str(b, "kind", open_kind_name(r->op));
		j_str(b, "path", r->text);
		j_str(b, "errno", r->err ? errno_name(r->err) : NULL);
		break;
	case TR_STRAY:
		j_int(b, "epfd", r->epfd);
		j_int(b, "fd", r->fd);
		j_u64(b, "data", r->data);
		sb_add(b, ",\"events\":");
		sb_json_mask(b, r->events);
		j_str(b, "reason", stray_reason_name(r->op));
		j_int(b, "owner", r->pid2);
		break;
	case TR_KCMP:
		j_int(b, "fd1", r->fd);
		j_int(b, "pid2", r->pid2);
		j_int(b, "fd2", r->arg);
		j_ret(b, r);
		if (r->ret >= 0)
			j_bool(b, "same", r->ret == 0);
		break;
	case TR_INHERIT:
		j_int(b, "fd", r->fd);
		j_str(b, "kind", open_kind_name(r->op));
		j_int(b, "from", r->pid2);
		break;
	case TR_LOG:
	case TR_TTY:
		j_str(b, "text", r->text);
		break;
	case TR_FG:
		j_int(b, "pgid", r->pgid);
		j_ret(b, r);
		break;
	case TR_JOB:
		j_int(b, "pgid", r->pgid);
		j_int(b, "leader", r->pid2);
		j_str(b, "event", job_event_name(r->op));
		j_bool(b, "background", r->background);
		j_str(b, "name", r->text);
		break;
	case TR_CLIENT:
		j_int(b, "client", r->client);
		j_str(b, "event", client_event_name(r->op));
		j_int(b, "port", r->arg2);
		j_ret(b, r);
		j_str(b, "text", r->text);
		break;
	case TR_ACTION:
		j_str(b, "action", r->text);
		j_str(b, "state", action_state_name(r->op));
		break;
	case TR_ACCEPTQ:
		j_int(b, "port", r->port);
		j_u64(b, "len", r->qlen);
		j_int(b, "backlog", r->backlog);
		break;
	case TR_SETTLED:
		j_u64(b, "accept_queue", r->qlen);
		j_int(b, "processes", r->arg);
		break;
	case TR_SCHED:
		j_int(b, "of", r->pid2);
		j_u64(b, "voluntary", r->val);
		j_int(b, "involuntary", r->arg);
		break;
	case TR_KEPOLL:
		j_int(b, "of", r->pid2);
		j_int(b, "epfd", r->epfd);
		if (r->arg > 0)
			j_int(b, "instance", r->arg);
		else
			sb_add(b, ",\"instance\":null");
		j_int(b, "watches", r->op);
		j_u64(b, "anon_inode", r->val);
		j_str(b, "kcmp_errno", r->err ? errno_name(r->err) : NULL);
		break;
	case TR_RUN_END:
		j_int(b, "actions_failed", r->arg);
		j_bool(b, "unclean", r->op & RUN_UNCLEAN);
		j_bool(b, "interrupted", r->op & RUN_INTERRUPTED);
		j_bool(b, "fatal", r->op & RUN_FATAL);
		j_u64(b, "malformed", r->val);
		break;
	case TR_KWATCH:
		j_int(b, "of", r->pid2);
		j_int(b, "epfd", r->epfd);
		j_int(b, "fd", r->fd);
		sb_add(b, ",\"events\":");
		sb_json_mask(b, r->events);
		j_u64(b, "data", r->data);
		j_str(b, "verdict", kcheck_verdict_name(r->op));
		j_str(b, "why", r->text);
		break;
	default:
		break;
	}
	sb_add(b, "}");
}

/* " = 3" or " = -1 EPERM". */
static void
t_ret(struct strbuf *b, const struct trace_rec *r)
{
	if (r->ret < 0 && r->err)
		sb_printf(b, " = %lld %s", (long long)r->ret, errno_name(r->err));
	else
		sb_printf(b, " = %lld", (long long)r->ret);
}

void
trace_format_text(struct strbuf *b, const struct trace_rec *r, uint64_t t0)
{
	char m[160];
	double ms = r->ts_ns >= t0 ? (double)(r->ts_ns - t0) / 1e6 : 0.0;

	sb_printf(b, "%10.3f ms  %7u  ", ms, r->pid);
	switch (r->type) {
	case TR_PROC_START:
		sb_printf(b, "start %s \"%s\" ppid %d pgid %d sid %d", trace_role_name(r->op), r->text,
			  r->ppid, r->pgid, r->sid);
		break;
	case TR_PROC_EXIT:
		sb_printf(b, "exit(%lld)", (long long)r->ret);
		break;
	case TR_REAP:
		if (r->op == REAP_EXITED)
			sb_printf(b, "reaped %d: exited %d", r->child, r->arg);
		else
			sb_printf(b, "reaped %d: %s by %s", r->child, reap_how_name(r->op),
				  signal_name(r->arg));
		break;
	case TR_READY:
		sb_add(b, "ready");
		break;
	case TR_EPOLL_CREATE:
		sb_printf(b, "epoll_create1(%s)", r->arg & EPOLL_CLOEXEC ? "EPOLL_CLOEXEC" : "0");
		t_ret(b, r);
		break;
	case TR_EPOLL_CTL:
		if (r->op == EPOLL_CTL_DEL)
			sb_printf(b, "epoll_ctl(%d, EPOLL_CTL_DEL, %d, NULL)", r->epfd, r->fd);
		else
			sb_printf(b, "epoll_ctl(%d, %s, %d, {%s, data=%llu})", r->epfd,
				  epoll_op_name(r->op, 0), r->fd, epoll_mask_str(r->events, 0, m, sizeof m),
				  (unsigned long long)r->data);
		t_ret(b, r);
		break;
	case TR_WAIT_ENTER:
		sb_printf(b, "epoll_wait(%d, maxevents=%d, timeout=%d) ...", r->epfd, r->maxevents,
			  r->timeout);
		break;
	case TR_WAIT_RETURN:
		sb_printf(b, "... epoll_wait(%d)", r->epfd);
		t_ret(b, r);
		for (int i = 0; i < r->npairs; i++)
			sb_printf(b, "%s{%s, data=%llu}", i ? ", " : " [",
				  epoll_mask_str(r->pairs[i].events, 0, m, sizeof m),
				  (unsigned long long)r->pairs[i].data);
		if (r->npairs)
			sb_add(b, "]");
		break;
	case TR_ACCEPT:
		sb_printf(b, "accept(%d)", r->fd);
		t_ret(b, r);
		if (r->ret >= 0)
			sb_printf(b, " peer %s", r->text);
		break;
	case TR_RECV:
	case TR_SEND:
	case TR_CLOSE:
		sb_printf(b, "%s(%d)", trace_type_name(r->type), r->fd);
		t_ret(b, r);
		break;
	case TR_READ:
		sb_printf(b, "read(%d)", r->fd);
		t_ret(b, r);
		if (r->ret > 0)
			sb_printf(b, " \"%s\"", r->text);
		break;
	case TR_SEM_OPEN:
		if (r->initial >= 0)
			sb_printf(b, "sem_open(\"%s\", O_CREAT|O_EXCL, 0600, %d)", r->text, r->initial);
		else
			sb_printf(b, "sem_open(\"%s\", 0)", r->text);
		t_ret(b, r);
		break;
	case TR_SEM_TRYWAIT:
		sb_add(b, "sem_trywait()");
		t_ret(b, r);
		sb_add(b, r->ret == 0 ? " (won)" : " (lost)");
		break;
	case TR_SEM_POST:
		sb_add(b, "sem_post()");
		t_ret(b, r);
		break;
	case TR_SEM_UNLINK:
		sb_printf(b, "sem_unlink(\"%s\")", r->text);
		t_ret(b, r);
		break;
	case TR_SIGNAL:
		sb_printf(b, "--- %s {si_code=%s, si_pid=%d}%s ---", signal_name(r->signo),
			  si_code_name(r->si_code) ? si_code_name(r->si_code) : "?", r->sender,
			  r->op == 1 ? " (pending at exit)" : "");
		break;
	case TR_KILL:
		sb_printf(b, "kill(%d, %s)", r->target, signal_name(r->signo));
		t_ret(b, r);
		break;
	case TR_FIFO_WAITING:
		sb_printf(b, "open(\"%s\", O_RDONLY) blocks: waiting for a writer", r->text);
		break;
	case TR_FIFO_OPENED:
		sb_printf(b, "open(\"%s\", O_RDONLY)", r->text);
		t_ret(b, r);
		break;
	case TR_FIFO_HUP:
		sb_printf(b, "EPOLLHUP on fifo fd %d (%s)", r->fd, r->op ? "fixed" : "naive");
		break;
	case TR_HUP_STORM:
		sb_printf(b, "EPOLLHUP storm on fd %d: %llu returns in %.1f ms%s", r->fd,
			  (unsigned long long)r->count, (double)r->data / 1e6,
			  r->op == 1 ? " (cap reached)" : r->op == 2 ? " (over: a writer is back)" : "");
		break;
	case TR_LISTEN:
		sb_printf(b, "listen(%d) on %s:%d backlog %d%s%s", r->fd, r->text, r->port, r->backlog,
			  r->op & LISTEN_INHERITED ? " (inherited)" : "",
			  r->op & LISTEN_REUSEPORT ? " SO_REUSEPORT" : "");
		t_ret(b, r);
		break;
	case TR_OPEN:
		sb_printf(b, "open %s \"%s\"", open_kind_name(r->op), r->text);
		t_ret(b, r);
		break;
	case TR_STRAY:
		sb_printf(b, "stray event: epfd %d delivered {%s, data=%llu} for fd %d: %s", r->epfd,
			  epoll_mask_str(r->events, 0, m, sizeof m), (unsigned long long)r->data, r->fd,
			  r->op == STRAY_NOT_OPEN ? "no such fd here" : "not this process's connection");
		break;
	case TR_KCMP:
		sb_printf(b, "kcmp(%u, %d, KCMP_FILE, %d, %d)", r->pid, r->pid2, r->fd, r->arg);
		t_ret(b, r);
		if (r->ret >= 0)
			sb_add(b, r->ret == 0 ? " (same file)" : " (different files)");
		break;
	case TR_INHERIT:
		sb_printf(b, "inherited fd %d (%s) from %d", r->fd, open_kind_name(r->op), r->pid2);
		break;
	case TR_LOG:
		sb_printf(b, "log: %s", r->text);
		break;
	case TR_FG:
		sb_printf(b, "tcsetpgrp(tty, %d)", r->pgid);
		t_ret(b, r);
		break;
	case TR_JOB:
		sb_printf(b, "job %s: pgid %d \"%s\"%s", job_event_name(r->op), r->pgid, r->text,
			  r->background ? " &" : "");
		break;
	case TR_CLIENT:
		sb_printf(b, "client %d %s", r->client, client_event_name(r->op));
		if (r->arg2)
			sb_printf(b, " port %d", r->arg2);
		if (r->err)
			sb_printf(b, " %s", errno_name(r->err));
		if (r->text[0])
			sb_printf(b, " \"%s\"", r->text);
		break;
	case TR_ACTION:
		sb_printf(b, "action %s: %s", action_state_name(r->op), r->text);
		break;
	case TR_ACCEPTQ:
		sb_printf(b, "accept queue of port %d: %llu waiting (backlog %d)", r->port,
			  (unsigned long long)r->qlen, r->backlog);
		break;
	case TR_TTY: {
		/* One "tty|" line per line the children printed. */
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
		break;
	}
	case TR_SETTLED:
		sb_printf(b, "settled: %d processes asleep, accept queue %llu", r->arg,
			  (unsigned long long)r->qlen);
		break;
	case TR_SCHED:
		sb_printf(b, "pid %d has slept %llu times (voluntary context switches)", r->pid2,
			  (unsigned long long)r->val);
		break;
	case TR_RUN_END:
		sb_printf(b, "end of run: %d action%s failed%s%s%s", r->arg, r->arg == 1 ? "" : "s",
			  r->op & RUN_UNCLEAN ? ", clean-up had to force" : "",
			  r->op & RUN_INTERRUPTED ? ", interrupted" : "", r->op & RUN_FATAL ? ", fatal error" : "");
		break;
	case TR_KEPOLL:
		if (r->arg > 0)
			sb_printf(b, "kernel: pid %d epfd %d is epoll instance #%d, %d watched", r->pid2,
				  r->epfd, r->arg, r->op);
		else
			sb_printf(b, "kernel: pid %d epfd %d: instance unknown (kcmp: %s), %d watched",
				  r->pid2, r->epfd, errno_name(r->err), r->op);
		break;
	case TR_KWATCH:
		sb_printf(b, "kernel: pid %d epfd %d watches fd %d {%s, data=%llu}: %s%s%s", r->pid2,
			  r->epfd, r->fd, epoll_mask_str(r->events, 0, m, sizeof m),
			  (unsigned long long)r->data, kcheck_verdict_name(r->op), r->text[0] ? ": " : "",
			  r->text);
		break;
	default:
		sb_printf(b, "record type %d", r->type);
	}
}
