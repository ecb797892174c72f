/*
 * test_hostile.c - hostile clients against the real echo workers on
 * loopback, while a headless run waits at `pause`: partial, long, binary,
 * slow and bunched lines, half-close, reset, a client that never reads,
 * 1000 connections at once, and more than RLIMIT_NOFILE allows.  Every
 * worker must survive, reply where the protocol defines a reply, get its
 * fd count back once the clients are gone, and lose no trace record.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "hrun.h"

static void
put(int s, const void *buf, size_t n)
{
	cr_assert_eq(send(s, buf, n, MSG_NOSIGNAL), (ssize_t)n, "send: %s", strerror(errno));
}

/* Read until n bytes or EOF (bounded by SO_RCVTIMEO).  Returns bytes read. */
static size_t
get(int s, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = recv(s, buf + got, n - got, 0);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	return got;
}

/* Read one reply line; returns its payload after "pid = N | " (static buffer) or NULL. */
static const char *
reply(int s, size_t *len)
{
	static char line[16384];
	size_t n = 0;
	char c;

	while (n < sizeof line - 1 && recv(s, &c, 1, 0) == 1 && c != '\n')
		line[n++] = c;
	line[n] = '\0';
	if (strncmp(line, "pid = ", 6) != 0)
		return NULL;
	const char *bar = strstr(line, " | ");
	if (bar == NULL)
		return NULL;
	*len = n - (size_t)(bar + 3 - line);
	return bar + 3;
}

static int
nfds(long long pid)
{
	char path[64];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%lld/fd", pid);
	d = opendir(path);
	cr_assert_not_null(d, "pid %lld is gone", pid);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
not_exited_zero(const json_t *rec, void *arg)
{
	(void)arg;
	return strcmp(jstr(rec, "how"), "exited") != 0 || jint(rec, "code") != 0;
}

Test(hostile, malformed_clients_never_hurt_a_worker, .timeout = 120)
{
	struct hlive l;
	int port, s, s2, before[2], after[2];
	long long w[2];
	char buf[65536];
	const char *p;
	size_t len;

	hlive_start(&l, "echo-drain", "pause; settle; pause");
	port = hlive_port(&l);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0);
	w[0] = hlive_pid(&l, "echo-server", 0);
	w[1] = hlive_pid(&l, "echo-worker", 0);
	for (int i = 0; i < 2; i++)
		before[i] = nfds(w[i]);

	/* A line in two pieces is answered once, whole. */
	s = hdial(port);
	put(s, "abc", 3);
	put(s, "def\n", 4);
	p = reply(s, &len);
	cr_assert(p && len == 6 && memcmp(p, "abcdef", 6) == 0, "partial line: '%s'", p ? p : "(none)");
	close(s);

	/* No newline at all, then EOF: flushed as a reply at EOF (documented). */
	s = hdial(port);
	put(s, "xyz", 3);
	shutdown(s, SHUT_WR);
	p = reply(s, &len);
	cr_assert(p && len == 3 && memcmp(p, "xyz", 3) == 0, "partial line at EOF: '%s'", p ? p : "(none)");
	cr_assert_eq(get(s, buf, 1), 0, "the worker must close after EOF");
	close(s);

	/* A line longer than the 4096-byte line buffer is answered in 4096-byte pieces. */
	s = hdial(port);
	memset(buf, 'L', 10000);
	buf[10000] = '\n';
	put(s, buf, 10001);
	size_t total = 0;
	for (int i = 0; i < 3; i++) {
		p = reply(s, &len);
		cr_assert_not_null(p, "long line: piece %d missing", i);
		cr_assert_leq(len, 4096);
		total += len;
	}
	cr_assert_eq(total, 10000, "every byte of the long line comes back");
	close(s);

	/* NUL and non-UTF-8 bytes are data. */
	s = hdial(port);
	put(s, "a\0b\xff\xfe\n", 6);
	p = reply(s, &len);
	cr_assert(p && len == 5 && memcmp(p, "a\0b\xff\xfe", 5) == 0, "binary bytes changed");
	close(s);

	/* One byte at a time, with pauses: the slowness is the behaviour under test. */
	s = hdial(port);
	for (const char *c = "slow\n"; *c; c++) {
		struct timespec ts = { 0, 5 * 1000000 };

		put(s, c, 1);
		nanosleep(&ts, NULL);
	}
	p = reply(s, &len);
	cr_assert(p && len == 4 && memcmp(p, "slow", 4) == 0);
	close(s);

	/* Many lines in one packet: one reply each, in order. */
	s = hdial(port);
	len = 0;
	for (int i = 1; i <= 50; i++)
		len += (size_t)snprintf(buf + len, sizeof buf - len, "%d\n", i);
	put(s, buf, len);
	for (int i = 1; i <= 50; i++) {
		char want[16];
		size_t wl = (size_t)snprintf(want, sizeof want, "%d", i);

		p = reply(s, &len);
		cr_assert(p && len == wl && memcmp(p, want, wl) == 0, "line %d of the packet", i);
	}
	close(s);

	/* Half-close before reading: the replies still come, then EOF. */
	s = hdial(port);
	put(s, "hc1\nhc2\n", 8);
	shutdown(s, SHUT_WR);
	cr_assert_not_null(reply(s, &len));
	cr_assert_not_null(reply(s, &len));
	cr_assert_eq(get(s, buf, 1), 0);
	close(s);

	/* Reset: SO_LINGER 0 then close sends RST. */
	s = hdial(port);
	struct linger lg = { 1, 0 };
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	put(s, "rst\n", 4);
	close(s);

	/* A client that never reads while the worker writes: the worker must not block. */
	s = hdial(port);
	fcntl(s, F_SETFL, O_NONBLOCK);
	memset(buf, 'R', sizeof buf);
	for (size_t k = 1023; k < sizeof buf; k += 1024)
		buf[k] = '\n';
	size_t pushed = 0;
	for (int i = 0; i < 4096; i++) { /* bounded: at most 256 MiB offered */
		ssize_t k = send(s, buf, sizeof buf, MSG_NOSIGNAL);

		if (k <= 0)
			break;
		pushed += (size_t)k;
	}
	cr_assert_gt(pushed, 0);
	s2 = hdial(port);
	put(s2, "still there?\n", 13);
	p = reply(s2, &len);
	cr_assert(p && len == 12, "a second client was not served while the first never read");
	close(s2);
	close(s);

	/* Once the clients are gone, every worker has the fds it had before. */
	hlive_resume(&l);
	cr_assert_geq(hlive_wait(&l, "settled", NULL, NULL, 30), 0);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0);
	for (int i = 0; i < 2; i++) {
		after[i] = nfds(w[i]);
		cr_assert_eq(after[i], before[i], "pid %lld had %d fds, now %d", w[i], before[i], after[i]);
	}
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(l.h.status, 0, "%s", l.h.out);
	cr_assert_eq(jint(l.h.summary, "lost_records"), 0);
	cr_assert(jtrue(l.h.summary, "clean"));
	cr_assert_eq(hcount(&l.h, 0, "reap", not_exited_zero, NULL), 0, "a process died");
	hrun_free(&l.h);
}

Test(hostile, thousand_concurrent_connections, .timeout = 120)
{
	enum { N = 1000 };
	char path[256];
	struct hlive l;
	struct rlimit rl;
	static struct pollfd pf[N];
	static char got[N];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int port, answered = 0;
	long long w[2];
	int before[2];
	struct timespec t0, t1;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < N + 200)
		cr_skip_test("RLIMIT_NOFILE hard limit %llu is below %d", (unsigned long long)rl.rlim_max, N + 200);
	if (rl.rlim_cur < N + 200) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	hscenario(path, sizeof path, "thousand",
		  "title = 1000\n[echo]\naccept_loop = drain\nbacklog = 1024\n");
	hlive_start(&l, path, "pause; settle; pause");
	port = hlive_port(&l);
	sa.sin_port = htons((uint16_t)port);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0);
	w[0] = hlive_pid(&l, "echo-server", 0);
	w[1] = hlive_pid(&l, "echo-worker", 0);
	for (int i = 0; i < 2; i++)
		before[i] = nfds(w[i]);
	for (int i = 0; i < N; i++) {
		pf[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		cr_assert_geq(pf[i].fd, 0, "socket %d: %s", i, strerror(errno));
		if (connect(pf[i].fd, (struct sockaddr *)&sa, sizeof sa) < 0)
			cr_assert_eq(errno, EINPROGRESS);
		pf[i].events = POLLOUT;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (answered < N) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_assert_lt(t1.tv_sec - t0.tv_sec, 60, "only %d of %d answered", answered, N);
		poll(pf, N, 200);
		for (int i = 0; i < N; i++) {
			char line[64], rbuf[128];
			int n;

			if (!pf[i].revents || got[i])
				continue;
			if (pf[i].events == POLLOUT) {
				n = snprintf(line, sizeof line, "client %d\n", i);
				cr_assert_eq(send(pf[i].fd, line, (size_t)n, MSG_NOSIGNAL), n);
				pf[i].events = POLLIN;
				continue;
			}
			ssize_t k = recv(pf[i].fd, rbuf, sizeof rbuf - 1, 0);
			if (k > 0) {
				rbuf[k] = '\0';
				snprintf(line, sizeof line, "| client %d\n", i);
				cr_assert(strstr(rbuf, line) != NULL, "client %d got '%s'", i, rbuf);
				got[i] = 1;
				pf[i].events = 0;
				answered++;
			}
		}
	}
	for (int i = 0; i < N; i++)
		close(pf[i].fd);
	hlive_resume(&l);
	cr_assert_geq(hlive_wait(&l, "settled", NULL, NULL, 60), 0);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(nfds(w[i]), before[i], "pid %lld kept fds after 1000 clients left", w[i]);
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(l.h.status, 0, "%s", l.h.out);
	cr_assert_eq(jint(l.h.summary, "lost_records"), 0);
	long long acc = 0;
	json_t *procs = json_object_get(l.h.summary, "processes"), *p;
	size_t i;
	json_array_foreach(procs, i, p)
		acc += jint(p, "accepts");
	cr_assert_eq(acc, N, "the workers accepted %lld connections", acc);
	hrun_free(&l.h);
}

static int
emfile(const json_t *rec, void *arg)
{
	(void)arg;
	return strcmp(jstr(rec, "errno"), "EMFILE") == 0;
}

Test(hostile, emfile_is_reported_and_the_worker_keeps_serving, .timeout = 120)
{
	enum { N = 60 };
	char path[256];
	struct hlive l;
	int port, s[N], accepted = 0, replies = 0;
	size_t len;

	hscenario(path, sizeof path, "emfile",
		  "title = emfile\n[echo]\naccept_loop = drain\nworkers = 1\nfd_limit = 24\nbacklog = 128\n");
	hlive_start(&l, path, "pause; settle; pause");
	port = hlive_port(&l);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0);
	for (int i = 0; i < N; i++)
		s[i] = hdial(port);
	hlive_resume(&l);
	cr_assert_geq(hlive_wait(&l, "settled", NULL, NULL, 30), 0);
	cr_assert_geq(hlive_wait(&l, "action", "action", "pause", 20), 0);
	cr_assert_geq(hcount(&l.h, 0, "accept", emfile, NULL), 1, "no accept failed with EMFILE");
	for (size_t i = 0; i < l.h.n; i++)
		if (jis(l.h.recs[i], "accept") && jint(l.h.recs[i], "ret") >= 0)
			accepted++;
	cr_assert_gt(accepted, 0);
	cr_assert_lt(accepted, N);
	/* It says so on its terminal, too (settle has read the pty dry; a line may span two records). */
	cr_assert_geq(htty_says(&l.h, "Too many open files"), 1, "the worker did not report EMFILE on its terminal");
	/* The connections it has are still served: the first `accepted` ones, in accept order. */
	for (int i = 0; i < accepted; i++) {
		put(s[i], "ok?\n", 4);
		if (reply(s[i], &len))
			replies++;
	}
	cr_assert_eq(replies, accepted, "only %d of %d accepted connections were answered", replies, accepted);
	for (int i = 0; i < N; i++)
		close(s[i]);
	hlive_resume(&l);
	hlive_finish(&l);
	cr_assert_eq(jint(l.h.summary, "lost_records"), 0);
	cr_assert_eq(hcount(&l.h, 0, "reap", not_exited_zero, NULL), 0, "the worker died");
	hrun_free(&l.h);
}
