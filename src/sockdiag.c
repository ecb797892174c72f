/*
 * sockdiag.c - see sockdiag.h.
 */
#include "sockdiag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

				l->inode = m.idiag_inode;
				l->family = m.idiag_family;
				l->port = ntohs(m.id.idiag_sport);
				l->qlen = m.idiag_rqueue;
				l->backlog = m.idiag_wqueue;
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

static int
query(int fd, int family, int port, struct listener *out, int max, int *n)
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
	req.r.idiag_states = 1u << TCP_LISTEN;
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

int
sockdiag_listeners(int port, struct listener *out, int max)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int n = 0;

	if (fd < 0)
		return -1;
	if (query(fd, AF_INET, port, out, max, &n) < 0 || query(fd, AF_INET6, port, out, max, &n) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return n;
}
