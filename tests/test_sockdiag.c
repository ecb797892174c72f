/*
 * test_sockdiag.c - unit tests of the inet_diag reply parser (sockdiag.h)
 * on hand-built netlink buffers: several listeners per buffer, port
 * filtering, NLMSG_DONE, NLMSG_ERROR and truncated input.  No sockets.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "sockdiag.h"

/* A netlink reply under construction. */
struct nlbuf {
	union {
		struct nlmsghdr align;
		unsigned char b[4096];
	} u;
	size_t len;
};

/* An empty reply. */
static void
nl_init(struct nlbuf *nb)
{
	memset(nb, 0, sizeof *nb);
}

/* Append a message of type with payload (plen bytes), padded to NLMSG_ALIGNTO. */
static void
nl_add(struct nlbuf *nb, uint16_t type, const void *payload, size_t plen)
{
	struct nlmsghdr h = { 0 };

	h.nlmsg_len = (uint32_t)NLMSG_LENGTH(plen);
	h.nlmsg_type = type;
	h.nlmsg_flags = NLM_F_MULTI;
	h.nlmsg_seq = 1;
	cr_assert_leq(nb->len + NLMSG_ALIGN(h.nlmsg_len), sizeof nb->u.b, "test buffer too small");
	memcpy(nb->u.b + nb->len, &h, sizeof h);
	if (plen)
		memcpy(nb->u.b + nb->len + NLMSG_HDRLEN, payload, plen);
	nb->len += NLMSG_ALIGN(h.nlmsg_len);
}

/* Append one listener as the kernel reports it. */
static void
nl_listener(struct nlbuf *nb, int family, int port, unsigned rq, unsigned wq, unsigned inode)
{
	struct inet_diag_msg m;

	memset(&m, 0, sizeof m);
	m.idiag_family = (uint8_t)family;
	m.idiag_state = 10; /* TCP_LISTEN */
	m.id.idiag_sport = htons((uint16_t)port);
	m.id.idiag_dport = 0;
	m.idiag_rqueue = rq;
	m.idiag_wqueue = wq;
	m.idiag_inode = inode;
	nl_add(nb, SOCK_DIAG_BY_FAMILY, &m, sizeof m);
}

/* Append the NLMSG_DONE that ends a dump. */
static void
nl_done(struct nlbuf *nb)
{
	int zero = 0;

	nl_add(nb, NLMSG_DONE, &zero, sizeof zero);
}

/* Append an NLMSG_ERROR carrying err (negative errno, or 0 for an ACK). */
static void
nl_error(struct nlbuf *nb, int err)
{
	struct nlmsgerr e;

	memset(&e, 0, sizeof e);
	e.error = err;
	e.msg.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nl_add(nb, NLMSG_ERROR, &e, sizeof e);
}

/* Three listeners (two on 8080: IPv4 and IPv6) and the end of the dump. */
static void
three_listeners(struct nlbuf *nb)
{
	nl_init(nb);
	nl_listener(nb, AF_INET, 8080, 3, 64, 1001);
	nl_listener(nb, AF_INET, 8081, 0, 128, 1002);
	nl_listener(nb, AF_INET6, 8080, 7, 5, 1003);
	nl_done(nb);
}

Test(sockdiag, several_listeners_and_done_in_one_buffer)
{
	struct nlbuf nb;
	struct listener out[8];
	int n = 0;

	three_listeners(&nb);
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 8, &n), 1, "NLMSG_DONE not reported");
	cr_assert_eq(n, 3, "%d listeners, want 3", n);
	cr_assert_eq(out[0].port, 8080, "port %d", out[0].port);
	cr_assert_eq(out[0].family, AF_INET, "family %d", out[0].family);
	cr_assert_eq(out[0].qlen, 3, "qlen %u (must be idiag_rqueue)", out[0].qlen);
	cr_assert_eq(out[0].backlog, 64, "backlog %u (must be idiag_wqueue)", out[0].backlog);
	cr_assert_eq(out[0].inode, 1001, "inode %u", out[0].inode);
	cr_assert_eq(out[1].port, 8081, "second port %d", out[1].port);
	cr_assert_eq(out[1].backlog, 128, "second backlog %u", out[1].backlog);
	cr_assert_eq(out[2].family, AF_INET6, "third family %d", out[2].family);
	cr_assert_eq(out[2].qlen, 7, "third qlen %u", out[2].qlen);
	cr_assert_eq(out[2].backlog, 5, "third backlog %u", out[2].backlog);
}

Test(sockdiag, port_filter_keeps_only_that_port)
{
	struct nlbuf nb;
	struct listener out[8];
	int n = 0;

	three_listeners(&nb);
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 8080, out, 8, &n), 1, "result");
	cr_assert_eq(n, 2, "%d listeners on 8080, want 2", n);
	cr_assert(out[0].port == 8080 && out[1].port == 8080, "ports %d %d", out[0].port,
		  out[1].port);
	cr_assert_eq(out[0].inode, 1001, "first inode %u", out[0].inode);
	cr_assert_eq(out[1].inode, 1003, "second inode %u", out[1].inode);

	n = 0;
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 9999, out, 8, &n), 1, "result");
	cr_assert_eq(n, 0, "%d listeners on a port nobody listens on", n);
}

Test(sockdiag, more_to_come_and_appending_across_calls)
{
	struct nlbuf a, b;
	struct listener out[8];
	int n = 0;

	nl_init(&a);
	nl_listener(&a, AF_INET, 1000, 1, 10, 1);
	nl_listener(&a, AF_INET, 1001, 2, 20, 2);
	cr_assert_eq(sockdiag_parse(a.u.b, a.len, 0, out, 8, &n), 0, "a part without DONE ended");
	cr_assert_eq(n, 2, "%d after the first part", n);
	nl_init(&b);
	nl_listener(&b, AF_INET6, 1002, 3, 30, 3);
	nl_done(&b);
	cr_assert_eq(sockdiag_parse(b.u.b, b.len, 0, out, 8, &n), 1, "DONE in the second part");
	cr_assert_eq(n, 3, "%d after the second part", n);
	cr_assert_eq(out[2].port, 1002, "appended at the end: port %d", out[2].port);
	cr_assert_eq(out[0].port, 1000, "first part overwritten: port %d", out[0].port);
}

Test(sockdiag, max_is_respected)
{
	struct nlbuf nb;
	struct listener out[2];
	int n = 0;

	memset(out, 0xAB, sizeof out);
	three_listeners(&nb);
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 1, &n), 1, "result");
	cr_assert_eq(n, 1, "%d stored with max 1", n);
	cr_assert_eq(out[1].port, (int)0xABABABAB, "wrote past max");
}

Test(sockdiag, empty_buffer_and_other_message_types)
{
	struct nlbuf nb;
	struct listener out[4];
	int n = 0;

	nl_init(&nb);
	cr_assert_eq(sockdiag_parse(nb.u.b, 0, 0, out, 4, &n), 0, "an empty buffer is not the end");
	cr_assert_eq(n, 0, "listeners from nothing");
	nl_init(&nb);
	nl_add(&nb, NLMSG_NOOP, NULL, 0);
	nl_listener(&nb, AF_INET, 80, 0, 1, 9);
	nl_done(&nb);
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), 1, "result");
	cr_assert_eq(n, 1, "%d listeners around a NOOP", n);
}

Test(sockdiag, nothing_after_done_is_read)
{
	struct nlbuf nb;
	struct listener out[4];
	int n = 0;

	nl_init(&nb);
	nl_listener(&nb, AF_INET, 80, 0, 1, 9);
	nl_done(&nb);
	nl_listener(&nb, AF_INET, 81, 0, 1, 10);
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), 1, "result");
	cr_assert_eq(n, 1, "%d listeners, the one after DONE was read", n);
}

Test(sockdiag, an_error_that_is_no_errno_is_eproto)
{
	struct nlbuf nb;
	struct listener out[4];
	struct sockdiag_table t = { 0 };
	int n = 0;

	nl_init(&nb);
	nl_error(&nb, INT_MIN); /* found by make fuzz: negating it was undefined behaviour */
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), -1);
	cr_assert_eq(errno, EPROTO);
	cr_assert_eq(sockdiag_parse_any(nb.u.b, nb.len, AF_INET, IPPROTO_TCP, &t), -1);
	cr_assert_eq(errno, EPROTO);
	sockdiag_table_free(&t);
}

Test(sockdiag, nlmsg_error_sets_errno)
{
	struct nlbuf nb;
	struct listener out[4];
	int n = 0;

	nl_init(&nb);
	nl_error(&nb, -EPERM);
	errno = 0;
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), -1, "error not reported");
	cr_assert_eq(errno, EPERM, "errno %d (%s), want EPERM", errno, strerror(errno));

	nl_init(&nb);
	nl_listener(&nb, AF_INET, 80, 0, 1, 9);
	nl_error(&nb, -ENOENT);
	n = 0;
	errno = 0;
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), -1, "error after a listener");
	cr_assert_eq(errno, ENOENT, "errno %d, want ENOENT", errno);

	nl_init(&nb);
	nl_error(&nb, 0); /* an ACK where a dump was expected */
	errno = 0;
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), -1, "ACK accepted as data");
	cr_assert_eq(errno, EPROTO, "errno %d, want EPROTO", errno);
}

Test(sockdiag, a_short_error_message_is_eproto)
{
	struct nlbuf nb;
	struct listener out[4];
	int err = -EPERM, n = 0;

	nl_init(&nb);
	nl_add(&nb, NLMSG_ERROR, &err, sizeof err); /* no room for the echoed header */
	errno = 0;
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len, 0, out, 4, &n), -1, "short error accepted");
	cr_assert_eq(errno, EPROTO, "errno %d, want EPROTO", errno);
}

/* Expect buf[0..len) to be rejected as malformed. */
static void
expect_eproto(const void *buf, size_t len, const char *what)
{
	struct listener out[8];
	int n = 0, r;

	errno = 0;
	r = sockdiag_parse(buf, len, 0, out, 8, &n);
	cr_assert_eq(r, -1, "%s: returned %d, want -1", what, r);
	cr_assert_eq(errno, EPROTO, "%s: errno %d (%s), want EPROTO", what, errno, strerror(errno));
}

Test(sockdiag, truncated_buffers_are_eproto)
{
	struct nlbuf nb;
	struct nlmsghdr h;
	size_t one = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct inet_diag_msg)));

	three_listeners(&nb);
	expect_eproto(nb.u.b, 50, "cut inside the first message's body");
	expect_eproto(nb.u.b, one + one - 1, "cut one byte short of the second message");
	expect_eproto(nb.u.b, one + 10, "cut inside the second message's header");
	expect_eproto(nb.u.b, 1, "one byte of a header");

	memcpy(&h, nb.u.b, sizeof h);
	h.nlmsg_len = 8; /* shorter than its own header */
	memcpy(nb.u.b, &h, sizeof h);
	expect_eproto(nb.u.b, nb.len, "nlmsg_len below the header size");

	three_listeners(&nb);
	memcpy(&h, nb.u.b, sizeof h);
	h.nlmsg_len = (uint32_t)nb.len + 100; /* longer than the buffer */
	memcpy(nb.u.b, &h, sizeof h);
	expect_eproto(nb.u.b, nb.len, "nlmsg_len beyond the buffer");
}

Test(sockdiag, a_listener_message_too_short_for_inet_diag_msg_is_eproto)
{
	struct nlbuf nb;
	struct inet_diag_msg m;

	memset(&m, 0, sizeof m);
	m.id.idiag_sport = htons(80);
	nl_init(&nb);
	nl_add(&nb, SOCK_DIAG_BY_FAMILY, &m, 20); /* the kernel always sends the whole struct */
	nl_done(&nb);
	expect_eproto(nb.u.b, nb.len, "a 20-byte inet_diag_msg");
}

Test(sockdiag, an_unpadded_last_message_is_accepted)
{
	struct nlbuf nb;
	struct listener out[4];
	int n = 0;

	/* nlmsg_len 17: one payload byte, no padding after it in the buffer. */
	nl_init(&nb);
	nl_listener(&nb, AF_INET, 80, 0, 1, 9);
	nl_add(&nb, NLMSG_NOOP, "x", 1);
	cr_assert_eq(sockdiag_parse(nb.u.b, nb.len - 3, 0, out, 4, &n), 0, "unpadded tail rejected");
	cr_assert_eq(n, 1, "%d listeners", n);
}

/* /proc/PID/net text, as this kernel prints it (header and lines captured, inodes made up). */
static const char proc_tcp[] =
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000     0        0 5001 1 "
	"00000000d5b9aeec 100 0 0 10 0\n"
	"   1: 0100007F:1F90 0100007F:D431 01 00000004:00000000 01:00000014 00000000     0        0 5002 1 "
	"0000000000000000 20 4 30 10 -1\n"
	"   2: 0100007F:1F90 0100007F:D432 06 00000000:00000000 03:00000F80 00000000     0        0 0 3 "
	"0000000000000000\n";
static const char proc_tcp6[] =
	"  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
	"tm->when retrnsmt   uid  timeout inode\n"
	"   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 "
	"00:00000000 00000000     0        0 6001 1 0000000000000000 100 0 0 10 0\n";
static const char proc_unix[] =
	"Num       RefCount Protocol Flags    Type St Inode Path\n"
	"00000000ef1ed079: 00000002 00000000 00010000 0001 01 7001 @epollviz-abstract\n"
	"00000000d00514e8: 00000003 00000000 00000000 0001 03 7002\n"
	"00000000d00514e9: 00000002 00000000 00000000 0002 01 7003 /tmp/a path with spaces\n";

Test(sockdiag, proc_net_tables_parse_as_the_dump_would)
{
	struct sockdiag_table t = { 0 };
	const struct sockdiag_sock *s;

	cr_assert_eq(sockdiag_parse_proc_net(proc_tcp, AF_INET, IPPROTO_TCP, &t), 0);
	cr_assert_eq(sockdiag_parse_proc_net(proc_tcp6, AF_INET6, IPPROTO_TCP, &t), 0);
	cr_assert_eq(sockdiag_parse_proc_net(proc_unix, AF_UNIX, 0, &t), 0);
	cr_assert_eq(t.n, 6, "%d sockets (a TIME-WAIT one has no inode and is left out)", t.n);
	sockdiag_index(&t);
	s = sockdiag_find(&t, 5001);
	cr_assert(s && s->state == 10 && s->rq == 2 && s->no_backlog, "the listener and its queue");
	cr_assert_str_eq(s->local, "127.0.0.1:8080");
	s = sockdiag_find(&t, 5002);
	cr_assert(s && s->state == 1 && s->wq == 4);
	cr_assert_str_eq(s->remote, "127.0.0.1:54321");
	s = sockdiag_find(&t, 6001);
	cr_assert_not_null(s);
	cr_assert_str_eq(s->local, "[::1]:80");
	s = sockdiag_find(&t, 7001);
	cr_assert(s && s->state == 10 && s->proto == SOCK_STREAM);
	cr_assert_str_eq(s->local, "@epollviz-abstract");
	s = sockdiag_find(&t, 7003);
	cr_assert(s && s->proto == SOCK_DGRAM);
	cr_assert_str_eq(s->local, "/tmp/a path with spaces");
	cr_assert_eq(sockdiag_parse_proc_net("garbage\n", AF_INET, IPPROTO_TCP, &t), -1);
	sockdiag_table_free(&t);
}

Test(sockdiag, the_index_finds_rows_read_in_any_order)
{
	static const char unix_table[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"00000000ef1ed079: 00000002 00000000 00000000 0001 03 9003 /tmp/c\n"
		"00000000ef1ed07a: 00000002 00000000 00000000 0001 03 9001 /tmp/a\n"
		"00000000ef1ed07b: 00000002 00000000 00010000 0001 01 9004 /tmp/d\n"
		"00000000ef1ed07c: 00000002 00000000 00000000 0002 01 9002 /tmp/b\n";
	static const unsigned long want[] = { 9001, 9002, 9004 }; /* sorted, as kview gives it */
	struct sockdiag_table t = { 0 };
	const struct sockdiag_sock *s;

	t.want = want;
	t.nwant = 3;
	cr_assert_eq(sockdiag_parse_proc_net(unix_table, AF_UNIX, 0, &t), 0);
	cr_assert_eq(t.n, 3, "%d rows: the one not wanted (9003) is not kept", t.n);
	cr_assert_null(sockdiag_find(&t, 9001), "not indexed yet: nothing is found");
	sockdiag_index(&t);
	s = sockdiag_find(&t, 9001);
	cr_assert(s && strcmp(s->local, "/tmp/a") == 0, "9001 is /tmp/a");
	s = sockdiag_find(&t, 9002);
	cr_assert(s && strcmp(s->local, "/tmp/b") == 0 && s->proto == SOCK_DGRAM, "9002 is the datagram /tmp/b");
	s = sockdiag_find(&t, 9004);
	cr_assert(s && s->state == 10, "9004 is the listener /tmp/d");
	cr_assert_null(sockdiag_find(&t, 9003), "9003 was not wanted");
	cr_assert_null(sockdiag_find(&t, 9005), "9005 is not there");
	cr_assert_null(sockdiag_find(&t, 1), "below every row");
	sockdiag_table_free(&t);
}
