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
#include "replay.h"

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

	/* Cut in the middle of the 20th record: where the file ends, and where that record began. */
	snprintf(want, sizeof want, "truncated at byte offset %zu: the record at byte offset %zu has 100 of its 256",
		 hlen + 20 * 256 + 100, hlen + 20 * 256);
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

/*
 * Replay the first cut bytes of buf (written to a file in dir): 0 and the
 * records read at a clean end, or -1 and the error.
 */
static int
replay_cut(const char *buf, size_t cut, int *nrec, char *err, size_t errcap)
{
	char path[128];
	struct replay *rp;
	struct trace_rec r;
	int k;

	snprintf(path, sizeof path, "%s/cut.rec", dir);
	write_all_file(path, buf, cut);
	*nrec = 0;
	rp = replay_open(path, err, errcap);
	if (rp == NULL)
		return -1;
	while ((k = replay_next(rp, &r)) > 0)
		(*nrec)++;
	if (k < 0)
		snprintf(err, errcap, "%s", replay_error(rp));
	replay_close(rp);
	return k;
}

/* Cut file at every byte up to its header and its first nrec records: an error naming the offset, or a clean end. */
static void
cut_everywhere(const char *file, int nrec)
{
	size_t len, hlen, end, bound = 0;
	char *buf = hread_file(file, &len);
	int v1 = strncmp(buf, "epollviz recording 1\n", 21) == 0, clean = 0;

	hlen = (size_t)(strstr(buf, "\n\n") + 2 - buf);
	/* The record boundaries: every 256 bytes in version 1, each record's length field in the compact format. */
	end = hlen;
	for (int i = 0; i < nrec && end < len; i++)
		end += v1 ? 256 : ((size_t)(uint8_t)buf[end + 2] | (size_t)(uint8_t)buf[end + 3] << 8);
	for (size_t cut = 0; cut <= end && cut <= len; cut++) {
		char err[600] = "", want[64];
		int n, k = replay_cut(buf, cut, &n, err, sizeof err);

		if (cut >= hlen) {
			size_t b = hlen;
			int at_boundary = 0;

			for (int i = 0; b <= cut; i++) {
				if (b == cut) {
					at_boundary = 1;
					cr_assert_eq(k, 0, "%s cut at %zu, a record boundary: %s", file, cut, err);
					cr_assert_eq(n, i, "%s cut at %zu: %d records, want %d", file, cut, n, i);
					clean++;
					break;
				}
				b += v1 ? 256 : ((size_t)(uint8_t)buf[b + 2] | (size_t)(uint8_t)buf[b + 3] << 8);
			}
			if (at_boundary)
				continue;
			bound = b;
		}
		snprintf(want, sizeof want, "truncated at byte offset %zu", cut);
		cr_assert_eq(k, -1, "%s cut at %zu: no error (%d records)", file, cut, n);
		cr_assert(strstr(err, want) != NULL, "%s cut at %zu: '%s' does not say '%s'", file, cut, err, want);
	}
	cr_assert_eq(clean, nrec + 1, "%s: %d clean cuts, want %d", file, clean, nrec + 1);
	(void)bound;
	free(buf);
}

Test(record, a_recording_cut_anywhere_in_its_header_or_first_records_names_the_offset)
{
	cut_everywhere("fuzz/corpus/record/herd-head.rec", 12);
}

Test(record, an_old_recording_cut_anywhere_in_its_header_or_first_records_names_the_offset)
{
	cut_everywhere("scenarios/recordings/echo-herd-burst.rec", 3);
}

Test(record, a_header_cut_short_says_truncated_at_its_offset)
{
	size_t len;
	char *buf = hread_file("scenarios/recordings/echo-herd-burst.rec", &len), err[600];
	int n;

	cr_assert_eq(replay_cut(buf, 200, &n, err, sizeof err), -1);
	cr_assert(strstr(err, "truncated at byte offset 200: inside the header (header line 7 is cut short)") != NULL,
		  "'%s'", err);
	free(buf);
}

Test(record, an_old_version_recording_replays_as_it_always_did)
{
	size_t len;
	char *buf = hread_file("scenarios/recordings/fifo-naive-storm.rec", &len), err[600];
	int n;

	cr_assert(strncmp(buf, "epollviz recording 1\n", 21) == 0, "the shipped recording is no longer version 1");
	cr_assert_eq(replay_cut(buf, len, &n, err, sizeof err), 0, "%s", err);
	cr_assert_eq((size_t)n, (len - (size_t)(strstr(buf, "\n\n") + 2 - buf)) / 256, "%d records", n);
	free(buf);
}

Test(record, a_new_recording_is_version_2_and_smaller)
{
	char rec[128], out[128];
	char *args[] = { "--headless", "echo-herd", "--script", "connect 3; burst 5; sigint", "--record", rec, NULL };
	size_t len;
	char *buf;

	snprintf(rec, sizeof rec, "%s/v2.rec", dir);
	snprintf(out, sizeof out, "%s/v2.out", dir);
	cr_assert_eq(run_to_file(args, out), 0);
	buf = hread_file(rec, &len);
	cr_assert(strncmp(buf, "epollviz recording 2\ntrace-version: 1\nwire-version: 2\n", 54) == 0, "header: %.60s", buf);
	free(buf);
}

/*
 * --record into a FIFO nobody reads is an error at once (it used to wait in
 * open(2) with ^C blocked); into the scenario file itself it is refused, and
 * the scenario is left as it was.
 */
Test(record, a_fifo_without_reader_or_the_scenario_itself_is_refused)
{
	char fifo[128], out[128], scn[128], cmd[512], *err, *text;
	char *args1[] = { "--headless", "echo-herd", "--script", "settle", "--record", fifo, NULL };
	char *args2[] = { "--headless", scn, "--script", "settle", "--record", scn, NULL };
	size_t len, before;

	snprintf(fifo, sizeof fifo, "%s/f", dir);
	snprintf(out, sizeof out, "%s/out", dir);
	snprintf(scn, sizeof scn, "%s/mine.scn", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(run_to_file(args1, out), 2, "--record into a FIFO without a reader did not fail with 2");
	snprintf(cmd, sizeof cmd, "%s.err", out);
	err = hread_file(cmd, &len);
	cr_assert_not_null(strstr(err, "f: a FIFO that nobody reads"), "stderr: %s", err);
	free(err);

	snprintf(cmd, sizeof cmd, "cp scenarios/echo-herd.scn '%s'", scn);
	cr_assert_eq(system(cmd), 0);
	free(hread_file(scn, &before));
	cr_assert_eq(run_to_file(args2, out), 2, "--record into the scenario file did not fail with 2");
	snprintf(cmd, sizeof cmd, "%s.err", out);
	err = hread_file(cmd, &len);
	cr_assert_not_null(strstr(err, "mine.scn: is the scenario file itself"), "stderr: %s", err);
	free(err);
	text = hread_file(scn, &len);
	cr_assert_eq(len, before, "the scenario file was overwritten");
	cr_assert_not_null(strstr(text, "title = "), "the scenario file lost its title");
	free(text);
}
