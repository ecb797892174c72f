/*
 * panel.c - the frame every panel shares (see panel.h): the title rule
 * with its key and scroll position, the fixed header and footer lines,
 * the scrolled body, and the scrolling keys.  Knows no panel's content.
 */
#include "panel.h"

#include <ctype.h>
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/trace.h"
#include "crt.h"

#define FOOT_MIN_BODY 3 /* body rows a footer (the waits under the timeline) leaves, when there are that many */
#define HEAD_MIN_BODY 2 /* body rows a fixed header must leave, or it scrolls with the body */

static const struct panel_ops *const all_ops[P__COUNT] = {
	[P_EPOLL] = &panel_epoll_ops, [P_WAIT] = &panel_wait_ops,   [P_SEM] = &panel_sem_ops,
	[P_CONN] = &panel_conn_ops,   [P_FIFO] = &panel_fifo_ops,   [P_PGRP] = &panel_pgrp_ops,
	[P_TTY] = &panel_tty_ops,     [P_STORY] = &panel_story_ops, [P_KERN] = &panel_kern_ops,
};

/* The ops table of a panel id. */
const struct panel_ops *
panel_ops_of(int id)
{
	return id >= 0 && id < P__COUNT ? all_ops[id] : NULL;
}

/* Does the panel have something to show on this screen? */
int
panel_applies(int id, const struct view *v)
{
	const struct panel_ops *o = panel_ops_of(id);

	return o && (o->applies == NULL || o->applies(v));
}

/* The panel whose key is key, or -1. */
int
panel_of_key(int key)
{
	for (int id = 0; id < P__COUNT; id++)
		if (all_ops[id]->key == key)
			return id;
	return -1;
}

/* A scenario's screen (running or replayed), not attach. */
int
panel_in_scenario(const struct view *v)
{
	return v->mode != VIEW_ATTACH;
}

/* An empty panel of the given id. */
void
panel_init(struct panel *p, int id)
{
	memset(p, 0, sizeof *p);
	p->ops = panel_ops_of(id);
	lines_reset(&p->L);
}

/* Release the panel's lines. */
void
panel_free(struct panel *p)
{
	lines_free(&p->L);
}

/* Let the panel fill its lines, then wrap what does not fit if it is prose or zoomed. */
void
panel_fill(struct panel *p, const struct view *v, int w, int zoomed)
{
	p->ops->draw(p, v, w);
	if (zoomed || p->ops->wrap)
		lines_reflow(&p->L, w);
}

/* Rows the panel wants, its title included. */
int
panel_want(const struct panel *p)
{
	return 1 + p->L.n;
}

/*
 * Header lines kept fixed above the body: all of them, unless they would
 * leave the body fewer than HEAD_MIN_BODY rows (a short panel at 80x24):
 * then none, and the header scrolls with the body, so that the first rows
 * of what the panel is about stay in sight.
 */
static int
head_fixed(const struct panel *p)
{
	int body = lines_body(&p->L), keep = body < HEAD_MIN_BODY ? body : HEAD_MIN_BODY;

	return p->r.h - 1 - p->L.nheader >= keep ? p->L.nheader : 0;
}

/* Lines that scroll: the body, and the header when it is not fixed. */
static int
scrolled(const struct panel *p)
{
	return lines_body(&p->L) + p->L.nheader - head_fixed(p);
}

/* Footer rows shown: all of them, unless the body would keep fewer than FOOT_MIN_BODY rows. */
static int
foot_rows(const struct panel *p)
{
	int room = p->r.h - 1 - head_fixed(p), body = scrolled(p), nfoot = lines_nfooter(&p->L);
	int keep = body < FOOT_MIN_BODY ? body : FOOT_MIN_BODY;

	if (nfoot > room - keep)
		nfoot = room - keep;
	return nfoot > 0 ? nfoot : 0;
}

/* Visible body rows of the panel. */
static int
body_rows(const struct panel *p)
{
	int n = p->r.h - 1 - head_fixed(p) - foot_rows(p);

	return n > 0 ? n : 0;
}

/* Clamp the scroll position, following new lines when scrolled back. */
static void
clamp_scroll(struct panel *p)
{
	int body = scrolled(p), rows = body_rows(p), max = body - rows;

	if (max < 0)
		max = 0;
	if (p->ops->bottom && p->scroll > 0 && p->L.total > p->seen_total)
		p->scroll += (int)(p->L.total - p->seen_total);
	p->seen_total = p->L.total;
	if (p->scroll > max)
		p->scroll = max;
	if (p->scroll < 0)
		p->scroll = 0;
}

/* Is there a letter in s[0, n) (a byte of a multibyte character counts: Cyrillic)? */
static int
has_letter(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * Cut s (" words ") to fit cols columns after its last whole word that
 * does, with an ellipsis and a space; to nothing when not even one word
 * fits, or when what would be left has no letter ("0…" of "0 connections"
 * says nothing).
 */
static void
cut_words(char *s, size_t cap, int cols)
{
	const char *ell = crt_g(G_ELLIPSIS);
	size_t len = strlen(s);
	int b;

	if (len > 0 && s[len - 1] == ' ' && lines_cols(s) - 1 <= cols) { /* only its closing space is too much */
		s[len - 1] = '\0';
		return;
	}
	b = lines_bytes_for_cols(s, (int)len, cols - lines_cols(ell) - 1);

	while (b > 1 && s[b] != ' ')
		b--;
	if (b <= 1 || !has_letter(s, b)) {
		s[0] = '\0';
		return;
	}
	snprintf(s + b, cap - (size_t)b, "%s ", ell);
}

/* The title rule: key, name, extra, scroll position (the extra is cut first: what is out of sight is not). */
static void
render_title(struct panel *p, int focused, int above, int below)
{
	char buf[160], mark[96];
	int x = p->r.x, w = p->r.w, used, nmark;

	mark[0] = '\0';
	if (p->ops->bottom && below > 0)
		/* TRANSLATORS: on a panel's top rule, right: %1$s%2$d: "↓" and how many newer lines are below, out of sight; End: the key. */
		snprintf(mark, sizeof mark, P_(" %1$s%2$d newer (End) ", " %1$s%2$d newer (End) ", below),
			 crt_g(G_DOWN), below);
	else if (p->ops->bottom && above > 0)
		snprintf(mark, sizeof mark, " %s%d ", crt_g(G_UP), above);
	else if (!p->ops->bottom && below > 0)
		/* TRANSLATORS: on a panel's top rule, right: %1$s%2$d: "↓" and how many more lines are below, out of sight. */
		snprintf(mark, sizeof mark, P_(" %1$s%2$d more ", " %1$s%2$d more ", below), crt_g(G_DOWN), below);
	else if (!p->ops->bottom && above > 0)
		snprintf(mark, sizeof mark, " %s%d ", crt_g(G_UP), above);
	nmark = mark[0] ? lines_cols(mark) : 0;
	draw_hline(p->r.y, x, w, focused ? CS_FOCUS : CS_DIM);
	snprintf(buf, sizeof buf, " %c %s ", p->ops->key, _(p->ops->name));
	used = 1 + draw_text(p->r.y, x + 1, w - 1, focused ? CS_FOCUS : CS_TITLE, buf);
	if (nmark && used + nmark + 2 >= w)
		nmark = 0; /* no room for it beside the name */
	if (p->L.title[0] && used + 2 < w - (nmark ? nmark + 1 : 0)) {
		int room = w - used - (nmark ? nmark + 1 : 0);

		snprintf(buf, sizeof buf, " %s ", p->L.title);
		if (lines_cols(buf) > room)
			cut_words(buf, sizeof buf, room);
		draw_text(p->r.y, x + used, room, focused ? CS_FOCUS : CS_NORMAL, buf);
	}
	if (nmark)
		draw_text(p->r.y, x + w - nmark - 1, nmark, p->ops->bottom && below > 0 ? CS_WARN : CS_DIM, mark);
}

/*
 * The first body line a bottom-anchored panel shows, given the one that
 * fills its rows from the newest: never the tail of a wrapped line whose
 * head is out of sight.  It starts at the next whole line instead, or, if
 * the newest line alone is taller than the rows, at that line's head.
 * The scrolled lines are L->v[base ...] and there are body of them.
 */
static int
whole_first(const struct lines *L, int base, int body, int first, int rows)
{
	int f = first;

	if (rows <= 0 || first >= body)
		return first; /* nothing of the body is shown */
	while (f < body && L->v[base + f].cont)
		f++;
	if (f < body && f < first + rows)
		return f;
	while (first > 0 && L->v[base + first].cont)
		first--;
	return first;
}

/* Draw the frame, the header, the visible body and the footer. */
void
panel_render(struct panel *p, int focused)
{
	struct lines *L = &p->L;
	int rows, body, first, y, nfoot = foot_rows(p), above, below, head = head_fixed(p);

	if (p->r.h <= 0 || p->r.w <= 0)
		return;
	clamp_scroll(p);
	rows = body_rows(p);
	body = scrolled(p);
	if (p->ops->bottom) {
		first = body - rows - p->scroll;
		if (first < 0)
			first = 0;
		first = whole_first(L, head, body, first, rows);
		above = first;
		below = p->scroll;
	} else {
		first = p->scroll;
		above = first;
		below = body - first - rows;
		if (below < 0)
			below = 0;
	}
	render_title(p, focused, above, below);
	y = p->r.y + 1;
	for (int i = 0; i < head && y < p->r.y + p->r.h; i++)
		draw_line(y++, p->r.x, p->r.w, &L->v[i], 0);
	for (int i = 0; i < rows && first + i < body; i++) {
		int k = head + first + i;
		int more = i == rows - 1 && first + i + 1 < body && L->v[k + 1].cont;

		/* The last row shown, with its wrapped rest out of sight, is marked cut. */
		draw_line(y++, p->r.x, p->r.w, &L->v[k], more);
	}
	/* The footer follows the body, and keeps the last rows when the body fills the panel. */
	if (y > p->r.y + p->r.h - nfoot)
		y = p->r.y + p->r.h - nfoot;
	if (y < p->r.y + 1 + head)
		y = p->r.y + 1 + head;
	for (int i = 0; i < nfoot && y < p->r.y + p->r.h; i++)
		draw_line(y++, p->r.x, p->r.w, &L->v[L->footer + i], 0);
}

/* Scroll the panel; other keys go to the panel itself. */
int
panel_key(struct panel *p, int key)
{
	int page = body_rows(p) > 1 ? body_rows(p) - 1 : 1;
	int dir = p->ops->bottom ? -1 : 1; /* "down" means newer for bottom panels */

	switch (key) {
	case KEY_UP: p->scroll -= dir; break;
	case KEY_DOWN: p->scroll += dir; break;
	case KEY_PPAGE: p->scroll -= dir * page; break;
	case KEY_NPAGE: p->scroll += dir * page; break;
	case KEY_HOME: p->scroll = p->ops->bottom ? 1 << 30 : 0; break;
	case KEY_END: p->scroll = p->ops->bottom ? 0 : 1 << 30; break;
	default: return 0;
	}
	if (p->scroll < 0)
		p->scroll = 0;
	p->seen_total = p->L.total;
	clamp_scroll(p);
	return 1;
}

/* A pid with its process name. */
const char *
panel_pid_name(const struct view *v, uint32_t pid, char *buf, size_t cap)
{
	const struct m_proc *p = model_proc(v->m, pid);

	if (p == NULL || p->name[0] == '\0')
		snprintf(buf, cap, "%u", pid);
	else if (p->role == ROLE_FRONTEND)
		/* TRANSLATORS: a process named in panels, "4840 you": epollviz itself, that is the user; %u: its pid. */
		snprintf(buf, cap, _("%u you"), pid);
	else
		snprintf(buf, cap, "%u %s", pid, p->name);
	return buf;
}

/*
 * Does no other process have p's short name?  A program's processes often
 * share one (nginx, nginx, nginx): then only the pid tells them apart.
 */
static int
name_unique(const struct model *m, const struct m_proc *p)
{
	for (int i = 0; i < m->nprocs; i++) {
		const struct m_proc *q = &m->procs[i];

		if (q != p && q->role == p->role && q->role != ROLE_FRONTEND && q->role != ROLE_SESSION &&
		    q->role != ROLE_FIFO && q->role != ROLE_PROBE && strcmp(q->name, p->name) == 0)
			return 0;
	}
	return 1;
}

/* A role's short name: the echo workers' own names, "fifo", "probe", "you". */
static const char *
short_role(const struct m_proc *p)
{
	switch (p->role) {
	/* TRANSLATORS: a process's short name in the time-ordered panels: epollviz itself, that is the user (a column of names: short). */
	case ROLE_FRONTEND: return _("you");
	/* TRANSLATORS: a process's short name in the time-ordered panels: the scenario's shell, the session leader (a column of names: short). */
	case ROLE_SESSION: return _("session");
	case ROLE_FIFO: return "fifo";
	case ROLE_PROBE: return "probe";
	default: return p->name;
	}
}

/* A pid with a short role name. */
const char *
panel_short_name(const struct view *v, uint32_t pid, char *buf, size_t cap)
{
	const struct m_proc *p = model_proc(v->m, pid);

	if (p == NULL || p->role < 0)
		snprintf(buf, cap, "%u", pid);
	else
		snprintf(buf, cap, "%u %s", pid, short_role(p));
	return buf;
}

/* A short role name without its pid ("echo-w1", "fifo"), for a narrow panel; the pid when unknown or shared. */
const char *
panel_role_name(const struct view *v, uint32_t pid, char *buf, size_t cap)
{
	const struct m_proc *p = model_proc(v->m, pid);

	if (p == NULL || p->role < 0 || !name_unique(v->m, p))
		snprintf(buf, cap, "%u", pid);
	else
		snprintf(buf, cap, "%s", short_role(p));
	return buf;
}

/* Width of the widest short name (bare: without the pids, as panel_role_name). */
int
panel_name_width(const struct view *v, int bare)
{
	int w = bare ? 3 : 5;

	for (int i = 0; i < v->m->nprocs; i++) {
		char buf[48];
		int n = lines_cols(bare ? panel_role_name(v, v->m->procs[i].pid, buf, sizeof buf)
					: panel_short_name(v, v->m->procs[i].pid, buf, sizeof buf));

		if (n > w)
			w = n;
	}
	return w;
}

/* Seconds since the first record. */
double
panel_secs(const struct view *v, uint64_t ts)
{
	return ts >= v->m->t0 ? (double)(ts - v->m->t0) / 1e9 : 0.0;
}

/* Format ev.data as pid/fd, decimal or hex into buf; returns buf. */
const char *
panel_data_str(uint64_t data, int tag, char *buf, size_t cap)
{
	if (tag && data >> 32)
		snprintf(buf, cap, "%u/%u", (unsigned)(data >> 32), (unsigned)(data & 0xffffffffu));
	else if (data < 100000)
		snprintf(buf, cap, "%" PRIu64, data);
	else
		snprintf(buf, cap, "0x%" PRIx64, data);
	return buf;
}

/* Whether the watched fd is known to its owner as a listening socket. */
int
panel_watch_is_listen(const struct model *m, const struct m_watch *w)
{
	const struct m_fd *f = model_fd(model_proc(m, w->owner), w->fd);

	return f && f->kind == FDK_LISTEN;
}

/* "live only - not in a recording", and what the panel would show live, wrapped to w. */
void
panel_live_only(struct lines *L, const char *what, int w)
{
	lines_add(L);
	lines_style(L, CS_WARN);
	/* TRANSLATORS: a panel in a replay whose content only a running scenario has; %s: a dash. */
	lines_printf(L, _("live only %s not in a recording"), crt_g(G_DASH));
	lines_style(L, CS_NORMAL);
	lines_wrap(L, what, w, 0, CS_DIM, 0);
}
