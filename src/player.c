/*
 * player.c - a recording played on the loop (see player.h).
 *
 * The recording's clock runs at speed times the wall clock from a base:
 * clock(now) = base_ts + (now - base_wall) * speed.  A record is due when
 * its ts_ns is at or before the clock (records of different processes are
 * not strictly ordered by time: a late one is due at once).  One record is
 * read ahead, so the timer can be armed for exactly when it is due; idle,
 * the front end sleeps in epoll_wait.  A batch is bounded, so that keys and
 * frames are served while the fastest speed works through a large file.
 */
#include "player.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "loop.h"
#include "util.h"

#define BATCH_RECORDS 2000
#define BATCH_NS (8ull * 1000000)
#define STEP_WAIT_MAX 1000000

static const double speeds[] = { 0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100 };
#define NSPEEDS ((int)(sizeof speeds / sizeof speeds[0]))
#define SPEED_1X 3

struct player {
	struct replay *rp;
	struct loop *loop;
	trace_sink_fn sink;
	void *ctx;
	struct trace_rec next; /* read ahead */
	int state;             /* 1: next holds a record; 0: the end; -1: the file ends early */
	uint64_t offset;
	uint64_t next_end; /* where the read-ahead record ends in the file */
	uint64_t applied;
	uint64_t ts_first;
	uint64_t ts_max;       /* the latest ts_ns applied */
	uint64_t base_ts, base_wall;
	int speed;             /* index into speeds, or PLAYER_FASTEST */
	int paused;
	int timer;
};

/* Read the next record ahead. */
static void
read_ahead(struct player *pl)
{
	pl->state = replay_next(pl->rp, &pl->next);
	pl->next_end = replay_record_end(pl->rp);
}

/* The recording's clock at wall time now. */
static uint64_t
clock_at(const struct player *pl, uint64_t now)
{
	double sp;

	if (pl->paused || pl->state <= 0 || pl->speed == PLAYER_FASTEST || now < pl->base_wall)
		return pl->base_ts;
	sp = speeds[pl->speed];
	return pl->base_ts + (uint64_t)((double)(now - pl->base_wall) * sp);
}

/* Freeze the clock where it is now (before a pause, a step or a new speed). */
static void
rebase(struct player *pl)
{
	uint64_t now = now_ns();

	pl->base_ts = clock_at(pl, now);
	pl->base_wall = now;
}

/* Hand the read-ahead record to the sink and read the next one. */
static void
apply_one(struct player *pl)
{
	struct trace_rec r = pl->next;

	pl->offset = pl->next_end;
	pl->applied++;
	if (r.ts_ns > pl->ts_max)
		pl->ts_max = r.ts_ns;
	if (r.ts_ns > pl->base_ts && (pl->paused || pl->speed == PLAYER_FASTEST))
		pl->base_ts = r.ts_ns; /* stepping or fastest: the clock follows the records */
	read_ahead(pl);
	pl->sink(pl->ctx, &r);
}

static void arm(struct player *pl);

/* The timer: apply what is due (a bounded batch), then wait for the next record. */
static void
due(void *arg)
{
	struct player *pl = arg;
	uint64_t t0 = now_ns(), clock = clock_at(pl, t0);


	pl->timer = 0;
	for (int n = 0; pl->state > 0 && !pl->paused; n++) {
		if (pl->speed != PLAYER_FASTEST && pl->next.ts_ns > clock)
			break;
		if (n >= BATCH_RECORDS || (n % 64 == 63 && now_ns() - t0 > BATCH_NS))
			break;
		apply_one(pl);
	}
	if (pl->state <= 0) {
		/* The end: the clock stops at the last record. */
		pl->base_wall = now_ns();
		pl->base_ts = pl->ts_max > pl->ts_first ? pl->ts_max : pl->ts_first;
	}
	arm(pl);
}

/* Arm the timer for the next due record (now, at the fastest speed). */
static void
arm(struct player *pl)
{
	uint64_t now = now_ns(), at = now;

	if (pl->timer || pl->paused || pl->state <= 0)
		return;
	if (pl->speed != PLAYER_FASTEST && pl->next.ts_ns > pl->base_ts) {
		double wait = (double)(pl->next.ts_ns - pl->base_ts) / speeds[pl->speed];

		at = pl->base_wall + (uint64_t)wait;
		if (at < now)
			at = now;
	}
	pl->timer = loop_timer(pl->loop, at, due, pl);
}

/* Cancel the timer. */
static void
disarm(struct player *pl)
{
	if (pl->timer)
		loop_timer_cancel(pl->loop, pl->timer);
	pl->timer = 0;
}

/* Open the file, read its header and its first record. */
struct player *
player_open(const char *path, struct loop *loop, trace_sink_fn sink, void *ctx, char *err, size_t errcap)
{
	struct player *pl;
	struct replay *rp = replay_open(path, err, errcap);

	if (rp == NULL)
		return NULL;
	pl = xcalloc(1, sizeof *pl);
	pl->rp = rp;
	pl->loop = loop;
	pl->sink = sink;
	pl->ctx = ctx;
	pl->offset = replay_pos(rp); /* nothing read past the header yet */
	pl->speed = SPEED_1X;
	pl->paused = 1;
	read_ahead(pl);
	pl->ts_first = pl->state > 0 ? pl->next.ts_ns : 0;
	pl->base_ts = pl->ts_first;
	pl->base_wall = now_ns();
	return pl;
}

/* Start playing from the first record. */
void
player_start(struct player *pl)
{
	player_pause(pl, 0);
}

/* Stop the timer and close the file. */
void
player_close(struct player *pl)
{
	if (pl == NULL)
		return;
	disarm(pl);
	replay_close(pl->rp);
	free(pl);
}

/* Append a header option ("[echo]", "&]", "accept=semaphore") to scenario text. */
static size_t
option_text(char *buf, size_t len, size_t cap, const char *tok)
{
	char key[64];
	const char *eq = strchr(tok, '=');

	if (len >= cap)
		return len;
	if (tok[0] == '[') {
		size_t n = strcspn(tok + 1, "]");

		return len + (size_t)snprintf(buf + len, cap - len, "[%.*s]\n", (int)n, tok + 1);
	}
	if (strcmp(tok, "&]") == 0)
		return len + (size_t)snprintf(buf + len, cap - len, "background = yes\n");
	if (eq == NULL || (size_t)(eq - tok) >= sizeof key)
		return len;
	memcpy(key, tok, (size_t)(eq - tok));
	key[eq - tok] = '\0';
	return len + (size_t)snprintf(buf + len, cap - len, "%s = %s\n", key, eq + 1);
}

/* The recorded scenario, from the header (and the scenario file of that name). */
void
player_scenario(const struct player *pl, struct scenario *sc)
{
	const struct rec_header *h = replay_header(pl->rp);
	char text[2048], opts[sizeof h->options], path[PATH_MAX], err[512];
	struct scenario named;
	size_t len;
	char *save = NULL;

	/* The scenario text stays English (its keys are parsed); the title shown is put in after. */
	len = (size_t)snprintf(text, sizeof text, "title = recorded run\n");
	str_copy(opts, h->options, sizeof opts);
	for (char *t = strtok_r(opts, " ", &save); t; t = strtok_r(NULL, " ", &save))
		len = option_text(text, len, sizeof text, t);
	if (len >= sizeof text || scenario_parse(text, len, "recording", sc, err, sizeof err) < 0)
		memset(sc, 0, sizeof *sc); /* no jobs known: every panel that may apply is shown */
	else
		snprintf(sc->title, sizeof sc->title, _("recorded run of %s"), h->scenario[0] ? h->scenario : "?");
	str_copy(sc->name, h->scenario[0] ? h->scenario : "recording", sizeof sc->name);
	if (h->scenario[0] && scenario_find(h->scenario, path, sizeof path, err, sizeof err) == 0 &&
	    scenario_load(path, &named, err, sizeof err) == 0) {
		str_copy(sc->title, named.title, sizeof sc->title);
		memcpy(sc->describe, named.describe, sizeof sc->describe);
		sc->ndescribe = named.ndescribe;
	}
}

/* Pause, or resume where the clock stopped. */
void
player_pause(struct player *pl, int paused)
{
	rebase(pl);
	pl->paused = paused;
	disarm(pl);
	arm(pl);
}

/* Apply the next record, paused. */
void
player_step(struct player *pl)
{
	player_pause(pl, 1);
	if (pl->state > 0)
		apply_one(pl);
}

/* Apply records up to and including the next epoll_wait return, paused. */
void
player_step_wait(struct player *pl)
{
	player_pause(pl, 1);
	for (int n = 0; pl->state > 0 && n < STEP_WAIT_MAX; n++) {
		int was_wait = pl->next.type == TR_WAIT_RETURN;

		apply_one(pl);
		if (was_wait)
			break;
	}
}

/* One step up or down the speed ladder. */
void
player_speed_step(struct player *pl, int dir)
{
	rebase(pl);
	if (pl->speed == PLAYER_FASTEST)
		pl->speed = dir > 0 ? NSPEEDS - 1 : NSPEEDS - 2;
	else if (pl->speed + dir >= 0 && pl->speed + dir < NSPEEDS)
		pl->speed += dir;
	disarm(pl);
	arm(pl);
}

/* As fast as possible. */
void
player_fastest(struct player *pl)
{
	rebase(pl);
	pl->speed = PLAYER_FASTEST;
	disarm(pl);
	arm(pl);
}

/* The speed factor, or PLAYER_FASTEST. */
double
player_speed(const struct player *pl)
{
	return pl->speed == PLAYER_FASTEST ? PLAYER_FASTEST : speeds[pl->speed];
}

/* Where the replay is. */
void
player_position(const struct player *pl, struct player_pos *out)
{
	memset(out, 0, sizeof *out);
	out->applied = pl->applied;
	out->offset = pl->offset;
	out->size = replay_size(pl->rp);
	out->clock = clock_at(pl, now_ns());
	/* The clock never runs past the next record: it waits for it. */
	if (pl->state > 0 && out->clock > pl->next.ts_ns && pl->next.ts_ns >= pl->base_ts)
		out->clock = pl->next.ts_ns;
	out->t_ns = out->clock > pl->ts_first ? out->clock - pl->ts_first : 0;
	out->paused = pl->paused;
	out->ended = pl->state <= 0;
	out->error = pl->state < 0 ? replay_error(pl->rp) : "";
}
