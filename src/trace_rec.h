/*
 * trace_rec.h - what a trace record is: its types, the fields each type
 * has, and its two text forms (a JSON object for --json, a strace-like
 * line for the plain headless output).
 *
 * Every record type is described once, in the table of trace_rec.c: its
 * name, its fields (JSON name, kind, the struct member that holds it) and
 * how its line reads.  The JSON and text formatters, the names the screen
 * uses and the wire decoder's checks (src/trace.c) are all driven by that
 * table.  Adding a record type is one enum value here, one table entry, and
 * whatever emits and applies it.
 *
 * struct trace_rec is a set of generic slots (epfd, fd, op, events, data,
 * ret, err, arg, arg2, pid2, val, text, pairs), the same for every type, as
 * the wire carries them.  Each slot has one name per meaning it takes
 * (arg is signo in a signal record, port in a listen record, ...): code
 * uses the name the table gives the field, never arg or arg2 by convention.
 *
 * Pure: no I/O, no globals that change.
 */
#ifndef EPOLLVIZ_TRACE_REC_H
#define EPOLLVIZ_TRACE_REC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/types.h>

#include "sb.h"

#define TRACE_VERSION 1 /* of the record set: proc_start carries it */
#define TRACE_TEXT_MAX 167
#define TRACE_MAX_READY 64

enum trace_type {
	TR_NONE = 0,
	TR_PROC_START,
	TR_PROC_EXIT,
	TR_REAP,
	TR_READY,
	TR_EPOLL_CREATE,
	TR_EPOLL_CTL,
	TR_WAIT_ENTER,
	TR_WAIT_RETURN,
	TR_ACCEPT,
	TR_RECV,
	TR_SEND,
	TR_CLOSE,
	TR_READ,
	TR_SEM_OPEN,
	TR_SEM_TRYWAIT,
	TR_SEM_POST,
	TR_SEM_UNLINK,
	TR_SIGNAL,
	TR_KILL,
	TR_FIFO_WAITING,
	TR_FIFO_OPENED,
	TR_FIFO_HUP,
	TR_HUP_STORM,
	TR_LISTEN,
	TR_OPEN,
	TR_STRAY,
	TR_KCMP,
	TR_INHERIT,
	TR_LOG,
	TR_FG,
	TR_JOB,
	TR_CLIENT,
	TR_ACTION,
	TR_ACCEPTQ,
	TR_TTY,
	TR_SETTLED,
	TR_SCHED,
	TR_KEPOLL,
	TR_KWATCH,
	TR_RUN_END,
	TR_BATCH_SKIP,
	TR_ASLEEP,
	TR_FIFO_WRITE,
	TR_UNTRACED,
	TR_SEM_WAIT,
	TR_LOCK_OPEN,    /* accept = mutex: the lock word in shared memory, made or inherited */
	TR_LOCK_TRY,     /* a try-lock of it: taken, or held by another (owner) */
	TR_LOCK_RELEASE, /* given back by its holder, or forced free by the parent when the holder died */
	TR__COUNT
};

/* Roles: who a process is.  Their names (trace_rec_role_name) are also the internal --role names. */
enum trace_role {
	ROLE_FRONTEND = 0,
	ROLE_SESSION,
	ROLE_ECHO_PARENT,
	ROLE_ECHO_WORKER,
	ROLE_FIFO,
	ROLE_PROBE,
	ROLE_PROGRAM, /* a program run under the preload tracer (epollviz run) */
	ROLE__COUNT
};

enum reap_how { REAP_EXITED = 0, REAP_KILLED, REAP_STOPPED, REAP_CONTINUED };
enum open_kind { OPEN_FILE = 0, OPEN_PIPE_R, OPEN_PIPE_W, OPEN_FIFO, OPEN_LISTEN, OPEN_EPOLL };
enum stray_reason { STRAY_NOT_OPEN = 0, STRAY_NOT_MINE };
enum job_event { JOB_STARTED = 0, JOB_STOPPED, JOB_CONTINUED, JOB_DONE };
enum client_event {
	CLIENT_CONNECTED = 0, CLIENT_SENT, CLIENT_REPLY, CLIENT_CLOSED, CLIENT_ERROR,
	CLIENT_TIMEOUT
};
enum action_state { ACTION_BEGIN = 0, ACTION_DONE, ACTION_TIMEOUT, ACTION_FAILED };
enum listen_flags { LISTEN_INHERITED = 1, LISTEN_REUSEPORT = 2 };
enum storm_state { STORM_GOING = 0, STORM_CAPPED, STORM_OVER };
enum run_end_flags { RUN_UNCLEAN = 1, RUN_INTERRUPTED = 2, RUN_FATAL = 4 };
enum kcheck_verdict { KC_AGREE = 0, KC_KERNEL_ONLY, KC_TRACE_ONLY, KC_EVENTS_DIFFER };
/* Why a process of a run sends no trace (the front end's best reading of /proc). */
enum untraced_why { UT_STATIC = 0, UT_SETID, UT_NO_PRELOAD, UT_NOT_LOADED, UT_SILENT };

/* The enumerations whose values records carry, for trace_rec_enum_name. */
enum rec_enum {
	RE_ROLE = 0, RE_REAP_HOW, RE_OPEN_KIND, RE_STRAY_REASON, RE_JOB_EVENT, RE_CLIENT_EVENT,
	RE_ACTION_STATE, RE_VERDICT, RE_HUP_MODE, RE_UNTRACED, RE__COUNT
};

struct trace_pair {
	uint32_t events;
	uint64_t data;
};

/*
 * One logical record: a wire record, or an epoll_wait return with its
 * continuations.  The slot names in each union are the meanings the
 * record types give it (see the table in trace_rec.c for which type uses
 * which).
 */
struct trace_rec {
	uint8_t type;
	uint32_t pid;
	uint64_t seq; /* of the head wire record */
	uint64_t ts_ns;
	int32_t epfd;
	int32_t fd;
	union {
		int32_t op;       /* epoll_ctl's EPOLL_CTL_* */
		int32_t role;     /* proc_start: enum trace_role */
		int32_t how;      /* reap: enum reap_how */
		int32_t mode;     /* fifo_hup: enum hup_mode */
		int32_t storm;    /* hup_storm: enum storm_state */
		int32_t flags;    /* listen: enum listen_flags; run_end: enum run_end_flags */
		int32_t kind;     /* open, inherit: enum open_kind */
		int32_t reason;   /* stray: enum stray_reason */
		int32_t pending;  /* signal: 1 if found pending at exit */
		int32_t event;    /* job: enum job_event; client: enum client_event */
		int32_t state;    /* action: enum action_state */
		int32_t watches;  /* kernel_epoll: entries in the interest list */
		int32_t verdict;  /* kernel_watch: enum kcheck_verdict */
		int32_t holding;  /* asleep: 1 when the model had it holding a semaphore then */
		int32_t shadowed; /* fifo_opened: 1 when the reopen went into a new variable (262.c's shadowed file_fd) */
		int32_t closes;   /* fifo_write: 1 when the writer is closed right after (a hang-up behind the data) */
		int32_t why;      /* untraced: enum untraced_why */
	};
	uint32_t events;
	union {
		uint64_t data;       /* ev.data */
		uint64_t elapsed_ns; /* hup_storm: since the storm began; client: since it began to connect */
		uint64_t handle;     /* sem_*: the sem_t pointer, 0 when not known */
		uint64_t inode;      /* listen, accept_queue: the socket's inode (socket:[N]); 0 unknown */
	};
	int64_t ret;
	int32_t err;
	union {
		int32_t arg;
		int32_t signo;         /* signal, kill; reap when killed, stopped, continued */
		int32_t code;          /* reap: exit code */
		int32_t port;          /* listen, accept (the peer's), accept_queue */
		int32_t maxevents;     /* wait_enter */
		int32_t pgid;          /* proc_start, tcsetpgrp, job */
		int32_t client;        /* client: its number */
		int32_t initial;       /* sem_open: initial value, -1 when opened, not created */
		int32_t cflags;        /* epoll_create: flags */
		int32_t fd2;           /* kcmp: the other process's fd */
		int32_t processes;     /* settled: processes checked */
		int32_t involuntary;   /* sched: involuntary context switches */
		int32_t instance;      /* kernel_epoll: kernel instance number, 0 unknown */
		int32_t actions_failed; /* run_end */
		int32_t batch;         /* batch_skip: entries the epoll_wait returned */
		int32_t nr;            /* asleep: the system call's number (/proc/PID/syscall) */
		int32_t outer_fd;      /* fifo_opened, when shadowed: the fd the outer variable still names */
	};
	union {
		int32_t arg2;
		int32_t si_code;     /* signal */
		int32_t timeout;     /* wait_enter */
		int32_t backlog;     /* listen, accept_queue */
		int32_t sid;         /* proc_start */
		int32_t background;  /* job: started with & */
		int32_t client_port; /* client: its local port */
	};
	union {
		int32_t pid2;
		int32_t sender; /* signal: si_pid */
		int32_t ppid;   /* proc_start */
		int32_t target; /* kill: pid, negative for a group */
		int32_t child;  /* reap */
		int32_t of;     /* sched, kernel_epoll, kernel_watch: the process it is about */
		int32_t owner;  /* stray: the pid in the tag; lock_try, lock_release: the lock word's pid */
		int32_t leader; /* job */
		int32_t from;   /* inherit: the parent */
	};
	/* asleep: of is the process, fd the call's first argument, text its wchan. */
	union {
		uint64_t val;
		uint64_t count;      /* hup_storm: returns so far */
		uint64_t qlen;       /* accept_queue, settled */
		uint64_t version;    /* proc_start: TRACE_VERSION */
		uint64_t voluntary;  /* sched: voluntary context switches */
		uint64_t anon_inode; /* kernel_epoll */
		uint64_t malformed;  /* run_end: wire records the reader rejected */
		uint64_t skipped;    /* batch_skip: entries not served */
		uint64_t lost;       /* fifo_hup: bytes still unread when the watcher closes the FIFO (thrown away) */
	};
	uint32_t tid; /* the thread that emitted it: pid for the main thread, 0 when not known */
	uint8_t npairs;
	char text[TRACE_TEXT_MAX + 1];
	struct trace_pair pairs[TRACE_MAX_READY];
};

/* How a field reads (enum rec_kind), for the table and its users. */
enum rec_kind {
	RK_INT = 1, /* a signed number */
	RK_U64,     /* an unsigned number */
	RK_ERRNO,   /* an errno value: its name, null for 0 */
	RK_MASK,    /* epoll event bits: ["EPOLLIN","EPOLLET"], EPOLLIN|EPOLLET */
	RK_SIGNAL,  /* a signal number, followed by "signal": its name */
	RK_SICODE,  /* a si_code, followed by "si_code_name": its name */
	RK_ENUM,    /* a value of enum rec_enum arg: its name */
	RK_CTLOP,   /* EPOLL_CTL_ADD, _MOD, _DEL */
	RK_BIT,     /* true when the slot has any bit of arg */
	RK_IS,      /* true when the slot equals arg */
	RK_CFLAGS,  /* epoll_create1's flags: ["EPOLL_CLOEXEC"] or [] */
	RK_TEXT,    /* the record's text */
	RK_PAIRS,   /* epoll_wait's ready list */
};

/* When a field is shown (enum rec_show). */
enum rec_show {
	RS_ALWAYS = 0,
	RS_OP_IS,          /* only when the op slot equals sv */
	RS_OP_NOT,         /* only when it does not */
	RS_IF_OK,          /* only when ret >= 0 */
	RS_NULL_IF_FAILED, /* null when ret < 0 */
	RS_NULL_IF_NONPOS, /* null when the value is 0 or negative */
	RS_HIDDEN,         /* never shown: carried on the wire for the model only */
};

struct rec_field {
	const char *name; /* in JSON; {name} in a line template */
	uint8_t kind;     /* enum rec_kind */
	uint8_t off;      /* offsetof(struct trace_rec, the member) */
	uint8_t size;     /* 4 or 8 */
	uint8_t sign;     /* 1: a signed slot */
	uint8_t show;     /* enum rec_show */
	int8_t sv;        /* the op value of RS_OP_IS and RS_OP_NOT */
	int32_t arg;      /* RK_ENUM: enum rec_enum; RK_BIT: the bits; RK_IS: the value */
};

#define REC_MAX_FIELDS 10

/* One record type. */
struct rec_type {
	const char *name;
	/*
	 * Its line, as a template: {field} is the field in text form, {=} the
	 * result as strace writes it (" = 3", " = -1 EPERM").  NULL: line_fn
	 * writes the line, for the types whose line depends on their values.
	 */
	const char *line;
	void (*line_fn)(struct strbuf *b, const struct trace_rec *r);
	struct rec_field f[REC_MAX_FIELDS]; /* ends at the first without a name */
};

/* The type's descriptor; NULL for TR_NONE and unknown types. */
const struct rec_type *trace_rec_type(int type);
/* The type's name ("epoll_ctl"); "unknown" when there is no such type.  Never NULL. */
const char *trace_rec_type_name(int type);
/* The type named name, or -1. */
int trace_rec_type_find(const char *name);
/* Does the type have a field of this kind (RK_TEXT, RK_PAIRS)? */
int trace_rec_type_has(int type, int kind);
/* The kinds of the type's fields as bits (1 << RK_TEXT, ...), in one pass; 0 for no such type. */
unsigned trace_rec_type_kinds(int type);
/* The name of value v of enumeration e (enum rec_enum); "unknown" when out of range. */
const char *trace_rec_enum_name(int e, int v);
/* The value of enumeration e named name, or -1. */
int trace_rec_enum_find(int e, const char *name);
/* A role's name: "echo-worker".  "unknown" when out of range. */
const char *trace_rec_role_name(int role);
/* The role named name, or -1. */
int trace_rec_role_find(const char *name);
/* The value of field f of r, widened (signed slots sign-extended). */
int64_t trace_rec_field(const struct trace_rec *r, const struct rec_field *f);

/* Start a record of the given type with fds set to -1 and the rest zeroed (inline: the reader starts one per record it decodes). */
static inline void
trace_rec_init(struct trace_rec *r, int type)
{
	memset(r, 0, offsetof(struct trace_rec, text) + 1);
	r->type = (uint8_t)type;
	r->epfd = -1;
	r->fd = -1;
}
/* Copy a record: the fields and its npairs pairs, not the unused rest of pairs[]. */
void trace_rec_copy(struct trace_rec *dst, const struct trace_rec *src);
/* Start a TR_PROC_START record of the calling process: role, name, its ids now. */
void trace_rec_proc_start(struct trace_rec *r, int role, const char *name);
/* Start a TR_REAP record of child from its waitpid status (exited, killed, stopped, continued). */
void trace_rec_reap(struct trace_rec *r, pid_t child, int status);
/*
 * The records of the calls the roles and the preload tracer both make, from
 * the call's arguments and result (err: its errno, 0 when it worked): one
 * place that says which slot each value goes in.
 */
void trace_rec_epoll_create(struct trace_rec *r, int flags, int ret, int err);
/* epoll_ctl: events and data only for ADD and MOD (a DEL's event is ignored by the kernel). */
void trace_rec_epoll_ctl(struct trace_rec *r, int epfd, int op, int fd, uint32_t events, uint64_t data, int ret,
			 int err);
void trace_rec_wait_enter(struct trace_rec *r, int epfd, int maxevents, int timeout);
/* epoll_wait's return: n, and the first TRACE_MAX_READY (events, data) pairs of evs. */
void trace_rec_wait_return(struct trace_rec *r, int epfd, const struct epoll_event *evs, int n, int err);
/* A record of type with fd and the result: recv, send, close... */
void trace_rec_result(struct trace_rec *r, int type, int fd, long long ret, int err);
/* A read of fd that returned n, with the bytes read as printable text. */
void trace_rec_read(struct trace_rec *r, int fd, const void *buf, long long n, int err);
/* kill(target, sig); a negative target is a group. */
void trace_rec_kill(struct trace_rec *r, int target, int sig, int ret, int err);
/* A signal delivered (or found pending at exit), with its si_code and si_pid. */
void trace_rec_signal(struct trace_rec *r, int signo, int code, int sender, int pending);
/* Copy s into r->text, truncating. */
void trace_rec_set_text(struct trace_rec *r, const char *s);
/* Copy len bytes into r->text, replacing unprintable bytes with '.'. */
void trace_rec_set_bytes(struct trace_rec *r, const void *buf, size_t len);

/* Append r as one JSON object (no newline).  The field names are the documented --json interface. */
void trace_rec_json(struct strbuf *b, const struct trace_rec *r);
/* Append r as one human line (no newline); t0 is the run's start time. */
void trace_rec_line(struct strbuf *b, const struct trace_rec *r, uint64_t t0);
/* Append a JSON array of the names of an epoll event mask: ["EPOLLIN","EPOLLET"]. */
void trace_rec_json_mask(struct strbuf *b, uint32_t mask);

#endif
