/*
 * clients.c - loopback test clients (see clients.h).  Each client is a small
 * state machine on a non-blocking socket in the front end's loop.
 */
#include "clients.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "run.h"
#include "trace.h"
#include "util.h"

#define CONNECT_TIMEOUT_NS (3000ull * 1000000)
#define REPLY_TIMEOUT_NS (2000ull * 1000000)

enum mode { M_ONESHOT = 0, M_BURST, M_HOLD, M_ABANDON };
enum state { S_CONNECTING = 0, S_IDLE, S_AWAIT, S_DONE };

struct client {
	struct clients *cs;
	int id;
	int fd;
	int mode;
	int state;
	int port; /* local port */
	int timer;
	uint64_t t_start; /* when it began to connect */
	char buf[512];
	size_t nbuf;
};

struct clients {
	struct loop *loop;
	struct run *run;
	int port;
	struct client **v;
	int n, cap;
	int next_id;
	int queued; /* sequential clients not started yet */
};

/* An empty set of clients that run in loop and report through run. */
struct clients *
clients_new(struct loop *loop, struct run *run)
{
	struct clients *cs = xcalloc(1, sizeof *cs);

	cs->loop = loop;
	cs->run = run;
	cs->next_id = 1;
	return cs;
}

/* Set the loopback port that clients started from now on connect to. */
void
clients_set_port(struct clients *cs, int port)
{
	cs->port = port;
}

/* Report one client event (ev, err if any, optional text, time since it began) as a client record. */
static void
emit(struct client *c, int ev, int err, const char *text)
{
	struct trace_rec r;

	trace_rec_init(&r, TR_CLIENT);
	r.client = c->id;
	r.event = ev;
	r.client_port = c->port;
	r.err = err;
	r.ret = err ? -1 : 0;
	r.ts_ns = now_ns();
	r.elapsed_ns = r.ts_ns - c->t_start;
	if (text)
		trace_rec_set_text(&r, text);
	run_emit(c->cs->run, &r);
}

static void start_one(struct clients *cs, int mode);

/* Forget a finished client; start the next queued sequential one. */
static void
client_end(struct client *c, int ev, int err)
{
	struct clients *cs = c->cs;
	int was_oneshot = c->mode == M_ONESHOT;

	if (c->timer)
		loop_timer_cancel(cs->loop, c->timer);
	if (c->fd >= 0) {
		loop_del(cs->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	emit(c, ev, err, NULL);
	for (int i = 0; i < cs->n; i++) {
		if (cs->v[i] == c) {
			cs->v[i] = cs->v[--cs->n];
			break;
		}
	}
	free(c);
	if (was_oneshot && cs->queued > 0) {
		cs->queued--;
		start_one(cs, M_ONESHOT);
	}
}

/* Timer callback: end the client as timed out (ETIMEDOUT if still connecting). */
static void
on_timeout(void *arg)
{
	struct client *c = arg;

	c->timer = 0;
	client_end(c, CLIENT_TIMEOUT, c->state == S_CONNECTING ? ETIMEDOUT : 0);
}

/* (Re)start the client's deadline, ns from now. */
static void
arm(struct client *c, uint64_t ns)
{
	if (c->timer)
		loop_timer_cancel(c->cs->loop, c->timer);
	c->timer = loop_timer(c->cs->loop, now_ns() + ns, on_timeout, c);
}

/* Cancel the client's deadline, if any. */
static void
disarm(struct client *c)
{
	if (c->timer)
		loop_timer_cancel(c->cs->loop, c->timer);
	c->timer = 0;
}

/* Send text and '\n' in one send and await a reply; -1 if a failed send ended it. */
static int
send_line(struct client *c, const char *text)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%s\n", text);
	ssize_t k;

	if (n >= (int)sizeof line)
		n = sizeof line - 1, line[n - 1] = '\n';
	k = send(c->fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (k != n) {
		client_end(c, CLIENT_ERROR, k < 0 ? errno : EAGAIN);
		return -1;
	}
	emit(c, CLIENT_SENT, 0, text);
	c->state = S_AWAIT;
	if (c->mode != M_BURST)
		arm(c, REPLY_TIMEOUT_NS);
	return 0;
}

/* Read replies line by line; end the client on EOF, error, or a reply unless held. */
static void
on_readable(struct client *c)
{
	for (;;) {
		ssize_t k = recv(c->fd, c->buf + c->nbuf, sizeof c->buf - 1 - c->nbuf, 0);
		char *nl;

		if (k == 0) {
			client_end(c, CLIENT_CLOSED, 0);
			return;
		}
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			client_end(c, CLIENT_ERROR, errno);
			return;
		}
		c->nbuf += (size_t)k;
		c->buf[c->nbuf] = '\0';
		while ((nl = memchr(c->buf, '\n', c->nbuf)) != NULL || c->nbuf == sizeof c->buf - 1) {
			size_t len = nl ? (size_t)(nl - c->buf) : c->nbuf;
			char line[sizeof c->buf];

			memcpy(line, c->buf, len);
			line[len] = '\0';
			memmove(c->buf, c->buf + len + (nl ? 1 : 0), c->nbuf - len - (nl ? 1 : 0));
			c->nbuf -= len + (nl ? 1 : 0);
			emit(c, CLIENT_REPLY, 0, line);
			if (c->mode != M_HOLD) {
				client_end(c, CLIENT_CLOSED, 0);
				return;
			}
			disarm(c);
			c->state = S_IDLE;
		}
	}
}

/* Loop callback: finish a pending connect (sending the greeting), else read replies. */
static void
on_event(void *arg, uint32_t events)
{
	struct client *c = arg;

	if (c->state == S_CONNECTING) {
		int err = 0;
		socklen_t el = sizeof err;
		struct sockaddr_in sa = { 0 };
		socklen_t sl = sizeof sa;

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			client_end(c, CLIENT_ERROR, err);
			return;
		}
		if (getsockname(c->fd, (struct sockaddr *)&sa, &sl) == 0)
			c->port = ntohs(sa.sin_port);
		disarm(c);
		c->state = S_IDLE;
		emit(c, CLIENT_CONNECTED, 0, NULL);
		loop_mod(c->cs->loop, c->fd, EPOLLIN | EPOLLRDHUP);
		if (c->mode != M_HOLD) {
			char text[64];

			snprintf(text, sizeof text, "hello from client %d", c->id);
			if (send_line(c, text) < 0)
				return;
		}
		/* It gives up at once: a close with the reply still to come (FIN; the reply meets a RST). */
		if (c->mode == M_ABANDON)
			client_end(c, CLIENT_CLOSED, 0);
		return;
	}
	on_readable(c);
}

/* Start one client connecting to 127.0.0.1:port, under the connect deadline. */
static void
start_one(struct clients *cs, int mode)
{
	struct client *c = xcalloc(1, sizeof *c);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)cs->port) };

	c->cs = cs;
	c->id = cs->next_id++;
	c->mode = mode;
	c->t_start = now_ns();
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 32;
		cs->v = xreallocarray(cs->v, (size_t)cs->cap, sizeof *cs->v);
	}
	cs->v[cs->n++] = c;
	if (c->fd < 0) {
		client_end(c, CLIENT_ERROR, errno);
		return;
	}
	if (cs->port <= 0) {
		client_end(c, CLIENT_ERROR, ECONNREFUSED);
		return;
	}
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
		client_end(c, CLIENT_ERROR, errno);
		return;
	}
	if (loop_add(cs->loop, c->fd, EPOLLOUT | EPOLLIN | EPOLLRDHUP, on_event, c) < 0) {
		client_end(c, CLIENT_ERROR, errno);
		return;
	}
	arm(c, CONNECT_TIMEOUT_NS);
}

/* Start the first of n sequential clients; the rest start as each one ends. */
void
clients_connect(struct clients *cs, int n)
{
	if (n <= 0)
		return;
	cs->queued += n - 1;
	start_one(cs, M_ONESHOT);
}

/* Start n one-line clients at once. */
void
clients_burst(struct clients *cs, int n)
{
	for (int i = 0; i < n; i++)
		start_one(cs, M_BURST);
}

/* Start n clients that connect, send a line and close at once, never reading. */
void
clients_abandon(struct clients *cs, int n)
{
	for (int i = 0; i < n; i++)
		start_one(cs, M_ABANDON);
}

/* Start n clients that stay connected until released. */
void
clients_hold(struct clients *cs, int n)
{
	for (int i = 0; i < n; i++)
		start_one(cs, M_HOLD);
}

/* Send text on each idle held client; returns how many sends succeeded. */
int
clients_send(struct clients *cs, const char *text)
{
	int sent = 0;

	for (int i = cs->n - 1; i >= 0; i--) {
		struct client *c = i < cs->n ? cs->v[i] : NULL;

		if (c && c->mode == M_HOLD && c->state == S_IDLE) {
			if (send_line(c, text) == 0)
				sent++;
		}
	}
	return sent;
}

/* Close every held client, whatever its state. */
void
clients_release(struct clients *cs)
{
	for (int i = cs->n - 1; i >= 0; i--)
		if (i < cs->n && cs->v[i]->mode == M_HOLD)
			client_end(cs->v[i], CLIENT_CLOSED, 0);
}

/* Queued clients plus those connecting or awaiting a reply (burst ones excepted). */
int
clients_busy(const struct clients *cs)
{
	int busy = cs->queued;

	for (int i = 0; i < cs->n; i++) {
		const struct client *c = cs->v[i];

		if (c->state == S_CONNECTING || (c->state == S_AWAIT && c->mode != M_BURST))
			busy++;
	}
	return busy;
}

/* Held clients that are past their connect. */
int
clients_held(const struct clients *cs)
{
	int n = 0;

	for (int i = 0; i < cs->n; i++)
		if (cs->v[i]->mode == M_HOLD && cs->v[i]->state != S_CONNECTING)
			n++;
	return n;
}

/* Drop the queue and end every client as closed. */
void
clients_close_all(struct clients *cs)
{
	cs->queued = 0;
	while (cs->n > 0)
		client_end(cs->v[cs->n - 1], CLIENT_CLOSED, 0);
}

/* Close every client and free the set; NULL is allowed. */
void
clients_free(struct clients *cs)
{
	if (cs == NULL)
		return;
	clients_close_all(cs);
	free(cs->v);
	free(cs);
}
