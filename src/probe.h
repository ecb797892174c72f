/*
 * probe.h - short experiments on the kernel's epoll.  See probe.c.
 */
#ifndef EPOLLVIZ_PROBE_H
#define EPOLLVIZ_PROBE_H

#include "role.h"

/* The body of ROLE_PROBE. */
void probe_main(const struct role_args *a, int role) __attribute__((noreturn));

#endif
