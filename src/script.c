/*
 * script.c - parser of the headless action script (see script.h).
 */
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
	const char *name;
	int needs;   /* 1 echo, 2 fifo */
	int arg;     /* 0 none, 1 count, 2 text, 3 seconds */
	int def;     /* default count */
} steps[ST__COUNT] = {
	[ST_CONNECT] = { "connect", 1, 1, 1 },
	[ST_BURST] = { "burst", 1, 1, 20 },
	[ST_HOLD] = { "hold", 1, 1, 1 },
	[ST_SEND] = { "send", 1, 2, 0 },
	[ST_RELEASE] = { "release", 1, 0, 0 },
	[ST_WRITE] = { "write", 2, 2, 0 },
	[ST_WRITER] = { "writer", 2, 0, 0 },
	[ST_HANGUP] = { "hangup", 2, 0, 0 },
	[ST_WAIT] = { "wait", 0, 3, 0 },
	[ST_SIGINT] = { "sigint", 0, 0, 0 },
	[ST_KILL_PARENT] = { "kill-parent", 1, 0, 0 },
	[ST_STOP] = { "stop", 0, 0, 0 },
	[ST_CONT] = { "cont", 0, 0, 0 },
	[ST_SETTLE] = { "settle", 0, 0, 0 },
	[ST_INSPECT] = { "inspect", 0, 0, 0 },
	[ST_PAUSE] = { "pause", 0, 0, 0 },
};

const char *
step_name(int kind)
{
	return kind >= 0 && kind < ST__COUNT ? steps[kind].name : "?";
}

int
step_needs(int kind)
{
	return kind >= 0 && kind < ST__COUNT ? steps[kind].needs : 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
parse_step(char *text, struct step *st, char *why, size_t whycap)
{
	char *sp = text + strcspn(text, " \t");
	char *arg = *sp ? trim(sp + 1) : sp;
	int k;

	*sp = '\0';
	for (k = 0; k < ST__COUNT; k++)
		if (strcmp(text, steps[k].name) == 0)
			break;
	if (k == ST__COUNT) {
		size_t len = (size_t)snprintf(why, whycap, "unknown action (known:");
		for (int i = 0; i < ST__COUNT && len < whycap; i++)
			len += (size_t)snprintf(why + len, whycap - len, " %s", steps[i].name);
		if (len < whycap)
			snprintf(why + len, whycap - len, ")");
		return -1;
	}
	memset(st, 0, sizeof *st);
	st->kind = k;
	st->n = steps[k].def;
	switch (steps[k].arg) {
	case 0:
		if (*arg) {
			snprintf(why, whycap, "takes no argument");
			return -1;
		}
		break;
	case 1: {
		long v;

		if (*arg && parse_long(arg, 1, 1000, &v) < 0) {
			snprintf(why, whycap, "bad count '%s' (expected 1 to 1000)", arg);
			return -1;
		}
		if (*arg)
			st->n = (int)v;
		break;
	}
	case 2:
		if (*arg == '\0') {
			snprintf(why, whycap, "needs a text");
			return -1;
		}
		if (strlen(arg) >= sizeof st->text) {
			snprintf(why, whycap, "text longer than %zu bytes", sizeof st->text - 1);
			return -1;
		}
		str_copy(st->text, arg, sizeof st->text);
		break;
	case 3: {
		char *end;
		double v = strtod(arg, &end);

		if (*arg == '\0' || *end != '\0' || !(v > 0) || v > 60) {
			snprintf(why, whycap, "bad duration '%s' (expected seconds, above 0 and at most 60)", arg);
			return -1;
		}
		st->secs = v;
		break;
	}
	}
	return 0;
}

int
script_parse(const char *src, struct script *s, char *err, size_t errcap)
{
	size_t len = strlen(src);
	char *buf = malloc(len + 1), *save = NULL;
	int k = 0;

	memset(s, 0, sizeof *s);
	if (buf == NULL) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	memcpy(buf, src, len + 1);
	for (char *tok = strtok_r(buf, ";\n", &save); tok; tok = strtok_r(NULL, ";\n", &save)) {
		char *t = trim(tok), why[300], copy[160];

		if (*t == '\0')
			continue;
		k++;
		str_copy(copy, t, sizeof copy);
		if (s->nsteps == SCRIPT_MAX_STEPS) {
			snprintf(err, errcap, "step %d '%s': too many steps (at most %d)", k, copy, SCRIPT_MAX_STEPS);
			free(buf);
			return -1;
		}
		if (parse_step(t, &s->steps[s->nsteps], why, sizeof why) < 0) {
			snprintf(err, errcap, "step %d '%s': %s", k, copy, why);
			free(buf);
			return -1;
		}
		s->nsteps++;
	}
	free(buf);
	return 0;
}
