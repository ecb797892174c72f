/*
 * headless.c - `epollviz --headless SCENARIO [--script S] [--json]`: runs a
 * scenario without curses, performs the script's actions with real clients,
 * prints every record (text, or JSON Lines), then a summary.
 *
 * Each step waits for its own completion (a reply, a read, a job state),
 * with a deadline; nothing here sleeps in place of synchronisation.
 */
#include "headless.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "action.h"
#include "cols.h"
#include "i18n.h"
#include "loop.h"
#include "model.h"
#include "paths.h"
#include "recorder.h"
#include "replay.h"
#include "run.h"
#include "sampler.h"
#include "scenario.h"
#include "script.h"
#include "trace_rec.h"
#include "util.h"

#define SEC 1000000000ull
#define START_TIMEOUT_NS (10 * SEC) /* every job of the scenario is ready by then */
#define END_TIMEOUT_NS (10 * SEC)   /* the session has ended by then, or run_stop forces it */

enum phase { PH_READY = 0, PH_STEPS, PH_ENDING, PH_DONE };

struct headless {
	struct scenario sc;
	struct script script;
	int json;
	int quiet; /* apply every record, print only the summary */
	struct loop *loop;
	struct model *m;
	struct run *run;
	struct actions act;
	struct sampler smp;
	struct strbuf sb;
	int phase;
	int step;        /* the script's step that runs */
	int failed;      /* steps that failed or timed out */
	int fatal;
	int interrupted;
	int fg_given;    /* the session has given the terminal to a job */
	int sigfd;
	uint64_t phase_t0;
	struct recorder *rec;
	struct trace_tee tee;
};

/* The printer: a record as a JSON line or a text line (after the model applied it: t0). */
static void
print_rec(void *ctx, const struct trace_rec *r)
{
	struct headless *h = ctx;

	sb_reset(&h->sb);
	if (h->json)
		trace_rec_json(&h->sb, r);
	else
		trace_rec_line(&h->sb, r, h->m->t0);
	sb_add(&h->sb, "\n");
	fwrite(h->sb.s, 1, h->sb.len, stdout);
}

/*
 * A listening socket that could not be made ends the run: say so on
 * stderr.  And note when the session first gives the terminal to a job.
 */
static void
watch_fatal(void *ctx, const struct trace_rec *r)
{
	struct headless *h = ctx;

	if (r->type == TR_FG && r->ret == 0 && h->run && r->pgid != (int32_t)run_session_pid(h->run))
		h->fg_given = 1;

	if (r->type == TR_LISTEN && r->ret < 0) {
		fprintf(stderr, _("epollviz: %s: cannot listen on 127.0.0.1:%d: %s\n"), h->sc.name, r->port,
			strerror(r->err));
		h->fatal = 1;
	}
	/* --quiet prints no record: a step that failed or timed out still says why, on stderr. */
	if (h->quiet && r->type == TR_ACTION && (r->state == ACTION_FAILED || r->state == ACTION_TIMEOUT)) {
		sb_reset(&h->sb);
		trace_rec_line(&h->sb, r, h->m->t0);
		fprintf(stderr, "epollviz: %s\n", h->sb.s + strspn(h->sb.s, " 0123456789.ms"));
	}
}

/* The consumers of every record: the model, then the printer, the recording, the fatal check. */
static void
tee_init(struct headless *h)
{
	memset(&h->tee, 0, sizeof h->tee);
	trace_tee_add(&h->tee, model_sink, h->m);
	if (!h->quiet)
		trace_tee_add(&h->tee, print_rec, h);
	if (h->rec)
		trace_tee_add(&h->tee, recorder_sink, h->rec);
	trace_tee_add(&h->tee, watch_fatal, h);
}

/* Is pid blocked opening a FIFO, waiting for a writer? */
static int
waits_for_writer(const struct model *m, uint32_t pid)
{
	for (int i = 0; i < m->nfifos; i++)
		if (m->fifos[i].pid == pid && m->fifos[i].state == FIFO_WAITING)
			return 1;
	return 0;
}

/* Does pid hold an epoll instance? */
static int
holds_instance(const struct model *m, uint32_t pid)
{
	for (int k = 0; k < m->ninst; k++)
		for (int h = 0; h < m->inst[k].nholders; h++)
			if (m->inst[k].holders[h].pid == pid)
				return 1;
	return 0;
}

/*
 * A traced program is in its event loop: every process of it that is alive
 * and holds an epoll instance waits in epoll_wait, and one does (or the
 * front end found it untraced: nothing more will come; or it has ended
 * already, as echo does).  (A
 * master that only waits for its workers, as nginx's does, has none.  A
 * process forked once the others wait may still be on its way: a script's
 * first step does not wait for it.)
 */
static int
program_ready(const struct model *m)
{
	int n = 0, seen = 0, alive = 0;

	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];

		if (p->role == ROLE_PROGRAM)
			seen++;
		if (p->role != ROLE_PROGRAM || !p->alive)
			continue;
		alive++;
		if (p->untraced || waits_for_writer(m, p->pid)) {
			n++; /* named untraced, or blocked in a FIFO's open: nothing more comes until a key */
			continue;
		}
		if (!holds_instance(m, p->pid))
			continue;
		if (!p->in_wait)
			return 0;
		n++;
	}
	/* A program that has already ended (echo, a failed start) is as ready as it will ever be. */
	return n > 0 || (seen > 0 && alive == 0);
}

/*
 * The foreground job has had the terminal: the session's tcsetpgrp for it
 * is in (it may have ended since, as a probe does).  Until then a ^C typed into the pty goes to the session's own group,
 * not the job's (on a busy machine the job can be waiting in epoll_wait
 * before the session has run again to give it the terminal).
 */
static int
fg_has_terminal(const struct headless *h)
{
	return scenario_fg_job(&h->sc) < 0 || h->fg_given;
}

/* Every job of the scenario has reached its steady state. */
static int
scenario_ready(struct headless *h)
{
	if (!fg_has_terminal(h))
		return 0;
	for (int i = 0; i < h->sc.njobs; i++) {
		const struct job_cfg *j = &h->sc.jobs[i];

		switch (j->kind) {
		case JOB_ECHO:
			if (model_count(h->m, ROLE_ECHO_PARENT, 1) + model_count(h->m, ROLE_ECHO_WORKER, 1) <
			    j->workers)
				return 0;
			break;
		case JOB_FIFO:
			if (h->m->nfifos == 0)
				return 0;
			break;
		case JOB_PROBE:
			if (model_count(h->m, ROLE_PROBE, 1) < 1)
				return 0;
			break;
		case JOB_PROGRAM:
			if (!program_ready(h->m))
				return 0;
			break;
		}
	}
	return 1;
}

/*
 * Why the scenario can no longer start, or NULL while it still may: the
 * session is gone, or every job has ended before it was ready (a crash, a
 * program that exits at once) and no process of a program lives on.
 * Waiting out START_TIMEOUT_NS would only hide it.
 */
static const char *
cannot_start(const struct headless *h)
{
	int seen = 0, alive = 0;

	if (run_finished(h->run))
		return _("the session ended before the scenario started");
	if (h->sc.njobs == 0 || model_jobs_done(h->m) < h->sc.njobs)
		return NULL;
	for (int i = 0; i < h->m->nprocs; i++) {
		seen += h->m->procs[i].role == ROLE_PROGRAM;
		alive += h->m->procs[i].role == ROLE_PROGRAM && h->m->procs[i].alive;
	}
	if (alive > 0)
		return NULL; /* a daemon's double fork: the job is done, its server is just starting */
	if (scenario_job_of(&h->sc, JOB_PROGRAM) >= 0 && seen == 0)
		return _("the program ended before it sent any trace (statically linked, or it exits before its "
			 "first traced call); the session's reap record above gives its exit status");
	return _("every job ended before the scenario was ready; the records above say how");
}

/* Enter the ending phase: let go of clients and writer, ask the session to end. */
static void
end_steps(struct headless *h)
{
	h->phase = PH_ENDING;
	h->phase_t0 = now_ns();
	action_release_all(&h->act);
	run_terminate(h->run);
}

/* Start the next step of the script (a step that fails at once counts, and the next starts). */
static void
next_step(struct headless *h)
{
	while (++h->step < h->script.nsteps) {
		if (action_start(&h->act, &h->script.steps[h->step]) == ACTION_RUNNING)
			return;
		h->failed++;
	}
	end_steps(h);
}

/*
 * Look at the running step, and start the next ones for as long as steps
 * end at once (a pause whose stdin cannot wait is over as it begins): no
 * loop turn, which may sleep until a timer, between a step and the next.
 */
static void
run_steps(struct headless *h)
{
	while (h->phase == PH_STEPS) {
		int r = action_poll(&h->act);

		if (r == ACTION_RUNNING)
			return;
		if (r == ACTION_ENDED_FAILED)
			h->failed++;
		next_step(h);
	}
}

/* Move the run through its phases: wait for the jobs, run the steps, wait for the end. */
static void
advance(struct headless *h)
{
	uint64_t now = now_ns();
	const char *why;

	if ((h->fatal || h->interrupted) && h->phase < PH_ENDING)
		end_steps(h);
	switch (h->phase) {
	case PH_READY:
		if (scenario_ready(h)) {
			h->phase = PH_STEPS;
			h->step = -1;
			next_step(h);
		} else if ((why = cannot_start(h)) != NULL) {
			fprintf(stderr, "epollviz: %s: %s\n", h->sc.name, why);
			h->failed++;
			end_steps(h);
		} else if (now - h->phase_t0 > START_TIMEOUT_NS) {
			fprintf(stderr, _("epollviz: %s: the scenario did not start within %llu s\n"), h->sc.name,
				(unsigned long long)(START_TIMEOUT_NS / SEC));
			h->failed++;
			end_steps(h);
		}
		break;
	case PH_STEPS:
		run_steps(h);
		break;
	case PH_ENDING:
		if (run_finished(h->run) || now - h->phase_t0 > END_TIMEOUT_NS)
			h->phase = PH_DONE;
		break;
	}
}

/* Drain the signalfd: note an interrupting signal, then reap whatever exited. */
static void
on_signal(void *arg, uint32_t events)
{
	struct headless *h = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->sigfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo != SIGCHLD)
			h->interrupted = (int)si.ssi_signo;
	}
	run_reap(h->run);
}

/* How a process ended, as a JSON object or null, written into buf; returns buf. */
static const char *
exit_desc(const struct m_proc *p, char *buf, size_t cap)
{
	if (p->reaped && p->how == REAP_KILLED)
		snprintf(buf, cap, "{\"how\":\"killed\",\"signal\":\"%s\"}", signal_name(p->code));
	else if (p->reaped)
		snprintf(buf, cap, "{\"how\":\"exited\",\"code\":%d}", p->code);
	else if (p->has_exit)
		snprintf(buf, cap, "{\"how\":\"exited\",\"code\":%d}", p->exit_status);
	else
		snprintf(buf, cap, "null");
	return buf;
}

/*
 * Was the run clean?  Every process exited normally, no record lost or
 * malformed, and the front end's run_end record says every action completed
 * and nothing had to be forced.  Live runs and replays decide alike.
 */
static int
run_clean(const struct model *m, uint64_t lost, uint64_t malformed)
{
	return lost == 0 && malformed == 0 && m->end_malformed == 0 && m->ended &&
	       m->end_actions_failed == 0 && m->end_flags == 0 && model_all_exited_cleanly(m);
}

/* The text summary's table: header, the width of its values, left-aligned; translated headers widen them. */
enum { SC_PID, SC_ROLE, SC_NAME, SC_WAKEUPS, SC_ACCEPTS, SC_WON, SC_LOST, SC_HUPS, SC_STRAYS, SC__COUNT };
static const struct {
	const char *head;
	int w, left;
} sum_cols[SC__COUNT] = {
	/* TRANSLATORS: the column headers of the headless run's summary; a column widens to fit its header, keep them short. */
	[SC_PID] = { N_("pid"), 7, 1 },
	[SC_ROLE] = { N_("role"), 12, 1 },
	[SC_NAME] = { N_("name"), 10, 1 },
	/* TRANSLATORS: a column header: epoll_wait returns of the process. */
	[SC_WAKEUPS] = { N_("wakeups"), 7, 0 },
	/* TRANSLATORS: a column header: connections the process accepted. */
	[SC_ACCEPTS] = { N_("accepts"), 7, 0 },
	/* TRANSLATORS: a column header: the semaphore (accept lock) taken. */
	[SC_WON] = { N_("won"), 5, 0 },
	/* TRANSLATORS: a column header: tries for the semaphore (accept lock) that failed. */
	[SC_LOST] = { N_("lost"), 5, 0 },
	/* TRANSLATORS: a column header: epoll_wait returns with EPOLLHUP. */
	[SC_HUPS] = { N_("hups"), 8, 0 },
	/* TRANSLATORS: a column header: stray events (for an fd the process does not own). */
	[SC_STRAYS] = { N_("strays"), 6, 0 },
};

/* The summary as text: the counts, a row per process, the clients and whether the run was clean. */
static void
summary_text(struct strbuf *b, const char *name, const struct model *m, uint64_t lost, uint64_t malformed,
	     int clean)
{
	char ex[96];
	int w[SC__COUNT];

	sb_add(b, "\n");
	sb_printf(b, P_("summary of %s: %llu record, %llu lost, %llu malformed\n",
			"summary of %s: %llu records, %llu lost, %llu malformed\n", m->records),
		  name, (unsigned long long)m->records, (unsigned long long)lost, (unsigned long long)malformed);
	sb_add(b, " ");
	for (int i = 0; i < SC__COUNT; i++) {
		w[i] = cols_max(_(sum_cols[i].head), sum_cols[i].w);
		sb_add(b, " ");
		cols_field(b, _(sum_cols[i].head), w[i], !sum_cols[i].left);
	}
	/* TRANSLATORS: the last column header of the summary: how the process ended. */
	sb_printf(b, "  %s\n", _("exit"));
	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];

		if (p->role < 0 || p->role == ROLE_FRONTEND)
			continue;
		/* The values are ASCII but the process name, padded by its columns. */
		sb_printf(b, "  %-*u %-*s ", w[SC_PID], p->pid, w[SC_ROLE], trace_rec_role_name(p->role));
		cols_field(b, p->name, w[SC_NAME], 0);
		sb_printf(b, " %*llu %*llu %*llu %*llu %*llu %*llu  %s", w[SC_WAKEUPS], (unsigned long long)p->wakeups,
			  w[SC_ACCEPTS], (unsigned long long)p->accepts, w[SC_WON], (unsigned long long)p->sem_won,
			  w[SC_LOST], (unsigned long long)p->sem_lost, w[SC_HUPS], (unsigned long long)p->hup_returns,
			  w[SC_STRAYS], (unsigned long long)p->strays, exit_desc(p, ex, sizeof ex));
		if (p->untraced)
			/* TRANSLATORS: after a process's row: why it is not traced (an English reason name follows). */
			sb_printf(b, _("  NOT TRACED: %s"), trace_rec_enum_name(RE_UNTRACED, p->untraced - 1));
		sb_add(b, "\n");
	}
	sb_printf(b, _("  clients: %llu started, %llu answered, %llu failed; actions failed: %d; %s\n"),
		  (unsigned long long)m->nclients, (unsigned long long)m->clients_answered,
		  (unsigned long long)m->clients_failed, m->end_actions_failed,
		  clean ? _("clean exit") : _("NOT clean"));
}

/* The summary line (JSON) or table (text).  Returns whether the run was clean. */
static int
summary(struct strbuf *b, int json, const char *name, const struct model *m, uint64_t lost,
	uint64_t malformed)
{
	char ex[96];
	int clean = run_clean(m, lost, malformed);

	malformed += m->end_malformed;
	sb_reset(b);
	if (json) {
		sb_printf(b, "{\"type\":\"summary\",\"scenario\":");
		sb_json_str(b, name);
		sb_printf(b, ",\"records\":%llu,\"lost_records\":%llu,\"malformed_records\":%llu",
			  (unsigned long long)m->records, (unsigned long long)lost,
			  (unsigned long long)malformed);
		sb_add(b, ",\"semaphore\":");
		if (m->nsems > 0)
			sb_json_str(b, m->sems[0].name);
		else
			sb_add(b, "null");
		sb_add(b, ",\"processes\":[");
		for (int i = 0, first = 1; i < m->nprocs; i++) {
			const struct m_proc *p = &m->procs[i];

			if (p->role < 0)
				continue;
			sb_printf(b, "%s{\"pid\":%u,\"role\":\"%s\",\"name\":", first ? "" : ",", p->pid,
				  trace_rec_role_name(p->role));
			sb_json_str(b, p->name);
			sb_printf(b, ",\"pgid\":%d,\"wakeups\":%llu,\"accepts\":%llu,\"accept_failures\":%llu,"
				  "\"sem_won\":%llu,\"sem_lost\":%llu,\"hup_returns\":%llu,\"strays\":%llu,"
				  "\"skipped\":%llu,\"signals\":%llu,\"last_signal\":",
				  p->pgid, (unsigned long long)p->wakeups, (unsigned long long)p->accepts,
				  (unsigned long long)p->accept_fail, (unsigned long long)p->sem_won,
				  (unsigned long long)p->sem_lost, (unsigned long long)p->hup_returns,
				  (unsigned long long)p->strays, (unsigned long long)p->skipped,
				  (unsigned long long)p->signals);
			if (p->last_signo)
				sb_printf(b, "{\"signal\":\"%s\",\"si_code\":%d,\"si_pid\":%d}",
					  signal_name(p->last_signo), p->last_si_code, p->last_si_pid);
			else
				sb_add(b, "null");
			sb_printf(b, ",\"exit\":%s", p->role == ROLE_FRONTEND ? "null" : exit_desc(p, ex, sizeof ex));
			if (p->untraced)
				sb_printf(b, ",\"untraced\":\"%s\"", trace_rec_enum_name(RE_UNTRACED, p->untraced - 1));
			sb_add(b, "}");
			first = 0;
		}
		sb_add(b, "],\"fifos\":[");
		for (int i = 0; i < m->nfifos; i++) {
			const struct m_fifo *f = &m->fifos[i];

			sb_add(b, i ? ",{\"path\":" : "{\"path\":");
			sb_json_str(b, f->path);
			sb_printf(b, ",\"written\":%llu,\"read\":%llu,\"lost\":%llu,\"ebadf\":%llu}",
				  (unsigned long long)f->written, (unsigned long long)f->bytes,
				  (unsigned long long)f->lost, (unsigned long long)f->ebadf);
		}
		sb_printf(b, "],\"clients\":{\"started\":%llu,\"connected\":%llu,\"answered\":%llu,"
			  "\"failed\":%llu},\"accept_queue\":%lld,\"actions_failed\":%d,\"clean\":%s}\n",
			  (unsigned long long)m->nclients, (unsigned long long)m->clients_connected,
			  (unsigned long long)m->clients_answered, (unsigned long long)m->clients_failed,
			  (long long)m->accept_queue, m->end_actions_failed, clean ? "true" : "false");
	} else {
		summary_text(b, name, m, lost, malformed, clean);
	}
	fwrite(b->s, 1, b->len, stdout);
	return clean;
}

/* Print every record of a recording as a live run would, then the summary. */
static int
replay_headless(const char *path, int json, int quiet)
{
	char err[1024];
	struct replay *rp = replay_open(path, err, sizeof err);
	struct headless h;
	struct trace_rec r;
	int got, clean;

	if (rp == NULL) {
		fprintf(stderr, "epollviz: %s\n", err);
		return 2;
	}
	memset(&h, 0, sizeof h);
	h.json = json;
	h.quiet = quiet;
	h.m = model_new();
	sb_init(&h.sb);
	tee_init(&h);
	while ((got = replay_next(rp, &r)) > 0)
		trace_tee_sink(&h.tee, &r);
	clean = summary(&h.sb, json, replay_header(rp)->scenario, h.m, replay_reader(rp)->lost,
			replay_reader(rp)->malformed);
	fflush(stdout);
	if (got < 0)
		fprintf(stderr, "epollviz: %s\n", replay_error(rp));
	replay_close(rp);
	model_free(h.m);
	sb_free(&h.sb);
	return got < 0 ? 1 : clean ? 0 : 1;
}

/* --help for --headless. */
static void
usage(FILE *f)
{
	char acts[600];
	/* TRANSLATORS: followed by the --script actions' names (English), in lines indented under the first. */
	const char *head = _("actions:");
	int w = cols_width(head) + 1;

	/* TRANSLATORS: keep the option names. */
	fputs(_("usage: epollviz --headless SCENARIO [--script 'ACTION; ...'] [--json|--quiet] [--record FILE]\n"
		"       epollviz --headless run [OPTIONS] [--] PROGRAM [ARGS...]\n"
		"       epollviz --headless replay FILE [--json|--quiet]\n"),
	      f);
	fprintf(f, "%s %s\n", head, action_usage(acts, sizeof acts, 78, w, w));
}

/* Parse the options, run the scenario and its script (or a replay), print the summary. */
int
headless_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "headless", no_argument, NULL, 'H' },
		{ "script", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "record", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct headless h;
	char path[PATH_MAX], err[1024];
	static const int sigs[] = { SIGCHLD, SIGINT, SIGTERM, SIGHUP };
	const char *script = "", *record = NULL, *pos[3];
	const struct trace_reader *rd;
	char **program = NULL;
	int c, clean, npos = 0, run = 0;

	memset(&h, 0, sizeof h);
	sb_init(&h.sb);
	/*
	 * Into a pipe or a file, records leave in 64 KiB writes, not 4 KiB
	 * ones (--json under load writes tens of MB a second); each turn of
	 * the loop still flushes what it printed.
	 */
	if (!isatty(STDOUT_FILENO)) {
		static char out[1 << 16]; /* glibc ignores the size when it is left to allocate the buffer */

		setvbuf(stdout, out, _IOFBF, sizeof out);
	}
	/*
	 * Options anywhere, but nothing after run's PROGRAM is ours: getopt
	 * stops at each word that is not an option ("+"), and the words are
	 * taken here one by one.
	 */
	optind = 1;
	for (;;) {
		c = getopt_long(argc, argv, "+", longopts, NULL);
		if (c == -1) {
			int dashes = optind > 1 && strcmp(argv[optind - 1], "--") == 0;

			if (optind >= argc)
				break;
			if (run || dashes) {
				program = argv + optind;
				break;
			}
			if (npos == 0 && strcmp(argv[optind], "run") == 0)
				run = 1;
			else if (npos < (int)ARRAY_LEN(pos))
				pos[npos++] = argv[optind];
			else
				npos++;
			optind++;
			continue;
		}
		switch (c) {
		case 'H': break;
		case 's': script = optarg; break;
		case 'j': h.json = 1; break;
		case 'q': h.quiet = 1; break;
		case 'r': record = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (npos == 2 && !run && !program && strcmp(pos[0], "replay") == 0) {
		if (record || (script && script[0])) {
			fputs(_("epollviz: replay takes neither --script nor --record\n"), stderr);
			return 2;
		}
		return replay_headless(pos[1], h.json, h.quiet);
	}
	if (run) {
		if (program == NULL) {
			fputs(_("epollviz: run needs a PROGRAM to run\n"), stderr);
			usage(stderr);
			return 2;
		}
		if (paths_program(program[0], path, sizeof path, err, sizeof err) < 0) {
			fprintf(stderr, "epollviz: %s\n", err);
			return 2;
		}
		scenario_program(&h.sc, program);
	} else if (npos != 1 || program) {
		fputs(_("epollviz: --headless needs exactly one SCENARIO (or: run PROGRAM, replay FILE)\n"), stderr);
		usage(stderr);
		return 2;
	} else if (scenario_find(pos[0], path, sizeof path, err, sizeof err) < 0 ||
		   scenario_load(path, &h.sc, err, sizeof err) < 0) {
		fprintf(stderr, "epollviz: %s\n", err);
		return 2;
	}
	if (script_parse(script, &h.script, err, sizeof err) < 0) {
		fprintf(stderr, "epollviz: --script: %s\n", err);
		return 2;
	}
	for (int i = 0; i < h.script.nsteps; i++) {
		int id = h.script.steps[i].id;

		if (!action_possible(id, &h.sc)) {
			if (action_needs(id) & (AN_FIFO | AN_WRITER))
				fprintf(stderr, _("epollviz: --script: step %d '%s': scenario %s has no FIFO watcher\n"),
					i + 1, action_name(id), h.sc.name);
			else
				fprintf(stderr, _("epollviz: --script: step %d '%s': scenario %s has no echo server\n"),
					i + 1, action_name(id), h.sc.name);
			return 2;
		}
	}

	/* The recording first: a bad path is refused before anything is made. */
	if (record) {
		h.rec = recorder_open(record, &h.sc, err, sizeof err);
		if (h.rec == NULL) {
			fprintf(stderr, "epollviz: --record: %s\n", err);
			return 2;
		}
	}
	h.sigfd = sigfd_open(sigs, (int)ARRAY_LEN(sigs), NULL);
	h.loop = loop_new();
	h.m = model_new();
	tee_init(&h);
	h.run = h.loop && h.sigfd >= 0 ? run_start(&h.sc, h.loop, trace_tee_sink, &h.tee, err, sizeof err) : NULL;
	if (h.run == NULL) {
		fprintf(stderr, "epollviz: %s\n", h.loop && h.sigfd >= 0 ? err : strerror(errno));
		if (h.rec)
			recorder_close(h.rec, err, sizeof err); /* the header alone: the run never started */
		model_free(h.m);
		if (h.loop)
			loop_free(h.loop);
		if (h.sigfd >= 0)
			close(h.sigfd);
		sb_free(&h.sb);
		return 1;
	}
	loop_add(h.loop, h.sigfd, EPOLLIN, on_signal, &h);
	sampler_init(&h.smp, h.loop, h.run, h.m);
	action_setup(&h.act, h.run, h.m, h.loop, &h.smp, 1);
	sampler_watch_queues(&h.smp);
	h.phase = PH_READY;
	h.phase_t0 = now_ns();
	while (h.phase != PH_DONE) {
		loop_run_once(h.loop, action_poll_ms(&h.act)); /* SIGCHLD reaps (on_signal): no wait4 per wake-up */
		advance(&h);
		fflush(stdout);
	}
	sampler_done(&h.smp);
	action_teardown(&h.act);
	run_stop(h.run); /* emits the last reaps, and kills if anything was left */
	run_emit_end(h.run, h.failed, (h.interrupted ? RUN_INTERRUPTED : 0) | (h.fatal ? RUN_FATAL : 0));
	rd = run_reader(h.run);
	/* The reader's malformed count went out in run_end: the model has it, not counted again here. */
	clean = summary(&h.sb, h.json, h.sc.name, h.m, rd->lost, 0);
	fflush(stdout);
	if (h.rec && recorder_close(h.rec, err, sizeof err) < 0) {
		fprintf(stderr, "epollviz: --record: %s\n", err);
		clean = 0;
	}
	run_free(h.run);
	model_free(h.m);
	loop_free(h.loop);
	close(h.sigfd);
	sb_free(&h.sb);
	if (h.interrupted)
		return 128 + h.interrupted;
	return clean ? 0 : 1;
}
