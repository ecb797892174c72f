/*
 * paths.c - see paths.h.  Owns the search for epollviz's own files: reads
 * the environment and stats candidate places, keeps nothing between calls,
 * and knows nothing of what is inside the files it finds.
 */
#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#ifndef EPOLLVIZ_DATADIR
#define EPOLLVIZ_DATADIR "/usr/local/share/epollviz"
#endif

#ifndef EPOLLVIZ_LOCALEDIR
#define EPOLLVIZ_LOCALEDIR "/usr/local/share/locale"
#endif

#define MAX_PLACES 4

/* What one search looks for, and where. */
struct search {
	const char *env;              /* the variable that names it directly */
	const char *bad_env;          /* "ENV=VALUE: why" and what it must name (N_) */
	const char *not_found;        /* "no ... found": the places, the variable (N_) */
	mode_t type;                  /* S_IFDIR or S_IFREG */
	const char *rel[MAX_PLACES];  /* under the binary's directory, in order; NULL ends */
	const char *last;             /* an absolute place after those, or NULL */
};

static const struct search scenarios = {
	.env = "EPOLLVIZ_SCENARIOS",
	/* TRANSLATORS: %1$s=%2$s: the variable and its value; %3$s: why it is not a directory. */
	.bad_env = N_("%s=%s: %s (it must name the scenarios directory)"),
	/* TRANSLATORS: %1$s: the places looked in, ", " between them; %2$s: the variable. */
	.not_found = N_("no scenarios directory found (looked in %s; set %s to name it)"),
	.type = S_IFDIR,
	.rel = { "scenarios", "../share/epollviz/scenarios", "../../scenarios", NULL },
	.last = EPOLLVIZ_DATADIR "/scenarios",
};

static const struct search preload = {
	.env = "EPOLLVIZ_PRELOAD",
	/* TRANSLATORS: %1$s=%2$s: the variable and its value; %3$s: why it is not a file. */
	.bad_env = N_("%s=%s: %s (it must name the tracer library)"),
	/* TRANSLATORS: %1$s: the places looked in, ", " between them; %2$s: the variable. */
	.not_found = N_("no tracer library found (looked in %s; set %s to name it)"),
	.type = S_IFREG,
	.rel = { PATHS_PRELOAD_NAME, "build/" PATHS_PRELOAD_NAME,
		 "../lib/epollviz/" PATHS_PRELOAD_NAME, NULL },
	.last = NULL,
};

/* The directory of the running binary into buf; 0, or -1 with errno. */
int
paths_exe_dir(char *buf, size_t cap)
{
	const char *self = getenv("EPOLLVIZ_SELF");
	char exe[PATH_MAX], *slash;
	ssize_t k;

	if (self && *self) {
		if (realpath(self, exe) == NULL)
			return -1;
	} else {
		k = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (k < 0)
			return -1;
		exe[k] = '\0';
	}
	slash = strrchr(exe, '/');
	if (slash == NULL) {
		errno = ENOENT;
		return -1;
	}
	slash[slash == exe ? 1 : 0] = '\0';
	if (strlen(exe) >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	str_copy(buf, exe, cap);
	return 0;
}

/* Is path of type (S_IFDIR or S_IFREG)?  0 if so; -1 with errno (ENOTDIR, EISDIR) if not. */
static int
is_a(const char *path, mode_t type)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if ((st.st_mode & S_IFMT) != type) {
		errno = type == S_IFDIR ? ENOTDIR : EISDIR;
		return -1;
	}
	return 0;
}

/* The absolute, resolved form of path into buf; 0, or -1 with a message naming path. */
static int
absolute(const char *path, char *buf, size_t cap, char *err, size_t errcap)
{
	char r[PATH_MAX];

	if (errcap > 0)
		err[0] = '\0';
	if (realpath(path, r) == NULL) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (strlen(r) >= cap) {
		snprintf(err, errcap, "%s: %s", r, strerror(ENAMETOOLONG));
		return -1;
	}
	str_copy(buf, r, cap);
	return 0;
}

/* Append to the message in err (of size cap), cutting it at cap. */
static void
append(char *err, size_t cap, const char *fmt, ...)
{
	size_t len = strnlen(err, cap);
	va_list ap;

	if (len + 1 >= cap)
		return;
	va_start(ap, fmt);
	vsnprintf(err + len, cap - len, fmt, ap);
	va_end(ap);
}

static const struct search locale = {
	.env = "EPOLLVIZ_LOCALEDIR",
	/* TRANSLATORS: %1$s=%2$s: the variable and its value; %3$s: why it is not a directory. */
	.bad_env = N_("%s=%s: %s (it must name the message catalogues)"),
	/* TRANSLATORS: %1$s: the places looked in, ", " between them; %2$s: the variable. */
	.not_found = N_("no message catalogues found (looked in %s; set %s to name it)"),
	.type = S_IFDIR,
	.rel = { "build/locale", "locale", "../share/locale", NULL },
	.last = EPOLLVIZ_LOCALEDIR,
};

/* Look for s's file as paths.h says; 0 with its absolute path in buf, or -1 with err. */
static int
search(const struct search *s, char *buf, size_t cap, char *err, size_t errcap)
{
	const char *env = getenv(s->env);
	char exe[PATH_MAX], place[PATH_MAX + 64], places[2 * PATH_MAX];
	int n = 0;

	if (env && *env) {
		if (is_a(env, s->type) < 0) {
			snprintf(err, errcap, _(s->bad_env), s->env, env, strerror(errno));
			return -1;
		}
		return absolute(env, buf, cap, err, errcap);
	}
	/* The places looked in, then the sentence around them. */
	places[0] = '\0';
	if (paths_exe_dir(exe, sizeof exe) < 0) {
		append(places, sizeof places, _("no place next to the binary: %s"), strerror(errno));
		n++;
	} else {
		for (int i = 0; i < MAX_PLACES && s->rel[i]; i++) {
			snprintf(place, sizeof place, "%s/%s", strcmp(exe, "/") == 0 ? "" : exe, s->rel[i]);
			if (is_a(place, s->type) == 0)
				return absolute(place, buf, cap, err, errcap);
			append(places, sizeof places, "%s%s", n++ ? ", " : "", place);
		}
	}
	if (s->last) {
		if (is_a(s->last, s->type) == 0)
			return absolute(s->last, buf, cap, err, errcap);
		append(places, sizeof places, "%s%s", n ? ", " : "", s->last);
	}
	snprintf(err, errcap, _(s->not_found), places, s->env);
	return -1;
}

/* The scenarios directory; see paths.h. */
int
paths_scenarios(char *buf, size_t cap, char *err, size_t errcap)
{
	return search(&scenarios, buf, cap, err, errcap);
}

/* The tracer library; see paths.h. */
int
paths_preload(char *buf, size_t cap, char *err, size_t errcap)
{
	return search(&preload, buf, cap, err, errcap);
}

/* The message catalogues; see paths.h. */
int
paths_locale(char *buf, size_t cap, char *err, size_t errcap)
{
	const char *env = getenv(locale.env);

	if (search(&locale, buf, cap, err, errcap) == 0)
		return 0;
	if (env && *env)
		return -1;
	if (errcap > 0)
		err[0] = '\0';
	return 1;
}

/* Is path a regular file this process may execute?  0, or -1 with a reason in *why. */
static int
executable(const char *path, const char **why)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*why = strerror(errno);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		*why = _("a directory");
		return -1;
	}
	if (access(path, X_OK) < 0) {
		*why = _("not executable");
		return -1;
	}
	return 0;
}

/* The program for name, as execvp would find it. */
int
paths_program(const char *name, char *buf, size_t cap, char *err, size_t errcap)
{
	const char *path = getenv("PATH"), *why = NULL, *p;

	if (name == NULL || name[0] == '\0') {
		/* TRANSLATORS: "run:" is the command (epollviz run PROGRAM): keep it English. */
		snprintf(err, errcap, _("run: an empty program name"));
		return -1;
	}
	if (strchr(name, '/')) {
		if (executable(name, &why) == 0) {
			str_copy(buf, name, cap);
			return 0;
		}
		snprintf(err, errcap, "run: %s: %s", name, why);
		return -1;
	}
	for (p = path && path[0] ? path : "/usr/local/bin:/usr/bin:/bin"; p;) {
		const char *colon = strchr(p, ':');
		int len = colon ? (int)(colon - p) : (int)strlen(p);
		const char *dirwhy;

		snprintf(buf, cap, "%.*s/%s", len, len ? p : ".", name);
		if (executable(buf, &dirwhy) == 0)
			return 0;
		p = colon ? colon + 1 : NULL;
	}
	/* TRANSLATORS: "run:" is the command; %s: the program's name; $PATH stays as it is. */
	snprintf(err, errcap, _("run: %s: not found in $PATH"), name);
	return -1;
}
