/*
 * script.h - the headless runner's action script:
 *   "connect 3; burst 20; hold 2; send hello; release; write hello;
 *    writer; hangup; wait 0.5; settle; inspect; stop; cont; sigint; kill-parent"
 * Steps are separated by ';' or newlines.  Pure parsing, no I/O.
 */
#ifndef EPOLLVIZ_SCRIPT_H
#define EPOLLVIZ_SCRIPT_H

#include <stddef.h>

enum step_kind {
	ST_CONNECT = 0, ST_BURST, ST_HOLD, ST_SEND, ST_RELEASE, ST_WRITE, ST_WRITER, ST_HANGUP,
	ST_WAIT, ST_SIGINT, ST_KILL_PARENT, ST_STOP, ST_CONT, ST_SETTLE, ST_INSPECT, ST_PAUSE, ST__COUNT
};

#define SCRIPT_MAX_STEPS 128

struct step {
	int kind;
	int n;
	double secs;
	char text[128];
};

struct script {
	struct step steps[SCRIPT_MAX_STEPS];
	int nsteps;
};

/* Parse.  Returns 0, or -1 with "step K 'text': reason" in err. */
int script_parse(const char *src, struct script *s, char *err, size_t errcap);
const char *step_name(int kind);
/* Does the step need an echo server (1), a FIFO watcher (2), or neither (0)? */
int step_needs(int kind);

#endif
