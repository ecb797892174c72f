/*
 * load.h - an open-loop loopback TCP load generator in a thread of its own,
 * for comparing the accept strategies of a multi-process echo server (the
 * contest).  Engine code: no curses, no trace records, loopback only.
 *
 * Open loop: request i is due at t0 + i/rate whether or not the earlier ones
 * were answered, and its latency runs from that due time (not from when it
 * was sent) to the end of its reply line, so a slow server cannot slow the
 * load down and hide its own queueing.  Request i is the line "load i\n";
 * its answer must be exactly "pid = N | load i\n" (N the worker's pid).
 *
 * Every request that comes due ends as exactly one of
 *   answered   its reply came, whole and as expected;
 *   failed     refused, reset, EOF or a wrong or over-long reply, no
 *              connection to send it on, or pending at load_stop;
 *   timed_out  not answered timeout_ms after it was due;
 *   skipped    max_inflight requests were in flight when it came due (not sent),
 * so that after load_finish  due == answered + failed + timed_out + skipped.
 *
 * Bounded: at most LOAD_MAX_REQUESTS requests, max_inflight of them in
 * flight (and as many sockets), and the thread ends at most duration +
 * timeout + 1 s after load_start whatever the server does.
 */
#ifndef EPOLLVIZ_LOAD_H
#define EPOLLVIZ_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define LOAD_MAX_REQUESTS 1000000 /* rate * duration */
#define LOAD_MAX_RATE 1000000     /* per second */
#define LOAD_MAX_DURATION_MS 600000
#define LOAD_MAX_TIMEOUT_MS 60000
#define LOAD_MAX_CONNS 1024
#define LOAD_MAX_INFLIGHT 16384
#define LOAD_MAX_PIDS 64
#define LOAD_LINE_MAX 512 /* a longer reply line fails its request */

struct load_opts {
	int port;         /* 127.0.0.1:port (loopback only, always) */
	int rate;         /* requests per second, open loop: request i is due at t0 + i/rate */
	int duration_ms;  /* requests are scheduled within [0, duration) */
	int keepalive;    /* 0: each request is a new connection: connect, send one line, read the reply, close.
	                     1: `conns` persistent connections opened first; each request goes on an idle one,
	                     the idle ones taken in turn (waiting, in due order, while none is idle) */
	int conns;        /* keep-alive pool size */
	int max_inflight; /* bound on requests in flight; a due request beyond it is counted `skipped`, not sent */
	int timeout_ms;   /* a request not answered this long after it was due fails as timed out */
};

/* Who answered: one worker. */
struct load_pid {
	int pid;
	uint64_t replies;
	uint64_t bytes; /* of its reply lines, '\n' included: it sent at least that many */
	uint64_t lat_max_ns;
};

struct load_result {
	uint64_t due, sent, answered, failed, timed_out, skipped;
	uint64_t lat_p50_ns, lat_p99_ns, lat_max_ns; /* from the time a request was due to its full reply line */
	struct load_pid pids[LOAD_MAX_PIDS];         /* who answered, parsed from "pid = N | ", first seen first; */
	int npids;                                   /* replies from a 65th pid on are answered but not listed */
	uint64_t wall_ns;                            /* from the thread's start (pool included) to its end */
};

/* rate 1000, duration 3000 ms, keepalive off, conns 16, max_inflight 1024, timeout 5000 ms; port 0 (unset). */
void load_defaults(struct load_opts *o);
/*
 * Set one option from text: rate (per second), duration and timeout ("3s",
 * "500ms", or plain ms), keepalive (on/off), conns, max_inflight.  Returns 0,
 * or -1 with a message naming the key and the value in err.  Each value is
 * checked alone; rate * duration is checked by load_check, once every key is set.
 */
int load_parse(struct load_opts *o, const char *key, const char *val, char *err, size_t errcap);
/* Are the options usable together (ranges, port, rate * duration <= LOAD_MAX_REQUESTS)?  0, or -1 with err. */
int load_check(const struct load_opts *o, char *err, size_t errcap);

struct load;

/*
 * Check the options, raise the RLIMIT_NOFILE soft limit toward the hard one
 * if the sockets need it (put back by load_finish), and start the thread.
 * Returns NULL with a message in err if it cannot.
 */
struct load *load_start(const struct load_opts *o, char *err, size_t errcap);
/* An eventfd that becomes readable when the load is finished, for the caller's epoll loop (do not close it). */
int load_fd(const struct load *l);
/* Nonzero once finished (every request has ended and every socket is closed). */
int load_done(const struct load *l);
/* Requests due and answered so far: atomics, from any thread at any time, for a live view. */
void load_progress(const struct load *l, uint64_t *due, uint64_t *answered);
/* Ask it to end early (e.g. Ctrl+C): nothing more comes due, pending requests fail.  Any thread. */
void load_stop(struct load *l);
/*
 * Wait for the thread (bounded, see above; load_stop first to end it now),
 * fill res (may be NULL), and free everything, its fds closed.
 */
void load_finish(struct load *l, struct load_result *res);

#endif
