/*
 * panel_kern.c - "Kernel's view": the epoll instances as the kernel keeps
 * them, read from /proc (fdinfo's tfd lines, kcmp for identity, sock_diag
 * for listening sockets) by the screen's owner into a struct ksnap.
 *
 * In a running scenario every kernel entry stands beside the traced one
 * with kcheck's verdict, and a confirmed disagreement is explained in
 * words.  Attached to arbitrary processes there is no trace: the entries
 * are shown with what each watched fd is.  A replay has no /proc: the
 * panel says so.  Draws from the view only; never reads /proc itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "../src/i18n.h"
#include "../src/kcheck.h"
#include "../src/trace_rec.h"
#include "../src/util.h"
#include "crt.h"
#include "../src/ksnap.h"
#include "panel.h"

/*
 * Columns of an entry beside the traced one: fd, kernel mask, traced mask,
 * data, verdict; of an attached process's entry: fd, mask, data, what the
 * fd is.  These are the least: a column moves right when the header before
 * it (translated) is wider than the room it leaves.
 */
#define COL_KERNEL 8
#define COL_TRACED 23
#define COL_DATA 35
#define COL_VERDICT 43
#define COL_ADATA 25
#define COL_AWHAT 34
/*
 * In a panel narrower than the verdict's column and its longest word (the
 * overview's half of 80 columns), the columns close up to what common
 * entries need (IN|ERR|HUP|ET, IN|ET, a small data): the verdict stays in
 * sight.  An entry wider than its column pushes the rest one space on.
 */
#define NARROW_BELOW (COL_VERDICT + 14)
#define NCOL_KERNEL 7
#define NCOL_TRACED 21
#define NCOL_DATA 28
#define NCOL_VERDICT 33
#define NCOL_ADATA 21
#define NCOL_AWHAT 29

/* Where each column starts, from the headers of this drawing. */
static struct {
	int kernel, traced, data, verdict; /* beside the trace */
	int akernel, adata, awhat;         /* attached */
} col = { COL_KERNEL, COL_TRACED, COL_DATA, COL_VERDICT, COL_KERNEL, COL_ADATA, COL_AWHAT };

/* A column's start: at least least, and a space past the header before it (from at). */
static int
col_after(int least, int at, const char *head)
{
	int end = at + lines_cols(head) + 1;

	return end > least ? end : least;
}

/* Go to display column col_at of the current line; if it is there already, past a space at least. */
static void
pad_to(struct lines *L, int col_at)
{
	const struct line *ln = L->n > 0 ? &L->v[L->n - 1] : NULL;

	if (ln && ln->cols >= col_at) {
		if (ln->len > 0 && ln->s[ln->len - 1] != ' ')
			lines_printf(L, " ");
		return;
	}
	lines_pad(L, col_at);
}

/* A header at display column col_at of the current line. */
static void
put_at(struct lines *L, int col_at, const char *s)
{
	pad_to(L, col_at);
	lines_printf(L, "%s", s);
}

/* Write the header row at the columns it needs (closed up below NARROW_BELOW columns), and keep them for the entries. */
static void
header_line(struct lines *L, int beside, int w)
{
	int narrow = w < NARROW_BELOW;

	/*
	 * TRANSLATORS: table headers of the Kernel's view (this and the next
	 * five); short: "fd" at most 4 columns, "kernel" 14, "traced" 11,
	 * "events" 16.  "data" is ev.data's own name and stays.
	 */
	const char *fd = _("fd"), *kernel = C_("kernel view column", "kernel"), *tr = _("traced"), *data = "data",
		   *verdict = _("verdict"), *events = _("events"), *what = _("what the watched fd is");

	col.kernel = col.akernel = col_after(narrow ? NCOL_KERNEL : COL_KERNEL, 3, fd);
	lines_printf(L, "   %s", fd);
	if (beside) {
		col.traced = col_after(narrow ? NCOL_TRACED : COL_TRACED, col.kernel, kernel);
		col.data = col_after(narrow ? NCOL_DATA : COL_DATA, col.traced, tr);
		col.verdict = col_after(narrow ? NCOL_VERDICT : COL_VERDICT, col.data, data);
		put_at(L, col.kernel, kernel);
		put_at(L, col.traced, tr);
		put_at(L, col.data, data);
		put_at(L, col.verdict, verdict);
	} else {
		col.adata = col_after(narrow ? NCOL_ADATA : COL_ADATA, col.akernel, events);
		col.awhat = col_after(narrow ? NCOL_AWHAT : COL_AWHAT, col.adata, data);
		put_at(L, col.akernel, events);
		put_at(L, col.adata, data);
		put_at(L, col.awhat, what);
	}
}

/* A mask as /proc/PID/fdinfo gives it (with the ERR|HUP the kernel adds to every entry), as attach shows it. */
static const char *
kmask(uint32_t events, char *buf, size_t cap)
{
	return epoll_mask_str(events, 1, buf, cap);
}

/* "4840 echo-w0" from the model when it knows the pid, else "4840 comm". */
static const char *
proc_name(const struct view *v, const struct kv_proc *p, char *buf, size_t cap)
{
	const struct m_proc *mp = v->mode == VIEW_LIVE ? model_proc(v->m, (uint32_t)p->pid) : NULL;

	if (mp && mp->name[0])
		return panel_pid_name(v, (uint32_t)p->pid, buf, cap);
	if (p->row.comm[0])
		snprintf(buf, cap, "%d %s", p->pid, p->row.comm);
	else
		snprintf(buf, cap, "%d", p->pid);
	return buf;
}

/* The first epoll fd (in reading order) of the same kernel instance, if it is not e itself. */
static int
first_holder(const struct kview *kv, const struct kv_fd *e, int *pid, int *fd)
{
	if (e->instance == 0)
		return 0;
	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++) {
			const struct kv_fd *f = &kv->p[i].fds[k];

			if (f->kind != KV_EPOLL || f->instance != e->instance)
				continue;
			if (f == e)
				return 0;
			*pid = kv->p[i].pid;
			*fd = f->fd;
			return 1;
		}
	return 0;
}

/* The other holders of e's instance (of pid), as "13058 (epfd 4), epfd 5 of this pid". */
static int
other_holders(const struct kview *kv, int pid, const struct kv_fd *e, char *buf, size_t cap)
{
	size_t len = 0;
	int n = 0;

	buf[0] = '\0';
	if (e->instance == 0)
		return 0;
	for (int i = 0; i < kv->np; i++)
		for (int k = 0; k < kv->p[i].nfds; k++) {
			const struct kv_fd *f = &kv->p[i].fds[k];

			if (f->kind != KV_EPOLL || f->instance != e->instance || f == e || len >= cap)
				continue;
			len += (size_t)snprintf(buf + len, cap - len, "%s", n ? ", " : "");
			if (len >= cap)
				break;
			if (kv->p[i].pid == pid)
				/* TRANSLATORS: another epoll fd of the same process that holds the same instance. */
				len += (size_t)snprintf(buf + len, cap - len, _("epfd %d of this pid"), f->fd);
			else
				len += (size_t)snprintf(buf + len, cap - len, "%d (epfd %d)", kv->p[i].pid, f->fd);
			n++;
		}
	return n;
}

/* The epoll fds of a reading, counted for its summary. */
struct epoll_count {
	int nfds, npids;
	int same;          /* several, and fdinfo shows one anon inode for all: only kcmp tells them apart */
	unsigned long ino; /* that inode */
};

/* Count kv's epoll fds, the pids holding them, and whether they share one anon inode. */
static struct epoll_count
count_epolls(const struct kview *kv)
{
	struct epoll_count c = { 0, 0, 1, 0 };

	for (int i = 0; i < kv->np; i++) {
		int here = 0;

		for (int k = 0; k < kv->p[i].nfds; k++) {
			const struct kv_fd *f = &kv->p[i].fds[k];

			if (f->kind != KV_EPOLL)
				continue;
			if (c.nfds > 0 && f->info.ino != c.ino)
				c.same = 0;
			c.ino = f->info.ino;
			c.nfds++;
			here = 1;
		}
		c.npids += here;
	}
	c.same = c.same && c.nfds > 1;
	return c;
}

/* "3 epoll fds in 2 pids -> 1 kernel instance (kcmp)", and the fds kcmp could not place. */
static void
summary_line(struct lines *L, const struct kview *kv, const struct epoll_count *c)
{
	lines_add(L);
	if (c->nfds == 0) {
		lines_put(L, CS_DIM, _("no epoll fd in these processes"));
		return;
	}
	/* TRANSLATORS: "3 epoll fds in 2 pids -> 1 kernel instance": the first part (this and the next). */
	lines_printf(L, P_("%d epoll fd", "%d epoll fds", c->nfds), c->nfds);
	lines_printf(L, " ");
	/* TRANSLATORS: "3 epoll fds in 2 pids -> 1 kernel instance": the processes they are in. */
	lines_printf(L, P_("in %d pid", "in %d pids", c->npids), c->npids);
	lines_printf(L, " %s ", crt_g(G_ARROW_R));
	lines_style(L, CS_TITLE);
	/* TRANSLATORS: "3 epoll fds in 2 pids -> 1 kernel instance": the distinct objects kcmp finds. */
	lines_printf(L, P_("%d kernel instance", "%d kernel instances", kv->ninstances), kv->ninstances);
	lines_style(L, CS_NORMAL);
	lines_printf(L, " (kcmp)");
	if (kv->unknown) {
		lines_style(L, CS_WARN);
		/* TRANSLATORS: epoll fds whose instance is unknown; %s is an errno name (EPERM). */
		lines_printf(L, P_(", %d unknown (kcmp refused: %s)", ", %d unknown (kcmp refused: %s)", kv->unknown),
			     kv->unknown, errno_name(kv->kcmp_err));
		lines_style(L, CS_NORMAL);
	}
}

/* Why the instance numbers come from kcmp (fdinfo's inode is one for all): under the summary, or the entries. */
static void
anon_note(struct lines *L, const struct epoll_count *c, int w)
{
	char text[160];

	if (c->nfds == 2)
		snprintf(text, sizeof text, _("fdinfo shows anon inode %lu for both: only kcmp tells them apart"),
			 c->ino);
	else
		snprintf(text, sizeof text, _("fdinfo shows anon inode %lu for all: only kcmp tells them apart"),
			 c->ino);
	lines_wrap(L, text, w, 0, CS_DIM, 0);
}

/* The traced entry the kernel's entry was matched with, or NULL. */
static const struct m_watch *
traced(const struct view *v, const struct kentry *e)
{
	const struct m_inst *in = model_inst_of(v->m, (uint32_t)e->pid, e->epfd);

	for (int t = 0; in && t < in->nw; t++)
		if (in->w[t].fd == e->fd && in->w[t].data == e->data)
			return &in->w[t];
	return NULL;
}

/* Why an entry disagrees, in words. */
static void
explain(struct lines *L, const struct view *v, const struct kentry *e, int w)
{
	char text[1024], a[96], b[96]; /* lines_wrap takes any length: room for the Russian */
	const struct m_watch *t = traced(v, e);

	switch (e->verdict) {
	case KC_KERNEL_ONLY:
		if (e->still_open)
			/* TRANSLATORS: %s is why (from the checker). */
			snprintf(text, sizeof text,
				 _("only in the kernel's list: %s. An entry belongs to the open file, not to "
				   "the fd number: it goes when the last fd of the file is closed."), e->why);
		else
			snprintf(text, sizeof text, _("only in the kernel's list: %s"), e->why);
		break;
	case KC_TRACE_ONLY: snprintf(text, sizeof text, _("only in the trace: %s"), e->why); break;
	case KC_EVENTS_DIFFER:
		/* TRANSLATORS: the first two %s are epoll masks (EPOLLIN|EPOLLET), the third why. */
		snprintf(text, sizeof text, _("the kernel watches %s, the trace says %s (%s)"),
			 kmask(e->events, a, sizeof a), t ? kmask(t->events, b, sizeof b) : "?", e->why);
		break;
	default: return;
	}
	lines_wrap(L, text, w, 8, CS_WARN, 0);
}

/* A disagreement's verdict as the table shows it (the record's name, kernel-only..., in English). */
static const char *
verdict_label(int verdict)
{
	switch (verdict) {
	/* TRANSLATORS: Kernel's view verdicts (this and the next two); short, a table column. */
	case KC_KERNEL_ONLY: return _("kernel-only");
	case KC_TRACE_ONLY: return _("trace-only");
	case KC_EVENTS_DIFFER: return _("events-differ");
	default: return trace_rec_enum_name(RE_VERDICT, verdict);
	}
}

/* One kernel entry beside the traced one, with the verdict. */
static void
entry_line(struct lines *L, const struct view *v, const struct kentry *e, int w)
{
	const struct m_watch *t = traced(v, e);
	char km[96], tm[96], d[48];
	const char *dash = crt_g(G_DASH);

	lines_add(L);
	lines_printf(L, "   %d", e->fd);
	pad_to(L, col.kernel);
	lines_printf(L, "%s", e->verdict == KC_TRACE_ONLY ? dash : kmask(e->events, km, sizeof km));
	pad_to(L, col.traced);
	if (e->verdict == KC_TRACE_ONLY)
		lines_printf(L, "%s", kmask(e->events, tm, sizeof tm));
	else
		lines_printf(L, "%s", t ? kmask(t->events, tm, sizeof tm) : dash);
	pad_to(L, col.data);
	lines_printf(L, "%s ", panel_data_str(e->data, 1, d, sizeof d));
	pad_to(L, col.verdict);
	if (e->verdict == KC_AGREE) {
		/* TRANSLATORS: a verdict: the kernel's entry and the traced one are the same. */
		lines_put(L, CS_OK, _("agree"));
		lines_put(L, CS_DIM, "  ");
		lines_put(L, CS_DIM, e->why);
		return;
	}
	if (!e->confirmed) {
		lines_put(L, CS_DIM, _("checking again"));
		lines_put(L, CS_DIM, _(" (seen once: a record may be on its way)"));
		return;
	}
	lines_put(L, CS_ERR, verdict_label(e->verdict));
	explain(L, v, e, w);
}

/* An attached process's entry: the watched fd, its mask and data, and what it is. */
static void
watch_line(struct lines *L, const struct kv_watch *wt)
{
	char km[96], d[48];

	lines_add(L);
	lines_printf(L, "   %d", wt->tfd);
	pad_to(L, col.akernel);
	lines_printf(L, "%s ", kmask(wt->events, km, sizeof km));
	pad_to(L, col.adata);
	lines_printf(L, "%s ", panel_data_str(wt->data, 0, d, sizeof d));
	pad_to(L, col.awhat);
	if (strstr(wt->what, "LISTEN")) {
		lines_put(L, CS_LISTEN, crt_g(G_LISTEN));
		lines_printf(L, " ");
	}
	lines_put(L, wt->stale ? CS_WARN : CS_NORMAL, wt->what);
}

/* One epoll fd: its instance, then its entries (unless an earlier holder listed them). */
static void
epfd_block(struct lines *L, const struct view *v, const struct kv_proc *p, const struct kv_fd *e, int w)
{
	const struct ksnap *ks = v->ks;
	char others[160];
	int fpid, ffd, n = 0;

	lines_printf(L, "  epfd %d %s ", e->fd, crt_g(G_ARROW_R));
	if (e->instance) {
		lines_style(L, CS_TITLE);
		/* TRANSLATORS: a kernel epoll instance, numbered in reading order. */
		lines_printf(L, _("instance #%d"), e->instance);
		lines_style(L, CS_NORMAL);
	} else {
		lines_style(L, CS_WARN);
		/* TRANSLATORS: %s is an errno name (EPERM). */
		lines_printf(L, _("instance unknown (kcmp refused: %s)"), errno_name(ks->kv.kcmp_err));
		lines_style(L, CS_NORMAL);
	}
	lines_style(L, CS_DIM);
	lines_printf(L, "  ino %lu", e->info.ino);
	lines_style(L, CS_NORMAL);
	if (first_holder(&ks->kv, e, &fpid, &ffd)) {
		lines_add(L);
		lines_printf(L, "   ");
		/* TRANSLATORS: a badge on an epoll instance held by several processes; keep the spaces around it. */
		lines_put(L, CS_SHARED, _(" SHARED "));
		lines_style(L, CS_DIM);
		if (fpid == p->pid)
			lines_printf(L, _(" the same object as epfd %d: its list is above"), ffd);
		else
			/* TRANSLATORS: %d's epfd %d: a pid, then the number of one of its epoll fds. */
			lines_printf(L, _(" the same object as %d's epfd %d: its list is above"), fpid, ffd);
		lines_style(L, CS_NORMAL);
		return;
	}
	if (other_holders(&ks->kv, p->pid, e, others, sizeof others) > 0) {
		lines_add(L);
		lines_printf(L, "   ");
		/* TRANSLATORS: a badge on an epoll instance held by several processes; keep the spaces around it. */
		lines_put(L, CS_SHARED, _(" SHARED "));
		/* TRANSLATORS: %s lists the other holders: "13058 (epfd 4), epfd 5 of this pid". */
		lines_printf(L, _(" one object, also held by %s"), others);
	}
	if (v->mode == VIEW_LIVE && ks->checked) {
		for (int i = 0; i < ks->ne; i++) {
			if (ks->e[i].pid != p->pid || ks->e[i].epfd != e->fd)
				continue;
			entry_line(L, v, &ks->e[i], w);
			n++;
		}
	} else {
		for (int i = 0; i < e->info.nw; i++)
			watch_line(L, &e->info.w[i]);
		n = e->info.nw;
	}
	if (n == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, _("   (interest list empty)"));
	}
}

/* A process: why it cannot be read, or its listening sockets and epoll fds. */
static void
proc_block(struct lines *L, const struct view *v, const struct kv_proc *p, int w)
{
	char name[64];
	int nep = 0;

	lines_add(L);
	if (p->gone || p->row.state == 'Z' || p->row.state == 'X') {
		lines_put(L, CS_TITLE, proc_name(v, p, name, sizeof name));
		lines_put(L, CS_WARN, p->reused ? _("  gone: it exited, and its pid is now another process's (next)")
				      : p->gone ? _("  gone: the process exited while watched")
						: _("  gone: it exited (a zombie until its parent reaps it)"));
		return;
	}
	lines_put(L, CS_TITLE, proc_name(v, p, name, sizeof name));
	if (p->err) {
		lines_style(L, CS_ERR);
		/* TRANSLATORS: %s is a path under /proc, then an errno name (EACCES). */
		lines_printf(L, _("  cannot read %s: %s"), p->err_path[0] ? p->err_path : "/proc", errno_name(p->err));
		lines_style(L, CS_NORMAL);
		lines_put(L, CS_DIM, p->err == EACCES || p->err == EPERM
					     ? _(" (not yours: only its owner or root may look)")
					     : "");
		return;
	}
	for (int k = 0; k < p->nfds; k++)
		nep += p->fds[k].kind == KV_EPOLL;
	if (v->mode == VIEW_ATTACH) {
		lines_style(L, CS_DIM);
		/* TRANSLATORS: a process's open fds, then how many of them are epoll fds. */
		lines_printf(L, P_("  %d fd, %d epoll", "  %d fds, %d epoll", p->nfds), p->nfds, nep);
		lines_style(L, CS_NORMAL);
		for (int k = 0; k < p->nfds; k++) {
			const struct kv_fd *f = &p->fds[k];

			if (!f->listening)
				continue;
			lines_add(L);
			lines_printf(L, "  fd %d ", f->fd);
			lines_put(L, CS_LISTEN, crt_g(G_LISTEN));
			lines_printf(L, " %s", f->what);
			if (f->qlen > 0)
				lines_put(L, CS_WARN, _("  connections waiting to be accepted"));
		}
	} else if (nep == 0) {
		lines_put(L, CS_DIM, _("  no epoll fd"));
	}
	for (int k = 0, first = v->mode != VIEW_ATTACH; k < p->nfds; k++) {
		if (p->fds[k].kind != KV_EPOLL)
			continue;
		/* Live, the first epoll fd on the name's line, as the Epoll instances panel does. */
		if (!first) {
			lines_add(L);
			if (v->mode != VIEW_ATTACH)
				lines_pad(L, lines_cols(name));
		}
		first = 0;
		epfd_block(L, v, p, &p->fds[k], w);
	}
}

/*
 * The attach screen redraws on every key, and a reading of 20 000 watches
 * is 20 000 lines to format: they are kept while the panel, the reading
 * and the width stay the same (panel_fill's reflow of lines already fitted
 * to the width changes nothing).  Only there: a running scenario's lines
 * also follow the model.
 */
static struct {
	const struct panel *pn;
	uint64_t read_at;
	int w;
} drawn;

/* Fill the panel from the reading. */
static void
kern_draw(struct panel *pn, const struct view *v, int w)
{
	const struct ksnap *ks = v->ks;
	struct lines *L = &pn->L;
	int keep = v->mode == VIEW_ATTACH && ks && ks->have, note_below;
	struct epoll_count c;

	if (keep && drawn.pn == pn && drawn.read_at == ks->read_at && drawn.w == w && L->n > 0)
		return;
	drawn.pn = keep ? pn : NULL;
	if (keep) {
		drawn.read_at = ks->read_at;
		drawn.w = w;
	}
	lines_reset(L);
	/* TRANSLATORS: in the panel's title: where the kernel's view is read from. */
	snprintf(L->title, sizeof L->title, "%s", _("from /proc"));
	if (v->mode == VIEW_REPLAY) {
		panel_live_only(L, _("The kernel's interest lists are read from /proc/PID/fdinfo and told "
				     "apart with kcmp while a scenario runs: start it live and press k."), w);
		return;
	}
	if (ks == NULL || !ks->have) {
		lines_add(L);
		lines_put(L, CS_DIM, _("reading /proc..."));
		return;
	}
	if (ks->checked) {
		if (ks->ndiff)
			/* TRANSLATORS: in the panel's title. */
			snprintf(L->title, sizeof L->title,
				 P_("from /proc: %d difference", "from /proc: %d differences", ks->ndiff), ks->ndiff);
		else if (ks->npending == 0)
			/* TRANSLATORS: in the panel's title. */
			snprintf(L->title, sizeof L->title, "%s", _("from /proc: agrees with the trace"));
	}
	c = count_epolls(&ks->kv);
	note_below = c.same && w < NARROW_BELOW; /* in a narrow panel the entries come first */
	summary_line(L, &ks->kv, &c);
	if (c.same && !note_below)
		anon_note(L, &c, w);
	lines_add(L);
	lines_style(L, CS_HEAD);
	header_line(L, v->mode == VIEW_LIVE && ks->checked, w);
	lines_end_header(L);
	for (int i = 0; i < ks->kv.np; i++)
		proc_block(L, v, &ks->kv.p[i], w);
	if (ks->kv.np == 0) {
		lines_add(L);
		lines_put(L, CS_DIM, _("no process to look at"));
	}
	if (note_below) {
		lines_add(L);
		anon_note(L, &c, w);
	}
}

const struct panel_ops panel_kern_ops = {
	/* TRANSLATORS: a panel's title. */
	.name = N_("Kernel's view"),
	.key = '9',
	.help = N_("The epoll instances as the kernel keeps them, read from /proc a few times a second "
		"while this panel is on the screen (k shows it in place of the Epoll instances, and "
		"back). Per process and epoll fd: the kernel instance it names, told apart with "
		"kcmp(KCMP_FILE) and numbered in reading order (unknown when kcmp is refused, never "
		"guessed), its anon inode, and each entry of /proc/PID/fdinfo's interest list beside "
		"the one the trace built: agree, kernel-only, trace-only or events-differ, explained. "
		"A difference is flagged when two readings half a second apart find it (a record may "
		"still be on its way). The kernel's masks are fdinfo's: epoll_ctl adds ERR|HUP to "
		"every entry, asked or not (the verdict compares the rest)."),
	.fact = N_("The notes' open question: are two [eventpoll] fds one instance or two? fdinfo shows "
		"the same anon inode for every epoll fd; kcmp compares the open files themselves. "
		"An entry belongs to the open file, not to the fd number: close an fd that has a dup "
		"and the kernel keeps watching the file (ctl-errors)."),
	.col = PC_LEFT,
	.order = 1,
	.min_h = 4,
	.grow = 1,
	.wrap = 1,
	.draw = kern_draw,
};
