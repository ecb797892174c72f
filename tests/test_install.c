/*
 * test_install.c - `make install` into a temp prefix gives a tool that works
 * from there with no environment variable: --list shows the installed
 * scenarios, a headless run re-executes the installed binary for its
 * children, a shipped recording replays, and `make uninstall` takes every
 * file away again.  The make runs in the source tree (the cwd of make test)
 * and must rebuild nothing.
 */
#include <criterion/criterion.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hrun.h"

static char tmp[PATH_MAX];         /* removed after each test, whatever happened */
static char prefix[PATH_MAX + 16]; /* tmp/prefix: what make install fills */
static char build[PATH_MAX];       /* the build directory of the binary under test */

/* A fresh temp dir (its real path) with the prefix inside it. */
static void
setup(void)
{
	char t[] = "/tmp/epollviz-install.XXXXXX";

	cr_assert_not_null(mkdtemp(t));
	cr_assert_not_null(realpath(t, tmp));
	snprintf(prefix, sizeof prefix, "%s/prefix", tmp);
}

/* Remove the temp dir and everything installed into it. */
static void
teardown(void)
{
	char cmd[PATH_MAX + 32];

	if (tmp[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
}

TestSuite(install, .init = setup, .fini = teardown, .timeout = 120);

/* path relative to dir when it lies under dir, else path itself. */
static const char *
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

/*
 * Run `make TARGET PREFIX=prefix` in the source tree as a user would after
 * building: none of the parent make's flags (MAKEFLAGS would hand the child
 * the parent's command line), BIN and BUILD those of the binary under test
 * (build/asan/epollviz under make asan; that directory is left in build).
 * Fails if make fails or the binary was rebuilt.
 */
static void
make_target(const char *target)
{
	char src[PATH_MAX], bin[PATH_MAX], dir[PATH_MAX], setbuild[PATH_MAX + 16] = "";
	char cmd[8 * PATH_MAX], log[PATH_MAX + 16], mk[PATH_MAX + 16];
	const char *b = getenv("EPOLLVIZ_BIN");
	struct stat before, after;
	int st;

	cr_assert_not_null(getcwd(src, sizeof src));
	snprintf(mk, sizeof mk, "%s/Makefile", src);
	cr_assert_eq(access(mk, R_OK), 0, "the tests must run in the source tree, not %s", src);
	cr_assert_not_null(realpath(b && *b ? b : "epollviz", bin), "no binary at %s", b ? b : "./epollviz");
	snprintf(dir, sizeof dir, "%s", bin);
	snprintf(build, sizeof build, "build");
	if (strcmp(dirname(dir), src) != 0) {
		snprintf(build, sizeof build, "%s", under(dir, src));
		snprintf(setbuild, sizeof setbuild, " BUILD='%s'", build);
	}
	snprintf(log, sizeof log, "%s/make.log", tmp);
	cr_assert_eq(stat(bin, &before), 0);
	snprintf(cmd, sizeof cmd,
		 "env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C '%s' %s PREFIX='%s' BIN='%s'%s >'%s' 2>&1",
		 src, target, prefix, under(bin, src), setbuild, log);
	st = system(cmd);
	if (st != 0) {
		char *out = hread_file(log, NULL);

		cr_assert_fail("%s: status %d\n%s", cmd, st, out);
	}
	cr_assert_eq(stat(bin, &after), 0);
	cr_assert(before.st_mtim.tv_sec == after.st_mtim.tv_sec && before.st_mtim.tv_nsec == after.st_mtim.tv_nsec,
		  "make %s rebuilt %s", target, bin);
}

/* Does prefix/rel exist? */
static int
installed(const char *rel)
{
	char p[2 * PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", prefix, rel);
	return access(p, F_OK) == 0;
}

static int nfiles;

/* nftw callback: count what is not a directory. */
static int
count_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path, (void)st, (void)ftw;
	if (flag != FTW_D && flag != FTW_DP)
		nfiles++;
	return 0;
}

Test(install, the_installed_binary_needs_no_environment)
{
	char bin[PATH_MAX + 32], out[16384], want[PATH_MAX + 64], rec[PATH_MAX + 96];
	char example[PATH_MAX + 64];
	char *list[] = { "--list", NULL };
	char *run[] = { "--headless", "run", "--script", "connect 1; sigint", "--json", "--", example, NULL };
	char *missing[] = { "--headless", "no-such-scenario", NULL };
	char *replay[] = { "--headless", "replay", rec, "--json", NULL };
	char *help[] = { "--help", NULL };
	struct hrun h;

	make_target("install");
	snprintf(bin, sizeof bin, "%s/bin/epollviz", prefix);
	setenv("EPOLLVIZ_BIN", bin, 1);
	unsetenv("EPOLLVIZ_SCENARIOS");
	unsetenv("EPOLLVIZ_SELF");
	cr_assert_eq(chdir(tmp), 0, "nothing may come from the source tree");

	cr_assert_eq(hrun_raw(&h, list, out, sizeof out), 0);
	cr_assert_eq(h.status, 0, "--list: status %d; stderr: %s", h.status, h.out);
	cr_assert_str_eq(h.out, "", "--list wrote to stderr");
	cr_assert_not_null(strstr(out, "echo-herd "), "--list: %s", out);
	cr_assert_not_null(strstr(out, "fifo-hup-naive "), "--list: %s", out);
	hrun_free(&h);

	/* The scenarios came from the prefix, not the compiled-in data directory. */
	cr_assert_eq(hrun_raw(&h, missing, NULL, 0), 0);
	snprintf(want, sizeof want, "in %s/share/epollviz/scenarios (try --list)", prefix);
	cr_assert_not_null(strstr(h.out, want), "stderr: %s", h.out);
	hrun_free(&h);

	cr_assert_eq(hrun(&h, "echo-herd", "connect 1; sigint"), 0);
	hassert_clean(&h);
	hrun_free(&h);

	/* run finds the tracer library beside itself: the installed example is traced. */
	snprintf(example, sizeof example, "%s/lib/epollviz/examples/echo-server", prefix);
	cr_assert_eq(hrun_json(&h, run), 0);
	hassert_clean(&h);
	cr_assert_geq(hcount(&h, 0, "accept", NULL, NULL), 1, "no accept traced from the installed run: %s", h.out);
	hrun_free(&h);

	snprintf(rec, sizeof rec, "%s/share/epollviz/scenarios/recordings/echo-herd-burst.rec", prefix);
	cr_assert_eq(hrun_raw(&h, replay, NULL, 0), 0);
	cr_assert_eq(h.status, 0, "replay: status %d; stderr: %s", h.status, h.out);
	hrun_free(&h);

	/* It speaks Russian from its installed catalogue (LANGUAGE works with C.UTF-8 too). */
	setenv("LANGUAGE", "ru", 1);
	cr_assert_eq(hrun_raw(&h, help, out, sizeof out), 0);
	unsetenv("LANGUAGE");
	cr_assert_eq(h.status, 0, "--help: status %d; stderr: %s", h.status, h.out);
	cr_assert(strstr(out, "\xd0") || strstr(out, "\xd1"), "--help is not in Russian with LANGUAGE=ru: %s", out);
	cr_assert_not_null(strstr(out, "--headless"), "option names stay as they are: %s", out);
	hrun_free(&h);
}

Test(install, uninstall_removes_every_file_install_put)
{
	make_target("install");
	cr_assert(installed("bin/epollviz"));
	cr_assert(installed("share/man/man1/epollviz.1"));
	cr_assert(installed("share/man/ru/man1/epollviz.1"), "the Russian man page was not installed");
	cr_assert(installed("share/locale/ru/LC_MESSAGES/epollviz.mo"), "the Russian catalogue was not installed");
	cr_assert(installed("share/epollviz/scenarios/echo-herd.scn"));
	cr_assert(installed("share/epollviz/scenarios/recordings/echo-herd-burst.rec"));
	cr_assert(installed("lib/epollviz/libepollviz-preload.so"), "the tracer library was not installed");
	cr_assert(installed("lib/epollviz/examples/echo-server"), "the example was not installed");
	make_target("uninstall");
	nfiles = 0;
	cr_assert_eq(nftw(prefix, count_file, 16, FTW_PHYS), 0);
	cr_assert_eq(nfiles, 0, "make uninstall left %d files under %s", nfiles, prefix);
}
