/*
 * test_kernel.c - the kernel's own view: epoll instances told apart with
 * kcmp, interest lists from /proc fdinfo beside the traced ones, and
 * `epollviz attach` on a real third-party server (nginx from Debian, on a
 * free loopback port, with its config and pid file in a temp dir).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hrun.h"

/* Distinct instance ids over the kernel_epoll records of the run, and holders per id. */
static int
instances(const struct hrun *h, int *holders, int max)
{
	int ids[64], n = 0;

	for (size_t i = 0; i < h->n; i++) {
		long long id;
		int k;

		if (!jis(h->recs[i], "kernel_epoll"))
			continue;
		id = jint(h->recs[i], "instance");
		cr_assert_gt(id, 0, "an instance kcmp could not tell: %s", jstr(h->recs[i], "kcmp_errno"));
		for (k = 0; k < n; k++)
			if (ids[k] == id)
				break;
		if (k == n) {
			cr_assert_lt(n, max);
			ids[n] = (int)id;
			holders[n++] = 0;
		}
		holders[k]++;
	}
	return n;
}

static int
disagrees(const json_t *rec, void *arg)
{
	(void)arg;
	return strcmp(jstr(rec, "verdict"), "agree") != 0;
}

static int
accepted(const json_t *rec, void *arg)
{
	(void)arg;
	return jint(rec, "ret") >= 0;
}

Test(kernel, echo_herd_has_two_instances, .timeout = 60)
{
	struct hrun h;
	int holders[8];

	hrun(&h, "echo-herd", "hold 2; settle; inspect");
	cr_assert_eq(h.status, 0, "%s", h.out);
	cr_assert_eq(instances(&h, holders, 8), 2, "one epoll instance per worker");
	cr_assert_eq(holders[0], 1);
	cr_assert_eq(holders[1], 1);
	cr_assert_eq(hcount(&h, 0, "kernel_watch", disagrees, NULL), 0,
		     "the kernel's interest lists differ from the traced ones");
	/* The listening socket in both, plus every connection accepted so far (with accept_loop=once
	 * the second held connection may still wait in the accept queue: the notes' bug). */
	cr_assert_eq(hcount(&h, 0, "kernel_watch", NULL, NULL), 2 + hcount(&h, 0, "accept", accepted, NULL));
	hrun_free(&h);
}

/* Every other echo variant: an instance per worker, each watching a listening socket. */
Test(kernel, every_echo_variant_has_an_instance_per_worker, .timeout = 120)
{
	static const char *const names[] = { "echo-drain", "echo-exclusive", "echo-reuseport", "echo-none",
					     "echo-level" };

	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
		struct hrun h;
		int holders[8];

		hrun(&h, names[k], "settle; inspect");
		cr_assert_eq(h.status, 0, "%s: %s", names[k], h.out);
		cr_assert_eq(instances(&h, holders, 8), 2, "%s: one epoll instance per worker", names[k]);
		cr_assert_eq(holders[0], 1, "%s", names[k]);
		cr_assert_eq(holders[1], 1, "%s", names[k]);
		cr_assert_eq(hcount(&h, 0, "kernel_watch", disagrees, NULL), 0, "%s: kernel and trace differ",
			     names[k]);
		cr_assert_eq(hcount(&h, 0, "kernel_watch", NULL, NULL), 2, "%s: each watches its listener",
			     names[k]);
		hrun_free(&h);
	}
}

Test(kernel, shared_epoll_is_one_instance_held_by_two_pids, .timeout = 60)
{
	struct hrun h;
	int holders[8];

	hrun(&h, "echo-shared-epoll", "hold 2; settle; inspect");
	cr_assert_eq(h.status, 0, "%s", h.out);
	cr_assert_eq(instances(&h, holders, 8), 1, "one kernel instance");
	cr_assert_eq(holders[0], 2, "held by both workers");
	cr_assert_eq(hcount(&h, 0, "kernel_watch", disagrees, NULL), 0);
	hrun_free(&h);
}

Test(kernel, two_instances_in_one_pid_despite_identical_fdinfo, .timeout = 60)
{
	struct hrun h;
	int holders[8];
	long long ino = -1;

	hrun(&h, "two-instances", "settle; inspect");
	cr_assert_eq(h.status, 0, "%s", h.out);
	/* Three epoll fds: two instances, and a dup of the first. */
	cr_assert_eq(instances(&h, holders, 8), 2);
	for (size_t i = 0; i < h.n; i++) {
		if (!jis(h.recs[i], "kernel_epoll"))
			continue;
		if (ino < 0)
			ino = jint(h.recs[i], "anon_inode");
		cr_assert_eq(jint(h.recs[i], "anon_inode"), ino, "fdinfo inodes differ; the notes say they do not");
	}
	hrun_free(&h);
}

static int
kernel_only(const json_t *rec, void *arg)
{
	(void)arg;
	return strcmp(jstr(rec, "verdict"), "kernel-only") == 0 && strstr(jstr(rec, "why"), "dup") != NULL;
}

Test(kernel, a_dup_keeps_a_closed_fd_registered, .timeout = 60)
{
	struct hrun h;

	hrun(&h, "ctl-errors", "settle; inspect");
	cr_assert_eq(h.status, 0, "%s", h.out);
	cr_assert_eq(hcount(&h, 0, "kernel_watch", kernel_only, NULL), 1,
		     "the closed-but-dup'ed fd must show as registered in the kernel only, explained");
	hrun_free(&h);
}

/* ---- nginx ------------------------------------------------------------ */

static const char *
nginx_path(void)
{
	static const char *const cand[] = { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx", NULL };

	return hexecutable(cand);
}

/* Children of pid, from /proc. */
static int
children_of(int pid, int *out, int max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL && n < max) {
		char path[300], buf[512], *p;
		FILE *f;
		int ppid;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof buf, f) && (p = strrchr(buf, ')')) && sscanf(p + 2, "%*c %d", &ppid) == 1 &&
		    ppid == pid)
			out[n++] = atoi(de->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

static void
rm_rf(const char *dir)
{
	char cmd[600];

	/* Only ever our own mkdtemp directory under /tmp. */
	if (strncmp(dir, "/tmp/epollviz-nginx.", 20) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
}

Test(kernel, attach_tells_nginx_workers_instances_apart, .timeout = 90)
{
	const char *nginx = nginx_path();
	char dir[] = "/tmp/epollviz-nginx.XXXXXX", conf[512], pidarg[64], out[1 << 16];
	int port, kids[8], nk = 0, st;
	pid_t master;
	struct timespec t0, t1;
	FILE *f;
	struct hrun h;
	json_t *doc, *procs, *p, *inst;
	json_error_t e;
	size_t i;
	int workers = 0, watching = 0, found_listen = 0;

	if (nginx == NULL)
		cr_skip_test("nginx is not installed and could not be installed (scripts/deps.sh test as root installs it)");
	cr_assert_not_null(mkdtemp(dir));
	port = hfree_port();
	snprintf(conf, sizeof conf, "%s/nginx.conf", dir);
	f = fopen(conf, "w");
	cr_assert_not_null(f);
	fprintf(f,
		"worker_processes 2;\ndaemon off;\npid %s/nginx.pid;\nerror_log %s/error.log;\n"
		"events { worker_connections 64; }\n"
		"http {\n access_log off;\n client_body_temp_path %s/body;\n proxy_temp_path %s/proxy;\n"
		" fastcgi_temp_path %s/fastcgi;\n uwsgi_temp_path %s/uwsgi;\n scgi_temp_path %s/scgi;\n"
		" server { listen 127.0.0.1:%d backlog=33; location / { return 200 \"ok\\n\"; } }\n}\n",
		dir, dir, dir, dir, dir, dir, dir, port);
	fclose(f);
	master = fork();
	if (master == 0) {
		char elog[300];

		snprintf(elog, sizeof elog, "%s/error.log", dir);
		execl(nginx, "nginx", "-e", elog, "-p", dir, "-c", conf, (char *)NULL);
		_exit(127);
	}
	/* Wait (bounded) for the two workers. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		nk = children_of(master, kids, 8);
		if (nk >= 2)
			break;
		if (waitpid(master, &st, WNOHANG) == master)
			cr_assert_fail("nginx exited at start (status %d); see %s/error.log", st, dir);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_assert_lt(t1.tv_sec - t0.tv_sec, 15, "nginx workers did not appear");
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL); /* polling for a condition, bounded above */
	}
	/* Workers create their epoll instance at start; wait until each has one. */
	for (;;) {
		int ready = 0;

		for (int k = 0; k < nk; k++) {
			char fdd[64], link[64], l[128];
			DIR *d;
			struct dirent *de;

			snprintf(fdd, sizeof fdd, "/proc/%d/fd", kids[k]);
			d = opendir(fdd);
			while (d && (de = readdir(d)) != NULL) {
				ssize_t len;

				snprintf(link, sizeof link, "%.20s/%.20s", fdd, de->d_name);
				len = readlink(link, l, sizeof l - 1);
				if (len > 0 && (l[len] = '\0', strcmp(l, "anon_inode:[eventpoll]") == 0)) {
					ready++;
					break;
				}
			}
			if (d)
				closedir(d);
		}
		if (ready == nk)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		cr_assert_lt(t1.tv_sec - t0.tv_sec, 15, "nginx workers made no epoll instance");
		struct timespec ts = { 0, 20 * 1000000 };
		nanosleep(&ts, NULL);
	}

	snprintf(pidarg, sizeof pidarg, "%d", (int)master);
	char *argv[] = { "attach", "--children", "--json", pidarg, NULL };
	hrun_raw(&h, argv, out, sizeof out);
	kill(master, SIGTERM);
	waitpid(master, &st, 0);
	rm_rf(dir);
	cr_assert_eq(h.status, 0, "attach failed: %s", h.out);
	doc = json_loads(out, 0, &e);
	cr_assert_not_null(doc, "attach --json is not JSON: %s", e.text);
	procs = json_object_get(doc, "processes");
	cr_assert_eq(json_array_size(procs), 1 + (size_t)nk, "master and every worker listed");
	json_array_foreach(procs, i, p) {
		json_t *eps = json_object_get(p, "epoll"), *ep;
		size_t k;

		if (jint(p, "pid") == master)
			continue;
		workers++;
		cr_assert_eq(json_array_size(eps), 1, "worker %lld: one epoll instance", jint(p, "pid"));
		json_array_foreach(eps, k, ep) {
			json_t *ws = json_object_get(ep, "watches"), *w;
			size_t m;

			cr_assert(json_is_integer(json_object_get(ep, "instance")), "instance not told apart");
			json_array_foreach(ws, m, w) {
				char want[64];

				snprintf(want, sizeof want, "127.0.0.1:%d LISTEN", port);
				if (strstr(jstr(w, "what"), want))
					watching++;
			}
		}
	}
	cr_assert_eq(workers, 2);
	cr_assert_eq(watching, 2, "each worker's instance watches the listening socket");
	cr_assert_eq(jint(doc, "instance_count"), 2, "two workers, two kernel instances");
	cr_assert_eq(jint(doc, "unknown"), 0);
	inst = json_object_get(doc, "listening");
	json_array_foreach(inst, i, p)
		if (jint(p, "backlog") == 33)
			found_listen = 1;
	cr_assert(found_listen, "the listening socket with its backlog (33) is listed");
	json_decref(doc);
	hrun_free(&h);
}

Test(kernel, attach_marks_gone_and_rejects_bad_ids, .timeout = 30)
{
	struct hrun h;
	char out[4096];
	char *bad[] = { "attach", "12x", NULL }, *gone[] = { "attach", "--json", "4194000", NULL };

	hrun_raw(&h, bad, out, sizeof out);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, "'12x' is not a process id") != NULL, "stderr: %s", h.out);
	hrun_free(&h);
	hrun_raw(&h, gone, out, sizeof out);
	cr_assert_eq(h.status, 1, "every pid gone must not be success");
	cr_assert(strstr(out, "\"gone\":true") != NULL, "%s", out);
	hrun_free(&h);
}
