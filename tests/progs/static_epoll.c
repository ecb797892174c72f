/*
 * static_epoll.c - a statically linked epoll program for the tests of
 * `epollviz run`: no dynamic loader, so LD_PRELOAD cannot trace it.  It
 * listens on 127.0.0.1 (any free port), watches the socket with epoll,
 * prints the port, and waits in epoll_wait until a signal ends it.  With
 * --exit it ends at once with status 3, before any epoll call.
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Listen, watch, say where, and wait (or, with --exit, end at once). */
int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	struct epoll_event ev = { .events = EPOLLIN }, out;
	int s, ep;

	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 3;
	s = socket(AF_INET, SOCK_STREAM, 0);
	ep = epoll_create1(0);

	if (s < 0 || ep < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 8) < 0) {
		perror("static-epoll");
		return 1;
	}
	getsockname(s, (struct sockaddr *)&sa, &sl);
	ev.data.fd = s;
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	printf("static-epoll: listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;)
		epoll_wait(ep, &out, 1, -1);
}
