/*
 * loop.h - the front end's own event loop: one epoll instance over the fds
 * the front end owns (keyboard, trace pipe, pty master, client sockets) and
 * one-shot timers.  Not traced: it is the viewer, not the viewed.
 */
#ifndef EPOLLVIZ_LOOP_H
#define EPOLLVIZ_LOOP_H

#include <stdint.h>

struct loop;
typedef void (*loop_fd_fn)(void *arg, uint32_t events);
typedef void (*loop_timer_fn)(void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Watch fd for events (EPOLLIN...).  Returns 0 or -1. */
int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *arg);
int loop_mod(struct loop *l, int fd, uint32_t events);
/*
 * Watch fd for EPOLLIN in gulps: when it becomes readable the loop stops
 * watching it for gulp_ns, then calls fn(arg, EPOLLIN) once (fn should read
 * it dry) and watches it again, unless fn deleted it.  Under a steady stream
 * that is one call per gulp_ns instead of one per write; when a gulp found
 * 16 KiB or more waiting, the next comes by the clock alone, 2 * gulp_ns
 * later if fd is a pipe that was at most a quarter full, else gulp_ns (the
 * fd stays unwatched meanwhile; a hang-up is still read at once).
 */
int loop_add_gulped(struct loop *l, int fd, uint64_t gulp_ns, loop_fd_fn fn, void *arg);
/* Stop watching fd (a pending gulp is dropped); safe from inside a callback.  Does not close it. */
void loop_del(struct loop *l, int fd);
/* Call fn(arg) once at CLOCK_MONOTONIC time at_ns.  Returns an id > 0, or -1 when every timer is in use. */
int loop_timer(struct loop *l, uint64_t at_ns, loop_timer_fn fn, void *arg);
void loop_timer_cancel(struct loop *l, int id);
/*
 * Wait at most max_ms (-1: until something happens) and dispatch what is
 * ready and every timer that is due.  Returns the number of events and
 * timers handled (a gulped fd's callback may run later),
 * or -1 with errno (EINTR is returned as 0).
 */
int loop_run_once(struct loop *l, int max_ms);

#endif
