/*
 * fifo_reader.c - a FIFO watcher as a student writes one, for the tests of
 * `epollviz run`: open the FIFO named by argv[1] (it blocks until a writer
 * comes), watch it with epoll, read until the writer hangs up, close, and
 * open it again; until a signal ends it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Serve one writer after another. */
int
main(int argc, char **argv)
{
	char buf[256];

	if (argc != 2) {
		fprintf(stderr, "usage: fifo-reader FIFO\n");
		return 2;
	}
	for (;;) {
		struct epoll_event ev = { .events = EPOLLIN }, out;
		int fd = open(argv[1], O_RDONLY), ep = epoll_create1(EPOLL_CLOEXEC);
		ssize_t n = 1;

		if (fd < 0 || ep < 0)
			return 1;
		ev.data.fd = fd;
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
		while (n > 0 && epoll_wait(ep, &out, 1, -1) == 1)
			n = read(fd, buf, sizeof buf);
		epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
		close(fd);
		close(ep);
	}
}
