/*
 * script.h - the headless runner's action script:
 *   "connect 3; burst 20; hold 2; send hello; release; write hello;
 *    writer; hangup; wait 0.5; settle; inspect; stop; cont; sigint; kill-parent"
 * Steps are separated by ';' or newlines; each is an action of the table in
 * action.c with its argument.  Pure parsing, no I/O.
 */
#ifndef EPOLLVIZ_SCRIPT_H
#define EPOLLVIZ_SCRIPT_H

#include <stddef.h>

#include "action.h"

#define SCRIPT_MAX_STEPS 128
#define SCRIPT_MAX_COUNT 1000   /* connect, burst, hold: at most this many clients */
#define SCRIPT_MAX_SECONDS 60   /* wait: at most this long */

struct script {
	struct action_call steps[SCRIPT_MAX_STEPS];
	int nsteps;
};

/* Parse.  Returns 0, or -1 with "step K 'text': reason" in err. */
int script_parse(const char *src, struct script *s, char *err, size_t errcap);

#endif
