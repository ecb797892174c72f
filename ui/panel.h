/*
 * panel.h - the live panels: one const struct panel_ops per panel, each in
 * its own file, filled with designated initialisers; the frame (title,
 * scrolling, clipping) is shared in panel.c.
 *
 * A panel draws from a struct view only: the model (const), the process
 * table and the kernel's view read from /proc, the scenario, and a few
 * facts about the front end itself.  It never does I/O and never touches
 * the run.
 */
#ifndef EPOLLVIZ_UI_PANEL_H
#define EPOLLVIZ_UI_PANEL_H

#include <stdint.h>
#include <sys/types.h>

#include "../src/model.h"
#include "../src/proctab.h"
#include "../src/scenario.h"
#include "draw.h"

#define VIEW_MAX_ROWS 128

enum panel_id {
	P_EPOLL = 0, P_WAIT, P_SEM, P_CONN, P_FIFO, P_PGRP, P_TTY, P_STORY, P_KERN, P__COUNT
};

/* What the view is of: a running scenario, a recording, or processes attached to. */
enum view_mode { VIEW_LIVE = 0, VIEW_REPLAY, VIEW_ATTACH };

struct ksnap;

/* What the panels may look at. */
struct view {
	int mode;                    /* enum view_mode */
	const struct model *m;
	const struct scenario *sc;
	const struct proc_row *rows; /* session and own-terminal processes, by pid */
	int nrows;
	pid_t session;               /* the run's session leader */
	pid_t self;                  /* the front end */
	uint64_t now;                /* CLOCK_MONOTONIC, for "waiting since" */
	int writer_held;             /* the front end holds a FIFO writer */
	int clients_held;            /* held client connections */
	const struct ksnap *ks;      /* the kernel's view, NULL until read */
};

struct panel;

/* The columns of the screen (see layout.c). */
enum panel_col { PC_LEFT = 0, PC_RIGHT, PC_BOTTOM, PC__COUNT };

/*
 * A panel describes itself: what it is called and which key zooms it, what
 * it explains, when it applies, where it goes and how it grows, and how it
 * draws.  The deck, the layout and the help read only this.
 */
struct panel_ops {
	const char *name;    /* title */
	int key;             /* the key that zooms it, shown before its title */
	const char *help;    /* what it shows, for the help overlay */
	const char *fact;    /* the fact of SPEC.md it demonstrates */
	/* Is there anything for it to show on this screen?  NULL: always. */
	int (*applies)(const struct view *v);
	int col;             /* enum panel_col: where it goes */
	/* Where it goes when that depends on the screen; NULL: col.  shown[id]: the panels that apply. */
	int (*column)(int wide, const int *shown);
	int order;           /* its place in its column, top to bottom */
	int min_h;           /* rows it needs, title included */
	int grow;            /* order in which fixed panels of a column get rows beyond min_h */
	int flex;            /* takes the room that is left */
	int spare;           /* left out on a short screen (its number still zooms it) */
	int bottom;          /* newest at the bottom: scrolling counts back from it */
	int wrap;            /* its lines are prose: wrapped, never cut (every panel wraps when zoomed) */
	/* Fill p->L for a panel w columns wide. */
	void (*draw)(struct panel *p, const struct view *v, int w);
};

struct panel {
	const struct panel_ops *ops;
	struct rect r;      /* title row included */
	int shown;
	int scroll;         /* top-anchored: first body line; bottom: lines back from the newest */
	uint64_t seen_total;
	int hwm;            /* highest height wanted since the last resize: keeps the layout calm */
	struct lines L;
};

extern const struct panel_ops panel_epoll_ops;
extern const struct panel_ops panel_wait_ops;
extern const struct panel_ops panel_sem_ops;
extern const struct panel_ops panel_conn_ops;
extern const struct panel_ops panel_fifo_ops;
extern const struct panel_ops panel_pgrp_ops;
extern const struct panel_ops panel_tty_ops;
extern const struct panel_ops panel_story_ops;
extern const struct panel_ops panel_kern_ops;

/* The ops of a panel id. */
const struct panel_ops *panel_ops_of(int id);
/* Does panel id apply to what the view shows (its ops' applies)? */
int panel_applies(int id, const struct view *v);
/* The panel whose key is key, or -1. */
int panel_of_key(int key);
/* Applies to a scenario's screen, running or replayed (not to attach). */
int panel_in_scenario(const struct view *v);
void panel_init(struct panel *p, int id);
void panel_free(struct panel *p);
/* Fill p->L for w columns (the panel's draw), wrapping long lines if it is prose or zoomed. */
void panel_fill(struct panel *p, const struct view *v, int w, int zoomed);
/* Rows the panel would like (title included), after draw filled its lines. */
int panel_want(const struct panel *p);
/* Draw the panel's frame and visible lines into p->r. */
void panel_render(struct panel *p, int focused);
/* Scrolling keys (arrows, PgUp/PgDn, Home/End); returns 1 if handled. */
int panel_key(struct panel *p, int key);

/* Shared by the panels: "4840 echo-w0" style name of a pid, at most cap bytes. */
const char *panel_pid_name(const struct view *v, uint32_t pid, char *buf, size_t cap);
/* "17620 fifo": a pid with a short name, for the time-ordered panels. */
const char *panel_short_name(const struct view *v, uint32_t pid, char *buf, size_t cap);
/* Columns the widest short name of the model takes (for aligned columns). */
int panel_name_width(const struct view *v, int bare);
/* A short role name without its pid ("echo-w1", "fifo"), for a narrow panel; the pid when processes share a name. */
const char *panel_role_name(const struct view *v, uint32_t pid, char *buf, size_t cap);
/* Seconds since the start of the run, for time columns. */
double panel_secs(const struct view *v, uint64_t ts);
/*
 * ev.data, short: with tag (the scenario's own workers), the shared-epoll
 * tag pid<<32|fd as pid/fd; small numbers (fds) in decimal; anything else
 * (an arbitrary program's pointer) in hex.  Returns buf.
 */
const char *panel_data_str(uint64_t data, int tag, char *buf, size_t cap);
/* Is the fd watched by w the listening socket of its owner? */
int panel_watch_is_listen(const struct model *m, const struct m_watch *w);
/* The one line a panel shows in a replay when only a live /proc could fill it. */
void panel_live_only(struct lines *L, const char *what, int w);

#endif
