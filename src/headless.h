/*
 * headless.h - the runner without curses (see headless.c).
 */
#ifndef EPOLLVIZ_HEADLESS_H
#define EPOLLVIZ_HEADLESS_H

/* argv as given to epollviz; returns the exit status. */
int headless_main(int argc, char **argv);

#endif
