/*
 * echo.h - the echo server of the notes (358.c): the parent (worker 0) and
 * its re-executed workers.  See echo.c.
 */
#ifndef EPOLLVIZ_ECHO_H
#define EPOLLVIZ_ECHO_H

#include "role.h"

/* The body of ROLE_ECHO_PARENT and ROLE_ECHO_WORKER. */
void echo_main(const struct role_args *a, int role) __attribute__((noreturn));

#endif
