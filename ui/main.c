/*
 * main.c - command line of epollviz: picks the front end (the screen, or
 * headless), the listing and help, or an internal child role.  It lives in
 * ui/ because it is the one file that knows both the screen and the engine;
 * nothing in src/ includes anything from ui/.
 */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../src/action.h"
#include "../src/attach.h"
#include "../src/contest.h"
#include "../src/paths.h"
#include "../src/headless.h"
#include "../src/i18n.h"
#include "../src/lang.h"
#include "../src/roles.h"
#include "../src/scenario.h"
#include "lines.h"
#include "ui.h"

#ifndef EPOLLVIZ_VERSION
#define EPOLLVIZ_VERSION "0.1"
#endif

/* Print the command-line synopsis and the headless actions to f. */
static void
usage(FILE *f)
{
	char acts[600];
	const char *head;

	/* TRANSLATORS: keep the command lines (epollviz, options, PROGRAM, FILE...) as they are and translate
	   the descriptions; keep every line within 80 columns */
	fputs(_("usage: epollviz [--record FILE] [SCENARIO]\n"
		"                                     open the picker, or start SCENARIO\n"
		"                                     (--record: record the first run)\n"
		"       epollviz [--record FILE] run [--] PROGRAM [ARGS...]\n"
		"                                     run your program, traced (dynamically linked)\n"
		"       epollviz replay FILE          play a recording on the screen\n"
		"       epollviz --headless SCENARIO [--script 'ACTION; ...'] [--json|--quiet]\n"
		"                [--record FILE]      run without the screen, print every record\n"
		"       epollviz --headless run [--script ...] [--json|--quiet] [--record FILE]\n"
		"                [--] PROGRAM [ARGS...]\n"
		"       epollviz --headless replay FILE [--json|--quiet]\n"
		"       epollviz contest [OPTIONS]    the accept strategies under one load, compared\n"
		"       epollviz --headless contest [OPTIONS] [--json] [--record-dir DIR]\n"
		"       epollviz attach [--children] [--json] PID...\n"
		"                                     the kernel's view of running processes\n"
		"       epollviz --list               list the scenarios\n"
		"       epollviz --help | --version\n"
		"\n"
		"SCENARIO is a name from --list or a path to a .scn file.\n"),
	      f);
	/* TRANSLATORS: followed by the list of the --script actions (their names stay English) */
	head = _("Headless actions: ");
	fprintf(f, "%s%s.\n", head, action_usage(acts, sizeof acts, 78, lines_cols(head), 2));
	/* TRANSLATORS: the last line of --help; epollviz(1) is the manual page */
	fputs(_("  See epollviz(1).\n"), f);
}

/*
 * Is --json among our own arguments?  Not among a run's PROGRAM's: they
 * start after a "--", or at the first word after "run" that is not one of
 * our options (--script and --record take a value).
 */
static int
json_asked(int argc, char **argv)
{
	int after_run = 0;

	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--json") == 0)
			return 1;
		if (strcmp(argv[i], "run") == 0)
			after_run = 1;
		else if (strcmp(argv[i], "--script") == 0 || strcmp(argv[i], "--record") == 0)
			i++;
		else if (after_run && argv[i][0] != '-')
			return 0; /* the PROGRAM */
	}
	return 0;
}

/* Print each scenario's name and title; returns 1 if any could not be read. */
static int
list(void)
{
	struct scenario *v = NULL;
	char err[1024];
	int n = scenario_list(&v, err, sizeof err);

	if (n < 0) {
		fprintf(stderr, "epollviz: %s\n", err);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		int pad = 20 - lines_cols(v[i].name); /* columns, not bytes: a name may be UTF-8 */

		/* The title is in the catalogue (--role po-scenarios); "" is not looked up: it is the header. */
		printf("%s%*s %s\n", v[i].name, pad > 0 ? pad : 0, "", v[i].title[0] ? _(v[i].title) : "");
	}
	if (err[0])
		/* TRANSLATORS: a scenario file that could not be read; %s says which and why */
		fprintf(stderr, _("epollviz: skipped: %s\n"), err);
	free(v);
	return err[0] ? 1 : 0;
}

/* Dispatch to a child role, attach, headless, replay, the listing, or the screen. */
int
main(int argc, char **argv)
{
	const char *record = NULL;
	char ierr[PATH_MAX + 128];

	if (lang_init(ierr, sizeof ierr) < 0 && !(argc >= 2 && strcmp(argv[1], "--role") == 0)) {
		fprintf(stderr, "epollviz: %s\n", ierr);
		return 2;
	}
	/* --json: one output for every language (a program reads it). */
	if (json_asked(argc, argv))
		lang_english();
	if (argc == 3 && strcmp(argv[1], "--role") == 0 && strcmp(argv[2], "po-scenarios") == 0) {
		if (scenario_po_strings(stdout, ierr, sizeof ierr) < 0) {
			fprintf(stderr, "epollviz: %s\n", ierr);
			return 1;
		}
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--role") == 0)
		roles_main(argc, argv);
	/* Orphans of a run are re-parented here, so they can be reaped and counted. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* A session leader that is already gone must not kill us through its pipe. */
	signal(SIGPIPE, SIG_IGN);
	/* run --help, replay --help, attach --help: the synopsis, not a PROGRAM, FILE or PID named --help. */
	if (argc == 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) &&
	    (strcmp(argv[1], "run") == 0 || strcmp(argv[1], "replay") == 0 || strcmp(argv[1], "attach") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "attach") == 0) {
		int *pids, children, json, n, rc;

		n = attach_args(argc - 1, argv + 1, &pids, &children, &json);
		if (n < 0)
			return 2;
		if (!json && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			rc = attach_check(pids, n) ? 1 : ui_attach(pids, n, children);
		else
			rc = attach_print(pids, n, children, json);
		free(pids);
		return rc;
	}
	/* The accept contest: headless with --headless or --json, or without a terminal; else the screen. */
	if (argc >= 3 && strcmp(argv[1], "--headless") == 0 && strcmp(argv[2], "contest") == 0)
		return contest_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "contest") == 0) {
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--headless") == 0 || strcmp(argv[i], "--json") == 0 ||
			    strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
				return contest_main(argc - 1, argv + 1);
		return ui_contest(argc - 1, argv + 1);
	}
	/* What follows run's PROGRAM (or a --) is the program's, not ours. */
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0 && strcmp(argv[i], "run") != 0; i++) {
		if (strcmp(argv[i], "--headless") == 0)
			return headless_main(argc, argv);
	}
	if (argc == 3 && strcmp(argv[1], "replay") == 0)
		return ui_replay(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "--record") == 0) {
		record = argv[2];
		argc -= 2;
		argv += 2; /* argv[1] is the scenario, if any */
	}
	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		char path[PATH_MAX], err[PATH_MAX + 64];
		struct scenario sc;
		int i = argc > 2 && strcmp(argv[2], "--") == 0 ? 3 : 2;

		if (i >= argc) {
			fprintf(stderr, "epollviz: %s\n", _("run needs a PROGRAM to run"));
			usage(stderr);
			return 2;
		}
		/* A program that cannot be started is reported before the terminal is touched. */
		if (paths_program(argv[i], path, sizeof path, err, sizeof err) < 0) {
			fprintf(stderr, "epollviz: %s\n", err);
			return 2;
		}
		scenario_program(&sc, argv + i);
		return ui_main_scenario(&sc, record);
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("epollviz %s\n", EPOLLVIZ_VERSION);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return list();
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, _("epollviz: unknown arguments: %s\n"), argv[1]);
		usage(stderr);
		return 2;
	}
	if (argc == 2) {
		/* A bad scenario is reported before the terminal is touched. */
		char path[PATH_MAX], err[1024];
		struct scenario sc;

		if (scenario_find(argv[1], path, sizeof path, err, sizeof err) < 0 ||
		    scenario_load(path, &sc, err, sizeof err) < 0) {
			fprintf(stderr, "epollviz: %s\n", err);
			return 2;
		}
		return ui_main(path, record);
	}
	return ui_main(NULL, record);
}
