/*
 * scenario.c - the scenario file format (see scenario.h).  Owns parsing and
 * lookup; knows nothing about how jobs are run.
 */
#include "scenario.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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

#define MAX_FILE_BYTES (64 * 1024)

static const char *const kind_names[] = { "echo", "fifo", "probe", NULL };
static const char *const yesno[] = { "no", "yes", NULL };
static const char *const accept_names[] = { "semaphore", "exclusive", "reuseport", "shared-epoll",
					    "none", NULL };
static const char *const loop_names[] = { "once", "drain", NULL };
static const char *const trigger_names[] = { "edge", "level", NULL };
static const char *const hup_names[] = { "naive", "fixed", NULL };
static const char *const probe_names[] = { "regular-file", "two-instances", "ctl-errors",
					   "triggers", "tty-read", NULL };

#define K_ECHO (1 << JOB_ECHO)
#define K_FIFO (1 << JOB_FIFO)
#define K_PROBE (1 << JOB_PROBE)
#define K_ALL (K_ECHO | K_FIFO | K_PROBE)

/* The options table: what each section accepts. */
static const struct opt {
	const char *key;
	int kinds;
	size_t off;
	const char *const *names; /* enum values, or NULL for an integer */
	long lo, hi;
} opts[] = {
	{ "background", K_ALL, offsetof(struct job_cfg, background), yesno, 0, 0 },
	{ "accept", K_ECHO, offsetof(struct job_cfg, accept), accept_names, 0, 0 },
	{ "accept_loop", K_ECHO, offsetof(struct job_cfg, accept_loop), loop_names, 0, 0 },
	{ "trigger", K_ECHO, offsetof(struct job_cfg, trigger), trigger_names, 0, 0 },
	{ "workers", K_ECHO, offsetof(struct job_cfg, workers), NULL, 1, 8 },
	{ "port", K_ECHO, offsetof(struct job_cfg, port), NULL, 0, 65535 },
	{ "backlog", K_ECHO, offsetof(struct job_cfg, backlog), NULL, 1, 4096 },
	{ "fd_limit", K_ECHO, offsetof(struct job_cfg, fd_limit), NULL, 0, 1048576 },
	{ "hup", K_FIFO, offsetof(struct job_cfg, hup), hup_names, 0, 0 },
	{ "storm_detail", K_FIFO, offsetof(struct job_cfg, storm_detail), NULL, 1, 1000 },
	{ "storm_cap", K_FIFO, offsetof(struct job_cfg, storm_cap), NULL, 1, 100000000 },
	{ "probe", K_PROBE, offsetof(struct job_cfg, probe), probe_names, 0, 0 },
};

/* Reset j to a job of this kind with every option at its default. */
void
job_defaults(struct job_cfg *j, int kind)
{
	memset(j, 0, sizeof *j);
	j->kind = kind;
	j->accept = ACCEPT_SEMAPHORE;
	j->accept_loop = LOOP_ONCE;
	j->trigger = TRIG_EDGE;
	j->workers = 2;
	j->port = 0;
	j->backlog = 64;
	j->hup = HUP_FIXED;
	j->storm_detail = 5;
	j->storm_cap = 200000;
	j->probe = PROBE_REGULAR_FILE;
}

/* The section name for kind, or "?" when out of range. */
const char *
job_kind_name(int kind)
{
	return kind >= 0 && kind < JOB__COUNT ? kind_names[kind] : "?";
}

/* The role a job of this kind is started as, or -1 for an unknown kind. */
int
job_kind_role(int kind)
{
	static const int roles[JOB__COUNT] = {
		[JOB_ECHO] = ROLE_ECHO_PARENT, [JOB_FIFO] = ROLE_FIFO, [JOB_PROBE] = ROLE_PROBE,
	};

	return kind >= 0 && kind < JOB__COUNT ? roles[kind] : -1;
}

/* The int in j that option o sets. */
static int *
opt_field(struct job_cfg *j, const struct opt *o)
{
	return (int *)((char *)j + o->off);
}

/* The options table row for key, or NULL. */
static const struct opt *
opt_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_LEN(opts); i++)
		if (strcmp(opts[i].key, key) == 0)
			return &opts[i];
	return NULL;
}

/* "a, b or c" into buf. */
static const char *
names_list(const char *const *names, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; names[i]; i++)
		len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s",
					i == 0 ? "" : names[i + 1] ? ", " : " or ", names[i]);
	return buf;
}

/* Keys a section of this kind accepts, for the "unknown key" message. */
static const char *
keys_list(int kind, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(opts); i++)
		if (opts[i].kinds & (1 << kind))
			len += (size_t)snprintf(buf + (len < cap ? len : cap), len < cap ? cap - len : 0, "%s%s",
						len ? ", " : "", opts[i].key);
	return buf;
}

/* Check val against key's names or range and store it in j; -1 with a message. */
int
job_set(struct job_cfg *j, const char *key, const char *val, char *err, size_t errcap)
{
	const struct opt *o = opt_find(key);
	char list[256];

	if (o == NULL || !(o->kinds & (1 << j->kind))) {
		snprintf(err, errcap, "unknown key '%s' in [%s] (known: %s)", key,
			 job_kind_name(j->kind), keys_list(j->kind, list, sizeof list));
		return -1;
	}
	if (o->names) {
		for (int i = 0; o->names[i]; i++) {
			if (strcmp(o->names[i], val) == 0) {
				*opt_field(j, o) = i;
				return 0;
			}
		}
		snprintf(err, errcap, "bad value '%s' for %s (expected %s)", val, key,
			 names_list(o->names, list, sizeof list));
		return -1;
	}
	long v;
	if (parse_long(val, o->lo, o->hi, &v) < 0) {
		snprintf(err, errcap, "bad value '%s' for %s (expected an integer from %ld to %ld)",
			 val, key, o->lo, o->hi);
		return -1;
	}
	*opt_field(j, o) = (int)v;
	return 0;
}

/* The job's own options (not background) as "key=value" strings; their count. */
int
job_to_args(const struct job_cfg *j, char args[][48], int max)
{
	int n = 0;

	for (size_t i = 0; i < ARRAY_LEN(opts) && n < max; i++) {
		const struct opt *o = &opts[i];
		int v = *opt_field((struct job_cfg *)j, o);

		if (!(o->kinds & (1 << j->kind)) || strcmp(o->key, "background") == 0)
			continue;
		if (o->names)
			snprintf(args[n++], 48, "%s=%s", o->key, o->names[v]);
		else
			snprintf(args[n++], 48, "%s=%d", o->key, v);
	}
	return n;
}

/* The value name of j's enum option key, or "?" for an unknown or integer one. */
const char *
job_opt_name(const struct job_cfg *j, const char *key)
{
	const struct opt *o = opt_find(key);

	if (o == NULL || o->names == NULL)
		return "?";
	return o->names[*opt_field((struct job_cfg *)j, o)];
}

/* Format a message into err as "PATH:LINE: msg", or "PATH: msg" when line is 0. */
static void
set_err(char *err, size_t cap, const char *path, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(err, cap, "%s:%d: %s", path, line, msg);
	else
		snprintf(err, cap, "%s: %s", path, msg);
}

/* Cut blanks from both ends of s (and '\r' from the end) in place; the new start. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Remove a '#' comment that starts the line or follows whitespace. */
static void
strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

/* The name of a scenario: the file's basename without SCN_EXT. */
static void
name_from_path(const char *path, char *name, size_t cap)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	str_copy(name, b, cap);
	n = strlen(name);
	if (n > strlen(SCN_EXT) && strcmp(name + n - strlen(SCN_EXT), SCN_EXT) == 0)
		name[n - strlen(SCN_EXT)] = '\0';
}

/* Parse the text line by line into sc, checking keys, duplicates and the fg job. */
int
scenario_parse(const char *text, size_t len, const char *path, struct scenario *sc, char *err,
	       size_t errcap)
{
	/* Line of first setting per (section, option), to name duplicates. */
	int seen[SCN_MAX_JOBS + 1][ARRAY_LEN(opts) + 2];
	int title_line = 0, lineno = 0, fg_line = 0;
	struct job_cfg *job = NULL;
	const char *p = text, *end = text + len;

	memset(sc, 0, sizeof *sc);
	memset(seen, 0, sizeof seen);
	str_copy(sc->path, path, sizeof sc->path);
	name_from_path(path, sc->name, sizeof sc->name);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[1024], *line, *eq, *key, *val;

		lineno++;
		if (ll >= sizeof buf) {
			set_err(err, errcap, path, lineno, "line longer than %zu bytes", sizeof buf - 1);
			return -1;
		}
		if (memchr(p, '\0', ll)) {
			set_err(err, errcap, path, lineno, "NUL byte in line");
			return -1;
		}
		memcpy(buf, p, ll);
		buf[ll] = '\0';
		p += ll + (nl ? 1 : 0);
		strip_comment(buf);
		line = trim(buf);
		if (*line == '\0')
			continue;
		if (*line == '[') {
			char *close = strchr(line, ']');
			int kind = -1;

			if (close == NULL || close[1] != '\0') {
				set_err(err, errcap, path, lineno, "bad section header '%s' (expected [echo], [fifo] or [probe])", line);
				return -1;
			}
			*close = '\0';
			for (int k = 0; kind_names[k]; k++)
				if (strcmp(trim(line + 1), kind_names[k]) == 0)
					kind = k;
			if (kind < 0) {
				set_err(err, errcap, path, lineno, "unknown section [%s] (expected [echo], [fifo] or [probe])", trim(line + 1));
				return -1;
			}
			if (sc->njobs == SCN_MAX_JOBS) {
				set_err(err, errcap, path, lineno, "too many jobs (at most %d)", SCN_MAX_JOBS);
				return -1;
			}
			job = &sc->jobs[sc->njobs++];
			job_defaults(job, kind);
			job->line = lineno;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL) {
			set_err(err, errcap, path, lineno, "expected 'key = value', got '%s'", line);
			return -1;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (*key == '\0') {
			set_err(err, errcap, path, lineno, "missing key before '='");
			return -1;
		}
		if (*val == '\0') {
			set_err(err, errcap, path, lineno, "missing value for '%s'", key);
			return -1;
		}
		if (job == NULL) {
			if (strcmp(key, "title") == 0) {
				if (title_line) {
					set_err(err, errcap, path, lineno, "duplicate key 'title' (first set on line %d)", title_line);
					return -1;
				}
				title_line = lineno;
				if (strlen(val) >= sizeof sc->title) {
					set_err(err, errcap, path, lineno, "title longer than %zu characters", sizeof sc->title - 1);
					return -1;
				}
				str_copy(sc->title, val, sizeof sc->title);
			} else if (strcmp(key, "describe") == 0) {
				if (sc->ndescribe == SCN_MAX_DESCRIBE) {
					set_err(err, errcap, path, lineno, "too many describe lines (at most %d)", SCN_MAX_DESCRIBE);
					return -1;
				}
				if (strlen(val) >= SCN_LINE_MAX) {
					set_err(err, errcap, path, lineno, "describe line longer than %d characters", SCN_LINE_MAX - 1);
					return -1;
				}
				str_copy(sc->describe[sc->ndescribe++], val, SCN_LINE_MAX);
			} else {
				set_err(err, errcap, path, lineno, "unknown key '%s' before any job section (known: title, describe)", key);
				return -1;
			}
			continue;
		}
		const struct opt *o = opt_find(key);
		char msg[400];
		if (o != NULL) {
			int *first = &seen[sc->njobs][o - opts];

			if (*first) {
				set_err(err, errcap, path, lineno, "duplicate key '%s' in [%s] (first set on line %d)", key, job_kind_name(job->kind), *first);
				return -1;
			}
			*first = lineno;
		}
		if (job_set(job, key, val, msg, sizeof msg) < 0) {
			set_err(err, errcap, path, lineno, "%s", msg);
			return -1;
		}
	}
	if (!title_line) {
		set_err(err, errcap, path, 0, "missing 'title = ...'");
		return -1;
	}
	if (sc->njobs == 0) {
		set_err(err, errcap, path, 0, "no job section ([echo], [fifo] or [probe])");
		return -1;
	}
	for (int i = 0; i < sc->njobs; i++) {
		if (sc->jobs[i].background)
			continue;
		if (fg_line) {
			set_err(err, errcap, path, sc->jobs[i].line, "a second foreground job (the first is on line %d); add 'background = yes'", fg_line);
			return -1;
		}
		fg_line = sc->jobs[i].line;
	}
	return 0;
}

/* Read a regular file of at most MAX_FILE_BYTES and parse it as a scenario. */
int
scenario_load(const char *path, struct scenario *sc, char *err, size_t errcap)
{
	char *buf;
	ssize_t n;
	size_t len = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC); /* a FIFO must not block: it is refused below */

	if (fd < 0) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errcap, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	buf = xcalloc(MAX_FILE_BYTES + 1, 1);
	while ((n = read(fd, buf + len, MAX_FILE_BYTES + 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0) {
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	if (len > MAX_FILE_BYTES) {
		snprintf(err, errcap, "%s: larger than %d bytes", path, MAX_FILE_BYTES);
		free(buf);
		return -1;
	}
	int r = scenario_parse(buf, len, path, sc, err, errcap);
	free(buf);
	return r;
}

/* The search path, in order: $EPOLLVIZ_SCENARIOS, next to the binary, DATADIR. */
static int
search_dirs(char dirs[3][PATH_MAX])
{
	int n = 0;
	const char *env = getenv("EPOLLVIZ_SCENARIOS");
	char exe[PATH_MAX];
	ssize_t k;

	if (env && *env)
		str_copy(dirs[n++], env, PATH_MAX);
	k = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (k > 0) {
		exe[k] = '\0';
		snprintf(dirs[n++], PATH_MAX, "%.*s/scenarios", PATH_MAX - 16, dirname(exe));
	}
	snprintf(dirs[n++], PATH_MAX, "%s/scenarios", EPOLLVIZ_DATADIR);
	return n;
}

/* The first existing directory of the search path, into dir; 0, or -1 if none. */
int
scenario_dir(char *dir, size_t cap)
{
	char dirs[3][PATH_MAX];
	int n = search_dirs(dirs);
	struct stat st;

	for (int i = 0; i < n; i++) {
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			str_copy(dir, dirs[i], cap);
			return 0;
		}
	}
	return -1;
}

/* name itself if it is a readable path, else NAME.scn in the first dir that has it. */
int
scenario_find(const char *name, char *path, size_t cap, char *err, size_t errcap)
{
	char dirs[3][PATH_MAX];
	size_t nl = strlen(name);
	int n;

	if (strchr(name, '/') || (nl > strlen(SCN_EXT) && strcmp(name + nl - strlen(SCN_EXT), SCN_EXT) == 0)) {
		if (access(name, R_OK) != 0) {
			snprintf(err, errcap, "%s: %s", name, strerror(errno));
			return -1;
		}
		str_copy(path, name, cap);
		return 0;
	}
	n = search_dirs(dirs);
	for (int i = 0; i < n; i++) {
		snprintf(path, cap, "%s/%s%s", dirs[i], name, SCN_EXT);
		if (access(path, R_OK) == 0)
			return 0;
	}
	snprintf(err, errcap, "no scenario named '%s' (looked in %s%s%s%s%s; try --list)", name,
		 dirs[0], n > 1 ? ", " : "", n > 1 ? dirs[1] : "", n > 2 ? ", " : "",
		 n > 2 ? dirs[2] : "");
	return -1;
}

/* qsort order of scenarios: by name. */
static int
cmp_scn(const void *a, const void *b)
{
	return strcmp(((const struct scenario *)a)->name, ((const struct scenario *)b)->name);
}

/* Every loadable .scn of the scenario directory, sorted; the first failure in err. */
int
scenario_list(struct scenario **out, char *err, size_t errcap)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;
	struct scenario *v = NULL;
	int n = 0, cap = 0;

	err[0] = '\0';
	if (scenario_dir(dir, sizeof dir) < 0) {
		snprintf(err, errcap, "no scenarios directory found (set EPOLLVIZ_SCENARIOS)");
		return -1;
	}
	d = opendir(dir);
	if (d == NULL) {
		snprintf(err, errcap, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[PATH_MAX + 300], e[600];

		if (l <= strlen(SCN_EXT) || strcmp(de->d_name + l - strlen(SCN_EXT), SCN_EXT) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (scenario_load(path, &v[n], e, sizeof e) < 0) {
			if (err[0] == '\0')
				str_copy(err, e, errcap);
			continue;
		}
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof *v, cmp_scn);
	*out = v;
	return n;
}

/* Index of the first job not in the background, or -1. */
int
scenario_fg_job(const struct scenario *sc)
{
	for (int i = 0; i < sc->njobs; i++)
		if (!sc->jobs[i].background)
			return i;
	return -1;
}

/* Index of the first job of the given kind, or -1. */
int
scenario_job_of(const struct scenario *sc, int kind)
{
	for (int i = 0; i < sc->njobs; i++)
		if (sc->jobs[i].kind == kind)
			return i;
	return -1;
}
