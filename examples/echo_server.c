/*
 * echo_server.c - a small multi-process epoll echo server, written the way a
 * student following the epoll notes would write it, for epollviz to watch from
 * outside (`epollviz run -- build/examples/echo-server`).  It is a program of
 * its own: it includes nothing of epollviz and knows nothing about tracing.
 *
 * The design is the notes' one: the listening socket is shared by every
 * process (fork), but each process has its OWN epoll instance watching it
 * (EPOLLIN | EPOLLET).  When a connection arrives every worker may wake up;
 * a named POSIX semaphore decides which one calls accept.  Unlike the notes,
 * it does not die or hang on the way: replies use MSG_NOSIGNAL (no SIGPIPE
 * while holding the semaphore), sockets are non-blocking before epoll sees
 * them, received bytes are handled by length (never as C strings), and the
 * semaphore has a per-run name that is always unlinked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 16
#define MAX_EVENTS 16     /* events taken from one epoll_wait */
#define MAX_FDS 256       /* client fds must be below this (they index conns[]) */
#define LINE_MAX_LEN 1024 /* a longer line is answered in pieces of this size */

static const char usage[] = "usage: echo-server [PORT [WORKERS]]\n"
			    "  PORT     TCP port on 127.0.0.1; 0 (the default) means any free port\n"
			    "  WORKERS  processes that serve clients, 1 to 16 (default 2)\n";

/* What we have received from one client and not answered yet (no line end seen). */
struct conn {
	int open;
	size_t len;
	char buf[LINE_MAX_LEN];
};

/* One table per process, indexed by fd: after fork each process has its own copy. */
static struct conn conns[MAX_FDS];

/* Set by the signal handler; the event loop looks at it after every epoll_wait. */
static volatile sig_atomic_t stop_requested;

/* Read text as a whole number from min to max into *out; 0, or -1 after saying why. */
static int
parse_number(const char *text, const char *what, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || *out < min || *out > max) {
		fprintf(stderr, "echo-server: bad %s '%s': want a number from %ld to %ld\n", what, text, min,
			max);
		return -1;
	}
	return 0;
}

/* SIGINT and SIGTERM: only remember that we must stop (printf is not safe here). */
static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Listen on 127.0.0.1:port (loopback only); the fd, with the real port in *real_port, or -1. */
static int
open_listener(int port, int *real_port)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof addr;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return -1;
	/* Restart at once on the same port, even with old connections in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* Non-blocking: a worker that loses the race gets EAGAIN from accept instead of sleeping in it. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
		goto fail;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((unsigned short)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == -1 || listen(fd, 64) == -1)
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&addr, &len) == -1)
		goto fail;
	*real_port = ntohs(addr.sin_port);
	return fd;
fail:
	close(fd);
	return -1;
}

/* Forget a client: DEL it from our epoll instance, then close it (close first, and DEL fails: EBADF). */
static void
drop_client(int epfd, int fd)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	conns[fd].open = 0;
	printf("pid %ld: closed fd %d\n", (long)getpid(), fd);
}

/* Send "pid = N | LINE\n" to fd; 0, or -1 if the client is gone. */
static int
reply(int fd, const char *line, size_t len)
{
	char out[64 + LINE_MAX_LEN];
	int head = snprintf(out, sizeof out, "pid = %ld | ", (long)getpid());
	size_t total = (size_t)head + len + 1;

	/* memcpy, not %s: the line may hold any byte, even '\0', and has no '\0' at its end. */
	memcpy(out + head, line, len);
	out[total - 1] = '\n';
	/*
	 * MSG_NOSIGNAL: a client that has left gives us EPIPE instead of a SIGPIPE
	 * that kills us (maybe while we hold the semaphore).  EAGAIN means the
	 * client does not read what we send: a simple server drops the reply.
	 */
	if (send(fd, out, total, MSG_NOSIGNAL) == -1 && errno != EAGAIN && errno != EWOULDBLOCK)
		return -1;
	return 0;
}

/* Answer every complete line in c->buf and keep what follows the last '\n'; 0 or -1. */
static int
answer_lines(int fd, struct conn *c)
{
	char *nl;

	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t line = (size_t)(nl - c->buf);

		if (reply(fd, c->buf, line) == -1)
			return -1;
		c->len -= line + 1;
		memmove(c->buf, nl + 1, c->len);
	}
	if (c->len == sizeof c->buf) { /* full and still no '\n': answer this piece */
		c->len = 0;
		return reply(fd, c->buf, sizeof c->buf);
	}
	return 0;
}

/* A client fd is readable: read until EAGAIN (edge-triggered: no second reminder). */
static void
serve_client(int epfd, int fd)
{
	struct conn *c = &conns[fd];

	for (;;) {
		ssize_t n = recv(fd, c->buf + c->len, sizeof c->buf - c->len, 0);

		if (n > 0) {
			c->len += (size_t)n;
			if (answer_lines(fd, c) == -1)
				break;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* all read; epoll tells us when more comes */
		if (n == 0 && c->len > 0) /* the client left after a line with no '\n' */
			reply(fd, c->buf, c->len);
		break; /* 0: the client closed; -1: an error */
	}
	drop_client(epfd, fd);
}

/*
 * The listening socket is readable.  Whoever gets the semaphore accepts ONE
 * connection (the notes' design: with EPOLLET, others that arrived at the same
 * time wait for the next wake-up) and adds it to its own epoll instance.
 */
static void
accept_one(int epfd, int listen_fd, sem_t *sem)
{
	struct epoll_event ev;
	long pid = (long)getpid();
	int fd;

	if (sem_trywait(sem) == -1) {
		printf("pid %ld: could not take the semaphore\n", pid);
		return;
	}
	/* SOCK_NONBLOCK: the new fd is non-blocking before epoll ever sees it. */
	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
	if (fd == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		printf("pid %ld: another worker took it\n", pid);
	} else if (fd == -1) {
		perror("echo-server: accept4");
	} else if (fd >= MAX_FDS) {
		printf("pid %ld: too many clients, closing fd %d\n", pid, fd);
		close(fd);
	} else {
		memset(&ev, 0, sizeof ev);
		ev.events = EPOLLIN | EPOLLET;
		ev.data.fd = fd; /* comes back to us verbatim in epoll_wait */
		if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
			perror("echo-server: epoll_ctl ADD client");
			close(fd);
		} else {
			conns[fd].open = 1;
			conns[fd].len = 0;
			printf("pid %ld: accepted fd %d\n", pid, fd);
		}
	}
	sem_post(sem);
}

/* One worker: its own epoll instance and its event loop, until a signal; 0 or -1. */
static int
run_worker(int listen_fd, sem_t *sem)
{
	struct epoll_event ev, events[MAX_EVENTS];
	int epfd = epoll_create1(0);
	int fd, i, n;

	if (epfd == -1) {
		perror("echo-server: epoll_create1");
		return -1;
	}
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = listen_fd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev) == -1) {
		perror("echo-server: epoll_ctl ADD listener");
		close(epfd);
		return -1;
	}
	while (!stop_requested) {
		n = epoll_wait(epfd, events, MAX_EVENTS, -1);
		if (n == -1 && errno == EINTR)
			continue; /* a signal (or a stop and continue): look at the flag again */
		if (n == -1) {
			perror("echo-server: epoll_wait");
			break;
		}
		for (i = 0; i < n; i++) {
			if (events[i].data.fd == listen_fd)
				accept_one(epfd, listen_fd, sem);
			else
				serve_client(epfd, events[i].data.fd);
		}
	}
	for (fd = 0; fd < MAX_FDS; fd++)
		if (conns[fd].open)
			drop_client(epfd, fd);
	close(epfd);
	return 0;
}

/*
 * The notes' shutdown chain: SIGINT to each child, then wait for it.  A child
 * whose SIGINT came just before it went to sleep in epoll_wait would sleep on,
 * so ask again every half second; after five seconds use SIGKILL.
 */
static void
stop_children(const pid_t *kids, int count)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 }; /* 10 ms */
	int i, tries;

	for (i = 0; i < count; i++)
		kill(kids[i], SIGINT);
	for (i = 0; i < count; i++) {
		for (tries = 1; waitpid(kids[i], NULL, WNOHANG) == 0; tries++) {
			if (tries % 50 == 0)
				kill(kids[i], tries < 500 ? SIGINT : SIGKILL);
			nanosleep(&tick, NULL);
		}
		printf("pid %ld: worker %ld has ended\n", (long)getpid(), (long)kids[i]);
	}
}

/* Parse the arguments, open the semaphore and the socket, fork the workers, serve, clean up. */
int
main(int argc, char **argv)
{
	char sem_name[64];
	pid_t kids[MAX_WORKERS];
	struct sigaction sa;
	long port = 0, workers = 2;
	int listen_fd, real_port, i, status = 0;
	sem_t *sem;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc > 3) {
		fputs(usage, stderr);
		return 2;
	}
	if ((argc > 1 && parse_number(argv[1], "PORT", 0, 65535, &port) == -1) ||
	    (argc > 2 && parse_number(argv[2], "WORKERS", 1, MAX_WORKERS, &workers) == -1))
		return 2;
	/* stdout may be a pipe or a pty: send every line at its '\n' (and none is left over at fork). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Catch SIGINT and SIGTERM.  No SA_RESTART: epoll_wait must return EINTR. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A name of our own per run: a name left behind by a crash cannot stop the next run. */
	snprintf(sem_name, sizeof sem_name, "/echo-server-%ld", (long)getpid());
	sem = sem_open(sem_name, O_CREAT | O_EXCL, 0600, 1);
	if (sem == SEM_FAILED) {
		fprintf(stderr, "echo-server: sem_open %s: %s\n", sem_name, strerror(errno));
		return 1;
	}
	listen_fd = open_listener((int)port, &real_port);
	if (listen_fd == -1) {
		fprintf(stderr, "echo-server: 127.0.0.1:%ld: %s\n", port, strerror(errno));
		sem_close(sem);
		sem_unlink(sem_name);
		return 1;
	}
	printf("listening on 127.0.0.1:%d (pid %ld, %ld workers)\n", real_port, (long)getpid(), workers);

	/* The parent is worker 0; fork the others.  Each child runs the same loop. */
	for (i = 0; i < workers - 1; i++) {
		kids[i] = fork();
		if (kids[i] == -1) {
			perror("echo-server: fork");
			status = 1;
			stop_requested = 1; /* stop the ones we have and leave */
			break;
		}
		if (kids[i] == 0) {
			status = run_worker(listen_fd, sem) == 0 ? 0 : 1;
			close(listen_fd);
			sem_close(sem);
			exit(status);
		}
	}
	if (!stop_requested && run_worker(listen_fd, sem) == -1)
		status = 1;
	stop_children(kids, i);
	close(listen_fd);
	sem_close(sem);
	sem_unlink(sem_name);
	printf("pid %ld: bye\n", (long)getpid());
	return status;
}
