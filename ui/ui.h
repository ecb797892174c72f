/*
 * ui.h - the ncurses front end's entry point.  This header must not include
 * curses: src/main.c includes it.
 */
#ifndef EPOLLVIZ_UI_H
#define EPOLLVIZ_UI_H

/* Open the picker (scenario == NULL) or start a scenario.  Returns the exit status. */
int ui_main(const char *scenario);

#endif
