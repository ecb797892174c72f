/*
 * fd_torture.c - a dynamically linked program that does to its fds what
 * daemons and servers do, for the tests of `epollviz run`: it closes every
 * fd it did not open (one by one, with close_range and with closefrom),
 * dup2s onto the trace pipe's number, clears its environment, forks, and
 * runs two threads that each make an epoll instance and call epoll_wait
 * ROUNDS times, while the main thread waits in epoll_pwait for SIGINT (the
 * threads block it; the main thread unblocks it only inside the wait, so a
 * ^C between the check of the flag and the wait cannot be missed); then it
 * joins them and exits 0.  Under the tracer
 * every one of those calls must still be traced, with no record lost.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 300

static volatile sig_atomic_t stop;

/* SIGINT: leave the wait. */
static void
on_int(int sig)
{
	(void)sig;
	stop = 1;
}

/* An epoll instance of the thread's own, waited on ROUNDS times without blocking. */
static void *
spin(void *arg)
{
	struct epoll_event ev;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	(void)arg;
	for (int i = 0; i < ROUNDS; i++)
		epoll_wait(ep, &ev, 1, 0);
	close(ep);
	return NULL;
}

/* Close what it did not open, take the trace fd's number, clear the environment, fork, spin in threads. */
int
main(void)
{
	const char *t = getenv("EPOLLVIZ_TRACE_FD");
	int tfd = t ? atoi(t) : 900, ep, st;
	struct sigaction sa = { .sa_handler = on_int };
	struct epoll_event ev;
	sigset_t intr, old;
	pthread_t a, b;
	pid_t child;

	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	close_range(3, ~0u, 0);
	closefrom(3);
	ep = epoll_create1(0);
	dup2(ep, tfd); /* the program wants the trace pipe's number for itself */
	close(tfd);
	clearenv();
	child = fork();
	if (child == 0) {
		close(epoll_create1(0));
		_exit(0);
	}
	waitpid(child, &st, 0);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	pthread_sigmask(SIG_BLOCK, &intr, &old); /* the threads never take SIGINT */
	pthread_create(&a, NULL, spin, NULL);
	pthread_create(&b, NULL, spin, NULL);
	/* SIGINT stays blocked here but for the wait itself: a flag checked, then a wait, loses nothing. */
	sigdelset(&old, SIGINT);
	while (!stop)
		if (epoll_pwait(ep, &ev, 1, -1, &old) < 0 && errno != EINTR)
			return 1;
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	puts("fd-torture: done");
	return 0;
}
