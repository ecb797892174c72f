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

#include "../src/i18n.h"
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
		/* TRANSLATORS: epoll_wait returns panel, after "→": what the woken worker did; the semaphore is the accept lock. */
		[WO_SEM_WON] = { CS_DIM, N_("semaphore won") },
		/* TRANSLATORS: epoll_wait returns panel, after "→": the worker accepted the connection (a count may follow). */
		[WO_ACCEPTED] = { CS_OK, N_("accepted") },
		/* TRANSLATORS: epoll_wait returns panel, after "→": the worker lost the semaphore (the accept lock). */
		[WO_SEM_LOST] = { CS_WARN, N_("semaphore lost") },
		/* TRANSLATORS: epoll_wait returns panel, after "→": accept failed with EAGAIN, another worker took the connection. */
		[WO_EAGAIN] = { CS_WARN, N_("EAGAIN: taken") },
	};

	if (e->outcome <= WO_NONE || e->outcome >= (int)(sizeof said / sizeof said[0]))
		return;
	lines_printf(L, " ");
	lines_put(L, said[e->outcome].style, crt_g(G_ARROW_R));
	lines_printf(L, " ");
	lines_put(L, said[e->outcome].style, _(said[e->outcome].text));
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
		if (e->err == EINTR) {
			lines_printf(L, " ");
			/* TRANSLATORS: epoll_wait returns panel, after "-1 EINTR": why. */
			lines_put(L, CS_DIM, _("(a signal came)"));
		}
	} else if (e->ret == 0) {
		lines_printf(L, " ");
		/* TRANSLATORS: epoll_wait returns panel: epoll_wait returned 0, its timeout ran out. */
		lines_put(L, CS_DIM, _("timed out"));
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
			lines_printf(L, " ");
			/* TRANSLATORS: epoll_wait returns panel, after "×3": the same return repeated until time %s (seconds, "4.210"). */
			lines_printf(L, _("until %s"), t1);
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
	char a[32], b[32], c[160], head[160];

	lines_style(L, CS_NORMAL);
	/* TRANSLATORS: epoll_wait returns panel, per echo worker: %1$s: how often it slept (was woken), %2$s: how often epoll_wait returned. */
	snprintf(head, sizeof head, _("slept %1$s, returned %2$s"), fmt_count(slept, a, sizeof a),
		 fmt_count(ret, b, sizeof b));
	lines_printf(L, "%s", head);
	c[0] = '\0';
	if (slept > ret)
		/* TRANSLATORS: epoll_wait returns panel, after "slept 5, returned 3: " or on a line of its own; %s: a count ("1,204"). */
		snprintf(c, sizeof c, P_("%s wake-up without a return", "%s wake-ups without a return", slept - ret),
			 fmt_count(slept - ret, a, sizeof a));
	else if (ret > slept)
		/* TRANSLATORS: epoll_wait returns panel, after "slept 3, returned 5: " or on a line of its own; %s: a count ("1,204"). */
		snprintf(c, sizeof c, P_("%s return without a sleep", "%s returns without a sleep", ret - slept),
			 fmt_count(ret - slept, a, sizeof a));
	if (c[0] == '\0')
		return;
	if (lines_cols(head) + 2 + lines_cols(c) > room) {
		/* Its own line, under the counts: the difference is the point. */
		lines_add(L);
		lines_pad(L, indent);
	} else {
		lines_put(L, slept > ret ? CS_WARN : CS_DIM, ": ");
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
		/* TRANSLATORS: epoll_wait returns panel, footer: the process sleeps in epoll_wait but its job is stopped (^Z). */
		snprintf(buf, cap, "%s", _("stopped inside epoll_wait (job control)"));
		return;
	}
	if (secs == 0)
		/* TRANSLATORS: epoll_wait returns panel, footer: how long a process has waited, inside "waiting since 1.250 (%s)". */
		snprintf(d, sizeof d, "%s", _("under 1 s"));
	else
		/* TRANSLATORS: epoll_wait returns panel, footer: how long a process has waited, in whole seconds, inside "waiting since 1.250 (%s)". */
		snprintf(d, sizeof d, P_("%llu s", "%llu s", secs), (unsigned long long)secs);
	/* TRANSLATORS: epoll_wait returns panel, footer: %1$.3f: when the wait began (seconds of the run), %2$s: for how long ("12 s"). */
	snprintf(buf, cap, _("waiting since %1$.3f (%2$s)"), panel_secs(v, p->wait_since), d);
}

/* The footer: who sleeps in epoll_wait now, and each echo worker's wake-ups. */
static void
footer(struct lines *L, const struct view *v, const struct names *nm, int w)
{
	const struct model *m = v->m;
	char name[48], since[160];
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
		if (col + (waiting ? lines_cols(since) + 2 : 0) + 40 > w) {
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

/* The header of the name column: "who" when the names are bare, else "pid". */
static const char *
name_head(const struct names *nm)
{
	/* TRANSLATORS: epoll_wait returns panel, header of the column of process names (without pids): at most 8 columns. */
	return nm->bare ? _("who") : "pid";
}

/* The name column takes the width of its header too (a translated one may be wider than the names). */
static void
names_fit(struct names *nm)
{
	int hw = lines_cols(name_head(nm)) + 1;

	if (nm->w < hw)
		nm->w = hw;
}

/* The column header, aligned by display columns: "   t (s) pid     epfd  n data:events returned". */
static void
header(struct lines *L, const struct names *nm)
{
	/* TRANSLATORS: epoll_wait returns panel, header of the time column (seconds since the start): at most 8 columns. */
	const char *t = _("t (s)");
	int tw = lines_cols(t);

	lines_add(L);
	lines_style(L, CS_HEAD);
	/* Right-aligned in the 8 columns of "%8.3f", as printf's %8s would in bytes. */
	lines_pad(L, tw < 8 ? 8 - tw : 0);
	lines_printf(L, "%s ", t);
	lines_field(L, name_head(nm), nm->w);
	lines_printf(L, "%4s %2s ", "epfd", "n");
	/* TRANSLATORS: epoll_wait returns panel, the last column's header: each returned event as data:mask. */
	lines_printf(L, "%s", _("data:events returned"));
	lines_end_header(L);
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

	names_fit(&nm);
	struct m_wait line;

	lines_reset(L);
	/* TRANSLATORS: after the title "epoll_wait returns": how many returns in all; %s: a count ("1,204"). */
	snprintf(L->title, sizeof L->title, P_("%s return", "%s returns", m->returns), fmt_count(m->returns, n, sizeof n));
	header(L, &nm);
	/* Count the lines first: only the newest WAIT_SHOWN are formatted. */
	for (uint64_t i = 0; model_wait_line(m, &i, &line);)
		nlines++;
	for (uint64_t i = 0; model_wait_line(m, &i, &line);)
		if (nlines-- <= WAIT_SHOWN)
			entry_line(L, v, &line, &nm);
	L->total = m->nwait_lines;
	if (avail == 0) {
		lines_add(L);
		/* TRANSLATORS: the epoll_wait returns panel while it is empty. */
		lines_put(L, CS_DIM, _("no epoll_wait has returned yet"));
	}
	footer(L, v, &nm, w);
}

const struct panel_ops panel_wait_ops = {
	/* TRANSLATORS: a panel's title (each return of epoll_wait, one per line): keep epoll_wait; at most 20 columns. */
	.name = N_("epoll_wait returns"),
	.key = '2',
	.help = N_("One line per epoll_wait return, newest at the bottom: time since the start, "
		"pid, epfd, n, and each returned event as data:mask (the listening socket is "
		"marked). Returns of one process that repeat with nothing else in between share "
		"a line with a count and the time of the last ('×3 until 4.210'); a counted EPOLLHUP "
		"storm shows its rate. A return that handed a process the listening socket says "
		"what it then did: accepted (N with a drain loop), semaphore won or lost, or EAGAIN "
		"(another had taken the connection). A "
		"process asleep in epoll_wait shows as 'waiting since' ('stopped' while its job is). "
		"Per echo worker, 'slept N, returned M': N is how often it slept and was woken "
		"(voluntary context switches in /proc/PID/status, sampled once a second; every "
		"sleep counts, not only epoll_wait's), M how often its epoll_wait returned, both "
		"since the first sample of the run. A worker woken for a connection another one "
		"took sleeps again inside epoll_wait, which never returns: only N shows that "
		"wake-up ('wake-ups without a return'). A level-triggered fd still ready makes "
		"epoll_wait return at once, without a sleep ('returns without a sleep')."),
	.fact = N_("The kernel hands back ev.data, never the fd (fact 2); EPOLLHUP comes unasked "
		"(fact 4); a mask can hold several bits, so test with & (fact 5); level-triggered "
		"repeats, edge-triggered reports a change once (fact 6); the naive FIFO's EPOLLHUP "
		"storm (fact 7). One connection wakes both echo workers: the thundering herd "
		"(echo-herd: both woken per connection; echo-exclusive: one)."),
	.applies = panel_in_scenario,
	.col = PC_LEFT,
	.order = 2,
	.min_h = 4,
	.flex = 1,
	.bottom = 1,
	.draw = wait_draw,
};
