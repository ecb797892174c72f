/*
 * attach.h - `epollviz attach [--children] [--json] PID...`: the kernel's
 * view of any running processes (see kview.h).
 */
#ifndef EPOLLVIZ_ATTACH_H
#define EPOLLVIZ_ATTACH_H


/*
 * Parse the attach arguments (argv[0] is "attach"): *pids (malloc'd, as many
 * as were given: the caller frees it), *children, *json.  Returns the number
 * of pids, or -1 after printing an error naming the bad argument.
 */
int attach_args(int argc, char **argv, int **pids, int *children, int *json);
/*
 * Print the view once (JSON or text).  Returns the exit status: 0 when
 * every process was read, 1 when a named one is gone or any refused a read
 * (each said on stderr; the report still lists them).
 */
int attach_print(const int *pids, int n, int children, int json);
/*
 * Before the live screen opens: 0 when at least one named process can be
 * read, else 1 after saying why on stderr (gone, or refused), so that the
 * screen and the report agree on what a useless attach is.
 */
int attach_check(const int *pids, int n);

#endif
