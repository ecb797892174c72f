/*
 * trace.h - the trace protocol between the child roles and the front end.
 *
 * Owns the record layout, its wire encoding and the child-side emitter.
 * Must not know about the model, the UI or any particular role.
 *
 * Wire format (version TRACE_VERSION): fixed TRACE_REC_SIZE-byte records,
 * little-endian, written by each child to one pipe inherited from the front
 * end.  A child buffers whole records and writes them with one write(2) of
 * at most PIPE_BUF bytes, so records of different processes never
 * interleave; it flushes before every call that may block, so nothing waits
 * in a buffer while its process sleeps.  When the pipe is full the writer
 * blocks: nothing is ever dropped.  Every wire record carries a
 * per-process sequence number starting at 0; the reader counts gaps.
 *
 *   off  size  field
 *     0     2  magic 'E','V'
 *     2     1  version
 *     3     1  type (enum trace_type)
 *     4     4  pid
 *     8     8  seq
 *    16     8  ts_ns (CLOCK_MONOTONIC)
 *    24     4  epfd        28 4 fd        32 4 op       36 4 events
 *    40     8  data        48 8 ret       56 4 err      60 4 arg
 *    64     4  arg2        68 4 pid2      72 8 val
 *    80     1  nhere (pairs in this record)   81 1 textlen
 *    82     1  npairs (pairs in the whole batch)  83 1 pair_off
 *    84     4  reserved (0)
 *    88   168  text, or up to 14 (events u32, data u64) pairs
 *
 * An epoll_wait return with more than TRACE_PAIRS_PER_REC pairs continues in
 * further records of the same type whose pair_off is not 0; they always
 * follow their head directly (same write).
 */
#ifndef EPOLLVIZ_TRACE_H
#define EPOLLVIZ_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TRACE_VERSION 1
#define TRACE_REC_SIZE 256
#define TRACE_BODY_OFF 88
#define TRACE_TEXT_MAX 167
#define TRACE_PAIRS_PER_REC 14
#define TRACE_MAX_READY 64

enum trace_type {
	TR_NONE = 0,
	TR_PROC_START,   /* op=role, val=version, pid2=ppid, pgid, sid, text=name */
	TR_PROC_EXIT,    /* ret=exit status the process chose */
	TR_REAP,         /* child=pid2, op=how (enum reap_how), arg=code/signal */
	TR_READY,        /* the role reached its steady state */
	TR_EPOLL_CREATE, /* arg=flags, ret, err */
	TR_EPOLL_CTL,    /* epfd, op, fd, events, data, ret, err */
	TR_WAIT_ENTER,   /* epfd, maxevents, timeout */
	TR_WAIT_RETURN,  /* epfd, ret, err, pairs */
	TR_ACCEPT,       /* fd=listening fd, ret=new fd, err, port=peer port, text=peer */
	TR_RECV,         /* fd, ret, err */
	TR_SEND,         /* fd, ret, err */
	TR_CLOSE,        /* fd, ret, err */
	TR_READ,         /* fd, ret, err, text=first bytes (printable) */
	TR_SEM_OPEN,     /* text=name, ret, err, arg=initial value */
	TR_SEM_TRYWAIT,  /* ret (0 won), err (EAGAIN lost) */
	TR_SEM_POST,     /* ret, err */
	TR_SEM_UNLINK,   /* text=name, ret, err */
	TR_SIGNAL,       /* signo, si_code, si_pid, op=1 if found pending at exit */
	TR_KILL,         /* target=pid2 (negative: group), signo, ret, err */
	TR_FIFO_WAITING, /* text=path: blocking open(O_RDONLY) begins */
	TR_FIFO_OPENED,  /* fd, ret, err, text=path */
	TR_FIFO_HUP,     /* epfd, fd, op=hup mode */
	TR_HUP_STORM,    /* epfd, fd, count=val, data=elapsed ns, op=0 going on, 1 capped, 2 over */
	TR_LISTEN,       /* fd, port, backlog, text=address, ret, err, op=flags */
	TR_OPEN,         /* ret=fd, err, op=kind (enum open_kind), text=path */
	TR_STRAY,        /* epfd, fd, data, events, op=reason (enum stray_reason) */
	TR_KCMP,         /* fd=fd1, pid2, arg=fd2, ret, err */
	TR_INHERIT,      /* fd, op=kind (enum open_kind), pid2=from */
	TR_LOG,          /* text */
	TR_FG,           /* pgid=arg: tcsetpgrp, ret, err */
	TR_JOB,          /* pgid=arg, pid2=leader, op=enum job_event, arg2=background, text */
	TR_CLIENT,       /* front end: client=arg, op=enum client_event, port, ret, err, text */
	TR_ACTION,       /* front end: text=the action, op=enum action_state */
	TR_ACCEPTQ,      /* front end: port=arg, qlen=val, backlog=arg2, fd=-1 */
	TR_TTY,          /* front end: text=what the children printed */
	TR_SETTLED,      /* front end: qlen=val, arg=processes checked */
	TR_SCHED,        /* front end: of=pid2, voluntary=val, involuntary=arg (context switches) */
	TR_KEPOLL,       /* front end, from /proc: of=pid2, epfd, instance=arg (0 unknown), op=watches, val=anon inode, err=kcmp errno */
	TR_KWATCH,       /* front end, from /proc: of=pid2, epfd, fd=tfd, events, data, op=enum kcheck_verdict, text */
	TR_RUN_END,      /* front end, last record: arg=actions failed, op=enum run_end_flags, val=malformed */
	TR__COUNT
};

/* Roles: who a process is.  Also the internal --role names. */
enum trace_role {
	ROLE_FRONTEND = 0,
	ROLE_SESSION,
	ROLE_ECHO_PARENT,
	ROLE_ECHO_WORKER,
	ROLE_FIFO,
	ROLE_PROBE,
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
enum run_end_flags { RUN_UNCLEAN = 1, RUN_INTERRUPTED = 2, RUN_FATAL = 4 };
enum kcheck_verdict { KC_AGREE = 0, KC_KERNEL_ONLY, KC_TRACE_ONLY, KC_EVENTS_DIFFER };

struct trace_pair {
	uint32_t events;
	uint64_t data;
};

/* One logical record: a wire record, or a wait return with its continuations. */
struct trace_rec {
	uint8_t type;
	uint32_t pid;
	uint64_t seq; /* of the head wire record */
	uint64_t ts_ns;
	int32_t epfd;
	int32_t fd;
	int32_t op;
	uint32_t events;
	uint64_t data;
	int64_t ret;
	int32_t err;
	union {
		int32_t arg;
		int32_t signo;
		int32_t port;
		int32_t maxevents;
		int32_t pgid;
		int32_t client;
		int32_t initial;
	};
	union {
		int32_t arg2;
		int32_t si_code;
		int32_t timeout;
		int32_t backlog;
		int32_t sid;
		int32_t background;
	};
	union {
		int32_t pid2;
		int32_t sender; /* si_pid */
		int32_t ppid;
		int32_t target;
		int32_t child;
	};
	union {
		uint64_t val;
		uint64_t count;
		uint64_t qlen;
		uint64_t version;
	};
	uint8_t npairs;
	char text[TRACE_TEXT_MAX + 1];
	struct trace_pair pairs[TRACE_MAX_READY];
};

/* Names, for JSON and for the screen.  Never NULL. */
const char *trace_type_name(int type);
int trace_type_from_name(const char *name);
const char *trace_role_name(int role);
int trace_role_from_name(const char *name);

/* Number of wire records a logical record needs. */
size_t trace_wire_count(const struct trace_rec *r);

/*
 * Encode r as wire records into out (cap bytes), numbering them from *seq on
 * and advancing *seq.  Returns the bytes written, or 0 if cap is too small.
 */
size_t trace_encode(const struct trace_rec *r, uint64_t *seq, uint8_t *out, size_t cap);

/*
 * Decode one wire record of TRACE_REC_SIZE bytes.  Returns 0, or -1 with a
 * reason in why (static string) when the record is malformed.  Pairs are
 * stored at their pair_off in out->pairs; *pair_off and *nhere tell where.
 */
int trace_decode_wire(const uint8_t *buf, struct trace_rec *out, int *pair_off, int *nhere,
		      const char **why);

/*
 * The reader: feeds bytes in any chunking, assembles logical records, counts
 * sequence gaps per pid and malformed bytes.  Pure: no I/O.
 */
struct trace_reader_pid {
	uint32_t pid;
	uint64_t next_seq;
};

struct trace_reader {
	uint8_t carry[TRACE_REC_SIZE];
	size_t ncarry;
	struct trace_rec cur; /* a wait return waiting for continuations */
	struct trace_rec next; /* where a record is decoded while cur waits */
	int cur_pending;
	int cur_have;
	struct trace_reader_pid *pids;
	size_t npids, cappids;
	uint64_t records;   /* wire records accepted */
	uint64_t lost;      /* sequence numbers never seen */
	uint64_t malformed; /* wire records rejected */
	uint64_t offset;    /* bytes fed so far */
	uint64_t bad_offset; /* offset of the first rejected record */
	const char *bad_why;
};

typedef void (*trace_sink_fn)(void *ctx, const struct trace_rec *r);

void trace_reader_init(struct trace_reader *rd);
void trace_reader_free(struct trace_reader *rd);
/* Feed bytes; calls sink for every complete logical record.  Returns 0 or -1 (OOM). */
int trace_reader_feed(struct trace_reader *rd, const void *buf, size_t len, trace_sink_fn sink,
		      void *ctx);
/*
 * Account for the sequence number of nwire wire records of pid starting at
 * seq: a gap counts as lost records.  The reader calls it for every wire
 * record it decodes; the unit tests call it directly.
 */
void trace_reader_note_seq(struct trace_reader *rd, uint32_t pid, uint64_t seq, unsigned nwire);

/*
 * Child side.  trace_open() takes the inherited pipe fd; trace_emit() stamps
 * pid, seq and (if 0) ts_ns and buffers; trace_flush() writes.  With no fd
 * (tracing off) emit is a no-op.  When the reader is gone (EPIPE),
 * trace_reader_gone() turns true and the role should shut down.
 */
void trace_open(int fd, int immediate);
int trace_fd(void);
void trace_emit(struct trace_rec *r);
void trace_flush(void);
/* Bytes emitted but not yet written (0 when tracing is off). */
size_t trace_pending(void);
int trace_reader_gone(void);
/* Start a record of the given type with fds set to -1 and the rest zeroed. */
void trace_rec_init(struct trace_rec *r, int type);
/* Copy a record: the fields and its npairs pairs, not the unused rest of pairs[]. */
void trace_rec_copy(struct trace_rec *dst, const struct trace_rec *src);
/* Start a TR_PROC_START record of the calling process: role, name, its ids now. */
void trace_rec_proc_start(struct trace_rec *r, int role, const char *name);
/* Start a TR_REAP record of child from its waitpid status (exited, killed, stopped, continued). */
void trace_rec_reap(struct trace_rec *r, pid_t child, int status);
/* Emit a TR_LOG record with printf-style text. */
void trace_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Copy s into r->text, truncating. */
void trace_set_text(struct trace_rec *r, const char *s);
/* Copy len bytes into r->text, replacing unprintable bytes with '.'. */
void trace_set_text_bytes(struct trace_rec *r, const void *buf, size_t len);

#endif
