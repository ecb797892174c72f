/*
 * actions.h - what a user can do to a running scenario, shared by the
 * headless script and the TUI keys: clients, FIFO writers, ^C and ^Z typed
 * into the session's terminal, fg, and SIGINT to the server parent only.
 * Every action is announced as an action record naming the real operation.
 */
#ifndef EPOLLVIZ_ACTIONS_H
#define EPOLLVIZ_ACTIONS_H

#include "client.h"
#include "model.h"
#include "run.h"

struct loop;

struct actions {
	struct run *run;
	struct model *m;
	struct loop *loop;
	struct clients *cs;
	int writer_fd; /* a held FIFO writer, or -1 */
};

void actions_init(struct actions *a, struct run *run, struct model *m, struct loop *loop);
/* Let go of clients and writer, free the clients. */
void actions_done(struct actions *a);
/* Let go of every client and of the FIFO writer, quietly (no action record). */
void actions_release(struct actions *a);

int act_connect(struct actions *a, int n);
int act_burst(struct actions *a, int n);
int act_hold(struct actions *a, int n);
int act_send(struct actions *a, const char *text);
int act_release(struct actions *a);
/*
 * Write text+'\n' into the FIFO (through the held writer, or open-write-close),
 * and open-and-hold a writer.  Opening fails with ENXIO while no reader has
 * the FIFO open (the watcher is between close and reopen); with quiet set
 * that failure is returned as -1/ENXIO without a failed action record, so
 * a script can try again.
 */
int act_fifo_write(struct actions *a, const char *text, int quiet);
int act_fifo_hold(struct actions *a, int quiet);
int act_fifo_hangup(struct actions *a);
/* ^C, ^Z typed at the session's terminal; fg through the session leader. */
int act_ctrl_c(struct actions *a);
int act_ctrl_z(struct actions *a);
int act_fg(struct actions *a);
/* SIGINT to the server parent only, as `kill -INT <parent>` would. */
int act_kill_parent(struct actions *a);

#endif
