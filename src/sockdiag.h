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

/*
 * Every socket of a network namespace, as ss(8) tells them apart: TCP and
 * UDP (IPv4, IPv6), UNIX and netlink, in one table indexed by inode, with
 * no cap.  For `attach`: one dump per namespace and reading, then a binary
 * search of the index per fd, so a reading costs what the target holds, not the
 * machine's sockets times the target's.
 */
struct sockdiag_sock {
	unsigned long inode;
	int family;         /* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK */
	int proto;          /* IPPROTO_TCP/UDP; netlink: its protocol; unix: SOCK_STREAM... */
	int state;          /* TCP_LISTEN, TCP_ESTABLISHED, ... (unix: the same numbers) */
	unsigned rq, wq;    /* a listener: queue and backlog; else Recv-Q and Send-Q bytes */
	int has_q;          /* rq and wq were reported */
	unsigned long peer; /* unix: the peer's inode, 0 if none */
	unsigned portid;    /* netlink: the socket's port id */
	int no_backlog;     /* read from /proc/PID/net text: a listener's backlog is not there */
	char local[112];    /* "127.0.0.1:8080", "[::1]:80", a unix path (escaped; "@name" abstract) */
	char remote[48];
};

/* Where a table's row of an inode is. */
struct sockdiag_key {
	unsigned long inode;
	int row;
};

struct sockdiag_table {
	struct sockdiag_sock *s; /* in the order read */
	int n, cap;
	struct sockdiag_key *key;  /* by inode, nkey of them: the rows as of the last sockdiag_index */
	int nkey;
	const unsigned long *want; /* when not NULL, only these inodes (nwant, sorted) are kept */
	int nwant;
};

/*
 * A sock_diag socket that sees the network namespace of pid (0: ours): made
 * inside it (setns there and back) when it is not ours.  Returns the fd, or
 * -1 with errno (EPERM: not allowed to enter it).
 */
int sockdiag_open(int pid);
/*
 * Parse one reply buffer of a dump of family (AF_INET/AF_INET6 with proto,
 * AF_UNIX, AF_NETLINK), appending to t.  Returns 1 on NLMSG_DONE, 0 if more
 * is to come, -1 on a malformed buffer or an error message (errno set).
 */
int sockdiag_parse_any(const void *buf, size_t len, int family, int proto, struct sockdiag_table *t);
/*
 * Dump the sockets fd sees into t (appended, and indexed), family after
 * family (TCP, UNIX, UDP, netlink) until every inode of t->want is there
 * (only those are kept; want NULL: all, every family).  TIME-WAIT and
 * SYN-RECV sockets (no fd holds them) are not asked for.  0, or -1 with errno.
 */
int sockdiag_dump_all(int fd, struct sockdiag_table *t);
/*
 * Without sock_diag in a namespace (entering it needs CAP_SYS_ADMIN): parse
 * the text of /proc/PID/net/tcp, tcp6, udp or udp6 (family AF_INET or
 * AF_INET6, proto IPPROTO_TCP or IPPROTO_UDP), or /proc/PID/net/unix
 * (family AF_UNIX), appending to t as the dump would (no backlog, no unix
 * peer or queues).  Returns 0, or -1 when text is not such a table.
 */
int sockdiag_parse_proc_net(const char *text, int family, int proto, struct sockdiag_table *t);
/* Read pid's /proc/PID/net tables into t (indexed), as far as t->want needs.  0, or -1 with errno. */
int sockdiag_read_proc_net(int pid, struct sockdiag_table *t);

/* Room for n more rows in t (the sockets wanted), in one allocation faulted in at once. */
void sockdiag_reserve(struct sockdiag_table *t, int n);
/* Index t's rows by inode (after parsing into it yourself; the dump and the /proc reader do it). */
void sockdiag_index(struct sockdiag_table *t);
/* The socket with inode as of t's last index, or NULL. */
const struct sockdiag_sock *sockdiag_find(const struct sockdiag_table *t, unsigned long inode);
void sockdiag_table_free(struct sockdiag_table *t);

#endif
