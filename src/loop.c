/*
 * loop.c - see loop.h.  Callbacks may add and delete fds and timers while a
 * batch is being dispatched: deleted entries are only marked, and freed
 * after the batch.
 */
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util.h"

#define MAX_TIMERS 128
#define BATCH 64
/*
 * A gulp that finds at least this much waiting is a stream under load:
 * the next one is taken by the clock alone, without waking for readiness
 * in between (see gulp_due).
 */
#define GULP_BUSY 16384

struct watch {
	struct loop *loop;
	int fd;
	int dead;
	loop_fd_fn fn;
	void *arg;
	uint64_t gulp_ns; /* 0: call fn on every readiness */
	int capacity;     /* a gulped pipe's size (F_GETPIPE_SZ), 0 for anything else */
	int gulp_timer;   /* a gulp is pending: fd is not watched until it runs */
	struct watch *next_dead;
};

struct timer {
	int id;
	uint64_t at;
	loop_timer_fn fn;
	void *arg;
};

struct loop {
	int epfd;
	struct watch **byfd; /* fd -> watch */
	int nbyfd;
	struct watch *dead;
	struct timer timers[MAX_TIMERS];
	int ntimers;
	int next_id;
};

/* An empty loop over a new epoll instance, or NULL with errno. */
struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof *l);

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->next_id = 1;
	return l;
}

/* Free the watches that were deleted during the last batch. */
static void
reap_dead(struct loop *l)
{
	while (l->dead) {
		struct watch *w = l->dead;

		l->dead = w->next_dead;
		free(w);
	}
}

/* Free the loop, its watches and timers, and close its epoll fd; NULL is fine. */
void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	for (int i = 0; i < l->nbyfd; i++)
		free(l->byfd[i]);
	free(l->byfd);
	reap_dead(l);
	close(l->epfd);
	free(l);
}

/* A new watch of fd added to epoll (replacing any old one), or NULL. */
static struct watch *
add_watch(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *arg)
{
	struct epoll_event ev = { .events = events };
	struct watch *w;

	if (fd < 0)
		return NULL;
	if (fd >= l->nbyfd) {
		int n = l->nbyfd ? l->nbyfd : 64;

		while (n <= fd)
			n *= 2;
		l->byfd = xreallocarray(l->byfd, (size_t)n, sizeof *l->byfd);
		for (int i = l->nbyfd; i < n; i++)
			l->byfd[i] = NULL;
		l->nbyfd = n;
	}
	if (l->byfd[fd] != NULL)
		loop_del(l, fd);
	w = xcalloc(1, sizeof *w);
	w->loop = l;
	w->fd = fd;
	w->fn = fn;
	w->arg = arg;
	ev.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return NULL;
	}
	l->byfd[fd] = w;
	return w;
}

/* Call fn(arg, events) whenever fd is ready; 0 or -1. */
int
loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *arg)
{
	return add_watch(l, fd, events, fn, arg) ? 0 : -1;
}

/* Watch fd for EPOLLIN with reads deferred by gulp_ns; 0 or -1. */
int
loop_add_gulped(struct loop *l, int fd, uint64_t gulp_ns, loop_fd_fn fn, void *arg)
{
	struct watch *w = add_watch(l, fd, EPOLLIN, fn, arg);

	if (w == NULL)
		return -1;
	w->gulp_ns = gulp_ns;
	w->capacity = fcntl(fd, F_GETPIPE_SZ);
	if (w->capacity < 0)
		w->capacity = 0;
	return 0;
}

/* Change the events watched on fd; 0, or -1 if it is not watched or epoll fails. */
int
loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events };

	if (fd < 0 || fd >= l->nbyfd || l->byfd[fd] == NULL)
		return -1;
	ev.data.ptr = l->byfd[fd];
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

/* Remove fd from epoll, cancel its gulp and leave the watch to be freed later. */
void
loop_del(struct loop *l, int fd)
{
	struct watch *w;

	if (fd < 0 || fd >= l->nbyfd || (w = l->byfd[fd]) == NULL)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	if (w->gulp_timer)
		loop_timer_cancel(l, w->gulp_timer);
	w->gulp_timer = 0;
	l->byfd[fd] = NULL;
	w->dead = 1;
	w->next_dead = l->dead;
	l->dead = w;
}

/* Add a one-shot timer at at_ns; its id, or -1 when all MAX_TIMERS are in use. */
int
loop_timer(struct loop *l, uint64_t at_ns, loop_timer_fn fn, void *arg)
{
	struct timer *t;

	if (l->ntimers == MAX_TIMERS)
		return -1;
	t = &l->timers[l->ntimers++];
	t->id = l->next_id++;
	t->at = at_ns;
	t->fn = fn;
	t->arg = arg;
	return t->id;
}

/* Remove the timer with this id, if it has not run yet. */
void
loop_timer_cancel(struct loop *l, int id)
{
	for (int i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
	}
}

/* Run every due timer; returns how many ran. */
static int
run_timers(struct loop *l)
{
	uint64_t now = now_ns();
	int ran = 0;

	for (int i = 0; i < l->ntimers;) {
		if (l->timers[i].at <= now) {
			struct timer t = l->timers[i];

			l->timers[i] = l->timers[--l->ntimers];
			t.fn(t.arg);
			ran++;
			i = 0; /* the callback may have changed the array */
			continue;
		}
		i++;
	}
	return ran;
}

/*
 * A gulp is due: read it, then watch the fd again (fn may have deleted it:
 * EOF).  When it found the stream busy, the next gulp is due by the clock
 * alone, the fd still unwatched: under load the front end then wakes once
 * a gulp, not twice (for the timer, and at once for the writer's next
 * write), and each wake-up is a switch away from the processes it traces,
 * on their CPU.  A pipe that was at most a quarter full waits two periods
 * (it still has room for them); a fuller one, or anything else, one.
 */
static void
gulp_due(void *arg)
{
	struct watch *w = arg;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
	int waiting = 0;
	uint64_t next;

	w->gulp_timer = 0;
	if (ioctl(w->fd, FIONREAD, &waiting) < 0)
		waiting = 0;
	w->fn(w->arg, EPOLLIN);
	if (w->dead)
		return;
	next = w->capacity > 0 && waiting <= w->capacity / 4 ? 2 * w->gulp_ns : w->gulp_ns;
	if (waiting >= GULP_BUSY && (w->gulp_timer = loop_timer(w->loop, now_ns() + next, gulp_due, w)) > 0)
		return;
	w->gulp_timer = 0;
	epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

/*
 * fd of w is ready: call fn now, or stop watching and gulp later.  A hang-up
 * or error is read at once: epoll reports those even on a masked fd, so
 * deferring them would spin, and the end of a stream needs no batching.
 */
static void
dispatch(struct loop *l, struct watch *w, uint32_t events)
{
	struct epoll_event none = { .events = 0, .data.ptr = w };

	if (w->gulp_ns > 0 && !(events & (EPOLLHUP | EPOLLERR)) && w->gulp_timer == 0 &&
	    (w->gulp_timer = loop_timer(l, now_ns() + w->gulp_ns, gulp_due, w)) > 0) {
		epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &none);
		return;
	}
	if (w->gulp_timer < 0)
		w->gulp_timer = 0; /* no timer left for a gulp: read it now */
	w->fn(w->arg, events);
}

/* Wait for fds or the next timer (max_ms at most), then dispatch and run timers. */
int
loop_run_once(struct loop *l, int max_ms)
{
	struct epoll_event evs[BATCH];
	int timeout = max_ms, n, ran = 0;
	uint64_t now = now_ns();

	for (int i = 0; i < l->ntimers; i++) {
		uint64_t at = l->timers[i].at;
		int ms = at <= now ? 0 : (int)((at - now + 999999) / 1000000);

		if (timeout < 0 || ms < timeout)
			timeout = ms;
	}
	n = epoll_wait(l->epfd, evs, BATCH, timeout);
	if (n < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct watch *w = evs[i].data.ptr;

		if (w->dead)
			continue;
		dispatch(l, w, evs[i].events);
		ran++;
	}
	reap_dead(l);
	return ran + run_timers(l);
}
