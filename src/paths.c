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
	const char *what;             /* for messages: "scenarios directory" */
	mode_t type;                  /* S_IFDIR or S_IFREG */
	const char *rel[MAX_PLACES];  /* under the binary's directory, in order; NULL ends */
	const char *last;             /* an absolute place after those, or NULL */
};

static const struct search scenarios = {
	.env = "EPOLLVIZ_SCENARIOS",
	.what = "scenarios directory",
	.type = S_IFDIR,
	.rel = { "scenarios", "../share/epollviz/scenarios", "../../scenarios", NULL },
	.last = EPOLLVIZ_DATADIR "/scenarios",
};

static const struct search preload = {
	.env = "EPOLLVIZ_PRELOAD",
	.what = "tracer library",
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
	.what = "message catalogues",
	.type = S_IFDIR,
	.rel = { "build/locale", "locale", "../share/locale", NULL },
	.last = EPOLLVIZ_LOCALEDIR,
};

/* Look for s's file as paths.h says; 0 with its absolute path in buf, or -1 with err. */
static int
search(const struct search *s, char *buf, size_t cap, char *err, size_t errcap)
{
	const char *env = getenv(s->env);
	char exe[PATH_MAX], place[PATH_MAX + 64];
	int n = 0;

	if (env && *env) {
		if (is_a(env, s->type) < 0) {
			snprintf(err, errcap, "%s=%s: %s (it must name the %s)", s->env, env, strerror(errno),
				 s->what);
			return -1;
		}
		return absolute(env, buf, cap, err, errcap);
	}
	snprintf(err, errcap, "no %s found (looked in ", s->what);
	if (paths_exe_dir(exe, sizeof exe) < 0) {
		append(err, errcap, "no place next to the binary: %s", strerror(errno));
		n++;
	} else {
		for (int i = 0; i < MAX_PLACES && s->rel[i]; i++) {
			snprintf(place, sizeof place, "%s/%s", strcmp(exe, "/") == 0 ? "" : exe, s->rel[i]);
			if (is_a(place, s->type) == 0)
				return absolute(place, buf, cap, err, errcap);
			append(err, errcap, "%s%s", n++ ? ", " : "", place);
		}
	}
	if (s->last) {
		if (is_a(s->last, s->type) == 0)
			return absolute(s->last, buf, cap, err, errcap);
		append(err, errcap, "%s%s", n ? ", " : "", s->last);
	}
	append(err, errcap, "; set %s to name it)", s->env);
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
		*why = "a directory";
		return -1;
	}
	if (access(path, X_OK) < 0) {
		*why = "not executable";
		return -1;
	}
	return 0;
}

/* The program for name, as execvp would find it. */
int
paths_program(const char *name, char *buf, size_t cap, char *err, size_t errcap)
{
	const char *path = getenv("PATH"), *why = "not found", *p;

	if (name == NULL || name[0] == '\0') {
		snprintf(err, errcap, "run: an empty program name");
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
	snprintf(err, errcap, "run: %s: %s in $PATH", name, why);
	return -1;
}
