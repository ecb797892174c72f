/*
 * test_notes_fifo.c - the FIFO half of "every mistake of the notes can be
 * switched on and watched", the EPOLLET probe, and the SPEC facts about
 * masks and the FIFO cure that had no test: the real binary, real
 * processes, a real FIFO.
 *
 *   read = once        262.c's one read(255) and close on EPOLLIN|EPOLLHUP
 *                      loses the 345 bytes of 600 beyond its read
 *   shadow_fd = yes    262.c's shadowed file_fd names a closed fd: EBADF
 *   et-before-add      EPOLLET reports data that came before the ADD
 *   facts 4, 5, 7      EPOLLHUP unasked; a mask of two bits; after the cure
 *                      the kernel watches the reopened fd and nothing else
 *
 * The switches' effects are also drawn: a run is recorded, replayed into a
 * model and drawn by the FIFO panel and the Story, as the screen would.
 * Waits are the scripts' own (each action waits for its effect; settle).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "hrun.h"
#include "model_helpers.h"
#include "replay.h"

#define WRITTEN 600   /* the notes' demonstration: a 600-byte write, then close */
#define NOTES_READ 255 /* 262.c: char buffer[256]; read(fd, buffer, sizeof(buffer) - 1) */

#define READ_ONCE "title = 262.c reads once\n[fifo]\nhup = fixed\nread = once\n"
#define SHADOWED "title = 262.c's shadowed file_fd\n[fifo]\nhup = fixed\nshadow_fd = yes\n"

/* Does the JSON mask array key of o hold the bit named name? */
static int
mask_has(const json_t *o, const char *key, const char *name)
{
	json_t *arr = json_object_get(o, key), *e;
	size_t i;

	json_array_foreach(arr, i, e)
		if (strcmp(json_string_value(e), name) == 0)
			return 1;
	return 0;
}

/* The summary's first FIFO object (written, read, lost, ebadf). */
static json_t *
summary_fifo(const struct hrun *h)
{
	json_t *fifos = json_object_get(h->summary, "fifos");

	cr_assert(json_is_array(fifos) && json_array_size(fifos) == 1, "the summary has no FIFO");
	return json_array_get(fifos, 0);
}

/* Index of the first record of type from pid at or after from, or -1. */
static long
find_of(const struct hrun *h, size_t from, const char *type, long long pid)
{
	for (size_t i = from; i < h->n; i++)
		if (jis(h->recs[i], type) && jint(h->recs[i], "pid") == pid)
			return (long)i;
	return -1;
}

/*
 * The data and the hang-up must reach the watcher together.  Written while
 * it waits in epoll_wait, the write may wake it before the close comes (the
 * two are separate calls), so it is stopped first, as a busy reader would
 * be slow: hold a writer, ^Z, write 600 bytes and close, hang up, fg.
 */
#define TOGETHER "writer; stop; write-close 600; hangup; cont; settle"

Test(notes_fifo, read_once_loses_exactly_the_bytes_beyond_its_read, .timeout = 60)
{
	char path[256];
	struct hrun h;
	long long pid;
	long w, hup, rd, ret;

	hscenario(path, sizeof path, "read-once", READ_ONCE);
	hrun(&h, path, TOGETHER);
	hassert_clean(&h);
	pid = hpid_of_role(&h, "fifo-watch");
	w = hfind(&h, 0, "fifo_write", NULL, NULL);
	cr_assert_geq(w, 0, "the front end's write is not traced");
	cr_assert_eq(jint(h.recs[w], "ret"), WRITTEN);
	cr_assert(jtrue(h.recs[w], "closes"));
	/* One return carries both bits; the watcher reads once, 255 bytes, then takes the HUP branch. */
	ret = -1;
	for (size_t i = (size_t)w; i < h.n && ret < 0; i++)
		if (jis(h.recs[i], "wait_return") && jint(h.recs[i], "pid") == pid && jint(h.recs[i], "ret") > 0)
			ret = (long)i;
	cr_assert_geq(ret, 0, "the watcher never returned from epoll_wait after the write");
	cr_assert(hready_has(h.recs[ret], jint(h.recs[find_of(&h, 0, "fifo_opened", pid)], "fd"), "EPOLLHUP") &&
		  hready_has(h.recs[ret], jint(h.recs[find_of(&h, 0, "fifo_opened", pid)], "fd"), "EPOLLIN"),
		  "the data and the hang-up did not come in one return");
	rd = find_of(&h, (size_t)ret, "read", pid);
	hup = find_of(&h, (size_t)ret, "fifo_hup", pid);
	cr_assert(rd >= 0 && hup > rd, "no read before the HUP branch");
	cr_assert_eq(jint(h.recs[rd], "ret"), NOTES_READ, "262.c reads 255 bytes, this read %lld",
		     jint(h.recs[rd], "ret"));
	cr_assert_eq(find_of(&h, (size_t)rd + 1, "read", pid), -1, "a second read: nothing is lost");
	cr_assert(mask_has(h.recs[hup], "events", "EPOLLIN") && mask_has(h.recs[hup], "events", "EPOLLHUP"));
	cr_assert_eq(jint(h.recs[hup], "lost"), WRITTEN - NOTES_READ, "600 - 255 = 345 bytes lost, not %lld",
		     jint(h.recs[hup], "lost"));
	cr_assert_eq(jint(summary_fifo(&h), "written"), WRITTEN);
	cr_assert_eq(jint(summary_fifo(&h), "read"), NOTES_READ);
	cr_assert_eq(jint(summary_fifo(&h), "lost"), WRITTEN - NOTES_READ);
	hrun_free(&h);
}

Test(notes_fifo, read_all_loses_nothing, .timeout = 60)
{
	struct hrun h;
	long long pid, sum = 0;

	hrun(&h, "fifo-hup-fixed", TOGETHER);
	hassert_clean(&h);
	pid = hpid_of_role(&h, "fifo-watch");
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "read") && jint(h.recs[i], "pid") == pid && jint(h.recs[i], "ret") > 0)
			sum += jint(h.recs[i], "ret");
	cr_assert_eq(sum, WRITTEN, "the default watcher read %lld of 600 bytes", sum);
	cr_assert_eq(jint(h.recs[find_of(&h, 0, "fifo_hup", pid)], "lost"), 0);
	cr_assert_eq(jint(summary_fifo(&h), "lost"), 0);
	hrun_free(&h);
}

Test(notes_fifo, shadowed_fd_gives_ebadf, .timeout = 60)
{
	char path[256];
	struct hrun h;
	long long pid, outer = -1, fd = -1;
	long o = -1, bad = -1, ok;

	hscenario(path, sizeof path, "shadowed", SHADOWED);
	hrun(&h, path, "write one; write two; settle");
	hassert_clean(&h);
	pid = hpid_of_role(&h, "fifo-watch");
	for (size_t i = 0; i < h.n && o < 0; i++)
		if (jis(h.recs[i], "fifo_opened") && jtrue(h.recs[i], "shadowed"))
			o = (long)i;
	cr_assert_geq(o, 0, "no reopen into a shadowing file_fd");
	outer = jint(h.recs[o], "outer_fd");
	fd = jint(h.recs[o], "ret");
	cr_assert_neq(outer, fd, "the reopen got the outer file_fd's number (%lld): nothing to see", fd);
	/* The placeholder is opened as the path alone, and what it is for is said on a line of its own. */
	cr_assert_geq(hfind(&h, 0, "open", "path", "/dev/null"), 0, "no placeholder open");
	cr_assert_str_eq(jstr(h.recs[hfind(&h, 0, "open", "path", "/dev/null")], "path"), "/dev/null");
	cr_assert_geq(hfind(&h, 0, "log", "text", "holds the number the close just freed"), 0,
		      "the placeholder is not explained");
	for (size_t i = (size_t)o; i < h.n && bad < 0; i++)
		if (jint(h.recs[i], "pid") == pid && jint(h.recs[i], "fd") == outer && jint(h.recs[i], "ret") == -1 &&
		    (jis(h.recs[i], "read") || jis(h.recs[i], "epoll_ctl")))
			bad = (long)i;
	cr_assert_geq(bad, 0, "no call on the stale file_fd %lld failed", outer);
	cr_assert_str_eq(jstr(h.recs[bad], "errno"), "EBADF");
	/* The watcher then takes the fd from ev.data: the data is read through the reopened fd. */
	ok = hfind(&h, (size_t)bad, "read", "text", "two.");
	cr_assert_geq(ok, 0, "\"two\" was never read");
	cr_assert_eq(jint(h.recs[ok], "fd"), fd);
	cr_assert_geq(jint(summary_fifo(&h), "ebadf"), 1);
	hrun_free(&h);
}

/* Is rec a wait_return of epfd? */
static int
return_of(const json_t *rec, long long epfd)
{
	return jis(rec, "wait_return") && jint(rec, "epfd") == epfd;
}

Test(notes_fifo, edge_triggered_reports_data_that_came_before_the_add, .timeout = 30)
{
	struct hrun h;
	long w, add, r1 = -1, r2 = -1;
	long long fd, epfd;

	hrun(&h, "et-before-add", "settle");
	hassert_clean(&h);
	w = -1;
	for (size_t i = 0; i < h.n && w < 0; i++)
		if (jis(h.recs[i], "log") && strstr(jstr(h.recs[i], "text"), "before the ADD"))
			w = (long)i;
	cr_assert_geq(w, 0, "the probe did not say it wrote before the ADD");
	add = hfind(&h, (size_t)w, "epoll_ctl", "op", "EPOLL_CTL_ADD");
	cr_assert_geq(add, 0, "no ADD after the write");
	cr_assert(mask_has(h.recs[add], "events", "EPOLLET"), "the ADD is not edge-triggered");
	cr_assert_eq(jint(h.recs[add], "ret"), 0);
	fd = jint(h.recs[add], "fd");
	epfd = jint(h.recs[add], "epfd");
	for (size_t i = (size_t)add; i < h.n && r2 < 0; i++)
		if (return_of(h.recs[i], epfd))
			*(r1 < 0 ? &r1 : &r2) = (long)i;
	cr_assert_geq(r2, 0, "two epoll_wait returns expected");
	cr_assert_eq(jint(h.recs[r1], "ret"), 1, "the data that came before the ADD was not reported");
	cr_assert(hready_has(h.recs[r1], fd, "EPOLLIN"));
	cr_assert_eq(jint(h.recs[r2], "ret"), 0, "edge-triggered reported the same data twice");
	cr_assert(htty_says(&h, "the notes claim"), "the terminal does not say the notes claim otherwise");
	hrun_free(&h);
}

/* The ctl-errors probe's return after the pipe's writer closed: data 0xC0FFEE with EPOLLHUP. */
static long
hup_return(const struct hrun *h)
{
	for (size_t i = 0; i < h->n; i++)
		if (jis(h->recs[i], "wait_return") && hready_has(h->recs[i], 0xC0FFEE, "EPOLLHUP"))
			return (long)i;
	return -1;
}

Test(notes_fifo, epollhup_is_reported_though_not_asked_for, .timeout = 30)
{
	struct hrun h;
	long r;
	long long fd = -1;

	hrun(&h, "ctl-errors", "settle");
	hassert_clean(&h);
	r = hup_return(&h);
	cr_assert_geq(r, 0, "no EPOLLHUP came back after the writer closed");
	/* Every ADD and MOD of that fd before it asked for EPOLLIN only. */
	for (long i = 0; i < r; i++) {
		if (!jis(h.recs[i], "epoll_ctl") || strcmp(jstr(h.recs[i], "op"), "EPOLL_CTL_DEL") == 0)
			continue;
		if (fd < 0)
			fd = jint(h.recs[i], "fd");
		if (jint(h.recs[i], "fd") != fd)
			continue;
		cr_assert(mask_has(h.recs[i], "events", "EPOLLIN"));
		cr_assert(!mask_has(h.recs[i], "events", "EPOLLHUP"), "record %ld asked for EPOLLHUP", i);
	}
	cr_assert_geq(fd, 0, "no ADD before the return");
	hrun_free(&h);
}

Test(notes_fifo, a_returned_mask_holds_several_bits, .timeout = 30)
{
	struct hrun h;
	json_t *pair, *evs;
	long r;

	hrun(&h, "ctl-errors", "settle");
	hassert_clean(&h);
	r = hup_return(&h);
	cr_assert_geq(r, 0);
	pair = json_array_get(json_object_get(h.recs[r], "ready"), 0);
	evs = json_object_get(pair, "events");
	/* Two bits: `events == EPOLLIN` and `events == EPOLLHUP` are both false, `events & EPOLLIN` is true. */
	cr_assert_eq(json_array_size(evs), 2, "the mask has %zu bits", json_array_size(evs));
	cr_assert(mask_has(pair, "events", "EPOLLIN") && mask_has(pair, "events", "EPOLLHUP"));
	cr_assert(htty_says(&h, "test with &"), "the terminal does not say to test with &");
	hrun_free(&h);
}

/* The kernel_watch records of pid (from inspect): how many, and the fd of the last. */
static int
kernel_watches(const struct hrun *h, long long pid, long *last)
{
	int n = 0;

	for (size_t i = 0; i < h->n; i++)
		if (jis(h->recs[i], "kernel_watch") && jint(h->recs[i], "of") == pid) {
			n++;
			*last = (long)i;
		}
	return n;
}

/*
 * After DEL, close, reopen, ADD the kernel's interest list (/proc fdinfo)
 * holds the reopened fd, and nothing of the old one: checked where the
 * reopen gets the same number (the usual case) and where it gets another.
 */
static void
check_cure(const char *scenario, int other_number)
{
	struct hrun h;
	long o1, o2, kw = -1, ke;
	long long pid, fd1, fd2;

	hrun(&h, scenario, "writer; hangup; writer; settle; inspect; write two; settle");
	hassert_clean(&h);
	pid = hpid_of_role(&h, "fifo-watch");
	o1 = find_of(&h, 0, "fifo_opened", pid);
	o2 = find_of(&h, (size_t)o1 + 1, "fifo_opened", pid);
	cr_assert(o1 >= 0 && o2 >= 0, "%s: no reopen", scenario);
	fd1 = jint(h.recs[o1], "ret");
	fd2 = jint(h.recs[o2], "ret");
	cr_assert_eq(fd1 != fd2, other_number, "%s: fds %lld then %lld", scenario, fd1, fd2);
	ke = -1;
	for (size_t i = 0; i < h.n; i++)
		if (jis(h.recs[i], "kernel_epoll") && jint(h.recs[i], "of") == pid)
			ke = (long)i;
	cr_assert_geq(ke, 0, "%s: inspect said nothing of the watcher's epoll instance", scenario);
	cr_assert_eq(jint(h.recs[ke], "watches"), 1, "%s: the kernel watches %lld fds: the old entry is still there",
		     scenario, jint(h.recs[ke], "watches"));
	cr_assert_eq(kernel_watches(&h, pid, &kw), 1, "%s", scenario);
	cr_assert_eq(jint(h.recs[kw], "fd"), fd2, "%s: the kernel watches fd %lld, not the reopened %lld", scenario,
		     jint(h.recs[kw], "fd"), fd2);
	cr_assert_eq(jint(h.recs[kw], "data"), fd2);
	cr_assert(mask_has(h.recs[kw], "events", "EPOLLIN") && mask_has(h.recs[kw], "events", "EPOLLHUP"));
	cr_assert_str_eq(jstr(h.recs[kw], "verdict"), "agree", "%s: %s", scenario, jstr(h.recs[kw], "why"));
	cr_assert_geq(hfind(&h, (size_t)kw, "read", "text", "two."), 0, "%s: the reopened fd is not watched", scenario);
	hrun_free(&h);
}

Test(notes_fifo, after_the_cure_only_the_reopened_fd_is_watched, .timeout = 90)
{
	char path[256];

	check_cure("fifo-hup-fixed", 0);
	/* The shadowed reopen gets another number; inspect comes before any use of the stale one. */
	hscenario(path, sizeof path, "shadowed", SHADOWED);
	check_cure(path, 1);
}

/* ---- what the screen shows: a recording replayed into a model, drawn -------- */

static struct scenario SC;

/* Run scenario file path headless with script, recorded; replay the recording into M. */
static void
replay_run(const char *path, const char *script)
{
	char rec[512], dir[300], err[256];
	struct hrun h;
	struct replay *rp;
	struct trace_rec r;
	int got;

	snprintf(dir, sizeof dir, "%s", path);
	snprintf(rec, sizeof rec, "%s/run.rec", dirname(dir));
	char *argv[] = { "--headless", (char *)path, "--script", (char *)script, "--quiet", "--record", rec, NULL };
	hrun_raw(&h, argv, NULL, 0);
	cr_assert_eq(h.status, 0, "exit status %d: %s", h.status, h.out);
	hrun_free(&h);
	cr_assert_eq(scenario_load(path, &SC, err, sizeof err), 0, "%s", err);
	rp = replay_open(rec, err, sizeof err);
	cr_assert_not_null(rp, "%s", err);
	M = model_new();
	while ((got = replay_next(rp, &r)) == 1)
		model_apply(M, &r);
	cr_assert_eq(got, 0, "%s", replay_error(rp));
	replay_close(rp);
	unlink(rec);
}

/* Everything panel id draws (title included) at 160 columns. */
static const char *
drawn(int id)
{
	return panel_text(id, 160, &SC, "\n");
}

/* Does panel id say want? */
static void
says(int id, const char *want)
{
	panel_says(id, drawn(id), want);
}

Test(notes_fifo, the_fifo_panel_and_the_story_show_the_loss, .timeout = 60)
{
	char path[256];
	const struct m_fifo *f;

	hscenario(path, sizeof path, "read-once", READ_ONCE);
	replay_run(path, TOGETHER);
	cr_assert_eq(M->nfifos, 1);
	f = &M->fifos[0];
	cr_assert_eq(f->written, WRITTEN);
	cr_assert_eq(f->bytes, NOTES_READ);
	cr_assert_eq(f->lost, WRITTEN - NOTES_READ);
	says(P_FIFO, "read once");
	says(P_FIFO, "262.c: one read(255), then the HUP branch");
	says(P_FIFO, "you wrote 600 B, it read 255 B");
	says(P_FIFO, "lost 345 B");
	says(P_STORY, "EPOLLIN|EPOLLHUP on fd");
	says(P_STORY, "closing with 345 bytes unread: lost");
	model_free(M);
}

Test(notes_fifo, the_fifo_panel_and_the_story_show_the_stale_fd, .timeout = 60)
{
	char path[256], want[160];
	const struct m_fifo *f;

	hscenario(path, sizeof path, "shadowed", SHADOWED);
	replay_run(path, "write one; write two; settle");
	f = &M->fifos[0];
	cr_assert_geq(f->ebadf, 1, "the model counted no EBADF");
	cr_assert_geq(f->stale_fd, 0);
	snprintf(want, sizeof want, "stale file_fd %d (closed; the FIFO is fd %d)", f->stale_fd, f->shadow_fd);
	says(P_FIFO, want);
	says(P_FIFO, "262.c: the reopen goes into a new file_fd");
	says(P_FIFO, "EBADF");
	snprintf(want, sizeof want, "the outer file_fd still names %d, closed", f->stale_fd);
	says(P_STORY, want);
	snprintf(want, sizeof want, "read(%d) = -1 EBADF", f->stale_fd);
	says(P_STORY, want);
	model_free(M);
}

/*
 * notes-as-written starts the watcher with '&', so ^Z stops the echo server,
 * not the watcher: stop-watcher (Z) is kill -STOP to the watcher's group, as
 * from another terminal.  With it stopped, the 600 bytes and the hang-up wait
 * together, and 262.c's read once loses 345 of them when it continues (G).
 */
Test(notes_fifo, the_background_watcher_is_stopped_by_kill_and_loses_345_bytes, .timeout = 60)
{
	struct hrun h;
	long long pid, pgid;
	long stop, stopped, cont, hup;

	hrun(&h, "notes-as-written", "writer; stop-watcher; write-close 600; hangup; cont-watcher; settle");
	hassert_clean(&h);
	pid = hpid_of_role(&h, "fifo-watch");
	pgid = jint(h.recs[hfind(&h, 0, "job", "event", "started")], "pgid");
	cr_assert_eq(pgid, pid, "the watcher is not the first job's leader");
	stop = hfind(&h, 0, "kill", "signal", "SIGSTOP");
	cr_assert_geq(stop, 0, "no kill -STOP");
	cr_assert_eq(jint(h.recs[stop], "target"), -pgid, "kill -STOP went to %lld, not the watcher's group",
		     jint(h.recs[stop], "target"));
	stopped = hfind(&h, (size_t)stop, "job", "event", "stopped");
	cr_assert(stopped >= 0 && jint(h.recs[stopped], "pgid") == pgid, "the session did not see the watcher stop");
	cont = hfind(&h, (size_t)stopped, "kill", "signal", "SIGCONT");
	cr_assert(cont >= 0 && jint(h.recs[cont], "target") == -pgid, "no kill -CONT to the watcher's group");
	hup = find_of(&h, (size_t)cont, "fifo_hup", pid);
	cr_assert_geq(hup, 0, "the watcher did not take the HUP branch after it continued");
	cr_assert_eq(jint(h.recs[hup], "lost"), WRITTEN - NOTES_READ, "%lld bytes lost, not 345",
		     jint(h.recs[hup], "lost"));
	hrun_free(&h);
}
