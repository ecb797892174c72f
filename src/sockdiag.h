/*
 * sockdiag.h - listening sockets and their accept queues, read through
 * NETLINK_SOCK_DIAG (inet_diag), as `ss -lnt` shows them: for a listener,
 * Recv-Q is the number of connections waiting in the accept queue and
 * Send-Q the backlog.  The parser is pure and unit-tested.
 */
#ifndef EPOLLVIZ_SOCKDIAG_H
#define EPOLLVIZ_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

struct listener {
	unsigned inode;
	int family;
	int port;
	unsigned qlen;    /* connections waiting for accept */
	unsigned backlog; /* listen(2) backlog, as the kernel keeps it */
	int state;        /* TCP_LISTEN, TCP_ESTABLISHED, ... */
	char local[48];   /* "127.0.0.1:8080", "[::1]:8080" */
	char remote[48];
};

/* "LISTEN", "ESTAB", ... as ss(8) prints them. */
const char *sockdiag_state_name(int state);

/*
 * Parse one netlink reply buffer.  Appends listeners on port (0: any) to
 * out[*n..max).  Returns 1 when NLMSG_DONE was seen, 0 if more is to come,
 * -1 on a malformed buffer or an error message (errno set).
 */
int sockdiag_parse(const void *buf, size_t len, int port, struct listener *out, int max, int *n);
/* Query TCP listeners on port (IPv4 and IPv6).  Returns the count, or -1 with errno. */
int sockdiag_listeners(int port, struct listener *out, int max);
/* Query every TCP socket in any state (IPv4 and IPv6).  Returns the count, or -1. */
int sockdiag_tcp_all(struct listener *out, int max);

#endif
