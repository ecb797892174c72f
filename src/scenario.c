/*
 * scenario.c - the scenario file format (see scenario.h).  Owns parsing and
 * lookup; a job's options are job.c's; knows nothing about how jobs are run.
 */
#include "scenario.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"
#include "paths.h"
#include "util.h"

#define MAX_FILE_BYTES (64 * 1024)

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
	int seen[SCN_MAX_JOBS + 1][JOB_NOPTS + 2];
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
			/*
			 * TRANSLATORS: scenario file errors follow "FILE:LINE: "; section
			 * names in [] and keys in '' are what the file says: keep them English.
			 */
			set_err(err, errcap, path, lineno, _("line longer than %zu bytes"), sizeof buf - 1);
			return -1;
		}
		if (memchr(p, '\0', ll)) {
			set_err(err, errcap, path, lineno, _("NUL byte in line"));
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
				set_err(err, errcap, path, lineno, _("bad section header '%s' (expected [echo], [fifo] or [probe])"), line);
				return -1;
			}
			*close = '\0';
			kind = job_kind_find(trim(line + 1));
			if (kind < 0) {
				set_err(err, errcap, path, lineno, _("unknown section [%s] (expected [echo], [fifo] or [probe])"), trim(line + 1));
				return -1;
			}
			if (sc->njobs == SCN_MAX_JOBS) {
				set_err(err, errcap, path, lineno, _("too many jobs (at most %d)"), SCN_MAX_JOBS);
				return -1;
			}
			job = &sc->jobs[sc->njobs++];
			job_defaults(job, kind);
			job->line = lineno;
			continue;
		}
		eq = strchr(line, '=');
		if (eq == NULL) {
			/* TRANSLATORS: 'key = value' is the syntax of a scenario line: keep it as it is. */
			set_err(err, errcap, path, lineno, _("expected 'key = value', got '%s'"), line);
			return -1;
		}
		*eq = '\0';
		key = trim(line);
		val = trim(eq + 1);
		if (*key == '\0') {
			set_err(err, errcap, path, lineno, _("missing key before '='"));
			return -1;
		}
		if (*val == '\0') {
			set_err(err, errcap, path, lineno, _("missing value for '%s'"), key);
			return -1;
		}
		if (job == NULL) {
			if (strcmp(key, "title") == 0) {
				if (title_line) {
					set_err(err, errcap, path, lineno, _("duplicate key 'title' (first set on line %d)"), title_line);
					return -1;
				}
				title_line = lineno;
				if (strlen(val) >= sizeof sc->title) {
					set_err(err, errcap, path, lineno, _("title longer than %zu characters"), sizeof sc->title - 1);
					return -1;
				}
				str_copy(sc->title, val, sizeof sc->title);
			} else if (strcmp(key, "describe") == 0) {
				if (sc->ndescribe == SCN_MAX_DESCRIBE) {
					set_err(err, errcap, path, lineno, _("too many describe lines (at most %d)"), SCN_MAX_DESCRIBE);
					return -1;
				}
				if (strlen(val) >= SCN_LINE_MAX) {
					set_err(err, errcap, path, lineno, _("describe line longer than %d characters"), SCN_LINE_MAX - 1);
					return -1;
				}
				str_copy(sc->describe[sc->ndescribe++], val, SCN_LINE_MAX);
			} else {
				set_err(err, errcap, path, lineno, _("unknown key '%s' before any job section (known: title, describe)"), key);
				return -1;
			}
			continue;
		}
		int o = job_opt_index(key);
		char msg[400];
		if (o >= 0) {
			int *first = &seen[sc->njobs][o];

			if (*first) {
				set_err(err, errcap, path, lineno, _("duplicate key '%s' in [%s] (first set on line %d)"), key, job_kind_name(job->kind), *first);
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
		set_err(err, errcap, path, 0, _("missing 'title = ...'"));
		return -1;
	}
	if (sc->njobs == 0) {
		set_err(err, errcap, path, 0, _("no job section ([echo], [fifo] or [probe])"));
		return -1;
	}
	for (int i = 0; i < sc->njobs; i++) {
		if (sc->jobs[i].background)
			continue;
		if (fg_line) {
			/* TRANSLATORS: 'background = yes' is a line to add to the file: keep it English. */
			set_err(err, errcap, path, sc->jobs[i].line, _("a second foreground job (the first is on line %d); add 'background = yes'"), fg_line);
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
		snprintf(err, errcap, _("%s: not a regular file"), path);
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
		snprintf(err, errcap, _("%s: larger than %d bytes"), path, MAX_FILE_BYTES);
		free(buf);
		return -1;
	}
	int r = scenario_parse(buf, len, path, sc, err, errcap);
	free(buf);
	return r;
}

/* name itself if it is a readable path, else NAME.scn in the scenarios directory (paths.h). */
int
scenario_find(const char *name, char *path, size_t cap, char *err, size_t errcap)
{
	char dir[PATH_MAX], e[PATH_MAX * 2];
	size_t nl = strlen(name);

	if (strchr(name, '/') || (nl > strlen(SCN_EXT) && strcmp(name + nl - strlen(SCN_EXT), SCN_EXT) == 0)) {
		if (access(name, R_OK) != 0) {
			snprintf(err, errcap, "%s: %s", name, strerror(errno));
			return -1;
		}
		str_copy(path, name, cap);
		return 0;
	}
	if (paths_scenarios(dir, sizeof dir, e, sizeof e) < 0) {
		snprintf(err, errcap, _("no scenario named '%s': %s"), name, e);
		return -1;
	}
	snprintf(path, cap, "%s/%s%s", dir, name, SCN_EXT);
	if (access(path, R_OK) == 0)
		return 0;
	if (errno != ENOENT)
		snprintf(err, errcap, "%s: %s", path, strerror(errno));
	else
		/* TRANSLATORS: %s: the name typed, then the directory; --list is an option. */
		snprintf(err, errcap, _("no scenario named '%s' in %s (try --list)"), name, dir);
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
	if (paths_scenarios(dir, sizeof dir, err, errcap) < 0)
		return -1;
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

/* The one-job scenario of a program run under the preload tracer. */
void
scenario_program(struct scenario *sc, char *const *argv)
{
	size_t len;

	memset(sc, 0, sizeof *sc);
	str_copy(sc->name, "run", sizeof sc->name);
	len = (size_t)snprintf(sc->title, sizeof sc->title, "run:");
	for (int i = 0; argv[i] && len < sizeof sc->title; i++)
		len += (size_t)snprintf(sc->title + len, sizeof sc->title - len, " %s", argv[i]);
	snprintf(sc->describe[0], sizeof sc->describe[0],
		 "Your program, traced by epollviz's preload library: its epoll calls, sockets,");
	snprintf(sc->describe[1], sizeof sc->describe[1],
		 "semaphores and signals, on the same panels as the built-in scenarios.");
	sc->ndescribe = 2;
	job_defaults(&sc->jobs[0], JOB_PROGRAM);
	sc->njobs = 1;
	sc->argv = argv;
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

/* The describe lines joined by spaces; see scenario.h. */
char *
scenario_describe(const struct scenario *sc, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap == 0)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < sc->ndescribe && len + 1 < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? " " : "", sc->describe[i]);
	return buf;
}

/* One C string literal of s, escaped, to out. */
static void
c_literal(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

/* Every scenario's title and description as N_() marks; see scenario.h. */
int
scenario_po_strings(FILE *out, char *err, size_t errcap)
{
	struct scenario *v = NULL, prog;
	char text[SCN_MAX_DESCRIBE * SCN_LINE_MAX];
	char *const argv[] = { "PROGRAM", NULL };
	int n = scenario_list(&v, err, errcap);

	if (n < 0)
		return -1;
	fprintf(out, "/* Generated by `epollviz --role po-scenarios`: the scenarios' texts. */\n");
	for (int i = 0; i <= n; i++) {
		const struct scenario *sc = &prog;

		if (i < n)
			sc = &v[i];
		else
			scenario_program(&prog, argv);
		if (i < n) {
			fprintf(out, "/* TRANSLATORS: the title of scenario %s */\nN_(", sc->name);
			c_literal(out, sc->title);
			fprintf(out, ");\n");
		}
		fprintf(out, "/* TRANSLATORS: the description of scenario %s */\nN_(", sc->name);
		c_literal(out, scenario_describe(sc, text, sizeof text));
		fprintf(out, ");\n");
	}
	free(v);
	return err[0] ? -1 : 0;
}
