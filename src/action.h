/*
 * action.h - what a user can do to a running scenario, as one table: its
 * script name, its key on the screen, its argument, which runs it applies
 * to, how it begins, how its effect is recognised and how long that may
 * take, and its help line.  The script parser (script.c), the headless
 * runner (headless.c), the screen's keys, key bar and help (ui/) all read
 * the same rows.  Adding an action is one enum value, one row and its
 * functions, in action.c.
 *
 * Every action does the real thing (a loopback client, a FIFO writer, a
 * byte typed at the session's terminal, a kill) and is announced as an
 * action record that names the real operation; a failure is an action
 * record that says why.
 */
#ifndef EPOLLVIZ_ACTION_H
#define EPOLLVIZ_ACTION_H

#include <stdint.h>

#include "model.h"
#include "scenario.h"

struct loop;
struct run;
struct sampler;
struct clients;

enum action_id {
	ACT_CONNECT = 0, ACT_BURST, ACT_HOLD, ACT_SEND, ACT_RELEASE, ACT_ABANDON, ACT_TARGET, ACT_WRITE, ACT_WRITER, ACT_HANGUP,
	ACT_WRITE_CLOSE, ACT_STOP_WATCHER, ACT_CONT_WATCHER, ACT_WAIT, ACT_SIGINT, ACT_KILL_PARENT, ACT_STOP, ACT_CONT,
	ACT_SETTLE, ACT_INSPECT, ACT_PAUSE, ACT__COUNT
};

/* What an action takes after its name in a script. */
enum action_arg { AA_NONE = 0, AA_COUNT, AA_TEXT, AA_SECONDS, AA_PORT };

/* What must hold for an action's key to apply (enum action_needs: bits, all of them). */
enum action_needs {
	AN_ANY = 0,
	AN_LISTENER = 1 << 0, /* an open listening socket to connect to */
	AN_FIFO = 1 << 1,     /* a FIFO watcher running, to write to */
	AN_SERVER = 1 << 2,   /* a server parent alive, to signal */
	AN_JOB = 1 << 3,      /* a job not done: someone in the session to signal */
	AN_RUNNING = 1 << 4,  /* a job running, to stop */
	AN_STOPPED = 1 << 5,  /* a stopped job, to continue */
	AN_HELD = 1 << 6,     /* held client connections */
	AN_WRITER = 1 << 7,   /* a held FIFO writer */
	AN_PORTS = 1 << 8,    /* listening sockets on two ports or more, to choose from */
	AN_BG_FIFO = 1 << 9,  /* a FIFO watcher started with '&' (background = yes): kill -STOP/-CONT it */
	AN_W_RUNNING = 1 << 10, /* that watcher's job running, to stop */
	AN_W_STOPPED = 1 << 11, /* that watcher's job stopped, to continue */
	AN_NO_WRITER = 1 << 12, /* no FIFO writer held yet (one at a time) */
};

#define ACTION_TEXT_MAX 128

/* One action to do with its argument: a script step, or a key press. */
struct action_call {
	int id;          /* enum action_id */
	int n;           /* AA_COUNT; AA_PORT (0: the next one) */
	double secs;     /* AA_SECONDS */
	char text[ACTION_TEXT_MAX]; /* AA_TEXT */
};

struct actions;

struct action_def {
	const char *name;    /* in scripts: "kill-parent" */
	const char *argname; /* in usage: "N", "TEXT", "SECONDS" */
	const char *cap;     /* how its key is written: "c", "^C" */
	const char *label;   /* on the key bar */
	const char *key_text;/* a key's text for AA_TEXT: printf format, %d the press count */
	const char *help;    /* one sentence, for the help overlay and the man page */
	uint64_t timeout_ns; /* how long its effect may take */
	uint64_t per_n_ns;   /* and more per count (each client in turn) */
	/* Start it.  Returns 0, or -1 after a failed action record. */
	int (*begin)(struct actions *a, const struct action_call *c);
	/* Has its effect been seen?  1 yes, 0 not yet, -1 done but failed.  NULL: at once. */
	int (*done)(struct actions *a, const struct action_call *c);
	int arg;             /* enum action_arg */
	int def;             /* default count */
	int needs;           /* enum action_needs */
	int key, key2;       /* keys on the running screen (0: none; key2 an alternative) */
	int prio;            /* key bar: 0 always shown ... 5 first to go when the line is short */
	int poll_ms;         /* how often the headless runner looks at done (0: 20 ms) */
	int quiet;           /* no done record (wait: its end is its time) */
};

/*
 * The actions of one run, shared by the headless runner and the screen.
 * step is the one the headless runner waits for.
 */
struct actions {
	struct run *run;
	struct model *m;
	struct loop *loop;
	struct sampler *smp;
	struct clients *cs;
	int writer_fd;   /* a held FIFO writer, or -1 */
	int target_port; /* the listening port the clients go to (target); 0: the first open one */
	int patient;     /* done() is polled (headless): an action may wait for its moment */
	int presses[ACT__COUNT]; /* key presses, for the texts keys send */
	struct {
		const struct action_def *def;
		struct action_call call;
		uint64_t started, deadline;
		uint64_t base;      /* a count the effect must pass */
		uint64_t base2;     /* and a second one (write-close: the hang-ups) */
		int target_pgid;    /* the job a job-control action waits for */
		int pending_open;   /* write, writer: the FIFO is opened in done() */
		int resumed;        /* pause: a line (or EOF) arrived on stdin */
		int settled;        /* settle: consecutive looks that found everything asleep */
		int failed;         /* done() reported a failure */
	} step;
};

enum action_status { ACTION_RUNNING = 0, ACTION_ENDED, ACTION_ENDED_FAILED };

/* The table. */
const struct action_def *action_def(int id);
/* The action's script name; "?" when there is none. */
const char *action_name(int id);
/* The action named name, or -1. */
int action_find(const char *name);
/* What the action's key needs (enum action_needs bits); AN_ANY when out of range. */
int action_needs(int id);
/* Can a run of scenario sc offer what the action needs? */
int action_possible(int id, const struct scenario *sc);
/*
 * Why the action's key cannot do anything now ("no listening socket: the
 * server has ended"), from the model and the held clients and writer; NULL
 * when it can.  Scripts do not ask: a script step says itself why it failed.
 */
const char *action_not_now(const struct actions *a, int id);
/* The action whose key is key, or -1. */
int action_of_key(int key);
/*
 * "connect [N], burst [N], ... send TEXT, ..." into buf, in lines of at
 * most width columns: the first starts at column start (after the caller's
 * own words), the later ones are indented by indent spaces.
 */
const char *action_usage(char *buf, size_t cap, int width, int start, int indent);

/* Act on run, whose model is m, from loop; smp samples it (settle, inspect). */
void action_setup(struct actions *a, struct run *run, struct model *m, struct loop *loop,
		  struct sampler *smp, int patient);
/* Let go of clients and writer, free the clients. */
void action_teardown(struct actions *a);
/* Let go of every client and of the FIFO writer, quietly (no action record). */
void action_release_all(struct actions *a);
/*
 * Start call as the step to wait for.  Returns ACTION_RUNNING, or
 * ACTION_ENDED_FAILED when it failed at once (its record says why).
 */
int action_start(struct actions *a, const struct action_call *call);
/*
 * Look at the step: ACTION_RUNNING, or it ended (its done or timeout
 * record is out): ACTION_ENDED, or ACTION_ENDED_FAILED (timed out, or done
 * reported a failure).
 */
int action_poll(struct actions *a);
/* How often the step wants to be looked at, in ms. */
int action_poll_ms(const struct actions *a);
/*
 * Start action id as a key on the running screen does: with its default
 * argument (a text from key_text and the press count), without waiting for
 * its effect.
 */
void action_key_press(struct actions *a, int id);
/* Held client connections. */
int action_clients_held(const struct actions *a);
/* The port the client actions connect to now; 0 when nothing listens. */
int action_target_port(const struct actions *a);

#endif
