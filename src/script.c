/*
 * script.c - parser of the headless action script (see script.h).
 */
#include "script.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

/* Strip blanks and line ends from both ends of s in place; returns its new start. */
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

/* One step ("NAME [ARG]") into st.  Returns 0, or -1 with the reason in why. */
static int
parse_step(char *text, struct action_call *st, char *why, size_t whycap)
{
	char *sp = text + strcspn(text, " \t");
	char *arg = *sp ? trim(sp + 1) : sp;
	const struct action_def *d;
	int k;

	*sp = '\0';
	k = action_find(text);
	if (k < 0) {
		char known[256];
		size_t len = 0;

		known[0] = '\0';
		for (int i = 0; i < ACT__COUNT && len < sizeof known; i++)
			len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", i ? " " : "", action_name(i));
		/* TRANSLATORS: %s: the action names (English: they are what --script takes). */
		snprintf(why, whycap, _("unknown action (known: %s)"), known);
		return -1;
	}
	d = action_def(k);
	memset(st, 0, sizeof *st);
	st->id = k;
	st->n = d->def;
	switch (d->arg) {
	case AA_NONE:
		if (*arg) {
			snprintf(why, whycap, _("takes no argument"));
			return -1;
		}
		break;
	case AA_COUNT: {
		long v;

		if (*arg && parse_long(arg, 1, SCRIPT_MAX_COUNT, &v) < 0) {
			snprintf(why, whycap, _("bad count '%s' (expected 1 to %d)"), arg, SCRIPT_MAX_COUNT);
			return -1;
		}
		if (*arg)
			st->n = (int)v;
		break;
	}
	case AA_PORT: {
		long v;

		if (*arg && parse_long(arg, 1, 65535, &v) < 0) {
			snprintf(why, whycap, _("bad port '%s' (expected 1 to 65535)"), arg);
			return -1;
		}
		st->n = *arg ? (int)v : 0;
		break;
	}
	case AA_TEXT:
		if (*arg == '\0') {
			snprintf(why, whycap, _("needs a text"));
			return -1;
		}
		if (strlen(arg) >= sizeof st->text) {
			snprintf(why, whycap, _("text longer than %zu bytes"), sizeof st->text - 1);
			return -1;
		}
		str_copy(st->text, arg, sizeof st->text);
		break;
	case AA_SECONDS: {
		char *end;
		double v = strtod(arg, &end);

		if (*arg == '\0' || *end != '\0' || !(v > 0) || v > SCRIPT_MAX_SECONDS) {
			snprintf(why, whycap, _("bad duration '%s' (expected seconds, above 0 and at most %d)"), arg,
				 SCRIPT_MAX_SECONDS);
			return -1;
		}
		st->secs = v;
		break;
	}
	}
	return 0;
}

/* Split src on ';' and newlines, skipping empty steps, and parse each into s. */
int
script_parse(const char *src, struct script *s, char *err, size_t errcap)
{
	size_t len = strlen(src);
	char *buf = malloc(len + 1), *save = NULL;
	int k = 0;

	memset(s, 0, sizeof *s);
	if (buf == NULL) {
		snprintf(err, errcap, _("out of memory"));
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
			snprintf(err, errcap, _("step %d '%s': too many steps (at most %d)"), k, copy, SCRIPT_MAX_STEPS);
			free(buf);
			return -1;
		}
		if (parse_step(t, &s->steps[s->nsteps], why, sizeof why) < 0) {
			/* TRANSLATORS: the step's number, its text as typed, then what is wrong with it. */
			snprintf(err, errcap, _("step %d '%s': %s"), k, copy, why);
			free(buf);
			return -1;
		}
		s->nsteps++;
	}
	free(buf);
	return 0;
}
