/*
 * session.h - the session leader, the "shell" of the notes' ps output.
 * See session.c.
 */
#ifndef EPOLLVIZ_SESSION_H
#define EPOLLVIZ_SESSION_H

#include "role.h"

/* The body of ROLE_SESSION. */
void session_main(const struct role_args *a, int role) __attribute__((noreturn));

#endif
