/*
 * sockdiag.c - see sockdiag.h.
 */
#include "sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The ss(8) name of a TCP state, or "?" for one out of the table. */
const char *
sockdiag_state_name(int state)
{
	static const char *const n[] = { "?", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
					 "FIN-WAIT-2", "TIME-WAIT", "CLOSE", "CLOSE-WAIT", "LAST-ACK",
					 "LISTEN", "CLOSING", "NEW-SYN-RECV" };

	return state > 0 && state < (int)(sizeof n / sizeof n[0]) ? n[state] : "?";
}

/* An address and port as "a.b.c.d:port" or "[v6]:port" into buf. */
static void
format_addr(int family, const __be32 *addr, __be16 port, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (family == AF_INET) {
		inet_ntop(AF_INET, addr, host, sizeof host);
		snprintf(buf, cap, "%s:%u", host, ntohs(port));
	} else {
		inet_ntop(AF_INET6, addr, host, sizeof host);
		snprintf(buf, cap, "[%s]:%u", host, ntohs(port));
	}
}

/* Walk the netlink messages in buf, appending matching sockets; 1 on NLMSG_DONE. */
int
sockdiag_parse(const void *buf, size_t len, int port, struct listener *out, int max, int *n)
{
	const char *p = buf;

	while (len > 0) {
		struct nlmsghdr h;

		if (len < sizeof h) {
			errno = EPROTO;
			return -1;
		}
		memcpy(&h, p, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len) {
			errno = EPROTO;
			return -1;
		}
		if (h.nlmsg_type == NLMSG_DONE)
			return 1;
		if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;

			if (h.nlmsg_len < NLMSG_LENGTH(sizeof e)) {
				errno = EPROTO;
				return -1;
			}
			memcpy(&e, p + NLMSG_HDRLEN, sizeof e);
			errno = e.error ? -e.error : EPROTO;
			return -1;
		}
		if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			struct inet_diag_msg m;

			if (h.nlmsg_len < NLMSG_LENGTH(sizeof m)) {
				errno = EPROTO;
				return -1;
			}
			memcpy(&m, p + NLMSG_HDRLEN, sizeof m);
			if ((port == 0 || ntohs(m.id.idiag_sport) == port) && *n < max) {
				struct listener *l = &out[(*n)++];

				memset(l, 0, sizeof *l);
				l->inode = m.idiag_inode;
				l->family = m.idiag_family;
				l->port = ntohs(m.id.idiag_sport);
				l->qlen = m.idiag_rqueue;
				l->backlog = m.idiag_wqueue;
				l->state = m.idiag_state;
				format_addr(m.idiag_family, m.id.idiag_src, m.id.idiag_sport, l->local,
					    sizeof l->local);
				format_addr(m.idiag_family, m.id.idiag_dst, m.id.idiag_dport, l->remote,
					    sizeof l->remote);
			}
		}
		size_t step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* Send one inet_diag dump request for family and read replies up to DONE; 0 or -1. */
static int
query(int fd, int family, unsigned states, int port, struct listener *out, int max, int *n)
{
	struct {
		struct nlmsghdr h;
		struct inet_diag_req_v2 r;
	} req;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[16384];

	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = sizeof req;
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)family;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = states;
	if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	for (;;) {
		ssize_t k = recv(fd, buf, sizeof buf, 0);
		int r;

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			return 0;
		r = sockdiag_parse(buf, (size_t)k, port, out, max, n);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
}

/* TCP sockets in the given states (on port, 0: any), IPv4 then IPv6.  Count, or -1. */
static int
dump(unsigned states, int port, struct listener *out, int max)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int n = 0;

	if (fd < 0)
		return -1;
	if (query(fd, AF_INET, states, port, out, max, &n) < 0 ||
	    query(fd, AF_INET6, states, port, out, max, &n) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return n;
}

/* Listening TCP sockets on port (0: any port). */
int
sockdiag_listeners(int port, struct listener *out, int max)
{
	return dump(1u << TCP_LISTEN, port, out, max);
}

/* TCP sockets in every state, on any port. */
int
sockdiag_tcp_all(struct listener *out, int max)
{
	return dump(~0u, 0, out, max);
}
