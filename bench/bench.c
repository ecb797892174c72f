/*
 * bench.c - `make bench`: puts numbers on the cost of watching.
 *
 *  1. Cost of tracing: echo throughput of the same worker binary, 2 workers,
 *     (a) tracing off, (b) tracing on with the records consumed by the
 *     headless front end (or thrown away, or as JSON), (c) tracing off
 *     under strace -f and under perf trace (where it works); two loads:
 *     short connections per second, and round trips per second over 50
 *     persistent connections.  Repeated; min / median / max; the server on
 *     one CPU and the load on another (--no-pin: wherever they fall).
 *     `--only echo` runs this part alone.
 * 1b. The same question on a real server: Debian's nginx (master and 2
 *     workers) alone, under `epollviz --headless run`, under strace -f and
 *     under perf trace;
 *     new HTTP/1.0 connections per second, and keep-alive requests per
 *     second over 50 connections.  Skipped, saying so, without nginx;
 *     `--only nginx` runs this part alone.
 *  2. Front-end capacity: records per second the front end applies (a
 *     synthetic recording of a million records, replayed headless at full
 *     speed), and its peak RSS after them.
 *  3. Idle CPU of the front end with a scenario running.
 *
 * Loopback only; every load is bounded in time; every server is stopped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../src/recorder.h"
#include "../src/replay.h"
#include "../src/scenario.h"
#include "../src/trace.h"
#include "../src/trace_rec.h"
#include "../src/util.h"
#include "../tests/tui_helpers.h"

static const char *bin = "./epollviz";
static double seconds = 3.0;
static int reps = 5;
/*
 * The echo rows: cycles of a slice per mode, ECHO_CYCLES of them, and more,
 * up to ECHO_CYCLES_MAX, while the median of a traced mode's ratios to
 * tracing off (rate or CPU) is not yet known to within MEDIAN_CI_WIDE either
 * way: its 95 % interval (median_ci) is wider than 2 * MEDIAN_CI_WIDE.
 */
#define ECHO_CYCLES 12
#define ECHO_CYCLES_MAX 32
#define MEDIAN_CI_WIDE 0.02
static double slice = 0.5; /* seconds of load per mode and cycle (--slice) */
static int echo_rounds[2]; /* the rounds each echo load took */

enum mode { M_OFF = 0, M_DEVNULL, M_TRACED, M_JSON, M_STRACE, M_PERF, M__COUNT };
static const char *const mode_names[] = { "tracing off", "tracing on, records to /dev/null (workers' cost only)",
					  "tracing on, headless reader", "tracing on, headless --json to a pipe",
					  "strace -f -o /dev/null", "perf trace -o /dev/null" };

/* Whether `perf trace` works here (it needs perf and the right to trace): its rows are skipped otherwise. */
static int have_perf_trace;

/* The tracers a row runs a server under: the words before the server's own command. */
static const char *const strace_words[] = { "strace", "-f", "-qq", "-o", "/dev/null", NULL };
static const char *const perf_words[] = { "perf", "trace", "-o", "/dev/null", "--", NULL };

/* Exec cmd (NULL-terminated) after the words of under (NULL: none), looked for on PATH; returns only on failure. */
static void
exec_under(const char *const *under, const char *const *cmd)
{
	const char *argv[64];
	int n = 0;

	for (; under && *under && n < 32; under++)
		argv[n++] = *under;
	for (; *cmd && n < 63; cmd++)
		argv[n++] = *cmd;
	argv[n] = NULL;
	execvp(argv[0], (char *const *)argv);
}

/* Try `perf trace -o /dev/null -- true`; 1 if it ran and exited 0. */
static int
perf_trace_works(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 0;
	if (pid == 0) {
		int dn = open("/dev/null", O_RDWR);

		dup2(dn, 1);
		dup2(dn, 2);
		exec_under(perf_words, (const char *const[]){ "true", NULL });
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

struct server {
	pid_t pid;
	int out;    /* stdout of the server, drained by a thread */
	int in;     /* stdin of a headless run */
	int pty;    /* the terminal a bare server prints to, or -1 */
	int port;
	pthread_t drain;
};

static char bench_dir[64];
static int scn_made; /* bench-0.scn .. bench-(scn_made-1).scn were written in bench_dir */

/*
 * At exit, whichever way the bench ends: the scenario files, the synthetic
 * recording and the stats file, then the directory.  A failed nginx run
 * leaves its own files there for a look (the message names them), and
 * with them the directory.
 */
static void
bench_dir_remove(void)
{
	static const char *const files[] = { "synthetic.rec", "tui-stats" };
	char path[160];

	if (bench_dir[0] == '\0')
		return;
	for (int i = 0; i < scn_made; i++) {
		snprintf(path, sizeof path, "%s/bench-%d.scn", bench_dir, i);
		unlink(path);
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", bench_dir, files[i]);
		unlink(path);
	}
	rmdir(bench_dir);
}

/*
 * Where the server (every process of its tree) and the load generator run:
 * one CPU each when the bench may use two, so that whatever tracing costs,
 * front end included, falls on the server's CPU, and the scheduler cannot
 * move the figure by sharing the cores differently from one run to the
 * next.  -1: not pinned (one CPU, or --no-pin).
 */
static int cpu_server = -1, cpu_load = -1, pinning;
static cpu_set_t cpus_all;

/* Choose the two CPUs from the ones this process may use; 0, or -1 with fewer than two. */
static int
pin_choose(void)
{
	int first = -1;

	if (sched_getaffinity(0, sizeof cpus_all, &cpus_all) < 0)
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &cpus_all))
			continue;
		if (first < 0) {
			first = c;
			continue;
		}
		cpu_server = first;
		cpu_load = c;
		pinning = 1;
		return 0;
	}
	return -1;
}

/* Run the calling thread (and what it forks) on cpu alone; nothing when cpu is -1. */
static void
pin_to(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || !pinning)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

/* Give this process back every CPU it started with; servers started later are not pinned. */
static void
pin_undo(void)
{
	if (pinning)
		sched_setaffinity(0, sizeof cpus_all, &cpus_all);
	pinning = 0;
}

/* The sentence saying where the server and the load ran, for a table of rates. */
static void
md_pinned(struct strbuf *md)
{
	if (cpu_server >= 0)
		sb_printf(md, "\nThe server's processes (front end, session and workers; a tracer and what it traces; the bare server) run on "
			      "CPU %d alone and the load generator on CPU %d: whatever tracing costs falls on the "
			      "server's CPU, and the scheduler cannot move the figure by sharing two cores differently "
			      "from one run to the next (`--no-pin` to let it).\n", cpu_server, cpu_load);
}

/*
 * Discard what the server prints; a front end that cannot write would stall
 * the workers.  A bare server's terminal is read the way the front end
 * reads its pty (wait for data, give it 4 ms to gather, drain: PTY_GULP_NS
 * of src/run.c), so that every mode's workers meet a terminal read alike; a
 * headless run's JSON is read as fast as it comes, as a pipe into a tool
 * would be.  Neither reader counts in a mode's CPU: the front end's own
 * reading of the workers' terminal does, in the traced modes.
 */
static void *
drain_thread(void *arg)
{
	struct server *s = arg;
	char buf[65536];

	for (;;) {
		struct pollfd pf = { s->out, POLLIN, 0 };
		ssize_t k;

		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			return NULL;
		if (s->pty >= 0)
			sleep_ns(4 * 1000000);
		do
			k = read(s->out, buf, sizeof buf);
		while (k == (ssize_t)sizeof buf);
		if (k <= 0)
			return NULL;
	}
}

/* A blocking loopback connection to port (TCP_NODELAY), or -1. */
static int
dial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (s < 0)
		return -1;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* A free loopback port: bind port 0, read it back, release it for the server. */
static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	getsockname(s, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	close(s);
	return port;
}

/* Wait (bounded: 5 s) until something accepts connections on 127.0.0.1:port. */
static int
wait_listening(int port)
{
	for (int i = 0; i < 500; i++) {
		int s = dial(port);

		if (s >= 0) {
			close(s);
			return 0;
		}
		sleep_ns(10 * 1000000);
	}
	return -1;
}

/* Start the echo server in mode (k names its semaphore and scenario); 0 once it listens. */
static int
server_start(struct server *s, int mode, int k)
{
	int po[2], pi[2];
	char sem[64], portarg[32], scn[128];
	FILE *f;

	memset(s, 0, sizeof *s);
	snprintf(sem, sizeof sem, "--sem=/epollviz-bench.%d.%d", (int)getpid(), k);
	s->port = free_port();
	snprintf(portarg, sizeof portarg, "port=%d", s->port);
	snprintf(scn, sizeof scn, "%s/bench-%d.scn", bench_dir, k);
	scn_made = k + 1 > scn_made ? k + 1 : scn_made;
	f = fopen(scn, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "title = bench\n[echo]\naccept = semaphore\naccept_loop = drain\nworkers = 2\n"
		   "backlog = 1024\nport = %d\n", s->port);
	fclose(f);
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pi, O_CLOEXEC) < 0)
		return -1;
	/*
	 * A server run without the front end prints to a pty as well, drained
	 * here, so that every mode's workers write their lines to a terminal:
	 * the modes then differ by the tracing alone.
	 */
	s->pty = -1;
	if (mode != M_TRACED && mode != M_JSON) {
		s->pty = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (s->pty < 0 || grantpt(s->pty) < 0 || unlockpt(s->pty) < 0)
			return -1;
	}
	s->pid = fork();
	if (s->pid == 0) {
		int out = po[1];

		pin_to(cpu_server);

		if (s->pty >= 0) {
			out = open(ptsname(s->pty), O_RDWR | O_NOCTTY);
			if (out < 0)
				_exit(127);
		}
		dup2(out, 1);
		dup2(out, 2);
		dup2(pi[0], 0);
		/* The bare server (its last word the trace fd for M_DEVNULL only), or the scenario that runs it. */
		const char *server[] = { bin, "--role", "echo-server", sem, "accept=semaphore", "accept_loop=drain",
					 "trigger=edge", "workers=2", portarg, "backlog=1024",
					 mode == M_DEVNULL ? "--trace-fd=7" : NULL, NULL };
		const char *headless[] = { bin, "--headless", scn, "--script", "pause",
					   mode == M_JSON ? "--json" : "--quiet", NULL };

		if (mode == M_DEVNULL)
			dup2(open("/dev/null", O_WRONLY), 7);
		exec_under(mode == M_STRACE ? strace_words : mode == M_PERF ? perf_words : NULL,
			   mode == M_TRACED || mode == M_JSON ? headless : server);
		_exit(127);
	}
	close(po[1]);
	close(pi[0]);
	s->out = po[0];
	s->in = pi[1];
	if (s->pty >= 0) {
		close(po[0]);
		s->out = s->pty; /* drain the terminal instead of the pipe */
	}
	pthread_create(&s->drain, NULL, drain_thread, s);
	return wait_listening(s->port);
}

/* Stop the echo server as its mode allows, reap it and its drain thread. */
static void
server_stop(struct server *s, int mode)
{
	int st;

	if (mode == M_TRACED || mode == M_JSON) {
		/* the script's pause ends on a line: the run then ends cleanly */
		if (write(s->in, "\n", 1) != 1)
			kill(s->pid, SIGTERM);
	} else if (mode == M_STRACE || mode == M_PERF) {
		/* SIGTERM to the server under strace or perf trace; the tracer exits with it. */
		char path[64], buf[64];
		FILE *f;
		int child = 0;

		snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)s->pid, (int)s->pid);
		f = fopen(path, "r");
		if (f && fgets(buf, sizeof buf, f))
			child = atoi(buf);
		if (f)
			fclose(f);
		kill(child > 0 ? child : s->pid, SIGTERM);
	} else {
		kill(s->pid, SIGTERM);
	}
	close(s->in);
	waitpid(s->pid, &st, 0);
	pthread_join(s->drain, NULL);
	close(s->out);
}

struct shortload {
	int port;
	uint64_t until;
	long done;
};

/*
 * A connection from 127.0.0.N (N from 2 to 251, in turn): a client that
 * closes first keeps its side in TIME_WAIT for a minute, and tens of
 * thousands of connections a second from one source address run out of
 * ephemeral ports.  Spreading them over loopback addresses keeps the load
 * the same from the first second to the last.
 */
static int
dial_from(int port, unsigned n)
{
	struct sockaddr_in src = { .sin_family = AF_INET }, sa = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (s < 0)
		return -1;
	src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + n % 250);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&src, sizeof src) < 0 ||
	    connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(s);
		return -1;
	}
	return s;
}

/* One client loop: connect, one line, the reply, close; until the deadline. */
static void *
short_client(void *arg)
{
	struct shortload *L = arg;
	char buf[256];
	unsigned n = 0;

	while (now_ns() < L->until) {
		int s = dial_from(L->port, n++);
		ssize_t k, got = 0;

		if (s < 0)
			continue;
		if (send(s, "bench line\n", 11, MSG_NOSIGNAL) == 11) {
			while ((k = recv(s, buf + got, sizeof buf - (size_t)got, 0)) > 0) {
				got += k;
				if (memchr(buf, '\n', (size_t)got))
					break;
			}
			if (got > 0 && memchr(buf, '\n', (size_t)got))
				L->done++;
		}
		close(s);
	}
	return NULL;
}

/* Short connections over secs, 2 threads running client (short_client, or http_short_client): how many, and the seconds they took in *elapsed. */
static long
load_short_for(int port, void *(*client)(void *), double secs, double *elapsed)
{
	enum { THREADS = 2 };
	struct shortload L[THREADS];
	pthread_t t[THREADS];
	uint64_t t0 = now_ns(), until = t0 + (uint64_t)(secs * 1e9);
	long total = 0;

	for (int i = 0; i < THREADS; i++) {
		L[i] = (struct shortload){ port, until, 0 };
		pthread_create(&t[i], NULL, client, &L[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += L[i].done;
	}
	*elapsed = (double)(now_ns() - t0) / 1e9;
	return total;
}

/* Short connections per second for the run's --seconds. */
static double
load_short(int port, void *(*client)(void *))
{
	double elapsed;
	long n = load_short_for(port, client, seconds, &elapsed);

	return (double)n / elapsed;
}

/*
 * 50 persistent connections to one server, kept open from one slice of
 * load to the next; each has at most one line out (owed) at a time.
 */
enum { PCONNS = 50 };
struct pconns {
	int fds[PCONNS]; /* -1 once the server closed it */
	char owed[PCONNS];
	int ep;
};

/* Dial the 50 connections; 0, or -1 (none left open). */
static int
pconns_open(struct pconns *c, int port)
{
	memset(c->owed, 0, sizeof c->owed);
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < PCONNS; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		c->fds[i] = dial(port);
		if (c->fds[i] < 0 || epoll_ctl(c->ep, EPOLL_CTL_ADD, c->fds[i], &ev) < 0) {
			for (int j = 0; j <= i; j++)
				if (c->fds[j] >= 0)
					close(c->fds[j]);
			close(c->ep);
			return -1;
		}
	}
	return 0;
}

static void
pconns_close(struct pconns *c)
{
	for (int i = 0; i < PCONNS; i++)
		if (c->fds[i] >= 0)
			close(c->fds[i]);
	close(c->ep);
}

/* A line on connection i, now owed a reply; 0, or -1 when it cannot be sent. */
static int
pconns_send(struct pconns *c, int i)
{
	if (c->fds[i] < 0 || send(c->fds[i], "bench line\n", 11, MSG_NOSIGNAL) != 11)
		return -1;
	c->owed[i] = 1;
	return 0;
}

/*
 * A line on every connection, the reply, the next line, for secs; then no
 * new line, and every reply still owed is waited for (up to 5 s), so that
 * the next slice starts from a quiet server.  A connection the server
 * closes is dropped, its line no longer owed.  Round trips done, and the
 * seconds they took in *elapsed.
 */
static long
pconns_run(struct pconns *c, double secs, double *elapsed)
{
	uint64_t t0 = now_ns(), until = t0 + (uint64_t)(secs * 1e9), give_up = until + 5000000000ull;
	long trips = 0;
	int owed = 0;

	for (int i = 0; i < PCONNS; i++) {
		if (!c->owed[i])
			pconns_send(c, i);
		owed += c->owed[i];
	}
	while (owed > 0 && now_ns() < give_up) {
		struct epoll_event evs[PCONNS];
		int n = epoll_wait(c->ep, evs, PCONNS, 100);
		uint64_t now = now_ns();

		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u32;
			char buf[4096];
			ssize_t r = recv(c->fds[i], buf, sizeof buf, 0);

			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (r <= 0) {
				fprintf(stderr, "bench: the server closed a persistent connection\n");
				epoll_ctl(c->ep, EPOLL_CTL_DEL, c->fds[i], NULL);
				close(c->fds[i]);
				c->fds[i] = -1;
				owed -= c->owed[i];
				c->owed[i] = 0;
				continue;
			}
			for (ssize_t j = 0; j < r; j++) {
				if (buf[j] != '\n' || !c->owed[i])
					continue;
				trips++;
				owed--;
				c->owed[i] = 0;
				if (now < until && pconns_send(c, i) == 0)
					owed++;
			}
		}
	}
	if (owed > 0)
		fprintf(stderr, "bench: %d replies still owed 5 s after a slice\n", owed);
	*elapsed = (double)(now_ns() - t0) / 1e9;
	return trips;
}

/* 50 persistent connections for the run's --seconds: round trips per second, or -1. */
static double
load_persistent(int port)
{
	struct pconns c;
	double elapsed;
	long trips;

	if (pconns_open(&c, port) < 0)
		return -1;
	trips = pconns_run(&c, seconds, &elapsed);
	pconns_close(&c);
	return (double)trips / elapsed;
}

/*
 * 1b. A real server: Debian's nginx, master and 2 workers answering
 * `return 200 "ok\n"`, (a) alone, (b) under `epollviz --headless run
 * --quiet` (the preload tracer in every process, the headless reader
 * consuming the records), (c) under strace -f.  Everything it writes (its
 * configuration, error log, pid file and temporary directories) is under
 * the bench's own temporary directory; it listens on a free loopback port.
 */
enum ngx_mode { NG_PLAIN = 0, NG_EPOLLVIZ, NG_STRACE, NG_PERF, NG__COUNT };
static const char *const ngx_mode_names[] = { "nginx alone", "under epollviz run, headless reader",
					      "under strace -f -o /dev/null", "under perf trace -o /dev/null" };
static const char *const ngx_temp_dirs[] = { "body", "proxy", "fastcgi", "uwsgi", "scgi" };

#define NGX_MAX_PIDS 8 /* the master, its workers, and room to spare */

struct ngx_server {
	struct server s;
	char dir[96];
	char conf[128];
	char errlog[128];
	pid_t pids[NGX_MAX_PIDS]; /* nginx's own processes, seen while it ran */
	int npids;
};

/* The nginx to measure: Debian's path first, then PATH; NULL when there is none. */
static const char *
ngx_find(void)
{
	static const char *const cand[] = { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" };
	static char found[256];
	const char *path = getenv("PATH");

	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (access(cand[i], X_OK) == 0)
			return cand[i];
	while (path && *path) {
		size_t n = strcspn(path, ":");

		snprintf(found, sizeof found, "%.*s/nginx", (int)n, path);
		if (n > 0 && access(found, X_OK) == 0)
			return found;
		path += n + (path[n] == ':');
	}
	return NULL;
}

/* nginx's version line ("nginx/1.22.1"), or "nginx". */
static void
ngx_version(const char *nginx, char *buf, size_t cap)
{
	char cmd[300], line[128], *p;
	FILE *f;

	snprintf(buf, cap, "nginx");
	snprintf(cmd, sizeof cmd, "'%s' -v 2>&1", nginx);
	f = popen(cmd, "r");
	if (f == NULL)
		return;
	if (fgets(line, sizeof line, f) && (p = strstr(line, "nginx/")) != NULL) {
		p[strcspn(p, " \n")] = '\0';
		snprintf(buf, cap, "%s", p);
	}
	pclose(f);
}

/* Write n->conf: 2 workers on 127.0.0.1:port, every file it writes under n->dir. */
static int
ngx_conf_write(struct ngx_server *n, int port)
{
	const char *d = n->dir;
	FILE *f = fopen(n->conf, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "daemon off;\nmaster_process on;\nworker_processes 2;\n%spid %s/nginx.pid;\n"
		   "error_log %s;\nevents { worker_connections 1024; }\n",
		geteuid() == 0 ? "user root;\n" : "", d, n->errlog);
	fprintf(f, "http {\n\taccess_log off;\n\tkeepalive_requests 1000000;\n"
		   "\tclient_body_temp_path %s/body;\n\tproxy_temp_path %s/proxy;\n"
		   "\tfastcgi_temp_path %s/fastcgi;\n\tuwsgi_temp_path %s/uwsgi;\n\tscgi_temp_path %s/scgi;\n"
		   "\tserver { listen 127.0.0.1:%d; location / { return 200 \"ok\\n\"; } }\n}\n",
		d, d, d, d, d, port);
	return fclose(f) == 0 ? 0 : -1;
}

/* The command name of pid into buf ("" when it is gone). */
static void
comm_of(pid_t pid, char *buf, size_t cap)
{
	char path[64];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(buf, (int)cap, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/*
 * Note in n->pids the nginx processes under pid: the process itself if it
 * is nginx, and its descendants (through every thread's children: the
 * front end or strace may fork from any of its threads).
 */
static void
ngx_collect(struct ngx_server *n, pid_t pid, int depth)
{
	char path[96], comm[32], buf[512];
	long tids[64];
	int ntids = 0;
	DIR *d;
	struct dirent *e;

	comm_of(pid, comm, sizeof comm);
	if (strcmp(comm, "nginx") == 0 && n->npids < NGX_MAX_PIDS) {
		int seen = 0;

		for (int i = 0; i < n->npids; i++)
			seen |= n->pids[i] == pid;
		if (!seen)
			n->pids[n->npids++] = pid;
	}
	if (depth > 4)
		return;
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL && ntids < 64)
		if (e->d_name[0] != '.')
			tids[ntids++] = atol(e->d_name);
	if (d)
		closedir(d);
	for (int t = 0; t < ntids; t++) {
		FILE *f;

		snprintf(path, sizeof path, "/proc/%d/task/%ld/children", (int)pid, tids[t]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f)) {
			for (char *p = strtok(buf, " \n"); p; p = strtok(NULL, " \n"))
				ngx_collect(n, (pid_t)atoi(p), depth + 1);
		}
		fclose(f);
	}
}

/* nginx's master among n->pids: the one whose parent is not nginx; or -1. */
static pid_t
ngx_master(const struct ngx_server *n)
{
	for (int i = 0; i < n->npids; i++) {
		char path[64], buf[512], *p;
		int ppid = 0, parent_is_nginx = 0;
		FILE *f;

		snprintf(path, sizeof path, "/proc/%d/stat", (int)n->pids[i]);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) != NULL)
			sscanf(p + 2, "%*c %d", &ppid);
		fclose(f);
		for (int j = 0; j < n->npids; j++)
			parent_is_nginx |= n->pids[j] == ppid;
		if (ppid > 0 && !parent_is_nginx)
			return n->pids[i];
	}
	return -1;
}

/* The length of the whole HTTP response at the start of buf (head and Content-Length body), or 0. */
static size_t
http_response_len(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4), *p;
	size_t head, body = 0;

	if (end == NULL)
		return 0;
	head = (size_t)(end - buf) + 4;
	for (p = buf; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		if (end - p > 16 && strncasecmp(p + 1, "Content-Length:", 15) == 0) {
			body = strtoul(p + 16, NULL, 10);
			break;
		}
	return len >= head + body ? head + body : 0;
}

/* Is the response at buf, len bytes long, a 200? */
static int
http_ok(const char *buf, size_t len)
{
	return len >= 12 && memcmp(buf, "HTTP/1.", 7) == 0 && memcmp(buf + 9, "200", 3) == 0;
}

/* One HTTP/1.0 request to port: 1 if a whole 200 came back before the server closed. */
static int
http_get_once(int s)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	char buf[1024];
	size_t got = 0;
	ssize_t k;
	int fits = 1;

	if (send(s, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1))
		return 0;
	while ((k = recv(s, buf + got, sizeof buf - got, 0)) > 0) {
		got += (size_t)k;
		if (got == sizeof buf) /* more than nginx says to this: read on to the end; it does not count */
			fits = 0, got = 0;
	}
	return k == 0 && fits && got > 0 && http_response_len(buf, got) == got && http_ok(buf, got);
}

/* One client loop: connect (from 127.0.0.N), GET /, read to EOF, close; until the deadline. */
static void *
http_short_client(void *arg)
{
	struct shortload *L = arg;
	unsigned n = 0;

	while (now_ns() < L->until) {
		int s = dial_from(L->port, n++);

		if (s < 0)
			continue;
		L->done += http_get_once(s);
		close(s);
	}
	return NULL;
}

/* Dial port, watch the connection in ep as slot i and send it the first keep-alive request. */
static int
http_keepalive_open(int ep, int port, int i)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: b\r\n\r\n";
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
	int s = dial(port);

	if (s < 0)
		return -1;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev) < 0 ||
	    send(s, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
		close(s);
		return -1;
	}
	return s;
}

struct http_conn {
	int fd;
	size_t have;
	char buf[4096];
};

/*
 * Read what came on c: count each whole response, and send the next
 * request after each one.  Returns -1 when the connection is done for
 * (closed, or an answer that does not parse).
 */
static int
http_keepalive_read(struct http_conn *c, long *answers)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: b\r\n\r\n";
	ssize_t r = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);
	size_t len;

	if (r <= 0)
		return r < 0 && errno == EAGAIN ? 0 : -1;
	c->have += (size_t)r;
	while ((len = http_response_len(c->buf, c->have)) > 0) {
		if (!http_ok(c->buf, len))
			return -1;
		(*answers)++;
		memmove(c->buf, c->buf + len, c->have - len);
		c->have -= len;
		if (send(c->fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1))
			return -1;
	}
	return c->have == sizeof c->buf ? -1 : 0;
}

/*
 * 50 persistent HTTP/1.1 connections, one request in flight on each: a
 * request, its whole response, the next; answers per second.  A connection
 * the server closes is dialled again (and said so: nginx is configured to
 * keep them all for the whole run).
 */
static double
load_http_persistent(int port)
{
	enum { N = 50 };
	struct http_conn *c = calloc(N, sizeof *c);
	int ep = epoll_create1(EPOLL_CLOEXEC), redials = 0;
	uint64_t t0 = now_ns(), until = t0 + (uint64_t)(seconds * 1e9);
	long answers = 0;
	double rate = -1;

	if (c == NULL || ep < 0)
		goto fail;
	for (int i = 0; i < N; i++)
		c[i].fd = -1;
	for (int i = 0; i < N; i++)
		if ((c[i].fd = http_keepalive_open(ep, port, i)) < 0)
			goto fail;
	while (now_ns() < until) {
		struct epoll_event evs[N];
		int n = epoll_wait(ep, evs, N, 100);

		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u32;

			if (http_keepalive_read(&c[i], &answers) == 0)
				continue;
			close(c[i].fd); /* leaves the epoll set with it */
			c[i].have = 0;
			redials++;
			if ((c[i].fd = http_keepalive_open(ep, port, i)) < 0)
				goto fail;
		}
	}
	rate = (double)answers / ((double)(now_ns() - t0) / 1e9);
	if (redials)
		fprintf(stderr, "bench: nginx closed %d keep-alive connection%s: dialled again\n", redials,
			redials == 1 ? "" : "s");
fail:
	for (int i = 0; c && i < N; i++)
		if (c[i].fd >= 0)
			close(c[i].fd);
	if (ep >= 0)
		close(ep);
	free(c);
	return rate;
}

/* Wait (bounded: 10 s) until port answers a GET with 200 and nginx's master has its 2 workers. */
static int
ngx_wait_ready(struct ngx_server *n)
{
	for (int i = 0; i < 1000; i++) {
		int s = dial(n->s.port), ok = 0;

		if (s >= 0) {
			ok = http_get_once(s);
			close(s);
		}
		if (ok) {
			n->npids = 0;
			ngx_collect(n, n->s.pid, 0);
			if (n->npids >= 3 && ngx_master(n) > 0)
				return 0;
		}
		sleep_ns(10 * 1000000);
	}
	return -1;
}

/* Start nginx in mode with a fresh configuration on a free port; 0 once it answers. */
static int
ngx_start(struct ngx_server *n, const char *nginx, int mode)
{
	struct server *s = &n->s;
	int po[2], pi[2];

	memset(s, 0, sizeof *s);
	s->pty = -1;
	n->npids = 0;
	s->port = free_port();
	if (s->port < 0 || ngx_conf_write(n, s->port) < 0 || pipe2(po, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(pi, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	s->pid = fork();
	if (s->pid == 0) {
		pin_to(cpu_server);
		dup2(po[1], 1);
		dup2(po[1], 2);
		dup2(pi[0], 0);
		const char *const run_words[] = { bin, "--headless", "run", "--quiet", "--script", "pause", "--", NULL };
		const char *const cmd[] = { nginx, "-p", n->dir, "-c", n->conf, "-e", n->errlog, NULL };

		exec_under(mode == NG_EPOLLVIZ ? run_words : mode == NG_STRACE ? strace_words
							  : mode == NG_PERF	? perf_words : NULL,
			   cmd);
		_exit(127);
	}
	close(po[1]);
	close(pi[0]);
	s->out = po[0];
	s->in = pi[1];
	pthread_create(&s->drain, NULL, drain_thread, s);
	return ngx_wait_ready(n);
}

/* waitpid for pid, bounded: -1 if it has not ended within 15 s. */
static int
wait_bounded(pid_t pid)
{
	int st;

	for (int i = 0; i < 1500; i++) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return 0;
		sleep_ns(10 * 1000000);
	}
	return -1;
}

/*
 * Stop nginx as its mode allows: SIGQUIT to the master (a graceful end);
 * a line on the headless run's stdin (its script's pause ends, and the
 * session ends the program); SIGTERM to the master strace runs.  Then
 * check that none of nginx's processes is left; a stop that did not work
 * is said so and finished with SIGKILL.  Returns the processes left.
 */
static int
ngx_stop(struct ngx_server *n, int mode)
{
	struct server *s = &n->s;
	pid_t master;
	int left = 0;

	ngx_collect(n, s->pid, 0); /* adds to what ngx_wait_ready saw, if it saw them all */
	master = ngx_master(n);
	if (mode == NG_EPOLLVIZ) {
		if (write(s->in, "\n", 1) != 1)
			kill(s->pid, SIGTERM);
	} else {
		kill(master > 0 ? master : s->pid, mode == NG_PLAIN ? SIGQUIT : SIGTERM);
	}
	close(s->in);
	if (wait_bounded(s->pid) < 0) {
		fprintf(stderr, "bench: %s did not end within 15 s: killed\n", ngx_mode_names[mode]);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, NULL, 0);
	}
	for (int i = 0; i < n->npids; i++) {
		char comm[32];

		for (int t = 0; t < 200; t++) { /* a worker reparented away may take a moment to be reaped */
			comm_of(n->pids[i], comm, sizeof comm);
			if (strcmp(comm, "nginx") != 0)
				break;
			sleep_ns(10 * 1000000);
		}
		if (strcmp(comm, "nginx") == 0) {
			fprintf(stderr, "bench: nginx pid %d was left behind by the %s run: killed\n",
				(int)n->pids[i], ngx_mode_names[mode]);
			kill(n->pids[i], SIGKILL);
			left++;
		}
	}
	pthread_join(s->drain, NULL);
	close(s->out);
	return left;
}

/* Remove what nginx and the bench wrote under n->dir, and the directory. */
static void
ngx_cleanup(const struct ngx_server *n)
{
	char path[160];

	unlink(n->conf);
	unlink(n->errlog);
	snprintf(path, sizeof path, "%s/nginx.pid", n->dir);
	unlink(path);
	for (size_t i = 0; i < sizeof ngx_temp_dirs / sizeof ngx_temp_dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", n->dir, ngx_temp_dirs[i]);
		rmdir(path);
	}
	rmdir(n->dir);
}

/*
 * The nginx rows: every mode in turn, reps rounds, on each load; v[load][mode][rep].
 * Returns 0, or -1 (said on stderr) when a mode did not start or left a process.
 */
static int
bench_nginx(const char *nginx, double v[2][NG__COUNT][16])
{
	struct ngx_server n;

	memset(&n, 0, sizeof n);
	snprintf(n.dir, sizeof n.dir, "%s/nginx", bench_dir);
	snprintf(n.conf, sizeof n.conf, "%s/nginx.conf", n.dir);
	snprintf(n.errlog, sizeof n.errlog, "%s/error.log", n.dir);
	if (mkdir(n.dir, 0700) < 0) {
		fprintf(stderr, "bench: %s: %s\n", n.dir, strerror(errno));
		return -1;
	}
	for (int load = 0; load < 2; load++) {
		for (int r = 0; r < reps; r++) {
			for (int mode = 0; mode < NG__COUNT; mode++) {
				if (mode == NG_PERF && !have_perf_trace)
					continue;
				int started = ngx_start(&n, nginx, mode) == 0;

				if (started)
					v[load][mode][r] = load ? load_http_persistent(n.s.port)
								: load_short(n.s.port, http_short_client);
				if (ngx_stop(&n, mode) > 0 || !started) {
					fprintf(stderr, "bench: nginx %s %s (its files: %s)\n", ngx_mode_names[mode],
						started ? "left processes behind" : "did not answer within 10 s",
						n.dir);
					return -1;
				}
				fprintf(stderr, "bench: nginx %-22s %-36s run %d: %.0f/s\n",
					load ? "keep-alive requests" : "connections", ngx_mode_names[mode], r + 1,
					v[load][mode][r]);
			}
		}
	}
	ngx_cleanup(&n);
	return 0;
}

/* qsort's order of doubles. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double min, med, max;
};

/* Sort v (n values) and take its min, median and max. */
static struct stat3
stat3(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return (struct stat3){ v[0], v[n / 2], v[n - 1] };
}

/* The results' title and machine line. */
static void
md_header(struct strbuf *md)
{
	sb_printf(md, "# epollviz benchmark\n\n");
	sb_printf(md, "Machine: %ld cores; loopback only; min / median / max of %g s slices (the echo server) "
		      "and of %d run%s of %g s (nginx).\n\n",
		  sysconf(_SC_NPROCESSORS_ONLN), slice, reps, reps == 1 ? "" : "s", seconds);
}

/* A table row for a mode that could not run here: its load, its name, the reason, then empty cells. */
static void
md_skipped(struct strbuf *md, const char *load, const char *mode, int empty)
{
	sb_printf(md, "| %s | %s | (perf trace does not work here: skipped) |", load, mode);
	while (empty-- > 0)
		sb_printf(md, " |");
	sb_printf(md, "\n");
}

/*
 * The nginx table: rates, the ratio of the medians to nginx alone, and the
 * median (min, max) of each round's own ratio (a round runs the modes back
 * to back, so its ratio is spared the machine's slower drift).  version
 * NULL: nginx was not found.
 */
static void
md_nginx(struct strbuf *md, const char *version, double v[2][NG__COUNT][16])
{
	sb_printf(md, "## nginx under epollviz run (%s, master + 2 workers, `return 200`)\n\n",
		  version ? version : "nginx");
	if (version == NULL) {
		sb_printf(md, "nginx not found: skipped.\n");
		return;
	}
	sb_printf(md, "| load | mode | min | median | max | ratio to nginx alone (medians) "
		      "| ratio in each round: median (min – max) |\n|---|---|---:|---:|---:|---:|---:|\n");
	for (int load = 0; load < 2; load++) {
		double ratio[NG__COUNT][16];
		struct stat3 base, s3, r3;

		for (int mode = 0; mode < NG__COUNT; mode++) /* before stat3 sorts the rounds apart */
			for (int r = 0; r < reps; r++)
				ratio[mode][r] = v[load][mode][r] / v[load][NG_PLAIN][r];
		base = stat3(v[load][NG_PLAIN], reps);
		for (int mode = 0; mode < NG__COUNT; mode++) {
			if (mode == NG_PERF && !have_perf_trace) {
				md_skipped(md, load ? "keep-alive requests/s, 50 connections" : "new connections/s (HTTP/1.0)",
					   ngx_mode_names[mode], 4);
				continue;
			}
			s3 = stat3(v[load][mode], reps);
			r3 = stat3(ratio[mode], reps);
			sb_printf(md, "| %s | %s | %.0f | %.0f | %.0f | %.2f | %.2f (%.2f – %.2f) |\n",
				  load ? "keep-alive requests/s, 50 connections" : "new connections/s (HTTP/1.0)",
				  ngx_mode_names[mode], s3.min, s3.med, s3.max, s3.med / base.med, r3.med, r3.min,
				  r3.max);
		}
	}
	md_pinned(md);
	sb_printf(md, "\nTarget: under epollviz run at least 0.85 of nginx alone on both loads (goal 0.95).\n");
}

/*
 * The 95 % interval of the median of x (n values, sorted here): the order
 * statistics n/2 -+ 1.96 sqrt(n)/2 from the middle (the binomial rule,
 * distribution-free), into *lo and *hi.
 */
static void
median_ci(double *x, int n, double *lo, double *hi)
{
	int k = (int)((n - 1.96 * sqrt(n)) / 2);

	qsort(x, (size_t)n, sizeof *x, cmp_double);
	k = k < 0 ? 0 : k;
	*lo = x[k];
	*hi = x[n - 1 - k];
}

/* Whether the first n cycles leave a traced mode's median ratio to tracing off (rate or CPU) wider than MEDIAN_CI_WIDE. */
static int
median_uncertain(double v[M__COUNT][ECHO_CYCLES_MAX], double cpu[M__COUNT][ECHO_CYCLES_MAX], int n)
{
	static const int traced[] = { M_DEVNULL, M_TRACED, M_JSON };

	for (size_t i = 0; i < sizeof traced / sizeof traced[0] && n > 1; i++) {
		double q[2][ECHO_CYCLES_MAX], lo, hi;

		for (int r = 0; r < n; r++) {
			q[0][r] = v[M_OFF][r] > 0 ? v[traced[i]][r] / v[M_OFF][r] : 0;
			q[1][r] = cpu[M_OFF][r] > 0 ? cpu[traced[i]][r] / cpu[M_OFF][r] : 0;
		}
		for (int w = 0; w < 2; w++) {
			median_ci(q[w], n, &lo, &hi);
			if (hi - lo > 2 * MEDIAN_CI_WIDE)
				return 1;
		}
	}
	return 0;
}

/*
 * The echo table: rates, each round's ratio to tracing off's round, CPU per
 * request and its ratio; v and cpu are [load][mode][rep] (sorted here).
 */
static void
md_echo(struct strbuf *md, double v[2][M__COUNT][ECHO_CYCLES_MAX], double cpu[2][M__COUNT][ECHO_CYCLES_MAX])
{
	sb_printf(md, "## Cost of tracing (echo server, 2 workers, accept = semaphore, drain)\n\n");
	sb_printf(md, "| load | mode | min | median | max | ratio to tracing off, cycle by cycle: median [its 95 %% "
		       "interval] (min – max) | CPU µs per request, median (min – max) | CPU ratio to tracing off, "
		       "cycle by cycle |\n"
		       "|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (int load = 0; load < 2; load++) {
		/* Ratios pair each round with tracing off's round of the same moment, before stat3 sorts them. */
		double ratio[M__COUNT][ECHO_CYCLES_MAX], cratio[M__COUNT][ECHO_CYCLES_MAX];

		int n = echo_rounds[load];

		for (int mode = 0; mode < M__COUNT; mode++)
			for (int r = 0; r < n; r++) {
				ratio[mode][r] = v[load][mode][r] / v[load][M_OFF][r];
				cratio[mode][r] = cpu[load][mode][r] / cpu[load][M_OFF][r];
			}
		for (int mode = 0; mode < M__COUNT; mode++) {
			if (mode == M_PERF && !have_perf_trace) {
				md_skipped(md, load ? "round trips/s, 50 persistent connections" : "short connections/s",
					   mode_names[mode], 5);
				continue;
			}
			struct stat3 s3 = stat3(v[load][mode], n), r3 = stat3(ratio[mode], n);
			struct stat3 c3 = stat3(cpu[load][mode], n), cr3 = stat3(cratio[mode], n);
			double rlo, rhi, clo, chi;

			median_ci(ratio[mode], n, &rlo, &rhi);
			median_ci(cratio[mode], n, &clo, &chi);
			sb_printf(md, "| %s | %s | %.0f | %.0f | %.0f | %.2f [%.2f, %.2f] (%.2f – %.2f) | %.1f (%.1f – %.1f) "
				      "| %.2f [%.2f, %.2f] (%.2f – %.2f) |\n",
				  load ? "round trips/s, 50 persistent connections" : "short connections/s",
				  mode_names[mode], s3.min, s3.med, s3.max, r3.med, rlo, rhi, r3.min, r3.max, c3.med,
				  c3.min, c3.max, cr3.med, clo, chi, cr3.min, cr3.max);
		}
	}
	sb_printf(md, "\nCPU per request is user + system time of the whole traced tree (front end, session and "
		       "workers; strace or perf trace and the server) over the requests served. The front end's "
		       "reading of the workers' terminal counts in it; a bare server's terminal is read by a thread "
		       "of the bench, not counted.\n");
	sb_printf(md, "\nCycles: %d of short connections, %d of round trips (%d, and more, up to %d, while the 95 %% "
		      "interval of a traced mode's median ratio was wider than ±%.2f; the interval is the "
		      "distribution-free one of order statistics). A cycle starts a server of every mode, side by "
		      "side and idle but for their turn, and gives each a %.1f s slice of the load, odd cycles in "
		      "the reverse order; a ratio pairs slices of one cycle, seconds apart, so that the machine's "
		      "change of pace over a minute does not enter it, and the servers are new in every cycle, so "
		      "that one server's luck (one can run 10 %% slower than another for as long as it lives) falls "
		      "on every mode alike. A slice starts once every server has gone quiet, and its CPU is read "
		      "once its own tree has, the reader's last records included.\n",
		  echo_rounds[0], echo_rounds[1], ECHO_CYCLES, ECHO_CYCLES_MAX, MEDIAN_CI_WIDE, slice);
	md_pinned(md);
}

/* A synthetic recording: 2 workers doing echo work.  Returns the records written. */
static long
make_recording(const char *path, long n)
{
	struct scenario sc;
	char err[512];
	struct recorder *rc;
	struct trace_rec r;
	uint64_t seq[2] = { 0, 0 }, ts = 1000000000ull;
	uint32_t pids[2] = { 40001, 40002 };

	memset(&sc, 0, sizeof sc);
	str_copy(sc.name, "bench-synthetic", sizeof sc.name);
	sc.njobs = 1;
	job_defaults(&sc.jobs[0], JOB_ECHO);
	rc = recorder_open(path, &sc, err, sizeof err);
	if (rc == NULL) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	for (int p = 0; p < 2; p++) {
		trace_rec_init(&r, TR_PROC_START);
		r.pid = pids[p];
		r.seq = seq[p]++;
		r.ts_ns = ts++;
		r.op = p ? ROLE_ECHO_WORKER : ROLE_ECHO_PARENT;
		r.pgid = (int)pids[0];
		trace_rec_set_text(&r, p ? "echo-w1" : "echo-w0");
		recorder_write(rc, &r);
		trace_rec_init(&r, TR_EPOLL_CREATE);
		r.pid = pids[p];
		r.seq = seq[p]++;
		r.ts_ns = ts++;
		r.ret = 4;
		recorder_write(rc, &r);
	}
	for (long i = 0; i < n; i++) {
		int p = (int)(i & 1), k = (int)((i >> 1) % 5);

		trace_rec_init(&r, k == 0 ? TR_WAIT_ENTER : k == 1 ? TR_WAIT_RETURN : k == 2 ? TR_RECV
								  : k == 3 ? TR_SEND : TR_RECV);
		r.pid = pids[p];
		r.seq = seq[p]++;
		r.ts_ns = ts += 3000;
		r.epfd = 4;
		r.fd = 5 + (int)(i % 7);
		if (k == 1) {
			r.ret = 1;
			r.npairs = 1;
			r.pairs[0].events = EPOLLIN;
			r.pairs[0].data = (uint64_t)r.fd;
		} else if (k == 4) {
			r.ret = -1;
			r.err = EAGAIN;
		} else {
			r.ret = 24;
		}
		recorder_write(rc, &r);
	}
	/* Both exit, and the front end's verdict closes the run, as in a real recording. */
	for (int p = 0; p < 2; p++) {
		trace_rec_init(&r, TR_PROC_EXIT);
		r.pid = pids[p];
		r.seq = seq[p]++;
		r.ts_ns = ts += 3000;
		recorder_write(rc, &r);
	}
	trace_rec_init(&r, TR_PROC_START);
	r.pid = 40000;
	r.seq = 0;
	r.ts_ns = ts += 3000;
	r.op = ROLE_FRONTEND;
	trace_rec_set_text(&r, "epollviz");
	recorder_write(rc, &r);
	trace_rec_init(&r, TR_RUN_END);
	r.pid = 40000;
	r.seq = 1;
	r.ts_ns = ts += 3000;
	recorder_write(rc, &r);
	if (recorder_close(rc, err, sizeof err) < 0) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
	return n + 8;
}

/* Run argv with stdout to /dev/null; seconds taken and peak RSS (KiB). */
static double
timed(char *const argv[], long *maxrss_kb)
{
	uint64_t t0 = now_ns();
	struct rusage ru;
	int st;
	pid_t p = fork();

	if (p == 0) {
		int dn = open("/dev/null", O_WRONLY);

		dup2(dn, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	wait4(p, &st, 0, &ru);
	*maxrss_kb = ru.ru_maxrss;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "bench: %s exited with status %d\n", argv[0], st);
	return (double)(now_ns() - t0) / 1e9;
}

/*
 * CPU seconds of pid so far, all its threads, those that have ended too:
 * its process CPU clock (ns; the same sum the kernel keeps for
 * /proc/PID/stat, without the 10 ms ticks that over- or under-count a
 * process waking on a timer), or the ticks of /proc/PID/stat without it.
 */
static double
cpu_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	struct timespec ts;
	clockid_t cid;
	FILE *f;

	if (clock_getcpuclockid(pid, &cid) == 0 && clock_gettime(cid, &ts) == 0)
		return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * CPU seconds (user + system) of root and every process below it now: the
 * whole traced tree of a mode (front end, session, workers; or strace and
 * the server).  Read in one pass over /proc, then the descendants closed
 * over the parent links.
 */
static double
tree_cpu(pid_t root)
{
	enum { MAXP = 4096 };
	static pid_t pid[MAXP], ppid[MAXP];
	static char in[MAXP];
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, grew = 1;
	double sum = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < MAXP) {
		char path[300], buf[512], *p;
		FILE *f;
		int pp;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		p = fgets(buf, sizeof buf, f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p == NULL || sscanf(p + 2, "%*c %d", &pp) != 1)
			continue;
		pid[n] = (pid_t)atoi(e->d_name);
		ppid[n] = (pid_t)pp;
		in[n] = pid[n] == root;
		n++;
	}
	closedir(d);
	while (grew) {
		grew = 0;
		for (int i = 0; i < n; i++)
			for (int j = 0; !in[i] && j < n; j++)
				if (in[j] && ppid[i] == pid[j])
					in[i] = 1, grew = 1;
	}
	for (int i = 0; i < n; i++) {
		double c = in[i] ? cpu_of(pid[i]) : 0;

		if (c > 0)
			sum += c;
	}
	return sum;
}

/* VmHWM of pid in KiB, or -1. */
static long
peak_rss_kb(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

struct tui_result {
	double rate;       /* records/s applied and drawn */
	double fps;        /* frames per second while playing */
	long rss_kb;
	long records;
	double idle_cpu;   /* percent */
};

/* Read the TUI's EPOLLVIZ_STATS file. */
static void
read_stats(const char *path, long *records, double *max_fps)
{
	char line[128];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof line, f)) {
		sscanf(line, "records %ld", records);
		sscanf(line, "max_frames_in_1s %lf", max_fps);
	}
	if (f)
		fclose(f);
	unlink(path);
}

/*
 * Replay rec in the TUI in tmux: at full speed (fast = 1: records/s applied
 * and drawn, peak RSS), or at its own pace (redraws per second under a
 * steady stream).  Returns 0 or -1.
 */
static int
tui_replay(const char *rec, int fast, struct tui_result *out)
{
	static struct tui t; /* its screen buffer is large */
	char stats[128], env[192], args[256];
	uint64_t t0, t1;
	long pid;

	snprintf(stats, sizeof stats, "%s/tui-stats", bench_dir);
	snprintf(env, sizeof env, "export EPOLLVIZ_STATS='%s'", stats);
	snprintf(args, sizeof args, "replay '%s'", rec);
	tui_init(&t, "bench");
	str_copy(t.bin, bin, sizeof t.bin);
	if (tui_start(&t, 120, 40, args, env, NULL) != 0 || !tui_wait_re(&t, "byte", 4000)) {
		tui_kill(&t);
		return -1;
	}
	pid = tui_front_pid(&t);
	if (fast)
		tui_keys(&t, "'>'");
	t0 = now_ns();
	tui_wait_re(&t, "END", 5 * 60 * 1000);
	t1 = now_ns();
	if (fast)
		out->rss_kb = peak_rss_kb((pid_t)pid);
	tui_keys(&t, "q");
	tui_wait(&t, tui_pred_exited, NULL, 4000); /* it writes the stats file on the way out */
	tui_kill(&t);
	if (fast) {
		double unused = 0;

		read_stats(stats, &out->records, &unused);
		out->rate = (double)out->records / ((double)(t1 - t0) / 1e9);
	} else {
		long unused = 0;

		read_stats(stats, &unused, &out->fps);
	}
	return 0;
}

/* The TUI: full-speed replay, paced replay, then idle with echo-herd on screen. */
static int
bench_tui(const char *rec, double idle_s, struct tui_result *out)
{
	static struct tui t;
	long pid;

	memset(out, 0, sizeof *out);
	if (tui_sh("command -v tmux >/dev/null") != 0)
		return -1;
	if (tui_replay(rec, 1, out) < 0 || tui_replay(rec, 0, out) < 0)
		return -1;
	tui_init(&t, "bench-idle");
	str_copy(t.bin, bin, sizeof t.bin);
	if (tui_start(&t, 120, 40, "echo-herd", NULL, NULL) != 0 || !tui_wait_re(&t, "listening", 4000)) {
		tui_kill(&t);
		return -1;
	}
	pid = tui_front_pid(&t);
	sleep_ns(500 * 1000000);
	double c0 = cpu_of((pid_t)pid);
	sleep_ns((uint64_t)(idle_s * 1e9));
	double c1 = cpu_of((pid_t)pid);
	out->idle_cpu = (c1 - c0) / idle_s * 100;
	tui_keys(&t, "q");
	tui_wait(&t, tui_pred_exited, NULL, 4000);
	tui_kill(&t);
	return 0;
}

/*
 * attach at scale: a helper holds n watches in one epoll instance (socket
 * pairs); when the hard RLIMIT_NOFILE cannot give one process n fds, a
 * child shares the instance and holds half.  Returns the helper's pid
 * (kill it and its child with kill(-pid)), *split when it was split.
 */
static pid_t
attach_helper(int n, int *split)
{
	struct rlimit rl;
	int ready[2];
	pid_t pid;
	char c;

	getrlimit(RLIMIT_NOFILE, &rl);
	*split = rl.rlim_max < (rlim_t)n + 64;
	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int each = *split ? n / 2 : n, ep, kid = 0, done[2];

		setpgid(0, 0);
		close(ready[0]);
		rl.rlim_cur = (rlim_t)each + 64;
		if (rl.rlim_cur > rl.rlim_max || setrlimit(RLIMIT_NOFILE, &rl) < 0 || pipe(done) < 0)
			_exit(1);
		ep = epoll_create1(0);
		if (*split && (kid = fork()) == 0)
			prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int i = 0; i < each; i += 2) {
			int sv[2];
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x7f6a00000000ull + (uint64_t)i };

			if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
				_exit(1);
			epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
			epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
		}
		if (*split && kid == 0) {
			write(done[1], "k", 1);
			for (;;)
				pause();
		}
		if (*split && read(done[0], &c, 1) != 1)
			_exit(1);
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid < 0 || read(ready[0], &c, 1) != 1) {
		close(ready[0]);
		if (pid > 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	close(ready[0]);
	return pid;
}

struct attach_result {
	int n, split;
	double json[16];   /* seconds per `attach --json` */
	double cpu;        /* percent of a core, the live screen idle */
	double key[8];     /* seconds from a key to the help on screen */
	int nkeys;
	double every;      /* the screen's refresh period, s */
};

/* Seconds from pressing '?' until the help overlay shows (polled every 5 ms), or -1. */
static double
attach_key_latency(struct tui *t)
{
	uint64_t t0 = now_ns();

	tui_keys(t, "'?'");
	for (int i = 0; i < 2000; i++) {
		tui_capture(t);
		if (strstr(t->screen, "processes you name")) {
			double d = (double)(now_ns() - t0) / 1e9;

			tui_keys(t, "'?'");
			tui_wait_re(t, "every [0-9.]+ s", 4000);
			return d;
		}
		sleep_ns(5 * 1000000);
	}
	return -1;
}

/* attach --json timed reps times, then the live screen's idle CPU and key latency, for n watches. */
static int
bench_attach_one(int n, double idle_s, struct attach_result *r)
{
	static struct tui t;
	char pidarg[16], args[64];
	char *argv[] = { (char *)bin, "attach", "--children", "--json", pidarg, NULL };
	pid_t pid;
	long pid_front, rss;
	regmatch_t m[2];

	memset(r, 0, sizeof *r);
	r->n = n;
	pid = attach_helper(n, &r->split);
	if (pid < 0)
		return -1;
	snprintf(pidarg, sizeof pidarg, "%d", (int)pid);
	for (int i = 0; i < reps; i++)
		r->json[i] = timed(argv, &rss);
	r->cpu = -1;
	if (tui_sh("command -v tmux >/dev/null") == 0) {
		snprintf(args, sizeof args, "attach --children %d", (int)pid);
		tui_init(&t, "bench-attach");
		str_copy(t.bin, bin, sizeof t.bin);
		if (tui_start(&t, 120, 40, args, NULL, NULL) == 0 && tui_wait_re(&t, "every [0-9.]+ s", 10000)) {
			double window = idle_s;

			pid_front = tui_front_pid(&t);
			sleep_ns(1000 * 1000000ull);
			tui_capture(&t);
			if (tui_match(t.screen, "every ([0-9.]+) s", m, 2))
				r->every = atof(t.screen + m[1].rm_so);
			if (window < 3 * r->every) /* whole refresh periods, or a slow one may fall outside */
				window = 3 * r->every;
			double c0 = cpu_of((pid_t)pid_front);
			sleep_ns((uint64_t)(window * 1e9));
			double c1 = cpu_of((pid_t)pid_front);
			r->cpu = (c1 - c0) / window * 100;
			for (r->nkeys = 0; r->nkeys < 5; r->nkeys++)
				if ((r->key[r->nkeys] = attach_key_latency(&t)) < 0)
					break;
			tui_keys(&t, "q");
			tui_wait(&t, tui_pred_exited, NULL, 4000);
		}
		tui_kill(&t);
	}
	kill(-pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 0;
}

/* The attach rows: 1 000, 5 000 and 20 000 watches. */
static void
bench_attach(struct strbuf *md, double idle_s)
{
	static const int sizes[] = { 1000, 5000, 20000 };

	sb_printf(md, "\n## attach at scale\n\n"
		      "| watches | `attach --json`, min / median / max | live screen: CPU idle | refresh period | key to screen, median / max | target |\n"
		      "|---:|---:|---:|---:|---:|---|\n");
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct attach_result r;
		struct stat3 j, k = { -1, -1, -1 };

		if (bench_attach_one(sizes[i], idle_s, &r) < 0) {
			sb_printf(md, "| %d | (the helper could not hold them) | | | | |\n", sizes[i]);
			continue;
		}
		j = stat3(r.json, reps);
		if (r.nkeys > 0)
			k = stat3(r.key, r.nkeys);
		fprintf(stderr, "bench: attach %d watches: --json %.3f s, CPU %.1f %%, key %.3f s\n", r.n, j.med, r.cpu,
			k.med);
		sb_printf(md, "| %d%s | %.3f / %.3f / %.3f s | %.1f %% | %.1f s | %.3f / %.3f s | < 0.1 s; < 5 %%; < 0.1 s |\n",
			  r.n, r.split ? " (2 processes share the instance)" : "", j.min, j.med, j.max, r.cpu, r.every,
			  k.med, k.max);
	}
}

/*
 * Seconds an idle front end is watched: 30 (a tenth of a percent is three
 * 10 ms clock ticks over 30 s: a shorter window cannot tell 0.1 % from
 * 0.3 %), 2 with --quick.
 */
static double
idle_window(int quick)
{
	return quick ? 2 : 30;
}

/* CPU seconds of the trees of the n roots (a root of 0 or less: none). */
static double
trees_cpu(const pid_t *roots, int n)
{
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += roots[i] > 0 ? tree_cpu(roots[i]) : 0;
	return sum;
}

/*
 * CPU seconds of the trees of the n roots once they have gone quiet: read
 * every 20 ms until they grow by less than 0.1 ms (up to 2 s).  A front end
 * may still be reading the last records of a slice when the load stops,
 * and their cost is the slice's; and what a server still does after its
 * slice (perf trace's reading of its buffers) would otherwise share the
 * server's CPU, and its caches, with the next mode's slice.
 */
static double
trees_cpu_quiet(const pid_t *roots, int n)
{
	double a = trees_cpu(roots, n);

	for (int i = 0; i < 100; i++) {
		double b;

		sleep_ns(20 * 1000000);
		b = trees_cpu(roots, n);
		if (b - a < 100e-6)
			return b;
		a = b;
	}
	return a;
}

/* One slice of load (0 short connections, 1 round trips) at mode's server: requests, seconds in *elapsed. */
static long
echo_slice(int load, struct server *s, struct pconns *pc, double secs, double *elapsed)
{
	return load ? pconns_run(pc, secs, elapsed) : load_short_for(s->port, short_client, secs, elapsed);
}

/* Stop the servers of a cycle (those started: pid > 0) and close their connections. */
static void
echo_servers_stop(struct server s[M__COUNT], struct pconns pc[M__COUNT], const int conn[M__COUNT])
{
	for (int mode = 0; mode < M__COUNT; mode++) {
		if (conn[mode])
			pconns_close(&pc[mode]);
		if (s[mode].pid > 0)
			server_stop(&s[mode], mode);
	}
}

/*
 * The cost of tracing on the echo server.  Each cycle starts a server per
 * mode, all on the server's CPU, idle but for their turn; the load then
 * goes to each in turn for a slice of --slice seconds (odd cycles in the
 * reverse order), and each slice's CPU is its tree's own.  A mode's ratio to
 * tracing off pairs the two slices of one cycle, seconds apart: the
 * machine's pace, which changes by a third within a minute here, moves
 * little between them.  The servers are new in every cycle because one
 * server can run 10 % slower than another of the same binary for as long as
 * it lives (kept for a whole load, tracing off ran at 0.92 of the traced
 * modes' CPU per request in every cycle of one run): across cycles, that
 * luck of the draw falls on each mode alike.  Fills v and cpu
 * [load][mode][cycle].
 */
static int
bench_echo(double v[2][M__COUNT][ECHO_CYCLES_MAX], double cpu[2][M__COUNT][ECHO_CYCLES_MAX], int *k, int quick)
{
	for (int load = 0; load < 2; load++) {
		int c, least = quick ? 1 : ECHO_CYCLES, most = quick ? 1 : ECHO_CYCLES_MAX;

		for (c = 0; c < most && (c < least || median_uncertain(v[load], cpu[load], c)); c++) {
			struct server s[M__COUNT];
			struct pconns pc[M__COUNT];
			int conn[M__COUNT] = { 0 }, bad = 0;
			pid_t root[M__COUNT];
			double el;

			for (int mode = 0; mode < M__COUNT; mode++) {
				s[mode].pid = 0; /* not started */
				if (bad || (mode == M_PERF && !have_perf_trace))
					continue;
				int up = server_start(&s[mode], mode, (*k)++) == 0;

				if (up && load)
					conn[mode] = pconns_open(&pc[mode], s[mode].port) == 0;
				if (!up || (load && !conn[mode])) {
					fprintf(stderr, "bench: the %s server did not start\n", mode_names[mode]);
					bad = 1;
				}
			}
			if (bad) {
				echo_servers_stop(s, pc, conn);
				return -1;
			}
			/* A short slice each first, not counted: every server's buffers grown, its pages touched. */
			for (int mode = 0; mode < M__COUNT; mode++) {
				root[mode] = s[mode].pid;
				if (s[mode].pid > 0)
					echo_slice(load, &s[mode], &pc[mode], slice / 2, &el);
			}
			for (int i = 0; i < M__COUNT; i++) {
				int mode = c % 2 ? M__COUNT - 1 - i : i;
				double c0, c1;
				long n;

				if (s[mode].pid <= 0)
					continue;
				trees_cpu_quiet(root, M__COUNT); /* every server of the cycle */
				c0 = tree_cpu(s[mode].pid);
				n = echo_slice(load, &s[mode], &pc[mode], slice, &el);
				v[load][mode][c] = (double)n / el;
				/* CPU per request of the whole traced tree, from its processes' CPU clocks. */
				c1 = trees_cpu_quiet(&s[mode].pid, 1);
				cpu[load][mode][c] = n > 0 ? (c1 - c0) / (double)n * 1e6 : 0;
				fprintf(stderr, "bench: %-14s %-22s cycle %d: %.0f/s, %.1f us CPU per request\n",
					load ? "round trips" : "connections", mode_names[mode], c + 1,
					v[load][mode][c], cpu[load][mode][c]);
			}
			echo_servers_stop(s, pc, conn);
		}
		echo_rounds[load] = c;
	}
	return 0;
}

/* Parse the options, run every part, print the results and write them to --out. */
int
main(int argc, char **argv)
{
	const char *out = "bench/results.md";
	char rec[160];
	double v[2][M__COUNT][ECHO_CYCLES_MAX] = { { { 0 } } }, cpu[2][M__COUNT][ECHO_CYCLES_MAX] = { { { 0 } } };
	double vn[2][NG__COUNT][16] = { { { 0 } } };
	const char *nginx = ngx_find();
	char nginx_ver[64] = "";
	struct strbuf md;
	FILE *f;
	int k = 0, quick = 0, only_nginx = 0, only_attach = 0, only_echo = 0, out_given = 0, pin = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--slice") == 0 && i + 1 < argc)
			slice = atof(argv[++i]);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i], out_given = 1;
		else if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
			bin = argv[++i];
		else if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && strcmp(argv[i + 1], "nginx") == 0)
			only_nginx = 1, i++;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && strcmp(argv[i + 1], "attach") == 0)
			only_attach = 1, i++;
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && strcmp(argv[i + 1], "echo") == 0)
			only_echo = 1, i++;
		else if (strcmp(argv[i], "--no-pin") == 0)
			pin = 0;
		else if (strcmp(argv[i], "--load") == 0 && i + 2 < argc) {
			/* Only drive load at a server already there: for profiling it. */
			const char *what = argv[i + 1];
			int port = atoi(argv[i + 2]);
			double rate = strcmp(what, "short") == 0		? load_short(port, short_client)
				      : strcmp(what, "http-short") == 0		? load_short(port, http_short_client)
				      : strcmp(what, "http-persistent") == 0	? load_http_persistent(port)
										: load_persistent(port);

			printf("%.0f/s\n", rate);
			return 0;
		}
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--slice S] [--reps N] [--out FILE] [--bin PATH] [--no-pin] [--quick]\n"
					"       %s [--seconds S] [--slice S] [--reps N] [--out FILE] [--bin PATH] [--no-pin] --only echo|nginx|attach\n"
					"       %s [--seconds S] --load short|persistent|http-short|http-persistent PORT\n",
				argv[0], argv[0], argv[0]);
			return 2;
		}
	}
	if (quick)
		seconds = 1, reps = 1, slice = 0.2;
	if ((only_nginx || only_attach || only_echo) && !out_given)
		out = NULL; /* a part alone does not replace the whole results file */
	if (reps < 1 || reps > 15 || seconds <= 0 || seconds > 30 || slice < 0.05 || slice > 30) {
		fprintf(stderr, "bench: --reps 1..15, --seconds up to 30, --slice 0.05..30\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	strcpy(bench_dir, "/tmp/epollviz-bench.XXXXXX");
	if (mkdtemp(bench_dir) == NULL)
		return 1;
	atexit(bench_dir_remove);

	if (only_attach) {
		sb_init(&md);
		md_header(&md);
		bench_attach(&md, quick ? 2 : 10);
		goto write;
	}

	/* 1. Cost of tracing. */
	have_perf_trace = perf_trace_works();
	if (!have_perf_trace)
		fprintf(stderr, "bench: `perf trace -o /dev/null -- true` did not work here (linux-perf, and the right "
				"to trace): its rows are skipped\n");
	if (pin && pin_choose() == 0)
		pin_to(cpu_load); /* this thread and the load and drain threads it starts */
	if (!only_nginx && bench_echo(v, cpu, &k, quick) < 0)
		return 1;

	if (only_echo) {
		sb_init(&md);
		md_header(&md);
		md_echo(&md, v, cpu);
		goto write;
	}

	/* 1b. nginx alone, under epollviz run, under strace. */
	if (nginx == NULL)
		fprintf(stderr, "bench: nginx not found (scripts/deps.sh bench as root installs it): "
				"the nginx rows are skipped\n");
	else if (bench_nginx(nginx, vn) < 0)
		return 1;
	else
		ngx_version(nginx, nginx_ver, sizeof nginx_ver);
	if (only_nginx) {
		sb_init(&md);
		md_header(&md);
		md_nginx(&md, nginx ? nginx_ver : NULL, vn);
		goto write;
	}
	pin_undo(); /* the rest measures the front end as a user runs it */

	/* 2. Front-end capacity and memory: replay a million records headless. */
	long nrec = quick ? 200000 : 1000000, rss_text, rss_json;
	snprintf(rec, sizeof rec, "%s/synthetic.rec", bench_dir);
	long nfile = make_recording(rec, nrec);
	char *rt[] = { (char *)bin, "--headless", "replay", rec, NULL };
	char *rj[] = { (char *)bin, "--headless", "replay", rec, "--json", NULL };
	double tt = timed(rt, &rss_text), tj = timed(rj, &rss_json);
	struct tui_result tui;
	int have_tui = bench_tui(rec, idle_window(quick), &tui) == 0;

	/* 3. Idle CPU of a headless front end for 10 s with echo-herd running. */
	struct server idle;
	if (server_start(&idle, M_JSON, k++) < 0) {
		fprintf(stderr, "bench: the idle run did not start\n");
		return 1;
	}
	double c0 = cpu_of(idle.pid);
	sleep_ns((uint64_t)(idle_window(quick) * 1e9));
	double c1 = cpu_of(idle.pid), idle_s = idle_window(quick);
	server_stop(&idle, M_JSON);

	sb_init(&md);
	md_header(&md);
	md_echo(&md, v, cpu);
	sb_printf(&md, "\n");
	md_nginx(&md, nginx ? nginx_ver : NULL, vn);
	sb_printf(&md, "\n## Front end\n\n| measure | value | target |\n|---|---:|---:|\n");
	sb_printf(&md, "| records applied/s, headless replay, text output | %.0f | |\n", (double)nrec / tt);
	sb_printf(&md, "| records applied/s, headless replay, JSON output | %.0f | |\n", (double)nrec / tj);
	sb_printf(&md, "| peak RSS after %ld records (text) | %.1f MiB | < 32 MiB |\n", nrec, (double)rss_text / 1024);
	sb_printf(&md, "| peak RSS after %ld records (JSON) | %.1f MiB | < 32 MiB |\n", nrec, (double)rss_json / 1024);
	sb_printf(&md, "| CPU of the headless front end, idle %.0f s with echo-herd running | %.2f %% | < 1 %% |\n",
		  idle_s, (c1 - c0) / idle_s * 100);
	if (have_tui) {
		sb_printf(&md, "| TUI in tmux: records applied and drawn/s, replay at full speed | %.0f | > 1 000 000 |\n",
			  tui.rate);
		sb_printf(&md, "| TUI: records applied of the %ld in the file (zero loss) | %ld | all |\n", nfile,
			  tui.records);
		sb_printf(&md, "| TUI: most redraws within any one second, the same recording at its own pace (%.1f s) | %.0f | about 30 at most |\n",
			  (double)nfile * 3000 / 1e9, tui.fps);
		sb_printf(&md, "| TUI: peak RSS after %ld records | %.1f MiB | < 32 MiB |\n", nrec,
			  (double)tui.rss_kb / 1024);
		sb_printf(&md, "| TUI: CPU, idle %.0f s with echo-herd on screen | %.2f %% | < 1 %% |\n",
			  idle_window(quick), tui.idle_cpu);
	} else {
		sb_printf(&md, "| TUI measures | (tmux not found: skipped) | |\n");
	}
	bench_attach(&md, quick ? 2 : 10);
	unlink(rec);
write:
	sb_printf(&md, "\nReproduce with `make bench` (`bench/epollviz-bench --help`).\n");
	fwrite(md.s, 1, md.len, stdout);
	f = out ? fopen(out, "w") : NULL;
	if (f) {
		fwrite(md.s, 1, md.len, f);
		fclose(f);
	}
	sb_free(&md);
	return 0;
}
