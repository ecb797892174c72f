/*
 * test_scenario.c - unit tests of the scenario file format (scenario.h):
 * every shipped scenario parses, good inputs give the expected values, bad
 * inputs give the exact "FILE:LINE: message", and job options survive the
 * trip to the child roles as key=value arguments.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* The shipped scenarios: $EPOLLVIZ_SCENARIOS (set by make test) or ./scenarios. */
static const char *
scn_dir(void)
{
	const char *d = getenv("EPOLLVIZ_SCENARIOS");

	return d && *d ? d : "scenarios";
}

/* Parse a NUL-terminated text; returns what scenario_parse returned. */
static int
parse(const char *text, struct scenario *sc, char *err, size_t cap)
{
	err[0] = '\0';
	return scenario_parse(text, strlen(text), "t.scn", sc, err, cap);
}

/* Expect text to fail with exactly want. */
static void
expect_error(const char *text, const char *want)
{
	static struct scenario sc;
	char err[1024];

	cr_assert_eq(parse(text, &sc, err, sizeof err), -1, "accepted:\n%s", text);
	cr_assert_str_eq(err, want, "wrong message for:\n%s", text);
}

/* ---- the shipped files ------------------------------------------------ */

Test(scenario, every_shipped_file_parses)
{
	DIR *d = opendir(scn_dir());
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d, "cannot open the scenario directory %s", scn_dir());
	while ((de = readdir(d)) != NULL) {
		static struct scenario sc;
		char path[4096], err[1024];
		size_t l = strlen(de->d_name);

		if (l <= 4 || strcmp(de->d_name + l - 4, ".scn") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", scn_dir(), de->d_name);
		cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
		cr_assert_neq(sc.title[0], '\0', "%s: empty title", path);
		cr_assert_gt(sc.njobs, 0, "%s: no jobs", path);
		/* At most one foreground job (background-read has none: its job is started with &). */
		int fg = 0;
		for (int j = 0; j < sc.njobs; j++)
			fg += !sc.jobs[j].background;
		cr_assert_leq(fg, 1, "%s: %d foreground jobs", path, fg);
		cr_assert_eq(strncmp(de->d_name, sc.name, strlen(sc.name)), 0, "%s: name '%s'", path,
			     sc.name);
		cr_assert_eq(strlen(sc.name) + 4, l, "%s: name '%s' keeps the extension", path,
			     sc.name);
		n++;
	}
	closedir(d);
	cr_assert_geq(n, 14, "only %d scenarios found in %s", n, scn_dir());
}

Test(scenario, scenario_list_loads_all_sorted)
{
	struct scenario *v = NULL;
	char err[1024], dir[4096];
	int n;

	snprintf(dir, sizeof dir, "%s", scn_dir());
	setenv("EPOLLVIZ_SCENARIOS", dir, 1);
	n = scenario_list(&v, err, sizeof err);
	cr_assert_geq(n, 14, "scenario_list gave %d (%s)", n, err);
	cr_assert_str_eq(err, "", "a shipped scenario failed: %s", err);
	for (int i = 1; i < n; i++)
		cr_assert_lt(strcmp(v[i - 1].name, v[i].name), 0, "not sorted: %s before %s",
			     v[i - 1].name, v[i].name);
	free(v);
}

Test(scenario, shipped_values_are_what_the_files_say)
{
	static struct scenario sc;
	char path[4096], err[1024];

	snprintf(path, sizeof path, "%s/echo-herd.scn", scn_dir());
	cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(sc.name, "echo-herd", "name");
	cr_assert_eq(sc.njobs, 1, "echo-herd jobs");
	cr_assert_eq(sc.jobs[0].kind, JOB_ECHO, "kind");
	cr_assert_eq(sc.jobs[0].accept, ACCEPT_SEMAPHORE, "accept");
	cr_assert_eq(sc.jobs[0].accept_loop, LOOP_ONCE, "accept_loop");
	cr_assert_eq(sc.jobs[0].trigger, TRIG_EDGE, "trigger");
	cr_assert_eq(sc.jobs[0].workers, 2, "workers");
	cr_assert_eq(sc.jobs[0].port, 0, "port");
	cr_assert_eq(sc.jobs[0].backlog, 64, "backlog");
	cr_assert_eq(sc.ndescribe, 5, "describe lines %d", sc.ndescribe);

	snprintf(path, sizeof path, "%s/everything.scn", scn_dir());
	cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sc.njobs, 2, "everything jobs");
	cr_assert_eq(sc.jobs[0].kind, JOB_FIFO, "first job kind");
	cr_assert_eq(sc.jobs[0].background, 1, "fifo in background");
	cr_assert_eq(scenario_fg_job(&sc), 1, "foreground job index");
	cr_assert_eq(scenario_job_of(&sc, JOB_ECHO), 1, "echo job index");
	cr_assert_eq(scenario_job_of(&sc, JOB_PROBE), -1, "no probe job");

	snprintf(path, sizeof path, "%s/fifo-hup-naive.scn", scn_dir());
	cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sc.jobs[0].hup, HUP_NAIVE, "hup");
	cr_assert_eq(sc.jobs[0].storm_detail, 5, "storm_detail");
	cr_assert_eq(sc.jobs[0].storm_cap, 2000000, "storm_cap");
}

/* notes-as-written turns every one of the notes' mistakes back on, and its text says how to see each. */
Test(scenario, notes_as_written_switches_every_mistake_on)
{
	static struct scenario sc;
	char path[4096], err[1024], text[4096] = "";
	const struct job_cfg *e, *f;

	snprintf(path, sizeof path, "%s/notes-as-written.scn", scn_dir());
	cr_assert_eq(scenario_load(path, &sc, err, sizeof err), 0, "%s", err);
	cr_assert_geq(scenario_job_of(&sc, JOB_ECHO), 0, "no echo server");
	cr_assert_geq(scenario_job_of(&sc, JOB_FIFO), 0, "no FIFO watcher");
	e = &sc.jobs[scenario_job_of(&sc, JOB_ECHO)];
	f = &sc.jobs[scenario_job_of(&sc, JOB_FIFO)];
	cr_assert_eq(e->accept, ACCEPT_SEMAPHORE, "accept");
	cr_assert_eq(e->accept_loop, LOOP_ONCE, "one accept per wake-up");
	cr_assert_eq(e->trigger, TRIG_EDGE, "EPOLLET");
	cr_assert_eq(e->backlog, 5, "listen(5)");
	cr_assert_eq(e->listener, LISTENER_BLOCKING, "a blocking listener");
	cr_assert_eq(e->sem_lost, SEM_LOST_BREAK, "break after a lost sem_trywait");
	cr_assert_eq(e->sigpipe, SIGPIPE_DEFAULT, "SIGPIPE at its default");
	cr_assert_eq(e->reply, REPLY_NOTES, "the notes' handle_client");
	cr_assert_neq(e->sem_name[0], '\0', "a fixed semaphore name");
	cr_assert_eq(f->hup, HUP_FIXED, "262.c has the cure");
	cr_assert_eq(f->read, FIFO_READ_ONCE, "one read, then close");
	cr_assert_eq(f->shadow_fd, 1, "the shadowed file_fd");
	for (int i = 0; i < sc.ndescribe; i++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s ", sc.describe[i]);
	for (const char *const *w = (const char *const[]){ "SIGPIPE", "listen(5)", "accept", "EBADF", "345",
							   "z, a, f", "W Z l h G", NULL };
	     *w; w++)
		cr_assert(strstr(text, *w) != NULL, "the describe text does not say '%s': %s", *w, text);
}

/* ---- good inputs ------------------------------------------------------ */

Test(scenario, comments_blank_lines_crlf_and_several_jobs)
{
	static struct scenario sc;
	char err[1024];
	static const char text[] =
		"# a comment\r\n"
		"\r\n"
		"   \t  \n"
		"title = My title # a trailing comment\r\n"
		"describe = one = two\r\n"
		"describe=three#not a comment\r\n"
		"\n"
		"[echo]   # after a header\r\n"
		"accept = reuseport\r\n"
		"accept_loop=drain\r\n"
		"trigger\t=\tlevel\r\n"
		"workers = 8\r\n"
		"port = 65535\r\n"
		"backlog = 1\r\n"
		"[ fifo ]\r\n"
		"background = yes\r\n"
		"hup = naive\r\n"
		"storm_detail = 1000\r\n"
		"storm_cap = 100000000\r\n"
		"[probe]\n"
		"background = yes\n"
		"probe = triggers"; /* no final newline */

	cr_assert_eq(parse(text, &sc, err, sizeof err), 0, "rejected: %s", err);
	cr_assert_str_eq(sc.title, "My title", "title '%s'", sc.title);
	cr_assert_eq(sc.ndescribe, 2, "describe lines %d", sc.ndescribe);
	cr_assert_str_eq(sc.describe[0], "one = two", "describe[0] '%s'", sc.describe[0]);
	cr_assert_str_eq(sc.describe[1], "three#not a comment", "describe[1] '%s'", sc.describe[1]);
	cr_assert_eq(sc.njobs, 3, "jobs %d", sc.njobs);

	const struct job_cfg *e = &sc.jobs[0], *f = &sc.jobs[1], *p = &sc.jobs[2];
	cr_assert_eq(e->kind, JOB_ECHO, "job 0 kind");
	cr_assert_eq(e->line, 8, "job 0 line %d", e->line);
	cr_assert_eq(e->background, 0, "job 0 background");
	cr_assert_eq(e->accept, ACCEPT_REUSEPORT, "accept");
	cr_assert_eq(e->accept_loop, LOOP_DRAIN, "accept_loop");
	cr_assert_eq(e->trigger, TRIG_LEVEL, "trigger");
	cr_assert_eq(e->workers, 8, "workers");
	cr_assert_eq(e->port, 65535, "port");
	cr_assert_eq(e->backlog, 1, "backlog");
	cr_assert_eq(f->kind, JOB_FIFO, "job 1 kind");
	cr_assert_eq(f->line, 15, "job 1 line %d", f->line);
	cr_assert_eq(f->background, 1, "fifo background");
	cr_assert_eq(f->hup, HUP_NAIVE, "hup");
	cr_assert_eq(f->storm_detail, 1000, "storm_detail");
	cr_assert_eq(f->storm_cap, 100000000, "storm_cap");
	cr_assert_eq(p->kind, JOB_PROBE, "job 2 kind");
	cr_assert_eq(p->background, 1, "probe background");
	cr_assert_eq(p->probe, PROBE_TRIGGERS, "probe");
	cr_assert_eq(scenario_fg_job(&sc), 0, "foreground job %d", scenario_fg_job(&sc));
	cr_assert_str_eq(sc.name, "t", "name from path 't.scn': '%s'", sc.name);
	cr_assert_str_eq(sc.path, "t.scn", "path");
}

Test(scenario, defaults_apply_to_unset_options)
{
	static struct scenario sc;
	char err[1024];

	cr_assert_eq(parse("title = T\n[echo]\n[fifo]\nbackground = yes\n", &sc, err, sizeof err), 0,
		     "%s", err);
	cr_assert_eq(sc.jobs[0].accept, ACCEPT_SEMAPHORE, "default accept");
	cr_assert_eq(sc.jobs[0].workers, 2, "default workers");
	cr_assert_eq(sc.jobs[0].backlog, 64, "default backlog");
	cr_assert_eq(sc.jobs[1].hup, HUP_FIXED, "default hup");
	cr_assert_eq(sc.jobs[1].storm_detail, 5, "default storm_detail");
	cr_assert_eq(sc.jobs[1].storm_cap, 200000, "default storm_cap");
	cr_assert_eq(sc.ndescribe, 0, "no describe lines");
}

Test(scenario, same_key_in_two_sections_is_not_a_duplicate)
{
	static struct scenario sc;
	char err[1024];

	cr_assert_eq(parse("title = T\n[echo]\nworkers = 3\n[echo]\nbackground = yes\nworkers = 4\n",
			   &sc, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sc.jobs[0].workers, 3, "first echo workers");
	cr_assert_eq(sc.jobs[1].workers, 4, "second echo workers");
}

Test(scenario, limits_are_inclusive)
{
	static struct scenario sc;
	char err[1024], text[2048], line[1100];

	memset(line, 'x', 1021);
	line[0] = '#';
	line[1021] = '\0'; /* a 1021-byte comment line plus "\r" is 1022 < 1023 */
	snprintf(text, sizeof text, "%s\r\ntitle = T\n[echo]\nworkers = 1\nport = 0\n", line);
	cr_assert_eq(parse(text, &sc, err, sizeof err), 0, "%s", err);
	memset(line, 'x', 1023);
	line[0] = '#';
	line[1023] = '\0';
	snprintf(text, sizeof text, "%s\ntitle = T\n[echo]\n", line);
	cr_assert_eq(parse(text, &sc, err, sizeof err), 0, "a 1023-byte line: %s", err);
	memset(line, 'y', SCN_LINE_MAX - 1);
	line[SCN_LINE_MAX - 1] = '\0';
	snprintf(text, sizeof text, "title = %.*s\ndescribe = %.*s\n[probe]\n", SCN_LINE_MAX - 1, line,
		 SCN_LINE_MAX - 1, line);
	cr_assert_eq(parse(text, &sc, err, sizeof err), 0, "a %d-character title: %s",
		     SCN_LINE_MAX - 1, err);
	cr_assert_eq(strlen(sc.title), SCN_LINE_MAX - 1, "title kept %zu", strlen(sc.title));
}

/* ---- bad inputs: exact messages --------------------------------------- */

Test(scenario, unknown_key_lists_the_known_keys)
{
	expect_error("title = T\n[echo]\ncolour = red\n",
		     "t.scn:3: unknown key 'colour' in [echo] (known: background, accept, "
		     "accept_loop, trigger, workers, port, backlog, fd_limit, cpus, listener, sem_lost, "
		     "sigpipe, reply, sem_name, mutex_delay, connections, accept_disabled, work_us, "
		     "stall_worker, stall_ms, stall_every)");
	expect_error("title = T\n[fifo]\naccept = none\n",
		     "t.scn:3: unknown key 'accept' in [fifo] (known: background, hup, "
		     "storm_detail, storm_cap, read, shadow_fd)");
	expect_error("title = T\n[probe]\ndescribe = x\n",
		     "t.scn:3: unknown key 'describe' in [probe] (known: background, probe)");
}

Test(scenario, bad_enum_value_lists_the_expected_values)
{
	expect_error("title = T\n[echo]\naccept = maybe\n",
		     "t.scn:3: bad value 'maybe' for accept (expected semaphore, exclusive, "
		     "reuseport, shared-epoll, none or mutex)");
	expect_error("title = T\n[echo]\nbackground = 1\n",
		     "t.scn:3: bad value '1' for background (expected no or yes)");
	expect_error("title = T\n[fifo]\nhup = Naive\n",
		     "t.scn:3: bad value 'Naive' for hup (expected naive or fixed)");
	expect_error("title = T\n[probe]\nprobe = x\n",
		     "t.scn:3: bad value 'x' for probe (expected regular-file, two-instances, "
		     "ctl-errors, triggers, tty-read or et-before-add)");
}

Test(scenario, integer_out_of_range)
{
	expect_error("title = T\n[echo]\nworkers = 9\n",
		     "t.scn:3: bad value '9' for workers (expected an integer from 1 to 8)");
	expect_error("title = T\n[echo]\nworkers = 0\n",
		     "t.scn:3: bad value '0' for workers (expected an integer from 1 to 8)");
	expect_error("title = T\n[echo]\nport = 65536\n",
		     "t.scn:3: bad value '65536' for port (expected an integer from 0 to 65535)");
	expect_error("title = T\n[echo]\nport = -1\n",
		     "t.scn:3: bad value '-1' for port (expected an integer from 0 to 65535)");
	expect_error("title = T\n[echo]\nbacklog = 12x\n",
		     "t.scn:3: bad value '12x' for backlog (expected an integer from 1 to 4096)");
	expect_error("title = T\n[fifo]\nstorm_cap = 99999999999999999999999\n",
		     "t.scn:3: bad value '99999999999999999999999' for storm_cap (expected an "
		     "integer from 1 to 100000000)");
}

Test(scenario, duplicate_key_names_the_first_line)
{
	expect_error("title = T\n[echo]\nworkers = 2\n\n# again\nworkers = 3\n",
		     "t.scn:6: duplicate key 'workers' in [echo] (first set on line 3)");
	expect_error("title = A\ntitle = B\n[echo]\n",
		     "t.scn:2: duplicate key 'title' (first set on line 1)");
}

Test(scenario, unknown_or_bad_section)
{
	expect_error("title = T\n[server]\n",
		     "t.scn:2: unknown section [server] (expected [echo], [fifo] or [probe])");
	expect_error("title = T\n[echo\n",
		     "t.scn:2: bad section header '[echo' (expected [echo], [fifo] or [probe])");
	expect_error("title = T\n[echo] x\n",
		     "t.scn:2: bad section header '[echo] x' (expected [echo], [fifo] or [probe])");
}

Test(scenario, key_before_any_section)
{
	expect_error("title = T\nworkers = 2\n[echo]\n",
		     "t.scn:2: unknown key 'workers' before any job section (known: title, describe)");
}

Test(scenario, missing_title_and_missing_job)
{
	/* Nothing to point at: these name the file only. */
	expect_error("# nothing\n[echo]\n", "t.scn: missing 'title = ...'");
	expect_error("title = T\ndescribe = d\n", "t.scn: no job section ([echo], [fifo] or [probe])");
	expect_error("", "t.scn: missing 'title = ...'");
}

Test(scenario, two_foreground_jobs)
{
	expect_error("title = T\n[echo]\n\n[fifo]\nhup = naive\n",
		     "t.scn:4: a second foreground job (the first is on line 2); add "
		     "'background = yes'");
	expect_error("title = T\n[echo]\nbackground = no\n[fifo]\n",
		     "t.scn:4: a second foreground job (the first is on line 2); add "
		     "'background = yes'");
}

Test(scenario, line_without_equals_and_empty_sides)
{
	expect_error("title = T\n[echo]\nworkers 2\n",
		     "t.scn:3: expected 'key = value', got 'workers 2'");
	expect_error("title\n", "t.scn:1: expected 'key = value', got 'title'");
	expect_error("title = T\n[echo]\n = 2\n", "t.scn:3: missing key before '='");
	expect_error("title = T\n[echo]\nworkers =   # nothing\n",
		     "t.scn:3: missing value for 'workers'");
}

Test(scenario, nul_byte_in_a_line)
{
	static struct scenario sc;
	static const char text[] = "title = T\n[ec\0ho]\n";
	char err[256];

	cr_assert_eq(scenario_parse(text, sizeof text - 1, "t.scn", &sc, err, sizeof err), -1,
		     "NUL accepted");
	cr_assert_str_eq(err, "t.scn:2: NUL byte in line", "message");
}

Test(scenario, over_long_line)
{
	char text[2100];

	strcpy(text, "title = T\n# ");
	memset(text + strlen(text), 'x', 1500);
	text[12 + 1500] = '\0';
	strcat(text, "\n[echo]\n");
	expect_error(text, "t.scn:2: line longer than 1023 bytes");
}

Test(scenario, over_long_title_and_describe_and_too_many)
{
	char text[4096], line[200];
	size_t k = 0;

	memset(line, 'y', SCN_LINE_MAX);
	line[SCN_LINE_MAX] = '\0';
	snprintf(text, sizeof text, "title = %s\n[echo]\n", line);
	expect_error(text, "t.scn:1: title longer than 159 characters");
	snprintf(text, sizeof text, "title = T\ndescribe = %s\n[echo]\n", line);
	expect_error(text, "t.scn:2: describe line longer than 159 characters");

	k = (size_t)snprintf(text, sizeof text, "title = T\n");
	for (int i = 0; i < SCN_MAX_DESCRIBE + 1; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, "describe = d%d\n", i);
	expect_error(text, "t.scn:10: too many describe lines (at most 8)");

	k = (size_t)snprintf(text, sizeof text, "title = T\n");
	for (int i = 0; i < SCN_MAX_JOBS + 1; i++)
		k += (size_t)snprintf(text + k, sizeof text - k, "[probe]\nbackground = yes\n");
	expect_error(text, "t.scn:10: too many jobs (at most 4)");
}

Test(scenario, a_small_error_buffer_is_truncated_not_overrun)
{
	static struct scenario sc;
	char err[24];

	memset(err, 'Z', sizeof err);
	cr_assert_eq(scenario_parse("title = T\n[zzz]\n", 16, "t.scn", &sc, err, 16), -1, "accepted");
	cr_assert_eq(strlen(err), 15, "message is %zu bytes, want 15", strlen(err));
	cr_assert_eq(strncmp(err, "t.scn:2: unknow", 15), 0, "message '%s'", err);
	for (size_t i = 16; i < sizeof err; i++)
		cr_assert_eq(err[i], 'Z', "wrote past the buffer at %zu", i);
}

/* ---- job options as arguments ----------------------------------------- */

/* Apply every "key=value" of args to a fresh job of the same kind. */
static void
args_round_trip(const struct job_cfg *j, int want_n)
{
	char args[SCN_MAX_ARGS][48], err[512];
	struct job_cfg back;
	int n = job_to_args(j, args, SCN_MAX_ARGS);

	cr_assert_eq(n, want_n, "%s: %d args, want %d", job_kind_name(j->kind), n, want_n);
	job_defaults(&back, j->kind);
	for (int i = 0; i < n; i++) {
		char key[48], *eq;

		strcpy(key, args[i]);
		eq = strchr(key, '=');
		cr_assert_not_null(eq, "arg '%s' has no '='", args[i]);
		*eq = '\0';
		cr_assert_str_neq(key, "background", "background travels as an arg");
		cr_assert_eq(job_set(&back, key, eq + 1, err, sizeof err), 0, "'%s': %s", args[i], err);
	}
	back.line = j->line;
	back.background = j->background;
	cr_assert_eq(memcmp(&back, j, sizeof back), 0, "%s job did not round trip",
		     job_kind_name(j->kind));
}

Test(scenario, job_to_args_round_trips_through_job_set)
{
	struct job_cfg j;

	job_defaults(&j, JOB_ECHO);
	j.accept = ACCEPT_SHARED_EPOLL;
	j.accept_loop = LOOP_DRAIN;
	j.trigger = TRIG_LEVEL;
	j.workers = 7;
	j.port = 54321;
	j.backlog = 4096;
	j.fd_limit = 64;
	j.cpus = CPUS_SPLIT;
	j.listener = LISTENER_BLOCKING;
	j.sem_lost = SEM_LOST_BREAK;
	j.sigpipe = SIGPIPE_DEFAULT;
	j.reply = REPLY_NOTES;
	j.background = 1;
	j.line = 12;
	args_round_trip(&j, 12); /* sem_name left empty: a per-run name, no argument */
	snprintf(j.sem_name, sizeof j.sem_name, "/my_semaphore");
	args_round_trip(&j, 13);
	/* The contest's and the mutex's options travel only when they are not the default. */
	j.accept = ACCEPT_MUTEX;
	j.mutex_delay = 20;
	j.accept_disabled = 0;
	j.work_us = 100;
	j.stall_worker = 1;
	j.stall_ms = 2000;
	j.stall_every = 50;
	j.connections = 64;
	args_round_trip(&j, 20);
	{
		char err[256];

		/* sem_open's rules: a leading '/', no other, at most 30 bytes. */
		cr_assert_eq(job_set(&j, "sem_name", "my_semaphore", err, sizeof err), -1, "no '/' accepted");
		cr_assert_eq(job_set(&j, "sem_name", "/a/b", err, sizeof err), -1, "a second '/' accepted");
		cr_assert_eq(job_set(&j, "sem_name", "/0123456789012345678901234567890", err, sizeof err), -1,
			     "31 bytes accepted");
		cr_assert_not_null(strstr(err, "bad value"), "message '%s'", err);
	}

	job_defaults(&j, JOB_FIFO);
	j.hup = HUP_NAIVE;
	j.storm_detail = 999;
	j.storm_cap = 100000000;
	j.read = FIFO_READ_ONCE;
	j.shadow_fd = 1;
	args_round_trip(&j, 5);

	job_defaults(&j, JOB_PROBE);
	j.probe = PROBE_CTL_ERRORS;
	args_round_trip(&j, 1);

	char args[SCN_MAX_ARGS][48];
	job_defaults(&j, JOB_ECHO);
	cr_assert_eq(job_to_args(&j, args, 2), 2, "max not respected");
	cr_assert_str_eq(args[0], "accept=semaphore", "first arg '%s'", args[0]);
}

Test(scenario, job_set_and_opt_names)
{
	struct job_cfg j;
	char err[512];

	job_defaults(&j, JOB_ECHO);
	cr_assert_eq(job_set(&j, "accept", "exclusive", err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(job_opt_name(&j, "accept"), "exclusive", "job_opt_name accept");
	cr_assert_str_eq(job_opt_name(&j, "trigger"), "edge", "job_opt_name trigger");
	cr_assert_str_eq(job_opt_name(&j, "workers"), "?", "integer option has no name");
	cr_assert_str_eq(job_opt_name(&j, "nope"), "?", "unknown option has no name");
	cr_assert_eq(job_set(&j, "hup", "fixed", err, sizeof err), -1, "fifo key in an echo job");
	cr_assert_str_eq(job_kind_name(JOB_PROBE), "probe", "kind name");
	cr_assert_str_eq(job_kind_name(7), "?", "bad kind name");
}

/* ---- lookup ----------------------------------------------------------- */

Test(scenario, find_a_missing_name_says_where_it_looked)
{
	char path[4096], err[8192], dir[4096], want[8192];

	snprintf(dir, sizeof dir, "%s", scn_dir());
	setenv("EPOLLVIZ_SCENARIOS", dir, 1);
	cr_assert_eq(scenario_find("no-such-scenario", path, sizeof path, err, sizeof err), -1,
		     "found a missing scenario at %s", path);
	cr_assert_not_null(realpath(scn_dir(), dir));
	snprintf(want, sizeof want, "no scenario named 'no-such-scenario' in %s (try --list)", dir);
	cr_assert_str_eq(err, want, "message: %s", err);
}

Test(scenario, a_scenarios_variable_naming_nothing_is_said)
{
	static struct scenario *v;
	char path[4096], err[8192];

	setenv("EPOLLVIZ_SCENARIOS", "/nonexistent/epollviz-test-dir", 1);
	cr_assert_eq(scenario_find("echo-herd", path, sizeof path, err, sizeof err), -1,
		     "found a scenario at %s", path);
	cr_assert_str_eq(err, "no scenario named 'echo-herd': EPOLLVIZ_SCENARIOS=/nonexistent/epollviz-test-dir: "
			      "No such file or directory (it must name the scenarios directory)",
			 "message: %s", err);
	cr_assert_eq(scenario_list(&v, err, sizeof err), -1, "listed a missing directory");
	cr_assert_not_null(strstr(err, "EPOLLVIZ_SCENARIOS=/nonexistent/epollviz-test-dir: "), "message: %s", err);
}

Test(scenario, find_by_name_and_by_path)
{
	char path[8192], err[8192], want[8192], dir[4096];

	snprintf(dir, sizeof dir, "%s", scn_dir());
	setenv("EPOLLVIZ_SCENARIOS", dir, 1);
	cr_assert_eq(scenario_find("echo-herd", path, sizeof path, err, sizeof err), 0, "%s", err);
	cr_assert_not_null(realpath(scn_dir(), dir));
	snprintf(want, sizeof want, "%s/echo-herd.scn", dir);
	cr_assert_str_eq(path, want, "found at %s", path);
	cr_assert_eq(scenario_find(want, path, sizeof path, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(path, want, "a path is used as given");
	cr_assert_eq(scenario_find("/nonexistent/x.scn", path, sizeof path, err, sizeof err), -1,
		     "a missing path was found");
	cr_assert_str_eq(err, "/nonexistent/x.scn: No such file or directory", "message: %s", err);
}

Test(scenario, load_rejects_directories_and_missing_files)
{
	static struct scenario sc;
	char err[8192];

	cr_assert_eq(scenario_load(scn_dir(), &sc, err, sizeof err), -1, "loaded a directory");
	cr_assert_not_null(strstr(err, "not a regular file"), "message: %s", err);
	cr_assert_eq(scenario_load("/nonexistent/y.scn", &sc, err, sizeof err), -1, "loaded nothing");
	cr_assert_str_eq(err, "/nonexistent/y.scn: No such file or directory", "message: %s", err);
}
