/*
 * test_fuzz_corpus.c - every committed fuzz input (the seed corpora and any
 * crash found by `make fuzz`, kept in fuzz/regressions/TARGET-*) through the
 * same checked readers the fuzzers drive.  A regression crashes this test.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/targets.h"
#include "hrun.h"

static const struct {
	const char *name;
	int (*fn)(const uint8_t *, size_t);
} targets[] = {
	{ "scenario", fuzz_scenario }, { "trace", fuzz_trace }, { "fdinfo", fuzz_fdinfo },
	{ "record", fuzz_record },     { "script", fuzz_script },
};

static int
run_file(const char *path, int (*fn)(const uint8_t *, size_t))
{
	size_t n;
	char *buf = hread_file(path, &n);

	fn((const uint8_t *)buf, n);
	free(buf);
	return 1;
}

/* Run fn on every file of dir whose name starts with prefix (all if NULL). */
static int
run_dir(const char *dir, const char *prefix, int (*fn)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[512];

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0 ||
		    (prefix && strncmp(de->d_name, prefix, strlen(prefix)) != 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		n += run_file(path, fn);
	}
	closedir(d);
	return n;
}

Test(fuzz_corpus, seeds_and_regressions_pass_the_checked_readers)
{
	int total = 0;

	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		char dir[128], prefix[64];
		int n;

		snprintf(dir, sizeof dir, "fuzz/corpus/%s", targets[i].name);
		n = run_dir(dir, NULL, targets[i].fn);
		cr_assert_gt(n, 0, "no seed corpus for %s", targets[i].name);
		snprintf(prefix, sizeof prefix, "%s-", targets[i].name);
		total += n + run_dir("fuzz/regressions", prefix, targets[i].fn);
	}
	cr_assert_gt(total, 30);
}
