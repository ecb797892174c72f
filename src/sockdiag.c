/*
 * sockdiag.c - see sockdiag.h.
 */
#include "sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "proctab.h"
#include "util.h"

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

/*
 * Walk the netlink messages of a dump reply in buf: fn(ctx, body, blen)
 * for each SOCK_DIAG_BY_FAMILY message (-1 from it ends the walk).  1 at
 * NLMSG_DONE, 0 at the end of buf, -1 with errno: EPROTO for a malformed
 * message (a partial header at the end included), the kernel's own for an
 * NLMSG_ERROR.
 */
static int
nl_walk(const void *buf, size_t len, int (*fn)(void *ctx, const char *body, size_t blen), void *ctx)
{
	const char *p = buf;

	while (len > 0) {
		struct nlmsghdr h;
		size_t step;

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
			/* The kernel sends -errno; anything else (INT_MIN cannot even be negated) is not an errno. */
			errno = e.error < 0 && e.error > -4096 ? -e.error : EPROTO;
			return -1;
		}
		if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY && fn(ctx, p + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN) < 0)
			return -1;
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* sockdiag_parse's walk: where the listening sockets go. */
struct listen_walk {
	int port;
	struct listener *out;
	int max;
	int *n;
};

/* One inet_diag message: a listening socket of the port (any, for 0) appended while there is room. */
static int
listen_one(void *ctx, const char *body, size_t blen)
{
	struct listen_walk *w = ctx;
	struct inet_diag_msg m;

	if (blen < sizeof m) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&m, body, sizeof m);
	if ((w->port == 0 || ntohs(m.id.idiag_sport) == w->port) && *w->n < w->max) {
		struct listener *l = &w->out[(*w->n)++];

		memset(l, 0, sizeof *l);
		l->inode = m.idiag_inode;
		l->family = m.idiag_family;
		l->port = ntohs(m.id.idiag_sport);
		l->qlen = m.idiag_rqueue;
		l->backlog = m.idiag_wqueue;
		l->state = m.idiag_state;
		format_addr(m.idiag_family, m.id.idiag_src, m.id.idiag_sport, l->local, sizeof l->local);
		format_addr(m.idiag_family, m.id.idiag_dst, m.id.idiag_dport, l->remote, sizeof l->remote);
	}
	return 0;
}

/* Walk the netlink messages in buf, appending matching sockets; 1 on NLMSG_DONE. */
int
sockdiag_parse(const void *buf, size_t len, int port, struct listener *out, int max, int *n)
{
	struct listen_walk w = { port, out, max, n };

	return nl_walk(buf, len, listen_one, &w);
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

/* Is inode among t's wanted ones (all are, without a want list)? */
static int
table_wants(const struct sockdiag_table *t, unsigned long inode)
{
	int lo = 0, hi = t->nwant;

	if (t->want == NULL)
		return 1;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->want[mid] == inode)
			return 1;
		if (t->want[mid] < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* The next free row of t, zeroed, for inode; NULL when t does not want it (nothing more is parsed then). */
static struct sockdiag_sock *
table_push(struct sockdiag_table *t, unsigned long inode)
{
	if (!table_wants(t, inode))
		return NULL;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->s = xreallocarray(t->s, (size_t)t->cap, sizeof *t->s);
	}
	memset(&t->s[t->n], 0, sizeof t->s[0]);
	t->s[t->n].inode = inode;
	return &t->s[t->n++];
}

/* Room for n more rows in t, faulted in at once (prefault). */
void
sockdiag_reserve(struct sockdiag_table *t, int n)
{
	if (n <= t->cap - t->n)
		return;
	t->cap = t->n + n;
	t->s = xreallocarray(t->s, (size_t)t->cap, sizeof *t->s);
	prefault(t->s + t->n, (size_t)n * sizeof *t->s);
}

/* One inet_diag message (TCP or UDP). */
static void
parse_inet(const char *p, size_t len, int proto, struct sockdiag_table *t)
{
	struct inet_diag_msg m;
	struct sockdiag_sock *s;

	if (len < sizeof m)
		return;
	memcpy(&m, p, sizeof m);
	s = table_push(t, m.idiag_inode);
	if (s == NULL)
		return;
	s->inode = m.idiag_inode;
	s->family = m.idiag_family;
	s->proto = proto;
	s->state = m.idiag_state;
	s->rq = m.idiag_rqueue;
	s->wq = m.idiag_wqueue;
	s->has_q = 1;
	format_addr(m.idiag_family, m.id.idiag_src, m.id.idiag_sport, s->local, sizeof s->local);
	format_addr(m.idiag_family, m.id.idiag_dst, m.id.idiag_dport, s->remote, sizeof s->remote);
}

/* One unix_diag message with its name, peer and queue attributes. */
static void
parse_unix(const char *p, size_t len, struct sockdiag_table *t)
{
	struct unix_diag_msg m;
	struct sockdiag_sock *s;
	size_t off = NLMSG_ALIGN(sizeof m);

	if (len < sizeof m)
		return;
	memcpy(&m, p, sizeof m);
	s = table_push(t, m.udiag_ino);
	if (s == NULL)
		return;
	s->inode = m.udiag_ino;
	s->family = AF_UNIX;
	s->proto = m.udiag_type;
	s->state = m.udiag_state;
	while (off + sizeof(struct rtattr) <= len) {
		struct rtattr a;
		size_t alen;

		memcpy(&a, p + off, sizeof a);
		if (a.rta_len < sizeof a || off + a.rta_len > len)
			break;
		alen = a.rta_len - RTA_LENGTH(0);
		if (a.rta_type == UNIX_DIAG_NAME && alen > 0) {
			const char *name = p + off + RTA_LENGTH(0);

			if (name[0] == '\0') { /* abstract: ss prints it with an @ */
				s->local[0] = '@';
				proctab_escape(name + 1, alen - 1, s->local + 1, sizeof s->local - 1);
			} else {
				proctab_escape(name, strnlen(name, alen), s->local, sizeof s->local);
			}
		} else if (a.rta_type == UNIX_DIAG_PEER && alen >= 4) {
			uint32_t peer;

			memcpy(&peer, p + off + RTA_LENGTH(0), sizeof peer);
			s->peer = peer;
		} else if (a.rta_type == UNIX_DIAG_RQLEN && alen >= sizeof(struct unix_diag_rqlen)) {
			struct unix_diag_rqlen q;

			memcpy(&q, p + off + RTA_LENGTH(0), sizeof q);
			s->rq = q.udiag_rqueue;
			s->wq = q.udiag_wqueue;
			s->has_q = 1;
		}
		off += RTA_ALIGN(a.rta_len);
	}
}

/* One netlink_diag message. */
static void
parse_netlink(const char *p, size_t len, struct sockdiag_table *t)
{
	struct netlink_diag_msg m;
	struct sockdiag_sock *s;

	if (len < sizeof m)
		return;
	memcpy(&m, p, sizeof m);
	s = table_push(t, m.ndiag_ino);
	if (s == NULL)
		return;
	s->inode = m.ndiag_ino;
	s->family = AF_NETLINK;
	s->proto = m.ndiag_protocol;
	s->state = m.ndiag_state;
	s->portid = m.ndiag_portid;
}

/* sockdiag_parse_any's walk: the dump's family and protocol, and the table. */
struct any_walk {
	int family, proto;
	struct sockdiag_table *t;
};

/* One message of any family's dump, parsed as its family is. */
static int
any_one(void *ctx, const char *body, size_t blen)
{
	struct any_walk *w = ctx;

	if (w->family == AF_UNIX)
		parse_unix(body, blen, w->t);
	else if (w->family == AF_NETLINK)
		parse_netlink(body, blen, w->t);
	else
		parse_inet(body, blen, w->proto, w->t);
	return 0;
}

/* Walk the netlink messages of one dump reply, appending each socket to t. */
int
sockdiag_parse_any(const void *buf, size_t len, int family, int proto, struct sockdiag_table *t)
{
	struct any_walk w = { family, proto, t };

	return nl_walk(buf, len, any_one, &w);
}

/* Send one dump request (req of rlen bytes) and read its replies into t up to DONE; 0 or -1. */
static int
dump_one(int fd, const void *req, size_t rlen, int family, int proto, struct sockdiag_table *t)
{
	struct {
		struct nlmsghdr h;
		char body[64];
	} msg;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[32768];

	memset(&msg, 0, sizeof msg);
	msg.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(rlen);
	msg.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	memcpy(msg.body, req, rlen);
	if (sendto(fd, &msg, msg.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -1;
	for (;;) {
		ssize_t k = recv(fd, buf, sizeof buf, 0);
		int r;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -1 : 0;
		r = sockdiag_parse_any(buf, (size_t)k, family, proto, t);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
}

/* qsort order of keys: by inode, then row (the first row of an inode is found). */
static int
cmp_key(const void *a, const void *b)
{
	const struct sockdiag_key *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/*
 * Index t's rows by inode, for sockdiag_find: keys of 16 bytes are sorted,
 * not the 200-byte rows (20 000 unix sockets made that sort a tenth of a
 * reading).
 */
void
sockdiag_index(struct sockdiag_table *t)
{
	t->key = xreallocarray(t->key, (size_t)t->n + 1, sizeof *t->key);
	for (int i = 0; i < t->n; i++)
		t->key[i] = (struct sockdiag_key){ t->s[i].inode, i };
	t->nkey = t->n;
	if (t->n > 1)
		qsort(t->key, (size_t)t->n, sizeof *t->key, cmp_key);
}

/* Are all of t's wanted inodes in it (t indexed)? */
static int
has_all(const struct sockdiag_table *t)
{
	if (t->want == NULL)
		return 0;
	for (int i = 0; i < t->nwant; i++)
		if (sockdiag_find(t, t->want[i]) == NULL)
			return 0;
	return 1;
}

/*
 * TCP and UDP over IPv4 and IPv6, UNIX, netlink, dumped one after another
 * until every inode wanted is found (a server of TCP sockets never pays
 * for the machine's UNIX sockets).  TIME-WAIT and SYN-RECV sockets belong
 * to no fd: a machine's tens of thousands of them are not asked for.
 */
int
sockdiag_dump_all(int fd, struct sockdiag_table *t)
{
	static const struct {
		int family, proto;
	} inet[] = { { AF_INET, IPPROTO_TCP }, { AF_INET6, IPPROTO_TCP }, { AF_INET, IPPROTO_UDP },
		     { AF_INET6, IPPROTO_UDP } };
	struct unix_diag_req u = { .sdiag_family = AF_UNIX, .udiag_states = ~0u,
				   .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN };
	struct netlink_diag_req nl = { .sdiag_family = AF_NETLINK, .sdiag_protocol = NDIAG_PROTO_ALL };
	unsigned states = ~((1u << TCP_TIME_WAIT) | (1u << TCP_SYN_RECV) | (1u << 12 /* TCP_NEW_SYN_RECV */));
	int rc = 0;

	for (int step = 0; step < 6 && !has_all(t); step++) {
		int r;

		if (step < 2 || step == 3 || step == 4) {
			int i = step < 2 ? step : step - 1;
			struct inet_diag_req_v2 q = { .sdiag_family = (uint8_t)inet[i].family,
						      .sdiag_protocol = (uint8_t)inet[i].proto, .idiag_states = states };

			r = dump_one(fd, &q, sizeof q, inet[i].family, inet[i].proto, t);
		} else if (step == 2) {
			r = dump_one(fd, &u, sizeof u, AF_UNIX, 0, t);
		} else {
			r = dump_one(fd, &nl, sizeof nl, AF_NETLINK, 0, t);
			if (r < 0)
				r = 0; /* netlink_diag is often a module not loaded: those stay unnamed */
		}
		/* A kernel without IPv6 or UDP diag answers ENOENT: that family has nothing to show. */
		if (r < 0 && errno != ENOENT)
			rc = -1;
		sockdiag_index(t);
	}
	return rc;
}

/* A /proc/net address ("0100007F" or 32 hex digits: the kernel's words as printed) into words. */
static int
proc_net_addr(const char *hex, size_t len, __be32 *words)
{
	char w[9];

	if (len != 8 && len != 32)
		return -1;
	for (size_t i = 0; i < len / 8; i++) {
		memcpy(w, hex + i * 8, 8);
		w[8] = '\0';
		words[i] = (__be32)strtoul(w, NULL, 16);
	}
	return 0;
}

/* One line of /proc/net/tcp or udp (v4 or v6) into t. */
static void
proc_net_inet_line(const char *line, int family, int proto, struct sockdiag_table *t)
{
	char src[40], dst[40];
	unsigned sport, dport, state, tx, rx;
	unsigned long inode;
	__be32 sa[4] = { 0 }, da[4] = { 0 };
	struct sockdiag_sock *s;

	if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %x:%x %*x:%*x %*x %*u %*d %lu", src, &sport,
		   dst, &dport, &state, &tx, &rx, &inode) != 8 ||
	    proc_net_addr(src, strlen(src), sa) < 0 || proc_net_addr(dst, strlen(dst), da) < 0 || inode == 0)
		return;
	s = table_push(t, inode);
	if (s == NULL)
		return;
	s->inode = inode;
	s->family = family;
	s->proto = proto;
	s->state = (int)state;
	s->rq = rx; /* a listener's rx_queue is its accept queue */
	s->wq = tx;
	s->has_q = 1;
	s->no_backlog = 1;
	format_addr(family, sa, htons((uint16_t)sport), s->local, sizeof s->local);
	format_addr(family, da, htons((uint16_t)dport), s->remote, sizeof s->remote);
}

/* One line of /proc/net/unix into t: type, state (listening from __SO_ACCEPTCON), path. */
static void
proc_net_unix_line(const char *line, struct sockdiag_table *t)
{
	unsigned flags, type, st;
	unsigned long inode;
	int at = 0;
	struct sockdiag_sock *s;

	if (sscanf(line, "%*s %*x %*x %x %x %x %lu%n", &flags, &type, &st, &inode, &at) != 4 || inode == 0)
		return;
	s = table_push(t, inode);
	if (s == NULL)
		return;
	s->inode = inode;
	s->family = AF_UNIX;
	s->proto = (int)type;
	s->state = flags & 0x10000 /* __SO_ACCEPTCON */ ? TCP_LISTEN : st == 3 /* SS_CONNECTED */ ? TCP_ESTABLISHED
											    : TCP_CLOSE;
	s->no_backlog = 1;
	line += at;
	while (*line == ' ')
		line++;
	proctab_escape(line, strcspn(line, "\n"), s->local, sizeof s->local); /* abstract names already start with @ */
}

/* Each line after the header of a /proc/net table. */
int
sockdiag_parse_proc_net(const char *text, int family, int proto, struct sockdiag_table *t)
{
	const char *p = strchr(text, '\n');

	if (p == NULL || (family == AF_UNIX ? strncmp(text, "Num", 3) : strncmp(text, "  sl", 4)) != 0)
		return -1;
	for (p++; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		char line[512];
		size_t len = strcspn(p, "\n");

		if (len >= sizeof line)
			len = sizeof line - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		if (family == AF_UNIX)
			proc_net_unix_line(line, t);
		else
			proc_net_inet_line(line, family, proto, t);
	}
	return 0;
}

/* Read the file at path whole (malloc'd, NUL-terminated) or NULL with errno. */
static char *
slurp(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 65536;
	char *b;

	if (fd < 0)
		return NULL;
	b = xcalloc(cap, 1);
	for (;;) {
		ssize_t k;

		if (cap - len < 4096)
			b = xreallocarray(b, cap *= 2, 1);
		k = read(fd, b + len, cap - 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(fd);
	b[len] = '\0';
	return b;
}

/* pid's tcp, tcp6, unix, udp, udp6 tables, one after another until the wanted inodes are found. */
int
sockdiag_read_proc_net(int pid, struct sockdiag_table *t)
{
	static const struct {
		const char *name;
		int family, proto;
	} tab[] = { { "tcp", AF_INET, IPPROTO_TCP }, { "tcp6", AF_INET6, IPPROTO_TCP }, { "unix", AF_UNIX, 0 },
		    { "udp", AF_INET, IPPROTO_UDP }, { "udp6", AF_INET6, IPPROTO_UDP } };
	int read_any = 0, e = 0;

	for (size_t i = 0; i < sizeof tab / sizeof tab[0] && !has_all(t); i++) {
		char path[64], *text;

		snprintf(path, sizeof path, "/proc/%d/net/%s", pid, tab[i].name);
		text = slurp(path);
		if (text == NULL) {
			e = errno;
			continue;
		}
		read_any |= sockdiag_parse_proc_net(text, tab[i].family, tab[i].proto, t) == 0;
		free(text);
		sockdiag_index(t);
	}
	if (!read_any) {
		errno = e ? e : EPROTO;
		return -1;
	}
	return 0;
}

/* The row of inode, by binary search of t's index (sockdiag_index), or NULL. */
const struct sockdiag_sock *
sockdiag_find(const struct sockdiag_table *t, unsigned long inode)
{
	int lo = 0, hi = t->nkey;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->key[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nkey && t->key[lo].inode == inode ? &t->s[t->key[lo].row] : NULL;
}

/* Free the rows. */
void
sockdiag_table_free(struct sockdiag_table *t)
{
	free(t->s);
	free(t->key);
	memset(t, 0, sizeof *t);
}

/* A sock_diag socket, made in pid's network namespace when that is not ours. */
int
sockdiag_open(int pid)
{
	char path[64];
	struct stat mine, theirs;
	int ns, self, fd, e;

	snprintf(path, sizeof path, "/proc/%d/ns/net", pid);
	if (pid <= 0 || stat(path, &theirs) < 0 || stat("/proc/thread-self/ns/net", &mine) < 0 ||
	    (theirs.st_ino == mine.st_ino && theirs.st_dev == mine.st_dev))
		return socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return -1;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC); /* setns moves this thread only */
	if (self < 0 || setns(ns, CLONE_NEWNET) < 0) {
		e = errno;
		close(ns);
		if (self >= 0)
			close(self);
		errno = e;
		return -1;
	}
	/* A socket belongs to the namespace it was made in, wherever the caller goes next. */
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	e = errno;
	if (setns(self, CLONE_NEWNET) < 0) {
		/* Every later socket would be made in the target's namespace: stop (the crash path restores the terminal). */
		fprintf(stderr, "epollviz: %s: %s\n", _("cannot return to its own network namespace"),
			strerror(errno));
		abort();
	}
	close(ns);
	close(self);
	errno = e;
	return fd;
}
