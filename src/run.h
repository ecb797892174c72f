/*
 * run.h - one run of a scenario, as the front end owns it: the pty, the
 * session leader, the trace pipe, the control pipe, the per-run semaphore
 * name, the front end's own records, and the clean-up that leaves nothing
 * behind.  Used the same way by the headless runner and the TUI.
 */
#ifndef EPOLLVIZ_RUN_H
#define EPOLLVIZ_RUN_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "scenario.h"
#include "trace.h"

struct loop;
struct run;

/*
 * Start the scenario: open a pty, fork the session leader on it, register
 * the trace pipe and pty master with loop.  Returns NULL with a message in
 * err on failure.
 */
struct run *run_start(const struct scenario *sc, struct loop *loop, trace_sink_fn sink, void *ctx,
		      char *err, size_t errcap);
/*
 * Emit a record of the front end's own to the run's sink: a copy with pid
 * and seq filled in, and the time when rec has none.
 */
void run_emit(struct run *r, const struct trace_rec *rec);
/* run_emit as a trace_sink_fn: ctx is the run. */
void run_sink(void *run, const struct trace_rec *rec);
/* Emit an action record. */
void run_action(struct run *r, int state, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Write bytes to the pty master, as a user typing at the session's terminal. */
int run_type(struct run *r, const char *bytes, size_t n);
/* Send a command line to the session leader ("fg", "term"). */
int run_command(struct run *r, const char *cmd);
/* kill(pid, sig) from the front end (a group as -PGID), traced as a kill record. */
int run_kill(struct run *r, pid_t pid, int sig);
/* Ask the session to end (term).  Idempotent. */
void run_terminate(struct run *r);
/* Reap children that exited (session leader, adopted orphans); emits reap records. */
void run_reap(struct run *r);
/* True when every writer of the trace pipe is gone and the session leader was reaped. */
int run_finished(const struct run *r);
/* The trace reader: counts of records, lost and malformed. */
const struct trace_reader *run_reader(const struct run *r);
/*
 * Read whatever the trace pipe and the pty hold now, without waiting for
 * the next gulp (before judging "settled", and while the run stops, so
 * that nothing the children wrote is lost).
 */
void run_drain(struct run *r);
/* Trace bytes not yet handed on: unread in the pipe, or read but not a whole record yet. */
int run_trace_pending(const struct run *r);
pid_t run_session_pid(const struct run *r);
/* Does the run start a program of the user's (epollviz run), not only epollviz's own roles? */
int run_is_program(const struct run *r);
uint64_t run_t0(const struct run *r);
/*
 * The front end's verdict, the run's last record (after run_stop):
 * actions_failed, flags (enum run_end_flags; RUN_UNCLEAN is added when the
 * clean-up had to use SIGKILL or failed to clean something) and the
 * reader's count of malformed records, so that a replay decides alike.
 */
void run_emit_end(struct run *r, int actions_failed, int flags);
/*
 * End everything: terminate the session if still running (bounded wait,
 * then SIGKILL for anything left in the session), unlink the semaphore,
 * remove the FIFO and its directory, close every fd.  r stays readable
 * (reader counts, unclean) until run_free.  Idempotent.
 */
void run_stop(struct run *r);
void run_free(struct run *r);

#endif
