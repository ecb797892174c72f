/*
 * roles.h - the entry of a child: "epollviz --role NAME ARGS..." picks the
 * role's body from one table (roles.c).  The bodies and what they share
 * (role.h) know nothing of this table.
 */
#ifndef EPOLLVIZ_ROLES_H
#define EPOLLVIZ_ROLES_H

/* Parse the role's arguments and run its body.  Never returns. */
void roles_main(int argc, char **argv) __attribute__((noreturn));

#endif
