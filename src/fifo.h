/*
 * fifo.h - the FIFO watcher of the notes (262.c).  See fifo.c.
 */
#ifndef EPOLLVIZ_FIFO_H
#define EPOLLVIZ_FIFO_H

#include "role.h"

/* The body of ROLE_FIFO. */
void fifo_main(const struct role_args *a, int role) __attribute__((noreturn));

#endif
