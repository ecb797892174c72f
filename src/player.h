/*
 * player.h - playing a recording on the front end's loop: records are
 * handed to a sink at the time their own clock (ts_ns) says, scaled by a
 * speed, or as fast as possible; with pause, single steps, the position
 * (records applied, byte offset of the file) and the first read error.
 * Owns the struct replay (src/replay.h) and one timer; draws nothing.
 */
#ifndef EPOLLVIZ_PLAYER_H
#define EPOLLVIZ_PLAYER_H

#include <stddef.h>
#include <stdint.h>

#include "replay.h"

struct loop;
struct player;

#define PLAYER_FASTEST (-1)

struct player_pos {
	uint64_t applied;   /* logical records handed to the sink */
	uint64_t offset;    /* bytes of the file they took, header included */
	uint64_t size;      /* of the file */
	uint64_t t_ns;      /* the recording's clock, since its first record */
	uint64_t clock;     /* the recording's clock, as a ts_ns */
	int paused;
	int ended;          /* every readable record was applied */
	const char *error;  /* why the file ends early ("" if it does not) */
};

/* Open FILE and read its header.  NULL with "FILE: reason" in err. */
struct player *player_open(const char *path, struct loop *loop, trace_sink_fn sink, void *ctx, char *err,
			   size_t errcap);
/* Start playing (paused until then). */
void player_start(struct player *pl);
void player_close(struct player *pl);
/*
 * The recorded scenario: its jobs from the header's options, its title and
 * description from the scenario file of that name when there is one.
 */
void player_scenario(const struct player *pl, struct scenario *sc);
/* Pause, or resume where the clock stopped. */
void player_pause(struct player *pl, int paused);
/* Apply one record; or records up to and including the next epoll_wait return.  Both pause. */
void player_step(struct player *pl);
void player_step_wait(struct player *pl);
/* One speed up (dir 1) or down (-1) the ladder x0.1 ... x100; from fastest, back onto it. */
void player_speed_step(struct player *pl, int dir);
/* Play as fast as possible. */
void player_fastest(struct player *pl);
/* The speed: a factor, or PLAYER_FASTEST. */
double player_speed(const struct player *pl);
void player_position(const struct player *pl, struct player_pos *out);

#endif
