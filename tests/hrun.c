/*
 * hrun.c - see hrun.h.  Runs the real binary as a user would; every run is
 * bounded (a deadline, then SIGKILL, which fails the test).
 */
#include "hrun.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_S 90

static const char *
bin(void)
{
	const char *b = getenv("EPOLLVIZ_BIN");

	return b && *b ? b : "./epollviz";
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Append what fd has to *buf (growing it); returns bytes read, 0 at EOF, -1 on error. */
static ssize_t
slurp(int fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t k;

	if (*len + 65536 > *cap) {
		*cap *= 2;
		*buf = realloc(*buf, *cap);
	}
	k = read(fd, *buf + *len, *cap - *len - 1);
	if (k > 0)
		*len += (size_t)k;
	return k;
}

/* fork/exec argv, collect stdout (whole) and stderr (head); returns exit status. */
static int
spawn(char *const argv[], char **out, size_t *outlen, char *err, size_t errcap)
{
	int po[2], pe[2], st;
	size_t cap = 1 << 16, ecap = 1 << 16, elen = 0;
	long long deadline = mono_ms() + DEADLINE_S * 1000;
	char *ebuf = malloc(ecap);
	struct pollfd pf[2];
	pid_t pid;

	*out = malloc(cap);
	*outlen = 0;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	pf[0] = (struct pollfd){ po[0], POLLIN, 0 };
	pf[1] = (struct pollfd){ pe[0], POLLIN, 0 };
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		long long left = deadline - mono_ms();

		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
			break;
		if (pf[0].fd >= 0 && pf[0].revents && slurp(pf[0].fd, out, outlen, &cap) <= 0) {
			close(pf[0].fd);
			pf[0].fd = -1;
		}
		if (pf[1].fd >= 0 && pf[1].revents && slurp(pf[1].fd, &ebuf, &elen, &ecap) <= 0) {
			close(pf[1].fd);
			pf[1].fd = -1;
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	(*out)[*outlen] = '\0';
	ebuf[elen] = '\0';
	snprintf(err, errcap, "%s", ebuf);
	free(ebuf);
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Run the binary with av (av[0] is the binary) and parse its JSON Lines into h. */
static int
run_json(struct hrun *h, char *const av[])
{
	char *out, *line, *save = NULL;
	size_t outlen, cap = 256;

	h->status = spawn(av, &out, &outlen, h->out, sizeof h->out);
	h->recs = malloc(cap * sizeof *h->recs);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_error_t e;
		json_t *o = json_loads(line, 0, &e);

		if (o == NULL) {
			h->bad_lines++;
			continue;
		}
		if (h->n == cap) {
			cap *= 2;
			h->recs = realloc(h->recs, cap * sizeof *h->recs);
		}
		h->recs[h->n++] = o;
		if (jis(o, "summary"))
			h->summary = o;
	}
	free(out);
	return h->status < 0 ? -1 : 0;
}

int
hrun(struct hrun *h, const char *scenario, const char *script)
{
	char *argv[8];
	int n = 0;

	memset(h, 0, sizeof *h);
	argv[n++] = (char *)bin();
	argv[n++] = (char *)"--headless";
	argv[n++] = (char *)scenario;
	argv[n++] = (char *)"--json";
	if (script) {
		argv[n++] = (char *)"--script";
		argv[n++] = (char *)script;
	}
	argv[n] = NULL;
	return run_json(h, argv);
}

int
hrun_json(struct hrun *h, char *const argv[])
{
	char *av[32];
	int n = 0;

	memset(h, 0, sizeof *h);
	av[n++] = (char *)bin();
	for (int i = 0; argv[i] && n < 31; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	return run_json(h, av);
}

int
hrun_raw(struct hrun *h, char *const argv[], char *stdout_head, size_t cap)
{
	char *out;
	size_t outlen;
	char *av[16];
	int n = 0;

	memset(h, 0, sizeof *h);
	av[n++] = (char *)bin();
	for (int i = 0; argv[i] && n < 15; i++)
		av[n++] = argv[i];
	av[n] = NULL;
	h->status = spawn(av, &out, &outlen, h->out, sizeof h->out);
	if (stdout_head) {
		size_t c = outlen < cap - 1 ? outlen : cap - 1;

		memcpy(stdout_head, out, c);
		stdout_head[c] = '\0';
	}
	free(out);
	return h->status < 0 ? -1 : 0;
}

void
hrun_free(struct hrun *h)
{
	for (size_t i = 0; i < h->n; i++)
		json_decref(h->recs[i]);
	free(h->recs);
	memset(h, 0, sizeof *h);
}

long long
jint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? json_integer_value(v) : -999999;
}

const char *
jstr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

int
jtrue(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

int
jis(const json_t *o, const char *type)
{
	return strcmp(jstr(o, "type"), type) == 0;
}

long
hfind(const struct hrun *h, size_t from, const char *type, const char *key, const char *val)
{
	for (size_t i = from; i < h->n; i++) {
		if (!jis(h->recs[i], type))
			continue;
		if (key == NULL || strstr(jstr(h->recs[i], key), val) != NULL)
			return (long)i;
	}
	return -1;
}

size_t
hcount(const struct hrun *h, size_t from, const char *type,
       int (*pred)(const json_t *rec, void *arg), void *arg)
{
	size_t n = 0;

	for (size_t i = from; i < h->n; i++)
		if (jis(h->recs[i], type) && (pred == NULL || pred(h->recs[i], arg)))
			n++;
	return n;
}

long long
hpid_of_role(const struct hrun *h, const char *role)
{
	long i = hfind(h, 0, "proc_start", "role", role);

	return i < 0 ? 0 : jint(h->recs[i], "pid");
}

int
hready_has(const json_t *rec, long long data, const char *ev)
{
	json_t *ready = json_object_get(rec, "ready"), *pair;
	size_t i;

	json_array_foreach(ready, i, pair) {
		json_t *evs = json_object_get(pair, "events"), *e;
		size_t k;
		int hit = ev == NULL;

		if (jint(pair, "data") != data)
			continue;
		json_array_foreach(evs, k, e)
			if (ev && strcmp(json_string_value(e), ev) == 0)
				hit = 1;
		if (hit)
			return 1;
	}
	return 0;
}

long long
hsurvivor(const struct hrun *h)
{
	for (size_t i = 0; i < h->n; i++) {
		char path[64], cmd[256] = "";
		long long pid;
		FILE *f;

		if (!jis(h->recs[i], "proc_start"))
			continue;
		pid = jint(h->recs[i], "pid");
		/* A zombie is dead already: only its parent's wait is missing. */
		snprintf(path, sizeof path, "/proc/%lld/stat", pid);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		char st[512] = "", *rp;
		if (fgets(st, sizeof st, f) == NULL)
			st[0] = '\0';
		fclose(f);
		rp = strrchr(st, ')');
		if (rp && rp[1] == ' ' && rp[2] == 'Z')
			continue;
		snprintf(path, sizeof path, "/proc/%lld/cmdline", pid);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		size_t k = fread(cmd, 1, sizeof cmd - 1, f);
		fclose(f);
		cmd[k] = '\0';
		/* A reused pid that is not ours does not count. */
		if (strstr(cmd, "epollviz") != NULL || k == 0)
			return pid;
	}
	return 0;
}

int
htty_says(const struct hrun *h, const char *text)
{
	size_t cap = 1, len = 0;
	char *all = calloc(1, cap);
	int n = 0;

	for (size_t i = 0; i < h->n; i++) {
		const char *t = jis(h->recs[i], "tty") ? jstr(h->recs[i], "text") : "";
		size_t k = strlen(t);

		if (len + k + 1 > cap) {
			cap = (len + k + 1) * 2;
			all = realloc(all, cap);
		}
		memcpy(all + len, t, k + 1);
		len += k;
	}
	for (const char *p = all; (p = strstr(p, text)) != NULL; p++)
		n++;
	free(all);
	return n;
}

char *
hread_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n, "short read of %s", path);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

const char *
hscenario(char *path, size_t cap, const char *name, const char *text)
{
	/* Under build/ (which make clean removes), not /tmp: tests leave nothing behind. */
	char dir[] = "build/test-scenarios/scn.XXXXXX";
	FILE *f;

	mkdir("build", 0755);
	mkdir("build/test-scenarios", 0755);
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, cap, "%s/%s.scn", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

static void
hlive_take(struct hlive *l, const char *line)
{
	json_error_t e;
	json_t *o = json_loads(line, 0, &e);

	if (o == NULL) {
		l->h.bad_lines++;
		return;
	}
	if (l->h.n == l->h.cap) {
		l->h.cap = l->h.cap ? l->h.cap * 2 : 256;
		l->h.recs = realloc(l->h.recs, l->h.cap * sizeof *l->h.recs);
	}
	l->h.recs[l->h.n++] = o;
	if (jis(o, "summary"))
		l->h.summary = o;
}

/* The reader thread: keeps the run's stdout drained, whatever the test is doing. */
static void *
hlive_reader(void *arg)
{
	struct hlive *l = arg;
	char buf[65536];
	ssize_t k;

	while ((k = read(l->out_rd, buf, sizeof buf)) > 0) {
		pthread_mutex_lock(&l->mu);
		if (l->nraw + (size_t)k + 1 > l->capraw) {
			l->capraw = (l->nraw + (size_t)k + 1) * 2;
			l->raw = realloc(l->raw, l->capraw);
		}
		memcpy(l->raw + l->nraw, buf, (size_t)k);
		l->nraw += (size_t)k;
		pthread_mutex_unlock(&l->mu);
	}
	pthread_mutex_lock(&l->mu);
	l->eof = 1;
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* Parse the complete lines read so far; wait up to ms if none.  Returns -1 at EOF. */
static int
hlive_pump(struct hlive *l, int ms)
{
	struct timespec ts = { 0, 5 * 1000000 };
	int eof;

	for (int waited = 0;; waited += 5) {
		char *nl, *p;

		pthread_mutex_lock(&l->mu);
		p = l->raw;
		eof = l->eof;
		while (l->nraw > 0 && (nl = memchr(p, '\n', l->nraw - (size_t)(p - l->raw))) != NULL) {
			*nl = '\0';
			hlive_take(l, p);
			p = nl + 1;
		}
		if (p != l->raw) {
			size_t rest = l->nraw - (size_t)(p - l->raw);

			memmove(l->raw, p, rest);
			l->nraw = rest;
			pthread_mutex_unlock(&l->mu);
			return 0;
		}
		pthread_mutex_unlock(&l->mu);
		if (eof)
			return -1;
		if (waited >= ms)
			return 0;
		nanosleep(&ts, NULL);
	}
}

int
hlive_start(struct hlive *l, const char *scenario, const char *script)
{
	char *argv[] = { "--headless", (char *)scenario, "--json", "--script", (char *)script, NULL };

	return hlive_start_argv(l, argv);
}

int
hlive_start_argv(struct hlive *l, char *const argv[])
{
	int pi[2], po[2], pe[2];
	char *av[32];
	int n = 0;

	memset(l, 0, sizeof *l);
	if (pipe2(pi, O_CLOEXEC) < 0 || pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
		return -1;
	l->pid = fork();
	if (l->pid == 0) {
		dup2(pi[0], 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		av[n++] = (char *)bin();
		for (int i = 0; argv[i] && n < 31; i++)
			av[n++] = argv[i];
		av[n] = NULL;
		execv(bin(), av);
		_exit(127);
	}
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	l->in_wr = pi[1];
	l->out_rd = po[0];
	l->err_rd = pe[0];
	pthread_mutex_init(&l->mu, NULL);
	pthread_create(&l->reader, NULL, hlive_reader, l);
	return l->pid > 0 ? 0 : -1;
}

long
hlive_wait(struct hlive *l, const char *type, const char *key, const char *val, int seconds)
{
	long long deadline = mono_ms() + seconds * 1000LL;
	size_t from = l->seen;
	long i;

	for (;;) {
		if ((i = hfind(&l->h, from, type, key, val)) >= 0)
			break;
		from = l->h.n;
		if (mono_ms() >= deadline || hlive_pump(l, 50) < 0) {
			i = hfind(&l->h, from, type, key, val);
			break;
		}
	}
	if (i >= 0)
		l->seen = (size_t)i + 1;
	return i;
}

void
hlive_resume(struct hlive *l)
{
	if (write(l->in_wr, "\n", 1) != 1)
		fprintf(stderr, "hlive_resume: %s\n", strerror(errno));
}

int
hlive_finish(struct hlive *l)
{
	long long deadline = mono_ms() + DEADLINE_S * 1000LL;
	int st, killed = 0;
	ssize_t k, elen = 0;

	close(l->in_wr);
	l->in_wr = -1;
	while (hlive_pump(l, 100) == 0) {
		if (!killed && mono_ms() >= deadline) {
			kill(l->pid, SIGKILL);
			killed = 1;
		}
	}
	pthread_join(l->reader, NULL);
	hlive_pump(l, 0);
	close(l->out_rd);
	l->out_rd = -1;
	free(l->raw);
	l->raw = NULL;
	while ((k = read(l->err_rd, l->h.out + elen, sizeof l->h.out - 1 - (size_t)elen)) > 0)
		elen += k;
	l->h.out[elen] = '\0';
	close(l->err_rd);
	waitpid(l->pid, &st, 0);
	l->h.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return l->h.status;
}

long long
hlive_pid(struct hlive *l, const char *role, int nth)
{
	for (size_t i = 0; i < l->h.n; i++)
		if (jis(l->h.recs[i], "proc_start") && strcmp(jstr(l->h.recs[i], "role"), role) == 0 &&
		    nth-- == 0)
			return jint(l->h.recs[i], "pid");
	return 0;
}

void
hassert_clean(const struct hrun *h)
{
	if (h->status != 0 && h->summary) {
		char *sum = json_dumps(h->summary, JSON_COMPACT);

		cr_assert_fail("exit status %d; stderr: %s; summary: %s", h->status, h->out, sum ? sum : "?");
	}
	cr_assert_eq(h->status, 0, "exit status %d; stderr: %s", h->status, h->out);
	cr_assert_eq(h->bad_lines, 0, "%d stdout lines were not JSON", h->bad_lines);
	cr_assert_not_null(h->summary, "no summary line");
	cr_assert_eq(jint(h->summary, "lost_records"), 0, "records were lost");
	cr_assert_eq(jint(h->summary, "malformed_records"), 0, "malformed records");
	cr_assert(jtrue(h->summary, "clean"), "summary says the run was not clean");
	cr_assert_eq(hsurvivor(h), 0, "pid %lld of the run is still alive", hsurvivor(h));
}

int
hdial(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { 10, 0 };
	int one = 1, s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(s, 0, "socket: %s", strerror(errno));
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	cr_assert_eq(connect(s, (struct sockaddr *)&sa, sizeof sa), 0, "connect to 127.0.0.1:%d: %s", port,
		     strerror(errno));
	return s;
}

int
hfree_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	cr_assert_geq(s, 0, "socket: %s", strerror(errno));
	cr_assert_eq(bind(s, (struct sockaddr *)&sa, sizeof sa), 0, "bind 127.0.0.1:0: %s", strerror(errno));
	getsockname(s, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);
	close(s);
	return port;
}

const char *
hexecutable(const char *const *paths)
{
	for (int i = 0; paths[i]; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

const char *
hbuilt(const char *rel)
{
	static char path[PATH_MAX];
	const char *bin = getenv("EPOLLVIZ_BIN");
	const char *slash = bin ? strrchr(bin, '/') : NULL;
	int dirlen = slash ? (int)(slash - bin) : 1;

	snprintf(path, sizeof path, "%.*s/build/%s", dirlen, slash ? bin : ".", rel);
	if (access(path, X_OK) != 0)
		snprintf(path, sizeof path, "%.*s/%s", dirlen, slash ? bin : ".", rel);
	cr_assert_eq(access(path, X_OK), 0, "%s was not built: %s", rel, path);
	return path;
}

int
hcpus(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
}

int
hlive_port(struct hlive *l)
{
	long i = hlive_wait(l, "listen", NULL, NULL, 20);

	cr_assert_geq(i, 0, "the server never listened: %s", l->h.out);
	return (int)jint(l->h.recs[i], "port");
}
