/*
 * ui.h - the ncurses front end's entry points.  This header must not
 * include curses: src/main.c includes it.  Each returns the exit status (2
 * for what is refused before the terminal is touched).
 */
#ifndef EPOLLVIZ_UI_H
#define EPOLLVIZ_UI_H

struct scenario;

/*
 * Open the picker (scenario == NULL) or start a scenario.  With record, the
 * first run started (from the command line or the picker) is recorded into
 * that file; r, Esc or q end the recording, and later runs do not record.
 */
int ui_main(const char *scenario, const char *record);
/* The same with the scenario given (loaded, or made by scenario_program for `epollviz run`); NULL: the picker. */
int ui_main_scenario(const struct scenario *sc, const char *record);
/* Play a recording made with --record (TUI or headless). */
int ui_replay(const char *file);
/* `epollviz contest [OPTIONS]` (argv[0] is "contest"): the table, filled in as each strategy runs. */
int ui_contest(int argc, char **argv);
/* The kernel's view of running processes (and their descendants), refreshed twice a second. */
int ui_attach(const int *pids, int npids, int children);

#endif
