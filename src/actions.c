/*
 * actions.c - see actions.h.  Each function does the real thing once and
 * returns 0, or -1 after emitting a failed action record that says why.
 */
#include "actions.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "util.h"

/* The listening socket the clients connect to: the server's first one, or NULL. */
static const struct m_listen *
target_listen(const struct actions *a)
{
	return a->m->nlistens > 0 ? &a->m->listens[0] : NULL;
}

/* The path of the FIFO the writer keys write to: the first one's, or "" when there is none. */
static const char *
target_fifo(const struct actions *a)
{
	return a->m->nfifos > 0 ? a->m->fifos[0].path : "";
}

void
actions_init(struct actions *a, struct run *run, struct model *m, struct loop *loop)
{
	memset(a, 0, sizeof *a);
	a->run = run;
	a->m = m;
	a->loop = loop;
	a->cs = clients_new(loop, run);
	a->writer_fd = -1;
}

void
actions_done(struct actions *a)
{
	actions_release(a);
	clients_free(a->cs);
	a->cs = NULL;
}

void
actions_release(struct actions *a)
{
	if (a->cs)
		clients_close_all(a->cs);
	if (a->writer_fd >= 0)
		close(a->writer_fd);
	a->writer_fd = -1;
}

static int
need_server(struct actions *a, const char *what)
{
	const struct m_listen *l = target_listen(a);

	if (l && l->port > 0) {
		clients_set_port(a->cs, l->port);
		return 0;
	}
	run_action(a->run, ACTION_FAILED, "%s: no echo server is listening", what);
	return -1;
}

int
act_connect(struct actions *a, int n)
{
	if (need_server(a, "connect") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN, "connect %d: one at a time, each sends a line, reads the reply, closes", n);
	clients_connect(a->cs, n);
	return 0;
}

int
act_burst(struct actions *a, int n)
{
	if (need_server(a, "burst") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN, "burst %d: %d connections at once to 127.0.0.1:%d", n, n, target_listen(a)->port);
	clients_burst(a->cs, n);
	return 0;
}

int
act_hold(struct actions *a, int n)
{
	if (need_server(a, "hold") < 0)
		return -1;
	run_action(a->run, ACTION_BEGIN, "hold %d: open %d connections and keep them", n, n);
	clients_hold(a->cs, n);
	return 0;
}

int
act_send(struct actions *a, const char *text)
{
	int n = clients_send(a->cs, text);

	if (n == 0) {
		run_action(a->run, ACTION_FAILED, "send: no held connection (hold first)");
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, "send \"%s\" on %d held connection%s", text, n, n == 1 ? "" : "s");
	return 0;
}

int
act_release(struct actions *a)
{
	run_action(a->run, ACTION_BEGIN, "release: close %d held connection%s", clients_held(a->cs),
		   clients_held(a->cs) == 1 ? "" : "s");
	clients_release(a->cs);
	return 0;
}

/* Open the FIFO for writing without blocking: ENXIO when nobody reads it. */
static int
open_writer(struct actions *a, const char *what, int quiet)
{
	int fd;

	const char *path = target_fifo(a);

	if (path[0] == '\0') {
		run_action(a->run, ACTION_FAILED, "%s: no FIFO watcher is running", what);
		return -1;
	}
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && quiet && errno == ENXIO)
		return -1;
	if (fd < 0)
		run_action(a->run, ACTION_FAILED, "%s: open(\"%s\", O_WRONLY): %s", what, path,
			   strerror(errno));
	return fd;
}

int
act_fifo_write(struct actions *a, const char *text, int quiet)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%s\n", text), fd = a->writer_fd, own = 0;

	if (n >= (int)sizeof line)
		n = sizeof line - 1;
	if (fd < 0) {
		fd = open_writer(a, "write", quiet);
		if (fd < 0)
			return -1;
		own = 1;
	}
	run_action(a->run, ACTION_BEGIN, "write \"%s\" into the FIFO%s", text,
		   own ? " (open, write, close: the close is a hang-up)" : " (held writer)");
	if (write_all(fd, line, (size_t)n) < 0)
		run_action(a->run, ACTION_FAILED, "write: %s", strerror(errno));
	if (own)
		close(fd);
	return 0;
}

int
act_fifo_hold(struct actions *a, int quiet)
{
	int fd;

	if (a->writer_fd >= 0) {
		run_action(a->run, ACTION_FAILED, "writer: a writer is already held");
		return -1;
	}
	fd = open_writer(a, "writer", quiet);
	if (fd < 0)
		return -1;
	a->writer_fd = fd;
	run_action(a->run, ACTION_BEGIN, "writer: open(\"%s\", O_WRONLY) and hold it", target_fifo(a));
	return 0;
}

int
act_fifo_hangup(struct actions *a)
{
	if (a->writer_fd < 0) {
		run_action(a->run, ACTION_FAILED, "hangup: no writer is held (writer first)");
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, "hangup: close the held writer; the reader sees EPOLLHUP");
	close(a->writer_fd);
	a->writer_fd = -1;
	return 0;
}

int
act_ctrl_c(struct actions *a)
{
	run_action(a->run, ACTION_BEGIN, "^C: write 0x03 to the pty master; the line discipline signals the foreground group");
	if (run_type(a->run, "\x03", 1) < 0) {
		run_action(a->run, ACTION_FAILED, "^C: the terminal is gone");
		return -1;
	}
	return 0;
}

int
act_ctrl_z(struct actions *a)
{
	run_action(a->run, ACTION_BEGIN, "^Z: write 0x1a to the pty master; SIGTSTP to the foreground group");
	if (run_type(a->run, "\x1a", 1) < 0) {
		run_action(a->run, ACTION_FAILED, "^Z: the terminal is gone");
		return -1;
	}
	return 0;
}

int
act_fg(struct actions *a)
{
	run_action(a->run, ACTION_BEGIN, "fg: the session leader gives the terminal back to the job and sends SIGCONT");
	return run_command(a->run, "fg");
}

int
act_kill_parent(struct actions *a)
{
	uint32_t server = model_server_pid(a->m);
	struct m_proc *p = server ? model_proc(a->m, server) : NULL;

	if (p == NULL || !p->alive) {
		run_action(a->run, ACTION_FAILED, "kill-parent: no echo server parent is running");
		return -1;
	}
	run_action(a->run, ACTION_BEGIN, "kill -INT %u: SIGINT to the server parent only", p->pid);
	return run_kill(a->run, (pid_t)p->pid, SIGINT);
}
