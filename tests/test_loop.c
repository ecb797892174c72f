/*
 * test_loop.c - the front end's event loop: a gulped fd is read once for
 * several writes and watched again after; a hang-up is read at once (epoll
 * reports it even while the fd is masked); a gulp dropped by loop_del never
 * runs; deleting the fd from its own callback (EOF) ends the watch.
 */
#include <criterion/criterion.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

#define GULP (2 * 1000 * 1000)

struct reader {
	struct loop *l;
	int fd;
	int calls;
	size_t bytes;
	int eof;
};

/* Read fd dry, as the trace pipe's reader does; on EOF stop watching it. */
static void
read_dry(void *arg, uint32_t events)
{
	struct reader *rd = arg;
	char buf[64];
	ssize_t n;

	cr_assert(events & (EPOLLIN | EPOLLHUP), "called with neither EPOLLIN nor EPOLLHUP: %#x", events);
	rd->calls++;
	while ((n = read(rd->fd, buf, sizeof buf)) > 0)
		rd->bytes += (size_t)n;
	if (n == 0) {
		rd->eof = 1;
		loop_del(rd->l, rd->fd);
	}
}

/* Run the loop until *v reaches want; at most 200 turns of at most 100 ms. */
static int
run_until(struct loop *l, const int *v, int want)
{
	for (int i = 0; i < 200 && *v < want; i++)
		cr_assert_geq(loop_run_once(l, 100), 0);
	return *v >= want;
}

static void
setup_pipe(struct reader *rd, int p[2], uint64_t gulp_ns)
{
	cr_assert_eq(pipe(p), 0);
	fd_set_nonblock(p[0]);
	rd->l = loop_new();
	cr_assert_not_null(rd->l);
	rd->fd = p[0];
	cr_assert_eq(loop_add_gulped(rd->l, p[0], gulp_ns, read_dry, rd), 0);
}

Test(loop, gulped_fd_is_read_once_for_many_writes_then_watched_again)
{
	struct reader rd = { 0 };
	int p[2];

	setup_pipe(&rd, p, GULP);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(write(p[1], "abcd", 4), 4);
	cr_assert(run_until(rd.l, &rd.calls, 1), "the gulp never ran");
	cr_assert_eq(rd.calls, 1, "three writes before the gulp took %d calls", rd.calls);
	cr_assert_eq(rd.bytes, 12, "read %zu bytes of 12", rd.bytes);
	/* Watched again: the next write is read by a second gulp, and the end by a third. */
	cr_assert_eq(write(p[1], "ef", 2), 2);
	cr_assert(run_until(rd.l, &rd.calls, 2), "the fd was not watched again after the gulp");
	cr_assert_eq(rd.bytes, 14);
	close(p[1]);
	cr_assert(run_until(rd.l, &rd.eof, 1), "EOF never read");
	cr_assert_eq(rd.calls, 3);
	/* Deleted from its own callback: nothing more runs. */
	cr_assert_eq(loop_run_once(rd.l, 0), 0, "a deleted fd still ran");
	loop_free(rd.l);
	close(p[0]);
}

/*
 * A gulp that finds 16 KiB or more waiting (a stream under load) leaves
 * the fd unwatched: what comes next waits for the clock, not for
 * readiness (one wake-up a gulp under load instead of two).
 */
Test(loop, a_busy_stream_is_next_read_by_the_clock_not_its_readiness)
{
	struct reader rd = { 0 };
	static char big[20000];
	int p[2];
	uint64_t t1;

	setup_pipe(&rd, p, 100 * GULP);
	cr_assert_eq(write(p[1], big, sizeof big), (ssize_t)sizeof big);
	cr_assert(run_until(rd.l, &rd.calls, 1), "the gulp never ran");
	t1 = now_ns();
	cr_assert_eq(rd.bytes, sizeof big);
	cr_assert_eq(write(p[1], "x", 1), 1);
	{
		int ran = loop_run_once(rd.l, 0);

		if (now_ns() - t1 < 100 * GULP) /* else this machine was too slow to tell: the gulp may be due */
			cr_assert_eq(ran, 0, "the busy fd was watched again: its readiness ran something (%d calls)",
				     rd.calls);
	}
	cr_assert(run_until(rd.l, &rd.calls, 2), "the next gulp never came by the clock");
	cr_assert_eq(rd.bytes, sizeof big + 1);
	/* That gulp found one byte: the stream is quiet, and the fd is watched again. */
	close(p[1]);
	cr_assert(run_until(rd.l, &rd.eof, 1), "EOF never read");
	loop_free(rd.l);
	close(p[0]);
}

Test(loop, deleting_a_gulped_fd_drops_its_pending_gulp)
{
	struct reader rd = { 0 };
	int p[2];

	/* A long gulp, so that it cannot come due within the turn that defers it. */
	setup_pipe(&rd, p, 100 * GULP);
	cr_assert_eq(write(p[1], "x", 1), 1);
	/* One turn sees the fd readable and defers it; the gulp is pending. */
	for (int i = 0; i < 200 && loop_run_once(rd.l, 100) == 0; i++)
		;
	cr_assert_eq(rd.calls, 0, "the fd was read at once, not in a gulp");
	loop_del(rd.l, p[0]);
	sleep_ns(200 * GULP); /* past the time it was due: a timer left behind would run now */
	cr_assert_eq(loop_run_once(rd.l, 0), 0, "a dropped gulp ran");
	cr_assert_eq(rd.calls, 0);
	loop_free(rd.l);
	close(p[0]);
	close(p[1]);
}
