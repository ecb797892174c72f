/*
 * sampler.h - what only /proc and sock_diag can tell about a run, read by
 * the front end and turned into records of its own on the run's sink, so
 * that the model (and a recording) has them:
 *   sched         how often each process slept (voluntary context switches),
 *                 sampled while it sleeps inside epoll_wait: the wake-ups a
 *                 worker had without epoll_wait returning (the herd)
 *   accept_queue  each listening port's accept queue, polled while the
 *                 scenario runs, a record when it changes
 *   settled       every process asleep: the accept queue and sched counts
 *   asleep        a process asleep in accept (a blocking listening socket)
 *   kernel_*      the kernel's interest lists against the traced ones
 * and, for the screen only, the last reading of the kernel's view (ksnap),
 * which is not recorded.  Reads the model; never writes it.
 */
#ifndef EPOLLVIZ_SAMPLER_H
#define EPOLLVIZ_SAMPLER_H

#include <stdint.h>

#include "ksnap.h"
#include "model.h"

struct loop;
struct run;

#define SAMPLER_MAX_UNTRACED 32 /* processes of a run without a trace that are told apart */

struct sampler {
	struct loop *loop;
	struct run *run;
	const struct model *m;
	int queue_timer;
	int64_t last_qlen[M_MAX_LISTEN]; /* per listening socket of the model, -1 unknown */
	uint64_t queue_ns;      /* the next poll after this long: SAMPLER_QUEUE_NS, longer while nothing happens */
	uint64_t queue_records; /* the model's records at the last poll */
	int wake_timer;
	int stopping;
	struct ksnap ks;                 /* the kernel's view, last reading (sampler_kernel) */
	/* Processes of the session without a trace yet: when first seen, and whether reported. */
	struct {
		int pid;
		uint64_t seen;
		int reported;
	} unk[SAMPLER_MAX_UNTRACED];
	int nunk;
	uint64_t untraced_at; /* the last look (a look reads every process's /proc stat) */
};

/* Sample run's processes as the model m knows them. */
void sampler_init(struct sampler *s, struct loop *loop, struct run *run, const struct model *m);
/* Stop every timer and free the kernel reading. */
void sampler_done(struct sampler *s);
/* Poll every listening port's accept queue every SAMPLER_QUEUE_NS while the foreground job runs. */
void sampler_watch_queues(struct sampler *s);
/* The accept queue summed over the model's listening ports now, or -1 when there is none. */
int64_t sampler_queue_total(const struct sampler *s);
/*
 * Sample every traced process asleep in epoll_wait now (the first sample of
 * a process only then), read the trace pipe so that every return before
 * the sample is applied, and emit a sched record for each count that
 * changed (stamped with the sample's time).
 */
void sampler_wakes(struct sampler *s);
/* A trace_sink_fn: after a process becomes ready, sample the wake-ups soon (it will sleep). */
void sampler_note(void *s, const struct trace_rec *r);
/* Is pid asleep in accept(2)/accept4(2) now (state S)?  The call's fd in *fd when fd is not NULL. */
int sampler_in_accept(int pid, int *fd);
/*
 * An asleep record for each job process that /proc finds asleep in accept
 * (the notes' blocking listening socket) and the model does not yet know
 * to be: the semaphore panel shows a holder that cannot post.
 */
void sampler_asleep(struct sampler *s);
/* Everything sleeps (nprocs processes checked): sched for every job process, then settled. */
void sampler_settled(struct sampler *s, int nprocs);
/*
 * An untraced record for each process of the session that has sent no
 * trace for SAMPLER_UNTRACED_NS since it was first seen (a program run
 * under the tracer says proc_start at once), with the likely reason.
 */
void sampler_untraced(struct sampler *s);
/* The kernel's interest lists and instances, emitted as kernel_epoll and kernel_watch records. */
void sampler_inspect(struct sampler *s);
/*
 * Read the kernel's view of the live job processes into s->ks and compare
 * it with the model (at most every SAMPLER_KREAD_NS: two readings that
 * confirm a difference are that far apart).  Not recorded.
 */
void sampler_kernel(struct sampler *s);

#endif
