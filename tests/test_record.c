/*
 * test_record.c - recordings: a replay prints exactly what the live run
 * printed; damaged files give an error with the byte offset and still show
 * what could be read; unknown versions are refused by name.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hrun.h"

static void
write_all_file(const char *path, const char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f);
	cr_assert_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Run the binary with args; the whole stdout into *out (malloc'd by hrun_raw's head only), so use a file. */
static int
run_to_file(char *const argv[], const char *outpath)
{
	char cmd[4096];
	size_t len = 0;
	const char *bin = getenv("EPOLLVIZ_BIN") ? getenv("EPOLLVIZ_BIN") : "./epollviz";

	len += (size_t)snprintf(cmd + len, sizeof cmd - len, "'%s'", bin);
	for (int i = 0; argv[i]; i++)
		len += (size_t)snprintf(cmd + len, sizeof cmd - len, " '%s'", argv[i]);
	snprintf(cmd + len, sizeof cmd - len, " > '%s' 2> '%s.err'", outpath, outpath);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char dir[64];

static void
setup(void)
{
	strcpy(dir, "/tmp/epollviz-rec.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

TestSuite(record, .init = setup, .fini = teardown, .timeout = 60);

Test(record, replay_prints_what_the_live_run_printed)
{
	char rec[128], live[128], rep[128];
	size_t a, b;
	char *x, *y;

	snprintf(rec, sizeof rec, "%s/run.rec", dir);
	snprintf(live, sizeof live, "%s/live.json", dir);
	snprintf(rep, sizeof rep, "%s/replay.json", dir);
	char *args1[] = { "--headless", "echo-herd", "--script", "connect 3; burst 5; sigint", "--json", "--record", rec, NULL };
	char *args2[] = { "--headless", "replay", rec, "--json", NULL };
	cr_assert_eq(run_to_file(args1, live), 0);
	cr_assert_eq(run_to_file(args2, rep), 0);
	x = hread_file(live, &a);
	y = hread_file(rep, &b);
	cr_assert_gt(a, 1000);
	cr_assert_eq(a, b, "replay output differs in length from the live run");
	cr_assert_eq(memcmp(x, y, a), 0, "replay output differs from the live run");
	free(x);
	free(y);
}

Test(record, shipped_recordings_replay_cleanly)
{
	char out[128];
	size_t n;
	char *t;
	char *a1[] = { "--headless", "replay", "scenarios/recordings/echo-herd-burst.rec", "--json", NULL };
	char *a2[] = { "--headless", "replay", "scenarios/recordings/fifo-naive-storm.rec", "--json", NULL };

	snprintf(out, sizeof out, "%s/o.json", dir);
	cr_assert_eq(run_to_file(a1, out), 0);
	t = hread_file(out, &n);
	cr_assert(strstr(t, "\"type\":\"accept_queue\"") != NULL, "the burst recording shows the accept queue");
	cr_assert(strstr(t, "\"clean\":true") != NULL);
	free(t);
	cr_assert_eq(run_to_file(a2, out), 0);
	t = hread_file(out, &n);
	cr_assert(strstr(t, "\"type\":\"hup_storm\"") != NULL, "the storm recording has counted EPOLLHUP returns");
	free(t);
}

/* Damage a copy of a shipped recording and replay it. */
static void
damaged(const char *what, size_t cut_or_flip, int flip, const char *want_err, int want_status)
{
	char path[128], out[128], errpath[140];
	size_t len, elen;
	char *buf = hread_file("scenarios/recordings/echo-herd-burst.rec", &len), *e, *o;
	char *args[] = { "--headless", "replay", path, "--json", NULL };

	snprintf(path, sizeof path, "%s/%s.rec", dir, what);
	snprintf(out, sizeof out, "%s/%s.json", dir, what);
	snprintf(errpath, sizeof errpath, "%s.err", out);
	if (flip)
		buf[cut_or_flip] ^= 0x5a;
	write_all_file(path, buf, flip ? len : cut_or_flip);
	cr_assert_eq(run_to_file(args, out), want_status, "%s", what);
	e = hread_file(errpath, &elen);
	cr_assert(strstr(e, want_err) != NULL, "%s: stderr '%s' does not say '%s'", what, e, want_err);
	o = hread_file(out, &elen);
	if (want_status == 1)
		cr_assert(strstr(o, "\"type\":\"proc_start\"") != NULL, "%s: what could be read is not shown", what);
	free(e);
	free(o);
	free(buf);
}

Test(record, truncated_file_names_the_offset)
{
	size_t len;
	char *buf = hread_file("scenarios/recordings/echo-herd-burst.rec", &len);
	char *body = strstr(buf, "\n\n") + 2;
	size_t hlen = (size_t)(body - buf);
	char want[96];

	/* Cut in the middle of the 20th record. */
	snprintf(want, sizeof want, "truncated at byte offset %zu", hlen + 20 * 256);
	damaged("cut", hlen + 20 * 256 + 100, 0, want, 1);
	free(buf);
}

Test(record, corrupt_record_names_the_offset)
{
	size_t len;
	char *buf = hread_file("scenarios/recordings/echo-herd-burst.rec", &len);
	size_t hlen = (size_t)(strstr(buf, "\n\n") + 2 - buf);
	char want[96];

	snprintf(want, sizeof want, "corrupt record at byte offset %zu: bad magic", hlen + 7 * 256);
	damaged("flip", hlen + 7 * 256, 1, want, 1);
	free(buf);
}

Test(record, unknown_version_is_refused_by_name)
{
	char path[128];
	const char *text = "epollviz recording 7\ntrace-version: 1\nrecord-size: 256\n\n";
	struct hrun h;
	char *args[] = { "--headless", "replay", path, NULL };

	snprintf(path, sizeof path, "%s/v7.rec", dir);
	write_all_file(path, text, strlen(text));
	hrun_raw(&h, args, NULL, 0);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, "recording format version 7 is not supported") != NULL, "%s", h.out);
	hrun_free(&h);
	write_all_file(path, "hello\n", 6);
	hrun_raw(&h, args, NULL, 0);
	cr_assert_eq(h.status, 2);
	cr_assert(strstr(h.out, "not an epollviz recording") != NULL, "%s", h.out);
	hrun_free(&h);
}
