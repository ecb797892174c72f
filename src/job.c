/*
 * job.c - a job's options, as one table (see job.h): their names, which job
 * kinds take them, their values and bounds, their defaults.
 */
#include "job.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

static const char *const kind_names[] = { "echo", "fifo", "probe", "program", NULL };
static const char *const yesno[] = { "no", "yes", NULL };
static const char *const accept_names[ACCEPT__COUNT + 1] = { "semaphore", "exclusive", "reuseport",
							     "shared-epoll", "none", "mutex", NULL };
static const char *const loop_names[] = { "once", "drain", NULL };
static const char *const trigger_names[] = { "edge", "level", NULL };
static const char *const cpus_names[] = { "any", "same", "split", NULL };
static const char *const hup_names[] = { "naive", "fixed", NULL };
static const char *const listener_names[] = { "nonblocking", "blocking", NULL };
static const char *const sem_lost_names[] = { "continue", "break", NULL };
static const char *const sigpipe_names[] = { "ignored", "default", NULL };
static const char *const reply_names[] = { "lines", "notes", NULL };
static const char *const read_names[] = { "all", "once", NULL };
static const char *const probe_names[] = { "regular-file", "two-instances", "ctl-errors",
					   "triggers", "tty-read", "et-before-add", NULL };

/*
 * A fixed semaphore name as sem_open(3) takes it: '/', then 1 to 30 bytes
 * of letters, digits, '.', '_' or '-' (no further '/').  0 when good.
 */
static int
sem_name_check(const char *val)
{
	size_t n = strlen(val);

	if (n < 2 || n >= JOB_TEXT_MAX || val[0] != '/')
		return -1;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)val[i]) && strchr("._-", val[i]) == NULL)
			return -1;
	return 0;
}

#define K_ECHO (1 << JOB_ECHO)
#define K_FIFO (1 << JOB_FIFO)
#define K_PROBE (1 << JOB_PROBE)
#define K_ALL (K_ECHO | K_FIFO | K_PROBE)
#define K_QUIET (1 << 8) /* a role's arguments (and so ps) carry it only when it is not the default */

/* The options table: what each section accepts. */
static const struct opt {
	const char *key;
	int kinds;
	size_t off;
	const char *const *names; /* enum values, or NULL for an integer */
	long lo, hi;
	int (*text)(const char *val); /* a text option: its check (0 good); NULL for an int */
} opts[] = {
	{ "background", K_ALL, offsetof(struct job_cfg, background), yesno, 0, 0 },
	{ "accept", K_ECHO, offsetof(struct job_cfg, accept), accept_names, 0, 0 },
	{ "accept_loop", K_ECHO, offsetof(struct job_cfg, accept_loop), loop_names, 0, 0 },
	{ "trigger", K_ECHO, offsetof(struct job_cfg, trigger), trigger_names, 0, 0 },
	{ "workers", K_ECHO, offsetof(struct job_cfg, workers), NULL, 1, 8 },
	{ "port", K_ECHO, offsetof(struct job_cfg, port), NULL, 0, 65535 },
	{ "backlog", K_ECHO, offsetof(struct job_cfg, backlog), NULL, 1, 4096 },
	{ "fd_limit", K_ECHO, offsetof(struct job_cfg, fd_limit), NULL, 0, 1048576 },
	{ "cpus", K_ECHO, offsetof(struct job_cfg, cpus), cpus_names, 0, 0 },
	{ "listener", K_ECHO, offsetof(struct job_cfg, listener), listener_names, 0, 0 },
	{ "sem_lost", K_ECHO, offsetof(struct job_cfg, sem_lost), sem_lost_names, 0, 0 },
	{ "sigpipe", K_ECHO, offsetof(struct job_cfg, sigpipe), sigpipe_names, 0, 0 },
	{ "reply", K_ECHO, offsetof(struct job_cfg, reply), reply_names, 0, 0 },
	{ "sem_name", K_ECHO, offsetof(struct job_cfg, sem_name), NULL, 0, 0, sem_name_check },
	{ "mutex_delay", K_ECHO | K_QUIET, offsetof(struct job_cfg, mutex_delay), NULL, 1, 10000 },
	{ "connections", K_ECHO | K_QUIET, offsetof(struct job_cfg, connections), NULL, 8, 1048576 },
	{ "accept_disabled", K_ECHO | K_QUIET, offsetof(struct job_cfg, accept_disabled), yesno, 0, 0 },
	{ "work_us", K_ECHO | K_QUIET, offsetof(struct job_cfg, work_us), NULL, 0, 1000000 },
	{ "stall_worker", K_ECHO | K_QUIET, offsetof(struct job_cfg, stall_worker), NULL, 0, 7 },
	{ "stall_ms", K_ECHO | K_QUIET, offsetof(struct job_cfg, stall_ms), NULL, 0, 60000 },
	{ "stall_every", K_ECHO | K_QUIET, offsetof(struct job_cfg, stall_every), NULL, 1, 1000000 },
	{ "hup", K_FIFO, offsetof(struct job_cfg, hup), hup_names, 0, 0 },
	{ "storm_detail", K_FIFO, offsetof(struct job_cfg, storm_detail), NULL, 1, 1000 },
	{ "storm_cap", K_FIFO, offsetof(struct job_cfg, storm_cap), NULL, 1, 100000000 },
	{ "read", K_FIFO, offsetof(struct job_cfg, read), read_names, 0, 0 },
	{ "shadow_fd", K_FIFO, offsetof(struct job_cfg, shadow_fd), yesno, 0, 0 },
	{ "probe", K_PROBE, offsetof(struct job_cfg, probe), probe_names, 0, 0 },
};

_Static_assert(ARRAY_LEN(opts) == JOB_NOPTS, "JOB_NOPTS is not the number of rows of opts[]");

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
	j->mutex_delay = 500; /* nginx's defaults */
	j->connections = 512;
	j->accept_disabled = 1;
	j->stall_every = 1;
	j->hup = HUP_FIXED;
	j->storm_detail = 5;
	j->storm_cap = 200000;
	j->read = FIFO_READ_ALL;
	j->shadow_fd = 0;
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
		[JOB_PROGRAM] = ROLE_PROGRAM,
	};

	return kind >= 0 && kind < JOB__COUNT ? roles[kind] : -1;
}

/* The int in j that option o sets. */
static int *
opt_field(struct job_cfg *j, const struct opt *o)
{
	return (int *)((char *)j + o->off);
}

/* The text in j that text option o sets (JOB_TEXT_MAX bytes). */
static char *
opt_text(struct job_cfg *j, const struct opt *o)
{
	return (char *)j + o->off;
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

/* "a, b or c" into buf (the "or" translated). */
static const char *
names_list(const char *const *names, char *buf, size_t cap)
{
	char head[512];
	size_t len = 0;
	int n = 0;

	while (names[n])
		n++;
	head[0] = '\0';
	for (int i = 0; i + 1 < n; i++)
		len += (size_t)snprintf(head + (len < sizeof head ? len : sizeof head),
					len < sizeof head ? sizeof head - len : 0, "%s%s", i ? ", " : "", names[i]);
	if (n < 2) {
		snprintf(buf, cap, "%s", n ? names[0] : "");
		return buf;
	}
	/* TRANSLATORS: the end of a list of values: "a, b" and "c" -> "a, b or c". */
	snprintf(buf, cap, _("%s or %s"), head, names[n - 1]);
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
	char list[512];

	if (o == NULL || !(o->kinds & (1 << j->kind))) {
		/* TRANSLATORS: a key of a scenario file or a job option; the keys and [section] stay English. */
		snprintf(err, errcap, _("unknown key '%s' in [%s] (known: %s)"), key,
			 job_kind_name(j->kind), keys_list(j->kind, list, sizeof list));
		return -1;
	}
	if (o->text) {
		if (o->text(val) < 0) {
			/* TRANSLATORS: the value typed, the key (sem_name); a name as sem_open(3) takes it. */
			snprintf(err, errcap, _("bad value '%s' for %s (expected '/' and 1 to %d letters, "
						"digits, '.', '_' or '-')"), val, key, JOB_TEXT_MAX - 2);
			return -1;
		}
		str_copy(opt_text(j, o), val, JOB_TEXT_MAX);
		return 0;
	}
	if (o->names) {
		for (int i = 0; o->names[i]; i++) {
			if (strcmp(o->names[i], val) == 0) {
				*opt_field(j, o) = i;
				return 0;
			}
		}
		/* TRANSLATORS: the value typed, the key, then its values ("naive or fixed"). */
		snprintf(err, errcap, _("bad value '%s' for %s (expected %s)"), val, key,
			 names_list(o->names, list, sizeof list));
		return -1;
	}
	long v;
	if (parse_long(val, o->lo, o->hi, &v) < 0) {
		snprintf(err, errcap, _("bad value '%s' for %s (expected an integer from %ld to %ld)"),
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
	struct job_cfg def;
	int n = 0;

	job_defaults(&def, j->kind);
	for (size_t i = 0; i < ARRAY_LEN(opts) && n < max; i++) {
		const struct opt *o = &opts[i];
		int v;

		if (!(o->kinds & (1 << j->kind)) || strcmp(o->key, "background") == 0)
			continue;
		if ((o->kinds & K_QUIET) && *opt_field((struct job_cfg *)j, o) == *opt_field(&def, o))
			continue;
		if (o->text) {
			const char *t = opt_text((struct job_cfg *)j, o);

			if (t[0])
				snprintf(args[n++], 48, "%s=%s", o->key, t);
			continue;
		}
		v = *opt_field((struct job_cfg *)j, o);
		if (o->names)
			snprintf(args[n++], 48, "%s=%s", o->key, o->names[v]);
		else
			snprintf(args[n++], 48, "%s=%d", o->key, v);
	}
	return n;
}

/* The name of an accept strategy (enum accept_mode), "?" out of range. */
const char *
job_accept_name(int accept)
{
	return accept >= 0 && accept < ACCEPT__COUNT ? accept_names[accept] : "?";
}

/* The accept strategy named name, or -1. */
int
job_accept_find(const char *name)
{
	for (int i = 0; i < ACCEPT__COUNT; i++)
		if (strcmp(accept_names[i], name) == 0)
			return i;
	return -1;
}

/* The value name of j's enum option key, or "?" for an unknown or integer one. */
const char *
job_opt_name(const struct job_cfg *j, const char *key)
{
	const struct opt *o = opt_find(key);

	if (o == NULL || o->names == NULL || o->text)
		return "?";
	return o->names[*opt_field((struct job_cfg *)j, o)];
}

/* The section kind named name ("echo"), or -1. */
int
job_kind_find(const char *name)
{
	for (int k = 0; k < JOB_PROGRAM; k++) /* a scenario file has no [program] */
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

/* The index of option key in the table, or -1. */
int
job_opt_index(const char *key)
{
	const struct opt *o = opt_find(key);

	return o ? (int)(o - opts) : -1;
}
