/*
 * panel_wait.c - "epoll_wait returns": the model's timeline, oldest at the
 * top and newest at the bottom, one line per entry (identical returns are
 * collapsed by the model into one entry with a count), and below it one
 * "waiting since" line per process that sleeps in epoll_wait now, and per
 * echo worker how often it was woken (/proc) against how often its
 * epoll_wait returned (the trace): the wake-ups the trace cannot see.
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/epoll.h>

#include "../src/trace_rec.h"
#include "../src/util.h"
#include "crt.h"
#include "panel.h"

#define WAIT_SHOWN 512 /* newest timeline lines formatted (and so reachable by scrolling) */
#define NARROW 56      /* a panel narrower than this names processes without their pids */

/* How the panel names processes: with their pids, or bare when narrow; and the column's width. */
struct names {
	int bare;
	int w;
};

/* The name of pid in the panel's way. */
static const char *
name_of(const struct view *v, const struct names *nm, uint32_t pid, char *buf, size_t cap)
{
	return nm->bare ? panel_role_name(v, pid, buf, cap) : panel_short_name(v, pid, buf, cap);
}

/* One returned (data, mask) pair, the listening socket marked as it was then. */
static void
pair_out(struct lines *L, const struct m_wait *e, int i)
{
	const struct trace_pair *pr = &e->pairs[i];
	char mask[96], data[48];
	int style = (pr->events & (EPOLLHUP | EPOLLERR)) ? CS_ERR : CS_NORMAL;

	lines_printf(L, " ");
	if (e->listen & (1u << i))
		lines_put(L, CS_LISTEN, crt_g(G_LISTEN));
	lines_printf(L, "%s:", panel_data_str(pr->data, 1, data, sizeof data));
	lines_put(L, style, epoll_mask_str(pr->events, 1, mask, sizeof mask));
}

/* What the process did about the listening socket the return handed it: " → accepted", " → EAGAIN"... */
static void
outcome_out(struct lines *L, const struct m_wait *e)
{
	static const struct {
		int style;
		const char *text;
	} said[] = {
		[WO_SEM_WON] = { CS_DIM, "semaphore won" },
		[WO_ACCEPTED] = { CS_OK, "accepted" },
		[WO_SEM_LOST] = { CS_WARN, "semaphore lost" },
		[WO_EAGAIN] = { CS_WARN, "EAGAIN: taken" },
	};

	if (e->outcome <= WO_NONE || e->outcome >= (int)(sizeof said / sizeof said[0]))
		return;
	lines_printf(L, " ");
	lines_put(L, said[e->outcome].style, crt_g(G_ARROW_R));
	lines_printf(L, " ");
	lines_put(L, said[e->outcome].style, said[e->outcome].text);
	if (e->outcome == WO_ACCEPTED && e->naccepted > 1)
		lines_printf(L, " %d", e->naccepted);
}

/* One timeline entry. */
static void
entry_line(struct lines *L, const struct view *v, const struct m_wait *e, const struct names *nm)
{
	char name[48], n1[32], n2[32], t0[24], t1[24];

	lines_add(L);
	lines_printf(L, "%8.3f ", panel_secs(v, e->ts));
	lines_field(L, name_of(v, nm, e->pid, name, sizeof name), nm->w);
	lines_printf(L, "%4d %2d", e->epfd, e->ret);
	if (e->ret < 0) {
		lines_printf(L, " ");
		lines_put(L, CS_WARN, errno_name(e->err));
		if (e->err == EINTR)
			lines_put(L, CS_DIM, " (a signal came)");
	} else if (e->ret == 0) {
		lines_put(L, CS_DIM, " timed out");
	}
	for (int i = 0; i < e->npairs; i++)
		pair_out(L, e, i);
	if (e->ret > e->npairs)
		lines_printf(L, " +%d", e->ret - e->npairs);
	if (e->count > 1) {
		double secs = (double)(e->ts_last - e->ts) / 1e9;

		lines_printf(L, " ");
		lines_style(L, e->storm ? CS_ERR : CS_WARN);
		lines_printf(L, "%s%s", crt_g(G_TIMES), fmt_count(e->count, n1, sizeof n1));
		/* A storm's rate is its point; a handful of repeats has no meaningful rate. */
		if (e->storm && secs > 0.0005)
			lines_printf(L, " (%s)", fmt_rate((double)(e->count - 1) / secs, n2, sizeof n2));
		lines_style(L, CS_NORMAL);
		snprintf(t0, sizeof t0, "%.3f", panel_secs(v, e->ts));
		snprintf(t1, sizeof t1, "%.3f", panel_secs(v, e->ts_last));
		if (!e->storm && strcmp(t0, t1) != 0) {
			lines_put(L, CS_DIM, " until ");
			lines_printf(L, "%s", t1);
		}
	}
	outcome_out(L, e);
}

/* The wake-up counts of p, or NULL before its first sample. */
static const struct m_wake *
wake_of(const struct m_proc *p)
{
	return p->wake.sampled ? &p->wake : NULL;
}

/*
 * "slept 4, returned 3" and, when they differ and there is room, what the
 * difference is: wake-ups that found nothing (another process took it), or
 * returns without a sleep (something was still ready: level-triggered);
 * on a line of its own, indent columns in, when room is short.
 */
static void
wake_text(struct lines *L, const struct m_wake *k, int room, int indent)
{
	uint64_t slept = k->vol - k->vol0, ret = k->ret - k->ret0;
	char a[32], b[32], c[96];
	int used;

	lines_style(L, CS_NORMAL);
	lines_printf(L, "slept %s, returned %s", fmt_count(slept, a, sizeof a), fmt_count(ret, b, sizeof b));
	used = (int)strlen("slept , returned ") + (int)strlen(a) + (int)strlen(b);
	c[0] = '\0';
	if (slept > ret)
		snprintf(c, sizeof c, ": %s wake-up%s without a return", fmt_count(slept - ret, a, sizeof a),
			 slept - ret == 1 ? "" : "s");
	else if (ret > slept)
		snprintf(c, sizeof c, ": %s return%s without a sleep", fmt_count(ret - slept, a, sizeof a),
			 ret - slept == 1 ? "" : "s");
	if (c[0] == '\0')
		return;
	if (used + (int)strlen(c) > room) {
		/* Its own line, under the counts: the difference is the point. */
		lines_add(L);
		lines_pad(L, indent);
		memmove(c, c + 2, strlen(c + 2) + 1); /* without the ": " */
	}
	lines_put(L, slept > ret ? CS_WARN : CS_DIM, c);
}

/* Text of a "waiting since" line after the epfd column. */
static void
since_text(const struct view *v, const struct m_proc *p, char *buf, size_t cap)
{
	/*
	 * Whole seconds of the run's clock (from the first record, as the title
	 * bar's): the text changes when the bar's clock does, so an idle screen
	 * is drawn once a second, not once for each.
	 */
	uint64_t now_s = v->now > v->m->t0 ? (v->now - v->m->t0) / 1000000000ull : 0;
	uint64_t since_s = p->wait_since > v->m->t0 ? (p->wait_since - v->m->t0) / 1000000000ull : 0;
	uint64_t secs = now_s > since_s ? now_s - since_s : 0;
	const struct m_job *j = model_job(v->m, p->pgid);
	char d[32];

	/* A stopped process is not waiting for events: it runs nothing until SIGCONT. */
	if (j && j->state == MJOB_STOPPED) {
		snprintf(buf, cap, "stopped inside epoll_wait (job control)");
		return;
	}
	if (secs == 0)
		snprintf(d, sizeof d, "under 1 s");
	else
		snprintf(d, sizeof d, "%llu s", (unsigned long long)secs);
	snprintf(buf, cap, "waiting since %.3f (%s)", panel_secs(v, p->wait_since), d);
}

/* The footer: who sleeps in epoll_wait now, and each echo worker's wake-ups. */
static void
footer(struct lines *L, const struct view *v, const struct names *nm, int w)
{
	const struct model *m = v->m;
	char name[48], since[64];
	int col = 9 + nm->w + 4 + 4; /* where the text after the epfd column starts */

	lines_begin_footer(L);
	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *p = &m->procs[i];
		const struct m_wake *k = wake_of(p);
		int waiting = p->alive && p->in_wait;

		if (!waiting && (k == NULL || !p->alive))
			continue;
		lines_add(L);
		lines_style(L, CS_DIM);
		lines_printf(L, "%8s ", "");
		lines_field(L, name_of(v, nm, p->pid, name, sizeof name), nm->w);
		if (waiting) {
			since_text(v, p, since, sizeof since);
			lines_printf(L, "%4d    %s", p->wait_epfd, since);
		} else {
			lines_printf(L, "%4s    ", "");
		}
		if (k == NULL)
			continue;
		if (col + (waiting ? (int)strlen(since) + 2 : 0) + 40 > w) {
			lines_add(L);
			lines_pad(L, 11); /* under the name: this process's second line */
		} else if (waiting) {
			lines_style(L, CS_DIM);
			lines_printf(L, "  ");
		}
		wake_text(L, k, w - L->v[L->n - 1].cols, 11);
	}
	lines_style(L, CS_NORMAL);
	if (lines_nfooter(L) == 0)
		L->footer = -1;
}

/* Fill the panel: entries oldest first, then the waiting processes. */
static void
wait_draw(struct panel *pn, const struct view *v, int w)
{
	const struct model *m = v->m;
	struct lines *L = &pn->L;
	char n[32];
	uint64_t avail = m->ntimeline, nlines = 0;
	struct names nm = { w < NARROW, panel_name_width(v, w < NARROW) + 1 };
	struct m_wait line;

	lines_reset(L);
	snprintf(L->title, sizeof L->title, "%s return%s", fmt_count(m->returns, n, sizeof n),
		 m->returns == 1 ? "" : "s");
	lines_add(L);
	lines_style(L, CS_HEAD);
	lines_printf(L, "%8s %-*s%4s %2s data:events returned", "t (s)", nm.w, nm.bare ? "who" : "pid", "epfd", "n");
	lines_end_header(L);
	/* Count the lines first: only the newest WAIT_SHOWN are formatted. */
	for (uint64_t i = 0; model_wait_line(m, &i, &line);)
		nlines++;
	for (uint64_t i = 0; model_wait_line(m, &i, &line);)
		if (nlines-- <= WAIT_SHOWN)
			entry_line(L, v, &line, &nm);
	L->total = m->nwait_lines;
	if (avail == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, "no epoll_wait has returned yet");
	}
	footer(L, v, &nm, w);
}

const struct panel_ops panel_wait_ops = {
	.name = "epoll_wait returns",
	.key = '2',
	.help = "One line per epoll_wait return, newest at the bottom: time since the start, "
		"pid, epfd, n, and each returned event as data:mask (the listening socket is "
		"marked). Returns of one process that repeat with nothing else in between share "
		"a line with a count and the time of the last ('×3 until 4.210'); a counted EPOLLHUP "
		"storm shows its rate. A return that handed a process the listening socket says "
		"what it then did: accepted (N with a drain loop), semaphore won or lost, or EAGAIN "
		"(another had taken the connection). A "
		"process asleep in epoll_wait shows as 'waiting since' ('stopped' while its job is). "
		"Per echo worker, 'slept N, returned M': N is how often it slept and was woken "
		"(voluntary context switches in /proc/PID/status, sampled twice a second; every "
		"sleep counts, not only epoll_wait's), M how often its epoll_wait returned, both "
		"since the first sample of the run. A worker woken for a connection another one "
		"took sleeps again inside epoll_wait, which never returns: only N shows that "
		"wake-up ('wake-ups without a return'). A level-triggered fd still ready makes "
		"epoll_wait return at once, without a sleep ('returns without a sleep').",
	.fact = "The kernel hands back ev.data, never the fd (fact 2); EPOLLHUP comes unasked "
		"(fact 4); a mask can hold several bits, so test with & (fact 5); level-triggered "
		"repeats, edge-triggered reports a change once (fact 6); the naive FIFO's EPOLLHUP "
		"storm (fact 7). One connection wakes both echo workers: the thundering herd "
		"(echo-herd: both woken per connection; echo-exclusive: one).",
	.applies = panel_in_scenario,
	.col = PC_LEFT,
	.order = 2,
	.min_h = 4,
	.flex = 1,
	.bottom = 1,
	.draw = wait_draw,
};
