/*
 * test_attach.c - `attach` at real-world scale and against untrusted
 * processes, on the real kernel: helper processes forked here hold
 * 20 000 watches or 1000 instances, live in their own network namespace,
 * refuse to be read, or carry escape sequences in their names; every
 * answer is checked against an independent reading (fdinfo, kcmp).
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "hrun.h"
#include "kview.h"
#include "proctab.h"
#include "tui_helpers.h"

#define DEADLINE_S 60

/* The screen tests' tmux server: ended by the fini even when an assertion fails (helpers die with the test). */
static struct tui AT;

static void
attach_fini(void)
{
	tui_kill(&AT);
}

TestSuite(attach, .fini = attach_fini);

/* A forked helper: its pid, and the pipe it says "ready" (one byte) on. */
struct helper {
	pid_t pid;
	int ready;
};

/* Fork a helper that runs fn(wr) and then waits to be killed; fn writes one byte to wr when set up. */
static void
helper_start(struct helper *h, void (*fn)(int wr, void *arg), void *arg)
{
	int p[2];

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	h->pid = fork();
	cr_assert_geq(h->pid, 0, "fork: %s", strerror(errno));
	if (h->pid == 0) {
		/* Only what fn makes: none of the test runner's own fds (it has epoll fds of its own). */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (dup2(p[1], 3) != 3 || syscall(SYS_close_range, 4u, ~0u, 0u) < 0)
			_exit(1);
		fn(3, arg);
		for (;;)
			pause();
	}
	close(p[1]);
	h->ready = p[0];
}

/* Wait (bounded) for the helper's byte: 1 for "ready", or the byte it sent ('s' = skip...). */
static char
helper_wait(struct helper *h)
{
	struct pollfd pfd = { .fd = h->ready, .events = POLLIN };
	char c = 0;

	cr_assert_eq(poll(&pfd, 1, DEADLINE_S * 1000), 1, "the helper did not get ready in %d s", DEADLINE_S);
	if (read(h->ready, &c, 1) != 1)
		cr_assert_fail("the helper died while setting up");
	return c;
}

/* Kill and reap the helper. */
static void
helper_stop(struct helper *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
	}
	close(h->ready);
	h->pid = 0;
}

/* The process of kv with pid (the first listed), or fail. */
static const struct kv_proc *
proc_of(const struct kview *kv, int pid)
{
	for (int i = 0; i < kv->np; i++)
		if (kv->p[i].pid == pid)
			return &kv->p[i];
	cr_assert_fail("pid %d not in the reading", pid);
	return NULL;
}

/* The fd entry fd of p, or NULL. */
static const struct kv_fd *
fd_of(const struct kv_proc *p, int fd)
{
	for (int k = 0; k < p->nfds; k++)
		if (p->fds[k].fd == fd)
			return &p->fds[k];
	return NULL;
}

/* One tfd line of an independent reading of fdinfo. */
struct tfd {
	int fd;
	unsigned events;
	unsigned long long data;
	unsigned long ino;
};

/* Read /proc/PID/fdinfo/FD with stdio (not kview's reader) and collect its tfd lines. */
static int
fdinfo_tfds(int pid, int fd, struct tfd **out)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	int n = 0, max = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "re");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	*out = NULL;
	while (getline(&line, &cap, f) > 0) {
		struct tfd t = { 0 };

		if (sscanf(line, "tfd: %d events: %x data: %llx pos:%*s ino:%lx", &t.fd, &t.events, &t.data, &t.ino) <
		    3)
			continue;
		if (n == max) {
			max = max ? max * 2 : 1024;
			*out = realloc(*out, (size_t)max * sizeof **out);
			cr_assert_not_null(*out);
		}
		(*out)[n++] = t;
	}
	free(line);
	fclose(f);
	return n;
}

/* Raise the soft RLIMIT_NOFILE to want; 0, or -1 when the hard limit is lower. */
static int
raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max < want)
		return -1;
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

#define WATCHES 20000
#define EACH (WATCHES / 2)

/* Parent and child of the helper each add EACH fds (socket pairs) to one shared instance. */
static void
many_watches(int wr, void *arg)
{
	int ep, go[2], done[2];
	pid_t kid;
	char c = 1;

	(void)arg;
	if (raise_nofile(EACH + 64) < 0) {
		c = 's';
		write(wr, &c, 1);
		return;
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (pipe(go) < 0 || pipe(done) < 0)
		_exit(1);
	kid = fork();
	if (kid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (int i = 0; i < EACH; i += 2) {
		int sv[2];
		struct epoll_event ev = { .events = EPOLLIN | (i % 4 ? EPOLLET : 0) };

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
			_exit(1);
		/* Pointers above 2^53, as a real server's are: a JSON double cannot hold them. */
		ev.data.u64 = 0x7f6a000000000000ull + (uint64_t)(kid ? 0 : 1) * 0x100000000ull + (uint64_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev);
		ev.data.u64++;
		epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
	}
	if (kid == 0) {
		write(done[1], "k", 1);
		for (;;)
			pause();
	}
	if (read(done[0], &c, 1) != 1)
		_exit(1);
	c = 1;
	write(wr, &c, 1);
}

Test(attach, twenty_thousand_watches_match_fdinfo_and_kcmp, .timeout = 120)
{
	struct helper h;
	struct kview kv;
	struct tfd *t;
	int nt, pid, kid = 0, ep = -1, nep = 0;

	helper_start(&h, many_watches, NULL);
	if (helper_wait(&h) == 's') {
		helper_stop(&h);
		cr_skip_test("RLIMIT_NOFILE's hard limit is below %d: cannot hold the helper's fds", EACH + 64);
	}
	pid = h.pid;
	kview_read(&kv, &pid, 1, 1);
	cr_assert_eq(kv.np, 2, "the helper and its child: %d processes", kv.np);
	for (int i = 0; i < kv.np; i++) {
		const struct kv_proc *p = &kv.p[i];

		cr_assert_eq(p->err, 0, "pid %d: %s", p->pid, strerror(p->err));
		if (p->pid != pid)
			kid = p->pid;
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *e = &p->fds[k];

			if (e->kind != KV_EPOLL)
				continue;
			nep++;
			ep = e->fd;
			nt = fdinfo_tfds(p->pid, e->fd, &t);
			cr_assert_eq(nt, WATCHES, "fdinfo itself lists %d", nt);
			cr_assert_eq(e->info.nw, nt, "pid %d: %d of fdinfo's %d entries", p->pid, e->info.nw, nt);
			for (int w = 0; w < nt; w++) {
				const struct kv_watch *kw = &e->info.w[w];

				cr_assert(kw->tfd == t[w].fd && kw->events == t[w].events && kw->data == t[w].data &&
					  kw->ino == t[w].ino,
					  "entry %d: fd %d data %llx ino %lx, fdinfo: fd %d data %llx ino %lx", w, kw->tfd,
					  (unsigned long long)kw->data, kw->ino, t[w].fd, t[w].data, t[w].ino);
				cr_assert(strncmp(kw->what, "unix stream", 11) == 0, "entry %d is '%s'", w, kw->what);
			}
			free(t);
		}
	}
	cr_assert_eq(nep, 2);
	/* One instance, shared: kcmp says so, and so must the reading. */
	cr_assert_eq(syscall(SYS_kcmp, pid, kid, KCMP_FILE, ep, ep), 0, "kcmp: not one instance?");
	cr_assert_eq(kv.ninstances, 1, "%d instances", kv.ninstances);
	cr_assert_eq(kv.unknown, 0);
	kview_free(&kv);
	helper_stop(&h);
}

Test(attach, json_data_keeps_every_bit_as_hex, .timeout = 120)
{
	struct helper h;
	char pidarg[16], *out = malloc(64 << 20);
	char *argv[] = { "attach", "--children", "--json", pidarg, NULL };
	struct hrun r;
	json_t *doc, *p, *ep, *w;
	json_error_t e;
	size_t i, k, m, seen = 0;

	cr_assert_not_null(out);
	helper_start(&h, many_watches, NULL);
	if (helper_wait(&h) == 's') {
		helper_stop(&h);
		cr_skip_test("RLIMIT_NOFILE's hard limit is below %d", EACH + 64);
	}
	snprintf(pidarg, sizeof pidarg, "%d", h.pid);
	hrun_raw(&r, argv, out, 64 << 20);
	helper_stop(&h);
	cr_assert_eq(r.status, 0, "attach: %s", r.out);
	doc = json_loads(out, 0, &e);
	cr_assert_not_null(doc, "not JSON: %s", e.text);
	json_array_foreach(json_object_get(doc, "processes"), i, p)
		json_array_foreach(json_object_get(p, "epoll"), k, ep)
			json_array_foreach(json_object_get(ep, "watches"), m, w) {
				unsigned long long d = strtoull(jstr(w, "data_hex"), NULL, 16);

				cr_assert(strncmp(jstr(w, "data_hex"), "0x7f6a", 6) == 0, "data_hex %s", jstr(w, "data_hex"));
				cr_assert_eq((unsigned long long)json_integer_value(json_object_get(w, "data")), d);
				seen++;
			}
	cr_assert_eq(seen, 2 * WATCHES, "%zu watches in the JSON", seen);
	json_decref(doc);
	hrun_free(&r);
	free(out);
}

#define INSTANCES 1000
#define DUPS 100

/* 1000 instances, 100 of them also under a second fd, and instance 0 watching instance 1 (nested). */
static void
many_instances(int wr, void *arg)
{
	int *fds = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	char c = 1;

	if (raise_nofile(INSTANCES + DUPS + 64) < 0) {
		c = 's';
		write(wr, &c, 1);
		return;
	}
	for (int i = 0; i < INSTANCES; i++)
		if ((fds[i] = epoll_create1(0)) < 0)
			_exit(1);
	for (int i = 0; i < DUPS; i++)
		if (dup(fds[i * 7]) < 0)
			_exit(1);
	epoll_ctl(fds[0], EPOLL_CTL_ADD, fds[1], &ev);
	write(wr, &c, 1);
}

Test(attach, thousand_instances_told_apart_as_kcmp_does, .timeout = 120)
{
	struct helper h;
	struct kview kv;
	static int fds[INSTANCES];
	const struct kv_proc *p;
	int nep = 0;

	helper_start(&h, many_instances, fds); /* the child fills its own copy; the numbers are re-read below */
	if (helper_wait(&h) == 's') {
		helper_stop(&h);
		cr_skip_test("RLIMIT_NOFILE's hard limit is below %d", INSTANCES + DUPS + 64);
	}
	kview_read(&kv, &h.pid, 1, 0);
	p = proc_of(&kv, h.pid);
	cr_assert_eq(p->err, 0);
	cr_assert_eq(kv.ninstances, INSTANCES, "%d instances, %d unknown", kv.ninstances, kv.unknown);
	cr_assert_eq(kv.unknown, 0);
	cr_assert_eq(kv.kcmp_err, 0);
	/* Every pair of epoll fds: same instance number exactly when kcmp says same file. */
	for (int a = 0; a < p->nfds; a++) {
		if (p->fds[a].kind != KV_EPOLL)
			continue;
		nep++;
		cr_assert_gt(p->fds[a].instance, 0);
		for (int b = a + 1; b < p->nfds; b++) {
			long same;

			if (p->fds[b].kind != KV_EPOLL)
				continue;
			same = syscall(SYS_kcmp, h.pid, h.pid, KCMP_FILE, p->fds[a].fd, p->fds[b].fd) == 0;
			if (same != (p->fds[a].instance == p->fds[b].instance))
				cr_assert_fail("fd %d (#%d) and fd %d (#%d): kcmp says %s", p->fds[a].fd,
					       p->fds[a].instance, p->fds[b].fd, p->fds[b].instance,
					       same ? "same" : "different");
		}
	}
	cr_assert_eq(nep, INSTANCES + DUPS);
	/* The first instance watches the second: named by its number. */
	for (int a = 0; a < p->nfds; a++)
		if (p->fds[a].kind == KV_EPOLL && p->fds[a].info.nw == 1) {
			const struct kv_fd *inner = fd_of(p, p->fds[a].info.w[0].tfd);
			char want[32];

			cr_assert_not_null(inner);
			snprintf(want, sizeof want, "epoll instance #%d", inner->instance);
			cr_assert(strstr(p->fds[a].info.w[0].what, want), "nested: '%s', want '%s'",
				  p->fds[a].info.w[0].what, want);
		}
	kview_free(&kv);
	helper_stop(&h);
}

/* Bring lo up in this (new) network namespace. */
static int
loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	r = s < 0 ? -1 : ioctl(s, SIOCGIFFLAGS, &ifr);
	if (r == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (s >= 0)
		close(s);
	return r;
}

/* A listener (backlog 7) with two connections waiting, watched; its port after the ready byte. */
static void
listen_with_queue(int wr)
{
	int port, ls, ep;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	struct epoll_event ev = { .events = EPOLLIN };
	char c;

	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 7) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0)
		_exit(1);
	for (int i = 0; i < 2; i++) {
		int cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (cs < 0 || connect(cs, (struct sockaddr *)&sa, sizeof sa) < 0)
			_exit(1);
	}
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	port = ntohs(sa.sin_port);
	c = (char)1;
	/* The port goes with the byte: the test's memory is not this process's. */
	write(wr, &c, 1);
	write(wr, &port, sizeof port);
}

/* In a network namespace of its own (unshare -n): the listener with its queue. */
static void
netns_server(int wr, void *arg)
{
	char c = 's';

	(void)arg;
	if (unshare(CLONE_NEWNET) < 0 || loopback_up() < 0) {
		write(wr, &c, 1);
		return;
	}
	listen_with_queue(wr);
}

/* The same as nobody, in a user and network namespace of its own (a rootless container: unshare -rn). */
static void
userns_server(int wr, void *arg)
{
	char c = 's';

	(void)arg;
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
	    unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0 || loopback_up() < 0) {
		write(wr, &c, 1);
		return;
	}
	prctl(PR_SET_DUMPABLE, 1); /* its own user may look at it, as at any process of theirs */
	listen_with_queue(wr);
}

Test(attach, target_in_its_own_network_namespace_shows_listener_and_queue, .timeout = 60)
{
	struct helper h;
	struct kview kv;
	int port = 0, listeners = 0, clients = 0;
	char want[64];
	const struct kv_proc *p;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot make a network namespace (unshare -n)");
	helper_start(&h, netns_server, NULL);
	if (helper_wait(&h) == 's') {
		helper_stop(&h);
		cr_skip_test("unshare(CLONE_NEWNET) or bringing lo up failed here");
	}
	cr_assert_eq(read(h.ready, &port, sizeof port), (ssize_t)sizeof port);
	kview_read(&kv, &h.pid, 1, 0);
	p = proc_of(&kv, h.pid);
	snprintf(want, sizeof want, "tcp 127.0.0.1:%d LISTEN (queue 2 of 7)", port);
	for (int k = 0; k < p->nfds; k++) {
		const struct kv_fd *f = &p->fds[k];

		if (f->listening) {
			listeners++;
			cr_assert_str_eq(f->what, want);
			cr_assert_eq(f->qlen, 2);
			cr_assert_eq(f->backlog, 7);
		} else if (f->kind == KV_TCP) {
			clients++;
			cr_assert(strstr(f->what, "ESTAB"), "client '%s'", f->what);
		}
		if (f->kind == KV_EPOLL) {
			cr_assert_eq(f->info.nw, 1);
			cr_assert_str_eq(f->info.w[0].what, want, "the watch names the listener");
		}
	}
	cr_assert_eq(listeners, 1, "the listener of the other namespace was not found");
	cr_assert_eq(clients, 2);
	kview_free(&kv);
	helper_stop(&h);
}

/* Run the binary with args as uid (uid < 0: ours), stdout and stderr to out/err; the exit status. */
static int
run_as(int uid, char *const args[], char *out, size_t outcap, char *err, size_t errcap)
{
	int o[2], e[2], st;
	pid_t pid;
	const char *bin = getenv("EPOLLVIZ_BIN");
	size_t no = 0, ne = 0, nargs = 0;
	struct pollfd pfd[2];
	char **argv;

	cr_assert_not_null(bin, "EPOLLVIZ_BIN is not set");
	while (args[nargs])
		nargs++;
	argv = calloc(nargs + 2, sizeof *argv);
	cr_assert_not_null(argv);
	argv[0] = (char *)bin;
	memcpy(argv + 1, args, nargs * sizeof *argv);
	cr_assert_eq(pipe2(o, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(e, O_CLOEXEC), 0);
	pid = fork();
	if (pid == 0) {
		dup2(o[1], 1);
		dup2(e[1], 2);
		if (uid >= 0 && (setgid((gid_t)uid) < 0 || setuid((uid_t)uid) < 0))
			_exit(99);
		execv(bin, argv);
		_exit(98);
	}
	close(o[1]);
	close(e[1]);
	pfd[0] = (struct pollfd){ .fd = o[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = e[0], .events = POLLIN };
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		cr_assert_gt(poll(pfd, 2, DEADLINE_S * 1000), 0, "the binary hung");
		for (int i = 0; i < 2; i++) {
			char *b = i ? err : out;
			size_t *n = i ? &ne : &no, cap = i ? errcap : outcap;
			char sink[4096];
			ssize_t k;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			k = *n + 1 < cap ? read(pfd[i].fd, b + *n, cap - 1 - *n) : read(pfd[i].fd, sink, sizeof sink);
			if (k <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
			} else if (*n + 1 < cap) {
				*n += (size_t)k;
			}
		}
	}
	out[no] = err[ne] = '\0';
	free(argv);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(attach, a_process_that_refuses_is_an_error_not_an_empty_truth, .timeout = 60)
{
	char out[65536], err[4096];
	char *text[] = { "attach", "1", NULL }, *json[] = { "attach", "--json", "1", NULL };
	int st;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot become another user to be refused");
	if (getpid() == 1)
		cr_skip_test("this test process is PID 1 itself");
	st = run_as(65534, text, out, sizeof out, err, sizeof err);
	cr_assert_neq(st, 99, "setuid(65534) failed");
	cr_assert_eq(st, 1, "exit %d; stderr: %s; stdout: %s", st, err, out);
	cr_assert(strstr(err, "process 1:") && strstr(err, "cannot read /proc/1/"), "stderr: %s", err);
	cr_assert(strstr(out, "cannot read /proc/1/"), "the report says it too: %s", out);
	st = run_as(65534, json, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 1, "exit %d; stderr: %s", st, err);
	cr_assert(strstr(out, "\"error\":\"E") && !strstr(out, "\"error\":null"), "JSON: %s", out);
}

Test(attach, exit_codes_agree_for_gone_pids, .timeout = 60)
{
	char out[65536], err[4096];
	char self[16];
	char *gone[] = { "attach", "4194000", NULL }, *mixed[] = { "attach", self, "4194000", NULL };
	char *fine[] = { "attach", self, NULL };
	int st;

	snprintf(self, sizeof self, "%d", getpid());
	st = run_as(-1, gone, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 1);
	cr_assert(strstr(err, "no process 4194000"), "stderr: %s", err);
	st = run_as(-1, mixed, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 1, "a named pid that is gone makes the report incomplete: exit %d", st);
	st = run_as(-1, fine, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 0, "exit %d: %s", st, err);
	cr_assert_str_eq(err, "");
}

/* No cap on the pids a user names: 300 processes, each in the report. */
Test(attach, three_hundred_named_pids_are_all_read, .timeout = 60)
{
	enum { N = 300 };
	static char pidtext[N][16];
	char *argv[N + 3], err[4096];
	static char out[4 << 20];
	pid_t kids[N];
	json_t *doc;
	int st;

	argv[0] = "attach";
	argv[1] = "--json";
	for (int i = 0; i < N; i++) {
		kids[i] = fork();
		cr_assert_geq(kids[i], 0, "fork: %s", strerror(errno));
		if (kids[i] == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			for (;;)
				pause();
		}
		snprintf(pidtext[i], sizeof pidtext[i], "%d", (int)kids[i]);
		argv[i + 2] = pidtext[i];
	}
	argv[N + 2] = NULL;
	st = run_as(-1, argv, out, sizeof out, err, sizeof err);
	for (int i = 0; i < N; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	cr_assert_eq(st, 0, "exit %d: %s", st, err);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %.300s", out);
	cr_assert_eq(json_array_size(json_object_get(doc, "processes")), N, "%zu processes in the report",
		     json_array_size(json_object_get(doc, "processes")));
	json_decref(doc);
}

/* A process's setup: an eventfd watched by an epoll instance of its own (0, or -1). */
static int
own_epoll(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0), e = eventfd(0, 0);

	(void)arg;
	return ep < 0 || e < 0 ? -1 : epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
}

/* A helper for the next test: one epoll instance watching an eventfd. */
static void
one_epoll(int wr, void *arg)
{
	if (own_epoll(arg) < 0 || write(wr, "r", 1) != 1)
		_exit(1);
}

/*
 * At 80x24 the title bar gives up its least useful words first (the
 * program's name, then the counts), never the refresh period's unit: the
 * whole bar used to be cut at the right edge, "every 0.5".
 */
Test(attach, the_title_bar_fits_80_columns_with_whole_words, .timeout = 60)
{
	struct tui *t = &AT;
	struct helper h;
	char args[64];

	if (tui_sh("command -v tmux >/dev/null") != 0)
		cr_skip_test("tmux is not installed");
	helper_start(&h, one_epoll, NULL);
	cr_assert_eq(helper_wait(&h), 'r');
	snprintf(args, sizeof args, "attach --children %d", (int)h.pid);
	tui_init(t, "attach-bar");
	cr_assert_eq(tui_start(t, 80, 24, args, NULL, NULL), 0);
	/* The name goes first when the bar is too wide; with a short pid (a fresh machine) it fits and stays. */
	cr_assert(tui_wait_re(t, "^ (epollviz \xe2\x94\x82 )?attach [0-9]+ and children .* 1 process .* every [0-9]+\\.[0-9] s *$",
			      20000),
		  "the title bar at 80 columns:\n%s", t->screen);
	cr_assert(tui_wait_re(t, "epfd [0-9]+ .*instance #1", 20000), "the instance is not shown:\n%s", t->screen);
	tui_keys(t, "q");
	tui_wait(t, tui_pred_exited, NULL, 10000);
	tui_kill(t);
	helper_stop(&h);
}

/*
 * In a helper: fork n children that each run setup(arg) (0 when done) and
 * then wait to be killed (they die with the helper); say "r" on wr once
 * all are set up.
 */
static void
fork_children(int wr, int n, int (*setup)(void *arg), void *arg)
{
	int ready[2];
	char c;

	if (pipe(ready) < 0)
		_exit(1);
	for (int i = 0; i < n; i++) {
		pid_t kid = fork();

		if (kid < 0)
			_exit(1);
		if (kid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(wr);
			if (setup(arg) < 0 || write(ready[1], "k", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
	}
	for (int i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			_exit(1);
	if (write(wr, "r", 1) != 1)
		_exit(1);
}

/* A tree for the next test: n children, each with an eventfd watched by an epoll instance of its own. */
static void
epoll_tree(int wr, void *arg)
{
	fork_children(wr, *(int *)arg, own_epoll, NULL);
}

/* Read a tree of n children, each an epoll instance watching an eventfd, under RLIMIT_NOFILE limit: all of it, no error. */
static void
tree_is_read_whole(int n, rlim_t limit)
{
	static char out[8 << 20];
	char err[4096], pid[16];
	char *argv[] = { "attach", "--children", "--json", pid, NULL };
	struct rlimit old, low;
	struct helper h;
	json_t *doc, *procs;
	int st, epolls = 0;

	helper_start(&h, epoll_tree, &n);
	cr_assert_eq(helper_wait(&h), 'r');
	snprintf(pid, sizeof pid, "%d", (int)h.pid);
	cr_assert_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = limit; /* the binary under test inherits it */
	cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	st = run_as(-1, argv, out, sizeof out, err, sizeof err);
	setrlimit(RLIMIT_NOFILE, &old);
	helper_stop(&h);
	cr_assert_eq(st, 0, "%d processes under %d fds: exit %d: %.2000s", n + 1, (int)limit, st, err);
	cr_assert_str_eq(err, "", "stderr: %.2000s", err);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %.300s", out);
	procs = json_object_get(doc, "processes");
	cr_assert_eq(json_array_size(procs), (size_t)n + 1, "%zu processes", json_array_size(procs));
	for (size_t i = 0; i < json_array_size(procs); i++) {
		json_t *p = json_array_get(procs, i), *ep = json_object_get(p, "epoll");

		cr_assert(json_is_null(json_object_get(p, "error")), "process %zu has an error", i);
		for (size_t k = 0; k < json_array_size(ep); k++)
			epolls += json_array_size(json_object_get(json_array_get(ep, k), "watches")) == 1;
	}
	cr_assert_eq(epolls, n, "%d of the %d children show their epoll fd watching their eventfd", epolls, n);
	cr_assert_eq(json_integer_value(json_object_get(doc, "instance_count")), n);
	json_decref(doc);
}

/*
 * A tree of more processes than attach may open fds: each process's
 * /proc directories are open only while it is read (they were all held
 * until the reading's end once, and the later processes' epoll and
 * eventfds then came out as "EMFILE" refusals).
 */
Test(attach, a_tree_of_more_processes_than_open_fds_is_read_whole, .timeout = 120)
{
	tree_is_read_whole(300, 128);
}

/*
 * Processes are read sixteen at a time, two /proc directories open for
 * each: under a limit too tight for that (the contest's load raises it
 * only as far as its sockets need) a process refused with EMFILE is read
 * again alone, as it would have been one by one.
 */
Test(attach, a_limit_too_tight_for_a_batch_still_reads_every_process, .timeout = 120)
{
	tree_is_read_whole(40, 24);
}

/* A child's setup: close the fd at arg (its watch then names the parent's fd: "(fd N of pid P)"). */
static int
close_it(void *arg)
{
	return close(*(int *)arg);
}

/* A tree for the next test: an epoll instance watching an eventfd, forked n times; each child closes the eventfd. */
static void
stale_tree(int wr, void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int ep = epoll_create1(0), e = eventfd(0, 0);

	if (ep < 0 || e < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev) < 0)
		_exit(1);
	fork_children(wr, *(int *)arg, close_it, &e);
}

/*
 * Stale watches' texts cost what they hold: 300 processes sharing an
 * instance whose one watch is stale in each (after a fork, as in a
 * server's workers) once took a 256 KiB block each, 75 MB more than
 * reading one process.
 */
Test(attach, stale_watches_in_many_processes_cost_what_their_texts_take, .timeout = 120)
{
	static char out[8 << 20];
	char err[4096], pid[16], self[16];
	char *tree[] = { "attach", "--children", "--json", pid, NULL }, *one[] = { "attach", "--json", self, NULL };
	struct rusage ru;
	struct helper h;
	long base, peak;
	int n = 300, st;

	snprintf(self, sizeof self, "%d", getpid());
	st = run_as(-1, one, out, sizeof out, err, sizeof err);
	cr_assert_eq(st, 0, "exit %d: %s", st, err);
	cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	base = ru.ru_maxrss;
	helper_start(&h, stale_tree, &n);
	cr_assert_eq(helper_wait(&h), 'r');
	snprintf(pid, sizeof pid, "%d", (int)h.pid);
	st = run_as(-1, tree, out, sizeof out, err, sizeof err);
	helper_stop(&h);
	cr_assert_eq(st, 0, "exit %d: %.2000s", st, err);
	cr_assert(strstr(out, "\"what\":\"eventfd (count 0) (fd "), "no stale watch named by its holder: %.2000s", out);
	cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	peak = ru.ru_maxrss > base ? ru.ru_maxrss : base;
	cr_assert_lt(peak - base, 24 * 1024, "reading %d processes took %ld KiB more than reading one (%ld KiB)", n + 1,
		     peak - base, base);
}

/* exec sleep with an argv[0] full of terminal escapes and a newline, as `exec -a` would. */
static void
evil_sleep(int wr, void *arg)
{
	char *argv[] = { "evil\033]0;pwned\a\033[2J\nsecond line", "30", NULL };

	(void)arg;
	fcntl(wr, F_SETFD, FD_CLOEXEC);
	execvp("sleep", argv);
	_exit(127);
}

/* Wait (bounded) until pid's cmdline starts with prefix. */
static void
wait_cmdline(int pid, const char *prefix)
{
	char path[64], buf[256];

	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	for (int i = 0; i < DEADLINE_S * 100; i++) {
		FILE *f = fopen(path, "re");
		size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

		if (f)
			fclose(f);
		buf[n] = '\0';
		if (strncmp(buf, prefix, strlen(prefix)) == 0)
			return;
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL); /* polling for a condition, bounded above */
	}
	cr_assert_fail("pid %d never exec'd", pid);
}

Test(attach, an_escape_laden_command_line_is_printed_escaped, .timeout = 60)
{
	struct helper h;
	char pidarg[16], out[65536], err[4096];
	char *text[] = { "attach", pidarg, NULL };
	const char *want = "evil\\e]0;pwned\\a\\e[2J\\nsecond line 30";
	int st, lines = 0;

	helper_start(&h, evil_sleep, NULL);
	wait_cmdline(h.pid, "evil");
	snprintf(pidarg, sizeof pidarg, "%d", h.pid);
	st = run_as(-1, text, out, sizeof out, err, sizeof err);
	helper_stop(&h);
	cr_assert_eq(st, 0, "exit %d: %s", st, err);
	for (const char *c = out; *c; c++) {
		cr_assert(*c == '\n' || (unsigned char)*c >= 0x20, "a raw control byte 0x%02x reached the output", *c);
		lines += *c == '\n';
	}
	cr_assert(strstr(out, want), "want '%s' in:\n%s", want, out);
	cr_assert_eq(lines, 3, "header, the process, the instance count; got:\n%s", out);
}

Test(attach, escape_keeps_utf8_and_escapes_the_rest)
{
	char buf[64];

	cr_assert_str_eq(proctab_escape("a\033b\\c\n", 6, buf, sizeof buf), "a\\eb\\\\c\\n");
	cr_assert_str_eq(proctab_escape("\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 12, buf, sizeof buf),
			 "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "Cyrillic stays");
	cr_assert_str_eq(proctab_escape("\xc2\x9b" "2J", 4, buf, sizeof buf), "\\xc2\\x9b2J", "a C1 CSI is a control");
	cr_assert_str_eq(proctab_escape("\x9b\xff\x7f", 3, buf, sizeof buf), "\\x9b\\xff\\x7f");
	cr_assert_str_eq(proctab_escape("\xe2\x96", 2, buf, sizeof buf), "\\xe2\\x96", "a cut character");
	cr_assert_str_eq(proctab_escape("ab\033", 3, buf, 4), "ab", "an escape that does not fit is left out whole");
	cr_assert_str_eq(proctab_escape("x\0y", 3, buf, sizeof buf), "x\\x00y");
}

/* A process whose comm (prctl) carries an escape: stat's comm is escaped too. */
static void
evil_comm(int wr, void *arg)
{
	char c = 1;

	(void)arg;
	prctl(PR_SET_NAME, "ev\033[2Jil");
	write(wr, &c, 1);
}

Test(attach, an_escape_laden_comm_is_stored_escaped)
{
	struct helper h;
	struct kview kv;

	helper_start(&h, evil_comm, NULL);
	helper_wait(&h);
	kview_read(&kv, &h.pid, 1, 0);
	cr_assert_str_eq(proc_of(&kv, h.pid)->row.comm, "ev\\e[2Jil");
	kview_free(&kv);
	helper_stop(&h);
}

Test(attach, a_reused_pid_is_a_new_process_and_the_old_one_gone)
{
	struct helper h;
	struct kview kv;
	struct kv_id id = { 0 };

	helper_start(&h, evil_comm, NULL);
	helper_wait(&h);
	kview_read(&kv, &h.pid, 1, 0);
	id.pid = h.pid;
	id.start = proc_of(&kv, h.pid)->start;
	cr_assert_gt(id.start, 0, "no start time read");
	kview_free(&kv);
	/* Its own identity: the same process. */
	kview_read_ids(&kv, &id, 1, 0);
	cr_assert_eq(kv.np, 1);
	cr_assert(!kv.p[0].gone);
	kview_free(&kv);
	/* An identity this pid had before (an earlier start): that one is gone, this one is new. */
	id.start -= 1;
	kview_read_ids(&kv, &id, 1, 0);
	cr_assert_eq(kv.np, 2, "the old process and the new one");
	cr_assert(kv.p[0].gone && kv.p[0].reused);
	cr_assert_eq(kv.p[0].start, id.start);
	cr_assert(!kv.p[1].gone && kv.p[1].pid == h.pid && kv.p[1].start == id.start + 1);
	kview_free(&kv);
	helper_stop(&h);
}

/* With --children: a descendant's pid that came round again names a stranger, and a stranger's children are not ours. */
Test(attach, a_descendants_reused_pid_is_not_followed)
{
	struct helper h;
	struct kview kv;
	struct kv_id id, me = { getpid(), 0, 0 };
	int found = 0;

	helper_start(&h, evil_comm, NULL);
	helper_wait(&h);
	/* Our own identity, with children: the helper is found below it, as a descendant. */
	kview_read(&kv, &me.pid, 1, 0);
	me.start = proc_of(&kv, me.pid)->start;
	kview_free(&kv);
	kview_read_ids(&kv, &me, 1, 1);
	for (int i = 0; i < kv.np; i++)
		found |= kv.p[i].pid == h.pid && !kv.p[i].gone;
	cr_assert(found, "the helper is not found as a descendant");
	kview_free(&kv);
	/* A descendant remembered with an earlier start: gone, and whoever has its pid now is not listed. */
	kview_read(&kv, &h.pid, 1, 0);
	id = (struct kv_id){ h.pid, proc_of(&kv, h.pid)->start - 1, 1 };
	kview_free(&kv);
	kview_read_ids(&kv, &id, 1, 1);
	cr_assert_eq(kv.np, 1, "%d processes: a stranger at a descendant's reused pid was followed", kv.np);
	cr_assert(kv.p[0].gone && kv.p[0].reused);
	kview_free(&kv);
	/* A named process whose pid now names another: that one is shown, but not its children. */
	me.start -= 1;
	kview_read_ids(&kv, &me, 1, 1);
	cr_assert_eq(kv.np, 2, "%d processes: the old one, the new one, and no children of the new one", kv.np);
	cr_assert(kv.p[0].gone && kv.p[0].reused && !kv.p[1].gone);
	kview_free(&kv);
	helper_stop(&h);
}

/* The fds of kinds_helper, by what the test expects of each. */
enum { K_PIPE_R, K_PIPE_W, K_EVENTFD, K_TIMERFD, K_SIGNALFD, K_INOTIFY, K_PIDFD, K_UDP, K_TCP6, K_NETLINK,
       K_UNIX_LISTEN, K_UNIX_PAIR, K_TCP_RECV, K_EPOLL, K_N };

struct kinds {
	int fd[K_N];
	int port[K_N];
	int tcp6;        /* 0 when this machine has no IPv6 loopback */
};

/* One fd of every kind attach names, all but the sockets watched by one epoll instance. */
static void
kinds_helper(int wr, void *arg)
{
	struct kinds *k = arg;
	int p[2], ls, cs;
	sigset_t ss;
	struct itimerspec its = { .it_interval = { 2, 0 }, .it_value = { 100, 0 } };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof sa;
	struct pollfd pfd;
	char c = 1;

	memset(k, 0, sizeof *k);
	if (pipe(p) < 0)
		_exit(1);
	k->fd[K_PIPE_R] = p[0];
	k->fd[K_PIPE_W] = p[1];
	k->fd[K_EVENTFD] = eventfd(5, EFD_SEMAPHORE);
	k->fd[K_TIMERFD] = timerfd_create(CLOCK_MONOTONIC, 0);
	timerfd_settime(k->fd[K_TIMERFD], 0, &its, NULL);
	sigemptyset(&ss);
	sigaddset(&ss, SIGUSR1);
	sigaddset(&ss, SIGUSR2);
	k->fd[K_SIGNALFD] = signalfd(-1, &ss, 0);
	k->fd[K_INOTIFY] = inotify_init1(0);
	inotify_add_watch(k->fd[K_INOTIFY], "/tmp", IN_CREATE);
	inotify_add_watch(k->fd[K_INOTIFY], "/", IN_CREATE);
	k->fd[K_PIDFD] = (int)syscall(SYS_pidfd_open, getppid(), 0);
	k->fd[K_UDP] = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(k->fd[K_UDP], (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    getsockname(k->fd[K_UDP], (struct sockaddr *)&sa, &sl) < 0)
		_exit(1);
	k->port[K_UDP] = ntohs(sa.sin_port);
	k->fd[K_TCP6] = socket(AF_INET6, SOCK_STREAM, 0);
	sl = sizeof s6;
	k->tcp6 = k->fd[K_TCP6] >= 0 && bind(k->fd[K_TCP6], (struct sockaddr *)&s6, sizeof s6) == 0 &&
		  listen(k->fd[K_TCP6], 3) == 0 && getsockname(k->fd[K_TCP6], (struct sockaddr *)&s6, &sl) == 0;
	k->port[K_TCP6] = ntohs(s6.sin6_port);
	k->fd[K_NETLINK] = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	bind(k->fd[K_NETLINK], (struct sockaddr *)&snl, sizeof snl);
	/* An abstract unix listener with one connection waiting. */
	snprintf(su.sun_path + 1, sizeof su.sun_path - 1, "epollviz-test-%d", getpid());
	sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(su.sun_path + 1));
	k->fd[K_UNIX_LISTEN] = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(k->fd[K_UNIX_LISTEN], (struct sockaddr *)&su, sl) < 0 || listen(k->fd[K_UNIX_LISTEN], 4) < 0)
		_exit(1);
	cs = socket(AF_UNIX, SOCK_STREAM, 0);
	if (connect(cs, (struct sockaddr *)&su, sl) < 0)
		_exit(1);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) < 0)
		_exit(1);
	k->fd[K_UNIX_PAIR] = p[0];
	k->port[K_UNIX_PAIR] = p[1];
	/* A TCP connection with 10 bytes received and not read. */
	ls = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_port = 0;
	sl = sizeof sa;
	if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&sa, &sl) < 0)
		_exit(1);
	cs = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(cs, (struct sockaddr *)&sa, sizeof sa) < 0)
		_exit(1);
	k->fd[K_TCP_RECV] = accept(ls, NULL, NULL);
	if (write(cs, "0123456789", 10) != 10)
		_exit(1);
	pfd = (struct pollfd){ .fd = k->fd[K_TCP_RECV], .events = POLLIN };
	if (poll(&pfd, 1, DEADLINE_S * 1000) != 1) /* the bytes have arrived: Recv-Q is 10 */
		_exit(1);
	k->fd[K_EPOLL] = epoll_create1(0);
	for (int i = K_PIPE_R; i <= K_PIDFD; i++) {
		struct epoll_event ev = { .events = i == K_PIPE_W ? EPOLLOUT : EPOLLIN, .data.u64 = (uint64_t)i };

		if (epoll_ctl(k->fd[K_EPOLL], EPOLL_CTL_ADD, k->fd[i], &ev) < 0)
			_exit(1);
	}
	write(wr, &c, 1);
	write(wr, k, sizeof *k);
}

/* The what of fd, failing the test when the helper does not have it. */
static const char *
what_of(const struct kv_proc *p, int fd)
{
	const struct kv_fd *f = fd_of(p, fd);

	cr_assert_not_null(f, "fd %d not read", fd);
	return f->what;
}

Test(attach, one_fd_of_each_kind_is_named, .timeout = 60)
{
	struct helper h;
	struct kview kv;
	struct kinds k;
	const struct kv_proc *p;
	const struct kv_fd *f, *ep;
	char want[128];

	helper_start(&h, kinds_helper, &k);
	helper_wait(&h);
	cr_assert_eq(read(h.ready, &k, sizeof k), (ssize_t)sizeof k);
	kview_read(&kv, &h.pid, 1, 0);
	p = proc_of(&kv, h.pid);
	cr_assert_eq(p->err, 0);
	cr_assert_str_eq(what_of(p, k.fd[K_PIPE_R]), "pipe (read end)");
	cr_assert_str_eq(what_of(p, k.fd[K_PIPE_W]), "pipe (write end)");
	cr_assert(strncmp(what_of(p, k.fd[K_EVENTFD]), "eventfd (count 5", 16) == 0, "%s", what_of(p, k.fd[K_EVENTFD]));
	cr_assert(strncmp(what_of(p, k.fd[K_TIMERFD]), "timerfd CLOCK_MONOTONIC, every 2.000 s, next in 9", 49) == 0,
		  "%s", what_of(p, k.fd[K_TIMERFD]));
	cr_assert_str_eq(what_of(p, k.fd[K_SIGNALFD]), "signalfd SIGUSR1|SIGUSR2");
	cr_assert_str_eq(what_of(p, k.fd[K_INOTIFY]), "inotify (2 watches)");
	snprintf(want, sizeof want, "pidfd of pid %d", getpid());
	cr_assert_str_eq(what_of(p, k.fd[K_PIDFD]), want);
	snprintf(want, sizeof want, "udp 127.0.0.1:%d", k.port[K_UDP]);
	cr_assert_str_eq(what_of(p, k.fd[K_UDP]), want);
	if (k.tcp6) {
		snprintf(want, sizeof want, "tcp6 [::1]:%d LISTEN (queue 0 of 3)", k.port[K_TCP6]);
		cr_assert_str_eq(what_of(p, k.fd[K_TCP6]), want);
	} else {
		cr_log_warn("no IPv6 loopback here: the tcp6 listener is not checked");
	}
	snprintf(want, sizeof want, "netlink route pid %d", h.pid);
	if (strncmp(what_of(p, k.fd[K_NETLINK]), "socket (inode", 13) == 0)
		cr_log_warn("this kernel has no netlink_diag: the netlink socket is not checked");
	else
		cr_assert_str_eq(what_of(p, k.fd[K_NETLINK]), want);
	snprintf(want, sizeof want, "unix stream @epollviz-test-%d LISTEN (queue 1 of 4)", h.pid);
	cr_assert_str_eq(what_of(p, k.fd[K_UNIX_LISTEN]), want);
	f = fd_of(p, k.fd[K_UNIX_LISTEN]);
	cr_assert(f->listening && f->qlen == 1 && f->backlog == 4);
	snprintf(want, sizeof want, "(fd %d)", k.port[K_UNIX_PAIR]);
	cr_assert(strncmp(what_of(p, k.fd[K_UNIX_PAIR]), "unix stream (unnamed) -> peer ", 30) == 0 &&
		  strstr(what_of(p, k.fd[K_UNIX_PAIR]), want), "%s: want the peer %s", what_of(p, k.fd[K_UNIX_PAIR]),
		  want);
	f = fd_of(p, k.fd[K_TCP_RECV]);
	cr_assert(f && f->kind == KV_TCP && strstr(f->what, "ESTAB"), "%s", f ? f->what : "none");
	cr_assert(f->has_q && f->recvq == 10 && f->sendq == 0, "Recv-Q %u Send-Q %u", f->recvq, f->sendq);
	/* Each watch is named as its fd is (kcmp tells the pipe's ends and the anon files apart). */
	ep = fd_of(p, k.fd[K_EPOLL]);
	cr_assert_not_null(ep);
	cr_assert_eq(ep->info.nw, K_PIDFD - K_PIPE_R + 1);
	for (int w = 0; w < ep->info.nw; w++)
		cr_assert_str_eq(ep->info.w[w].what, what_of(p, k.fd[ep->info.w[w].data]), "watch of fd %d",
				 ep->info.w[w].tfd);
	kview_free(&kv);
	helper_stop(&h);
}

/* Run the binary with args on a new pseudo-terminal as uid (< 0: ours); all it wrote in out; the exit status. */
static int
run_on_pty(int uid, char *const args[], char *out, size_t cap)
{
	const char *bin = getenv("EPOLLVIZ_BIN");
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), st;
	size_t n = 0;
	pid_t pid;

	cr_assert_not_null(bin);
	cr_assert(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0, "no pty: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		char *argv[16];
		int k = 0, s;

		argv[k++] = (char *)bin;
		for (; args[k - 1] && k < 15; k++)
			argv[k] = args[k - 1];
		argv[k] = NULL;
		setsid();
		s = open(ptsname(m), O_RDWR);
		if (s < 0)
			_exit(97);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		if (uid >= 0 && (setgid((gid_t)uid) < 0 || setuid((uid_t)uid) < 0))
			_exit(99);
		setenv("TERM", "xterm", 1);
		execv(bin, argv);
		_exit(98);
	}
	for (;;) {
		struct pollfd pfd = { .fd = m, .events = POLLIN };
		ssize_t k;

		cr_assert_eq(poll(&pfd, 1, DEADLINE_S * 1000), 1, "the screen opened and stayed: %.*s", (int)n, out);
		k = read(m, out + n, cap - 1 - n);
		if (k <= 0) /* EIO: the child is gone and the pty closed */
			break;
		n += (size_t)k;
		if (n + 1 >= cap)
			break;
	}
	out[n] = '\0';
	close(m);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(attach, the_live_screen_exits_1_when_no_named_process_can_be_read, .timeout = 60)
{
	char out[8192];
	char *gone[] = { "attach", "4194000", NULL }, *init[] = { "attach", "1", NULL };
	int st;

	st = run_on_pty(-1, gone, out, sizeof out);
	cr_assert_eq(st, 1, "exit %d: %s", st, out);
	cr_assert(strstr(out, "no process 4194000"), "%s", out);
	cr_assert(!strstr(out, "\033["), "the terminal was taken: %s", out);
	if (geteuid() != 0 || getpid() == 1)
		cr_skip_test("not root: cannot become another user to be refused");
	st = run_on_pty(65534, init, out, sizeof out);
	cr_assert_eq(st, 1, "exit %d: %s", st, out);
	cr_assert(strstr(out, "process 1:") && strstr(out, "cannot read /proc/1/"), "%s", out);
}

Test(attach, the_screen_shows_escape_laden_names_escaped, .timeout = 90)
{
	struct tui *t = &AT;
	struct helper cmd, comm;
	char args[64], title[256] = "", cmdline[160];
	FILE *f;

	if (tui_sh("command -v tmux >/dev/null") != 0)
		cr_skip_test("tmux is not installed");
	helper_start(&cmd, evil_sleep, NULL);
	helper_start(&comm, evil_comm, NULL);
	helper_wait(&comm);
	wait_cmdline(cmd.pid, "evil");
	snprintf(args, sizeof args, "attach %d %d", cmd.pid, comm.pid);
	tui_init(t, "attach-escape");
	cr_assert_eq(tui_start(t, 160, 40, args, NULL, NULL), 0);
	/* The command line in the process-group table, the comm as the process's name: escaped, on one row. */
	cr_assert(tui_wait_re(t, "evil\\\\e\\]0;pwned\\\\a\\\\e\\[2J\\\\nsecond line", 20000),
		  "the command line is not shown escaped:\n%s", t->screen);
	cr_assert(tui_wait_re(t, "ev\\\\e\\[2Jil", 20000), "the comm is not shown escaped:\n%s", t->screen);
	/* An OSC 0 that got through would have renamed the pane. */
	snprintf(cmdline, sizeof cmdline, "tmux -L %.100s display -p '#{pane_title}'", t->sock);
	f = popen(cmdline, "r");
	cr_assert_not_null(f);
	if (fgets(title, sizeof title, f) == NULL)
		title[0] = '\0';
	pclose(f);
	cr_assert(strstr(title, "pwned") == NULL, "the pane title was set by the process's name: %s", title);
	tui_keys(t, "q");
	tui_wait(t, tui_pred_exited, NULL, 10000);
	tui_kill(t);
	helper_stop(&cmd);
	helper_stop(&comm);
}

Test(attach, without_root_a_namespace_is_read_from_its_proc_net_tables, .timeout = 60)
{
	struct helper h;
	char pidarg[16], out[65536], err[4096], want[80];
	char *json[] = { "attach", "--json", pidarg, NULL };
	int port, st;

	if (geteuid() != 0)
		cr_skip_test("not root: cannot become nobody for both sides");
	helper_start(&h, userns_server, NULL);
	if (helper_wait(&h) == 's') {
		helper_stop(&h);
		cr_skip_test("nobody may not make a user and network namespace here (unshare -rn)");
	}
	cr_assert_eq(read(h.ready, &port, sizeof port), (ssize_t)sizeof port);
	snprintf(pidarg, sizeof pidarg, "%d", h.pid);
	st = run_as(65534, json, out, sizeof out, err, sizeof err);
	helper_stop(&h);
	cr_assert_eq(st, 0, "exit %d: %s", st, err);
	/* sock_diag cannot be made inside (no CAP_SYS_ADMIN): /proc/PID/net/tcp has the listener and its queue. */
	snprintf(want, sizeof want, "\"what\":\"tcp 127.0.0.1:%d LISTEN (queue 2)\"", port);
	cr_assert(strstr(out, want), "want %s in %s", want, out);
	cr_assert(strstr(out, "\"queue\":2,\"backlog\":null"), "the backlog /proc/net does not give is null: %s", out);
}

/* A process named name (prctl), doing nothing. */
static void
named(int wr, void *arg)
{
	char c = 1;

	prctl(PR_SET_NAME, (const char *)arg);
	write(wr, &c, 1);
}

/* A child made with pid exactly pid (clone3 with set_tid: root only), named name; its pid, or -1. */
static pid_t
child_at_pid(pid_t pid, const char *name)
{
	pid_t want = pid;
	struct clone_args ca = { .exit_signal = SIGCHLD, .set_tid = (uintptr_t)&want, .set_tid_size = 1 };
	long r = syscall(SYS_clone3, &ca, sizeof ca);

	if (r == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, name);
		for (;;)
			pause();
	}
	return (pid_t)r;
}

Test(attach, the_screen_shows_a_reused_pid_as_a_new_process_and_the_old_one_gone, .timeout = 90)
{
	struct tui *t = &AT;
	struct helper old;
	char args[64], re[128];
	pid_t pid, reborn = -1;

	if (tui_sh("command -v tmux >/dev/null") != 0)
		cr_skip_test("tmux is not installed");
	if (geteuid() != 0)
		cr_skip_test("not root: cannot choose a pid (clone3 set_tid) to reuse one");
	helper_start(&old, named, "old-one");
	helper_wait(&old);
	pid = old.pid;
	snprintf(args, sizeof args, "attach %d", (int)pid);
	tui_init(t, "attach-reuse");
	cr_assert_eq(tui_start(t, 120, 30, args, NULL, NULL), 0);
	snprintf(re, sizeof re, "%d old-one", (int)pid);
	cr_assert(tui_wait_re(t, re, 20000), "not shown:\n%s", t->screen);
	helper_stop(&old);
	snprintf(re, sizeof re, "%d old-one +gone", (int)pid);
	cr_assert(tui_wait_re(t, re, 20000), "not shown gone:\n%s", t->screen);
	/* The pid comes round again (made so at once: another process could take it first, so retry a little). */
	for (int i = 0; i < 50 && reborn < 0; i++) {
		reborn = child_at_pid(pid, "new-one");
		if (reborn < 0 && errno != EEXIST)
			break;
		if (reborn < 0)
			tui_pause_ms(20);
	}
	if (reborn < 0) {
		tui_kill(t);
		cr_skip_test("clone3 with set_tid %d failed here: %s", (int)pid, strerror(errno));
	}
	snprintf(re, sizeof re, "%d old-one +gone: it exited, and its pid is now another process's", (int)pid);
	cr_assert(tui_wait_re(t, re, 20000), "the old one is not shown gone for good:\n%s", t->screen);
	snprintf(re, sizeof re, "\n%d new-one", (int)pid);
	cr_assert(tui_wait_re(t, re, 20000), "the new process is not shown as itself:\n%s", t->screen);
	tui_keys(t, "q");
	tui_wait(t, tui_pred_exited, NULL, 10000);
	tui_kill(t);
	kill(reborn, SIGKILL);
	waitpid(reborn, NULL, 0);
}
