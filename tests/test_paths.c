/*
 * test_paths.c - unit tests of src/paths.c: each search takes its variable
 * first and refuses one that names nothing; without it, the places next to
 * the binary are tried in order (a fake layout in a temp dir, with
 * EPOLLVIZ_SELF standing in for the binary); a miss names every place.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static char dir[64]; /* this test's files, removed after it */

/* A fresh temp dir, its real path in dir (so it compares with what realpath gives). */
static void
setup(void)
{
	char t[] = "/tmp/epollviz-paths.XXXXXX";

	cr_assert_not_null(mkdtemp(t));
	cr_assert_not_null(realpath(t, dir));
	unsetenv("EPOLLVIZ_SCENARIOS");
	unsetenv("EPOLLVIZ_PRELOAD");
	unsetenv("EPOLLVIZ_SELF");
}

/* Remove the temp dir, whatever the test left in it. */
static void
teardown(void)
{
	char cmd[128];

	if (dir[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

TestSuite(paths, .init = setup, .fini = teardown);

/* Make dir/rel (and the directories above it): a directory if rel ends in '/', else an empty file. */
static void
make(const char *rel)
{
	char p[PATH_MAX], cmd[2 * PATH_MAX + 64];

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	if (p[strlen(p) - 1] == '/') {
		snprintf(cmd, sizeof cmd, "mkdir -p '%s'", p);
		cr_assert_eq(system(cmd), 0, "%s", cmd);
		return;
	}
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\" && : > '%s'", p, p);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* dir/rel, as the functions should give it. */
static const char *
at(const char *rel)
{
	static char p[PATH_MAX];

	snprintf(p, sizeof p, "%s/%s", dir, rel);
	return p;
}

Test(paths, exe_dir_is_the_test_binary_s_directory)
{
	char got[PATH_MAX], exe[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);

	cr_assert_gt(k, 0);
	exe[k] = '\0';
	*strrchr(exe, '/') = '\0';
	cr_assert_eq(paths_exe_dir(got, sizeof got), 0);
	cr_assert_str_eq(got, exe);
	cr_assert_eq(paths_exe_dir(got, 4), -1, "a short buffer was filled");
}

Test(paths, exe_dir_follows_epollviz_self)
{
	char got[PATH_MAX];

	make("bin/epollviz");
	setenv("EPOLLVIZ_SELF", at("bin/epollviz"), 1);
	cr_assert_eq(paths_exe_dir(got, sizeof got), 0);
	cr_assert_str_eq(got, at("bin"));
}

Test(paths, preload_from_the_variable)
{
	char got[PATH_MAX], err[4096];

	make("lib/fake-preload.so");
	setenv("EPOLLVIZ_PRELOAD", at("lib/fake-preload.so"), 1);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("lib/fake-preload.so"));
	cr_assert_str_eq(err, "", "an error after success: %s", err);
	/* A relative value comes back absolute. */
	cr_assert_eq(chdir(dir), 0);
	setenv("EPOLLVIZ_PRELOAD", "lib/../lib/fake-preload.so", 1);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("lib/fake-preload.so"));
}

Test(paths, preload_variable_naming_nothing_is_an_error_naming_it)
{
	char got[PATH_MAX], err[4096];

	make("bin/epollviz");
	make("bin/" PATHS_PRELOAD_NAME); /* would be found, but the variable wins */
	setenv("EPOLLVIZ_SELF", at("bin/epollviz"), 1);
	setenv("EPOLLVIZ_PRELOAD", at("nope.so"), 1);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), -1, "found %s", got);
	cr_assert_not_null(strstr(err, "EPOLLVIZ_PRELOAD="), "message: %s", err);
	cr_assert_not_null(strstr(err, at("nope.so")), "message: %s", err);
	cr_assert_not_null(strstr(err, "No such file or directory"), "message: %s", err);
	setenv("EPOLLVIZ_PRELOAD", dir, 1);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), -1, "a directory was taken");
	cr_assert_not_null(strstr(err, "Is a directory"), "message: %s", err);
}

Test(paths, preload_next_to_the_binary_in_order)
{
	char got[PATH_MAX], err[4096];

	make("bin/epollviz");
	setenv("EPOLLVIZ_SELF", at("bin/epollviz"), 1);
	make("lib/epollviz/" PATHS_PRELOAD_NAME);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("lib/epollviz/" PATHS_PRELOAD_NAME), "installed layout");
	make("bin/build/" PATHS_PRELOAD_NAME);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("bin/build/" PATHS_PRELOAD_NAME), "source tree before installed");
	make("bin/" PATHS_PRELOAD_NAME);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("bin/" PATHS_PRELOAD_NAME), "next to the binary first");
}

Test(paths, preload_missing_names_every_place)
{
	char got[PATH_MAX], err[4096];

	make("bin/epollviz");
	setenv("EPOLLVIZ_SELF", at("bin/epollviz"), 1);
	cr_assert_eq(paths_preload(got, sizeof got, err, sizeof err), -1, "found %s", got);
	cr_assert_not_null(strstr(err, "no tracer library found (looked in "), "message: %s", err);
	cr_assert_not_null(strstr(err, at("bin/" PATHS_PRELOAD_NAME ", ")), "message: %s", err);
	cr_assert_not_null(strstr(err, at("bin/build/" PATHS_PRELOAD_NAME ", ")), "message: %s", err);
	cr_assert_not_null(strstr(err, at("bin/../lib/epollviz/" PATHS_PRELOAD_NAME ";")), "message: %s", err);
	cr_assert_not_null(strstr(err, "set EPOLLVIZ_PRELOAD"), "message: %s", err);
}

Test(paths, scenarios_variable_must_name_a_directory)
{
	char got[PATH_MAX], err[4096];

	make("s/");
	make("f");
	setenv("EPOLLVIZ_SCENARIOS", at("s"), 1);
	cr_assert_eq(paths_scenarios(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("s"));
	setenv("EPOLLVIZ_SCENARIOS", at("none"), 1);
	cr_assert_eq(paths_scenarios(got, sizeof got, err, sizeof err), -1, "found %s", got);
	cr_assert_not_null(strstr(err, "EPOLLVIZ_SCENARIOS="), "message: %s", err);
	cr_assert_not_null(strstr(err, at("none")), "message: %s", err);
	setenv("EPOLLVIZ_SCENARIOS", at("f"), 1);
	cr_assert_eq(paths_scenarios(got, sizeof got, err, sizeof err), -1, "a file was taken");
	cr_assert_not_null(strstr(err, "Not a directory"), "message: %s", err);
}

Test(paths, scenarios_next_to_the_binary_in_order)
{
	char got[PATH_MAX], err[4096];

	make("a/b/epollviz"); /* the sanitizer build's place: build/asan/epollviz */
	setenv("EPOLLVIZ_SELF", at("a/b/epollviz"), 1);
	make("scenarios/");
	cr_assert_eq(paths_scenarios(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("scenarios"), "two levels up");
	make("a/share/epollviz/scenarios/");
	cr_assert_eq(paths_scenarios(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("a/share/epollviz/scenarios"), "installed before two levels up");
	make("a/b/scenarios/");
	cr_assert_eq(paths_scenarios(got, sizeof got, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(got, at("a/b/scenarios"), "next to the binary first");
}

Test(paths, scenarios_missing_names_every_place)
{
	char got[PATH_MAX], err[8192];

	make("a/b/epollviz");
	setenv("EPOLLVIZ_SELF", at("a/b/epollviz"), 1);
	if (paths_scenarios(got, sizeof got, err, sizeof err) == 0) {
		/* Only the compiled-in data directory can be left: an install on this machine. */
		cr_assert_not_null(strstr(got, "/share/epollviz/scenarios"), "found %s", got);
		return;
	}
	cr_assert_not_null(strstr(err, "no scenarios directory found (looked in "), "message: %s", err);
	cr_assert_not_null(strstr(err, at("a/b/scenarios, ")), "message: %s", err);
	cr_assert_not_null(strstr(err, at("a/b/../share/epollviz/scenarios, ")), "message: %s", err);
	cr_assert_not_null(strstr(err, at("a/b/../../scenarios, ")), "message: %s", err);
	cr_assert_not_null(strstr(err, "/share/epollviz/scenarios; set EPOLLVIZ_SCENARIOS"), "message: %s", err);
}

Test(paths, a_program_is_found_as_execvp_finds_it)
{
	char buf[PATH_MAX], err[PATH_MAX + 64];

	setenv("PATH", "/nonexistent:/bin:/usr/bin", 1);
	cr_assert_eq(paths_program("sh", buf, sizeof buf, err, sizeof err), 0, "%s", err);
	cr_assert(strcmp(buf, "/bin/sh") == 0 || strcmp(buf, "/usr/bin/sh") == 0, "found %s", buf);
	cr_assert_eq(paths_program("./no-such-program", buf, sizeof buf, err, sizeof err), -1);
	cr_assert_str_eq(err, "run: ./no-such-program: No such file or directory");
	cr_assert_eq(paths_program("", buf, sizeof buf, err, sizeof err), -1);
	cr_assert_str_eq(err, "run: an empty program name");
}
