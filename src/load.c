/*
 * load.c - the open-loop load generator (see load.h).  One thread owns one
 * epoll instance and every socket; the caller sees only the atomics, the
 * two eventfds and, after the join, the result.  Nothing here touches the
 * front end's loop, the model or the trace pipe.
 *
 * A connection (struct conn) is a slot with a generation: the epoll data
 * is slot << 32 | generation, so an event read in the same epoll_wait as
 * the close of its socket is recognised as stale when the slot has moved on.
 *
 * Short connections: one slot per request in flight, from a free stack.
 * Keep-alive: `conns` slots, each carrying at most one request.  A due
 * request goes to the idle slot idle longest; while none is idle it waits in
 * a queue (bounded by max_inflight with the requests on the wire).  A slot
 * whose connection breaks after it answered something reconnects at once; a
 * slot that could not connect, or broke before answering anything, waits
 * RETRY_NS first, so a refusing or slamming server cannot make it spin.
 *
 * Requests come due in order and all have the same timeout, so the list of
 * requests on the wire and the queue are both in deadline order: the
 * oldest of each is the only one whose deadline has to be looked at.
 */
#include "load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define POOL_WAIT_NS (500 * NS_PER_MS) /* keep-alive: how long the pool may take to connect */
#define RETRY_NS (50 * NS_PER_MS)      /* keep-alive: before a slot that could not connect tries again */
#define GRACE_NS (900 * NS_PER_MS)     /* hard end: duration + timeout + this, then the teardown */
#define FD_SPARE 64                    /* fds the rest of the process may want beside the sockets */
#define WAKE_DATA UINT64_MAX
#define MAX_EVENTS 64

enum conn_state { C_DOWN = 0, C_CONNECTING, C_UP };
enum outcome { END_NONE = 0, END_FAILED, END_TIMED_OUT };

struct conn {
	int fd;
	int state;    /* C_... */
	uint32_t gen; /* bumped at every close */
	int has_req;  /* carries request req (on the in-flight list) */
	int useful;   /* answered a request on this connection */
	int in_idle;  /* has an entry in the idle ring (maybe stale) */
	int refused;  /* keep-alive: its last connect failed */
	uint64_t req;
	size_t nout; /* bytes of the request line sent */
	size_t nbuf; /* bytes of the reply read */
	struct conn *prev, *next;
	char buf[LOAD_LINE_MAX];
};

struct load {
	struct load_opts o;
	uint64_t total; /* requests scheduled */
	uint64_t timeout_ns;
	uint64_t t_start, t0, hard_end;
	int epfd, wakefd, donefd;
	pthread_t thread;
	int running; /* the thread was started and not joined */
	struct rlimit old_nofile;
	int raised_nofile;
	atomic_int stop, done;
	atomic_uint_fast64_t due, answered;

	/* The thread's alone until load_finish joins it. */
	struct conn *c;
	int nc;
	int *freev, nfree;        /* short: free slots */
	struct conn *head, *tail; /* requests on the wire, oldest first */
	uint64_t nlist;
	uint64_t *q; /* keep-alive: requests waiting for an idle slot */
	size_t qcap, qhead, qlen;
	int *idle, ihead, ilen; /* keep-alive: idle slots, longest idle first */
	int ndown;              /* keep-alive: slots without a connection */
	int nrefused;           /* keep-alive: slots whose last connect failed */
	uint64_t retry_at;      /* when the down slots try again (0: not set) */
	int ending;             /* the teardown: no reconnects */
	uint64_t next;          /* the next request to come due */
	uint64_t *lat;
	size_t nlat, latcap;
	struct load_result r; /* counters the atomics do not hold */
};

/* rate 1000, duration 3000 ms, keepalive off, conns 16, max_inflight 1024, timeout 5000 ms; port 0 (unset). */
void
load_defaults(struct load_opts *o)
{
	memset(o, 0, sizeof *o);
	o->rate = 1000;
	o->duration_ms = 3000;
	o->keepalive = 0;
	o->conns = 16;
	o->max_inflight = 1024;
	o->timeout_ms = 5000;
}

/* An integer option in [lo, hi]; "not a number" and "out of range" told apart. */
static int
parse_int(const char *key, const char *val, long lo, long hi, int *out, char *err, size_t errcap)
{
	char *end;
	long v;

	if (!(val[0] >= '0' && val[0] <= '9') && !(val[0] == '-' && val[1] >= '0' && val[1] <= '9')) {
		snprintf(err, errcap, _("%s: '%s' is not a number"), key, val);
		return -1;
	}
	errno = 0;
	v = strtol(val, &end, 10);
	if (*end != '\0') {
		snprintf(err, errcap, _("%s: '%s' is not a number"), key, val);
		return -1;
	}
	if (errno == ERANGE || v < lo || v > hi) {
		snprintf(err, errcap, _("%s: '%s' is out of range (%ld to %ld)"), key, val, lo, hi);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * A duration in ms from "3s" or "500ms", in [lo_ms, hi_ms].  A bare number is
 * refused: 5 could be either, and 5 ms would end a contest before it began.
 */
static int
parse_ms(const char *key, const char *val, long lo_ms, long hi_ms, int *out, char *err, size_t errcap)
{
	const char *p = val;
	unsigned long long v = 0;

	while (*p >= '0' && *p <= '9' && v <= (unsigned long long)hi_ms)
		v = v * 10 + (unsigned long long)(*p++ - '0');
	while (*p >= '0' && *p <= '9') /* already too large: only the syntax is left to check */
		p++;
	if (p != val && *p == '\0') {
		/* TRANSLATORS: a duration given without s or ms; %2$s twice: the number typed. */
		snprintf(err, errcap, _("%1$s: '%2$s' has no unit: write %2$ss or %2$sms"), key, val);
		return -1;
	}
	if (p == val || (strcmp(p, "ms") != 0 && strcmp(p, "s") != 0)) {
		snprintf(err, errcap, _("%s: '%s' is not a duration (e.g. 3s or 500ms)"), key, val);
		return -1;
	}
	if (strcmp(p, "s") == 0)
		v *= 1000;
	if (v < (unsigned long long)lo_ms || v > (unsigned long long)hi_ms) {
		snprintf(err, errcap, _("%s: '%s' is out of range (%ld ms to %ld s)"), key, val, lo_ms,
			 hi_ms / 1000);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/*
 * Set one option from text.  Each value is checked alone: rate * duration
 * is load_check's, so that the keys can come in any order.
 */
int
load_parse(struct load_opts *o, const char *key, const char *val, char *err, size_t errcap)
{
	if (val == NULL || val[0] == '\0') {
		snprintf(err, errcap, _("%s: no value"), key);
		return -1;
	}
	if (strcmp(key, "rate") == 0)
		return parse_int(key, val, 1, LOAD_MAX_RATE, &o->rate, err, errcap);
	if (strcmp(key, "duration") == 0)
		return parse_ms(key, val, 1, LOAD_MAX_DURATION_MS, &o->duration_ms, err, errcap);
	if (strcmp(key, "timeout") == 0)
		return parse_ms(key, val, 1, LOAD_MAX_TIMEOUT_MS, &o->timeout_ms, err, errcap);
	if (strcmp(key, "conns") == 0)
		return parse_int(key, val, 1, LOAD_MAX_CONNS, &o->conns, err, errcap);
	if (strcmp(key, "max_inflight") == 0)
		return parse_int(key, val, 1, LOAD_MAX_INFLIGHT, &o->max_inflight, err, errcap);
	if (strcmp(key, "keepalive") == 0) {
		if (strcmp(val, "on") == 0 || strcmp(val, "off") == 0) {
			o->keepalive = strcmp(val, "on") == 0;
			return 0;
		}
		snprintf(err, errcap, _("keepalive: '%s' is not on or off"), val);
		return -1;
	}
	snprintf(err, errcap,
		 _("unknown load option '%s' (expected rate, duration, keepalive, conns, "
		   "max_inflight or timeout)"),
		 key);
	return -1;
}

/* How many requests the options schedule: those with i / rate < duration. */
static uint64_t
total_of(const struct load_opts *o)
{
	return ((uint64_t)o->duration_ms * (uint64_t)o->rate + 999) / 1000;
}

/* Is v in [lo, hi]?  If not, say so in err, naming what and v. */
static int
in_range(const char *what, long v, long lo, long hi, char *err, size_t errcap)
{
	if (v >= lo && v <= hi)
		return 1;
	/* TRANSLATORS: %s: an option's name (rate, conns, "duration (ms)"), as it is. */
	snprintf(err, errcap, _("load: %s %ld is out of range (%ld to %ld)"), what, v, lo, hi);
	return 0;
}

/* Are the options usable together?  0, or -1 with err. */
int
load_check(const struct load_opts *o, char *err, size_t errcap)
{
	uint64_t n;

	if (!in_range("port", o->port, 1, 65535, err, errcap) ||
	    !in_range("rate", o->rate, 1, LOAD_MAX_RATE, err, errcap) ||
	    !in_range("duration (ms)", o->duration_ms, 1, LOAD_MAX_DURATION_MS, err, errcap) ||
	    !in_range("timeout (ms)", o->timeout_ms, 1, LOAD_MAX_TIMEOUT_MS, err, errcap) ||
	    !in_range("keepalive", o->keepalive, 0, 1, err, errcap) ||
	    !in_range("conns", o->conns, 1, LOAD_MAX_CONNS, err, errcap) ||
	    !in_range("max_inflight", o->max_inflight, 1, LOAD_MAX_INFLIGHT, err, errcap))
		return -1;
	n = total_of(o);
	if (n > LOAD_MAX_REQUESTS) {
		snprintf(err, errcap,
			 _("load: rate %d/s for %d ms is %llu requests, more than %d "
			   "(lower the rate or the duration)"),
			 o->rate, o->duration_ms, (unsigned long long)n, LOAD_MAX_REQUESTS);
		return -1;
	}
	return 0;
}

/* When request i is due. */
static uint64_t
due_at(const struct load *l, uint64_t i)
{
	return l->t0 + i * NS_PER_S / (uint64_t)l->o.rate;
}

/* When request i times out. */
static uint64_t
deadline_of(const struct load *l, uint64_t i)
{
	return due_at(l, i) + l->timeout_ns;
}

/* Request i's line, "load i\n"; its length. */
static size_t
req_line(uint64_t i, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "load %llu\n", (unsigned long long)i);

	return n > 0 ? (size_t)n : 0;
}

/* Count one request that ended otherwise than answered. */
static void
count(struct load *l, enum outcome how)
{
	if (how == END_FAILED)
		l->r.failed++;
	else if (how == END_TIMED_OUT)
		l->r.timed_out++;
}

/* Put c, which now carries a request, at the end of the in-flight list. */
static void
list_append(struct load *l, struct conn *c)
{
	c->prev = l->tail;
	c->next = NULL;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	l->nlist++;
}

/* Take c off the in-flight list. */
static void
list_remove(struct load *l, struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	l->nlist--;
}

/* Requests in flight: on the wire or waiting for an idle connection. */
static uint64_t
inflight(const struct load *l)
{
	return l->nlist + l->qlen;
}

static void conn_end(struct load *l, struct conn *c, enum outcome how);
static void slot_idle(struct load *l, struct conn *c);

/* A non-blocking connect of c to the port, watched edge-triggered.  0, or -1 with errno (c has no fd). */
static int
conn_open(struct load *l, struct conn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)l->o.port) };
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET };
	int fd, e;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
		goto fail;
	ev.data.u64 = (uint64_t)(c - l->c) << 32 | c->gen;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		goto fail;
	c->fd = fd;
	c->state = C_CONNECTING; /* even if connect returned 0: the first EPOLLOUT says so */
	c->nout = c->nbuf = 0;
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Close c's socket (closing it also takes it out of the epoll set); its pending events go stale. */
static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = C_DOWN;
	c->gen++;
}

/* Keep-alive: (re)connect slot c; one that cannot is down until the next retry. */
static void
slot_connect(struct load *l, struct conn *c)
{
	c->useful = 0;
	if (conn_open(l, c) < 0)
		conn_end(l, c, END_NONE);
}

/* Keep-alive: fail every queued request (no slot is left to carry them). */
static void
queue_fail(struct load *l, enum outcome how)
{
	for (; l->qlen > 0; l->qlen--, l->qhead = (l->qhead + 1) % l->qcap)
		count(l, how);
}

/*
 * Keep-alive: slot c lost its connection (refused: it never had one).  One
 * that had answered something reconnects at once (each such reconnect costs
 * a reply, so it cannot spin); another waits for the retry.  When every
 * slot's last connect failed, the queued requests have nothing to go on:
 * they fail (a slot that timed out is down too, but may come back).
 */
static void
slot_down(struct load *l, struct conn *c, int refused)
{
	if (refused && !c->refused) {
		c->refused = 1;
		l->nrefused++;
	}
	if (c->useful && !l->ending) {
		slot_connect(l, c);
		return;
	}
	c->state = C_DOWN;
	l->ndown++;
	if (l->retry_at == 0)
		l->retry_at = now_ns() + RETRY_NS;
	if (l->nrefused == l->o.conns && !l->ending)
		queue_fail(l, END_FAILED);
}

/* Keep-alive: the down slots try again. */
static void
slots_retry(struct load *l)
{
	l->retry_at = 0;
	for (int i = 0; i < l->nc; i++) {
		if (l->c[i].state == C_DOWN && l->c[i].fd < 0 && !l->ending) {
			l->ndown--;
			slot_connect(l, &l->c[i]);
		}
	}
}

/*
 * End c's request (if it carries one) as how, and its connection: a short
 * one goes back to the free stack, a keep-alive slot goes down.
 */
static void
conn_end(struct load *l, struct conn *c, enum outcome how)
{
	int refused = c->state != C_UP; /* the connect failed, or the socket could not even be made */

	if (c->has_req) {
		list_remove(l, c);
		c->has_req = 0;
		count(l, how);
	}
	conn_close(c);
	if (l->o.keepalive)
		slot_down(l, c, refused);
	else
		l->freev[l->nfree++] = (int)(c - l->c);
}

/* Send what is left of c's request line.  0, or -1 if that ended c. */
static int
send_line(struct load *l, struct conn *c)
{
	char line[32];
	size_t len = req_line(c->req, line, sizeof line);

	while (c->nout < len) {
		ssize_t n = send(c->fd, line + c->nout, len - c->nout, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0; /* the rest on the next EPOLLOUT edge */
		if (n < 0) {
			conn_end(l, c, END_FAILED);
			return -1;
		}
		c->nout += (size_t)n;
	}
	l->r.sent++;
	return 0;
}

/* Keep-alive: idle slot c carries request i from now on. */
static void
slot_assign(struct load *l, struct conn *c, uint64_t i)
{
	c->req = i;
	c->has_req = 1;
	c->nout = c->nbuf = 0;
	list_append(l, c);
	send_line(l, c);
}

/* Keep-alive: the idle slot idle longest, or NULL (stale ring entries are dropped). */
static struct conn *
idle_pop(struct load *l)
{
	while (l->ilen > 0) {
		struct conn *c = &l->c[l->idle[l->ihead]];

		l->ihead = (l->ihead + 1) % l->nc;
		l->ilen--;
		c->in_idle = 0;
		if (c->state == C_UP && !c->has_req)
			return c;
	}
	return NULL;
}

/* Keep-alive: slot c is connected and free: the oldest queued request, or the idle ring. */
static void
slot_idle(struct load *l, struct conn *c)
{
	if (l->qlen > 0) {
		uint64_t i = l->q[l->qhead];

		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
		slot_assign(l, c, i);
		return;
	}
	if (c->in_idle) /* its old entry, still in the ring, stands for it */
		return;
	c->in_idle = 1;
	l->idle[(l->ihead + l->ilen++) % l->nc] = (int)(c - l->c);
}

/* Keep a worker's reply count, bytes and worst latency; the first LOAD_MAX_PIDS pids only. */
static void
note_pid(struct load *l, int pid, size_t len, uint64_t lat)
{
	struct load_pid *p = NULL;

	for (int i = 0; i < l->r.npids && !p; i++)
		if (l->r.pids[i].pid == pid)
			p = &l->r.pids[i];
	if (!p && l->r.npids < LOAD_MAX_PIDS) {
		p = &l->r.pids[l->r.npids++];
		p->pid = pid;
	}
	if (!p)
		return;
	p->replies++;
	p->bytes += len;
	if (lat > p->lat_max_ns)
		p->lat_max_ns = lat;
}

/* The pid in reply (len bytes, '\n' last) if it is "pid = N | " and then request i's line; else -1. */
static int
reply_pid(const char *reply, size_t len, uint64_t i)
{
	static const char head[] = "pid = ";
	char line[32];
	size_t n = req_line(i, line, sizeof line), k = sizeof head - 1;
	long pid = 0;

	if (len < k || memcmp(reply, head, k) != 0 || k == len || reply[k] < '0' || reply[k] > '9')
		return -1;
	for (; k < len && reply[k] >= '0' && reply[k] <= '9'; k++)
		if ((pid = pid * 10 + (reply[k] - '0')) > 1L << 30)
			return -1;
	if (len - k != 3 + n || memcmp(reply + k, " | ", 3) != 0 || memcmp(reply + k + 3, line, n) != 0)
		return -1;
	return (int)pid;
}

/* c's reply line is whole (len bytes): answered if it is the echo of its request, else failed. */
static void
reply_done(struct load *l, struct conn *c, size_t len)
{
	uint64_t lat, now = now_ns();
	int pid = len == c->nbuf ? reply_pid(c->buf, len, c->req) : -1; /* nothing may follow the line */

	if (pid < 0) {
		conn_end(l, c, END_FAILED);
		return;
	}
	lat = now - due_at(l, c->req);
	if (l->nlat == l->latcap) {
		l->latcap = l->latcap ? 2 * l->latcap : 4096;
		l->lat = xreallocarray(l->lat, l->latcap, sizeof *l->lat);
	}
	l->lat[l->nlat++] = lat;
	note_pid(l, pid, len, lat);
	atomic_fetch_add(&l->answered, 1);
	list_remove(l, c);
	c->has_req = 0;
	c->useful = 1;
	c->nbuf = 0;
	if (l->o.keepalive)
		slot_idle(l, c);
	else
		conn_end(l, c, END_NONE);
}

/* Read c dry (edge-triggered) until its reply line is whole; EOF, an error or a line too long fail it. */
static void
read_reply(struct load *l, struct conn *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->nbuf, sizeof c->buf - c->nbuf, 0);
		const char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0 || !c->has_req) { /* EOF, an error, or bytes nobody asked for */
			conn_end(l, c, END_FAILED);
			return;
		}
		nl = memchr(c->buf + c->nbuf, '\n', (size_t)n);
		c->nbuf += (size_t)n;
		if (nl) {
			reply_done(l, c, (size_t)(nl - c->buf) + 1);
			return;
		}
		if (c->nbuf == sizeof c->buf) {
			conn_end(l, c, END_FAILED);
			return;
		}
	}
}

/* c's connect finished (EPOLLOUT or an error).  0 if c is now up, -1 if that ended it. */
static int
connect_done(struct load *l, struct conn *c)
{
	int err = 0, one = 1;
	socklen_t len = sizeof err;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		conn_end(l, c, END_FAILED);
		return -1;
	}
	c->state = C_UP;
	if (c->refused) {
		c->refused = 0;
		l->nrefused--;
	}
	if (!l->o.keepalive)
		return send_line(l, c);
	/* A slot's requests follow one another: no Nagle delay behind an unacknowledged one. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	slot_idle(l, c);
	return c->state == C_UP ? 0 : -1;
}

/* One epoll event for slot idx of generation gen. */
static void
conn_event(struct load *l, uint32_t idx, uint32_t gen, uint32_t ev)
{
	struct conn *c;

	if (idx >= (uint32_t)l->nc)
		return;
	c = &l->c[idx];
	if (c->fd < 0 || c->gen != gen)
		return; /* closed earlier in this batch */
	if (c->state == C_CONNECTING) {
		if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (connect_done(l, c) < 0)
			return;
	}
	if (c->has_req && (ev & EPOLLOUT)) {
		char line[32];

		if (c->nout < req_line(c->req, line, sizeof line) && send_line(l, c) < 0)
			return;
	}
	if (c->gen == gen && c->state == C_UP && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)))
		read_reply(l, c);
}

/* epoll_wait for at most ns nanoseconds: epoll_pwait2 where there is one, else whole ms rounded up (never early). */
static int
epoll_wait_ns(int epfd, struct epoll_event *ev, int max, uint64_t ns)
{
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 35)
	struct timespec ts = { .tv_sec = (time_t)(ns / NS_PER_S), .tv_nsec = (long)(ns % NS_PER_S) };
	int n = epoll_pwait2(epfd, ev, max, &ts, NULL);

	if (n >= 0 || errno != ENOSYS)
		return n;
#endif
#endif
	return epoll_wait(epfd, ev, max, (int)((ns + NS_PER_MS - 1) / NS_PER_MS));
}

/* Sleep in epoll until `until` (CLOCK_MONOTONIC ns) or an event; handle the events.  -1 on a real error. */
static int
wait_events(struct load *l, uint64_t until)
{
	struct epoll_event ev[MAX_EVENTS];
	uint64_t now = now_ns();
	int n = epoll_wait_ns(l->epfd, ev, MAX_EVENTS, until > now ? until - now : 0);

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		uint64_t d = ev[i].data.u64;

		if (d == WAKE_DATA) {
			uint64_t v;

			if (read(l->wakefd, &v, sizeof v) < 0) {
				/* nothing to drain: it is level-triggered and was read already */
			}
			continue;
		}
		conn_event(l, (uint32_t)(d >> 32), (uint32_t)d, ev[i].events);
	}
	return 0;
}

/* Request i is due: send it, queue it, or count it as skipped or failed. */
static void
issue(struct load *l, uint64_t i)
{
	struct conn *c;

	atomic_fetch_add(&l->due, 1);
	if (inflight(l) >= (uint64_t)l->o.max_inflight) {
		l->r.skipped++;
		return;
	}
	if (!l->o.keepalive) {
		c = &l->c[l->freev[--l->nfree]];
		c->req = i;
		c->has_req = 1;
		list_append(l, c);
		if (conn_open(l, c) < 0) /* EMFILE, EADDRNOTAVAIL, or refused at once */
			conn_end(l, c, END_FAILED);
		return;
	}
	if ((c = idle_pop(l)) != NULL) {
		slot_assign(l, c, i);
	} else if (l->nrefused == l->o.conns) {
		l->r.failed++; /* no connection to send it on: every slot's last connect failed */
	} else {
		l->q[(l->qhead + l->qlen++) % l->qcap] = i;
	}
}

/* Every request on the wire or queued whose deadline has passed times out. */
static void
expire(struct load *l, uint64_t now)
{
	while (l->head && deadline_of(l, l->head->req) <= now)
		conn_end(l, l->head, END_TIMED_OUT);
	while (l->qlen > 0 && deadline_of(l, l->q[l->qhead]) <= now) {
		l->qhead = (l->qhead + 1) % l->qcap;
		l->qlen--;
		l->r.timed_out++;
	}
}

/* The earliest time something is to be done: a request due, a deadline, a retry, the hard end. */
static uint64_t
next_wake(const struct load *l)
{
	uint64_t t = l->hard_end;

	if (l->next < l->total && due_at(l, l->next) < t)
		t = due_at(l, l->next);
	if (l->head && deadline_of(l, l->head->req) < t)
		t = deadline_of(l, l->head->req);
	if (l->qlen > 0 && deadline_of(l, l->q[l->qhead]) < t)
		t = deadline_of(l, l->q[l->qhead]);
	if (l->ndown > 0 && l->retry_at && l->retry_at < t)
		t = l->retry_at;
	return t;
}

/* End every pending request as how and close every socket. */
static void
teardown(struct load *l, enum outcome how)
{
	l->ending = 1;
	queue_fail(l, how);
	while (l->head)
		conn_end(l, l->head, how);
	for (int i = 0; i < l->nc; i++)
		conn_close(&l->c[i]);
}

/* Keep-alive: connect the pool and wait (at most POOL_WAIT_NS) until no slot is still connecting. */
static void
pool_open(struct load *l)
{
	uint64_t until = l->t_start + POOL_WAIT_NS;

	for (int i = 0; i < l->nc; i++)
		slot_connect(l, &l->c[i]);
	for (;;) {
		int connecting = 0;

		for (int i = 0; i < l->nc; i++)
			connecting += l->c[i].state == C_CONNECTING;
		if (!connecting || atomic_load(&l->stop) || now_ns() >= until)
			return;
		if (wait_events(l, until) < 0)
			return;
	}
}

/* The run: requests come due, replies come in, deadlines pass, until all are done or it must end. */
static void
run_requests(struct load *l)
{
	for (;;) {
		uint64_t now = now_ns();

		if (atomic_load(&l->stop)) {
			teardown(l, END_FAILED);
			return;
		}
		while (l->next < l->total && due_at(l, l->next) <= now)
			issue(l, l->next++);
		expire(l, now);
		if (l->ndown > 0 && l->retry_at && l->retry_at <= now)
			slots_retry(l);
		if (now >= l->hard_end) {
			teardown(l, END_TIMED_OUT);
			return;
		}
		if (l->next == l->total && inflight(l) == 0) {
			teardown(l, END_NONE);
			return;
		}
		if (wait_events(l, next_wake(l)) < 0) {
			teardown(l, END_FAILED);
			return;
		}
	}
}

/* Ascending, for qsort. */
static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank percentile pct of the sorted latencies. */
static uint64_t
percentile(const struct load *l, unsigned pct)
{
	size_t rank = (l->nlat * pct + 99) / 100;

	return l->lat[rank ? rank - 1 : 0];
}

/* The thread: the pool (keep-alive), the run, the latency figures, then done and the eventfd. */
static void *
load_thread(void *arg)
{
	struct load *l = arg;
	uint64_t one = 1;

	if (l->o.keepalive)
		pool_open(l);
	l->t0 = now_ns();
	run_requests(l);
	if (l->nlat > 0) {
		qsort(l->lat, l->nlat, sizeof *l->lat, cmp_u64);
		l->r.lat_p50_ns = percentile(l, 50);
		l->r.lat_p99_ns = percentile(l, 99);
		l->r.lat_max_ns = l->lat[l->nlat - 1];
	}
	l->r.wall_ns = now_ns() - l->t_start;
	atomic_store(&l->done, 1);
	if (write(l->donefd, &one, sizeof one) < 0) {
		/* cannot fail on a fresh eventfd; load_done still says so */
	}
	return NULL;
}

/*
 * Raise the soft RLIMIT_NOFILE toward the hard one if nsock sockets (and a
 * few spare) need it; remember the old one for load_finish.  When it cannot,
 * the requests beyond it fail (EMFILE), which the result shows.
 */
static void
raise_nofile(struct load *l, int nsock)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)nsock + FD_SPARE + 3;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return;
	l->old_nofile = rl;
	rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ? rl.rlim_max : need;
	if (rl.rlim_cur > l->old_nofile.rlim_cur && setrlimit(RLIMIT_NOFILE, &rl) == 0)
		l->raised_nofile = 1;
}

/* Free l and close its fds (the thread is not running). */
static void
load_free(struct load *l)
{
	if (l->raised_nofile)
		setrlimit(RLIMIT_NOFILE, &l->old_nofile);
	for (int i = 0; l->c && i < l->nc; i++)
		conn_close(&l->c[i]);
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->wakefd >= 0)
		close(l->wakefd);
	if (l->donefd >= 0)
		close(l->donefd);
	free(l->c);
	free(l->freev);
	free(l->q);
	free(l->idle);
	free(l->lat);
	free(l);
}

/* The slots, the free stack or the queue and idle ring, and the fds; 0, or -1 with errno. */
static int
load_alloc(struct load *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = WAKE_DATA };

	l->nc = l->o.keepalive ? l->o.conns : l->o.max_inflight;
	l->c = xcalloc((size_t)l->nc, sizeof *l->c);
	for (int i = 0; i < l->nc; i++)
		l->c[i].fd = -1;
	if (l->o.keepalive) {
		l->qcap = (size_t)l->o.max_inflight;
		l->q = xcalloc(l->qcap, sizeof *l->q);
		l->idle = xcalloc((size_t)l->nc, sizeof *l->idle);
	} else {
		l->freev = xcalloc((size_t)l->nc, sizeof *l->freev);
		for (int i = 0; i < l->nc; i++)
			l->freev[l->nfree++] = l->nc - 1 - i;
	}
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	l->donefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->epfd < 0 || l->wakefd < 0 || l->donefd < 0)
		return -1;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->wakefd, &ev);
}

/* Check the options, raise the fd limit if needed, and start the thread.  NULL with err if it cannot. */
struct load *
load_start(const struct load_opts *o, char *err, size_t errcap)
{
	struct load *l;
	sigset_t all, old;
	int e;

	if (load_check(o, err, errcap) < 0)
		return NULL;
	l = xcalloc(1, sizeof *l);
	l->o = *o;
	l->epfd = l->wakefd = l->donefd = -1;
	l->total = total_of(o);
	l->timeout_ns = (uint64_t)o->timeout_ms * NS_PER_MS;
	if (load_alloc(l) < 0) {
		snprintf(err, errcap, _("load: cannot make its epoll or eventfds: %s"), strerror(errno));
		goto fail;
	}
	raise_nofile(l, l->nc);
	l->t_start = now_ns();
	l->hard_end =
		l->t_start + ((uint64_t)o->duration_ms + (uint64_t)o->timeout_ms) * NS_PER_MS + GRACE_NS;
	/* Every signal stays with the caller's threads (the front end reads them from a signalfd). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&l->thread, NULL, load_thread, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		snprintf(err, errcap, _("load: cannot start its thread: %s"), strerror(e));
		goto fail;
	}
	l->running = 1;
	return l;
fail:
	load_free(l);
	return NULL;
}

/* The eventfd that becomes readable when the load is finished. */
int
load_fd(const struct load *l)
{
	return l->donefd;
}

/* Nonzero once finished. */
int
load_done(const struct load *l)
{
	return atomic_load(&l->done);
}

/* Requests due and answered so far. */
void
load_progress(const struct load *l, uint64_t *due, uint64_t *answered)
{
	if (due)
		*due = atomic_load(&l->due);
	if (answered)
		*answered = atomic_load(&l->answered);
}

/* Ask the thread to end now; it wakes from epoll_wait on the eventfd. */
void
load_stop(struct load *l)
{
	uint64_t one = 1;

	atomic_store(&l->stop, 1);
	if (write(l->wakefd, &one, sizeof one) < 0) {
		/* only EAGAIN at a counter near 2^64: it is readable already */
	}
}

/* Join the thread, fill res (may be NULL), free everything. */
void
load_finish(struct load *l, struct load_result *res)
{
	if (l == NULL)
		return;
	if (l->running)
		pthread_join(l->thread, NULL);
	l->running = 0;
	if (res) {
		*res = l->r;
		res->due = atomic_load(&l->due);
		res->answered = atomic_load(&l->answered);
	}
	load_free(l);
}
