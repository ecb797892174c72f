/*
 * replayview.c - a recording on the screen (see replayview.h).  The player
 * hands each record to a tee (the model, then this screen) when its own
 * ts_ns, scaled by the speed, is due.
 */
#include "replayview.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/i18n.h"
#include "../src/loop.h"
#include "../src/player.h"
#include "../src/util.h"
#include "crt.h"
#include "scene.h"

#define TICK_NS (500ull * 1000000)

struct replayview {
	struct scene s;
	struct loop *loop;
	screen_notify_fn notify;
	void *ctx;
	struct player *pl;
	char path[PATH_MAX];  /* the recording played */
	struct trace_tee tee; /* the consumers of every record: the model, this screen */
	int tick_timer;
};

/* Every record: a frame is due. */
static void
note(void *ctx, const struct trace_rec *r)
{
	struct replayview *rv = ctx;

	(void)r;
	rv->notify(rv->ctx);
}

/* 2 Hz: the clock of the recording moves while it plays. */
static void
tick(void *arg)
{
	struct replayview *rv = arg;
	struct player_pos pos;

	rv->tick_timer = loop_timer(rv->loop, now_ns() + TICK_NS, tick, rv);
	player_position(rv->pl, &pos);
	if (!pos.paused && !pos.ended)
		rv->notify(rv->ctx);
}

/* Read the recorded scenario, build the scene, start the player and the tick. */
struct replayview *
replayview_start(const char *path, struct loop *loop, screen_notify_fn notify, void *ctx, char *err,
		 size_t errcap)
{
	struct scenario sc;
	struct replayview *rv;
	struct player *pl = player_open(path, loop, NULL, NULL, err, errcap);

	if (pl == NULL)
		return NULL;
	player_scenario(pl, &sc);
	player_close(pl);
	rv = xcalloc(1, sizeof *rv);
	scene_init(&rv->s, &sc, VIEW_REPLAY);
	rv->loop = loop;
	rv->notify = notify;
	rv->ctx = ctx;
	str_copy(rv->path, path, sizeof rv->path);
	trace_tee_add(&rv->tee, model_sink, rv->s.m);
	trace_tee_add(&rv->tee, note, rv);
	rv->pl = player_open(path, loop, trace_tee_sink, &rv->tee, err, errcap);
	if (rv->pl == NULL) {
		scene_free(&rv->s);
		free(rv);
		return NULL;
	}
	player_start(rv->pl);
	rv->tick_timer = loop_timer(loop, now_ns() + TICK_NS, tick, rv);
	notify(ctx);
	return rv;
}

/* Stop playing, free everything. */
static int
replayview_stop(void *arg, char *err, size_t errcap)
{
	struct replayview *rv = arg;

	(void)err;
	(void)errcap;
	if (rv == NULL)
		return 0;
	if (rv->tick_timer)
		loop_timer_cancel(rv->loop, rv->tick_timer);
	player_close(rv->pl);
	scene_free(&rv->s);
	free(rv);
	return 0;
}

/* The recorded scenario. */
static const struct scenario *
replayview_scenario(const void *arg)
{
	const struct replayview *rv = arg;

	return &rv->s.sc;
}

/* Nothing of ours to reap; whatever exited is reaped all the same. */
static void
replayview_sigchld(void *arg)
{
	(void)arg;
	reap_each(0, NULL, NULL);
}

/* Forget the panels' heights: the layout starts afresh. */
static void
replayview_resize(void *arg)
{
	struct replayview *rv = arg;

	deck_resize(&rv->s.d);
	rv->s.full = 1;
}

/* Keys of the replay: pause, steps, speed.  Returns 1 if key was one of them. */
static int
player_key(struct replayview *rv, int key)
{
	struct player_pos pos;

	switch (key) {
	case ' ':
	case 'p':
		player_position(rv->pl, &pos);
		player_pause(rv->pl, !pos.paused);
		return 1;
	case '.': player_step(rv->pl); return 1;
	case 'n': player_step_wait(rv->pl); return 1;
	case '+':
	case '=': player_speed_step(rv->pl, 1); return 1;
	case '-': player_speed_step(rv->pl, -1); return 1;
	case '>': player_fastest(rv->pl); return 1;
	}
	return 0;
}

/* A key of the replay. */
static int
replayview_key(void *arg, int key)
{
	struct replayview *rv = arg;
	int used, r = scene_key(&rv->s, key, &used);

	if (!used && r == SCREEN_NONE && (player_key(rv, key) || deck_key(&rv->s.d, key)))
		rv->s.full = 1;
	rv->notify(rv->ctx);
	return r;
}

/* "x0.25", "x1", "fastest". */
static const char *
speed_text(double sp, char *buf, size_t cap)
{
	if (sp == PLAYER_FASTEST)
		/* TRANSLATORS: the replay's speed in the title bar: as fast as possible */
		snprintf(buf, cap, "%s", _("fastest"));
	else if (sp < 1)
		snprintf(buf, cap, "%s%g", crt_g(G_TIMES), sp);
	else
		snprintf(buf, cap, "%s%.0f", crt_g(G_TIMES), sp);
	return buf;
}

/* The title bar: the clock of the recording and the position in the file. */
static void
bar_text(struct replayview *rv, const struct player_pos *pos, char *buf, size_t cap)
{
	const char *sep = crt_g(G_VLINE);
	char n[32], off[32], size[32], what[160], recs[64], where[128], clock[64];

	/* TRANSLATORS: title bar of a replay; %s is the scenario's name */
	snprintf(what, sizeof what, _("replay of %s"), rv->s.sc.name);
	/* TRANSLATORS: title bar: records applied so far; %s is a number like 12,345 */
	snprintf(recs, sizeof recs, P_("%s record", "%s records", pos->applied), fmt_count(pos->applied, n, sizeof n));
	/* TRANSLATORS: title bar: position in the recording's file: byte 1,234 of 56,789 (2%) */
	snprintf(where, sizeof where, _("byte %s of %s (%d%%)"), fmt_count(pos->offset, off, sizeof off),
		 fmt_count(pos->size, size, sizeof size), pos->size ? (int)(pos->offset * 100 / pos->size) : 100);
	/* TRANSLATORS: title bar: the recording's clock, in seconds */
	snprintf(clock, sizeof clock, _("t %.3f s"), (double)pos->t_ns / 1e9);
	snprintf(buf, cap, " epollviz %s %s %s %s %s %s %s %s", sep, what, sep, clock, sep, recs, sep, where);
}

/* The right-hand notice: playing, paused or at the end, and the speed. */
static void
notice_of(struct replayview *rv, const struct player_pos *pos, struct scene_notice *n)
{
	char sp[32];

	speed_text(player_speed(rv->pl), sp, sizeof sp);
	n->style = CS_SHARED;
	if (pos->ended && pos->error[0]) {
		n->style = CS_ERR;
		/* TRANSLATORS: title bar: the recording breaks off before its end */
		snprintf(n->text, sizeof n->text, " %s ", _("ENDS EARLY"));
	} else if (pos->ended) {
		/* TRANSLATORS: title bar: the replay reached the end of the recording */
		snprintf(n->text, sizeof n->text, " %s ", _("END"));
	} else if (pos->paused) {
		/* TRANSLATORS: title bar: the replay is paused; %s is its speed (x1, x0.25) */
		snprintf(n->text, sizeof n->text, _(" PAUSED %s "), sp);
	} else {
		n->style = CS_FG;
		snprintf(n->text, sizeof n->text, " %s %s ", crt_g(G_FG), sp);
	}
}

/* The error row: where the file breaks (its name is enough: the error names the file first). */
static const char *
error_text(const struct replayview *rv, const struct player_pos *pos)
{
	const char *slash = strrchr(rv->path, '/');

	if (!pos->error[0])
		return NULL;
	if (slash && strncmp(pos->error, rv->path, strlen(rv->path)) == 0)
		return pos->error + (slash + 1 - rv->path);
	return pos->error;
}

/* Draw a frame. */
static void
replayview_render(void *arg)
{
	struct replayview *rv = arg;
	struct player_pos pos;
	struct scene_notice n;
	struct view v;
	char bar[SCENE_BAR_MAX];

	player_position(rv->pl, &pos);
	memset(&v, 0, sizeof v);
	v.mode = VIEW_REPLAY;
	v.m = rv->s.m;
	v.sc = &rv->s.sc;
	v.now = pos.clock;
	v.session = (pid_t)rv->s.m->session_pid;
	bar_text(rv, &pos, bar, sizeof bar);
	notice_of(rv, &pos, &n);
	scene_render(&rv->s, &v, bar, &n, 1, error_text(rv, &pos));
}

/* Records applied. */
static uint64_t
replayview_records(const void *arg)
{
	const struct replayview *rv = arg;

	return rv->s.m->records;
}

const struct screen_ops replayview_ops = {
	.render = replayview_render,
	.key = replayview_key,
	.resize = replayview_resize,
	.sigchld = replayview_sigchld,
	.records = replayview_records,
	.scenario = replayview_scenario,
	.stop = replayview_stop,
};
