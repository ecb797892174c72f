/*
 * attach.h - `epollviz attach [--children] [--json] PID...`: the kernel's
 * view of any running processes (see kview.h).
 */
#ifndef EPOLLVIZ_ATTACH_H
#define EPOLLVIZ_ATTACH_H

#define ATTACH_MAX_PIDS 256 /* pids an attach looks at, the given ones and their descendants */

/*
 * Parse the attach arguments (argv[0] is "attach").  Fills pids (at most
 * max), *children, *json.  Returns the number of pids, or -1 after printing
 * an error naming the bad argument.
 */
int attach_args(int argc, char **argv, int *pids, int max, int *children, int *json);
/* Print the view once (JSON or text).  Returns the exit status. */
int attach_print(const int *pids, int n, int children, int json);

#endif
