/*
 * ui.c - placeholder until the front end lands.
 */
#include "ui.h"

#include <curses.h>
#include <stdio.h>

int
ui_main(const char *scenario)
{
	(void)scenario;
	fprintf(stderr, "epollviz: the terminal front end is not built yet; use --headless\n");
	return 1;
}
