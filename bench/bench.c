/*
 * bench.c - `make bench`: puts numbers on the cost of watching.
 *
 *  1. Cost of tracing: echo throughput of the same worker binary, 2 workers,
 *     (a) tracing off, (b) tracing on with the records consumed by the
 *     headless front end, (c) tracing off under strace -f; two loads: short
 *     connections per second, and round trips per second over 50
 *     persistent connections.  Repeated; min / median / max.
 *  2. Front-end capacity: records per second the front end applies (a
 *     synthetic recording of a million records, replayed headless at full
 *     speed), and its peak RSS after them.
 *  3. Idle CPU of the front end with a scenario running.
 *
 * Loopback only; every load is bounded in time; every server is stopped.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
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

enum mode { M_OFF = 0, M_DEVNULL, M_TRACED, M_JSON, M_STRACE, M__COUNT };
static const char *const mode_names[] = { "tracing off", "tracing on, records to /dev/null (workers' cost only)",
					  "tracing on, headless reader", "tracing on, headless --json to a pipe",
					  "strace -f -o /dev/null" };

struct server {
	pid_t pid;
	int out;    /* stdout of the server, drained by a thread */
	int in;     /* stdin of a headless run */
	int pty;    /* the terminal a bare server prints to, or -1 */
	int port;
	pthread_t drain;
};

static char bench_dir[64];

/*
 * Discard what the server prints; a front end that cannot write would stall
 * the workers.  A bare server's terminal is read the way the front end
 * reads its pty (wait for data, give it 2 ms to gather, drain), so that
 * every mode's terminal output costs its reader alike; a headless run's
 * JSON is read as fast as it comes, as a pipe into a tool would be.
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
			sleep_ns(2 * 1000000); /* a terminal: as the front end reads one */
		do
			k = read(s->out, buf, sizeof buf);
		while (k == (ssize_t)sizeof buf);
		if (k <= 0)
			return NULL;
	}
}

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

		if (s->pty >= 0) {
			out = open(ptsname(s->pty), O_RDWR | O_NOCTTY);
			if (out < 0)
				_exit(127);
		}
		dup2(out, 1);
		dup2(out, 2);
		dup2(pi[0], 0);
		if (mode == M_TRACED)
			execl(bin, bin, "--headless", scn, "--script", "pause", "--quiet", (char *)NULL);
		else if (mode == M_JSON)
			execl(bin, bin, "--headless", scn, "--script", "pause", "--json", (char *)NULL);
		else if (mode == M_OFF)
			execl(bin, bin, "--role", "echo-server", sem, "accept=semaphore", "accept_loop=drain",
			      "trigger=edge", "workers=2", portarg, "backlog=1024", (char *)NULL);
		else if (mode == M_DEVNULL) {
			int dn = open("/dev/null", O_WRONLY);

			dup2(dn, 7);
			execl(bin, bin, "--role", "echo-server", sem, "--trace-fd=7", "accept=semaphore",
			      "accept_loop=drain", "trigger=edge", "workers=2", portarg, "backlog=1024",
			      (char *)NULL);
		}
		else
			execlp("strace", "strace", "-f", "-qq", "-o", "/dev/null", bin, "--role", "echo-server",
			       sem, "accept=semaphore", "accept_loop=drain", "trigger=edge", "workers=2",
			       portarg, "backlog=1024", (char *)NULL);
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

static void
server_stop(struct server *s, int mode)
{
	int st;

	if (mode == M_TRACED || mode == M_JSON) {
		/* the script's pause ends on a line: the run then ends cleanly */
		if (write(s->in, "\n", 1) != 1)
			kill(s->pid, SIGTERM);
	} else if (mode == M_STRACE) {
		/* SIGTERM to the server under strace; strace exits with it. */
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

static double
load_short(int port)
{
	enum { THREADS = 2 };
	struct shortload L[THREADS];
	pthread_t t[THREADS];
	uint64_t t0 = now_ns(), until = t0 + (uint64_t)(seconds * 1e9);
	long total = 0;

	for (int i = 0; i < THREADS; i++) {
		L[i] = (struct shortload){ port, until, 0 };
		pthread_create(&t[i], NULL, short_client, &L[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		total += L[i].done;
	}
	return (double)total / ((double)(now_ns() - t0) / 1e9);
}

/* 50 persistent connections: a line, its reply, the next line; count replies. */
static double
load_persistent(int port)
{
	enum { N = 50 };
	int fds[N], ep = epoll_create1(EPOLL_CLOEXEC);
	size_t have[N] = { 0 };
	uint64_t t0 = now_ns(), until = t0 + (uint64_t)(seconds * 1e9);
	long trips = 0;

	for (int i = 0; i < N; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };

		fds[i] = dial(port);
		if (fds[i] < 0)
			return -1;
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
		if (send(fds[i], "bench line\n", 11, MSG_NOSIGNAL) != 11)
			return -1;
	}
	while (now_ns() < until) {
		struct epoll_event evs[N];
		int n = epoll_wait(ep, evs, N, 100);

		for (int k = 0; k < n; k++) {
			int i = (int)evs[k].data.u32;
			char buf[4096];
			ssize_t r = recv(fds[i], buf, sizeof buf, 0);

			if (r <= 0)
				continue;
			for (ssize_t j = 0; j < r; j++) {
				if (buf[j] != '\n')
					continue;
				trips++;
				if (send(fds[i], "bench line\n", 11, MSG_NOSIGNAL) != 11)
					break;
			}
			have[i] += (size_t)r;
		}
	}
	double rate = (double)trips / ((double)(now_ns() - t0) / 1e9);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	close(ep);
	return rate;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double min, med, max;
};

static struct stat3
stat3(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return (struct stat3){ v[0], v[n / 2], v[n - 1] };
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

/* CPU seconds (user+system) of pid so far. */
static double
cpu_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

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

int
main(int argc, char **argv)
{
	const char *out = "bench/results.md";
	char rec[160];
	double v[2][M__COUNT][16];
	struct strbuf md;
	FILE *f;
	int k = 0, quick = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
			bin = argv[++i];
		else if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--load") == 0 && i + 2 < argc) {
			/* Only drive load at a server already there: for profiling it. */
			int port = atoi(argv[i + 2]);
			double rate = strcmp(argv[i + 1], "short") == 0 ? load_short(port) : load_persistent(port);

			printf("%.0f/s\n", rate);
			return 0;
		}
		else {
			fprintf(stderr, "usage: %s [--seconds S] [--reps N] [--out FILE] [--bin PATH] [--quick]\n"
					"       %s [--seconds S] --load short|persistent PORT\n", argv[0], argv[0]);
			return 2;
		}
	}
	if (quick)
		seconds = 1, reps = 1;
	if (reps < 1 || reps > 15 || seconds <= 0 || seconds > 30) {
		fprintf(stderr, "bench: --reps 1..15, --seconds up to 30\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	strcpy(bench_dir, "/tmp/epollviz-bench.XXXXXX");
	if (mkdtemp(bench_dir) == NULL)
		return 1;

	/* 1. Cost of tracing. */
	/*
	 * Rounds of every mode in turn, so that whatever else the machine does
	 * over the minutes weighs on every mode alike.
	 */
	for (int load = 0; load < 2; load++) {
		for (int r = 0; r < reps; r++) {
			for (int mode = 0; mode < M__COUNT; mode++) {
				struct server s;

				if (server_start(&s, mode, k++) < 0) {
					fprintf(stderr, "bench: the %s server did not start\n", mode_names[mode]);
					return 1;
				}
				v[load][mode][r] = load ? load_persistent(s.port) : load_short(s.port);
				server_stop(&s, mode);
				fprintf(stderr, "bench: %-14s %-22s run %d: %.0f/s\n",
					load ? "round trips" : "connections", mode_names[mode], r + 1,
					v[load][mode][r]);
			}
		}
	}

	/* 2. Front-end capacity and memory: replay a million records headless. */
	long nrec = quick ? 200000 : 1000000, rss_text, rss_json;
	snprintf(rec, sizeof rec, "%s/synthetic.rec", bench_dir);
	long nfile = make_recording(rec, nrec);
	char *rt[] = { (char *)bin, "--headless", "replay", rec, NULL };
	char *rj[] = { (char *)bin, "--headless", "replay", rec, "--json", NULL };
	double tt = timed(rt, &rss_text), tj = timed(rj, &rss_json);
	struct tui_result tui;
	int have_tui = bench_tui(rec, quick ? 2 : 10, &tui) == 0;

	/* 3. Idle CPU of a headless front end for 10 s with echo-herd running. */
	struct server idle;
	if (server_start(&idle, M_JSON, k++) < 0) {
		fprintf(stderr, "bench: the idle run did not start\n");
		return 1;
	}
	double c0 = cpu_of(idle.pid);
	sleep_ns((uint64_t)(quick ? 2e9 : 10e9));
	double c1 = cpu_of(idle.pid), idle_s = quick ? 2 : 10;
	server_stop(&idle, M_JSON);

	sb_init(&md);
	sb_printf(&md, "# epollviz benchmark\n\n");
	sb_printf(&md, "Machine: %ld cores; loopback only; %g s per run, %d run%s each (min / median / max).\n\n",
		  sysconf(_SC_NPROCESSORS_ONLN), seconds, reps, reps == 1 ? "" : "s");
	sb_printf(&md, "## Cost of tracing (echo server, 2 workers, accept = semaphore, drain)\n\n");
	sb_printf(&md, "| load | mode | min | median | max | ratio to tracing off (median) |\n|---|---|---:|---:|---:|---:|\n");
	for (int load = 0; load < 2; load++) {
		struct stat3 base = stat3(v[load][0], reps);

		for (int mode = 0; mode < M__COUNT; mode++) {
			struct stat3 s3 = stat3(v[load][mode], reps);

			sb_printf(&md, "| %s | %s | %.0f | %.0f | %.0f | %.2f |\n",
				  load ? "round trips/s, 50 persistent connections" : "short connections/s",
				  mode_names[mode], s3.min, s3.med, s3.max, s3.med / base.med);
		}
	}
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
			  quick ? 2.0 : 10.0, tui.idle_cpu);
	} else {
		sb_printf(&md, "| TUI measures | (tmux not found: skipped) | |\n");
	}
	sb_printf(&md, "\nReproduce with `make bench` (`bench/epollviz-bench --help`).\n");
	fwrite(md.s, 1, md.len, stdout);
	f = fopen(out, "w");
	if (f) {
		fwrite(md.s, 1, md.len, f);
		fclose(f);
	}
	unlink(rec);
	for (int i = 0; i < k; i++) {
		char scn[128];

		snprintf(scn, sizeof scn, "%s/bench-%d.scn", bench_dir, i);
		unlink(scn);
	}
	rmdir(bench_dir);
	sb_free(&md);
	return 0;
}
