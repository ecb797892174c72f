/*
 * test_load.c - the load generator (load.h) against a real loopback server
 * in a thread of the test: short connections and keep-alive all answered
 * (counts, pids, latency order, accepts), a server that never answers (all
 * time out, the eventfd says done), a refused port (all fail), the in-flight
 * bound, an early stop, and the option parser's messages.  Assertions are
 * on counts and orderings only; every wait is for the effect, with a
 * generous deadline.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load.h"
#include "util.h"

#define SRV_MAXFD 4096
#define WAIT_S 10

/* What the server does: echo; read and never answer; close at once; answer a line too long. */
enum srv_mode { SRV_ECHO = 0, SRV_STALL, SRV_SLAM, SRV_LONG };

/* A loopback server in a thread, in one of the modes above. */
struct srv {
	int mode;
	int lfd, epfd, stopfd;
	int port;
	pthread_t th;
	atomic_int accepts, open;
	char (*buf)[LOAD_LINE_MAX];
	size_t *nbuf;
	char *live; /* fds of accepted connections still open */
};

/* A loopback socket bound to port 0 (listening if listen_too); its port in *port. */
static int
bound_socket(int listen_too, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	if (listen_too)
		cr_assert_eq(listen(fd, SOMAXCONN), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Accept every pending connection. */
static void
srv_accept(struct srv *s)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd;

	while ((fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		atomic_fetch_add(&s->accepts, 1);
		atomic_fetch_add(&s->open, 1);
		if (fd >= SRV_MAXFD || s->mode == SRV_SLAM) {
			close(fd);
			atomic_fetch_sub(&s->open, 1);
			continue;
		}
		s->nbuf[fd] = 0;
		s->live[fd] = 1;
		ev.data.fd = fd;
		epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

/* Answer every whole line in fd's buffer (echo mode), keep the rest. */
static void
srv_answer(struct srv *s, int fd)
{
	char *b = s->buf[fd], *nl, out[LOAD_LINE_MAX + 64];

	while ((nl = memchr(b, '\n', s->nbuf[fd])) != NULL) {
		size_t len = (size_t)(nl - b) + 1;
		int n = snprintf(out, sizeof out, "pid = %d | %.*s", (int)getpid(), (int)len, b);

		if (s->mode == SRV_LONG) {
			memset(out, 'x', sizeof out);
			n = (int)sizeof out;
		}
		if (s->mode == SRV_ECHO || s->mode == SRV_LONG)
			cr_assert_eq(write(fd, out, (size_t)n), n);
		memmove(b, b + len, s->nbuf[fd] - len);
		s->nbuf[fd] -= len;
	}
	if (s->nbuf[fd] == LOAD_LINE_MAX)
		s->nbuf[fd] = 0;
}

/* Read fd; close it on EOF or an error. */
static void
srv_read(struct srv *s, int fd)
{
	ssize_t n = read(fd, s->buf[fd] + s->nbuf[fd], LOAD_LINE_MAX - s->nbuf[fd]);

	if (n > 0) {
		s->nbuf[fd] += (size_t)n;
		srv_answer(s, fd);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		s->live[fd] = 0;
		close(fd);
		atomic_fetch_sub(&s->open, 1);
	}
}

/* The server's loop, until its stop eventfd is written. */
static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	struct epoll_event ev[32];

	for (;;) {
		int n = epoll_wait(s->epfd, ev, 32, -1);

		for (int i = 0; i < n; i++) {
			if (ev[i].data.fd == s->stopfd)
				return NULL;
			if (ev[i].data.fd == s->lfd)
				srv_accept(s);
			else
				srv_read(s, ev[i].data.fd);
		}
	}
}

/* Start a server thread in mode. */
static void
srv_start(struct srv *s, int mode)
{
	struct epoll_event ev = { .events = EPOLLIN };

	memset(s, 0, sizeof *s);
	s->mode = mode;
	s->buf = calloc(SRV_MAXFD, sizeof *s->buf);
	s->nbuf = calloc(SRV_MAXFD, sizeof *s->nbuf);
	s->live = calloc(SRV_MAXFD, 1);
	cr_assert(s->buf && s->nbuf && s->live);
	s->lfd = bound_socket(1, &s->port);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	s->stopfd = eventfd(0, EFD_CLOEXEC);
	cr_assert(s->epfd >= 0 && s->stopfd >= 0);
	ev.data.fd = s->lfd;
	cr_assert_eq(epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->lfd, &ev), 0);
	ev.data.fd = s->stopfd;
	cr_assert_eq(epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->stopfd, &ev), 0);
	cr_assert_eq(pthread_create(&s->th, NULL, srv_main, s), 0);
}

/* Stop the server thread and close its fds (connections still open among them). */
static void
srv_stop(struct srv *s)
{
	uint64_t one = 1;

	cr_assert_eq(write(s->stopfd, &one, sizeof one), (ssize_t)sizeof one);
	pthread_join(s->th, NULL);
	for (int fd = 0; fd < SRV_MAXFD; fd++)
		if (s->live[fd])
			close(fd);
	close(s->lfd);
	close(s->epfd);
	close(s->stopfd);
	free(s->buf);
	free(s->nbuf);
	free(s->live);
}

/* How many fds this process has open. */
static int
open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Options for port: rate/s for duration ms, the rest the defaults. */
static struct load_opts
opts(int port, int rate, int duration_ms)
{
	struct load_opts o;

	load_defaults(&o);
	o.port = port;
	o.rate = rate;
	o.duration_ms = duration_ms;
	return o;
}

/* Wait (poll, WAIT_S beyond the load's own bound) until the load's eventfd is readable. */
static void
wait_done(struct load *l, const struct load_opts *o)
{
	struct pollfd p = { .fd = load_fd(l), .events = POLLIN };
	int ms = o->duration_ms + o->timeout_ms + WAIT_S * 1000;

	cr_assert_eq(poll(&p, 1, ms), 1, "the load's eventfd never became readable");
	cr_assert(load_done(l));
}

/* Run a load to its end; the result in *r, every request accounted for exactly once. */
static void
run_load(const struct load_opts *o, struct load_result *r)
{
	char err[256] = "";
	struct load *l = load_start(o, err, sizeof err);

	cr_assert_not_null(l, "load_start: %s", err);
	wait_done(l, o);
	load_finish(l, r);
	cr_assert_eq(r->due, r->answered + r->failed + r->timed_out + r->skipped,
		     "due %llu != answered %llu + failed %llu + timed out %llu + skipped %llu",
		     (unsigned long long)r->due, (unsigned long long)r->answered,
		     (unsigned long long)r->failed, (unsigned long long)r->timed_out,
		     (unsigned long long)r->skipped);
}

/* Every request answered once, by this process, latencies in order. */
static void
assert_all_answered(const struct load_result *r, uint64_t n)
{
	uint64_t sum = 0;

	cr_assert_eq(r->due, n, "due %llu of %llu", (unsigned long long)r->due, (unsigned long long)n);
	cr_assert_eq(r->answered, n, "answered %llu of %llu (failed %llu, timed out %llu, skipped %llu)",
		     (unsigned long long)r->answered, (unsigned long long)n, (unsigned long long)r->failed,
		     (unsigned long long)r->timed_out, (unsigned long long)r->skipped);
	cr_assert_eq(r->sent, n);
	cr_assert_eq(r->failed, 0);
	for (int i = 0; i < r->npids; i++)
		sum += r->pids[i].replies;
	cr_assert_eq(sum, r->answered, "the pids' replies sum to %llu", (unsigned long long)sum);
	cr_assert_eq(r->npids, 1);
	cr_assert_eq(r->pids[0].pid, getpid());
	cr_assert_eq(r->pids[0].lat_max_ns, r->lat_max_ns);
	cr_assert_leq(r->lat_p50_ns, r->lat_p99_ns);
	cr_assert_leq(r->lat_p99_ns, r->lat_max_ns);
	cr_assert_gt(r->lat_max_ns, 0);
}

/* Wait until the server has no connection open and accepted at least min; fails after WAIT_S. */
static void
wait_server_idle(struct srv *s, int min)
{
	for (int i = 0; i < WAIT_S * 100; i++) {
		if (atomic_load(&s->open) == 0 && atomic_load(&s->accepts) >= min)
			return;
		sleep_ns(10 * 1000000ull);
	}
	cr_assert_fail("server: %d open, %d accepted", atomic_load(&s->open), atomic_load(&s->accepts));
}

Test(load, short_connections_all_answered)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	int fds;

	srv_start(&s, SRV_ECHO);
	fds = open_fds();
	o = opts(s.port, 200, 500);
	run_load(&o, &r);
	assert_all_answered(&r, 100);
	cr_assert_eq(r.timed_out + r.skipped, 0);
	wait_server_idle(&s, 100);
	cr_assert_eq(atomic_load(&s.accepts), 100, "one connection per request");
	cr_assert_eq(open_fds(), fds, "the load left fds open");
	srv_stop(&s);
}

Test(load, keepalive_four_connections_all_answered)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	int fds;

	srv_start(&s, SRV_ECHO);
	fds = open_fds();
	o = opts(s.port, 200, 500);
	o.keepalive = 1;
	o.conns = 4;
	run_load(&o, &r);
	assert_all_answered(&r, 100);
	cr_assert_eq(r.timed_out + r.skipped, 0);
	wait_server_idle(&s, 4);
	cr_assert_eq(open_fds(), fds, "the load left fds open");
	cr_assert_eq(atomic_load(&s.accepts), 4, "keep-alive made %d connections, not 4",
		     atomic_load(&s.accepts));
	srv_stop(&s);
}

Test(load, progress_is_final_once_done)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;
	struct load *l;
	uint64_t due = 0, answered = 0;
	char err[256] = "";

	srv_start(&s, SRV_ECHO);
	o = opts(s.port, 200, 100);
	l = load_start(&o, err, sizeof err);
	cr_assert_not_null(l, "%s", err);
	wait_done(l, &o);
	load_progress(l, &due, &answered);
	load_finish(l, &r);
	cr_assert_eq(due, 20);
	cr_assert_eq(answered, 20);
	cr_assert_eq(r.due, due);
	cr_assert_eq(r.answered, answered);
	srv_stop(&s);
}

Test(load, silent_server_every_request_times_out)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	srv_start(&s, SRV_STALL);
	o = opts(s.port, 200, 500);
	o.timeout_ms = 300;
	run_load(&o, &r);
	cr_assert_eq(r.due, 100);
	cr_assert_eq(r.timed_out, 100, "timed out %llu, failed %llu, answered %llu",
		     (unsigned long long)r.timed_out, (unsigned long long)r.failed,
		     (unsigned long long)r.answered);
	cr_assert_eq(r.sent, 100);
	cr_assert_eq(r.npids, 0);
	cr_assert_eq(r.lat_max_ns, 0);
	wait_server_idle(&s, 100); /* and the load closed every connection */
	srv_stop(&s);
}

Test(load, silent_server_keepalive_every_request_times_out)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	srv_start(&s, SRV_STALL);
	o = opts(s.port, 200, 500);
	o.keepalive = 1;
	o.conns = 4;
	o.timeout_ms = 300;
	run_load(&o, &r);
	cr_assert_eq(r.due, 100);
	cr_assert_eq(r.timed_out, 100, "timed out %llu, failed %llu, answered %llu",
		     (unsigned long long)r.timed_out, (unsigned long long)r.failed,
		     (unsigned long long)r.answered);
	cr_assert_leq(r.sent, 100);
	wait_server_idle(&s, 4);
	srv_stop(&s);
}

/* A load at a port that is bound but never listens: connects are refused, every request fails. */
static void
refused_port_load(int keepalive)
{
	struct load_opts o;
	struct load_result r;
	int port;
	/* Bound, never listening: connects are refused, and no other test can take the port meanwhile. */
	int fd = bound_socket(0, &port), fds = open_fds();

	o = opts(port, 200, 500);
	if (keepalive) {
		o.keepalive = 1;
		o.conns = 4;
	}
	run_load(&o, &r);
	cr_assert_eq(open_fds(), fds, "the load left fds open");
	cr_assert_eq(r.due, 100);
	cr_assert_eq(r.failed, 100, "failed %llu, timed out %llu", (unsigned long long)r.failed,
		     (unsigned long long)r.timed_out);
	cr_assert_eq(r.sent, 0);
	close(fd);
}

Test(load, refused_port_every_request_fails)
{
	refused_port_load(0);
}

Test(load, refused_port_keepalive_every_request_fails)
{
	refused_port_load(1);
}

Test(load, server_closing_at_once_every_request_fails)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	srv_start(&s, SRV_SLAM);
	o = opts(s.port, 200, 500);
	run_load(&o, &r);
	cr_assert_eq(r.due, 100);
	cr_assert_eq(r.failed, 100, "failed %llu, timed out %llu, answered %llu",
		     (unsigned long long)r.failed, (unsigned long long)r.timed_out,
		     (unsigned long long)r.answered);
	srv_stop(&s);
}

Test(load, reply_line_too_long_fails)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	srv_start(&s, SRV_LONG);
	o = opts(s.port, 200, 100);
	run_load(&o, &r);
	cr_assert_eq(r.due, 20);
	cr_assert_eq(r.sent, 20);
	cr_assert_eq(r.failed, 20, "failed %llu, timed out %llu, answered %llu", (unsigned long long)r.failed,
		     (unsigned long long)r.timed_out, (unsigned long long)r.answered);
	srv_stop(&s);
}

Test(load, max_inflight_skips_what_it_cannot_send)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;

	srv_start(&s, SRV_STALL);
	o = opts(s.port, 200, 500);
	o.max_inflight = 2;
	o.timeout_ms = 300;
	run_load(&o, &r);
	cr_assert_eq(r.due, 100);
	cr_assert_eq(r.timed_out + r.skipped, 100);
	cr_assert_gt(r.skipped, 0);
	cr_assert_geq(r.timed_out, 2);
	cr_assert_eq(r.sent, r.timed_out);
	wait_server_idle(&s, 2);
	srv_stop(&s);
}

Test(load, stop_ends_it_early_and_pending_requests_fail)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;
	struct load *l;
	uint64_t due = 0;
	char err[256] = "";

	srv_start(&s, SRV_STALL);
	o = opts(s.port, 100, 60000);
	o.timeout_ms = 60000;
	l = load_start(&o, err, sizeof err);
	cr_assert_not_null(l, "%s", err);
	for (int i = 0; i < WAIT_S * 100 && due < 5; i++) {
		sleep_ns(10 * 1000000ull);
		load_progress(l, &due, NULL);
	}
	cr_assert_geq(due, 5, "requests never came due");
	load_stop(l);
	{
		struct pollfd p = { .fd = load_fd(l), .events = POLLIN };

		cr_assert_eq(poll(&p, 1, WAIT_S * 1000), 1, "load_stop did not end the load");
	}
	cr_assert(load_done(l));
	load_finish(l, &r);
	cr_assert_geq(r.due, 5);
	cr_assert_lt(r.due, 6000);
	cr_assert_eq(r.failed, r.due, "failed %llu of %llu", (unsigned long long)r.failed,
		     (unsigned long long)r.due);
	wait_server_idle(&s, 1);
	srv_stop(&s);
}

Test(load, finish_without_waiting_joins)
{
	struct srv s;
	struct load_opts o;
	struct load_result r;
	char err[256] = "";
	struct load *l;

	srv_start(&s, SRV_ECHO);
	o = opts(s.port, 1000, 50);
	l = load_start(&o, err, sizeof err);
	cr_assert_not_null(l, "%s", err);
	load_finish(l, &r);
	cr_assert_eq(r.due, 50);
	cr_assert_eq(r.answered, 50);
	srv_stop(&s);
}

Test(load, parse_sets_each_key)
{
	struct load_opts o;
	char err[256] = "";

	load_defaults(&o);
	cr_assert_eq(o.rate, 1000);
	cr_assert_eq(o.duration_ms, 3000);
	cr_assert_eq(o.keepalive, 0);
	cr_assert_eq(o.conns, 16);
	cr_assert_eq(o.max_inflight, 1024);
	cr_assert_eq(o.timeout_ms, 5000);
	cr_assert_eq(load_parse(&o, "rate", "250", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_parse(&o, "duration", "3s", err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.duration_ms, 3000);
	cr_assert_eq(load_parse(&o, "duration", "500ms", err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.duration_ms, 500);
	cr_assert_eq(load_parse(&o, "duration", "1500ms", err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.duration_ms, 1500);
	/* A bare number could be seconds or ms: refused, naming both. */
	cr_assert_eq(load_parse(&o, "duration", "5", err, sizeof err), -1, "a bare 5 was taken as a duration");
	cr_assert_str_eq(err, "duration: '5' has no unit: write 5s or 5ms");
	cr_assert_eq(load_parse(&o, "keepalive", "on", err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.keepalive, 1);
	cr_assert_eq(load_parse(&o, "keepalive", "off", err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.keepalive, 0);
	cr_assert_eq(load_parse(&o, "conns", "4", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_parse(&o, "max_inflight", "64", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_parse(&o, "timeout", "2s", err, sizeof err), 0, "%s", err);
	cr_assert_eq(o.rate, 250);
	cr_assert_eq(o.conns, 4);
	cr_assert_eq(o.max_inflight, 64);
	cr_assert_eq(o.timeout_ms, 2000);
}

/* load_parse(key, val) fails, leaves o alone, and err is exactly want. */
static void
assert_parse_error(const char *key, const char *val, const char *want)
{
	struct load_opts o, before;
	char err[256] = "";

	load_defaults(&o);
	before = o;
	cr_assert_eq(load_parse(&o, key, val, err, sizeof err), -1, "%s=%s accepted", key, val);
	cr_assert_str_eq(err, want);
	cr_assert_eq(memcmp(&o, &before, sizeof o), 0, "%s=%s changed the options", key, val);
}

Test(load, parse_errors_name_the_key_and_the_value)
{
	assert_parse_error("rate", "abc", "rate: 'abc' is not a number");
	assert_parse_error("rate", "12x", "rate: '12x' is not a number");
	assert_parse_error("rate", " 5", "rate: ' 5' is not a number");
	assert_parse_error("rate", "0", "rate: '0' is out of range (1 to 1000000)");
	assert_parse_error("rate", "-5", "rate: '-5' is out of range (1 to 1000000)");
	assert_parse_error("rate", "99999999999999999999",
			   "rate: '99999999999999999999' is out of range (1 to 1000000)");
	assert_parse_error("rate", "", "rate: no value");
	assert_parse_error("duration", "3x",
			   "duration: '3x' is not a duration (e.g. 3s or 500ms)");
	assert_parse_error("duration", "1.5s",
			   "duration: '1.5s' is not a duration (e.g. 3s or 500ms)");
	assert_parse_error("duration", "s",
			   "duration: 's' is not a duration (e.g. 3s or 500ms)");
	assert_parse_error("duration", "0ms", "duration: '0ms' is out of range (1 ms to 600 s)");
	assert_parse_error("duration", "601s", "duration: '601s' is out of range (1 ms to 600 s)");
	assert_parse_error("duration", "99999999999999999999999s",
			   "duration: '99999999999999999999999s' is out of range (1 ms to 600 s)");
	assert_parse_error("timeout", "61s", "timeout: '61s' is out of range (1 ms to 60 s)");
	assert_parse_error("keepalive", "yes", "keepalive: 'yes' is not on or off");
	assert_parse_error("conns", "0", "conns: '0' is out of range (1 to 1024)");
	assert_parse_error("conns", "four", "conns: 'four' is not a number");
	assert_parse_error("max_inflight", "100000", "max_inflight: '100000' is out of range (1 to 16384)");
	assert_parse_error("speed", "1",
			   "unknown load option 'speed' (expected rate, duration, keepalive, conns, "
			   "max_inflight or timeout)");
}

Test(load, too_many_requests_are_refused)
{
	struct load_opts o;
	char err[256] = "";

	load_defaults(&o);
	o.port = 9;
	/* Each value alone is fine, in any order; together they are 1,500,000 requests. */
	cr_assert_eq(load_parse(&o, "rate", "500000", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_parse(&o, "duration", "3s", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_check(&o, err, sizeof err), -1);
	cr_assert_str_eq(err, "load: rate 500000/s for 3000 ms is 1500000 requests, more than 1000000 "
			      "(lower the rate or the duration)");
	cr_assert_null(load_start(&o, err, sizeof err));
	cr_assert(strstr(err, "1500000 requests"), "%s", err);
	/* Exactly the bound is allowed. */
	cr_assert_eq(load_parse(&o, "duration", "2s", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load_check(&o, err, sizeof err), 0, "%s", err);
}

Test(load, start_refuses_bad_options)
{
	struct load_opts o;
	char err[256] = "";

	load_defaults(&o);
	cr_assert_null(load_start(&o, err, sizeof err), "port 0 accepted");
	cr_assert_str_eq(err, "load: port 0 is out of range (1 to 65535)");
	o.port = 9;
	o.conns = 0;
	cr_assert_null(load_start(&o, err, sizeof err));
	cr_assert_str_eq(err, "load: conns 0 is out of range (1 to 1024)");
}
