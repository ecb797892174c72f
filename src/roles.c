/*
 * roles.c - the role table and the dispatcher (see roles.h): which body a
 * role runs and which job options it takes.  A role's name is spelled once,
 * in trace_rec.c; adding a role is one enum value there, its name, one row
 * here, and its body.
 */
#include "roles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "echo.h"
#include "fifo.h"
#include "probe.h"
#include "role.h"
#include "scenario.h"
#include "session.h"
#include "trace.h"
#include "util.h"

/* A role's body: never returns. */
typedef void (*role_body_fn)(const struct role_args *a, int role);

static const struct role_entry {
	role_body_fn main;
	int role;          /* enum trace_role */
	int job;           /* enum job_kind whose options it takes, or -1 */
} roles[] = {
	{ session_main, ROLE_SESSION, -1 },
	{ echo_main, ROLE_ECHO_PARENT, JOB_ECHO },
	{ echo_main, ROLE_ECHO_WORKER, JOB_ECHO },
	{ fifo_main, ROLE_FIFO, JOB_FIFO },
	{ probe_main, ROLE_PROBE, JOB_PROBE },
};

/* Wrong arguments: only epollviz itself starts roles, so this is a bug. */
static void __attribute__((noreturn))
usage_die(const char *what)
{
	fprintf(stderr, "epollviz: internal role: %s (roles are started by epollviz itself)\n", what);
	_exit(2);
}

/* "--prefix=N" into *out; 0 when arg has another prefix. */
static int
arg_int(const char *arg, const char *prefix, int *out)
{
	size_t n = strlen(prefix);
	long v;

	if (strncmp(arg, prefix, n) != 0)
		return 0;
	if (parse_long(arg + n, -1, 1 << 30, &v) < 0)
		usage_die(arg);
	*out = (int)v;
	return 1;
}

/* "--prefix=TEXT" into buf; 0 when arg has another prefix. */
static int
arg_str(const char *arg, const char *prefix, char *buf, size_t cap)
{
	size_t n = strlen(prefix);

	if (strncmp(arg, prefix, n) != 0)
		return 0;
	str_copy(buf, arg + n, cap);
	return 1;
}

/* The fixed arguments and the job options (key=value) after the role name. */
static void
parse_args(int argc, char **argv, struct role_args *a)
{
	char err[300];

	for (int i = 3; i < argc; i++) {
		char *s = argv[i], *eq;

		if (strcmp(s, "--") == 0) {
			/* The session of `epollviz run`: the program and its arguments follow, as they are. */
			if (i + 1 >= argc)
				usage_die("-- without a program");
			a->argv = argv + i + 1;
			return;
		}
		if (arg_int(s, "--trace-fd=", &a->trace_fd) || arg_int(s, "--index=", &a->index) ||
		    arg_int(s, "--listen-fd=", &a->listen_fd) || arg_int(s, "--epfd=", &a->epfd) ||
		    arg_int(s, "--port=", &a->port) || arg_int(s, "--ctl-fd=", &a->ctl_fd) ||
		    arg_int(s, "--lock-fd=", &a->lock_fd) ||
		    arg_str(s, "--sem=", a->sem, sizeof a->sem) ||
		    arg_str(s, "--scenario=", a->scenario, sizeof a->scenario) ||
		    arg_str(s, "--preload=", a->preload, sizeof a->preload))
			continue;
		eq = strchr(s, '=');
		if (eq == NULL || strncmp(s, "--", 2) == 0)
			usage_die(s);
		*eq = '\0';
		if (job_set(&a->job, s, eq + 1, err, sizeof err) < 0)
			usage_die(err);
		*eq = '=';
	}
}

/* Look the role up in the table, read its arguments, open the trace, run its body. */
void
roles_main(int argc, char **argv)
{
	const struct role_entry *e = NULL;
	struct role_args a;
	int role;

	if (argc < 3)
		usage_die("missing role name");
	role = trace_rec_role_find(argv[2]);
	for (size_t i = 0; i < ARRAY_LEN(roles); i++)
		if (roles[i].role == role)
			e = &roles[i];
	if (e == NULL)
		usage_die(argv[2]);
	memset(&a, 0, sizeof a);
	a.trace_fd = a.listen_fd = a.epfd = a.ctl_fd = a.lock_fd = -1;
	job_defaults(&a.job, e->job >= 0 ? e->job : JOB_ECHO);
	parse_args(argc, argv, &a);
	trace_open(a.trace_fd, 0);
	e->main(&a, role);
	_exit(2); /* a body returned: it must not */
}
